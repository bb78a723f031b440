# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Shared by the end-to-end tests of pizwgd's serving path (tests/serve/*.sh),
# run inside the VM by tests/serve/suite with pizwg.ko loaded and one
# simulated stick up. Sourcing it sets up, for one test script:
#
#   pz-srv  network namespace of the server host, 192.0.2.1/24 on pz-s
#   pz-cli  network namespace of the client host, 192.0.2.2/24 on pz-c
#           (a veth pair; lo up in both)
#   $T      a private work directory (the VM's /tmp)
#   certificates made by pizwg-setup --root $T/root (or a copy of the root
#           PIZWG_SERVE_CERTS names): $srv_crt, $srv_key,
#           $clients_pem, $ca_crt, $ca_key, $client_pem
#   $hub, $port, $gs   the stick's hub port and gadget-side tty
#
# and an EXIT trap that stops every process started through these helpers,
# deletes the namespaces and $T. Every wait is bounded.
#
# The server is $server: build/asan/bin/pizwgd, or what PIZWG_SERVE_SERVER
# names (tests/serve/standin-server, to validate these tests without
# pizwgd). Its log lines, which the tests wait for, are documented in
# userspace/pizwgd (one per event on stderr, syslog priority prefix).

# The variables below are for the scripts that source this file.
# shellcheck disable=SC2034

# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
# shellcheck source=tests/lib/proc.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/proc.sh"

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
server=${PIZWG_SERVE_SERVER:-$top/build/asan/bin/pizwgd}
fakestick=$top/build/bin/fakestick
# PIZWG_SERVE_PIZWGCTL: another build (the benchmarks use the release one)
pizwgctl=${PIZWG_SERVE_PIZWGCTL:-$top/build/asan/bin/pizwgctl}
pizwg_setup=$top/build/bin/pizwg-setup
pizwg_restore=$top/build/bin/pizwg-restore

srv_addr=192.0.2.1
cli_addr=192.0.2.2
listen_port=3333
gw=zstick
# fakestick's answer to GetControllerVersion (tests/fakestick/zwave.c): ACK,
# then "Z-Wave 7.18\0", library type 1 (static controller).
zw_get_version=01030015e9
zw_version_answer="06 01 10 01 15 5a 2d 57 61 76 65 20 37 2e 31 38 00 01 98"

# The log lines of pizwgd the tests wait for (extended regular expressions).
re_gw="pizwgd\\[$gw\\]"
re_peer="${cli_addr//./\\.}:[0-9]+"
re_serving="^<6>$re_gw: serving /dev/ttyACM[0-9]+ on [0-9.]+:$listen_port\$"
re_started="^<6>$re_gw: session $re_peer: started, "
re_ended="^<5>$re_gw: session $re_peer: ended: "
re_refused="^<4>$re_gw: refused $re_peer: "
re_fenced="^<5>$re_gw: fenced: stick off\$"
re_enum_failed="^<5>$re_gw: enumeration failed: .*; retrying in [0-9]+ s\$"
re_exiting="^<6>pizwgd: exiting on SIGTERM\$"

bg_pids=()
exit_hooks=()
declare -A seen=()

bail() {
	echo "Bail out! $*"
	exit 1
}

# --- processes --------------------------------------------------------------

# track PID: stopped by the EXIT trap if still running.
track() {
	bg_pids+=("$1")
}

# at_exit COMMAND...: run by the EXIT trap (before the common cleanup).
at_exit() {
	exit_hooks+=("$(printf '%q ' "$@")")
}

# shellcheck disable=SC2317 # called from the EXIT trap
serve_cleanup() {
	local h p
	for h in "${exit_hooks[@]}"; do
		eval "$h"
	done
	for p in "${bg_pids[@]}"; do
		kill -0 "$p" 2>/dev/null && stop_pid "$p" 5
	done
	ip netns del pz-cli 2>/dev/null
	ip netns del pz-srv 2>/dev/null
	if [[ -n ${PIZWG_SERVE_KEEP:-} ]]; then
		echo "# kept $T"
	else
		rm -rf -- "$T"
	fi
}

# --- logs -------------------------------------------------------------------

