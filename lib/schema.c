#include "schema.h"

#include <errno.h>
#include <libdeflate.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static const char *const kind_names[] = {"respondent", "org-results", "counts", "wres-hr"};

static const char *const role_names[ROLE_COUNT_] = {
    [ROLE_PERIOD] = "period",
    [ROLE_ORG] = "org",
    [ROLE_ORG_NAME] = "org-name",
    [ROLE_BGROUP] = "bgroup",
    [ROLE_UNIT] = "unit",
    [ROLE_DEMOGRAPHIC] = "demographic",
    [ROLE_ITEM] = "item",
    [ROLE_WEIGHT] = "weight",
    [ROLE_IDENTIFIER] = "identifier",
    [ROLE_FREE_TEXT] = "free-text",
    [ROLE_IGNORE] = "ignore",
    [ROLE_BASE] = "base",
    [ROLE_RATE] = "rate",
    [ROLE_ITEM_ID] = "item-id",
    [ROLE_GROUP_DIM] = "group-dim",
    [ROLE_GROUP] = "group",
    [ROLE_N] = "n",
    [ROLE_POSITIVE] = "positive",
    [ROLE_HEADCOUNT] = "headcount",
    [ROLE_EVENTS] = "events",
    [ROLE_DESIGN_EFFECT] = "design-effect",
};

const char *schema_kind_name(enum schema_kind kind)
{
    return kind_names[kind];
}

const char *schema_role_name(enum column_role role)
{
    return role_names[role];
}

/* ---- tokens ------------------------------------------------------------ */

struct token {
    char *text; /* unquoted */
    long eq;    /* offset of the first '=' outside quotes, -1 if none */
};

struct parser {
    struct schema *s;
    struct buf *err;
    int line;          /* line of the directive being parsed */
    struct token *tok; /* tokens of the current logical line */
    size_t n_tok, tok_cap;
    enum { IN_NONE, IN_SCALE, IN_RECODE } block;
    int block_line;
    bool seen_header;
    bool seen_kind;
    bool seen_format;
    bool seen_periods;
    int rates_line; /* last `rates` or `design-effect` directive, 0 if none */
    int wide_line;  /* the first column whose header holds {period}, 0 if none */
    struct buf key;
};

static bool fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(struct parser *p, const char *fmt, ...)
{
    if (p->err->len)
        return false;
    buf_printf(p->err, "%s:%d: ", p->s->path, p->line);
    va_list ap;
    va_start(ap, fmt);
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    buf_puts(p->err, msg);
    return false;
}

static void clear_tokens(struct parser *p)
{
    for (size_t i = 0; i < p->n_tok; i++)
        free(p->tok[i].text);
    p->n_tok = 0;
}

/* Split one logical line into tokens: white space separates, double quotes
 * group (with \" and \\ escapes), # starts a comment outside quotes. */
static bool tokenize(struct parser *p, const char *line, size_t len)
{
    clear_tokens(p);
    size_t i = 0;
    struct buf t;
    buf_init(&t);
    while (i < len) {
        while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
            i++;
        if (i >= len || line[i] == '#')
            break;
        buf_clear(&t);
        buf_reserve(&t, 0);
        long eq = -1;
        while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
            if (line[i] == '"') {
                i++;
                while (i < len && line[i] != '"') {
                    if (line[i] == '\\' && i + 1 < len)
                        i++;
                    buf_putc(&t, line[i++]);
                }
                if (i >= len) {
                    buf_release(&t);
                    return fail(p, "unterminated quoted string");
                }
                i++;
                continue;
            }
            if (line[i] == '#')
                break;
            if (line[i] == '=' && eq < 0)
                eq = (long)t.len;
            buf_putc(&t, line[i++]);
        }
        xgrow(&p->tok, &p->tok_cap, p->n_tok + 1, sizeof(*p->tok));
        p->tok[p->n_tok].text = xstrndup(t.data ? t.data : "", t.len);
        p->tok[p->n_tok].eq = eq;
        p->n_tok++;
    }
    buf_release(&t);
    return true;
}

/* ---- helpers ----------------------------------------------------------- */

static char *fold_dup(struct parser *p, const char *s)
{
    text_fold(s, strlen(s), &p->key);
    return xstrdup(p->key.data);
}

static bool is_identifier(const char *s)
{
    if (!*s)
        return false;
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_' || *c == '-' || *c == '.'))
            return false;
    return true;
}

bool keys_match(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return true;
    uint64_t x, y;
    return parse_uint64(a, strlen(a), &x) && parse_uint64(b, strlen(b), &y) && x == y;
}

/* Numeric answers (the common case) are matched without folding. */
size_t scale_match(const struct scale *sc, const char *value, size_t len, struct buf *key)
{
    text_trim(&value, &len);
    uint64_t num;
    if (parse_uint64(value, len, &num))
        for (size_t i = 0; i < sc->n_entries; i++)
            if (sc->entries[i].code_num == (int64_t)num)
                return i;
    text_fold(value, len, key);
    for (size_t i = 0; i < sc->n_entries; i++)
        if (strcmp(key->data, sc->entries[i].code_key) == 0 ||
            strcmp(key->data, sc->entries[i].label_key) == 0)
            return i;
    return SCHEMA_NONE;
}

size_t recode_match(const struct recode *r, const struct scale *sc, const char *value, size_t len,
                    struct buf *key)
{
    const char *code_key = NULL, *label_key = NULL;
    if (sc && !text_is_blank(value, len)) {
        size_t e = scale_match(sc, value, len, key);
        if (e == SCHEMA_NONE)
            return SCHEMA_NONE;
        code_key = sc->entries[e].code_key;
        label_key = sc->entries[e].label_key;
    } else {
        text_fold(value, len, key);
        code_key = key->data;
    }
    for (size_t i = 0; i < r->n_rules; i++)
        if (keys_match(code_key, r->rules[i].key) ||
            (label_key && strcmp(label_key, r->rules[i].key) == 0))
            return r->rules[i].group;
    return SCHEMA_NONE;
}

static size_t find_scale(const struct schema *s, const char *name)
{
    for (size_t i = 0; i < s->n_scales; i++)
        if (strcmp(s->scales[i].name, name) == 0)
            return i;
    return SCHEMA_NONE;
}

static size_t find_recode(const struct schema *s, const char *name)
{
    for (size_t i = 0; i < s->n_recodes; i++)
        if (strcmp(s->recodes[i].name, name) == 0)
            return i;
    return SCHEMA_NONE;
}

size_t schema_find_item(const struct schema *s, const char *id)
{
    for (size_t i = 0; i < s->n_items; i++)
        if (strcmp(s->items[i].id, id) == 0)
            return i;
    return SCHEMA_NONE;
}

static bool parse_yes_no(struct parser *p, const char *key, const char *v, bool *out)
{
    if (strcmp(v, "yes") == 0)
        *out = true;
    else if (strcmp(v, "no") == 0)
        *out = false;
    else
        return fail(p, "%s must be 'yes' or 'no', not '%s'", key, v);
    return true;
}

/* Find key=value among tokens from index `from`; each key at most once and
 * every key must be one of `allowed` (NULL-terminated). */
static bool check_keys(struct parser *p, size_t from, const char *const *allowed)
{
    for (size_t i = from; i < p->n_tok; i++) {
        struct token *t = &p->tok[i];
        if (t->eq < 0)
            return fail(p, "expected key=value, found '%s'", t->text);
        bool known = false;
        for (const char *const *a = allowed; *a; a++)
            if (strlen(*a) == (size_t)t->eq && strncmp(t->text, *a, (size_t)t->eq) == 0)
                known = true;
        if (!known)
            return fail(p, "unknown key '%.*s'", (int)t->eq, t->text);
        for (size_t j = from; j < i; j++)
            if (p->tok[j].eq == t->eq && strncmp(p->tok[j].text, t->text, (size_t)t->eq) == 0)
                return fail(p, "key '%.*s' given twice", (int)t->eq, t->text);
    }
    return true;
}

static const char *get_key(struct parser *p, size_t from, const char *key)
{
    for (size_t i = from; i < p->n_tok; i++) {
        struct token *t = &p->tok[i];
        if (t->eq == (long)strlen(key) && strncmp(t->text, key, (size_t)t->eq) == 0)
            return t->text + t->eq + 1;
    }
    return NULL;
}

/* Parse "2023", "2023..2025", "2023-2025" (years) or "2023-01..2024-12". */
static bool parse_period_range(struct parser *p, const char *text, struct period_range *out)
{
    const char *dots = strstr(text, "..");
    size_t lo_len = dots ? (size_t)(dots - text) : strlen(text);
    const char *hi = dots ? dots + 2 : NULL;
    struct period a, b;
    if (!dots && p->s->period_kind == PERIOD_YEAR && strlen(text) == 9 && text[4] == '-') {
        lo_len = 4;
        hi = text + 5;
    }
    if (!period_parse(text, lo_len, &a) || (hi && !period_parse(hi, strlen(hi), &b)))
        return fail(p, "'%s' is not a period or period range", text);
    if (!hi)
        b = a;
    if (a.kind != p->s->period_kind || b.kind != p->s->period_kind)
        return fail(p, "period '%s' is not a %s (period-format)", text,
                    period_kind_name(p->s->period_kind));
    out->lo = period_ordinal(&a);
    out->hi = period_ordinal(&b);
    if (out->lo > out->hi)
        return fail(p, "period range '%s' runs backwards", text);
    return true;
}

/* ---- directives ---------------------------------------------------------- */

static bool need_args(struct parser *p, size_t n, const char *usage)
{
    if (p->n_tok < n)
        return fail(p, "usage: %s", usage);
    for (size_t i = 1; i < n; i++)
        if (p->tok[i].eq >= 0 && i < n)
            return fail(p, "usage: %s", usage);
    return true;
}

