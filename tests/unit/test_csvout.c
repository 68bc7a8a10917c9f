/* Unit tests for lib/csvout: RFC 4180 quoting and spreadsheet neutralising. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "csvout.h"

#define BYTES(s) s, sizeof(s) - 1

struct field_case {
    const char *in;
    size_t len;
    const char *plain; /* spreadsheet_safe = false */
    const char *safe;  /* spreadsheet_safe = true */
};

static const struct field_case field_cases[] = {
    /* quoting */
    {BYTES(""), "", ""},
    {BYTES("abc"), "abc", "abc"},
    {BYTES("a b"), "a b", "a b"},
    {BYTES("a,b"), "\"a,b\"", "\"a,b\""},
    {BYTES("say \"hi\""), "\"say \"\"hi\"\"\"", "\"say \"\"hi\"\"\""},
    {BYTES("\""), "\"\"\"\"", "\"\"\"\""},
    {BYTES("\"\""), "\"\"\"\"\"\"", "\"\"\"\"\"\""},
    {BYTES("line\nbreak"), "\"line\nbreak\"", "\"line\nbreak\""},
    {BYTES("cr\rlf"), "\"cr\rlf\"", "\"cr\rlf\""},
    {BYTES("crlf\r\n"), "\"crlf\r\n\"", "\"crlf\r\n\""},
    {BYTES(" lead"), "\" lead\"", "\" lead\""},
    {BYTES("trail "), "\"trail \"", "\"trail \""},
    {BYTES(" "), "\" \"", "\" \""},
    {BYTES("in\tside"), "in\tside", "in\tside"},
    {BYTES("semi;colon"), "semi;colon", "semi;colon"},
    {BYTES("caf\xC3\xA9"), "caf\xC3\xA9", "caf\xC3\xA9"},
    {BYTES("'quoted'"), "'quoted'", "'quoted'"},
    /* formulas: prefixed with ' only when spreadsheet_safe */
    {BYTES("=1+1"), "=1+1", "'=1+1"},
    {BYTES("=SUM(A1:A9)"), "=SUM(A1:A9)", "'=SUM(A1:A9)"},
    {BYTES("+x"), "+x", "'+x"},
    {BYTES("-x"), "-x", "'-x"},
    {BYTES("@x"), "@x", "'@x"},
    {BYTES("\tx"), "\tx", "'\tx"},
    {BYTES("\rx"), "\"\rx\"", "\"'\rx\""},
    {BYTES("="), "=", "'="},
    {BYTES("-"), "-", "'-"},
    {BYTES("+"), "+", "'+"},
    {BYTES("--5"), "--5", "'--5"},
    {BYTES("-5-"), "-5-", "'-5-"},
    {BYTES("-inf"), "-inf", "'-inf"},
    {BYTES("+nan"), "+nan", "'+nan"},
    {BYTES("-0x10"), "-0x10", "'-0x10"},
    {BYTES("- 5"), "- 5", "'- 5"},
    {BYTES("-5 "), "\"-5 \"", "\"'-5 \""},
    {BYTES("=HYPERLINK(\"http://x\",\"y\")"), "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
     "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
    {BYTES("=1,2"), "\"=1,2\"", "\"'=1,2\""},
    {BYTES("@SUM(1)\n"), "\"@SUM(1)\n\"", "\"'@SUM(1)\n\""},
    /* plain numbers are left alone */
    {BYTES("-5"), "-5", "-5"},
    {BYTES("+3.2"), "+3.2", "+3.2"},
    {BYTES("1e5"), "1e5", "1e5"},
    {BYTES("-1e5"), "-1e5", "-1e5"},
    {BYTES("-1.5E-3"), "-1.5E-3", "-1.5E-3"},
    {BYTES("-0"), "-0", "-0"},
    {BYTES("-.5"), "-.5", "-.5"},
    {BYTES("42"), "42", "42"},
    /* only the first character matters */
    {BYTES("a=1"), "a=1", "a=1"},
    {BYTES("x@y.org"), "x@y.org", "x@y.org"},
    {BYTES("1-2"), "1-2", "1-2"},
    /* embedded NUL is data, not the end */
    {BYTES("a\0b"), "a\0b", "a\0b"},
};

/* One case holds a NUL byte; such a field is neither quoted nor prefixed, so
 * its expected output is exactly its input. */
static size_t expected_len(const char *expected, const struct field_case *c)
{
    if (memchr(c->in, '\0', c->len))
        return c->len;
    return strlen(expected);
}

static void test_put_field(void **state)
{
    (void)state;
    struct buf out;
    buf_init(&out);
    for (size_t i = 0; i < ARRAY_LEN(field_cases); i++) {
        const struct field_case *c = &field_cases[i];
        for (int safe = 0; safe <= 1; safe++) {
            const char *want = safe ? c->safe : c->plain;
            size_t want_len = expected_len(want, c);
            buf_clear(&out);
            csv_put_field(&out, c->in, c->len, safe);
            if (out.len != want_len || memcmp(out.data, want, want_len) != 0)
                fail_msg("field %zu '%s' (safe=%d): got [%.*s], expected [%s]", i, c->in, safe,
                         (int)out.len, out.data, want);
        }
    }
    buf_release(&out);
}

static void test_is_formula_like(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(field_cases); i++) {
        const struct field_case *c = &field_cases[i];
        bool prefixed = strcmp(c->plain, c->safe) != 0;
        if (csv_is_formula_like(c->in, c->len) != prefixed)
            fail_msg("csv_is_formula_like('%s') should be %d", c->in, prefixed);
    }
}

/* Fields appended one after another make a row that a CSV reader splits back
 * into the same values (after removing the neutralising apostrophe). */
static void test_row_appends(void **state)
{
    (void)state;
    struct buf out;
    buf_init(&out);
    buf_puts(&out, "start:");
    csv_put_field(&out, BYTES("a"), true);
    buf_putc(&out, ',');
    csv_put_field(&out, BYTES("b,c"), true);
    buf_putc(&out, ',');
    csv_put_field(&out, BYTES("=x"), true);
    assert_string_equal(out.data, "start:a,\"b,c\",'=x");
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_field),
        cmocka_unit_test(test_is_formula_like),
        cmocka_unit_test(test_row_appends),
    };
    return cmocka_run_group_tests_name("csvout", tests, NULL, NULL);
}
