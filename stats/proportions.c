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

bool write_proportions(const struct stats_run *run, struct table *t, struct buf *err)
{
    const struct model *m = &run->model;
    if (!table_open(t, run->opt->output_dir, PROPORTIONS_FILE, PROPORTIONS_COLUMNS, err))
        return false;
    const char *method = m_prop_method_name(run->opt->ci);
    for (size_t k = 0; k < m->n_cells; k++) {
        size_t c = run->order[k];
        if (!table_unit(t) || !cell_shown(run, c)) /* a unit: a cell's rows */
            continue;
        for (size_t i = 0; i < m->n_items; i++) {
            const struct item_count *ic = &m->counts[c * m->n_items + i];
            table_name(t, cell_period(run, c));
            table_name(t, cell_scope(run, c));
            table_name(t, m->items[i].id);
            table_name(t, cell_grouping(run, c));
            table_name(t, cell_group(run, c));
            if (ic->supp != SUPP_NONE) {
                for (int f = 0; f < 5; f++)
                    table_blank(t);
            } else {
                struct m_interval ci;
                m_prop_ci(run->opt->ci, ic->positive, ic->n, run->opt->conf, &ci);
                table_count(t, ic->n); /* effective bases need not be whole */
                table_count(t, ic->positive);
                table_num(t, ci.estimate);
                table_num(t, ci.lower);
                table_num(t, ci.upper);
            }
            table_name(t, method);
            table_name(t, suppression_name(ic->supp));
            table_name(t, cell_parent_group(run, c));
            table_name(t, m->items[i].measure);
            table_name(t, m->items[i].polarity == POLARITY_HIGHER ? "higher" : "lower");
            weighted_columns(run, c, i, t);
            table_common(t, run);
            if (ic->supp == SUPP_INCOMPLETE)
                table_int(t, run->disclosure.cell_rejected[c]);
            else
                table_blank(t);
            table_end_row(t);
        }
    }
    return true;
}
