/* wres.csv: not yet computed; this writes the header so the file exists. */
#include "stats.h"

#define WRES_HEADER "period,org,indicator,bme_n,bme_events,white_n,white_events,bme_rate,white_rate,relative_likelihood,rl_lower,rl_upper,in_range,small_numbers,suppressed," COMMON_COLUMNS

bool write_wres(const struct stats_run *run, struct table *t, struct buf *err)
{
    return table_open(t, run->opt->output_dir, "wres.csv", WRES_HEADER, err);
}
