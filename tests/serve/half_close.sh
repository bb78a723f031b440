#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# How a session ends when the client stops sending. A request piped into
# socat (`printf FRAME | socat - openssl-connect:...`, socat sends its
# close_notify at the end of its input): on TLS 1.3 the stick's answer
# still reaches the client within close_grace, and the session ends as
# "client closed"; on TLS 1.2 the session ends at once (RFC 5246), also as
# "client closed". A client that drops the TCP connection without a
# close_notify, in userspace TLS (ktls = off), is "client closed" too, not
# a TLS error; so is one that resets right after its close_notify while
# the stick's answer is on its way (no spin on the dead socket).
# TAP. Run by tests/serve/suite inside the VM.

# The checks are functions called through t, which shellcheck cannot follow.
# shellcheck disable=SC2317,SC2119
set -uo pipefail
# shellcheck source=tests/serve/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fake_start zwave

# piped_request [tls_addr ARGS...]: GetControllerVersion piped into socat,
# which waits up to 5 s for answers after its close_notify; prints them.
piped_request() {
	printf '\x01\x03\x00\x15\xe9' | timeout 20 ip netns exec pz-cli \
		socat -t 5 - "$(tls_addr "$@")" 2>"$T/piped.err" | od -An -tx1 |
		tr -s ' \n' ' ' | sed 's/^ //; s/ $//'
}

half_closed_request_gets_its_answer() {
	local got
	got=$(piped_request)
	if [[ $got != "$zw_version_answer" ]]; then
		echo "# got '$got', want '$zw_version_answer'"
		return 1
	fi
	wait_log "$re_ended""client closed\$" 10
}

conf_write "$T/pizwgd.conf" close_grace=3000
t server_starts_serving_the_stick start_serving "$T/pizwgd.conf"
t_pizwgd tls13_request_piped_into_socat_gets_its_answer \
	half_closed_request_gets_its_answer
t_pizwgd stick_is_fenced_and_served_again_after_the_half_close \
	fenced_then_serving

tls12_half_close_ends_at_once() {
	piped_request openssl-max-proto-version=TLS1.2 >/dev/null
	wait_log "$re_started.*TLSv1\\.2" 10 &&
		wait_log "$re_ended""client closed\$" 10
}
t_pizwgd tls12_request_piped_into_socat_ends_the_session_as_client_closed \
	tls12_half_close_ends_at_once
t_pizwgd stick_is_fenced_and_served_again_after_the_tls12_close \
	fenced_then_serving
t server_exits_0_on_sigterm server_stop

# A TLS 1.3 client that closes its socket without a close_notify.
eof_client() {
	ip netns exec pz-cli python3 - "$srv_addr" "$listen_port" "$ca_crt" "$client_pem" <<'EOF'
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(sys.argv[3])
ctx.load_cert_chain(sys.argv[4])
raw = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
s = ctx.wrap_socket(raw, server_hostname="pizwg-server")
s.sendall(b"\x06")
s.close()  # no close_notify: only the TCP FIN
EOF
}

eof_is_client_closed() {
	eof_client || return 1
	wait_log "$re_started" 15 && wait_log "$re_ended""client closed\$" 10
}
conf_write "$T/ktls-off.conf" ktls=off
t server_with_ktls_off_serves start_serving "$T/ktls-off.conf"
t_pizwgd eof_without_close_notify_in_userspace_tls_is_client_closed \
	eof_is_client_closed

# A TLS 1.3 client that sends a request, its close_notify, then resets the
# connection (socat when its -t runs out, or the host gone) before the
# stick answers, in userspace TLS. The failed write of the answer is the
# session's end (OpenSSL 3.0 reports it as the peer's close again); it
# must not spin on the dead socket for ever, holding the stick.
reset_after_close_notify_client() {
	ip netns exec pz-cli python3 - "$srv_addr" "$listen_port" "$ca_crt" "$client_pem" <<'EOF'
import socket, ssl, struct, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(sys.argv[3])
ctx.load_cert_chain(sys.argv[4])
raw = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
o = ctx.wrap_bio(inc, out, server_hostname="pizwg-server")
while True:
    try:
        o.do_handshake()
        break
    except ssl.SSLWantReadError:
        raw.sendall(out.read())
        d = raw.recv(65536)
        if not d:
            sys.exit("closed during the handshake")
        inc.write(d)
o.write(bytes.fromhex("01030015e9"))  # GetControllerVersion
try:
    o.unwrap()  # our close_notify; we do not wait for theirs
except ssl.SSLWantReadError:
    pass
raw.sendall(out.read())
raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
raw.close()  # a reset
EOF
}

reset_after_close_notify_ends() {
	reset_after_close_notify_client || return 1
	wait_log "$re_started" 15 && wait_log "$re_ended""client closed\$" 10 &&
		fenced_then_serving
}
t_pizwgd reset_after_close_notify_with_an_answer_pending_ends_the_session \
	reset_after_close_notify_ends
t server_exits_0_on_sigterm_after_the_eof server_stop
tap_done
