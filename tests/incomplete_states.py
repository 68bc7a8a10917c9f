"""incomplete_states.py FILE [COMPLETE]: the `suppressed` states of a candour-stats table
by period and scope ("2023 Z2B incomplete/1=56": 56 rows incomplete, 1 row
rejected), then, given the same table from the complete input, how many rows
that are not incomplete are identical there (every column but rows_rejected)
and which are not."""
import collections
import csv
import sys

KEY = ("period", "org", "item", "group_dim", "group", "benchmark")


def read(path):
    return list(csv.DictReader(open(path, newline="", encoding="utf-8")))


rows = read(sys.argv[1])
by = collections.OrderedDict()
for r in rows:
    state = r["suppressed"] + ("/" + r["rows_rejected"] if r.get("rows_rejected") else "")
    by.setdefault((r["period"], r["org"]), collections.Counter())[state] += 1
for (period, org), count in by.items():
    print(period, org, " ".join("%s=%d" % kv for kv in sorted(count.items())))
if len(sys.argv) > 2:
    key = lambda r: tuple(r.get(k, "") for k in KEY)
    complete = {key(r): r for r in read(sys.argv[2])}
    same = 0
    for r in rows:
        if r["suppressed"] == "incomplete":
            continue
        other = complete.get(key(r))
        if other and all(r[c] == other[c] for c in r if c != "rows_rejected"):
            same += 1
        else:
            print("differs from the complete run:", key(r))
    print("rows not incomplete: %d, identical in the complete run: %d" %
          (sum(r["suppressed"] != "incomplete" for r in rows), same))
