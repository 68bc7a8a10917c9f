/* disparities.csv: not yet computed; this writes the header so the file exists. */
#include "stats.h"

#define DISPARITIES_HEADER "period,org,item,group_dim,group,reference,n,positive,ref_n,ref_positive,diff,diff_lower,diff_upper,ratio,ratio_lower,ratio_upper,p_value,q_value,suppressed," COMMON_COLUMNS

bool write_disparities(const struct stats_run *run, struct table *t, struct buf *err)
{
    return table_open(t, run->opt->output_dir, "disparities.csv", DISPARITIES_HEADER, err);
}
