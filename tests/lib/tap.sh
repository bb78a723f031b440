# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# TAP helpers for shell tests: source this file, call t NAME COMMAND... for
# each check, and finish with tap_done, which exits non-zero on any failure.

tap_failed=0

# t NAME COMMAND...: runs COMMAND and prints "ok - NAME" or "not ok - NAME".
t() {
	local name=$1
	shift
	if "$@"; then
		echo "ok - $name"
	else
		echo "not ok - $name"
		tap_failed=1
	fi
}

# t_timing NAME COMMAND...: as t, for a deadline (a tty gone within 1 s).
# Deadlines are asserted on Debian's kernels only: with PIZWG_NO_TIMING=1
# (the debug kernel's leg, KASAN and lockdep under TCG) COMMAND still runs,
# for what it prints, and the check is reported skipped.
t_timing() {
	if [[ ${PIZWG_NO_TIMING:-} == 1 ]]; then
		"${@:2}" || echo "# $1: missed (not asserted here)"
		skip "$1" "deadlines are asserted on Debian's kernels only"
	else
		t "$@"
	fi
}

# skip NAME REASON
skip() {
	echo "ok - $1 # SKIP $2"
}

tap_done() {
	exit "$tap_failed"
}
