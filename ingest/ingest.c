/* The ingest pipeline: header check, row decoding, rejects and the dataset.
 *
 * Each input is streamed through csvin (libcsv).  The header is matched to
 * the schema (fail closed: every column must be described).  Because
 * question codes change between survey years, the meaning of a column can
 * depend on the row's period; a layout (field -> schema column) is resolved
 * once per period per file.  A row is decoded completely before anything is
 * written, so a bad row is rejected whole. */
#include "ingest.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomic.h"
#include "cli.h"
#include "csvin.h"
#include "csvout.h"
#include "dataset.h"
#include "idset.h"
#include "lock.h"
#include "period.h"
#include "schema.h"
#include "text.h"
#include "util.h"
#include "wide.h"

#define NONE SCHEMA_NONE

struct row_value {
    const char *s;
    size_t len;
    /* s's code in its dataset column, cached by the owner of s (a memoised
     * demographic's group, a unit's spelling): DS_CODE_UNSET until the
     * first row that emits it; NULL when s has no such owner.  Valid for the
     * row: only this column's next value can grow the owner's array. */
    uint32_t *ds_code;
    int64_t i64;
    double f64;
    size_t field; /* the file's column it came from, for messages */
    bool set;
};

/* What to do with one field of a layout's rows, looked up once per field:
 * an answer goes straight to its dataset column when its spelling is known
 * (decode_answer_fast), anything else through decode_field. */
struct field_plan {
    size_t column; /* schema column, or NONE: not part of this layout */
    size_t ds;     /* its dataset column (NONE when dropped) */
    size_t scale;  /* an item's scale for the fast path, or NONE */
};

struct layout {
    long ordinal;
    char text[PERIOD_TEXT_MAX]; /* the period, canonical */
    size_t *column_of_field;    /* schema column for each header field, or NONE */
    struct field_plan *plan;    /* per header field */
    size_t id_field;            /* the field of the respondent id, or NONE */
    char *missing;              /* with --rejects: why its rows are set aside (the header lacks a
                                   column the period needs), NULL when the layout is whole */
};

/* Demographic answers seen so far and their groups: a column has few
 * distinct values, so each is matched against the scale and recode once. */
#define DEMOGRAPHIC_MEMO_MAX 4096

#define MEMO_SHORT_LEN 32  /* spellings up to this long ... */
#define MEMO_SHORT_MAX 255 /* ... among the first these many are found without hashing */
#define DS_CODE_UNSET UINT32_MAX

struct memo_group {
    const char *name;
    size_t len;
    uint32_t ds_code; /* its code in the dataset column once emitted, else DS_CODE_UNSET */
};

struct demographic_memo {
    struct strdict seen;      /* raw answers */
    struct memo_group *group; /* group of each */
    size_t cap;
    const char *last; /* the previous row's answer, when memoised */
    size_t last_len, last_code;
    /* short spellings by length: index + 1 of the first, then of the next */
    unsigned char first[MEMO_SHORT_LEN + 1];
    unsigned char next[MEMO_SHORT_MAX];
};

/* The previous row's raw value of a column and what it decoded to: exports
 * come sorted by period and org, so these values repeat the row before. */
struct value_cache {
    struct buf raw;
    const char *decoded;
    bool valid;
};

/* Answers written as labels ("Strongly agree") would be trimmed, folded and
 * compared with every entry of the scale on every row; a file spells each
 * answer the same way throughout, so the first few spellings seen are kept
 * verbatim with their entry and matched by length and bytes. */
#define VERBATIM_MAX 16
#define VERBATIM_LEN 32
struct verbatim_memo {
    size_t n;
    struct {
        size_t len, entry;
        unsigned char next; /* index + 1 of the next spelling of this length */
        char s[VERBATIM_LEN];
    } v[VERBATIM_MAX];
    unsigned char first[VERBATIM_LEN + 1]; /* by length: index + 1 of the first */
};

struct unit_names {
    struct strdict keys;
    char **spelling;
    size_t cap;
    struct buf last_raw; /* the previous row's field and its code: rows come sorted */
    int64_t last_code;
    /* fields as written, up to UNIT_RAW_MAX of them, and the unit of each:
     * a unit seen before costs one lookup, not a fold and two (national
     * files interleave units row by row) */
    struct strdict raw;
    size_t *unit_of_raw, raw_cap;
    uint32_t *ds_code; /* per unit: its spelling's dataset code, or DS_CODE_UNSET */
    size_t ds_code_cap;
};

#define UNIT_RAW_MAX 65536

struct ingest {
    const struct ingest_options *opt;
    const struct schema *schema;
    struct schema *own_schema; /* loaded from opt->schema_path: freed at the end */
    struct dataset_writer writer;
    bool writer_open;
    size_t *ds_of_column; /* schema column -> dataset column, NONE when dropped */
    struct row_value *row;
    size_t n_ds;
    bool has_range_checks;    /* a positive, events or base column: check_ranges has work */
    size_t *u8_columns, n_u8; /* dataset columns by type, for emit_row */
    /* the row's answer codes by dataset column (0: blank or absent), kept
     * apart from row: clearing and reading 130 bytes per row, not 130
     * row_values (a cache line each); row[d] of a DS_U8 column is unused */
    uint8_t *answer;
    size_t *other_columns, n_other;
    /* the file being read */
    const char *file;
    bool have_header;
    unsigned lines_skipped; /* schema skip-lines read past so far */
    char **header_join;     /* header-rows > 1: the names so far, per field */
    size_t header_join_n;
    unsigned header_rows_read;
    size_t n_fields;
    char **header;       /* names as in the file */
    size_t **candidates; /* per field: schema columns with that header */
    size_t *n_candidates;
    size_t period_field, org_field;
    size_t period_ds; /* dataset column of the period */
    bool fixed;       /* --period: every row's period is fixed_period */
    struct period fixed_period;
    struct layout *layouts;
    size_t n_layouts;
    uint64_t file_rows_read, file_rows_accepted;
    /* totals */
    uint64_t rows_read, rows_accepted, rows_rejected;
    unsigned long messages;
    int status; /* exit status so far */
    bool fatal;
    struct atomic_file rejects;
    bool rejects_open;
    struct buf dropped[ROLE_COUNT_]; /* header names dropped, by role */
    struct buf key, msg, line;
    struct buf row_key, key_names; /* repeated_aggregate_row */
    struct period row_period;
    time_t last_progress;
    /* caches for values that repeat from row to row */
    struct value_cache period_cache, org_cache;
    struct period cached_period;
    struct demographic_memo *demographic_memo; /* per schema column */
    size_t (*digit_entry)[10];                 /* per scale: entry of the one-digit code */
    size_t *item_scale;                        /* per schema column: its item's scale, or NONE */
    struct verbatim_memo *verbatim;            /* per scale: answers as spelled in the file */
    /* respondents counted so far (repeated_respondent) */
    size_t id_column; /* schema column of the respondent id, or NONE */
    struct idset seen;
    uint32_t file_index; /* of the file being read, in opt->inputs */
    /* unit names by their text_fold key, per schema column: "Ward 7", "WARD 7"
     * and "Ward  7" are one unit, shown as first spelled (spelling[code]) */
    struct unit_names *unit_names;
    /* per schema column, this file's percent-scale rates: a column whose
     * values all lie in 0-1 holds fractions (check_rate_scales) */
    double *rate_max;
    uint64_t *rate_count;
    struct buf first_reject; /* this file's first reject reason, for a file all rejected */
    /* a wide layout or ignore-columns (wide.h): each file row is read as one
     * row per period; messages and rejects cite the file's own row */
    struct wide_layout wide;
    const struct csvin_record *wide_source; /* the file's row being read, else NULL */
    const char *wide_period;                /* its period being read, else NULL */
};

static bool cache_hit(const struct value_cache *c, const char *s, size_t len)
{
    return c->valid && c->raw.len == len && memcmp(c->raw.data, s, len) == 0;
}

static void cache_store(struct value_cache *c, const char *s, size_t len, const char *decoded)
{
    buf_clear(&c->raw);
    buf_append(&c->raw, s, len);
    c->decoded = decoded;
    c->valid = true;
}

/* ---- messages -------------------------------------------------------------- */

/* The file's column (1-based, 0 for none) of column `column` of the row as
 * read: they differ when the schema reshapes the file (wide.h). */
static size_t file_column(const struct ingest *ing, size_t column)
{
    if (!ing->wide.active || !column || column > ing->wide.n_fields)
        return column;
    return ing->wide.file_column[column - 1];
}

static void vreport(struct ingest *ing, unsigned long line, size_t column, const char *fmt,
                    va_list ap)
{
    text_fprintf_shown(stderr, "candour-ingest: %s", ing->file);
    if (line)
        fprintf(stderr, ":%lu", line);
    column = file_column(ing, column);
    if (line && column)
        fprintf(stderr, ":%zu", column);
    fputs(": ", stderr);
    if (ing->wide_period)
        fprintf(stderr, "period %s: ", ing->wide_period);
    text_vfprintf_shown(stderr, fmt, ap); /* header names and file names as they are: escaped */
    fputc('\n', stderr);
}

