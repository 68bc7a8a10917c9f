/* hotspots.csv: for the Freedom to Speak Up guardian, where inside an org
 * (directorate, team: every unit level) an item is worse than elsewhere.
 *
 * Each unit x item of an org in a period is compared with the rest of its
 * org (the org's whole cell minus the unit, so the rest includes respondents
 * who gave no unit): the difference unit - rest with Newcombe's hybrid score
 * interval (Newcombe 1998, method 10) and the two-proportion z test (pooled
 * variance, no continuity correction).  The p-values of one org and period
 * (all its unit levels and items together) form one family for the
 * Benjamini-Hochberg (1995) false discovery rate; a row is flagged when the
 * unit is worse than the rest (by the item's polarity) with q below --fdr.
 *
 * Disclosure (decided in disclosure.c, read here): a row has no figures
 * when its unit is suppressed, when its
 * org's whole cell is suppressed (the rest would be derived from it), or when
 * the rest holds fewer than --min-n answers (a unit that is nearly the whole
 * org would expose the few others); the last counts as primary suppression
 * of the rest.  Only counts are compared: the rows use the unweighted n and
 * positive. */
#include <math.h>
#include <stdlib.h>

#include "stats.h"

enum direction { DIR_EQUAL, DIR_WORSE, DIR_BETTER };

struct hotspot {
    size_t cell, item;
    enum suppression supp;
    double n, positive, rest_n, rest_positive;
    struct m_interval diff;
    double p_value;
    enum direction direction;
};

/* Fill one row: its decided state (disclosure.c), then the comparison:
 * its p-value always (every row of the org counts in the adjustment), its
 * interval when the row is written.  --conf is a level in (0, 1), so the
 * interval fails exactly when the test does (counts out of range). */
static void compare(const struct stats_run *run, size_t cell, size_t org, size_t item,
                    bool written, struct hotspot *h)
{
    const struct model *m = &run->model;
    const struct item_count *u = &m->counts[cell * m->n_items + item];
    const struct item_count *o = &m->counts[org * m->n_items + item];
    *h = (struct hotspot){.cell = cell, .item = item, .p_value = NAN};
    h->supp = (enum suppression)run->disclosure.hotspot[cell * m->n_items + item];
    if (h->supp != SUPP_NONE)
        return;
    h->n = u->n;
    h->positive = u->positive;
    h->rest_n = o->n - u->n;
    h->rest_positive = o->positive - u->positive;
    struct m_ztest z;
    if ((written && m_diff_newcombe(h->positive, h->n, h->rest_positive, h->rest_n,
                                    run->opt->conf, &h->diff) != M_OK) ||
        m_ztest_2prop(h->positive, h->n, h->rest_positive, h->rest_n, &z) != M_OK)
        return; /* NaN figures: not tested, not flagged */
    h->p_value = z.p_value;
    /* compare x1/n1 with x2/n2 exactly: x1 n2 against x2 n1 */
    double lhs = h->positive * h->rest_n, rhs = h->rest_positive * h->n;
    bool higher_better = m->items[item].polarity == POLARITY_HIGHER;
    h->direction = lhs == rhs ? DIR_EQUAL : (lhs > rhs) == higher_better ? DIR_BETTER : DIR_WORSE;
}

/* The runs of fields a row is made of besides its figures (table_fields):
 * per table, per item and per unit cell; 1.3 million rows per national
 * year. */
#define N_DIRECTIONS 4 /* enum direction, and a blank */
struct hotspot_fields {
    struct item_fields items;
    struct table_fields no_figures[N_SUPPRESSION]; /* 12 blanks, suppressed */
    struct table_fields shown_state[2];             /* flagged no/yes, suppressed = no */
    struct table_fields direction_tail[N_DIRECTIONS]; /* direction, common columns */
    struct table_span_memo unit_figures; /* n, positive, estimate by the unit's counts */
    struct table_fields lead;   /* the cell's org, period, unit_level, unit */
    struct table_fields parent; /* the cell's parent unit */
    size_t cell_of;             /* the cell whose fields lead and parent hold */
};

static void fields_make(const struct stats_run *run, struct hotspot_fields *f)
{
    item_fields_make(&f->items, &run->model);
    for (int s = 0; s < N_SUPPRESSION; s++)
        table_fields_hidden(&f->no_figures[s], 12, (enum suppression)s);
    for (int flagged = 0; flagged < 2; flagged++) {
        table_fields_init(&f->shown_state[flagged]);
        table_fields_str(&f->shown_state[flagged], flagged ? "yes" : "no");
        table_fields_str(&f->shown_state[flagged], suppression_name(SUPP_NONE));
    }
    static const char *const direction_text[N_DIRECTIONS] = {"equal", "worse", "better", ""};
    for (int d = 0; d < N_DIRECTIONS; d++)
        table_fields_tail(&f->direction_tail[d], direction_text[d], run);
    table_fields_init(&f->lead);
    table_fields_init(&f->parent);
    f->unit_figures.slots = NULL;
    f->cell_of = MODEL_NONE;
}

static void fields_release(struct hotspot_fields *f)
{
    item_fields_release(&f->items);
    for (int s = 0; s < N_SUPPRESSION; s++)
        table_fields_release(&f->no_figures[s]);
    for (int flagged = 0; flagged < 2; flagged++)
        table_fields_release(&f->shown_state[flagged]);
    for (int d = 0; d < N_DIRECTIONS; d++)
        table_fields_release(&f->direction_tail[d]);
    table_fields_release(&f->lead);
    table_fields_release(&f->parent);
    table_span_release(&f->unit_figures);
}

