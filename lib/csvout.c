#include "csvout.h"

#include <string.h>

bool csv_is_formula_like(const char *s, size_t len)
{
    if (len == 0 || !strchr("=+-@\t\r", s[0]))
        return false;
    double ignored;
    return !parse_double(s, len, &ignored);
}

void csv_put_field(struct buf *out, const char *s, size_t len, bool spreadsheet_safe)
{
    bool prefix = spreadsheet_safe && csv_is_formula_like(s, len);
    bool quote = len && (s[0] == ' ' || s[len - 1] == ' ');
    for (size_t i = 0; i < len && !quote; i++) {
        char c = s[i]; /* one test for the common letters and digits */
        quote = (unsigned char)c <= '"' && (c == '"' || c == '\n' || c == '\r');
        quote = quote || c == ',';
    }
    if (!quote) {
        if (prefix)
            buf_putc(out, '\'');
        buf_append(out, s, len);
        return;
    }
    buf_putc(out, '"');
    if (prefix)
        buf_putc(out, '\'');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            buf_putc(out, '"');
        buf_putc(out, s[i]);
    }
    buf_putc(out, '"');
}
