#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# install-deps.sh [--bench|--bisect|--arm64]: install every Debian package
# the project needs; with --bench, also those only "make bench" needs
# (matplotlib for the chart), with --bisect those only "make bisect-check"
# needs (a riscv cross compiler for the nommu build), and with --arm64
# those of the arm64 guests: the cross compiler, QEMU for arm64, and,
# through multiarch (dpkg --add-architecture arm64), the arm64 libnuma and
# libcap the selftests link statically, and libssl for the arm64 headers
# package's sign-file.  busybox-static:arm64 would
# replace the host's busybox: its package is downloaded and unpacked
# into build/arm64/busybox instead.
# Prints nothing when all of them are already present.
set -u

PKGS=(
	# kernel build
	build-essential bc bison flex libelf-dev libssl-dev kmod cpio rsync
	xz-utils ccache sparse
	# the base tree
	linux-source-6.1
	# stack handling
	git quilt
	# make deb (bindeb-pkg); pahole for configurations with BTF (Debian's)
	dpkg-dev fakeroot lsb-release file dwarves
	# guest
	busybox-static qemu-system-x86
	# selftests and the userland harness
	libnuma-dev libcap-dev liburcu-dev
	# fuzz and stress of the VMA syscalls in the guest
	trinity stress-ng
	# report
	python3
)
BENCH_PKGS=(python3-matplotlib)
BISECT_PKGS=(gcc-riscv64-linux-gnu)
ARM64_PKGS=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm
	    libnuma-dev:arm64 libcap-dev:arm64
	    # sign-file in the arm64 headers package (MODULE_SIG)
	    libssl-dev:arm64)
arm64=
case ${1:-} in
--bench) PKGS+=("${BENCH_PKGS[@]}") ;;
--bisect) PKGS+=("${BISECT_PKGS[@]}") ;;
--arm64) PKGS+=("${ARM64_PKGS[@]}") arm64=1 ;;
"") ;;
*) echo "usage: $0 [--bench|--bisect|--arm64]" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
busybox_arm64=${BUILD:-$top/build}/arm64/busybox

# busybox-static:arm64, unpacked; needs the arm64 package lists.
fetch_busybox_arm64() {
	[ -z "$arm64" ] || [ -x "$busybox_arm64/bin/busybox" ] && return 0
	local d
	d=$(mktemp -d) || return 1
	(cd "$d" && apt-get download -q busybox-static:arm64) >"$d/log" 2>&1 &&
	rm -rf "$busybox_arm64" && mkdir -p "$busybox_arm64" &&
	dpkg-deb -x "$d"/busybox-static_*_arm64.deb "$busybox_arm64" || {
		tail -n 20 "$d/log" >&2
		echo "error: cannot fetch busybox-static:arm64" >&2
		rm -rf "$d"
		return 1
	}
	rm -rf "$d"
}

missing=()
native=$(dpkg --print-architecture)
for p in "${PKGS[@]}"; do
	case $p in \#*) continue ;; esac
	# An unqualified name is the host's architecture (or "all"), also
	# when an arm64 package of that name is installed too.
	case $p in
	*:*) want="installed ${p#*:}" ;;
	*) want="installed ($native|all)" ;;
	esac
	dpkg-query -W -f='${db:Status-Status} ${Architecture}\n' "${p%%:*}" 2>/dev/null |
		grep -qxE "$want" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	fetch_busybox_arm64
	exit
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages: ${missing[*]}" >&2
	echo "run as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if [ -n "$arm64" ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64 || exit 1
fi
# Wait for the dpkg lock, which apt-daily may hold on a freshly booted machine.
if ! { apt-get update -q &&
	apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	rm -f "$log"
	echo "error: apt-get failed" >&2
	exit 1
fi
rm -f "$log"
fetch_busybox_arm64
