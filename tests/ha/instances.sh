#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Several [gateway] sections are several VRRP instances: one pizwgd in h1
# serving both simulated sticks, "zstick" (VRID 254, VIP 192.0.2.254, the
# defaults) and "spare" (VRID 253, VIP 192.0.2.253), each with its own
# port and listener. Alone on the segment, both instances become master,
# each adds its own VIP and powers its own stick, and the client reaches
# each stick through its VIP; zstick's session end (release, master again)
# leaves spare untouched; SIGTERM releases both. Both sticks are meant to
# be on together here (two groups), so the one-stick check of the other
# scenarios does not apply. (A second host would need a third simulated
# stick: it switches its port off at start.) TAP. Run by tests/ha/suite
# inside the VM.

# The checks are functions called through t, which shellcheck cannot follow;
# checks written eval '...' expand when they run.
# shellcheck disable=SC2317,SC2016,SC2119
set -uo pipefail
# shellcheck source=tests/ha/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

vip2=192.0.2.253
re_spare="^<[0-9]>pizwgd\\[spare\\]: "

# stick 0 (h1's in lib.sh) is zstick's, stick 1 (h2's in lib.sh) spare's
conf_two=$T/h1-two.conf
cat >"$conf_two" <<EOF
[gateway zstick]
hub = ${hub_of[h1]}
port = ${port_of[h1]}
cert = $srv_crt
key = $srv_key
ca = $clients_pem
on_session_end = restart
interface = eth0
metrics_dir = $T/metrics-h1
advert_interval = $interval_cs

[gateway spare]
hub = ${hub_of[h2]}
port = ${port_of[h2]}
cert = $srv_crt
key = $srv_key
ca = $clients_pem
on_session_end = restart
interface = eth0
vrid = 253
vip = $vip2/24
metrics_dir = $T/metrics-h1
advert_interval = $interval_cs
EOF

# start_conf H FILE: pizwgd in H's namespace with FILE
start_conf() {
	log_of[$1]=$T/$1.$2.log
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		ip netns exec "$1" "$pizwgd" -c "$3" </dev/null \
		>"${log_of[$1]}" 2>&1 &
	pid_of[$1]=$!
	track "$!"
}

# has_line H ERE SECONDS: H's log has such a line, in any order
has_line() {
	wait_for "$3" grep -qE -- "$2" "${log_of[$1]}" && return 0
	echo "# no line matching '$2' in ${log_of[$1]##*/}"
	return 1
}

# session_with H SECTION-RE VIP: the client on VIP gets SECTION's stick
session_with() {
	local h=$1 re=$2 save=$srv_addr ok=1
	srv_addr=$3
	client_start &&
		wait_host "$h" "${re}session $re_cli: started" 10 &&
		roundtrip && ok=0
	srv_addr=$save
	return "$ok"
}

start_conf h1 1 "$conf_two"
# the two instances run side by side: their lines come in either order
t two_zstick_master has_line h1 "${re_pfx}vrrp: state MASTER" 15
t two_spare_master has_line h1 "${re_spare}vrrp: state MASTER" 15
t two_zstick_serves_on_its_vip has_line h1 \
	"${re_pfx}serving /dev/ttyACM[0-9]+ on ${vip//./\\.}:3333\$" 12
t two_spare_serves_on_its_vip has_line h1 \
	"${re_spare}serving /dev/ttyACM[0-9]+ on ${vip2//./\\.}:3333\$" 12
t two_both_sticks_on eval 'power_is h1 on && power_is h2 on'
t two_both_vips_on_h1 eval 'ip -n h1 -4 addr show dev eth0 | grep -q " $vip/24" &&
	ip -n h1 -4 addr show dev eth0 | grep -q " $vip2/24"'
t two_client_round_trip_zstick session_with h1 "$re_pfx" "$vip"
client_stop
# zstick's session ended: zstick releases and, alone, is master again
t two_zstick_released wait_host h1 "${re_pfx}vrrp: state BACKUP" 10
t two_zstick_master_again wait_host h1 "${re_pfx}vrrp: state MASTER" 10
# spare: BACKUP then MASTER at start, nothing since
t two_spare_untouched eval '[[ $(grep -cE "${re_spare}vrrp: state" "${log_of[h1]}") == 2 ]]'
t two_client_round_trip_spare session_with h1 "$re_spare" "$vip2"

client_stop
t pizwgd_on_h1_exits_0_on_sigterm_sanitizer_clean ha_stop h1
t both_sticks_off_after_sigterm eval 'sleep 0.5; power_is h1 off && power_is h2 off'
t no_vip_left eval 'no_vip h1 && ! ip -n h1 -4 addr show | grep -q " $vip2/"'
if ((tap_failed)); then
	for f in "$T"/h*.log; do
		echo "# --- ${f##*/}:"
		sed 's/^/#   /' "$f"
	done
	echo "# --- adverts on the wire, by source and VRID:"
	grep -oE 'IP [0-9.]+ > 224.0.0.18: VRRPv[23], Advertisement, vrid [0-9]+' \
		"$T/adverts.txt" | sort | uniq -c | sed 's/^/#   /'
	grep -h '^pizwg_vrrp_adverts' "$T"/metrics-h*/pizwgd.prom | grep -v ' 0$' |
		sed 's/^/#   /'
fi
tap_done
