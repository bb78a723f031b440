#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# keepalived 2.2.7 (Debian 12's) as the peer, in h2's namespace instead of
# pizwgd: VRRPv3, VRID 254, advert_int 0.2, the VIP 192.0.2.254/24.
#   - pizwgd master (priority 200), keepalived backup (100): keepalived
#     accepts pizwgd's adverts and stays backup, pizwgd accepts keepalived's
#     (none dropped); pizwgd SIGKILLed: its stick off (lease), keepalived
#     master within 3 x its Master_Down_Interval, owning the VIP
#   - keepalived master (100), pizwgd backup (50): pizwgd stays backup with
#     its stick off; keepalived stopped (priority 0): pizwgd master within
#     3 x Skew_Time (+1 s for keepalived's own stop), its stick on, the
#     client served through the VIP
#   - pizwgd master (50); keepalived (20) at advert_int 1 deaf to it (its
#     bridge port floods it no multicast) becomes master too: pizwgd logs
#     the lower advert once (rate-limited), stays master, its stick on,
#     never fenced; the link healed, keepalived backs off to BACKUP
# Only h1's stick is in play. TAP. Run by tests/ha/suite inside the VM.

# The checks are functions called through t, which shellcheck cannot follow;
# checks written eval '...' expand when they run.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
# shellcheck source=tests/ha/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v keepalived >/dev/null || {
	skip keepalived_peer "keepalived is not installed"
	exit 0
}
echo "# $(keepalived --version 2>&1 | head -n 1)"
# keepalived 2.2.7 takes up to about 500 ms from SIGTERM to its priority 0
stop_ms=1000

keepalived_entered() {
	wait_line "$keepalived_log" "Entering $1 STATE" "$2"
}

no_drops() {
	local d
	d=$(grep -E "${re_pfx}vrrp: dropped advert" "${log_of[h1]}")
	[[ -z $d ]] && return 0
	echo "# ${d//$'\n'/ | }"
	return 1
}

# --- pizwgd master, keepalived backup -----------------------------------------------
ha_start h1 priority=200
t master_pizwgd_priority_200_becomes_master wait_state h1 MASTER 15
t master_pizwgd_serves wait_host h1 "$re_serving" 12
keepalived_start h2 100
t master_keepalived_priority_100_enters_backup keepalived_entered BACKUP 10
sleep 1.5
t master_keepalived_never_became_master \
	eval '! grep -q "Entering MASTER STATE" "$keepalived_log"'
t master_keepalived_does_not_own_the_vip no_vip h2
t master_pizwgd_still_master eval '[[ $(state_of h1) == MASTER ]]'
t master_pizwgd_dropped_none_of_them no_drops
t master_client_round_trip_with_pizwgd ha_session h1
# The client stays: its session dies with pizwgd.
mark_power h1
skip_lines "$keepalived_log"
ha_kill h1
t master_sigkill_lease_switches_the_stick_off wait_power_of h1 off 5
off_ts=$power_ts
t master_sigkill_keepalived_becomes_master keepalived_entered MASTER 10
t1=$(mono_ns)
t master_sigkill_keepalived_master_within_3x_master_down \
	ha_within "pizwgd killed -> keepalived MASTER (seen by polling)" \
	"$off_ts" "$t1" $((3 * $(down_ms 100) + 300))
t master_sigkill_keepalived_owns_the_vip wait_for 3 has_vip h2
client_stop
# systemd's ExecStopPost after the crash: port confirmed off, VIP removed
t master_sigkill_stop_post_fences_h1 stop_post h1
t master_sigkill_no_vip_left_on_h1 no_vip h1

# --- keepalived master, pizwgd backup -------------------------------------------------
mark_power h1
ha_start h1 priority=50
t backup_pizwgd_priority_50_enters_backup wait_state h1 BACKUP 15
sleep 1.5
t backup_pizwgd_stays_backup eval '[[ $(state_of h1) == BACKUP ]]'
t backup_pizwgd_stick_never_powered never_powered h1
t backup_pizwgd_does_not_own_the_vip no_vip h1
t backup_keepalived_still_master eval '[[ $(keepalived_state) == MASTER ]]'
t backup_pizwgd_receives_keepalived_adverts \
	metric_at_least h1 1 pizwg_vrrp_adverts_received_total
t backup_pizwgd_dropped_none_of_keepalived_adverts no_drops
t0=$(mono_ns)
keepalived_stop
t backup_keepalived_stopped_pizwgd_becomes_master wait_state h1 MASTER 15
t1=$(mono_ns)
t backup_pizwgd_master_within_3x_skew_plus_keepalived_stop \
	ha_within "keepalived SIGTERM -> pizwgd MASTER (seen by polling)" \
	"$t0" "$t1" $((3 * $(skew_ms 50) + stop_ms))
t backup_pizwgd_powers_its_stick wait_power_of h1 on 10
t backup_pizwgd_serves wait_host h1 "$re_serving" 12
t backup_keepalived_removed_its_vip wait_for 5 no_vip h2
t backup_client_round_trip_with_pizwgd ha_session h1
client_stop
# the session's end fences, releases and, alone, serves again: all of it
# before the next part counts h1's power events
t backup_pizwgd_serves_again_after_the_session wait_host h1 "$re_serving" 30

# --- pizwgd master, keepalived a lower master that cannot hear it ------------------------
re_lower="${re_pfx}vrrp: lower advert from 192\\.0\\.2\\.2 \\(priority 20, ours 50, interval 100 cs\\) while master: answered, staying master\$"
skip_lines "${log_of[h1]}"
skip_lines "$keepalived_log"
mark_power h1
bridge -n pz-br link set dev b-h2 mcast_flood off
keepalived_start h2 20 100
t lower_keepalived_deaf_to_pizwgd_becomes_master_too keepalived_entered MASTER 15
t lower_pizwgd_logs_the_lower_advert wait_host h1 "$re_lower" 5
sleep 2.5
n=$(grep -cE "$re_lower" "${log_of[h1]}")
echo "# $n lower advert lines"
t lower_pizwgd_logs_one_line_per_10_s eval '((n == 1))'
t lower_pizwgd_stays_master eval '[[ $(state_of h1) == MASTER ]] && no_new_state h1'
t lower_pizwgd_stick_stays_on_never_fenced \
	eval '[[ $(power_count h1) == "${power_mark[h1]}" ]] && power_is h1 on && no_line "${log_of[h1]}" "$re_fenced"'
bridge -n pz-br link set dev b-h2 mcast_flood on
t lower_link_healed_keepalived_backs_off keepalived_entered BACKUP 5
t lower_pizwgd_still_master eval '[[ $(state_of h1) == MASTER ]]'
keepalived_stop
ha_finish
