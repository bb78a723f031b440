#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Image build, step 2: build the pizwg-dkms and pizwg packages from the dist
# tarball ($PIZWG_TARBALL, unpacked at $PIZWG_SRC) with makepkg, as a
# throwaway unprivileged user (makepkg refuses root), and install them.
# Installing pizwg-dkms builds pizwg.ko for linux-rpi through dkms's pacman
# hook; the step fails if no module came out of it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
: "${PIZWG_SRC:?}" "${PIZWG_TARBALL:?}"

# pkgbuild_array PKGBUILD NAME: the elements of the PKGBUILD's array (or
# string) NAME, one a line.
pkgbuild_array() {
	# shellcheck disable=SC1090
	(. "$1" && declare -n a="$2" && for e in "${a[@]}"; do
		[[ -z $e ]] || printf '%s\n' "$e"
	done)
}

builder=pizwgbuild
work=/tmp/pizwg-pkg
useradd --system --create-home --home-dir "$work" "$builder"

pkgs=()
for name in pizwg-dkms pizwg; do
	dir=$work/$name
	mkdir -p "$dir"
	cp "$PIZWG_SRC/dkms/PKGBUILD-$name" "$dir/PKGBUILD"
	cp "$PIZWG_TARBALL" "$dir/$(pkgbuild_array "$dir/PKGBUILD" source)"
	mapfile -t deps < <(pkgbuild_array "$dir/PKGBUILD" depends &&
		pkgbuild_array "$dir/PKGBUILD" makedepends)
	pacman -S --noconfirm --needed base-devel "${deps[@]}"
	chown -R "$builder:" "$dir"
	(cd "$dir" && runuser -u "$builder" -- makepkg --noconfirm)
	# the package itself, not makepkg's $name-debug companion
	pkgs+=("$dir/$name-$(pkgbuild_array "$dir/PKGBUILD" pkgver)"-*.pkg.tar.*)
done
pacman -U --noconfirm "${pkgs[@]}"

ls /usr/lib/modules/*/updates/dkms/pizwg.ko* >/dev/null ||
	{ echo "pizwg-image: DKMS built no pizwg.ko" >&2; exit 1; }
userdel --remove "$builder"
rm -rf "$work"
