/* Data counted twice, refused (#15.3): the same dataset given twice, two
 * datasets made from the same input file, and respondent data together with
 * aggregated results (counts, org-results) for one org, period and item. */
#ifndef CANDOUR_STATS_OVERLAP_H
#define CANDOUR_STATS_OVERLAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "load.h"
#include "model.h"

/* Is any dataset given twice (one file under two names too), or does it
 * share an input (same size and CRC-32, as ingest recorded them) with an
 * earlier one?  Then false, with a message naming both in err. */
bool overlap_check_inputs(const struct source_dataset *src, char **paths, size_t n,
                          struct buf *err);

/* Which dataset first counted into each whole-org cell and item, to find
 * aggregated and respondent data for the same org, period and item. */
struct overlap_watch {
    bool allow;           /* --allow-overlap: sum them, as intended */
    size_t *slot_of_cell; /* per model cell: its row below, or MODEL_NONE */
    size_t n_cells_known; /* cells looked at so far */
    size_t *cell_of_slot;
    size_t n_slots, slots_cap;
    size_t n_items;
    uint32_t *first; /* per slot and item: index + 1 of the first dataset, 0 none */
    double *before;  /* per slot and item: n before the current dataset */
};

/* Before counting dataset i: note the counts so far. */
void overlap_before(struct overlap_watch *w, const struct model *m);
/* After counting dataset i of src: false with a message in err when it
 * counted into an org, period and item another dataset counted into and
 * one of the two is aggregated (unless w->allow). */
bool overlap_after(struct overlap_watch *w, const struct model *m, const struct source_dataset *src,
                   size_t i, struct buf *err);
void overlap_release(struct overlap_watch *w);

#endif
