/* The run's dictionary (dictionary.h) and the two tables that carry it:
 *
 * items.csv        one row per item and theme of the results: id, label,
 *                  question text, measure, polarity, report section, WRES
 *                  indicator, chart coverage, scale and answers, and the
 *                  periods with answers; rows in report order (each
 *                  section's items, then its themes; then items and themes
 *                  in no section).
 * wres-groups.csv  the declared WRES roles: for the survey (indicators 5-8)
 *                  and the HR records (indicator 3), the grouping and its
 *                  reference and comparison groups under the data's names.
 *
 * docs/outputs.md documents every column. */
#include "dictionary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static size_t item_index(const struct model *m, const char *id)
{
    for (size_t i = 0; i < m->n_items; i++)
        if (strcmp(m->items[i].id, id) == 0)
            return i;
    return MODEL_NONE;
}

static size_t theme_index(const struct model *m, const char *id)
{
    for (size_t i = 0; i < m->n_themes; i++)
        if (strcmp(m->theme_ids[i], id) == 0)
            return i;
    return MODEL_NONE;
}

/* "A and B declare WHAT differently: FIELD 'x' and 'y'"; always false. */
static bool conflict(struct buf *err, const char *a, const char *b, const char *what,
                     const char *field, const char *va, const char *vb)
{
    buf_printf(err, "%s and %s declare %s differently: %s '%s' and '%s'", a, b, what, field, va,
               vb);
    return false;
}

/* Merge one schema item into the dictionary entry of model item mi. */
static bool merge_item(struct dictionary *d, const struct model *m, size_t mi,
                       const struct schema *s, size_t si, const char *path, struct buf *err)
{
    struct dict_entry *e = &d->items[mi];
    const struct item *it = &s->items[si];
    if (!e->schema) {
        e->label = it->label;
        e->label_declared = it->label_declared;
        e->text = it->text;
        e->schema = s;
        e->schema_index = si;
        e->dataset = path;
        return true;
    }
    char what[200];
    snprintf(what, sizeof(what), "item '%s'", m->items[mi].id);
    const struct item *first = &e->schema->items[e->schema_index];
    if (it->label_declared && e->label_declared && strcmp(e->label, it->label) != 0)
        return conflict(err, e->dataset, path, what, "label", e->label, it->label);
    if (it->label_declared && !e->label_declared) {
        e->label = it->label;
        e->label_declared = true;
    }
    if (*it->text && *e->text && strcmp(e->text, it->text) != 0)
        return conflict(err, e->dataset, path, what, "text", e->text, it->text);
    if (!*e->text)
        e->text = it->text;
    if (strcmp(first->measure, it->measure) != 0)
        return conflict(err, e->dataset, path, what, "measure", first->measure, it->measure);
    if (first->polarity != it->polarity)
        return conflict(err, e->dataset, path, what, "polarity",
                        first->polarity == POLARITY_LOWER ? "lower" : "higher",
                        it->polarity == POLARITY_LOWER ? "lower" : "higher");
    if (first->scale == SCHEMA_NONE && it->scale != SCHEMA_NONE) {
        e->schema = s; /* the answers come from a schema that has them */
        e->schema_index = si;
    }
    return true;
}

static bool merge_theme(struct dictionary *d, const struct model *m, size_t mt,
                        const struct schema *s, size_t st, const char *path, struct buf *err)
{
    struct dict_entry *e = &d->themes[mt];
    const struct theme *th = &s->themes[st];
    if (!e->schema) {
        e->label = th->label;
        e->label_declared = th->label_declared;
        e->text = th->text;
        e->schema = s;
        e->schema_index = st;
        e->dataset = path;
        return true;
    }
    char what[200];
    snprintf(what, sizeof(what), "theme '%s'", m->theme_ids[mt]);
    if (th->label_declared && e->label_declared && strcmp(e->label, th->label) != 0)
        return conflict(err, e->dataset, path, what, "label", e->label, th->label);
    if (th->label_declared && !e->label_declared) {
        e->label = th->label;
        e->label_declared = true;
    }
    if (*th->text && *e->text && strcmp(e->text, th->text) != 0)
        return conflict(err, e->dataset, path, what, "text", e->text, th->text);
    return true;
}

