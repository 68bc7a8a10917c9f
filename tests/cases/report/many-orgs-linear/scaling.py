#!/usr/bin/python3
"""Time candour-report --org on organisation-level results of N and 4 N
orgs (see cmd).

    scaling.py BIN SCHEMA WORKDIR N

Each size: an org-level export (2 years, 5 items, orgs O0000, O0001, ...: hexadecimal) ingested
and run through candour-stats, then candour-report --org O0001 run 3 times
with no gnuplot on PATH; the least CPU time (user + system, from
getrusage) counts.  Fails when 4 N orgs take 6 times the CPU of N or more
(measured at N = 4000: 3.6 times; with the quadratic org list 7.3 to 7.9).
Prints one line.  Standard library only."""
import csv
import os
import random
import resource
import subprocess
import sys

HEADER = ["ODS code", "Year", "Organisation name", "Benchmarking group", "Region", "ICS/STP",
          "Weighting"] + [f"{item}_{kind}" for item in (
              "Incident_fair", "Incident_action", "Secure_raising_concerns", "Safe_to_speak_up",
              "Confident_concern_addressed") for kind in ("base", "rate")]
GROUPS = ["Acute and Acute & Community Trusts", "Mental Health & Learning Disability Trusts",
          "Community Trusts", "Ambulance Trusts"]
RUNS = 3


def results(bin_dir, schema, work, n):
    """Results of n orgs in work/results-n."""
    rng = random.Random(n)
    export = os.path.join(work, f"orgs-{n}.csv")
    with open(export, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(HEADER)
        for i in range(n):
            for year in (2023, 2024):
                row = [f"O{i:04X}", year, f"Trust {i}", GROUPS[i % len(GROUPS)], "R", "I",
                       "Occupational group"]
                for _ in range(5):
                    row += [rng.randint(50, 3000), f"{rng.uniform(40, 80):.1f}"]
                out.writerow(row)
    dataset, res = os.path.join(work, f"orgs-{n}.cds"), os.path.join(work, f"results-{n}")
    subprocess.run([os.path.join(bin_dir, "candour-ingest"), "--quiet", "--schema", schema,
                    "--output", dataset, export], check=True)
    subprocess.run([os.path.join(bin_dir, "candour-stats"), "--output", res, dataset],
                   check=True, stderr=subprocess.DEVNULL)
    return res


def report_cpu(bin_dir, res, out):
    """Least CPU seconds of RUNS runs of candour-report --org X00001."""
    env = dict(os.environ, PATH="/nonexistent")
    best = None
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run = subprocess.run([os.path.join(bin_dir, "candour-report"), "--results", res,
                              "--org", "O0001", "--output", out], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if run.returncode != 3 or not os.path.exists(os.path.join(out, "board-report.txt")):
            sys.exit(f"{res}: candour-report exit {run.returncode} (3 expected: text, no "
                     f"gnuplot): {run.stderr[-300:]!r}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = cpu if best is None else min(best, cpu)
    return best


def main(bin_dir, schema, work, n):
    n = int(n)
    cpu = {}
    for size in (n, 4 * n):
        res = results(bin_dir, schema, work, size)
        cpu[size] = report_cpu(bin_dir, res, os.path.join(work, f"report-{size}"))
    ratio = cpu[4 * n] / max(cpu[n], 0.001)
    line = (f"candour-report --org, CPU: {n} orgs {cpu[n]:.3f} s, {4 * n} orgs "
            f"{cpu[4 * n]:.3f} s: {ratio:.1f} times for 4 times the orgs")
    if ratio >= 6:
        sys.exit(line + " (6 or more: worse than linear)")
    print(line)


if __name__ == "__main__":
    main(*sys.argv[1:])
