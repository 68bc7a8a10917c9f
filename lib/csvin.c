#include "csvin.h"

#include <csv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static bool fast_path_enabled = true;

void csvin_set_fast_path(bool on)
{
    fast_path_enabled = on;
}

/* Test sizes (csvin_set_test_sizes): 0 means production behaviour. */
static size_t test_piece;      /* feed each source chunk in pieces of this many bytes */
static size_t test_window_max; /* replaces WINDOW_MAX */

void csvin_set_test_sizes(size_t piece, size_t window_max)
{
    test_piece = piece;
    test_window_max = window_max;
}

/* ---- batches: records cut by the reading thread, handed to the caller's ----
 * Reading, decompressing, checksumming and cutting records run in a thread
 * of their own while the caller's thread decodes them: the two halves of
 * ingest's work overlap on two cores.  A batch owns the bytes its records
 * point into: the scanner's window (fields in place) and an extra area
 * (quoted fields with "" undoubled, and every field libcsv parses).  Fields
 * are kept as offsets because both areas may move while they grow.  Batches
 * are recycled, so memory stays flat. */

#define QUEUE_MAX 4 /* batches cut but not yet consumed */

struct field_ref {
    size_t off, len;
    bool extra; /* in the extra area, not the window */
};

struct record_ref {
    size_t first_field, n_fields;
    unsigned long line;
    bool plain, ascii;
};

struct batch {
    unsigned char *window; /* the scanner's bytes (+ WINDOW_SLACK) */
    size_t window_cap;
    char *extra;
    size_t extra_len, extra_cap;
    struct field_ref *fields;
    size_t n_fields, fields_cap;
    const char **field_at; /* fields resolved to pointers (batch_resolve) */
    size_t *field_len;
    size_t resolved_cap;
    struct record_ref *records;
    size_t n_records, records_cap;
    uint64_t progress_bytes; /* source bytes read when the batch was cut */
    bool last;               /* the reader is done; its status is final */
    struct batch *next;
};

struct csvin_pipe {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct batch *head, *tail; /* full batches, in file order */
    size_t queued;
    struct batch *spare; /* consumed batches, for reuse */
    bool stop;           /* the caller stopped reading */
    /* Who sleeps on `changed`: a thread wakes the other only when it
     * waits, and the reader, waiting for room, only once the queue is
     * half empty.  The caller decodes rows more slowly than the reader
     * cuts them, so a wake-up per batch (a futex call on each side for
     * every 64 KiB) cost the busier thread its system time. */
    bool reader_waits, caller_waits;
};

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

/* Is every byte ASCII other than NUL (0x01-0x7F)?  Asked only of fields that
 * are not printable_ascii, so a plain loop does. */
static bool ascii_without_nul(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == 0 || s[i] >= 0x80)
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
        if (in->record_ascii && !ascii_without_nul((const unsigned char *)data, len))
            in->record_ascii = false;
        count_newlines(in, in->arena + in->arena_len - len, len);
    }
}

static void add_field_ref(struct batch *b, size_t off, size_t len, bool extra)
{
    if (b->n_fields == b->fields_cap) /* the call was 7% of the reading thread */
        xgrow(&b->fields, &b->fields_cap, b->n_fields + 1, sizeof(*b->fields));
    b->fields[b->n_fields++] = (struct field_ref){off, len, extra};
}

/* The record whose fields are the batch's last n_fields field refs. */
static void add_record(struct csvin *in, size_t n_fields)
{
    struct batch *b = in->batch;
    xgrow(&b->records, &b->records_cap, b->n_records + 1, sizeof(*b->records));
    b->records[b->n_records++] = (struct record_ref){b->n_fields - n_fields, n_fields, in->line,
                                                     in->record_plain, in->record_ascii};
}

/* A record parsed by libcsv: its fields move from the arena to the batch. */
static void deliver_from_arena(struct csvin *in)
{
    struct batch *b = in->batch;
    xgrow(&b->extra, &b->extra_cap, b->extra_len + in->arena_len + 1, 1);
    memcpy(b->extra + b->extra_len, in->arena, in->arena_len);
    for (size_t i = 0; i < in->n_fields; i++)
        add_field_ref(b, b->extra_len + in->offsets[i], in->lens[i], true);
    b->extra_len += in->arena_len;
    add_record(in, in->n_fields);
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
        deliver_from_arena(in);
    in->line += in->newlines_in_record;
    if ((terminator == '\n' || terminator == '\r') && !crlf_tail)
        in->line++;
    in->prev_terminator = in->n_fields == 0 && crlf_tail ? 0 : terminator;
    in->n_fields = 0;
    in->arena_len = 0;
    in->newlines_in_record = 0;
    in->record_plain = in->record_ascii = true;
}

