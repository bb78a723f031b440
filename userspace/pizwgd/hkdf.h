/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TLS 1.3 key schedule pieces pizwgd needs to hand a traffic secret to
 * the kernel (RFC 8446 section 7.1 and 7.3), over OpenSSL's HKDF in
 * EXPAND_ONLY mode. Pure functions: no state, no I/O, nothing logged.
 *
 *   HKDF-Expand-Label(Secret, Label, Context, Length) =
 *       HKDF-Expand(Secret, HkdfLabel, Length)
 *
 *   struct {
 *       uint16 length = Length;
 *       opaque label<7..255> = "tls13 " + Label;
 *       opaque context<0..255> = Context;
 *   } HkdfLabel;
 *
 *   [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
 *   [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
 *
 * Both return 0 on success or a negative errno: -EINVAL for arguments RFC
 * 8446 does not allow (a label longer than 249 bytes, a context longer than
 * 255, an output longer than 65535 or than HKDF-Expand can give, a NULL
 * pointer with a non-zero length), -EIO when OpenSSL fails. On failure the
 * output buffer is zeroed.
 */
#ifndef PIZWG_HKDF_H
#define PIZWG_HKDF_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

/* Every TLS 1.3 AEAD has a 12-byte nonce (RFC 8446 section 5.3). */
#define TLS13_IV_LEN 12

int hkdf_expand_label(const EVP_MD *md, const uint8_t *secret,
		      size_t secret_len, const char *label,
		      const uint8_t *context, size_t context_len, uint8_t *out,
		      size_t out_len);

/* key = HKDF-Expand-Label(secret, "key", "", key_len), iv = ... "iv" ... 12 */
int tls13_traffic_keys(const EVP_MD *md, const uint8_t *secret,
		       size_t secret_len, uint8_t *key, size_t key_len,
		       uint8_t iv[TLS13_IV_LEN]);

#endif /* PIZWG_HKDF_H */
