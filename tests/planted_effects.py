"""End-to-end check: candour-stats finds the planted effects of the sample data
and flags no more elsewhere than its false discovery rate allows.

Usage: planted_effects.py RESULTS_DIR [--rolling ROLLING_DIR] [--table]

RESULTS_DIR holds the outputs of one default run of candour-stats on the
shipped sample (schemas/nss.schema on both nss-*.csv.gz, and
schemas/wres-hr.schema on wres-hr.csv).  ROLLING_DIR, if given, holds a run with
--wres-rolling on the HR dataset (the two-year WRES 3 windows).  --table prints
a markdown table of every planted effect and the false-flag counts.
Exit status 0 when every check holds, 1 otherwise.  Standard library only.

The truth is sample-data/README.md: section 7 (the three planted effects and
their knock-on consequences, which are not separate effects) and section 9
(what the reference methods find in this one sample, whose seeds were fixed a
priori: some planted cells miss significance and some null cells are chance
positives).  Requirements follow what the README says this sample shows:

  1a  WRES 3, Z3C: the relative likelihood interval lies above 1 in every year
      (wres.csv), in both two-year windows (ROLLING_DIR) and pooled 2022-2024
      (computed here from wres.csv's counts with the Katz interval, since
      candour has no three-year window).  README: "interval above 1 in all 6
      windows".
  1b  Z3C discrim_staff, BME vs White: a BH discovery (q < 0.05) with BME
      worse in every year (disparities.csv).  README: "BH discovery in all 3
      years".  A year whose row candour hides by disclosure control
      (suppressed = primary/secondary) cannot be tested; it is reported, and
      tolerated only while at least two of the three years are shown and all
      shown years are flagged (never weaker than "most years").
  2   Z2B Surgery: all 12 directorate x speaking-up item x year rows of
      hotspots.csv flagged (README: "all 12 directorate cells", a hard check).
      The Surgery teams are reported, not required (README: only 13 of 60
      team cells are found by the reference method).
  3   Z1A: trends.csv has consecutive years only and unadjusted p-values.  As
      the README's "found" means "significant after BH in the year-on-year
      family", the whole-org rows of every trust and item are adjusted
      together here (one family).  The 12 yearly steps the README lists as
      found must be BH discoveries with the planted sign; the 4 it lists as
      not found are reported only.

False flags.  Every BH family (candour adjusts per org x period in
disparities.csv and hotspots.csv; trends are adjusted here) is classed
  null      every test in it is null by construction;
  non-null  it holds planted cells, or knock-on cells that the README explains
            (Z2B units against a rest that contains Surgery; Z3C units on
            discrim_staff, by their share of BME staff; pooled scopes that
            contain Z3C on discrim_staff BME vs White), or it is a pooled
            scope of several orgs (ALL, GROUP:), where groups differ slightly
            by composition (README section 7: orgs differ in offsets and in
            ethnic, gender and occupational mix).
A false flag is a discovery in a null cell, or in a planted or knock-on cell
with the wrong sign.  Knock-on flags with the explained sign are counted apart.
The bounds (each test fails only when its count exceeds the bound):
  * null families: when every hypothesis of a family is null, BH at level q
    rejects anything with probability at most q (FDR = P(V >= 1) then), under
    independence or positive dependence.  Families of different orgs or years
    share no respondents, so the number of null families with any flag is at
    most Binomial(F0, q); bound B = its 99th percentile.  A null family that
    rejects anything rejects few hypotheses (1.1 on average for 300
    independent tests at q = 0.05, by simulation; a team and its directorate
    may go together), so the false flags of all null families together are
    allowed up to 2 B.
  * non-null families: BH rejects the p-values <= q R / m.  Given R, each of
    the m0 null p-values falls there with probability q R / m, so the false
    discoveries are about Binomial(m0, q R / m), whose mean q R m0 / m <= q R:
    bound = the 99th percentile of Poisson(q R) (R = all discoveries of those
    families, either sign).  This is the FDR guarantee (V <= q R on average)
    with room for chance.
  * WRES 3 null trust-years (no multiplicity control, one 95% interval each):
    bound = the 99th percentile of Binomial(number of null trust-years, 0.05).
GROUP: scopes with a single member org repeat that org's tests exactly and
are left out, so they are not counted twice.
"""
import csv
import math
import os
import sys
from statistics import NormalDist