static void write_row(const struct stats_run *run, const struct hotspot *h, double q,
                      struct table *t, struct hotspot_fields *f)
{
    if (f->cell_of != h->cell) { /* rows come a cell's items at a time */
        table_fields_clear(&f->lead);
        table_fields_str(&f->lead, cell_scope(run, h->cell));
        table_fields_str(&f->lead, cell_period(run, h->cell));
        table_fields_str(&f->lead, cell_grouping(run, h->cell));
        table_fields_str(&f->lead, cell_group(run, h->cell));
        table_fields_clear(&f->parent);
        table_fields_str(&f->parent, cell_parent_group(run, h->cell));
        f->cell_of = h->cell;
    }
    table_put(t, &f->lead);
    table_put(t, &f->items.id[h->item]);
    bool shown = h->supp == SUPP_NONE;
    if (!shown) {
        table_put(t, &f->no_figures[h->supp]);
    } else {
        /* units are small: their counts come back often (two rows in
         * three of a national year's within 4,096 slots) */
        uint64_t key = table_counts_key(h->n, h->positive);
        if (!table_span_find(t, &f->unit_figures, key, 3)) {
            size_t from = t->line.len;
            table_int(t, h->n);
            table_int(t, h->positive);
            table_num(t, h->positive / h->n);
            table_span_keep(t, &f->unit_figures, key, from);
        }
        table_int(t, h->rest_n);
        table_int(t, h->rest_positive);
        table_num(t, h->rest_positive / h->rest_n);
        table_num(t, h->diff.estimate);
        table_num(t, h->diff.lower);
        table_num(t, h->diff.upper);
        table_num(t, h->p_value);
        table_num(t, q);
        table_put(t, &f->shown_state[h->direction == DIR_WORSE && q < run->opt->fdr]);
    }
    table_put(t, &f->parent);
    table_put(t, &f->direction_tail[!shown || isnan(h->p_value) ? N_DIRECTIONS - 1
                                                                 : (int)h->direction]);
    table_end_row(t);
}

/* The rows of one org and period (cells order[begin..end), in output
 * order): compare, adjust the family's p-values, write.  Nothing is
 * computed when no row of the org is written (--groupings without its unit
 * levels). */
static bool write_org(const struct stats_run *run, size_t begin, size_t end, struct table *t,
                      struct hotspot_fields *f, struct buf *err)
{
    const struct model *m = &run->model;
    size_t n_rows = 0;
    bool any_shown = false;
    for (size_t k = begin; k < end; k++)
        if (m->groupings[m->cells[run->order[k]].grouping].kind == GROUPING_UNIT) {
            n_rows += m->n_items;
            any_shown = any_shown || cell_shown(run, run->order[k]);
        }
    if (!n_rows || !any_shown)
        return true;
    struct hotspot *rows = xcalloc(n_rows, sizeof(*rows));
    double *p = xcalloc(n_rows, sizeof(double));
    size_t k_rows = 0;
    for (size_t k = begin; k < end; k++) {
        size_t c = run->order[k];
        if (m->groupings[m->cells[c].grouping].kind != GROUPING_UNIT)
            continue;
        size_t org = model_org_cell(m, c);
        bool written = cell_shown(run, c);
        for (size_t i = 0; i < m->n_items; i++) {
            if (m->counts[org * m->n_items + i].n == 0)
                continue; /* the item was not asked in this org and period */
            compare(run, c, org, i, written, &rows[k_rows]);
            p[k_rows] = rows[k_rows].p_value;
            k_rows++;
        }
    }
    enum m_status st = m_bh_adjust(p, k_rows, p); /* NaN (untested) rows stay NaN */
    if (st != M_OK)
        buf_printf(err, "hotspots.csv: Benjamini-Hochberg adjustment failed: %s", m_strerror(st));
    for (size_t r = 0; r < k_rows && st == M_OK; r++)
        if (cell_shown(run, rows[r].cell))
            write_row(run, &rows[r], p[r], t, f);
    free(rows);
    free(p);
    return st == M_OK;
}

bool write_hotspots(const struct stats_run *run, struct table *t, struct buf *err)
{
    const struct model *m = &run->model;
    if (!table_open(t, run->opt->output_dir, HOTSPOTS_FILE, HOTSPOTS_COLUMNS, err))
        return false;
    struct hotspot_fields f;
    fields_make(run, &f);
    bool ok = true;
    /* run->order sorts by period, then scope: each org and period is one run */
    for (size_t begin = 0, end; begin < m->n_cells && ok; begin = end) {
        const struct popcell *first = &m->cells[run->order[begin]];
        for (end = begin + 1; end < m->n_cells; end++) {
            const struct popcell *c = &m->cells[run->order[end]];
            if (c->period != first->period || c->scope != first->scope)
                break;
        }
        /* the family is the org's every unit level: all of it or none; and
         * a unit of table_unit */
        if (table_unit(t) && m->scopes[first->scope].kind == SCOPE_ORG &&
            scope_shown(run, first->scope))
            ok = write_org(run, begin, end, t, &f, err);
    }
    fields_release(&f);
    return ok;
}
