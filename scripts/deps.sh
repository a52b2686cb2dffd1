#!/usr/bin/env bash
# Install the Debian packages uevt needs, and only those that are missing.
#
# The stock test kernel is the newest linux-image-6.12.*-amd64-unsigned
# that the archive offers, with its matching linux-headers package; no
# revision is hard-coded.  Running this again on a complete machine does
# nothing and touches no network.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Grouped by who needs them; keep the groups honest.
PKGS_BUILD="gcc g++ make pkg-config flex bison bc libelf-dev libssl-dev"
PKGS_VM="qemu-system-x86 busybox-static cpio xz-utils"
PKGS_KERNEL="linux-source-6.12 sparse"
PKGS_TRACE="libtracefs-dev libtraceevent-dev trace-cmd linux-perf"
PKGS_FUZZ="clang libclang-rt-14-dev"
PKGS_BENCH="libbenchmark-dev liblttng-ust-dev systemtap-sdt-dev gnuplot-nox libjson-c-dev python3"

missing=()
for p in $PKGS_BUILD $PKGS_VM $PKGS_KERNEL $PKGS_TRACE $PKGS_FUZZ $PKGS_BENCH; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

updated=0
apt_update() {
	if [ "$updated" = 0 ]; then
		log "apt-get update"
		apt-get update -qq
		updated=1
	fi
}

# Newest release for which the archive has both packages of the pair.
newest_pair() {
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64-unsigned$' |
		sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb[0-9]*-amd64\)-unsigned .*/\1/p' |
		sort -rV | while read -r v; do
		if apt-cache show "linux-headers-$v" >/dev/null 2>&1; then
			echo "$v"
			break
		fi
	done
}

if ! kver=$(stock_kver); then
	kver=$(newest_pair)
	if [ -z "$kver" ]; then
		apt_update
		kver=$(newest_pair)
	fi
	[ -n "$kver" ] || die "no linux-image-6.12.*-amd64-unsigned in the package archive"
	missing+=("linux-image-$kver-unsigned" "linux-headers-$kver")
fi

if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}); run 'make deps' as root"
	apt_update
	log "installing: ${missing[*]}"
	# The image's postinst would build a host initramfs we never boot.
	DEBIAN_FRONTEND=noninteractive INITRD=No apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
fi

stock_kver >/dev/null || die "the stock kernel pair did not install"
echo "stock kernel: $(stock_kver)"
