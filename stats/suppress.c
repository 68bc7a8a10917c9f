#include "suppress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct relation *add_relation(struct relations *rel, size_t parent, bool remainder)
{
    xgrow(&rel->list, &rel->cap, rel->n + 1, sizeof(*rel->list));
    struct relation *r = &rel->list[rel->n++];
    *r = (struct relation){parent, NULL, 0, remainder, false};
    return r;
}

static void add_child(struct relation *r, size_t child)
{
    r->children = xrealloc(r->children, (r->n_children + 1) * sizeof(size_t));
    r->children[r->n_children++] = child;
}

/* Within-scope relations: for each parent cell and each grouping whose
 * cells hang under it, one relation. */
static void build_within(const struct model *m, struct relations *rel)
{
    /* index: first relation per (parent, grouping), found by linear probing in a map */
    size_t n_slots = 1;
    while (n_slots < 4 * m->n_cells + 16)
        n_slots *= 2;
    size_t *slots = xcalloc(n_slots, sizeof(size_t)); /* relation index + 1 */
    for (size_t c = 0; c < m->n_cells; c++) {
        const struct popcell *cell = &m->cells[c];
        if (cell->parent == MODEL_NONE)
            continue;
        uint64_t key[2] = {cell->parent, cell->grouping};
        size_t i = hash_bytes(key, sizeof(key)) & (n_slots - 1);
        while (slots[i]) {
            const struct relation *r = &rel->list[slots[i] - 1];
            if (r->parent == cell->parent && m->cells[r->children[0]].grouping == cell->grouping)
                break;
            i = (i + 1) & (n_slots - 1);
        }
        if (!slots[i]) {
            bool unit = m->groupings[cell->grouping].kind == GROUPING_UNIT;
            add_relation(rel, cell->parent, unit || m->from_aggregates);
            slots[i] = rel->n;
        }
        add_child(&rel->list[slots[i] - 1], c);
    }
    free(slots);
}

/* Pooled scopes: ALL and GROUP:<name> cells are sums of org cells. */
static void build_pooled(const struct model *m, struct relations *rel)
{
    for (size_t p = 0; p < m->n_cells; p++) {
        const struct popcell *pool = &m->cells[p];
        enum scope_kind kind = m->scopes[pool->scope].kind;
        if (kind == SCOPE_ORG)
            continue;
        struct relation *r = add_relation(rel, p, false);
        r->prefer_parent = pool->grouping != 0;
        for (size_t c = 0; c < m->n_cells; c++) {
            const struct popcell *cell = &m->cells[c];
            if (m->scopes[cell->scope].kind != SCOPE_ORG || cell->period != pool->period ||
                cell->grouping != pool->grouping || cell->group != pool->group)
                continue;
            if (kind == SCOPE_BGROUP) {
                const char *bg = m->org_bgroup[cell->scope];
                if (!bg || strcmp(m->scopes[pool->scope].name + 6, bg) != 0)
                    continue;
            }
            add_child(r, c);
        }
        if (r->n_children == 0)
            rel->n--;
    }
}

void relations_build(const struct model *m, struct relations *rel)
{
    memset(rel, 0, sizeof(*rel));
    build_within(m, rel);
    build_pooled(m, rel);
}

void relations_release(struct relations *rel)
{
    for (size_t i = 0; i < rel->n; i++)
        free(rel->list[i].children);
    free(rel->list);
    memset(rel, 0, sizeof(*rel));
}

/* The hidden part of relation r: respondents in hidden children plus the
 * remainder; *parts counts them. */
static double hidden_part(const struct relation *r, const double *n, const enum suppression *supp,
                          size_t *parts)
{
    double children_n = 0, hidden_n = 0;
    *parts = 0;
    for (size_t k = 0; k < r->n_children; k++) {
        size_t c = r->children[k];
        children_n += n[c];
        if (supp[c]) {
            hidden_n += n[c];
            ++*parts;
        }
    }
    double remainder = r->remainder ? n[r->parent] - children_n : 0;
    if (remainder > 0) {
        hidden_n += remainder;
        ++*parts;
    }
    return hidden_n;
}

/* The next threshold above t at which anything can change: a shown cell
 * falling below it, or a relation's hidden part becoming too small. */
