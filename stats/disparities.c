/* disparities.csv: each demographic group against its dimension's reference
 * group (declared in the schema with reference=, e.g. White for ethnicity),
 * per period, scope and item.
 *
 *   difference  p_group - p_reference, Newcombe's hybrid score interval
 *               (Newcombe 1998, method 10);
 *   ratio       p_group / p_reference, Katz log interval (Katz et al. 1978),
 *               with m_ratio_katz's zero-cell rule; 0/0 has no ratio (blank)
 *               but keeps the corrected table's interval;
 *   p_value     two-proportion z test, pooled variance, no continuity
 *               correction;
 *   q_value     Benjamini-Hochberg (1995) over one family: all unsuppressed
 *               comparisons of one period and one scope (an org, ALL or one
 *               benchmarking group), across items, dimensions and groups.
 *
 * The family is the unit a report is read in (one trust, one year): a
 * trust's q-values do not change when other trusts are added to the run,
 * and pooled scopes do not dilute or inflate an org's adjustment.
 *
 * Counts are the unweighted n and positive of the model.  A row whose group
 * or reference cell is suppressed carries that cell's suppression and no
 * figure; a reference group with no respondents in the scope has no cell at
 * all and is treated as primary suppressed (it has fewer than min_n). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define BH_FAMILY "period x org"

struct disparity {
    size_t cell, ref; /* ref is MODEL_NONE when the reference group has no cell */
    size_t item;
    enum suppression supp;
    double n, positive, ref_n, ref_positive;
    struct m_interval diff;
    struct m_ratio ratio;
    double p_value, q_value;
};

static bool same_family(const struct model *m, size_t a, size_t b)
{
    return m->cells[a].period == m->cells[b].period && m->cells[a].scope == m->cells[b].scope;
}

static bool same_block(const struct model *m, size_t a, size_t b)
{
    return same_family(m, a, b) && m->cells[a].grouping == m->cells[b].grouping &&
           m->cells[a].parent == m->cells[b].parent;
}

/* Fill one row: its decided state, its p-value (every row of the family
 * counts in the adjustment) and, when the row is written, its intervals. */
static void compare(const struct stats_run *run, struct disparity *d, bool written)
{
    const struct model *m = &run->model;
    const struct item_count *g = &m->counts[d->cell * m->n_items + d->item];
    const struct item_count *r =
        d->ref != MODEL_NONE ? &m->counts[d->ref * m->n_items + d->item] : NULL;
    d->supp = disclosure_pair(g, r);
    d->p_value = d->q_value = NAN;
    if (d->supp != SUPP_NONE)
        return;
    d->n = g->n;
    d->positive = g->positive;
    d->ref_n = r->n;
    d->ref_positive = r->positive;
    double conf = run->opt->conf;
    struct m_ztest z;
    m_ztest_2prop(g->positive, g->n, r->positive, r->n, &z);
    d->p_value = z.p_value;
    if (!written)
        return;
    /* a failure leaves NaN in every figure, written as blanks */
    m_diff_newcombe(g->positive, g->n, r->positive, r->n, conf, &d->diff);
    m_ratio_katz(g->positive, g->n, r->positive, r->n, conf, &d->ratio);
    if (g->positive == 0 && r->positive == 0)
        d->ratio.estimate = NAN; /* 0/0: no ratio, only the corrected table's interval */
}

/* Why a row has blanks, for the note column. */
enum note { NOTE_NONE, NOTE_NO_REFERENCE, NOTE_GROUP_SUPPRESSED, NOTE_REFERENCE_SUPPRESSED,
            NOTE_NO_POSITIVE, N_NOTES };
static const char *const note_text[N_NOTES] = {
    "",
    "no respondents in the reference group",
    "the group's cell is suppressed",
    "the reference group's cell is suppressed",
    "no positive answers in either group: the ratio is undefined; its interval "
    "comes from the zero-cell corrected table",
};

static enum note row_note(const struct model *m, const struct disparity *d)
{
    if (d->ref == MODEL_NONE && m->counts[d->cell * m->n_items + d->item].supp == SUPP_NONE)
        return NOTE_NO_REFERENCE;
    if (d->supp != SUPP_NONE)
        return m->counts[d->cell * m->n_items + d->item].supp != SUPP_NONE
                   ? NOTE_GROUP_SUPPRESSED
                   : NOTE_REFERENCE_SUPPRESSED;
    if (d->positive == 0 && d->ref_positive == 0)
        return NOTE_NO_POSITIVE;
    return NOTE_NONE;
}

