#include "overlap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool overlap_check_inputs(const struct source_dataset *src, char **paths, size_t n, struct buf *err)
{
    for (size_t i = 0; i < n; i++) {
        struct stat si;
        bool have_si = stat(paths[i], &si) == 0;
        for (size_t k = 0; k < i; k++) {
            struct stat sk;
            if (have_si && stat(paths[k], &sk) == 0 && si.st_dev == sk.st_dev &&
                si.st_ino == sk.st_ino) {
                buf_printf(err, "%s: given twice (as %s too): its rows would be counted twice",
                           paths[i], paths[k]);
                return false;
            }
            const struct dataset *a = src[i].ds, *b = src[k].ds;
            for (size_t x = 0; x < a->n_inputs; x++)
                for (size_t y = 0; y < b->n_inputs; y++)
                    if (a->inputs[x].size == b->inputs[y].size &&
                        a->inputs[x].crc32 == b->inputs[y].crc32) {
                        buf_printf(err,
                                   "%s: made from the same input as %s ('%s' and '%s', %llu "
                                   "bytes, crc32 %08x): its rows would be counted twice",
                                   paths[i], paths[k], a->inputs[x].name, b->inputs[y].name,
                                   (unsigned long long)a->inputs[x].size, a->inputs[x].crc32);
                        return false;
                    }
        }
    }
    return true;
}

static bool whole_org(const struct model *m, size_t c)
{
    const struct popcell *p = &m->cells[c];
    return p->grouping == 0 && p->parent == MODEL_NONE && m->scopes[p->scope].kind == SCOPE_ORG;
}

/* Give every whole-org cell made since the last look a row. */
static void add_new_cells(struct overlap_watch *w, const struct model *m)
{
    if (!w->n_items)
        w->n_items = m->n_items;
    w->slot_of_cell = xrealloc(w->slot_of_cell, (m->n_cells ? m->n_cells : 1) * sizeof(size_t));
    for (size_t c = w->n_cells_known; c < m->n_cells; c++) {
        w->slot_of_cell[c] = MODEL_NONE;
        if (!whole_org(m, c))
            continue;
        if (w->n_slots == w->slots_cap) {
            w->slots_cap = w->slots_cap ? 2 * w->slots_cap : 64;
            w->cell_of_slot = xrealloc(w->cell_of_slot, w->slots_cap * sizeof(size_t));
            w->first = xrealloc(w->first, w->slots_cap * w->n_items * sizeof(uint32_t));
            w->before = xrealloc(w->before, w->slots_cap * w->n_items * sizeof(double));
        }
        size_t s = w->n_slots++;
        w->slot_of_cell[c] = s;
        w->cell_of_slot[s] = c;
        memset(&w->first[s * w->n_items], 0, w->n_items * sizeof(uint32_t));
        for (size_t it = 0; it < w->n_items; it++)
            w->before[s * w->n_items + it] = 0;
    }
    w->n_cells_known = m->n_cells;
}

void overlap_before(struct overlap_watch *w, const struct model *m)
{
    add_new_cells(w, m);
    for (size_t s = 0; s < w->n_slots; s++)
        for (size_t it = 0; it < w->n_items; it++)
            w->before[s * w->n_items + it] = m->counts[w->cell_of_slot[s] * m->n_items + it].n;
}

static bool aggregated(const struct source_dataset *src)
{
    return src->schema->kind == KIND_COUNTS || src->schema->kind == KIND_ORG_RESULTS;
}

bool overlap_after(struct overlap_watch *w, const struct model *m, const struct source_dataset *src,
                   size_t i, struct buf *err)
{
    add_new_cells(w, m);
    size_t clashes = 0, first_slot = 0, first_item = 0, other = 0;
    for (size_t s = 0; s < w->n_slots; s++)
        for (size_t it = 0; it < w->n_items && it < m->n_items; it++) {
            size_t k = s * w->n_items + it;
            if (!(m->counts[w->cell_of_slot[s] * m->n_items + it].n > w->before[k]))
                continue; /* dataset i counted nothing here */
            if (!w->first[k]) {
                w->first[k] = (uint32_t)(i + 1);
                continue;
            }
            size_t f = w->first[k] - 1;
            if (w->allow || (!aggregated(&src[i]) && !aggregated(&src[f])))
                continue; /* two respondent files (online and paper, say) add up */
            if (!clashes++) {
                first_slot = s;
                first_item = it;
                other = f;
            }
        }
    if (!clashes)
        return true;
    const struct popcell *p = &m->cells[w->cell_of_slot[first_slot]];
    buf_printf(err,
               "%s: org %s, period %s, item %s is also counted from %s (%zu org, period and item "
               "combination%s in both): %s and %s data of one org, period and item would count "
               "the same staff twice; give --allow-overlap only if they describe different "
               "respondents",
               src[i].ds->path, m->scopes[p->scope].name, m->periods.strings[p->period],
               m->items[first_item].id, src[other].ds->path, clashes, clashes == 1 ? "" : "s",
               aggregated(&src[other]) ? "aggregated" : "respondent",
               aggregated(&src[i]) ? "aggregated" : "respondent");
    return false;
}

void overlap_release(struct overlap_watch *w)
{
    free(w->slot_of_cell);
    free(w->cell_of_slot);
    free(w->first);
    free(w->before);
    memset(w, 0, sizeof(*w));
}
