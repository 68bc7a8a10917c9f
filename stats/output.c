#include "output.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "numfmt.h"
#include "packer.h"
#include "text.h"

static bool use_gzip;

void tables_use_gzip(bool on)
{
    use_gzip = on;
}

/* A table of one thread is cut into chunks of this size: stdio writes a
 * piece larger than its buffer straight from ours, instead of copying
 * every row into its buffer (and taking its lock) one fwrite each; 6
 * million rows per national year. */
#define TABLE_WRITE_SIZE (1u << 20)
/* A chunk's buffer is made this large at its start (the buffers are
 * passed round, so mostly it already is): grown by doubling instead,
 * each chunk's rows were copied again as it grew. */
#define TABLE_CHUNK_RESERVE (TABLE_WRITE_SIZE + TABLE_WRITE_SIZE / 4)
/* A table's writing to disk is started every this many bytes, not only
 * when it is finished: sync_file_range on the whole of a finished 300 MB
 * table held its thread 0.1-0.45 s (submitting the writeback), at the end
 * of the last table with nothing for the other thread to do. */
#define TABLE_SYNC_STEP (32u << 20)

void table_sink_init(struct table_sink *s, size_t parts, size_t unit_chunk)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->moved, NULL);
    s->parts_left = parts;
    s->unit_chunk = unit_chunk;
    for (size_t i = 0; i < TABLE_WINDOW; i++)
        buf_init(&s->ready[i]);
}

static void release_buffers(struct table_sink *s)
{
    for (size_t i = 0; i < TABLE_WINDOW; i++)
        buf_release(&s->ready[i]);
    for (size_t i = 0; i < s->n_spare; i++)
        buf_release(&s->spare[i]);
    free(s->spare);
    s->spare = NULL;
    s->n_spare = s->spare_cap = 0;
}

void table_sink_release(struct table_sink *s)
{
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->moved);
    release_buffers(s);
    free(s->header);
    free(s->open_error);
    s->header = s->open_error = NULL;
}

void table_share(struct table *t, struct table_sink *s)
{
    memset(t, 0, sizeof(*t));
    t->sink = s;
}

/* Write the chunks that are next in file order, while there are any.
 * Called with the lock held and s->writing set by the caller; the lock is
 * let go while the bytes are written, so that the other threads keep
 * handing in chunks.  A chunk's buffer is safe meanwhile: no thread starts
 * chunk n + TABLE_WINDOW before chunk n is written. */
static void write_ready(struct table_sink *s)
{
    for (;;) {
        struct buf *b = &s->ready[s->next_write % TABLE_WINDOW];
        bool *is_ready = &s->is_ready[s->next_write % TABLE_WINDOW];
        if (!*is_ready)
            return;
        pthread_mutex_unlock(&s->lock);
        /* a failure is kept by the file and reported by its commit */
        s->written += b->len;
        atomic_reserve(&s->file, s->written);
        (void)atomic_write_block(&s->file, b->data, b->len);
        s->unsynced += b->len;
        if (s->unsynced >= TABLE_SYNC_STEP) {
            atomic_start_sync(&s->file);
            s->unsynced = 0;
        }
        buf_clear(b);
        pthread_mutex_lock(&s->lock);
        xgrow(&s->spare, &s->spare_cap, s->n_spare + 1, sizeof(*s->spare));
        s->spare[s->n_spare++] = *b;
        buf_init(b);
        *is_ready = false;
        s->next_write++;
        pthread_cond_broadcast(&s->moved);
    }
}

/* The bytes of t's chunk as they go to the file: the rows, or with --gzip
 * the rows deflated into one gzip member (packer.h). */
static struct buf *chunk_bytes(struct table *t)
{
    if (!t->compressor || !t->line.len)
        return &t->line; /* an empty chunk: no empty member either */
    buf_clear(&t->packed);
    if (!pack_gzip(t->compressor, t->line.data, t->line.len, &t->packed)) {
        /* a chunk is about TABLE_WRITE_SIZE, far from pack_gzip's 4 GiB */
        fprintf(stderr, "candour-stats: internal error: a chunk of %zu bytes not compressed\n",
                t->line.len);
        abort();
    }
    buf_clear(&t->line);
    return &t->packed;
}

