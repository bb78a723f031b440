// SPDX-License-Identifier: GPL-2.0-only
/*
 * Metrics in the Prometheus text exposition format (version 0.0.4), for
 * node_exporter's textfile collector. See metrics.h for the contract.
 *
 * Names follow the Prometheus conventions: the pizwg_ prefix, base units
 * (_seconds, _bytes), _total for counters, _timestamp_seconds for points in
 * time, _info for constant labels with the value 1. Every sample carries
 * the gateway label (the [gateway NAME] of pizwgd.conf); node_exporter adds
 * the host as instance. Label sets that are enumerations (state, reason,
 * cause) are exported in full, zeros included, so that rate() and
 * increase() see the first event.
 *
 * Hosts reboot and keep no local state, so the timestamps are what tells,
 * from Prometheus alone, when each host last served a client and last
 * enumerated its stick; max_over_time() carries them across reboots:
 *
 * When did each host last give a client its stick (UNIX s)?
 *   max_over_time(pizwg_session_last_start_timestamp_seconds[90d])
 * Which host serves right now?
 *   pizwg_sessions_active == 1
 * How long ago did each host last enumerate its stick (s)?
 *   time() - max_over_time(pizwg_stick_last_enumeration_timestamp_seconds[90d])
 * A backup host whose stick has not enumerated for a week:
 *   time() - pizwg_stick_last_enumeration_timestamp_seconds > 7 * 86400
 * Certificates expiring within 30 days:
 *   pizwg_certificate_expiry_timestamp_seconds - time() < 30 * 86400
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "gateway.h"
#include "metrics.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static_assert((int)METRICS_STARTING == (int)GW_STARTING &&
		      (int)METRICS_ENUMERATING == (int)GW_ENUMERATING &&
		      (int)METRICS_SERVING == (int)GW_SERVING &&
		      (int)METRICS_BACKOFF == (int)GW_BACKOFF &&
		      (int)METRICS_EXEC == (int)GW_EXEC &&
		      (int)METRICS_STANDBY == (int)GW_STANDBY &&
		      (int)METRICS_STOPPED == (int)GW_STOPPED &&
		      (int)METRICS_STATE_COUNT == (int)GW_STOPPED + 1,
	      "enum metrics_state mirrors enum gw_state");

static const char *const state_names[METRICS_STATE_COUNT] = {
	[METRICS_STARTING] = "starting", [METRICS_ENUMERATING] = "enumerating",
	[METRICS_SERVING] = "serving",	 [METRICS_BACKOFF] = "backoff",
	[METRICS_EXEC] = "exec",	 [METRICS_STANDBY] = "standby",
	[METRICS_STOPPED] = "stopped",
};

static_assert(VRRP_STATE_INIT == 0 && VRRP_STATE_BACKUP == 1 &&
		      VRRP_STATE_MASTER == 2 && VRRP_STATE_RELEASING == 3 &&
		      VRRP_STATE_FAULT == 4,
	      "vrrp_state_names follows enum vrrp_state");
static const char *const vrrp_state_names[] = {
	"init", "backup", "master", "releasing", "fault",
};

static const char *const hs_reason_names[METRICS_HS_COUNT] = {
	[METRICS_HS_BUSY] = "busy",
	[METRICS_HS_NO_CERTIFICATE] = "no_certificate",
	[METRICS_HS_BAD_CERTIFICATE] = "bad_certificate",
	[METRICS_HS_EXPIRED_CERTIFICATE] = "expired_certificate",
	[METRICS_HS_PROTOCOL] = "protocol",
	[METRICS_HS_TIMEOUT] = "timeout",
	[METRICS_HS_OTHER] = "other",
	[METRICS_HS_LIMIT] = "limit",
};

static const char *const fence_cause_names[METRICS_FENCE_COUNT] = {
	[METRICS_FENCE_CLIENT_CLOSED] = "client_closed",
	[METRICS_FENCE_INACTIVITY] = "inactivity",
	[METRICS_FENCE_TLS_ERROR] = "tls_error",
	[METRICS_FENCE_TTY_ERROR] = "tty_error",
	[METRICS_FENCE_STICK_VANISHED] = "stick_vanished",
	[METRICS_FENCE_ENUMERATION_FAILURE] = "enumeration_failure",
	[METRICS_FENCE_MODULE_UNLOADED] = "module_unloaded",
	[METRICS_FENCE_SHUTDOWN] = "shutdown",
	[METRICS_FENCE_UNEXPECTED_TTY] = "unexpected_tty",
	[METRICS_FENCE_LISTEN_FAILURE] = "listen_failure",
};

const char *metrics_state_name(enum metrics_state state)
{
	return (unsigned int)state < METRICS_STATE_COUNT ? state_names[state] :
							   NULL;
}

const char *metrics_hs_reason_name(enum metrics_hs_reason reason)
{
	return (unsigned int)reason < METRICS_HS_COUNT ?
		       hs_reason_names[reason] :
		       NULL;
}

const char *metrics_fence_cause_name(enum metrics_fence_cause cause)
{
	return (unsigned int)cause < METRICS_FENCE_COUNT ?
		       fence_cause_names[cause] :
		       NULL;
}

/*
 * A certificate is judged on either side: ours by the verification of the
 * client's, theirs by the alert a client sends when it rejects the server's.
 */
