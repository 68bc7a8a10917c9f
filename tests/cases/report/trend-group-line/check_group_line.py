#!/usr/bin/python3
"""Check the trend chart's benchmarking group lines (see cmd).

    check_group_line.py SCRIPT PROPORTIONS ITEMS ORG

SCRIPT is what candour-report sent gnuplot.  The trend chart's script is
the one that defines $trend blocks; each $bgroupN must hold, for every
period the trust's $trendN block has, 100 x the estimate of the GROUP:
row of the trust's benchmarking group for that item and period.  Prints a
line of what it compared.  Standard library only.
"""
import csv
import re
import sys


def blocks(script):
    out = {}
    for m in re.finditer(r"^\$(\w+) << (\S+)\n(.*?)^\2$", script, re.S | re.M):
        rows = [line.split() for line in m.group(3).splitlines() if line.strip()]
        out[m.group(1)] = [[float(v) for v in r] for r in rows]
    return out


def main(script_path, prop_path, items_path, org):
    script = open(script_path, encoding="utf-8").read()
    trend = next(s for s in script.split("set encoding utf8\n") if "$trend" in s and "<<" in s)
    b = blocks(trend)
    props = list(csv.DictReader(open(prop_path, newline="")))
    # the trust's group: the GROUP: comparison it has rows in (benchmarks.csv)
    bench = [r for r in csv.DictReader(open(prop_path.replace("proportions.csv",
                                                              "benchmarks.csv"), newline=""))
             if r["org"] == org and r["benchmark"].startswith("GROUP:")]
    group = bench[0]["benchmark"]
    items = [r["id"] for r in csv.DictReader(open(items_path, newline="")) if r["kind"] == "item"]
    # candour's key items in dictionary order; $trendN and $bgroupN use that index
    problems, compared = [], 0
    for name, rows in b.items():
        if not name.startswith("bgroup"):
            continue
        index = int(name[len("bgroup"):])
        item = items[index]
        own = {int(r[0]) for r in b.get(f"trend{index}", [])}
        want = {}
        for r in props:
            if (r["org"] == group and r["item"] == item and r["group_dim"] == "all"
                    and r["suppressed"] == "no"):
                want[int(r["period"])] = 100 * float(r["estimate"])
        got = {int(r[0]): r[1] for r in rows}
        if set(got) != own:
            problems.append(f"{item}: group line periods {sorted(got)}, trust's {sorted(own)}")
        for p, v in got.items():
            compared += 1
            if p not in want or abs(v - want[p]) > 1e-6 * max(1.0, abs(want[p])):
                problems.append(f"{item} {p}: group line {v}, proportions.csv {want.get(p)}")
    if compared == 0:
        problems.append("no $bgroup block in the trend chart's script")
    name = group[len("GROUP:"):]
    if f"benchmarking group {name}, its orgs pooled" not in script:
        problems.append("the title does not name the benchmarking group")
    if problems:
        print("\n".join(problems[:20]))
        return 1
    print(f"trend chart: {compared} group-line points equal to proportions.csv's {group} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