/* ---- the fast scanner ------------------------------------------------------
 * It accepts only what it can parse exactly as libcsv would (with our
 * options): fields unquoted without quotes and without a space or tab at
 * either end (libcsv trims those), or quoted with doubled quotes inside, no
 * CR inside and a delimiter right after the closing quote; records ending in
 * LF or CRLF.  Anything else is SCAN_IRREGULAR and goes to libcsv. */

#define WINDOW_SLACK 16       /* vector loads may read this far past the end */
#define WINDOW_MAX (1u << 20) /* a longer record goes to libcsv */

enum scan { SCAN_RECORD, SCAN_BLANK, SCAN_MORE, SCAN_IRREGULAR };

static bool is_trimmed_space(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* The first comma, quote, LF or CR at or after p, or end; *odd is set when a
 * byte outside printable ASCII comes before it.  Reads up to 15 bytes past
 * end: the window's slack, zeros (window_append, hand_over), which are
 * never a delimiter, so only a delimiter found past end needs looking at. */
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
        if (delim) {
            unsigned at = (unsigned)__builtin_ctz(delim);
            if (p + at >= end)
                return end;
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

/* A field of the record being scanned, in place in the window. */
static void fast_add_field(struct csvin *in, const unsigned char *s, size_t len)
{
    add_field_ref(in->batch, (size_t)(s - in->batch->window), len, false);
}

/* A quoted field starting at p (the opening quote). */
static enum scan scan_quoted(struct csvin *in, const unsigned char **pp, const unsigned char *end)
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
        if (in->record_ascii && !ascii_without_nul(content, len))
            in->record_ascii = false;
        for (const unsigned char *n = content; (n = memchr(n, '\n', (size_t)(q - n))); n++)
            in->newlines_in_record++;
    }
    if (!doubled) {
        fast_add_field(in, content, len);
    } else {
        struct batch *b = in->batch;
        xgrow(&b->extra, &b->extra_cap, b->extra_len + len + 1, 1);
        char *out = b->extra + b->extra_len, *o = out;
        for (const unsigned char *c = content; c < q; c++) {
            *o++ = (char)*c;
            if (*c == '"')
                c++; /* skip the second of a pair */
        }
        add_field_ref(b, b->extra_len, (size_t)(o - out), true);
        b->extra_len += (size_t)(o - out);
    }
    *pp = after;
    return SCAN_RECORD;
}

/* One record (or blank line) at p; on SCAN_RECORD and SCAN_BLANK *next is
 * where the following one starts.  Fields go to the batch as they are found;
 * the caller takes them back unless the result is SCAN_RECORD. */
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
    in->record_plain = in->record_ascii = true;
    in->newlines_in_record = 0;
    size_t n_fields = 0;
    for (;; n_fields++) {
        if (p == end)
            return SCAN_MORE;
        if (n_fields == CSVIN_FIELDS_MAX)
            return SCAN_IRREGULAR;
        if (*p == '"') {
            enum scan r = scan_quoted(in, &p, end);
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
            if (odd) {
                in->record_plain = false;
                if (!ascii_without_nul(p, len))
                    in->record_ascii = false;
            }
            fast_add_field(in, p, len);
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
        add_record(in, n_fields + 1);
        return SCAN_RECORD;
    }
}

/* The record at p when it is one plain line (csvin_skip_fn): its line
 * break at *nl, its length without the break (and a CR before it) in *len
 * and its commas in *commas.  False when the line holds a quote or a CR
 * other than a final one, or has no LF before end.  Like find_delimiter,
 * reads up to 15 bytes past end (the window's slack). */
static bool plain_line(const unsigned char *p, const unsigned char *end, const unsigned char **nl,
                       size_t *len, size_t *commas)
{
    size_t n_commas = 0;
    bool cr = false;
    const unsigned char *lf = NULL;
#ifdef __SSE2__
    const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
    const __m128i lf_byte = _mm_set1_epi8('\n'), cr_byte = _mm_set1_epi8('\r');
    for (const unsigned char *q = p; q < end && !lf; q += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
        unsigned at_lf = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, lf_byte));
        unsigned before = at_lf ? (1u << __builtin_ctz(at_lf)) - 1 : 0xFFFFu;
        if (at_lf)
            lf = q + __builtin_ctz(at_lf);
        if ((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote)) & before)
            return false;
        cr |= ((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, cr_byte)) & before) != 0;
        /* a few commas a block: cleared one by one (no popcnt instruction
         * in the baseline x86-64 this is built for) */
        for (unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, comma)) & before; m;
             m &= m - 1)
            n_commas++;
    }
    if (lf && lf >= end)
        lf = NULL;
