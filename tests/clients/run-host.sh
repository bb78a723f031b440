#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-only groundwork for the client-compatibility suite: the real zwave-js
# Driver (driver.js) against zwave-js's MockController (emulator.js) on a
# socat pty pair, without pizwgd.
#   run-host.sh [pty|tcp|reconnect]...      (default: all three)
#   pty        driver on the pty:              driver.js ptyB
#   tcp        socat sidecar tcp-listen<->ptyB, driver.js tcp://127.0.0.1:PORT
#   reconnect  as tcp, 15 set/get cycles; the sidecar is killed after cycle 3
#              and restarted OUTAGE seconds later (default 3): does the same
#              Driver process reopen the port and finish its cycles?
#   reconnect_pty  as pty; the pty pair's socat is killed and restarted
# Environment: PIZWG_CLIENTS_WORK (scratch, default
# /var/cache/pizwg-clients/work), PORT (default 47301), OUTAGE.
# Prints "N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
nm=$("$here/install.sh") || exit 1
export NODE_PATH=$nm
work=${PIZWG_CLIENTS_WORK:-/var/cache/pizwg-clients/work}
port=${PORT:-47301}
outage=${OUTAGE:-3}

# Run everything as the unprivileged npm user when root; setpriv execs, so
# $! is the program itself and can be signalled directly.
as_user=()
if [ "$(id -u)" = 0 ]; then
	as_user=(setpriv --reuid=pizwg-npm --regid=pizwg-npm --clear-groups --)
	mkdir -p "$work" && chown pizwg-npm: "$work"
fi

pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	pids=()
}
trap cleanup EXIT

now() { date -u +%H:%M:%S.%3N; }
note() { printf '{"ts":"%s","who":"run-host","event":"%s"}\n' "$(date -u +%FT%T.%3NZ)" "$*"; }

# start_pair DIR: socat pty pair DIR/ptyA <-> DIR/ptyB, emulator on ptyA
start_pair() {
	local d=$1
	"${as_user[@]}" socat -d -d "pty,raw,echo=0,link=$d/ptyA" "pty,raw,echo=0,link=$d/ptyB" 2>"$d/socat-pair.log" &
	pids+=($!)
	for _ in $(seq 50); do [ -e "$d/ptyB" ] && break; sleep 0.1; done
	"${as_user[@]}" env HOME="$d" node "$here/emulator.js" "$d/ptyA" >"$d/emulator.jsonl" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do grep -q '"tty opened"' "$d/emulator.jsonl" 2>/dev/null && break; sleep 0.1; done
}

start_sidecar() {
	local d=$1
	"${as_user[@]}" socat -d -d "tcp-listen:$port,bind=127.0.0.1,reuseaddr" "FILE:$d/ptyB,raw,echo=0" 2>>"$d/socat-sidecar.log" &
	sidecar=$!
	pids+=("$sidecar")
	for _ in $(seq 50); do grep -q 'listening on' "$d/socat-sidecar.log" 2>/dev/null && break; sleep 0.1; done
}

run_driver() {
	local d=$1
	shift
	"${as_user[@]}" env HOME="$d" ZWJS_STATE_DIR="$d/state" ZWJS_LOG_FILE="$d/zwjs.log" \
		node "$here/driver.js" "$@"
}

newdir() {
	local d=$work/$1
	rm -rf "$d"
	mkdir -p "$d"
	[ ${#as_user[@]} -eq 0 ] || chown pizwg-npm: "$d"
	echo "$d"
}

t_pty() {
	local d
	d=$(newdir pty)
	start_pair "$d"
	run_driver "$d" "$d/ptyB" --timeout 90 | tee "$d/driver.jsonl"
}

t_tcp() {
	local d
	d=$(newdir tcp)
	start_pair "$d"
	start_sidecar "$d"
	run_driver "$d" "tcp://127.0.0.1:$port" --timeout 90 | tee "$d/driver.jsonl"
}

# reconnect_run DIR PORTSPEC KILLFN RESTARTFN: 15 cycles, the link cut after
# cycle 3 for $outage seconds.
reconnect_run() {
	local d=$1 portspec=$2 kill_fn=$3 restart_fn=$4 rc
	run_driver "$d" "$portspec" --cycles 15 --interval 1000 --timeout 150 >"$d/driver.jsonl" &
	local drv=$!
	pids+=("$drv")
	for _ in $(seq 900); do grep -q '"cycle ok","i":3,' "$d/driver.jsonl" && break; sleep 0.1; done
	note "cutting the link ($kill_fn) at $(now)"
	"$kill_fn" "$d"
	sleep "$outage"
	note "restoring the link ($restart_fn) at $(now)"
	"$restart_fn" "$d"
	wait "$drv"
	rc=$?
	cat "$d/driver.jsonl"
	grep -E 'closed unexpectedly|reopen|Failed to open|opening serial port|serial port opened|destroying' \
		"$d/zwjs.log_current.log"
	grep -v -e '"to host"' -e '"from host"' "$d/emulator.jsonl"
	return $rc
}

kill_sidecar() { kill "$sidecar"; }
kill_pair() { kill "${pids[0]}"; }
# a new pty pair under the same link names; the emulator reopens ptyA by itself
restart_pair() {
	local d=$1
	"${as_user[@]}" socat -d -d "pty,raw,echo=0,link=$d/ptyA" "pty,raw,echo=0,link=$d/ptyB" 2>>"$d/socat-pair.log" &
	pids+=($!)
}

# tcp: the socat sidecar between the driver's TCP connection and ptyB dies
t_reconnect() {
	local d
	d=$(newdir reconnect)
	start_pair "$d"
	start_sidecar "$d"
	reconnect_run "$d" "tcp://127.0.0.1:$port" kill_sidecar start_sidecar
}

# pty: the socat that makes the pty pair dies; both ttys vanish and come back
# as new /dev/pts/N behind the same links
t_reconnect_pty() {
	local d
	d=$(newdir reconnect_pty)
	start_pair "$d"
	reconnect_run "$d" "$d/ptyB" kill_pair restart_pair
}

passed=0
failed=0
for t in "${@:-pty tcp reconnect reconnect_pty}"; do
	for tt in $t; do
		note "test $tt start"
		if "t_$tt"; then
			passed=$((passed + 1))
			note "test $tt PASS"
		else
			failed=$((failed + 1))
			note "test $tt FAIL"
		fi
		cleanup
		sleep 0.5
	done
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
