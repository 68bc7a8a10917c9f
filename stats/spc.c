/* spc.csv: NHS "Making Data Count" XmR charts (statistical process control)
 * of every series with at least SPC_MIN_POINTS consecutive periods, as NHS-R
 * NHSRplotthedots draws them (m_spc_xmr): centre = mean, process limits =
 * centre -/+ 2.66 x mean moving range, moving ranges at or above 3.267 x
 * their mean screened out before the mean is taken, and one signal per
 * point in order of precedence: outside_limits, trend (7 rising or
 * falling), two_of_three (2 of 3 beyond 2/3 of the way to a limit, same
 * side), run (7 on one side of the centre), none.
 *
 * Series:
 *  - survey cells (every scope, grouping and group) per item over the survey
 *    periods (quarterly pulse surveys, or 12+ years);
 *  - HR counts (run->hr, usually monthly) per org: item disciplinary_rate
 *    (events / headcount) for each ethnic group White, BME and Unknown, and
 *    item wres3_relative_likelihood (BME rate / White rate, the estimate of
 *    m_ratio_katz as in wres.csv, with its zero-cell rule).
 *
 * A missing period (or a period in which the item was not asked, or a
 * shown month whose relative likelihood is undefined because neither side
 * had an event: wres.csv leaves it blank) splits a series: each run of
 * consecutive periods is charted on its own when it has SPC_MIN_POINTS
 * points; shorter runs are not written.  A chart with a suppressed point is
 * not drawn: its rows are written with the visible points' estimates only
 * and blank centre, limits and signal.  A run whose points are all
 * suppressed is left out.
 *
 * Disclosure of HR points, decided in disclosure.c and read here: an
 * org-period that wres.csv hides for WRES indicator 3 (BME or White
 * headcount below min_n, or complementary suppression against the ALL
 * total) shows no rate at all, and every rate takes the row's state:
 * otherwise its rates, with wres.csv's ALL totals, could help to recover
 * the hidden counts.  Of a shown row, a group's rate is primary when its
 * headcount is below min_n. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "series.h"
#include "stats.h"

#define SPC_MIN_POINTS 12

enum spc_polarity { SPC_HIGHER, SPC_LOWER, SPC_NEITHER };

struct spc_series {
    const char *org, *item, *group_dim, *group, *parent_group;
    enum spc_polarity polarity;
};

struct spc_point {
    const char *period;
    long ordinal;
    double value;
    enum suppression supp;
    bool undefined; /* a gap: no value exists (0/n against 0/m), not a hidden one */
};

static const char *signal_name(enum m_spc_signal s)
{
    return s == M_SPC_COMMON_CAUSE ? "none" : m_spc_signal_name(s);
}

/* Making Data Count's variation icons: special cause improvement or
 * concern by the measure's polarity; "neither" for a measure without one. */
static const char *variation_name(const struct m_spc_point *p, enum spc_polarity polarity)
{
    if (p->signal == M_SPC_COMMON_CAUSE)
        return "common_cause";
    if (polarity == SPC_NEITHER)
        return "special_cause_neither";
    bool up_is_good = polarity == SPC_HIGHER;
    return (p->direction > 0) == up_is_good ? "special_cause_improvement" : "special_cause_concern";
}

static void write_segment(const struct stats_run *run, struct table *t, const struct spc_series *s,
                          const struct spc_point *pts, size_t k)
{
    size_t visible = 0;
    for (size_t i = 0; i < k; i++)
        visible += pts[i].supp == SUPP_NONE;
    if (visible == 0)
        return;
    struct m_spc_chart chart = {NAN, NAN, NAN, NAN, NAN, NAN, 0, 0};
    struct m_spc_point *signals = xcalloc(k, sizeof(*signals));
    bool drawn = visible == k;
    if (drawn) {
        double *y = xcalloc(k, sizeof(double));
        for (size_t i = 0; i < k; i++)
            y[i] = pts[i].value;
        drawn = m_spc_xmr(y, k, 0, true, &chart, signals) == M_OK;
        free(y);
    }
    static const char *const polarity_names[] = {"higher", "lower", "neither"};
    for (size_t i = 0; i < k; i++) {
        table_str(t, s->org);
        table_str(t, s->item);
        table_str(t, s->group_dim);
        table_str(t, s->group);
        table_str(t, pts[i].period);
        table_num(t, pts[i].supp == SUPP_NONE ? pts[i].value : NAN);
        if (drawn) {
            table_num(t, chart.centre);
            table_num(t, chart.lower);
            table_num(t, chart.upper);
            table_str(t, signal_name(signals[i].signal));
        } else {
            for (int f = 0; f < 4; f++)
                table_blank(t);
        }
        table_str(t, s->parent_group);
        table_str(t, suppression_name(pts[i].supp));
        if (drawn) {
            table_str(t, signals[i].direction > 0 ? "up" : signals[i].direction < 0 ? "down" : "");
            table_str(t, variation_name(&signals[i], s->polarity));
        } else {
            table_blank(t);
            table_blank(t);
        }
        table_str(t, pts[0].period);
        table_str(t, pts[k - 1].period);
        table_int(t, (double)k);
        table_num(t, drawn ? chart.mean_moving_range : NAN);
        table_str(t, polarity_names[s->polarity]);
        table_common(t, run);
        table_end_row(t);
    }
    free(signals);
}

