#!/usr/bin/env python3
"""National-scale benchmark of candour against its floors and DuckDB.

    python3 bench/bench.py [--rows 100000,700000,2100000] [--runs 3] [--no-duckdb]

For each size, bench/gen-national writes a respondent file in the nss-2023
layout widened to 120 items (rows above 700,000 are further survey years of
700,000 rows each, as a 3-year national series is), plain and, up to 700,000
rows, gzip.  Every command is timed as a whole process, once per round for RUNS rounds
(interleaved, so that the machine's drifts touch every command alike), and
the median, minimum and maximum wall time are reported with the median CPU time
and the peak RSS (from wait4's rusage).  DuckDB (npm @duckdb/node-api, 2
threads) answers the same question, n and positive answers per org x WRES
ethnicity group for every item, from the CSV and from a loaded table; its
times are the queries' own (without starting node), and its counts must
equal candour's (candour-stats --min-n 1, proportions.csv, ethnicity rows)
exactly.  Over the loaded table DuckDB also does the same work as
candour-stats' proportions table (every scope x grouping x item: n, positive,
estimate, Wilson 95% interval, written to CSV), and every cell candour-stats
shows must equal DuckDB's.  Results go to stdout and build/bench/results.txt.
"""
import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
W = os.path.join(TOP, "build", "bench")
BIN = os.path.join(TOP, "bin")
DUCKDB_PACKAGE = "@duckdb/node-api@1.5.6-r.1"
ROWS_PER_YEAR = 700000
# The largest trust of gen-national's files (its sizes scale with the rows,
# so the same at every size), for "one trust with its comparators".
ONE_ORG = "RBQ"
# Every grouping but the unit levels (directorate, team): org-level tables.
ORG_LEVEL_GROUPINGS = "ethnicity,gender,disability,occupation,age_band"

lines_out = []


def say(text=""):
    print(text, flush=True)
    lines_out.append(text)


def run_once(cmd, stdout=subprocess.DEVNULL):
    """Wall seconds, CPU seconds and peak RSS (MB) of one whole process,
    measured by bench/timeit."""
    report = os.path.join(W, "timeit.out")
    proc = subprocess.run([os.path.join(W, "timeit"), report] + cmd, stdout=stdout,
                          stderr=subprocess.PIPE)
    wall, cpu, rss_kb, status = open(report).read().split()
    if proc.returncode != 0 or int(status) != 0:
        sys.exit("bench: %s failed (exit %s): %s" % (" ".join(cmd), status,
                                                     proc.stderr.decode(errors="replace")[-2000:]))
    return float(wall), float(cpu), int(rss_kb) / 1024.0


def row(what, m, mbytes, rows):
    say("%-34s %8.3f %8.3f %9.1f %10.0f %8.1f  %.3f-%.3f" % (
        what, m["wall"], m["cpu"], mbytes / m["wall"], rows / m["wall"], m["rss"], m["lo"], m["hi"]))


def header():
    say("%-34s %8s %8s %9s %10s %8s  %s" % ("what", "wall_s", "cpu_s", "MB/s", "rows/s",
                                            "rss_MB", "min-max_s"))


def build_tools():
    os.makedirs(W, exist_ok=True)
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-O2", "-o", os.path.join(W, "gen-national"),
                    os.path.join(TOP, "bench", "gen-national.c"), "-lm"], check=True)
    subprocess.run([cc, "-O2", "-o", os.path.join(W, "timeit"),
                    os.path.join(TOP, "bench", "timeit.c")], check=True)
    subprocess.run([cc, "-O2", "-o", os.path.join(W, "csv-floor"),
                    os.path.join(TOP, "bench", "csv-floor.c"), "-lcsv"], check=True)
    for arg, name in (("--schema", "national.schema"), ("--spec", "spec.json")):
        with open(os.path.join(W, name), "w") as f:
            subprocess.run([os.path.join(W, "gen-national"), arg], stdout=f, check=True, cwd=TOP)


