"""Round trip: per period, org and item, the number of substantive answers
and of positive answers counted straight from the raw survey exports with
Python's csv module must equal those counted from candour-ingest --export.

The raw side knows the questionnaires independently of candour's schemas:
which column holds which question in which year, and which answer codes or
labels are positive or don't know.  Usage: roundtrip.py RAW.csv.gz... EXPORT.csv
"""
import collections
import csv
import gzip
import io
import sys

# stable item -> question code per layout (NHS Staff Survey 2022 and 2023)
CODES = {
    "incident_fair": ("q18a", "q19a"),
    "incident_report_encouraged": ("q18b", "q19b"),
    "incident_action": ("q18c", "q19c"),
    "incident_feedback": ("q18d", "q19d"),
    "unsafe_secure": ("q19a", "q20a"),
    "unsafe_confident": ("q19b", "q20b"),
    "speakup_safe": ("q23e", "q25e"),
    "speakup_confident": ("q23f", "q25f"),
    "hba_public": ("q14a", "q14a"),
    "hba_manager": ("q14b", "q14b"),
    "hba_colleague": ("q14c", "q14c"),
    "equal_opportunities": ("q15", "q15"),
    "discrim_public": ("q16a", "q16a"),
    "discrim_staff": ("q16b", "q16b"),
}
AGREE = {"1": "strongly disagree", "2": "disagree", "3": "neither agree nor disagree",
         "4": "agree", "5": "strongly agree", "9": "don't know"}
TIMES = {"1": "never", "2": "1-2", "3": "3-5", "4": "6-10", "5": "more than 10"}
YESNODK = {"1": "yes", "2": "no", "9": "don't know"}
YESNO = {"1": "yes", "2": "no"}
# item -> (labels by code, positive codes, don't-know codes)
RULES = {item: (AGREE, {"4", "5"}, {"9"}) for item in list(CODES)[:8]}
RULES.update({i: (TIMES, {"2", "3", "4", "5"}, set()) for i in ("hba_public", "hba_manager", "hba_colleague")})
RULES["equal_opportunities"] = (YESNODK, {"1"}, {"9"})
RULES["discrim_public"] = (YESNO, {"1"}, set())
RULES["discrim_staff"] = (YESNO, {"1"}, set())


def norm(s):
    return " ".join(s.split()).lower()


def code_of(item, raw):
    labels = RULES[item][0]
    v = norm(raw)
    if v == "":
        return None
    if v.isdigit():
        v = str(int(v))
        if v in labels:
            return v
    for code, label in labels.items():
        if v == label:
            return code
    raise SystemExit(f"unexpected answer {raw!r} for {item}")


def count(rows_by_item):
    counts = collections.Counter()
    for key, code, item in rows_by_item:
        if code is None or code in RULES[item][2]:
            continue
        counts[key + ("n",)] += 1
        counts[key + ("positive",)] += code in RULES[item][1]
    return counts


def raw_side(paths):
    def rows():
        for path in paths:
            with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as f:
                reader = csv.reader(f)
                header = [h.strip().lower() for h in next(reader)]
                for rec in reader:
                    if not any(x.strip() for x in rec):
                        continue
                    r = dict(zip(header, rec))
                    year = r["year"].strip()
                    layout = 0 if year == "2022" else 1
                    for item, codes in CODES.items():
                        yield (year, r["trust_code"].strip(), item), code_of(item, r[codes[layout]]), item
    return count(rows())


def export_side(path):
    def rows():
        with open(path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                for item in CODES:
                    v = r[item]
                    yield (r["period"], r["org"], item), (v if v != "" else None), item
    return count(rows())


def main():
    raw = raw_side(sys.argv[1:-1])
    exported = export_side(sys.argv[-1])
    if raw != exported:
        diff = sorted(set(raw.items()) ^ set(exported.items()))[:20]
        print("round trip differs (first 20):", *diff, sep="\n  ")
        return 1
    cells = len({k[:3] for k in raw})
    positives = sum(v for k, v in raw.items() if k[3] == "positive")
    print(f"round trip ok: {cells} period x org x item cells, {positives} positive answers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
