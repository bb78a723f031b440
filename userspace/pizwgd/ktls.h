/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel TLS for the relay's data path.
 *
 * With SSL_OP_ENABLE_KTLS, OpenSSL 3.0 hands the socket's transmit side to
 * the kernel (TLS 1.2 and 1.3) and its receive side for TLS 1.2 only. For
 * TLS 1.3 this module installs TLS_RX itself, right after the handshake:
 *
 *   1. ktls_keylog_enable(ctx) once per SSL_CTX (it takes the context's
 *      keylog callback), ktls_secret_attach(ssl, &s) per connection before
 *      the handshake. During the handshake the callback copies the
 *      CLIENT_TRAFFIC_SECRET_0 of that connection into s; nothing else of
 *      the key log is kept and nothing of it is ever logged.
 *   2. After SSL_accept() succeeded, ktls_install_tls13_rx(ssl, fd, &s, ...)
 *      checks that the suite is one the kernel can take and that OpenSSL
 *      holds no bytes of the client's records, derives key and IV (RFC 8446
 *      section 7.3), attaches the "tls" ULP if OpenSSL did not (no kTLS TX)
 *      and sets TLS_RX with record sequence 0, then TLS_RX_EXPECT_NO_PAD
 *      where the kernel has it (zero-copy decryption). The secret in s
 *      is wiped whether it succeeds or not: it is needed exactly once.
 *      On failure the connection is untouched apart from, possibly, the
 *      "tls" ULP attached with nothing configured (plain pass-through), so
 *      the caller can go on in userspace TLS with SSL_read().
 *   3. From then on the caller never calls SSL_read() again: it reads
 *      plaintext with ktls_recv() and passes every record that is not
 *      application data to ktls_record_verdict(). SSL_write() and
 *      SSL_shutdown() still work (through kTLS TX when OpenSSL enabled it).
 *
 * Return values: 0 (or a byte count) on success, a negative errno on
 * failure. Error strings name the reason, never key material. The SSL
 * ex_data index is made on first use: call from one thread (pizwgd's loop).
 */
#ifndef PIZWG_KTLS_H
#define PIZWG_KTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <linux/tls.h>
#include <openssl/ssl.h>

/* The longest TLS 1.3 traffic secret: SHA-384. */
#define KTLS_SECRET_MAX 48
/* TLS ContentType values (RFC 8446 section 5.1) seen in TLS_GET_RECORD_TYPE */
#define KTLS_RECORD_ALERT 21
#define KTLS_RECORD_HANDSHAKE 22
#define KTLS_RECORD_DATA 23

/* Room for the error strings of this module. */
#define KTLS_ERR_MAX 256

struct ktls_secret {
	uint8_t secret[KTLS_SECRET_MAX];
	size_t len; /* 0 until the handshake produced the secret */
	bool rx; /* TLS_RX installed by ktls_install_tls13_rx() */
	/* and TLS_RX_EXPECT_NO_PAD: records decrypted into the caller's buffer */
	bool rx_zero_copy;
};

/* Any of the crypto_info structs TLS_RX takes. */
union ktls_crypto_info {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 aes_gcm_128;
	struct tls12_crypto_info_aes_gcm_256 aes_gcm_256;
	struct tls12_crypto_info_chacha20_poly1305 chacha20_poly1305;
};

/*
 * Sets ctx's keylog callback to the capture of CLIENT_TRAFFIC_SECRET_0
 * (replacing any other). -ENOMEM if OpenSSL has no ex_data index left.
 */
int ktls_keylog_enable(SSL_CTX *ctx);

/*
 * Makes ssl's handshake deposit its client application traffic secret in s
 * (zeroed here), which must outlive the handshake; NULL detaches.
 */
int ktls_secret_attach(SSL *ssl, struct ktls_secret *s);

/*
 * Stores into s the secret of a key log line "CLIENT_TRAFFIC_SECRET_0
 * <client_random hex> <secret hex>" whose client random is client_random.
 * -ENOENT for any other label or client random, -EINVAL for a malformed
 * line. The callback of ktls_keylog_enable() is this on SSL_get_client_random.
 */
int ktls_keylog_parse(const char *line, const uint8_t client_random[32],
		      struct ktls_secret *s);

/*
 * Moves what @from holds to @to, wipes @from, and attaches @to to @ssl in
 * its place. -ENOMEM if OpenSSL cannot record it (nothing moved then).
 */
int ktls_secret_move(SSL *ssl, struct ktls_secret *to,
		     struct ktls_secret *from);

/* Zeroes the secret (OPENSSL_cleanse) and its length; keeps s->rx. */
void ktls_secret_wipe(struct ktls_secret *s);

/*
 * Whether the kernel encrypts what ssl sends (OpenSSL's kTLS TX) and
 * decrypts what it receives (OpenSSL's kTLS RX for TLS 1.2, or the TLS 1.3
 * RX installed by this module on the attached secret).
 */
int ktls_status(SSL *ssl, bool *tx, bool *rx);

/*
 * Fills ci for TLS_RX of TLS 1.3 from a traffic secret and the suite's IANA
 * id (SSL_CIPHER_get_protocol_id()), record sequence 0, and sets *ci_len to
 * the size setsockopt() wants. -EPROTONOSUPPORT for a suite other than
 * TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 and
 * TLS_CHACHA20_POLY1305_SHA256; -EINVAL for a secret of the wrong length.
 * ci holds key material: OPENSSL_cleanse() it after use.
 */
int ktls_tls13_crypto_info(uint16_t suite, const uint8_t *secret,
			   size_t secret_len, union ktls_crypto_info *ci,
			   socklen_t *ci_len, char *err, size_t errlen);

/*
 * Has the kernel load its "tls" module now, if it can (CAP_NET_ADMIN): a
 * TCP_ULP "tls" on an unconnected socket loads it, then fails. Loading it
 * takes seconds on a slow machine; better at start than inside the first
 * session. Nothing is reported: the first session says what it gets.
 */
void ktls_preload(void);

/*
 * Installs TLS_RX on fd, the socket under ssl, from s (see above). err gets
 * one line naming the reason on failure. Errors:
 *   -EPROTONOSUPPORT  not TLS 1.3, or a suite the kernel path does not take
 *   -ENOKEY           no secret captured for this connection
 *   -EBUSY            OpenSSL buffered record bytes (read-ahead, pending data)
 *   -ENOENT           the kernel has no "tls" module (TCP_ULP)
 *   -EEXIST           the socket carries another ULP
 *   other             setsockopt()'s errno
 */
int ktls_install_tls13_rx(SSL *ssl, int fd, struct ktls_secret *s, char *err,
			  size_t errlen);

/*
 * recvmsg() on a socket with TLS_RX: plaintext into buf, the record's content
 * type into *record_type (KTLS_RECORD_*). Data records may be merged; any
 * other record comes alone, as its content (an alert is 2 bytes: level,
 * description). Returns the byte count, 0 at end of stream (*record_type
 * 0), or a negative errno: -EAGAIN, -EBADMSG for a record that fails
 * authentication (as every record after a KeyUpdate does), -EIO for a
 * non-data record that did not fit, -EPROTO for bytes that came without a
 * record type (TLS_RX is not installed: they are ciphertext), ... flags as
 * for recvmsg (MSG_DONTWAIT).
 */
ssize_t ktls_recv(int fd, void *buf, size_t len, uint8_t *record_type,
		  int flags);

enum ktls_verdict {
	KTLS_DATA, /* application data: forward it */
	KTLS_CLOSE_NOTIFY, /* the client closed the session cleanly */
	KTLS_ALERT, /* any other alert: the session ends */
	KTLS_KEY_UPDATE, /* the kernel cannot re-key RX: session ends */
	KTLS_UNEXPECTED, /* other handshake or record type: session ends */
};

/*
 * What a record read by ktls_recv() means for the session. For everything
 * but KTLS_DATA, msg gets one line for the log, e.g. "client sent alert
 * fatal: bad record mac" or "client sent KeyUpdate: kernel TLS cannot
 * re-key the receive side on this kernel, ending the session".
 */
enum ktls_verdict ktls_record_verdict(uint8_t record_type, const uint8_t *data,
				      size_t len, char *msg, size_t msglen);

#endif /* PIZWG_KTLS_H */
