#!/usr/bin/env python3
"""Deterministic generator for candour's sample data.

Usage:
    python3 sample-data/generate.py OUTDIR      write every sample file into OUTDIR
    python3 sample-data/generate.py --truth     print the true model as Markdown

Python 3 standard library only.  Every random draw comes from the xorshift64*
generator below (seeded through splitmix64 and FNV-1a stream names), never from
Python's `random` module, so the uncompressed output is the same on every Python 3
version and platform.  Gzip members are written with an empty file name and
mtime 0, so the .gz bytes are identical from run to run with the same zlib.

The simulated world, the data-generating model and the planted effects are
documented in sample-data/README.md; the constants below are the truth.
"""

import gzip
import math
import os
import sys
from bisect import bisect_right

# Master seeds.  Changing one changes only its component.  They are fixed a priori
# at 1 and were not searched or chosen by looking at the results (README.md, "Seeds"):
# null comparisons therefore show chance positives at about their nominal rate.
SURVEY_SEED = 1
HR_SEED = 1
FORMAT_SEED = 1   # comments, label rows, respondent ids

YEARS = (2022, 2023, 2024)
MASK64 = (1 << 64) - 1

# --------------------------------------------------------------------------- PRNG


def splitmix64(x):
    """One splitmix64 step: returns (new_state, output)."""
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return x, z ^ (z >> 31)


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & MASK64
    return h


class Rng:
    """xorshift64* (Vigna 2016), state seeded by splitmix64(seed ^ FNV-1a(stream))."""

    def __init__(self, seed, *stream):
        name = "/".join(str(s) for s in stream)
        _, s = splitmix64((seed * 0x9E3779B97F4A7C15 ^ fnv1a64(name)) & MASK64)
        self.s = s or 0x2545F4914F6CDD1D

    def next64(self):
        x = self.s
        x ^= x >> 12
        x = (x ^ (x << 25)) & MASK64
        x ^= x >> 27
        self.s = x
        return (x * 0x2545F4914F6CDD1D) & MASK64

    def uniform(self):
        """Uniform on [0, 1) with 53 random bits."""
        return (self.next64() >> 11) * (1.0 / 9007199254740992.0)

    def uniform_range(self, lo, hi):
        return lo + (hi - lo) * self.uniform()

    def bernoulli(self, p):
        return self.uniform() < p

    def randint(self, lo, hi):
        """Integer in [lo, hi] inclusive."""
        return lo + int(self.uniform() * (hi - lo + 1))

    def choice(self, seq):
        return seq[int(self.uniform() * len(seq))]

    def weighted_index(self, cum):
        """Index drawn with cumulative weights cum (last element = total)."""
        return bisect_right(cum, self.uniform() * cum[-1])

    def binomial(self, n, p):
        """Binomial(n, p): inversion (BINV) when n*p is small, else Bernoulli sum."""
        if n <= 0 or p <= 0.0:
            return 0
        if p >= 1.0:
            return n
        if n * p > 60.0:
            return sum(1 for _ in range(n) if self.uniform() < p)
        q = 1.0 - p
        s = p / q
        a = (n + 1) * s
        r = q ** n
        u = self.uniform()
        x = 0
        while u > r:
            u -= r
            x += 1
            if x > n:
                return n
            r *= a / x - s
        return x


def cumulative(weights):
    out, t = [], 0.0
    for w in weights:
        t += w
        out.append(t)
    return out


def round_half_up(x):
    return int(math.floor(x + 0.5))


def logit(p):
    return math.log(p / (1.0 - p))


def expit(x):
    return 1.0 / (1.0 + math.exp(-x))


# --------------------------------------------------------------------------- world

BENCH_ACUTE = "Acute and Acute & Community Trusts"
BENCH_SPEC = "Acute Specialist Trusts"
BENCH_MH = ("Mental Health & Learning Disability and Mental Health, "
            "Learning Disability & Community Trusts")
BENCH_AMB = "Ambulance Trusts"

OCC = [
    "Registered Nurses and Midwives",
    "Nursing or Healthcare Assistants",
    "Medical and Dental",
    "Allied Health Professionals",
    "Scientific and Technical / Healthcare Scientists",
    "Social Care Staff",
    "Public Health / Health Improvement",
    "Commissioning Managers and Support Staff",
    "Admin and Clerical",
    "Central Functions / Corporate Services",
    "Maintenance and Ancillary",
    "General Management",
    "Wider Healthcare Team",
]
# occupational mixes (percent, in OCC order) by kind of directorate
OCC_MIX = {
    "acute_clin": [38, 16, 15, 10, 8, 0.3, 0.2, 0, 9, 0.5, 0, 1, 2],
    "spec_clin": [35, 10, 18, 10, 15, 0, 0, 0, 10, 0, 0, 0, 2],
    "mh_clin": [30, 22, 7, 12, 2, 8, 1, 0, 10, 0, 0, 0, 8],
    "estates": [0, 0, 0, 0, 0, 0, 0, 0, 10, 10, 75, 5, 0],
    "corporate": [0, 0, 0, 0, 3, 0, 2, 5, 35, 40, 0, 15, 0],
    "amb_ops": [3, 0, 1, 55, 0, 0, 0, 0, 4, 0, 0, 2, 35],
    "amb_eoc": [8, 0, 0, 15, 0, 0, 0, 0, 12, 0, 0, 5, 60],
    "amb_pts": [0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 8, 80],
    "amb_fleet": [0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 80, 10, 0],
}

