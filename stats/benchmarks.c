/* benchmarks.csv: funnel plots.  Each org's proportion against the pooled
 * value of a comparison set: all orgs (benchmark ALL) and, for an org with
 * a benchmarking group, the orgs of that group (GROUP:<name>).  For every
 * period, item, grouping that is not a unit level (the whole org, and each
 * demographic group: BME staff of each org against all BME staff) and group.
 *
 * target: the pooled proportion of the comparison set, sum positive / sum n
 *   over all its orgs: the pooled cell's own counts, suppressed orgs
 *   included (the pooled cell passes disclosure control by itself).
 * overdispersion: FunnelPlotR's additive random-effects model for
 *   proportions (Spiegelhalter 2005, Stat Med 24:1185; Spiegelhalter et al.
 *   2012, JRSS A 175:1-47): arcsine square-root z-scores against the
 *   target, 10% winsorised (R quantile type 7), phi = mean squared
 *   winsorised z, DerSimonian-Laird tau2 (m_od_fit_proportions).  The fit
 *   uses the visible (unsuppressed) orgs only, so that phi and tau2 carry
 *   no information about a suppressed cell.
 * limits: tau2 = 0 -> model "binomial": exact binomial limits at 95% and
 *   99.8% with Spiegelhalter's interpolation (m_funnel_binomial); tau2 > 0
 *   -> model "random-effects": sin^2(asin(sqrt(target)) -/+ z sqrt(1/(4n) +
 *   tau2)) (m_od_limits), as FunnelPlotR draws its adjusted limits.
 * flag: where the estimate lies, strictly beyond a limit, turned into
 *   better/worse by the item's polarity: worse_998, worse_95, within,
 *   better_95, better_998.
 * --weight: a second set of rows (weighted = yes) from the NSS weighted
 *   proportions with their Kish effective sample sizes (x = p_w * n_eff,
 *   n = n_eff); the target is the pooled cell's weighted proportion.  As
 *   n_eff is not a whole number, limits without overdispersion are
 *   FunnelPlotR's arcsine ones with tau2 = 0 (model "arcsine-normal").
 * design effects: org-results rates with a design effect count as their
 *   effective base n / deff (load.c), not a whole number either: the same
 *   arcsine limits for every org of a comparison holding one.
 *
 * Disclosure: an org row whose cell is suppressed keeps its coordinates and
 * the comparison-level figures (target, model, phi, tau2) but no n, counts,
 * estimate, limits (which would reveal n), z or flag.  When the pooled cell
 * itself is suppressed every row of the comparison is blank. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "series.h"
#include "stats.h"

#define FUNNEL_TRIM 0.1 /* FunnelPlotR's default winsorisation */
#define COUNTS_AHEAD 8  /* orgs whose counts write_comparison fetches ahead */

static _Thread_local const struct model *sort_model; /* qsort has no context argument */

/* Org cells by period, grouping and group codes, then org name. */
static int compare_members(const void *pa, const void *pb)
{
    const struct popcell *x = &sort_model->cells[*(const size_t *)pa];
    const struct popcell *y = &sort_model->cells[*(const size_t *)pb];
    if (x->period != y->period)
        return x->period < y->period ? -1 : 1;
    if (x->grouping != y->grouping)
        return x->grouping < y->grouping ? -1 : 1;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return strcmp(sort_model->scopes[x->scope].name, sort_model->scopes[y->scope].name);
}

/* Pooled cells in output order: period, grouping, group, then ALL before
 * GROUP:<name> by name. */
static int compare_pools(const void *pa, const void *pb)
{
    const struct model *m = sort_model;
    const struct popcell *x = &m->cells[*(const size_t *)pa];
    const struct popcell *y = &m->cells[*(const size_t *)pb];
    int d = strcmp(m->periods.strings[x->period], m->periods.strings[y->period]);
    if (d)
        return d;
    if (x->grouping != y->grouping)
        return x->grouping < y->grouping ? -1 : 1;
    if ((d = strcmp(m->groups.strings[x->group], m->groups.strings[y->group])))
        return d;
    enum scope_kind kx = m->scopes[x->scope].kind, ky = m->scopes[y->scope].kind;
    if (kx != ky)
        return (int)kx - (int)ky;
    return strcmp(m->scopes[x->scope].name, m->scopes[y->scope].name);
}

