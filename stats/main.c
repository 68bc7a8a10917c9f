/* candour-stats: options, usage and dispatch. */
#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "lock.h"
#include "overlap.h"
#include "stats.h"
#include "text.h"

/* "wilson, clopper-pearson or jeffreys": the --ci choices, from the one
 * table of method names (lib/methods.h). */
static void ci_choices(char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (int m = 0; m < M_PROP_N_METHODS && len < size; m++) {
        const char *sep = m == 0 ? "" : m + 1 == M_PROP_N_METHODS ? " or " : ", ";
        int n =
            snprintf(out + len, size - len, "%s%s", sep, m_prop_method_name((enum m_prop_method)m));
        len += n > 0 ? (size_t)n : 0;
    }
}

#define DEFAULT_CI M_PROP_WILSON

static void usage(FILE *out)
{
    char choices[80];
    ci_choices(choices, sizeof(choices));
    fputs("Usage: candour-stats --output DIR [options] DATASET...\n"
          "\n"
          "Fairness indicators from candour datasets (respondent, org-results, counts or\n"
          "wres-hr), written as tidy CSV files into DIR (see docs/outputs.md).\n"
          "\n"
          "  -o, --output DIR     directory for the CSV files (created if missing)\n"
          "      --min-n N        suppress figures based on fewer than N respondents (11)\n"
          "      --conf LEVEL     confidence level of every interval (0.95)\n",
          out);
    fprintf(out, "      --ci METHOD      %s (%s)\n", choices, m_prop_method_name(DEFAULT_CI));
    fputs("      --weight         add weighted figures: the data's own weight column\n"
          "                       (as given), else weights computed by the schema's\n"
          "                       weight-by demographic (NSS occupational groups)\n"
          "      --weight-by DEMOGRAPHIC\n"
          "                       --weight with weights computed by this demographic\n"
          "                       (even when the data carries weights)\n"
          "      --fdr Q          false discovery rate for hotspots (0.05)\n"
          "      --wres-rolling   WRES indicator 3 from two-period rolling sums\n"
          "      --wres-unknown exclude|bme\n"
          "                       WRES indicator 3: leave staff in neither declared group\n"
          "                       out (exclude, the default) or count them in the\n"
          "                       comparison group (bme)\n"
          "      --org-lookup FILE\n"
          "                       CSV with columns org and type (others read past): each\n"
          "                       org's type; without it an org's type is its\n"
          "                       benchmarking group\n"
          "      --compare-types LIST\n"
          "                       compare with orgs of these types only (comma-separated)\n"
          "      --exclude-type LIST\n"
          "                       leave orgs of these types out of every comparison\n"
          "      --compare-list FILE\n"
          "                       compare with the orgs FILE lists (one code a line)\n"
          "      --successors FILE\n"
          "                       CSV org,from,to,successor: an org's figures of those\n"
          "                       periods continue as the successor's trend (marked)\n"
          "      --compare-within bgroup|type\n"
          "                       benchmarking groups: the bgroup column (default) or\n"
          "                       the types\n"
          "      --allow-overlap  sum respondent and aggregated (counts, org-results) data\n"
          "                       of one org, period and item (default: an error, as they\n"
          "                       would count the same staff twice)\n"
          "      --no-wait        fail at once when another run is using DIR or writing a\n"
          "                       dataset's directory (default: wait for it)\n"
          "      --gzip           write every table gzip-compressed, as NAME.csv.gz\n"
          "      --tables LIST    write only these tables (comma-separated: proportions,\n"
          "                       themes, disparities, wres, benchmarks, trends, spc,\n"
          "                       hotspots; default all); inputs.csv, items.csv and\n"
          "                       wres-groups.csv are always written,\n"
          "                       and tables left out are removed from DIR\n"
          "      --orgs LIST      write rows only for these org codes, with their\n"
          "                       benchmarking groups and ALL (default every org)\n"
          "      --groupings LIST write rows only for these groupings (a demographic\n"
          "                       or unit level, named as in the schemas; the whole\n"
          "                       scope, all, always); default every grouping\n"
          "      --ledger FILE    release ledger (created 0600 if missing): hide every\n"
          "                       figure whose difference from one an earlier run\n"
          "                       published would describe fewer than --min-n people,\n"
          "                       then record this run's figures in it\n"
          "                       (docs/threat-model.md)\n"
          "  -h, --help           show this help\n"
          "  -V, --version        show the version\n"
          "\n"
          "Exit status: 0 ok, 1 bad input data, 2 usage or I/O error.\n",
          out);
}