static enum metrics_hs_reason ssl_reason(int reason)
{
	switch (reason) {
	case SSL_R_UNEXPECTED_EOF_WHILE_READING:
		return METRICS_HS_OTHER; /* closed: a port probe, a timeout */
	case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
		return METRICS_HS_NO_CERTIFICATE;
	case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
		return METRICS_HS_EXPIRED_CERTIFICATE;
	case SSL_R_CERTIFICATE_VERIFY_FAILED:
	case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
	case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
	case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
		return METRICS_HS_BAD_CERTIFICATE;
	default:
		return METRICS_HS_PROTOCOL;
	}
}

enum metrics_hs_reason metrics_hs_reason_of(long verify_result,
					    unsigned long err)
{
	switch (verify_result) {
	case X509_V_OK:
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return METRICS_HS_EXPIRED_CERTIFICATE;
	default:
		return METRICS_HS_BAD_CERTIFICATE;
	}
	switch (ERR_GET_LIB(err)) {
	case ERR_LIB_SSL:
		return ssl_reason(ERR_GET_REASON(err));
	/* the only ASN.1 a handshake decodes from the client is its chain */
	case ERR_LIB_ASN1:
	case ERR_LIB_X509:
		return METRICS_HS_BAD_CERTIFICATE;
	default:
		return METRICS_HS_OTHER;
	}
}

/* --- the text format ------------------------------------------------------ */

/* Text into a buffer that may be too small: @pos counts what did not fit. */
struct out {
	char *buf;
	size_t len;
	size_t pos;
};

static void put_mem(struct out *o, const char *s, size_t n)
{
	size_t room, k;

	if (o->pos < o->len) {
		room = o->len - o->pos - 1;
		k = n < room ? n : room;
		memcpy(o->buf + o->pos, s, k);
		o->buf[o->pos + k] = '\0';
	}
	o->pos += n;
}

static void put(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

/* A label value of at most @max bytes: \ " and newline escaped. */
static void put_escaped(struct out *o, const char *s, size_t max)
{
	size_t i, n = strnlen(s, max);

	for (i = 0; i < n; i++) {
		if (s[i] == '\\')
			put(o, "\\\\");
		else if (s[i] == '"')
			put(o, "\\\"");
		else if (s[i] == '\n')
			put(o, "\\n");
		else
			put_mem(o, s + i, 1);
	}
}

struct label {
	const char *name;
	const char *value;
	size_t max; /* bytes of value at most */
};

#define LABEL(n, v)             \
	{                       \
		n, v, sizeof(v) \
	}
#define LABEL_STR(n, v)        \
	{                      \
		n, v, SIZE_MAX \
	}

/* NAME{gateway="G",LABEL="VALUE"...} TEXT */
static void sample(struct out *o, const char *name, const struct gw_metrics *m,
		   const struct label *l, size_t n_labels, const char *text)
{
	size_t i;

	put(o, name);
	put(o, "{gateway=\"");
	put_escaped(o, m->gateway, sizeof(m->gateway));
	for (i = 0; i < n_labels; i++) {
		put(o, "\",");
		put(o, l[i].name);
		put(o, "=\"");
		put_escaped(o, l[i].value, l[i].max);
	}
	put(o, "\"} ");
	put(o, text);
	put(o, "\n");
}

static void sample_u64(struct out *o, const char *name,
		       const struct gw_metrics *m, const struct label *l,
		       size_t n_labels, uint64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, v);
	sample(o, name, m, l, n_labels, text);
}

