/* The candour dataset file: what ingest writes and stats reads.
 *
 * Columnar, in blocks of up to DATASET_BLOCK_ROWS rows; each column of each
 * block is one zlib-compressed chunk with its own CRC-32, so a reader
 * decompresses only the columns it needs.  Strings are dictionary-encoded;
 * survey answers are one byte.  The metadata (schema text and checksum,
 * inputs with size and CRC-32, columns, dictionaries, chunk directory) sits at
 * the end, located by a fixed trailer, so the writer streams blocks without
 * holding them.  Layout, byte by byte: docs/dataset-format.md. */
#ifndef CANDOUR_DATASET_H
#define CANDOUR_DATASET_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atomic.h"
#include "util.h"

/* Version 2 added the rejected rows of aggregated inputs (struct
 * ds_rejected); version 1 datasets are still read, with none recorded. */
#define DATASET_FORMAT_VERSION 2
#define DATASET_FORMAT_OLDEST 1
#define DATASET_BLOCK_ROWS 65536u
#define DATASET_MAX_COLUMNS 4096u
/* The group a blank demographic answer is stored as (unless the schema's
 * recode maps blank elsewhere): part of the format, not a name the data
 * chose (schemas/README.md). */
#define DATASET_BLANK_GROUP "Unknown"
/* Name of an org-results design-effect column that serves every rate of its
 * row (no name= in the schema); item ids never hold a `*`. */
#define DATASET_EVERY_ITEM "*"

/* Value types.  Code 0 of a DS_STR column is the empty (missing) string;
 * DS_I64 uses DS_I64_MISSING, DS_F64 uses NaN. */
enum ds_type { DS_U8 = 1, DS_STR = 2, DS_I64 = 3, DS_F64 = 4 };
#define DS_I64_MISSING INT64_MIN

struct ds_column {
    char *name;
    uint8_t role;        /* enum column_role of the schema */
    uint8_t type;        /* enum ds_type */
    struct strdict dict; /* DS_STR only */
    uint32_t last_code;  /* writer: code and length of the previous value (runs repeat) */
    size_t last_len;
};

struct ds_input {
    char *name;
    uint64_t size;
    uint32_t crc32;
    uint64_t rows_read;
    uint64_t rows_accepted;
};

/* Rows of one input that candour-ingest --rejects set aside, by the org and
 * period they name (aggregated kinds only: org-results, counts, wres-hr;
 * respondent rows are not recorded).  period (canonical) or org is "" when
 * the row's own value could not be read; rows counts the rows of that key.
 * Stats marks every figure such rows would have fed as incomplete. */
struct ds_rejected {
    uint32_t input; /* index into the dataset's inputs */
    char *period;
    char *org;
    uint64_t rows;
};

struct ds_chunk {
    uint64_t offset;
    uint32_t comp_len;
    uint32_t raw_len;
    uint32_t crc32;
};

struct ds_block {
    uint32_t n_rows;
    struct ds_chunk *chunks; /* one per column */
};

/* ---- writing ---- */

struct libdeflate_compressor;

struct dataset_writer {
    struct atomic_file out;
    uint64_t offset;
    uint32_t kind;
    uint32_t schema_checksum;
    char *schema_name;
    char *schema_text;
    struct ds_column *columns;
    size_t n_columns;
    struct buf *pending; /* per column: values of the open block */
    uint32_t pending_rows;
    struct ds_block *blocks;
    size_t n_blocks, blocks_cap;
    uint64_t total_rows;
    struct ds_input *inputs;
    size_t n_inputs;
    struct strdict rejected_keys; /* "input\x1fperiod\x1forg": index into rejected */
    struct ds_rejected *rejected;
    size_t n_rejected, rejected_cap;
    unsigned char *zbuf;
    size_t zbuf_cap;
    struct libdeflate_compressor *compressor; /* used by one thread at a time */
    bool failed;
    /* A full block is compressed and written by a thread of its own while
     * the caller fills the next one (pending and spare swap): one block in
     * flight at most. */
    struct buf *spare;
    uint32_t flush_rows;
    bool flushing, flush_threaded, flush_ok;
    struct buf flush_err;
    pthread_t flusher;
};

