// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VRRP state machine against RFC 9568 section 6.4 (RFC 5798's, with
 * RFC 9568's clarifications) and PiZWG's power policy: every transition,
 * the tie-breaks, priority 0, preempt on and off, interval learning, the
 * power guard, the release order when leaving MASTER, and FAULT. Actions
 * are compared as one string, in order, e.g. "SEND_ADVERT(100) ADD_VIP".
 *
 * Then two machines on a simulated link, with a stick that takes a while
 * to power off, assert the one-stick invariant over whole scenarios.
 *
 * Default instance: VRRPv3, priority 100, 20 cs, so Advertisement_Interval
 * is 200 ms, Skew_Time (256 - 100) * 200 / 256 = 121 ms and
 * Master_Down_Interval 3 * 200 + 121 = 721 ms.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "vrrp.h"
#include "unit.h"

#define ADDR(a, b, c, d) htonl((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
/*
 * Chosen so that comparing the raw network-order words on a little-endian
 * host, or comparing signed, would order them the other way round.
 */
#define ME ADDR(192, 168, 1, 10)
#define LOWER ADDR(192, 168, 0, 20)
#define HIGHER ADDR(192, 168, 2, 5)
#define LOWER_UNSIGNED ADDR(10, 0, 0, 1)

#define PRIO 100
#define INTERVAL_MS 200
#define SKEW_MS 121
#define DOWN_MS 721
#define T0 1000

static struct vrrp v;
static struct vrrp_output out;

static void setup_with(uint8_t version, uint8_t prio, uint16_t interval_cs,
		       bool preempt)
{
	struct vrrp_config cfg = {
		.version = version,
		.priority = prio,
		.interval_cs = interval_cs,
		.preempt = preempt,
		.primary = ME,
	};

	if (vrrp_init(&v, &cfg))
		abort();
}

static void setup(bool preempt)
{
	setup_with(3, PRIO, 20, preempt);
}

static void step(enum vrrp_input type, uint64_t now)
{
	struct vrrp_event ev = { .type = type, .now_ms = now };

	vrrp_step(&v, &ev, &out);
}

static void advert(uint64_t now, uint8_t prio, uint16_t interval_cs,
		   uint32_t saddr)
{
	struct vrrp_event ev = {
		.type = VRRP_IN_ADVERT,
		.now_ms = now,
		.prio = prio,
		.interval_cs = interval_cs,
		.saddr = saddr,
	};

	vrrp_step(&v, &ev, &out);
}

static void local_fault(uint64_t now, uint32_t backoff_ms)
{
	struct vrrp_event ev = {
		.type = VRRP_IN_LOCAL_FAULT,
		.now_ms = now,
		.backoff_ms = backoff_ms,
	};

	vrrp_step(&v, &ev, &out);
}

/* The actions of the last step, e.g. "SEND_ADVERT(100) ADD_VIP" */
static const char *acts(void)
{
	static char buf[512];
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < out.n; i++) {
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "",
			      vrrp_action_name(out.act[i].type));
		if (out.act[i].type == VRRP_ACT_SEND_ADVERT ||
		    out.act[i].type == VRRP_ACT_LOWER_ADVERT)
			n += snprintf(buf + n, sizeof(buf) - n, "(%u)",
				      out.act[i].prio);
	}
	return buf;
}

#define CHECK_STATE(s) CHECK_STR(vrrp_state_name(v.state), #s)

/* Started at T0, master at T0 + DOWN_MS, which it returns */
static uint64_t to_master(bool preempt)
{
	setup(preempt);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_TIMER, T0 + DOWN_MS);
	if (v.state != VRRP_STATE_MASTER)
		abort();
	return T0 + DOWN_MS;
}

/* Master, past the power guard: POWER_ON_ALLOWED given at the returned time */
static uint64_t to_powered_master(void)
{
	uint64_t t = to_master(false) + INTERVAL_MS;

	step(VRRP_IN_TIMER, t);
	if (!v.power_allowed)
		abort();
	return t;
}

/* Initialize */

static void configuration_out_of_range_is_refused(void)
{
	struct vrrp_config bad[] = {
		{ .version = 3, .priority = 0, .interval_cs = 20 },
		{ .version = 3, .priority = 255, .interval_cs = 20 },
		{ .version = 3, .priority = 100, .interval_cs = 0 },
		{ .version = 3, .priority = 100, .interval_cs = 4096 },
		{ .version = 2, .priority = 100, .interval_cs = 150 },
		{ .version = 2, .priority = 100, .interval_cs = 0 },
		{ .version = 2, .priority = 100, .interval_cs = 25600 },
		{ .version = 4, .priority = 100, .interval_cs = 20 },
	};
	struct vrrp_config good = { .version = 3,
				    .priority = 254,
				    .interval_cs = 4095 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(vrrp_init(&v, &bad[i]), -EINVAL);
	CHECK_INT(vrrp_init(&v, &good), 0);
	good.version = 2;
	good.interval_cs = 25500;
	CHECK_INT(vrrp_init(&v, &good), 0);
}

static void a_new_instance_is_in_init_without_deadline(void)
{
	setup(false);
	CHECK_STATE(INIT);
	CHECK(vrrp_deadline(&v) == VRRP_NO_DEADLINE);
}

static void start_enters_backup_with_the_master_down_timer(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	CHECK_STATE(BACKUP);
	CHECK_STR(acts(), "BECOME_BACKUP");
	CHECK_INT(out.deadline_ms, T0 + DOWN_MS);
}

static void master_down_interval_is_three_intervals_plus_skew(void)
{
	setup_with(3, 254, 20, false);
	CHECK_INT(vrrp_skew_ms(&v), 2 * 200 / 256);
	CHECK_INT(vrrp_master_down_ms(&v), 600 + 1);
	setup_with(3, 1, 20, false);
	CHECK_INT(vrrp_skew_ms(&v), 255 * 200 / 256);
	CHECK_INT(vrrp_master_down_ms(&v), 600 + 199);
	setup_with(3, PRIO, 100, false);
	CHECK_INT(vrrp_master_down_ms(&v), 3000 + 609);
}

static void a_higher_priority_has_a_shorter_skew(void)
{
	uint64_t skew_110;

	setup_with(3, 110, 20, false);
	skew_110 = vrrp_skew_ms(&v);
	setup_with(3, 100, 20, false);
	CHECK(skew_110 < vrrp_skew_ms(&v));
}

static void v2_skew_is_a_fraction_of_a_second_whatever_the_interval(void)
{
	setup_with(2, PRIO, 300, false);
	CHECK_INT(vrrp_skew_ms(&v), 156 * 1000 / 256);
	CHECK_INT(vrrp_master_down_ms(&v), 9000 + 609);
}

static void start_with_the_link_down_enters_fault(void)
{
	setup(false);
	step(VRRP_IN_LINK_DOWN, T0 - 1);
	CHECK_STATE(INIT);
	CHECK_STR(acts(), "");
	step(VRRP_IN_START, T0);
	CHECK_STATE(FAULT);
	CHECK_STR(acts(), "ENTER_FAULT");
	CHECK(out.deadline_ms == VRRP_NO_DEADLINE);
}

static void events_before_start_do_nothing(void)
{
	setup(false);
	advert(T0, 200, 20, HIGHER);
	CHECK_STR(acts(), "");
	step(VRRP_IN_TIMER, T0);
	CHECK_STR(acts(), "");
	step(VRRP_IN_POWER_OFF_CONFIRMED, T0);
	CHECK_STR(acts(), "");
	CHECK_STATE(INIT);
}

static void shutdown_in_init_is_answered_at_once(void)
{
	setup(false);
	step(VRRP_IN_SHUTDOWN, T0);
	CHECK_STR(acts(), "RELEASE_DONE");
	CHECK_STATE(INIT);
}

static void a_second_start_is_ignored(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_START, T0 + 500);
	CHECK_STR(acts(), "");
	CHECK_INT(out.deadline_ms, T0 + DOWN_MS);
}

