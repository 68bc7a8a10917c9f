/* Unit tests for stats/output.c: table_name, which finds a name's CSV form by
 * its address, must write exactly what table_str writes; runs of fields
 * made once (table_fields, table_put) exactly what a call per field
 * writes; a table written by two threads at once, a chunk of units each in
 * turn, must be byte for byte the table one thread writes, plain and
 * gzip-compressed; table_num, which keeps the text of numbers written
 * before, must write what numfmt does; runs of fields kept by key
 * (table_span_find, table_span_keep) what writing them again writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <zlib.h>

#include "../../stats/output.h"
#include "numfmt.h"

#include "scratch.h"

#define N_NAMES 1500 /* past several growths of the cache (256 slots at first) */

/* Names that need quoting, neutralising or nothing, and many plain ones. */
static char **make_names(void)
{
    static const char *const special[] = {
        "a,b",         "say \"hi\"",
        "=SUM(A1)",    "-2+3",
        "-2",          " lead",
        "line\nbreak", "",
        "plain",       "a name longer than sixteen bytes, with a comma"};
    char **names = calloc(N_NAMES, sizeof(*names));
    assert_non_null(names);
    for (size_t i = 0; i < N_NAMES; i++)
        names[i] = i < ARRAY_LEN(special) ? xstrdup(special[i]) : xasprintf("name %zu", i);
    return names;
}

/* Rows of three names in an order that revisits old names, written once
 * with table_name and once with table_str. */
static void write_rows(const char *file, char **names, bool by_name)
{
    struct table t = {0}; /* zeroed: a table of one thread */
    struct buf err;
    buf_init(&err);
    assert_true(table_open(&t, scratch, file, "x,y,z", &err));
    for (size_t r = 0; r < 3 * N_NAMES; r++) {
        const char *row[3] = {names[r % N_NAMES], names[(r * 7) % N_NAMES], names[(r / 3) % 10]};
        for (int c = 0; c < 3; c++)
            (by_name ? table_name : table_str)(&t, row[c]);
        table_end_row(&t);
    }
    struct atomic_file *f = table_finish(&t);
    assert_true(atomic_commit(f, &err));
    buf_release(&err);
}

static void test_name_writes_what_str_writes(void **state)
{
    (void)state;
    char **names = make_names();
    write_rows("by-name.csv", names, true);
    write_rows("by-str.csv", names, false);
    char *p1 = xasprintf("%s/by-name.csv", scratch), *p2 = xasprintf("%s/by-str.csv", scratch);
    size_t len1, len2;
    char *by_name = (char *)slurp(p1, &len1), *by_str = (char *)slurp(p2, &len2);
    assert_non_null(by_name);
    assert_non_null(by_str);
    assert_string_equal(by_name, by_str);
    /* and table_str's output is what csvout promises: spot checks */
    assert_non_null(strstr(by_str, "\"a,b\","));
    assert_non_null(strstr(by_str, "'=SUM(A1),"));
    assert_non_null(strstr(by_str, "\n-2,"));
    /* a line break in a name is written as \n (#15: no raw control
     * character in a table), so the field needs no quotes */
    assert_non_null(strstr(by_str, ",line\\nbreak,"));
    assert_null(strstr(by_str, "line\nbreak"));
    free(by_name);
    free(by_str);
    free(p1);
    free(p2);
    for (size_t i = 0; i < N_NAMES; i++)
        free(names[i]);
    free(names);
}

/* Field k of row r: every kind of field (names that need quoting or
 * escaping, blanks, whole numbers, numbers of every form, NaN). */