/* A problem that stops the run: bad header, unreadable file, ... */
static void fatal(struct ingest *ing, unsigned long line, size_t column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fatal(struct ingest *ing, unsigned long line, size_t column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(ing, line, column, fmt, ap);
    va_end(ap);
    ing->fatal = true;
    if (ing->status == CLI_OK)
        ing->status = CLI_EDATA;
}

static const char *quoted(struct ingest *ing, const char *s, size_t len)
{
    buf_clear(&ing->msg);
    text_quote_for_message(s, len, 60, &ing->msg);
    return ing->msg.data;
}

/* A value from a row for a message: cut at TEXT_VALUE_SHOWN characters, and
 * free text a respondent typed is described, never echoed (text_quote_value). */
static const char *quoted_value(struct ingest *ing, const char *s, size_t len)
{
    buf_clear(&ing->msg);
    text_quote_value(s, len, &ing->msg);
    return ing->msg.data;
}

/* ---- planning the dataset columns ---------------------------------------- */

static const char *fixed_column_name(enum column_role role)
{
    switch (role) {
    case ROLE_PERIOD:
        return "period";
    case ROLE_ORG:
        return "org";
    case ROLE_ORG_NAME:
        return "org_name";
    case ROLE_BGROUP:
        return "bgroup";
    case ROLE_WEIGHT:
        return "weight";
    case ROLE_ITEM_ID:
        return "item";
    case ROLE_GROUP_DIM:
        return "group_dim";
    case ROLE_GROUP:
        return "group";
    case ROLE_N:
        return "n";
    case ROLE_POSITIVE:
        return "positive";
    case ROLE_HEADCOUNT:
        return "headcount";
    case ROLE_EVENTS:
        return "events";
    default:
        return NULL;
    }
}

static uint8_t column_type(enum column_role role)
{
    switch (role) {
    case ROLE_ITEM:
        return DS_U8;
    case ROLE_WEIGHT:
    case ROLE_RATE:
    case ROLE_DESIGN_EFFECT:
        return DS_F64;
    case ROLE_BASE:
    case ROLE_N:
    case ROLE_POSITIVE:
    case ROLE_HEADCOUNT:
    case ROLE_EVENTS:
        return DS_I64;
    default:
        return DS_STR;
    }
}

static bool role_dropped(enum column_role role)
{
    return role == ROLE_IDENTIFIER || role == ROLE_FREE_TEXT || role == ROLE_IGNORE;
}

static void plan_columns(struct ingest *ing)
{
    const struct schema *s = ing->schema;
    ing->ds_of_column = xcalloc(s->n_columns, sizeof(size_t));
    for (size_t i = 0; i < s->n_columns; i++) {
        const struct schema_column *c = &s->columns[i];
        ing->ds_of_column[i] = NONE;
        if (role_dropped(c->role))
            continue;
        const char *name = fixed_column_name(c->role);
        if (!name)
            name = c->name;
        if (!name) /* a design-effect column for every rate of the row */
            name = DATASET_EVERY_ITEM;
        struct dataset_writer *w = &ing->writer;
        size_t found = NONE;
        for (size_t d = 0; d < w->n_columns; d++)
            if (w->columns[d].role == c->role && strcmp(w->columns[d].name, name) == 0)
                found = d;
        if (found == NONE)
            found = dataset_writer_add_column(w, name, (uint8_t)c->role, column_type(c->role));
        ing->ds_of_column[i] = found;
    }
    ing->period_ds = NONE;
    for (size_t i = 0; i < s->n_columns; i++)
        if (s->columns[i].role == ROLE_PERIOD)
            ing->period_ds = ing->ds_of_column[i];
    if (ing->period_ds == NONE) /* --period: the file has no period column */
        ing->period_ds = dataset_writer_add_column(&ing->writer, "period", (uint8_t)ROLE_PERIOD,
                                                   column_type(ROLE_PERIOD));
    ing->n_ds = ing->writer.n_columns;
    ing->u8_columns = xcalloc(ing->n_ds ? ing->n_ds : 1, sizeof(size_t));
    ing->other_columns = xcalloc(ing->n_ds ? ing->n_ds : 1, sizeof(size_t));
    for (size_t d = 0; d < ing->n_ds; d++) {
        uint8_t role = ing->writer.columns[d].role;
        if (role == ROLE_POSITIVE || role == ROLE_EVENTS || role == ROLE_BASE)
            ing->has_range_checks = true;
        if (ing->writer.columns[d].type == DS_U8)
            ing->u8_columns[ing->n_u8++] = d;
        else
            ing->other_columns[ing->n_other++] = d;
    }
    ing->row = xcalloc(ing->n_ds, sizeof(*ing->row));
    ing->answer = xcalloc(ing->n_ds ? ing->n_ds : 1, 1);
    ing->demographic_memo = xcalloc(s->n_columns, sizeof(*ing->demographic_memo));
    ing->digit_entry = xcalloc(s->n_scales ? s->n_scales : 1, sizeof(*ing->digit_entry));
    ing->verbatim = xcalloc(s->n_scales ? s->n_scales : 1, sizeof(*ing->verbatim));
    for (size_t k = 0; k < s->n_scales; k++)
        for (char d = '0'; d <= '9'; d++)
            ing->digit_entry[k][d - '0'] = scale_match(&s->scales[k], &d, 1, &ing->key);
    ing->unit_names = xcalloc(s->n_columns ? s->n_columns : 1, sizeof(*ing->unit_names));
    ing->rate_max = xcalloc(s->n_columns ? s->n_columns : 1, sizeof(double));
    ing->rate_count = xcalloc(s->n_columns ? s->n_columns : 1, sizeof(uint64_t));
    ing->item_scale = xcalloc(s->n_columns ? s->n_columns : 1, sizeof(size_t));
    for (size_t i = 0; i < s->n_columns; i++) {
        const struct schema_column *c = &s->columns[i];
        ing->item_scale[i] = c->role == ROLE_ITEM && ing->ds_of_column[i] != NONE &&
                                     s->items[c->item].scale != SCHEMA_NONE
                                 ? s->items[c->item].scale
                                 : NONE;
    }
}

/* ---- the header ------------------------------------------------------------ */

static void free_file_state(struct ingest *ing)
{
    for (size_t j = 0; j < ing->n_fields; j++) {
        free(ing->header[j]);
        free(ing->candidates[j]);
    }
    free(ing->header);
    free(ing->candidates);
    free(ing->n_candidates);
    for (size_t l = 0; l < ing->n_layouts; l++) {
        free(ing->layouts[l].column_of_field);
        free(ing->layouts[l].plan);
        free(ing->layouts[l].missing);
    }
    free(ing->layouts);
    ing->header = NULL;
    ing->candidates = NULL;
    ing->n_candidates = NULL;
    ing->layouts = NULL;
    ing->n_layouts = 0;
    ing->n_fields = 0;
    ing->have_header = false;
    ing->lines_skipped = 0;
    for (size_t j = 0; j < ing->header_join_n; j++)
        free(ing->header_join[j]);
    free(ing->header_join);
    ing->header_join = NULL;
    ing->header_join_n = 0;
    ing->header_rows_read = 0;
    wide_release(&ing->wide);
}

static void note_dropped(struct ingest *ing, enum column_role role, const char *name)
{
    struct buf *b = &ing->dropped[role];
    /* names are few; a linear check keeps the list unique */
    size_t n = strlen(name);
    for (const char *p = b->data; p && *p;) {
        const char *end = strchr(p, '\n');
        if ((size_t)(end - p) == n && strncmp(p, name, n) == 0)
            return;
        p = end + 1;
    }
    buf_puts(b, name);
    buf_putc(b, '\n');
}

/* The first invisible or space-like character that is not a plain space in
 * s (a no-break space pasted into a header, a zero-width space, a BOM in
 * the middle of a line), as its code point, or 0.  s is valid UTF-8. */
static unsigned long invisible_character(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        unsigned long cp;
        if (u[i] == 0xC2 && i + 1 < len)
            cp = u[i + 1];
        else if (u[i] == 0xE2 && i + 2 < len)
            cp = 0x2000 | ((unsigned long)(u[i + 1] & 0x3F) << 6) | (u[i + 2] & 0x3F);
        else if (u[i] == 0xE3 && i + 2 < len && u[i + 1] == 0x80 && u[i + 2] == 0x80)
            cp = 0x3000;
        else if (u[i] == 0xEF && i + 2 < len && u[i + 1] == 0xBB && u[i + 2] == 0xBF)
            cp = 0xFEFF;
        else
            continue;
        if (cp == 0xA0 || cp == 0xAD || (cp >= 0x2000 && cp <= 0x200F) ||
            (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x206F) || cp == 0x3000 ||
            cp == 0xFEFF)
            return cp;
    }
    return 0;
}

/* A header that names no schema column at all is not a header with a few
 * wrong names: say what it more likely is (a semicolon-delimited export, or
 * a title line above the real header) in one message instead of one per
 * column.  True when it reported. */
static bool header_unrecognised(struct ingest *ing, const struct csvin_record *rec)
{
    if (ing->fatal) /* a name that is not text at all: already said */
        return false;
    for (size_t j = 0; j < rec->n_fields; j++)
        if (ing->n_candidates[j])
            return false;
    bool semicolons = false;
    for (size_t j = 0; j < rec->n_fields; j++)
        semicolons |= memchr(rec->field[j], ';', rec->len[j]) != NULL;
    if (semicolons)
        fatal(ing, rec->line, 0,
              "no column of the header is in schema '%s', and its names are separated by ';': "
              "a semicolon-delimited export? save it as CSV with commas",
              ing->schema->name);
    else
        fatal(ing, rec->line, 0,
              "no column of the header is in schema '%s': the header must be the first line that "
              "is not blank; is there a title or a note above it? delete those lines",
              ing->schema->name);
    return true;
}

/* Header fields from j to the end are all blank: empty columns a
 * spreadsheet leaves after the data. */
static bool blank_to_the_end(const struct csvin_record *rec, size_t j)
{
    for (; j < rec->n_fields; j++)
        if (!text_is_blank(rec->field[j], rec->len[j]))
            return false;
    return true;
}

static bool header_field_ok(struct ingest *ing, const struct csvin_record *rec, size_t j)
{
    const char *f = rec->field[j];
    size_t len = rec->len[j];
    if (memchr(f, '\0', len)) {
        fatal(ing, rec->line, j + 1, "column name contains a NUL byte");
        return false;
    }
    if (utf8_invalid_at(f, len) != len) {
        fatal(ing, rec->line, j + 1, "column name is not valid UTF-8 text");
        return false;
    }
    if (text_is_blank(f, len)) {
        if (j > 0 && blank_to_the_end(rec, j)) { /* trailing: said once, at the first */
            if (blank_to_the_end(rec, j - 1))
                ;
            else if (j + 1 == rec->n_fields)
                fatal(ing, rec->line, j + 1,
                      "column %zu, the last of the header, has no name: an empty column left by "
                      "a spreadsheet? delete it",
                      j + 1);
            else
                fatal(ing, rec->line, j + 1,
                      "columns %zu to %zu, at the end of the header, have no name: empty "
                      "columns left by a spreadsheet? delete them",
                      j + 1, rec->n_fields);
        } else {
            fatal(ing, rec->line, j + 1, "column %zu has no name", j + 1);
        }
        return false;
    }
    return true;
}

