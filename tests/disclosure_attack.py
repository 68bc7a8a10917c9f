#!/usr/bin/env python3
"""Play an adversary against candour's disclosure control, with every output.

Usage:
  disclosure_attack.py --schema SCHEMA --truth DIR [--hr-truth CSV]...
                       --run DIR [--run DIR]... [--report RUN_DIR:REPORT_DIR]...

--truth is a candour-stats run with --min-n 1 over the same survey data: it
shows every cell with an answer and is used only to judge the attack (cells
it hides have no answers, n = 0, and the cells hidden to protect those are
worked out from the relations below).  --hr-truth are the raw HR count files
(period,org,ethnicity,headcount,disciplinary).  Every --run is a results
directory of the same data with any options (--min-n, --weight,
--wres-rolling, --wres-unknown ...); a --report is a candour-report output
directory written from RUN_DIR, holding board-report.txt or
national-summary.txt and, when charts were drawn, gnuplot.txt: everything
gnuplot was sent (the test puts a gnuplot on PATH that keeps a copy).

The attacker reads every file of every run and report.  It knows how cells
add up and what the `suppressed` labels say, and turns everything into
linear constraints on unknown counts, which it solves by bounds propagation
(interval arithmetic over whole numbers) until nothing new is learnt:

  n, positive (x) of an item cell; n, score sum (s = n x mean) and sum of
  squares (q, from sd) of a theme cell; headcounts and disciplinary entries
  of an HR cell (White, BME, Unknown).

  (a) groups of one dimension: org = sum of its ethnic (gender, ...) groups;
      pooled scopes: ALL = sum of orgs, GROUP:<name> = sum of its orgs;
  (b) unit levels: directorate = sum of its teams, org = sum of its
      directorates (plus respondents who gave no unit, an unknown >= 0;
      assumed to be 0 when every relation the attacker can check has none);
  (c) a theme and its items (every theme-scored respondent answered at
      least min-items of them: min-items x theme n <= sum of item n, and any
      k - min-items + 1 items hold every theme respondent) and a derived
      any-of item and its parts (max <= derived <= sum);
  (d) several runs pooled: a cell shown by one run is known; `primary` at
      --min-n m means n <= m - 1, `secondary` n >= m;
  (e) every other file: rows of disparities, hotspots (rest = org - unit),
      trends, benchmarks (target x pooled n = pooled positive; funnel
      limits solved for n; z for positive), wres (survey cells, HR counts,
      ALL = sum of orgs, rolling = two periods, unknown as BME = BME +
      unknown), spc (rate x headcount = entries; a hidden point from the
      centre line), inputs, the weighted columns (NSS weights recovered from
      the org's visible occupational groups, then two hidden groups solved
      from the org's weighted proportion and effective n), and the reports:
      every figure of the text (percentages rounded to a tenth give
      inequalities), the counts of WRES 3, and the data blocks of every
      chart (unlabelled funnel points matched against the hidden orgs).

Every figure a file shows for a cell that no run shows is itself a
recovery.  A target is a count of a cell (or HR row) that every run hides;
it is recovered when the attacker's bounds pin its true value (a count
exactly; a score sum to within +-0.5).  Prints one line per attack kind and
per file (attempts: constraints and rows that bear on a target, and figures
tried; recoveries) and exits 1 when anything was recovered.
"""
import argparse
import collections
import csv
import gc
import itertools
import math
import operator
import os
import re
import sys
from statistics import NormalDist

INF = math.inf
EPS = 1e-7


# ---------------------------------------------------------------- reading

class Table:
    """One CSV file: header, rows (lists of strings) and column lookup."""

    def __init__(self, path):
        self.path = path
        self.present = os.path.exists(path)
        self.header, self.rows = [], []
        if self.present:
            with open(path, newline="", encoding="utf-8") as f:
                reader = csv.reader(f)
                self.header = next(reader, [])
                self.rows = list(reader)
        self.col = {h: i for i, h in enumerate(self.header)}

    def get(self, row, name):
        i = self.col.get(name)
        return row[i] if i is not None and i < len(row) else ""

    def getter(self, *names):
        """A function giving a row's values of these columns, as a tuple."""
        idx = [self.col.get(n) for n in names]
        if None in idx or not self.rows or len(self.rows[0]) < len(self.header):
            return lambda row: tuple(self.get(row, n) for n in names)
        if len(idx) == 1:
            return lambda row: (row[idx[0]],)
        return operator.itemgetter(*idx)


def num(s):
    return None if s in ("", None) else float(s)


FILES = ("proportions.csv", "themes.csv", "disparities.csv", "wres.csv", "benchmarks.csv",
         "trends.csv", "spc.csv", "hotspots.csv", "inputs.csv")


class Run:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(os.path.normpath(path))
        self.t = {f: Table(os.path.join(path, f)) for f in FILES}
        self.min_n = None
        for f in FILES:
            tab = self.t[f]
            if tab.rows and "min_n" in tab.col:
                self.min_n = float(tab.get(tab.rows[0], "min_n"))
                break
        inputs = self.t["inputs.csv"]
        self.weighted = any(inputs.get(r, "weighted") == "yes" for r in inputs.rows)
        wres = self.t["wres.csv"]
        self.unknown_as_bme = any(wres.get(r, "unknown_ethnicity") == "counted as BME"
                                  for r in wres.rows)
        self.rolling = any("+" in wres.get(r, "periods_used") for r in wres.rows)


def parse_schema(path):
    """What the attacker (and the judge) read in a schema: scales (code ->
    score), items (scale, positive and missing codes, any-of parts), themes
    (items, min-items) and the unit columns (name, parent)."""
    schema = {"scales": {}, "items": {}, "themes": {}, "units": []}
    text = open(path, encoding="utf-8").read().replace("\\\n", " ")
    scale = None
    for line in text.split("\n"):
        words = re.findall(r'"[^"]*"|\S+', line.split("#")[0] if not line.lstrip().startswith("#")
                           else "")
        if not words:
            continue
        if scale is not None:
            if words[0] == "end":
                scale = None
            else:
                attrs = dict(w.split("=", 1) for w in words[1:] if "=" in w)
                schema["scales"][scale][words[0]] = float(attrs["score"]) if "score" in attrs else None
            continue
        attrs = dict(w.split("=", 1) for w in words[2:] if "=" in w and not w.startswith('"'))
        if words[0] == "scale":
            scale = words[1]
            schema["scales"][scale] = {}
        elif words[0] == "theme":
            schema["themes"][words[1]] = (attrs["items"].split(","),
                                          int(attrs.get("min-items", "1")))
        elif words[0] == "item":
            schema["items"][words[1]] = {
                "scale": attrs.get("scale"),
                "positive": set(attrs.get("positive", "").split(",")) - {""},
                "missing": set(attrs.get("missing", "").split(",")) - {""},
                "missing_in_n": attrs.get("missing-in-denominator") == "yes",
                "reverse": attrs.get("reverse-score") == "yes",
                "any_of": attrs["any-of"].split(",") if "any-of" in attrs else []}
        elif words[0] == "column" and len(words) > 2 and words[2] == "unit":
            schema["units"].append((attrs["name"], attrs.get("parent")))
    return schema


