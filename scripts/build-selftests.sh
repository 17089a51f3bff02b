#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-selftests.sh NAME SRC OUT
#
# Build SRC's tools/testing/selftests/vm programs as static binaries into
# OUT, against SRC's own exported uapi headers.  SRC is not written to.
set -u
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: $0 NAME SRC OUT"
name=$1 src=$(cd "$2" && pwd) out=$3
mkdir -p "$out/hdr" "$out/vm"
out=$(cd "$out" && pwd)

headers() {
	make -C "$src" O="$out/hdr" headers_install INSTALL_HDR_PATH="$out/hdr/usr"
}
vm() {
	make -C "$src/tools/testing/selftests/vm" -j"$(nproc)" OUTPUT="$out/vm" \
		KHDR_INCLUDES="-isystem $out/hdr/usr/include" EXTRA_CFLAGS=-static
}
stage "export $name uapi headers" "$LOGS/headers-$name.log" headers || exit 1
stage "build $name selftests/vm" "$LOGS/selftests-$name.log" vm || exit 1