def make_input(rows):
    """The plain file for this size, and its gzip when rows <= 700,000."""
    plain = os.path.join(W, "national-%d.csv" % rows)
    years = max(1, rows // ROWS_PER_YEAR) if rows > ROWS_PER_YEAR else 1
    per_year = rows // years
    if not os.path.exists(plain):
        with open(plain + ".tmp", "w") as f:
            subprocess.run([os.path.join(W, "gen-national"), str(per_year), "2023",
                            str(2022 + years)], stdout=f, check=True)
        os.rename(plain + ".tmp", plain)
    gz = plain + ".gz" if rows <= ROWS_PER_YEAR else None
    if gz and not os.path.exists(gz):
        with open(gz + ".tmp", "wb") as f:
            subprocess.run(["gzip", "-c", plain], stdout=f, check=True)
        os.rename(gz + ".tmp", gz)
    return plain, gz


def duckdb_ready():
    if not shutil.which("node") or not shutil.which("npm"):
        say("DuckDB: node and npm not found; DuckDB comparison skipped")
        return False
    mod = os.path.join(W, "duckdb", "node_modules", "@duckdb", "node-api")
    if not os.path.isdir(mod):
        os.makedirs(os.path.join(W, "duckdb"), exist_ok=True)
        r = subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                            os.path.join(W, "duckdb"), DUCKDB_PACKAGE],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode != 0:
            say("DuckDB: npm install %s failed; DuckDB comparison skipped" % DUCKDB_PACKAGE)
            return False
    shutil.copy(os.path.join(TOP, "bench", "duckdb-bench.mjs"), os.path.join(W, "duckdb"))
    return True


def duckdb_once(path, mode, out_prefix):
    """DuckDB's time for one round: a node process of its own (after the
    table load in "table" mode) runs the query twice and the faster run
    counts, so DuckDB is not charged for a cold first query (its best
    showing): (query wall, nan, peak RSS of the process, load s, and in
    "table" mode the faster of two runs of the same work as candour's
    proportions table)."""
    cmd = ["node", os.path.join(W, "duckdb", "duckdb-bench.mjs"), os.path.join(W, "spec.json"),
           path, out_prefix, mode, "2"]
    stdout_path = out_prefix + ".stdout"
    with open(stdout_path, "w") as f:
        _, _, rss = run_once(cmd, stdout=f)
    wall, load, same = None, None, None
    for line in open(stdout_path).read().splitlines():
        parts = line.split()
        if parts[0] == "run":
            wall = float(parts[2]) if wall is None else min(wall, float(parts[2]))
        elif parts[0] == "same":
            same = float(parts[2]) if same is None else min(same, float(parts[2]))
        elif parts[0] == "load":
            load = float(parts[1])
    return wall, float("nan"), rss, load, same


def summarise(samples):
    walls = sorted(s[0] for s in samples)
    cpus = [s[1] for s in samples]
    return {"wall": statistics.median(walls), "lo": walls[0], "hi": walls[-1],
            "cpu": statistics.median(cpus) if all(c == c for c in cpus) else float("nan"),
            "rss": max(s[2] for s in samples),
            "load": statistics.median([s[3] for s in samples if len(s) > 3 and s[3] is not None]
                                      or [float("nan")])}


