#!/usr/bin/python3
"""WRES indicator 3's ALL rows against sums of the raw HR file.
    check_all.py HR_CSV EVERY_WRES TWO_WRES ORGS
EVERY_WRES: a run over every org; TWO_WRES: a run whose comparison set is
ORGS (comma-separated).  Each ALL row of indicator 3 must show the sums of
headcount and disciplinary entries of its period's orgs (every org, or
ORGS), BME and White sides.  Prints one line; exits 1 on a difference.
Standard library only."""
import csv
import sys


def sums(hr_csv, orgs):
    out = {}
    with open(hr_csv, newline="") as f:
        for r in csv.DictReader(f):
            if orgs is not None and r["org"] not in orgs:
                continue
            side = {"BME": 0, "White": 1}.get(r["ethnicity"])
            if side is None:
                continue
            row = out.setdefault(r["period"], [0, 0, 0, 0])
            row[2 * side] += int(r["headcount"])
            row[2 * side + 1] += int(r["disciplinary"])
    return out


def all_rows(wres_csv):
    with open(wres_csv, newline="") as f:
        return {r["period"]: r for r in csv.DictReader(f)
                if r["org"] == "ALL" and r["indicator"] == "3"}


def main(hr_csv, every, two, orgs):
    checked = 0
    for path, chosen in ((every, None), (two, set(orgs.split(",")))):
        want, got = sums(hr_csv, chosen), all_rows(path)
        if sorted(want) != sorted(got):
            sys.exit("%s: ALL rows for periods %s, the HR file has %s" % (path, sorted(got), sorted(want)))
        for period, w in sorted(want.items()):
            r = got[period]
            if r["suppressed"] != "no":
                sys.exit("%s: ALL %s is %s" % (path, period, r["suppressed"]))
            shown = [int(r[k]) for k in ("bme_n", "bme_events", "white_n", "white_events")]
            if shown != w:
                sys.exit("%s: ALL %s shows %s, the HR file sums to %s" % (path, period, shown, w))
            checked += 1
    print("%d ALL rows of indicator 3 equal the HR file's sums over their orgs" % checked)


if __name__ == "__main__":
    main(*sys.argv[1:])
