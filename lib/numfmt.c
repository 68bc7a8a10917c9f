#include "numfmt.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Digits of x, which is below 10^20, right-aligned ending at end; returns
 * the first. */
static char *put_digits(char *end, uint64_t x)
{
    do {
        *--end = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    return end;
}

size_t numfmt_f0(char *out, double v)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        char tmp[24], *end = tmp + sizeof(tmp);
        char *p = put_digits(end, (uint64_t)fabs(v));
        size_t n = 0;
        if (signbit(v))
            out[n++] = '-'; /* printf writes "-0" for -0.0 too */
        memcpy(out + n, p, (size_t)(end - p));
        return n + (size_t)(end - p);
    }
    int n = snprintf(out, NUMFMT_MAX, "%.0f", v);
    return n < NUMFMT_MAX ? (size_t)n : NUMFMT_MAX - 1;
}

static size_t fallback_g15(char *out, double v)
{
    int n = snprintf(out, NUMFMT_MAX, "%.15g", v);
    return (size_t)n;
}

/* 10^k for 0 <= k <= 27, all exact in long double (5^27 < 2^64). */
static long double pow10l_exact(int k)
{
    static const long double table[] = {
        1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
        1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
        1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};
    return table[k];
}

/* %.15g prints 15 significant digits, in fixed notation when the decimal
 * exponent X of the rounded value is in [-4, 14], without trailing zeros.
 * The 15 digits are a * 10^(14 - X) rounded to an integer; in long double
 * that product is within 6e-5 of the exact one, so unless the fraction is
 * within 1e-4 of one half the rounding is the one printf makes. */
size_t numfmt_g15(char *out, double v)
{
    double a = fabs(v);
    if (!(a >= 1e-4 && a < 1e15)) /* zero, NaN, inf and the scientific range */
        return fallback_g15(out, v);
    int binary;
    frexp(a, &binary);
    int x = (int)floor((binary - 1) * 0.30102999566398120); /* log10(2): within one of X */
    if (x < -4)
        x = -4;
    if (x > 14)
        x = 14;
    long double scaled = (long double)a * pow10l_exact(14 - x);
    while (scaled < 1e14L && x > -4) {
        x--;
        scaled = (long double)a * pow10l_exact(14 - x);
    }
    while (scaled >= 1e15L && x < 14) {
        x++;
        scaled = (long double)a * pow10l_exact(14 - x);
    }
    if (scaled < 1e14L || scaled >= 1e15L)
        return fallback_g15(out, v);
    long double whole = floorl(scaled), frac = scaled - whole;
    if (fabsl(frac - 0.5L) < 1e-4L)
        return fallback_g15(out, v);
    uint64_t digits = (uint64_t)whole + (frac > 0.5L);
    if (digits == 1000000000000000ull) { /* 999...9.6 rounds up a decade */
        digits = 100000000000000ull;
        x++;
        if (x > 14)
            return fallback_g15(out, v);
    }
    char d[16];
    put_digits(d + 15, digits); /* exactly 15 digits */
    int last = 14;
    while (last > 0 && d[last] == '0' && last > x)
        last--; /* trailing zeros of the fraction */
    size_t n = 0;
    if (v < 0)
        out[n++] = '-';
    if (x >= 0) {
        memcpy(out + n, d, (size_t)x + 1);
        n += (size_t)x + 1;
        if (last > x) {
            out[n++] = '.';
            memcpy(out + n, d + x + 1, (size_t)(last - x));
            n += (size_t)(last - x);
        }
    } else {
        out[n++] = '0';
        out[n++] = '.';
        for (int z = 0; z < -x - 1; z++)
            out[n++] = '0';
        memcpy(out + n, d, (size_t)last + 1);
        n += (size_t)last + 1;
    }
    out[n] = '\0';
    return n;
}
