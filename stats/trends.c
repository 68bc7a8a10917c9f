/* trends.csv: change of a cell's proportion from the previous period.
 *
 * For every cell (orgs, ALL, GROUP:<name>; every grouping, units too) that
 * has a cell of the same place in the previous period (period_ordinal - 1:
 * last year, last quarter or last month), and every item asked in both
 * periods: change = current - previous with Newcombe's hybrid score interval
 * (Newcombe 1998 method 10, current as group 1) and the two-sided p-value of
 * the pooled two-proportion z test (no continuity correction).  The two
 * periods' respondents are treated as independent samples.
 *
 * Disclosure: when either cell is suppressed the row keeps its coordinates,
 * says which suppression applies (the current cell's if it is suppressed,
 * else the previous one's) and every figure is blank.
 *
 * --weight does not change this file: changes are of unweighted counts.
 * TODO(weighting): weighted rows would take weighted_proportion() (load.h)
 * of both cells as x = p_w * n_eff, n = n_eff, as benchmarks.csv does.
 */
#include <math.h>
#include <stdlib.h>

#include "series.h"
#include "stats.h"

#define TRENDS_HEADER                                                                              \
    "org,item,group_dim,group,period,previous_period,estimate,previous_estimate,change,"           \
    "change_lower,change_upper,p_value,suppressed,parent_group,n,positive,previous_n,"             \
    "previous_positive,z,measure,polarity," COMMON_COLUMNS

static void write_row(const struct stats_run *run, struct table *t, size_t cell, size_t prev,
                      size_t item)
{
    const struct model *m = &run->model;
    const struct item_count *cur = &m->counts[cell * m->n_items + item];
    const struct item_count *old = &m->counts[prev * m->n_items + item];
    table_name(t, cell_scope(run, cell));
    table_name(t, m->items[item].id);
    table_name(t, cell_grouping(run, cell));
    table_name(t, cell_group(run, cell));
    table_name(t, cell_period(run, cell));
    table_name(t, cell_period(run, prev));
    enum suppression supp = cur->supp != SUPP_NONE ? cur->supp : old->supp;
    struct m_interval diff;
    struct m_ztest test;
    if (supp == SUPP_NONE &&
        (m_diff_newcombe(cur->positive, cur->n, old->positive, old->n, run->opt->conf, &diff) !=
             M_OK ||
         m_ztest_2prop(cur->positive, cur->n, old->positive, old->n, &test) != M_OK)) {
        diff.estimate = diff.lower = diff.upper = NAN;
        test.z = test.p_value = NAN;
    }
    if (supp != SUPP_NONE) {
        for (int f = 0; f < 6; f++)
            table_blank(t);
    } else {
        table_num(t, cur->positive / cur->n);
        table_num(t, old->positive / old->n);
        table_num(t, diff.estimate);
        table_num(t, diff.lower);
        table_num(t, diff.upper);
        table_num(t, test.p_value);
    }
    table_name(t, suppression_name(supp));
    table_name(t, cell_parent_group(run, cell));
    if (supp != SUPP_NONE) {
        for (int f = 0; f < 5; f++)
            table_blank(t);
    } else {
        table_int(t, cur->n);
        table_count(t, cur->positive);
        table_int(t, old->n);
        table_count(t, old->positive);
        table_num(t, test.z);
    }
    table_name(t, m->items[item].measure);
    table_name(t, m->items[item].polarity == POLARITY_HIGHER ? "higher" : "lower");
    table_common(t, run);
    table_end_row(t);
}

bool write_trends(const struct stats_run *run, struct table *t, struct buf *err)
{
    const struct model *m = &run->model;
    if (!table_open(t, run->opt->output_dir, "trends.csv", TRENDS_HEADER, err))
        return false;
    struct series_index ix;
    series_index_build(m, &ix);
    bool *asked = series_item_asked(m);
    for (size_t k = 0; k < m->n_cells; k++) {
        size_t c = run->order[k], prev = ix.prev[c];
        if (prev == MODEL_NONE)
            continue;
        for (size_t i = 0; i < m->n_items; i++)
            if (asked[m->cells[c].period * m->n_items + i] &&
                asked[m->cells[prev].period * m->n_items + i])
                write_row(run, t, c, prev, i);
    }
    free(asked);
    series_index_release(&ix);
    return true;
}
