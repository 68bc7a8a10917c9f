#include "text.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t utf8_invalid_at(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* ASCII runs, eight bytes at a time */
        while (i + 8 <= len) {
            uint64_t word;
            memcpy(&word, s + i, 8);
            if (word & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned int cp;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + need >= len)
            return i;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += need + 1;
    }
    return len;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

void text_trim(const char **s, size_t *len)
{
    while (*len && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_space((*s)[*len - 1]))
        (*len)--;
}

bool text_is_blank(const char *s, size_t len)
{
    text_trim(&s, &len);
    return len == 0;
}

/* A look-alike of an ASCII character at s[0..len): its length in bytes
 * (the UTF-8 sequence) with *ascii set, or 0.  Dashes and minus signs are
 * '-', curly single quotes and the prime '\'', curly double quotes '"',
 * no-break and narrow spaces ' ': what word processors and spreadsheets put
 * in place of the plain characters a schema is written with. */
static size_t lookalike(const unsigned char *s, size_t len, char *ascii)
{
    if (len >= 2 && s[0] == 0xC2 && s[1] == 0xA0) { /* U+00A0 no-break space */
        *ascii = ' ';
        return 2;
    }
    if (len < 3 || s[0] != 0xE2)
        return 0;
    unsigned cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
        return 0;
    if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212) /* hyphens, dashes, minus */
        *ascii = '-';
    else if (cp == 0x2018 || cp == 0x2019 || cp == 0x201B || cp == 0x2032)
        *ascii = '\'';
    else if (cp == 0x201C || cp == 0x201D || cp == 0x201F || cp == 0x2033)
        *ascii = '"';
    else if (cp == 0x2007 || cp == 0x2009 || cp == 0x202F) /* figure, thin, narrow nbsp */
        *ascii = ' ';
    else
        return 0;
    return 3;
}

void text_fold(const char *s, size_t len, struct buf *key)
{
    buf_clear(key);
    buf_reserve(key, len);
    text_trim(&s, &len);
    bool in_space = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if ((unsigned char)c >= 0x80) {
            size_t n = lookalike((const unsigned char *)s + i, len - i, &c);
            if (n)
                i += n - 1;
            else
                c = s[i];
        }
        if (is_space(c)) {
            in_space = true;
            continue;
        }
        if (in_space) {
            key->data[key->len++] = ' ';
            in_space = false;
        }
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        key->data[key->len++] = c;
    }
    /* a trailing full stop ("Agree.") is not part of the answer */
    while (key->len && key->data[key->len - 1] == '.')
        key->len--;
    while (key->len && key->data[key->len - 1] == ' ')
        key->len--;
    key->data[key->len] = '\0';
}

/* Invisible characters that make a value differ from one it shows as. */
static const struct {
    uint32_t cp;
    const char *name;
} invisible_chars[] = {
    {0x00AD, "soft hyphen"},           {0x200B, "zero width space"},
    {0x200C, "zero width non-joiner"}, {0x200D, "zero width joiner"},
    {0x2060, "word joiner"},           {0xFEFF, "zero width no-break space"},
};

/* The code point of the UTF-8 sequence at s (n bytes), or 0x110000. */
static uint32_t code_point(const unsigned char *s, size_t len, size_t *n)
{
    if (s[0] < 0x80 || len < 2) {
        *n = 1;
        return s[0] < 0x80 ? s[0] : 0x110000;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        *n = 2;
        return ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    }
    if ((s[0] & 0xF0) == 0xE0 && len >= 3) {
        *n = 3;
        return ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    }
    *n = 1;
    return 0x110000;
}

size_t text_strip_invisible(const char *s, size_t len, struct buf *out,
                            struct text_invisible *first)
{
    buf_clear(out);
    buf_reserve(out, len);
    size_t removed = 0, chars = 0;
    for (size_t i = 0, n; i < len; i += n) {
        uint32_t cp = code_point((const unsigned char *)s + i, len - i, &n);
        chars++;
        size_t k;
        for (k = 0; k < ARRAY_LEN(invisible_chars); k++)
            if (invisible_chars[k].cp == cp)
                break;
        if (k < ARRAY_LEN(invisible_chars)) {
            if (!removed++ && first)
                *first = (struct text_invisible){cp, invisible_chars[k].name, chars};
            continue;
        }
        buf_append(out, s + i, n);
    }
    return removed;
}

static size_t utf8_sequence_length(unsigned char c);
static unsigned long utf8_decode(const unsigned char *s, size_t n);
static bool is_hidden_character(unsigned long cp);

/* One byte as messages and tables show it: line breaks and tabs as \n,
 * \r, \t, other control bytes (and bytes the caller cannot show) as
 * \xHH. */