enum field_kind { FIELD_NAME, FIELD_BLANK, FIELD_INT, FIELD_NUM };
#define FIELDS_PER_ROW 7
static enum field_kind field_kind(size_t k)
{
    static const enum field_kind kinds[FIELDS_PER_ROW] = {
        FIELD_NAME, FIELD_BLANK, FIELD_INT, FIELD_NUM, FIELD_NAME, FIELD_NAME, FIELD_NUM};
    return kinds[k];
}
static double field_number(size_t r, size_t k)
{
    static const double special[] = {-0.0, 1e-300, 2.5e15, 0.1, -7.0, 1.0 / 3.0};
    if (r % 11 == 0)
        return NAN;
    return k == 2 ? (double)(r * 37) - 500.0 : special[r % ARRAY_LEN(special)] * (double)(r + 1);
}

static void put_field(struct table *t, struct table_fields *f, char **names, size_t r, size_t k)
{
    const char *name = names[(r * (k + 1)) % N_NAMES];
    switch (field_kind(k)) {
    case FIELD_NAME:
        f ? table_fields_str(f, name) : table_str(t, name);
        break;
    case FIELD_BLANK:
        f ? table_fields_blank(f) : table_blank(t);
        break;
    case FIELD_INT:
        f ? table_fields_int(f, field_number(r, k)) : table_int(t, field_number(r, k));
        break;
    case FIELD_NUM:
        f ? table_fields_num(f, field_number(r, k)) : table_num(t, field_number(r, k));
        break;
    }
}

/* Rows written a field at a time, or (as_runs) with runs of fields of
 * every length and position (a row's first field, its last, the whole
 * row), made fresh for each row or (run k = 0) kept and reused. */
static void write_field_rows(const char *file, char **names, bool as_runs)
{
    struct table t = {0};
    struct buf err;
    buf_init(&err);
    assert_true(table_open(&t, scratch, file, "a,b,c,d,e,f,g", &err));
    struct table_fields run, kept;
    table_fields_init(&run);
    table_fields_init(&kept);
    for (size_t k = 0; k < FIELDS_PER_ROW; k++)
        put_field(&t, &kept, names, 0, k);
    assert_int_equal(kept.n_fields, FIELDS_PER_ROW);
    for (size_t r = 0; r < 3 * N_NAMES; r++) {
        if (r % 13 == 0) { /* row 0 again */
            if (as_runs)
                table_put(&t, &kept);
            for (size_t k = 0; !as_runs && k < FIELDS_PER_ROW; k++)
                put_field(&t, NULL, names, 0, k);
            table_end_row(&t);
            continue;
        }
        size_t start = as_runs ? r % FIELDS_PER_ROW : FIELDS_PER_ROW;
        size_t end = start + (r / FIELDS_PER_ROW) % (FIELDS_PER_ROW + 1 - start);
        for (size_t k = 0; k < FIELDS_PER_ROW;) {
            if (k == start && end > start) {
                table_fields_clear(&run);
                for (; k < end; k++)
                    put_field(&t, &run, names, r, k);
                table_put(&t, &run);
            } else {
                put_field(&t, NULL, names, r, k++);
            }
        }
        table_end_row(&t);
    }
    table_fields_release(&run);
    table_fields_release(&kept);
    struct atomic_file *f = table_finish(&t);
    assert_true(atomic_commit(f, &err));
    buf_release(&err);
}

static void test_fields_write_what_calls_write(void **state)
{
    (void)state;
    char **names = make_names();
    write_field_rows("by-field.csv", names, false);
    write_field_rows("by-runs.csv", names, true);
    char *p1 = xasprintf("%s/by-field.csv", scratch), *p2 = xasprintf("%s/by-runs.csv", scratch);
    size_t len1, len2;
    char *by_field = (char *)slurp(p1, &len1), *by_runs = (char *)slurp(p2, &len2);
    assert_non_null(by_field);
    assert_non_null(by_runs);
    assert_true(len1 > 3 * N_NAMES * FIELDS_PER_ROW);
    assert_string_equal(by_field, by_runs);
    /* spot checks of what both wrote: quoting, escaping, no "-0" */
    assert_non_null(strstr(by_runs, "\"a,b\""));
    assert_non_null(strstr(by_runs, "line\\nbreak"));
    assert_null(strstr(by_runs, ",-0,"));
    free(by_field);
    free(by_runs);
    free(p1);
    free(p2);
    for (size_t i = 0; i < N_NAMES; i++)
        free(names[i]);
    free(names);
}

