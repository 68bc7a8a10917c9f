/* Unit tests for lib/period: parsing, canonical text, ordinals and order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "period.h"
#include "util.h"

struct parse_case {
    const char *text;
    bool ok;
    enum period_kind kind;
    int year, sub;
    const char *canonical;
    long ordinal;
};

static const struct parse_case parse_cases[] = {
    {"2023", true, PERIOD_YEAR, 2023, 0, "2023", 2023},
    {"2023-Q2", true, PERIOD_QUARTER, 2023, 2, "2023-Q2", 2023L * 4 + 1},
    {"2023-q4", true, PERIOD_QUARTER, 2023, 4, "2023-Q4", 2023L * 4 + 3},
    {"2023-Q1", true, PERIOD_QUARTER, 2023, 1, "2023-Q1", 2023L * 4},
    {"2023-04", true, PERIOD_MONTH, 2023, 4, "2023-04", 2023L * 12 + 3},
    {"2023-01", true, PERIOD_MONTH, 2023, 1, "2023-01", 2023L * 12},
    {"2023-12", true, PERIOD_MONTH, 2023, 12, "2023-12", 2023L * 12 + 11},
    {" 2023 ", true, PERIOD_YEAR, 2023, 0, "2023", 2023},
    {"\t2024-Q3  ", true, PERIOD_QUARTER, 2024, 3, "2024-Q3", 2024L * 4 + 2},
    {"1900", true, PERIOD_YEAR, 1900, 0, "1900", 1900},
    {"2199", true, PERIOD_YEAR, 2199, 0, "2199", 2199},
    {"2023-13", false, 0, 0, 0, NULL, 0},
    {"2023-00", false, 0, 0, 0, NULL, 0},
    {"2023-Q5", false, 0, 0, 0, NULL, 0},
    {"2023-Q0", false, 0, 0, 0, NULL, 0},
    {"2023-Q", false, 0, 0, 0, NULL, 0},
    {"23", false, 0, 0, 0, NULL, 0},
    {"2023-4", false, 0, 0, 0, NULL, 0},
    {"abcd", false, 0, 0, 0, NULL, 0},
    {"", false, 0, 0, 0, NULL, 0},
    {"   ", false, 0, 0, 0, NULL, 0},
    {"1899", false, 0, 0, 0, NULL, 0},
    {"2200", false, 0, 0, 0, NULL, 0},
    {"20233", false, 0, 0, 0, NULL, 0},
    {"2023-", false, 0, 0, 0, NULL, 0},
    {"2023/04", false, 0, 0, 0, NULL, 0},
    {"2023-Q23", false, 0, 0, 0, NULL, 0},
    {"2023-004", false, 0, 0, 0, NULL, 0},
    {"2023-1a", false, 0, 0, 0, NULL, 0},
    {"2023 -04", false, 0, 0, 0, NULL, 0},
    {"-2023", false, 0, 0, 0, NULL, 0},
    {"Q2-2023", false, 0, 0, 0, NULL, 0},
};

static void test_parse_format_ordinal(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(parse_cases); i++) {
        const struct parse_case *c = &parse_cases[i];
        struct period p = {PERIOD_MONTH, -1, -1};
        bool ok = period_parse(c->text, strlen(c->text), &p);
        if (ok != c->ok)
            fail_msg("parse '%s': returned %d, expected %d", c->text, ok, c->ok);
        if (!ok)
            continue;
        if (p.kind != c->kind || p.year != c->year || p.sub != c->sub)
            fail_msg("parse '%s': got kind %d year %d sub %d", c->text, p.kind, p.year, p.sub);
        char text[PERIOD_TEXT_MAX];
        period_format(&p, text);
        if (strcmp(text, c->canonical) != 0)
            fail_msg("format '%s': got '%s', expected '%s'", c->text, text, c->canonical);
        if (period_ordinal(&p) != c->ordinal)
            fail_msg("ordinal '%s': got %ld, expected %ld", c->text, period_ordinal(&p),
                     c->ordinal);
        /* Round trip through the canonical text. */
        struct period again;
        if (!period_parse(text, strlen(text), &again) || period_compare(&p, &again) != 0 ||
            again.kind != p.kind || again.sub != p.sub)
            fail_msg("canonical text '%s' does not parse back to the same period", text);
    }
}

