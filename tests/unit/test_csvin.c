/* Unit tests for lib/csvin (and the byte source under it): line endings,
 * the line each record starts on, blank lines, gzip, refused encodings and
 * the caps.  Each case writes a small file into a scratch directory. */
#include <dirent.h>
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

#include "csvin.h"
#include "util.h"

#define BYTES(s) s, sizeof(s) - 1

#include "scratch.h"

static char *scratch_path(const char *name)
{
    return xasprintf("%s/%s", scratch, name);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Write data as one gzip member; append=true adds another member. */
static void write_gzip(const char *path, const void *data, size_t len, bool append)
{
    gzFile gz = gzopen(path, append ? "ab" : "wb");
    assert_non_null(gz);
    if (len)
        assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
    assert_int_equal(gzclose(gz), Z_OK);
}

/* Records as text: "LINE:field|field\n", with CR and LF inside fields shown
 * as \r and \n so a case reads on one line. */
struct collected {
    struct buf text;
    size_t n_records;
    size_t stop_after; /* 0: never stop */
};

static int collect(void *ctx, const struct csvin_record *rec, struct csvin *in)
{
    (void)in;
    struct collected *c = ctx;
    buf_printf(&c->text, "%lu:", rec->line);
    for (size_t i = 0; i < rec->n_fields; i++) {
        if (i)
            buf_putc(&c->text, '|');
        for (size_t k = 0; k < rec->len[i]; k++) {
            char ch = rec->field[i][k];
            if (ch == '\n')
                buf_puts(&c->text, "\\n");
            else if (ch == '\r')
                buf_puts(&c->text, "\\r");
            else
                buf_putc(&c->text, ch);
        }
    }
    buf_putc(&c->text, '\n');
    c->n_records++;
    return c->stop_after && c->n_records == c->stop_after;
}

/* Read path, returning the status; records land in c (initialised here). */
static enum csvin_status read_into(struct csvin *in, const char *path, struct collected *c)
{
    buf_init(&c->text);
    buf_puts(&c->text, "");
    c->n_records = 0;
    c->stop_after = 0;
    return csvin_read(in, path, collect, c);
}

struct read_case {
    const char *what;
    const char *bytes;
    size_t len;
    bool gzip; /* write compressed */
    enum csvin_status status;
    const char *records;      /* as collected */
    unsigned long error_line; /* checked when status is not CSVIN_OK */
};

static const struct read_case read_cases[] = {
    {"LF", BYTES("a,b\nc,d\n"), false, CSVIN_OK, "1:a|b\n2:c|d\n", 0},
    {"CRLF", BYTES("a,b\r\nc,d\r\n"), false, CSVIN_OK, "1:a|b\n2:c|d\n", 0},
    {"lone CR", BYTES("a,b\rc,d\r"), false, CSVIN_OK, "1:a|b\n2:c|d\n", 0},
    {"mixed endings", BYTES("a\rb\r\nc\nd"), false, CSVIN_OK, "1:a\n2:b\n3:c\n4:d\n", 0},
    {"UTF-8 BOM", BYTES("\xEF\xBB\xBFh1,h2\r\n1,2\r\n"), false, CSVIN_OK, "1:h1|h2\n2:1|2\n", 0},
    {"BOM only", BYTES("\xEF\xBB\xBF"), false, CSVIN_OK, "", 0},
    {"BOM not at start is data", BYTES("a\n\xEF\xBB\xBFz\n"), false, CSVIN_OK,
     "1:a\n2:\xEF\xBB\xBFz\n", 0},
    {"empty file", BYTES(""), false, CSVIN_OK, "", 0},
    {"no final newline", BYTES("a,b\nc,d"), false, CSVIN_OK, "1:a|b\n2:c|d\n", 0},
    {"no final newline, CRLF", BYTES("a\r\nb"), false, CSVIN_OK, "1:a\n2:b\n", 0},
    {"empty fields", BYTES("a,,c\n,\n,,\n"), false, CSVIN_OK, "1:a||c\n2:|\n3:||\n", 0},
    {"doubled quotes", BYTES("\"a\"\"b\",\"\"\"\",c\n"), false, CSVIN_OK, "1:a\"b|\"|c\n", 0},
    {"quoted comma", BYTES("\"a,b\",c\n"), false, CSVIN_OK, "1:a,b|c\n", 0},
    {"embedded LF", BYTES("h1,h2\n1,\"x\ny\"\n2,z\n"), false, CSVIN_OK,
     "1:h1|h2\n2:1|x\\ny\n4:2|z\n", 0},
    {"embedded LFs in several fields", BYTES("\"a\n\nb\",\"c\nd\"\ne\n"), false, CSVIN_OK,
     "1:a\\n\\nb|c\\nd\n5:e\n", 0},
    {"embedded CRLF", BYTES("h\r\n\"x\r\ny\r\nz\"\r\nnext\r\n"), false, CSVIN_OK,
     "1:h\n2:x\\r\\ny\\r\\nz\n5:next\n", 0},
    {"embedded CRLF then blank lines", BYTES("\"a\r\nb\",c\r\n\r\n\r\nd\r\n"), false, CSVIN_OK,
     "1:a\\r\\nb|c\n5:d\n", 0},
    {"embedded lone CR", BYTES("\"x\ry\"\rz\r"), false, CSVIN_OK, "1:x\\ry\n3:z\n", 0},
    {"embedded newline in last record", BYTES("a\n\"b\nc\""), false, CSVIN_OK, "1:a\n2:b\\nc\n", 0},
    {"blank lines", BYTES("\n\na\n\n\nb\n\n"), false, CSVIN_OK, "3:a\n6:b\n", 0},
    {"blank lines, CRLF", BYTES("\r\na\r\n\r\nb\r\n\r\n"), false, CSVIN_OK, "2:a\n4:b\n", 0},
    {"blank lines, CR", BYTES("\ra\r\rb\r"), false, CSVIN_OK, "2:a\n4:b\n", 0},
    {"line of spaces", BYTES("a\n   \nb\n \t \n"), false, CSVIN_OK, "1:a\n3:b\n", 0},
    {"line of spaces, CRLF", BYTES("a\r\n  \r\nb\r\n"), false, CSVIN_OK, "1:a\n3:b\n", 0},
    {"spaces around unquoted fields", BYTES(" a , b \n"), false, CSVIN_OK, "1:a|b\n", 0},
    {"spaces inside quotes kept", BYTES("\" a \",b\n"), false, CSVIN_OK, "1: a |b\n", 0},
    {"unterminated quote", BYTES("a,b\nc,\"open\nmore\n"), false, CSVIN_EQUOTE, "1:a|b\n", 2},
    {"unterminated quote after embedded newline", BYTES("\"x\ny\",1\n\n\"open,2\n"), false,
     CSVIN_EQUOTE, "1:x\\ny|1\n", 4},
    {"unterminated quote, only line", BYTES("\"abc"), false, CSVIN_EQUOTE, "", 1},
    {"UTF-16LE with BOM", BYTES("\xFF\xFEh\0,\0i\0\n\0"), false, CSVIN_EUTF16, "", 0},
    {"UTF-16BE with BOM", BYTES("\xFE\xFF\0h\0,\0i\0\n"), false, CSVIN_EUTF16, "", 0},
    {"UTF-16LE without BOM", BYTES("h\0,\0i\0\n\0"), false, CSVIN_EUTF16, "", 0},
    {"UTF-16BE without BOM", BYTES("\0h\0,\0i\0\n"), false, CSVIN_EUTF16, "", 0},
    {"gzip", BYTES("a,b\r\n\"c\nd\",e\r\n\r\nf\r\n"), true, CSVIN_OK, "1:a|b\n2:c\\nd|e\n5:f\n", 0},
    {"gzip with BOM", BYTES("\xEF\xBB\xBFx\n"), true, CSVIN_OK, "1:x\n", 0},
    {"gzip of UTF-16", BYTES("\xFF\xFEh\0"), true, CSVIN_EUTF16, "", 0},
    {"gzip of nothing", BYTES(""), true, CSVIN_OK, "", 0},
};

static void test_read_cases(void **state)
{
    (void)state;
    char *path = scratch_path("case.csv");
    for (size_t i = 0; i < ARRAY_LEN(read_cases); i++) {
        const struct read_case *c = &read_cases[i];
        if (c->gzip)
            write_gzip(path, c->bytes, c->len, false);
        else
            write_file(path, c->bytes, c->len);
        struct csvin in;
        struct collected got;
        enum csvin_status st = read_into(&in, path, &got);
        if (st != c->status || in.status != st)
            fail_msg("case '%s': status %d (%s), expected %d", c->what, st, csvin_strerror(&in),
                     c->status);
        if (strcmp(got.text.data, c->records) != 0)
            fail_msg("case '%s': records\n%s\nexpected\n%s", c->what, got.text.data, c->records);
        if (st != CSVIN_OK && st != CSVIN_EUTF16 && in.error_line != c->error_line)
            fail_msg("case '%s': error line %lu, expected %lu", c->what, in.error_line,
                     c->error_line);
        if (st != CSVIN_OK && strlen(csvin_strerror(&in)) == 0)
            fail_msg("case '%s': empty message", c->what);
        csvin_close(&in);
        buf_release(&got.text);
        unlink(path);
    }
    free(path);
}

/* Records and line numbers do not depend on where the 64 KiB read chunks
 * fall: the chunk boundary is moved through a CRLF and through quoted
 * newlines, for plain and gzip files alike. */
static void test_chunk_boundaries(void **state)
{
    (void)state;
    static const char *const tails[] = {"\r\n", "\"q\r\nr\"\r\n", "x,\"\r\n\"\r\n"};
    char *path = scratch_path("big.csv");
    for (size_t t = 0; t < ARRAY_LEN(tails); t++) {
        /* the tail starts from 9 bytes before the boundary to 1 after it */
        for (int shift = -9; shift <= 1; shift++) {
            struct buf data, want;
            buf_init(&data);
            buf_init(&want);
            unsigned long line = 1;
            size_t tail_start = (size_t)((long)SOURCE_CHUNK + shift);
            while (data.len + 11 + 3 <= tail_start) {
                buf_printf(&data, "r%06lu,v\r\n", line);
                buf_printf(&want, "%lu:r%06lu|v\n", line, line);
                line++;
            }
            /* a padding line ends exactly where the tail starts */
            size_t pad = tail_start - data.len;
            buf_putc(&data, 'p');
            buf_printf(&want, "%lu:p", line);
            for (size_t k = 3; k < pad; k++) {
                buf_putc(&data, 'x');
                buf_putc(&want, 'x');
            }
            buf_puts(&data, "\r\n");
            buf_putc(&want, '\n');
            line++;
            assert_int_equal(data.len, tail_start);
            buf_puts(&data, tails[t]);
            if (t == 1) {
                buf_printf(&want, "%lu:q\\r\\nr\n", line);
                line += 2;
            } else if (t == 2) {
                buf_printf(&want, "%lu:x|\\r\\n\n", line);
                line += 2;
            } else {
                line += 1; /* a blank line */
            }
            buf_puts(&data, "end\n");
            buf_printf(&want, "%lu:end\n", line);
            for (int gz = 0; gz <= 1; gz++) {
                if (gz)
                    write_gzip(path, data.data, data.len, false);
                else
                    write_file(path, data.data, data.len);
                struct csvin in;
                struct collected got;
                enum csvin_status st = read_into(&in, path, &got);
                if (st != CSVIN_OK)
                    fail_msg("tail %zu shift %d gzip %d: %s", t, shift, gz, csvin_strerror(&in));
                if (strcmp(got.text.data, want.data) != 0)
                    fail_msg("tail %zu shift %d gzip %d: records differ", t, shift, gz);
                assert_int_equal(in.src.out_size, data.len);
                csvin_close(&in);
                buf_release(&got.text);
            }
            buf_release(&data);
            buf_release(&want);
        }
    }
    unlink(path);
    free(path);
}

static void test_concatenated_gzip(void **state)
{
    (void)state;
    char *path = scratch_path("two.csv.gz");
    write_gzip(path, BYTES("h1,h2\n1,\"a\nb\"\n"), false);
    write_gzip(path, BYTES("2,c\n\n3,d\n"), true);
    write_gzip(path, BYTES(""), true); /* an empty member is allowed too */
    write_gzip(path, BYTES("4,e"), true);
    struct csvin in;
    struct collected got;
    assert_int_equal(read_into(&in, path, &got), CSVIN_OK);
    assert_string_equal(got.text.data, "1:h1|h2\n2:1|a\\nb\n4:2|c\n6:3|d\n7:4|e\n");
    assert_true(in.src.gzip);
    csvin_close(&in);
    buf_release(&got.text);
    unlink(path);
    free(path);
}

/* Cutting a gzip file short anywhere after its magic is truncation, never a
 * quiet success with fewer rows. */
static void test_truncated_gzip(void **state)
{
    (void)state;
    char *path = scratch_path("cut.csv.gz");
    char *whole_path = scratch_path("whole.csv.gz");
    struct buf data;
    buf_init(&data);
    for (int i = 0; i < 300; i++)
        buf_printf(&data, "row%d,%d\n", i, i * 7);
    write_gzip(whole_path, data.data, data.len, false);
    size_t whole_len;
    unsigned char *whole = slurp(whole_path, &whole_len);
    /* one copy, cut shorter and shorter */
    write_file(path, whole, whole_len);
    for (size_t cut = whole_len - 1; cut >= 2; cut--) {
        assert_int_equal(truncate(path, (off_t)cut), 0);
        struct csvin in;
        struct collected got;
        enum csvin_status st = read_into(&in, path, &got);
        if (st != CSVIN_ESOURCE || in.src.status != SOURCE_EGZIP_TRUNCATED)
            fail_msg("gzip cut to %zu of %zu bytes: status %d, source status %d (%s)", cut,
                     whole_len, st, in.src.status, csvin_strerror(&in));
        assert_string_equal(csvin_strerror(&in), "gzip data is truncated (the file was cut short)");
        csvin_close(&in);
        buf_release(&got.text);
    }
    free(whole);
    buf_release(&data);
    unlink(path);
    unlink(whole_path);
    free(path);
    free(whole_path);
}

static void test_gzip_trailing_garbage(void **state)
{
    (void)state;
    char *path = scratch_path("garbage.csv.gz");
    write_gzip(path, BYTES("a\n"), false);
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    fputs("not gzip\n", f);
    assert_int_equal(fclose(f), 0);
    struct csvin in;
    struct collected got;
    assert_int_equal(read_into(&in, path, &got), CSVIN_ESOURCE);
    assert_int_equal(in.src.status, SOURCE_EGZIP_CORRUPT);
    assert_string_equal(csvin_strerror(&in),
                        "gzip data is corrupt: trailing data after gzip stream");
    csvin_close(&in);
    buf_release(&got.text);
    unlink(path);
    free(path);
}

static void test_open_errors(void **state)
{
    (void)state;
    struct csvin in;
    struct collected got;
    char *missing = scratch_path("missing.csv");
    assert_int_equal(read_into(&in, missing, &got), CSVIN_ESOURCE);
    assert_int_equal(in.src.status, SOURCE_EOPEN);
    assert_string_equal(csvin_strerror(&in), "cannot open: No such file or directory");
    csvin_close(&in);
    buf_release(&got.text);
    free(missing);

    assert_int_equal(read_into(&in, scratch, &got), CSVIN_ESOURCE);
    assert_int_equal(in.src.status, SOURCE_EISDIR);
    csvin_close(&in);
    buf_release(&got.text);
}

/* A field over the cap stops the read at the line where its record started;
 * a field at the cap is fine. */
static void test_field_cap(void **state)
{
    (void)state;
    char *path = scratch_path("bigfield.csv");
    static const struct {
        size_t field_len;
        bool quoted;
        enum csvin_status status;
    } cases[] = {
        {CSVIN_FIELD_MAX, false, CSVIN_OK},
        {CSVIN_FIELD_MAX, true, CSVIN_OK},
        {CSVIN_FIELD_MAX + 1, false, CSVIN_EFIELD_BIG},
        {CSVIN_FIELD_MAX + 1, true, CSVIN_EFIELD_BIG},
        {CSVIN_FIELD_MAX + 5000, false, CSVIN_EFIELD_BIG},
        {3 * CSVIN_FIELD_MAX, true, CSVIN_EFIELD_BIG},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct buf data;
        buf_init(&data);
        buf_puts(&data, "h1,h2\n\"multi\nline\",x\n\n");
        buf_puts(&data, "1,");
        if (cases[i].quoted)
            buf_putc(&data, '"');
        buf_reserve(&data, cases[i].field_len + 16);
        memset(data.data + data.len, 'f', cases[i].field_len);
        data.len += cases[i].field_len;
        if (cases[i].quoted)
            buf_putc(&data, '"');
        buf_puts(&data, "\nlast,row\n");
        write_file(path, data.data, data.len);
        struct csvin in;
        struct collected got;
        enum csvin_status st = read_into(&in, path, &got);
        if (st != cases[i].status)
            fail_msg("field of %zu bytes%s: status %d (%s), expected %d", cases[i].field_len,
                     cases[i].quoted ? " (quoted)" : "", st, csvin_strerror(&in), cases[i].status);
        if (st == CSVIN_OK) {
            assert_int_equal(got.n_records, 4);
        } else {
            if (in.error_line != 5)
                fail_msg("field of %zu bytes: error line %lu, expected 5", cases[i].field_len,
                         in.error_line);
            assert_string_equal(csvin_strerror(&in), "a field is longer than the 1048576-byte cap");
            assert_int_equal(got.n_records, 2);
        }
        csvin_close(&in);
        buf_release(&got.text);
        buf_release(&data);
    }
    unlink(path);
    free(path);
}

static void test_stop_from_callback(void **state)
{
    (void)state;
    char *path = scratch_path("stop.csv");
    write_file(path, BYTES("a\nb\nc\nd\n"));
    for (size_t stop = 1; stop <= 4; stop++) {
        struct csvin in;
        struct collected got;
        buf_init(&got.text);
        got.n_records = 0;
        got.stop_after = stop;
        enum csvin_status st = csvin_read(&in, path, collect, &got);
        if (st != CSVIN_ESTOPPED || got.n_records != stop)
            fail_msg("stop after %zu: status %d, %zu records", stop, st, got.n_records);
        csvin_close(&in);
        buf_release(&got.text);
    }
    /* also when the last record comes without a final newline (from csv_fini) */
    write_file(path, BYTES("a\nb"));
    struct csvin in;
    struct collected got;
    buf_init(&got.text);
    got.n_records = 0;
    got.stop_after = 2;
    assert_int_equal(csvin_read(&in, path, collect, &got), CSVIN_ESTOPPED);
    csvin_close(&in);
    buf_release(&got.text);
    unlink(path);
    free(path);
}

/* The raw size and CRC-32 describe the bytes on disk, compressed or not, and
 * over several read chunks. */
static void test_raw_size_and_crc(void **state)
{
    (void)state;
    char *path = scratch_path("crc.csv");
    struct buf big;
    buf_init(&big);
    for (int i = 0; big.len < 3 * SOURCE_CHUNK + 100; i++)
        buf_printf(&big, "%d,\"text %d\"\n", i, i * 31);
    for (int form = 0; form < 4; form++) {
        bool gz = form & 1;
        const char *text = form & 2 ? big.data : "a,b\n1,2\n";
        size_t len = form & 2 ? big.len : strlen(text);
        if (gz)
            write_gzip(path, text, len, false);
        else
            write_file(path, text, len);
        size_t file_len;
        unsigned char *file = slurp(path, &file_len);
        struct csvin in;
        struct collected got;
        assert_int_equal(read_into(&in, path, &got), CSVIN_OK);
        assert_int_equal(in.src.raw_size, file_len);
        assert_int_equal(in.src.file_size, file_len);
        assert_int_equal(in.src.raw_crc, (uint32_t)crc32(0L, file, (uInt)file_len));
        assert_int_equal(in.src.out_size, len);
        assert_true(in.src.gzip == gz);
        csvin_close(&in);
        buf_release(&got.text);
        free(file);
    }
    buf_release(&big);
    unlink(path);
    free(path);
}

/* ---- the fast scanner against libcsv ----------------------------------------
 * Every input is read twice, with the fast scanner and with libcsv alone; the
 * records (fields, start lines, plain flags), status and error line must be
 * identical.  Inputs: random bytes from an alphabet of CSV's special
 * characters, and random well-formed files large enough to cross the
 * source's 64 KiB chunks, with occasional irregularities. */

/* The flags as their definitions in csvin.h say, from the fields' bytes. */
static void flags_from_bytes(const struct csvin_record *rec, bool *plain, bool *ascii)
{
    *plain = *ascii = true;
    for (size_t i = 0; i < rec->n_fields; i++)
        for (size_t k = 0; k < rec->len[i]; k++) {
            unsigned char b = (unsigned char)rec->field[i][k];
            if (b < 0x20 || b >= 0x7F)
                *plain = false;
            if (b == 0 || b >= 0x80)
                *ascii = false;
        }
}

static int collect_with_plain(void *ctx, const struct csvin_record *rec, struct csvin *in)
{
    struct collected *c = ctx;
    bool plain, ascii;
    flags_from_bytes(rec, &plain, &ascii);
    assert_int_equal(rec->plain, plain);
    assert_int_equal(rec->ascii, ascii);
    buf_putc(&c->text, rec->plain ? 'P' : '-');
    buf_putc(&c->text, rec->ascii ? 'A' : '-');
    return collect(ctx, rec, in);
}

static char *read_both_ways(const char *path, bool fast)
{
    struct csvin in;
    struct collected c;
    buf_init(&c.text);
    buf_puts(&c.text, "");
    c.n_records = 0;
    c.stop_after = 0;
    csvin_set_fast_path(fast);
    enum csvin_status st = csvin_read(&in, path, collect_with_plain, &c);
    csvin_set_fast_path(true);
    buf_printf(&c.text, "status %d error_line %lu line %lu\n", (int)st,
               st == CSVIN_OK ? 0ul : in.error_line, in.line);
    csvin_close(&in);
    return c.text.data;
}

static uint64_t diff_rng = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
    diff_rng ^= diff_rng << 13;
    diff_rng ^= diff_rng >> 7;
    diff_rng ^= diff_rng << 17;
    return (unsigned)(diff_rng % n);
}