static const struct cli_program program = {"candour-stats", usage};

static bool parse_number(const char *s, double lo, double hi, double *out)
{
    return parse_double(s, strlen(s), out) && *out >= lo && *out <= hi;
}

enum {
    OPT_MIN_N = 256,
    OPT_CONF,
    OPT_CI,
    OPT_WEIGHT,
    OPT_WEIGHT_BY,
    OPT_FDR,
    OPT_WRES_ROLLING,
    OPT_WRES_UNKNOWN,
    OPT_ORG_LOOKUP,
    OPT_COMPARE_TYPES,
    OPT_EXCLUDE_TYPE,
    OPT_COMPARE_LIST,
    OPT_COMPARE_WITHIN,
    OPT_SUCCESSORS,
    OPT_NO_WAIT,
    OPT_ALLOW_OVERLAP,
    OPT_TABLES,
    OPT_GZIP,
    OPT_ORGS,
    OPT_GROUPINGS,
    OPT_LEDGER,
};

static int parse_options(int argc, char **argv, struct stats_options *opt)
{
    static const struct option long_options[] = {
        {"output", required_argument, NULL, 'o'},
        {"min-n", required_argument, NULL, OPT_MIN_N},
        {"conf", required_argument, NULL, OPT_CONF},
        {"ci", required_argument, NULL, OPT_CI},
        {"weight", no_argument, NULL, OPT_WEIGHT},
        {"weight-by", required_argument, NULL, OPT_WEIGHT_BY},
        {"fdr", required_argument, NULL, OPT_FDR},
        {"wres-rolling", no_argument, NULL, OPT_WRES_ROLLING},
        {"wres-unknown", required_argument, NULL, OPT_WRES_UNKNOWN},
        {"org-lookup", required_argument, NULL, OPT_ORG_LOOKUP},
        {"compare-types", required_argument, NULL, OPT_COMPARE_TYPES},
        {"exclude-type", required_argument, NULL, OPT_EXCLUDE_TYPE},
        {"compare-list", required_argument, NULL, OPT_COMPARE_LIST},
        {"compare-within", required_argument, NULL, OPT_COMPARE_WITHIN},
        {"successors", required_argument, NULL, OPT_SUCCESSORS},
        {"no-wait", no_argument, NULL, OPT_NO_WAIT},
        {"allow-overlap", no_argument, NULL, OPT_ALLOW_OVERLAP},
        {"tables", required_argument, NULL, OPT_TABLES},
        {"gzip", no_argument, NULL, OPT_GZIP},
        {"orgs", required_argument, NULL, OPT_ORGS},
        {"groupings", required_argument, NULL, OPT_GROUPINGS},
        {"ledger", required_argument, NULL, OPT_LEDGER},
        CLI_LONG_OPTIONS_END,
    };
    int c;
    while ((c = cli_getopt(argc, argv, ":o:hV", long_options)) != -1) {
        switch (c) {
        case 'o':
            opt->output_dir = optarg;
            break;
        case OPT_MIN_N:
            if (!parse_number(optarg, 1, 1e9, &opt->min_n) || opt->min_n != (long)opt->min_n)
                return cli_usage_error(
                    &program, "--min-n needs a whole number of 1 or more, not '%s'", optarg);
            break;
        case OPT_CONF:
            if (!parse_number(optarg, 0.5, 0.9999, &opt->conf))
                return cli_usage_error(&program,
                                       "--conf needs a level from 0.5 to 0.9999, not '%s'", optarg);
            break;
        case OPT_CI: {
            const struct m_prop_method_names *ci = m_prop_method_find(optarg);
            if (!ci) {
                char choices[80];
                ci_choices(choices, sizeof(choices));
                return cli_usage_error(&program, "--ci must be %s, not '%s'", choices, optarg);
            }
            opt->ci = ci->method;
            break;
        }
        case OPT_WEIGHT:
            opt->weight = true;
            break;
        case OPT_WEIGHT_BY:
            opt->weight = true;
            opt->weight_by = optarg;
            break;
        case OPT_FDR:
            if (!parse_number(optarg, 1e-6, 0.5, &opt->fdr))
                return cli_usage_error(&program,
                                       "--fdr needs a rate from 0.000001 to 0.5, not '%s'", optarg);
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
                return cli_usage_error(&program, "--wres-unknown must be exclude or bme, not '%s'",
                                       optarg);
            break;
        case OPT_ORG_LOOKUP:
            opt->compare.org_lookup = optarg;
            break;
        case OPT_COMPARE_TYPES:
        case OPT_EXCLUDE_TYPE:
            if (text_is_blank(optarg, strlen(optarg)))
                return cli_usage_error(&program, "--%s needs a list of types",
                                       c == OPT_EXCLUDE_TYPE ? "exclude-type" : "compare-types");
            *(c == OPT_EXCLUDE_TYPE ? &opt->compare.exclude_types : &opt->compare.compare_types) =
                optarg;
            break;
        case OPT_SUCCESSORS:
            opt->successors = optarg;
            break;
        case OPT_COMPARE_LIST:
            opt->compare.compare_list = optarg;
            break;
        case OPT_COMPARE_WITHIN:
            if (strcmp(optarg, "type") == 0)
                opt->compare.within_type = true;
            else if (strcmp(optarg, "bgroup") == 0)
                opt->compare.within_type = false;
            else
                return cli_usage_error(&program,
                                       "--compare-within must be bgroup or type, not '%s'", optarg);
            break;
        case OPT_NO_WAIT:
            opt->no_wait = true;
            break;
        case OPT_ALLOW_OVERLAP:
            opt->allow_overlap = true;
            break;
        case OPT_TABLES: {
            bool chosen[N_STATS_TABLES];
            struct buf why;
            buf_init(&why);
            bool ok = select_parse_tables(optarg, chosen, &why);
            int status = ok ? CLI_RUN : cli_usage_error(&program, "%s", why.data);
            buf_release(&why);
            if (!ok)
                return status;
            opt->tables = optarg;
            break;
        }
        case OPT_GZIP:
            opt->gzip = true;
            break;
        case OPT_ORGS:
        case OPT_GROUPINGS:
            if (!*optarg)
                return cli_usage_error(&program, "%s needs a comma-separated list",
                                       argv[optind - 1]);
            *(c == OPT_ORGS ? &opt->orgs : &opt->groupings) = optarg;
            break;
        case OPT_LEDGER:
            if (!*optarg)
                return cli_usage_error(&program, "--ledger needs a file name");
            opt->ledger = optarg;
            break;
        default: /* -h, -V or a bad option */
            return cli_common_option(&program, argv, c);
        }
    }
    if (!opt->output_dir)
        return cli_usage_error(&program, "missing --output DIR");
    if (optind >= argc)
        return cli_usage_error(&program, "no datasets given");
    return CLI_RUN;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t len = strlen(s), n = strlen(suffix);
    return len > n && strcmp(s + len - n, suffix) == 0;
}