static bool exact_args(struct parser *p, size_t n, const char *usage)
{
    if (p->n_tok != n)
        return fail(p, "usage: %s", usage);
    return true;
}

static bool do_kind(struct parser *p)
{
    if (!exact_args(p, 2, "kind respondent|org-results|counts|wres-hr"))
        return false;
    for (size_t k = 0; k < ARRAY_LEN(kind_names); k++)
        if (strcmp(p->tok[1].text, kind_names[k]) == 0) {
            p->s->kind = (enum schema_kind)k;
            p->seen_kind = true;
            return true;
        }
    return fail(p, "unknown kind '%s' (expected respondent, org-results, counts or wres-hr)",
                p->tok[1].text);
}

static bool do_period_format(struct parser *p)
{
    if (!exact_args(p, 2, "period-format year|quarter|month"))
        return false;
    if (p->s->n_columns)
        return fail(p, "period-format must come before the columns");
    /* periods were read as periods of the previous format */
    if (p->seen_periods)
        return fail(p, "period-format must come before periods");
    const char *v = p->tok[1].text;
    if (strcmp(v, "year") == 0)
        p->s->period_kind = PERIOD_YEAR;
    else if (strcmp(v, "quarter") == 0)
        p->s->period_kind = PERIOD_QUARTER;
    else if (strcmp(v, "month") == 0)
        p->s->period_kind = PERIOD_MONTH;
    else
        return fail(p, "unknown period-format '%s' (expected year, quarter or month)", v);
    p->seen_format = true;
    return true;
}

static bool do_periods(struct parser *p)
{
    if (!exact_args(p, 3, "periods FIRST LAST"))
        return false;
    struct period_range a, b;
    if (!parse_period_range(p, p->tok[1].text, &a) || !parse_period_range(p, p->tok[2].text, &b))
        return false;
    if (a.lo > b.hi)
        return fail(p, "periods: first is after last");
    p->s->period_lo = a.lo;
    p->s->period_hi = b.hi;
    p->seen_periods = true;
    return true;
}

/* The end of a bracket expression; s points just after its '['. */
static const char *skip_bracket(const char *s)
{
    if (*s == '^')
        s++;
    if (*s == ']')
        s++; /* a leading ']' is a member */
    while (*s && *s != ']') {
        if (*s == '[' && (s[1] == ':' || s[1] == '=' || s[1] == '.')) {
            const char *end = strchr(s + 2, s[1]); /* [:alpha:] [=e=] [.-.] */
            while (end && end[1] != ']')
                end = strchr(end + 1, s[1]);
            if (!end)
                return s + strlen(s);
            s = end + 2;
        } else {
            s++;
        }
    }
    return *s ? s + 1 : s;
}

/* An org-pattern is checked before regcomp sees it, because glibc's regcomp
 * can be made to take gigabytes or to overflow the stack: it recurses once
 * per nested group (20,000 of them crash it), and writes out each bounded
 * repetition ('a{3}' becomes 'aaa') and each '+' ('a+' becomes 'aa*', so
 * 'a++++' doubles four times), with time and memory that grow with the
 * square of the optional copies ('9{,20000}' or 24 '+' take gigabytes).
 * Org codes are short: real patterns are far below both limits. */
#define ORG_PATTERN_DEPTH_MAX 32
#define ORG_PATTERN_ELEMENTS_MAX 1000

/* How deeply groups nest. */
static int regex_depth(const char *s)
{
    int depth = 0, deepest = 0;
    while (*s) {
        char c = *s++;
        if (c == '\\' && *s)
            s++;
        else if (c == '[')
            s = skip_bracket(s);
        else if (c == '(' && ++depth > deepest)
            deepest = depth;
        else if (c == ')' && depth > 0)
            depth--;
    }
    return deepest;
}

/* An upper bound on the elements once each repetition is written out:
 * '(a{,30}){,30}' holds 900 copies of 'a', 'a+++' 8.  Reads the group
 * starting at *s up to its ')' or the end of the text; a double because
 * nested counts multiply. */
static double regex_elements(const char **s)
{
    double total = 0, last = 0;
    while (**s && **s != ')') {
        char c = *(*s)++;
        if (c == '{' || c == '+') {
            double copies = 2; /* 'a+' is written out as 'aa*' */
            if (c == '{') {
                char *end;
                double lo = (double)strtoul(*s, &end, 10), hi = lo;
                if (*end == ',') {
                    const char *after = end + 1;
                    hi = (double)strtoul(after, &end, 10);
                    if (end == after)
                        hi = lo + 1; /* {m,}: m copies and a star */
                }
                copies = hi > lo ? hi : lo;
                *s = *end == '}' ? end + 1 : end;
            }
            if (copies > 1) {
                total += last * (copies - 1);
                last *= copies;
            }
            continue;
        }
        if (c == '(') {
            last = regex_elements(s);
            if (**s == ')')
                (*s)++;
            total += last;
            continue;
        }
        if (c == '\\' && **s)
            (*s)++;
        else if (c == '[')
            *s = skip_bracket(*s);
        last = 1;
        total += last;
    }
    return total;
}

static bool do_org_pattern(struct parser *p)
{
    if (!exact_args(p, 2, "org-pattern EXTENDED-REGEX"))
        return false;
    if (regex_depth(p->tok[1].text) > ORG_PATTERN_DEPTH_MAX)
        return fail(p, "bad org-pattern: groups nest more than %d deep", ORG_PATTERN_DEPTH_MAX);
    double elements = 0;
    for (const char *s = p->tok[1].text;; s++) { /* s++: past an unmatched ')' */
        elements += regex_elements(&s);
        if (!*s)
            break;
    }
    if (elements > ORG_PATTERN_ELEMENTS_MAX)
        return fail(p,
                    "bad org-pattern: more than %d elements once its repetitions are written out",
                    ORG_PATTERN_ELEMENTS_MAX);
    regex_t re;
    int rc = regcomp(&re, p->tok[1].text, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char msg[200];
        regerror(rc, &re, msg, sizeof(msg));
        return fail(p, "bad org-pattern: %s", msg);
    }
    regfree(&p->s->org_regex);
    p->s->org_regex = re;
    free(p->s->org_pattern);
    p->s->org_pattern = xstrdup(p->tok[1].text);
    return true;
}

static bool do_scale_start(struct parser *p)
{
    if (!exact_args(p, 2, "scale NAME"))
        return false;
    if (!is_identifier(p->tok[1].text))
        return fail(p, "scale name '%s' must be letters, digits, '_', '-' or '.'", p->tok[1].text);
    if (find_scale(p->s, p->tok[1].text) != SCHEMA_NONE)
        return fail(p, "scale '%s' defined twice", p->tok[1].text);
    struct schema *s = p->s;
    s->scales = xrealloc(s->scales, (s->n_scales + 1) * sizeof(*s->scales));
    s->scales[s->n_scales++] = (struct scale){.name = xstrdup(p->tok[1].text), .line = p->line};
    p->block = IN_SCALE;
    p->block_line = p->line;
    return true;
}

static bool do_scale_entry(struct parser *p)
{
    struct scale *sc = &p->s->scales[p->s->n_scales - 1];
    if (p->n_tok < 2 || p->n_tok > 3 || p->tok[0].eq >= 0 || p->tok[1].eq >= 0)
        return fail(p, "scale entry: usage: CODE LABEL [score=X] (or 'end')");
    if (sc->n_entries == SCALE_MAX_ENTRIES)
        return fail(p, "scale '%s' has more than %d answers", sc->name, SCALE_MAX_ENTRIES);
    double score = NAN;
    if (p->n_tok == 3) {
        const char *v = p->tok[2].text + p->tok[2].eq + 1;
        if (p->tok[2].eq != 5 || strncmp(p->tok[2].text, "score", 5) != 0 ||
            !parse_double(v, strlen(v), &score) || score < 0 || score > 10)
            return fail(p, "scale entry: expected score=X with X from 0 to 10, found '%s'",
                        p->tok[2].text);
    }
    char *code_key = fold_dup(p, p->tok[0].text);
    char *label_key = fold_dup(p, p->tok[1].text);
    if (!*code_key || !*label_key) {
        free(code_key);
        free(label_key);
        return fail(p, "scale entry: code and label must not be blank");
    }
    for (size_t i = 0; i < sc->n_entries; i++) {
        struct scale_entry *e = &sc->entries[i];
        if (keys_match(e->code_key, code_key) || keys_match(e->code_key, label_key) ||
            strcmp(e->label_key, label_key) == 0 || strcmp(e->label_key, code_key) == 0) {
            free(code_key);
            free(label_key);
            return fail(p, "scale '%s': answer '%s' clashes with '%s' '%s'", sc->name,
                        p->tok[0].text, e->code, e->label);
        }
    }
    sc->entries = xrealloc(sc->entries, (sc->n_entries + 1) * sizeof(*sc->entries));
    uint64_t num;
    sc->entries[sc->n_entries++] = (struct scale_entry){
        .code_num =
            parse_uint64(code_key, strlen(code_key), &num) && num < INT32_MAX ? (int64_t)num : -1,
        .code = xstrdup(p->tok[0].text),
        .label = xstrdup(p->tok[1].text),
        .code_key = code_key,
        .label_key = label_key,
        .score = score,
    };
    return true;
}

