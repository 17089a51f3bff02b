#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-deb.sh SRC OBJ OUTDIR: package the kernel built in OBJ (by
# build-kernel.sh, with LOCALVERSION=-vma-merge) with the kernel's own
# bindeb-pkg, and put the linux-image and linux-headers .debs in OUTDIR.
#
# The release is 6.1.y-vma-merge (uname -r, the package names); the
# package version and the kernel's build version (uname -v) carry the
# stack's version: the number of patches and the commit of this
# repository, e.g. 6.1.192-vmamerge38+g574bb3b.  linux-libc-dev, which
# bindeb-pkg builds as well, is dropped: it would replace Debian's.
#
# Cross-built (ARCH=arm64), 6.1's headers package carries the build
# host's programs (modpost, fixdep, ...), which cannot run on the
# machine it is for; those an external module needs are rebuilt with
# the cross compiler, and the package around them.
set -u
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: $0 SRC OBJ OUTDIR"
src=$(cd "$1" && pwd) obj=$(cd "$2" && pwd) || exit 1
out=$3
[ -f "$obj/$KIMAGE" ] || die "no $KIMAGE in $obj: build the kernel first"

krel=$(cat "$obj/include/config/kernel.release") || exit 1
case $krel in
*-vma-merge) ;;
*) die "$obj is $krel, not a -vma-merge kernel" ;;
esac

# Same compiler command as build-kernel.sh, or kbuild rebuilds it all.
use_ccache
cc="${CROSS}gcc"
[ "$KCC" = gcc ] || cc="ccache ${CROSS}gcc"
pkgver=$(kernel_version "$src")-$(stack_revision)
# gzip: xz takes a minute longer on 2 cores, for a smaller package.
compress=${KDEB_COMPRESS:-gzip}
debarch=amd64
[ "$ARCH" = arm64 ] && debarch=arm64

# bindeb-pkg writes its debian/ into OBJ and the packages next to it.
parent=$(dirname "$obj")
rm -f "$parent"/linux-*_"$debarch".deb "$parent"/linux-upstream_*
msg "bindeb-pkg $krel ($pkgver, $debarch)"
make -C "$src" O="$obj" ARCH="$ARCH" CROSS_COMPILE="$CROSS" CC="$cc" \
	LOCALVERSION=-vma-merge KDEB_PKGVERSION="$pkgver" \
	KDEB_CHANGELOG_DIST=bookworm KDEB_SOURCENAME=linux-vma-merge \
	KBUILD_BUILD_USER=$DEB_BUILD_USER KBUILD_BUILD_HOST=$DEB_BUILD_HOST \
	KDEB_COMPRESS="$compress" DPKG_FLAGS=-d -j"$(nproc)" bindeb-pkg || exit 1

mkdir -p "$out"
rm -f "$out"/linux-*_"$debarch".deb
image=$parent/linux-image-${krel}_${pkgver}_$debarch.deb
headers=$parent/linux-headers-${krel}_${pkgver}_$debarch.deb
for f in "$image" "$headers"; do
	[ -f "$f" ] || die "bindeb-pkg made no $(basename "$f")"
	mv "$f" "$out/"
done
rm -f "$parent"/linux-libc-dev_*_"$debarch".deb "$parent"/linux-vma-merge_*
headers=$out/$(basename "$headers")

# Rebuild, for the target, the host programs of a cross-built headers
# package that building an external module runs: fixdep, modpost,
# genksyms (MODVERSIONS) and sign-file (MODULE_SIG).  Their generated
# inputs (elfconfig.h, devicetable-offsets.h, the genksyms parser) are
# in the package already, and describe the target.  The build host's
# other programs (kallsyms, sorttable, conf, dtc, ...) build the kernel
# itself, not modules, and are removed.
hostprog() {
	local out=$1
	shift
	"${CROSS}gcc" -std=gnu11 -O2 -Wall -o "$h/scripts/$out" "$@"
}
if [ -n "$CROSS" ]; then
	msg "rebuild the headers package's host programs for $ARCH"
	t=$BUILD/deb/tmp-$debarch
	rm -rf "$t" && mkdir -p "$t" && dpkg-deb -R "$headers" "$t" || exit 1
	h=$t/usr/src/linux-headers-$krel
	elves=$(cd "$h" && find scripts -type f -perm -u+x -exec sh -c \
		'for f; do head -c4 "$f" | grep -q ELF && echo "$f"; done' sh {} +)
	rm -f $(printf "$h/%s " $elves)
	s=$h/scripts
	hostprog basic/fixdep "$s/basic/fixdep.c" &&
	hostprog mod/modpost -I"$s/mod" "$s/mod/modpost.c" "$s/mod/file2alias.c" \
		"$s/mod/sumversion.c" || exit 1
	if [[ " $elves " == *" scripts/genksyms/genksyms "* ]]; then
		hostprog genksyms/genksyms -I"$s/genksyms" "$s/genksyms/genksyms.c" \
			"$s/genksyms/parse.tab.c" "$s/genksyms/lex.lex.c" || exit 1
	fi
	if [[ " $elves " == *" scripts/sign-file "* ]]; then
		hostprog sign-file "$s/sign-file.c" -lcrypto ||
			die "sign-file: the target's libssl-dev is needed (libssl-dev:$debarch)"
	fi
	for p in basic/fixdep mod/modpost; do
		file -b "$s/$p" | grep -q 'ARM aarch64' ||
			die "scripts/$p is not an $ARCH program: $(file -b "$s/$p")"
	done
	msg "headers: $(cd "$h" && find scripts -type f -perm -u+x -exec sh -c \
		'for f; do head -c4 "$f" | grep -q ELF && echo "$f"; done' sh {} + | tr '\n' ' ')for $ARCH"
	dpkg-deb --root-owner-group -Z"$compress" -b "$t" "$headers" >/dev/null || exit 1
	rm -rf "$t"
fi

for f in "$out"/linux-*_"$pkgver"_"$debarch".deb; do
	msg "$(basename "$f"): $(du -k "$f" | cut -f1) KiB"
done
