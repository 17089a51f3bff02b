#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# trinity.sh N SEED: run N system calls of Debian's trinity, its "vm"
# group only (mmap, munmap, mremap, mprotect, madvise, mlock and friends,
# brk, mbind, remap_file_pages, ...), with random seed SEED, as user
# nobody, from the libraries staged in lib/ (scripts/stage-programs.sh).
# File descriptor providers that this guest lacks or that only slow it
# down are off.  Prints the end of trinity's output and exits with its
# status; what the kernel thinks of it is in the console, which
# tools/report.py scans.
cd "$(dirname "$0")" || exit 1
here=$(pwd)
ld=$(ls "$here"/lib/ld-linux-*.so.* | head -n 1)
dir=/tmp/trinity
mkdir -p $dir && chmod 777 $dir || exit 1
su -s /bin/sh nobody -c "cd $dir && exec $ld \
	--library-path $here/lib $here/trinity -q -g vm -N $1 -s $2 -C 2 \
	-l off --disable-fds=sockets,perf,drm,pseudo,epoll" >$dir/out 2>&1
rc=$?
grep -v 'Marking' $dir/out | tail -n 12
exit $rc
