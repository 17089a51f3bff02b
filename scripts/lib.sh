# SPDX-License-Identifier: GPL-2.0
# Shared by the scripts in this directory: where things live, and how a
# long step reports progress.  Source it; do not run it.

# The one place that names the base this stack is written against.
BASE_VERSION=6.1.192
BASE_PACKAGE=linux-source-6.1
BASE_TARBALL=/usr/src/linux-source-6.1.tar.xz
# Where a user reads how to carry the stack to a newer 6.1.y.
REBASE_DOC='README.md, "Rebasing onto a newer 6.1.y"'

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
PATCHES=$TOP/patches
LOGS=$BUILD/logs

# Source and object trees.  Both kernels use the same shape
# (<kind>/linux and <kind>/obj), so that ccache, which rewrites paths
# under $BUILD to relative ones, finds the stock objects when it builds
# the patched kernel.
STOCK_SRC=$BUILD/stock/linux
PATCHED_SRC=$BUILD/patched/linux

mkdir -p "$LOGS"

_t0=${VMA_T0:-$(date +%s)}
export VMA_T0=$_t0

elapsed() {
	local s=$(($(date +%s) - _t0))
	printf '%2d:%02d' $((s / 60)) $((s % 60))
}

# msg TEXT: one progress line, prefixed with the time since the run began.
msg() {
	printf '[%s] %s\n' "$(elapsed)" "$*"
}

# base_note VERSION: one line when the base is not the one the stack was
# written against.
base_note() {
	[ "$1" = "$BASE_VERSION" ] ||
		msg "base: Linux $1, but the stack was written against $BASE_VERSION; if a patch does not apply, see $REBASE_DOC"
}