/* Put an item or theme (index x, entry e) into section k, once. */
static bool place(struct dict_entry *e, size_t k, const struct dictionary *d, const char *kind,
                  const char *id, const char *path, size_t **list, size_t *n, size_t x,
                  struct buf *err)
{
    if (e->section == k)
        return true;
    if (e->section != MODEL_NONE) {
        char what[200];
        snprintf(what, sizeof(what), "%s '%s'", kind, id);
        return conflict(err, d->sections[e->section].dataset, path, what, "section",
                        d->sections[e->section].id, d->sections[k].id);
    }
    e->section = k;
    *list = xrealloc(*list, (*n + 1) * sizeof(**list));
    (*list)[(*n)++] = x;
    return true;
}

/* The sections of one schema, merged by id in order of first appearance. */
static bool merge_sections(struct dictionary *d, const struct model *m, const struct schema *s,
                           const char *path, struct buf *err)
{
    for (size_t i = 0; i < s->n_sections; i++) {
        const struct section *sec = &s->sections[i];
        size_t k;
        for (k = 0; k < d->n_sections; k++)
            if (strcmp(d->sections[k].id, sec->id) == 0)
                break;
        if (k == d->n_sections) {
            d->sections = xrealloc(d->sections, (k + 1) * sizeof(*d->sections));
            d->sections[d->n_sections++] =
                (struct dict_section){.id = sec->id, .title = sec->title, .dataset = path};
        } else if (strcmp(d->sections[k].title, sec->title) != 0) {
            char what[200];
            snprintf(what, sizeof(what), "section '%s'", sec->id);
            return conflict(err, d->sections[k].dataset, path, what, "title", d->sections[k].title,
                            sec->title);
        }
        struct dict_section *ds = &d->sections[k];
        for (size_t j = 0; j < sec->n_items; j++) {
            const char *id = s->items[sec->items[j]].id;
            size_t mi = item_index(m, id);
            if (mi != MODEL_NONE &&
                !place(&d->items[mi], k, d, "item", id, path, &ds->items, &ds->n_items, mi, err))
                return false;
        }
        for (size_t j = 0; j < sec->n_themes; j++) {
            const char *id = s->themes[sec->themes[j]].id;
            size_t mt = theme_index(m, id);
            if (mt != MODEL_NONE && !place(&d->themes[mt], k, d, "theme", id, path, &ds->themes,
                                           &ds->n_themes, mt, err))
                return false;
        }
    }
    return true;
}

/* The first group of the WRES grouping's recode that is neither declared
 * side (the HR table's third bucket: Unknown, not stated), NULL if none. */
static const char *other_group(const struct schema *s)
{
    for (size_t i = 0; i < s->n_columns; i++) {
        const struct schema_column *c = &s->columns[i];
        if (c->role != ROLE_DEMOGRAPHIC || c->recode == SCHEMA_NONE ||
            strcmp(c->name, s->wres.grouping) != 0)
            continue;
        const struct recode *r = &s->recodes[c->recode];
        for (size_t g = 0; g < r->n_groups; g++)
            if (strcmp(r->groups[g], s->wres.reference) != 0 &&
                strcmp(r->groups[g], s->wres.comparison) != 0)
                return r->groups[g];
    }
    return NULL;
}

