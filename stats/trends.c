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
 * Span columns: for the same row, the change from the first period of the
 * row's series (the run of consecutive periods reaching back from this
 * one) and, over three or more periods, a test for linear trend: see
 * write_span.
 *
 * --weight does not change this file: changes are of unweighted counts.
 * TODO(weighting): weighted rows would take weighted_proportion() (load.h)
 * of both cells as x = p_w * n_eff, n = n_eff, as benchmarks.csv does.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "series.h"
#include "stats.h"

/* Longest series a row's span follows (about 80 years of annual surveys,
 * 20 of quarterly pulses); older periods are left out of the span. */
#define SPAN_MAX 80

/* The weighted_rates label of a change: whether either period's counts
 * come from weighted published rates, and on which assumption. */
static const char *weighted_rates_name(unsigned bits)
{
    switch (bits & (COUNT_RATES_SRS | COUNT_RATES_DEFF)) {
    case COUNT_RATES_SRS:
        return "assumed-srs";
    case COUNT_RATES_DEFF:
        return "design-effect";
    case COUNT_RATES_SRS | COUNT_RATES_DEFF:
        return "mixed";
    default:
        return "no";
    }
}

/* How the organisation of cell differs from that of prev, its cell one
 * period earlier: "successor" when prev is a predecessor's (successor map),
 * "renamed" when the data name the org differently in the two periods,
 * else "none" (and always for ALL and GROUP: cells). */
static const char *org_change(const struct model *m, size_t cell, size_t prev)
{
    const struct popcell *c = &m->cells[cell], *p = &m->cells[prev];
    if (m->scopes[c->scope].kind != SCOPE_ORG)
        return "none";
    if (c->scope != p->scope)
        return "successor";
    const char *now = org_history_name_of(&m->history, c->scope, c->period);
    const char *before = org_history_name_of(&m->history, p->scope, p->period);
    return *now && *before && strcmp(now, before) != 0 ? "renamed" : "none";
}

/* The span of a row: the cells of the same place followed back from cell
 * through consecutive periods in which the item was asked, oldest first,
 * into chain[] (at most SPAN_MAX).  Returns how many (at least 2: the row's
 * cell and its previous one). */
static size_t span_chain(const struct model *m, const struct series_index *ix, const bool *asked,
                         size_t cell, size_t item, size_t chain[SPAN_MAX])
{
    size_t back[SPAN_MAX], k = 0;
    for (size_t c = cell; c != MODEL_NONE && k < SPAN_MAX; c = ix->prev[c]) {
        if (!asked[m->cells[c].period * m->n_items + item])
            break;
        back[k++] = c;
    }
    for (size_t i = 0; i < k; i++)
        chain[i] = back[k - 1 - i];
    return k;
}

/* The span columns: change from the first period of the series to this
 * one (Newcombe interval, z test p-value) and, over three or more periods,
 * the Cochran-Armitage test for linear trend with the periods' ordinals as
 * scores.  Blank when any cell of the span is suppressed: a statistic
 * pooled over a hidden cell could give its count away. */
