#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The HA harness checking itself, without pizwgd's VRRP: the namespaces and
# the bridge (partition and carrier loss), the port record and its
# one-stick checker (which must catch an overlap and accept one inside an
# allowed window), the socat client through the VIP (here added by hand,
# served by pizwgd with vrrp = off), keepalived in a host's namespace, and
# the advert injector (keepalived must obey a valid priority 255 from it).
# TAP. Run only when named: tests/ha/suite tests/ha/harness.sh

# The checks are functions called through t, which shellcheck cannot follow;
# checks written eval '...' expand when they run.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
# shellcheck source=tests/ha/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

reach() {
	ip netns exec pz-cli ping -c 1 -W 1 "$1" >/dev/null 2>&1
}

t net_client_reaches_h1 reach 192.0.2.1
t net_client_reaches_h2 reach 192.0.2.2
link_cut h1
t net_cut_h1_unreachable eval '! reach 192.0.2.1'
t net_cut_h1_keeps_its_carrier eval '! ip -n h1 link show eth0 | grep -q NO-CARRIER'
link_heal h1
t net_healed_h1_reachable wait_for 5 reach 192.0.2.1
carrier_down h1
t net_carrier_down_h1_has_no_carrier wait_for 2 eval 'ip -n h1 link show eth0 | grep -q NO-CARRIER'
carrier_up h1
t net_carrier_up_h1_reachable wait_for 5 reach 192.0.2.1

t record_starts_with_both_sticks_off eval 'power_is h1 off && power_is h2 off'
t record_invariant_holds_so_far one_stick_invariant
t0=$(mono_ns)
"$pizwgctl" power "${hub_of[h1]}" "${port_of[h1]}" on >/dev/null
"$pizwgctl" power "${hub_of[h2]}" "${port_of[h2]}" on >/dev/null
t record_sees_h2_on wait_power_of h2 on 5
t mono_ns_is_the_monitor_clock eval '((power_ts > t0 && power_ts - t0 < 5000000000))'
echo "# t0 $t0, h2 on at $power_ts"
t record_checker_catches_the_overlap eval '! one_stick_invariant'
"$pizwgctl" power "${hub_of[h2]}" "${port_of[h2]}" off >/dev/null
"$pizwgctl" power "${hub_of[h1]}" "${port_of[h1]}" off >/dev/null
t record_sees_h1_off wait_power_of h1 off 5
t1=$(mono_ns)
allow_overlap "$t0" "$t1"
t record_checker_accepts_it_inside_a_window one_stick_invariant

ip -n h1 addr add "$vip/24" dev eth0 label eth0:pizwg
ha_start h1 vrrp=off listen="$vip:$listen_port" interface=
t client_pizwgd_vrrp_off_serves_on_the_vip wait_host h1 "$re_serving" 20
t client_round_trip_via_the_vip ha_session h1
client_stop
t client_closed_h1_fences wait_host h1 "$re_fenced" 10
t client_pizwgd_exits_0 ha_stop h1
ip -n h1 addr del "$vip/24" dev eth0

if command -v keepalived >/dev/null; then
	keepalived_start h2 100
	t keepalived_alone_becomes_master wait_line "$keepalived_log" 'Entering MASTER STATE' 15
	t keepalived_owns_the_vip wait_for 3 has_vip h2
	inject ttl64 255 3 badsum 255 3 vrid 255 3 short 255 3
	sleep 0.5
	t keepalived_ignores_the_malformed_ones eval '[[ $(keepalived_state) == MASTER ]]'
	grep -iE 'ttl|checksum|invalid|vrid|too short|length' "$keepalived_log" |
		head -n 8 | sed 's/^/# keepalived: /'
	inject valid 255 10 &
	track "$!"
	t injector_valid_255_makes_keepalived_backup wait_line "$keepalived_log" 'Entering BACKUP STATE' 15
	t injector_silent_keepalived_master_again wait_line "$keepalived_log" 'Entering MASTER STATE' 10
	keepalived_stop
	t keepalived_stopped_removes_its_vip wait_for 5 no_vip h2
else
	skip keepalived "not installed"
fi
ha_finish
