#include "load.h"
#include "overlap.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"

/* Answer classes, per item and answer code. */
enum { CLS_MISSING = 0, CLS_NEGATIVE = 1, CLS_POSITIVE = 2 };

static size_t string_column(const struct dataset *ds, uint8_t role, const char *name)
{
    size_t c = dataset_find_column(ds, role, name);
    return c != (size_t)-1 && ds->columns[c].type == DS_STR ? c : MODEL_NONE;
}

/* ---- opening and registering ----------------------------------------------------- */

/* A derived (any-of) item is counted when all its items are in the dataset. */
static bool derived_available(const struct dataset *ds, const struct schema *s,
                              const struct item *it)
{
    for (size_t k = 0; k < it->n_any_of; k++)
        if (dataset_find_column(ds, ROLE_ITEM, s->items[it->any_of[k]].id) == (size_t)-1)
            return false;
    return it->n_any_of > 0;
}

static void register_respondent(struct model *m, const struct dataset *ds, const struct schema *s)
{
    for (size_t c = 0; c < ds->n_columns; c++) {
        const struct ds_column *col = &ds->columns[c];
        if (col->role == ROLE_ITEM || col->role == ROLE_BASE || col->role == ROLE_RATE) {
            size_t it = schema_find_item(s, col->name);
            if (it != SCHEMA_NONE)
                model_item(m, &s->items[it]);
        }
    }
    for (size_t i = 0; i < s->n_items; i++)
        if (derived_available(ds, s, &s->items[i]))
            model_item(m, &s->items[i]);
    for (size_t t = 0; t < s->n_themes; t++)
        model_theme(m, s->themes[t].id);
    /* groupings, in schema order so parents come before children */
    for (size_t c = 0; c < s->n_columns; c++) {
        const struct schema_column *sc = &s->columns[c];
        if (sc->role == ROLE_DEMOGRAPHIC) {
            size_t g = model_grouping(m, sc->name, GROUPING_DEMOGRAPHIC);
            if (sc->reference && !m->groupings[g].reference)
                m->groupings[g].reference = xstrdup(sc->reference);
        } else if (sc->role == ROLE_UNIT) {
            size_t g = model_grouping(m, sc->name, GROUPING_UNIT);
            m->groupings[g].parent = sc->parent ? model_grouping(m, sc->parent, GROUPING_UNIT) : 0;
        }
    }
}

static void register_counts(struct model *m, const struct dataset *ds, const struct schema *s)
{
    size_t item_col = string_column(ds, ROLE_ITEM_ID, NULL);
    if (item_col == MODEL_NONE)
        return;
    const struct strdict *d = &ds->columns[item_col].dict;
    for (size_t k = 1; k < d->count; k++) {
        size_t it = schema_find_item(s, d->strings[k]);
        if (it != SCHEMA_NONE)
            model_item(m, &s->items[it]);
    }
}

bool load_open(struct model *m, struct source_dataset *src, char **paths, size_t n, struct buf *err,
               bool *io_error)
{
    *io_error = false;
    for (size_t i = 0; i < n; i++) {
        enum ds_open_error why;
        src[i].ds = dataset_load(paths[i], err, &why);
        if (!src[i].ds) {
            *io_error = why == DS_OPEN_EIO;
            return false;
        }
        struct buf schema_err;
        buf_init(&schema_err);
        src[i].schema = schema_parse(paths[i], src[i].ds->schema_text,
                                     strlen(src[i].ds->schema_text), &schema_err);
        if (!src[i].schema) {
            buf_printf(err, "%s: its embedded schema does not parse: %s", paths[i],
                       schema_err.data);
            buf_release(&schema_err);
            return false;
        }
        buf_release(&schema_err);
        const struct schema *s = src[i].schema;
        if (s->kind == KIND_WRES_HR)
            continue;
        if (m->n_cells && m->period_kind != s->period_kind) {
            buf_printf(err, "%s: its periods are %ss, other survey datasets use %ss", paths[i],
                       period_kind_name(s->period_kind), period_kind_name(m->period_kind));
            return false;
        }
        m->period_kind = s->period_kind;
        if (s->kind == KIND_COUNTS)
            register_counts(m, src[i].ds, s);
        else
            register_respondent(m, src[i].ds, s);
    }
    return true;
}

void load_close(struct source_dataset *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        schema_free(src[i].schema);
        dataset_close(src[i].ds);
    }
}

/* ---- reading blocks ------------------------------------------------------------- */

/* The columns of one block, decompressed, with local string codes mapped to
 * the model's ids. */
struct block_reader {
    const struct dataset *ds;
    unsigned char **raw; /* per dataset column, NULL when not needed */
    uint32_t **ids;      /* per string column: local code -> model id */
    bool *wanted;
};

static void reader_init(struct block_reader *r, const struct dataset *ds)
{
    r->ds = ds;
    r->raw = xcalloc(ds->n_columns, sizeof(*r->raw));
    r->ids = xcalloc(ds->n_columns, sizeof(*r->ids));
    r->wanted = xcalloc(ds->n_columns, sizeof(*r->wanted));
}

static void reader_want(struct block_reader *r, size_t col)
{
    if (col == MODEL_NONE || r->wanted[col])
        return;
    r->wanted[col] = true;
    r->raw[col] = xmalloc(DATASET_BLOCK_ROWS * ds_type_size(r->ds->columns[col].type));
}

static void reader_release(struct block_reader *r)
{
    for (size_t c = 0; c < r->ds->n_columns; c++) {
        free(r->raw[c]);
        free(r->ids[c]);
    }
    free(r->raw);
    free(r->ids);
    free(r->wanted);
}

static bool reader_load(struct block_reader *r, size_t b, struct buf *err)
{
    for (size_t c = 0; c < r->ds->n_columns; c++)
        if (r->wanted[c] && !dataset_read_chunk(r->ds, b, c, r->raw[c], err))
            return false;
    return true;
}

static inline uint32_t str_code(const struct block_reader *r, size_t col, size_t row)
{
    uint32_t code;
    memcpy(&code, r->raw[col] + 4 * row, 4);
    return code;
}

static inline int64_t i64_value(const struct block_reader *r, size_t col, size_t row)
{
    int64_t v;
    memcpy(&v, r->raw[col] + 8 * row, 8);
    return v;
}

static inline double f64_value(const struct block_reader *r, size_t col, size_t row)
{
    double v;
    memcpy(&v, r->raw[col] + 8 * row, 8);
    return v;
}

/* Map a string column's dictionary into a model dictionary. */
static void map_strings(struct block_reader *r, size_t col, struct strdict *into)
{
    const struct strdict *d = &r->ds->columns[col].dict;
    r->ids[col] = xcalloc(d->count, sizeof(uint32_t));
    for (size_t k = 0; k < d->count; k++)
        r->ids[col][k] = strdict_intern(into, d->strings[k], strlen(d->strings[k]));
}

static void map_scopes(struct model *m, struct block_reader *r, size_t col)
{
    const struct strdict *d = &r->ds->columns[col].dict;
    r->ids[col] = xcalloc(d->count, sizeof(uint32_t));
    for (size_t k = 1; k < d->count; k++)
        r->ids[col][k] = (uint32_t)model_scope(m, d->strings[k], SCOPE_ORG);
}

/* ---- weights (--weight) ---------------------------------------------------------- */

/* With --weight every respondent answer also goes into weighted sums (the
 * weighted proportion and Kish's effective sample size, weighted_proportion).
 * The weights are either
 *
 *   given: the export's own weight column (the survey contractor's weights,
 *     the schema's `weight` role), used as they are.  A respondent whose
 *     weight is blank gives NaN weighted sums to every cell holding them, so
 *     no weighted figure is shown for those cells; or
 *
 *   computed (NHS Staff Survey weighting, NSS technical guide): each
 *     respondent is weighted so that the mix of one demographic (the
 *     schema's `weight-by`, the NSS occupational groups in the shipped
 *     schemas, or --weight-by) of their org in a period matches that of the
 *     org's benchmarking group in the same period:
 *
 *       w = (share of the respondent's group among the benchmarking group's
 *            respondents) / (share of that group among the org's respondents),
 *
 *     capped at WEIGHT_CAP.  Shares are taken among respondents whose group
 *     is known; a respondent whose group is unknown (blank, stored as
 *     DATASET_BLANK_GROUP), and every respondent of an org without a
 *     benchmarking group, has weight 1.
 *
 * Given weights are used when the respondent datasets carry them and
 * --weight-by is not given; datasets with and without weights are not mixed
 * in one run (pooled cells would mix two kinds of weight). */
#define WEIGHT_CAP 5.0
#define GROUP_NONE UINT32_MAX

struct weights {
    bool given;     /* the datasets' weight columns, not computed ones */
    const char *by; /* computed: the demographic whose mix is matched */
    size_t n_periods, n_scopes, n_groups;
    struct strdict groups; /* known groups of the weighting demographic */
    double *w;             /* [period][scope][group]: the weight */
};

static inline size_t weight_index(const struct weights *wt, uint32_t period, uint32_t scope,
                                  uint32_t group)
{
    return ((size_t)period * wt->n_scopes + scope) * wt->n_groups + group;
}

static bool unknown_group(const char *label)
{
    return !*label || strcmp(label, DATASET_BLANK_GROUP) == 0;
}

/* Local code of a weighting-demographic column -> index into wt->groups (GROUP_NONE
 * for an unknown group); interns new groups when intern is set. Caller frees. */
static uint32_t *weight_group_codes(struct weights *wt, const struct dataset *ds, size_t col,
                                    bool intern)
{
    const struct strdict *d = &ds->columns[col].dict;
    uint32_t *codes = xcalloc(d->count ? d->count : 1, sizeof(uint32_t));
    for (size_t k = 0; k < d->count; k++) {
        const char *label = d->strings[k];
        codes[k] = GROUP_NONE;
        if (unknown_group(label))
            continue;
        if (intern) {
            codes[k] = strdict_intern(&wt->groups, label, strlen(label));
        } else {
            int64_t g = strdict_find(&wt->groups, label, strlen(label));
            if (g >= 0)
                codes[k] = (uint32_t)g;
        }
    }
    return codes;
}

static void weights_release(struct weights *wt)
{
    strdict_release(&wt->groups);
    free(wt->w);
    memset(wt, 0, sizeof(*wt));
}

/* Count the known groups of the weighting demographic in one respondent dataset per period
 * and org into mix ([period][scope][group]), noting each org's benchmarking
 * group as count_row does. */
static bool mix_respondent(struct model *m, struct weights *wt, const struct dataset *ds,
                           double *mix, struct buf *err)
{
    struct block_reader r;
    reader_init(&r, ds);
    size_t period = string_column(ds, ROLE_PERIOD, NULL), org = string_column(ds, ROLE_ORG, NULL);
    size_t bgroup = string_column(ds, ROLE_BGROUP, NULL);
    size_t occ = string_column(ds, ROLE_DEMOGRAPHIC, wt->by);
    size_t cols[] = {period, org, bgroup, occ};
    for (size_t i = 0; i < ARRAY_LEN(cols); i++)
        reader_want(&r, cols[i]);
    map_strings(&r, period, &m->periods);
    map_scopes(m, &r, org);
    uint32_t *group = weight_group_codes(wt, ds, occ, false);
    bool ok = true;
    for (size_t b = 0; b < ds->n_blocks && ok; b++) {
        ok = reader_load(&r, b, err);
        for (size_t row = 0; ok && row < ds->blocks[b].n_rows; row++) {
            uint32_t s = r.ids[org][str_code(&r, org, row)];
            if (bgroup != MODEL_NONE && !m->org_bgroup[s]) {
                const char *bg = ds->columns[bgroup].dict.strings[str_code(&r, bgroup, row)];
                if (*bg)
                    m->org_bgroup[s] = xstrdup(bg);
            }
            uint32_t g = group[str_code(&r, occ, row)];
            if (g != GROUP_NONE)
                mix[weight_index(wt, r.ids[period][str_code(&r, period, row)], s, g)] += 1;
        }
    }
    free(group);
    reader_release(&r);
    return ok;
}

/* How many rows of respondent dataset ds carry a weight in its weight
 * column (the schema's `weight` role; a dataset whose file lacked the
 * column has it blank throughout): 0 when none or no such column. */
