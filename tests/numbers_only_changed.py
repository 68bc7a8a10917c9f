#!/usr/bin/env python3
"""Golden files that changed only in how numbers are written.

    python3 tests/numbers_only_changed.py OLD_REV [NEW_REV] [-- PATH ...]

Compares every file under PATH (default tests/cases) that differs between
git revision OLD_REV and NEW_REV (default: the working tree).  Each file is
cut into numbers and the text between them; a file passes when the text is
identical, it holds the same count of numbers, and each number that changed
was written at %.15g before and at the shortest round trip now: the new
string parses to a double whose %.15g is the old string, and it is the
shortest decimal that reads back as that double (Python's repr).  Prints
files changed, numbers changed and other differences; exits 1 on any other
difference (a file added or removed counts as one)."""
import re
import subprocess
import sys
from decimal import Decimal

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def git(*args):
    return subprocess.run(["git", *args], check=True, capture_output=True).stdout


def split(text):
    return NUMBER.split(text), NUMBER.findall(text)


def number_changed_ok(old, new):
    try:
        value = float(new)
    except ValueError:
        return False
    return "%.15g" % value == old and Decimal(repr(value)) == Decimal(new)


def compare(old_text, new_text, where, problems):
    old_parts, old_numbers = split(old_text)
    new_parts, new_numbers = split(new_text)
    if old_parts != new_parts or len(old_numbers) != len(new_numbers):
        problems.append("%s: text other than numbers differs" % where)
        return 0
    changed = 0
    for i, (old, new) in enumerate(zip(old_numbers, new_numbers)):
        if old == new:
            continue
        changed += 1
        if not number_changed_ok(old, new):
            problems.append("%s: number %d: %s -> %s is not the same double at more digits"
                            % (where, i + 1, old, new))
    return changed


def main(argv):
    paths = ["tests/cases"]
    if "--" in argv:
        at = argv.index("--")
        argv, paths = argv[:at], argv[at + 1:]
    if not 1 <= len(argv) <= 2:
        sys.exit(__doc__)
    old_rev, new_rev = argv[0], (argv[1] if len(argv) == 2 else None)
    revs = [old_rev] + ([new_rev] if new_rev else [])
    listing = git("diff", "--name-status", *revs, "--", *paths).decode().splitlines()
    problems, files, numbers = [], 0, 0
    for line in listing:
        status, name = line.split("\t", 1)
        if status != "M":
            problems.append("%s: %s (added, removed or renamed)" % (name, status))
            continue
        old_text = git("show", "%s:%s" % (old_rev, name)).decode("utf-8", "surrogateescape")
        if new_rev:
            new_text = git("show", "%s:%s" % (new_rev, name)).decode("utf-8", "surrogateescape")
        else:
            with open(name, encoding="utf-8", errors="surrogateescape") as f:
                new_text = f.read()
        files += 1
        numbers += compare(old_text, new_text, name, problems)
    for p in problems:
        print(p)
    print("%d files changed, %d numbers changed, %d other differences" % (files, numbers, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