static double next_threshold(const struct relations *rel, size_t n_cells, const double *n,
                             const enum suppression *supp, double t, double min_n)
{
    double next = min_n;
    for (size_t c = 0; c < n_cells; c++) {
        double at = floor(n[c]) + 1;
        if (!supp[c] && at > t && at < next)
            next = at;
    }
    for (size_t i = 0; i < rel->n; i++) {
        size_t parts;
        double at = floor(hidden_part(&rel->list[i], n, supp, &parts)) + 1;
        if (parts && !supp[rel->list[i].parent] && at > t && at < next)
            next = at;
    }
    return next;
}

/* Does relation r leave a suppressed cell recoverable or pinned?  On a
 * violation returns the cell to suppress next, else MODEL_NONE. */
static size_t violation(const struct relation *r, const double *n, const enum suppression *supp,
                        double min_n)
{
    size_t hidden;
    double hidden_n = hidden_part(r, n, supp, &hidden);
    bool parent_hidden = supp[r->parent] != SUPP_NONE;
    bool bad;
    if (parent_hidden)
        bad = hidden == 0; /* the parent would be the sum of its children */
    else
        bad = hidden > 0 && (hidden == 1 || hidden_n < min_n);
    if (!bad)
        return MODEL_NONE;
    if (r->prefer_parent && !parent_hidden)
        return r->parent;
    size_t smallest = MODEL_NONE;
    for (size_t k = 0; k < r->n_children; k++) {
        size_t c = r->children[k];
        if (!supp[c] && (smallest == MODEL_NONE || n[c] < n[smallest]))
            smallest = c;
    }
    return smallest != MODEL_NONE ? smallest : parent_hidden ? MODEL_NONE : r->parent;
}

/* Suppression is built up threshold by threshold, t = 1, 2, ..., min_n:
 * at each step the cells below t are hidden and the relations mended with
 * t as the threshold, starting from the previous step's result (thresholds
 * at which nothing can change are skipped).  The set hidden at min_n = k is
 * therefore a subset of the set hidden at any larger min_n, whatever
 * cascades the mending causes, so outputs of runs with different --min-n
 * can be pooled without revealing a cell that every run hides
 * (tests/disclosure_attack.py checks this). */
size_t suppress_cells(const struct relations *rel, size_t n_cells, const double *n,
                      enum suppression *supp, double min_n)
{
    for (size_t c = 0; c < n_cells; c++)
        supp[c] = SUPP_NONE;
    for (double t = 1;; t = next_threshold(rel, n_cells, n, supp, t, min_n)) {
        for (size_t c = 0; c < n_cells; c++)
            if (n[c] < t)
                supp[c] = SUPP_PRIMARY;
        for (bool changed = true; changed;) {
            changed = false;
            for (size_t i = 0; i < rel->n; i++) {
                size_t c;
                while ((c = violation(&rel->list[i], n, supp, t)) != MODEL_NONE) {
                    supp[c] = SUPP_SECONDARY;
                    changed = true;
                }
            }
        }
        if (t >= min_n)
            break;
    }
    size_t secondary = 0;
    for (size_t c = 0; c < n_cells; c++) {
        if (supp[c] != SUPP_NONE)
            supp[c] = n[c] < min_n ? SUPP_PRIMARY : SUPP_SECONDARY;
        secondary += supp[c] == SUPP_SECONDARY;
    }
    return secondary;
}

/* Suppress one item or theme: get(m, cell) gives its count record. */
static void suppress_one(struct model *m, const struct relations *rel, double min_n, size_t index,
                         bool theme, size_t *primary, size_t *secondary)
{
    double *n = xcalloc(m->n_cells, sizeof(double));
    enum suppression *supp = xcalloc(m->n_cells, sizeof(*supp));
    for (size_t c = 0; c < m->n_cells; c++)
        n[c] = theme ? model_theme_count(m, c, index)->n : model_count(m, c, index)->n;
    *secondary += suppress_cells(rel, m->n_cells, n, supp, min_n);
    for (size_t c = 0; c < m->n_cells; c++) {
        if (theme)
            model_theme_count(m, c, index)->supp = supp[c];
        else
            model_count(m, c, index)->supp = supp[c];
        *primary += supp[c] == SUPP_PRIMARY;
    }
    free(n);
    free(supp);
}

void suppress_model(struct model *m, const struct relations *rel, double min_n,
                    size_t *primary, size_t *secondary)
{
    *primary = *secondary = 0;
    for (size_t i = 0; i < m->n_items; i++)
        suppress_one(m, rel, min_n, i, false, primary, secondary);
    for (size_t t = 0; t < m->n_themes; t++)
        suppress_one(m, rel, min_n, t, true, primary, secondary);
}