/* Match header fields to schema columns.  Reports every problem found. */
/* The header as read when the schema reshapes the file (wide.h): the
 * file's columns that ignore-columns matches are dropped and noted, and
 * those whose name gives a period become one column per template.  NULL
 * after a fatal message. */
static const struct csvin_record *reshape_header(struct ingest *ing, const struct csvin_record *rec,
                                                 struct csvin_record *out)
{
    struct buf err;
    buf_init(&err);
    size_t column = 0;
    bool ok = wide_header(&ing->wide, ing->schema, rec, out, &err, &column);
    if (!ok) {
        wide_release(&ing->wide);
        fatal(ing, rec->line, column, "%s", err.data);
    }
    buf_release(&err);
    for (size_t i = 0; ok && i < ing->wide.n_ignored; i++) {
        size_t j = ing->wide.ignored[i];
        char *name = xstrndup(rec->field[j], rec->len[j]);
        note_dropped(ing, ROLE_IGNORE, name);
        free(name);
    }
    return ok ? out : NULL;
}

static void read_header(struct ingest *ing, const struct csvin_record *rec)
{
    const struct schema *s = ing->schema;
    struct csvin_record reshaped;
    if (wide_wanted(s) && !(rec = reshape_header(ing, rec, &reshaped)))
        return;
    ing->have_header = true;
    ing->n_fields = rec->n_fields;
    ing->header = xcalloc(rec->n_fields, sizeof(char *));
    ing->candidates = xcalloc(rec->n_fields, sizeof(size_t *));
    ing->n_candidates = xcalloc(rec->n_fields, sizeof(size_t));
    ing->period_field = ing->org_field = NONE;
    char **keys = xcalloc(rec->n_fields, sizeof(char *));
    for (size_t j = 0; j < rec->n_fields; j++) {
        ing->header[j] = xstrndup(rec->field[j], rec->len[j]);
        if (!header_field_ok(ing, rec, j))
            continue;
        text_fold(rec->field[j], rec->len[j], &ing->key);
        keys[j] = xstrdup(ing->key.data);
        for (size_t k = 0; k < j; k++)
            if (keys[k] && strcmp(keys[k], keys[j]) == 0) {
                /* the first one only: n copies of a name give n messages, not n^2 / 2 */
                fatal(ing, rec->line, j + 1, "duplicate column name %s (also column %zu)",
                      quoted(ing, rec->field[j], rec->len[j]), k + 1);
                break;
            }
        for (size_t c = 0; c < s->n_columns; c++) {
            if (strcmp(s->columns[c].header_key, keys[j]) != 0)
                continue;
            ing->candidates[j] =
                xrealloc(ing->candidates[j], (ing->n_candidates[j] + 1) * sizeof(size_t));
            ing->candidates[j][ing->n_candidates[j]++] = c;
            if (s->columns[c].role == ROLE_PERIOD)
                ing->period_field = j;
            if (s->columns[c].role == ROLE_ORG)
                ing->org_field = j;
            if (role_dropped(s->columns[c].role))
                note_dropped(ing, s->columns[c].role, s->columns[c].header);
        }
    }
    if (header_unrecognised(ing, rec)) {
        for (size_t j = 0; j < rec->n_fields; j++)
            free(keys[j]);
        free(keys);
        return;
    }
    for (size_t j = 0; j < rec->n_fields; j++) {
        if (ing->n_candidates[j] || !keys[j])
            continue;
        unsigned long hidden = invisible_character(rec->field[j], rec->len[j]);
        if (hidden)
            fatal(ing, rec->line, j + 1,
                  "column %s is not in schema '%s': its name holds an invisible character "
                  "(U+%04lX%s); retype the name",
                  quoted(ing, rec->field[j], rec->len[j]), s->name, hidden,
                  hidden == 0xA0 ? ", a no-break space" : "");
        else
            fatal(ing, rec->line, j + 1,
                  "column %s is not in schema '%s' (every column must be described; "
                  "give it role ignore to drop it)",
                  quoted(ing, rec->field[j], rec->len[j]), s->name);
    }
    /* columns the schema needs in every period */
    for (size_t c = 0; c < s->n_columns; c++) {
        const struct schema_column *sc = &s->columns[c];
        if (sc->optional || sc->n_periods)
            continue;
        bool present = false;
        for (size_t j = 0; j < rec->n_fields; j++)
            present |= keys[j] && strcmp(keys[j], sc->header_key) == 0;
        if (!present)
            fatal(ing, rec->line, 0, "the header lacks column '%s' (%s) required by schema '%s'",
                  sc->header, schema_role_name(sc->role), s->name);
    }
    for (size_t j = 0; j < rec->n_fields; j++)
        free(keys[j]);
    free(keys);
}

/* The layout of the file's columns for one period, built on first use. */
static const struct layout *layout_for(struct ingest *ing, const struct csvin_record *rec)
{
    long ordinal = period_ordinal(&ing->row_period);
    for (size_t l = 0; l < ing->n_layouts; l++)
        if (ing->layouts[l].ordinal == ordinal)
            return &ing->layouts[l];
    const struct schema *s = ing->schema;
    struct layout lay = {.ordinal = ordinal,
                         .column_of_field = xcalloc(ing->n_fields, sizeof(size_t))};
    period_format(&ing->row_period, lay.text);
    for (size_t j = 0; j < ing->n_fields; j++) {
        lay.column_of_field[j] = NONE;
        for (size_t k = 0; k < ing->n_candidates[j]; k++)
            if (schema_column_in_period(&s->columns[ing->candidates[j][k]], &ing->row_period))
                lay.column_of_field[j] = ing->candidates[j][k];
    }
    /* A column the period needs but the header lacks stops the run; with
     * --rejects the period's rows are set aside like any other bad row,
     * the reason naming the first such column and how many more. */
    const char *ptext = lay.text;
    size_t n_missing = 0, first_missing = NONE;
    for (size_t c = 0; c < s->n_columns; c++) {
        const struct schema_column *sc = &s->columns[c];
        if (sc->optional || !sc->n_periods || !schema_column_in_period(sc, &ing->row_period))
            continue;
        bool present = false;
        for (size_t j = 0; j < ing->n_fields; j++)
            present |= lay.column_of_field[j] == c;
        if (present)
            continue;
        if (!n_missing++)
            first_missing = c;
        if (!ing->rejects_open)
            fatal(ing, rec->line, 0,
                  "rows for period %s need column '%s' (%s '%s'), which the header lacks", ptext,
                  sc->header, schema_role_name(sc->role), sc->name ? sc->name : "");
    }
    if (n_missing && ing->rejects_open) {
        const struct schema_column *sc = &s->columns[first_missing];
        char more[48] = "";
        if (n_missing > 1)
            snprintf(more, sizeof(more), " and %zu more", n_missing - 1);
        lay.missing = xasprintf("rows for period %s need column '%s' (%s '%s')%s, which the "
                                "header lacks",
                                ptext, sc->header, schema_role_name(sc->role),
                                sc->name ? sc->name : "", more);
    }
    lay.plan = xcalloc(ing->n_fields ? ing->n_fields : 1, sizeof(*lay.plan));
    lay.id_field = NONE;
    for (size_t j = 0; j < ing->n_fields; j++) {
        size_t c = lay.column_of_field[j];
        if (c != NONE && c == ing->id_column)
            lay.id_field = j;
        lay.plan[j] = (struct field_plan){c, c == NONE ? NONE : ing->ds_of_column[c],
                                          c == NONE ? NONE : ing->item_scale[c]};
    }
    ing->layouts = xrealloc(ing->layouts, (ing->n_layouts + 1) * sizeof(*ing->layouts));
    ing->layouts[ing->n_layouts] = lay;
    return &ing->layouts[ing->n_layouts++];
}

/* ---- rows ------------------------------------------------------------------ */

static void write_reject(struct ingest *ing, const struct csvin_record *rec, size_t column,
                         const char *reason)
{
    struct buf *l = &ing->line;
    buf_clear(l);
    csv_put_field(l, ing->file, strlen(ing->file), true);
    buf_printf(l, ",%lu,", rec->line);
    if (column)
        buf_printf(l, "%zu", column);
    buf_putc(l, ',');
    csv_put_field(l, reason, strlen(reason), true);
    buf_putc(l, ',');
    struct buf raw;
    buf_init(&raw);
    if (ing->wide_source)
        rec = ing->wide_source; /* the file's row, not the one period read from it */
    for (size_t j = 0; j < rec->n_fields; j++) {
        if (j)
            buf_putc(&raw, ',');
        csv_put_field(&raw, rec->field[j], rec->len[j], false);
    }
    csv_put_field(l, raw.data ? raw.data : "", raw.len, true);
    buf_release(&raw);
    buf_putc(l, '\n');
    atomic_write(&ing->rejects, l->data, l->len); /* a failure shows at the commit */
}

/* The period and org a rejected row of an aggregated input names, as far
 * as they can be read (the canonical period, the trimmed org code; "" for
 * one that is missing, not text, or not valid for the schema), recorded in
 * the dataset: candour-stats marks every figure the row would have fed as
 * incomplete rather than computing it from the remaining rows.  Respondent
 * rows are not recorded (one respondent fewer is still a true count). */
static void record_rejected(struct ingest *ing, const struct csvin_record *rec)
{
    const struct schema *s = ing->schema;
    if (s->kind == KIND_RESPONDENT || !ing->writer_open)
        return;
    char period[PERIOD_TEXT_MAX] = "", org[64] = "";
    size_t pj = ing->period_field, oj = ing->org_field;
    struct period p;
    if (ing->fixed) {
        period_format(&ing->fixed_period, period);
    } else if (pj < rec->n_fields && !memchr(rec->field[pj], '\0', rec->len[pj]) &&
               period_parse(rec->field[pj], rec->len[pj], &p) && schema_period_valid(s, &p)) {
        period_format(&p, period);
    }
    if (oj < rec->n_fields) {
        const char *f = rec->field[oj];
        size_t len = rec->len[oj];
        text_trim(&f, &len);
        if (len && len < sizeof(org) && !memchr(f, '\0', len) && utf8_invalid_at(f, len) == len) {
            memcpy(org, f, len);
            org[len] = '\0';
            if (!schema_org_valid(s, org))
                org[0] = '\0';
        }
    }
    dataset_writer_add_rejected(&ing->writer, period, org);
}

