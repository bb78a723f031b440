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

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <openssl/ssl.h>

#include "config.h"
#include "handshake.h"
#include "ktls.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "pizwg_genl.h"
#include "power.h"
#include "vrrp.h"
#include "vrrp_net.h"

enum gw_state {
	GW_STARTING,
	GW_ENUMERATING,
	GW_SERVING,
	GW_BACKOFF,
	GW_EXEC,	/* fenced; the on_session_end program runs */
	GW_STANDBY,	/* vrrp = on: not master, stick off */
	GW_STOPPED,
};

/* The client that has the stick (session.c). */
struct session {
	bool active;
	bool half_closed;	/* TLS 1.3 close_notify came: close_grace */
	int fd;
	struct watch w;
	SSL *ssl;
	struct ktls_secret secret;
	bool rx_kernel;		/* TLS_RX installed: read plaintext ourselves */
	char peer[64];		/* "ADDR:PORT" */
	struct timer timer;	/* inactivity */
	uint64_t last_activity;	/* ms, CLOCK_MONOTONIC */
	int ssl_write_wants;	/* EPOLLIN/EPOLLOUT a blocked SSL_write waits for */
	int ssl_read_wants;
	/* false once a read came back short: wait for epoll before the next */
	bool tty_readable, sock_readable;
	uint8_t up[4096];	/* stick -> client: n_tty holds no more */
	size_t up_len, up_off;
	uint8_t down[16640];	/* client -> stick: one TLS record fits */
	size_t down_len, down_off;
};

/* What runs once the VRRP release that a session end asked for is done. */
enum ha_after {
	HA_AFTER_NOTHING, /* restart: BACKUP again */
	HA_AFTER_REBOOT,
	HA_AFTER_EXEC,
};

/* VRRP counters and state, written by the VRRP thread under gw_ha.lock */
struct gw_ha_stats {
	unsigned int state; /* enum vrrp_state */
	uint64_t transitions;
	uint64_t sent;
	uint64_t received;
	uint64_t dropped[VRRP_DROP_COUNT];
};

/*
 * vrrp = on: the instance (ha.c). Its thread owns v, n, tloop and what
 * hangs off it; the gateway's thread owns the rest. They talk through two
 * pipes only, plus the counters under lock.
 */
struct gw_ha {
	bool on;
	bool started; /* the thread runs */
	pthread_t thread;
	pthread_mutex_t lock;
	struct gw_ha_stats stats;
	int to_thread[2]; /* struct vrrp_event: inputs from the gateway */
	int to_main[2]; /* struct ha_msg: actions for the gateway */
	/* the VRRP thread's */
	struct vrrp v;
	struct vrrp_net n;
	struct loop tloop;
	struct watch cmd_w;
	struct watch advert_w;
	struct watch link_w;
	struct timer timer; /* the state machine's deadline */
	struct timer vip_timer; /* renews the VIP's lifetime while master */
	struct timer garp_timer;
	unsigned int garp_left;
	struct log_limit drop_log; /* adverts dropped */
	struct log_limit lower_log; /* MASTER: adverts from one we outrank */
	struct log_limit late_log; /* a deadline met an interval late */
	struct log_limit send_err_log; /* adverts that could not be sent */
	uint64_t counts_posted_at; /* ms: counters last sent to the file */
	bool stopping; /* SHUTDOWN came: say STOPPED once in INIT */
	/* the gateway thread's */
	struct watch main_w;
	bool power_off_pending; /* POWER_OFF failed: retried by gw->timer */
	bool shutting_down; /* SIGTERM: ha_shutdown() runs */
	bool shutdown_wait; /* ha_shutdown() waits for this one's release */
	uint64_t retry_at; /* ha_shutdown(): next POWER_OFF retry */
	enum ha_after after;
	char after_reason[128];
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
	struct handshake hs[HS_MAX];	/* while nobody has the stick */
	unsigned int n_hs;
	struct timer hs_timer;		/* their deadlines */
	struct timer accept_timer;	/* the listener rests after EMFILE */
	struct log_limit hs_log[METRICS_HS_COUNT];
	pid_t exec_pid;		/* and its process group */
	struct timer exec_timer; /* exec_timeout: then SIGKILL */

	struct gw_ha ha;
	struct gw_metrics m;
	uint64_t enumeration_started;	/* ms, CLOCK_MONOTONIC */
	struct timer unwanted_timer;	/* retries a failed unwanted-power off */
	struct log_limit unwanted_log;	/* its "switched off" lines */
	/* Called after every change worth a fresh metrics file. */
	void (*changed)(struct gateway *gw);
	/* Called when only a counter moved: the file may wait a little. */
	void (*counted)(struct gateway *gw);
};

int gateway_init(struct gateway *gw, const struct pizwg_gateway_config *cfg,
		 struct loop *loop, struct power *power);
/* At start: gateway_start(), or with vrrp = on the VRRP instance. */
int gateway_begin(struct gateway *gw);
/* Power on, wait for the tty, serve (with vrrp = on: once master). */
void gateway_start(struct gateway *gw);
/* For ha.c: */
int gateway_power_off(struct gateway *gw);
/* After a failed gateway_power_off(): again each second, while unwanted. */
void gateway_retry_power_off(struct gateway *gw);
void gateway_standby(struct gateway *gw, bool keep_backoff);
void gateway_reboot(struct gateway *gw);
void gateway_exec(struct gateway *gw, const char *reason);
/*
 * SIGTERM, the @n gateways of @gws: stop serving and switch the sticks
 * off, releases side by side; no session-end action.
 */
void gateway_stop_all(struct gateway *gws, unsigned int n);
void gateway_exit(struct gateway *gw);

void gateway_event(struct gateway *gw, const struct pizwg_event *ev);
/* Tells the metrics writer that @gw changed. */
void gateway_changed(struct gateway *gw);
/* Tells it that only a counter of @gw moved. */
void gateway_counted(struct gateway *gw);
/* A child exited; true if it was this gateway's on_session_end program. */
bool gateway_child_exited(struct gateway *gw, pid_t pid, int status);

#endif
