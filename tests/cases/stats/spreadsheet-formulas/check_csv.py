#!/usr/bin/env python3
"""check_csv.py NAME... -- FILE...: no field of any FILE starts with a
spreadsheet formula character (= + - @ TAB CR) unless it is a number, and each
NAME appears in some FILE as a field made safe: "'" + NAME.  Exit 1 with one
message per problem."""
import csv
import sys

split = sys.argv.index("--")
names, files = sys.argv[1:split], sys.argv[split + 1:]
found = set()
problems = 0
for path in files:
    with open(path, newline="", encoding="utf-8") as f:
        for number, row in enumerate(csv.reader(f), 1):
            for field in row:
                if field[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    try:
                        float(field)
                    except ValueError:
                        print("%s:%d: formula-like field %r" % (path, number, field))
                        problems += 1
                if field[:1] == "'" and field[1:] in names:
                    found.add(field[1:])
for name in names:
    if name not in found:
        print("%r appears nowhere as %r" % (name, "'" + name))
        problems += 1
sys.exit(1 if problems else 0)
