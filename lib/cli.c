/* The command-line skeleton shared by the three programs; see cli.h. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "csvin.h"
#include "text.h"
#include "util.h"

static int try_help(const struct cli_program *prog)
{
    fprintf(stderr, "Try '%s --help' for more information.\n", prog->name);
    return CLI_EIO;
}

int cli_usage_error(const struct cli_program *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog->name);
    va_start(ap, fmt);
    text_vfprintf_shown(stderr, fmt, ap); /* option values as typed: escaped */
    va_end(ap);
    fputc('\n', stderr);
    return try_help(prog);
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
    opterr = 0;
    return getopt_long(argc, argv, shortopts, longopts, NULL);
}

/* getopt_long leaves optopt = 0 for an unknown long option and the option's
 * value for a long option missing its argument; after either, argv[optind - 1]
 * is the long option as written.  A short option may sit inside a cluster
 * (-qx), where argv[optind - 1] is not it, so it is named by its letter. */
static int option_error(const struct cli_program *prog, char **argv, int c)
{
    const char *what = c == ':' ? "missing argument for option" : "unknown option";
    const char *arg = argv[optind - 1];
    bool long_option = c == ':' ? strncmp(arg, "--", 2) == 0 : optopt == 0;
    if (long_option)
        return cli_usage_error(prog, "%s '%s'", what, arg);
    return cli_usage_error(prog, "%s '-%c'", what, optopt);
}

int cli_common_option(const struct cli_program *prog, char **argv, int c)
{
    switch (c) {
    case 'h':
        prog->usage(stdout);
        return cli_close_stdout(prog, CLI_OK);
    case 'V':
        printf("%s %s\n", prog->name, CANDOUR_VERSION);
        return cli_close_stdout(prog, CLI_OK);
    default:
        return option_error(prog, argv, c);
    }
}

int cli_close_stdout(const struct cli_program *prog, int status)
{
    if (fclose(stdout) == 0)
        return status;
    fprintf(stderr, "%s: write error: %s\n", prog->name, strerror(errno));
    return status == CLI_OK ? CLI_EIO : status;
}

int cli_csv_status(const struct csvin *in, enum csvin_status st, const char *path, struct buf *err)
{
    if (st == CSVIN_OK)
        return CLI_OK;
    if (st == CSVIN_ESOURCE) {
        buf_printf(err, "%s: %s", path, csvin_strerror(in));
        return CLI_EIO;
    }
    if (st != CSVIN_ESTOPPED)
        buf_printf(err, "%s:%lu: %s", path, in->error_line, csvin_strerror(in));
    return CLI_EDATA;
}