/* Reject the current row with a reason; returns false for convenience. */
static bool reject(struct ingest *ing, const struct csvin_record *rec, size_t column,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static bool reject(struct ingest *ing, const struct csvin_record *rec, size_t column,
                   const char *fmt, ...)
{
    char reason[512];
    int at =
        ing->wide_period ? snprintf(reason, sizeof(reason), "period %s: ", ing->wide_period) : 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason + at, sizeof(reason) - (size_t)at, fmt, ap);
    va_end(ap);
    column = file_column(ing, column);
    ing->rows_rejected++;
    if (ing->file_rows_read - ing->file_rows_accepted == 1) /* this file's first */
        buf_printf(&ing->first_reject, "line %lu: %s", rec->line, reason);
    if (ing->rejects_open) {
        write_reject(ing, rec, column, reason);
        record_rejected(ing, rec);
        return false;
    }
    if (ing->status == CLI_OK)
        ing->status = CLI_EDATA;
    if (ing->messages++ < INGEST_MAX_MESSAGES) {
        text_fprintf_shown(stderr, "candour-ingest: %s:%lu", ing->file, rec->line);
        if (column)
            fprintf(stderr, ":%zu", column);
        text_fprintf_shown(stderr, ": %s", reason);
        fputc('\n', stderr);
    }
    return false;
}

static void set_str(struct row_value *v, const char *s, size_t len)
{
    text_trim(&s, &len);
    v->s = s;
    v->len = len;
    v->ds_code = NULL;
    v->set = true;
}

/* Equal bytes, for the short strings of answer labels: two overlapping
 * loads cover any length from 8 to 16 (4 to 8, 1 to 4) without a call. */
static inline bool short_equal(const char *a, const char *b, size_t len)
{
    uint64_t x, y, u, v;
    if (len > 16 && len <= 32) { /* "Neither agree nor disagree" */
        uint64_t x2, y2, u2, v2;
        memcpy(&x, a, 8), memcpy(&y, b, 8), memcpy(&x2, a + 8, 8), memcpy(&y2, b + 8, 8);
        memcpy(&u, a + len - 16, 8), memcpy(&v, b + len - 16, 8);
        memcpy(&u2, a + len - 8, 8), memcpy(&v2, b + len - 8, 8);
        return ((x ^ y) | (x2 ^ y2) | (u ^ v) | (u2 ^ v2)) == 0;
    }
    if (len >= 8 && len <= 16) {
        memcpy(&x, a, 8), memcpy(&y, b, 8);
        memcpy(&u, a + len - 8, 8), memcpy(&v, b + len - 8, 8);
        return ((x ^ y) | (u ^ v)) == 0;
    }
    if (len >= 4 && len < 8) {
        uint32_t x4, y4, u4, v4;
        memcpy(&x4, a, 4), memcpy(&y4, b, 4);
        memcpy(&u4, a + len - 4, 4), memcpy(&v4, b + len - 4, 4);
        return ((x4 ^ y4) | (u4 ^ v4)) == 0;
    }
    return memcmp(a, b, len) == 0;
}

/* The entry of a spelling seen before, else NONE. */
static inline size_t memo_find(const struct verbatim_memo *m, const char *f, size_t len)
{
    if (len <= VERBATIM_LEN)
        for (unsigned i = m->first[len]; i; i = m->v[i - 1].next)
            if (short_equal(m->v[i - 1].s, f, len))
                return m->v[i - 1].entry;
    return NONE;
}

static size_t verbatim_match(struct ingest *ing, size_t scale, const char *f, size_t len)
{
    struct verbatim_memo *m = &ing->verbatim[scale];
    size_t seen = memo_find(m, f, len);
    if (seen != NONE)
        return seen;
    size_t e = scale_match(&ing->schema->scales[scale], f, len, &ing->key);
    if (e != NONE && len <= VERBATIM_LEN && m->n < VERBATIM_MAX) {
        m->v[m->n].len = len;
        m->v[m->n].entry = e;
        m->v[m->n].next = m->first[len];
        memcpy(m->v[m->n].s, f, len);
        m->n++;
        m->first[len] = (unsigned char)m->n;
    }
    return e;
}

/* What an unknown answer should have been, appended to hint: when the
 * value is an answer of scale sc once its invisible characters (zero width
 * space, soft hyphen...) are removed, which one and where; else the accepted
 * answers, at most about UNKNOWN_HINT_MAX bytes of them.  Look-alike
 * dashes, quotes and spaces and a trailing full stop never get here: they
 * match (text_fold). */
#define UNKNOWN_HINT_MAX 240

static void unknown_answer_hint(const struct scale *sc, const char *f, size_t len, struct buf *hint)
{
    struct buf plain, key;
    buf_init(&plain);
    buf_init(&key);
    struct text_invisible first;
    if (text_strip_invisible(f, len, &plain, &first)) {
        size_t e = scale_match(sc, plain.data, plain.len, &key);
        if (e != NONE) {
            buf_printf(hint, "; it is '%s' with an invisible U+%04X (%s) at character %zu",
                       sc->entries[e].label, (unsigned)first.cp, first.name, first.position);
            goto out;
        }
    }
    buf_puts(hint, "; accepted:");
    for (size_t e = 0; e < sc->n_entries; e++) {
        if (hint->len > UNKNOWN_HINT_MAX) {
            buf_printf(hint, " ... (%zu more)", sc->n_entries - e);
            break;
        }
        buf_printf(hint, "%s %s '%s'", e ? "," : "", sc->entries[e].code, sc->entries[e].label);
    }
out:
    buf_release(&plain);
    buf_release(&key);
}

/* The same for a demographic read through a recode without a scale: the
 * groups, or the group whose value it is once invisible characters go. */
static void unknown_recode_hint(const struct recode *r, const char *f, size_t len, struct buf *hint)
{
    struct buf plain, key;
    buf_init(&plain);
    buf_init(&key);
    struct text_invisible first;
    if (text_strip_invisible(f, len, &plain, &first)) {
        size_t g = recode_match(r, NULL, plain.data, plain.len, &key);
        if (g != NONE) {
            buf_printf(hint,
                       "; it is a value of group '%s' with an invisible U+%04X (%s) at "
                       "character %zu",
                       r->groups[g], (unsigned)first.cp, first.name, first.position);
            goto out;
        }
    }
    buf_printf(hint, "; recode '%s' knows %zu values of the groups", r->name, r->n_rules);
    for (size_t g = 0; g < r->n_groups; g++)
        buf_printf(hint, "%s '%s'", g ? "," : "", r->groups[g]);
out:
    buf_release(&plain);
    buf_release(&key);
}

static bool decode_item(struct ingest *ing, const struct csvin_record *rec, size_t j,
                        const struct schema_column *sc, size_t d)
{
    const struct item *it = &ing->schema->items[sc->item];
    const struct scale *scale = &ing->schema->scales[it->scale];
    if (text_is_blank(rec->field[j], rec->len[j])) {
        ing->answer[d] = 0;
        return true;
    }
    const char *f = rec->field[j];
    size_t len = rec->len[j];
    size_t e = len == 1 && f[0] >= '0' && f[0] <= '9' ? ing->digit_entry[it->scale][f[0] - '0']
                                                      : verbatim_match(ing, it->scale, f, len);
    if (e == NONE) {
        struct buf hint;
        buf_init(&hint);
        unknown_answer_hint(scale, f, len, &hint);
        reject(ing, rec, j + 1, "unknown answer %s for item '%s' (column '%s', scale '%s')%s",
               quoted_value(ing, rec->field[j], rec->len[j]), it->id, ing->header[j], scale->name,
               hint.data);
        buf_release(&hint);
        return false;
    }
    ing->answer[d] = (uint8_t)(e + 1);
    return true;
}

/* The memo entry of a demographic spelling seen before, or -1. */
static int64_t demographic_seen(const struct demographic_memo *memo, const char *f, size_t len)
{
    if (memo->last && memo->last_len == len && memcmp(memo->last, f, len) == 0)
        return (int64_t)memo->last_code;
    if (len <= MEMO_SHORT_LEN) {
        for (unsigned i = memo->first[len]; i; i = memo->next[i - 1])
            if (short_equal(memo->seen.strings[i - 1], f, len))
                return i - 1;
        if (memo->seen.count <= MEMO_SHORT_MAX)
            return -1; /* every short spelling is in the chains */
    }
    return strdict_find(&memo->seen, f, len);
}

static void demographic_remember(struct demographic_memo *memo, const char *f, size_t len,
                                 const char *group)
{
    size_t k = strdict_intern(&memo->seen, f, len);
    xgrow(&memo->group, &memo->cap, k + 1, sizeof(*memo->group));
    memo->group[k] = (struct memo_group){group, strlen(group), DS_CODE_UNSET};
    if (len <= MEMO_SHORT_LEN && k < MEMO_SHORT_MAX) {
        memo->next[k] = memo->first[len];
        memo->first[len] = (unsigned char)(k + 1);
    }
}

static void set_memo_group(struct row_value *v, struct demographic_memo *memo, size_t k)
{
    v->s = memo->group[k].name;
    v->len = memo->group[k].len;
    v->ds_code = &memo->group[k].ds_code;
    v->set = true;
}

static bool decode_demographic(struct ingest *ing, const struct csvin_record *rec, size_t j,
                               const struct schema_column *sc, struct row_value *v)
{
    const struct schema *s = ing->schema;
    const char *f = rec->field[j];
    size_t len = rec->len[j];
    struct demographic_memo *memo = &ing->demographic_memo[sc - s->columns];
    int64_t seen = demographic_seen(memo, f, len);
    if (seen >= 0) {
        memo->last = memo->seen.strings[seen];
        memo->last_len = len;
        memo->last_code = (size_t)seen;
        set_memo_group(v, memo, (size_t)seen);
        return true;
    }
    const struct scale *scale = sc->scale != NONE ? &s->scales[sc->scale] : NULL;
    bool blank = text_is_blank(f, len);
    const char *group = NULL;
    if (sc->recode != NONE) {
        const struct recode *r = &s->recodes[sc->recode];
        size_t g = recode_match(r, scale, f, len, &ing->key);
        if (g != NONE)
            group = r->groups[g];
        else if (blank)
            group = DATASET_BLANK_GROUP;
    } else if (blank) {
        group = DATASET_BLANK_GROUP;
    } else if (scale) {
        size_t e = scale_match(scale, f, len, &ing->key);
        if (e != NONE)
            group = scale->entries[e].label;
    } else {
        set_str(v, f, len);
        return true;
    }
    if (!group) {
        struct buf hint;
        buf_init(&hint);
        /* not an answer of the scale, or an answer the recode does not map */
        if (scale && (sc->recode == NONE || scale_match(scale, f, len, &ing->key) == NONE))
            unknown_answer_hint(scale, f, len, &hint);
        else
            unknown_recode_hint(&s->recodes[sc->recode], f, len, &hint);
        reject(ing, rec, j + 1, "unknown value %s for %s (column '%s')%s",
               quoted_value(ing, f, len), sc->name, ing->header[j], hint.data);
        buf_release(&hint);
        return false;
    }
    if (memo->seen.count < DEMOGRAPHIC_MEMO_MAX) {
        demographic_remember(memo, f, len, group);
        set_memo_group(v, memo, memo->seen.count - 1);
        return true;
    }
    v->s = group;
    v->len = strlen(group);
    v->ds_code = NULL;
    v->set = true;
    return true;
}

