#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# install-deps.sh [--bench|--bisect]: install every Debian package the
# project needs; with --bench, also those only "make bench" needs
# (matplotlib for the chart), and with --bisect
# those only "make bisect-check" needs (a riscv cross compiler for the
# nommu build), which make check does not.
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
case ${1:-} in
--bench) PKGS+=("${BENCH_PKGS[@]}") ;;
--bisect) PKGS+=("${BISECT_PKGS[@]}") ;;
"") ;;
*) echo "usage: $0 [--bench|--bisect]" >&2; exit 2 ;;
esac

missing=()
for p in "${PKGS[@]}"; do
	case $p in \#*) continue ;; esac
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$s" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages: ${missing[*]}" >&2
	echo "run as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	rm -f "$log"
	echo "error: apt-get failed" >&2
	exit 1
fi
rm -f "$log"