/* An input this run would replace or remove: a file in the output
 * directory whose name ends in ".csv" or ".csv.gz" (every table
 * candour-stats writes is DIR/NAME.csv, or DIR/NAME.csv.gz with --gzip, is
 * replaced whole, and the other form is removed) or is the results journal.  The directory is
 * compared by st_dev and st_ino, not by name.  Returns the input or NULL. */
static const char *input_in_output(const char *dir, char **inputs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *slash = strrchr(inputs[i], '/');
        const char *base = slash ? slash + 1 : inputs[i];
        bool replaced = ends_with(base, ".csv") || ends_with(base, ".csv.gz") ||
                        strcmp(base, RESULTS_JOURNAL) == 0;
        char *parent = slash ? xstrndup(inputs[i], (size_t)(slash - inputs[i]) + 1) : xstrdup(".");
        bool same = replaced && same_file(parent, dir);
        free(parent);
        if (same)
            return inputs[i];
    }
    return NULL;
}

/* The ledger is neither an input nor a table this run replaces: appending
 * to a dataset would damage it, and a table's commit would replace the
 * ledger.  Asked once the output directory exists.  False with the reason
 * in err. */
static bool ledger_apart(const struct stats_options *opt, char **inputs, size_t n, struct buf *err)
{
    char *ledger[1] = {(char *)opt->ledger};
    const char *clash = input_in_output(opt->output_dir, ledger, 1) ? opt->output_dir : NULL;
    for (size_t i = 0; !clash && i < n; i++)
        if (same_file(opt->ledger, inputs[i]))
            clash = inputs[i];
    if (!clash)
        return true;
    buf_printf(err, "--ledger '%s' is %s '%s': it would be overwritten", opt->ledger,
               clash == opt->output_dir ? "a table's name in --output" : "the input", clash);
    return false;
}

