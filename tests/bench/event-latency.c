// SPDX-License-Identifier: GPL-2.0-only
/*
 * event-latency: how long after a port power-on request a process holds the
 * stick's tty open (tests/bench), by two methods, alternated:
 *
 *   notify   pizwgd's: the request through pizwg.ko, a dump of the ttys (in
 *            case it is already there), then wait for the module's
 *            tty-added notification for that hub port, then open it.
 *   inotify  the earlier generation's: wait for a ttyACM* node to be created
 *            in /dev (inotify IN_CREATE), then open it. There it waited for
 *            udev's node; the test VM has no udev, devtmpfs makes the node,
 *            as it does for the notify method.
 *
 * Both open the tty with pizwgd's own serial_open() (raw, exclusive,
 * flushed) and issue the request with the same library call, from the same
 * process. Every measurement starts with the port off and its tty gone.
 * Per measurement it prints
 *   event METHOD request_us R tty_added_us K open_us O
 * R: until the request was answered (the port is on); K: the kernel's
 * CLOCK_MONOTONIC timestamp of the tty-added notification; O: until open()
 * returned. All from the moment just before the request, in microseconds.
 *
 * Exit status: 0 measured; 1 a request, the notification or the open
 * failed or timed out; 2 usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "pizwg_genl.h"
#include "serial.h"

#define PROG "event-latency"
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#include "bench.h"

#define BAUD 115200
#define SETTLE_MS 200

enum method { METHOD_NOTIFY, METHOD_INOTIFY };

static const char *const method_names[] = {
	[METHOD_NOTIFY] = "notify",
	[METHOD_INOTIFY] = "inotify",
};

struct bench {
	struct pizwg_genl *g;
	const char *hub;
	uint32_t port;
	unsigned int timeout_s;
	/* filled by on_event() */
	bool added;
	bool removed;
	uint64_t added_ns;
	char tty[PIZWG_NAME_MAX];
};

static bool on_our_port(const struct bench *b, const struct pizwg_tty *t)
{
	return t->port == b->port && !strcmp(t->hub, b->hub);
}

static void on_event(const struct pizwg_event *ev, void *arg)
{
	struct bench *b = arg;

	if (ev->type == PIZWG_EVENT_TTY_ADDED && on_our_port(b, &ev->tty) &&
	    !b->added) {
		b->added = true;
		b->added_ns = ev->timestamp_ns;
		snprintf(b->tty, sizeof(b->tty), "%s", ev->tty.name);
	} else if (ev->type == PIZWG_EVENT_TTY_REMOVED &&
		   on_our_port(b, &ev->tty)) {
		b->removed = true;
	}
}

static void process_events(struct bench *b)
{
	int ret = pizwg_genl_process_events(b->g, on_event, b);

	if (ret < 0)
		fail("events: %s", pizwg_genl_strerror(ret));
}

/* Waits up to the timeout for the event socket; false on timeout. */
static bool wait_fd(int fd, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t now = now_ns();

	if (now >= deadline)
		return false;
	if (poll(&p, 1, (deadline - now) / 1000000 + 1) < 0 && errno != EINTR)
		fail("poll: %s", strerror(errno));
	return true;
}

static void set_port(struct bench *b, enum pizwg_action action)
{
	struct pizwg_power_req req = {
		.hub = b->hub, .port = b->port, .action = action,
	};
	int ret = pizwg_genl_set_port(b->g, &req);

	if (ret)
		fail("%s port %u %s: %s%s%s", b->hub, b->port,
		     pizwg_action_name(action), pizwg_genl_strerror(ret),
		     *pizwg_genl_extack(b->g) ? ": " : "",
		     pizwg_genl_extack(b->g));
}

/* The name of the tty on our port, if the module lists one. */
static bool present_tty(struct bench *b, char *name, size_t len)
{
	struct pizwg_tty *ttys = NULL;
	bool found = false;
	size_t n = 0, i;
	int ret;

	ret = pizwg_genl_get_ttys(b->g, &ttys, &n);
	if (ret)
		fail("get ttys: %s", pizwg_genl_strerror(ret));
	for (i = 0; i < n && !found; i++) {
		if (on_our_port(b, &ttys[i])) {
			snprintf(name, len, "%s", ttys[i].name);
			found = true;
		}
	}
	free(ttys);
	return found;
}

/* Port off, its tty gone, events drained, then a moment of quiet. */
static void power_off(struct bench *b)
{
	uint64_t deadline = now_ns() + b->timeout_s * 1000000000ull;
	char name[PIZWG_NAME_MAX];

	set_port(b, PIZWG_ACTION_OFF);
	while (present_tty(b, name, sizeof(name))) {
		if (now_ns() > deadline)
			fail("%s is still there %u s after switching it off",
			     name, b->timeout_s);
		usleep(10000);
	}
	usleep(SETTLE_MS * 1000);
	process_events(b);
	b->added = b->removed = false;
}

static int open_tty(const char *name)
{
	char err[256];
	int fd = serial_open(name, BAUD, err, sizeof(err));

	if (fd < 0)
		fail("open: %s", err);
	return fd;
}

