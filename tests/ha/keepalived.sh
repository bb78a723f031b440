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
ha_finish