#else
    for (const unsigned char *q = p; q < end && !lf; q++) {
        if (*q == '"')
            return false;
        cr |= *q == '\r';
        n_commas += *q == ',';
        if (*q == '\n')
            lf = q;
    }
#endif
    if (!lf)
        return false;
    size_t n = (size_t)(lf - p);
    if (cr) { /* only a CR right before the LF */
        if (n == 0 || lf[-1] != '\r' || memchr(p, '\r', n - 1))
            return false;
        n--;
    }
    *nl = lf;
    *len = n;
    *commas = n_commas;
    return true;
}

/* Offer the record at p to the raw-record filter; true when it skipped it
 * (*next: the record after it).  *offered says whether it was offered (and
 * counted in records_cut). */
static bool skip_record(struct csvin *in, const unsigned char *p, const unsigned char *end,
                        const unsigned char **next, bool *offered)
{
    const unsigned char *nl;
    size_t len, commas;
    *offered = false;
    if (!plain_line(p, end, &nl, &len, &commas) || len == 0 || len > CSVIN_FIELD_MAX ||
        commas >= CSVIN_FIELDS_MAX)
        return false;
    *offered = true;
    if (!in->skip(in->skip_ctx, (const char *)p, len, commas + 1, in->records_cut++))
        return false;
    *next = nl + 1;
    return true;
}

static void window_append(struct csvin *in, const unsigned char *data, size_t len)
{
    struct batch *b = in->batch;
    xgrow(&b->window, &b->window_cap, in->window_len + len + WINDOW_SLACK, 1);
    memcpy(b->window + in->window_len, data, len);
    in->window_len += len;
    memset(b->window + in->window_len, 0, WINDOW_SLACK); /* defined bytes for vector loads */
}

static bool feed_libcsv(struct csvin *in, const unsigned char *data, size_t len);
static bool hand_over(struct csvin *in, const unsigned char *tail, size_t tail_len);

/* Cut every complete record of the window into the batch and hand it over,
 * the incomplete tail moving to the next batch's window.  At the first
 * irregular record (or a tail that outgrows WINDOW_MAX, or the end of the
 * input when at_eof) the rest goes to libcsv for good. */
