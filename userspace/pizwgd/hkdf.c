// SPDX-License-Identifier: GPL-2.0-only
/*
 * HKDF-Expand-Label (RFC 8446 section 7.1) and the traffic key derivation of
 * section 7.3, over OpenSSL's "HKDF" EVP_KDF in EXPAND_ONLY mode.
 */
#include <errno.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "hkdf.h"

#define TLS13_LABEL_PREFIX "tls13 "
#define TLS13_LABEL_PREFIX_LEN (sizeof(TLS13_LABEL_PREFIX) - 1)
/* opaque label<7..255>, opaque context<0..255> */
#define HKDF_LABEL_MAX 255
#define HKDF_CONTEXT_MAX 255
#define HKDF_INFO_MAX (2 + 1 + HKDF_LABEL_MAX + 1 + HKDF_CONTEXT_MAX)

/* Serializes HkdfLabel into info; returns its length, or 0 if invalid. */
static size_t hkdf_label_encode(uint8_t *info, size_t out_len,
				const char *label, const uint8_t *context,
				size_t context_len)
{
	size_t label_len = strlen(label);
	size_t full_len = TLS13_LABEL_PREFIX_LEN + label_len;
	uint8_t *p = info;

	if (label_len == 0 || full_len > HKDF_LABEL_MAX ||
	    context_len > HKDF_CONTEXT_MAX || out_len > UINT16_MAX)
		return 0;
	*p++ = out_len >> 8;
	*p++ = out_len & 0xff;
	*p++ = full_len;
	memcpy(p, TLS13_LABEL_PREFIX, TLS13_LABEL_PREFIX_LEN);
	p += TLS13_LABEL_PREFIX_LEN;
	memcpy(p, label, label_len);
	p += label_len;
	*p++ = context_len;
	if (context_len)
		memcpy(p, context, context_len);
	p += context_len;
	return p - info;
}

static int hkdf_expand(const EVP_MD *md, const uint8_t *prk, size_t prk_len,
		       const uint8_t *info, size_t info_len, uint8_t *out,
		       size_t out_len)
{
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM params[5];
	EVP_KDF_CTX *kctx = NULL;
	EVP_KDF *kdf;
	int ret = -EIO;

	kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	if (!kdf)
		return -EIO;
	kctx = EVP_KDF_CTX_new(kdf);
	if (!kctx)
		goto out;
	params[0] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	params[1] = OSSL_PARAM_construct_utf8_string(
		OSSL_KDF_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						      (void *)prk, prk_len);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						      (void *)info, info_len);
	params[4] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, out_len, params) == 1)
		ret = 0;
out:
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return ret;
}

int hkdf_expand_label(const EVP_MD *md, const uint8_t *secret,
		      size_t secret_len, const char *label,
		      const uint8_t *context, size_t context_len, uint8_t *out,
		      size_t out_len)
{
	uint8_t info[HKDF_INFO_MAX];
	size_t info_len;
	int md_len;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, out_len);
	if (!md || !secret || !secret_len || !label ||
	    (!context && context_len) || !out_len)
		return -EINVAL;
	md_len = EVP_MD_get_size(md);
	if (md_len <= 0 || out_len > 255 * (size_t)md_len)
		return -EINVAL;
	info_len =
		hkdf_label_encode(info, out_len, label, context, context_len);
	if (!info_len)
		return -EINVAL;
	ret = hkdf_expand(md, secret, secret_len, info, info_len, out, out_len);
	if (ret)
		OPENSSL_cleanse(out, out_len);
	return ret;
}

int tls13_traffic_keys(const EVP_MD *md, const uint8_t *secret,
		       size_t secret_len, uint8_t *key, size_t key_len,
		       uint8_t iv[TLS13_IV_LEN])
{
	int ret;

	ret = hkdf_expand_label(md, secret, secret_len, "key", NULL, 0, key,
				key_len);
	if (ret) {
		if (iv)
			memset(iv, 0, TLS13_IV_LEN);
		return ret;
	}
	ret = hkdf_expand_label(md, secret, secret_len, "iv", NULL, 0, iv,
				TLS13_IV_LEN);
	if (ret)
		OPENSSL_cleanse(key, key_len);
	return ret;
}
