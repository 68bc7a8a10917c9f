/* candour-report: options, usage and dispatch. */
#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "report.h"
#include "resolve.h"
#include "text.h"

static void usage(FILE *out)
{
    fputs("Usage: candour-report --results DIR --org CODE [--period P] --output OUTDIR\n"
          "       candour-report --results DIR --all [--period P] --output OUTDIR\n"
          "\n"
          "Write the board report (board-report.txt, at most 80 columns) and its charts\n"
          "(PNG and SVG through gnuplot) from a candour-stats results directory.\n"
          "\n"
          "  -r, --results DIR    candour-stats --output directory\n"
          "      --org CODE       the trust to report on\n"
          "      --period P       the period (default: the latest in the results)\n"
          "      --all            researcher view: national summary and funnel plots\n"
          "  -o, --output OUTDIR  directory for the report and charts (created if missing)\n"
          "  -h, --help           show this help\n"
          "  -V, --version        show the version\n"
          "\n"
          "Exit status: 0 ok, 1 bad results, 2 usage or I/O error, 3 report written but\n"
          "charts missing (gnuplot not installed or failed).\n",
          out);
}

static const struct cli_program program = {"candour-report", usage};

enum { OPT_ORG = 256, OPT_PERIOD, OPT_ALL };

static int parse_options(int argc, char **argv, struct report_options *opt)
{
    static const struct option long_options[] = {
        {"results", required_argument, NULL, 'r'},       {"org", required_argument, NULL, OPT_ORG},
        {"period", required_argument, NULL, OPT_PERIOD}, {"all", no_argument, NULL, OPT_ALL},
        {"output", required_argument, NULL, 'o'},        CLI_LONG_OPTIONS_END,
    };
    int c;
    while ((c = cli_getopt(argc, argv, ":r:o:hV", long_options)) != -1) {
        switch (c) {
        case 'r':
            opt->results_dir = optarg;
            break;
        case 'o':
            opt->output_dir = optarg;
            break;
        case OPT_ORG:
            opt->org = optarg;
            break;
        case OPT_PERIOD:
            opt->period = optarg;
            break;
        case OPT_ALL:
            opt->all = true;
            break;
        default: /* -h, -V or a bad option */
            return cli_common_option(&program, argv, c);
        }
    }
    if (optind < argc)
        return cli_usage_error(&program, "unexpected argument '%s'", argv[optind]);
    if (!opt->results_dir)
        return cli_usage_error(&program, "missing --results DIR");
    if (!opt->output_dir)
        return cli_usage_error(&program, "missing --output OUTDIR");
    if (!opt->org == !opt->all)
        return cli_usage_error(&program, "give either --org CODE or --all");
    return CLI_RUN;
}

/* Read the results directory under a shared lock (lib/lock.h): a
 * candour-stats writing into it is waited for, so its tables are never read
 * while it replaces them.  A directory that cannot be opened is not locked:
 * results_load says why. */
static bool load_results_locked(struct results *r, const char *dir,
                                const struct results_filter *filter, struct buf *err)
{
    struct lock_set locks = {0};
    struct buf ignored;
    buf_init(&ignored);
    if (lock_set_add_dir(&locks, dir, false, &ignored))
        lock_set_take(&locks, "candour-report", true, &ignored);
    buf_release(&ignored);
    bool ok = results_load(r, dir, filter, err);
    lock_set_release(&locks);
    return ok;
}

/* A board report without one figure in any section: written (each section
 * says what is missing), but the run fails with a message.  REPORT_EDATA. */
static int no_figures(const struct report_options *opt, const struct run *run)
{
    struct buf org, period;
    buf_init(&org);
    buf_init(&period);
    text_quote_for_message(opt->org, strlen(opt->org), 60, &org);
    text_quote_for_message(run->period, strlen(run->period), 20, &period);
    fprintf(stderr,
            "candour-report: %s/board-report.txt: no figure for org %s in period %s in any "
            "section (each section of the report says what is missing)\n",
            opt->output_dir, org.data, period.data);
    buf_release(&org);
    buf_release(&period);
    return REPORT_EDATA;
}

/* The output directory, locked for this run alone (lib/lock.h), as
 * candour-stats locks its own: a candour-stats or another report writing
 * into it is waited for, so no other run can replace a chart's temporary
 * file before gnuplot reads it or mix its files with this report's. */
static bool lock_output_dir(struct lock_set *locks, const char *dir, struct buf *err)
{
    return lock_set_add_dir(locks, dir, true, err) &&
           lock_set_take(locks, "candour-report", true, err);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    struct report_outputs outputs = {0};
    struct report_options opt = {.outputs = &outputs};
    int rc = parse_options(argc, argv, &opt);
    if (rc != CLI_RUN)
        return rc;
    /* --org in the form names take in the tables: control characters
     * escaped (text_escape_controls), so it matches the org field */
    struct buf org_in_tables;
    buf_init(&org_in_tables);
    if (opt.org && text_escape_controls(opt.org, strlen(opt.org), &org_in_tables))
        opt.org = org_in_tables.data;
    struct lock_set output_lock = {0};
    struct results results;
    struct buf err;
    buf_init(&err);
    int status;
    struct stat st;
    bool created = false;
    struct results_filter rows = {opt.org, opt.all}; /* the rows the report reads */
    opt.plotters = charts_start();
    if (!load_results_locked(&results, opt.results_dir, &rows, &err)) {
        fprintf(stderr, "candour-report: %s\n", err.data);
        status = results.io_error ? REPORT_EIO : REPORT_EDATA;
    } else if (stat(opt.output_dir, &st) != 0 && !(created = mkdir(opt.output_dir, 0755) == 0)) {
        fprintf(stderr, "candour-report: %s: cannot create directory: %s\n", opt.output_dir,
                strerror(errno));
        status = REPORT_EIO;
    } else if (!lock_output_dir(&output_lock, opt.output_dir, &err)) {
        fprintf(stderr, "candour-report: %s\n", err.data);
        status = REPORT_EIO;
    } else {
        struct run run;
        status = run_resolve(&run, &opt, &results);
        if (status == REPORT_OK)
            status = report_text(&opt, &run);
        if (status == REPORT_OK)
            status = report_charts(&opt, &run);
        if ((status == REPORT_OK || status == REPORT_ECHARTS) && !opt.all && !run_has_figures(&run))
            status = no_figures(&opt, &run);
        run_release(&run);
        /* The text and the charts drawn are kept unless an I/O error
         * stopped the run: then OUTDIR stays as it was. */
        if (status == REPORT_OK || status == REPORT_ECHARTS || status == REPORT_EDATA) {
            if (!outputs_commit(&outputs, &err)) {
                fprintf(stderr, "candour-report: %s\n", err.data);
                status = REPORT_EIO;
            }
        }
    }
    charts_stop(opt.plotters); /* waited for already when the charts were drawn */
    outputs_abort(&outputs);   /* nothing left when committed */
    if (created && status != REPORT_OK && status != REPORT_ECHARTS)
        rmdir(opt.output_dir); /* only succeeds when nothing was written */
    lock_set_release(&output_lock);
    results_release(&results);
    buf_release(&err);
    buf_release(&org_in_tables);
    return cli_close_stdout(&program, status);
}
