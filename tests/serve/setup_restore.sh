#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Credentials survive a backup: pizwg-setup's backup.tar, restored with
# pizwg-restore into a second root (without the CA key), serves a socat
# client that uses the restored client PEM (round trip), and a new client
# that pizwg-setup --ca-from signs from that backup; and so does a backup.tar
# in the layout
# of the earlier ser2net-based PiZWG (self-signed RSA server and client
# certificates, made as tests/setup/test-setup makes them), whose client
# keeps its old files.
# TAP. Run by tests/serve/suite inside the VM. The stand-in passes it.

# The checks are functions called through t, which shellcheck cannot follow;
# lib.sh functions with optional arguments are called without.
# shellcheck disable=SC2317,SC2119
set -uo pipefail
# shellcheck source=tests/serve/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fake_start zwave

# serves_restored ROOT CLIENT-CAFILE: the server runs on ROOT's restored
# server files and a client with ROOT's client PEM gets a round trip.
serves_restored() {
	local e=$1/etc/pizwg
	conf_write "$T/restored.conf" "cert=$e/server.crt" "key=$e/server.key" \
		"ca=$e/clients.pem"
	start_serving "$T/restored.conf" &&
		client_start -c "$1/root/pizwg-client.pem" -a "$2" &&
		wait_log "$re_started" 45 && roundtrip
	local rc=$?
	client_stop
	server_stop || rc=1
	return "$rc"
}

# restore_into ROOT TAR: pizwg-restore TAR into the new directory ROOT.
restore_into() {
	mkdir "$1" && "$pizwg_restore" --root "$1" "$2" >/dev/null
}

# --- a pizwg-setup backup -----------------------------------------------------------

new=$T/new
t setup_backup_restores_into_a_second_root \
	restore_into "$new" "$T/root/root/backup.tar"
t restored_setup_backup_serves_its_restored_client \
	serves_restored "$new" "$new/etc/pizwg/ca.crt"

# new_client_from_backup ROOT TAR: a new client for ROOT, which holds no CA
# key, signed with the CA key of TAR.
new_client_from_backup() {
	local old_pem
	old_pem=$(cat "$1/root/pizwg-client.pem") &&
		[[ ! -e $1/etc/pizwg/ca.key ]] &&
		"$pizwg_setup" --root "$1" --ca-from "$2" >/dev/null &&
		[[ ! -e $1/etc/pizwg/ca.key ]] &&
		[[ $(cat "$1/root/pizwg-client.pem") != "$old_pem" ]]
}
t ca_from_signs_a_new_client_on_the_restored_root \
	new_client_from_backup "$new" "$T/root/root/backup.tar"
t restored_setup_serves_the_client_signed_from_the_backup \
	serves_restored "$new" "$new/etc/pizwg/ca.crt"

# --- a backup of the earlier ser2net-based PiZWG -------------------------------------

o=$T/old
allowed=usr/share/ser2net/auth/pizwg-client/allowed_certs
self_signed() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$1" \
		-keyout "$2" -out "$3" >/dev/null 2>&1
}
make_old_backup() {
	mkdir -p "$o/etc/ser2net" "$o/root" "$o/$allowed" "$o/other" &&
		self_signed pizwg-server "$o/etc/ser2net/ser2net.key" \
			"$o/etc/ser2net/ser2net.crt" &&
		self_signed pizwg-client "$o/other/client.key" "$o/other/client.crt" &&
		cat "$o/other/client.key" "$o/other/client.crt" \
			>"$o/root/pizwg-client.pem" &&
		cp "$o/other/client.crt" "$o/$allowed/pizwg-client.crt" &&
		tar -C "$o" -cf "$T/old.tar" etc/ser2net/ser2net.key \
			etc/ser2net/ser2net.crt root/pizwg-client.pem \
			"$allowed/pizwg-client.crt"
}
t old_layout_backup_is_made make_old_backup

old=$T/old-restored
t old_layout_backup_restores restore_into "$old" "$T/old.tar"
# The old client checks the server against the server's self-signed
# certificate, which it already has.
t restored_old_backup_serves_the_old_client \
	serves_restored "$old" "$o/etc/ser2net/ser2net.crt"
tap_done
