#!/usr/bin/env python3
"""Independent check of candour's sample data (standard library only).

Usage: python3 sample-data/check.py [DIR]      (DIR defaults to this directory)

Reads the files with the csv module only (it does not import generate.py), checks
their layout and internal consistency, recomputes counts.csv and the org-results
bases from the respondent rows, and runs simple reference statistics:

  WRES 3      Katz 95% interval of the BME/White relative likelihood, per trust and
              year, per two-year rolling window and pooled over 2022-2024 (0.5 added
              to every cell if any is 0)
  gaps        two-proportion z tests, Benjamini-Hochberg FDR 5% within each family:
              BME vs White, directorate vs rest of trust, team vs rest of trust,
              year on year, disability, gender, age band and occupation vs the rest
  SPC         XmR chart rules on the monthly disciplinary series

Exit status 1 only if a HARD check fails.  Hard checks are the ones that must hold
whatever the random draw:

  * layout, encoding and header oddities of every file, respondent ids, labels,
    total size under 2 MB;
  * consistency between files (counts.csv and the org-results bases recomputed from
    the respondent rows; wres-hr-ons.csv and hr-monthly.csv summed to wres-hr.csv);
  * planted effects that hold by design with overwhelming probability.  Each
    threshold leaves a margin of at least about 4 standard errors under the model
    of README.md (failure probability of all of them together well under 1 in 1,000):
      - Z2B Surgery vs the rest of Z2B, 4 SU items x 3 years (~500 vs ~1,700
        respondents, true gap 20 points, SE ~2.5): every cell at least 8 points
        lower in raw %, and every cell a BH discovery in the directorate family
        (z ~ 8 against a BH cut-off of z ~ 3.6);
      - Z3C WRES 3 pooled over 2022-2024 (~190 BME and ~220 White cases, true RR
        2.0): Katz 95% interval above 1 (log RR 0.69, SE ~0.10);
      - Z3C discrim_staff: BME above White in raw % every year (true 18% vs 7%,
        SE of the gap ~1.8 points), and by at least 5 points pooled over the years;
      - Z3C monthly disciplinary counts (rates doubled from 2023-07): the mean of
        2023-07..2024-12 at least 1.25 x the mean of 2022-01..2023-06 in the All
        series, and higher after than before in the White and BME series;
      - Z1A: all eight JC and SU items higher in 2024 than in 2022 in raw % (true
        rise 8 or 12 points, SE ~1.4).

Everything else is statistics on a random sample and is REPORTED, not judged:
false discoveries in the null comparisons, planted cells that are not significant
(yearly 4-6 point steps at Z1A, single Z3C WRES years, Z2B Surgery teams), WRES 3
flags for null trusts and XmR signals in null series, each with the rate expected
by chance.  The seeds of generate.py are fixed a priori (1), not chosen so that
these come out clean; see README.md, "Seeds".
"""

import csv
import gzip
import io
import math
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
YEARS = [2022, 2023, 2024]

# stable id -> (2022 column, 2023+ column, kind)
ITEMS = [
    ("incident_fair", "q18a", "q19a", "agree9"),
    ("incident_report_encouraged", "q18b", "q19b", "agree9"),
    ("incident_action", "q18c", "q19c", "agree9"),
    ("incident_feedback", "q18d", "q19d", "agree9"),
    ("unsafe_secure", "q19a", "q20a", "agree"),
    ("unsafe_confident", "q19b", "q20b", "agree"),
    ("speakup_safe", "q23e", "q25e", "agree"),
    ("speakup_confident", "q23f", "q25f", "agree"),
    ("hba_public", "q14a", "q14a", "freq"),
    ("hba_manager", "q14b", "q14b", "freq"),
    ("hba_colleague", "q14c", "q14c", "freq"),
    ("equal_opportunities", "q15", "q15", "yndk"),
    ("discrim_public", "q16a", "q16a", "yn"),
    ("discrim_staff", "q16b", "q16b", "yn"),
]
JC_ITEMS = [i[0] for i in ITEMS[:4]]
SU_ITEMS = [i[0] for i in ITEMS[4:8]]
LABELS = {
    "agree9": {"strongly disagree": "1", "disagree": "2", "neither agree nor disagree": "3",
               "agree": "4", "strongly agree": "5", "don't know": "9"},
    "freq": {"never": "1", "1-2": "2", "3-5": "3", "6-10": "4", "more than 10": "5"},
    "yndk": {"yes": "1", "no": "2", "don't know": "9"},
}
LABELS["agree"] = LABELS["agree9"]
LABELS["yn"] = LABELS["yndk"]
HEAD_2022 = ("year,trust_code,trust_name,bench_group,respondent_id,directorate,team,q18a,q18b,"
             "q18c,q18d,q19a,q19b,q23e,q23f,q14a,q14b,q14c,q15,q16a,q16b,q27,gender,"
             "disability,occupation,age_band,comments")
HEAD_2023 = ("year,trust_code,trust_name,bench_group,respondent_id,directorate,team,q19a,q19b,"
             "q19c,q19d,q20a,q20b,q25e,q25f,q14a,q14b,q14c,q15,q16a,q16b,q28,gender,"
             "disability,occupation,age_band,comments")

PLANTED = dict(improving="Z1A", hotspot=("Z2B", "Surgery"), wres="Z3C")
SHIFT_FROM = "2023-07"          # Z3C monthly level shift (all groups x 2)

