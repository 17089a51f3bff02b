#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Per-function line coverage from a gcov JSON file.

usage: gcov-functions.py GCOV_JSON_GZ SUFFIX... [--table FILE]

Reads the file that "gcov --json-format" wrote and prints, for every
function defined in a source file whose name ends with one of the
SUFFIXes (for example mm/vma.c and mm/vma.h), how many of its lines ran:

    vma_prepare                      24/24  100.0%

--table FILE writes that table to FILE and prints only a summary: how
many functions are fully covered, and each function that is not.
"""
import gzip
import json
import sys


def functions(path, suffixes):
    """Yield (file, function, executed lines, lines) in source order."""
    with gzip.open(path, "rt") as f:
        data = json.load(f)
    for src in data["files"]:
        if not any(src["file"].endswith(s) for s in suffixes):
            continue
        per_fn = {}
        for line in src["lines"]:
            name = line.get("function_name")
            if not name:
                continue
            ran, total = per_fn.get(name, (0, 0))
            per_fn[name] = (ran + (line["count"] > 0), total + 1)
        for fn in sorted(src["functions"], key=lambda f: f["start_line"]):
            ran, total = per_fn.get(fn["name"], (0, 0))
            yield src["file"], fn["name"], ran, total


def main(argv):
    table = None
    if "--table" in argv:
        i = argv.index("--table")
        table = argv[i + 1]
        del argv[i:i + 2]
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    rows = list(functions(argv[0], argv[1:]))
    lines = []
    for src, name, ran, total in rows:
        pct = 100.0 * ran / total if total else 100.0
        lines.append(f"{name:40} {ran:4}/{total:<4} {pct:5.1f}%  "
                     f"{src.split('../')[-1]}")
    if table is None:
        print("\n".join(lines))
        return 0
    with open(table, "w") as f:
        f.write("\n".join(lines) + "\n")
    partial = [(n, r, t) for _, n, r, t in rows if r < t]
    print(f"{len(rows) - len(partial)} of {len(rows)} functions fully "
          f"covered")
    for name, ran, total in partial:
        print(f"  {name}: {ran}/{total} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
