/* Unit tests for lib/dataset: every column type round-trips across blocks,
 * the metadata round-trips, and a damaged file is refused rather than read
 * as different numbers. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "dataset.h"

#include "scratch.h"

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* ---- the values written: a pure function of the row ------------------------ */

static const char *const strings[] = {
    "",          "2023", "RX4",   "White",           "BME", "Unknown", "caf\xC3\xA9",
    "a,b \"c\"", "=1+1", " lead", "\xF0\x9F\x98\x80"};

static const char *str_value(uint64_t row)
{
    if (row % 7 == 0)
        return ""; /* missing */
    return strings[(row * 31 + row / 5) % (sizeof(strings) / sizeof(strings[0]))];
}

static uint8_t u8_value(uint64_t row)
{
    return (uint8_t)(row % 13 == 0 ? 0 : row % 256);
}

static int64_t i64_value(uint64_t row)
{
    switch (row % 9) {
    case 0:
        return DS_I64_MISSING;
    case 1:
        return INT64_MAX;
    case 2:
        return INT64_MIN + 1;
    case 3:
        return -(int64_t)row;
    default:
        return (int64_t)(row * 1000003u) - 5000000000;
    }
}

static double f64_value(uint64_t row)
{
    switch (row % 11) {
    case 0:
        return NAN;
    case 1:
        return -0.0;
    case 2:
        return 1e-310; /* subnormal */
    case 3:
        return -1.7976931348623157e308;
    default:
        return (double)row / 7.0 - 3.25;
    }
}

#define SCHEMA_TEXT "candour-schema 1\nname test\nkind respondent\n# caf\xC3\xA9\n"

struct expected {
    size_t n_rows;
    size_t n_inputs;
};

static const struct ds_input inputs[] = {
    {"trust-2023.csv", 123456789012ull, 0xDEADBEEFu, 1000, 990},
    {"more/trust 2024.csv.gz", 0, 0, 0, 0},
    {"\xC3\xA9t\xC3\xA9.csv", UINT64_MAX, UINT32_MAX, UINT64_MAX, 7},
};

enum { COL_STR, COL_U8, COL_I64, COL_F64, N_COLS };

/* Write n_rows rows of the four columns; the writer is finished (committed). */
static void write_dataset(const char *path, size_t n_rows, size_t n_inputs)
{
    struct dataset_writer w;
    struct buf err;
    buf_init(&err);
    uint32_t checksum = (uint32_t)crc32(0L, (const Bytef *)SCHEMA_TEXT, strlen(SCHEMA_TEXT));
    if (!dataset_writer_open(&w, path, 0, checksum, "test", SCHEMA_TEXT, &err))
        fail_msg("open: %s", err.data);
    assert_int_equal(dataset_writer_add_column(&w, "org", 1, DS_STR), COL_STR);
    assert_int_equal(dataset_writer_add_column(&w, "q1", 6, DS_U8), COL_U8);
    assert_int_equal(dataset_writer_add_column(&w, "n", 16, DS_I64), COL_I64);
    assert_int_equal(dataset_writer_add_column(&w, "weight", 7, DS_F64), COL_F64);
    for (size_t i = 0; i < n_inputs; i++)
        dataset_writer_add_input(&w, &inputs[i]);
    for (uint64_t row = 0; row < n_rows; row++) {
        const char *s = str_value(row);
        dw_put_str(&w, COL_STR, s, strlen(s));
        dw_put_u8(&w, COL_U8, u8_value(row));
        dw_put_i64(&w, COL_I64, i64_value(row));
        dw_put_f64(&w, COL_F64, f64_value(row));
        if (!dataset_writer_end_row(&w, &err))
            fail_msg("end_row %llu: %s", (unsigned long long)row, err.data);
    }
    if (!dataset_writer_finish(&w, &err))
        fail_msg("finish: %s", err.data);
    buf_release(&err);
}

static bool same_f64(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof(a)) == 0; /* tells -0.0 from 0.0 */
}

/* Check every value of every chunk against the row functions.  Returns false
 * (with err set) when a chunk does not read; fails the test when a chunk
 * reads but holds a different value. */