static bool decode_count(struct ingest *ing, const struct csvin_record *rec, size_t j,
                         struct row_value *v, bool blank_ok)
{
    const char *f = rec->field[j];
    size_t len = rec->len[j];
    text_trim(&f, &len);
    uint64_t n;
    v->set = true;
    if (len == 0 && blank_ok) {
        v->i64 = DS_I64_MISSING;
        return true;
    }
    if (!parse_uint64(f, len, &n) || n > (uint64_t)INT64_MAX / 2)
        return reject(ing, rec, j + 1, "%s in column '%s' is not a whole number of 0 or more",
                      quoted_value(ing, rec->field[j], rec->len[j]), ing->header[j]);
    v->i64 = (int64_t)n;
    return true;
}

static bool decode_real(struct ingest *ing, const struct csvin_record *rec, size_t j,
                        const struct schema_column *sc, struct row_value *v)
{
    const char *f = rec->field[j];
    size_t len = rec->len[j];
    text_trim(&f, &len);
    v->set = true;
    if (len == 0) {
        v->f64 = NAN;
        return true;
    }
    double x;
    bool ok = parse_double(f, len, &x);
    if (sc->role == ROLE_WEIGHT) {
        if (!ok || x <= 0)
            return reject(ing, rec, j + 1, "weight %s is not a positive number",
                          quoted_value(ing, rec->field[j], rec->len[j]));
    } else if (sc->role == ROLE_DESIGN_EFFECT) {
        if (!ok || !(x >= 0.1 && x <= 100))
            return reject(ing, rec, j + 1,
                          "design effect %s in column '%s' is not a number from 0.1 to 100",
                          quoted_value(ing, rec->field[j], rec->len[j]), ing->header[j]);
    } else {
        double top = sc->rate_scale == RATE_PERCENT ? 100 : 1;
        if (!ok || x < 0 || x > top)
            return reject(ing, rec, j + 1, "rate %s in column '%s' is not a number from 0 to %g",
                          quoted_value(ing, rec->field[j], rec->len[j]), ing->header[j], top);
        if (sc->rate_scale == RATE_PERCENT) {
            size_t c = (size_t)(sc - ing->schema->columns);
            ing->rate_max[c] = fmax(ing->rate_max[c], x);
            ing->rate_count[c]++;
        }
        x /= top;
    }
    v->f64 = x;
    return true;
}

static bool decode_item_id(struct ingest *ing, const struct csvin_record *rec, size_t j,
                           struct row_value *v)
{
    const char *f = rec->field[j];
    size_t len = rec->len[j];
    text_trim(&f, &len);
    for (size_t i = 0; i < ing->schema->n_items; i++) {
        const char *id = ing->schema->items[i].id;
        if (strlen(id) == len && strncmp(id, f, len) == 0) {
            v->s = id;
            v->len = len;
            v->set = true;
            return true;
        }
    }
    return reject(ing, rec, j + 1, "unknown item %s (not declared in schema '%s')",
                  quoted_value(ing, rec->field[j], rec->len[j]), ing->schema->name);
}

/* A unit name as first spelled in this run: names equal but for case and
 * runs of white space (text_fold) are one unit. */
/* The unit of field f (as written) by its text_fold key, a new one (first
 * spelled as f, trimmed) when the key is new. */
static int64_t unit_of_field(struct unit_names *u, const char *f, size_t len, struct buf *key)
{
    text_trim(&f, &len);
    text_fold(f, len, key);
    int64_t code = strdict_find(&u->keys, key->data, key->len);
    if (code < 0) {
        code = strdict_intern(&u->keys, key->data, key->len);
        xgrow(&u->spelling, &u->cap, (size_t)code + 1, sizeof(*u->spelling));
        u->spelling[code] = xstrndup(f, len);
        size_t old_cap = u->ds_code_cap;
        xgrow(&u->ds_code, &u->ds_code_cap, (size_t)code + 1, sizeof(*u->ds_code));
        for (size_t k = old_cap; k < u->ds_code_cap; k++)
            u->ds_code[k] = DS_CODE_UNSET;
    }
    return code;
}

static void decode_unit(struct ingest *ing, const struct schema_column *sc, const char *f,
                        size_t len, struct row_value *v)
{
    struct unit_names *u = &ing->unit_names[sc - ing->schema->columns];
    int64_t code = u->last_code;
    if (!u->last_raw.data || u->last_raw.len != len || memcmp(u->last_raw.data, f, len) != 0) {
        buf_clear(&u->last_raw);
        buf_append(&u->last_raw, f, len);
        int64_t raw = strdict_find(&u->raw, f, len);
        if (raw >= 0) {
            code = (int64_t)u->unit_of_raw[raw];
        } else {
            code = unit_of_field(u, f, len, &ing->key);
            if (u->raw.count < UNIT_RAW_MAX) {
                uint32_t r = strdict_intern(&u->raw, f, len);
                xgrow(&u->unit_of_raw, &u->raw_cap, (size_t)r + 1, sizeof(*u->unit_of_raw));
                u->unit_of_raw[r] = (size_t)code;
            }
        }
        u->last_code = code;
    }
    set_str(v, u->spelling[code], strlen(u->spelling[code]));
    v->ds_code = &u->ds_code[code];
}

/* Decode field j into its dataset value.  False when the row is rejected. */
static bool decode_field(struct ingest *ing, const struct csvin_record *rec, size_t j,
                         size_t column)
{
    const struct schema_column *sc = &ing->schema->columns[column];
    size_t d = ing->ds_of_column[column];
    if (d == NONE)
        return true;
    struct row_value *v = &ing->row[d];
    const char *f = rec->field[j];
    size_t len = rec->len[j];
    v->field = j;
    switch (sc->role) {
    case ROLE_ITEM:
        return decode_item(ing, rec, j, sc, d);
    case ROLE_DEMOGRAPHIC:
        return decode_demographic(ing, rec, j, sc, v);
    case ROLE_BASE:
        return decode_count(ing, rec, j, v, true);
    case ROLE_N:
    case ROLE_POSITIVE:
    case ROLE_HEADCOUNT:
    case ROLE_EVENTS:
        return decode_count(ing, rec, j, v, false);
    case ROLE_WEIGHT:
    case ROLE_RATE:
    case ROLE_DESIGN_EFFECT:
        return decode_real(ing, rec, j, sc, v);
    case ROLE_ITEM_ID:
        return decode_item_id(ing, rec, j, v);
    case ROLE_PERIOD:
        return true; /* set from the parsed period */
    case ROLE_UNIT:
        decode_unit(ing, sc, f, len, v);
        return true;
    case ROLE_GROUP_DIM:
    case ROLE_GROUP:
        if (text_is_blank(f, len))
            return reject(ing, rec, j + 1, "column '%s' is blank", ing->header[j]);
        set_str(v, f, len);
        return true;
    default:
        set_str(v, f, len);
        return true;
    }
}

static bool check_field_text(struct ingest *ing, const struct csvin_record *rec, size_t j)
{
    const char *f = rec->field[j];
    size_t len = rec->len[j];
    if (memchr(f, '\0', len))
        return reject(ing, rec, j + 1, "NUL byte in field (binary or UTF-16 data?)");
    size_t bad = utf8_invalid_at(f, len);
    if (bad != len)
        return reject(ing, rec, j + 1,
                      "invalid UTF-8 at byte %zu of the field (a Windows-1252 export? convert "
                      "it with 'iconv -f WINDOWS-1252 -t UTF-8')",
                      bad + 1);
    return true;
}

static bool check_org(struct ingest *ing, const struct csvin_record *rec);

static bool check_period_and_org(struct ingest *ing, const struct csvin_record *rec)
{
    const struct schema *s = ing->schema;
    size_t pj = ing->period_field, oj = ing->org_field;
    if (ing->fixed) { /* --period */
        ing->row_period = ing->fixed_period;
        return check_org(ing, rec);
    }
    const char *f = rec->field[pj];
    size_t len = rec->len[pj];
    if (cache_hit(&ing->period_cache, f, len) &&
        cache_hit(&ing->org_cache, rec->field[oj], rec->len[oj])) {
        ing->row_period = ing->cached_period;
        return true;
    }
    if (!period_parse(f, len, &ing->row_period))
        return reject(ing, rec, pj + 1, "period %s is not a %s like %s", quoted_value(ing, f, len),
                      period_kind_name(s->period_kind),
                      s->period_kind == PERIOD_YEAR      ? "'2023'"
                      : s->period_kind == PERIOD_QUARTER ? "'2023-Q2'"
                                                         : "'2023-04'");
    if (!schema_period_valid(s, &ing->row_period)) {
        char lo[PERIOD_TEXT_MAX], hi[PERIOD_TEXT_MAX];
        struct period first = period_from_ordinal(s->period_kind, s->period_lo);
        struct period last = period_from_ordinal(s->period_kind, s->period_hi);
        period_format(&first, lo);
        period_format(&last, hi);
        return reject(ing, rec, pj + 1, "period %s is not a %s from %s to %s",
                      quoted_value(ing, f, len), period_kind_name(s->period_kind), lo, hi);
    }
    if (!check_org(ing, rec))
        return false;
    cache_store(&ing->period_cache, rec->field[pj], rec->len[pj], NULL);
    cache_store(&ing->org_cache, rec->field[oj], rec->len[oj], NULL);
    ing->cached_period = ing->row_period;
    return true;
}

