#include "results.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "contract.h"
#include "csvin.h"
#include "csvout.h"

#define NO_COLUMN ((size_t)-1)

/* ---- which rows are kept (struct results_filter) --------------------------- */

enum keep {
    KEEP_EVERY,
    KEEP_NONE,
    KEEP_WHOLE_SCOPE,   /* group_dim is all */
    KEEP_ORG,           /* the org's rows */
    KEEP_ORG_OR_FUNNEL, /* the org's rows and every whole-org row (benchmarks) */
    KEEP_ORG_OR_GROUPS, /* the org's rows and the GROUP: scopes' whole-scope rows
                           (proportions: the trend chart's benchmarking group line) */
};

/* The choice for one table, and the columns it reads (found in the header:
 * NO_COLUMN when absent). */
struct row_choice {
    enum keep keep;
    bool scopes; /* note every row's (org, period) */
    const char *org;
    size_t org_len;
    size_t org_col, period_col, dim_col, group_col;
    size_t n_keys; /* columns 0..n_keys-1 hold every one of them */
};

struct slice {
    const char *s;
    size_t len;
};

static bool slice_is(struct slice f, const char *text)
{
    return f.len == strlen(text) && memcmp(f.s, text, f.len) == 0;
}

static bool same_slice(struct slice a, struct slice b)
{
    return a.len == b.len && memcmp(a.s, b.s, a.len) == 0;
}

/* Is the org field f the org code, once candour-stats' spreadsheet
 * apostrophe is taken off (fmt_unformula)? */
static bool org_is(struct slice f, const struct row_choice *c)
{
    if (f.len && f.s[0] == '\'' && csv_is_formula_like(f.s + 1, f.len - 1)) {
        f.s++;
        f.len--;
    }
    return f.len == c->org_len && memcmp(f.s, c->org, f.len) == 0;
}

/* The choice for a table of kind `file` under filter, before its header is
 * known. */
static struct row_choice choice_for(enum results_file file, const struct results_filter *filter)
{
    struct row_choice c = {.keep = KEEP_EVERY};
    c.scopes = file == RESULTS_PROPORTIONS || file == RESULTS_THEMES || file == RESULTS_WRES ||
               file == RESULTS_HOTSPOTS; /* RESULTS_SCOPE_TABLES */
    if (filter && filter->org) {
        c.keep = file == RESULTS_BENCHMARKS    ? KEEP_ORG_OR_FUNNEL
                 : file == RESULTS_PROPORTIONS ? KEEP_ORG_OR_GROUPS
                                               : KEEP_ORG;
        c.org = filter->org;
        c.org_len = strlen(filter->org);
    } else if (filter && filter->all) {
        /* trends: the orgs' names in the national funnel's point titles */
        if (file == RESULTS_PROPORTIONS || file == RESULTS_THEMES || file == RESULTS_BENCHMARKS ||
            file == RESULTS_TRENDS)
            c.keep = KEEP_WHOLE_SCOPE;
        else if (file != RESULTS_WRES && file != RESULTS_INPUTS)
            c.keep = KEEP_NONE;
    }
    return c;
}

static size_t find_column(const struct slice *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (slice_is(names[i], name))
            return i;
    return NO_COLUMN;
}

/* Complete c from the header's column names: a choice whose columns the
 * header lacks keeps every row (the header check then refuses the file). */
static void choice_columns(struct row_choice *c, const struct slice *names, size_t n)
{
    c->org_col = find_column(names, n, "org");
    c->period_col = find_column(names, n, "period");
    c->dim_col = find_column(names, n, "group_dim");
    c->group_col = find_column(names, n, "group");
    if (c->org_col == NO_COLUMN || c->period_col == NO_COLUMN)
        c->scopes = false;
    if ((c->keep == KEEP_ORG_OR_FUNNEL || c->keep == KEEP_ORG_OR_GROUPS) &&
        (c->dim_col == NO_COLUMN || c->group_col == NO_COLUMN))
        c->keep = KEEP_ORG;
    if ((c->keep == KEEP_ORG && c->org_col == NO_COLUMN) ||
        (c->keep == KEEP_WHOLE_SCOPE && c->dim_col == NO_COLUMN) ||
        (c->keep == KEEP_NONE && c->org_col == NO_COLUMN))
        c->keep = KEEP_EVERY;
    c->n_keys = 0;
    size_t cols[] = {c->org_col, c->period_col, c->dim_col, c->group_col};
    for (size_t i = 0; i < ARRAY_LEN(cols); i++)
        if (cols[i] != NO_COLUMN && cols[i] + 1 > c->n_keys)
            c->n_keys = cols[i] + 1;
}