static bool check_values(const struct dataset *ds, struct buf *err, const char *context)
{
    void *values = test_malloc(DATASET_BLOCK_ROWS * 8);
    uint64_t first_row = 0;
    bool ok = true;
    for (size_t b = 0; b < ds->n_blocks && ok; b++) {
        uint32_t n = ds->blocks[b].n_rows;
        for (size_t col = 0; col < ds->n_columns && ok; col++) {
            if (!dataset_read_chunk(ds, b, col, values, err)) {
                ok = false;
                break;
            }
            for (uint32_t i = 0; i < n; i++) {
                uint64_t row = first_row + i;
                const unsigned char *p = (const unsigned char *)values;
                bool same = true;
                switch (col) {
                case COL_STR: {
                    uint32_t code;
                    memcpy(&code, p + 4 * i, 4);
                    same = strcmp(ds->columns[col].dict.strings[code], str_value(row)) == 0;
                    break;
                }
                case COL_U8:
                    same = p[i] == u8_value(row);
                    break;
                case COL_I64: {
                    int64_t v;
                    memcpy(&v, p + 8 * i, 8);
                    same = v == i64_value(row);
                    break;
                }
                case COL_F64: {
                    double v;
                    memcpy(&v, p + 8 * i, 8);
                    same = same_f64(v, f64_value(row));
                    break;
                }
                }
                if (!same) {
                    test_free(values);
                    fail_msg("%s: row %llu column %zu reads back a different value", context,
                             (unsigned long long)row, col);
                }
            }
        }
        first_row += n;
    }
    test_free(values);
    return ok;
}

/* The metadata as written, or a failure of the test. */
static void check_metadata(const struct dataset *ds, size_t n_rows, size_t n_inputs,
                           const char *context)
{
    bool same = ds->format_version == DATASET_FORMAT_VERSION && ds->kind == 0 &&
                ds->schema_checksum ==
                    (uint32_t)crc32(0L, (const Bytef *)SCHEMA_TEXT, strlen(SCHEMA_TEXT)) &&
                strcmp(ds->schema_name, "test") == 0 && strcmp(ds->schema_text, SCHEMA_TEXT) == 0 &&
                strcmp(ds->created_by, "candour-ingest " CANDOUR_VERSION) == 0 &&
                ds->total_rows == n_rows && ds->n_inputs == n_inputs && ds->n_columns == N_COLS;
    for (size_t i = 0; same && i < n_inputs; i++) {
        const struct ds_input *a = &ds->inputs[i], *b = &inputs[i];
        same = strcmp(a->name, b->name) == 0 && a->size == b->size && a->crc32 == b->crc32 &&
               a->rows_read == b->rows_read && a->rows_accepted == b->rows_accepted;
    }
    static const struct {
        const char *name;
        uint8_t role, type;
    } columns[N_COLS] = {
        {"org", 1, DS_STR}, {"q1", 6, DS_U8}, {"n", 16, DS_I64}, {"weight", 7, DS_F64}};
    for (size_t c = 0; same && c < N_COLS; c++)
        same = strcmp(ds->columns[c].name, columns[c].name) == 0 &&
               ds->columns[c].role == columns[c].role && ds->columns[c].type == columns[c].type;
    /* the dictionary: "" first, then each distinct string in order of first use */
    same = same && ds->columns[COL_STR].dict.count >= 1 &&
           strcmp(ds->columns[COL_STR].dict.strings[0], "") == 0;
    for (size_t c = 1; same && c < N_COLS; c++)
        same = ds->columns[c].dict.count == 0;
    size_t rows = 0;
    for (size_t b = 0; same && b < ds->n_blocks; b++) {
        same = ds->blocks[b].n_rows >= 1 && ds->blocks[b].n_rows <= DATASET_BLOCK_ROWS;
        rows += ds->blocks[b].n_rows;
    }
    if (!same || rows != n_rows)
        fail_msg("%s: metadata reads back different", context);
}

/* ---- round trip ----------------------------------------------------------- */

