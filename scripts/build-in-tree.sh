#!/usr/bin/env bash
# build-in-tree.sh: prove that uevt builds as in-tree code of linux-source-6.12.
#
# Makes a hard-linked copy of the extracted tree (a file we change is
# replaced by a new one, never written through a link), adds uevt to
# kernel/trace (its sources, include/uapi/linux/uevt.h, Kconfig.uevt
# sourced from kernel/trace/Kconfig, Makefile.uevt included from
# kernel/trace/Makefile), configures it like the debug kernel plus
# CONFIG_UEVT=m, and compiles kernel/trace/uevt.o with W=1.  Any warning
# or error fails it.  Output: build/intree/build.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$(source_tree)
debug=$("$UEVT_TOP/scripts/build-kernel.sh" debug)
tree=$BUILD/intree/src
out=$BUILD/intree/out
mkdir -p "$BUILD/intree" "$out"
if [ ! -f "$tree/.uevt-linked" ]; then
	rm -rf "$tree"
	cp -al "$src" "$tree"
	touch "$tree/.uevt-linked"
fi

# Replace, never write through a hard link into the shared source tree.
put() { # put SRC DEST
	install -m 0644 "$1" "$tree/$2.uevt-new"
	mv "$tree/$2.uevt-new" "$tree/$2"
}
cd "$UEVT_TOP"
for f in kernel/trace/uevt*.[ch] kernel/trace/Kconfig.uevt kernel/trace/Makefile.uevt; do
	put "$f" "$f"
done
put include/uapi/linux/uevt.h include/uapi/linux/uevt.h
{ cat "$src/kernel/trace/Kconfig"; echo 'source "kernel/trace/Kconfig.uevt"'; } >"$BUILD/intree/Kconfig"
put "$BUILD/intree/Kconfig" kernel/trace/Kconfig
{ cat "$src/kernel/trace/Makefile"; echo 'include $(srctree)/kernel/trace/Makefile.uevt'; } >"$BUILD/intree/Makefile"
put "$BUILD/intree/Makefile" kernel/trace/Makefile

{
	cp "$debug/.config" "$out/.config"
	echo CONFIG_UEVT=m >>"$out/.config"
	make -C "$tree" O="$out" olddefconfig
	grep -qx CONFIG_UEVT=m "$out/.config" || { echo "CONFIG_UEVT did not stick"; exit 1; }
	make -C "$tree" O="$out" -j"$(($(nproc) + 1))" modules_prepare
	rm -f "$out/kernel/trace/uevt"*.o
	make -C "$tree" O="$out" W=1 kernel/trace/uevt.o
} >"$BUILD/intree/build.log" 2>&1 || {
	tail -n 30 "$BUILD/intree/build.log" >&2
	die "in-tree build failed; full log: $BUILD/intree/build.log"
}
if grep -E 'warning:|error:' "$BUILD/intree/build.log"; then
	die "in-tree build warned; full log: $BUILD/intree/build.log"
fi
[ -f "$out/kernel/trace/uevt.o" ] || die "no kernel/trace/uevt.o"
echo "$out/kernel/trace/uevt.o"
