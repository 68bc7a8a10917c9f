#!/usr/bin/python3
"""Check a national funnel SVG against benchmarks.csv (see cmd).

    check_funnel.py SVG BENCHMARKS TRENDS ITEM

Prints one line of what it checked; exits 1 with the problems.  Standard
library only.
"""
import csv
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def main(svg_path, bench_path, trends_path, item):
    problems = []
    text = open(svg_path, encoding="utf-8").read()
    root = ET.fromstring(text)  # well-formed, or this raises
    if "showHypertext" in text:
        problems.append("gnuplot's hypertext script calls are left in the SVG")
    rows = [r for r in csv.DictReader(open(bench_path, newline=""))
            if r["item"] == item and r["group_dim"] == "all" and r["weighted"] == "no"]
    period = max(r["period"] for r in rows)
    rows = [r for r in rows if r["period"] == period]
    names = {r["org"]: r["org_name"] for r in csv.DictReader(open(trends_path, newline=""))
             if r["period"] == period and r["org_name"]}
    everyone = [r for r in rows if r["benchmark"] == "ALL"]
    shown = [r for r in everyone if r["suppressed"] == "no"]
    group_of = {r["org"]: r["benchmark"][len("GROUP:"):] for r in rows
                if r["benchmark"].startswith("GROUP:")}

    # a title per shown org: code, name, %, n
    def typographic(s):
        return s.replace('"', "\u201d").replace("'", "\u2019").replace("\n", "\\n")
    want = set()
    for r in shown:
        name = names.get(r["org"])
        head = r["org"] + (" " + typographic(name) if name else "")
        want.add(f"{head}: {100 * float(r['estimate']):.1f}%, n = {float(r['n']):.0f}")
    titles = [g.find(SVG + "title").text for g in root.iter(SVG + "g")
              if g.find(SVG + "title") is not None and len(g.attrib) == 0]
    if sorted(titles) != sorted(want):
        missing = sorted(want - set(titles))[:3]
        extra = sorted(set(titles) - want)[:3]
        problems.append(f"titles: {len(titles)} for {len(want)} shown orgs; "
                        f"missing {missing}, unexpected {extra}")

    # orgs beyond the 99.8% limits: labelled, or listed in the footnote
    outside = {r["org"] for r in shown
               if not float(r["lower998"]) <= float(r["estimate"]) <= float(r["upper998"])}
    labels = {}
    for g in root.iter(SVG + "g"):
        m = re.match(r"translate\(([-\d.]+),([-\d.]+)\)", g.get("transform", ""))
        t = g.find(SVG + "text")
        if m and t is not None:
            content = "".join(t.itertext()).strip()
            if content in outside:
                labels[content] = (float(m.group(1)), float(m.group(2)))
    foot = re.search(r"(\d+) orgs beyond the 99\.8% limits, labelled with their code"
                     r"(?:; (\d+) not labelled for want of room: ([^.]*))?", text)
    if not foot:
        problems.append("no footnote on the orgs beyond the 99.8% limits")
    else:
        more = re.search(r" and (\d+) more$", foot.group(3) or "")
        listed = set(re.split(r", ", re.sub(r" and \d+ more$", "", foot.group(3) or ""))) - {""}
        n_more = int(more.group(1)) if more else 0
        if foot.group(2) and int(foot.group(2)) != len(listed) + n_more:
            problems.append(f"footnote: {foot.group(2)} not labelled, {len(listed)} listed "
                            f"and {n_more} more")
        if int(foot.group(1)) != len(outside):
            problems.append(f"footnote says {foot.group(1)} beyond 99.8%, results {len(outside)}")
        if len(labels) + len(listed) + n_more != len(outside) or not listed <= outside \
                or set(labels) & listed or not set(labels) <= outside:
            problems.append(f"labelled {sorted(labels)} + listed {sorted(listed)} "
                            f"!= beyond 99.8% {sorted(outside)}")
    # labels' boxes (9 pt: at most 6.5 px a character, 11 px high) do not overlap
    boxes = [(x, y - 8, x + 6.5 * len(code), y + 3, code) for code, (x, y) in labels.items()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                problems.append(f"labels {a[4]} and {b[4]} overlap")

    # one style per benchmarking group, holding that group's shown orgs
    groups = sorted(set(group_of.get(r["org"], "no benchmarking group") for r in everyone))
    styles, counts = [], []
    for g in root.iter(SVG + "g"):
        if not g.get("id", "").startswith("gnuplot_plot_"):
            continue
        uses = [u for u in g.iter(SVG + "use")]
        if all(u.get("color", "").replace(" ", "") == "rgb(255,255,255)" for u in uses):
            continue  # a key entry carrying a further line of a group's name
        key = next(("".join(t.itertext()).strip() for t in g.iter(SVG + "text")), "")
        match = [name for name in groups if key and name.replace("\n", "\\n").startswith(key)]
        if not match or not uses:
            continue
        styles.append((uses[0].get(XLINK + "href"), uses[0].get("color")))
        counts.append((match[0], len(uses) - 1))  # less the key's sample point
    if len(styles) != len(groups) or len(set(styles)) != len(styles):
        problems.append(f"{len(groups)} groups, point styles {styles}")
    for name, n in counts:
        expected = sum(1 for r in shown if group_of.get(r["org"], "no benchmarking group") == name)
        if n != expected:
            problems.append(f"group {name!r}: {n} points, {expected} shown orgs")

    # the y range from the data: the lowest tic is within 10 points of the lowest org
    pcts = [100 * float(r["estimate"]) for r in shown]
    ytics = []
    for g in root.iter(SVG + "g"):
        t = g.find(SVG + "text")
        if g.get("text-anchor") == "end" and t is not None:
            s = "".join(t.itertext()).strip()
            if re.fullmatch(r"\d+", s):
                ytics.append(int(s))
    if not ytics or min(pcts) - min(ytics) > 10 or max(ytics) - max(pcts) > 10:
        problems.append(f"y tics {sorted(set(ytics))} for orgs from {min(pcts):.1f} "
                        f"to {max(pcts):.1f}")
    if problems:
        print("\n".join(problems[:20]))
        return 1
    print(f"{item}: {len(titles)} point titles, {len(outside)} beyond 99.8% "
          f"({len(labels)} labelled, none overlapping), {len(groups)} group styles")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
