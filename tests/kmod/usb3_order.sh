#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Both halves of a USB3 port are switched in the USB core's order (issue 15,
# item 5): "on" powers the SuperSpeed half first, "off" unpowers the USB2
# half first, as drivers/usb/core/port.c does for runtime PM, so that a USB3
# device never sees USB2 power alone and connects degraded. Judged from
# usbmon on every bus (0u): the order of the two root hubs' PORT_POWER
# requests for port 1 as submitted, whichever half pizwgctl names (each
# pizwgctl must succeed too). Run by tests/vm/suite
# with pizwg.ko and dummy_hcd not loaded; leaves them unloaded.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh
# shellcheck source=tests/kmod/usb3_roots.sh
. tests/kmod/usb3_roots.sh

ctl=build/asan/bin/pizwgctl
ko=build/kmod/$(uname -r)/pizwg.ko
out=$(mktemp -d)
mon=
# shellcheck disable=SC2317  # called through the trap
cleanup() {
	if [[ -n $mon ]]; then
		kill "$mon" 2>/dev/null
		wait "$mon" 2>/dev/null
	fi
	rmmod pizwg 2>/dev/null
	modprobe -r dummy_hcd 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT

if ! modprobe usbmon || ! modprobe dummy_hcd num=1 is_super_speed=1; then
	echo "not ok - modprobe usbmon, dummy_hcd is_super_speed=1"
	exit 1
fi
usb3_roots 1
hs=${root[hs0]} ss=${root[ss0]}
echo "# pair: $hs (USB2) / $ss (USB3)"
insmod "$ko" || { echo "not ok - insmod pizwg.ko"; exit 1; }

# order HUB ACTION: switches port 1 of HUB; prints the PORT_POWER requests
# to port 1 of a root hub, in order, as "usbN:set" or "usbN:clear".
# shellcheck disable=SC2317  # called through expect, through t
order() {
	local f=$out/usbmon
	cat /sys/kernel/debug/usb/usbmon/0u >"$f" &
	mon=$!
	sleep 0.3
	"$ctl" power "$1" 1 "$2" >/dev/null || echo "pizwgctl-failed"
	sleep 0.5
	kill "$mon" 2>/dev/null
	wait "$mon" 2>/dev/null
	mon=
	awk -v hsa="Co:${hs#usb}:001:0" -v ssa="Co:${ss#usb}:001:0" '
		$3 == "S" && ($4 == hsa || $4 == ssa) && $5 == "s" && $6 == "23" &&
		$8 == "0008" && $9 == "0001" {
		split($4, a, ":")
		printf "%susb%s:%s", sep, a[2], ($7 == "03" ? "set" : ($7 == "01" ? "clear" : $7))
		sep = " "
	} END { print "" }' "$f"
}

# expect HUB ACTION WANT
# shellcheck disable=SC2317  # called through t
expect() {
	local got
	got=$(order "$1" "$2")
	[[ $got == "$3" ]] || { echo "# $1 1 $2: got '$got', want '$3'"; return 1; }
}

for named in "$hs" "$ss"; do
	t "$named 1 off: the USB2 half ($hs) first" expect "$named" off "$hs:clear $ss:clear"
	t "$named 1 on: the USB3 half ($ss) first" expect "$named" on "$ss:set $hs:set"
done
tap_done
