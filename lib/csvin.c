#include "csvin.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static bool fast_path_enabled = true;

void csvin_set_fast_path(bool on) { fast_path_enabled = on; }

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

/* in->fields and in->lens hold the record (in the arena or, from the fast
 * scanner, in place). */
static void deliver(struct csvin *in)
{
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
    if (in->n_fields > 0) {
        for (size_t i = 0; i < in->n_fields; i++)
            in->fields[i] = in->arena + in->offsets[i];
        deliver(in);
    }
    in->line += in->newlines_in_record;
    if ((terminator == '\n' || terminator == '\r') && !crlf_tail)
        in->line++;
    in->prev_terminator = in->n_fields == 0 && crlf_tail ? 0 : terminator;
    in->n_fields = 0;
    in->arena_len = 0;
    in->newlines_in_record = 0;
    in->record_plain = true;
}


/* ---- the fast scanner ------------------------------------------------------
 * It accepts only what it can parse exactly as libcsv would (with our
 * options): fields unquoted without quotes and without a space or tab at
 * either end (libcsv trims those), or quoted with doubled quotes inside, no
 * CR inside and a delimiter right after the closing quote; records ending in
 * LF or CRLF.  Anything else is SCAN_IRREGULAR and goes to libcsv. */

#define WINDOW_SLACK 16          /* vector loads may read this far past the end */
#define WINDOW_MAX (4u << 20)    /* a longer record goes to libcsv */

enum scan { SCAN_RECORD, SCAN_BLANK, SCAN_MORE, SCAN_IRREGULAR };

static bool is_trimmed_space(unsigned char c) { return c == ' ' || c == '\t'; }

/* The first comma, quote, LF or CR at or after p, or end; *odd is set when a
 * byte outside printable ASCII comes before it.  Reads up to 15 bytes past
 * end (the window's slack) but ignores them. */
static const unsigned char *find_delimiter(const unsigned char *p, const unsigned char *end,
                                           bool *odd)
{
#ifdef __SSE2__
    const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    const __m128i space = _mm_set1_epi8(' '), del = _mm_set1_epi8(0x7F);
    for (; p < end; p += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned delim = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, comma), _mm_cmpeq_epi8(x, quote)),
                         _mm_or_si128(_mm_cmpeq_epi8(x, lf), _mm_cmpeq_epi8(x, cr))));
        /* signed compare: bytes below 0x20 and from 0x80 up */
        unsigned other = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmplt_epi8(x, space), _mm_cmpeq_epi8(x, del)));
        size_t avail = (size_t)(end - p);
        if (avail < 16) {
            delim &= (1u << avail) - 1;
            other &= (1u << avail) - 1;
        }
        if (delim) {
            unsigned at = (unsigned)__builtin_ctz(delim);
            if (other & ((1u << at) - 1))
                *odd = true;
            return p + at;
        }
        if (other)
            *odd = true;
    }
    return end;
#else
    for (; p < end; p++) {
        unsigned char c = *p;
        if (c == ',' || c == '"' || c == '\n' || c == '\r')
            return p;
        if (c < 0x20 || c >= 0x7F)
            *odd = true;
    }
    return end;
#endif
}

static void fast_add_field(struct csvin *in, const char *s, size_t len)
{
    if (in->n_fields == in->fields_cap) {
        size_t cap = in->fields_cap ? in->fields_cap * 2 : 64;
        in->offsets = xrealloc(in->offsets, cap * sizeof(*in->offsets));
        in->lens = xrealloc(in->lens, cap * sizeof(*in->lens));
        in->fields = xrealloc(in->fields, cap * sizeof(*in->fields));
        in->fields_cap = cap;
    }
    in->fields[in->n_fields] = s;
    in->lens[in->n_fields] = len;
    in->n_fields++;
}

/* A quoted field starting at p (the opening quote).  *unescaped_len counts
 * what earlier fields of the record used of in->unescaped. */
static enum scan scan_quoted(struct csvin *in, const unsigned char **pp, const unsigned char *end,
                             size_t *unescaped_len)
{
    const unsigned char *p = *pp, *q = p + 1;
    bool doubled = false;
    for (;;) {
        q = memchr(q, '"', (size_t)(end - q));
        if (!q || q + 1 >= end)
            return SCAN_MORE; /* the byte after the closing quote decides */
        if (q[1] != '"')
            break;
        doubled = true;
        q += 2;
    }
    const unsigned char *content = p + 1, *after = q + 1;
    size_t len = (size_t)(q - content);
    if ((*after != ',' && *after != '\n' && *after != '\r') || len > CSVIN_FIELD_MAX ||
        memchr(content, '\r', len))
        return SCAN_IRREGULAR;
    if (!printable_ascii(content, len)) {
        in->record_plain = false;
        for (const unsigned char *n = content; (n = memchr(n, '\n', (size_t)(q - n))); n++)
            in->newlines_in_record++;
    }
    if (!doubled) {
        fast_add_field(in, (const char *)content, len);
    } else {
        char *out = in->unescaped + *unescaped_len, *o = out;
        for (const unsigned char *c = content; c < q; c++) {
            *o++ = (char)*c;
            if (*c == '"')
                c++; /* skip the second of a pair */
        }
        fast_add_field(in, out, (size_t)(o - out));
        *unescaped_len += (size_t)(o - out);
    }
    *pp = after;
    return SCAN_RECORD;
}

