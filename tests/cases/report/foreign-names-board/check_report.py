#!/usr/bin/env python3
"""Check a board report's tables against the results it was written from,
finding every name through the results' dictionary (items.csv,
wres-groups.csv), not through names known here.

    check_report.py RESULTS ORG PERIOD board-report.txt

Section 3: every item of items.csv has a row under its label, in its
section (or "Other items") and the declared order, whose "% (lo-hi)" is the
whole-org row of proportions.csv.  Section 4: every item's row shows the
comparison and reference groups' % (positive / n) and the gap of
disparities.csv for the declared grouping.  Section 5: indicators 3 and 5
to 8 show the rates of wres.csv.  The headings carry the declared section
titles and group names.  Standard library only; exit 1 on the first
difference."""
import csv
import re
import sys


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def fail(msg):
    sys.exit("check_report: " + msg)


def pct(x):
    return "%.1f" % (100 * float(x))


def section(text, number):
    m = re.search(r"^%d\. .*?(?=^%d\. )" % (number, number + 1), text, re.S | re.M)
    if not m:
        fail("no section %d" % number)
    return m.group(0)


def table_row(block, label):
    """The table line of label (cut labels end in ...); None when absent."""
    for line in block.splitlines():
        if line.startswith("  " + label + "  ") or line == "  " + label:
            return line[2 + len(label):].split()
    return None


def main(res, org, period, report_path):
    text = open(report_path).read()
    items = rows(res + "/items.csv")
    groups = {r["source"]: r for r in rows(res + "/wres-groups.csv")}
    prop = [r for r in rows(res + "/proportions.csv")
            if r["org"] == org and r["period"] == period and r["group_dim"] == "all"]
    disp = rows(res + "/disparities.csv")
    wres = rows(res + "/wres.csv")
    titles = []
    for r in items:
        if r["section_title"] and r["section_title"] not in titles:
            titles.append(r["section_title"])
    if len(titles) < 3:
        fail("the fixture should declare three sections, items.csv has %r" % titles)
    head3 = "3. " + ", ".join(t.upper() for t in titles[:-1]) + " AND " + titles[-1].upper()
    if head3 not in text:
        fail("no heading %r" % head3)
    s3 = section(text, 3)
    # the items under their section titles, in the declared order
    order = [r for r in items if r["kind"] == "item" and r["section"]] + \
        [r for r in items if r["kind"] == "item" and not r["section"]]
    lines = s3.splitlines()
    at = 0
    for r in order:
        heading = r["section_title"] or "Other items"
        while at < len(lines) and lines[at] != "  " + heading:
            at += 1
        where = next((i for i in range(at, len(lines))
                      if lines[i].startswith("  " + r["label"] + "  ")), None)
        if at == len(lines) or where is None:
            fail("section 3: %s (%s) not under %r in order" % (r["label"], r["id"], heading))
        row = next(p for p in prop if p["item"] == r["id"])
        want = "%s (%s-%s)" % (pct(row["estimate"]), pct(row["ci_lower"]), pct(row["ci_upper"]))
        got = " ".join(lines[where][2 + len(r["label"]):].split()[:2])
        if got != want:
            fail("section 3: %s: %r, results %r" % (r["label"], got, want))
    # section 4: the declared groups
    g = groups["survey"]
    comp, ref = g["comparison"], g["reference"]
    if "4. FAIRNESS: %s AND %s STAFF" % (comp.upper(), ref.upper()) not in text:
        fail("section 4 heading without the declared groups")
    s4 = section(text, 4)
    checked = 0
    for r in items:
        if r["kind"] != "item":
            continue
        d = [x for x in disp if x["org"] == org and x["period"] == period and
             x["item"] == r["id"] and x["group_dim"] == g["grouping"] and
             x["group"] == comp and x["reference"] == ref]
        if len(d) != 1:
            fail("disparities.csv: %d rows for %s" % (len(d), r["id"]))
        d = d[0]
        cells = table_row(s4, r["label"])
        if cells is None:
            fail("section 4: no row for %s" % r["label"])
        want = [pct(int(d["positive"]) / int(d["n"])), pct(int(d["ref_positive"]) / int(d["ref_n"])),
                "%+.1f" % (100 * float(d["diff"]))]
        if cells[:3] != want:
            fail("section 4: %s: %r, results %r" % (r["label"], cells[:3], want))
        checked += 1
    # section 5: WRES rows under the declared indicators' labels
    s5 = section(text, 5)
    labels = {int(r["wres_indicator"]): r["label"] for r in items if r["wres_indicator"]}
    labels[3] = "Disciplinary process"
    for k in (3, 5, 6, 7, 8):
        w = [x for x in wres if x["org"] == org and x["period"] == period and x["indicator"] == str(k)]
        if len(w) != 1:
            fail("wres.csv: %d rows for indicator %d" % (len(w), k))
        decimals = 2 if w[0]["source"] == "hr" else 1
        want = ["%.*f" % (decimals, 100 * float(w[0][c])) for c in ("bme_rate", "white_rate")]
        cells = table_row(s5, "%d %s" % (k, labels[k]))
        if cells is None or cells[:2] != want:
            fail("section 5: indicator %d: %r, results %r" % (k, cells, want))
    flat = " ".join(text.split())
    if "%s staff were" % comp not in flat or "times as likely as %s staff" % ref not in flat:
        fail("no headline sentence with the declared group names")
    print("check_report: %d items in section 3, %d gaps in section 4, 5 WRES indicators: "
          "equal to the results" % (len(order), checked))


if __name__ == "__main__":
    main(*sys.argv[1:5])
