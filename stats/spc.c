/* spc.csv: not yet computed; this writes the header so the file exists. */
#include "stats.h"

#define SPC_HEADER "org,item,group_dim,group,period,estimate,centre,lower_limit,upper_limit,signal," COMMON_COLUMNS

bool write_spc(const struct stats_run *run, struct table *t, struct buf *err)
{
    return table_open(t, run->opt->output_dir, "spc.csv", SPC_HEADER, err);
}
