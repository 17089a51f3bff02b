#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make-deb.sh (make deb): linux-image and linux-headers packages of the
# patched kernel, and the kselftest archive of TARGETS=vm with the merge
# tests and the KUnit module for that kernel, for each of ARCHES
# (default: x86_64 arm64), in build/deb/<arch>/.
#
# By default the kernel is make check's: the QEMU test configuration
# (configs/<arch>-qemu.config and configs/debug.config), in the same
# object directory, so that after make check only the packaging is left.
# It boots in QEMU, not on most real machines.
#
# KCONFIG=/path/to/.config packages a kernel built from that
# configuration instead (olddefconfig), e.g. /boot/config-$(uname -r) of
# a Debian 12 machine, in build/deb/obj-<arch>-kconfig.  Its ARCHES
# default to the configuration's own architecture.  Debian's certificate
# files are not part of the source package, so the trusted and revoked
# keys it names are cleared, and KUnit is added as a module when it is
# missing (not with KUNIT=no), for the KUnit module.  A distribution configuration takes hours
# on 2 cores.
#
# LINUX=/path/to/linux-6.1.y applies the stack to that tree, as make run.
set -u
. "$(dirname "$0")/lib.sh"
S=$(dirname "$0")

KCONFIG=${KCONFIG:-}
if [ -n "$KCONFIG" ]; then
	karch=$(kconfig_arch "$KCONFIG") || exit 1
	KCONFIG=$(cd "$(dirname "$KCONFIG")" && pwd)/$(basename "$KCONFIG")
	ARCHES=${ARCHES:-$karch}
	[ "$ARCHES" = "$karch" ] || die "KCONFIG=$KCONFIG is for $karch, not ARCHES=$ARCHES"
fi
ARCHES=${ARCHES:-x86_64 arm64}

"$S"/install-deps.sh || exit 1
if [[ " $ARCHES " == *" arm64 "* ]]; then
	"$S"/install-deps.sh --arm64 || exit 1
fi
if [ -n "${LINUX:-}" ]; then
	src=$(cd "$LINUX" && pwd) || exit 1
	"$S"/apply-stack.sh --tree "$src" || exit 1
	objbase=$BUILD/tree/patched
else
	"$S"/fetch-base.sh && "$S"/apply-stack.sh || exit 1
	src=$PATCHED_SRC objbase=$BUILD/patched/obj
fi

for arch in $ARCHES; do
	(
	export ARCH=$arch
	. "$S"/lib.sh
	# The identity the packages give the kernel (build-deb.sh), so that
	# packaging finds it built.
	export KBUILD_BUILD_VERSION KBUILD_BUILD_USER=$DEB_BUILD_USER \
		KBUILD_BUILD_HOST=$DEB_BUILD_HOST
	KBUILD_BUILD_VERSION=$(stack_revision)
	if [ -z "$KCONFIG" ]; then
		obj=$objbase$ASUFFIX
		[ -n "${LINUX:-}" ] && obj=$objbase$ASUFFIX-obj
		LOCALVERSION=-vma-merge "$S"/build-kernel.sh patched$ASUFFIX "$src" "$obj" \
			"$ARCH_CONFIG" "$TOP/configs/debug.config" || exit 1
	else
		obj=$BUILD/deb/obj-$ARCH-kconfig
		# Not the version of the QEMU configuration's packages.
		KBUILD_BUILD_VERSION=$KBUILD_BUILD_VERSION.k$(sha1sum <"$KCONFIG" | cut -c1-8)
		mkdir -p "$obj"
		use_ccache
		kmake() {
			make -C "$src" O="$obj" ARCH="$ARCH" CROSS_COMPILE="$CROSS" CC="$KCC" \
				LOCALVERSION=-vma-merge "$@"
		}
		if ! cmp -s "$KCONFIG" "$obj/.config.kconfig"; then
			cp "$KCONFIG" "$obj/.config" && cp "$KCONFIG" "$obj/.config.kconfig" &&
			kconfig_drop_keys "$src" "$obj/.config" || exit 1
			# The KUnit module needs KUnit, and the stack exports
			# what it calls only with KUnit.
			if [ "${KUNIT:-}" != no ] &&
			   ! grep -qE '^CONFIG_KUNIT=[ym]' "$obj/.config"; then
				msg "CONFIG_KUNIT=m for the KUnit module (KUNIT=no: as configured)"
				"$src"/scripts/config --file "$obj/.config" -m KUNIT || exit 1
			fi
			stage "olddefconfig ($ARCH, ${KCONFIG})" "$LOGS/deb-config$ASUFFIX.log" \
				kmake olddefconfig || exit 1
		fi
		stage "build the patched kernel ($ARCH, $KCONFIG; hours on 2 cores)" \
			"$LOGS/deb-build$ASUFFIX.log" kmake -j"$(nproc)" all || exit 1
	fi
	stage "package the patched kernel (bindeb-pkg, $ARCH)" "$LOGS/deb$ASUFFIX.log" \
		"$S"/build-deb.sh "$src" "$obj" "$BUILD/deb/$ARCH" || exit 1
	# The KUnit module for this kernel, and the kselftest archive.
	ko=-
	if grep -qE '^CONFIG_KUNIT=[ym]' "$obj/.config"; then
		stage "build the KUnit module ($ARCH)" "$LOGS/deb-kunit$ASUFFIX.log" \
			"$S"/build-kunit.sh "$obj" "$BUILD/deb/kunit-$ARCH" || exit 1
		ko=$BUILD/deb/kunit-$ARCH/vma_merge_test.ko
	else
		msg "no CONFIG_KUNIT: the kselftest archive has no KUnit module"
	fi
	stage "kselftest archive (gen_tar, TARGETS=vm, $ARCH)" "$LOGS/kselftest-tar$ASUFFIX.log" \
		"$S"/build-kselftest-tar.sh "$src" "$ko" \
		"$BUILD/deb/$ARCH/kselftest-vm-vma-merge-$ARCH.tar.gz" || exit 1
	) || exit 1
done

echo
for arch in $ARCHES; do
	for f in "$BUILD"/deb/"$arch"/linux-*.deb; do
		dpkg-deb -f "$f" Package Version Architecture | paste -sd' ' |
			sed "s|^|  ${f#"$TOP"/}: |"
	done
	echo "  ${BUILD#"$TOP"/}/deb/$arch/kselftest-vm-vma-merge-$arch.tar.gz"
done
