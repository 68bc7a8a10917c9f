#include "numfmt.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* The 8 digits of v (below 10^8) as the bytes 0-9 of one word, the first
 * digit in the low byte (memcpy stores them in order on a little-endian
 * machine): v split into two 4-digit lanes, each into 2 + 2, each into
 * 1 + 1, in lanes of the one word, by multiplications where put_8_digits
 * does two divisions and four table look-ups.  x * 10486 >> 20 is x / 100
 * for x < 10^4, x * 103 >> 10 is x / 10 for x < 100. */
static inline uint64_t digit_bytes_8(uint32_t v)
{
    uint64_t x = (v / 10000u) | ((uint64_t)(v % 10000u) << 32);
    uint64_t hundreds = ((x * 10486u) >> 20) & 0x0000007F0000007Full;
    x = hundreds | ((x - hundreds * 100u) << 16);
    uint64_t tens = ((x * 103u) >> 10) & 0x000F000F000F000Full;
    return tens | ((x - tens * 10u) << 8);
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "numfmt: digit_bytes_8 lays digits out for a little-endian machine"
#endif

static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

/* v below 10^4 (all but 0.1% of a national run's counts): two digit
 * pairs from the table, in one word with the leading zeros shifted out;
 * one multiply (x * 5243 >> 19 is x / 100 for x < 10^4) where
 * digit_bytes_8 makes a chain of three.  4.5 -> 2.6 ns a count.  Writes 4
 * bytes. */
static inline size_t put_below_10000(char *out, uint32_t v)
{
    uint32_t hundreds = (v * 5243u) >> 19, rest = v - hundreds * 100u;
    uint16_t high, low;
    memcpy(&high, digit_pairs + 2 * hundreds, 2);
    memcpy(&low, digit_pairs + 2 * rest, 2);
    uint32_t text = (uint32_t)high | (uint32_t)low << 16; /* little-endian: in order */
    unsigned n = 1u + (v >= 10u) + (v >= 100u) + (v >= 1000u);
    text >>= 8 * (4 - n);
    memcpy(out, &text, 4);
    return n;
}

/* Whole numbers below 10^8 (counts: two a row of most tables) as one word
 * of digit_bytes_8, leading zeros shifted out (ctz), where put_digits'
 * loop made a digit per dependent division and copied them from a scratch
 * array. Writes 8 bytes. */
static size_t put_small_whole(char *out, uint32_t v)
{
    if (v < 10000u)
        return put_below_10000(out, v);
    uint64_t digits = digit_bytes_8(v);
    int zeros = digits ? __builtin_ctzll(digits) / 8 : 7; /* "0" keeps one */
    uint64_t text = (digits + 0x3030303030303030ull) >> (8 * zeros);
    memcpy(out, &text, 8);
    return (size_t)(8 - zeros);
}

size_t numfmt_f0(char *out, double v)
{
    double a = fabs(v);
    uint32_t whole = a < 1e8 ? (uint32_t)a : 0; /* no call to floor: it is one without SSE4.1 */
    if (a < 1e8 && (double)whole == a) {
        size_t n = signbit(v) ? 1 : 0; /* printf writes "-0" for -0.0 too */
        out[0] = '-';
        return n + put_small_whole(out + n, whole);
    }
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

/* A finite nonzero double as d * 10^(x - n + 1): n significant digits in
 * d (trailing zeros allowed, put_decimal leaves them out), x the decimal
 * exponent of the first. */
struct decimal {
    uint64_t d;
    int n, x;
};

/* 5^k for k <= 27, the last below 2^64 */
static const uint64_t pow5_u64[28] = {1ull,
                                      5ull,
                                      25ull,
                                      125ull,
                                      625ull,
                                      3125ull,
                                      15625ull,
                                      78125ull,
                                      390625ull,
                                      1953125ull,
                                      9765625ull,
                                      48828125ull,
                                      244140625ull,
                                      1220703125ull,
                                      6103515625ull,
                                      30517578125ull,
                                      152587890625ull,
                                      762939453125ull,
                                      3814697265625ull,
                                      19073486328125ull,
                                      95367431640625ull,
                                      476837158203125ull,
                                      2384185791015625ull,
                                      11920928955078125ull,
                                      59604644775390625ull,
                                      298023223876953125ull,
                                      1490116119384765625ull,
                                      7450580596923828125ull};

/* Of floor(V) = whole and ceil(V), with V - whole = frac / 2^64, the one
 * that reads back as a (nearer than the limits below and above), the nearer
 * if both do, of two equally near the even one; false if neither does.
 * Flags combined with & and |, not branches: which one wins is a coin toss
 * a branch predictor would lose. */
static inline bool nearest_integer(uint64_t whole, uint64_t frac, u128 below_limit,
                                   u128 above_limit, uint64_t *d)
{
    bool floor_in = frac < below_limit;
    bool ceil_in = ((u128)1 << 64) - frac < above_limit;
    bool up_nearer = (frac > (1ull << 63)) | ((frac == (1ull << 63)) & (bool)(whole & 1));
    *d = whole + (ceil_in & (!floor_in | up_nearer));
    return floor_in | ceil_in;
}

/* The shortest digits of a in [2^-37, 2^51), in one pass, exactly, without
 * strtod.
 *
 * a = m * 2^-s with 2^52 <= m < 2^53 and 2 <= s <= 89 here (a is normal).
 * Count in units of 10^-k, where 10^(k-1) < 2^s < 10^k: a is
 * V = m * 10^k / 2^s, and the gap between doubles is G = 10^k / 2^s, with
 * 1 < G < 10, so 2^52 < V < 10^17.  strtod reads a decimal back as a when
 * it lies within half a gap of V (a quarter below a power of two, where
 * the next double down is nearer), the ends included when m is even.
 * - A decimal that is not an integer in these units has a digit below the
 *   unit, 10^15 or more units under its first: 17 digits or more, more
 *   than any integer in the interval has, so the shortest is an integer.
 * - A multiple of ten has fewer digits than the integers next to it (or is
 *   a power of ten).  The interval is under 10 units wide, so at most one
 *   lies in it: if one does, it is the shortest.
 * - If none does, the integers in the interval all have the same number
 *   of digits (a power of ten would be a multiple of ten), and the nearest
 *   to V is floor(V) or ceil(V).
 * The interval is G > 1 wide and holds an integer, except below a power
 * of two, 3G/4 wide: if it holds none, the same one digit finer, where it
 * holds no multiple of ten (that would have been an integer before).
 *
 * Exact in 128 bits, in units of 2^-64: G is 10^k * 2^(64-s) =
 * 5^k * 2^(k+64-s), an integer below 10 * 2^64 (k + 64 - s >= 2 for these
 * s), and V is m * G, below 2^121 (one digit finer, 2^125); its top 64
 * bits are floor(V), its low 64 bits the fraction.  A distance d is within
 * half a gap g (a multiple of 4) when 2d < g, or 2d <= g when m is even:
 * d < g/2 + even.  No shift by a variable count of 128-bit numbers, whose
 * branches and spills made an earlier form of this as slow as the old
 * way, which tried 15, then 16, then 17 digits, a 128-bit product and
 * test each. */
static bool shortest_in_range(uint64_t bits, struct decimal *out)
{
    int binary = (int)(bits >> 52) - 1022;
    uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
    int s = 53 - binary;
    bool even = (m & 1) == 0, power_of_two = m == (1ull << 52);
    int k = ((s * 78913) >> 18) + 1; /* floor(log10 2 * s) + 1, exact for these s */
    int up = k + 64 - s;             /* 2 to 63 */
    uint64_t five = pow5_u64[k];
    u128 gap = ((u128)(five >> (64 - up)) << 64) | (uint64_t)(five << up);
    u128 v = (u128)m * (uint64_t)gap + ((u128)(m * (uint64_t)(gap >> 64)) << 64);
    u128 above_limit = (gap >> 1) + even, below_limit = (gap >> (1 + power_of_two)) + even;
    uint64_t whole = (uint64_t)(v >> 64), frac = (uint64_t)v;
    uint64_t last = whole % 10, d;
    u128 ten_below = ((u128)last << 64) | frac; /* V minus the multiple of ten under it */
    bool ten_below_in = ten_below < below_limit;
    bool ten_above_in = ((u128)10 << 64) - ten_below < above_limit;
    bool ten_in = ten_below_in | ten_above_in;
    bool found = nearest_integer(whole, frac, below_limit, above_limit, &d);
    uint64_t ten = whole - last + 10 * ten_above_in;
    d += (ten - d) & (0 - (uint64_t)ten_in);      /* ten if ten_in, without a branch */
    if (__builtin_expect(!(ten_in | found), 0)) { /* only below a power of two: one digit finer */
        v *= 10;
        gap *= 10;
        k++;
        if (!nearest_integer((uint64_t)(v >> 64), (uint64_t)v, (gap >> 2) + 1, (gap >> 1) + 1, &d))
            return false; /* not reached */
    }
    bool seventeen = d >= pow10_u64[16];
    *out = (struct decimal){d * (seventeen ? 1 : 10), 17, 15 + seventeen - k};
    return true;
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

/* Outside [2^-37, 2^51) (p-values below 7e-12, subnormals, huge values;
 * few in the tables) by printf's correctly rounded digits and strtod: for a
 * normal double at 15, 16, then 17 digits (at 15 at most one decimal can
 * read back, so trimmed of zeros it is the shortest); for a subnormal, whose interval is wider than
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

/* Trailing zero digits of digit_bytes_8's word (8 when all are zero). */
static inline int trailing_zero_digits(uint64_t w)
{
    return w ? __builtin_clzll(w) / 8 : 8;
}

/* d17 (10^16 <= d17 < 10^17) as text: its first digit and the next 16 as
 * ASCII in two words, and how many of the 17 are significant (trailing
 * zeros left out). */
struct digits17 {
    char first;
    uint64_t mid, low;
    int n;
};

#ifdef __SSE2__
/* The 16 digits after the first in one SSE2 register, where the scalar
 * form below makes two words of digit_bytes_8: the two 8-digit halves split
 * into four 4-digit lanes (x / 10^4 as x * 0xD1B71759 >> 45), each into
 * 2 + 2 (x * 5243 >> 19 is x / 100 below 10^4), each into 1 + 1
 * (x * 6554 >> 16 is x / 10 below 100), every lane in order; trailing
 * zeros from a byte compare's mask.  Over the 26.9 million numbers of a
 * national run, in their order: 19.0 -> 15.8 ns a number; the scalar form
 * is left for other machines (tests/unit/test_numfmt.c passes with either:
 * build it with -U__SSE2__). */
static inline struct digits17 split_digits17(uint64_t d17)
{
    uint32_t high9 = (uint32_t)(d17 / 100000000u), first = high9 / 100000000u;
    uint64_t mid8 = high9 - first * 100000000u, low8 = d17 - (uint64_t)high9 * 100000000u;
    __m128i halves = _mm_set_epi64x((long long)low8, (long long)mid8);
    __m128i q = _mm_srli_epi64(_mm_mul_epu32(halves, _mm_set1_epi32((int)0xD1B71759)), 45);
    __m128i r = _mm_sub_epi32(halves, _mm_mul_epu32(q, _mm_set1_epi32(10000)));
    __m128i fours = _mm_or_si128(q, _mm_slli_epi64(r, 32)); /* 16-bit lanes 0, 2, 4, 6 */
    __m128i hundreds = _mm_srli_epi16(_mm_mulhi_epu16(fours, _mm_set1_epi16(5243)), 3);
    __m128i below_100 = _mm_sub_epi16(fours, _mm_mullo_epi16(hundreds, _mm_set1_epi16(100)));
    __m128i pairs = _mm_or_si128(hundreds, _mm_slli_epi32(below_100, 16)); /* every 16-bit lane */
    __m128i tens = _mm_mulhi_epu16(pairs, _mm_set1_epi16(6554));
    __m128i ones = _mm_sub_epi16(pairs, _mm_mullo_epi16(tens, _mm_set1_epi16(10)));
    __m128i digits = _mm_or_si128(tens, _mm_slli_epi16(ones, 8)); /* every byte, in order */
    unsigned zero = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(digits, _mm_setzero_si128()));
    unsigned nonzero = ~zero & 0xFFFFu;
    int zeros = nonzero ? __builtin_clz(nonzero) - 16 : 16; /* from byte 15 down */
    __m128i text = _mm_add_epi8(digits, _mm_set1_epi8('0'));
    return (struct digits17){(char)('0' + first), (uint64_t)_mm_cvtsi128_si64(text),
                             (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(text, text)),
                             17 - zeros};
}
#else
static inline struct digits17 split_digits17(uint64_t d17)
{
    uint32_t high9 = (uint32_t)(d17 / 100000000u), first = high9 / 100000000u;
    uint64_t mid = digit_bytes_8(high9 - first * 100000000u);
    uint64_t low = digit_bytes_8((uint32_t)(d17 - (uint64_t)high9 * 100000000u));
    int zeros = low ? trailing_zero_digits(low) : 8 + trailing_zero_digits(mid);
    const uint64_t ascii = 0x3030303030303030ull;
    return (struct digits17){(char)('0' + first), mid + ascii, low + ascii, 17 - zeros};
}
#endif

/* 17 bytes: first, then mid and low with '.' put in after byte dot of
 * them (0 <= dot <= 15), as one 128-bit number shifted in registers: digits
 * stored a byte or two at a time and read back wider stall on store
 * forwarding. */
static inline void put_with_point(char *out, struct digits17 t, int dot)
{
    __extension__ typedef unsigned __int128 u128_text;
    u128_text all = ((u128_text)t.low << 64) | t.mid;
    unsigned bits = 8u * (unsigned)dot;
    u128_text before = all & (((u128_text)1 << bits) - 1);
    u128_text after = ((all >> bits) << 8) << bits;
    u128_text text = before | ((u128_text)'.' << bits) | after;
    out[0] = t.first;
    memcpy(out + 1, &text, 16);
    out[17] = (char)(t.low >> 56);
}

/* d.ddde+XX, trailing zeros of the digits left out; few numbers (below
 * 1e-4 or from 1e15), out of put_decimal's way. */
__attribute__((noinline, cold)) static size_t put_exponent_form(char *out, struct digits17 t, int x)
{
    char digits[17];
    digits[0] = t.first;
    memcpy(digits + 1, &t.mid, 8);
    memcpy(digits + 9, &t.low, 8);
    size_t len = 0;
    out[len++] = digits[0];
    if (t.n > 1) {
        out[len++] = '.';
        for (int k = 1; k < t.n; k++)
            out[len++] = digits[k];
    }
    return len + (size_t)sprintf(out + len, "e%c%02d", x < 0 ? '-' : '+', abs(x));
}

/* Digits and exponent as printf's %g would lay them out at precision
 * max(15, n), trailing zeros of the digits left out: fixed for
 * -4 <= x < that precision, else d.ddde+XX.  The digits are made in
 * registers (split_digits17) and stored a word at a time, past the end of
 * the text (out has NUMFMT_MAX bytes); 14 -> 5.5 ns a number (the values
 * of a national run, which are nine in ten below 1). */
__attribute__((always_inline)) static inline size_t put_decimal(char *out, bool negative,
                                                                struct decimal r)
{
    struct digits17 t = split_digits17(r.d * pow10_u64[17 - r.n]);
    char *start = out;
    if (negative)
        *out++ = '-';
    int n = t.n, x = r.x;
    size_t len;
    if (x < 0 && x >= -4) { /* "0." and -x - 1 zeros, then the digits */
        memcpy(out, "0.000000", 8);
        char *p = out + 1 - x;
        p[0] = t.first;
        memcpy(p + 1, &t.mid, 8);
        memcpy(p + 9, &t.low, 8);
        len = (size_t)(1 - x + n);
    } else if (x >= 0 &&
               x < (n > 15 ? n : 15)) { /* whole digits (zeros past n), a fraction if any */
        if (x < 16)
            put_with_point(out, t, x);
        else { /* 17 whole digits, from 1e16 */
            out[0] = t.first;
            memcpy(out + 1, &t.mid, 8);
            memcpy(out + 9, &t.low, 8);
        }
        len = (size_t)(n > x + 1 ? n + 1 : x + 1);
    } else
        len = put_exponent_form(out, t, x);
    out[len] = '\0';
    return (size_t)(out - start) + len;
}

/* numfmt_shortest for zero, NaN, the infinities and doubles outside
 * [2^-37, 2^51), out of the way of the others. */
__attribute__((noinline, cold)) static size_t shortest_outside(char *out, double v)
{
    if (!isfinite(v))
        return (size_t)snprintf(out, NUMFMT_MAX, "%g", v);
    if (v == 0)
        return (size_t)snprintf(out, NUMFMT_MAX, "%s", signbit(v) ? "-0" : "0");
    return put_decimal(out, v < 0, shortest_slow(fabs(v)));
}

size_t numfmt_shortest(char *out, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    uint64_t magnitude = bits & ~(1ull << 63);
    /* [2^-37, 2^51) is biased exponents 986 to 1073; zero (0), NaN and the
     * infinities (2047) are outside */
    struct decimal r;
    if ((uint32_t)(magnitude >> 52) - 986u >= 88u || !shortest_in_range(magnitude, &r))
        return shortest_outside(out, v);
    return put_decimal(out, bits >> 63, r);
}
