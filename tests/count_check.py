#!/usr/bin/python3
"""Every count candour-stats shows equals the count of the raw rows.

    count_check.py SCHEMA EXPORT.csv RESULTS_DIR

EXPORT is candour-ingest --export of the dataset the results were made
from, at --min-n 1.  The raw count of every cell (each org's whole, each
group of each demographic, each unit under its parent, ALL and the
benchmarking groups; every item, derived item and theme) is made by
tests/disclosure_attack.py's survey_counts, with Python's csv module.
Prints how many figures were compared; exit 1 on any difference (a shown
cell the raw rows do not have differs from NaN), or on a raw cell with
answers that has no row in proportions.csv."""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import disclosure_attack as da  # noqa: E402


def main():
    schema_path, export, results = sys.argv[1:4]
    truth = da.survey_counts(export, da.parse_schema(schema_path))
    cells = da.survey_cells(da.Run(results))
    compared = bad = 0
    for key, (supp, fig) in sorted(cells.items()):
        for f in da.fields_of(key):
            v = None if fig is None else fig.get(f)
            if v is None:
                continue
            compared += 1
            want = truth.get(key + (f,), math.nan)
            if not da.close(v, want, 1e-12):
                bad += 1
                if bad <= 10:
                    print("differs: %s %s: shown %r, raw rows %r" % (key, f, v, want))
    missing = sorted(k[:-1] for k, v in truth.items()
                     if k[0] == "i" and k[-1] == "n" and v > 0 and k[:-1] not in cells)
    for k in missing[:10]:
        print("no row: %s" % (k,))
    print("%d figures of %d cells equal the raw rows' counts; %d differ, %d cells with answers "
          "have no row" % (compared - bad, len(cells), bad, len(missing)))
    return 1 if bad or missing or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
