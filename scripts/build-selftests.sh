#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-selftests.sh NAME SRC OUT
#
# Build SRC's tools/testing/selftests/vm programs as static binaries into
# OUT, against SRC's own exported uapi headers, for ARCH (arm64: with the
# cross compiler, and libnuma and libcap from Debian's arm64 packages).
# SRC is not written to.
set -u
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: $0 NAME SRC OUT"
name=$1 src=$(cd "$2" && pwd) out=$3
mkdir -p "$out/hdr" "$out/vm"
out=$(cd "$out" && pwd)

headers() {
	make -C "$src" O="$out/hdr" ARCH="$ARCH" headers_install \
		INSTALL_HDR_PATH="$out/hdr/usr"
}
vm() {
	make -C "$src/tools/testing/selftests/vm" -j"$(nproc)" OUTPUT="$out/vm" \
		ARCH="$ARCH" MACHINE="$ARCH" CROSS_COMPILE="$CROSS" \
		KHDR_INCLUDES="-isystem $out/hdr/usr/include" EXTRA_CFLAGS=-static
}
stage "export $name uapi headers ($ARCH)" "$LOGS/headers-$name$ASUFFIX.log" headers || exit 1
stage "build $name selftests/vm ($ARCH)" "$LOGS/selftests-$name$ASUFFIX.log" vm || exit 1
