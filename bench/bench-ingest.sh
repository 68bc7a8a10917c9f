#!/bin/sh
# Ingest throughput and memory against its floors, measured in one run.
#   bench/bench-ingest.sh [ROWS...]     (default: 100000 1000000)
# Builds a respondent file in the nss-2023 layout of ROWS rows by repeating
# the data rows of the committed sample (deterministic), plain and gzip, then
# times, as whole processes, the median of 3 runs of: gzip -dc, a bare libcsv
# parse (bench/csv-floor), candour-ingest on the plain file and on the gzip
# file.  Prints MB/s, rows/s, wall, CPU and peak RSS and the ratios, and
# writes them to build/bench/ingest.txt.
set -eu
cd "$(dirname "$0")/.."
ROWS_LIST=${*:-100000 1000000}
W=build/bench
mkdir -p "$W"
cc -O2 -o "$W/csv-floor" bench/csv-floor.c -lcsv
SAMPLE=sample-data/nss-2023.csv.gz
REPORT="$W/ingest.txt"
: >"$REPORT"

# run CMD... 3 times; print "median_wall median_cpu max_rss_kb min_wall max_wall"
measure() {
    for i in 1 2 3; do
        /usr/bin/time -f "%e %U %S %M" -o "$W/time.$i" "$@" >/dev/null 2>"$W/stderr.$i" || {
            cat "$W/stderr.$i" >&2
            exit 1
        }
    done
    walls=$(cat "$W"/time.[123] | awk '{print $1}' | sort -n | tr '\n' ' ')
    cpus=$(cat "$W"/time.[123] | awk '{print $2 + $3}' | sort -n | tr '\n' ' ')
    rss=$(cat "$W"/time.[123] | awk '{print $4}' | sort -n | tail -1)
    set -- $walls
    echo "$2 $(echo $cpus | awk '{print $2}') $rss $1 $3"
}

for rows in $ROWS_LIST; do
    plain="$W/nss-$rows.csv"
    if [ ! -f "$plain" ]; then
        gzip -dc "$SAMPLE" | head -1 >"$plain"
        gzip -dc "$SAMPLE" | python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))[1:]
want = int(sys.argv[1])
w = csv.writer(sys.stdout, lineterminator="\n")
for i in range(want):
    w.writerow(rows[i % len(rows)])
' "$rows" >>"$plain"
        gzip -1 -c "$plain" >"$plain.gz"
    fi
    mb=$(stat -c %s "$plain" | awk '{printf "%.1f", $1/1e6}')
    gzmb=$(stat -c %s "$plain.gz" | awk '{printf "%.1f", $1/1e6}')
    {
        echo "== $rows rows: $plain ($mb MB), gzip $gzmb MB"
        printf '%-28s %8s %8s %10s %10s %9s %s\n' what wall_s cpu_s MB/s rows/s rss_MB "min-max_s"
    } | tee -a "$REPORT"
    : >"$W/walls"
    line() {
        name=$1
        shift
        set -- $(measure "$@")
        echo "$name|$1" >>"$W/walls"
        awk -v n="$name" -v w="$1" -v c="$2" -v m="$3" -v lo="$4" -v hi="$5" -v mb="$mb" -v r="$rows" \
            'BEGIN {printf "%-28s %8.3f %8.3f %10.1f %10.0f %9.1f %.3f-%.3f\n", n, w, c, mb/w, r/w, m/1024, lo, hi}'
    }
    line "cat > /dev/null" sh -c "cat '$plain' > /dev/null" | tee -a "$REPORT"
    line "gzip -dc > /dev/null" sh -c "gzip -dc '$plain.gz' > /dev/null" | tee -a "$REPORT"
    line "bare libcsv parse" "$W/csv-floor" "$plain" | tee -a "$REPORT"
    line "candour-ingest plain" bin/candour-ingest -q -s schemas/nss-2023.schema -o "$W/out.cds" "$plain" | tee -a "$REPORT"
    line "candour-ingest gzip" bin/candour-ingest -q -s schemas/nss-2023.schema -o "$W/out.cds" "$plain.gz" | tee -a "$REPORT"
    awk -F'|' '{t[$1]=$2}
        END {printf "ratios: ingest plain / bare libcsv parse = %.2f; ingest gzip / gzip -dc = %.2f; ingest gzip / (gzip -dc + libcsv parse) = %.2f\n\n",
             t["candour-ingest plain"]/t["bare libcsv parse"], t["candour-ingest gzip"]/t["gzip -dc > /dev/null"],
             t["candour-ingest gzip"]/(t["gzip -dc > /dev/null"]+t["bare libcsv parse"])}' "$W/walls" | tee -a "$REPORT"
done
echo "written to $REPORT"
