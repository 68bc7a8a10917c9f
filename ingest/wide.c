#include "wide.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

#define PERIOD_MARK "{period}"

bool wide_wanted(const struct schema *s)
{
    return s->wide || s->ignore_columns;
}

/* The period a file column's name gives for schema column c (whose header
 * holds {period}), matched as headers are (text_fold): the name is the
 * header with a valid period of the schema in place of {period}.  key is
 * scratch. */
static bool template_period(const struct schema *s, const struct schema_column *c,
                            const char *folded, struct period *out)
{
    const char *mark = strstr(c->header_key, PERIOD_MARK);
    if (!mark)
        return false;
    size_t pre = (size_t)(mark - c->header_key);
    const char *suffix = mark + strlen(PERIOD_MARK);
    size_t post = strlen(suffix), len = strlen(folded);
    if (len <= pre + post || strncmp(folded, c->header_key, pre) != 0 ||
        strcmp(folded + len - post, suffix) != 0)
        return false;
    char text[PERIOD_TEXT_MAX];
    size_t n = len - pre - post;
    if (n >= sizeof(text))
        return false;
    for (size_t i = 0; i < n; i++) /* folded to lower case: 2023-q2 is 2023-Q2 */
        text[i] = (char)(folded[pre + i] == 'q' ? 'Q' : folded[pre + i]);
    text[n] = '\0';
    return period_parse(text, n, out) && schema_period_valid(s, out);
}

static size_t period_index(struct wide_layout *w, const struct period *p)
{
    char text[PERIOD_TEXT_MAX];
    period_format(p, text);
    for (size_t k = 0; k < w->n_periods; k++)
        if (strcmp(w->period[k], text) == 0)
            return k;
    w->period = xrealloc(w->period, (w->n_periods + 1) * sizeof(*w->period));
    memcpy(w->period[w->n_periods], text, PERIOD_TEXT_MAX);
    return w->n_periods++;
}

/* Is folded header key described by a column of s (not a template)? */
static bool described(const struct schema *s, const char *key)
{
    for (size_t c = 0; c < s->n_columns; c++)
        if (!s->columns[c].period_in_header && strcmp(s->columns[c].header_key, key) == 0)
            return true;
    return false;
}

/* What each file field is: a templated schema column's figure for one
 * period (tmpl[j], per[j]); else, when no column describes it and its name
 * matches ignore-columns, read past; else read as it is. */
static void classify_fields(struct wide_layout *w, const struct schema *s,
                            const struct csvin_record *rec, size_t *tmpl, size_t *per)
{
    struct buf key;
    buf_init(&key);
    for (size_t j = 0; j < rec->n_fields; j++) {
        tmpl[j] = per[j] = SCHEMA_NONE;
        const char *f = rec->field[j];
        size_t len = rec->len[j];
        text_trim(&f, &len);
        char *name = xstrndup(f, len);
        text_fold(name, strlen(name), &key);
        for (size_t c = 0; c < s->n_columns && tmpl[j] == SCHEMA_NONE; c++) {
            struct period p;
            if (s->columns[c].period_in_header &&
                template_period(s, &s->columns[c], key.data, &p)) {
                tmpl[j] = c;
                per[j] = period_index(w, &p);
            }
        }
        if (tmpl[j] == SCHEMA_NONE) {
            if (s->ignore_columns && !described(s, key.data) &&
                regexec(&s->ignore_regex, name, 0, NULL, 0) == 0)
                w->ignored[w->n_ignored++] = j;
            else
                w->fixed[w->n_fixed++] = j;
        }
        free(name);
    }
    buf_release(&key);
}

