#!/bin/sh
# The main job on the shipped sample data: ingest every sample file into
# datasets under build/demo and show what was read.  (Later issues extend this
# to stats and the board report.)
set -eu
BIN=${1:-bin}
OUT=build/demo
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
run "$BIN/candour-stats" "$OUT"/*.cds
echo "Datasets are in $OUT/; 'candour-ingest --export $OUT/survey.cds' shows one as CSV."
