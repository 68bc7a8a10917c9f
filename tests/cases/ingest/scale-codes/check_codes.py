#!/usr/bin/env python3
"""Every answer code of every questionnaire scale, ingested through every
shipped NSS schema (nss-2022, nss-2023, nss) and exported back unchanged.

The codes and question codes below are typed from the published 2021-2025
questionnaires (question codes and answer codes as printed), not read from the schemas,
so a schema whose scale disagrees with the questionnaire fails here: q15
"Don't know" is 9 (Yes 1, No 2, Don't know 9), never 3.

usage: check_codes.py BIN TOP WORKDIR"""
import csv
import os
import subprocess
import sys

BIN, TOP, WORK = sys.argv[1:4]

AGREE = ["1", "2", "3", "4", "5"]
AGREE_DK = AGREE + ["9"]
TIMES = ["1", "2", "3", "4", "5"]
YES_NO_DK = ["1", "2", "9"]
YES_NO = ["1", "2"]

# stable id: (codes, {period: question code}); absent in a period = no column
ITEMS = [
    ("incident_fair", AGREE_DK, {2022: "q18a", 2023: "q19a"}),
    ("incident_report_encouraged", AGREE_DK, {2022: "q18b", 2023: "q19b"}),
    ("incident_action", AGREE_DK, {2022: "q18c", 2023: "q19c"}),
    ("incident_feedback", AGREE_DK, {2022: "q18d", 2023: "q19d"}),
    ("unsafe_secure", AGREE, {2021: "q17a", 2022: "q19a", 2023: "q20a"}),
    ("unsafe_confident", AGREE, {2021: "q17b", 2022: "q19b", 2023: "q20b"}),
    ("speakup_safe", AGREE, {2021: "q21e", 2022: "q23e", 2023: "q25e"}),
    ("speakup_confident", AGREE, {2021: "q21f", 2022: "q23f", 2023: "q25f"}),
    ("hba_public", TIMES, {2021: "q14a", 2022: "q14a", 2023: "q14a"}),
    ("hba_manager", TIMES, {2021: "q14b", 2022: "q14b", 2023: "q14b"}),
    ("hba_colleague", TIMES, {2021: "q14c", 2022: "q14c", 2023: "q14c"}),
    ("equal_opportunities", YES_NO_DK, {2021: "q15", 2022: "q15", 2023: "q15"}),
    ("discrim_public", YES_NO, {2021: "q16a", 2022: "q16a", 2023: "q16a"}),
    ("discrim_staff", YES_NO, {2021: "q16b", 2022: "q16b", 2023: "q16b"}),
]
ETHNICITY = {2021: "q25", 2022: "q27", 2023: "q28"}
ONS18 = ["%02d" % c for c in range(1, 19)]
# demographics with their scales' codes; exported as labels, so counted
DEMOGRAPHICS = [("gender", 5), ("disability", 2), ("occupation", 13), ("age_band", 6)]

SCHEMAS = [("nss-2022.schema", [2022]), ("nss-2023.schema", [2023, 2024, 2025]),
           ("nss.schema", [2021, 2022, 2023, 2024, 2025])]


def layout(period):
    """The questionnaire year whose codes a period uses (2024, 2025 keep 2023's)."""
    return min(period, 2023)


def header_for(periods):
    cols = ["year", "trust_code", "trust_name", "bench_group", "respondent_id",
            "directorate", "team"]
    for _, _, codes in ITEMS:
        for p in periods:
            q = codes.get(layout(p))
            if q and q not in cols:
                cols.append(q)
    for p in periods:
        if ETHNICITY[layout(p)] not in cols:
            cols.append(ETHNICITY[layout(p)])
    return cols + [d for d, _ in DEMOGRAPHICS]


def rows_for(periods, cols):
    """18 rows a period: row k answers code k (cyclically) of every scale."""
    rows, expect = [], []
    for p in periods:
        lay = layout(p)
        for k in range(len(ONS18)):
            row = dict.fromkeys(cols, "")
            row.update(year=str(p), trust_code="RXX1", trust_name="Trust A",
                       bench_group="Acute", respondent_id="R%d-%d" % (p, k),
                       directorate="Medicine", team="Ward 1")
            want = {}
            for item, codes, qcodes in ITEMS:
                q = qcodes.get(lay)
                if q:
                    row[q] = codes[k % len(codes)]
                want[item] = row[q] if q else ""
            row[ETHNICITY[lay]] = ONS18[k]
            want["ethnicity"] = "White" if k < 4 else "BME"  # ONS 01-04 White
            for d, n in DEMOGRAPHICS:
                row[d] = str(k % n + 1)
            rows.append(row)
            expect.append(want)
    return rows, expect


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def check_schema(name, periods):
    cols = header_for(periods)
    rows, expect = rows_for(periods, cols)
    src = os.path.join(WORK, name + ".csv")
    with open(src, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    ds = os.path.join(WORK, name + ".cds")
    r = run([BIN + "/candour-ingest", "--quiet", "--schema", TOP + "/schemas/" + name,
             "--output", ds, src])
    if r.returncode != 0:
        sys.exit("%s: ingest failed (%d):\n%s" % (name, r.returncode, r.stderr))
    r = run([BIN + "/candour-ingest", "--export", ds])
    if r.returncode != 0:
        sys.exit("%s: export failed:\n%s" % (name, r.stderr))
    got = list(csv.DictReader(r.stdout.splitlines()))
    if len(got) != len(expect):
        sys.exit("%s: %d rows exported, %d ingested" % (name, len(got), len(expect)))
    seen = {}
    for i, (g, e) in enumerate(zip(got, expect)):
        for key, value in e.items():
            if g[key] != value:
                sys.exit("%s: row %d: %s exported as '%s', ingested '%s'"
                         % (name, i + 2, key, g[key], value))
        for d, _ in DEMOGRAPHICS:
            seen.setdefault(d, set()).add(g[d])
    for d, n in DEMOGRAPHICS:
        if len(seen[d]) != n:
            sys.exit("%s: %s: %d distinct groups, %d codes" % (name, d, len(seen[d]), n))
    n_codes = sum(len(c) for _, c, _ in ITEMS) + len(ONS18) + sum(n for _, n in DEMOGRAPHICS)
    print("%s: %d rows, %d answer codes (items and demographics, %d scales) ingested and exported unchanged"
          % (name, len(rows), n_codes, 6 + len(DEMOGRAPHICS)))

    # q15 = 3 is not a questionnaire code: the row is rejected by name
    bad = dict(rows[0])
    bad["q15"] = "3"
    with open(src, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerow(bad)
    r = run([BIN + "/candour-ingest", "--quiet", "--schema", TOP + "/schemas/" + name,
             "--output", os.path.join(WORK, "bad.cds"), src])
    col = cols.index("q15") + 1
    want = "%s:2:%d: unknown answer '3' for item 'equal_opportunities'" % (src, col)
    if r.returncode != 1 or want not in r.stderr:
        sys.exit("%s: q15 = 3 not rejected as expected (exit %d):\n%s"
                 % (name, r.returncode, r.stderr))


for schema, periods in SCHEMAS:
    check_schema(schema, periods)