static void test_round_trip_blocks(void **state)
{
    (void)state;
    static const size_t row_counts[] = {
        0, 1, 10, DATASET_BLOCK_ROWS - 1, DATASET_BLOCK_ROWS, 2 * DATASET_BLOCK_ROWS + 123,
    };
    char *path = xasprintf("%s/round.cds", scratch);
    for (size_t k = 0; k < sizeof(row_counts) / sizeof(row_counts[0]); k++) {
        size_t n_rows = row_counts[k];
        size_t n_inputs = k % 4;
        write_dataset(path, n_rows, n_inputs);
        struct buf err;
        buf_init(&err);
        struct dataset *ds = dataset_open(path, &err);
        if (!ds)
            fail_msg("%zu rows: %s", n_rows, err.data);
        char context[64];
        snprintf(context, sizeof(context), "%zu rows", n_rows);
        check_metadata(ds, n_rows, n_inputs, context);
        size_t want_blocks = (n_rows + DATASET_BLOCK_ROWS - 1) / DATASET_BLOCK_ROWS;
        assert_int_equal(ds->n_blocks, want_blocks);
        for (size_t b = 0; b + 1 < ds->n_blocks; b++)
            assert_int_equal(ds->blocks[b].n_rows, DATASET_BLOCK_ROWS);
        if (!check_values(ds, &err, context))
            fail_msg("%zu rows: %s", n_rows, err.data);
        /* every distinct string appears once in the dictionary */
        const struct strdict *d = &ds->columns[COL_STR].dict;
        for (size_t i = 0; i < d->count; i++)
            for (size_t j = 0; j < i; j++)
                assert_string_not_equal(d->strings[i], d->strings[j]);
        if (n_rows >= 100)
            assert_int_equal(d->count, sizeof(strings) / sizeof(strings[0]));
        assert_int_equal(dataset_find_column(ds, 6, "q1"), COL_U8);
        assert_int_equal(dataset_find_column(ds, 7, NULL), COL_F64);
        assert_int_equal(dataset_find_column(ds, 6, "q2"), (size_t)-1);
        assert_int_equal(dataset_find_column(ds, 99, NULL), (size_t)-1);
        dataset_close(ds);
        buf_release(&err);
    }
    unlink(path);
    free(path);
}

static void test_type_sizes(void **state)
{
    (void)state;
    assert_int_equal(ds_type_size(DS_U8), 1);
    assert_int_equal(ds_type_size(DS_STR), 4);
    assert_int_equal(ds_type_size(DS_I64), 8);
    assert_int_equal(ds_type_size(DS_F64), 8);
    assert_int_equal(ds_type_size(0), 0);
    assert_int_equal(ds_type_size(5), 0);
}

/* ---- damage ----------------------------------------------------------------- */

/* Open the file and read every chunk.  Returns true when it all reads (and
 * then the values and metadata must be the originals), false when it is
 * refused with a message naming the file (copied into why when not NULL). */
static bool reads_back(const char *path, size_t n_rows, size_t n_inputs, const char *context,
                       struct buf *why)
{
    struct buf err;
    buf_init(&err);
    struct dataset *ds = dataset_open(path, &err);
    bool ok = ds != NULL;
    if (ok) {
        check_metadata(ds, n_rows, n_inputs, context);
        ok = check_values(ds, &err, context);
        dataset_close(ds);
    }
    if (!ok && err.len == 0)
        fail_msg("%s: refused without a message", context);
    if (!ok && strncmp(err.data, path, strlen(path)) != 0)
        fail_msg("%s: message '%s' does not name the file", context, err.data);
    if (why) {
        buf_clear(why);
        buf_puts(why, err.len ? err.data : "");
    }
    buf_release(&err);
    return ok;
}

/* Flip every byte of a small dataset in turn.  No flip may read back as
 * different values; and since every part of the file is checked (magic,
 * version, flags, chunk CRCs, metadata CRC, trailer), every flip is refused,
 * by the CRC-32 itself wherever one covers the byte (zlib's own checksum
 * would catch a flipped chunk byte too, but the format promises a CRC). */
