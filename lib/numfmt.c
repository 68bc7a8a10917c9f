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

/* For the doubles of each binade [2^(e-1023), 2^(e-1022)) from e = 986
 * (2^-37) to 1073 (2^51), a = m * 2^-s with s = 1075 - e: k with
 * 10^(k-1) < 2^s < 10^k, and the gap G = 5^k * 2^(k+64-s) (shortest_in_range).
 * Made by:
 *   for e in range(986, 1074):
 *       s = 1075 - e; k = len(str(2**s))  # 2^s is never a power of ten
 *       print(k, 5**k << (k + 64 - s))
 * and checked by tests/unit/test_numfmt.c in every binade. */
#define GAP_TABLE_FIRST 986
struct gap_entry {
    int k;
    uint64_t high, low;
};
static const struct gap_entry gap_table[88] = {
    {27, 0x1ull, 0x9d971e4fe8401e74ull}, /* [2^-37, 2^-36) */
    {27, 0x3ull, 0x3b2e3c9fd0803ce8ull}, /* [2^-36, 2^-35) */
    {27, 0x6ull, 0x765c793fa10079d0ull}, /* [2^-35, 2^-34) */
    {26, 0x1ull, 0x4adf4b7320334b90ull}, /* [2^-34, 2^-33) */
    {26, 0x2ull, 0x95be96e640669720ull}, /* [2^-33, 2^-32) */
    {26, 0x5ull, 0x2b7d2dcc80cd2e40ull}, /* [2^-32, 2^-31) */
    {25, 0x1ull, 0x08b2a2c280290940ull}, /* [2^-31, 2^-30) */
    {25, 0x2ull, 0x1165458500521280ull}, /* [2^-30, 2^-29) */
    {25, 0x4ull, 0x22ca8b0a00a42500ull}, /* [2^-29, 2^-28) */
    {25, 0x8ull, 0x4595161401484a00ull}, /* [2^-28, 2^-27) */
    {24, 0x1ull, 0xa784379d99db4200ull}, /* [2^-27, 2^-26) */
    {24, 0x3ull, 0x4f086f3b33b68400ull}, /* [2^-26, 2^-25) */
    {24, 0x6ull, 0x9e10de76676d0800ull}, /* [2^-25, 2^-24) */
    {23, 0x1ull, 0x52d02c7e14af6800ull}, /* [2^-24, 2^-23) */
    {23, 0x2ull, 0xa5a058fc295ed000ull}, /* [2^-23, 2^-22) */
    {23, 0x5ull, 0x4b40b1f852bda000ull}, /* [2^-22, 2^-21) */
    {22, 0x1ull, 0x0f0cf064dd592000ull}, /* [2^-21, 2^-20) */
    {22, 0x2ull, 0x1e19e0c9bab24000ull}, /* [2^-20, 2^-19) */
    {22, 0x4ull, 0x3c33c19375648000ull}, /* [2^-19, 2^-18) */
    {22, 0x8ull, 0x78678326eac90000ull}, /* [2^-18, 2^-17) */
    {21, 0x1ull, 0xb1ae4d6e2ef50000ull}, /* [2^-17, 2^-16) */
    {21, 0x3ull, 0x635c9adc5dea0000ull}, /* [2^-16, 2^-15) */
    {21, 0x6ull, 0xc6b935b8bbd40000ull}, /* [2^-15, 2^-14) */
    {20, 0x1ull, 0x5af1d78b58c40000ull}, /* [2^-14, 2^-13) */
    {20, 0x2ull, 0xb5e3af16b1880000ull}, /* [2^-13, 2^-12) */
    {20, 0x5ull, 0x6bc75e2d63100000ull}, /* [2^-12, 2^-11) */
    {19, 0x1ull, 0x158e460913d00000ull}, /* [2^-11, 2^-10) */
    {19, 0x2ull, 0x2b1c8c1227a00000ull}, /* [2^-10, 2^-9) */
    {19, 0x4ull, 0x563918244f400000ull}, /* [2^-9, 2^-8) */
    {19, 0x8ull, 0xac7230489e800000ull}, /* [2^-8, 2^-7) */
    {18, 0x1ull, 0xbc16d674ec800000ull}, /* [2^-7, 2^-6) */
    {18, 0x3ull, 0x782dace9d9000000ull}, /* [2^-6, 2^-5) */
    {18, 0x6ull, 0xf05b59d3b2000000ull}, /* [2^-5, 2^-4) */
    {17, 0x1ull, 0x6345785d8a000000ull}, /* [2^-4, 2^-3) */
    {17, 0x2ull, 0xc68af0bb14000000ull}, /* [2^-3, 2^-2) */
    {17, 0x5ull, 0x8d15e17628000000ull}, /* [2^-2, 2^-1) */
    {16, 0x1ull, 0x1c37937e08000000ull}, /* [2^-1, 2^0) */
    {16, 0x2ull, 0x386f26fc10000000ull}, /* [2^0, 2^1) */
    {16, 0x4ull, 0x70de4df820000000ull}, /* [2^1, 2^2) */
    {16, 0x8ull, 0xe1bc9bf040000000ull}, /* [2^2, 2^3) */
    {15, 0x1ull, 0xc6bf526340000000ull}, /* [2^3, 2^4) */
    {15, 0x3ull, 0x8d7ea4c680000000ull}, /* [2^4, 2^5) */
    {15, 0x7ull, 0x1afd498d00000000ull}, /* [2^5, 2^6) */
    {14, 0x1ull, 0x6bcc41e900000000ull}, /* [2^6, 2^7) */
    {14, 0x2ull, 0xd79883d200000000ull}, /* [2^7, 2^8) */
    {14, 0x5ull, 0xaf3107a400000000ull}, /* [2^8, 2^9) */
    {13, 0x1ull, 0x2309ce5400000000ull}, /* [2^9, 2^10) */
    {13, 0x2ull, 0x46139ca800000000ull}, /* [2^10, 2^11) */
    {13, 0x4ull, 0x8c27395000000000ull}, /* [2^11, 2^12) */
    {13, 0x9ull, 0x184e72a000000000ull}, /* [2^12, 2^13) */
    {12, 0x1ull, 0xd1a94a2000000000ull}, /* [2^13, 2^14) */
    {12, 0x3ull, 0xa352944000000000ull}, /* [2^14, 2^15) */
    {12, 0x7ull, 0x46a5288000000000ull}, /* [2^15, 2^16) */
    {11, 0x1ull, 0x74876e8000000000ull}, /* [2^16, 2^17) */
    {11, 0x2ull, 0xe90edd0000000000ull}, /* [2^17, 2^18) */
    {11, 0x5ull, 0xd21dba0000000000ull}, /* [2^18, 2^19) */
    {10, 0x1ull, 0x2a05f20000000000ull}, /* [2^19, 2^20) */
    {10, 0x2ull, 0x540be40000000000ull}, /* [2^20, 2^21) */
    {10, 0x4ull, 0xa817c80000000000ull}, /* [2^21, 2^22) */
    {10, 0x9ull, 0x502f900000000000ull}, /* [2^22, 2^23) */
    {9, 0x1ull, 0xdcd6500000000000ull}, /* [2^23, 2^24) */
    {9, 0x3ull, 0xb9aca00000000000ull}, /* [2^24, 2^25) */
    {9, 0x7ull, 0x7359400000000000ull}, /* [2^25, 2^26) */
    {8, 0x1ull, 0x7d78400000000000ull}, /* [2^26, 2^27) */
    {8, 0x2ull, 0xfaf0800000000000ull}, /* [2^27, 2^28) */
    {8, 0x5ull, 0xf5e1000000000000ull}, /* [2^28, 2^29) */
    {7, 0x1ull, 0x312d000000000000ull}, /* [2^29, 2^30) */
    {7, 0x2ull, 0x625a000000000000ull}, /* [2^30, 2^31) */
    {7, 0x4ull, 0xc4b4000000000000ull}, /* [2^31, 2^32) */
    {7, 0x9ull, 0x8968000000000000ull}, /* [2^32, 2^33) */
    {6, 0x1ull, 0xe848000000000000ull}, /* [2^33, 2^34) */
    {6, 0x3ull, 0xd090000000000000ull}, /* [2^34, 2^35) */
    {6, 0x7ull, 0xa120000000000000ull}, /* [2^35, 2^36) */
    {5, 0x1ull, 0x86a0000000000000ull}, /* [2^36, 2^37) */
    {5, 0x3ull, 0x0d40000000000000ull}, /* [2^37, 2^38) */
    {5, 0x6ull, 0x1a80000000000000ull}, /* [2^38, 2^39) */
    {4, 0x1ull, 0x3880000000000000ull}, /* [2^39, 2^40) */
    {4, 0x2ull, 0x7100000000000000ull}, /* [2^40, 2^41) */
    {4, 0x4ull, 0xe200000000000000ull}, /* [2^41, 2^42) */
    {4, 0x9ull, 0xc400000000000000ull}, /* [2^42, 2^43) */
    {3, 0x1ull, 0xf400000000000000ull}, /* [2^43, 2^44) */
    {3, 0x3ull, 0xe800000000000000ull}, /* [2^44, 2^45) */
    {3, 0x7ull, 0xd000000000000000ull}, /* [2^45, 2^46) */
    {2, 0x1ull, 0x9000000000000000ull}, /* [2^46, 2^47) */
    {2, 0x3ull, 0x2000000000000000ull}, /* [2^47, 2^48) */
    {2, 0x6ull, 0x4000000000000000ull}, /* [2^48, 2^49) */
    {1, 0x1ull, 0x4000000000000000ull}, /* [2^49, 2^50) */
    {1, 0x2ull, 0x8000000000000000ull}, /* [2^50, 2^51) */
};

