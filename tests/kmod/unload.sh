#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Unloading pizwg.ko while a monitor listens and a port is leased: the leased
# port is switched off (cause unload) and listeners hear it, the monitor sees
# the family go, no claim of the module's stays on the port, and the kernel
# log stays clean (checked by tests/vm/suite).
# Runs last: it leaves the module unloaded.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/kmod/lib.sh
. tests/kmod/lib.sh

out=$(mktemp -d)
# shellcheck disable=SC2317  # called through the trap
cleanup() {
	kill "${holder:-}" "${monitor:-}" 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT

"$ctl" monitor >"$out/monitor" 2>&1 &
monitor=$!
"$ctl" power "$hub" "$port" on --hold >/dev/null &
holder=$!
t "the port is leased" wait_for 5 bash -c "$ctl hubs $hub | grep -q 'leased yes'"

t "rmmod pizwg succeeds with a listener and a lease" rmmod pizwg
t "the leased port was switched off" wait_for 3 port_off_per_uhubctl
t "its tty is gone" wait_for 3 tty_absent
sleep 1
kill "$monitor" 2>/dev/null
wait "$monitor" 2>/dev/null
t "listeners heard tty-removed, cause unload" \
	grep -qE "tty-removed $tty hub $hub port $port .* cause unload$" "$out/monitor"
t "listeners heard the port go off, cause unload" \
	grep -qE "port $hub $port power off leased no cause unload$" "$out/monitor"
t "the monitor saw the family go" grep -q "module-removed" "$out/monitor"
t "pizwgctl then says the module is not loaded, exit 1" \
	bash -c "o=\$($ctl hubs 2>&1); [[ \$? == 1 && \$o == 'pizwgctl: pizwg kernel module not loaded' ]]"
t "the lease holder is still running (its socket simply closed on the module)" \
	kill -0 "$holder"
# The module kept the port claimed while off; the claim must go with it, or
# no driver would ever bind to a device on that port again.
# shellcheck disable=SC2317  # called through t
power_by_hand() {
	local disable
	disable=$(echo /sys/bus/usb/devices/"$hub"/*/"$hub"-port"$port"/disable)
	echo 0 >"$disable" && wait_for 15 tty_present
}
t "no port claim outlives the module: powered by hand, the stick gets its tty" \
	power_by_hand
tap_done