static bool make_output_dir(const char *dir, bool *created, struct buf *err)
{
    struct stat st;
    *created = false;
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
    *created = true;
    return true;
}

/* The output directory, locked for this run alone, and each dataset's
 * directory, locked against a candour-ingest replacing it (lib/lock.h).
 * A directory that cannot be opened is left out: reading the dataset in it
 * then says why. */
static bool lock_directories(struct lock_set *locks, const struct stats_options *opt, char **paths,
                             size_t n, struct buf *err)
{
    if (!lock_set_add_dir(locks, opt->output_dir, true, err))
        return false;
    struct buf ignored;
    buf_init(&ignored);
    for (size_t i = 0; i < n; i++)
        lock_set_add_parent(locks, paths[i], false, &ignored);
    buf_release(&ignored);
    return lock_set_take(locks, "candour-stats", !opt->no_wait, err);
}

typedef bool (*writer_fn)(const struct stats_run *, struct table *, struct buf *);

/* Largest first; the tables every run writes, whatever --tables says
 * (inputs.csv, items.csv, wres-groups.csv: small, and what a reader needs
 * to read the rest), last.  The four large tables are written by both
 * threads at once, a chunk of units (table_unit) at a time, about a
 * megabyte of rows each; the others by one thread each. */
static const struct {
    writer_fn write;
    int table;         /* enum stats_table, or -1 for a table every run writes */
    const char *file;  /* its name in DIR (lib/contract.h) */
    size_t unit_chunk; /* units a chunk when both threads write it; 0: one thread */
} writers[] = {
    {write_proportions, TABLE_PROPORTIONS, PROPORTIONS_FILE, 64}, /* cells: rows per item */
    {write_hotspots, TABLE_HOTSPOTS, HOTSPOTS_FILE, 1},           /* orgs: rows per unit, item */
    {write_benchmarks, TABLE_BENCHMARKS, BENCHMARKS_FILE, 64},    /* pooled cell x item: orgs */
    {write_disparities, TABLE_DISPARITIES, DISPARITIES_FILE, 1},  /* scopes: groups x items */
    {write_themes, TABLE_THEMES, THEMES_FILE, 0},
    {write_wres, TABLE_WRES, WRES_FILE, 0},
    {write_trends, TABLE_TRENDS, TRENDS_FILE, 0},
    {write_spc, TABLE_SPC, SPC_FILE, 0},
    {write_inputs, -1, INPUTS_FILE, 0},
    {write_items, -1, ITEMS_FILE, 0},
    {write_wres_groups, -1, WRES_GROUPS_FILE, 0},
};
#define N_WRITERS ARRAY_LEN(writers)
#define N_WRITING_THREADS 2

/* The tables are independent reads of the finished model.  Each thread
 * goes down the list: a shared table it writes its part of, a table of
 * one thread it takes unless the other thread has. */
