#include "disclosure.h"

#include "stats.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static struct relation *add_relation(struct relations *rel, size_t parent, bool remainder)
{
    xgrow(&rel->list, &rel->cap, rel->n + 1, sizeof(*rel->list));
    struct relation *r = &rel->list[rel->n++];
    *r = (struct relation){parent, NULL, 0, remainder, false};
    return r;
}

/* Children arrays grow by doubling (room for the next power of two): one
 * realloc per child copied the whole array each time under ASan, whose
 * realloc always moves, which is quadratic in a relation of 100,000 teams. */
static void add_child(struct relation *r, size_t child)
{
    size_t n = r->n_children;
    if ((n & (n - 1)) == 0) /* 0, 1, 2, 4, ...: full */
        r->children = xrealloc(r->children, (n ? 2 * n : 1) * sizeof(size_t));
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

/* The cells of each (period, grouping, group), in cell order: those of key
 * k are cells[first[k] .. first[k + 1]), and key_of[c] is cell c's key.
 * The pooled relations take their children from these lists instead of
 * scanning every cell for every pooled cell (pooled cells times cells: 4 ms
 * of a national run, all on one core). */
struct cell_keys {
    size_t *key_of, *first, *cells;
};

static void cell_keys_build(const struct model *m, struct cell_keys *k)
{
    size_t n_slots = 1;
    while (n_slots < 2 * m->n_cells + 16)
        n_slots *= 2;
    size_t *slots = xcalloc(n_slots, sizeof(size_t)); /* a cell of the key + 1 */
    k->key_of = xcalloc(m->n_cells + 1, sizeof(size_t));
    size_t n_keys = 0;
    for (size_t c = 0; c < m->n_cells; c++) {
        const struct popcell *cell = &m->cells[c];
        uint32_t key[3] = {cell->period, cell->grouping, cell->group};
        size_t i = hash_bytes(key, sizeof(key)) & (n_slots - 1);
        while (slots[i]) {
            const struct popcell *o = &m->cells[slots[i] - 1];
            if (o->period == cell->period && o->grouping == cell->grouping &&
                o->group == cell->group)
                break;
            i = (i + 1) & (n_slots - 1);
        }
        if (!slots[i]) {
            slots[i] = c + 1;
            k->key_of[c] = n_keys++;
        } else {
            k->key_of[c] = k->key_of[slots[i] - 1];
        }
    }
    free(slots);
    k->first = xcalloc(n_keys + 2, sizeof(size_t));
    for (size_t c = 0; c < m->n_cells; c++)
        k->first[k->key_of[c] + 2]++;
    for (size_t key = 0; key < n_keys; key++)
        k->first[key + 2] += k->first[key + 1];
    k->cells = xcalloc(m->n_cells + 1, sizeof(size_t));
    for (size_t c = 0; c < m->n_cells; c++) /* first[key + 1]: the next place of key */
        k->cells[k->first[k->key_of[c] + 1]++] = c;
}

static void cell_keys_release(struct cell_keys *k)
{
    free(k->key_of);
    free(k->first);
    free(k->cells);
}

/* Pooled scopes: ALL and GROUP:<name> cells are sums of org cells. */
static void build_pooled(const struct model *m, const struct cell_keys *keys,
                         struct relations *rel)
{
    for (size_t p = 0; p < m->n_cells; p++) {
        const struct popcell *pool = &m->cells[p];
        enum scope_kind kind = m->scopes[pool->scope].kind;
        if (kind == SCOPE_ORG)
            continue;
        struct relation *r = add_relation(rel, p, false);
        r->prefer_parent = pool->grouping != 0;
        size_t key = keys->key_of[p];
        for (size_t at = keys->first[key]; at < keys->first[key + 1]; at++) {
            size_t c = keys->cells[at];
            const struct popcell *cell = &m->cells[c];
            if (m->scopes[cell->scope].kind != SCOPE_ORG || !model_org_compared(m, cell->scope))
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

/* ALL is also the sum of the benchmarking groups (each org is in one) and
 * the orgs without a group: a relation the others imply together, which
 * would let a hidden GROUP: cell be worked out as ALL minus the shown
 * groups although no single relation has one unknown. */
static void build_groups_in_all(const struct model *m, const struct cell_keys *keys,
                                struct relations *rel)
{
    for (size_t p = 0; p < m->n_cells; p++) {
        const struct popcell *pool = &m->cells[p];
        if (m->scopes[pool->scope].kind != SCOPE_ALL)
            continue;
        struct relation *r = add_relation(rel, p, false);
        r->prefer_parent = pool->grouping != 0;
        bool groups = false;
        size_t key = keys->key_of[p];
        for (size_t at = keys->first[key]; at < keys->first[key + 1]; at++) {
            size_t c = keys->cells[at];
            const struct popcell *cell = &m->cells[c];
            enum scope_kind kind = m->scopes[cell->scope].kind;
            if (kind == SCOPE_ALL ||
                (kind == SCOPE_ORG &&
                 (m->org_bgroup[cell->scope] || !model_org_compared(m, cell->scope))))
                continue;
            groups |= kind == SCOPE_BGROUP;
            add_child(r, c);
        }
        if (!groups) { /* the same as ALL = sum of the orgs */
            free(r->children);
            rel->n--;
        }
    }
}

void relations_build(const struct model *m, struct relations *rel)
{
    memset(rel, 0, sizeof(*rel));
    build_within(m, rel);
    struct cell_keys keys;
    cell_keys_build(m, &keys);
    build_pooled(m, &keys, rel);
    build_groups_in_all(m, &keys, rel);
    cell_keys_release(&keys);
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

/* The kinds of child smallest_shown looks for. */
enum want { WANT_OTHER, WANT_ANY, WANT_POSITIVE, WANT_SLACK, N_WANTS };

/* The shown children of every relation by size, for smallest_shown, of one
 * item in one suppression run: a relation's children are sorted by n (then
 * position) the first time it is asked, and for each kind of child a
 * cursor moves past the children that are hidden or not of that kind.
 * Cells are only ever hidden within a run, so cursors only move forward:
 * a relation costs its sort and one pass over its children however often
 * it is asked (asking afresh each time made suppression cubic in the
 * number of small units of one org: 100,000 one-person teams did not
 * finish in ten minutes). */
struct shown_order {
    const struct relations *rel;
    const double *n, *positive;
    const enum suppression *supp;
    size_t *first; /* relation i's children: sorted[first[i] ..] */
    size_t *sorted;
    bool *ready;             /* sorted and cursors made */
    size_t *cursor[N_WANTS]; /* per relation: next place in its sorted children */
    size_t *n_small;         /* per relation: children of at most 1 answer */
};

static void order_init(struct shown_order *o, const struct relations *rel, const double *n,
                       const double *positive, const enum suppression *supp)
{
    *o = (struct shown_order){rel, n, positive, supp, NULL, NULL, NULL, {NULL}, NULL};
    o->first = xcalloc(rel->n + 1, sizeof(size_t));
    for (size_t i = 0; i < rel->n; i++)
        o->first[i + 1] = o->first[i] + rel->list[i].n_children;
    o->sorted = xcalloc(o->first[rel->n] ? o->first[rel->n] : 1, sizeof(size_t));
    o->ready = xcalloc(rel->n ? rel->n : 1, sizeof(bool));
    for (int w = 0; w < N_WANTS; w++)
        o->cursor[w] = xcalloc(rel->n ? rel->n : 1, sizeof(size_t));
    o->n_small = xcalloc(rel->n ? rel->n : 1, sizeof(size_t));
}

static void order_release(struct shown_order *o)
{
    free(o->first);
    free(o->sorted);
    free(o->ready);
    for (int w = 0; w < N_WANTS; w++)
        free(o->cursor[w]);
    free(o->n_small);
}

/* A child of a relation (its cell) with its n, for sorting. */
struct keyed_child {
    double n;
    size_t child;
};

/* Sort by n, stably: children of equal n keep their order in the
 * relation, as qsort by n then place kept them (a merge sort with the
 * comparison inline; qsort's call per comparison was 2% of an --orgs
 * run).  tmp has room for len. */
static void sort_children(struct keyed_child *a, struct keyed_child *tmp, size_t len)
{
    if (len <= 16) {
        for (size_t i = 1; i < len; i++) {
            struct keyed_child x = a[i];
            size_t j = i;
            for (; j > 0 && a[j - 1].n > x.n; j--)
                a[j] = a[j - 1];
            a[j] = x;
        }
        return;
    }
    size_t half = len / 2, l = 0, r = half, k = 0;
    sort_children(a, tmp, half);
    sort_children(a + half, tmp, len - half);
    while (l < half && r < len)
        tmp[k++] = a[r].n < a[l].n ? a[r++] : a[l++];
    while (l < half)
        tmp[k++] = a[l++];
    while (r < len)
        tmp[k++] = a[r++];
    memcpy(a, tmp, len * sizeof(*a));
}

static bool is_wanted(const struct shown_order *o, size_t c, enum want want)
{
    switch (want) {
    case WANT_POSITIVE:
        return o->positive[c] > 0;
    case WANT_OTHER:
        return o->positive[c] < o->n[c];
    case WANT_SLACK:
        return o->n[c] > 1;
    default:
        return true;
    }
}

/* The smallest shown child of relation ri (the earliest on a tie) of the
 * kind wanted: any, one with a positive answer, one with another answer,
 * or one with more than 1 answer (hidden, it could hold more than the 1
 * its state promises).  MODEL_NONE when there is none. */
static size_t smallest_shown(struct shown_order *o, size_t ri, enum want want)
{
    const struct relation *r = &o->rel->list[ri];
    size_t *sorted = o->sorted + o->first[ri];
    if (!o->ready[ri]) {
        struct keyed_child *keyed = xcalloc(2 * r->n_children + 1, sizeof(*keyed));
        for (size_t k = 0; k < r->n_children; k++)
            keyed[k] = (struct keyed_child){o->n[r->children[k]], r->children[k]};
        sort_children(keyed, keyed + r->n_children, r->n_children);
        for (size_t k = 0; k < r->n_children; k++) {
            sorted[k] = keyed[k].child;
            o->n_small[ri] += o->n[sorted[k]] <= 1;
        }
        free(keyed);
        o->ready[ri] = true;
    }
    size_t *at = &o->cursor[want][ri];
    while (*at < r->n_children && (o->supp[sorted[*at]] || !is_wanted(o, sorted[*at], want)))
        ++*at;
    return *at < r->n_children ? sorted[*at] : MODEL_NONE;
}

/* ---- the audit ------------------------------------------------------------------ */

/* Relations mended one at a time still let an attacker chain them: a hidden
 * cell pinned by one relation becomes a known term of the next, and the
 * labels say more (a primary cell has fewer than t answers, a secondary one
 * at least 1).  The audit plays that attacker on one item: interval
 * bounds on every cell's n and positive count, shown cells exact, hidden
 * ones 0 <= positive <= n and their label's bound, every relation an
 * equality (with an unknown remainder >= 0 where respondents gave no unit),
 * narrowed until nothing changes.  The result (the greatest fixpoint) does
 * not depend on the order of the narrowing.  A hidden cell whose n or
 * positive count is then pinned to one value is recoverable: a shown cell
 * of a relation that pins it is hidden too (the smallest, one with a
 * positive answer when the pin is at 0), for every pinned cell at once,
 * and the relations are mended and the audit run again until nothing is
 * pinned.  A positive count of 0 that a shown cell containing the hidden
 * one already tells (the whole org had none) is not a pin: hiding more
 * cannot change it. */

enum { F_N, F_X, N_FIELDS };

/* A cell's bounds in both fields, side by side: the narrowing reads a
 * cell's lower and upper bounds together and narrow_cell both fields, so
 * one cache line holds what four arrays spread over four (the audit's
 * bounds of a national item did not stay in the core's cache). */
struct cell_bounds {
    double lo[N_FIELDS], hi[N_FIELDS];
};

struct audit {
    const struct relations *rel;
    size_t n_cells;
    const double *value[N_FIELDS]; /* n and positive (NULL: no positive counts) */
    const enum suppression *supp;
    bool whole; /* all counts whole numbers: round bounds inwards */
    /* whole, and small enough that every sum of bounds is exact at an
     * integral threshold (bounded_sums); exact: that, at this audit's t */
    bool bounded_sums, exact;
    struct cell_bounds *bound; /* per cell */
    bool *zero; /* a shown container has no positive answers */
    /* the relations of each cell: member[first[c]..first[c+1]) (the block's) */
    const size_t *first, *member;
    int fields; /* N_FIELDS, or 1 without positive counts */
    /* relations left to narrow: a ring of at most rel->n, each in it once */
    size_t *queue, queue_head, queue_len;
    bool *queued;
    /* per relation, for the current hidden set: its hidden children
     * hidden[hidden_first[i] ..] (hidden_len[i] of them, room for all its
     * children) and the sum of its shown children's values (exact, so they
     * are left out of the narrowing); rebuilt when dirty[i] */
    size_t *hidden_first, *hidden_len, *hidden;
    double *shown_sum[N_FIELDS];
    bool *dirty;
    /* per relation: its children in cell order and every count whole, so
     * a cell hidden since is taken out of the shown sum (exactly) and put
     * in its place in the hidden list, instead of the relation rebuilt */
    bool *by_cell;
    bool *remainder; /* has_remainder(), fixed by the values */
    /* bits per relation: one of its members is hidden (set by index_hidden
     * as cells are hidden, never cleared).  Only these have a hidden list,
     * are narrowed or mark zeros, so the passes of every audit go over them
     * instead of over every relation (a few hundred of a national item's
     * 3,600).  A relation not yet active stays dirty from audit_init and is
     * built when it becomes active. */
    uint64_t *active;
    /* The hidden cells in the order the audit first saw them (those hidden
     * since the audit before in cell order): cells are hidden, never shown
     * again, within one suppression run, so a shown cell's bounds (its
     * values) are set once and only hidden cells' are reset per audit. */
    size_t *hidden_cells, n_hidden_cells;
    /* the block's hidden cells in the order hidden (struct block), of
     * which the first seen are in hidden_cells */
    const size_t *block_hidden;
    const size_t *block_n_hidden;
    size_t seen;
    /* per relation, sums over its children of the bounds (lo, finite hi,
     * the number of infinite hi) for implied(), made when first asked after
     * each audit (sums_round[i] == round) */
    double *sum_lo[N_FIELDS], *sum_hi[N_FIELDS];
    int *sum_inf[N_FIELDS];
    unsigned *sums_round, round;
    /* skip_to_slack: cells to hide besides mend_pin's (each once per
     * audit: pushed[c] == round), relations done this audit */
    size_t *extra, n_extra;
    unsigned *pushed, *flushed;
    struct shown_order *order; /* the block's, for this item */
    /* touch_parts: the threshold of the last audit (0 before the first),
     * the marks of the cells and relations of the parts to narrow afresh
     * (== visit), and its stack (room for every cell) */
    double last_t;
    unsigned *cell_visit, *rel_visit, visit;
    size_t *visit_stack;
};

/* With a->exact, lo and hi are integers already (sums and differences of
 * integer bounds, made exactly), which the rounding would return as they
 * are (but for the sign of a zero, which no comparison sees): it is left
 * out, two libm calls in each of the audit's millions of narrowings. */
static bool tighten_bounds(struct audit *a, int f, size_t c, double lo, double hi)
{
    if (a->whole && !a->exact) {
        lo = ceil(lo - 1e-9);
        hi = floor(hi + 1e-9);
    }
    bool changed = false;
    double tol = a->whole ? 0.5 : 1e-9 * fmax(1, fabs(lo));
    if (lo > a->bound[c].lo[f] + tol && lo <= a->bound[c].hi[f] + tol) {
        a->bound[c].lo[f] = fmin(lo, a->bound[c].hi[f]);
        changed = true;
    }
    tol = a->whole ? 0.5 : 1e-9 * fmax(1, fabs(hi));
    if (hi < a->bound[c].hi[f] - tol && hi >= a->bound[c].lo[f] - tol) {
        a->bound[c].hi[f] = fmax(hi, a->bound[c].lo[f]);
        changed = true;
    }
    return changed;
}

/* Narrow cell c's bounds in field f to [lo, hi] where that tightens them
 * (rounded inwards for whole counts); true when they moved.  Bounds move
 * only for lo above the lower bound or hi below the upper one (the
 * tolerances are positive), so the audit's many calls that can change
 * nothing return at once. */
static inline bool tighten(struct audit *a, int f, size_t c, double lo, double hi)
{
    if (!(lo > a->bound[c].lo[f] || hi < a->bound[c].hi[f]))
        return false;
    return tighten_bounds(a, f, c, lo, hi);
}

/* Does the remainder of r (respondents in the parent outside every child)
 * exist?  Then it is an unknown >= 0 in both fields. */
static bool has_remainder(const struct audit *a, const struct relation *r)
{
    if (!r->remainder)
        return false;
    double children = 0;
    for (size_t k = 0; k < r->n_children; k++)
        children += a->value[F_N][r->children[k]];
    return a->value[F_N][r->parent] - children > 0;
}

/* The sums of relation i's children's bounds, for this audit's bounds. */
static void relation_sums(struct audit *a, size_t i)
{
    if (a->sums_round[i] == a->round)
        return;
    a->sums_round[i] = a->round;
    const struct relation *r = &a->rel->list[i];
    for (int f = 0; f < a->fields; f++) {
        double lo_sum = 0, hi_sum = 0;
        int inf = 0;
        for (size_t k = 0; k < r->n_children; k++) {
            size_t d = r->children[k];
            lo_sum += a->bound[d].lo[f];
            if (isinf(a->bound[d].hi[f]))
                inf++;
            else
                hi_sum += a->bound[d].hi[f];
        }
        a->sum_lo[f][i] = lo_sum;
        a->sum_hi[f][i] = hi_sum;
        a->sum_inf[f][i] = inf;
    }
}

/* What relation i says about member c (its parent, or a child) in field f,
 * from the others' bounds: [*lo, *hi].  The children's sums are made once
 * per audit and c's own bounds taken out of them, so that asking for every
 * hidden child of a relation of k children costs k, not k squared. */
static void implied(struct audit *a, size_t i, int f, size_t c, double *lo, double *hi)
{
    const struct relation *r = &a->rel->list[i];
    relation_sums(a, i);
    double lo_sum = a->sum_lo[f][i], hi_sum = a->sum_hi[f][i];
    int hi_inf = a->remainder[i] + a->sum_inf[f][i];
    if (c != r->parent) {
        lo_sum -= a->bound[c].lo[f];
        if (isinf(a->bound[c].hi[f]))
            hi_inf--;
        else
            hi_sum -= a->bound[c].hi[f];
    }
    if (c == r->parent) {
        *lo = lo_sum;
        *hi = hi_inf ? INFINITY : hi_sum;
    } else {
        /* c = parent - (the other children) - remainder */
        *lo = hi_inf ? -INFINITY : a->bound[r->parent].lo[f] - hi_sum;
        *hi = a->bound[r->parent].hi[f] - lo_sum;
    }
}

static void bounds_changed(struct audit *a, size_t c);

static void bounds_changed(struct audit *a, size_t c);

/* implied() for the parent and then each hidden child in turn, each seeing
 * the bounds the previous ones tightened; the children's sums are kept
 * running instead of re-added per child, so a relation of k children (ALL
 * over 260 orgs) costs k, not k squared, and shown members (exact bounds
 * that cannot move) cost nothing.  Every member it tightens is passed to
 * bounds_changed. */
static void narrow_relation(struct audit *a, size_t i, int f)
{
    const struct relation *r = &a->rel->list[i];
    const size_t *hidden = a->hidden + a->hidden_first[i];
    size_t n_hidden = a->hidden_len[i];
    /* over the children; hi_all over finite ones */
    double lo_all = a->shown_sum[f][i], hi_all = a->shown_sum[f][i];
    int inf_all = a->remainder[i];
    /* for children_can_move: the widest finite child, the infinite ones
     * and the lower bound of the last of them */
    double widest = -INFINITY, inf_lo = 0;
    int inf_children = 0;
    for (size_t k = 0; k < n_hidden; k++) {
        size_t d = hidden[k];
        double lo = a->bound[d].lo[f], hi = a->bound[d].hi[f];
        lo_all += lo;
        if (isinf(hi)) {
            inf_children++;
            inf_lo = lo;
        } else {
            hi_all += hi;
            if (hi - lo > widest)
                widest = hi - lo;
        }
    }
    inf_all += inf_children;
    if (a->supp[r->parent] && tighten(a, f, r->parent, lo_all, inf_all ? INFINITY : hi_all))
        bounds_changed(a, r->parent);
    if (a->exact) {
        /* With exact sums, child d's bounds below move (tighten() gets past
         * its first test) only if: the parent's upper bound is finite and
         * d's is infinite, or d is wider than the parent's upper bound less
         * lo_all; or no bound is infinite and d is wider than hi_all less
         * the parent's lower bound; or d is the one infinite term and the
         * parent's lower bound less hi_all is above d's lower bound.  Half
         * the narrowings of a national run move nothing, and this skips
         * their pass over the children. */
        double parent_lo = a->bound[r->parent].lo[f], parent_hi = a->bound[r->parent].hi[f];
        bool can_move = (!isinf(parent_hi) && (inf_children > 0 || widest > parent_hi - lo_all)) ||
                        (inf_all == 0 && widest > hi_all - parent_lo) ||
                        (inf_all == 1 && inf_children == 1 && parent_lo - hi_all > inf_lo);
        if (!can_move)
            return;
    }
    for (size_t k = 0; k < n_hidden; k++) {
        size_t d = hidden[k];
        double old_lo = a->bound[d].lo[f], old_hi = a->bound[d].hi[f];
        bool old_inf = isinf(old_hi);
        double lo_others = lo_all - old_lo, hi_others = old_inf ? hi_all : hi_all - old_hi;
        int inf_others = inf_all - old_inf;
        /* d = parent - (the other children) - remainder */
        double lo = inf_others ? -INFINITY : a->bound[r->parent].lo[f] - hi_others;
        double hi = a->bound[r->parent].hi[f] - lo_others;
        if (tighten(a, f, d, lo, hi)) {
            bounds_changed(a, d); /* may narrow d further (narrow_cell) */
            lo_all += a->bound[d].lo[f] - old_lo;
            bool now_inf = isinf(a->bound[d].hi[f]);
            inf_all += (int)now_inf - (int)old_inf;
            hi_all += (now_inf ? 0 : a->bound[d].hi[f]) - (old_inf ? 0 : old_hi);
        }
    }
}

/* 0 <= positive <= n, and 0 where a shown container has none. */
static bool narrow_cell(struct audit *a, size_t c)
{
    bool changed = tighten(a, F_X, c, 0, a->zero[c] ? 0 : a->bound[c].hi[F_N]);
    changed |= tighten(a, F_N, c, a->bound[c].lo[F_X], INFINITY);
    return changed;
}

static void enqueue(struct audit *a, size_t i)
{
    if (a->queued[i])
        return;
    a->queued[i] = true;
    size_t at = a->queue_head + a->queue_len++;
    a->queue[at < a->rel->n ? at : at - a->rel->n] = i; /* a ring: head < n, len <= n */
}

/* Cell c's bounds moved: the cell's own constraint may move them again, and
 * every relation it is a member of must be narrowed again (the one being
 * narrowed included: its sums changed). */
static void bounds_changed(struct audit *a, size_t c)
{
    if (a->fields == N_FIELDS)
        narrow_cell(a, c);
    for (size_t k = a->first[c]; k < a->first[c + 1]; k++)
        enqueue(a, a->member[k]);
}

/* Mark relation i's hidden children zero; the newly marked go on the stack. */
static void mark_children_zero(struct audit *a, size_t i, size_t *stack, size_t *top)
{
    const size_t *hidden = a->hidden + a->hidden_first[i];
    for (size_t m = 0; m < a->hidden_len[i]; m++)
        if (!a->zero[hidden[m]]) {
            a->zero[hidden[m]] = true;
            stack[(*top)++] = hidden[m];
        }
}

/* The first set bit of bits[0..n) from i on (n when none): the relations
 * to visit, skipped 64 at a time. */
static size_t next_set_bit(const uint64_t *bits, size_t n, size_t i)
{
    size_t w = i / 64;
    if (i >= n)
        return n;
    uint64_t word = bits[w] & (~(uint64_t)0 << (i % 64));
    while (!word) {
        if (++w * 64 >= n)
            return n;
        word = bits[w];
    }
    return w * 64 + (size_t)__builtin_ctzll(word);
}

/* The first active relation from i on (a->rel->n when none). */
static size_t next_active(const struct audit *a, size_t i)
{
    return next_set_bit(a->active, a->rel->n, i);
}

/* Mark the hidden cells inside a shown cell with no positive answers
 * (through the relations, transitively).  Only hidden cells are marked and
 * followed: a shown cell's bounds are its values already, and a shown cell
 * with none is where marking starts. */
static void mark_zero(struct audit *a, size_t *stack)
{
    size_t top = 0;
    for (size_t h = 0; h < a->n_hidden_cells; h++)
        a->zero[a->hidden_cells[h]] = false;
    for (size_t i = next_active(a, 0); i < a->rel->n; i = next_active(a, i + 1)) {
        const struct relation *r = &a->rel->list[i];
        if (!a->supp[r->parent] && a->value[F_X][r->parent] <= 0)
            mark_children_zero(a, i, stack, &top);
    }
    while (top > 0) {
        size_t p = stack[--top];
        for (size_t k = a->first[p]; k < a->first[p + 1]; k++)
            if (a->rel->list[a->member[k]].parent == p)
                mark_children_zero(a, a->member[k], stack, &top);
    }
}

static int compare_cells(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return a < b ? -1 : a > b;
}

/* Child c of relation i (by_cell) hidden since the last audit. */
static void take_hidden(struct audit *a, size_t i, size_t c)
{
    size_t *hidden = a->hidden + a->hidden_first[i], at = a->hidden_len[i]++;
    for (; at > 0 && hidden[at - 1] > c; at--)
        hidden[at] = hidden[at - 1];
    hidden[at] = c;
    for (int f = 0; f < a->fields; f++)
        a->shown_sum[f][i] -= a->value[f][c];
}

/* Take in the cells hidden since the last audit (from the block's list,
 * in cell order, as a scan of every cell found them): their relations
 * become active, and their hidden lists and shown sums are rebuilt (in
 * child order, so the sums are the same whatever the history).
 * audit_bounds queues them. */
static void index_hidden(struct audit *a)
{
    size_t from = a->n_hidden_cells;
    for (; a->seen < *a->block_n_hidden; a->seen++)
        a->hidden_cells[a->n_hidden_cells++] = a->block_hidden[a->seen];
    qsort(a->hidden_cells + from, a->n_hidden_cells - from, sizeof(size_t), compare_cells);
    for (size_t h = from; h < a->n_hidden_cells; h++) {
        size_t c = a->hidden_cells[h];
        for (size_t k = a->first[c]; k < a->first[c + 1]; k++) {
            size_t i = a->member[k];
            a->active[i / 64] |= (uint64_t)1 << (i % 64);
            if (a->dirty[i] || a->rel->list[i].parent == c)
                continue; /* rebuilt below, or its children's lists unchanged */
            if (a->by_cell[i])
                take_hidden(a, i, c);
            else
                a->dirty[i] = true;
        }
    }
    a->queue_head = a->queue_len = 0;
    for (size_t i = next_active(a, 0); i < a->rel->n; i = next_active(a, i + 1)) {
        const struct relation *r = &a->rel->list[i];
        if (a->dirty[i]) {
            a->dirty[i] = false;
            size_t *hidden = a->hidden + a->hidden_first[i], n_hidden = 0;
            for (int f = 0; f < a->fields; f++)
                a->shown_sum[f][i] = 0;
            for (size_t k = 0; k < r->n_children; k++) {
                size_t c = r->children[k];
                if (a->supp[c])
                    hidden[n_hidden++] = c;
                else
                    for (int f = 0; f < a->fields; f++)
                        a->shown_sum[f][i] += a->value[f][c];
            }
            a->hidden_len[i] = n_hidden;
        }
    }
}

/* The parts of the audit's problem that the cells hidden since the last
 * audit (hidden_cells[from ..]) changed: those cells and every hidden cell
 * joined to them through relations (a relation joins its hidden members),
 * marked with a->visit in cell_visit and rel_visit.  The bounds of every
 * other hidden cell depend only on its own part (its cells' states, the
 * threshold, its relations' shown members), so at the same threshold the
 * last audit's fixpoint of that part is this one's. */
static void touch_parts(struct audit *a, size_t from)
{
    size_t *stack = a->visit_stack, top = 0;
    a->visit++;
    for (size_t h = from; h < a->n_hidden_cells; h++) {
        a->cell_visit[a->hidden_cells[h]] = a->visit;
        stack[top++] = a->hidden_cells[h];
    }
    while (top > 0) {
        size_t c = stack[--top];
        for (size_t k = a->first[c]; k < a->first[c + 1]; k++) {
            size_t i = a->member[k];
            if (a->rel_visit[i] == a->visit)
                continue;
            a->rel_visit[i] = a->visit;
            size_t p = a->rel->list[i].parent;
            if (a->supp[p] && a->cell_visit[p] != a->visit) {
                a->cell_visit[p] = a->visit;
                stack[top++] = p;
            }
            const size_t *hidden = a->hidden + a->hidden_first[i];
            for (size_t m = 0; m < a->hidden_len[i]; m++)
                if (a->cell_visit[hidden[m]] != a->visit) {
                    a->cell_visit[hidden[m]] = a->visit;
                    stack[top++] = hidden[m];
                }
        }
    }
}

/* The attacker's bounds at threshold t, narrowed to the fixpoint with a
 * worklist: only relations whose members' bounds moved are narrowed again
 * (a pass over every relation per change took 90% of stats' time on a
 * national file). */
static void audit_bounds(struct audit *a, double t, size_t *stack)
{
    int fields = a->fields;
    a->exact = a->bounded_sums && t == floor(t) && t <= 1e6;
    size_t from = a->n_hidden_cells;
    index_hidden(a);
    /* at the threshold of the last audit, only the parts new hidden cells
     * joined are narrowed afresh (touch_parts); the others keep their
     * bounds, the fixpoint they had (about a third of a national run's
     * work at the audits that follow the first of each threshold) */
    bool some = t == a->last_t;
    a->last_t = t;
    if (some)
        touch_parts(a, from);
    a->queue_head = a->queue_len = 0;
    for (size_t i = next_active(a, 0); i < a->rel->n; i = next_active(a, i + 1)) {
        a->queued[i] = false;
        if ((a->supp[a->rel->list[i].parent] || a->hidden_len[i] > 0) &&
            (!some || a->rel_visit[i] == a->visit))
            enqueue(a, i);
    }
    if (fields == N_FIELDS)
        mark_zero(a, stack);
    for (size_t h = 0; h < a->n_hidden_cells; h++) {
        size_t c = a->hidden_cells[h];
        if (some && a->cell_visit[c] != a->visit)
            continue;
        for (int f = 0; f < fields; f++) {
            a->bound[c].lo[f] = 0;
            a->bound[c].hi[f] = INFINITY;
        }
        /* fewer than t answers; at t = 1 that says n = 0, an empty cell with
         * no one to protect, whose neighbours a --min-n 1 run would show */
        if (a->supp[c] == SUPP_PRIMARY)
            a->bound[c].hi[F_N] = a->whole ? fmax(t - 1, 1) : t;
        else
            a->bound[c].lo[F_N] = fmin(1, a->value[F_N][c]); /* hidden at a step t >= 1 */
    }
    for (size_t h = 0; fields == N_FIELDS && h < a->n_hidden_cells; h++)
        if (!some || a->cell_visit[a->hidden_cells[h]] == a->visit)
            narrow_cell(a, a->hidden_cells[h]); /* its relations are queued already */
    while (a->queue_len > 0) {
        size_t i = a->queue[a->queue_head];
        if (++a->queue_head == a->rel->n)
            a->queue_head = 0;
        a->queue_len--;
        a->queued[i] = false;
        for (int f = 0; f < fields; f++)
            narrow_relation(a, i, f);
    }
}

/* Does relation i pin member c to v in field f on one side?
 * *at_floor: c is a child held at the least its state allows (0 answers
 * if primary, 1 if secondary) by the total less the other children's
 * lower bounds: hiding one more child relieves that only if the child may
 * hold more than its own least, 1. */
static bool pins(struct audit *a, size_t i, int f, size_t c, double v, bool *at_floor)
{
    double lo, hi, tol = a->whole ? 0.5 : 1e-9 * fmax(1, fabs(v));
    implied(a, i, f, c, &lo, &hi);
    bool above = hi <= v + tol, below = lo >= v - tol;
    double floor_n = a->supp[c] == SUPP_PRIMARY ? 0 : fmin(1, a->value[F_N][c]);
    *at_floor = f == F_N && c != a->rel->list[i].parent && above && v <= floor_n + tol;
    return above || below;
}

/* Up to this many children of at most 1 answer in one relation are hidden
 * one audit after another, as they always were (the tables of runs with
 * fewer stay as they were); beyond it, all at once (skip_to_slack). */
#define SMALL_CHILDREN_ONE_BY_ONE 500

/* Relation ri holds a cell at its floor (pins(), at_floor) and its
 * smallest shown child has 1 answer or none: hiding that child relieves
 * nothing, and the next audit would find the same pin and hide the next
 * such child, one child per audit, until a child of more answers (or the
 * total) was hidden: cubic time in the number of one-person units of one
 * org.  All of those children are hidden at once instead (pushed to
 * a->extra, each once per audit), the end of that sequence in one step;
 * returns the child of more answers, else the shown total, else
 * MODEL_NONE. */
static size_t skip_to_slack(struct audit *a, size_t ri)
{
    const struct relation *r = &a->rel->list[ri];
    size_t slack = smallest_shown(a->order, ri, WANT_SLACK);
    if (a->flushed[ri] != a->round) {
        a->flushed[ri] = a->round;
        for (size_t d;
             (d = smallest_shown(a->order, ri, WANT_ANY)) != MODEL_NONE && a->value[F_N][d] <= 1;) {
            if (a->pushed[d] != a->round) {
                a->pushed[d] = a->round;
                a->extra[a->n_extra++] = d;
            }
            a->order->cursor[WANT_ANY][ri]++; /* past d, which will be hidden */
        }
    }
    return slack != MODEL_NONE ? slack : !a->supp[r->parent] ? r->parent : MODEL_NONE;
}

/* The cell to hide for hidden cell c pinned to v in field f.  Among the
 * relations of c that pin it (or, when none does, all its relations): the
 * total of the first pooled demographic one whose total is shown, as
 * violation() mends them; else the smallest shown child over all of them
 * (one with a positive answer first when v is a positive count of 0; the
 * earliest relation, then child, on a tie), or when that child cannot
 * relieve the pin, what hiding such children one audit after another would
 * come to (skip_to_slack); else the first shown total.  MODEL_NONE when
 * every member is hidden. */
static size_t mend_pin(struct audit *a, size_t c, int f, double v)
{
    int want = f == F_X && v <= 0 ? 1 : 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t best = MODEL_NONE, parent = MODEL_NONE, best_rel = MODEL_NONE;
        bool best_at_floor = false;
        for (int w = want; w >= 0; w--) {
            for (size_t k = a->first[c]; k < a->first[c + 1]; k++) {
                size_t ri = a->member[k];
                const struct relation *r = &a->rel->list[ri];
                bool at_floor = false;
                if (pass == 0 && !pins(a, ri, f, c, v, &at_floor))
                    continue;
                if (r->prefer_parent && !a->supp[r->parent])
                    return r->parent; /* a pooled group figure, as violation() does */
                size_t d = smallest_shown(a->order, ri, w ? WANT_POSITIVE : WANT_ANY);
                if (d != MODEL_NONE &&
                    (best == MODEL_NONE || a->value[F_N][d] < a->value[F_N][best])) {
                    best = d;
                    best_rel = ri;
                    best_at_floor = at_floor && !w;
                }
                if (parent == MODEL_NONE && !a->supp[r->parent])
                    parent = r->parent;
            }
            if (best != MODEL_NONE && best_at_floor && a->value[F_N][best] <= 1 &&
                a->order->n_small[best_rel] > SMALL_CHILDREN_ONE_BY_ONE)
                return skip_to_slack(a, best_rel);
            if (best != MODEL_NONE)
                return best;
        }
        if (parent != MODEL_NONE)
            return parent;
    }
    return MODEL_NONE;
}

/* Run the audit at threshold t: for every pinned hidden cell, the cell to
 * hide goes to hide[], then skip_to_slack's (room for 2 n_cells).  Returns
 * how many. */
static size_t audit_step(struct audit *a, double t, size_t *hide)
{
    audit_bounds(a, t, hide); /* hide[] doubles as mark_zero's stack */
    a->round++;               /* the relations' sums of bounds are stale */
    int fields = a->fields;
    size_t n_hide = 0;
    for (size_t h = 0; h < a->n_hidden_cells; h++) {
        size_t c = a->hidden_cells[h];
        for (int f = 0; f < fields; f++) {
            double tol = a->whole ? 0.5 : 1e-9 * fmax(1, fabs(a->bound[c].lo[f]));
            if (a->bound[c].hi[f] - a->bound[c].lo[f] >= tol || (f == F_X && a->zero[c]))
                continue;
            size_t d = mend_pin(a, c, f, a->bound[c].lo[f]);
            if (d != MODEL_NONE)
                hide[n_hide++] = d;
            break;
        }
    }
    for (size_t e = 0; e < a->n_extra; e++)
        hide[n_hide++] = a->extra[e];
    a->n_extra = 0;
    return n_hide;
}

/* floor(x) == x without the libm call (every double of at least 2^52 is
 * an integer; NaN is not). */
static inline bool is_integral(double x)
{
    return fabs(x) < 0x1p52 ? x == (double)(int64_t)x : x == x;
}

/* first and member: relation_members(), kept by the caller. */
static void audit_init(struct audit *a, const struct relations *rel, size_t n_cells,
                       const double *n, const double *positive, const enum suppression *supp,
                       const size_t *first, const size_t *member)
{
    memset(a, 0, sizeof(*a));
    a->rel = rel;
    a->n_cells = n_cells;
    a->value[F_N] = n;
    a->value[F_X] = positive;
    a->supp = supp;
    a->whole = true;
    a->fields = positive ? N_FIELDS : 1;
    a->queue = xcalloc(rel->n ? rel->n : 1, sizeof(size_t));
    a->queued = xcalloc(rel->n ? rel->n : 1, sizeof(bool));
    a->hidden_first = xcalloc(rel->n + 1, sizeof(size_t));
    a->hidden_len = xcalloc(rel->n ? rel->n : 1, sizeof(size_t));
    a->dirty = xcalloc(rel->n ? rel->n : 1, sizeof(bool));
    a->remainder = xcalloc(rel->n ? rel->n : 1, sizeof(bool));
    size_t memberships = 0;
    for (size_t i = 0; i < rel->n; i++) {
        a->hidden_first[i] = memberships;
        memberships += rel->list[i].n_children;
        a->remainder[i] = has_remainder(a, &rel->list[i]);
        a->dirty[i] = true;
    }
    a->hidden_cells = xcalloc(n_cells ? n_cells : 1, sizeof(size_t));
    a->hidden = xcalloc(memberships ? memberships : 1, sizeof(size_t));
    for (int f = 0; f < N_FIELDS; f++) {
        a->shown_sum[f] = xcalloc(rel->n ? rel->n : 1, sizeof(double));
        a->sum_lo[f] = xcalloc(rel->n ? rel->n : 1, sizeof(double));
        a->sum_hi[f] = xcalloc(rel->n ? rel->n : 1, sizeof(double));
        a->sum_inf[f] = xcalloc(rel->n ? rel->n : 1, sizeof(int));
    }
    a->sums_round = xcalloc(rel->n ? rel->n : 1, sizeof(unsigned));
    a->flushed = xcalloc(rel->n ? rel->n : 1, sizeof(unsigned));
    a->pushed = xcalloc(n_cells ? n_cells : 1, sizeof(unsigned));
    a->extra = xcalloc(n_cells ? n_cells : 1, sizeof(size_t));
    a->round = 1;
    double total = 0;
    for (size_t c = 0; c < n_cells; c++) {
        if (!is_integral(n[c]) || (positive && !is_integral(positive[c])))
            a->whole = false;
        total += fabs(n[c]) + (positive ? fabs(positive[c]) : 0);
    }
    /* every bound and every sum of bounds of the audit is an integer of at
     * most n_cells times the total (and the threshold): exact in a double
     * below 2^52 */
    a->bounded_sums = a->whole && (total + 1e6) * ((double)n_cells + 1) < 0x1p52;
    a->by_cell = xcalloc(rel->n ? rel->n : 1, sizeof(bool));
    a->active = xcalloc(rel->n / 64 + 1, sizeof(uint64_t));
    a->cell_visit = xcalloc(n_cells ? n_cells : 1, sizeof(unsigned));
    a->rel_visit = xcalloc(rel->n ? rel->n : 1, sizeof(unsigned));
    a->visit_stack = xcalloc(n_cells ? n_cells : 1, sizeof(size_t));
    for (size_t i = 0; i < rel->n; i++) {
        const struct relation *r = &rel->list[i];
        a->by_cell[i] = a->whole;
        for (size_t k = 1; k < r->n_children && a->by_cell[i]; k++)
            a->by_cell[i] = r->children[k - 1] < r->children[k];
    }
    a->bound = xcalloc(n_cells ? n_cells : 1, sizeof(*a->bound));
    for (int f = 0; f < a->fields; f++)
        for (size_t c = 0; c < n_cells; c++)
            a->bound[c].lo[f] = a->bound[c].hi[f] = a->value[f][c]; /* shown: exact */
    a->zero = xcalloc(n_cells ? n_cells : 1, sizeof(bool));
    a->first = first;
    a->member = member;
}

/* The relations of each cell, in relation order: member[first[c] ..
 * first[c + 1]) (caller frees both); the same for every item of a block. */
static void relation_members(const struct relations *rel, size_t n_cells, size_t **first_out,
                             size_t **member_out)
{
    size_t *first = xcalloc(n_cells + 1, sizeof(size_t));
    for (size_t i = 0; i < rel->n; i++) {
        first[rel->list[i].parent + 1]++;
        for (size_t k = 0; k < rel->list[i].n_children; k++)
            first[rel->list[i].children[k] + 1]++;
    }
    for (size_t c = 0; c < n_cells; c++)
        first[c + 1] += first[c];
    size_t *member = xcalloc(first[n_cells] ? first[n_cells] : 1, sizeof(size_t));
    size_t *fill = xcalloc(n_cells ? n_cells : 1, sizeof(size_t));
    for (size_t i = 0; i < rel->n; i++) {
        size_t p = rel->list[i].parent;
        member[first[p] + fill[p]++] = i;
        for (size_t k = 0; k < rel->list[i].n_children; k++) {
            size_t c = rel->list[i].children[k];
            member[first[c] + fill[c]++] = i;
        }
    }
    free(fill);
    *first_out = first;
    *member_out = member;
}

static void audit_release(struct audit *a)
{
    free(a->bound);
    free(a->zero);
    free(a->queue);
    free(a->queued);
    free(a->hidden_first);
    free(a->hidden_len);
    free(a->dirty);
    free(a->by_cell);
    free(a->active);
    free(a->cell_visit);
    free(a->rel_visit);
    free(a->visit_stack);
    free(a->hidden_cells);
    free(a->hidden);
    free(a->remainder);
    for (int f = 0; f < N_FIELDS; f++) {
        free(a->shown_sum[f]);
        free(a->sum_lo[f]);
        free(a->sum_hi[f]);
        free(a->sum_inf[f]);
    }
    free(a->sums_round);
    free(a->flushed);
    free(a->pushed);
    free(a->extra);
}

/* Suppression is built up threshold by threshold, t = 1, 2, ..., min_n:
 * at each step the cells below t are hidden and the relations mended with
 * t as the threshold, then audited, starting from the previous step's
 * result (thresholds at which nothing can change are skipped).  The set
 * hidden at min_n = k is therefore a subset of the set hidden at any larger
 * min_n, whatever cascades the mending causes, so outputs of runs with
 * different --min-n can be pooled without revealing a cell that every run
 * hides (tests/disclosure_attack.py checks this).  A cell's state is the
 * reason it was first hidden, primary (below the threshold of that step)
 * or secondary (to mend a relation), and is never changed later: a label
 * computed from the final min_n (primary when n < min_n) would differ
 * between runs, and runs at min_n = k and k + 1 that call a cell secondary
 * and then primary would tell that its n is exactly k.
 *
 * A block is several items that share one hidden set (a derived any-of
 * item and its parts: a cell's figures of one bound those of the others),
 * each with its own counts and states: a cell hidden at step t is primary
 * for the items with fewer than t answers there, secondary for the others. */
struct block {
    const struct relations *rel;
    size_t n_cells, n_items;
    const double *const *n, *const *positive;
    enum suppression *const *supp;
    size_t hidden;
    /* rows (suppress_rows): size decides primary suppression and the row's
     * state in label; each item's own state stays in supp for the audit */
    const double *size;
    enum suppression *label;
    /* hidden_part() of every relation for every item ([item * rel->n + r]),
     * recomputed when one of its children is hidden: the passes over all
     * relations until nothing changes read them instead of summing every
     * child again */
    /* the relations of each cell (relation_members()): given with rel, or
     * made (and freed) by suppress_block when NULL */
    const size_t *first, *member;
    size_t *parts;
    double *part_n, *part_x;
    bool whole;                /* all counts whole: sums are exact in any order, so a hidden
                                  cell is added to them instead of summing them again */
    struct shown_order *order; /* per item */
    /* per item, NULL or n_cells flags: cells the release ledger hides
     * (disclosure_decide), hidden first, before any threshold */
    const unsigned char *const *forced;
    /* the cells hidden, in the order hidden (b->hidden of them) */
    size_t *hidden_list;
    /* the cells below the last threshold for some item (or by size), in
     * cell order: the only ones a threshold can hide or make the next */
    size_t *small, n_small;
    /* bits per relation: a member hidden since its last check for
     * violations (unchecked relations have none: violation() depends only
     * on which members are hidden and on the threshold); a bitset, so that
     * the passes skip 64 unchanged relations at a time */
    uint64_t *check;
};

static void refresh_parts(struct block *b, size_t r)
{
    const struct relation *rel = &b->rel->list[r];
    for (size_t i = 0; i < b->n_items; i++) {
        size_t at = i * b->rel->n + r, ignored;
        b->part_n[at] = hidden_part(rel, b->n[i], b->supp[i], &b->parts[at]);
        if (b->positive[i])
            b->part_x[at] = hidden_part(rel, b->positive[i], b->supp[i], &ignored);
    }
}

/* The next threshold above t at which anything can change for item i: a
 * shown cell falling below it, or a relation's hidden part becoming too
 * small. */
static double next_threshold(const struct block *b, size_t i, double t, double min_n)
{
    const double *n = b->n[i];
    const enum suppression *supp = b->supp[i];
    double next = min_n;
    for (size_t s = 0; s < b->n_small; s++) {
        size_t c = b->small[s];
        if (supp[c])
            continue; /* floor() is a libm call: only for the cells it can be */
        double at = floor(n[c]) + 1;
        if (at > t && at < next)
            next = at;
    }
    for (size_t r = 0; r < b->rel->n; r++) {
        size_t at_r = i * b->rel->n + r;
        if (!b->parts[at_r] || supp[b->rel->list[r].parent])
            continue;
        double at = floor(b->part_n[at_r]) + 1;
        if (at > t && at < next)
            next = at;
    }
    return next;
}

/* Does relation r leave a suppressed cell of item i recoverable or pinned?
 * On a violation returns the cell to suppress next, else MODEL_NONE.
 *
 * With positive counts, the hidden part under a shown total must also hold
 * at least one positive and one other answer (unless the total has none):
 * a hidden part with no positive answers tells that every hidden cell has
 * none, which pins each hidden cell's positive count at 0 whatever the
 * cells' sizes (and all positive pins each at its n). */
static size_t violation(struct block *b, size_t i, size_t ri, double min_n)
{
    const struct relation *r = &b->rel->list[ri];
    const double *n = b->n[i], *positive = b->positive[i];
    const enum suppression *supp = b->supp[i];
    size_t at = i * b->rel->n + ri;
    size_t hidden = b->parts[at];
    double hidden_n = b->part_n[at];
    bool parent_hidden = supp[r->parent] != SUPP_NONE;
    bool bad;
    int want = 0; /* a child with a positive (+1) or another (-1) answer */
    if (parent_hidden)
        bad = hidden == 0; /* the parent would be the sum of its children */
    else
        bad = hidden > 0 && (hidden == 1 || hidden_n < min_n);
    if (!bad && positive && !parent_hidden && hidden > 0) {
        double hidden_x = b->part_x[at];
        if (hidden_x <= 0 && positive[r->parent] > 0)
            want = 1;
        else if (hidden_x >= hidden_n && positive[r->parent] < n[r->parent])
            want = -1;
        bad = want != 0;
    }
    if (!bad)
        return MODEL_NONE;
    if (r->prefer_parent && !parent_hidden)
        return r->parent;
    enum want kind = want > 0 ? WANT_POSITIVE : want < 0 ? WANT_OTHER : WANT_ANY;
    size_t smallest = smallest_shown(&b->order[i], ri, kind);
    return smallest != MODEL_NONE ? smallest : parent_hidden ? MODEL_NONE : r->parent;
}

/* Hide cell c at threshold t: primary for the items with fewer than t
 * answers there, else secondary, or with ledger (a cell the release ledger
 * hides) ledger. */
static void hide_cell_as(struct block *b, size_t c, double t, bool ledger)
{
    if (b->supp[0][c])
        return;
    enum suppression other = ledger ? SUPP_LEDGER : SUPP_SECONDARY;
    for (size_t i = 0; i < b->n_items; i++)
        b->supp[i][c] = b->n[i][c] < t ? SUPP_PRIMARY : other;
    if (b->label)
        b->label[c] = b->size[c] < t ? SUPP_PRIMARY : other;
    b->hidden_list[b->hidden++] = c;
    for (size_t k = b->first[c]; k < b->first[c + 1]; k++) {
        size_t r = b->member[k];
        b->check[r / 64] |= (uint64_t)1 << (r % 64);
        if (b->rel->list[r].parent == c)
            continue;
        if (!b->whole) {
            refresh_parts(b, r);
            continue;
        }
        for (size_t i = 0; i < b->n_items; i++) {
            size_t at = i * b->rel->n + r;
            b->parts[at]++;
            b->part_n[at] += b->n[i][c];
            if (b->positive[i])
                b->part_x[at] += b->positive[i][c];
        }
    }
}

static void hide_cell(struct block *b, size_t c, double t)
{
    hide_cell_as(b, c, t, false);
}

/* b->small: the cells whose count (or size) for some item is below
 * limit, the largest threshold. */
static void find_small(struct block *b, double limit)
{
    b->small = xcalloc(b->n_cells ? b->n_cells : 1, sizeof(size_t));
    b->n_small = 0;
    for (size_t c = 0; c < b->n_cells; c++) {
        bool small = b->size && b->size[c] < limit;
        for (size_t i = 0; i < b->n_items && !small; i++)
            small = b->n[i][c] < limit;
        if (small)
            b->small[b->n_small++] = c;
    }
}

/* The threshold moved up to t: mark the relations that t can make
 * violated.  Every relation was found whole at the last threshold (the
 * passes end with none marked, and a relation is marked whenever one of its
 * members is hidden), and of violation()'s tests only "hidden part below
 * the threshold" depends on it: a relation can be violated now only with a
 * shown parent and a hidden part below t.  (Checking every relation at
 * every threshold was most of the calls of violation().) */
static void check_threshold_moved(struct block *b, double t)
{
    size_t n = b->rel->n;
    for (size_t i = 0; i < b->n_items; i++) {
        const size_t *parts = b->parts + i * n;
        const double *part_n = b->part_n + i * n;
        for (size_t r = 0; r < n; r++)
            if (parts[r] > 0 && part_n[r] < t && !b->supp[i][b->rel->list[r].parent])
                b->check[r / 64] |= (uint64_t)1 << (r % 64);
    }
}

/* The first relation from r on to check (b->rel->n when none), read from
 * the bits as they are now: the passes see a relation a hide marked
 * further on in the same pass, as a pass over every flag did. */
static size_t next_check(const struct block *b, size_t r)
{
    return next_set_bit(b->check, b->rel->n, r);
}

static void suppress_block(struct block *b, bool additive, double min_n)
{
    size_t n_cells = b->n_cells, k = b->n_items;
    struct audit *audit = xcalloc(k, sizeof(*audit));
    b->order = xcalloc(k, sizeof(*b->order));
    size_t *own_first = NULL, *own_member = NULL; /* the same for every item */
    if (!b->first) {
        relation_members(b->rel, n_cells, &own_first, &own_member);
        b->first = own_first;
        b->member = own_member;
    }
    for (size_t i = 0; i < k; i++) {
        for (size_t c = 0; c < n_cells; c++)
            b->supp[i][c] = SUPP_NONE;
        audit_init(&audit[i], b->rel, n_cells, b->n[i], b->positive[i], b->supp[i], b->first,
                   b->member);
        order_init(&b->order[i], b->rel, b->n[i], b->positive[i], b->supp[i]);
        audit[i].order = &b->order[i];
    }
    b->whole = true;
    for (size_t i = 0; i < k; i++)
        b->whole &= audit[i].whole;
    size_t n_parts = k * b->rel->n + 1;
    b->parts = xcalloc(n_parts, sizeof(size_t));
    b->part_n = xcalloc(n_parts, sizeof(double));
    b->part_x = xcalloc(n_parts, sizeof(double));
    for (size_t r = 0; r < b->rel->n; r++)
        if (b->rel->list[r].remainder) /* else, nothing hidden yet, 0 as made */
            refresh_parts(b, r);
    size_t *hide = xcalloc(n_cells ? 2 * k * n_cells : 1, sizeof(size_t));
    size_t hidden_audited = (size_t)-1;
    b->hidden = 0;
    b->hidden_list = xcalloc(n_cells ? n_cells : 1, sizeof(size_t));
    size_t check_words = b->rel->n / 64 + 1;
    b->check = xcalloc(check_words, sizeof(uint64_t));
    for (size_t i = 0; i < k; i++) {
        audit[i].block_hidden = b->hidden_list;
        audit[i].block_n_hidden = &b->hidden;
    }
    find_small(b, fmax(min_n, 1));
    for (size_t c = 0; b->forced && c < n_cells; c++)
        for (size_t i = 0; i < k; i++)
            if (b->forced[i] && b->forced[i][c])
                hide_cell_as(b, c, 1, true);
    for (double t = 1;;) {
        for (size_t s = 0; s < b->n_small; s++)
            for (size_t i = 0; i < k; i++)
                if ((b->size ? b->size[b->small[s]] : b->n[i][b->small[s]]) < t)
                    hide_cell(b, b->small[s], t);
        if (t == 1)
            for (size_t w = 0; w < check_words; w++) /* every relation, once */
                b->check[w] = w + 1 < check_words ? ~(uint64_t)0
                                                  : ((uint64_t)1 << (b->rel->n % 64)) - 1;
        else
            check_threshold_moved(b, t);
        for (;;) {
            for (bool changed = true; changed;) {
                changed = false;
                for (size_t r = next_check(b, 0); r < b->rel->n; r = next_check(b, r + 1)) {
                    b->check[r / 64] &= ~((uint64_t)1 << (r % 64));
                    for (size_t i = 0; i < k; i++) {
                        size_t c;
                        while ((c = violation(b, i, r, t)) != MODEL_NONE) {
                            hide_cell(b, c, t);
                            changed = true;
                        }
                    }
                }
            }
            /* the audit at a larger t with the same hidden cells finds less */
            if (!additive || b->hidden == hidden_audited)
                break;
            hidden_audited = b->hidden;
            size_t n_hide = 0;
            for (size_t i = 0; i < k; i++)
                n_hide += audit_step(&audit[i], t, hide + n_hide);
            for (size_t h = 0; h < n_hide; h++)
                hide_cell(b, hide[h], t);
        }
        if (t >= min_n)
            break;
        double next = min_n;
        for (size_t i = 0; i < k; i++)
            next = fmin(next, next_threshold(b, i, t, min_n));
        for (size_t s = 0; b->size && s < b->n_small; s++) {
            size_t c = b->small[s];
            if (!b->supp[0][c] && floor(b->size[c]) + 1 > t)
                next = fmin(next, floor(b->size[c]) + 1);
        }
        t = next;
    }
    for (size_t i = 0; i < k; i++) {
        audit_release(&audit[i]);
        order_release(&b->order[i]);
    }
    free(audit);
    free(b->order);
    free(own_first);
    free(own_member);
    free(b->hidden_list);
    free(b->small);
    free(b->check);
    free(hide);
    free(b->parts);
    free(b->part_n);
    free(b->part_x);
}

/* suppress_rows with rows the release ledger hides (forced: NULL or
 * n_rows flags). */
static size_t suppress_rows_forced(const struct relations *rel, size_t n_rows, size_t k,
                                   const double *const *n, const double *const *positive,
                                   const double *size, enum suppression *supp, double min_n,
                                   const unsigned char *forced)
{
    enum suppression **item_supp = xcalloc(k, sizeof(*item_supp));
    for (size_t i = 0; i < k; i++)
        item_supp[i] = xcalloc(n_rows ? n_rows : 1, sizeof(enum suppression));
    for (size_t c = 0; c < n_rows; c++)
        supp[c] = SUPP_NONE;
    struct block b = {.rel = rel,
                      .n_cells = n_rows,
                      .n_items = k,
                      .n = n,
                      .positive = positive,
                      .supp = item_supp,
                      .size = size,
                      .label = supp};
    const unsigned char **forced_of = xcalloc(k, sizeof(*forced_of));
    for (size_t i = 0; i < k; i++)
        forced_of[i] = forced;
    b.forced = forced ? forced_of : NULL;
    suppress_block(&b, true, min_n);
    free(forced_of);
    for (size_t i = 0; i < k; i++)
        free(item_supp[i]);
    free(item_supp);
    size_t secondary = 0;
    for (size_t c = 0; c < n_rows; c++)
        secondary += supp[c] == SUPP_SECONDARY;
    return secondary;
}

size_t suppress_rows(const struct relations *rel, size_t n_rows, size_t k, const double *const *n,
                     const double *const *positive, const double *size, enum suppression *supp,
                     double min_n)
{
    return suppress_rows_forced(rel, n_rows, k, n, positive, size, supp, min_n, NULL);
}

size_t suppress_cells(const struct relations *rel, size_t n_cells, const double *n,
                      const double *positive, bool additive, enum suppression *supp, double min_n)
{
    struct block b = {.rel = rel,
                      .n_cells = n_cells,
                      .n_items = 1,
                      .n = &n,
                      .positive = &positive,
                      .supp = &supp};
    suppress_block(&b, additive, min_n);
    size_t secondary = 0;
    for (size_t c = 0; c < n_cells; c++)
        secondary += supp[c] == SUPP_SECONDARY;
    return secondary;
}

/* The relations of rel but those whose parent will be incomplete for every
 * item of the block (m->incomplete, incomplete.c): such a total is never
 * published, so it is no equation for an attacker, and mending it would
 * hide other figures for nothing.  A shallow copy: the children arrays stay
 * rel's; the caller frees only the list. */
static struct relations relations_published(const struct model *m, const struct relations *rel,
                                            const size_t *items, size_t n_items)
{
    struct relations kept = {xcalloc(rel->n + 1, sizeof(*rel->list)), 0, rel->n + 1};
    for (size_t r = 0; r < rel->n; r++) {
        size_t parent = rel->list[r].parent;
        bool unpublished = true;
        for (size_t i = 0; i < n_items && unpublished; i++)
            unpublished = m->incomplete[parent * m->n_items + items[i]];
        if (!unpublished)
            kept.list[kept.n++] = rel->list[r];
    }
    return kept;
}

/* Suppress the items of one block (items with block[i] == first) or one
 * theme. */
static void suppress_items(struct model *m, const struct relations *rel, const size_t *first,
                           const size_t *member, double min_n, const unsigned char *forced,
                           const size_t *items, size_t n_items, bool theme, size_t *hidden)
{
    size_t n_cells = m->n_cells;
    double **n = xcalloc(n_items, sizeof(*n));
    double **positive = xcalloc(n_items, sizeof(*positive));
    enum suppression **supp = xcalloc(n_items, sizeof(*supp));
    for (size_t i = 0; i < n_items; i++) {
        n[i] = xcalloc(n_cells ? n_cells : 1, sizeof(double));
        positive[i] = theme ? NULL : xcalloc(n_cells ? n_cells : 1, sizeof(double));
        supp[i] = xcalloc(n_cells ? n_cells : 1, sizeof(enum suppression));
        for (size_t c = 0; c < n_cells; c++) {
            n[i][c] = theme ? model_theme_count(m, c, items[i])->n : model_count(m, c, items[i])->n;
            if (!theme)
                positive[i][c] = model_count(m, c, items[i])->positive;
        }
    }
    const unsigned char **forced_of = xcalloc(n_items, sizeof(*forced_of));
    for (size_t i = 0; forced && i < n_items; i++)
        forced_of[i] = forced + (size_t)items[i] * n_cells; /* [item * n_cells + cell] */
    struct relations kept = {0};
    if (!theme && m->incomplete) {
        kept = relations_published(m, rel, items, n_items);
        rel = &kept;
        first = member = NULL; /* the index of all relations: made for these */
    }
    struct block b = {.rel = rel,
                      .n_cells = n_cells,
                      .n_items = n_items,
                      .n = (const double *const *)n,
                      .positive = (const double *const *)positive,
                      .supp = supp,
                      .first = first,
                      .member = member,
                      .forced = forced ? forced_of : NULL};
    suppress_block(&b, true, min_n);
    free(forced_of);
    free(kept.list);
    for (size_t i = 0; i < n_items; i++) {
        for (size_t c = 0; c < n_cells; c++) {
            if (theme)
                model_theme_count(m, c, items[i])->supp = supp[i][c];
            else
                model_count(m, c, items[i])->supp = supp[i][c];
            hidden[supp[i][c]]++;
        }
        free(n[i]);
        free(positive[i]);
        free(supp[i]);
    }
    free(n);
    free(positive);
    free(supp);
}

/* The item blocks and themes are independent (each writes only its own
 * items' states), so two threads take them in turn. */
struct suppress_work {
    struct model *m;
    const struct relations *rel;
    const size_t *block;
    double min_n;
    const unsigned char *forced_items, *forced_themes; /* NULL or [i * n_cells + c] */
    const size_t *first, *member;                      /* relation_members() of rel, made once */
    pthread_mutex_t lock;
    size_t next;                    /* next task: item blocks' first items, then themes */
    size_t hidden[SUPP_LEDGER + 1]; /* figures per state */
};

static void *suppress_some(void *arg)
{
    struct suppress_work *w = arg;
    struct model *m = w->m;
    const size_t *first_of = w->first, *member = w->member;
    size_t *items = xcalloc(m->n_items ? m->n_items : 1, sizeof(size_t));
    size_t hidden[SUPP_LEDGER + 1] = {0};
    for (;;) {
        pthread_mutex_lock(&w->lock);
        size_t task = w->next++;
        pthread_mutex_unlock(&w->lock);
        if (task >= m->n_items + m->n_themes)
            break;
        if (task >= m->n_items) {
            size_t t = task - m->n_items;
            suppress_items(m, w->rel, first_of, member, w->min_n, w->forced_themes, &t, 1, true,
                           hidden);
            continue;
        }
        size_t first = task;
        if (w->block && w->block[first] != first)
            continue; /* suppressed with its block */
        size_t n_items = 0;
        for (size_t i = 0; i < m->n_items; i++)
            if (i == first || (w->block && w->block[i] == first))
                items[n_items++] = i;
        suppress_items(m, w->rel, first_of, member, w->min_n, w->forced_items, items, n_items,
                       false, hidden);
    }
    free(items);
    pthread_mutex_lock(&w->lock);
    for (int st = 0; st <= SUPP_LEDGER; st++)
        w->hidden[st] += hidden[st];
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* suppress_model with cells the release ledger hides (forced_items and
 * forced_themes: NULL or [item * n_cells + cell] flags); hidden[state]
 * counts the figures of each state. */
static void suppress_model_forced(struct model *m, const struct relations *rel, const size_t *block,
                                  double min_n, const unsigned char *forced_items,
                                  const unsigned char *forced_themes,
                                  size_t hidden[SUPP_LEDGER + 1])
{
    size_t *first, *member;
    relation_members(rel, m->n_cells, &first, &member);
    struct suppress_work w = {
        m, rel, block, min_n, forced_items, forced_themes, first, member, PTHREAD_MUTEX_INITIALIZER,
        0, {0}};
    pthread_t helper;
    bool threaded = pthread_create(&helper, NULL, suppress_some, &w) == 0;
    suppress_some(&w);
    if (threaded)
        pthread_join(helper, NULL);
    pthread_mutex_destroy(&w.lock);
    memcpy(hidden, w.hidden, sizeof(w.hidden));
    free(first);
    free(member);
}

void suppress_model(struct model *m, const struct relations *rel, const size_t *block, double min_n,
                    size_t *primary, size_t *secondary)
{
    size_t hidden[SUPP_LEDGER + 1];
    suppress_model_forced(m, rel, block, min_n, NULL, NULL, hidden);
    *primary = hidden[SUPP_PRIMARY];
    *secondary = hidden[SUPP_SECONDARY];
}

/* ---- the decisions of one run ---------------------------------------------------- */

static size_t model_item_index(const struct model *m, const char *id)
{
    for (size_t i = 0; i < m->n_items; i++)
        if (strcmp(m->items[i].id, id) == 0)
            return i;
    return MODEL_NONE;
}

/* The block of every model item for suppress_model: a derived any-of item
 * and its parts share one hidden set, named by their first item.  Caller
 * frees. */
static size_t *item_blocks(const struct model *m, const struct source_dataset *src, size_t n)
{
    size_t *block = xcalloc(m->n_items ? m->n_items : 1, sizeof(size_t));
    for (size_t i = 0; i < m->n_items; i++)
        block[i] = i;
    for (size_t d = 0; d < n; d++) {
        const struct schema *s = src[d].schema;
        for (size_t j = 0; s && j < s->n_items; j++) {
            const struct item *it = &s->items[j];
            size_t a = it->n_any_of ? model_item_index(m, it->id) : MODEL_NONE;
            for (size_t k = 0; a != MODEL_NONE && k < it->n_any_of; k++) {
                size_t b = model_item_index(m, s->items[it->any_of[k]].id);
                if (b == MODEL_NONE)
                    continue;
                /* join the two blocks under the smaller first item */
                size_t ra = block[a], rb = block[b], to = ra < rb ? ra : rb;
                for (size_t i = 0; i < m->n_items; i++)
                    if (block[i] == ra || block[i] == rb)
                        block[i] = to;
            }
        }
    }
    return block;
}

/* -- WRES indicator 3 -- */

static void hr_add(struct hr_row *into, const struct hr_cell *c, bool unknown_as_bme)
{
    into->bme_n += c->headcount[WRES_BME];
    into->bme_events += c->events[WRES_BME];
    into->white_n += c->headcount[WRES_WHITE];
    into->white_events += c->events[WRES_WHITE];
    into->unknown_n += c->headcount[WRES_UNKNOWN];
    if (unknown_as_bme) {
        into->bme_n += c->headcount[WRES_UNKNOWN];
        into->bme_events += c->events[WRES_UNKNOWN];
    }
}

/* The count that decides a row's primary suppression: the smallest
 * headcount it shows, and with unknown counted as BME a non-zero unknown
 * headcount (so that comparing runs with the two --wres-unknown settings
 * cannot expose a tiny unknown group). */
static double hr_min_count(const struct hr_row *r, bool unknown_as_bme)
{
    double n = r->bme_n < r->white_n ? r->bme_n : r->white_n;
    if (unknown_as_bme && r->unknown_n > 0 && r->unknown_n < n)
        n = r->unknown_n;
    return n;
}

/* The single-period rows of indicator 3, in struct hr_rows' order, with
 * their sums: ALL pools the orgs of the comparison set, as the survey's
 * ALL cells do (load.c), so that indicator 3 and indicators 5-8 of ALL
 * describe the same organisations. */
static void hr_single_rows(const struct model *m, const struct hr_table *hr, bool unknown_as_bme,
                           struct hr_rows *rows)
{
    size_t n_periods = hr->periods.count;
    rows->n = hr->n_cells + n_periods;
    rows->list = xcalloc(rows->n + 1, sizeof(*rows->list));
    for (size_t i = 0; i < rows->n; i++) {
        rows->list[i].previous = MODEL_NONE;
        if (i >= hr->n_cells) {
            rows->list[i].period = (uint32_t)(i - hr->n_cells);
            rows->list[i].scope = MODEL_NONE;
        }
    }
    for (size_t i = 0; i < hr->n_cells; i++) {
        const struct hr_cell *c = &hr->cells[i];
        struct hr_row *all = &rows->list[hr->n_cells + c->period];
        rows->list[i].period = c->period;
        rows->list[i].scope = c->scope;
        rows->list[i].used = true;
        hr_add(&rows->list[i], c, unknown_as_bme);
        if (!model_org_compared(m, c->scope))
            continue;
        rows->list[i].pooled = true;
        hr_add(all, c, unknown_as_bme);
        all->used = true;
    }
}

/* Suppression of the single-period rows.  A row shows two additive counts,
 * the BME and the White headcounts with their entries, so it is suppressed
 * as a block of both (suppress_rows): the row's smallest headcount decides
 * primary suppression, and the ALL row of each period, the sum of its orgs,
 * is mended and audited for both sides, so that neither a hidden org's
 * headcount nor its entries (0 when the hidden orgs had none between them)
 * can be worked out from ALL. */
static void hr_suppress(const struct hr_table *hr, struct hr_rows *rows, bool unknown_as_bme,
                        double min_n, const unsigned char *forced)
{
    size_t n_periods = hr->periods.count, n_hr = rows->n;
    /* ALL of each period = sum of its orgs */
    struct relations rel = {0};
    size_t *by_period = xcalloc(n_periods + 1, sizeof(size_t));
    for (size_t p = 0; p < n_periods; p++) {
        by_period[p] = MODEL_NONE;
        /* an ALL row that will be incomplete is never shown: no equation */
        if (!rows->list[hr->n_cells + p].used || rows->list[hr->n_cells + p].rejected > 0)
            continue;
        xgrow(&rel.list, &rel.cap, rel.n + 1, sizeof(*rel.list));
        rel.list[rel.n] = (struct relation){hr->n_cells + p, NULL, 0, false, false};
        by_period[p] = rel.n++;
    }
    for (size_t i = 0; i < hr->n_cells; i++)
        if (rows->list[i].pooled && by_period[hr->cells[i].period] != MODEL_NONE)
            add_child(&rel.list[by_period[hr->cells[i].period]], i);
    double *count = xcalloc(n_hr + 1, sizeof(double));
    double *side[4];
    for (int k = 0; k < 4; k++)
        side[k] = xcalloc(n_hr + 1, sizeof(double));
    for (size_t i = 0; i < n_hr; i++) {
        count[i] = hr_min_count(&rows->list[i], unknown_as_bme);
        side[0][i] = rows->list[i].bme_n;
        side[1][i] = rows->list[i].bme_events;
        side[2][i] = rows->list[i].white_n;
        side[3][i] = rows->list[i].white_events;
    }
    enum suppression *supp = xcalloc(n_hr + 1, sizeof(*supp));
    const double *n[2] = {side[0], side[2]}, *positive[2] = {side[1], side[3]};
    suppress_rows_forced(&rel, n_hr, 2, n, positive, count, supp, min_n, forced);
    for (size_t i = 0; i < n_hr; i++)
        rows->list[i].supp = supp[i];
    free(supp);
    for (int k = 0; k < 4; k++)
        free(side[k]);
    free(count);
    free(by_period);
    relations_release(&rel);
}

int64_t hr_previous_period(const struct hr_table *hr, uint32_t period, char prev[PERIOD_TEXT_MAX])
{
    const char *text = hr->periods.strings[period];
    struct period p;
    prev[0] = '\0';
    if (!period_parse(text, strlen(text), &p))
        return -1;
    struct period q = period_from_ordinal(p.kind, period_ordinal(&p) - 1);
    period_format(&q, prev);
    return strdict_find(&hr->periods, prev, strlen(prev));
}

static enum suppression worse(enum suppression a, enum suppression b)
{
    return a == SUPP_INCOMPLETE || b == SUPP_INCOMPLETE ? SUPP_INCOMPLETE
           : a == SUPP_PRIMARY || b == SUPP_PRIMARY     ? SUPP_PRIMARY
           : a == SUPP_SECONDARY || b == SUPP_SECONDARY ? SUPP_SECONDARY
           : a == SUPP_LEDGER || b == SUPP_LEDGER       ? SUPP_LEDGER
                                                        : SUPP_NONE;
}

static _Thread_local const struct hr_row *sort_hr_rows;

static int compare_hr_rows(const void *pa, const void *pb)
{
    const struct hr_row *a = &sort_hr_rows[*(const size_t *)pa];
    const struct hr_row *b = &sort_hr_rows[*(const size_t *)pb];
    if (a->scope != b->scope)
        return a->scope < b->scope ? -1 : 1;
    return a->period < b->period ? -1 : a->period > b->period;
}

/* Index of the row for (period, scope) via the sorted index, or MODEL_NONE. */
static size_t hr_find(const struct hr_row *list, const size_t *sorted, size_t n, uint32_t period,
                      size_t scope)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct hr_row *r = &list[sorted[mid]];
        if (r->scope == scope && r->period == period)
            return sorted[mid];
        if (r->scope < scope || (r->scope == scope && r->period < period))
            lo = mid + 1;
        else
            hi = mid;
    }
    return MODEL_NONE;
}

/* --wres-rolling: a rolling row is the sum of a row and the same scope's
 * row of the previous period, and is shown only when both are shown: every
 * rolling figure is then a sum of figures the single-period run shows, and
 * can reveal nothing it hides. */
static void hr_rolling(const struct hr_table *hr, struct hr_rows *rows)
{
    size_t n_hr = rows->n;
    size_t *sorted = xcalloc(n_hr + 1, sizeof(size_t));
    for (size_t i = 0; i < n_hr; i++)
        sorted[i] = i;
    sort_hr_rows = rows->list;
    qsort(sorted, n_hr, sizeof(size_t), compare_hr_rows);
    sort_hr_rows = NULL;
    for (size_t i = 0; i < n_hr; i++) {
        struct hr_row *r = &rows->list[i];
        char prev[PERIOD_TEXT_MAX];
        int64_t pp = r->used ? hr_previous_period(hr, r->period, prev) : -1;
        size_t j = pp < 0 ? MODEL_NONE : hr_find(rows->list, sorted, n_hr, (uint32_t)pp, r->scope);
        if (j != MODEL_NONE && !rows->list[j].used)
            j = MODEL_NONE;
        r->previous = j;
        r->rolling_supp = j == MODEL_NONE ? SUPP_NONE : worse(r->supp, rows->list[j].supp);
    }
    free(sorted);
}

/* SPC of HR counts: a rate of an org-period that wres.csv hides shows
 * nothing and takes the row's state (its rates, with wres.csv's ALL totals,
 * could help to recover the hidden counts); of a shown row, a group's rate
 * is primary when its headcount is below min_n. */
static enum suppression *hr_rates(const struct hr_table *hr, const struct hr_rows *rows,
                                  double min_n)
{
    enum suppression *rate = xcalloc(hr->n_cells * WRES_GROUPS + 1, sizeof(*rate));
    for (size_t i = 0; i < hr->n_cells; i++)
        for (int g = 0; g < WRES_GROUPS; g++)
            rate[i * WRES_GROUPS + g] = rows->list[i].supp != SUPP_NONE     ? rows->list[i].supp
                                        : hr->cells[i].headcount[g] < min_n ? SUPP_PRIMARY
                                                                            : SUPP_NONE;
    return rate;
}

/* -- hotspots -- */

/* A unit compared with the rest of its org (the org's whole cell minus the
 * unit): no figures when the unit is suppressed, when the org's whole cell
 * is (the rest would be derived from it), or when the rest holds fewer
 * than min_n answers (a unit that is nearly the whole org would expose the
 * few others; primary suppression of the rest). */
struct hotspot_range {
    const struct model *m;
    double min_n;
    unsigned char *state;
    size_t from, to; /* cells */
};

static void *hotspot_range(void *arg)
{
    const struct hotspot_range *h = arg;
    const struct model *m = h->m;
    for (size_t c = h->from; c < h->to; c++) {
        if (m->groupings[m->cells[c].grouping].kind != GROUPING_UNIT)
            continue;
        size_t org = model_org_cell(m, c);
        for (size_t i = 0; i < m->n_items; i++) {
            const struct item_count *u = &m->counts[c * m->n_items + i];
            const struct item_count *o = &m->counts[org * m->n_items + i];
            enum suppression s = disclosure_pair(u, o);
            if (s == SUPP_NONE && o->n - u->n < h->min_n)
                s = SUPP_PRIMARY;
            h->state[c * m->n_items + i] = (unsigned char)s;
        }
    }
    return NULL;
}

/* Each cell's states depend on its own and its org's counts alone, so the
 * second half of the cells is done on a second thread (the pass reads the
 * count records of every unit: 7 ms of a national run on one core). */
static unsigned char *hotspot_states(const struct model *m, double min_n)
{
    unsigned char *state = xcalloc(m->n_cells * m->n_items + 1, 1);
    size_t half = m->n_cells / 2;
    struct hotspot_range first = {m, min_n, state, 0, half},
                         second = {m, min_n, state, half, m->n_cells};
    run_halves(hotspot_range, &first, &second, true);
    return state;
}

/* -- the release ledger (--ledger) --
 *
 * A figure published by an earlier run (a release) and again by this one
 * tells, by subtraction, the counts of the respondents who came or went in
 * between: re-running after removing one respondent would show that
 * respondent's answers as differences of 1.  So a figure of this run is
 * hidden (SUPP_LEDGER) when, against any release in the ledger:
 *
 *  (a) it was hidden there: a cell once hidden stays hidden, or its count
 *      now would tell the hidden one's (nearly always the same);
 *  (b) its difference from the published figure would describe fewer than
 *      min_n people: 0 < |n - n_then| < min_n, or n unchanged and the
 *      positive count (a theme's score sum) changed (a changed answer);
 *  (c) likewise the difference of its complement, the rest of its scope
 *      (the scope's whole cell less it), both published in one release;
 *  (d) a relation (parent = sum of children, as the suppression uses) whose
 *      parent's difference is shown would give away the difference of its
 *      hidden part: a single hidden child (its count now, and so then, would
 *      follow), or a hidden part whose difference is as in (b); the parent
 *      is hidden.  A child with no record in the release did not exist then
 *      (count 0).
 *
 * The hidden cells go into the suppression as forced hides, so that the
 * relations of this run are mended around them (secondary suppression),
 * and the checks are made again on the result, until they hold.  Each round
 * only adds hidden cells, so this ends. */

/* The key of cell c's figures up to the field (ledger_cell_key), and the
 * encoded ids of the items' (or themes') fields: a figure's key is the two
 * joined by a TAB (disclosure_figure_key). */
static void figure_cell_key(const struct stats_run *run, bool theme, size_t c, struct buf *key)
{
    const char *fields[LEDGER_KEY_FIELDS - 1] = {theme ? "theme" : "item",  cell_period(run, c),
                                                 cell_scope(run, c),        cell_grouping(run, c),
                                                 cell_parent_group(run, c), cell_group(run, c)};
    ledger_cell_key(key, fields);
}

/* The encoded names of the items (or themes), each with its ledger id;
 * freed by field_names_free. */
struct field_names {
    struct buf text;
    size_t *at;
    struct ledger_name *name;
    size_t n;
};

static void field_names_make(const struct stats_run *run, const struct ledger *l, bool theme,
                             struct field_names *out)
{
    const struct model *m = &run->model;
    out->n = theme ? m->n_themes : m->n_items;
    buf_init(&out->text);
    out->at = xcalloc(out->n + 1, sizeof(size_t));
    out->name = xcalloc(out->n + 1, sizeof(struct ledger_name));
    for (size_t i = 0; i < out->n; i++) {
        ledger_encode(&out->text, theme ? m->theme_ids[i] : m->items[i].id);
        out->at[i + 1] = out->text.len;
    }
    for (size_t i = 0; i < out->n; i++) { /* the text no longer moves */
        const char *text = out->text.data + out->at[i];
        size_t len = out->at[i + 1] - out->at[i];
        out->name[i] = (struct ledger_name){text, len, ledger_field(l, text, len)};
    }
}

static void field_names_free(struct field_names *f)
{
    buf_release(&f->text);
    free(f->at);
    free(f->name);
}

/* Every figure's ledger figure ([field * n_cells + cell]; LEDGER_NONE
 * when it has none): fields are items, or themes. */
static uint32_t *ledger_index(const struct stats_run *run, const struct ledger *l, bool theme)
{
    const struct model *m = &run->model;
    struct field_names names;
    field_names_make(run, l, theme, &names);
    uint32_t *first = xcalloc(names.n * m->n_cells + 1, sizeof(uint32_t));
    struct buf key;
    buf_init(&key);
    for (size_t c = 0; c < m->n_cells; c++) {
        figure_cell_key(run, theme, c, &key);
        uint32_t cell = ledger_cell(l, key.data, key.len);
        for (size_t i = 0; i < names.n; i++)
            first[i * m->n_cells + c] = ledger_figure(l, cell, names.name[i].id);
    }
    buf_release(&key);
    field_names_free(&names);
    return first;
}

/* A figure's counts and state now: an item's n and positive, a theme's n and
 * score sum. */
struct figure {
    double n, x;
    enum suppression supp;
};

static struct figure figure_now(const struct model *m, bool theme, size_t c, size_t i)
{
    if (theme) {
        const struct theme_count *t = &m->themes[c * m->n_themes + i];
        return (struct figure){t->n, t->sum, t->supp};
    }
    const struct item_count *k = &m->counts[c * m->n_items + i];
    return (struct figure){k->n, k->positive, k->supp};
}

static bool differs(double a, double b)
{
    return fabs(a - b) > 1e-9 * fmax(1, fmax(fabs(a), fabs(b)));
}

/* Does a difference of dn people with dx positive answers (score sum)
 * describe fewer than min_n people? */
static bool small_difference(double dn, double dx, double min_n)
{
    bool changed = differs(dn, 0) || differs(dx, 0);
    return changed && fabs(dn) < min_n - 1e-9;
}

struct ledger_pass {
    const struct model *m;
    const struct ledger *l;
    const struct relations *rel;
    const uint32_t *first; /* ledger_index */
    unsigned char *forced;
    bool theme;
    double min_n;
};

/* Is figure (c, i) hidden, or to be hidden by the ledger? */
static bool hidden_now(const struct ledger_pass *p, size_t c, size_t i)
{
    return p->forced[i * p->m->n_cells + c] || figure_now(p->m, p->theme, c, i).supp != SUPP_NONE;
}

/* Rules (a) and (b), or with complement rule (c), for shown figure (c, i);
 * true to hide it.  The figure is judged once per span of its record (a
 * run of releases that recorded the same), and the complement once per
 * span of the pair: the same records give the same answer, so a history of
 * many identical releases costs what one does. */
static bool figure_gives_away(const struct ledger_pass *p, size_t c, size_t i, bool complement)
{
    const struct model *m = p->m;
    const struct ledger *l = p->l;
    struct figure now = figure_now(m, p->theme, c, i);
    size_t w = model_org_cell(m, c);
    struct figure whole = figure_now(m, p->theme, w, i);
    uint32_t occ;
    for (uint32_t s = ledger_first_span(l, p->first[i * m->n_cells + c], &occ); s != LEDGER_NONE;
         s = ledger_next_span(l, &occ, s)) {
        const struct ledger_span *then = &l->spans[s];
        if (!then->shown || small_difference(now.n - then->n, now.x - then->x, p->min_n))
            return true;
        if (!complement || w == c || hidden_now(p, w, i))
            continue;
        uint32_t end = ledger_span_end(l, then), until;
        for (uint32_t r = then->from; r < end; r = until) {
            const struct ledger_span *whole_then =
                ledger_at(l, p->first[i * m->n_cells + w], r, &until);
            if (whole_then && whole_then->shown &&
                small_difference((whole.n - now.n) - (whole_then->n - then->n),
                                 (whole.x - now.x) - (whole_then->x - then->x), p->min_n))
                return true;
        }
    }
    return false;
}

/* Rule (d) for relation ri and field i at the releases [from, end) where
 * the parent's record was then (shown): true to hide the parent.  Judged
 * once per run of releases over which no child's record changed. */
static bool relation_gives_away_then(const struct ledger_pass *p, const struct relation *rel,
                                     size_t i, const struct ledger_span *then, uint32_t end)
{
    const struct model *m = p->m;
    struct figure parent = figure_now(m, p->theme, rel->parent, i);
    for (uint32_t r = then->from, next; r < end; r = next) {
        double dn = parent.n - then->n, dx = parent.x - then->x, children_n = 0;
        size_t unknown = 0;
        next = end;
        for (size_t k = 0; k < rel->n_children; k++) {
            size_t c = rel->children[k];
            struct figure child = figure_now(m, p->theme, c, i);
            children_n += child.n;
            uint32_t until;
            const struct ledger_span *child_then =
                ledger_at(p->l, p->first[i * m->n_cells + c], r, &until);
            next = until < next ? until : next;
            if (hidden_now(p, c, i) || (child_then && !child_then->shown)) {
                unknown++;
                continue;
            }
            dn -= child.n - (child_then ? child_then->n : 0);
            dx -= child.x - (child_then ? child_then->x : 0);
        }
        bool remainder = rel->remainder && parent.n - children_n > 1e-9;
        if (unknown + remainder == 0)
            continue;
        if ((unknown == 1 && !remainder) || small_difference(dn, dx, p->min_n))
            return true;
    }
    return false;
}

/* Rule (d) for relation ri and field i: true to hide its parent. */
static bool relation_gives_away(const struct ledger_pass *p, size_t ri, size_t i)
{
    const struct model *m = p->m;
    const struct ledger *l = p->l;
    const struct relation *r = &p->rel->list[ri];
    if (hidden_now(p, r->parent, i))
        return false;
    uint32_t occ;
    for (uint32_t s = ledger_first_span(l, p->first[i * m->n_cells + r->parent], &occ);
         s != LEDGER_NONE; s = ledger_next_span(l, &occ, s)) {
        const struct ledger_span *then = &l->spans[s];
        if (then->shown && relation_gives_away_then(p, r, i, then, ledger_span_end(l, then)))
            return true;
    }
    return false;
}

/* One pass of rules (a)-(d) over the items' (or themes') figures, marking
 * the figures to hide in p->forced.  The figures' own differences first:
 * the complements and relations are then judged with those hidden (a
 * whole org changed by one would otherwise make every part's complement
 * small).  Returns how many were newly marked. */
static size_t ledger_pass(const struct ledger_pass *p)
{
    const struct model *m = p->m;
    size_t width = p->theme ? m->n_themes : m->n_items, added = 0;
    for (size_t i = 0; i < width; i++) {
        unsigned char *forced = p->forced + i * m->n_cells;
        for (int complement = 0; complement < 2; complement++)
            for (size_t c = 0; c < m->n_cells; c++)
                if (!hidden_now(p, c, i) && figure_gives_away(p, c, i, complement)) {
                    forced[c] = 1;
                    added++;
                }
        for (size_t ri = 0; ri < p->rel->n; ri++) {
            size_t parent = p->rel->list[ri].parent;
            if (!forced[parent] && relation_gives_away(p, ri, i)) {
                forced[parent] = 1;
                added++;
            }
        }
    }
    return added;
}

/* -- WRES indicator 3 rows and the release ledger --
 *
 * Each single-period row is recorded as two figures, its BME and its White
 * side (headcount and entries; the rolling rows are sums of these), and
 * judged by the rules (a)-(d) of the survey figures: a row is hidden when
 * either side was hidden in a release, changed by fewer than min_n, or has
 * a complement (ALL less the row) that did; an ALL row is hidden when the
 * hidden org rows of its period would be given away by difference. */

/* A declared WRES name for a ledger key, "" when none was declared (the HR
 * rows then have no declared sides, and every run keys them alike). */
static const char *dict_name(const char *declared)
{
    return declared ? declared : "";
}

static void hr_key(const struct stats_run *run, const struct hr_row *r, int side, struct buf *key)
{
    const char *fields[LEDGER_KEY_FIELDS] = {
        "wres3",
        run->hr.periods.strings[r->period],
        r->scope == MODEL_NONE ? SCOPE_ALL_ORGS : run->model.scopes[r->scope].name,
        dict_name(run->dict.hr.grouping),
        "",
        dict_name(side ? run->dict.hr.reference : run->dict.hr.comparison),
        "disciplinary"};
    ledger_key(key, fields);
}

static struct figure hr_side(const struct hr_row *r, int side)
{
    return side ? (struct figure){r->white_n, r->white_events, r->supp}
                : (struct figure){r->bme_n, r->bme_events, r->supp};
}

/* The ALL row of row i's period, or MODEL_NONE for an ALL row. */
static size_t hr_all_row(const struct stats_run *run, size_t i)
{
    const struct hr_row *r = &run->disclosure.hr.list[i];
    return r->scope == MODEL_NONE ? MODEL_NONE : run->hr.n_cells + r->period;
}

/* Rules (a) and (b), or with complement rule (c), for shown row i, side by
 * side; true to hide it.  Judged per span, as figure_gives_away. */
static bool hr_row_gives_away(const struct stats_run *run, const uint32_t *first,
                              const unsigned char *forced, size_t i, bool complement)
{
    const struct ledger *l = run->ledger;
    const struct hr_row *list = run->disclosure.hr.list;
    size_t all = hr_all_row(run, i);
    bool whole = complement && all != MODEL_NONE && !forced[all] && list[all].supp == SUPP_NONE;
    double min_n = run->opt->min_n;
    for (int side = 0; side < 2; side++) {
        struct figure now = hr_side(&list[i], side);
        struct figure total = whole ? hr_side(&list[all], side) : now;
        uint32_t occ;
        for (uint32_t s = ledger_first_span(l, first[2 * i + side], &occ); s != LEDGER_NONE;
             s = ledger_next_span(l, &occ, s)) {
            const struct ledger_span *then = &l->spans[s];
            if (!then->shown || small_difference(now.n - then->n, now.x - then->x, min_n))
                return true;
            uint32_t end = whole ? ledger_span_end(l, then) : then->from, until;
            for (uint32_t r = then->from; r < end; r = until) {
                const struct ledger_span *all_then = ledger_at(l, first[2 * all + side], r, &until);
                if (all_then && all_then->shown &&
                    small_difference((total.n - now.n) - (all_then->n - then->n),
                                     (total.x - now.x) - (all_then->x - then->x), min_n))
                    return true;
            }
        }
    }
    return false;
}

/* Rule (d) for the ALL row a, side by side, at the releases [then->from,
 * end) where its record was then (shown): its shown difference less the
 * org rows' shown ones; true to hide it.  Judged once per run of releases
 * over which no org row's record changed. */
static bool hr_all_gives_away_then(const struct stats_run *run, const uint32_t *first,
                                   const unsigned char *forced, size_t a, int side,
                                   const struct ledger_span *then, uint32_t end)
{
    const struct ledger *l = run->ledger;
    const struct hr_row *list = run->disclosure.hr.list;
    struct figure total = hr_side(&list[a], side);
    for (uint32_t r = then->from, next; r < end; r = next) {
        double dn = total.n - then->n, dx = total.x - then->x;
        size_t unknown = 0;
        next = end;
        for (size_t i = 0; i < run->hr.n_cells; i++) {
            if (hr_all_row(run, i) != a)
                continue;
            uint32_t until;
            const struct ledger_span *row_then = ledger_at(l, first[2 * i + side], r, &until);
            next = until < next ? until : next;
            if (forced[i] || list[i].supp != SUPP_NONE || (row_then && !row_then->shown)) {
                unknown++;
                continue;
            }
            struct figure now = hr_side(&list[i], side);
            dn -= now.n - (row_then ? row_then->n : 0);
            dx -= now.x - (row_then ? row_then->x : 0);
        }
        if (unknown == 1 || (unknown > 1 && small_difference(dn, dx, run->opt->min_n)))
            return true;
    }
    return false;
}

/* Rule (d) for the ALL row a: true to hide it. */
static bool hr_all_gives_away(const struct stats_run *run, const uint32_t *first,
                              const unsigned char *forced, size_t a)
{
    const struct ledger *l = run->ledger;
    uint32_t occ;
    for (int side = 0; side < 2; side++)
        for (uint32_t s = ledger_first_span(l, first[2 * a + side], &occ); s != LEDGER_NONE;
             s = ledger_next_span(l, &occ, s)) {
            const struct ledger_span *then = &l->spans[s];
            if (then->shown &&
                hr_all_gives_away_then(run, first, forced, a, side, then, ledger_span_end(l, then)))
                return true;
        }
    return false;
}

/* Suppress the WRES 3 rows, with the ledger's rules when there is one. */
static void hr_decide(struct stats_run *run)
{
    struct hr_rows *rows = &run->disclosure.hr;
    const struct stats_options *opt = run->opt;
    if (!run->ledger) {
        hr_suppress(&run->hr, rows, opt->wres_unknown_as_bme, opt->min_n, NULL);
        return;
    }
    uint32_t *first = xcalloc(2 * rows->n + 1, sizeof(uint32_t));
    unsigned char *forced = xcalloc(rows->n + 1, 1);
    struct buf key;
    buf_init(&key);
    for (size_t i = 0; i < rows->n; i++)
        for (int side = 0; side < 2; side++) {
            hr_key(run, &rows->list[i], side, &key);
            first[2 * i + side] = ledger_find(run->ledger, key.data, key.len);
        }
    buf_release(&key);
    for (size_t added = 1; added > 0;) {
        hr_suppress(&run->hr, rows, opt->wres_unknown_as_bme, opt->min_n, forced);
        added = 0; /* the rows' own differences first, as for the survey figures */
        for (int rule = 0; rule < 3; rule++)
            for (size_t i = 0; i < rows->n; i++) {
                bool hide = rows->list[i].used && !forced[i] && rows->list[i].supp == SUPP_NONE &&
                            (rule < 2 ? hr_row_gives_away(run, first, forced, i, rule == 1)
                                      : rows->list[i].scope == MODEL_NONE &&
                                            hr_all_gives_away(run, first, forced, i));
                forced[i] |= hide;
                added += hide;
            }
    }
    free(first);
    free(forced);
}

void disclosure_figure_key(const struct stats_run *run, bool theme, size_t cell, size_t field,
                           struct buf *key)
{
    const char *fields[LEDGER_KEY_FIELDS] = {theme ? "theme" : "item",
                                             cell_period(run, cell),
                                             cell_scope(run, cell),
                                             cell_grouping(run, cell),
                                             cell_parent_group(run, cell),
                                             cell_group(run, cell),
                                             theme ? run->model.theme_ids[field]
                                                   : run->model.items[field].id};
    ledger_key(key, fields);
}

void disclosure_record(const struct stats_run *run, struct ledger *l)
{
    const struct model *m = &run->model;
    struct buf key;
    buf_init(&key);
    ledger_begin(l, run->opt->min_n);
    for (int theme = 0; theme < 2; theme++) {
        struct field_names names;
        field_names_make(run, l, theme, &names);
        for (size_t c = 0; c < m->n_cells; c++) {
            figure_cell_key(run, theme, c, &key);
            struct ledger_name cell = {key.data, key.len, ledger_cell(l, key.data, key.len)};
            for (size_t i = 0; i < names.n; i++) {
                struct figure f = figure_now(m, theme, c, i);
                ledger_record_at(l, &cell, &names.name[i], f.supp == SUPP_NONE, f.n, f.x);
            }
        }
        field_names_free(&names);
    }
    for (size_t i = 0; i < run->disclosure.hr.n; i++) {
        const struct hr_row *r = &run->disclosure.hr.list[i];
        for (int side = 0; r->used && side < 2; side++) {
            struct figure f = hr_side(r, side);
            hr_key(run, r, side, &key);
            ledger_record(l, key.data, key.len, f.supp == SUPP_NONE, f.n, f.x);
        }
    }
    buf_release(&key);
}

/* Suppress the model's counts, with the ledger's rules when there is one. */
static void decide_counts(struct stats_run *run, const size_t *block)
{
    struct model *m = &run->model;
    const struct relations *rel = &run->disclosure.relations;
    size_t hidden[SUPP_LEDGER + 1];
    if (!run->ledger) {
        suppress_model_forced(m, rel, block, run->opt->min_n, NULL, NULL, hidden);
    } else {
        struct ledger_pass items = {m,
                                    run->ledger,
                                    rel,
                                    ledger_index(run, run->ledger, false),
                                    xcalloc(m->n_items * m->n_cells + 1, 1),
                                    false,
                                    run->opt->min_n};
        struct ledger_pass themes = items;
        themes.first = ledger_index(run, run->ledger, true);
        themes.forced = xcalloc(m->n_themes * m->n_cells + 1, 1);
        themes.theme = true;
        do
            suppress_model_forced(m, rel, block, run->opt->min_n, items.forced, themes.forced,
                                  hidden);
        while (ledger_pass(&items) + ledger_pass(&themes) > 0);
        free((void *)items.first);
        free((void *)themes.first);
        free(items.forced);
        free(themes.forced);
    }
    run->primary = hidden[SUPP_PRIMARY];
    run->secondary = hidden[SUPP_SECONDARY];
    run->ledger_hidden = hidden[SUPP_LEDGER];
}

void disclosure_decide(struct stats_run *run, const struct source_dataset *src, size_t n_src)
{
    struct disclosure *d = &run->disclosure;
    const struct stats_options *opt = run->opt;
    relations_build(&run->model, &d->relations);
    d->cell_rejected = incomplete_find_model(&run->model);
    size_t *block = item_blocks(&run->model, src, n_src);
    decide_counts(run, block);
    free(block);
    struct incomplete_counts marked = {0}, hr_marked = {0};
    incomplete_relabel_model(&run->model, &marked);
    run->primary -= marked.primary;
    run->secondary -= marked.secondary;
    run->ledger_hidden -= marked.ledger;
    d->incomplete = marked.incomplete;
    hr_single_rows(&run->model, &run->hr, opt->wres_unknown_as_bme, &d->hr);
    incomplete_find_hr(&run->model, &run->hr, &d->hr);
    hr_decide(run);
    incomplete_relabel_hr(&d->hr, &hr_marked);
    d->hr_incomplete = hr_marked.incomplete;
    hr_rolling(&run->hr, &d->hr);
    for (size_t i = 0; i < d->hr.n; i++) {
        d->hr_primary += d->hr.list[i].used && d->hr.list[i].supp == SUPP_PRIMARY;
        d->hr_secondary += d->hr.list[i].used && d->hr.list[i].supp == SUPP_SECONDARY;
        run->ledger_hidden += d->hr.list[i].used && d->hr.list[i].supp == SUPP_LEDGER;
    }
    d->hr_rate = hr_rates(&run->hr, &d->hr, opt->min_n);
    d->hotspot = hotspot_states(&run->model, opt->min_n);
}

void disclosure_release(struct disclosure *d)
{
    relations_release(&d->relations);
    free(d->hr.list);
    free(d->hr_rate);
    free(d->hotspot);
    free(d->cell_rejected);
    memset(d, 0, sizeof(*d));
}