static bool merge_wres(struct dictionary *d, const struct model *m, const struct schema *s,
                       const char *path, struct buf *err)
{
    for (int k = 0; k < WRES_SURVEY_INDICATORS; k++) {
        size_t si = s->wres.indicator_item[k];
        size_t mi = si == SCHEMA_NONE ? MODEL_NONE : item_index(m, s->items[si].id);
        if (mi == MODEL_NONE)
            continue;
        int indicator = WRES_FIRST_SURVEY_INDICATOR + k;
        size_t have = d->indicator_item[k];
        char what[64];
        snprintf(what, sizeof(what), "WRES indicator %d", indicator);
        if (have != MODEL_NONE && have != mi)
            return conflict(err, d->items[have].dataset, path, what, "item", m->items[have].id,
                            m->items[mi].id);
        if (d->items[mi].wres_indicator && d->items[mi].wres_indicator != indicator) {
            char a[16], b[16];
            snprintf(a, sizeof(a), "%d", d->items[mi].wres_indicator);
            snprintf(b, sizeof(b), "%d", indicator);
            snprintf(what, sizeof(what), "item '%s'", m->items[mi].id);
            return conflict(err, d->items[mi].dataset, path, what, "WRES indicator", a, b);
        }
        d->indicator_item[k] = mi;
        d->items[mi].wres_indicator = indicator;
    }
    if (!s->wres.grouping || s->kind == KIND_ORG_RESULTS)
        return true;
    struct dict_wres_side *side = s->kind == KIND_WRES_HR ? &d->hr : &d->survey;
    if (!side->grouping) {
        *side = (struct dict_wres_side){s->wres.grouping, s->wres.reference, s->wres.comparison,
                                        other_group(s), path};
        return true;
    }
    const char *what = s->kind == KIND_WRES_HR ? "the HR WRES grouping" : "the WRES grouping";
    if (strcmp(side->grouping, s->wres.grouping) != 0)
        return conflict(err, side->dataset, path, what, "demographic", side->grouping,
                        s->wres.grouping);
    if (strcmp(side->reference, s->wres.reference) != 0)
        return conflict(err, side->dataset, path, what, "reference group", side->reference,
                        s->wres.reference);
    if (strcmp(side->comparison, s->wres.comparison) != 0)
        return conflict(err, side->dataset, path, what, "comparison group", side->comparison,
                        s->wres.comparison);
    return true;
}

/* A chart's declared items as model indices; two datasets declaring
 * different lists conflict. */
static bool merge_chart(struct dict_chart *c, const char *name, const struct model *m,
                        const struct schema *s, const struct chart_items *ci, const char *path,
                        struct buf *err)
{
    if (!ci->declared)
        return true;
    size_t *items = xcalloc(ci->n_items ? ci->n_items : 1, sizeof(size_t)), n = 0;
    for (size_t j = 0; j < ci->n_items; j++) {
        size_t mi = item_index(m, s->items[ci->items[j]].id);
        if (mi != MODEL_NONE)
            items[n++] = mi;
    }
    if (c->declared) {
        bool same = n == c->n_items && memcmp(items, c->items, n * sizeof(size_t)) == 0;
        free(items);
        if (same)
            return true;
        char what[64];
        snprintf(what, sizeof(what), "chart %s", name);
        return conflict(err, c->dataset, path, what, "items", "one list", "another");
    }
    *c = (struct dict_chart){true, items, n, path};
    return true;
}

bool dictionary_build(struct dictionary *d, const struct model *m, const struct source_dataset *src,
                      size_t n, struct buf *err)
{
    memset(d, 0, sizeof(*d));
    d->items = xcalloc(m->n_items ? m->n_items : 1, sizeof(*d->items));
    d->themes = xcalloc(m->n_themes ? m->n_themes : 1, sizeof(*d->themes));
    for (size_t i = 0; i < m->n_items; i++)
        d->items[i].section = MODEL_NONE;
    for (size_t i = 0; i < m->n_themes; i++)
        d->themes[i].section = MODEL_NONE;
    for (size_t k = 0; k < WRES_SURVEY_INDICATORS; k++)
        d->indicator_item[k] = MODEL_NONE;
    for (size_t i = 0; i < n; i++) {
        const struct schema *s = src[i].schema;
        const char *path = src[i].ds->path;
        for (size_t j = 0; j < s->n_items; j++) {
            size_t mi = item_index(m, s->items[j].id);
            if (mi != MODEL_NONE && !merge_item(d, m, mi, s, j, path, err))
                return false;
        }
        for (size_t j = 0; j < s->n_themes; j++) {
            size_t mt = theme_index(m, s->themes[j].id);
            if (mt != MODEL_NONE && !merge_theme(d, m, mt, s, j, path, err))
                return false;
        }
        if (!merge_sections(d, m, s, path, err) || !merge_wres(d, m, s, path, err) ||
            !merge_chart(&d->heatmap, "heatmap", m, s, &s->heatmap, path, err) ||
            !merge_chart(&d->funnel, "funnel", m, s, &s->funnel, path, err))
            return false;
    }
    return true;
}

