#!/usr/bin/python3
"""Compare a CSV written by candour-stats with an expected CSV.

    stats_compare.py ACTUAL EXPECTED --key COL[,COL...] [--rtol R] [--atol A]
                     [--subset] [--where COL=VALUE ...]

Rows are joined on the key columns.  Every column of EXPECTED must exist in
ACTUAL (ACTUAL may have more).  For each expected cell:
  - blank must be blank;
  - when both values parse as numbers they must agree to
    |actual - expected| <= rtol * max(|actual|, |expected|) + atol
    (defaults: rtol 1e-9, atol 0);
  - anything else must be equal as text.
Without --subset, ACTUAL must hold exactly the expected keys (after the
--where filters, which keep only ACTUAL rows whose COL equals VALUE).
Exit 0 when everything matches, 1 with one line per difference otherwise.
Standard library only: CI has no scipy or R.
"""
import argparse
import csv
import math
import sys


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames or [], list(reader)


def number(text):
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("actual")
    ap.add_argument("expected")
    ap.add_argument("--key", required=True, help="comma-separated key columns")
    ap.add_argument("--rtol", type=float, default=1e-9)
    ap.add_argument("--atol", type=float, default=0.0)
    ap.add_argument("--subset", action="store_true",
                    help="ACTUAL may hold keys that EXPECTED lacks")
    ap.add_argument("--where", action="append", default=[],
                    help="COL=VALUE: compare only ACTUAL rows with this value")
    args = ap.parse_args()
    keys = args.key.split(",")
    a_cols, a_rows = read(args.actual)
    e_cols, e_rows = read(args.expected)
    problems = []
    for col in e_cols:
        if col not in a_cols:
            problems.append(f"column '{col}' missing from {args.actual}")
    for col in keys:
        if col not in e_cols:
            problems.append(f"key column '{col}' missing from {args.expected}")
    if problems:
        print("\n".join(problems))
        return 1
    for w in args.where:
        col, _, value = w.partition("=")
        a_rows = [r for r in a_rows if r.get(col) == value]

    def key_of(r):
        return tuple(r[k] for k in keys)

    actual = {}
    for r in a_rows:
        k = key_of(r)
        if k in actual:
            problems.append(f"duplicate key {k} in {args.actual}")
        actual[k] = r
    seen = set()
    compared = 0
    worst = 0.0
    for e in e_rows:
        k = key_of(e)
        seen.add(k)
        a = actual.get(k)
        if a is None:
            problems.append(f"row {k} missing from {args.actual}")
            continue
        for col in e_cols:
            ev, av = e[col], a[col]
            if ev == av:
                if number(ev) is not None:
                    compared += 1
                continue
            if ev == "" or av == "":
                problems.append(f"{k} {col}: got '{av}', expected '{ev}'")
                continue
            en, an = number(ev), number(av)
            if en is None or an is None:
                problems.append(f"{k} {col}: got '{av}', expected '{ev}'")
                continue
            compared += 1
            diff = abs(an - en)
            scale = max(abs(an), abs(en))
            if scale > 0:
                worst = max(worst, diff / scale)
            if diff > args.rtol * scale + args.atol:
                problems.append(f"{k} {col}: got {av}, expected {ev} "
                                f"(relative error {diff / scale if scale else diff:.3g})")
    if not args.subset:
        for k in actual:
            if k not in seen:
                problems.append(f"unexpected row {k} in {args.actual}")
    if problems:
        print("\n".join(problems[:50]))
        if len(problems) > 50:
            print(f"... and {len(problems) - 50} more")
        return 1
    print(f"{len(e_rows)} rows, {compared} numbers compared, "
          f"largest relative error {worst:.3g}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