static bool do_recode_start(struct parser *p)
{
    if (!exact_args(p, 2, "recode NAME"))
        return false;
    if (!is_identifier(p->tok[1].text))
        return fail(p, "recode name '%s' must be letters, digits, '_', '-' or '.'", p->tok[1].text);
    if (find_recode(p->s, p->tok[1].text) != SCHEMA_NONE)
        return fail(p, "recode '%s' defined twice", p->tok[1].text);
    struct schema *s = p->s;
    s->recodes = xrealloc(s->recodes, (s->n_recodes + 1) * sizeof(*s->recodes));
    s->recodes[s->n_recodes++] = (struct recode){.name = xstrdup(p->tok[1].text), .line = p->line};
    p->block = IN_RECODE;
    p->block_line = p->line;
    return true;
}

/* GROUP VALUE... ; the bare word `blank` stands for an empty answer. */
static bool do_recode_rule(struct parser *p)
{
    struct recode *r = &p->s->recodes[p->s->n_recodes - 1];
    if (p->n_tok < 2)
        return fail(p, "recode line: usage: GROUP VALUE... (or 'end')");
    const char *group = p->tok[0].text;
    if (text_is_blank(group, strlen(group)))
        return fail(p, "recode group name must not be blank");
    size_t g;
    for (g = 0; g < r->n_groups; g++)
        if (strcmp(r->groups[g], group) == 0)
            break;
    if (g == r->n_groups) {
        r->groups = xrealloc(r->groups, (r->n_groups + 1) * sizeof(*r->groups));
        r->groups[r->n_groups++] = xstrdup(group);
    }
    for (size_t i = 1; i < p->n_tok; i++) {
        char *key =
            strcmp(p->tok[i].text, "blank") == 0 ? xstrdup("") : fold_dup(p, p->tok[i].text);
        for (size_t j = 0; j < r->n_rules; j++)
            if (keys_match(r->rules[j].key, key)) {
                free(key);
                return fail(p, "recode '%s': value '%s' mapped twice", r->name, p->tok[i].text);
            }
        r->rules = xrealloc(r->rules, (r->n_rules + 1) * sizeof(*r->rules));
        r->rules[r->n_rules++] = (struct recode_rule){.key = key, .group = g};
    }
    return true;
}

/* Meaning directives and checks (labels, sections, WRES roles, charts):
 * defined in their own part below. */
static bool parse_label(struct parser *p, const char *what, const char *id, const char *value,
                        char **out, bool *declared);
static bool do_section(struct parser *p);
static bool do_wres_grouping(struct parser *p);
static bool do_wres_indicator(struct parser *p);
static bool do_chart(struct parser *p);
static bool check_meaning(struct parser *p);

/* A comma-separated list of answers of scale sc; sets flags[] per entry. */
static bool parse_answer_list(struct parser *p, const char *what, const char *list,
                              const struct scale *sc, bool *flags)
{
    char *copy = xstrdup(list);
    bool ok = true;
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t e = scale_match(sc, t, strlen(t), &p->key);
        if (e == SCHEMA_NONE) {
            ok = fail(p, "%s: '%s' is not an answer of scale '%s'", what, t, sc->name);
            break;
        }
        flags[e] = true;
    }
    free(copy);
    return ok;
}

/* any-of=A,B: a derived item, counted when any of its items is answered and
 * positive when any is positive (WRES indicator 6: harassment from managers
 * or from colleagues). */
static bool parse_any_of(struct parser *p, struct item *it, const char *list)
{
    if (it->scale != SCHEMA_NONE)
        return fail(p, "a derived item (any-of=) takes no scale=");
    char *copy = xstrdup(list), *save = NULL;
    bool ok = true;
    for (char *t = strtok_r(copy, ",", &save); t && ok; t = strtok_r(NULL, ",", &save)) {
        size_t k = schema_find_item(p->s, t);
        if (k == SCHEMA_NONE)
            ok = fail(p, "any-of: unknown item '%s' (define it first)", t);
        else if (p->s->items[k].scale == SCHEMA_NONE)
            ok = fail(p, "any-of: item '%s' has no scale", t);
        else {
            it->any_of = xrealloc(it->any_of, (it->n_any_of + 1) * sizeof(size_t));
            it->any_of[it->n_any_of++] = k;
        }
    }
    free(copy);
    if (ok && it->n_any_of < 2)
        ok = fail(p, "any-of needs at least two items");
    return ok;
}

static bool do_item(struct parser *p)
{
    static const char *const keys[] = {"scale",    "positive", "missing", "missing-in-denominator",
                                       "polarity", "measure",  "text",    "reverse-score",
                                       "any-of",   "label",    NULL};
    if (!need_args(p, 2, "item ID key=value..."))
        return false;
    const char *id = p->tok[1].text;
    if (!is_identifier(id))
        return fail(p, "item id '%s' must be letters, digits, '_', '-' or '.'", id);
    if (schema_find_item(p->s, id) != SCHEMA_NONE)
        return fail(p, "item '%s' defined twice", id);
    if (!check_keys(p, 2, keys))
        return false;
    struct item it = {.id = xstrdup(id), .scale = SCHEMA_NONE, .line = p->line};
    const char *v;
    bool ok = true;
    it.text = xstrdup((v = get_key(p, 2, "text")) ? v : "");
    ok = parse_label(p, "item", id, get_key(p, 2, "label"), &it.label, &it.label_declared);
    it.measure = xstrdup((v = get_key(p, 2, "measure")) ? v : "positive");
    if (ok && strcmp(it.measure, "positive") != 0 && strcmp(it.measure, "experiencing") != 0)
        ok = fail(p, "measure must be 'positive' or 'experiencing', not '%s'", it.measure);
    v = get_key(p, 2, "polarity");
    if (ok && v && strcmp(v, "lower") == 0)
        it.polarity = POLARITY_LOWER;
    else if (ok && v && strcmp(v, "higher") != 0)
        ok = fail(p, "polarity must be 'higher' or 'lower', not '%s'", v);
    else if (ok && !v)
        it.polarity = strcmp(it.measure, "experiencing") == 0 ? POLARITY_LOWER : POLARITY_HIGHER;
    if (ok && (v = get_key(p, 2, "missing-in-denominator")))
        ok = parse_yes_no(p, "missing-in-denominator", v, &it.missing_in_denominator);
    if (ok && (v = get_key(p, 2, "reverse-score")))
        ok = parse_yes_no(p, "reverse-score", v, &it.reverse_score);
    if (ok && (v = get_key(p, 2, "scale"))) {
        it.scale = find_scale(p->s, v);
        if (it.scale == SCHEMA_NONE)
            ok = fail(p, "unknown scale '%s' (define scales before the items that use them)", v);
    }
    if (ok && it.scale != SCHEMA_NONE) {
        const struct scale *sc = &p->s->scales[it.scale];
        it.positive = xcalloc(sc->n_entries, sizeof(bool));
        it.missing = xcalloc(sc->n_entries, sizeof(bool));
        if (!(v = get_key(p, 2, "positive")))
            ok = fail(p, "item '%s' needs positive= (the answers that count)", id);
        else
            ok = parse_answer_list(p, "positive", v, sc, it.positive);
        if (ok && (v = get_key(p, 2, "missing")))
            ok = parse_answer_list(p, "missing", v, sc, it.missing);
        for (size_t e = 0; ok && e < sc->n_entries; e++)
            if (it.positive[e] && it.missing[e])
                ok = fail(p, "answer '%s' is both positive and missing", sc->entries[e].code);
    } else if (ok && (get_key(p, 2, "positive") || get_key(p, 2, "missing"))) {
        ok = fail(p, "positive= and missing= need a scale=");
    }
    if (ok && (v = get_key(p, 2, "any-of")))
        ok = parse_any_of(p, &it, v);
    struct schema *s = p->s;
    s->items = xrealloc(s->items, (s->n_items + 1) * sizeof(*s->items));
    s->items[s->n_items++] = it;
    return ok;
}

static bool do_theme(struct parser *p)
{
    static const char *const keys[] = {"items", "min-items", "text", "label", NULL};
    if (!need_args(p, 2, "theme ID items=A,B,... [min-items=N] [text=...] [label=...]"))
        return false;
    const char *id = p->tok[1].text;
    if (!is_identifier(id))
        return fail(p, "theme id '%s' must be letters, digits, '_', '-' or '.'", id);
    for (size_t i = 0; i < p->s->n_themes; i++)
        if (strcmp(p->s->themes[i].id, id) == 0)
            return fail(p, "theme '%s' defined twice", id);
    if (!check_keys(p, 2, keys))
        return false;
    const char *list = get_key(p, 2, "items");
    if (!list)
        return fail(p, "theme '%s' needs items=", id);
    struct theme th = {.id = xstrdup(id), .line = p->line};
    const char *v = get_key(p, 2, "text");
    th.text = xstrdup(v ? v : "");
    bool ok = parse_label(p, "theme", id, get_key(p, 2, "label"), &th.label, &th.label_declared);
    char *copy = xstrdup(list), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t && ok; t = strtok_r(NULL, ",", &save)) {
        size_t it = schema_find_item(p->s, t);
        if (it == SCHEMA_NONE)
            ok = fail(p, "theme '%s': unknown item '%s'", id, t);
        else if (p->s->items[it].scale == SCHEMA_NONE)
            ok = fail(p, "theme '%s': item '%s' has no scale to score", id, t);
        th.items = xrealloc(th.items, (th.n_items + 1) * sizeof(*th.items));
        th.items[th.n_items++] = it;
    }
    free(copy);
    th.min_items = th.n_items;
    uint64_t min;
    if (ok && (v = get_key(p, 2, "min-items"))) {
        if (!parse_uint64(v, strlen(v), &min) || min < 1 || min > th.n_items)
            ok = fail(p, "min-items must be from 1 to %zu", th.n_items);
        else
            th.min_items = (size_t)min;
    }
    struct schema *s = p->s;
    s->themes = xrealloc(s->themes, (s->n_themes + 1) * sizeof(*s->themes));
    s->themes[s->n_themes++] = th;
    return ok;
}

