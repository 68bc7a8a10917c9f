/* The files of one candour-report run, held under temporary names until the
 * run is over and then renamed into place together, so that a run stopped by
 * an I/O error leaves OUTDIR as it was. */
#ifndef CANDOUR_REPORT_OUTPUTS_H
#define CANDOUR_REPORT_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "atomic.h"
#include "util.h"

struct report_outputs {
    struct atomic_file **files; /* each heap-allocated: owned here */
    size_t n, cap;
};

/* Take over af (opened with atomic_open, fully written); af is left empty. */
void outputs_add(struct report_outputs *o, struct atomic_file *af);
/* Rename every file into place (atomic_commit_all): all or none.  False with
 * a message in err. */
bool outputs_commit(struct report_outputs *o, struct buf *err);
/* Remove every file's temporary file. */
void outputs_abort(struct report_outputs *o);

#endif
