// SPDX-License-Identifier: GPL-2.0-only
/*
 * Metrics (userspace/pizwgd/metrics.c): the exact Prometheus text of a
 * gateway, label escaping, every state, reason and cause, the family
 * layout of several gateways, -ENOSPC at every buffer length; the reasons
 * real OpenSSL handshake failures map to; the atomic file writer; and the
 * notAfter of PEM files, in a temporary directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "metrics.h"
#include "tls.h"
#include "unit.h"
#include "vrrp.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char text[2 * METRICS_TEXT_MAX];
static char tmpdir[] = "/tmp/test_metrics.XXXXXX";

/* A gateway serving a client over TLS 1.3 with kernel TLS for tx only. */
static void serving(struct gw_metrics *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->gateway, sizeof(m->gateway), "zstick");
	snprintf(m->hub, sizeof(m->hub), "1-1.4");
	m->port = 3;
	snprintf(m->listen, sizeof(m->listen), "0.0.0.0:3333");
	m->state = METRICS_SERVING;
	m->state_transitions = 5;
	m->stick_powered = true;
	m->port_guarded = true;
	m->power_cycles = 2;
	m->unwanted_power_offs = 4;
	m->enumeration_seconds = 1.25;
	m->last_enumeration = 1767225600;
	m->enumeration_failures = 1;
	m->session_active = true;
	m->sessions = 2;
	m->last_session_start = 1767225660;
	m->last_session_end = 1767225650;
	m->bytes_to_stick = 1234;
	m->bytes_from_stick = 18446744073709551615ull;
	snprintf(m->tls_version, sizeof(m->tls_version), "TLSv1.3");
	snprintf(m->tls_cipher, sizeof(m->tls_cipher),
		 "TLS_AES_128_GCM_SHA256");
	snprintf(m->client_subject, sizeof(m->client_subject), "CN=pizwg-client");
	snprintf(m->client_serial, sizeof(m->client_serial), "1A2B");
	m->ktls_tx = true;
	m->handshake_failures[METRICS_HS_BUSY] = 3;
	m->handshake_failures[METRICS_HS_OTHER] = 1;
	m->fences[METRICS_FENCE_ENUMERATION_FAILURE] = 1;
	m->fences[METRICS_FENCE_INACTIVITY] = 1;
	m->server_cert_expiry = 4102444800;
	m->client_trust_expiry = 1798761600;
}

