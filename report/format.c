#include "format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "text.h"

struct fmt_row {
    char **cells; /* n_columns cells; a note row has two: first cell and text */
    bool header;
    bool note;
    bool heading; /* a note row whose first cell spans the table */
};

/* ---- text from user data ------------------------------------------------ */

const char *fmt_unformula(const char *field)
{
    if (field[0] == '\'' && csv_is_formula_like(field + 1, strlen(field + 1)))
        return field + 1;
    return field;
}

void fmt_escape(struct buf *out, const char *s, size_t len)
{
    text_escape_visible(s, len, (size_t)-1, out);
}

size_t fmt_columns(const char *s, size_t len)
{
    size_t columns = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            columns++;
    return columns;
}

/* Byte offset just after the first max_columns characters of s. */
static size_t offset_after_columns(const char *s, size_t len, size_t max_columns)
{
    size_t columns = 0;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (columns == max_columns)
                return i;
            columns++;
        }
    }
    return len;
}

void fmt_fit(struct buf *out, const char *s, size_t len, size_t max_columns)
{
    if (fmt_columns(s, len) <= max_columns) {
        buf_append(out, s, len);
        return;
    }
    if (max_columns <= 3) {
        buf_append(out, "...", max_columns);
        return;
    }
    buf_append(out, s, offset_after_columns(s, len, max_columns - 3));
    buf_puts(out, "...");
}

void fmt_fit_left(struct buf *out, const char *s, size_t len, size_t max_columns)
{
    size_t columns = fmt_columns(s, len);
    if (columns <= max_columns) {
        buf_append(out, s, len);
        return;
    }
    if (max_columns <= 3) {
        buf_append(out, "...", max_columns);
        return;
    }
    size_t start = offset_after_columns(s, len, columns - (max_columns - 3));
    buf_puts(out, "...");
    buf_append(out, s + start, len - start);
}

void fmt_wrap(struct buf *out, const char *text, size_t width, const char *first_prefix,
              const char *prefix)
{
    size_t first_columns = fmt_columns(first_prefix, strlen(first_prefix));
    size_t next_columns = fmt_columns(prefix, strlen(prefix));
    buf_puts(out, first_prefix);
    size_t used = first_columns;
    size_t start_of_line = first_columns;
    bool line_empty = true;
    const char *p = text;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t word_len = strcspn(p, " ");
        size_t word_columns = fmt_columns(p, word_len);
        size_t need = word_columns + (line_empty ? 0 : 1);
        if (!line_empty && used + need > width) {
            buf_putc(out, '\n');
            buf_puts(out, prefix);
            used = start_of_line = next_columns;
            line_empty = true;
            need = word_columns;
        }
        if (!line_empty) {
            buf_putc(out, ' ');
            used++;
        }
        /* A word wider than a whole line is broken into pieces. */
        while (used + word_columns > width && width > start_of_line) {
            size_t room = width - used;
            if (room == 0) {
                buf_putc(out, '\n');
                buf_puts(out, prefix);
                used = start_of_line = next_columns;
                continue;
            }
            size_t cut = offset_after_columns(p, word_len, room);
            buf_append(out, p, cut);
            p += cut;
            word_len -= cut;
            word_columns -= room;
            buf_putc(out, '\n');
            buf_puts(out, prefix);
            used = start_of_line = next_columns;
        }
        buf_append(out, p, word_len);
        used += word_columns;
        line_empty = false;
        p += word_len;
    }
    buf_putc(out, '\n');
}

/* ---- numbers ---------------------------------------------------------------- */

bool fmt_parse(const char *cell, double *value)
{
    size_t len = strlen(cell);
    return len > 0 && parse_double(cell, len, value) && isfinite(*value);
}

/* True when the formatted number s is zero: only '-', '0' and '.'. */
static bool formats_as_zero(const char *s)
{
    return strspn(s, "-0.") == strlen(s);
}

void fmt_fixed(struct buf *out, double v, int decimals)
{
    char text[64];
    snprintf(text, sizeof(text), "%.*f", decimals, v);
    buf_puts(out, formats_as_zero(text) && text[0] == '-' ? text + 1 : text);
}

void fmt_signed(struct buf *out, double v, int decimals)
{
    char text[64];
    snprintf(text, sizeof(text), "%.*f", decimals, v);
    if (formats_as_zero(text))
        buf_puts(out, text[0] == '-' ? text + 1 : text);
    else if (text[0] == '-')
        buf_puts(out, text);
    else
        buf_printf(out, "+%s", text);
}

void fmt_pvalue(struct buf *out, double p)
{
    if (p < 0.001)
        buf_puts(out, "<0.001");
    else
        buf_printf(out, "%.3f", p);
}

void fmt_count(struct buf *out, unsigned long long v)
{
    char digits[32];
    int n = snprintf(digits, sizeof(digits), "%llu", v);
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf_putc(out, ',');
        buf_putc(out, digits[i]);
    }
}

/* ---- tables ----------------------------------------------------------------- */

void fmt_table_init(struct fmt_table *t, size_t n_columns)
{
    memset(t, 0, sizeof(*t));
    t->n_columns = n_columns;
    t->align = xcalloc(n_columns, sizeof(*t->align));
}

void fmt_table_release(struct fmt_table *t)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        size_t n = t->rows[r].note ? 2 : t->n_columns;
        for (size_t c = 0; c < n; c++)
            free(t->rows[r].cells[c]);
        free(t->rows[r].cells);
    }
    free(t->rows);
    free(t->align);
    memset(t, 0, sizeof(*t));
}

void fmt_table_align(struct fmt_table *t, size_t column, enum fmt_align align)
{
    if (column < t->n_columns)
        t->align[column] = align;
}

