// SPDX-License-Identifier: GPL-2.0-only
/*
 * metrics-sample: prints the metrics file pizwgd would write for two
 * gateways, one serving a client over kernel TLS and one backing off after
 * failed enumerations, for tests/metrics/test-promtool to feed to promtool
 * and node_exporter.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"

static void serving(struct gw_metrics *m)
{
	snprintf(m->gateway, sizeof(m->gateway), "zstick");
	snprintf(m->hub, sizeof(m->hub), "1-1");
	m->port = 2;
	snprintf(m->listen, sizeof(m->listen), "0.0.0.0:3333");
	m->state = METRICS_SERVING;
	m->state_transitions = 7;
	m->stick_powered = true;
	m->power_cycles = 2;
	m->enumeration_seconds = 1.874;
	m->last_enumeration = 1767225600;
	m->session_active = true;
	m->sessions = 3;
	m->last_session_start = 1767225612;
	m->last_session_end = 1767225611;
	m->bytes_to_stick = 48213;
	m->bytes_from_stick = 1093345;
	snprintf(m->tls_version, sizeof(m->tls_version), "TLSv1.3");
	snprintf(m->tls_cipher, sizeof(m->tls_cipher),
		 "TLS_AES_256_GCM_SHA384");
	m->ktls_tx = true;
	m->ktls_rx = true;
	m->handshake_failures[METRICS_HS_BUSY] = 4;
	m->handshake_failures[METRICS_HS_NO_CERTIFICATE] = 1;
	m->fences[METRICS_FENCE_CLIENT_CLOSED] = 1;
	m->fences[METRICS_FENCE_INACTIVITY] = 1;
	m->server_cert_expiry = 4102444800;
	m->client_trust_expiry = 4102444800;
}

static void backing_off(struct gw_metrics *m)
{
	snprintf(m->gateway, sizeof(m->gateway), "backup");
	snprintf(m->hub, sizeof(m->hub), "usb2");
	m->port = 1;
	snprintf(m->listen, sizeof(m->listen), "192.0.2.10:3334");
	m->state = METRICS_BACKOFF;
	m->state_transitions = 6;
	m->power_cycles = 3;
	m->enumeration_failures = 3;
	m->backoff_seconds = 40;
	m->fences[METRICS_FENCE_ENUMERATION_FAILURE] = 3;
	m->server_cert_expiry = 4102444800;
	m->client_trust_expiry = 1798761600;
}

int main(int argc, char **argv)
{
	static struct gw_metrics m[2];
	static char text[METRICS_TEXT_MAX];
	int n;

	if (argc > 1 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: metrics-sample\n"
		       "Prints the metrics of two sample gateways in the Prometheus text format.\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr,
			"metrics-sample: no arguments expected (see --help)\n");
		return 2;
	}
	serving(&m[0]);
	backing_off(&m[1]);
	n = metrics_format(m, 2, text, sizeof(text));
	if (n < 0) {
		fprintf(stderr, "metrics-sample: %s\n", strerror(-n));
		return 1;
	}
	return fwrite(text, 1, n, stdout) == (size_t)n && !fflush(stdout) ? 0 :
									    1;
}