static bool count_given_weights(const struct dataset *ds, size_t *n_given, struct buf *err)
{
    *n_given = 0;
    size_t col = dataset_find_column(ds, ROLE_WEIGHT, NULL);
    if (col == MODEL_NONE || col >= ds->n_columns)
        return true;
    struct block_reader r;
    reader_init(&r, ds);
    reader_want(&r, col);
    bool ok = true;
    for (size_t b = 0; b < ds->n_blocks && ok; b++) {
        ok = reader_load(&r, b, err);
        for (size_t row = 0; ok && row < ds->blocks[b].n_rows; row++)
            *n_given += !isnan(f64_value(&r, col, row));
    }
    reader_release(&r);
    return ok;
}

/* Which weights --weight uses (see above): given ones when no --weight-by
 * is given and the respondent datasets carry weights, else computed by
 * --weight-by or the schemas' `weight-by`.  Sets wt->given or wt->by and
 * m->weight_source; false with a message in err when the datasets cannot
 * be weighted that way. */
static bool weights_choose(struct model *m, struct weights *wt, const struct source_dataset *src,
                           size_t n, struct buf *err)
{
    const char *with = NULL, *without = NULL; /* a dataset with and one without weights */
    for (size_t i = 0; i < n; i++) {
        if (src[i].schema->kind != KIND_RESPONDENT)
            continue;
        size_t n_given = 0;
        if (!m->weight_by && !count_given_weights(src[i].ds, &n_given, err))
            return false;
        if (n_given)
            with = with ? with : src[i].ds->path;
        else
            without = without ? without : src[i].ds->path;
    }
    if (!with && !without) {
        buf_puts(err, "--weight needs respondent datasets; none was given");
        return false;
    }
    if (with && without) {
        buf_printf(err,
                   "%s carries its own weights but %s has none: give --weight-by DEMOGRAPHIC "
                   "to compute weights for both",
                   with, without);
        return false;
    }
    if (with) {
        wt->given = true;
        m->weight_source = xstrdup("given: the weight column of the respondent data");
        return true;
    }
    wt->by = m->weight_by;
    for (size_t i = 0; i < n && !wt->by; i++)
        if (src[i].schema->kind == KIND_RESPONDENT)
            wt->by = src[i].schema->weight_by;
    if (!wt->by) {
        buf_printf(err,
                   "%s: --weight needs weights: the data has no weight column, and neither "
                   "the schema's weight-by nor --weight-by names a demographic to compute "
                   "them by",
                   without);
        return false;
    }
    struct buf text;
    buf_init(&text);
    buf_printf(
        &text,
        "computed: the mix of '%s' matched to the benchmarking group's (weights capped at %g)",
        wt->by, WEIGHT_CAP);
    m->weight_source = xstrdup(text.data);
    buf_release(&text);
    return true;
}

/* First pass of --weight over every respondent dataset: which weights
 * (weights_choose); for computed ones, the mix of the weighting demographic
 * per org and period and per benchmarking group and period, then the
 * weight of each (period, org, group).  Fails when a respondent dataset
 * lacks the weighting demographic. */
static bool weights_prepare(struct model *m, struct weights *wt, const struct source_dataset *src,
                            size_t n, struct buf *err)
{
    memset(wt, 0, sizeof(*wt));
    strdict_init(&wt->groups);
    if (!weights_choose(m, wt, src, n, err))
        return false;
    if (wt->given)
        return true;
    for (size_t i = 0; i < n; i++) {
        const struct dataset *ds = src[i].ds;
        if (src[i].schema->kind != KIND_RESPONDENT)
            continue;
        size_t occ = string_column(ds, ROLE_DEMOGRAPHIC, wt->by);
        if (occ == MODEL_NONE) {
            buf_printf(err, "%s: --weight needs the demographic '%s', which this dataset lacks",
                       ds->path, wt->by);
            return false;
        }
        /* register every period, org and group first, so the arrays have their size */
        const struct strdict *d = &ds->columns[string_column(ds, ROLE_PERIOD, NULL)].dict;
        for (size_t k = 0; k < d->count; k++)
            strdict_intern(&m->periods, d->strings[k], strlen(d->strings[k]));
        d = &ds->columns[string_column(ds, ROLE_ORG, NULL)].dict;
        for (size_t k = 1; k < d->count; k++)
            model_scope(m, d->strings[k], SCOPE_ORG);
        free(weight_group_codes(wt, ds, occ, true));
    }
    wt->n_periods = m->periods.count;
    wt->n_scopes = m->n_scopes;
    wt->n_groups = wt->groups.count ? wt->groups.count : 1;
    size_t n_orgs = wt->n_periods * wt->n_scopes;
    double *mix = xcalloc(n_orgs * wt->n_groups, sizeof(double));
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        if (src[i].schema->kind == KIND_RESPONDENT)
            ok = mix_respondent(m, wt, src[i].ds, mix, err);
    if (!ok) {
        free(mix);
        return false;
    }
    /* benchmarking groups: mix per (period, group of orgs) */
    struct strdict bgroups;
    strdict_init(&bgroups);
    uint32_t *bg_of = xcalloc(wt->n_scopes, sizeof(uint32_t));
    for (size_t s = 0; s < wt->n_scopes; s++) {
        const char *bg = m->org_bgroup[s];
        bg_of[s] = bg ? strdict_intern(&bgroups, bg, strlen(bg)) : GROUP_NONE;
    }
    size_t n_bg = bgroups.count ? bgroups.count : 1;
    double *bg_mix = xcalloc(wt->n_periods * n_bg * wt->n_groups, sizeof(double));
    for (size_t p = 0; p < wt->n_periods; p++)
        for (size_t s = 0; s < wt->n_scopes; s++)
            if (bg_of[s] != GROUP_NONE)
                for (size_t g = 0; g < wt->n_groups; g++)
                    bg_mix[(p * n_bg + bg_of[s]) * wt->n_groups + g] +=
                        mix[weight_index(wt, (uint32_t)p, (uint32_t)s, (uint32_t)g)];
    wt->w = xcalloc(n_orgs * wt->n_groups, sizeof(double));
    for (size_t p = 0; p < wt->n_periods; p++) {
        for (size_t s = 0; s < wt->n_scopes; s++) {
            const double *org = &mix[weight_index(wt, (uint32_t)p, (uint32_t)s, 0)];
            double *w = &wt->w[weight_index(wt, (uint32_t)p, (uint32_t)s, 0)];
            const double *bg =
                bg_of[s] != GROUP_NONE ? &bg_mix[(p * n_bg + bg_of[s]) * wt->n_groups] : NULL;
            double org_total = 0, bg_total = 0;
            for (size_t g = 0; g < wt->n_groups; g++) {
                org_total += org[g];
                bg_total += bg ? bg[g] : 0;
            }
            for (size_t g = 0; g < wt->n_groups; g++) {
                w[g] = 1;
                if (bg && org[g] > 0) {
                    w[g] = (bg[g] / bg_total) / (org[g] / org_total);
                    if (w[g] > WEIGHT_CAP)
                        w[g] = WEIGHT_CAP;
                }
            }
        }
    }
    free(bg_mix);
    free(bg_of);
    strdict_release(&bgroups);
    free(mix);
    return true;
}

bool weighted_proportion(const struct weighted_sums *ws, double *p_w, double *n_eff)
{
    if (!(ws->w_sum > 0 && ws->w_sq_sum > 0))
        return false; /* no answers, or NaN: counts from aggregated datasets */
    *p_w = ws->w_pos / ws->w_sum;
    *n_eff = ws->w_sum * ws->w_sum / ws->w_sq_sum;
    return true;
}

/* ---- respondent datasets --------------------------------------------------------- */

struct respondent_plan {
    size_t period_col, org_col, bgroup_col, weight_col;
    const struct weights *weights; /* --weight: the weights, else NULL */
    size_t weight_group_col;
    uint32_t *weight_group; /* computed weights: local code -> weights' group index */
    size_t n_groupings;     /* demographic and unit groupings of this dataset */
    size_t *grouping_col;   /* dataset column per grouping slot */
    size_t *grouping;       /* model grouping per slot */
    size_t *parent_slot;    /* units: slot of the parent unit, MODEL_NONE for the org */
    size_t n_items;
    size_t *item_col;
    size_t *item_model;
    unsigned char (*item_class)[256];
    double (*item_score)[256];
    size_t n_themes;
    size_t *theme_model;
    size_t **theme_parts; /* plan indices of each theme's items in the file */
    size_t *theme_n_parts;
    size_t n_derived;
    size_t *derived_model;  /* model item of each derived (any-of) item */
    size_t **derived_parts; /* plan indices of its items */
    size_t *derived_n_parts;
};

static size_t slot_of(const struct respondent_plan *p, size_t grouping)
{
    for (size_t s = 0; s < p->n_groupings; s++)
        if (p->grouping[s] == grouping)
            return s;
    return MODEL_NONE;
}

static void plan_item(struct respondent_plan *p, struct model *m, const struct schema *s,
                      size_t col, const char *id)
{
    size_t it = schema_find_item(s, id);
    if (it == SCHEMA_NONE || s->items[it].scale == SCHEMA_NONE)
        return;
    const struct item *item = &s->items[it];
    const struct scale *sc = &s->scales[item->scale];
    size_t k = p->n_items++;
    p->item_col[k] = col;
    p->item_model[k] = model_item(m, item);
    memset(p->item_class[k], CLS_MISSING, 256);
    for (size_t code = 0; code < 256; code++)
        p->item_score[k][code] = NAN;
    for (size_t e = 0; e < sc->n_entries; e++) {
        unsigned char cls = item->positive[e] ? CLS_POSITIVE : CLS_NEGATIVE;
        if (item->missing[e])
            cls = item->missing_in_denominator ? CLS_NEGATIVE : CLS_MISSING;
        p->item_class[k][e + 1] = cls;
        double score = sc->entries[e].score;
        p->item_score[k][e + 1] = item->reverse_score && !isnan(score) ? 10 - score : score;
    }
}

/* Order the grouping slots so that a unit's parent comes before it: a row's
 * unit cell is looked up under its parent's cell of the same row, so a
 * schema that declares team before directorate (as a contractor's may)
 * would otherwise file each team under the previous row's directorate.
 * The schema refuses parents that are missing or form a cycle, so every
 * pass places at least one slot. */
static void parents_first(struct respondent_plan *p, const struct model *m)
{
    size_t n = p->n_groupings;
    size_t *col = xcalloc(n + 1, sizeof(size_t)), *grouping = xcalloc(n + 1, sizeof(size_t));
    bool *placed = xcalloc(n + 1, sizeof(bool));
    size_t done = 0;
    while (done < n) {
        size_t before = done;
        for (size_t k = 0; k < n; k++) {
            if (placed[k])
                continue;
            const struct grouping *g = &m->groupings[p->grouping[k]];
            size_t parent = g->kind == GROUPING_UNIT && g->parent ? slot_of(p, g->parent) : MODEL_NONE;
            if (parent != MODEL_NONE && parent != k && !placed[parent])
                continue;
            placed[k] = true;
            col[done] = p->grouping_col[k];
            grouping[done++] = p->grouping[k];
        }
        if (done == before) { /* a cycle the schema let through: keep the rest as they are */
            for (size_t k = 0; k < n; k++)
                if (!placed[k]) {
                    col[done] = p->grouping_col[k];
                    grouping[done++] = p->grouping[k];
                }
        }
    }
    memcpy(p->grouping_col, col, n * sizeof(size_t));
    memcpy(p->grouping, grouping, n * sizeof(size_t));
    free(col);
    free(grouping);
    free(placed);
}