static bool parse_column_periods(struct parser *p, struct schema_column *c, const char *list)
{
    char *copy = xstrdup(list), *save = NULL;
    bool ok = true;
    for (char *t = strtok_r(copy, ",", &save); t && ok; t = strtok_r(NULL, ",", &save)) {
        struct period_range r = {0, 0};
        ok = parse_period_range(p, t, &r);
        c->periods = xrealloc(c->periods, (c->n_periods + 1) * sizeof(*c->periods));
        c->periods[c->n_periods++] = r;
    }
    free(copy);
    return ok;
}

/* A design effect: a plain decimal from 0.1 to 100 (1 = simple random
 * sampling; NSS weighting gives about 1.1 to 2). */
static bool parse_design_effect(struct parser *p, const char *v, double *out)
{
    if (!parse_double(v, strlen(v), out) || !(*out >= 0.1 && *out <= 100))
        return fail(p, "design effect must be a number from 0.1 to 100, not '%s'", v);
    return true;
}

static bool periods_overlap(const struct schema_column *a, const struct schema_column *b)
{
    if (!a->n_periods || !b->n_periods)
        return true;
    for (size_t i = 0; i < a->n_periods; i++)
        for (size_t j = 0; j < b->n_periods; j++)
            if (a->periods[i].lo <= b->periods[j].hi && b->periods[j].lo <= a->periods[i].hi)
                return true;
    return false;
}

static bool role_needs_name(enum column_role r)
{
    return r == ROLE_UNIT || r == ROLE_DEMOGRAPHIC || r == ROLE_ITEM || r == ROLE_BASE ||
           r == ROLE_RATE;
}

static bool column_options(struct parser *p, struct schema_column *c)
{
    const char *v;
    if ((v = get_key(p, 3, "optional")) && !parse_yes_no(p, "optional", v, &c->optional))
        return false;
    if ((v = get_key(p, 3, "periods")) && !parse_column_periods(p, c, v))
        return false;
    if (c->n_periods && c->role == ROLE_PERIOD)
        return fail(p, "the period column cannot itself depend on periods=");
    if (role_needs_name(c->role)) {
        if (!(v = get_key(p, 3, "name")))
            return fail(p, "a column with role '%s' needs name=", role_names[c->role]);
        if (!is_identifier(v))
            return fail(p, "name '%s' must be letters, digits, '_', '-' or '.'", v);
        c->name = xstrdup(v);
    } else if (get_key(p, 3, "name") && c->role != ROLE_DESIGN_EFFECT) {
        return fail(p, "a column with role '%s' takes no name=", role_names[c->role]);
    }
    if (c->role == ROLE_DESIGN_EFFECT && (v = get_key(p, 3, "name"))) {
        /* a design effect column: for the rate of one item, or (no name=) every rate */
        c->name = xstrdup(v);
        if ((c->item = schema_find_item(p->s, v)) == SCHEMA_NONE)
            return fail(p, "unknown item '%s' (define items before the columns that use them)", v);
    }
    if (c->role == ROLE_ITEM || c->role == ROLE_BASE || c->role == ROLE_RATE) {
        c->item = schema_find_item(p->s, c->name);
        if (c->item == SCHEMA_NONE)
            return fail(p, "unknown item '%s' (define items before the columns that use them)",
                        c->name);
        if (c->role == ROLE_ITEM && p->s->items[c->item].scale == SCHEMA_NONE)
            return fail(p, "item '%s' needs a scale= to be read from answers", c->name);
    }
    if ((v = get_key(p, 3, "rate-scale"))) {
        if (c->role != ROLE_RATE)
            return fail(p, "rate-scale= only applies to rate columns");
        if (strcmp(v, "percent") == 0)
            c->rate_scale = RATE_PERCENT;
        else if (strcmp(v, "fraction") == 0)
            c->rate_scale = RATE_FRACTION;
        else
            return fail(p, "rate-scale must be 'percent' or 'fraction', not '%s'", v);
    } else if (c->role == ROLE_RATE) {
        return fail(p, "a rate column needs rate-scale=percent or rate-scale=fraction");
    }
    if (c->role == ROLE_RATE)
        c->base_item = c->item;
    if ((v = get_key(p, 3, "base"))) {
        if (c->role != ROLE_RATE)
            return fail(p, "base= only applies to rate columns");
        if ((c->base_item = schema_find_item(p->s, v)) == SCHEMA_NONE)
            return fail(p, "base=: unknown item '%s'", v);
    }
    if ((v = get_key(p, 3, "design-effect"))) {
        if (c->role != ROLE_RATE)
            return fail(p, "design-effect= only applies to rate columns");
        if (!parse_design_effect(p, v, &c->design_effect))
            return false;
    }
    bool demographic = c->role == ROLE_DEMOGRAPHIC;
    if ((v = get_key(p, 3, "scale"))) {
        if (!demographic)
            return fail(p, "scale= on a column applies to demographics (items name it)");
        if ((c->scale = find_scale(p->s, v)) == SCHEMA_NONE)
            return fail(p, "unknown scale '%s'", v);
    }
    if ((v = get_key(p, 3, "recode"))) {
        if (!demographic)
            return fail(p, "recode= only applies to demographic columns");
        if ((c->recode = find_recode(p->s, v)) == SCHEMA_NONE)
            return fail(p, "unknown recode '%s'", v);
    }
    if ((v = get_key(p, 3, "reference"))) {
        if (!demographic)
            return fail(p, "reference= only applies to demographic columns");
        c->reference = xstrdup(v);
    }
    if ((v = get_key(p, 3, "parent"))) {
        if (c->role != ROLE_UNIT)
            return fail(p, "parent= only applies to unit columns");
        c->parent = xstrdup(v);
    }
    return true;
}

static bool reference_known(struct parser *p, const struct schema_column *c)
{
    if (!c->reference)
        return true;
    if (c->recode != SCHEMA_NONE) {
        const struct recode *r = &p->s->recodes[c->recode];
        for (size_t g = 0; g < r->n_groups; g++)
            if (strcmp(r->groups[g], c->reference) == 0)
                return true;
        return fail(p, "reference '%s' is not a group of recode '%s'", c->reference, r->name);
    }
    if (c->scale != SCHEMA_NONE) {
        const struct scale *sc = &p->s->scales[c->scale];
        for (size_t e = 0; e < sc->n_entries; e++)
            if (strcmp(sc->entries[e].label, c->reference) == 0)
                return true;
        return fail(p, "reference '%s' is not a label of scale '%s'", c->reference, sc->name);
    }
    return true;
}

/* A column whose header holds {period} (`q26a_{period}`): a wide layout,
 * one file column per period, the period read from the column's name
 * (ingest/wide.h).  Only per-period figures can be laid out so: base, rate
 * and design-effect columns, with no periods= (the name says the period). */
static bool period_template(struct parser *p, struct schema_column *c)
{
    const char *mark = strstr(c->header, "{period}");
    if (!mark)
        return true;
    if (strstr(mark + 1, "{period}"))
        return fail(p, "a column header holds {period} at most once");
    if (c->role != ROLE_BASE && c->role != ROLE_RATE && c->role != ROLE_DESIGN_EFFECT)
        return fail(p,
                    "{period} in a column header applies to base, rate and design-effect "
                    "columns, not '%s'",
                    role_names[c->role]);
    if (c->n_periods)
        return fail(p, "periods= does not apply to a column whose header holds {period}");
    if (strcmp(c->header, "{period}") == 0)
        return fail(p, "a column header must hold more than {period}");
    c->period_in_header = true;
    if (!p->s->wide)
        p->wide_line = p->line;
    p->s->wide = true;
    return true;
}

/* A wide layout's rows take their period from the column names: the
 * schema gets the period column those rows are read with (header
 * {period}, see ingest/wide.h), and may not name one of its own. */
static bool add_period_column(struct parser *p)
{
    struct schema *s = p->s;
    if (!s->wide)
        return true;
    for (size_t i = 0; i < s->n_columns; i++) {
        const struct schema_column *c = &s->columns[i];
        if ((c->role == ROLE_BASE || c->role == ROLE_RATE) && !c->period_in_header) {
            p->line = c->line;
            return fail(p,
                        "in a schema whose column headers hold {period} (line %d) every base "
                        "and rate column's header holds {period}",
                        p->wide_line);
        }
    }
    for (size_t i = 0; i < s->n_columns; i++)
        if (s->columns[i].role == ROLE_PERIOD) {
            p->line = s->columns[i].line;
            return fail(p,
                        "a schema whose column headers hold {period} (line %d) takes each "
                        "row's period from them: it has no period column",
                        p->wide_line);
        }
    struct schema_column c = {
        .header = xstrdup("{period}"),
        .header_key = fold_dup(p, "{period}"),
        .role = ROLE_PERIOD,
        .item = SCHEMA_NONE,
        .scale = SCHEMA_NONE,
        .recode = SCHEMA_NONE,
        .design_effect = NAN,
        .base_item = SCHEMA_NONE,
        .line = p->wide_line,
    };
    s->columns = xrealloc(s->columns, (s->n_columns + 1) * sizeof(*s->columns));
    s->columns[s->n_columns++] = c;
    return true;
}

/* `ignore-columns REGEX`: file columns whose name (trimmed) matches the
 * POSIX extended regular expression, ignoring case, are read past as if
 * described with role ignore (`_sig$`: a workbook's change flags). */