/* Hand in t's finished chunk, taking an emptied buffer in exchange (its
 * space is reused) when there is one, and write what is next in file
 * order unless another thread is writing. */
static void chunk_hand_in(struct table *t)
{
    struct table_sink *s = t->sink;
    struct buf *bytes = chunk_bytes(t);
    t->in_chunk = false;
    pthread_mutex_lock(&s->lock);
    size_t slot = t->chunk % TABLE_WINDOW;
    s->ready[slot] = *bytes; /* the slot's own was taken when it was written */
    if (s->n_spare)
        *bytes = s->spare[--s->n_spare];
    else
        buf_init(bytes);
    s->is_ready[slot] = true;
    if (!s->writing) {
        s->writing = true;
        write_ready(s);
        s->writing = false;
    }
    pthread_mutex_unlock(&s->lock);
}

/* Start chunk number n in t->line once the file has come within the
 * window of it; the first chunk begins with the header.  False when the
 * table was given up meanwhile. */
static bool chunk_start(struct table *t, size_t n)
{
    struct table_sink *s = t->sink;
    pthread_mutex_lock(&s->lock);
    while (n >= s->next_write + TABLE_WINDOW && !s->failed)
        pthread_cond_wait(&s->moved, &s->lock);
    bool failed = s->failed;
    pthread_mutex_unlock(&s->lock);
    if (failed)
        return false;
    t->chunk = n;
    t->in_chunk = true;
    buf_clear(&t->line);
    buf_reserve(&t->line, TABLE_CHUNK_RESERVE);
    if (n == 0) {
        buf_puts(&t->line, s->header);
        buf_putc(&t->line, '\n');
    }
    return true;
}

static size_t chunk_claim(struct table_sink *s)
{
    pthread_mutex_lock(&s->lock);
    size_t n = s->next_claim++;
    pthread_mutex_unlock(&s->lock);
    return n;
}

bool table_unit(struct table *t)
{
    struct table_sink *s = t->sink;
    if (!s->unit_chunk)
        return true; /* one thread: every unit is its own */
    size_t u = t->unit++;
    if (u >= t->claim_end) {
        if (t->in_chunk)
            chunk_hand_in(t);
        /* claims only move forward, and every unit before u was claimed:
         * the chunk claimed begins at u or later */
        t->chunk = chunk_claim(s);
        t->claim_begin = t->chunk * s->unit_chunk;
        t->claim_end = t->claim_begin + s->unit_chunk;
    }
    if (u == t->claim_begin && !chunk_start(t, t->chunk))
        t->claim_begin = t->claim_end = SIZE_MAX; /* given up: skip the rest */
    return u >= t->claim_begin && t->in_chunk;
}

/* Open the shared file, or take it when another thread has. */
static bool sink_open(struct table_sink *s, const char *dir, const char *name, const char *header,
                      struct buf *err)
{
    pthread_mutex_lock(&s->lock);
    if (!s->opened && !s->open_error) {
        char *path = xasprintf("%s/%s%s", dir, name, use_gzip ? ".gz" : "");
        struct buf why;
        buf_init(&why);
        if (atomic_open(&s->file, path, 0644, &why)) {
            s->opened = true;
            s->header = xstrdup(header);
        } else {
            s->open_error = xstrdup(why.data ? why.data : path);
            s->failed = true;
        }
        buf_release(&why);
        free(path);
    }
    if (s->open_error)
        buf_puts(err, s->open_error);
    bool ok = s->opened;
    pthread_mutex_unlock(&s->lock);
    return ok;
}

