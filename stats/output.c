#include "output.h"

#include <libdeflate.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "numfmt.h"
#include "text.h"

static bool use_gzip;

void tables_use_gzip(bool on)
{
    use_gzip = on;
}

/* libdeflate's level 1: about 3x faster than level 6 on these tables. */
#define TABLE_GZIP_LEVEL 1

/* The compressing thread: deflate each block handed over into one gzip
 * member and write it, until told it is done. */
static void *gzip_thread(void *arg)
{
    struct table *t = arg;
    struct table_gzip *g = t->gzip;
    pthread_mutex_lock(&g->lock);
    for (;;) {
        while (!g->busy && !g->done)
            pthread_cond_wait(&g->changed, &g->lock);
        if (!g->busy)
            break;
        pthread_mutex_unlock(&g->lock);
        size_t bound = libdeflate_gzip_compress_bound(g->compressor, g->block.len);
        buf_reserve(&g->packed, bound);
        size_t n = libdeflate_gzip_compress(g->compressor, g->block.data, g->block.len,
                                            g->packed.data, bound);
        /* n is never 0 with a bound this size; a failed write is kept by
         * the file and reported by its commit */
        (void)atomic_write(&t->file, g->packed.data, n);
        buf_clear(&g->block);
        pthread_mutex_lock(&g->lock);
        g->busy = false;
        pthread_cond_broadcast(&g->changed);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

static bool gzip_start(struct table *t, struct buf *err)
{
    struct table_gzip *g = xcalloc(1, sizeof(*g));
    buf_init(&g->block);
    buf_init(&g->packed);
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->changed, NULL);
    g->compressor = libdeflate_alloc_compressor(TABLE_GZIP_LEVEL);
    t->gzip = g;
    if (!g->compressor || pthread_create(&g->thread, NULL, gzip_thread, t) != 0) {
        buf_printf(err, "%s: cannot start compressing it", t->file.final_path);
        if (g->compressor)
            libdeflate_free_compressor(g->compressor);
        pthread_mutex_destroy(&g->lock);
        pthread_cond_destroy(&g->changed);
        free(g);
        t->gzip = NULL;
        return false;
    }
    return true;
}

/* Hand t->line to the compressing thread (waiting while it is busy with
 * the block before), taking its emptied buffer in exchange. */
static void gzip_hand_over(struct table *t)
{
    struct table_gzip *g = t->gzip;
    pthread_mutex_lock(&g->lock);
    while (g->busy)
        pthread_cond_wait(&g->changed, &g->lock);
    struct buf spare = g->block;
    g->block = t->line;
    t->line = spare;
    g->busy = true;
    pthread_cond_broadcast(&g->changed);
    pthread_mutex_unlock(&g->lock);
}

/* Wait for the last block and stop the thread. */
static void gzip_stop(struct table *t)
{
    struct table_gzip *g = t->gzip;
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->done = true;
    pthread_cond_broadcast(&g->changed);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    libdeflate_free_compressor(g->compressor);
    buf_release(&g->block);
    buf_release(&g->packed);
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->changed);
    free(g);
    t->gzip = NULL;
}

bool table_open(struct table *t, const char *dir, const char *name, const char *header,
                struct buf *err)
{
    memset(t, 0, sizeof(*t));
    char *path = xasprintf("%s/%s%s", dir, name, use_gzip ? ".gz" : "");
    bool ok = atomic_open(&t->file, path, 0644, err);
    free(path);
    if (!ok)
        return false;
    if (use_gzip && !gzip_start(t, err)) {
        atomic_abort(&t->file);
        return false;
    }
    buf_init(&t->line);
    buf_init(&t->names.fields);
    t->n_columns = 1;
    for (const char *c = header; *c; c++)
        t->n_columns += *c == ',';
    t->memo = xcalloc(t->n_columns, sizeof(*t->memo));
    buf_puts(&t->line, header);
    buf_putc(&t->line, '\n');
    return true;
}

