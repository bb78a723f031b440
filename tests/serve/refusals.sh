#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Who does not get the stick. While nobody has it, a client without a
# certificate, one from another CA, one with an expired certificate,
# plaintext garbage, a TLS 1.1-only client, one that sends nothing (dropped
# after 2 s) and one that never finishes its handshake (after 5 s) are each
# refused and counted with the reason, logged with it when it is the first
# of its reason in 10 s, and nothing is fenced. While one client's session
# streams (random bytes the stick echoes back), a second client with a
# valid certificate is refused as busy, and so is each of the above; the
# session's stream never stalls and comes back byte-exact. Then a client
# whose network vanishes without a FIN is dropped within 3x
# tcp_user_timeout (5 s here), and the stick fenced and served again.
# TAP. Run by tests/serve/suite inside the VM. Only pizwgd passes the
# checks written t_pizwgd (the stand-in's socat logs no refusals, accepts
# one connection at a time and has no TCP user timeout).

# The checks are functions called through t, which shellcheck cannot follow;
# lib.sh functions with optional arguments are called without.
# shellcheck disable=SC2317,SC2119
set -uo pipefail
# shellcheck source=tests/serve/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mint_expired_client "$T/expired.pem" || bail "cannot make an expired client certificate"
mint_foreign_client "$T/foreign.pem" || bail "cannot make a client of another CA"

conf_write "$T/pizwgd.conf"
fake_start echo
t server_starts_serving_the_stick start_serving "$T/pizwgd.conf"

# --- the comers -------------------------------------------------------------------

# intruder NAME [tls_addr ARGS...]: a socat client sends a Z-Wave frame and
# must be done within 20 s without receiving a byte.
intruder() {
	local name=$1 rc
	shift
	printf '\x01\x03\x00\x15\xe9' | timeout 20 ip netns exec pz-cli \
		socat -d -d -t 5 - "$(tls_addr "$@")" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	if ((rc == 124)); then
		echo "# $name: still connected after 20 s"
		return 1
	fi
	[[ -s $T/$name.out ]] || return 0
	echo "# $name received: $(od -An -tx1 "$T/$name.out" | head -n 2)"
	return 1
}

garbage() {
	printf 'this is not TLS\r\n\x01\x03\x00\x15\xe9' | timeout 20 \
		ip netns exec pz-cli socat -t 5 - "TCP:$srv_addr:$listen_port" \
		>"$T/garbage.out" 2>&1
	(($? != 124)) || { echo "# garbage: still connected after 20 s"; return 1; }
}

# OpenSSL 3.0 sends a TLS 1.1 ClientHello only at security level 0.
tls11_client() {
	timeout 20 ip netns exec pz-cli openssl s_client -tls1_1 \
		-cipher DEFAULT@SECLEVEL=0 -connect "$srv_addr:$listen_port" \
		-cert "$client_pem" -key "$client_pem" -CAfile "$ca_crt" \
		</dev/null >"$T/tls11.out" 2>&1
	case $? in
	0) echo "# the TLS 1.1 client got a session"; return 1 ;;
	124) echo "# tls11: still connected after 20 s"; return 1 ;;
	esac
}

# silent_client MIN MAX: connects and sends nothing; the server drops it
# after MIN to MAX seconds.
silent_client() {
	ip netns exec pz-cli python3 - "$srv_addr" "$listen_port" "$1" "$2" <<'EOF'
import socket, sys, time

try:
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
except OSError as e:
    sys.exit(f"# the silent client could not connect: {e}")
s.settimeout(40)
start = time.monotonic()
try:
    while s.recv(4096):
        pass
except OSError:
    pass
took = time.monotonic() - start
print(f"# the silent client was dropped after {took:.1f} s")
sys.exit(0 if float(sys.argv[3]) <= took <= float(sys.argv[4]) else 1)
EOF
}

# trickling_client MIN MAX: starts a ClientHello and never finishes it,
# a byte every 0.2 s; the server drops it after MIN to MAX seconds.
trickling_client() {
	ip netns exec pz-cli python3 - "$srv_addr" "$listen_port" "$1" "$2" <<'EOF'
import socket, sys, time

s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
start = time.monotonic()
s.sendall(b"\x16\x03\x01\x40\x00")
try:
    while time.monotonic() - start < 40:
        s.sendall(b"\x01")
        time.sleep(0.2)
except OSError:
    pass
took = time.monotonic() - start
print(f"# the trickling client was dropped after {took:.1f} s")
sys.exit(0 if float(sys.argv[3]) <= took <= float(sys.argv[4]) else 1)
EOF
}

# counted_more REASON N: more than N refusals counted for REASON.
counted_more() {
	(($(hs_failures "$1") > $2))
}

# refused_for REASON ERE COMMAND...: COMMAND (an attempt) succeeds, the
# server counts a refusal for REASON, and, unless ERE is empty, logs one
# matching ERE (refusals of one reason are logged once per 10 s).
refused_for() {
	local label=$1 why=$2 before
	shift 2
	before=$(hs_failures "$label")
	"$@" || return 1
	if ! wait_for 5 counted_more "$label" "$before"; then
		echo "# no refusal counted for $label"
		return 1
	fi
	[[ -z $why ]] || wait_log "$re_refused.*($why)" 15
}