static void plan_respondent(struct respondent_plan *p, struct model *m, const struct dataset *ds,
                            const struct schema *s, struct block_reader *r, struct weights *wt)
{
    memset(p, 0, sizeof(*p));
    p->weights = wt;
    p->weight_col = dataset_find_column(ds, ROLE_WEIGHT, NULL);
    if (wt && wt->given) {
        /* weights_choose checked that the column holds weights */
        reader_want(r, p->weight_col);
    } else if (wt) {
        /* weights_prepare checked that the column exists */
        p->weight_group_col = string_column(ds, ROLE_DEMOGRAPHIC, wt->by);
        p->weight_group = weight_group_codes(wt, ds, p->weight_group_col, false);
        reader_want(r, p->weight_group_col);
    }
    p->period_col = string_column(ds, ROLE_PERIOD, NULL);
    p->org_col = string_column(ds, ROLE_ORG, NULL);
    p->bgroup_col = string_column(ds, ROLE_BGROUP, NULL);
    p->grouping_col = xcalloc(ds->n_columns, sizeof(size_t));
    p->grouping = xcalloc(ds->n_columns, sizeof(size_t));
    p->parent_slot = xcalloc(ds->n_columns, sizeof(size_t));
    p->item_col = xcalloc(ds->n_columns, sizeof(size_t));
    p->item_model = xcalloc(ds->n_columns, sizeof(size_t));
    p->item_class = xcalloc(ds->n_columns, sizeof(*p->item_class));
    p->item_score = xcalloc(ds->n_columns, sizeof(*p->item_score));
    for (size_t c = 0; c < ds->n_columns; c++) {
        const struct ds_column *col = &ds->columns[c];
        if (col->role == ROLE_DEMOGRAPHIC || col->role == ROLE_UNIT) {
            size_t g = model_grouping(
                m, col->name, col->role == ROLE_UNIT ? GROUPING_UNIT : GROUPING_DEMOGRAPHIC);
            p->grouping_col[p->n_groupings] = c;
            p->grouping[p->n_groupings++] = g;
            reader_want(r, c);
            map_strings(r, c, &m->groups);
        } else if (col->role == ROLE_ITEM) {
            plan_item(p, m, s, c, col->name);
            reader_want(r, c);
        }
    }
    parents_first(p, m);
    for (size_t k = 0; k < p->n_groupings; k++) {
        const struct grouping *g = &m->groupings[p->grouping[k]];
        p->parent_slot[k] =
            g->kind == GROUPING_UNIT && g->parent ? slot_of(p, g->parent) : MODEL_NONE;
    }
    p->theme_model = xcalloc(s->n_themes + 1, sizeof(size_t));
    p->n_themes = s->n_themes;
    p->theme_parts = xcalloc(s->n_themes + 1, sizeof(size_t *));
    p->theme_n_parts = xcalloc(s->n_themes + 1, sizeof(size_t));
    for (size_t t = 0; t < s->n_themes; t++) {
        const struct theme *th = &s->themes[t];
        p->theme_model[t] = model_theme(m, th->id);
        p->theme_parts[t] = xcalloc(th->n_items + 1, sizeof(size_t));
        for (size_t k = 0; k < th->n_items; k++)
            for (size_t j = 0; j < p->n_items; j++)
                if (strcmp(ds->columns[p->item_col[j]].name, s->items[th->items[k]].id) == 0)
                    p->theme_parts[t][p->theme_n_parts[t]++] = j;
    }
    p->derived_model = xcalloc(s->n_items + 1, sizeof(size_t));
    p->derived_parts = xcalloc(s->n_items + 1, sizeof(size_t *));
    p->derived_n_parts = xcalloc(s->n_items + 1, sizeof(size_t));
    for (size_t i = 0; i < s->n_items; i++) {
        const struct item *it = &s->items[i];
        if (!derived_available(ds, s, it))
            continue;
        size_t d = p->n_derived++;
        p->derived_model[d] = model_item(m, it);
        p->derived_parts[d] = xcalloc(it->n_any_of, sizeof(size_t));
        for (size_t k = 0; k < it->n_any_of; k++)
            for (size_t j = 0; j < p->n_items; j++)
                if (strcmp(ds->columns[p->item_col[j]].name, s->items[it->any_of[k]].id) == 0)
                    p->derived_parts[d][p->derived_n_parts[d]++] = j;
    }
    reader_want(r, p->period_col);
    reader_want(r, p->org_col);
    reader_want(r, p->bgroup_col);
    map_strings(r, p->period_col, &m->periods);
    map_scopes(m, r, p->org_col);
}

static void plan_release(struct respondent_plan *p)
{
    free(p->weight_group);
    free(p->grouping_col);
    free(p->grouping);
    free(p->parent_slot);
    free(p->item_col);
    free(p->item_model);
    free(p->item_class);
    free(p->item_score);
    free(p->theme_model);
    for (size_t t = 0; t < p->n_themes; t++)
        free(p->theme_parts[t]);
    free(p->theme_parts);
    free(p->theme_n_parts);
    for (size_t d = 0; d < p->n_derived; d++)
        free(p->derived_parts[d]);
    free(p->derived_model);
    free(p->derived_parts);
    free(p->derived_n_parts);
}

/* The answers and score tables of theme t's items, for theme_score. */
struct theme_parts {
    size_t n, min_items;
    const unsigned char **raw; /* per item: the block's answers */
    const double **score;      /* per item: score per answer code */
};

static void theme_parts_init(struct theme_parts *tp, const struct respondent_plan *p,
                             const struct schema *s, const struct block_reader *r, size_t t)
{
    tp->n = p->theme_n_parts[t];
    tp->min_items = s->themes[t].min_items;
    tp->raw = xcalloc(tp->n + 1, sizeof(*tp->raw));
    tp->score = xcalloc(tp->n + 1, sizeof(*tp->score));
    for (size_t k = 0; k < tp->n; k++) {
        size_t j = p->theme_parts[t][k];
        tp->raw[k] = r->raw[p->item_col[j]];
        tp->score[k] = p->item_score[j];
    }
}

static void theme_parts_release(struct theme_parts *tp)
{
    free(tp->raw);
    free(tp->score);
}

/* A theme's score of one respondent: NaN where too few items are scored. */
static double theme_score(const struct theme_parts *tp, size_t row)
{
    double sum = 0;
    size_t scored = 0;
    for (size_t k = 0; k < tp->n; k++) {
        double score = tp->score[k][tp->raw[k][row]];
        if (!isnan(score)) {
            sum += score;
            scored++;
        }
    }
    return scored >= tp->min_items && scored ? sum / (double)scored : NAN;
}

/* One answer of weight w into the weighted sums (--weight). */
static inline void add_weight(struct weighted_sums *ws, unsigned char cls, double w)
{
    ws->w_sum += w;
    ws->w_sq_sum += w * w;
    if (cls == CLS_POSITIVE)
        ws->w_pos += w;
}

/* One answer of class cls to an item, counted in every cell of the row
 * with its --weight weight w (the weight of the respondent's period, org
 * and weighting group, or its given weight); unweighted answers go through the tallies. */
static void count_answer(struct model *m, const size_t *cells, size_t n_cells, size_t item,
                         unsigned char cls, double w)
{
    if (cls == CLS_MISSING)
        return;
    for (size_t i = 0; i < n_cells; i++) {
        struct item_count *ic = model_count(m, cells[i], item);
        ic->n += 1;
        ic->positive += cls == CLS_POSITIVE;
        add_weight(model_weighted_sums(m, cells[i], item), cls, w);
    }
}

/* The class of derived (any-of) item d: the highest of its parts'. */
static inline unsigned char derived_class(const struct respondent_plan *p,
                                          const struct block_reader *r, size_t d, size_t row)
{
    unsigned char cls = CLS_MISSING;
    for (size_t k = 0; k < p->derived_n_parts[d]; k++) {
        size_t j = p->derived_parts[d][k];
        unsigned char part = p->item_class[j][r->raw[p->item_col[j]][row]];
        if (part > cls)
            cls = part;
    }
    return cls;
}

/* The cells of a row are found by grouping slot and group code: rows come
 * in runs of one org, so each code of each slot is looked up in the
 * model's hash once per org (and parent unit) and then read from a table
 * indexed by the code (the cells of the row before, kept per slot, missed
 * at nearly every row for demographics, and their hash lookups were most
 * of counting's single-threaded part). */
struct code_cell {
    uint32_t period, scope;
    size_t parent; /* the parent cell it was looked up under */
    size_t cell;   /* MODEL_NONE: not looked up yet */
};

/* A unit whose parent slot has few codes is looked up by both codes (team
 * names repeat under each directorate, so the team's code alone would miss
 * at each change of directorate); up to this many entries. */
#define MEMO_PAIRS 65536

struct cell_memo {
    bool valid;
    uint32_t period, scope;
    size_t all;
    struct code_cell **of_code; /* per slot: per group code of its column */
    size_t *n_codes;            /* per slot: the codes of its column */
    size_t *parent_col;         /* per slot: its parent slot's column, when by both codes */
};

static void memo_init(struct cell_memo *memo, const struct respondent_plan *p,
                      const struct dataset *ds)
{
    *memo = (struct cell_memo){false, 0, 0, MODEL_NONE, NULL, NULL, NULL};
    memo->of_code = xcalloc(p->n_groupings + 1, sizeof(*memo->of_code));
    memo->n_codes = xcalloc(p->n_groupings + 1, sizeof(size_t));
    memo->parent_col = xcalloc(p->n_groupings + 1, sizeof(size_t));
    for (size_t k = 0; k < p->n_groupings; k++) {
        size_t n_codes = ds->columns[p->grouping_col[k]].dict.count + 1, entries = n_codes;
        size_t parent = p->parent_slot[k];
        size_t n_parent =
            parent != MODEL_NONE ? ds->columns[p->grouping_col[parent]].dict.count : 0;
        memo->parent_col[k] = MODEL_NONE;
        if (n_parent && n_parent <= MEMO_PAIRS / n_codes) {
            memo->parent_col[k] = p->grouping_col[parent];
            entries = n_parent * n_codes;
        }
        memo->n_codes[k] = n_codes;
        memo->of_code[k] = xcalloc(entries, sizeof(struct code_cell));
        for (size_t c = 0; c < entries; c++)
            memo->of_code[k][c].cell = MODEL_NONE;
    }
}

static void memo_release(struct cell_memo *memo, const struct respondent_plan *p)
{
    for (size_t k = 0; k < p->n_groupings; k++)
        free(memo->of_code[k]);
    free(memo->of_code);
    free(memo->n_codes);
    free(memo->parent_col);
}

/* The cell of slot k for group code code under parent (its parent slot
 * having code parent_code in the row), from the memo or model_cell. */
static size_t slot_cell_of(struct model *m, struct cell_memo *memo, size_t k, uint32_t period,
                           uint32_t scope, uint32_t grouping, uint32_t code, uint32_t group,
                           size_t parent, uint32_t parent_code)
{
    size_t at = memo->parent_col[k] != MODEL_NONE ? parent_code * memo->n_codes[k] + code : code;
    struct code_cell *e = &memo->of_code[k][at];
    if (e->cell != MODEL_NONE && e->scope == scope && e->period == period && e->parent == parent)
        return e->cell;
    *e = (struct code_cell){period, scope, parent,
                            model_cell(m, period, scope, grouping, group, parent)};
    return e->cell;
}

/* The cells of one row: cells[0] the org's, cells[1 + k] grouping slot k's
 * (MODEL_NONE where the row gives none), and the row counted as a
 * respondent of each; with --weight its answers counted too (into the
 * cells given, listed in compact[]), else count_block_tasks counts them
 * for the block.  Theme scores are counted for the block either way. */
