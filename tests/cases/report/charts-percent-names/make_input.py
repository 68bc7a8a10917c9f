#!/usr/bin/env python3
"""Write a respondent export (sample-data nss-2023 layout) whose unit names
hold percent signs, which gnuplot reads as format characters in tic labels:
make_input.py OUT.csv.  The rows are made as charts-injection's (same
generator and seed), for these orgs.  Seeded and deterministic."""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "charts-injection"))
import make_input as generator  # noqa: E402  (charts-injection/make_input.py)

ORGS = [  # org, benchmarking group, [(directorate, team, respondents a year)]
    ("QQ1", "Plain", [("100% Surgery", "50% Bank Team", 40), ("100% Surgery", "Ward 10%", 40),
                     ("Medicine", "Ward %s %d %n", 40)]),
    ("QQ2", "Plain", [("Main", "T1", 90), ("Other", "T2", 90)]),
    ("QQ3", "Plain", [("Main", "T1", 120)]),
]

if __name__ == "__main__":
    generator.write(sys.argv[1], ORGS)