struct writing {
    const struct stats_run *run;
    size_t n_threads;
    struct table_sink sinks[N_WRITERS];
    struct table parts[N_WRITERS][N_WRITING_THREADS];
    struct atomic_file *files[N_WRITERS]; /* finished tables, still under temporary names */
    bool chosen[N_STATS_TABLES];          /* --tables */
    bool taken[N_WRITERS];                /* a table of one thread: being written */
    struct buf errors[N_WRITERS][N_WRITING_THREADS];
    pthread_mutex_t lock;
};

struct writing_thread {
    struct writing *w;
    size_t id;
};

static bool table_wanted(const struct writing *w, size_t i)
{
    return writers[i].table < 0 || w->chosen[writers[i].table]; /* else removed at the commit */
}

static void *write_some(void *arg)
{
    const struct writing_thread *self = arg;
    struct writing *w = self->w;
    pthread_mutex_lock(&w->lock); /* write_tables has made the sinks */
    pthread_mutex_unlock(&w->lock);
    for (size_t i = 0; i < N_WRITERS; i++) {
        if (!table_wanted(w, i))
            continue;
        if (!writers[i].unit_chunk) {
            pthread_mutex_lock(&w->lock);
            bool mine = !w->taken[i];
            w->taken[i] = true;
            pthread_mutex_unlock(&w->lock);
            if (!mine)
                continue;
        }
        struct table *t = &w->parts[i][self->id];
        table_share(t, &w->sinks[i]);
        /* the last part done starts the file's writing to disk while the
         * next table is made */
        table_done(t, writers[i].write(w->run, t, &w->errors[i][self->id]));
    }
    return NULL;
}

/* Both threads write; with one (a thread that cannot be started), each
 * shared table has one part.  The helpers wait at w->lock until every
 * sink knows how many parts it has. */
static void write_tables(struct writing *w)
{
    struct writing_thread self[N_WRITING_THREADS];
    pthread_t helpers[N_WRITING_THREADS];
    pthread_mutex_lock(&w->lock);
    w->n_threads = 1;
    for (size_t k = 1; k < N_WRITING_THREADS; k++) {
        self[k] = (struct writing_thread){w, k};
        if (pthread_create(&helpers[k], NULL, write_some, &self[k]) != 0)
            break;
        w->n_threads++;
    }
    for (size_t i = 0; i < N_WRITERS; i++)
        table_sink_init(&w->sinks[i], writers[i].unit_chunk ? w->n_threads : 1,
                        writers[i].unit_chunk);
    pthread_mutex_unlock(&w->lock);
    self[0] = (struct writing_thread){w, 0};
    write_some(&self[0]);
    for (size_t k = 1; k < w->n_threads; k++)
        pthread_join(helpers[k], NULL);
}

/* Commit the tables written as one set, removing under the same journal
 * (atomic_commit_set) those --tables left out and each table's other form
 * (NAME.csv.gz of a plain run, NAME.csv of a --gzip run), so that the
 * directory holds this run's files only. */
static bool commit_outputs(struct writing *w, struct buf *err)
{
    const char *dir = w->run->opt->output_dir;
    struct atomic_file *files[N_WRITERS];
    char *stale[2 * N_WRITERS];
    size_t n_files = 0, n_stale = 0;
    bool gzip = w->run->opt->gzip;
    for (size_t i = 0; i < N_WRITERS; i++) {
        if (w->files[i])
            files[n_files++] = w->files[i];
        if (!w->files[i] || gzip)
            stale[n_stale++] = xasprintf("%s/%s", dir, writers[i].file);
        if (!w->files[i] || !gzip)
            stale[n_stale++] = xasprintf("%s/%s.gz", dir, writers[i].file);
    }
    char *journal = xasprintf("%s/%s", dir, RESULTS_JOURNAL);
    bool ok = atomic_commit_set(files, n_files, (const char *const *)stale, n_stale, journal, err);
    free(journal);
    for (size_t i = 0; i < n_stale; i++)
        free(stale[i]);
    return ok;
}

