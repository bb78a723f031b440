# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# dummy_hcd's SuperSpeed root hub pairs, for the USB3 module tests (sourced
# after `modprobe dummy_hcd num=N is_super_speed=1`): fills the associative
# array `root` with hsI and ssI (the USB2 and USB3 root hub of controller
# dummy_hcd.I, e.g. usb1 and usb2), or prints "not ok" and exits 1 when
# one of the N pairs is missing.

# usb3_roots N
usb3_roots() {
	local d p n k
	declare -gA root=()
	for d in /sys/bus/usb/devices/usb*; do
		p=$(readlink -f "$d")
		[[ $p =~ /dummy_hcd\.([0-9]+)/usb[0-9]+$ ]] || continue
		n=${BASH_REMATCH[1]}
		if [[ $(cat "$d/speed") -ge 5000 ]]; then
			root[ss$n]=${d##*/}
		else
			root[hs$n]=${d##*/}
		fi
	done
	for ((n = 0; n < $1; n++)); do
		for k in hs$n ss$n; do
			[[ -n ${root[$k]:-} ]] || { echo "not ok - no $k root hub (${root[*]})"; exit 1; }
		done
	done
}