/* pizwgd's method: the request, a dump (it may be there), the notification. */
static void by_notify(struct bench *b, uint64_t t0)
{
	uint64_t deadline = t0 + b->timeout_s * 1000000000ull;

	if (present_tty(b, b->tty, sizeof(b->tty)))
		return;
	while (process_events(b), !b->added)
		if (!wait_fd(pizwg_genl_event_fd(b->g), deadline))
			fail("no tty-added notification within %u s",
			     b->timeout_s);
}

/* The earlier generation's: a ttyACM* node created in /dev. */
static void by_inotify(struct bench *b, int ifd, uint64_t t0)
{
	uint64_t deadline = t0 + b->timeout_s * 1000000000ull;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *e;
	ssize_t n;
	char *p;

	for (;;) {
		n = read(ifd, buf, sizeof(buf));
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			fail("inotify: %s", strerror(errno));
		for (p = buf; n > 0 && p < buf + n; p += sizeof(*e) + e->len) {
			e = (const struct inotify_event *)p;
			if (e->len && !fnmatch("ttyACM*", e->name, 0)) {
				snprintf(b->tty, sizeof(b->tty), "%s", e->name);
				return;
			}
		}
		if (!wait_fd(ifd, deadline))
			fail("no ttyACM* created in /dev within %u s",
			     b->timeout_s);
	}
}

static void measure(struct bench *b, enum method m)
{
	uint64_t t0, t_req, t_open, deadline;
	int ifd = -1, fd;

	power_off(b);
	if (m == METHOD_INOTIFY) {
		ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (ifd < 0 || inotify_add_watch(ifd, "/dev", IN_CREATE) < 0)
			fail("inotify /dev: %s", strerror(errno));
	}
	t0 = now_ns();
	set_port(b, PIZWG_ACTION_ON);
	t_req = now_ns();
	if (m == METHOD_NOTIFY)
		by_notify(b, t0);
	else
		by_inotify(b, ifd, t0);
	fd = open_tty(b->tty);
	t_open = now_ns();
	/* The inotify method never looked at the notification: now. */
	deadline = t_open + b->timeout_s * 1000000000ull;
	while (process_events(b), !b->added)
		if (!wait_fd(pizwg_genl_event_fd(b->g), deadline))
			fail("no tty-added notification within %u s",
			     b->timeout_s);
	printf("event %s request_us %.1f tty_added_us %.1f open_us %.1f\n",
	       method_names[m], (t_req - t0) / 1e3,
	       ((int64_t)(b->added_ns - t0)) / 1e3, (t_open - t0) / 1e3);
	fflush(stdout);
	close(fd);
	if (ifd >= 0)
		close(ifd);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " --hub HUB --port N [--reps N] [--timeout SECONDS]\n"
		"\n"
		"Switches the port off and on REPS times per method (default 10),\n"
		"alternating pizwgd's method (the module's tty-added notification,\n"
		"then open) and the earlier generation's (inotify on /dev for\n"
		"ttyACM*, then open), and prints per measurement\n"
		"  event METHOD request_us R tty_added_us K open_us O\n"
		"(microseconds from the power-on request: the request answered,\n"
		"the kernel's timestamp of the tty-added notification, the tty\n"
		"open). Needs pizwg.ko and CAP_NET_ADMIN; leaves the port off.\n"
		"Exit status: 0 measured, 1 failure (one line on stderr), 2 usage.\n");
}

static unsigned int parse_uint(const char *opt, const char *s,
			       unsigned int min, unsigned int max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max) {
		fprintf(stderr, PROG ": %s: '%s' is not a number in %u..%u\n",
			opt, s, min, max);
		exit(EXIT_USAGE);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "hub", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "reps", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct bench b = { .timeout_s = 20 };
	unsigned int reps = 10, i;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 'H':
			b.hub = optarg;
			break;
		case 'p':
			b.port = parse_uint("--port", optarg, 1, PIZWG_PORTS_MAX);
			break;
		case 'r':
			reps = parse_uint("--reps", optarg, 1, 1000);
			break;
		case 't':
			b.timeout_s = parse_uint("--timeout", optarg, 1, 300);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc || !b.hub || !b.port) {
		fprintf(stderr, PROG ": --hub and --port are required (see --help)\n");
		return EXIT_USAGE;
	}
	ret = pizwg_genl_open(&b.g);
	if (!ret)
		ret = pizwg_genl_subscribe(b.g);
	if (ret)
		fail("%s", pizwg_genl_strerror(ret));
	/* Alternate which method goes first, so neither always follows the other. */
	for (i = 0; i < reps; i++) {
		measure(&b, i % 2 ? METHOD_INOTIFY : METHOD_NOTIFY);
		measure(&b, i % 2 ? METHOD_NOTIFY : METHOD_INOTIFY);
	}
	set_port(&b, PIZWG_ACTION_OFF);
	pizwg_genl_close(b.g);
	return 0;
}
