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

__extension__ typedef unsigned __int128 u128;

static const uint64_t pow10_u64[] = {1ull,
                                     10ull,
                                     100ull,
                                     1000ull,
                                     10000ull,
                                     100000ull,
                                     1000000ull,
                                     10000000ull,
                                     100000000ull,
                                     1000000000ull,
                                     10000000000ull,
                                     100000000000ull,
                                     1000000000000ull,
                                     10000000000000ull,
                                     100000000000000ull,
                                     1000000000000000ull,
                                     10000000000000000ull,
                                     100000000000000000ull,
                                     1000000000000000000ull};

/* %.15g prints 15 significant digits, in fixed notation when the decimal
 * exponent X of the rounded value is in [-4, 14], without trailing zeros.
 * The digits are a * 10^(14 - X) rounded half to even, as glibc rounds the
 * exact value.  In that range a = m * 2^-s with a 53-bit m and 3 <= s <= 66,
 * and 10^(14 - X) <= 10^18, so m * 10^(14 - X) fits in 128 bits and the
 * division by 2^s, its remainder and the tie are all exact. */
size_t numfmt_g15(char *out, double v)
{
    double a = fabs(v);
    if (!(a >= 1e-4 && a < 1e15)) /* zero, NaN, inf and the scientific range */
        return fallback_g15(out, v);
    int binary;
    double f = frexp(a, &binary); /* a = f * 2^binary, 0.5 <= f < 1 */
    uint64_t m = (uint64_t)ldexp(f, 53);
    int shift = 53 - binary;
    int x = (int)floor((binary - 1) * 0.30102999566398120); /* log10(2): within one of X */
    if (x < -4)
        x = -4;
    uint64_t whole;
    u128 product, rest;
    for (;;) {
        product = (u128)m * pow10_u64[14 - x];
        whole = (uint64_t)(product >> shift);
        rest = product & (((u128)1 << shift) - 1);
        if (whole < 100000000000000ull && x > -4)
            x--;
        else if (whole >= 1000000000000000ull && x < 14)
            x++;
        else
            break;
    }
    if (whole < 100000000000000ull || whole >= 1000000000000000ull)
        return fallback_g15(out, v);
    u128 half = (u128)1 << (shift - 1);
    uint64_t digits = whole + (rest > half || (rest == half && (whole & 1)));
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
