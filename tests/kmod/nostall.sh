#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A cycle does not stall generic netlink (issue 15, observation 3 and items
# 7-8). pizwgctl's "cycle" goes through the library, which sends
# PIZWG_A_ASYNC to a version 2 module: the off time is a timer on the
# module's workqueue, not a sleep under genetlink's lock. During a 20 s
# cycle, `modprobe wireguard` (a family registration, which takes that lock
# for writing) and `genl ctrl list` each finish within 1 s (3 s with the 3x
# tolerance) and pizwgctl is answered at once on the second stick's port.
# A control run makes the same measurement during a synchronous cycle (YNL
# without the flag, as an old pizwgctl sends it) and expects the stall: the
# test can tell the two apart.
# Output is TAP.
#
# The helpers are called through t(), which shellcheck cannot follow.
# shellcheck disable=SC2317
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/kmod/lib.sh
. tests/kmod/lib.sh

read -r _ _ _ hub2 port2 _ < <(tests/vm/sticks list | sed -n 2p)
hub2=${hub2#hub=}
port2=${port2#port=}
[[ -n $hub2 && -n $port2 ]] || { echo "not ok - no second simulated stick"; exit 1; }

limit_ms=3000
out=$(mktemp -d)
# shellcheck disable=SC2317  # called through the trap
cleanup() {
	[[ -n ${cycle:-} ]] && kill -9 "$cycle" 2>/dev/null
	wait 2>/dev/null
	modprobe -r wireguard 2>/dev/null
	"$ctl" power "$hub2" "$port2" on >/dev/null 2>&1
	restore_stick
	rm -rf "$out"
}
trap cleanup EXIT

# timed NAME COMMAND...: runs COMMAND, its milliseconds into $out/NAME.
timed() {
	local name=$1 t0 t1 rc
	shift
	t0=$(date +%s%N)
	"$@" >"$out/$name.log" 2>&1
	rc=$?
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000)) >"$out/$name"
	return "$rc"
}

# under_limit NAME: NAME finished within $limit_ms (says how long it took).
under_limit() {
	local ms
	ms=$(cat "$out/$1")
	echo "# $1 took $ms ms"
	((ms < limit_ms))
}

# at_least NAME MS
at_least() {
	local ms
	ms=$(cat "$out/$1")
	echo "# $1 took $ms ms"
	((ms >= $2))
}

modprobe -r wireguard 2>/dev/null

start=$(date +%s%N)
"$ctl" power "$hub" "$port" cycle --off-ms 20000 >"$out/cycle.log" 2>&1 &
cycle=$!
t "a 20 s cycle switches the port off" wait_for 5 port_off_per_uhubctl
t "modprobe wireguard during it finishes within 3 s" timed modprobe modprobe wireguard
t_timing "... measured" under_limit modprobe
t "genl ctrl list during it finishes within 3 s" timed genl genl ctrl list
t_timing "... measured" under_limit genl
t "pizwgctl on another port is answered at once (off)" \
	timed other_off "$ctl" power "$hub2" "$port2" off
t_timing "... measured" under_limit other_off
t "pizwgctl on another port is answered at once (on)" \
	timed other_on "$ctl" power "$hub2" "$port2" on
t_timing "... measured" under_limit other_on
t "the second stick is back" wait_for 15 stick_tty "$hub2" "$port2"
t "the cycle is still in its off time" port_off_per_uhubctl
t "pizwgctl cycle succeeds after its off time" wait "$cycle"
cycle=
took=$((($(date +%s%N) - start) / 1000000))
echo "# the cycle took $took ms"
t "... not before 20 s" test "$took" -ge 20000
t "the port is on again and its tty back" wait_for 15 stick_tty "$hub" "$port"

# Control: the same during a synchronous cycle holds the lock; modprobe
# waits for the rest of the off time.
modprobe -r wireguard || echo "not ok - modprobe -r wireguard"
tools/ynl-run --do set-port --json \
	"{\"hub\": \"$hub\", \"port\": $port, \"action\": \"cycle\", \"off-ms\": 12000}" \
	>"$out/sync.log" 2>&1 &
cycle=$!
# YNL (Python) takes seconds to start under TCG.
t "control: a synchronous 12 s cycle switches the port off" wait_for 30 port_off_per_uhubctl
t "control: modprobe wireguard during it still completes" timed sync_modprobe modprobe wireguard
t "control: ... but waits for the cycle (the test tells the difference)" \
	at_least sync_modprobe "$limit_ms"
t "control: the synchronous cycle succeeds" wait "$cycle"
sed 's/^/# ynl: /' "$out/sync.log"
cycle=
# YNL's socket closed with it: its lease expired.
t "the stick is back" restore_stick
tap_done
