/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VRRP state machine of one instance (RFC 9568 section 6.4, which
 * obsoletes RFC 5798; RFC 3768 timers for VRRPv2), with PiZWG's power
 * policy folded in. Pure: time is an input, nothing is read, sent or
 * logged. The caller feeds events to vrrp_step() and carries out the
 * actions it returns, in order, then calls again with VRRP_IN_TIMER once
 * the returned deadline has passed.
 *
 * States: INIT, BACKUP, MASTER (RFC 9568's Active), FAULT (link down, a
 * local fault, as keepalived has it, or a hold), and RELEASING, between MASTER and
 * whatever comes next.
 *
 * Leaving MASTER (a better advertisement, shutdown, link down, local fault,
 * a voluntary release) never lets another host take over while our stick
 * may still be powered:
 *
 *   1. STOP_SERVING, POWER_OFF: end the session, power the stick off;
 *      state RELEASING. We go on advertising our priority every interval
 *      (link permitting), so that no other master powers its stick yet.
 *   2. the caller reports VRRP_IN_POWER_OFF_CONFIRMED once the module has
 *      confirmed the port is off; only then
 *   3. SEND_ADVERT(0) (skipped while the link is down), DEL_VIP, then
 *      BECOME_BACKUP or ENTER_FAULT (nothing for shutdown: INIT), and
 *      RELEASE_DONE last.
 *
 * The power guard: POWER_ON_ALLOWED comes once per mastership, after one
 * full Advertisement_Interval as master, and not before any other router
 * still advertising a non-zero priority would be declared dead (its
 * Master_Down_Interval from the last such advertisement): a losing master
 * keeps advertising while it powers its stick off (step 1 above). Its
 * priority 0 (step 3) ends that wait; one more full interval follows.
 *
 * Timers (RFC 9568 section 6.1, RFC 3768 section 6.1), in milliseconds:
 *   Skew_Time             v3: (256 - Priority) * Master_Adver_Interval / 256
 *                         v2: (256 - Priority) / 256 seconds
 *   Master_Down_Interval  3 * Master_Adver_Interval + Skew_Time
 * The RFC's unit is the centisecond; the formula is evaluated in
 * milliseconds, finer, so fewer priorities share one skew.
 * A backup learns Master_Adver_Interval from the master's advertisements
 * (VRRPv3); VRRPv2 requires equal intervals (the decoder drops others).
 * From a router we outrank (which a backup without preempt follows, and
 * whose adverts a master's power guard waits out), an interval counts for
 * at most VRRP_LOWER_INTERVAL_FACTOR times our own: one advert with Max
 * Adver Int 4095 would otherwise stall a takeover or a power-on for over
 * two minutes. Such a lower master advertising slower than that (9 times
 * our interval plus Skew_Time) loses mastership to us, preempt or not.
 *
 * Election: a higher priority wins; on equal priority the higher primary
 * address (unsigned, network order). A backup follows RFC 9568 6.4.2: it
 * resets its Master_Down_Timer on any advertisement when preempt is off,
 * and on priority >= its own when on (so only then does it take over from a
 * lower master, by letting the timer expire). A master answers a losing
 * advertisement with one of its own at once (RFC 9568 6.4.3) and stays
 * master, preempt or not; LOWER_ADVERT tells the caller, to log it (two
 * masters: a one-way link, or a peer that drops our adverts). Adverts
 * from our own primary address (multicast looped back) are ignored.
 */
#ifndef PIZWGD_VRRP_H
#define PIZWGD_VRRP_H

#include <stdbool.h>
#include <stdint.h>

#define VRRP_NO_DEADLINE UINT64_MAX
#define VRRP_MAX_ACTIONS 8
/* a router we outrank: its interval counts for at most this times ours */
#define VRRP_LOWER_INTERVAL_FACTOR 3

enum vrrp_state {
	VRRP_STATE_INIT,
	VRRP_STATE_BACKUP,
	VRRP_STATE_MASTER,
	VRRP_STATE_RELEASING,
	VRRP_STATE_FAULT,
};

enum vrrp_input {
	VRRP_IN_START,
	VRRP_IN_SHUTDOWN, /* release, then INIT */
	VRRP_IN_ADVERT, /* a decoded advertisement: prio, interval, saddr */
	VRRP_IN_TIMER, /* the deadline passed (early calls do nothing) */
	VRRP_IN_LINK_UP, /* carrier */
	VRRP_IN_LINK_DOWN,
	VRRP_IN_LOCAL_FAULT, /* e.g. the stick did not enumerate: backoff_ms */
	VRRP_IN_RELEASE, /* give mastership up, stay in the group */
	VRRP_IN_POWER_OFF_CONFIRMED,
	/*
	 * HOLD: leave the election until UNHOLD (the on_session_end program
	 * runs): released as for RELEASE, then FAULT, whatever the back-off
	 * and the link say; answered with RELEASE_DONE. UNHOLD: FAULT ends
	 * as it would have without the hold.
	 */
	VRRP_IN_HOLD,
	VRRP_IN_UNHOLD,
};

struct vrrp_event {
	enum vrrp_input type;
	uint64_t now_ms;
	/* VRRP_IN_ADVERT */
	uint8_t prio;
	uint16_t interval_cs;
	uint32_t saddr; /* network order */
	/* VRRP_IN_LOCAL_FAULT: time in FAULT after the release, then BACKUP */
	uint32_t backoff_ms;
};

enum vrrp_action_type {
	VRRP_ACT_SEND_ADVERT, /* with .prio */
	VRRP_ACT_ADD_VIP,
	VRRP_ACT_DEL_VIP,
	VRRP_ACT_SEND_GARP,
	VRRP_ACT_BECOME_MASTER,
	VRRP_ACT_BECOME_BACKUP,
	VRRP_ACT_ENTER_FAULT,
	VRRP_ACT_POWER_ON_ALLOWED, /* power the stick, then serve */
	VRRP_ACT_STOP_SERVING, /* end the session, close the tty */
	VRRP_ACT_POWER_OFF, /* power off; report VRRP_IN_POWER_OFF_CONFIRMED */
	VRRP_ACT_RELEASE_DONE, /* the answer to shutdown, release, fault */
	VRRP_ACT_LOWER_ADVERT, /* master: one we outrank advertises (.prio) */
};

struct vrrp_action {
	enum vrrp_action_type type;
	uint8_t prio;
};

struct vrrp_output {
	struct vrrp_action act[VRRP_MAX_ACTIONS];
	unsigned int n;
	uint64_t deadline_ms; /* absolute; VRRP_NO_DEADLINE: none */
};

struct vrrp_config {
	uint8_t version; /* 3, or 2 */
	uint8_t priority; /* 1..254: we never own the VIP */
	uint16_t interval_cs; /* v3: 1..4095; v2: whole seconds, 1..255 */
	bool preempt;
	uint32_t primary; /* our source address, network order */
};

/* One instance; the caller owns it, vrrp_init() sets it up. */
struct vrrp {
	struct vrrp_config cfg;
	enum vrrp_state state;
	enum vrrp_state release_to; /* RELEASING: INIT, BACKUP or FAULT */
	bool link_up;
	bool held; /* HOLD without UNHOLD since: FAULT stays */
	bool power_allowed; /* POWER_ON_ALLOWED given this mastership */
	uint16_t master_interval_cs; /* Master_Adver_Interval */
	uint32_t backoff_ms; /* RELEASING to FAULT: then this long */
	uint64_t master_down_at; /* BACKUP */
	uint64_t advert_at; /* MASTER, RELEASING */
	uint64_t power_at; /* MASTER, until power_allowed */
	uint64_t fault_until; /* FAULT: not before, and link up */
};

/* 0, or -EINVAL for a configuration out of the ranges above. INIT, link up. */
int vrrp_init(struct vrrp *v, const struct vrrp_config *cfg);

/* Applies @ev; @out gets the actions to take, in order, and the deadline. */
void vrrp_step(struct vrrp *v, const struct vrrp_event *ev,
	       struct vrrp_output *out);

/* The deadline the last vrrp_step() returned. */
uint64_t vrrp_deadline(const struct vrrp *v);

/* Master_Down_Interval and Skew_Time now, in ms (for tests and logs). */
uint64_t vrrp_master_down_ms(const struct vrrp *v);
uint64_t vrrp_skew_ms(const struct vrrp *v);

/* "INIT", "BACKUP", ...; "SEND_ADVERT", ...: for logs and metrics */
const char *vrrp_state_name(enum vrrp_state state);
const char *vrrp_action_name(enum vrrp_action_type type);

#endif /* PIZWGD_VRRP_H */