static void count_row(struct model *m, const struct respondent_plan *p,
                      const struct block_reader *r, size_t row, size_t *cells, size_t *compact,
                      struct cell_memo *memo)
{
    uint32_t period = r->ids[p->period_col][str_code(r, p->period_col, row)];
    uint32_t scope = r->ids[p->org_col][str_code(r, p->org_col, row)];
    if (p->bgroup_col != MODEL_NONE && !m->org_bgroup[scope]) {
        const char *bg =
            r->ds->columns[p->bgroup_col].dict.strings[str_code(r, p->bgroup_col, row)];
        if (*bg)
            m->org_bgroup[scope] = xstrdup(bg);
    }
    if (!memo->valid || memo->period != period || memo->scope != scope) {
        memo->valid = true;
        memo->period = period;
        memo->scope = scope;
        memo->all = model_cell(m, period, scope, 0, 0, MODEL_NONE);
    }
    size_t all = memo->all;
    cells[0] = all;
    size_t *slot_cell = cells + 1; /* cell per grouping slot, MODEL_NONE if blank */
    for (size_t k = 0; k < p->n_groupings; k++) {
        size_t col = p->grouping_col[k];
        uint32_t code = str_code(r, col, row);
        slot_cell[k] = MODEL_NONE;
        if (code == 0)
            continue; /* no unit given */
        size_t parent = p->parent_slot[k] != MODEL_NONE ? slot_cell[p->parent_slot[k]] : all;
        if (parent == MODEL_NONE)
            parent = all;
        uint32_t parent_code =
            memo->parent_col[k] != MODEL_NONE ? str_code(r, memo->parent_col[k], row) : 0;
        slot_cell[k] = slot_cell_of(m, memo, k, period, scope, (uint32_t)p->grouping[k], code,
                                    r->ids[col][code], parent, parent_code);
    }
    m->cells[all].respondents++;
    for (size_t k = 0; k < p->n_groupings; k++)
        if (slot_cell[k] != MODEL_NONE)
            m->cells[slot_cell[k]].respondents++;
    const struct weights *wt = p->weights;
    if (!wt)
        return;
    size_t n_cells = 0;
    compact[n_cells++] = all;
    for (size_t k = 0; k < p->n_groupings; k++)
        if (slot_cell[k] != MODEL_NONE)
            compact[n_cells++] = slot_cell[k];
    double w = 1;
    if (wt->given) {
        w = f64_value(r, p->weight_col, row); /* NaN when blank: see weights_choose */
    } else {
        uint32_t g = p->weight_group[str_code(r, p->weight_group_col, row)];
        if (g != GROUP_NONE)
            w = wt->w[weight_index(wt, period, scope, g)];
    }
    for (size_t j = 0; j < p->n_items; j++)
        count_answer(m, compact, n_cells, p->item_model[j],
                     p->item_class[j][r->raw[p->item_col[j]][row]], w);
    for (size_t d = 0; d < p->n_derived; d++)
        count_answer(m, compact, n_cells, p->derived_model[d], derived_class(p, r, d, row), w);
}

/* Unweighted answers are counted over a block (the rows' cells found
 * first) into integer tallies per (block cell, class, item), and added to
 * the model's counts after each block (flush_block).  The block's cells
 * are numbered from 0 as they are met (struct block_cells), so the
 * tallies are the same memory block after block: counting row by row into
 * the model's doubles touched a cache line per (row, item, cell) across
 * 100 MB (3 s of 7 s for a national year), and tallies over every cell of
 * the dataset were 34 MB of fresh memory, whose first touch (the kernel's
 * page faults) cost more than the counting into them.  A cell's tallies
 * side by side: negative answers per item, then positive ones, each row of
 * items padded to whole words of 8 (count_part counts 8 items at once). */
struct tallies {
    size_t n_items; /* plan items, then derived items */
    size_t n_words; /* words of 8 items */
    size_t cap;     /* block cells they have room for */
    uint32_t *counts; /* per block cell: [2][n_words * 8], zero between blocks */
};

static inline uint32_t *cell_tallies(const struct tallies *t, size_t cell)
{
    return t->counts + cell * 2 * t->n_words * 8;
}

/* Room for n_cells block cells, zeroed. */
static void tallies_grow(struct tallies *t, size_t n_cells)
{
    if (n_cells <= t->cap || !t->n_words)
        return;
    size_t cap = n_cells + n_cells / 2 + 256, per_cell = 2 * t->n_words * 8;
    t->counts = xrealloc(t->counts, cap * per_cell * sizeof(uint32_t));
    memset(t->counts + t->cap * per_cell, 0, (cap - t->cap) * per_cell * sizeof(uint32_t));
    t->cap = cap;
}

static void tallies_release(struct tallies *t)
{
    free(t->counts);
}

/* Counting through combinations.  A row adds one to each of its cells for
 * every item: the org's and one per grouping slot, 8 in a national year,
 * and those adds were most of counting's time.  Slots whose codes together
 * take few values (demographics of a handful of groups each, the units of
 * a small trust) are bundled: the row belongs to its combination of the
 * bundle's codes within its run of one org (a "combo" of the block), each
 * combo's rows are counted together, and the combo's counts are then
 * added once to the cells it stands for.  A bundle's key is the codes of
 * its slots and of their parent slots (a unit's cell depends on its
 * parent's), BUNDLE_KEYS values at most; a slot that fits no bundle is
 * "direct": each row is counted into its cell (none where the row has
 * none).  Integer tallies, so the sums are exact in any order. */
#define BUNDLE_KEYS 4096

/* A run of rows of one org's cell is cut after this many rows: a run's
 * rows are counted from a tile of their classes (count_part), RUN_ROWS x
 * the items, which should stay in the CPU's second-level cache. */
#define RUN_ROWS 4096

struct combo_entry {
    uint32_t stamp; /* the run it was met in (count_plan.stamp) */
    uint32_t combo;
};

struct bundle {
    size_t n_slots, *slot;   /* the slots it counts */
    size_t n_keys, *key_col; /* the dataset columns whose codes decide their cells */
    uint32_t *radix;         /* each key column's number of codes */
    struct combo_entry *table;
    size_t n_table; /* entries: the product of the radixes */
};

struct count_plan {
    size_t n_direct, *direct_slot;
    size_t n_bundles;
    struct bundle *bundles;
    uint32_t stamp;
};

/* Codes of slot k's column (its key digit's radix). */
static size_t slot_codes(const struct respondent_plan *p, const struct dataset *ds, size_t k)
{
    size_t n = ds->columns[p->grouping_col[k]].dict.count;
    return n ? n : 1;
}

/* The number of keys of the slots flagged in key (saturating above
 * BUNDLE_KEYS). */
static size_t keys_of(const struct respondent_plan *p, const struct dataset *ds, const bool *key)
{
    size_t product = 1;
    for (size_t k = 0; k < p->n_groupings; k++)
        if (key[k]) {
            size_t n = slot_codes(p, ds, k);
            product = product > BUNDLE_KEYS / n ? BUNDLE_KEYS + 1 : product * n;
        }
    return product;
}

/* Flag slot k and its parent slots in key. */
static void flag_with_parents(const struct respondent_plan *p, bool *key, size_t k)
{
    for (; k != MODEL_NONE && !key[k]; k = p->parent_slot[k])
        key[k] = true;
}

/* Close the bundle of the slots flagged in member (keys: key): a bundle of
 * one slot is direct instead (a combo per cell would add nothing). */
static void close_bundle(struct count_plan *cp, const struct respondent_plan *p,
                         const struct dataset *ds, bool *member, bool *key)
{
    size_t n = 0, last = MODEL_NONE;
    for (size_t k = 0; k < p->n_groupings; k++)
        if (member[k]) {
            n++;
            last = k;
        }
    if (n == 1)
        cp->direct_slot[cp->n_direct++] = last;
    if (n > 1) {
        struct bundle *b = &cp->bundles[cp->n_bundles++];
        b->slot = xcalloc(n, sizeof(size_t));
        b->key_col = xcalloc(p->n_groupings, sizeof(size_t));
        b->radix = xcalloc(p->n_groupings, sizeof(uint32_t));
        for (size_t k = 0; k < p->n_groupings; k++) {
            if (member[k])
                b->slot[b->n_slots++] = k;
            if (key[k]) {
                b->key_col[b->n_keys] = p->grouping_col[k];
                b->radix[b->n_keys++] = (uint32_t)slot_codes(p, ds, k);
            }
        }
        b->n_table = keys_of(p, ds, key);
        b->table = xcalloc(b->n_table, sizeof(struct combo_entry));
    }
    memset(member, 0, p->n_groupings * sizeof(bool));
    memset(key, 0, p->n_groupings * sizeof(bool));
}

/* Bundle the slots in order while their keys stay within BUNDLE_KEYS. */
static void count_plan_make(struct count_plan *cp, const struct respondent_plan *p,
                            const struct dataset *ds)
{
    size_t n = p->n_groupings;
    *cp = (struct count_plan){0, xcalloc(n + 1, sizeof(size_t)), 0,
                              xcalloc(n + 1, sizeof(struct bundle)), 0};
    bool *member = xcalloc(n + 1, sizeof(bool)), *key = xcalloc(n + 1, sizeof(bool));
    bool *with = xcalloc(n + 1, sizeof(bool));
    for (size_t k = 0; k < n; k++) {
        memcpy(with, key, n * sizeof(bool));
        flag_with_parents(p, with, k);
        if (keys_of(p, ds, with) > BUNDLE_KEYS) {
            close_bundle(cp, p, ds, member, key);
            memset(with, 0, n * sizeof(bool));
            flag_with_parents(p, with, k);
            if (keys_of(p, ds, with) > BUNDLE_KEYS) {
                cp->direct_slot[cp->n_direct++] = k;
                continue;
            }
        }
        member[k] = true;
        memcpy(key, with, n * sizeof(bool));
    }
    close_bundle(cp, p, ds, member, key);
    free(member);
    free(key);
    free(with);
}

static void count_plan_release(struct count_plan *cp)
{
    for (size_t b = 0; b < cp->n_bundles; b++) {
        free(cp->bundles[b].slot);
        free(cp->bundles[b].key_col);
        free(cp->bundles[b].radix);
        free(cp->bundles[b].table);
    }
    free(cp->bundles);
    free(cp->direct_slot);
}

/* The cells of one block's rows, as block cells: block cell i is the
 * model's cell cell_of[i], numbered as the block meets them.  The org's
 * cells come in runs (rows come in runs of one org): run i covers rows
 * run_start[i] .. run_start[i + 1] - 1, block cell run_cell[i].  Direct
 * slot d's block cell of row r is direct_cells[r * n_direct + d] (the sink
 * where the row has none); bundle b's combo of row r is
 * combos[r * n_bundles + b], and combo v stands for the block cells
 * combo_cells[combo_first[v] .. combo_first[v + 1]).  A row's cells side
 * by side, as the adds of one row do not wait on each other where one
 * slot's run down the rows would (the same few cells again and again). */
struct block_cells {
    size_t n_rows, n_runs, n_direct, n_bundles, n_combos;
    uint32_t *run_start, *run_cell; /* n_runs + 1 and n_runs */
    uint32_t *run_combo; /* run i's combos: run_combo[i] .. run_combo[i + 1] - 1 */
    /* the runs by their org's cell ("groups"), in row order within each:
     * group g is runs group_runs[group_first[g] .. group_first[g + 1]) */
    size_t n_groups;
    uint32_t *group_runs, *group_first, *group_of_cell, *group_cell;
    uint32_t *direct_cells, *combos;
    uint32_t *combo_first, *combo_cells;
    uint32_t *combo_row_first, *combo_rows; /* combo v's rows, in order:
                                               combo_rows[combo_row_first[v] ..
                                               combo_row_first[v + 1]) */
    size_t n_cells;     /* block cells; the sink is block cell n_cells */
    uint32_t *cell_of;  /* per block cell: its model cell */
    uint32_t *block_of; /* per model cell: its block cell, when cell_of agrees */
    size_t block_of_cap;
};

static void block_cells_init(struct block_cells *bc, const struct count_plan *cp, size_t n_slots)
{
    size_t rows = DATASET_BLOCK_ROWS;
    *bc = (struct block_cells){.n_direct = cp->n_direct,
                               .n_bundles = cp->n_bundles,
                               .run_start = xcalloc(rows + 1, 4),
                               .run_cell = xcalloc(rows, 4),
                               .run_combo = xcalloc(rows + 1, 4),
                               .group_runs = xcalloc(rows, 4),
                               .group_first = xcalloc(rows + 2, 4),
                               .group_of_cell = xcalloc(rows * (n_slots + 1) + 1, 4),
                               .group_cell = xcalloc(rows + 1, 4),
                               .direct_cells = xcalloc(rows * (cp->n_direct + 1), 4),
                               .combos = xcalloc(rows * (cp->n_bundles + 1), 4),
                               .combo_first = xcalloc(rows * (cp->n_bundles + 1) + 1, 4),
                               .combo_cells = xcalloc(rows * (n_slots + 1), 4),
                               .combo_row_first = xcalloc(rows * (cp->n_bundles + 1) + 2, 4),
                               .combo_rows = xcalloc(rows * (cp->n_bundles + 1), 4),
                               /* a row has n_slots + 1 cells at most */
                               .cell_of = xcalloc(rows * (n_slots + 1) + 1, 4)};
}