static bool do_ignore_columns(struct parser *p)
{
    if (!exact_args(p, 2, "ignore-columns REGEX"))
        return false;
    struct schema *s = p->s;
    if (s->ignore_columns)
        return fail(p, "ignore-columns already given");
    int rc = regcomp(&s->ignore_regex, p->tok[1].text, REG_EXTENDED | REG_ICASE | REG_NOSUB);
    if (rc != 0) {
        char why[128];
        regerror(rc, &s->ignore_regex, why, sizeof(why));
        return fail(p, "ignore-columns: bad regular expression '%s': %s", p->tok[1].text, why);
    }
    s->ignore_columns = xstrdup(p->tok[1].text);
    return true;
}

static bool do_column(struct parser *p)
{
    static const char *const keys[] = {"name",          "optional",  "periods", "scale",
                                       "recode",        "reference", "parent",  "rate-scale",
                                       "design-effect", "base",      NULL};
    if (!need_args(p, 3, "column HEADER ROLE [key=value...]"))
        return false;
    if (!p->seen_kind)
        return fail(p, "'kind' must come before the columns");
    const char *header = p->tok[1].text;
    if (text_is_blank(header, strlen(header)))
        return fail(p, "column header must not be blank");
    size_t role;
    for (role = 0; role < ROLE_COUNT_; role++)
        if (strcmp(p->tok[2].text, role_names[role]) == 0)
            break;
    if (role == ROLE_COUNT_)
        return fail(p, "unknown role '%s'", p->tok[2].text);
    if (!check_keys(p, 3, keys))
        return false;
    struct schema_column c = {
        .header = xstrdup(header),
        .header_key = fold_dup(p, header),
        .role = (enum column_role)role,
        .item = SCHEMA_NONE,
        .scale = SCHEMA_NONE,
        .recode = SCHEMA_NONE,
        .design_effect = NAN,
        .base_item = SCHEMA_NONE,
        .line = p->line,
    };
    struct schema *s = p->s;
    s->columns = xrealloc(s->columns, (s->n_columns + 1) * sizeof(*s->columns));
    s->columns[s->n_columns++] = c;
    struct schema_column *cp = &s->columns[s->n_columns - 1];
    if (!column_options(p, cp) || !reference_known(p, cp) || !period_template(p, cp))
        return false;
    for (size_t i = 0; i + 1 < s->n_columns; i++) {
        struct schema_column *o = &s->columns[i];
        if (strcmp(o->header_key, cp->header_key) == 0 && periods_overlap(o, cp))
            return fail(p, "column '%s' already described at line %d for an overlapping period",
                        header, o->line);
    }
    return true;
}

/* `skip-lines N` (0-1000) and `header-rows N` (1-20): the file's layout above
 * its data. */
static bool do_layout_count(struct parser *p, const char *usage, uint64_t lo, uint64_t hi,
                            unsigned *out)
{
    uint64_t v;
    if (!exact_args(p, 2, usage))
        return false;
    if (!parse_uint64(p->tok[1].text, strlen(p->tok[1].text), &v) || v < lo || v > hi)
        return fail(p, "%s: N must be a whole number from %llu to %llu, not '%s'", usage,
                    (unsigned long long)lo, (unsigned long long)hi, p->tok[1].text);
    *out = (unsigned)v;
    return true;
}

/* `rates weighted|unweighted`: org-results only, checked with the kind. */
static bool do_rates(struct parser *p)
{
    if (!exact_args(p, 2, "rates weighted|unweighted"))
        return false;
    if (strcmp(p->tok[1].text, "weighted") == 0)
        p->s->rate_weighting = RATES_WEIGHTED;
    else if (strcmp(p->tok[1].text, "unweighted") == 0)
        p->s->rate_weighting = RATES_UNWEIGHTED;
    else
        return fail(p, "rates must be 'weighted' or 'unweighted', not '%s'", p->tok[1].text);
    p->rates_line = p->line;
    return true;
}

/* `design-effect D`: every rate of the file (a rate's own design-effect=
 * wins). */
static bool do_design_effect(struct parser *p)
{
    if (!exact_args(p, 2, "design-effect NUMBER"))
        return false;
    p->rates_line = p->line;
    return parse_design_effect(p, p->tok[1].text, &p->s->design_effect);
}

/* `weight-by DEMOGRAPHIC` (respondent): the demographic whose mix
 * candour-stats --weight matches when it computes weights (the NSS
 * occupational groups in the shipped schemas).  Checked against the
 * columns once the whole schema is read (check_weight_by). */
static bool do_weight_by(struct parser *p)
{
    if (!exact_args(p, 2, "weight-by DEMOGRAPHIC"))
        return false;
    if (p->s->weight_by)
        return fail(p, "weight-by already declared at line %d", p->s->weight_by_line);
    if (!is_identifier(p->tok[1].text))
        return fail(p, "demographic name '%s' must be letters, digits, '_', '-' or '.'",
                    p->tok[1].text);
    p->s->weight_by = xstrdup(p->tok[1].text);
    p->s->weight_by_line = p->line;
    return true;
}

static bool do_directive(struct parser *p)
{
    const char *d = p->tok[0].text;
    if (!p->seen_header) {
        if (strcmp(d, "candour-schema") != 0)
            return fail(p, "a schema must start with 'candour-schema 1'");
        if (p->n_tok != 2 || strcmp(p->tok[1].text, "1") != 0)
            return fail(p, "unsupported schema language version (this candour reads version 1)");
        p->seen_header = true;
        return true;
    }
    if (p->block == IN_SCALE || p->block == IN_RECODE) {
        if (strcmp(d, "end") == 0 && p->n_tok == 1) {
            bool empty = p->block == IN_SCALE ? p->s->scales[p->s->n_scales - 1].n_entries == 0
                                              : p->s->recodes[p->s->n_recodes - 1].n_rules == 0;
            p->block = IN_NONE;
            if (empty)
                return fail(p, "empty block");
            return true;
        }
        return p->block == IN_SCALE ? do_scale_entry(p) : do_recode_rule(p);
    }
    if (strcmp(d, "name") == 0) {
        if (!exact_args(p, 2, "name NAME"))
            return false;
        free(p->s->name);
        p->s->name = xstrdup(p->tok[1].text);
        return true;
    }
    if (strcmp(d, "kind") == 0)
        return do_kind(p);
    if (strcmp(d, "period-format") == 0)
        return do_period_format(p);
    if (strcmp(d, "periods") == 0)
        return do_periods(p);
    if (strcmp(d, "org-pattern") == 0)
        return do_org_pattern(p);
    if (strcmp(d, "rates") == 0)
        return do_rates(p);
    if (strcmp(d, "skip-lines") == 0)
        return do_layout_count(p, "skip-lines N", 0, 1000, &p->s->skip_lines);
    if (strcmp(d, "header-rows") == 0)
        return do_layout_count(p, "header-rows N", 1, 20, &p->s->header_rows);
    if (strcmp(d, "design-effect") == 0)
        return do_design_effect(p);
    if (strcmp(d, "weight-by") == 0)
        return do_weight_by(p);
    if (strcmp(d, "ignore-columns") == 0)
        return do_ignore_columns(p);
    if (strcmp(d, "scale") == 0)
        return do_scale_start(p);
    if (strcmp(d, "recode") == 0)
        return do_recode_start(p);
    if (strcmp(d, "item") == 0)
        return do_item(p);
    if (strcmp(d, "theme") == 0)
        return do_theme(p);
    if (strcmp(d, "column") == 0)
        return do_column(p);
    if (strcmp(d, "section") == 0)
        return do_section(p);
    if (strcmp(d, "wres-grouping") == 0)
        return do_wres_grouping(p);
    if (strcmp(d, "wres-indicator") == 0)
        return do_wres_indicator(p);
    if (strcmp(d, "chart") == 0)
        return do_chart(p);
    if (strcmp(d, "end") == 0)
        return fail(p, "'end' outside a scale or recode block");
    return fail(p, "unknown directive '%s'", d);
}

/* ---- whole-schema checks ------------------------------------------------ */

static size_t count_role(const struct schema *s, enum column_role role)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_columns; i++)
        n += s->columns[i].role == role;
    return n;
}

static bool require_role(struct parser *p, enum column_role role, bool exactly_one)
{
    size_t n = count_role(p->s, role);
    if (n == 0)
        return fail(p, "a %s schema needs a column with role '%s'", kind_names[p->s->kind],
                    role_names[role]);
    if (exactly_one && n > 1)
        return fail(p, "a %s schema takes one column with role '%s', found %zu",
                    kind_names[p->s->kind], role_names[role], n);
    return true;
}

static const enum column_role allowed_roles[][12] = {
    [KIND_RESPONDENT] = {ROLE_PERIOD, ROLE_ORG, ROLE_ORG_NAME, ROLE_BGROUP, ROLE_UNIT,
                         ROLE_DEMOGRAPHIC, ROLE_ITEM, ROLE_WEIGHT, ROLE_IDENTIFIER, ROLE_FREE_TEXT,
                         ROLE_IGNORE, ROLE_COUNT_},
    [KIND_ORG_RESULTS] = {ROLE_PERIOD, ROLE_ORG, ROLE_ORG_NAME, ROLE_BGROUP, ROLE_BASE, ROLE_RATE,
                          ROLE_DESIGN_EFFECT, ROLE_IDENTIFIER, ROLE_FREE_TEXT, ROLE_IGNORE,
                          ROLE_COUNT_},
    [KIND_COUNTS] = {ROLE_PERIOD, ROLE_ORG, ROLE_ORG_NAME, ROLE_BGROUP, ROLE_ITEM_ID,
                     ROLE_GROUP_DIM, ROLE_GROUP, ROLE_N, ROLE_POSITIVE, ROLE_IGNORE, ROLE_COUNT_},
    [KIND_WRES_HR] = {ROLE_PERIOD, ROLE_ORG, ROLE_ORG_NAME, ROLE_BGROUP, ROLE_DEMOGRAPHIC,
                      ROLE_HEADCOUNT, ROLE_EVENTS, ROLE_IGNORE, ROLE_COUNT_},
};

