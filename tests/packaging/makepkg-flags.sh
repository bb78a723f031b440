# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The compiler and linker flags of Arch Linux ARM's /etc/makepkg.conf
# (aarch64), pinned as ALARM-built PKGBUILDs quote them
# (-fstack-protector-strong, _FORTIFY_SOURCE=2): what makepkg exports to
# a PKGBUILD's build() as CPPFLAGS, CFLAGS and LDFLAGS. On another machine -march=armv8-a becomes
# the machine's own, the one flag gcc would refuse there. Sourced by
# tests/packaging/test-hardening and test-pkgbuild, which read the
# makepkg_* variables (hence SC2034).

case $(uname -m) in
aarch64) makepkg_march=-march=armv8-a ;;
x86_64) makepkg_march=-march=x86-64 ;;
*) makepkg_march= ;;
esac
# shellcheck disable=SC2034
makepkg_cppflags=
# shellcheck disable=SC2034
makepkg_cflags="$makepkg_march -O2 -pipe -fstack-protector-strong -fno-plt -fexceptions -Wp,-D_FORTIFY_SOURCE=2 -Wformat -Werror=format-security -fstack-clash-protection"
# shellcheck disable=SC2034
makepkg_ldflags="-Wl,-O1 -Wl,--sort-common -Wl,--as-needed -Wl,-z,relro -Wl,-z,now"