static void block_cells_release(struct block_cells *bc)
{
    free(bc->run_start);
    free(bc->run_cell);
    free(bc->run_combo);
    free(bc->group_runs);
    free(bc->group_first);
    free(bc->group_of_cell);
    free(bc->group_cell);
    free(bc->direct_cells);
    free(bc->combos);
    free(bc->combo_first);
    free(bc->combo_cells);
    free(bc->combo_row_first);
    free(bc->combo_rows);
    free(bc->cell_of);
    free(bc->block_of);
}

/* The block cell of model cell cell, numbered now if the block has not met
 * it (block_of need not be cleared between blocks: an entry counts only
 * where cell_of points back). */
static uint32_t block_cell(struct block_cells *bc, size_t cell)
{
    if (cell >= bc->block_of_cap) {
        size_t cap = cell + cell / 2 + 1024;
        bc->block_of = xrealloc(bc->block_of, cap * sizeof(uint32_t));
        memset(bc->block_of + bc->block_of_cap, 0, (cap - bc->block_of_cap) * sizeof(uint32_t));
        bc->block_of_cap = cap;
    }
    uint32_t i = bc->block_of[cell];
    if (i < bc->n_cells && bc->cell_of[i] == cell)
        return i;
    i = (uint32_t)bc->n_cells++;
    bc->cell_of[i] = (uint32_t)cell;
    bc->block_of[cell] = i;
    return i;
}

/* Record row's cells (count_row's cells[]) in the block. */
static void block_cells_add(struct block_cells *bc, struct count_plan *cp,
                            const struct block_reader *r, size_t row, const size_t *cells)
{
    if (bc->n_runs == 0 || bc->cell_of[bc->run_cell[bc->n_runs - 1]] != cells[0] ||
        row - bc->run_start[bc->n_runs - 1] == RUN_ROWS) {
        bc->run_start[bc->n_runs] = (uint32_t)row;
        bc->run_combo[bc->n_runs] = (uint32_t)bc->n_combos;
        bc->run_cell[bc->n_runs++] = block_cell(bc, cells[0]);
        if (++cp->stamp == 0) { /* wrapped: forget every combo (stamp 0 is none) */
            for (size_t b = 0; b < cp->n_bundles; b++)
                memset(cp->bundles[b].table, 0,
                       cp->bundles[b].n_table * sizeof(struct combo_entry));
            cp->stamp = 1;
        }
    }
    for (size_t d = 0; d < cp->n_direct; d++) {
        size_t cell = cells[1 + cp->direct_slot[d]];
        bc->direct_cells[row * cp->n_direct + d] =
            cell == MODEL_NONE ? (uint32_t)MODEL_NONE : block_cell(bc, cell);
    }
    for (size_t b = 0; b < cp->n_bundles; b++) {
        struct bundle *bu = &cp->bundles[b];
        size_t key = 0;
        for (size_t j = 0; j < bu->n_keys; j++)
            key = key * bu->radix[j] + str_code(r, bu->key_col[j], row);
        struct combo_entry *e = &bu->table[key];
        if (e->stamp != cp->stamp) {
            e->stamp = cp->stamp;
            e->combo = (uint32_t)bc->n_combos++;
            uint32_t at = bc->combo_first[e->combo];
            for (size_t k = 0; k < bu->n_slots; k++)
                if (cells[1 + bu->slot[k]] != MODEL_NONE)
                    bc->combo_cells[at++] = block_cell(bc, cells[1 + bu->slot[k]]);
            bc->combo_first[e->combo + 1] = at;
        }
        bc->combos[row * cp->n_bundles + b] = e->combo;
    }
}

/* The rows of each combo, in row order: a counting sort of the block's
 * combos, so that an item's count of a combo reads its rows' classes
 * rather than adding into a tally of the combo row by row (adds into
 * memory, each waiting on the one before to the same combo). */
static void combo_rows_make(struct block_cells *bc)
{
    uint32_t *first = bc->combo_row_first;
    memset(first, 0, (bc->n_combos + 2) * sizeof(uint32_t));
    size_t n_bundles = bc->n_bundles;
    const uint32_t *combo = bc->combos;
    for (size_t i = 0; i < bc->n_rows * n_bundles; i++)
        first[combo[i] + 2]++;
    for (size_t v = 2; v < bc->n_combos + 2; v++)
        first[v] += first[v - 1]; /* first[v + 1]: where combo v's rows start */
    for (size_t row = 0; row < bc->n_rows; row++, combo += n_bundles)
        for (size_t b = 0; b < n_bundles; b++)
            bc->combo_rows[first[combo[b] + 1]++] = (uint32_t)row; /* now where they end */
}

/* Close the block's runs, and group them by their org's cell (runs of one
 * cell are counted by one task: the cells of different orgs' rows are
 * different cells). */
static void block_runs_close(struct block_cells *bc)
{
    bc->run_start[bc->n_runs] = (uint32_t)bc->n_rows;
    bc->run_combo[bc->n_runs] = (uint32_t)bc->n_combos;
    bc->n_groups = 0;
    for (size_t i = 0; i < bc->n_runs; i++) { /* group ids in the order met */
        uint32_t c = bc->run_cell[i], g = bc->group_of_cell[c];
        if (!(g < bc->n_groups && bc->group_cell[g] == c)) {
            g = (uint32_t)bc->n_groups++;
            bc->group_of_cell[c] = g;
            bc->group_cell[g] = c;
        }
    }
    uint32_t *first = bc->group_first; /* a counting sort of the runs by group */
    memset(first, 0, (bc->n_groups + 2) * sizeof(uint32_t));
    for (size_t i = 0; i < bc->n_runs; i++)
        first[bc->group_of_cell[bc->run_cell[i]] + 2]++;
    for (size_t g = 2; g < bc->n_groups + 2; g++)
        first[g] += first[g - 1];
    for (size_t i = 0; i < bc->n_runs; i++)
        bc->group_runs[first[bc->group_of_cell[bc->run_cell[i]] + 1]++] = (uint32_t)i;
}

/* Scratch of one counting thread. */
struct count_scratch {
    uint64_t *tile;  /* RUN_ROWS rows of classes, a byte per item (count_part) */
    uint64_t *bytes; /* 2 x n_words: eight counts a word, one a byte */
    uint32_t *acc;   /* 2 x n_words * 8: the counts of one set of rows */
};

/* One block's answers and theme scores to count.  Tasks are the themes,
 * then the answers of each group of runs (the rows of one org's cell:
 * every cell they count into is that org's or inside it), split into parts
 * of the items; each writes only its own theme's counts, or its own cells'
 * tallies for its own items, adding rows in order, so the sums are the
 * same whichever thread takes which task.  Each thread takes one of the
 * scratches. */
struct block_job {
    struct tallies *t;
    struct model *m;
    const struct respondent_plan *p;
    const struct schema *s;
    const struct block_reader *r;
    const struct block_cells *cells;
    size_t n_themes; /* the first tasks */
    size_t n_parts;  /* of the items: n_words words split this many ways */
    size_t n_tasks;  /* the themes, then n_groups * n_parts */
    size_t next; /* the next task (atomic) */
    struct count_scratch *scratch[2];
    size_t next_scratch; /* atomic */
};

/* The words of part k of the items: [*w0, *w1). */
static void part_words(const struct block_job *job, size_t k, size_t *w0, size_t *w1)
{
    size_t n = job->t->n_words;
    *w0 = n * k / job->n_parts;
    *w1 = n * (k + 1) / job->n_parts;
}

/* The classes of rows [from, to) (to - from <= RUN_ROWS) for the items of
 * words [w0, w1): row from + i's in tile word i * (w1 - w0) on, a byte per
 * item (CLS_MISSING for the padding after the last).  Item by item down
 * TILE_ROWS rows at a time, whose tile rows stay in the CPU's first cache. */
#define TILE_ROWS 256
static void tile_classes(const struct block_job *job, size_t from, size_t to, size_t w0, size_t w1,
                         uint64_t *tile)
{
    const struct respondent_plan *p = job->p;
    const struct block_reader *r = job->r;
    size_t stride = (w1 - w0) * 8, n_items = job->t->n_items;
    unsigned char *bytes = (unsigned char *)tile;
    for (size_t at = from; at < to; at += TILE_ROWS) {
        size_t end = to - at < TILE_ROWS ? to : at + TILE_ROWS;
        for (size_t j = w0 * 8; j < w1 * 8; j++) {
            unsigned char *dst = bytes + (at - from) * stride + (j - w0 * 8);
            if (j >= n_items) {
                for (size_t row = at; row < end; row++, dst += stride)
                    *dst = CLS_MISSING;
            } else if (j < p->n_items) {
                const unsigned char *raw = r->raw[p->item_col[j]];
                const unsigned char *cls_of = p->item_class[j];
                for (size_t row = at; row < end; row++, dst += stride)
                    *dst = cls_of[raw[row]];
            } else {
                for (size_t row = at; row < end; row++, dst += stride)
                    *dst = derived_class(p, r, j - p->n_items, row);
            }
        }
    }
}

/* Add the byte counts (negative words, then positive ones) to acc. */
static void unpack_bytes(const uint64_t *bytes, size_t n_words, uint32_t *acc)
{
    for (size_t w = 0; w < 2 * n_words; w++) {
        unsigned char lane[8];
        memcpy(lane, &bytes[w], 8); /* byte k: the count of the word's item k */
        for (size_t k = 0; k < 8; k++)
            acc[w * 8 + k] += lane[k];
    }
}

/* The classes of tile rows rows[0 .. n) (all of from .. from + n when rows
 * is NULL) into acc ([negative][positive] x n_words * 8, zeroed here):
 * classes are 0, 1 and 2, so bit 0 of a byte says negative and bit 1
 * positive, and a word counts eight items at once, a count per byte (at
 * most 255 rows before the bytes are unpacked). */
static void count_rows(const uint64_t *tile, size_t n_words, const uint32_t *rows, size_t from,
                       size_t n, struct count_scratch *s)
{
    const uint64_t ones = 0x0101010101010101ULL;
    uint64_t *negative = s->bytes, *positive = s->bytes + n_words;
    memset(s->acc, 0, 2 * n_words * 8 * sizeof(uint32_t));
    for (size_t i = 0; i < n;) {
        size_t stop = n - i < 255 ? n : i + 255;
        memset(s->bytes, 0, 2 * n_words * sizeof(uint64_t));
        for (; i < stop; i++) {
            const uint64_t *x = tile + (rows ? rows[i] - from : i) * n_words;
            for (size_t w = 0; w < n_words; w++) {
                negative[w] += x[w] & ones;
                positive[w] += (x[w] >> 1) & ones;
            }
        }
        unpack_bytes(s->bytes, n_words, s->acc);
    }
}

/* acc (count_rows) into block cell cell's tallies of words [w0, w1). */
static void add_counts_to(const struct tallies *t, size_t cell, size_t w0, size_t w1,
                          const uint32_t *acc)
{
    size_t n = (w1 - w0) * 8, width = t->n_words * 8;
    uint32_t *negative = cell_tallies(t, cell) + w0 * 8, *positive = negative + width;
    for (size_t k = 0; k < n; k++) {
        negative[k] += acc[k];
        positive[k] += acc[n + k];
    }
}

/* One tile row's classes (a byte per item) into block cell cell's
 * tallies of words [w0, w1). */
static void add_row_to(const struct tallies *t, size_t cell, size_t w0, size_t w1,
                       const uint64_t *tile_row)
{
    size_t n = (w1 - w0) * 8;
    uint32_t *negative = cell_tallies(t, cell) + w0 * 8, *positive = negative + t->n_words * 8;
    const unsigned char *cls = (const unsigned char *)tile_row;
    for (size_t k = 0; k < n; k++) {
        negative[k] += cls[k] & 1;
        positive[k] += cls[k] >> 1;
    }
}

/* Task: part k of the items over the runs of group g.  Per run, its rows'
 * classes as a tile (a row's items side by side), then the counts of the
 * run's rows (its org's cell), of each row (its direct cells) and of each
 * combo's rows (its cells), eight items per add: counted item by item, a
 * row's class was read and added once per item and combo (a fifth of the
 * phase's CPU went to the adds). */