/* Only len bytes are read: a longer buffer does not leak into the parse. */
static void test_parse_uses_len(void **state)
{
    (void)state;
    struct period p;
    assert_true(period_parse("2023-Q2", 4, &p));
    assert_int_equal(p.kind, PERIOD_YEAR);
    assert_int_equal(p.year, 2023);
    assert_false(period_parse("2023", 3, &p));
    assert_true(period_parse("2023-04xyz", 7, &p));
    assert_int_equal(p.kind, PERIOD_MONTH);
}

/* period_from_ordinal inverts period_ordinal over every period of a span of
 * years, and consecutive periods have consecutive ordinals. */
static void test_from_ordinal_inverse(void **state)
{
    (void)state;
    static const struct {
        enum period_kind kind;
        int subs;
    } kinds[] = {{PERIOD_YEAR, 0}, {PERIOD_QUARTER, 4}, {PERIOD_MONTH, 12}};
    for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
        long previous = 0;
        bool first = true;
        for (int year = 1900; year <= 2199; year++) {
            int lo = kinds[k].subs ? 1 : 0, hi = kinds[k].subs;
            for (int sub = lo; sub <= hi; sub++) {
                struct period p = {kinds[k].kind, year, sub};
                long o = period_ordinal(&p);
                struct period back = period_from_ordinal(kinds[k].kind, o);
                if (back.kind != p.kind || back.year != year || back.sub != sub)
                    fail_msg("%s %d/%d: ordinal %ld comes back as %d/%d", period_kind_name(p.kind),
                             year, sub, o, back.year, back.sub);
                if (!first && o != previous + 1)
                    fail_msg("%s %d/%d: ordinal %ld does not follow %ld", period_kind_name(p.kind),
                             year, sub, o, previous);
                previous = o;
                first = false;
            }
        }
    }
}

static void test_previous_period_by_ordinal(void **state)
{
    (void)state;
    static const struct {
        const char *text, *previous;
    } cases[] = {
        {"2023", "2022"},       {"2023-Q1", "2022-Q4"}, {"2023-Q3", "2023-Q2"},
        {"2023-01", "2022-12"}, {"2023-10", "2023-09"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct period p;
        assert_true(period_parse(cases[i].text, strlen(cases[i].text), &p));
        struct period prev = period_from_ordinal(p.kind, period_ordinal(&p) - 1);
        char text[PERIOD_TEXT_MAX];
        period_format(&prev, text);
        if (strcmp(text, cases[i].previous) != 0)
            fail_msg("period before '%s': got '%s', expected '%s'", cases[i].text, text,
                     cases[i].previous);
    }
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

static void test_compare(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        int order;
    } cases[] = {
        {"2023", "2023", 0},
        {"2022", "2023", -1},
        {"2024", "2023", 1},
        {"2023-Q1", "2023-Q2", -1},
        {"2023-Q4", "2024-Q1", -1},
        {"2023-q2", "2023-Q2", 0},
        {"2023-12", "2024-01", -1},
        {"2024-01", "2023-12", 1},
        {"2023-04", " 2023-04 ", 0},
        /* different kinds order by kind: year < quarter < month */
        {"2099", "1990-Q1", -1},
        {"1990-Q1", "2099", 1},
        {"2099-Q4", "1990-01", -1},
        {"1990-01", "2099", 1},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct period a, b;
        assert_true(period_parse(cases[i].a, strlen(cases[i].a), &a));
        assert_true(period_parse(cases[i].b, strlen(cases[i].b), &b));
        int got = sign(period_compare(&a, &b));
        if (got != cases[i].order)
            fail_msg("compare '%s' '%s': got %d, expected %d", cases[i].a, cases[i].b, got,
                     cases[i].order);
        if (sign(period_compare(&b, &a)) != -cases[i].order)
            fail_msg("compare '%s' '%s' is not antisymmetric", cases[i].a, cases[i].b);
    }
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(period_kind_name(PERIOD_YEAR), "year");
    assert_string_equal(period_kind_name(PERIOD_QUARTER), "quarter");
    assert_string_equal(period_kind_name(PERIOD_MONTH), "month");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_format_ordinal),
        cmocka_unit_test(test_parse_uses_len),
        cmocka_unit_test(test_from_ordinal_inverse),
        cmocka_unit_test(test_previous_period_by_ordinal),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_kind_names),
    };
    return cmocka_run_group_tests_name("period", tests, NULL, NULL);
}