# wait_line FILE ERE SECONDS: waits for the next line of FILE matching ERE
# after the last line matched (or skipped with skip_lines) in FILE, so that
# successive waits check the order of events. Sets $line to it.
wait_line() {
	local file=$1 re=$2 secs=$3 deadline from n
	deadline=$(($(now_ms) + secs * 1000))
	from=${seen[$file]:-0}
	for (( ; ; )); do
		n=$(tail -n +$((from + 1)) "$file" 2>/dev/null |
			grep -m 1 -n -E -- "$re" | cut -d: -f1)
		if [[ -n $n ]]; then
			seen[$file]=$((from + n))
			line=$(sed -n "$((from + n))p" "$file")
			return 0
		fi
		(($(now_ms) < deadline)) || break
		sleep 0.1
	done
	echo "# no line matching '$re' in ${file##*/} within $secs s; it ends with:"
	tail -n 6 "$file" 2>/dev/null | sed 's/^/#   /'
	return 1
}

# skip_lines FILE: later waits look only at lines written from now on.
skip_lines() {
	seen[$1]=$(wc -l <"$1" 2>/dev/null || echo 0)
}

# no_line FILE ERE: no line of FILE after the last one matched matches ERE.
no_line() {
	local from=${seen[$1]:-0} hit
	hit=$(tail -n +$((from + 1)) "$1" 2>/dev/null | grep -m 1 -E -- "$2") ||
		return 0
	echo "# unexpected line in ${1##*/}: $hit"
	return 1
}

# --- network ----------------------------------------------------------------

net_up() {
	ip netns add pz-srv && ip netns add pz-cli &&
		ip link add pz-s netns pz-srv type veth peer name pz-c netns pz-cli &&
		ip -n pz-srv addr add "$srv_addr/24" dev pz-s &&
		ip -n pz-cli addr add "$cli_addr/24" dev pz-c &&
		ip -n pz-srv link set lo up && ip -n pz-cli link set lo up &&
		ip -n pz-srv link set pz-s up && ip -n pz-cli link set pz-c up
}

# The client's network vanishes: no FIN, no RST, nothing gets through.
net_cut() {
	ip -n pz-cli link set pz-c down
}

net_restore() {
	ip -n pz-cli link set pz-c up
}

# in_srv / in_cli COMMAND...: COMMAND in the server's / client's namespace,
# in the foreground (in the background, $! would be a subshell's: start
# background commands with ip netns exec itself, which execs them).
in_srv() {
	ip netns exec pz-srv "$@"
}

in_cli() {
	ip netns exec pz-cli "$@"
}

# --- certificates -----------------------------------------------------------

# A throwaway openssl config for `openssl ca` and `openssl req`, in DIR.
cert_config() {
	mkdir -p "$1/new" && : >"$1/index.txt" && cat >"$1/ca.cnf" <<EOF
[ca]
default_ca = test
[test]
database = $1/index.txt
new_certs_dir = $1/new
rand_serial = yes
default_md = sha256
policy = policy_cn
unique_subject = no
[policy_cn]
commonName = supplied
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

# ec_key FILE
ec_key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$1" 2>/dev/null
}

# sign_client DIR CA-CRT CA-KEY START END OUT: a client key and certificate
# (CN pizwg-client, clientAuth) signed by CA, valid START..END
# (YYYYMMDDHHMMSSZ), key then certificate in OUT, as pizwg-setup makes them.
sign_client() {
	local d=$1
	cert_config "$d" && ec_key "$d/client.key" &&
		openssl req -new -config "$d/ca.cnf" -key "$d/client.key" \
			-subj /CN=pizwg-client -out "$d/client.csr" &&
		openssl ca -batch -notext -config "$d/ca.cnf" -cert "$2" \
			-keyfile "$3" -in "$d/client.csr" -out "$d/client.crt" \
			-extensions v3_client -startdate "$4" -enddate "$5" \
			>"$d/ca.log" 2>&1 &&
		cat "$d/client.key" "$d/client.crt" >"$6"
}

# mint_expired_client OUT: a client signed by our CA, expired since 2001.
mint_expired_client() {
	sign_client "$T/expired" "$ca_crt" "$ca_key" 20000101000000Z \
		20010101000000Z "$1"
}

