// SPDX-License-Identifier: GPL-2.0-only
/*
 * vrrp = on: one VRRP instance per gateway, in a thread of its own.
 *
 * Why a thread: the gateway's loop blocks for a while at times (a TLS
 * handshake, the first kTLS setsockopt loading the tls module, a port
 * power switch that takes a second on a slow hub). If adverts stopped
 * meanwhile, a backup would take over and power its stick while ours is
 * still on. The VRRP thread keeps the timers, adverts, VIP lifetime and
 * link events going whatever the gateway does, and since RELEASING keeps
 * advertising until the gateway confirms the stick is off, a slow gateway
 * only delays a takeover; it never makes two sticks powered.
 *
 * vrrp.c decides, vrrp_net.c moves packets and addresses. The thread
 * carries out the network actions itself and sends the others to the
 * gateway's thread over a pipe, in order:
 *
 *   SEND_ADVERT, ADD_VIP,        the thread: the VIP with a short lifetime,
 *   DEL_VIP, SEND_GARP           renewed every third of it while master,
 *                                and garp_count gratuitous ARPs
 *   BECOME_BACKUP / ENTER_FAULT  the gateway is in STANDBY: stick off
 *   POWER_ON_ALLOWED             gateway_start(): power on, enumerate,
 *                                listen on VIP:3333 (IP_FREEBIND)
 *   STOP_SERVING, POWER_OFF      end the session, switch the port off and,
 *                                once the module confirmed it, send
 *                                POWER_OFF_CONFIRMED back (then priority 0
 *                                and DEL_VIP follow in the thread)
 *   RELEASE_DONE                 the session-end action, if one waits
 *
 * The gateway sends inputs the other way (RELEASE, LOCAL_FAULT, SHUTDOWN,
 * POWER_OFF_CONFIRMED, and HOLD / UNHOLD around the on_session_end
 * program: while it runs the instance stays in FAULT, out of the election,
 * so that this host cannot become master again and hold the VIP with
 * nothing served). Counters and the state are copied under a lock
 * for the metrics file; a state change also wakes the gateway's thread so
 * that the file is rewritten at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>

#include "gateway.h"
#include "ha.h"
#include "log.h"

#define HA_LOG_LIMIT_MS 10000 /* one line per 10 s about a kind of event */
#define HA_POWER_RETRY_MS 1000
#define HA_COUNTS_MS 1000 /* counters reach the metrics file this often */

/* thread -> gateway: an action of enum vrrp_action_type, or one of these */
#define HA_MSG_CHANGED 0x100 /* rewrite the metrics file */
#define HA_MSG_STOPPED 0x101 /* SHUTDOWN done: INIT, stick off, VIP gone */

struct ha_msg {
	unsigned int what;
};

static const char *gw_name(const struct gateway *gw)
{
	return gw->cfg->name;
}

/*
 * Both pipes carry fixed-size messages, a few bytes each into 64 KiB that
 * the other side drains: a write is whole or fails. 0, or -EIO after
 * saying that @whom cannot be reached.
 */
static int ha_pipe_put(struct gateway *gw, int fd, const void *m, size_t len,
		       const char *whom)
{
	ssize_t n;

	do
		n = write(fd, m, len);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
	log_err(gw_name(gw), "vrrp: cannot reach %s: %s", whom,
		n < 0 ? strerror(errno) : "short write");
	return -EIO;
}