void dictionary_release(struct dictionary *d)
{
    for (size_t k = 0; k < d->n_sections; k++) {
        free(d->sections[k].items);
        free(d->sections[k].themes);
    }
    free(d->sections);
    free(d->items);
    free(d->themes);
    free(d->heatmap.items);
    free(d->funnel.items);
    memset(d, 0, sizeof(*d));
}

bool dictionary_chart_has(const struct dictionary *d, const struct dict_chart *c, size_t item)
{
    if (!c->declared)
        return d->items[item].section != MODEL_NONE;
    for (size_t k = 0; k < c->n_items; k++)
        if (c->items[k] == item)
            return true;
    return false;
}

/* ---- items.csv ------------------------------------------------------------------- */

/* "a;b;c": the codes of scale entries flagged in flags (or all, flags NULL)
 * with "=label" when with_labels. */
static void answer_list(const struct scale *sc, const bool *flags, bool with_labels,
                        struct buf *out)
{
    buf_clear(out);
    for (size_t e = 0; e < sc->n_entries; e++) {
        if (flags && !flags[e])
            continue;
        if (out->len)
            buf_putc(out, ';');
        buf_puts(out, sc->entries[e].code);
        if (with_labels)
            buf_printf(out, "=%s", sc->entries[e].label);
    }
    buf_reserve(out, 0); /* data is a string even when empty */
}

/* "2022;2023": the periods in which model item (or theme) x has any answer. */
static void coverage(const struct model *m, size_t x, bool theme, struct buf *out)
{
    size_t n_periods = m->periods.count;
    bool *seen = xcalloc(n_periods ? n_periods : 1, sizeof(bool));
    /* Once every period that has cells is seen the rest cannot add one: a
     * national year's items each read every cell's count record, a cache
     * miss apiece, for one period seen at the first cell. */
    bool *has_cells = xcalloc(n_periods ? n_periods : 1, sizeof(bool));
    size_t n_with_cells = 0, n_seen = 0;
    for (size_t c = 0; c < m->n_cells; c++) {
        uint32_t p = m->cells[c].period;
        if (p < n_periods && !has_cells[p]) {
            has_cells[p] = true;
            n_with_cells++;
        }
    }
    free(has_cells);
    for (size_t c = 0; c < m->n_cells && n_seen < n_with_cells; c++) {
        double n = theme ? m->themes[c * m->n_themes + x].n : m->counts[c * m->n_items + x].n;
        if (n > 0 && m->cells[c].period < n_periods && !seen[m->cells[c].period]) {
            seen[m->cells[c].period] = true;
            n_seen++;
        }
    }
    buf_clear(out);
    for (size_t p = 0; p < n_periods; p++)
        if (seen[p])
            buf_printf(out, "%s%s", out->len ? ";" : "", m->periods.strings[p]);
    buf_reserve(out, 0); /* data is a string even when empty */
    free(seen);
}

static void item_row(const struct stats_run *run, struct table *t, size_t mi, struct buf *scratch)
{
    const struct model *m = &run->model;
    const struct dictionary *d = &run->dict;
    const struct dict_entry *e = &d->items[mi];
    const struct item *it = e->schema ? &e->schema->items[e->schema_index] : NULL;
    table_str(t, "item");
    table_str(t, m->items[mi].id);
    table_str(t, e->label ? e->label : m->items[mi].id);
    table_str(t, m->items[mi].text);
    table_str(t, m->items[mi].measure);
    table_str(t, m->items[mi].polarity == POLARITY_LOWER ? "lower" : "higher");
    table_str(t, e->section != MODEL_NONE ? d->sections[e->section].id : "");
    table_str(t, e->section != MODEL_NONE ? d->sections[e->section].title : "");
    if (e->wres_indicator)
        table_int(t, e->wres_indicator);
    else
        table_blank(t);
    table_str(t, dictionary_chart_has(d, &d->heatmap, mi) ? "yes" : "no");
    table_str(t, dictionary_chart_has(d, &d->funnel, mi) ? "yes" : "no");
    const struct scale *sc = it && it->scale != SCHEMA_NONE ? &e->schema->scales[it->scale] : NULL;
    table_str(t, sc ? sc->name : "");
    if (sc) {
        answer_list(sc, NULL, true, scratch);
        table_str(t, scratch->data);
        answer_list(sc, it->positive, false, scratch);
        table_str(t, scratch->data);
        answer_list(sc, it->missing, false, scratch);
        table_str(t, scratch->data);
    } else {
        table_blank(t);
        table_blank(t);
        table_blank(t);
    }
    buf_clear(scratch);
    for (size_t k = 0; it && k < it->n_any_of; k++)
        buf_printf(scratch, "%s%s", k ? ";" : "", e->schema->items[it->any_of[k]].id);
    table_str(t, scratch->len ? scratch->data : "");
    coverage(m, mi, false, scratch);
    table_str(t, scratch->data);
    table_common(t, run);
    table_end_row(t);
}

