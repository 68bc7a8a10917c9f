/* trends.csv: not yet computed; this writes the header so the file exists. */
#include "stats.h"

#define TRENDS_HEADER "org,item,group_dim,group,period,previous_period,estimate,previous_estimate,change,change_lower,change_upper,p_value,suppressed," COMMON_COLUMNS

bool write_trends(const struct stats_run *run, struct table *t, struct buf *err)
{
    return table_open(t, run->opt->output_dir, "trends.csv", TRENDS_HEADER, err);
}
