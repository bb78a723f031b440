#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# How sessions end: when the client closes, after inactivity_timeout (when
# set: a quiet session with the defaults lives on), and when the stick is
# unplugged, the session ends, the stick's port is
# switched off (seen by pizwgctl monitor) and, with on_session_end =
# restart, switched on and served again; exec:PROGRAM runs PROGRAM once,
# after the fence, before serving again, with SIGPIPE at its default; one
# that outlives exec_timeout is killed with what it started, logged, and
# the stick served again; --check-config refuses a program in /tmp and a
# key not owned by root; a stick that does not enumerate
# (wrong serial) is retried with a doubling back-off, never served, and no
# session-end action runs. SIGTERM leaves the port off.
# TAP. Run by tests/serve/suite inside the VM. Only pizwgd passes the
# checks written t_pizwgd (the stand-in neither fences nor times out).

# The checks are functions called through t, which shellcheck cannot follow;
# lib.sh functions with optional arguments are called without.
# shellcheck disable=SC2317,SC2119
set -uo pipefail
# shellcheck source=tests/serve/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

monitor_start
fake_start zwave

# The exec: program records that it ran and whether the stick was still
# enumerated (device BUS-PORT of the root hub) when it did.
on_end=$T/on-session-end
on_end_log=$T/on-session-end.log
cat >"$on_end" <<EOF
#!/bin/sh
if [ -e /sys/bus/usb/devices/${hub#usb}-$port ]; then s=on; else s=off; fi
echo "ran with the stick \$s" >>"$on_end_log"
EOF
chmod 755 "$on_end"

# session: a client's session has started and a round trip works.
session() {
	client_start && wait_log "$re_started" 45 && roundtrip
}

# ended_because ERE: the session ended, for a reason matching ERE.
ended_because() {
	wait_log "$re_ended.*($1)" "${2:-15}"
}

# --- the client closes ------------------------------------------------------------

conf_write "$T/restart.conf"
t server_starts_serving_the_stick start_serving "$T/restart.conf"
skip_lines "$monitor_log"
t client_gets_a_session session
client_stop
t_pizwgd session_ends_when_the_client_closes ended_because 'client closed'
t_pizwgd port_is_switched_off_after_the_client_closed wait_power off 15
t_pizwgd fenced_then_served_again_with_restart fenced_then_serving
t_pizwgd port_is_switched_on_again_to_serve wait_power on 15
t round_trip_works_in_the_next_session session
client_stop
ended_and_served_again() {
	ended_because 'client closed' && fenced_then_serving
}
t_pizwgd next_session_ends_and_is_served_again ended_and_served_again
skip_lines "$monitor_log"
t server_exits_0_on_sigterm server_stop
t_pizwgd port_is_off_after_sigterm wait_power off 10

# --- inactivity -------------------------------------------------------------------

conf_write "$T/idle.conf" inactivity_timeout=10
t server_with_inactivity_timeout_10_serves start_serving "$T/idle.conf"
t idle_client_gets_a_session session
idle_since=$(now_ms)

# Ends 10 s after the last byte (not before 9.5 s, within 3x).
ends_after_10_s_idle() {
	local took
	ended_because 'inactiv' 35 || return 1
	took=$(($(now_ms) - idle_since))
	echo "# the idle session ended after $took ms"
	((took >= 9500 && took <= 30000))
}
t_pizwgd session_ends_after_10_s_of_inactivity ends_after_10_s_idle
t_pizwgd fenced_then_served_again_after_inactivity fenced_then_serving
client_stop
t server_exits_0_on_sigterm_after_inactivity server_stop

# --- a quiet session, shipped defaults ------------------------------------------------
# A quiet Z-Wave network can go minutes without a byte: by default
# (inactivity_timeout = 0) no limit ends its session. Quiet here for 15 s,
# half as long again as the limit that ended the session above.
conf_write "$T/quiet.conf"
t server_with_the_default_inactivity_timeout_serves start_serving "$T/quiet.conf"
t quiet_client_gets_a_session session
quiet_session_lives() {
	sleep 15
	no_line "$server_log" "$re_ended" && roundtrip
}
t_pizwgd quiet_session_is_not_ended_after_15_s_by_default quiet_session_lives
client_stop
t server_exits_0_on_sigterm_after_the_quiet_session server_stop

# --- the stick is unplugged -------------------------------------------------------

# Whatever happens below, the next test finds the stick plugged in.
replug() {
	[[ -n $(cat /sys/kernel/config/usb_gadget/pizwg0/UDC) ]] ||
		tests/vm/sticks bind 0 >/dev/null
}
at_exit replug

conf_write "$T/unplug.conf" enumerate_timeout=3
t server_serves_before_the_unplug start_serving "$T/unplug.conf"
t client_gets_a_session_before_the_unplug session
skip_lines "$monitor_log"
t stick_is_unplugged tests/vm/sticks unbind 0
# The tty's hangup may reach the server before the module's tty-removed
# event does: either reason says the stick went.
t_pizwgd session_ends_when_the_stick_vanishes \
	ended_because 'stick vanished|tty error: '
t_pizwgd fenced_after_the_stick_vanished wait_log "$re_fenced" 15
t_pizwgd port_is_switched_off_after_the_stick_vanished wait_power off 15
t_pizwgd missing_stick_fails_enumeration_and_backs_off \
	wait_log "$re_enum_failed" 30
# The port is off for the back-off, so sticks bind may not see the stick
# within its own 20 s; serving it is what counts.
tests/vm/sticks bind 0 >/dev/null
client_stop
t_pizwgd replugged_stick_is_served_again server_serving
t round_trip_works_after_the_replug session
client_stop
t server_exits_0_on_sigterm_after_the_replug server_stop

# --- exec:PROGRAM -----------------------------------------------------------------

conf_write "$T/exec.conf" "on_session_end=exec:$on_end"
t server_with_an_exec_action_serves start_serving "$T/exec.conf"
t client_gets_a_session_before_the_exec_action session
client_stop

program_ran_after_the_fence() {
	wait_log "$re_fenced" 15 && wait_for 15 test -s "$on_end_log" &&
		[[ $(cat "$on_end_log") == "ran with the stick off" ]] && return 0
	echo "# $on_end_log: $(cat "$on_end_log" 2>&1)"
	return 1
}
t_pizwgd exec_program_runs_after_the_fence_with_the_stick_off \
	program_ran_after_the_fence
t_pizwgd served_again_after_the_exec_program server_serving
ran_once() {
	[[ $(wc -l 2>/dev/null <"$on_end_log") == 1 ]]
}
t_pizwgd exec_program_ran_once ran_once
t server_exits_0_on_sigterm_after_the_exec_action server_stop

# --- exec: a program that never ends -------------------------------------------------

# It records the signals it ignores (SigIgn; SIGPIPE is 0x1000: pizwgd
# ignores it, and pizwgd started in the background ignores SIGINT and
# SIGQUIT too) and its child's pid, then waits for that child: a sleep longer than any
# test, which the timeout must kill too.
hang=$T/hang
hang_log=$T/hang.log
cat >"$hang" <<EOF
#!/bin/sh
sed -n 's/^SigIgn:[[:space:]]*//p' /proc/\$\$/status >"$hang_log"
sleep 3600 &
echo \$! >>"$hang_log"
wait
EOF
chmod 755 "$hang"
conf_write "$T/hang.conf" "on_session_end=exec:$hang" exec_timeout=2
t server_with_a_hanging_exec_program_serves start_serving "$T/hang.conf"
t client_gets_a_session_before_the_hanging_program session
skip_lines "$server_log"
client_stop

signals_at_default() {
	local ign
	wait_for 15 test -s "$hang_log" || return 1
	read -r ign <"$hang_log"
	echo "# SigIgn of the program: $ign; of pizwgd: $(sed -n \
		's/^SigIgn:[[:space:]]*//p' "/proc/$server_pid/status")"
	[[ $ign == 0000000000000000 ]]
}
t_pizwgd exec_program_gets_every_signal_sigpipe_too_at_its_default \
	signals_at_default
t_pizwgd exec_program_is_killed_after_exec_timeout wait_log \
	"^<4>$re_gw: ${hang//./\\.} still runs after 2 s: killing it\$" 15
t_pizwgd exec_program_killed_is_logged wait_log \
	"^<4>$re_gw: ${hang//./\\.} killed by signal 9\$" 5
children_killed_too() {
	local pid
	pid=$(sed -n 2p "$hang_log")
	[[ -n $pid ]] && wait_for 5 eval "! kill -0 $pid 2>/dev/null"
}
t_pizwgd exec_program_children_are_killed_too children_killed_too
t_pizwgd served_again_after_the_killed_program server_serving
t round_trip_works_after_the_killed_program session
client_stop
t server_exits_0_on_sigterm_after_the_killed_program server_stop

# --- exec: only root may change the program; the key is root's ----------------------

# check_config_refuses CONF REASON_ERE: --check-config exits 2 with one line
check_config_refuses() {
	local out rc=0
	out=$("$server" --check-config -c "$1" 2>&1) || rc=$?
	echo "# exit $rc: $out"
	((rc == 2)) && [[ $out =~ ^pizwgd:\ ${1//./\\.}:[0-9]+:\ $2$ ]]
}
tmp_prog=$(mktemp /tmp/pizwg-on-end.XXXXXX)
at_exit rm -f "$tmp_prog"
cp "$on_end" "$tmp_prog"
chmod 755 "$tmp_prog"
conf_write "$T/tmp-prog.conf" "on_session_end=exec:$tmp_prog"
t_pizwgd check_config_refuses_a_program_in_sticky_tmp check_config_refuses \
	"$T/tmp-prog.conf" \
	"on_session_end: ${tmp_prog//./\\.}: directory /tmp has mode 1777: group or others can write it"
conf_write "$T/ok-prog.conf" "on_session_end=exec:$on_end"
t_pizwgd check_config_accepts_a_program_only_root_can_change \
	"$server" --check-config -c "$T/ok-prog.conf"
cp -p "$srv_key" "$T/other.key"
chown 1000 "$T/other.key"
conf_write "$T/other-key.conf" "key=$T/other.key"
t_pizwgd check_config_refuses_a_key_not_owned_by_root check_config_refuses \
	"$T/other-key.conf" \
	"key: ${T//./\\.}/other\\.key: owned by uid 1000, not root; chown root it"

# --- enumeration failure ------------------------------------------------------------

rm -f "$on_end_log"
conf_write "$T/wrong-serial.conf" serial=NOT-THIS-STICK enumerate_timeout=3 \
	"on_session_end=exec:$on_end"
t server_with_a_wrong_serial_starts server_start "$T/wrong-serial.conf"

retry_in() {
	[[ $line =~ retrying\ in\ ([0-9]+)\ s$ ]] && echo "${BASH_REMATCH[1]}"
}

# The second attempt comes after the first back-off, and backs off twice
# as long.
enumeration_backs_off_doubling() {
	local first second at
	wait_log "$re_enum_failed" 30 || return 1
	at=$(now_ms)
	first=$(retry_in)
	wait_log "$re_enum_failed" $((first + 30)) || return 1
	second=$(retry_in)
	echo "# retrying in $first s, then $second s, $(($(now_ms) - at)) ms apart"
	((second == 2 * first && $(now_ms) - at >= first * 1000 - 500))
}
t_pizwgd wrong_serial_fails_enumeration_with_a_doubling_back_off \
	enumeration_backs_off_doubling
never_served() {
	! grep -E "$re_serving" "$server_log"
}
t_pizwgd stick_with_a_wrong_serial_is_never_served never_served

port_is_off() {
	"$pizwgctl" hubs "$hub" | grep -q "port $port power off"
}
t_pizwgd port_is_off_while_backing_off port_is_off
t_pizwgd no_session_end_action_after_enumeration_failures \
	test ! -e "$on_end_log"
t server_exits_0_on_sigterm_while_backing_off server_stop
tap_done
