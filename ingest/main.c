/* candour-ingest: options, usage and dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "ingest.h"
#include "text.h"

static void usage(FILE *out)
{
    fputs("Usage: candour-ingest --schema FILE --output DATASET [--rejects FILE] INPUT...\n"
          "       candour-ingest --export DATASET [--output FILE]\n"
          "\n"
          "Validate staff survey or HR exports (CSV, plain or gzip; '-' is stdin) against\n"
          "a schema, drop identifiers and free text, and write a compact dataset.\n"
          "\n"
          "  -s, --schema FILE    schema describing the input layout (see schemas/README.md)\n"
          "  -o, --output PATH    dataset to write (with --export: CSV file, default stdout)\n"
          "  -r, --rejects FILE   write bad rows here (mode 0600) and ingest the rest;\n"
          "                       without it any bad row fails the run\n"
          "  -p, --period P       the period of every row, for a schema without a period\n"
          "                       column (a file that gives none)\n"
          "  -e, --export DATASET write a dataset back as CSV\n"
          "  -q, --quiet          no summary on stderr\n"
          "      --no-wait        fail at once when another run is writing into the\n"
          "                       directory of an output (default: wait for it)\n"
          "  -h, --help           show this help\n"
          "  -V, --version        show the version\n"
          "\n"
          "Exit status: 0 ok, 1 bad input data, 2 usage or I/O error.\n",
          out);
}

static const struct cli_program program = {"candour-ingest", usage};

/* The input (the schema, or an input file) that writing path would
 * replace, or NULL.  Compared by st_dev and st_ino, not by name. */
static const char *replaced_input(const char *path, const char *schema, char **inputs, int n)
{
    if (schema && same_file(path, schema))
        return schema;
    for (int i = 0; i < n; i++)
        if (strcmp(inputs[i], "-") != 0 && same_file(path, inputs[i]))
            return inputs[i];
    return NULL;
}

/* A usage error naming the output and the input it would overwrite. */
static int overwrite_error(const char *option, const char *path, const char *input)
{
    struct buf shown_path, shown_input;
    buf_init(&shown_path);
    buf_init(&shown_input);
    int rc = cli_usage_error(&program, "%s '%s' is the input '%s': it would be overwritten", option,
                             text_shown(path, &shown_path), text_shown(input, &shown_input));
    buf_release(&shown_path);
    buf_release(&shown_input);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"schema", required_argument, NULL, 's'},  {"output", required_argument, NULL, 'o'},
        {"rejects", required_argument, NULL, 'r'}, {"export", required_argument, NULL, 'e'},
        {"quiet", no_argument, NULL, 'q'},         {"no-wait", no_argument, NULL, 'W'},
        {"period", required_argument, NULL, 'p'},  CLI_LONG_OPTIONS_END,
    };
    struct ingest_options opt = {0};
    const char *export_path = NULL;
    int c;
    while ((c = cli_getopt(argc, argv, ":s:o:r:e:p:qhV", long_options)) != -1) {
        switch (c) {
        case 'p':
            opt.period = optarg;
            break;
        case 's':
            opt.schema_path = optarg;
            break;
        case 'o':
            opt.output_path = optarg;
            break;
        case 'r':
            opt.rejects_path = optarg;
            break;
        case 'e':
            export_path = optarg;
            break;
        case 'q':
            opt.quiet = true;
            break;
        case 'W':
            opt.no_wait = true;
            break;
        default: /* -h, -V or a bad option */
            return cli_common_option(&program, argv, c);
        }
    }
    if (export_path) {
        if (opt.schema_path || opt.rejects_path || opt.period || optind < argc)
            return cli_usage_error(
                &program, "--export takes a dataset and optionally --output, nothing else");
        if (opt.output_path && strcmp(opt.output_path, "-") != 0 &&
            same_file(opt.output_path, export_path))
            return overwrite_error("--output", opt.output_path, export_path);
        return cli_close_stdout(&program,
                                export_run(export_path, opt.output_path ? opt.output_path : "-"));
    }
    if (!opt.schema_path)
        return cli_usage_error(&program, "missing --schema FILE");
    if (!opt.output_path)
        return cli_usage_error(&program, "missing --output DATASET");
    if (optind >= argc)
        return cli_usage_error(&program, "no input files (use '-' for stdin)");
    if (opt.rejects_path && strcmp(opt.rejects_path, opt.output_path) == 0)
        return cli_usage_error(&program, "--rejects and --output must be different files");
    const char *input =
        replaced_input(opt.output_path, opt.schema_path, argv + optind, argc - optind);
    if (input)
        return overwrite_error("--output", opt.output_path, input);
    if (opt.rejects_path &&
        (input = replaced_input(opt.rejects_path, opt.schema_path, argv + optind, argc - optind)))
        return overwrite_error("--rejects", opt.rejects_path, input);
    opt.inputs = argv + optind;
    opt.n_inputs = (size_t)(argc - optind);
    opt.progress = isatty(STDERR_FILENO);
    return cli_close_stdout(&program, ingest_run(&opt));
}