/* The row's org code: not blank, not too long, matching org-pattern. */
static bool check_org(struct ingest *ing, const struct csvin_record *rec)
{
    const struct schema *s = ing->schema;
    size_t oj = ing->org_field;
    const char *f = rec->field[oj];
    size_t len = rec->len[oj];
    text_trim(&f, &len);
    char org[64];
    if (len == 0)
        return reject(ing, rec, oj + 1, "org code is blank");
    if (len >= sizeof(org))
        return reject(ing, rec, oj + 1, "org code %s is longer than %zu characters",
                      quoted_value(ing, f, len), sizeof(org) - 1);
    memcpy(org, f, len);
    org[len] = '\0';
    if (!schema_org_valid(s, org))
        return reject(ing, rec, oj + 1, "org code %s does not match org-pattern '%s'",
                      quoted_value(ing, f, len), s->org_pattern);
    return true;
}

static bool check_ranges(struct ingest *ing, const struct csvin_record *rec)
{
    if (!ing->has_range_checks) /* respondent rows: 130 columns, none to check */
        return true;
    for (size_t d = 0; d < ing->n_ds; d++) /* a column this row lacks counts as 0 */
        if (!ing->row[d].set)
            ing->row[d] = (struct row_value){0};
    for (size_t d = 0; d < ing->n_ds; d++) {
        const struct ds_column *c = &ing->writer.columns[d];
        const struct row_value *v = &ing->row[d];
        if (c->role == ROLE_POSITIVE || c->role == ROLE_EVENTS) {
            enum column_role total = c->role == ROLE_POSITIVE ? ROLE_N : ROLE_HEADCOUNT;
            for (size_t t = 0; t < ing->n_ds; t++)
                if (ing->writer.columns[t].role == total && v->i64 > ing->row[t].i64)
                    return reject(ing, rec, v->field + 1, "%s (%lld) is larger than %s (%lld)",
                                  ing->header[v->field], (long long)v->i64,
                                  ing->header[ing->row[t].field], (long long)ing->row[t].i64);
        }
        if (c->role == ROLE_BASE) {
            /* the rates this base serves: its item's, and those naming it in base= */
            const struct schema *s = ing->schema;
            for (size_t sc = 0; sc < s->n_columns; sc++) {
                size_t t = ing->ds_of_column[sc];
                if (s->columns[sc].role != ROLE_RATE || t == NONE ||
                    strcmp(s->items[s->columns[sc].base_item].id, c->name) != 0)
                    continue;
                if ((v->i64 == DS_I64_MISSING) != isnan(ing->row[t].f64))
                    return reject(ing, rec, v->field + 1,
                                  "'%s' and '%s' must both be given or both be blank",
                                  ing->header[v->field], ing->header[ing->row[t].field]);
            }
        }
    }
    return true;
}

static void emit_row(struct ingest *ing, struct buf *err)
{
    struct dataset_writer *w = &ing->writer;
    for (size_t k = 0; k < ing->n_u8; k++) { /* the answers: most columns, no switch */
        size_t d = ing->u8_columns[k];
        dw_put_u8(w, d, ing->answer[d]);
    }
    for (size_t k = 0; k < ing->n_other; k++) {
        size_t d = ing->other_columns[k];
        const struct row_value *v = &ing->row[d];
        switch (w->columns[d].type) {
        case DS_STR:
            if (v->set && v->ds_code) { /* a group's or unit's code: looked up once */
                uint32_t *code = v->ds_code;
                if (*code == DS_CODE_UNSET)
                    *code = dw_intern_str(w, d, v->s, v->len);
                dw_put_code(w, d, *code);
            } else {
                dw_put_str(w, d, v->set ? v->s : "", v->set ? v->len : 0);
            }
            break;
        case DS_I64:
            dw_put_i64(w, d, v->set ? v->i64 : DS_I64_MISSING);
            break;
        case DS_F64:
            dw_put_f64(w, d, v->set ? v->f64 : NAN);
            break;
        }
    }
    dataset_writer_end_row(w, err);
}

/* The common case of an answer, decoded without the schema walk of
 * decode_field: an empty field, a one-digit code or a spelling seen
 * before.  False when decode_field must look (anything else, including
 * every error). */
static inline bool decode_answer_fast(struct ingest *ing, const struct csvin_record *rec, size_t j,
                                      const struct field_plan *plan)
{
    size_t scale = plan->scale;
    if (scale == NONE)
        return false;
    const char *f = rec->field[j];
    size_t len = rec->len[j], e = NONE;
    if (len == 1 && f[0] >= '0' && f[0] <= '9') {
        e = ing->digit_entry[scale][f[0] - '0'];
    } else if (len > 0) {
        e = memo_find(&ing->verbatim[scale], f, len);
    }
    if (len > 0 && e == NONE)
        return false;
    ing->answer[plan->ds] = len == 0 ? 0 : (uint8_t)(e + 1);
    return true;
}

/* The keyed hash of the row's respondent (period, org and id, trimmed), or
 * 0 when the layout has no id or the id is blank (it cannot be checked).
 * process_row takes it before decoding the row and asks for its slot of
 * the set then (idset_prefetch), so that repeated_respondent, after the
 * decoding, does not wait for memory. */
static uint64_t respondent_hash(const struct ingest *ing, const struct csvin_record *rec,
                                const struct layout *lay)
{
    size_t j = lay->id_field;
    if (j == NONE)
        return 0;
    const char *id = rec->field[j], *org = rec->field[ing->org_field];
    size_t id_len = rec->len[j], org_len = rec->len[ing->org_field];
    text_trim(&id, &id_len);
    text_trim(&org, &org_len);
    if (id_len == 0)
        return 0;
    return idset_hash(&ing->seen, lay->text, strlen(lay->text), org, org_len, id, id_len);
}

/* Has this row's respondent (period, org and id) been counted already, in
 * this file or an earlier one?  Then the row is rejected, saying where the
 * first was, never the id.  Only rows about to be accepted are remembered,
 * as keyed hashes (lib/idset.h).  A blank id cannot be checked. */
static bool repeated_respondent(struct ingest *ing, const struct csvin_record *rec,
                                const struct layout *lay, uint64_t id_hash)
{
    size_t j = lay->id_field;
    if (!id_hash)
        return false;
    const struct idset_entry *first =
        idset_add_hash(&ing->seen, id_hash, ing->file_index, (uint32_t)rec->line);
    if (!first)
        return false;
    const char *where = ing->opt->inputs[first->file];
    reject(ing, rec, j + 1,
           "respondent id (column '%s') already counted for this org and period at %s:%lu: "
           "the same respondent would be counted twice",
           ing->header[j], strcmp(where, "-") == 0 ? "(stdin)" : where, (unsigned long)first->line);
    return true;
}

/* Is the role one of those that tell a row of an aggregated input from
 * another of the same org and period (which item, which group)? */
static bool aggregate_key_role(enum column_role role)
{
    return role == ROLE_ITEM_ID || role == ROLE_GROUP_DIM || role == ROLE_GROUP ||
           role == ROLE_DEMOGRAPHIC || role == ROLE_UNIT;
}

/* Has a row of an aggregated input with this row's key been accepted
 * already in this file?  (A whole input given twice is caught by its bytes,
 * check_input_not_repeated; the same key in two different files is left to
 * candour-stats' sums.)  The key is the
 * period, the org and every item, group-dim, group, demographic and unit
 * field, each compared as written (text_fold: case, spaces and look-alikes
 * aside; a demographic by its value, not its recoded group, since several
 * values may make one group).  Stats adds up the rows of a cell, so the
 * counts would be counted twice: the row is rejected, naming where the
 * first one is, as a repeated respondent is. */
static bool repeated_aggregate_row(struct ingest *ing, const struct csvin_record *rec,
                                   const struct layout *lay)
{
    const struct schema *s = ing->schema;
    if (s->kind == KIND_RESPONDENT)
        return false;
    struct buf *key = &ing->row_key, *names = &ing->key_names;
    buf_clear(key);
    buf_clear(names);
    buf_append(key, &ing->file_index, sizeof(ing->file_index));
    buf_printf(names, "'%s'", ing->fixed ? "period" : ing->header[ing->period_field]);
    const char *last = ing->header[ing->org_field];
    for (size_t j = 0; j < rec->n_fields; j++) {
        size_t c = lay->column_of_field[j];
        if (c == NONE || !aggregate_key_role(s->columns[c].role))
            continue;
        const char *f = rec->field[j];
        size_t len = rec->len[j];
        text_trim(&f, &len);
        text_fold(f, len, &ing->key);
        buf_append(key, ing->key.data ? ing->key.data : "", ing->key.len);
        buf_putc(key, '\x1f');
        buf_printf(names, ", '%s'", last);
        last = ing->header[j];
    }
    buf_printf(names, " and '%s'", last);
    const char *org = rec->field[ing->org_field];
    size_t org_len = rec->len[ing->org_field];
    text_trim(&org, &org_len);
    const struct idset_entry *first =
        idset_add(&ing->seen, lay->text, strlen(lay->text), org, org_len, key->data, key->len,
                  ing->file_index, (uint32_t)rec->line);
    if (!first)
        return false;
    reject(ing, rec, 0,
           "a row with the same %s was already counted at %s:%lu: its counts would be added "
           "twice",
           names->data, ing->file, (unsigned long)first->line);
    return true;
}