static void sample_i64(struct out *o, const char *name,
		       const struct gw_metrics *m, const struct label *l,
		       size_t n_labels, int64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRId64, v);
	sample(o, name, m, l, n_labels, text);
}

/* As Go's strconv.ParseFloat reads it: NaN, +Inf, -Inf, 1.5, 2e-05 */
static void sample_f64(struct out *o, const char *name,
		       const struct gw_metrics *m, double v)
{
	char text[32];

	if (isnan(v))
		snprintf(text, sizeof(text), "NaN");
	else if (isinf(v))
		snprintf(text, sizeof(text), "%sInf", v > 0 ? "+" : "-");
	else
		snprintf(text, sizeof(text), "%.9g", v);
	sample(o, name, m, NULL, 0, text);
}

static void gateway_info(struct out *o, const char *name,
			 const struct gw_metrics *m)
{
	char port[12];
	const struct label l[] = {
		LABEL("hub", m->hub),
		LABEL_STR("port", port),
		LABEL("listen", m->listen),
	};

	snprintf(port, sizeof(port), "%u", m->port);
	sample_u64(o, name, m, l, ARRAY_SIZE(l), 1);
}

static void gateway_state(struct out *o, const char *name,
			  const struct gw_metrics *m)
{
	unsigned int s;

	for (s = 0; s < METRICS_STATE_COUNT; s++) {
		const struct label l = LABEL_STR("state", state_names[s]);

		sample_u64(o, name, m, &l, 1, m->state == s);
	}
}

static void state_transitions(struct out *o, const char *name,
			      const struct gw_metrics *m)
{
	sample_u64(o, name, m, NULL, 0, m->state_transitions);
}

static void stick_powered(struct out *o, const char *name,
			  const struct gw_metrics *m)
{
	sample_u64(o, name, m, NULL, 0, m->stick_powered);
}

static void port_guarded(struct out *o, const char *name,
			 const struct gw_metrics *m)
{
	sample_u64(o, name, m, NULL, 0, m->port_guarded);
}

static void power_cycles(struct out *o, const char *name,
			 const struct gw_metrics *m)
{
	sample_u64(o, name, m, NULL, 0, m->power_cycles);
}

static void unwanted_power_offs(struct out *o, const char *name,
				const struct gw_metrics *m)
{
	sample_u64(o, name, m, NULL, 0, m->unwanted_power_offs);
}

static void enumeration_duration(struct out *o, const char *name,
				 const struct gw_metrics *m)
{
	sample_f64(o, name, m, m->enumeration_seconds);
}

static void last_enumeration(struct out *o, const char *name,
			     const struct gw_metrics *m)
{
	sample_i64(o, name, m, NULL, 0, m->last_enumeration);
}

static void enumeration_failures(struct out *o, const char *name,
				 const struct gw_metrics *m)
{
	sample_u64(o, name, m, NULL, 0, m->enumeration_failures);
}

static void backoff(struct out *o, const char *name, const struct gw_metrics *m)
{
	sample_u64(o, name, m, NULL, 0, m->backoff_seconds);
}

static void sessions_active(struct out *o, const char *name,
			    const struct gw_metrics *m)
{
	sample_u64(o, name, m, NULL, 0, m->session_active);
}

static void sessions(struct out *o, const char *name,
		     const struct gw_metrics *m)
{
	sample_u64(o, name, m, NULL, 0, m->sessions);
}

static void last_session_start(struct out *o, const char *name,
			       const struct gw_metrics *m)
{
	sample_i64(o, name, m, NULL, 0, m->last_session_start);
}

static void last_session_end(struct out *o, const char *name,
			     const struct gw_metrics *m)
{
	sample_i64(o, name, m, NULL, 0, m->last_session_end);
}

