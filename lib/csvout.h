/* Writing CSV fields: RFC 4180 quoting, and neutralising text that a
 * spreadsheet would run as a formula (OWASP "CSV injection"). */
#ifndef CANDOUR_CSVOUT_H
#define CANDOUR_CSVOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Append one field to out.  Quotes it when it holds a comma, quote, CR, LF or
 * edge spaces.  When spreadsheet_safe, a field starting with = + - @ TAB or
 * CR that is not a plain number gets a leading apostrophe. */
void csv_put_field(struct buf *out, const char *s, size_t len, bool spreadsheet_safe);
/* Does a spreadsheet need this field neutralised? */
bool csv_is_formula_like(const char *s, size_t len);

#endif