static void random_bytes(struct buf *b, size_t len)
{
    static const char alphabet[] = "ab ,,,\"\"\"\n\n\r\t\xC3\xA9x";
    for (size_t i = 0; i < len; i++)
        buf_putc(b, rnd(200) == 0 ? '\0' : alphabet[rnd(sizeof(alphabet) - 1)]);
}

/* odd_percent: percent of fields that the fast scanner must hand to libcsv */
static void random_field(struct buf *b, unsigned odd_percent)
{
    static const char *const plain[] = {"Agree",         "Strongly agree", "",   "2023", "RXA",
                                        "White - Irish", "caf\xC3\xA9",    "a b"};
    unsigned kind = rnd(100);
    if (kind < 83 - odd_percent) {
        buf_puts(b, plain[rnd(8)]);
    } else if (kind < 100 - odd_percent) {
        buf_putc(b, '"');
        static const char *const inside[] = {"x", ",", "\"\"", "\n", "\r\n", " ", "y z"};
        for (unsigned k = rnd(8); k > 0; k--)
            buf_puts(b, inside[rnd(7)]);
        buf_putc(b, '"');
    } else { /* what the fast scanner must hand to libcsv */
        static const char *const odd[] = {" lead", "trail\t", "a\"b", "\"q\" x",
                                          "\r",    "\"\"\"",  ""};
        buf_puts(b, odd[rnd(7)]);
    }
}

