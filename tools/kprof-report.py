#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kprof-report.py: where the kernel instructions of each benchmark go.

usage: kprof-report.py [--top N] [--out FILE]
                       stock=MAP,KPROF,TAP patched=MAP,KPROF,TAP

MAP is a kernel's System.map, KPROF the output of the kprof QEMU plugin
(tools/kprof/kprof.c) for a boot of that kernel, and TAP the results.tap
of the same boot, whose "bench NAME ops=N" lines name the windows: the
n-th window is the timed loop of the n-th benchmark, which ran N
operations.  Blocks are added up by the function their first instruction
is in; inlined code counts for the function it was inlined into.

For each benchmark it prints the kernel instructions per operation of
both kernels, their ratio, and the functions whose count differs most,
largest difference first.  It exits 1 when an input does not fit: a
window count other than the number of benchmarks, a benchmark error, or
a kernel that ran a different set of benchmarks.
"""

import argparse
import bisect
import re
import sys

BENCH = re.compile(r'^\s*bench (\S+) (ops=(\d+)|error=.*)')


class InputError(Exception):
    pass


def read_map(path):
    """The text symbols of a System.map, as sorted (addresses, names)."""
    syms = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1] in 'tTwW':
                syms.append((int(parts[0], 16), parts[2]))
    if not syms:
        raise InputError('%s: no text symbols' % path)
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def read_benches(path):
    """[(name, ops)] of the benchmarks a results.tap reports, in order."""
    out = []
    with open(path, errors='replace') as f:
        for line in f:
            m = BENCH.match(line)
            if not m:
                continue
            if not m.group(3):
                raise InputError('%s: benchmark %s failed: %s'
                                 % (path, m.group(1), line.strip()))
            out.append((m.group(1), int(m.group(3))))
    return out


def read_kprof(path, addrs, names):
    """{window: {function: instructions}} from a kprof output file."""
    windows = {}
    with open(path) as f:
        head = f.readline().split()
        if len(head) < 2 or head[0] != 'windows':
            raise InputError('%s: not a kprof output file' % path)
        if 'overflow' in head:
            raise InputError('%s: more windows than kprof can count' % path)
        nwin = int(head[1])
        for line in f:
            w, vaddr, ninsns, count = line.split()
            i = bisect.bisect_right(addrs, int(vaddr, 16)) - 1
            fn = names[i] if i >= 0 else '?'
            per = windows.setdefault(int(w), {})
            per[fn] = per.get(fn, 0) + int(ninsns) * int(count)
    return nwin, windows


def load(spec):
    parts = spec.split(',')
    if len(parts) != 3:
        raise InputError('expected MAP,KPROF,TAP, got %s' % spec)
    mp, kp, tap = parts
    addrs, names = read_map(mp)
    benches = read_benches(tap)
    nwin, windows = read_kprof(kp, addrs, names)
    if nwin != len(benches):
        raise InputError('%s: %d windows for %d benchmarks in %s (did '
                         'something else call sched_get_priority_max()?)'
                         % (kp, nwin, len(benches), tap))
    prof = {}
    for i, (name, ops) in enumerate(benches):
        per = windows.get(i, {})
        prof[name] = (ops, {fn: n / ops for fn, n in per.items()})
    return [b for b, _ in benches], prof


def report(stock, patched, top):
    order, sp = stock
    porder, pp = patched
    if order != porder:
        raise InputError('the kernels ran different benchmarks: %s and %s'
                         % (','.join(order), ','.join(porder)))
    lines = ['%-16s %12s %12s %8s' % ('benchmark', 'stock insn/op',
                                      'patched', 'ratio')]
    detail = []
    for name in order:
        s, p = sp[name][1], pp[name][1]
        st, pt = sum(s.values()), sum(p.values())
        ratio = st / pt if pt else 0.0
        lines.append('%-16s %12.1f %12.1f %8.3f' % (name, st, pt, ratio))
        detail.append('')
        detail.append('%s: %.1f -> %.1f kernel instructions per operation '
                      '(stock/patched %.3f)' % (name, st, pt, ratio))
        detail.append('  %-36s %10s %10s %10s' % ('function', 'stock',
                                                  'patched', 'delta'))
        fns = set(s) | set(p)
        diff = sorted(fns, key=lambda f: (-abs(p.get(f, 0) - s.get(f, 0)), f))
        for fn in diff[:top]:
            d = p.get(fn, 0) - s.get(fn, 0)
            if abs(d) < 0.05:
                break
            detail.append('  %-36s %10.1f %10.1f %+10.1f'
                          % (fn[:36], s.get(fn, 0), p.get(fn, 0), d))
    lines.append('')
    lines.append('ratio: stock/patched instructions, as make bench reports '
                 '(above 1: the patched kernel runs fewer)')
    return '\n'.join(lines + detail) + '\n'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--top', type=int, default=20)
    ap.add_argument('--out')
    ap.add_argument('runs', nargs=2, metavar='KIND=MAP,KPROF,TAP')
    a = ap.parse_args(argv)
    specs = {}
    for r in a.runs:
        kind, _, spec = r.partition('=')
        specs[kind] = spec
    try:
        if set(specs) != {'stock', 'patched'}:
            raise InputError('need stock=... and patched=...')
        text = report(load(specs['stock']), load(specs['patched']), a.top)
    except (InputError, OSError, ValueError) as e:
        print('kprof-report: %s' % e, file=sys.stderr)
        return 1
    sys.stdout.write(text)
    if a.out:
        with open(a.out, 'w') as f:
            f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
