// SPDX-License-Identifier: GPL-2.0-only
/*
 * HKDF-Expand-Label and the TLS 1.3 traffic keys against RFC 8448 ("Example
 * Handshake Traces for TLS 1.3"), section 3 (simple 1-RTT handshake,
 * TLS_AES_128_GCM_SHA256), and against a second derivation path for the
 * suites RFC 8448 does not cover: plain HKDF-Expand over an HkdfLabel spelt
 * out by hand, whose outputs were cross-checked with
 *   openssl kdf -keylen N -kdfopt digest:SHA384 -kdfopt mode:EXPAND_ONLY \
 *       -kdfopt hexkey:SECRET -kdfopt hexinfo:INFO HKDF
 * and an independent HMAC-based HKDF.
 */
#include <errno.h>
#include <openssl/kdf.h>

#include "hkdf.h"
#include "unit.h"

/* RFC 8448 section 3 */
#define RFC8448_SERVER_HS_SECRET \
	"b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"
#define RFC8448_CLIENT_HS_SECRET \
	"b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21"
#define RFC8448_MASTER_SECRET \
	"18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919"
#define RFC8448_SERVER_FINISHED_HASH \
	"9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13"
#define RFC8448_CLIENT_AP_SECRET \
	"9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5"
#define RFC8448_SERVER_AP_SECRET \
	"a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"
#define RFC8448_RESUMPTION_MASTER \
	"7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c"

/* 48 bytes 0x40..0x6f: a SHA-384 secret for TLS_AES_256_GCM_SHA384 */
#define SHA384_SECRET                                                      \
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f" \
	"606162636465666768696a6b6c6d6e6f"


/* out = HKDF-Expand-Label(secret, label, context, out_len), as hex */
static const char *expand_label(const EVP_MD *md, const char *secret_hex,
				const char *label, const char *context_hex,
				size_t out_len)
{
	uint8_t secret[64], context[64], out[256];
	size_t secret_len = unhex(secret_hex, secret, sizeof(secret));
	size_t context_len = unhex(context_hex, context, sizeof(context));

	if (hkdf_expand_label(md, secret, secret_len, label, context,
			      context_len, out, out_len))
		return NULL;
	return tohex(out, out_len);
}

/* The second path: RFC 5869 HKDF-Expand through EVP_PKEY, given raw info. */
static const char *expand_raw(const EVP_MD *md, const char *secret_hex,
			      const char *info_hex, size_t out_len)
{
	uint8_t secret[64], info[600], out[256];
	size_t secret_len = unhex(secret_hex, secret, sizeof(secret));
	size_t info_len = unhex(info_hex, info, sizeof(info));
	EVP_PKEY_CTX *pctx;
	size_t len = out_len;
	int ok;

	pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	ok = pctx && EVP_PKEY_derive_init(pctx) > 0 &&
	     EVP_PKEY_CTX_set_hkdf_mode(pctx, EVP_PKEY_HKDEF_MODE_EXPAND_ONLY) >
		     0 &&
	     EVP_PKEY_CTX_set_hkdf_md(pctx, md) > 0 &&
	     EVP_PKEY_CTX_set1_hkdf_key(pctx, secret, secret_len) > 0 &&
	     EVP_PKEY_CTX_add1_hkdf_info(pctx, info, info_len) > 0 &&
	     EVP_PKEY_derive(pctx, out, &len) > 0 && len == out_len;
	EVP_PKEY_CTX_free(pctx);
	return ok ? tohex(out, out_len) : NULL;
}

static void check_traffic_keys(const EVP_MD *md, const char *secret_hex,
			       size_t key_len, const char *key_hex,
			       const char *iv_hex)
{
	uint8_t secret[64], key[32], iv[TLS13_IV_LEN];
	size_t secret_len = unhex(secret_hex, secret, sizeof(secret));

	CHECK_INT(tls13_traffic_keys(md, secret, secret_len, key, key_len, iv),
		  0);
	CHECK_STR(tohex(key, key_len), key_hex);
	CHECK_STR(tohex(iv, sizeof(iv)), iv_hex);
}

