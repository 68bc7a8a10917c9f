/* Cells followed over time, for trends.csv and spc.csv.
 *
 * A "place" is a popcell's coordinates without its period: scope, grouping,
 * group and the chain of parents (a team is the same place in two years
 * only if its directorate is the same too).  The index sorts every cell by
 * place, then by period, and links each cell to the cell of the same place
 * one period earlier (period_ordinal - 1), if there is one. */
#ifndef CANDOUR_STATS_SERIES_H
#define CANDOUR_STATS_SERIES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "period.h"

#define SERIES_NO_ORDINAL LONG_MIN

struct series_index {
    long *ordinal;  /* per model period: period_ordinal, SERIES_NO_ORDINAL if unparsed */
    size_t *sorted; /* every cell with a parsed period, by place then ordinal */
    size_t n_sorted;
    size_t *prev;           /* per cell: same place one period earlier, or MODEL_NONE */
    const char **place_org; /* per cell: its org after successor links (history given) */
};

/* Build the index of model m.  Owned by ix: free with series_index_release.
 * With history, an org's cells in a period its successor map links count as
 * the successor's place (an org's own cell of a period comes after a
 * linked one, so it is the one followed). */
void series_index_build(const struct model *m, const struct org_history *history,
                        struct series_index *ix);
void series_index_release(struct series_index *ix);
/* Whether cells a and b are the same place (periods may differ). */
bool series_same_place(const struct model *m, size_t a, size_t b);
/* Ordinal of a period's text, SERIES_NO_ORDINAL when it does not parse. */
long series_ordinal(const char *period);

/* Per model period and item: does any org answer the item in that period?
 * A period in which an item was not asked makes no trend and breaks an
 * SPC series.  Caller frees. */
bool *series_item_asked(const struct model *m);

#endif
