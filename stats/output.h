/* Tidy CSV tables written atomically into the output directory, with numbers
 * at full precision (%.15g: at least 10 significant digits) and text made
 * safe for spreadsheets. */
#ifndef CANDOUR_STATS_OUTPUT_H
#define CANDOUR_STATS_OUTPUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

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
 * arena. */
struct name_slot {
    const char *name; /* NULL: empty slot */
    size_t field_at, field_len;
};
struct name_cache {
    struct name_slot *slots;
    size_t n_slots, used;
    struct buf fields;
};

/* --gzip: a table's rows deflated on a thread of its own, a block at a
 * time, while the writing thread makes the next block.  Each block becomes
 * one gzip member (RFC 1952 allows a file of several; gzip -d, zlib, R,
 * Python, DuckDB read them as one stream). */
struct table_gzip {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct buf block;  /* handed over, being deflated; empty when the thread is idle */
    struct buf packed; /* the deflated block */
    bool busy, done;
    struct libdeflate_compressor *compressor;
};

struct table {
    struct atomic_file file;
    struct table_gzip *gzip; /* NULL: plain CSV */
    struct buf line;         /* rows not yet handed to the file, the current one last */
    size_t n_columns;
    size_t column;            /* fields written on the current line */
    struct column_memo *memo; /* per column */
    struct name_cache names;
};

/* Open DIR/NAME and write the header (comma-separated column names).  After
 * tables_use_gzip(true), DIR/NAME.gz, gzip-compressed. */
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
void table_end_row(struct table *t);
void table_abort(struct table *t);
/* Done writing: the file, still under its temporary name, its writing to
 * disk started, for the caller to commit (atomic_commit_all, with the other
 * tables) or abort (atomic_abort). */
struct atomic_file *table_finish(struct table *t);

#endif