# Directorate templates: (name, weight, occupational mix, teams).  A team marked
# with a trailing '*' is deliberately small (expected 4-9 respondents a year).
ACUTE_DIRS = {
    "Medicine": (24, "acute_clin", ["Ward 7", "Ward 9", "Cardiology", "Respiratory",
                                    "Elderly Care", "Endoscopy*"]),
    "Surgery": (20, "acute_clin", ["Theatres", "Ward 12", "Orthopaedics",
                                   "Day Surgery Unit", "Critical Care", "Pre-op Assessment*"]),
    "Women & Children": (12, "acute_clin", ["Maternity", "Neonatal Unit", "Paediatrics",
                                            "Gynaecology"]),
    "Emergency & Urgent Care": (10, "acute_clin", ["Emergency Department", "Acute Medical Unit",
                                                   "Same Day Emergency Care"]),
    "Clinical Support Services": (16, "acute_clin", ["Pathology", "Radiology", "Pharmacy",
                                                     "Therapies", "Outpatients"]),
    "Estates & Facilities": (8, "estates", ["Estates - Porters", "Estates - Domestics",
                                            "Catering", "Security*"]),
    "Corporate": (10, "corporate", ["Finance", "Human Resources", "Digital Services",
                                    "Patient Experience", "Executive Office*"]),
}
MH_DIRS = {
    "Adult Community Services": (26, "mh_clin", ["Community Mental Health Team North",
                                                 "Community Mental Health Team South",
                                                 "Crisis Resolution",
                                                 "Early Intervention in Psychosis",
                                                 "Talking Therapies"]),
    "Inpatient Services": (24, "mh_clin", ["Ward Aspen", "Ward Birch", "Ward Cedar",
                                           "Psychiatric Intensive Care Unit",
                                           "Place of Safety*"]),
    "Learning Disabilities": (10, "mh_clin", ["LD Community Team", "LD Assessment Unit",
                                              "Positive Behaviour Support"]),
    "Children & Young People": (12, "mh_clin", ["CAMHS Community", "CAMHS Inpatient Unit",
                                                "Eating Disorders"]),
    "Older People's Services": (10, "mh_clin", ["Memory Assessment Service",
                                                "Older Adults Ward", "Dementia Liaison*"]),
    "Corporate": (14, "corporate", ["Finance", "Human Resources", "Digital Services",
                                    "Estates Team", "Executive Office*"]),
}
AMB_DIRS = {
    "Emergency Operations Centre": (20, "amb_eoc", ["999 Call Handling", "Clinical Hub",
                                                    "Dispatch"]),
    "A&E Operations - North": (28, "amb_ops", ["Station Northgate", "Station Millbrook",
                                               "Station Hollins",
                                               "Hazardous Area Response Team*"]),
    "A&E Operations - South": (24, "amb_ops", ["Station Southbrook", "Station Fairhaven",
                                               "Station Ashby Cross"]),
    "Patient Transport Service": (10, "amb_pts", ["PTS Crews", "PTS Control*"]),
    "Fleet & Estates": (8, "amb_fleet", ["Fleet Workshop", "Make Ready Team"]),
    "Corporate": (10, "corporate", ["Finance", "Human Resources", "Digital Services",
                                    "Executive Office*"]),
}
SPEC_DIRS = {
    "Cardiothoracic Services": (40, "spec_clin", ["Cardiac Surgery", "Thoracic Surgery",
                                                  "Cardiology Wards"]),
    "Critical Care & Theatres": (25, "spec_clin", ["Adult Critical Care", "Theatres"]),
    "Diagnostics & Research": (20, "spec_clin", ["Imaging", "Lung Function Lab",
                                                 "Research Unit*"]),
    "Corporate": (15, "corporate", ["Finance", "Human Resources", "Digital Services*"]),
}


def pick_dirs(template, spec):
    """spec: list of (directorate name, number of teams taken from the template)."""
    out = []
    for name, k in spec:
        weight, mix, teams = template[name]
        out.append((name, weight, mix, teams[:k]))
    return out


# Domains of items; trust offsets are given per domain on the logit scale.
JC, SU, HX, EO = "JC", "SU", "HX", "EO"