bool dataset_writer_open(struct dataset_writer *w, const char *path, uint32_t kind,
                         uint32_t schema_checksum, const char *schema_name, const char *schema_text,
                         struct buf *err);
size_t dataset_writer_add_column(struct dataset_writer *w, const char *name, uint8_t role,
                                 uint8_t type);
void dataset_writer_add_input(struct dataset_writer *w, const struct ds_input *input);
/* One rejected row of the input that will be added next (index n_inputs),
 * naming period and org ("" when unreadable): counted by its key. */
void dataset_writer_add_rejected(struct dataset_writer *w, const char *period, const char *org);
/* One value per column per row, then dataset_writer_end_row. */
void dw_put_u8_grow(struct dataset_writer *w, size_t col, uint8_t v);
/* Inline: ingest puts one answer byte per item per row. */
static inline void dw_put_u8(struct dataset_writer *w, size_t col, uint8_t v)
{
    struct buf *b = &w->pending[col];
    if (b->len < b->cap)
        b->data[b->len++] = (char)v;
    else
        dw_put_u8_grow(w, col, v);
}
void dw_put_str(struct dataset_writer *w, size_t col, const char *s, size_t len);
/* A string's code in column col, added to its dictionary when new; then
 * dw_put_code puts it as dw_put_str would have put the string. */
uint32_t dw_intern_str(struct dataset_writer *w, size_t col, const char *s, size_t len);
void dw_put_code(struct dataset_writer *w, size_t col, uint32_t code);
void dw_put_i64(struct dataset_writer *w, size_t col, int64_t v);
void dw_put_f64(struct dataset_writer *w, size_t col, double v);
bool dataset_writer_end_row(struct dataset_writer *w, struct buf *err);
/* Write metadata and trailer, then rename into place.  Frees the writer. */
bool dataset_writer_finish(struct dataset_writer *w, struct buf *err);
/* The same, committing the files also[0..n_also) in one set with the dataset
 * (atomic_commit_all): all are replaced or none.  Takes them over: each is
 * committed or aborted. */
bool dataset_writer_finish_with(struct dataset_writer *w, struct atomic_file *const *also,
                                size_t n_also, struct buf *err);
void dataset_writer_abort(struct dataset_writer *w);

/* ---- reading ---- */

struct dataset {
    char *path;
    int fd;
    uint64_t file_size;
    uint32_t format_version;
    uint32_t kind;
    uint32_t schema_checksum;
    char *schema_name;
    char *schema_text;
    char *created_by;
    uint64_t total_rows;
    struct ds_column *columns;
    size_t n_columns;
    struct ds_input *inputs;
    size_t n_inputs;
    struct ds_rejected *rejected; /* none in a version 1 dataset */
    size_t n_rejected;
    struct ds_block *blocks;
    size_t n_blocks;
};

enum ds_open_error { DS_OPEN_EIO = 1, DS_OPEN_EFORMAT };

/* The journal of a dataset committed together with other files
 * (candour-ingest's rejects file): ".NAME.replacing" beside it, present only
 * while the set is renamed into place.  If SIGKILL or a crash stops the
 * renames it stays, and dataset_load refuses the dataset: it may not match
 * the rejects file beside it.  Caller frees. */
char *dataset_journal_path(const char *path);

/* Open and verify the header, trailer and metadata.  NULL with a message in
 * err ("path: what is wrong") when the file cannot be read or is not a valid
 * dataset; *why (when not NULL) tells which. */
struct dataset *dataset_load(const char *path, struct buf *err, enum ds_open_error *why);
struct dataset *dataset_open(const char *path, struct buf *err);
void dataset_close(struct dataset *ds);
/* Decompress column col of block b into out (n_rows values of the column's
 * type; caller provides DATASET_BLOCK_ROWS * 8 bytes at most) after checking
 * its CRC and length.  String codes are checked against the dictionary. */
bool dataset_read_chunk(const struct dataset *ds, size_t b, size_t col, void *out, struct buf *err);
/* Index of the first column with this role (and name, unless NULL), or
 * (size_t)-1. */
size_t dataset_find_column(const struct dataset *ds, uint8_t role, const char *name);
size_t ds_type_size(uint8_t type);

#endif
