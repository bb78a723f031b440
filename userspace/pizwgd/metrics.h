/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Metrics: what each gateway exports, in the Prometheus text exposition
 * format, for node_exporter's textfile collector. pizwgd opens no socket
 * of its own for them.
 *
 * The daemon fills one struct gw_metrics per gateway, formats them all with
 * metrics_format() (pure) and replaces METRICS_FILE in the configured
 * metrics_dir with metrics_write() (temp file + rename, so node_exporter
 * never reads half a file). One file per daemon: it always holds exactly
 * the configured gateways, so a gateway removed from the configuration
 * leaves no stale series behind; config.c therefore requires every section
 * to name the same metrics_dir.
 *
 * Timestamps are wall-clock UNIX seconds, 0 for "never": a host that has
 * never served or enumerated then looks infinitely stale, which is what an
 * alert on the age should say. Counters start at 0 with the daemon.
 */
#ifndef PIZWGD_METRICS_H
#define PIZWGD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "vrrp_packet.h"

/* The file in metrics_dir; node_exporter reads *.prom only. */
#define METRICS_FILE "pizwgd.prom"

/*
 * Bytes metrics_format() needs at most for CONF_GATEWAYS_MAX gateways with
 * the longest names and TLS strings, and every counter at UINT64_MAX (a unit
 * test checks it).
 */
#define METRICS_TEXT_MAX 131072

/* "255.255.255.255:65535" */
#define METRICS_LISTEN_MAX 22

/* enum gw_state (gateway.h) value for value; metrics.c asserts it. */
enum metrics_state {
	METRICS_STARTING,
	METRICS_ENUMERATING,
	METRICS_SERVING,
	METRICS_BACKOFF,
	METRICS_EXEC,
	METRICS_STANDBY,
	METRICS_STOPPED,
	METRICS_STATE_COUNT
};

/* Why a TLS handshake did not give a client the stick. */
enum metrics_hs_reason {
	METRICS_HS_BUSY, /* another client holds the stick */
	METRICS_HS_NO_CERTIFICATE, /* client sent none */
	METRICS_HS_BAD_CERTIFICATE, /* not trusted, bad signature, ... */
	METRICS_HS_EXPIRED_CERTIFICATE, /* outside its validity period */
	METRICS_HS_PROTOCOL, /* version, cipher, malformed record */
	METRICS_HS_TIMEOUT, /* nothing in HS_FIRST_BYTE_MS, or not done in HS_DEADLINE_MS */
	METRICS_HS_OTHER, /* closed early, out of memory, ... */
	METRICS_HS_LIMIT, /* too many handshakes at once, or from one address */
	METRICS_HS_COUNT
};

/* Why the gateway fenced (switched the stick off). */
enum metrics_fence_cause {
	METRICS_FENCE_CLIENT_CLOSED,
	METRICS_FENCE_INACTIVITY,
	METRICS_FENCE_TLS_ERROR,
	METRICS_FENCE_TTY_ERROR,
	METRICS_FENCE_STICK_VANISHED,
	METRICS_FENCE_ENUMERATION_FAILURE,
	METRICS_FENCE_MODULE_UNLOADED,
	METRICS_FENCE_SHUTDOWN,
	METRICS_FENCE_UNEXPECTED_TTY, /* a second tty on our port */
	METRICS_FENCE_LISTEN_FAILURE, /* the listener could not be opened */
	METRICS_FENCE_COUNT
};

/* Everything one gateway exports. Strings are NUL-terminated. */
struct gw_metrics {
	char gateway[CONF_NAME_MAX + 1]; /* section NAME */
	char hub[PIZWG_NAME_MAX];
	unsigned int port;
	char listen[METRICS_LISTEN_MAX]; /* "ADDR:PORT" */

	enum metrics_state state;
	uint64_t state_transitions;

	bool stick_powered;
	bool port_guarded; /* pizwg.ko keeps the port off unless leased */
	uint64_t power_cycles; /* times pizwgd switched the port on */
	/* times it switched off a stick powered behind its back */
	uint64_t unwanted_power_offs;
	double enumeration_seconds; /* of the last successful one */
	int64_t last_enumeration; /* UNIX s it succeeded, 0 never */
	uint64_t enumeration_failures;
	unsigned int backoff_seconds; /* 0 unless in BACKOFF */

	bool session_active;
	uint64_t sessions; /* clients that got the stick */
	int64_t last_session_start; /* UNIX s, 0 never */
	int64_t last_session_end; /* UNIX s, 0 never */
	uint64_t bytes_to_stick; /* over all sessions */
	uint64_t bytes_from_stick;
	char tls_version[16]; /* of the active session, "" if none */
	char tls_cipher[64];
	char client_subject[128]; /* of the active session's certificate */
	char client_serial[48];
	bool ktls_tx;
	bool ktls_rx;

	uint64_t handshake_failures[METRICS_HS_COUNT];
	uint64_t fences[METRICS_FENCE_COUNT];

	bool vrrp_enabled; /* the vrrp_* below only then */
	unsigned int vrrp_state; /* enum vrrp_state (vrrp.h) */
	uint64_t vrrp_transitions;
	uint64_t adverts_sent;
	uint64_t adverts_received; /* valid ones */
	uint64_t adverts_dropped[VRRP_DROP_COUNT]; /* by enum vrrp_drop */

	int64_t server_cert_expiry; /* notAfter, UNIX s, 0 unknown */
	int64_t client_trust_expiry; /* earliest notAfter in the ca bundle */
};

/* Label values: "serving", "no_certificate", "stick_vanished", ... */
const char *metrics_state_name(enum metrics_state state);
const char *metrics_hs_reason_name(enum metrics_hs_reason reason);
const char *metrics_fence_cause_name(enum metrics_fence_cause cause);

/*
 * The reason of a failed handshake from OpenSSL's view of it: @verify_result
 * is SSL_get_verify_result(), @err ERR_peek_error() (0 if none). Busy and
 * timeout are the caller's to know. Pure.
 */
enum metrics_hs_reason metrics_hs_reason_of(long verify_result,
					    unsigned long err);

/*
 * The Prometheus text format of gateways @m[0..@n) into @buf: each metric
 * family once with its HELP and TYPE, then one sample per gateway (and
 * label value). Returns the length, NUL excluded, or -ENOSPC when it does
 * not fit in @len bytes with the NUL (@buf then holds a truncated,
 * NUL-terminated prefix if @len > 0). Pure.
 */
int metrics_format(const struct gw_metrics *m, size_t n, char *buf, size_t len);

/*
 * Replaces @dir/@file with the @len bytes of @text, mode 0644, atomically:
 * a temporary file in @dir renamed over it. Creates @dir and its parents
 * (mode 0755) when missing. Returns 0, or -errno with "PATH: REASON" in
 * @err.
 */
int metrics_write(const char *dir, const char *file, const char *text,
		  size_t len, char *err, size_t errlen);

/*
 * The notAfter of the certificates in PEM file @pem_path, as UNIX seconds:
 * of the first one, or the earliest of all when @earliest (a CA bundle).
 * Returns 0, -errno when the file cannot be read, or -EINVAL when it holds
 * no certificate or a bad one.
 */
int metrics_cert_expiry(const char *pem_path, int64_t *not_after,
			bool earliest);

#endif /* PIZWGD_METRICS_H */
