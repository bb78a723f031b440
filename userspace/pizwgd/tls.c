// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "ktls.h"
#include "tls.h"

/* TLS 1.2: forward-secret AEAD suites only. TLS 1.3's are all AEAD. */
#define TLS12_CIPHERS "ECDHE+AESGCM:ECDHE+CHACHA20"

static int tls_fail(SSL_CTX *ctx, const char *what, const char *path,
		    char *err, size_t errlen)
{
	unsigned long e = ERR_get_error();

	snprintf(err, errlen, "%s%s%s: %s", path ? path : "", path ? ": " : "",
		 what, e ? ERR_reason_error_string(e) : "failed");
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return -1;
}

int tls_ctx_new(const struct pizwg_tls_config *c, SSL_CTX **out, char *err,
		size_t errlen)
{
	STACK_OF(X509_NAME) *names;
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx)
		return tls_fail(NULL, "cannot create a TLS context", NULL, err,
				errlen);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
				 SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* No post-handshake NewSessionTicket records to get in the way. */
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* kTLS RX for TLS 1.3 needs every record still in the socket. */
	SSL_CTX_set_read_ahead(ctx, 0);
	if (c->ktls == CONF_KTLS_AUTO) {
		SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
		if (ktls_keylog_enable(ctx))
			return tls_fail(ctx, "keylog callback", NULL, err,
					errlen);
	}
	if (!SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS))
		return tls_fail(ctx, "cipher list", NULL, err, errlen);
	if (SSL_CTX_use_certificate_chain_file(ctx, c->cert) != 1)
		return tls_fail(ctx, "cannot load certificate", c->cert, err,
				errlen);
	if (SSL_CTX_use_PrivateKey_file(ctx, c->key, SSL_FILETYPE_PEM) != 1)
		return tls_fail(ctx, "cannot load private key", c->key, err,
				errlen);
	if (SSL_CTX_check_private_key(ctx) != 1)
		return tls_fail(ctx, "key does not match the certificate",
				c->key, err, errlen);
	if (SSL_CTX_load_verify_locations(ctx, c->ca, NULL) != 1)
		return tls_fail(ctx, "cannot load trusted client certificates",
				c->ca, err, errlen);
	names = SSL_load_client_CA_file(c->ca);
	if (!names)
		return tls_fail(ctx, "no certificate in the CA bundle", c->ca,
				err, errlen);
	SSL_CTX_set_client_CA_list(ctx, names);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
			   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	*out = ctx;
	return 0;
}

void tls_error_reason(SSL *ssl, char *buf, size_t len)
{
	unsigned long e = ERR_peek_error();
	long v = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;

	if (v != X509_V_OK)
		snprintf(buf, len, "client certificate: %s",
			 X509_verify_cert_error_string(v));
	else if (e)
		snprintf(buf, len, "%s", ERR_reason_error_string(e) ?: "TLS error");
	else
		snprintf(buf, len, "connection closed");
	ERR_clear_error();
}

void tls_cert_identity(X509 *cert, char *subject, size_t subject_len,
		       char *serial, size_t serial_len)
{
	unsigned long flags = XN_FLAG_RFC2253 | ASN1_STRFLGS_ESC_MSB;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	BIO *bio = NULL;
	int n;

	snprintf(subject, subject_len, "?");
	snprintf(serial, serial_len, "?");
	if (!cert)
		return;
	bio = BIO_new(BIO_s_mem());
	if (bio && X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
				      flags) >= 0) {
		n = BIO_read(bio, subject, subject_len > 1 ? subject_len - 1 : 0);
		if (n > 0)
			subject[n] = '\0';
	}
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	if (bn)
		hex = BN_bn2hex(bn);
	if (hex)
		snprintf(serial, serial_len, "%s", hex);
	OPENSSL_free(hex);
	BN_free(bn);
	BIO_free(bio);
	ERR_clear_error();
}
