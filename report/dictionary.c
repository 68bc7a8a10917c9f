#include "dictionary.h"

#include <stdlib.h>
#include <string.h>

#include "contract.h"

/* "FILE:LINE: column 'c' ..." for data row r (line r + 2 of the file). */
static bool bad_cell(struct buf *err, const struct csv_table *t, size_t r, const char *column,
                     const char *what)
{
    buf_printf(err, "%s:%zu: %s %s (not as candour-stats writes it)", t->path, r + 2, column, what);
    return false;
}

static bool yes_no(const struct csv_table *t, size_t r, const char *column, bool *value,
                   struct buf *err)
{
    const char *s = csv_cell(t, r, column);
    *value = strcmp(s, "yes") == 0;
    return *value || strcmp(s, "no") == 0 || bad_cell(err, t, r, column, "is neither yes nor no");
}

/* The section of row r, added to d when new (sections in order of first
 * appearance, which is the declared order: items.csv is in report order). */
static bool entry_section(struct dictionary *d, const struct csv_table *t, size_t r,
                          size_t *section, struct buf *err)
{
    const char *id = csv_cell(t, r, "section"), *title = csv_cell(t, r, "section_title");
    *section = DICT_NONE;
    if (!*id)
        return true;
    if (!*title)
        return bad_cell(err, t, r, "section_title", "is blank for a section");
    for (size_t k = 0; k < d->n_sections; k++)
        if (strcmp(d->sections[k].id, id) == 0) {
            *section = k;
            return strcmp(d->sections[k].title, title) == 0 ||
                   bad_cell(err, t, r, "section_title", "differs from the section's other rows");
        }
    d->sections = xrealloc(d->sections, (d->n_sections + 1) * sizeof(*d->sections));
    d->sections[d->n_sections] = (struct dict_section){id, title};
    *section = d->n_sections++;
    return true;
}

static bool load_entry(struct dictionary *d, const struct csv_table *t, size_t r, struct buf *err)
{
    struct dict_entry e = {0};
    const char *kind = csv_cell(t, r, "kind");
    e.theme = strcmp(kind, "theme") == 0;
    if (!e.theme && strcmp(kind, "item") != 0)
        return bad_cell(err, t, r, "kind", "is neither item nor theme");
    e.id = csv_cell(t, r, "id");
    if (!*e.id)
        return bad_cell(err, t, r, "id", "is blank");
    if (dict_find(d, e.id, e.theme))
        return bad_cell(err, t, r, "id", "is repeated");
    e.label = *csv_cell(t, r, "label") ? csv_cell(t, r, "label") : e.id;
    e.text = csv_cell(t, r, "text");
    e.measure = csv_cell(t, r, "measure");
    e.polarity = csv_cell(t, r, "polarity");
    e.periods = csv_cell(t, r, "periods");
    const char *ind = csv_cell(t, r, "wres_indicator");
    if (*ind) {
        if (strlen(ind) != 1 || ind[0] < '5' || ind[0] > '8')
            return bad_cell(err, t, r, "wres_indicator", "is not 5, 6, 7 or 8");
        e.wres_indicator = ind[0] - '0';
    }
    if (!yes_no(t, r, "heatmap", &e.heatmap, err) || !yes_no(t, r, "funnel", &e.funnel, err) ||
        !entry_section(d, t, r, &e.section, err))
        return false;
    d->entries = xrealloc(d->entries, (d->n + 1) * sizeof(*d->entries));
    d->entries[d->n++] = e;
    return true;
}

/* One row of wres-groups.csv: the HR side (indicator 3) or the survey's
 * (indicators 5 to 8). */
static bool load_wres_side(struct dictionary *d, const struct csv_table *t, size_t r,
                           struct buf *err)
{
    const char *source = csv_cell(t, r, "source");
    bool hr = strcmp(source, "hr") == 0;
    if (!hr && strcmp(source, "survey") != 0)
        return bad_cell(err, t, r, "source", "is neither hr nor survey");
    struct dict_wres_side *side = hr ? &d->hr : &d->survey;
    if (side->grouping)
        return bad_cell(err, t, r, "source", "is repeated");
    const char *columns[] = {"grouping", "reference", "comparison"};
    for (size_t i = 0; i < ARRAY_LEN(columns); i++)
        if (!*csv_cell(t, r, columns[i]))
            return bad_cell(err, t, r, columns[i], "is blank");
    *side = (struct dict_wres_side){csv_cell(t, r, "grouping"), csv_cell(t, r, "reference"),
                                    csv_cell(t, r, "comparison")};
    for (const char *s = csv_cell(t, r, "indicators"); *s; s += *s == ';') {
        char *end;
        long k = strtol(s, &end, 10);
        if (end == s || k < 3 || k > DICT_WRES_MAX || k == 4 || (hr != (k == 3)))
            return bad_cell(err, t, r, "indicators", "is not a list of WRES indicators");
        d->indicator_declared[k] = true;
        s = end;
    }
    return true;
}

bool dict_load(struct dictionary *d, const struct results *r, struct buf *err)
{
    memset(d, 0, sizeof(*d));
    d->present = r->items.header != NULL;
    for (size_t i = 0; i < r->items.n_rows; i++)
        if (!load_entry(d, &r->items, i, err))
            return false;
    for (size_t i = 0; i < r->wres_groups.n_rows; i++)
        if (!load_wres_side(d, &r->wres_groups, i, err))
            return false;
    return true;
}

void dict_release(struct dictionary *d)
{
    free(d->entries);
    free(d->sections);
    memset(d, 0, sizeof(*d));
}

const struct dict_entry *dict_find(const struct dictionary *d, const char *id, bool theme)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->entries[i].theme == theme && strcmp(d->entries[i].id, id) == 0)
            return &d->entries[i];
    return NULL;
}

const char *dict_label(const struct dictionary *d, const char *id)
{
    const struct dict_entry *e = dict_find(d, id, false);
    if (!e)
        e = dict_find(d, id, true);
    return e ? e->label : NULL;
}

const struct dict_entry *dict_indicator_item(const struct dictionary *d, int k)
{
    for (size_t i = 0; i < d->n; i++)
        if (!d->entries[i].theme && d->entries[i].wres_indicator == k)
            return &d->entries[i];
    return NULL;
}

bool dict_asked_in(const struct dict_entry *e, const char *period)
{
    if (!e || !*e->periods)
        return true;
    size_t len = strlen(period);
    for (const char *s = e->periods; *s;) {
        size_t n = strcspn(s, ";");
        if (n == len && memcmp(s, period, len) == 0)
            return true;
        s += n + (s[n] == ';');
    }
    return false;
}

bool dict_id_file_safe(const char *id)
{
    if (!*id || *id == '.' || strlen(id) > 100)
        return false;
    for (const char *c = id; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '-' || *c == '.'))
            return false;
    return true;
}
