#!/usr/bin/env bash
# scan-log.sh LOG...
#
# Fail (exit 1) when a guest console log holds a kernel splat, printing
# each one with some context.  The log must also hold the final dmesg dump
# the guest's /init writes; a log without it (guest crashed or was killed)
# is a failure too, because the scan would have seen only part of it.
set -euo pipefail

# One extended regular expression per kind of report, shared with the
# guest runner, which attributes each splat to the test that caused it.
# (The line of '=' is how SLUB's own checks, slub_debug, open a report.)
regex=$(paste -sd'|' "$(dirname "$0")/../selftests/splat-patterns")

bad=0
for log in "$@"; do
	if [ ! -f "$log" ]; then
		echo "scan-log: $log: missing" >&2
		bad=1
		continue
	fi
	if ! grep -q '^UEVT-DMESG-END' "$log"; then
		echo "scan-log: $log: no final kernel log dump (guest crashed, hung or was killed)" >&2
		bad=1
	fi
	if grep -qE "$regex" "$log"; then
		echo "scan-log: $log: kernel splat:" >&2
		grep -nE -B2 -A20 "$regex" "$log" | head -n 120 >&2
		bad=1
	fi
done
exit "$bad"
