#!/bin/sh
# Concurrency trials (#15.2): runs that share an output at the same time must
# never leave, or read, a set mixing two runs.
#   scripts/concurrency-trials.sh BIN_DIR [TRIALS]
# Three trials, TRIALS times each (default 40):
#   stats pair:   two candour-stats (different data) into one results
#                 directory at once, over a previous set;
#   ingest pair:  two candour-ingest --rejects (different data, different bad
#                 rows) into one dataset and rejects file at once;
#   report:       candour-report reading the directory while candour-stats
#                 replaces it.
# A set is mixed when its files are not all those of one run (compared with
# each run's set made alone); a report is mixed when its text is not the
# report of one run's set.  Prints one line per trial kind and exits 1 when
# any set was mixed.  Runs that fail or refuse (a journal) are counted apart.
set -u
BIN=$(cd "$1" && pwd)
TRIALS=${2:-40}
TOP=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d) || exit 2
trap 'rm -rf "$W"' EXIT
SCHEMA=$TOP/schemas/nss-2023.schema
DATA=$TOP/tests/cases/report/text-tiny-org
export LC_ALL=C

# two survey inputs (all rows, the first 120) and one HR input; for ingest,
# each with a different bad row
cp "$DATA/respondents.csv" "$W/a.csv" && head -121 "$DATA/respondents.csv" >"$W/b.csv" || exit 2
sed '5s/,Medicine,/,Medicine,Ward 1,extra,/' "$W/a.csv" >"$W/a-bad.csv"
sed '7s/,Medicine,/,Medicine,Ward 1,extra,/' "$W/b.csv" >"$W/b-bad.csv"
"$BIN/candour-ingest" -q -s "$TOP/schemas/wres-hr.schema" -o "$W/hr.cds" "$DATA/hr.csv" || exit 2
for x in a b; do
    "$BIN/candour-ingest" -q -s "$SCHEMA" -o "$W/$x.cds" "$W/$x.csv" || exit 2
    "$BIN/candour-stats" -o "$W/ref-$x" "$W/$x.cds" "$W/hr.cds" 2>/dev/null || exit 2
    PATH=/nonexistent "$BIN/candour-report" --results "$W/ref-$x" --org TNY1 \
        --output "$W/ref-report-$x" 2>/dev/null
    [ -f "$W/ref-report-$x/board-report.txt" ] || exit 2
    "$BIN/candour-ingest" -q -s "$SCHEMA" -o "$W/ref-$x-bad.cds" --rejects "$W/ref-$x.rej" \
        "$W/$x-bad.csv" || exit 2
    "$BIN/candour-ingest" --export "$W/ref-$x-bad.cds" >"$W/ref-$x.export" || exit 2
done
cmp -s "$W/ref-a/proportions.csv" "$W/ref-b/proportions.csv" && { echo "the two runs agree" >&2; exit 2; }
cmp -s "$W/ref-a.rej" "$W/ref-b.rej" && { echo "the two rejects agree" >&2; exit 2; }

# which run's set DIR holds: a, b, mixed or none (no tables)
set_of() {
    a=0 b=0 n=0
    for f in "$W"/ref-a/*.csv; do
        t=$(basename "$f")
        n=$((n + 1))
        cmp -s "$1/$t" "$f" && a=$((a + 1))
        cmp -s "$1/$t" "$W/ref-b/$t" && b=$((b + 1))
    done
    if [ "$a" -eq "$n" ]; then echo a; elif [ "$b" -eq "$n" ]; then echo b; else echo mixed; fi
}

mixed_total=0

# ---- two candour-stats into one directory ----
mixed=0 failed=0 refs_a=0 refs_b=0 i=1
while [ "$i" -le "$TRIALS" ]; do
    rm -rf "$W/res" && cp -a "$W/ref-a" "$W/res"
    "$BIN/candour-stats" -o "$W/res" "$W/b.cds" "$W/hr.cds" 2>"$W/s1.err" &
    p1=$!
    "$BIN/candour-stats" -o "$W/res" "$W/a.cds" "$W/hr.cds" 2>"$W/s2.err" &
    p2=$!
    wait "$p1" || failed=$((failed + 1))
    wait "$p2" || failed=$((failed + 1))
    case $(set_of "$W/res") in
    a) refs_a=$((refs_a + 1)) ;;
    b) refs_b=$((refs_b + 1)) ;;
    *) mixed=$((mixed + 1)) ;;
    esac
    [ -e "$W/res/.candour-stats.replacing" ] && failed=$((failed + 1))
    i=$((i + 1))
done
echo "stats pairs: $TRIALS trials, mixed sets $mixed (set of run a $refs_a, of run b $refs_b, runs failed $failed)"
mixed_total=$((mixed_total + mixed))

# ---- two candour-ingest --rejects into one dataset ----
mixed=0 failed=0 i=1
while [ "$i" -le "$TRIALS" ]; do
    rm -f "$W/ds.cds" "$W/ds.rej"
    "$BIN/candour-ingest" -q -s "$SCHEMA" -o "$W/ds.cds" --rejects "$W/ds.rej" "$W/a-bad.csv" 2>/dev/null &
    p1=$!
    "$BIN/candour-ingest" -q -s "$SCHEMA" -o "$W/ds.cds" --rejects "$W/ds.rej" "$W/b-bad.csv" 2>/dev/null &
    p2=$!
    wait "$p1" || failed=$((failed + 1))
    wait "$p2" || failed=$((failed + 1))
    "$BIN/candour-ingest" --export "$W/ds.cds" >"$W/ds.export" 2>/dev/null
    if cmp -s "$W/ds.export" "$W/ref-a.export" && cmp -s "$W/ds.rej" "$W/ref-a.rej"; then :
    elif cmp -s "$W/ds.export" "$W/ref-b.export" && cmp -s "$W/ds.rej" "$W/ref-b.rej"; then :
    else mixed=$((mixed + 1)); fi
    i=$((i + 1))
done
echo "ingest pairs: $TRIALS trials, mixed sets $mixed (runs failed $failed)"
mixed_total=$((mixed_total + mixed))

# ---- candour-report while candour-stats replaces the directory ----
mixed=0 refused=0 i=1
while [ "$i" -le "$TRIALS" ]; do
    rm -rf "$W/res" "$W/rep" && cp -a "$W/ref-a" "$W/res"
    "$BIN/candour-stats" -o "$W/res" "$W/b.cds" "$W/hr.cds" 2>/dev/null &
    p1=$!
    PATH=/nonexistent "$BIN/candour-report" --results "$W/res" --org TNY1 --output "$W/rep" 2>/dev/null
    wait "$p1"
    if [ ! -f "$W/rep/board-report.txt" ]; then
        refused=$((refused + 1))
    elif ! cmp -s "$W/rep/board-report.txt" "$W/ref-report-a/board-report.txt" &&
        ! cmp -s "$W/rep/board-report.txt" "$W/ref-report-b/board-report.txt"; then
        mixed=$((mixed + 1))
    fi
    i=$((i + 1))
done
echo "report while stats: $TRIALS trials, mixed reports $mixed (refused $refused)"
mixed_total=$((mixed_total + mixed))
[ "$mixed_total" -eq 0 ]
