/* The schema: how to read one kind of input file.  The language is described
 * in schemas/README.md.  A parsed schema is immutable; ingest uses it to
 * validate and decode rows, stats re-reads the copy embedded in a dataset to
 * learn each item's scale, positive answers, polarity and themes. */
#ifndef CANDOUR_SCHEMA_H
#define CANDOUR_SCHEMA_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "period.h"
#include "util.h"

#define SCHEMA_NONE ((size_t)-1)
#define SCHEMA_MAX_BYTES (1u << 20)   /* cap on a schema file */
#define SCALE_MAX_ENTRIES 250         /* answers are stored as one byte */
#define LABEL_MAX_CHARS 22            /* a label fits a report table's first column */
#define WRES_FIRST_SURVEY_INDICATOR 5 /* WRES indicators 5-8 come from the survey */
#define WRES_SURVEY_INDICATORS 4

enum schema_kind { KIND_RESPONDENT, KIND_ORG_RESULTS, KIND_COUNTS, KIND_WRES_HR };

enum column_role {
    ROLE_PERIOD,
    ROLE_ORG,
    ROLE_ORG_NAME,
    ROLE_BGROUP,
    ROLE_UNIT,
    ROLE_DEMOGRAPHIC,
    ROLE_ITEM,
    ROLE_WEIGHT,
    ROLE_IDENTIFIER,
    ROLE_FREE_TEXT,
    ROLE_IGNORE,
    ROLE_BASE,
    ROLE_RATE,
    ROLE_ITEM_ID,
    ROLE_GROUP_DIM,
    ROLE_GROUP,
    ROLE_N,
    ROLE_POSITIVE,
    ROLE_HEADCOUNT,
    ROLE_EVENTS,
    ROLE_DESIGN_EFFECT,
    ROLE_COUNT_
};

enum polarity { POLARITY_HIGHER, POLARITY_LOWER };
enum rate_scale { RATE_PERCENT, RATE_FRACTION };
/* Are an org-results file's rates weighted (NSS published results are)? */
enum rate_weighting { RATES_WEIGHTED, RATES_UNWEIGHTED };

struct scale_entry {
    char *code;     /* as written in the schema, e.g. "4" */
    char *label;    /* e.g. "Agree" */
    char *code_key; /* folded for matching */
    char *label_key;
    int64_t code_num; /* the code as a number, -1 when it is not one */
    double score;     /* 0-10 item score, NaN when the answer has none */
};

struct scale {
    char *name;
    struct scale_entry *entries;
    size_t n_entries;
    int line;
};

struct recode_rule {
    char *key;    /* folded value, "" for a blank answer */
    size_t group; /* index into recode.groups */
};

struct recode {
    char *name;
    char **groups;
    size_t n_groups;
    struct recode_rule *rules;
    size_t n_rules;
    int line;
};

struct item {
    char *id;
    char *text;
    char *label;         /* short label (label=, else the id), <= LABEL_MAX_CHARS */
    bool label_declared; /* label= given */
    char *measure;       /* "positive" or "experiencing" */
    size_t scale;        /* SCHEMA_NONE for items of aggregated inputs */
    bool *positive;      /* per scale entry */
    bool *missing;       /* per scale entry: don't know and the like */
    bool missing_in_denominator;
    bool reverse_score;
    size_t *any_of; /* derived item: positive when any of these is */
    size_t n_any_of;
    enum polarity polarity;
    int line;
};

struct theme {
    char *id;
    char *text;
    char *label; /* as for items */
    bool label_declared;
    size_t *items;
    size_t n_items;
    size_t min_items;
    int line;
};

/* A section of the board report: its items and themes, in the schema's
 * order (`section` directives, schemas/README.md). */
struct section {
    char *id;
    char *title;
    size_t *items; /* indices into schema.items */
    size_t n_items;
    size_t *themes; /* indices into schema.themes */
    size_t n_themes;
    int line;
};

/* The WRES roles (`wres-grouping`, `wres-indicator`): which demographic is
 * the WRES ethnicity grouping, which of its groups is the reference (White)
 * and which the comparison group (BME, BAME, Global majority: the data's
 * name), and which item is each survey indicator 5-8. */
struct wres_roles {
    char *grouping; /* NULL: not declared */
    char *reference;
    char *comparison;
    int line;
    size_t indicator_item[WRES_SURVEY_INDICATORS]; /* item index or SCHEMA_NONE */
};

/* Items a chart covers (`chart heatmap|funnel items=...`); not declared:
 * the items of the sections. */
