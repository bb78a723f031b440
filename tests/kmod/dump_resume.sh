#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Dumps resume by a stable key (issue 15, item 11): the kselftests
# *_dump_resumes_by_key_across_a_removal remove a tty (a stick unbound) or
# a hub (the VM's external hub, removed through sysfs) between two parts
# of a dump; every other entry must come exactly once. A dump of two parts
# needs more than a page: for ttys, the 8 sticks u_serial allows with
# 120-character USB strings; for hubs, 56 root hubs (28 SuperSpeed
# dummy_hcd controllers). Run at the
# end of tests/vm/suite, with no sticks up and pizwg.ko not loaded; leaves
# them so.
#
# Also called back by the kselftest: dump_resume.sh remove tty|hub NAME
# removes it and waits (5 s at most) until it is gone.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

if [[ ${1:-} == remove ]]; then
	case $2 in
	tty)
		i=$(tests/vm/sticks list | awk -v t="tty=$3" '$6 == t { print $2 }')
		[[ -n $i ]] && tests/vm/sticks unbind "$i" >/dev/null
		;;
	hub)
		[[ $3 == *-* && -e /sys/bus/usb/devices/$3/remove ]] &&
			echo 1 >"/sys/bus/usb/devices/$3/remove"
		for _ in $(seq 50); do
			[[ -e /sys/bus/usb/devices/$3 ]] || exit 0
			sleep 0.1
		done
		exit 1
		;;
	*) exit 2 ;;
	esac
	exit
fi

# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh
ko=build/kmod/$(uname -r)/pizwg.ko
# shellcheck disable=SC2317  # called through the trap
cleanup() {
	rmmod pizwg 2>/dev/null
	tests/vm/sticks down >/dev/null 2>&1
}
trap cleanup EXIT

# long_strings I: stick I re-enumerates with 120-character strings.
# shellcheck disable=SC2317  # called through t
long_strings() {
	local d=/sys/kernel/config/usb_gadget/pizwg$1/strings/0x409 f
	tests/vm/sticks unbind "$1" >/dev/null || return 1
	for f in manufacturer product serialnumber; do
		printf '%s-%s%0120d\n' "$f" "$1" 0 | cut -c1-120 >"$d/$f" || return 1
	done
	tests/vm/sticks bind "$1" >/dev/null
}

t "8 sticks up" bash -c 'tests/vm/sticks up 8 >/dev/null'
for i in $(seq 0 7); do
	t "stick $i with long strings" long_strings "$i"
done
t "insmod" insmod "$ko"
PIZWG_TEST_DUMP_REMOVE="$PWD/tests/kmod/dump_resume.sh remove" \
	build/tests/pizwg_test -t tty_dump_resumes_by_key_across_a_removal ||
	tap_failed=1
t "rmmod" rmmod pizwg
t "sticks down" bash -c 'tests/vm/sticks down >/dev/null'

t "56 dummy_hcd root hubs" modprobe dummy_hcd num=28 is_super_speed=1
t "insmod" insmod "$ko"
PIZWG_TEST_DUMP_REMOVE="$PWD/tests/kmod/dump_resume.sh remove" \
	build/tests/pizwg_test -t hub_dump_resumes_by_key_across_a_removal ||
	tap_failed=1
tap_done
