#include "results.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "contract.h"
#include "csvin.h"

struct loader {
    struct csv_table *t;
    struct buf *err;
};

/* csvin callback: the first record is the header; every other row must
 * have as many fields. */
static int on_row(void *ctx, const struct csvin_record *rec, struct csvin *in)
{
    (void)in;
    struct loader *l = ctx;
    struct csv_table *t = l->t;
    char **row = xcalloc(rec->n_fields, sizeof(char *));
    for (size_t i = 0; i < rec->n_fields; i++)
        row[i] = xstrndup(rec->field[i], rec->len[i]);
    if (!t->header) {
        t->header = row;
        t->n_columns = rec->n_fields;
        return 0;
    }
    if (rec->n_fields != t->n_columns) {
        buf_printf(l->err, "%s:%lu: expected %zu fields, found %zu", t->path, rec->line,
                   t->n_columns, rec->n_fields);
        for (size_t i = 0; i < rec->n_fields; i++)
            free(row[i]);
        free(row);
        return 1;
    }
    xgrow(&t->rows, &t->cap, t->n_rows + 1, sizeof(*t->rows));
    t->rows[t->n_rows++] = row;
    return 0;
}

bool csv_table_load(struct csv_table *t, const char *dir, const char *name, struct buf *err)
{
    memset(t, 0, sizeof(*t));
    t->path = xasprintf("%s/%s", dir, name);
    struct stat st;
    if (stat(t->path, &st) != 0 && errno == ENOENT) {
        /* candour-stats --gzip wrote NAME.gz (csvin reads gzip) */
        char *gz = xasprintf("%s/%s.gz", dir, name);
        if (stat(gz, &st) != 0 && errno == ENOENT) {
            free(gz);
            return true; /* any other failure shows when csvin opens it */
        }
        free(t->path);
        t->path = gz;
    }
    struct loader l = {t, err};
    struct csvin in;
    enum csvin_status status = csvin_read(&in, t->path, on_row, &l);
    if (status != CSVIN_OK && !err->len)
        buf_printf(err, "%s: %s", t->path, csvin_strerror(&in));
    t->io_error = status == CSVIN_ESOURCE &&
                  (in.src.status == SOURCE_EOPEN || in.src.status == SOURCE_EREAD ||
                   in.src.status == SOURCE_EISDIR);
    csvin_close(&in);
    return status == CSVIN_OK;
}

void csv_table_release(struct csv_table *t)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_columns; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    for (size_t c = 0; t->header && c < t->n_columns; c++)
        free(t->header[c]);
    free(t->header);
    free(t->rows);
    free(t->path);
    memset(t, 0, sizeof(*t));
}

size_t csv_table_column(const struct csv_table *t, const char *name)
{
    for (size_t c = 0; c < t->n_columns; c++)
        if (strcmp(t->header[c], name) == 0)
            return c;
    return (size_t)-1;
}

const char *csv_cell(const struct csv_table *t, size_t r, const char *name)
{
    size_t c = csv_table_column(t, name);
    return c == (size_t)-1 ? "" : t->rows[r][c];
}

/* The tables of r in the order of enum results_file (contract.h). */
static void results_tables(struct results *r, struct csv_table *out[RESULTS_FILES])
{
    out[RESULTS_PROPORTIONS] = &r->proportions;
    out[RESULTS_THEMES] = &r->themes;
    out[RESULTS_DISPARITIES] = &r->disparities;
    out[RESULTS_WRES] = &r->wres;
    out[RESULTS_BENCHMARKS] = &r->benchmarks;
    out[RESULTS_TRENDS] = &r->trends;
    out[RESULTS_SPC] = &r->spc;
    out[RESULTS_HOTSPOTS] = &r->hotspots;
    out[RESULTS_INPUTS] = &r->inputs;
}

/* Does t's header hold every column of the contract (comma-separated
 * names)?  Columns are found by name, so their order does not matter and
 * columns the contract does not name are ignored; a missing file (no
 * header) has nothing to check.  False with a message in err. */
static bool header_complete(const struct csv_table *t, const char *columns, struct buf *err)
{
    if (!t->header)
        return true;
    for (const char *name = columns; *name;) {
        size_t len = strcspn(name, ",");
        bool found = false;
        for (size_t c = 0; c < t->n_columns && !found; c++)
            found = strlen(t->header[c]) == len && memcmp(t->header[c], name, len) == 0;
        if (!found) {
            buf_printf(err, "%s: column '%.*s' missing (written by candour-stats %s?)", t->path,
                       (int)len, name, CANDOUR_VERSION);
            return false;
        }
        name += len + (name[len] == ',');
    }
    return true;
}

bool results_load(struct results *r, const char *dir, struct buf *err)
{
    memset(r, 0, sizeof(*r));
    struct stat st;
    bool found = stat(dir, &st) == 0;
    if (!found || !S_ISDIR(st.st_mode)) {
        r->io_error = true;
        if (!found && errno != ENOENT)
            buf_printf(err, "%s: cannot open: %s", dir, strerror(errno));
        else
            buf_printf(err, "%s: not a results directory (run candour-stats --output %s first)",
                       dir, dir);
        return false;
    }
    char *journal = xasprintf("%s/%s", dir, RESULTS_JOURNAL);
    bool interrupted = access(journal, F_OK) == 0;
    free(journal);
    if (interrupted) {
        buf_printf(err,
                   "%s: candour-stats was stopped while replacing these files, so they mix two "
                   "runs (%s exists): run candour-stats again",
                   dir, RESULTS_JOURNAL);
        return false;
    }
    struct csv_table *tables[RESULTS_FILES];
    results_tables(r, tables);
    bool ok = true;
    for (size_t i = 0; i < RESULTS_FILES && ok; i++)
        ok = csv_table_load(tables[i], dir, RESULTS_CONTRACT[i].file, err) &&
             header_complete(tables[i], RESULTS_CONTRACT[i].columns, err);
    for (size_t i = 0; i < RESULTS_FILES; i++)
        r->io_error |= tables[i]->io_error;
    return ok;
}

void results_release(struct results *r)
{
    struct csv_table *tables[RESULTS_FILES];
    results_tables(r, tables);
    for (size_t i = 0; i < RESULTS_FILES; i++)
        csv_table_release(tables[i]);
}
