#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-failinject.sh OUTDIR: build tools/failinject/failinject,
# statically (the initramfs has no shared libraries), into OUTDIR.
set -u
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
build_static "$1/failinject" "$TOP/tools/failinject/failinject.c"
