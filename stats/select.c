/* --tables, --orgs and --groupings: which rows a run writes (select.h). */
#include <stdlib.h>
#include <string.h>

#include "select.h"

static const char *const table_names[N_STATS_TABLES] = {
    "proportions", "themes", "disparities", "wres", "benchmarks", "trends", "spc", "hotspots",
};

/* The next comma-separated name of *list: its start and length; *list moves
 * past it.  False at the end of the list. */
static bool next_name(const char **list, const char **name, size_t *len)
{
    if (!*list)
        return false;
    const char *comma = strchr(*list, ',');
    *name = *list;
    *len = comma ? (size_t)(comma - *list) : strlen(*list);
    *list = comma ? comma + 1 : NULL;
    return true;
}

static bool name_is(const char *name, size_t len, const char *text)
{
    return strlen(text) == len && memcmp(name, text, len) == 0;
}

bool select_parse_tables(const char *list, bool chosen[N_STATS_TABLES], struct buf *err)
{
    for (int t = 0; t < N_STATS_TABLES; t++)
        chosen[t] = !list || strcmp(list, "all") == 0;
    if (!list || strcmp(list, "all") == 0)
        return true;
    const char *name;
    size_t len;
    while (next_name(&list, &name, &len)) {
        int t = 0;
        while (t < N_STATS_TABLES && !name_is(name, len, table_names[t]))
            t++;
        if (t == N_STATS_TABLES) {
            buf_printf(err,
                       "--tables: '%.*s' is not a table (proportions, themes, disparities, wres, "
                       "benchmarks, trends, spc, hotspots or all; inputs.csv, items.csv and "
                       "wres-groups.csv are always written)",
                       (int)len, name);
            return false;
        }
        chosen[t] = true;
    }
    return true;
}

/* The model scope of an org code, or MODEL_NONE. */
static size_t org_scope(const struct model *m, const char *name, size_t len)
{
    int64_t s = strdict_find(&m->scope_names, name, len);
    return s >= 0 && m->scopes[s].kind == SCOPE_ORG ? (size_t)s : MODEL_NONE;
}

/* Show each listed org, its benchmarking group and ALL. */
static bool resolve_orgs(struct selection *sel, const struct model *m, const char *list,
                         struct buf *err)
{
    for (size_t s = 0; s < m->n_scopes; s++)
        sel->scope_shown[s] = !list || m->scopes[s].kind == SCOPE_ALL;
    const char *name;
    size_t len;
    while (list && next_name(&list, &name, &len)) {
        size_t s = org_scope(m, name, len);
        if (s == MODEL_NONE) {
            buf_printf(err, "--orgs: no org '%.*s' in the datasets", (int)len, name);
            return false;
        }
        sel->scope_shown[s] = true;
        if (!m->org_bgroup[s])
            continue;
        char *group = xasprintf("GROUP:%s", m->org_bgroup[s]);
        int64_t g = strdict_find(&m->scope_names, group, strlen(group));
        free(group);
        if (g >= 0)
            sel->scope_shown[g] = true;
    }
    return true;
}

static bool resolve_groupings(struct selection *sel, const struct model *m, const char *list,
                              struct buf *err)
{
    for (size_t g = 0; g < m->n_groupings; g++)
        sel->grouping_shown[g] = !list || m->groupings[g].kind == GROUPING_ALL;
    const char *name;
    size_t len;
    while (list && next_name(&list, &name, &len)) {
        size_t g = 0;
        while (g < m->n_groupings && !name_is(name, len, m->groupings[g].name))
            g++;
        if (g == m->n_groupings) {
            buf_printf(err, "--groupings: no grouping '%.*s' in the datasets", (int)len, name);
            return false;
        }
        sel->grouping_shown[g] = true;
    }
    return true;
}

bool select_resolve(struct selection *sel, const struct model *m, const char *orgs,
                    const char *groupings, struct buf *err)
{
    sel->scope_shown = xcalloc(m->n_scopes ? m->n_scopes : 1, sizeof(bool));
    sel->grouping_shown = xcalloc(m->n_groupings ? m->n_groupings : 1, sizeof(bool));
    return resolve_orgs(sel, m, orgs, err) && resolve_groupings(sel, m, groupings, err);
}

void select_release(struct selection *sel)
{
    free(sel->scope_shown);
    free(sel->grouping_shown);
    sel->scope_shown = sel->grouping_shown = NULL;
}