/* The counts a funnel is drawn from: unweighted, or with weighted the NSS
 * weighted proportion p_w with its Kish effective sample size n_eff
 * (weighted_proportion, load.c) as x = p_w * n_eff, n = n_eff.  False when
 * the count has no weighted data (aggregated inputs, no answers). */
static bool funnel_counts(const struct model *m, size_t cell, size_t item, bool weighted,
                          double *x, double *n)
{
    const struct item_count *ic = &m->counts[cell * m->n_items + item];
    if (!weighted) {
        *x = ic->positive;
        *n = ic->n;
        return ic->n > 0;
    }
    double p_w, n_eff;
    if (!weighted_proportion(&m->weighted_sums[cell * m->n_items + item], &p_w, &n_eff))
        return false;
    *x = fmin(p_w * n_eff, n_eff);
    *n = n_eff;
    return true;
}

static bool in_comparison(const struct model *m, size_t pool, size_t member)
{
    const struct scope *s = &m->scopes[m->cells[pool].scope];
    if (!model_org_compared(m, m->cells[member].scope))
        return false;
    if (s->kind == SCOPE_ALL)
        return true;
    const char *bg = m->org_bgroup[m->cells[member].scope];
    return bg && strcmp(s->name + SCOPE_GROUP_PREFIX_LEN, bg) == 0;
}

enum flag { FLAG_WORSE_998, FLAG_WORSE_95, FLAG_WITHIN, FLAG_BETTER_95, FLAG_BETTER_998,
            FLAG_BLANK, N_FLAGS };
static const char *const flag_text[N_FLAGS] = {"worse_998", "worse_95",   "within",
                                               "better_95", "better_998", ""};

static enum flag flag_of(double estimate, const struct m_interval *l95,
                         const struct m_interval *l998, enum polarity polarity)
{
    int high = estimate < l998->lower   ? -2
               : estimate < l95->lower  ? -1
               : estimate > l998->upper ? 2
               : estimate > l95->upper  ? 1
                                        : 0;
    if (polarity == POLARITY_LOWER)
        high = -high;
    return (enum flag)(high + 2);
}

/* The model column: blank when the pooled cell is suppressed. */
enum model_kind { MODEL_BLANK, MODEL_RANDOM_EFFECTS, MODEL_ARCSINE, MODEL_BINOMIAL, N_MODELS };
static const char *const model_text[N_MODELS] = {"", "random-effects", "arcsine-normal",
                                                 "binomial"};

struct comparison {
    double target, phi, tau2;
    size_t n_orgs;
    bool fitted;           /* at least one visible org: phi and tau2 estimated */
    bool weighted;         /* rows from weighted_proportion (--weight) */
    bool effective_n;      /* some n are effective bases (rates with a design effect) */
    enum suppression supp; /* the pooled cell's */
};

/* The runs of fields a row is made of besides its own figures
 * (table_fields): per table, per org, and per comparison; 1.9 million rows
 * per national year, each comparison's names, target, phi, tau2 and size
 * repeated down its orgs' rows. */
struct benchmark_fields {
    struct item_fields items;
    struct table_fields *scope; /* per scope: its name */
    size_t n_scopes;
    struct table_fields no_figures;                  /* n, positive, estimate blank */
    struct table_fields model_flag[N_MODELS][N_FLAGS];
    struct table_fields tail[2]; /* measure and polarity come before: weighted no/yes, common */
    /* the comparison's */
    struct table_fields lead;   /* period, item, group_dim, group */
    struct table_fields target; /* blank when the pooled cell is suppressed */
    struct table_fields pooled[N_SUPPRESSION]; /* benchmark, suppressed, phi, tau2, n_orgs */
};

