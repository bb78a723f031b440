#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A stalled log reader (journald hung) must stop nothing: pizwgd on h1, alone,
# with its stderr a FIFO whose reader (this script) reads nothing and which
# is full before pizwgd starts, so its very first line finds no room. It
# becomes master and powers its stick all the same; for 10 s its adverts
# keep the interval on the wire (the capture in pz-cli) and its watchdog
# pings ($NOTIFY_SOCKET, WATCHDOG_USEC=1 s) keep coming. Once the reader
# reads, the lines queued meanwhile come out, in order. Stalled again,
# SIGTERM still ends it with exit status 0, 5 s within the unit's
# TimeoutStopSec. TAP. Run by tests/ha/suite inside the VM.

# The checks are functions called through t, which shellcheck cannot follow.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
# shellcheck source=tests/ha/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fifo=$T/h1.err
window_s=10
stop_s=$(stop_timeout_s) || bail "no TimeoutStopSec in pizwgd.service"

# fill FIFO: writes into FIFO (a reader holds it) until it is full
fill() {
	python3 - "$1" <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
n = 0
try:
    while True:
        n += os.write(fd, b"." * 4095 + b"\n")
except BlockingIOError:
    pass
print(n)
EOF
}

# drain FD SECONDS: what the FIFO's read end FD gives within SECONDS, on stdout
drain() {
	python3 - "$1" "$2" <<'EOF'
import os, select, sys, time
fd, end = int(sys.argv[1]), time.monotonic() + float(sys.argv[2])
os.set_blocking(fd, False)
while (left := end - time.monotonic()) > 0:
    if select.select([fd], [], [], left)[0]:
        sys.stdout.buffer.write(os.read(fd, 65536))
EOF
}

# notify_listen PATH: records each datagram on PATH as "MONO_NS TEXT"
notify_listen() {
	python3 - "$1" <<'EOF' >"$T/notify.log" &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    m = s.recv(256).decode(errors="replace")
    print(time.monotonic_ns(), m, flush=True)
EOF
	track "$!"
}

# adverts_of ADDR T0 T1: the capture's times (s.us) of ADDR's adverts with a
# priority above 0 in [T0, T1] (CLOCK_REALTIME seconds)
adverts_of() {
	# shellcheck disable=SC2016 # awk's own fields
	awk -v a="IP $1 > 224.0.0.18:" -v t0="$2" -v t1="$3" \
		'index($0, a) && !/prio 0,/ && $1 >= t0 && $1 <= t1 { print $1 }' \
		"$T/adverts.txt"
}

# adverts_kept_the_interval T0 T1: h1 advertised all through [T0, T1], no
# gap longer than 3 intervals, and at least half the adverts it should have
adverts_kept_the_interval() {
	local times n gap
	times=$(adverts_of "${addr_of[h1]}" "$1" "$2")
	n=$(grep -c . <<<"$times")
	# shellcheck disable=SC2016
	gap=$(awk -v t0="$1" -v t1="$2" '
		BEGIN { p = t0 }
		NF { if ($1 - p > g) g = $1 - p; p = $1 }
		END { if (t1 - p > g) g = t1 - p; printf "%d\n", g * 1000 }' \
		<<<"$times")
	echo "# h1: $n adverts in ${window_s} s, longest gap $gap ms (interval $interval_ms ms)"
	((n >= window_s * 1000 / interval_ms / 2 && gap <= 3 * interval_ms))
}

# pings_kept_coming T0 T1: WATCHDOG=1 at least every 1.5 s in [T0, T1]
# (monotonic ns; pizwgd pings every 0.5 s)
pings_kept_coming() {
	local gap
	# shellcheck disable=SC2016
	gap=$(awk -v t0="$1" -v t1="$2" '
		$2 == "WATCHDOG=1" && $1 >= t0 && $1 <= t1 {
			if ($1 - p > g) g = $1 - p; p = $1 }
		BEGIN { p = t0 }
		END { if (t1 - p > g) g = t1 - p; printf "%d\n", g / 1e6 }' \
		"$T/notify.log")
	echo "# longest gap between watchdog pings: $gap ms"
	((gap <= 1500))
}

# queued_lines_in FILE: the lines logged during the stall, in order
queued_lines_in() {
	local l n=0 want=("${re_pfx}vrrp: state BACKUP\$"
		"${re_pfx}vrrp: state MASTER\$" "$re_serving")
	while IFS= read -r l; do
		((n < ${#want[@]})) || break
		[[ $l =~ ${want[n]} ]] && n=$((n + 1))
	done <"$1"
	((n == ${#want[@]})) && return 0
	echo "# no line matching '${want[n]}' (in order) in ${1##*/}"
	return 1
}

mkfifo "$fifo" || bail "mkfifo"
# the reader that reads nothing: this shell (read and write: never blocks)
exec {rd}<>"$fifo"
echo "# $(fill "$fifo") bytes fill the pipe"
notify_listen "$T/notify"
ha_conf h1 "$T/h1.1.conf"
log_of[h1]=$T/h1.err.log
NOTIFY_SOCKET=$T/notify WATCHDOG_USEC=1000000 \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	ip netns exec h1 "$pizwgd" -c "$T/h1.1.conf" </dev/null >/dev/null \
	2>"$fifo" {rd}<&- &
pid_of[h1]=$!
track "$!"

t stalled_h1_advertises_as_master \
	wait_for 15 eval '[[ -n $(adverts_of "${addr_of[h1]}" 0 9e9) ]]'
t0=$(date +%s.%N) m0=$(mono_ns)
sleep "$window_s"
t1=$(date +%s.%N) m1=$(mono_ns)
t adverts_keep_the_interval_for_10_s_with_stderr_stalled \
	adverts_kept_the_interval "$t0" "$t1"
t watchdog_pings_keep_coming_with_stderr_stalled pings_kept_coming "$m0" "$m1"
t stalled_h1_powered_its_stick power_is h1 on
t still_running kill -0 "${pid_of[h1]}"

# the reader reads again: what was queued comes out
drain "$rd" 3 | grep -av '^\.*$' >"${log_of[h1]}"
t lines_queued_during_the_stall_come_out_in_order queued_lines_in "${log_of[h1]}"

echo "# $(fill "$fifo") bytes fill the pipe again"
t sigterm_with_stderr_stalled_exits_0_5_s_within_TimeoutStopSec \
	ha_stop_within h1 $((stop_s - 5))
t stick_off_after_sigterm eval 'sleep 0.5; power_is h1 off'
t no_vip_left no_vip h1
exec {rd}<&-
ha_finish