bool wide_header(struct wide_layout *w, const struct schema *s, const struct csvin_record *rec,
                 struct csvin_record *out, struct buf *err, size_t *column)
{
    memset(w, 0, sizeof(*w));
    w->active = true;
    size_t n = rec->n_fields;
    w->n_file_fields = n;
    w->fixed = xcalloc(n + 1, sizeof(size_t));
    w->ignored = xcalloc(n + 1, sizeof(size_t));
    size_t *tmpl = xcalloc(n + 1, sizeof(size_t)), *per = xcalloc(n + 1, sizeof(size_t));
    classify_fields(w, s, rec, tmpl, per);
    /* the templated schema columns the header holds, in schema order */
    w->template_column = xcalloc(s->n_columns + 1, sizeof(size_t));
    w->role_is_figure = xcalloc(s->n_columns + 1, sizeof(bool));
    size_t *slot = xcalloc(s->n_columns + 1, sizeof(size_t));
    for (size_t c = 0; c < s->n_columns; c++) {
        slot[c] = SCHEMA_NONE;
        for (size_t j = 0; j < n && slot[c] == SCHEMA_NONE; j++)
            if (tmpl[j] == c) {
                slot[c] = w->n_templates;
                w->role_is_figure[w->n_templates] = s->columns[c].role != ROLE_DESIGN_EFFECT;
                w->template_column[w->n_templates++] = c;
            }
    }
    size_t n_cells = w->n_periods * w->n_templates;
    w->cell = xcalloc(n_cells + 1, sizeof(size_t));
    for (size_t i = 0; i < n_cells; i++)
        w->cell[i] = SCHEMA_NONE;
    bool ok = true;
    for (size_t j = 0; j < n && ok; j++) {
        if (tmpl[j] == SCHEMA_NONE)
            continue;
        size_t *cell = &w->cell[per[j] * w->n_templates + slot[tmpl[j]]];
        if (*cell != SCHEMA_NONE) {
            buf_printf(err, "columns %zu and %zu both give '%s' for period %s", *cell + 1, j + 1,
                       s->columns[tmpl[j]].header, w->period[per[j]]);
            *column = j + 1;
            ok = false;
        }
        *cell = j;
    }
    /* the header as read: the fixed fields, the period, one field per template */
    bool periods = s->wide;
    w->n_fields = w->n_fixed + (periods ? 1 + w->n_templates : 0);
    w->name = xcalloc(w->n_fields + 1, sizeof(char *));
    w->file_column = xcalloc(w->n_fields + 1, sizeof(size_t));
    w->field = xcalloc(w->n_fields + 1, sizeof(char *));
    w->len = xcalloc(w->n_fields + 1, sizeof(size_t));
    for (size_t i = 0; i < w->n_fixed; i++) {
        w->name[i] = xstrndup(rec->field[w->fixed[i]], rec->len[w->fixed[i]]);
        w->file_column[i] = w->fixed[i] + 1;
    }
    if (periods) {
        w->name[w->n_fixed] = xstrdup(PERIOD_MARK);
        for (size_t t = 0; t < w->n_templates; t++)
            w->name[w->n_fixed + 1 + t] = xstrdup(s->columns[w->template_column[t]].header);
    }
    for (size_t i = 0; i < w->n_fields; i++) {
        w->field[i] = w->name[i];
        w->len[i] = strlen(w->name[i]);
    }
    *out = *rec;
    out->n_fields = w->n_fields;
    out->field = w->field;
    out->len = w->len;
    free(slot);
    free(tmpl);
    free(per);
    return ok;
}

bool wide_row(struct wide_layout *w, const struct csvin_record *rec, size_t k,
              struct csvin_record *out)
{
    for (size_t i = 0; i < w->n_fixed; i++) {
        w->field[i] = rec->field[w->fixed[i]];
        w->len[i] = rec->len[w->fixed[i]];
    }
    bool any = w->n_templates == 0;
    if (w->n_fields > w->n_fixed) {
        w->field[w->n_fixed] = w->period[k];
        w->len[w->n_fixed] = strlen(w->period[k]);
        w->file_column[w->n_fixed] = 0;
        for (size_t t = 0; t < w->n_templates; t++) {
            size_t f = w->cell[k * w->n_templates + t], i = w->n_fixed + 1 + t;
            w->field[i] = f == SCHEMA_NONE ? "" : rec->field[f];
            w->len[i] = f == SCHEMA_NONE ? 0 : rec->len[f];
            w->file_column[i] = f == SCHEMA_NONE ? 0 : f + 1;
            /* a design effect alone is no figure */
            any |= w->role_is_figure[t] && !text_is_blank(w->field[i], w->len[i]);
        }
    }
    *out = *rec;
    out->n_fields = w->n_fields;
    out->field = w->field;
    out->len = w->len;
    return any;
}

void wide_release(struct wide_layout *w)
{
    for (size_t i = 0; i < w->n_fields; i++)
        free(w->name[i]);
    free(w->name);
    free(w->fixed);
    free(w->ignored);
    free(w->template_column);
    free(w->role_is_figure);
    free(w->period);
    free(w->cell);
    free(w->file_column);
    free(w->field);
    free(w->len);
    memset(w, 0, sizeof(*w));
}
