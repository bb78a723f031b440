#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The client disconnects, five times: each time the master (on_session_end =
# restart) fences its stick, releases mastership (priority 0) and re-enters
# BACKUP; the other host becomes master within Skew_Time, powers its stick
# one interval later and serves; the client reconnects to the VIP and gets
# its round trip. Mastership alternates and the one-stick invariant holds.
# TAP. Run by tests/ha/suite inside the VM.

# The checks are functions called through t, which shellcheck cannot follow;
# checks written eval '...' expand when they run.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
# shellcheck source=tests/ha/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rounds=5

ha_start h1
wait_state h1 MASTER 15 && wait_host h1 "$re_serving" 12
ha_start h2
t h1_master_and_serving_h2_backup wait_state h2 BACKUP 15
sleep 1

m=h1
seq=()
for ((r = 1; r <= rounds; r++)); do
	b=$(other "$m")
	t "round_${r}_client_session_with_$m" ha_session "$m"
	mark_power "$m"
	mark_power "$b"
	skip_lines "${log_of[$b]}"
	client_stop
	t "round_${r}_${m}_ends_the_session" wait_host "$m" "$re_ended" 10
	t "round_${r}_${m}_fences_its_stick" wait_host "$m" "$re_fenced" 10
	wait_power_of "$m" off 10
	off_ts=$power_ts
	t "round_${r}_${m}_reenters_backup" wait_state "$m" BACKUP 8
	t "round_${r}_${b}_becomes_master" wait_state "$b" MASTER 8
	t "round_${r}_${b}_powers_its_stick" wait_power_of "$b" on 10
	on_ts=$power_ts
	# Skew_Time after the priority 0, then one interval as master
	t "round_${r}_${m}_off_to_${b}_on_within_3x_skew_plus_interval" \
		ha_within "$m off -> $b on" "$off_ts" "$on_ts" \
		$((3 * ($(skew_ms "${prio_of[$b]}") + interval_ms)))
	t "round_${r}_${b}_serves_on_the_vip" wait_host "$b" "$re_serving" 12
	t "round_${r}_${b}_owns_the_vip_${m}_not" eval "has_vip $b && no_vip $m"
	seq+=("$(masters)")
	m=$b
done
t "round_$((rounds + 1))_client_session_with_$m" ha_session "$m"

alternates() {
	local want=(h2 h1 h2 h1 h2)
	echo "# masters after each round: ${seq[*]}"
	[[ ${seq[*]} == "${want[*]:0:rounds}" ]]
}
t mastership_alternates alternates
ha_finish
