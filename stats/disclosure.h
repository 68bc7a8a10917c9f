/* Disclosure control: every suppression decision of a stats run, made here
 * once, before any table is written (disclosure_decide).  The writers only
 * read the decided states: an item or theme count's supp, the WRES
 * indicator 3 rows' states (struct hr_rows), the SPC rates of HR groups and
 * the hotspots' unit-against-rest rows (struct disclosure).
 *
 * The engine: primary and complementary (secondary) suppression.
 *
 * A relation says that a parent cell's count is the sum of its children's
 * (plus, for units, respondents who gave no unit: a remainder nobody sees):
 * an org and its ethnic groups, a directorate and its teams, a pooled scope
 * and its orgs, ALL and the benchmarking groups.  A suppressed cell must
 * not be recoverable by subtraction within any relation, nor pinned into
 * one value.  For each relation with a visible parent, the hidden part
 * (suppressed children plus remainder) must be empty, or hold at least two
 * unknowns, at least min_n respondents and, with positive counts, at least
 * one positive and one other answer (unless the parent has none); with a
 * hidden parent, at least one child must be hidden too (or a remainder
 * exist).  Violations are mended by also suppressing the smallest visible
 * child (ties: the earliest cell), or, for a pooled demographic group (ALL
 * or GROUP: BME staff = the orgs' BME staff), the pooled figure itself, so
 * that one small org does not cost other orgs their own group figures
 * through the pooled totals; repeated until every relation holds.  An audit
 * then narrows an attacker's bounds on every count through all relations
 * at once and hides more where a hidden count is pinned.  The result is
 * built threshold by threshold so that runs with different --min-n hide
 * nested sets of cells with the same states (see suppress_cells). */
#ifndef CANDOUR_STATS_DISCLOSURE_H
#define CANDOUR_STATS_DISCLOSURE_H

#include <stddef.h>

#include "load.h"
#include "model.h"

struct relation {
    size_t parent;
    size_t *children;
    size_t n_children;
    bool remainder;     /* the parent may hold respondents outside every child */
    bool prefer_parent; /* mend by hiding the parent: a pooled group figure
                           rather than another org's own figure */
};

struct relations {
    struct relation *list;
    size_t n, cap;
};

/* Every relation among the model's cells. */
void relations_build(const struct model *m, struct relations *rel);
void relations_release(struct relations *rel);

/* n[cell] is each cell's count and positive[cell], when not NULL, the
 * positive answers among them.  additive: n adds up along the relations
 * (not so for a row's smallest headcount), so that an attacker's bounds can
 * be audited.  Sets supp[cell] for every cell and returns the number of
 * secondary suppressions. */
size_t suppress_cells(const struct relations *rel, size_t n_cells, const double *n,
                      const double *positive, bool additive, enum suppression *supp, double min_n);

/* Rows that several additive counts describe at once (a WRES indicator 3
 * row: the BME and White headcounts, each with its entries into the
 * disciplinary process), suppressed as one block: n[i] and positive[i] are
 * the k counts of every row, size the count that decides primary
 * suppression (the row's smallest headcount).  Sets supp per row and
 * returns the number of secondary suppressions. */
size_t suppress_rows(const struct relations *rel, size_t n_rows, size_t k, const double *const *n,
                     const double *const *positive, const double *size, enum suppression *supp,
                     double min_n);

/* Suppress every item and theme count of the model.  block[i], when not
 * NULL, is the first item of the block item i belongs to (i itself when it
 * has none): the items of a block share one hidden set (a derived any-of
 * item and its parts, whose figures bound each other cell by cell). */
void suppress_model(struct model *m, const struct relations *rel, const size_t *block, double min_n,
                    size_t *primary, size_t *secondary);

/* ---- the decisions of one run ------------------------------------------------ */

/* One single-period WRES indicator 3 row: an org's HR cell, or the ALL sum
 * of one HR period's orgs.  With --wres-unknown bme the unknown headcount
 * and entries are counted on the BME side (and kept in unknown_n too). */
struct hr_row {
    uint32_t period;
    size_t scope; /* model scope; MODEL_NONE for ALL */
    double bme_n, bme_events, white_n, white_events, unknown_n;
    bool used;             /* an ALL row: its period has org rows in the comparison set */
    bool pooled;           /* an org row: in the comparison set, so summed into ALL */
    enum suppression supp; /* the single-period row's state */
    /* --wres-rolling: the same scope's row of the previous period
     * (MODEL_NONE: none, the rolling sum cannot be made) and the rolling
     * row's state, shown only when both rows are */
    size_t previous;
    enum suppression rolling_supp;
    double rejected; /* rows set aside at ingest that would have fed it (incomplete.c) */
};

