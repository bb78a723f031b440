#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# pizwgd on its libusb hub power backend, without pizwg.ko, inside the VM:
#   tests/vm/run [--kernel 6.12] -- tests/usbpower/test-usb-backend.sh
#
# One simulated stick played by tests/fakestick; the client is socat in the
# network namespace pz-cli (192.0.2.2), the server is reached at
# 192.0.2.1:3333 over a veth whose server end goes wherever pizwgd runs.
# pizwgd runs once in each of these places:
#   initial   the initial network namespace: ttys from kernel uevents
#   netns     pz-srv, made by `ip netns add`: still kernel uevents, since
#             the initial user namespace owns that namespace
#   userns    a network namespace owned by a user namespace of its own, as
#             in a container: no uevents reach it, so it polls sysfs
#   fallback  the initial network namespace, in a mount namespace where the
#             port's sysfs directory is hidden, as on kernels before 6.0
#             that lack the port's "disable" attribute: it switches with a
#             port claim and Set/ClearPortFeature(PORT_POWER) instead
# Each time it must name its backend, serve the stick, give a client the
# fake stick's answer to GetControllerVersion, fence when the client
# closes (the stick really went off: it enumerates anew with a new device
# number) and serve again, follow the stick being unplugged and plugged
# back, and on SIGTERM exit 0 leaving the port off (uhubctl "0000 off"),
# with no sanitizer report. Prints TAP. Every wait is bounded; the EXIT
# trap stops every process it started and deletes the namespaces.

# Most functions here are called through t, wait_for or the EXIT trap.
# shellcheck disable=SC2317
set -uo pipefail

[[ ${1:-} != -h && ${1:-} != --help ]] || {
	echo "usage: tests/usbpower/test-usb-backend.sh   (inside the VM, without pizwg.ko:"
	echo "       tests/vm/run [--kernel 6.12] -- tests/usbpower/test-usb-backend.sh)"
	exit 0
}
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh
# shellcheck source=tests/lib/proc.sh
. tests/lib/proc.sh

pizwgd=$PWD/build/asan/bin/pizwgd
fakestick=$PWD/build/bin/fakestick
srv_addr=192.0.2.1
cli_addr=192.0.2.2
listen_port=3333
# GetControllerVersion, and fakestick's answer: ACK, then "Z-Wave 7.18\0",
# library type 1 (tests/fakestick/zwave.c).
zw_get_version="01 03 00 15 e9"
zw_version_answer="06 01 10 01 15 5a 2d 57 61 76 65 20 37 2e 31 38 00 01 98"

# under /run, not the sticky /tmp: pizwgd refuses key and certificates
# there (config.c: files only root can change)
T=$(mktemp -d /run/usbpower.XXXXXX)
pids=()
srv_ns=init		# where the server end of the veth is: init, pz-srv or a pid

bail() {
	echo "Bail out! $*"
	exit 1
}

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null && stop_pid "$p" 5
	done
	ip netns del pz-cli 2>/dev/null
	ip netns del pz-srv 2>/dev/null
	rm -rf -- "$T"
}
trap cleanup EXIT

# --- the stick and its port ---------------------------------------------------

port_dir() {
	local d
	for d in /sys/bus/usb/devices/"$hub"/*:*/"$hub-port$port"; do
		[[ -d $d ]] && echo "$d" && return 0
	done
	return 1
}

# The USB device on the port (root hub usbN: "N-PORT"), and its tty.
child_dir() {
	echo "/sys/bus/usb/devices/${hub#usb}-$port"
}

