#!/usr/bin/python3
"""spc.csv against wres.csv for WRES indicator 3 (standard library only):
a shown org-month whose relative likelihood wres.csv leaves blank
(undefined: no events on either side) has no wres3_relative_likelihood
point in spc.csv, and every other spc.csv point equals wres.csv's figure.

    check_undefined.py SPC.csv WRES.csv"""
import csv
import sys


def main():
    with open(sys.argv[2], newline="", encoding="utf-8") as f:
        wres = {(r["org"], r["period"]): r for r in csv.DictReader(f)
                if r["indicator"] == "3" and r["org"] != "ALL" and r["suppressed"] == "no"}
    undefined = {k for k, r in wres.items() if r["relative_likelihood"] == ""}
    problems, points = [], 0
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["item"] != "wres3_relative_likelihood":
                continue
            key = (r["org"], r["period"])
            points += 1
            if key in undefined:
                problems.append(f"{key}: spc.csv plots {r['estimate']!r} where wres.csv "
                                "says the relative likelihood is undefined")
            elif key in wres and r["estimate"] != "":
                want = float(wres[key]["relative_likelihood"])
                if abs(float(r["estimate"]) - want) > 1e-9 * max(1, abs(want)):
                    problems.append(f"{key}: spc.csv {r['estimate']}, wres.csv {want}")
    if not undefined:
        problems.append("nothing to check: wres.csv has no undefined month")
    if points == 0:
        problems.append("nothing to check: spc.csv has no relative likelihood series")
    print("\n".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