TRUSTS = [
    dict(code="Z1A", name="Northfield Hospitals NHS Foundation Trust", type="Acute",
         bench=BENCH_ACUTE, region="North East and Yorkshire", resp=3000, white=0.78,
         hc_mult=4.0, disc=0.012, off={JC: -0.15, SU: -0.10, HX: 0.05, EO: 0.00},
         dirs=pick_dirs(ACUTE_DIRS, [("Medicine", 6), ("Surgery", 6), ("Women & Children", 4),
                                     ("Emergency & Urgent Care", 3),
                                     ("Clinical Support Services", 5),
                                     ("Estates & Facilities", 4), ("Corporate", 5)])),
    dict(code="Z2B", name="Kingsmere University Hospitals NHS Trust", type="Acute",
         bench=BENCH_ACUTE, region="South East", resp=2200, white=0.80,
         hc_mult=4.0, disc=0.013, off={JC: 0.05, SU: 0.10, HX: -0.05, EO: 0.05},
         dirs=pick_dirs(ACUTE_DIRS, [("Medicine", 6), ("Surgery", 6), ("Women & Children", 4),
                                     ("Clinical Support Services", 4),
                                     ("Estates & Facilities", 3), ("Corporate", 5)])),
    dict(code="Z3C", name="Brackenford and Elmside Hospitals NHS Foundation Trust",
         type="Acute", bench=BENCH_ACUTE, region="Midlands", resp=1800, white=0.68,
         hc_mult=4.5, disc=0.008, off={JC: 0.00, SU: -0.05, HX: 0.00, EO: -0.10},
         dirs=pick_dirs(ACUTE_DIRS, [("Medicine", 5), ("Surgery", 4), ("Women & Children", 3),
                                     ("Emergency & Urgent Care", 3),
                                     ("Clinical Support Services", 4), ("Corporate", 5)])),
    dict(code="Z4D", name="Riverbank Mental Health NHS Foundation Trust", type="Mental health",
         bench=BENCH_MH, region="London", resp=1500, white=0.55,
         hc_mult=3.5, disc=0.015, off={JC: 0.10, SU: 0.05, HX: 0.10, EO: -0.05},
         dirs=pick_dirs(MH_DIRS, [("Adult Community Services", 5), ("Inpatient Services", 5),
                                  ("Learning Disabilities", 2), ("Children & Young People", 3),
                                  ("Older People's Services", 3), ("Corporate", 5)])),
    dict(code="Z5E", name="Western Counties Ambulance Service NHS Foundation Trust",
         type="Ambulance", bench=BENCH_AMB, region="South West", resp=1200, white=0.92,
         hc_mult=4.0, disc=0.014, off={JC: -0.10, SU: -0.15, HX: 0.15, EO: -0.15},
         dirs=pick_dirs(AMB_DIRS, [("Emergency Operations Centre", 3),
                                   ("A&E Operations - North", 4), ("A&E Operations - South", 3),
                                   ("Patient Transport Service", 2), ("Fleet & Estates", 2),
                                   ("Corporate", 4)])),
    dict(code="Z6F", name="Calderbrook Care Partnership NHS Foundation Trust",
         type="Mental health, learning disability and community", bench=BENCH_MH,
         region="North West", resp=900, white=0.85,
         hc_mult=3.5, disc=0.011, off={JC: 0.15, SU: 0.15, HX: -0.10, EO: 0.10},
         dirs=pick_dirs(MH_DIRS, [("Adult Community Services", 4), ("Inpatient Services", 5),
                                  ("Learning Disabilities", 3), ("Older People's Services", 3),
                                  ("Corporate", 3)])),
    dict(code="Z7G", name="St Aidan's, Westmoor NHS Trust", type="Acute and community",
         bench=BENCH_ACUTE, region="East of England", resp=600, white=0.88,
         hc_mult=5.0, disc=0.0125, off={JC: -0.05, SU: 0.00, HX: -0.15, EO: 0.15},
         dirs=pick_dirs(ACUTE_DIRS, [("Medicine", 4), ("Surgery", 3), ("Women & Children", 2),
                                     ("Clinical Support Services", 3), ("Corporate", 5)])),
    dict(code="Z8H", name="Lindenbrook Heart and Lung Centre NHS Foundation Trust",
         type="Acute specialist", bench=BENCH_SPEC, region="London", resp=350, white=0.75,
         hc_mult=5.5, disc=0.010, off={JC: 0.10, SU: 0.10, HX: -0.10, EO: 0.05},
         dirs=pick_dirs(SPEC_DIRS, [("Cardiothoracic Services", 3),
                                    ("Critical Care & Theatres", 2),
                                    ("Diagnostics & Research", 3), ("Corporate", 3)])),
]
TRUST_BY_CODE = {t["code"]: t for t in TRUSTS}

# Survey items in file-column order:
# (stable id, 2022 column, 2023+ column, kind, domain, baseline p, P(dk), P(blank))
# kind: agree9 = agreement 1-5 + 9 don't know; agree = 1-5; freq = 1-5 frequency;
#       yndk = 1 Yes 2 No 9 Don't know (9 in every questionnaire 2021-2025); yn = 1 Yes 2 No.
# baseline p = P(positive | substantive answer): % agree/strongly agree for
# agreement items, % Yes for q15, % experiencing (frequency 2-5 / Yes) for the
# harassment and discrimination items.
ITEMS = [
    ("incident_fair", "q18a", "q19a", "agree9", JC, 0.60, 0.15, 0.03),
    ("incident_report_encouraged", "q18b", "q19b", "agree9", JC, 0.85, 0.10, 0.03),
    ("incident_action", "q18c", "q19c", "agree9", JC, 0.70, 0.13, 0.03),
    ("incident_feedback", "q18d", "q19d", "agree9", JC, 0.60, 0.12, 0.03),
    ("unsafe_secure", "q19a", "q20a", "agree", SU, 0.72, 0.0, 0.02),
    ("unsafe_confident", "q19b", "q20b", "agree", SU, 0.57, 0.0, 0.02),
    ("speakup_safe", "q23e", "q25e", "agree", SU, 0.62, 0.0, 0.02),
    ("speakup_confident", "q23f", "q25f", "agree", SU, 0.50, 0.0, 0.02),
    ("hba_public", "q14a", "q14a", "freq", HX, 0.27, 0.0, 0.025),
    ("hba_manager", "q14b", "q14b", "freq", HX, 0.11, 0.0, 0.025),
    ("hba_colleague", "q14c", "q14c", "freq", HX, 0.19, 0.0, 0.025),
    ("equal_opportunities", "q15", "q15", "yndk", EO, 0.75, 0.27, 0.02),
    ("discrim_public", "q16a", "q16a", "yn", HX, 0.08, 0.0, 0.02),
    ("discrim_staff", "q16b", "q16b", "yn", HX, 0.07, 0.0, 0.02),
]
ITEM_IDS = [it[0] for it in ITEMS]
ITEM_INDEX = {it[0]: i for i, it in enumerate(ITEMS)}
ORG_RESULT_ITEMS = ITEM_IDS[:8] + ["equal_opportunities"]