static void count_part(const struct block_job *job, size_t g, size_t k, struct count_scratch *s)
{
    const struct block_cells *bc = job->cells;
    const struct tallies *t = job->t;
    size_t w0, w1;
    part_words(job, k, &w0, &w1);
    size_t nw = w1 - w0, sink = bc->n_cells;
    for (uint32_t at = bc->group_first[g]; at < bc->group_first[g + 1]; at++) {
        size_t i = bc->group_runs[at], from = bc->run_start[i], to = bc->run_start[i + 1];
        tile_classes(job, from, to, w0, w1, s->tile);
        count_rows(s->tile, nw, NULL, from, to - from, s);
        add_counts_to(t, bc->run_cell[i], w0, w1, s->acc);
        for (size_t row = from; bc->n_direct && row < to; row++)
            for (size_t d = 0; d < bc->n_direct; d++) {
                size_t cell = bc->direct_cells[row * bc->n_direct + d];
                if (cell != sink)
                    add_row_to(t, cell, w0, w1, s->tile + (row - from) * nw);
            }
        for (uint32_t v = bc->run_combo[i]; v < bc->run_combo[i + 1]; v++) {
            uint32_t first = bc->combo_row_first[v];
            count_rows(s->tile, nw, bc->combo_rows + first, from, bc->combo_row_first[v + 1] - first,
                       s);
            for (uint32_t c = bc->combo_first[v]; c < bc->combo_first[v + 1]; c++)
                add_counts_to(t, bc->combo_cells[c], w0, w1, s->acc);
        }
    }
}

/* One row's score of theme into cell. */
static void add_score(struct model *m, size_t cell, size_t theme, double score)
{
    struct theme_count *tc = model_theme_count(m, cell, theme);
    tc->n += 1;
    tc->sum += score;
    tc->sum_sq += score * score;
}

/* Theme t's scores of the block's rows into each row's cells. */
static void count_theme(const struct block_job *job, size_t t)
{
    struct model *m = job->m;
    const struct block_cells *bc = job->cells;
    size_t theme = job->p->theme_model[t], sink = bc->n_cells;
    const uint32_t *cell_of = bc->cell_of;
    struct theme_parts tp;
    theme_parts_init(&tp, job->p, job->s, job->r, t);
    for (size_t i = 0; i < bc->n_runs; i++)
        for (size_t row = bc->run_start[i]; row < bc->run_start[i + 1]; row++) {
            double score = theme_score(&tp, row);
            if (isnan(score))
                continue;
            add_score(m, cell_of[bc->run_cell[i]], theme, score);
            for (size_t d = 0; d < bc->n_direct; d++) {
                size_t cell = bc->direct_cells[row * bc->n_direct + d];
                if (cell != sink)
                    add_score(m, cell_of[cell], theme, score);
            }
            for (size_t b = 0; b < bc->n_bundles; b++) {
                size_t v = bc->combos[row * bc->n_bundles + b];
                for (uint32_t at = bc->combo_first[v]; at < bc->combo_first[v + 1]; at++)
                    add_score(m, cell_of[bc->combo_cells[at]], theme, score);
            }
        }
    theme_parts_release(&tp);
}

static void *count_block_tasks(void *arg)
{
    struct block_job *job = arg;
    size_t scratch = __atomic_fetch_add(&job->next_scratch, 1, __ATOMIC_RELAXED);
    for (;;) {
        size_t task = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
        if (task >= job->n_tasks)
            break;
        if (task < job->n_themes) /* first: each is one long task, which would end last */
            count_theme(job, task);
        else
            count_part(job, (task - job->n_themes) / job->n_parts,
                       (task - job->n_themes) % job->n_parts, job->scratch[scratch]);
    }
    return NULL;
}

/* Each item and theme has counts of its own, so two threads take the tasks
 * in turn (1.5 s of a national year's 7 s ran on one core). */
static void count_block(struct block_job *job)
{
    job->next = 0;
    job->next_scratch = 0;
    pthread_t helper;
    bool threaded = job->n_tasks >= 2 && pthread_create(&helper, NULL, count_block_tasks, job) == 0;
    count_block_tasks(job);
    if (threaded)
        pthread_join(helper, NULL);
}

/* The model item of tallied item j. */
static inline size_t tally_item(const struct respondent_plan *p, size_t j)
{
    return j < p->n_items ? p->item_model[j] : p->derived_model[j - p->n_items];
}

/* The tallies of block cells [from, to) into the model's counts; model
 * cells from new_from on were made by this block, their counts unset
 * (model.counts_unset). */
struct flush_job {
    const struct tallies *t;
    struct model *m;
    const struct respondent_plan *p;
    const struct block_cells *bc;
    size_t new_from;
    size_t from, to;
};

/* Cell by cell, so that the model's counts (a cell's items side by side)
 * are written in order; item by item they were a cell's whole record
 * apart, a cache miss per count.  A new cell's counts are zeroed here, on
 * two threads, where they are written next (its memory's first touch was
 * a third of the single-threaded part of counting).  Whole numbers added
 * to whole numbers (kept_counts): exact, so the sums do not depend on the
 * blocks. */
static void *flush_cells(void *arg)
{
    const struct flush_job *job = arg;
    const struct tallies *t = job->t;
    for (size_t i = job->from; i < job->to; i++) {
        size_t cell = job->bc->cell_of[i];
        if (cell >= job->new_from)
            memset(model_count(job->m, cell, 0), 0, job->m->n_items * sizeof(struct item_count));
        uint32_t *negative = cell_tallies(t, i), *positive = negative + t->n_words * 8;
        for (size_t j = 0; j < t->n_items; j++) {
            struct item_count *ic = model_count(job->m, cell, tally_item(job->p, j));
            ic->n += (double)negative[j] + (double)positive[j];
            ic->positive += (double)positive[j];
        }
        memset(negative, 0, 2 * t->n_words * 8 * sizeof(uint32_t)); /* for the next block */
    }
    return NULL;
}

/* Zero the item counts of model cells [from, to). */
static void zero_counts(struct model *m, size_t from, size_t to)
{
    if (to > from)
        memset(model_count(m, from, 0), 0, (to - from) * m->n_items * sizeof(struct item_count));
}

/* The block's tallies into the model, by two threads (half the block's
 * cells each), setting the counts of the cells the block made (model cells
 * from new_from on, each one a cell of the block: see block_cells_add). */
static void flush_block(const struct tallies *t, struct model *m, const struct respondent_plan *p,
                        const struct block_cells *bc, size_t new_from)
{
    if (!t->n_items)
        return; /* and the counts of new cells were zeroed (counts_unset is not set) */
    size_t n = bc->n_cells, n_new = 0;
    for (size_t i = 0; i < n; i++)
        n_new += bc->cell_of[i] >= new_from;
    if (n_new != m->n_cells - new_from) { /* not so: set them all here */
        zero_counts(m, new_from, m->n_cells);
        new_from = m->n_cells;
    }
    struct flush_job first = {t, m, p, bc, new_from, 0, n / 2},
                     second = {t, m, p, bc, new_from, n / 2, n};
    run_halves(flush_cells, &first, &second, n > 1);
}

/* Counts that model cells made before this dataset (by an earlier one)
 * already hold, for the tallied items.  Such a cell's counts are taken out
 * of the model when a block first meets it (kept here, the model's zeroed)
 * and added back after the dataset, so that each is its old value plus the
 * dataset's whole total in one add, as when the tallies covered the whole
 * dataset: an org-results count (a rate times a base) need not be a whole
 * number, and old + b1 + b2 need not equal old + (b1 + b2). */
struct kept_counts {
    size_t first_new; /* model cells from this one on were made by this dataset */
    bool *kept;       /* per older cell: taken out */
    size_t n, cap;
    size_t *cell;   /* per kept cell: its model cell */
    double *counts; /* per kept cell and tallied item: n and positive */
};

static void kept_init(struct kept_counts *kc, const struct model *m)
{
    *kc = (struct kept_counts){m->n_cells, xcalloc(m->n_cells + 1, sizeof(bool)), 0, 0, NULL,
                               NULL};
}

/* Take out the counts of the block's cells made before the dataset. */
static void kept_take(struct kept_counts *kc, struct model *m, const struct respondent_plan *p,
                      const struct tallies *t, const struct block_cells *bc)
{
    for (size_t i = 0; i < bc->n_cells; i++) {
        size_t cell = bc->cell_of[i];
        if (cell >= kc->first_new || kc->kept[cell])
            continue;
        kc->kept[cell] = true;
        size_t old_cap = kc->cap;
        xgrow(&kc->cell, &kc->cap, kc->n + 1, sizeof(*kc->cell));
        if (kc->cap != old_cap)
            kc->counts = xrealloc(kc->counts, kc->cap * (t->n_items + 1) * 2 * sizeof(double));
        double *keep = kc->counts + kc->n * (t->n_items + 1) * 2;
        kc->cell[kc->n++] = cell;
        for (size_t j = 0; j < t->n_items; j++) {
            struct item_count *ic = model_count(m, cell, tally_item(p, j));
            keep[2 * j] = ic->n;
            keep[2 * j + 1] = ic->positive;
            ic->n = ic->positive = 0;
        }
    }
}

/* Add the kept counts back (old + the dataset's total), and free. */
static void kept_restore(struct kept_counts *kc, struct model *m, const struct respondent_plan *p,
                         const struct tallies *t)
{
    for (size_t k = 0; k < kc->n; k++) {
        const double *keep = kc->counts + k * (t->n_items + 1) * 2;
        for (size_t j = 0; j < t->n_items; j++) {
            struct item_count *ic = model_count(m, kc->cell[k], tally_item(p, j));
            ic->n = keep[2 * j] + ic->n;
            ic->positive = keep[2 * j + 1] + ic->positive;
        }
    }
    free(kc->kept);
    free(kc->cell);
    free(kc->counts);
}

/* The next block, decompressed by a helper thread into buffers of its own
 * while the caller counts the current one (inflating was a third of the
 * single-threaded start of a national year). */
struct prefetch {
    const struct block_reader *r;
    unsigned char **raw; /* per column, as r->raw */
    size_t block;
    size_t from, to; /* the columns it reads: all but in reader_load_first */
    bool ok;
    struct buf err;
};

static void *prefetch_block(void *arg)
{
    struct prefetch *pf = arg;
    const struct dataset *ds = pf->r->ds;
    pf->ok = true;
    for (size_t c = pf->from; c < pf->to && pf->ok; c++)
        if (pf->r->wanted[c])
            pf->ok = dataset_read_chunk(ds, pf->block, c, pf->raw[c], &pf->err);
    return NULL;
}

/* Block 0 into the reader, its columns split in two halves of about as
 * many compressed bytes, one read by a helper thread: nothing else can run
 * before it (it was a tenth of the single-threaded start of counting a
 * national year).  The error of the first column that fails, as
 * reader_load. */
static bool reader_load_first(struct block_reader *r, struct buf *err)
{
    const struct dataset *ds = r->ds;
    const struct ds_chunk *chunks = ds->blocks[0].chunks;
    uint64_t total = 0, before = 0;
    for (size_t c = 0; c < ds->n_columns; c++)
        total += r->wanted[c] ? chunks[c].comp_len : 0;
    size_t split = 0;
    for (; split < ds->n_columns && 2 * before < total; split++)
        before += r->wanted[split] ? chunks[split].comp_len : 0;
    struct prefetch first = {r, r->raw, 0, 0, split, true, {0}},
                    second = {r, r->raw, 0, split, ds->n_columns, true, {0}};
    buf_init(&first.err);
    buf_init(&second.err);
    run_halves(prefetch_block, &first, &second, true);
    const struct prefetch *failed = !first.ok ? &first : !second.ok ? &second : NULL;
    if (failed)
        buf_append(err, failed->err.data, failed->err.len);
    buf_release(&first.err);
    buf_release(&second.err);
    return !failed;
}

/* Start reading block b into pf (at once when no thread can be had). */
static bool prefetch_start(struct prefetch *pf, pthread_t *thread, size_t b)
{
    pf->block = b;
    if (pthread_create(thread, NULL, prefetch_block, pf) == 0)
        return true;
    prefetch_block(pf);
    return false;
}

/* Wait for pf, then make its block the reader's. */
static bool prefetch_take(struct prefetch *pf, pthread_t thread, bool threaded,
                          struct block_reader *r, struct buf *err)
{
    if (threaded)
        pthread_join(thread, NULL);
    if (!pf->ok) {
        buf_append(err, pf->err.data, pf->err.len);
        return false;
    }
    for (size_t c = 0; c < r->ds->n_columns; c++) {
        unsigned char *t = r->raw[c];
        r->raw[c] = pf->raw[c];
        pf->raw[c] = t;
    }
    return true;
}