#define N_UNITS 400

/* The rows of unit u: none, a few, or (unit 150) many more than a chunk's
 * worth of the others, so that one thread runs ahead of the other and
 * waits for the file. */
static size_t unit_rows(size_t u)
{
    return u == 150 ? 5000 : (u * 7) % 5;
}

struct shared_writer {
    struct table t;
    char **names;
    size_t n_units;
    size_t fail_at; /* give up at this unit (SIZE_MAX: never) */
    bool shared;    /* done with its part when its writer returns */
    bool ok;
};

/* What a table writer does: every unit in the same order, the rows of
 * those table_unit gives this thread. */
static void *write_units(void *arg)
{
    struct shared_writer *w = arg;
    struct buf err;
    buf_init(&err);
    w->ok = table_open(&w->t, scratch, "shared.csv", "unit,row,name,value", &err);
    for (size_t u = 0; w->ok && u < w->n_units; u++) {
        if (!table_unit(&w->t))
            continue;
        if (u == w->fail_at) {
            w->ok = false;
            break;
        }
        for (size_t r = 0; r < unit_rows(u); r++) {
            table_int(&w->t, (double)u);
            table_int(&w->t, (double)r);
            table_name(&w->t, w->names[(u + r) % N_NAMES]);
            table_num(&w->t, (double)u / (double)(r + 3));
            table_end_row(&w->t);
        }
    }
    if (w->shared) /* as candour-stats' writing threads do */
        table_done(&w->t, w->ok);
    buf_release(&err);
    return NULL;
}

/* The table of n_units written by one thread alone (threads 0) or by two
 * sharing it, chunks of unit_chunk units; its bytes (decompressed when
 * gzip), or NULL when a writer gave up. */
static char *write_table(char **names, size_t n_units, int threads, size_t unit_chunk, bool gzip,
                         size_t fail_at, size_t *len)
{
    tables_use_gzip(gzip);
    struct buf err;
    buf_init(&err);
    struct shared_writer w[2];
    memset(w, 0, sizeof(w));
    struct table_sink sink;
    struct atomic_file *f;
    for (int k = 0; k < 2; k++)
        w[k] = (struct shared_writer){.names = names, .n_units = n_units, .fail_at = fail_at};
    if (threads == 0) {
        write_units(&w[0]);
        assert_true(w[0].ok);
        f = table_finish(&w[0].t);
    } else {
        table_sink_init(&sink, 2, unit_chunk);
        pthread_t helper[2];
        for (int k = 0; k < 2; k++) {
            table_share(&w[k].t, &sink);
            w[k].shared = true;
            assert_int_equal(pthread_create(&helper[k], NULL, write_units, &w[k]), 0);
        }
        for (int k = 0; k < 2; k++)
            pthread_join(helper[k], NULL);
        f = table_sink_result(&sink);
    }
    char *bytes = NULL;
    if (f) {
        assert_true(atomic_commit(f, &err));
        char *path = xasprintf("%s/shared.csv%s", scratch, gzip ? ".gz" : "");
        bytes = (char *)slurp(path, len);
        assert_non_null(bytes);
        unlink(path);
        free(path);
    }
    if (threads)
        table_sink_release(&sink);
    tables_use_gzip(false);
    buf_release(&err);
    if (!bytes || !gzip)
        return bytes;
    /* one gzip member after another, each inflated and checked (CRC-32,
     * length) by zlib: a decoder independent of the compressor */
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    struct buf plain;
    buf_init(&plain);
    size_t members = 0;
    z.next_in = (Bytef *)bytes;
    z.avail_in = (uInt)*len;
    while (z.avail_in) {
        int r;
        do {
            buf_reserve(&plain, 1u << 16);
            z.next_out = (Bytef *)plain.data + plain.len;
            z.avail_out = 1u << 16;
            r = inflate(&z, Z_NO_FLUSH);
            plain.len += (1u << 16) - z.avail_out;
        } while (r == Z_OK);
        assert_int_equal(r, Z_STREAM_END);
        members++;
        assert_int_equal(inflateReset(&z), Z_OK);
    }
    inflateEnd(&z);
    assert_true(members >= 1);
    free(bytes);
    *len = plain.len;
    return plain.data;
}