# Answer code distributions inside the positive / non-positive parts (fixed, the
# same for everyone): agreement positive -> 5 w.p. 0.35 else 4; non-positive ->
# 3 / 2 / 1 w.p. 0.50 / 0.32 / 0.18; frequency experiencing -> 2 / 3 / 4 / 5
# w.p. 0.62 / 0.20 / 0.08 / 0.10.
AGREE_NEG_CUM = cumulative([0.50, 0.32, 0.18])
AGREE_NEG_CODES = ["3", "2", "1"]
FREQ_POS_CUM = cumulative([0.62, 0.20, 0.08, 0.10])
FREQ_POS_CODES = ["2", "3", "4", "5"]

# ---- planted effects (the only systematic differences in the data) -------------
IMPROVING_TRUST = "Z1A"          # effect 3
IMPROVE_PER_YEAR = {JC: 0.06, SU: 0.04}   # added to p, centred on 2023
HOTSPOT_TRUST = "Z2B"            # effect 2
HOTSPOT_DIRECTORATE = "Surgery"
HOTSPOT_DROP = 0.20              # subtracted from p of the four SU items
WRES_TRUST = "Z3C"               # effect 1
WRES_RATIO = 2.0                 # BME / White disciplinary rate
WRES_Q16B_BME = 0.18             # P(q16b = Yes) for BME respondents in WRES_TRUST
SHIFT_TRUST = "Z3C"              # monthly HR level shift (effect 1b)
SHIFT_FROM = "2023-07"
SHIFT_FACTOR = 2.0               # multiplies every group's disciplinary rate
ONS_DETAIL_TRUSTS = ("Z3C", "Z4D", "Z7G")   # trusts in wres-hr-ons.csv

# ---- demographics -----------------------------------------------------------
ETH_WHITE_SHARES = [85.0, 3.0, 0.3, 11.7]              # codes 01-04
ETH_BME_SHARES = [3, 2, 3, 3, 22, 6, 3, 3, 11, 25, 7, 3, 2, 7]  # codes 05-18
ETH_NOT_STATED = 0.03
ONS_LABELS = [
    "White - English, Welsh, Scottish, Northern Irish or British",
    "White - Irish",
    "White - Gypsy or Irish Traveller",
    "White - Any other White background",
    "Mixed - White and Black Caribbean",
    "Mixed - White and Black African",
    "Mixed - White and Asian",
    "Mixed - Any other Mixed background",
    "Asian or Asian British - Indian",
    "Asian or Asian British - Pakistani",
    "Asian or Asian British - Bangladeshi",
    "Asian or Asian British - Chinese",
    "Asian or Asian British - Any other Asian background",
    "Black or Black British - African",
    "Black or Black British - Caribbean",
    "Black or Black British - Any other Black background",
    "Other ethnic group - Arab",
    "Other ethnic group - Any other ethnic group",
]
ONS_NOT_STATED = "Not stated"
ETH_WHITE_CUM = cumulative(ETH_WHITE_SHARES)
ETH_BME_CUM = cumulative(ETH_BME_SHARES)
GENDER_CODES = ["1", "2", "3", "4", "5", ""]
GENDER_MIX = {"default": [19.5, 78.5, 0.5, 0.3, 0.7, 0.5],
              "Ambulance": [49.0, 49.0, 0.5, 0.3, 0.7, 0.5]}
DISAB_CODES = ["1", "2", ""]
DISAB_MIX = [20.0, 78.5, 1.5]
AGE_CODES = ["16-20", "21-30", "31-40", "41-50", "51-65", "66+", ""]
AGE_MIX = [1.5, 19.0, 24.0, 25.0, 28.5, 1.0, 1.0]
OCC_BLANK = 0.005
HR_UNKNOWN = 0.04      # share of workforce with ethnicity not stated
HR_GROWTH = 0.02       # headcount growth a year

# ---- formatting ---------------------------------------------------------------
AGREE_LABELS = {"1": "Strongly disagree", "2": "Disagree",
                "3": "Neither agree nor disagree", "4": "Agree", "5": "Strongly agree",
                "9": "Don't know"}
FREQ_LABELS = {"1": "Never", "2": "1-2", "3": "3-5", "4": "6-10", "5": "More than 10"}
YNDK_LABELS = {"1": "Yes", "2": "No", "9": "Don't know"}
KIND_LABELS = {"agree9": AGREE_LABELS, "agree": AGREE_LABELS, "freq": FREQ_LABELS,
               "yndk": YNDK_LABELS, "yn": YNDK_LABELS}
LABEL_ROW_SHARE = 0.10
COMMENT_SHARE = 1.0 / 3.0