static void session_bytes(struct out *o, const char *name,
			  const struct gw_metrics *m)
{
	const struct label to = LABEL_STR("direction", "to_stick");
	const struct label from = LABEL_STR("direction", "from_stick");

	sample_u64(o, name, m, &to, 1, m->bytes_to_stick);
	sample_u64(o, name, m, &from, 1, m->bytes_from_stick);
}

static bool has_vrrp(const struct gw_metrics *m)
{
	return m->vrrp_enabled;
}

static void vrrp_state(struct out *o, const char *name,
		       const struct gw_metrics *m)
{
	unsigned int s;

	if (!m->vrrp_enabled)
		return;
	for (s = 0; s < ARRAY_SIZE(vrrp_state_names); s++) {
		const struct label l = LABEL_STR("state", vrrp_state_names[s]);

		sample_u64(o, name, m, &l, 1, m->vrrp_state == s);
	}
}

static void vrrp_transitions(struct out *o, const char *name,
			     const struct gw_metrics *m)
{
	if (m->vrrp_enabled)
		sample_u64(o, name, m, NULL, 0, m->vrrp_transitions);
}

static void adverts_sent(struct out *o, const char *name,
			 const struct gw_metrics *m)
{
	if (m->vrrp_enabled)
		sample_u64(o, name, m, NULL, 0, m->adverts_sent);
}

static void adverts_received(struct out *o, const char *name,
			     const struct gw_metrics *m)
{
	if (m->vrrp_enabled)
		sample_u64(o, name, m, NULL, 0, m->adverts_received);
}

static void adverts_dropped(struct out *o, const char *name,
			    const struct gw_metrics *m)
{
	unsigned int r;

	if (!m->vrrp_enabled)
		return;
	for (r = VRRP_DROP_NONE + 1; r < VRRP_DROP_COUNT; r++) {
		const struct label l = LABEL_STR("reason", vrrp_drop_name(r));

		sample_u64(o, name, m, &l, 1, m->adverts_dropped[r]);
	}
}

static bool has_tls_info(const struct gw_metrics *m)
{
	return m->session_active;
}

static void tls_info(struct out *o, const char *name,
		     const struct gw_metrics *m)
{
	const struct label l[] = {
		LABEL("version", m->tls_version),
		LABEL("cipher", m->tls_cipher),
		LABEL("client", m->client_subject),
		LABEL("serial", m->client_serial),
	};

	if (has_tls_info(m))
		sample_u64(o, name, m, l, ARRAY_SIZE(l), 1);
}

static void ktls_active(struct out *o, const char *name,
			const struct gw_metrics *m)
{
	const struct label tx = LABEL_STR("direction", "tx");
	const struct label rx = LABEL_STR("direction", "rx");

	sample_u64(o, name, m, &tx, 1, m->ktls_tx);
	sample_u64(o, name, m, &rx, 1, m->ktls_rx);
}

static void handshake_failures(struct out *o, const char *name,
			       const struct gw_metrics *m)
{
	unsigned int r;

	for (r = 0; r < METRICS_HS_COUNT; r++) {
		const struct label l = LABEL_STR("reason", hs_reason_names[r]);

		sample_u64(o, name, m, &l, 1, m->handshake_failures[r]);
	}
}

static void fences(struct out *o, const char *name, const struct gw_metrics *m)
{
	unsigned int c;

	for (c = 0; c < METRICS_FENCE_COUNT; c++) {
		const struct label l = LABEL_STR("cause", fence_cause_names[c]);

		sample_u64(o, name, m, &l, 1, m->fences[c]);
	}
}

static void cert_expiry(struct out *o, const char *name,
			const struct gw_metrics *m)
{
	const struct label server = LABEL_STR("certificate", "server");
	const struct label trust = LABEL_STR("certificate", "client_trust");

	sample_i64(o, name, m, &server, 1, m->server_cert_expiry);
	sample_i64(o, name, m, &trust, 1, m->client_trust_expiry);
}

#define FAMILY(n, t, h, e)                                 \
	{                                                  \
		.name = n, .type = t, .help = h, .emit = e \
	}

