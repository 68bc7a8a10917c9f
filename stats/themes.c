/* themes.csv: 0-10 theme scores per cell, the mean over respondents of each
 * respondent's mean item score (NSS technical guide), with a t interval. */
#include <math.h>

#include "stats.h"

bool write_themes(const struct stats_run *run, struct table *t, struct buf *err)
{
    const struct model *m = &run->model;
    if (!table_open(t, run->opt->output_dir, THEMES_FILE, THEMES_COLUMNS, err))
        return false;
    for (size_t k = 0; k < m->n_cells; k++) {
        size_t c = run->order[k];
        if (!cell_shown(run, c))
            continue;
        for (size_t i = 0; i < m->n_themes; i++) {
            const struct theme_count *tc = &m->themes[c * m->n_themes + i];
            if (tc->n == 0 && m->cells[c].respondents == 0)
                continue;
            table_name(t, cell_period(run, c));
            table_name(t, cell_scope(run, c));
            table_name(t, m->theme_ids[i]);
            table_name(t, cell_grouping(run, c));
            table_name(t, cell_group(run, c));
            double mean = tc->n ? tc->sum / tc->n : NAN;
            double var = tc->n > 1 ? (tc->sum_sq - tc->n * mean * mean) / (tc->n - 1) : NAN;
            double sd = var > 0 ? sqrt(var) : 0;
            struct m_interval ci = {mean, NAN, NAN};
            if (tc->supp == SUPP_NONE && tc->n > 1)
                m_mean_t(tc->n, mean, sd, run->opt->conf, &ci);
            if (tc->supp != SUPP_NONE) {
                for (int f = 0; f < 4; f++)
                    table_blank(t);
            } else {
                table_int(t, tc->n);
                table_num(t, mean);
                table_num(t, ci.lower);
                table_num(t, ci.upper);
            }
            table_name(t, suppression_name(tc->supp));
            if (tc->supp != SUPP_NONE)
                table_blank(t);
            else
                table_num(t, sd);
            table_name(t, cell_parent_group(run, c));
            table_common(t, run);
            table_end_row(t);
        }
    }
    return true;
}