static const char golden[] =
	"# HELP pizwg_gateway_info Gateway of pizwgd.conf: the hub port of its stick and its TLS listener.\n"
	"# TYPE pizwg_gateway_info gauge\n"
	"pizwg_gateway_info{gateway=\"zstick\",hub=\"1-1.4\",port=\"3\",listen=\"0.0.0.0:3333\"} 1\n"
	"# HELP pizwg_gateway_state 1 for the state the gateway is in, 0 for the others.\n"
	"# TYPE pizwg_gateway_state gauge\n"
	"pizwg_gateway_state{gateway=\"zstick\",state=\"starting\"} 0\n"
	"pizwg_gateway_state{gateway=\"zstick\",state=\"enumerating\"} 0\n"
	"pizwg_gateway_state{gateway=\"zstick\",state=\"serving\"} 1\n"
	"pizwg_gateway_state{gateway=\"zstick\",state=\"backoff\"} 0\n"
	"pizwg_gateway_state{gateway=\"zstick\",state=\"exec\"} 0\n"
	"pizwg_gateway_state{gateway=\"zstick\",state=\"standby\"} 0\n"
	"pizwg_gateway_state{gateway=\"zstick\",state=\"stopped\"} 0\n"
	"# HELP pizwg_gateway_state_transitions_total State changes of the gateway.\n"
	"# TYPE pizwg_gateway_state_transitions_total counter\n"
	"pizwg_gateway_state_transitions_total{gateway=\"zstick\"} 5\n"
	"# HELP pizwg_stick_powered 1 while the hub port of the stick is switched on.\n"
	"# TYPE pizwg_stick_powered gauge\n"
	"pizwg_stick_powered{gateway=\"zstick\"} 1\n"
	"# HELP pizwg_stick_port_guarded 1 if pizwg.ko guards the stick's hub port (powered only while leased, from module load on).\n"
	"# TYPE pizwg_stick_port_guarded gauge\n"
	"pizwg_stick_port_guarded{gateway=\"zstick\"} 1\n"
	"# HELP pizwg_stick_power_cycles_total Times pizwgd switched the hub port of the stick on.\n"
	"# TYPE pizwg_stick_power_cycles_total counter\n"
	"pizwg_stick_power_cycles_total{gateway=\"zstick\"} 2\n"
	"# HELP pizwg_stick_unwanted_power_offs_total Times pizwgd switched off its stick, powered by someone else while it did not want it on.\n"
	"# TYPE pizwg_stick_unwanted_power_offs_total counter\n"
	"pizwg_stick_unwanted_power_offs_total{gateway=\"zstick\"} 4\n"
	"# HELP pizwg_stick_enumeration_duration_seconds Time from power on to the stick's tty, at the last successful enumeration.\n"
	"# TYPE pizwg_stick_enumeration_duration_seconds gauge\n"
	"pizwg_stick_enumeration_duration_seconds{gateway=\"zstick\"} 1.25\n"
	"# HELP pizwg_stick_last_enumeration_timestamp_seconds When the stick last enumerated successfully, 0 if never since pizwgd started.\n"
	"# TYPE pizwg_stick_last_enumeration_timestamp_seconds gauge\n"
	"pizwg_stick_last_enumeration_timestamp_seconds{gateway=\"zstick\"} 1767225600\n"
	"# HELP pizwg_stick_enumeration_failures_total Enumerations that timed out or found a stick that does not match.\n"
	"# TYPE pizwg_stick_enumeration_failures_total counter\n"
	"pizwg_stick_enumeration_failures_total{gateway=\"zstick\"} 1\n"
	"# HELP pizwg_backoff_seconds Length of the current back-off before the next power on, 0 when not backing off.\n"
	"# TYPE pizwg_backoff_seconds gauge\n"
	"pizwg_backoff_seconds{gateway=\"zstick\"} 0\n"
	"# HELP pizwg_sessions_active 1 while a client holds the stick.\n"
	"# TYPE pizwg_sessions_active gauge\n"
	"pizwg_sessions_active{gateway=\"zstick\"} 1\n"
	"# HELP pizwg_sessions_total Client sessions that got the stick.\n"
	"# TYPE pizwg_sessions_total counter\n"
	"pizwg_sessions_total{gateway=\"zstick\"} 2\n"
	"# HELP pizwg_session_last_start_timestamp_seconds When a client last got the stick, 0 if never since pizwgd started.\n"
	"# TYPE pizwg_session_last_start_timestamp_seconds gauge\n"
	"pizwg_session_last_start_timestamp_seconds{gateway=\"zstick\"} 1767225660\n"
	"# HELP pizwg_session_last_end_timestamp_seconds When the last session ended, 0 if none has.\n"
	"# TYPE pizwg_session_last_end_timestamp_seconds gauge\n"
	"pizwg_session_last_end_timestamp_seconds{gateway=\"zstick\"} 1767225650\n"
	"# HELP pizwg_session_bytes_total Bytes relayed between clients and the stick, over all sessions.\n"
	"# TYPE pizwg_session_bytes_total counter\n"
	"pizwg_session_bytes_total{gateway=\"zstick\",direction=\"to_stick\"} 1234\n"
	"pizwg_session_bytes_total{gateway=\"zstick\",direction=\"from_stick\"} 18446744073709551615\n"
	"# HELP pizwg_session_tls_info TLS version and cipher of the active session, and the subject and serial of its client certificate.\n"
	"# TYPE pizwg_session_tls_info gauge\n"
	"pizwg_session_tls_info{gateway=\"zstick\",version=\"TLSv1.3\",cipher=\"TLS_AES_128_GCM_SHA256\",client=\"CN=pizwg-client\",serial=\"1A2B\"} 1\n"
	"# HELP pizwg_session_ktls_active 1 while the active session's TLS records are sent (tx) or received (rx) by the kernel.\n"
	"# TYPE pizwg_session_ktls_active gauge\n"
	"pizwg_session_ktls_active{gateway=\"zstick\",direction=\"tx\"} 1\n"
	"pizwg_session_ktls_active{gateway=\"zstick\",direction=\"rx\"} 0\n"
	"# HELP pizwg_tls_handshake_failures_total TLS connections refused before the stick was theirs, by reason.\n"
	"# TYPE pizwg_tls_handshake_failures_total counter\n"
	"pizwg_tls_handshake_failures_total{gateway=\"zstick\",reason=\"busy\"} 3\n"
	"pizwg_tls_handshake_failures_total{gateway=\"zstick\",reason=\"no_certificate\"} 0\n"
	"pizwg_tls_handshake_failures_total{gateway=\"zstick\",reason=\"bad_certificate\"} 0\n"
	"pizwg_tls_handshake_failures_total{gateway=\"zstick\",reason=\"expired_certificate\"} 0\n"
	"pizwg_tls_handshake_failures_total{gateway=\"zstick\",reason=\"protocol\"} 0\n"
	"pizwg_tls_handshake_failures_total{gateway=\"zstick\",reason=\"timeout\"} 0\n"
	"pizwg_tls_handshake_failures_total{gateway=\"zstick\",reason=\"other\"} 1\n"
	"pizwg_tls_handshake_failures_total{gateway=\"zstick\",reason=\"limit\"} 0\n"
	"# HELP pizwg_fences_total Times the gateway fenced (switched the stick off), by cause.\n"
	"# TYPE pizwg_fences_total counter\n"
	"pizwg_fences_total{gateway=\"zstick\",cause=\"client_closed\"} 0\n"
	"pizwg_fences_total{gateway=\"zstick\",cause=\"inactivity\"} 1\n"
	"pizwg_fences_total{gateway=\"zstick\",cause=\"tls_error\"} 0\n"
	"pizwg_fences_total{gateway=\"zstick\",cause=\"tty_error\"} 0\n"
	"pizwg_fences_total{gateway=\"zstick\",cause=\"stick_vanished\"} 0\n"
	"pizwg_fences_total{gateway=\"zstick\",cause=\"enumeration_failure\"} 1\n"
	"pizwg_fences_total{gateway=\"zstick\",cause=\"module_unloaded\"} 0\n"
	"pizwg_fences_total{gateway=\"zstick\",cause=\"shutdown\"} 0\n"
	"pizwg_fences_total{gateway=\"zstick\",cause=\"unexpected_tty\"} 0\n"
	"pizwg_fences_total{gateway=\"zstick\",cause=\"listen_failure\"} 0\n"
	"# HELP pizwg_certificate_expiry_timestamp_seconds notAfter of the server certificate and earliest notAfter of the trusted client certificates, 0 if unknown.\n"
	"# TYPE pizwg_certificate_expiry_timestamp_seconds gauge\n"
	"pizwg_certificate_expiry_timestamp_seconds{gateway=\"zstick\",certificate=\"server\"} 4102444800\n"
	"pizwg_certificate_expiry_timestamp_seconds{gateway=\"zstick\",certificate=\"client_trust\"} 1798761600\n";

