/* Output files that appear complete or not at all.
 *
 * A regular file is written to a temporary name in the same directory and
 * renamed over the final name only after fsync, so a failed or killed run
 * leaves the previous file (if any) intact and no partial file under the
 * final name.  Temporary files are removed on failure and on SIGINT, SIGTERM,
 * SIGHUP and SIGPIPE.  Outputs that are not regular files (/dev/full, a
 * pipe, "-" for stdout) are written directly. */
#ifndef CANDOUR_ATOMIC_H
#define CANDOUR_ATOMIC_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "util.h"

struct atomic_file {
    char *final_path; /* "(stdout)" for "-": it names the output in messages */
    char *temp_path; /* NULL when writing directly */
    FILE *fp;
    int slot;        /* in the signal cleanup table, -1 if none */
};

/* Open for writing; mode is applied (minus umask) to the final file.  On
 * error returns false with "path: reason" in err. */
bool atomic_open(struct atomic_file *af, const char *path, mode_t mode, struct buf *err);
/* Flush, fsync and rename into place.  On error the temporary file is
 * removed and false is returned with a message in err. */
bool atomic_commit(struct atomic_file *af, struct buf *err);
/* Give up: close and remove the temporary file. */
void atomic_abort(struct atomic_file *af);

#endif
