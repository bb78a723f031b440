# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Port power judged from outside the module: usbmon's text interface
# records every control request to a hub, the hub driver's own included,
# with microsecond timestamps. Source after tests/kmod/lib.sh, with $out a
# scratch directory; call usbmon_stop from the EXIT trap.

bus=${hub#usb}
devnum=$(printf '%03d' "$(cat "/sys/bus/usb/devices/$hub/devnum")")
modprobe usbmon || { echo "not ok - modprobe usbmon"; exit 1; }
usbmon=/sys/kernel/debug/usb/usbmon/${bus}u
[[ -r $usbmon ]] || { echo "not ok - $usbmon readable"; exit 1; }
mon=

# usbmon_start: records bus $bus's transfers into $out/usbmon, afresh.
usbmon_start() {
	: >"$out/usbmon"
	cat "$usbmon" >"$out/usbmon" &
	mon=$!
	sleep 0.3
}

usbmon_stop() {
	[[ -n $mon ]] || return 0
	kill "$mon" 2>/dev/null
	wait "$mon" 2>/dev/null
	mon=
}

# power_log: "TIMESTAMP_US set|clear" for every PORT_POWER request to our
# hub (control, bus $bus, address $devnum) for our port (bmRequestType 0x23,
# SET_FEATURE 3 / CLEAR_FEATURE 1, wValue 8, wIndex the port).
power_log() {
	local p
	p=$(printf '%04x' "$port")
	awk -v p="$p" -v a="Co:$bus:$devnum:0" '$3 == "S" && $4 == a &&
		$5 == "s" && $6 == "23" && $8 == "0008" && $9 == p {
		print $2, ($7 == "03" ? "set" : ($7 == "01" ? "clear" : "other"))
	}' "$out/usbmon"
}

# window_ms: from the last "set" to the first "clear" after it, in ms;
# fails when there is no such pair.
window_ms() {
	power_log | awk '
		$2 == "set" { s = $1; c = "" }
		$2 == "clear" && s != "" && c == "" { c = $1 }
		END {
			if (s == "" || c == "") exit 1
			d = c - s; if (d < 0) d += 4096000000
			printf "%d\n", d / 1000
		}'
}

# powered_spans: one line per span the port was powered, "START_US MS",
# from each set to the first clear after it; a set never cleared gives
# "START_US open". (usbmon's timestamps wrap every 4096 s; spans are far
# shorter.)
powered_spans() {
	power_log | awk '
		$2 == "set" && s == "" { s = $1 }
		$2 == "clear" && s != "" {
			d = $1 - s; if (d < 0) d += 4096000000
			printf "%s %d\n", s, d / 1000; s = ""
		}
		END { if (s != "") print s, "open" }'
}
