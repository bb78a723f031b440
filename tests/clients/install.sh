#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Installs the pinned zwave-js packages (package-lock.json) outside the tree:
#   $PIZWG_CLIENTS_CACHE/npm            npm's download cache
#   $PIZWG_CLIENTS_CACHE/<lockhash>/    package.json, package-lock.json, node_modules/
# <lockhash> is the first 16 hex digits of the lockfile's sha256, so a new
# lockfile gets a new directory and an old one is reused as is.  Runs npm as
# the unprivileged system user pizwg-npm (created if missing) when run as
# root.  --ignore-scripts: the only install script in the tree is
# @serialport/bindings-cpp's (node-gyp-build), and its prebuilt
# linux-x64/arm/arm64 binaries ship inside the npm tarball.
# Prints the node_modules path on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${PIZWG_CLIENTS_CACHE:-/var/cache/pizwg-clients}
hash=$(sha256sum "$here/package-lock.json" | cut -c1-16)
dir=$cache/$hash

as_user=()
if [ "$(id -u)" = 0 ]; then
	id pizwg-npm >/dev/null 2>&1 ||
		useradd --system --no-create-home --home-dir "$cache" --shell /usr/sbin/nologin pizwg-npm
	mkdir -p "$cache"
	chown pizwg-npm: "$cache"
	as_user=(runuser -u pizwg-npm --)
fi

if [ ! -f "$dir/.installed" ] || ! cmp -s "$here/package-lock.json" "$dir/package-lock.json"; then
	"${as_user[@]}" mkdir -p "$dir" "$cache/npm"
	"${as_user[@]}" cp "$here/package.json" "$here/package-lock.json" "$dir/"
	(cd "$dir" && "${as_user[@]}" env HOME="$cache" npm_config_update_notifier=false \
		npm ci --ignore-scripts --no-audit --no-fund --cache "$cache/npm" >&2)
	"${as_user[@]}" touch "$dir/.installed"
fi
echo "$dir/node_modules"
