#!/bin/sh
# The main job on the shipped sample data: ingest every sample file into
# datasets, compute the fairness statistics, and write the board report and
# charts for the sample trust Z3C (the trust with the planted WRES disparity).
# Everything goes to build/demo.
set -eu
BIN=${1:-bin}
OUT=build/demo
TRUST=${TRUST:-Z3C}
mkdir -p "$OUT"
run() {
    echo "\$ $*"
    "$@"
    echo
}
run "$BIN/candour-ingest" --schema schemas/nss.schema --output "$OUT/survey.cds" \
    sample-data/nss-2022.csv.gz sample-data/nss-2023.csv.gz
run "$BIN/candour-ingest" --schema schemas/wres-hr.schema --output "$OUT/wres-hr.cds" \
    sample-data/wres-hr.csv
run "$BIN/candour-ingest" --schema schemas/wres-hr-monthly.schema --output "$OUT/hr-monthly.cds" \
    sample-data/hr-monthly.csv
run "$BIN/candour-ingest" --schema schemas/org-results.schema --output "$OUT/org-results.cds" \
    sample-data/org-results.csv
run "$BIN/candour-ingest" --schema schemas/counts.schema --output "$OUT/counts.cds" \
    sample-data/counts.csv
# survey years with the yearly HR counts; the monthly HR series on their own
run "$BIN/candour-stats" --weight --output "$OUT/results" "$OUT/survey.cds" "$OUT/wres-hr.cds"
run "$BIN/candour-stats" --output "$OUT/results-monthly" "$OUT/hr-monthly.cds"
run "$BIN/candour-report" --results "$OUT/results" --org "$TRUST" --output "$OUT/report"
run "$BIN/candour-report" --results "$OUT/results-monthly" --org "$TRUST" \
    --output "$OUT/report-monthly"
cat "$OUT/report/board-report.txt"
echo
echo "Charts (PNG and SVG) for $TRUST:"
for f in "$OUT"/report/*.png "$OUT"/report-monthly/*.png; do
    echo "  $f"
done
echo "The statistics behind them (CSV, documented in docs/outputs.md) are in $OUT/results/."
