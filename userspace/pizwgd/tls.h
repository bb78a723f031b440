/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The TLS server side of a gateway: TLS 1.3 and 1.2 with AEAD suites only,
 * a client certificate required and verified against the configured CA
 * bundle (CA certificates and/or pinned self-signed client certificates),
 * no session tickets, and kernel TLS offload when asked for.
 */
#ifndef PIZWGD_TLS_H
#define PIZWGD_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/ssl.h>

#include "config.h"

int tls_ctx_new(const struct pizwg_tls_config *c, SSL_CTX **ctx, char *err,
		size_t errlen);

/* The first queued OpenSSL error (or the peer certificate's verify result). */
void tls_error_reason(SSL *ssl, char *buf, size_t len);

/*
 * Who a certificate names, for logs and metrics: its subject as RFC 2253
 * text (control and non-ASCII bytes escaped as \XX, so the text is safe on
 * one log line) and its serial number in hex. "?" where it has none or
 * OpenSSL cannot say; both truncated to their buffers.
 */
void tls_cert_identity(X509 *cert, char *subject, size_t subject_len,
		       char *serial, size_t serial_len);

#endif
