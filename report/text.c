/* board-report.txt: not yet written (report issue). */
#include <stdio.h>

#include "report.h"

int report_text(const struct report_options *opt, const struct results *r)
{
    (void)opt;
    (void)r;
    fputs("candour-report: the board report is not implemented yet\n", stderr);
    return REPORT_EDATA;
}
