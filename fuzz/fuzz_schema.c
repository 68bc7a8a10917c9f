/* fuzz_schema: the schema parser (lib/schema.c) on arbitrary text.
 *
 * Every input must either parse or fail with one message of the form
 * "PATH:LINE: what is wrong" on a single line.  A schema that parses must
 * be internally consistent: every index it holds is in range, and every
 * answer, item and recode value it declares is found again by the lookups
 * ingest uses (scale_match, schema_find_item, recode_match); its valid
 * periods are periods that can be written. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "harness.h"
#include "schema.h"

#define PATH "fuzz.schema"

static void check_error(const struct buf *err)
{
    const char *p = err->data;
    if (!err->len || strncmp(p, PATH ":", strlen(PATH ":")) != 0)
        harness_fail("error without 'path:line: ' prefix: '%s'", p ? p : "");
    p += strlen(PATH ":");
    char *end;
    long line = strtol(p, &end, 10);
    if (end == p || line < 1 || strncmp(end, ": ", 2) != 0 || !end[2])
        harness_fail("error without a line number and message: '%s'", err->data);
    if (strchr(err->data, '\n'))
        harness_fail("error message spans lines: '%s'", err->data);
}

static void check_scales(const struct schema *s, struct buf *key)
{
    for (size_t k = 0; k < s->n_scales; k++) {
        const struct scale *sc = &s->scales[k];
        if (sc->n_entries == 0 || sc->n_entries > SCALE_MAX_ENTRIES)
            harness_fail("scale '%s' has %zu entries", sc->name, sc->n_entries);
        for (size_t e = 0; e < sc->n_entries; e++) {
            const struct scale_entry *en = &sc->entries[e];
            size_t by_code = scale_match(sc, en->code, strlen(en->code), key);
            size_t by_label = scale_match(sc, en->label, strlen(en->label), key);
            if (by_code != e || by_label != e)
                harness_fail("scale '%s' answer %zu ('%s' '%s') is matched as %zu by code, "
                             "%zu by label",
                             sc->name, e, en->code, en->label, by_code, by_label);
        }
    }
}

static void check_recodes(const struct schema *s, struct buf *key)
{
    for (size_t k = 0; k < s->n_recodes; k++) {
        const struct recode *r = &s->recodes[k];
        for (size_t i = 0; i < r->n_rules; i++) {
            const struct recode_rule *rule = &r->rules[i];
            if (rule->group >= r->n_groups)
                harness_fail("recode '%s' rule %zu names group %zu of %zu", r->name, i, rule->group,
                             r->n_groups);
            size_t g = recode_match(r, NULL, rule->key, strlen(rule->key), key);
            if (g != rule->group)
                harness_fail("recode '%s' value '%s' maps to group %zu, declared %zu", r->name,
                             rule->key, g, rule->group);
        }
    }
}

static void check_items(const struct schema *s)
{
    for (size_t i = 0; i < s->n_items; i++) {
        const struct item *it = &s->items[i];
        if (schema_find_item(s, it->id) != i)
            harness_fail("item '%s' is not found at its own index %zu", it->id, i);
        if (it->scale != SCHEMA_NONE && it->scale >= s->n_scales)
            harness_fail("item '%s' names scale %zu of %zu", it->id, it->scale, s->n_scales);
        for (size_t k = 0; k < it->n_any_of; k++)
            if (it->any_of[k] >= s->n_items || s->items[it->any_of[k]].scale == SCHEMA_NONE)
                harness_fail("derived item '%s' uses item %zu", it->id, it->any_of[k]);
    }
    for (size_t t = 0; t < s->n_themes; t++) {
        const struct theme *th = &s->themes[t];
        if (th->min_items < 1 || th->min_items > th->n_items)
            harness_fail("theme '%s' needs %zu of %zu items", th->id, th->min_items, th->n_items);
        for (size_t k = 0; k < th->n_items; k++)
            if (th->items[k] >= s->n_items || s->items[th->items[k]].scale == SCHEMA_NONE)
                harness_fail("theme '%s' uses item %zu", th->id, th->items[k]);
    }
}

static void check_columns(const struct schema *s)
{
    size_t periods = 0, orgs = 0;
    for (size_t i = 0; i < s->n_columns; i++) {
        const struct schema_column *c = &s->columns[i];
        if (c->role >= ROLE_COUNT_)
            harness_fail("column '%s' has role %d", c->header, (int)c->role);
        periods += c->role == ROLE_PERIOD;
        orgs += c->role == ROLE_ORG;
        bool by_item = c->role == ROLE_ITEM || c->role == ROLE_BASE || c->role == ROLE_RATE;
        if (by_item && (c->item >= s->n_items || strcmp(s->items[c->item].id, c->name) != 0))
            harness_fail("column '%s' names item %zu", c->header, c->item);
        if (c->role == ROLE_ITEM && s->items[c->item].scale == SCHEMA_NONE)
            harness_fail("item column '%s' has no scale", c->header);
        if ((c->scale != SCHEMA_NONE && c->scale >= s->n_scales) ||
            (c->recode != SCHEMA_NONE && c->recode >= s->n_recodes))
            harness_fail("column '%s' names scale %zu, recode %zu", c->header, c->scale, c->recode);
    }
    if (periods != 1 || orgs != 1)
        harness_fail("%zu period and %zu org columns", periods, orgs);
}

/* The valid periods: a forward range of periods that can be written (years
 * 1900-2199, see period_parse), the ones the column ranges name included. */
static void check_periods(const struct schema *s)
{
    struct period first = period_from_ordinal(s->period_kind, s->period_lo);
    struct period last = period_from_ordinal(s->period_kind, s->period_hi);
    struct period before = period_from_ordinal(s->period_kind, s->period_lo - 1);
    if (s->period_lo > s->period_hi || first.year < 1900 || last.year > 2199)
        harness_fail("valid periods run from ordinal %ld to %ld of a %s", s->period_lo,
                     s->period_hi, period_kind_name(s->period_kind));
    if (!schema_period_valid(s, &first) || !schema_period_valid(s, &last) ||
        schema_period_valid(s, &before))
        harness_fail("schema_period_valid disagrees with the range %ld to %ld", s->period_lo,
                     s->period_hi);
    for (size_t i = 0; i < s->n_columns; i++) {
        const struct schema_column *c = &s->columns[i];
        for (size_t k = 0; k < c->n_periods; k++) {
            struct period lo = period_from_ordinal(s->period_kind, c->periods[k].lo);
            struct period hi = period_from_ordinal(s->period_kind, c->periods[k].hi);
            if (c->periods[k].lo > c->periods[k].hi || !schema_column_in_period(c, &lo) ||
                !schema_column_in_period(c, &hi))
                harness_fail("column '%s' does not apply to its own periods", c->header);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf err, key;
    buf_init(&err);
    buf_init(&key);
    struct schema *s = schema_parse(PATH, (const char *)data, size, &err);
    if (!s) {
        check_error(&err);
    } else {
        if (err.len)
            harness_fail("schema parsed with an error message: '%s'", err.data);
        if (s->checksum != (uint32_t)crc32(0L, data, (uInt)size) || s->text_len != size ||
            memcmp(s->text, data, size) != 0)
            harness_fail("the schema keeps a different text or checksum");
        check_scales(s, &key);
        check_recodes(s, &key);
        check_items(s);
        check_columns(s);
        check_periods(s);
    }
    schema_free(s);
    buf_release(&err);
    buf_release(&key);
    return 0;
}
