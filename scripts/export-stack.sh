#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# export-stack.sh [DIR]: write the commits base..HEAD of the work tree
# (default build/work/linux) to patches/ as git format-patch files and
# rewrite patches/series.  The output depends only on the commits, so
# exporting an unchanged branch produces no diff.  Blank context lines
# are written as empty lines (diff.suppressBlankEmpty), as quilt and
# git am accept: checkpatch.pl given a patch's file name then does not
# take their single space for trailing whitespace.
#
# It also writes the cover letter, patches/cover-letter.mbox, in the form
# git format-patch --cover-letter gives (and b4 reads): subject and text
# from Documentation/cover-letter.txt, then the shortlog and diffstat of
# the series.  Its name keeps it out of patches/series and of
# "git am patches/0*.patch".
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

# The cover letter: format-patch writes "*** SUBJECT HERE ***" and
# "*** BLURB HERE ***" for us to fill in, and dates it now; it is dated
# by the last commit instead, so that an unchanged branch exports the
# same letter.
cover_letter() {
	local text=$TOP/Documentation/cover-letter.txt n subject date
	[ -f "$text" ] || die "no ${text#"$TOP"/}"
	n=$(git -C "$work" rev-list --count base..HEAD)
	subject=$(head -n 1 "$text")
	date=$(git -C "$work" log -1 --format=%aD HEAD)
	git -C "$work" -c core.abbrev=12 -c diff.renames=true \
		format-patch -q --cover-letter --zero-commit --no-signature \
		--stat=80 -o "$tmp/cover" base..HEAD ||
		die "git format-patch --cover-letter failed"
	tail -n +2 "$text" | grep -v '^#' |
		sed -e "s/@BASE_VERSION@/$BASE_VERSION/g" -e "s/@PATCHES@/$n/g" \
		>"$tmp/blurb"
	awk -v subject="$subject" -v date="$date" -v blurb="$tmp/blurb" '
		/^Date: / && !d { print "Date: " date; d = 1; next }
		/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
		/^\*\*\* BLURB HERE \*\*\*$/ {
			while ((getline line < blurb) > 0)
				print line
			next
		}
		{ print }' "$tmp/cover/0000-cover-letter.patch" >"$tmp/cover-letter.mbox" ||
		die "could not fill in the cover letter"
	! grep -q '\*\*\* \(SUBJECT\|BLURB\) HERE' "$tmp/cover-letter.mbox" ||
		die "the cover letter still has format-patch's placeholders"
}
cover_letter

{
	sed -n '/^#/p' "$PATCHES/series" 2>/dev/null | head -n 20
	(cd "$tmp" && ls -1 -- *.patch 2>/dev/null)
} >"$tmp/series"
find "$PATCHES" -maxdepth 1 -name '*.patch' -delete
cp "$tmp"/*.patch "$PATCHES"/ 2>/dev/null
cp "$tmp/series" "$PATCHES/series"
cp "$tmp/cover-letter.mbox" "$PATCHES/cover-letter.mbox"
msg "exported $(grep -vc '^#' "$PATCHES/series") patches to patches/"
git -C "$TOP" status --short -- patches | head -n 40
