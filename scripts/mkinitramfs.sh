#!/usr/bin/env bash
# mkinitramfs.sh OUT CMDFILE [SRC[:DEST]]...
#
# Build the test VM's initramfs (an uncompressed newc cpio: TCG is slow at
# decompressing) holding busybox, /init, CMDFILE as /uevt/cmd and every
# SRC (file or directory) at DEST (default /opt/uevt/<basename>).  Every
# ELF file added brings the exact shared libraries and loader that ldd
# resolves for it on this host, which is the same Debian the guest runs
# the binaries from.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: mkinitramfs.sh OUT CMDFILE [SRC[:DEST]]..."
out=$1
cmdfile=$2
shift 2

busybox=/bin/busybox
{ ldd "$busybox" 2>&1 || true; } | grep -q 'not a dynamic executable' ||
	die "busybox-static is needed (run: make deps)"

stage=$(mktemp -d)
chmod 0755 "$stage"	# the root directory: unprivileged tests run too
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc,uevt,opt/uevt/bin,lib/modules}
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
install -m 0755 "$UEVT_TOP/scripts/guest-init" "$stage/init"
install -m 0644 "$cmdfile" "$stage/uevt/cmd"
echo 'root:x:0:0:root:/root:/bin/sh' >"$stage/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/sh' >>"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"

# Copy the libraries an ELF file needs, at the paths ldd resolved them to.
add_libs() {
	local lib
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
		case $lib in "$stage"/*) continue ;; esac
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}

for spec in "$@"; do
	src=${spec%%:*}
	dest=${spec#*:}
	[ "$dest" = "$spec" ] && dest=/opt/uevt/$(basename "$src")
	[ -e "$src" ] || die "no such file to add: $src"
	mkdir -p "$stage$(dirname "$dest")"
	cp -rL "$src" "$stage$dest"
	while IFS= read -r -d '' f; do
		if head -c 4 "$f" | grep -q 'ELF'; then
			add_libs "$f"
		fi
	done < <(find "$stage$dest" -type f -perm -u+x -print0)
done

(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
