/* wres.csv: Workforce Race Equality Standard indicators 3 and 5-8 as
 * relative likelihoods of BME against White staff, each with a Katz log
 * interval (Katz et al. 1978; m_ratio_katz, whose zero-cell rule is named in
 * the `rule` column).
 *
 * Indicator 3 comes from the HR counts (run->hr): staff entering the formal
 * disciplinary process over headcount, per HR period and org, and pooled
 * over orgs (org = ALL).  Options: --wres-unknown bme counts unknown
 * ethnicity on the BME side (default: excluded from both sides);
 * --wres-rolling uses the sums of each period and the one before it.
 *
 * Disclosure control for indicator 3, decided in disclosure.c
 * (disclosure_decide) and only read here.  A single-period row is suppressed
 * (primary) when the BME or the White headcount it shows is below min_n;
 * with --wres-unknown bme also when the unknown headcount is between 1 and
 * min_n - 1, so that comparing runs with the two settings cannot expose a
 * tiny unknown group.  The ALL row of a period is the sum of that period's
 * org rows, so complementary suppression (disclosure.c: the BME and
 * White sides as one block, the row's smallest headcount deciding primary
 * suppression) keeps a hidden org's counts from being recovered by
 * subtraction.  A rolling row is the sum of two single-period
 * rows and is shown only when both are shown: every rolling figure is then
 * a sum of figures the single-period run shows, and can reveal nothing it
 * hides.  Event counts of shown rows are published, as WRES reports do.
 * Complementary suppression is worked out within one run: outputs of the
 * two --wres-unknown settings are two tabulations to choose between.
 *
 * Indicators 5-8 come from the survey model: the cells of the declared
 * WRES grouping's comparison and reference groups (schema `wres-grouping`,
 * e.g. ethnicity = BME and White) in each period and scope, for the items
 * the schemas declare as indicators 5-8 (`wres-indicator`), suppressed as
 * those cells are.  The columns keep their names (bme_n, white_n: the
 * comparison and the reference side) whatever the groups are called.
 *
 * With no events on either side the ratio is 0/0: relative_likelihood and
 * in_range are blank while the corrected table's (very wide) interval is
 * shown.  in_range is tested exactly on the counts; small_numbers flags
 * fewer than WRES_SMALL_EVENTS events on either side. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* small_numbers = yes when either side has fewer events than this. */
#define WRES_SMALL_EVENTS 10
/* The "non-adverse" range of a relative likelihood (four-fifths rule), as
 * exact fractions so that the inclusive bounds are tested without rounding:
 * 4/5 <= RL <= 5/4. */
#define WRES_RANGE_NUM 4
#define WRES_RANGE_DEN 5

struct wres_row {
    const char *period;
    enum scope_kind scope_kind;
    const char *scope;
    int indicator;
    const char *item;
    bool hr;
    bool computable; /* false: a rolling sum without its previous period */
    enum suppression supp;
    double rejected; /* rows set aside at ingest that would have fed it */
    double bme_n, bme_events, white_n, white_events;
    char periods_used[2 * PERIOD_TEXT_MAX + 2];
    char note[128];
};

struct wres_rows {
    struct wres_row *list;
    size_t n, cap;
};

static struct wres_row *add_row(struct wres_rows *rows)
{
    xgrow(&rows->list, &rows->cap, rows->n + 1, sizeof(*rows->list));
    struct wres_row *r = &rows->list[rows->n++];
    memset(r, 0, sizeof(*r));
    r->computable = true;
    return r;
}

/* ---- indicator 3: HR counts ------------------------------------------------------ */

static const char *hr_suppression_note(enum suppression s, bool rolling)
{
    if (s == SUPP_PRIMARY)
        return rolling ? "a period of the rolling sum has a headcount below min_n"
                       : "a headcount below min_n";
    if (s == SUPP_SECONDARY)
        return rolling ? "a period of the rolling sum is hidden to protect a suppressed org"
                       : "hidden so that a suppressed org cannot be recovered from the ALL total";
    if (s == SUPP_LEDGER)
        return rolling ? "a period of the rolling sum is hidden by the release ledger"
                       : "hidden by the release ledger: it changed by fewer than min_n since a "
                         "recorded release";
    if (s == SUPP_INCOMPLETE)
        return rolling ? "HR rows of a period of the rolling sum were rejected at ingest"
                       : "HR rows that could belong to this org and period were rejected at "
                         "ingest";
    return "";
}

/* The rows of indicator 3, as disclosure_decide made and decided them:
 * each single-period row, or with --wres-rolling its sum with the previous
 * period's row. */
