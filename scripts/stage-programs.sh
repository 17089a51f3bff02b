#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# stage-programs.sh DIR PROGRAM...: copy Debian's PROGRAMs (found in PATH)
# into DIR, with the shared libraries they need (ldd) in DIR/lib, dynamic
# loader included.  The initramfs has no /lib: the guest runs them as
# DIR/lib/ld-linux-x86-64.so.2 --library-path DIR/lib DIR/PROGRAM
# (tools/bench/stress-ng.sh, tools/guest/trinity.sh).
set -u
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: $0 DIR PROGRAM..."
dir=$1
shift
mkdir -p "$dir/lib" || exit 1
for p in "$@"; do
	bin=$(command -v "$p") || die "$p is not installed"
	cp "$bin" "$dir/$p" || exit 1
	libs=$(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
	[ -n "$libs" ] || die "ldd found no libraries for $bin"
	for l in $libs; do
		cp -L "$l" "$dir/lib/$(basename "$l")" || exit 1
	done
done
[ -f "$dir/lib/ld-linux-x86-64.so.2" ] || die "no dynamic loader in $dir/lib"