bool table_open(struct table *t, const char *dir, const char *name, const char *header,
                struct buf *err)
{
    if (!t->sink) { /* a table of one thread */
        memset(t, 0, sizeof(*t));
        table_sink_init(&t->own, 1, 0);
        t->sink = &t->own;
    }
    struct table_sink *s = t->sink;
    bool opened = sink_open(s, dir, name, header, err);
    if (opened && use_gzip)
        t->compressor = packer_new();
    if (!opened && s == &t->own) { /* nothing for the caller to abort */
        table_sink_result(s);
        table_sink_release(s);
        t->sink = NULL;
    }
    if (!opened)
        return false;
    buf_init(&t->line);
    buf_init(&t->packed);
    buf_init(&t->names.fields);
    t->n_columns = 1;
    for (const char *c = header; *c; c++)
        t->n_columns += *c == ',';
    t->memo = xcalloc(t->n_columns, sizeof(*t->memo));
    t->numbers = xcalloc(t->n_columns, sizeof(*t->numbers));
    if (!s->unit_chunk)
        chunk_start(t, chunk_claim(s));
    return true;
}

/* The comma before every field but a row's first.  The line is
 * NUL-terminated again by the field written next or the row's end. */
static inline void next_field(struct table *t)
{
    if (t->column++) {
        if (t->line.len + 2 > t->line.cap)
            buf_reserve(&t->line, 1);
        t->line.data[t->line.len++] = ',';
    }
}

/* A text field of a table: control characters escaped as \n, \t, \xHH
 * (text_escape_controls; a name from the data may hold any), then quoted
 * and made spreadsheet-safe (csv_put_field). */
static void put_text_field(struct buf *line, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) {
            struct buf escaped;
            buf_init(&escaped);
            text_escape_controls(s, len, &escaped);
            csv_put_field(line, escaped.data, escaped.len, true);
            buf_release(&escaped);
            return;
        }
    csv_put_field(line, s, len, true);
}

void table_str(struct table *t, const char *s)
{
    size_t len = strlen(s);
    struct column_memo *m = t->column < t->n_columns ? &t->memo[t->column] : NULL;
    next_field(t);
    if (m && m->text && m->text_len == len && memcmp(m->text, s, len) == 0) {
        buf_append(&t->line, m->field, m->field_len);
        return;
    }
    size_t start = t->line.len;
    put_text_field(&t->line, s, len);
    if (!m)
        return; /* too many fields: table_end_row reports it */
    free(m->text);
    free(m->field);
    m->text = xmalloc(len + 1);
    memcpy(m->text, s, len + 1);
    m->text_len = len;
    m->field_len = t->line.len - start;
    m->field = xmalloc(m->field_len + 1);
    memcpy(m->field, t->line.data + start, m->field_len);
}

/* Fibonacci hashing of the address: names are 8-aligned at best, so the
 * low bits alone would crowd a few slots. */
static size_t name_hash(const char *name, size_t n_slots)
{
    return (size_t)(((uintptr_t)name * 0x9E3779B97F4A7C15ull) >> 20) & (n_slots - 1);
}

static void names_grow(struct name_cache *nc)
{
    struct name_slot *old = nc->slots;
    size_t n_old = nc->n_slots;
    nc->n_slots = n_old ? 2 * n_old : 256;
    nc->slots = xcalloc(nc->n_slots, sizeof(*nc->slots));
    for (size_t i = 0; i < n_old; i++) {
        if (!old[i].name)
            continue;
        size_t h = name_hash(old[i].name, nc->n_slots);
        while (nc->slots[h].name)
            h = (h + 1) & (nc->n_slots - 1);
        nc->slots[h] = old[i];
    }
    free(old);
}

/* The slot of name in the cache, its CSV form made on first sight. */
static const struct name_slot *find_name(struct name_cache *nc, const char *name)
{
    if (2 * (nc->used + 1) > nc->n_slots)
        names_grow(nc);
    size_t h = name_hash(name, nc->n_slots);
    while (nc->slots[h].name && nc->slots[h].name != name)
        h = (h + 1) & (nc->n_slots - 1);
    struct name_slot *slot = &nc->slots[h];
    if (!slot->name) {
        slot->name = name;
        slot->field_at = nc->fields.len;
        buf_putc(&nc->fields, ','); /* the field with its comma: one copy for both */
        put_text_field(&nc->fields, name, strlen(name));
        slot->field_len = nc->fields.len - slot->field_at;
        /* room for table_append_padded's fixed-size copy past the last
         * field, zeroed so that the copy reads no uninitialised bytes */
        buf_reserve(&nc->fields, TABLE_FIELDS_COPY);
        memset(nc->fields.data + nc->fields.len, 0, TABLE_FIELDS_COPY);
        nc->used++;
    }
    return slot;
}