/* Write every table chosen, then commit them as one set: on any error the
 * files already in DIR stay as they were. */
static int write_outputs(struct stats_run *run, struct buf *err)
{
    struct writing *w = xcalloc(1, sizeof(*w));
    w->run = run;
    select_parse_tables(run->opt->tables, w->chosen, err); /* checked with the options */
    pthread_mutex_init(&w->lock, NULL);
    for (size_t i = 0; i < N_WRITERS; i++)
        for (size_t k = 0; k < N_WRITING_THREADS; k++)
            buf_init(&w->errors[i][k]);
    write_tables(w);
    bool ok = true;
    for (size_t i = 0; i < N_WRITERS; i++) {
        if (!table_wanted(w, i))
            continue;
        w->files[i] = table_sink_result(&w->sinks[i]); /* a failed one removed */
        for (size_t k = 0; k < N_WRITING_THREADS && ok && !w->files[i]; k++)
            if (w->errors[i][k].len) {
                buf_puts(err, w->errors[i][k].data);
                ok = false;
            }
        if (ok && !w->files[i]) {
            buf_puts(err, "cannot write output");
            ok = false;
        }
    }
    for (size_t i = 0; i < N_WRITERS; i++) {
        if (!ok && w->files[i])
            atomic_abort(w->files[i]);
        table_sink_release(&w->sinks[i]);
        for (size_t k = 0; k < N_WRITING_THREADS; k++)
            buf_release(&w->errors[i][k]);
    }
    if (ok && run->ledger) { /* recorded before published: never the other way round */
        disclosure_record(run, run->ledger);
        ok = ledger_append(run->ledger, run->opt->min_n, err);
        for (size_t i = 0; i < N_WRITERS && !ok; i++)
            if (w->files[i])
                atomic_abort(w->files[i]);
    }
    if (ok)
        ok = commit_outputs(w, err);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return ok ? CLI_OK : CLI_EIO;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    struct stats_options opt = {
        .min_n = DEFAULT_MIN_N, .conf = 0.95, .ci = DEFAULT_CI, .fdr = 0.05};
    int rc = parse_options(argc, argv, &opt);
    if (rc != CLI_RUN)
        return rc;
    const char *replaced = input_in_output(opt.output_dir, argv + optind, (size_t)(argc - optind));
    if (replaced) {
        struct buf shown_input, shown_dir;
        buf_init(&shown_input);
        buf_init(&shown_dir);
        cli_usage_error(&program,
                        "the input '%s' is in --output '%s', whose %s files this run "
                        "replaces: it would be overwritten",
                        text_shown(replaced, &shown_input), text_shown(opt.output_dir, &shown_dir),
                        ends_with(replaced, ".gz") ? ".csv.gz" : ".csv");
        buf_release(&shown_input);
        buf_release(&shown_dir);
        return CLI_EIO;
    }
    if (opt.min_n < DEFAULT_MIN_N) /* the NSS threshold: lower publishes smaller groups */
        fprintf(stderr,
                "candour-stats: warning: --min-n %g is below %d: figures based on %g%s "
                "respondents will be shown\n",
                opt.min_n, DEFAULT_MIN_N, opt.min_n, opt.min_n < DEFAULT_MIN_N - 1 ? " to 10" : "");
    struct stats_run run = {.opt = &opt};
    model_init(&run.model);
    run.model.weighted = opt.weight;
    run.model.weight_by = opt.weight_by;
    size_t n = (size_t)(argc - optind);
    struct source_dataset *src = xcalloc(n, sizeof(*src));
    run.sources = src;
    run.n_sources = n;
    struct buf err;
    buf_init(&err);
    int status = CLI_EDATA;
    bool io_error = false, created = false;
    struct lock_set locks = {0};
    int compare_status = CLI_OK;
    struct overlap_watch overlap = {.allow = opt.allow_overlap};
    struct ledger ledger = {0};
    bool ledger_bad = false;
    if (!make_output_dir(opt.output_dir, &created, &err) ||
        !lock_directories(&locks, &opt, argv + optind, n, &err))
        io_error = true;
    else if (opt.ledger && !ledger_apart(&opt, argv + optind, n, &err))
        io_error = true;
    else if (opt.ledger && !ledger_open(&ledger, opt.ledger, !opt.no_wait, &err, &io_error))
        ledger_bad = true; /* corrupt: bad data; or io_error */
    else if (opt.successors)
        compare_status = successors_read(&run.model.history, opt.successors, &err);
    if (opt.ledger && !ledger_bad && !io_error)
        run.ledger = &ledger;
    if (!io_error && !ledger_bad && compare_status == CLI_OK &&
        load_open(&run.model, src, argv + optind, n, &err, &io_error) &&
        overlap_check_inputs(src, argv + optind, n, &err) &&
        dictionary_build(&run.dict, &run.model, src, n, &err) &&
        load_count(&run.model, &run.hr, src, n, &overlap, &err) &&
        (compare_status = compare_apply(&opt.compare, &run.model, &run.compare, &err)) == CLI_OK) {
        load_pool(&run.model);
        if (!select_resolve(&run.shown, &run.model, opt.orgs, opt.groupings, &err)) {
            status = CLI_EIO;
            goto done;
        }
        disclosure_decide(&run, src, n);
        stats_sort_cells(&run);
        stats_format_common(&run);
        tables_use_gzip(opt.gzip);
        status = write_outputs(&run, &err);
        if (status == CLI_OK) {
            fprintf(stderr,
                    "candour-stats: %zu cells, %zu items, %zu themes; suppressed %zu primary, "
                    "%zu secondary (min-n %g)",
                    run.model.n_cells, run.model.n_items, run.model.n_themes, run.primary,
                    run.secondary, opt.min_n);
            if (run.hr.n_cells) { /* figures outside the model: hidden too, so counted */
                size_t hr_primary, hr_secondary;
                wres_hr_hidden(&run, &hr_primary, &hr_secondary);
                fprintf(stderr,
                        "; WRES 3 rows from HR counts: suppressed %zu primary, %zu secondary",
                        hr_primary, hr_secondary);
            }
            if (run.ledger) /* releases read before this one */
                fprintf(
                    stderr, "; hidden by the ledger %zu (differences from %u earlier release%s)",
                    run.ledger_hidden, ledger.n_releases - 1, ledger.n_releases == 2 ? "" : "s");
            fputc('\n', stderr);
            if (run.disclosure.incomplete || run.disclosure.hr_incomplete)
                fprintf(stderr,
                        "candour-stats: incomplete (rows of aggregated inputs rejected at ingest): "
                        "%zu figures, %zu WRES 3 rows from HR counts; not computed from the "
                        "remaining rows\n",
                        run.disclosure.incomplete, run.disclosure.hr_incomplete);
        }
        if (status == CLI_OK && run.compare.active)
            fprintf(stderr,
                    "candour-stats: comparison set: %zu of %zu organisations, %zu left out (%s); "
                    "in it: %s\n",
                    run.compare.n_in, run.compare.n_orgs, run.compare.n_orgs - run.compare.n_in,
                    run.compare.description, run.compare.types_in);
    }
    if (compare_status != CLI_OK)
        status = compare_status;
done:
    if (io_error)
        status = CLI_EIO; /* a dataset could not be read, as opposed to bad data */
    if (status != CLI_OK) {
        text_fprintf_shown(stderr, "candour-stats: %s", err.data); /* names escaped */
        fputc('\n', stderr);
    }
    if (status != CLI_OK && created)
        rmdir(opt.output_dir); /* made for this run, and nothing written */
    if (opt.ledger)
        ledger_close(&ledger);
    lock_set_release(&locks);
    overlap_release(&overlap);
    buf_release(&err);
    load_close(src, n);
    free(src);
    free(run.order);
    disclosure_release(&run.disclosure);
    select_release(&run.shown);
    compare_summary_release(&run.compare);
    hr_table_release(&run.hr);
    dictionary_release(&run.dict);
    model_release(&run.model);
    return cli_close_stdout(&program, status);
}