/* Split pts[0..k-1] (ascending ordinals) at missing periods and undefined
 * points, and chart each long enough run. */
static void write_series(const struct stats_run *run, struct table *t, const struct spc_series *s,
                         const struct spc_point *pts, size_t k)
{
    for (size_t a = 0, b; a < k; a = b) {
        if (pts[a].undefined) {
            b = a + 1;
            continue;
        }
        for (b = a + 1; b < k && !pts[b].undefined && pts[b].ordinal == pts[b - 1].ordinal + 1; b++)
            ;
        if (b - a >= SPC_MIN_POINTS)
            write_segment(run, t, s, pts + a, b - a);
    }
}

/* ---- survey cells ----------------------------------------------------------------- */

static void survey_series(const struct stats_run *run, struct table *t)
{
    const struct model *m = &run->model;
    struct series_index ix;
    series_index_build(m, NULL, &ix);
    bool *asked = series_item_asked(m);
    struct spc_point *pts = xcalloc(ix.n_sorted ? ix.n_sorted : 1, sizeof(*pts));
    for (size_t a = 0, b; a < ix.n_sorted; a = b) {
        for (b = a + 1; b < ix.n_sorted && series_same_place(m, ix.sorted[a], ix.sorted[b]); b++)
            ;
        size_t first = ix.sorted[a];
        if (b - a < SPC_MIN_POINTS || !cell_shown(run, first))
            continue;
        for (size_t i = 0; i < m->n_items; i++) {
            size_t k = 0;
            for (size_t j = a; j < b; j++) {
                size_t c = ix.sorted[j];
                uint32_t period = m->cells[c].period;
                if (!asked[period * m->n_items + i])
                    continue;
                const struct item_count *ic = &m->counts[c * m->n_items + i];
                pts[k].period = m->periods.strings[period];
                pts[k].ordinal = ix.ordinal[period];
                pts[k].supp = ic->supp;
                if (pts[k].supp == SUPP_NONE && !(ic->n > 0))
                    pts[k].supp = DISCLOSURE_NO_CELL; /* cannot happen: min_n >= 1 */
                pts[k].value = pts[k].supp == SUPP_NONE ? ic->positive / ic->n : NAN;
                k++;
            }
            struct spc_series s = {
                cell_scope(run, first),
                m->items[i].id,
                cell_grouping(run, first),
                cell_group(run, first),
                cell_parent_group(run, first),
                m->items[i].polarity == POLARITY_HIGHER ? SPC_HIGHER : SPC_LOWER};
            write_series(run, t, &s, pts, k);
        }
    }
    free(pts);
    free(asked);
    series_index_release(&ix);
}

/* ---- HR counts ------------------------------------------------------------------- */

static const struct hr_table *sort_hr; /* qsort has no context argument */
static _Thread_local const struct model *sort_model;
static _Thread_local const long *sort_ordinal;

static int compare_hr_cells(const void *pa, const void *pb)
{
    const struct hr_cell *x = &sort_hr->cells[*(const size_t *)pa];
    const struct hr_cell *y = &sort_hr->cells[*(const size_t *)pb];
    int d = strcmp(sort_model->scopes[x->scope].name, sort_model->scopes[y->scope].name);
    if (d)
        return d;
    long ox = sort_ordinal[x->period], oy = sort_ordinal[y->period];
    return (ox > oy) - (ox < oy);
}