PHRASES = [
    "Staffing on nights is a constant worry",
    "My manager is supportive, but the wider organisation doesn't listen",
    "We were told the \"lessons learned\" would be shared; nothing came back",
    "Raised a concern about the rota in March, still waiting for a reply",
    "Good team, great ward manager",
    "The incident reporting system is slow, clunky and times out",
    "Too many meetings, not enough time with patients",
    "Felt blamed after a near miss, which put me off reporting",
    "Thank you for asking",
    "Bank staff are treated differently to substantive staff",
    "The Freedom to Speak Up guardian was excellent",
    "I don't feel safe raising things with senior managers",
    "Equipment is old, e.g. hoists, beds, monitors",
    "Please fix the Wi-Fi",
    "Training days get cancelled when we're short",
    "Car parking is a nightmare",
    "Pay doesn't stretch \u2014 \u00a3 for \u00a3 we are worse off",
    "Feedback after incidents has got better this year",
    "Why does nobody answer the \"speak up\" inbox?",
    "Handover is rushed, and things get missed",
    "Colleagues from overseas are made very welcome",
    "Some managers have favourites",
    "It\u2019s a great place to work most days",
    "Breaks are rarely taken",
    "Communication from the top is poor",
]
WHOLE_COMMENTS = [
    "N/A", "No comment", "n/a", "Nothing to add.", "-",
    "=HYPERLINK(\"http://example.invalid/survey\",\"click here\")",
    "=1+2", "=SUM(A1:A9)", "+44 1632 960000 call me", "-2+3 staff short today",
    "@ward manager please read this",
    "Contact me on staff no. 4471029",
    "My survey id is NSS23-0099999 if you want to follow up",
    "email a.n.other@example.nhs.uk",
]
JOINERS = [". ", ", ", "; ", " - ", "\n", ". ", "\n\n"]


# --------------------------------------------------------------------------- model


def true_p(trust, item, year, directorate, eth_group):
    """P(positive | substantive answer) for one respondent: the whole model."""
    if isinstance(item, str):
        item = ITEMS[ITEM_INDEX[item]]
    sid, _, _, _, dom, base, _, _ = item
    p = expit(logit(base) + trust["off"][dom])
    code = trust["code"]
    if code == IMPROVING_TRUST and dom in IMPROVE_PER_YEAR:
        p += IMPROVE_PER_YEAR[dom] * (year - 2023)
    if code == HOTSPOT_TRUST and dom == SU and directorate == HOTSPOT_DIRECTORATE:
        p -= HOTSPOT_DROP
    if code == WRES_TRUST and sid == "discrim_staff" and eth_group == "BME":
        p = WRES_Q16B_BME
    return p


def trust_structure(trust):
    """Directorate and team sampling weights (fixed over years)."""
    rng = Rng(SURVEY_SEED, "structure", trust["code"])
    dirs = []
    for name, weight, mix, teams in trust["dirs"]:
        tlist = []
        for t in teams:
            if t.endswith("*"):
                tlist.append((t[:-1], True, rng.uniform_range(4.0, 9.0)))
            else:
                tlist.append((t, False, rng.uniform_range(0.6, 1.4)))
        dirs.append(dict(name=name, weight=weight, mix=mix, teams=tlist))
    return dirs


def trust_year_size(trust, year):
    rng = Rng(SURVEY_SEED, "size", trust["code"], year)
    return round_half_up(trust["resp"] * rng.uniform_range(0.95, 1.05))


def eth_group_of(code):
    if not code:
        return "Unknown"
    return "White" if int(code) <= 4 else "BME"


def simulate_survey():
    """Return {(year, code): [respondent dict, ...]} with answer codes."""
    out = {}
    occ_cums = {k: cumulative(v) for k, v in OCC_MIX.items()}
    disab_cum = cumulative(DISAB_MIX)
    age_cum = cumulative(AGE_MIX)
    for trust in TRUSTS:
        code = trust["code"]
        dirs = trust_structure(trust)
        dir_cum = cumulative([d["weight"] for d in dirs])
        dir_total = dir_cum[-1]
        gender_cum = cumulative(GENDER_MIX.get(trust["type"], GENDER_MIX["default"]))
        for year in YEARS:
            n = trust_year_size(trust, year)
            rng = Rng(SURVEY_SEED, "survey", code, year)
            # team choice within each directorate: small teams have a fixed expected
            # size, the other teams share the rest in proportion to their weights.
            team_cums = []
            for d in dirs:
                expected = n * d["weight"] / dir_total
                small = sum(s for _, is_small, s in d["teams"] if is_small)
                normal = sum(w for _, is_small, w in d["teams"] if not is_small)
                ws = []
                for _, is_small, w in d["teams"]:
                    ws.append(w / expected if is_small else (1.0 - small / expected) * w / normal)
                team_cums.append(cumulative(ws))
            # p for every (directorate, ethnic group, item) cell
            pcache = {}
            rows = []
            for _ in range(n):
                di = rng.weighted_index(dir_cum)
                d = dirs[di]
                team = d["teams"][rng.weighted_index(team_cums[di])][0]
                if rng.bernoulli(ETH_NOT_STATED):
                    eth = ""
                elif rng.bernoulli(trust["white"]):
                    eth = "%02d" % (1 + rng.weighted_index(ETH_WHITE_CUM))
                else:
                    eth = "%02d" % (5 + rng.weighted_index(ETH_BME_CUM))
                grp = eth_group_of(eth)
                gender = GENDER_CODES[rng.weighted_index(gender_cum)]
                disab = DISAB_CODES[rng.weighted_index(disab_cum)]
                if rng.bernoulli(OCC_BLANK):
                    occ = ""
                else:
                    occ = OCC[rng.weighted_index(occ_cums[d["mix"]])]
                age = AGE_CODES[rng.weighted_index(age_cum)]
                key = (d["name"], grp)
                ps = pcache.get(key)
                if ps is None:
                    ps = [true_p(trust, it, year, d["name"], grp) for it in ITEMS]
                    pcache[key] = ps
                answers = []
                for it, p in zip(ITEMS, ps):
                    kind, dk, blank = it[3], it[6], it[7]
                    if rng.uniform() < blank:
                        answers.append("")
                        continue
                    if dk > 0.0 and rng.uniform() < dk:
                        answers.append("9")
                        continue
                    pos = rng.uniform() < p
                    u = rng.uniform()
                    if kind in ("agree9", "agree"):
                        if pos:
                            a = "5" if u < 0.35 else "4"
                        else:
                            a = AGREE_NEG_CODES[bisect_right(AGREE_NEG_CUM, u)]
                    elif kind == "freq":
                        a = FREQ_POS_CODES[bisect_right(FREQ_POS_CUM, u)] if pos else "1"
                    else:
                        a = "1" if pos else "2"
                    answers.append(a)
                rows.append(dict(directorate=d["name"], team=team, eth=eth, grp=grp,
                                 gender=gender, disab=disab, occ=occ, age=age,
                                 answers=answers))
            out[(year, code)] = rows
    return out


