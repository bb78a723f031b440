// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgctl monitor [--json]: prints the module's notifications as they come,
 * one line each, flushed at once, until SIGINT or SIGTERM (exit 0).
 *
 * Text: TS is CLOCK_MONOTONIC as SECONDS.NANOSECONDS (nine digits), taken by
 * the module when the change happened (for module-* lines: when pizwgctl
 * heard of it). CAUSE is request, lease-expiry, unplug, unload, external,
 * reapplied, hub-gone, or unknown-N for a value a newer module may add.
 *
 *   TS tty-added NAME hub HUB port PORT VID:PID[ serial SERIAL] cause CAUSE
 *   TS tty-removed NAME hub HUB port PORT VID:PID[ serial SERIAL] cause CAUSE
 *   TS port HUB PORT power on|off leased yes|no cause CAUSE
 *   TS module-removed
 *   TS module-added
 *
 *   1234.000000042 tty-added ttyACM0 hub usb1 port 1 0658:0200 serial X \
 *     cause request   (one line, folded here at the backslash)
 *   1240.500000000 port usb1 1 power off leased no cause lease-expiry
 *
 * module-removed: pizwg.ko was unloaded (every lease is gone);
 * module-added: it was loaded again and pizwgctl follows its events again.
 *
 * JSON: one object per line. Every object has "timestamp" (the TS string
 * above), "timestamp_ns" (integer) and "event" (tty-added, tty-removed, port,
 * module-removed, module-added); tty and port events add "cause"; tty events
 * add "tty", an object as printed by `pizwgctl ttys --json`; port events add
 * "hub", "port", "power" and "leased":
 *
 *   {"timestamp":"1240.500000000","timestamp_ns":1240500000000,
 *    "event":"port","cause":"lease-expiry","hub":"usb1","port":1,
 *    "power":false,"leased":false}
 *
 * Trouble that does not end the monitor goes to stderr, one line each:
 * events lost to a full socket buffer, and malformed notifications skipped.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "pizwgctl.h"

static const char monitor_usage[] =
	"usage: " PROG " monitor [--json]\n"
	"\n"
	"Prints one line per event of the pizwg module as it happens: a\n"
	"CDC-ACM tty added or removed, a hub port switched, the module unloaded\n"
	"or loaded again. Runs until interrupted (SIGINT or SIGTERM).\n"
	"\n"
	"  --json   print one JSON object per line instead of text\n"
	"  --help   print this help\n";

static void put_tty_event(FILE *f, const struct pizwg_tty *t)
{
	fputc(' ', f);
	put_token(f, t->name);
	fputs(" hub ", f);
	if (t->hub[0])
		put_token(f, t->hub);
	else
		fputc('-', f);
	fprintf(f, " port %" PRIu32 " %04x:%04x", t->port, t->vendor_id,
		t->product_id);
	if (t->has_serial) {
		fputs(" serial ", f);
		put_token(f, t->serial);
	}
}

static const char *cause_name(const struct pizwg_event *ev, char *buf,
			      size_t len)
{
	return enum_name(pizwg_cause_name(ev->cause), ev->cause, buf, len);
}

static const char *event_name(const struct pizwg_event *ev, char *buf,
			      size_t len)
{
	return enum_name(pizwg_event_name(ev->type), ev->type, buf, len);
}

static bool has_cause(const struct pizwg_event *ev)
{
	return ev->type == PIZWG_EVENT_TTY_ADDED ||
	       ev->type == PIZWG_EVENT_TTY_REMOVED ||
	       ev->type == PIZWG_EVENT_PORT_CHANGED;
}

