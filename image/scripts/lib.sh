# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The steps of the image build that are plain file edits, one function each,
# sourced by the provisioning scripts (which pass ROOT=/, the image in the
# build chroot) and by tests/packaging/test-image (which passes a scratch
# tree). Every function is idempotent, edits under ROOT only, and replaces
# files by rename. Failures end the build: callers run with set -e.

# The content between these lines in a file belongs to the image build.
PIZWG_BEGIN='# pizwg image: begin (written by the PiZWG image build)'
PIZWG_END='# pizwg image: end'

say() {
	echo "pizwg-image: $*"
}

# write_file FILE MODE: FILE (made with its directories) gets stdin, by
# rename, with MODE; left alone when it has that content and mode already.
write_file() {
	local file=$1 mode=$2 tmp
	mkdir -p -- "${file%/*}"
	tmp=$(mktemp "${file%/*}/.${file##*/}.XXXXXX")
	cat >"$tmp"
	chmod "$mode" "$tmp"
	if cmp -s -- "$tmp" "$file" &&
		[[ $(stat -c %a -- "$file") == "$(stat -c %a -- "$tmp")" ]]; then
		rm -f -- "$tmp"
	else
		mv -f -- "$tmp" "$file"
	fi
}

# set_block FILE: FILE keeps what it has outside our block and ends with
# the block, whose body is stdin. A FILE that does not exist is made. (The
# old FILE is read to its end before write_file renames the new one.)
set_block() {
	local file=$1 body mode=0644
	body=$(cat)
	if [[ -e $file ]]; then
		mode=$(stat -c %a -- "$file")
	fi
	{
		if [[ -e $file ]]; then
			awk -v b="$PIZWG_BEGIN" -v e="$PIZWG_END" '
				$0 == b { skip = 1; next }
				$0 == e { skip = 0; next }
				!skip' "$file"
		fi
		printf '%s\n%s\n%s\n' "$PIZWG_BEGIN" "$body" "$PIZWG_END"
	} | write_file "$file" "$mode"
}

# SSH: keys only, for root only. sshd takes the first value it reads for a
# keyword, so our drop-in is included before anything in sshd_config.
configure_sshd() {
	local root=$1 conf=$1/etc/ssh/sshd_config
	write_file "$root/etc/ssh/sshd_config.d/10-pizwg.conf" 0644 <<'EOF'
# PiZWG: no password login over SSH at all; root logs in with a key from
# /root/.ssh/authorized_keys (taken from the boot partition at first boot).
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AuthenticationMethods publickey
EOF
	# The Include must come first, whether or not sshd_config has one of
	# its own further down (a second inclusion changes nothing).
	local include='Include /etc/ssh/sshd_config.d/*.conf' first
	first=$(grep -m1 -vE '^[[:space:]]*(#|$)' "$conf" || true)
	if [[ $first != "$include" ]]; then
		{
			echo "$include"
			cat -- "$conf"
		} | write_file "$conf" "$(stat -c %a -- "$conf")"
	fi
}

# Host keys are made at first boot, so that no two hosts share them.
remove_host_keys() {
	rm -f -- "$1"/etc/ssh/ssh_host_*
}

# Arch Linux ARM's default user alarm (password alarm) goes, with its home
# and its group (which userdel keeps where login.defs lacks USERGROUPS_ENAB).
remove_alarm_user() {
	local root
	root=$(realpath -- "$1")
	if grep -q '^alarm:' "$root/etc/passwd"; then
		userdel --root "$root" --remove alarm
	fi
	if grep -q '^alarm:' "$root/etc/group"; then
		groupdel --root "$root" alarm
	fi
}

# root's password (Arch Linux ARM's default is "root") is locked: root logs
# in over SSH with a key; set one with passwd for the console if wanted.
lock_root_password() {
	local root=$1
	grep -q '^root:!' "$root/etc/shadow" && return 0
	usermod --root "$(realpath -- "$root")" --lock root
}

# The PoE HAT's fan, as the earlier PiZWG ran it: a slow constant draft
# from 10 °C, then steps at 55, 60 and 65 °C (hysteresis 1 °C at the
# first step, 5 °C above). Temperatures in millidegrees Celsius.
configure_poe_fan() {
	set_block "$1/boot/config.txt" <<'EOF'
[all]
dtoverlay=rpi-poe
dtparam=poe_fan_temp0=10000,poe_fan_temp0_hyst=1000
dtparam=poe_fan_temp1=55000,poe_fan_temp1_hyst=5000
dtparam=poe_fan_temp2=60000,poe_fan_temp2_hyst=5000
dtparam=poe_fan_temp3=65000,poe_fan_temp3_hyst=5000
EOF
}

# node_exporter serves pizwgd's metrics (metrics_dir) on :9100 with its
# textfile collector.
configure_node_exporter() {
	write_file "$1/etc/conf.d/prometheus-node-exporter" 0644 <<'EOF'
# PiZWG: pizwgd writes its metrics to /run/pizwg/metrics (metrics_dir).
NODE_EXPORTER_ARGS="--collector.textfile.directory=/run/pizwg/metrics"
EOF
}

# install_firstboot ROOT SRC: the first-boot service from the source tree.
install_firstboot() {
	local root=$1 src=$2
	install -D -m 0755 "$src/image/pizwg-firstboot" \
		"$root/usr/lib/pizwg/pizwg-firstboot"
	install -D -m 0644 "$src/image/systemd/pizwg-firstboot.service" \
		"$root/usr/lib/systemd/system/pizwg-firstboot.service"
}

# The units the image runs. pizwgd.service starts once a configuration
# exists (pizwg-setup, then /etc/pizwg/pizwgd.conf).
PIZWG_UNITS=(pizwg-firstboot.service pizwgd.service sshd.service
	prometheus-node-exporter.service systemd-timesyncd.service)

enable_units() {
	systemctl --root="$1" enable "${PIZWG_UNITS[@]}"
}