# hard-check thresholds (see the module docstring for their margins)
HOTSPOT_MIN_GAP = 8.0           # points, Z2B Surgery below the rest of Z2B
Q16B_MIN_POOLED_GAP = 5.0       # points, Z3C BME above White, 2022-2024 pooled
SHIFT_MIN_RATIO = 1.25          # Z3C All series, mean after / mean before

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def hard(ok, msg):
    """A hard check: printed as 'ok' or recorded as a failure."""
    if ok:
        print("  ok   " + msg)
    else:
        fail(msg)


# ------------------------------------------------------------------ statistics


def norm_sf(z):
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def ztest(x1, n1, x2, n2):
    """Two-sided p of the pooled two-proportion z test; (diff, z, p)."""
    if n1 == 0 or n2 == 0:
        return 0.0, 0.0, 1.0
    p1, p2 = x1 / n1, x2 / n2
    pp = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2))
    if se == 0:
        return p1 - p2, 0.0, 1.0
    z = (p1 - p2) / se
    return p1 - p2, z, 2 * norm_sf(abs(z))


def bh(pvals, q=0.05):
    """Indices rejected by Benjamini-Hochberg at FDR q."""
    m = len(pvals)
    order = sorted(range(m), key=lambda i: pvals[i])
    k = 0
    for rank, i in enumerate(order, 1):
        if pvals[i] <= q * rank / m:
            k = rank
    return set(order[:k])


def katz(a, n1, c, n0):
    """RR of a/n1 over c/n0 with the Katz log interval (0.5 zero-cell rule)."""
    if min(a, c) == 0:
        a, c, n1, n0 = a + 0.5, c + 0.5, n1 + 1, n0 + 1
    rr = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    return rr, rr * math.exp(-1.96 * se), rr * math.exp(1.96 * se)


def xmr_signals(xs):
    n = len(xs)
    mean = sum(xs) / n
    mr = sum(abs(xs[i] - xs[i - 1]) for i in range(1, n)) / (n - 1)
    ucl, lcl = mean + 2.66 * mr, mean - 2.66 * mr
    sigma = mr / 1.128
    sig = []
    for i, x in enumerate(xs):
        if x > ucl or x < lcl:
            sig.append("point %d beyond limits" % (i + 1))
    side = [1 if x > mean else -1 if x < mean else 0 for x in xs]
    run = 1
    for i in range(1, n):
        run = run + 1 if side[i] != 0 and side[i] == side[i - 1] else 1
        if run == 7:
            sig.append("run of 7 %s mean ending %d" % ("above" if side[i] > 0 else "below", i + 1))
    tr = 1
    for i in range(1, n):
        d = (xs[i] > xs[i - 1]) - (xs[i] < xs[i - 1])
        pd = (xs[i - 1] > xs[i - 2]) - (xs[i - 1] < xs[i - 2]) if i >= 2 else 0
        tr = tr + 1 if d != 0 and d == pd else (2 if d != 0 else 1)
        if tr == 7:
            sig.append("trend of 7 ending %d" % (i + 1))
    for i in range(2, n):
        w = xs[i - 2:i + 1]
        for s in (1, -1):
            if sum(1 for x in w if s * (x - mean) > 2 * sigma) >= 2 and s * (xs[i] - mean) > 2 * sigma:
                sig.append("2 of 3 beyond 2 sigma ending %d" % (i + 1))
    return mean, lcl, ucl, sig


# ------------------------------------------------------------------ reading


def norm_label(s):
    return " ".join(s.split()).casefold()


def read_survey(path, layout):
    raw = gzip.open(path, "rb").read()
    info = dict(bom=raw.startswith(b"\xef\xbb\xbf"), crlf=b"\r\n" in raw[:2000],
                size=os.path.getsize(path))
    text = raw.decode("utf-8-sig")
    rdr = csv.reader(io.StringIO(text, newline=""))
    header = next(rdr)
    info["header"] = header
    canon = [h.strip().lower() for h in header]
    info["header_ok"] = ",".join(canon) == (HEAD_2022 if layout == 2022 else HEAD_2023)
    col = {h: i for i, h in enumerate(canon)}
    eth_col = col["q27" if layout == 2022 else "q28"]
    rows, nlabel_rows, ncomments, nl_comments, bad = [], 0, 0, 0, 0
    for rec in rdr:
        if len(rec) != len(header):
            bad += 1
            continue
        answers, labelled = [], False
        for sid, c22, c23, kind in ITEMS:
            v = rec[col[c22 if layout == 2022 else c23]]
            if v != "" and not v.isdigit():
                labelled = True
                v = LABELS[kind].get(norm_label(v), "?" + v)
            answers.append(v)
        nlabel_rows += labelled
        com = rec[col["comments"]]
        ncomments += com != ""
        nl_comments += "\n" in com
        eth = rec[eth_col]
        grp = "Unknown" if eth == "" else "White" if eth in ("01", "02", "03", "04") else "BME"
        rows.append(dict(year=int(rec[0]), org=rec[col["trust_code"]], rid=rec[col["respondent_id"]],
                         dir=rec[col["directorate"]], team=rec[col["team"]], eth=eth, grp=grp,
                         gender=rec[col["gender"]], disab=rec[col["disability"]],
                         occ=rec[col["occupation"]], age=rec[col["age_band"]], ans=answers,
                         comment=com))
    info.update(rows=len(rows), label_rows=nlabel_rows, comments=ncomments,
                nl_comments=nl_comments, bad=bad)
    return rows, info


def sub_pos(kind, a):
    if a == "" or (kind in ("agree9", "agree") and a == "9") or (kind == "yndk" and a == "9"):
        return False, False
    if kind in ("agree9", "agree"):
        return True, a in ("4", "5")
    if kind == "freq":
        return True, a != "1"
    return True, a == "1"


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rdr = csv.reader(f)
        head = next(rdr)
        return head, [r for r in rdr]