/* One metric family: its samples for one gateway come from emit(). */
static const struct family {
	const char *name;
	const char *type;
	const char *help;
	void (*emit)(struct out *o, const char *name,
		     const struct gw_metrics *m);
	bool (*has_samples)(const struct gw_metrics *m); /* NULL: always */
} families[] = {
	FAMILY("pizwg_gateway_info", "gauge",
	       "Gateway of pizwgd.conf: the hub port of its stick and its TLS listener.",
	       gateway_info),
	FAMILY("pizwg_gateway_state", "gauge",
	       "1 for the state the gateway is in, 0 for the others.",
	       gateway_state),
	FAMILY("pizwg_gateway_state_transitions_total", "counter",
	       "State changes of the gateway.", state_transitions),
	FAMILY("pizwg_stick_powered", "gauge",
	       "1 while the hub port of the stick is switched on.",
	       stick_powered),
	FAMILY("pizwg_stick_port_guarded", "gauge",
	       "1 if pizwg.ko guards the stick's hub port (powered only while leased, from module load on).",
	       port_guarded),
	FAMILY("pizwg_stick_power_cycles_total", "counter",
	       "Times pizwgd switched the hub port of the stick on.",
	       power_cycles),
	FAMILY("pizwg_stick_unwanted_power_offs_total", "counter",
	       "Times pizwgd switched off its stick, powered by someone else while it did not want it on.",
	       unwanted_power_offs),
	FAMILY("pizwg_stick_enumeration_duration_seconds", "gauge",
	       "Time from power on to the stick's tty, at the last successful enumeration.",
	       enumeration_duration),
	FAMILY("pizwg_stick_last_enumeration_timestamp_seconds", "gauge",
	       "When the stick last enumerated successfully, 0 if never since pizwgd started.",
	       last_enumeration),
	FAMILY("pizwg_stick_enumeration_failures_total", "counter",
	       "Enumerations that timed out or found a stick that does not match.",
	       enumeration_failures),
	FAMILY("pizwg_backoff_seconds", "gauge",
	       "Length of the current back-off before the next power on, 0 when not backing off.",
	       backoff),
	FAMILY("pizwg_sessions_active", "gauge",
	       "1 while a client holds the stick.", sessions_active),
	FAMILY("pizwg_sessions_total", "counter",
	       "Client sessions that got the stick.", sessions),
	FAMILY("pizwg_session_last_start_timestamp_seconds", "gauge",
	       "When a client last got the stick, 0 if never since pizwgd started.",
	       last_session_start),
	FAMILY("pizwg_session_last_end_timestamp_seconds", "gauge",
	       "When the last session ended, 0 if none has.", last_session_end),
	FAMILY("pizwg_session_bytes_total", "counter",
	       "Bytes relayed between clients and the stick, over all sessions.",
	       session_bytes),
	{ .name = "pizwg_session_tls_info",
	  .type = "gauge",
	  .help = "TLS version and cipher of the active session, and the subject and serial of its client certificate.",
	  .emit = tls_info,
	  .has_samples = has_tls_info },
	FAMILY("pizwg_session_ktls_active", "gauge",
	       "1 while the active session's TLS records are sent (tx) or received (rx) by the kernel.",
	       ktls_active),
	FAMILY("pizwg_tls_handshake_failures_total", "counter",
	       "TLS connections refused before the stick was theirs, by reason.",
	       handshake_failures),
	FAMILY("pizwg_fences_total", "counter",
	       "Times the gateway fenced (switched the stick off), by cause.",
	       fences),
	{ .name = "pizwg_vrrp_state",
	  .type = "gauge",
	  .help = "1 for the VRRP state the instance is in, 0 for the others.",
	  .emit = vrrp_state,
	  .has_samples = has_vrrp },
	{ .name = "pizwg_vrrp_transitions_total",
	  .type = "counter",
	  .help = "VRRP state changes.",
	  .emit = vrrp_transitions,
	  .has_samples = has_vrrp },
	{ .name = "pizwg_vrrp_adverts_sent_total",
	  .type = "counter",
	  .help = "VRRP advertisements sent.",
	  .emit = adverts_sent,
	  .has_samples = has_vrrp },
	{ .name = "pizwg_vrrp_adverts_received_total",
	  .type = "counter",
	  .help = "Valid VRRP advertisements received from other routers.",
	  .emit = adverts_received,
	  .has_samples = has_vrrp },
	{ .name = "pizwg_vrrp_adverts_dropped_total",
	  .type = "counter",
	  .help = "VRRP packets dropped, by reason.",
	  .emit = adverts_dropped,
	  .has_samples = has_vrrp },
	FAMILY("pizwg_certificate_expiry_timestamp_seconds", "gauge",
	       "notAfter of the server certificate and earliest notAfter of the trusted client certificates, 0 if unknown.",
	       cert_expiry),
};

