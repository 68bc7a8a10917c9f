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
};

/* A dataset opened with its embedded schema re-parsed. */
struct source_dataset {
    struct dataset *ds;
    struct schema *schema;
};

/* Open every dataset and register items, themes and groupings (all of them
 * before any counting, so count arrays have their final width).  On error
 * returns false with a message in err. */
bool load_open(struct model *m, struct source_dataset *src, char **paths, size_t n,
               struct buf *err);
/* Count every dataset into the model and the HR table. */
bool load_count(struct model *m, struct hr_table *hr, struct source_dataset *src, size_t n,
                struct buf *err);
/* Add org-level counts into the ALL and GROUP:<name> scopes. */
void load_pool(struct model *m);
void load_close(struct source_dataset *src, size_t n);
void hr_table_release(struct hr_table *hr);

#endif