static void write_count(struct table *t, double v)
{
    if (v == floor(v))
        table_int(t, v);
    else
        table_num(t, v); /* org-results: positive = rate x base */
}

/* The runs of fields a row is made of besides its figures (table_fields):
 * per table, per item, per family and per cell; 770,000 rows per national
 * year, each repeating some 110 bytes of method names. */
enum corrected { CORRECTED_BLANK, CORRECTED_YES, CORRECTED_NO, N_CORRECTED };
struct disparity_fields {
    struct item_fields items;
    /* a suppressed row's 12 blank figures, its state, a blank ratio_corrected */
    struct table_fields no_figures[N_SUPPRESSION];
    struct table_fields shown_state[N_CORRECTED]; /* suppressed = no, ratio_corrected */
    struct table_fields note_tail[N_NOTES];       /* note, common columns */
    struct table_fields lead;    /* the family's period and scope */
    struct table_fields methods; /* the methods and the family's size */
    struct table_fields cell;    /* group_dim, group, reference */
    size_t cell_of;              /* the cell whose fields cell holds */
};

static void fields_make(const struct stats_run *run, struct disparity_fields *f)
{
    item_fields_make(&f->items, &run->model);
    for (int s = 0; s < N_SUPPRESSION; s++) {
        table_fields_hidden(&f->no_figures[s], 12, (enum suppression)s);
        table_fields_blank(&f->no_figures[s]);
    }
    static const char *const corrected_text[N_CORRECTED] = {"", "yes", "no"};
    for (int c = 0; c < N_CORRECTED; c++) {
        table_fields_init(&f->shown_state[c]);
        table_fields_str(&f->shown_state[c], suppression_name(SUPP_NONE));
        table_fields_str(&f->shown_state[c], corrected_text[c]);
    }
    for (int n = 0; n < N_NOTES; n++)
        table_fields_tail(&f->note_tail[n], note_text[n], run);
    table_fields_init(&f->lead);
    table_fields_init(&f->methods);
    table_fields_init(&f->cell);
    f->cell_of = MODEL_NONE;
}

static void fields_release(struct disparity_fields *f)
{
    item_fields_release(&f->items);
    for (int s = 0; s < N_SUPPRESSION; s++)
        table_fields_release(&f->no_figures[s]);
    for (int c = 0; c < N_CORRECTED; c++)
        table_fields_release(&f->shown_state[c]);
    for (int n = 0; n < N_NOTES; n++)
        table_fields_release(&f->note_tail[n]);
    table_fields_release(&f->lead);
    table_fields_release(&f->methods);
    table_fields_release(&f->cell);
}

/* The fields of a family (its first cell c, its size) before its rows. */
static void family_fields(const struct stats_run *run, size_t c, size_t family_size,
                          struct disparity_fields *f)
{
    table_fields_clear(&f->lead);
    table_fields_str(&f->lead, cell_period(run, c));
    table_fields_str(&f->lead, cell_scope(run, c));
    table_fields_clear(&f->methods);
    table_fields_str(&f->methods, m_ratio_zero_cell_rule());
    table_fields_str(&f->methods, "newcombe-hybrid-score");
    table_fields_str(&f->methods, "katz-log");
    table_fields_str(&f->methods, "two-proportion-z");
    table_fields_str(&f->methods, BH_FAMILY);
    table_fields_int(&f->methods, (double)family_size);
}

