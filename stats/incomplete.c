/* Figures fed by rows set aside at ingest: marked incomplete, never
 * computed from the remaining rows.
 *
 * When candour-ingest --rejects sets aside rows of an aggregated input
 * (org-results, counts, wres-hr), the dataset records the period and org
 * each names (dataset.h, struct ds_rejected; load.c turns them into marks).
 * A figure those rows would have fed is then not a smaller true figure, as
 * one respondent fewer would be, but a wrong one that looks whole: with the
 * BME rows of one trust's HR file rejected, the trust's WRES 3 row showed
 * a BME headcount below min_n and the pooled figure was computed without
 * them.  Such figures take the state SUPP_INCOMPLETE: no figures, and the
 * number of rows that could have fed them (rows_rejected).
 *
 * Which figures a mark feeds:
 *  - the org's figures in the period, and those of every pooled scope
 *    holding the org in that period: ALL (when the org is in the comparison
 *    set) and its benchmarking group's GROUP: scope; for HR, the org's WRES
 *    indicator 3 row and the period's ALL row;
 *  - a mark whose org could not be read feeds every scope of its period; one
 *    whose period could not be read, the org's (or, neither readable,
 *    every) scope in every period;
 *  - survey figures only for the items the input's schema declares (a counts
 *    or org-results row carries no other item, and no theme).  The whole
 *    org-period is marked, not only the row's item or group: the rejected
 *    row's other fields are what could not be trusted.
 * Every figure derived from a marked one (a difference, a trend, a funnel
 * against the pooled target, a rolling sum, an SPC point) takes its state
 * as it takes a hidden cell's (disclosure_pair).
 *
 * Disclosure (disclosure_decide): the figures are found before the
 * suppression of disclosure.c and relabelled after it.  The suppression
 * leaves out every relation whose total will be incomplete (for every item
 * of a block): that total is never published, so the relation is no
 * equation an attacker has, and mending it would hide other orgs' figures
 * to protect a figure that is not shown anyway.  Every other relation is
 * kept, and the incomplete figures only hide more; their state replaces
 * primary, secondary and ledger.  So nothing the suppression hides can be worked
 * out from what is shown; which figures are incomplete depends on the
 * rejected rows' org and period alone, never on a count; and a hidden
 * figure relabelled incomplete no longer tells that its count is below
 * min_n. */
#include <string.h>

#include "contract.h"
#include "disclosure.h"

/* Could the rows of mark k have fed a figure of this period and scope? */
static bool feeds_survey(const struct model *m, const struct rejected_mark *k, uint32_t period,
                         size_t scope)
{
    if (k->period != REJECTED_ANY_PERIOD && k->period != period)
        return false;
    if (k->scope == MODEL_NONE || k->scope == scope)
        return true;
    const struct scope *sc = &m->scopes[scope];
    if (sc->kind == SCOPE_ORG || !model_org_compared(m, k->scope))
        return false;
    if (sc->kind == SCOPE_ALL)
        return true;
    const char *bg = m->org_bgroup[k->scope];
    return bg && strcmp(sc->name + SCOPE_GROUP_PREFIX_LEN, bg) == 0;
}

/* The state of a figure a mark feeds; the summary's counts follow it. */
static void relabel(enum suppression *supp, struct incomplete_counts *counts)
{
    counts->primary += *supp == SUPP_PRIMARY;
    counts->secondary += *supp == SUPP_SECONDARY;
    counts->ledger += *supp == SUPP_LEDGER;
    counts->incomplete += *supp != SUPP_INCOMPLETE;
    *supp = SUPP_INCOMPLETE;
}

double *incomplete_find_model(struct model *m)
{
    double *rows = xcalloc(m->n_cells ? m->n_cells : 1, sizeof(double));
    const struct rejected_marks *marks = &m->rejected;
    if (!marks->n)
        return rows;
    m->incomplete = xcalloc(m->n_cells * m->n_items + 1, sizeof(bool));
    for (size_t c = 0; c < m->n_cells; c++) {
        const struct popcell *cell = &m->cells[c];
        for (size_t k = 0; k < marks->n; k++) {
            const struct rejected_mark *mark = &marks->list[k];
            if (!feeds_survey(m, mark, cell->period, cell->scope))
                continue;
            rows[c] += mark->rows;
            for (size_t i = 0; i < m->n_items; i++)
                m->incomplete[c * m->n_items + i] |= mark->items[i];
        }
    }
    return rows;
}

void incomplete_relabel_model(struct model *m, struct incomplete_counts *counts)
{
    for (size_t k = 0; m->incomplete && k < m->n_cells * m->n_items; k++)
        if (m->incomplete[k])
            relabel(&m->counts[k].supp, counts);
}

void incomplete_find_hr(const struct model *m, const struct hr_table *hr, struct hr_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        struct hr_row *r = &rows->list[i];
        for (size_t k = 0; k < hr->rejected.n; k++) {
            const struct rejected_mark *mark = &hr->rejected.list[k];
            /* ALL holds the orgs of the comparison set only (hr_single_rows) */
            bool feeds = mark->scope == MODEL_NONE || mark->scope == r->scope ||
                         (r->scope == MODEL_NONE && model_org_compared(m, mark->scope));
            if ((mark->period == REJECTED_ANY_PERIOD || mark->period == r->period) && feeds)
                r->rejected += mark->rows;
        }
    }
}

void incomplete_relabel_hr(struct hr_rows *rows, struct incomplete_counts *counts)
{
    for (size_t i = 0; i < rows->n; i++)
        if (rows->list[i].used && rows->list[i].rejected > 0)
            relabel(&rows->list[i].supp, counts);
}
