#include "output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "numfmt.h"

bool table_open(struct table *t, const char *dir, const char *name, const char *header,
                struct buf *err)
{
    memset(t, 0, sizeof(*t));
    char *path = xasprintf("%s/%s", dir, name);
    bool ok = atomic_open(&t->file, path, 0644, err);
    free(path);
    if (!ok)
        return false;
    buf_init(&t->line);
    t->n_columns = 1;
    for (const char *c = header; *c; c++)
        t->n_columns += *c == ',';
    t->memo = xcalloc(t->n_columns, sizeof(*t->memo));
    fputs(header, t->file.fp);
    fputc('\n', t->file.fp);
    return true;
}

static void next_field(struct table *t)
{
    if (t->column++)
        buf_putc(&t->line, ',');
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
    csv_put_field(&t->line, s, len, true);
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

static void release_memo(struct table *t)
{
    for (size_t c = 0; t->memo && c < t->n_columns; c++) {
        free(t->memo[c].text);
        free(t->memo[c].field);
    }
    free(t->memo);
    t->memo = NULL;
}

void table_num(struct table *t, double v)
{
    next_field(t);
    if (!isnan(v)) {
        char text[NUMFMT_MAX];
        buf_append(&t->line, text, numfmt_g15(text, v == 0 ? 0.0 : v)); /* no "-0" */
    }
}

void table_int(struct table *t, double v)
{
    next_field(t);
    if (!isnan(v)) {
        char text[NUMFMT_MAX];
        buf_append(&t->line, text, numfmt_f0(text, v));
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

void table_end_row(struct table *t)
{
    if (t->column != t->n_columns) {
        fprintf(stderr, "candour-stats: internal error: row of %zu fields in a table of %zu\n",
                t->column, t->n_columns);
        abort();
    }
    buf_putc(&t->line, '\n');
    if (!atomic_write(&t->file, t->line.data, t->line.len))
        t->failed = true;
    buf_clear(&t->line);
    t->column = 0;
}

struct atomic_file *table_finish(struct table *t)
{
    buf_release(&t->line);
    release_memo(t);
    return &t->file;
}

void table_abort(struct table *t)
{
    buf_release(&t->line);
    release_memo(t);
    atomic_abort(&t->file);
}
