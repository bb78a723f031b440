/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A gateway: one stick behind one hub port, served to one TLS client.
 *
 *   STARTING --power on--> ENUMERATING --tty added, matches--> SERVING
 *      ^                        |  timeout or mismatch             |
 *      |                        v                                  |
 *      +---- timer ------- BACKOFF (port off)                      |
 *      |                                                           |
 *      +---- restart / exec done --- FENCED <-- session end -------+
 *
 * SERVING listens; the first client to complete a mutually authenticated
 * handshake gets the stick, every other connection is refused at once. A
 * session ends on client close, TLS error, inactivity, tty error, or the
 * stick vanishing; the gateway then fences (stops serving, switches the
 * port off and waits for the module to confirm) and runs the configured
 * action. An enumeration failure fences too, but only backs off: it never
 * runs the action, so a broken stick cannot cause a reboot loop.
 */
#ifndef PIZWGD_GATEWAY_H
#define PIZWGD_GATEWAY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <openssl/ssl.h>

#include "config.h"
#include "ktls.h"
#include "loop.h"
#include "metrics.h"
#include "pizwg_genl.h"
#include "power.h"

enum gw_state {
	GW_STARTING,
	GW_ENUMERATING,
	GW_SERVING,
	GW_BACKOFF,
	GW_EXEC,	/* fenced; the on_session_end program runs */
	GW_STOPPED,
};

struct session {
	bool active;
	bool established;	/* handshake done, relaying */
	int fd;
	struct watch w;
	SSL *ssl;
	struct ktls_secret secret;
	bool rx_kernel;		/* TLS_RX installed: read plaintext ourselves */
	char peer[64];		/* "ADDR:PORT" */
	struct timer timer;	/* handshake deadline, then inactivity */
	uint64_t last_activity;	/* ms, CLOCK_MONOTONIC */
	int ssl_write_wants;	/* EPOLLIN/EPOLLOUT a blocked SSL_write waits for */
	int ssl_read_wants;
	uint8_t up[4096];	/* stick -> client */
	size_t up_len, up_off;
	uint8_t down[16640];	/* client -> stick: one TLS record fits */
	size_t down_len, down_off;
};

struct gateway {
	const struct pizwg_gateway_config *cfg;
	struct loop *loop;
	struct power *power;
	SSL_CTX *ssl_ctx;
	enum gw_state state;
	struct timer timer;	/* enumeration deadline, back-off */
	unsigned int backoff_s;
	bool ktls_fallback_logged;

	char tty[PIZWG_NAME_MAX];
	int tty_fd;
	struct watch tty_w;
	int listen_fd;
	struct watch listen_w;
	struct session s;
	pid_t exec_pid;

	struct gw_metrics m;
	uint64_t enumeration_started;	/* ms, CLOCK_MONOTONIC */
	/* Called after every change worth a fresh metrics file. */
	void (*changed)(struct gateway *gw);
};

int gateway_init(struct gateway *gw, const struct pizwg_gateway_config *cfg,
		 struct loop *loop, struct power *power);
void gateway_start(struct gateway *gw);
/* SIGTERM: stop serving and switch the stick off; no session-end action. */
void gateway_stop(struct gateway *gw);
void gateway_exit(struct gateway *gw);

void gateway_event(struct gateway *gw, const struct pizwg_event *ev);
/* Tells the metrics writer that @gw changed. */
void gateway_changed(struct gateway *gw);
/* A child exited; true if it was this gateway's on_session_end program. */
bool gateway_child_exited(struct gateway *gw, pid_t pid, int status);

#endif
