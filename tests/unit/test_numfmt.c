/* lib/numfmt against independent references: numfmt_f0 must give printf's
 * "%.0f" text (values: the fractions x/n that proportions are made of,
 * random doubles over the magnitudes stats writes and beyond, values next
 * to rounding ties and decade boundaries, the special values, whole
 * numbers); numfmt_shortest must give the shortest digits that read back,
 * as Python's repr and printf's correctly rounded digits with strtod. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "numfmt.h"

static unsigned long mismatches;

static void check(double v)
{
    if (fabs(v) >= 1e30)
        return;
    char want[400], got[NUMFMT_MAX];
    snprintf(want, sizeof(want), "%.0f", v);
    size_t n = numfmt_f0(got, v);
    if (n != strlen(want) || memcmp(got, want, n) != 0) {
        if (mismatches++ < 10)
            fprintf(stderr, "%%.0f of %a: want %s, got %.*s\n", v, want, (int)n, got);
    }
}

static uint64_t state = 0x2545F4914F6CDD1Dull;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static void test_fractions(void **st)
{
    (void)st;
    for (int n = 1; n <= 600; n++)
        for (int x = 0; x <= n; x++) {
            check((double)x / n);
            check(100.0 * x / n);
            check(-(double)x / n);
        }
    assert_int_equal(mismatches, 0);
}

static void test_random_magnitudes(void **st)
{
    (void)st;
    for (int i = 0; i < 300000; i++) {
        uint64_t bits = next();
        double m = (double)(bits >> 11) * 0x1.0p-53; /* [0, 1) */
        int e = (int)(next() % 50) - 25;
        double v = m * pow(10, e);
        check(i % 2 ? v : -v);
        double raw;
        memcpy(&raw, &bits, sizeof(raw));
        if (isfinite(raw))
            check(raw);
    }
    assert_int_equal(mismatches, 0);
}

static void test_edges(void **st)
{
    (void)st;
    static const double values[] = {0.0,
                                    -0.0,
                                    1.0,
                                    -1.0,
                                    0.5,
                                    0.1,
                                    0.0001,
                                    0.00009999999999999999,
                                    1e-4,
                                    1e-5,
                                    1e14,
                                    1e15,
                                    999999999999999.4,
                                    999999999999999.5,
                                    999999999999999.6,
                                    0.99999999999999994,
                                    0.099999999999999992,
                                    123456789012345.5,
                                    123456789012344.5,
                                    100000000000000.5,
                                    2.5,
                                    1e300,
                                    5e-324,
                                    INFINITY,
                                    -INFINITY,
                                    NAN,
                                    0.30000000000000004,
                                    1.0000000000000002,
                                    4503599627370496.5};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        check(values[i]);
        check(nextafter(values[i], 0));
        check(nextafter(values[i], 1e308));
    }
    for (int k = -20; k <= 20; k++) { /* ties: decimals ending in 5 at digit 16 */
        double base = pow(10, k);
        for (int j = 1; j < 200; j++) {
            double v = base * (1 + j * 1e-15 + 5e-16);
            check(v);
            check(nextafter(v, 0));
            check(nextafter(v, 1e308));
        }
    }
    assert_int_equal(mismatches, 0);
}

/* Significant digits and decimal exponent of numfmt's text ("0.0625" is
 * 625 and -2, "1.5e+20" 15 and 20). */
static void digits_of(const char *text, char *digits, int *x)
{
    int n = 0, point = -1, lead = 0;
    const char *c = text;
    if (*c == '-')
        c++;
    for (; *c && *c != 'e'; c++) {
        if (*c == '.') {
            point = n + lead;
            continue;
        }
        if (n == 0 && *c == '0') {
            lead++;
            continue;
        }
        digits[n++] = *c;
    }
    int before = point >= 0 ? point : n + lead; /* characters before the point */
    *x = before - lead - 1 + (*c == 'e' ? atoi(c + 1) : 0);
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
}

/* numfmt_f0 on whole numbers, the counts of every table: each below 2e5,
 * then random ones up to 2^53 (the short path ends at 10^8), both signs. */
static void test_whole_numbers(void **st)
{
    (void)st;
    for (int i = 0; i < 200000; i++) {
        check((double)i);
        check(-(double)i);
    }
    for (int i = 0; i < 100000; i++) {
        double v = (double)(next() >> (11 + next() % 50));
        check(v);
        check(-v);
        check(nextafter(v, 0));
    }
    assert_int_equal(mismatches, 0);
}

/* numfmt_shortest: reads back as the same double, and no fewer digits
 * would; 0.06 is "0.06". */
