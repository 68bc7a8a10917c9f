#include "csvin.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* libcsv grows its field buffer with realloc; refusing past the cap turns a
 * runaway field (a missing quote, a binary file) into CSV_ENOMEM instead of
 * unbounded memory. */
static void *capped_realloc(void *ptr, size_t size)
{
    if (size > CSVIN_FIELD_MAX + 1024)
        return NULL;
    return realloc(ptr, size);
}

/* Line breaks inside a (quoted) field; most fields have none, so memchr
 * skips them at memory speed. */
static void count_newlines(struct csvin *in, const char *s, size_t len)
{
    const char *end = s + len;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        in->newlines_in_record++;
    for (const char *p = s; (p = memchr(p, '\r', (size_t)(end - p))); p++)
        if (p + 1 == end || p[1] != '\n')
            in->newlines_in_record++; /* a lone CR (old Mac line end) */
}

/* Is every byte printable ASCII?  Eight bytes at a time: a byte below 0x20
 * or at/above 0x7F sets its high bit in the test word (the "has less" and
 * high-bit tricks of Anderson's bit hacks); the tail byte by byte. */
static bool printable_ascii(const unsigned char *s, size_t len)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (((w - 0x20 * ones) | (w + 0x01 * ones) | w) & highs)
            return false;
    }
    for (; i < len; i++)
        if (s[i] < 0x20 || s[i] >= 0x7F)
            return false;
    return true;
}

static void on_field(void *data, size_t len, void *ctx)
{
    struct csvin *in = ctx;
    if (in->stop)
        return;
    /* capped_realloc lets libcsv's buffer run a little past the cap: the
     * exact limit is checked here. */
    if (len > CSVIN_FIELD_MAX) {
        in->status = CSVIN_EFIELD_BIG;
        in->error_line = in->line;
        in->stop = 1;
        return;
    }
    if (in->n_fields == CSVIN_FIELDS_MAX) {
        in->status = CSVIN_ETOO_MANY_FIELDS;
        in->error_line = in->line;
        in->stop = 1;
        return;
    }
    if (in->arena_len + len > CSVIN_RECORD_MAX) {
        in->status = CSVIN_ERECORD_BIG;
        in->error_line = in->line;
        in->stop = 1;
        return;
    }
    xgrow(&in->arena, &in->arena_cap, in->arena_len + len + 1, 1);
    if (len)
        memcpy(in->arena + in->arena_len, data, len);
    if (in->n_fields == in->fields_cap) {
        size_t cap = in->fields_cap ? in->fields_cap * 2 : 64;
        in->offsets = xrealloc(in->offsets, cap * sizeof(*in->offsets));
        in->lens = xrealloc(in->lens, cap * sizeof(*in->lens));
        in->fields = xrealloc(in->fields, cap * sizeof(*in->fields));
        in->fields_cap = cap;
    }
    in->offsets[in->n_fields] = in->arena_len;
    in->lens[in->n_fields] = len;
    in->n_fields++;
    in->arena_len += len;
    if (!printable_ascii((const unsigned char *)data, len)) {
        in->record_plain = false;
        count_newlines(in, in->arena + in->arena_len - len, len);
    }
}

static void deliver(struct csvin *in)
{
    for (size_t i = 0; i < in->n_fields; i++)
        in->fields[i] = in->arena + in->offsets[i];
    struct csvin_record rec = {in->n_fields, in->fields, in->lens, in->line, in->record_plain};
    if (in->fn(in->ctx, &rec, in) != 0) {
        in->status = CSVIN_ESTOPPED;
        in->stop = 1;
    }
}

/* With CSV_REPALL_NL every line ending outside a record is reported, so each
 * CR, LF or CRLF moves the line count on exactly once. */
static void on_record_end(int terminator, void *ctx)
{
    struct csvin *in = ctx;
    if (in->stop)
        return;
    bool crlf_tail = terminator == '\n' && in->prev_terminator == '\r' && in->n_fields == 0;
    if (in->n_fields > 0)
        deliver(in);
    in->line += in->newlines_in_record;
    if ((terminator == '\n' || terminator == '\r') && !crlf_tail)
        in->line++;
    in->prev_terminator = in->n_fields == 0 && crlf_tail ? 0 : terminator;
    in->n_fields = 0;
    in->arena_len = 0;
    in->newlines_in_record = 0;
    in->record_plain = true;
}

/* A UTF-16 "CSV" (Excel's "Unicode text") starts with FF FE or FE FF, or
 * without a BOM shows NUL every other byte. */