/* One record (or blank line) at p; on SCAN_RECORD and SCAN_BLANK *next is
 * where the following one starts. */
static enum scan scan_record(struct csvin *in, const unsigned char *p, const unsigned char *end,
                             const unsigned char **next)
{
    if (p == end)
        return SCAN_MORE;
    if (*p == '\n' || *p == '\r') {
        if (*p == '\r' && p + 1 == end)
            return SCAN_MORE;
        if (*p == '\r' && p[1] != '\n')
            return SCAN_IRREGULAR;
        *next = p + (*p == '\r' ? 2 : 1);
        return SCAN_BLANK;
    }
    in->n_fields = 0;
    in->record_plain = true;
    in->newlines_in_record = 0;
    size_t unescaped_len = 0;
    for (;;) {
        if (p == end)
            return SCAN_MORE;
        if (in->n_fields == CSVIN_FIELDS_MAX)
            return SCAN_IRREGULAR;
        if (*p == '"') {
            enum scan r = scan_quoted(in, &p, end, &unescaped_len);
            if (r != SCAN_RECORD)
                return r;
        } else {
            bool odd = false;
            const unsigned char *d = find_delimiter(p, end, &odd);
            if (d == end)
                return SCAN_MORE;
            size_t len = (size_t)(d - p);
            if (*d == '"' || len > CSVIN_FIELD_MAX ||
                (len && (is_trimmed_space(p[0]) || is_trimmed_space(d[-1]))))
                return SCAN_IRREGULAR;
            if (odd)
                in->record_plain = false;
            fast_add_field(in, (const char *)p, len);
            p = d;
        }
        if (*p == ',') {
            p++;
            continue;
        }
        if (*p == '\r') {
            if (p + 1 == end)
                return SCAN_MORE;
            if (p[1] != '\n')
                return SCAN_IRREGULAR;
            p++;
        }
        *next = p + 1;
        return SCAN_RECORD;
    }
}

static void window_append(struct csvin *in, const unsigned char *data, size_t len)
{
    xgrow(&in->window, &in->window_cap, in->window_len + len + WINDOW_SLACK, 1);
    memcpy(in->window + in->window_len, data, len);
    in->window_len += len;
    memset(in->window + in->window_len, 0, WINDOW_SLACK); /* defined bytes for vector loads */
    if (in->unescaped_cap < in->window_cap) {
        free(in->unescaped);
        in->unescaped_cap = in->window_cap;
        in->unescaped = xmalloc(in->unescaped_cap);
    }
}

static bool feed_libcsv(struct csvin *in, const unsigned char *data, size_t len);

/* Deliver every complete record of the window; keep the incomplete tail.
 * At the first irregular record (or a tail that outgrows WINDOW_MAX, or the
 * end of the input when at_eof) the rest goes to libcsv for good. */
static bool scan_window(struct csvin *in, bool at_eof)
{
    if (in->window_len == 0 && at_eof) {
        in->fast = false;
        return true;
    }
    const unsigned char *p = in->window, *end = in->window + in->window_len, *next = NULL;
    for (;;) {
        enum scan r = scan_record(in, p, end, &next);
        if (r == SCAN_RECORD) {
            unsigned long newlines = in->newlines_in_record;
            deliver(in);
            if (in->stop)
                return false;
            in->line += newlines + 1;
            p = next;
        } else if (r == SCAN_BLANK) {
            in->line++;
            p = next;
        } else {
            if (r == SCAN_MORE && !at_eof && (size_t)(end - p) < WINDOW_MAX) {
                in->window_len = (size_t)(end - p);
                memmove(in->window, p, in->window_len);
                return true;
            }
            in->fast = false;
            in->n_fields = 0;
            in->arena_len = 0;
            in->newlines_in_record = 0;
            in->record_plain = true;
            in->window_len = 0;
            return feed_libcsv(in, p, (size_t)(end - p));
        }
    }
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

static bool feed_libcsv(struct csvin *in, const unsigned char *data, size_t len)
{
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
    if (!in->fast)
        return feed_libcsv(in, data, len);
    window_append(in, data, len);
    return scan_window(in, false);
}

enum csvin_status csvin_read(struct csvin *in, const char *path, csvin_record_fn fn, void *ctx)
{
    memset(in, 0, sizeof(*in));
    in->line = 1;
    in->at_start = 1;
    in->record_plain = true;
    in->fast = fast_path_enabled;
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
    if (in->fast && !scan_window(in, true))
        return in->status;
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
    free(in->window);
    free(in->unescaped);
    in->window = NULL;
    in->unescaped = NULL;
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