# ------------------------------------------------------------------ effect checks

WINDOWS = [(y,) for y in YEARS] + [(2022, 2023), (2023, 2024), (2022, 2023, 2024)]
YEAR_PAIRS = ((2022, 2023), (2023, 2024), (2022, 2024))
SIM_SERIES = 400          # Poisson series simulated per null XmR series


def wname(w):
    return "%d-%d" % (w[0], w[-1]) if len(w) > 1 else str(w[0])


def poisson(rng, lam):
    """Knuth's Poisson sampler (lam is at most ~15 here)."""
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def xmr_chance(mean, n, rng):
    """Share of Poisson(mean) series of length n with at least one XmR signal."""
    hits = 0
    for _ in range(SIM_SERIES):
        xs = [poisson(rng, mean) for _ in range(n)]
        if len(set(xs)) > 1 and xmr_signals(xs)[3]:
            hits += 1
    return hits / SIM_SERIES


def monthly_series(mon):
    """{(org, group): [(period, count), ...]} for White, BME, Unknown and All."""
    series, tot = {}, {}
    for p, o, grp, h, x in sorted(mon):
        series.setdefault((o, grp), []).append((p, int(x)))
        tot[(o, p)] = tot.get((o, p), 0) + int(x)
    for (o, p), x in sorted(tot.items()):
        series.setdefault((o, "All"), []).append((p, x))
    return series


def hr_stats(hr, mon):
    """WRES 3 per trust and window, the Z3C level shift, and XmR rules."""
    res = {}
    orgs = sorted({k[1] for k in hr})
    wt = PLANTED["wres"]
    print("== HR: headcount and disciplinary cases (wres-hr.csv)")
    for o in orgs:
        print("  %s headcount %s; BME cases %s; White cases %s" % (
            o, " / ".join("%d" % sum(hr[(y, o, g)][0] for g in ("White", "BME", "Unknown"))
                          for y in YEARS),
            " / ".join("%d" % hr[(y, o, "BME")][1] for y in YEARS),
            " / ".join("%d" % hr[(y, o, "White")][1] for y in YEARS)))
    print("  %s annual disciplinary rate White %s; BME %s" % (wt, " / ".join(
        "%.2f%%" % (100.0 * hr[(y, wt, "White")][1] / hr[(y, wt, "White")][0]) for y in YEARS),
        " / ".join("%.2f%%" % (100.0 * hr[(y, wt, "BME")][1] / hr[(y, wt, "BME")][0])
                   for y in YEARS)))

    print("== WRES indicator 3 (Katz 95%, 0.5 zero-cell rule); * = interval excludes 1")
    flags = {}
    for o in orgs:
        line = []
        for w in WINDOWS:
            a = sum(hr[(y, o, "BME")][1] for y in w)
            n1 = sum(hr[(y, o, "BME")][0] for y in w)
            c = sum(hr[(y, o, "White")][1] for y in w)
            n0 = sum(hr[(y, o, "White")][0] for y in w)
            rr, lo, hi = katz(a, n1, c, n0)
            flags[(o, w)] = (rr, lo, hi, lo > 1 or hi < 1, a, n1, c, n0)
            line.append("%s %.2f (%.2f-%.2f)%s" % (wname(w), rr, lo, hi,
                                                   "*" if lo > 1 or hi < 1 else ""))
        print("  %s: %s" % (o, "; ".join(line)))
    null_orgs = [o for o in orgs if o != wt]
    single = [(o, (y,)) for o in null_orgs for y in YEARS]
    nsingle = [k for k in single if flags[k][3]]
    nwin = [(o, w) for o in null_orgs for w in WINDOWS if flags[(o, w)][3]]
    rrs = [flags[k][0] for k in single]
    print("  planted %s: interval above 1 in %d of %d windows (%s)" % (
        wt, sum(flags[(wt, w)][3] and flags[(wt, w)][1] > 1 for w in WINDOWS), len(WINDOWS),
        ", ".join(wname(w) for w in WINDOWS if not flags[(wt, w)][1] > 1) or "all"))
    print("  null trusts: %d of %d trust-years flagged (expected by chance about %.1f at 5%%)%s"
          % (len(nsingle), len(single), 0.05 * len(single),
             ": " + ", ".join("%s %s" % (o, wname(w)) for o, w in nsingle) if nsingle else ""))
    print("  null trusts: %d of %d windows of any length flagged (windows overlap)%s" % (
        len(nwin), len(null_orgs) * len(WINDOWS),
        ": " + ", ".join("%s %s" % (o, wname(w)) for o, w in nwin) if nwin else ""))
    print("  null trusts: single-year RR %.2f-%.2f, %d of %d outside 0.80-1.25" % (
        min(rrs), max(rrs), sum(1 for r in rrs if r < 0.8 or r > 1.25), len(rrs)))
    res["wres"] = dict(planted=sum(flags[(wt, w)][1] > 1 for w in WINDOWS),
                       null_years=len(nsingle), null_years_n=len(single),
                       null_windows=len(nwin))
    pooled = flags[(wt, (2022, 2023, 2024))]
    print("  hard check:")
    hard(pooled[1] > 1, "%s WRES 3 pooled 2022-2024: RR %.2f (%d/%d vs %d/%d), 95%% %.2f-%.2f "
         "(required: above 1)" % (wt, pooled[0], pooled[4], pooled[5], pooled[6], pooled[7],
                      pooled[1], pooled[2]))

    print("== SPC (XmR: beyond limits, run of 7, trend of 7, 2 of 3 beyond 2 sigma) on monthly "
          "disciplinary counts")
    series = monthly_series(mon)
    print("  planted %s (rates x 2 from %s):" % (wt, SHIFT_FROM))
    shift = {}
    for g in ("All", "White", "BME", "Unknown"):
        ps = series[(wt, g)]
        xs = [x for _, x in ps]
        before = [x for p, x in ps if p < SHIFT_FROM]
        after = [x for p, x in ps if p >= SHIFT_FROM]
        mb, ma = sum(before) / len(before), sum(after) / len(after)
        shift[g] = (mb, ma)
        mean, lcl, ucl, sig = xmr_signals(xs)
        print("    %-7s mean %5.2f limits %6.2f-%5.2f, monthly mean %.2f before -> %.2f after: %s"
              % (g, mean, lcl, ucl, mb, ma, "; ".join(sig) or "no signal"))
    res["spc_planted"] = {g: bool(xmr_signals([x for _, x in series[(wt, g)]])[3])
                          for g in ("All", "White", "BME")}
    print("  planted %s series with a signal: %d of 3 (All, White, BME)" % (
        wt, sum(res["spc_planted"].values())))
    rng = random.Random(20240101)
    tally_ = {True: [0, 0, 0.0], False: [0, 0, 0.0]}   # dense?: [series, signalling, expected]
    print("  null series (every trust but %s) with a signal; chance = share of %d simulated "
          "Poisson series at the same mean that signal:" % (wt, SIM_SERIES))
    for key in sorted(series):
        if key[0] == wt:
            continue
        xs = [x for _, x in series[key]]
        mean, lcl, ucl, sig = xmr_signals(xs)
        chance = xmr_chance(mean, len(xs), rng) if mean > 0 else 0.0
        dense = mean >= 2.0
        t = tally_[dense]
        t[0] += 1
        t[1] += bool(sig)
        t[2] += chance
        if sig:
            print("    %s %-7s mean %5.2f (chance %2.0f%%): %s" % (
                key[0], key[1], mean, 100 * chance, "; ".join(sig)))
    for dense, label in ((True, "mean >= 2 a month"), (False, "sparse, mean < 2 a month")):
        t = tally_[dense]
        print("  null series, %s: %d of %d signal (expected by chance about %.1f)" % (
            label, t[1], t[0], t[2]))
    res["spc_null"] = tally_
    print("  hard checks:")
    mb, ma = shift["All"]
    hard(ma >= SHIFT_MIN_RATIO * mb, "%s All monthly mean %.2f before %s -> %.2f after "
         "(ratio %.2f, required >= %.2f)" % (wt, mb, SHIFT_FROM, ma, ma / mb, SHIFT_MIN_RATIO))
    for g in ("White", "BME"):
        mb, ma = shift[g]
        hard(ma > mb, "%s %s monthly mean %.2f before -> %.2f after (required: higher)" % (wt, g, mb, ma))
    return res


