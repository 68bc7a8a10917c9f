/* Unit tests for lib/text: UTF-8 validation, the matching key, and quoting
 * for error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

/* Bytes with an explicit length: the cases hold NUL bytes and invalid UTF-8. */
#define BYTES(s) s, sizeof(s) - 1

struct utf8_case {
    const char *what;
    const char *bytes;
    size_t len;
    size_t invalid_at; /* == len when valid */
};

static const struct utf8_case utf8_cases[] = {
    {"empty", BYTES(""), 0},
    {"ascii", BYTES("hello, world"), 12},
    {"nul byte is valid UTF-8", BYTES("a\0b"), 3},
    {"2-byte e acute", BYTES("caf\xC3\xA9"), 5},
    {"3-byte euro", BYTES("\xE2\x82\xACx"), 4},
    {"4-byte emoji", BYTES("ok \xF0\x9F\x98\x80!"), 8},
    {"last BMP code point below surrogates", BYTES("\xED\x9F\xBF"), 3},
    {"first code point after surrogates", BYTES("\xEE\x80\x80"), 3},
    {"U+10FFFF", BYTES("\xF4\x8F\xBF\xBF"), 4},
    {"smallest 3-byte U+0800", BYTES("\xE0\xA0\x80"), 3},
    {"smallest 4-byte U+10000", BYTES("\xF0\x90\x80\x80"), 4},
    {"overlong NUL C0 80", BYTES("x\xC0\x80"), 1},
    {"overlong C1 BF", BYTES("\xC1\xBF"), 0},
    {"overlong 3-byte E0 80 80", BYTES("ab\xE0\x80\x80"), 2},
    {"overlong 3-byte E0 9F BF", BYTES("\xE0\x9F\xBF"), 0},
    {"overlong 4-byte F0 8F BF BF", BYTES("\xF0\x8F\xBF\xBF"), 0},
    {"high surrogate ED A0 80", BYTES("a\xED\xA0\x80"), 1},
    {"low surrogate ED BF BF", BYTES("\xED\xBF\xBF"), 0},
    {"above U+10FFFF F4 90 80 80", BYTES("\xF4\x90\x80\x80"), 0},
    {"lead byte F5", BYTES("\xF5\x80\x80\x80"), 0},
    {"byte FF", BYTES("ok\xFF"), 2},
    {"byte FE", BYTES("\xFE"), 0},
    {"lone continuation byte", BYTES("a\x80z"), 1},
    {"continuation after valid char", BYTES("\xC3\xA9\xA9"), 2},
    {"truncated 2-byte at end", BYTES("abc\xC3"), 3},
    {"truncated 3-byte at end (1 of 2)", BYTES("abc\xE2\x82"), 3},
    {"truncated 3-byte at end (0 of 2)", BYTES("\xE2"), 0},
    {"truncated 4-byte at end", BYTES("x\xF0\x9F\x98"), 1},
    {"2-byte lead followed by ASCII", BYTES("\xC3(x"), 0},
    {"3-byte lead with bad second continuation", BYTES("\xE2\x82(x"), 0},
    {"4-byte lead with ASCII third byte", BYTES("\xF0\x9Fz\x80"), 0},
    {"valid then invalid", BYTES("\xC3\xA9\xE2\x82\xAC\xC0\xAF"), 5},
};

static void test_utf8_invalid_at(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(utf8_cases); i++) {
        const struct utf8_case *c = &utf8_cases[i];
        size_t got = utf8_invalid_at(c->bytes, c->len);
        if (got != c->invalid_at)
            fail_msg("utf8 case '%s': invalid_at %zu, expected %zu", c->what, got, c->invalid_at);
    }
}

/* Every prefix of a valid multi-byte text that cuts a character must be
 * reported at the cut character, never read past len: the byte after the
 * cut is a continuation byte that would complete the character. */