static void fields_make(const struct stats_run *run, struct benchmark_fields *f)
{
    const struct model *m = &run->model;
    item_fields_make(&f->items, m);
    f->n_scopes = m->n_scopes;
    f->scope = xcalloc(m->n_scopes ? m->n_scopes : 1, sizeof(*f->scope));
    for (size_t s = 0; s < m->n_scopes; s++) {
        table_fields_init(&f->scope[s]);
        table_fields_str(&f->scope[s], m->scopes[s].name);
    }
    table_fields_init(&f->no_figures);
    for (int k = 0; k < 3; k++)
        table_fields_blank(&f->no_figures);
    for (int k = 0; k < N_MODELS; k++)
        for (int g = 0; g < N_FLAGS; g++) {
            table_fields_init(&f->model_flag[k][g]);
            table_fields_str(&f->model_flag[k][g], model_text[k]);
            table_fields_str(&f->model_flag[k][g], flag_text[g]);
        }
    for (int w = 0; w < 2; w++)
        table_fields_tail(&f->tail[w], w ? "yes" : "no", run);
    table_fields_init(&f->lead);
    table_fields_init(&f->target);
    for (int s = 0; s < N_SUPPRESSION; s++)
        table_fields_init(&f->pooled[s]);
}

static void fields_release(struct benchmark_fields *f)
{
    item_fields_release(&f->items);
    for (size_t s = 0; s < f->n_scopes; s++)
        table_fields_release(&f->scope[s]);
    free(f->scope);
    table_fields_release(&f->no_figures);
    for (int k = 0; k < N_MODELS; k++)
        for (int g = 0; g < N_FLAGS; g++)
            table_fields_release(&f->model_flag[k][g]);
    for (int w = 0; w < 2; w++)
        table_fields_release(&f->tail[w]);
    table_fields_release(&f->lead);
    table_fields_release(&f->target);
    for (int s = 0; s < N_SUPPRESSION; s++)
        table_fields_release(&f->pooled[s]);
}

/* The fields every row of a comparison (pooled cell pool, item) shares. */
static void comparison_fields(const struct stats_run *run, size_t pool, size_t item,
                              const struct comparison *cmp, struct benchmark_fields *f)
{
    table_fields_clear(&f->lead);
    table_fields_str(&f->lead, cell_period(run, pool));
    table_fields_str(&f->lead, run->model.items[item].id);
    table_fields_str(&f->lead, cell_grouping(run, pool));
    table_fields_str(&f->lead, cell_group(run, pool));
    table_fields_clear(&f->target);
    if (cmp->supp == SUPP_NONE)
        table_fields_num(&f->target, cmp->target);
    else
        table_fields_blank(&f->target);
    for (int s = 0; s < N_SUPPRESSION; s++) {
        struct table_fields *p = &f->pooled[s];
        table_fields_clear(p);
        table_fields_str(p, cell_scope(run, pool));
        table_fields_str(p, suppression_name((enum suppression)s));
        if (cmp->supp == SUPP_NONE && cmp->fitted) {
            table_fields_num(p, cmp->phi);
            table_fields_num(p, cmp->tau2);
        } else {
            table_fields_blank(p);
            table_fields_blank(p);
        }
        table_fields_int(p, (double)cmp->n_orgs);
    }
}

/* An org cell of a comparison set, with what its rows need of the cell
 * kept beside it: the comparisons of one pooled cell run over every item,
 * and the cells array was a cache miss per org and item. */
struct compared_org {
    size_t cell;
    uint32_t scope;
    bool shown; /* its rows are written (cell_shown) */
};

/* One org's row of a comparison; its period, grouping and group are the
 * pooled cell's (the comparison's lead fields). */