static void free_names(char **names)
{
    for (size_t i = 0; i < N_NAMES; i++)
        free(names[i]);
    free(names);
}

static void test_shared_table_writes_what_one_thread_writes(void **state)
{
    (void)state;
    char **names = make_names();
    size_t plain_len = 0;
    char *plain = NULL;
    for (int gzip = 0; gzip < 2; gzip++) {
        size_t len1, len2;
        char *alone = write_table(names, N_UNITS, 0, 0, gzip, SIZE_MAX, &len1);
        assert_true(len1 > 100000);
        if (!gzip) {
            plain = xstrndup(alone, len1);
            plain_len = len1;
        } else { /* decompressed, the plain table's bytes */
            assert_int_equal(len1, plain_len);
            assert_memory_equal(alone, plain, len1);
        }
        /* chunks of 1 unit (many chunks, window waits), 7, and all in one */
        static const size_t chunks[] = {1, 7, N_UNITS};
        for (size_t c = 0; c < ARRAY_LEN(chunks); c++) {
            char *shared = write_table(names, N_UNITS, 2, chunks[c], gzip, SIZE_MAX, &len2);
            assert_int_equal(len1, len2);
            assert_memory_equal(alone, shared, len1);
            free(shared);
        }
        free(alone);
        /* no unit at all: the header alone */
        char *empty = write_table(names, 0, 2, 4, gzip, SIZE_MAX, &len2);
        assert_int_equal(len2, strlen("unit,row,name,value\n"));
        assert_memory_equal(empty, "unit,row,name,value\n", len2);
        free(empty);
    }
    free(plain);
    free_names(names);
}

/* A writer that gives up stops the other (none waits forever) and no file
 * is left behind. */
static void test_shared_table_given_up(void **state)
{
    (void)state;
    char **names = make_names();
    for (size_t fail_at = 0; fail_at < N_UNITS; fail_at += 37) {
        size_t len;
        assert_null(write_table(names, N_UNITS, 2, 1, false, fail_at, &len));
        char *left = list_scratch();
        assert_string_equal(left, "");
        free(left);
    }
    free_names(names);
}

/* Doubles for test_num_writes_what_numfmt_writes: neighbours a few units
 * in the last place apart, and a run of N_DENSE consecutive doubles (more
 * than any small memo has slots, so that some of them must share one: a
 * memo keyed by fewer bits than all would mix them up); texts of every
 * length (a stale length or tail would show), one longer than a memo
 * slot's text, and zero, -0, NaN, the infinities. */
#define N_FAMILIES 1000
#define N_POOL (4 * N_FAMILIES)
#define N_DENSE 4096
static const double special_numbers[] = {
    0.0, -0.0, 0.5, 2, 1e-5, 1.5e-5, -1.2345678901234567e-100, 1e300, 123456789012345.6,
    0.1, 0.30000000000000004, -0.25, 1e15, 5e-324, 1.7976931348623157e308, -7, NAN, INFINITY,
    -INFINITY, 0.0001, 0.00012345678901234567, 1234567.5};

static double *make_pool(void)
{
    double *pool = calloc(N_POOL, sizeof(*pool));
    assert_non_null(pool);
    for (size_t i = 0; i < N_FAMILIES; i++) {
        double x = (double)(i % 97 + 1) / (double)(i % 89 + 7);
        pool[4 * i] = x;
        pool[4 * i + 1] = nextafter(x, 2 * x);
        pool[4 * i + 2] = nextafter(x, 0);
        pool[4 * i + 3] = nextafter(pool[4 * i + 1], 2 * x);
    }
    return pool;
}

