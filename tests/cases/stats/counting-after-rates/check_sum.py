"""Counts added to a cell that an earlier dataset made (stats/load.c,
kept_counts): the whole org's n and positive for incident_fair from the
org-results dataset alone (old, not whole numbers: a rate times a base over
a design effect) and from the respondent dataset alone (whole numbers) must
add up, in the run of both, to old + total exactly, as one add.  The
respondent rows span two dataset blocks, and the data is such that adding
the blocks one by one (old + b1 + b2) gives another double: the check fails
when the blocks' counts reach an earlier cell one by one.

usage: check_sum.py SURVEY_CSV RATES_RESULTS SURVEY_RESULTS BOTH_RESULTS"""
import csv
import sys

BLOCK_ROWS = 65536  # DATASET_BLOCK_ROWS


def whole_org(results):
    with open(results + "/proportions.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f)
                if r["period"] == "2023" and r["org"] == "RXX1"
                and r["item"] == "incident_fair" and r["group_dim"] == "all"]
    if len(rows) != 1:
        sys.exit("%s: %d rows for RXX1 2023 incident_fair, not 1" % (results, len(rows)))
    return float(rows[0]["n"]), float(rows[0]["positive"])


def block_counts(survey_csv):
    """n and positive of incident_fair per dataset block of the survey rows."""
    blocks = []
    with open(survey_csv, newline="") as f:
        for i, r in enumerate(csv.DictReader(f)):
            if i % BLOCK_ROWS == 0:
                blocks.append([0.0, 0.0])
            if r["q1"] in ("1", "2", "3", "4", "5"):
                blocks[-1][0] += 1
                blocks[-1][1] += r["q1"] in ("4", "5")
    return blocks


survey_csv, rates, survey, both = sys.argv[1:5]
old, total, got = whole_org(rates), whole_org(survey), whole_org(both)
blocks = block_counts(survey_csv)
if len(blocks) < 2 or [sum(b[f] for b in blocks) for f in (0, 1)] != list(total):
    sys.exit("the survey rows should span 2 blocks and add up to the survey run's counts")
one_by_one = []
for f in (0, 1):
    v = old[f]
    for b in blocks:
        v += b[f]
    one_by_one.append(v)
expected = [old[f] + total[f] for f in (0, 1)]
if one_by_one == expected:
    sys.exit("test data does not tell old + b1 + b2 from old + (b1 + b2): change it")
if list(got) != expected:
    sys.exit("n, positive = %r, %r; expected %r, %r (old %r, %r + survey %r, %r; "
             "block by block %r, %r)" % (got + tuple(expected) + old + total
                                        + tuple(one_by_one)))
print("n %r = %r + %r and positive %r = %r + %r, as one add" % (
    got[0], old[0], total[0], got[1], old[1], total[1]))
