// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgctl power [--json] [--force] [--hold] [--off-ms MS]
 *                HUB PORT on|off|cycle
 *
 * Switches one hub port. Options may come before, between or after the
 * arguments; "--" ends them. "on" and "cycle" lease the port to pizwgctl's
 * netlink socket: without --hold the lease is released before exiting, so
 * the port stays on; with --hold pizwgctl keeps it and waits for SIGINT or
 * SIGTERM, then exits 0 and the module switches the port off as the socket
 * closes.
 *
 * Text, once the switch has taken effect (and the lease is released or
 * held), the port's state as the monitor prints it, without time and cause:
 *
 *   port HUB PORT power on|off leased yes|no
 *   port usb1 1 power on leased no
 *
 * JSON: one object: {"hub":"usb1","port":1,"power":true,"leased":false}
 *
 * Errors (exit 1), one line on stderr, the kernel's extack appended in
 * parentheses when it says more than the reason:
 *
 *   pizwgctl: pizwg kernel module not loaded
 *   pizwgctl: power usb9 1: no such hub
 *   pizwgctl: power usb1 9: port out of range (kernel: port out of range
 *     for this hub)       (one line, folded here)
 *   pizwgctl: power usb1 1: not permitted (needs CAP_NET_ADMIN)
 *   pizwgctl: power usb1 1: not permitted (kernel: port is not in the
 *     module's allow list)       (one line, folded here)
 *   pizwgctl: power usb1 1: hub has no per-port power switching (use --force)
 *   pizwgctl: power usb1 1: port is leased to another process
 *   pizwgctl: power usb1 1: release failed, port goes off as pizwgctl
 *     exits: REASON       (one line, folded here)
 *
 * Usage errors (exit 2): bad or missing HUB, PORT (a decimal number from 1)
 * or action, unknown options, --off-ms outside 10..60000 or without cycle,
 * --hold with off.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "pizwgctl.h"

static const char power_usage[] =
	"usage: " PROG " power [--json] [--force] [--hold] [--off-ms MS] HUB PORT on|off|cycle\n"
	"\n"
	"Switches port PORT (from 1) of hub HUB (e.g. usb1 or 1-1) on, off, or\n"
	"off and on again, and returns once the switch has taken effect. Needs\n"
	"CAP_NET_ADMIN. A port switched on is leased to this process; it is\n"
	"released before exiting, so the port stays on, unless --hold is given.\n"
	"A guarded port (the module's guard parameter) is powered only while\n"
	"leased: on and cycle need --hold there.\n"
	"\n"
	"  --force       switch even when the hub reports no per-port power\n"
	"                switching (ganged or none)\n"
	"  --hold        on, cycle: keep the lease and wait for SIGINT or\n"
	"                SIGTERM, then exit 0; the module switches the port\n"
	"                off as pizwgctl exits\n"
	"  --off-ms MS   cycle: how long the port stays off, 10..60000 ms\n"
	"                (default 1000)\n"
	"  --json        print the resulting port state as JSON\n"
	"  --help        print this help\n";

/* A lone "-", and negative numbers, are arguments (bad ones), not options. */
static bool looks_like_option(const char *arg)
{
	return arg[0] == '-' && arg[1] && (arg[1] < '0' || arg[1] > '9');
}

static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/* Options, and positionals into @pos; returns the positional count or -1. */
static int power_scan(int argc, char **argv, struct power_args *a,
		      struct ctl_opts *opts, const char **pos,
		      const char **off_ms, char *err, size_t errlen)
{
	bool options = true;
	int npos = 0;
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!options || !looks_like_option(arg)) {
			if (npos == 3) {
				snprintf(err, errlen,
					 "unexpected argument \"%s\"", arg);
				return -1;
			}
			pos[npos++] = arg;
		} else if (!strcmp(arg, "--")) {
			options = false;
		} else if (!strcmp(arg, "--json")) {
			opts->json = true;
		} else if (!strcmp(arg, "--hold")) {
			a->hold = true;
		} else if (!strcmp(arg, "--force")) {
			a->force = true;
		} else if (!strncmp(arg, "--off-ms=", 9)) {
			*off_ms = arg + 9;
		} else if (!strcmp(arg, "--off-ms")) {
			if (i + 1 == argc) {
				snprintf(err, errlen,
					 "--off-ms needs a value (10..60000)");
				return -1;
			}
			*off_ms = argv[++i];
		} else {
			snprintf(err, errlen, "unknown option \"%s\"", arg);
			return -1;
		}
	}
	return npos;
}

