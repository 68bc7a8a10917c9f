#!/usr/bin/env python3
"""Check the charts of the charts-injection case:  check_labels.py OUT

Every chart is a valid PNG and SVG of the same size, and the hostile names
are drawn as they are, control characters as visible escapes (a newline as
the two characters \\n, U+202E as \\u{202E}), the spreadsheet apostrophe that
candour-stats puts before =HYPERLINK and @GPVAL_PWD taken off again."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "charts-common"))
import check_charts  # noqa: E402

ORG = 'Z"9\'\\nsystem("touch pwned-x")'
GROUP = '\'G "1"\\n`touch pwned-g`\''
SURGERY = 'Surgery "Main"\\nsystem("touch pwned-x")'
# a directorate is cut at 30 characters on a team's label (the newline is
# two: the tables write it as the two characters \n, as the charts show it)
SURGERY_CUT = 'Surgery "Main"\\nsystem("touch ...'
ITEMS = ["unsafe_secure", "unsafe_confident", "speakup_safe", "speakup_confident",
         "incident_fair", "incident_report_encouraged", "incident_action", "incident_feedback"]


def stems():
    return (["funnel-%s=960x640" % i for i in ITEMS] +
            ["trend=1200x620", "forest", "heatmap-directorate", "heatmap-team"])


def main(out):
    check_charts.main(["", out + "/hostile"] + stems() + [
        "--text", "funnel-speakup_safe", ORG + ", 2024",
        "--text", "funnel-speakup_safe", ORG + ": ",
        "--text", "funnel-speakup_safe", "Against benchmarking group " + GROUP + " (3 orgs)",
        "--text", "trend", ORG + ": Just culture and Speaking up, 2023 to 2024",
        "--text", "forest", ORG + ", 2024: BME staff compared with White staff",
        "--text", "heatmap-directorate", SURGERY,
        "--text", "heatmap-directorate", "Med `touch pwned-y`",
        "--text", "heatmap-directorate", '=HYPERLINK("x")',
        "--text", "heatmap-team", SURGERY_CUT + " / a' . system('touch pwned-z') . 'b",
        "--text", "heatmap-team", SURGERY_CUT + " / Ward\\t7",
        "--text", "heatmap-team", "Med `touch pwned-y` / @GPVAL_PWD \\",
        "--text", "heatmap-team", "Med `touch pwned-y` / CANDOUR_END_OF_DATA",
        "--text", "heatmap-team", '=HYPERLINK("x") / EOD',
        "--text", "heatmap-team", '=HYPERLINK("x") / Tiny\\u{202E}team',
    ])
    check_charts.main(["", out + "/backtick"] + stems() + [
        "--text", "funnel-speakup_safe", "Z`touch pwned-y`, 2024",
        "--text", "funnel-speakup_safe", "Z`touch pwned-y`: suppressed (protects a cell of",
        "--text", "heatmap-team", "Main / T2 `touch pwned-y`",
    ])


if __name__ == "__main__":
    main(sys.argv[1])