/* Blank direct slots (MODEL_NONE, cut to 32 bits) count in the sink. */
static void sink_blank_slots(struct block_cells *bc)
{
    size_t sink = bc->n_cells;
    for (size_t i = 0; i < bc->n_rows * bc->n_direct; i++)
        if (bc->direct_cells[i] == (uint32_t)MODEL_NONE)
            bc->direct_cells[i] = (uint32_t)sink;
}

static bool count_respondent(struct model *m, const struct source_dataset *src, struct weights *wt,
                             struct buf *err)
{
    struct block_reader r;
    reader_init(&r, src->ds);
    struct respondent_plan p;
    plan_respondent(&p, m, src->ds, src->schema, &r, wt);
    /* cells: the "all" cell, then one per grouping slot */
    size_t *cells = xcalloc(p.n_groupings + 1, sizeof(size_t));
    size_t *compact = xcalloc(p.n_groupings + 1, sizeof(size_t)); /* --weight */
    struct cell_memo memo;
    memo_init(&memo, &p, src->ds);
    struct tallies t = {wt ? 0 : p.n_items + p.n_derived, 0, 0, NULL};
    t.n_words = (t.n_items + 7) / 8;
    struct kept_counts kept;
    kept_init(&kept, m);
    /* the block flush sets the counts of the cells each block makes */
    m->counts_unset = t.n_items > 0;
    size_t set_upto = m->n_cells; /* the cells whose counts are set */
    struct count_plan cp;
    count_plan_make(&cp, &p, src->ds);
    struct block_cells bc;
    block_cells_init(&bc, &cp, p.n_groupings);
    struct count_scratch scratch[2];
    for (int i = 0; i < 2; i++)
        scratch[i] = (struct count_scratch){xmalloc(RUN_ROWS * (t.n_words + 1) * 8),
                                            xmalloc(2 * (t.n_words + 1) * 8),
                                            xmalloc(2 * (t.n_words + 1) * 8 * sizeof(uint32_t))};
    size_t n_parts = t.n_words < 2 ? 1 : 2;
    struct prefetch pf = {
        .r = &r, .raw = xcalloc(src->ds->n_columns, sizeof(*pf.raw)), .to = src->ds->n_columns};
    buf_init(&pf.err);
    for (size_t c = 0; c < src->ds->n_columns; c++)
        if (r.wanted[c])
            pf.raw[c] = xmalloc(DATASET_BLOCK_ROWS * ds_type_size(src->ds->columns[c].type));
    bool ok = src->ds->n_blocks == 0 || reader_load_first(&r, err);
    for (size_t b = 0; b < src->ds->n_blocks && ok; b++) {
        pthread_t pf_thread;
        bool more = b + 1 < src->ds->n_blocks;
        bool threaded = more && prefetch_start(&pf, &pf_thread, b + 1);
        size_t n_rows = src->ds->blocks[b].n_rows;
        bc.n_rows = n_rows;
        bc.n_runs = bc.n_combos = bc.n_cells = 0;
        for (size_t row = 0; ok && row < n_rows; row++) {
            count_row(m, &p, &r, row, cells, compact, &memo);
            block_cells_add(&bc, &cp, &r, row, cells);
        }
        block_runs_close(&bc);
        combo_rows_make(&bc);
        size_t n_item_tasks = t.n_items ? bc.n_groups * n_parts : 0;
        struct block_job job = {&t,
                                m,
                                &p,
                                src->schema,
                                &r,
                                &bc,
                                p.n_themes,
                                n_parts,
                                p.n_themes + n_item_tasks,
                                0,
                                {&scratch[0], &scratch[1]},
                                0};
        if (ok && job.n_tasks) {
            tallies_grow(&t, bc.n_cells);
            sink_blank_slots(&bc);
            kept_take(&kept, m, &p, &t, &bc);
            count_block(&job);
            flush_block(&t, m, &p, &bc, set_upto);
            set_upto = m->n_cells;
        }
        if (more && !prefetch_take(&pf, pf_thread, threaded, &r, err))
            ok = false;
    }
    for (size_t c = 0; c < src->ds->n_columns; c++)
        free(pf.raw[c]);
    free(pf.raw);
    buf_release(&pf.err);
    if (m->counts_unset) /* cells made by a block not counted (a read failed) */
        zero_counts(m, set_upto, m->n_cells);
    m->counts_unset = false;
    kept_restore(&kept, m, &p, &t);
    tallies_release(&t);
    block_cells_release(&bc);
    count_plan_release(&cp);
    for (int i = 0; i < 2; i++) {
        free(scratch[i].tile);
        free(scratch[i].bytes);
        free(scratch[i].acc);
    }
    free(cells);
    free(compact);
    memo_release(&memo, &p);
    plan_release(&p);
    reader_release(&r);
    return ok;
}

/* ---- aggregated datasets --------------------------------------------------------- */

/* Aggregated counts carry no respondent weights: with --weight their cells
 * get NaN weighted sums, which the pooled sums inherit, so that no weighted
 * figure is shown for a cell that holds them (weighted_proportion). */
static void mark_unweighted(struct model *m, size_t cell, size_t item)
{
    struct weighted_sums *ws = model_weighted_sums(m, cell, item);
    ws->w_sum = ws->w_sq_sum = ws->w_pos = NAN;
}

static bool count_counts(struct model *m, const struct source_dataset *src, struct buf *err)
{
    const struct dataset *ds = src->ds;
    struct block_reader r;
    reader_init(&r, ds);
    size_t period = string_column(ds, ROLE_PERIOD, NULL), org = string_column(ds, ROLE_ORG, NULL);
    size_t item = string_column(ds, ROLE_ITEM_ID, NULL);
    size_t dim = string_column(ds, ROLE_GROUP_DIM, NULL),
           group = string_column(ds, ROLE_GROUP, NULL);
    size_t n_col = dataset_find_column(ds, ROLE_N, NULL);
    size_t pos_col = dataset_find_column(ds, ROLE_POSITIVE, NULL);
    size_t cols[] = {period, org, item, dim, group, n_col, pos_col};
    for (size_t i = 0; i < ARRAY_LEN(cols); i++)
        reader_want(&r, cols[i]);
    map_strings(&r, period, &m->periods);
    map_scopes(m, &r, org);
    map_strings(&r, group, &m->groups);
    m->from_aggregates = true;
    bool ok = true;
    for (size_t b = 0; b < ds->n_blocks && ok; b++) {
        ok = reader_load(&r, b, err);
        for (size_t row = 0; ok && row < ds->blocks[b].n_rows; row++) {
            uint32_t p = r.ids[period][str_code(&r, period, row)];
            uint32_t s = r.ids[org][str_code(&r, org, row)];
            const char *dim_name = ds->columns[dim].dict.strings[str_code(&r, dim, row)];
            const char *item_id = ds->columns[item].dict.strings[str_code(&r, item, row)];
            size_t all = model_cell(m, p, s, 0, 0, MODEL_NONE);
            size_t cell = all;
            if (strcmp(dim_name, "all") != 0) {
                size_t g = model_grouping(m, dim_name, GROUPING_DEMOGRAPHIC);
                cell =
                    model_cell(m, p, s, (uint32_t)g, r.ids[group][str_code(&r, group, row)], all);
            }
            size_t it;
            for (it = 0; it < m->n_items; it++)
                if (strcmp(m->items[it].id, item_id) == 0)
                    break;
            if (it == m->n_items)
                continue; /* not an item of the embedded schema: ingest refuses these */
            struct item_count *ic = model_count(m, cell, it);
            ic->n += (double)i64_value(&r, n_col, row);
            ic->positive += (double)i64_value(&r, pos_col, row);
            if (m->weighted)
                mark_unweighted(m, cell, it);
            if (m->cells[cell].respondents < (size_t)ic->n)
                m->cells[cell].respondents = (size_t)ic->n;
        }
    }
    reader_release(&r);
    return ok;
}

/* Item it's rate column in the period with this text (columns can differ
 * by periods=; any period when the text does not parse), NULL when none. */
static const struct schema_column *rate_column(const struct schema *s, size_t it,
                                               const char *period_text)
{
    struct period per;
    bool parsed = period_parse(period_text, strlen(period_text), &per);
    for (size_t c = 0; c < s->n_columns; c++) {
        const struct schema_column *col = &s->columns[c];
        if (col->role == ROLE_RATE && col->item == it &&
            (!parsed || schema_column_in_period(col, &per)))
            return col;
    }
    return NULL;
}

/* Design effect of item it's rate column in that period:
 * schema_design_effect, NaN when none. */
static double rate_design_effect(const struct schema *s, size_t it, const char *period_text)
{
    const struct schema_column *col = rate_column(s, it, period_text);
    return col ? schema_design_effect(s, col) : s->design_effect;
}

/* The item whose base column item it's rate shares (base=), in that
 * period: its own id when the rate names none. */
static const char *rate_base_item(const struct schema *s, size_t it, const char *period_text)
{
    const struct schema_column *col = rate_column(s, it, period_text);
    return s->items[col ? col->base_item : it].id;
}

/* The design-effect data column of the rate in dataset column rate: the
 * one named for its item, else the one for every rate of the row
 * (DATASET_EVERY_ITEM), else MODEL_NONE. */
static size_t design_effect_column(const struct dataset *ds, size_t rate)
{
    size_t c = dataset_find_column(ds, ROLE_DESIGN_EFFECT, ds->columns[rate].name);
    if (c == (size_t)-1)
        c = dataset_find_column(ds, ROLE_DESIGN_EFFECT, DATASET_EVERY_ITEM);
    return c == (size_t)-1 ? MODEL_NONE : c;
}

static bool count_org_results(struct model *m, const struct source_dataset *src, struct buf *err)
{
    const struct dataset *ds = src->ds;
    struct block_reader r;
    reader_init(&r, ds);
    size_t period = string_column(ds, ROLE_PERIOD, NULL), org = string_column(ds, ROLE_ORG, NULL);
    size_t bgroup = string_column(ds, ROLE_BGROUP, NULL);
    size_t org_name = string_column(ds, ROLE_ORG_NAME, NULL);
    reader_want(&r, period);
    reader_want(&r, org);
    reader_want(&r, bgroup);
    reader_want(&r, org_name);
    size_t *row_deff = xcalloc(ds->n_columns + 1, sizeof(size_t)); /* per rate column */
    for (size_t c = 0; c < ds->n_columns; c++) {
        enum column_role role = (enum column_role)ds->columns[c].role;
        if (role == ROLE_BASE || role == ROLE_RATE || role == ROLE_DESIGN_EFFECT)
            reader_want(&r, c);
        row_deff[c] = role == ROLE_RATE ? design_effect_column(ds, c) : MODEL_NONE;
    }
    map_strings(&r, period, &m->periods);
    map_scopes(m, &r, org);
    m->from_aggregates = true;
    bool ok = true;
    for (size_t b = 0; b < ds->n_blocks && ok; b++) {
        ok = reader_load(&r, b, err);
        for (size_t row = 0; ok && row < ds->blocks[b].n_rows; row++) {
            uint32_t p = r.ids[period][str_code(&r, period, row)];
            uint32_t s = r.ids[org][str_code(&r, org, row)];
            if (bgroup != MODEL_NONE && !m->org_bgroup[s]) {
                const char *bg = ds->columns[bgroup].dict.strings[str_code(&r, bgroup, row)];
                if (*bg)
                    m->org_bgroup[s] = xstrdup(bg);
            }
            if (org_name != MODEL_NONE)
                org_history_name(&m->history, s, p,
                                 ds->columns[org_name].dict.strings[str_code(&r, org_name, row)]);
            size_t cell = model_cell(m, p, s, 0, 0, MODEL_NONE);
            const char *period_text = m->periods.strings[p];
            for (size_t rate = 0; rate < ds->n_columns; rate++) {
                if (ds->columns[rate].role != ROLE_RATE)
                    continue;
                size_t it = schema_find_item(src->schema, ds->columns[rate].name);
                if (it == SCHEMA_NONE)
                    continue;
                size_t c = dataset_find_column(ds, ROLE_BASE,
                                               rate_base_item(src->schema, it, period_text));
                if (c == (size_t)-1)
                    continue;
                int64_t base = i64_value(&r, c, row);
                double fraction = f64_value(&r, rate, row);
                if (base == DS_I64_MISSING || isnan(fraction))
                    continue;
                size_t mi = model_item(m, &src->schema->items[it]);
                struct item_count *ic = model_count(m, cell, mi);
                /* positive is rate x base, not a count; a weighted rate with a
                 * design effect counts as its effective base n / deff */
                /* the row's own design effect (a design-effect column) wins */
                double deff =
                    row_deff[rate] != MODEL_NONE ? f64_value(&r, row_deff[rate], row) : NAN;
                if (isnan(deff))
                    deff = rate_design_effect(src->schema, it, period_text);
                double scale = 1.0;
                if (src->schema->rate_weighting == RATES_WEIGHTED) {
                    ic->rates |= isnan(deff) ? COUNT_RATES_SRS : COUNT_RATES_DEFF;
                    if (!isnan(deff))
                        scale = 1.0 / deff;
                }
                ic->n += (double)base * scale;
                ic->positive += fraction * (double)base * scale;
                if (m->weighted)
                    mark_unweighted(m, cell, mi);
                if (m->cells[cell].respondents < (size_t)base)
                    m->cells[cell].respondents = (size_t)base;
            }
        }
    }
    free(row_deff);
    reader_release(&r);
    return ok;
}

