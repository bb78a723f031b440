#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Unprivileged dumps do no USB I/O (issue 15, item 9): 1,000 rounds of a
# GET_HUB of the hub and a dump of every hub, ten processes without
# capabilities at once, send no control transfer on the hub's bus (usbmon),
# and take bounded memory: unreclaimable slab stays within 32 MiB of where
# it was during them and comes back within 2 MiB after (kmemleak, on the
# debug kernel, is the finer leak check).
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
sampler=
# shellcheck disable=SC2317  # called through the trap
cleanup() {
	usbmon_stop
	if [[ -n $sampler ]]; then
		kill "$sampler" 2>/dev/null
		wait "$sampler" 2>/dev/null
	fi
	rm -rf "$out"
}
trap cleanup EXIT

# bus_control: the control requests submitted on our hub's bus, to any
# device (the hub, or the stick whose port status a resume would touch);
# the first few as "# " lines.
bus_control() {
	awk -v a="^C[io]:$bus:" '$3 == "S" && $4 ~ a' "$out/usbmon" >"$out/control"
	head -n 5 "$out/control" | sed 's/^/#   /' >&2
	wc -l <"$out/control"
}

# Unreclaimable slab, in KiB: what the storm's sockets, messages and any
# leak of the module's would add to.
slab_kb() {
	awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo
}

# slab_peak: samples slab_kb every 50 ms into $out/peak (the highest seen).
# shellcheck disable=SC2317  # run in the background
slab_peak() {
	local max=0 n=0 k v _
	# Not killed between truncating $out/peak and writing it.
	trap 'exit 0' TERM
	while :; do
		# No process per sample: read(1) of /proc/meminfo, no sleep(1).
		while read -r k v _; do
			[[ $k == SUnreclaim: ]] && break
		done </proc/meminfo
		((v > max)) && max=$v
		n=$((n + 1))
		echo "$max $n" >"$out/peak"
		read -rt 0.02 <>"$out/never" || :
	done
}

# slab_settled BEFORE: unreclaimable slab is back within 2 MiB of BEFORE
# (sockets are freed after an RCU grace period)
# shellcheck disable=SC2317  # called through wait_for, through t
slab_settled() {
	(($(slab_kb) - $1 < 2048))
}

restore_stick
usbmon_start
slab_before=$(slab_kb)
echo "$slab_before 0" >"$out/peak"
mkfifo "$out/never"
slab_peak &
sampler=$!
t "1,000 rounds of get and dump by 10 unprivileged processes at once all complete (kselftest)" \
	env PIZWG_TEST_DUMPS=100 build/tests/pizwg_test -t unprivileged_dump_storm
kill "$sampler"
wait "$sampler" 2>/dev/null
sampler=
sleep 0.3
usbmon_stop
read -r peak samples <"$out/peak"
peak=${peak:-0} samples=${samples:-0}
echo "# unreclaimable slab: $slab_before KiB before, peak $peak KiB during the dumps ($samples samples)"
if [[ -e /sys/kernel/debug/kmemleak ]]; then
	# The debug kernel: KASAN's quarantine keeps freed objects (up to a
	# 32nd of memory); kmemleak checks for leaks there instead.
	skip "memory: back to where it was after 2,000 unprivileged requests" "KASAN quarantine"
	skip "memory: under 32 MiB more during them" "KASAN quarantine"
else
	t "memory: back to where it was after 2,000 unprivileged requests (within 2 MiB)" \
		wait_for 5 slab_settled "$slab_before"
	echo "# unreclaimable slab after: $(slab_kb) KiB"
	t "memory: sampled during them (at least 5 samples)" test "$samples" -ge 5
	t "memory: under 32 MiB more during them" test $((peak - slab_before)) -lt 32768
fi
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
