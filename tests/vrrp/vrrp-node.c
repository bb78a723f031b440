// SPDX-License-Identifier: GPL-2.0-only
/*
 * vrrp-node: one VRRP instance (vrrp.c + vrrp_net.c) in an epoll loop,
 * with no stick: POWER_OFF counts as confirmed at once. A test driver for
 * interoperability with keepalived (tests/vrrp/test-keepalived).
 *
 * One line per event on stdout, stamped with CLOCK_MONOTONIC seconds:
 *   1234.567 state MASTER         every state change
 *   1234.567 link down            carrier changes
 *   1234.567 vip add|del          the VIP taken or given up
 *   1234.567 power on|off         what pizwgd would do with its stick
 *   1234.567 drop bad_checksum    an advert dropped, and why
 *   1234.567 advert from 192.0.2.1 priority 0 interval 20 cs
 *                                 a valid advert from a new source, or with
 *                                 a new priority or interval than the last
 *   1234.567 master_down 1931 ms  BACKUP: Master_Down_Interval, when it
 *                                 changes
 *   1234.567 lower advert priority 100 while master
 *                                 MASTER answered one it outranks
 * Errors go to stderr. SIGTERM or SIGINT: release (priority 0, VIP
 * removed) and exit 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "vrrp.h"
#include "vrrp_net.h"
#include "vrrp_packet.h"

#define PROG "vrrp-node"
#define MAX_PEERS 16
/* the master renews the VIP's lifetime this often */
#define VIP_RENEW_MS 1000
/* a release that does not finish by then is a bug: exit non-zero */
#define SHUTDOWN_LIMIT_MS 5000
/* enough to see what happened, not enough to flood a log */
#define MAX_DROP_LINES 200

struct opts {
	const char *ifname;
	unsigned int vrid;
	uint32_t vip;
	unsigned int vip_prefix;
	bool have_vip;
	int priority; /* -1: the default from the address */
	unsigned int interval_cs;
	bool preempt;
	unsigned int version;
	enum vrrp_csum csum;
	unsigned int garp_count;
	unsigned int garp_interval_ms;
	unsigned int vip_lifetime_s;
	uint32_t peers[MAX_PEERS];
	size_t n_peers;
};

struct node {
	struct opts o;
	struct vrrp v;
	struct vrrp_net net;
	int ep, tfd, sfd;
	bool vip_held;
	uint64_t vip_renewed;
	unsigned int garp_left;
	uint64_t garp_at;
	bool shutting_down;
	uint64_t shutdown_by;
	bool done;
	bool power_off_pending;
	unsigned int drop_lines;
	unsigned int lower_lines;
	uint64_t master_down_said; /* the last master_down line's value */
	struct vrrp_advert last; /* the last valid advert received */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%lld.%03ld ", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " --interface IF [options]\n"
		"\n"
		"Runs one VRRP instance on IF until SIGTERM; prints one line per\n"
		"state change, stamped with CLOCK_MONOTONIC seconds.\n"
		"\n"
		"  --interface IF       the interface (required)\n"
		"  --vrid N             virtual router id, 1..255 (254)\n"
		"  --vip A.B.C.D/P      the VIP (default: IF's address & mask | 254)\n"
		"  --priority N         1..254 (default: IF's last octet, 1..253)\n"
		"  --interval CS        advert interval in centiseconds (20)\n"
		"  --preempt yes|no     (no)\n"
		"  --version 3|2        VRRP version (3); 2 needs whole seconds\n"
		"  --checksum pseudo-header|rfc9568   VRRPv3 checksum sent\n"
		"  --garp-count N       gratuitous ARPs on taking over (3)\n"
		"  --garp-interval MS   between them (100)\n"
		"  --vip-lifetime S     the VIP's valid lifetime (%d)\n"
		"  --peers A,B,...      accept adverts from these only\n"
		"  --help\n",
		VRRP_NET_VIP_LIFETIME_S);
}

