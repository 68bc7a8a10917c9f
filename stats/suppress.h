/* Disclosure control: primary and complementary (secondary) suppression.
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
#ifndef CANDOUR_STATS_SUPPRESS_H
#define CANDOUR_STATS_SUPPRESS_H

#include <stddef.h>

#include "model.h"

struct relation {
    size_t parent;
    size_t *children;
    size_t n_children;
    bool remainder; /* the parent may hold respondents outside every child */
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
                      const double *positive, bool additive, enum suppression *supp,
                      double min_n);

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
void suppress_model(struct model *m, const struct relations *rel, const size_t *block,
                    double min_n, size_t *primary, size_t *secondary);

#endif
