#!/usr/bin/env bash
# build-upstream-tests.sh: upstream's user_events selftests and sample,
# built unchanged from linux-source-6.12 into build/upstream/, to run
# against uevt.ko under tools/uevt-run (notes/upstream-tests.md says what
# each one opens and expects).
#
#   build/upstream/{abi_test,ftrace_test,perf_test,dyn_test}
#       tools/testing/selftests/user_events/*.c; they include
#       ../kselftest_harness.h and user_events_selftests.h from the source
#       tree itself, next to them.
#   build/upstream/example
#       samples/user_events/example.c (interactive: waits for Enter).
#   build/upstream/include/linux/user_events.h
#       the tree's uapi header, in place of a headers_install: Debian 12's
#       linux-libc-dev (6.1) has no <linux/user_events.h>, and 6.1's had
#       another ABI anyway.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(source_tree)
out=$BUILD/upstream
tests=$src/tools/testing/selftests/user_events
hdr=$src/include/uapi/linux/user_events.h
CC=${CC:-gcc}

# headers_install rewrites __user and friends and drops __KERNEL__
# sections; this header has none, so a copy is the installed header.
if grep -qE '__user|__KERNEL__|<linux/compiler' "$hdr"; then
	die "$hdr now needs headers_install's rewriting; copying it is no longer enough"
fi
mkdir -p "$out/include/linux"
cmp -s "$hdr" "$out/include/linux/user_events.h" || cp "$hdr" "$out/include/linux/user_events.h"

# build NAME SOURCE LIBS CFLAGS...: only when SOURCE, the headers it
# includes, the header or this script changed.
build() {
	local name=$1 source=$2 libs=$3 dep
	shift 3
	for dep in "$source" "$tests/../kselftest_harness.h" "$tests/../kselftest.h" \
		"$tests/user_events_selftests.h" "$out/include/linux/user_events.h" "$0"; do
		if [ ! "$out/$name" -nt "$dep" ]; then
			echo "  CC      $out/$name"
			# shellcheck disable=SC2086 # LIBS is a list
			"$CC" "$@" -o "$out/$name" "$source" $libs
			return
		fi
	done
}

# The flags of tools/testing/selftests/lib.mk (-D_GNU_SOURCE=, the uapi
# headers with -isystem) and of user_events/Makefile (-Wl,-no-as-needed
# -Wall, -lrt -lpthread -lm), plus -Werror like every userspace target
# here: upstream's sources build without a warning.
for t in abi_test ftrace_test perf_test dyn_test; do
	build "$t" "$tests/$t.c" "-lrt -lpthread -lm" \
		-D_GNU_SOURCE= -Wl,-no-as-needed -Wall -Werror -isystem "$out/include"
done
# samples/user_events/Makefile: -Wall and the installed uapi headers.
build example "$src/samples/user_events/example.c" "" -Wall -Werror -isystem "$out/include"