/* Backup */

static void timer_before_the_deadline_does_nothing(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_TIMER, T0 + DOWN_MS - 1);
	CHECK_STATE(BACKUP);
	CHECK_STR(acts(), "");
	CHECK_INT(out.deadline_ms, T0 + DOWN_MS);
}

static void backup_becomes_master_when_master_down_timer_fires(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_TIMER, T0 + DOWN_MS);
	CHECK_STATE(MASTER);
	CHECK_STR(acts(), "SEND_ADVERT(100) ADD_VIP SEND_GARP BECOME_MASTER");
	CHECK_INT(out.deadline_ms, T0 + DOWN_MS + INTERVAL_MS);
}

/*
 * The Master_Down_Timer met a full interval late: we were not running (a
 * busy VM host), nor were the master's adverts sent or read meanwhile.
 */
static void backup_late_by_an_interval_listens_one_more_interval(void)
{
	uint64_t t = T0 + DOWN_MS + INTERVAL_MS;

	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_TIMER, t);
	CHECK_STATE(BACKUP);
	CHECK_STR(acts(), "");
	CHECK_INT(out.deadline_ms, t + INTERVAL_MS);
	/* the master's overdue advert, heard now, keeps us backup */
	advert(t + 30, 200, 20, LOWER);
	CHECK_STATE(BACKUP);
	CHECK_INT(out.deadline_ms, t + 30 + DOWN_MS);
}

static void backup_late_then_silence_takes_over_one_interval_later(void)
{
	uint64_t t = T0 + DOWN_MS + 5000;

	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_TIMER, t);
	CHECK_STATE(BACKUP);
	step(VRRP_IN_TIMER, t + INTERVAL_MS);
	CHECK_STATE(MASTER);
	CHECK_STR(acts(), "SEND_ADVERT(100) ADD_VIP SEND_GARP BECOME_MASTER");
}

static void backup_late_by_less_than_an_interval_takes_over(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_TIMER, T0 + DOWN_MS + INTERVAL_MS - 1);
	CHECK_STATE(MASTER);
}

static void backup_sets_the_timer_to_skew_time_on_priority_zero(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 300, 0, 20, HIGHER);
	CHECK_STATE(BACKUP);
	CHECK_STR(acts(), "");
	CHECK_INT(out.deadline_ms, T0 + 300 + SKEW_MS);
}

static void backup_takes_over_skew_time_after_priority_zero(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 300, 0, 20, HIGHER);
	step(VRRP_IN_TIMER, T0 + 300 + SKEW_MS);
	CHECK_STATE(MASTER);
}

static void backup_resets_the_timer_on_higher_priority(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, 200, 20, LOWER);
	CHECK_STATE(BACKUP);
	CHECK_STR(acts(), "");
	CHECK_INT(out.deadline_ms, T0 + 500 + DOWN_MS);
}

static void backup_resets_the_timer_on_equal_priority_higher_address(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, PRIO, 20, HIGHER);
	CHECK_INT(out.deadline_ms, T0 + 500 + DOWN_MS);
}

/* RFC 9568 6.4.2 compares priorities only: "greater than or equal" */
static void backup_with_preempt_accepts_equal_priority_lower_address(void)
{
	setup(true);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, PRIO, 20, LOWER);
	CHECK_INT(out.deadline_ms, T0 + 500 + DOWN_MS);
}

static void backup_without_preempt_resets_the_timer_on_lower_priority(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, 50, 20, HIGHER);
	CHECK_STATE(BACKUP);
	CHECK_INT(out.deadline_ms, T0 + 500 + DOWN_MS);
}

static void backup_with_preempt_discards_lower_priority(void)
{
	setup(true);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, 50, 20, HIGHER);
	CHECK_STATE(BACKUP);
	CHECK_STR(acts(), "");
	CHECK_INT(out.deadline_ms, T0 + DOWN_MS);
}

static void backup_with_preempt_takes_over_from_a_lower_master(void)
{
	uint64_t t;

	setup(true);
	step(VRRP_IN_START, T0);
	for (t = T0 + 100; t < T0 + DOWN_MS; t += INTERVAL_MS)
		advert(t, 50, 20, HIGHER);
	step(VRRP_IN_TIMER, T0 + DOWN_MS);
	CHECK_STATE(MASTER);
	CHECK_STR(acts(), "SEND_ADVERT(100) ADD_VIP SEND_GARP BECOME_MASTER");
}

static void backup_without_preempt_never_takes_over_from_a_live_master(void)
{
	uint64_t t;

	setup(false);
	step(VRRP_IN_START, T0);
	for (t = T0 + 100; t < T0 + 10000; t += INTERVAL_MS) {
		advert(t, 50, 20, HIGHER);
		step(VRRP_IN_TIMER, t);
		CHECK_STATE(BACKUP);
	}
}

static void backup_learns_the_master_advertisement_interval(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, 200, 100, LOWER);
	CHECK_INT(v.master_interval_cs, 100);
	/* 3 * 1000 + (256 - 100) * 1000 / 256 */
	CHECK_INT(out.deadline_ms, T0 + 500 + 3609);
}

static void backup_skew_after_priority_zero_uses_the_learned_interval(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, 200, 100, LOWER);
	advert(T0 + 1500, 0, 100, LOWER);
	CHECK_INT(out.deadline_ms, T0 + 1500 + 609);
}

static void backup_with_preempt_learns_nothing_from_a_discarded_advert(void)
{
	setup(true);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, 50, 100, HIGHER);
	CHECK_INT(v.master_interval_cs, 20);
}

static void v2_backup_keeps_its_own_interval(void)
{
	setup_with(2, PRIO, 100, false);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, 200, 200, LOWER);
	CHECK_INT(v.master_interval_cs, 100);
	CHECK_INT(out.deadline_ms, T0 + 500 + 3000 + 609);
}

static void backup_ignores_its_own_looped_advert(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, PRIO, 20, ME);
	CHECK_INT(out.deadline_ms, T0 + DOWN_MS);
}

static void backup_shutdown_goes_to_init_at_once(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_SHUTDOWN, T0 + 10);
	CHECK_STATE(INIT);
	CHECK_STR(acts(), "RELEASE_DONE");
	CHECK(out.deadline_ms == VRRP_NO_DEADLINE);
}

static void backup_release_request_is_answered_at_once(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_RELEASE, T0 + 10);
	CHECK_STATE(BACKUP);
	CHECK_STR(acts(), "RELEASE_DONE");
	CHECK_INT(out.deadline_ms, T0 + DOWN_MS);
}

/* Master */

static void master_sends_an_advert_when_the_advert_timer_fires(void)
{
	uint64_t t = to_powered_master();

	step(VRRP_IN_TIMER, t + INTERVAL_MS);
	CHECK_STATE(MASTER);
	CHECK_STR(acts(), "SEND_ADVERT(100)");
	CHECK_INT(out.deadline_ms, t + 2 * INTERVAL_MS);
}

static void master_sends_an_advert_at_once_on_priority_zero(void)
{
	uint64_t t = to_powered_master();

	advert(t + 50, 0, 20, HIGHER);
	CHECK_STATE(MASTER);
	CHECK_STR(acts(), "SEND_ADVERT(100)");
	CHECK_INT(out.deadline_ms, t + 50 + INTERVAL_MS);
}