void table_name(struct table *t, const char *name)
{
    size_t column = t->column++;
    struct column_memo *m = column < t->n_columns ? &t->memo[column] : NULL;
    struct name_cache *nc = &t->names;
    size_t at, len;
    if (m && m->last_name == name) { /* as in the row before: most columns */
        at = m->last_at;
        len = m->last_len;
    } else {
        const struct name_slot *slot = find_name(nc, name);
        at = slot->field_at;
        len = slot->field_len;
        if (m) {
            m->last_name = name;
            m->last_at = at;
            m->last_len = len;
        }
    }
    size_t first = column == 0; /* a row's first field: without the comma */
    table_append_padded(&t->line, nc->fields.data + at + first, len - first);
}

static void release_memo(struct table *t)
{
    free(t->names.slots);
    buf_release(&t->names.fields);
    memset(&t->names, 0, sizeof(t->names));
    for (size_t c = 0; t->memo && c < t->n_columns; c++) {
        free(t->memo[c].text);
        free(t->memo[c].field);
    }
    free(t->memo);
    t->memo = NULL;
}

static void release_numbers(struct table *t)
{
    for (size_t c = 0; t->numbers && c < t->n_columns; c++)
        free(t->numbers[c].slots);
    free(t->numbers);
    t->numbers = NULL;
}

static inline void reserve_number(struct buf *line)
{
    if (line->len + NUMFMT_MAX + 1 > line->cap)
        buf_reserve(line, NUMFMT_MAX);
}

/* Trials of NUMBER_TRIAL lookups: a column that found fewer than one in
 * NUMBER_FEW of them formats the next NUMBER_PAUSE numbers without looking,
 * then tries again. */
#define NUMBER_TRIAL 4096
#define NUMBER_FEW 8
#define NUMBER_PAUSE (16 * NUMBER_TRIAL)

/* v (not NaN, not -0) as numfmt_shortest writes it, at out (room for
 * NUMFMT_MAX bytes), from m's slot for v's bits when it holds them. */
static size_t format_number(struct number_memo *m, char *out, double v)
{
    if (m->off) {
        m->off--;
        return numfmt_shortest(out, v);
    }
    if (!m->slots) {
        m->slots = xmalloc(NUMBER_SLOTS * sizeof(*m->slots));
        memset(m->slots, 0xFF, NUMBER_SLOTS * sizeof(*m->slots));
    }
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    /* Fibonacci hashing: neighbouring doubles differ in their low bits */
    struct number_slot *slot = &m->slots[(bits * 0x9E3779B97F4A7C15ull) >> 56];
    size_t len;
    bool found = slot->bits == bits;
    if (found) { /* 23 bytes as two fixed copies, not a call */
        memcpy(out, slot->text, 16);
        memcpy(out + 15, slot->text + 15, 8);
        len = slot->len;
    } else {
        len = numfmt_shortest(out, v);
        if (len <= sizeof(slot->text)) {
            slot->bits = bits;
            slot->len = (uint8_t)len;
            memcpy(slot->text, out, sizeof(slot->text));
        }
    }
    m->hits += found;
    if (++m->tries == NUMBER_TRIAL) {
        if (m->hits < NUMBER_TRIAL / NUMBER_FEW)
            m->off = NUMBER_PAUSE;
        m->tries = m->hits = 0;
    }
    return len;
}

/* Numbers are formatted straight into the line: through a scratch buffer
 * and memcpy they were read back wider than numfmt stored them, a stall
 * on store forwarding per number. */
