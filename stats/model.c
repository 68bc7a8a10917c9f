#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void model_init(struct model *m)
{
    memset(m, 0, sizeof(*m));
    strdict_init(&m->periods);
    strdict_init(&m->scope_names);
    strdict_init(&m->groups);
    model_grouping(m, "all", GROUPING_ALL);
    strdict_intern(&m->groups, "all", 3);
}

void model_release(struct model *m)
{
    strdict_release(&m->periods);
    strdict_release(&m->scope_names);
    strdict_release(&m->groups);
    for (size_t i = 0; i < m->n_scopes; i++) {
        free(m->scopes[i].name);
        free(m->org_bgroup[i]);
    }
    free(m->scopes);
    free(m->org_bgroup);
    free(m->org_outside);
    free(m->weight_source);
    org_history_release(&m->history);
    for (size_t i = 0; i < m->n_groupings; i++) {
        free(m->groupings[i].name);
        free(m->groupings[i].reference);
    }
    free(m->groupings);
    free(m->cells);
    free(m->cell_slots);
    for (size_t i = 0; i < m->n_items; i++) {
        free(m->items[i].id);
        free(m->items[i].text);
        free(m->items[i].measure);
    }
    free(m->items);
    free(m->counts);
    free(m->weighted_sums);
    for (size_t i = 0; i < m->n_themes; i++)
        free(m->theme_ids[i]);
    free(m->theme_ids);
    free(m->themes);
    rejected_marks_release(&m->rejected);
    free(m->incomplete);
    memset(m, 0, sizeof(*m));
}

size_t model_scope(struct model *m, const char *name, enum scope_kind kind)
{
    size_t before = m->scope_names.count;
    size_t i = strdict_intern(&m->scope_names, name, strlen(name));
    if (i == before) {
        xgrow(&m->scopes, &m->scopes_cap, m->n_scopes + 1, sizeof(*m->scopes));
        m->org_bgroup = xrealloc(m->org_bgroup, m->scopes_cap * sizeof(*m->org_bgroup));
        m->scopes[i] = (struct scope){xstrdup(name), kind};
        m->org_bgroup[i] = NULL;
        m->n_scopes++;
    }
    return i;
}

size_t model_grouping(struct model *m, const char *name, enum grouping_kind kind)
{
    for (size_t i = 0; i < m->n_groupings; i++)
        if (strcmp(m->groupings[i].name, name) == 0)
            return i;
    m->groupings = xrealloc(m->groupings, (m->n_groupings + 1) * sizeof(*m->groupings));
    m->groupings[m->n_groupings] = (struct grouping){xstrdup(name), kind, 0, NULL};
    return m->n_groupings++;
}

size_t model_item(struct model *m, const struct item *it)
{
    for (size_t i = 0; i < m->n_items; i++)
        if (strcmp(m->items[i].id, it->id) == 0)
            return i;
    if (m->n_cells) {
        /* count arrays are n_cells x n_items: every item is registered first */
        fprintf(stderr, "candour-stats: internal error: item '%s' registered late\n", it->id);
        abort();
    }
    m->items = xrealloc(m->items, (m->n_items + 1) * sizeof(*m->items));
    m->items[m->n_items] =
        (struct item_meta){xstrdup(it->id), xstrdup(it->text), xstrdup(it->measure), it->polarity};
    return m->n_items++;
}

size_t model_theme(struct model *m, const char *id)
{
    for (size_t i = 0; i < m->n_themes; i++)
        if (strcmp(m->theme_ids[i], id) == 0)
            return i;
    if (m->n_cells) {
        fprintf(stderr, "candour-stats: internal error: theme '%s' registered late\n", id);
        abort();
    }
    m->theme_ids = xrealloc(m->theme_ids, (m->n_themes + 1) * sizeof(*m->theme_ids));
    m->theme_ids[m->n_themes] = xstrdup(id);
    return m->n_themes++;
}

static uint32_t cell_hash(uint32_t period, uint32_t scope, uint32_t grouping, uint32_t group,
                          size_t parent)
{
    uint64_t key[3] = {(uint64_t)period << 32 | scope, (uint64_t)grouping << 32 | group,
                       (uint64_t)parent};
    return hash_bytes(key, sizeof(key));
}

static size_t find_slot(const struct model *m, uint32_t period, uint32_t scope, uint32_t grouping,
                        uint32_t group, size_t parent)
{
    size_t mask = m->n_cell_slots - 1;
    size_t i = cell_hash(period, scope, grouping, group, parent) & mask;
    for (;;) {
        uint32_t v = m->cell_slots[i];
        if (v == 0)
            return i;
        const struct popcell *c = &m->cells[v - 1];
        if (c->period == period && c->scope == scope && c->grouping == grouping &&
            c->group == group && c->parent == parent)
            return i;
        i = (i + 1) & mask;
    }
}

static void rehash(struct model *m)
{
    size_t n = m->n_cell_slots ? m->n_cell_slots * 2 : 1024;
    free(m->cell_slots);
    m->cell_slots = xcalloc(n, sizeof(*m->cell_slots));
    m->n_cell_slots = n;
    for (size_t i = 0; i < m->n_cells; i++) {
        const struct popcell *c = &m->cells[i];
        m->cell_slots[find_slot(m, c->period, c->scope, c->grouping, c->group, c->parent)] =
            (uint32_t)i + 1;
    }
}

size_t model_cell(struct model *m, uint32_t period, uint32_t scope, uint32_t grouping,
                  uint32_t group, size_t parent)
{
    if ((m->n_cells + 1) * 2 > m->n_cell_slots)
        rehash(m);
    size_t slot = find_slot(m, period, scope, grouping, group, parent);
    if (m->cell_slots[slot])
        return m->cell_slots[slot] - 1;
    size_t old_cap = m->cells_cap;
    xgrow(&m->cells, &m->cells_cap, m->n_cells + 1, sizeof(*m->cells));
    if (m->cells_cap != old_cap) {
        m->counts =
            xrealloc(m->counts, m->cells_cap * (m->n_items ? m->n_items : 1) * sizeof(*m->counts));
        m->themes = xrealloc(m->themes,
                             m->cells_cap * (m->n_themes ? m->n_themes : 1) * sizeof(*m->themes));
        if (m->weighted)
            m->weighted_sums =
                xrealloc(m->weighted_sums, m->cells_cap * (m->n_items ? m->n_items : 1) *
                                               sizeof(*m->weighted_sums));
    }
    size_t i = m->n_cells++;
    m->cells[i] = (struct popcell){period, scope, grouping, group, parent, 0};
    if (!m->counts_unset)
        memset(&m->counts[i * m->n_items], 0, m->n_items * sizeof(*m->counts));
    memset(&m->themes[i * m->n_themes], 0, m->n_themes * sizeof(*m->themes));
    if (m->weighted)
        memset(&m->weighted_sums[i * m->n_items], 0, m->n_items * sizeof(*m->weighted_sums));
    m->cell_slots[slot] = (uint32_t)i + 1;
    return i;
}

void rejected_marks_release(struct rejected_marks *marks)
{
    for (size_t i = 0; i < marks->n; i++)
        free(marks->list[i].items);
    free(marks->list);
    memset(marks, 0, sizeof(*marks));
}
