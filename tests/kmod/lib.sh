# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Shared by the shell module tests (run inside the VM by tests/vm/suite with
# the module loaded and simulated sticks up): TAP helpers, the first
# stick's hub/port/tty, and bounded waits.

# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

ctl=build/asan/bin/pizwgctl
kver=$(uname -r)
ko=build/kmod/$kver/pizwg.ko
read -r _ _ _ hub port tty _ < <(tests/vm/sticks list | head -n1)
hub=${hub#hub=}
port=${port#port=}
tty=${tty#tty=}
[[ -n $hub && -n $port && -n $tty ]] || { echo "not ok - no simulated stick"; exit 1; }

# wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

port_off_per_uhubctl() {
	uhubctl -l "${hub#usb}" -p "$port" | grep -q "Port $port: 0000 off"
}

port_on_per_uhubctl() {
	uhubctl -l "${hub#usb}" -p "$port" | grep -qE "Port $port: [0-9a-f]{4} power"
}

# stick_tty HUB PORT: a ttyACM of the device on that port exists. Its
# number may differ from the one `sticks list` gave at the start: ttys are
# numbered as they come, and sticks switched off and on trade numbers.
stick_tty() {
	compgen -G "/sys/bus/usb/devices/${1#usb}-$2:*/tty/ttyACM*" >/dev/null
}

# The first stick's tty, whatever its number now.
tty_present() {
	stick_tty "$hub" "$port"
}

tty_absent() {
	[[ ! -e /dev/$tty ]]
}

# Leaves the stick powered, unleased and enumerated.
restore_stick() {
	"$ctl" power "$hub" "$port" on >/dev/null && wait_for 15 tty_present
}

# reprobe HOW: makes the hub driver bind to the root hub again.
reprobe() {
	case $1 in
	authorized)
		echo 0 >"/sys/bus/usb/devices/$hub/authorized" &&
			echo 1 >"/sys/bus/usb/devices/$hub/authorized"
		;;
	rebind)
		echo "$hub" >/sys/bus/usb/drivers/usb/unbind &&
			echo "$hub" >/sys/bus/usb/drivers/usb/bind
		;;
	esac
}

# reload_plain PARAM: unless the module is loaded with PARAM empty, load it
# again without parameters (the scripts that load it with one end so).
reload_plain() {
	if ! grep -q '^pizwg ' /proc/modules ||
		[[ -n $(cat "/sys/module/pizwg/parameters/$1" 2>/dev/null) ]]; then
		rmmod pizwg 2>/dev/null
		insmod "$ko"
	fi
}
