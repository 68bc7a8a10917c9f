/* fuzz_csv_ingest: candour-ingest on arbitrary bytes, against the nss-2023
 * schema: the CSV reader (lib/csvin.c over lib/source.c, so gzip input is
 * inflated when the bytes start with its magic), the header match and the
 * row decoder (ingest/ingest.c) and the dataset writer.
 *
 * Each input is ingested three times through ingest_run, the function
 * behind the program's main() (with the schema parsed once, beforehand):
 *   1. as given, without --rejects: any bad row fails the run;
 *   2. as given, with --rejects;
 *   3. gzip-compressed by the harness, with --rejects (unless the input is
 *      already gzip): same status and the same rejects file as run 2.
 * and the README's promises are checked after each: a failed run writes
 * nothing; a dataset that was written loads and reads back whole; rows read
 * = rows accepted + rows rejected; the rejects file has mode 0600 and one
 * record of five fields per bad row. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "csvin.h"
#include "dataset.h"
#include "harness.h"
#include "ingest.h"
#include "schema.h"

#ifndef FUZZ_SCHEMA
#error "FUZZ_SCHEMA must name the schema file (the Makefile sets it)"
#endif

static struct harness_file input;
static char *dataset_path, *rejects_path;
static struct schema *schema; /* parsed once: parsing is most of a run's time */

/* Count the records of a rejects file, each of which must have the five
 * fields of its header. */
struct rejects_count {
    unsigned long records;
    bool bad_shape;
};

static int count_reject(void *ctx, const struct csvin_record *rec, struct csvin *in)
{
    (void)in;
    struct rejects_count *count = ctx;
    count->records++;
    count->bad_shape |= rec->n_fields != 5;
    return 0;
}

static unsigned long rejects_records(void)
{
    struct stat st;
    if (stat(rejects_path, &st) != 0)
        harness_fail("no rejects file after a successful run");
    mode_t mask = umask(0);
    umask(mask);
    if ((st.st_mode & 0777) != (0600 & ~mask))
        harness_fail("rejects file has mode %03o", (unsigned)(st.st_mode & 0777));
    struct rejects_count count = {0, false};
    struct csvin in;
    enum csvin_status status = csvin_read(&in, rejects_path, count_reject, &count);
    csvin_close(&in);
    if (status != CSVIN_OK || count.bad_shape || count.records == 0)
        harness_fail("rejects file does not read back (status %d, %lu records%s)", (int)status,
                     count.records, count.bad_shape ? ", some not of five fields" : "");
    return count.records - 1; /* the header */
}

/* The dataset of a successful run: loads, reads back whole, and its single
 * input accounts for every row.  Returns the rows the input had. */
static uint64_t check_dataset(uint64_t *rows_accepted)
{
    struct buf err;
    buf_init(&err);
    struct dataset *ds = dataset_open(dataset_path, &err);
    if (!ds)
        harness_fail("the dataset just written does not load: %s", err.data);
    buf_release(&err);
    if (harness_read_dataset(ds))
        harness_fail("the dataset just written does not read back");
    if (ds->n_inputs != 1 || ds->inputs[0].rows_accepted != ds->total_rows ||
        ds->inputs[0].rows_read < ds->total_rows)
        harness_fail("dataset has %zu inputs and %llu rows", ds->n_inputs,
                     (unsigned long long)ds->total_rows);
    uint64_t rows_read = ds->inputs[0].rows_read;
    *rows_accepted = ds->total_rows;
    dataset_close(ds);
    return rows_read;
}

static void check_nothing_written(const char *run)
{
    char *left = harness_scratch_list();
    if (*left)
        harness_fail("run %s failed but left '%s'", run, left);
    free(left);
}

static int ingest(bool with_rejects, bool quiet)
{
    char *inputs[] = {input.path};
    struct ingest_options opt = {
        .schema_path = FUZZ_SCHEMA,
        .schema = schema,
        .output_path = dataset_path,
        .rejects_path = with_rejects ? rejects_path : NULL,
        .inputs = inputs,
        .n_inputs = 1,
        .quiet = quiet,
    };
    int status = ingest_run(&opt);
    if (status != 0 && status != 1)
        harness_fail("ingest exited %d (I/O error on a readable input)", status);
    return status;
}

