/* fuzz_csv_diff: the fast CSV scanner against libcsv (lib/csvin.c).
 *
 * Every input is read twice from an in-memory file: with the fast scanner
 * (which hands what it does not fully understand to libcsv) and with libcsv
 * alone, the reference.  The records (every field's bytes, the line each
 * starts on, the plain flag), the final status, the error line and the line
 * count must be identical.  Inputs whose length is a multiple of 7 are also
 * read repeated past 300 KiB, so records cross the source's 256 KiB chunk
 * and the scanner's window moves from batch to batch. */
#include <stdlib.h>
#include <string.h>

#include "csvin.h"
#include "harness.h"

static int collect(void *ctx, const struct csvin_record *rec, struct csvin *in)
{
    (void)in;
    struct buf *out = ctx;
    buf_printf(out, "%lu %c %zu:", rec->line, rec->plain ? 'P' : '-', rec->n_fields);
    for (size_t i = 0; i < rec->n_fields; i++) {
        buf_printf(out, "%zu=", rec->len[i]);
        buf_append(out, rec->field[i], rec->len[i]);
    }
    buf_putc(out, '\n');
    return 0;
}

static void read_with(const char *path, bool fast, struct buf *out)
{
    struct csvin in;
    buf_clear(out);
    buf_puts(out, "");
    csvin_set_fast_path(fast);
    enum csvin_status st = csvin_read(&in, path, collect, out);
    buf_printf(out, "status %d error_line %lu line %lu\n", (int)st,
               st == CSVIN_OK ? 0ul : in.error_line, in.line);
    csvin_close(&in);
    csvin_set_fast_path(true);
}

static void compare(const char *path)
{
    static struct buf fast, reference;
    read_with(path, true, &fast);
    read_with(path, false, &reference);
    if (fast.len != reference.len || memcmp(fast.data, reference.data, fast.len) != 0)
        harness_fail("fast scanner and libcsv differ\n--- fast\n%.3000s\n--- libcsv\n%.3000s",
                     fast.data, reference.data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct harness_file file;
    if (!file.path[0])
        harness_file_open(&file, "diff.csv");
    harness_file_set(&file, data, size);
    compare(file.path);
    if (size && size % 7 == 0) {
        struct buf big;
        buf_init(&big);
        while (big.len < (300u << 10))
            buf_append(&big, data, size);
        harness_file_set(&file, big.data, big.len);
        compare(file.path);
        buf_release(&big);
    }
    return 0;
}
