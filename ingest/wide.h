/* The file's columns as ingest reads them, when the schema reshapes them:
 * a wide layout (columns whose schema header holds {period}: one file row
 * holds one organisation's figures for several periods, the period written
 * in each column name) and the schema's ignore-columns pattern (columns
 * read past by name).  Each file row becomes one row per period, laid out
 * as if the file had a period column; messages and rejects still cite the
 * file's own columns. */
#ifndef CANDOUR_INGEST_WIDE_H
#define CANDOUR_INGEST_WIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "csvin.h"
#include "period.h"
#include "schema.h"
#include "util.h"

struct wide_layout {
    bool active;          /* the schema reshapes the file's columns */
    size_t n_file_fields; /* fields of the file's header */
    size_t n_fields;      /* fields of each row as read */
    size_t n_fixed;       /* file fields read as they are, first */
    size_t *fixed;        /* their file fields */
    size_t n_ignored;     /* file fields matching ignore-columns */
    size_t *ignored;
    size_t n_templates;      /* schema columns with {period} the header holds */
    size_t *template_column; /* their schema columns */
    bool *role_is_figure;    /* per template: a base or rate (not a design effect) */
    size_t n_periods;        /* periods named in the header, in order of first use */
    char (*period)[PERIOD_TEXT_MAX];
    size_t *cell;        /* [period * n_templates + t]: file field, or SCHEMA_NONE */
    char **name;         /* the header as read (owned) */
    size_t *file_column; /* per field as read: the file's column (1-based), 0: the period */
    const char **field;  /* scratch: one row as read */
    size_t *len;
};

/* Is the layout of files read with schema s reshaped (wide or ignore-columns)? */
bool wide_wanted(const struct schema *s);

/* Read the file's header rec into w and out (the header as read, valid
 * until wide_release).  False with a message in err, and *column the
 * file's column it is about (0 for none), when two columns give the same
 * figure for one period. */
bool wide_header(struct wide_layout *w, const struct schema *s, const struct csvin_record *rec,
                 struct csvin_record *out, struct buf *err, size_t *column);

/* Row rec (of n_file_fields fields) for period k as read, into out (valid
 * until the next call).  False when none of that period's columns holds a
 * value (the org has no figures for it). */
bool wide_row(struct wide_layout *w, const struct csvin_record *rec, size_t k,
              struct csvin_record *out);

void wide_release(struct wide_layout *w);

#endif
