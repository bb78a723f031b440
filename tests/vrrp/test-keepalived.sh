#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# VRRP interoperability with a real keepalived (Debian 12's 2.2.7), on this
# host: no VM, no stick. Three network namespaces on one bridge (a fourth
# namespace holds it), addresses in 192.0.2.0/24 only:
#
#   K  192.0.2.1   keepalived, config and pidfiles in a temp dir
#   N  192.0.2.2   build/asan/tests/vrrp-node: vrrp.c + vrrp_net.c
#   C  192.0.2.3   a client: ping, arping, and raw adverts from a stranger
#   VIP 192.0.2.254/24, VRID 254, advert interval 20 cs unless said
#
# Scenarios (fresh namespaces each):
#   a  keepalived priority 200 is master; vrrp-node (100) backup, no VIP
#   b  keepalived SIGKILLed: vrrp-node master within 3 x Master_Down_Interval,
#      owns the VIP with label eth0:pizwg and a finite lifetime, and the VIP
#      answers ARP and ping from C with N's MAC
#   c  keepalived stopped (SIGTERM, priority 0): takeover within
#      3 x Skew_Time + margin
#   d  vrrp-node (200) master, keepalived (100) backup; vrrp-node SIGTERMed:
#      exits 0 having removed its VIP; keepalived master within the same bound
#   e  VRRPv2 (advert_int 1 s = 100 cs) both ways; the RFC 9568 checksum form
#      (vrrp-node accepts it; keepalived 2.2.7 does not, which is recorded)
#   f  stranger adverts with priority 255 from C: bad checksum and TTL 64 are
#      dropped with their reason and change nothing; a valid one is obeyed
#   g  the master renews its VIP's short lifetime; SIGKILLed, its VIP
#      expires with that lifetime
#   h  carrier lost under vrrp-node as master (rtnetlink): FAULT, VIP
#      removed; carrier back: BACKUP, then MASTER again
#   i  keepalived (100) at advert_int 1 (100 cs) master, vrrp-node (200, 20
#      cs, no preempt) its backup: the interval it learns from a lower
#      master is capped at 3 x its own (Master_Down_Interval 1931 ms, not
#      3218) and still outlasts keepalived's 1 s; keepalived SIGKILLed and
#      one advert claiming Max Adver Int 4095 from C: MASTER 1931 ms after
#      it, not 132 s
#   j  vrrp-node (200) master with its stick on; keepalived (100) at
#      advert_int 1 deaf to it (its bridge port floods it no multicast)
#      becomes master too: vrrp-node says "lower advert" each time, stays
#      master, stick on; the link healed, keepalived backs off to BACKUP;
#      vrrp-node SIGTERMed: keepalived master within 3 x Skew_Time
#   k  vrrp-node (200, preempt) takes over while C advertises priority 50
#      with Max Adver Int 4095: the power guard holds the stick off while
#      C goes on, and powers it 1931 ms (3 x 60 cs + skew) after C stops
#
# Deadlines are asserted with a 3x tolerance. Every wait is bounded; an EXIT
# trap kills every process in the namespaces and deletes them. Needs root,
# keepalived, iproute2, python3, iputils ping and arping. Prints TAP.
# Usage: tests/vrrp/test-keepalived.sh [SCENARIO...]   e.g. "a_b f" (all)
#   VRRP_NODE=path overrides the vrrp-node binary; VRRP_TEST_LOGS=DIR keeps
#   each scenario's logs there (DIR/SCENARIO.node.log, ...)

# The checks are functions run through t, eval, the EXIT trap and the
# scenario loop, which shellcheck cannot follow.
# shellcheck disable=SC2317
set -uo pipefail

all=(a_b c d e_v2_backup e_v2_master e_pseudo e_rfc9568 f g h i j k)
case "${1:-}" in
-h | --help)
	# the header comment, up to the first blank line
	awk 'NR > 2 && /^$/ { exit } NR > 2 { sub(/^# ?/, ""); print }' "$0"
	exit 0
	;;
