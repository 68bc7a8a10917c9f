#!/usr/bin/python3
"""Check the charts drawn by several gnuplot processes (see cmd).

    check_processes.py SESSIONS REPORT_DIR SCRATCH

SESSIONS holds one file per gnuplot process: everything it was sent.  Each
chart's script begins with `reset session`; its `set output` lines name the
temporary files candour-report renamed to REPORT_DIR/STEM.png and .svg.
Each chart is drawn again by a gnuplot of its own into SCRATCH, and its
files compared with the report's (the SVG once given the hover titles
candour-report gives it: charts.c, svg_titles).  Prints one line.
Standard library only.
"""
import glob
import os
import re
import subprocess
import sys

PROCESSES = 2
OUTPUT = re.compile(r"^set output '(?:[^']|'')*/\.([A-Za-z0-9_.-]+)\.(png|svg)\.tmp\.[A-Za-z0-9]+'$",
                    re.M)
HYPER = re.compile(r"<g onmousemove=\"gnuplot_svg\.showHypertext\(evt,'(.*?)'\)\" "
                   r"onmouseout=\"gnuplot_svg\.hideHypertext\(\)\"><title> </title>", re.S)


def charts_of(session):
    """The chart scripts of one session, split where each begins."""
    text = open(session, encoding="utf-8").read()
    parts = text.split("reset session\n")
    if parts[0] != "":
        sys.exit(f"{session}: does not begin with a chart's `reset session`")
    return ["reset session\n" + p for p in parts[1:]]


def draw_alone(script, scratch):
    """Draw one chart in a new gnuplot into scratch: {file name: path}."""
    files = {}

    def output(m):
        name = f"{m.group(1)}.{m.group(2)}"
        files[name] = os.path.join(scratch, name)
        return "set output '" + files[name].replace("'", "''") + "'"

    script, n = OUTPUT.subn(output, script)
    if n != 2:
        sys.exit(f"a chart with {n} `set output` lines, not 2")
    env = dict(os.environ, LC_ALL="C.UTF-8")
    run = subprocess.run(["gnuplot", "-d"], input=script.encode(), capture_output=True, env=env)
    if run.returncode != 0 or run.stderr:
        sys.exit(f"{sorted(files)}: gnuplot alone: exit {run.returncode}, "
                 f"stderr {run.stderr[:300]!r}")
    return files


def main(sessions_dir, report_dir, scratch):
    os.makedirs(scratch, exist_ok=True)
    sessions = sorted(glob.glob(os.path.join(sessions_dir, "session.*")))
    problems, per_process, compared = [], [], set()
    for session in sessions:
        charts = charts_of(session)
        per_process.append(len(charts))
        for script in charts:
            for name, path in draw_alone(script, scratch).items():
                alone = open(path, "rb").read()
                if name.endswith(".svg"):
                    alone = HYPER.sub(lambda m: "<g><title>" + m.group(1) + "</title>",
                                      alone.decode("utf-8")).encode("utf-8")
                if name in compared:
                    problems.append(f"{name}: drawn twice")
                compared.add(name)
                report = os.path.join(report_dir, name)
                if not os.path.exists(report):
                    problems.append(f"{name}: drawn but not in the report")
                elif open(report, "rb").read() != alone:
                    problems.append(f"{name}: differs from the chart drawn alone")
    in_report = {f for f in os.listdir(report_dir) if f.endswith((".png", ".svg"))}
    for name in sorted(in_report - compared):
        problems.append(f"{name}: in the report, not in what gnuplot was sent")
    n_charts = sum(per_process)
    if len(sessions) != PROCESSES or min(per_process, default=0) == 0:
        problems.append(f"{n_charts} charts drawn by {len(sessions)} gnuplot processes "
                        f"({per_process}), not {PROCESSES} sharing them")
    if n_charts != 12:
        problems.append(f"{n_charts} charts, the sample's Z3C has 12")
    if problems:
        sys.exit("\n".join(problems))
    print(f"{n_charts} charts drawn by {len(sessions)} gnuplot processes "
          f"({' + '.join(map(str, per_process))}); each drawn again alone: "
          f"{len(compared)} files the same, byte for byte")


if __name__ == "__main__":
    main(*sys.argv[1:])