static void test_utf8_every_prefix(void **state)
{
    (void)state;
    static const char text[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
    static const size_t char_start[] = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 11};
    size_t len = sizeof(text) - 1;
    for (size_t cut = 0; cut <= len; cut++) {
        char *copy = test_malloc(cut + 1);
        memcpy(copy, text, cut);
        copy[cut] = (char)0x80;
        size_t want = cut;
        if (cut < len && char_start[cut] != cut)
            want = char_start[cut];
        size_t got = utf8_invalid_at(copy, cut);
        test_free(copy);
        if (got != want)
            fail_msg("prefix of %zu bytes: invalid_at %zu, expected %zu", cut, got, want);
    }
}

struct fold_case {
    const char *in;
    const char *key;
};

static const struct fold_case fold_cases[] = {
    {"", ""},
    {"   ", ""},
    {"\t \r\n", ""},
    {"Agree", "agree"},
    {"STRONGLY AGREE", "strongly agree"},
    {"  Strongly   Agree  ", "strongly agree"},
    {"Strongly\tAgree", "strongly agree"},
    {"\tStrongly \t\t Agree\t", "strongly agree"},
    {"Neither\r\nagree", "neither agree"},
    {"a b", "a b"},
    {"Don't Know", "don't know"},
    {"White - Irish", "white - irish"},
    {"01", "01"},
    {"Caf\xC3\x89 X", "caf\xC3\x89 x"}, /* only ASCII letters are lowered */
    {"ZZ[`az{", "zz[`az{"},             /* bytes next to the letter ranges */
    {"@AZ", "@az"},
    /* look-alikes of ASCII characters, and a trailing full stop */
    {"Agree.", "agree"},
    {"Agree . ", "agree"},
    {"...", ""},
    {"1\xE2\x80\x93"
     "2",
     "1-2"}, /* en dash */
    {"3\xE2\x80\x94"
     "5",
     "3-5"}, /* em dash */
    {"6\xE2\x88\x92"
     "10",
     "6-10"}, /* minus sign */
    {"Non\xE2\x80\x91"
     "binary",
     "non-binary"},                          /* non-breaking hyphen */
    {"Don\xE2\x80\x99t know", "don't know"}, /* right single quote */
    {"\xE2\x80\x9CX\xE2\x80\x9D", "\"x\""},  /* curly double quotes */
    {"Strongly\xC2\xA0"
     "agree",
     "strongly agree"},                 /* no-break space */
    {"a\xE2\x80\xAF\xC2\xA0 b", "a b"}, /* narrow nbsp, nbsp, space: one */
    {"\xE2\x80", "\xE2\x80"},           /* a cut sequence is kept as bytes */
    {"\xE2\x80\x8B", "\xE2\x80\x8B"},   /* zero width space: not a look-alike */
};

static void test_text_fold(void **state)
{
    (void)state;
    struct buf key;
    buf_init(&key);
    buf_puts(&key, "stale contents");
    for (size_t i = 0; i < ARRAY_LEN(fold_cases); i++) {
        const struct fold_case *c = &fold_cases[i];
        text_fold(c->in, strlen(c->in), &key);
        if (key.len != strlen(c->key) || strcmp(key.data, c->key) != 0)
            fail_msg("fold '%s': got '%s', expected '%s'", c->in, key.data, c->key);
    }
    /* Only len bytes are read. */
    text_fold("Ab Cd", 2, &key);
    assert_string_equal(key.data, "ab");
    buf_release(&key);
}

/* Invisible characters are removed and the first one named, with its
 * position in characters (not bytes). */
static void test_text_strip_invisible(void **state)
{
    (void)state;
    struct buf out;
    buf_init(&out);
    struct text_invisible first = {0, NULL, 0};
    const char *s = "\xC3\xA9"
                    "A\xE2\x80\x8B"
                    "b\xC2\xAD"
                    "c";
    assert_int_equal(text_strip_invisible(s, strlen(s), &out, &first), 2);
    assert_string_equal(out.data, "\xC3\xA9"
                                  "Abc");
    assert_int_equal(first.cp, 0x200B);
    assert_string_equal(first.name, "zero width space");
    assert_int_equal(first.position, 3);
    assert_int_equal(text_strip_invisible("plain", 5, &out, NULL), 0);
    assert_string_equal(out.data, "plain");
    assert_int_equal(text_strip_invisible("", 0, &out, &first), 0);
    assert_string_equal(out.data, "");
    buf_release(&out);
}

