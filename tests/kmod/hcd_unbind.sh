#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fault: the host controller goes (issue 15, fault scenarios). dummy_hcd's
# platform device is unbound from its driver, which removes its root hub
# and everything on it, while a port of that hub is leased, and again while
# an asynchronous cycle of it waits out its off time. The lease must end
# with a hub-gone event, the cycle's pizwgctl must exit 1 at once (no hang),
# and when the controller is bound again its new root hub's port must be
# switched off (intended state off, cause reapplied). The kernel log stays
# clean (tests/vm/suite checks it at the end).
# Run by tests/vm/suite with no sticks up and pizwg.ko not loaded: no
# gadget is bound, since dummy_hcd's UDC side must not outlive its HCD.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh
# shellcheck source=tests/lib/proc.sh
. tests/lib/proc.sh

ctl=build/asan/bin/pizwgctl
ko=build/kmod/$(uname -r)/pizwg.ko
drv=/sys/bus/platform/drivers/dummy_hcd
out=$(mktemp -d)
# shellcheck disable=SC2317  # called through the trap
cleanup() {
	kill "${holder:-}" "${cycler:-}" "${monitor:-}" 2>/dev/null
	wait 2>/dev/null
	[[ -e $drv/dummy_hcd.0 ]] || echo dummy_hcd.0 >"$drv/bind" 2>/dev/null
	rmmod pizwg 2>/dev/null
	modprobe -r dummy_hcd 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT

seen=0
mark() { seen=$(wc -l <"$out/monitor"); }
# shellcheck disable=SC2317  # called through t
heard() { tail -n +$((seen + 1)) "$out/monitor" | grep -qE "$1"; }

# The root hub of dummy_hcd.0 (its name may change across a rebind).
root_hub() {
	local d
	for d in /sys/devices/platform/dummy_hcd.0/usb*; do
		[[ -e $d ]] && { echo "${d##*/}"; return 0; }
	done
	return 1
}
# shellcheck disable=SC2317  # called through t
has_root_hub() { root_hub >/dev/null; }
# shellcheck disable=SC2317  # called through t
port_off() { "$ctl" hubs "$1" | grep -qE "port 1 power off "; }

modprobe dummy_hcd num=2 || { echo "not ok - modprobe dummy_hcd"; exit 1; }
insmod "$ko" || { echo "not ok - insmod pizwg.ko"; exit 1; }
hub=$(root_hub) || { echo "not ok - no root hub on dummy_hcd.0"; exit 1; }
echo "# dummy_hcd.0's root hub: $hub"
"$ctl" monitor >"$out/monitor" 2>&1 &
monitor=$!
sleep 0.5

# A leased port.
"$ctl" power "$hub" 1 on --hold >/dev/null 2>&1 &
holder=$!
t "lease: $hub 1 is leased" wait_for 5 bash -c "$ctl hubs $hub | grep -q 'leased yes'"
mark
t "lease: the controller is unbound" bash -c "echo dummy_hcd.0 >$drv/unbind"
t "lease: the lease ended with a hub-gone event" wait_for 3 \
	heard "port $hub 1 power off leased no cause hub-gone$"
t "lease: the hub is gone" wait_for 3 bash -c "! $ctl hubs $hub >/dev/null 2>&1"
t "lease: the other controller's hub still answers" bash -c "$ctl hubs >/dev/null"
mark
t "lease: the controller is bound again" bash -c "echo dummy_hcd.0 >$drv/bind"
hub2=$(wait_for 5 has_root_hub && root_hub)
echo "# its root hub now: ${hub2:-none}"
if [[ $hub2 == "$hub" ]]; then
	t "lease: the returning hub's port is switched off (reapplied)" wait_for 5 \
		heard "port $hub 1 power off leased no cause reapplied$"
	t "lease: ... and is off (live read)" wait_for 3 port_off "$hub"
else
	skip "lease: the returning hub's port is switched off" "the hub came back as ${hub2:-nothing}, not $hub"
fi
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
holder=
t "lease: no stale lease: the port switches on for another socket" \
	"$ctl" power "$hub" 1 on

# An asynchronous cycle waiting out its off time.
"$ctl" power "$hub" 1 cycle --off-ms 20000 >"$out/cycle" 2>&1 &
cycler=$!
t "cycle: the port goes off" wait_for 5 port_off "$hub"
sleep 0.5
start=$SECONDS
t "cycle: the controller is unbound during the off time" \
	bash -c "echo dummy_hcd.0 >$drv/unbind"
rc=0
wait_for 5 bash -c "! kill -0 $cycler 2>/dev/null" || rc=hang
[[ $rc == hang ]] || { wait "$cycler"; rc=$?; }
cycler=
echo "# cycle: pizwgctl: exit $rc after $((SECONDS - start)) s: $(tr '\n' ' ' <"$out/cycle")"
t "cycle: pizwgctl exits 1 at once, not after the off time" test "$rc" = 1
t "cycle: the controller is bound again" bash -c "echo dummy_hcd.0 >$drv/bind"
t "cycle: its hub is back" wait_for 5 has_root_hub
hub3=$(root_hub)
if [[ $hub3 == "$hub" ]]; then
	sleep 1
	t "cycle: the port is not switched on by the cancelled cycle" port_off "$hub"
else
	skip "cycle: the port stays off" "the hub came back as $hub3"
fi
t "rmmod" rmmod pizwg
tap_done