/* Run 2 or 3: with --rejects.  Returns the status; when the run succeeded,
 * *rejected gets the number of rows set aside and *rejects the rejects file
 * (caller frees), else NULL. */
static int ingest_with_rejects(const char *run, unsigned long *rejected, unsigned char **rejects,
                               size_t *rejects_len)
{
    int status = ingest(true, true);
    *rejected = 0;
    *rejects = NULL;
    *rejects_len = 0;
    if (status != 0) {
        check_nothing_written(run);
        return status;
    }
    uint64_t accepted, read = check_dataset(&accepted);
    *rejected = rejects_records();
    if (read != accepted + *rejected)
        harness_fail("run %s: %llu rows read, %llu accepted, %lu rejected", run,
                     (unsigned long long)read, (unsigned long long)accepted, *rejected);
    *rejects = harness_slurp(rejects_path, rejects_len);
    if (!*rejects)
        harness_fail("cannot read the rejects file back");
    return status;
}

static unsigned char *gzip_bytes(const uint8_t *data, size_t size, size_t *gz_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        harness_fail("deflateInit2 failed");
    size_t cap = deflateBound(&z, (uLong)size);
    unsigned char *gz = xmalloc(cap);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)size;
    z.next_out = gz;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        harness_fail("deflate failed");
    *gz_len = cap - z.avail_out;
    deflateEnd(&z);
    return gz;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dataset_path) {
        struct buf err;
        buf_init(&err);
        if (!(schema = schema_load(FUZZ_SCHEMA, &err)))
            harness_fail("%s", err.data);
        buf_release(&err);
        harness_file_open(&input, "input.csv");
        dataset_path = harness_scratch_path("survey.cds");
        rejects_path = harness_scratch_path("rejects.csv");
    }
    harness_file_set(&input, data, size);

    /* 1: strict; the summary goes to stderr, as the program prints it */
    int strict = ingest(false, false);
    unsigned char *strict_dataset = NULL;
    size_t strict_dataset_len = 0;
    if (strict == 0) {
        uint64_t accepted;
        if (check_dataset(&accepted) != accepted)
            harness_fail("run 1 succeeded with rejected rows");
        strict_dataset = harness_slurp(dataset_path, &strict_dataset_len);
        if (!strict_dataset)
            harness_fail("cannot read the dataset back");
        harness_scratch_clear();
    } else {
        check_nothing_written("1");
    }

    /* 2: bad rows set aside; with none, the same dataset as run 1 */
    unsigned long rejected;
    unsigned char *rejects;
    size_t rejects_len;
    int lenient = ingest_with_rejects("2", &rejected, &rejects, &rejects_len);
    if (strict == 0) {
        size_t len = 0;
        unsigned char *lenient_dataset = lenient == 0 ? harness_slurp(dataset_path, &len) : NULL;
        if (lenient != 0 || rejected != 0 || !lenient_dataset || len != strict_dataset_len ||
            memcmp(lenient_dataset, strict_dataset, len) != 0)
            harness_fail("run 1 succeeded; run 2 exited %d, set %lu rows aside or wrote "
                         "another dataset",
                         lenient, rejected);
        free(lenient_dataset);
    }
    free(strict_dataset);
    harness_scratch_clear();

    /* 3: the same bytes through gzip must give the same result */
    if (size < 2 || data[0] != 0x1f || data[1] != 0x8b) {
        size_t gz_len;
        unsigned char *gz = gzip_bytes(data, size, &gz_len);
        harness_file_set(&input, gz, gz_len);
        free(gz);
        unsigned long gz_rejected;
        unsigned char *gz_rejects;
        size_t gz_rejects_len;
        int gz_status = ingest_with_rejects("3", &gz_rejected, &gz_rejects, &gz_rejects_len);
        if (gz_status != lenient || gz_rejects_len != rejects_len ||
            (rejects_len && memcmp(gz_rejects, rejects, rejects_len) != 0))
            harness_fail("gzip input: exit %d and %zu bytes of rejects; plain: exit %d and %zu",
                         gz_status, gz_rejects_len, lenient, rejects_len);
        free(gz_rejects);
        harness_scratch_clear();
    }
    free(rejects);
    return 0;
}