static void hr_series(const struct stats_run *run, struct table *t)
{
    const struct hr_table *hr = &run->hr;
    const struct model *m = &run->model;
    if (hr->n_cells == 0)
        return;
    size_t n_periods = hr->periods.count;
    long *ordinal = xcalloc(n_periods ? n_periods : 1, sizeof(long));
    for (size_t p = 0; p < n_periods; p++)
        ordinal[p] = series_ordinal(hr->periods.strings[p]);
    const struct hr_row *rows = run->disclosure.hr.list; /* row i is HR cell i */
    const enum suppression *rate_supp = run->disclosure.hr_rate;
    size_t *sorted = xcalloc(hr->n_cells, sizeof(size_t));
    size_t n_sorted = 0;
    for (size_t i = 0; i < hr->n_cells; i++)
        if (ordinal[hr->cells[i].period] != SERIES_NO_ORDINAL)
            sorted[n_sorted++] = i;
    sort_hr = hr;
    sort_model = m;
    sort_ordinal = ordinal;
    qsort(sorted, n_sorted, sizeof(size_t), compare_hr_cells);
    sort_hr = NULL;
    sort_model = NULL;
    sort_ordinal = NULL;

    /* the declared groups (wres-grouping of the HR schemas), in WRES_* order */
    const struct dict_wres_side *roles = &run->dict.hr;
    const char *group_names[WRES_GROUPS] = {roles->reference, roles->comparison,
                                            roles->other ? roles->other : "other"};
    struct spc_point *pts = xcalloc(n_sorted ? n_sorted : 1, sizeof(*pts));
    bool as_bme = run->opt->wres_unknown_as_bme;
    for (size_t a = 0, b; a < n_sorted; a = b) {
        uint32_t scope = hr->cells[sorted[a]].scope;
        for (b = a + 1; b < n_sorted && hr->cells[sorted[b]].scope == scope; b++)
            ;
        if (b - a < SPC_MIN_POINTS || !scope_shown(run, scope))
            continue;
        const char *org = m->scopes[scope].name;
        for (int g = 0; g < WRES_GROUPS; g++) {
            for (size_t j = a; j < b; j++) {
                const struct hr_cell *c = &hr->cells[sorted[j]];
                struct spc_point *p = &pts[j - a];
                p->period = hr->periods.strings[c->period];
                p->ordinal = ordinal[c->period];
                p->undefined = false;
                p->supp = rate_supp[sorted[j] * WRES_GROUPS + (size_t)g];
                p->value = p->supp == SUPP_NONE ? c->events[g] / c->headcount[g] : NAN;
            }
            struct spc_series s = {
                org, SPC_ITEM_DISCIPLINARY_RATE, roles->grouping, group_names[g], "", SPC_LOWER};
            write_series(run, t, &s, pts, b - a);
        }
        for (size_t j = a; j < b; j++) {
            const struct hr_cell *c = &hr->cells[sorted[j]];
            struct spc_point *p = &pts[j - a];
            p->period = hr->periods.strings[c->period];
            p->ordinal = ordinal[c->period];
            p->supp = rows[sorted[j]].supp;
            p->value = NAN;
            p->undefined = false;
            if (p->supp == SUPP_NONE) {
                double bme_n = c->headcount[WRES_BME], bme_events = c->events[WRES_BME];
                if (as_bme) {
                    bme_n += c->headcount[WRES_UNKNOWN];
                    bme_events += c->events[WRES_UNKNOWN];
                }
                struct m_ratio rl;
                /* 0/0: wres.csv's rule; the corrected table's ratio is no estimate.
                 * Only a shown month: a hidden one must not reveal its counts. */
                if (bme_events == 0 && c->events[WRES_WHITE] == 0)
                    p->undefined = true;
                else if (m_ratio_katz(bme_events, bme_n, c->events[WRES_WHITE],
                                      c->headcount[WRES_WHITE], run->opt->conf, &rl) == M_OK)
                    p->value = rl.estimate;
                else
                    p->supp = DISCLOSURE_NO_CELL; /* cannot happen: both headcounts >= min_n */
            }
        }
        struct spc_series s = {org, SPC_ITEM_WRES3_LIKELIHOOD, "all", "all", "", SPC_NEITHER};
        write_series(run, t, &s, pts, b - a);
    }
    free(pts);
    free(sorted);
    free(ordinal);
}

bool write_spc(const struct stats_run *run, struct table *t, struct buf *err)
{
    if (!table_open(t, run->opt->output_dir, SPC_FILE, SPC_COLUMNS, err))
        return false;
    survey_series(run, t);
    hr_series(run, t);
    return true;
}