def family(name, tests, classify):
    """BH 5% over tests [(key, x1, n1, x2, n2)] with diff = x1/n1 - x2/n2.

    classify(key) -> (kind, sign): kind 'planted' (a planted effect), 'knock' (not
    planted but not null by construction, e.g. a Z2B unit compared with a rest of
    trust that contains Z2B Surgery) or 'null'; sign = expected sign of diff (0 =
    either).  A discovery is false if its cell is null or has the wrong sign."""
    zs = [ztest(*t[1:]) for t in tests]
    ps = [z[2] for z in zs]
    rej = bh(ps)
    kinds = [classify(t[0]) for t in tests]
    st = dict(name=name, tests=len(tests), planted=0, planted_found=0, knock=0,
              knock_found=0, null=0, disc=len(rej), false=[], found=set(),
              p05=0, p01=0, p001=0,
              dp={t[0]: (zs[i][0], ps[i]) for i, t in enumerate(tests)})
    for i, t in enumerate(tests):
        kind, sign = kinds[i]
        st[kind] += 1
        if kind == "null":
            st["p05"] += ps[i] < 0.05
            st["p01"] += ps[i] < 0.01
            st["p001"] += ps[i] < 0.001
        if i in rej:
            right = sign == 0 or sign * zs[i][0] > 0
            if kind == "null" or not right:
                st["false"].append((t[0], zs[i][0], ps[i]))
            else:
                st[kind + "_found"] += 1
                st["found"].add(t[0])
    print("%s: %d tests = %d planted + %d knock-on + %d null" % (
        name, st["tests"], st["planted"], st["knock"], st["null"]))
    print("   BH 5%%: %d discoveries = %d planted + %d knock-on + %d false (false discovery "
          "proportion %.1f%%)" % (st["disc"], st["planted_found"], st["knock_found"],
                                  len(st["false"]),
                                  100.0 * len(st["false"]) / st["disc"] if st["disc"] else 0.0))
    for k, d, p in st["false"]:
        print("      chance discovery: %s diff %+.1f points, p = %.2g" % (k, 100 * d, p))
    for i in sorted(rej, key=lambda i: tests[i][0]):
        if kinds[i][0] == "knock" and tests[i][0] in st["found"]:
            print("      knock-on: %s diff %+.1f points" % (tests[i][0], 100 * zs[i][0]))
    n = st["null"]
    print("   null cells, unadjusted: p < 0.05 in %d of %d (%.1f%%, expected %.0f), "
          "p < 0.01 in %d (expected %.0f), p < 0.001 in %d (expected %.1f)" % (
              st["p05"], n, 100.0 * st["p05"] / n if n else 0.0, 0.05 * n,
              st["p01"], 0.01 * n, st["p001"], 0.001 * n))
    return st


