#!/usr/bin/env bash
# tap-summary.sh TAPFILE...
#
# Count the results of TAP streams and print the failures and one closing
# line "N passed, N failed[, N skipped]".  Exit 1 when anything failed or
# when no test ran at all.  Only unindented "ok"/"not ok" lines count:
# the kselftest harness prints one per test case.
set -euo pipefail

awk '
	/^ok [0-9]+ .*# [Ss][Kk][Ii][Pp]/ { skipped++; next }
	/^ok [0-9]+ /                      { passed++; next }
	/^not ok [0-9]+ .*# [Ss][Kk][Ii][Pp]/ { skipped++; next }
	/^not ok [0-9]+ /                  {
		failed++
		fails = fails sprintf("  %s: %s\n", FILENAME, $0)
		next
	}
	END {
		if (failed) printf "failed:\n%s", fails
		line = sprintf("%d passed, %d failed", passed, failed)
		if (skipped) line = line sprintf(", %d skipped", skipped)
		print line
		exit (failed || passed == 0) ? 1 : 0
	}
' "$@"
