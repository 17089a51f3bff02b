#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# apply-stack.sh              build/patched/linux = pristine base + patches/,
#                             applied with "quilt push -a --fuzz=0"
# apply-stack.sh --tree DIR   apply patches/ to the user's own 6.1.y tree DIR
#                             in place (git am in a git tree, patch -F0
#                             otherwise), touching nothing else there
#
# A patch that does not apply cleanly fails the run and is named.
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

# check_user_tree DIR: refuse a tree that is not 6.1, is dirty, or has
# the stack already.
check_user_tree() {
	local t=$1 ver
	[ -f "$t/Makefile" ] && [ -d "$t/mm" ] || die "$t is not a Linux source tree"
	ver=$(kernel_version "$t")
	case $ver in
	6.1.*) ;;
	*) die "$t is Linux $ver; this stack is for 6.1.y (written against $BASE_VERSION)" ;;
	esac
	if [ -d "$t/.git" ] || git -C "$t" rev-parse --git-dir >/dev/null 2>&1; then
		if [ -n "$(git -C "$t" status --porcelain --untracked-files=no)" ]; then
			git -C "$t" status --short --untracked-files=no | head -n 10 >&2
			die "$t has uncommitted changes; commit or stash them first"
		fi
	fi
	if [ -d "$t/.pc" ] || [ -f "$t/.config" ] || [ -d "$t/include/config" ]; then
		die "$t is not clean (quilt state or an in-tree build); run 'make mrproper' or clean it first"
	fi
	if [ ${#SERIES[@]} -gt 0 ] &&
	   (cd "$t" && patch -p1 -R --dry-run -s -f <"$PATCHES/${SERIES[0]}") >/dev/null 2>&1; then
		die "$t already has the stack applied (${SERIES[0]} reverses cleanly)"
	fi
	msg "tree $t: Linux $ver, clean"
}

apply_user_tree() {
	local t=$1 p n=0 log=$LOGS/apply-tree.log
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
				show_tail "$log" 25
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
			return 1
		fi
		n=$((n + 1))
	done
	msg "patch -F0: $n patches applied to $t"
}

case ${1:-} in
--tree) [ $# -eq 2 ] || die "usage: $0 --tree DIR"; apply_user_tree "$(cd "$2" && pwd)" ;;
"") apply_debian_base ;;
*) die "usage: $0 [--tree DIR]" ;;
esac