/* 1 and the message in @m, 0 if none waits, -1 at end of file or error */
static int ha_pipe_get(int fd, void *m, size_t len)
{
	ssize_t n = read(fd, m, len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return n == (ssize_t)len ? 1 : -1;
}

/* --- the VRRP thread ------------------------------------------------------ */

static void ha_feed(struct gateway *gw, const struct vrrp_event *ev);

static void ha_post(struct gateway *gw, unsigned int what)
{
	struct ha_msg m = { .what = what };

	ha_pipe_put(gw, gw->ha.to_main[1], &m, sizeof(m), "the gateway");
}

/*
 * Counts; and has the metrics file rewritten, at most once per
 * HA_COUNTS_MS, so that Prometheus sees adverts flow without a file
 * written per packet (a flood of bad ones included).
 */
static void ha_count(struct gateway *gw, uint64_t *counter)
{
	struct gw_ha *ha = &gw->ha;
	uint64_t now = now_ms();

	pthread_mutex_lock(&ha->lock);
	(*counter)++;
	pthread_mutex_unlock(&ha->lock);
	if (now >= ha->counts_posted_at + HA_COUNTS_MS) {
		ha->counts_posted_at = now;
		ha_post(gw, HA_MSG_CHANGED);
	}
}

static void ha_note_state(struct gateway *gw)
{
	struct gw_ha *ha = &gw->ha;

	pthread_mutex_lock(&ha->lock);
	if (ha->stats.state == ha->v.state) {
		pthread_mutex_unlock(&ha->lock);
		return;
	}
	ha->stats.state = ha->v.state;
	ha->stats.transitions++;
	pthread_mutex_unlock(&ha->lock);
	log_info(gw_name(gw), "vrrp: state %s", vrrp_state_name(ha->v.state));
	ha_post(gw, HA_MSG_CHANGED);
}

static void ha_add_vip(struct gateway *gw, bool renew)
{
	struct gw_ha *ha = &gw->ha;
	char vip[32];

	vrrp_net_vip_str(&ha->n, vip, sizeof(vip));
	if (vrrp_net_add_vip(&ha->n)) {
		log_err(gw_name(gw), "vrrp: %s", vrrp_net_error(&ha->n));
	} else if (!renew) {
		log_info(gw_name(gw), "vrrp: vip %s added on %s", vip,
			 ha->n.ifname);
	}
	timer_arm(&ha->vip_timer, VRRP_NET_VIP_LIFETIME_S * 1000 / 3);
}

static void ha_vip_timer(struct timer *t)
{
	struct gateway *gw = container_of(t, struct gateway, ha.vip_timer);

	if (gw->ha.v.state == VRRP_STATE_MASTER ||
	    gw->ha.v.state == VRRP_STATE_RELEASING)
		ha_add_vip(gw, true);
}

static void ha_del_vip(struct gateway *gw)
{
	struct gw_ha *ha = &gw->ha;
	char vip[32];

	timer_cancel(&ha->vip_timer);
	timer_cancel(&ha->garp_timer);
	ha->garp_left = 0;
	vrrp_net_vip_str(&ha->n, vip, sizeof(vip));
	if (vrrp_net_del_vip(&ha->n))
		log_err(gw_name(gw), "vrrp: %s", vrrp_net_error(&ha->n));
	else
		log_info(gw_name(gw), "vrrp: vip %s removed", vip);
}

static void ha_garp(struct gateway *gw)
{
	struct gw_ha *ha = &gw->ha;

	if (!ha->garp_left)
		return;
	if (vrrp_net_send_garp(&ha->n))
		log_warn(gw_name(gw), "vrrp: %s", vrrp_net_error(&ha->n));
	if (--ha->garp_left)
		timer_arm(&ha->garp_timer, gw->cfg->vrrp.garp_interval);
}

static void ha_garp_timer(struct timer *t)
{
	ha_garp(container_of(t, struct gateway, ha.garp_timer));
}

/*
 * Whether a line may be logged now about one more event of @l's kind; if
 * not, it is counted. @more gets " (and N more since the last such
 * line)", or "".
 */
static bool ha_log_limited(struct log_limit *l, char *more, size_t len)
{
	uint64_t unlogged;

	if (!log_limit_pass(l, now_ms(), HA_LOG_LIMIT_MS, &unlogged))
		return false;
	more[0] = '\0';
	if (unlogged)
		snprintf(more, len, " (and %llu more since the last such line)",
			 (unsigned long long)unlogged);
	return true;
}

static void ha_send_advert(struct gateway *gw, uint8_t prio)
{
	struct gw_ha *ha = &gw->ha;
	char more[64];

	if (!vrrp_net_send_advert(&ha->n, prio, gw->cfg->vrrp.advert_interval)) {
		ha_count(gw, &ha->stats.sent);
		return;
	}
	if (ha_log_limited(&ha->send_err_log, more, sizeof(more)))
		log_warn(gw_name(gw), "vrrp: %s%s", vrrp_net_error(&ha->n),
			 more);
}

/*
 * MASTER heard a router it outranks: two masters, as over a one-way link
 * or with a peer that drops our adverts. vrrp.c has answered it and stays
 * master; until this mastership powers its stick, it waits the other out.
 */
static void ha_log_lower(struct gateway *gw, const struct vrrp_event *ev)
{
	char a[INET_ADDRSTRLEN], more[64];

	if (!ha_log_limited(&gw->ha.lower_log, more, sizeof(more)))
		return;
	inet_ntop(AF_INET, &ev->saddr, a, sizeof(a));
	log_warn(gw_name(gw),
		 "vrrp: lower advert from %s (priority %u, ours %u, interval %u cs) while master: answered, staying master%s",
		 a, ev->prio, gw->cfg->vrrp.priority, ev->interval_cs, more);
}

static void ha_act(struct gateway *gw, const struct vrrp_event *ev,
		   const struct vrrp_action *a)
{
	switch (a->type) {
	case VRRP_ACT_SEND_ADVERT:
		ha_send_advert(gw, a->prio);
		break;
	case VRRP_ACT_ADD_VIP:
		ha_add_vip(gw, false);
		break;
	case VRRP_ACT_DEL_VIP:
		ha_del_vip(gw);
		break;
	case VRRP_ACT_SEND_GARP:
		gw->ha.garp_left = gw->cfg->vrrp.garp_count;
		ha_garp(gw);
		break;
	case VRRP_ACT_LOWER_ADVERT:
		ha_log_lower(gw, ev);
		break;
	case VRRP_ACT_BECOME_MASTER:
		break;
	case VRRP_ACT_BECOME_BACKUP:
	case VRRP_ACT_ENTER_FAULT:
	case VRRP_ACT_POWER_ON_ALLOWED:
	case VRRP_ACT_STOP_SERVING:
	case VRRP_ACT_POWER_OFF:
	case VRRP_ACT_RELEASE_DONE:
		ha_post(gw, a->type);
		break;
	}
}

static void ha_arm(struct gateway *gw)
{
	struct gw_ha *ha = &gw->ha;
	uint64_t deadline = vrrp_deadline(&ha->v), now = now_ms();

	if (deadline == VRRP_NO_DEADLINE)
		timer_cancel(&ha->timer);
	else
		timer_arm(&ha->timer, deadline > now ? deadline - now : 1);
}

/* Steps the state machine and carries out (or passes on) its actions. */
static void ha_feed(struct gateway *gw, const struct vrrp_event *ev)
{
	struct gw_ha *ha = &gw->ha;
	struct vrrp_output out;
	unsigned int i;

	if (ev->type == VRRP_IN_SHUTDOWN)
		ha->stopping = true;
	vrrp_step(&ha->v, ev, &out);
	for (i = 0; i < out.n; i++)
		ha_act(gw, ev, &out.act[i]);
	ha_note_state(gw);
	ha_arm(gw);
	/* ha_shutdown() waits for this: a RELEASE_DONE may be an earlier one */
	if (ha->stopping && ha->v.state == VRRP_STATE_INIT) {
		ha->stopping = false;
		ha_post(gw, HA_MSG_STOPPED);
	}
}

static void ha_input(struct gateway *gw, enum vrrp_input type)
{
	struct vrrp_event ev = { .type = type, .now_ms = now_ms() };

	ha_feed(gw, &ev);
}

static void ha_log_drops(struct gateway *gw, uint32_t saddr,
			 enum vrrp_drop why)
{
	struct gw_ha *ha = &gw->ha;
	char a[INET_ADDRSTRLEN], more[64];

	ha_count(gw, &ha->stats.dropped[why]);
	if (!ha_log_limited(&ha->drop_log, more, sizeof(more)))
		return;
	inet_ntop(AF_INET, &saddr, a, sizeof(a));
	log_warn(gw_name(gw), "vrrp: dropped advert from %s: %s%s", a,
		 vrrp_drop_name(why), more);
}

/* Feeds the adverts waiting in the socket to the state machine: how many. */
static unsigned int ha_read_adverts(struct gateway *gw)
{
	struct gw_ha *ha = &gw->ha;
	struct vrrp_advert adv;
	struct vrrp_event ev;
	enum vrrp_drop why;
	unsigned int i, fed;
	int ret;

	/* bounded: the loop must get to the timers too */
	for (i = 0, fed = 0; i < 64; i++) {
		memset(&adv, 0, sizeof(adv));
		ret = vrrp_net_recv(&ha->n, &adv, &why);
		if (ret < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn(gw_name(gw), "vrrp: %s",
					 vrrp_net_error(&ha->n));
			break;
		}
		if (ret == 0) {
			ha_log_drops(gw, ha->n.last_saddr, why);
			continue;
		}
		if (adv.saddr == ha->n.saddr)
			continue; /* our own, looped back */
		ha_count(gw, &ha->stats.received);
		ev = (struct vrrp_event){
			.type = VRRP_IN_ADVERT,
			.now_ms = now_ms(),
			.prio = adv.priority,
			.interval_cs = adv.interval_cs,
			.saddr = adv.saddr,
		};
		ha_feed(gw, &ev);
		fed++;
	}
	return fed;
}

static void ha_advert_ready(struct watch *w, uint32_t events)
{
	(void)events;
	ha_read_adverts(container_of(w, struct gateway, ha.advert_w));
}

/*
 * Says (rate-limited) that this thread ran an interval or more after its
 * deadline (vrrp.c then listens one more interval before a takeover or a
 * power-on) and how many adverts were waiting: a starved host's trace.
 */
static void ha_log_late(struct gateway *gw, uint64_t deadline,
			unsigned int read)
{
	uint64_t now = now_ms(), interval = gw->cfg->vrrp.advert_interval * 10;
	char more[64];

	if (deadline == VRRP_NO_DEADLINE || now < deadline + interval)
		return;
	if (!ha_log_limited(&gw->ha.late_log, more, sizeof(more)))
		return;
	log_warn(gw_name(gw),
		 "vrrp: timer ran %llu ms late in %s, %u advert(s) waiting (a starved host)%s",
		 (unsigned long long)(now - deadline),
		 vrrp_state_name(gw->ha.v.state), read, more);
}

/*
 * The adverts that came in before the deadline count before it: a thread
 * that ran late (TCG on a busy host) finds the timer and the master's
 * adverts ready in one epoll batch, timer first as often as not, and
 * would declare the master down, or power its stick, with the advert
 * that says otherwise unread.
 */
static void ha_timer(struct timer *t)
{
	struct gateway *gw = container_of(t, struct gateway, ha.timer);
	uint64_t deadline = vrrp_deadline(&gw->ha.v);
	unsigned int read = ha_read_adverts(gw);

	ha_log_late(gw, deadline, read);
	ha_input(gw, VRRP_IN_TIMER);
}

static void ha_link_ready(struct watch *w, uint32_t events)
{
	struct gateway *gw = container_of(w, struct gateway, ha.link_w);
	struct gw_ha *ha = &gw->ha;
	int ret;

	(void)events;
	ret = vrrp_net_link_event(&ha->n);
	if (ret < 0) {
		log_warn(gw_name(gw), "vrrp: %s", vrrp_net_error(&ha->n));
		return;
	}
	if (!ret)
		return;
	log_notice(gw_name(gw), "vrrp: %s carrier %s", ha->n.ifname,
		   ha->n.link_up ? "up" : "lost");
	ha_input(gw, ha->n.link_up ? VRRP_IN_LINK_UP : VRRP_IN_LINK_DOWN);
}

/* Inputs from the gateway; end of file: the gateway is exiting. */
static void ha_cmd_ready(struct watch *w, uint32_t events)
{
	struct gateway *gw = container_of(w, struct gateway, ha.cmd_w);
	struct vrrp_event ev;
	int ret;

	(void)events;
	ret = ha_pipe_get(w->fd, &ev, sizeof(ev));
	if (ret < 0)
		loop_stop(&gw->ha.tloop);
	if (ret <= 0)
		return;
	ev.now_ms = now_ms();
	ha_feed(gw, &ev);
}

static void *ha_thread(void *arg)
{
	struct gateway *gw = arg;
	int ret;

	ret = loop_run(&gw->ha.tloop);
	if (ret)
		log_err(gw_name(gw), "vrrp: epoll: %s", strerror(-ret));
	return NULL;
}

/* --- the gateway's side ---------------------------------------------------- */

static int ha_send(struct gateway *gw, enum vrrp_input type,
		   uint32_t backoff_ms)
{
	struct vrrp_event ev = { .type = type, .backoff_ms = backoff_ms };

	return ha_pipe_put(gw, gw->ha.to_thread[1], &ev, sizeof(ev),
			   "the VRRP thread");
}

/* Switches the stick off and confirms it; retried until the module agrees. */
static void ha_power_off(struct gateway *gw)
{
	if (gateway_power_off(gw)) {
		gw->ha.power_off_pending = true;
		timer_arm(&gw->timer, HA_POWER_RETRY_MS);
		return;
	}
	gw->ha.power_off_pending = false;
	ha_send(gw, VRRP_IN_POWER_OFF_CONFIRMED, 0);
}

static void ha_release_done(struct gateway *gw)
{
	struct gw_ha *ha = &gw->ha;
	enum ha_after after = ha->after;

	ha->after = HA_AFTER_NOTHING;
	switch (after) {
	case HA_AFTER_REBOOT:
		gateway_reboot(gw);
		break;
	case HA_AFTER_EXEC:
		gateway_exec(gw, ha->after_reason);
		break;
	case HA_AFTER_NOTHING:
		break;
	}
}

static void ha_dispatch(struct gateway *gw, unsigned int what)
{
	struct gw_ha *ha = &gw->ha;

	switch (what) {
	case HA_MSG_CHANGED:
		gateway_changed(gw);
		break;
	case VRRP_ACT_BECOME_BACKUP:
		gateway_standby(gw, false);
		break;
	case VRRP_ACT_ENTER_FAULT:
		gateway_standby(gw, true);
		break;
	case VRRP_ACT_POWER_ON_ALLOWED:
		if (ha->shutting_down)
			break; /* SHUTDOWN is on its way to the thread */
		/*
		 * Not while the session-end program runs: the instance is held
		 * out of the election then (HOLD), so this one is stale; the
		 * next mastership after UNHOLD allows it again.
		 */
		if (gw->state != GW_EXEC)
			gateway_start(gw);
		break;
	case VRRP_ACT_STOP_SERVING:
		/*
		 * The stick off before its tty is closed: closing an open
		 * ACM tty drops DTR through the USB stack, tens of ms under
		 * TCG, and the release's priority 0 waits for the power-off,
		 * not for the close. The POWER_OFF that follows switches it
		 * off once more and confirms. No port event can intervene:
		 * gateway_standby() leaves SERVING before the loop runs.
		 * The session ends there, without the session-end action
		 * (this host is released already): say so, as every end is.
		 */
		if (gw->s.active)
			log_notice(gw_name(gw), "session %s: ended: no longer master",
				   gw->s.peer);
		if (gw->m.stick_powered)
			gateway_power_off(gw);
		gateway_standby(gw, true);
		break;
	case VRRP_ACT_POWER_OFF:
		ha_power_off(gw);
		break;
	case VRRP_ACT_RELEASE_DONE:
		ha_release_done(gw);
		break;
	case HA_MSG_STOPPED:
		break;
	default:
		log_err(gw_name(gw), "vrrp: unknown message %u", what);
		break;
	}
}

/* Reads one message; 1 and *what, 0 if none waits, -1 if the pipe broke. */
static int ha_recv(struct gateway *gw, unsigned int *what)
{
	struct ha_msg m;
	int ret = ha_pipe_get(gw->ha.to_main[0], &m, sizeof(m));

	if (ret > 0)
		*what = m.what;
	return ret;
}

static void ha_main_ready(struct watch *w, uint32_t events)
{
	struct gateway *gw = container_of(w, struct gateway, ha.main_w);
	unsigned int what, i;
	int ret;

	(void)events;
	for (i = 0; i < 16; i++) {
		ret = ha_recv(gw, &what);
		if (ret < 0) {
			log_err(gw_name(gw), "vrrp: the VRRP thread is gone");
			watch_del(gw->loop, w);
		}
		if (ret <= 0)
			return;
		ha_dispatch(gw, what);
	}
}

static int ha_pipe(int fds[2])
{
	return pipe2(fds, O_NONBLOCK | O_CLOEXEC) ? -errno : 0;
}

int ha_init(struct gateway *gw)
{
	const struct pizwg_vrrp_config *r = &gw->cfg->vrrp;
	struct gw_ha *ha = &gw->ha;
	struct vrrp_net_config nc = {
		.ifname = r->interface,
		.vrid = r->vrid,
		.version = r->version,
		.csum = r->csum == CONF_VRRP_CSUM_RFC9568 ?
				VRRP_CSUM_RFC9568 :
				VRRP_CSUM_PSEUDO_HEADER,
		.interval_cs = r->advert_interval,
		.vip = r->vip,
		.vip_prefix = r->vip_prefix,
		.peers = r->n_peers ? r->peers : NULL,
		.n_peers = r->n_peers,
	};
	struct vrrp_config vc;
	int ret;

	ha->to_thread[0] = ha->to_thread[1] = -1;
	ha->to_main[0] = ha->to_main[1] = -1;
	ha->tloop.epfd = -1;
	ha->timer.w.fd = ha->vip_timer.w.fd = ha->garp_timer.w.fd = -1;
	if (!r->enabled)
		return 0;
	pthread_mutex_init(&ha->lock, NULL);
	ha->on = true;
	if (vrrp_net_open(&ha->n, &nc)) {
		log_err(gw_name(gw), "vrrp: %s", vrrp_net_error(&ha->n));
		return -EINVAL;
	}
	vc = (struct vrrp_config){
		.version = r->version,
		.priority = r->priority,
		.interval_cs = r->advert_interval,
		.preempt = r->preempt,
		.primary = ha->n.saddr,
	};
	if (vrrp_init(&ha->v, &vc)) {
		log_err(gw_name(gw), "vrrp: bad instance settings");
		return -EINVAL;
	}
	ha->v.link_up = ha->n.link_up;
	ha->stats.state = ha->v.state;
	gw->m.vrrp_enabled = true;
	gw->m.vrrp_state = ha->v.state;
	ret = ha_pipe(ha->to_thread);
	if (!ret)
		ret = ha_pipe(ha->to_main);
	if (!ret)
		ret = loop_init(&ha->tloop);
	if (!ret)
		ret = timer_init(&ha->tloop, &ha->timer, ha_timer);
	if (!ret)
		ret = timer_init(&ha->tloop, &ha->vip_timer, ha_vip_timer);
	if (!ret)
		ret = timer_init(&ha->tloop, &ha->garp_timer, ha_garp_timer);
	if (ret) {
		log_err(gw_name(gw), "vrrp: %s", strerror(-ret));
		return ret;
	}
	watch_init(&ha->cmd_w, ha->to_thread[0], ha_cmd_ready);
	watch_init(&ha->advert_w, vrrp_net_advert_fd(&ha->n), ha_advert_ready);
	watch_init(&ha->link_w, vrrp_net_link_fd(&ha->n), ha_link_ready);
	watch_init(&ha->main_w, ha->to_main[0], ha_main_ready);
	ret = watch_set(&ha->tloop, &ha->cmd_w, EPOLLIN);
	if (!ret)
		ret = watch_set(&ha->tloop, &ha->advert_w, EPOLLIN);
	if (!ret)
		ret = watch_set(&ha->tloop, &ha->link_w, EPOLLIN);
	if (!ret)
		ret = watch_set(gw->loop, &ha->main_w, EPOLLIN);
	return ret;
}

int ha_start(struct gateway *gw)
{
	struct gw_ha *ha = &gw->ha;
	char a[INET_ADDRSTRLEN], vip[32];
	sigset_t all, old;
	int ret;

	inet_ntop(AF_INET, &ha->n.saddr, a, sizeof(a));
	vrrp_net_vip_str(&ha->n, vip, sizeof(vip));
	log_info(gw_name(gw),
		 "vrrp: instance vrid %u on %s from %s, vip %s, priority %u, interval %u cs, version %u%s",
		 gw->cfg->vrrp.vrid, ha->n.ifname, a, vip,
		 gw->cfg->vrrp.priority, gw->cfg->vrrp.advert_interval,
		 gw->cfg->vrrp.version, gw->cfg->vrrp.preempt ? ", preempt" : "");
	/*
	 * Whatever the port was left in, the stick is off until we master;
	 * a failed switch is retried while the gateway does not want it on.
	 */
	if (gateway_power_off(gw))
		gateway_retry_power_off(gw);
	gateway_standby(gw, false);
	if (ha_send(gw, VRRP_IN_START, 0))
		return -EIO;
	/* signals stay with the gateway's thread (signalfd) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&ha->thread, NULL, ha_thread, gw);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		log_err(gw_name(gw), "vrrp: cannot start its thread: %s",
			strerror(ret));
		return -ret;
	}
	ha->started = true;
	return 0;
}

void ha_release(struct gateway *gw, enum ha_after after, const char *reason)
{
	struct gw_ha *ha = &gw->ha;

	ha->after = after;
	snprintf(ha->after_reason, sizeof(ha->after_reason), "%s", reason);
	/* the thread answers RELEASE_DONE, at once if not master */
	ha_send(gw, after == HA_AFTER_EXEC ? VRRP_IN_HOLD : VRRP_IN_RELEASE, 0);
}

void ha_exec_done(struct gateway *gw)
{
	ha_send(gw, VRRP_IN_UNHOLD, 0);
}

void ha_local_fault(struct gateway *gw, unsigned int backoff_s)
{
	ha_send(gw, VRRP_IN_LOCAL_FAULT, backoff_s * 1000u);
}

bool ha_power_retry(struct gateway *gw)
{
	if (!gw->ha.on || !gw->ha.power_off_pending)
		return false;
	ha_power_off(gw);
	return true;
}

/*
 * SIGTERM: each thread releases (stick off first, then priority 0 and the
 * VIP removed) while ha_shutdown() answers their POWER_OFF, synchronously,
 * all gateways side by side until one deadline, HA_SHUTDOWN_MS from now.
 * Past it we leave anyway: the module's lease switches the port off when
 * this process exits. One deadline for all, not one each: eight gateways
 * whose hubs do not answer must not take eight times as long.
 */
static void ha_shutdown_begin(struct gateway *gw)
{
	struct gw_ha *ha = &gw->ha;
	bool off;

	if (!ha->started)
		return;
	ha->after = HA_AFTER_NOTHING;
	ha->shutting_down = true;
	/*
	 * The stick off first, here, so that priority 0 waits for nothing
	 * but that: its confirmation goes right behind SHUTDOWN (which puts
	 * a master in RELEASING; in any other state it is ignored). Nothing
	 * can switch the stick on again meanwhile: POWER_ON_ALLOWED is
	 * ignored from now on. The thread's own POWER_OFF is answered too.
	 */
	off = !gateway_power_off(gw);
	if (ha_send(gw, VRRP_IN_SHUTDOWN, 0))
		return;
	if (off && ha_send(gw, VRRP_IN_POWER_OFF_CONFIRMED, 0))
		return;
	ha->shutdown_wait = true;
}

/* Answers what @gw's thread sent: false once its release is over. */
static bool ha_shutdown_step(struct gateway *gw, uint64_t now)
{
	struct gw_ha *ha = &gw->ha;
	unsigned int what;
	int ret;

	if (ha->power_off_pending && now >= ha->retry_at) {
		ha_power_off(gw);
		ha->retry_at = now + HA_POWER_RETRY_MS;
	}
	while ((ret = ha_recv(gw, &what)) > 0) {
		if (what == HA_MSG_STOPPED)
			return false;
		ha_dispatch(gw, what);
	}
	if (ret < 0)
		log_err(gw_name(gw), "vrrp: release cut short: the VRRP thread is gone");
	return ret == 0;
}

void ha_shutdown(struct gateway *gws, unsigned int n)
{
	struct pollfd p[CONF_GATEWAYS_MAX];
	uint64_t end = now_ms() + HA_SHUTDOWN_MS, now;
	unsigned int i, k;
	struct gw_ha *ha;
	bool retrying;

	for (i = 0; i < n; i++)
		ha_shutdown_begin(&gws[i]);
	for (now = now_ms(); now < end; now = now_ms()) {
		retrying = false;
		for (i = 0, k = 0; i < n; i++) {
			ha = &gws[i].ha;
			if (ha->shutdown_wait)
				ha->shutdown_wait = ha_shutdown_step(&gws[i], now);
			if (!ha->shutdown_wait)
				continue;
			retrying |= ha->power_off_pending;
			p[k++] = (struct pollfd){ .fd = ha->to_main[0],
						  .events = POLLIN };
		}
		if (!k)
			return;
		poll(p, k, retrying ? 100 : (int)(end - now));
	}
	for (i = 0; i < n; i++)
		if (gws[i].ha.shutdown_wait)
			log_err(gw_name(&gws[i]),
				"vrrp: release not finished within %u s",
				HA_SHUTDOWN_MS / 1000);
}

void ha_sync_metrics(struct gateway *gw)
{
	struct gw_ha *ha = &gw->ha;
	struct gw_metrics *m = &gw->m;

	if (!ha->on)
		return;
	pthread_mutex_lock(&ha->lock);
	m->vrrp_state = ha->stats.state;
	m->vrrp_transitions = ha->stats.transitions;
	m->adverts_sent = ha->stats.sent;
	m->adverts_received = ha->stats.received;
	memcpy(m->adverts_dropped, ha->stats.dropped,
	       sizeof(m->adverts_dropped));
	pthread_mutex_unlock(&ha->lock);
}

static void ha_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void ha_exit(struct gateway *gw)
{
	struct gw_ha *ha = &gw->ha;

	if (!ha->on)
		return;
	watch_del(gw->loop, &ha->main_w);
	/* end of file on its pipe stops the thread */
	ha_close(&ha->to_thread[1]);
	if (ha->started)
		pthread_join(ha->thread, NULL);
	ha->started = false;
	if (ha->tloop.epfd >= 0) {
		watch_del(&ha->tloop, &ha->cmd_w);
		watch_del(&ha->tloop, &ha->advert_w);
		watch_del(&ha->tloop, &ha->link_w);
		timer_exit(&ha->tloop, &ha->timer);
		timer_exit(&ha->tloop, &ha->vip_timer);
		timer_exit(&ha->tloop, &ha->garp_timer);
		loop_exit(&ha->tloop);
	}
	ha_close(&ha->to_thread[0]);
	ha_close(&ha->to_main[0]);
	ha_close(&ha->to_main[1]);
	vrrp_net_close(&ha->n);
	pthread_mutex_destroy(&ha->lock);
	ha->on = false;
}