/* ---- rows set aside at ingest ------------------------------------------------------ */

static struct hr_cell *hr_cell(struct hr_table *hr, uint32_t period, uint32_t scope);

/* The rejected rows an aggregated dataset records (format version 2; none
 * in version 1), as marks on the periods of periods and the model's org
 * scopes, for disclosure_decide to mark the figures they would have fed
 * (incomplete.c).  An HR row whose period and org are both readable also
 * makes that org-period's WRES 3 row exist, so that it is reported as
 * incomplete rather than left out when every one of its rows was rejected.
 * (A survey cell is not made: an empty cell would be hidden as primary
 * for the items and themes of other datasets and cost its neighbours
 * their figures.)  A survey mark flags the items of the dataset's schema:
 * the only ones its rows could carry. */
static void add_mark(struct model *m, const struct source_dataset *src, bool hr,
                     struct rejected_mark k, struct rejected_marks *into)
{
    if (!hr) {
        k.items = xcalloc(m->n_items ? m->n_items : 1, sizeof(bool));
        for (size_t mi = 0; mi < m->n_items; mi++)
            k.items[mi] = schema_find_item(src->schema, m->items[mi].id) != SCHEMA_NONE;
    }
    xgrow(&into->list, &into->cap, into->n + 1, sizeof(*into->list));
    into->list[into->n++] = k;
}

static void load_rejected(struct model *m, struct strdict *periods, struct hr_table *hr,
                          const struct source_dataset *src, struct rejected_marks *into)
{
    const struct dataset *ds = src->ds;
    for (size_t i = 0; i < ds->n_rejected; i++) {
        const struct ds_rejected *r = &ds->rejected[i];
        struct rejected_mark k = {REJECTED_ANY_PERIOD, MODEL_NONE, (double)r->rows, NULL};
        if (*r->period)
            k.period = strdict_intern(periods, r->period, strlen(r->period));
        if (*r->org)
            k.scope = model_scope(m, r->org, SCOPE_ORG);
        if (hr && k.period != REJECTED_ANY_PERIOD && k.scope != MODEL_NONE)
            hr_cell(hr, k.period, (uint32_t)k.scope);
        add_mark(m, src, hr != NULL, k, into);
    }
    /* A version 1 dataset does not say which org or period its rejected
     * rows named: as for rows whose period and org cannot be read, every
     * figure of its kind is marked. */
    for (size_t i = 0; ds->format_version < 2 && i < ds->n_inputs; i++) {
        const struct ds_input *in = &ds->inputs[i];
        if (in->rows_read > in->rows_accepted)
            add_mark(m, src, hr != NULL,
                     (struct rejected_mark){REJECTED_ANY_PERIOD, MODEL_NONE,
                                            (double)(in->rows_read - in->rows_accepted), NULL},
                     into);
    }
}

/* ---- HR counts for WRES indicator 3 ----------------------------------------------- */

static struct hr_cell *hr_cell(struct hr_table *hr, uint32_t period, uint32_t scope)
{
    for (size_t i = 0; i < hr->n_cells; i++)
        if (hr->cells[i].period == period && hr->cells[i].scope == scope)
            return &hr->cells[i];
    xgrow(&hr->cells, &hr->cap, hr->n_cells + 1, sizeof(*hr->cells));
    struct hr_cell *c = &hr->cells[hr->n_cells++];
    memset(c, 0, sizeof(*c));
    c->period = period;
    c->scope = scope;
    return c;
}

static bool count_hr(struct model *m, struct hr_table *hr, const struct source_dataset *src,
                     struct buf *err)
{
    const struct dataset *ds = src->ds;
    const struct wres_roles *roles = &src->schema->wres; /* required in wres-hr schemas */
    if (hr->have_kind && hr->period_kind != src->schema->period_kind) {
        buf_printf(err, "%s: HR periods are %ss, another HR dataset uses %ss", ds->path,
                   period_kind_name(src->schema->period_kind), period_kind_name(hr->period_kind));
        return false;
    }
    hr->have_kind = true;
    hr->period_kind = src->schema->period_kind;
    struct block_reader r;
    reader_init(&r, ds);
    size_t period = string_column(ds, ROLE_PERIOD, NULL), org = string_column(ds, ROLE_ORG, NULL);
    size_t eth = string_column(ds, ROLE_DEMOGRAPHIC, NULL);
    size_t head = dataset_find_column(ds, ROLE_HEADCOUNT, NULL);
    size_t events = dataset_find_column(ds, ROLE_EVENTS, NULL);
    size_t cols[] = {period, org, eth, head, events};
    for (size_t i = 0; i < ARRAY_LEN(cols); i++)
        reader_want(&r, cols[i]);
    map_strings(&r, period, &hr->periods);
    map_scopes(m, &r, org);
    bool ok = true;
    for (size_t b = 0; b < ds->n_blocks && ok; b++) {
        ok = reader_load(&r, b, err);
        for (size_t row = 0; ok && row < ds->blocks[b].n_rows; row++) {
            /* the schema's declared sides (wres-grouping); any other group
             * (Unknown, not stated) is on neither */
            const char *g = ds->columns[eth].dict.strings[str_code(&r, eth, row)];
            int group = strcmp(g, roles->reference) == 0    ? WRES_WHITE
                        : strcmp(g, roles->comparison) == 0 ? WRES_BME
                                                            : WRES_UNKNOWN;
            struct hr_cell *c = hr_cell(hr, r.ids[period][str_code(&r, period, row)],
                                        r.ids[org][str_code(&r, org, row)]);
            c->headcount[group] += (double)i64_value(&r, head, row);
            c->events[group] += (double)i64_value(&r, events, row);
        }
    }
    reader_release(&r);
    return ok;
}

void hr_table_release(struct hr_table *hr)
{
    rejected_marks_release(&hr->rejected);
    strdict_release(&hr->periods);
    free(hr->cells);
    memset(hr, 0, sizeof(*hr));
}

bool load_count(struct model *m, struct hr_table *hr, struct source_dataset *src, size_t n,
                struct overlap_watch *watch, struct buf *err)
{
    struct weights wt = {0};
    if (m->weighted && !weights_prepare(m, &wt, src, n, err)) {
        weights_release(&wt);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (watch)
            overlap_before(watch, m);
        switch (src[i].schema->kind) {
        case KIND_RESPONDENT:
            ok = count_respondent(m, &src[i], m->weighted ? &wt : NULL, err);
            break;
        case KIND_COUNTS:
            ok = count_counts(m, &src[i], err);
            if (ok)
                load_rejected(m, &m->periods, NULL, &src[i], &m->rejected);
            break;
        case KIND_ORG_RESULTS:
            ok = count_org_results(m, &src[i], err);
            if (ok)
                load_rejected(m, &m->periods, NULL, &src[i], &m->rejected);
            break;
        case KIND_WRES_HR:
        default:
            ok = count_hr(m, hr, &src[i], err);
            if (ok)
                load_rejected(m, &hr->periods, hr, &src[i], &hr->rejected);
            break;
        }
        if (ok && watch)
            ok = overlap_after(watch, m, src, i, err);
    }
    if (m->weighted)
        weights_release(&wt);
    return ok;
}

/* ---- pooled scopes ------------------------------------------------------------- */

/* One org cell's counts to add into a pooled cell. */
struct pool_add {
    size_t into, from;
};

/* Items [from, to) of each add, in the adds' order (so each pooled count
 * sums its orgs' in the same order whichever thread adds it). */
struct pool_job {
    struct model *m;
    const struct pool_add *adds;
    size_t n_adds, from, to;
};

static void *pool_items(void *arg)
{
    const struct pool_job *job = arg;
    struct model *m = job->m;
    for (size_t k = 0; k < job->n_adds; k++) {
        size_t into = job->adds[k].into, from = job->adds[k].from;
        for (size_t i = job->from; i < job->to; i++) {
            struct item_count *a = model_count(m, into, i);
            const struct item_count *b = model_count(m, from, i);
            a->n += b->n;
            a->positive += b->positive;
            a->rates |= b->rates;
            if (m->weighted) {
                struct weighted_sums *x = model_weighted_sums(m, into, i);
                const struct weighted_sums *y = model_weighted_sums(m, from, i);
                x->w_sum += y->w_sum;
                x->w_sq_sum += y->w_sq_sum;
                x->w_pos += y->w_pos;
            }
        }
    }
    return NULL;
}

/* The pooled scope of org scope s's benchmarking group, MODEL_NONE when it
 * has none. */
static size_t bgroup_scope(struct model *m, size_t s)
{
    const char *bg = m->org_bgroup[s];
    if (!bg)
        return MODEL_NONE;
    char *name = xasprintf(SCOPE_GROUP_PREFIX "%s", bg);
    size_t scope = model_scope(m, name, SCOPE_BGROUP);
    free(name);
    return scope;
}

/* The pooled cells are made and the respondents and theme counts added in
 * one pass, then the item counts by two threads (half the items each). */
void load_pool(struct model *m)
{
    size_t n_org_cells = m->n_cells, n_adds = 0;
    size_t all_scope = model_scope(m, SCOPE_ALL_ORGS, SCOPE_ALL);
    struct pool_add *adds = xcalloc(2 * n_org_cells + 1, sizeof(*adds));
    size_t *group_of = xcalloc(m->n_scopes + 1, sizeof(size_t)); /* per scope, once met */
    bool *group_known = xcalloc(m->n_scopes + 1, sizeof(bool));
    for (size_t i = 0; i < n_org_cells; i++) {
        struct popcell c = m->cells[i];
        if (m->scopes[c.scope].kind != SCOPE_ORG ||
            m->groupings[c.grouping].kind == GROUPING_UNIT || !model_org_compared(m, c.scope))
            continue;
        if (!group_known[c.scope]) {
            group_of[c.scope] = bgroup_scope(m, c.scope);
            group_known[c.scope] = true;
        }
        size_t targets[2] = {all_scope, group_of[c.scope]};
        for (size_t t = 0; t < 2 && targets[t] != MODEL_NONE; t++) {
            size_t parent = MODEL_NONE;
            if (c.grouping != 0)
                parent = model_cell(m, c.period, (uint32_t)targets[t], 0, 0, MODEL_NONE);
            size_t into =
                model_cell(m, c.period, (uint32_t)targets[t], c.grouping, c.group, parent);
            adds[n_adds++] = (struct pool_add){into, i};
            m->cells[into].respondents += m->cells[i].respondents;
            for (size_t k = 0; k < m->n_themes; k++) {
                struct theme_count *a = model_theme_count(m, into, k);
                const struct theme_count *b = model_theme_count(m, i, k);
                a->n += b->n;
                a->sum += b->sum;
                a->sum_sq += b->sum_sq;
            }
        }
    }
    struct pool_job first = {m, adds, n_adds, 0, m->n_items / 2},
                    second = {m, adds, n_adds, m->n_items / 2, m->n_items};
    run_halves(pool_items, &first, &second, n_adds > 0);
    free(adds);
    free(group_of);
    free(group_known);
}
