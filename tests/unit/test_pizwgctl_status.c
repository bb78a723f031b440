// SPDX-License-Identifier: GPL-2.0-only
/* pizwgctl status: reading pizwgd's metrics file back. */
#include <errno.h>

#include "pizwgctl.h"
#include "unit.h"

static const char sample[] =
	"# HELP pizwg_gateway_state Current state.\n"
	"# TYPE pizwg_gateway_state gauge\n"
	"pizwg_gateway_state{gateway=\"zstick\",state=\"starting\"} 0\n"
	"pizwg_gateway_state{gateway=\"zstick\",state=\"serving\"} 1\n"
	"pizwg_gateway_state{gateway=\"spare\",state=\"backoff\"} 1\n"
	"pizwg_vrrp_state{gateway=\"zstick\",state=\"backup\"} 0\n"
	"pizwg_vrrp_state{gateway=\"zstick\",state=\"master\"} 1\n"
	"pizwg_stick_powered{gateway=\"zstick\"} 1\n"
	"pizwg_sessions_active{gateway=\"zstick\"} 1\n"
	"pizwg_sessions_total{gateway=\"zstick\"} 3\n"
	"pizwg_session_last_start_timestamp_seconds{gateway=\"zstick\"} 1795324800\n"
	"pizwg_session_bytes_total{gateway=\"zstick\",direction=\"to_stick\"} 5\n"
	"pizwg_session_bytes_total{gateway=\"zstick\",direction=\"from_stick\"} 19\n"
	"pizwg_session_tls_info{gateway=\"zstick\",version=\"TLSv1.3\",cipher=\"X\"} 1\n"
	"pizwg_session_ktls_active{gateway=\"zstick\",direction=\"tx\"} 1\n"
	"pizwg_session_ktls_active{gateway=\"zstick\",direction=\"rx\"} 0\n"
	"pizwg_fences_total{gateway=\"zstick\",cause=\"client_closed\"} 2\n"
	"pizwg_fences_total{gateway=\"zstick\",cause=\"inactivity\"} 1\n"
	"node_other_metric 7\n";

static void parses_every_gateway_in_order_of_appearance(void)
{
	struct status_gw g[4];
	size_t n;

	CHECK_INT(status_parse(sample, g, 4, &n), 0);
	CHECK_INT(n, 2);
	CHECK_STR(g[0].name, "zstick");
	CHECK_STR(g[1].name, "spare");
	CHECK_STR(g[1].state, "backoff");
}

static void reads_state_session_bytes_ktls_and_fences(void)
{
	struct status_gw g[4];
	size_t n;

	CHECK_INT(status_parse(sample, g, 4, &n), 0);
	CHECK_STR(g[0].state, "serving");
	CHECK_STR(g[0].vrrp, "master");
	CHECK_STR(g[1].vrrp, "");
	CHECK(g[0].stick_powered);
	CHECK(g[0].session_active);
	CHECK_STR(g[0].tls, "TLSv1.3");
	CHECK(g[0].ktls_tx);
	CHECK(!g[0].ktls_rx);
	CHECK_INT((int)g[0].sessions, 3);
	CHECK_INT((int)g[0].bytes_to_stick, 5);
	CHECK_INT((int)g[0].bytes_from_stick, 19);
	CHECK_INT((int)g[0].fences, 3);
	CHECK(g[0].last_session == 1795324800.0);
}

static void text_names_state_and_marks_stale(void)
{
	struct status_gw g[4];
	char *text;
	size_t n;

	CHECK_INT(status_parse(sample, g, 4, &n), 0);
	text = status_format_text(g, n, true);
	CHECK(text != NULL);
	CHECK_STR(text,
		  "zstick serving stick on session active vrrp master "
		  "TLSv1.3 ktls tx "
		  "sessions 3 bytes to-stick 5 from-stick 19 last-session "
		  "1795324800 fences 3 stale\n"
		  "spare backoff stick off session none sessions 0 bytes "
		  "to-stick 0 from-stick 0 last-session 0 fences 0 stale\n");
	free(text);
}

static void a_file_without_gateways_is_enodata(void)
{
	struct status_gw g[2];
	size_t n;

	CHECK_INT(status_parse("# nothing\nnode_x 1\n", g, 2, &n), -ENODATA);
	CHECK_INT(status_parse("", g, 2, &n), -ENODATA);
}

static void more_gateways_than_room_is_e2big(void)
{
	struct status_gw g[1];
	size_t n;

	CHECK_INT(status_parse(sample, g, 1, &n), -E2BIG);
}

static void garbage_lines_are_skipped(void)
{
	struct status_gw g[2];
	size_t n;

	CHECK_INT(status_parse("pizwg_x{gateway=\"a\n}}} 1\n"
			       "pizwg_sessions_total{gateway=\"a\"} 4\n"
			       "pizwg_sessions_total{gateway=\"a\"\n",
			       g, 2, &n), 0);
	CHECK_INT(n, 1);
	CHECK_INT((int)g[0].sessions, 4);
}

int main(void)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(parses_every_gateway_in_order_of_appearance),
		UNIT_TEST(reads_state_session_bytes_ktls_and_fences),
		UNIT_TEST(text_names_state_and_marks_stale),
		UNIT_TEST(a_file_without_gateways_is_enodata),
		UNIT_TEST(more_gateways_than_room_is_e2big),
		UNIT_TEST(garbage_lines_are_skipped),
	};

	return unit_main("test_pizwgctl_status", tests,
			 sizeof(tests) / sizeof(tests[0]));
}