/* Names reach candour-stats' tables with control characters escaped as
 * candour-report shows them (text_escape_visible): the same text either
 * way, and nothing else changed. */
static void test_text_escape_controls(void **state)
{
    (void)state;
    struct buf out, visible;
    buf_init(&out);
    buf_init(&visible);
    const char name[] = "Ward\x01 7\tA\nB\rC\x7f\x1b[31m \\ caf\xc3\xa9";
    size_t len = sizeof(name) - 1;
    assert_true(text_escape_controls(name, len, &out));
    assert_string_equal(out.data, "Ward\\x01 7\\tA\\nB\\rC\\x7F\\x1B[31m \\ caf\xc3\xa9");
    text_escape_visible(name, len, (size_t)-1, &visible);
    assert_string_equal(out.data, visible.data);
    buf_clear(&out);
    assert_false(text_escape_controls("Ward 7", 6, &out));
    assert_string_equal(out.data, "Ward 7");
    buf_release(&out);
    buf_release(&visible);
}

static void test_text_trim_and_blank(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *trimmed;
    } cases[] = {
        {"", ""}, {"  ", ""}, {" a ", "a"}, {"\ta b\t", "a b"}, {"x", "x"}, {"\r\nx\r\n", "x"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const char *s = cases[i].in;
        size_t len = strlen(s);
        text_trim(&s, &len);
        if (len != strlen(cases[i].trimmed) || memcmp(s, cases[i].trimmed, len) != 0)
            fail_msg("trim '%s': got '%.*s'", cases[i].in, (int)len, s);
        bool blank = text_is_blank(cases[i].in, strlen(cases[i].in));
        if (blank != (cases[i].trimmed[0] == '\0'))
            fail_msg("text_is_blank('%s') = %d", cases[i].in, blank);
    }
}

struct quote_case {
    const char *what;
    const char *bytes;
    size_t len;
    size_t max_chars;
    const char *quoted;
};

static const struct quote_case quote_cases[] = {
    {"plain", BYTES("abc"), 10, "'abc'"},
    {"empty", BYTES(""), 10, "''"},
    {"newline and tab", BYTES("a\nb\tc"), 10, "'a\\nb\\tc'"},
    {"carriage return", BYTES("a\r\n"), 10, "'a\\r\\n'"},
    {"other controls", BYTES("\x01x\x1f\x7f"), 10, "'\\x01x\\x1F\\x7F'"},
    {"NUL byte", BYTES("a\0b"), 10, "'a\\x00b'"},
    {"exactly max chars", BYTES("abcde"), 5, "'abcde'"},
    {"truncated", BYTES("abcdef"), 5, "'abcde...'"},
    {"zero max", BYTES("abc"), 0, "'...'"},
    {"escapes count as one char", BYTES("\n\n\n\n"), 2, "'\\n\\n...'"},
    {"valid UTF-8 kept", BYTES("caf\xC3\xA9"), 10, "'caf\xC3\xA9'"},
    {"UTF-8 counts characters", BYTES("\xC3\xA9\xC3\xA9\xC3\xA9"), 2, "'\xC3\xA9\xC3\xA9...'"},
    {"truncation never splits a character", BYTES("a\xC3\xA9z"), 2, "'a\xC3\xA9...'"},
    {"truncation at a 4-byte char", BYTES("\xF0\x9F\x98\x80\xF0\x9F\x98\x80"), 1,
     "'\xF0\x9F\x98\x80...'"},
    {"last char multi-byte, not truncated", BYTES("a\xC3\xA9"), 2, "'a\xC3\xA9'"},
    {"invalid UTF-8 as hex", BYTES("a\xFFz"), 10, "'a\\xFFz'"},
    {"invalid UTF-8: every high byte as hex", BYTES("\xC3\xA9\xC0\x80"), 10,
     "'\\xC3\\xA9\\xC0\\x80'"},
    {"invalid UTF-8: each byte counts", BYTES("\x80\x80\x80\x80\x80"), 3, "'\\x80\\x80\\x80...'"},
    {"truncated surrogate shown as hex", BYTES("\xED\xA0\x80"), 10, "'\\xED\\xA0\\x80'"},
    {"invisible characters escaped",
     BYTES("a\xE2\x80\x8B"
           "b\xE2\x80\xAE"
           "c"),
     10, "'a\\u{200B}b\\u{202E}c'"},
    {"an escaped character counts as one", BYTES("\xE2\x80\x8B\xE2\x80\x8Bx"), 1, "'\\u{200B}...'"},
};