/* RFC 9568 6.4.3: assert mastership to the sender and learning bridges */
static void master_answers_lower_priority_with_an_advert_and_stays(void)
{
	uint64_t t = to_powered_master();

	advert(t + 50, 50, 20, HIGHER);
	CHECK_STATE(MASTER);
	CHECK_STR(acts(), "SEND_ADVERT(100) LOWER_ADVERT(50)");
	CHECK_INT(out.deadline_ms, t + INTERVAL_MS);
}

static void master_answers_equal_priority_lower_address_and_stays(void)
{
	uint64_t t = to_powered_master();

	advert(t + 50, PRIO, 20, LOWER);
	CHECK_STATE(MASTER);
	CHECK_STR(acts(), "SEND_ADVERT(100) LOWER_ADVERT(100)");
}

static void master_releases_on_higher_priority(void)
{
	uint64_t t = to_powered_master();

	advert(t + 50, 101, 20, LOWER);
	CHECK_STATE(RELEASING);
	CHECK_STR(acts(), "STOP_SERVING POWER_OFF");
}

static void master_releases_on_equal_priority_higher_address(void)
{
	uint64_t t = to_powered_master();

	advert(t + 50, PRIO, 20, HIGHER);
	CHECK_STATE(RELEASING);
	CHECK_STR(acts(), "STOP_SERVING POWER_OFF");
}

static void address_tie_break_compares_unsigned(void)
{
	uint64_t t = to_powered_master();

	advert(t + 50, PRIO, 20, LOWER_UNSIGNED);
	CHECK_STATE(MASTER);
	CHECK_STR(acts(), "SEND_ADVERT(100) LOWER_ADVERT(100)");
}

static void master_ignores_its_own_looped_advert(void)
{
	uint64_t t = to_powered_master();

	advert(t + 50, PRIO, 20, ME);
	CHECK_STATE(MASTER);
	CHECK_STR(acts(), "");
}

static void release_sends_priority_zero_and_drops_vip_after_power_off(void)
{
	uint64_t t = to_powered_master();

	advert(t + 50, 200, 20, LOWER);
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 80);
	CHECK_STR(acts(), "SEND_ADVERT(0) DEL_VIP BECOME_BACKUP RELEASE_DONE");
	CHECK_STATE(BACKUP);
	CHECK_INT(out.deadline_ms, t + 80 + DOWN_MS);
}

static void releasing_keeps_advertising_its_priority_until_power_off(void)
{
	uint64_t t = to_powered_master();

	advert(t + 50, 200, 20, LOWER);
	CHECK_INT(out.deadline_ms, t + INTERVAL_MS);
	step(VRRP_IN_TIMER, t + INTERVAL_MS);
	CHECK_STATE(RELEASING);
	CHECK_STR(acts(), "SEND_ADVERT(100)");
	step(VRRP_IN_TIMER, t + 2 * INTERVAL_MS);
	CHECK_STR(acts(), "SEND_ADVERT(100)");
}

static void releasing_ignores_adverts(void)
{
	uint64_t t = to_powered_master();

	advert(t + 50, 200, 20, LOWER);
	advert(t + 60, 0, 20, LOWER);
	CHECK_STR(acts(), "");
	advert(t + 70, 250, 20, HIGHER);
	CHECK_STR(acts(), "");
	CHECK_STATE(RELEASING);
}

static void release_request_in_releasing_changes_nothing(void)
{
	uint64_t t = to_powered_master();

	advert(t + 50, 200, 20, LOWER);
	step(VRRP_IN_RELEASE, t + 60);
	CHECK_STR(acts(), "");
	CHECK_STATE(RELEASING);
}

static void backup_after_release_uses_the_winner_interval(void)
{
	uint64_t t = to_powered_master();

	advert(t + 50, 200, 100, LOWER);
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 80);
	CHECK_INT(out.deadline_ms, t + 80 + 3609);
}

static void power_off_confirmed_outside_releasing_is_ignored(void)
{
	uint64_t t = to_powered_master();

	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 10);
	CHECK_STR(acts(), "");
	CHECK_STATE(MASTER);
}

static void master_shutdown_releases_with_priority_zero_then_init(void)
{
	uint64_t t = to_powered_master();

	step(VRRP_IN_SHUTDOWN, t + 10);
	CHECK_STR(acts(), "STOP_SERVING POWER_OFF");
	CHECK_STATE(RELEASING);
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 30);
	CHECK_STR(acts(), "SEND_ADVERT(0) DEL_VIP RELEASE_DONE");
	CHECK_STATE(INIT);
	CHECK(out.deadline_ms == VRRP_NO_DEADLINE);
}

static void master_release_request_re_enters_backup(void)
{
	uint64_t t = to_powered_master();

	step(VRRP_IN_RELEASE, t + 10);
	CHECK_STR(acts(), "STOP_SERVING POWER_OFF");
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 30);
	CHECK_STR(acts(), "SEND_ADVERT(0) DEL_VIP BECOME_BACKUP RELEASE_DONE");
	CHECK_INT(out.deadline_ms, t + 30 + DOWN_MS);
}

static void shutdown_during_a_release_ends_in_init(void)
{
	uint64_t t = to_powered_master();

	advert(t + 50, 200, 20, LOWER);
	step(VRRP_IN_SHUTDOWN, t + 60);
	CHECK_STR(acts(), "");
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 70);
	CHECK_STR(acts(), "SEND_ADVERT(0) DEL_VIP RELEASE_DONE");
	CHECK_STATE(INIT);
}

/* The power guard */

static void power_on_is_allowed_after_one_full_interval_as_master(void)
{
	uint64_t t = to_master(false);

	CHECK_INT(out.deadline_ms, t + INTERVAL_MS);
	step(VRRP_IN_TIMER, t + INTERVAL_MS);
	CHECK_STR(acts(), "SEND_ADVERT(100) POWER_ON_ALLOWED");
}

static void power_on_is_not_allowed_before_one_full_interval(void)
{
	uint64_t t = to_master(false);

	step(VRRP_IN_TIMER, t + INTERVAL_MS - 1);
	CHECK_STR(acts(), "");
	CHECK(!v.power_allowed);
}

static void power_on_is_allowed_once_per_mastership(void)
{
	uint64_t t = to_powered_master();
	int i;

	for (i = 1; i <= 5; i++) {
		step(VRRP_IN_TIMER, t + i * INTERVAL_MS);
		CHECK_STR(acts(), "SEND_ADVERT(100)");
	}
}

/*
 * The guard's deadline met a full interval late: a better master's answer
 * to our advert may not have been sent or read yet. Listen one more
 * interval (advertising meanwhile) before powering the stick.
 */
static void power_guard_late_by_an_interval_waits_one_more_interval(void)
{
	uint64_t t = to_master(false) + 2 * INTERVAL_MS;

	step(VRRP_IN_TIMER, t);
	CHECK_STR(acts(), "SEND_ADVERT(100)");
	CHECK(!v.power_allowed);
	CHECK_INT(out.deadline_ms, t + INTERVAL_MS);
	advert(t + 40, 200, 20, LOWER);
	CHECK_STR(acts(), "STOP_SERVING POWER_OFF");
	CHECK_STATE(RELEASING);
}

static void power_guard_late_then_silence_allows_power_on(void)
{
	uint64_t t = to_master(false) + 3000;

	step(VRRP_IN_TIMER, t);
	CHECK_STR(acts(), "SEND_ADVERT(100)");
	step(VRRP_IN_TIMER, t + INTERVAL_MS);
	CHECK_STR(acts(), "SEND_ADVERT(100) POWER_ON_ALLOWED");
}