static int format(const struct gw_metrics *m, size_t n)
{
	return metrics_format(m, n, text, sizeof(text));
}

/* The value of the one line of text starting with @prefix; -1 if none. */
static long long value_of(const char *prefix)
{
	const char *s = text, *hit = NULL;
	size_t n = strlen(prefix);

	for (; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
		if (strncmp(s, prefix, n))
			continue;
		if (hit)
			return -2;
		hit = s;
	}
	return hit ? strtoll(hit + n, NULL, 10) : -1;
}

static size_t count(const char *needle)
{
	const char *s = text;
	size_t n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s++;
	}
	return n;
}

/* --- the text -------------------------------------------------------------- */

static void serving_gateway_formats_exactly_as_specified(void)
{
	struct gw_metrics m;

	serving(&m);
	CHECK_INT(format(&m, 1), strlen(golden));
	CHECK_STR(text, golden);
}

static void idle_gateway_has_no_tls_info_family(void)
{
	struct gw_metrics m;

	serving(&m);
	m.session_active = false;
	CHECK(format(&m, 1) > 0);
	CHECK_INT(count("pizwg_session_tls_info"), 0);
	CHECK_INT(value_of("pizwg_sessions_active{gateway=\"zstick\"} "), 0);
}

static void no_gateways_format_to_nothing(void)
{
	struct gw_metrics m;

	serving(&m);
	CHECK_INT(format(&m, 0), 0);
	CHECK_STR(text, "");
}

static void label_values_escape_backslash_quote_and_newline(void)
{
	struct gw_metrics m;

	serving(&m);
	snprintf(m.tls_cipher, sizeof(m.tls_cipher), "a\\b\"c\nd");
	snprintf(m.gateway, sizeof(m.gateway), "g\"w");
	CHECK(format(&m, 1) > 0);
	CHECK_INT(
		value_of(
			"pizwg_session_tls_info{gateway=\"g\\\"w\",version=\"TLSv1.3\",cipher=\"a\\\\b\\\"c\\nd\",client=\"CN=pizwg-client\",serial=\"1A2B\"} "),
		1);
	CHECK_INT(count("{gateway=\"g\\\"w\""), 46);
}

static void unterminated_strings_end_with_their_array(void)
{
	struct gw_metrics m;
	char want[256];

	serving(&m);
	memset(m.gateway, 'g', sizeof(m.gateway));
	memset(m.tls_version, 'v', sizeof(m.tls_version));
	CHECK(format(&m, 1) > 0);
	snprintf(want, sizeof(want), "{gateway=\"%.*s\",version=\"%.*s\",",
		 (int)sizeof(m.gateway), m.gateway, (int)sizeof(m.tls_version),
		 m.tls_version);
	CHECK_INT(count(want), 1);
}

static void every_state_is_one_hot(void)
{
	struct gw_metrics m;
	char line[128];
	unsigned int s, t;

	serving(&m);
	for (s = 0; s <= METRICS_STATE_COUNT; s++) {
		m.state = s;
		CHECK(format(&m, 1) > 0);
		CHECK_INT(count("pizwg_gateway_state{"), METRICS_STATE_COUNT);
		for (t = 0; t < METRICS_STATE_COUNT; t++) {
			snprintf(
				line, sizeof(line),
				"pizwg_gateway_state{gateway=\"zstick\",state=\"%s\"} ",
				metrics_state_name(t));
			CHECK_INT(value_of(line), s == t);
		}
	}
}

static void every_reason_and_cause_is_exported_with_zeros(void)
{
	struct gw_metrics m;
	char line[128];
	unsigned int i;

	memset(&m, 0, sizeof(m));
	snprintf(m.gateway, sizeof(m.gateway), "z");
	m.handshake_failures[METRICS_HS_TIMEOUT] = 9;
	m.fences[METRICS_FENCE_SHUTDOWN] = 8;
	CHECK(format(&m, 1) > 0);
	CHECK_INT(count("pizwg_tls_handshake_failures_total{"),
		  METRICS_HS_COUNT);
	CHECK_INT(count("pizwg_fences_total{"), METRICS_FENCE_COUNT);
	for (i = 0; i < METRICS_HS_COUNT; i++) {
		snprintf(
			line, sizeof(line),
			"pizwg_tls_handshake_failures_total{gateway=\"z\",reason=\"%s\"} ",
			metrics_hs_reason_name(i));
		CHECK_INT(value_of(line), i == METRICS_HS_TIMEOUT ? 9 : 0);
	}
	for (i = 0; i < METRICS_FENCE_COUNT; i++) {
		snprintf(line, sizeof(line),
			 "pizwg_fences_total{gateway=\"z\",cause=\"%s\"} ",
			 metrics_fence_cause_name(i));
		CHECK_INT(value_of(line), i == METRICS_FENCE_SHUTDOWN ? 8 : 0);
	}
}