stick_tty() {
	local t
	for t in "$(child_dir)"/*:*/tty/ttyACM*; do
		[[ -e $t && -c /dev/${t##*/} ]] && echo "${t##*/}" && return 0
	done
	return 1
}

has_tty() { stick_tty >/dev/null; }
no_tty() { ! stick_tty >/dev/null; }

devnum() {
	cat "$(child_dir)/devnum" 2>/dev/null
}

port_off_per_uhubctl() {
	uhubctl -l "${hub#usb}" -p "$port" | grep -q "Port $port: 0000 off"
}

# Back to powered and enumerated, through the kernel's own attribute.
port_on() {
	echo 0 >"$(port_dir)/disable" && wait_for 20 has_tty
}

# --- logs ---------------------------------------------------------------------

# log_count ERE: the number of lines of the current pizwgd log matching ERE.
log_count() {
	grep -c -E -- "$1" "$log" 2>/dev/null
}

# log_has_n ERE N: at least N lines match.
log_has_n() {
	(($(log_count "$1") >= $2))
}

# wait_log ERE N SECONDS: waits until N lines match; says what it saw if not.
wait_log() {
	wait_for "$3" log_has_n "$1" "$2" && return 0
	echo "# $(log_count "$1") of $2 lines matching '$1' within $3 s; the log ends with:"
	tail -n 5 "$log" | sed 's/^/#   /'
	return 1
}

re_backend='^<6>pizwgd: hub power backend: libusb$'
re_uevents='^<6>pizwgd: ttys: kernel uevents$'
re_polling='^<6>pizwgd: ttys: polling /sys/class/tty every 200 ms'
re_fallback='^<5>pizwgd: usb[0-9]+ port [0-9]+: no disable attribute \(Linux < 6\.0\)'
re_serving="^<6>pizwgd\\[zstick\\]: serving /dev/ttyACM[0-9]+ on 0\\.0\\.0\\.0:$listen_port\$"
re_fenced='^<5>pizwgd\[zstick\]: fenced: stick off$'
re_vanished='^<5>pizwgd\[zstick\]: session .*: ended: stick vanished$'
re_exiting='^<6>pizwgd: exiting on SIGTERM$'

no_sanitizer_report() {
	! grep -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"
}

# --- network ------------------------------------------------------------------

net_up() {
	ip netns add pz-srv && ip netns add pz-cli &&
		ip link add pz-s type veth peer name pz-c netns pz-cli &&
		ip -n pz-cli addr add "$cli_addr/24" dev pz-c &&
		ip -n pz-cli link set lo up && ip -n pz-cli link set pz-c up &&
		ip -n pz-srv link set lo up && srv_link_up
}

srv_link_up() {
	ip addr add "$srv_addr/24" dev pz-s && ip link set pz-s up
}

# srv_link_to init|pz-srv|PID: moves the server end of the veth there.
srv_link_to() {
	local from=()
	[[ $srv_ns == init ]] || from=(nsenter --net="$(srv_ns_path)")
	case $1 in
	init) "${from[@]}" ip link set pz-s netns 1 ;;
	pz-srv) "${from[@]}" ip link set pz-s netns pz-srv ;;
	*) "${from[@]}" ip link set pz-s netns "$1" ;;
	esac || return 1
	srv_ns=$1
	case $1 in
	init) srv_link_up ;;
	pz-srv) ip -n pz-srv addr add "$srv_addr/24" dev pz-s &&
		ip -n pz-srv link set pz-s up ;;
	*) ;;	# set up from inside, by its own user namespace's root
	esac
}

srv_ns_path() {
	case $srv_ns in
	pz-srv) echo /run/netns/pz-srv ;;
	*) echo "/proc/$srv_ns/ns/net" ;;
	esac
}

# --- client -------------------------------------------------------------------

