#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Split brain, healed. h1 (master) leaves the bridge without losing its
# carrier: neither host hears the other, so both are master and both sticks
# are on (VRRP cannot tell a cut link from a dead peer: the only overlap the
# invariant allows, from the cut until 2 advertisement intervals x 3 after
# the link is back). Link restored: one master (h2, priority 2) within 2
# intervals, the loser's stick off, and the client served by the winner.
# TAP. Run by tests/ha/suite inside the VM.

# The checks are functions called through t, which shellcheck cannot follow;
# checks written eval '...' expand when they run.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
# shellcheck source=tests/ha/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ha_start h1
wait_state h1 MASTER 15 && wait_host h1 "$re_serving" 12
ha_start h2
t h1_master_and_serving_h2_backup wait_state h2 BACKUP 15
sleep 1
t h1_is_the_only_master eval '[[ $(masters) == h1 ]]'

mark_power h1
mark_power h2
skip_lines "${log_of[h1]}"
t0=$(mono_ns)
link_cut h1
t cut_h2_becomes_master wait_state h2 MASTER 8
t cut_h2_powers_its_stick wait_power_of h2 on 10
t cut_h2_on_within_3x_master_down_plus_interval \
	ha_within "cut -> h2 on" "$t0" "$power_ts" \
	$((3 * ($(down_ms "${prio_of[h2]}") + interval_ms)))
t cut_h2_serves_on_the_vip wait_host h2 "$re_serving" 12
sleep 1
t cut_both_are_master eval '[[ $(masters) == "h1 h2" ]]'
t cut_h1_kept_its_stick_on eval 'never_powered h1 && power_is h1 on'
t cut_both_own_the_vip eval 'has_vip h1 && has_vip h2'

mark_power h1
t1=$(mono_ns)
allow_overlap "$t0" $((t1 + 3 * 2 * interval_ms * 1000000))
link_heal h1
one_master_h2() {
	[[ $(masters) == h2 ]]
}
t heal_one_master_h2_emerges wait_for 5 one_master_h2
# on the wire: h1's last advert as master (priority above 0)
sleep 1
la=$(last_advert_ns 192.0.2.1)
# none after the heal: it yielded on h2's first advert
((${la:-0} >= t1)) || la=$t1
t heal_h1_stops_advertising_as_master_within_3x_2_intervals \
	ha_within "heal -> h1's last advert as master (capture)" "$t1" "$la" \
	$((3 * 2 * interval_ms))
t heal_h1_switches_its_stick_off wait_power_of h1 off 5
t heal_h1_off_within_3x_2_intervals \
	ha_within "heal -> h1 off" "$t1" "$power_ts" $((3 * 2 * interval_ms))
t heal_h1_is_backup eval '[[ $(state_of h1) == BACKUP ]]'
echo "# h1 after the heal:"
tail -n +$((${seen[${log_of[h1]}]:-0} + 1)) "${log_of[h1]}" | head -n 8 | sed 's/^/#   /'
t heal_h1_removes_its_vip wait_for 5 no_vip h1
t heal_h2_stick_still_on eval 'power_is h2 on'
sleep 1
t heal_h2_still_the_only_master one_master_h2
t heal_client_round_trip_with_h2 ha_session h2
client_stop
wait_state h1 MASTER 15 && wait_host h1 "$re_serving" 12
ha_finish