static void names_are_the_label_values(void)
{
	CHECK_STR(metrics_state_name(METRICS_EXEC), "exec");
	CHECK(!metrics_state_name(METRICS_STATE_COUNT));
	CHECK_STR(metrics_hs_reason_name(METRICS_HS_EXPIRED_CERTIFICATE),
		  "expired_certificate");
	CHECK(!metrics_hs_reason_name(METRICS_HS_COUNT));
	CHECK_STR(metrics_fence_cause_name(METRICS_FENCE_MODULE_UNLOADED),
		  "module_unloaded");
	CHECK(!metrics_fence_cause_name(METRICS_FENCE_COUNT));
}

static void durations_are_prometheus_floats(void)
{
	static const struct {
		double v;
		const char *text;
	} cases[] = {
		{ 0, "0" },
		{ 0.001, "0.001" },
		{ 12.3456789, "12.3456789" },
		{ 1e-5, "1e-05" },
		{ NAN, "NaN" },
		{ INFINITY, "+Inf" },
		{ -INFINITY, "-Inf" },
	};
	struct gw_metrics m;
	char line[128];
	size_t i;

	serving(&m);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		m.enumeration_seconds = cases[i].v;
		CHECK(format(&m, 1) > 0);
		snprintf(
			line, sizeof(line),
			"\npizwg_stick_enumeration_duration_seconds{gateway=\"zstick\"} %s\n",
			cases[i].text);
		CHECK_INT(count(line), 1);
	}
}

/*
 * Two gateways: each family's HELP and TYPE once, then its samples, the
 * gateways in order; no sample outside its family.
 */
static void gateways_share_each_family_header(void)
{
	struct gw_metrics m[2];
	char family[128] = "", *line, *save;
	size_t helps = 0, samples = 0;

	serving(&m[0]);
	serving(&m[1]);
	snprintf(m[1].gateway, sizeof(m[1].gateway), "backup");
	CHECK(format(m, 2) > 0);
	CHECK_INT(count("# HELP pizwg_sessions_total "), 1);
	CHECK_INT(count("# TYPE pizwg_sessions_total counter\n"
			"pizwg_sessions_total{gateway=\"zstick\"} 2\n"
			"pizwg_sessions_total{gateway=\"backup\"} 2\n"),
		  1);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "# HELP ", 7)) {
			snprintf(family, sizeof(family), "%.*s",
				 (int)strcspn(line + 7, " "), line + 7);
			helps++;
		} else if (strncmp(line, "# TYPE ", 7)) {
			CHECK(!strncmp(line, family, strlen(family)));
			CHECK(line[strlen(family)] == '{');
			samples++;
		}
	}
	CHECK_INT(helps, 21);
	CHECK_INT(samples, 2 * 46);
}

static void small_buffers_get_enospc_at_every_length(void)
{
	struct gw_metrics m[2];
	size_t len, full;
	char *buf;

	serving(&m[0]);
	serving(&m[1]);
	full = format(m, 2);
	for (len = 0; len <= full + 1; len++) {
		buf = len ? malloc(len) : NULL;
		CHECK(!len || buf);
		CHECK_INT(metrics_format(m, 2, buf, len),
			  len > full ? (long long)full : -ENOSPC);
		if (len) {
			CHECK_INT(strlen(buf), len > full ? full : len - 1);
			CHECK(!memcmp(buf, text, strlen(buf)));
		}
		free(buf);
	}
}

/* Every string full of characters that escape, every number longest. */
static void worst_case_fits_metrics_text_max(void)
{
	static struct gw_metrics m[CONF_GATEWAYS_MAX];
	size_t i, k;
	int n;

	for (i = 0; i < ARRAY_SIZE(m); i++) {
		memset(&m[i], '"', sizeof(m[i]));
		m[i].port = UINT32_MAX;
		m[i].state = METRICS_SERVING;
		m[i].state_transitions = UINT64_MAX;
		m[i].stick_powered = true;
		m[i].port_guarded = true;
		m[i].power_cycles = UINT64_MAX;
		m[i].unwanted_power_offs = UINT64_MAX;
		m[i].enumeration_seconds = -1.23456789e-300;
		m[i].last_enumeration = INT64_MIN;
		m[i].enumeration_failures = UINT64_MAX;
		m[i].backoff_seconds = UINT32_MAX;
		m[i].session_active = true;
		m[i].sessions = UINT64_MAX;
		m[i].last_session_start = INT64_MIN;
		m[i].last_session_end = INT64_MIN;
		m[i].bytes_to_stick = UINT64_MAX;
		m[i].bytes_from_stick = UINT64_MAX;
		m[i].ktls_tx = m[i].ktls_rx = true;
		for (k = 0; k < METRICS_HS_COUNT; k++)
			m[i].handshake_failures[k] = UINT64_MAX;
		for (k = 0; k < METRICS_FENCE_COUNT; k++)
			m[i].fences[k] = UINT64_MAX;
		m[i].vrrp_enabled = true;
		m[i].vrrp_state = VRRP_STATE_MASTER;
		m[i].vrrp_transitions = UINT64_MAX;
		m[i].adverts_sent = m[i].adverts_received = UINT64_MAX;
		for (k = 0; k < VRRP_DROP_COUNT; k++)
			m[i].adverts_dropped[k] = UINT64_MAX;
		m[i].server_cert_expiry = INT64_MIN;
		m[i].client_trust_expiry = INT64_MIN;
	}
	n = format(m, ARRAY_SIZE(m));
	CHECK(n > 0);
	CHECK(n < METRICS_TEXT_MAX);
	printf("# worst case: %d of %d bytes\n", n, METRICS_TEXT_MAX);
}

