#!/usr/bin/env python3
"""Write a hostile respondent export (sample-data nss-2023 layout) for the
chart injection cases:  make_input.py OUT.csv

Every name a chart shows is an attempt to run a command through gnuplot:
system() after a quote and a newline, backquote substitution, a single
quote that would end a gnuplot '...' string, a @macro, a trailing
backslash (gnuplot's line continuation), and the data-block terminators
EOD and CANDOUR_END_OF_DATA.  Every command touches a file named pwned-*
in the current directory (the case runs candour-report inside $OUT, so a
fired command leaves a file there and the case fails).

Orgs: the hostile org, a backquote org and Q3 share a benchmarking group
that is itself hostile; Q1 and Q2 are plain; T1NY has 8 respondents a
year, so every one of its cells is suppressed (and, by complementary
suppression, the smallest other org of its group and of ALL: the backquote
org, and with it Q3 in their group, and Q2).  Seeded and
deterministic."""
import csv
import random
import sys

HEADER = ("year,trust_code,trust_name,bench_group,respondent_id,directorate,team,"
          "q19a,q19b,q19c,q19d,q20a,q20b,q25e,q25f,q14a,q14b,q14c,q15,q16a,q16b,"
          "q28,gender,disability,occupation,age_band,comments").split(",")

HOSTILE = 'Z"9\'\nsystem("touch pwned-x")'
BACKTICK = 'Z`touch pwned-y`'
GROUP = 'G "1"\n`touch pwned-g`'

ORGS = [  # org, benchmarking group, [(directorate, team, respondents a year)]
    (HOSTILE, GROUP, [
        ('Surgery "Main"\nsystem("touch pwned-x")', "Ward\t7", 30),
        ('Surgery "Main"\nsystem("touch pwned-x")', "a' . system('touch pwned-z') . 'b", 30),
        ("Med `touch pwned-y`", "CANDOUR_END_OF_DATA", 30),
        ("Med `touch pwned-y`", "@GPVAL_PWD \\", 30),
        ('=HYPERLINK("x")', "EOD", 30),
        ('=HYPERLINK("x")', "Tiny\u202eteam", 6),
    ]),
    (BACKTICK, GROUP, [
        ("Main", "T1", 50),
        ("Main", "T2 `touch pwned-y`", 50),
    ]),
    ("Q3", GROUP, [("Main", "T1", 130)]),
    ("Q1", "Plain", [("Main", "T1", 120), ("Other", "T2", 100)]),
    ("Q2", "Plain", [("Main", "T1", 90), ("Other", "T2", 90)]),
    ("T1NY", "Plain", [("Main", "T1", 8)]),
]


def write(path, orgs):
    """Write the export of orgs (as ORGS) to path; also used by
    charts-percent-names/make_input.py with its own orgs."""
    rng = random.Random(20240601)
    rows = []
    rid = 0
    for year in (2023, 2024):
        for org, group, units in orgs:
            for directorate, team, size in units:
                for _ in range(size):
                    rid += 1
                    bme = rng.random() < 0.3
                    # stated by everyone but Q1 (10% blank: an Unknown
                    # cell above the threshold)
                    blank = org == "Q1" and rng.random() < 0.1
                    ethnicity = "" if blank else (
                        "%02d" % rng.randint(5, 18) if bme else "%02d" % rng.randint(1, 4))
                    agree = lambda: str(rng.choice([1, 2, 3, 4, 4, 5, 5]))
                    row = {
                        "year": year, "trust_code": org, "trust_name": "Trust",
                        "bench_group": group, "respondent_id": "R%d-%05d" % (year, rid),
                        "directorate": directorate, "team": team,
                        "q19a": agree(), "q19b": agree(), "q19c": agree(), "q19d": agree(),
                        "q20a": agree(), "q20b": agree(), "q25e": agree(), "q25f": agree(),
                        "q14a": str(rng.choice([1, 1, 1, 2, 3])),
                        "q14b": str(rng.choice([1, 1, 1, 1, 2])),
                        "q14c": str(rng.choice([1, 1, 1, 2])),
                        "q15": str(rng.choice([1, 1, 1, 2, 9])),
                        "q16a": str(rng.choice([1, 2, 2, 2, 2, 2])),
                        "q16b": str(rng.choice([1, 2, 2, 2, 2, 2, 2] + ([1] if bme else []))),
                        "q28": ethnicity, "gender": str(rng.choice([1, 2, 2, 2])),
                        "disability": str(rng.choice([1, 2, 2, 2])),
                        "occupation": "Registered Nurses and Midwives", "age_band": "31-40",
                        "comments": "",
                    }
                    rows.append(row)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    write(sys.argv[1], ORGS)