static void better_advert_within_the_guard_releases_without_power_on(void)
{
	uint64_t t = to_master(false);

	advert(t + 100, 200, 20, LOWER);
	CHECK_STR(acts(), "STOP_SERVING POWER_OFF");
	step(VRRP_IN_TIMER, t + INTERVAL_MS);
	CHECK_STR(acts(), "SEND_ADVERT(100)");
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + INTERVAL_MS + 5);
	CHECK_STR(acts(), "SEND_ADVERT(0) DEL_VIP BECOME_BACKUP RELEASE_DONE");
}

/* A losing master advertises until its stick is off: wait it out. */
static void another_master_advertising_delays_power_on_until_it_is_dead(void)
{
	uint64_t t = to_master(true);

	advert(t + 100, 50, 20, HIGHER);
	CHECK_STR(acts(), "SEND_ADVERT(100) LOWER_ADVERT(50)");
	CHECK_INT(out.deadline_ms, t + INTERVAL_MS);
	step(VRRP_IN_TIMER, t + INTERVAL_MS);
	CHECK_STR(acts(), "SEND_ADVERT(100)");
	step(VRRP_IN_TIMER, t + 100 + DOWN_MS - 1);
	CHECK_STR(acts(), "SEND_ADVERT(100)");
	CHECK_INT(out.deadline_ms, t + 100 + DOWN_MS);
	step(VRRP_IN_TIMER, t + 100 + DOWN_MS);
	CHECK_STR(acts(), "POWER_ON_ALLOWED");
}

static void priority_zero_from_the_other_master_allows_power_on_later(void)
{
	uint64_t t = to_master(true);

	advert(t + 100, 50, 20, HIGHER);
	advert(t + 150, 0, 20, HIGHER);
	CHECK_STR(acts(), "SEND_ADVERT(100)");
	CHECK_INT(out.deadline_ms, t + 150 + INTERVAL_MS);
	step(VRRP_IN_TIMER, t + 150 + INTERVAL_MS);
	CHECK_STR(acts(), "SEND_ADVERT(100) POWER_ON_ALLOWED");
}

static void a_powered_master_hearing_a_lower_master_stays_powered(void)
{
	uint64_t t = to_powered_master();

	advert(t + 10, 50, 20, HIGHER);
	step(VRRP_IN_TIMER, t + INTERVAL_MS);
	CHECK_STR(acts(), "SEND_ADVERT(100)");
	CHECK(v.power_allowed);
}

static void each_mastership_has_its_own_guard(void)
{
	uint64_t t = to_powered_master();

	step(VRRP_IN_RELEASE, t + 10);
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 20);
	step(VRRP_IN_TIMER, t + 20 + DOWN_MS);
	CHECK_STATE(MASTER);
	CHECK(!v.power_allowed);
	step(VRRP_IN_TIMER, t + 20 + DOWN_MS + INTERVAL_MS);
	CHECK_STR(acts(), "SEND_ADVERT(100) POWER_ON_ALLOWED");
}

/*
 * The interval of a router we outrank counts for at most 3 times ours
 * (20 cs: 60 cs). Master_Down_Interval for 60 cs at priority 100:
 * 3 * 600 + 156 * 600 / 256 = 2165 ms; for 4095 cs, 147803 ms.
 */
#define CAP_CS 60
#define CAP_DOWN_MS 2165
#define DOWN_4095_MS 147803

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Master_Down_Interval for @cs at @prio, from RFC 9568 6.1 */
static uint64_t rfc_down_ms(uint8_t prio, unsigned int cs)
{
	return 3 * cs * 10ull + (256 - prio) * cs * 10ull / 256;
}

static void backup_caps_a_lower_master_interval_at_three_times_its_own(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, 50, 4095, HIGHER);
	CHECK_STATE(BACKUP);
	CHECK_INT(v.master_interval_cs, CAP_CS);
	CHECK_INT(out.deadline_ms, T0 + 500 + CAP_DOWN_MS);
}

/* The case: Max Adver Int 4095 every 100 s held it off for good. */
static void a_lower_master_claiming_4095_cannot_hold_off_the_takeover(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, 50, 4095, HIGHER);
	step(VRRP_IN_TIMER, T0 + 500 + CAP_DOWN_MS - 1);
	CHECK_STATE(BACKUP);
	step(VRRP_IN_TIMER, T0 + 500 + CAP_DOWN_MS);
	CHECK_STATE(MASTER);
	advert(T0 + 100500, 50, 4095, HIGHER);
	CHECK_STATE(MASTER);
	CHECK_STR(acts(), "SEND_ADVERT(100) LOWER_ADVERT(50)");
}

static void backup_takes_a_lower_master_interval_up_to_the_cap_whole(void)
{
	static const struct {
		uint16_t advertised, learned;
	} cases[] = {
		{ 1, 1 },	 { 19, 19 },	     { 20, 20 },
		{ 59, 59 },	 { CAP_CS, CAP_CS }, { CAP_CS + 1, CAP_CS },
		{ 100, CAP_CS },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup(false);
		step(VRRP_IN_START, T0);
		advert(T0 + 500, 50, cases[i].advertised, HIGHER);
		CHECK_INT(v.master_interval_cs, cases[i].learned);
		CHECK_INT(out.deadline_ms,
			  T0 + 500 + rfc_down_ms(PRIO, cases[i].learned));
	}
}

static void backup_caps_equal_priority_from_a_lower_address(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, PRIO, 4095, LOWER);
	CHECK_INT(v.master_interval_cs, CAP_CS);
	CHECK_INT(out.deadline_ms, T0 + 500 + CAP_DOWN_MS);
}

/* RFC 9568 6.4.2: a master that outranks us sets the group's interval. */
static void backup_takes_a_better_master_interval_whole(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, 200, 4095, LOWER);
	CHECK_INT(v.master_interval_cs, 4095);
	CHECK_INT(out.deadline_ms, T0 + 500 + DOWN_4095_MS);
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, PRIO, 4095, HIGHER);
	CHECK_INT(v.master_interval_cs, 4095);
}

static void skew_after_priority_zero_uses_the_capped_interval(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 500, 50, 4095, HIGHER);
	advert(T0 + 1500, 0, 4095, HIGHER);
	CHECK_INT(out.deadline_ms, T0 + 1500 + 156 * 600 / 256);
}

