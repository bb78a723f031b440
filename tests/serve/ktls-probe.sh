#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# pizwgd's kernel TLS receive module (userspace/pizwgd/ktls.c) against the
# running kernel, without the daemon: build/tests/ktls-probe runs loopback
# TLS 1.3 sessions for each suite the kernel takes (data, close_notify,
# KeyUpdate, zero-copy decryption and a client that pads its records) and
# prints TAP, which this passes through. Run by tests/serve/suite in the VM,
# after ktls.sh (which needs the tls module never loaded before it).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
if ! modprobe tls; then
	echo "not ok 1 - modprobe tls"
	exit 1
fi
timeout -k 5 120 build/tests/ktls-probe
