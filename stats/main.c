/* candour-stats: options, usage and dispatch. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stats.h"

static void usage(FILE *out)
{
    fputs("Usage: candour-stats --output DIR [options] DATASET...\n"
          "\n"
          "Fairness indicators from candour datasets (respondent, org-results, counts or\n"
          "wres-hr), written as tidy CSV files into DIR (see docs/outputs.md).\n"
          "\n"
          "  -o, --output DIR     directory for the CSV files (created if missing)\n"
          "      --min-n N        suppress figures based on fewer than N respondents (11)\n"
          "      --conf LEVEL     confidence level of every interval (0.95)\n"
          "      --ci METHOD      wilson, clopper-pearson or jeffreys (wilson)\n"
          "      --weight         add NSS-style occupational-group weighted figures\n"
          "      --fdr Q          false discovery rate for hotspots (0.05)\n"
          "      --wres-rolling   WRES indicator 3 from two-period rolling sums\n"
          "      --wres-unknown exclude|bme\n"
          "                       WRES indicator 3: leave unknown ethnicity out of both\n"
          "                       sides (exclude, the default) or count it as BME\n"
          "  -h, --help           show this help\n"
          "  -V, --version        show the version\n"
          "\n"
          "Exit status: 0 ok, 1 bad input data, 2 usage or I/O error.\n",
          out);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("candour-stats: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'candour-stats --help' for more information.\n", stderr);
    return 2;
}

static bool parse_number(const char *s, double lo, double hi, double *out)
{
    return parse_double(s, strlen(s), out) && *out >= lo && *out <= hi;
}

enum {
    OPT_MIN_N = 256,
    OPT_CONF,
    OPT_CI,
    OPT_WEIGHT,
    OPT_FDR,
    OPT_WRES_ROLLING,
    OPT_WRES_UNKNOWN,
};

static int parse_options(int argc, char **argv, struct stats_options *opt)
{
    static const struct option long_options[] = {
        {"output", required_argument, NULL, 'o'}, {"min-n", required_argument, NULL, OPT_MIN_N},
        {"conf", required_argument, NULL, OPT_CONF}, {"ci", required_argument, NULL, OPT_CI},
        {"weight", no_argument, NULL, OPT_WEIGHT}, {"fdr", required_argument, NULL, OPT_FDR},
        {"wres-rolling", no_argument, NULL, OPT_WRES_ROLLING},
        {"wres-unknown", required_argument, NULL, OPT_WRES_UNKNOWN},
        {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:hV", long_options, NULL)) != -1) {
        switch (c) {
        case 'o':
            opt->output_dir = optarg;
            break;
        case OPT_MIN_N:
            if (!parse_number(optarg, 1, 1e9, &opt->min_n) || opt->min_n != (long)opt->min_n)
                return usage_error("--min-n needs a whole number of 1 or more, not '%s'", optarg);
            break;
        case OPT_CONF:
            if (!parse_number(optarg, 0.5, 0.9999, &opt->conf))
                return usage_error("--conf needs a level from 0.5 to 0.9999, not '%s'", optarg);
            break;
        case OPT_CI:
            if (strcmp(optarg, "wilson") == 0)
                opt->ci = M_PROP_WILSON;
            else if (strcmp(optarg, "clopper-pearson") == 0)
                opt->ci = M_PROP_CLOPPER_PEARSON;
            else if (strcmp(optarg, "jeffreys") == 0)
                opt->ci = M_PROP_JEFFREYS;
            else
                return usage_error("--ci must be wilson, clopper-pearson or jeffreys, not '%s'",
                                   optarg);
            break;
        case OPT_WEIGHT:
            opt->weight = true;
            break;
        case OPT_FDR:
            if (!parse_number(optarg, 1e-6, 0.5, &opt->fdr))
                return usage_error("--fdr needs a rate from 0.000001 to 0.5, not '%s'", optarg);
            break;
        case OPT_WRES_ROLLING:
            opt->wres_rolling = true;
            break;
        case OPT_WRES_UNKNOWN:
            if (strcmp(optarg, "exclude") == 0)
                opt->wres_unknown_as_bme = false;
            else if (strcmp(optarg, "bme") == 0)
                opt->wres_unknown_as_bme = true;
            else
                return usage_error("--wres-unknown must be exclude or bme, not '%s'", optarg);
            break;
        case 'h':
            usage(stdout);
            return -1;
        case 'V':
            printf("candour-stats %s\n", CANDOUR_VERSION);
            return -1;
        case ':':
            return usage_error("missing argument for option '%s'", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!opt->output_dir)
        return usage_error("%s", "missing --output DIR");
    if (optind >= argc)
        return usage_error("%s", "no datasets given");
    return 0;
}

static bool make_output_dir(const char *dir, struct buf *err)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return true;
        buf_printf(err, "%s: not a directory", dir);
        return false;
    }
    if (mkdir(dir, 0755) != 0) {
        buf_printf(err, "%s: cannot create directory: %s", dir, strerror(errno));
        return false;
    }
    return true;
}

typedef bool (*writer_fn)(const struct stats_run *, struct table *, struct buf *);

/* Largest first, so the two threads finish together. */
static const writer_fn writers[] = {write_proportions, write_hotspots, write_benchmarks,
                                    write_disparities, write_themes,   write_wres,
                                    write_trends,      write_spc,      write_inputs};
