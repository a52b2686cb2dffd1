# shellcheck shell=bash
# Common settings for uevt's build and test scripts.  Sourced, never run.
#
# Everything expensive that does not depend on this repository's sources
# (the extracted linux-source tree, the debug kernel build) lives in
# UEVT_CACHE so that a fresh clone reuses it; everything derived from the
# sources lives in BUILD inside the clone.

UEVT_TOP=${UEVT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD=${BUILD:-$UEVT_TOP/build}
UEVT_CACHE=${UEVT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/uevt}

die() {
	echo "uevt: $*" >&2
	exit 1
}

log() {
	echo "==> $*" >&2
}

# The Debian kernels the suite boots, by the names the scripts use: the
# default and PREEMPT_RT builds of Debian 12's 6.1 and of 6.12.
DEBIAN_KERNELS="6.1 6.1-rt 6.12 6.12-rt"

# The release pattern (extended regex) of a Debian kernel series; "stock"
# is 6.12, the kernel users of Debian 13 (and Debian 12's newer option) run.
kernel_release_re() {
	case "$1" in
	6.1) echo '6\.1\.0-[0-9]+-amd64' ;;
	6.1-rt) echo '6\.1\.0-[0-9]+-rt-amd64' ;;
	6.12 | stock) echo '6\.12\.[0-9]+\+deb[0-9]+-amd64' ;;
	6.12-rt) echo '6\.12\.[0-9]+\+deb[0-9]+-rt-amd64' ;;
	*) return 1 ;;
	esac
}

# Newest release of a Debian kernel series installed as a headers+image
# pair (for example "6.12.117+deb12-amd64").  The dependency step installs
# the newest pair the archive offers; later steps only look it up.
debian_kver() {
	local re v
	re=$(kernel_release_re "$1") || return 1
	for v in $(ls /boot 2>/dev/null | sed -nE "s/^vmlinuz-($re)\$/\1/p" | sort -rV); do
		if [ -d "/usr/src/linux-headers-$v" ]; then
			echo "$v"
			return 0
		fi
	done
	return 1
}

stock_kver() {
	debian_kver 6.12
}

# Version of the linux-source-6.12 package, used to key the caches.
source_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null
}

# The linux-source-6.12 tree, extracted once into the cache.
source_tree() {
	local ver dir
	ver=$(source_version) || die "linux-source-6.12 is not installed (run: make deps)"
	[ -n "$ver" ] || die "linux-source-6.12 is not installed (run: make deps)"
	dir=$UEVT_CACHE/src/linux-source-$ver
	# The tree appears whole, by a rename, with its mark inside: seen, it
	# is complete, and no lock is needed.
	if [ -f "$dir/.extracted" ]; then
		echo "$dir"
		return 0
	fi
	# Two makes at once (a build beside a test run) must not extract
	# into one another: one extracts under the lock, aside, and renames.
	mkdir -p "$UEVT_CACHE/src"
	(
		flock 9
		[ -f "$dir/.extracted" ] && exit 0
		log "extracting linux-source-6.12 $ver into $dir"
		rm -rf "$dir" "$dir.part"
		mkdir -p "$dir.part"
		tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$dir.part" --strip-components=1 ||
			die "cannot extract /usr/src/linux-source-6.12.tar.xz"
		touch "$dir.part/.extracted"
		mv "$dir.part" "$dir"
	) 9>"$UEVT_CACHE/src/.lock" || exit 1
	echo "$dir"
}
