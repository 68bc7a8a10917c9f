/* fuzz_csv_ingest_wide: fuzz_csv_ingest's three runs and checks, against
 * schemas/nss-benchmark-wide.schema instead of a respondent layout.  That
 * schema is an org-results wide layout (schemas/README.md, "Wide
 * layouts"): the period comes from each column's name (`q19a_{period}`),
 * one file row becomes one row per period that holds figures, `_sig`
 * columns are read past (ignore-columns), rates are fractions and bases
 * counts.  So this target reaches ingest/wide.c, the rate and base decoders
 * and org-results' row checks, which the respondent schema never does.
 *
 * The promises are the same, with rows counted as the README counts them
 * for a wide file: organisation-period rows, each accepted or rejected
 * (a rejected one is a record of the rejects file). */
#include "fuzz_csv_ingest.c"