static bool scan_window(struct csvin *in, bool at_eof)
{
    struct batch *b = in->batch;
    if (in->window_len == 0) {
        if (at_eof)
            in->fast = false;
        return true;
    }
    const unsigned char *p = b->window, *end = b->window + in->window_len, *next = NULL;
    for (;;) {
        bool offered = false;
        if (in->skip && skip_record(in, p, end, &next, &offered)) {
            in->line++;
            p = next;
            continue;
        }
        size_t fields_before = b->n_fields, extra_before = b->extra_len;
        enum scan r = scan_record(in, p, end, &next);
        if (r == SCAN_RECORD) {
            if (!offered)
                in->records_cut++;
            in->line += in->newlines_in_record + 1;
            p = next;
            continue;
        }
        if (r == SCAN_BLANK) {
            in->line++;
            p = next;
            continue;
        }
        b->n_fields = fields_before; /* take back a partial record */
        b->extra_len = extra_before;
        size_t window_max = test_window_max ? test_window_max : WINDOW_MAX;
        if (r == SCAN_MORE && !at_eof && (size_t)(end - p) < window_max)
            return hand_over(in, p, (size_t)(end - p));
        in->fast = false;
        in->record_plain = in->record_ascii = true;
        in->newlines_in_record = 0;
        /* libcsv's records join this batch (their fields are copied to its
         * extra area), which still owns the window they are parsed from */
        in->window_len = 0;
        return feed_libcsv(in, p, (size_t)(end - p));
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
    /* Tests cut the chunk smaller so that small inputs cross as many chunk
     * boundaries as a national file crosses 64 KiB ones. */
    size_t piece = test_piece ? test_piece : len;
    for (size_t at = 0; at < len; at += piece) {
        size_t n = len - at < piece ? len - at : piece;
        bool ok;
        if (!in->fast) {
            ok = feed_libcsv(in, data + at, n);
        } else {
            window_append(in, data + at, n);
            ok = scan_window(in, false);
        }
        if (!ok)
            return false;
    }
    return true;
}

/* ---- the queue between the two threads ---------------------------------- */

static struct batch *batch_get(struct csvin *in)
{
    struct csvin_pipe *pipe = in->pipe;
    pthread_mutex_lock(&pipe->lock);
    struct batch *b = pipe->spare;
    if (b)
        pipe->spare = b->next;
    pthread_mutex_unlock(&pipe->lock);
    if (!b)
        b = xcalloc(1, sizeof(*b));
    b->extra_len = b->n_fields = b->n_records = 0;
    b->last = false;
    b->next = NULL;
    return b;
}

static void batch_free(struct batch *b)
{
    if (!b)
        return;
    free(b->window);
    free(b->extra);
    free(b->fields);
    free(b->field_at);
    free(b->field_len);
    free(b->records);
    free(b);
}

/* Turn b's field refs (offsets, valid while the window and extra area may
 * still move) into the pointer and length arrays a record hands to its
 * caller.  Done here, on the reading thread, once b is full: the caller's
 * thread decodes every row and is the slower of the two (on a national
 * year this loop was 4-7% of its time). */
static void batch_resolve(struct batch *b)
{
    if (b->resolved_cap < b->n_fields) {
        size_t cap = b->resolved_cap;
        xgrow(&b->field_at, &cap, b->n_fields, sizeof(*b->field_at));
        xgrow(&b->field_len, &b->resolved_cap, b->n_fields, sizeof(*b->field_len));
    }
    const char *window = (const char *)b->window, *extra = b->extra;
    for (size_t i = 0; i < b->n_fields; i++) {
        const struct field_ref *f = &b->fields[i];
        b->field_at[i] = (f->extra ? extra : window) + f->off;
        b->field_len[i] = f->len;
    }
}

/* Queue b for the caller's thread; false (b dropped) once it stopped. */
static bool queue_push(struct csvin *in, struct batch *b)
{
    struct csvin_pipe *pipe = in->pipe;
    batch_resolve(b);
    b->progress_bytes = in->src.raw_size;
    pthread_mutex_lock(&pipe->lock);
    while (pipe->queued >= QUEUE_MAX && !pipe->stop) {
        pipe->reader_waits = true;
        pthread_cond_wait(&pipe->changed, &pipe->lock);
        pipe->reader_waits = false;
    }
    bool stop = pipe->stop;
    if (!stop) {
        if (pipe->tail)
            pipe->tail->next = b;
        else
            pipe->head = b;
        pipe->tail = b;
        pipe->queued++;
        if (pipe->caller_waits)
            pthread_cond_broadcast(&pipe->changed);
    }
    pthread_mutex_unlock(&pipe->lock);
    if (stop)
        batch_free(b);
    return !stop;
}

static struct batch *queue_pop(struct csvin_pipe *pipe)
{
    pthread_mutex_lock(&pipe->lock);
    while (!pipe->head) {
        pipe->caller_waits = true;
        pthread_cond_wait(&pipe->changed, &pipe->lock);
        pipe->caller_waits = false;
    }
    struct batch *b = pipe->head;
    pipe->head = b->next;
    if (!pipe->head)
        pipe->tail = NULL;
    pipe->queued--;
    if (pipe->reader_waits && pipe->queued <= QUEUE_MAX / 2)
        pthread_cond_broadcast(&pipe->changed);
    pthread_mutex_unlock(&pipe->lock);
    return b;
}

static void batch_recycle(struct csvin_pipe *pipe, struct batch *b)
{
    pthread_mutex_lock(&pipe->lock);
    b->next = pipe->spare;
    pipe->spare = b;
    pthread_mutex_unlock(&pipe->lock);
}

/* Queue the current batch and start the next with the window's tail (the
 * start of a record not yet complete). */
static bool hand_over(struct csvin *in, const unsigned char *tail, size_t tail_len)
{
    struct batch *full = in->batch;
    if (full->n_records == 0 && tail) { /* every record skipped: keep the batch */
        memmove(full->window, tail, tail_len);
        memset(full->window + tail_len, 0, WINDOW_SLACK);
        in->window_len = tail_len;
        full->n_fields = full->extra_len = 0;
        return true;
    }
    struct batch *b = batch_get(in);
    xgrow(&b->window, &b->window_cap, tail_len + WINDOW_SLACK, 1);
    if (tail_len)
        memcpy(b->window, tail, tail_len);
    memset(b->window + tail_len, 0, WINDOW_SLACK); /* scanned at the end of the input */
    in->window_len = tail_len;
    in->batch = b;
    return queue_push(in, full);
}

/* ---- the reading thread ---------------------------------------------------- */

static bool finish_reading(struct csvin *in)
{
    if (in->src.status != SOURCE_OK) {
        in->status = CSVIN_ESOURCE;
        return false;
    }
    if (in->fast && !scan_window(in, true))
        return false;
    /* libcsv honours CSV_STRICT_FINI only together with CSV_STRICT; without
     * it an open quote at the end swallows the rest of the file into one
     * field.  Strict mode while parsing would refuse stray quotes inside
     * unquoted fields, so it is turned on for the final call only. */
    csv_set_opts(in->parser, (unsigned char)(csv_get_opts(in->parser) | CSV_STRICT));
    if (csv_fini(in->parser, on_field, on_record_end, in) != 0) {
        in->error_line = in->line;
        in->status = CSVIN_EQUOTE;
        return false;
    }
    return !in->stop;
}

static void *read_all(void *arg)
{
    struct csvin *in = arg;
    in->batch = batch_get(in);
    const unsigned char *data;
    size_t len;
    bool ok = true;
    while (ok && (len = source_next(&in->src, &data)) > 0) {
        ok = parse_chunk(in, data, len);
        if (ok && !in->fast) /* libcsv's records of this chunk */
            ok = hand_over(in, NULL, 0);
    }
    if (ok)
        finish_reading(in);
    struct batch *last = in->batch;
    in->batch = NULL;
    last->last = true;
    queue_push(in, last); /* dropped if the caller stopped */
    return NULL;
}

/* ---- the caller's thread --------------------------------------------------- */

/* Call fn for each record of b; false when it asks to stop. */
static bool deliver_batch(struct csvin *in, const struct batch *b)
{
    in->progress_bytes = b->progress_bytes;
    for (size_t r = 0; r < b->n_records; r++) {
        const struct record_ref *rr = &b->records[r];
        struct csvin_record rec = {rr->n_fields,
                                   b->field_at + rr->first_field,
                                   b->field_len + rr->first_field,
                                   rr->line,
                                   rr->plain,
                                   rr->ascii};
        if (in->fn(in->ctx, &rec, in) != 0)
            return false;
    }
    return true;
}

enum csvin_status csvin_read(struct csvin *in, const char *path, csvin_record_fn fn, void *ctx)
{
    return csvin_read_filtered(in, path, NULL, NULL, fn, ctx);
}

enum csvin_status csvin_read_filtered(struct csvin *in, const char *path, csvin_skip_fn skip,
                                      void *skip_ctx, csvin_record_fn fn, void *ctx)
{
    memset(in, 0, sizeof(*in));
    in->skip = skip;
    in->skip_ctx = skip_ctx;
    in->line = 1;
    in->at_start = 1;
    in->record_plain = in->record_ascii = true;
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
    struct csvin_pipe *pipe = in->pipe = xcalloc(1, sizeof(*in->pipe));
    pthread_mutex_init(&pipe->lock, NULL);
    pthread_cond_init(&pipe->changed, NULL);
    if (pthread_create(&pipe->thread, NULL, read_all, in) != 0)
        return in->status = CSVIN_ENOMEM;
    bool stopped = false;
    for (;;) {
        struct batch *b = queue_pop(pipe);
        stopped = !deliver_batch(in, b);
        bool last = b->last;
        batch_recycle(pipe, b);
        if (last || stopped)
            break;
    }
    if (stopped) { /* release the reader if it waits for room */
        pthread_mutex_lock(&pipe->lock);
        pipe->stop = true;
        pthread_cond_broadcast(&pipe->changed);
        pthread_mutex_unlock(&pipe->lock);
    }
    pthread_join(pipe->thread, NULL);
    if (stopped)
        in->status = CSVIN_ESTOPPED;
    return in->status;
}

void csvin_close(struct csvin *in)
{
    if (in->parser) {
        csv_free(in->parser);
        free(in->parser);
    }
    if (in->pipe) {
        for (struct batch *b = in->pipe->head, *next; b; b = next) {
            next = b->next;
            batch_free(b);
        }
        for (struct batch *b = in->pipe->spare, *next; b; b = next) {
            next = b->next;
            batch_free(b);
        }
        batch_free(in->batch);
        pthread_mutex_destroy(&in->pipe->lock);
        pthread_cond_destroy(&in->pipe->changed);
        free(in->pipe);
    }
    source_close(&in->src);
    free(in->arena);
    free(in->offsets);
    free(in->lens);
    free(in->fields);
    in->pipe = NULL;
    in->batch = NULL;
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
