#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Local faults and session-end actions with vrrp = on:
#   - the master's stick does not enumerate (a usb_id it cannot match): it
#     fences, gives up mastership (priority 0), stays in FAULT for the
#     back-off (10 s) and then becomes BACKUP again, never rebooting; the
#     other host takes over and serves. When it is master again and fails
#     again, the back-off has doubled (20 s).
#   - on_session_end = exec:PROGRAM: the client leaves, the master fences,
#     releases into FAULT and only then runs PROGRAM with PIZWG_GATEWAY and
#     PIZWG_REASON; the other host takes over. While PROGRAM runs the host
#     stays out of the election: even with the other host gone it does not
#     become master; once PROGRAM exits it is BACKUP, then MASTER, and
#     serves.
# TAP. Run by tests/ha/suite inside the VM.

# The checks are functions called through t, which shellcheck cannot follow;
# checks written eval '...' expand when they run.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
# shellcheck source=tests/ha/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

re_enum_failed() {
	echo "${re_pfx}enumeration failed: .*; retrying in $1 s\$"
}

# --- the master's stick does not enumerate -----------------------------------------
mark_power h1
mark_power h2
ha_start h1 usb_id=1234:5678
t enum_h1_alone_becomes_master wait_state h1 MASTER 15
t enum_h1_powers_its_stick wait_power_of h1 on 10
t enum_h1_enumeration_fails wait_host h1 "$(re_enum_failed 10)" 20
t enum_h1_fences_releases wait_state h1 RELEASING 5
t enum_h1_enters_fault wait_state h1 FAULT 5
t enum_h1_stick_off wait_power_of h1 off 5
# FAULT starts once the stick is confirmed off: timed from the module's
# timestamp of that, not from when this script noticed it
fault_at=$power_ts
t enum_h1_removed_its_vip wait_for 5 no_vip h1
t enum_h1_backoff_in_the_metrics wait_for 3 eval \
	'[[ $(metric h1 pizwg_backoff_seconds) == 10 ]]'
ha_start h2
t enum_h2_becomes_master wait_state h2 MASTER 15
t enum_h2_powers_its_stick wait_power_of h2 on 10
t enum_h2_serves_on_the_vip wait_host h2 "$re_serving" 12
t enum_client_round_trip_with_h2 ha_session h2
# FAULT for the back-off, then BACKUP (and h2 stays master: no preempt)
t enum_h1_backup_after_the_backoff wait_state h1 BACKUP 30
took=$((($(mono_ns) - fault_at) / 1000000))
echo "# h1 in FAULT for about $took ms (back-off 10 s)"
t enum_h1_fault_lasted_the_backoff eval '((took >= 9000))'
sleep 1
t enum_h2_still_the_only_master eval '[[ $(masters) == h2 ]]'
t enum_h1_never_rebooted_nor_restarted eval \
	'! grep -qE "${re_pfx}(rebooting|running )" "${log_of[h1]}"'
client_stop
# h2's session ends: h2 releases, h1 masters, fails again: 20 s now
t enum_again_h1_becomes_master wait_state h1 MASTER 15
t enum_again_backoff_doubled wait_host h1 "$(re_enum_failed 20)" 20
t enum_again_h1_enters_fault wait_state h1 FAULT 5
t enum_again_h2_master_again wait_state h2 MASTER 15
t enum_again_h2_serves wait_host h2 "$re_serving" 12
t enum_h1_exits_0_on_sigterm ha_stop h1
t enum_h2_exits_0_on_sigterm ha_stop h2

# --- on_session_end = exec: after the release -----------------------------------------
# The program runs until the test creates on-end.go (110 s at most, within
# h1's exec_timeout).
prog=$T/on-end
cat >"$prog" <<EOF
#!/bin/sh
echo "\$PIZWG_GATEWAY: \$PIZWG_REASON" >>"$T/on-end.out"
env | sort >"$T/on-end.env"
i=0
while [ ! -e "$T/on-end.go" ] && [ \$i -lt 1100 ]; do
	sleep 0.1
	i=\$((i + 1))
done
EOF
chmod 0700 "$prog"
mark_power h1
mark_power h2
ha_start h1 "on_session_end=exec:$prog" exec_timeout=120 priority=200
t exec_h1_becomes_master wait_state h1 MASTER 15
t exec_h1_serves wait_host h1 "$re_serving" 12
ha_start h2
t exec_h2_backup wait_state h2 BACKUP 15
t exec_client_round_trip_with_h1 ha_session h1
skip_lines "${log_of[h2]}"
client_stop
t exec_h1_session_ends wait_host h1 "$re_ended" 10
t exec_h1_fences wait_host h1 "$re_fenced" 10
t exec_h1_releases_out_of_the_election wait_state h1 FAULT 10
# the program runs after the release, not before
t exec_then_h1_runs_the_program wait_host h1 \
	"${re_pfx}running ${prog//./\\.} \\(for at most 120 s\\)\$" 10
t exec_the_program_got_gateway_and_reason wait_for 5 grep -qE \
	"^$gw: client closed" "$T/on-end.out"
sed 's/^/# on-end.out: /' "$T/on-end.out"
# nothing of pizwgd's own environment (ASAN_OPTIONS here) leaks into it
t exec_the_program_gets_a_clean_environment eval \
	'! grep -q "^ASAN_OPTIONS=" "$T/on-end.env" && grep -q "^PATH=" "$T/on-end.env"'
t exec_h2_becomes_master wait_state h2 MASTER 10
t exec_h2_powers_its_stick wait_power_of h2 on 10
t exec_h2_serves wait_host h2 "$re_serving" 12
t exec_client_round_trip_with_h2 ha_session h2
# h2 leaves (priority 0): h1, still running its program, must not master,
# for many times its Master_Down_Interval
t exec_h2_exits_0_on_sigterm ha_stop h2
client_stop
sleep $((10 * $(down_ms 200) / 1000 + 1))
t exec_h1_still_runs_the_program eval '[[ ! -e $T/on-end.go ]] &&
	! grep -qE "${re_pfx}.*exited with status" "${log_of[h1]}"'
t exec_h1_never_masters_while_the_program_runs eval \
	'[[ $(state_of h1) == FAULT ]] && no_new_state h1'
t exec_h1_holds_no_vip_while_the_program_runs no_vip h1
: >"$T/on-end.go"
t exec_h1_program_exits wait_host h1 \
	"${re_pfx}${prog//./\\.} exited with status 0\$" 10
t exec_h1_backup_once_the_program_is_done wait_state h1 BACKUP 10
t exec_h1_then_master wait_state h1 MASTER 10
t exec_h1_serves_again wait_host h1 "$re_serving" 12
t exec_client_round_trip_with_h1_again ha_session h1
ha_finish