#define N_WRITERS ARRAY_LEN(writers)

/* The tables are independent reads of the finished model, so two threads
 * take them in turn from a shared counter. */
struct writing {
    const struct stats_run *run;
    struct table tables[N_WRITERS];
    struct atomic_file *files[N_WRITERS]; /* finished tables, still under temporary names */
    bool written[N_WRITERS], opened[N_WRITERS];
    struct buf errors[N_WRITERS];
    size_t next;
    pthread_mutex_t lock;
};

static void *write_some(void *arg)
{
    struct writing *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        size_t i = w->next++;
        pthread_mutex_unlock(&w->lock);
        if (i >= N_WRITERS)
            return NULL;
        w->written[i] = writers[i](w->run, &w->tables[i], &w->errors[i]);
        w->opened[i] = w->written[i] || w->tables[i].file.final_path;
        if (w->written[i]) /* the disk writes the table while the next is made */
            w->files[i] = table_finish(&w->tables[i]);
    }
}

/* Write every table, then commit them as one set (atomic_commit_all): on
 * any error the files already in DIR stay as they were. */
static int write_outputs(struct stats_run *run, struct buf *err)
{
    struct writing *w = xcalloc(1, sizeof(*w));
    w->run = run;
    pthread_mutex_init(&w->lock, NULL);
    for (size_t i = 0; i < N_WRITERS; i++)
        buf_init(&w->errors[i]);
    pthread_t helper;
    bool threaded = pthread_create(&helper, NULL, write_some, w) == 0;
    write_some(w);
    if (threaded)
        pthread_join(helper, NULL);
    bool ok = true;
    for (size_t i = 0; i < N_WRITERS && ok; i++)
        if (!w->written[i]) {
            buf_puts(err, w->errors[i].data ? w->errors[i].data : "cannot write output");
            ok = false;
        }
    for (size_t i = 0; i < N_WRITERS; i++) {
        if (!ok && w->files[i])
            atomic_abort(w->files[i]);
        else if (!ok && w->opened[i])
            table_abort(&w->tables[i]);
        buf_release(&w->errors[i]);
    }
    if (ok) {
        char *journal = xasprintf("%s/%s", run->opt->output_dir, RESULTS_JOURNAL);
        ok = atomic_commit_all(w->files, N_WRITERS, journal, err);
        free(journal);
    }
    pthread_mutex_destroy(&w->lock);
    free(w);
    return ok ? 0 : 2;
}