# --- while nobody has the stick ---------------------------------------------------

t_pizwgd client_without_a_cert_is_refused_for_it \
	refused_for no_certificate 'peer did not return a certificate' intruder nocert -c -
t_pizwgd client_with_a_cert_from_another_ca_is_refused_for_it \
	refused_for bad_certificate \
	'unable to get local issuer certificate|certificate signature failure' \
	intruder foreign -c "$T/foreign.pem"
t_pizwgd client_with_an_expired_cert_is_refused_for_it \
	refused_for expired_certificate 'certificate has expired' \
	intruder expired -c "$T/expired.pem"
t_pizwgd plaintext_garbage_is_refused_for_it \
	refused_for protocol 'wrong version number|http request|packet length too long' \
	garbage
# a protocol refusal again within 10 s: counted, not logged
t_pizwgd tls11_only_client_is_refused_for_it \
	refused_for protocol '' tls11_client
# 2 s and 5 s, within 3x for the emulated machine
t_pizwgd client_that_sends_nothing_is_dropped_after_2_s \
	refused_for timeout 'handshake timeout: nothing sent' silent_client 1.5 6
t_pizwgd client_that_never_finishes_its_handshake_is_dropped_after_5_s \
	refused_for timeout '' trickling_client 4.5 15

nothing_but_refusals() {
	! grep -E "$re_started|$re_ended|$re_fenced" "$server_log"
}
t refusals_start_no_session_and_fence_nothing nothing_but_refusals

# --- while a session streams ------------------------------------------------------

sent=$T/sent.bin
echoed=$T/echoed.bin
first_session_streams() {
	stream_start_live "$sent" "$echoed" && wait_log "$re_started" 45 &&
		wait_for 20 size_at_least "$echoed" 65536
}
t first_client_gets_a_session_that_streams first_session_streams

# refused_while_streaming REASON ERE COMMAND...: as refused_for, and the first
# session's echoes keep arriving (within 5 s of the refusal: an attempt may
# take less time than a chunk of the feed).
refused_while_streaming() {
	local before
	before=$(stat -c %s "$echoed")
	refused_for "$@" || return 1
	wait_for 5 size_at_least "$echoed" $((before + 1)) && return 0
	echo "# the first session's stream stalled"
	return 1
}

t_pizwgd second_client_with_a_valid_cert_is_refused_as_busy \
	refused_while_streaming busy 'busy' intruder second
t_pizwgd client_without_a_cert_is_refused_while_busy \
	refused_while_streaming busy '' intruder nocert2 -c -
t_pizwgd client_with_a_cert_from_another_ca_is_refused_while_busy \
	refused_while_streaming busy '' intruder foreign2 -c "$T/foreign.pem"
t_pizwgd client_with_an_expired_cert_is_refused_while_busy \
	refused_while_streaming busy '' intruder expired2 -c "$T/expired.pem"
t_pizwgd plaintext_garbage_is_refused_while_busy \
	refused_while_streaming busy '' garbage
t_pizwgd tls11_only_client_is_refused_while_busy \
	refused_while_streaming busy '' tls11_client
t_pizwgd silent_client_is_dropped_while_busy \
	refused_while_streaming busy '' silent_client 0 30

first_stream_is_byte_exact() {
	local n
	stream_feed_stop || return 1
	n=$(stat -c %s "$sent")
	wait_for 60 size_at_least "$echoed" "$n"
	if ! cmp -s "$sent" "$echoed"; then
		echo "# sent $n bytes, got back $(stat -c %s "$echoed"): $(cmp "$sent" "$echoed" 2>&1)"
		return 1
	fi
	echo "# $n bytes went to the stick and back"
}
t first_session_stream_comes_back_byte_exact first_stream_is_byte_exact
t first_session_never_ended no_line "$server_log" "$re_ended"

client_stop
t server_exits_0_on_sigterm server_stop

# --- a client that vanishes -----------------------------------------------------

conf_write "$T/vanish.conf" tcp_user_timeout=5
fake_stop echo
: >"$T/nothing"
t server_with_tcp_user_timeout_5_serves start_serving "$T/vanish.conf"

# The stick streams to the client, so the server has bytes in flight when
# the client's network goes.
stick_streams_to_client() {
	stream_start "$T/nothing" "$T/vanish.bin" && wait_log "$re_started" 45 &&
		fake_start source --bytes $((1 << 30)) &&
		wait_for 20 size_at_least "$T/vanish.bin" 262144
}
t stick_streams_to_a_client stick_streams_to_client

vanished_client_is_dropped() {
	local start
	start=$(now_ms)
	net_cut
	wait_log "$re_ended" 20 || return 1
	echo "# the session ended $(($(now_ms) - start)) ms after the network vanished"
	(($(now_ms) - start <= 15000))
}
t_pizwgd session_of_a_client_whose_network_vanished_ends_within_15_s \
	vanished_client_is_dropped
t_pizwgd stick_is_fenced_and_served_again_after_the_vanished_client \
	fenced_then_serving
net_restore
client_stop
# The source fails when the fence hangs its tty up: that is expected.
fake_stop source >/dev/null
t server_exits_0_on_sigterm_after_the_vanished_client server_stop
tap_done
