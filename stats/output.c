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
    next_field(t);
    csv_put_field(&t->line, s, strlen(s), true);
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
    return &t->file;
}

void table_abort(struct table *t)
{
    buf_release(&t->line);
    atomic_abort(&t->file);
}
