#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Cold start of two hosts, one after the other and at the same instant:
# exactly one becomes master, adds the VIP and powers its stick (after one
# advertisement interval as master); the other stays backup with its stick
# off; a socat client reaches the stick through the VIP. In the simultaneous
# start either may win (preempt is off), both may be master for a moment,
# but the one that yields never powers its stick (the one-interval guard).
# TAP. Run by tests/ha/suite inside the VM.

# The checks are functions called through t, which shellcheck cannot follow;
# checks written eval '...' expand when they run.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
# shellcheck source=tests/ha/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# only_stick_on H: H's stick is on, the other's off
only_stick_on() {
	power_is "$1" on && power_is "$(other "$1")" off
}

only_master() {
	local m
	m=$(masters)
	[[ $m == "$1" ]] && return 0
	echo "# masters: '$m' (want $1); h1 $(state_of h1), h2 $(state_of h2)"
	return 1
}

# --- one after the other ------------------------------------------------------
mark_power h1
mark_power h2
ha_start h1
t staggered_h1_alone_becomes_master wait_state h1 MASTER 15
t staggered_h1_adds_the_vip grep -qE "$re_vip_added" "${log_of[h1]}"
t staggered_h1_powers_its_stick wait_power_of h1 on 10
t staggered_h1_serves_on_the_vip wait_host h1 "$re_serving" 12
ha_start h2
t staggered_h2_joins_as_backup wait_state h2 BACKUP 15
# several Master_Down_Intervals of h2 listening to h1
sleep 1.5
t staggered_h1_is_the_only_master only_master h1
t staggered_h1_stick_on_h2_stick_off only_stick_on h1
t staggered_h2_never_powered_its_stick never_powered h2
t staggered_h1_owns_the_vip has_vip h1
t staggered_h2_does_not_own_the_vip no_vip h2
t staggered_client_round_trip_via_the_vip ha_session h1
client_stop
# on_session_end = restart: h1 fences and h2 takes over; let that finish
# before stopping both (tests/ha/disconnect.sh checks it closely)
wait_state h2 MASTER 8 && wait_host h2 "$re_serving" 12
t staggered_h1_exits_0_on_sigterm ha_stop h1
t staggered_h2_exits_0_on_sigterm ha_stop h2
t staggered_both_sticks_off_after_sigterm eval 'power_is h1 off && power_is h2 off'
t staggered_no_vip_left eval 'no_vip h1 && no_vip h2'

# --- at the same instant ---------------------------------------------------------
# Both start in Backup; with preempt off (the default) whichever declares the
# master down first stays master, even against a higher priority (RFC 5798
# 6.4.2): either may win, but only one, and the loser never powers its stick.
mark_power h1
mark_power h2
ha_start h1
ha_start h2
t simultaneous_one_master_emerges wait_for 15 one_master
sleep 1.5
m=$(masters)
[[ $m == h1 || $m == h2 ]] || m=h2
b=$(other "$m")
echo "# master: $m"
t simultaneous_exactly_one_master_after_settling one_master
t "simultaneous_${m}_powers_its_stick" wait_power_of "$m" on 10
t "simultaneous_${m}_serves_on_the_vip" wait_host "$m" "$re_serving" 12
t "simultaneous_${m}_stick_on_${b}_stick_off" only_stick_on "$m"
t "simultaneous_${b}_never_powered_its_stick" never_powered "$b"
t "simultaneous_${b}_does_not_own_the_vip" no_vip "$b"
echo "# states of $b:"
grep -E "$re_any_state" "${log_of[$b]}" | sed 's/^/#   /'
t "simultaneous_client_round_trip_via_the_vip" ha_session "$m"
client_stop
wait_state "$b" MASTER 8 && wait_host "$b" "$re_serving" 12
# a host starved under load (TCG on a busy machine) leaves this trace
grep -h -E "${re_pfx}vrrp: timer ran" "$T"/h*.*.log | sed 's/^/# /'
ha_finish
