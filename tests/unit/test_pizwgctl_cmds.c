// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgctl as a user runs it: the whole command (main.c built as
 * pizwgctl_main) against the test double of the netlink library, checking
 * exit codes, stdout, stderr and the requests the module would get.
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "fake_pizwg_genl.h"
#include "pizwgctl.h"
#include "unit.h"

int pizwgctl_main(int argc, char **argv);

struct run {
	int ret;
	char out[4096];
	char err[4096];
};

static void read_back(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Drops SIGINT/SIGTERM left pending by a command, then unblocks them. */
static void settle_signals(void)
{
	struct timespec zero = { 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* Runs `pizwgctl ARGS...` with stdout and stderr captured. */
static struct run run_argv(char **argv)
{
	struct run r = { 0 };
	FILE *out = tmpfile(), *err = tmpfile();
	int saved_out, saved_err, argc = 0;

	while (argv[argc])
		argc++;
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(fileno(out), 1);
	dup2(fileno(err), 2);
	r.ret = pizwgctl_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	read_back(out, r.out, sizeof(r.out));
	read_back(err, r.err, sizeof(r.err));
	settle_signals();
	return r;
}

#define PIZWGCTL(...) run_argv((char *[]){ "pizwgctl", __VA_ARGS__, NULL })

static const struct pizwg_hub usb1 = {
	.name = "usb1", .busnum = 1, .devpath = "0", .vendor_id = 0x1d6b,
	.product_id = 0x0002, .num_ports = 1, .nports = 1,
	.ports = { { .number = 1, .power = true, .connected = true,
		     .power_known = true, .child = "1-1" } },
};

static const struct pizwg_tty acm0 = {
	.name = "ttyACM0", .major = 166, .busnum = 1, .devpath = "1",
	.device = "1-1", .hub = "usb1", .port = 1, .vendor_id = 0x0658,
	.product_id = 0x0200, .has_serial = true, .serial = "S1",
};

static void setup(void)
{
	fake_reset();
	fake.hubs[0] = usb1;
	fake.nhubs = 1;
	fake.ttys[0] = acm0;
	fake.nttys = 1;
}

static void version_prints_name_and_version(void)
{
	struct run r = PIZWGCTL("--version");

	CHECK_INT(r.ret, 0);
	CHECK_STR(r.out, "pizwgctl test\n");
	CHECK_STR(r.err, "");
}

static void help_lists_every_command(void)
{
	struct run r = PIZWGCTL("--help");

	CHECK_INT(r.ret, 0);
	CHECK(!strncmp(r.out, "usage: pizwgctl [--json] COMMAND", 32));
	CHECK(strstr(r.out, "\n  hubs ") && strstr(r.out, "\n  ttys ") &&
	      strstr(r.out, "\n  power ") && strstr(r.out, "\n  monitor "));
	CHECK_STR(r.err, "");
}

static void every_command_has_help(void)
{
	static const char *const cmds[] = { "hubs", "ttys", "power",
					    "monitor", "status" };
	char want[64];
	struct run r;
	size_t i;

	setup();
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		r = PIZWGCTL((char *)cmds[i], "--help");
		CHECK_INT(r.ret, 0);
		snprintf(want, sizeof(want), "usage: pizwgctl %s ", cmds[i]);
		CHECK(!strncmp(r.out, want, strlen(want)));
		CHECK_STR(r.err, "");
	}
	CHECK_INT(fake.opens, 0);
}

static void command_line_errors_exit_2_with_one_line(void)
{
	struct run r;

	r = PIZWGCTL("--json");
	CHECK_INT(r.ret, 2);
	CHECK_STR(r.err, "pizwgctl: missing COMMAND (try 'pizwgctl --help')\n");
	r = PIZWGCTL("frobnicate");
	CHECK_INT(r.ret, 2);
	CHECK_STR(r.err, "pizwgctl: unknown command \"frobnicate\" "
		  "(try 'pizwgctl --help')\n");
	r = PIZWGCTL("status", "--metrics");
	CHECK_INT(r.ret, 2);
	r = PIZWGCTL("-v", "hubs");
	CHECK_INT(r.ret, 2);
	CHECK_STR(r.err, "pizwgctl: unknown option \"-v\" "
		  "(try 'pizwgctl --help')\n");
	r = PIZWGCTL("hubs", "usb1", "usb2");
	CHECK_INT(r.ret, 2);
	CHECK_STR(r.err, "pizwgctl: hubs: unexpected argument \"usb2\" "
		  "(try 'pizwgctl hubs --help')\n");
	CHECK_STR(r.out, "");
}

static void status_without_a_metrics_file_says_so_and_exits_1(void)
{
	struct run r;

	setup();
	r = PIZWGCTL("status", "--metrics", "/nonexistent/pizwgd.prom");
	CHECK_INT(r.ret, 1);
	CHECK_STR(r.out, "");
	CHECK_STR(r.err, "pizwgctl: status: /nonexistent/pizwgd.prom: No such "
		  "file or directory (is pizwgd running?)\n");
	CHECK_INT(fake.opens, 0);
}

static void module_not_loaded_is_one_line_for_every_command(void)
{
	static const char *const cmds[] = { "hubs", "ttys", "monitor" };
	struct run r;
	size_t i;

	setup();
	fake.open_err = -EPROTONOSUPPORT;
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		r = PIZWGCTL((char *)cmds[i]);
		CHECK_INT(r.ret, 1);
		CHECK_STR(r.out, "");
		CHECK_STR(r.err, "pizwgctl: pizwg kernel module not loaded\n");
	}
	r = PIZWGCTL("power", "usb1", "1", "on");
	CHECK_INT(r.ret, 1);
	CHECK_STR(r.err, "pizwgctl: pizwg kernel module not loaded\n");
	CHECK_INT(fake.set_ports, 0);
}

static void hubs_prints_text_or_json(void)
{
	struct run r;

	setup();
	r = PIZWGCTL("hubs");
	CHECK_INT(r.ret, 0);
	CHECK_STR(r.out, "usb1 bus 1 1d6b:0002 ports 1 switching individual\n"
		  "  port 1 power on connected child 1-1 leased no\n");
	CHECK_INT(fake.closes, fake.opens);
	r = PIZWGCTL("--json", "hubs");
	CHECK_INT(r.ret, 0);
	CHECK(r.out[0] == '[' && !strcmp(r.out + strlen(r.out) - 3, "}]\n"));
	r = PIZWGCTL("hubs", "usb1", "--json");
	CHECK_INT(r.ret, 0);
	CHECK(r.out[0] == '[');
	CHECK_STR(r.err, "");
}

static void hubs_of_an_unknown_hub_fails(void)
{
	struct run r;

	setup();
	fake.extack = "no such hub";
	r = PIZWGCTL("hubs", "usb9");
	CHECK_INT(r.ret, 1);
	CHECK_STR(r.out, "");
	CHECK_STR(r.err, "pizwgctl: hubs usb9: no such hub\n");
}

static void hubs_dump_failure_names_the_reason(void)
{
	struct run r;

	setup();
	fake.get_err = -EPROTO;
	r = PIZWGCTL("hubs");
	CHECK_INT(r.ret, 1);
	CHECK_STR(r.err, "pizwgctl: hubs: malformed message from the pizwg "
		  "module\n");
}

static void ttys_prints_text_and_fails_on_unknown_tty(void)
{
	struct run r;

	setup();
	r = PIZWGCTL("ttys");
	CHECK_INT(r.ret, 0);
	CHECK_STR(r.out, "ttyACM0 166:0 bus 1 devpath 1 hub usb1 port 1 "
		  "0658:0200 serial S1 - -\n");
	fake.extack = "no such CDC-ACM tty";
	r = PIZWGCTL("ttys", "ttyACM7");
	CHECK_INT(r.ret, 1);
	CHECK_STR(r.err, "pizwgctl: ttys ttyACM7: no such tty "
		  "(kernel: no such CDC-ACM tty)\n");
}

static void power_on_switches_then_releases_the_lease(void)
{
	struct run r;

	setup();
	r = PIZWGCTL("power", "usb1", "1", "on");
	CHECK_INT(r.ret, 0);
	CHECK_STR(r.out, "port usb1 1 power on leased no\n");
	CHECK_STR(r.err, "");
	CHECK_INT(fake.set_ports, 1);
	CHECK_STR(fake.req.hub, "usb1");
	CHECK_INT(fake.req.port, 1);
	CHECK_INT(fake.req.action, PIZWG_ACTION_ON);
	CHECK(!fake.req.force);
	CHECK_INT(fake.releases, 1);
	CHECK_STR(fake.release_hub, "usb1");
	CHECK_INT(fake.release_port, 1);
	CHECK_INT(fake.closes, 1);
}

static void power_off_has_no_lease_to_release(void)
{
	struct run r;

	setup();
	r = PIZWGCTL("power", "--json", "usb1", "1", "off", "--force");
	CHECK_INT(r.ret, 0);
	CHECK_STR(r.out, "{\"hub\":\"usb1\",\"port\":1,\"power\":false,"
		  "\"leased\":false}\n");
	CHECK_INT(fake.req.action, PIZWG_ACTION_OFF);
	CHECK(fake.req.force);
	CHECK_INT(fake.releases, 0);
}

static void power_cycle_sends_off_time(void)
{
	struct run r;

	setup();
	r = PIZWGCTL("power", "usb1", "1", "cycle", "--off-ms", "300");
	CHECK_INT(r.ret, 0);
	CHECK_INT(fake.req.action, PIZWG_ACTION_CYCLE);
	CHECK_INT(fake.req.off_ms, 300);
	CHECK_INT(fake.releases, 1);
	r = PIZWGCTL("power", "usb1", "1", "cycle");
	CHECK_INT(fake.req.off_ms, 0);
}

static void power_hold_keeps_the_lease_until_sigterm(void)
{
	struct run r;

	setup();
	fake.sigterm_on_set_port = true;
	r = PIZWGCTL("power", "--hold", "usb1", "1", "on");
	CHECK_INT(r.ret, 0);
	CHECK_STR(r.out, "port usb1 1 power on leased yes\n");
	CHECK_INT(fake.releases, 0);
	CHECK_INT(fake.closes, 1);
}

static void power_refusals_name_the_reason(void)
{
	static const struct {
		int err;
		const char *extack;
		const char *line;
	} cases[] = {
		{ -ENODEV, "no such hub",
		  "pizwgctl: power usb9 1: no such hub\n" },
		{ -EINVAL, "port out of range for this hub",
		  "pizwgctl: power usb9 1: port out of range "
		  "(kernel: port out of range for this hub)\n" },
		{ -EPERM, NULL,
		  "pizwgctl: power usb9 1: not permitted "
		  "(needs CAP_NET_ADMIN)\n" },
		{ -EOPNOTSUPP, "hub has no per-port power switching",
		  "pizwgctl: power usb9 1: hub has no per-port power "
		  "switching (use --force)\n" },
		{ -EBUSY, "port is leased to another socket",
		  "pizwgctl: power usb9 1: port is leased to another process "
		  "(kernel: port is leased to another socket)\n" },
	};
	struct run r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		setup();
		fake.set_port_err = cases[i].err;
		fake.extack = cases[i].extack;
		r = PIZWGCTL("power", "usb9", "1", "on");
		CHECK_INT(r.ret, 1);
		CHECK_STR(r.out, "");
		CHECK_STR(r.err, cases[i].line);
		CHECK_INT(fake.releases, 0);
	}
}