static void the_cap_follows_our_own_interval(void)
{
	static const struct {
		uint16_t own, learned;
	} cases[] = {
		{ 1, 3 },	{ 100, 300 },	{ 1364, 4092 },
		{ 1365, 4095 }, { 1366, 4095 }, { 4095, 4095 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup_with(3, PRIO, cases[i].own, false);
		step(VRRP_IN_START, T0);
		advert(T0 + 500, 50, 4095, HIGHER);
		CHECK_INT(v.master_interval_cs, cases[i].learned);
	}
}

/* The guard waits out a lower master at its interval, capped the same. */
static void guard_waits_out_a_lower_master_claiming_4095_at_most_capped(void)
{
	uint64_t t = to_master(false);

	advert(t + 100, 50, 4095, HIGHER);
	CHECK_STR(acts(), "SEND_ADVERT(100) LOWER_ADVERT(50)");
	CHECK_INT(v.power_at, t + 100 + CAP_DOWN_MS);
	step(VRRP_IN_TIMER, t + 100 + CAP_DOWN_MS - 1);
	CHECK(!v.power_allowed);
	step(VRRP_IN_TIMER, t + 100 + CAP_DOWN_MS);
	CHECK(v.power_allowed);
	CHECK_STATE(MASTER);
}

static void guard_caps_equal_priority_from_a_lower_address(void)
{
	uint64_t t = to_master(false);

	advert(t + 100, PRIO, 4095, LOWER);
	CHECK_STR(acts(), "SEND_ADVERT(100) LOWER_ADVERT(100)");
	CHECK_INT(v.power_at, t + 100 + CAP_DOWN_MS);
}

static void guard_takes_a_lower_master_interval_up_to_the_cap_whole(void)
{
	static const uint16_t advertised[] = { 1, 20, 59, CAP_CS, CAP_CS + 1 };
	uint64_t t;
	size_t i;

	for (i = 0; i < sizeof(advertised) / sizeof(advertised[0]); i++) {
		uint16_t cs = advertised[i] > CAP_CS ? CAP_CS : advertised[i];

		t = to_master(false);
		advert(t + 100, 50, advertised[i], HIGHER);
		/* one full interval as master, whatever the other's */
		CHECK_INT(v.power_at, max_u64(t + INTERVAL_MS,
					      t + 100 + rfc_down_ms(PRIO, cs)));
	}
}

/* A backup at @own cs hears @prio from @saddr at @cs: waits @down_ms? */
static bool backup_waits(uint16_t own, uint8_t prio, uint32_t saddr,
			 uint16_t cs, uint64_t down_ms)
{
	setup_with(3, PRIO, own, false);
	step(VRRP_IN_START, T0);
	advert(T0 + 1, prio, cs, saddr);
	return out.deadline_ms == T0 + 1 + down_ms &&
	       v.state == VRRP_STATE_BACKUP;
}

/* A new master at @own cs hears a lower one at @cs: waits @down_ms? */
static bool guard_waits(uint16_t own, uint16_t cs, uint64_t down_ms)
{
	uint64_t t = T0 + rfc_down_ms(PRIO, own);

	setup_with(3, PRIO, own, false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_TIMER, t);
	advert(t + 1, 50, cs, HIGHER);
	return v.state == VRRP_STATE_MASTER &&
	       v.power_at == max_u64(t + own * 10ull, t + 1 + down_ms);
}

static void fail_for(int line, const char *what, unsigned int own,
		     unsigned int cs)
{
	char why[128];

	snprintf(why, sizeof(why), "own %u cs, advert %u cs: ", own, cs);
	unit_fail(__FILE__, line, "%s%s", why, what);
}

/*
 * Every advertised interval against a range of our own: from a router we
 * outrank, Master_Down_Interval and the guard's wait reckon with
 * min(advertised, 3 x ours); from one that outranks us, with advertised.
 */
static void every_advertised_interval_is_capped_for_lower_routers_only(void)
{
	static const uint16_t own[] = { 1, 2, 20, 100, 1365, 1366, 4095 };
	unsigned int cs, j, lower;

	for (j = 0; j < sizeof(own) / sizeof(own[0]); j++) {
		for (cs = 1; cs <= 4095; cs++) {
			lower = cs < 3u * own[j] ? cs : 3u * own[j];
			if (!backup_waits(own[j], 50, HIGHER, cs,
					  rfc_down_ms(PRIO, lower)))
				fail_for(__LINE__, "backup, lower", own[j], cs);
			if (!backup_waits(own[j], 200, LOWER, cs,
					  rfc_down_ms(PRIO, cs)))
				fail_for(__LINE__, "backup, higher", own[j],
					 cs);
			if (!guard_waits(own[j], cs, rfc_down_ms(PRIO, lower)))
				fail_for(__LINE__, "guard, lower", own[j], cs);
		}
	}
}

static void master_says_lower_advert_for_lower_ones_only(void)
{
	uint64_t t = to_powered_master();

	advert(t + 10, 1, 20, HIGHER);
	CHECK_STR(acts(), "SEND_ADVERT(100) LOWER_ADVERT(1)");
	advert(t + 20, 0, 20, HIGHER);
	CHECK_STR(acts(), "SEND_ADVERT(100)");
	advert(t + 30, 101, 20, LOWER);
	CHECK_STR(acts(), "STOP_SERVING POWER_OFF");
	advert(t + 40, 50, 20, HIGHER);
	CHECK_STATE(RELEASING);
	CHECK_STR(acts(), "");
}

/* Fault */

static void link_down_in_backup_enters_fault(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_LINK_DOWN, T0 + 10);
	CHECK_STATE(FAULT);
	CHECK_STR(acts(), "ENTER_FAULT");
	CHECK(out.deadline_ms == VRRP_NO_DEADLINE);
}

static void link_down_in_master_releases_then_enters_fault(void)
{
	uint64_t t = to_powered_master();

	step(VRRP_IN_LINK_DOWN, t + 10);
	CHECK_STATE(RELEASING);
	CHECK_STR(acts(), "STOP_SERVING POWER_OFF");
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 30);
	CHECK_STR(acts(), "DEL_VIP ENTER_FAULT RELEASE_DONE");
	CHECK_STATE(FAULT);
	CHECK(out.deadline_ms == VRRP_NO_DEADLINE);
}

static void releasing_sends_nothing_while_the_link_is_down(void)
{
	uint64_t t = to_powered_master();

	step(VRRP_IN_LINK_DOWN, t + 10);
	CHECK(out.deadline_ms == VRRP_NO_DEADLINE);
	step(VRRP_IN_TIMER, t + 5 * INTERVAL_MS);
	CHECK_STR(acts(), "");
}

static void link_down_during_a_release_to_backup_ends_in_fault(void)
{
	uint64_t t = to_powered_master();

	advert(t + 10, 200, 20, LOWER);
	step(VRRP_IN_LINK_DOWN, t + 20);
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 30);
	CHECK_STR(acts(), "DEL_VIP ENTER_FAULT RELEASE_DONE");
}

static void link_down_in_fault_and_init_only_records_it(void)
{
	setup(false);
	step(VRRP_IN_LINK_DOWN, T0);
	CHECK_STR(acts(), "");
	CHECK_STATE(INIT);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_LINK_DOWN, T0 + 10);
	CHECK_STR(acts(), "");
	CHECK_STATE(FAULT);
}

static void link_up_in_fault_returns_to_backup(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_LINK_DOWN, T0 + 10);
	step(VRRP_IN_LINK_UP, T0 + 500);
	CHECK_STATE(BACKUP);
	CHECK_STR(acts(), "BECOME_BACKUP");
	CHECK_INT(out.deadline_ms, T0 + 500 + DOWN_MS);
}

static void fault_forgets_the_learned_interval(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	advert(T0 + 100, 200, 100, LOWER);
	step(VRRP_IN_LINK_DOWN, T0 + 200);
	step(VRRP_IN_LINK_UP, T0 + 300);
	CHECK_INT(out.deadline_ms, T0 + 300 + DOWN_MS);
}

static void fault_ignores_adverts_and_release_requests(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_LINK_DOWN, T0 + 10);
	advert(T0 + 20, 0, 20, HIGHER);
	CHECK_STR(acts(), "");
	step(VRRP_IN_RELEASE, T0 + 30);
	CHECK_STR(acts(), "RELEASE_DONE");
	CHECK_STATE(FAULT);
}

static void shutdown_in_fault_goes_to_init(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_LINK_DOWN, T0 + 10);
	step(VRRP_IN_SHUTDOWN, T0 + 20);
	CHECK_STR(acts(), "RELEASE_DONE");
	CHECK_STATE(INIT);
}

static void local_fault_in_master_releases_and_backs_off(void)
{
	uint64_t t = to_powered_master();

	local_fault(t + 10, 10000);
	CHECK_STR(acts(), "STOP_SERVING POWER_OFF");
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 40);
	CHECK_STR(acts(), "SEND_ADVERT(0) DEL_VIP ENTER_FAULT RELEASE_DONE");
	CHECK_STATE(FAULT);
	CHECK_INT(out.deadline_ms, t + 40 + 10000);
}

