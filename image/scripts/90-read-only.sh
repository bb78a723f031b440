#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Image build, last step: tidy up and make the root read-only from the first
# boot on (ro edits fstab, cmdline.txt and journald's configuration; it
# mounts nothing with --root). pizwg-firstboot remounts it writable for
# the moment it needs.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

saved=/etc/resolv.conf.pizwg-build
if [[ -e $saved || -L $saved ]]; then
	mv -f -T "$saved" /etc/resolv.conf
fi
# The package cache is of no use on a read-only root (pacman -Scc would
# keep it: --noconfirm answers its question with the default, no).
rm -f /var/cache/pacman/pkg/*
# man-db's daily cache rebuild would fail on a read-only root.
systemctl mask man-db.timer man-db.service
ro --root /
