// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel TLS receive for TLS 1.3: key log capture, TLS_RX installation and
 * record-type aware reads. See ktls.h for the sequence.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "errbuf.h"
#include "hkdf.h"
#include "ktls.h"

#define KTLS_LABEL "CLIENT_TRAFFIC_SECRET_0"
#define KTLS_RANDOM_LEN 32 /* SSL3_RANDOM_SIZE */
#define KTLS_ULP_NAME_MAX 16 /* the kernel's TCP_ULP_NAME_MAX */

/* TLS 1.3 suites (RFC 8446 appendix B.4) */
#define TLS13_AES_128_GCM_SHA256 0x1301
#define TLS13_AES_256_GCM_SHA384 0x1302
#define TLS13_CHACHA20_POLY1305_SHA256 0x1303

/* HandshakeType (RFC 8446 section 4) */
#define TLS13_HS_NEW_SESSION_TICKET 4
#define TLS13_HS_KEY_UPDATE 24
#define TLS13_ALERT_CLOSE_NOTIFY 0

/* The SSL ex_data slot of the attached struct ktls_secret; -1: none yet. */
static int ktls_ex_index = -1;

static int ktls_ex_index_get(void)
{
	if (ktls_ex_index < 0)
		ktls_ex_index = SSL_get_ex_new_index(0, "pizwg ktls secret",
						     NULL, NULL, NULL);
	return ktls_ex_index;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes exactly len bytes of hex from *p, advancing it. */
static int hex_decode(const char **p, uint8_t *out, size_t len)
{
	const char *s = *p;
	size_t i;

	for (i = 0; i < len; i++) {
		int hi = hex_nibble(s[2 * i]);
		int lo = hi < 0 ? -1 : hex_nibble(s[2 * i + 1]);

		if (lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
	}
	*p = s + 2 * len;
	return 0;
}

int ktls_keylog_parse(const char *line, const uint8_t client_random[32],
		      struct ktls_secret *s)
{
	uint8_t random[KTLS_RANDOM_LEN];
	const char *p = line;
	size_t hex_len;

	if (strncmp(p, KTLS_LABEL " ", sizeof(KTLS_LABEL)))
		return -ENOENT;
	p += sizeof(KTLS_LABEL);
	if (hex_decode(&p, random, sizeof(random)) || *p++ != ' ')
		return -EINVAL;
	if (memcmp(random, client_random, sizeof(random)))
		return -ENOENT;
	hex_len = strlen(p);
	if (hex_len == 0 || hex_len % 2 || hex_len / 2 > KTLS_SECRET_MAX)
		return -EINVAL;
	if (hex_decode(&p, s->secret, hex_len / 2)) {
		ktls_secret_wipe(s);
		return -EINVAL;
	}
	s->len = hex_len / 2;
	return 0;
}

static void ktls_keylog_cb(const SSL *ssl, const char *line)
{
	uint8_t random[KTLS_RANDOM_LEN];
	struct ktls_secret *s;

	s = SSL_get_ex_data(ssl, ktls_ex_index);
	if (!s || SSL_get_client_random(ssl, random, sizeof(random)) !=
			  sizeof(random))
		return;
	ktls_keylog_parse(line, random, s);
}

int ktls_keylog_enable(SSL_CTX *ctx)
{
	if (ktls_ex_index_get() < 0)
		return -ENOMEM;
	SSL_CTX_set_keylog_callback(ctx, ktls_keylog_cb);
	return 0;
}

int ktls_secret_attach(SSL *ssl, struct ktls_secret *s)
{
	if (ktls_ex_index_get() < 0)
		return -ENOMEM;
	if (s) {
		ktls_secret_wipe(s);
		s->rx = s->rx_zero_copy = false;
	}
	return SSL_set_ex_data(ssl, ktls_ex_index, s) == 1 ? 0 : -ENOMEM;
}

int ktls_secret_move(SSL *ssl, struct ktls_secret *to,
		     struct ktls_secret *from)
{
	if (ktls_ex_index_get() < 0 ||
	    SSL_set_ex_data(ssl, ktls_ex_index, to) != 1)
		return -ENOMEM;
	*to = *from;
	ktls_secret_wipe(from);
	return 0;
}

void ktls_secret_wipe(struct ktls_secret *s)
{
	OPENSSL_cleanse(s->secret, sizeof(s->secret));
	s->len = 0;
}

int ktls_status(SSL *ssl, bool *tx, bool *rx)
{
	struct ktls_secret *s = NULL;
	BIO *bio;

	*tx = false;
	*rx = false;
	if (!ssl)
		return -EINVAL;
#ifndef OPENSSL_NO_KTLS
	bio = SSL_get_wbio(ssl);
	*tx = bio && BIO_get_ktls_send(bio);
	bio = SSL_get_rbio(ssl);
	*rx = bio && BIO_get_ktls_recv(bio);
#else
	(void)bio;
#endif
	if (ktls_ex_index >= 0)
		s = SSL_get_ex_data(ssl, ktls_ex_index);
	if (s && s->rx)
		*rx = true;
	return 0;
}

/*
 * For TLS 1.3 the kernel builds the nonce as salt || iv, then XORs in the
 * record sequence (RFC 8446 section 5.3): for AES-GCM the 12-byte write IV
 * splits into a 4-byte salt and an 8-byte iv; ChaCha20-Poly1305 takes it
 * whole as iv and has no salt.
 */
int ktls_tls13_crypto_info(uint16_t suite, const uint8_t *secret,
			   size_t secret_len, union ktls_crypto_info *ci,
			   socklen_t *ci_len, char *err, size_t errlen)
{
	uint8_t key[TLS_CIPHER_AES_GCM_256_KEY_SIZE];
	uint8_t iv[TLS13_IV_LEN];
	const char *name;
	const EVP_MD *md;
	size_t key_len;
	int ret;

	switch (suite) {
	case TLS13_AES_128_GCM_SHA256:
		name = "TLS_AES_128_GCM_SHA256";
		md = EVP_sha256();
		key_len = TLS_CIPHER_AES_GCM_128_KEY_SIZE;
		break;
	case TLS13_AES_256_GCM_SHA384:
		name = "TLS_AES_256_GCM_SHA384";
		md = EVP_sha384();
		key_len = TLS_CIPHER_AES_GCM_256_KEY_SIZE;
		break;
	case TLS13_CHACHA20_POLY1305_SHA256:
		name = "TLS_CHACHA20_POLY1305_SHA256";
		md = EVP_sha256();
		key_len = TLS_CIPHER_CHACHA20_POLY1305_KEY_SIZE;
		break;
	default:
		errbuf_set(
			err, errlen,
			"cipher suite 0x%04x has no kernel TLS 1.3 receive path here",
			suite);
		return -EPROTONOSUPPORT;
	}
	if (secret_len != (size_t)EVP_MD_get_size(md)) {
		errbuf_set(err, errlen,
			   "%s needs a %d-byte traffic secret, got %zu bytes",
			   name, EVP_MD_get_size(md), secret_len);
		return -EINVAL;
	}
	ret = tls13_traffic_keys(md, secret, secret_len, key, key_len, iv);
	if (ret) {
		errbuf_set(err, errlen, "%s: deriving the traffic keys failed",
			   name);
		return ret;
	}

	memset(ci, 0, sizeof(*ci));
	ci->info.version = TLS_1_3_VERSION;
	switch (suite) {
	case TLS13_AES_128_GCM_SHA256:
		ci->info.cipher_type = TLS_CIPHER_AES_GCM_128;
		memcpy(ci->aes_gcm_128.key, key, key_len);
		memcpy(ci->aes_gcm_128.salt, iv, 4);
		memcpy(ci->aes_gcm_128.iv, iv + 4, 8);
		*ci_len = sizeof(ci->aes_gcm_128);
		break;
	case TLS13_AES_256_GCM_SHA384:
		ci->info.cipher_type = TLS_CIPHER_AES_GCM_256;
		memcpy(ci->aes_gcm_256.key, key, key_len);
		memcpy(ci->aes_gcm_256.salt, iv, 4);
		memcpy(ci->aes_gcm_256.iv, iv + 4, 8);
		*ci_len = sizeof(ci->aes_gcm_256);
		break;
	case TLS13_CHACHA20_POLY1305_SHA256:
		ci->info.cipher_type = TLS_CIPHER_CHACHA20_POLY1305;
		memcpy(ci->chacha20_poly1305.key, key, key_len);
		memcpy(ci->chacha20_poly1305.iv, iv, TLS13_IV_LEN);
		*ci_len = sizeof(ci->chacha20_poly1305);
		break;
	}
	/* rec_seq stays 0: the first record under a fresh traffic secret */
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(iv, sizeof(iv));
	return 0;
}

/*
 * Nothing of the client's records may sit in OpenSSL: the kernel would
 * decrypt from the wrong sequence number and never deliver those bytes.
 */
static int ktls_check_unbuffered(SSL *ssl, char *err, size_t errlen)
{
	int pending;

	if (SSL_get_read_ahead(ssl)) {
		errbuf_set(
			err, errlen,
			"read-ahead is on: OpenSSL may hold records the kernel would never see");
		return -EBUSY;
	}
	pending = SSL_pending(ssl);
	if (pending > 0 || SSL_has_pending(ssl)) {
		errbuf_set(
			err, errlen,
			"OpenSSL already holds client data (%d bytes decrypted%s); the kernel would never see it",
			pending,
			SSL_has_pending(ssl) && !pending ?
				", record bytes unprocessed" :
				"");
		return -EBUSY;
	}
	return 0;
}

/* Makes sure fd carries the "tls" ULP, attaching it when OpenSSL did not. */
static int ktls_attach_ulp(int fd, char *err, size_t errlen)
{
	char name[KTLS_ULP_NAME_MAX + 1] = "";
	socklen_t len = KTLS_ULP_NAME_MAX;
	int ret;

	if (getsockopt(fd, IPPROTO_TCP, TCP_ULP, name, &len)) {
		ret = -errno;
		errbuf_set(err, errlen, "not a TCP socket (TCP_ULP: %s)",
			   strerror(-ret));
		return ret;
	}
	name[len < KTLS_ULP_NAME_MAX ? len : KTLS_ULP_NAME_MAX] = '\0';
	if (!strcmp(name, "tls"))
		return 0;
	if (name[0]) {
		errbuf_set(err, errlen, "the socket carries the ULP \"%s\"",
			   name);
		return -EEXIST;
	}
	if (!setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		return 0;
	ret = -errno;
	if (ret == -ENOENT)
		errbuf_set(
			err, errlen,
			"the kernel has no \"tls\" module (TCP_ULP \"tls\": %s)",
			strerror(-ret));
	else
		errbuf_set(err, errlen, "TCP_ULP \"tls\": %s", strerror(-ret));
	return ret;
}

int ktls_install_tls13_rx(SSL *ssl, int fd, struct ktls_secret *s, char *err,
			  size_t errlen)
{
	union ktls_crypto_info ci;
	const SSL_CIPHER *cipher;
	socklen_t ci_len = 0;
	unsigned int one = 1;
	int ret;

	errbuf_set(err, errlen, "%s", "");
	if (SSL_version(ssl) != TLS1_3_VERSION) {
		errbuf_set(err, errlen,
			   "%s: only TLS 1.3 receive is installed here",
			   SSL_get_version(ssl));
		ret = -EPROTONOSUPPORT;
		goto out;
	}
	cipher = SSL_get_current_cipher(ssl);
	if (!cipher) {
		errbuf_set(err, errlen, "no cipher suite negotiated");
		ret = -EPROTONOSUPPORT;
		goto out;
	}
	if (!s->len) {
		errbuf_set(
			err, errlen,
			"no client traffic secret captured for this connection");
		ret = -ENOKEY;
		goto out;
	}
	ret = ktls_check_unbuffered(ssl, err, errlen);
	if (ret)
		goto out;
	ret = ktls_tls13_crypto_info(SSL_CIPHER_get_protocol_id(cipher),
				     s->secret, s->len, &ci, &ci_len, err,
				     errlen);
	if (ret)
		goto out;
	ret = ktls_attach_ulp(fd, err, errlen);
	if (ret)
		goto out;
	if (setsockopt(fd, SOL_TLS, TLS_RX, &ci, ci_len)) {
		ret = -errno;
		errbuf_set(err, errlen, "setsockopt TLS_RX (%s): %s",
			   SSL_CIPHER_get_name(cipher), strerror(-ret));
		goto out;
	}
	s->rx = true;
	/*
	 * Decrypt straight into the caller's buffer (Linux >= 6.0; without it
	 * TLS 1.3 records go through a kernel buffer and a copy). The kernel
	 * decrypts a record again, into its own buffer, if it was padded or
	 * not data, so a peer that pads costs two decryptions of those records
	 * but loses nothing. The kernel's documentation calls it safe only
	 * with a trusted peer for that reason: pizwgd's peer has passed mutual
	 * authentication by now. Older kernels refuse the option (ENOPROTOOPT):
	 * they stay on the copying path.
	 */
	s->rx_zero_copy = !setsockopt(fd, SOL_TLS, TLS_RX_EXPECT_NO_PAD, &one,
				      sizeof(one));
out:
	OPENSSL_cleanse(&ci, sizeof(ci));
	ktls_secret_wipe(s);
	return ret;
}

ssize_t ktls_recv(int fd, void *buf, size_t len, uint8_t *record_type,
		  int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint8_t))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	*record_type = 0;
	n = recvmsg(fd, &msg, flags);
	if (n < 0)
		return -errno;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level == SOL_TLS &&
		    cmsg->cmsg_type == TLS_GET_RECORD_TYPE)
			*record_type = *(uint8_t *)CMSG_DATA(cmsg);
	}
	/*
	 * With TLS_RX the kernel labels every read that returns a record.
	 * Bytes without a label came straight from TCP: ciphertext, which must
	 * never be taken for plaintext.
	 */
	if (n > 0 && !*record_type)
		return -EPROTO;
	return n;
}

