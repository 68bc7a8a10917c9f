#include "resolve.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "text.h"

/* Orgs or periods named in an error message. */
#define NAMES_IN_MESSAGE 12

/* ---- rows of a table ------------------------------------------------------ */

static void view_add(struct view *v, size_t row)
{
    xgrow(&v->rows, &v->cap, v->n + 1, sizeof(*v->rows));
    v->rows[v->n++] = row;
}

void view_filter(struct view *v, const struct csv_table *t, const char *org, const char *period)
{
    memset(v, 0, sizeof(*v));
    v->t = t;
    size_t org_col = csv_table_column(t, "org");
    size_t period_col = csv_table_column(t, "period");
    if (org_col == NO_ROW || period_col == NO_ROW)
        return;
    for (size_t r = 0; r < t->n_rows; r++) {
        if (org && strcmp(t->rows[r][org_col], org) != 0)
            continue;
        if (period && strcmp(t->rows[r][period_col], period) != 0)
            continue;
        view_add(v, r);
    }
}

void view_release(struct view *v)
{
    free(v->rows);
    memset(v, 0, sizeof(*v));
}

/* Rows of v sorted by org (file order within an org), for org_rows(). */
static const struct view *sort_view;
static size_t sort_org_col;

static int compare_rows_by_org(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(sort_view->t->rows[x][sort_org_col], sort_view->t->rows[y][sort_org_col]);
    return c ? c : (x > y) - (x < y);
}

static void view_sort_by_org(struct view *v)
{
    sort_org_col = csv_table_column(v->t, "org");
    if (sort_org_col == NO_ROW || v->n < 2)
        return;
    sort_view = v;
    qsort(v->rows, v->n, sizeof(*v->rows), compare_rows_by_org);
    sort_view = NULL;
}

struct view org_rows(const struct view *v, const char *org)
{
    struct view sub = {v->t, v->rows, 0, 0};
    size_t col = csv_table_column(v->t, "org");
    if (col == NO_ROW)
        return sub;
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v->t->rows[v->rows[mid]][col], org) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < v->n && strcmp(v->t->rows[v->rows[end]][col], org) == 0)
        end++;
    sub.rows = v->rows + lo;
    sub.n = end - lo;
    return sub;
}

const char *vcell(const struct view *v, size_t row, const char *column)
{
    return csv_cell(v->t, row, column);
}

size_t view_find(const struct view *v, const char *const *pairs)
{
    for (size_t i = 0; i < v->n; i++) {
        bool match = true;
        for (size_t k = 0; pairs[k] && match; k += 2)
            match = strcmp(csv_cell(v->t, v->rows[i], pairs[k]), pairs[k + 1]) == 0;
        if (match)
            return v->rows[i];
    }
    return NO_ROW;
}

bool row_shown(const struct csv_table *t, size_t row)
{
    return row != NO_ROW && strcmp(csv_cell(t, row, "suppressed"), SUPPRESSED_NO) == 0;
}

bool vnum(const struct view *v, size_t row, const char *column, double *value)
{
    return row_shown(v->t, row) && fmt_parse(vcell(v, row, column), value);
}

/* ---- a list of distinct strings ---------------------------------------------- */

