#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Guarded ports (issue 15, item 4): with guard=HUB:PORT the port is powered
# only while leased, from module load on. Judged by usbmon from just before
# the load to the end: the port (powered before the load) is switched off
# at load, was then powered once for long (the --hold lease), every other
# powered span (the hub driver's re-probe) is ended by a ClearPortFeature
# within 1 s, and it ends off.
# Bad guard parameters fail the load with one kernel log line.
# Reloads the module without the parameter at the end, the stick back on.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/kmod/lib.sh
. tests/kmod/lib.sh

out=$(mktemp -d)
# shellcheck source=tests/kmod/usbmon.sh
. tests/kmod/usbmon.sh
# shellcheck disable=SC2317  # called through the trap
cleanup() {
	usbmon_stop
	kill -9 "${holder:-}" 2>/dev/null
	wait 2>/dev/null
	echo 1 >"/sys/bus/usb/devices/$hub/authorized" 2>/dev/null
	reload_plain guard
	rm -rf "$out"
}
trap cleanup EXIT

# bad_guard VALUE NAMED: insmod fails and the log names entry NAMED.
# shellcheck disable=SC2317  # called through t
bad_guard() {
	local before
	before=$(dmesg | wc -l)
	! insmod "$ko" "guard=$1" 2>/dev/null &&
		! grep -q '^pizwg ' /proc/modules &&
		dmesg | tail -n +$((before + 1)) | grep -qF "pizwg: guard: '$2' is not HUB:PORT"
}

restore_stick
rmmod pizwg || { echo "not ok - rmmod pizwg"; exit 1; }
t "guard: a port out of range fails the load, named" bad_guard "$hub:99" "$hub:99"
t "guard: a hub that is no hub name fails the load" bad_guard "sda:1" "sda:1"
t "guard: an entry without a port fails the load" bad_guard "$hub:1,$hub" "$hub"
t "guard: a trailing comma fails the load" bad_guard "$hub:1," ""

usbmon_start
t "insmod with guard=$hub:$port" insmod "$ko" "guard=$hub:$port"
t "the guarded port goes off at load" wait_for 3 port_off_per_uhubctl
t "its tty goes" wait_for 5 tty_absent
t "usbmon: the module cleared the port's power at load" \
	test "$(power_log | head -n 1 | cut -d' ' -f2)" = clear
t "the holder of a guarded port's lease cannot release it (EPERM; kselftest)" \
	env PIZWG_TEST_GUARDED="$hub:$port" build/tests/pizwg_test \
	-t guarded_port_lease_cannot_be_released
t "pizwgctl hubs says guarded" bash -c "$ctl hubs $hub | grep -qE 'port $port power off .* leased no guarded$'"
t "pizwgctl hubs --json says guarded" bash -c "$ctl --json hubs $hub | grep -q '\"guarded\":true'"

o=$("$ctl" power "$hub" "$port" on 2>&1)
rc=$?
t "power on without --hold: exit 1 (was $rc)" test "$rc" = 1
t "... saying to use --hold" \
	test "$o" = "pizwgctl: power $hub $port: the port is guarded (powered only while leased): use --hold"
t "... and the port stays off" port_off_per_uhubctl

"$ctl" power "$hub" "$port" on --hold >/dev/null &
holder=$!
t "on --hold powers it, leased" wait_for 15 tty_present
t "... pizwgctl hubs: leased yes guarded" \
	bash -c "$ctl hubs $hub | grep -qE 'port $port power on .* leased yes guarded$'"
o=$(tools/ynl-run --do release-port --json "{\"hub\": \"$hub\", \"port\": $port}" 2>&1)
rc=$?
echo "# ynl release-port: $(tr '\n' ' ' <<<"$o" | cut -c1-240)"
t "a release of a guarded port is refused (exit $rc)" test "$rc" != 0
t "... with EPERM and the module's reason" \
	grep -qE "(Operation not permitted|error: -1\b).*guarded|guarded.*(Operation not permitted|error: -1\b)" <<<"$(tr '\n' ' ' <<<"$o")"
sleep 2
kill -9 "$holder"
wait "$holder" 2>/dev/null
holder=
t "SIGKILL of the holder: the port goes off" wait_for 5 port_off_per_uhubctl
t "... and the tty" wait_for 5 tty_absent

t "a re-probe of the hub leaves the guarded port off" reprobe authorized
sleep 3
t "... no tty" tty_absent

t "rmmod" rmmod pizwg
t "insmod again with the guard" insmod "$ko" "guard=$hub:$port"
sleep 2
t "... the port is still off" port_off_per_uhubctl
usbmon_stop

echo "# powered spans (start us, ms):"
powered_spans | sed 's/^/#   /'
spans=$(powered_spans)
long=$(awk '$2 == "open" || $2 >= 1000' <<<"$spans" | wc -l)
lease=$(awk '$2 != "open" && $2 >= 1000 { print $2 }' <<<"$spans")
t_timing "usbmon: one powered span over 1 s, not $long" test "$long" = 1
t "usbmon: it was the lease (2 s or more, closed; ${lease:-none} ms)" \
	test "${lease:-0}" -ge 2000
t "usbmon: the re-probe's span was closed too (2 spans or more)" \
	test "$(wc -l <<<"$spans")" -ge 2
t "usbmon: the port ends off (no span left open)" \
	test "$(grep -c open <<<"$spans")" = 0

rmmod pizwg && insmod "$ko"
t "reloaded without a guard" test -z "$(cat /sys/module/pizwg/parameters/guard)"
t "the stick is back" restore_stick
tap_done
