#include "numfmt.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

static inline void put_pair(char *d, uint32_t v) /* v < 100 */
{
    memcpy(d, digit_pairs + 2 * v, 2);
}

/* Exactly 15 digits of x (below 10^15).  Split into 7 + 8 digits and those
 * into pairs by 32-bit divisions that do not wait on each other, where a
 * loop made them by a chain of seven 64-bit divisions by 100: 13.5-16 ns
 * a number against 15-18 (a loop over fractions, 4 interleaved runs). */
static void put_15_digits(char *d, uint64_t x)
{
    uint32_t hi = (uint32_t)(x / 100000000u), lo = (uint32_t)(x % 100000000u);
    uint32_t h1 = hi / 10000u, h2 = hi % 10000u, l1 = lo / 10000u, l2 = lo % 10000u;
    d[0] = (char)('0' + h1 / 100u);
    put_pair(d + 1, h1 % 100u);
    put_pair(d + 3, h2 / 100u);
    put_pair(d + 5, h2 % 100u);
    put_pair(d + 7, l1 / 100u);
    put_pair(d + 9, l1 % 100u);
    put_pair(d + 11, l2 / 100u);
    put_pair(d + 13, l2 % 100u);
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
    /* a = m * 2^(binary - 53) with 2^52 <= m < 2^53 (a is normal here):
     * frexp and ldexp from the bits, they cost a call each */
    uint64_t bits;
    memcpy(&bits, &a, sizeof(bits));
    int binary = (int)(bits >> 52) - 1022;
    uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
    int shift = 53 - binary;
    /* floor(log10(2) * (binary - 1)), within one of X; the shift of a
     * negative product floors (arithmetic shift, as GCC and Clang do) */
    int x = ((binary - 1) * 78913) >> 18;
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
    /* The digits go straight to where they are printed: copying them from
     * a scratch array with memcpy read them back wider than they were
     * stored, which stalled on store forwarding (a sixth of numfmt). */
    size_t n = 0;
    if (v < 0)
        out[n++] = '-';
    if (x >= 0) {
        /* digit k at p[k] up to the point, at p[k + 1] after it */
        char *p = out + n;
        put_15_digits(p + 1, digits);
        for (int k = 0; k <= x; k++)
            p[k] = p[k + 1];
        p[x + 1] = '.';
        int last = 14;
        while (last > x && p[last + 1] == '0')
            last--; /* trailing zeros of the fraction */
        n += last > x ? (size_t)last + 2 : (size_t)x + 1;
    } else {
        out[n++] = '0';
        out[n++] = '.';
        for (int z = 0; z < -x - 1; z++)
            out[n++] = '0';
        char *p = out + n;
        put_15_digits(p, digits);
        int last = 14;
        while (last > 0 && p[last] == '0')
            last--;
        n += (size_t)last + 1;
    }
    out[n] = '\0';
    return n;
}

/* Try each precision from 1 up: at most 17 snprintf/strtod pairs, and 17
 * digits always read back (IEEE 754 binary64).  Export writes each value
 * once, so the simple search is fast enough. */
size_t numfmt_shortest(char *out, double v)
{
    if (!isfinite(v))
        return (size_t)snprintf(out, NUMFMT_MAX, "%g", v);
    int n = 0, digits;
    for (digits = 1; digits < 17; digits++) {
        n = snprintf(out, NUMFMT_MAX, "%.*g", digits, v);
        if (strtod(out, NULL) == v)
            break;
    }
    /* %g turns to an exponent once the decimal exponent reaches the
     * precision (2500 at 2 digits is "2.5e+03"): below 1e15 write whole
     * digits instead; more digits read back the same */
    int exponent = v == 0 ? 0 : (int)floor(log10(fabs(v)));
    if (exponent >= digits && exponent < 15)
        digits = exponent + 1;
    n = snprintf(out, NUMFMT_MAX, "%.*g", digits, v);
    if (strtod(out, NULL) != v) /* log10 rounding at a power of ten */
        n = snprintf(out, NUMFMT_MAX, "%.17g", v);
    return (size_t)n;
}
