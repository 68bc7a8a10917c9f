/* The command-line skeleton shared by candour-ingest, candour-stats and
 * candour-report: one set of exit statuses, one way to report a usage error,
 * --help and --version, and a checked close of stdout.  Each program's main.c
 * keeps only its own options and its own work. */
#ifndef CANDOUR_CLI_H
#define CANDOUR_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "csvin.h"
#include "util.h"

/* Exit statuses of every candour program (README.md, "Exit status").  Usage
 * and I/O errors share 2: either way the input was never judged. */
enum cli_status {
    CLI_OK = 0,
    CLI_EDATA = 1,   /* bad input data (or bad results, for candour-report) */
    CLI_EIO = 2,     /* usage or I/O error */
    CLI_ECHARTS = 3, /* candour-report only: text written, charts missing */
};

/* What an option parser returns when the program should go on and run,
 * as opposed to an exit status (after --help, --version or an error). */
enum { CLI_RUN = -1 };

/* One program: its name (the prefix of every message) and its --help text. */
struct cli_program {
    const char *name;         /* "candour-stats" */
    void (*usage)(FILE *out); /* the --help text */
};

/* The end of every program's long options: --help, --version, the zeros. */
#define CLI_LONG_OPTIONS_END                                                                       \
    {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'},                         \
    {                                                                                              \
        NULL, 0, NULL, 0                                                                           \
    }

/* getopt_long with getopt's own messages off: a bad option comes back as ':'
 * (missing argument; shortopts must start with ':') or '?' (unknown), for
 * cli_common_option to report.  shortopts holds "hV" too. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* The default case of every program's option switch: -h/--help and
 * -V/--version (written to stdout, which is then closed) and the bad options
 * cli_getopt returns (a usage error: a short option named '-x', also inside a
 * cluster such as -qx, a long one as written).  Returns the exit status. */
int cli_common_option(const struct cli_program *prog, char **argv, int c);

/* "NAME: message" and the pointer to --help on stderr; returns CLI_EIO. */
int cli_usage_error(const struct cli_program *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Close stdout before exiting, so that a failed write (a full disk, a closed
 * pipe) is reported rather than lost.  Returns status, or CLI_EIO when the
 * close fails and status was CLI_OK (a failure already reported keeps its
 * own status). */
int cli_close_stdout(const struct cli_program *prog, int status);

/* The exit status of a finished csvin_read of a side file (a lookup or a
 * map) given as an option: CLI_OK, CLI_EIO when the file could not be read,
 * CLI_EDATA when it is malformed or a callback stopped the read (that
 * callback has written its own message).  Messages go into err as
 * "path: what" or "path:line: what". */
int cli_csv_status(const struct csvin *in, enum csvin_status st, const char *path, struct buf *err);

#endif