static void server_handshake_key_and_iv_match_rfc8448(void)
{
	CHECK_STR(expand_label(EVP_sha256(), RFC8448_SERVER_HS_SECRET, "key",
			       "", 16),
		  "3fce516009c21727d0f2e4e86ee403bc");
	CHECK_STR(expand_label(EVP_sha256(), RFC8448_SERVER_HS_SECRET, "iv", "",
			       12),
		  "5d313eb2671276ee13000b30");
	check_traffic_keys(EVP_sha256(), RFC8448_SERVER_HS_SECRET, 16,
			   "3fce516009c21727d0f2e4e86ee403bc",
			   "5d313eb2671276ee13000b30");
}

static void client_handshake_key_and_iv_match_rfc8448(void)
{
	check_traffic_keys(EVP_sha256(), RFC8448_CLIENT_HS_SECRET, 16,
			   "dbfaa693d1762c5b666af5d950258d01",
			   "5bd3c71b836e0b76bb73265f");
}

static void client_application_key_and_iv_match_rfc8448(void)
{
	check_traffic_keys(EVP_sha256(), RFC8448_CLIENT_AP_SECRET, 16,
			   "17422dda596ed5d9acd890e3c63f5051",
			   "5b78923dee08579033e523d9");
}

static void server_application_key_and_iv_match_rfc8448(void)
{
	check_traffic_keys(EVP_sha256(), RFC8448_SERVER_AP_SECRET, 16,
			   "9f02283b6c9c07efc26bb9f2ac92e356",
			   "cf782b88dd83549aadf1e984");
}

/* Derive-Secret(master, "c ap traffic", hash) with a 32-byte context */
static void application_secrets_from_master_match_rfc8448(void)
{
	CHECK_STR(expand_label(EVP_sha256(), RFC8448_MASTER_SECRET,
			       "c ap traffic", RFC8448_SERVER_FINISHED_HASH,
			       32),
		  RFC8448_CLIENT_AP_SECRET);
	CHECK_STR(expand_label(EVP_sha256(), RFC8448_MASTER_SECRET,
			       "s ap traffic", RFC8448_SERVER_FINISHED_HASH,
			       32),
		  RFC8448_SERVER_AP_SECRET);
}

static void finished_key_matches_rfc8448(void)
{
	CHECK_STR(
		expand_label(EVP_sha256(), RFC8448_SERVER_HS_SECRET, "finished",
			     "", 32),
		"008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8");
}

/* The PSK of the ticket in RFC 8448 section 3 (nonce 00 00), as used in 4 */
static void resumption_psk_with_two_byte_context_matches_rfc8448(void)
{
	CHECK_STR(
		expand_label(EVP_sha256(), RFC8448_RESUMPTION_MASTER,
			     "resumption", "0000", 32),
		"4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3");
}

/* The HkdfLabel bytes RFC 8448 prints ("key info", "iv info", "info") */
static void label_is_encoded_as_the_rfc8448_info_bytes(void)
{
	CHECK_STR(expand_label(EVP_sha256(), RFC8448_CLIENT_AP_SECRET, "key",
			       "", 16),
		  expand_raw(EVP_sha256(), RFC8448_CLIENT_AP_SECRET,
			     "001009746c733133206b657900", 16));
	CHECK_STR(expand_label(EVP_sha256(), RFC8448_CLIENT_AP_SECRET, "iv", "",
			       12),
		  expand_raw(EVP_sha256(), RFC8448_CLIENT_AP_SECRET,
			     "000c08746c73313320697600", 12));
	CHECK_STR(expand_label(EVP_sha256(), RFC8448_MASTER_SECRET,
			       "c ap traffic", RFC8448_SERVER_FINISHED_HASH,
			       32),
		  expand_raw(EVP_sha256(), RFC8448_MASTER_SECRET,
			     "002012746c73313320632061702074726166666963"
			     "20" RFC8448_SERVER_FINISHED_HASH,
			     32));
}

static void aes_256_gcm_sha384_keys_match_openssl_kdf(void)
{
	check_traffic_keys(
		EVP_sha384(), SHA384_SECRET, 32,
		"32f584230ad7bd6ea025e6e6cc16e757358c962ebc8196f5433acae983fb668b",
		"0e7c7d30272bc74a0c9833b2");
	CHECK_STR(expand_label(EVP_sha384(), SHA384_SECRET, "key", "", 32),
		  expand_raw(EVP_sha384(), SHA384_SECRET,
			     "002009746c733133206b657900", 32));
}