static void hr_indicator(const struct stats_run *run, struct wres_rows *rows)
{
    const struct hr_table *hr = &run->hr;
    const struct hr_rows *hr_rows = &run->disclosure.hr;
    const struct model *m = &run->model;
    bool rolling = run->opt->wres_rolling;
    if (!hr->n_cells)
        return;
    for (size_t i = 0; i < hr_rows->n; i++) {
        const struct hr_row *h = &hr_rows->list[i];
        if (!h->used)
            continue;
        struct wres_row *r = add_row(rows);
        r->period = hr->periods.strings[h->period];
        r->scope_kind = h->scope == MODEL_NONE ? SCOPE_ALL : SCOPE_ORG;
        r->scope = h->scope == MODEL_NONE ? SCOPE_ALL_ORGS : m->scopes[h->scope].name;
        r->indicator = 3;
        r->item = "disciplinary";
        r->hr = true;
        r->bme_n = h->bme_n;
        r->bme_events = h->bme_events;
        r->white_n = h->white_n;
        r->white_events = h->white_events;
        r->supp = h->supp;
        r->rejected = h->rejected;
        snprintf(r->periods_used, sizeof(r->periods_used), "%s", r->period);
        if (rolling) {
            char prev[PERIOD_TEXT_MAX];
            hr_previous_period(hr, h->period, prev);
            if (h->previous == MODEL_NONE) {
                r->computable = false;
                r->supp = SUPP_NONE;
                snprintf(r->note, sizeof(r->note),
                         "no HR figures for the previous period %s: a rolling sum needs both",
                         prev[0] ? prev : "(none)");
                continue;
            }
            const struct hr_row *before = &hr_rows->list[h->previous];
            snprintf(r->periods_used, sizeof(r->periods_used), "%s+%s", prev, r->period);
            r->bme_n += before->bme_n;
            r->bme_events += before->bme_events;
            r->white_n += before->white_n;
            r->white_events += before->white_events;
            r->supp = h->rolling_supp;
            r->rejected += before->rejected;
        }
        snprintf(r->note, sizeof(r->note), "%s", hr_suppression_note(r->supp, rolling));
    }
}

/* The indicator 3 rows (from HR counts) that wres.csv hides, by kind: the
 * run's summary counts them beside the model's cells, which they are not. */
void wres_hr_hidden(const struct stats_run *run, size_t *primary, size_t *secondary)
{
    struct wres_rows rows = {0};
    hr_indicator(run, &rows);
    *primary = *secondary = 0;
    for (size_t i = 0; i < rows.n; i++) {
        *primary += rows.list[i].supp == SUPP_PRIMARY;
        *secondary += rows.list[i].supp == SUPP_SECONDARY;
    }
    free(rows.list);
}

/* ---- indicators 5-8: survey ------------------------------------------------------ */

/* Rows of indicators 5-8 for every period and scope that has the declared
 * grouping's comparison or reference group (run->dict.survey). */
static void survey_indicator(const struct stats_run *run, struct wres_rows *rows)
{
    const struct model *m = &run->model;
    const struct dict_wres_side *roles = &run->dict.survey;
    if (!roles->grouping)
        return;
    const char *comparison = roles->comparison, *reference = roles->reference;
    size_t eth = MODEL_NONE;
    for (size_t g = 0; g < m->n_groupings; g++)
        if (m->groupings[g].kind == GROUPING_DEMOGRAPHIC &&
            strcmp(m->groupings[g].name, roles->grouping) == 0)
            eth = g;
    if (eth == MODEL_NONE)
        return;
    const size_t *items = run->dict.indicator_item;
    for (size_t start = 0, end; start < m->n_cells; start = end) {
        /* one block: cells of one period, scope, grouping and parent */
        const struct popcell *first = &m->cells[run->order[start]];
        for (end = start + 1; end < m->n_cells; end++) {
            const struct popcell *c = &m->cells[run->order[end]];
            if (c->period != first->period || c->scope != first->scope ||
                c->grouping != first->grouping || c->parent != first->parent)
                break;
        }
        if (first->grouping != eth)
            continue;
        size_t bme = MODEL_NONE, white = MODEL_NONE;
        for (size_t k = start; k < end; k++) {
            const char *label = cell_group(run, run->order[k]);
            if (strcmp(label, comparison) == 0)
                bme = run->order[k];
            else if (strcmp(label, reference) == 0)
                white = run->order[k];
        }
        if (bme == MODEL_NONE && white == MODEL_NONE)
            continue;
        size_t any = bme != MODEL_NONE ? bme : white;
        for (size_t k = 0; k < WRES_SURVEY_INDICATORS; k++) {
            if (items[k] == MODEL_NONE)
                continue;
            struct wres_row *r = add_row(rows);
            r->period = cell_period(run, any);
            r->scope_kind = m->scopes[m->cells[any].scope].kind;
            r->scope = cell_scope(run, any);
            r->indicator = WRES_FIRST_SURVEY_INDICATOR + (int)k;
            r->item = m->items[items[k]].id;
            snprintf(r->periods_used, sizeof(r->periods_used), "%s", r->period);
            if (bme == MODEL_NONE || white == MODEL_NONE) {
                r->supp = DISCLOSURE_NO_CELL;
                snprintf(r->note, sizeof(r->note), "no respondents in the %s group",
                         bme == MODEL_NONE ? comparison : reference);
                continue;
            }
            const struct item_count *b = &m->counts[bme * m->n_items + items[k]];
            const struct item_count *w = &m->counts[white * m->n_items + items[k]];
            r->supp = disclosure_pair(b, w);
            r->rejected = run->disclosure.cell_rejected[bme];
            r->bme_n = b->n;
            r->bme_events = b->positive;
            r->white_n = w->n;
            r->white_events = w->positive;
            if (r->supp == SUPP_INCOMPLETE)
                snprintf(r->note, sizeof(r->note),
                         "rows of an aggregated input that could belong to this org and period "
                         "were rejected at ingest");
            else if (r->supp != SUPP_NONE)
                snprintf(r->note, sizeof(r->note), "the %s cell is suppressed (%s)",
                         b->supp != SUPP_NONE ? comparison : reference, suppression_name(r->supp));
        }
    }
}

