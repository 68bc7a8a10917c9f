#!/usr/bin/env python3
"""Write respondents.csv and hr.csv for the text-tiny-org case (run once; the
outputs are committed).  Layout: sample-data nss-2023 (schemas/nss-2023.schema)
and wres-hr.

Two orgs of one benchmarking group.  BIG1 has 80 respondents a year.  TNY1 is
tiny: 9 respondents in 2023 (every cell below 11) and 13 in 2024, split into
two teams of 7 and 6, 2 BME staff, and three "don't know" answers on
incident_fair so that its base is 10.  Its HR headcount has 8 BME staff.  The
report for TNY1 2024 must read well and show no suppressed figure."""
import csv
import random

HEADER = ("year,trust_code,trust_name,bench_group,respondent_id,directorate,team,"
          "q19a,q19b,q19c,q19d,q20a,q20b,q25e,q25f,q14a,q14b,q14c,q15,q16a,q16b,"
          "q28,gender,disability,occupation,age_band,comments").split(",")

rng = random.Random(20240601)
rows = []
rid = 0


def respondent(year, org, directorate, team, ethnicity, dont_know_fair=False):
    global rid
    rid += 1
    agree = lambda: str(rng.choice([2, 3, 4, 4, 5, 5]))
    times = lambda: str(rng.choice([1, 1, 1, 2, 3]))
    return {
        "year": year, "trust_code": org, "trust_name": org + " Test Trust",
        "bench_group": "Test Group", "respondent_id": "T%d-%05d" % (year, rid),
        "directorate": directorate, "team": team,
        "q19a": "9" if dont_know_fair else agree(), "q19b": agree(), "q19c": agree(),
        "q19d": agree(), "q20a": agree(), "q20b": agree(), "q25e": agree(), "q25f": agree(),
        "q14a": times(), "q14b": times(), "q14c": times(),
        "q15": str(rng.choice([1, 1, 2, 9])), "q16a": str(rng.choice([1, 2, 2, 2])),
        "q16b": str(rng.choice([1, 2, 2, 2, 2])),
        "q28": ethnicity, "gender": str(rng.choice([1, 2, 2])), "disability": str(rng.choice([1, 2, 2, 2])),
        "occupation": str(rng.choice([1, 2, 3])), "age_band": str(rng.choice([2, 3, 4, 5])),
        "comments": "",
    }


for year in (2023, 2024):
    for i in range(80):
        directorate = "Medicine" if i < 40 else "Surgery"
        team = ("Ward %d" % (1 + i // 20))
        ethnicity = "09" if i % 4 == 0 else "01"
        rows.append(respondent(year, "BIG1", directorate, team, ethnicity))
    tiny = 9 if year == 2023 else 13
    for i in range(tiny):
        team = "Team A" if i < 7 else "Team B"
        ethnicity = "14" if i in (0, 7) else "01"
        rows.append(respondent(year, "TNY1", "Only Directorate", team, ethnicity,
                               dont_know_fair=(year == 2024 and i in (1, 2, 3))))

with open("respondents.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=HEADER, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)

with open("hr.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["period", "org", "ethnicity", "headcount", "disciplinary"])
    for year in (2023, 2024):
        w.writerow([year, "BIG1", "White", 300, 6])
        w.writerow([year, "BIG1", "BME", 100, 3])
        w.writerow([year, "BIG1", "Unknown", 12, 0])
        w.writerow([year, "TNY1", "White", 40, 1])
        w.writerow([year, "TNY1", "BME", 8, 0])
        w.writerow([year, "TNY1", "Unknown", 2, 0])