static size_t model_item_index(const struct model *m, const char *id)
{
    for (size_t i = 0; i < m->n_items; i++)
        if (strcmp(m->items[i].id, id) == 0)
            return i;
    return MODEL_NONE;
}

/* The block of every model item for suppress_model: a derived any-of item
 * and its parts share one hidden set, named by their first item.  Caller
 * frees. */
static size_t *item_blocks(const struct model *m, const struct source_dataset *src, size_t n)
{
    size_t *block = xcalloc(m->n_items ? m->n_items : 1, sizeof(size_t));
    for (size_t i = 0; i < m->n_items; i++)
        block[i] = i;
    for (size_t d = 0; d < n; d++) {
        const struct schema *s = src[d].schema;
        for (size_t j = 0; s && j < s->n_items; j++) {
            const struct item *it = &s->items[j];
            size_t a = it->n_any_of ? model_item_index(m, it->id) : MODEL_NONE;
            for (size_t k = 0; a != MODEL_NONE && k < it->n_any_of; k++) {
                size_t b = model_item_index(m, s->items[it->any_of[k]].id);
                if (b == MODEL_NONE)
                    continue;
                /* join the two blocks under the smaller first item */
                size_t ra = block[a], rb = block[b], to = ra < rb ? ra : rb;
                for (size_t i = 0; i < m->n_items; i++)
                    if (block[i] == ra || block[i] == rb)
                        block[i] = to;
            }
        }
    }
    return block;
}

/* Close stdout (--help, --version), saying so when that fails: a write
 * error there would otherwise go unnoticed (datamash close_stdout). */
static bool close_stdout(void)
{
    if (fclose(stdout) == 0)
        return true;
    fprintf(stderr, "%s: write error: %s\n", "candour-stats", strerror(errno));
    return false;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    struct stats_options opt = {.min_n = DEFAULT_MIN_N, .conf = 0.95, .ci = M_PROP_WILSON,
                                .fdr = 0.05};
    int rc = parse_options(argc, argv, &opt);
    if (rc)
        return rc < 0 ? (close_stdout() ? 0 : 2) : rc;
    struct stats_run run = {.opt = &opt};
    model_init(&run.model);
    run.model.weighted = opt.weight;
    size_t n = (size_t)(argc - optind);
    struct source_dataset *src = xcalloc(n, sizeof(*src));
    run.sources = src;
    run.n_sources = n;
    struct buf err;
    buf_init(&err);
    int status = 1;
    bool io_error = false;
    if (load_open(&run.model, src, argv + optind, n, &err, &io_error) &&
        load_count(&run.model, &run.hr, src, n, &err)) {
        load_pool(&run.model);
        relations_build(&run.model, &run.relations);
        size_t *block = item_blocks(&run.model, src, n);
        suppress_model(&run.model, &run.relations, block, opt.min_n, &run.primary,
                       &run.secondary);
        free(block);
        stats_sort_cells(&run);
        stats_format_common(&run);
        status = make_output_dir(opt.output_dir, &err) ? write_outputs(&run, &err) : 2;
        if (status == 0)
            fprintf(stderr,
                    "candour-stats: %zu cells, %zu items, %zu themes; suppressed %zu primary, "
                    "%zu secondary (min-n %g)\n",
                    run.model.n_cells, run.model.n_items, run.model.n_themes, run.primary,
                    run.secondary, opt.min_n);
    }
    if (io_error)
        status = 2; /* a dataset could not be read, as opposed to bad data */
    if (status)
        fprintf(stderr, "candour-stats: %s\n", err.data);
    buf_release(&err);
    load_close(src, n);
    free(src);
    free(run.order);
    relations_release(&run.relations);
    hr_table_release(&run.hr);
    model_release(&run.model);
    if (!close_stdout() && status == 0)
        status = 2;
    return status;
}
