// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgd: serves Z-Wave sticks over mutually authenticated TLS, one
 * [gateway NAME] of /etc/pizwg/pizwgd.conf each, in one event loop, plus
 * one VRRP thread per gateway with vrrp = on (ha.c). Port power goes
 * through pizwg.ko, whose leases switch the sticks off if this process dies
 * (or through libusb without it: power.h).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "gateway.h"
#include "ha.h"
#include "ktls.h"
#include "log.h"
#include "metrics.h"
#include "pizwg_genl.h"
#include "power.h"
#include "sdnotify.h"
#include "vrrp_net.h"

#ifndef PIZWG_VERSION
#define PIZWG_VERSION "unknown"
#endif
#define DEFAULT_CONFIG "/etc/pizwg/pizwgd.conf"
/* Prometheus sees fresh byte counts and states at least this often. */
#define METRICS_PERIOD_MS 10000
/*
 * A counter alone (a refused connection) rewrites the file at most this
 * often: a flood of connections must not become a flood of file writes.
 */
#define METRICS_COUNTED_MS 1000
/* At exit, the lines a stalled log reader has not taken get this long. */
#define LOG_CLOSE_MS 1000

struct daemon {
	struct loop loop;
	struct pizwg_config cfg;
	struct power *power;
	struct watch power_w;
	struct watch sig_w;
	int sig_fd;
	struct timer metrics_timer;
	struct timer metrics_soon;	/* a counter moved: write in a while */
	bool metrics_soon_armed;
	struct timer watchdog_timer;
	uint64_t watchdog_ms;	/* systemd's WatchdogSec, 0 without it */
	bool metrics_failed;	/* logged once, until a write works again */
	unsigned int n;
	struct gateway gw[CONF_GATEWAYS_MAX];
};

static struct daemon d;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pizwgd [-c FILE] [--check-config]\n"
		"\n"
		"Serves each [gateway NAME] of FILE (default " DEFAULT_CONFIG ")\n"
		"over mutually authenticated TLS. Logs to stderr.\n"
		"\n"
		"  -c, --config FILE   configuration file\n"
		"      --check-config  validate the configuration and exit\n"
		"  -h, --help          this text\n"
		"  -V, --version       the version\n"
		"\n"
		"Exit status: 0 stopped by SIGTERM/SIGINT or config valid; 1 failure;\n"
		"2 bad configuration or usage.\n");
}

/* Rewrites the metrics file of every gateway (metrics.h), atomically. */
static void write_metrics(void)
{
	const char *dir = d.cfg.gateways[0].metrics_dir;
	static struct gw_metrics all[CONF_GATEWAYS_MAX];
	static char text[METRICS_TEXT_MAX];
	char err[512];
	unsigned int i;
	int len;

	if (!dir[0])
		return;
	for (i = 0; i < d.n; i++) {
		ha_sync_metrics(&d.gw[i]);
		all[i] = d.gw[i].m;
	}
	len = metrics_format(all, d.n, text, sizeof(text));
	if (len < 0 || metrics_write(dir, METRICS_FILE, text, len, err,
				     sizeof(err))) {
		if (!d.metrics_failed)
			log_warn("", "metrics: %s", len < 0 ? "too large" : err);
		d.metrics_failed = true;
		return;
	}
	d.metrics_failed = false;
}

static void gateway_changed_cb(struct gateway *gw)
{
	(void)gw;
	write_metrics();
}

static void gateway_counted_cb(struct gateway *gw)
{
	(void)gw;
	if (d.metrics_soon_armed)
		return;
	d.metrics_soon_armed = !timer_arm(&d.metrics_soon, METRICS_COUNTED_MS);
}

static void metrics_soon_tick(struct timer *t)
{
	(void)t;
	d.metrics_soon_armed = false;
	write_metrics();
}

static void metrics_tick(struct timer *t)
{
	write_metrics();
	timer_arm(t, METRICS_PERIOD_MS);
}

/* Pings systemd's watchdog from the loop: a hung loop gets us restarted. */
static void watchdog_tick(struct timer *t)
{
	sd_notify_watchdog();
	timer_arm(t, d.watchdog_ms / 2);
}

static void on_event(const struct pizwg_event *ev, void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < d.n; i++)
		gateway_event(&d.gw[i], ev);
}