/* --- handshake failure reasons ---------------------------------------------- */

static void verify_results_name_the_certificate_problem(void)
{
	CHECK_INT(metrics_hs_reason_of(X509_V_ERR_CERT_HAS_EXPIRED, 0),
		  METRICS_HS_EXPIRED_CERTIFICATE);
	CHECK_INT(metrics_hs_reason_of(X509_V_ERR_CERT_NOT_YET_VALID, 0),
		  METRICS_HS_EXPIRED_CERTIFICATE);
	CHECK_INT(metrics_hs_reason_of(
			  X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
			  ERR_PACK(ERR_LIB_SSL, 0,
				   SSL_R_CERTIFICATE_VERIFY_FAILED)),
		  METRICS_HS_BAD_CERTIFICATE);
	CHECK_INT(metrics_hs_reason_of(X509_V_ERR_CERT_SIGNATURE_FAILURE, 0),
		  METRICS_HS_BAD_CERTIFICATE);
}

static void ssl_errors_without_a_verify_result_are_classified(void)
{
	static const struct {
		unsigned long err;
		enum metrics_hs_reason want;
	} cases[] = {
		{ ERR_PACK(ERR_LIB_SSL, 0,
			   SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE),
		  METRICS_HS_NO_CERTIFICATE },
		{ ERR_PACK(ERR_LIB_SSL, 0,
			   SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED),
		  METRICS_HS_EXPIRED_CERTIFICATE },
		{ ERR_PACK(ERR_LIB_SSL, 0, SSL_R_TLSV1_ALERT_UNKNOWN_CA),
		  METRICS_HS_BAD_CERTIFICATE },
		{ ERR_PACK(ERR_LIB_SSL, 0, SSL_R_SSLV3_ALERT_BAD_CERTIFICATE),
		  METRICS_HS_BAD_CERTIFICATE },
		{ ERR_PACK(ERR_LIB_ASN1, 0, 0), METRICS_HS_BAD_CERTIFICATE },
		{ ERR_PACK(ERR_LIB_SSL, 0, SSL_R_NO_SHARED_CIPHER),
		  METRICS_HS_PROTOCOL },
		{ ERR_PACK(ERR_LIB_SSL, 0, SSL_R_UNSUPPORTED_PROTOCOL),
		  METRICS_HS_PROTOCOL },
		{ ERR_PACK(ERR_LIB_SSL, 0, SSL_R_UNEXPECTED_EOF_WHILE_READING),
		  METRICS_HS_OTHER },
		{ ERR_PACK(ERR_LIB_SYS, 0, ECONNRESET), METRICS_HS_OTHER },
		{ 0, METRICS_HS_OTHER },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		CHECK_INT(metrics_hs_reason_of(X509_V_OK, cases[i].err),
			  cases[i].want);
}

/* A P-256 key */
static EVP_PKEY *new_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	if (!k)
		abort();
	return k;
}

/* Self-signed ones are CAs, as OpenSSL wants a v3 CA to say. */
static bool add_ca_constraint(X509 *x)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(
		NULL, NULL, NID_basic_constraints, "critical,CA:TRUE");
	bool ok = ext && X509_add_ext(x, ext, -1);

	X509_EXTENSION_free(ext);
	return ok;
}

/* A certificate for @cn valid @from..@to, signed by @ca (self if NULL). */
static X509 *new_cert(const char *cn, EVP_PKEY *key, time_t from, time_t to,
		      X509 *ca, EVP_PKEY *ca_key)
{
	static long serial;
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	if (!x || !name ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)cn, -1, -1, 0))
		abort();
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, ca ? X509_get_subject_name(ca) : name);
	if (!ca && !add_ca_constraint(x))
		abort();
	if (!ASN1_TIME_set(X509_getm_notBefore(x), from) ||
	    !ASN1_TIME_set(X509_getm_notAfter(x), to) ||
	    !X509_set_pubkey(x, key) ||
	    !X509_sign(x, ca_key ? ca_key : key, EVP_sha256()))
		abort();
	X509_NAME_free(name);
	return x;
}

struct pki {
	EVP_PKEY *ca_key, *other_key, *server_key, *client_key;
	X509 *ca, *other_ca, *server, *client, *expired, *stranger;
};

static struct pki pki;

#define DAY 86400

static void make_pki(void)
{
	time_t now = time(NULL);

	pki.ca_key = new_key();
	pki.other_key = new_key();
	pki.server_key = new_key();
	pki.client_key = new_key();
	pki.ca = new_cert("ca", pki.ca_key, now - DAY, now + 9 * DAY, NULL,
			  NULL);
	pki.other_ca = new_cert("other", pki.other_key, now - DAY,
				now + 9 * DAY, NULL, NULL);
	pki.server = new_cert("pizwg-server", pki.server_key, now - DAY,
			      now + 9 * DAY, pki.ca, pki.ca_key);
	pki.client = new_cert("pizwg-client", pki.client_key, now - DAY,
			      now + 9 * DAY, pki.ca, pki.ca_key);
	pki.expired = new_cert("pizwg-client", pki.client_key, now - 9 * DAY,
			       now - DAY, pki.ca, pki.ca_key);
	pki.stranger = new_cert("pizwg-client", pki.client_key, now - DAY,
				now + 9 * DAY, pki.other_ca, pki.other_key);
}

