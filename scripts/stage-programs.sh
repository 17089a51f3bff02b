#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# stage-programs.sh DIR PROGRAM...: copy Debian's PROGRAMs into DIR, with
# the shared libraries they need in DIR/lib, dynamic loader included.
# The initramfs has no /lib: the guest runs them as
# DIR/lib/ld-linux-<arch>.so.* --library-path DIR/lib DIR/PROGRAM
# (tools/bench/stress-ng.sh, tools/guest/trinity.sh).
#
# x86_64: the host's programs (found in PATH), and the libraries ldd
# finds.  ARCH=arm64: Debian's arm64 packages of the programs, downloaded
# (apt-get download, no root needed) and unpacked into
# build/arm64/programs, which cannot be installed beside the host's; the
# libraries are those their ELF headers need (DT_NEEDED, recursively),
# from the arm64 packages of the host packages that have libraries of
# the same names.
set -u
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: $0 DIR PROGRAM..."
dir=$1
shift
mkdir -p "$dir/lib" || exit 1

if [ "$ARCH" = x86_64 ]; then
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
	exit 0
fi

debarch=arm64 triplet=aarch64-linux-gnu loader=ld-linux-aarch64.so.1
root=$BUILD/$ARCH/programs
debs=$BUILD/$ARCH/debs
mkdir -p "$root" "$debs" || exit 1

# fetch PACKAGE: download and unpack PACKAGE:arm64 into root, once.
fetch() {
	[ -f "$root/.unpacked-$1" ] && return 0
	(cd "$debs" && apt-get download -q "$1:$debarch") >"$debs/download.log" 2>&1 || {
		tail -n 5 "$debs/download.log" >&2
		die "cannot download $1:$debarch (apt-get download)"
	}
	dpkg-deb -x "$(ls -t "$debs"/"${1}"_*_"$debarch".deb | head -n 1)" "$root" || exit 1
	touch "$root/.unpacked-$1"
}
findlib() {
	local d
	for d in lib/$triplet usr/lib/$triplet lib usr/lib; do
		[ -e "$root/$d/$1" ] && { echo "$root/$d/$1"; return 0; }
	done
	return 1
}

fetch libc6
for p in "$@"; do
	fetch "$p"
	[ -x "$root/usr/bin/$p" ] || die "the $p:$debarch package has no /usr/bin/$p"
	cp "$root/usr/bin/$p" "$dir/$p" || exit 1
done
# DT_NEEDED, breadth first, fetching the package of each missing library:
# the arm64 build of the host package that has a library of that name.
todo=("$@")
todo=("${todo[@]/#/$dir/}")
seen=" "
while [ ${#todo[@]} -gt 0 ]; do
	f=${todo[0]}
	todo=("${todo[@]:1}")
	for so in $("${CROSS}readelf" -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[[ "$seen" == *" $so "* ]] && continue
		seen="$seen$so "
		if ! l=$(findlib "$so"); then
			# The host's own library of that name, not a cross
			# or foreign one.
			host=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
			pkg=$(dpkg -S "/lib/$host/$so" "/usr/lib/$host/$so" 2>/dev/null |
				head -n 1 | cut -d: -f1)
			[ -n "$pkg" ] || die "$so (needed by $(basename "$f")): no host package has it"
			fetch "$pkg"
			l=$(findlib "$so") || die "$so is not in $pkg:$debarch"
		fi
		cp -L "$l" "$dir/lib/$so" || exit 1
		todo+=("$dir/lib/$so")
	done
done
cp -L "$(findlib $loader)" "$dir/lib/$loader" || die "no $loader in libc6:$debarch"
msg "staged for $ARCH: $* and $(ls "$dir/lib" | wc -l) libraries"
