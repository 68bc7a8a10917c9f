/* Survey and HR time periods: a year ("2023"), a quarter ("2023-Q2") for
 * quarterly pulse surveys, or a month ("2023-04") for monthly HR data. */
#ifndef CANDOUR_PERIOD_H
#define CANDOUR_PERIOD_H

#include <stdbool.h>
#include <stddef.h>

enum period_kind { PERIOD_YEAR, PERIOD_QUARTER, PERIOD_MONTH };

struct period {
    enum period_kind kind;
    int year;
    int sub; /* quarter 1-4, month 1-12, 0 for a year */
};

#define PERIOD_TEXT_MAX 16

/* Parse s (surrounding spaces ignored; "q" in either case).  Years 1900-2199. */
bool period_parse(const char *s, size_t len, struct period *out);
/* Canonical text: "2023", "2023-Q2", "2023-04". */
void period_format(const struct period *p, char out[PERIOD_TEXT_MAX]);
/* Consecutive integers within one kind, so the previous period is ordinal - 1. */
long period_ordinal(const struct period *p);
/* Inverse of period_ordinal. */
struct period period_from_ordinal(enum period_kind kind, long ordinal);
/* Negative, zero or positive like strcmp; periods of different kinds order by kind. */
int period_compare(const struct period *a, const struct period *b);
const char *period_kind_name(enum period_kind kind);

#endif