static void free_pki(void)
{
	EVP_PKEY_free(pki.ca_key);
	EVP_PKEY_free(pki.other_key);
	EVP_PKEY_free(pki.server_key);
	EVP_PKEY_free(pki.client_key);
	X509_free(pki.ca);
	X509_free(pki.other_ca);
	X509_free(pki.server);
	X509_free(pki.client);
	X509_free(pki.expired);
	X509_free(pki.stranger);
}

/* A context as tls.c makes it: @cert/@key, trusting @trust, verifying. */
static SSL_CTX *new_ctx(bool server, X509 *cert, EVP_PKEY *key, X509 *trust)
{
	SSL_CTX *ctx =
		SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

	if (!ctx || !X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), trust))
		abort();
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (cert && (SSL_CTX_use_certificate(ctx, cert) != 1 ||
		     SSL_CTX_use_PrivateKey(ctx, key) != 1))
		abort();
	SSL_CTX_set_verify(ctx,
			   SSL_VERIFY_PEER |
				   (server ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT :
					     0),
			   NULL);
	return ctx;
}

/* The server's failure of @s, or -1 if the handshake completed. */
static int server_failure(SSL *s, int ret)
{
	unsigned long err = ERR_peek_error();
	int e = SSL_get_error(s, ret);

	if (ret == 1)
		return -1;
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return -2;
	return metrics_hs_reason_of(SSL_get_verify_result(s), err);
}

/*
 * A handshake through a BIO pair: the server as tls.c sets it up, the
 * client presenting @client_cert (none if NULL) and trusting @client_trust.
 * Returns the server's reason, -1 if it succeeded, -2 if it never ended.
 */
static int handshake(X509 *client_cert, X509 *client_trust)
{
	SSL_CTX *sctx = new_ctx(true, pki.server, pki.server_key, pki.ca);
	SSL_CTX *cctx =
		new_ctx(false, client_cert, pki.client_key, client_trust);
	SSL *s = SSL_new(sctx), *c = SSL_new(cctx);
	BIO *sb, *cb;
	int i, r = -2;

	if (!s || !c || !BIO_new_bio_pair(&sb, 0, &cb, 0))
		abort();
	SSL_set_bio(s, sb, sb);
	SSL_set_bio(c, cb, cb);
	SSL_set_accept_state(s);
	SSL_set_connect_state(c);
	for (i = 0; i < 20 && r == -2; i++) {
		ERR_clear_error();
		SSL_do_handshake(c);
		ERR_clear_error();
		r = server_failure(s, SSL_do_handshake(s));
	}
	ERR_clear_error();
	SSL_free(s);
	SSL_free(c);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	return r;
}

static void trusted_client_completes_the_handshake(void)
{
	CHECK_INT(handshake(pki.client, pki.ca), -1);
}

static void client_without_certificate_is_no_certificate(void)
{
	CHECK_INT(handshake(NULL, pki.ca), METRICS_HS_NO_CERTIFICATE);
}

/* --- who connected (tls.c) ------------------------------------------------- */

static void client_identity_is_its_subject_and_serial(void)
{
	char subject[128], serial[48];
	X509 *c;

	c = new_cert("pizwg-client", pki.client_key, 0, time(NULL) + DAY,
		     pki.ca, pki.ca_key);
	ASN1_INTEGER_set(X509_get_serialNumber(c), 0x1a2b3c);
	tls_cert_identity(c, subject, sizeof(subject), serial, sizeof(serial));
	CHECK_STR(subject, "CN=pizwg-client");
	CHECK_STR(serial, "1A2B3C");
	X509_free(c);
}

static void client_identity_escapes_control_and_non_ascii_bytes(void)
{
	char subject[128], serial[48];
	X509 *c;

	c = new_cert("a\nb\x1b[2J\xc3\xa9", pki.client_key, 0,
		     time(NULL) + DAY, pki.ca, pki.ca_key);
	tls_cert_identity(c, subject, sizeof(subject), serial, sizeof(serial));
	CHECK(!strpbrk(subject, "\n\r\x1b"));
	/* new_cert() adds the CN as Latin-1: é is stored as UTF-8 of Ã and © */
	CHECK_STR(subject, "CN=a\\0Ab\\1B[2J\\C3\\83\\C2\\A9");
	X509_free(c);
}

static void client_identity_fits_small_buffers_and_knows_no_certificate(void)
{
	char subject[8], serial[3];

	tls_cert_identity(pki.client, subject, sizeof(subject), serial,
			  sizeof(serial));
	CHECK_STR(subject, "CN=pizw");
	CHECK_INT(strlen(serial), 2);
	tls_cert_identity(NULL, subject, sizeof(subject), serial,
			  sizeof(serial));
	CHECK_STR(subject, "?");
	CHECK_STR(serial, "?");
}

