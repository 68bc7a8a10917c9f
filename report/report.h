/* candour-report: the board report (text.c) and its charts (charts.c) from
 * a candour-stats results directory (results.h). */
#ifndef CANDOUR_REPORT_REPORT_H
#define CANDOUR_REPORT_REPORT_H

#include <stdbool.h>

#include "cli.h"
#include "outputs.h"
#include "results.h"

struct report_options {
    const char *results_dir;
    const char *org;    /* org code; NULL with --all */
    const char *period; /* NULL: the latest period in the results */
    const char *output_dir;
    bool all; /* researcher view: every org, national funnels */
    /* every file written goes here; main renames them into place together */
    struct report_outputs *outputs;
    /* the gnuplot processes drawing the charts (charts_start), or NULL:
     * report_charts starts them */
    struct chart_plotters *plotters;
};

/* Exit statuses: the programs' shared ones (lib/cli.h) under the names
 * report/ uses: 0 ok, 1 bad results, 2 usage or I/O, 3 text written but
 * charts missing (no gnuplot, or gnuplot failed). */
enum {
    REPORT_OK = CLI_OK,
    REPORT_EDATA = CLI_EDATA,
    REPORT_EIO = CLI_EIO,
    REPORT_ECHARTS = CLI_ECHARTS,
};

struct run; /* resolve.h: the org, period and rows both outputs read */

/* Write OUTDIR/board-report.txt (or the national summary with --all) into
 * opt->outputs.
 * Returns a REPORT_ status; messages go to stderr. */
int report_text(const struct report_options *opt, const struct run *run);
/* Draw the charts through gnuplot pipes (opt->plotters), into opt->outputs;
 * waits for every gnuplot to finish. */
int report_charts(const struct report_options *opt, const struct run *run);

/* The charts' gnuplot processes, started before the results are read so
 * that their start-up (loading gnuplot and its libraries) overlaps the
 * reading; they wait for report_charts to send them the charts.  NULL when
 * gnuplot is not on PATH. */
struct chart_plotters *charts_start(void);
/* Close any process report_charts did not wait for (the run stopped before
 * its charts), wait for it, and free ps (NULL: nothing). */
void charts_stop(struct chart_plotters *ps);

#endif
