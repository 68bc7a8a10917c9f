/* Comparison sets: which organisations are pooled into the comparisons
 * (ALL and GROUP:<name>) that benchmarks.csv and the report compare each
 * org with.  See compare.h. */
#include "compare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csvin.h"
#include "text.h"

/* ---- the lookup and list files ---------------------------------------------------- */

struct lookup_read {
    const char *path;
    struct strdict orgs; /* org codes */
    char **types;        /* per org code: its type (owned) */
    size_t types_cap;
    size_t org_col, type_col; /* columns of the header, SIZE_MAX when absent */
    bool header_seen;
    bool list; /* a --compare-list file: one org code a line, no header needed */
    struct buf *err;
};

static bool field_is(const struct csvin_record *rec, size_t i, const char *name)
{
    const char *f = rec->field[i];
    size_t len = rec->len[i];
    text_trim(&f, &len);
    return len == strlen(name) && strncasecmp(f, name, len) == 0;
}

static int lookup_fail(struct lookup_read *lr, unsigned long line, const char *fmt, const char *arg)
{
    buf_printf(lr->err, "%s:%lu: ", lr->path, line);
    buf_printf(lr->err, fmt, arg);
    return 1;
}

/* One record of a lookup or list file.  A lookup's header names its columns
 * (org and type, case-insensitive; others are read past); a list's first
 * field of each line is an org code, and a first line reading "org" is its
 * header. */
static int on_lookup_record(void *ctx, const struct csvin_record *rec, struct csvin *in)
{
    (void)in;
    struct lookup_read *lr = ctx;
    if (!lr->header_seen) {
        lr->header_seen = true;
        if (lr->list) {
            lr->org_col = 0;
            if (field_is(rec, 0, "org"))
                return 0;
        } else {
            for (size_t i = 0; i < rec->n_fields; i++) {
                if (field_is(rec, i, "org") && lr->org_col == SIZE_MAX)
                    lr->org_col = i;
                else if (field_is(rec, i, "type") && lr->type_col == SIZE_MAX)
                    lr->type_col = i;
            }
            if (lr->org_col == SIZE_MAX || lr->type_col == SIZE_MAX)
                return lookup_fail(lr, rec->line, "the header needs columns 'org' and 'type'%s",
                                   "");
            return 0;
        }
    }
    size_t need = lr->list ? 1 : (lr->org_col > lr->type_col ? lr->org_col : lr->type_col) + 1;
    if (rec->n_fields < need)
        return lookup_fail(lr, rec->line, "%s", "too few fields");
    const char *org = rec->field[lr->org_col];
    size_t org_len = rec->len[lr->org_col];
    text_trim(&org, &org_len);
    if (!org_len || memchr(org, '\0', org_len))
        return lookup_fail(lr, rec->line, "%s", "blank or invalid org code");
    const char *type = "";
    size_t type_len = 0;
    if (!lr->list) {
        type = rec->field[lr->type_col];
        type_len = rec->len[lr->type_col];
        text_trim(&type, &type_len);
        if (!type_len || memchr(type, '\0', type_len))
            return lookup_fail(lr, rec->line, "%s", "blank or invalid type");
    }
    size_t before = lr->orgs.count;
    uint32_t k = strdict_intern(&lr->orgs, org, org_len);
    if (k < before) {
        if (lr->list)
            return 0;
        if (strlen(lr->types[k]) != type_len || strncmp(lr->types[k], type, type_len) != 0)
            return lookup_fail(lr, rec->line, "org '%s' is given two different types",
                               lr->orgs.strings[k]);
        return 0;
    }
    xgrow(&lr->types, &lr->types_cap, lr->orgs.count, sizeof(*lr->types));
    lr->types[k] = xstrndup(type, type_len);
    return 0;
}

/* Read a lookup (list = false) or list file into lr.  CLI_OK, or CLI_EDATA /
 * CLI_EIO with a message in err. */
static int read_lookup(struct lookup_read *lr, const char *path, bool list, struct buf *err)
{
    memset(lr, 0, sizeof(*lr));
    lr->path = path;
    lr->list = list;
    lr->err = err;
    lr->org_col = lr->type_col = SIZE_MAX;
    strdict_init(&lr->orgs);
    struct csvin in;
    enum csvin_status st = csvin_read(&in, path, on_lookup_record, lr);
    int status = cli_csv_status(&in, st, path, err);
    if (status == CLI_OK && lr->orgs.count == 0) {
        buf_printf(err, "%s: no organisations in the file", path);
        status = CLI_EDATA;
    }
    csvin_close(&in);
    return status;
}

