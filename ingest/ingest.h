/* candour-ingest: validate survey and HR exports against a schema, drop
 * identifying columns, and write a dataset (lib/dataset.h). */
#ifndef CANDOUR_INGEST_H
#define CANDOUR_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#define INGEST_MAX_MESSAGES 50 /* row errors printed before "... and N more" */

struct schema;

struct ingest_options {
    const char *schema_path;
    const struct schema *schema; /* when not NULL, used instead of loading
                                    schema_path (the fuzz target parses it once);
                                    not freed */
    const char *output_path;
    const char *rejects_path; /* NULL: any bad row fails the run */
    const char *period;       /* --period: every row's period, for a schema
                                 without a period column; NULL otherwise */
    char **inputs;
    size_t n_inputs;
    bool quiet;
    bool progress; /* stderr is a terminal */
    bool no_wait;  /* another run writing into an output's directory: fail, not wait */
};

/* Returns the exit status (enum cli_status): CLI_OK, CLI_EDATA for bad data,
 * CLI_EIO for I/O or usage problems.  Messages go to stderr. */
int ingest_run(const struct ingest_options *opt);

/* Write a dataset back as CSV to output_path ("-" for stdout); returns the
 * exit status as ingest_run does. */
int export_run(const char *dataset_path, const char *output_path);

#endif
