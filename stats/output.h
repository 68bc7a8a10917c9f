/* Tidy CSV tables written atomically into the output directory, with numbers
 * at full precision (%.15g: at least 10 significant digits) and text made
 * safe for spreadsheets. */
#ifndef CANDOUR_STATS_OUTPUT_H
#define CANDOUR_STATS_OUTPUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atomic.h"
#include "util.h"

/* The last text written to a column and its CSV form: the same org, item
 * and group names repeat down millions of rows. */
struct column_memo {
    char *text, *field;
    size_t text_len, field_len;
    /* table_name's last name in this column, and its field in the cache */
    const char *last_name;
    size_t last_at, last_len;
};

/* The CSV form of each name written with table_name, found by the name's
 * address: open addressing over a power-of-two array, fields kept in one
 * arena, each after its comma (",name"), so that a field and its comma are
 * one copy. */
struct name_slot {
    const char *name; /* NULL: empty slot */
    size_t field_at, field_len;
};
struct name_cache {
    struct name_slot *slots;
    size_t n_slots, used;
    struct buf fields;
};

/* table_num's memo of one column: the text of numbers written there
 * before, found by the double's bits in a direct-mapped array (allocated
 * at the column's first number).  Benchmarks' target, phi and tau2 are the
 * same for every org of an item, q-values and estimates k/n and their
 * Wilson limits repeat for the same counts: a national run's numbers are
 * one in four found here, 4 ns where formatting takes 20.  A column whose
 * numbers are seldom found (differences, their limits, p-values) stops
 * looking for a while (off), the lookups and stores costing more there than
 * they save.  Each thread's part of a table has its own: nothing shared. */
#define NUMBER_SLOTS 256
struct number_slot {
    uint64_t bits; /* the double's; all ones (a NaN, never kept): empty */
    uint8_t len;
    char text[23]; /* numbers of more characters are not kept */
};
struct number_memo {
    struct number_slot *slots;
    unsigned tries, hits; /* in the current trial */
    unsigned off;         /* numbers left to format without looking */
};

/* A table's file and the order its rows reach it in.  Rows are made in
 * chunks (about a megabyte), numbered in file order; a finished chunk goes
 * to the file at once when it is the one the file needs next, else waits
 * here for those before it.  One thread writes a table by itself, its
 * chunks cut by size; or several share it (table_share), each taking
 * chunks of units in turn (table_unit), so that both cores work on one
 * large table to its end.  With --gzip each chunk is deflated by the
 * thread that made it into one gzip member (RFC 1952 allows a file of
 * several; gzip -d, zlib, R, Python, DuckDB read them as one stream). */
/* Chunks a thread may run ahead of the file: about 30 MB, enough to ride
 * out the other thread's time off the CPU on a busy machine (8 were not:
 * waits of 0.2-0.8 s a table under load 3-5). */
#define TABLE_WINDOW 32
struct table_sink {
    pthread_mutex_t lock;
    pthread_cond_t moved; /* next_write moved on, or the table was given up */
    struct atomic_file file;
    char *header;
    char *open_error;    /* the first table_open failed: why */
    bool opened, failed; /* failed: a writer gave up, the others stop */
    bool writing;        /* a thread is writing chunks to the file */
    size_t unit_chunk;   /* units per chunk (table_unit); 0: one thread, cut by size */
    size_t next_claim;   /* the next chunk number to hand out */
    size_t next_write;   /* the chunk the file needs next */
    size_t parts_left;   /* threads still writing the table */
    size_t unsynced;     /* bytes written since its writing to disk was last started */
    unsigned long long written; /* bytes handed to the file */
    struct buf ready[TABLE_WINDOW]; /* finished chunks, at number % TABLE_WINDOW */
    bool is_ready[TABLE_WINDOW];
    /* buffers of chunks written, emptied for the next: as many as were
     * ever in flight at once, not one per slot */
    struct buf *spare;
    size_t n_spare, spare_cap;
};

/* One thread's part of a table: the rows it makes and how it makes them. */
struct table {
    struct table_sink *sink; /* &own, or one shared with other threads */
    struct table_sink own;
    struct buf line;   /* the current chunk's rows, the current row last;
                        * NUL-terminated only at a row's end */
    size_t chunk;      /* its number, or the number claimed next */
    bool in_chunk;     /* false: no chunk of this thread's is open */
    size_t unit;       /* table_unit: units seen */
    size_t claim_begin, claim_end; /* the units of the chunk claimed */
    struct buf packed; /* --gzip: the chunk deflated */
    struct packer *compressor; /* --gzip: this thread's */
    size_t n_columns;
    size_t column;            /* fields written on the current line */
    struct column_memo *memo; /* per column */
    struct number_memo *numbers; /* per column, table_num's */
    struct name_cache names;
};

/* Open DIR/NAME and write the header (comma-separated column names).  After
 * tables_use_gzip(true), DIR/NAME.gz, gzip-compressed.  t is zeroed (a
 * table of one thread) or given its sink by table_share; the first thread
 * of a shared table opens the file, the others take it. */
bool table_open(struct table *t, const char *dir, const char *name, const char *header,
                struct buf *err);
/* Every table opened from now on is gzip-compressed (--gzip); set before
 * the writing threads start. */
void tables_use_gzip(bool on);
void table_str(struct table *t, const char *s);
/* Like table_str for a string that stays at its address, unchanged, until
 * the table is finished (the model's names, string literals): its CSV form
 * is made once and found again by address, without reading the string.
 * Never for a buffer that is reused for other text. */
