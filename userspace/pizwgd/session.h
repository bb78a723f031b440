/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one client session of a gateway: the TLS handshake (10 s deadline),
 * kernel TLS set-up, and the relay between the stick's tty and the client,
 * in order and without loss, with back-pressure in both directions.
 */
#ifndef PIZWGD_SESSION_H
#define PIZWGD_SESSION_H

#include "gateway.h"

#define SESSION_HANDSHAKE_MS 10000

/* Takes over the accepted, non-blocking @fd from @peer ("ADDR:PORT"). */
void session_open(struct gateway *gw, int fd, const char *peer);
/* Ends the session: logs @reason, then the gateway fences and acts. */
void session_end(struct gateway *gw, enum metrics_fence_cause cause,
		 const char *reason);
/* Drops the connection, if any, without further ado (used by fencing). */
void session_close(struct gateway *gw);

/* Loop callbacks. */
void session_tty_ready(struct watch *w, uint32_t events);
void session_timer(struct timer *t);

/* gateway.c: fence, then the configured on_session_end action. */
void gateway_session_ended(struct gateway *gw, enum metrics_fence_cause cause,
			   const char *reason);

#endif