static void next_field(struct table *t)
{
    if (t->column++)
        buf_putc(&t->line, ',');
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

#define NAME_COPY 16

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
        put_text_field(&nc->fields, name, strlen(name));
        slot->field_len = nc->fields.len - slot->field_at;
        /* room for append_field's fixed 16-byte copy past the last field,
         * zeroed so that the copy reads no uninitialised bytes */
        buf_reserve(&nc->fields, NAME_COPY);
        memset(nc->fields.data + nc->fields.len, 0, NAME_COPY);
        nc->used++;
    }
    return slot;
}

/* Most fields are short: a fixed 16-byte copy (reading past the field into
 * the arena's slack, the line's end moved by the field's length only) is
 * two instructions where memcpy of a variable length is a call. */
static inline void append_field(struct buf *line, const char *field, size_t len)
{
    if (line->len + NAME_COPY + len + 1 > line->cap)
        buf_reserve(line, NAME_COPY + len);
    if (len <= NAME_COPY)
        memcpy(line->data + line->len, field, NAME_COPY);
    else
        memcpy(line->data + line->len, field, len);
    line->len += len;
    line->data[line->len] = '\0';
}

void table_name(struct table *t, const char *name)
{
    struct column_memo *m = t->column < t->n_columns ? &t->memo[t->column] : NULL;
    next_field(t);
    struct name_cache *nc = &t->names;
    if (m && m->last_name == name) { /* as in the row before: most columns */
        append_field(&t->line, nc->fields.data + m->last_at, m->last_len);
        return;
    }
    const struct name_slot *slot = find_name(nc, name);
    if (m) {
        m->last_name = name;
        m->last_at = slot->field_at;
        m->last_len = slot->field_len;
    }
    append_field(&t->line, nc->fields.data + slot->field_at, slot->field_len);
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

static inline void reserve_number(struct buf *line)
{
    if (line->len + NUMFMT_MAX + 1 > line->cap)
        buf_reserve(line, NUMFMT_MAX);
}

/* Numbers are formatted straight into the line: through a scratch buffer
 * and memcpy they were read back wider than numfmt stored them, a stall
 * on store forwarding per number. */
void table_num(struct table *t, double v)
{
    next_field(t);
    if (!isnan(v)) {
        reserve_number(&t->line);
        t->line.len += numfmt_shortest(t->line.data + t->line.len, v == 0 ? 0.0 : v); /* no "-0" */
        t->line.data[t->line.len] = '\0';
    }
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

/* Rows gather in t->line and go to the file a megabyte at a time: stdio
 * writes a piece larger than its buffer straight from ours, instead of
 * copying every row into its buffer (and taking its lock) one fwrite each;
 * 6 million rows per national year. */
#define TABLE_WRITE_SIZE (1u << 20)
static void write_lines(struct table *t)
{
    if (t->line.len && t->gzip) {
        gzip_hand_over(t);
        return;
    }
    /* a failure is kept by the file and reported by its commit */
    if (t->line.len)
        (void)atomic_write(&t->file, t->line.data, t->line.len);
    buf_clear(&t->line);
}

void table_end_row(struct table *t)
{
    if (t->column != t->n_columns) {
        fprintf(stderr, "candour-stats: internal error: row of %zu fields in a table of %zu\n",
                t->column, t->n_columns);
        abort();
    }
    buf_putc(&t->line, '\n');
    t->column = 0;
    if (t->line.len >= TABLE_WRITE_SIZE)
        write_lines(t);
}

struct atomic_file *table_finish(struct table *t)
{
    write_lines(t);
    gzip_stop(t);
    atomic_start_sync(&t->file);
    buf_release(&t->line);
    release_memo(t);
    return &t->file;
}

void table_abort(struct table *t)
{
    gzip_stop(t);
    buf_release(&t->line);
    release_memo(t);
    atomic_abort(&t->file);
}
