/* benchmarks.csv: not yet computed; this writes the header so the file exists. */
#include "stats.h"

#define BENCHMARKS_HEADER "period,item,group_dim,group,org,n,positive,estimate,target,lower95,upper95,lower998,upper998,model,flag," COMMON_COLUMNS

bool write_benchmarks(const struct stats_run *run, struct table *t, struct buf *err)
{
    return table_open(t, run->opt->output_dir, "benchmarks.csv", BENCHMARKS_HEADER, err);
}
