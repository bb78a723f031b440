#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The allow list on USB3 ports (issue 15, item 10): an entry covers both
# halves of a physical port. With two SuperSpeed dummy_hcd controllers (each
# a USB2/USB3 root hub pair, one port) and allow naming one half of the
# first pair, both of its halves switch and neither half of the second
# does. Run by tests/vm/suite with pizwg.ko and dummy_hcd not loaded;
# leaves them unloaded.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

ctl=build/asan/bin/pizwgctl
ko=build/kmod/$(uname -r)/pizwg.ko
# shellcheck disable=SC2317  # called through the trap
cleanup() {
	rmmod pizwg 2>/dev/null
	modprobe -r dummy_hcd 2>/dev/null
}
trap cleanup EXIT

modprobe dummy_hcd num=2 is_super_speed=1 || { echo "not ok - modprobe dummy_hcd"; exit 1; }
# Root hubs by controller and speed: hs0 ss0 (dummy_hcd.0), hs1 ss1.
# shellcheck source=tests/kmod/usb3_roots.sh
. tests/kmod/usb3_roots.sh
usb3_roots 2
echo "# pairs: ${root[hs0]}/${root[ss0]} and ${root[hs1]}/${root[ss1]}"

# switch OUTCOME HUB ACTION: pizwgctl power HUB 1 ACTION exits 0 (ok) or
# exits 1 naming the allow list (refused).
# shellcheck disable=SC2317  # called through t
switch() {
	local o rc
	o=$("$ctl" power "$2" 1 "$3" 2>&1)
	rc=$?
	case $1 in
	ok) ((rc == 0)) ;;
	refused) ((rc == 1)) && grep -q "allow list" <<<"$o" ;;
	esac || { echo "# pizwgctl power $2 1 $3: exit $rc: $o"; return 1; }
}

for named in hs0 ss0; do
	t "insmod allow=${root[$named]}:1" insmod "$ko" "allow=${root[$named]}:1"
	for h in hs0 ss0; do
		t "allow ${root[$named]}:1: ${root[$h]} 1 off switches" switch ok "${root[$h]}" off
		t "allow ${root[$named]}:1: ${root[$h]} 1 on switches" switch ok "${root[$h]}" on
	done
	for h in hs1 ss1; do
		t "allow ${root[$named]}:1: ${root[$h]} 1 off is refused" switch refused "${root[$h]}" off
	done
	t "rmmod" rmmod pizwg
done
tap_done
