/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one client session of a gateway, once its handshake is done
 * (handshake.c): kernel TLS set-up, and the relay between the stick's tty
 * and the client, in order and without loss, with back-pressure in both
 * directions.
 */
#ifndef PIZWGD_SESSION_H
#define PIZWGD_SESSION_H

#include "gateway.h"

/*
 * Gives the stick to the client of the non-blocking @fd from @peer
 * ("ADDR:PORT"), whose handshake on @ssl is complete; @secret (the TLS 1.3
 * traffic secret the handshake captured) moves into the session. 0, or
 * -ENOMEM with nothing taken over.
 */
int session_start(struct gateway *gw, int fd, SSL *ssl, const char *peer,
		  struct ktls_secret *secret);
/* TCP_NODELAY, user timeout and keepalive, for every accepted socket. */
void session_tune_socket(struct gateway *gw, int fd);
/* Ends the session: logs @reason, then the gateway fences and acts. */
void session_end(struct gateway *gw, enum metrics_fence_cause cause,
		 const char *reason);
/* Drops the connection and the handshakes, without further ado (fencing). */
void session_close(struct gateway *gw);

/* Loop callbacks. */
void session_tty_ready(struct watch *w, uint32_t events);
void session_timer(struct timer *t);

/* gateway.c: fence, then the configured on_session_end action. */
void gateway_session_ended(struct gateway *gw, enum metrics_fence_cause cause,
			   const char *reason);

#endif
