#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-kernel.sh NAME SRC OBJ FRAGMENT...
#
# Configure (tinyconfig plus the fragments) and build a kernel from SRC
# into the object directory OBJ, leaving SRC untouched.  Every option a
# fragment sets must survive olddefconfig, or the build is refused.
# ARCH defaults to x86_64; LOCALVERSION is appended to the release
# (the patched kernel is 6.1.y-vma-merge, so uname -r tells them apart).
#
# KCONFIG=/path/to/.config starts from that configuration instead of
# tinyconfig (make run KCONFIG=...): the user's kernel, with the options
# of the fragments, which the tests need, on top.  Its trusted and
# revocation key files are dropped, as a distribution's are not in SRC.
set -u
. "$(dirname "$0")/lib.sh"

[ $# -ge 4 ] || die "usage: $0 NAME SRC OBJ FRAGMENT..."
name=$1 src=$2 obj=$3
shift 3
frags=()
for f in "$@"; do
	frags+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done

# The image, its make target and the cross compiler come from lib.sh.
image=$KIMAGE target=$(basename "$KIMAGE") cross=$CROSS

[ -f "$src/Makefile" ] || die "$src is not a kernel tree"
mkdir -p "$obj"
src=$(cd "$src" && pwd) obj=$(cd "$obj" && pwd)
use_ccache
log=$LOGS/build-$name.log
: >"$log"
kmake() {
	make -C "$src" O="$obj" ARCH="$ARCH" CROSS_COMPILE="$cross" CC="$KCC" \
		LOCALVERSION="${LOCALVERSION:-}" "$@"
}

# Regenerate the configuration only when its inputs change, so that a
# rebuild stays incremental.
KCONFIG=${KCONFIG:-}
if [ -n "$KCONFIG" ]; then
	[ -f "$KCONFIG" ] || die "KCONFIG=$KCONFIG: no such file"
	KCONFIG=$(cd "$(dirname "$KCONFIG")" && pwd)/$(basename "$KCONFIG")
fi
stamp=$( (kernel_version "$src"; echo "$ARCH"; [ -z "$KCONFIG" ] || cat "$KCONFIG"
	  cat "${frags[@]}") | sha1sum | cut -c1-40)
start_config() {
	if [ -z "$KCONFIG" ]; then
		kmake tinyconfig
		return
	fi
	cp "$KCONFIG" "$obj/.config" &&
	kconfig_drop_keys "$src" "$obj/.config" &&
	kmake olddefconfig
}
configure() {
	start_config &&
	"$src"/scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" "${frags[@]}" &&
	kmake olddefconfig || return 1
	local missing
	missing=$(cat "${frags[@]}" | grep -E '^CONFIG_[A-Z0-9_]+=' | sort -u |
		  while read -r line; do
			  grep -qxF "$line" "$obj/.config" || echo "$line"
		  done)
	if [ -n "$missing" ]; then
		echo "options the fragments ask for but the kernel did not take:"
		echo "$missing"
		return 1
	fi
	echo "$stamp $(sha1sum <"$obj/.config" | cut -c1-40)" >"$obj/.config-stamp"
}
# The stamp holds the hash of the inputs and of the .config they gave;
# a .config changed by hand since is regenerated too.
if [ ! -f "$obj/.config" ] ||
   [ "$(cat "$obj/.config-stamp" 2>/dev/null)" != "$stamp $(sha1sum <"$obj/.config" | cut -c1-40)" ]; then
	rm -f "$obj/.config-stamp"
	stage "configure $name kernel" "$LOGS/config-$name.log" configure || exit 1
fi

# With modules, build them too: that writes Module.symvers, which an
# out-of-tree module (the KUnit module in mm/) is linked against.
targets=("$target")
grep -qx CONFIG_MODULES=y "$obj/.config" && targets+=(modules)
stage "build $name kernel ($ARCH, $(kernel_version "$src"))" "$log" \
	kmake -j"$(nproc)" "${targets[@]}" || exit 1
[ -f "$obj/$image" ] || die "no $image in $obj"
