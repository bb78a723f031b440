#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Image build, step 3: SSH with keys only, the first-boot service, no
# alarm user, root's password locked, the PoE HAT fan, node_exporter on
# pizwgd's metrics, and the units enabled. Every step is a function of
# lib.sh, tested on a scratch tree by tests/packaging/test-image.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
: "${PIZWG_SRC:?}"

configure_sshd /
remove_host_keys /
install_firstboot / "$PIZWG_SRC"
remove_alarm_user /
lock_root_password /
configure_poe_fan /
configure_node_exporter /
enable_units /