def survey_counts(export_csv, schema):
    """The true count of every survey cell, from the respondent rows of a
    dataset exported by candour-ingest --export, by the schema's rules: an
    answer is substantive when its code is on the item's scale and not
    marked missing; positive when its code is listed; a derived any-of item
    counts a respondent who answered a part, positive when a part is; a
    theme score is the mean of the respondent's item scores when at least
    min-items are scored.  Returns {var key: value}."""
    items, themes, scales = schema["items"], schema["themes"], schema["scales"]
    units = schema["units"]
    unit_names = {u for u, _ in units}
    with open(export_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fixed = {"period", "org", "org_name", "bgroup", "weight"} | unit_names
    dims = [c for c in rows[0] if c not in fixed and c not in items]
    bgroup = {}
    for r in rows:
        if r["bgroup"] and r["org"] not in bgroup:
            bgroup[r["org"]] = r["bgroup"]
    truth = collections.defaultdict(float)

    def classes(item):  # per respondent: None (not substantive), 0 or 1
        it = items[item]
        if it["any_of"]:
            parts = [classes(p) for p in it["any_of"]]
            return [max((v for v in vs if v is not None), default=None) for vs in zip(*parts)]
        rule = {code: None if code in it["missing"] and not it["missing_in_n"]
                else int(code in it["positive"]) for code in scales[it["scale"]]}
        return [rule.get(r[item]) for r in rows]

    def scores(item):  # per respondent: the 0-10 score or None
        it = items[item]
        rule = {code: (10 - v if it["reverse"] else v) if v is not None and code not in it["missing"]
                else None for code, v in scales.get(it["scale"], {}).items()}
        return [rule.get(r[item]) for r in rows]

    # one column per field: each respondent's contribution
    columns = {}
    for i in items:
        c = classes(i)
        columns[("i", i, "n")] = [v is not None for v in c]
        columns[("i", i, "x")] = [v == 1 for v in c]
    for t, (t_items, min_items) in themes.items():
        n_col, s_col, q_col = [], [], []
        for got in zip(*(scores(i) for i in t_items)):
            got = [v for v in got if v is not None]
            v = sum(got) / len(got) if len(got) >= min_items else None
            n_col.append(v is not None)
            s_col.append(v or 0.0)
            q_col.append((v or 0.0) ** 2)
        columns[("t", t, "n")], columns[("t", t, "s")], columns[("t", t, "q")] = n_col, s_col, q_col
    # the org cells: the respondents of each
    members = collections.defaultdict(list)
    for k, r in enumerate(rows):
        members[(r["period"], r["org"], "all", "all", "")].append(k)
        for d in dims:
            members[(r["period"], r["org"], d, r[d] or "Unknown", "")].append(k)
        for u, parent in units:
            if r[u]:
                members[(r["period"], r["org"], u, r[u], r[parent] if parent else "")].append(k)
    for (period, org, d, g, parent), idx in members.items():
        scopes = [org]
        if d not in unit_names:
            scopes += ["ALL"] + (["GROUP:" + bgroup[org]] if org in bgroup else [])
        for (kind, measure, field), col in columns.items():
            value = sum(map(col.__getitem__, idx))
            for sc in scopes:
                truth[(kind, period, sc, measure, d, g, parent, field)] += value
    return dict(truth)


# ---------------------------------------------------------------- solver

class Solver:
    """Bounds propagation over linear constraints lo <= sum a_i v_i <= hi.

    Variables are named by tuples; counts are whole numbers (bounds rounded
    inwards), score sums are real.  Every variable is >= 0."""

    def __init__(self):
        self.index, self.keys = {}, []
        self.lo, self.hi, self.integer, self.by_var = [], [], [], []
        self.cons = []  # (ids, coefs, lo, hi, kind)
        self.conflicts = 0

    def var(self, key):
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.keys)
            self.keys.append(key)
            self.lo.append(0.0)
            self.hi.append(INF)
            self.integer.append(key[-1] not in ("s", "q"))
            self.by_var.append([])
        return i

    def tighten(self, i, lo, hi):
        """Narrow variable i to [lo, hi]; True when it changed."""
        if self.integer[i]:
            lo = math.ceil(lo - EPS) if lo > -INF else lo
            hi = math.floor(hi + EPS) if hi < INF else hi
            tol = 0.5
        else:
            tol = 1e-9 * max(1.0, abs(lo) if lo > -INF else 1.0, abs(hi) if hi < INF else 1.0)
        changed = False
        if lo > self.hi[i] + tol or hi < self.lo[i] - tol:
            self.conflicts += 1  # a wrong hypothesis (or inconsistent data): ignore
            return False
        if lo > self.lo[i] + tol:
            self.lo[i] = min(lo, self.hi[i])
            changed = True
        if hi < self.hi[i] - tol:
            self.hi[i] = max(hi, self.lo[i])
            changed = True
        return changed

    def add(self, terms, lo, hi, kind):
        """Constraint lo <= sum coef x var <= hi over terms [(key, coef)]."""
        var = self.var
        if len(terms) == 1:  # a bound: applied at once
            (key, a), = terms
            lo_v = lo / a if lo > -INF else -INF
            hi_v = hi / a if hi < INF else INF
            if a < 0:
                lo_v, hi_v = (hi / a if hi < INF else -INF), (lo / a if lo > -INF else INF)
            self.tighten(var(key), lo_v, hi_v)
            return None
        ids = [var(key) for key, _ in terms]
        coefs = [a for _, a in terms]
        if len(set(ids)) != len(ids):
            merged = collections.OrderedDict()
            for i, a in zip(ids, coefs):
                merged[i] = merged.get(i, 0.0) + a
            ids = [i for i, a in merged.items() if a != 0]
            coefs = [merged[i] for i in ids]
        c = len(self.cons)
        self.cons.append((ids, coefs, lo, hi, kind))
        for i in ids:
            self.by_var[i].append(c)
        return c

    def fix(self, key, value, tol=0.0):
        i = self.var(key)
        self.tighten(i, value - tol, value + tol)

    def _revise(self, c):
        ids, coefs, clo, chi, _ = self.cons[c]
        lo, hi = self.lo, self.hi
        mins, maxs = [], []
        sum_min = sum_max = 0.0
        inf_min = inf_max = 0
        for i, a in zip(ids, coefs):
            h = hi[i]
            if a > 0:
                mn = a * lo[i]
                mx = a * h if h < INF else INF
            else:
                mn = a * h if h < INF else -INF
                mx = a * lo[i]
            mins.append(mn)
            maxs.append(mx)
            if mn == -INF:
                inf_min += 1
            else:
                sum_min += mn
            if mx == INF:
                inf_max += 1
            else:
                sum_max += mx
        if inf_max > 1 and inf_min > 1:
            return ()
        changed = []
        for k, i in enumerate(ids):
            a, mn, mx = coefs[k], mins[k], maxs[k]
            # a v lies in [clo - (max of the rest), chi - (min of the rest)]
            if clo > -INF and inf_max - (mx == INF) == 0:
                t_lo = clo - (sum_max - (mx if mx < INF else 0.0))
            else:
                t_lo = -INF
            if chi < INF and inf_min - (mn == -INF) == 0:
                t_hi = chi - (sum_min - (mn if mn > -INF else 0.0))
            else:
                t_hi = INF
            if a > 0:
                v_lo, v_hi = t_lo / a, t_hi / a
            else:
                v_lo = t_hi / a if t_hi < INF else -INF
                v_hi = t_lo / a if t_lo > -INF else INF
            if (v_lo > lo[i] + 1e-9 * max(1.0, abs(v_lo)) or
                    v_hi < hi[i] - 1e-9 * max(1.0, abs(v_hi))) and self.tighten(i, v_lo, v_hi):
                changed.append(i)
        return changed

    def propagate(self, budget=3_000_000):
        lo, hi = self.lo, self.hi
        live = [c for c, con in enumerate(self.cons) if any(lo[i] < hi[i] for i in con[0])]
        queue = collections.deque(live)
        queued = [False] * len(self.cons)
        for c in live:
            queued[c] = True
        steps = 0
        while queue and steps < budget:
            c = queue.popleft()
            queued[c] = False
            steps += 1
            for i in self._revise(c):
                for d in self.by_var[i]:
                    if not queued[d]:
                        queued[d] = True
                        queue.append(d)
        return steps

    def eliminate(self):
        """Gaussian elimination over the equalities, with every pinned
        variable substituted: fixes each variable the equalities determine
        (which bounds propagation alone can miss: a + b = 10, a - b = 2).
        Returns the number of variables newly fixed."""
        lo, hi, integer = self.lo, self.hi, self.integer
        known = [hi[i] - lo[i] <= (0 if integer[i] else 1e-7 * max(1.0, abs(lo[i])))
                 for i in range(len(lo))]
        rows = []
        for ids, coefs, clo, chi, _ in self.cons:
            if clo != chi:
                continue
            row, rhs = {}, clo
            for i, a in zip(ids, coefs):
                if known[i]:
                    rhs -= a * (lo[i] + hi[i]) / 2
                else:
                    row[i] = a
            if len(row) > 1:
                rows.append((row, rhs))
        parent = {}

        def find(v):
            while parent.setdefault(v, v) != v:
                parent[v] = parent[parent[v]]
                v = parent[v]
            return v
        for row, _ in rows:
            vs = list(row)
            for v in vs[1:]:
                x, y = find(vs[0]), find(v)
                if x != y:
                    parent[x] = y
        comps = collections.defaultdict(list)
        for row, rhs in rows:
            comps[find(next(iter(row)))].append((row, rhs))
        fixed = 0
        for system in comps.values():
            pivots = {}  # pivot var -> (row, rhs), kept fully reduced
            for row, rhs in system:
                row = dict(row)
                for v in [v for v in row if v in pivots]:
                    a = row.pop(v, 0.0)
                    if not a:
                        continue
                    prow, prhs = pivots[v]
                    for w, c in prow.items():
                        if w == v:
                            continue
                        nv = row.get(w, 0.0) - a * c
                        if abs(nv) > 1e-9:
                            row[w] = nv
                        else:
                            row.pop(w, None)
                    rhs -= a * prhs
                if not row:
                    continue
                pv = max(row, key=lambda v: (abs(row[v]), -v))
                a = row[pv]
                row = {v: c / a for v, c in row.items()}
                rhs /= a
                for qv, (qrow, qrhs) in list(pivots.items()):
                    b = qrow.get(pv)
                    if b:
                        for w, c in row.items():
                            nv = qrow.get(w, 0.0) - (b if w != pv else b) * c
                            if abs(nv) > 1e-9 or w == qv:
                                qrow[w] = nv
                            else:
                                qrow.pop(w, None)
                        qrow.pop(pv, None)
                        pivots[qv] = (qrow, qrhs - b * rhs)
                pivots[pv] = (row, rhs)
            for pv, (row, rhs) in pivots.items():
                if len(row) == 1 and self.tighten(pv, rhs - 1e-6, rhs + 1e-6):
                    fixed += 1
        return fixed

    def solve(self, rounds=6):
        """Propagation and elimination in turn until neither learns more."""
        self.propagate()
        for _ in range(rounds):
            if not self.eliminate():
                break
            self.propagate()

    def value(self, key):
        i = self.index.get(key)
        if i is None:
            return None
        return self.lo[i], self.hi[i]


def pinned(bounds, truth, integer):
    """Does the interval pin the true value (exactly, or to +-0.5)?"""
    if bounds is None or truth is None:
        return False
    lo, hi = bounds
    if integer:
        return lo == hi and abs(lo - truth) < 1e-6
    return hi - lo <= 1.0 + 1e-9 and lo - 1e-6 * max(1, abs(truth)) <= truth <= hi + 1e-6 * max(1, abs(truth))


# ---------------------------------------------------------------- survey cells
#
# A cell key is (kind, period, org, measure, group_dim, group, parent): kind
# "i" for an item (fields n, x), "t" for a theme (fields n, s, q).

ITEM_FIELDS = ("n", "x")
THEME_FIELDS = ("n", "s", "q")


def fields_of(cell):
    return ITEM_FIELDS if cell[0] == "i" else THEME_FIELDS


def survey_cells(run):
    """{cell key: (suppressed, figures or None)} of a run's proportions and themes."""
    cells = {}
    p = run.t["proportions.csv"]
    get = p.getter("period", "org", "item", "group_dim", "group", "parent_group", "n", "positive",
                   "suppressed")
    for r in p.rows:
        period, org, item, dim, group, parent, n, x, supp = get(r)
        n, x = num(n), num(x)
        cells[("i", period, org, item, dim, group, parent)] = (
            supp, None if n is None else {"n": n, "x": x})
    t = run.t["themes.csv"]
    get = t.getter("period", "org", "theme", "group_dim", "group", "parent_group", "n", "mean", "sd",
                   "suppressed")
    for r in t.rows:
        period, org, theme, dim, group, parent, n, mean, sd, supp = get(r)
        key = ("t", period, org, theme, dim, group, parent)
        n, mean, sd = num(n), num(mean), num(sd)
        figures = None
        if n is not None:
            s = n * mean
            q = (n - 1) * sd * sd + n * mean * mean if sd is not None else None
            figures = {"n": n, "s": s, "q": q}
        cells[key] = (supp, figures)
    return cells


def unit_dims_of(runs):
    dims = set()
    for run in runs:
        h = run.t["hotspots.csv"]
        dims.update(h.get(r, "unit_level") for r in h.rows)
        p = run.t["proportions.csv"]
        dims.update(p.get(r, "group_dim") for r in p.rows if p.get(r, "parent_group"))
    return dims


def group_members(runs):
    members = collections.defaultdict(set)
    for run in runs:
        b = run.t["benchmarks.csv"]
        for r in b.rows:
            name = b.get(r, "benchmark")
            if name.startswith("GROUP:"):
                members[name].add(b.get(r, "org"))
    return members


def relations(keys, unit_dims, members):
    """(parent, children, remainder, kind) for every additive relation among cells."""
    out = []
    keys = set(keys)
    by_parent = collections.defaultdict(list)
    tops = {}
    for k in keys:
        kind, period, org, measure, dim, group, parent = k
        if dim in unit_dims and not parent:
            tops[(kind, period, org, measure, group)] = k
    for k in keys:
        kind, period, org, measure, dim, group, parent = k
        if dim == "all":
            continue
        whole = (kind, period, org, measure, "all", "all", "")
        if parent:
            pk = tops.get((kind, period, org, measure, parent))
            if pk is None or pk[4] == dim:
                continue
            by_parent[(pk, dim)].append(k)
        else:
            by_parent[(whole, dim)].append(k)
    for (pk, dim), children in by_parent.items():
        if pk in keys:
            unit = dim in unit_dims
            out.append((pk, sorted(children), unit, "b" if unit else "a-dim"))
    by_coord = collections.defaultdict(dict)
    for k in keys:
        kind, period, org, measure, dim, group, parent = k
        if dim in unit_dims:
            continue
        by_coord[(kind, period, measure, dim, group)][org] = k
    grouped = set().union(*members.values()) if members else set()
    for coord, orgs in by_coord.items():
        plain = [k for o, k in orgs.items() if o != "ALL" and not o.startswith("GROUP:")]
        if "ALL" in orgs:
            out.append((orgs["ALL"], sorted(plain), False, "a-pool"))
            groups = [k for o, k in orgs.items() if o in members]
            if groups:  # ALL = the groups + the orgs in none
                out.append((orgs["ALL"], sorted(groups + [k for k in plain if k[2] not in grouped]),
                            False, "a-pool"))
        for name, member_orgs in members.items():
            if name in orgs:
                out.append((orgs[name], sorted(orgs[o] for o in member_orgs if o in orgs), False,
                            "a-pool"))
    return out