# am_tail LOG: the tail of a git am log without git's own advice, which
# numbers the patches of its own call ("Patch failed at 0001") and tells
# to continue a session that the caller has already aborted.
am_tail() {
	show_tail "$1" "${2:-25}" \
		'^(Patch failed at|hint:|When you have resolved|If you prefer to skip|To restore the original|Use .git am --show-current-patch)'
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# show_tail LOG [LINES [SKIP]]: print the end of a failing log, without
# the lines that match the extended regular expression SKIP.
show_tail() {
	local log=$1 n=${2:-40} skip=${3:-}
	[ -f "$log" ] || return 0
	printf -- '---- last %d lines of %s ----\n' "$n" "$log" >&2
	if [ -n "$skip" ]; then
		grep -avE "$skip" "$log" | tail -n "$n" >&2
	else
		tail -n "$n" "$log" >&2
	fi
	printf -- '---- end of %s ----\n' "$log" >&2
}

# dpkg_locked CMD...: run a dpkg or apt-get command, waiting (up to 10
# minutes) while another process holds the dpkg lock, as apt-daily does on
# a freshly booted machine.
dpkg_locked() {
	local tries=120 out rc
	while :; do
		out=$("$@" 2>&1)
		rc=$?
		[ -z "$out" ] || printf '%s\n' "$out"
		[ $rc -ne 0 ] && [ $tries -gt 0 ] &&
			grep -qE 'lock.* (was locked|is held) by another process|Could not get lock' <<<"$out" ||
			return $rc
		tries=$((tries - 1))
		echo "(dpkg lock held by another process; waiting)"
		sleep 5
	done
}

# kconfig_arch FILE: the architecture of the kernel configuration FILE
# (x86_64 or arm64), or die.
kconfig_arch() {
	[ -f "$1" ] || die "KCONFIG=$1: no such file"
	if grep -qx 'CONFIG_X86_64=y' "$1"; then
		echo x86_64
	elif grep -qx 'CONFIG_ARM64=y' "$1"; then
		echo arm64
	else
		die "KCONFIG=$1 is neither an x86_64 nor an arm64 configuration"
	fi
}

# kconfig_drop_keys SRC CONFIG: a distribution's configuration names key
# files that are not in SRC; build without them.
kconfig_drop_keys() {
	"$1"/scripts/config --file "$2" \
		--set-str SYSTEM_TRUSTED_KEYS '' --set-str SYSTEM_REVOCATION_KEYS ''
}

# stage NAME LOG CMD...: run CMD with its output in LOG, print one line
# with the stage's duration, and on failure the tail of LOG.
stage() {
	local name=$1 log=$2 s rc
	shift 2
	s=$(date +%s)
	msg "$name ..."
	"$@" >"$log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		msg "$name FAILED after $(($(date +%s) - s))s (log: ${log#"$TOP"/})"
		show_tail "$log"
		return $rc
	fi
	msg "$name done in $(($(date +%s) - s))s"
	echo "$name $(($(date +%s) - s))" >>"$LOGS/timings"
}

# series: the patch file names in order, without comments or blanks.
series() {
	[ -f "$PATCHES/series" ] || return 0
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PATCHES/series"
}

# stack_revision: the stack's version, as the Debian revision of its
# packages and the kernel's build version (uname -v): the number of
# patches and this repository's commit ("vmamerge38+g574bb3b"), with
# ".dirty" when patches/ has uncommitted changes.
stack_revision() {
	local rev
	rev=$(git -C "$TOP" rev-parse --short=7 HEAD 2>/dev/null) || rev=unknown
	[ -z "$(git -C "$TOP" status --porcelain -- patches 2>/dev/null)" ] || rev=$rev.dirty
	echo "vmamerge$(series | wc -l)+g$rev"
}
# The builder the packaged kernels name (uname -v, /proc/version).
DEB_BUILD_USER=vma-merge DEB_BUILD_HOST=debian

# kernel_version TREE: the version a source tree's Makefile declares.
kernel_version() {
	awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3}
	     END{printf "%s.%s.%s\n", v, p, s}' "$1/Makefile"
}

# ccache for every kernel build: a warm cache makes a rebuild take
# seconds, and the patched build reuses the stock objects.  KCC is the
# compiler command for ARCH (the cross compiler for arm64); every build
# of one object directory must pass the same CC, or kbuild rebuilds it.
use_ccache() {
	if command -v ccache >/dev/null; then
		export CCACHE_BASEDIR=$BUILD
		export CCACHE_NOHASHDIR=1
		export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
		# kbuild passes -fmacro-prefix-map=<absolute srctree>/=, which
		# maps both trees to the same relative names: leave it out of
		# the hash, or no object would be shared between the trees.
		export CCACHE_IGNOREOPTIONS='-fmacro-prefix-map=*'
		KCC="ccache ${CROSS}gcc"
	else
		KCC=${CROSS}gcc
	fi
}

# build_static OUT SRC: build one of our guest programs from a single C
# file, statically (the initramfs has no shared libraries), warnings as
# errors, for ARCH.
build_static() {
	mkdir -p "$(dirname "$1")" &&
	${CC:-${CROSS}gcc} -static -O2 -g -Wall -Wextra -Wno-unused-parameter -Werror \
		-o "$1" "$2"
}

# The target architecture, ARCH (x86_64 or arm64; default x86_64): its
# kernel image in an object directory, cross compiler prefix, config
# fragment, busybox for the initramfs, and the suffix of its build and
# run directories (none for x86_64).
ARCH=${ARCH:-x86_64}
case $ARCH in
x86_64)
	KIMAGE=arch/x86/boot/bzImage CROSS= ASUFFIX=
	ARCH_CONFIG=$TOP/configs/x86_64-qemu.config
	BUSYBOX=/bin/busybox
	;;
arm64)
	KIMAGE=arch/arm64/boot/Image CROSS=aarch64-linux-gnu- ASUFFIX=-arm64
	ARCH_CONFIG=$TOP/configs/arm64-qemu.config
	# not installed: busybox-static:arm64 conflicts with the host's
	BUSYBOX=$BUILD/arm64/busybox/bin/busybox
	;;
*)
	echo "error: unsupported ARCH=$ARCH (x86_64, arm64)" >&2
	exit 1
	;;
esac
export ARCH
