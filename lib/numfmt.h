/* Numbers as text, fast, for the output tables.  stats writes millions of
 * numbers; glibc's printf of a double takes most of its time, because it
 * computes the exact decimal expansion with big integers.  numfmt_f0 gives
 * the same characters as printf("%.0f"), checked against it in
 * tests/unit/test_numfmt.c, and calls snprintf for the cases it cannot
 * decide cheaply (very large magnitudes); numfmt_shortest, which the tables
 * use for every other number, is checked there against Python's repr and
 * against printf's correctly rounded digits read back by strtod. */
#ifndef CANDOUR_NUMFMT_H
#define CANDOUR_NUMFMT_H

#include <stddef.h>

#define NUMFMT_MAX 320 /* enough for %.0f of any double, and any shortest form */

/* Write v as "%.0f" into out (NUMFMT_MAX bytes); returns the length. */
size_t numfmt_f0(char *out, double v);

/* Write v with the fewest significant digits (1 to 17) that strtod reads
 * back as exactly v: 0.06 as "0.06", not the "0.059999999999999998" of
 * "%.17g"; of two such decimals the nearer to v.  Laid out as "%g" at a
 * precision of max(15, digits): whole digits below 1e15 (2500, not
 * 2.5e+03), fixed notation from 1e-4, else an exponent ("1.5e-05").  -0.0
 * is "-0"; NaN and the infinities as "%g" writes them.  Exact integer
 * arithmetic in one pass from 2^-37 (7.3e-12) to 2^51 (2.3e15), 64-bit
 * from 2^-32, about 15 ns a number; snprintf and strtod outside.  Writes
 * up to 18 bytes past the text's end (within NUMFMT_MAX).  Returns the
 * length. */
size_t numfmt_shortest(char *out, double v);

#endif
