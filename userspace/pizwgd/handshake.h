/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Handshakes: the connections of a gateway's listener until one of them
 * completes mutual authentication and gets the stick (session.c).
 *
 * While no client holds the stick, up to HS_MAX handshakes run at once, at
 * most HS_PER_SOURCE of them from one address. A connection must send its
 * first byte within HS_FIRST_BYTE_MS and finish within HS_DEADLINE_MS. When
 * every slot is taken, a newcomer evicts the oldest handshake of the address
 * that holds the most: idle or trickling connections from a few addresses
 * cannot keep a real client out (among equals, the one that got least far
 * goes first). The first to finish gets the stick; every
 * other handshake is then dropped, and while the session lasts every new
 * connection is refused at once ("busy") without disturbing it.
 *
 * Refusals are counted per reason in the metrics and logged at most once per
 * HS_LOG_MS and reason, with the number left unsaid since the last line, so
 * that a flood of connections cannot flood the journal.
 */
#ifndef PIZWGD_HANDSHAKE_H
#define PIZWGD_HANDSHAKE_H

#include <stdbool.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "ktls.h"
#include "loop.h"

#define HS_MAX 16
#define HS_PER_SOURCE 4
#define HS_FIRST_BYTE_MS 2000
#define HS_DEADLINE_MS 5000
#define HS_LOG_MS 10000
/* connections taken from the listener per wake-up */
#define HS_ACCEPT_BATCH 16
/* the listener's rest when accept() fails for want of descriptors */
#define HS_ACCEPT_PAUSE_MS 100

struct gateway;

struct handshake {
	struct gateway *gw;
	bool active;
	bool heard;		/* the handshake has read a byte of the client's */
	int fd;
	uint32_t addr;		/* the client's IPv4 address, network order */
	uint64_t started;	/* ms, CLOCK_MONOTONIC */
	SSL *ssl;
	struct ktls_secret secret;
	struct watch w;
	char peer[64];		/* "ADDR:PORT" */
};

/* The listener's callback: takes the waiting connections. */
void handshake_accept(struct watch *w, uint32_t events);
/* The deadlines (gateway's hs_timer). */
void handshake_timer(struct timer *t);
/* The end of an accept() pause (gateway's accept_timer). */
void handshake_accept_resume(struct timer *t);
/* Drops every handshake without counting (the listener closes). */
void handshake_close_all(struct gateway *gw);

#endif