static void client_of_another_ca_is_bad_certificate(void)
{
	CHECK_INT(handshake(pki.stranger, pki.ca), METRICS_HS_BAD_CERTIFICATE);
}

static void expired_client_is_expired_certificate(void)
{
	CHECK_INT(handshake(pki.expired, pki.ca),
		  METRICS_HS_EXPIRED_CERTIFICATE);
}

static void client_rejecting_the_server_is_bad_certificate(void)
{
	CHECK_INT(handshake(pki.client, pki.other_ca),
		  METRICS_HS_BAD_CERTIFICATE);
}

/* The server reading @bytes (then end of file) from its peer */
static int server_reads(const char *bytes)
{
	SSL_CTX *ctx = new_ctx(true, pki.server, pki.server_key, pki.ca);
	SSL *s = SSL_new(ctx);
	BIO *in = BIO_new_mem_buf(bytes, -1), *out = BIO_new(BIO_s_mem());
	int r;

	if (!s || !in || !out)
		abort();
	SSL_set_bio(s, in, out);
	SSL_set_accept_state(s);
	ERR_clear_error();
	r = server_failure(s, SSL_do_handshake(s));
	ERR_clear_error();
	SSL_free(s);
	SSL_CTX_free(ctx);
	return r;
}

static void plain_text_client_is_protocol(void)
{
	CHECK_INT(server_reads("GET / HTTP/1.1\r\n\r\n"), METRICS_HS_PROTOCOL);
}

static void connection_closed_before_hello_is_other(void)
{
	CHECK_INT(server_reads(""), METRICS_HS_OTHER);
}

/* --- the file ---------------------------------------------------------------- */

static const char *tmp_path(const char *name)
{
	static char path[2][sizeof(tmpdir) + 128];
	static int i;

	i = !i;
	snprintf(path[i], sizeof(path[i]), "%s/%s", tmpdir, name);
	return path[i];
}

