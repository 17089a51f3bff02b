#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# stage-stress-ng.sh DIR: copy Debian's stress-ng into DIR with the
# shared libraries it needs (ldd) in DIR/lib, dynamic loader included,
# and tools/bench/stress-ng.sh, which runs it through that loader.
set -u
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 DIR"
dir=$1
bin=$(command -v stress-ng) || die "stress-ng is not installed"
mkdir -p "$dir/lib" || exit 1
cp "$bin" "$dir/stress-ng"
cp "$TOP/tools/bench/stress-ng.sh" "$dir/"
libs=$(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
[ -n "$libs" ] || die "ldd found no libraries for $bin"
for l in $libs; do
	cp -L "$l" "$dir/lib/$(basename "$l")" || exit 1
done
[ -f "$dir/lib/ld-linux-x86-64.so.2" ] || die "no dynamic loader in $dir/lib"
