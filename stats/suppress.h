/* Disclosure control: primary and complementary (secondary) suppression.
 *
 * A relation says that a parent cell's count is the sum of its children's
 * (plus, for units, respondents who gave no unit: a remainder nobody sees):
 * an org and its ethnic groups, a directorate and its teams, a pooled scope
 * and its orgs.  A suppressed cell must not be recoverable by subtraction
 * within any relation, nor pinned into a small range.  For each relation with
 * a visible parent, the hidden part (suppressed children plus remainder)
 * must be empty, or hold at least two unknowns and at least min_n
 * respondents; with a hidden parent, at least one child must be hidden too
 * (or a remainder exist).  Violations are mended by also suppressing the
 * smallest visible child (ties: the earliest cell), or, for a pooled
 * demographic group (ALL or GROUP: BME staff = the orgs' BME staff), the
 * pooled figure itself, so that one small org does not cost other orgs
 * their own group figures through the pooled totals; repeated until every
 * relation holds.  The result is built threshold by threshold so that runs
 * with different --min-n hide nested sets of cells (see suppress_cells). */
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

/* n[cell] is each cell's count.  Sets supp[cell] for every cell and returns
 * the number of secondary suppressions. */
size_t suppress_cells(const struct relations *rel, size_t n_cells, const double *n,
                      enum suppression *supp, double min_n);

/* Suppress every item and theme count of the model. */
void suppress_model(struct model *m, const struct relations *rel, double min_n,
                    size_t *primary, size_t *secondary);

#endif
