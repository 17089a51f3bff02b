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
# Each package is checked for the files a user needs, and given the
# dependencies that bindeb-pkg leaves out (below).
#
# Cross-built (ARCH=arm64), 6.1's headers package carries the build
# host's programs (modpost, fixdep, ...), which cannot run on the
# machine it is for; those an external module needs are rebuilt with
# the cross compiler, and the package around them.
set -u
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: $0 SRC OBJ OUTDIR"
src=$(cd "$1" && pwd) || exit 1
obj=$(cd "$2" && pwd) || exit 1
out=$3
[ -f "$obj/$KIMAGE" ] || die "no $KIMAGE in $obj: build the kernel first"

krel=$(cat "$obj/include/config/kernel.release") || exit 1
case $krel in
*-vma-merge) ;;
*) die "$obj is $krel, not a -vma-merge kernel" ;;
esac

# Same compiler command as build-kernel.sh, or kbuild rebuilds it all.
use_ccache
# KBUILD_BUILD_VERSION, when set, is the revision (make-deb.sh, KCONFIG).
pkgver=$(kernel_version "$src")-${KBUILD_BUILD_VERSION:-$(stack_revision)}
# gzip: xz takes a minute longer on 2 cores, for a smaller package.
compress=${KDEB_COMPRESS:-gzip}
debarch=amd64
[ "$ARCH" = arm64 ] && debarch=arm64

# bindeb-pkg writes its debian/ into OBJ and the packages next to it.
parent=$(dirname "$obj")
rm -f "$parent"/linux-*_"$debarch".deb "$parent"/linux-upstream_*
msg "bindeb-pkg $krel ($pkgver, $debarch)"
make -C "$src" O="$obj" ARCH="$ARCH" CROSS_COMPILE="$CROSS" CC="$KCC" \
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
# A configuration with DEBUG_INFO gives a -dbg package too.
dbg=$parent/linux-image-$krel-dbg_${pkgver}_$debarch.deb
[ -f "$dbg" ] && mv "$dbg" "$out/"
rm -f "$parent"/linux-libc-dev_*_"$debarch".deb "$parent"/linux-vma-merge_*

# Rebuild, for the target, the host programs of a cross-built headers
# package that building an external module runs: fixdep, modpost,
# genksyms (MODVERSIONS) and sign-file (MODULE_SIG).  Their generated
# inputs (elfconfig.h, devicetable-offsets.h, the genksyms parser) are
# in the package already, and describe the target.  The build host's
# other programs (kallsyms, sorttable, conf, dtc, ...) build the kernel
# itself, not modules, and are removed.
elves() {
	(cd "$1" && find scripts tools -type f -perm -u+x ! -name '*.so' -exec sh -c \
		'for f; do head -c4 "$f" | grep -q ELF && echo "$f"; done' sh {} + 2>/dev/null)
}
hostprog() {
	local out=$1
	shift
	"${CROSS}gcc" -std=gnu11 -O2 -Wall -o "$h/scripts/$out" "$@"
}
enabled() {
	grep -qE "^CONFIG_$1=[ym]" "$obj/.config"
}
cross_hostprogs() {
	local s=$h/scripts p
	elves "$h" | (cd "$h" && while read -r p; do rm -f -- "$p"; done)
	hostprog basic/fixdep "$s/basic/fixdep.c" &&
	hostprog mod/modpost -I"$s/mod" "$s/mod/modpost.c" "$s/mod/file2alias.c" \
		"$s/mod/sumversion.c" || return 1
	if enabled MODVERSIONS; then
		hostprog genksyms/genksyms -I"$s/genksyms" "$s/genksyms/genksyms.c" \
			"$s/genksyms/parse.tab.c" "$s/genksyms/lex.lex.c" || return 1
	fi
	if enabled MODULE_SIG_FORMAT; then
		hostprog sign-file "$s/sign-file.c" -lcrypto ||
			die "sign-file: the target's libssl-dev is needed (libssl-dev:$debarch)"
	fi
	for p in $(elves "$h"); do
		file -b "$h/$p" | grep -q 'ARM aarch64' ||
			die "$p is not an $ARCH program: $(file -b "$h/$p")"
	done
	msg "headers: $(elves "$h" | tr '\n' ' ')rebuilt for $ARCH"
}

