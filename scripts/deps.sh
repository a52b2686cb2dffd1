#!/usr/bin/env bash
# Install the Debian packages uevt needs, and only those that are missing.
#
# The test kernels are the newest unsigned image of each Debian series the
# suite boots (6.1, 6.1-rt, 6.12, 6.12-rt; see DEBIAN_KERNELS in lib.sh)
# that the archive offers with its matching linux-headers package; no
# revision is hard-coded, and a series whose installed kernel the archive
# dropped is simply kept.  Running this again on a complete machine does
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
# make deb and its test (scripts/deb-test.sh): the packaging tools, DKMS
# for the host's `dkms build`s, debootstrap for the Debian 12 image and
# e2fsprogs for its ext4 disks (mkfs.ext4 -d, debugfs).
PKGS_DEB="dpkg-dev debhelper dh-dkms dkms lintian debootstrap e2fsprogs"

missing=()
for p in $PKGS_BUILD $PKGS_VM $PKGS_KERNEL $PKGS_TRACE $PKGS_FUZZ $PKGS_BENCH $PKGS_DEB; do
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

# Newest release of a series for which the archive has both the unsigned
# image and the headers.
newest_pair() {
	local re
	re=$(kernel_release_re "$1")
	apt-cache search --names-only "^linux-image-.*-unsigned\$" |
		sed -nE "s/^linux-image-($re)-unsigned .*/\1/p" |
		sort -rV | while read -r v; do
		if apt-cache show "linux-headers-$v" >/dev/null 2>&1; then
			echo "$v"
			break
		fi
	done
}

for k in $DEBIAN_KERNELS; do
	debian_kver "$k" >/dev/null && continue
	kver=$(newest_pair "$k")
	if [ -z "$kver" ]; then
		apt_update
		kver=$(newest_pair "$k")
	fi
	[ -n "$kver" ] || die "no linux-image for the $k series in the package archive"
	missing+=("linux-image-$kver-unsigned" "linux-headers-$kver")
done

if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}); run 'make deps' as root"
	apt_update
	log "installing: ${missing[*]}"
	# The image's postinst would build a host initramfs we never boot.
	DEBIAN_FRONTEND=noninteractive INITRD=No apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
fi

for k in $DEBIAN_KERNELS; do
	kver=$(debian_kver "$k") || die "the $k kernel pair did not install"
	echo "$k kernel: $kver"
done
