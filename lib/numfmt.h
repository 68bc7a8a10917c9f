/* Numbers as text, fast, for the output tables.  stats writes millions of
 * numbers; glibc's printf of a double takes most of its time, because it
 * computes the exact decimal expansion with big integers.  These give the
 * same characters as printf("%.15g") and printf("%.0f"), checked against it
 * in tests/unit/test_numfmt.c, and call snprintf for the cases they cannot
 * decide cheaply (near a rounding tie, very large or small magnitudes). */
#ifndef CANDOUR_NUMFMT_H
#define CANDOUR_NUMFMT_H

#include <stddef.h>

#define NUMFMT_MAX 320 /* enough for any %.15g, and %.0f of any double */

/* Write v as "%.15g" into out (NUMFMT_MAX bytes); returns the length. */
size_t numfmt_g15(char *out, double v);
/* Write v as "%.0f" into out (NUMFMT_MAX bytes); returns the length. */
size_t numfmt_f0(char *out, double v);

/* Write finite v with the fewest significant digits (1 to 17, "%.*g")
 * that strtod reads back as exactly v: 0.06 as "0.06", not the
 * "0.059999999999999998" of "%.17g"; whole digits rather than an exponent
 * below 1e15 (2500, not 2.5e+03).  Returns the length; NaN and the
 * infinities as "%g" writes them. */
size_t numfmt_shortest(char *out, double v);

#endif