def is_positive(kind, a):
    """(substantive, positive) for one answer code."""
    if a == "":
        return False, False
    if kind in ("agree9", "agree"):
        if a == "9":
            return False, False
        return True, a in ("4", "5")
    if kind == "freq":
        return True, a != "1"
    if kind == "yndk":
        if a == "9":
            return False, False
        return True, a == "1"
    return True, a == "1"


def simulate_hr():
    """Monthly disciplinary counts by ONS category.

    Returns (headcount, monthly) where headcount[(year, code)] = list of 19 counts
    (18 ONS categories then not stated) and monthly[(month, code)] = 19 counts.
    """
    headcount, monthly = {}, {}
    for trust in TRUSTS:
        code = trust["code"]
        for year in YEARS:
            rng = Rng(HR_SEED, "headcount", code, year)
            total = round_half_up(trust["resp"] * trust["hc_mult"]
                                  * (1.0 + HR_GROWTH) ** (year - 2022)
                                  * rng.uniform_range(0.99, 1.01))
            unknown = round_half_up(total * HR_UNKNOWN * rng.uniform_range(0.8, 1.2))
            white = round_half_up((total - unknown) * trust["white"])
            bme = total - unknown - white
            cats = (split_count(rng, white, ETH_WHITE_SHARES)
                    + split_count(rng, bme, ETH_BME_SHARES) + [unknown])
            headcount[(year, code)] = cats
            for m in range(1, 13):
                month = "%d-%02d" % (year, m)
                mrng = Rng(HR_SEED, "disciplinary", code, month)
                rate = trust["disc"]
                if code == SHIFT_TRUST and month >= SHIFT_FROM:
                    rate *= SHIFT_FACTOR
                counts = []
                for ci, h in enumerate(cats):
                    r = rate * (WRES_RATIO if code == WRES_TRUST and 4 <= ci < 18 else 1.0)
                    counts.append(mrng.binomial(h, r / 12.0))
                monthly[(month, code)] = counts
    return headcount, monthly


def split_count(rng, total, shares):
    """Split total over categories in jittered proportion, largest remainder."""
    ws = [s * rng.uniform_range(0.85, 1.15) for s in shares]
    tw = sum(ws)
    raw = [total * w / tw for w in ws]
    base = [int(math.floor(r)) for r in raw]
    left = total - sum(base)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return base


def group_counts(cats):
    return [sum(cats[0:4]), sum(cats[4:18]), cats[18]]


# --------------------------------------------------------------------------- output


def csv_field(s):
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def csv_line(fields, eol):
    return ",".join(csv_field(f) for f in fields) + eol


def write_gzip(path, text):
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                           compresslevel=9) as gz:
            gz.write(text.encode("utf-8"))


def write_text(path, text):
    with open(path, "wb") as f:
        f.write(text.encode("utf-8"))


def vary_label(rng, label):
    """A label with varied case and spacing (never adds or removes inner words)."""
    style = rng.randint(0, 5)
    if style == 1:
        label = label.lower()
    elif style == 2:
        label = label.upper()
    elif style == 3:
        label = " ".join(w[:1].upper() + w[1:] for w in label.split(" "))
    elif style == 4:
        label = label[:1] + label[1:].lower()
    sp = rng.randint(0, 4)
    if sp == 1:
        label = " " + label
    elif sp == 2:
        label = label + " "
    elif sp == 3 and " " in label:
        label = label.replace(" ", "  ", 1)
    elif sp == 4:
        label = " " + label.replace(" ", "  ") + " "
    return label


def make_comment(rng):
    if rng.bernoulli(0.12):
        return rng.choice(WHOLE_COMMENTS)
    k = 1 + rng.weighted_index([0.55, 0.85, 1.0])
    parts = [rng.choice(PHRASES) for _ in range(k)]
    text = parts[0]
    for p in parts[1:]:
        text += rng.choice(JOINERS) + (p[:1].lower() + p[1:] if rng.bernoulli(0.3) else p)
    if rng.bernoulli(0.5) and text[-1] not in ".?!":
        text += "."
    return text


