/* hotspots.csv: not yet computed; this writes the header so the file exists. */
#include "stats.h"

#define HOTSPOTS_HEADER "org,period,unit_level,unit,item,n,positive,estimate,rest_n,rest_positive,rest_estimate,diff,diff_lower,diff_upper,p_value,q_value,flagged,suppressed," COMMON_COLUMNS

bool write_hotspots(const struct stats_run *run, struct table *t, struct buf *err)
{
    return table_open(t, run->opt->output_dir, "hotspots.csv", HOTSPOTS_HEADER, err);
}
