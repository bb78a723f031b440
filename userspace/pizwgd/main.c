// SPDX-License-Identifier: GPL-2.0-only
/*
 * pizwgd: serves Z-Wave sticks over mutually authenticated TLS, one
 * [gateway NAME] of /etc/pizwg/pizwgd.conf each, in one single-threaded
 * event loop. Port power goes through pizwg.ko, whose leases switch the
 * sticks off if this process dies.
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
#include "log.h"
#include "pizwg_genl.h"

#ifndef PIZWG_VERSION
#define PIZWG_VERSION "unknown"
#endif
#define DEFAULT_CONFIG "/etc/pizwg/pizwgd.conf"

struct daemon {
	struct loop loop;
	struct pizwg_config cfg;
	struct pizwg_genl *genl;
	struct watch genl_w;
	struct watch sig_w;
	int sig_fd;
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

static void on_event(const struct pizwg_event *ev, void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < d.n; i++)
		gateway_event(&d.gw[i], ev);
}

static void genl_ready(struct watch *w, uint32_t events)
{
	int ret;

	(void)w;
	(void)events;
	ret = pizwg_genl_process_events(d.genl, on_event, NULL);
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
	unsigned int i;

	(void)events;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap_children();
			continue;
		}
		log_info("", "exiting on SIG%s", sigabbrev_np(si.ssi_signo));
		for (i = 0; i < d.n; i++)
			gateway_stop(&d.gw[i]);
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

static int load_config(const char *path)
{
	char err[CONF_ERR_MAX];

	if (config_load(path, &d.cfg, err, sizeof(err)) ||
	    config_check_files(&d.cfg, err, sizeof(err))) {
		fprintf(stderr, "pizwgd: %s\n", err);
		return 2;
	}
	return 0;
}

static int open_genl(void)
{
	int ret = pizwg_genl_open(&d.genl);

	if (!ret)
		ret = pizwg_genl_subscribe(d.genl);
	if (ret) {
		log_err("", "hub power backend: %s", pizwg_genl_strerror(ret));
		return ret;
	}
	log_info("", "hub power backend: pizwg kernel module");
	watch_init(&d.genl_w, pizwg_genl_event_fd(d.genl), genl_ready);
	return watch_set(&d.loop, &d.genl_w, EPOLLIN);
}

static int run(void)
{
	unsigned int i;
	int ret;

	if (loop_init(&d.loop) || setup_signals() || open_genl())
		return 1;
	for (i = 0; i < d.cfg.n_gateways; i++) {
		if (gateway_init(&d.gw[i], &d.cfg.gateways[i], &d.loop, d.genl))
			return 1;
		d.n++;
	}
	for (i = 0; i < d.n; i++)
		gateway_start(&d.gw[i]);
	ret = loop_run(&d.loop);
	if (ret)
		log_err("", "event loop: %s", strerror(-ret));
	for (i = 0; i < d.n; i++)
		gateway_exit(&d.gw[i]);
	pizwg_genl_close(d.genl);
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
	return run();
}
