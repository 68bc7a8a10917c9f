"""Play an adversary against candour-stats' disclosure control.

Usage: disclosure_attack.py TRUTH_DIR RUN_DIR [RUN_DIR...]

RUN_DIRs are outputs of runs with different --min-n over the same data; the
attacker pools everything visible in any of them.  TRUTH_DIR is a run with
--min-n 1, which shows every cell: it is used only to judge the attack.

The attacker knows how cells add up and solves every relation that has a
single unknown, repeating until nothing new is learnt:
  - an org (or pooled scope) = the sum of the groups of any demographic
    dimension (groups include Unknown, so they are exhaustive);
  - a directorate = the sum of its teams, and an org = the sum of its
    directorates (assuming, conservatively, that every respondent gave a unit);
  - the pooled scope ALL = the sum of the orgs; GROUP:<name> = the sum of its
    member orgs (membership read from the benchmark rows);
  - for themes, sum of scores = mean x n obeys the same relations.
This is done separately for n and for positive (or theme score sums).  The
targets are the cells that no run shows (a cell one run shows was published
at that run's threshold).  A target counts as recovered when the attacker's
value equals the truth.  Prints the number of suppressed cells attacked, relations tried and
cells recovered; exits 1 if any cell was recovered.
"""
import collections
import csv
import math
import os
import sys


def read(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def num(s):
    return None if s in ("", None) else float(s)


def proportion_cells(run_dir):
    """(kind, period, org, measure, dim, group, parent) -> {'n','x'} of visible cells."""
    cells = {}
    for r in read(os.path.join(run_dir, "proportions.csv")):
        key = ("item", r["period"], r["org"], r["item"], r["group_dim"], r["group"], r["parent_group"])
        cells[key] = {"n": num(r["n"]), "x": num(r["positive"]), "supp": r["suppressed"]}
    for r in read(os.path.join(run_dir, "themes.csv")):
        key = ("theme", r["period"], r["org"], r["theme"], r["group_dim"], r["group"], r["parent_group"])
        n, mean = num(r["n"]), num(r["mean"])
        cells[key] = {"n": n, "x": None if n is None or mean is None else n * mean,
                      "supp": r["suppressed"]}
    return cells


def group_members(run_dirs):
    members = collections.defaultdict(set)
    for d in run_dirs:
        for r in read(os.path.join(d, "benchmarks.csv")):
            b = r.get("benchmark", "")
            if b.startswith("GROUP:"):
                members[b].add(r["org"])
    return members


def relations(keys, members):
    """Yield (parent_key, [child_keys]) for every additive relation among keys."""
    # cells that can hold units: (kind, period, org, measure, group) -> key
    unit_parents = {(k[0], k[1], k[2], k[3], k[5]): k for k in keys if k[4] != "all" and not k[6]}
    by_parent = collections.defaultdict(list)
    unit_dims = set()
    for k in keys:
        kind, period, org, measure, dim, group, parent = k
        if dim == "all":
            continue
        if parent:  # a unit inside another unit (team in directorate)
            unit_dims.add(dim)
            pkey = unit_parents.get((kind, period, org, measure, parent))
            if pkey and pkey[4] != dim:
                by_parent[(pkey, dim)].append(k)
        else:
            by_parent[((kind, period, org, measure, "all", "all", ""), dim)].append(k)
    for (pkey, dim), children in by_parent.items():
        if pkey in keys:
            yield pkey, children
    # pooled scopes: same coordinates summed over orgs
    by_coord = collections.defaultdict(list)
    for k in keys:
        kind, period, org, measure, dim, group, parent = k
        if parent or dim in unit_dims:
            continue
        by_coord[(kind, period, measure, dim, group)].append(k)
    for coord, ks in by_coord.items():
        orgs = {k[2]: k for k in ks}
        if "ALL" in orgs:
            yield orgs["ALL"], [k for o, k in orgs.items() if o != "ALL" and not o.startswith("GROUP:")]
        for g, member_orgs in members.items():
            if g in orgs:
                yield orgs[g], [orgs[o] for o in member_orgs if o in orgs]


def main():
    truth_dir, run_dirs = sys.argv[1], sys.argv[2:]
    truth = proportion_cells(truth_dir)
    runs = [proportion_cells(d) for d in run_dirs]
    members = group_members(run_dirs + [truth_dir])
    keys = set(truth)
    # cells no run publishes: a cell one run shows was published by choice
    targets = set.intersection(*({k for k, v in r.items() if v["supp"] != "no"} for r in runs))
    # what the attacker knows: a value seen in any run
    known = {}
    for field in ("n", "x"):
        for r in runs:
            for k, v in r.items():
                if v[field] is not None:
                    known[(k, field)] = v[field]
    rels = list(relations(keys, members))
    tried = 0
    progress = True
    while progress:
        progress = False
        for parent, children in rels:
            for field in ("n", "x"):
                unknown = [c for c in [parent] + children if (c, field) not in known]
                if len(unknown) != 1:
                    continue
                tried += 1
                u = unknown[0]
                total = sum(known[(c, field)] for c in children if c != u)
                value = total if u == parent else known[(parent, field)] - total
                known[(u, field)] = value
                progress = True
    recovered = []
    for k in sorted(targets):
        for field in ("n", "x"):
            true_value = truth.get(k, {}).get(field)
            guess = known.get((k, field))
            if guess is not None and true_value is not None and math.isclose(guess, true_value, rel_tol=1e-9, abs_tol=1e-9):
                recovered.append((k, field, true_value))
    print(f"disclosure attack: {len(targets)} suppressed cells attacked across {len(run_dirs)} run(s), "
          f"{len(rels)} relations, {tried} single-unknown solutions tried, {len(recovered)} recovered")
    for k, field, v in recovered[:20]:
        print("  recovered", field, "=", v, "for", k)
    return 1 if recovered else 0


if __name__ == "__main__":
    sys.exit(main())