static void put_escaped_byte(struct buf *out, unsigned char c)
{
    if (c == '\n')
        buf_puts(out, "\\n");
    else if (c == '\r')
        buf_puts(out, "\\r");
    else if (c == '\t')
        buf_puts(out, "\\t");
    else
        buf_printf(out, "\\x%02X", c);
}

void text_quote_for_message(const char *s, size_t len, size_t max_chars, struct buf *out)
{
    buf_putc(out, '\'');
    bool valid_utf8 = utf8_invalid_at(s, len) == len;
    size_t shown = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        /* Cut only before a whole character: in valid UTF-8 a continuation
         * byte belongs to the character before it; in invalid text every
         * byte is shown as \xHH and counts as one. */
        if (!valid_utf8 || (c & 0xC0) != 0x80) {
            if (shown == max_chars) {
                buf_puts(out, "...");
                break;
            }
            shown++;
        }
        size_t n = valid_utf8 ? utf8_sequence_length(c) : 1;
        if (n > 1 && is_hidden_character(utf8_decode((const unsigned char *)s + i, n))) {
            buf_printf(out, "\\u{%04lX}", utf8_decode((const unsigned char *)s + i, n));
            i += n - 1;
            continue;
        }
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && !valid_utf8))
            put_escaped_byte(out, c);
        else
            buf_putc(out, (char)c);
    }
    buf_putc(out, '\'');
}

void text_quote_value(const char *s, size_t len, struct buf *out)
{
    const char *inner = s;
    size_t inner_len = len;
    text_trim(&inner, &inner_len);
    bool free_text = false; /* white space inside the value, or an e-mail address */
    for (size_t i = 0; i < inner_len; i++)
        free_text |= is_space(inner[i]) || inner[i] == '@';
    bool valid_utf8 = utf8_invalid_at(s, len) == len;
    size_t n_chars = 0;
    for (size_t i = 0; i < len; i++)
        n_chars += !valid_utf8 || ((unsigned char)s[i] & 0xC0) != 0x80;
    if (n_chars > TEXT_VALUE_SHOWN && free_text)
        buf_printf(out, "(a %zu-character text, not shown)", n_chars);
    else
        text_quote_for_message(s, len, TEXT_VALUE_SHOWN, out);
}

/* Length of the UTF-8 sequence a lead byte starts (1-4), 0 for a byte that
 * cannot start one. */
static size_t utf8_sequence_length(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

static unsigned long utf8_decode(const unsigned char *s, size_t n)
{
    if (n == 1)
        return s[0];
    unsigned long cp = s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    return cp;
}

/* Characters that are valid but invisible or that change how the text
 * around them is shown: escaped so a name cannot hide or reorder text. */
static bool is_hidden_character(unsigned long cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF ||
           (cp >= 0xFFF9 && cp <= 0xFFFB);
}

void text_escape_visible(const char *s, size_t len, size_t max_chars, struct buf *out)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, shown = 0;
    while (i < len) {
        if (shown++ == max_chars) {
            buf_puts(out, "...");
            return;
        }
        unsigned char c = u[i];
        size_t n = utf8_sequence_length(c);
        if (n == 0 || n > len - i || utf8_invalid_at(s + i, n) != n) {
            buf_printf(out, "\\x%02X", c);
            i++;
            continue;
        }
        if (n == 1) {
            if (c < 0x20 || c == 0x7F)
                put_escaped_byte(out, c);
            else
                buf_putc(out, (char)c);
        } else {
            unsigned long cp = utf8_decode(u + i, n);
            if (is_hidden_character(cp))
                buf_printf(out, "\\u{%04lX}", cp);
            else
                buf_append(out, s + i, n);
        }
        i += n;
    }
}

bool text_escape_controls(const char *s, size_t len, struct buf *out)
{
    bool escaped = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != 0x7F) {
            buf_putc(out, (char)c);
            continue;
        }
        escaped = true;
        put_escaped_byte(out, c);
    }
    return escaped;
}

const char *text_shown(const char *s, struct buf *shown)
{
    buf_clear(shown);
    text_escape_visible(s, strlen(s), (size_t)-1, shown);
    buf_putc(shown, '\0');
    shown->len--;
    return shown->data;
}

void text_vfprintf_shown(FILE *f, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return;
    char *text = xmalloc((size_t)n + 1);
    vsnprintf(text, (size_t)n + 1, fmt, ap);
    struct buf shown;
    buf_init(&shown);
    text_escape_visible(text, (size_t)n, (size_t)-1, &shown);
    if (shown.len)
        fwrite(shown.data, 1, shown.len, f);
    buf_release(&shown);
    free(text);
}

void text_fprintf_shown(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    text_vfprintf_shown(f, fmt, ap);
    va_end(ap);
}