static void power_failed_release_says_the_port_goes_off(void)
{
	struct run r;

	setup();
	fake.release_err = -ENOENT;
	r = PIZWGCTL("power", "usb1", "1", "on");
	CHECK_INT(r.ret, 1);
	CHECK_STR(r.out, "");
	CHECK_STR(r.err, "pizwgctl: power usb1 1: release failed, port goes "
		  "off as pizwgctl exits: port is not leased to this "
		  "process\n");
}

static void power_usage_errors_exit_2_before_any_request(void)
{
	struct run r;

	setup();
	r = PIZWGCTL("power", "usb1", "0", "on");
	CHECK_INT(r.ret, 2);
	CHECK_STR(r.err, "pizwgctl: power: bad port \"0\" (a number from 1) "
		  "(try 'pizwgctl power --help')\n");
	r = PIZWGCTL("power", "usb1", "1", "toggle");
	CHECK_INT(r.ret, 2);
	r = PIZWGCTL("power", "usb1");
	CHECK_INT(r.ret, 2);
	CHECK_STR(r.err, "pizwgctl: power: missing PORT "
		  "(try 'pizwgctl power --help')\n");
	CHECK_INT(fake.opens, 0);
}

static void monitor_prints_each_event_until_sigterm(void)
{
	struct run r;

	setup();
	fake.events[0].type = PIZWG_EVENT_TTY_ADDED;
	fake.events[0].timestamp_ns = 2000000001;
	fake.events[0].tty = acm0;
	fake.events[1].type = PIZWG_EVENT_PORT_CHANGED;
	fake.events[1].timestamp_ns = 3000000000;
	fake.events[1].cause = PIZWG_CAUSE_LEASE_EXPIRY;
	snprintf(fake.events[1].port.hub, PIZWG_NAME_MAX, "usb1");
	fake.events[1].port.port = 1;
	fake.nevents = 2;
	fake.sigterm_after_events = true;
	r = PIZWGCTL("monitor");
	CHECK_INT(r.ret, 0);
	CHECK_STR(r.out, "2.000000001 tty-added ttyACM0 hub usb1 port 1 "
		  "0658:0200 serial S1 cause request\n"
		  "3.000000000 port usb1 1 power off leased no "
		  "cause lease-expiry\n");
	CHECK_STR(r.err, "");
	CHECK_INT(fake.subscribes, 1);
	CHECK_INT(fake.closes, 1);
}