esac
scenarios=("$@")
((${#scenarios[@]})) || scenarios=("${all[@]}")
for s in "${scenarios[@]}"; do
	[[ " ${all[*]} " == *" $s "* ]] || {
		echo "test-keepalived: no scenario '$s' (${all[*]})" >&2
		exit 2
	}
done

cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

node_bin=${VRRP_NODE:-build/asan/tests/vrrp-node}
vip=192.0.2.254
vrid=254
suffix=$$
nsb=pzb$suffix nsk=pzk$suffix nsn=pzn$suffix nsc=pzc$suffix
tmp=
node_pid=

missing=()
((EUID == 0)) || missing+=(root)
for c in keepalived ip python3 ping arping; do
	command -v "$c" >/dev/null || missing+=("$c")
done
[[ -x $node_bin ]] || missing+=("$node_bin (make vrrp-node)")
if ((${#missing[@]})); then
	skip "keepalived interop" "missing: ${missing[*]}"
	exit 0
fi

# Every process in our namespaces, then the namespaces themselves.
teardown() {
	local ns pid
	for ns in "$nsk" "$nsn" "$nsc" "$nsb"; do
		[[ -e /run/netns/$ns ]] || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	done
	for ns in "$nsk" "$nsn" "$nsc" "$nsb"; do
		[[ -e /run/netns/$ns ]] || continue
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			[[ -z $(ip netns pids "$ns" 2>/dev/null) ]] && break
			sleep 0.05
		done
		ip netns del "$ns" 2>/dev/null
	done
	node_pid=
}

cleanup() {
	teardown
	[[ -n $tmp ]] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tmp=$(mktemp -d /tmp/pizwg-vrrp.XXXXXX) || exit 1

now_us() {
	echo "${EPOCHREALTIME/./}"
}

# wait_line FILE FROM REGEX MS: a line after line FROM of FILE matches REGEX
# within MS milliseconds (polled every 10 ms).
wait_line() {
	local file=$1 from=$2 re=$3 ms=$4 end
	end=$(($(now_us) + ms * 1000))
	while (($(now_us) < end)); do
		tail -n +"$((from + 1))" "$file" 2>/dev/null | grep -qE "$re" && return 0
		sleep 0.01
	done
	return 1
}

lines() {
	wc -l <"$1"
}

# host NS ADDR: a namespace with eth0 = ADDR/24 on the bridge
host() {
	local ns=$1 addr=$2 port=p${1:2:1}
	ip netns add "$ns" || return 1
	ip -n "$nsb" link add "$port" type veth peer name eth0 netns "$ns" || return 1
	ip -n "$nsb" link set "$port" master br0 up || return 1
	ip -n "$ns" link set lo up || return 1
	ip -n "$ns" addr add "$addr/24" dev eth0 || return 1
	ip -n "$ns" link set eth0 up
}

setup() {
	teardown
	ip netns add "$nsb" || return 1
	ip -n "$nsb" link add br0 type bridge stp_state 0 mcast_snooping 0 || return 1
	ip -n "$nsb" link set br0 up || return 1
	host "$nsk" 192.0.2.1 && host "$nsn" 192.0.2.2 && host "$nsc" 192.0.2.3
}

# keepalived PRIORITY [VERSION [ADVERT_INT]]: started in K, output in
# $tmp/keepalived.log
keepalived_start() {
	local prio=$1 version=${2:-3} interval=${3:-0.2}
	cat >"$tmp/keepalived.conf" <<EOF
global_defs {
	router_id pizwg-test
}
vrrp_instance VI_1 {
	state BACKUP
	interface eth0
	virtual_router_id $vrid
	priority $prio
	advert_int $interval
	version $version
	virtual_ipaddress {
		$vip/24 dev eth0
	}
}
EOF
	: >"$tmp/keepalived.log"
	# a stale pidfile naming a live process would stop it starting
	rm -f "$tmp/keepalived.pid" "$tmp/vrrp.pid" "$tmp/checkers.pid"
	ip netns exec "$nsk" keepalived -n -l -D -f "$tmp/keepalived.conf" \
		-p "$tmp/keepalived.pid" -r "$tmp/vrrp.pid" -c "$tmp/checkers.pid" \
		>>"$tmp/keepalived.log" 2>&1 &
	# killed with the namespace, never waited for: no job report
	disown
}

keepalived_stop() {
	local pid
	pid=$(cat "$tmp/keepalived.pid" 2>/dev/null) || return 1
	kill -TERM "$pid"
}

keepalived_kill() {
	local pid
	for pid in $(ip netns pids "$nsk"); do
		kill -KILL "$pid"
	done
}

# node ARGS...: vrrp-node in N, output in $tmp/node.log
node_start() {
	: >"$tmp/node.log"
	ip netns exec "$nsn" "$node_bin" --interface eth0 --vrid "$vrid" \
		--vip "$vip/24" "$@" >>"$tmp/node.log" 2>"$tmp/node.err" &
	node_pid=$!
}

# node_stop: SIGTERM, then its exit status (124 if it did not exit in 3 s)
node_stop() {
	local i
	kill -TERM "$node_pid" 2>/dev/null
	for ((i = 0; i < 300; i++)); do
		kill -0 "$node_pid" 2>/dev/null || break
		sleep 0.01
	done
	if kill -0 "$node_pid" 2>/dev/null; then
		kill -KILL "$node_pid"
		wait "$node_pid" 2>/dev/null
		node_pid=
		return 124
	fi
	wait "$node_pid"
	local rc=$?
	node_pid=
	return "$rc"
}

has_vip() {
	ip -n "$1" -4 addr show dev eth0 | grep -q "inet $vip/24 "
}

no_vip() {
	! has_vip "$1"
}

# the VIP as vrrp-node adds it: labelled, with a lifetime, not forever
node_vip_labelled() {
	ip -n "$nsn" -4 addr show dev eth0 |
		grep -A1 "inet $vip/24 .*eth0:pizwg\$" |
		grep -qE 'valid_lft [0-9]+sec preferred_lft [0-9]+sec'
}

node_state_is() {
	grep -E ' state [A-Z]+$' "$tmp/node.log" | tail -n1 | grep -q " state $1\$"
}

keepalived_state_is() {
	grep -E 'Entering [A-Z]+ STATE' "$tmp/keepalived.log" | tail -n1 |
		grep -q "Entering $1 STATE"
}

# within MS START_US: the time since START_US is at most MS milliseconds
within() {
	local ms=$1 start=$2 took
	took=$((($(now_us) - start) / 1000))
	echo "# took $took ms (limit $ms ms)"
	((took <= ms))
}

# The VIP answers ARP from C with N's MAC, and ping.
vip_answers_from_node() {
	local mac
	mac=$(ip -n "$nsn" link show eth0 | awk '/link\/ether/ { print $2 }')
	ip netns exec "$nsc" arping -I eth0 -c 2 -w 3 "$vip" >"$tmp/arping" 2>&1
	grep -qi "reply from $vip \[$mac\]" "$tmp/arping" || {
		sed 's/^/# arping: /' "$tmp/arping"
		return 1
	}
	ip netns exec "$nsc" ping -c 1 -W 2 "$vip" >/dev/null
}

# node_gap FROM RE1 RE2 MS [MIN_MS]: in vrrp-node's log after line FROM,
# the first line matching RE2 after the first matching RE1 is at most MS ms
# later, and at least MIN_MS (by the CLOCK_MONOTONIC stamps vrrp-node
# prints).
node_gap() {
	local gap min=${5:-0}
	gap=$(tail -n +"$(($1 + 1))" "$tmp/node.log" |
		awk -v re1="$2" -v re2="$3" '
			!t1 && $0 ~ re1 { t1 = $1; next }
			t1 && $0 ~ re2 { printf "%d", ($1 - t1) * 1000; exit }')
	echo "# gap ${gap:-none} ms (limits $min..$4 ms)"
	[[ -n $gap ]] && ((gap >= min && gap <= $4))
}

dump_logs() {
	echo "# --- vrrp-node"
	sed 's/^/#   /' "$tmp/node.log" "$tmp/node.err" 2>/dev/null | tail -n 40
	echo "# --- keepalived"
	sed 's/^/#   /' "$tmp/keepalived.log" 2>/dev/null | tail -n 40
}

# Master_Down_Interval and Skew_Time (ms) for priority 100 at 20 cs
down_ms=$((3 * 200 + 156 * 200 / 256))
skew_ms=$((156 * 200 / 256))
# polling, process start and exit, netlink: on top of protocol deadlines
margin_ms=300
# keepalived 2.2.7 takes up to about 500 ms from SIGTERM to its priority 0
stop_ms=1000

scenario_a_b() {
	local start
	setup || return 1
	keepalived_start 200
	t "a: keepalived (priority 200) becomes master" \
		wait_line "$tmp/keepalived.log" 0 'Entering MASTER STATE' 5000
	node_start --priority 100
	t "a: vrrp-node (priority 100) is backup" \
		wait_line "$tmp/node.log" 0 ' state BACKUP$' 3000
	sleep 1
	t "a: vrrp-node stays backup while keepalived advertises" \
		node_state_is BACKUP
	t "a: vrrp-node does not own the VIP" no_vip "$nsn"
	t "a: keepalived owns the VIP" has_vip "$nsk"
	t "a: no advert of keepalived's was dropped" \
		eval "! grep -q ' drop ' '$tmp/node.log'"

	local from
	from=$(lines "$tmp/node.log")
	start=$(now_us)
	keepalived_kill
	wait_line "$tmp/node.log" "$from" ' state MASTER$' $((3 * down_ms))
	t "b: keepalived SIGKILLed: vrrp-node master within 3 x Master_Down_Interval" \
		within $((3 * down_ms)) "$start"
	# a dead host answers nothing: take keepalived's stale VIP away with it
	ip -n "$nsk" addr del "$vip/24" dev eth0 2>/dev/null
	t "b: vrrp-node owns the VIP, labelled eth0:pizwg, with a lifetime" \
		node_vip_labelled
	t "b: the VIP answers arping and ping from a third namespace" \
		vip_answers_from_node
	t "b: vrrp-node powers its stick after one interval as master" \
		grep -q ' power on$' "$tmp/node.log"
	node_stop
	t "b: vrrp-node exits 0 on SIGTERM" test $? -eq 0
	t "b: vrrp-node has removed its VIP" no_vip "$nsn"
}

scenario_c() {
	local start from
	setup || return 1
	keepalived_start 200
	node_start --priority 100
	wait_line "$tmp/keepalived.log" 0 'Entering MASTER STATE' 5000 &&
		wait_line "$tmp/node.log" 0 ' state BACKUP$' 3000
	sleep 1
	t "c: keepalived master, vrrp-node backup" node_state_is BACKUP
	from=$(lines "$tmp/node.log")
	start=$(now_us)
	keepalived_stop
	wait_line "$tmp/node.log" "$from" ' state MASTER$' 3000
	t "c: keepalived stopped: vrrp-node master within 3 x Skew_Time + ${stop_ms} ms" \
		within $((3 * skew_ms + stop_ms)) "$start"
	t "c: from keepalived's priority 0 to MASTER within 3 x Skew_Time" \
		node_gap "$from" 'advert from 192.0.2.1 priority 0 ' \
		'state MASTER$' $((3 * skew_ms))
	wait_line "$tmp/keepalived.log" 0 'Stopped Keepalived' 3000
	t "c: keepalived removed its VIP" no_vip "$nsk"
	t "c: vrrp-node owns the VIP" node_vip_labelled
	node_stop
	t "c: vrrp-node exits 0 on SIGTERM" test $? -eq 0
}

scenario_d() {
	local start from rc
	setup || return 1
	node_start --priority 200
	t "d: vrrp-node (priority 200) alone becomes master" \
		wait_line "$tmp/node.log" 0 ' state MASTER$' 3000
	keepalived_start 100
	t "d: keepalived (priority 100) stays backup" \
		wait_line "$tmp/keepalived.log" 0 'Entering BACKUP STATE' 5000
	sleep 1
	t "d: keepalived never became master" \
		eval "! grep -q 'Entering MASTER STATE' '$tmp/keepalived.log'"
	t "d: keepalived does not own the VIP" no_vip "$nsk"
	t "d: vrrp-node is still master" node_state_is MASTER
	from=$(lines "$tmp/keepalived.log")
	start=$(now_us)
	node_stop
	rc=$?
	wait_line "$tmp/keepalived.log" "$from" 'Entering MASTER STATE' 3000
	t "d: vrrp-node SIGTERMed: keepalived master within 3 x Skew_Time + ${margin_ms} ms" \
		within $((3 * skew_ms + margin_ms)) "$start"
	t "d: vrrp-node exited 0" test "$rc" -eq 0
	t "d: vrrp-node removed its VIP" no_vip "$nsn"
	t "d: keepalived received vrrp-node's priority 0" \
		grep -q 'priority 0 advertisement' "$tmp/keepalived.log"
	sleep 0.5
	t "d: keepalived owns the VIP" has_vip "$nsk"
	t "d: vrrp-node's exit left no sanitizer report" \
		eval "! grep -qE 'Sanitizer|runtime error' '$tmp/node.err'"
}

scenario_e_v2_backup() {
	local start from v2_skew_ms
	# VRRPv2: Skew_Time = (256 - Priority) / 256 s, whatever the interval
	v2_skew_ms=$((156 * 1000 / 256))
	setup || return 1
	keepalived_start 200 2 1
	node_start --priority 100 --version 2 --interval 100
	wait_line "$tmp/keepalived.log" 0 'Entering MASTER STATE' 8000 &&
		wait_line "$tmp/node.log" 0 ' state BACKUP$' 3000
	sleep 3.5
	t "e: VRRPv2 (100 cs): keepalived master, vrrp-node backup over 3 adverts" \
		node_state_is BACKUP
	t "e: VRRPv2: no advert of keepalived's was dropped" \
		eval "! grep -q ' drop ' '$tmp/node.log'"
	from=$(lines "$tmp/node.log")
	start=$(now_us)
	keepalived_stop
	wait_line "$tmp/node.log" "$from" ' state MASTER$' 5000
	t "e: VRRPv2: keepalived stopped: vrrp-node master within 3 x Skew_Time + ${stop_ms} ms" \
		within $((3 * v2_skew_ms + stop_ms)) "$start"
	t "e: VRRPv2: from keepalived's priority 0 to MASTER within 3 x Skew_Time" \
		node_gap "$from" 'advert from 192.0.2.1 priority 0 ' \
		'state MASTER$' $((3 * v2_skew_ms))
	node_stop
	t "e: VRRPv2: vrrp-node exits 0" test $? -eq 0
}

# vrrp-node master in VRRPv2; keepalived v2 must accept its adverts
scenario_e_v2_master() {
	setup || return 1
	node_start --priority 200 --version 2 --interval 100
	wait_line "$tmp/node.log" 0 ' state MASTER$' 8000
	keepalived_start 100 2 1
	wait_line "$tmp/keepalived.log" 0 'Entering BACKUP STATE' 8000
	sleep 4
	t "e: VRRPv2: keepalived accepts vrrp-node's adverts (stays backup)" \
		eval "! grep -q 'Entering MASTER STATE' '$tmp/keepalived.log'"
	node_stop
}

# the pseudo-header form, said explicitly
scenario_e_pseudo() {
	setup || return 1
	node_start --priority 200 --checksum pseudo-header
	wait_line "$tmp/node.log" 0 ' state MASTER$' 3000
	keepalived_start 100
	wait_line "$tmp/keepalived.log" 0 'Entering BACKUP STATE' 5000
	sleep 1.5
	t "e: VRRPv3 pseudo-header checksum: keepalived accepts vrrp-node's adverts" \
		eval "! grep -q 'Entering MASTER STATE' '$tmp/keepalived.log'"
	node_stop
}

# The RFC 9568 form: keepalived 2.2.7 computes and checks the pseudo-header
# form only, so it drops these and becomes master too. Recorded as is.
scenario_e_rfc9568() {
	setup || return 1
	node_start --priority 200 --checksum rfc9568
	wait_line "$tmp/node.log" 0 ' state MASTER$' 3000
	keepalived_start 100
	sleep 2
	if grep -q 'Entering MASTER STATE' "$tmp/keepalived.log"; then
		echo "# keepalived $(keepalived --version 2>&1 | head -n1 | awk '{ print $2 }') rejects the RFC 9568 checksum form:"
		grep -iE 'checksum|invalid' "$tmp/keepalived.log" | head -n 2 | sed 's/^/#   /'
		t "e: VRRPv3 rfc9568 checksum: keepalived 2.2.7 drops it (known, documented)" \
			grep -qi 'checksum' "$tmp/keepalived.log"
	else
		t "e: VRRPv3 rfc9568 checksum: keepalived accepts vrrp-node's adverts" true
	fi
	node_stop
}

# inject ARGS...: raw adverts from C (see $tmp/inject.py)
inject() {
	ip netns exec "$nsc" python3 "$tmp/inject.py" "$@" >/dev/null
}

# inject_started ARGS...: inject in the background (its pid in inject_pid),
# back once the first advert is out
inject_started() {
	: >"$tmp/inject.out"
	ip netns exec "$nsc" python3 "$tmp/inject.py" "$@" >"$tmp/inject.out" &
	inject_pid=$!
	wait_line "$tmp/inject.out" 0 '^sent$' 5000
}

# inject_done: waits for inject_started to finish; last gets the
# CLOCK_MONOTONIC second its last advert went
inject_done() {
	wait "$inject_pid"
	last=$(awk '$1 == "last" { print $2 }' "$tmp/inject.out")
	[[ -n $last ]]
}

# node_after MONO RE MIN_MS MAX_MS: vrrp-node's first line matching RE
# stamped after MONO (CLOCK_MONOTONIC seconds) comes MIN_MS..MAX_MS after it
node_after() {
	local gap
	gap=$(awk -v t0="$1" -v re="$2" '
		$1 >= t0 && $0 ~ re { printf "%d", ($1 - t0) * 1000; exit }' \
		"$tmp/node.log")
	echo "# ${gap:-no line} ms after $1 (limits $3..$4 ms)"
	[[ -n $gap ]] && ((gap >= $3 && gap <= $4))
}

write_injector() {
	cat >"$tmp/inject.py" <<'EOF'
# inject.py MODE PRIO COUNT [INTERVAL_CS]: VRRPv3 adverts for VRID 254,
# VIP 192.0.2.254, Max Adver Int INTERVAL_CS (20), from 192.0.2.3 on eth0,
# every 100 ms. MODE: badsum (pseudo-header checksum, then corrupted), ttl64
# (valid, TTL 64), rfc9568 (valid, the header-only form), pseudo (valid,
# the pseudo-header form). Says "sent" once the first is out, and "last T"
# at the end: T, the CLOCK_MONOTONIC second the last one went.
import socket
import struct
import sys
import time

mode, prio, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
interval = int(sys.argv[4]) if len(sys.argv) > 4 else 20
src, dst, vip = "192.0.2.3", "224.0.0.18", "192.0.2.254"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


msg = struct.pack("!BBBBHH", 0x31, 254, prio, 1, interval, 0) + socket.inet_aton(vip)
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 112, len(msg))
c = csum(msg) if mode == "rfc9568" else csum(pseudo + msg)
if mode == "badsum":
    c ^= 0x5A5A
msg = msg[:6] + struct.pack("!H", c) + msg[8:]

s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 64 if mode == "ttl64" else 255)
for i in range(count):
    s.sendto(msg, (dst, 0))
    last = time.clock_gettime(time.CLOCK_MONOTONIC)
    if i == 0:
        print("sent", flush=True)
    if i < count - 1:
        time.sleep(0.1)
print("last %.3f" % last, flush=True)
EOF
}

scenario_f() {
	local from
	setup || return 1
	write_injector
	node_start --priority 100
	t "f: vrrp-node alone becomes master" \
		wait_line "$tmp/node.log" 0 ' state MASTER$' 3000
	from=$(lines "$tmp/node.log")
	inject badsum 255 5
	t "f: priority 255 with a bad checksum is dropped as bad_checksum" \
		wait_line "$tmp/node.log" "$from" ' drop bad_checksum$' 1000
	inject ttl64 255 5
	t "f: priority 255 with TTL 64 is dropped as wrong_ttl" \
		wait_line "$tmp/node.log" "$from" ' drop wrong_ttl$' 1000
	t "f: the dropped adverts changed nothing: still master, no state line" \
		eval "node_state_is MASTER && ! tail -n +$((from + 1)) '$tmp/node.log' | grep -q ' state '"
	t "f: still owning the VIP" node_vip_labelled
	from=$(lines "$tmp/node.log")
	inject rfc9568 255 5
	t "f: a valid priority 255 (RFC 9568 checksum form) is obeyed: backup" \
		wait_line "$tmp/node.log" "$from" ' state BACKUP$' 1000
	from=$(lines "$tmp/node.log")
	inject pseudo 255 3
	t "f: the pseudo-header checksum form is accepted too (no drop)" \
		eval "! tail -n +$((from + 1)) '$tmp/node.log' | grep -q ' drop '"
	t "f: the stranger silent: vrrp-node master again" \
		wait_line "$tmp/node.log" "$from" ' state MASTER$' $((3 * down_ms + 1000))
	node_stop
	t "f: vrrp-node exits 0" test $? -eq 0
}

scenario_g() {
	local start i
	setup || return 1
	node_start --priority 100 --vip-lifetime 2
	wait_line "$tmp/node.log" 0 ' state MASTER$' 3000
	t "g: vrrp-node master owns the VIP" node_vip_labelled
	sleep 3
	t "g: the master renews the VIP past its 2 s lifetime" node_vip_labelled
	t "g: the VIP is what pizwgd-stop-post removes (label *:pizwg)" \
		eval "ip -n '$nsn' -4 -o addr show label '*:pizwg' | grep -q 'inet $vip/24 '"
	kill -KILL "$node_pid"
	wait "$node_pid" 2>/dev/null
	node_pid=
	start=$(now_us)
	for ((i = 0; i < 600; i++)); do
		no_vip "$nsn" && break
		sleep 0.01
	done
	t "g: vrrp-node SIGKILLed: its VIP expires within 3 x its 2 s lifetime" \
		eval "no_vip '$nsn' && within 6000 '$start'"
}

scenario_h() {
	local from
	setup || return 1
	node_start --priority 100
	t "h: vrrp-node alone becomes master" \
		wait_line "$tmp/node.log" 0 ' state MASTER$' 3000
	from=$(lines "$tmp/node.log")
	# the bridge's end of N's veth: N's eth0 loses its carrier
	ip -n "$nsb" link set pn down
	t "h: carrier lost: vrrp-node sees the link down" \
		wait_line "$tmp/node.log" "$from" ' link down$' 1000
	t "h: carrier lost: vrrp-node enters FAULT" \
		wait_line "$tmp/node.log" "$from" ' state FAULT$' 1000
	t "h: carrier lost: vrrp-node powered off and removed its VIP" \
		eval "grep -q ' power off$' '$tmp/node.log' && no_vip '$nsn'"
	from=$(lines "$tmp/node.log")
	ip -n "$nsb" link set pn up
	t "h: carrier back: vrrp-node backup" \
		wait_line "$tmp/node.log" "$from" ' state BACKUP$' 1000
	t "h: carrier back: vrrp-node master again, alone" \
		wait_line "$tmp/node.log" "$from" ' state MASTER$' $((3 * down_ms))
	node_stop
	t "h: vrrp-node exits 0" test $? -eq 0
}

# Master_Down_Interval (ms) of vrrp-node at priority 200 for a lower master
# claiming more than 3 x its 20 cs: at 60 cs, 3 * 600 + 56 * 600 / 256;
# without the cap, 100 cs would give 3218 ms and 4095 cs 131807 ms
capped_down_ms=$((3 * 600 + 56 * 600 / 256))

# the master_down line that follows keepalived's first advert line
master_down_after_keepalived() {
	awk '/advert from 192\.0\.2\.1 priority 100 interval 100 cs$/ { k = 1 }
		k && / master_down / { d = $3 } END { print d }' "$tmp/node.log"
}

# capped_after_last RE: vrrp-node's first line matching RE after C's last
# advert ($last) comes capped_down_ms after it (3x tolerance)
capped_after_last() {
	wait_line "$tmp/node.log" 0 "$1" $((3 * capped_down_ms))
	node_after "$last" "$1" $((capped_down_ms - 20)) $((3 * capped_down_ms))
}

scenario_i() {
	local inject_pid last
	setup || return 1
	write_injector
	keepalived_start 100 3 1
	t "i: keepalived (priority 100, advert_int 1) becomes master" \
		wait_line "$tmp/keepalived.log" 0 'Entering MASTER STATE' 8000
	# vrrp-node waits its own 643 ms for a first advert, keepalived sends
	# one a second: C's (priority 50, 40 cs) bridge that gap, so that
	# vrrp-node starts as keepalived's backup every time
	inject_started pseudo 50 8 40
	node_start --priority 200
	t "i: vrrp-node (priority 200, no preempt) follows keepalived as backup" \
		wait_line "$tmp/node.log" 0 'advert from 192.0.2.1 priority 100 interval 100 cs$' 3000
	wait "$inject_pid"
	sleep 3
	t "i: vrrp-node stays backup behind keepalived's adverts, 1 s apart" \
		eval "node_state_is BACKUP && ! grep -q ' state MASTER$' '$tmp/node.log'"
	t "i: keepalived's 100 cs counts as 60 (3 x 20): Master_Down_Interval $capped_down_ms ms" \
		test "$(master_down_after_keepalived)" = "$capped_down_ms"
	t "i: keepalived stays master" keepalived_state_is MASTER
	# C claims 4095 cs for a second; keepalived dies meanwhile
	inject_started pseudo 100 10 4095
	keepalived_kill
	inject_done
	t "i: vrrp-node master $capped_down_ms ms after C's last 4095 cs advert (3x), not 132 s" \
		capped_after_last ' state MASTER$'
	node_stop
	t "i: vrrp-node exits 0" test $? -eq 0
}

scenario_j() {
	local from n start
	setup || return 1
	node_start --priority 200
	t "j: vrrp-node (priority 200) alone: master, stick on" \
		wait_line "$tmp/node.log" 0 ' power on$' 3000
	# keepalived hears nothing from N; N and C still hear keepalived
	bridge -n "$nsb" link set dev pk mcast_flood off
	from=$(lines "$tmp/node.log")
	keepalived_start 100 3 1
	t "j: keepalived (100, advert_int 1) deaf to vrrp-node: master too" \
		wait_line "$tmp/keepalived.log" 0 'Entering MASTER STATE' 8000
	sleep 2.5
	n=$(tail -n +"$((from + 1))" "$tmp/node.log" |
		grep -c ' lower advert priority 100 while master$')
	echo "# $n lower adverts said"
	t "j: vrrp-node says each of keepalived's adverts is a lower one" \
		test "$n" -ge 2
	t "j: vrrp-node stays master with its stick on (no state or power line)" \
		eval "node_state_is MASTER && ! tail -n +$((from + 1)) '$tmp/node.log' | grep -qE ' state | power '"
	from=$(lines "$tmp/keepalived.log")
	bridge -n "$nsb" link set dev pk mcast_flood on
	t "j: the link healed: keepalived backs off to BACKUP" \
		wait_line "$tmp/keepalived.log" "$from" 'Entering BACKUP STATE' 2000
	t "j: vrrp-node is still master" node_state_is MASTER
	from=$(lines "$tmp/keepalived.log")
	start=$(now_us)
	node_stop
	t "j: vrrp-node exits 0" test $? -eq 0
	wait_line "$tmp/keepalived.log" "$from" 'Entering MASTER STATE' 3000
	t "j: vrrp-node SIGTERMed: keepalived master within 3 x Skew_Time + ${margin_ms} ms" \
		within $((3 * skew_ms + margin_ms)) "$start"
}

scenario_k() {
	local inject_pid last
	setup || return 1
	write_injector
	# 3 s of priority 50 claiming 4095 cs, 100 ms apart
	inject_started pseudo 50 30 4095
	node_start --priority 200 --preempt yes
	t "k: vrrp-node (priority 200, preempt) takes over from C" \
		wait_line "$tmp/node.log" 0 ' state MASTER$' 2000
	inject_done
	t "k: the power guard holds its stick off while C advertises" \
		eval "! grep -q ' power on$' '$tmp/node.log'"
	t "k: vrrp-node powers its stick $capped_down_ms ms after C's last 4095 cs advert (3x), not 132 s" \
		capped_after_last ' power on$'
	node_stop
	t "k: vrrp-node exits 0" test $? -eq 0
}

for s in "${scenarios[@]}"; do
	failed_before=$tap_failed
	tap_failed=0
	"scenario_$s" || {
		echo "not ok - $s: namespaces could not be set up"
		tap_failed=1
	}
	((tap_failed)) && dump_logs
	if [[ -n ${VRRP_TEST_LOGS:-} ]]; then
		mkdir -p "$VRRP_TEST_LOGS"
		for f in node.log node.err keepalived.log; do
			[[ -e $tmp/$f ]] && cp "$tmp/$f" "$VRRP_TEST_LOGS/$s.$f"
		done
	fi
	((tap_failed |= failed_before))
	teardown
done
tap_done
