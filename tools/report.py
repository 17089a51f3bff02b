#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise the TAP/KTAP the guests wrote and the kernels' consoles.

usage: report.py [--markdown FILE] KERNEL=RUNDIR... [--tap NAME=FILE...]

Each RUNDIR holds results.tap (the guest's result channel) and
console.log (the kernel's serial console).  --tap adds a plain TAP file
produced on the host (for example the userland harness) as suite NAME.

Prints one table row per suite and kernel, every failing test, every
suspicious console line, and finally "N passed, N failed, N skipped".
Exits 1 if anything failed or a console shows a WARNING, BUG, Oops,
KASAN/UBSAN report, lockdep splat or "Bad rss-counter" line.
"""

import os
import re
import sys

RESULT = re.compile(r'^(not ok|ok)\s+(\d+)\s*-?\s*([^#]*?)\s*(?:#\s*(.*))?$')
PLAN = re.compile(r'^1\.\.(\d+)')
CONSOLE_BAD = re.compile(
    r'(WARNING:|BUG:|kernel BUG at|Oops|general protection fault|'
    r'Kernel panic|KASAN:|UBSAN:|possible circular locking|'
    r'possible recursive locking|inconsistent lock state|'
    r'Bad rss-counter|Bad page (state|map)|RCU stall|soft lockup|'
    r'hung_task|Call Trace:)')


class Suite:
    def __init__(self, kernel, name):
        self.kernel, self.name = kernel, name
        self.passed, self.failed, self.skipped = [], [], []
        self.plan = None
        self.complete = False
        self.problems = []

    def add(self, status, name, directive):
        d = (directive or '').strip()
        if status == 'ok' and d.upper().startswith('SKIP'):
            self.skipped.append((name, d[4:].strip()))
        elif status == 'ok':
            self.passed.append(name)
        else:
            self.failed.append((name, d))

    def finish(self):
        seen = len(self.passed) + len(self.failed) + len(self.skipped)
        if not self.complete:
            self.failed.append(('(suite)', 'output ended before the suite did'))
        elif self.plan is not None and seen < self.plan:
            self.failed.append(('(suite)', '%d of %d planned results missing'
                                % (self.plan - seen, self.plan)))


def parse_tap(kernel, text, default_suite=None):
    """Top-level results of each VMA-SUITE section (or of a plain TAP)."""
    suites = []
    cur = None
    if default_suite:
        cur = Suite(kernel, default_suite)
        cur.complete = True
        suites.append(cur)
    for raw in text.splitlines():
        line = raw.rstrip('\r')
        if line.startswith('VMA-SUITE-BEGIN '):
            cur = Suite(kernel, line.split()[1])
            suites.append(cur)
            continue
        if line.startswith('VMA-SUITE-END ') and cur:
            cur.complete = True
            cur = None
            continue
        if cur is None or line[:1] in (' ', '\t'):
            continue
        m = PLAN.match(line)
        if m and cur.plan is None:
            cur.plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if m:
            cur.add(m.group(1), m.group(3), m.group(4))
    for s in suites:
        s.finish()
    return suites


def scan_console(path):
    """Suspicious lines of the kernel log, each once."""
    try:
        with open(path, errors='replace') as f:
            text = f.read().replace('\r', '')
    except OSError:
        return ['console log missing']
    m = re.search(r'VMA-DMESG-BEGIN\n(.*?)VMA-DMESG-END', text, re.S)
    body = m.group(1) if m else text
    bad = []
    for line in body.splitlines():
        if CONSOLE_BAD.search(line):
            line = re.sub(r'^\[\s*[\d.]+\]\s*', '', line).strip()
            if line not in bad:
                bad.append(line)
    return bad


def main(argv):
    md = None
    runs, taps = [], []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == '--markdown':
            md = args.pop(0)
        elif a == '--tap':
            taps.append(args.pop(0).split('=', 1))
        elif '=' in a:
            runs.append(a.split('=', 1))
        else:
            print(__doc__, file=sys.stderr)
            return 2

    suites, consoles = [], {}
    for kernel, d in runs:
        try:
            with open(os.path.join(d, 'results.tap'), errors='replace') as f:
                text = f.read()
        except OSError:
            text = ''
        got = parse_tap(kernel, text)
        if not got:
            s = Suite(kernel, '(guest)')
            s.failed.append(('(guest)', 'no results from the guest'))
            got = [s]
        suites += got
        consoles[kernel] = scan_console(os.path.join(d, 'console.log'))
    for name, path in taps:
        try:
            with open(path, errors='replace') as f:
                text = f.read()
        except OSError:
            text = ''
        suites += parse_tap('host', text, default_suite=name)

    rows = [('suite', 'kernel', 'passed', 'failed', 'skipped')]
    for s in suites:
        rows.append((s.name, s.kernel, str(len(s.passed)),
                     str(len(s.failed)), str(len(s.skipped))))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    out = []
    for i, r in enumerate(rows):
        out.append('  '.join(c.ljust(widths[j]) if j < 2 else c.rjust(widths[j])
                             for j, c in enumerate(r)))
        if i == 0:
            out.append('  '.join('-' * w for w in widths))
    print('\n'.join(out))

    failures = [(s, n, why) for s in suites for n, why in s.failed]
    if failures:
        print('\nfailed:')
        for s, n, why in failures:
            print('  %s/%s %s%s' % (s.kernel, s.name, n, ': ' + why if why else ''))
    skips = [(s, n, why) for s in suites for n, why in s.skipped]
    if skips:
        print('\nskipped:')
        for s, n, why in skips:
            print('  %s/%s %s: %s' % (s.kernel, s.name, n, why or 'no reason given'))
    console_bad = 0
    for kernel, bad in consoles.items():
        if bad:
            console_bad += 1
            print('\n%s kernel console shows problems:' % kernel)
            for line in bad[:20]:
                print('  ' + line)

    npass = sum(len(s.passed) for s in suites)
    nfail = len(failures) + console_bad
    nskip = len(skips)
    summary = '%d passed, %d failed, %d skipped' % (npass, nfail, nskip)
    if md:
        with open(md, 'w') as f:
            f.write('| ' + ' | '.join(rows[0]) + ' |\n')
            f.write('|' + '---|' * 5 + '\n')
            for r in rows[1:]:
                f.write('| ' + ' | '.join(r) + ' |\n')
            f.write('\n' + summary + '\n')
    print()
    print(summary)
    return 1 if nfail else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
