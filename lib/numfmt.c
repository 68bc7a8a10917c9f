#include "numfmt.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
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
/* Exactly 8 digits of v (below 10^8): four pairs from two halves that do
 * not wait on each other. */
static inline void put_8_digits(char *d, uint32_t v)
{
    uint32_t a = v / 10000u, b = v % 10000u;
    put_pair(d, a / 100u);
    put_pair(d + 2, a % 100u);
    put_pair(d + 4, b / 100u);
    put_pair(d + 6, b % 100u);
}

static void put_15_digits(char *d, uint64_t x)
{
    uint32_t hi = (uint32_t)(x / 100000000u), lo = (uint32_t)(x % 100000000u);
    uint32_t h1 = hi / 10000u, h2 = hi % 10000u;
    d[0] = (char)('0' + h1 / 100u);
    put_pair(d + 1, h1 % 100u);
    put_pair(d + 3, h2 / 100u);
    put_pair(d + 5, h2 % 100u);
    put_8_digits(d + 7, lo);
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
                                     1000000000000000000ull,
                                     10000000000000000000ull};

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

/* A finite nonzero double as d * 10^(x - n + 1): n significant digits in
 * d (trailing zeros allowed, put_decimal leaves them out), x the decimal
 * exponent of the first. */
struct decimal {
    uint64_t d;
    int n, x;
};

/* m * 10^k for k <= 21: below 2^53 * 10^21 < 2^123 */
static inline u128 times_pow10(uint64_t m, int k)
{
    if (k <= 19)
        return (u128)m * pow10_u64[k];
    return (u128)m * pow10_u64[19] * pow10_u64[k - 19];
}

/* The shortest digits of a in [1e-4, 1e15), exactly, without strtod.
 *
 * a = m * 2^-s with 2^52 <= m < 2^53 (a is normal here).  The doubles next
 * to a are m +- 1 (m - 1/2 below a power of two), so strtod reads a decimal
 * back as a when it lies within half that gap of a, the ends included when
 * m is even (strtod rounds ties to even).  At P significant digits the
 * decimals are integers D times 10^(x - P + 1); scaled by 10^k, k = P - 1 - x,
 * a is V = m * 10^k / 2^s and the half gap is 10^k / 2^(s+1).  Only floor(V)
 * and ceil(V) can lie in the interval; with product = m * 10^k, floor(V) is
 * rest = product mod 2^s below, in units of 2^-s, ceil(V) 2^s - rest above.
 * All fits 128 bits: s <= 66, k <= 21.
 *
 * P = 15 first: the interval is under 2.3e-16 of a wide and 15-digit
 * decimals lie at least 1e-15 of a apart, so at most one is in it, and any
 * shorter decimal in it is that one with trailing zeros: the shortest.
 * If none is, P = 16, then 17 (a 17-digit decimal always reads back); of two
 * candidates in the interval the nearer, a tie to the even one. */
static bool shortest_in_range(double a, struct decimal *out)
{
    uint64_t bits;
    memcpy(&bits, &a, sizeof(bits));
    int binary = (int)(bits >> 52) - 1022;
    uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
    int s = 53 - binary;
    bool even = (m & 1) == 0, power_of_two = m == (1ull << 52);
    int x = ((binary - 1) * 78913) >> 18; /* floor(log10 2 * (binary - 1)), as in numfmt_g15 */
    uint64_t whole;
    u128 product;
    for (;;) { /* x such that 10^14 <= floor(V) < 10^15 at 15 digits */
        product = times_pow10(m, 14 - x);
        whole = (uint64_t)(product >> s);
        if (whole < pow10_u64[14])
            x--;
        else if (whole >= pow10_u64[15])
            x++;
        else
            break;
    }
    u128 gap = times_pow10(1, 14 - x); /* 10^k: the gap between doubles, in product units */
    u128 unit = (u128)1 << s;
    for (int p = 15; p <= 17; p++) {
        if (p > 15) { /* one digit more: V and the gap ten times larger */
            product *= 10;
            gap *= 10;
            whole = (uint64_t)(product >> s);
        }
        u128 rest = product & (unit - 1);
        /* in the interval: 2 * distance <= gap above; below, the same, or
         * 4 * distance <= gap at a power of two; equality only when even */
        u128 below2 = power_of_two ? 4 * rest : 2 * rest, above2 = 2 * (unit - rest);
        bool floor_in = below2 < gap || (below2 == gap && even);
        bool ceil_in = rest != 0 && (above2 < gap || (above2 == gap && even));
        uint64_t d;
        if (floor_in && ceil_in)
            d = rest < unit - rest ? whole : rest > unit - rest ? whole + 1 : whole + (whole & 1);
        else if (floor_in)
            d = whole;
        else if (ceil_in)
            d = whole + 1;
        else
            continue;
        if (d == pow10_u64[p]) /* ceil of 99...9.x: one digit more */
            *out = (struct decimal){d / 10, p, x + 1};
        else
            *out = (struct decimal){d, p, x};
        return true;
    }
    return false; /* not reached: 17 digits always read back */
}