bool names_has(const struct names *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

void names_add(struct names *l, const char *s)
{
    if (names_has(l, s))
        return;
    xgrow(&l->items, &l->cap, l->n + 1, sizeof(*l->items));
    l->items[l->n++] = s;
}

/* Periods in time order (period_compare); text that is not a period last,
 * in byte order. */
static int compare_periods(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    struct period px, py;
    bool ok_x = period_parse(x, strlen(x), &px), ok_y = period_parse(y, strlen(y), &py);
    if (ok_x && ok_y) {
        int c = period_compare(&px, &py);
        return c ? c : strcmp(x, y);
    }
    if (ok_x != ok_y)
        return ok_x ? -1 : 1;
    return strcmp(x, y);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool is_group_scope(const char *scope)
{
    return strncmp(scope, SCOPE_GROUP_PREFIX, SCOPE_GROUP_PREFIX_LEN) == 0;
}

bool is_org_scope(const char *scope)
{
    return strcmp(scope, SCOPE_ALL_ORGS) != 0 && !is_group_scope(scope);
}

/* ---- the run's settings ------------------------------------------------------ */

/* min_n and conf_level of the results: the same in every one of the eleven
 * files, else the directory mixes runs.  There is no default: results that
 * do not state their threshold are refused.  False with a message in err. */
static bool run_settings(const struct results *r, long *min_n, double *conf, struct buf *err)
{
    const struct csv_table *tables[] = {&r->proportions, &r->themes, &r->disparities, &r->wres,
                                        &r->benchmarks,  &r->trends, &r->hotspots,    &r->inputs,
                                        &r->spc,         &r->items,  &r->wres_groups};
    bool found = false;
    for (size_t i = 0; i < ARRAY_LEN(tables); i++) {
        const struct csv_table *t = tables[i];
        if (!t->first)
            continue;
        double m, c;
        if (!fmt_parse(csv_first_cell(t, "min_n"), &m) ||
            !fmt_parse(csv_first_cell(t, "conf_level"), &c) || m < 1 || m > 1e9 || m != floor(m) ||
            !(c > 0 && c < 1)) {
            buf_printf(err, "%s:2: no valid min_n and conf_level (not a candour-stats output)",
                       t->path);
            return false;
        }
        if (found && ((long)m != *min_n || c != *conf)) {
            buf_printf(err,
                       "%s: min_n %ld and conf_level %g differ from the other files "
                       "(the directory mixes candour-stats runs)",
                       t->path, (long)m, c);
            return false;
        }
        *min_n = (long)m;
        *conf = c;
        found = true;
    }
    if (!found)
        buf_printf(err, "%s: no results in the directory", r->proportions.path);
    return found;
}

/* ---- the org and the period ------------------------------------------------- */

/* The distinct values of column (period or org) of the (org, period)
 * pairs the scope tables' rows hold (every row, whatever results_load kept)
 * for org and period (NULL: any); pooled scopes are not orgs.  Distinct
 * through a hash set (strdict), not names_add's scan of the list: national
 * results hold 10,000 orgs in four tables, and that scan made it quadratic. */
static void collect(const struct results *r, const char *org, const char *period,
                    const char *column, struct names *values)
{
    const struct csv_table *tables[] = RESULTS_SCOPE_TABLES(r);
    bool orgs = strcmp(column, "org") == 0;
    memset(values, 0, sizeof(*values));
    struct strdict seen;
    strdict_init(&seen);
    for (size_t i = 0; i < ARRAY_LEN(tables); i++) {
        const struct csv_table *t = tables[i];
        for (size_t k = 0; k < t->n_scopes; k++) {
            const char *o = t->orgs.strings[t->scopes[k].org],
                       *p = t->periods.strings[t->scopes[k].period];
            if ((org && strcmp(o, org) != 0) || (period && strcmp(p, period) != 0))
                continue;
            const char *value = orgs ? o : p;
            if (orgs && !is_org_scope(value))
                continue;
            size_t known = seen.count;
            strdict_intern(&seen, value, strlen(value));
            if (seen.count == known)
                continue; /* seen before */
            xgrow(&values->items, &values->cap, values->n + 1, sizeof(*values->items));
            values->items[values->n++] = value;
        }
    }
    strdict_release(&seen);
}

/* Periods with results for org (its cell as stored; NULL: every org), in
 * time order. */
static void collect_periods(const struct results *r, const char *org, struct names *periods)
{
    collect(r, org, NULL, "period", periods);
    qsort(periods->items, periods->n, sizeof(*periods->items), compare_periods);
}

/* Org cells (scopes that are orgs) of the results in period (NULL: any),
 * sorted by bytes. */
static void collect_orgs(const struct results *r, const char *period, struct names *orgs)
{
    collect(r, NULL, period, "org", orgs);
    qsort(orgs->items, orgs->n, sizeof(*orgs->items), compare_strings);
}

/* "A, B, C, ..." for a message, each quoted printable. */
static void put_name_list(struct buf *out, const struct names *names)
{
    for (size_t i = 0; i < names->n && i < NAMES_IN_MESSAGE; i++) {
        if (i)
            buf_puts(out, ", ");
        const char *s = fmt_unformula(names->items[i]);
        text_quote_for_message(s, strlen(s), 40, out);
    }
    if (names->n > NAMES_IN_MESSAGE)
        buf_puts(out, ", ...");
}

static void quote_arg(struct buf *out, const char *s)
{
    text_quote_for_message(s, strlen(s), 60, out);
}

/* The org's cell: the org whose name, once candour-stats' spreadsheet
 * apostrophe is taken off, is opt->org.  False with a message in err. */
static bool choose_org(const struct report_options *opt, const struct results *r, const char **org,
                       struct buf *err)
{
    struct names orgs;
    collect_orgs(r, NULL, &orgs);
    *org = NULL;
    for (size_t i = 0; i < orgs.n && !*org; i++)
        if (strcmp(fmt_unformula(orgs.items[i]), opt->org) == 0)
            *org = orgs.items[i];
    if (!*org) {
        buf_printf(err, "%s: no org ", opt->results_dir);
        quote_arg(err, opt->org);
        if (!is_org_scope(opt->org))
            buf_puts(err, " (ALL and GROUP: are pooled figures, not orgs)");
        else if (orgs.n) {
            buf_puts(err, " in the results (orgs: ");
            put_name_list(err, &orgs);
            buf_puts(err, ")");
        } else {
            buf_puts(err, " in the results (no orgs at all)");
        }
    }
    free(orgs.items);
    return *org != NULL;
}

/* The period to report: opt->period when it is among the periods with
 * results for org (NULL: any org), else the latest of them.  The previous
 * period too, when there are results for it.  False with a message in err. */
static bool choose_period(struct run *run, const struct report_options *opt, const char *org,
                          struct buf *err)
{
    struct names periods;
    collect_periods(run->r, org, &periods);
    struct buf whose;
    buf_init(&whose);
    if (org) {
        buf_puts(&whose, "org ");
        quote_arg(&whose, opt->org);
    } else {
        buf_puts(&whose, "any org");
    }
    run->period = NULL;
    if (!periods.n) {
        buf_printf(err, "%s: no results for %s", opt->results_dir, whose.data);
    } else if (!opt->period) {
        run->period = periods.items[periods.n - 1];
    } else {
        for (size_t i = 0; i < periods.n && !run->period; i++)
            if (strcmp(periods.items[i], opt->period) == 0)
                run->period = periods.items[i];
        if (!run->period) {
            buf_printf(err, "%s: no results for %s in period ", opt->results_dir, whose.data);
            quote_arg(err, opt->period);
            buf_puts(err, " (periods: ");
            put_name_list(err, &periods);
            buf_puts(err, ")");
        }
    }
    struct period p;
    if (run->period && period_parse(run->period, strlen(run->period), &p)) {
        struct period prev = period_from_ordinal(p.kind, period_ordinal(&p) - 1);
        period_format(&prev, run->previous_text);
        if (names_has(&periods, run->previous_text))
            run->previous = run->previous_text;
    }
    buf_release(&whose);
    free(periods.items);
    return run->period != NULL;
}

/* The org's benchmarking group: the first (in byte order) GROUP: scope of
 * its benchmarks rows in the period, else ALL; and the number of orgs in
 * that comparison. */
static void choose_benchmark(struct run *run)
{
    run->benchmark = SCOPE_ALL_ORGS;
    run->n_orgs = "";
    for (size_t i = 0; i < run->bench.n; i++) {
        size_t row = run->bench.rows[i];
        const char *b = vcell(&run->bench, row, "benchmark");
        if (is_group_scope(b)) {
            if (strcmp(run->benchmark, SCOPE_ALL_ORGS) == 0 || strcmp(b, run->benchmark) < 0) {
                run->benchmark = b;
                run->n_orgs = vcell(&run->bench, row, "n_orgs");
            }
        } else if (strcmp(run->benchmark, SCOPE_ALL_ORGS) == 0 && !*run->n_orgs) {
            run->n_orgs = vcell(&run->bench, row, "n_orgs");
        }
    }
}

/* The views of the org (NULL: every org) in the run's period. */
static void filter_views(struct run *run, const char *org)
{
    const struct results *r = run->r;
    view_filter(&run->prop, &r->proportions, org, run->period);
    view_filter(&run->themes, &r->themes, org, run->period);
    view_filter(&run->themes_prev, &r->themes, org, run->previous_text);
    view_filter(&run->disp, &r->disparities, org, run->period);
    view_filter(&run->wres, &r->wres, org, run->period);
    view_filter(&run->bench, &r->benchmarks, org, run->period);
    view_filter(&run->trends, &r->trends, org, run->period);
    view_filter(&run->hot, &r->hotspots, org, run->period);
    view_filter(&run->prop_org, &r->proportions, org, NULL);
    view_filter(&run->wres_org, &r->wres, org, NULL);
    view_filter(&run->spc_org, &r->spc, org, NULL);
    view_filter(&run->bench_period, &r->benchmarks, NULL, run->period);
}

int run_resolve(struct run *run, const struct report_options *opt, const struct results *r)
{
    memset(run, 0, sizeof(*run));
    run->r = r;
    struct buf err;
    buf_init(&err);
    bool ok = run_settings(r, &run->min_n, &run->conf, &err) && dict_load(&run->dict, r, &err);
    if (ok && !opt->all)
        ok = choose_org(opt, r, &run->org, &err) && choose_period(run, opt, run->org, &err);
    else if (ok)
        ok = choose_period(run, opt, NULL, &err);
    if (ok) {
        filter_views(run, run->org);
        /* The previous period also counts when a predecessor has results in
         * it (stats --successors: trends rows against it). */
        for (size_t i = 0; i < run->trends.n && !run->previous && *run->previous_text; i++)
            if (strcmp(vcell(&run->trends, run->trends.rows[i], "previous_period"),
                       run->previous_text) == 0)
                run->previous = run->previous_text;
        if (opt->all) {
            collect_orgs(r, run->period, &run->orgs);
            struct view *sorted[] = {&run->prop, &run->bench, &run->wres, &run->themes};
            for (size_t i = 0; i < ARRAY_LEN(sorted); i++)
                view_sort_by_org(sorted[i]);
            run->benchmark = SCOPE_ALL_ORGS;
            run->n_orgs = "";
        } else {
            choose_benchmark(run);
        }
    }
    if (!ok)
        fprintf(stderr, "candour-report: %s\n", err.data);
    buf_release(&err);
    return ok ? REPORT_OK : REPORT_EDATA;
}

bool run_has_figures(const struct run *run)
{
    const struct {
        const struct view *v;
        const char *column;
    } figures[] = {
        {&run->prop, "estimate"}, {&run->themes, "mean"},  {&run->disp, "diff"},
        {&run->wres, "bme_rate"}, {&run->hot, "estimate"},
    };
    for (size_t k = 0; k < ARRAY_LEN(figures); k++)
        for (size_t i = 0; i < figures[k].v->n; i++) {
            double value;
            if (vnum(figures[k].v, figures[k].v->rows[i], figures[k].column, &value))
                return true;
        }
    return false;
}

void run_release(struct run *run)
{
    struct view *views[] = {&run->prop,     &run->themes,   &run->themes_prev, &run->disp,
                            &run->wres,     &run->bench,    &run->trends,      &run->hot,
                            &run->prop_org, &run->wres_org, &run->spc_org,     &run->bench_period};
    for (size_t i = 0; i < ARRAY_LEN(views); i++)
        view_release(views[i]);
    free(run->orgs.items);
    dict_release(&run->dict);
    memset(run, 0, sizeof(*run));
}
