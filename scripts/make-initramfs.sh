#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make-initramfs.sh OUT SUITE=BINDIR:LIST...
#
# Build a busybox initramfs (gzip'd cpio) whose /init runs the suites
# named on the kernel command line.  Each SUITE becomes /tests/SUITE,
# holding the programs of BINDIR and LIST as its list of tests.
# INITRAMFS_ROOT is the staging directory (default build/initramfs/root).
set -u
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: $0 OUT SUITE=BINDIR:LIST..."
out=$1
shift
# busybox-static installs a static /bin/busybox; arm64's is unpacked from
# Debian's busybox-static:arm64 (scripts/install-deps.sh --arm64).  The
# applets are the host's busybox's, the same Debian version.
bb=$BUSYBOX
[ -f "$bb" ] || die "no busybox for $ARCH at $bb"
[ -x /bin/busybox ] || die "busybox-static is not installed"

root=${INITRAMFS_ROOT:-$BUILD/initramfs/root}
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,tests,mnt/huge}
cp "$bb" "$root/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
cp "$TOP/tools/guest/init" "$root/init"
cp "$TOP/tools/guest/run-suite.sh" "$root/tests/run-suite.sh"
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
for spec in "$@"; do
	suite=${spec%%=*} rest=${spec#*=}
	bindir=${rest%%:*} list=${rest#*:}
	[ -d "$bindir" ] || die "$suite: no directory $bindir"
	[ -f "$list" ] || die "$suite: no list $list"
	mkdir -p "$root/tests/$suite"
	cp -a "$bindir"/. "$root/tests/$suite/"
	cp "$list" "$root/tests/$suite/list"
done
chmod -R a+rX "$root"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$out.tmp" && mv "$out.tmp" "$out"
