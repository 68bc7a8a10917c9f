/* candour-stats: one run's options and state, shared by the output modules
 * (proportions.c, themes.c, disparities.c, wres.c, benchmarks.c, trends.c,
 * spc.c, hotspots.c).  Each module writes one CSV file into the output
 * directory; docs/outputs.md documents every column. */
#ifndef CANDOUR_STATS_STATS_H
#define CANDOUR_STATS_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "compare.h"
#include "contract.h"
#include "dictionary.h"
#include "disclosure.h"
#include "ledger.h"
#include "load.h"
#include "methods.h"
#include "model.h"
#include "numfmt.h"
#include "output.h"
#include "select.h"

#define DEFAULT_MIN_N 11

struct stats_options {
    const char *output_dir;
    double min_n;
    double conf;
    enum m_prop_method ci;
    bool weight;
    const char *weight_by; /* --weight-by: compute weights by this demographic */
    double fdr;
    bool wres_rolling;              /* WRES 3 over two periods' sums */
    bool wres_unknown_as_bme;       /* default: unknown ethnicity excluded */
    struct compare_options compare; /* the comparison set (compare.h) */
    const char *successors;         /* --successors FILE (successors.h) */
    bool no_wait;                   /* another run using the output: fail, not wait */
    bool allow_overlap;    /* respondent and aggregated data of one org, period, item: sum */
    const char *tables;    /* --tables LIST as given; NULL: all */
    const char *orgs;      /* --orgs LIST as given; NULL: every org */
    const char *groupings; /* --groupings LIST as given; NULL: every grouping */
    bool gzip;             /* --gzip: NAME.csv.gz */
    const char *ledger;    /* --ledger FILE: the release ledger (ledger.h) */
};

struct stats_run {
    const struct stats_options *opt;
    struct model model;
    struct hr_table hr;
    struct dictionary dict;       /* what the items, themes and groups mean */
    struct disclosure disclosure; /* every suppression decision (disclosure_decide) */
    size_t primary, secondary;
    struct ledger *ledger;  /* --ledger: read before disclosure_decide, NULL without */
    size_t ledger_hidden;   /* figures hidden by the ledger (SUPP_LEDGER) */
    size_t *order;          /* cells in output order */
    struct selection shown; /* the rows written (--orgs, --groupings) */
    const struct source_dataset *sources; /* the datasets read, for provenance */
    struct compare_summary compare;       /* the comparison set, for inputs.csv */
    size_t n_sources;
    /* the common columns' text, made once: every row of every table ends
     * with them (table_common) */
    char conf_text[NUMFMT_MAX], min_n_text[NUMFMT_MAX];
};

/* Output order of cells: period, scope (orgs, ALL, groups), grouping, parent, group. */
void stats_sort_cells(struct stats_run *run);
/* Text of a cell's coordinates. */
const char *cell_period(const struct stats_run *run, size_t cell);
const char *cell_scope(const struct stats_run *run, size_t cell);
const char *cell_grouping(const struct stats_run *run, size_t cell);
const char *cell_group(const struct stats_run *run, size_t cell);
const char *cell_parent_group(const struct stats_run *run, size_t cell);
const char *suppression_name(enum suppression s);
#define N_SUPPRESSION (SUPP_INCOMPLETE + 1) /* states of enum suppression */
/* An item's polarity as the tables write it: "higher" or "lower". */
const char *polarity_name(enum polarity p);

/* Each item's own columns as runs of fields (table_fields), made once per
 * table instead of once per row: its id, and its measure and polarity. */
struct item_fields {
    struct table_fields *id, *kind;
    size_t n_items;
};
void item_fields_make(struct item_fields *f, const struct model *m);
void item_fields_release(struct item_fields *f);

/* Is a scope, a grouping, a cell's row written in this run (--orgs,
 * --groupings)?  Every figure is computed over the whole model either way. */
static inline bool scope_shown(const struct stats_run *run, size_t scope)
{
    return run->shown.scope_shown[scope];
}
static inline bool cell_shown(const struct stats_run *run, size_t cell)
{
    const struct popcell *c = &run->model.cells[cell];
    return run->shown.scope_shown[c->scope] && run->shown.grouping_shown[c->grouping];
}
/* The same for a scope known by its name (HR rows of wres.csv and spc.csv). */
bool scope_name_shown(const struct stats_run *run, const char *name);

/* Columns every file has (RESULTS_COMMON_COLUMNS), so that it explains
 * itself: last in most files, before later additions in trends.csv and
 * inputs.csv.  Their text is formatted into run once, before the tables. */
void stats_format_common(struct stats_run *run);
void table_common(struct table *t, const struct stats_run *run);
/* The same columns as the end of a run of fields (table_fields). */
void table_fields_common(struct table_fields *f, const struct stats_run *run);
/* f made anew as a row's tail: the field last, then the common columns. */
void table_fields_tail(struct table_fields *f, const char *last, const struct stats_run *run);
/* f made anew as a hidden row's figures: blanks blank fields, then its
 * suppressed state (disparities and hotspots keep one per state). */
void table_fields_hidden(struct table_fields *f, int blanks, enum suppression s);

bool write_proportions(const struct stats_run *run, struct table *t, struct buf *err);
bool write_themes(const struct stats_run *run, struct table *t, struct buf *err);
bool write_disparities(const struct stats_run *run, struct table *t, struct buf *err);
bool write_wres(const struct stats_run *run, struct table *t, struct buf *err);
/* WRES indicator 3 rows (HR counts) hidden in wres.csv, primary and
 * secondary, for the run's summary. */
void wres_hr_hidden(const struct stats_run *run, size_t *primary, size_t *secondary);
bool write_benchmarks(const struct stats_run *run, struct table *t, struct buf *err);
bool write_trends(const struct stats_run *run, struct table *t, struct buf *err);
bool write_spc(const struct stats_run *run, struct table *t, struct buf *err);
bool write_hotspots(const struct stats_run *run, struct table *t, struct buf *err);
bool write_inputs(const struct stats_run *run, struct table *t, struct buf *err);
bool write_items(const struct stats_run *run, struct table *t, struct buf *err);
bool write_wres_groups(const struct stats_run *run, struct table *t, struct buf *err);

#endif
