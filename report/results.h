/* A candour-stats results directory, read back for the report: each CSV
 * file as a table of strings with named columns. */
#ifndef CANDOUR_REPORT_RESULTS_H
#define CANDOUR_REPORT_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct csv_table {
    char *path;
    char **header;
    size_t n_columns;
    char ***rows; /* rows[r][c], NUL-terminated; owned */
    size_t n_rows, cap;
    bool io_error; /* csv_table_load could not read the file */
};

/* Read DIR/NAME.  A missing file gives an empty table (no header) and true;
 * an unreadable (io_error) or malformed one false with a message in err. */
bool csv_table_load(struct csv_table *t, const char *dir, const char *name, struct buf *err);
void csv_table_release(struct csv_table *t);
/* Column index by name, or (size_t)-1. */
size_t csv_table_column(const struct csv_table *t, const char *name);
/* rows[r][column named name], or "" when the column does not exist. */
const char *csv_cell(const struct csv_table *t, size_t r, const char *name);

/* Every output of one run. */
struct results {
    struct csv_table proportions, themes, disparities, wres, benchmarks, trends, spc, hotspots,
        inputs;
    bool io_error; /* results_load could not read DIR or a file, rather than
                      finding bad results */
};

bool results_load(struct results *r, const char *dir, struct buf *err);
void results_release(struct results *r);

#endif
