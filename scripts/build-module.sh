#!/usr/bin/env bash
# build-module.sh KDIR OUTDIR [MAKE ARGS...]
#
# Build uevt.ko against the kernel build directory KDIR in OUTDIR, so one
# source tree serves several kernels at once (out-of-tree Kbuild writes its
# objects next to the sources).  Prints nothing but errors and warnings.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: build-module.sh KDIR OUTDIR [MAKE ARGS...]"
kdir=$1
out=$2
shift 2
[ -f "$kdir/Makefile" ] || die "no kernel build directory at $kdir (set KDIR=, or install the headers)"

mkdir -p "$out/kernel" "$out/include"
# rsync-like copy that keeps timestamps, so unchanged objects are not rebuilt.
cp -a --update "$UEVT_TOP/kernel/." "$out/kernel/"
cp -a --update "$UEVT_TOP/include/." "$out/include/"
make -s -C "$kdir" M="$out/kernel/trace" "$@" modules