static void process_row(struct ingest *ing, const struct csvin_record *rec)
{
    ing->rows_read++;
    ing->file_rows_read++;
    if (rec->n_fields != ing->n_fields) {
        reject(ing, rec, 0, "expected %zu fields, found %zu", ing->n_fields, rec->n_fields);
        return;
    }
    /* The reading thread has looked at every byte: only a record with a NUL
     * or a byte past ASCII needs its fields checked one by one (a comment
     * with line breaks is ASCII, and a third of a national file).  Columns
     * the layout drops (free text, identifiers) are never decoded, so a
     * Windows-1252 pound sign in a comment does not cost the row. */
    if (!rec->ascii && ((ing->period_field != NONE && /* none with --period */
                         !check_field_text(ing, rec, ing->period_field)) ||
                        !check_field_text(ing, rec, ing->org_field)))
        return;
    if (!check_period_and_org(ing, rec))
        return;
    const struct layout *lay = layout_for(ing, rec);
    if (ing->fatal)
        return;
    if (lay->missing) {
        reject(ing, rec, 0, "%s", lay->missing);
        return;
    }
    if (!rec->ascii)
        for (size_t j = 0; j < rec->n_fields; j++)
            if (lay->plan[j].ds != NONE && !check_field_text(ing, rec, j))
                return;
    uint64_t id_hash = respondent_hash(ing, rec, lay);
    if (id_hash)
        idset_prefetch(&ing->seen, id_hash);
    /* Only the flags of the other columns and the answer bytes: clearing
     * whole values was a 7.5 KB memset per row of a 130-column file, a
     * quarter of this thread's instructions. */
    for (size_t k = 0; k < ing->n_other; k++)
        ing->row[ing->other_columns[k]].set = false;
    memset(ing->answer, 0, ing->n_ds);
    for (size_t j = 0; j < rec->n_fields; j++) {
        const struct field_plan *plan = &lay->plan[j];
        size_t column = plan->column;
        if (column == NONE) {
            if (!text_is_blank(rec->field[j], rec->len[j])) {
                reject(ing, rec, j + 1, "column '%s' is not part of the %s layout but has a value",
                       ing->header[j], lay->text);
                return;
            }
            continue;
        }
        if (!decode_answer_fast(ing, rec, j, plan) && !decode_field(ing, rec, j, column))
            return;
    }
    set_str(&ing->row[ing->period_ds], lay->text, strlen(lay->text));
    if (!check_ranges(ing, rec) || repeated_respondent(ing, rec, lay, id_hash) ||
        repeated_aggregate_row(ing, rec, lay))
        return;
    struct buf err;
    buf_init(&err);
    emit_row(ing, &err);
    if (err.len) {
        text_fprintf_shown(stderr, "candour-ingest: %s", err.data);
        fputc('\n', stderr);
        ing->status = CLI_EIO;
        ing->fatal = true;
    }
    buf_release(&err);
    ing->rows_accepted++;
    ing->file_rows_accepted++;
}

/* One file row of a reshaped layout (wide.h): read as one row per period
 * whose columns hold a value (one row when the schema only ignores
 * columns).  A row with no value in any period's columns is rejected:
 * nothing of it would reach the dataset. */
static void process_wide_row(struct ingest *ing, const struct csvin_record *rec)
{
    struct wide_layout *w = &ing->wide;
    ing->wide_source = rec;
    bool any = false;
    if (rec->n_fields == w->n_file_fields) {
        size_t n = ing->schema->wide ? w->n_periods : 1;
        struct csvin_record row;
        for (size_t k = 0; k < n && !ing->fatal; k++) {
            if (!wide_row(w, rec, k, &row))
                continue;
            any = true;
            ing->wide_period = ing->schema->wide ? w->period[k] : NULL;
            process_row(ing, &row);
            ing->wide_period = NULL;
        }
    }
    if (!any) {
        ing->rows_read++;
        ing->file_rows_read++;
        if (rec->n_fields != w->n_file_fields)
            reject(ing, rec, 0, "expected %zu fields, found %zu", w->n_file_fields, rec->n_fields);
        else
            reject(ing, rec, 0, "no figures: every column that names a period is blank");
    }
    ing->wide_source = NULL;
}

static void show_progress(struct ingest *ing, struct csvin *in)
{
    time_t now = time(NULL);
    if (now == ing->last_progress)
        return;
    ing->last_progress = now;
    fputc('\r', stderr); /* the file name escaped: it goes to a terminal */
    if (in->src.file_size)
        text_fprintf_shown(stderr, "candour-ingest: %s: %3.0f%%, %llu rows ", ing->file,
                           100.0 * (double)in->progress_bytes / (double)in->src.file_size,
                           (unsigned long long)ing->file_rows_read);
    else
        text_fprintf_shown(stderr, "candour-ingest: %s: %llu rows ", ing->file,
                           (unsigned long long)ing->file_rows_read);
}

/* One row of a header of several rows (schema header-rows): each field's
 * text joined to the rows above with a space.  A blank field of any row but
 * the last takes the text to its left in that row (a cell merged across
 * columns in the spreadsheet).  When the last row is in, the joined names
 * are read as the header.  Returns whether the header is complete. */
static bool join_header_row(struct ingest *ing, const struct csvin_record *rec)
{
    bool last = ++ing->header_rows_read == ing->schema->header_rows;
    if (rec->n_fields > ing->header_join_n) {
        ing->header_join = xrealloc(ing->header_join, rec->n_fields * sizeof(char *));
        for (size_t j = ing->header_join_n; j < rec->n_fields; j++)
            ing->header_join[j] = xstrdup("");
        ing->header_join_n = rec->n_fields;
    }
    const char *left = "";
    size_t left_len = 0;
    for (size_t j = 0; j < ing->header_join_n; j++) {
        const char *f = j < rec->n_fields ? rec->field[j] : "";
        size_t len = j < rec->n_fields ? rec->len[j] : 0;
        text_trim(&f, &len);
        if (len && !memchr(f, '\0', len)) {
            left = f;
            left_len = len;
        } else if (!last) {
            f = left;
            len = left_len;
        }
        if (!len)
            continue;
        char *joined = *ing->header_join[j] ? xasprintf("%s %.*s", ing->header_join[j], (int)len, f)
                                            : xstrndup(f, len);
        free(ing->header_join[j]);
        ing->header_join[j] = joined;
    }
    if (!last)
        return false;
    size_t *lens = xcalloc(ing->header_join_n ? ing->header_join_n : 1, sizeof(size_t));
    for (size_t j = 0; j < ing->header_join_n; j++)
        lens[j] = strlen(ing->header_join[j]);
    struct csvin_record joined = *rec;
    joined.n_fields = ing->header_join_n;
    joined.field = (const char *const *)ing->header_join;
    joined.len = lens;
    read_header(ing, &joined);
    free(lens);
    return true;
}

static int on_record(void *ctx, const struct csvin_record *rec, struct csvin *in)
{
    struct ingest *ing = ctx;
    if (!ing->have_header) {
        if (ing->lines_skipped < ing->schema->skip_lines) {
            ing->lines_skipped++; /* a title line above the table */
            return 0;
        }
        if (ing->schema->header_rows > 1)
            join_header_row(ing, rec);
        else
            read_header(ing, rec);
        return ing->fatal;
    }
    if (ing->wide.active)
        process_wide_row(ing, rec);
    else
        process_row(ing, rec);
    if (ing->opt->progress && (ing->file_rows_read & 0xFFFF) == 0 &&
        (in->src.file_size > (64u << 20) || in->src.file_size == 0))
        show_progress(ing, in);
    return ing->fatal;
}

/* ---- files and the run -------------------------------------------------------- */

/* An input whose bytes (size and CRC-32) are those of an earlier input of
 * the run would count its rows twice: that stops the run. */
static void check_input_not_repeated(struct ingest *ing, uint64_t size, uint32_t crc)
{
    const struct dataset_writer *w = &ing->writer;
    for (size_t i = 0; i < w->n_inputs; i++)
        if (w->inputs[i].size == size && w->inputs[i].crc32 == crc) {
            fatal(ing, 0, 0,
                  "the same bytes as %s (%llu bytes, crc32 %08x): an input given twice would "
                  "count its rows twice",
                  w->inputs[i].name, (unsigned long long)size, crc);
            return;
        }
}

/* A percent-scale rate column whose values all lie in 0-1 holds fractions
 * (0.517 would be read as 0.517%): one error naming the columns and the
 * fix.  A column of zeros is the same either way and passes. */
static void check_rate_scales(struct ingest *ing)
{
    const struct schema *s = ing->schema;
    struct buf names;
    buf_init(&names);
    size_t n_bad = 0;
    double largest = 0;
    for (size_t c = 0; c < s->n_columns; c++) {
        if (ing->rate_count[c] && ing->rate_max[c] > 0 && ing->rate_max[c] <= 1) {
            if (n_bad < 3)
                buf_printf(&names, "%s'%s'", n_bad ? ", " : "", s->columns[c].header);
            n_bad++;
            largest = fmax(largest, ing->rate_max[c]);
        }
        ing->rate_max[c] = 0;
        ing->rate_count[c] = 0;
    }
    if (n_bad > 3)
        buf_printf(&names, " and %zu more", n_bad - 3);
    if (n_bad)
        fatal(ing, 0, 0,
              "every value of column%s %s lies between 0 and 1 (largest %g), but schema '%s' "
              "reads %s as a percentage: if the file holds fractions, declare %s with "
              "rate-scale=fraction",
              n_bad == 1 ? "" : "s", names.data, largest, s->name, n_bad == 1 ? "it" : "them",
              n_bad == 1 ? "the column" : "the columns");
    buf_release(&names);
}

static void read_file(struct ingest *ing, const char *path)
{
    ing->file = strcmp(path, "-") == 0 ? "(stdin)" : path;
    ing->file_rows_read = ing->file_rows_accepted = 0;
    buf_clear(&ing->first_reject);
    ing->last_progress = 0;
    struct csvin in;
    enum csvin_status st = csvin_read(&in, path, on_record, ing);
    if (ing->opt->progress && ing->last_progress)
        fputs("\r\033[K", stderr);
    if (st == CSVIN_ESOURCE) {
        fatal(ing, 0, 0, "%s", csvin_strerror(&in));
        if (in.src.status == SOURCE_EOPEN || in.src.status == SOURCE_EREAD ||
            in.src.status == SOURCE_EISDIR)
            ing->status = CLI_EIO;
    } else if (st != CSVIN_OK && st != CSVIN_ESTOPPED) {
        fatal(ing, in.error_line, 0, "%s", csvin_strerror(&in));
    } else if (st == CSVIN_OK && !ing->have_header) {
        fatal(ing, 0, 0, "file is empty");
    } else if (st == CSVIN_OK && ing->file_rows_read == 0) {
        fatal(ing, 0, 0, "file has a header but no data rows");
    } else if (st == CSVIN_OK && ing->file_rows_accepted == 0 && ing->rejects_open) {
        /* without --rejects the bad rows already fail the run, each named */
        fatal(ing, 0, 0, "every one of its %llu rows was rejected (the first at %s)",
              (unsigned long long)ing->file_rows_read, ing->first_reject.data);
    }
    if (!ing->fatal)
        check_input_not_repeated(ing, in.src.raw_size, in.src.raw_crc);
    if (!ing->fatal)
        check_rate_scales(ing);
    if (!ing->fatal) {
        struct ds_input input = {
            .name = (char *)ing->file,
            .size = in.src.raw_size,
            .crc32 = in.src.raw_crc,
            .rows_read = ing->file_rows_read,
            .rows_accepted = ing->file_rows_accepted,
        };
        dataset_writer_add_input(&ing->writer, &input);
    }
    csvin_close(&in);
    free_file_state(ing);
}