FDR = 0.05                      # candour's default --fdr; disparities: q < 0.05
YEARS = ("2022", "2023", "2024")
TRUSTS = ("Z1A", "Z2B", "Z3C", "Z4D", "Z5E", "Z6F", "Z7G", "Z8H")
WRES_ORG = "Z3C"                # 1a
DISCRIM_ORG, DISCRIM_ITEM = "Z3C", "discrim_staff"   # 1b
HOT_ORG, HOT_UNIT = "Z2B", "Surgery"                  # 2
SU_ITEMS = ("unsafe_secure", "unsafe_confident", "speakup_safe", "speakup_confident")
TREND_ORG = "Z1A"               # 3
JC_ITEMS = ("incident_fair", "incident_report_encouraged", "incident_action", "incident_feedback")
TREND_ITEMS = JC_ITEMS + SU_ITEMS
# README section 7: yearly steps not found in this sample (item, current period)
TREND_NOT_FOUND = {("incident_fair", "2023"), ("incident_feedback", "2023"),
                   ("speakup_safe", "2023"), ("speakup_confident", "2024")}


# ---------------------------------------------------------------- utilities
def read(path, required=True):
    if not os.path.exists(path):
        if required:
            sys.exit("planted_effects.py: missing %s" % path)
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def num(s):
    return None if s in ("", None) else float(s)


def binom_q99(n, p):
    """Smallest k with P(Binomial(n, p) <= k) >= 0.99."""
    cdf = 0.0
    for k in range(n + 1):
        cdf += math.comb(n, k) * p ** k * (1 - p) ** (n - k)
        if cdf >= 0.99:
            return k
    return n


def poisson_q99(mu):
    """Smallest k with P(Poisson(mu) <= k) >= 0.99."""
    k, term = 0, math.exp(-mu)
    cdf = term
    while cdf < 0.99:
        k += 1
        term *= mu / k
        cdf += term
    return k