static double dense_number(size_t i)
{
    uint64_t bits;
    double x = 0.3;
    memcpy(&bits, &x, sizeof(bits));
    bits = (bits & ~0xFFFFull) + i; /* the top 48 bits the same */
    memcpy(&x, &bits, sizeof(x));
    return x;
}

/* The next pseudo-random number (a 64-bit LCG's top bits). */
static size_t next_random(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (size_t)(*state >> 33);
}

/* Row r's four numbers: few values repeated (the memo finds most), a
 * window of neighbours moving down the pool (finds, collisions, near
 * misses), the special ones, the dense run; between rows 60,000 and 80,000
 * numbers that never repeat in the first column (it stops looking, then
 * starts again). */
static void row_numbers(size_t r, const double *pool, uint64_t *state, double v[4])
{
    bool distinct = r >= 60000 && r < 80000;
    v[0] = distinct ? 0.1 + (double)r * 1e-7 : pool[next_random(state) % 64];
    v[1] = pool[(r / 50 + next_random(state) % 300) % N_POOL];
    v[2] = special_numbers[next_random(state) % ARRAY_LEN(special_numbers)];
    v[3] = dense_number(next_random(state) % N_DENSE);
}

/* table_num's memo of numbers written before must write exactly what
 * numfmt_shortest writes for each (with 0 for -0 and a blank for NaN),
 * whatever came before it in the column. */
static void test_num_writes_what_numfmt_writes(void **state)
{
    (void)state;
    double *pool = make_pool();
    struct table t = {0};
    struct buf err, expected;
    buf_init(&err);
    buf_init(&expected);
    buf_puts(&expected, "a,b,c,d\n");
    assert_true(table_open(&t, scratch, "numbers.csv", "a,b,c,d", &err));
    uint64_t random = 42;
    for (size_t r = 0; r < 160000; r++) {
        double v[4];
        row_numbers(r, pool, &random, v);
        for (int c = 0; c < 4; c++) {
            table_num(&t, v[c]);
            char text[NUMFMT_MAX];
            if (c)
                buf_putc(&expected, ',');
            if (!isnan(v[c]))
                buf_append(&expected, text, numfmt_shortest(text, v[c] == 0 ? 0.0 : v[c]));
        }
        table_end_row(&t);
        buf_putc(&expected, '\n');
    }
    assert_true(atomic_commit(table_finish(&t), &err));
    char *path = xasprintf("%s/numbers.csv", scratch);
    size_t len;
    char *written = (char *)slurp(path, &len);
    assert_non_null(written);
    /* line by line, to say which numbers went wrong */
    const char *a = written, *b = expected.data;
    while (*a || *b) {
        size_t len_a = strcspn(a, "\n"), len_b = strcspn(b, "\n");
        if (len_a != len_b || memcmp(a, b, len_a) != 0) {
            char *line_a = xstrndup(a, len_a), *line_b = xstrndup(b, len_b);
            assert_string_equal(line_a, line_b);
        }
        a += len_a + (a[len_a] != '\0');
        b += len_b + (b[len_b] != '\0');
    }
    assert_int_equal(len, expected.len);
    free(written);
    free(path);
    free(pool);
    buf_release(&expected);
    buf_release(&err);
}


/* A row's figures from its key k: two counts and three numbers, the last
 * one long text now and then (more than a slot keeps). */
static void put_figures(struct table *t, uint64_t k)
{
    table_int(t, (double)(k >> 32));
    table_int(t, (double)(k & 0xFFFFFFFFu));
    table_num(t, (double)(k & 0xFFFFFFFFu) / (double)((k >> 32) + 1));
    table_num(t, 1.0 / (double)(k % 977 + 3));
    if (k % 11 == 0)
        table_str(t, "a long text field, past what one slot of the memo of runs keeps: "
                     "one hundred and nineteen bytes, so this run is written but never kept");
    else
        table_num(t, (double)k * 1e-9);
}