static void test_shortest(void **st)
{
    (void)st;
    char got[NUMFMT_MAX], shorter[NUMFMT_MAX];
    size_t n = numfmt_shortest(got, 0.06);
    assert_int_equal(n, 4);
    assert_string_equal(got, "0.06");
    numfmt_shortest(got, 0.1 + 0.2);
    assert_string_equal(got, "0.30000000000000004");
    numfmt_shortest(got, 1.0 / 3.0);
    assert_string_equal(got, "0.3333333333333333");
    numfmt_shortest(got, 2500.0);
    assert_string_equal(got, "2500");
    unsigned long bad = 0;
    for (int i = 0; i < 200000; i++) {
        uint64_t bits = next();
        double v;
        memcpy(&v, &bits, sizeof(v));
        if (!isfinite(v))
            continue;
        if (i % 2) /* and values of everyday magnitude */
            v = (double)(bits % 100000) / (double)(1 + (bits >> 40) % 997);
        n = numfmt_shortest(got, v);
        /* significant digits written, trailing zeros of the mantissa left
         * out (2500 is 2): no fewer digits may read back as v */
        int digits = 0, zeros = 0;
        bool leading = true;
        for (const char *c = got; *c && *c != 'e'; c++) {
            if (*c < '0' || *c > '9' || (leading && *c == '0'))
                continue;
            leading = false;
            digits++;
            zeros = *c == '0' ? zeros + 1 : 0;
        }
        digits -= zeros;
        bool ok = strtod(got, NULL) == v && n == strlen(got);
        for (int d = 1; ok && d < digits; d++) {
            snprintf(shorter, sizeof(shorter), "%.*g", d, v);
            ok = strtod(shorter, NULL) != v;
        }
        if (!ok && bad++ < 10)
            fprintf(stderr, "shortest of %a: got %s\n", v, got);
    }
    assert_int_equal(bad, 0);
}

/* The shortest decimal that reads back as v (finite, normal, positive) by
 * glibc's printf and strtod alone, independent of numfmt's integer
 * arithmetic: at 15, 16, then 17 significant digits, printf's correctly
 * rounded "%.*e" (the nearest decimal of that length) if strtod reads it
 * back, or at a power of two the decimal one step up (the gap below is half
 * the gap above).  At 15 digits at most one decimal reads back, so trimmed
 * of zeros it is the shortest.  Digits and exponent as digits_of gives. */
static void reference_shortest(double v, char *digits, int *x)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    bool power_of_two = (bits & ((1ull << 52) - 1)) == 0;
    char text[64], up[64];
    for (int p = 15; p <= 17; p++) {
        snprintf(text, sizeof(text), "%.*e", p - 1, v);
        if (strtod(text, NULL) == v || p == 17)
            break;
        if (power_of_two) { /* the last digit one up, carried */
            strcpy(up, text);
            char *c = strchr(up, 'e');
            int exponent = atoi(c + 1);
            char *d = c - 1;
            while (*d == '9' || *d == '.') {
                if (*d == '9')
                    *d = '0';
                d--;
            }
            if (d >= up && *d != '.')
                (*d)++;
            snprintf(c, sizeof(up) - (size_t)(c - up), "e%d", exponent);
            if (d < up) { /* 9.99..9 -> 10.0..0: 1.00..0 one decade up */
                snprintf(up, sizeof(up), "1e%d", exponent + 1);
            }
            if (strtod(up, NULL) == v) {
                strcpy(text, up);
                break;
            }
        }
    }
    digits_of(text, digits, x);
}

/* numfmt_shortest against reference_shortest on a million doubles, each
 * positive and negative:
 * random bit patterns over every binade numfmt computes with integers
 * (2^-37 to 2^51) and beyond, the fractions x/n that proportions are, and
 * the doubles next to powers of two and ten.  Digits, exponent, sign and
 * length must all agree. */
static void test_shortest_against_printf(void **st)
{
    (void)st;
    char got[NUMFMT_MAX], have[NUMFMT_MAX], want[64];
    int have_x, want_x;
    unsigned long bad = 0, compared = 0;
    for (int i = 0; i < 1000000; i++) {
        uint64_t bits = next();
        double v;
        switch (i % 4) {
        case 0: /* any mantissa, an exponent from 2^-40 to 2^55 */
            bits = (bits & ((1ull << 52) - 1)) | ((uint64_t)(1023 - 40 + (int)(next() % 96)) << 52);
            memcpy(&v, &bits, sizeof(v));
            break;
        case 1: /* any normal double */
            memcpy(&v, &bits, sizeof(v));
            v = fabs(v);
            break;
        case 2: /* a fraction x/n, or 100 times one */
            v = (double)(bits % 100000) / (double)(1 + (bits >> 40) % 4999) *
                (i % 8 == 2 ? 100 : 1);
            break;
        default: { /* beside a power of two or of ten */
            int e = (int)(next() % 120) - 60;
            v = bits & 1 ? ldexp(1.0, e) : pow(10, e / 4);
            v = (bits & 6) == 2 ? nextafter(v, 0) : (bits & 6) == 4 ? nextafter(v, INFINITY) : v;
        }
        }
        if (!isnormal(v))
            continue;
        reference_shortest(v, want, &want_x);
        for (int sign = 0; sign < 2; sign++, v = -v) {
            size_t n = numfmt_shortest(got, v);
            digits_of(got, have, &have_x);
            bool ok = n == strlen(got) && strcmp(have, want) == 0 && have_x == want_x &&
                      (got[0] == '-') == (sign == 1);
            if (!ok && bad++ < 10)
                fprintf(stderr, "shortest of %a: got %s, printf %s e%d\n", v, got, want, want_x);
            compared++;
        }
    }
    assert_true(compared > 1900000);
    assert_int_equal(bad, 0);
}

