#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The kernel's own YNL cli (tools/net/ynl, from linux-source-6.12) drives the
# family from kmod/pizwg.yaml alone: a dump, a do and a notification.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/kmod/lib.sh
. tests/kmod/lib.sh

out=$(mktemp -d)
trap 'pkill -f "cli.py.*--subscribe" 2>/dev/null; rm -rf "$out"' EXIT

t "ynl dump get-hub lists the stick's hub, switching individual" \
	bash -c "tools/ynl-run --dump get-hub --output-json | python3 -c '
import json, sys
hubs = json.load(sys.stdin)
h = [h for h in hubs if h[\"hub\"] == \"$hub\"][0]
assert h[\"switching\"] == \"individual\", h
assert any(p.get(\"child\") for p in h[\"port-info\"]), h
'"

tools/ynl-run --subscribe events --sleep 8 --output-json >"$out/events" 2>&1 &
sleep 2
t "ynl do set-port off" tools/ynl-run --do set-port \
	--json "{\"hub\": \"$hub\", \"port\": $port, \"action\": \"off\"}"
t "the tty is gone" wait_for 3 tty_absent
wait
t "ynl received the port-changed notification" \
	python3 -c "
import sys
text = open('$out/events').read()
assert \"'name': 'port-changed'\" in text or '\"name\": \"port-changed\"' in text, text
assert \"'power': 0\" in text or '\"power\": 0' in text, text
"
restore_stick
t "the stick is back" tty_present
tap_done
