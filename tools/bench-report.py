#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the benchmark rounds of the stock and the patched kernel.

usage: bench-report.py [--markdown FILE] [--png FILE] [--accel ACCEL]
                       [--legend FILE] [--note TEXT]... KIND=RUNDIR...

Each RUNDIR is one boot of one kernel (KIND is "stock" or "patched")
running the bench suite; its results.tap holds the lines that
tools/bench/vma-bench.c and tools/bench/stress-ng.sh print:

    bench NAME ops_per_sec=R cycles_per_op=C ...
    stress NAME bogo_ops=N ops_per_sec=R ...
    frag NAME vmas=N min=M slab_active=A slab_total=T slab_objsize=O

The n-th stock run and the n-th patched run form round n.  For every
benchmark the report gives the median of each kernel's rounds, the
ratio patched/stock of the medians (throughput: above 1 the patched
kernel is faster), the lowest and highest per-round ratio, and each
kernel's own spread across rounds, which is the noise the ratio has to
be read against.  Unless --accel is kvm, absolute rates are left out:
under TCG (tcg, or icount) only ratios mean anything.  For the fragmentation workloads it
gives the final VMA count of each kernel next to the legal minimum, and
the vm_area_struct slab usage.

--legend FILE is the output of "vma-bench -l", for the descriptions.
Exits 1 if a run is missing, incomplete or reported an error, or a
kernel console shows a problem (as tools/report.py judges it).
"""

import math
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import scan_console  # noqa: E402

KV = re.compile(r'(\w+)=("[^"]*"|\S+)')
RESULT = re.compile(r'^(not ok|ok)\s+\d+\s+(\S+)(?:\s+#\s*(.*))?$')


class Run:
    def __init__(self, kind, path):
        self.kind, self.path = kind, path
        self.release = None
        self.values = {}        # (section, name) -> {key: value}
        self.problems = []
        self.parse()

    def parse(self):
        tap = os.path.join(self.path, 'results.tap')
        try:
            with open(tap, errors='replace') as f:
                text = f.read()
        except OSError:
            self.problems.append('no results.tap')
            return
        done = False
        for raw in text.splitlines():
            line = raw.rstrip('\r')
            if line.startswith('VMA-GUEST-BEGIN '):
                self.release = line.split()[1]
            elif line.startswith('VMA-GUEST-DONE'):
                done = True
            m = RESULT.match(line)
            if m and m.group(1) == 'not ok':
                self.problems.append('%s: %s' % (m.group(2), m.group(3) or 'failed'))
            words = line.split()
            if len(words) < 3 or words[0] not in ('bench', 'stress', 'frag'):
                continue
            kv = {k: v.strip('"') for k, v in KV.findall(line)}
            key = (words[0], words[1])
            if 'error' in kv:
                self.problems.append('%s %s: %s' % (key + (kv['error'],)))
                continue
            vals = {}
            for k, v in kv.items():
                try:
                    vals[k] = float(v)
                except ValueError:
                    pass
            self.values[key] = vals
        if not done:
            self.problems.append('the guest did not finish')
        scan = scan_console(os.path.join(self.path, 'console.log'))
        for line in scan.bad:
            self.problems.append('console: ' + line)
        # The bench kernels run no negative controls (there is no xfail
        # list here, so nothing is passed as xfailed): an "expected" line
        # cannot be excused by a failing test and is a problem like any.
        for test, line in scan.expected:
            self.problems.append('console (inside %s, but the bench has no '
                                 'negative controls): %s' % (test, line))


def median(xs):
    return statistics.median(xs) if xs else None


def spread(xs):
    """(max - min) / median, the run-to-run noise of one kernel."""
    if len(xs) < 2 or not median(xs):
        return None
    return (max(xs) - min(xs)) / median(xs)


def fmt_ratio(x):
    return '—' if x is None else '%.3f' % x


def fmt_pct(x):
    return '—' if x is None else '%.1f%%' % (100 * x)


def fmt_rate(x):
    if x is None:
        return '—'
    return '%.0f' % x if x >= 100 else '%.2f' % x


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


class Row:
    """One benchmark: its per-round values on each kernel."""

    def __init__(self, section, name, stock, patched, cstock, cpatched):
        self.section, self.name = section, name
        self.stock, self.patched = stock, patched
        self.ratio = None
        if median(stock) and median(patched) is not None:
            self.ratio = median(patched) / median(stock)
        pairs = [(s, p) for s, p in zip(stock, patched) if s]
        self.rounds = [p / s for s, p in pairs]
        self.lo = min(self.rounds) if self.rounds else None
        self.hi = max(self.rounds) if self.rounds else None
        self.cycles = None
        if median(cstock) and median(cpatched):
            self.cycles = median(cpatched) / median(cstock)


def collect(stock_runs, patched_runs, section, key):
    names = []
    for r in stock_runs + patched_runs:
        for (sec, name) in r.values:
            if sec == section and name not in names:
                names.append(name)

    def vals(runs, name, k):
        return [r.values[(section, name)][k] for r in runs
                if k in r.values.get((section, name), {})]

    rows = []
    for name in names:
        rows.append(Row(section, name, vals(stock_runs, name, key),
                        vals(patched_runs, name, key),
                        vals(stock_runs, name, 'cycles_per_op'),
                        vals(patched_runs, name, 'cycles_per_op')))
    return rows


def frag_rows(stock_runs, patched_runs):
    names = []
    for r in stock_runs + patched_runs:
        for (sec, name) in r.values:
            if sec == 'frag' and name not in names:
                names.append(name)

    def counts(runs, name, k):
        xs = sorted({int(r.values[('frag', name)][k]) for r in runs
                     if k in r.values.get(('frag', name), {})})
        if not xs:
            return '—'
        return str(xs[0]) if len(xs) == 1 else '%d–%d' % (xs[0], xs[-1])

    def slab(runs, name):
        a = [r.values[('frag', name)].get('slab_active', -1) for r in runs
             if ('frag', name) in r.values]
        t = [r.values[('frag', name)].get('slab_total', -1) for r in runs
             if ('frag', name) in r.values]
        if not a or median(a) < 0:
            return '—'
        return '%d / %d' % (median(a), median(t))

    rows = []
    for name in names:
        size = counts(stock_runs + patched_runs, name, 'slab_objsize')
        rows.append((name, counts(stock_runs + patched_runs, name, 'min'),
                     counts(stock_runs, name, 'vmas'),
                     counts(patched_runs, name, 'vmas'),
                     slab(stock_runs, name), slab(patched_runs, name),
                     size if size not in ('-1', '—') else '—'))
    return rows


def read_legend(path):
    legend = {}
    if not path:
        return legend
    with open(path) as f:
        for line in f:
            w = line.split(None, 2)
            if len(w) == 3:
                legend[w[1]] = w[2].strip()
    return legend


def table(header, rows, align):
    """A Markdown table, padded so that it also reads as plain text."""
    cells = [list(header)] + [list(r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    out = []
    for n, r in enumerate(cells):
        out.append('| ' + ' | '.join(
            c.ljust(widths[i]) if align[i] == 'l' else c.rjust(widths[i])
            for i, c in enumerate(r)) + ' |')
        if n == 0:
            out.append('|' + '|'.join(
                ('-' * (widths[i] + 1) + ':') if align[i] == 'r'
                else '-' * (widths[i] + 2) for i in range(len(header))) + '|')
    return '\n'.join(out)


def perf_table(rows, legend, absolute):
    header = ['benchmark', 'patched/stock', 'per-round min–max']
    if absolute:
        header += ['stock ops/s', 'patched ops/s']
    header += ['cycles/op p/s', 'spread stock', 'spread patched', 'n']
    out = []
    for r in rows:
        c = [r.name, fmt_ratio(r.ratio),
             '—' if r.lo is None else '%.3f–%.3f' % (r.lo, r.hi)]
        if absolute:
            c += [fmt_rate(median(r.stock)), fmt_rate(median(r.patched))]
        c += [fmt_ratio(r.cycles) if r.section == 'bench' else '',
              fmt_pct(spread(r.stock)), fmt_pct(spread(r.patched)),
              '%d+%d' % (len(r.stock), len(r.patched))]
        out.append(c)
    align = 'l' + 'r' * (len(header) - 1)
    return table(header, out, align)


def plot(path, title, micro, stress, frags):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    rows = micro + stress
    fig, (ax, bx) = plt.subplots(
        1, 2, figsize=(13, max(5.5, 0.36 * len(rows) + 1.8)),
        gridspec_kw={'width_ratios': [3, 2]})
    fig.suptitle(title, fontsize=11)

    y = list(range(len(rows)))[::-1]
    ratios = [r.ratio or 0 for r in rows]
    colors = ['#4c72b0' if r.section == 'bench' else '#55a868' for r in rows]
    ax.barh(y, [x - 1 for x in ratios], left=1, color=colors, height=0.6)
    for yy, r in zip(y, rows):
        if r.lo is not None:
            ax.plot([r.lo, r.hi], [yy, yy], color='black', lw=1.2)
            ax.plot(r.rounds, [yy] * len(r.rounds), 'k|', ms=8)
    lo = min([r.lo for r in rows if r.lo] + [0.95])
    hi = max([r.hi for r in rows if r.hi] + [1.05])
    right = hi + 0.25 * (hi - lo)
    for yy, r in zip(y, rows):
        if r.ratio:
            ax.text(right, yy, '%.3f ' % r.ratio, fontsize=8, va='center',
                    ha='right')
    ax.axvline(1.0, color='black', lw=0.8)
    ax.set_xlim(lo - 0.1 * (hi - lo), right)
    ax.set_yticks(y)
    ax.set_yticklabels([('' if r.section == 'bench' else 'stress-ng ') + r.name
                        for r in rows], fontsize=9)
    ax.set_xlabel('throughput, patched / stock (median; bar: per-round min–max)\n'
                  '> 1: patched faster')
    ax.grid(axis='x', alpha=0.3)
    ax.set_title('micro-benchmarks (blue) and stress-ng (green)', fontsize=10)

    names = [f[0] for f in frags]
    x = range(len(names))

    def num(s):
        try:
            return int(s.split('–')[-1])
        except ValueError:
            return 0

    w = 0.27
    bx.bar([i - w for i in x], [num(f[1]) for f in frags], w,
           label='legal minimum', color='#bbbbbb')
    bx.bar(list(x), [num(f[2]) for f in frags], w, label='stock',
           color='#dd8452')
    bx.bar([i + w for i in x], [num(f[3]) for f in frags], w,
           label='patched', color='#4c72b0')
    for i, f in enumerate(frags):
        for dx, v in ((-w, f[1]), (0, f[2]), (w, f[3])):
            bx.text(i + dx, num(v), v, ha='center', va='bottom', fontsize=7)
    top = max([num(v) for f in frags for v in f[1:4]] + [1])
    bx.set_ylim(0, top * 1.3)
    bx.set_xticks(list(x))
    bx.set_xticklabels(names, rotation=25, ha='right', fontsize=9)
    bx.set_ylabel('VMAs at the end of the workload')
    bx.set_title('fragmentation: final VMA count', fontsize=10)
    bx.legend(fontsize=8, loc='upper right', ncol=3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv):
    md = png = legend_path = None
    accel = 'tcg'
    notes = []
    runs = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == '--markdown':
            md = args.pop(0)
        elif a == '--png':
            png = args.pop(0)
        elif a == '--accel':
            accel = args.pop(0)
        elif a == '--legend':
            legend_path = args.pop(0)
        elif a == '--note':
            notes.append(args.pop(0))
        elif '=' in a and a.split('=', 1)[0] in ('stock', 'patched'):
            runs.append(Run(*a.split('=', 1)))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    stock = [r for r in runs if r.kind == 'stock']
    patched = [r for r in runs if r.kind == 'patched']
    if not stock or not patched:
        print('need runs of both kernels', file=sys.stderr)
        return 2
    legend = read_legend(legend_path)
    absolute = accel == 'kvm'

    micro = collect(stock, patched, 'bench', 'ops_per_sec')
    stress = collect(stock, patched, 'stress', 'ops_per_sec')
    frags = frag_rows(stock, patched)
    rel = lambda rs: ', '.join(sorted({r.release or '?' for r in rs}))
    order = ', '.join(r.kind for r in runs)

    lines = ['# VMA benchmarks: stock against patched, %d+%d boots'
             % (len(stock), len(patched)), '']
    lines += ['- stock kernel: %s; patched kernel: %s' % (rel(stock), rel(patched))]
    lines += ['- %s' % n for n in notes]
    lines += ['- boots, in this order, each running all the benchmarks: %s' % order]
    if absolute:
        lines += ['- QEMU accelerator: %s' % accel]
    elif accel == 'icount':
        lines += ['- QEMU accelerator: TCG with -icount (shift=2, sleep=off): '
                  'guest time advances by 4 ns per guest instruction, not '
                  'with the host\'s clock, so the rates do not depend on the '
                  'host\'s load and a ratio is the ratio of instructions '
                  'executed per operation (cache and pipeline effects are not '
                  'modelled); only ratios are reported']
    else:
        lines += ['- QEMU accelerator: TCG (emulated CPU, wall-clock time): '
                  'only ratios are reported; absolute rates under TCG say '
                  'nothing about hardware, and the host\'s load adds noise']
    lines += ['- patched/stock: median of the patched rounds over median of the '
              'stock rounds, in throughput (ops/s): above 1.000 the patched '
              'kernel is faster',
              '- per-round min–max: the lowest and highest of round i\'s '
              'patched over round i\'s stock',
              '- spread: (max − min) / median of one kernel\'s own rounds, the '
              'noise the ratio has to be read against',
              '- cycles/op p/s: the same ratio for the time stamp counter '
              'cycles per operation (below 1.000: patched faster)', '']
    lines += ['## Micro-benchmarks (tools/bench/vma-bench.c)', '',
              perf_table(micro, legend, absolute), '']
    g = geomean([r.ratio for r in micro])
    if g:
        lines += ['Geometric mean of the micro-benchmark ratios: %.3f' % g, '']
    lines += ['## stress-ng, bogo-ops per second of the guest\'s elapsed time', '',
              perf_table(stress, legend, absolute), '']
    g = geomean([r.ratio for r in stress])
    if g:
        lines += ['Geometric mean of the stress-ng ratios: %.3f' % g, '']
    lines += ['## Fragmentation: VMAs at the end of each workload', '',
              'The legal minimum is the count if every merge the design '
              'allows were taken (one VMA per run of pages with the same '
              'protection and anon_vma).  The slab columns are '
              '/proc/slabinfo\'s vm_area_struct active / total objects at '
              'that point (whole system, median of the rounds).', '',
              table(['workload', 'legal minimum', 'VMAs stock', 'VMAs patched',
                     'vm_area_struct stock', 'vm_area_struct patched',
                     'object size'], frags, 'lrrrrrr'), '']
    above = [f[0] for f in frags if f[3] != f[1] and f[1] != '—']
    lines += ['Patched above the legal minimum: %s' %
              (', '.join('`%s`' % n for n in above) if above else 'none'), '']
    if legend:
        lines += ['## What each benchmark does', '']
        lines += ['- `%s`: %s' % (k, v) for k, v in legend.items()]
        lines += ['- stress-ng `NAME`: one instance of that stressor, '
                  'for a fixed number of bogo operations', '']

    problems = ['%s run %s: %s' % (r.kind, os.path.basename(r.path), p)
                for r in runs for p in r.problems]
    if problems:
        lines += ['## Problems', ''] + ['- ' + p for p in problems] + ['']

    text = '\n'.join(lines)
    print(text)
    if md:
        with open(md, 'w') as f:
            f.write(text)
    if png:
        how = {'kvm': 'KVM', 'icount': 'TCG -icount (instruction-counted time)',
               'tcg': 'TCG (wall-clock time)'}.get(accel, accel)
        title = ('Linux %s: patched / stock, %d+%d boots alternating, %s'
                 % (rel(stock), len(stock), len(patched), how))
        plot(png, title, micro, stress, frags)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