static void write_row(const struct stats_run *run, struct table *t, const struct disparity *d,
                      struct disparity_fields *f)
{
    const struct model *m = &run->model;
    if (f->cell_of != d->cell) { /* rows come a cell's items at a time */
        const struct grouping *g = &m->groupings[m->cells[d->cell].grouping];
        table_fields_clear(&f->cell);
        table_fields_str(&f->cell, g->name);
        table_fields_str(&f->cell, cell_group(run, d->cell));
        table_fields_str(&f->cell, g->reference);
        f->cell_of = d->cell;
    }
    table_put(t, &f->lead);
    table_put(t, &f->items.id[d->item]);
    table_put(t, &f->cell);
    if (d->supp != SUPP_NONE) {
        table_put(t, &f->no_figures[d->supp]);
    } else {
        write_count(t, d->n);
        write_count(t, d->positive);
        write_count(t, d->ref_n);
        write_count(t, d->ref_positive);
        table_num(t, d->diff.estimate);
        table_num(t, d->diff.lower);
        table_num(t, d->diff.upper);
        table_num(t, d->ratio.estimate);
        table_num(t, d->ratio.lower);
        table_num(t, d->ratio.upper);
        table_num(t, d->p_value);
        table_num(t, d->q_value);
        table_put(t, &f->shown_state[isnan(d->ratio.lower)  ? CORRECTED_BLANK
                                     : d->ratio.corrected ? CORRECTED_YES
                                                          : CORRECTED_NO]);
    }
    table_put(t, &f->methods);
    table_put(t, &f->items.kind[d->item]);
    table_put(t, &f->note_tail[row_note(m, d)]);
    table_end_row(t);
}

/* Benjamini-Hochberg over one family's p-values (NaN for suppressed rows,
 * which m_bh_adjust leaves out of the count).  Returns the family size. */
static size_t adjust_family(struct disparity *rows, size_t n_rows, double *work)
{
    size_t tests = 0;
    for (size_t i = 0; i < n_rows; i++) {
        work[i] = rows[i].p_value;
        tests += !isnan(work[i]);
    }
    if (tests && m_bh_adjust(work, n_rows, work) == M_OK)
        for (size_t i = 0; i < n_rows; i++)
            rows[i].q_value = work[i];
    return tests;
}

bool write_disparities(const struct stats_run *run, struct table *t, struct buf *err)
{
    const struct model *m = &run->model;
    if (!table_open(t, run->opt->output_dir, DISPARITIES_FILE, DISPARITIES_COLUMNS, err))
        return false;
    struct disparity_fields f;
    fields_make(run, &f);
    struct disparity *rows = NULL;
    double *work = NULL;
    size_t rows_cap = 0, work_cap = 0;
    size_t n_cells = m->n_cells;
    for (size_t start = 0, end; start < n_cells; start = end) {
        /* one family: the cells of one period and scope, contiguous in run->order */
        for (end = start + 1; end < n_cells && same_family(m, run->order[start], run->order[end]);)
            end++;
        size_t n_rows = 0;
        /* the family is the whole scope: all of it or none; and a unit of
         * table_unit */
        if (!table_unit(t) || !scope_shown(run, m->cells[run->order[start]].scope))
            continue;
        for (size_t b = start, b_end; b < end; b = b_end) {
            for (b_end = b + 1; b_end < end && same_block(m, run->order[b], run->order[b_end]);)
                b_end++;
            const struct grouping *g = &m->groupings[m->cells[run->order[b]].grouping];
            if (g->kind != GROUPING_DEMOGRAPHIC || !g->reference)
                continue; /* units and dimensions without a reference */
            size_t ref = MODEL_NONE;
            for (size_t k = b; k < b_end; k++)
                if (strcmp(cell_group(run, run->order[k]), g->reference) == 0)
                    ref = run->order[k];
            for (size_t k = b; k < b_end; k++) {
                size_t c = run->order[k];
                if (c == ref)
                    continue;
                for (size_t i = 0; i < m->n_items; i++) {
                    xgrow(&rows, &rows_cap, n_rows + 1, sizeof(*rows));
                    struct disparity *d = &rows[n_rows++];
                    memset(d, 0, sizeof(*d));
                    d->cell = c;
                    d->ref = ref;
                    d->item = i;
                    compare(run, d, cell_shown(run, c));
                }
            }
        }
        if (!n_rows)
            continue;
        xgrow(&work, &work_cap, n_rows, sizeof(*work));
        size_t family_size = adjust_family(rows, n_rows, work);
        family_fields(run, rows[0].cell, family_size, &f);
        for (size_t i = 0; i < n_rows; i++)
            if (cell_shown(run, rows[i].cell))
                write_row(run, t, &rows[i], &f);
    }
    fields_release(&f);
    free(rows);
    free(work);
    return true;
}
