#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The metrics of a live pair, with the real tools: h1 master serving a
# client, h2 backup. Each host's pizwgd.prom passes `promtool check
# metrics`; Debian's prometheus-node-exporter, started in each host's
# namespace with that textfile directory, serves the pizwg_ series on
# 127.0.0.1:9100; the VRRP state, stick power and adverts are right there;
# `pizwgctl status` reads the same file. TAP. Run by tests/ha/suite inside
# the VM.

# The checks are functions called through t, which shellcheck cannot follow;
# checks written eval '...' expand when they run.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
# shellcheck source=tests/ha/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

for tool in promtool prometheus-node-exporter; do
	command -v "$tool" >/dev/null || {
		skip metrics_with_the_real_tools "$tool is not installed (tests/deps)"
		exit 0
	}
done

# exporter H: node_exporter in H's namespace, textfile collector only
exporter() {
	ip netns exec "$1" timeout 120 prometheus-node-exporter \
		--web.listen-address=127.0.0.1:9100 \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$T/metrics-$1" \
		>"$T/exporter-$1.log" 2>&1 &
	track "$!"
}

# scrape H: node_exporter's /metrics of H into $T/scrape-H (10 s at most)
scrape() {
	local i
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$1" python3 -c 'import sys, urllib.request
with urllib.request.urlopen("http://127.0.0.1:9100/metrics", timeout=2) as r:
    sys.stdout.write(r.read().decode())' >"$T/scrape-$1" 2>/dev/null &&
			return 0
		sleep 0.1
	done
	sed 's/^/# /' "$T/exporter-$1.log"
	return 1
}

# served H LINE-START: the scrape of H has a line starting so
served() {
	grep -q "^$2" "$T/scrape-$1" && return 0
	echo "# not in $1's scrape: $2"
	grep '^pizwg_vrrp_state\|^pizwg_stick_powered' "$T/scrape-$1" |
		sed 's/^/#   /'
	return 1
}

promtool_ok() {
	local out
	out=$(promtool check metrics <"$T/metrics-$1/pizwgd.prom" 2>&1) &&
		return 0
	echo "# ${out//$'\n'/$'\n'# }"
	return 1
}

ha_start h1 priority=200
t h1_master wait_state h1 MASTER 15
t h1_serves wait_host h1 "$re_serving" 12
ha_start h2
t h2_backup wait_state h2 BACKUP 15
t client_round_trip_with_h1 ha_session h1
# the file is rewritten on changes and at least every 10 s
sleep 2
for h in h1 h2; do
	t "promtool_check_metrics_passes_on_${h}s_file" promtool_ok "$h"
	exporter "$h"
	t "node_exporter_in_${h}_serves_metrics" scrape "$h"
	t "node_exporter_in_${h}_reads_pizwgd_prom_without_error" served "$h" \
		'node_textfile_scrape_error 0'
done
t scrape_h1_vrrp_master served h1 \
	"pizwg_vrrp_state{gateway=\"$gw\",state=\"master\"} 1"
t scrape_h1_stick_powered served h1 "pizwg_stick_powered{gateway=\"$gw\"} 1"
t scrape_h1_session_active served h1 "pizwg_sessions_active{gateway=\"$gw\"} 1"
t scrape_h2_vrrp_backup served h2 \
	"pizwg_vrrp_state{gateway=\"$gw\",state=\"backup\"} 1"
t scrape_h2_stick_off served h2 "pizwg_stick_powered{gateway=\"$gw\"} 0"
t h1_sent_adverts metric_at_least h1 5 pizwg_vrrp_adverts_sent_total
t h2_received_them metric_at_least h2 5 pizwg_vrrp_adverts_received_total
status_says() {
	local out
	out=$("$pizwgctl" status --metrics "$T/metrics-$1/pizwgd.prom" 2>&1)
	echo "# $1: $out"
	[[ $out == *"$2"* ]]
}
t pizwgctl_status_h1_master status_says h1 "stick on session active vrrp master"
t pizwgctl_status_h2_backup status_says h2 "stick off session none vrrp backup"
ha_finish
