#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A record that arrives in part: an authenticated client sends all but the
# last 3 bytes of a TLS record, stalls 6 s, then sends the rest. pizwgd must
# not spin meanwhile (under 0.3 s of CPU in 3 s) and must relay the record
# once it is whole. Before Linux 6.5, kernel TLS has no poll of its own:
# TCP's says readable while the record is incomplete and recvmsg() says
# EAGAIN, so a level-triggered watch spins; hence on every kernel we test.
# TAP. Run by tests/serve/suite inside the VM.

# The checks are functions called through t, which shellcheck cannot follow.
# shellcheck disable=SC2317,SC2119
set -uo pipefail
# shellcheck source=tests/serve/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# cpu_ns PID: CPU time of PID's main thread, ns
cpu_ns() {
	local run _
	read -r run _ <"/proc/$1/task/$1/schedstat" || return 1
	echo "$run"
}

conf_write "$T/pizwgd.conf"
fake_start zwave
t server_starts_serving_the_stick start_serving "$T/pizwgd.conf"

partial_record_client() {
	ip netns exec pz-cli python3 - "$srv_addr" "$listen_port" "$ca_crt" "$client_pem" <<'EOF'
import socket, ssl, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(sys.argv[3])
ctx.load_cert_chain(sys.argv[4])
raw = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
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
raw.sendall(out.read())
time.sleep(1)  # the server's session starts, kernel TLS on
o.write(bytes.fromhex("01030015e9"))
rec = out.read()
raw.sendall(rec[:-3])
print("partial", flush=True)
time.sleep(6)
raw.sendall(rec[-3:])
# the stick's answer: at least its ACK
got, end = b"", time.monotonic() + 10
while not got and time.monotonic() < end:
    try:
        got += o.read(4096)
    except ssl.SSLWantReadError:
        d = raw.recv(65536)
        if not d:
            break
        inc.write(d)
print("answer", got.hex(), flush=True)
raw.close()
EOF
}

no_busy_loop_on_a_partial_record() {
	local before after rc=0 pid
	partial_record_client >"$T/partial.out" 2>&1 &
	pid=$!
	track "$pid"
	if ! wait_log "$re_started" 15 || ! wait_for 10 grep -q partial "$T/partial.out"; then
		sed 's/^/# /' "$T/partial.out"
		return 1
	fi
	before=$(cpu_ns "$server_pid")
	sleep 3
	after=$(cpu_ns "$server_pid")
	echo "# pizwgd used $(((after - before) / 1000000)) ms of CPU in 3 s with a record in part"
	(((after - before) < 300000000)) || rc=1
	# the whole record reached the stick, whose answer (ACK first) came
	# back; the client's close ends the session
	wait "$pid" || rc=1
	grep -q '^answer 06' "$T/partial.out" || rc=1
	sed 's/^/# /' "$T/partial.out"
	wait_log "$re_ended" 15 && wait_log "$re_fenced" 15 && server_serving || rc=1
	return "$rc"
}
t_pizwgd partial_record_then_a_stall_does_not_spin no_busy_loop_on_a_partial_record

t server_exits_0_on_sigterm server_stop
tap_done