/* ---- writing --------------------------------------------------------------------- */

static int compare_rows(const void *pa, const void *pb)
{
    const struct wres_row *a = pa, *b = pb;
    int d = strcmp(a->period, b->period);
    if (d)
        return d;
    if (a->scope_kind != b->scope_kind)
        return (int)a->scope_kind - (int)b->scope_kind;
    if ((d = strcmp(a->scope, b->scope)))
        return d;
    return a->indicator - b->indicator;
}

static void write_count(struct table *t, double v)
{
    if (v == floor(v))
        table_int(t, v);
    else
        table_num(t, v);
}

/* 4/5 <= (a/n1)/(b/n2) <= 5/4, cross-multiplied (exact for whole and
 * half-whole counts well below 2^50). */
static bool in_range(double a, double n1, double b, double n2)
{
    double lhs = a * n2, rhs = b * n1;
    return WRES_RANGE_DEN * lhs >= WRES_RANGE_NUM * rhs &&
           WRES_RANGE_NUM * lhs <= WRES_RANGE_DEN * rhs;
}

static void write_row(const struct stats_run *run, struct table *t, const struct wres_row *r)
{
    table_str(t, r->period);
    table_str(t, r->scope);
    table_int(t, r->indicator);
    struct m_ratio rl = {NAN, NAN, NAN, false};
    bool shown = r->computable && r->supp == SUPP_NONE;
    bool no_events = shown && r->bme_events == 0 && r->white_events == 0;
    if (shown)
        m_ratio_katz(r->bme_events, r->bme_n, r->white_events, r->white_n, run->opt->conf, &rl);
    if (!shown) {
        for (int f = 0; f < 11; f++)
            table_blank(t);
    } else {
        write_count(t, r->bme_n);
        write_count(t, r->bme_events);
        write_count(t, r->white_n);
        write_count(t, r->white_events);
        table_num(t, r->bme_events / r->bme_n);
        table_num(t, r->white_events / r->white_n);
        /* 0/0 has no ratio: only the corrected table's interval is shown */
        table_num(t, no_events ? NAN : rl.estimate);
        table_num(t, rl.lower);
        table_num(t, rl.upper);
        if (no_events || isnan(rl.estimate)) {
            table_blank(t);
        } else {
            /* the estimate is from the corrected table when a cell is 0 */
            double c = rl.corrected ? 0.5 : 0, d = rl.corrected ? 1 : 0;
            bool in =
                in_range(r->bme_events + c, r->bme_n + d, r->white_events + c, r->white_n + d);
            table_str(t, in ? "yes" : "no");
        }
        bool small = r->bme_events < WRES_SMALL_EVENTS || r->white_events < WRES_SMALL_EVENTS;
        table_str(t, small ? "yes" : "no");
    }
    table_str(t, suppression_name(r->supp));
    table_str(t, r->item);
    table_str(t, r->hr ? "hr" : "survey");
    table_str(t, r->periods_used);
    if (r->hr && run->opt->wres_unknown_as_bme) {
        char unknown_as[128]; /* under the declared name of the comparison group */
        snprintf(unknown_as, sizeof(unknown_as), "counted as %s", run->dict.hr.comparison);
        table_str(t, unknown_as);
    } else {
        table_str(t, "excluded");
    }
    table_str(t, isnan(rl.lower) ? "" : rl.corrected ? "yes" : "no");
    table_str(t, m_ratio_zero_cell_rule());
    table_str(t, r->indicator == 7 ? "below 1" : "above 1");
    table_str(t, no_events ? "no events on either side: the relative likelihood is undefined; "
                             "its interval comes from the zero-cell corrected table"
                           : r->note);
    table_common(t, run);
    if (r->supp == SUPP_INCOMPLETE)
        table_int(t, r->rejected);
    else
        table_blank(t);
    table_end_row(t);
}

bool write_wres(const struct stats_run *run, struct table *t, struct buf *err)
{
    if (!table_open(t, run->opt->output_dir, WRES_FILE, WRES_COLUMNS, err))
        return false;
    struct wres_rows rows = {0};
    hr_indicator(run, &rows);
    survey_indicator(run, &rows);
    if (rows.n)
        qsort(rows.list, rows.n, sizeof(*rows.list), compare_rows);
    for (size_t i = 0; i < rows.n; i++)
        if (scope_name_shown(run, rows.list[i].scope))
            write_row(run, t, &rows.list[i]);
    free(rows.list);
    return true;
}