static void test_quote_for_message(void **state)
{
    (void)state;
    struct buf out;
    buf_init(&out);
    for (size_t i = 0; i < ARRAY_LEN(quote_cases); i++) {
        const struct quote_case *c = &quote_cases[i];
        buf_clear(&out);
        text_quote_for_message(c->bytes, c->len, c->max_chars, &out);
        if (out.len != strlen(c->quoted) || memcmp(out.data, c->quoted, out.len) != 0)
            fail_msg("quote case '%s': got %s, expected %s", c->what, out.data, c->quoted);
        /* What goes into a message is itself valid UTF-8 without controls. */
        if (utf8_invalid_at(out.data, out.len) != out.len)
            fail_msg("quote case '%s': output is not valid UTF-8", c->what);
        for (size_t k = 0; k < out.len; k++)
            if ((unsigned char)out.data[k] < 0x20 || out.data[k] == 0x7f)
                fail_msg("quote case '%s': control byte in output", c->what);
    }
    /* Appends rather than replaces. */
    buf_clear(&out);
    buf_puts(&out, "value ");
    text_quote_for_message("x", 1, 5, &out);
    assert_string_equal(out.data, "value 'x'");
    buf_release(&out);
}

/* Values from the data in messages: at most 20 characters, and a longer
 * value that looks like free text never shown (issue 15). */
static void test_quote_value(void **state)
{
    (void)state;
    static const struct {
        const char *what, *value, *shown;
    } cases[] = {
        {"short code", "Ancient", "'Ancient'"},
        {"20 characters in full", "abcdefghijklmnopqrst", "'abcdefghijklmnopqrst'"},
        {"short text in full", "not sure", "'not sure'"},
        {"long code cut at 20", "RXX1RXX1RXX1RXX1RXX1RXX1", "'RXX1RXX1RXX1RXX1RXX1...'"},
        {"long free text not shown", "I would rather describe myself",
         "(a 30-character text, not shown)"},
        {"text with a line break", "first line of it\nand more",
         "(a 25-character text, not shown)"},
        {"e-mail address not shown", "someone.else@example.org",
         "(a 24-character text, not shown)"},
        {"characters, not bytes", "caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9",
         "(a 24-character text, not shown)"},
        {"surrounding spaces are not free text", "  RXX1RXX1RXX1RXX1RXX1RXX1",
         "'  RXX1RXX1RXX1RXX1RX...'"},
        {"controls escaped",
         "a\x01"
         "b",
         "'a\\x01b'"},
    };
    struct buf out;
    buf_init(&out);
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        buf_clear(&out);
        text_quote_value(cases[i].value, strlen(cases[i].value), &out);
        if (strcmp(out.data, cases[i].shown) != 0)
            fail_msg("value case '%s': got %s, expected %s", cases[i].what, out.data,
                     cases[i].shown);
    }
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_invalid_at),
        cmocka_unit_test(test_utf8_every_prefix),
        cmocka_unit_test(test_text_fold),
        cmocka_unit_test(test_text_escape_controls),
        cmocka_unit_test(test_text_trim_and_blank),
        cmocka_unit_test(test_text_strip_invisible),
        cmocka_unit_test(test_quote_for_message),
        cmocka_unit_test(test_quote_value),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
