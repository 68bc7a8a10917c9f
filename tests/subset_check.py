#!/usr/bin/env python3
"""Check a subset run of candour-stats against the full run of the same data.

Usage: subset_check.py FULL_DIR SUBSET_DIR

SUBSET_DIR was written with any of --tables, --orgs, --groupings (its
inputs.csv says which); FULL_DIR without them, same data and options
otherwise.  Checks, independently of candour-stats' code:

  - SUBSET_DIR holds exactly the chosen tables and the files every run
    writes (inputs.csv, items.csv, wres-groups.csv), nothing else (tables a
    previous run left there are gone);
  - items.csv and wres-groups.csv (the results' dictionary) are the full
    run's, byte for byte: the choice never changes what the data mean;
  - each chosen table has the full run's header, and its rows are exactly
    the full run's rows whose scope and grouping were chosen, in the same
    order, byte for byte: so every figure hidden in the full run is hidden
    in the subset run, and nothing is shown that the full run hid;
  - inputs.csv records the choice.

A chosen org brings its benchmarking group (read from the full run's
benchmarks.csv) and ALL; the grouping "all" is always written.  --groupings
applies to survey cells; rows from HR counts (wres.csv, spc.csv's
disciplinary series) follow --orgs only.  Prints one line per table and
exits 1 on any difference.
"""
import csv
import os
import sys

TABLES = ("proportions", "themes", "disparities", "wres", "benchmarks", "trends", "spc",
          "hotspots")
HR_ITEMS = ("disciplinary_rate", "wres3_relative_likelihood")
ALWAYS = ("inputs", "items", "wres-groups")


def rows_of(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def choice(inputs_rows):
    head, first = inputs_rows[0], inputs_rows[1]
    got = dict(zip(head, first))
    for r in inputs_rows[2:]:
        for k in ("tables", "orgs", "groupings"):
            if dict(zip(head, r))[k] != got[k]:
                sys.exit("inputs.csv: rows disagree about %s" % k)
    tables = TABLES if got["tables"] == "all" else tuple(got["tables"].split(","))
    orgs = None if got["orgs"] == "all" else set(got["orgs"].split(","))
    groupings = None if got["groupings"] == "all" else set(got["groupings"].split(",")) | {"all"}
    return tables, orgs, groupings


def bench_groups(full):
    """org -> its benchmarking group scope, from the full run's benchmarks."""
    path = os.path.join(full, "benchmarks.csv")
    groups = {}
    rows = rows_of(path)
    h = rows[0]
    for r in rows[1:]:
        d = dict(zip(h, r))
        if d["benchmark"].startswith("GROUP:"):
            groups[d["org"]] = d["benchmark"]
    return groups


def chooser(table, header, orgs, groupings, groups):
    """The predicate a row of the full run's table must meet to be written."""
    shown_scopes = None
    if orgs is not None:
        shown_scopes = set(orgs) | {"ALL"} | {groups[o] for o in orgs if o in groups}
    dim_col = "unit_level" if table == "hotspots" else "group_dim"
    ix = {name: k for k, name in enumerate(header)}

    def keep(r):
        scope = r[ix["org"]]
        if shown_scopes is not None and scope not in shown_scopes:
            return False
        if table == "benchmarks" and orgs is not None and (
                scope not in orgs or r[ix["benchmark"]] not in shown_scopes):
            return False
        hr = table == "wres" or (table == "spc" and r[ix["item"]] in HR_ITEMS)
        if groupings is not None and not hr and r[ix[dim_col]] not in groupings:
            return False
        return True
    return keep


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    full, sub = sys.argv[1], sys.argv[2]
    tables, orgs, groupings = choice(rows_of(os.path.join(sub, "inputs.csv")))
    bad = 0
    files = sorted(f for f in os.listdir(sub))
    want = sorted([t + ".csv" for t in tables + ALWAYS])
    if files != want:
        print("files: %s, expected %s" % (" ".join(files), " ".join(want)))
        bad += 1
    for name in ("items.csv", "wres-groups.csv"):
        with open(os.path.join(full, name), "rb") as a, open(os.path.join(sub, name), "rb") as b:
            same = a.read() == b.read()
        print("%s: %s the full run's" % (name, "identical to" if same else "differs from"))
        bad += not same
    groups = bench_groups(full)
    for t in tables:
        full_rows = rows_of(os.path.join(full, t + ".csv"))
        sub_rows = rows_of(os.path.join(sub, t + ".csv"))
        if full_rows[0] != sub_rows[0]:
            print("%s: header differs from the full run's" % t)
            bad += 1
            continue
        keep = chooser(t, full_rows[0], orgs, groupings, groups)
        expect = [r for r in full_rows[1:] if keep(r)]
        got = sub_rows[1:]
        supp = full_rows[0].index("suppressed")
        hidden = sum(1 for r in got if r[supp] != "no")
        if got != expect:
            first = next((k for k, (a, b) in enumerate(zip(got, expect)) if a != b),
                         min(len(got), len(expect)))
            print("%s: %d rows, expected %d of the full run's %d; first difference at row %d:"
                  "\n  subset %s\n  full   %s" % (
                      t, len(got), len(expect), len(full_rows) - 1, first + 2,
                      got[first] if first < len(got) else "(none)",
                      expect[first] if first < len(expect) else "(none)"))
            bad += 1
        else:
            print("%s: %d of the full run's %d rows, identical (%d hidden, as in the full run)" % (
                t, len(got), len(full_rows) - 1, hidden))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
