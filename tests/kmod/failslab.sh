#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Allocation failures inside pizwg.ko (issue 15's fault scenarios; the debug
# kernel's leg, tests/vm/suite --debug). failslab fails slab allocations that
# have a pizwg.ko frame on their stack (require-start/end = the module's
# text; FAULT_INJECTION_STACKTRACE_FILTER), in any task: the netlink
# handlers, the dumps, the module's work items and its USB notifier.
# ignore-gfp-wait is off, so GFP_KERNEL allocations fail too.
#
# Each operation runs once with its first such allocation failing, then in
# rounds with a random 30% of them failing. The failures injected are
# counted per operation (failslab's times), and an operation that never
# met one fails the test: a filter that matches nothing must not pass.
# Nothing else runs a pizwg path while failures are armed (waits poll the
# hub with uhubctl). After each run:
# - the command answered cleanly: exit 0, or 1 with one error line;
# - with failures off, the port's power (uhubctl, from the hub itself) is
#   what `pizwgctl hubs` says, and what the operation and its exit status
#   allow (a failed switch is either done or not; a lease that failed or
#   whose holder died leaves the port off);
# - the module still answers.
# The kernel log (tests/vm/klog) and kmemleak are checked by the suite.
# Without a failslab stack filter (Debian's kernels) it skips, unless
# PIZWG_REQUIRE_FAILSLAB=1 (the debug leg).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/kmod/lib.sh
. tests/kmod/lib.sh

fs=/sys/kernel/debug/failslab
if [[ ! -e $fs/require-start ]]; then
	if [[ ${PIZWG_REQUIRE_FAILSLAB:-} == 1 ]]; then
		echo "not ok - failslab with a stack filter in debugfs ($fs)"
		exit 1
	fi
	skip "allocation failures in pizwg.ko" "this kernel has no failslab stack filter (the debug kernel has)"
	exit 0
fi

out=$(mktemp -d)
holder=
# shellcheck disable=SC2317  # called through the trap
faults_off() {
	echo 0 >"$fs/probability"
	echo 0 >"$fs/times"
}
# shellcheck disable=SC2317  # called through the trap
cleanup() {
	faults_off
	[[ -z $holder ]] || kill -9 "$holder" 2>/dev/null
	wait 2>/dev/null
	restore_stick
	rm -rf "$out"
}
trap cleanup EXIT

# text_range: failslab's range is the loaded module's text, from its lowest
# text symbol to one page past the page of its highest (module text is
# page-aligned and followed by vmalloc's guard page; the last function may
# cross into the next page). Addresses are same-length hex: they sort as
# strings. Set again after every load: a reloaded module moves.
text_range() {
	local lo hi
	read -r lo hi < <(awk '$4 == "[pizwg]" && ($2 == "t" || $2 == "T") { print $1 }' /proc/kallsyms |
		sort | sed -n '1p;$p' | tr '\n' ' ')
	[[ $lo =~ ^[0-9a-f]{16}$ && $hi =~ ^[0-9a-f]{16}$ && $lo != 0000000000000000 ]] || {
		echo "# no text symbols of pizwg in /proc/kallsyms ('$lo' '$hi')"
		return 1
	}
	printf '0x%s\n' "$lo" >"$fs/require-start" &&
		printf '0x%x\n' $((0x${hi%???}000 + 0x2000)) >"$fs/require-end" &&
		echo "# failslab range: $(cat "$fs/require-start")..$(cat "$fs/require-end")"
}
t "failslab's range is the module's text" text_range
# Only the 8 innermost frames are searched for the module: its own
# allocations and those of the kernel helpers it calls (netlink messages,
# usb_control_msg and its URB) fail, not those deep in another driver's
# chain. With the whole stack (32), an allocation in a hub's runtime
# resume (pizwg -> usb_autopm_get_interface -> rpm_resume -> hub_resume ->
# hub_activate -> usb_control_msg, about 15 frames) failed, and the PM
# core then left that hub's runtime PM in error: every later live read of
# it failed, and the module listed it as "recorded" from then on. That is
# the USB core's answer to a failed resume, which no module can repair.
echo 8 >"$fs/stacktrace-depth"
echo N >"$fs/ignore-gfp-wait"
echo N >"$fs/task-filter"
echo 0 >"$fs/space"
echo 0 >"$fs/verbose"
echo 1 >"$fs/interval"
faults_off