/* numfmt_shortest against Python's repr (David Gay's shortest, the nearest
 * of equal length): tests/fixtures/numfmt/shortest.txt, made by
 * make_shortest.py beside it: every power of two, subnormals, integers,
 * fractions and random bit patterns, 8,648 doubles; then, for the one-pass
 * numfmt_shortest, every binade from 2^-37 to 2^52 (its ends, powers of two
 * and 250 random mantissas each), ties between the two nearest decimals,
 * decimals of exactly 15, 16 and 17 digits and the doubles beside them,
 * powers of ten: 63,152 doubles.  Each must read back,
 * positive and negative, and have repr's digits and exponent. */
static void test_shortest_against_python(void **st)
{
    (void)st;
    FILE *f = fopen("tests/fixtures/numfmt/shortest.txt", "r");
    assert_non_null(f);
    char line[128], want[32], got[NUMFMT_MAX], have[NUMFMT_MAX];
    unsigned long rows = 0, bad = 0;
    unsigned long long bits;
    int want_x, have_x;
    while (fgets(line, sizeof(line), f)) {
        assert_int_equal(sscanf(line, "%llx %31s %d", &bits, want, &want_x), 3);
        uint64_t b = bits;
        double v;
        memcpy(&v, &b, sizeof(v));
        for (int sign = 0; sign < 2; sign++, v = -v) {
            size_t n = numfmt_shortest(got, v);
            digits_of(got, have, &have_x);
            bool ok = n == strlen(got) && strtod(got, NULL) == v && strcmp(have, want) == 0 &&
                      have_x == want_x && (got[0] == '-') == (sign == 1);
            if (!ok && bad++ < 10)
                fprintf(stderr, "shortest of %a: got %s, python %s e%d\n", v, got, want, want_x);
        }
        rows++;
    }
    fclose(f);
    assert_true(rows > 63000);
    assert_int_equal(bad, 0);
}

/* numfmt_shortest of v (and -v) against reference_shortest; false (and a
 * line on stderr, the first few times) when digits, exponent, sign or
 * length differ. */
static bool same_as_printf(double v)
{
    char got[NUMFMT_MAX], have[NUMFMT_MAX], want[64];
    int have_x, want_x;
    static unsigned long said;
    reference_shortest(v, want, &want_x);
    bool ok = true;
    for (int sign = 0; sign < 2; sign++, v = -v) {
        size_t n = numfmt_shortest(got, v);
        digits_of(got, have, &have_x);
        bool same = n == strlen(got) && strcmp(have, want) == 0 && have_x == want_x &&
                    (got[0] == '-') == (sign == 1);
        if (!same && said++ < 10)
            fprintf(stderr, "shortest of %a: got %s, printf %s e%d\n", v, got, want, want_x);
        ok = ok && same;
    }
    return ok;
}

/* The doubles where the one-pass paths of numfmt_shortest decide
 * something, in every binade they serve (biased exponents 986 to 1073,
 * 2^-37 to 2^51, and one past each end), against printf: each power of
 * two (the interval a quarter gap below, one digit finer when it holds no
 * integer) and the doubles beside it; the last doubles of the binade;
 * ties, V = m * 10^k / 2^s a half, when m = 2^(s-k-1) * odd (the even of
 * floor and ceil wins, unless a multiple of ten is in the interval); and
 * the doubles around 10^j, where the shortest form goes from 17 to 16
 * digits and the count of whole digits changes. */
