#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The family through generic tools and pizwgctl: genl, libnl's
# genl-ctrl-list, uhubctl as an independent witness, exit codes and messages.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/kmod/lib.sh
. tests/kmod/lib.sh

out=$(mktemp -d)
# shellcheck disable=SC2317  # called through the trap
cleanup() {
	pkill -f "pizwgctl monitor" 2>/dev/null
	ip netns del pizwg-test 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT

# shellcheck disable=SC2016  # expanded by the inner shell
t "genl ctrl shows family pizwg version 2 with group events" \
	bash -c 'o=$(genl ctrl get name pizwg) && grep -q "Version: 0x2" <<<"$o" && grep -q "name: events" <<<"$o"'
t "genl-ctrl-list lists pizwg" bash -c 'genl-ctrl-list | grep -q " pizwg version 2"'

t "pizwgctl hubs shows the stick's hub as individually switchable" \
	bash -c "$ctl hubs | grep -q '^$hub .* switching individual'"
t "pizwgctl hubs shows the stick on its port" \
	bash -c "$ctl hubs $hub | grep -qE '^  port $port power on connected child [0-9]+-[0-9.]+ leased no'"
t "pizwgctl ttys shows the stick's identity" \
	bash -c "$ctl ttys | grep -qE '^$tty .* hub $hub port $port 0658:0200 serial PIZWG-STICK-'"
t "pizwgctl --json hubs and ttys are JSON with the stick" \
	python3 -c "
import json, subprocess, sys
hubs = json.loads(subprocess.check_output(['$ctl', '--json', 'hubs']))
ttys = json.loads(subprocess.check_output(['$ctl', '--json', 'ttys']))
h = [h for h in hubs if h['name'] == '$hub'][0]
assert h['switching'] == 'individual', h
t = [t for t in ttys if t['name'] == '$tty'][0]
assert (t['vendor_id'], t['product_id'], t['hub'], t['port']) == ('0658', '0200', '$hub', $port), t
"

"$ctl" monitor >"$out/monitor" 2>&1 &
ip netns add pizwg-test
ip netns exec pizwg-test "$ctl" --json monitor >"$out/netns-monitor" 2>&1 &
sleep 1

t "power off exits 0" "$ctl" power "$hub" "$port" off
t "after power off the tty is gone" tty_absent
t "uhubctl agrees the port is off" port_off_per_uhubctl
t "power on exits 0" "$ctl" power "$hub" "$port" on
t "after power on the tty comes back" wait_for 15 tty_present
t "uhubctl agrees the port is on" port_on_per_uhubctl
t "power on without --hold leaves the port unleased" \
	bash -c "$ctl hubs $hub | grep -q '^  port $port power on .* leased no'"

t "unknown hub: exit 1, says no such hub" \
	bash -c "o=\$($ctl power usb99 1 off 2>&1); [[ \$? == 1 && \$o == *'no such hub'* ]]"
t "port 0: exit 2, usage error" \
	bash -c "$ctl power $hub 0 off 2>/dev/null; [[ \$? == 2 ]]"
t "unknown action: exit 2, usage error" \
	bash -c "$ctl power $hub $port sideways 2>/dev/null; [[ \$? == 2 ]]"
t "port beyond the hub: exit 1, says out of range" \
	bash -c "o=\$($ctl power $hub 9 off 2>&1); [[ \$? == 1 && \$o == *'out of range'* ]]"
t "without CAP_NET_ADMIN: exit 1, says not permitted, port untouched" \
	bash -c "o=\$(setpriv --reuid=65534 --regid=65534 --clear-groups $ctl power $hub $port off 2>&1); [[ \$? == 1 && \$o == *'not permitted'* ]] && [[ -e /dev/$tty ]]"
ganged=$("$ctl" hubs | awk '/switching none|switching ganged/ { print $1; exit }')
if [[ -n $ganged ]]; then
	t "hub without per-port switching: exit 1, suggests --force" \
		bash -c "o=\$($ctl power $ganged 1 on 2>&1); [[ \$? == 1 && \$o == *'--force'* ]]"
	t "hub without per-port switching: --force switches" \
		"$ctl" power "$ganged" 1 on --force
else
	skip "hub without per-port switching" "none in this VM"
fi

# Lease: a holder killed outright leaves the port switched off by the module.
"$ctl" power "$hub" "$port" on --hold >/dev/null &
holder=$!
t "power on --hold keeps the lease" \
	wait_for 5 bash -c "$ctl hubs $hub | grep -q 'leased yes'"
kill -KILL "$holder"
wait "$holder" 2>/dev/null
t "SIGKILL of the holder switches the port off (3 s)" wait_for 3 port_off_per_uhubctl
t "and removes the tty" wait_for 3 tty_absent
restore_stick

sleep 1
pkill -f "pizwgctl monitor"
sleep 0.5
t "monitor printed tty-removed, cause request" \
	grep -qE "^[0-9]+\.[0-9]{9} tty-removed $tty hub $hub port $port 0658:0200 serial PIZWG-STICK-[0-9]+ cause request$" "$out/monitor"
t "monitor printed port off, cause request" \
	grep -qE "^[0-9]+\.[0-9]{9} port $hub $port power off leased no cause request$" "$out/monitor"
t "monitor printed tty-added, cause request" \
	grep -qE "tty-added $tty hub $hub port $port .* cause request$" "$out/monitor"
t "monitor printed lease expiry" \
	grep -qE "port $hub $port power off leased no cause lease-expiry$" "$out/monitor"
# shellcheck disable=SC2016  # awk's own variables
t "monitor timestamps never go backwards" \
	awk '{ if ($1 + 0 < last) exit 1; last = $1 + 0 }' "$out/monitor"
t "a monitor in another network namespace saw the same events" \
	python3 -c "
import json
evs = [json.loads(l) for l in open('$out/netns-monitor')]
kinds = [(e['event'], e.get('cause')) for e in evs]
assert ('tty-removed', 'request') in kinds and ('port', 'lease-expiry') in kinds, kinds
"
tap_done