static bool role_allowed(enum schema_kind kind, enum column_role role)
{
    for (size_t i = 0; allowed_roles[kind][i] != ROLE_COUNT_; i++)
        if (allowed_roles[kind][i] == role)
            return true;
    return false;
}

/* Each rate column has one base column: its own item's, or that of the
 * item its base= names; each base column serves at least one rate; one
 * base and one rate column per item. */
static bool check_measure_pairs(struct parser *p)
{
    const struct schema *s = p->s;
    for (size_t i = 0; i < s->n_columns; i++) {
        const struct schema_column *c = &s->columns[i];
        if (c->role != ROLE_BASE && c->role != ROLE_RATE)
            continue;
        size_t same = 0, partner = 0;
        for (size_t j = 0; j < s->n_columns; j++) {
            const struct schema_column *o = &s->columns[j];
            if (!periods_overlap(o, c))
                continue;
            same += o->role == c->role && o->item == c->item;
            if (c->role == ROLE_RATE)
                partner += o->role == ROLE_BASE && o->item == c->base_item;
            else
                partner += o->role == ROLE_RATE && o->base_item == c->item;
        }
        p->line = c->line;
        if (same > 1)
            return fail(p, "item '%s' has more than one %s column", c->name, role_names[c->role]);
        if (c->role == ROLE_RATE && partner != 1)
            return fail(p, "rate column '%s' has no matching base column for item '%s'", c->header,
                        s->items[c->base_item].id);
        if (c->role == ROLE_BASE && partner == 0)
            return fail(p, "base column '%s' has no matching rate column for item '%s'", c->header,
                        c->name);
    }
    return true;
}

/* The unit column named name, or NULL. */
static const struct schema_column *unit_named(const struct schema *s, const char *name)
{
    for (size_t j = 0; j < s->n_columns; j++)
        if (s->columns[j].role == ROLE_UNIT && s->columns[j].name &&
            strcmp(s->columns[j].name, name) == 0)
            return &s->columns[j];
    return NULL;
}

/* Whether following parent= from c comes back to c's level: each unit is
 * counted under its parent's cell, so a cycle has no first level. */
static bool unit_in_cycle(const struct schema *s, const struct schema_column *c)
{
    const struct schema_column *at = c;
    for (size_t steps = 0; steps <= s->n_columns && at && at->parent; steps++) {
        at = unit_named(s, at->parent);
        if (at && strcmp(at->name, c->name) == 0)
            return true;
    }
    return false;
}

static bool check_units(struct parser *p)
{
    const struct schema *s = p->s;
    for (size_t i = 0; i < s->n_columns; i++) {
        const struct schema_column *c = &s->columns[i];
        if (c->role != ROLE_UNIT && c->role != ROLE_DEMOGRAPHIC)
            continue;
        p->line = c->line;
        if (c->role == ROLE_UNIT && c->parent) {
            bool found = false;
            for (size_t j = 0; j < s->n_columns; j++)
                if (s->columns[j].role == ROLE_UNIT && strcmp(s->columns[j].name, c->parent) == 0)
                    found = true;
            if (!found || strcmp(c->parent, c->name) == 0)
                return fail(p, "parent '%s' is not another unit level", c->parent);
            if (unit_in_cycle(s, c))
                return fail(p, "unit levels form a cycle: '%s' is among its own parents", c->name);
        }
        for (size_t j = 0; j < i; j++) {
            const struct schema_column *o = &s->columns[j];
            if ((o->role == ROLE_UNIT || o->role == ROLE_DEMOGRAPHIC) && o->role != c->role &&
                strcmp(o->name, c->name) == 0)
                return fail(p, "'%s' is both a unit level and a demographic", c->name);
        }
    }
    /* one source column per stable name and period */
    for (size_t i = 0; i < s->n_columns; i++) {
        const struct schema_column *c = &s->columns[i];
        for (size_t j = 0; j < i && c->name; j++) {
            const struct schema_column *o = &s->columns[j];
            if (o->role == c->role && o->name && strcmp(o->name, c->name) == 0 &&
                periods_overlap(o, c)) {
                p->line = c->line;
                return fail(p,
                            "%s '%s' already comes from column '%s' (line %d) for an "
                            "overlapping period",
                            role_names[c->role], c->name, o->header, o->line);
            }
        }
    }
    return true;
}

static bool check_kind(struct parser *p)
{
    struct schema *s = p->s;
    int last_line = p->line;
    if (!p->seen_kind)
        return fail(p, "the schema has no 'kind'");
    for (size_t i = 0; i < s->n_columns; i++) {
        p->line = s->columns[i].line;
        if (!role_allowed(s->kind, s->columns[i].role))
            return fail(p, "role '%s' is not used in a %s schema", role_names[s->columns[i].role],
                        kind_names[s->kind]);
    }
    p->line = last_line;
    /* no period column: the period comes from candour-ingest --period */
    if (count_role(s, ROLE_PERIOD) > 0 && !require_role(p, ROLE_PERIOD, true))
        return false;
    if (!require_role(p, ROLE_ORG, true))
        return false;
    if (count_role(s, ROLE_ORG_NAME) > 1 || count_role(s, ROLE_BGROUP) > 1 ||
        count_role(s, ROLE_WEIGHT) > 1)
        return fail(p, "at most one org-name, bgroup and weight column");
    if (s->kind != KIND_ORG_RESULTS && p->rates_line) {
        p->line = p->rates_line;
        return fail(p, "'rates' and 'design-effect' apply to org-results schemas only");
    }
    for (size_t i = 0; i < s->n_columns; i++)
        for (size_t j = 0; j < i; j++) {
            const struct schema_column *a = &s->columns[j], *b = &s->columns[i];
            if (a->role != ROLE_DESIGN_EFFECT || b->role != ROLE_DESIGN_EFFECT ||
                !periods_overlap(a, b) || (a->name == NULL) != (b->name == NULL) ||
                (a->name && strcmp(a->name, b->name) != 0))
                continue;
            p->line = b->line;
            return fail(p, "a second design-effect column for %s%s (line %d)",
                        b->name ? "item " : "every rate", b->name ? b->name : "", a->line);
        }
    switch (s->kind) {
    case KIND_RESPONDENT:
        if (!require_role(p, ROLE_ITEM, false))
            return false;
        break;
    case KIND_ORG_RESULTS:
        if (!require_role(p, ROLE_BASE, false) || !check_measure_pairs(p))
            return false;
        break;
    case KIND_COUNTS:
        if (!require_role(p, ROLE_ITEM_ID, true) || !require_role(p, ROLE_GROUP_DIM, true) ||
            !require_role(p, ROLE_GROUP, true) || !require_role(p, ROLE_N, true) ||
            !require_role(p, ROLE_POSITIVE, true))
            return false;
        if (s->n_items == 0)
            return fail(p, "a counts schema must declare the items its rows may name");
        break;
    case KIND_WRES_HR:
        if (!require_role(p, ROLE_DEMOGRAPHIC, true) || !require_role(p, ROLE_HEADCOUNT, true) ||
            !require_role(p, ROLE_EVENTS, true))
            return false;
        for (size_t i = 0; i < s->n_columns; i++) {
            const struct schema_column *c = &s->columns[i];
            if (c->role == ROLE_DEMOGRAPHIC && c->recode == SCHEMA_NONE) {
                p->line = c->line;
                return fail(p, "the ethnicity column of a wres-hr schema needs a recode= to "
                               "its groups (wres-grouping names the two that WRES compares)");
            }
        }
        break;
    }
    return check_units(p);
}

/* ---- meaning: labels, report sections, WRES roles, charts ------------------
 * What the report does with the items is declared here, not wired into the
 * programs: schemas/README.md documents each directive. */

size_t schema_find_theme(const struct schema *s, const char *id)
{
    for (size_t i = 0; i < s->n_themes; i++)
        if (strcmp(s->themes[i].id, id) == 0)
            return i;
    return SCHEMA_NONE;
}

size_t schema_item_section(const struct schema *s, size_t item)
{
    for (size_t i = 0; i < s->n_sections; i++)
        for (size_t k = 0; k < s->sections[i].n_items; k++)
            if (s->sections[i].items[k] == item)
                return i;
    return SCHEMA_NONE;
}

size_t schema_theme_section(const struct schema *s, size_t theme)
{
    for (size_t i = 0; i < s->n_sections; i++)
        for (size_t k = 0; k < s->sections[i].n_themes; k++)
            if (s->sections[i].themes[k] == theme)
                return i;
    return SCHEMA_NONE;
}

int schema_item_wres_indicator(const struct schema *s, size_t item)
{
    for (int k = 0; k < WRES_SURVEY_INDICATORS; k++)
        if (s->wres.indicator_item[k] == item)
            return WRES_FIRST_SURVEY_INDICATOR + k;
    return 0;
}

/* Characters (UTF-8 code points) in s: the schema text is checked UTF-8. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* label= of an item or theme: at most LABEL_MAX_CHARS characters so that
 * the report's tables fit 80 columns; without label= the id is the label,
 * which then must be that short.  *out is set (caller frees) even on error. */
static bool parse_label(struct parser *p, const char *what, const char *id, const char *value,
                        char **out, bool *declared)
{
    *out = xstrdup(value ? value : id);
    *declared = value != NULL;
    if (value && text_is_blank(value, strlen(value)))
        return fail(p, "%s '%s': label must not be blank", what, id);
    if (utf8_chars(*out) > LABEL_MAX_CHARS) {
        if (value)
            return fail(p, "%s '%s': label '%s' is longer than %d characters", what, id, value,
                        LABEL_MAX_CHARS);
        return fail(p,
                    "%s '%s' needs label= (a name of at most %d characters for the report's "
                    "tables: the id is longer)",
                    what, id, LABEL_MAX_CHARS);
    }
    return true;
}

