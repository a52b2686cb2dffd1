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

# Newest Debian 6.12 kernel release installed as a headers+image pair
# (for example "6.12.117+deb12-amd64").  The dependency step installs the
# newest pair the archive offers; later steps only look it up.
stock_kver() {
	local v
	for v in $(ls /boot 2>/dev/null | sed -n 's/^vmlinuz-\(6\.12\.[0-9]*+deb[0-9]*-amd64\)$/\1/p' | sort -rV); do
		if [ -d "/usr/src/linux-headers-$v" ]; then
			echo "$v"
			return 0
		fi
	done
	return 1
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
	if [ ! -f "$dir/.extracted" ]; then
		log "extracting linux-source-6.12 $ver into $dir"
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$dir" --strip-components=1 ||
			die "cannot extract /usr/src/linux-source-6.12.tar.xz"
		touch "$dir/.extracted"
	fi
	echo "$dir"
}