static void lookup_release(struct lookup_read *lr)
{
    for (size_t i = 0; i < lr->orgs.count && lr->types; i++)
        free(lr->types[i]);
    free(lr->types);
    strdict_release(&lr->orgs);
}

/* ---- the set ------------------------------------------------------------------------ */

/* Is name one of the comma-separated entries of list (trimmed, exact)? */
static bool in_list(const char *list, const char *name)
{
    size_t name_len = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        size_t n = len;
        text_trim(&s, &n);
        if (n == name_len && strncmp(s, name, n) == 0)
            return true;
        p += len + (end != NULL);
    }
    return false;
}

int compare_apply(const struct compare_options *opt, struct model *m, struct compare_summary *sum,
                  struct buf *err)
{
    memset(sum, 0, sizeof(*sum));
    sum->active = opt->org_lookup || opt->compare_types || opt->exclude_types ||
                  opt->compare_list || opt->within_type;
    struct lookup_read lookup = {0}, list = {0};
    int status = CLI_OK;
    if (opt->org_lookup)
        status = read_lookup(&lookup, opt->org_lookup, false, err);
    if (status == CLI_OK && opt->compare_list)
        status = read_lookup(&list, opt->compare_list, true, err);
    m->org_outside = xcalloc(m->n_scopes ? m->n_scopes : 1, sizeof(bool));
    m->n_org_outside = m->n_scopes;
    struct strdict types;
    strdict_init(&types);
    size_t *per_type = NULL, per_type_cap = 0;
    for (size_t s = 0; status == CLI_OK && s < m->n_scopes; s++) {
        if (m->scopes[s].kind != SCOPE_ORG)
            continue;
        sum->n_orgs++;
        const char *name = m->scopes[s].name;
        const char *type = m->org_bgroup[s];
        if (opt->org_lookup) {
            int64_t k = strdict_find(&lookup.orgs, name, strlen(name));
            type = k >= 0 ? lookup.types[k] : NULL;
        }
        bool in = true;
        if (opt->compare_types)
            in = type && in_list(opt->compare_types, type);
        if (opt->exclude_types && type && in_list(opt->exclude_types, type))
            in = false;
        if (opt->compare_list && strdict_find(&list.orgs, name, strlen(name)) < 0)
            in = false;
        m->org_outside[s] = !in;
        if (opt->within_type && opt->org_lookup) { /* else the type is the group already */
            free(m->org_bgroup[s]);
            m->org_bgroup[s] = type ? xstrdup(type) : NULL;
            type = m->org_bgroup[s];
        }
        if (!type)
            sum->n_untyped++;
        if (!in)
            continue;
        sum->n_in++;
        const char *label = type ? type : "no type";
        size_t before = types.count;
        uint32_t t = strdict_intern(&types, label, strlen(label));
        if (t >= before) {
            xgrow(&per_type, &per_type_cap, types.count, sizeof(*per_type));
            per_type[t] = 0;
        }
        per_type[t]++;
    }
    struct buf text;
    buf_init(&text);
    for (size_t t = 0; t < types.count; t++)
        buf_printf(&text, "%s%s: %zu", t ? "; " : "", types.strings[t], per_type[t]);
    sum->types_in = xstrdup(text.data ? text.data : "");
    buf_clear(&text);
    if (!sum->active) {
        buf_puts(&text, "all organisations");
    } else {
        const char *sep = "";
        if (opt->compare_types) {
            buf_printf(&text, "type in %s", opt->compare_types);
            sep = "; ";
        }
        if (opt->exclude_types) {
            buf_printf(&text, "%stype not in %s", sep, opt->exclude_types);
            sep = "; ";
        }
        if (opt->compare_list) {
            buf_printf(&text, "%slisted in %s", sep, opt->compare_list);
            sep = "; ";
        }
        if (!*sep)
            buf_puts(&text, "all organisations");
        if (opt->within_type)
            buf_puts(&text, ", benchmarking groups by type");
        buf_printf(&text, " (types from %s)",
                   opt->org_lookup ? opt->org_lookup : "the benchmarking group column");
    }
    sum->description = xstrdup(text.data ? text.data : "");
    buf_release(&text);
    free(per_type);
    strdict_release(&types);
    if (opt->org_lookup)
        lookup_release(&lookup);
    if (opt->compare_list)
        lookup_release(&list);
    return status;
}

void compare_summary_release(struct compare_summary *sum)
{
    free(sum->description);
    free(sum->types_in);
    memset(sum, 0, sizeof(*sum));
}