static const char *utf16_encoding(const unsigned char *s, size_t len)
{
    if (len >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)))
        return "UTF-16"; /* iconv reads the byte order from the BOM */
    if (len >= 4 && s[1] == 0 && s[3] == 0 && s[0] && s[2])
        return "UTF-16LE";
    if (len >= 4 && s[0] == 0 && s[2] == 0 && s[1] && s[3])
        return "UTF-16BE";
    return NULL;
}

static bool parse_chunk(struct csvin *in, const unsigned char *data, size_t len)
{
    if (in->at_start) {
        in->at_start = 0;
        if ((in->utf16 = utf16_encoding(data, len))) {
            in->status = CSVIN_EUTF16;
            return false;
        }
        if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
            data += 3;
            len -= 3;
        }
    }
    size_t done = csv_parse(in->parser, data, len, on_field, on_record_end, in);
    if (in->stop)
        return false;
    if (done != len) {
        in->error_line = in->line;
        in->status = csv_error(in->parser) == CSV_ENOMEM &&
                             csv_get_buffer_size(in->parser) >= CSVIN_FIELD_MAX
                         ? CSVIN_EFIELD_BIG
                         : CSVIN_ENOMEM;
        return false;
    }
    return true;
}

enum csvin_status csvin_read(struct csvin *in, const char *path, csvin_record_fn fn, void *ctx)
{
    memset(in, 0, sizeof(*in));
    in->line = 1;
    in->at_start = 1;
    in->record_plain = true;
    in->fn = fn;
    in->ctx = ctx;
    if (source_open(&in->src, path) != SOURCE_OK)
        return in->status = CSVIN_ESOURCE;
    in->parser = xcalloc(1, sizeof(*in->parser));
    if (csv_init(in->parser, CSV_REPALL_NL | CSV_STRICT_FINI) != 0)
        return in->status = CSVIN_ENOMEM;
    csv_set_realloc_func(in->parser, capped_realloc);
    /* libcsv grows a field's buffer by a fixed step (128 bytes by default):
     * quadratic copying for a long field wherever realloc moves the block. */
    csv_set_blk_size(in->parser, 64 * 1024);
    const unsigned char *data;
    size_t len;
    while ((len = source_next(&in->src, &data)) > 0)
        if (!parse_chunk(in, data, len))
            return in->status;
    if (in->src.status != SOURCE_OK)
        return in->status = CSVIN_ESOURCE;
    /* libcsv honours CSV_STRICT_FINI only together with CSV_STRICT; without
     * it an open quote at the end swallows the rest of the file into one
     * field.  Strict mode while parsing would refuse stray quotes inside
     * unquoted fields, so it is turned on for the final call only. */
    csv_set_opts(in->parser, (unsigned char)(csv_get_opts(in->parser) | CSV_STRICT));
    if (csv_fini(in->parser, on_field, on_record_end, in) != 0) {
        in->error_line = in->line;
        return in->status = CSVIN_EQUOTE;
    }
    return in->status;
}

void csvin_close(struct csvin *in)
{
    if (in->parser) {
        csv_free(in->parser);
        free(in->parser);
    }
    source_close(&in->src);
    free(in->arena);
    free(in->offsets);
    free(in->lens);
    free(in->fields);
    in->parser = NULL;
    in->arena = NULL;
    in->offsets = in->lens = NULL;
    in->fields = NULL;
}

const char *csvin_strerror(const struct csvin *in)
{
    static __thread char msg[200];
    switch (in->status) {
    case CSVIN_OK:
        return "no error";
    case CSVIN_ESOURCE:
        return source_strerror(&in->src);
    case CSVIN_EUTF16:
        snprintf(msg, sizeof(msg),
                 "file is UTF-16 text, not UTF-8; convert it first, e.g. "
                 "'iconv -f %s -t UTF-8 FILE > FILE.utf8.csv'",
                 in->utf16);
        return msg;
    case CSVIN_EFIELD_BIG:
        snprintf(msg, sizeof(msg), "a field is longer than the %u-byte cap", CSVIN_FIELD_MAX);
        return msg;
    case CSVIN_ERECORD_BIG:
        snprintf(msg, sizeof(msg), "a record is longer than the %u-byte cap", CSVIN_RECORD_MAX);
        return msg;
    case CSVIN_ETOO_MANY_FIELDS:
        snprintf(msg, sizeof(msg), "a record has more than %u fields", CSVIN_FIELDS_MAX);
        return msg;
    case CSVIN_EQUOTE:
        return "a quoted field is not closed before the end of the file";
    case CSVIN_ENOMEM:
        return "out of memory while parsing";
    case CSVIN_ESTOPPED:
        return "stopped";
    }
    return "unknown error";
}