static bool parse_uint(const char *s, unsigned int min, unsigned int max,
		       unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_vip(const char *s, struct opts *o)
{
	char buf[32];
	char *slash;
	struct in_addr a;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	o->vip_prefix = 32;
	if (slash) {
		*slash = '\0';
		if (!parse_uint(slash + 1, 1, 32, &o->vip_prefix))
			return false;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return false;
	o->vip = a.s_addr;
	o->have_vip = true;
	return true;
}

static bool parse_peers(const char *s, struct opts *o)
{
	char buf[MAX_PEERS * 16];
	char *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct in_addr a;

		if (o->n_peers == MAX_PEERS || inet_pton(AF_INET, tok, &a) != 1)
			return false;
		o->peers[o->n_peers++] = a.s_addr;
	}
	return o->n_peers > 0;
}

static int bad(const char *opt, const char *val)
{
	fprintf(stderr, PROG ": bad value for --%s: '%s' (see --help)\n", opt,
		val);
	return -1;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "vrid", required_argument, NULL, 'r' },
		{ "vip", required_argument, NULL, 'a' },
		{ "priority", required_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 't' },
		{ "preempt", required_argument, NULL, 'e' },
		{ "version", required_argument, NULL, 'V' },
		{ "checksum", required_argument, NULL, 'c' },
		{ "garp-count", required_argument, NULL, 'g' },
		{ "garp-interval", required_argument, NULL, 'G' },
		{ "vip-lifetime", required_argument, NULL, 'l' },
		{ "peers", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int u;
	int c;

	*o = (struct opts){
		.vrid = 254,
		.priority = -1,
		.interval_cs = 20,
		.version = 3,
		.csum = VRRP_CSUM_PSEUDO_HEADER,
		.garp_count = 3,
		.garp_interval_ms = 100,
		.vip_lifetime_s = VRRP_NET_VIP_LIFETIME_S,
	};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'r':
			if (!parse_uint(optarg, 1, 255, &o->vrid))
				return bad("vrid", optarg);
			break;
		case 'a':
			if (!parse_vip(optarg, o))
				return bad("vip", optarg);
			break;
		case 'p':
			if (!parse_uint(optarg, 1, 254, &u))
				return bad("priority", optarg);
			o->priority = u;
			break;
		case 't':
			if (!parse_uint(optarg, 1, VRRP_V3_MAX_INTERVAL_CS,
					&o->interval_cs))
				return bad("interval", optarg);
			break;
		case 'e':
			if (strcmp(optarg, "yes") && strcmp(optarg, "no"))
				return bad("preempt", optarg);
			o->preempt = !strcmp(optarg, "yes");
			break;
		case 'V':
			if (!parse_uint(optarg, 2, 3, &o->version))
				return bad("version", optarg);
			break;
		case 'c':
			if (!strcmp(optarg, "pseudo-header"))
				o->csum = VRRP_CSUM_PSEUDO_HEADER;
			else if (!strcmp(optarg, "rfc9568"))
				o->csum = VRRP_CSUM_RFC9568;
			else
				return bad("checksum", optarg);
			break;
		case 'g':
			if (!parse_uint(optarg, 0, 100, &o->garp_count))
				return bad("garp-count", optarg);
			break;
		case 'G':
			if (!parse_uint(optarg, 1, 10000, &o->garp_interval_ms))
				return bad("garp-interval", optarg);
			break;
		case 'l':
			if (!parse_uint(optarg, 1, 3600, &o->vip_lifetime_s))
				return bad("vip-lifetime", optarg);
			break;
		case 'P':
			if (!parse_peers(optarg, o))
				return bad("peers", optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, PROG ": see --help\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			PROG ": unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return -1;
	}
	if (!o->ifname) {
		fprintf(stderr,
			PROG ": --interface is required (see --help)\n");
		return -1;
	}
	if (o->version == 2 && o->interval_cs % 100) {
		fprintf(stderr, PROG
			": VRRPv2 counts whole seconds: --interval must be a multiple of 100\n");
		return -1;
	}
	return 0;
}

/* VIP and priority not given: issue 4's defaults from the address. */
static int apply_defaults(struct opts *o)
{
	char err[VRRP_NET_ERR_LEN];
	uint32_t addr, vip;
	uint8_t prefix, prio;

	if (o->have_vip && o->priority >= 0)
		return 0;
	if (vrrp_net_primary_address(o->ifname, &addr, &prefix, err,
				     sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return -1;
	}
	if (vrrp_net_defaults(addr, prefix, &vip, &prio, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s: %s\n", o->ifname, err);
		return -1;
	}
	if (!o->have_vip) {
		o->vip = vip;
		o->vip_prefix = prefix;
		o->have_vip = true;
	}
	if (o->priority < 0)
		o->priority = prio;
	return 0;
}

static void arm_timer(struct node *nd)
{
	uint64_t d = vrrp_deadline(&nd->v);
	struct itimerspec its = { 0 };

	if (nd->garp_left && nd->garp_at < d)
		d = nd->garp_at;
	if (nd->shutting_down && nd->shutdown_by < d)
		d = nd->shutdown_by;
	if (d != VRRP_NO_DEADLINE) {
		/* 0 would disarm the timer */
		if (!d)
			d = 1;
		its.it_value.tv_sec = d / 1000;
		its.it_value.tv_nsec = (d % 1000) * 1000000;
	}
	if (timerfd_settime(nd->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		fprintf(stderr, PROG ": timerfd_settime: %s\n",
			strerror(errno));
}

static void renew_vip(struct node *nd, uint64_t now)
{
	if (!nd->vip_held || now - nd->vip_renewed < VIP_RENEW_MS)
		return;
	if (vrrp_net_add_vip(&nd->net))
		fprintf(stderr, PROG ": %s\n", vrrp_net_error(&nd->net));
	else
		nd->vip_renewed = now;
}

static void act(struct node *nd, const struct vrrp_action *a, uint64_t now)
{
	struct vrrp_net *n = &nd->net;

	switch (a->type) {
	case VRRP_ACT_SEND_ADVERT:
		if (vrrp_net_send_advert(n, a->prio, nd->o.interval_cs))
			fprintf(stderr, PROG ": %s\n", vrrp_net_error(n));
		renew_vip(nd, now);
		break;
	case VRRP_ACT_ADD_VIP:
		if (vrrp_net_add_vip(n)) {
			fprintf(stderr, PROG ": %s\n", vrrp_net_error(n));
			break;
		}
		nd->vip_held = true;
		nd->vip_renewed = now;
		say("vip add");
		break;
	case VRRP_ACT_DEL_VIP:
		if (vrrp_net_del_vip(n))
			fprintf(stderr, PROG ": %s\n", vrrp_net_error(n));
		nd->vip_held = false;
		/* no gratuitous ARP for an address we no longer hold */
		nd->garp_left = 0;
		say("vip del");
		break;
	case VRRP_ACT_SEND_GARP:
		nd->garp_left = nd->o.garp_count;
		nd->garp_at = now;
		break;
	case VRRP_ACT_POWER_ON_ALLOWED:
		say("power on");
		break;
	case VRRP_ACT_STOP_SERVING:
		/* nothing is served here */
		break;
	case VRRP_ACT_POWER_OFF:
		say("power off");
		/* no stick here: the port is off as soon as we ask */
		nd->power_off_pending = true;
		break;
	case VRRP_ACT_RELEASE_DONE:
		if (nd->shutting_down)
			nd->done = true;
		break;
	case VRRP_ACT_LOWER_ADVERT:
		if (nd->lower_lines++ < MAX_DROP_LINES)
			say("lower advert priority %u while master", a->prio);
		break;
	case VRRP_ACT_BECOME_MASTER:
	case VRRP_ACT_BECOME_BACKUP:
	case VRRP_ACT_ENTER_FAULT:
		/* the state line after the step says it */
		break;
	}
}

/* what the backup waits for now: the interval it learned, and its cap */
static void say_master_down(struct node *nd)
{
	uint64_t ms = vrrp_master_down_ms(&nd->v);

	if (nd->v.state != VRRP_STATE_BACKUP || ms == nd->master_down_said)
		return;
	nd->master_down_said = ms;
	say("master_down %" PRIu64 " ms", ms);
}

static void step(struct node *nd, struct vrrp_event *ev)
{
	enum vrrp_state before = nd->v.state;
	struct vrrp_output out;
	unsigned int i;

	vrrp_step(&nd->v, ev, &out);
	for (i = 0; i < out.n; i++)
		act(nd, &out.act[i], ev->now_ms);
	if (nd->v.state != before)
		say("state %s", vrrp_state_name(nd->v.state));
	say_master_down(nd);
	if (nd->power_off_pending) {
		struct vrrp_event done = {
			.type = VRRP_IN_POWER_OFF_CONFIRMED,
			.now_ms = now_ms(),
		};

		nd->power_off_pending = false;
		step(nd, &done);
	}
}

static void simple(struct node *nd, enum vrrp_input type)
{
	struct vrrp_event ev = { .type = type, .now_ms = now_ms() };

	step(nd, &ev);
}

static void on_advert(struct node *nd, const struct vrrp_advert *adv)
{
	char from[INET_ADDRSTRLEN];
	struct vrrp_event ev = {
		.type = VRRP_IN_ADVERT,
		.now_ms = now_ms(),
		.prio = adv->priority,
		.interval_cs = adv->interval_cs,
		.saddr = adv->saddr,
	};

	if (adv->saddr != nd->last.saddr ||
	    adv->priority != nd->last.priority ||
	    adv->interval_cs != nd->last.interval_cs) {
		inet_ntop(AF_INET, &adv->saddr, from, sizeof(from));
		say("advert from %s priority %u interval %u cs", from,
		    adv->priority, adv->interval_cs);
		nd->last = *adv;
	}
	step(nd, &ev);
}

static void on_adverts(struct node *nd)
{
	struct vrrp_advert adv;
	enum vrrp_drop why;
	unsigned int i;
	int rc;

	/* bounded: a flood must not starve the timers */
	for (i = 0; i < 64; i++) {
		rc = vrrp_net_recv(&nd->net, &adv, &why);
		if (rc < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				fprintf(stderr, PROG ": %s\n",
					vrrp_net_error(&nd->net));
			return;
		}
		if (rc == 0) {
			if (nd->drop_lines++ < MAX_DROP_LINES)
				say("drop %s", vrrp_drop_name(why));
			continue;
		}
		on_advert(nd, &adv);
	}
}

static void on_link(struct node *nd)
{
	int rc = vrrp_net_link_event(&nd->net);

	if (rc < 0) {
		fprintf(stderr, PROG ": %s\n", vrrp_net_error(&nd->net));
		return;
	}
	if (!rc)
		return;
	say("link %s", nd->net.link_up ? "up" : "down");
	simple(nd, nd->net.link_up ? VRRP_IN_LINK_UP : VRRP_IN_LINK_DOWN);
}

static void on_timer(struct node *nd)
{
	uint64_t expirations, now;

	if (read(nd->tfd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		fprintf(stderr, PROG ": timerfd: %s\n", strerror(errno));
	now = now_ms();
	if (nd->garp_left && now >= nd->garp_at) {
		if (vrrp_net_send_garp(&nd->net))
			fprintf(stderr, PROG ": %s\n",
				vrrp_net_error(&nd->net));
		nd->garp_left--;
		nd->garp_at = now + nd->o.garp_interval_ms;
	}
	simple(nd, VRRP_IN_TIMER);
}

static void on_signal(struct node *nd)
{
	struct signalfd_siginfo si;

	if (read(nd->sfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (nd->shutting_down)
		return;
	say("signal %s", strsignal(si.ssi_signo));
	nd->shutting_down = true;
	nd->shutdown_by = now_ms() + SHUTDOWN_LIMIT_MS;
	simple(nd, VRRP_IN_SHUTDOWN);
}

static int watch(struct node *nd, int fd, void (*fn)(struct node *))
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = (void *)fn };

	if (epoll_ctl(nd->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
		fprintf(stderr, PROG ": epoll_ctl: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int setup(struct node *nd)
{
	struct vrrp_net_config nc = {
		.ifname = nd->o.ifname,
		.vrid = nd->o.vrid,
		.version = nd->o.version,
		.csum = nd->o.csum,
		.interval_cs = nd->o.interval_cs,
		.vip = nd->o.vip,
		.vip_prefix = nd->o.vip_prefix,
		.vip_lifetime_s = nd->o.vip_lifetime_s,
		.peers = nd->o.n_peers ? nd->o.peers : NULL,
		.n_peers = nd->o.n_peers,
	};
	struct vrrp_config vc = {
		.version = nd->o.version,
		.priority = nd->o.priority,
		.interval_cs = nd->o.interval_cs,
		.preempt = nd->o.preempt,
	};
	sigset_t mask;

	if (vrrp_net_open(&nd->net, &nc)) {
		fprintf(stderr, PROG ": %s\n", vrrp_net_error(&nd->net));
		return -1;
	}
	vc.primary = nd->net.saddr;
	if (vrrp_init(&nd->v, &vc)) {
		fprintf(stderr, PROG ": invalid VRRP configuration\n");
		return -1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	nd->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	nd->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	nd->ep = epoll_create1(EPOLL_CLOEXEC);
	if (nd->sfd < 0 || nd->tfd < 0 || nd->ep < 0) {
		fprintf(stderr, PROG ": %s\n", strerror(errno));
		return -1;
	}
	if (watch(nd, nd->sfd, on_signal) || watch(nd, nd->tfd, on_timer) ||
	    watch(nd, vrrp_net_advert_fd(&nd->net), on_adverts) ||
	    watch(nd, vrrp_net_link_fd(&nd->net), on_link))
		return -1;
	return 0;
}

static void print_config(const struct node *nd)
{
	char src[INET_ADDRSTRLEN], vip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &nd->net.saddr, src, sizeof(src));
	inet_ntop(AF_INET, &nd->o.vip, vip, sizeof(vip));
	say("config interface %s source %s vrid %u vip %s/%u priority %d interval %u cs version %u checksum %s preempt %s",
	    nd->o.ifname, src, nd->o.vrid, vip, nd->o.vip_prefix,
	    nd->o.priority, nd->o.interval_cs, nd->o.version,
	    nd->o.version == 2 ? "v2" : vrrp_csum_name(nd->o.csum),
	    nd->o.preempt ? "yes" : "no");
}

static int run(struct node *nd)
{
	if (!nd->net.link_up) {
		say("link down");
		simple(nd, VRRP_IN_LINK_DOWN);
	}
	simple(nd, VRRP_IN_START);
	while (!nd->done) {
		struct epoll_event evs[8];
		int i, k;

		if (nd->shutting_down && now_ms() >= nd->shutdown_by) {
			fprintf(stderr,
				PROG ": release did not finish in %d ms\n",
				SHUTDOWN_LIMIT_MS);
			return 1;
		}
		arm_timer(nd);
		k = epoll_wait(nd->ep, evs, 8, -1);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, PROG ": epoll_wait: %s\n",
				strerror(errno));
			return 1;
		}
		for (i = 0; i < k && !nd->done; i++) {
			void (*fn)(struct node *) =
				(void (*)(struct node *))evs[i].data.ptr;
			fn(nd);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct node nd = { .ep = -1, .tfd = -1, .sfd = -1 };
	int rc = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(argc, argv, &nd.o) || apply_defaults(&nd.o))
		return 2;
	rc = 1;
	if (setup(&nd))
		goto out;
	print_config(&nd);
	rc = run(&nd);
out:
	if (nd.vip_held && vrrp_net_del_vip(&nd.net))
		fprintf(stderr, PROG ": %s\n", vrrp_net_error(&nd.net));
	if (nd.ep >= 0)
		close(nd.ep);
	if (nd.tfd >= 0)
		close(nd.tfd);
	if (nd.sfd >= 0)
		close(nd.sfd);
	vrrp_net_close(&nd.net);
	return rc;
}