char *event_format_text(const struct pizwg_event *ev)
{
	char *buf = NULL;
	char name[32];
	size_t len;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	put_timestamp(f, ev->timestamp_ns);
	fputc(' ', f);
	if (ev->type == PIZWG_EVENT_PORT_CHANGED) {
		put_port_state(f, &ev->port);
	} else {
		fputs(event_name(ev, name, sizeof(name)), f);
		if (ev->type == PIZWG_EVENT_TTY_ADDED ||
		    ev->type == PIZWG_EVENT_TTY_REMOVED)
			put_tty_event(f, &ev->tty);
	}
	if (has_cause(ev))
		fprintf(f, " cause %s", cause_name(ev, name, sizeof(name)));
	fputc('\n', f);
	return memstream_done(f, &buf);
}

static bool event_add_details(struct json_object *obj,
			      const struct pizwg_event *ev)
{
	char name[32];

	if (!has_cause(ev))
		return true;
	if (!json_add(obj, "cause",
		      json_object_new_string(cause_name(ev, name, sizeof(name)))))
		return false;
	if (ev->type == PIZWG_EVENT_PORT_CHANGED)
		return json_add_port_state(obj, &ev->port);
	return json_add(obj, "tty", tty_to_json(&ev->tty));
}

struct json_object *event_to_json(const struct pizwg_event *ev)
{
	struct json_object *obj;
	char name[32];

	obj = json_object_new_object();
	if (!obj)
		return NULL;
	if (json_add_timestamp(obj, ev->timestamp_ns) &&
	    json_add(obj, "event",
		     json_object_new_string(event_name(ev, name, sizeof(name)))) &&
	    event_add_details(obj, ev))
		return obj;
	json_object_put(obj);
	return NULL;
}

struct monitor {
	const struct ctl_opts *opts;
	int ret;
};

static void monitor_event(const struct pizwg_event *ev, void *arg)
{
	struct monitor *m = arg;
	int ret;

	if (m->ret)
		return;
	if (m->opts->json)
		ret = print_json(event_to_json(ev));
	else
		ret = print_text(event_format_text(ev));
	m->ret = ret;
}

/* Returns an exit code once the monitor must stop, -1 to go on. */
static int monitor_read(struct pizwg_genl *g, struct monitor *m)
{
	int ret;

	ret = pizwg_genl_process_events(g, monitor_event, m);
	if (m->ret)
		return m->ret;
	if (ret == -ENOBUFS)
		fprintf(stderr, "%s: monitor: events lost, socket buffer full\n",
			PROG);
	else if (ret == -EPROTO)
		fprintf(stderr, "%s: monitor: skipped a malformed notification\n",
			PROG);
	else if (ret < 0)
		return fail("monitor", ret, pizwg_genl_strerror(ret), NULL);
	return -1;
}

static int monitor_loop(struct pizwg_genl *g, int sfd,
			const struct ctl_opts *opts)
{
	struct monitor m = { .opts = opts };
	struct pollfd fds[2] = {
		{ .fd = pizwg_genl_event_fd(g), .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};
	int ret;

	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return fail("monitor", -errno, strerror(errno), NULL);
		}
		if (fds[1].revents)
			return CTL_EXIT_OK;
		if (fds[0].revents) {
			ret = monitor_read(g, &m);
			if (ret >= 0)
				return ret;
		}
	}
}

int cmd_monitor(int argc, char **argv, struct ctl_opts *opts)
{
	char err[CTL_ERR_MAX];
	struct simple_args a;
	struct pizwg_genl *g;
	sigset_t set;
	int sfd, ret;

	if (parse_simple_args(argc, argv, 0, &a, opts, err, sizeof(err)))
		return usage_error("monitor", err);
	if (a.help) {
		fputs(monitor_usage, stdout);
		return CTL_EXIT_OK;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return fail("monitor", -errno, strerror(errno), NULL);
	ret = pizwg_genl_open(&g);
	if (!ret)
		ret = pizwg_genl_subscribe(g);
	if (ret)
		ret = fail("monitor", ret, pizwg_genl_strerror(ret), NULL);
	else
		ret = monitor_loop(g, sfd, opts);
	pizwg_genl_close(g);
	close(sfd);
	return ret;
}
