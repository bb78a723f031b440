# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Shared by the end-to-end HA scenarios (tests/ha/*.sh), run inside the VM by
# tests/ha/suite with pizwg.ko loaded and two simulated sticks up. It reuses
# the helpers of tests/serve/lib.sh (processes, bounded waits on log lines,
# socat client, zwave_ask/roundtrip) and sets up, for one scenario script:
#
#   pz-br   a namespace holding the bridge br0 (no address)
#   h1, h2  one namespace per host: eth0 = 192.0.2.1/24, 192.0.2.2/24,
#           a veth whose other end (b-h1, b-h2) is a port of br0
#   pz-cli  the client: eth0 = 192.0.2.3/24 (port b-cli)
#   VIP     192.0.2.254/24 (pizwgd's default for these addresses), VRID 254
#   stick 0 powers h1, stick 1 powers h2: $hub_of[H], $port_of[H], $gs_of[H]
#   a fakestick (zwave mode) on each stick's gadget tty
#   pizwgctl monitor in the initial namespace recording every port event
#           of both sticks in $monitor_log (one_stick_invariant checks it)
#
# Both sticks are switched off before a scenario starts, so the record
# begins with both off. An EXIT trap stops every process, kills whatever
# is left in the namespaces and deletes them. Every wait is bounded.
# Deadlines are asserted with a 3x tolerance (ha_within).

# The variables below are for the scripts that source this file; lib.sh
# functions with optional arguments are called without.
# shellcheck disable=SC2034,SC2119

PIZWG_LIB_ONLY=1
# shellcheck source=tests/serve/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../serve/lib.sh"
unset PIZWG_LIB_ONLY

hosts=(h1 h2)
declare -A addr_of=([h1]=192.0.2.1 [h2]=192.0.2.2)
declare -A hub_of=() port_of=() gs_of=() pid_of=() log_of=() conf_of=()
declare -A runs_of=()
vip=192.0.2.254
vrid=254
# tls_addr (tests/serve/lib.sh) connects to $srv_addr: the VIP, as users do
srv_addr=$vip
cli_addr=192.0.2.3
# advertisement interval (centiseconds: pizwgd's default, 20) and its ms;
# PIZWG_HA_INTERVAL=CS sets another in every config (and keepalived's), to
# tell slowness from logic (every deadline follows it)
interval_cs=${PIZWG_HA_INTERVAL:-20}
interval_ms=$((interval_cs * 10))
# the host's default priority is its address's last octet
declare -A prio_of=([h1]=1 [h2]=2)
pizwgd=${PIZWG_HA_SERVER:-$top/build/asan/bin/pizwgd}

re_pfx="^<[0-9]>pizwgd\\[$gw\\]: "
re_cli="${cli_addr//./\\.}:[0-9]+"
re_serving="${re_pfx}serving /dev/ttyACM[0-9]+ on ${vip//./\\.}:$listen_port\$"
re_started="${re_pfx}session $re_cli: started"
re_ended="${re_pfx}session $re_cli: ended: "
re_fenced="${re_pfx}fenced: stick off\$"
re_vip_added="${re_pfx}vrrp: vip ${vip//./\\.}/24 added on eth0\$"
re_vip_removed="${re_pfx}vrrp: vip ${vip//./\\.}/24 removed"
re_any_state="${re_pfx}vrrp: state [A-Z]+\$"

# re_state STATE
re_state() {
	echo "${re_pfx}vrrp: state $1\$"
}

# --- timing -------------------------------------------------------------------

# skew_ms PRIORITY, down_ms PRIORITY: Skew_Time and Master_Down_Interval
# (RFC 5798 6.1, VRRPv3) at the test's interval.
skew_ms() {
	echo $(((256 - $1) * interval_ms / 256))
}

down_ms() {
	echo $((3 * interval_ms + $(skew_ms "$1")))
}

# mono_ns: now on the clock of the monitor's timestamps. /proc/uptime is
# CLOCK_BOOTTIME, equal to CLOCK_MONOTONIC in a VM that never suspends
# (10 ms resolution).
mono_ns() {
	local up
	read -r up _ </proc/uptime
	echo $((${up/./} * 10000000))
}