/* The single-period rows: run->hr.cells in order (row i is HR cell i), then
 * one ALL row per HR period (row hr.n_cells + p). */
struct hr_rows {
    struct hr_row *list;
    size_t n;
};

struct disclosure {
    struct relations relations; /* among the survey model's cells */
    struct hr_rows hr;
    /* SPC rate of HR cell c's ethnic group g ([c * WRES_GROUPS + g]): the
     * row's state when the row is hidden, else primary for a headcount
     * below min_n */
    enum suppression *hr_rate;
    /* hotspots: unit cell c against the rest of its org for item i
     * ([c * n_items + i], unit cells only; enum suppression values) */
    unsigned char *hotspot;
    size_t hr_primary, hr_secondary; /* single-period WRES 3 rows hidden */
    /* per model cell: rows set aside at ingest that would have fed its
     * figures (incomplete.c); its items' counts are then SUPP_INCOMPLETE */
    double *cell_rejected;
    size_t incomplete, hr_incomplete; /* figures (item counts) and WRES 3 rows so marked */
};

struct stats_run;
struct source_dataset;

/* Decide every suppression of the run: the survey model's counts (run->primary,
 * run->secondary count them), the WRES 3 rows, the HR SPC rates and the
 * hotspots rows, into run->model and run->disclosure.  src are the datasets
 * read (their schemas name the derived any-of items). */
void disclosure_decide(struct stats_run *run, const struct source_dataset *src, size_t n_src);
void disclosure_release(struct disclosure *d);

/* The release ledger (--ledger, ledger.h): with run->ledger set,
 * disclosure_decide also hides (SUPP_LEDGER) every figure whose difference
 * from a figure of an earlier release, or its complement's, would describe
 * fewer than min_n people, with the secondary suppression that protects
 * them (see disclosure.c).  disclosure_record adds every figure of the run,
 * shown with its counts or hidden, to the release to be appended.  The
 * identity of a figure (an item's or a theme's, of one cell) is
 * disclosure_figure_key's. */
struct ledger;
struct buf;
void disclosure_record(const struct stats_run *run, struct ledger *l);
void disclosure_figure_key(const struct stats_run *run, bool theme, size_t cell, size_t field,
                           struct buf *key);

/* ---- figures fed by rows set aside at ingest (incomplete.c) ------------------- */

/* What marking changed: figures marked, and how many of them had been
 * hidden as primary, secondary or by the ledger before. */
struct incomplete_counts {
    size_t incomplete, primary, secondary, ledger;
};

/* Before suppression: flag (m->incomplete) every item count that a
 * rejected row of an aggregated input (m->rejected) would have fed, and
 * return per cell the rows that would have fed it (caller frees). */
double *incomplete_find_model(struct model *m);
/* After suppression: those counts become SUPP_INCOMPLETE. */
void incomplete_relabel_model(struct model *m, struct incomplete_counts *counts);
/* The same for the single-period WRES 3 rows: rejected set before their
 * suppression, the state after it (before the rolling rows and the SPC
 * rates take their states). */
void incomplete_find_hr(const struct model *m, const struct hr_table *hr, struct hr_rows *rows);
void incomplete_relabel_hr(struct hr_rows *rows, struct incomplete_counts *counts);

/* The text of the previous HR period of period (written to prev, "" when
 * there is none), and its index in hr->periods or -1. */
int64_t hr_previous_period(const struct hr_table *hr, uint32_t period, char prev[PERIOD_TEXT_MAX]);

/* The state of a figure whose cell does not exist: no respondents. */
#define DISCLOSURE_NO_CELL SUPP_PRIMARY

/* The state of a figure made from two cells (a difference, a ratio, a
 * comparison with a reference or a pooled figure): the first one's state
 * when it is hidden, else the second's; a missing second cell (NULL) has
 * no respondents and counts as primary. */
static inline enum suppression disclosure_pair(const struct item_count *a,
                                               const struct item_count *b)
{
    return a->supp != SUPP_NONE ? a->supp : b ? b->supp : DISCLOSURE_NO_CELL;
}

#endif
