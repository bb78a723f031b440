# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The reviewed suppression list (tests/vm/debug-suppress), read the same way
# by tests/vm/klog and tests/vm/kmemleak, which source this file. Each line
# is "KIND ERE"; KIND is the script the entry is for.

# suppress_read FILE KIND: appends the ERE of each "KIND ERE" line of FILE
# to the array `suppress`. Exits 2 if FILE cannot be read.
suppress_read() {
	local kind re
	[[ -r $1 ]] || { echo "${0##*/}: cannot read '$1'" >&2; exit 2; }
	while read -r kind re || [[ -n $kind ]]; do
		[[ $kind == "$2" && -n $re ]] && suppress+=("$re")
	done <"$1"
	return 0
}

# suppress_ere FIRST: FIRST, then "|ERE" for each entry of `suppress`.
suppress_ere() {
	local out=$1 re
	for re in "${suppress[@]}"; do
		out+="|$re"
	done
	printf '%s' "$out"
}