# zwave_ask: as a Z-Wave host program, through a socat client in pz-cli
# (socat pty,link=$T/usb,raw,echo=0 openssl-connect:...), sends
# GetControllerVersion and prints the bytes that came back: ACK and one
# complete frame, within 10 s.
zwave_ask() {
	local client rc
	rm -f "$T/usb"
	ip netns exec pz-cli socat "pty,link=$T/usb,raw,echo=0" \
		"openssl-connect:$srv_addr:$listen_port,cafile=$T/root/etc/pizwg/ca.crt,commonname=pizwg-server,cert=$T/root/root/pizwg-client.pem" \
		</dev/null 2>>"$T/socat.log" &
	client=$!
	pids+=("$client")
	wait_for 10 test -e "$T/usb" || { stop_pid "$client" 5; return 1; }
	python3 - "$zw_get_version" "$T/usb" <<'EOF'
import os, select, sys, time, tty

frame, path = bytes.fromhex(sys.argv[1]), sys.argv[2]
fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
os.write(fd, frame)
got = b""
deadline = time.monotonic() + 10


def complete(b):
    return len(b) >= 3 and b[0] == 6 and b[1] == 1 and len(b) >= 3 + b[2]


while not complete(got) and time.monotonic() < deadline:
    r, _, _ = select.select([fd], [], [], max(0, deadline - time.monotonic()))
    if r:
        got += os.read(fd, 256)
print(got.hex(" "))
sys.exit(0 if complete(got) else 1)
EOF
	rc=$?
	# The user closes the client: the session ends.
	stop_pid "$client" 5
	return "$rc"
}

client_gets_version() {
	local got
	got=$(zwave_ask 2>&1)
	[[ $got == "$zw_version_answer" ]] && return 0
	echo "# got '$got'; socat said:"
	tail -n 3 "$T/socat.log" | sed 's/^/#   /'
	echo "# pizwgd's log ends with:"
	tail -n 5 "$log" | sed 's/^/#   /'
	return 1
}

# --- one pizwgd run -------------------------------------------------------------

server_start() {
	local mode=$1 dir
	log=$T/pizwgd-$mode.log
	export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
	case $mode in
	initial)
		"$pizwgd" -c "$T/pizwgd.conf" </dev/null 2>"$log" &
		;;
	netns)
		ip netns exec pz-srv "$pizwgd" -c "$T/pizwgd.conf" </dev/null 2>"$log" &
		;;
	userns)
		# shellcheck disable=SC2016 # expanded by the inner shell
		unshare --user --map-root-user --net -- bash -c '
			for ((i = 0; i < 100; i++)); do
				ip link show pz-s >/dev/null 2>&1 && break
				sleep 0.1
			done
			ip link set lo up && ip addr add "$1/24" dev pz-s &&
				ip link set pz-s up && shift && exec "$@"' \
			_ "$srv_addr" "$pizwgd" -c "$T/pizwgd.conf" </dev/null 2>"$log" &
		;;
	fallback)
		dir=$(port_dir) || return 1
		# shellcheck disable=SC2016 # expanded by the inner shell
		unshare --mount --propagation private -- bash -c '
			mount --bind "$1" "$2" && shift 2 && exec "$@"' \
			_ "$T/empty" "$dir" "$pizwgd" -c "$T/pizwgd.conf" \
			</dev/null 2>"$log" &
		;;
	esac
	server=$!
	pids+=("$server")
	if [[ $mode == userns ]]; then
		wait_for 5 own_netns "$server" && srv_link_to "$server"
	fi
}

own_netns() {
	[[ $(readlink "/proc/$1/ns/net") != "$(readlink /proc/self/ns/net)" ]]
}

server_stop() {
	stop_pid "$server" 20
	((stopped_status == 0)) || { echo "# pizwgd exited $stopped_status"; return 1; }
}

unplug_and_replug() {
	tests/vm/sticks unbind 0 >/dev/null &&
		wait_log "$re_vanished" 1 10 &&
		tests/vm/sticks bind 0 >/dev/null
}

