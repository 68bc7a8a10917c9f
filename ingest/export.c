/* candour-ingest --export: a dataset back to CSV for R, pandas or Excel.
 * Column names are the stable names (period, org, item ids, ...); answers
 * are written as the scale's codes; text that a spreadsheet would run as a
 * formula is neutralised. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "cli.h"
#include "csvout.h"
#include "dataset.h"
#include "ingest.h"
#include "lock.h"
#include "numfmt.h"
#include "schema.h"
#include "text.h"

static void header_name(const struct ds_column *c, struct buf *line)
{
    const char *suffix = c->role == ROLE_BASE ? "_base" : c->role == ROLE_RATE ? "_rate" : "";
    struct buf name;
    buf_init(&name);
    buf_printf(&name, "%s%s", c->name, suffix);
    csv_put_field(line, name.data, name.len, true);
    buf_release(&name);
}

/* The scale behind each U8 (answer) column, from the embedded schema. */
static const struct scale **answer_scales(const struct dataset *ds, const struct schema *s)
{
    const struct scale **scales = xcalloc(ds->n_columns, sizeof(*scales));
    for (size_t c = 0; c < ds->n_columns; c++) {
        if (ds->columns[c].type != DS_U8)
            continue;
        size_t it = schema_find_item(s, ds->columns[c].name);
        if (it != SCHEMA_NONE && s->items[it].scale != SCHEMA_NONE)
            scales[c] = &s->scales[s->items[it].scale];
    }
    return scales;
}

static bool put_value(const struct dataset *ds, size_t c, const unsigned char *chunk, size_t row,
                      const struct scale *scale, struct buf *line)
{
    const struct ds_column *col = &ds->columns[c];
    switch (col->type) {
    case DS_U8: {
        unsigned v = chunk[row];
        if (v == 0)
            return true;
        if (!scale || v > scale->n_entries)
            return false;
        const char *code = scale->entries[v - 1].code;
        csv_put_field(line, code, strlen(code), true);
        return true;
    }
    case DS_STR: {
        uint32_t code;
        memcpy(&code, chunk + 4 * row, 4);
        const char *s = col->dict.strings[code];
        csv_put_field(line, s, strlen(s), true);
        return true;
    }
    case DS_I64: {
        int64_t v;
        memcpy(&v, chunk + 8 * row, 8);
        if (v != DS_I64_MISSING)
            buf_printf(line, "%lld", (long long)v);
        return true;
    }
    case DS_F64: {
        double v;
        memcpy(&v, chunk + 8 * row, 8);
        if (!isnan(v)) {
            char text[NUMFMT_MAX];
            size_t len = numfmt_shortest(text, v);
            buf_append(line, text, len);
        }
        return true;
    }
    }
    return false;
}

static bool export_rows(const struct dataset *ds, const struct scale **scales,
                        struct atomic_file *out, struct buf *err)
{
    unsigned char **chunks = xcalloc(ds->n_columns, sizeof(*chunks));
    for (size_t c = 0; c < ds->n_columns; c++)
        chunks[c] = xmalloc(DATASET_BLOCK_ROWS * ds_type_size(ds->columns[c].type));
    struct buf line;
    buf_init(&line);
    bool ok = true;
    for (size_t b = 0; b < ds->n_blocks && ok; b++) {
        for (size_t c = 0; c < ds->n_columns && ok; c++)
            ok = dataset_read_chunk(ds, b, c, chunks[c], err);
        for (size_t r = 0; r < ds->blocks[b].n_rows && ok; r++) {
            buf_clear(&line);
            for (size_t c = 0; c < ds->n_columns && ok; c++) {
                if (c)
                    buf_putc(&line, ',');
                ok = put_value(ds, c, chunks[c], r, scales[c], &line);
                if (!ok)
                    buf_printf(err, "%s: column '%s' holds an answer outside its scale", ds->path,
                               ds->columns[c].name);
            }
            buf_putc(&line, '\n');
            if (ok && !atomic_write(out, line.data, line.len)) {
                buf_printf(err, "%s: write failed: %s", out->final_path,
                           strerror(out->write_errno));
                ok = false;
            }
        }
    }
    buf_release(&line);
    for (size_t c = 0; c < ds->n_columns; c++)
        free(chunks[c]);
    free(chunks);
    return ok;
}

int export_run(const char *dataset_path, const char *output_path)
{
    struct buf err;
    buf_init(&err);
    int status = CLI_OK;
    /* read under a shared lock of its directory: an ingest replacing the
     * dataset and its rejects file is waited for (lib/lock.h) */
    struct lock_set locks = {0};
    if (lock_set_add_parent(&locks, dataset_path, false, &err))
        lock_set_take(&locks, "candour-ingest", true, &err);
    buf_clear(&err); /* a directory that cannot be opened: loading says why */
    enum ds_open_error why;
    struct dataset *ds = dataset_load(dataset_path, &err, &why);
    struct schema *s = NULL;
    if (ds) {
        s = schema_parse("(schema embedded in dataset)", ds->schema_text, strlen(ds->schema_text),
                         &err);
        if (!s)
            status = CLI_EDATA;
    } else {
        status = why == DS_OPEN_EIO ? CLI_EIO : CLI_EDATA;
    }
    struct atomic_file out;
    if (status == CLI_OK && !atomic_open(&out, output_path, 0644, &err))
        status = CLI_EIO;
    if (status == CLI_OK) {
        const struct scale **scales = answer_scales(ds, s);
        struct buf line;
        buf_init(&line);
        for (size_t c = 0; c < ds->n_columns; c++) {
            if (c)
                buf_putc(&line, ',');
            header_name(&ds->columns[c], &line);
        }
        buf_putc(&line, '\n');
        atomic_write(&out, line.data, line.len); /* a failure shows at the commit */
        buf_release(&line);
        bool ok = export_rows(ds, scales, &out, &err);
        free(scales);
        if (!ok) {
            status = out.write_errno ? CLI_EIO : CLI_EDATA; /* an I/O error or bad data */
            atomic_abort(&out);
        } else if (!atomic_commit(&out, &err)) {
            status = CLI_EIO;
        }
    }
    if (status != CLI_OK) {
        text_fprintf_shown(stderr, "candour-ingest: %s", err.data);
        fputc('\n', stderr);
    }
    buf_release(&err);
    schema_free(s);
    dataset_close(ds);
    lock_set_release(&locks);
    return status;
}