/* Add the index of each name of a comma-separated list, looked up by find;
 * what names the kind of thing in messages. */
static bool parse_id_list(struct parser *p, const char *key, const char *list,
                          size_t (*find)(const struct schema *, const char *), const char *what,
                          size_t **out, size_t *n)
{
    char *copy = xstrdup(list), *save = NULL;
    bool ok = true;
    for (char *t = strtok_r(copy, ",", &save); t && ok; t = strtok_r(NULL, ",", &save)) {
        size_t k = find(p->s, t);
        if (k == SCHEMA_NONE) {
            ok = fail(p, "%s: unknown %s '%s' (define it first)", key, what, t);
            break;
        }
        for (size_t j = 0; j < *n; j++)
            if ((*out)[j] == k)
                ok = fail(p, "%s: %s '%s' listed twice", key, what, t);
        *out = xrealloc(*out, (*n + 1) * sizeof(**out));
        (*out)[(*n)++] = k;
    }
    free(copy);
    return ok;
}

/* section ID title="..." [items=A,B] [themes=T]: one section of the board
 * report, in the order of the section lines.  An item or theme belongs to at
 * most one section. */
static bool do_section(struct parser *p)
{
    static const char *const keys[] = {"title", "items", "themes", NULL};
    if (!need_args(p, 2, "section ID title=\"...\" [items=A,B,...] [themes=T,...]"))
        return false;
    const char *id = p->tok[1].text;
    if (!is_identifier(id))
        return fail(p, "section id '%s' must be letters, digits, '_', '-' or '.'", id);
    for (size_t i = 0; i < p->s->n_sections; i++)
        if (strcmp(p->s->sections[i].id, id) == 0)
            return fail(p, "section '%s' defined twice", id);
    if (!check_keys(p, 2, keys))
        return false;
    const char *title = get_key(p, 2, "title"), *items = get_key(p, 2, "items"),
               *themes = get_key(p, 2, "themes");
    if (!title || text_is_blank(title, strlen(title)))
        return fail(p, "section '%s' needs title= (its heading in the report)", id);
    if (!items && !themes)
        return fail(p, "section '%s' needs items= or themes=", id);
    struct schema *s = p->s;
    s->sections = xrealloc(s->sections, (s->n_sections + 1) * sizeof(*s->sections));
    struct section *sec = &s->sections[s->n_sections++];
    *sec = (struct section){.id = xstrdup(id), .title = xstrdup(title), .line = p->line};
    if (items &&
        !parse_id_list(p, "items", items, schema_find_item, "item", &sec->items, &sec->n_items))
        return false;
    if (themes && !parse_id_list(p, "themes", themes, schema_find_theme, "theme", &sec->themes,
                                 &sec->n_themes))
        return false;
    for (size_t i = 0; i + 1 < s->n_sections; i++) {
        for (size_t k = 0; k < sec->n_items; k++)
            if (schema_item_section(s, sec->items[k]) == i)
                return fail(p, "item '%s' is already in section '%s'", s->items[sec->items[k]].id,
                            s->sections[i].id);
        for (size_t k = 0; k < sec->n_themes; k++)
            if (schema_theme_section(s, sec->themes[k]) == i)
                return fail(p, "theme '%s' is already in section '%s'",
                            s->themes[sec->themes[k]].id, s->sections[i].id);
    }
    return true;
}

/* wres-grouping DEMOGRAPHIC reference=GROUP comparison=GROUP: the WRES
 * ethnicity grouping and its two sides, under the data's own names.  Checked
 * against the columns once the whole schema is read (check_wres_grouping). */
static bool do_wres_grouping(struct parser *p)
{
    static const char *const keys[] = {"reference", "comparison", NULL};
    const char *usage = "wres-grouping DEMOGRAPHIC reference=GROUP comparison=GROUP";
    if (!need_args(p, 2, usage) || !check_keys(p, 2, keys))
        return false;
    struct wres_roles *w = &p->s->wres;
    if (w->grouping)
        return fail(p, "wres-grouping already declared at line %d", w->line);
    const char *ref = get_key(p, 2, "reference"), *cmp = get_key(p, 2, "comparison");
    if (!ref || !cmp || text_is_blank(ref, strlen(ref)) || text_is_blank(cmp, strlen(cmp)))
        return fail(p, "usage: %s", usage);
    if (strcmp(ref, cmp) == 0)
        return fail(p, "wres-grouping: the reference and comparison groups are both '%s'", ref);
    if (!is_identifier(p->tok[1].text))
        return fail(p, "demographic name '%s' must be letters, digits, '_', '-' or '.'",
                    p->tok[1].text);
    w->grouping = xstrdup(p->tok[1].text);
    w->reference = xstrdup(ref);
    w->comparison = xstrdup(cmp);
    w->line = p->line;
    return true;
}

/* wres-indicator N ITEM: ITEM (an item, or a derived any-of item) is WRES
 * indicator N, one of 5-8, compared across the wres-grouping. */
static bool do_wres_indicator(struct parser *p)
{
    if (!exact_args(p, 3, "wres-indicator 5|6|7|8 ITEM"))
        return false;
    uint64_t n;
    const char *num = p->tok[1].text;
    if (!parse_uint64(num, strlen(num), &n) || n < WRES_FIRST_SURVEY_INDICATOR ||
        n >= WRES_FIRST_SURVEY_INDICATOR + WRES_SURVEY_INDICATORS)
        return fail(p, "wres-indicator: '%s' is not a survey indicator (5, 6, 7 or 8)", num);
    size_t item = schema_find_item(p->s, p->tok[2].text);
    if (item == SCHEMA_NONE)
        return fail(p, "wres-indicator: unknown item '%s' (define it first)", p->tok[2].text);
    size_t *slot = &p->s->wres.indicator_item[n - WRES_FIRST_SURVEY_INDICATOR];
    if (*slot != SCHEMA_NONE)
        return fail(p, "wres-indicator %s already declared (item '%s')", num,
                    p->s->items[*slot].id);
    int other = schema_item_wres_indicator(p->s, item);
    if (other)
        return fail(p, "item '%s' is already WRES indicator %d", p->tok[2].text, other);
    *slot = item;
    return true;
}

/* chart heatmap|funnel items=A,B: the items a chart covers instead of the
 * sections' items. */
static bool do_chart(struct parser *p)
{
    static const char *const keys[] = {"items", NULL};
    const char *usage = "chart heatmap|funnel items=A,B,...";
    if (!need_args(p, 2, usage) || !check_keys(p, 2, keys))
        return false;
    struct chart_items *c = strcmp(p->tok[1].text, "heatmap") == 0  ? &p->s->heatmap
                            : strcmp(p->tok[1].text, "funnel") == 0 ? &p->s->funnel
                                                                    : NULL;
    if (!c)
        return fail(p, "unknown chart '%s' (expected heatmap or funnel)", p->tok[1].text);
    if (c->declared)
        return fail(p, "chart %s declared twice", p->tok[1].text);
    const char *items = get_key(p, 2, "items");
    if (!items)
        return fail(p, "usage: %s", usage);
    c->declared = true;
    return parse_id_list(p, "items", items, schema_find_item, "item", &c->items, &c->n_items);
}

/* Append the groups a demographic column can yield, quoted, to out: its
 * recode's groups, else its scale's labels.  False when the column leaves
 * the groups open (the trimmed text is the group). */
static bool column_groups(const struct schema *s, const struct schema_column *c, struct buf *out)
{
    if (c->recode != SCHEMA_NONE) {
        const struct recode *r = &s->recodes[c->recode];
        for (size_t g = 0; g < r->n_groups; g++)
            buf_printf(out, "%s'%s'", g ? ", " : "", r->groups[g]);
        return true;
    }
    if (c->scale != SCHEMA_NONE) {
        const struct scale *sc = &s->scales[c->scale];
        for (size_t e = 0; e < sc->n_entries; e++)
            buf_printf(out, "%s'%s'", e ? ", " : "", sc->entries[e].label);
        return true;
    }
    return false;
}

static bool column_yields(const struct schema *s, const struct schema_column *c, const char *group)
{
    if (c->recode != SCHEMA_NONE) {
        const struct recode *r = &s->recodes[c->recode];
        for (size_t g = 0; g < r->n_groups; g++)
            if (strcmp(r->groups[g], group) == 0)
                return true;
        return false;
    }
    if (c->scale != SCHEMA_NONE) {
        const struct scale *sc = &s->scales[c->scale];
        for (size_t e = 0; e < sc->n_entries; e++)
            if (strcmp(sc->entries[e].label, group) == 0)
                return true;
        return false;
    }
    return true;
}

/* The wres-grouping names a demographic of the schema, and every column
 * that feeds it yields both declared groups: a recode that yields other
 * names is an error naming what it yields and what is needed.  A wres-hr
 * schema must declare the grouping (WRES indicator 3 compares its groups);
 * counts name their groups in the rows, so only the name is kept. */