static void write_span(const struct stats_run *run, struct table *t, const struct series_index *ix,
                       const bool *asked, size_t cell, size_t item)
{
    const struct model *m = &run->model;
    size_t chain[SPAN_MAX];
    size_t k = span_chain(m, ix, asked, cell, item, chain);
    if (k == 0) { /* not reached: the caller checked that the item was asked */
        chain[0] = cell;
        k = 1;
    }
    const struct item_count *first = &m->counts[chain[0] * m->n_items + item];
    const struct item_count *cur = &m->counts[chain[k - 1] * m->n_items + item];
    double x[SPAN_MAX], n[SPAN_MAX], score[SPAN_MAX];
    bool hidden = false;
    for (size_t i = 0; i < k; i++) {
        const struct item_count *ic = &m->counts[chain[i] * m->n_items + item];
        hidden = hidden || ic->supp != SUPP_NONE;
        x[i] = ic->positive;
        n[i] = ic->n;
        score[i] = (double)ix->ordinal[m->cells[chain[i]].period];
    }
    table_name(t, cell_period(run, chain[0]));
    struct m_interval diff;
    struct m_ztest test;
    struct m_trend trend;
    if (hidden ||
        m_diff_newcombe(cur->positive, cur->n, first->positive, first->n, run->opt->conf, &diff) !=
            M_OK ||
        m_ztest_2prop(cur->positive, cur->n, first->positive, first->n, &test) != M_OK) {
        for (int f = 0; f < 5; f++)
            table_blank(t);
    } else {
        table_num(t, first->positive / first->n);
        table_num(t, diff.estimate);
        table_num(t, diff.lower);
        table_num(t, diff.upper);
        table_num(t, test.p_value);
    }
    table_int(t, (double)k);
    if (hidden || k < 3 || m_trend_test(x, n, score, k, &trend) != M_OK) {
        for (int f = 0; f < 3; f++)
            table_blank(t);
    } else {
        table_num(t, trend.slope);
        table_num(t, trend.chi2);
        table_num(t, trend.p_value);
    }
}

/* previous_org, org_name, previous_org_name, org_change and span_org_change
 * (any change of organisation between consecutive periods of the span). */
static void write_org_change(const struct stats_run *run, struct table *t,
                             const struct series_index *ix, const bool *asked, size_t cell,
                             size_t prev, size_t item)
{
    const struct model *m = &run->model;
    table_name(t, cell_scope(run, prev));
    bool org = m->scopes[m->cells[cell].scope].kind == SCOPE_ORG;
    table_str(t, org ? org_history_name_of(&m->history, m->cells[cell].scope, m->cells[cell].period)
                     : "");
    table_str(t, org ? org_history_name_of(&m->history, m->cells[prev].scope, m->cells[prev].period)
                     : "");
    table_name(t, org_change(m, cell, prev));
    size_t chain[SPAN_MAX];
    size_t k = span_chain(m, ix, asked, cell, item, chain);
    bool changed = false;
    for (size_t i = 1; i < k && !changed; i++)
        changed = strcmp(org_change(m, chain[i], chain[i - 1]), "none") != 0;
    table_name(t, changed ? "yes" : "no");
}

static void write_row(const struct stats_run *run, struct table *t, const struct series_index *ix,
                      const bool *asked, size_t cell, size_t prev, size_t item)
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
    enum suppression supp = disclosure_pair(cur, old);
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
        table_count(t, cur->n);
        table_count(t, cur->positive);
        table_count(t, old->n);
        table_count(t, old->positive);
        table_num(t, test.z);
    }
    table_name(t, m->items[item].measure);
    table_name(t, m->items[item].polarity == POLARITY_HIGHER ? "higher" : "lower");
    table_common(t, run);
    write_span(run, t, ix, asked, cell, item);
    table_name(t, weighted_rates_name(cur->rates | old->rates));
    write_org_change(run, t, ix, asked, cell, prev, item);
    table_end_row(t);
}

bool write_trends(const struct stats_run *run, struct table *t, struct buf *err)
{
    const struct model *m = &run->model;
    if (!table_open(t, run->opt->output_dir, TRENDS_FILE, TRENDS_COLUMNS, err))
        return false;
    struct series_index ix;
    series_index_build(m, &m->history, &ix);
    bool *asked = series_item_asked(m);
    for (size_t k = 0; k < m->n_cells; k++) {
        size_t c = run->order[k], prev = ix.prev[c];
        if (prev == MODEL_NONE || !cell_shown(run, c))
            continue;
        for (size_t i = 0; i < m->n_items; i++)
            if (asked[m->cells[c].period * m->n_items + i] &&
                asked[m->cells[prev].period * m->n_items + i])
                write_row(run, t, &ix, asked, c, prev, i);
    }
    free(asked);
    series_index_release(&ix);
    return true;
}