/* The key fields of a row (its first c->n_keys fields in f). */
struct keys {
    struct slice org, period, dim, group;
};

static struct slice field_or_empty(const struct slice *f, size_t col)
{
    return col == NO_COLUMN ? (struct slice){"", 0} : f[col];
}

static struct keys row_keys(const struct row_choice *c, const struct slice *f)
{
    return (struct keys){field_or_empty(f, c->org_col), field_or_empty(f, c->period_col),
                         field_or_empty(f, c->dim_col), field_or_empty(f, c->group_col)};
}

static bool wanted(const struct row_choice *c, const struct keys *k)
{
    switch (c->keep) {
    case KEEP_EVERY:
        return true;
    case KEEP_NONE:
        return false;
    case KEEP_WHOLE_SCOPE:
        return slice_is(k->dim, "all");
    case KEEP_ORG_OR_FUNNEL:
        if (slice_is(k->dim, "all") && slice_is(k->group, "all"))
            return true;
        return org_is(k->org, c);
    case KEEP_ORG_OR_GROUPS:
        if (slice_is(k->dim, "all") && slice_is(k->group, "all") &&
            k->org.len > SCOPE_GROUP_PREFIX_LEN &&
            memcmp(k->org.s, SCOPE_GROUP_PREFIX, SCOPE_GROUP_PREFIX_LEN) == 0)
            return true;
        return org_is(k->org, c);
    case KEEP_ORG:
        return org_is(k->org, c);
    }
    return true;
}

/* ---- the reading thread: rows skipped before they are split ---------------- */

/* csvin_skip_fn's context: the reading thread's own. */
struct raw_filter {
    struct row_choice choice; /* completed from the raw header */
    bool ready;               /* the header was offered and understood */
    size_t n_columns;
    struct slice *fields; /* n_keys */
    struct buf last_org, last_period;
};

/* Cut line at commas into at most n fields; the number found. */
static size_t split_raw(const char *line, size_t len, struct slice *out, size_t n)
{
    size_t found = 0;
    const char *p = line, *end = line + len;
    while (found < n) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        out[found++] = (struct slice){p, (size_t)(stop - p)};
        if (!comma)
            break;
        p = comma + 1;
    }
    return found;
}

/* Would libcsv trim this field (csvin_skip_fn)? */
static bool blank_edge(struct slice f)
{
    return f.len &&
           (f.s[0] == ' ' || f.s[0] == '\t' || f.s[f.len - 1] == ' ' || f.s[f.len - 1] == '\t');
}

static void raw_header(struct raw_filter *rf, const char *line, size_t len, size_t n_fields)
{
    struct slice *names = xcalloc(n_fields, sizeof(*names));
    split_raw(line, len, names, n_fields);
    bool trimmed = false;
    for (size_t i = 0; i < n_fields; i++)
        trimmed |= blank_edge(names[i]);
    choice_columns(&rf->choice, names, n_fields);
    free(names);
    rf->n_columns = n_fields;
    rf->ready = !trimmed && (rf->choice.keep != KEEP_EVERY || rf->choice.scopes);
    rf->fields = xcalloc(rf->choice.n_keys ? rf->choice.n_keys : 1, sizeof(*rf->fields));
}

static void set_last(struct buf *b, struct slice f)
{
    buf_clear(b);
    buf_append(b, f.s, f.len);
}

/* csvin_skip_fn: the first record is the header (its columns are read, it
 * is kept), the second is kept (csv_table's first row); after them a row
 * is skipped when the choice does not want it, but not when its field
 * count is wrong (the loader says so), a key field has a blank at an edge
 * (libcsv trims it), or, in a table of scopes, its (org, period) differs
 * from the row before (so that the loader sees every one). */
static bool skip_raw(void *ctx, const char *line, size_t len, size_t n_fields, unsigned long index)
{
    struct raw_filter *rf = ctx;
    if (index == 0) {
        raw_header(rf, line, len, n_fields);
        return false;
    }
    if (index == 1 || !rf->ready || n_fields != rf->n_columns)
        return false;
    const struct row_choice *c = &rf->choice;
    split_raw(line, len, rf->fields, c->n_keys);
    struct keys k = row_keys(c, rf->fields);
    if (blank_edge(k.org) || blank_edge(k.period) || blank_edge(k.dim) || blank_edge(k.group))
        return false;
    if (c->scopes) {
        struct slice last_org = {rf->last_org.data ? rf->last_org.data : "", rf->last_org.len},
                     last_period = {rf->last_period.data ? rf->last_period.data : "",
                                    rf->last_period.len};
        if (!same_slice(k.org, last_org) || !same_slice(k.period, last_period)) {
            set_last(&rf->last_org, k.org);
            set_last(&rf->last_period, k.period);
            return false;
        }
    }
    return !wanted(c, &k);
}