static bool check_wres_grouping(struct parser *p)
{
    struct schema *s = p->s;
    struct wres_roles *w = &s->wres;
    if (!w->grouping) {
        for (size_t i = 0; i < s->n_columns; i++)
            if (s->columns[i].role == ROLE_DEMOGRAPHIC)
                p->line = s->columns[i].line; /* at the ethnicity column */
        if (s->kind == KIND_WRES_HR)
            return fail(p, "a wres-hr schema needs 'wres-grouping DEMOGRAPHIC reference=GROUP "
                           "comparison=GROUP' (which groups WRES indicator 3 compares)");
        return true;
    }
    p->line = w->line;
    if (s->kind == KIND_ORG_RESULTS)
        return fail(p, "wres-grouping: an org-results schema has no demographic groups");
    if (s->kind == KIND_COUNTS)
        return true;
    bool found = false;
    for (size_t i = 0; i < s->n_columns; i++) {
        const struct schema_column *c = &s->columns[i];
        if (c->role != ROLE_DEMOGRAPHIC || strcmp(c->name, w->grouping) != 0)
            continue;
        found = true;
        if (column_yields(s, c, w->reference) && column_yields(s, c, w->comparison))
            continue;
        struct buf groups;
        buf_init(&groups);
        column_groups(s, c, &groups);
        bool ok = fail(p,
                       "wres-grouping needs groups '%s' and '%s', but column '%s' (line %d) "
                       "yields %s",
                       w->reference, w->comparison, c->header, c->line, groups.data);
        buf_release(&groups);
        return ok;
    }
    if (!found)
        return fail(p, "wres-grouping: no demographic column has name=%s", w->grouping);
    return true;
}

/* weight-by names a demographic column of a respondent schema. */
static bool check_weight_by(struct parser *p)
{
    const struct schema *s = p->s;
    if (!s->weight_by)
        return true;
    p->line = s->weight_by_line;
    if (s->kind != KIND_RESPONDENT)
        return fail(p, "weight-by applies to respondent schemas only");
    for (size_t i = 0; i < s->n_columns; i++)
        if (s->columns[i].role == ROLE_DEMOGRAPHIC && strcmp(s->columns[i].name, s->weight_by) == 0)
            return true;
    return fail(p, "weight-by: no demographic column has name=%s", s->weight_by);
}

/* Whole-schema checks of the meaning declarations. */
static bool check_meaning(struct parser *p)
{
    const struct schema *s = p->s;
    if (!check_weight_by(p))
        return false;
    if (s->kind == KIND_WRES_HR && (s->n_sections || s->heatmap.declared || s->funnel.declared)) {
        p->line = s->n_sections ? s->sections[0].line : p->line;
        return fail(p, "a wres-hr schema has no items for sections or charts");
    }
    return check_wres_grouping(p);
}

/* ---- entry points ---------------------------------------------------------- */

struct schema *schema_parse(const char *path, const char *text, size_t len, struct buf *err)
{
    struct schema *s = xcalloc(1, sizeof(*s));
    s->path = xstrdup(path);
    s->text = xstrndup(text, len);
    s->text_len = len;
    s->checksum = libdeflate_crc32(0, text, len);
    s->period_kind = PERIOD_YEAR;
    s->period_lo = s->period_hi = -1; /* set by `periods` or by default below */
    s->org_pattern = xstrdup("^[A-Z0-9]{3,5}$");
    regcomp(&s->org_regex, s->org_pattern, REG_EXTENDED | REG_NOSUB);
    s->name = xstrdup("unnamed");
    s->rate_weighting = RATES_WEIGHTED;
    s->header_rows = 1;
    s->design_effect = NAN;
    for (size_t k = 0; k < WRES_SURVEY_INDICATORS; k++)
        s->wres.indicator_item[k] = SCHEMA_NONE;

    struct parser p = {.s = s, .err = err};
    buf_init(&p.key);
    buf_clear(err);
    bool ok = true;
    struct buf logical;
    buf_init(&logical);
    size_t pos = 0;
    int line_no = 0;
    size_t bad = utf8_invalid_at(text, len);
    const char *nul = memchr(text, '\0', len);
    if (nul && (size_t)(nul - text) < bad)
        bad = (size_t)(nul - text);
    if (bad != len) {
        p.line = 1; /* the line of the first bad byte */
        for (size_t i = 0; i < bad; i++)
            p.line += text[i] == '\n';
        ok = fail(&p, "the schema is not UTF-8 text");
    }
    while (ok && pos < len) {
        /* gather one logical line: physical lines joined at a trailing backslash */
        buf_clear(&logical);
        int start = line_no + 1;
        for (;;) {
            const char *nl = memchr(text + pos, '\n', len - pos);
            size_t end = nl ? (size_t)(nl - text) : len;
            line_no++;
            size_t l = end - pos;
            while (l && (text[pos + l - 1] == '\r' || text[pos + l - 1] == ' '))
                l--;
            bool cont = l && text[pos + l - 1] == '\\';
            buf_append(&logical, text + pos, cont ? l - 1 : l);
            buf_putc(&logical, ' ');
            pos = nl ? end + 1 : len;
            if (!cont || pos >= len)
                break;
        }
        p.line = start;
        ok = tokenize(&p, logical.data, logical.len);
        if (ok && p.n_tok)
            ok = do_directive(&p);
    }
    p.line = line_no ? line_no : 1;
    if (ok && !p.seen_header)
        ok = fail(&p, "empty schema: a schema must start with 'candour-schema 1'");
    if (ok && p.block != IN_NONE) {
        p.line = p.block_line;
        ok = fail(&p, "block is not closed with 'end'");
    }
    if (ok)
        ok = add_period_column(&p);
    if (ok)
        ok = check_kind(&p);
    if (ok)
        ok = check_meaning(&p);
    if (ok && s->period_lo < 0) {
        struct period first = {s->period_kind, 1990, s->period_kind == PERIOD_YEAR ? 0 : 1};
        struct period last = {s->period_kind, 2100,
                              s->period_kind == PERIOD_YEAR      ? 0
                              : s->period_kind == PERIOD_QUARTER ? 4
                                                                 : 12};
        s->period_lo = period_ordinal(&first);
        s->period_hi = period_ordinal(&last);
    }
    clear_tokens(&p);
    free(p.tok);
    buf_release(&p.key);
    buf_release(&logical);
    if (!ok) {
        schema_free(s);
        return NULL;
    }
    return s;
}

struct schema *schema_load(const char *path, struct buf *err)
{
    buf_clear(err);
    FILE *f = fopen(path, "rb");
    if (!f) {
        buf_printf(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct buf text;
    buf_init(&text);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (text.len + n > SCHEMA_MAX_BYTES) {
            buf_printf(err, "%s: schema larger than %u bytes", path, SCHEMA_MAX_BYTES);
            break;
        }
        buf_append(&text, chunk, n);
    }
    if (!err->len && ferror(f))
        buf_printf(err, "%s: %s", path, strerror(errno));
    fclose(f);
    struct schema *s = NULL;
    if (!err->len)
        s = schema_parse(path, text.data ? text.data : "", text.len, err);
    buf_release(&text);
    return s;
}

void schema_free(struct schema *s)
{
    if (!s)
        return;
    free(s->weight_by);
    if (s->ignore_columns)
        regfree(&s->ignore_regex);
    free(s->ignore_columns);
    for (size_t i = 0; i < s->n_scales; i++) {
        for (size_t e = 0; e < s->scales[i].n_entries; e++) {
            struct scale_entry *en = &s->scales[i].entries[e];
            free(en->code);
            free(en->label);
            free(en->code_key);
            free(en->label_key);
        }
        free(s->scales[i].entries);
        free(s->scales[i].name);
    }
    free(s->scales);
    for (size_t i = 0; i < s->n_recodes; i++) {
        struct recode *r = &s->recodes[i];
        for (size_t g = 0; g < r->n_groups; g++)
            free(r->groups[g]);
        for (size_t k = 0; k < r->n_rules; k++)
            free(r->rules[k].key);
        free(r->groups);
        free(r->rules);
        free(r->name);
    }
    free(s->recodes);
    for (size_t i = 0; i < s->n_items; i++) {
        struct item *it = &s->items[i];
        free(it->id);
        free(it->text);
        free(it->label);
        free(it->measure);
        free(it->positive);
        free(it->missing);
        free(it->any_of);
    }
    free(s->items);
    for (size_t i = 0; i < s->n_themes; i++) {
        free(s->themes[i].id);
        free(s->themes[i].text);
        free(s->themes[i].label);
        free(s->themes[i].items);
    }
    free(s->themes);
    for (size_t i = 0; i < s->n_sections; i++) {
        free(s->sections[i].id);
        free(s->sections[i].title);
        free(s->sections[i].items);
        free(s->sections[i].themes);
    }
    free(s->sections);
    free(s->wres.grouping);
    free(s->wres.reference);
    free(s->wres.comparison);
    free(s->heatmap.items);
    free(s->funnel.items);
    for (size_t i = 0; i < s->n_columns; i++) {
        struct schema_column *c = &s->columns[i];
        free(c->header);
        free(c->header_key);
        free(c->name);
        free(c->reference);
        free(c->parent);
        free(c->periods);
    }
    free(s->columns);
    regfree(&s->org_regex);
    free(s->org_pattern);
    free(s->name);
    free(s->text);
    free(s->path);
    free(s);
}

bool schema_column_in_period(const struct schema_column *c, const struct period *p)
{
    if (!c->n_periods)
        return true;
    long o = period_ordinal(p);
    for (size_t i = 0; i < c->n_periods; i++)
        if (o >= c->periods[i].lo && o <= c->periods[i].hi)
            return true;
    return false;
}

bool schema_period_valid(const struct schema *s, const struct period *p)
{
    long o = period_ordinal(p);
    return p->kind == s->period_kind && o >= s->period_lo && o <= s->period_hi;
}

bool schema_org_valid(const struct schema *s, const char *org)
{
    return regexec(&s->org_regex, org, 0, NULL, 0) == 0;
}

double schema_design_effect(const struct schema *s, const struct schema_column *c)
{
    return !isnan(c->design_effect) ? c->design_effect : s->design_effect;
}
