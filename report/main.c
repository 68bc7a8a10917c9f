/* candour-report: options, usage and dispatch. */
#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"

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

static int usage_error(const char *fmt, const char *arg)
{
    fputs("candour-report: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'candour-report --help' for more information.\n", stderr);
    return REPORT_EIO;
}

enum { OPT_ORG = 256, OPT_PERIOD, OPT_ALL };

static int parse_options(int argc, char **argv, struct report_options *opt)
{
    static const struct option long_options[] = {
        {"results", required_argument, NULL, 'r'}, {"org", required_argument, NULL, OPT_ORG},
        {"period", required_argument, NULL, OPT_PERIOD}, {"all", no_argument, NULL, OPT_ALL},
        {"output", required_argument, NULL, 'o'},  {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":r:o:hV", long_options, NULL)) != -1) {
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
        case 'h':
            usage(stdout);
            return -1;
        case 'V':
            printf("candour-report %s\n", CANDOUR_VERSION);
            return -1;
        case ':':
            return usage_error("missing argument for option '%s'", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!opt->results_dir)
        return usage_error("%s", "missing --results DIR");
    if (!opt->output_dir)
        return usage_error("%s", "missing --output OUTDIR");
    if (!opt->org == !opt->all)
        return usage_error("%s", "give either --org CODE or --all");
    return 0;
}

/* Close stdout (--help, --version), saying so when that fails: a write
 * error there would otherwise go unnoticed (datamash close_stdout). */
static bool close_stdout(void)
{
    if (fclose(stdout) == 0)
        return true;
    fprintf(stderr, "%s: write error: %s\n", "candour-report", strerror(errno));
    return false;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    struct report_outputs outputs = {0};
    struct report_options opt = {.outputs = &outputs};
    int rc = parse_options(argc, argv, &opt);
    if (rc)
        return rc < 0 ? (close_stdout() ? 0 : REPORT_EIO) : rc;
    struct results results;
    struct buf err;
    buf_init(&err);
    int status;
    struct stat st;
    bool created = false;
    if (!results_load(&results, opt.results_dir, &err)) {
        fprintf(stderr, "candour-report: %s\n", err.data);
        status = results.io_error ? REPORT_EIO : REPORT_EDATA;
    } else if (stat(opt.output_dir, &st) != 0 && !(created = mkdir(opt.output_dir, 0755) == 0)) {
        fprintf(stderr, "candour-report: %s: cannot create directory: %s\n", opt.output_dir,
                strerror(errno));
        status = REPORT_EIO;
    } else {
        status = report_text(&opt, &results);
        if (status == REPORT_OK)
            status = report_charts(&opt, &results);
        /* The text and the charts drawn are kept unless an I/O error
         * stopped the run: then OUTDIR stays as it was. */
        if (status == REPORT_OK || status == REPORT_ECHARTS || status == REPORT_EDATA) {
            if (!outputs_commit(&outputs, &err)) {
                fprintf(stderr, "candour-report: %s\n", err.data);
                status = REPORT_EIO;
            }
        }
    }
    outputs_abort(&outputs); /* nothing left when committed */
    if (created && status != REPORT_OK && status != REPORT_ECHARTS)
        rmdir(opt.output_dir); /* only succeeds when nothing was written */
    results_release(&results);
    buf_release(&err);
    if (!close_stdout() && status == REPORT_OK)
        status = REPORT_EIO;
    return status;
}