void table_num(struct table *t, double v)
{
    size_t column = t->column;
    next_field(t);
    if (isnan(v))
        return;
    reserve_number(&t->line);
    char *out = t->line.data + t->line.len;
    v = v == 0 ? 0.0 : v; /* no "-0" */
    if (column < t->n_columns)
        t->line.len += format_number(&t->numbers[column], out, v);
    else /* too many fields: table_end_row reports it */
        t->line.len += numfmt_shortest(out, v);
    t->line.data[t->line.len] = '\0';
}

void table_int(struct table *t, double v)
{
    next_field(t);
    if (!isnan(v)) {
        reserve_number(&t->line);
        t->line.len += numfmt_f0(t->line.data + t->line.len, v);
        t->line.data[t->line.len] = '\0';
    }
}

void table_count(struct table *t, double v)
{
    if (v == floor(v))
        table_int(t, v);
    else
        table_num(t, v);
}

void table_blank(struct table *t)
{
    next_field(t);
}

void table_fields_init(struct table_fields *f)
{
    buf_init(&f->text);
    f->n_fields = 0;
    table_fields_clear(f);
}

void table_fields_clear(struct table_fields *f)
{
    buf_clear(&f->text);
    f->n_fields = 0;
    buf_reserve(&f->text, TABLE_FIELDS_COPY);
    memset(f->text.data, 0, TABLE_FIELDS_COPY + 1);
}

void table_fields_release(struct table_fields *f)
{
    buf_release(&f->text);
    f->n_fields = 0;
}

/* The slack after a run's text for table_put's fixed-size copy, zeroed so
 * that the copy reads no uninitialised bytes. */
static void fields_added(struct table_fields *f)
{
    f->n_fields++;
    buf_reserve(&f->text, TABLE_FIELDS_COPY);
    memset(f->text.data + f->text.len, 0, TABLE_FIELDS_COPY + 1);
}

void table_fields_str(struct table_fields *f, const char *s)
{
    buf_putc(&f->text, ',');
    put_text_field(&f->text, s, strlen(s));
    fields_added(f);
}

void table_fields_blank(struct table_fields *f)
{
    buf_putc(&f->text, ',');
    fields_added(f);
}

void table_fields_int(struct table_fields *f, double v)
{
    buf_putc(&f->text, ',');
    if (!isnan(v)) {
        buf_reserve(&f->text, NUMFMT_MAX);
        f->text.len += numfmt_f0(f->text.data + f->text.len, v);
    }
    fields_added(f);
}

void table_fields_num(struct table_fields *f, double v)
{
    buf_putc(&f->text, ',');
    if (!isnan(v)) {
        buf_reserve(&f->text, NUMFMT_MAX);
        f->text.len += numfmt_shortest(f->text.data + f->text.len, v == 0 ? 0.0 : v); /* no "-0" */
    }
    fields_added(f);
}

static size_t span_slot_of(uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 52) & (TABLE_SPAN_SLOTS - 1);
}

uint64_t table_counts_key(double n, double positive)
{
    const double limit = 2147483648.0;
    if (!(n >= 0 && n < limit && positive >= 0 && positive < limit))
        return TABLE_SPAN_NO_KEY;
    uint64_t whole_n = (uint64_t)n, whole_positive = (uint64_t)positive;
    if ((double)whole_n != n || (double)whole_positive != positive)
        return TABLE_SPAN_NO_KEY;
    return whole_n << 32 | whole_positive;
}

void table_span_release(struct table_span_memo *m)
{
    free(m->slots);
    m->slots = NULL;
}

bool table_span_find(struct table *t, const struct table_span_memo *m, uint64_t key,
                     size_t n_fields)
{
    if (!m->slots || key == TABLE_SPAN_NO_KEY || t->column == 0)
        return false;
    const struct table_span_slot *slot = &m->slots[span_slot_of(key)];
    if (slot->key != key)
        return false;
    /* the slot's whole text in one fixed-size copy, the line's end moved
     * by its length only */
    if (t->line.len + sizeof(slot->text) + 1 > t->line.cap)
        buf_reserve(&t->line, sizeof(slot->text));
    memcpy(t->line.data + t->line.len, slot->text, sizeof(slot->text));
    t->line.len += slot->len;
    t->line.data[t->line.len] = '\0';
    t->column += n_fields;
    return true;
}