static int parse_action(const char *s, enum pizwg_action *action)
{
	uint32_t i;

	for (i = 0; i <= PIZWG_ACTION_MAX; i++) {
		if (!strcmp(s, pizwg_action_name(i))) {
			*action = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int power_check(struct power_args *a, int npos, const char **pos,
		       const char *off_ms, char *err, size_t errlen)
{
	static const char *const missing[] = { "HUB", "PORT", "on|off|cycle" };

	if (npos < 3) {
		snprintf(err, errlen, "missing %s", missing[npos]);
		return -1;
	}
	a->hub = pos[0];
	if (!*a->hub || strlen(a->hub) >= PIZWG_NAME_MAX) {
		snprintf(err, errlen, "bad hub name \"%s\"", a->hub);
		return -1;
	}
	if (parse_u32(pos[1], 1, UINT32_MAX, &a->port)) {
		snprintf(err, errlen, "bad port \"%s\" (a number from 1)",
			 pos[1]);
		return -1;
	}
	if (parse_action(pos[2], &a->action)) {
		snprintf(err, errlen, "unknown action \"%s\" (on, off or cycle)",
			 pos[2]);
		return -1;
	}
	if (off_ms && a->action != PIZWG_ACTION_CYCLE) {
		snprintf(err, errlen, "--off-ms applies to cycle only");
		return -1;
	}
	if (off_ms && parse_u32(off_ms, PIZWG_OFF_MS_MIN, PIZWG_OFF_MS_MAX,
				&a->off_ms)) {
		snprintf(err, errlen, "bad --off-ms \"%s\" (10..60000)", off_ms);
		return -1;
	}
	if (a->hold && a->action == PIZWG_ACTION_OFF) {
		snprintf(err, errlen, "--hold applies to on and cycle only");
		return -1;
	}
	return 0;
}

int power_parse_args(int argc, char **argv, struct power_args *a,
		     struct ctl_opts *opts, char *err, size_t errlen)
{
	const char *pos[3];
	const char *off_ms = NULL;
	int npos;

	memset(a, 0, sizeof(*a));
	if (wants_help(argc, argv)) {
		a->help = true;
		return 0;
	}
	npos = power_scan(argc, argv, a, opts, pos, &off_ms, err, errlen);
	if (npos < 0 || power_check(a, npos, pos, off_ms, err, errlen))
		return CTL_EXIT_USAGE;
	return 0;
}

const char *power_reason(int err)
{
	switch (-err) {
	case ENODEV:
		return "no such hub";
	case EINVAL:
	case ERANGE:
		return "port out of range";
	case EPERM:
		return "not permitted (needs CAP_NET_ADMIN)";
	case EOPNOTSUPP:
		return "hub has no per-port power switching (use --force)";
	case EBUSY:
		return "port is leased to another process";
	case ENOENT:
		return "port is not leased to this process";
	default:
		return pizwg_genl_strerror(err);
	}
}

char *power_error_line(const struct power_args *a, const char *stage,
		       int err, const char *extack)
{
	char *what;
	char *line;
	int ret;

	if (stage)
		ret = asprintf(&what, "power %s %" PRIu32 ": %s", a->hub,
			       a->port, stage);
	else
		ret = asprintf(&what, "power %s %" PRIu32, a->hub, a->port);
	if (ret < 0)
		return NULL;
	/*
	 * EPERM with the kernel's reason (the allow list, a guarded port) is
	 * not about capabilities: the reason says why.
	 */
	line = error_line(what, err,
			  err == -EPERM && extack && *extack ?
			  "not permitted" : power_reason(err), extack);
	free(what);
	return line;
}

static int power_fail(const struct power_args *a, const char *stage, int err,
		      const char *extack)
{
	char *line;

	line = power_error_line(a, stage, err, extack);
	fprintf(stderr, "%s\n", line ? line : PROG ": out of memory");
	free(line);
	return CTL_EXIT_FAIL;
}

char *power_format_text(const struct pizwg_port_event *state)
{
	char *buf = NULL;
	size_t len;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	put_port_state(f, state);
	fputc('\n', f);
	return memstream_done(f, &buf);
}

struct json_object *power_to_json(const struct pizwg_port_event *state)
{
	struct json_object *obj;

	obj = json_object_new_object();
	if (obj && !json_add_port_state(obj, state)) {
		json_object_put(obj);
		obj = NULL;
	}
	return obj;
}

/* Holds the lease until SIGINT or SIGTERM (blocked since before the switch). */
static void wait_for_signal(const sigset_t *set)
{
	int sig;

	while (sigwait(set, &sig))
		;
}

/*
 * 1 if the module guards the port, 0 if not (or there is no such hub or
 * port: the switch then says so), -errno if it cannot tell: then nothing
 * is switched, rather than powering a guarded port for an instant.
 */
static int power_guarded(struct pizwg_genl *g, const struct power_args *a)
{
	struct pizwg_hub hub;
	int ret;

	ret = pizwg_genl_get_hub(g, a->hub, &hub);
	if (ret == -ENODEV)
		return 0;
	if (ret)
		return ret;
	return a->port >= 1 && a->port <= hub.nports &&
	       hub.ports[a->port - 1].guarded;
}

static int power_switch(struct pizwg_genl *g, const struct power_args *a,
			const struct ctl_opts *opts)
{
	struct pizwg_power_req req = {
		.hub = a->hub,
		.port = a->port,
		.action = a->action,
		.off_ms = a->off_ms,
		.force = a->force,
	};
	struct pizwg_port_event state = {
		.port = a->port,
		.power = a->action != PIZWG_ACTION_OFF,
		.leased = a->action != PIZWG_ACTION_OFF,
	};
	int ret;

	snprintf(state.hub, sizeof(state.hub), "%s", a->hub);
	ret = state.leased && !a->hold ? power_guarded(g, a) : 0;
	if (ret < 0)
		return power_fail(a, "cannot tell whether the port is guarded",
				  ret, pizwg_genl_extack(g));
	if (ret) {
		fprintf(stderr,
			PROG ": power %s %" PRIu32 ": the port is guarded (powered only while leased): use --hold\n",
			a->hub, a->port);
		return CTL_EXIT_FAIL;
	}
	ret = pizwg_genl_set_port(g, &req);
	if (ret)
		return power_fail(a, NULL, ret, pizwg_genl_extack(g));
	if (state.leased && !a->hold) {
		ret = pizwg_genl_release_port(g, a->hub, a->port);
		if (ret)
			return power_fail(a,
					  "release failed, port goes off as "
					  PROG " exits",
					  ret, pizwg_genl_extack(g));
		state.leased = false;
	}
	if (opts->json)
		return print_json(power_to_json(&state));
	return print_text(power_format_text(&state));
}

int cmd_power(int argc, char **argv, struct ctl_opts *opts)
{
	char err[CTL_ERR_MAX];
	struct power_args a;
	struct pizwg_genl *g;
	sigset_t set;
	int ret;

	if (power_parse_args(argc, argv, &a, opts, err, sizeof(err)))
		return usage_error("power", err);
	if (a.help) {
		fputs(power_usage, stdout);
		return CTL_EXIT_OK;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (a.hold)
		sigprocmask(SIG_BLOCK, &set, NULL);
	ret = pizwg_genl_open(&g);
	if (ret)
		return power_fail(&a, NULL, ret, NULL);
	ret = power_switch(g, &a, opts);
	if (!ret && a.hold)
		wait_for_signal(&set);
	pizwg_genl_close(g);
	return ret;
}