def tally(rows, idx):
    """(positive, n) for item index idx over rows."""
    kind = ITEMS[idx][3]
    n = x = 0
    for r in rows:
        s, p = sub_pos(kind, r["ans"][idx])
        n += s
        x += p
    return x, n


def survey_stats(by):
    res = {}
    orgs = sorted({o for _, o in by})
    idx = {it[0]: i for i, it in enumerate(ITEMS)}
    hs_org, hs_dir = PLANTED["hotspot"]
    imp, wt = PLANTED["improving"], PLANTED["wres"]
    hs_teams = {r["team"] for rs in by.values() for r in rs
                if r["org"] == hs_org and r["dir"] == hs_dir}
    print("== survey comparisons (pooled two-proportion z test, cells with n >= 11 on both "
          "sides, BH 5% within each family; every family is per trust x year x item, year on "
          "year is per trust x item x 2022->23, 2023->24, 2022->24)")
    print("   By chance: in a family of null cells BH at 5% makes any discovery with "
          "probability at most 5%; with planted cells the expected false discovery "
          "proportion is at most 5%.  About 5% of null cells have unadjusted p < 0.05 "
          "(tests in a family are correlated: they share rests of trust).")

    def split_tests(keyf, groups_of):
        """Unit (or group) vs the rest of its trust, per year and item."""
        tests = []
        for (y, o), rs in sorted(by.items()):
            tot = [[0, 0] for _ in ITEMS]
            per = {}
            for r in rs:
                k = keyf(r)
                acc = per.setdefault(k, [[0, 0] for _ in ITEMS])
                for i, it in enumerate(ITEMS):
                    s, p = sub_pos(it[3], r["ans"][i])
                    acc[i][0] += p
                    acc[i][1] += s
            for k, acc in per.items():
                if k != "":
                    for i in range(len(ITEMS)):
                        tot[i][0] += acc[i][0]
                        tot[i][1] += acc[i][1]
            for g in groups_of(rs):
                acc = per.get(g)
                if acc is None:
                    continue
                for i, it in enumerate(ITEMS):
                    x1, n1 = acc[i]
                    x2, n2 = tot[i][0] - x1, tot[i][1] - n1
                    if n1 >= 11 and n2 >= 11:
                        tests.append(((y, o, g, it[0]), x1, n1, x2, n2))
        return tests

    tests = []
    for (y, o), rs in sorted(by.items()):
        b = [r for r in rs if r["grp"] == "BME"]
        w = [r for r in rs if r["grp"] == "White"]
        for i, it in enumerate(ITEMS):
            tests.append(((y, o, it[0]), *tally(b, i), *tally(w, i)))
    res["eth"] = family("BME vs White", tests,
                        lambda k: ("planted", 1) if k[1:] == (wt, "discrim_staff")
                        else ("null", 0))

    def unit_kind(planted_units):
        # In the hotspot trust the rest of the trust contains the hotspot, so the
        # other units of that trust are truly *better* than their rest on SU items.
        def classify(k):
            if k[1] == hs_org and k[3] in SU_ITEMS:
                return ("planted", -1) if k[2] in planted_units else ("knock", 1)
            return ("null", 0)
        return classify

    res["dir"] = family("directorate vs rest",
                        split_tests(lambda r: r["dir"], lambda rs: sorted({r["dir"] for r in rs})),
                        unit_kind({hs_dir}))
    res["team"] = family("team vs rest",
                         split_tests(lambda r: r["team"],
                                     lambda rs: sorted({r["team"] for r in rs})),
                         unit_kind(hs_teams))
    print("   %s %s team cells (3 years x %d teams x 4 SU items = %d): %d tested (n >= 11), "
          "%d found" % (hs_org, hs_dir, len(hs_teams), 12 * len(hs_teams),
                        res["team"]["planted"], res["team"]["planted_found"]))
    null = lambda k: ("null", 0)   # noqa: E731
    for key, name, keyf, groups, cls in (
            ("disab", "disability Yes vs No", lambda r: r["disab"], lambda rs: ["1"], null),
            ("gender", "gender Male vs rest", lambda r: r["gender"], lambda rs: ["1"], null),
            ("age", "age band vs rest", lambda r: r["age"],
             lambda rs: sorted({r["age"] for r in rs} - {""}), null),
            # occupation depends on the kind of directorate, so in Z2B the occupations
            # differ in their share of Surgery staff: SU cells there are not null.
            ("occ", "occupation vs rest", lambda r: r["occ"],
             lambda rs: sorted({r["occ"] for r in rs} - {""}),
             lambda k: ("knock", 0) if k[1] == hs_org and k[3] in SU_ITEMS else ("null", 0))):
        res[key] = family(name, split_tests(keyf, groups), cls)
    tests = []
    for o in orgs:
        for i, it in enumerate(ITEMS):
            for y1, y2 in YEAR_PAIRS:
                tests.append(((o, it[0], y1, y2), *tally(by[(y2, o)], i), *tally(by[(y1, o)], i)))
    res["year"] = family("year on year", tests,
                         lambda k: ("planted", 1) if k[0] == imp and k[1] in JC_ITEMS + SU_ITEMS
                         else ("null", 0))
    found = res["year"]["found"]
    print("   %s planted changes found after BH:" % imp)
    for label, items, pairs in (("JC yearly 6-point steps", JC_ITEMS, YEAR_PAIRS[:2]),
                                ("SU yearly 4-point steps", SU_ITEMS, YEAR_PAIRS[:2]),
                                ("JC 2022->2024 (12 points)", JC_ITEMS, YEAR_PAIRS[2:]),
                                ("SU 2022->2024 (8 points)", SU_ITEMS, YEAR_PAIRS[2:])):
        cells = [(imp, s, y1, y2) for s in items for y1, y2 in pairs]
        miss = [c for c in cells if c not in found]
        print("      %-26s %d of %d%s" % (label, len(cells) - len(miss), len(cells),
                                         "; not found: " + ", ".join(
                                             "%s %d->%d (%+.1f points, unadjusted p = %.3f)" % (
                                                 c[1], c[2], c[3],
                                                 100 * res["year"]["dp"][c][0],
                                                 res["year"]["dp"][c][1]) for c in miss)
                                         if miss else ""))
        res["year_" + label.split()[0] + ("_2y" if "2024" in label else "_1y")] = (
            len(cells) - len(miss), len(cells), miss)
    eth_found = sorted(k[0] for k in res["eth"]["found"])
    print("   %s discrim_staff BME vs White found after BH in: %s" % (
        wt, ", ".join(str(y) for y in eth_found) or "none"))

    print("== planted effects, observed raw %")
    for s in JC_ITEMS + SU_ITEMS:
        i = idx[s]
        vals = [tally(by[(y, imp)], i) for y in YEARS]
        print("  %s %-27s %s" % (imp, s, " -> ".join(
            "%.1f (%d/%d)" % (100.0 * x / n, x, n) for x, n in vals)))
    hot = {}
    for y in YEARS:
        rs = by[(y, hs_org)]
        ina = [r for r in rs if r["dir"] == hs_dir]
        rest = [r for r in rs if r["dir"] != hs_dir]
        parts = []
        for s in SU_ITEMS:
            x1, n1 = tally(ina, idx[s])
            x2, n2 = tally(rest, idx[s])
            hot[(y, s)] = (100.0 * x1 / n1, 100.0 * x2 / n2)
            parts.append("%s %.1f vs %.1f" % (s, 100.0 * x1 / n1, 100.0 * x2 / n2))
        print("  %s %d %s (%d respondents) vs rest (%d): %s" % (hs_org, y, hs_dir, len(ina),
                                                             len(rest), "; ".join(parts)))
    q16 = {}
    for y in YEARS:
        rs = by[(y, wt)]
        q16[y] = (tally([r for r in rs if r["grp"] == "BME"], idx["discrim_staff"]),
                  tally([r for r in rs if r["grp"] == "White"], idx["discrim_staff"]))
        (xb, nb), (xw, nw) = q16[y]
        print("  %s %d discrim_staff BME %.1f%% (%d/%d) vs White %.1f%% (%d/%d)" % (
            wt, y, 100.0 * xb / nb, xb, nb, 100.0 * xw / nw, xw, nw))
    xb, nb = sum(v[0][0] for v in q16.values()), sum(v[0][1] for v in q16.values())
    xw, nw = sum(v[1][0] for v in q16.values()), sum(v[1][1] for v in q16.values())
    print("  %s 2022-2024 discrim_staff BME %.1f%% (%d/%d) vs White %.1f%% (%d/%d)" % (
        wt, 100.0 * xb / nb, xb, nb, 100.0 * xw / nw, xw, nw))

    print("  hard checks:")
    for y in YEARS:
        n_in = sum(1 for r in by[(y, hs_org)] if r["dir"] == hs_dir)
        hard(n_in >= 150, "%s %s %d has %d respondents (required: >= 150)" % (hs_org, hs_dir, y, n_in))
    gaps = [hot[k][1] - hot[k][0] for k in sorted(hot)]
    hard(min(gaps) >= HOTSPOT_MIN_GAP,
         "%s %s below the rest of %s on all 12 SU year-item cells by >= %.0f points "
         "(observed gaps %.1f to %.1f points)" % (hs_org, hs_dir, hs_org, HOTSPOT_MIN_GAP,
                                                min(gaps), max(gaps)))
    hard(res["dir"]["planted_found"] == res["dir"]["planted"] == 12,
         "%s %s: %d of 12 directorate cells are BH discoveries (required: 12)" % (
             hs_org, hs_dir, res["dir"]["planted_found"]))
    for y in YEARS:
        (xb_, nb_), (xw_, nw_) = q16[y]
        hard(xb_ / nb_ > xw_ / nw_, "%s %d discrim_staff BME %.1f%% vs White %.1f%% (required: BME higher)" % (
            wt, y, 100.0 * xb_ / nb_, 100.0 * xw_ / nw_))
    gap = 100.0 * (xb / nb - xw / nw)
    hard(gap >= Q16B_MIN_POOLED_GAP, "%s 2022-2024 discrim_staff BME minus White %.1f "
         "points (required: >= %.0f)" % (wt, gap, Q16B_MIN_POOLED_GAP))
    for s in JC_ITEMS + SU_ITEMS:
        (x1, n1), (x2, n2) = tally(by[(2022, imp)], idx[s]), tally(by[(2024, imp)], idx[s])
        hard(x2 / n2 > x1 / n1, "%s %s 2024 %.1f%% vs 2022 %.1f%% (required: higher in 2024)" % (
            imp, s, 100.0 * x2 / n2, 100.0 * x1 / n1))
    return res