static void write_row(const struct stats_run *run, struct table *t,
                      const struct compared_org *org, size_t item, const struct comparison *cmp,
                      const struct benchmark_fields *f)
{
    const struct model *m = &run->model;
    const struct item_count *ic = &m->counts[org->cell * m->n_items + item];
    enum suppression supp =
        ic->supp != SUPP_NONE ? ic->supp : cmp->supp; /* the worse of two decided states */
    table_put(t, &f->lead);
    table_put(t, &f->scope[org->scope]);
    double x, n, z = NAN;
    bool shown = supp == SUPP_NONE && funnel_counts(m, org->cell, item, cmp->weighted, &x, &n);
    struct m_interval l95 = {NAN, NAN, NAN}, l998 = {NAN, NAN, NAN};
    bool random_effects = cmp->tau2 > 0;
    if (shown) {
        enum m_status s1, s2;
        if (random_effects || cmp->weighted || cmp->effective_n) {
            /* a weighted n_eff is not a whole number: FunnelPlotR's
             * arcsine limits, tau2 = 0 without overdispersion */
            s1 = m_od_limits(cmp->target, cmp->tau2, n, 0.95, &l95);
            s2 = m_od_limits(cmp->target, cmp->tau2, n, 0.998, &l998);
        } else {
            s1 = m_funnel_binomial(cmp->target, n, 0.95, &l95);
            s2 = m_funnel_binomial(cmp->target, n, 0.998, &l998);
        }
        if (s1 != M_OK || s2 != M_OK)
            l95.lower = l95.upper = l998.lower = l998.upper = NAN;
        if (m_od_zscore(x, n, cmp->target, cmp->tau2, &z) != M_OK)
            z = NAN;
        if (cmp->weighted || cmp->effective_n) {
            table_num(t, n);
            table_num(t, x);
        } else {
            table_int(t, n);
            table_count(t, x);
        }
        table_num(t, x / n);
    } else {
        table_put(t, &f->no_figures);
    }
    table_put(t, &f->target);
    table_num(t, l95.lower);
    table_num(t, l95.upper);
    table_num(t, l998.lower);
    table_num(t, l998.upper);
    enum model_kind model = cmp->supp != SUPP_NONE                   ? MODEL_BLANK
                            : random_effects                         ? MODEL_RANDOM_EFFECTS
                            : cmp->weighted || cmp->effective_n ? MODEL_ARCSINE
                                                                     : MODEL_BINOMIAL;
    enum flag flag = shown && !isnan(l95.lower)
                         ? flag_of(x / n, &l95, &l998, m->items[item].polarity)
                         : FLAG_BLANK;
    table_put(t, &f->model_flag[model][flag]);
    table_put(t, &f->pooled[supp]);
    table_num(t, shown ? z : NAN);
    table_put(t, &f->items.kind[item]);
    table_put(t, &f->tail[cmp->weighted]);
    table_end_row(t);
}

/* Scratch of write_comparison: the visible orgs' counts, as many as the
 * largest comparison holds. */
struct fit_input {
    double *x, *n;
};

/* All rows of one pooled cell and item, unweighted or weighted;
 * orgs[0..n_orgs-1] are the org cells of its comparison set (same
 * period, grouping and group; in_comparison).  Weighted rows are left out
 * when the pooled cell has no weighted data (aggregated inputs). */
static bool write_comparison(const struct stats_run *run, struct table *t, size_t pool, size_t item,
                             const struct compared_org *orgs, size_t n_orgs, bool weighted,
                             struct fit_input *in, struct benchmark_fields *f, struct buf *err)
{
    const struct model *m = &run->model;
    const struct item_count *pc = &m->counts[pool * m->n_items + item];
    struct comparison cmp = {
        NAN, NAN, 0, 0, false, weighted, !weighted && (pc->rates & COUNT_RATES_DEFF), pc->supp};
    double pooled_x, pooled_n;
    bool pooled = funnel_counts(m, pool, item, weighted, &pooled_x, &pooled_n);
    if (weighted && !pooled)
        return true;
    size_t k = 0;
    cmp.n_orgs = n_orgs;
    for (size_t j = 0; j < n_orgs; j++) {
        /* the orgs' counts of one item lie n_items apart: a cache miss
         * each unless fetched ahead */
        if (j + COUNTS_AHEAD < n_orgs)
            __builtin_prefetch(&m->counts[orgs[j + COUNTS_AHEAD].cell * m->n_items + item]);
        const struct item_count *ic = &m->counts[orgs[j].cell * m->n_items + item];
        if (ic->supp == SUPP_NONE &&
            funnel_counts(m, orgs[j].cell, item, weighted, &in->x[k], &in->n[k]))
            k++;
    }
    if (cmp.supp == SUPP_NONE && pooled) {
        cmp.target = pooled_x / pooled_n;
        if (k > 0) {
            struct m_od_fit fit;
            enum m_status s = m_od_fit_proportions(in->x, in->n, k, cmp.target, FUNNEL_TRIM, &fit);
            if (s != M_OK) {
                buf_printf(err, "benchmarks: overdispersion fit for '%s' item '%s': %s",
                           cell_scope(run, pool), m->items[item].id, m_strerror(s));
                return false;
            }
            cmp.phi = fit.phi;
            cmp.tau2 = fit.tau2;
            cmp.fitted = true;
        }
    }
    comparison_fields(run, pool, item, &cmp, f);
    for (size_t j = 0; j < n_orgs; j++)
        if (orgs[j].shown)
            write_row(run, t, &orgs[j], item, &cmp, f);
    return true;
}

