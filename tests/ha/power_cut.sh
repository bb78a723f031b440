#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A power cut (issue 15, observation 2): every host boots at once and every
# hub powers every port, so without guards both sticks run until each
# pizwgd starts. With both sticks' ports guarded the module switches them
# off as it loads, before any pizwgd runs; then the two pizwgd start at the
# same instant and only the master's stick is ever powered. Simulated in
# the one VM both hosts share: pizwg.ko unloaded, both root hubs re-probed
# (the hub driver powers every port: both sticks enumerate, as at boot),
# pizwg.ko loaded with guard= naming both ports (modules-load.d at boot),
# a pause (pizwgd starts late), then both pizwgd. Power is judged from
# usbmon (every PORT_POWER request on the sticks' ports), not only from the
# module's own events. TAP. Run by tests/ha/suite inside the VM; leaves
# pizwg.ko loaded without parameters, as it found it.

# The checks are functions called through t, which shellcheck cannot follow.
# shellcheck disable=SC2317
set -uo pipefail
# shellcheck source=tests/ha/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ko=build/kmod/$(uname -r)/pizwg.ko

# Whatever happened: no pizwgd left (a request in flight holds the
# module), both root hubs authorized, the module loaded again without
# parameters (the next scenarios need it), then lib.sh's clean-up.
power_cut_cleanup() {
	local h i
	for h in "${hosts[@]}"; do
		ha_kill "$h" 2>/dev/null
		echo 1 >"/sys/bus/usb/devices/${hub_of[$h]}/authorized"
	done
	if [[ -n $(cat /sys/module/pizwg/parameters/guard 2>/dev/null) ]] ||
		[[ ! -d /sys/module/pizwg ]]; then
		for ((i = 0; i < 10; i++)); do
			[[ -d /sys/module/pizwg ]] || break
			rmmod pizwg 2>/dev/null || sleep 0.5
		done
		insmod "$ko" || echo "# cannot load $ko again"
	fi
	ha_cleanup
}
trap power_cut_cleanup EXIT

modprobe usbmon || bail "modprobe usbmon"
# usbmon drops what a reader does not take in time, and counts it: the
# record is complete only if the count did not grow
usbmon_lost() {
	awk '{ for (i = 1; i < NF; i++) if ($i == "text_lost") print $(i + 1) }' \
		/sys/kernel/debug/usb/usbmon/0s
}
lost_before=$(usbmon_lost)
usbmon_complete() {
	local now
	now=$(usbmon_lost)
	[[ $now == "$lost_before" ]] && return 0
	echo "# usbmon dropped $((now - lost_before)) events: the record is incomplete"
	return 1
}
usbmon_log=$T/usbmon
cat /sys/kernel/debug/usb/usbmon/0u >"$usbmon_log" &
track "$!"
sleep 0.3

# power_log H: "TIMESTAMP_US set|clear" for every PORT_POWER request to H's
# stick's port (its hub's address, bmRequestType 0x23, SET_FEATURE 3 /
# CLEAR_FEATURE 1, wValue 8 (PORT_POWER), wIndex the port).
power_log() {
	local hub=${hub_of[$1]} bus devnum
	bus=$(cat "/sys/bus/usb/devices/$hub/busnum")
	devnum=$(printf '%03d' "$(cat "/sys/bus/usb/devices/$hub/devnum")")
	awk -v a="Co:$bus:$devnum:0" -v p="$(printf '%04x' "${port_of[$1]}")" '
		$3 == "S" && $4 == a && $5 == "s" && $6 == "23" &&
		$8 == "0008" && $9 == p {
			print $2, ($7 == "03" ? "set" : ($7 == "01" ? "clear" : "other"))
		}' "$usbmon_log"
}

# stick_up H / stick_down H: H's stick has a ttyACM, or none
stick_up() {
	compgen -G "/sys/bus/usb/devices/${hub_of[$1]#usb}-${port_of[$1]}:*/tty/ttyACM*" >/dev/null
}
stick_down() {
	! stick_up "$1"
}
both_up() {
	stick_up h1 && stick_up h2
}
both_down() {
	stick_down h1 && stick_down h2
}

# no_set_since H N: H's port got no SetPortFeature(PORT_POWER) after its
# first N requests
no_set_since() {
	local sets
	sets=$(power_log "$1" | tail -n +$(($2 + 1)) | grep ' set$')
	[[ -z $sets ]] && return 0
	echo "# $1's port was powered: ${sets//$'\n'/, }"
	return 1
}