static void random_csv_odd(struct buf *b, size_t records, unsigned odd)
{
    for (size_t r = 0; r < records; r++) {
        unsigned fields = 1 + rnd(12);
        for (unsigned f = 0; f < fields; f++) {
            if (f)
                buf_putc(b, ',');
            random_field(b, odd);
        }
        buf_puts(b, rnd(10) ? "\n" : rnd(2) ? "\r\n" : "\n\n");
    }
    if (rnd(3) == 0) /* no final line break */
        buf_puts(b, "last");
}

static void random_csv(struct buf *b, size_t records)
{
    random_csv_odd(b, records, 3);
}

static void assert_same_both_ways(const char *path, const struct buf *input, bool gzip)
{
    if (gzip)
        write_gzip(path, input->data, input->len, false);
    else
        write_file(path, input->data, input->len);
    char *reference = read_both_ways(path, false);
    /* production sizes, then small pieces and a small window cap so that
     * records cross piece boundaries and the hand-over of a long record to
     * libcsv happens in small inputs too */
    for (int sizes = 0; sizes < 2; sizes++) {
        size_t piece = sizes ? 1 + rnd(40) : 0, window_max = sizes ? 16 + rnd(200) : 0;
        csvin_set_test_sizes(piece, window_max);
        char *fast = read_both_ways(path, true);
        csvin_set_test_sizes(0, 0);
        if (strcmp(fast, reference) != 0) {
            fprintf(stderr,
                    "input (%zu bytes) read differently (piece %zu, window %zu)\n"
                    "--- fast\n%.2000s\n--- libcsv\n%.2000s\n",
                    input->len, piece, window_max, fast, reference);
            fail();
        }
        free(fast);
    }
    free(reference);
}