SURVEY_HEAD_2022 = ["year", " Trust_Code", "trust_name", "bench_group", "respondent_id",
                    "directorate", "team"] + ["Q18A"] + [it[1] for it in ITEMS[1:]] + [
                    "q27", "gender", "disability", "occupation", "age_band", "comments"]
SURVEY_HEAD_2023 = ["year", "trust_code", "trust_name", "bench_group", "respondent_id",
                    "directorate", "team"] + [it[2] for it in ITEMS] + [
                    "q28", "gender", "disability", "occupation", "age_band", "comments"]


def survey_text(survey, years, header, eol, bom, labels):
    rng = Rng(FORMAT_SEED, "format", years[0])
    out = ["\ufeff" if bom else "", csv_line(header, eol)]
    for year in years:
        rid = 100 + rng.randint(0, 900)
        for trust in TRUSTS:
            for r in survey[(year, trust["code"])]:
                rid += rng.randint(1, 5)
                answers = r["answers"]
                if labels and rng.bernoulli(LABEL_ROW_SHARE):
                    answers = [vary_label(rng, KIND_LABELS[it[3]][a]) if a else ""
                               for it, a in zip(ITEMS, answers)]
                comment = make_comment(rng) if rng.bernoulli(COMMENT_SHARE) else ""
                fields = [str(year), trust["code"], trust["name"], trust["bench"],
                          "NSS%02d-%07d" % (year % 100, rid), r["directorate"], r["team"]]
                fields += answers
                fields += [r["eth"], r["gender"], r["disab"], r["occ"], r["age"], comment]
                out.append(csv_line(fields, eol))
    return "".join(out)


def counts_text(survey):
    out = [csv_line(["period", "org", "item", "group_dim", "group", "n", "positive"], "\n")]
    for year in YEARS:
        for trust in TRUSTS:
            rows = survey[(year, trust["code"])]
            for i, it in enumerate(ITEMS):
                tally = {"all": [0, 0], "White": [0, 0], "BME": [0, 0], "Unknown": [0, 0]}
                for r in rows:
                    sub, pos = is_positive(it[3], r["answers"][i])
                    if sub:
                        for g in ("all", r["grp"]):
                            tally[g][0] += 1
                            tally[g][1] += pos
                for dim, g in (("all", "all"), ("ethnicity", "White"),
                               ("ethnicity", "BME"), ("ethnicity", "Unknown")):
                    out.append(csv_line([str(year), trust["code"], it[0], dim, g,
                                         str(tally[g][0]), str(tally[g][1])], "\n"))
    return "".join(out)


def occupation_weights(survey, year):
    """NSS-style weights: w[code][occupation] = min(5, bench share / trust share)."""
    weights = {}
    bench_tot = {}
    for trust in TRUSTS:
        acc = bench_tot.setdefault(trust["bench"], {})
        for r in survey[(year, trust["code"])]:
            if r["occ"]:
                acc[r["occ"]] = acc.get(r["occ"], 0) + 1
    for trust in TRUSTS:
        own = {}
        for r in survey[(year, trust["code"])]:
            if r["occ"]:
                own[r["occ"]] = own.get(r["occ"], 0) + 1
        b = bench_tot[trust["bench"]]
        bn, tn = sum(b.values()), sum(own.values())
        weights[trust["code"]] = {g: min(5.0, (b[g] / bn) / (c / tn)) for g, c in own.items()}
    return weights


def org_results_text(survey):
    head = ["org_code", "org_name", "year", "bench_group", "region", "weighting"]
    for sid in ORG_RESULT_ITEMS:
        head += [sid + "_base", sid + "_rate"]
    out = [csv_line(head, "\n")]
    for year in YEARS:
        weights = occupation_weights(survey, year)
        for trust in TRUSTS:
            w = weights[trust["code"]]
            rows = survey[(year, trust["code"])]
            fields = [trust["code"], trust["name"], str(year), trust["bench"],
                      trust["region"], "occupational group"]
            for sid in ORG_RESULT_ITEMS:
                i = ITEM_INDEX[sid]
                kind = ITEMS[i][3]
                base, sw, swp = 0, 0.0, 0.0
                for r in rows:
                    sub, pos = is_positive(kind, r["answers"][i])
                    if sub:
                        wi = w.get(r["occ"], 1.0)
                        base += 1
                        sw += wi
                        swp += wi if pos else 0.0
                fields += [str(base), "%.1f" % (100.0 * swp / sw) if sw > 0 else ""]
            out.append(csv_line(fields, "\n"))
    return "".join(out)


