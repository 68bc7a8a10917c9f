/* The run's dictionary: what each item, theme and group means, merged from
 * the declarations of every dataset's schema (labels, report sections, WRES
 * roles, chart items; schemas/README.md "Meaning").  stats uses it for the
 * WRES indicators and writes it as items.csv and wres-groups.csv, so that
 * candour-report (and a user of R or pandas) need nothing else.  Two
 * datasets that declare conflicting meaning for the same id are an error
 * naming both. */
#ifndef CANDOUR_STATS_DICTIONARY_H
#define CANDOUR_STATS_DICTIONARY_H

#include <stdbool.h>
#include <stddef.h>

#include "load.h"
#include "model.h"
#include "schema.h"

/* One item or theme of the model.  Strings point into the datasets'
 * schemas, which live as long as the run's sources. */
struct dict_entry {
    const char *label, *text;
    bool label_declared;
    size_t section;              /* index into dictionary.sections, MODEL_NONE */
    int wres_indicator;          /* 5-8, 0 when none */
    const struct schema *schema; /* the first schema declaring it: scale, answers */
    size_t schema_index;         /* its index there */
    const char *dataset;         /* the dataset that schema came with, for messages */
};

struct dict_section {
    const char *id, *title;
    const char *dataset;
    size_t *items, n_items;   /* model item indices, in declared order */
    size_t *themes, n_themes; /* model theme indices */
};

/* The WRES roles of one side: the survey (indicators 5-8, from respondent
 * and counts datasets) or the HR records (indicator 3). */
struct dict_wres_side {
    const char *grouping, *reference, *comparison; /* NULL: not declared */
    const char *other; /* HR: the recode's name for the rest (e.g. Unknown), NULL if none */
    const char *dataset;
};

/* Items a chart covers, as model item indices. */
struct dict_chart {
    bool declared;
    size_t *items, n_items;
    const char *dataset;
};

struct dictionary {
    struct dict_entry *items;  /* per model item */
    struct dict_entry *themes; /* per model theme */
    struct dict_section *sections;
    size_t n_sections;
    struct dict_wres_side survey, hr;
    size_t indicator_item[WRES_SURVEY_INDICATORS]; /* model item index, MODEL_NONE */
    struct dict_chart heatmap, funnel;
};

/* Merge the declarations of the n datasets' schemas for the model's items
 * and themes.  False with a message in err when two datasets conflict. */
bool dictionary_build(struct dictionary *d, const struct model *m, const struct source_dataset *src,
                      size_t n, struct buf *err);
void dictionary_release(struct dictionary *d);
/* Is model item i covered by the chart (declared items, else the sections')? */
bool dictionary_chart_has(const struct dictionary *d, const struct dict_chart *c, size_t item);

#endif