# ha_within WHAT T0_NS T1_NS LIMIT_MS: T1 - T0 is at most LIMIT_MS; says how
# long it took.
ha_within() {
	local took
	[[ -n $2 && -n $3 ]] || {
		echo "# $1: no time (start '$2', end '$3')"
		return 1
	}
	took=$((($3 - $2) / 1000000))
	echo "# $1: $took ms (limit $4 ms)"
	((took >= 0 && took <= $4))
}

# --- network --------------------------------------------------------------------

# ha_ns NS ADDR: a namespace whose eth0 (ADDR/24) is a port of br0 (b-NS)
ha_ns() {
	local ns=$1 b=b-${1#pz-}
	ip netns add "$ns" &&
		ip -n pz-br link add "$b" type veth peer name eth0 netns "$ns" &&
		ip -n pz-br link set "$b" master br0 up &&
		ip -n "$ns" link set lo up &&
		ip -n "$ns" addr add "$2/24" dev eth0 &&
		ip -n "$ns" link set eth0 up
}

ha_net_up() {
	local h
	ip netns add pz-br &&
		ip -n pz-br link add br0 type bridge stp_state 0 mcast_snooping 0 \
			forward_delay 0 &&
		ip -n pz-br link set br0 up || return 1
	for h in "${hosts[@]}"; do
		ha_ns "$h" "${addr_of[$h]}" || return 1
	done
	ha_ns pz-cli "$cli_addr"
}

# ha_net_down: kills every process left in the namespaces, deletes them.
ha_net_down() {
	local ns pid i
	for ns in "${hosts[@]}" pz-cli pz-br; do
		[[ -e /run/netns/$ns ]] || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		for ((i = 0; i < 50; i++)); do
			[[ -z $(ip netns pids "$ns" 2>/dev/null) ]] && break
			sleep 0.05
		done
		ip netns del "$ns" 2>/dev/null
	done
}

# link_cut H / link_heal H: H's port leaves / rejoins the bridge. H's eth0
# keeps its carrier (its veth peer stays up): a partition, not a link loss.
link_cut() {
	ip -n pz-br link set "b-$1" nomaster
}

link_heal() {
	ip -n pz-br link set "b-$1" master br0
}

# carrier_down H / carrier_up H: the cable is pulled from / put back into H:
# the bridge's end of its veth goes down, its eth0 loses its carrier.
carrier_down() {
	ip -n pz-br link set "b-$1" down
}

carrier_up() {
	ip -n pz-br link set "b-$1" up
}

has_vip() {
	ip -n "$1" -4 addr show dev eth0 2>/dev/null | grep -q "inet $vip/24 "
}

no_vip() {
	! has_vip "$1"
}

# vip_lifetime H: the valid lifetime (s) of H's VIP ("forever" if none)
vip_lifetime() {
	ip -n "$1" -4 addr show dev eth0 2>/dev/null |
		grep -A1 "inet $vip/24 " | sed -n 's/.*valid_lft \([^ ]*\) .*/\1/p' |
		sed 's/sec$//' | head -n 1
}

# --- sticks and the port record ---------------------------------------------------

# port_events [HOST]: the monitor's port lines (of HOST's stick)
port_events() {
	if (($#)); then
		grep -E "^[0-9.]+ port ${hub_of[$1]} ${port_of[$1]} power " \
			"$monitor_log" 2>/dev/null
	else
		grep -E '^[0-9.]+ port ' "$monitor_log" 2>/dev/null
	fi
}

# power_of H: on or off, by the last port event of H's stick (off if none:
# both are switched off before the record starts)
power_of() {
	local f
	read -r -a f < <(port_events "$1" | tail -n 1)
	echo "${f[5]:-off}"
}

power_is() {
	[[ $(power_of "$1") == "$2" ]]
}

# power_count H: how many port events H's stick has had so far
power_count() {
	port_events "$1" | wc -l
}

# never_powered H: H's stick has not been switched on since mark_power H
# (switching an off stick off again, as a fence confirms, is fine)
never_powered() {
	local on
	on=$(port_events "$1" | tail -n +$((${power_mark[$1]:-0} + 1)) |
		grep ' power on ')
	[[ -z $on ]] && return 0
	echo "# $1's stick was switched on:"
	echo "# ${on//$'\n'/$'\n'#   }"
	return 1
}

# wait_power_of H on|off SECONDS [AFTER]: H's stick has a port event saying
# so, after its first AFTER events (default: after the ones so far when
# mark_power was last called for H); sets $power_ts (ns) to its timestamp
# and $power_line to the line.
declare -A power_mark=()
mark_power() {
	power_mark[$1]=$(power_count "$1")
}

wait_power_of() {
	local h=$1 want=$2 secs=$3 after=${4:-${power_mark[$1]:-0}} deadline l
	power_ts='' power_line=''
	deadline=$(($(now_ms) + secs * 1000))
	for (( ; ; )); do
		l=$(port_events "$h" | tail -n +$((after + 1)) |
			grep -m 1 -E " power $want ")
		if [[ -n $l ]]; then
			power_line=$l
			power_ts=$(ts_ns "${l%% *}")
			return 0
		fi
		(($(now_ms) < deadline)) || break
		sleep 0.1
	done
	echo "# $h's stick (${hub_of[$h]} port ${port_of[$h]}): no 'power $want' within $secs s"
	port_events "$h" | tail -n 3 | sed 's/^/#   /'
	return 1
}

# ts_ns SECONDS.NANOSECONDS
ts_ns() {
	local s=${1%.*} n=${1#*.}
	echo $((s * 1000000000 + 10#$n))
}

# last_advert_ns ADDR: when ADDR last advertised with a priority above 0,
# on the wire (the capture), on the monitor's clock; nothing if never.
last_advert_ns() {
	local rt0 mono0
	read -r rt0 mono0 <"$T/clock" || return 1
	# shellcheck disable=SC2016 # awk's own fields
	awk -v a="IP $1 > 224.0.0.18:" -v off=$((mono0 - rt0)) '
	index($0, a) && !/prio 0,/ { split($1, p, "."); t = p[1] * 1e9 + p[2] * 1e3 + off }
	END { if (t) printf "%.0f\n", t }' "$T/adverts.txt"
}

# allow_overlap T0_NS T1_NS: both sticks may be on inside [T0, T1] (the
# partition window of the split-brain scenario, a backup's stick switched
# on by hand until its pizwgd switched it off); nowhere else.
allow_overlap() {
	echo "$1 $2" >>"$T/windows"
}

# one_stick_invariant: in the whole record, at no instant were both sticks
# on, except inside the allowed windows. Prints every overlap found.
one_stick_invariant() {
	local ports="" h
	for h in "${hosts[@]}"; do
		ports+="${hub_of[$h]}:${port_of[$h]} "
	done
	# shellcheck disable=SC2016 # awk's own fields
	: >"$T/overlaps"
	port_events | awk -v keys="$ports" -v wfile="$T/windows" \
		-v ofile="$T/overlaps" '
	function ns(ts,   p) { split(ts, p, "."); return p[1] * 1e9 + p[2] }
	function check(a, b,   i, ok) {
		for (i = 1; i <= nw; i++)
			if (a >= ws[i] && b <= we[i]) ok = 1
		if (ok) {
			printf "# both sticks on from %.3f to %.3f s: inside an allowed window\n", a / 1e9, b / 1e9
			return
		}
		if (b == "inf")
			printf "# OVERLAP: both sticks on since %.3f s (still)\n", a / 1e9
		else
			printf "# OVERLAP: both sticks on from %.3f to %.3f s (%d ms)\n", a / 1e9, b / 1e9, (b - a) / 1e6
		printf "%.0f %.0f\n", a, (b == "inf" ? a + 5e9 : b) >> ofile
		bad = 1
	}
	BEGIN {
		n = split(keys, k, " ")
		for (i = 1; i <= n; i++) on[k[i]] = 0
		while ((getline l < wfile) > 0) {
			split(l, f, " "); nw++; ws[nw] = f[1]; we[nw] = f[2]
		}
	}
	{
		key = $3 ":" $4
		if (!(key in on)) next
		on[key] = ($6 == "on")
		c = 0
		for (x in on) c += on[x]
		t = ns($1)
		if (c > 1 && !since) since = t
		else if (c <= 1 && since) { check(since, t); since = 0 }
		events++
	}
	END {
		if (since) check(since, "inf")
		printf "# %d port events recorded\n", events
		exit bad
	}' && return 0
	adverts_around_overlaps
	return 1
}

# adverts_around_overlaps: the adverts on the wire (captured in the
# client's namespace) from 2 s before each overlap to its end, and every
# port event then, on the monitor's clock.
adverts_around_overlaps() {
	local a b rt0 mono0
	read -r rt0 mono0 <"$T/clock" || return 0
	while read -r a b; do
		echo "# on the wire and at the ports, $(((a - mono0) / 1000000 - 2000)) ms .. $(((b - mono0) / 1000000)) ms after set-up:"
		# shellcheck disable=SC2016 # awk's own fields
		{
			awk -v from=$((a - 2000000000)) -v to="$b" -v off=$((mono0 - rt0)) '
			{ split($1, p, "."); t = p[1] * 1e9 + p[2] * 1e3 + off
			  if (t >= from && t <= to) printf "#   %.3f %s\n", t / 1e9, substr($0, index($0, " ") + 1) }
			' "$T/adverts.txt"
			port_events | awk -v from=$((a - 2000000000)) -v to="$b" '
			{ split($1, p, "."); t = p[1] * 1e9 + p[2]
			  if (t >= from && t <= to) printf "#   %s\n", $0 }'
		} | sort -k2,2n | head -n 80
	done <"$T/overlaps"
}

# --- pizwgd on the hosts -------------------------------------------------------------

# ha_conf H FILE [KEY=VALUE...]: one [gateway zstick] section for H's stick,
# with the test certificates, vrrp = on, interface = eth0, on_session_end =
# restart, metrics in $T/metrics-H, everything else pizwgd's default (VIP
# 192.0.2.254/24, VRID 254, priority = last octet, 20 cs, preempt no,
# listen VIP:3333); KEY=VALUE adds or overrides, KEY= drops a key.
ha_conf() {
	local h=$1 file=$2 kv k
	local -A val=()
	local keys=(hub port cert key ca ktls on_session_end vrrp interface
		metrics_dir)
	shift 2
	val=([hub]=${hub_of[$h]} [port]=${port_of[$h]} [cert]=$srv_crt
		[key]=$srv_key [ca]=$clients_pem [ktls]=auto
		[on_session_end]=restart [vrrp]=on [interface]=eth0
		[metrics_dir]=$T/metrics-$h)
	if ((interval_cs != 20)); then
		keys+=(advert_interval)
		val[advert_interval]=$interval_cs
	fi
	for kv in "$@"; do
		k=${kv%%=*}
		[[ -v "val[$k]" ]] || keys+=("$k")
		val[$k]=${kv#*=}
	done
	{
		echo "[gateway $gw]"
		for k in "${keys[@]}"; do
			[[ -z ${val[$k]} ]] || echo "$k = ${val[$k]}"
		done
	} >"$file"
	conf_of[$h]=$file
}

# ha_start H [KEY=VALUE...]: writes H's config (ha_conf) and starts pizwgd in
# H's namespace; its stderr goes to ${log_of[H]} (a new file per start).
# Does not wait.
ha_start() {
	local h=$1 n
	shift
	n=$((${runs_of[$h]:-0} + 1))
	runs_of[$h]=$n
	ha_conf "$h" "$T/$h.$n.conf" "$@"
	log_of[$h]=$T/$h.$n.log
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1 \
		ip netns exec "$h" "$pizwgd" -c "$T/$h.$n.conf" </dev/null \
		>"${log_of[$h]}" 2>&1 &
	pid_of[$h]=$!
	track "$!"
}

# ha_stop H: SIGTERM; it must exit 0 within 20 s, say so, and its log must be
# free of sanitizer reports.
ha_stop() {
	local h=$1 rc=0
	[[ -n ${pid_of[$h]:-} ]] || return 0
	stop_pid "${pid_of[$h]}" 20
	pid_of[$h]=
	if ((stopped_status != 0)); then
		echo "# pizwgd on $h exited $stopped_status after SIGTERM"
		rc=1
	fi
	wait_line "${log_of[$h]}" "$re_exiting" 1 || rc=1
	ha_sanitizer_clean "$h" || rc=1
	return $rc
}

# ha_stop_within H SECONDS: SIGTERM; pizwgd on H exits 0 within SECONDS
# (measured here, without looking at its log); says how long it took.
ha_stop_within() {
	local t0 ms
	t0=$(now_ms)
	stop_pid "${pid_of[$1]}" $(($2 * 4))
	ms=$(($(now_ms) - t0))
	pid_of[$1]=
	echo "# pizwgd on $1 exited $stopped_status after $ms ms (limit $2 s)"
	((stopped_status == 0 && ms <= $2 * 1000))
}

# stop_timeout_s: the unit's TimeoutStopSec, in seconds
stop_timeout_s() {
	awk -F= '$1 == "TimeoutStopSec" && $2 ~ /^[0-9]+$/ { print $2; f = 1 }
		END { exit !f }' "$top/image/systemd/pizwgd.service"
}

ha_sanitizer_clean() {
	local san
	san=$(grep -E -m 3 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		"${log_of[$1]}")
	[[ -z $san ]] && return 0
	echo "# sanitizer ($1): ${san//$'\n'/ | }"
	return 1
}

# ha_kill H: SIGKILL, reaped.
ha_kill() {
	local p=${pid_of[$1]:-}
	[[ -n $p ]] || return 1
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	pid_of[$1]=
}

# stop_post H: what systemd runs after pizwgd ended however it ended
# (userspace/pizwgd-stop-post, ExecStopPost): port off, VIP removed. It runs
# pizwgctl from PATH; named in full here, so tests/ha/test-demo-build sees it.
stop_post() {
	local ctl=$top/build/bin/pizwgctl

	PATH=${ctl%/*}:$PATH ip netns exec "$1" \
		"$top/userspace/pizwgd-stop-post" --config "${conf_of[$1]}" 2>&1 |
		sed 's/^/# stop-post: /'
	return "${PIPESTATUS[0]}"
}

# wait_host H ERE SECONDS: wait_line on H's current log (ordered).
wait_host() {
	wait_line "${log_of[$1]}" "$2" "$3"
}

# wait_state H STATE SECONDS
wait_state() {
	wait_host "$1" "$(re_state "$2")" "$3"
}

# state_of H: H's last "vrrp: state" (none before the first, or without a log)
state_of() {
	local l
	l=$(grep -E -- "$re_any_state" "${log_of[$1]:-/dev/null}" 2>/dev/null |
		tail -n 1)
	echo "${l##* }"
	[[ -n $l ]] || echo none
}

# masters: the hosts whose last state is MASTER, space-separated.
masters() {
	local h out=()
	for h in "${hosts[@]}"; do
		[[ -n ${pid_of[$h]:-} && $(state_of "$h") == MASTER ]] && out+=("$h")
	done
	echo "${out[*]}"
}

# one_master: exactly one host is master now
one_master() {
	local m
	m=$(masters)
	[[ -n $m && $m != *" "* ]]
}

# other H: the other host
other() {
	if [[ $1 == h1 ]]; then echo h2; else echo h1; fi
}

# no_new_state H: no "vrrp: state" line in H's log after the last one
# matched (or skipped) there.
no_new_state() {
	no_line "${log_of[$1]}" "$re_any_state"
}

# metric H NAME [LABEL=VALUE...]: the value of the sample of NAME in H's
# metrics file whose labels include gateway="zstick" and those given (label
# order free), or nothing.
metric() {
	local h=$1 name=$2
	shift 2
	set -- "gateway=$gw" "$@"
	# shellcheck disable=SC2016 # awk's own fields
	awk -v name="$name" -v want="$*" '
	index($0, name "{") == 1 {
		n = split(want, w, " ")
		for (i = 1; i <= n; i++) {
			split(w[i], kv, "=")
			if (index($0, kv[1] "=\"" kv[2] "\"") == 0) next
		}
		print $NF
		exit
	}' "$T/metrics-$h/pizwgd.prom" 2>/dev/null
}

# metric_at_least H MIN NAME LABEL=VALUE...
metric_at_least() {
	local h=$1 min=$2 v
	shift 2
	v=$(metric "$h" "$@")
	[[ -n $v ]] && (($(printf '%.0f' "$v") >= min)) && return 0
	echo "# $h: $* is '${v:-absent}' in the metrics file (want >= $min)"
	return 1
}

# dump H: the tail of H's log, for a failure's context
dump() {
	echo "# --- $1 (${log_of[$1]##*/}):"
	tail -n "${2:-15}" "${log_of[$1]}" 2>/dev/null | sed 's/^/#   /'
}

# --- the client -----------------------------------------------------------------------

# ha_session H: the client (socat to the VIP) gets a session with master H
# and a round trip through it. The client stays connected (client_stop).
ha_session() {
	local h=$1 i
	for ((i = 0; i < 2; i++)); do
		client_start || return 1
		if wait_host "$h" "$re_started" 8; then
			roundtrip && return 0
			return 1
		fi
		# connection refused or reset by a host that no longer has the VIP
		echo "# client attempt $((i + 1)):"
		tail -n 3 "$client_log" | sed 's/^/#   /'
		client_stop
		sleep 0.5
	done
	return 1
}

# --- keepalived ----------------------------------------------------------------------

# keepalived_start H PRIORITY [INTERVAL_CS]: keepalived 2.2.7 in H's
# namespace (instead of pizwgd), VRRPv3, VRID 254, the test's interval
# unless given, the VIP on eth0; its log (-l -D) in $keepalived_log.
keepalived_start() {
	local h=$1 d=$T/keepalived cs=${3:-$interval_cs}
	mkdir -p "$d"
	cat >"$d/keepalived.conf" <<EOF
global_defs {
	router_id pizwg-test
}
vrrp_instance VI_1 {
	state BACKUP
	interface eth0
	virtual_router_id $vrid
	priority $2
	advert_int $((cs / 100)).$(printf %02d $((cs % 100)))
	version 3
	virtual_ipaddress {
		$vip/24 dev eth0
	}
}
EOF
	keepalived_log=$d/keepalived.log
	keepalived_ns=$h
	: >>"$keepalived_log"
	rm -f "$d/keepalived.pid" "$d/vrrp.pid" "$d/checkers.pid"
	ip netns exec "$h" keepalived -n -l -D -f "$d/keepalived.conf" \
		-p "$d/keepalived.pid" -r "$d/vrrp.pid" -c "$d/checkers.pid" \
		</dev/null >>"$keepalived_log" 2>&1 &
	track "$!"
}

# keepalived_stop: SIGTERM (it sends priority 0 and removes the VIP)
keepalived_stop() {
	local pid
	pid=$(cat "$T/keepalived/keepalived.pid" 2>/dev/null) || return 1
	kill -TERM "$pid"
}

# keepalived_kill: every process in keepalived's namespace, SIGKILL
keepalived_kill() {
	local pid
	for pid in $(ip netns pids "$keepalived_ns"); do
		kill -KILL "$pid"
	done
}

keepalived_state() {
	grep -E 'Entering [A-Z]+ STATE' "$keepalived_log" 2>/dev/null |
		tail -n 1 | sed 's/.*Entering \([A-Z]*\) STATE.*/\1/'
}

# --- hostile adverts --------------------------------------------------------------------

# inject MODE PRIORITY COUNT [MODE PRIORITY COUNT...]: raw VRRP adverts
# from the client's namespace (192.0.2.3), every 100 ms, COUNT of each MODE
# in turn (one python process: each start costs seconds under TCG):
#   valid    VRRPv3, VRID 254, the VIP, the test's interval, pseudo-header
#            checksum, TTL 255
#   ttl64    valid, but TTL 64
#   badsum   checksum corrupted
#   vrid     VRID 253 (a group that is not ours)
#   short    the first 6 bytes only
inject() {
	ip netns exec pz-cli python3 - "$vrid" "$vip" "$interval_cs" "$@" <<'EOF'
import socket
import struct
import sys
import time

vrid0, vip, interval = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
src, dst = "192.0.2.3", "224.0.0.18"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src))
args = sys.argv[4:]
for i in range(0, len(args), 3):
    mode, prio, count = args[i], int(args[i + 1]), int(args[i + 2])
    vrid = vrid0 - 1 if mode == "vrid" else vrid0
    msg = struct.pack("!BBBBHH", 0x31, vrid, prio, 1, interval, 0) + socket.inet_aton(vip)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 112, len(msg))
    c = csum(pseudo + msg)
    if mode == "badsum":
        c ^= 0x5A5A
    msg = msg[:6] + struct.pack("!H", c) + msg[8:]
    if mode == "short":
        msg = msg[:6]
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 64 if mode == "ttl64" else 255)
    for _ in range(count):
        s.sendto(msg, (dst, 0))
        time.sleep(0.1)
EOF
}

# --- the end of a scenario ----------------------------------------------------------------

# ha_finish: stops every pizwgd still running (each must exit 0 and be
# sanitizer-clean), checks the one-stick invariant over the whole record,
# and exits with the TAP status.
ha_finish() {
	local h
	client_stop
	for h in "${hosts[@]}"; do
		[[ -z ${pid_of[$h]:-} ]] ||
			t "pizwgd_on_${h}_exits_0_on_sigterm_sanitizer_clean" ha_stop "$h"
	done
	sleep 0.3
	t one_stick_invariant_held_throughout one_stick_invariant
	((tap_failed == 0)) || ha_dump_all
	tap_done
}

# ha_dump_all: every pizwgd log of the scenario and the VRRP metrics
ha_dump_all() {
	local f h
	for f in "$T"/h*.log; do
		[[ -e $f ]] || continue
		echo "# --- ${f##*/}:"
		head -n 60 "$f" | sed 's/^/#   /'
	done
	for h in "${hosts[@]}"; do
		[[ -e $T/metrics-$h/pizwgd.prom ]] || continue
		echo "# --- $h's VRRP metrics (non-zero):"
		grep -E '^pizwg_vrrp' "$T/metrics-$h/pizwgd.prom" |
			grep -vE ' 0$' | sed 's/^/#   /'
	done
}

# shellcheck disable=SC2317 # called from the EXIT trap
ha_cleanup() {
	local p
	for p in "${bg_pids[@]}"; do
		kill -0 "$p" 2>/dev/null && stop_pid "$p" 3
	done
	ha_net_down
	if [[ -n ${PIZWG_HA_KEEP:-} ]]; then
		mkdir -p "$PIZWG_HA_KEEP" && cp -a "$T" "$PIZWG_HA_KEEP/" &&
			echo "# kept $T in $PIZWG_HA_KEEP"
	fi
	rm -rf -- "$T"
}

# --- set-up ---------------------------------------------------------------------------------

cd "$top" || bail "cannot cd to $top"
if ((EUID != 0)) || [[ -z ${PIZWG_VM:-} ]]; then
	bail "run inside the test VM: tests/vm/run -- tests/ha/suite"
fi
[[ -d /sys/module/pizwg ]] || bail "pizwg.ko is not loaded"
[[ -x $pizwgd ]] || bail "$pizwgd is not built"
i=0
while read -r _ _ _ hb pt _ g; do
	((i < ${#hosts[@]})) || break
	hub_of[${hosts[i]}]=${hb#hub=}
	port_of[${hosts[i]}]=${pt#port=}
	gs_of[${hosts[i]}]=${g#gs=}
	i=$((i + 1))
done < <(tests/vm/sticks list)
((i == ${#hosts[@]})) || bail "need ${#hosts[@]} simulated sticks: tests/vm/sticks up ${#hosts[@]}"
unset i

# Not under /tmp: pizwgd refuses an exec: program in a directory that
# others can write (the VM's /run is root's, mode 0755).
T=$(mktemp -d /run/pizwg-ha.XXXXXX) || bail "mktemp"
: >"$T/windows"
trap ha_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ha_net_down
ha_net_up || bail "cannot set up the namespaces"

certs_up

# The fake sticks: tests/ha/suite starts them once for all scenarios
# (PIZWG_HA_FAKESTICKS=1); they answer across power cycles. Started here,
# they need the sticks on (the gadget side connected) to open.
if [[ -z ${PIZWG_HA_FAKESTICKS:-} ]]; then
	for h in "${hosts[@]}"; do
		"$pizwgctl" power "${hub_of[$h]}" "${port_of[$h]}" on >/dev/null ||
			bail "cannot switch $h's stick on"
		"$fakestick" --mode zwave "/dev/${gs_of[$h]}" >"$T/fake-$h.out" \
			2>"$T/fake-$h.err" &
		track "$!"
		wait_for 5 fake_has_opened "$!" "/dev/${gs_of[$h]}" ||
			bail "fakestick on ${gs_of[$h]} did not start: $(tail -n 2 "$T/fake-$h.err")"
	done
fi
# the record: both sticks are switched off once the monitor listens
monitor_start
for h in "${hosts[@]}"; do
	"$pizwgctl" power "${hub_of[$h]}" "${port_of[$h]}" off >/dev/null ||
		bail "cannot switch $h's stick off"
done
# every advert on the wire, as the client's namespace sees them flooded
ip netns exec pz-cli tcpdump -i eth0 -n -l -tt -U 'ip proto 112' \
	>"$T/adverts.txt" 2>"$T/tcpdump.err" &
track "$!"
# the capture's clock (CLOCK_REALTIME) against the monitor's
echo "$(date +%s%N | cut -c1-19) $(mono_ns)" >"$T/clock"
echo "# set up in $SECONDS s"
unset h