void table_span_keep(struct table *t, struct table_span_memo *m, uint64_t key, size_t from)
{
    size_t len = t->line.len - from;
    if (key == TABLE_SPAN_NO_KEY || len > TABLE_SPAN_TEXT || len == 0 ||
        t->line.data[from] != ',')
        return; /* a row's first field has no comma before it: never kept */
    if (!m->slots) {
        m->slots = xmalloc(TABLE_SPAN_SLOTS * sizeof(*m->slots));
        for (size_t i = 0; i < TABLE_SPAN_SLOTS; i++)
            m->slots[i].key = TABLE_SPAN_NO_KEY;
    }
    struct table_span_slot *slot = &m->slots[span_slot_of(key)];
    slot->key = key;
    slot->len = (uint8_t)len;
    memcpy(slot->text, t->line.data + from, len);
    memset(slot->text + len, 0, sizeof(slot->text) - len); /* the fixed copy reads it all */
}

void table_end_row(struct table *t)
{
    if (t->column != t->n_columns || (!t->in_chunk && !t->sink->failed)) {
        fprintf(stderr,
                "candour-stats: internal error: row of %zu fields in a table of %zu%s\n",
                t->column, t->n_columns, t->in_chunk ? "" : ", outside every unit");
        abort();
    }
    buf_putc(&t->line, '\n');
    t->column = 0;
    if (!t->sink->unit_chunk && t->line.len >= TABLE_WRITE_SIZE) {
        chunk_hand_in(t);
        chunk_start(t, chunk_claim(t->sink));
    }
}

/* A table with no unit at all: its header alone (a header line is far
 * from pack_gzip's limit). */
static void write_header_alone(struct table_sink *s)
{
    struct buf text, packed;
    buf_init(&text);
    buf_init(&packed);
    buf_puts(&text, s->header);
    buf_putc(&text, '\n');
    struct buf *bytes = &text;
    if (use_gzip) {
        struct packer *p = packer_new();
        if (pack_gzip(p, text.data, text.len, &packed))
            bytes = &packed;
        else
            s->failed = true;
        packer_free(p);
    }
    if (!s->failed)
        (void)atomic_write(&s->file, bytes->data, bytes->len);
    buf_release(&text);
    buf_release(&packed);
}

/* The last part out: every chunk is written (each part handed in its
 * own before leaving, and whoever handed in the last one wrote it), so the
 * file can start going to disk. */
static void sink_finish(struct table_sink *s)
{
    if (!s->failed && s->opened && s->next_write == 0)
        write_header_alone(s);
    if (!s->failed && s->opened)
        atomic_start_sync(&s->file);
    release_buffers(s); /* the chunks' space, no longer needed */
}

void table_done(struct table *t, bool ok)
{
    struct table_sink *s = t->sink;
    if (ok && t->in_chunk)
        chunk_hand_in(t);
    pthread_mutex_lock(&s->lock);
    if (!ok)
        s->failed = true;
    pthread_cond_broadcast(&s->moved);
    bool last = --s->parts_left == 0;
    pthread_mutex_unlock(&s->lock);
    if (last)
        sink_finish(s);
    packer_free(t->compressor);
    t->compressor = NULL;
    t->in_chunk = false;
    buf_release(&t->line);
    buf_release(&t->packed);
    release_memo(t);
    release_numbers(t);
}

struct atomic_file *table_sink_result(struct table_sink *s)
{
    if (!s->failed && s->opened)
        return &s->file;
    if (s->opened)
        atomic_abort(&s->file);
    s->opened = false;
    return NULL;
}

/* A table of one thread: its sink is its own (a shared one is the
 * caller's to release). */
struct atomic_file *table_finish(struct table *t)
{
    table_done(t, true);
    struct atomic_file *f = table_sink_result(t->sink);
    if (t->sink == &t->own)
        table_sink_release(&t->own);
    return f;
}
