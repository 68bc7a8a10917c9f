#!/bin/sh
# How counts-v1.cds and hr-v1.cds were made: candour-ingest of commit
# f026e27 (dataset format version 1, before rejected rows were recorded),
# run in this directory.  hr.csv's row 9 ("1,716") is rejected.
#   git archive f026e27 | tar -x -C /tmp/v1 && make -C /tmp/v1 bin/candour-ingest
set -e
BIN=${1:?usage: make_v1.sh BIN_DIR_OF_A_VERSION_1_BUILD}
TOP=$(cd ../../../.. && pwd)
"$BIN/candour-ingest" -q -s "$TOP/schemas/counts.schema" -o counts-v1.cds counts.csv
"$BIN/candour-ingest" -q -s "$TOP/schemas/wres-hr.schema" -o hr-v1.cds --rejects "${TMPDIR:-/tmp}/hr-v1-rejects.csv" hr.csv
