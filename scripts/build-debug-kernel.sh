#!/usr/bin/env bash
# Build (or reuse) the debug test kernel and print its build directory.
#
# The build lives in UEVT_CACHE under a key made of the linux-source
# version, the config fragment and the compiler, so it is reused across
# clones and rebuilt only when one of those changes.  Both vmlinux and the
# modules are built: out-of-tree modules need Module.symvers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fragment=$UEVT_TOP/scripts/debug-kernel.config
src=$(source_tree)
key=$( { source_version; cat "$fragment"; gcc --version | head -n1; } | sha256sum | cut -c1-16)
out=$UEVT_CACHE/kernel-debug-$key

if [ -f "$out/.complete" ]; then
	echo "$out"
	exit 0
fi

log "building the debug kernel in $out (several minutes, once)"
rm -rf "$out"
mkdir -p "$out"
{
	make -C "$src" O="$out" tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$fragment"
	make -C "$src" O="$out" olddefconfig

	# merge_config.sh only warns when a symbol did not stick; a silently
	# missing checker would make the debug run meaningless, so insist.
	missing=0
	while IFS= read -r line; do
		case "$line" in CONFIG_*=y) ;; *) continue ;; esac
		grep -qx "$line" "$out/.config" || { echo "not set: $line"; missing=1; }
	done <"$fragment"
	[ "$missing" = 0 ] || exit 1

	make -C "$src" O="$out" -j"$(($(nproc) + 1))" bzImage vmlinux modules
} >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	die "debug kernel build failed; full log: $out/build.log"
}
touch "$out/.complete"
echo "$out"
