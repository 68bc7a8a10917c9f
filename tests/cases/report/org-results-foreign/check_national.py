#!/usr/bin/env python3
"""Check the national summary's item tables against the results, finding
the tables through items.csv (not through names known here).

    check_national.py DIR national-summary.txt PERIOD

DIR holds items.csv, proportions.csv and benchmarks.csv.  For each declared
section, in order, a table titled with the section's title whose key lists
the section's items in order; then "Other items" with the items in no
section.  Every org row's cell of every item is the whole-org estimate of
proportions.csv (one decimal) followed by the funnel marker that the
benchmarks.csv flag against ALL gives (<< < > >> by the side of the limit,
blank within); no cell is "--".  Standard library only."""
import csv
import re
import sys


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def fail(msg):
    sys.exit("check_national: " + msg)


def marker(flag, polarity):
    if not flag.startswith(("worse_", "better_")):
        return ""
    below = flag.startswith("worse_") != (polarity == "lower")
    strong = flag.endswith("998")
    return ("<<" if strong else "<") if below else (">>" if strong else ">")


def main(d, summary, period):
    items = rows(d + "/items.csv")
    prop = {(r["org"], r["item"]): r for r in rows(d + "/proportions.csv")
            if r["period"] == period and r["group_dim"] == "all"}
    bench = {(r["org"], r["item"]): r for r in rows(d + "/benchmarks.csv")
             if r["period"] == period and r["group_dim"] == "all" and r["benchmark"] == "ALL"
             and r["weighted"] == "no"}
    text = open(summary).read()
    blocks = []
    for r in items:
        if r["kind"] != "item":
            continue
        title = r["section_title"] or "Other items"
        if not blocks or blocks[-1][0] != title:
            blocks.append((title, []))
        blocks[-1][1].append(r)
    cells = 0
    for title, its in blocks:
        m = re.search(r"^%s \(%% positive[^)]*\)\n\n(.*?)\n\n" % re.escape(title), text, re.S | re.M)
        if not m:
            fail("no table titled %r" % title)
        lines = m.group(1).splitlines()
        key = [l for l in lines if re.match(r"  \(\d+\) ", l)]
        want_key = [r["label"] + " (" + r["id"] for r in its]
        if len(key) != len(want_key) or any(w not in k for w, k in zip(want_key, key)):
            fail("%s: key %r, items.csv %r" % (title, key, want_key))
        for line in lines[2:]:
            if line.startswith("  (") or line.startswith("  ALL"):
                continue
            org = line.split()[0]
            rest = line[2 + 12 + 2 + 6 + 2:]  # after Trust and n
            got = [rest[9 * k:9 * k + 7] for k in range(len(its))]
            for r, cell in zip(its, got):
                p = prop[(org, r["id"])]
                b = bench.get((org, r["id"]))
                want = "%.1f" % (100 * float(p["estimate"]))
                mk = marker(b["flag"], b["polarity"]) if b and b["suppressed"] == "no" else ""
                if cell.split() != ([want] + ([mk] if mk else [])):
                    fail("%s: %s %s: %r, results %r %r" % (title, org, r["id"], cell, want, mk))
                cells += 1
    if "--" in "".join(l for l in text.splitlines() if re.match(r"  W\d\d ", l)):
        fail("a '--' cell in an org row")
    print("check_national: %d tables, %d cells equal to the results" % (len(blocks), cells))


if __name__ == "__main__":
    main(*sys.argv[1:4])
