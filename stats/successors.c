/* Organisations across years: see successors.h. */
#include "successors.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "csvin.h"
#include "period.h"
#include "text.h"

enum { COL_ORG, COL_FROM, COL_TO, COL_SUCCESSOR, N_COLS };
static const char *const col_names[N_COLS] = {"org", "from", "to", "successor"};

struct map_read {
    const char *path;
    struct org_history *h;
    size_t col[N_COLS];
    bool header_seen;
    struct buf *err;
};

static int map_fail(struct map_read *mr, unsigned long line, const char *msg, const char *arg)
{
    buf_printf(mr->err, "%s:%lu: ", mr->path, line);
    buf_printf(mr->err, msg, arg);
    return 1;
}

/* Field i of rec, trimmed, as a new string; NULL when blank or holding a NUL. */
static char *field_dup(const struct csvin_record *rec, size_t i)
{
    const char *f = rec->field[i];
    size_t len = rec->len[i];
    text_trim(&f, &len);
    if (!len || memchr(f, '\0', len))
        return NULL;
    return xstrndup(f, len);
}

static bool ordinal_of(const char *text, long *out)
{
    struct period p;
    if (!period_parse(text, strlen(text), &p))
        return false;
    *out = period_ordinal(&p);
    return true;
}

static int on_map_record(void *ctx, const struct csvin_record *rec, struct csvin *in)
{
    (void)in;
    struct map_read *mr = ctx;
    if (!mr->header_seen) {
        mr->header_seen = true;
        for (size_t k = 0; k < N_COLS; k++) {
            mr->col[k] = SIZE_MAX;
            for (size_t i = 0; i < rec->n_fields && mr->col[k] == SIZE_MAX; i++) {
                const char *f = rec->field[i];
                size_t len = rec->len[i];
                text_trim(&f, &len);
                if (len == strlen(col_names[k]) && strncasecmp(f, col_names[k], len) == 0)
                    mr->col[k] = i;
            }
            if (mr->col[k] == SIZE_MAX)
                return map_fail(mr, rec->line, "the header needs the column '%s'", col_names[k]);
        }
        return 0;
    }
    char *v[N_COLS] = {NULL};
    int rc = 0;
    for (size_t k = 0; k < N_COLS && !rc; k++)
        if (mr->col[k] >= rec->n_fields || !(v[k] = field_dup(rec, mr->col[k])))
            rc = map_fail(mr, rec->line, "'%s' is missing or blank", col_names[k]);
    struct org_link link = {0};
    if (!rc && (!ordinal_of(v[COL_FROM], &link.from) || !ordinal_of(v[COL_TO], &link.to)))
        rc = map_fail(mr, rec->line, "%s", "from and to must be periods (2022, 2023-Q1, 2023-04)");
    if (!rc && link.from > link.to)
        rc = map_fail(mr, rec->line, "%s", "'from' is after 'to'");
    if (!rc && strcmp(v[COL_ORG], v[COL_SUCCESSOR]) == 0)
        rc = map_fail(mr, rec->line, "org '%s' is its own successor", v[COL_ORG]);
    if (!rc) {
        struct org_history *h = mr->h;
        for (size_t i = 0; i < h->n_links && !rc; i++)
            if (strcmp(h->links[i].org, v[COL_ORG]) == 0 && h->links[i].from <= link.to &&
                link.from <= h->links[i].to)
                rc = map_fail(mr, rec->line, "org '%s' has two successors for one period",
                              v[COL_ORG]);
        if (!rc) {
            link.org = v[COL_ORG];
            link.successor = v[COL_SUCCESSOR];
            v[COL_ORG] = v[COL_SUCCESSOR] = NULL;
            xgrow(&h->links, &h->links_cap, h->n_links + 1, sizeof(*h->links));
            h->links[h->n_links++] = link;
        }
    }
    for (size_t k = 0; k < N_COLS; k++)
        free(v[k]);
    return rc;
}

int successors_read(struct org_history *h, const char *path, struct buf *err)
{
    struct map_read mr = {.path = path, .h = h, .err = err};
    struct csvin in;
    enum csvin_status st = csvin_read(&in, path, on_map_record, &mr);
    int status = cli_csv_status(&in, st, path, err);
    if (status == CLI_OK && !mr.header_seen) {
        buf_printf(err, "%s: file is empty", path);
        status = CLI_EDATA;
    }
    csvin_close(&in);
    return status;
}

void org_history_name(struct org_history *h, uint32_t scope, uint32_t period, const char *name)
{
    if (!*name || *org_history_name_of(h, scope, period))
        return;
    xgrow(&h->names, &h->names_cap, h->n_names + 1, sizeof(*h->names));
    h->names[h->n_names++] = (struct org_name){scope, period, xstrdup(name)};
}

const char *org_history_name_of(const struct org_history *h, uint32_t scope, uint32_t period)
{
    for (size_t i = 0; i < h->n_names; i++)
        if (h->names[i].scope == scope && h->names[i].period == period)
            return h->names[i].name;
    return "";
}

const char *org_history_successor(const struct org_history *h, const char *org, long ordinal)
{
    /* a chain visits each link at most once */
    for (size_t hops = 0; hops <= h->n_links; hops++) {
        size_t i = 0;
        while (i < h->n_links && !(strcmp(h->links[i].org, org) == 0 &&
                                   h->links[i].from <= ordinal && ordinal <= h->links[i].to))
            i++;
        if (i == h->n_links)
            return org;
        org = h->links[i].successor;
    }
    return org;
}

void org_history_release(struct org_history *h)
{
    for (size_t i = 0; i < h->n_links; i++) {
        free(h->links[i].org);
        free(h->links[i].successor);
    }
    free(h->links);
    for (size_t i = 0; i < h->n_names; i++)
        free(h->names[i].name);
    free(h->names);
    memset(h, 0, sizeof(*h));
}