def summary(sres, hres):
    fams = ["eth", "dir", "team", "disab", "gender", "age", "occ", "year"]
    print("== summary of the statistical report (not pass/fail; chance rates in brackets)")
    print("| family | tests | planted found | knock-on found | null cells | false BH "
          "discoveries | null p < 0.05 (expected) |")
    print("|---|---|---|---|---|---|---|")
    tot = [0, 0, 0, 0.0]
    for f in fams:
        st = sres[f]
        print("| %s | %d | %s | %d | %d | %d | %d (%.0f) |" % (
            st["name"], st["tests"],
            "%d of %d" % (st["planted_found"], st["planted"]) if st["planted"] else "-",
            st["knock_found"], st["null"], len(st["false"]), st["p05"], 0.05 * st["null"]))
        tot[0] += st["null"]
        tot[1] += len(st["false"])
        tot[2] += st["p05"]
        tot[3] += 0.05 * st["null"]
    print("| all 8 families | | | | %d | %d | %d (%.0f) |" % tuple(tot))
    print("  all null cells: p < 0.01 in %d (expected %.0f), p < 0.001 in %d (expected %.0f)" % (
        sum(sres[f]["p01"] for f in fams), 0.01 * tot[0],
        sum(sres[f]["p001"] for f in fams), 0.001 * tot[0]))
    nfam = sum(1 for f in fams if sres[f]["false"])
    print("  families with at least one false BH discovery: %d of 8 (%s)" % (
        nfam, ", ".join(sres[f]["name"] for f in fams if sres[f]["false"])
        or "none"))
    w = hres["wres"]
    print("  WRES 3: Z3C flagged in %d of %d windows; null trusts %d of %d trust-years "
          "(expected about %.1f)" % (w["planted"], len(WINDOWS), w["null_years"],
                                     w["null_years_n"], 0.05 * w["null_years_n"]))
    t = hres["spc_null"]
    print("  XmR: Z3C All/White/BME signal %d of 3; null series with mean >= 2 a month: "
          "%d of %d signal (expected about %.1f); sparse null series: %d of %d (expected "
          "about %.1f)" % (sum(hres["spc_planted"].values()), t[True][1], t[True][0],
                           t[True][2], t[False][1], t[False][0], t[False][2]))