static void test_every_byte_flipped(void **state)
{
    (void)state;
    enum { ROWS = 40, INPUTS = 2 };
    char *path = xasprintf("%s/flip.cds", scratch);
    char *damaged = xasprintf("%s/damaged.cds", scratch);
    write_dataset(path, ROWS, INPUTS);
    size_t len;
    unsigned char *bytes = slurp(path, &len);
    assert_true(reads_back(path, ROWS, INPUTS, "undamaged", NULL));
    /* the trailer's first field is the metadata offset: chunks lie between
     * the 16-byte header and it, the metadata between it and the trailer */
    uint64_t meta_offset = 0;
    for (int i = 7; i >= 0; i--)
        meta_offset = meta_offset << 8 | bytes[len - 24 + (size_t)i];
    assert_true(meta_offset > 16 && meta_offset < len - 24);
    /* one damaged copy, each byte flipped in place and restored */
    write_file(damaged, bytes, len);
    int fd = open(damaged, O_WRONLY);
    assert_true(fd >= 0);
    struct buf silent, not_crc, why;
    buf_init(&silent);
    buf_init(&not_crc);
    buf_init(&why);
    buf_puts(&silent, "");
    buf_puts(&not_crc, "");
    for (size_t at = 0; at < len; at++) {
        unsigned char flipped = bytes[at] ^ 0xFF;
        assert_int_equal(pwrite(fd, &flipped, 1, (off_t)at), 1);
        char context[64];
        snprintf(context, sizeof(context), "byte %zu of %zu flipped", at, len);
        bool silently_read = reads_back(damaged, ROWS, INPUTS, context, &why);
        assert_int_equal(pwrite(fd, &bytes[at], 1, (off_t)at), 1);
        if (silently_read)
            buf_printf(&silent, " %zu", at);
        else if (at >= 16 && at < len - 24 && !strstr(why.data, "(CRC mismatch)"))
            buf_printf(&not_crc, "\n  byte %zu: %s", at, why.data);
    }
    close(fd);
    if (silent.len)
        fail_msg("flipping these bytes went unnoticed (values unchanged):%s", silent.data);
    if (not_crc.len)
        fail_msg("flips under a CRC refused for another reason:%s", not_crc.data);
    buf_release(&silent);
    buf_release(&not_crc);
    buf_release(&why);
    free(bytes);
    unlink(damaged);
    unlink(path);
    free(damaged);
    free(path);
}

static void test_every_truncation(void **state)
{
    (void)state;
    char *path = xasprintf("%s/whole.cds", scratch);
    char *cut = xasprintf("%s/cut.cds", scratch);
    write_dataset(path, 300, 1);
    size_t len;
    unsigned char *bytes = slurp(path, &len);
    /* one copy, cut shorter and shorter */
    write_file(cut, bytes, len);
    for (size_t n = len; n-- > 0;) {
        assert_int_equal(truncate(cut, (off_t)n), 0);
        struct buf err;
        buf_init(&err);
        struct dataset *ds = dataset_open(cut, &err);
        if (ds) {
            dataset_close(ds);
            fail_msg("dataset cut to %zu of %zu bytes opened", n, len);
        }
        assert_true(err.len > 0);
        buf_release(&err);
    }
    /* ... and a byte appended is refused too */
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    fputc(0, f);
    fclose(f);
    struct buf err;
    buf_init(&err);
    assert_null(dataset_open(path, &err));
    buf_release(&err);
    free(bytes);
    unlink(cut);
    unlink(path);
    free(cut);
    free(path);
}

static void test_open_errors(void **state)
{
    (void)state;
    char *missing = xasprintf("%s/missing.cds", scratch);
    char *text = xasprintf("%s/text.cds", scratch);
    static const char csv[] = "period,org\n2023,RX4\n2023,RX5\n2023,RX6\n2023,RX7\n";
    write_file(text, csv, sizeof(csv) - 1);
    static const struct {
        int which;
        const char *message; /* after "path: " */
    } cases[] = {
        {0, "No such file or directory"},
        {1, "is a directory"},
        {2, "not a candour dataset (bad magic or too short)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *path = cases[i].which == 0 ? missing : cases[i].which == 1 ? scratch : text;
        struct buf err;
        buf_init(&err);
        assert_null(dataset_open(path, &err));
        char *want = xasprintf("%s: %s", path, cases[i].message);
        assert_string_equal(err.data, want);
        free(want);
        buf_release(&err);
    }
    unlink(text);
    free(text);
    free(missing);
}

/* ---- the rejected rows of aggregated inputs (format version 2) ------------------ */

/* A dataset of one input with 10 rows read and 6 accepted, whose 4
 * rejected rows are recorded by (period, org): two of one key, "" where a
 * value was unreadable. */
static void write_with_rejected(const char *path)
{
    struct dataset_writer w;
    struct buf err;
    buf_init(&err);
    uint32_t checksum = (uint32_t)crc32(0L, (const Bytef *)SCHEMA_TEXT, strlen(SCHEMA_TEXT));
    assert_true(dataset_writer_open(&w, path, 2, checksum, "test", SCHEMA_TEXT, &err));
    dataset_writer_add_column(&w, "org", 1, DS_STR);
    dataset_writer_add_rejected(&w, "2023", "RX4");
    dataset_writer_add_rejected(&w, "", "RX5");
    dataset_writer_add_rejected(&w, "2023", "RX4");
    dataset_writer_add_rejected(&w, "2024", "");
    struct ds_input in = {"counts.csv", 100, 1, 10, 6};
    dataset_writer_add_input(&w, &in);
    for (int row = 0; row < 6; row++) {
        dw_put_str(&w, 0, "RX4", 3);
        assert_true(dataset_writer_end_row(&w, &err));
    }
    if (!dataset_writer_finish(&w, &err))
        fail_msg("finish: %s", err.data);
    buf_release(&err);
}

static void test_rejected_round_trip(void **state)
{
    (void)state;
    char *path = xasprintf("%s/rejected.cds", scratch);
    write_with_rejected(path);
    struct buf err;
    buf_init(&err);
    struct dataset *ds = dataset_open(path, &err);
    if (!ds)
        fail_msg("open: %s", err.data);
    assert_int_equal(ds->format_version, 2);
    assert_int_equal(ds->n_rejected, 3);
    static const struct {
        const char *period, *org;
        uint64_t rows;
    } want[] = {{"2023", "RX4", 2}, {"", "RX5", 1}, {"2024", "", 1}};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ds->rejected[i].input, 0);
        assert_string_equal(ds->rejected[i].period, want[i].period);
        assert_string_equal(ds->rejected[i].org, want[i].org);
        assert_int_equal(ds->rejected[i].rows, want[i].rows);
    }
    dataset_close(ds);
    buf_release(&err);
    unlink(path);
    free(path);
}