def compare_same_work(out_prefix, proportions_csv):
    """candour-stats' proportions.csv against DuckDB's same work: every cell
    candour shows must have DuckDB's n and positive, and its estimate and
    interval within 1e-12; every DuckDB cell with answers must have a row
    (shown or hidden) in candour's table.  The join runs in DuckDB."""
    cmd = ["node", os.path.join(W, "duckdb", "duckdb-bench.mjs"), os.path.join(W, "spec.json"),
           proportions_csv, out_prefix, "compare"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        return False, "the comparison failed: " + r.stderr[-2000:]
    got = dict(line.split(" ", 1) for line in r.stdout.splitlines())
    shown, agree, missing = int(got["shown"]), int(got["agree"]), int(got["missing"])
    text = "%d of %d shown cells agree; %d DuckDB cells with answers missing from candour" % (
        agree, shown, missing)
    if "first" in got:
        text += "; first disagreement (candour, then DuckDB): " + got["first"]
    return shown > 0 and agree == shown and missing == 0, text


def compare_counts(duck_csv, proportions_csv):
    """Every (org, group, item) of DuckDB against candour's ethnicity rows.
    At --min-n 1 candour hides only cells with no answers (primary) and the
    cells that would give them away (secondary); every shown cell must equal
    DuckDB's, every primary one must be empty in DuckDB too."""
    duck = {}
    with open(duck_csv) as f:
        for r in csv.DictReader(f):
            duck[(r["org"], r["group"], r["item"])] = (int(r["n"]), int(r["positive"]))
    items = {k[2] for k in duck}  # derived items (hba_staff) are candour's own
    shown = hidden = 0
    seen = set()
    with open(proportions_csv) as f:
        for r in csv.DictReader(f):
            if (r["group_dim"] != "ethnicity" or r["org"] == "ALL" or r["org"].startswith("GROUP:")
                    or r["item"] not in items):
                continue
            key = (r["org"], r["group"], r["item"])
            seen.add(key)
            d = duck.get(key, (0, 0))
            if r["suppressed"] == "no":
                shown += 1
                if (int(r["n"]), int(r["positive"])) != d:
                    return False, "mismatch at %s: DuckDB %s, candour %s/%s" % (
                        key, d, r["n"], r["positive"])
            else:
                hidden += 1
                if r["suppressed"] == "primary" and d[0] != 0:
                    return False, "candour found no answers at %s, DuckDB %s" % (key, d)
    missing = [k for k, v in duck.items() if k not in seen and v[0] > 0]
    if missing:
        return False, "%d cells with answers in DuckDB have no candour row, e.g. %s" % (
            len(missing), missing[0])
    return True, "%d cells identical, %d hidden at --min-n 1 (no answers, or their complement)" % (
        shown, hidden)


WRITE_FLOOR = r"""
bytes=0
for f in "$1"/*.csv; do bytes=$((bytes + $(stat -c %s "$f"))); done
tmp="$2.tmp"
dd if=/dev/zero of="$tmp" bs=512K count=$(( (bytes + 524287) / 524288 )) conv=fsync status=none
mv -f "$tmp" "$2"
"""

# The same bytes with O_DIRECT (1 MiB blocks, so up to 1 MiB more): what the
# disk takes without the page cache.  Information only, beside the floor:
# on this VM, writing fresh page cache costs 0.3-3.3 s of system time per
# 1.2 GB from one run to the next, and writing around it does not.
WRITE_FLOOR_DIRECT = r"""
bytes=0
for f in "$1"/*.csv; do bytes=$((bytes + $(stat -c %s "$f"))); done
tmp="$2.tmp"
dd if=/dev/zero of="$tmp" bs=1M count=$(( (bytes + 1048575) / 1048576 )) oflag=direct conv=fsync status=none
mv -f "$tmp" "$2"
"""


def direct_io_works():
    """Whether this file system takes O_DIRECT writes (tmpfs and some
    overlays refuse them)."""
    probe = os.path.join(W, "direct-probe")
    ok = subprocess.run(["dd", "if=/dev/zero", "of=" + probe, "bs=1M", "count=1", "oflag=direct",
                         "status=none"], stderr=subprocess.DEVNULL).returncode == 0
    if os.path.exists(probe):
        os.remove(probe)
    return ok


def bench_size(rows, runs, with_duckdb, results):
    """Every command once per round, RUNS rounds: this machine's speed drifts
    over minutes, and a drift then touches every command alike instead of
    whichever happened to run during it (the ratios are what is judged)."""
    plain, gz = make_input(rows)
    mb = os.path.getsize(plain) / 1e6
    say("== %d rows: %s (%.1f MB)%s" % (rows, os.path.basename(plain), mb,
                                         ", gzip %.1f MB" % (os.path.getsize(gz) / 1e6) if gz else ""))
    schema = os.path.join(W, "national.schema")
    dataset = os.path.join(W, "national-%d.cds" % rows)
    stats_dir = os.path.join(W, "stats-%d" % rows)
    ingest = [os.path.join(BIN, "candour-ingest"), "-q", "-s", schema, "-o", dataset]
    prefix = os.path.join(W, "duck-%d" % rows)
    plan = [("cat", "cat > /dev/null", ["sh", "-c", 'cat "$1" > /dev/null', "sh", plain])]
    if gz:
        plan.append(("gunzip", "gzip -dc > /dev/null", ["sh", "-c", 'gzip -dc "$1" > /dev/null', "sh", gz]))
    plan.append(("libcsv", "bare libcsv parse", [os.path.join(W, "csv-floor"), plain]))
    plan.append(("ingest", "candour-ingest plain", ingest + [plain]))
    if gz:
        plan.append(("ingest_gz", "candour-ingest gzip", ingest + [gz]))
    plan.append(("stats", "candour-stats (all outputs)",
                 [os.path.join(BIN, "candour-stats"), "-o", stats_dir, dataset]))
    plan.append(("stats_gz", "candour-stats --gzip (all outputs)",
                 [os.path.join(BIN, "candour-stats"), "--gzip", "-o", stats_dir + "-gz", dataset]))
    plan.append(("stats_one", "candour-stats --orgs ONE",
                 [os.path.join(BIN, "candour-stats"), "--orgs", ONE_ORG, "-o",
                  stats_dir + "-one", dataset]))
    plan.append(("stats_org", "candour-stats, no unit breakdowns",
                 [os.path.join(BIN, "candour-stats"), "--groupings", ORG_LEVEL_GROUPINGS, "-o",
                  stats_dir + "-org", dataset]))
    # the report from the full tables just written: one trust, and the
    # national summary; with gnuplot's charts when it is installed (exit 3
    # without it: the text written, the charts said missing), and with no
    # gnuplot at all (the report's own work: reading, text, chart data)
    report = [os.path.join(BIN, "candour-report"), "--results", stats_dir]
    charts_ok = ["sh", "-c", '"$@"; s=$?; [ $s -eq 0 ] || [ $s -eq 3 ]', "sh"]
    no_gnuplot = charts_ok + ["env", "PATH=/nonexistent"]
    plan.append(("report_org", "candour-report --org ONE",
                 charts_ok + report + ["--org", ONE_ORG, "-o", stats_dir + "-report-org"]))
    plan.append(("report_org_text", "candour-report --org ONE, no gnuplot",
                 no_gnuplot + report + ["--org", ONE_ORG, "-o", stats_dir + "-report-org-text"]))
    plan.append(("report_all", "candour-report --all",
                 charts_ok + report + ["--all", "-o", stats_dir + "-report-all"]))
    # stats' floor, as cat is ingest's: writing as many bytes as its tables
    # hold (the previous round's, or this round's: the same) with dd in
    # 512 KiB blocks, fsynced, over a previous copy, as stats replaces its
    # previous tables.  No formatting, no statistics: the kernel's share.
    plan.append(("write_floor", "dd the same bytes, fsync", ["sh", "-c", WRITE_FLOOR, "sh",
                                                              stats_dir, stats_dir + ".floor"]))
    if direct_io_works():
        plan.append(("write_direct", "dd the same bytes, O_DIRECT", ["sh", "-c", WRITE_FLOOR_DIRECT, "sh",
                                                                    stats_dir, stats_dir + ".direct"]))
    duck = with_duckdb and rows <= ROWS_PER_YEAR
    if duck:
        plan.append(("duck_read", "DuckDB read CSV + aggregate", (plain, "read", prefix)))
        if gz:
            plan.append(("duck_gz", "DuckDB read gzip + aggregate", (gz, "read", prefix + "-gz")))
        plan.append(("duck_table", "DuckDB aggregate, loaded table", (plain, "table", prefix + "-table")))
        plan.append(("duck_same", "DuckDB same work, loaded table", None))
    samples = {key: [] for key, _, _ in plan}
    for _ in range(runs):
        for key, _, cmd in plan:
            if key == "duck_same":  # measured by the duck_table process
                t = samples["duck_table"][-1]
                samples[key].append((t[4], float("nan"), t[2], t[3]))
            else:
                samples[key].append(duckdb_once(*cmd) if key.startswith("duck") else run_once(cmd))
    for floor in (".floor", ".direct"):
        if os.path.exists(stats_dir + floor):
            os.remove(stats_dir + floor)
    header()
    r = results.setdefault(rows, {})
    for key, label, _ in plan:
        r[key] = summarise(samples[key])
        row(label, r[key], mb, rows)
        if key in ("stats", "stats_gz", "stats_one", "stats_org"):
            if key == "stats_one":
                say("  (--orgs %s: the largest trust, with its benchmarking group and ALL)" % ONE_ORG)
            if key == "stats_org":
                say("  (--groupings %s)" % ORG_LEVEL_GROUPINGS)
            out_dir = stats_dir + {"stats": "", "stats_gz": "-gz", "stats_one": "-one",
                                   "stats_org": "-org"}[key]
            out_mb = sum(os.path.getsize(os.path.join(out_dir, f))
                         for f in os.listdir(out_dir)) / 1e6
            say("  (wrote %.0f MB of tables; MB/s and rows/s above are of the input)" % out_mb)
        if key == "write_floor":
            say("  (the floor wrote as many bytes as the tables hold, one file; MB/s and rows/s "
                "above are of the input)")
        if key == "write_direct":
            say("  (information: the same bytes past the page cache; the floor above is written "
                "as stats writes, through it)")
    if duck:
        say("  (DuckDB: the query's own time, the faster of 2 in a node process with 2 threads, "
            "one process per round; "
            "RSS is that process's peak; table load %.3f s)" % r["duck_table"]["load"])
        say("  (DuckDB same work: candour's proportions table alone, every scope x grouping x "
            "item with n, positive, estimate and Wilson 95% interval, COPY to CSV; same process "
            "as the aggregate)")
        ok, text = compare_same_work(prefix + "-table", os.path.join(stats_dir, "proportions.csv"))
        say("  proportions, DuckDB same work vs candour-stats: " + text)
        if not ok:
            sys.exit("bench: DuckDB's same work and candour disagree")
        check_dir = os.path.join(W, "stats-min1-%d" % rows)
        run_once([os.path.join(BIN, "candour-stats"), "--min-n", "1", "-o", check_dir, dataset])
        ok, text = compare_counts(prefix + ".counts.csv", os.path.join(check_dir, "proportions.csv"))
        say("  counts, DuckDB vs candour: " + text)
        if not ok:
            sys.exit("bench: DuckDB and candour disagree")
    say()


def ratios(results):
    say("== ratios (medians of the same run) and targets")
    for rows, r in sorted(results.items()):
        parts = ["ingest plain / bare libcsv %.2f" % (r["ingest"]["wall"] / r["libcsv"]["wall"])]
        if "gunzip" in r:
            parts.append("ingest gzip / gzip -dc %.2f" % (r["ingest_gz"]["wall"] / r["gunzip"]["wall"]))
        if "write_floor" in r:
            parts.append("stats / writing its bytes %.2f" % (r["stats"]["wall"] / r["write_floor"]["wall"]))
        say("%d rows: %s" % (rows, "; ".join(parts)))
        if "duck_read" in r:
            checks = [("ingest plain / DuckDB read+aggregate", r["ingest"]["wall"] / r["duck_read"]["wall"], 0.6)]
            if "duck_gz" in r:
                checks.append(("ingest gzip / DuckDB gzip read+aggregate",
                               r["ingest_gz"]["wall"] / r["duck_gz"]["wall"], 0.7))
            checks.append(("stats (all tables) / DuckDB same work",
                           r["stats"]["wall"] / r["duck_same"]["wall"], 0.35))
            for name, value, target in checks:
                say("  %-44s %6.2f  (target <= %.2f: %s)" % (name, value, target,
                                                          "met" if value <= target else "NOT met"))
            say("  %-44s %6.2f  (no target: unlike work)" % (
                "stats / DuckDB loaded-table aggregate", r["stats"]["wall"] / r["duck_table"]["wall"]))
        if "report_org" in r and rows == ROWS_PER_YEAR:
            for name, value, target in (
                    ("report --org ONE, seconds", r["report_org"]["wall"], 1.0),
                    ("report --org ONE, no gnuplot, seconds", r["report_org_text"]["wall"], 1.0),
                    ("report --org ONE, RSS MB", r["report_org"]["rss"], 128),
                    ("report --all, seconds", r["report_all"]["wall"], 5.0),
                    ("report --all, RSS MB", r["report_all"]["rss"], 512)):
                say("  %-44s %6.2f  (target < %.0f: %s)" % (name, value, target,
                                                         "met" if value < target else "NOT met"))
        if "write_floor" in r:
            value = r["stats"]["wall"] / r["write_floor"]["wall"]
            say("  %-44s %6.2f  (target <= 1.50: %s)" % ("stats / writing its bytes", value,
                                                       "met" if value <= 1.5 else "NOT met"))
        if "write_direct" in r:
            say("  %-44s %6.2f  (information: against the same bytes written with O_DIRECT)" % (
                "stats / writing its bytes past the cache", r["stats"]["wall"] / r["write_direct"]["wall"]))
        say("  %-44s %6.2f  (less than 1: compressing costs less wall time than it saves)" % (
            "stats --gzip / stats plain", r["stats_gz"]["wall"] / r["stats"]["wall"]))
        year = " (target for a national year)" if rows != ROWS_PER_YEAR else ""
        for key, name, target in (("stats_one", "stats --orgs ONE", 0.5),
                                  ("stats_org", "stats, no unit breakdowns", 1.0)):
            value = r[key]["wall"]
            say("  %-44s %6.2f s  (target < %.1f s%s: %s)" % (
                name, value, target, year, "met" if value < target else "NOT met"))
        rss_target = 600 if rows > ROWS_PER_YEAR else 256
        say("  %-44s %6.2f s" % ("stats wall (all tables)", r["stats"]["wall"]))
        say("  %-44s %6.1f MB (target < 128) / %.1f MB (target < %d: %s)" % (
            "peak RSS ingest / stats", max(r["ingest"]["rss"], r.get("ingest_gz", r["ingest"])["rss"]),
            r["stats"]["rss"], rss_target, "met" if r["stats"]["rss"] < rss_target else "NOT met"))
    sizes = sorted(results)
    if ROWS_PER_YEAR in results and 3 * ROWS_PER_YEAR in results:
        value = results[3 * ROWS_PER_YEAR]["stats"]["wall"] / results[ROWS_PER_YEAR]["stats"]["wall"]
        say("three national years / one, stats wall: %.2f (target <= 3.3: %s)" % (
            value, "met" if value <= 3.3 else "NOT met"))
    if len(sizes) > 1:
        base = sizes[0]
        say("scaling against %d rows (1.00 = linear):" % base)
        for what in ("ingest", "stats"):
            say("  %-8s %s" % (what, "  ".join(
                "%d: %.2f" % (s, (results[s][what]["wall"] / results[base][what]["wall"]) / (s / base))
                for s in sizes)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="100000,700000,2100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-duckdb", action="store_true")
    args = ap.parse_args()
    build_tools()
    with_duckdb = not args.no_duckdb and duckdb_ready()
    say("candour bench, %s, %d cores; medians of %d runs" % (
        time.strftime("%Y-%m-%d %H:%M"), os.cpu_count(), args.runs))
    results = {}
    for rows in (int(x) for x in args.rows.split(",")):
        bench_size(rows, args.runs, with_duckdb, results)
    ratios(results)
    with open(os.path.join(W, "results.txt"), "w") as f:
        f.write("\n".join(lines_out) + "\n")
    print("written to build/bench/results.txt")


if __name__ == "__main__":
    main()