/* The org cells of each pooled cell's comparison, pools[0..n_pools) of one
 * period: those of members[] with the pool's period, grouping and group,
 * in its comparison set (in_comparison), found once for every item.  Pool
 * p's are compared[begin[p]..begin[p + 1]). */
static void find_compared(const struct stats_run *run, const size_t *pools, size_t n_pools,
                          const size_t *members, size_t n_members,
                          struct compared_org **compared, size_t *compared_cap, size_t *begin)
{
    const struct model *m = &run->model;
    size_t n_compared = 0;
    for (size_t p = 0; p < n_pools; p++) {
        const struct popcell *pc = &m->cells[pools[p]];
        begin[p] = n_compared;
        size_t lo = 0, hi = n_members;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            const struct popcell *mc = &m->cells[members[mid]];
            bool before = mc->period != pc->period       ? mc->period < pc->period
                          : mc->grouping != pc->grouping ? mc->grouping < pc->grouping
                                                         : mc->group < pc->group;
            if (before)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t j = lo; j < n_members && m->cells[members[j]].period == pc->period &&
                            m->cells[members[j]].grouping == pc->grouping &&
                            m->cells[members[j]].group == pc->group;
             j++)
            if (in_comparison(m, pools[p], members[j])) {
                xgrow(compared, compared_cap, n_compared + 1, sizeof(**compared));
                (*compared)[n_compared++] = (struct compared_org){
                    members[j], m->cells[members[j]].scope, cell_shown(run, members[j])};
            }
    }
    begin[n_pools] = n_compared;
}

bool write_benchmarks(const struct stats_run *run, struct table *t, struct buf *err)
{
    const struct model *m = &run->model;
    if (!table_open(t, run->opt->output_dir, BENCHMARKS_FILE, BENCHMARKS_COLUMNS, err))
        return false;
    size_t *members = xcalloc(m->n_cells ? m->n_cells : 1, sizeof(size_t));
    size_t *pools = xcalloc(m->n_cells ? m->n_cells : 1, sizeof(size_t));
    size_t n_members = 0, n_pools = 0;
    for (size_t c = 0; c < m->n_cells; c++) {
        const struct popcell *cell = &m->cells[c];
        if (m->groupings[cell->grouping].kind == GROUPING_UNIT)
            continue;
        if (m->scopes[cell->scope].kind == SCOPE_ORG)
            members[n_members++] = c;
        else
            pools[n_pools++] = c;
    }
    sort_model = m;
    qsort(members, n_members, sizeof(size_t), compare_members);
    qsort(pools, n_pools, sizeof(size_t), compare_pools);
    sort_model = NULL;
    struct compared_org *compared = NULL;
    size_t compared_cap = 0;
    size_t *begin = xcalloc(n_pools + 1, sizeof(size_t));
    struct fit_input in = {xcalloc(n_members + 1, sizeof(double)),
                           xcalloc(n_members + 1, sizeof(double))};
    struct benchmark_fields f;
    fields_make(run, &f);
    bool *asked = series_item_asked(m);
    bool ok = true;
    for (size_t a = 0, b; a < n_pools && ok; a = b) {
        uint32_t period = m->cells[pools[a]].period;
        for (b = a; b < n_pools && m->cells[pools[b]].period == period; b++)
            ;
        find_compared(run, pools + a, b - a, members, n_members, &compared, &compared_cap, begin);
        for (size_t i = 0; i < m->n_items && ok; i++) {
            if (!asked[period * m->n_items + i])
                continue;
            for (size_t p = a; p < b && ok; p++) {
                if (!table_unit(t) || !cell_shown(run, pools[p])) /* a unit: one comparison */
                    continue; /* no row of it is written */
                const struct compared_org *set = compared + begin[p - a];
                size_t n_set = begin[p - a + 1] - begin[p - a];
                ok = write_comparison(run, t, pools[p], i, set, n_set, false, &in, &f, err);
                if (ok && run->opt->weight)
                    ok = write_comparison(run, t, pools[p], i, set, n_set, true, &in, &f, err);
            }
        }
    }
    fields_release(&f);
    free(in.x);
    free(in.n);
    free(compared);
    free(begin);
    free(asked);
    free(members);
    free(pools);
    return ok;
}