/* ---- codes outside a column's dictionary --------------------------------------- */

/* A string column whose block holds a code beyond its dictionary (written
 * here with dw_put_code, as a damaged or hand-made file could hold one
 * under a valid CRC) is refused when the block is read, wherever in the
 * block the code is; the same file with every code known reads. */
static void test_code_outside_dictionary(void **state)
{
    (void)state;
    enum { ROWS = 5 };
    char *path = xasprintf("%s/codes.cds", scratch);
    uint32_t checksum = (uint32_t)crc32(0L, (const Bytef *)SCHEMA_TEXT, strlen(SCHEMA_TEXT));
    for (int bad = -1; bad < ROWS; bad++) { /* -1: none */
        struct dataset_writer w;
        struct buf err;
        buf_init(&err);
        assert_true(dataset_writer_open(&w, path, 0, checksum, "test", SCHEMA_TEXT, &err));
        dataset_writer_add_column(&w, "org", 1, DS_STR);
        for (int row = 0; row < ROWS; row++) {
            if (row == bad)
                dw_put_code(&w, 0, 2); /* the dictionary holds "" and "RX1": codes 0 and 1 */
            else
                dw_put_str(&w, 0, "RX1", 3);
            assert_true(dataset_writer_end_row(&w, &err));
        }
        if (!dataset_writer_finish(&w, &err))
            fail_msg("finish: %s", err.data);
        struct dataset *ds = dataset_open(path, &err);
        if (!ds)
            fail_msg("open: %s", err.data);
        unsigned char codes[ROWS * 4];
        bool read = dataset_read_chunk(ds, 0, 0, codes, &err);
        if (bad < 0 && !read)
            fail_msg("every code known, but refused: %s", err.data);
        if (bad >= 0 && read)
            fail_msg("code 2 at row %d of a dictionary of 2 read", bad);
        if (bad >= 0 && !strstr(err.data, "block 0 column 'org' has a code outside its dictionary"))
            fail_msg("row %d: message '%s'", bad, err.data);
        dataset_close(ds);
        buf_release(&err);
    }
    unlink(path);
    free(path);
}

