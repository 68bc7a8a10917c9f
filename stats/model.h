/* The statistics model: every population cell that stats reports on, and
 * its counts per item and theme.
 *
 * A population cell ("popcell") is a set of respondents: one period, one
 * scope (an org, ALL orgs pooled, or one benchmarking group pooled), and one
 * group of one grouping (the whole scope; a demographic group such as
 * ethnicity = BME; a unit such as directorate = Medicine).  Units exist only
 * inside an org.  Each popcell has a parent it is part of (a team's
 * directorate, a directorate's or a demographic group's whole org), which
 * the disclosure control needs.  Counts per popcell and item are n (the
 * denominator: substantive answers) and positive; weighted sums sit beside
 * them when --weight is on. */
#ifndef CANDOUR_STATS_MODEL_H
#define CANDOUR_STATS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schema.h"
#include "successors.h"
#include "util.h"

#define MODEL_NONE ((size_t)-1)

enum grouping_kind { GROUPING_ALL, GROUPING_DEMOGRAPHIC, GROUPING_UNIT };
enum scope_kind { SCOPE_ORG, SCOPE_ALL, SCOPE_BGROUP };

struct grouping {
    char *name; /* "all", "ethnicity", "directorate", ... */
    enum grouping_kind kind;
    size_t parent;   /* unit levels: enclosing grouping; else the "all" grouping */
    char *reference; /* demographic: reference group, NULL if none */
};

struct scope {
    char *name; /* org code, "ALL" or "GROUP:<name>" */
    enum scope_kind kind;
};

/* Suppression state of a reported cell.  SUPP_LEDGER: hidden because its
 * difference from a figure of an earlier release (--ledger) would describe
 * fewer than min_n people, or to protect such a difference
 * (stats/disclosure.c).  SUPP_INCOMPLETE: hidden because rows of an
 * aggregated input that would have fed it were set aside at ingest
 * (stats/incomplete.c). */
enum suppression { SUPP_NONE = 0, SUPP_PRIMARY, SUPP_SECONDARY, SUPP_LEDGER, SUPP_INCOMPLETE };

/* Rows of an aggregated input that candour-ingest --rejects set aside
 * (dataset.h, struct ds_rejected), by the period and org scope they name:
 * REJECTED_ANY_PERIOD and MODEL_NONE when unreadable.  items, for survey
 * marks, flags the model items the input could carry (its schema's); NULL
 * for HR marks.  Owned by the list. */
#define REJECTED_ANY_PERIOD UINT32_MAX
struct rejected_mark {
    uint32_t period;
    size_t scope;
    double rows;
    bool *items;
};
struct rejected_marks {
    struct rejected_mark *list;
    size_t n, cap;
};
void rejected_marks_release(struct rejected_marks *marks);

struct popcell {
    uint32_t period; /* index into model.periods */
    uint32_t scope;
    uint32_t grouping;
    uint32_t group;     /* index into model.groups (the group's label) */
    size_t parent;      /* popcell this one is part of, MODEL_NONE for a whole scope */
    size_t respondents; /* respondents in the cell (any answer) */
};

/* Counts of one popcell for one item.  Every stage reads these for every
 * cell (a national year: 2.3 million), so they hold only what every run
 * needs: 24 bytes (the --weight sums are apart, struct weighted_sums). */
struct item_count {
    double n; /* substantive answers (weighted data: sums of weights) */
    double positive;
    enum suppression supp;
    uint8_t rates; /* COUNT_RATES_* bits: counts taken from weighted published rates */
};

/* --weight: sums of w, w^2 and w over positive answers of one popcell for
 * one item (weighted_proportion, load.h). */
struct weighted_sums {
    double w_sum, w_sq_sum, w_pos;
};

/* item_count.rates: the counts include weighted published rates (org-results)
 * with no design effect (intervals assume simple random sampling of the
 * base) or with one (counts scaled to the effective base n / deff).  Pooled
 * cells take the union of their members' bits. */
#define COUNT_RATES_SRS 1u
#define COUNT_RATES_DEFF 2u

struct theme_count {
    double n, sum, sum_sq;
    enum suppression supp;
};

struct item_meta {
    char *id;
    char *text;
    char *measure; /* "positive" or "experiencing" */
    enum polarity polarity;
};

struct model {
    struct strdict periods; /* canonical period text */
    enum period_kind period_kind;
    struct scope *scopes;
    size_t n_scopes, scopes_cap;
    struct strdict scope_names;
    char **org_bgroup; /* per scope (orgs only): benchmarking group or NULL */
    bool *org_outside; /* per org scope (n_org_outside of them): left out of the
                          comparison set (compare.h); NULL when none is */
    size_t n_org_outside;
    struct grouping *groupings;
    size_t n_groupings;
    struct strdict groups; /* group labels */
    struct popcell *cells;
    size_t n_cells, cells_cap;
    uint32_t *cell_slots; /* hash of (period, scope, grouping, group, parent) */
    size_t n_cell_slots;
    struct item_meta *items;
    size_t n_items;
    struct item_count *counts; /* n_cells * n_items */
    /* While set, model_cell leaves the item counts of the cells it makes
     * unset rather than zeroed: for a caller that sets every new cell's
     * counts whole before anything reads them (count_respondent), so that
     * fresh memory is first touched once, on its counting threads. */
    bool counts_unset;
    struct weighted_sums *weighted_sums; /* n_cells * n_items with weighted, else NULL */
    char **theme_ids;
    size_t n_themes;
    struct theme_count *themes; /* n_cells * n_themes */
    bool weighted;
    const char *weight_by;          /* --weight-by: demographic to compute weights by, or NULL */
    char *weight_source;            /* with --weight: what the weights were (inputs.csv) */
    bool from_aggregates;           /* some counts came from counts or org-results files */
    struct rejected_marks rejected; /* rows of those files set aside at ingest */
    /* n_cells * n_items, NULL when none: the count will be SUPP_INCOMPLETE
     * (incomplete.c), so suppression leaves out relations with such a parent */
    bool *incomplete;
    struct org_history history; /* org names per period, successor map (successors.h) */
};

/* Is org scope s in the comparison set (pooled into ALL and GROUP:)? */
static inline bool model_org_compared(const struct model *m, size_t s)
{
    return !m->org_outside || s >= m->n_org_outside || !m->org_outside[s];
}

void model_init(struct model *m);
void model_release(struct model *m);
size_t model_scope(struct model *m, const char *name, enum scope_kind kind);
size_t model_grouping(struct model *m, const char *name, enum grouping_kind kind);
size_t model_item(struct model *m, const struct item *it);
size_t model_theme(struct model *m, const char *id);
/* The popcell for these coordinates, created (with zero counts) on first use. */
size_t model_cell(struct model *m, uint32_t period, uint32_t scope, uint32_t grouping,
                  uint32_t group, size_t parent);
static inline struct item_count *model_count(struct model *m, size_t cell, size_t item)
{
    return &m->counts[cell * m->n_items + item];
}
/* With weighted (--weight) only. */
static inline struct weighted_sums *model_weighted_sums(struct model *m, size_t cell, size_t item)
{
    return &m->weighted_sums[cell * m->n_items + item];
}
static inline struct theme_count *model_theme_count(struct model *m, size_t cell, size_t theme)
{
    return &m->themes[cell * m->n_themes + theme];
}
/* The whole-scope cell a cell belongs to (the root of its parents). */
static inline size_t model_org_cell(const struct model *m, size_t cell)
{
    while (m->cells[cell].parent != MODEL_NONE)
        cell = m->cells[cell].parent;
    return cell;
}

#endif