# mint_foreign_client OUT: a valid client from another CA, which has the
# same name as ours ("PiZWG CA") but not its key.
mint_foreign_client() {
	local d=$T/foreign
	cert_config "$d" && ec_key "$d/ca.key" &&
		openssl req -new -config "$d/ca.cnf" -key "$d/ca.key" \
			-subj "/CN=PiZWG CA" -out "$d/ca.csr" &&
		openssl ca -batch -notext -config "$d/ca.cnf" -selfsign \
			-keyfile "$d/ca.key" -in "$d/ca.csr" -out "$d/ca.crt" \
			-extensions v3_ca -startdate 20000101000000Z \
			-enddate 20491231000000Z >"$d/ca-self.log" 2>&1 &&
		sign_client "$d" "$d/ca.crt" "$d/ca.key" 20000101000000Z \
			20491231000000Z "$1"
}

# --- the fake stick -----------------------------------------------------------

declare -A fake_pid=()

# fake_start MODE [FAKESTICK-OPTION...]: plays the stick (gadget side) in
# MODE; its stdout goes to $T/fake-MODE.out, stderr to $T/fake-MODE.err.
# fakestick locks the device node it opens (flock, which binds root too),
# so a second one at the same time (sink and source at once) opens the tty
# through a node of its own, which has its own lock.
fake_start() {
	local mode=$1 dev=/dev/$gs major minor
	shift
	[[ -z ${fake_pid[$mode]:-} ]] || fake_stop "$mode"
	if ((${#fake_pid[@]})); then
		dev=$T/$gs-$mode
		if [[ ! -e $dev ]]; then
			read -r major minor < <(stat -L -c '%t %T' "/dev/$gs") &&
				mknod "$dev" c $((16#$major)) $((16#$minor)) || return 1
		fi
	fi
	"$fakestick" --mode "$mode" "$@" "$dev" >"$T/fake-$mode.out" \
		2>"$T/fake-$mode.err" &
	fake_pid[$mode]=$!
	track "$!"
	# It has the device open once it waits in poll, or has written to it.
	wait_for 5 fake_has_opened "${fake_pid[$mode]}" "$dev"
}

fake_has_opened() {
	local fd
	kill -0 "$1" 2>/dev/null || return 1
	for fd in /proc/"$1"/fd/*; do
		[[ $(readlink "$fd") == "$2" ]] && return 0
	done
	return 1
}

# fake_stop MODE: stops that fakestick; fails unless it exited 0.
fake_stop() {
	local pid=${fake_pid[$1]:-}
	[[ -n $pid ]] || return 0
	unset "fake_pid[$1]"
	stop_pid "$pid" 5
	((stopped_status == 0)) && return 0
	echo "# fakestick --mode $1 exited $stopped_status: $(tail -n 2 "$T/fake-$1.err")"
	return 1
}

fake_stop_all() {
	local m rc=0
	for m in "${!fake_pid[@]}"; do
		fake_stop "$m" || rc=1
	done
	return $rc
}

# fake_result MODE SECONDS: waits for the "MODE COUNT SHA256" line of a sink
# or source and prints it.
fake_result() {
	wait_for "$2" test -s "$T/fake-$1.out" || {
		echo "# fakestick --mode $1 printed nothing within $2 s: $(tail -n 2 "$T/fake-$1.err")" >&2
		return 1
	}
	head -n 1 "$T/fake-$1.out"
}

# --- the server ---------------------------------------------------------------

# conf_write FILE [KEY=VALUE...]: one [gateway zstick] section for the stick,
# with the test certificates, listening on 192.0.2.1:3333, on_session_end =
# restart, vrrp = off and metrics_dir $T/metrics (the file is $metrics),
# unless overridden; KEY= (empty) drops a key.
conf_write() {
	local file=$1 kv k
	local -A val=()
	local keys=(hub port listen cert key ca ktls on_session_end vrrp metrics_dir)
	shift
	val=([hub]=$hub [port]=$port [listen]=$srv_addr:$listen_port
		[cert]=$srv_crt [key]=$srv_key [ca]=$clients_pem [ktls]=auto
		[on_session_end]=restart [vrrp]=off [metrics_dir]=$T/metrics)
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
}

server_runs=0

# server_start CONF: starts the server in pz-srv; its stderr goes to
# $server_log (a new file per start). Does not wait for it to serve.
server_start() {
	server_runs=$((server_runs + 1))
	server_log=$T/server.$server_runs.log
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1 \
		ip netns exec pz-srv "$server" -c "$1" </dev/null >"$server_log" 2>&1 &
	server_pid=$!
	track "$server_pid"
}

# server_serving: the server says it serves the stick, within 30 s (power
# on, enumeration, tty open).
server_serving() {
	wait_log "$re_serving" 30
}

# fenced_then_serving: the server fences (stick off) and, on_session_end =
# restart, serves again.
fenced_then_serving() {
	wait_log "$re_fenced" 15 && server_serving
}

# start_serving CONF: server_start, then server_serving.
start_serving() {
	server_start "$1" && server_serving
}

# server_stop: SIGTERM; it must exit 0 within 20 s, say so, and its log must
# be free of sanitizer reports.
server_stop() {
	local rc=0 san
	[[ -n ${server_pid:-} ]] || return 1
	stop_pid "$server_pid" 20
	server_pid=
	if ((stopped_status != 0)); then
		echo "# ${server##*/} exited $stopped_status after SIGTERM"
		rc=1
	fi
	wait_log "$re_exiting" 1 || rc=1
	san=$(grep -E -m 3 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		"$server_log")
	[[ -z $san ]] || { echo "# sanitizer: ${san//$'\n'/ | }"; rc=1; }
	return $rc
}

# wait_log ERE SECONDS: wait_line on the current server log.
wait_log() {
	wait_line "$server_log" "$1" "$2"
}

# The stand-in (tests/serve/standin-server) relays with socat and logs
# only "serving" and "session ... started"; checks that need pizwgd itself
# are written t_pizwgd: under the stand-in they still run (exercising the
# harness) but are reported as skipped, with the result they had.
standin() {
	[[ ${server##*/} == standin-server ]]
}

t_pizwgd() {
	local name=$1 result=fails
	shift
	if ! standin; then
		t "$name" "$@"
		return
	fi
	"$@" >"$T/t_pizwgd.out" && result=passes
	sed 's/^/# (stand-in) /' "$T/t_pizwgd.out"
	skip "$name" "only pizwgd can pass this; with the stand-in it $result"
}

# --- clients --------------------------------------------------------------------

# tls_addr [-c PEM|-] [-a CAFILE] [OPTION...]: socat's client address as users
# write it: openssl-connect:192.0.2.1:3333,cafile=ca.crt,commonname=
# pizwg-server,cert=pizwg-client.pem; -c - leaves out cert=; OPTIONs are
# appended (e.g. openssl-max-proto-version=TLS1.2).
tls_addr() {
	local cert=$client_pem ca=$ca_crt addr
	while (($#)); do
		case $1 in
		-c) cert=$2; shift 2 ;;
		-a) ca=$2; shift 2 ;;
		*) break ;;
		esac
	done
	addr=openssl-connect:$srv_addr:$listen_port,cafile=$ca,commonname=pizwg-server
	[[ $cert == - ]] || addr+=,cert=$cert
	while (($#)); do
		addr+=,$1
		shift
	done
	echo "$addr"
}

client_runs=0

# client_start [tls_addr ARGS...]: socat in pz-cli giving the stick as the
# pty $T/ttyUSB254 (socat pty,link=...,raw,echo=0 openssl-connect:...);
# returns once the link exists. Its stderr (-d -d) is $client_log.
client_start() {
	local addr
	addr=$(tls_addr "$@")
	client_runs=$((client_runs + 1))
	client_log=$T/client.$client_runs.log
	rm -f "$T/ttyUSB254"
	ip netns exec pz-cli socat -d -d "pty,link=$T/ttyUSB254,raw,echo=0" \
		"$addr" </dev/null >/dev/null 2>"$client_log" &
	client_pid=$!
	track "$client_pid"
	wait_for 10 test -e "$T/ttyUSB254"
}

# client_stop: the user stops socat (SIGTERM).
client_stop() {
	[[ -n ${client_pid:-} ]] || return 0
	stop_pid "$client_pid" 5
	client_pid=
}

# zwave_ask HEX-FRAME [TTY [SECONDS]]: writes the frame to TTY (default the
# client's pty) as a Z-Wave host program would, reads until an ACK and one
# complete response frame arrived (default within 10 s), and prints the
# bytes in hex. Fails, printing what came, if they do not.
zwave_ask() {
	python3 - "$1" "${2:-$T/ttyUSB254}" "${3:-10}" <<'EOF'
import os, select, sys, time, tty

frame, path, secs = bytes.fromhex(sys.argv[1]), sys.argv[2], float(sys.argv[3])
fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
os.write(fd, frame)
got = b""
deadline = time.monotonic() + secs


def complete(b):
    # ACK, then SOF LEN followed by LEN bytes (type, function, data, checksum)
    return len(b) >= 3 and b[0] == 0x06 and b[1] == 0x01 and len(b) >= 3 + b[2]


while not complete(got):
    left = deadline - time.monotonic()
    if left <= 0:
        break
    if select.select([fd], [], [], left)[0]:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        got += chunk
print(got.hex(" "))
sys.exit(0 if complete(got) else 1)
EOF
}

# roundtrip [TTY]: GetControllerVersion through the server gets the fake
# stick's answer, byte for byte.
roundtrip() {
	local got
	got=$(zwave_ask "$zw_get_version" "$@")
	[[ $got == "$zw_version_answer" ]] && return 0
	echo "# GetControllerVersion: got '$got', want '$zw_version_answer'"
	return 1
}

# stream_start UP DOWN [tls_addr ARGS...]: a client (socat STDIO
# openssl-connect:...) sending the bytes of file UP and writing what it
# receives to DOWN. Its stdin is a FIFO that stays open after UP's bytes:
# an EOF would make socat close the session (and a `socat OPEN:UP,ignoreeof`
# polls the file so slowly that both directions crawl).
stream_start() {
	local up=$1
	shift
	_stream_client "$@" || return 1
	cat -- "$up" >"$stream_fifo" &
	track "$!"
}

# stream_start_live COPY DOWN [tls_addr ARGS...]: as stream_start, sending
# random bytes (16 KiB every 50 ms, also appended to COPY) until
# stream_feed_stop.
stream_start_live() {
	local copy=$1 fifo
	shift
	_stream_client "$@" || return 1
	: >"$copy"
	rm -f "$T/feed.stop"
	fifo=$stream_fifo
	(
		exec >"$fifo"
		while [[ ! -e $T/feed.stop ]]; do
			head -c 16384 /dev/urandom >"$T/feed.chunk" || exit 1
			cat "$T/feed.chunk" >>"$copy" && cat "$T/feed.chunk" || exit 1
			sleep 0.05
		done
	) &
	feed_pid=$!
	track "$feed_pid"
}

# stream_feed_stop: the live feed stops after its current chunk.
stream_feed_stop() {
	local deadline
	deadline=$(($(now_ms) + 10000))
	touch "$T/feed.stop"
	while kill -0 "$feed_pid" 2>/dev/null; do
		(($(now_ms) < deadline)) || return 1
		sleep 0.05
	done
}

_stream_client() {
	local down=$1 addr
	shift
	addr=$(tls_addr "$@")
	client_runs=$((client_runs + 1))
	client_log=$T/client.$client_runs.log
	stream_fifo=$T/stream.$client_runs.fifo
	mkfifo "$stream_fifo" || return 1
	# the writer that keeps the FIFO open; it blocks until socat opens it
	sleep 3600 >"$stream_fifo" &
	track "$!"
	ip netns exec pz-cli socat -d -d STDIO "$addr" <"$stream_fifo" \
		>"$down" 2>"$client_log" &
	client_pid=$!
	track "$client_pid"
}

# size_at_least FILE BYTES
size_at_least() {
	(($(stat -c %s -- "$1" 2>/dev/null || echo 0) >= $2))
}

sha256_of() {
	sha256sum <"$1" | cut -d' ' -f1
}

# --- observation ------------------------------------------------------------------

# tls_stat NAME: a counter of /proc/net/tls_stat in pz-srv (0 while the tls
# module is not loaded: the file exists only then).
tls_stat() {
	local v
	# shellcheck disable=SC2016 # awk's own $1 and $2
	v=$(ip netns exec pz-srv awk -v n="$1" '$1 == n { print $2 }' \
		/proc/net/tls_stat 2>/dev/null)
	echo "${v:-0}"
}

# hs_failures REASON: the server's count of handshakes refused for REASON,
# from its metrics file $metrics (conf_write puts it in $T/metrics; it is
# rewritten within a second of a refusal).
hs_failures() {
	local v
	v=$(sed -n "s/^pizwg_tls_handshake_failures_total{gateway=\"$gw\",reason=\"$1\"} //p" \
		"$metrics" 2>/dev/null)
	echo "${v:-0}"
}

# counted_at_least REASON N: at least N refusals counted for REASON.
counted_at_least() {
	(($(hs_failures "$1") >= $2))
}

# monitor_start: pizwgctl monitor (the module's events: port power, ttys)
# writing to $monitor_log.
monitor_start() {
	monitor_log=$T/monitor.log
	"$pizwgctl" monitor >"$monitor_log" 2>&1 &
	track "$!"
	# no line says it has subscribed: give it a moment
	sleep 1
}

# wait_power on|off SECONDS: the next port event of the stick's port says so.
wait_power() {
	wait_line "$monitor_log" " port $hub $port power $1 " "$2"
}

# certs_up: the certificates in $T/root, copied from $PIZWG_SERVE_CERTS (a
# pizwg-setup root the suite made once: it takes about 25 s in the VM) or
# made now, and the paths of their files.
certs_up() {
	if [[ -n ${PIZWG_SERVE_CERTS:-} ]]; then
		cp -a "$PIZWG_SERVE_CERTS" "$T/root" ||
			bail "cannot copy $PIZWG_SERVE_CERTS"
	else
		mkdir "$T/root" || bail "mkdir $T/root"
		"$pizwg_setup" --root "$T/root" >/dev/null ||
			bail "pizwg-setup failed"
	fi
	ca_crt=$T/root/etc/pizwg/ca.crt
	# pizwg-setup writes the CA key into backup.tar only.
	ca_key=$T/ca.key
	tar -xOf "$T/root/root/backup.tar" etc/pizwg/ca.key >"$ca_key" ||
		bail "no CA key in $T/root/root/backup.tar"
	srv_crt=$T/root/etc/pizwg/server.crt
	srv_key=$T/root/etc/pizwg/server.key
	clients_pem=$T/root/etc/pizwg/clients.pem
	client_pem=$T/root/root/pizwg-client.pem
}

# --- set-up ---------------------------------------------------------------------

# tests/ha/lib.sh sources this file for its helpers only (PIZWG_LIB_ONLY=1):
# it builds its own namespaces and sticks.
[[ -z ${PIZWG_LIB_ONLY:-} ]] || return 0


cd "$top" || bail "cannot cd to $top"
if ((EUID != 0)) || [[ -z ${PIZWG_VM:-} ]]; then
	bail "run inside the test VM: tests/vm/run -- tests/serve/suite"
fi
read -r _ _ _ hub port _ gs < <(tests/vm/sticks list | head -n 1)
hub=${hub#hub=}
port=${port#port=}
gs=${gs#gs=}
[[ -n $hub && -n $port && -n $gs ]] ||
	bail "no simulated stick: run tests/vm/sticks up 1 first"
[[ -d /sys/module/pizwg ]] || bail "pizwg.ko is not loaded"
[[ -x $server ]] || bail "$server is not built"

# Not under /tmp: pizwgd refuses an exec: program in a directory that
# others can write (the VM's /run is root's, mode 0755).
T=$(mktemp -d /run/pizwg-serve.XXXXXX) || bail "mktemp"
metrics=$T/metrics/pizwgd.prom
trap serve_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns del pz-cli 2>/dev/null
ip netns del pz-srv 2>/dev/null
net_up || bail "cannot set up the namespaces pz-srv and pz-cli"

certs_up