/* Rows of a name, the figures of a key (repeated, colliding in the memo's
 * slots, a row's first field now and then) and a name; with memo, the
 * figures through table_span_find and table_span_keep. */
static void write_span_rows(const char *file, bool memo)
{
    struct table t = {0};
    struct table_span_memo spans = {NULL};
    struct buf err;
    buf_init(&err);
    assert_true(table_open(&t, scratch, file, "a,n,x,p,q,r,b", &err));
    uint64_t random = 7;
    for (size_t r = 0; r < 120000; r++) {
        /* few keys (found), keys TABLE_SPAN_SLOTS apart (the same slot
         * for some), many keys (evicted) */
        size_t pick = next_random(&random);
        uint64_t k = r % 3 == 0   ? (uint64_t)(pick % 50) << 32 | (pick % 7)
                     : r % 3 == 1 ? (uint64_t)(pick % 9) * TABLE_SPAN_SLOTS << 20
                                  : (uint64_t)(pick % 100000) << 32 | (pick % 1000);
        bool first = r % 17 == 0; /* the figures as the row's first fields */
        if (!first)
            table_str(&t, "name");
        size_t from = t.line.len;
        if (!memo || !table_span_find(&t, &spans, k, 5)) {
            put_figures(&t, k);
            if (memo)
                table_span_keep(&t, &spans, k, from);
        }
        if (first)
            table_str(&t, "name");
        table_str(&t, "end");
        table_end_row(&t);
    }
    assert_true(atomic_commit(table_finish(&t), &err));
    table_span_release(&spans);
    buf_release(&err);
}

static void test_spans_write_what_fields_write(void **state)
{
    (void)state;
    write_span_rows("spans.csv", true);
    write_span_rows("fields.csv", false);
    char *a = xasprintf("%s/spans.csv", scratch), *b = xasprintf("%s/fields.csv", scratch);
    size_t len_a, len_b;
    char *text_a = (char *)slurp(a, &len_a), *text_b = (char *)slurp(b, &len_b);
    assert_non_null(text_a);
    assert_non_null(text_b);
    assert_int_equal(len_a, len_b);
    assert_memory_equal(text_a, text_b, len_a);
    free(text_a);
    free(text_b);
    free(a);
    free(b);
}


/* A pair of counts keys the memo only when both are whole numbers below
 * 2^31, and two pairs share a key only when they are the same pair. */
static void test_counts_key(void **state)
{
    (void)state;
    assert_true(table_counts_key(187, 119) != table_counts_key(119, 187));
    assert_true(table_counts_key(0, 0) != TABLE_SPAN_NO_KEY);
    assert_true(table_counts_key(2147483647.0, 1) != TABLE_SPAN_NO_KEY);
    assert_true(table_counts_key(12, 5) == table_counts_key(12.0, 5.0));
    assert_true(table_counts_key(12.5, 5) == TABLE_SPAN_NO_KEY);
    assert_true(table_counts_key(12, 4.999999999) == TABLE_SPAN_NO_KEY);
    assert_true(table_counts_key(2147483648.0, 1) == TABLE_SPAN_NO_KEY);
    assert_true(table_counts_key(1, 2147483648.0) == TABLE_SPAN_NO_KEY);
    assert_true(table_counts_key(-1, 0) == TABLE_SPAN_NO_KEY);
    assert_true(table_counts_key(NAN, 0) == TABLE_SPAN_NO_KEY);
    assert_true(table_counts_key(3, INFINITY) == TABLE_SPAN_NO_KEY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_name_writes_what_str_writes, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_fields_write_what_calls_write, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_shared_table_writes_what_one_thread_writes,
                                        make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_shared_table_given_up, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_num_writes_what_numfmt_writes, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_spans_write_what_fields_write, make_scratch,
                                        remove_scratch),
        cmocka_unit_test(test_counts_key),
    };
    return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