static bool family_has_samples(const struct family *f,
			       const struct gw_metrics *m, size_t n)
{
	size_t i;

	if (!f->has_samples)
		return n > 0;
	for (i = 0; i < n; i++) {
		if (f->has_samples(&m[i]))
			return true;
	}
	return false;
}

int metrics_format(const struct gw_metrics *m, size_t n, char *buf, size_t len)
{
	struct out o = { .buf = buf, .len = len };
	const struct family *f;
	size_t i;

	if (len)
		buf[0] = '\0';
	for (f = families; f < families + ARRAY_SIZE(families); f++) {
		if (!family_has_samples(f, m, n))
			continue;
		put(&o, "# HELP ");
		put(&o, f->name);
		put(&o, " ");
		put(&o, f->help);
		put(&o, "\n# TYPE ");
		put(&o, f->name);
		put(&o, " ");
		put(&o, f->type);
		put(&o, "\n");
		for (i = 0; i < n; i++)
			f->emit(&o, f->name, &m[i]);
	}
	if (o.pos >= len || o.pos > INT_MAX)
		return -ENOSPC;
	return o.pos;
}

/* --- the file -------------------------------------------------------------- */

/* mkdir -p @dir, mode 0755 */
static int make_dirs(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	size_t i, n = strlen(dir);

	if (n >= sizeof(path)) {
		snprintf(err, errlen, "%s: %s", dir, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	memcpy(path, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			int e = errno;

			snprintf(err, errlen, "%s: cannot create: %s", path,
				 strerror(e));
			return -e;
		}
		path[i] = dir[i];
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

/* The temporary file @tmp, filled, closed, with its final mode. */
static int write_tmp(char *tmp, const char *text, size_t len)
{
	int fd, ret;

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = write_all(fd, text, len);
	if (!ret && fchmod(fd, 0644))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

int metrics_write(const char *dir, const char *file, const char *text,
		  size_t len, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int n, ret;

	if (errlen)
		err[0] = '\0';
	n = snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, file) >=
		    sizeof(tmp)) {
		snprintf(err, errlen, "%s/%s: %s", dir, file,
			 strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	ret = make_dirs(dir, err, errlen);
	if (ret)
		return ret;
	ret = write_tmp(tmp, text, len);
	if (ret) {
		snprintf(err, errlen, "%s: cannot write: %s", path,
			 strerror(-ret));
		return ret;
	}
	if (rename(tmp, path)) {
		ret = -errno;
		unlink(tmp);
		snprintf(err, errlen, "%s: cannot replace: %s", path,
			 strerror(-ret));
		return ret;
	}
	return 0;
}

/* --- certificates ---------------------------------------------------------- */

static int not_after(X509 *x, int64_t *t)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
		return -EINVAL;
	*t = timegm(&tm);
	return 0;
}

/* PEM_read_bio_X509() stopped at the end of the file, not at a bad block. */
static bool pem_clean_end(void)
{
	unsigned long e = ERR_peek_last_error();

	return !e || (ERR_GET_LIB(e) == ERR_LIB_PEM &&
		      ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
}

int metrics_cert_expiry(const char *pem_path, int64_t *not_after_out,
			bool earliest)
{
	int64_t t, best = INT64_MAX;
	int count = 0, ret = 0;
	X509 *x;
	BIO *bio;
	FILE *f;

	f = fopen(pem_path, "re");
	if (!f)
		return -errno;
	bio = BIO_new_fp(f, BIO_CLOSE);
	if (!bio) {
		fclose(f);
		return -ENOMEM;
	}
	ERR_clear_error();
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		ret = not_after(x, &t);
		X509_free(x);
		if (ret)
			goto out;
		best = t < best ? t : best;
		count++;
		if (!earliest)
			break;
	}
	if (!count || (earliest && !pem_clean_end()))
		ret = -EINVAL;
	else
		*not_after_out = best;
out:
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}
