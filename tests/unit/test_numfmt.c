/* lib/numfmt against glibc's printf: every value must give the same text as
 * "%.15g" and "%.0f".  Values: the fractions x/n that proportions are made
 * of, random doubles over the magnitudes stats writes and beyond, values next
 * to rounding ties and decade boundaries, and the special values. */
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
    char want[400], got[NUMFMT_MAX];
    snprintf(want, sizeof(want), "%.15g", v);
    size_t n = numfmt_g15(got, v);
    if (n != strlen(want) || memcmp(got, want, n) != 0) {
        if (mismatches++ < 10)
            fprintf(stderr, "%%.15g of %a: want %s, got %.*s\n", v, want, (int)n, got);
    }
    if (fabs(v) < 1e30) {
        snprintf(want, sizeof(want), "%.0f", v);
        n = numfmt_f0(got, v);
        if (n != strlen(want) || memcmp(got, want, n) != 0) {
            if (mismatches++ < 10)
                fprintf(stderr, "%%.0f of %a: want %s, got %.*s\n", v, want, (int)n, got);
        }
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fractions),
        cmocka_unit_test(test_random_magnitudes),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_shortest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