# run MODE: one pizwgd run, checked as described at the top.
run() {
	local mode=$1 before after
	echo "# pizwgd run: $mode"
	case $mode in
	netns) srv_link_to pz-srv ;;
	initial | fallback) [[ $srv_ns == init ]] || srv_link_to init ;;
	esac
	server_start "$mode" || bail "$mode: cannot start pizwgd"

	t "$mode: pizwgd says its hub power backend is libusb" \
		wait_log "$re_backend" 1 10
	case $mode in
	userns)
		t "$mode: pizwgd polls sysfs for ttys, as no uevents reach it" \
			wait_log "$re_polling" 1 1 ;;
	*)
		t "$mode: pizwgd takes ttys from kernel uevents" \
			wait_log "$re_uevents" 1 1 ;;
	esac
	t "$mode: pizwgd serves the stick" wait_log "$re_serving" 1 30
	if [[ $mode == fallback ]]; then
		t "$mode: pizwgd says it switches without the disable attribute" \
			wait_log "$re_fallback" 1 1
	fi
	before=$(devnum)
	t "$mode: a client gets the stick's answer to GetControllerVersion" \
		client_gets_version
	t "$mode: closing the client fences: stick off" wait_log "$re_fenced" 1 10
	t "$mode: pizwgd serves again" wait_log "$re_serving" 2 30
	after=$(devnum)
	t "$mode: the stick was off: it enumerated anew (device $before, then $after)" \
		test -n "$before" -a -n "$after" -a "$before" != "$after"
	t "$mode: a second client gets the answer too" client_gets_version
	t "$mode: pizwgd serves again after that session" \
		wait_log "$re_serving" 3 30
	t "$mode: unplugging the stick ends serving" unplug_and_replug
	t "$mode: plugged back, pizwgd serves it again" \
		wait_log "$re_serving" 4 30

	t "$mode: SIGTERM: pizwgd exits 0" server_stop
	t "$mode: pizwgd said it exits" wait_log "$re_exiting" 1 1
	t "$mode: the port is off after pizwgd exits (uhubctl: 0000 off)" \
		port_off_per_uhubctl
	t "$mode: the stick's tty is gone" no_tty
	if [[ $mode == fallback ]]; then
		# pizwgd's claim on the port ended with it; the power stays off.
		sleep 1
		t "$mode: the port is still off a second later" \
			port_off_per_uhubctl
	fi
	t "$mode: no sanitizer report" no_sanitizer_report
	port_on || bail "$mode: the stick does not come back on"
}

# --- main -----------------------------------------------------------------------

[[ ! -d /sys/module/pizwg ]] || bail "pizwg.ko is loaded: this tests pizwgd without it"
[[ -x $pizwgd && -x $fakestick && -x build/bin/pizwg-setup ]] || bail "build first: make"
echo "# pizwgd's libusb backend on $(uname -r)"
read -r _ _ _ hub port _ gs < <(tests/vm/sticks up 1 | head -n 1)
hub=${hub#hub=} port=${port#port=} gs=${gs#gs=}
[[ -n $hub && -n $port && -n $gs ]] || bail "no simulated stick"
echo "# stick on $hub port $port, gadget side /dev/$gs"
wait_for 20 has_tty || bail "the stick has no tty"

mkdir -p "$T/root" "$T/empty"
build/bin/pizwg-setup --root "$T/root" >/dev/null || bail "pizwg-setup"
cat >"$T/pizwgd.conf" <<EOF
[gateway zstick]
hub = $hub
port = $port
listen = 0.0.0.0:$listen_port
cert = $T/root/etc/pizwg/server.crt
key = $T/root/etc/pizwg/server.key
ca = $T/root/etc/pizwg/clients.pem
on_session_end = restart
vrrp = off
EOF
net_up || bail "cannot set up the network namespaces"
"$fakestick" "/dev/$gs" 2>"$T/fakestick.log" &
fake_pid=$!
pids+=("$fake_pid")

# userns last: its network namespace, and the veth in it, end with pizwgd.
for mode in initial fallback netns userns; do
	run "$mode"
done

t "fakestick ran throughout" kill -0 "$fake_pid"
tests/vm/klog || tap_failed=1
tap_done
