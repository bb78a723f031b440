#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Two independent 16 MiB random streams at once through one session, client
# -> stick (fakestick --mode sink hashes what arrives) and stick -> client
# (fakestick --mode source at 256 KiB/s, hashed by the client), each
# byte-exact.
# TAP. Run by tests/serve/suite inside the VM. The stand-in passes it.

# The checks are functions called through t, which shellcheck cannot follow;
# lib.sh functions with optional arguments are called without.
# shellcheck disable=SC2317,SC2119
set -uo pipefail
# shellcheck source=tests/serve/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

n=$((16 * 1024 * 1024))
head -c "$n" /dev/urandom >"$T/up.bin"
up_sum=$(sha256_of "$T/up.bin")

conf_write "$T/pizwgd.conf"
fake_start sink --bytes "$n"
t server_starts_serving_the_stick start_serving "$T/pizwgd.conf"

session_starts() {
	stream_start "$T/up.bin" "$T/down.bin" && wait_log "$re_started" 45
}
t stream_client_gets_a_session session_starts
# Only now: bytes from the stick while no client is connected are not part
# of any session. Paced at 256 KiB/s, 23 times a 115200-baud stick's line
# rate: unpaced, the kernel drops data between cdc-acm and the tty when the
# reader only just keeps up (see --rate in tests/fakestick/fakestick.c).
fake_start source --bytes "$n" --rate 262144

client_to_stick_is_byte_exact() {
	local got
	got=$(fake_result sink 180) || return 1
	[[ $got == "sink $n $up_sum" ]] && return 0
	echo "# the stick received: $got; the client sent: $n $up_sum"
	return 1
}
t client_to_stick_16mib_arrive_byte_exact client_to_stick_is_byte_exact

# What the server counted and what TCP holds, for a stalled stream.
stream_diagnose() {
	local ns
	grep -h '^pizwg_session_bytes_total' /run/pizwg/metrics/*.prom |
		sed 's/^/# /'
	for ns in pz-srv pz-cli; do
		echo "# $ns:"
		ip netns exec "$ns" ss -tni | sed 's/^/#   /'
	done
	tail -n 5 "$server_log" | sed 's/^/# server: /'
}

stick_to_client_is_byte_exact() {
	local sent got
	sent=$(fake_result source 180) || return 1
	wait_for 180 size_at_least "$T/down.bin" "$n" || {
		echo "# the client received $(stat -c %s "$T/down.bin") of $n bytes"
		stream_diagnose
		return 1
	}
	got="source $(stat -c %s "$T/down.bin") $(sha256_of "$T/down.bin")"
	[[ $got == "$sent" ]] && return 0
	echo "# the stick sent: $sent; the client received: $got"
	return 1
}
t stick_to_client_16mib_arrive_byte_exact stick_to_client_is_byte_exact

client_stop
t server_exits_0_on_sigterm server_stop
tap_done
