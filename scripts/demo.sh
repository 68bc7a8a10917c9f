#!/bin/sh
# The main job on the shipped sample data: ingest every sample file into
# datasets, then compute the fairness statistics.  Outputs go to build/demo.
# (The board report arrives with the report issue.)
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
# survey years with the yearly HR counts; the monthly HR series on their own
run "$BIN/candour-stats" --weight --output "$OUT/results" "$OUT/survey.cds" "$OUT/wres-hr.cds"
run "$BIN/candour-stats" --output "$OUT/results-monthly" "$OUT/hr-monthly.cds"
echo "Results (CSV, one row per line after the header):"
for f in "$OUT"/results/*.csv "$OUT"/results-monthly/spc.csv "$OUT"/results-monthly/wres.csv; do
    printf '  %-40s %7d rows\n' "$f" $(($(wc -l <"$f") - 1))
done
echo
echo "WRES indicator 3 (relative likelihood of BME vs White staff entering the formal"
echo "disciplinary process), per trust and year, 95% interval:"
awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) col[$i] = i; next}
         $col["indicator"] == "3" && $col["suppressed"] == "no" {
             printf "  %s %-4s RL %5.2f (%4.2f to %4.2f)  in 0.80-1.25: %-3s small numbers: %s\n",
                 $col["period"], $col["org"], $col["relative_likelihood"], $col["rl_lower"],
                 $col["rl_upper"], $col["in_range"], $col["small_numbers"]}' "$OUT/results/wres.csv"
