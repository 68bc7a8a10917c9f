/* Charts through gnuplot: not yet drawn (report issue). */
#include "report.h"

int report_charts(const struct report_options *opt, const struct results *r)
{
    (void)opt;
    (void)r;
    return REPORT_ECHARTS;
}
