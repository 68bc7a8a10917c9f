#!/usr/bin/env python3
"""Write a respondent export (sample-data nss-2023 layout) whose unit names
hold percent signs, which gnuplot reads as format characters in tic labels:
make_input.py OUT.csv.  Seeded and deterministic."""
import csv
import random
import sys

HEADER = ("year,trust_code,trust_name,bench_group,respondent_id,directorate,team,"
          "q19a,q19b,q19c,q19d,q20a,q20b,q25e,q25f,q14a,q14b,q14c,q15,q16a,q16b,"
          "q28,gender,disability,occupation,age_band,comments").split(",")

ORGS = [  # org, benchmarking group, [(directorate, team, respondents a year)]
    ("QQ1", "Plain", [("100% Surgery", "50% Bank Team", 40), ("100% Surgery", "Ward 10%", 40),
                     ("Medicine", "Ward %s %d %n", 40)]),
    ("QQ2", "Plain", [("Main", "T1", 90), ("Other", "T2", 90)]),
    ("QQ3", "Plain", [("Main", "T1", 120)]),
]


def main():
    rng = random.Random(20240601)
    rows = []
    rid = 0
    for year in (2023, 2024):
        for org, group, units in ORGS:
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
    with open(sys.argv[1], "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
