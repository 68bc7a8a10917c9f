/* candour-ingest: options, usage and dispatch. */
#include <getopt.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ingest.h"

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

/* Would writing path replace one of the inputs? */
static bool output_is_input(const char *path, char **inputs, int n)
{
    struct stat out;
    if (stat(path, &out) != 0)
        return false;
    for (int i = 0; i < n; i++) {
        struct stat in;
        if (strcmp(inputs[i], "-") != 0 && stat(inputs[i], &in) == 0 && in.st_dev == out.st_dev &&
            in.st_ino == out.st_ino)
            return true;
    }
    return false;
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
    if (output_is_input(opt.output_path, argv + optind, argc - optind) ||
        (opt.rejects_path && output_is_input(opt.rejects_path, argv + optind, argc - optind)))
        return cli_usage_error(&program,
                               "an output file is also an input: it would be overwritten");
    opt.inputs = argv + optind;
    opt.n_inputs = (size_t)(argc - optind);
    opt.progress = isatty(STDERR_FILENO);
    return cli_close_stdout(&program, ingest_run(&opt));
}
