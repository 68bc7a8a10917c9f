#include "period.h"

#include <stdio.h>

#include "text.h"

static bool digits(const char *s, size_t n, int *value)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *value = v;
    return true;
}

bool period_parse(const char *s, size_t len, struct period *out)
{
    text_trim(&s, &len);
    int year, sub;
    if (len < 4 || !digits(s, 4, &year) || year < 1900 || year > 2199)
        return false;
    if (len == 4) {
        *out = (struct period){PERIOD_YEAR, year, 0};
        return true;
    }
    if (s[4] != '-')
        return false;
    if (len == 7 && (s[5] == 'Q' || s[5] == 'q') && digits(s + 6, 1, &sub) && sub >= 1 &&
        sub <= 4) {
        *out = (struct period){PERIOD_QUARTER, year, sub};
        return true;
    }
    if (len == 7 && digits(s + 5, 2, &sub) && sub >= 1 && sub <= 12) {
        *out = (struct period){PERIOD_MONTH, year, sub};
        return true;
    }
    return false;
}

void period_format(const struct period *p, char out[PERIOD_TEXT_MAX])
{
    switch (p->kind) {
    case PERIOD_YEAR:
        snprintf(out, PERIOD_TEXT_MAX, "%04d", p->year);
        break;
    case PERIOD_QUARTER:
        snprintf(out, PERIOD_TEXT_MAX, "%04d-Q%d", p->year, p->sub);
        break;
    case PERIOD_MONTH:
        snprintf(out, PERIOD_TEXT_MAX, "%04d-%02d", p->year, p->sub);
        break;
    }
}

long period_ordinal(const struct period *p)
{
    switch (p->kind) {
    case PERIOD_QUARTER:
        return (long)p->year * 4 + p->sub - 1;
    case PERIOD_MONTH:
        return (long)p->year * 12 + p->sub - 1;
    case PERIOD_YEAR:
    default:
        return p->year;
    }
}

struct period period_from_ordinal(enum period_kind kind, long ordinal)
{
    long per = kind == PERIOD_QUARTER ? 4 : kind == PERIOD_MONTH ? 12 : 1;
    struct period p = {kind, (int)(ordinal / per),
                       kind == PERIOD_YEAR ? 0 : (int)(ordinal % per) + 1};
    return p;
}

int period_compare(const struct period *a, const struct period *b)
{
    if (a->kind != b->kind)
        return (int)a->kind - (int)b->kind;
    long x = period_ordinal(a), y = period_ordinal(b);
    return (x > y) - (x < y);
}

const char *period_kind_name(enum period_kind kind)
{
    static const char *const names[] = {"year", "quarter", "month"};
    return names[kind];
}