def told_zero(cells_by_run, rels, any_of):
    """Cells whose positive count a shown cell already tells is 0: inside a
    shown cell with none (through the relations), or a part of a derived
    any-of item whose cell shows none.  That is attribute disclosure inside
    a shown cell, which suppressing more cannot prevent."""
    zero = set()
    for cells in cells_by_run:
        zero.update(k for k, (supp, fig) in cells.items() if fig is not None and k[0] == "i"
                    and fig["x"] == 0)
    children_of = collections.defaultdict(list)
    for parent, children, _, _ in rels:
        children_of[parent].extend(children)
    stack = list(zero)
    while stack:
        k = stack.pop()
        more = list(children_of.get(k, ()))
        for part in any_of.get(k[3], ()):
            more.append(k[:3] + (part,) + k[4:])
        for c in more:
            if c not in zero:
                zero.add(c)
                stack.append(c)
    return zero


def relation_constraints(rels, no_remainder):
    """Linear constraints of the relations: parent - sum(children) - remainder = 0."""
    out = []
    for parent, children, remainder, kind in rels:
        for f in fields_of(parent):
            terms = [(parent + (f,), 1.0)] + [(c + (f,), -1.0) for c in children]
            if remainder and not no_remainder:
                terms.append((("r",) + parent + (children[0][4],) + (f,), -1.0))
            out.append((terms, 0.0, 0.0, kind))
        if remainder and not no_remainder:
            r = ("r",) + parent + (children[0][4],)
            if parent[0] == "i":
                out.append(([(r + ("x",), 1.0), (r + ("n",), -1.0)], -INF, 0.0, "intrinsic"))
            else:
                out.append(([(r + ("s",), 1.0), (r + ("n",), -10.0)], -INF, 0.0, "intrinsic"))
    return out


def intrinsic_constraints(keys):
    """What every cell obeys: positive <= n; score sums at most 10 a respondent."""
    out = []
    for k in keys:
        if k[0] == "i":
            out.append(([(k + ("x",), 1.0), (k + ("n",), -1.0)], -INF, 0.0, "intrinsic"))
        else:
            out.append(([(k + ("s",), 1.0), (k + ("n",), -10.0)], -INF, 0.0, "intrinsic"))
            out.append(([(k + ("q",), 1.0), (k + ("s",), -10.0)], -INF, 0.0, "intrinsic"))
    return out


def theme_item_constraints(keys, themes, any_of):
    """(c): a theme against its items, a derived any-of item against its parts."""
    out = []
    keys = set(keys)
    for k in keys:
        kind, period, org, measure, dim, group, parent = k
        if kind == "t" and measure in themes:
            items, min_items = themes[measure]
            item_keys = [("i", period, org, i, dim, group, parent) for i in items]
            if not all(i in keys for i in item_keys):
                continue
            # min_items x theme n <= sum of item n
            out.append(([(k + ("n",), float(min_items))] + [(i + ("n",), -1.0) for i in item_keys],
                        -INF, 0.0, "c"))
            # any len - min_items + 1 items include an answer of every theme respondent
            for subset in itertools.combinations(item_keys, len(items) - min_items + 1):
                out.append(([(k + ("n",), 1.0)] + [(i + ("n",), -1.0) for i in subset],
                            -INF, 0.0, "c"))
        if kind == "i" and measure in any_of:
            parts = [("i", period, org, p, dim, group, parent) for p in any_of[measure]]
            if not all(p in keys for p in parts):
                continue
            for f in ITEM_FIELDS:
                for p in parts:  # derived >= each part
                    out.append(([(p + (f,), 1.0), (k + (f,), -1.0)], -INF, 0.0, "c"))
                out.append(([(k + (f,), 1.0)] + [(p + (f,), -1.0) for p in parts], -INF, 0.0, "c"))
            # not positive on the derived item: not positive on every part answered
            out.append(([(k + ("n",), 1.0), (k + ("x",), -1.0)] +
                        [(p + ("n",), -1.0) for p in parts] + [(p + ("x",), 1.0) for p in parts],
                        -INF, 0.0, "c"))
    return out


# ---------------------------------------------------------------- facts
#
# A fact is what one row of one file tells the attacker:
# (terms, lo, hi, kind, file, cells, direct): the constraint
# lo <= sum coef x var <= hi, the attack kind and file it comes from, the
# cells it speaks of, and whether it shows a figure of those cells outright
# (a shown figure of a cell every run hides is a recovery by itself).

def fix(key, value, tol=0.0):
    return [(key, 1.0)], value - tol, value + tol


def real_tol(v):
    return 1e-8 * max(1.0, abs(v))


def base_facts(run, cells):
    """proportions.csv and themes.csv: shown figures and what labels say."""
    out = []
    m = run.min_n
    for key, (supp, figures) in cells.items():
        f = "proportions.csv" if key[0] == "i" else "themes.csv"
        if figures is not None:
            for field in fields_of(key):
                v = figures.get(field)
                if v is None:
                    continue
                tol = 0.0 if field in ("n", "x") and v == int(v) else real_tol(v)
                out.append(fix(key + (field,), v, tol) + ("shown", f, (key,), True))
        elif supp == "primary":
            out.append(([(key + ("n",), 1.0)], -INF, m - 1, "label", f, (key,), False))
        elif supp in ("secondary", "ledger"):  # hidden at a step t >= 1, or by the ledger
            out.append(([(key + ("n",), 1.0)], 1, INF, "label", f, (key,), False))
    return out


# ---------------------------------------------------------------- inversions
#
# What the attacker would do with a row that shows derived figures (a gap and
# its interval, funnel limits, a z-score, a ratio) but not the counts: solve
# for the counts.  Each is checked on shown rows (calibrate()) so that a
# silent failure cannot pass for safety.

Z = NormalDist()


def z_two_sided(conf):
    return Z.inv_cdf(1 - (1 - conf) / 2)


