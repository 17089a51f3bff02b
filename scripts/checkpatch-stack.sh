#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch-stack.sh [PATCH...]: run the base tree's checkpatch.pl
# --strict on each patch of the series (default: all of patches/series)
# and print one line per patch with its findings.
#
# Each patch is fed on standard input.  Given a file name that git
# tracks, checkpatch checks the file as source code rather than as a
# patch (git_is_single_file): patches/ is tracked here.  (That mode also
# reported every blank context line as trailing whitespace until
# scripts/export-stack.sh began writing them as empty lines.)
# "Unknown commit id" is left out: the base has no git history to look
# commit references up in.
#
# Exits 1 if any patch has an ERROR.  Findings in moved code are listed
# like any other; commit messages say where a patch moves code.
set -u
. "$(dirname "$0")/lib.sh"

cp=$STOCK_SRC/scripts/checkpatch.pl
[ -x "$cp" ] || die "no $cp: run scripts/fetch-base.sh"
if [ $# -gt 0 ]; then
	# checkpatch runs in /, so make relative names absolute.
	list=()
	for p in "$@"; do
		[ -f "$p" ] || die "no patch $p"
		list+=("$(realpath -- "$p")")
	done
else
	mapfile -t list < <(series | sed "s|^|$PATCHES/|")
fi

rc=0
for p in "${list[@]}"; do
	out=$(cd / && "$cp" --strict -q --no-tree - <"$p" 2>&1 |
	      grep -E '^(ERROR|WARNING|CHECK):' | grep -v 'Unknown commit id')
	e=$(grep -c '^ERROR' <<<"$out") w=$(grep -c '^WARNING' <<<"$out")
	c=$(grep -c '^CHECK' <<<"$out")
	printf '%-70s %s\n' "$(basename "$p")" \
		"$( [ -z "$out" ] && echo clean || echo "$e errors, $w warnings, $c checks")"
	[ -n "$out" ] && sort <<<"$out" | uniq -c | sed 's/^/    /'
	[ "$e" -gt 0 ] && rc=1
done
exit $rc
