#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Image build, step 1 (in the aarch64 chroot): pacman's keys, the Raspberry
# Pi kernel with its headers (for DKMS), and the packages the image runs.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# The chroot has no resolver of its own (resolv.conf may point into /run);
# 90-read-only.sh puts the original (file or link) back.
saved=/etc/resolv.conf.pizwg-build
if [[ ! -e $saved && ! -L $saved ]]; then
	mv /etc/resolv.conf "$saved"
	echo 'nameserver 1.1.1.1' >/etc/resolv.conf
fi

pacman-key --init
pacman-key --populate archlinuxarm
pacman -Syu --noconfirm

# linux-rpi: the Raspberry Pi Foundation's kernel, the one whose headers
# (linux-rpi-headers) DKMS builds pizwg.ko against. Older tarballs came
# with the mainline linux-aarch64 and U-Boot instead, which name the SD
# card mmcblk1 rather than mmcblk0.
mainline=()
for p in linux-aarch64 uboot-raspberrypi; do
	if pacman -Q "$p" >/dev/null 2>&1; then
		mainline+=("$p")
	fi
done
if ((${#mainline[@]})); then
	say "replacing ${mainline[*]} with linux-rpi"
	pacman -Rdd --noconfirm "${mainline[@]}"
	sed -i 's/mmcblk1/mmcblk0/g' /etc/fstab
fi
pacman -S --noconfirm --needed linux-rpi linux-rpi-headers dkms \
	prometheus-node-exporter openssh iproute2