static struct fmt_row *add_row(struct fmt_table *t, size_t n_cells)
{
    xgrow(&t->rows, &t->cap, t->n_rows + 1, sizeof(*t->rows));
    struct fmt_row *row = &t->rows[t->n_rows++];
    memset(row, 0, sizeof(*row));
    row->cells = xcalloc(n_cells, sizeof(char *));
    return row;
}

void fmt_table_header(struct fmt_table *t, const char *const *cells)
{
    struct fmt_row *row = add_row(t, t->n_columns);
    row->header = true;
    for (size_t c = 0; c < t->n_columns; c++)
        row->cells[c] = xstrdup(cells[c] ? cells[c] : "");
}

void fmt_table_row(struct fmt_table *t, const char *const *cells)
{
    struct fmt_row *row = add_row(t, t->n_columns);
    for (size_t c = 0; c < t->n_columns; c++)
        row->cells[c] = xstrdup(cells[c] ? cells[c] : "");
}

void fmt_table_note(struct fmt_table *t, const char *first, const char *text)
{
    struct fmt_row *row = add_row(t, 2);
    row->note = true;
    row->cells[0] = xstrdup(first ? first : "");
    row->cells[1] = xstrdup(text ? text : "");
}

void fmt_table_heading(struct fmt_table *t, const char *text)
{
    fmt_table_note(t, text, "");
    t->rows[t->n_rows - 1].heading = true;
}

static void put_spaces(struct buf *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_putc(out, ' ');
}

/* Append cell s fitted into width columns with the column's alignment. */
static void put_cell(struct buf *out, const char *s, size_t width, enum fmt_align align)
{
    size_t len = strlen(s);
    size_t columns = fmt_columns(s, len);
    if (columns > width) {
        fmt_fit(out, s, len, width);
        return;
    }
    if (align == FMT_RIGHT)
        put_spaces(out, width - columns);
    buf_append(out, s, len);
    if (align == FMT_LEFT)
        put_spaces(out, width - columns);
}

/* Remove spaces at the end of out (the end of the line just written). */
static void trim_line_end(struct buf *out)
{
    while (out->len && out->data[out->len - 1] == ' ')
        out->data[--out->len] = '\0';
}

void fmt_table_render(const struct fmt_table *t, struct buf *out, const char *indent, size_t gap,
                      size_t width, size_t shrink)
{
    size_t n = t->n_columns;
    size_t *widths = xcalloc(n ? n : 1, sizeof(size_t));
    for (size_t r = 0; r < t->n_rows; r++) {
        const struct fmt_row *row = &t->rows[r];
        size_t cells = row->heading ? 0 : row->note ? 1 : n;
        for (size_t c = 0; c < cells; c++) {
            size_t w = fmt_columns(row->cells[c], strlen(row->cells[c]));
            if (w > widths[c])
                widths[c] = w;
        }
    }
    size_t indent_columns = fmt_columns(indent, strlen(indent));
    size_t total = indent_columns;
    for (size_t c = 0; c < n; c++)
        total += widths[c] + (c ? gap : 0);
    if (total > width && shrink < n && widths[shrink] > 8) {
        size_t excess = total - width;
        size_t can = widths[shrink] - 8;
        widths[shrink] -= excess < can ? excess : can;
    }
    struct buf line;
    buf_init(&line);
    for (size_t r = 0; r < t->n_rows; r++) {
        const struct fmt_row *row = &t->rows[r];
        buf_clear(&line);
        buf_puts(&line, indent);
        if (row->heading) {
            buf_puts(&line, row->cells[0]);
            buf_putc(&line, '\n');
            fmt_enforce_width(&line, width);
            buf_append(out, line.data, line.len);
            continue;
        }
        if (row->note) {
            size_t first = n > 1 ? widths[0] : 0;
            put_cell(&line, row->cells[0], first, t->align[0]);
            put_spaces(&line, gap);
            size_t at = indent_columns + first + gap;
            size_t text_width = width > at + 20 ? width : at + 20;
            char *pad = xcalloc(at + 1, 1);
            memset(pad, ' ', at);
            char *start = xstrdup(line.data);
            buf_clear(&line);
            fmt_wrap(&line, row->cells[1], text_width, start, pad);
            free(start);
            free(pad);
            fmt_enforce_width(&line, width);
            buf_append(out, line.data, line.len);
            continue;
        }
        for (size_t c = 0; c < n; c++) {
            if (c)
                put_spaces(&line, gap);
            put_cell(&line, row->cells[c], widths[c], t->align[c]);
        }
        trim_line_end(&line);
        buf_putc(&line, '\n');
        if (row->header) {
            buf_puts(&line, indent);
            for (size_t c = 0; c < n; c++) {
                if (c)
                    put_spaces(&line, gap);
                for (size_t i = 0; i < widths[c]; i++)
                    buf_putc(&line, '-');
            }
            buf_putc(&line, '\n');
        }
        fmt_enforce_width(&line, width);
        buf_append(out, line.data, line.len);
    }
    buf_release(&line);
    free(widths);
}

/* ---- whole documents ---------------------------------------------------------- */

void fmt_enforce_width(struct buf *text, size_t width)
{
    struct buf result;
    buf_init(&result);
    size_t start = 0;
    while (start < text->len) {
        const char *line = text->data + start;
        const char *nl = memchr(line, '\n', text->len - start);
        size_t len = nl ? (size_t)(nl - line) : text->len - start;
        size_t kept = result.len;
        fmt_fit(&result, line, len, width);
        while (result.len > kept && result.data[result.len - 1] == ' ')
            result.data[--result.len] = '\0';
        if (nl)
            buf_putc(&result, '\n');
        start += len + (nl ? 1 : 0);
    }
    buf_clear(text);
    buf_append(text, result.data, result.len);
    buf_release(&result);
}
