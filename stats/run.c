/* Shared pieces of a stats run: cell text, output order, common columns. */
#include <stdlib.h>
#include <string.h>

#include "stats.h"

const char *cell_period(const struct stats_run *run, size_t cell)
{
    return run->model.periods.strings[run->model.cells[cell].period];
}

const char *cell_scope(const struct stats_run *run, size_t cell)
{
    return run->model.scopes[run->model.cells[cell].scope].name;
}

const char *cell_grouping(const struct stats_run *run, size_t cell)
{
    return run->model.groupings[run->model.cells[cell].grouping].name;
}

const char *cell_group(const struct stats_run *run, size_t cell)
{
    return run->model.groups.strings[run->model.cells[cell].group];
}

/* The enclosing unit of a unit cell (a team's directorate), else "". */
const char *cell_parent_group(const struct stats_run *run, size_t cell)
{
    const struct popcell *c = &run->model.cells[cell];
    if (c->parent == MODEL_NONE || run->model.cells[c->parent].grouping == 0)
        return "";
    return cell_group(run, c->parent);
}

const char *suppression_name(enum suppression s)
{
    static const char *const names[] = {SUPPRESSED_NO, SUPPRESSED_PRIMARY, SUPPRESSED_SECONDARY,
                                        SUPPRESSED_LEDGER, SUPPRESSED_INCOMPLETE};
    return names[s];
}

const char *polarity_name(enum polarity p)
{
    return p == POLARITY_HIGHER ? "higher" : "lower";
}

void item_fields_make(struct item_fields *f, const struct model *m)
{
    f->n_items = m->n_items;
    f->id = xcalloc(m->n_items ? m->n_items : 1, sizeof(*f->id));
    f->kind = xcalloc(m->n_items ? m->n_items : 1, sizeof(*f->kind));
    for (size_t i = 0; i < m->n_items; i++) {
        table_fields_init(&f->id[i]);
        table_fields_str(&f->id[i], m->items[i].id);
        table_fields_init(&f->kind[i]);
        table_fields_str(&f->kind[i], m->items[i].measure);
        table_fields_str(&f->kind[i], polarity_name(m->items[i].polarity));
    }
}

void item_fields_release(struct item_fields *f)
{
    for (size_t i = 0; i < f->n_items; i++) {
        table_fields_release(&f->id[i]);
        table_fields_release(&f->kind[i]);
    }
    free(f->id);
    free(f->kind);
    f->id = f->kind = NULL;
    f->n_items = 0;
}

void stats_format_common(struct stats_run *run)
{
    numfmt_shortest(run->conf_text, run->opt->conf);
    numfmt_shortest(run->min_n_text, run->opt->min_n);
}

void table_common(struct table *t, const struct stats_run *run)
{
    table_name(t, run->conf_text);
    table_name(t, run->min_n_text);
}

void table_fields_common(struct table_fields *f, const struct stats_run *run)
{
    table_fields_str(f, run->conf_text);
    table_fields_str(f, run->min_n_text);
}

void table_fields_tail(struct table_fields *f, const char *last, const struct stats_run *run)
{
    table_fields_init(f);
    table_fields_str(f, last);
    table_fields_common(f, run);
}

void table_fields_hidden(struct table_fields *f, int blanks, enum suppression s)
{
    table_fields_init(f);
    for (int k = 0; k < blanks; k++)
        table_fields_blank(f);
    table_fields_str(f, suppression_name(s));
}

static const struct stats_run *sort_run; /* qsort has no context argument */

static int compare_cells(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    const struct model *m = &sort_run->model;
    const struct popcell *x = &m->cells[a], *y = &m->cells[b];
    int d = strcmp(cell_period(sort_run, a), cell_period(sort_run, b));
    if (d)
        return d;
    enum scope_kind kx = m->scopes[x->scope].kind, ky = m->scopes[y->scope].kind;
    if (kx != ky)
        return (int)kx - (int)ky;
    if ((d = strcmp(cell_scope(sort_run, a), cell_scope(sort_run, b))))
        return d;
    if (x->grouping != y->grouping)
        return x->grouping < y->grouping ? -1 : 1;
    if ((d = strcmp(cell_parent_group(sort_run, a), cell_parent_group(sort_run, b))))
        return d;
    return strcmp(cell_group(sort_run, a), cell_group(sort_run, b));
}

void stats_sort_cells(struct stats_run *run)
{
    size_t n = run->model.n_cells;
    run->order = xcalloc(n ? n : 1, sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        run->order[i] = i;
    sort_run = run;
    qsort(run->order, n, sizeof(size_t), compare_cells);
    sort_run = NULL;
}

bool scope_name_shown(const struct stats_run *run, const char *name)
{
    int64_t s = strdict_find(&run->model.scope_names, name, strlen(name));
    return s < 0 ? !run->opt->orgs : scope_shown(run, (size_t)s);
}
