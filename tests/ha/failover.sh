#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The master goes away, three ways; each time the backup takes over after
# Master_Down_Interval, powers its stick one interval later and serves, and
# the two sticks are never on at once:
#   - pizwgd SIGKILLed: the module's lease switches its stick off at once;
#     its VIP, no longer renewed, expires with its short lifetime
#   - its link goes down (carrier lost): FAULT, fenced, VIP removed; the
#     link back, it returns as backup (preempt no)
#   - its namespace destroyed: its eth0 deleted under the running pizwgd
#     (which must fence), then pizwgd killed
# TAP. Run by tests/ha/suite inside the VM.

# The checks are functions called through t, which shellcheck cannot follow;
# checks written eval '...' expand when they run.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
# shellcheck source=tests/ha/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# takeover_deadline H: Master_Down_Interval of H, then one interval as
# master, times 3 (ms)
takeover_deadline() {
	echo $((3 * ($(down_ms "${prio_of[$1]}") + interval_ms)))
}

# serves_alone H: H gets a client session; the client closes, H fences and
# (alone) becomes master again and serves.
serves_alone() {
	ha_session "$1" || return 1
	client_stop
	wait_host "$1" "$re_fenced" 10 && wait_state "$1" BACKUP 8 &&
		wait_state "$1" MASTER 8 && wait_host "$1" "$re_serving" 12
}

ha_start h1
wait_state h1 MASTER 15 && wait_host h1 "$re_serving" 12
ha_start h2
t h1_master_and_serving_h2_backup wait_state h2 BACKUP 15
sleep 1

# --- SIGKILL ------------------------------------------------------------------
lifetime=$(vip_lifetime h1)
echo "# h1's VIP: valid_lft $lifetime"
t kill_vip_has_a_finite_lifetime eval '[[ $lifetime =~ ^[0-9]+$ ]]'
mark_power h1
mark_power h2
skip_lines "${log_of[h2]}"
ha_kill h1
t kill_lease_switches_h1_stick_off wait_power_of h1 off 5
echo "# $power_line"
t kill_the_cause_is_lease_expiry eval '[[ $power_line == *" cause lease-expiry"* ]]'
off_ts=$power_ts
t kill_h2_becomes_master wait_state h2 MASTER 8
t kill_h2_powers_its_stick wait_power_of h2 on 10
t kill_h1_off_to_h2_on_within_3x_master_down_plus_interval \
	ha_within "h1 killed -> h2 on" "$off_ts" "$power_ts" "$(takeover_deadline h2)"
t kill_h2_serves_on_the_vip wait_host h2 "$re_serving" 12
t kill_client_round_trip_with_h2_then_h2_alone_serves_again serves_alone h2
if [[ $lifetime =~ ^[0-9]+$ ]]; then
	t kill_dead_h1_vip_expires_within_3x_its_lifetime \
		wait_for $((3 * lifetime)) no_vip h1
else
	skip kill_dead_h1_vip_expires_within_3x_its_lifetime "no finite lifetime"
fi

# --- link down ----------------------------------------------------------------
ha_start h1
t link_h1_restarted_joins_as_backup wait_state h1 BACKUP 15
sleep 1
t link_h2_still_master eval '[[ $(masters) == h2 ]]'
mark_power h1
mark_power h2
skip_lines "${log_of[h2]}"
t0=$(mono_ns)
carrier_down h2
t link_h2_enters_fault wait_state h2 FAULT 5
t link_h2_fences_its_stick wait_power_of h2 off 5
off_ts=$power_ts
t link_h2_removes_its_vip wait_for 5 no_vip h2
t link_h1_becomes_master wait_state h1 MASTER 15
t link_h1_powers_its_stick wait_power_of h1 on 10
t link_h2_off_before_h1_on eval '((off_ts < power_ts))'
t link_carrier_lost_to_h1_on_within_3x_master_down_plus_interval \
	ha_within "h2 link down -> h1 on" "$t0" "$power_ts" "$(takeover_deadline h1)"
t link_h1_serves_on_the_vip wait_host h1 "$re_serving" 12
carrier_up h2
t link_back_h2_returns_as_backup wait_state h2 BACKUP 8
sleep 1.5
t link_back_h1_still_the_only_master eval '[[ $(masters) == h1 ]]'
t link_back_h2_stick_stays_off eval 'power_is h2 off && power_is h1 on'
t link_back_client_round_trip_with_h1 ha_session h1
client_stop
wait_state h1 BACKUP 8
t link_back_client_closed_h2_takes_over wait_state h2 MASTER 8
t link_back_h2_serves_on_the_vip wait_host h2 "$re_serving" 12

# --- namespace destroyed ----------------------------------------------------------
mark_power h1
mark_power h2
skip_lines "${log_of[h1]}"
skip_lines "${log_of[h2]}"
t0=$(mono_ns)
# the name goes, and h2's only interface with it; pizwgd still runs there
ip netns del h2
ip -n pz-br link del b-h2
t netns_h2_fences_when_its_eth0_vanishes wait_power_of h2 off 5
off_ts=$power_ts
t netns_h1_becomes_master wait_state h1 MASTER 15
t netns_h1_powers_its_stick wait_power_of h1 on 10
t netns_h2_off_before_h1_on eval '((off_ts < power_ts))'
t netns_destroyed_to_h1_on_within_3x_master_down_plus_interval \
	ha_within "h2 destroyed -> h1 on" "$t0" "$power_ts" "$(takeover_deadline h1)"
echo "# h2 after losing its interface:"
tail -n +$((${seen[${log_of[h2]}]:-0} + 1)) "${log_of[h2]}" | head -n 8 | sed 's/^/#   /'
t netns_h2_sanitizer_clean ha_sanitizer_clean h2
ha_kill h2
t netns_h1_serves_on_the_vip wait_host h1 "$re_serving" 12
t netns_client_round_trip_with_h1 ha_session h1
ha_finish
