/* Reading datasets into the statistics model (model.h) and the HR table
 * used for WRES indicator 3. */
#ifndef CANDOUR_STATS_LOAD_H
#define CANDOUR_STATS_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "dataset.h"
#include "model.h"
#include "schema.h"

/* Workforce headcount and entries into the formal disciplinary process per
 * period, org and WRES ethnic group. */
enum wres_group { WRES_WHITE, WRES_BME, WRES_UNKNOWN, WRES_GROUPS };

struct hr_cell {
    uint32_t period;
    uint32_t scope;
    double headcount[WRES_GROUPS];
    double events[WRES_GROUPS];
};

struct hr_table {
    struct strdict periods; /* HR periods may be months: kept apart from survey periods */
    enum period_kind period_kind;
    bool have_kind;
    struct hr_cell *cells;
    size_t n_cells, cap;
    struct rejected_marks rejected; /* HR rows set aside at ingest */
};

/* A dataset opened with its embedded schema re-parsed. */
struct source_dataset {
    struct dataset *ds;
    struct schema *schema;
};

/* Open every dataset and register items, themes and groupings (all of them
 * before any counting, so count arrays have their final width).  On error
 * returns false with a message in err, and *io_error true when a file could
 * not be read (rather than not being a valid dataset). */
bool load_open(struct model *m, struct source_dataset *src, char **paths, size_t n, struct buf *err,
               bool *io_error);
/* Count every dataset into the model and the HR table.  With m->weighted
 * (--weight) a first pass over the respondent datasets works out NSS
 * occupational-group weights (load.c), and every answer also adds its weight
 * to w_sum, w_sq_sum and w_pos; cells fed by counts or org-results datasets
 * get NaN weighted sums instead.  --weight fails when a respondent dataset
 * lacks the demographic 'occupation', or when there is no respondent
 * dataset. */
struct overlap_watch;
/* watch, when not NULL, looks at each dataset's counts for data counted
 * twice (overlap.h) and stops the counting there with a message. */
bool load_count(struct model *m, struct hr_table *hr, struct source_dataset *src, size_t n,
                struct overlap_watch *watch, struct buf *err);
/* The weighted proportion p_w = w_pos / w_sum of one count and its Kish
 * effective sample size n_eff = w_sum^2 / w_sq_sum (Kish 1965); feed an
 * interval with x = p_w * n_eff, n = n_eff.  False when the count has no
 * weighted data: no --weight, no answers, or counts from aggregated
 * datasets. */
bool weighted_proportion(const struct weighted_sums *ws, double *p_w, double *n_eff);
/* Add org-level counts into the ALL and GROUP:<name> scopes. */
void load_pool(struct model *m);
void load_close(struct source_dataset *src, size_t n);
void hr_table_release(struct hr_table *hr);

#endif
