/* Plain-text formatting for fixed-width reports: printable text from user
 * data, widths counted in characters, word wrapping, numbers, and aligned
 * tables.  Everything appends to a struct buf (util.h) and never fails. */
#ifndef CANDOUR_REPORT_FORMAT_H
#define CANDOUR_REPORT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* ---- text from user data ------------------------------------------------ */

/* A text field of a candour-stats CSV without the apostrophe candour-stats
 * adds in front of text a spreadsheet would run as a formula ("'=A1" gives
 * "=A1"; "'abc" stays as it is).  Points into field; do not free. */
const char *fmt_unformula(const char *field);

/* Append s as one printable line: C0 and C1 control characters, DEL,
 * invisible or direction-changing characters (zero-width spaces, bidi
 * embeddings and isolates, line and paragraph separators, BOM) are escaped
 * as \n, \r, \t, \\xHH (bytes) or \u{XXXX}, and so is every byte of text
 * that is not valid UTF-8.  A backslash stays a backslash. */
void fmt_escape(struct buf *out, const char *s, size_t len);

/* Columns taken by UTF-8 text: one per character (code point). */
size_t fmt_columns(const char *s, size_t len);

/* Append printable s cut to at most max_columns characters; when it is cut,
 * the last three of those are "...".  Cuts only between characters. */
void fmt_fit(struct buf *out, const char *s, size_t len, size_t max_columns);

/* Append printable s cut from the left: "..." and the last characters, at
 * most max_columns in all (for file paths, whose end names the file). */
void fmt_fit_left(struct buf *out, const char *s, size_t len, size_t max_columns);

/* Append printable text word-wrapped to lines of at most width columns, each
 * ending in '\n'.  The first line starts with first_prefix, the others with
 * prefix.  Words are split at spaces; a word longer than a line is broken.
 * Runs of spaces between words become one space. */
void fmt_wrap(struct buf *out, const char *text, size_t width, const char *first_prefix,
              const char *prefix);

/* ---- numbers ---------------------------------------------------------------- */

/* A number from a CSV cell: false when blank or not a finite number. */
bool fmt_parse(const char *cell, double *value);

/* v with a fixed number of decimals; never "-0.0". */
void fmt_fixed(struct buf *out, double v, int decimals);
/* Like fmt_fixed with a sign: "+1.2", "-1.2", "0.0". */
void fmt_signed(struct buf *out, double v, int decimals);
/* A p- or q-value: "<0.001" or three decimals. */
void fmt_pvalue(struct buf *out, double p);
/* Whole number with thousands separators: 12,345. */
void fmt_count(struct buf *out, unsigned long long v);

/* ---- tables ----------------------------------------------------------------- */

enum fmt_align { FMT_LEFT, FMT_RIGHT };

/* An aligned table of printable cells.  Rows are a header (optional, the
 * first row added with fmt_table_header), ordinary rows, and note rows: a
 * first cell followed by free text that spans the other columns and is
 * wrapped there. */
struct fmt_table {
    size_t n_columns;
    enum fmt_align *align;
    struct fmt_row *rows;
    size_t n_rows, cap;
};

void fmt_table_init(struct fmt_table *t, size_t n_columns);
void fmt_table_release(struct fmt_table *t);
void fmt_table_align(struct fmt_table *t, size_t column, enum fmt_align align);
/* Header cells (n_columns of them, copied); drawn with a rule of dashes under. */
void fmt_table_header(struct fmt_table *t, const char *const *cells);
/* An ordinary row (n_columns cells, copied; NULL is an empty cell). */
void fmt_table_row(struct fmt_table *t, const char *const *cells);
/* A note row: first cell, then text spanning the other columns. */
void fmt_table_note(struct fmt_table *t, const char *first, const char *text);
/* A heading row: text on a line of its own, which does not widen the first
 * column (cut at the table's width). */
void fmt_table_heading(struct fmt_table *t, const char *text);

/* Append the table: each line starts with indent, columns are separated by
 * gap spaces, and no line is wider than width columns.  When the columns do
 * not fit, column shrink is narrowed (its cells cut with "...") down to
 * 8 columns; then any line still too wide is cut.  No trailing spaces. */
void fmt_table_render(const struct fmt_table *t, struct buf *out, const char *indent, size_t gap,
                      size_t width, size_t shrink);

/* ---- whole documents ---------------------------------------------------------- */

/* Cut every line of text wider than width columns (ending it in "...") and
 * drop trailing spaces: a last guard that a document fits its width. */
void fmt_enforce_width(struct buf *text, size_t width);

#endif
