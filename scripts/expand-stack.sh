#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# expand-stack.sh [DIR]: turn the base plus patches/ into a git work tree
# for editing the stack (default build/work/linux).  The base is the
# first commit, tagged "base"; each patch is one commit on the branch
# "stack".  Edit with commit, rebase -i and fixup, then run
# scripts/export-stack.sh.
#
# Debian's .gitignore ignores everything at the top level, so the base is
# added with -f, and a file that a new commit creates needs "git add -f".
#
# An existing work tree is kept unless FORCE=1, because it may hold
# commits that were not exported yet.
set -u
. "$(dirname "$0")/lib.sh"

work=${1:-$BUILD/work/linux}
mapfile -t SERIES < <(series)
[ -f "$STOCK_SRC/Makefile" ] || die "no base tree: run scripts/fetch-base.sh"
if [ -e "$work" ] && [ "${FORCE:-0}" != 1 ]; then
	die "$work exists; export it first (scripts/export-stack.sh) or rerun with FORCE=1 to replace it"
fi
rm -rf "$work"
mkdir -p "$(dirname "$work")"

base_commit() {
	cp -a "$STOCK_SRC" "$work" &&
	cd "$work" && git init -q -b stack &&
	git add -A -f &&
	GIT_AUTHOR_NAME="Debian kernel team" GIT_AUTHOR_EMAIL="debian-kernel@lists.debian.org" \
	GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		git commit -q -m "Linux $(kernel_version "$STOCK_SRC") from Debian's $BASE_PACKAGE" &&
	git tag base &&
	# Commits made here carry the project's identity.
	for k in user.name user.email; do
		v=$(git -C "$TOP" config "$k") && git config "$k" "$v"
	done
	return 0
}
stage "create work tree with the base commit" "$LOGS/expand.log" base_commit || exit 1

n=0
for p in "${SERIES[@]}"; do
	if ! git -C "$work" am --quiet "$PATCHES/$p" >>"$LOGS/expand.log" 2>&1; then
		msg "patch $p does not apply; the work tree stops before it"
		show_tail "$LOGS/expand.log" 20
		exit 1
	fi
	n=$((n + 1))
done
msg "work tree $work: base + $n commits on branch stack"