# ------------------------------------------------------------------ main


def main(d):
    print("== files (hard checks)")
    total = 0
    for f in sorted(os.listdir(d)):
        total += os.path.getsize(os.path.join(d, f))
    print("total size of %s: %d bytes" % (d, total))
    if total >= 2 * 1024 * 1024:
        fail("sample-data over 2 MB")

    rows22, i22 = read_survey(os.path.join(d, "nss-2022.csv.gz"), 2022)
    rows23, i23 = read_survey(os.path.join(d, "nss-2023.csv.gz"), 2023)
    for name, info in (("nss-2022.csv.gz", i22), ("nss-2023.csv.gz", i23)):
        print("%s: %d bytes, %d rows, bom=%s crlf=%s, label rows %d (%.1f%%), comments %d "
              "(%.1f%%, %d with newlines), ragged %d, header canonical=%s" % (
                  name, info["size"], info["rows"], info["bom"], info["crlf"],
                  info["label_rows"], 100.0 * info["label_rows"] / info["rows"],
                  info["comments"], 100.0 * info["comments"] / info["rows"],
                  info["nl_comments"], info["bad"], info["header_ok"]))
        if not info["header_ok"] or info["bad"]:
            fail(name + " header or ragged rows")
    if not (i22["bom"] and i22["crlf"]) or i23["bom"] or i23["crlf"]:
        fail("BOM/CRLF expectations")
    if i22["header"][1] != " Trust_Code" or i22["header"][7] != "Q18A":
        fail("2022 header oddities missing")
    allrows = rows22 + rows23
    ids = [r["rid"] for r in allrows]
    if len(set(ids)) != len(ids) or not all(re.fullmatch(r"NSS2[234]-\d{7}", i) for i in ids):
        fail("respondent ids not unique / malformed")
    unknown_labels = sum(1 for r in allrows for a in r["ans"] if a.startswith("?"))
    if unknown_labels:
        fail("%d unmapped labels" % unknown_labels)
    if {r["year"] for r in rows22} != {2022} or {r["year"] for r in rows23} != {2023, 2024}:
        fail("years per file")
    nrows = len(allrows)
    ncom = i22["comments"] + i23["comments"]
    print("both files: %d rows (2023: %d, 2024: %d); comments %d (%.1f%%), %d with a line "
          "break" % (nrows, sum(r["year"] == 2023 for r in rows23),
                     sum(r["year"] == 2024 for r in rows23), ncom, 100.0 * ncom / nrows,
                     i22["nl_comments"] + i23["nl_comments"]))

    by = {}
    for r in allrows:
        by.setdefault((r["year"], r["org"]), []).append(r)
    orgs = sorted({r["org"] for r in allrows})
    print("respondents per trust and year (directorates / teams seen):")
    for o in orgs:
        rs = [r for y in YEARS for r in by[(y, o)]]
        print("  %s %s (%d / %d)" % (o, " ".join("%d:%d" % (y, len(by[(y, o)])) for y in YEARS),
                                     len({r["dir"] for r in rs}), len({r["team"] for r in rs})))
    small = {}
    for (y, o), rs in by.items():
        teams = {}
        for r in rs:
            teams[r["team"]] = teams.get(r["team"], 0) + 1
        small[(y, o)] = sorted(t for t, n in teams.items() if n < 11)
        ndir = len({r["dir"] for r in rs})
        if not 4 <= ndir <= 7:
            fail("directorates %s %d: %d" % (o, y, ndir))
    for y in YEARS:
        print("teams with < 11 respondents (%d): %s" % (y, "; ".join(
            "%s: %s" % (o, ", ".join(small[(y, o)]) or "-") for o in orgs)))
    print("share White/BME/Unknown of respondents: %s" % " ".join(
        "%s=%.1f%%" % (g, 100.0 * sum(r["grp"] == g for r in allrows) / nrows)
        for g in ("White", "BME", "Unknown")))
    print("female %.1f%% (Z5E %.1f%%, others %.1f%%), gender blank %.1f%%; disabled %.1f%%, "
          "disability blank %.1f%%; age blank %.1f%%; occupation blank %.1f%%" % (
              100.0 * sum(r["gender"] == "2" for r in allrows) / nrows,
              100.0 * sum(r["gender"] == "2" for r in allrows if r["org"] == "Z5E")
              / sum(r["org"] == "Z5E" for r in allrows),
              100.0 * sum(r["gender"] == "2" for r in allrows if r["org"] != "Z5E")
              / sum(r["org"] != "Z5E" for r in allrows),
              100.0 * sum(r["gender"] == "" for r in allrows) / nrows,
              100.0 * sum(r["disab"] == "1" for r in allrows) / nrows,
              100.0 * sum(r["disab"] == "" for r in allrows) / nrows,
              100.0 * sum(r["age"] == "" for r in allrows) / nrows,
              100.0 * sum(r["occ"] == "" for r in allrows) / nrows))

    # ---- counts.csv and org-results.csv against the respondent rows
    print("== aggregates (hard checks)")
    head, crow = read_csv(os.path.join(d, "counts.csv"))
    if head != ["period", "org", "item", "group_dim", "group", "n", "positive"]:
        fail("counts.csv header %s" % head)
    expect = {}
    for (y, o), rs in by.items():
        for i, it in enumerate(ITEMS):
            for dim, g in (("all", "all"), ("ethnicity", "White"), ("ethnicity", "BME"),
                           ("ethnicity", "Unknown")):
                sel = rs if g == "all" else [r for r in rs if r["grp"] == g]
                x, n = tally(sel, i)
                expect[(str(y), o, it[0], dim, g)] = (str(n), str(x))
    got = {tuple(r[:5]): (r[5], r[6]) for r in crow}
    print("counts.csv: %d rows, %d bytes, matches respondent data: %s; smallest Unknown-"
          "ethnicity n %d" % (len(crow), os.path.getsize(os.path.join(d, "counts.csv")),
                              got == expect,
                              min(int(v[0]) for k, v in got.items() if k[4] == "Unknown")))
    if got != expect or len(crow) != len(expect):
        fail("counts.csv does not match respondent rows")
    head, orow = read_csv(os.path.join(d, "org-results.csv"))
    ok, maxdiff = True, 0.0
    for r in orow:
        rec = dict(zip(head, r))
        for it in ITEMS:
            k = it[0] + "_base"
            if k in rec:
                n, x = expect[(rec["year"], rec["org_code"], it[0], "all", "all")]
                if rec[k] != n:
                    ok = False
                maxdiff = max(maxdiff, abs(float(rec[it[0] + "_rate"]) - 100.0 * int(x) / int(n)))
    print("org-results.csv: %d rows, %d columns, %d bytes, bases match counts: %s; largest "
          "|weighted - unweighted| rate %.2f points" % (
              len(orow), len(head), os.path.getsize(os.path.join(d, "org-results.csv")), ok,
              maxdiff))
    if not ok or len(orow) != 24:
        fail("org-results")

    _, g = read_csv(os.path.join(d, "wres-hr.csv"))
    _, ons = read_csv(os.path.join(d, "wres-hr-ons.csv"))
    _, mon = read_csv(os.path.join(d, "hr-monthly.csv"))
    hr = {(int(r[0]), r[1], r[2]): (int(r[3]), int(r[4])) for r in g}
    onsg = {}
    for p, o, lab, h, x in ons:
        grp = "Unknown" if lab == "Not stated" else "White" if lab.startswith("White") else "BME"
        a = onsg.setdefault((int(p), o, grp), [0, 0])
        a[0] += int(h)
        a[1] += int(x)
    ons_ok = all(hr[k] == tuple(v) for k, v in onsg.items())
    mons = {}
    for p, o, grp, h, x in mon:
        a = mons.setdefault((int(p[:4]), o, grp), [0, 0, set()])
        a[1] += int(x)
        a[2].add(int(h))
    mon_ok = all(hr[k] == (min(v[2]), v[1]) and len(v[2]) == 1 for k, v in mons.items())
    mon_ok = mon_ok and set(mons) == set(hr)
    print("wres-hr.csv %d rows (%d bytes); wres-hr-ons.csv %d rows (%d bytes, %d orgs) sums to "
          "grouped: %s; hr-monthly.csv %d rows (%d bytes) sums to grouped: %s" % (
              len(g), os.path.getsize(os.path.join(d, "wres-hr.csv")), len(ons),
              os.path.getsize(os.path.join(d, "wres-hr-ons.csv")), len({r[1] for r in ons}),
              ons_ok, len(mon), os.path.getsize(os.path.join(d, "hr-monthly.csv")), mon_ok))
    if not ons_ok or not mon_ok:
        fail("HR files inconsistent")

    # ---- statistics: hard checks on the planted effects, report on everything else
    hres = hr_stats(hr, mon)
    sres = survey_stats(by)
    summary(sres, hres)

    if failures:
        print("== %d HARD CHECK FAILURES" % len(failures))
        for f in failures:
            print("   " + f)
        return 1
    print("== ALL HARD CHECKS PASSED (the statistical report above is information, not "
          "a pass/fail gate)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else HERE))