static void test_fast_path_matches_libcsv(void **state)
{
    (void)state;
    char *path = scratch_path("diff.csv");
    char *gz_path = scratch_path("diff.csv.gz");
    struct buf input;
    buf_init(&input);
    for (int round = 0; round < 3000; round++) {
        buf_clear(&input);
        if (round % 2)
            random_bytes(&input, rnd(200));
        else
            random_csv(&input, rnd(20));
        assert_same_both_ways(path, &input, false);
    }
    /* files over several source chunks: the fast scanner's window */
    for (int round = 0; round < 6; round++) {
        diff_rng += (uint64_t)round;
        buf_clear(&input);
        random_csv(&input, 30000);
        assert_same_both_ways(round % 2 ? gz_path : path, &input, round % 2);
    }
    buf_release(&input);
    free(path);
    free(gz_path);
}

/* ---- the raw-record filter (csvin_read_filtered) ------------------------ */

/* Skips about half the records offered (by their index), but never one with
 * a field a space or tab starts or ends (csvin_skip_fn's rule); what it
 * skipped is kept as "S:field|field" lines, by index. */
struct skipped {
    struct buf *by_index; /* by_index[i]: the record's text, or empty */
    size_t n;
};

static bool skip_some(void *ctx, const char *line, size_t len, size_t n_fields, unsigned long index)
{
    struct skipped *sk = ctx;
    if ((index * 2654435761u >> 7) % 2)
        return false;
    size_t commas = 0;
    for (size_t i = 0; i < len; i++) {
        bool edge = i == 0 || i + 1 == len || line[i - 1] == ',' || line[i + 1] == ',';
        if ((line[i] == ' ' || line[i] == '\t') && edge)
            return false;
        commas += line[i] == ',';
        assert_true(line[i] != '"' && line[i] != '\n' && line[i] != '\r');
    }
    assert_int_equal(commas + 1, n_fields);
    assert_true(index < sk->n);
    struct buf *b = &sk->by_index[index];
    buf_puts(b, "S:");
    for (size_t i = 0; i < len; i++)
        buf_putc(b, line[i] == ',' ? '|' : line[i]);
    buf_putc(b, '\n');
    return true;
}