# set_depends DIR DEPENDS: the Depends field of an unpacked package.
set_depends() {
	sed -i '/^Depends:/d' "$1/DEBIAN/control" &&
	sed -i "/^Architecture:/a Depends: $2" "$1/DEBIAN/control"
}

# The packages as bindeb-pkg makes them depend on nothing.  The image
# package runs Debian's kernel hooks, which build an initramfs with
# modules: it depends on kmod and an initramfs generator.  The headers
# package depends on what its programs link (dpkg-shlibdeps) and on what
# an external module build runs: make, the libc headers and the GCC the
# kernel was built with.  Both are unpacked, completed and rebuilt.
gcc_major=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)[0-9]\{4\}$/\1/p' "$obj/.config")
[ -n "$gcc_major" ] || die "$obj/.config says no GCC version"
t=$BUILD/deb/tmp-$debarch
for pkg in image headers; do
	f=$out/linux-$pkg-${krel}_${pkgver}_$debarch.deb
	rm -rf "$t" && mkdir -p "$t" && dpkg-deb -R "$f" "$t" || exit 1
	if [ $pkg = image ]; then
		deps="kmod, initramfs-tools | linux-initramfs-tool"
		for p in boot/vmlinuz-$krel boot/config-$krel boot/System.map-$krel; do
			[ -f "$t/$p" ] || die "$(basename "$f") has no /$p"
		done
		if grep -qx CONFIG_MODULES=y "$obj/.config"; then
			[ -f "$t/lib/modules/$krel/modules.dep" ] ||
				die "$(basename "$f") has no /lib/modules/$krel/modules.dep"
		fi
	else
		h=$t/usr/src/linux-headers-$krel
		if [ -n "$CROSS" ]; then
			cross_hostprogs || exit 1
		fi
		for p in Makefile .config Module.symvers include/generated/autoconf.h \
			 include/config/kernel.release scripts/basic/fixdep scripts/mod/modpost; do
			[ -e "$h/$p" ] || die "$(basename "$f") has no /usr/src/linux-headers-$krel/$p"
		done
		[ "$(readlink "$t/lib/modules/$krel/build")" = /usr/src/linux-headers-$krel ] ||
			die "$(basename "$f"): /lib/modules/$krel/build is not the headers"
		mkdir -p "$t/debian" && : >"$t/debian/control"
		shlibs=$(cd "$t" && dpkg-shlibdeps -O $(elves "usr/src/linux-headers-$krel" |
			sed "s|^|usr/src/linux-headers-$krel/|") 2>"$LOGS/dpkg-shlibdeps.log" |
			sed -n 's/^shlibs:Depends=//p')
		rm -rf "$t/debian"
		[ -n "$shlibs" ] || { show_tail "$LOGS/dpkg-shlibdeps.log" 10; die "dpkg-shlibdeps failed"; }
		deps="$shlibs, make, libc6-dev, gcc-$gcc_major"
	fi
	# What the files are now: md5sums and Installed-Size.
	(cd "$t" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' |
		LC_ALL=C sort -z | xargs -0 -r md5sum) >"$t/DEBIAN/md5sums" &&
	sed -i "s/^Installed-Size:.*/Installed-Size: $(du -sk --exclude=DEBIAN "$t" | cut -f1)/" \
		"$t/DEBIAN/control" &&
	set_depends "$t" "$deps" &&
	dpkg-deb --root-owner-group -Z"$compress" -b "$t" "$f" >/dev/null || exit 1
done
rm -rf "$t"

for f in "$out"/linux-*_"$pkgver"_"$debarch".deb; do
	msg "$(basename "$f"): $(du -k "$f" | cut -f1) KiB; Depends: $(dpkg-deb -f "$f" Depends)"
done
