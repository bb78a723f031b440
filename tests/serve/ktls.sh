#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel TLS: with ktls = auto, a TLS 1.3 and a TLS 1.2 session each run on
# kernel TLS in both directions (/proc/net/tls_stat in the server's
# namespace: TlsCurrTxSw and TlsCurrRxSw are 1 during the session, and the
# session's log line says "kernel TLS tx rx", for TLS 1.3 with "(zero-copy
# rx)": TLS_RX_EXPECT_NO_PAD); with ktls = off, and on a
# kernel whose `tls` module cannot load, the same session works through
# userspace TLS and says so.
# TAP. Run by tests/serve/suite inside the VM, first: the case without the
# tls module needs a boot in which nothing has loaded it yet (it tries to
# unload it otherwise, and skips if it cannot). The stand-in passes the
# round trips and the userspace cases; only pizwgd passes the checks
# written t_pizwgd.

# The checks are functions called through t, which shellcheck cannot follow;
# lib.sh functions with optional arguments are called without.
# shellcheck disable=SC2317,SC2119
set -uo pipefail
# shellcheck source=tests/serve/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

no_tls=/etc/modprobe.d/pizwg-test-no-tls.conf
fake_start zwave

# session CONF [tls_addr ARGS...]: the server serves with CONF and a client
# gets a session; $started is the session's log line.
session() {
	local conf=$1
	shift
	started=
	start_serving "$conf" && client_start "$@" &&
		wait_log "$re_started" 45 && started=$line
}

# started_with ERE: the session's log line ends with a match of ERE.
started_with() {
	[[ $started =~ $1$ ]] && return 0
	echo "# session line: '$started'"
	return 1
}

# counters_are CURR-TX CURR-RX TX RX: the server namespace's tls_stat.
counters_are() {
	local got
	got="$(tls_stat TlsCurrTxSw) $(tls_stat TlsCurrRxSw) $(tls_stat TlsTxSw) $(tls_stat TlsRxSw)"
	[[ $got == "$*" ]] && return 0
	echo "# tls_stat TlsCurrTxSw TlsCurrRxSw TlsTxSw TlsRxSw: $got, want $*"
	return 1
}

# session_ends_releasing_ktls TX RX: the client closes; the kernel TLS
# socket is gone and the totals are TX and RX.
session_ends_releasing_ktls() {
	client_stop
	wait_log "$re_ended" 15 || return 1
	wait_for 10 counters_are 0 0 "$1" "$2" >/dev/null && return 0
	counters_are 0 0 "$1" "$2"
}

client_saw() {
	grep -q "N SSL proto version used: $1\$" "$client_log" && return 0
	echo "# the client's log says: $(grep 'SSL proto version' "$client_log")"
	return 1
}

# --- no tls module --------------------------------------------------------------

[[ ! -d /sys/module/tls ]] || modprobe -r tls 2>/dev/null
if [[ -d /sys/module/tls ]]; then
	for c in session_starts_without_the_tls_module \
		session_without_the_tls_module_says_userspace_tls \
		round_trip_works_without_the_tls_module \
		the_tls_module_stays_unloaded; do
		skip "$c" "the tls module is loaded and busy; run ktls.sh first in a fresh boot"
	done
else
	echo "install tls /bin/false" >"$no_tls"
	at_exit rm -f "$no_tls"
	conf_write "$T/auto.conf" ktls=auto
	t session_starts_without_the_tls_module session "$T/auto.conf"
	t session_without_the_tls_module_says_userspace_tls \
		started_with ", userspace TLS( \\(.*\\))?"
	t round_trip_works_without_the_tls_module roundtrip
	t the_tls_module_stays_unloaded test ! -d /sys/module/tls
	client_stop
	t server_exits_0_on_sigterm_without_the_tls_module server_stop
	rm -f "$no_tls"
fi

# From here the kernel offers kernel TLS.
modprobe tls || bail "modprobe tls"

# --- ktls = auto, TLS 1.3 -------------------------------------------------------

tx=$(tls_stat TlsTxSw) rx=$(tls_stat TlsRxSw)
t tls13_session_starts_with_ktls_auto session "$T/auto.conf"
t_pizwgd tls13_session_says_kernel_tls_tx_rx_zero_copy \
	started_with ", TLSv1\\.3 TLS_AES_256_GCM_SHA384, kernel TLS tx rx \\(zero-copy rx\\)"
t round_trip_works_over_tls13 roundtrip
t_pizwgd tls13_session_has_kernel_tls_tx_and_rx_in_tls_stat \
	counters_are 1 1 $((tx + 1)) $((rx + 1))
t_pizwgd tls13_session_end_releases_kernel_tls \
	session_ends_releasing_ktls $((tx + 1)) $((rx + 1))
client_stop
t server_exits_0_on_sigterm_after_tls13 server_stop

# --- ktls = auto, TLS 1.2 -------------------------------------------------------

tx=$(tls_stat TlsTxSw) rx=$(tls_stat TlsRxSw)
t tls12_session_starts_with_ktls_auto \
	session "$T/auto.conf" openssl-max-proto-version=TLS1.2
t the_client_negotiated_tls12 client_saw TLSv1.2
t_pizwgd tls12_session_says_kernel_tls_tx_rx \
	started_with ", TLSv1\\.2 ECDHE-ECDSA-[A-Z0-9-]+, kernel TLS tx rx"
t round_trip_works_over_tls12 roundtrip
t_pizwgd tls12_session_has_kernel_tls_tx_and_rx_in_tls_stat \
	counters_are 1 1 $((tx + 1)) $((rx + 1))
t_pizwgd tls12_session_end_releases_kernel_tls \
	session_ends_releasing_ktls $((tx + 1)) $((rx + 1))
client_stop
t server_exits_0_on_sigterm_after_tls12 server_stop

# --- ktls = off -----------------------------------------------------------------

tx=$(tls_stat TlsTxSw) rx=$(tls_stat TlsRxSw)
conf_write "$T/off.conf" ktls=off
t session_starts_with_ktls_off session "$T/off.conf"
t session_with_ktls_off_says_userspace_tls \
	started_with ", userspace TLS( \\(.*\\))?"
t round_trip_works_with_ktls_off roundtrip
t no_kernel_tls_in_tls_stat_with_ktls_off counters_are 0 0 "$tx" "$rx"
client_stop
t server_exits_0_on_sigterm_after_ktls_off server_stop
tap_done
