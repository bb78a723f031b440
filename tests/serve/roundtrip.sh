#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A socat client in another network namespace, connected as users connect,
# gets the fake stick's answer to GetControllerVersion through the server.
# TAP. Run by tests/serve/suite inside the VM. The stand-in passes it.

# The checks are functions called through t, which shellcheck cannot follow;
# lib.sh functions with optional arguments are called without.
# shellcheck disable=SC2317,SC2119
set -uo pipefail
# shellcheck source=tests/serve/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

conf_write "$T/pizwgd.conf"
fake_start zwave
t server_starts_serving_the_stick start_serving "$T/pizwgd.conf"

client_session_starts() {
	client_start && wait_log "$re_started" 45 &&
		[[ $line == *", TLSv1.3 TLS_AES_256_GCM_SHA384, "* ]]
}
t socat_client_gets_a_tls13_session client_session_starts

t get_controller_version_returns_the_stick_answer roundtrip
t a_second_request_in_the_same_session_is_answered_too roundtrip

client_stop
t server_exits_0_on_sigterm server_stop
tap_done
