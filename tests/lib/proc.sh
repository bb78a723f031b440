# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Waiting and stopping for shell tests: source this file.

# now_ms: milliseconds of the wall clock.
now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.05 s until it succeeds;
# fails once SECONDS have passed.
wait_for() {
	local deadline
	deadline=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		(($(now_ms) < deadline)) || return 1
		sleep 0.05
	done
}

# stop_pid PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS (default 10),
# showing what the process and its children were doing; reaps it and sets
# $stopped_status to its exit status.
stop_pid() {
	local pid=$1 deadline
	deadline=$(($(now_ms) + ${2:-10} * 1000))
	kill -TERM "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do
		if (($(now_ms) > deadline)); then
			echo "# pid $pid ignored SIGTERM for ${2:-10} s; killing it:"
			ps -eo pid,ppid,stat,wchan:24,args |
				awk -v p="$pid" '$1 == p || $2 == p' | sed 's/^/#   /'
			kill -KILL "$pid" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	wait "$pid" 2>/dev/null
	# shellcheck disable=SC2034 # for the caller
	stopped_status=$?
}