static void monitor_json_is_one_object_per_line(void)
{
	struct run r;

	setup();
	fake.events[0].type = PIZWG_EVENT_MODULE_REMOVED;
	fake.events[0].timestamp_ns = 7;
	fake.nevents = 1;
	fake.sigterm_after_events = true;
	r = PIZWGCTL("monitor", "--json");
	CHECK_INT(r.ret, 0);
	CHECK_STR(r.out, "{\"timestamp\":\"0.000000007\",\"timestamp_ns\":7,"
		  "\"event\":\"module-removed\"}\n");
}

static void monitor_warns_of_lost_events_and_goes_on(void)
{
	struct run r;

	setup();
	fake.process_ret = -ENOBUFS;
	fake.sigterm_after_events = true;
	r = PIZWGCTL("monitor");
	CHECK_INT(r.ret, 0);
	CHECK_STR(r.err, "pizwgctl: monitor: events lost, socket buffer "
		  "full\n");
}

static void monitor_stops_on_a_socket_error(void)
{
	struct run r;

	setup();
	fake.process_ret = -EBADF;
	r = PIZWGCTL("monitor");
	CHECK_INT(r.ret, 1);
	CHECK_STR(r.err, "pizwgctl: monitor: Bad file descriptor\n");
}

static const struct unit_test tests[] = {
	UNIT_TEST(version_prints_name_and_version),
	UNIT_TEST(help_lists_every_command),
	UNIT_TEST(every_command_has_help),
	UNIT_TEST(command_line_errors_exit_2_with_one_line),
	UNIT_TEST(status_without_a_metrics_file_says_so_and_exits_1),
	UNIT_TEST(module_not_loaded_is_one_line_for_every_command),
	UNIT_TEST(hubs_prints_text_or_json),
	UNIT_TEST(hubs_of_an_unknown_hub_fails),
	UNIT_TEST(hubs_dump_failure_names_the_reason),
	UNIT_TEST(ttys_prints_text_and_fails_on_unknown_tty),
	UNIT_TEST(power_on_switches_then_releases_the_lease),
	UNIT_TEST(power_off_has_no_lease_to_release),
	UNIT_TEST(power_cycle_sends_off_time),
	UNIT_TEST(power_hold_keeps_the_lease_until_sigterm),
	UNIT_TEST(power_refusals_name_the_reason),
	UNIT_TEST(power_failed_release_says_the_port_goes_off),
	UNIT_TEST(power_usage_errors_exit_2_before_any_request),
	UNIT_TEST(monitor_prints_each_event_until_sigterm),
	UNIT_TEST(monitor_json_is_one_object_per_line),
	UNIT_TEST(monitor_warns_of_lost_events_and_goes_on),
	UNIT_TEST(monitor_stops_on_a_socket_error),
};

int main(void)
{
	return unit_main("test_pizwgctl_cmds", tests, ARRAY_SIZE(tests));
}
