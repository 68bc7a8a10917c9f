/* The results' dictionary as candour-report reads it: items.csv (what each
 * item and theme is called, which report section holds it, which WRES
 * indicator it is, which charts cover it) and wres-groups.csv (the WRES
 * grouping and its reference and comparison groups under the data's own
 * names).  Every name the report prints for an item, theme, section or
 * group comes from here; report/ holds none of its own.
 *
 * Strings point into the loaded tables (struct results), which must
 * outlive the dictionary. */
#ifndef CANDOUR_REPORT_DICTIONARY_H
#define CANDOUR_REPORT_DICTIONARY_H

#include <stdbool.h>
#include <stddef.h>

#include "results.h"
#include "util.h"

#define DICT_NONE ((size_t)-1)
/* WRES indicators the results can hold: 3 (HR records), 5 to 8 (survey). */
#define DICT_WRES_MAX 9

struct dict_entry {
    const char *id;
    const char *label; /* the declared short label; the id when none */
    const char *text;  /* question text, "" when none */
    const char *measure, *polarity;
    const char *periods; /* "2022;2023": periods with answers */
    size_t section;      /* index in sections, DICT_NONE */
    int wres_indicator;  /* 5..8, 0 for none */
    bool theme, heatmap, funnel;
};

struct dict_section {
    const char *id, *title;
};

/* One side of the WRES comparison: the demographic and its two groups. */
struct dict_wres_side {
    const char *grouping, *reference, *comparison; /* NULL: not declared */
};

struct dictionary {
    bool present;               /* items.csv was in the results */
    struct dict_entry *entries; /* items.csv order: each section's items,
                                   then its themes; then the rest */
    size_t n;
    struct dict_section *sections; /* in report order */
    size_t n_sections;
    struct dict_wres_side survey, hr;
    bool indicator_declared[DICT_WRES_MAX + 1]; /* per wres-groups.csv */
};

/* Read the dictionary of r (items.csv, wres-groups.csv; both may be
 * missing, giving an empty dictionary).  False with a message
 * "FILE:LINE: ..." in err for a file candour-stats did not write. */
bool dict_load(struct dictionary *d, const struct results *r, struct buf *err);
void dict_release(struct dictionary *d);

/* The entry of an item (theme false) or theme (theme true), or NULL. */
const struct dict_entry *dict_find(const struct dictionary *d, const char *id, bool theme);
/* The label of an item or theme, or NULL when the dictionary lacks it. */
const char *dict_label(const struct dictionary *d, const char *id);
/* The item declared as WRES indicator k (5..8), or NULL. */
const struct dict_entry *dict_indicator_item(const struct dictionary *d, int k);
/* Was the item (or theme) asked in period, per its `periods` column?  True
 * when the dictionary does not say. */
bool dict_asked_in(const struct dict_entry *e, const char *period);
/* Is an id usable in a file name (letters, digits, _ - ., not starting with
 * a dot)?  Schemas allow nothing else; an edited items.csv might. */
bool dict_id_file_safe(const char *id);

#endif
