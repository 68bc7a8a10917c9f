#!/bin/sh
# Build the seed corpora of the fuzz targets from the project's own inputs.
#   fuzz/seed.sh BIN_DIR OUT_DIR
# Writes OUT_DIR/<target>/ (adding to what is there: inputs libFuzzer found
# stay):
#   fuzz_csv_ingest  every CSV input of tests/cases/*/*/ (plain and gzip) and
#                    the first rows of each sample-data file, plain and gzip
#   fuzz_csv_ingest_wide
#                    the first rows of the benchmark workbook fixtures
#                    (tests/fixtures/ingest/benchmark-wide/), plain and gzip,
#                    and the workbooks of tests/cases/ingest/wide-*/
#   fuzz_csv_diff    the same CSV inputs as fuzz_csv_ingest
#   fuzz_schema      schemas/*.schema, fuzz/tiny.schema and every schema of
#                    tests/cases/
#   fuzz_dataset     datasets BIN_DIR/candour-ingest writes from the first
#                    rows of the sample data, one per schema kind, one of
#                    about 1 KB (fuzz/tiny.schema), and three damaged behind
#                    their checksums (fuzz/craft-datasets.py)
# Names are <where it came from>, so a finding can be traced to its seed.
set -eu
BIN=$(cd "$1" && pwd)
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
TOP=$(pwd)
ROWS=20
mkdir -p "$OUT/fuzz_csv_ingest" "$OUT/fuzz_csv_ingest_wide" "$OUT/fuzz_csv_diff" "$OUT/fuzz_schema" "$OUT/fuzz_dataset"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# name for a file under tests/cases: ingest-ok-messy-input.csv
case_name() {
    echo "$1" | sed "s|^$TOP/tests/cases/||; s|/|-|g"
}

for f in "$TOP"/tests/cases/*/*/*.csv "$TOP"/tests/cases/*/*/*.csv.gz; do
    [ -f "$f" ] && cp "$f" "$OUT/fuzz_csv_ingest/$(case_name "$f")"
done
for f in "$TOP"/tests/cases/*/*/*.schema; do
    [ -f "$f" ] && cp "$f" "$OUT/fuzz_schema/$(case_name "$f")"
done
for f in "$TOP"/schemas/*.schema "$TOP"/fuzz/tiny.schema; do
    cp "$f" "$OUT/fuzz_schema/$(basename "$(dirname "$f")")-$(basename "$f")"
done

# The first rows of each sample file: a header and ROWS records.
for f in "$TOP"/sample-data/*.csv "$TOP"/sample-data/*.csv.gz; do
    name=$(basename "$f" .gz)
    name=${name%.csv}
    if [ "${f%.gz}" != "$f" ]; then
        gzip -dc "$f" | head -n $((ROWS + 1)) >"$TMP/$name.csv"
    else
        head -n $((ROWS + 1)) "$f" >"$TMP/$name.csv"
    fi
    cp "$TMP/$name.csv" "$OUT/fuzz_csv_ingest/sample-$name.csv"
    gzip -n -c "$TMP/$name.csv" >"$OUT/fuzz_csv_ingest/sample-$name.csv.gz"
done

# The wide target's schema reads the benchmark workbook layout.
for f in "$TOP"/tests/fixtures/ingest/benchmark-wide/*.csv; do
    name=wide-$(basename "$f" .csv)
    head -n $((ROWS + 1)) "$f" >"$OUT/fuzz_csv_ingest_wide/$name.csv"
    gzip -n -c "$OUT/fuzz_csv_ingest_wide/$name.csv" >"$OUT/fuzz_csv_ingest_wide/$name.csv.gz"
done
for f in "$TOP"/tests/cases/ingest/wide-*/*.csv; do
    [ -f "$f" ] && cp "$f" "$OUT/fuzz_csv_ingest_wide/$(case_name "$f")"
done

# One dataset per schema kind, and one of two survey years.
ingest() {
    out=$1
    schema=$2
    shift 2
    "$BIN/candour-ingest" --quiet --schema "$TOP/schemas/$schema" --output "$TMP/$out" "$@"
    cp "$TMP/$out" "$OUT/fuzz_dataset/$out"
}
cd "$TMP"
ingest nss-2023.cds nss-2023.schema nss-2023.csv
ingest nss-2022-2023.cds nss.schema nss-2022.csv nss-2023.csv
ingest counts.cds counts.schema counts.csv
ingest org-results.cds org-results.schema org-results.csv
ingest wres-hr.cds wres-hr.schema wres-hr.csv
ingest hr-monthly.cds wres-hr-monthly.schema hr-monthly.csv
printf 'year,org,unit,g,q,r,w\n2023,RX1,U1,1,1,2,1.5\n2023,RX1,U2,2,2,,0.5\n2024,RX2,U1,,Yes,1,2\n' \
    >tiny.csv
"$BIN/candour-ingest" --quiet --schema "$TOP/fuzz/tiny.schema" --output "$OUT/fuzz_dataset/tiny.cds" \
    tiny.csv
# checks behind a good inflate, which mutation cannot reach
python3 "$TOP/fuzz/craft-datasets.py" "$OUT/fuzz_dataset/tiny.cds" "$OUT/fuzz_dataset"
for t in fuzz_csv_ingest fuzz_csv_ingest_wide fuzz_schema fuzz_dataset; do
    echo "fuzz: $t: $(ls "$OUT/$t" | wc -l) seeds in $OUT/$t"
done

# the differential target reads the same kind of input
cp "$OUT"/fuzz_csv_ingest/* "$OUT/fuzz_csv_diff/"