void table_name(struct table *t, const char *name);
void table_num(struct table *t, double v); /* blank for NaN */
void table_int(struct table *t, double v); /* whole numbers, blank for NaN */
/* A count: whole, or fractional when it came from a published rate x base. */
void table_count(struct table *t, double v);
void table_blank(struct table *t);
/* Consecutive fields of a row, made once and written many times with one
 * copy (table_put): a table's run of constant columns, a cell's names that
 * repeat down its item rows, an item's own columns.  The text is each field
 * after its comma (",a,b"), escaped as table_str escapes; written as a row's
 * first field it loses its comma.  Owned by its maker; read-only while
 * written, so threads may share one. */
struct table_fields {
    struct buf text;
    size_t n_fields;
};
void table_fields_init(struct table_fields *f);
void table_fields_clear(struct table_fields *f);
void table_fields_release(struct table_fields *f);
void table_fields_str(struct table_fields *f, const char *s); /* as table_str */
void table_fields_blank(struct table_fields *f);             /* as table_blank */
void table_fields_int(struct table_fields *f, double v);     /* as table_int */
void table_fields_num(struct table_fields *f, double v);     /* as table_num */
/* table_put copies this many bytes at once when a run of fields is no
 * longer (two instructions, where memcpy of a variable length is a call):
 * each run keeps as many zeroed bytes after its text. */
#define TABLE_FIELDS_COPY 32
/* Append len bytes of text to line, where text is followed by at least
 * TABLE_FIELDS_COPY readable bytes (zeroed slack): a short text goes as one
 * fixed-size copy, the line's end moved by len only. */
static inline void table_append_padded(struct buf *line, const char *text, size_t len)
{
    if (line->len + TABLE_FIELDS_COPY + len + 1 > line->cap)
        buf_reserve(line, TABLE_FIELDS_COPY + len);
    if (len <= TABLE_FIELDS_COPY)
        memcpy(line->data + line->len, text, TABLE_FIELDS_COPY);
    else
        memcpy(line->data + line->len, text, len);
    line->len += len; /* NUL-terminated by the next field or the row's end */
}
/* The fields of f, as the calls that made them would have written them.
 * Inline: a national year's tables are some 50 million runs. */
static inline void table_put(struct table *t, const struct table_fields *f)
{
    if (!f->n_fields)
        return;
    size_t first = t->column == 0; /* a row's first field: without the comma */
    t->column += f->n_fields;
    table_append_padded(&t->line, f->text.data + first, f->text.len - first);
}
/* A memo of runs of fields by a 64-bit key that decides them: a
 * proportion's counts decide its n, positive, estimate and interval, and
 * in a national year one row in two has counts met a few thousand rows
 * before (small units and groups).  Direct-mapped, allocated at the first
 * keep; each thread's part of a table has its own (nothing shared).  Runs
 * of more than TABLE_SPAN_TEXT bytes are not kept; TABLE_SPAN_NO_KEY is
 * never kept. */
#define TABLE_SPAN_SLOTS 4096
#define TABLE_SPAN_TEXT 119
#define TABLE_SPAN_NO_KEY UINT64_MAX
struct table_span_slot {
    uint64_t key; /* TABLE_SPAN_NO_KEY: empty */
    uint8_t len;
    char text[TABLE_SPAN_TEXT];
};
struct table_span_memo {
    struct table_span_slot *slots;
};
void table_span_release(struct table_span_memo *m);
/* The key of a pair of counts (a cell's n and positive, which decide its
 * estimate and interval): both whole numbers below 2^31, else
 * TABLE_SPAN_NO_KEY (effective bases with a design effect need not be
 * whole). */
uint64_t table_counts_key(double n, double positive);
/* If m holds key's run of n_fields fields: write it (as the calls that
 * made it wrote it) and return true.  Not for a row's first field. */
bool table_span_find(struct table *t, const struct table_span_memo *m, uint64_t key,
                     size_t n_fields);
/* Keep in m, under key, what was written to the current row since its
 * line held from bytes (the fields after a row's first field). */
void table_span_keep(struct table *t, struct table_span_memo *m, uint64_t key, size_t from);
void table_end_row(struct table *t);
/* Done writing: the file, still under its temporary name, its writing to
 * disk started, for the caller to commit (atomic_commit_all, with the other
 * tables) or abort (atomic_abort). */
struct atomic_file *table_finish(struct table *t);

/* A table written by `parts` threads at once, each running the table's
 * writer with its own struct table (table_share) over the same units in
 * the same order; every row belongs to a unit (table_unit), and
 * unit_chunk units make a chunk. */
void table_sink_init(struct table_sink *s, size_t parts, size_t unit_chunk);
/* Before the writer runs: t is this thread's part of s. */
void table_share(struct table *t, struct table_sink *s);
/* The next unit of the writer's loop: true when this thread writes its
 * rows, false when another thread does (skip it, computing nothing).
 * Always true for a table of one thread. */
bool table_unit(struct table *t);
/* This thread's part is over: ok is its writer's result.  The last part
 * out finishes the file (its writing to disk started) when every part
 * succeeded. */
void table_done(struct table *t, bool ok);
/* After every part is done: the file to commit, or NULL when a part failed
 * (the file, if opened, then removed). */
struct atomic_file *table_sink_result(struct table_sink *s);
void table_sink_release(struct table_sink *s);

#endif
