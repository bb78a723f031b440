#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# SIGTERM with eight gateways (CONF_GATEWAYS_MAX), each with vrrp = on and
# its own VRID and VIP, in one pizwgd on h1 alone: zstick and spare on the
# two simulated sticks, six more on hubs that do not exist, so their
# power-off is never confirmed (a hub that does not answer). pizwgd must
# exit 0 well within the unit's TimeoutStopSec (read from
# image/systemd/pizwgd.service, less 5 s), the releases running side by
# side under one deadline, with both sticks off and their VIPs removed.
# (The six others keep their VIPs: a release ends with priority 0 and the
# VIP removed only once the stick is confirmed off; their short lifetime
# and ExecStopPost remove them.) Both sticks are on together here (eight
# groups), so the one-stick check does not apply.
# TAP. Run by tests/ha/suite inside the VM.

# The checks are functions called through t, which shellcheck cannot follow.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
# shellcheck source=tests/ha/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stop_s=$(stop_timeout_s) || bail "no TimeoutStopSec in pizwgd.service"
names=(zstick spare g3 g4 g5 g6 g7 g8)
conf=$T/h1-eight.conf
for i in "${!names[@]}"; do
	case $i in
	0) hub=${hub_of[h1]} port=${port_of[h1]} ;;
	1) hub=${hub_of[h2]} port=${port_of[h2]} ;;
	*) hub=usb$((40 + i)) port=1 ;;
	esac
	cat <<EOF
[gateway ${names[i]}]
hub = $hub
port = $port
cert = $srv_crt
key = $srv_key
ca = $clients_pem
on_session_end = restart
interface = eth0
vrid = $((254 - i))
vip = 192.0.2.$((254 - i))/24
metrics_dir = $T/metrics-h1
advert_interval = $interval_cs

EOF
done >"$conf"

log_of[h1]=$T/h1.8.log
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	ip netns exec h1 "$pizwgd" -c "$conf" </dev/null >"${log_of[h1]}" 2>&1 &
pid_of[h1]=$!
track "$!"

# masters: how many of the gateways have been master
masters_seen() {
	grep -oE '^<[0-9]>pizwgd\[[a-z0-9]+\]: vrrp: state MASTER$' \
		"${log_of[h1]}" | sort -u | wc -l
}

# serving NAME: NAME's stick is served on its VIP
serving() {
	grep -qE "^<[0-9]>pizwgd\\[$1\\]: serving /dev/ttyACM[0-9]+ on " \
		"${log_of[h1]}"
}

t all_eight_gateways_become_master wait_for 30 eval '(($(masters_seen) == 8))'
t zstick_serves wait_for 15 serving zstick
t spare_serves wait_for 15 serving spare
t sigterm_with_eight_gateways_exits_0_5_s_within_TimeoutStopSec \
	ha_stop_within h1 $((stop_s - 5))
t both_sticks_off_after_sigterm eval 'sleep 0.5; power_is h1 off && power_is h2 off'
t sticks_vips_removed eval '! ip -n h1 -4 addr show dev eth0 | grep -qE " 192\.0\.2\.25[34]/24"'
t sanitizer_clean ha_sanitizer_clean h1
if ((tap_failed)); then
	echo "# masters seen: $(masters_seen)"
	sed 's/^/#   /' "${log_of[h1]}" | tail -n 80
fi
tap_done