/* Digits of "%.*e" text: d, its count and the exponent. */
static struct decimal parse_e(const char *text)
{
    struct decimal r = {0, 0, 0};
    const char *c = text;
    for (; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9') {
            r.d = r.d * 10 + (uint64_t)(*c - '0');
            r.n++;
        }
    if (*c == 'e')
        r.x = atoi(c + 1);
    return r;
}

/* Does d * 10^(x - n + 1) read back as a? */
static bool reads_back(struct decimal r, double a)
{
    char text[48];
    snprintf(text, sizeof(text), "%" PRIu64 "e%d", r.d, r.x - r.n + 1);
    return strtod(text, NULL) == a;
}

/* Outside [1e-4, 1e15) (p-values far in the tail, subnormals, huge
 * values; few in the tables) by printf's correctly rounded digits and
 * strtod: for a normal double at 15, 16, then 17 digits, as in
 * shortest_in_range (at 15 at most one decimal can read back, so trimmed of
 * zeros it is the shortest); for a subnormal, whose interval is wider than
 * its value's digits, each precision from 1 up.  printf gives the nearest
 * decimal; at a power of two the narrower gap below can leave the one a
 * step up the only one that reads back, so that is tried too. */
static struct decimal shortest_slow(double a)
{
    uint64_t bits;
    memcpy(&bits, &a, sizeof(bits));
    bool subnormal = (bits >> 52) == 0;
    bool power_of_two = (bits & ((1ull << 52) - 1)) == 0 && (bits >> 52) > 1;
    char text[48];
    struct decimal r = {0, 0, 0};
    for (int p = subnormal ? 1 : 15; p <= 17; p++) {
        snprintf(text, sizeof(text), "%.*e", p - 1, a);
        r = parse_e(text);
        if (reads_back(r, a))
            break;
        struct decimal up = {r.d + 1, p, r.x};
        if (up.d == pow10_u64[p]) {
            up.d /= 10;
            up.x++;
        }
        if (power_of_two && reads_back(up, a)) {
            r = up;
            break;
        }
    }
    return r;
}

/* Exactly 17 digits of x (below 10^17), by pairs from independent 32-bit
 * halves as put_15_digits. */
static void put_17_digits(char *d, uint64_t x)
{
    uint32_t top = (uint32_t)(x / 10000000000000000ull);
    uint64_t rest = x % 10000000000000000ull;
    d[0] = (char)('0' + top);
    put_8_digits(d + 1, (uint32_t)(rest / 100000000u));
    put_8_digits(d + 9, (uint32_t)(rest % 100000000u));
}

/* Digits and exponent as printf's %g would lay them out at precision
 * max(15, n), trailing zeros of the digits left out: fixed for
 * -4 <= x < that precision, else d.ddde+XX.  Below 1 the 17 digits go
 * straight to their place; elsewhere they are copied a byte at a time: a
 * memcpy from the scratch array read them back wider than they were
 * stored, a store-forwarding stall (35 -> 32.5 ns a number). */
static size_t put_decimal(char *out, bool negative, struct decimal r)
{
    uint64_t d17 = r.d * pow10_u64[17 - r.n]; /* 17 digits, the last ones zeros */
    size_t len = 0;
    if (negative)
        out[len++] = '-';
    int n = 17;
    if (r.x < 0 && r.x >= -4) {
        out[len++] = '0';
        out[len++] = '.';
        for (int z = 0; z < -r.x - 1; z++)
            out[len++] = '0';
        char *p = out + len;
        put_17_digits(p, d17);
        while (n > 1 && p[n - 1] == '0')
            n--;
        len += (size_t)n;
    } else {
        char digits[17];
        put_17_digits(digits, d17);
        while (n > 1 && digits[n - 1] == '0')
            n--;
        int fixed_below = n > 15 ? n : 15;
        if (r.x >= 0 && r.x < fixed_below) {
            for (int k = 0; k <= r.x; k++) /* whole digits, zeros past n */
                out[len++] = k < n ? digits[k] : '0';
            if (n > r.x + 1) {
                out[len++] = '.';
                for (int k = r.x + 1; k < n; k++)
                    out[len++] = digits[k];
            }
        } else {
            out[len++] = digits[0];
            if (n > 1) {
                out[len++] = '.';
                for (int k = 1; k < n; k++)
                    out[len++] = digits[k];
            }
            len += (size_t)sprintf(out + len, "e%c%02d", r.x < 0 ? '-' : '+', abs(r.x));
        }
    }
    out[len] = '\0';
    return len;
}

size_t numfmt_shortest(char *out, double v)
{
    if (!isfinite(v))
        return (size_t)snprintf(out, NUMFMT_MAX, "%g", v);
    if (v == 0)
        return (size_t)snprintf(out, NUMFMT_MAX, "%s", signbit(v) ? "-0" : "0");
    double a = fabs(v);
    struct decimal r;
    if (!(a >= 1e-4 && a < 1e15 && shortest_in_range(a, &r)))
        r = shortest_slow(a);
    return put_decimal(out, v < 0, r);
}
