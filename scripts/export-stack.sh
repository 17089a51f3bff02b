#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# export-stack.sh [DIR]: write the commits base..HEAD of the work tree
# (default build/work/linux) to patches/ as git format-patch files and
# rewrite patches/series.  The output depends only on the commits, so
# exporting an unchanged branch produces no diff.  Blank context lines
# are written as empty lines (diff.suppressBlankEmpty), as quilt and
# git am accept: checkpatch.pl given a patch's file name then does not
# take their single space for trailing whitespace.
set -u
. "$(dirname "$0")/lib.sh"

work=${1:-$BUILD/work/linux}
git -C "$work" rev-parse --verify -q base >/dev/null ||
	die "$work is not a work tree from scripts/expand-stack.sh (no tag 'base')"
[ -z "$(git -C "$work" status --porcelain --untracked-files=no)" ] ||
	die "$work has uncommitted changes; commit them first"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$work" -c core.abbrev=12 -c diff.renames=true \
	-c diff.suppressBlankEmpty=true format-patch -q \
	--zero-commit --no-signature --no-numbered --stat=80 \
	-o "$tmp" base..HEAD || die "git format-patch failed"

{
	sed -n '/^#/p' "$PATCHES/series" 2>/dev/null | head -n 20
	(cd "$tmp" && ls -1 -- *.patch 2>/dev/null)
} >"$tmp/series"
find "$PATCHES" -maxdepth 1 -name '*.patch' -delete
cp "$tmp"/*.patch "$PATCHES"/ 2>/dev/null
cp "$tmp/series" "$PATCHES/series"
msg "exported $(grep -vc '^#' "$PATCHES/series") patches to patches/"
git -C "$TOP" status --short -- patches | head -n 40