static void local_fault_back_off_ends_in_backup(void)
{
	uint64_t t = to_powered_master();

	local_fault(t + 10, 10000);
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 40);
	step(VRRP_IN_TIMER, t + 40 + 9999);
	CHECK_STATE(FAULT);
	CHECK_STR(acts(), "");
	step(VRRP_IN_TIMER, t + 40 + 10000);
	CHECK_STATE(BACKUP);
	CHECK_STR(acts(), "BECOME_BACKUP");
	CHECK_INT(out.deadline_ms, t + 40 + 10000 + DOWN_MS);
}

static void local_fault_in_backup_backs_off(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	local_fault(T0 + 10, 5000);
	CHECK_STR(acts(), "ENTER_FAULT");
	CHECK_INT(out.deadline_ms, T0 + 10 + 5000);
}

static void link_up_during_the_back_off_stays_in_fault(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	local_fault(T0 + 10, 5000);
	step(VRRP_IN_LINK_DOWN, T0 + 20);
	CHECK(out.deadline_ms == VRRP_NO_DEADLINE);
	step(VRRP_IN_LINK_UP, T0 + 30);
	CHECK_STATE(FAULT);
	CHECK_INT(out.deadline_ms, T0 + 10 + 5000);
}

static void back_off_over_while_the_link_is_down_waits_for_link_up(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	local_fault(T0 + 10, 5000);
	step(VRRP_IN_LINK_DOWN, T0 + 20);
	step(VRRP_IN_TIMER, T0 + 6000);
	CHECK_STATE(FAULT);
	step(VRRP_IN_LINK_UP, T0 + 7000);
	CHECK_STATE(BACKUP);
}

static void another_local_fault_extends_the_back_off(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	local_fault(T0, 5000);
	local_fault(T0 + 1000, 20000);
	CHECK_INT(out.deadline_ms, T0 + 21000);
	local_fault(T0 + 2000, 1000);
	CHECK_INT(out.deadline_ms, T0 + 21000);
}

static void local_fault_during_a_release_ends_in_fault_with_back_off(void)
{
	uint64_t t = to_powered_master();

	advert(t + 10, 200, 20, LOWER);
	local_fault(t + 20, 3000);
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 30);
	CHECK_STR(acts(), "SEND_ADVERT(0) DEL_VIP ENTER_FAULT RELEASE_DONE");
	CHECK_INT(out.deadline_ms, t + 30 + 3000);
}

/* Held while the on_session_end program runs */

static void hold_in_master_releases_into_fault(void)
{
	uint64_t t = to_powered_master();

	step(VRRP_IN_HOLD, t + 10);
	CHECK_STR(acts(), "STOP_SERVING POWER_OFF");
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 30);
	CHECK_STR(acts(), "SEND_ADVERT(0) DEL_VIP ENTER_FAULT RELEASE_DONE");
	CHECK_STATE(FAULT);
	CHECK(out.deadline_ms == VRRP_NO_DEADLINE);
}

static void held_fault_outlasts_timers_link_up_and_back_off(void)
{
	uint64_t t = to_powered_master();

	step(VRRP_IN_HOLD, t + 10);
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 30);
	step(VRRP_IN_TIMER, t + 3600000);
	CHECK_STATE(FAULT);
	step(VRRP_IN_LINK_DOWN, t + 3600001);
	step(VRRP_IN_LINK_UP, t + 3600002);
	CHECK_STATE(FAULT);
	local_fault(t + 3600003, 1);
	step(VRRP_IN_TIMER, t + 3600010);
	CHECK_STATE(FAULT);
	CHECK(out.deadline_ms == VRRP_NO_DEADLINE);
	advert(t + 3600020, 0, 20, LOWER);
	step(VRRP_IN_TIMER, t + 7200000);
	CHECK_STATE(FAULT);
	CHECK_STR(acts(), "");
}

static void unhold_returns_to_backup(void)
{
	uint64_t t = to_powered_master();

	step(VRRP_IN_HOLD, t + 10);
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 30);
	step(VRRP_IN_UNHOLD, t + 5000);
	CHECK_STR(acts(), "BECOME_BACKUP");
	CHECK_STATE(BACKUP);
	CHECK_INT(out.deadline_ms, t + 5000 + DOWN_MS);
}

static void unhold_keeps_a_back_off_or_link_down_fault(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_HOLD, T0 + 10);
	local_fault(T0 + 20, 5000);
	step(VRRP_IN_UNHOLD, T0 + 30);
	CHECK_STATE(FAULT);
	CHECK_INT(out.deadline_ms, T0 + 20 + 5000);
	step(VRRP_IN_HOLD, T0 + 40);
	step(VRRP_IN_LINK_DOWN, T0 + 50);
	step(VRRP_IN_UNHOLD, T0 + 6000);
	CHECK_STATE(FAULT);
	step(VRRP_IN_LINK_UP, T0 + 7000);
	CHECK_STATE(BACKUP);
}

static void hold_outside_master_is_answered_at_once(void)
{
	setup(false);
	step(VRRP_IN_START, T0);
	step(VRRP_IN_HOLD, T0 + 10);
	CHECK_STR(acts(), "ENTER_FAULT RELEASE_DONE");
	CHECK_STATE(FAULT);
	step(VRRP_IN_HOLD, T0 + 20);
	CHECK_STR(acts(), "RELEASE_DONE");
	step(VRRP_IN_TIMER, T0 + 20 + 10 * DOWN_MS);
	CHECK_STATE(FAULT);
}

static void hold_during_a_release_ends_in_held_fault(void)
{
	uint64_t t = to_powered_master();

	advert(t + 10, 200, 20, LOWER);
	step(VRRP_IN_HOLD, t + 20);
	CHECK_STR(acts(), "");
	step(VRRP_IN_POWER_OFF_CONFIRMED, t + 30);
	CHECK_STR(acts(), "SEND_ADVERT(0) DEL_VIP ENTER_FAULT RELEASE_DONE");
	step(VRRP_IN_TIMER, t + 30 + 10 * DOWN_MS);
	CHECK_STATE(FAULT);
}

/*
 * Two hosts on one simulated link, 1 ms apart, whose sticks take
 * off_delay ms to report power off. The harness plays pizwgd's shell: it
 * powers on at POWER_ON_ALLOWED and reports power off once it took effect.
 */
struct sim_host {
	struct vrrp v;
	bool up; /* process running */
	bool powered;
	uint64_t off_at; /* power-off takes effect; 0: none pending */
};

struct sim_msg {
	uint64_t at;
	int to;
	uint8_t prio;
	uint16_t interval_cs;
	uint32_t saddr;
};

static struct sim {
	struct sim_host h[2];
	struct sim_msg q[256];
	size_t nq;
	uint64_t now;
	uint64_t off_delay;
	bool cut; /* the link between them */
	bool both_powered; /* ever, while not cut */
} sim;

static void sim_init(uint8_t prio0, uint8_t prio1, bool preempt1,
		     uint64_t off_delay)
{
	struct vrrp_config cfg = { .version = 3, .interval_cs = 20 };

	memset(&sim, 0, sizeof(sim));
	sim.off_delay = off_delay;
	cfg.priority = prio0;
	cfg.primary = ADDR(10, 0, 0, 1);
	vrrp_init(&sim.h[0].v, &cfg);
	cfg.priority = prio1;
	cfg.primary = ADDR(10, 0, 0, 2);
	cfg.preempt = preempt1;
	vrrp_init(&sim.h[1].v, &cfg);
}