def bh(pvalues):
    """Benjamini-Hochberg adjusted p-values (as R's p.adjust)."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i], reverse=True)
    q = [0.0] * m
    running = 1.0
    for rank, i in zip(range(m, 0, -1), order):
        running = min(running, pvalues[i] * m / rank)
        q[i] = running
    return q


def z_of(conf):
    return NormalDist().inv_cdf(0.5 + conf / 2)


def katz(a, n1, b, n2, conf):
    """Relative likelihood (a/n1)/(b/n2) and its Katz log interval."""
    if 0 in (a, b, n1 - a, n2 - b):
        a, b, n1, n2 = a + 0.5, b + 0.5, n1 + 1, n2 + 1
    rl = (a / n1) / (b / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / b - 1 / n2)
    z = z_of(conf)
    return rl, rl * math.exp(-z * se), rl * math.exp(z * se)


def pct(x):
    return "%.1f%%" % (100 * x)


def pts(x):
    return "%+.1f" % (100 * x)


def fmt_q(q):
    return "%.2g" % q


def worse(diff, polarity):
    """Is a positive-minus-reference gap `diff` adverse for the group?"""
    return diff > 0 if polarity == "lower" else diff < 0


class Result:
    def __init__(self):
        self.failures = []
        self.lines = []
        self.effects = []      # (effect, expected, found, estimate)
        self.families = []     # (family, tests, discoveries, planted, knock-on, false, bound, verdict)

    def check(self, ok, what):
        self.lines.append(("ok   " if ok else "FAIL ") + what)
        if not ok:
            self.failures.append(what)

    def note(self, what):
        self.lines.append("note " + what)


def bound_verdict(res, family, false, bound, what):
    ok = false <= bound
    res.check(ok, "%s: %d false flag(s), allowed %d (%s)" % (family, false, bound, what))
    return "ok" if ok else "FAIL"


# ---------------------------------------------------------------- group membership
def group_members(results):
    """GROUP:<name> -> set of member orgs, from the benchmark rows."""
    members = {}
    path = os.path.join(results, "benchmarks.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rd = csv.reader(f)
        head = next(rd)
        ib, io = head.index("benchmark"), head.index("org")
        for row in rd:
            if row[ib].startswith("GROUP:"):
                members.setdefault(row[ib], set()).add(row[io])
    return members


def scope_orgs(scope, members):
    if scope == "ALL":
        return set(TRUSTS)
    if scope.startswith("GROUP:"):
        return members.get(scope, set())
    return {scope}


# ---------------------------------------------------------------- 1a WRES 3
def check_wres(res, results, rolling):
    rows = [r for r in read(os.path.join(results, "wres.csv")) if r["indicator"] == "3"]
    by = {(r["period"], r["org"]): r for r in rows}
    conf = 0.95
    sums = [0, 0, 0, 0]
    ok_years = 0
    for y in YEARS:
        r = by.get((y, WRES_ORG))
        if r is None or r["suppressed"] != "no" or num(r["rl_lower"]) is None:
            res.check(False, "1a WRES 3 %s %s: no figures in wres.csv" % (WRES_ORG, y))
            res.effects.append(("1a WRES 3 %s %s" % (WRES_ORG, y), "interval above 1", "no", "not shown"))
            continue
        conf = float(r["conf_level"])
        rl, lo, hi = num(r["relative_likelihood"]), num(r["rl_lower"]), num(r["rl_upper"])
        found = lo > 1
        ok_years += found
        res.check(found, "1a WRES 3 %s %s: RL %.2f (%.2f-%.2f) above 1" % (WRES_ORG, y, rl, lo, hi))
        res.effects.append(("1a WRES 3 %s %s" % (WRES_ORG, y), "interval above 1", "yes" if found else "no",
                            "RL %.2f (%.2f-%.2f); BME %s/%s vs White %s/%s" % (
                                rl, lo, hi, r["bme_events"], r["bme_n"], r["white_events"], r["white_n"])))
        for i, c in enumerate(("bme_events", "bme_n", "white_events", "white_n")):
            sums[i] += int(num(r[c]))
    if ok_years == len(YEARS):
        rl, lo, hi = katz(sums[0], sums[1], sums[2], sums[3], conf)
        found = lo > 1
        res.check(found, "1a WRES 3 %s pooled %s-%s: RL %.2f (%.2f-%.2f) above 1" % (
            WRES_ORG, YEARS[0], YEARS[-1], rl, lo, hi))
        res.effects.append(("1a WRES 3 %s pooled %s-%s (Katz, computed here from wres.csv counts)" % (
            WRES_ORG, YEARS[0], YEARS[-1]), "interval above 1", "yes" if found else "no",
            "RL %.2f (%.2f-%.2f); BME %d/%d vs White %d/%d" % (rl, lo, hi, *sums)))

    # null trust-years
    null = [r for r in rows if r["org"] in TRUSTS and r["org"] != WRES_ORG]
    shown = [r for r in null if r["suppressed"] == "no" and num(r["rl_lower"]) is not None]
    false = [r for r in shown if num(r["rl_lower"]) > 1 or num(r["rl_upper"]) < 1]
    bound = binom_q99(len(shown), 1 - conf)
    detail = ", ".join("%s %s RL %.2f (%.2f-%.2f)" % (r["org"], r["period"], num(r["relative_likelihood"]),
                                                     num(r["rl_lower"]), num(r["rl_upper"])) for r in false)
    v = bound_verdict(res, "WRES 3 null trust-years", len(false), bound,
                      "99th percentile of Binomial(%d, %.2f)" % (len(shown), 1 - conf))
    res.families.append(("WRES 3, null trust-years (per-interval %d%%, no multiplicity control)" % round(100 * conf),
                         len(shown), len(false), "-", "-", "%d%s" % (len(false), " (%s)" % detail if detail else ""),
                         bound, v))
    pooled_flag = [r for r in rows if r["org"] == "ALL" and r["suppressed"] == "no"
                   and num(r["rl_lower"]) is not None and (num(r["rl_lower"]) > 1 or num(r["rl_upper"]) < 1)]
    if pooled_flag:
        res.note("WRES 3 ALL (contains %s, planted): interval excludes 1 in %s (not counted as false)" % (
            WRES_ORG, ", ".join(r["period"] for r in pooled_flag)))

    if rolling is None:
        return
    rrows = [r for r in read(os.path.join(rolling, "wres.csv")) if r["indicator"] == "3"
             and r["periods_used"].count("+") == 1]
    for r in rrows:
        if r["org"] != WRES_ORG:
            continue
        lo = num(r["rl_lower"])
        found = lo is not None and r["suppressed"] == "no" and lo > 1
        est = "not shown" if lo is None else "RL %.2f (%.2f-%.2f)" % (
            num(r["relative_likelihood"]), lo, num(r["rl_upper"]))
        res.check(found, "1a WRES 3 %s window %s: %s above 1" % (WRES_ORG, r["periods_used"], est))
        res.effects.append(("1a WRES 3 %s %s (--wres-rolling)" % (WRES_ORG, r["periods_used"]),
                            "interval above 1", "yes" if found else "no", est))
    windows = [r for r in rrows if r["org"] in TRUSTS and r["org"] != WRES_ORG and r["suppressed"] == "no"
               and num(r["rl_lower"]) is not None]
    wfalse = [r for r in windows if num(r["rl_lower"]) > 1 or num(r["rl_upper"]) < 1]
    wdetail = ", ".join("%s %s RL %.2f (%.2f-%.2f)" % (r["org"], r["periods_used"], num(r["relative_likelihood"]),
                                                      num(r["rl_lower"]), num(r["rl_upper"])) for r in wfalse)
    wbound = binom_q99(len(windows), 1 - conf)
    v = bound_verdict(res, "WRES 3 null two-year windows", len(wfalse), wbound,
                      "99th percentile of Binomial(%d, %.2f); windows overlap the single years" % (
                          len(windows), 1 - conf))
    res.families.append(("WRES 3, null two-year windows (overlap the years)", len(windows), len(wfalse), "-", "-",
                         "%d%s" % (len(wfalse), " (%s)" % wdetail if wdetail else ""), wbound, v))


# ---------------------------------------------------------------- families
def family_bounds(res, name, fams, alpha):
    """fams: key -> dict(kind, tests, disc, planted, knock, false, false_rows).  Adds two table rows."""
    null = [f for f in fams.values() if f["kind"] == "null"]
    nonnull = [f for f in fams.values() if f["kind"] == "nonnull"]
    # null families
    flagged_fams = sum(1 for f in null if f["false"] > 0)
    bound = binom_q99(len(null), alpha)
    rows = [r for f in null for r in f["false_rows"]]
    ok = flagged_fams <= bound and len(rows) <= 2 * bound
    res.check(ok, "%s null families: %d false flag(s) in %d famil%s, allowed %d families (99th percentile "
              "of Binomial(%d, %.2f)) and %d flags" % (name, len(rows), flagged_fams,
                                                        "y" if flagged_fams == 1 else "ies", bound, len(null),
                                                        alpha, 2 * bound))
    res.families.append(("%s, null families (%d)" % (name, len(null)), sum(f["tests"] for f in null),
                         sum(f["disc"] for f in null), "-", "-",
                         "%d in %d famil%s%s" % (len(rows), flagged_fams, "y" if flagged_fams == 1 else "ies",
                                                 " (%s)" % "; ".join(rows) if rows else ""),
                         "%d families, %d flags" % (bound, 2 * bound), "ok" if ok else "FAIL"))
    # non-null families
    R = sum(f["disc"] for f in nonnull)
    V = sum(f["false"] for f in nonnull)
    bound = poisson_q99(alpha * R)
    v = bound_verdict(res, "%s non-null families" % name, V, bound,
                      "99th percentile of Poisson(%.2f x %d discoveries)" % (alpha, R))
    rows = [r for f in nonnull for r in f["false_rows"]]
    res.families.append(("%s, non-null families: planted, knock-on or pooled (%d)" % (name, len(nonnull)),
                         sum(f["tests"] for f in nonnull), R, sum(f["planted"] for f in nonnull),
                         sum(f["knock"] for f in nonnull),
                         "%d%s" % (V, " (%s)" % "; ".join(rows) if rows else ""), bound, v))


def new_family(kind):
    return {"kind": kind, "tests": 0, "disc": 0, "planted": 0, "knock": 0, "false": 0, "false_rows": []}


# ---------------------------------------------------------------- 1b disparities
def check_disparities(res, results, members):
    rows = read(os.path.join(results, "disparities.csv"))
    fams = {}
    planted = {}
    knock_rows = []
    for r in rows:
        scope = r["org"]
        orgs = scope_orgs(scope, members)
        is_org = scope in TRUSTS
        is_planted = (scope == DISCRIM_ORG and r["item"] == DISCRIM_ITEM and r["group_dim"] == "ethnicity"
                      and r["group"] == "BME" and r["reference"] == "White")
        if is_planted:
            planted[r["period"]] = r
        if scope.startswith("GROUP:") and len(orgs) == 1:
            continue                                  # repeats its single org's tests
        if r["suppressed"] != "no" or num(r["q_value"]) is None:
            continue
        is_knock = (not is_org and DISCRIM_ORG in orgs and r["item"] == DISCRIM_ITEM
                    and r["group_dim"] == "ethnicity" and r["group"] == "BME")
        kind = "null" if is_org and scope != DISCRIM_ORG else "nonnull"
        f = fams.setdefault((r["period"], scope), new_family(kind))
        f["tests"] += 1
        if num(r["q_value"]) >= FDR:
            continue
        f["disc"] += 1
        bad = worse(num(r["diff"]), r["polarity"])
        label = "%s %s %s %s %s vs %s %s pts q=%s" % (r["period"], scope, r["item"], r["group"], r["group_dim"],
                                                     r["reference"], pts(num(r["diff"])), fmt_q(num(r["q_value"])))
        if (is_planted or is_knock) and bad:
            f["planted" if is_planted else "knock"] += 1
            if is_knock:
                knock_rows.append(label)
        else:
            f["false"] += 1
            f["false_rows"].append(label)

    found_years, hidden_years = 0, []
    for y in YEARS:
        r = planted.get(y)
        name = "1b %s %s BME vs White %s" % (DISCRIM_ORG, DISCRIM_ITEM, y)
        if r is None:
            res.check(False, name + ": no row in disparities.csv")
            res.effects.append((name, "q < 0.05, BME worse", "no", "no row"))
            continue
        if r["suppressed"] != "no":
            hidden_years.append(y)
            res.note("%s: hidden by disclosure control (suppressed = %s: %s); not testable" % (
                name, r["suppressed"], r["note"]))
            res.effects.append((name, "q < 0.05, BME worse", "hidden",
                                "suppressed = %s (%s)" % (r["suppressed"], r["note"])))
            continue
        q, diff = num(r["q_value"]), num(r["diff"])
        found = q < FDR and worse(diff, r["polarity"])
        found_years += found
        est = "%s (%s/%s) vs %s (%s/%s), diff %s pts (%s to %s), q=%s" % (
            pct(int(r["positive"]) / int(r["n"])), r["positive"], r["n"],
            pct(int(r["ref_positive"]) / int(r["ref_n"])), r["ref_positive"], r["ref_n"],
            pts(diff), pts(num(r["diff_lower"])), pts(num(r["diff_upper"])), fmt_q(q))
        res.check(found, "%s: %s" % (name, est))
        res.effects.append((name, "q < 0.05, BME worse", "yes" if found else "no", est))
    # every year shown and flagged: disclosure control protects small cells by
    # hiding pooled figures, not this trust's BME cells of 500+ respondents
    res.check(found_years == len(YEARS), "1b %s %s: flagged in %d of %d years (%d hidden by disclosure "
              "control; all required)" % (DISCRIM_ORG, DISCRIM_ITEM, found_years, len(YEARS),
                                          len(hidden_years)))
    if knock_rows:
        res.note("disparities knock-on (pooled scopes containing %s, README section 7): %s" % (
            DISCRIM_ORG, "; ".join(knock_rows)))
    family_bounds(res, "disparities (BH per period x scope, q < %.2f)" % FDR, fams, FDR)


# ---------------------------------------------------------------- 2 hotspots
def check_hotspots(res, results):
    rows = read(os.path.join(results, "hotspots.csv"))
    fams = {}
    direct = {}
    team_shown = team_flagged = 0
    knock_rows = []
    for r in rows:
        surgery = r["org"] == HOT_ORG and ((r["unit_level"] == "directorate" and r["unit"] == HOT_UNIT)
                                          or r["parent_unit"] == HOT_UNIT)
        is_planted = surgery and r["item"] in SU_ITEMS
        if is_planted and r["unit_level"] == "directorate":
            direct[(r["period"], r["item"])] = r
        if r["suppressed"] != "no" or num(r["q_value"]) is None:
            continue
        if is_planted and r["unit_level"] != "directorate":
            team_shown += 1
            team_flagged += r["flagged"] == "yes"
        # knock-on: Z2B units against a rest that contains Surgery look better
        # on the SU items (so a flag there, which means worse, is false); Z3C
        # units differ on discrim_staff by their share of BME staff
        knock_worse = r["org"] == DISCRIM_ORG and r["item"] == DISCRIM_ITEM
        kind = "nonnull" if r["org"] in (HOT_ORG, DISCRIM_ORG) else "null"
        f = fams.setdefault((r["period"], r["org"]), new_family(kind))
        f["tests"] += 1
        if num(r["q_value"]) < FDR:
            f["disc"] += 1                            # either direction: BH's R
        if r["flagged"] != "yes":
            continue
        label = "%s %s %s %s %s pts q=%s" % (r["period"], r["org"], r["unit"], r["item"],
                                             pts(num(r["diff"])), fmt_q(num(r["q_value"])))
        if is_planted:
            f["planted"] += 1
        elif knock_worse:
            f["knock"] += 1
            knock_rows.append(label)
        else:                                         # null, or a Z2B unit flagged on SU items
            f["false"] += 1
            f["false_rows"].append(label)

    for y in YEARS:
        for item in SU_ITEMS:
            r = direct.get((y, item))
            name = "2 %s %s directorate %s %s" % (HOT_ORG, HOT_UNIT, item, y)
            if r is None or r["suppressed"] != "no":
                res.check(False, name + ": not shown in hotspots.csv")
                res.effects.append((name, "flagged", "no", "not shown"))
                continue
            found = r["flagged"] == "yes" and r["direction"] == "worse"
            est = "%s vs rest %s, diff %s pts (%s to %s), q=%s" % (
                pct(num(r["estimate"])), pct(num(r["rest_estimate"])), pts(num(r["diff"])),
                pts(num(r["diff_lower"])), pts(num(r["diff_upper"])), fmt_q(num(r["q_value"])))
            res.check(found, "%s: %s" % (name, est))
            res.effects.append((name, "flagged", "yes" if found else "no", est))
    res.note("2 %s %s teams x SU items: %d of %d shown team cells flagged (reported only)" % (
        HOT_ORG, HOT_UNIT, team_flagged, team_shown))
    res.effects.append(("2 %s %s teams x SU items x years" % (HOT_ORG, HOT_UNIT),
                        "reported only (README: 13 of 60 by the reference method)",
                        "%d of %d" % (team_flagged, team_shown), "shown team cells flagged"))
    if knock_rows:
        res.note("hotspots knock-on (%s units on %s, composition by BME share, README section 7): %s" % (
            DISCRIM_ORG, DISCRIM_ITEM, "; ".join(knock_rows)))
    family_bounds(res, "hotspots (BH per org x period, flagged)", fams, FDR)
    return knock_rows


# ---------------------------------------------------------------- 3 trends
def check_trends(res, results):
    rows = [r for r in read(os.path.join(results, "trends.csv"))
            if r["org"] in TRUSTS and r["group_dim"] == "all" and r["suppressed"] == "no"
            and num(r["p_value"]) is not None]
    qs = bh([num(r["p_value"]) for r in rows])
    fam = new_family("nonnull")
    null_tests = null_p05 = 0
    for r, q in zip(rows, qs):
        r["q"] = q
        is_planted = r["org"] == TREND_ORG and r["item"] in TREND_ITEMS
        fam["tests"] += 1
        if not is_planted:
            null_tests += 1
            null_p05 += num(r["p_value"]) < 0.05
        if q >= FDR:
            continue
        fam["disc"] += 1
        change = num(r["change"])                     # now minus before
        if is_planted and change != 0 and not worse(change, r["polarity"]):
            fam["planted"] += 1
        else:
            fam["false"] += 1
            fam["false_rows"].append("%s %s %s->%s %s pts q=%s" % (
                r["org"], r["item"], r["previous_period"], r["period"], pts(num(r["change"])), fmt_q(q)))
    by = {(r["org"], r["item"], r["period"]): r for r in rows}
    for item in TREND_ITEMS:
        for prev, cur in zip(YEARS, YEARS[1:]):
            required = (item, cur) not in TREND_NOT_FOUND
            name = "3 %s %s %s->%s" % (TREND_ORG, item, prev, cur)
            expected = "BH q < 0.05, up" if required else "reported only (README: not found)"
            r = by.get((TREND_ORG, item, cur))
            if r is None:
                res.check(not required, name + ": no row in trends.csv")
                res.effects.append((name, expected, "no", "not shown"))
                continue
            change = num(r["change"])
            found = r["q"] < FDR and change > 0
            est = "%s -> %s, %s pts (%s to %s), p=%s, q=%s" % (
                pct(num(r["previous_estimate"])), pct(num(r["estimate"])), pts(change),
                pts(num(r["change_lower"])), pts(num(r["change_upper"])), fmt_q(num(r["p_value"])),
                fmt_q(r["q"]))
            if required:
                res.check(found, "%s: %s" % (name, est))
            else:
                res.note("%s (README: not found): %s, %s" % (name, est, "found" if found else "not found"))
            res.effects.append((name, expected, "yes" if found else "no", est))
    res.note("trends: null whole-org changes with unadjusted p < 0.05: %d of %d (expected %.1f)" % (
        null_p05, null_tests, 0.05 * null_tests))
    R, V = fam["disc"], fam["false"]
    bound = poisson_q99(FDR * R)
    v = bound_verdict(res, "trends year-on-year", V, bound,
                      "99th percentile of Poisson(%.2f x %d discoveries)" % (FDR, R))
    res.families.append(("trends, whole org year on year (one BH family, adjusted here)", fam["tests"], R,
                         fam["planted"], 0,
                         "%d%s" % (V, " (%s)" % "; ".join(fam["false_rows"]) if fam["false_rows"] else ""),
                         bound, v))


# ---------------------------------------------------------------- main
def main(argv):
    args = list(argv[1:])
    table = "--table" in args
    args = [a for a in args if a != "--table"]
    rolling = None
    if "--rolling" in args:
        i = args.index("--rolling")
        if i + 1 >= len(args):
            sys.exit("planted_effects.py: --rolling needs a directory")
        rolling = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1 or args[0].startswith("-"):
        sys.exit("usage: planted_effects.py RESULTS_DIR [--rolling ROLLING_DIR] [--table]")
    results = args[0]
    res = Result()
    members = group_members(results)
    check_wres(res, results, rolling)
    check_disparities(res, results, members)
    check_hotspots(res, results)
    check_trends(res, results)

    if table:
        print("| effect | expected | found | estimate (95% interval) |")
        print("|---|---|---|---|")
        for e in res.effects:
            print("| %s |" % " | ".join(e))
        print()
        print("| family | tests | discoveries (either sign) | planted found | knock-on (explained) | false flags | allowed | result |")
        print("|---|---|---|---|---|---|---|---|")
        for f in res.families:
            print("| %s |" % " | ".join(str(x) for x in f))
    else:
        for line in res.lines:
            print(line)
    if res.failures:
        print("planted_effects.py: %d check(s) failed" % len(res.failures), file=sys.stderr)
        for f in res.failures:
            print("  " + f, file=sys.stderr)
        return 1
    if not table:
        print("planted_effects.py: all %d checks passed" % sum(1 for x in res.lines if x.startswith("ok")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
