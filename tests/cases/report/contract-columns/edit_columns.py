"""Edit a candour-stats results file's columns in place, by name:
    edit_columns.py FILE rename OLD NEW | drop NAME | reverse
reverse turns the column order around (every row with its header)."""
import csv
import sys

path, action = sys.argv[1], sys.argv[2]
with open(path, newline="") as f:
    rows = list(csv.reader(f))
header = rows[0]
if action == "rename":
    header[header.index(sys.argv[3])] = sys.argv[4]
elif action == "drop":
    k = header.index(sys.argv[3])
    rows = [r[:k] + r[k + 1:] for r in rows]
elif action == "reverse":
    rows = [r[::-1] for r in rows]
else:
    sys.exit("unknown action " + action)
with open(path, "w", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(rows)
