/* Text checks and the matching key used for answers and header names. */
#ifndef CANDOUR_TEXT_H
#define CANDOUR_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

/* Offset of the first byte that breaks UTF-8 (overlongs, surrogates and code
 * points above U+10FFFF included), or len when s is valid. */
size_t utf8_invalid_at(const char *s, size_t len);

/* Matching key for case- and space-insensitive comparison: leading and
 * trailing white space removed, inner runs of white space collapsed to one
 * space, ASCII letters lowered, look-alikes of ASCII characters taken as
 * them (en and em dashes, minus and Unicode hyphens as '-', curly quotes as
 * straight ones, no-break and thin spaces as spaces) and trailing full stops
 * dropped.  Writes into key (cleared first). */
void text_fold(const char *s, size_t len, struct buf *key);

/* The first invisible character of a value: code point, name, and its
 * 1-based position in characters. */
struct text_invisible {
    uint32_t cp;
    const char *name;
    size_t position;
};
/* s without invisible characters (zero width spaces and joiners, word
 * joiner, soft hyphen, a stray byte order mark) into out; returns how many
 * were removed, and the first in *first (may be NULL). */
size_t text_strip_invisible(const char *s, size_t len, struct buf *out,
                            struct text_invisible *first);

/* s without leading/trailing spaces and tabs: adjusts *s and *len. */
void text_trim(const char **s, size_t *len);

/* True when the trimmed s is empty. */
bool text_is_blank(const char *s, size_t len);

/* Append s for people to read: line breaks, tabs and other control
 * characters, bytes that are not UTF-8 (\xHH) and invisible or reordering
 * characters such as bidirectional overrides and zero-width spaces
 * (\u{202E}) as visible escapes, so a name from the data can neither hide
 * nor rearrange the text around it.  At most max_chars characters, then
 * "..."; (size_t)-1 for no limit. */
void text_escape_visible(const char *s, size_t len, size_t max_chars, struct buf *out);

/* Control characters of s (bytes below 0x20, and 0x7F) as \n, \r, \t or
 * \xHH, as text_escape_visible writes them, and every other byte as it is,
 * appended to out: the form in which names reach candour-stats' tables, so
 * that no table holds a raw control character (a line break inside a
 * field, a terminal escape) and candour-report, which shows names through
 * text_escape_visible, shows them as before.  A reader compares a name from
 * elsewhere (candour-report's --org) with a table's in this form.  A
 * backslash is left as it is: the form is for reading and matching, not
 * to be undone.  Returns whether anything was escaped. */
bool text_escape_controls(const char *s, size_t len, struct buf *out);

/* Quote s for an error message: printable, at most max_chars characters, with
 * control characters shown as \n, \t or \xHH and invisible or reordering
 * characters (zero-width space, bidirectional overrides) as \u{200B}, as
 * text_escape_visible does.  Appends to out. */
void text_quote_for_message(const char *s, size_t len, size_t max_chars, struct buf *out);

/* Characters of a value from the data that a message may show. */
#define TEXT_VALUE_SHOWN 20

/* Quote a value from the data (an answer, a code, a number) for a message:
 * as text_quote_for_message, cut after TEXT_VALUE_SHOWN characters; a longer
 * value that looks like free text (white space inside it, or an '@') is not
 * shown at all but described, "(a 45-character text, not shown)": what a
 * respondent typed into a wrong column must not reach a terminal or a log.
 * Appends to out. */
void text_quote_value(const char *s, size_t len, struct buf *out);

/* s (a file name, an option value, a name from the data) for a message,
 * control and invisible characters escaped as text_escape_visible does, in
 * full.  Clears shown and returns its text. */
const char *text_shown(const char *s, struct buf *shown);

/* Write the printf-formatted text to f with control and invisible characters
 * escaped (text_escape_visible): for messages that hold file names, option
 * values or names from the data, so none can move the cursor, clear the
 * terminal or hide text.  The format itself must hold no control character
 * (a line's final newline is written by the caller). */
void text_vfprintf_shown(FILE *f, const char *fmt, va_list ap);
void text_fprintf_shown(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
