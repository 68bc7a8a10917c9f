/* What one candour-report run is about, decided once from the results and
 * the options: the run's settings (min_n and conf_level, the same in all
 * eleven results files), the dictionary (items.csv, wres-groups.csv: the
 * names of items, themes, sections and WRES groups), the org (its cell as
 * the files hold it), the period, the benchmarking group and the rows of each table that belong to
 * them. The text report (text.c) and every chart (charts.c) read this one resolution; none of them
 * re-matches --org or picks a period of its own. */
#ifndef CANDOUR_REPORT_RESOLVE_H
#define CANDOUR_REPORT_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "contract.h"
#include "dictionary.h"
#include "period.h"
#include "report.h"
#include "results.h"

#define NO_ROW ((size_t)-1)

/* Row numbers of one table that belong to one org (or scope) and period,
 * in file order unless view_sort_by_org sorted them. */
struct view {
    const struct csv_table *t;
    size_t *rows; /* owned, except in a view org_rows returns */
    size_t n, cap;
};

/* A list of distinct strings. */
struct names {
    const char **items; /* not owned: cells of the loaded tables, or static */
    size_t n, cap;
};

struct run {
    const struct results *r;
    struct dictionary dict; /* names of items, themes, sections, WRES groups */
    long min_n;             /* the disclosure threshold the results state */
    double conf;            /* their confidence level */
    const char *org;        /* the org's cell as stored; NULL with --all */
    const char *period;     /* a cell of the files */
    const char *previous;   /* the period before, when the org has results in it */
    char previous_text[PERIOD_TEXT_MAX];
    const char *benchmark; /* "GROUP:<name>" of the org, or "ALL" */
    const char *n_orgs;    /* orgs in that comparison, "" when unknown */
    struct names orgs;     /* --all: the orgs with results in the period */
    /* Rows of the org (--all: every scope, sorted by org) in the period. */
    struct view prop, themes, themes_prev, disp, wres, bench, trends, hot;
    /* Rows of the org in every period (NULL org: every org). */
    struct view prop_org, wres_org, spc_org;
    /* benchmarks.csv rows of every org in the period, in file order. */
    struct view bench_period;
};

/* Resolve the run of opt from r into run (caller-allocated; run_release
 * frees what it holds).  A REPORT_ status; on failure the message is on
 * stderr.  Cells in run point into r, which must outlive it. */
int run_resolve(struct run *run, const struct report_options *opt, const struct results *r);
void run_release(struct run *run);
/* Does the run's org and period have one figure the board report can show
 * (a shown percentage, theme score, gap, WRES rate or hotspot)?  A report
 * without any is written, each section saying what is missing, but the
 * run fails (main.c). */
bool run_has_figures(const struct run *run);

/* ---- reading rows ------------------------------------------------------- */

/* Rows of t whose `org` is org (NULL: any) and `period` is period (NULL: any). */
void view_filter(struct view *v, const struct csv_table *t, const char *org, const char *period);
void view_release(struct view *v);
/* The rows of org in v, which run_resolve sorted by org (--all): a view
 * sharing v's row array (do not release). */
struct view org_rows(const struct view *v, const char *org);
/* rows[row][column], "" when the column does not exist. */
const char *vcell(const struct view *v, size_t row, const char *column);
/* First row of v whose columns hold the given values: pairs of column name
 * and value, ended by NULL.  NO_ROW when there is none. */
size_t view_find(const struct view *v, const char *const *pairs);
#define FIND(v, ...) view_find((v), (const char *const[]){__VA_ARGS__, NULL})
/* Is row of table t present and not suppressed (`suppressed` is "no")? */
bool row_shown(const struct csv_table *t, size_t row);
/* A number of a shown row; false when the row is missing or suppressed or
 * the cell is blank. */
bool vnum(const struct view *v, size_t row, const char *column, double *value);

bool names_has(const struct names *l, const char *s);
void names_add(struct names *l, const char *s);

/* Is a scope of the stats outputs an org (not ALL or GROUP:<name>)? */
bool is_org_scope(const char *scope);
/* Is it a benchmarking group (GROUP:<name>; the name follows
 * SCOPE_GROUP_PREFIX_LEN bytes in)? */
bool is_group_scope(const char *scope);

#endif
