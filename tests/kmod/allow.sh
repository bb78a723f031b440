#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The allow list (issue 15, item 10): with allow=HUB:PORT only that port
# can be switched through the family. The first stick's port is left off
# the list: pizwgctl (off, cycle, on --hold) and a raw YNL set-port on it
# are refused with EPERM and the module's reason, and usbmon sees no
# PORT_POWER request to it; the second stick's port, on the list, switches.
# Bad allow parameters fail the load with one kernel log line; a guard
# outside the list is ignored with a warning (the port is left alone). A forced switch on a
# ganged hub needs all its ports listed. Reloads the module without
# parameters at the end.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/kmod/lib.sh
. tests/kmod/lib.sh

out=$(mktemp -d)
# shellcheck source=tests/kmod/usbmon.sh
. tests/kmod/usbmon.sh
read -r _ _ _ hub2 port2 _ < <(tests/vm/sticks list | sed -n 2p)
hub2=${hub2#hub=}
port2=${port2#port=}
[[ -n $hub2 && -n $port2 ]] || { echo "not ok - a second simulated stick"; exit 1; }

# shellcheck disable=SC2317  # called through the trap
cleanup() {
	usbmon_stop
	reload_plain allow
	"$ctl" power "$hub2" "$port2" on >/dev/null 2>&1
	rm -rf "$out"
}
trap cleanup EXIT

# bad_load LINE PARAM...: insmod fails and the kernel log has LINE.
# shellcheck disable=SC2317  # called through t
bad_load() {
	local line=$1 before
	shift
	before=$(dmesg | wc -l)
	! insmod "$ko" "$@" 2>/dev/null &&
		! grep -q '^pizwg ' /proc/modules &&
		dmesg | tail -n +$((before + 1)) | grep -qF "pizwg: $line"
}

# refused WHAT ARGS...: pizwgctl exits 1 naming the allow list.
# shellcheck disable=SC2317  # called through t
refused() {
	local o rc
	o=$("$ctl" "$@" 2>&1)
	rc=$?
	echo "# pizwgctl $*: exit $rc: $o"
	((rc == 1)) && grep -q "allow list" <<<"$o"
}

restore_stick
rmmod pizwg || { echo "not ok - rmmod pizwg"; exit 1; }
t "allow: a bad entry fails the load, named" \
	bad_load "allow: 'sda:1' is not HUB:PORT" "allow=$hub2:$port2,sda:1"
t "allow: a port out of range fails the load" \
	bad_load "allow: '$hub:0' is not HUB:PORT" "allow=$hub:0"
before=$(dmesg | wc -l)
t "a guarded port outside the allow list loads" \
	insmod "$ko" "allow=$hub2:$port2" "guard=$hub:$port"
t "... with a kernel warning: not guarded" bash -c \
	"dmesg | tail -n +$((before + 1)) | grep -qF 'pizwg: guard: $hub:$port is not in the allow list: not guarded'"
sleep 2
t "... the module left the port alone: still on, its tty there" tty_present
t "... pizwgctl hubs does not call it guarded" \
	bash -c "! $ctl hubs $hub | grep -qE 'port $port .*guarded'"
t "... and it cannot be switched" refused power "$hub" "$port" off
t "rmmod" rmmod pizwg

t "insmod with allow=$hub2:$port2" insmod "$ko" "allow=$hub2:$port2"
t "the parameter reads back" test "$(cat /sys/module/pizwg/parameters/allow)" = "$hub2:$port2"
t "the first stick is untouched by the load" tty_present

usbmon_start
t "pizwgctl power off of a port not allowed: refused" refused power "$hub" "$port" off
t "... cycle: refused" refused power "$hub" "$port" cycle --off-ms 100
t "... on --hold: refused" refused power "$hub" "$port" on --hold
o=$(tools/ynl-run --do set-port \
	--json "{\"hub\": \"$hub\", \"port\": $port, \"action\": \"off\"}" 2>&1)
rc=$?
echo "# ynl set-port: $(tr '\n' ' ' <<<"$o" | cut -c1-240)"
t "a raw YNL set-port off is refused (exit $rc)" test "$rc" != 0
t "... with EPERM and the module's reason" \
	grep -qE "(Operation not permitted|error: -1\b).*allow list|allow list.*(Operation not permitted|error: -1\b)" <<<"$(tr '\n' ' ' <<<"$o")"
sleep 0.5
usbmon_stop
t "usbmon: no PORT_POWER request to the refused port ($(power_log | wc -l))" \
	test -z "$(power_log)"
t "the refused port is still on (uhubctl)" port_on_per_uhubctl
t "... its tty still there" tty_present

t "the allowed port switches off" "$ctl" power "$hub2" "$port2" off
t "... its tty goes" wait_for 5 bash -c "! compgen -G '/sys/bus/usb/devices/${hub2#usb}-$port2:*/tty/ttyACM*' >/dev/null"
t "... and on again" "$ctl" power "$hub2" "$port2" on
t "... its tty comes back" wait_for 15 stick_tty "$hub2" "$port2"

# A forced switch on a hub that switches its ports together (the VM's
# external hub) switches them all: every port must be listed.
ganged=
for d in /sys/bus/usb/devices/*-*; do
	[[ $(cat "$d/bDeviceClass" 2>/dev/null) == 09 ]] && { ganged=${d##*/}; break; }
done
if [[ -n $ganged ]]; then
	t "rmmod" rmmod pizwg
	t "insmod with allow=$ganged:1" insmod "$ko" "allow=$ganged:1"
	t "a forced switch of $ganged 1 is refused: not all its ports are listed" \
		refused power "$ganged" 1 off --force
else
	echo "not ok - no external hub in the VM"
	tap_failed=1
fi

t "rmmod" rmmod pizwg
t "insmod without parameters" insmod "$ko"
t "the allow list is empty again" test -z "$(cat /sys/module/pizwg/parameters/allow)"
t "the first port switches again" "$ctl" power "$hub" "$port" cycle --off-ms 100
t "the stick is back" wait_for 15 tty_present
tap_done
