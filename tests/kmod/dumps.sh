#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Unprivileged dumps do no USB I/O (issue 15, item 9): 1,000 rounds of a
# GET_HUB of the hub and a dump of every hub, ten processes without
# capabilities at once, send no control transfer on the hub's bus (usbmon).
# They used to read every port's status, and resume a suspended hub, for
# anyone. A few dumps by root afterwards do show up in usbmon: the check
# can see them.
# Output is TAP.
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
	rm -rf "$out"
}
trap cleanup EXIT

# bus_control: the control requests submitted on our hub's bus, to any
# device (the hub, or the stick whose port status a resume would touch).
bus_control() {
	awk -v a="^C[io]:$bus:" '$3 == "S" && $4 ~ a' "$out/usbmon" | wc -l
}

restore_stick
usbmon_start
t "1,000 rounds of get and dump by 10 unprivileged processes at once all complete (kselftest)" \
	env PIZWG_TEST_DUMPS=100 build/tests/pizwg_test -t unprivileged_dump_storm
sleep 0.3
usbmon_stop
n=$(bus_control)
echo "# $n control transfers on bus $bus during the unprivileged dumps"
t "usbmon: none of them sent a control transfer on the hub's bus" test "$n" -eq 0

usbmon_start
for _ in 1 2 3; do
	"$ctl" hubs >/dev/null
done
sleep 0.3
usbmon_stop
n=$(bus_control)
echo "# $n control transfers on bus $bus during 3 dumps by root"
t "usbmon: root's dumps read the ports from the hub (the check sees them)" \
	test "$n" -gt 0
tap_done