def wilson(x, n, conf):
    z = z_two_sided(conf)
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(max(p * (1 - p) / n + z * z / (4 * n * n), 0)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(x1, n1, x2, n2, conf):
    """Newcombe (1998) method 10: difference p1 - p2 and its interval."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, conf)
    l2, u2 = wilson(x2, n2, conf)
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def close(a, b, rel=1e-7):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def invert_gap(d, lower, upper, conf, known, n_max, unknown_first=True, rest_of=None):
    """(n, x) of the unknown group of a Newcombe gap: known = (x, n) of the
    other side, or rest_of = (X, N) when the other side is the rest of a
    whole (hotspots: rest = org - unit).  Every (n, x) up to n_max that gives
    the shown gap and interval."""
    out = []
    for n in range(1, int(n_max) + 1):
        if rest_of:
            X, N = rest_of
            if N - n < 1:
                break
            x = round((d + X / (N - n)) / (1 / n + 1 / (N - n)))
            other = (X - x, N - n)
        else:
            other = known
            p = d + other[0] / other[1] if unknown_first else other[0] / other[1] - d
            x = round(p * n)
        if not 0 <= x <= n or not 0 <= other[0] <= other[1]:
            continue
        pair = ((x, n), other) if unknown_first else (other, (x, n))
        got = newcombe(pair[0][0], pair[0][1], pair[1][0], pair[1][1], conf)
        if close(got[0], d, 1e-9) and (lower is None or close(got[1], lower)) and (
                upper is None or close(got[2], upper)):
            out.append((n, x))
    return out


def binom_cdf_table(n, p):
    """P(X <= r) for r = 0..n, X ~ Binomial(n, p) (0 < p < 1)."""
    logs = [math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) +
            k * math.log(p) + (n - k) * math.log1p(-p) for k in range(n + 1)]
    top = max(logs)
    pmf = [math.exp(v - top) for v in logs]
    total = sum(pmf)
    out, acc = [], 0.0
    for v in pmf:
        acc += v / total
        out.append(acc)
    return out


def spiegelhalter(target, n, tail, cdf):
    """Exact binomial funnel limit with Spiegelhalter's interpolation."""
    r = next(k for k, c in enumerate(cdf) if c >= tail)
    below = cdf[r - 1] if r > 0 else 0.0
    return min(1.0, max(0.0, (r - (cdf[r] - tail) / (cdf[r] - below)) / n))


def invert_funnel(target, tau2, model, limits, n_max):
    """n of a funnel row from its limits (lower95, upper95, lower998,
    upper998): closed form on the arcsine scale, a search for the exact
    binomial limits."""
    l95, u95, l998, u998 = limits
    if model in ("random-effects", "arcsine-normal"):
        out = set()
        centre = math.asin(math.sqrt(target))
        for limit, level, side in ((u95, 0.95, 1), (l95, 0.95, -1), (u998, 0.998, 1),
                                   (l998, 0.998, -1)):
            if limit is None or limit in (0.0, 1.0):
                continue
            half = side * (math.asin(math.sqrt(limit)) - centre) / z_two_sided(level)
            var = half * half - tau2
            if var > 0:
                out.add(1 / (4 * var))
        return sorted(out)
    if not 0 < target < 1 or l95 is None:
        return []
    z = z_two_sided(0.95)
    guess = z * z * target * (1 - target) / max((target - l95) ** 2, 1e-12)
    found = []
    for n in range(max(1, int(guess * 0.7)), min(int(n_max), int(guess * 1.4) + 2) + 1):
        cdf = binom_cdf_table(n, target)
        if close(spiegelhalter(target, n, 0.025, cdf), l95, 1e-9) and (
                u95 is None or close(spiegelhalter(target, n, 0.975, cdf), u95, 1e-9)):
            found.append(n)
    return found


def invert_z(z, n, target, tau2):
    """Positive count of a funnel row from its arcsine z-score and n."""
    angle = math.asin(math.sqrt(target)) + z * math.sqrt(1 / (4 * n) + tau2)
    return n * math.sin(angle) ** 2


def invert_katz(rl, upper, conf, known):
    """(events, n) of the BME side from a relative likelihood, its upper
    limit and the White side (uncorrected tables)."""
    b, n2 = known
    if rl is None or upper is None or not 0 < b < n2:
        return None
    rate = rl * b / n2
    se2 = (math.log(upper / rl) / z_two_sided(conf)) ** 2
    k = se2 - (1 / b - 1 / n2)
    if k <= 0 or not 0 < rate < 1:
        return None
    a = (1 - rate) / k
    return a, a / rate


# ---------------------------------------------------------------- every other file

HR_FIELDS = ("wn", "we", "bn", "be", "un", "ue")  # White, BME, Unknown: headcount, entries
HR_GROUP = {"White": ("wn", "we"), "BME": ("bn", "be"), "Unknown": ("un", "ue")}
EPS_P = 1e-12  # a proportion printed with 15 significant digits


def item_cell(period, org, item, dim, group, parent=""):
    return ("i", period, org, item, dim, group, parent)


def hr_key(period, org, field):
    return ("h", period, org, field)


def ratio_facts(x_key, n_key, p, kind, fname, cells):
    """x = p n, p shown to 15 digits: x - (p + e) n <= 0 <= x - (p - e) n."""
    return [([(x_key, 1.0), (n_key, -(p + EPS_P))], -INF, 0.0, kind, fname, cells, False),
            ([(x_key, 1.0), (n_key, -(p - EPS_P))], 0.0, INF, kind, fname, cells, False)]


def fixes(pairs, fname, cells):
    """Facts for figures a row shows outright: [(var key, value)]."""
    out = []
    for key, v in pairs:
        if v is not None:
            out.append(fix(key, v, 0.0 if v == int(v) else real_tol(v)) +
                       ("shown", fname, cells, True))
    return out


class FileAttack:
    """Facts from every file of one run: fact lists per file, inversions
    tried and the weighted-figure data, plus a calibration log."""

    def __init__(self, ctx, run):
        self.ctx, self.run = ctx, run
        self.facts = collections.defaultdict(list)
        self.rows = collections.defaultdict(list)  # the cells of every row read, per file
        self.tries = collections.Counter()  # inversions tried per file
        self.calibration = collections.Counter()  # (what, ok) -> count
        self.disjunctions = []  # (keys a, keys b, bound): min(sum a, sum b) <= bound
        self.known = {}
        for key, (supp, fig) in ctx.cells[run.path].items():
            if fig is not None:
                for f in fields_of(key):
                    if fig.get(f) is not None:
                        self.known[key + (f,)] = fig[f]
        for name in ("disparities", "hotspots", "trends", "benchmarks", "wres", "spc", "inputs"):
            getattr(self, name)(run.t[name + ".csv"], name + ".csv")

    def n_max(self, key):
        whole = ("i", key[1], key[2] if not key[2].startswith(("ALL", "GROUP:")) else "ALL",
                 key[3], "all", "all", "", "n")
        return self.known.get(whole, 100000)

    def fixes(self, pairs, fname, cells):
        """fixes() without the figures the run's proportions and themes
        already show: they teach nothing new (and slow the solver down)."""
        return fixes([(k, v) for k, v in pairs if v is not None and self.known.get(k) != v],
                     fname, cells)

    def gap_rows(self, tab, fname, rows):
        """rows: (cells shown in it, fixes, gap figures, unknown, known, first)."""
        for r, cells, shown_pairs, gap, unknown, known, unknown_first, rest_of in rows:
            self.rows[fname].append(cells)
            if tab.get(r, "suppressed") == "no":
                self.facts[fname] += self.fixes(shown_pairs, fname, cells)
                if gap[0] is not None and self.calibration[(fname, True)] < 3:
                    # calibration: the gap and interval alone give back the counts
                    (x, n) = (self.known.get(unknown + ("x",)), self.known.get(unknown + ("n",)))
                    if x is not None and n is not None and None not in (rest_of or known):
                        got = invert_gap(*gap, self.conf, known, n + 3, unknown_first, rest_of)
                        self.calibration[(fname, (n, x) in got)] += 1
                continue
            # a hidden row: any figure it still shows is a leak, and a gap
            # with its interval is solved for the hidden side's counts
            self.facts[fname] += self.fixes(shown_pairs, fname, cells)
            if gap[0] is None:
                continue
            self.tries[fname] += 1
            if rest_of is not None:
                if rest_of[0] is None or rest_of[1] is None:
                    continue
                found = invert_gap(*gap, self.conf, None, self.n_max(unknown), True, rest_of)
            else:
                if None in known:
                    continue
                found = invert_gap(*gap, self.conf, known, self.n_max(unknown), unknown_first)
            if len(found) == 1:
                n, x = found[0]
                self.facts[fname] += fixes([(unknown + ("n",), n), (unknown + ("x",), x)], fname,
                                           cells)

    @property
    def conf(self):
        for tab in self.run.t.values():
            if tab.rows and "conf_level" in tab.col:
                return float(tab.get(tab.rows[0], "conf_level"))
        return 0.95

    def disparities(self, tab, fname):
        rows = []
        get = tab.getter("period", "org", "item", "group_dim", "group", "reference", "n", "positive",
                         "ref_n", "ref_positive", "diff", "diff_lower", "diff_upper")
        for r in tab.rows:
            period, org, item, dim, group, reference, n, x, rn, rx, d, dl, du = get(r)
            grp = item_cell(period, org, item, dim, group)
            ref = item_cell(period, org, item, dim, reference)
            pairs = [(grp + ("n",), num(n)), (grp + ("x",), num(x)), (ref + ("n",), num(rn)),
                     (ref + ("x",), num(rx))]
            gap = (num(d), num(dl), num(du))
            known_ref = (self.known.get(ref + ("x",)), self.known.get(ref + ("n",)))
            rows.append((r, (grp, ref), pairs, gap, grp, known_ref, True, None))
        self.gap_rows(tab, fname, rows)

    def hotspots(self, tab, fname):
        rows = []
        get = tab.getter("period", "org", "item", "unit_level", "unit", "parent_unit", "n",
                         "positive", "rest_n", "rest_positive", "diff", "diff_lower", "diff_upper")
        for r in tab.rows:
            period, org_, item, level, unit_, parent, *figures = get(r)
            unit = item_cell(period, org_, item, level, unit_, parent)
            org = item_cell(period, org_, item, "all", "all")
            n, x, rn, rx = (num(v) for v in figures[:4])
            pairs = [(unit + ("n",), n), (unit + ("x",), x),
                     (org + ("n",), None if n is None or rn is None else n + rn),
                     (org + ("x",), None if x is None or rx is None else x + rx)]
            # a row exists only for an item the org answered
            if org + ("n",) not in self.known:
                self.facts[fname].append(([(org + ("n",), 1.0)], 1, INF, "label", fname, (org,),
                                          False))
            gap = tuple(num(v) for v in figures[4:])
            rest_of = (self.known.get(org + ("x",)), self.known.get(org + ("n",)))
            rows.append((r, (unit, org), pairs, gap, unit, None, True, rest_of))
        self.gap_rows(tab, fname, rows)

    def trends(self, tab, fname):
        rows = []
        get = tab.getter("period", "org", "item", "group_dim", "group", "parent_group",
                         "previous_period", "n", "positive", "previous_n", "previous_positive",
                         "change", "change_lower", "change_upper")
        for r in tab.rows:
            period, org, item, dim, group, parent, previous, *figures = get(r)
            cur = item_cell(period, org, item, dim, group, parent)
            prev = item_cell(previous, *cur[2:])
            n, x, pn, px, d, dl, du = (num(v) for v in figures)
            pairs = [(cur + ("n",), n), (cur + ("x",), x), (prev + ("n",), pn), (prev + ("x",), px)]
            gap = (d, dl, du)
            cur_known = all(cur + (f,) in self.known for f in ITEM_FIELDS)
            unknown, other = (prev, cur) if cur_known else (cur, prev)
            known = (self.known.get(other + ("x",)), self.known.get(other + ("n",)))
            rows.append((r, (cur, prev), pairs, gap, unknown, known, not cur_known, None))
        self.gap_rows(tab, fname, rows)

    def benchmarks(self, tab, fname):
        self.weighted_rows = []
        get = tab.getter("period", "org", "item", "group_dim", "group", "benchmark", "n", "positive",
                         "target", "weighted", "suppressed")
        g = tab.get
        for r in tab.rows:
            period, org_, item, dim, group, bench, n, x, target, weighted, supp = get(r)
            org = item_cell(period, org_, item, dim, group)
            pool = item_cell(period, bench, item, dim, group)
            self.rows[fname].append((org, pool))
            n, x, target = num(n), num(x), num(target)
            if supp == "no" and target is not None and self.calibration[
                    (fname + " limits", True)] >= 3 and org + ("n",) in self.known:
                continue  # a shown row of a known cell
            if weighted == "yes":
                if n is not None:
                    self.weighted_rows.append((org, n, x / n if n else None))
                continue
            if target is not None and pool + ("n",) not in self.known:  # the pooled proportion
                self.facts[fname] += ratio_facts(pool + ("x",), pool + ("n",), target, "e", fname,
                                                 (pool,))
            if g(r, "suppressed") == "no":
                self.facts[fname] += self.fixes([(org + ("n",), n), (org + ("x",), x)], fname, (org,))
                if self.calibration[(fname + " limits", True)] < 3 and target and n:
                    lims = tuple(num(g(r, c)) for c in ("lower95", "upper95", "lower998", "upper998"))
                    got = invert_funnel(target, num(g(r, "tau2")) or 0.0, g(r, "model"), lims, n + 5)
                    self.calibration[(fname + " limits", any(close(v, n, 1e-6) for v in got))] += 1
                continue
            self.facts[fname] += self.fixes([(org + ("n",), n), (org + ("x",), x)], fname, (org,))
            lims = tuple(num(g(r, c)) for c in ("lower95", "upper95", "lower998", "upper998"))
            if target is not None and any(v is not None for v in lims):
                self.tries[fname] += 1
                found = invert_funnel(target, num(g(r, "tau2")) or 0.0, g(r, "model"), lims,
                                      self.n_max(org))
                whole = [v for v in found if close(v, round(v), 1e-6)]
                if len({round(v) for v in whole}) == 1:
                    n = round(whole[0])
                    self.facts[fname] += fixes([(org + ("n",), n)], fname, (org,))
                    zv = num(g(r, "z"))
                    if zv is not None:
                        self.facts[fname] += fixes(
                            [(org + ("x",), round(invert_z(zv, n, target, num(g(r, "tau2")) or 0.0)))],
                            fname, (org,))

    def wres(self, tab, fname):
        m = self.run.min_n
        for r in tab.rows:
            g = tab.get
            period, org, shown = g(r, "period"), g(r, "org"), g(r, "suppressed") == "no"
            vals = {c: num(g(r, c)) for c in ("bme_n", "bme_events", "white_n", "white_events")}
            rl, upper = num(g(r, "relative_likelihood")), num(g(r, "rl_upper"))
            if shown and g(r, "rl_corrected") == "no" and rl and \
                    self.calibration[(fname + " ratio", True)] < 3:
                got = invert_katz(rl, upper, self.conf, (vals["white_events"], vals["white_n"]))
                self.calibration[(fname + " ratio", got is not None and close(
                    got[0], vals["bme_events"], 1e-6) and close(got[1], vals["bme_n"], 1e-6))] += 1
            if not shown and rl is not None and vals["bme_n"] is None:
                # a hidden row that still shows its ratio: solved for the BME side
                self.tries[fname] += 1
                white = (vals["white_events"], vals["white_n"])
                if g(r, "source") == "survey" and None in white:
                    w = item_cell(period, org, g(r, "item"), "ethnicity", "White")
                    white = (self.known.get(w + ("x",)), self.known.get(w + ("n",)))
                got = None if None in white else invert_katz(rl, upper, self.conf, white)
                if got and close(got[0], round(got[0]), 1e-6) and close(got[1], round(got[1]), 1e-6):
                    vals["bme_events"], vals["bme_n"] = round(got[0]), round(got[1])
            if g(r, "source") == "survey":
                bme = item_cell(period, org, g(r, "item"), "ethnicity", "BME")
                white = item_cell(period, org, g(r, "item"), "ethnicity", "White")
                self.rows[fname].append((bme, white))
                self.facts[fname] += self.fixes(
                    [(bme + ("n",), vals["bme_n"]), (bme + ("x",), vals["bme_events"]),
                     (white + ("n",), vals["white_n"]), (white + ("x",), vals["white_events"])],
                    fname, (bme, white))
                if not shown and vals["white_n"] is not None and g(r, "relative_likelihood"):
                    pass  # figures of a hidden row are leaks already
                continue
            periods = g(r, "periods_used").split("+")
            as_bme = g(r, "unknown_ethnicity") == "counted as BME"
            cell = ("h", period, org)
            self.rows[fname].append(tuple(("h", p, org) for p in periods))
            sides = {"bme_n": ["bn"] + (["un"] if as_bme else []),
                     "bme_events": ["be"] + (["ue"] if as_bme else []),
                     "white_n": ["wn"], "white_events": ["we"]}
            for col, fields in sides.items():
                v = vals[col]
                if v is None:
                    continue
                terms = [(hr_key(p, org, f), 1.0) for p in periods for f in fields]
                direct = len(terms) == 1
                self.facts[fname].append((terms, v, v, "shown", fname, (cell,), direct))
            if not shown and len(periods) == 1 and g(r, "note"):
                if g(r, "suppressed") == "primary":  # the smallest headcount was below min-n
                    a = [hr_key(period, org, f) for f in sides["bme_n"]]
                    b = [hr_key(period, org, "wn")]
                    self.disjunctions.append((a, b, m - 1, fname, cell))

    def spc(self, tab, fname):
        segments = collections.defaultdict(list)
        for r in tab.rows:
            g = tab.get
            segments[(g(r, "org"), g(r, "item"), g(r, "group_dim"), g(r, "group"),
                      g(r, "parent_group"), g(r, "series_start"))].append(r)
        for (org, item, dim, group, parent, start), rows in segments.items():
            hr = item in ("disciplinary_rate", "wres3_relative_likelihood")
            centre = num(tab.get(rows[0], "centre"))
            blanks = [r for r in rows if num(tab.get(r, "estimate")) is None]
            values = {}
            for r in rows:
                values[tab.get(r, "period")] = num(tab.get(r, "estimate"))
            if centre is not None and not blanks and self.calibration[(fname + " centre", True)] < 3:
                first_v = values[tab.get(rows[0], "period")]
                self.calibration[(fname + " centre", close(
                    centre * len(rows) - sum(values.values()) + first_v, first_v, 1e-6))] += 1
            if centre is not None and len(blanks) == 1:  # the hidden point from the centre line
                self.tries[fname] += 1
                values[tab.get(blanks[0], "period")] = centre * len(rows) - sum(
                    v for v in values.values() if v is not None)
            for r in rows:
                period, v = tab.get(r, "period"), values[tab.get(r, "period")]
                self.rows[fname].append((("h", period, org),) if hr else
                                        (item_cell(period, org, item, dim, group, parent),))
                if hr:
                    cell = ("h", period, org)
                    if item == "wres3_relative_likelihood":
                        if v is not None and tab.get(r, "suppressed") != "no":
                            self.facts[fname].append(([], 0, 0, "shown", fname, (cell,), True))
                        continue
                    n_f, e_f = HR_GROUP[group]
                    if v is not None:
                        self.facts[fname] += ratio_facts(hr_key(period, org, e_f),
                                                         hr_key(period, org, n_f), v, "e", fname,
                                                         (cell,))
                    elif tab.get(r, "suppressed") == "primary" and group == "Unknown":
                        pass  # the row's state; the Unknown headcount alone is not said
                    continue
                cell = item_cell(period, org, item, dim, group, parent)
                if v is not None:
                    self.facts[fname] += ratio_facts(cell + ("x",), cell + ("n",), v, "e", fname,
                                                     (cell,))

    def inputs(self, tab, fname):
        # provenance only: file sizes, checksums and row counts of the
        # inputs, no figure of any cell (a file's rows are respondents of
        # several periods, not any cell's answers to an item); each row read
        # counts as an attempt
        self.tries[fname] += len(tab.rows)


def solve_linear(rows, rhs):
    """Least squares solution of rows x = rhs (normal equations, Gaussian
    elimination with partial pivoting); None when singular."""
    k = len(rows[0])
    a = [[sum(r[i] * r[j] for r in rows) for j in range(k)] + [sum(r[i] * b for r, b in zip(rows, rhs))]
         for i in range(k)]
    for c in range(k):
        p = max(range(c, k), key=lambda i: abs(a[i][c]))
        if abs(a[p][c]) < 1e-12:
            return None
        a[c], a[p] = a[p], a[c]
        for i in range(k):
            if i != c:
                f = a[i][c] / a[c][c]
                a[i] = [u - f * v for u, v in zip(a[i], a[c])]
    return [a[i][k] / a[i][i] for i in range(k)]


def weighted_attack(run, cells, dim="occupation"):
    """The --weight columns of proportions.csv: every respondent of one org,
    period and occupational group has the same NSS weight, so the org's
    weighted proportion p_w = sum(w x) / sum(w n) gives, for an item where
    every occupational group of the org is shown, one linear equation in the
    groups' relative weights; with enough such items the weights are known.
    An item where the org is shown but two groups are hidden then has two
    unknown sizes with a known sum, and the org's Kish n_eff = (sum w n)^2 /
    sum(w^2 n) and p_w single them out.  Returns (facts, tries, weights
    identified)."""
    tab = run.t["proportions.csv"]
    if "weighted_estimate" not in tab.col:
        return [], 0, 0
    weighted = {}
    for r in tab.rows:
        g = tab.get
        if g(r, "group_dim") == "all" and g(r, "weighted_estimate"):
            key = item_cell(g(r, "period"), g(r, "org"), g(r, "item"), "all", "all")
            weighted[key] = (float(g(r, "weighted_estimate")), float(g(r, "n_eff")))
    if not weighted:  # a run without --weight
        return [], 0, 0
    groups = collections.defaultdict(dict)  # (period, org) -> item -> {group: figures or None}
    for key, (supp, fig) in cells.items():
        if key[0] == "i" and key[4] == dim and not key[2].startswith(("ALL", "GROUP:")):
            groups[(key[1], key[2])].setdefault(key[3], {})[key[5]] = fig
    facts, tries, identified = [], 0, 0
    for (period, org), by_item in groups.items():
        names = sorted({gname for gs in by_item.values() for gname in gs})
        eqs = []
        for item, gs in by_item.items():
            w = weighted.get(item_cell(period, org, item, "all", "all"))
            if w and len(gs) == len(names) and all(f is not None for f in gs.values()):
                eqs.append([gs[n]["x"] - w[0] * gs[n]["n"] for n in names])
        tries += 1
        if len(eqs) < len(names) - 1 or not names:
            continue
        ref = 0  # r_ref = 1: sum_{g != ref} r_g a_g = -a_ref
        rel = solve_linear([[e[i] for i in range(len(names)) if i != ref] for e in eqs],
                           [-e[ref] for e in eqs])
        if rel is None:
            continue
        r = dict(zip([n for i, n in enumerate(names) if i != ref], rel))
        r[names[ref]] = 1.0
        if any(v <= 0 for v in r.values()):
            continue
        identified += 1
        for item, gs in by_item.items():
            w = weighted.get(item_cell(period, org, item, "all", "all"))
            whole = cells.get(item_cell(period, org, item, "all", "all"), (None, None))[1]
            hidden = [n for n, f in gs.items() if f is None]
            if not w or whole is None or len(hidden) != 2:
                continue
            a, b = hidden
            shown = [gs[n] for n in gs if gs[n] is not None]
            n_h = whole["n"] - sum(f["n"] for f in shown)
            x_h = whole["x"] - sum(f["x"] for f in shown)
            w_s = sum(r[n] * gs[n]["n"] for n in gs if gs[n] is not None)
            q_s = sum(r[n] ** 2 * gs[n]["n"] for n in gs if gs[n] is not None)
            x_s = sum(r[n] * gs[n]["x"] for n in gs if gs[n] is not None)
            if abs(r[a] - r[b]) < 1e-9:
                continue
            found = []
            for n_a in range(int(n_h) + 1):
                wsum = w_s + r[a] * n_a + r[b] * (n_h - n_a)
                qsum = q_s + r[a] ** 2 * n_a + r[b] ** 2 * (n_h - n_a)
                if qsum > 0 and close(wsum * wsum / qsum, w[1], 1e-7):
                    x_a = (w[0] * wsum - x_s - r[b] * x_h) / (r[a] - r[b])
                    if abs(x_a - round(x_a)) < 1e-3 and 0 <= round(x_a) <= n_a:
                        found.append((n_a, round(x_a)))
            if len(found) == 1:
                n_a, x_a = found[0]
                ka, kb = item_cell(period, org, item, dim, a), item_cell(period, org, item, dim, b)
                facts += fixes([(ka + ("n",), n_a), (ka + ("x",), x_a), (kb + ("n",), n_h - n_a),
                                (kb + ("x",), x_h - x_a)], "proportions.csv (weighted)", (ka, kb))
    return facts, tries, identified


# ---------------------------------------------------------------- reports

WRES_ITEMS = {"5": "hba_public", "6": "hba_staff", "7": "equal_opportunities",
              "8": "discrim_staff"}


def pct_facts(cell, text, decimals, fname, scale=100.0, fields=("x", "n")):
    """A figure printed as a rounded percentage (or score) of a cell: the
    interval it rounds from, as two inequalities on x / n."""
    try:
        v = float(text)
    except ValueError:
        return []
    half = 0.5 * 10 ** -decimals
    x_key, n_key = cell + (fields[0],), cell + (fields[1],)
    return [([(x_key, 1.0), (n_key, -(v + half) / scale)], -INF, 0.0, "e", fname, (cell,), True),
            ([(x_key, 1.0), (n_key, -(v - half) / scale)], 0.0, INF, "e", fname, (cell,), True)]


def report_sections(text):
    lines = text.split("\n")
    sections, name = collections.defaultdict(list), "head"
    for line in lines:
        m = re.match(r"^(\d)\. ", line)
        if m:
            name = m.group(1)
        sections[name].append(line)
    return sections


def table_rows(lines, header):
    """The cells of each row of the table whose header starts with header."""
    out = []
    start = next((i for i, l in enumerate(lines) if l.startswith("  " + header)), None)
    if start is None:
        return out
    for line in lines[start + 2:]:
        if not line.startswith("  ") or not line.strip():
            break
        out.append(re.split(r"\s{2,}", line.strip()))
    return out


def board_report_facts(path):
    """Facts from board-report.txt: every table figure, attributed to its
    cell, and the WRES 3 counts."""
    fname = "board-report.txt"
    text = open(path, encoding="utf-8").read()
    sec = report_sections(text)
    head = "\n".join(sec["head"] + sec["1"])
    org = re.search(r"^Trust\s+(\S+)", head, re.M).group(1)
    m = re.search(r"^Period\s+(\S+?)(?:, compared with (\S+))?$", head, re.M)
    period, prev = m.group(1), m.group(2)
    key, in_key = {}, False
    for line in sec["7"]:
        if line.startswith("  Label in this report"):
            in_key = True
        elif in_key and line.startswith("  ") and not line.startswith("  --"):
            label, ident = re.split(r"\s{2,}", line.strip())
            key[label.replace(" (theme)", "")] = ident
    facts, seen = [], []

    def num_of(cell_text):
        m = re.match(r"^([+-]?\d+(?:\.\d+)?)", cell_text)
        return m.group(1) if m else None

    for row in table_rows(sec["3"], "Item "):
        if row[0] not in key or len(row) < 3:
            continue
        item = key[row[0]]
        seen.append((item_cell(period, org, item, "all", "all"),) +
                    ((item_cell(prev, org, item, "all", "all"),) if prev else ()))
        v = num_of(row[1])
        if v:
            facts += pct_facts(item_cell(period, org, item, "all", "all"), v, 1, fname)
        v = num_of(row[2])
        if v and prev:
            facts += pct_facts(item_cell(prev, org, item, "all", "all"), v, 1, fname)
    for row in table_rows(sec["3"], "Theme "):
        if row[0] not in key or len(row) < 3:
            continue
        theme = key[row[0]]
        seen.append(tuple(("t", p, org, theme, "all", "all", "") for p in (period, prev) if p))
        for p, text in ((period, row[1]), (prev, row[2])):
            v = num_of(text)
            if v and p:
                facts += pct_facts(("t", p, org, theme, "all", "all", ""), v, 2, fname, 1.0,
                                   ("s", "n"))
    for row in table_rows(sec["4"], "Item "):
        if row[0] not in key or len(row) < 3:
            continue
        item = key[row[0]]
        seen.append(tuple(item_cell(period, org, item, "ethnicity", g) for g in ("BME", "White")))
        for group, text in (("BME", row[1]), ("White", row[2])):
            v = num_of(text)
            if v:
                facts += pct_facts(item_cell(period, org, item, "ethnicity", group), v, 1, fname)
    body5 = " ".join(l.strip() for l in sec["5"])
    m = re.search(r"Indicator 3: ([\d,]+) of ([\d,]+) BME staff and ([\d,]+) of ([\d,]+) White "
                  r"staff entered .*?\(HR period (\S+?);", body5)
    hr_period = m.group(5) if m else period
    if m:
        be, bn, we, wn = (float(v.replace(",", "")) for v in m.groups()[:4])
        cell = ("h", hr_period, org)
        facts += [([(hr_key(hr_period, org, f), 1.0)], v, v, "shown", fname, (cell,), True)
                  for f, v in (("be", be), ("bn", bn), ("we", we), ("wn", wn))]
    for row in table_rows(sec["5"], "Indicator "):
        ind = row[0].split()[0]
        seen.append((("h", hr_period, org),) if ind == "3" else tuple(
            item_cell(period, org, WRES_ITEMS.get(ind, ""), "ethnicity", g) for g in ("BME", "White")))
        if len(row) < 3:
            continue
        for group, text in (("BME", row[1]), ("White", row[2])):
            v = num_of(text)
            if not v:
                continue
            if ind == "3":
                n_f, e_f = HR_GROUP[group]
                facts += pct_facts(("h", hr_period, org), v, 2, fname, fields=(e_f, n_f))
            elif ind in WRES_ITEMS:
                facts += pct_facts(item_cell(period, org, WRES_ITEMS[ind], "ethnicity", group), v, 1,
                                   fname)
    body2 = " ".join(l.strip() for l in sec["2"])
    for label, v in re.findall(r"- ([A-Z][^.;]*?) at (\d+(?:\.\d+)?)% ", body2):
        if label in key:
            facts += pct_facts(item_cell(period, org, key[label], "all", "all"), v, 1, fname)
    for label, b, w in re.findall(r"- ([A-Z][^.;]*?), BME against White staff: (\d+(?:\.\d+)?)% "
                                  r"against (\d+(?:\.\d+)?)%", body2):
        if label in key:
            facts += pct_facts(item_cell(period, org, key[label], "ethnicity", "BME"), b, 1, fname)
            facts += pct_facts(item_cell(period, org, key[label], "ethnicity", "White"), w, 1, fname)
    return facts, seen, org, period


def national_facts(path):
    fname = "national-summary.txt"
    text = open(path, encoding="utf-8").read()
    period = re.search(r"^Period\s+(\S+)", text, re.M).group(1)
    facts, seen = [], []
    lines = text.split("\n")
    for start, line in enumerate(lines):
        if not line.startswith("  Trust "):
            continue
        header = re.split(r"\s{2,}", line.strip())
        rows, ids = [], {}
        for l in lines[start + 2:]:
            if not l.startswith("  ") or not l.strip():
                break
            m = re.match(r"^\s+\((\d)\) .*\((\w+)\)$", l)
            if m:
                ids[m.group(1)] = m.group(2)
            else:
                rows.append(re.split(r"\s{2,}", l.strip()))
        for row in rows:
            org = "ALL" if row[0].startswith("ALL") else row[0]
            if "(1)" in header:
                for col, cell_text in zip(header[2:], row[2:]):
                    item = ids.get(col.strip("()"))
                    if item:
                        seen.append((item_cell(period, org, item, "all", "all"),))
                    v = re.match(r"^(\d+(?:\.\d+)?)", cell_text)
                    if item and v:
                        facts += pct_facts(item_cell(period, org, item, "all", "all"), v.group(1), 1,
                                           fname)
            elif header[1:3] == ["Just culture", "Speaking up"]:
                for theme, cell_text in (("just_culture", row[1]), ("speaking_up", row[2])):
                    seen.append((("t", period, org, theme, "all", "all", ""),))
                    v = re.match(r"^(\d+(?:\.\d+)?)$", cell_text)
                    if v:
                        facts += pct_facts(("t", period, org, theme, "all", "all", ""), v.group(1),
                                           2, fname, 1.0, ("s", "n"))
    return facts, seen


def gnuplot_blocks(path):
    """(chart, block name, rows of numbers) of every data block of a
    captured gnuplot session (a chart's blocks come before its `set output`),
    and every number of the commands outside them."""
    blocks, pending, loose = [], [], []
    name, rows = None, []
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if name is not None:
            if line == "CANDOUR_END_OF_DATA":
                pending.append((name, rows))
                name, rows = None, []
            else:
                rows.append([float(v) for v in line.split()])
            continue
        m = re.match(r"^(\$\w+) << CANDOUR_END_OF_DATA$", line)
        if m:
            name = m.group(1)
            continue
        m = re.match(r"^set output '(?:.*/)?\.?([^/]*?)\.(?:png|svg)", line)
        if m:
            blocks += [(m.group(1), n, r) for n, r in pending]
            pending = []
        elif not line.startswith(("set title", "set xtics", "set ytics", "set terminal")):
            loose += [float(v) for v in re.findall(r"(?<![\w.'$])-?\d+\.\d+(?:e-?\d+)?", line)]
    return blocks, loose


def hr_truth(paths):
    """{var key: value} of HR counts from the raw files, with ALL sums."""
    truth = collections.defaultdict(float)
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                group = r["ethnicity"] if r["ethnicity"] in HR_GROUP else "Unknown"
                n_f, e_f = HR_GROUP[group]
                for org in (r["org"], "ALL"):
                    truth[hr_key(r["period"], org, n_f)] += float(r["headcount"])
                    truth[hr_key(r["period"], org, e_f)] += float(r["disciplinary"])
    return dict(truth)


def hr_relations(truth_keys):
    """ALL = sum of the orgs, per period and field."""
    by = collections.defaultdict(list)
    for key in truth_keys:
        _, period, org, field = key
        if org != "ALL":
            by[(period, field)].append(key)
    return [([(hr_key(p, "ALL", f), 1.0)] + [(k, -1.0) for k in sorted(keys)], 0.0, 0.0, "a-pool")
            for (p, f), keys in by.items()]


# ---------------------------------------------------------------- attacks

class Ledger:
    """Attempts and recoveries per attack kind and per file."""

    def __init__(self):
        self.rows = collections.OrderedDict()

    def add(self, label, attempts, recovered, note=""):
        self.rows[label] = (attempts, set(recovered), note)

    def print(self):
        width = max(len(k) for k in self.rows)
        print("%-*s  %8s  %9s" % (width, "attack", "attempts", "recovered"))
        for label, (a, r, note) in self.rows.items():
            print("%-*s  %8d  %9d%s" % (width, label, a, len(r), "  " + note if note else ""))


class Context:
    """Everything the attacker reads, and the truth that judges it."""

    def __init__(self, args):
        self.schema = parse_schema(args.schema)
        self.schema_themes = self.schema["themes"]
        self.any_of = {i: it["any_of"] for i, it in self.schema["items"].items() if it["any_of"]}
        self.runs = [Run(d) for d in args.run]
        self.survey_runs = [r for r in self.runs if r.t["proportions.csv"].rows]
        self.cells = {run.path: survey_cells(run) for run in self.runs}
        # the truth: the --min-n 1 run, every hidden cell of it counted from
        # the raw rows (and every shown one checked against that count)
        self.truth = survey_counts(args.export, self.schema) if args.export else {}
        truth_cells = survey_cells(Run(args.truth)) if args.truth else {}
        if self.survey_runs and not (args.truth and args.export):
            raise SystemExit("disclosure_attack.py: survey runs need --truth and --export")
        mismatch = 0
        for key, (supp, fig) in truth_cells.items():
            for f in fields_of(key):
                v = None if fig is None else fig.get(f)
                if v is not None and not close(v, self.truth.get(key + (f,), math.nan), 1e-9):
                    mismatch += 1
        if mismatch:
            raise SystemExit("disclosure_attack.py: %d figures of the --min-n 1 run differ from the "
                             "count of the raw rows: the truth is unreliable" % mismatch)
        self.hr_truth = hr_truth(args.hr_truth)
        self.truth_note = ("truth: %d survey counts (the --min-n 1 run, its %d hidden cells counted "
                           "from the raw rows), %d HR counts (the raw files)" % (
                               len(self.truth), sum(1 for k, (s_, f_) in truth_cells.items()
                                                    if f_ is None), len(self.hr_truth)))
        self.truth.update(self.hr_truth)
        keys = set(k[:-1] for k in self.truth if k[0] in ("i", "t"))
        for c in self.cells.values():
            keys.update(c)
        self.keys = sorted(keys)
        self.unit_dims = unit_dims_of(self.runs)
        self.members = group_members(self.runs)
        self.rels = relations(self.keys, self.unit_dims, self.members)
        self.no_remainder = self.attacker_sees_no_remainder()

    def attacker_sees_no_remainder(self):
        """Every unit relation the attacker can check (parent and all children
        shown by some run) has no respondents outside the units."""
        known = {}
        for run in self.runs:
            for key, (supp, figures) in self.cells[run.path].items():
                if figures is not None:
                    known[key] = figures["n"]
        checked = 0
        for parent, children, remainder, _ in self.rels:
            if not remainder or parent not in known or any(c not in known for c in children):
                continue
            checked += 1
            if known[parent] != sum(known[c] for c in children):
                return False
        return checked > 0

    def hidden_cells(self, runs):
        """Survey cells that no run of runs shows, and HR rows whose
        single-period figures no run shows but one hides."""
        # a cell that a run has no row for (a subset run: --orgs,
        # --groupings, --tables) is not shown by it either
        seen, shown_by_any = set(), set()
        for run in runs:
            if not run.t["proportions.csv"].rows:
                continue
            for k, (supp, figures) in self.cells[run.path].items():
                seen.add(k)
                if figures is not None:
                    shown_by_any.add(k)
        hidden = seen - shown_by_any
        shown, hid = collections.defaultdict(set), set()
        for run in runs:
            tab = run.t["wres.csv"]
            for r in tab.rows:
                if tab.get(r, "source") != "hr" or "+" in tab.get(r, "periods_used"):
                    continue
                cell = ("h", tab.get(r, "period"), tab.get(r, "org"))
                if tab.get(r, "suppressed") == "no":
                    shown[cell] |= {"wn", "we"} | (
                        set() if tab.get(r, "unknown_ethnicity") == "counted as BME" else {"bn", "be"})
                else:
                    hid.add(cell)
        self.hr_shown = shown
        return hidden | {c for c in hid if len(shown[c]) < 4}

    def targets(self, runs):
        hidden = self.hidden_cells(runs)
        out = {}
        for cell in hidden:
            fields = ("bn", "be", "wn", "we") if cell[0] == "h" else fields_of(cell)
            for f in fields:
                if cell[0] == "h" and f in self.hr_shown[cell]:
                    continue
                if cell + (f,) in self.truth:
                    out[cell + (f,)] = self.truth[cell + (f,)]
        return hidden, out

    def constraints(self, kinds):
        out = []
        if kinds & {"a-dim", "a-pool", "b"}:
            rels = [r for r in self.rels if r[3] in kinds]
            out += relation_constraints(rels, self.no_remainder)
        if "a-pool" in kinds:
            out += hr_relations(self.hr_truth)
        out += intrinsic_constraints(self.keys)
        if "c" in kinds:
            out += theme_item_constraints(self.keys, self.schema_themes, self.any_of)
        return out


ALL_KINDS = frozenset({"a-dim", "a-pool", "b", "c"})


def solve(ctx, kinds, facts, targets, disjunctions=()):
    """Bounds propagation and elimination over the relations of kinds and the
    facts; primary HR rows add min(a, b) <= bound, applied once one side is
    known to be larger.  Returns the targets pinned to their true value."""
    solver = Solver()
    for terms, lo, hi, kind in ctx.constraints(kinds):
        solver.add(terms, lo, hi, kind)
    for terms, lo, hi, kind, *_ in facts:
        solver.add(terms, lo, hi, kind)
    solver.solve()
    for _ in range(4):
        added = False
        for a, b, bound, *_ in disjunctions:
            for one, other in ((a, b), (b, a)):
                if sum(solver.value(k)[0] if solver.value(k) else 0 for k in one) > bound:
                    if solver.add([(k, 1.0) for k in other], -INF, bound, "label") is not None or \
                            len(other) == 1:
                        added = True
        if not added:
            break
        solver.solve()
    return {k for k, v in targets.items()
            if pinned(solver.value(k), v, k[-1] not in ("s", "q"))}


def attempts_of(items, targets, hidden):
    """How many of the constraints or facts bear on a target: each is an
    attempt (a relation counts once per target it could solve)."""
    n = 0
    for item in items:
        terms, cells = item[0], (item[5] if len(item) > 5 else ())
        hit = sum(1 for key, _ in terms if key in targets)
        n += hit if hit else int(any(c in hidden for c in cells))
    return n


def fingerprints(ctx, cells, get):
    """{value to 8 significant digits: cells} of the figures a chart could
    draw for these cells: percentages of items, HR rates (as fractions,
    per 100 and per 1000) and relative likelihoods; get(cell, field) gives a
    count or None."""
    out = collections.defaultdict(set)

    def add(v, cell):
        if v and math.isfinite(v):
            out[float("%.8g" % v)].add(cell)
    for cell in cells:
        if cell[0] == "i":
            n, x = get(cell, "n"), get(cell, "x")
            if n and x is not None:
                add(100 * x / n, cell)
        elif cell[0] == "h":
            rates = {}
            for group, (n_f, e_f) in HR_GROUP.items():
                n, e = get(cell, n_f), get(cell, e_f)
                if n and e is not None:
                    rates[group] = e / n
                    for scale in (1, 100, 1000):
                        add(scale * e / n, cell)
            if rates.get("White"):
                add(rates.get("BME", 0) / rates["White"], cell)
    return out


def chart_leaks(ctx, blocks, loose, org, period, hidden):
    """Points of charts that are figures of hidden cells: a funnel point
    (n, %) equal to a hidden org cell's, and any number of a data block or
    label equal (to 8 significant digits; 10 are printed) to a hidden cell's
    percentage, HR rate or relative likelihood that no shown figure has.
    Returns (numbers checked, leaked cells)."""
    shown_cells = {key: fig for run in ctx.runs for key, (supp, fig) in ctx.cells[run.path].items()
                   if fig is not None}
    for run in ctx.runs:
        tab = run.t["wres.csv"]
        for r in tab.rows:
            if tab.get(r, "source") == "hr" and tab.get(r, "suppressed") == "no":
                cell = ("h", tab.get(r, "period"), tab.get(r, "org"))
                shown_cells[cell] = None
    shown = fingerprints(ctx, shown_cells, lambda c, f: ctx.truth.get(c + (f,)))
    mine = [c for c in hidden if c[2] in (org, "ALL") or c[2].startswith("GROUP:")]
    secret = fingerprints(ctx, mine, lambda c, f: ctx.truth.get(c + (f,)))
    checked, leaked = 0, set()
    numbers = [v for _, _, rows in blocks for row in rows for v in row] + list(loose)
    for v in numbers:
        checked += 1
        key = float("%.8g" % v) if v else 0.0
        if key in secret and key not in shown:
            leaked |= secret[key]
    for chart, name, rows in blocks:
        if not chart.startswith("funnel-") or name not in ("$orgs", "$trust"):
            continue
        item = chart[len("funnel-"):]
        for row in rows:
            n, pct = row[0], row[1]
            for cell in hidden:
                if cell[0] == "i" and cell[1] == period and cell[3] == item and cell[4] == "all" \
                        and ctx.truth.get(cell + ("n",)) == n and close(
                            100 * ctx.truth[cell + ("x",)] / n, pct, 1e-8):
                    leaked.add(cell)
    return checked, leaked


def counts_of(cells, targets):
    """The hidden counts of cells a file shows a figure of: each counts as
    recovered (a cell without a known truth by a marker)."""
    out = set()
    for c in cells:
        got = {k for k in targets if k[:-1] == c} if c[0] == "h" else {
            c + (f,) for f in fields_of(c) if c + (f,) in targets}
        out |= got or {c + ("shown",)}
    return out


# ---------------------------------------------------------------- across releases
#
# Differencing across runs (--before ... --after): the same figures
# published before and after the data changed (a respondent or a team
# removed, late returns added) tell, by subtraction, the counts of the
# people who changed: a difference of 1 in n is one person, and the
# difference in positive answers is that person's answer.  A difference
# describing fewer than min-n people (0 < |dn| < min-n, or dn = 0 with the
# positive count or score sum changed) is a recovery, found:
#   direct      the same cell in both runs;
#   complement  the rest of the cell's scope (its whole cell less it);
#   relation    a relation (a-b above) whose parent's difference is known:
#               the difference of its hidden part (children hidden in
#               either run, and the respondents outside every unit unless
#               the attacker sees none), and with one hidden child that
#               child's difference, which also gives its hidden count in
#               one run from the other's shown one (a recovery too).
# A cell with no row has no respondents: its count is known to be 0.

def small_difference(dn, dx, m):
    changed = abs(dn) > 1e-6 or abs(dx) > 1e-6 * max(1.0, abs(dn))
    return changed and abs(dn) < m - 1e-9


def known_values(cells):
    """{key: (n, x)} of the shown cells (x: positive, or a theme's score sum)."""
    out = {}
    for key, (supp, fig) in cells.items():
        if fig is not None:
            out[key] = (fig["n"], fig["x"] if key[0] == "i" else fig["s"])
    return out


def no_remainder_seen(cells, rels):
    known = known_values(cells)
    checked = 0
    for parent, children, remainder, _ in rels:
        if not remainder or parent not in known or any(c not in known for c in children):
            continue
        checked += 1
        if abs(known[parent][0] - sum(known[c][0] for c in children)) > 1e-9:
            return False
    return checked > 0


def hr_sides(run):
    """{("h", period, org, side): (supp, {"n", "x"} or None)} of wres.csv's
    single-period indicator 3 rows from HR counts (side BME or White)."""
    cells = {}
    w = run.t["wres.csv"]
    for r in w.rows:
        if w.get(r, "source") != "hr" or w.get(r, "indicator") != "3" or \
                "+" in w.get(r, "periods_used"):
            continue
        for side, n_col, x_col in (("BME", "bme_n", "bme_events"),
                                   ("White", "white_n", "white_events")):
            n, x = num(w.get(r, n_col)), num(w.get(r, x_col))
            cells[("h", w.get(r, "period"), w.get(r, "org"), side)] = (
                w.get(r, "suppressed"), None if n is None else {"n": n, "x": x})
    return cells


def hr_difference_attack(before, after, label, table):
    """The same attacks on WRES 3 rows: a row, ALL less the row, and ALL =
    the orgs of its period."""
    m = after.min_n
    cb, ca = hr_sides(before), hr_sides(after)
    kb = {k: (f["n"], f["x"]) for k, (s_, f) in cb.items() if f is not None}
    ka = {k: (f["n"], f["x"]) for k, (s_, f) in ca.items() if f is not None}

    def diff(key):
        vb = kb.get(key, None if key in cb else (0.0, 0.0))
        va = ka.get(key, None if key in ca else (0.0, 0.0))
        return None if vb is None or va is None else (vb[0] - va[0], vb[1] - va[1])

    keys = sorted(set(cb) | set(ca))
    att = rec = 0
    for key in keys:
        if diff(key) is not None:
            att += 1
            rec += small_difference(*diff(key), m)
    table.append(("direct: WRES 3 rows from HR counts", att, rec, label))
    att = rec = 0
    for key in keys:
        d, dw = diff(key), diff(key[:2] + ("ALL",) + key[3:])
        if key[2] == "ALL" or d is None or dw is None:
            continue
        att += 1
        rec += small_difference(dw[0] - d[0], dw[1] - d[1], m)
    table.append(("complement: ALL less the WRES 3 row", att, rec, label))
    att = rec = 0
    for key in keys:
        if key[2] != "ALL" or diff(key) is None:
            continue
        orgs = [k for k in keys if k[1] == key[1] and k[3] == key[3] and k[2] != "ALL"]
        unknown = [k for k in orgs if diff(k) is None]
        if not unknown:
            continue
        dn, dx = diff(key)
        for k in orgs:
            if k not in unknown:
                dn, dx = dn - diff(k)[0], dx - diff(k)[1]
        att += 1
        rec += len(unknown) == 1 or small_difference(dn, dx, m)
    table.append(("relation: ALL = the orgs' WRES 3 rows", att, rec, label))


def difference_attack(before_dir, after_dir, table):
    before, after = Run(before_dir), Run(after_dir)
    m = after.min_n
    cb, ca = survey_cells(before), survey_cells(after)
    kb, ka = known_values(cb), known_values(ca)

    def value(known, cells, key):  # (n, x), or None when hidden
        if key in known:
            return known[key]
        return None if key in cells else (0.0, 0.0)

    def diff(key):
        vb, va = value(kb, cb, key), value(ka, ca, key)
        if vb is None or va is None:
            return None
        return (vb[0] - va[0], vb[1] - va[1])

    keys = sorted(set(cb) | set(ca))
    label = "%s -> %s" % (before.name, after.name)
    att = rec = 0
    for key in keys:
        d = diff(key)
        if d is None or (key not in ca and key not in cb):
            continue
        att += 1
        rec += small_difference(d[0], d[1], m)
    table.append(("direct: the same figure in both runs", att, rec, label))
    att = rec = 0
    for key in keys:
        if key[4] == "all":
            continue
        d, dw = diff(key), diff(key[:4] + ("all", "all", ""))
        if d is None or dw is None:
            continue
        att += 1
        rec += small_difference(dw[0] - d[0], dw[1] - d[1], m)
    table.append(("complement: the rest of the figure's scope", att, rec, label))
    rels = relations(keys, unit_dims_of([before, after]), group_members([before, after]))
    no_rem = no_remainder_seen(cb, rels) and no_remainder_seen(ca, rels)
    att = rec = 0
    for parent, children, remainder, _ in rels:
        dp = diff(parent)
        if dp is None:
            continue
        unknown = [c for c in children if diff(c) is None]
        parts = len(unknown) + (1 if remainder and not no_rem else 0)
        if parts == 0:
            continue
        dn, dx = dp
        for c in children:
            if c not in unknown:
                dn, dx = dn - diff(c)[0], dx - diff(c)[1]
        att += 1
        found = small_difference(dn, dx, m)
        if parts == 1 and unknown:  # one hidden child: its difference, and so its count
            c = unknown[0]
            found |= value(kb, cb, c) is not None or value(ka, ca, c) is not None
        rec += found
    table.append(("relation: a relation's hidden part, by difference", att, rec, label))
    hr_difference_attack(before, after, label, table)


def difference_main(args):
    table = []
    for before in args.before:
        difference_attack(before, args.after, table)
    width = max(len(r[0]) for r in table)
    print("%-*s  %8s  %9s" % (width, "attack", "attempts", "recovered"))
    for label, att, rec, note in table:
        print("%-*s  %8d  %9d  %s" % (width, label, att, rec, note))
    print("%-*s  %8d  %9d" % (width, "everything together", sum(r[1] for r in table),
                              sum(r[2] for r in table)))
    return 1 if any(r[2] for r in table) else 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schema", required=True)
    parser.add_argument("--truth", help="a candour-stats --min-n 1 run (with survey runs)")
    parser.add_argument("--export", help="the survey dataset as candour-ingest --export writes it")
    parser.add_argument("--hr-truth", action="append", default=[])
    parser.add_argument("--run", action="append", default=[])
    parser.add_argument("--report", action="append", default=[], help="REPORT_DIR")
    parser.add_argument("--before", action="append", default=[],
                        help="a run before the data changed (differencing across runs)")
    parser.add_argument("--after", help="the run after the change, against every --before")
    args = parser.parse_args(argv)
    if args.after:
        return difference_main(args)
    gc.disable()
    ctx = Context(args)
    runs, survey_runs = ctx.runs, ctx.survey_runs
    first = survey_runs[0] if survey_runs else runs[0]  # the (a)-(c) run
    ledger = Ledger()

    # every fact the attacker can read
    base = {run.path: base_facts(run, ctx.cells[run.path]) for run in runs}
    files = {run.path: FileAttack(ctx, run) for run in runs}
    weighted = {run.path: weighted_attack(run, ctx.cells[run.path]) for run in runs}
    hidden, targets = ctx.targets(runs)
    report_facts, chart_checks = collections.defaultdict(list), collections.Counter()
    rows_read = collections.defaultdict(list)
    direct = collections.defaultdict(set)
    for rdir in args.report:
        if os.path.exists(os.path.join(rdir, "board-report.txt")):
            facts, seen, org, period = board_report_facts(os.path.join(rdir, "board-report.txt"))
            report_facts["board-report.txt"] += facts
            rows_read["board-report.txt"] += seen
            gp = os.path.join(rdir, "gnuplot.txt")
            if os.path.exists(gp):
                blocks, loose = gnuplot_blocks(gp)
                checked, leaked = chart_leaks(ctx, blocks, loose, org, period, hidden)
                chart_checks["charts (gnuplot data blocks)"] += checked
                direct["charts (gnuplot data blocks)"] |= counts_of(leaked, targets)
        if os.path.exists(os.path.join(rdir, "national-summary.txt")):
            facts, seen = national_facts(os.path.join(rdir, "national-summary.txt"))
            report_facts["national-summary.txt"] += facts
            rows_read["national-summary.txt"] += seen

    all_file_facts = collections.defaultdict(list)
    tries = collections.Counter()
    for run in runs:
        for fname, facts in files[run.path].facts.items():
            all_file_facts[fname] += facts
        tries.update(files[run.path].tries)
        for fname, seen in files[run.path].rows.items():
            rows_read[fname] += seen
        facts, n_tries, _ = weighted[run.path]
        all_file_facts["proportions.csv (weighted)"] += facts
        tries["proportions.csv (weighted)"] += n_tries
    all_file_facts.update(report_facts)
    for fname, facts in all_file_facts.items():  # figures a file shows of a hidden cell
        for f in facts:
            if f[6]:
                direct[fname] |= counts_of([c for c in f[5] if c in hidden], targets)
    disjunctions = [d for run in runs for d in files[run.path].disjunctions]
    base_all = [f for run in runs for f in base[run.path]]
    everything = base_all + [f for facts in all_file_facts.values() for f in facts]
    # a positive count of 0 that a shown cell tells (inside a shown cell with
    # none) is attribute disclosure inside a shown cell: counted apart
    zero = told_zero(ctx.cells.values(), ctx.rels, ctx.any_of)
    excused = set()

    def judge(got):
        told = {k for k in got if k[-1] == "x" and ctx.truth.get(k) == 0 and k[:-1] in zero}
        excused.update(told)
        return got - told

    got_all = judge(solve(ctx, ALL_KINDS, everything, targets, disjunctions))
    any_leak = bool(got_all) or any(direct.values())

    # (a)-(c): one run, one kind of relation at a time; (d) every run pooled
    first_hidden, first_targets = ctx.targets([first])
    single = base[first.path]
    for label, kinds in (("(a) groups of one dimension: org = sum of its groups", {"a-dim"}),
                         ("(a) pooled scopes: ALL, GROUP = sum of orgs, ALL = groups", {"a-pool"}),
                         ("(b) unit levels: org = directorates, directorate = teams", {"b"}),
                         ("(c) theme n against item n; any-of item against its parts", {"c"})):
        cons = [c for c in ctx.constraints(set(kinds) | {"a-pool"} if kinds == {"c"} else kinds)
                if c[3] in kinds]
        got = judge(solve(ctx, kinds, single, first_targets)) if any_leak else set()
        ledger.add(label, attempts_of(cons, first_targets, first_hidden), got,
                   "run %s" % first.name)
    got = judge(solve(ctx, ALL_KINDS, base_all, targets)) if any_leak else set()
    ledger.add("(d) %d runs pooled (--min-n %s), (a)+(b)+(c)" % (len(runs), ", ".join(
        sorted({"%g" % r.min_n for r in runs}, key=float))),
        attempts_of(ctx.constraints(ALL_KINDS), targets, hidden) +
        attempts_of(base_all, targets, hidden), got, "")
    # (e): each file with (d)'s knowledge; what it adds, and its own figures
    base_got = got
    names = ["disparities.csv", "hotspots.csv", "trends.csv", "benchmarks.csv", "wres.csv",
             "spc.csv", "inputs.csv", "proportions.csv (weighted)", "board-report.txt",
             "national-summary.txt", "charts (gnuplot data blocks)"]
    for fname in names:
        facts = all_file_facts.get(fname, [])
        # every row (or report figure) about a hidden cell, read for what it
        # shows or implies, every inversion tried and every chart number checked
        n = sum(1 for cells in rows_read[fname] if any(c in hidden for c in cells)) + \
            tries[fname] + chart_checks[fname]
        got = set(direct[fname])
        if any_leak and facts:
            dis = disjunctions if fname == "wres.csv" else ()
            got |= judge(solve(ctx, ALL_KINDS, base_all + facts, targets, dis)) - base_got
        note = {"inputs.csv": "provenance only: no figure of any cell",
                "proportions.csv (weighted)": "NSS weights found for %d of %d org-periods" % (
                    sum(w[2] for w in weighted.values()), sum(w[1] for w in weighted.values()))
                }.get(fname, "")
        ledger.add("(e) " + fname, n, got, note)
    ledger.add("everything together", sum(a for a, _, _ in ledger.rows.values()),
               got_all | set().union(*direct.values()) if direct else got_all,
               "%d hidden counts, %d cells, %d runs, %d reports" % (
                   len(targets), len(hidden), len(runs), len(args.report)))

    print(ctx.truth_note)
    ledger.print()
    print("attribute disclosure inside a shown cell (a shown cell with no positive answers tells "
          "that the hidden ones inside it have none; not counted): %d counts" % len(excused))
    calib = collections.Counter()
    for fa in files.values():
        calib.update(fa.calibration)
    print("calibration (inversions tried on shown rows give back their counts): " + ", ".join(
        "%s %d/%d" % (what, calib[(what, True)], calib[(what, True)] + calib[(what, False)])
        for what in sorted({w for w, _ in calib})))
    leaks = sorted(got_all | set().union(*direct.values()) if direct else got_all)
    for key in leaks[:30]:
        print("  recovered:", key, "=", ctx.truth.get(key, "(shown)"))
    failed = sorted(what for what, ok in calib if not ok)
    if failed:
        print("disclosure_attack.py: the attack itself is broken: an inversion did not give back "
              "the counts of a shown row (%s)" % ", ".join(failed))
        return 2
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