static void sim_apply(int i, const struct vrrp_output *o)
{
	struct sim_host *h = &sim.h[i];
	unsigned int k;

	for (k = 0; k < o->n; k++) {
		switch (o->act[k].type) {
		case VRRP_ACT_SEND_ADVERT:
			if (!sim.cut && sim.nq < 256)
				sim.q[sim.nq++] = (struct sim_msg){
					sim.now + 1, !i, o->act[k].prio,
					h->v.cfg.interval_cs, h->v.cfg.primary
				};
			break;
		case VRRP_ACT_POWER_ON_ALLOWED:
			h->powered = true;
			break;
		case VRRP_ACT_POWER_OFF:
			h->off_at = sim.now + sim.off_delay;
			break;
		default:
			break;
		}
	}
}

static void sim_event(int i, struct vrrp_event *ev)
{
	struct vrrp_output o;

	if (!sim.h[i].up)
		return;
	ev->now_ms = sim.now;
	vrrp_step(&sim.h[i].v, ev, &o);
	sim_apply(i, &o);
}

static void sim_input(int i, enum vrrp_input type)
{
	struct vrrp_event ev = { .type = type };

	sim_event(i, &ev);
}

static void sim_deliver(void)
{
	size_t k = 0;

	while (k < sim.nq) {
		struct sim_msg m = sim.q[k];
		struct vrrp_event ev = { .type = VRRP_IN_ADVERT };

		if (m.at > sim.now) {
			k++;
			continue;
		}
		sim.q[k] = sim.q[--sim.nq];
		ev.prio = m.prio;
		ev.interval_cs = m.interval_cs;
		ev.saddr = m.saddr;
		sim_event(m.to, &ev);
	}
}

static void sim_tick_host(int i)
{
	struct sim_host *h = &sim.h[i];

	if (h->off_at && sim.now >= h->off_at) {
		h->off_at = 0;
		h->powered = false;
		sim_input(i, VRRP_IN_POWER_OFF_CONFIRMED);
	}
	if (vrrp_deadline(&h->v) <= sim.now)
		sim_input(i, VRRP_IN_TIMER);
}

static void sim_run_until(uint64_t end)
{
	for (; sim.now < end; sim.now++) {
		if (sim.cut)
			sim.nq = 0;
		sim_deliver();
		sim_tick_host(0);
		sim_tick_host(1);
		if (!sim.cut && sim.h[0].powered && sim.h[1].powered)
			sim.both_powered = true;
	}
}

static void sim_start(int i)
{
	sim.h[i].up = true;
	sim_input(i, VRRP_IN_START);
}

static int sim_masters(void)
{
	return (sim.h[0].v.state == VRRP_STATE_MASTER) +
	       (sim.h[1].v.state == VRRP_STATE_MASTER);
}

static int sim_powered(void)
{
	return sim.h[0].powered + sim.h[1].powered;
}

static void sim_simultaneous_cold_start_gives_one_master_one_stick(void)
{
	sim_init(100, 100, false, 50);
	sim_start(0);
	sim_start(1);
	sim_run_until(5000);
	CHECK_INT(sim_masters(), 1);
	CHECK_INT(sim_powered(), 1);
	/* equal priority: the higher address wins */
	CHECK(sim.h[1].powered);
	CHECK(!sim.both_powered);
}

static void sim_the_higher_priority_wins_a_cold_start(void)
{
	sim_init(200, 100, false, 50);
	sim_start(0);
	sim_start(1);
	sim_run_until(5000);
	CHECK(sim.h[0].powered);
	CHECK_STR(vrrp_state_name(sim.h[1].v.state), "BACKUP");
	CHECK(!sim.both_powered);
}

static void sim_shutdown_hands_over_without_two_sticks_powered(void)
{
	sim_init(200, 100, false, 300);
	sim_start(0);
	sim_run_until(2000);
	sim_start(1);
	sim_run_until(4000);
	CHECK(sim.h[0].powered);
	sim_input(0, VRRP_IN_SHUTDOWN);
	sim_run_until(6000);
	CHECK_STR(vrrp_state_name(sim.h[0].v.state), "INIT");
	CHECK(sim.h[1].powered);
	CHECK(!sim.both_powered);
}

/* The slow power-off (500 ms > one 200 ms interval) is the hard case. */
static void sim_preempting_backup_takes_over_without_two_sticks_powered(void)
{
	sim_init(100, 200, true, 500);
	sim_start(0);
	sim_run_until(2000);
	CHECK(sim.h[0].powered);
	sim_start(1);
	sim_run_until(6000);
	CHECK(sim.h[1].powered);
	CHECK(!sim.h[0].powered);
	CHECK_STR(vrrp_state_name(sim.h[0].v.state), "BACKUP");
	CHECK(!sim.both_powered);
}

static void sim_release_hands_over_and_alternates_mastership(void)
{
	int round;

	sim_init(100, 100, false, 100);
	sim_start(0);
	sim_start(1);
	sim_run_until(3000);
	for (round = 0; round < 5; round++) {
		int m = sim.h[0].powered ? 0 : 1;

		CHECK_INT(sim_powered(), 1);
		sim_input(m, VRRP_IN_RELEASE);
		sim_run_until(sim.now + 3000);
		CHECK(sim.h[!m].powered);
		CHECK(!sim.h[m].powered);
	}
	CHECK(!sim.both_powered);
}

static void sim_split_brain_heals_within_two_intervals(void)
{
	uint64_t healed;

	sim_init(200, 100, false, 20);
	sim_start(0);
	sim_start(1);
	sim_run_until(3000);
	sim.cut = true;
	sim_run_until(6000);
	CHECK_INT(sim_masters(), 2);
	sim.cut = false;
	healed = sim.now;
	sim_run_until(healed + 2 * INTERVAL_MS);
	CHECK_INT(sim_masters(), 1);
	CHECK_INT(sim_powered(), 1);
	CHECK(sim.h[0].powered);
}

static void sim_master_crash_lets_the_backup_take_over(void)
{
	sim_init(200, 100, false, 20);
	sim_start(0);
	sim_start(1);
	sim_run_until(3000);
	/* SIGKILL: the module's lease powers the stick off */
	sim.h[0].up = false;
	sim.h[0].powered = false;
	sim_run_until(3000 + 3 * INTERVAL_MS + SKEW_MS + 1 + INTERVAL_MS + 1);
	CHECK(sim.h[1].powered);
	CHECK(!sim.both_powered);
}

static void names_cover_every_state_and_action(void)
{
	CHECK_STR(vrrp_state_name(VRRP_STATE_RELEASING), "RELEASING");
	CHECK_STR(vrrp_state_name(VRRP_STATE_FAULT), "FAULT");
	CHECK_STR(vrrp_state_name((enum vrrp_state)99), "UNKNOWN");
	CHECK_STR(vrrp_action_name(VRRP_ACT_RELEASE_DONE), "RELEASE_DONE");
	CHECK_STR(vrrp_action_name(VRRP_ACT_POWER_ON_ALLOWED),
		  "POWER_ON_ALLOWED");
	CHECK_STR(vrrp_action_name(VRRP_ACT_LOWER_ADVERT), "LOWER_ADVERT");
	CHECK_STR(vrrp_action_name((enum vrrp_action_type)99), "UNKNOWN");
}

