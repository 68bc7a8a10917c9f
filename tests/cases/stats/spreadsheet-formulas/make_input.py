#!/usr/bin/env python3
"""make_input.py OUT.csv: a respondent export (nss-2023 layout) whose names
start like spreadsheet formulas or hold control characters, for the
spreadsheet-formulas case.  Orgs: '+SUM(1,2)', '-1+cmd|calc', '@SUM(A1)',
'=1+1' and one with a backslash, an ESC sequence, DEL, quotes, a backquote,
'$' and '@'; directorates '+Plus', '-Minus', '@At', '=Eq', '\\t=Tab' and
'\\r=CR'; the benchmarking group '-Group'.  Seeded and deterministic."""
import csv
import random
import sys

HEADER = ("year,trust_code,trust_name,bench_group,respondent_id,directorate,team,"
          "q19a,q19b,q19c,q19d,q20a,q20b,q25e,q25f,q14a,q14b,q14c,q15,q16a,q16b,"
          "q28,gender,disability,occupation,age_band,comments").split(",")
ORGS = ["+SUM(1,2)", "-1+cmd|calc", "@SUM(A1)", "=1+1",
        'Z\\9\x1b[31m\x7f"q\'`id`$HOME@x']
DIRECTORATES = ["+Plus", "-Minus", "@At", "=Eq", "\t=Tab", "\r=CR"]

rng = random.Random(11)
rows = []
for o, org in enumerate(ORGS):
    for d, directorate in enumerate(DIRECTORATES):
        for i in range(12):
            a = lambda: str(rng.choice([1, 2, 3, 4, 5]))
            rows.append([2023, org, "Trust %d" % o, "-Group", "R%d-%d-%d" % (o, d, i),
                         directorate, "Team 1", a(), a(), a(), a(), a(), a(), a(), a(),
                         str(rng.choice([1, 2])), str(rng.choice([1, 2])),
                         str(rng.choice([1, 2])), str(rng.choice([1, 2, 9])),
                         str(rng.choice([1, 2])), str(rng.choice([1, 2])), "01",
                         str(rng.choice([1, 2])), str(rng.choice([1, 2])),
                         str(rng.choice([1, 2, 3])), str(rng.choice([2, 3, 4])), ""])
with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_ALL)
    w.writerow(HEADER)
    w.writerows(rows)