/* The next line of text at *at (through its '\n'), or len 0 at the end. */
static size_t next_line(const struct buf *text, size_t *at)
{
    const char *start = text->data + *at;
    const char *nl = memchr(start, '\n', text->len - *at);
    size_t len = nl ? (size_t)(nl - start) + 1 : text->len - *at;
    *at += len;
    return len;
}

/* What the filter skipped and what reached the record callback, merged in
 * record order, must be libcsv's records: the skipped ones field for field,
 * the others with their lines; and the status and line count are libcsv's. */
static void assert_filter_loses_nothing(const char *path)
{
    struct buf ref;
    {
        struct csvin in;
        struct collected c;
        buf_init(&c.text);
        buf_puts(&c.text, "");
        c.n_records = 0;
        c.stop_after = 0;
        csvin_set_fast_path(false);
        enum csvin_status st = csvin_read(&in, path, collect_with_plain, &c);
        csvin_set_fast_path(true);
        buf_printf(&c.text, "status %d error_line %lu line %lu\n", (int)st,
                   st == CSVIN_OK ? 0ul : in.error_line, in.line);
        csvin_close(&in);
        ref = c.text;
    }
    size_t n_ref = 0;
    for (size_t i = 0; i < ref.len; i++)
        n_ref += ref.data[i] == '\n';
    struct skipped sk = {xcalloc(n_ref + 1, sizeof(struct buf)), n_ref + 1};
    struct csvin in;
    struct collected c;
    buf_init(&c.text);
    buf_puts(&c.text, "");
    c.n_records = 0;
    c.stop_after = 0;
    enum csvin_status st = csvin_read_filtered(&in, path, skip_some, &sk, collect_with_plain, &c);
    buf_printf(&c.text, "status %d error_line %lu line %lu\n", (int)st,
               st == CSVIN_OK ? 0ul : in.error_line, in.line);
    csvin_close(&in);
    struct buf merged, expected;
    buf_init(&merged);
    buf_init(&expected);
    size_t at_ref = 0, at_got = 0;
    for (size_t k = 0; at_ref < ref.len; k++) {
        size_t start = at_ref, len = next_line(&ref, &at_ref);
        const char *line = ref.data + start;
        if (k < sk.n && sk.by_index[k].len) {
            const char *colon = memchr(line, ':', len);
            assert_non_null(colon);
            buf_puts(&expected, "S:");
            for (const char *f = colon + 1; f < line + len; f++)
                buf_putc(&expected, *f);
            for (size_t i = 0; i < sk.by_index[k].len; i++)
                buf_putc(&merged, sk.by_index[k].data[i]);
        } else {
            for (size_t i = 0; i < len; i++)
                buf_putc(&expected, line[i]);
            size_t got_start = at_got, got_len = next_line(&c.text, &at_got);
            for (size_t i = 0; i < got_len; i++)
                buf_putc(&merged, c.text.data[got_start + i]);
        }
    }
    if (merged.len != expected.len || memcmp(merged.data, expected.data, merged.len) != 0) {
        fprintf(
            stderr,
            "filtered read differs (%zu, %zu bytes)\n--- filtered\n%.3000s\n--- libcsv\n%.3000s\n",
            merged.len, expected.len, merged.data ? merged.data : "",
            expected.data ? expected.data : "");
        fail();
    }
    for (size_t i = 0; i < sk.n; i++)
        buf_release(&sk.by_index[i]);
    free(sk.by_index);
    buf_release(&merged);
    buf_release(&expected);
    buf_release(&ref);
    buf_release(&c.text);
}