static const struct unit_test tests[] = {
	UNIT_TEST(configuration_out_of_range_is_refused),
	UNIT_TEST(a_new_instance_is_in_init_without_deadline),
	UNIT_TEST(start_enters_backup_with_the_master_down_timer),
	UNIT_TEST(master_down_interval_is_three_intervals_plus_skew),
	UNIT_TEST(a_higher_priority_has_a_shorter_skew),
	UNIT_TEST(v2_skew_is_a_fraction_of_a_second_whatever_the_interval),
	UNIT_TEST(start_with_the_link_down_enters_fault),
	UNIT_TEST(events_before_start_do_nothing),
	UNIT_TEST(shutdown_in_init_is_answered_at_once),
	UNIT_TEST(a_second_start_is_ignored),
	UNIT_TEST(timer_before_the_deadline_does_nothing),
	UNIT_TEST(backup_becomes_master_when_master_down_timer_fires),
	UNIT_TEST(backup_late_by_an_interval_listens_one_more_interval),
	UNIT_TEST(backup_late_then_silence_takes_over_one_interval_later),
	UNIT_TEST(backup_late_by_less_than_an_interval_takes_over),
	UNIT_TEST(backup_sets_the_timer_to_skew_time_on_priority_zero),
	UNIT_TEST(backup_takes_over_skew_time_after_priority_zero),
	UNIT_TEST(backup_resets_the_timer_on_higher_priority),
	UNIT_TEST(backup_resets_the_timer_on_equal_priority_higher_address),
	UNIT_TEST(backup_with_preempt_accepts_equal_priority_lower_address),
	UNIT_TEST(backup_without_preempt_resets_the_timer_on_lower_priority),
	UNIT_TEST(backup_with_preempt_discards_lower_priority),
	UNIT_TEST(backup_with_preempt_takes_over_from_a_lower_master),
	UNIT_TEST(backup_without_preempt_never_takes_over_from_a_live_master),
	UNIT_TEST(backup_learns_the_master_advertisement_interval),
	UNIT_TEST(backup_skew_after_priority_zero_uses_the_learned_interval),
	UNIT_TEST(backup_with_preempt_learns_nothing_from_a_discarded_advert),
	UNIT_TEST(v2_backup_keeps_its_own_interval),
	UNIT_TEST(backup_ignores_its_own_looped_advert),
	UNIT_TEST(backup_shutdown_goes_to_init_at_once),
	UNIT_TEST(backup_release_request_is_answered_at_once),
	UNIT_TEST(master_sends_an_advert_when_the_advert_timer_fires),
	UNIT_TEST(master_sends_an_advert_at_once_on_priority_zero),
	UNIT_TEST(master_answers_lower_priority_with_an_advert_and_stays),
	UNIT_TEST(master_answers_equal_priority_lower_address_and_stays),
	UNIT_TEST(master_releases_on_higher_priority),
	UNIT_TEST(master_releases_on_equal_priority_higher_address),
	UNIT_TEST(address_tie_break_compares_unsigned),
	UNIT_TEST(master_ignores_its_own_looped_advert),
	UNIT_TEST(release_sends_priority_zero_and_drops_vip_after_power_off),
	UNIT_TEST(releasing_keeps_advertising_its_priority_until_power_off),
	UNIT_TEST(releasing_ignores_adverts),
	UNIT_TEST(release_request_in_releasing_changes_nothing),
	UNIT_TEST(backup_after_release_uses_the_winner_interval),
	UNIT_TEST(power_off_confirmed_outside_releasing_is_ignored),
	UNIT_TEST(master_shutdown_releases_with_priority_zero_then_init),
	UNIT_TEST(master_release_request_re_enters_backup),
	UNIT_TEST(shutdown_during_a_release_ends_in_init),
	UNIT_TEST(power_on_is_allowed_after_one_full_interval_as_master),
	UNIT_TEST(power_on_is_not_allowed_before_one_full_interval),
	UNIT_TEST(power_on_is_allowed_once_per_mastership),
	UNIT_TEST(power_guard_late_by_an_interval_waits_one_more_interval),
	UNIT_TEST(power_guard_late_then_silence_allows_power_on),
	UNIT_TEST(better_advert_within_the_guard_releases_without_power_on),
	UNIT_TEST(another_master_advertising_delays_power_on_until_it_is_dead),
	UNIT_TEST(priority_zero_from_the_other_master_allows_power_on_later),
	UNIT_TEST(a_powered_master_hearing_a_lower_master_stays_powered),
	UNIT_TEST(each_mastership_has_its_own_guard),
	UNIT_TEST(backup_caps_a_lower_master_interval_at_three_times_its_own),
	UNIT_TEST(a_lower_master_claiming_4095_cannot_hold_off_the_takeover),
	UNIT_TEST(backup_takes_a_lower_master_interval_up_to_the_cap_whole),
	UNIT_TEST(backup_caps_equal_priority_from_a_lower_address),
	UNIT_TEST(backup_takes_a_better_master_interval_whole),
	UNIT_TEST(skew_after_priority_zero_uses_the_capped_interval),
	UNIT_TEST(the_cap_follows_our_own_interval),
	UNIT_TEST(guard_waits_out_a_lower_master_claiming_4095_at_most_capped),
	UNIT_TEST(guard_caps_equal_priority_from_a_lower_address),
	UNIT_TEST(guard_takes_a_lower_master_interval_up_to_the_cap_whole),
	UNIT_TEST(every_advertised_interval_is_capped_for_lower_routers_only),
	UNIT_TEST(master_says_lower_advert_for_lower_ones_only),
	UNIT_TEST(link_down_in_backup_enters_fault),
	UNIT_TEST(link_down_in_master_releases_then_enters_fault),
	UNIT_TEST(releasing_sends_nothing_while_the_link_is_down),
	UNIT_TEST(link_down_during_a_release_to_backup_ends_in_fault),
	UNIT_TEST(link_down_in_fault_and_init_only_records_it),
	UNIT_TEST(link_up_in_fault_returns_to_backup),
	UNIT_TEST(fault_forgets_the_learned_interval),
	UNIT_TEST(fault_ignores_adverts_and_release_requests),
	UNIT_TEST(shutdown_in_fault_goes_to_init),
	UNIT_TEST(local_fault_in_master_releases_and_backs_off),
	UNIT_TEST(local_fault_back_off_ends_in_backup),
	UNIT_TEST(local_fault_in_backup_backs_off),
	UNIT_TEST(link_up_during_the_back_off_stays_in_fault),
	UNIT_TEST(back_off_over_while_the_link_is_down_waits_for_link_up),
	UNIT_TEST(another_local_fault_extends_the_back_off),
	UNIT_TEST(local_fault_during_a_release_ends_in_fault_with_back_off),
	UNIT_TEST(hold_in_master_releases_into_fault),
	UNIT_TEST(held_fault_outlasts_timers_link_up_and_back_off),
	UNIT_TEST(unhold_returns_to_backup),
	UNIT_TEST(unhold_keeps_a_back_off_or_link_down_fault),
	UNIT_TEST(hold_outside_master_is_answered_at_once),
	UNIT_TEST(hold_during_a_release_ends_in_held_fault),
	UNIT_TEST(sim_simultaneous_cold_start_gives_one_master_one_stick),
	UNIT_TEST(sim_the_higher_priority_wins_a_cold_start),
	UNIT_TEST(sim_shutdown_hands_over_without_two_sticks_powered),
	UNIT_TEST(sim_preempting_backup_takes_over_without_two_sticks_powered),
	UNIT_TEST(sim_release_hands_over_and_alternates_mastership),
	UNIT_TEST(sim_split_brain_heals_within_two_intervals),
	UNIT_TEST(sim_master_crash_lets_the_backup_take_over),
	UNIT_TEST(names_cover_every_state_and_action),
};

int main(void)
{
	return unit_main("test_vrrp", tests, sizeof(tests) / sizeof(tests[0]));
}
