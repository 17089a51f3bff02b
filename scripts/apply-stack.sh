#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# apply-stack.sh              build/patched/linux = pristine base + patches/,
#                             applied with "quilt push -a --fuzz=0"
# apply-stack.sh --tree DIR   apply patches/ to the user's own 6.1.y tree DIR
#                             in place (git am in a git tree, patch -F0
#                             otherwise), touching nothing else there
#
# apply-stack.sh --state DIR  print none, full or partial: whether DIR
#                             carries the stack
# apply-stack.sh --undo-hint DIR  print the command that takes it off
#
# A patch that does not apply cleanly fails the run and is named.  A tree
# that has the whole stack already is left as it is; one with part of it
# is refused, with the command that takes it off.
set -u
. "$(dirname "$0")/lib.sh"

mapfile -t SERIES < <(series)

# name_failure LOG: the patch a quilt log was applying when it stopped.
name_failure() {
	grep -a '^Applying patch ' "$1" | tail -n 1 | sed -e 's/^Applying patch //' \
		-e "s|^$PATCHES/||" -e 's|^patches/||'
}

apply_quilt() {
	local tree=$1 log=$2
	if [ ${#SERIES[@]} -eq 0 ]; then
		echo "patches/series is empty: nothing to apply" >"$log"
		return 0
	fi
	(cd "$tree" && QUILT_PATCHES=$PATCHES QUILT_PC=.pc \
		quilt push -a --fuzz=0 --quiltrc=/dev/null) >"$log" 2>&1
	local rc=$?
	if [ $rc -ne 0 ]; then
		msg "patch $(name_failure "$log") does not apply to $(kernel_version "$STOCK_SRC") with quilt push -a --fuzz=0"
		show_tail "$log" 25
		base_note "$(kernel_version "$STOCK_SRC")"
		return 1
	fi
	if grep -aqE '(with fuzz|offset [0-9]+ line)' "$log"; then
		msg "patches apply only with offsets or fuzz (export them again):"
		grep -aE '^Applying patch|with fuzz|offset [0-9]+ line' "$log" >&2
		return 1
	fi
}

apply_debian_base() {
	[ -f "$STOCK_SRC/Makefile" ] || die "no base tree: run scripts/fetch-base.sh"
	local stamp
	stamp=$( (cat "$BUILD/stock/.unpacked"; cd "$PATCHES" && cat series "${SERIES[@]}") |
		sha1sum | cut -c1-40)
	if [ "$(cat "$BUILD/patched/.applied" 2>/dev/null)" = "$stamp" ]; then
		msg "patched tree is up to date (${#SERIES[@]} patches)"
		return 0
	fi
	rm -f "$BUILD/patched/.applied"
	mkdir -p "$BUILD/patched"
	# Reset the tree to the base.  Without -t, rsync gives every file it
	# rewrites a new mtime, so make rebuilds exactly what changed.
	if [ -d "$PATCHED_SRC" ]; then
		stage "reset patched tree to the base" "$LOGS/reset.log" \
			rsync -rlpD --checksum --delete "$STOCK_SRC"/ "$PATCHED_SRC"/ || return 1
	else
		stage "copy base to patched tree" "$LOGS/reset.log" \
			cp -a "$STOCK_SRC" "$PATCHED_SRC" || return 1
	fi
	local s
	s=$(date +%s)
	apply_quilt "$PATCHED_SRC" "$LOGS/quilt.log" || return 1
	msg "quilt push -a: ${#SERIES[@]} patches apply with no fuzz ($(($(date +%s) - s))s)"
	echo "$stamp" >"$BUILD/patched/.applied"
}

# stack_state DIR: "none", "full" or "partial": whether DIR carries the
# stack.  6.1 has no mm/vma.c, which the stack's first patch creates;
# the whole stack is there when its last patch, which no later patch
# rewrites, reverses cleanly.
stack_state() {
	local t=$1 n=${#SERIES[@]}
	if [ $n -eq 0 ] || [ ! -e "$t/mm/vma.c" ]; then
		echo none
	elif (cd "$t" && patch -p1 -R --dry-run -s -f <"$PATCHES/${SERIES[n - 1]}") >/dev/null 2>&1; then
		echo full
	else
		echo partial
	fi
}

# undo_hint DIR: how to take the stack off DIR again.
undo_hint() {
	local t=$1 first commit
	if git -C "$t" rev-parse --git-dir >/dev/null 2>&1; then
		first=$(sed -n 's/^Subject: \(\[PATCH[^]]*\] \)\{0,1\}//p' "$PATCHES/${SERIES[0]}" | head -n 1)
		# The stack's first commit; the tree was at its parent.
		commit=$(git -C "$t" log --format='%H %s' -n 500 | grep -F " $first" | head -n 1 | cut -d' ' -f1)
		if [ -n "$commit" ]; then
			echo "git -C $t reset --hard $commit~1"
			return
		fi
	fi
	if [ "$(stack_state "$t")" = full ]; then
		echo "(cd $t && for p in \$(tac $PATCHES/series); do patch -p1 -R < $PATCHES/\$p; done)"
	else
		echo "reverse the patches of $PATCHES/series that $t has, last first (cd $t && patch -p1 -R < $PATCHES/<patch>), or restore the tree from its source"
	fi
}

# resolve_hint DIR PATCH git|patch: how to get past PATCH, which does
# not apply to DIR, by hand.
resolve_hint() {
	local t=$1 p=$2 how=$3 ver
	ver=$(kernel_version "$t")
	if [ "$how" = git ]; then
		msg "to resolve it by hand: cd $t && git am -3 \$(grep -v '^#' $PATCHES/series | sed 's|^|$PATCHES/|')"
		msg "  stops at $p: fix its conflicts (or 'git apply --reject' and the .rej hunks), 'git add -f' the files and 'git am --continue'"
	else
		msg "to resolve it by hand: apply the patches before $p, then $p with 'patch -p1 --merge' (or fix its .rej hunks), then the rest, in the order of $PATCHES/series"
	fi
	base_note "$ver"
}

# check_tree DIR: DIR must be a 6.1.y Linux tree.
check_tree() {
	local t=$1 ver
	[ -f "$t/Makefile" ] && [ -d "$t/mm" ] || die "$t is not a Linux source tree"
	ver=$(kernel_version "$t")
	case $ver in
	6.1.*) ;;
	*) die "$t is Linux $ver; this stack is for 6.1.y (written against $BASE_VERSION)" ;;
	esac
}

# check_user_tree DIR: refuse a tree that is not 6.1, is dirty, or has
# part of the stack.
check_user_tree() {
	local t=$1 ver
	check_tree "$t"
	ver=$(kernel_version "$t")
	if [ -d "$t/.git" ] || git -C "$t" rev-parse --git-dir >/dev/null 2>&1; then
		if [ -n "$(git -C "$t" status --porcelain --untracked-files=no)" ]; then
			git -C "$t" status --short --untracked-files=no | head -n 10 >&2
			die "$t has uncommitted changes; commit or stash them first"
		fi
	fi
	if [ -d "$t/.pc" ] || [ -f "$t/.config" ] || [ -d "$t/include/config" ]; then
		die "$t is not clean (quilt state or an in-tree build); run 'make mrproper' or clean it first"
	fi
	msg "tree $t: Linux $ver, clean"
}

apply_user_tree() {
	local t=$1 p n=0 log=$LOGS/apply-tree.log
	check_tree "$t"
	case $(stack_state "$t") in
	full)
		msg "$t already has the stack (${#SERIES[@]} patches): nothing to apply"
		return 0
		;;
	partial)
		die "$t has part of the stack (mm/vma.c, but ${SERIES[${#SERIES[@]} - 1]} is not applied); take it off with: $(undo_hint "$t")"
		;;
	esac
	check_user_tree "$t"
	: >"$log"
	if git -C "$t" rev-parse --git-dir >/dev/null 2>&1; then
		local head
		head=$(git -C "$t" rev-parse HEAD)
		# git am records a committer; a tree without an identity gets one.
		if ! git -C "$t" config user.email >/dev/null; then
			export GIT_COMMITTER_NAME="vma-merge stack"
			export GIT_COMMITTER_EMAIL="vma-merge@localhost"
		fi
		for p in "${SERIES[@]}"; do
			if ! git -C "$t" am --quiet "$PATCHES/$p" >>"$log" 2>&1; then
				git -C "$t" am --abort >/dev/null 2>&1
				git -C "$t" reset --quiet --hard "$head"
				msg "patch $p does not apply to $t (git am); the tree is back at $head"
				am_tail "$log" 25
				resolve_hint "$t" "$p" git
				return 1
			fi
			n=$((n + 1))
		done
		msg "git am: $n patches applied to $t on top of $head"
		msg "to undo: git -C $t reset --hard $head"
		return 0
	fi
	for p in "${SERIES[@]}"; do
		echo "Applying patch $p" >>"$log"
		if ! (cd "$t" && patch -p1 -F0 -N -s --dry-run <"$PATCHES/$p" &&
		      patch -p1 -F0 -N -s --no-backup-if-mismatch <"$PATCHES/$p") \
			>>"$log" 2>&1; then
			msg "patch $p does not apply to $t; reverting the $n applied before it"
			local i
			for ((i = n - 1; i >= 0; i--)); do
				(cd "$t" && patch -p1 -R -s <"$PATCHES/${SERIES[i]}") >>"$log" 2>&1
			done
			show_tail "$log" 25
			resolve_hint "$t" "$p" patch
			return 1
		fi
		n=$((n + 1))
	done
	msg "patch -F0: $n patches applied to $t"
}

# user_dir DIR: DIR as an absolute path, or a message naming it.
user_dir() {
	[ -n "$1" ] || die "LINUX is empty: give the path of a 6.1.y tree"
	[ -d "$1" ] || die "LINUX=$1: no such directory"
	(cd "$1" && pwd)
}

case ${1:-} in
--tree) [ $# -eq 2 ] || die "usage: $0 --tree DIR"; t=$(user_dir "$2") || exit 1; apply_user_tree "$t" ;;
--state) [ $# -eq 2 ] || die "usage: $0 --state DIR"; t=$(user_dir "$2") || exit 1; stack_state "$t" ;;
--undo-hint) [ $# -eq 2 ] || die "usage: $0 --undo-hint DIR"; undo_hint "$2" ;;
"") apply_debian_base ;;
*) die "usage: $0 [--tree DIR|--state DIR|--undo-hint DIR]" ;;
esac
