#!/usr/bin/env bash
# lint.sh: the kernel-side lint, as TAP on stdout.
#
#   1. checkpatch.pl --strict (from linux-source-6.12) on kernel/ and
#      include/uapi/: no ERROR, WARNING or CHECK.
#   2. kernel-doc -Wall: every documented function and structure complete.
#   3. sparse (make C=2) on the module against the stock headers: no
#      warning at all.
# Userspace lint is the compiler itself: every userspace target builds
# with -Wall -Wextra -Werror.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

src=$(source_tree)
kver=$(stock_kver) || die "no stock kernel headers (run: make deps)"
cd "$UEVT_TOP" || exit 1
n=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

files=$(git ls-files 'kernel/*.c' 'kernel/*.h' 'include/uapi/*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find kernel include/uapi -name '*.[ch]')
# SPDX and MAINTAINERS checks only make sense inside the kernel tree.
# shellcheck disable=SC2086
out=$(perl "$src/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES -f $files 2>&1 | grep -E '(ERROR|WARNING|CHECK):')
[ -z "$out" ]
result $? "lint: checkpatch --strict on kernel/ and include/uapi/"
[ -n "$out" ] && echo "$out" | sed 's/^/# /'

# shellcheck disable=SC2086
out=$(perl "$src/scripts/kernel-doc" -Wall -none $files 2>&1)
[ -z "$out" ]
result $? "lint: kernel-doc -Wall on kernel/ and include/uapi/"
[ -n "$out" ] && echo "$out" | sed 's/^/# /'

out=$("$UEVT_TOP/scripts/build-module.sh" "/usr/src/linux-headers-$kver" "$BUILD/mod/sparse" C=2 2>&1 |
	grep -E 'warning:|error:')
[ -z "$out" ]
result $? "lint: sparse on uevt.ko ($kver headers)"
[ -n "$out" ] && echo "$out" | sed 's/^/# /'
echo "1..$n"