static void chacha20_poly1305_keys_match_openssl_kdf(void)
{
	check_traffic_keys(
		EVP_sha256(), RFC8448_CLIENT_AP_SECRET, 32,
		"c8afd24f48952725381a54085e8d8e3856d8d89e3019243b30a9db54809a3732",
		"5b78923dee08579033e523d9");
}

static void label_of_249_bytes_is_the_longest_allowed(void)
{
	uint8_t secret[32] = { 1 }, out[16];
	char label[251];

	memset(label, 'x', sizeof(label) - 1);
	label[249] = '\0';
	CHECK_INT(hkdf_expand_label(EVP_sha256(), secret, sizeof(secret), label,
				    NULL, 0, out, sizeof(out)),
		  0);
	label[249] = 'x';
	label[250] = '\0';
	CHECK_INT(hkdf_expand_label(EVP_sha256(), secret, sizeof(secret), label,
				    NULL, 0, out, sizeof(out)),
		  -EINVAL);
}

static void arguments_rfc8446_forbids_are_refused_and_zero_the_output(void)
{
	uint8_t secret[32] = { 1 }, context[256] = { 0 }, out[16];
	static uint8_t big[255 * 32 + 1];

	memset(out, 0xaa, sizeof(out));
	CHECK_INT(hkdf_expand_label(EVP_sha256(), secret, sizeof(secret), "key",
				    context, 256, out, sizeof(out)),
		  -EINVAL);
	CHECK_STR(tohex(out, sizeof(out)), "00000000000000000000000000000000");
	CHECK_INT(hkdf_expand_label(EVP_sha256(), secret, sizeof(secret), "",
				    NULL, 0, out, sizeof(out)),
		  -EINVAL);
	CHECK_INT(hkdf_expand_label(EVP_sha256(), secret, sizeof(secret), "key",
				    NULL, 1, out, sizeof(out)),
		  -EINVAL);
	CHECK_INT(hkdf_expand_label(EVP_sha256(), secret, 0, "key", NULL, 0,
				    out, sizeof(out)),
		  -EINVAL);
	CHECK_INT(hkdf_expand_label(NULL, secret, sizeof(secret), "key", NULL,
				    0, out, sizeof(out)),
		  -EINVAL);
	CHECK_INT(hkdf_expand_label(EVP_sha256(), secret, sizeof(secret), "key",
				    NULL, 0, out, 0),
		  -EINVAL);
	/* HKDF-Expand gives at most 255 * HashLen bytes */
	CHECK_INT(hkdf_expand_label(EVP_sha256(), secret, sizeof(secret), "key",
				    NULL, 0, big, sizeof(big)),
		  -EINVAL);
	CHECK_INT(hkdf_expand_label(EVP_sha256(), secret, sizeof(secret), "key",
				    NULL, 0, big, sizeof(big) - 1),
		  0);
}

static const struct unit_test tests[] = {
	UNIT_TEST(server_handshake_key_and_iv_match_rfc8448),
	UNIT_TEST(client_handshake_key_and_iv_match_rfc8448),
	UNIT_TEST(client_application_key_and_iv_match_rfc8448),
	UNIT_TEST(server_application_key_and_iv_match_rfc8448),
	UNIT_TEST(application_secrets_from_master_match_rfc8448),
	UNIT_TEST(finished_key_matches_rfc8448),
	UNIT_TEST(resumption_psk_with_two_byte_context_matches_rfc8448),
	UNIT_TEST(label_is_encoded_as_the_rfc8448_info_bytes),
	UNIT_TEST(aes_256_gcm_sha384_keys_match_openssl_kdf),
	UNIT_TEST(chacha20_poly1305_keys_match_openssl_kdf),
	UNIT_TEST(label_of_249_bytes_is_the_longest_allowed),
	UNIT_TEST(arguments_rfc8446_forbids_are_refused_and_zero_the_output),
};

int main(void)
{
	return unit_main("test_hkdf", tests, sizeof(tests) / sizeof(tests[0]));
}