/* The shortest digits of a in [2^-37, 2^51), in one pass, exactly, without
 * strtod, in 128 bits: for [2^-37, 2^-32), where shortest_in_range's units
 * are too coarse, and below a power of two when one digit finer is needed.
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
 * test each.  G and k come from gap_table, where computing them (k from s
 * by a multiply, G from 5^k by two shifts by a variable count) lay on the
 * way to every digit: 16.6 -> 15.5 ns a number over a national run's. */
__attribute__((noinline, cold)) static bool shortest_wide(uint64_t bits, struct decimal *out)
{
    uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
    bool even = (m & 1) == 0, power_of_two = m == (1ull << 52);
    const struct gap_entry *g = &gap_table[(bits >> 52) - GAP_TABLE_FIRST];
    int k = g->k;
    u128 gap = ((u128)g->high << 64) | g->low;
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

/* The shortest digits of a in [2^-32, 2^51): shortest_wide's method (read
 * its comment first) in units of 2^-60 rather than 2^-64, where the gap
 * G' = G / 16 = 5^k * 2^(k+60-s) fits in 64 bits: V = m * G' is one 64 x 64
 * -> 128-bit product, whole = V >> 60 is below 10^17, the fraction below
 * 2^60, and the ends of the interval V - G'/2 (V - G'/4 below a power of
 * two) and V + G'/2 are whole + a fraction from -2.5 * 2^60 to 3.5 * 2^60:
 * every test in 64-bit arithmetic, no 128-bit compares, no value kept for
 * a second step (shortest_wide's 128-bit code spilled registers doing all
 * of that).  G' is exact: k + 60 - s >= 2 from 2^-32 (s <= 84) up, so
 * G'/2 and G'/4 are integers too.
 *
 * The ends are never integers in units of 10^-k (with 2^-60 resolution,
 * the fraction of an end is never 0): they are (2m +- 1) * 10^k / 2^(s+1),
 * or (4m - 1) * 10^k / 2^(s+2), an odd number times 5^k over a power of
 * two above 2^k (k <= s, as 10^(k-1) < 2^s).  So strtod's tie rule at the
 * ends (an end reads back when m is even) never applies, and the integers
 * in the interval are first = floor(V - G'/2) + 1 to last = floor(V + G'/2)
 * (none when first > last: only below a power of two, left to
 * shortest_wide one digit finer).  The multiple of ten in [first, last] if
 * there is one (at most one: the interval is under 10 wide), else floor(V)
 * or ceil(V), whichever is nearer (the even one at a tie), moved into
 * [first, last]: as shortest_wide, and checked against printf in every
 * binade by tests/unit/test_numfmt.c.  d or 10 d by a mask: as a branch
 * (GCC's choice for ?: here), a coin toss mispredicted a third of the time.
 * Over the 11.1 million numbers the organisation-level national run
 * formats, in their order, this step with its call 10.4 -> 7.0 ns a number
 * (put_decimal left out), numfmt_shortest 16.4 -> 14.6 ns. */
static inline bool shortest_in_range(uint64_t bits, struct decimal *out)
{
    const uint64_t unit = 1ull << 60, frac_mask = unit - 1;
    uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
    const struct gap_entry *g = &gap_table[(bits >> 52) - GAP_TABLE_FIRST];
    uint64_t gap = (g->high << 60) | (g->low >> 4); /* G' */
    u128 v = (u128)m * gap;
    uint64_t whole = (uint64_t)(v >> 60), frac = (uint64_t)v & frac_mask;
    uint64_t half_above = gap >> 1;
    uint64_t half_below = m == (1ull << 52) ? gap >> 2 : half_above;
    /* floor of each end as whole plus a small signed step: >> of a
     * negative int64_t is arithmetic (floor) in GCC and Clang */
    int64_t below = (int64_t)(frac - half_below) >> 60;
    uint64_t first = whole + (uint64_t)below + 1, last = whole + ((frac + half_above) >> 60);
    uint64_t ten = last / 10 * 10;
    uint64_t nearest = whole + ((frac > unit / 2) | ((frac == unit / 2) & (whole & 1)));
    nearest = nearest > last ? last : nearest < first ? first : nearest;
    uint64_t d = ten >= first ? ten : nearest;
    if (__builtin_expect(first > last, 0))
        return shortest_wide(bits, out);
    bool seventeen = d >= pow10_u64[16];
    uint64_t d17 = d + (9 * d & ((uint64_t)seventeen - 1)); /* d or 10 d */
    *out = (struct decimal){d17, 17, 15 + seventeen - g->k};
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

/* d17 (10^16 <= d17 < 10^17) as text: its first digit and the next 16 as
 * ASCII in two words, and how many of the 17 are significant (trailing
 * zeros left out). */
struct digits17 {
    char first;
    uint64_t mid, low;
    int n;
};

#ifdef __SSE2__
/* The digits of two 4-digit values v, each in four 16-bit lanes of x,
 * in those lanes, the first digit lowest: v / 1000, v / 100, v / 10 and v
 * by two high-half multiplies (v * 8389 >> 23, v * 5243 >> 19,
 * v * 13108 >> 17: exact for every v below 10^4), then each lane minus ten
 * times the lane before it. */
static inline __m128i four_digits(__m128i x)
{
    const short half = (short)0x8000; /* 1 << 15: a high-half multiply as >> 1 */
    const __m128i by = _mm_setr_epi16(8389, 5243, 13108, 0, 8389, 5243, 13108, 0);
    const __m128i shift = _mm_setr_epi16(1 << 9, 1 << 13, half, 0, 1 << 9, 1 << 13, half, 0);
    const __m128i itself = _mm_setr_epi16(0, 0, 0, -1, 0, 0, 0, -1);
    __m128i q =
        _mm_or_si128(_mm_mulhi_epu16(_mm_mulhi_epu16(x, by), shift), _mm_and_si128(x, itself));
    return _mm_sub_epi16(q, _mm_mullo_epi16(_mm_slli_epi64(q, 16), _mm_set1_epi16(10)));
}

/* The 16 digits after the first in one SSE2 register, where the scalar
 * form below makes two words of digit_bytes_8: the two 8-digit halves split
 * into four 4-digit values (x / 10^4 as x * 0xD1B71759 >> 45), each in
 * four 16-bit lanes for four_digits (as in Wojciech Mula's SSE2 itoa,
 * "Conversion numbers to decimal representation", 0x80.pl): one step where
 * splitting 4 = 2 + 2, then 2 = 1 + 1 made two, the second waiting on the
 * first; trailing zeros from a byte compare's mask, counted without a
 * branch.  Over the 26.9 million numbers of a national run, in their
 * order: 19.0 -> 15.8 ns a number (2 + 2, then 1 + 1); with four_digits
 * and put_with_point's masks, over the organisation-level run's 11.1
 * million, 15.3 -> 14.2 ns.  The scalar form is left for other machines
 * (tests/unit/test_numfmt.c passes with either: build it with -U__SSE2__). */
static inline struct digits17 split_digits17(uint64_t d17)
{
    uint32_t high9 = (uint32_t)(d17 / 100000000u), first = high9 / 100000000u;
    uint64_t mid8 = high9 - first * 100000000u, low8 = d17 - (uint64_t)high9 * 100000000u;
    __m128i halves = _mm_set_epi64x((long long)low8, (long long)mid8);
    __m128i q = _mm_srli_epi64(_mm_mul_epu32(halves, _mm_set1_epi32((int)0xD1B71759)), 45);
    __m128i r = _mm_sub_epi32(halves, _mm_mul_epu32(q, _mm_set1_epi32(10000)));
    __m128i fours = _mm_or_si128(q, _mm_slli_epi64(r, 32));         /* 32-bit lanes v0 v1 v2 v3 */
    __m128i pairs = _mm_or_si128(fours, _mm_slli_epi32(fours, 16)); /* v0 v0 v1 v1 ... */
    __m128i high = _mm_unpacklo_epi32(pairs, pairs), low = _mm_unpackhi_epi32(pairs, pairs);
    __m128i digits = _mm_packus_epi16(four_digits(high), four_digits(low)); /* in order */
    unsigned zero = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(digits, _mm_setzero_si128()));
    unsigned nonzero = ~zero & 0xFFFFu;
    int zeros = __builtin_clz(nonzero << 1 | 1) - 15; /* from byte 15 down; 16 if none */
    __m128i text = _mm_add_epi8(digits, _mm_set1_epi8('0'));
    return (struct digits17){(char)('0' + first), (uint64_t)_mm_cvtsi128_si64(text),
                             (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(text, text)),
                             17 - zeros};
}
#else
/* Trailing zero digits of digit_bytes_8's word (8 when all are zero). */
static inline int trailing_zero_digits(uint64_t w)
{
    return w ? __builtin_clzll(w) / 8 : 8;
}

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
 * them (0 <= dot <= 15), and the digit that pushes out after them: with
 * SSE2 by byte masks (before, at and after the point) on one register,
 * else as one 128-bit number shifted by a variable count (35 instructions
 * to SSE2's 12).  Stored whole: digits stored a byte or two at a time and
 * read back wider stall on store forwarding. */
static inline void put_with_point(char *out, struct digits17 t, int dot)
{
#ifdef __SSE2__
    __m128i all = _mm_set_epi64x((long long)t.low, (long long)t.mid);
    __m128i index = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m128i at_dot = _mm_set1_epi8((char)dot);
    __m128i before = _mm_cmplt_epi8(index, at_dot), at = _mm_cmpeq_epi8(index, at_dot);
    __m128i after = _mm_or_si128(_mm_and_si128(at, _mm_set1_epi8('.')),
                                 _mm_andnot_si128(at, _mm_slli_si128(all, 1)));
    __m128i text = _mm_or_si128(_mm_and_si128(before, all), _mm_andnot_si128(before, after));
    _mm_storeu_si128((__m128i *)(void *)(out + 1), text);
#else
    __extension__ typedef unsigned __int128 u128_text;
    u128_text all = ((u128_text)t.low << 64) | t.mid;
    unsigned bits = 8u * (unsigned)dot;
    u128_text before = all & (((u128_text)1 << bits) - 1);
    u128_text after = ((all >> bits) << 8) << bits;
    u128_text text = before | ((u128_text)'.' << bits) | after;
    memcpy(out + 1, &text, 16);
#endif
    out[0] = t.first;
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
    uint32_t exponent = (uint32_t)(magnitude >> 52);
    bool found = exponent - 991u < 83u  ? shortest_in_range(magnitude, &r) /* [2^-32, 2^51) */
                 : exponent - 986u < 5u ? shortest_wide(magnitude, &r)     /* [2^-37, 2^-32) */
                                        : false;
    if (!found)
        return shortest_outside(out, v);
    return put_decimal(out, bits >> 63, r);
}
