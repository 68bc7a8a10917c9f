/* A candour-stats results directory, read back for the report: each CSV
 * file as a table of strings with named columns, holding only the rows the
 * report reads (struct results_filter): a national year's results are over
 * a gigabyte, of which one trust's report needs a few megabytes. */
#ifndef CANDOUR_REPORT_RESULTS_H
#define CANDOUR_REPORT_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* An (org, period) that rows of a table hold: codes of csv_table's orgs
 * and periods. */
struct scope_period {
    uint32_t org, period;
};

struct csv_table {
    char *path;
    char **header;
    size_t n_columns;
    char ***rows; /* rows[r][c], NUL-terminated: the rows the filter kept, in
                     file order; each row one allocation; owned */
    size_t n_rows, cap;
    char **first; /* the first row of the file, kept or not (NULL: none) */
    /* Every (org, period) the file's rows hold, kept or not, for the tables
     * that say which orgs and periods the results cover (results_load:
     * proportions, themes, wres, hotspots); in order of first appearance. */
    struct strdict orgs, periods;
    struct scope_period *scopes;
    size_t n_scopes, scopes_cap;
    bool io_error; /* the file could not be read */
};

void csv_table_release(struct csv_table *t);
/* Column index by name, or (size_t)-1. */
size_t csv_table_column(const struct csv_table *t, const char *name);
/* rows[r][column named name], or "" when the column does not exist. */
const char *csv_cell(const struct csv_table *t, size_t r, const char *name);

/* The cell of the first row, "" when there is none or no such column. */
const char *csv_first_cell(const struct csv_table *t, const char *name);

/* Every output of one run. */
struct results {
    struct csv_table proportions, themes, disparities, wres, benchmarks, trends, spc, hotspots,
        inputs, items, wres_groups;
    bool io_error; /* results_load could not read DIR or a file, rather than
                      finding bad results */
};

/* The rows candour-report reads, the rest skipped while reading (csvin's
 * raw-record filter: a skipped row costs a scan for its line break):
 *  - org (--org): every row of that org (its code in the `org` column, the
 *    spreadsheet apostrophe of candour-stats taken off), the whole-org
 *    rows of benchmarks.csv (group_dim and group `all`) of every org (the
 *    funnel plots), and the whole-scope proportions.csv rows of the GROUP:
 *    scopes (the trend chart's benchmarking group line);
 *  - all (--all): the whole-scope rows (group_dim `all`) of proportions.csv,
 *    themes.csv, benchmarks.csv and trends.csv (the orgs' names), every row
 *    of wres.csv; no row of disparities, spc and hotspots (the national
 *    summary and its charts read none);
 *  - neither: every row.
 * Files without an `org` column (inputs.csv) are read whole. */
struct results_filter {
    const char *org;
    bool all;
};

/* The tables whose rows say which orgs and periods the results cover. */
#define RESULTS_SCOPE_TABLES(r)                                                                    \
    {                                                                                              \
        &(r)->proportions, &(r)->themes, &(r)->wres, &(r)->hotspots                                \
    }

/* Read the results directory dir, the tables two at a time, keeping the
 * rows filter asks for (NULL: every row).  A missing file gives an empty
 * table (no header); an unreadable (io_error) or malformed one false with a
 * message in err, as does a directory with the journal of an interrupted
 * candour-stats run. */
bool results_load(struct results *r, const char *dir, const struct results_filter *filter,
                  struct buf *err);
void results_release(struct results *r);

#endif
