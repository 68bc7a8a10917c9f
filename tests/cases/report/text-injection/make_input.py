#!/usr/bin/env python3
"""Write respondents.csv for the text-injection case (run once; the output is
committed).  Layout: sample-data nss-2023, read with a copy of
schemas/nss-2023.schema whose org-pattern accepts anything (the case's cmd
makes it with sed).

Every text the report prints from user data is hostile here:
  org          Z"9<LF>system("touch /tmp/candour-report-injection")
  bench group  Group "B"<LF>=cmd|' /C calc'!A0
  directorate  Surgery "Main"<LF>system("touch /tmp/candour-report-injection")
               =HYPERLINK("http://example.invalid","x")   (stats writes '=...)
               Medicine
  team         Ward<TAB>7<CR>, a bidi override U+202E, a BEL byte, a
               180-character name, @SUM(A1:A9)
The Surgery and =HYPERLINK directorates (and their teams) answer the
speaking-up items far less favourably than Medicine, so they are flagged
hotspots and their names appear in section 6."""
import csv
import random

HEADER = ("year,trust_code,trust_name,bench_group,respondent_id,directorate,team,"
          "q19a,q19b,q19c,q19d,q20a,q20b,q25e,q25f,q14a,q14b,q14c,q15,q16a,q16b,"
          "q28,gender,disability,occupation,age_band,comments").split(",")

ORG = 'Z"9\nsystem("touch /tmp/candour-report-injection")'
GROUP = 'Group "B"\n=cmd|\' /C calc\'!A0'
SURGERY = 'Surgery "Main"\nsystem("touch /tmp/candour-report-injection")'
FORMULA = '=HYPERLINK("http://example.invalid","x")'
UNITS = [  # directorate, team, answers favourably, respondents a year
    (SURGERY, "Ward\t7\r", False, 15),
    (SURGERY, "Theatres \u202eevil\u202c \x07bell", False, 15),
    (FORMULA, "L" + "o" * 170 + "ng team", False, 15),
    (FORMULA, "@SUM(A1:A9)", False, 15),
    ("Medicine", "Ward 9", True, 30),
    ("Medicine", "Ward 10", True, 30),
    ("Medicine", "Ward 11", True, 30),
]

rng = random.Random(7)
rows = []
rid = 0
for year in (2023, 2024):
    for directorate, team, happy, size in UNITS:
        for i in range(size):
            rid += 1
            agree = lambda: str(rng.choice([4, 4, 5, 5, 3]) if happy else rng.choice([1, 2, 2, 3, 4]))
            plain = lambda: str(rng.choice([2, 3, 4, 4, 5]))
            rows.append({
                "year": year, "trust_code": ORG, "trust_name": "Hostile Trust",
                "bench_group": GROUP, "respondent_id": "H%d-%05d" % (year, rid),
                "directorate": directorate, "team": team,
                "q19a": plain(), "q19b": plain(), "q19c": plain(), "q19d": plain(),
                "q20a": agree(), "q20b": agree(), "q25e": agree(), "q25f": agree(),
                "q14a": str(rng.choice([1, 1, 2])), "q14b": str(rng.choice([1, 1, 1, 2])),
                "q14c": str(rng.choice([1, 1, 2])), "q15": str(rng.choice([1, 1, 2, 9])),
                "q16a": str(rng.choice([1, 2, 2, 2])), "q16b": str(rng.choice([1, 2, 2, 2, 2])),
                "q28": "09" if i % 3 == 0 else "01", "gender": str(rng.choice([1, 2, 2])),
                "disability": str(rng.choice([1, 2, 2, 2])), "occupation": str(rng.choice([1, 2, 3])),
                "age_band": str(rng.choice([2, 3, 4, 5])), "comments": "",
            })

with open("respondents.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=HEADER, lineterminator="\n", quoting=csv.QUOTE_ALL)
    w.writeheader()
    w.writerows(rows)
