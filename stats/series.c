/* Cells followed over time: see series.h. */
#include "series.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

long series_ordinal(const char *period)
{
    struct period p;
    if (!period_parse(period, strlen(period), &p))
        return SERIES_NO_ORDINAL;
    return period_ordinal(&p);
}

/* Order of places: scope kind and name, grouping, parents (outermost
 * first), group label; the output order of run.c, without the period. */
static int compare_place_as(const struct model *m, const char *const *place_org, size_t a, size_t b)
{
    if (a == b)
        return 0;
    const struct popcell *x = &m->cells[a], *y = &m->cells[b];
    enum scope_kind kx = m->scopes[x->scope].kind, ky = m->scopes[y->scope].kind;
    if (kx != ky)
        return (int)kx - (int)ky;
    int d = place_org ? strcmp(place_org[a], place_org[b])
                      : strcmp(m->scopes[x->scope].name, m->scopes[y->scope].name);
    if (d)
        return d;
    if (x->grouping != y->grouping)
        return x->grouping < y->grouping ? -1 : 1;
    if (x->parent != y->parent) {
        if (x->parent == MODEL_NONE || y->parent == MODEL_NONE)
            return x->parent == MODEL_NONE ? -1 : 1;
        if ((d = compare_place_as(m, place_org, x->parent, y->parent)))
            return d;
    }
    return strcmp(m->groups.strings[x->group], m->groups.strings[y->group]);
}

static int compare_place(const struct model *m, size_t a, size_t b)
{
    return compare_place_as(m, NULL, a, b);
}

bool series_same_place(const struct model *m, size_t a, size_t b)
{
    return compare_place(m, a, b) == 0;
}

static _Thread_local const struct model *sort_model; /* qsort has no context argument */
static _Thread_local const long *sort_ordinal;
static _Thread_local const char *const *sort_place_org;

/* Is cell c an org's (or its unit's) cell counted at a successor's place? */
static bool linked(const struct model *m, const char *const *place_org, size_t c)
{
    return place_org && strcmp(place_org[c], m->scopes[m->cells[c].scope].name) != 0;
}

static int compare_cells(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int d = compare_place_as(sort_model, sort_place_org, a, b);
    if (d)
        return d;
    long oa = sort_ordinal[sort_model->cells[a].period];
    long ob = sort_ordinal[sort_model->cells[b].period];
    if (oa != ob)
        return (oa > ob) - (oa < ob);
    /* the same place and period: a linked predecessor's cell first */
    bool la = linked(sort_model, sort_place_org, a), lb = linked(sort_model, sort_place_org, b);
    if (la != lb)
        return la ? -1 : 1;
    return (a > b) - (a < b);
}

void series_index_build(const struct model *m, const struct org_history *history,
                        struct series_index *ix)
{
    memset(ix, 0, sizeof(*ix));
    size_t n_periods = m->periods.count;
    ix->ordinal = xcalloc(n_periods ? n_periods : 1, sizeof(long));
    for (size_t p = 0; p < n_periods; p++)
        ix->ordinal[p] = series_ordinal(m->periods.strings[p]);
    ix->sorted = xcalloc(m->n_cells ? m->n_cells : 1, sizeof(size_t));
    ix->prev = xcalloc(m->n_cells ? m->n_cells : 1, sizeof(size_t));
    for (size_t c = 0; c < m->n_cells; c++) {
        ix->prev[c] = MODEL_NONE;
        if (ix->ordinal[m->cells[c].period] != SERIES_NO_ORDINAL)
            ix->sorted[ix->n_sorted++] = c;
    }
    if (history && history->n_links) {
        ix->place_org = xcalloc(m->n_cells ? m->n_cells : 1, sizeof(*ix->place_org));
        for (size_t c = 0; c < m->n_cells; c++) {
            const char *org = m->scopes[m->cells[c].scope].name;
            long o = ix->ordinal[m->cells[c].period];
            ix->place_org[c] =
                m->scopes[m->cells[c].scope].kind == SCOPE_ORG && o != SERIES_NO_ORDINAL
                    ? org_history_successor(history, org, o)
                    : org;
        }
    }
    sort_model = m;
    sort_ordinal = ix->ordinal;
    sort_place_org = ix->place_org;
    qsort(ix->sorted, ix->n_sorted, sizeof(size_t), compare_cells);
    sort_model = NULL;
    sort_ordinal = NULL;
    sort_place_org = NULL;
    for (size_t k = 1; k < ix->n_sorted; k++) {
        size_t c = ix->sorted[k], b = ix->sorted[k - 1];
        if (ix->ordinal[m->cells[b].period] == ix->ordinal[m->cells[c].period] - 1 &&
            compare_place_as(m, ix->place_org, b, c) == 0)
            ix->prev[c] = b;
    }
}

void series_index_release(struct series_index *ix)
{
    free(ix->ordinal);
    free(ix->sorted);
    free(ix->prev);
    free(ix->place_org);
    memset(ix, 0, sizeof(*ix));
}

bool *series_item_asked(const struct model *m)
{
    size_t n_periods = m->periods.count ? m->periods.count : 1;
    bool *asked = xcalloc(n_periods * (m->n_items ? m->n_items : 1), sizeof(bool));
    for (size_t c = 0; c < m->n_cells; c++) {
        const struct popcell *cell = &m->cells[c];
        if (m->scopes[cell->scope].kind != SCOPE_ORG || cell->grouping != 0)
            continue;
        for (size_t i = 0; i < m->n_items; i++)
            if (m->counts[c * m->n_items + i].n > 0)
                asked[cell->period * m->n_items + i] = true;
    }
    return asked;
}
