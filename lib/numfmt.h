/* Numbers as text, fast, for the output tables.  stats writes millions of
 * numbers; glibc's printf of a double takes most of its time, because it
 * computes the exact decimal expansion with big integers.  numfmt_g15 and
 * numfmt_f0 give the same characters as printf("%.15g") and printf("%.0f"),
 * checked against it in tests/unit/test_numfmt.c, and call snprintf for the
 * cases they cannot decide cheaply (near a rounding tie, very large or small
 * magnitudes); numfmt_shortest, which the tables use, is checked against
 * Python's repr there. */
#ifndef CANDOUR_NUMFMT_H
#define CANDOUR_NUMFMT_H

#include <stddef.h>

#define NUMFMT_MAX 320 /* enough for any %.15g, and %.0f of any double */

/* Write v as "%.15g" into out (NUMFMT_MAX bytes); returns the length. */
size_t numfmt_g15(char *out, double v);
/* Write v as "%.0f" into out (NUMFMT_MAX bytes); returns the length. */
size_t numfmt_f0(char *out, double v);

/* Write v with the fewest significant digits (1 to 17) that strtod reads
 * back as exactly v: 0.06 as "0.06", not the "0.059999999999999998" of
 * "%.17g"; of two such decimals the nearer to v.  Laid out as "%g" at a
 * precision of max(15, digits): whole digits below 1e15 (2500, not
 * 2.5e+03), fixed notation from 1e-4, else an exponent ("1.5e-05").  -0.0
 * is "-0"; NaN and the infinities as "%g" writes them.  Exact integer
 * arithmetic in one pass from 2^-37 (7.3e-12) to 2^51 (2.3e15), about 20
 * ns a number; snprintf and strtod outside.  Writes up to 18 bytes past
 * the text's end (within NUMFMT_MAX).  Returns the length. */
size_t numfmt_shortest(char *out, double v);

#endif
