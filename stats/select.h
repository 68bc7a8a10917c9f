/* What one candour-stats run writes: --tables, --orgs and --groupings.
 *
 * The choice only decides which rows reach the files.  Everything is still
 * computed over the whole model first (counts, the suppression of every
 * cell, each Benjamini-Hochberg family, each funnel), so a figure a subset
 * run shows is the one the full run shows, and a figure the full run hides
 * stays hidden in every subset run. */
#ifndef CANDOUR_STATS_SELECT_H
#define CANDOUR_STATS_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "util.h"

/* The tables a run can choose, in the order of docs/outputs.md; inputs.csv
 * is not among them: every run writes it. */
enum stats_table {
    TABLE_PROPORTIONS,
    TABLE_THEMES,
    TABLE_DISPARITIES,
    TABLE_WRES,
    TABLE_BENCHMARKS,
    TABLE_TRENDS,
    TABLE_SPC,
    TABLE_HOTSPOTS,
    N_STATS_TABLES
};

/* A parsed --tables LIST (comma-separated table names, or "all"): the
 * chosen tables in *chosen.  False, with a message in err, for an empty
 * name or one that is not a table. */
bool select_parse_tables(const char *list, bool chosen[N_STATS_TABLES], struct buf *err);

/* Rows written, per scope and grouping of the model. */
struct selection {
    bool *scope_shown;    /* per model scope */
    bool *grouping_shown; /* per model grouping */
};

/* Resolve --orgs (NULL: every org) and --groupings (NULL: every grouping)
 * against the model: a listed org is shown with its benchmarking groups and
 * ALL; the grouping "all" (whole scopes) is always shown.  False, with a
 * message in err naming what is not in the datasets, when a listed org or
 * grouping is not there.  Release with select_release. */
bool select_resolve(struct selection *sel, const struct model *m, const char *orgs,
                    const char *groupings, struct buf *err);
void select_release(struct selection *sel);

#endif