struct chart_items {
    bool declared;
    size_t *items;
    size_t n_items;
};

struct period_range {
    long lo, hi; /* ordinals, inclusive */
};

struct schema_column {
    char *header;     /* as written in the schema */
    char *header_key; /* folded */
    enum column_role role;
    char *name;      /* stable name: unit level, demographic dimension, item id */
    size_t item;     /* item index for item, base and rate columns */
    size_t scale;    /* demographic: optional scale */
    size_t recode;   /* demographic: optional recode */
    char *reference; /* demographic: reference group for disparities */
    char *parent;    /* unit: the enclosing unit level */
    enum rate_scale rate_scale;
    double design_effect; /* rate: its own design-effect=, NaN when not given */
    size_t base_item;     /* rate: item whose base column it shares (base=), else its own */
    bool optional;
    bool period_in_header;        /* the header holds {period}: a wide layout (wide.h) */
    struct period_range *periods; /* NULL: every period */
    size_t n_periods;
    int line;
};

struct schema {
    char *path;
    char *text;
    size_t text_len;
    uint32_t checksum; /* CRC-32 of the schema text */
    char *name;
    enum schema_kind kind;
    enum period_kind period_kind;
    long period_lo, period_hi; /* valid period ordinals */
    char *org_pattern;
    regex_t org_regex;
    unsigned skip_lines;                /* `skip-lines`: non-blank lines before the header */
    unsigned header_rows;               /* `header-rows`: rows the header spans (1) */
    enum rate_weighting rate_weighting; /* org-results: `rates` directive */
    double design_effect;               /* org-results: `design-effect`, NaN when not given */
    char *weight_by;                    /* respondent: `weight-by` demographic, NULL if none */
    bool wide;                          /* some column header holds {period} */
    char *ignore_columns;               /* `ignore-columns` pattern, NULL if none */
    regex_t ignore_regex;               /* ... compiled (REG_ICASE) */
    int weight_by_line;
    struct scale *scales;
    size_t n_scales;
    struct recode *recodes;
    size_t n_recodes;
    struct item *items;
    size_t n_items;
    struct theme *themes;
    size_t n_themes;
    struct schema_column *columns;
    size_t n_columns;
    struct section *sections;
    size_t n_sections;
    struct wres_roles wres;
    struct chart_items heatmap, funnel;
};

/* Parse schema text.  On error returns NULL and writes "path:line: message"
 * into err.  The text is copied; caller frees the result with schema_free. */
struct schema *schema_parse(const char *path, const char *text, size_t len, struct buf *err);
/* Read and parse a schema file. */
struct schema *schema_load(const char *path, struct buf *err);
void schema_free(struct schema *s);

const char *schema_kind_name(enum schema_kind kind);
const char *schema_role_name(enum column_role role);
size_t schema_find_item(const struct schema *s, const char *id);
size_t schema_find_theme(const struct schema *s, const char *id);
/* The section holding item (or theme) index i, SCHEMA_NONE when in none. */
size_t schema_item_section(const struct schema *s, size_t item);
size_t schema_theme_section(const struct schema *s, size_t theme);
/* The WRES survey indicator (5-8) an item is declared as, 0 when none. */
int schema_item_wres_indicator(const struct schema *s, size_t item);

/* Design effect of rate column c: its own design-effect=, else the file's
 * design-effect, else NaN (none given: the rate is treated as a simple
 * random sample of its base). */
double schema_design_effect(const struct schema *s, const struct schema_column *c);

/* Does column c apply to period p (by its periods= list)? */
bool schema_column_in_period(const struct schema_column *c, const struct period *p);
/* Is p a valid period for the schema (format and range)? */
bool schema_period_valid(const struct schema *s, const struct period *p);
bool schema_org_valid(const struct schema *s, const char *org);

/* Match an answer against a scale by code or label (case- and
 * space-insensitive; numeric codes match numerically, "01" = "1").  key is
 * scratch space.  Returns the entry index or SCHEMA_NONE. */
size_t scale_match(const struct scale *sc, const char *value, size_t len, struct buf *key);
/* Group index of a demographic answer through recode r (and scale sc when
 * not NULL), SCHEMA_NONE when the answer is unknown. */
size_t recode_match(const struct recode *r, const struct scale *sc, const char *value, size_t len,
                    struct buf *key);
/* Do two folded keys match (equal, or equal as decimal integers)? */
bool keys_match(const char *a, const char *b);

#endif