# switched_off_since H N: after its first N requests, H's port got a
# ClearPortFeature(PORT_POWER), and that was the last request
switched_off_since() {
	local log
	log=$(power_log "$1" | tail -n +$(($2 + 1)))
	[[ $log == *' clear' ]] && return 0
	echo "# $1's port since the load: ${log//$'\n'/, }"
	return 1
}

# usbmon_one_stick FROM1 FROM2: after their first FROM1 / FROM2 requests,
# the two ports were never powered at the same time (usbmon's clock)
usbmon_one_stick() {
	{
		power_log h1 | tail -n +$(($1 + 1)) | sed 's/$/ h1/'
		power_log h2 | tail -n +$(($2 + 1)) | sed 's/$/ h2/'
	} | sort -n | awk '
		{ on[$3] = ($2 == "set"); c = on["h1"] + on["h2"] }
		c > 1 { printf "# both ports powered at %s us\n", $1; bad = 1 }
		END { exit bad }'
}

# --- the power cut ----------------------------------------------------------------
# No pizwgd runs (lib.sh switched both sticks off). The monitor's socket
# does not outlive the family: it is started again after the load.
monitor_gone() {
	! pgrep -f -- "$pizwgctl monitor\$" >/dev/null
}
pkill -f -- "$pizwgctl monitor\$"
wait_for 5 monitor_gone || bail "the monitor did not stop"
t module_unloaded rmmod pizwg
declare -A cut=()
for h in "${hosts[@]}"; do
	cut[$h]=$(power_log "$h" | wc -l)
done
for h in "${hosts[@]}"; do
	echo 0 >"/sys/bus/usb/devices/${hub_of[$h]}/authorized" &&
		echo 1 >"/sys/bus/usb/devices/${hub_of[$h]}/authorized"
done
t power_returns_both_sticks_enumerate wait_for 20 both_up

declare -A before=()
for h in "${hosts[@]}"; do
	before[$h]=$(power_log "$h" | wc -l)
	t "${h}_port_powered_by_the_hub_driver_usbmon" \
		eval "power_log $h | sed -n '$((cut[$h] + 1)),${before[$h]}p' | grep -q ' set\$'"
done
guard="${hub_of[h1]}:${port_of[h1]},${hub_of[h2]}:${port_of[h2]}"
t "module_loads_with_guard_$guard" insmod "$ko" "guard=$guard"
t guarded_sticks_are_off_within_3_s wait_for 3 both_down
for h in "${hosts[@]}"; do
	# the hub driver disconnects the stick before the clear is sent
	t "${h}_port_switched_off_at_load_usbmon" \
		wait_for 3 switched_off_since "$h" "${before[$h]}"
done
declare -A cleared=()
for h in "${hosts[@]}"; do
	cleared[$h]=$(power_log "$h" | wc -l)
done
"$pizwgctl" monitor >>"$monitor_log" 2>&1 &
track "$!"
# pizwgd starts late after a boot: nothing powers a stick meanwhile
sleep 3
for h in "${hosts[@]}"; do
	t "${h}_stick_stays_off_with_no_pizwgd" no_set_since "$h" "${cleared[$h]}"
done

# --- both pizwgd at the same instant ------------------------------------------------
mark_power h1
mark_power h2
ha_start h1
ha_start h2
t one_master_emerges wait_for 15 one_master
sleep 1.5
m=$(masters)
[[ $m == h1 || $m == h2 ]] || m=h2
b=$(other "$m")
echo "# master: $m"
t "${m}_powers_its_stick" wait_power_of "$m" on 10
t "${m}_stick_enumerates" wait_for 15 stick_up "$m"
t "${b}_never_powered_its_stick" never_powered "$b"
t "${b}_port_never_powered_usbmon" no_set_since "$b" "${cleared[$b]}"
for h in "${hosts[@]}"; do
	t "${h}_reports_its_port_guarded" \
		wait_for 10 eval "[[ \$(metric $h pizwg_stick_port_guarded) == 1 ]]"
done
t client_round_trip_via_the_vip ha_session "$m"
client_stop
t "${m}_exits_0_on_sigterm" ha_stop "$m"
t "${b}_exits_0_on_sigterm" ha_stop "$b"
t both_sticks_off_after_sigterm wait_for 5 both_down
t one_stick_at_a_time_since_the_load_usbmon usbmon_one_stick "${cleared[h1]}" "${cleared[h2]}"
t usbmon_record_is_complete usbmon_complete
echo "# port power requests since the power cut (usbmon):"
for h in "${hosts[@]}"; do
	power_log "$h" | tail -n +$((before[$h] + 1)) | sed "s/^/#   $h /"
done
ha_finish