/* ---- the caller's thread: rows kept ------------------------------------------ */

struct loader {
    struct csv_table *t;
    struct buf *err;
    struct row_choice choice; /* completed from the parsed header */
    struct slice *fields;
    struct strdict pairs; /* "org:period" codes noted */
    bool have_last;
    struct scope_period last;
};

/* One allocation: the field pointers, then the NUL-terminated fields. */
static char **copy_row(const struct csvin_record *rec)
{
    size_t bytes = rec->n_fields * sizeof(char *);
    for (size_t i = 0; i < rec->n_fields; i++)
        bytes += rec->len[i] + 1;
    char **row = xmalloc(bytes ? bytes : 1);
    char *text = (char *)(row + rec->n_fields);
    for (size_t i = 0; i < rec->n_fields; i++) {
        row[i] = text;
        memcpy(text, rec->field[i], rec->len[i]);
        text[rec->len[i]] = '\0';
        text += rec->len[i] + 1;
    }
    return row;
}

/* Note the (org, period) of a row in t's scopes, once each. */
static void note_scope(struct loader *l, const struct keys *k)
{
    struct csv_table *t = l->t;
    struct scope_period sp = {strdict_intern(&t->orgs, k->org.s, k->org.len),
                              strdict_intern(&t->periods, k->period.s, k->period.len)};
    if (l->have_last && sp.org == l->last.org && sp.period == l->last.period)
        return;
    l->have_last = true;
    l->last = sp;
    char key[32];
    int n = snprintf(key, sizeof(key), "%u:%u", sp.org, sp.period);
    size_t before = l->pairs.count;
    strdict_intern(&l->pairs, key, (size_t)n);
    if (l->pairs.count == before)
        return;
    xgrow(&t->scopes, &t->scopes_cap, t->n_scopes + 1, sizeof(*t->scopes));
    t->scopes[t->n_scopes++] = sp;
}

static void parsed_header(struct loader *l, const struct csvin_record *rec)
{
    struct slice *names = xcalloc(rec->n_fields ? rec->n_fields : 1, sizeof(*names));
    for (size_t i = 0; i < rec->n_fields; i++)
        names[i] = (struct slice){rec->field[i], rec->len[i]};
    choice_columns(&l->choice, names, rec->n_fields);
    free(names);
    l->fields = xcalloc(l->choice.n_keys ? l->choice.n_keys : 1, sizeof(*l->fields));
}

/* csvin callback: the first record is the header; every other row must
 * have as many fields, and is kept when the choice wants it. */
static int on_row(void *ctx, const struct csvin_record *rec, struct csvin *in)
{
    (void)in;
    struct loader *l = ctx;
    struct csv_table *t = l->t;
    if (!t->header) {
        t->header = copy_row(rec);
        t->n_columns = rec->n_fields;
        parsed_header(l, rec);
        return 0;
    }
    if (rec->n_fields != t->n_columns) {
        buf_printf(l->err, "%s:%lu: expected %zu fields, found %zu", t->path, rec->line,
                   t->n_columns, rec->n_fields);
        return 1;
    }
    if (!t->first)
        t->first = copy_row(rec);
    for (size_t i = 0; i < l->choice.n_keys; i++)
        l->fields[i] = (struct slice){rec->field[i], rec->len[i]};
    struct keys k = row_keys(&l->choice, l->fields);
    if (l->choice.scopes)
        note_scope(l, &k);
    if (!wanted(&l->choice, &k))
        return 0;
    xgrow(&t->rows, &t->cap, t->n_rows + 1, sizeof(*t->rows));
    t->rows[t->n_rows++] = copy_row(rec);
    return 0;
}

/* Read DIR/NAME (or DIR/NAME.gz, as candour-stats --gzip writes it) into t
 * under choice.  A missing file gives an empty table (no header) and true;
 * an unreadable (io_error) or malformed one false with a message in err. */