static uint32_t le32_at(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32_at(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* A version 1 dataset, made from a version 2 one as docs/dataset-format.md
 * lays both out: the same bytes without the rejected rows' section at the
 * end of the metadata (here its count, 0), version 1 in the header and the
 * metadata, the metadata's length and CRC-32 in the trailer made again.
 * It still reads, with no rejected rows; the same bytes claiming version 2
 * (a section missing) or version 3 are refused. */
static void test_version_1_still_read(void **state)
{
    (void)state;
    char *path = xasprintf("%s/v1.cds", scratch);
    write_dataset(path, 100, 1);
    size_t len;
    unsigned char *data = slurp(path, &len);
    unsigned char *trailer = data + len - 24;
    uint64_t meta_offset = le32_at(trailer) | (uint64_t)le32_at(trailer + 4) << 32;
    uint32_t meta_len = le32_at(trailer + 8);
    assert_int_equal(le32_at(data + meta_offset + meta_len - 4), 0); /* no rejected rows */
    meta_len -= 4;
    memmove(data + meta_offset + meta_len, trailer, 24);
    len -= 4;
    trailer = data + len - 24;
    for (uint32_t version = 1; version <= 3; version++) {
        put_le32_at(data + 8, version);
        put_le32_at(data + meta_offset, version);
        put_le32_at(trailer + 8, meta_len);
        put_le32_at(trailer + 12, (uint32_t)crc32(0L, data + meta_offset, meta_len));
        write_file(path, data, len);
        struct buf err;
        buf_init(&err);
        struct dataset *ds = dataset_open(path, &err);
        if (version == 1) {
            if (!ds)
                fail_msg("version 1: %s", err.data);
            assert_int_equal(ds->format_version, 1);
            assert_int_equal(ds->n_rejected, 0);
            assert_int_equal(ds->total_rows, 100);
            dataset_close(ds);
        } else {
            assert_null(ds);
            char *want = xasprintf(version == 2 ? "%s: dataset metadata is inconsistent"
                                                : "%s: dataset format version 3; this candour "
                                                  "reads versions 1 to 2",
                                   path);
            assert_string_equal(err.data, want);
            free(want);
        }
        buf_release(&err);
    }
    free(data);
    unlink(path);
    free(path);
}

/* ---- atomic writing ------------------------------------------------------------- */

static void test_abort_leaves_nothing(void **state)
{
    (void)state;
    char *path = xasprintf("%s/aborted.cds", scratch);
    for (size_t n_rows = 0; n_rows <= DATASET_BLOCK_ROWS + 1; n_rows += DATASET_BLOCK_ROWS + 1) {
        struct dataset_writer w;
        struct buf err;
        buf_init(&err);
        assert_true(dataset_writer_open(&w, path, 0, 0, "test", "", &err));
        dataset_writer_add_column(&w, "n", 16, DS_I64);
        dataset_writer_add_input(&w, &inputs[0]);
        for (size_t row = 0; row < n_rows; row++) {
            dw_put_i64(&w, 0, (int64_t)row);
            assert_true(dataset_writer_end_row(&w, &err));
        }
        char *names = list_scratch();
        assert_int_equal(strncmp(names, ".aborted.cds.tmp.", 17), 0); /* only the temporary */
        assert_null(strchr(names, ' '));
        free(names);
        dataset_writer_abort(&w);
        names = list_scratch();
        if (strcmp(names, "") != 0)
            fail_msg("after abort the directory holds '%s'", names);
        free(names);
        buf_release(&err);
    }
    free(path);
}

/* A dataset written over an old one replaces it only when finished. */
static void test_abort_keeps_previous(void **state)
{
    (void)state;
    char *path = xasprintf("%s/previous.cds", scratch);
    write_dataset(path, 5, 1);
    struct dataset_writer w;
    struct buf err;
    buf_init(&err);
    assert_true(dataset_writer_open(&w, path, 0, 0, "other", "", &err));
    dataset_writer_add_column(&w, "n", 16, DS_I64);
    dw_put_i64(&w, 0, 1);
    assert_true(dataset_writer_end_row(&w, &err));
    dataset_writer_abort(&w);
    assert_true(reads_back(path, 5, 1, "previous dataset after an aborted rewrite", NULL));
    char *names = list_scratch();
    assert_string_equal(names, "previous.cds");
    free(names);
    unlink(path);
    free(path);
    buf_release(&err);
}

static void test_dev_full(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    struct dataset_writer w;
    struct buf err;
    buf_init(&err);
    assert_true(dataset_writer_open(&w, "/dev/full", 0, 0, "test", "", &err));
    dataset_writer_add_column(&w, "n", 16, DS_I64);
    for (int row = 0; row < 10; row++) {
        dw_put_i64(&w, 0, row);
        dataset_writer_end_row(&w, &err);
    }
    assert_false(dataset_writer_finish(&w, &err));
    assert_non_null(strstr(err.data, "/dev/full: write failed: No space left on device"));
    buf_release(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_blocks, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_type_sizes, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_every_byte_flipped, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_every_truncation, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_open_errors, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_rejected_round_trip, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_code_outside_dictionary, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_version_1_still_read, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_abort_keeps_previous, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_dev_full, make_scratch, remove_scratch),
    };
    return cmocka_run_group_tests_name("dataset", tests, NULL, NULL);
}
