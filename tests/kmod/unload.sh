#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Unloading pizwg.ko while a monitor listens, a port is leased and a cycle of
# the second stick's port waits out its off time: the unload does not wait
# for the off time, the cycle's pizwgctl is told the module is unloading,
# leased ports are switched off (cause unload) and listeners hear it, the
# monitor sees the family go, no claim of the module's stays on the port, and
# the kernel log stays clean (checked by tests/vm/suite).
# Runs last: it leaves the module unloaded.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/kmod/lib.sh
. tests/kmod/lib.sh

out=$(mktemp -d)
# shellcheck disable=SC2317  # called through the trap
cleanup() {
	kill "${holder:-}" "${monitor:-}" "${cycler:-}" 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT

"$ctl" monitor >"$out/monitor" 2>&1 &
monitor=$!
"$ctl" power "$hub" "$port" on --hold >/dev/null &
holder=$!
t "the port is leased" wait_for 5 bash -c "$ctl hubs $hub | grep -q 'leased yes'"
read -r _ _ _ hub2 port2 _ < <(tests/vm/sticks list | sed -n 2p)
hub2=${hub2#hub=}
port2=${port2#port=}
"$ctl" power "$hub2" "$port2" cycle --off-ms 30000 >"$out/cycle" 2>&1 &
cycler=$!
t "a 30 s cycle of the second stick waits out its off time" \
	wait_for 5 bash -c "uhubctl -l ${hub2#usb} -p $port2 | grep -q 'Port $port2: 0000 off'"

start=$SECONDS
t "rmmod pizwg succeeds with a listener, a lease and a waiting cycle" rmmod pizwg
t "... without waiting for the cycle's off time" test $((SECONDS - start)) -lt 10
wait "$cycler"
cycle_rc=$?
cycler=
sed 's/^/# cycle: /' "$out/cycle"
t "the cycle's pizwgctl exits 1, told the module is being unloaded" \
	bash -c "[[ $cycle_rc == 1 ]] && grep -q 'module is being unloaded' '$out/cycle'"
t "the cycled port stays off" \
	bash -c "uhubctl -l ${hub2#usb} -p $port2 | grep -q 'Port $port2: 0000 off'"
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
	echo 0 >"$disable" && wait_for 15 stick_tty "$hub" "$port"
}
t "no port claim outlives the module: powered by hand, the stick gets its tty" \
	power_by_hand
tap_done