def hr_texts(headcount, monthly):
    head = csv_line(["period", "org", "ethnicity", "headcount", "disciplinary"], "\n")
    grouped, ons, mon = [head], [head], [head]
    ons_orgs = [t["code"] for t in TRUSTS if t["code"] in ONS_DETAIL_TRUSTS]
    for year in YEARS:
        for trust in TRUSTS:
            code = trust["code"]
            hc = headcount[(year, code)]
            disc = [0] * 19
            for m in range(1, 13):
                for i, c in enumerate(monthly[("%d-%02d" % (year, m), code)]):
                    disc[i] += c
            for g, h, d in zip(("White", "BME", "Unknown"), group_counts(hc),
                               group_counts(disc)):
                grouped.append(csv_line([str(year), code, g, str(h), str(d)], "\n"))
            if code in ons_orgs:
                for label, h, d in zip(ONS_LABELS + [ONS_NOT_STATED], hc, disc):
                    ons.append(csv_line([str(year), code, label, str(h), str(d)], "\n"))
    for year in YEARS:
        for m in range(1, 13):
            month = "%d-%02d" % (year, m)
            for trust in TRUSTS:
                code = trust["code"]
                hc = group_counts(headcount[(year, code)])
                dc = group_counts(monthly[(month, code)])
                for g, h, d in zip(("White", "BME", "Unknown"), hc, dc):
                    mon.append(csv_line([month, code, g, str(h), str(d)], "\n"))
    return "".join(grouped), "".join(ons), "".join(mon)



def generate(outdir):
    survey = simulate_survey()
    headcount, monthly = simulate_hr()
    os.makedirs(outdir, exist_ok=True)
    write_gzip(os.path.join(outdir, "nss-2022.csv.gz"),
               survey_text(survey, (2022,), SURVEY_HEAD_2022, "\r\n", True, False))
    write_gzip(os.path.join(outdir, "nss-2023.csv.gz"),
               survey_text(survey, (2023, 2024), SURVEY_HEAD_2023, "\n", False, True))
    grouped, ons, mon = hr_texts(headcount, monthly)
    write_text(os.path.join(outdir, "wres-hr.csv"), grouped)
    write_text(os.path.join(outdir, "wres-hr-ons.csv"), ons)
    write_text(os.path.join(outdir, "hr-monthly.csv"), mon)
    write_text(os.path.join(outdir, "org-results.csv"), org_results_text(survey))
    write_text(os.path.join(outdir, "counts.csv"), counts_text(survey))


# --------------------------------------------------------------------------- truth


def print_truth():
    """The true model as Markdown tables (pasted into README.md)."""
    w = sys.stdout.write
    w("True P(positive | substantive answer), %, before planted effects "
      "(= every year, directorate and group unless a planted effect applies):\n\n")
    w("| item | baseline | " + " | ".join(t["code"] for t in TRUSTS) + " |\n")
    w("|---|---|" + "---|" * len(TRUSTS) + "\n")
    for it in ITEMS:
        cells = ["%.1f" % (100 * expit(logit(it[5]) + t["off"][it[4]])) for t in TRUSTS]
        w("| %s | %.1f | %s |\n" % (it[0], 100 * it[5], " | ".join(cells)))
    w("\nPlanted cells:\n\n| trust | cell | item | 2022 | 2023 | 2024 |\n"
      "|---|---|---|---|---|---|\n")
    t = TRUST_BY_CODE[IMPROVING_TRUST]
    for it in ITEMS:
        if it[4] in IMPROVE_PER_YEAR:
            w("| %s | whole trust | %s | %s |\n" % (t["code"], it[0], " | ".join(
                "%.1f" % (100 * true_p(t, it, y, "", "White")) for y in YEARS)))
    t = TRUST_BY_CODE[HOTSPOT_TRUST]
    for it in ITEMS:
        if it[4] == SU:
            w("| %s | %s / rest of trust | %s | %s |\n" % (
                t["code"], HOTSPOT_DIRECTORATE, it[0], " | ".join(
                    "%.1f / %.1f" % (100 * true_p(t, it, y, HOTSPOT_DIRECTORATE, "White"),
                                     100 * true_p(t, it, y, "", "White")) for y in YEARS)))
    t = TRUST_BY_CODE[WRES_TRUST]
    it = ITEMS[ITEM_INDEX["discrim_staff"]]
    w("| %s | BME / White | discrim_staff | %s |\n" % (t["code"], " | ".join(
        "%.1f / %.1f" % (100 * true_p(t, it, y, "", "BME"), 100 * true_p(t, it, y, "", "White"))
        for y in YEARS)))
    w("\nWorkforce and disciplinary model (annual rates; monthly rate = annual / 12):\n\n"
      "| trust | headcount 2022 (x1.02 a year) | White share of stated ethnicity | "
      "White = Unknown rate | BME rate | BME/White |\n|---|---|---|---|---|---|\n")
    for t in TRUSTS:
        r = t["disc"]
        ratio = WRES_RATIO if t["code"] == WRES_TRUST else 1.0
        if t["code"] == SHIFT_TRUST:
            rates = "%.2f%%, from %s %.2f%%" % (100 * r, SHIFT_FROM, 100 * r * SHIFT_FACTOR)
            brates = "%.2f%%, from %s %.2f%%" % (100 * r * ratio, SHIFT_FROM,
                                                  100 * r * ratio * SHIFT_FACTOR)
        else:
            rates, brates = "%.2f%%" % (100 * r), "%.2f%%" % (100 * r * ratio)
        w("| %s | ~%d | %.0f%% | %s | %s | %.1f |\n" % (
            t["code"], round_half_up(t["resp"] * t["hc_mult"]), 100 * t["white"], rates,
            brates, ratio))


def main(argv):
    if len(argv) == 2 and argv[1] == "--truth":
        print_truth()
        return 0
    if len(argv) != 2 or argv[1].startswith("-"):
        sys.stderr.write("usage: python3 generate.py OUTDIR | --truth\n")
        return 2
    generate(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
