# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The test bed of the HA suite and of `make demo`, inside the VM, before
# tests/ha/lib.sh sets up a scenario: two simulated sticks, pizwg.ko built
# for the running kernel, one set of certificates (pizwg-setup, shared by
# both hosts as a restored backup: $PIZWG_SERVE_CERTS), and one fake stick
# (zwave mode) per simulated stick, answering across power cycles
# (PIZWG_HA_FAKESTICKS=1, their pids in $bed_fakes).
#
# ha_bed_up: 0, or 1 after saying what failed in "# " lines.

ha_bed_up() {
	local kver certs setup_pid gs p
	kver=$(uname -r)
	# pizwg-setup takes about 25 s in the emulated VM: while the sticks
	# come up.
	certs=$(mktemp -d /tmp/ha-certs.XXXXXX) || return 1
	build/bin/pizwg-setup --root "$certs" >"$certs.log" 2>&1 &
	setup_pid=$!
	tests/vm/sticks up 2 | sed 's/^/# /'
	((PIPESTATUS[0] == 0)) || { echo "# simulated sticks failed"; return 1; }
	insmod "build/kmod/$kver/pizwg.ko" ||
		{ echo "# insmod pizwg.ko failed"; return 1; }
	if ! wait "$setup_pid"; then
		echo "# pizwg-setup failed:"
		sed 's/^/#   /' "$certs.log"
		return 1
	fi
	export PIZWG_SERVE_CERTS=$certs
	bed_fakes=()
	while read -r _ _ _ _ _ _ gs; do
		build/bin/fakestick --mode zwave "/dev/${gs#gs=}" >/dev/null \
			2>"/tmp/fakestick-${gs#gs=}.err" &
		bed_fakes+=("$!")
	done < <(tests/vm/sticks list)
	sleep 0.5
	for p in "${bed_fakes[@]}"; do
		kill -0 "$p" 2>/dev/null && continue
		echo "# a fakestick did not start:"
		cat /tmp/fakestick-*.err
		return 1
	done
	export PIZWG_HA_FAKESTICKS=1
}

ha_bed_down() {
	kill "${bed_fakes[@]}" 2>/dev/null
	wait "${bed_fakes[@]}" 2>/dev/null
	rm -rf -- "${PIZWG_SERVE_CERTS:?}" "$PIZWG_SERVE_CERTS.log"
}
