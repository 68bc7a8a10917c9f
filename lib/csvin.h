/* CSV records from a file, gzip file or stdin, parsed by libcsv.
 *
 * Each record carries the physical line where it started (quoted fields can
 * span lines; libcsv reports byte offsets only, so lines are counted from the
 * callbacks).  A UTF-8 byte order mark is skipped; UTF-16 input is refused.
 * Blank lines are skipped.
 *
 * Most exports are regular RFC 4180 CSV, so records are first cut by a fast
 * scanner (SSE2 where available) that hands out fields in place; the first
 * record it does not fully understand (a stray quote, a space libcsv would
 * trim, a lone CR, a very long record, the end of the file without a line
 * break) sends that record and the rest of the file to libcsv, the reference.
 * Both give the same records, lines and flags: tests/unit/test_csvin.c and
 * the differential fuzz target compare them.  Structural problems that stop the file (I/O,
 * gzip, UTF-16, a field over the size cap, an unterminated quote) end the read
 * with a status; problems inside a record (field count, encoding) are for the
 * caller to judge. */
#ifndef CANDOUR_CSVIN_H
#define CANDOUR_CSVIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

#define CSVIN_FIELD_MAX (1u << 20)   /* 1 MiB: cap on one field */
#define CSVIN_RECORD_MAX (16u << 20) /* 16 MiB: cap on one record */
#define CSVIN_FIELDS_MAX 10000u      /* cap on fields in one record */

enum csvin_status {
    CSVIN_OK,
    CSVIN_ESOURCE, /* open, read or gzip error: see source_strerror */
    CSVIN_EUTF16,
    CSVIN_EFIELD_BIG,
    CSVIN_ERECORD_BIG,
    CSVIN_ETOO_MANY_FIELDS,
    CSVIN_EQUOTE, /* a quoted field runs to the end of the file */
    CSVIN_ENOMEM,
    CSVIN_ESTOPPED, /* the record callback asked to stop */
};

struct csvin_record {
    size_t n_fields;
    const char *const *field; /* not NUL-terminated: use len */
    const size_t *len;
    unsigned long line; /* 1-based line where the record started */
    bool plain;         /* every byte is printable ASCII (0x20-0x7E): no
                           line break, NUL or non-ASCII to check */
    bool ascii;         /* every byte is 0x01-0x7F: no NUL and nothing but
                           ASCII (line breaks and other controls may be
                           there), so every field is valid UTF-8 */
};

struct csvin;
struct batch;
struct csvin_pipe;

/* Process-wide switch for the fast scanner (on by default); off makes
 * libcsv parse everything, which the differential tests compare against. */
void csvin_set_fast_path(bool on);

/* Process-wide test knobs for the differential tests and fuzzing (0, 0 is
 * production): feed each chunk read to the parsers in pieces of `piece`
 * bytes, and hand a record longer than `window_max` bytes to libcsv instead
 * of the scanner's 1 MiB.  Records, lines and errors must not change. */
void csvin_set_test_sizes(size_t piece, size_t window_max);

/* Called for each non-blank record; return 0 to go on, non-zero to stop. */
typedef int (*csvin_record_fn)(void *ctx, const struct csvin_record *rec, struct csvin *in);

/* A raw-record filter (csvin_read_filtered), for a reader that wants a few
 * records of a large file: called on the reading thread, so that a record
 * skipped costs a scan for its line break and no field splitting.  It is
 * offered each record that the fast scanner sees as one line holding no
 * quote and no CR (but a final one before the LF), at most CSVIN_FIELD_MAX
 * bytes and CSVIN_FIELDS_MAX fields: its bytes without the line break, so
 * its fields are exactly the bytes between commas, as libcsv would give them
 * unless one starts or ends with a space or tab (libcsv trims those: a
 * filter must not skip a record on such a field).  index counts the records
 * before it (0: the first, usually a header).  Returning true skips the
 * record: fn never sees it, and it still counts in the line numbers.
 * Records not offered (quoted fields, records after an irregular one, which
 * go to libcsv) always reach fn, so fn must apply the same choice. */
typedef bool (*csvin_skip_fn)(void *ctx, const char *line, size_t len, size_t n_fields,
                              unsigned long index);

struct csvin {
    struct source src;
    enum csvin_status status;
    unsigned long line;       /* current physical line */
    unsigned long error_line; /* line of the record that hit a cap or an open quote */
    const char *utf16;        /* CSVIN_EUTF16: the encoding to give iconv */
    uint64_t progress_bytes;  /* source bytes read so far (for a progress line) */
    /* private: the reading thread's */
    struct csv_parser *parser;
    char *arena; /* libcsv's fields of the current record */
    size_t arena_len, arena_cap;
    size_t *offsets, *lens;
    const char **fields;
    size_t n_fields, fields_cap;
    unsigned long newlines_in_record;
    bool record_plain, record_ascii;
    bool fast;           /* still on the fast scanner */
    size_t window_len;   /* fast scanner: bytes in the batch's window */
    struct batch *batch; /* records being cut */
    int prev_terminator;
    int at_start;
    int stop;
    csvin_skip_fn skip; /* csvin_read_filtered */
    void *skip_ctx;
    unsigned long records_cut; /* records the fast scanner cut or skipped */
    /* private: the caller's thread */
    csvin_record_fn fn;
    void *ctx;
    struct csvin_pipe *pipe;
};

/* Read every record of path ("-" for stdin), calling fn for each.  Returns
 * CSVIN_OK at a clean end.  in stays valid for source statistics (raw size,
 * CRC) until csvin_close. */
enum csvin_status csvin_read(struct csvin *in, const char *path, csvin_record_fn fn, void *ctx);
/* csvin_read with a raw-record filter (csvin_skip_fn; NULL: none). */
enum csvin_status csvin_read_filtered(struct csvin *in, const char *path, csvin_skip_fn skip,
                                      void *skip_ctx, csvin_record_fn fn, void *ctx);
void csvin_close(struct csvin *in);
/* Message for in->status (no file name or line). */
const char *csvin_strerror(const struct csvin *in);

#endif
