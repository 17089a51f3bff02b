#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fetch-base.sh: unpack Debian's linux-source-6.1 into build/stock/linux,
# the pristine base that the stock kernel is built from and the stack is
# applied to.  Does nothing if it is already there.
set -u
. "$(dirname "$0")/lib.sh"

stamp=$BUILD/stock/.unpacked
if [ -f "$stamp" ] && [ -f "$STOCK_SRC/Makefile" ]; then
	exit 0
fi
[ -f "$BASE_TARBALL" ] || die "$BASE_TARBALL is missing: install $BASE_PACKAGE (scripts/install-deps.sh)"
pkgver=$(dpkg-query -W -f='${Version}' "$BASE_PACKAGE" 2>/dev/null)

unpack() {
	rm -rf "$BUILD/stock/linux" "$BUILD/stock/unpack"
	mkdir -p "$BUILD/stock/unpack"
	tar -C "$BUILD/stock/unpack" -xf "$BASE_TARBALL" &&
	mv "$BUILD/stock/unpack"/linux-source-6.1 "$STOCK_SRC" &&
	rmdir "$BUILD/stock/unpack"
}
stage "unpack $BASE_PACKAGE $pkgver" "$LOGS/unpack.log" unpack || exit 1
ver=$(kernel_version "$STOCK_SRC")
base_note "$ver"
echo "$ver $pkgver" >"$stamp"