static void test_shortest_decisive_cases(void **st)
{
    (void)st;
    unsigned long bad = 0, ties = 0;
    for (int e = 985; e <= 1074; e++) {
        int s = 1075 - e, k = 1;
        for (double p = 1; p * 10 < ldexp(1.0, s); p *= 10) /* 10^(k-1) < 2^s < 10^k */
            k++;
        double power = ldexp(1.0, e - 1023), below = power, above = power;
        bad += !same_as_printf(power);
        for (int i = 0; i < 4; i++) {
            below = nextafter(below, 0);
            above = nextafter(above, INFINITY);
            bad += !same_as_printf(below) + !same_as_printf(above);
        }
        int z = s - k - 1; /* ties: m = 2^z * odd within [2^52, 2^53) */
        for (int i = 0; z >= 0 && z <= 52 && i < 200; i++) {
            uint64_t odd = (((1ull << 52) >> z) + (next() % ((1ull << 52) >> z))) | 1;
            uint64_t m = odd << z;
            if (m < (1ull << 52) || m >= (1ull << 53))
                continue;
            bad += !same_as_printf(ldexp((double)m, -s));
            ties++;
        }
    }
    for (int j = -12; j <= 16; j++) {
        double v = pow(10, j), below = v, above = v;
        bad += !same_as_printf(v);
        for (int i = 0; i < 60; i++) {
            below = nextafter(below, 0);
            above = nextafter(above, INFINITY);
            bad += !same_as_printf(below) + !same_as_printf(above);
        }
    }
    assert_true(ties > 8000);
    assert_int_equal(bad, 0);
}

/* Every binade of the one-pass paths (and one past each end), 24,000
 * random mantissas each, 1.08 million doubles and their negatives:
 * strtod reads the text back as the same double, with at most 17
 * significant digits.  Cheap (no printf), so many; test_shortest_against_printf
 * and test_shortest_decisive_cases check the digits are the shortest and
 * nearest. */
static void test_shortest_round_trip_every_binade(void **st)
{
    (void)st;
    char got[NUMFMT_MAX], have[NUMFMT_MAX];
    int have_x;
    unsigned long bad = 0, compared = 0;
    for (uint64_t e = 985; e <= 1074; e++)
        for (int i = 0; i < 12000; i++) {
            uint64_t bits = (next() & ((1ull << 52) - 1)) | e << 52;
            double v;
            memcpy(&v, &bits, sizeof(v));
            for (int sign = 0; sign < 2; sign++, v = -v) {
                size_t n = numfmt_shortest(got, v);
                digits_of(got, have, &have_x);
                bool ok = strtod(got, NULL) == v && n == strlen(got) && strlen(have) <= 17;
                if (!ok && bad++ < 10)
                    fprintf(stderr, "shortest of %a: got %s, reads back as %a\n", v, got,
                            strtod(got, NULL));
                compared++;
            }
        }
    assert_true(compared > 2000000);
    assert_int_equal(bad, 0);
}

/* Layout: as %g at precision max(15, digits): whole numbers below 1e15 in
 * full, an exponent from there and below 1e-4. */
static void test_shortest_layout(void **st)
{
    (void)st;
    static const struct {
        double v;
        const char *text;
    } cases[] = {{0.0, "0"},
                 {-0.0, "-0"},
                 {1.0, "1"},
                 {-2500.0, "-2500"},
                 {0.06, "0.06"},
                 {0.1 + 0.2, "0.30000000000000004"},
                 {1e-4, "0.0001"},
                 {1.5e-5, "1.5e-05"},
                 {123456789012345.0, "123456789012345"},
                 {1e15, "1e+15"},
                 {1234567890123456.0, "1234567890123456"},
                 {12345678901234568.0, "12345678901234568"},
                 {1e22, "1e+22"},
                 {5e-324, "5e-324"},
                 {1.7976931348623157e308, "1.7976931348623157e+308"},
                 {0.95, "0.95"},
                 {0.5, "0.5"},
                 {0.00012345, "0.00012345"},
                 {3e-4, "0.0003"},
                 {1e-4 * 3, "0.00030000000000000003"},
                 {123.456, "123.456"},
                 {98765.4321, "98765.4321"},
                 {-999999999999999.9, "-999999999999999.9"},
                 {1000000000000000.5, "1000000000000000.5"},
                 {4503599627370495.5, "4503599627370495.5"},
                 {0x1p-30, "9.313225746154785e-10"},
                 {100.0 / 3, "33.333333333333336"}};
    char got[NUMFMT_MAX];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = numfmt_shortest(got, cases[i].v);
        assert_string_equal(got, cases[i].text);
        assert_int_equal(n, strlen(cases[i].text));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fractions),
        cmocka_unit_test(test_random_magnitudes),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_whole_numbers),
        cmocka_unit_test(test_shortest),
        cmocka_unit_test(test_shortest_against_printf),
        cmocka_unit_test(test_shortest_against_python),
        cmocka_unit_test(test_shortest_decisive_cases),
        cmocka_unit_test(test_shortest_round_trip_every_binade),
        cmocka_unit_test(test_shortest_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
