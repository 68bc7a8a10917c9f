#!/usr/bin/env python3
"""check_suppressed.py RESULTS ORG PERIOD REPORT

The board report shows a figure exactly when its row is not suppressed, in
sections 3 (items: proportions.csv, change: trends.csv, funnel:
benchmarks.csv), 3 (themes: themes.csv), 4 (BME against White:
disparities.csv) and 5 (WRES: wres.csv); and the counts of section 7 are
those of proportions.csv.  Labels are mapped to ids with the report's own
item key.  Exit 1 with a message per problem."""
import csv
import re
import sys

results, org, period, report_path = sys.argv[1:5]
lines = open(report_path, encoding="utf-8").read().split("\n")


def load(name):
    with open("%s/%s" % (results, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def section(number):
    start = next(i for i, l in enumerate(lines) if l.startswith("%d. " % number))
    end = next((i for i, l in enumerate(lines) if i > start and re.match(r"^\d\. ", l)), len(lines))
    return lines[start:end]


problems = []
key = {}
in_key = False
for line in lines:
    if line.startswith("  Label in this report"):
        in_key = True
        continue
    if in_key and line.startswith("  ") and not line.startswith("  --"):
        label, ident = re.split(r"\s{2,}", line.strip())
        key[label.replace(" (theme)", "")] = ident
    elif in_key and not line.strip():
        break


def rows_of_table(sec_lines, first_header):
    """(label, rest) of each row of the table whose header starts so."""
    out = []
    start = next(i for i, l in enumerate(sec_lines) if l.startswith("  " + first_header))
    for line in sec_lines[start + 2:]:
        if not line.startswith("  ") or not line.strip():
            break
        label = None
        for candidate in sorted(key, key=len, reverse=True):
            if line[2:].startswith(candidate + "  ") or line[2:] == candidate:
                label = candidate
                break
        if label is None:
            m = re.match(r"  ([3-8] [^ ].*?)(  |$)", line)
            label = m.group(1) if m else line.strip()
        out.append((label, line[2 + len(label):].strip()))
    return out


def shown(rest):
    return bool(rest) and not rest.startswith(("not shown", "no result"))


def one(rows, **match):
    hits = [r for r in rows if all(r[k] == v for k, v in match.items())]
    return hits[0] if hits else None


P, T, B, TH, D, W = (load(n) for n in ("proportions.csv", "trends.csv", "benchmarks.csv",
                                        "themes.csv", "disparities.csv", "wres.csv"))
bench_name = next((r["benchmark"] for r in B if r["org"] == org and r["period"] == period
                   and r["benchmark"].startswith("GROUP:")), "ALL")

for label, rest in rows_of_table(section(3), "Item "):
    if label not in key:
        continue  # "Just culture" / "Speaking up" sub-headings
    item = key[label]
    p = one(P, org=org, period=period, item=item, group_dim="all", group="all")
    if shown(rest) != (p is not None and p["suppressed"] == "no"):
        problems.append("section 3 %s: shown=%s but suppressed=%s" % (item, shown(rest), p and p["suppressed"]))
    if not shown(rest):
        continue
    cells = re.split(r"\s{2,}", rest)
    t = one(T, org=org, period=period, item=item, group_dim="all", group="all")
    prev_shown = cells[1] not in ("n/s", "--")
    if prev_shown != (t is not None and t["suppressed"] == "no"):
        problems.append("section 3 %s: change shown=%s, trends suppressed=%s" % (item, prev_shown, t and t["suppressed"]))
    b = one(B, org=org, period=period, item=item, group_dim="all", group="all", benchmark=bench_name, weighted="no")
    if (cells[-1] not in ("n/s", "--")) != (b is not None and b["suppressed"] == "no"):
        problems.append("section 3 %s: funnel %s but suppressed=%s" % (item, cells[-1], b and b["suppressed"]))

for label, rest in rows_of_table(section(3), "Theme "):
    theme = key[label]
    th = one(TH, org=org, period=period, theme=theme, group_dim="all", group="all")
    if shown(rest) != (th is not None and th["suppressed"] == "no"):
        problems.append("themes %s: shown=%s, suppressed=%s" % (theme, shown(rest), th and th["suppressed"]))

for label, rest in rows_of_table(section(4), "Item "):
    item = key[label]
    d = one(D, org=org, period=period, item=item, group_dim="ethnicity", group="BME", reference="White")
    if shown(rest) != (d is not None and d["suppressed"] == "no"):
        problems.append("section 4 %s: shown=%s, suppressed=%s" % (item, shown(rest), d and d["suppressed"]))

for label, rest in rows_of_table(section(5), "Indicator "):
    indicator = label.split()[0]
    w = one(W, org=org, period=period, indicator=indicator)
    if shown(rest) != (w is not None and w["suppressed"] == "no"):
        problems.append("section 5 indicator %s: shown=%s, suppressed=%s" % (indicator, shown(rest), w and w["suppressed"]))

mine = [r for r in P if r["org"] == org and r["period"] == period]
primary = sum(r["suppressed"] == "primary" for r in mine)
secondary = sum(r["suppressed"] == "secondary" for r in mine)
text = " ".join(l.strip() for l in section(7))
want = "Of the %s figures for this trust in %s (" % (format(len(mine), ","), period)
if want not in text or ("%s are suppressed as primary and %s as secondary" % (format(primary, ","), format(secondary, ","))) not in text:
    problems.append("section 7: counts %d/%d/%d not stated" % (len(mine), primary, secondary))

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