static enum ktls_verdict ktls_alert_verdict(const uint8_t *data, size_t len,
					    char *msg, size_t msglen)
{
	int value;

	if (len != 2) {
		errbuf_set(msg, msglen,
			   "client sent a malformed alert (%zu bytes)", len);
		return KTLS_ALERT;
	}
	if (data[1] == TLS13_ALERT_CLOSE_NOTIFY) {
		errbuf_set(msg, msglen,
			   "client closed the session (close_notify)");
		return KTLS_CLOSE_NOTIFY;
	}
	value = data[0] << 8 | data[1];
	errbuf_set(msg, msglen, "client sent alert %s: %s (%u)",
		   SSL_alert_type_string_long(value),
		   SSL_alert_desc_string_long(value), data[1]);
	return KTLS_ALERT;
}

enum ktls_verdict ktls_record_verdict(uint8_t record_type, const uint8_t *data,
				      size_t len, char *msg, size_t msglen)
{
	errbuf_set(msg, msglen, "%s", "");
	switch (record_type) {
	case KTLS_RECORD_DATA:
		return KTLS_DATA;
	case KTLS_RECORD_ALERT:
		return ktls_alert_verdict(data, len, msg, msglen);
	case KTLS_RECORD_HANDSHAKE:
		if (len >= 1 && data[0] == TLS13_HS_KEY_UPDATE) {
			errbuf_set(
				msg, msglen,
				"client sent KeyUpdate: kernel TLS cannot re-key the receive side on this kernel, ending the session");
			return KTLS_KEY_UPDATE;
		}
		if (len >= 1 && data[0] == TLS13_HS_NEW_SESSION_TICKET) {
			errbuf_set(
				msg, msglen,
				"client sent NewSessionTicket, which only a server may send; ending the session");
			return KTLS_UNEXPECTED;
		}
		if (len >= 1)
			errbuf_set(
				msg, msglen,
				"client sent post-handshake message type %u, which kernel TLS cannot process; ending the session",
				data[0]);
		else
			errbuf_set(
				msg, msglen,
				"client sent an empty handshake record; ending the session");
		return KTLS_UNEXPECTED;
	default:
		errbuf_set(
			msg, msglen,
			"client sent a record of unexpected type %u; ending the session",
			record_type);
		return KTLS_UNEXPECTED;
	}
}

void ktls_preload(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	/* ENOTCONN once the module is in; ENOENT without one */
	(void)!setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls"));
	close(fd);
}