# faults MODE: first = the next allocation fails; some = 30% of them.
# shellcheck disable=SC2317  # called through the trap too
faults() {
	case $1 in
	first) echo 1 >"$fs/times"; echo 100 >"$fs/probability" ;;
	some) echo 1000 >"$fs/times"; echo 30 >"$fs/probability" ;;
	esac
	armed=$(cat "$fs/times")
}

# faults_done [OP]: stops injecting; adds what was injected to $injected
# and to OP's count.
declare -A op_injected=()
faults_done() {
	local left
	echo 0 >"$fs/probability"
	left=$(cat "$fs/times")
	echo 0 >"$fs/times"
	injected=$((injected + armed - left))
	[[ -z ${1:-} ]] || op_injected[$1]=$((${op_injected[$1]:-0} + armed - left))
}

# each_op_met_failures OP...: every OP had failures injected.
# shellcheck disable=SC2317  # called through t
each_op_met_failures() {
	local op ok=0
	for op in "$@"; do
		echo "# $op: ${op_injected[$op]:-0} failures injected"
		((${op_injected[$op]:-0} > 0)) || ok=1
	done
	return "$ok"
}

# clean NAME: the command whose status and stderr are $rc and $out/err
# answered cleanly.
# shellcheck disable=SC2317  # called through t
clean() {
	local lines
	lines=$(wc -l <"$out/err")
	if ((rc == 0)) || ((rc == 1 && lines == 1)); then
		return 0
	fi
	echo "# $1: exit $rc, stderr:"
	sed 's/^/#   /' "$out/err"
	return 1
}

# power_per_module: "on" or "off", as pizwgctl hubs reports the port.
# shellcheck disable=SC2317  # called through t
power_per_module() {
	"$ctl" hubs "$hub" | awk -v p="$port" '$1 == "port" && $2 == p { print $4 }'
}

# shellcheck disable=SC2317  # called through t
power_per_hub() {
	if port_off_per_uhubctl; then
		echo off
	elif port_on_per_uhubctl; then
		echo on
	else
		echo unknown
	fi
}

# consistent ALLOWED...: the hub and the module agree, on one of ALLOWED.
# shellcheck disable=SC2317  # called through t
consistent() {
	local h m a
	h=$(power_per_hub) m=$(power_per_module)
	for a in "$@"; do
		if [[ $h == "$a" && $m == "$a" ]]; then
			return 0
		fi
	done
	echo "# the hub says '$h', the module '$m'; allowed: $*"
	[[ $h != unknown ]] || uhubctl -l "${hub#usb}" -p "$port" 2>&1 | sed 's/^/#   uhubctl: /'
	return 1
}

# same GOT WANT: the two listings are the same; else prints how they differ.
# shellcheck disable=SC2317  # called through t
same() {
	cmp -s "$1" "$2" && return 0
	diff "$2" "$1" | head -n 20 | sed 's/^/#   /'
	return 1
}

# as_recorded GOT BASE: BASE, with the power of each port GOT lists as
# "recorded" (its live read failed) taken from GOT: for a port the module
# never switched, or switched before a reload, its record says on (the hub
# driver's default), whatever the hub says.
as_recorded() {
	awk 'NR == FNR { got[FNR] = $0; next }
		got[FNR] ~ / recorded$/ && match(got[FNR], / power [a-z]+ /) {
			p = substr(got[FNR], RSTART, RLENGTH)
			sub(/ power [a-z]+ /, p)
		}
		{ print }' "$1" "$2"
}

# run NAME COMMAND...: runs COMMAND with $mode failures armed.
run() {
	local name=$1
	shift
	faults "$mode"
	"$@" >"$out/out" 2>"$out/err"
	rc=$?
	faults_done "$name"
	t "$mode: $name answers cleanly (exit $rc)" clean "$name"
}

restore_stick
"$ctl" hubs >"$out/hubs.base" 2>&1 || echo "not ok - pizwgctl hubs"
"$ctl" ttys >"$out/ttys.base" 2>&1 || echo "not ok - pizwgctl ttys"