static const char *read_text(const char *path)
{
	static char buf[256];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* Names in @dir, sorted, space separated */
static const char *list_dir(const char *dir)
{
	static char buf[512];
	struct dirent **names;
	int i, n;
	size_t len = 0;

	buf[0] = '\0';
	n = scandir(dir, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' || strlen(names[i]->d_name) > 2)
			len += snprintf(buf + len, sizeof(buf) - len, "%s%s",
					len ? " " : "", names[i]->d_name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return buf;
}

static void write_creates_missing_directories_and_a_0644_file(void)
{
	char err[256], dir[256];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", tmp_path("run/pizwg/metrics"));
	CHECK_INT(metrics_write(dir, METRICS_FILE, "a 1\n", 4, err,
				sizeof(err)),
		  0);
	CHECK_STR(err, "");
	CHECK(!stat(dir, &st) && S_ISDIR(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0755);
	CHECK_STR(list_dir(dir), "pizwgd.prom");
	CHECK_STR(read_text(tmp_path("run/pizwg/metrics/pizwgd.prom")),
		  "a 1\n");
	CHECK(!stat(tmp_path("run/pizwg/metrics/pizwgd.prom"), &st));
	CHECK_INT(st.st_mode & 07777, 0644);
}

/* A reader that opened the old file keeps reading the old text. */
static void write_replaces_the_file_whole_leaving_no_temporary(void)
{
	char err[256], old[16] = "", path[256];
	int fd;

	snprintf(path, sizeof(path), "%s", tmp_path("w/pizwgd.prom"));

	CHECK_INT(metrics_write(tmp_path("w"), METRICS_FILE, "old\n", 4, err,
				sizeof(err)),
		  0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_INT(metrics_write(tmp_path("w"), METRICS_FILE, "new 2\n", 6, err,
				sizeof(err)),
		  0);
	CHECK_INT(read(fd, old, sizeof(old) - 1), 4);
	close(fd);
	CHECK_STR(old, "old\n");
	CHECK_STR(read_text(path), "new 2\n");
	CHECK_STR(list_dir(tmp_path("w")), "pizwgd.prom");
	CHECK_INT(metrics_write(tmp_path("w"), METRICS_FILE, "", 0, err,
				sizeof(err)),
		  0);
	CHECK_STR(read_text(path), "");
}

static void write_names_a_directory_it_cannot_create(void)
{
	char err[256], want[256];

	CHECK_INT(metrics_write(tmp_path("w"), METRICS_FILE, "x\n", 2, err,
				sizeof(err)),
		  0);
	CHECK_INT(metrics_write(tmp_path("w/pizwgd.prom/m"), METRICS_FILE,
				"x\n", 2, err, sizeof(err)),
		  -ENOTDIR);
	snprintf(want, sizeof(want), "%s: cannot create: Not a directory",
		 tmp_path("w/pizwgd.prom/m"));
	CHECK_STR(err, want);
}

static void write_names_a_file_it_cannot_replace(void)
{
	char err[256], want[256];

	CHECK(!mkdir(tmp_path("d"), 0755));
	CHECK(!mkdir(tmp_path("d/pizwgd.prom"), 0755));
	CHECK_INT(metrics_write(tmp_path("d"), METRICS_FILE, "x\n", 2, err,
				sizeof(err)),
		  -EISDIR);
	snprintf(want, sizeof(want), "%s: cannot replace: Is a directory",
		 tmp_path("d/pizwgd.prom"));
	CHECK_STR(err, want);
	CHECK_STR(list_dir(tmp_path("d")), "pizwgd.prom");
	rmdir(tmp_path("d/pizwgd.prom"));
	rmdir(tmp_path("d"));
}

/* --- certificate expiry -------------------------------------------------------- */

static void write_pem(const char *name, X509 *const *certs, size_t n,
		      const char *tail)
{
	FILE *f = fopen(tmp_path(name), "we");
	size_t i;

	if (!f)
		abort();
	for (i = 0; i < n; i++) {
		if (!PEM_write_X509(f, certs[i]))
			abort();
		/* another kind of PEM block between certificates is skipped */
		if (!i && !PEM_write_PrivateKey(f, pki.client_key, NULL, NULL,
						0, NULL, NULL))
			abort();
	}
	fputs(tail, f);
	if (fclose(f))
		abort();
}

static void cert_expiry_is_the_first_or_the_earliest_not_after(void)
{
	X509 *certs[3];
	int64_t t = 0;

	certs[0] = new_cert("a", pki.client_key, 946684800, 4102444800, NULL,
			    NULL);
	certs[1] = new_cert("b", pki.client_key, 946684800, 1798761600, NULL,
			    NULL);
	certs[2] = new_cert("c", pki.client_key, 946684800, 2524608000, NULL,
			    NULL);
	write_pem("bundle.pem", certs, 3, "");
	CHECK_INT(metrics_cert_expiry(tmp_path("bundle.pem"), &t, false), 0);
	CHECK_INT(t, 4102444800);
	CHECK_INT(metrics_cert_expiry(tmp_path("bundle.pem"), &t, true), 0);
	CHECK_INT(t, 1798761600);
	X509_free(certs[0]);
	X509_free(certs[1]);
	X509_free(certs[2]);
}

static void cert_expiry_refuses_missing_empty_and_broken_files(void)
{
	int64_t t = 7;

	CHECK_INT(metrics_cert_expiry(tmp_path("none.pem"), &t, true), -ENOENT);
	write_pem("empty.pem", NULL, 0, "no certificate here\n");
	CHECK_INT(metrics_cert_expiry(tmp_path("empty.pem"), &t, false),
		  -EINVAL);
	write_pem(
		"broken.pem", &pki.ca, 1,
		"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
	CHECK_INT(metrics_cert_expiry(tmp_path("broken.pem"), &t, true),
		  -EINVAL);
	CHECK_INT(t, 7);
	CHECK_INT(metrics_cert_expiry(tmp_path("broken.pem"), &t, false), 0);
	CHECK(t > 7);
	CHECK_INT(ERR_peek_error(), 0);
}

static const struct unit_test tests[] = {
	UNIT_TEST(serving_gateway_formats_exactly_as_specified),
	UNIT_TEST(idle_gateway_has_no_tls_info_family),
	UNIT_TEST(no_gateways_format_to_nothing),
	UNIT_TEST(label_values_escape_backslash_quote_and_newline),
	UNIT_TEST(unterminated_strings_end_with_their_array),
	UNIT_TEST(every_state_is_one_hot),
	UNIT_TEST(every_reason_and_cause_is_exported_with_zeros),
	UNIT_TEST(names_are_the_label_values),
	UNIT_TEST(durations_are_prometheus_floats),
	UNIT_TEST(gateways_share_each_family_header),
	UNIT_TEST(small_buffers_get_enospc_at_every_length),
	UNIT_TEST(worst_case_fits_metrics_text_max),
	UNIT_TEST(verify_results_name_the_certificate_problem),
	UNIT_TEST(ssl_errors_without_a_verify_result_are_classified),
	UNIT_TEST(trusted_client_completes_the_handshake),
	UNIT_TEST(client_without_certificate_is_no_certificate),
	UNIT_TEST(client_of_another_ca_is_bad_certificate),
	UNIT_TEST(client_identity_is_its_subject_and_serial),
	UNIT_TEST(client_identity_escapes_control_and_non_ascii_bytes),
	UNIT_TEST(client_identity_fits_small_buffers_and_knows_no_certificate),
	UNIT_TEST(expired_client_is_expired_certificate),
	UNIT_TEST(client_rejecting_the_server_is_bad_certificate),
	UNIT_TEST(plain_text_client_is_protocol),
	UNIT_TEST(connection_closed_before_hello_is_other),
	UNIT_TEST(write_creates_missing_directories_and_a_0644_file),
	UNIT_TEST(write_replaces_the_file_whole_leaving_no_temporary),
	UNIT_TEST(write_names_a_directory_it_cannot_create),
	UNIT_TEST(write_names_a_file_it_cannot_replace),
	UNIT_TEST(cert_expiry_is_the_first_or_the_earliest_not_after),
	UNIT_TEST(cert_expiry_refuses_missing_empty_and_broken_files),
};

static void remove_tmpdir(void)
{
	static const char *const names[] = {
		"run/pizwg/metrics/pizwgd.prom",
		"run/pizwg/metrics",
		"run/pizwg",
		"run",
		"w/pizwgd.prom",
		"w",
		"bundle.pem",
		"empty.pem",
		"broken.pem",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		remove(tmp_path(names[i]));
	rmdir(tmpdir);
}

int main(void)
{
	int ret;

	umask(022);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	make_pki();
	ret = unit_main("test_metrics", tests, ARRAY_SIZE(tests));
	free_pki();
	remove_tmpdir();
	return ret;
}