static void test_filter_loses_nothing(void **state)
{
    (void)state;
    char *path = scratch_path("filter.csv");
    char *gz_path = scratch_path("filter.csv.gz");
    /* the edges of what is offered: a lone CR (two records to libcsv), CRLF,
     * a quote, a blank at a field's edge, blank lines, no final line break,
     * a byte order mark */
    static const char *const edges[] = {
        "h\na,\r,b\nc,d\ne,f\n",    "h\r\na,b\r\nc\r\nd,e\r\n", "h\nx\na,\"b\"\nc,d\ne\n",
        "h\nx\n a,b\nc,d\n",        "h\nx\ny\na,b\r",           "h\n\n\na,b\n\r\nc\nd\ne\n",
        "\xEF\xBB\xBFh\na\nb\nc\n", "h\nx\ny\na\rb\nc\n",       "h\nx\ny\nz\n\"a\",\nb\n",
    };
    for (size_t i = 0; i < ARRAY_LEN(edges); i++)
        for (size_t piece = 0; piece < 6; piece++) {
            write_file(path, edges[i], strlen(edges[i]));
            csvin_set_test_sizes(piece, piece ? 16 : 0);
            assert_filter_loses_nothing(path);
            csvin_set_test_sizes(0, 0);
        }
    struct buf input;
    buf_init(&input);
    for (int round = 0; round < 2000; round++) {
        buf_clear(&input);
        if (round % 3 == 0)
            random_bytes(&input, rnd(200));
        else /* mostly records the fast scanner cuts, so that many are offered */
            random_csv_odd(&input, rnd(40), round % 3 == 1 ? 0 : 1);
        write_file(path, input.data, input.len);
        assert_filter_loses_nothing(path);
        size_t piece = 1 + rnd(40), window_max = 16 + rnd(200);
        csvin_set_test_sizes(piece, window_max);
        assert_filter_loses_nothing(path);
        csvin_set_test_sizes(0, 0);
    }
    for (int round = 0; round < 4; round++) {
        buf_clear(&input);
        random_csv_odd(&input, 30000, 0);
        if (round % 2)
            write_gzip(gz_path, input.data, input.len, false);
        else
            write_file(path, input.data, input.len);
        assert_filter_loses_nothing(round % 2 ? gz_path : path);
    }
    buf_release(&input);
    free(path);
    free(gz_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_cases, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_chunk_boundaries, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_concatenated_gzip, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_truncated_gzip, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_gzip_trailing_garbage, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_open_errors, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_field_cap, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_stop_from_callback, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_raw_size_and_crc, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_filter_loses_nothing, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_fast_path_matches_libcsv, make_scratch,
                                        remove_scratch),
    };
    return cmocka_run_group_tests_name("csvin", tests, NULL, NULL);
}