# --- dumps ---------------------------------------------------------------
injected=0
for mode in first some some some; do
	run "pizwgctl hubs" "$ctl" hubs
	# A live read that failed is listed from the module's record.
	[[ $rc != 0 ]] || t "$mode: ... and lists what it lists without failures (or as recorded)" \
		same <(as_recorded "$out/out" "$out/hubs.base") <(sed 's/ recorded$//' "$out/out")
	run "pizwgctl ttys" "$ctl" ttys
	[[ $rc != 0 ]] || t "$mode: ... and lists what it lists without failures" same "$out/out" "$out/ttys.base"
	run "pizwgctl --json hubs" "$ctl" --json hubs
done
t "dumps: failures were injected into each ($injected)" \
	each_op_met_failures "pizwgctl hubs" "pizwgctl ttys" "pizwgctl --json hubs"
"$ctl" hubs >"$out/hubs.after" 2>&1
diff "$out/hubs.base" "$out/hubs.after" | sed 's/^/#   /'
t "dumps: the listing is whole again" cmp -s "$out/hubs.after" "$out/hubs.base"

# --- synchronous switches --------------------------------------------------
injected=0
for mode in first some some some; do
	restore_stick
	run "power off" "$ctl" power "$hub" "$port" off
	if ((rc == 0)); then
		t "$mode: ... the port is off" consistent off
	else
		t "$mode: ... the port is on or off, as the module says" consistent on off
	fi
	run "power on" "$ctl" power "$hub" "$port" on
	if ((rc == 0)); then
		t "$mode: ... the port is on" consistent on
	else
		t "$mode: ... the port is on or off, as the module says" consistent on off
	fi
done
t "switches: failures were injected into each ($injected)" \
	each_op_met_failures "power off" "power on"

# --- leases ----------------------------------------------------------------
# A holder that fails or is killed leaves the port off.
injected=0
for mode in first some some some; do
	restore_stick
	"$ctl" power "$hub" "$port" off >/dev/null
	faults "$mode"
	"$ctl" power "$hub" "$port" on --hold >"$out/out" 2>"$out/err" &
	holder=$!
	# The hub, not the module, is asked while failures are armed.
	wait_for 10 bash -c "! kill -0 $holder 2>/dev/null || uhubctl -l ${hub#usb} -p $port | grep -qE 'Port $port: [0-9a-f]{4} power'"
	kill -9 "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	holder=
	faults_done lease
	t "$mode: a lease's holder gone, the port goes off" wait_for 10 consistent off
	sleep 1
	t "$mode: ... and stays off" consistent off
done
t "leases: failures were injected ($injected)" each_op_met_failures lease

# --- asynchronous cycles (pizwgctl uses PIZWG_A_ASYNC on family v2) -------
injected=0
for mode in first some some some; do
	restore_stick
	run "cycle" "$ctl" power "$hub" "$port" cycle --off-ms 300
	if ((rc == 0)); then
		t "$mode: ... the port is on again" wait_for 5 consistent on
	else
		t "$mode: ... the port is on or off, as the module says" wait_for 5 consistent on off
	fi
done
t "cycles: failures were injected ($injected)" each_op_met_failures cycle

# --- a hub re-probe with the port guarded (the USB notifier's path) -------
injected=0
if rmmod pizwg && insmod "$ko" "guard=$hub:$port" && text_range; then
	for mode in first some some; do
		faults "$mode"
		reprobe authorized
		sleep 2
		faults_done reprobe
		# A failed off is retried, at most 5 s apart (PIZWG_RETRY_MAX_MS).
		t "$mode: a re-probe leaves the guarded port off" wait_for 10 consistent off
	done
	t "re-probes: failures were injected ($injected)" each_op_met_failures reprobe
	rmmod pizwg
	t "the module loads again without the guard" insmod "$ko"
else
	echo "not ok - reload with guard=$hub:$port"
	tap_failed=1
fi

faults_off
t "with failures off, the stick comes back" restore_stick
t "the module answers" "$ctl" hubs "$hub"
tap_done
