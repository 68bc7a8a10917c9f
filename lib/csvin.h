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

#define CSVIN_FIELD_MAX (1u << 20)      /* 1 MiB: cap on one field */
#define CSVIN_RECORD_MAX (16u << 20)    /* 16 MiB: cap on one record */
#define CSVIN_FIELDS_MAX 10000u         /* cap on fields in one record */

enum csvin_status {
    CSVIN_OK,
    CSVIN_ESOURCE,     /* open, read or gzip error: see source_strerror */
    CSVIN_EUTF16,
    CSVIN_EFIELD_BIG,
    CSVIN_ERECORD_BIG,
    CSVIN_ETOO_MANY_FIELDS,
    CSVIN_EQUOTE,      /* a quoted field runs to the end of the file */
    CSVIN_ENOMEM,
    CSVIN_ESTOPPED,    /* the record callback asked to stop */
};

struct csvin_record {
    size_t n_fields;
    const char *const *field; /* not NUL-terminated: use len */
    const size_t *len;
    unsigned long line;       /* 1-based line where the record started */
    bool plain;               /* every byte is printable ASCII (0x20-0x7E): no
                                 line break, NUL or non-ASCII to check */
};

struct csvin;

/* Process-wide switch for the fast scanner (on by default); off makes
 * libcsv parse everything, which the differential tests compare against. */
void csvin_set_fast_path(bool on);

/* Called for each non-blank record; return 0 to go on, non-zero to stop. */
typedef int (*csvin_record_fn)(void *ctx, const struct csvin_record *rec, struct csvin *in);

struct csvin {
    struct source src;
    enum csvin_status status;
    unsigned long line;       /* current physical line */
    unsigned long error_line; /* line of the record that hit a cap or an open quote */
    const char *utf16;        /* CSVIN_EUTF16: the encoding to give iconv */
    /* private */
    struct csv_parser *parser;
    csvin_record_fn fn;
    void *ctx;
    char *arena;
    size_t arena_len, arena_cap;
    size_t *offsets, *lens;
    const char **fields;
    size_t n_fields, fields_cap;
    unsigned long newlines_in_record;
    bool record_plain;
    bool fast;                /* still on the fast scanner */
    unsigned char *window;    /* fast scanner: unparsed bytes (+ 16 of slack) */
    size_t window_len, window_cap;
    char *unescaped;          /* fast scanner: quoted fields with "" undoubled */
    size_t unescaped_cap;
    int prev_terminator;
    int at_start;
    int stop;
};

/* Read every record of path ("-" for stdin), calling fn for each.  Returns
 * CSVIN_OK at a clean end.  in stays valid for source statistics (raw size,
 * CRC) until csvin_close. */
enum csvin_status csvin_read(struct csvin *in, const char *path, csvin_record_fn fn, void *ctx);
void csvin_close(struct csvin *in);
/* Message for in->status (no file name or line). */
const char *csvin_strerror(const struct csvin *in);

#endif
