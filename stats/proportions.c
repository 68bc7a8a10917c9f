/* proportions.csv: % positive (or experiencing) per cell and item with its
 * confidence interval (Wilson score by default, Newcombe 1998 method 3;
 * Clopper-Pearson exact; Jeffreys), after disclosure control.  With --weight
 * also the NSS occupational-group weighted proportion (load.c) with the
 * same interval method fed with the Kish effective sample size:
 * x = p_w * n_eff, n = n_eff. */
#include <math.h>
#include <string.h>

#include "stats.h"

/* The weighted columns: blank without --weight, for a suppressed cell, and
 * for a cell with no weighted data (no answers; aggregated counts). */
static void weighted_columns(const struct stats_run *run, size_t cell, size_t item,
                             struct table *t)
{
    const struct model *m = &run->model;
    double p_w, n_eff;
    struct m_interval ci;
    if (!run->opt->weight || m->counts[cell * m->n_items + item].supp != SUPP_NONE ||
        !weighted_proportion(&m->weighted_sums[cell * m->n_items + item], &p_w, &n_eff) ||
        m_prop_ci(run->opt->ci, fmin(p_w * n_eff, n_eff), n_eff, run->opt->conf, &ci) != M_OK) {
        for (int f = 0; f < 4; f++)
            table_blank(t);
        return;
    }
    table_num(t, p_w);
    table_num(t, ci.lower);
    table_num(t, ci.upper);
    table_num(t, n_eff);
}

/* The runs of fields a row is made of besides its figures (table_fields):
 * per table, per item (item_fields) and per cell, so that a row is a few
 * copies; 2.3 million rows per national year. */
struct proportion_fields {
    struct item_fields items;
    struct table_fields method_supp[N_SUPPRESSION]; /* method, suppressed */
    struct table_fields no_figures;                 /* a suppressed row's 5 blanks */
    struct table_fields unweighted_tail;            /* 4 weighted blanks, common */
    struct table_fields common;
    struct table_fields lead, mid, parent; /* the cell's: period, scope; grouping, group; parent */
    struct table_span_memo figures;        /* n, positive, estimate, interval by counts */
};

static void fields_make(const struct stats_run *run, struct proportion_fields *f)
{
    item_fields_make(&f->items, &run->model);
    for (int s = 0; s < N_SUPPRESSION; s++) {
        table_fields_init(&f->method_supp[s]);
        table_fields_str(&f->method_supp[s], m_prop_method_name(run->opt->ci));
        table_fields_str(&f->method_supp[s], suppression_name((enum suppression)s));
    }
    table_fields_init(&f->no_figures);
    for (int k = 0; k < 5; k++)
        table_fields_blank(&f->no_figures);
    table_fields_init(&f->unweighted_tail);
    for (int k = 0; k < 4; k++)
        table_fields_blank(&f->unweighted_tail);
    table_fields_common(&f->unweighted_tail, run);
    table_fields_init(&f->common);
    table_fields_common(&f->common, run);
    table_fields_init(&f->lead);
    table_fields_init(&f->mid);
    table_fields_init(&f->parent);
    f->figures.slots = NULL;
}

static void fields_release(struct proportion_fields *f)
{
    item_fields_release(&f->items);
    for (int s = 0; s < N_SUPPRESSION; s++)
        table_fields_release(&f->method_supp[s]);
    table_fields_release(&f->no_figures);
    table_fields_release(&f->unweighted_tail);
    table_fields_release(&f->common);
    table_fields_release(&f->lead);
    table_fields_release(&f->mid);
    table_fields_release(&f->parent);
    table_span_release(&f->figures);
}

static void cell_fields(const struct stats_run *run, size_t c, struct proportion_fields *f)
{
    table_fields_clear(&f->lead);
    table_fields_str(&f->lead, cell_period(run, c));
    table_fields_str(&f->lead, cell_scope(run, c));
    table_fields_clear(&f->mid);
    table_fields_str(&f->mid, cell_grouping(run, c));
    table_fields_str(&f->mid, cell_group(run, c));
    table_fields_clear(&f->parent);
    table_fields_str(&f->parent, cell_parent_group(run, c));
}

/* n, positive, estimate and interval: the method and level are the run's,
 * so the counts decide them, and the figures of counts met lately are
 * copied from f->figures (m_prop_ci and five numbers formatted, else). */
static void write_figures(const struct stats_run *run, struct table *t,
                          const struct item_count *ic, struct proportion_fields *f)
{
    uint64_t key = table_counts_key(ic->n, ic->positive);
    if (table_span_find(t, &f->figures, key, 5))
        return;
    size_t from = t->line.len;
    struct m_interval ci;
    m_prop_ci(run->opt->ci, ic->positive, ic->n, run->opt->conf, &ci);
    table_count(t, ic->n); /* effective bases need not be whole */
    table_count(t, ic->positive);
    table_num(t, ci.estimate);
    table_num(t, ci.lower);
    table_num(t, ci.upper);
    table_span_keep(t, &f->figures, key, from);
}

static void write_row(const struct stats_run *run, struct table *t, size_t c, size_t i,
                      struct proportion_fields *f)
{
    const struct model *m = &run->model;
    const struct item_count *ic = &m->counts[c * m->n_items + i];
    table_put(t, &f->lead);
    table_put(t, &f->items.id[i]);
    table_put(t, &f->mid);
    if (ic->supp != SUPP_NONE) {
        table_put(t, &f->no_figures);
    } else {
        write_figures(run, t, ic, f);
    }
    table_put(t, &f->method_supp[ic->supp]);
    table_put(t, &f->parent);
    table_put(t, &f->items.kind[i]);
    if (run->opt->weight) {
        weighted_columns(run, c, i, t);
        table_put(t, &f->common);
    } else {
        table_put(t, &f->unweighted_tail);
    }
    if (ic->supp == SUPP_INCOMPLETE)
        table_int(t, run->disclosure.cell_rejected[c]);
    else
        table_blank(t);
    table_end_row(t);
}

bool write_proportions(const struct stats_run *run, struct table *t, struct buf *err)
{
    const struct model *m = &run->model;
    if (!table_open(t, run->opt->output_dir, PROPORTIONS_FILE, PROPORTIONS_COLUMNS, err))
        return false;
    struct proportion_fields f;
    fields_make(run, &f);
    for (size_t k = 0; k < m->n_cells; k++) {
        size_t c = run->order[k];
        if (!table_unit(t) || !cell_shown(run, c)) /* a unit: a cell's rows */
            continue;
        cell_fields(run, c, &f);
        for (size_t i = 0; i < m->n_items; i++)
            write_row(run, t, c, i, &f);
    }
    fields_release(&f);
    return true;
}
