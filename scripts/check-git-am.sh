#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-git-am.sh: check that "git am" applies patches/ to the pristine
# base, one patch at a time, and name the first one that does not.
#
# The repository holds only the base files that the patches touch:
# git am reads nothing else, so the result is the same as on a full
# tree, in a second instead of a minute.
set -u
. "$(dirname "$0")/lib.sh"

mapfile -t SERIES < <(series)
[ -f "$STOCK_SRC/Makefile" ] || die "no base tree: run scripts/fetch-base.sh"
if [ ${#SERIES[@]} -eq 0 ]; then
	msg "git am: patches/series is empty, nothing to check"
	exit 0
fi
repo=$BUILD/git-am-check
log=$LOGS/git-am.log
rm -rf "$repo"
mkdir -p "$repo"
: >"$log"

(cd "$PATCHES" && cat "${SERIES[@]}") |
	sed -n -e 's|^diff --git a/\([^ ]*\) b/.*|\1|p' \
	       -e 's|^rename from ||p' -e 's|^copy from ||p' | sort -u |
	while read -r f; do
		[ -f "$STOCK_SRC/$f" ] || continue
		mkdir -p "$repo/$(dirname "$f")"
		cp -p "$STOCK_SRC/$f" "$repo/$f"
	done

export GIT_AUTHOR_NAME=base GIT_AUTHOR_EMAIL=base@localhost
export GIT_COMMITTER_NAME=base GIT_COMMITTER_EMAIL=base@localhost
git -C "$repo" init -q &&
git -C "$repo" add -A -f &&
git -C "$repo" commit -q --allow-empty -m "base $(kernel_version "$STOCK_SRC")" ||
	die "cannot create $repo"
for p in "${SERIES[@]}"; do
	echo "== $p" >>"$log"
	if ! git -C "$repo" am --quiet "$PATCHES/$p" >>"$log" 2>&1; then
		msg "patch $p does not apply to $(kernel_version "$STOCK_SRC") with git am"
		show_tail "$log" 20
		exit 1
	fi
done
msg "git am: ${#SERIES[@]} patches apply to the pristine base"