static void print_summary(struct ingest *ing)
{
    fprintf(stderr, "candour-ingest: summary\n");
    fprintf(stderr, "  schema           %s (%s, crc32 %08x)\n", ing->schema->name,
            schema_kind_name(ing->schema->kind), ing->schema->checksum);
    fprintf(stderr, "  files            %zu\n", ing->opt->n_inputs);
    fprintf(stderr, "  rows read        %llu\n", (unsigned long long)ing->rows_read);
    fprintf(stderr, "  rows accepted    %llu\n", (unsigned long long)ing->rows_accepted);
    fprintf(stderr, "  rows rejected    %llu", (unsigned long long)ing->rows_rejected);
    if (ing->rows_rejected && ing->opt->rejects_path && ing->status == CLI_OK)
        text_fprintf_shown(stderr, " (written to %s)", ing->opt->rejects_path);
    fputc('\n', stderr);
    static const enum column_role dropped_roles[] = {ROLE_IDENTIFIER, ROLE_FREE_TEXT, ROLE_IGNORE};
    for (size_t r = 0; r < ARRAY_LEN(dropped_roles); r++) {
        struct buf *b = &ing->dropped[dropped_roles[r]];
        size_t n = 0;
        for (size_t i = 0; i < b->len; i++)
            n += b->data[i] == '\n';
        fprintf(stderr, "  dropped %-10s %zu column%s", schema_role_name(dropped_roles[r]), n,
                n == 1 ? "" : "s");
        for (size_t i = 0; i < b->len; i++)
            if (b->data[i] == '\n')
                b->data[i] = i + 1 == b->len ? '\0' : ' ';
        if (n)
            fprintf(stderr, ": %s", b->data);
        fputc('\n', stderr);
    }
    if (ing->status == CLI_OK) {
        text_fprintf_shown(stderr, "  dataset          %s (%zu columns)", ing->opt->output_path,
                           ing->n_ds);
        fputc('\n', stderr);
    } else {
        fprintf(stderr, "  dataset          not written\n");
    }
}

static bool open_outputs(struct ingest *ing)
{
    struct buf err;
    buf_init(&err);
    const struct schema *s = ing->schema;
    bool ok = dataset_writer_open(&ing->writer, ing->opt->output_path, (uint32_t)s->kind,
                                  s->checksum, s->name, s->text, &err);
    ing->writer_open = ok;
    if (ok && ing->opt->rejects_path) {
        ok = atomic_open(&ing->rejects, ing->opt->rejects_path, 0600, &err);
        ing->rejects_open = ok;
        if (ok)
            fputs("file,line,column,reason,record\n", ing->rejects.fp);
    }
    if (!ok) {
        text_fprintf_shown(stderr, "candour-ingest: %s", err.data);
        fputc('\n', stderr);
        if (ing->writer_open) /* the rejects file failed: drop the dataset's temp file */
            dataset_writer_abort(&ing->writer);
        ing->writer_open = false;
    }
    buf_release(&err);
    return ok;
}

static void finish_outputs(struct ingest *ing)
{
    struct buf err;
    buf_init(&err);
    bool keep = ing->status == CLI_OK && !ing->fatal;
    struct atomic_file *rejects = &ing->rejects;
    size_t n_rejects = ing->rejects_open ? 1 : 0;
    if (!ing->writer_open) {
        if (n_rejects)
            atomic_abort(rejects);
    } else if (!keep) {
        dataset_writer_abort(&ing->writer);
        if (n_rejects)
            atomic_abort(rejects);
    } else if (!dataset_writer_finish_with(&ing->writer, &rejects, n_rejects, &err)) {
        /* the pair is all or nothing: neither file was replaced */
        text_fprintf_shown(stderr, "candour-ingest: %s", err.data);
        fputc('\n', stderr);
        ing->status = CLI_EIO;
    }
    buf_release(&err);
}

/* The respondent id of a respondent schema: its first identifier column
 * (schemas/README.md), or NONE. */
static size_t respondent_id_column(const struct schema *s)
{
    if (s->kind != KIND_RESPONDENT)
        return NONE;
    for (size_t c = 0; c < s->n_columns; c++)
        if (s->columns[c].role == ROLE_IDENTIFIER)
            return c;
    return NONE;
}

/* The directories of the dataset and the rejects file, locked for this run
 * alone (lib/lock.h).  One that cannot be opened is left out: creating the
 * output in it then says why. */
static bool lock_outputs(struct lock_set *locks, const struct ingest_options *opt)
{
    struct buf err;
    buf_init(&err);
    lock_set_add_parent(locks, opt->output_path, true, &err);
    if (opt->rejects_path)
        lock_set_add_parent(locks, opt->rejects_path, true, &err);
    buf_clear(&err);
    bool ok = lock_set_take(locks, "candour-ingest", !opt->no_wait, &err);
    if (!ok)
        fprintf(stderr, "candour-ingest: %s\n", err.data);
    buf_release(&err);
    return ok;
}

/* --period and the schema's period column: exactly one of them.  With
 * --period, its value must be a valid period of the schema.  False (after
 * a message) otherwise.  The schema is the caller's (freed by it). */
static bool fixed_period(struct ingest *ing)
{
    const struct schema *s = ing->schema;
    const char *column = NULL;
    for (size_t i = 0; i < s->n_columns; i++)
        if (s->columns[i].role == ROLE_PERIOD)
            column = s->columns[i].header;
    const char *given = ing->opt->period;
    if (column && given) {
        fprintf(stderr,
                "candour-ingest: --period is for files without a period column; schema "
                "'%s' reads it from column '%s'\n",
                s->name, column);
        return false;
    }
    if (!column && !given) {
        fprintf(stderr,
                "candour-ingest: schema '%s' has no period column: give the files' "
                "period with --period\n",
                s->name);
        return false;
    }
    if (!given)
        return true;
    if (!period_parse(given, strlen(given), &ing->fixed_period) ||
        !schema_period_valid(s, &ing->fixed_period)) {
        fprintf(stderr, "candour-ingest: --period '%s' is not a valid period of schema '%s'\n",
                given, s->name);
        return false;
    }
    ing->fixed = true;
    return true;
}

int ingest_run(const struct ingest_options *opt)
{
    struct ingest ing;
    memset(&ing, 0, sizeof(ing));
    ing.opt = opt;
    struct buf err;
    buf_init(&err);
    ing.schema = opt->schema;
    if (!ing.schema)
        ing.schema = ing.own_schema = schema_load(opt->schema_path, &err);
    if (!ing.schema) {
        text_fprintf_shown(stderr, "candour-ingest: %s", err.data);
        fputc('\n', stderr);
        buf_release(&err);
        return CLI_EIO;
    }
    buf_release(&err);
    if (!fixed_period(&ing)) {
        schema_free(ing.own_schema);
        return CLI_EIO;
    }
    ing.id_column = respondent_id_column(ing.schema);
    idset_init(&ing.seen);
    struct lock_set locks = {0};
    if (!lock_outputs(&locks, opt)) {
        ing.status = 2;
    } else if (open_outputs(&ing)) {
        plan_columns(&ing);
        for (size_t i = 0; i < opt->n_inputs && !ing.fatal; i++) {
            ing.file_index = (uint32_t)i;
            read_file(&ing, opt->inputs[i]);
        }
        if (ing.messages > INGEST_MAX_MESSAGES)
            fprintf(stderr, "candour-ingest: ... and %lu more bad rows\n",
                    ing.messages - INGEST_MAX_MESSAGES);
        bool bad_rows = ing.status == CLI_EDATA && !ing.fatal;
        finish_outputs(&ing);
        if (!ing.fatal && !opt->quiet)
            print_summary(&ing);
        if (bad_rows)
            fprintf(stderr,
                    "candour-ingest: %llu bad row%s: nothing written (use --rejects FILE "
                    "to set them aside and ingest the rest)\n",
                    (unsigned long long)ing.rows_rejected, ing.rows_rejected == 1 ? "" : "s");
        else if (ing.fatal)
            fprintf(stderr, "candour-ingest: nothing written\n");
    } else {
        ing.status = CLI_EIO;
    }
    lock_set_release(&locks);
    idset_release(&ing.seen);
    for (size_t r = 0; r < ROLE_COUNT_; r++)
        buf_release(&ing.dropped[r]);
    buf_release(&ing.key);
    buf_release(&ing.msg);
    buf_release(&ing.line);
    buf_release(&ing.row_key);
    buf_release(&ing.key_names);
    free(ing.ds_of_column);
    free(ing.row);
    if (ing.demographic_memo)
        for (size_t c = 0; c < ing.schema->n_columns; c++) {
            strdict_release(&ing.demographic_memo[c].seen);
            free(ing.demographic_memo[c].group);
        }
    free(ing.demographic_memo);
    free(ing.digit_entry);
    free(ing.item_scale);
    free(ing.u8_columns);
    free(ing.answer);
    free(ing.other_columns);
    free(ing.verbatim);
    if (ing.unit_names)
        for (size_t c = 0; c < ing.schema->n_columns; c++) {
            struct unit_names *u = &ing.unit_names[c];
            for (size_t k = 0; k < u->keys.count; k++)
                free(u->spelling[k]);
            free(u->spelling);
            strdict_release(&u->keys);
            buf_release(&u->last_raw);
            strdict_release(&u->raw);
            free(u->unit_of_raw);
            free(u->ds_code);
        }
    free(ing.unit_names);
    free(ing.rate_max);
    free(ing.rate_count);
    buf_release(&ing.first_reject);
    buf_release(&ing.period_cache.raw);
    buf_release(&ing.org_cache.raw);
    schema_free(ing.own_schema);
    return ing.status;
}
