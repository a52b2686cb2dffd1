#!/usr/bin/env bash
# Build (or reuse) a test kernel from linux-source-6.12 and print its build
# directory.
#
#   scripts/build-kernel.sh debug   tinyconfig + kernel/base.config + kernel/debug.config
#                                   (KASAN, lockdep and the other checkers)
#   scripts/build-kernel.sh perf    tinyconfig + kernel/base.config + kernel/perf.config
#                                   (no checker, -O2): uevt and the built-in
#                                   user_events measured on one kernel by `make bench`
#
# Each build lives in UEVT_CACHE under a key made of the linux-source
# version, the config fragments and the compiler, so it is reused across
# clones and rebuilt only when one of those changes.  Both vmlinux and the
# modules are built: out-of-tree modules need Module.symvers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavor=${1:-debug}
case "$flavor" in
debug | perf) fragments=("$UEVT_TOP/scripts/kernel/base.config" "$UEVT_TOP/scripts/kernel/$flavor.config") ;;
*) die "unknown kernel flavor '$flavor' (debug or perf)" ;;
esac
src=$(source_tree)
key=$( { source_version; cat "${fragments[@]}"; gcc --version | head -n1; } | sha256sum | cut -c1-16)
out=$UEVT_CACHE/kernel-$flavor-$key

if [ -f "$out/.complete" ]; then
	echo "$out"
	exit 0
fi
# One builder at a time per kernel: a second caller waits, then reuses it.
mkdir -p "$UEVT_CACHE"
exec 9>"$out.lock"
flock 9
if [ -f "$out/.complete" ]; then
	echo "$out"
	exit 0
fi

log "building the $flavor kernel in $out (several minutes, once)"
rm -rf "$out"
mkdir -p "$out"
{
	make -C "$src" O="$out" tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${fragments[@]}"
	make -C "$src" O="$out" olddefconfig

	# merge_config.sh only warns when a symbol did not stick; a silently
	# missing checker (or a checker left on in the perf kernel) would make
	# the run meaningless, so insist on the last word of every fragment.
	missing=0
	while IFS= read -r line; do
		grep -qx -- "$line" "$out/.config" || { echo "not as asked: $line"; missing=1; }
	done < <(cat "${fragments[@]}" |
		sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1 y/p; s/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1 n/p' |
		awk '{ last[$1] = $2; order[NR] = $1 } END {
			for (i = 1; i <= NR; i++) if (!seen[order[i]]++)
				print (last[order[i]] == "y") ? order[i] "=y" : "# " order[i] " is not set" }')
	[ "$missing" = 0 ] || exit 1

	make -C "$src" O="$out" -j"$(($(nproc) + 1))" bzImage vmlinux modules
} >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	die "$flavor kernel build failed; full log: $out/build.log"
}
touch "$out/.complete"
echo "$out"
