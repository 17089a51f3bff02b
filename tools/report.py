#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise the TAP/KTAP the guests wrote and the kernels' consoles.

usage: report.py [--markdown FILE] [--xfail FILE...] KERNEL=RUNDIR...
                 [--tap NAME=FILE...] [--kunit KERNEL=JSON...]

Each RUNDIR holds results.tap (the guest's result channel) and
console.log (the kernel's serial console).  --tap adds a plain TAP file
produced on the host (for example the userland harness) as suite NAME.

--kunit gives the results of the KUnit suite "kunit" on KERNEL as the
base tree's "kunit.py parse --json" wrote them (scripts/parse-kunit.sh):
the KUnit KTAP is read by kunit.py alone, and each KUnit case is counted,
named SUITE:CASE.  The guest's own entry for the suite (the program that
loaded the module) only adds a failure if the module did not load.  A
kernel without --kunit did not run the module (stock 6.1 lacks its API):
the report says so, and counts nothing for it there.

A suite whose runner printed "# mode: cases" is counted by the KTAP
cases each program printed (indented below it), not by program; a
program that failed without a failing case counts as one failure.

An --xfail file lists negative controls, one per line:
    KERNEL[,KERNEL] SUITE/TEST reason...
Such a test is expected to fail on those kernels: its failure is
reported but not counted as one, and a pass there is a failure (the
test could not tell the kernels apart).  A test whose failure is the
kernel's own complaint (a known bug that prints "Bad rss-counter")
writes "vmatest-expect: begin SUITE/TEST" and "vmatest-expect: end
SUITE/TEST" into the kernel log around it; on a kernel where that test
failed as a negative control, the suspicious console lines between the
two are listed as expected and not counted.  Everywhere else they count.

Prints one table row per suite and kernel, every failing test, every
suspicious console line, and finally "N passed, N failed, N skipped".
Exits 1 if anything failed or a console shows a WARNING, BUG, Oops,
KASAN/UBSAN report, lockdep splat or "Bad rss-counter" line.
"""

import json
import os
import re
import sys
from dataclasses import dataclass, field, replace

RESULT = re.compile(r'^(not ok|ok)\s+(\d+)\s*-?\s*([^#]*?)\s*(?:#\s*(.*))?$')
PLAN = re.compile(r'^1\.\.(\d+)')
CONSOLE_BAD = re.compile(
    r'(WARNING:|BUG:|kernel BUG at|Oops|general protection fault|'
    r'Kernel panic|KASAN:|UBSAN:|possible circular locking|'
    r'possible recursive locking|inconsistent lock state|'
    r'Bad rss-counter|Bad page (state|map)|RCU stall|soft lockup|'
    r'hung_task|Call Trace:|unreferenced object)')
EXPECT_MARK = re.compile(r'vmatest-expect: (begin|end) (\S+)')
# warn_alloc() reporting a page allocation that failed, as the fault
# injection suites make them fail on purpose: its stack dump is not a
# problem, but any other complaint near it still is.
ALLOC_FAILURE = re.compile(r'page allocation failure: order:')
ALLOC_FAILURE_LINES = 10


class Suite:
    def __init__(self, kernel, name):
        self.kernel, self.name = kernel, name
        self.passed, self.failed, self.skipped = [], [], []
        self.plan = None
        self.complete = False
        self.cases = False
        self.xfailed = []

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
    """Results of each VMA-SUITE section (or of a plain TAP)."""
    suites = []
    cur = None
    nested = []
    if default_suite:
        cur = Suite(kernel, default_suite)
        cur.complete = True
        suites.append(cur)
    for raw in text.splitlines():
        line = raw.rstrip('\r')
        if line.startswith('VMA-SUITE-BEGIN '):
            cur = Suite(kernel, line.split()[1])
            suites.append(cur)
            nested = []
            continue
        if line.startswith('VMA-SUITE-END ') and cur:
            cur.complete = True
            cur = None
            continue
        if cur is None:
            continue
        if line == '# mode: cases':
            cur.cases = True
            continue
        if line.startswith('    ') and not line.startswith('     '):
            m = RESULT.match(line[4:])
            if m:
                nested.append((m.group(1), m.group(3), m.group(4)))
            continue
        if line[:1] in (' ', '\t'):
            continue
        m = PLAN.match(line)
        if m and cur.plan is None:
            cur.plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if not m:
            continue
        status, name, directive = m.group(1), m.group(3), m.group(4)
        if cur.cases and nested:
            extra = len(nested) - 1
            for n_status, n_name, n_directive in nested:
                cur.add(n_status, n_name, n_directive)
            if status != 'ok' and not any(n[0] != 'ok' for n in nested):
                cur.add(status, name, directive)
                extra += 1
            if cur.plan is not None:
                cur.plan += extra
        else:
            cur.add(status, name, directive)
        nested = []
    for s in suites:
        s.finish()
    return suites


def kunit_suite(kernel, path, loader=None):
    """The KUnit cases in kunit.py's JSON at @path, as one suite named
    "kunit".  @loader: the guest's entry for the suite, whose failures
    (the module did not load, or timed out) are kept."""
    s = Suite(kernel, 'kunit')
    s.complete = True
    if loader is not None:
        s.failed += loader.failed
    try:
        with open(path) as f:
            top = json.load(f)
    except (OSError, ValueError) as e:
        s.failed.append(('(kunit)', 'no results from kunit.py: %s' % e))
        return s

    def walk(group, prefix):
        for case in group.get('test_cases', []):
            name, status = prefix + case['name'], case.get('status')
            if status == 'PASS':
                s.add('ok', name, None)
            elif status == 'SKIP':
                s.add('ok', name, 'SKIP')
            else:
                s.add('not ok', name, status or 'no status')
        for sub in group.get('sub_groups', []):
            walk(sub, sub['name'] + ':')

    walk(top, '')
    if not (s.passed or s.failed or s.skipped):
        s.failed.append(('(kunit)', 'kunit.py found no KUnit cases'))
    return s


ARCH_SUFFIXES = ('-arm64',)


def apply_xfail(suites, path):
    """Turn the listed failures into expected ones, and their passes
    into failures."""
    expect = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            kernels, test, *why = line.split(None, 2)
            for k in kernels.split(','):
                expect[(k, test)] = why[0] if why else ''
    def expected(kernel, test):
        # A kernel built for another architecture is named with it
        # (stock-arm64) and has the expectations of its kind.
        why = expect.get((kernel, test))
        if why is None and kernel.endswith(ARCH_SUFFIXES):
            why = expect.get((kernel.rsplit('-', 1)[0], test))
        return why

    for s in suites:
        for item in list(s.failed):
            why = expected(s.kernel, '%s/%s' % (s.name, item[0]))
            if why is not None:
                s.failed.remove(item)
                s.xfailed.append((item[0], why))
        for name in list(s.passed):
            why = expected(s.kernel, '%s/%s' % (s.name, name))
            if why is not None:
                s.passed.remove(name)
                s.failed.append((name, 'passed, but it is a negative control '
                                 'expected to fail here: ' + why))


@dataclass(frozen=True)
class ConsoleScan:
    """What scan_console() found in one kernel log.

    bad: the suspicious lines that count against the kernel, each once.
    expected: (SUITE/TEST, line) for the suspicious lines that a negative
    control named in scan_console()'s @xfailed announced between its
    "vmatest-expect: begin/end" markers.
    alloc_failures: how many page allocation failures warn_alloc()
    reported; the "Call Trace:" of each is not counted as bad.

    Read the fields by name; it is deliberately not a tuple."""
    bad: list = field(default_factory=list)
    expected: list = field(default_factory=list)
    alloc_failures: int = 0


def scan_console(path, xfailed=()):
    """Scan the kernel log at @path; always returns a ConsoleScan.
    @xfailed: the SUITE/TEST names that failed as negative controls on
    this kernel (none for a kernel without expected failures)."""
    try:
        with open(path, errors='replace') as f:
            text = f.read().replace('\r', '')
    except OSError:
        return ConsoleScan(bad=['console log missing'])
    m = re.search(r'VMA-DMESG-BEGIN\n(.*?)VMA-DMESG-END', text, re.S)
    body = m.group(1) if m else text
    scan, inside, alloc_window, alloc_failures = ConsoleScan(), None, 0, 0
    for line in body.splitlines():
        w = EXPECT_MARK.search(line)
        if w:
            inside = w.group(2) if w.group(1) == 'begin' else None
            continue
        if ALLOC_FAILURE.search(line):
            alloc_failures += 1
            alloc_window = ALLOC_FAILURE_LINES
            continue
        if alloc_window:
            alloc_window -= 1
            if 'Call Trace:' in line and not CONSOLE_BAD.search(
                    line.replace('Call Trace:', '')):
                continue
        if CONSOLE_BAD.search(line):
            line = re.sub(r'^\[\s*[\d.]+\]\s*', '', line).strip()
            if inside in xfailed:
                if (inside, line) not in scan.expected:
                    scan.expected.append((inside, line))
            elif line not in scan.bad:
                scan.bad.append(line)
    return replace(scan, alloc_failures=alloc_failures)


FAILINJECT_SUMMARY = re.compile(r'^\s*# (failinject(?: total)?: .*)$')


def fault_injection_summaries(runs):
    """The totals the failinject suite printed, per kernel: faults
    injected per system call and in all, calls that survived, splats and
    drift."""
    out = {}
    for kernel, rundir in runs:
        try:
            with open(os.path.join(rundir, 'results.tap'),
                      errors='replace') as f:
                text = f.read().replace('\r', '')
        except OSError:
            continue
        lines = [m.group(1) for m in map(FAILINJECT_SUMMARY.match,
                                         text.splitlines()) if m]
        if lines:
            out[kernel] = lines
    return out


def main(argv):
    md = None
    runs, taps, xfails, kunits = [], [], [], []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == '--markdown':
            md = args.pop(0)
        elif a == '--tap':
            taps.append(args.pop(0).split('=', 1))
        elif a == '--xfail':
            xfails.append(args.pop(0))
        elif a == '--kunit':
            kunits.append(args.pop(0).split('=', 1))
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
    for name, path in taps:
        try:
            with open(path, errors='replace') as f:
                text = f.read()
        except OSError:
            text = ''
        suites += parse_tap('host', text, default_suite=name)
    for kernel, path in kunits:
        loader = [s for s in suites if s.kernel == kernel and s.name == 'kunit']
        suites = [s for s in suites if s not in loader]
        suites.append(kunit_suite(kernel, path, loader[0] if loader else None))
    for path in xfails:
        apply_xfail(suites, path)
    for kernel, d in runs:
        xfailed = set('%s/%s' % (s.name, n) for s in suites
                      if s.kernel == kernel for n, _ in s.xfailed)
        consoles[kernel] = scan_console(os.path.join(d, 'console.log'),
                                        xfailed)

    rows = [('suite', 'kernel', 'passed', 'failed', 'skipped', 'expected to fail')]
    for s in suites:
        rows.append((s.name, s.kernel, str(len(s.passed)),
                     str(len(s.failed)), str(len(s.skipped)),
                     str(len(s.xfailed))))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
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
    xf = [(s, n, why) for s in suites for n, why in s.xfailed]
    if xf:
        print('\nnegative controls (fail here, as expected):')
        for s, n, why in xf:
            print('  %s/%s %s: %s' % (s.kernel, s.name, n, why))
    skips = [(s, n, why) for s in suites for n, why in s.skipped]
    if skips:
        print('\nskipped:')
        for s, n, why in skips:
            print('  %s/%s %s: %s' % (s.kernel, s.name, n, why or 'no reason given'))
    if kunits:
        ran = set(k for k, _ in kunits)
        for kernel, _ in runs:
            if kernel not in ran:
                print('\nkunit: not run on the %s kernel, which lacks the '
                      'functions the module calls; nothing counted there'
                      % kernel)
    for kernel, lines in fault_injection_summaries(runs).items():
        print('\n%s kernel, fault injection:' % kernel)
        for line in lines:
            print('  ' + line)
    console_bad = 0
    for kernel, scan in consoles.items():
        if scan.alloc_failures:
            print('\n%s kernel console: %d page allocation failures reported '
                  'by warn_alloc() (fault injection), not counted'
                  % (kernel, scan.alloc_failures))
        if scan.expected:
            print('\n%s kernel console, expected inside negative controls:'
                  % kernel)
            for test, line in scan.expected[:20]:
                print('  %s: %s' % (test, line))
        if scan.bad:
            console_bad += 1
            print('\n%s kernel console shows problems:' % kernel)
            for line in scan.bad[:20]:
                print('  ' + line)

    npass = sum(len(s.passed) for s in suites)
    nfail = len(failures) + console_bad
    nskip = len(skips)
    summary = '%d passed, %d failed, %d skipped' % (npass, nfail, nskip)
    if md:
        with open(md, 'w') as f:
            f.write('| ' + ' | '.join(rows[0]) + ' |\n')
            f.write('|' + '---|' * 6 + '\n')
            for r in rows[1:]:
                f.write('| ' + ' | '.join(r) + ' |\n')
            f.write('\n' + summary + '\n')
    print()
    print(summary)
    return 1 if nfail else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
