// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VRRP state machine: see vrrp.h for the states, the release order and
 * the power guard. RFC section numbers are RFC 9568's unless said otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "vrrp.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t cs_to_ms(uint16_t cs)
{
	return (uint64_t)cs * 10;
}

static uint64_t interval_ms(const struct vrrp *v)
{
	return cs_to_ms(v->cfg.interval_cs);
}

/* Skew_Time for a master advertising every @master_cs */
static uint64_t skew_ms(const struct vrrp *v, uint16_t master_cs)
{
	uint64_t weight = 256 - v->cfg.priority;

	/* RFC 3768 6.1: (256 - Priority) / 256 seconds, whatever the interval */
	if (v->cfg.version == 2)
		return weight * 1000 / 256;
	return weight * cs_to_ms(master_cs) / 256;
}

/* Master_Down_Interval for a master advertising every @master_cs */
static uint64_t down_ms(const struct vrrp *v, uint16_t master_cs)
{
	return 3 * cs_to_ms(master_cs) + skew_ms(v, master_cs);
}

uint64_t vrrp_skew_ms(const struct vrrp *v)
{
	return skew_ms(v, v->master_interval_cs);
}

uint64_t vrrp_master_down_ms(const struct vrrp *v)
{
	return down_ms(v, v->master_interval_cs);
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static void emit(struct vrrp_output *out, enum vrrp_action_type type,
		 uint8_t prio)
{
	/* VRRP_MAX_ACTIONS exceeds the longest sequence any event produces */
	if (out->n < VRRP_MAX_ACTIONS)
		out->act[out->n++] = (struct vrrp_action){ type, prio };
}

static void send_advert(struct vrrp *v, uint64_t now, struct vrrp_output *out)
{
	emit(out, VRRP_ACT_SEND_ADVERT, v->cfg.priority);
	v->advert_at = now + interval_ms(v);
}

/* RFC 9568 6.4.3: higher priority, or equal and higher primary address */
static bool sender_wins(const struct vrrp *v, const struct vrrp_event *ev)
{
	if (ev->prio != v->cfg.priority)
		return ev->prio > v->cfg.priority;
	return ntohl(ev->saddr) > ntohl(v->cfg.primary);
}

/*
 * The interval to reckon with for @ev's sender. From a router we outrank
 * (lower priority, or equal and a lower address) it is at most
 * VRRP_LOWER_INTERVAL_FACTOR times our own: such a router, or a forged
 * advert, claiming Max Adver Int 4095 would otherwise hold off our
 * takeover and our power-on for two minutes per advert. A winner's
 * interval is the group's, as RFC 9568 6.4.2 has it, and taken whole.
 */
static uint16_t sender_interval(const struct vrrp *v,
				const struct vrrp_event *ev)
{
	uint32_t cap = VRRP_LOWER_INTERVAL_FACTOR * v->cfg.interval_cs;

	if (sender_wins(v, ev) || ev->interval_cs <= cap)
		return ev->interval_cs;
	return cap;
}

/* Master_Adver_Interval := the advertised one (VRRPv3 only, RFC 9568 6.4) */
static void learn_interval(struct vrrp *v, const struct vrrp_event *ev)
{
	if (v->cfg.version == 3 && ev->interval_cs)
		v->master_interval_cs = sender_interval(v, ev);
}

static void become_backup(struct vrrp *v, uint64_t now, struct vrrp_output *out)
{
	v->state = VRRP_STATE_BACKUP;
	v->master_down_at = now + vrrp_master_down_ms(v);
	emit(out, VRRP_ACT_BECOME_BACKUP, 0);
}

/* RFC 9568 6.4.2, Master_Down_Timer fired; then the power guard starts */
static void become_master(struct vrrp *v, uint64_t now, struct vrrp_output *out)
{
	v->state = VRRP_STATE_MASTER;
	v->power_allowed = false;
	v->power_at = now + interval_ms(v);
	send_advert(v, now, out);
	emit(out, VRRP_ACT_ADD_VIP, 0);
	emit(out, VRRP_ACT_SEND_GARP, 0);
	emit(out, VRRP_ACT_BECOME_MASTER, 0);
}

static void enter_fault(struct vrrp *v, uint64_t until, struct vrrp_output *out)
{
	v->state = VRRP_STATE_FAULT;
	v->fault_until = until;
	/* the master we knew is forgotten; start over as RFC 9568 6.4.1 does */
	v->master_interval_cs = v->cfg.interval_cs;
	emit(out, VRRP_ACT_ENTER_FAULT, 0);
}

/* Step 1 of leaving MASTER: fence, and keep advertising until it is done. */
static void start_release(struct vrrp *v, enum vrrp_state to,
			  struct vrrp_output *out)
{
	v->state = VRRP_STATE_RELEASING;
	v->release_to = to;
	v->backoff_ms = 0;
	emit(out, VRRP_ACT_STOP_SERVING, 0);
	emit(out, VRRP_ACT_POWER_OFF, 0);
}

/* The strongest reason to leave wins: shutdown, then fault, then a peer. */
static void retarget_release(struct vrrp *v, enum vrrp_state to)
{
	if (v->release_to == VRRP_STATE_INIT)
		return;
	if (to == VRRP_STATE_BACKUP && v->release_to == VRRP_STATE_FAULT)
		return;
	v->release_to = to;
}

/* Step 3: the stick is off; now others may take over. */
static void finish_release(struct vrrp *v, uint64_t now,
			   struct vrrp_output *out)
{
	if (v->link_up)
		emit(out, VRRP_ACT_SEND_ADVERT, 0);
	emit(out, VRRP_ACT_DEL_VIP, 0);
	switch (v->release_to) {
	case VRRP_STATE_BACKUP:
		become_backup(v, now, out);
		break;
	case VRRP_STATE_FAULT:
		enter_fault(v, now + v->backoff_ms, out);
		break;
	default:
		v->state = VRRP_STATE_INIT;
		break;
	}
	emit(out, VRRP_ACT_RELEASE_DONE, 0);
}

static void on_start(struct vrrp *v, uint64_t now, struct vrrp_output *out)
{
	if (v->state != VRRP_STATE_INIT)
		return;
	v->master_interval_cs = v->cfg.interval_cs;
	if (v->link_up)
		become_backup(v, now, out);
	else
		enter_fault(v, 0, out);
}

/* Out of MASTER towards @to: a release begins or is retargeted; else false */
static bool leave_master(struct vrrp *v, enum vrrp_state to,
			 struct vrrp_output *out)
{
	if (v->state == VRRP_STATE_MASTER)
		start_release(v, to, out);
	else if (v->state == VRRP_STATE_RELEASING)
		retarget_release(v, to);
	else
		return false;
	return true;
}

static void on_shutdown(struct vrrp *v, struct vrrp_output *out)
{
	if (leave_master(v, VRRP_STATE_INIT, out))
		return;
	v->state = VRRP_STATE_INIT;
	emit(out, VRRP_ACT_RELEASE_DONE, 0);
}

/* RFC 9568 6.4.2 */
static void backup_advert(struct vrrp *v, const struct vrrp_event *ev)
{
	if (!ev->prio) {
		v->master_down_at = ev->now_ms + vrrp_skew_ms(v);
		return;
	}
	if (v->cfg.preempt && ev->prio < v->cfg.priority)
		return;
	learn_interval(v, ev);
	v->master_down_at = ev->now_ms + vrrp_master_down_ms(v);
}

/*
 * The power guard: another router still advertising may still power its
 * stick; wait until we would declare it dead (at its interval, capped).
 */
static void guard_other_master(struct vrrp *v, const struct vrrp_event *ev)
{
	uint64_t dead_at = ev->now_ms + down_ms(v, sender_interval(v, ev));

	if (!v->power_allowed)
		v->power_at = max_u64(v->power_at, dead_at);
}

/* RFC 9568 6.4.3 */
static void master_advert(struct vrrp *v, const struct vrrp_event *ev,
			  struct vrrp_output *out)
{
	if (!ev->prio) {
		send_advert(v, ev->now_ms, out);
		if (!v->power_allowed)
			v->power_at = ev->now_ms + interval_ms(v);
		return;
	}
	if (sender_wins(v, ev)) {
		learn_interval(v, ev);
		start_release(v, VRRP_STATE_BACKUP, out);
		return;
	}
	emit(out, VRRP_ACT_SEND_ADVERT, v->cfg.priority);
	emit(out, VRRP_ACT_LOWER_ADVERT, ev->prio);
	guard_other_master(v, ev);
}

static void on_advert(struct vrrp *v, const struct vrrp_event *ev,
		      struct vrrp_output *out)
{
	if (ev->saddr == v->cfg.primary)
		return;
	if (v->state == VRRP_STATE_BACKUP)
		backup_advert(v, ev);
	else if (v->state == VRRP_STATE_MASTER)
		master_advert(v, ev, out);
}

/*
 * A deadline met more than one Advertisement_Interval late: we did not run
 * meanwhile (a starved thread, a VM whose host is busy), and on a shared
 * host neither did the peers, whose overdue adverts come only now. The
 * silence measured was ours, not theirs: before taking over or powering
 * the stick on it, listen for one more interval while running. A late
 * decision only delays a takeover; a wrong one powers two sticks.
 */
static bool deadline_missed(const struct vrrp *v, uint64_t deadline,
			    uint64_t now)
{
	return now >= deadline + interval_ms(v);
}

static void master_timer(struct vrrp *v, uint64_t now, struct vrrp_output *out)
{
	if (now >= v->advert_at)
		send_advert(v, now, out);
	if (v->power_allowed || now < v->power_at)
		return;
	if (deadline_missed(v, v->power_at, now)) {
		v->power_at = now + interval_ms(v);
		return;
	}
	v->power_allowed = true;
	emit(out, VRRP_ACT_POWER_ON_ALLOWED, 0);
}

static void backup_timer(struct vrrp *v, uint64_t now, struct vrrp_output *out)
{
	if (now < v->master_down_at)
		return;
	if (deadline_missed(v, v->master_down_at, now))
		v->master_down_at = now + interval_ms(v);
	else
		become_master(v, now, out);
}

/* FAULT ends: not held, the link up, the back-off over */
static bool fault_over(const struct vrrp *v, uint64_t now)
{
	return !v->held && v->link_up && now >= v->fault_until;
}

static void on_timer(struct vrrp *v, uint64_t now, struct vrrp_output *out)
{
	switch (v->state) {
	case VRRP_STATE_BACKUP:
		backup_timer(v, now, out);
		break;
	case VRRP_STATE_MASTER:
		master_timer(v, now, out);
		break;
	case VRRP_STATE_RELEASING:
		if (v->link_up && now >= v->advert_at)
			send_advert(v, now, out);
		break;
	case VRRP_STATE_FAULT:
		if (fault_over(v, now))
			become_backup(v, now, out);
		break;
	default:
		break;
	}
}

static void on_link_up(struct vrrp *v, uint64_t now, struct vrrp_output *out)
{
	v->link_up = true;
	if (v->state == VRRP_STATE_FAULT && fault_over(v, now))
		become_backup(v, now, out);
}

static void on_link_down(struct vrrp *v, struct vrrp_output *out)
{
	v->link_up = false;
	if (v->state == VRRP_STATE_BACKUP)
		enter_fault(v, 0, out);
	else
		leave_master(v, VRRP_STATE_FAULT, out);
}

static void on_local_fault(struct vrrp *v, const struct vrrp_event *ev,
			   struct vrrp_output *out)
{
	switch (v->state) {
	case VRRP_STATE_BACKUP:
		enter_fault(v, ev->now_ms + ev->backoff_ms, out);
		break;
	case VRRP_STATE_MASTER:
		start_release(v, VRRP_STATE_FAULT, out);
		v->backoff_ms = ev->backoff_ms;
		break;
	case VRRP_STATE_RELEASING:
		retarget_release(v, VRRP_STATE_FAULT);
		if (ev->backoff_ms > v->backoff_ms)
			v->backoff_ms = ev->backoff_ms;
		break;
	case VRRP_STATE_FAULT:
		v->fault_until =
			max_u64(v->fault_until, ev->now_ms + ev->backoff_ms);
		break;
	default:
		break;
	}
}

static void on_release(struct vrrp *v, struct vrrp_output *out)
{
	if (v->state == VRRP_STATE_MASTER)
		start_release(v, VRRP_STATE_BACKUP, out);
	else if (v->state != VRRP_STATE_RELEASING)
		emit(out, VRRP_ACT_RELEASE_DONE, 0);
}

static void on_hold(struct vrrp *v, uint64_t now, struct vrrp_output *out)
{
	v->held = true;
	if (leave_master(v, VRRP_STATE_FAULT, out))
		return; /* RELEASE_DONE once the stick is off */
	if (v->state == VRRP_STATE_BACKUP)
		enter_fault(v, now, out);
	emit(out, VRRP_ACT_RELEASE_DONE, 0);
}

static void on_unhold(struct vrrp *v, uint64_t now, struct vrrp_output *out)
{
	v->held = false;
	if (v->state == VRRP_STATE_FAULT && fault_over(v, now))
		become_backup(v, now, out);
}

static uint64_t next_deadline(const struct vrrp *v)
{
	switch (v->state) {
	case VRRP_STATE_BACKUP:
		return v->master_down_at;
	case VRRP_STATE_MASTER:
		if (v->power_allowed || v->advert_at < v->power_at)
			return v->advert_at;
		return v->power_at;
	case VRRP_STATE_RELEASING:
		return v->link_up ? v->advert_at : VRRP_NO_DEADLINE;
	case VRRP_STATE_FAULT:
		return v->link_up && !v->held ? v->fault_until :
						VRRP_NO_DEADLINE;
	default:
		return VRRP_NO_DEADLINE;
	}
}

void vrrp_step(struct vrrp *v, const struct vrrp_event *ev,
	       struct vrrp_output *out)
{
	out->n = 0;
	switch (ev->type) {
	case VRRP_IN_START:
		on_start(v, ev->now_ms, out);
		break;
	case VRRP_IN_SHUTDOWN:
		on_shutdown(v, out);
		break;
	case VRRP_IN_ADVERT:
		on_advert(v, ev, out);
		break;
	case VRRP_IN_TIMER:
		on_timer(v, ev->now_ms, out);
		break;
	case VRRP_IN_LINK_UP:
		on_link_up(v, ev->now_ms, out);
		break;
	case VRRP_IN_LINK_DOWN:
		on_link_down(v, out);
		break;
	case VRRP_IN_LOCAL_FAULT:
		on_local_fault(v, ev, out);
		break;
	case VRRP_IN_RELEASE:
		on_release(v, out);
		break;
	case VRRP_IN_POWER_OFF_CONFIRMED:
		if (v->state == VRRP_STATE_RELEASING)
			finish_release(v, ev->now_ms, out);
		break;
	case VRRP_IN_HOLD:
		on_hold(v, ev->now_ms, out);
		break;
	case VRRP_IN_UNHOLD:
		on_unhold(v, ev->now_ms, out);
		break;
	}
	out->deadline_ms = next_deadline(v);
}

uint64_t vrrp_deadline(const struct vrrp *v)
{
	return next_deadline(v);
}

static bool config_valid(const struct vrrp_config *cfg)
{
	if (cfg->priority < 1 || cfg->priority > 254)
		return false;
	if (cfg->version == 3)
		return cfg->interval_cs >= 1 && cfg->interval_cs <= 4095;
	if (cfg->version == 2)
		return cfg->interval_cs >= 100 && cfg->interval_cs <= 25500 &&
		       cfg->interval_cs % 100 == 0;
	return false;
}

int vrrp_init(struct vrrp *v, const struct vrrp_config *cfg)
{
	memset(v, 0, sizeof(*v));
	if (!config_valid(cfg))
		return -EINVAL;
	v->cfg = *cfg;
	v->state = VRRP_STATE_INIT;
	v->link_up = true;
	v->master_interval_cs = cfg->interval_cs;
	return 0;
}

const char *vrrp_state_name(enum vrrp_state state)
{
	static const char *const names[] = {
		[VRRP_STATE_INIT] = "INIT",
		[VRRP_STATE_BACKUP] = "BACKUP",
		[VRRP_STATE_MASTER] = "MASTER",
		[VRRP_STATE_RELEASING] = "RELEASING",
		[VRRP_STATE_FAULT] = "FAULT",
	};

	if ((unsigned int)state >= ARRAY_SIZE(names))
		return "UNKNOWN";
	return names[state];
}

const char *vrrp_action_name(enum vrrp_action_type type)
{
	static const char *const names[] = {
		[VRRP_ACT_SEND_ADVERT] = "SEND_ADVERT",
		[VRRP_ACT_ADD_VIP] = "ADD_VIP",
		[VRRP_ACT_DEL_VIP] = "DEL_VIP",
		[VRRP_ACT_SEND_GARP] = "SEND_GARP",
		[VRRP_ACT_BECOME_MASTER] = "BECOME_MASTER",
		[VRRP_ACT_BECOME_BACKUP] = "BECOME_BACKUP",
		[VRRP_ACT_ENTER_FAULT] = "ENTER_FAULT",
		[VRRP_ACT_POWER_ON_ALLOWED] = "POWER_ON_ALLOWED",
		[VRRP_ACT_STOP_SERVING] = "STOP_SERVING",
		[VRRP_ACT_POWER_OFF] = "POWER_OFF",
		[VRRP_ACT_RELEASE_DONE] = "RELEASE_DONE",
		[VRRP_ACT_LOWER_ADVERT] = "LOWER_ADVERT",
	};

	if ((unsigned int)type >= ARRAY_SIZE(names))
		return "UNKNOWN";
	return names[type];
}
