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
#
# On a newer base a patch may not apply: the work tree then stops at it,
# with git am in progress.  Resolve it, "git am --continue", and run
# "expand-stack.sh --continue [DIR]" to apply the patches after it.
set -u
. "$(dirname "$0")/lib.sh"

cont=0
if [ "${1:-}" = --continue ]; then
	cont=1
	shift
fi
work=${1:-$BUILD/work/linux}
mapfile -t SERIES < <(series)

# apply_from N: apply the patches of the series from index N on.
apply_from() {
	local i p n=0 ver
	for ((i = $1; i < ${#SERIES[@]}; i++)); do
		p=${SERIES[i]}
		if ! git -C "$work" am --quiet "$PATCHES/$p" >>"$LOGS/expand.log" 2>&1; then
			ver=$(git -C "$work" log -1 --format=%s base | sed -n 's/^Linux \([^ ]*\) .*/\1/p')
			msg "patch $p does not apply; the work tree stops at it, with git am in progress"
			am_tail "$LOGS/expand.log" 20
			msg "resolve it in $work (git am --show-current-patch=diff; git apply --reject; fix the .rej hunks; git add -f), then: git am --continue && $0 --continue"
			base_note "$ver"
			exit 1
		fi
		n=$((n + 1))
	done
	msg "work tree $work: base + $(git -C "$work" rev-list --count base..HEAD) commits on branch stack"
}

if [ $cont = 1 ]; then
	git -C "$work" rev-parse --verify -q base >/dev/null ||
		die "$work is not a work tree from $0 (no tag 'base')"
	[ ! -d "$(git -C "$work" rev-parse --absolute-git-dir)/rebase-apply" ] ||
		die "$work still has git am in progress: resolve it and run 'git am --continue' first"
	apply_from "$(git -C "$work" rev-list --count base..HEAD)"
	exit 0
fi

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

apply_from 0