static void power_ready(struct watch *w, uint32_t events)
{
	int ret;

	(void)w;
	(void)events;
	ret = d.power->ops->process_events(d.power, on_event, NULL);
	if (ret == -ENOBUFS)
		log_warn("", "pizwg events were lost; state is re-read on next change");
	else if (ret < 0 && ret != -EAGAIN)
		log_err("", "pizwg events: %s", pizwg_genl_strerror(ret));
}

static void reap_children(void)
{
	unsigned int i;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (i = 0; i < d.n; i++)
			if (gateway_child_exited(&d.gw[i], pid, status))
				break;
}

static void signal_ready(struct watch *w, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap_children();
			continue;
		}
		log_info("", "exiting on SIG%s", sigabbrev_np(si.ssi_signo));
		sd_notify_stopping();
		gateway_stop_all(d.gw, d.n);
		loop_stop(&d.loop);
		return;
	}
}

static int setup_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	d.sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d.sig_fd < 0)
		return -errno;
	watch_init(&d.sig_w, d.sig_fd, signal_ready);
	return watch_set(&d.loop, &d.sig_w, EPOLLIN);
}

static int host_default_if(char *ifname, size_t len, char *why, size_t n)
{
	uint32_t addr;
	uint8_t prefix;

	return vrrp_net_default_interface(ifname, len, &addr, &prefix, why, n);
}

/* vrrp = on: what the configuration leaves to the host's network. */
static const struct conf_host host = {
	.default_if = host_default_if,
	.addr_of = vrrp_net_primary_address,
};

static int load_config(const char *path)
{
	char err[CONF_ERR_MAX];

	if (config_load(path, &d.cfg, err, sizeof(err)) ||
	    config_resolve_vrrp(&d.cfg, &host, err, sizeof(err)) ||
	    config_check_files(&d.cfg, err, sizeof(err))) {
		fprintf(stderr, "pizwgd: %s\n", err);
		return 2;
	}
	return 0;
}

static int open_power(void)
{
	int ret = power_open(&d.power);

	if (ret)
		return ret;
	watch_init(&d.power_w, d.power->ops->event_fd(d.power), power_ready);
	return watch_set(&d.loop, &d.power_w, EPOLLIN);
}

static int run(void)
{
	unsigned int i;
	int ret;

	log_open();
	if (loop_init(&d.loop) || log_watch(&d.loop) || setup_signals() ||
	    open_power())
		return 1;
	for (i = 0; i < d.cfg.n_gateways; i++) {
		if (gateway_init(&d.gw[i], &d.cfg.gateways[i], &d.loop, d.power))
			return 1;
		d.gw[i].changed = gateway_changed_cb;
		d.gw[i].counted = gateway_counted_cb;
		d.n++;
	}
	if (timer_init(&d.loop, &d.metrics_timer, metrics_tick) ||
	    timer_init(&d.loop, &d.metrics_soon, metrics_soon_tick))
		return 1;
	metrics_tick(&d.metrics_timer);
	for (i = 0; i < d.n; i++)
		if (d.cfg.gateways[i].tls.ktls != CONF_KTLS_OFF) {
			ktls_preload();
			break;
		}
	for (i = 0; i < d.n; i++)
		if (gateway_begin(&d.gw[i]))
			return 1;
	d.watchdog_ms = sd_watchdog_interval_ms();
	if (d.watchdog_ms) {
		if (timer_init(&d.loop, &d.watchdog_timer, watchdog_tick))
			return 1;
		watchdog_tick(&d.watchdog_timer);
	}
	sd_notify_ready();
	ret = loop_run(&d.loop);
	if (ret)
		log_err("", "event loop: %s", strerror(-ret));
	write_metrics();
	timer_exit(&d.loop, &d.metrics_timer);
	timer_exit(&d.loop, &d.metrics_soon);
	if (d.watchdog_ms)
		timer_exit(&d.loop, &d.watchdog_timer);
	for (i = 0; i < d.n; i++)
		gateway_exit(&d.gw[i]);
	d.power->ops->close(d.power);
	loop_exit(&d.loop);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG;
	bool check_only = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'k':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("pizwgd %s\n", PIZWG_VERSION);
			return 0;
		default:
			fprintf(stderr, "pizwgd: bad usage (try 'pizwgd --help')\n");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pizwgd: unexpected argument '%s' (try 'pizwgd --help')\n",
			argv[optind]);
		return 2;
	}
	ret = load_config(path);
	if (ret || check_only)
		return ret;
	ret = run();
	log_close(LOG_CLOSE_MS);
	return ret;
}
