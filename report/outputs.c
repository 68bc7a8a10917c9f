#include "outputs.h"

#include <stdlib.h>
#include <string.h>

void outputs_add(struct report_outputs *o, struct atomic_file *af)
{
    xgrow(&o->files, &o->cap, o->n + 1, sizeof(*o->files));
    struct atomic_file *kept = xcalloc(1, sizeof(*kept));
    *kept = *af;
    memset(af, 0, sizeof(*af));
    af->slot = -1;
    o->files[o->n++] = kept;
}

static void release(struct report_outputs *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->files[i]);
    free(o->files);
    memset(o, 0, sizeof(*o));
}

bool outputs_commit(struct report_outputs *o, struct buf *err)
{
    bool ok = atomic_commit_all(o->files, o->n, NULL, err);
    release(o);
    return ok;
}

void outputs_abort(struct report_outputs *o)
{
    for (size_t i = 0; i < o->n; i++)
        atomic_abort(o->files[i]);
    release(o);
}