static bool csv_table_load(struct csv_table *t, const char *dir, const char *name,
                           const struct row_choice *choice, struct buf *err)
{
    memset(t, 0, sizeof(*t));
    strdict_init(&t->orgs);
    strdict_init(&t->periods);
    t->path = xasprintf("%s/%s", dir, name);
    struct stat st;
    if (stat(t->path, &st) != 0 && errno == ENOENT) {
        char *gz = xasprintf("%s/%s.gz", dir, name);
        if (stat(gz, &st) != 0 && errno == ENOENT) {
            free(gz);
            return true; /* any other failure shows when csvin opens it */
        }
        free(t->path);
        t->path = gz;
    }
    struct loader l = {.t = t, .err = err, .choice = *choice};
    strdict_init(&l.pairs);
    struct raw_filter rf = {.choice = *choice};
    buf_init(&rf.last_org);
    buf_init(&rf.last_period);
    bool filtering = choice->keep != KEEP_EVERY || choice->scopes;
    struct csvin in;
    enum csvin_status status =
        csvin_read_filtered(&in, t->path, filtering ? skip_raw : NULL, &rf, on_row, &l);
    if (status != CSVIN_OK && !err->len)
        buf_printf(err, "%s: %s", t->path, csvin_strerror(&in));
    t->io_error = status == CSVIN_ESOURCE &&
                  (in.src.status == SOURCE_EOPEN || in.src.status == SOURCE_EREAD ||
                   in.src.status == SOURCE_EISDIR);
    csvin_close(&in);
    free(rf.fields);
    buf_release(&rf.last_org);
    buf_release(&rf.last_period);
    free(l.fields);
    strdict_release(&l.pairs);
    return status == CSVIN_OK;
}

void csv_table_release(struct csv_table *t)
{
    for (size_t r = 0; r < t->n_rows; r++)
        free(t->rows[r]);
    free(t->header);
    free(t->first);
    free(t->rows);
    free(t->path);
    strdict_release(&t->orgs);
    strdict_release(&t->periods);
    free(t->scopes);
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

const char *csv_first_cell(const struct csv_table *t, const char *name)
{
    size_t c = csv_table_column(t, name);
    return c == (size_t)-1 || !t->first ? "" : t->first[c];
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
    out[RESULTS_ITEMS] = &r->items;
    out[RESULTS_WRES_GROUPS] = &r->wres_groups;
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

/* The tables are independent, so two threads take them in turn from a
 * shared counter (the largest are a few hundred megabytes each). */
struct loading {
    const char *dir;
    const struct results_filter *filter;
    struct csv_table *tables[RESULTS_FILES];
    bool ok[RESULTS_FILES];
    struct buf errors[RESULTS_FILES];
    size_t next;
    pthread_mutex_t lock;
};

static void *load_some(void *arg)
{
    struct loading *ld = arg;
    for (;;) {
        pthread_mutex_lock(&ld->lock);
        size_t i = ld->next++;
        pthread_mutex_unlock(&ld->lock);
        if (i >= RESULTS_FILES)
            return NULL;
        struct row_choice choice = choice_for((enum results_file)i, ld->filter);
        ld->ok[i] = csv_table_load(ld->tables[i], ld->dir, RESULTS_CONTRACT[i].file, &choice,
                                   &ld->errors[i]) &&
                    header_complete(ld->tables[i], RESULTS_CONTRACT[i].columns, &ld->errors[i]);
    }
}

bool results_load(struct results *r, const char *dir, const struct results_filter *filter,
                  struct buf *err)
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
    struct loading ld = {.dir = dir, .filter = filter};
    results_tables(r, ld.tables);
    pthread_mutex_init(&ld.lock, NULL);
    for (size_t i = 0; i < RESULTS_FILES; i++)
        buf_init(&ld.errors[i]);
    pthread_t helper;
    bool threaded = pthread_create(&helper, NULL, load_some, &ld) == 0;
    load_some(&ld);
    if (threaded)
        pthread_join(helper, NULL);
    pthread_mutex_destroy(&ld.lock);
    /* the first table in order that failed speaks, as when read one by one */
    bool ok = true;
    for (size_t i = 0; i < RESULTS_FILES; i++) {
        if (ok && !ld.ok[i]) {
            buf_puts(err, ld.errors[i].data ? ld.errors[i].data : "cannot read the results");
            r->io_error = ld.tables[i]->io_error;
            ok = false;
        }
        buf_release(&ld.errors[i]);
    }
    return ok;
}

void results_release(struct results *r)
{
    struct csv_table *tables[RESULTS_FILES];
    results_tables(r, tables);
    for (size_t i = 0; i < RESULTS_FILES; i++)
        csv_table_release(tables[i]);
}