static void theme_row(const struct stats_run *run, struct table *t, size_t mt, struct buf *scratch)
{
    const struct model *m = &run->model;
    const struct dictionary *d = &run->dict;
    const struct dict_entry *e = &d->themes[mt];
    const struct theme *th = e->schema ? &e->schema->themes[e->schema_index] : NULL;
    table_str(t, "theme");
    table_str(t, m->theme_ids[mt]);
    table_str(t, e->label ? e->label : m->theme_ids[mt]);
    table_str(t, e->text ? e->text : "");
    table_str(t, "score");
    table_str(t, "higher");
    table_str(t, e->section != MODEL_NONE ? d->sections[e->section].id : "");
    table_str(t, e->section != MODEL_NONE ? d->sections[e->section].title : "");
    table_blank(t);
    table_str(t, "no");
    table_str(t, "no");
    for (int k = 0; k < 4; k++)
        table_blank(t); /* scale, answers, positive, missing */
    buf_clear(scratch);
    for (size_t k = 0; th && k < th->n_items; k++)
        buf_printf(scratch, "%s%s", k ? ";" : "", e->schema->items[th->items[k]].id);
    table_str(t, scratch->len ? scratch->data : "");
    coverage(m, mt, true, scratch);
    table_str(t, scratch->data);
    table_common(t, run);
    table_end_row(t);
}

bool write_items(const struct stats_run *run, struct table *t, struct buf *err)
{
    if (!table_open(t, run->opt->output_dir, ITEMS_FILE, ITEMS_COLUMNS, err))
        return false;
    const struct model *m = &run->model;
    const struct dictionary *d = &run->dict;
    struct buf scratch;
    buf_init(&scratch);
    for (size_t k = 0; k < d->n_sections; k++) {
        for (size_t j = 0; j < d->sections[k].n_items; j++)
            item_row(run, t, d->sections[k].items[j], &scratch);
        for (size_t j = 0; j < d->sections[k].n_themes; j++)
            theme_row(run, t, d->sections[k].themes[j], &scratch);
    }
    for (size_t i = 0; i < m->n_items; i++)
        if (d->items[i].section == MODEL_NONE)
            item_row(run, t, i, &scratch);
    for (size_t i = 0; i < m->n_themes; i++)
        if (d->themes[i].section == MODEL_NONE)
            theme_row(run, t, i, &scratch);
    buf_release(&scratch);
    return true;
}

/* ---- wres-groups.csv --------------------------------------------------------------- */

static void wres_side_row(const struct stats_run *run, struct table *t, const char *source,
                          const char *indicators, const struct dict_wres_side *side)
{
    table_str(t, source);
    table_str(t, indicators);
    table_str(t, side->grouping);
    table_str(t, side->reference);
    table_str(t, side->comparison);
    table_common(t, run);
    table_end_row(t);
}

bool write_wres_groups(const struct stats_run *run, struct table *t, struct buf *err)
{
    if (!table_open(t, run->opt->output_dir, WRES_GROUPS_FILE, WRES_GROUPS_COLUMNS, err))
        return false;
    const struct dictionary *d = &run->dict;
    if (d->hr.grouping)
        wres_side_row(run, t, "hr", "3", &d->hr);
    if (d->survey.grouping) {
        char list[32] = "";
        size_t len = 0;
        for (int k = 0; k < WRES_SURVEY_INDICATORS; k++)
            if (d->indicator_item[k] != MODEL_NONE)
                len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%d", len ? ";" : "",
                                        WRES_FIRST_SURVEY_INDICATOR + k);
        wres_side_row(run, t, "survey", list, &d->survey);
    }
    return true;
}
