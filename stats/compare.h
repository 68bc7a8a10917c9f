/* Comparison sets: which organisations are pooled into the comparisons
 * (ALL and GROUP:<name>) that benchmarks.csv and the report compare each
 * org with.  By default every org in the results.
 *
 * An org's type is its `type` in the --org-lookup file (a CSV file with a
 * header naming the columns `org` and `type`; other columns, such as name
 * and region, are read past), or without a lookup its benchmarking group
 * (the bgroup column of its dataset).  --compare-types LIST keeps the orgs
 * of the listed types, --exclude-type LIST leaves out the orgs of the
 * listed types, --compare-list FILE keeps the orgs the file lists (one code
 * a line, an optional header `org`); given together an org must pass each.
 * --compare-within type makes the benchmarking groups the types.
 *
 * An org left out keeps its own figures (proportions, trends, ...) but is
 * in no pooled cell and has no benchmarks.csv row. */
#ifndef CANDOUR_STATS_COMPARE_H
#define CANDOUR_STATS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "util.h"

struct compare_options {
    const char *org_lookup;    /* --org-lookup FILE */
    const char *compare_types; /* --compare-types LIST */
    const char *exclude_types; /* --exclude-type LIST */
    const char *compare_list;  /* --compare-list FILE */
    bool within_type;          /* --compare-within type */
};

/* What the set is, for inputs.csv, stderr and the report. */
struct compare_summary {
    bool active;       /* any option given */
    size_t n_orgs;     /* orgs in the results */
    size_t n_in;       /* orgs in the comparison set */
    size_t n_untyped;  /* orgs with no type */
    char *description; /* "type not in ICB,CSU (types from lookup.csv)" */
    char *types_in;    /* "NHS trust: 210; Ambulance trust: 10" */
};

/* Work out the set over the org scopes of m (after load_count, before
 * load_pool): fills m->org_outside (and with within_type, m->org_bgroup)
 * and sum.  CLI_OK, or CLI_EDATA (a bad lookup or list file) or CLI_EIO
 * (one could not be read) with "FILE:LINE: message" in err.  Release sum
 * with compare_summary_release either way. */
int compare_apply(const struct compare_options *opt, struct model *m, struct compare_summary *sum,
                  struct buf *err);
void compare_summary_release(struct compare_summary *sum);

#endif
