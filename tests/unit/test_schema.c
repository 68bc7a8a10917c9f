/* Unit tests for lib/schema: the shipped schemas parse, broken schemas are
 * reported at the right line, and answers match scales and recodes. */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "schema.h"
#include "text.h"

static struct schema *parse_text(const char *text, struct buf *err)
{
    return schema_parse("t.schema", text, strlen(text), err);
}

/* ---- shipped schemas ------------------------------------------------------ */

static void test_shipped_schemas_parse(void **state)
{
    (void)state;
    glob_t g;
    int rc = glob("schemas/*.schema", 0, NULL, &g);
    if (rc != 0)
        fail_msg("no schemas/*.schema found (tests run from the repository root)");
    assert_true(g.gl_pathc >= 1);
    struct buf err;
    buf_init(&err);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        struct schema *s = schema_load(g.gl_pathv[i], &err);
        if (!s)
            fail_msg("%s does not parse: %s", g.gl_pathv[i], err.data);
        assert_int_equal(err.len, 0);
        assert_true(s->n_columns > 0);
        assert_string_equal(s->path, g.gl_pathv[i]);
        assert_int_equal(s->checksum,
                         (uint32_t)crc32(0L, (const Bytef *)s->text, (uInt)s->text_len));
        schema_free(s);
    }
    globfree(&g);
    buf_release(&err);
}

static void test_load_missing_file(void **state)
{
    (void)state;
    struct buf err;
    buf_init(&err);
    assert_null(schema_load("tests/unit/data/no-such.schema", &err));
    assert_string_equal(err.data, "tests/unit/data/no-such.schema: No such file or directory");
    buf_release(&err);
}

/* ---- broken schemas: "path:line: message" ----------------------------------- */

/* A valid respondent schema to splice broken lines into: 10 lines. */
#define HEAD                                                                                       \
    "candour-schema 1\n"           /* 1 */                                                         \
    "kind respondent\n"            /* 2 */                                                         \
    "scale yn\n"                   /* 3 */                                                         \
    "  1 \"No\"\n"                 /* 4 */                                                         \
    "  2 \"Yes\"\n"                /* 5 */                                                         \
    "end\n"                        /* 6 */                                                         \
    "item q scale=yn positive=2\n" /* 7 */
#define COLUMNS                                                                                    \
    "column year period\n"                                                                         \
    "column org org\n"                                                                             \
    "column q1 item name=q\n"

struct broken_case {
    const char *what;
    const char *text;
    const char *error;
};

static const struct broken_case broken_cases[] = {
    {"empty text", "", "t.schema:1: empty schema: a schema must start with 'candour-schema 1'"},
    {"only comments", "# nothing\n\n# here\n",
     "t.schema:3: empty schema: a schema must start with 'candour-schema 1'"},
    {"no header", "kind respondent\n", "t.schema:1: a schema must start with 'candour-schema 1'"},
    {"header after comments", "# a\n\nkind respondent\n",
     "t.schema:3: a schema must start with 'candour-schema 1'"},
    {"version 2", "candour-schema 2\n",
     "t.schema:1: unsupported schema language version (this candour reads version 1)"},
    {"not UTF-8", "candour-schema 1\nname caf\xE9\n", "t.schema:2: the schema is not UTF-8 text"},
    {"overlong UTF-8", "candour-schema 1\nkind respondent\n\nname \xC0\xAF\n",
     "t.schema:4: the schema is not UTF-8 text"},
    {"not UTF-8 on line 1", "\xFF\xFEz\0a\0", "t.schema:1: the schema is not UTF-8 text"},
    {"unknown kind", "candour-schema 1\n# c\nkind nope\n",
     "t.schema:3: unknown kind 'nope' (expected respondent, org-results, counts or wres-hr)"},
    {"unknown kind, CRLF", "candour-schema 1\r\n\r\nkind nope\r\n",
     "t.schema:3: unknown kind 'nope' (expected respondent, org-results, counts or wres-hr)"},
    {"unknown directive", HEAD "frobnicate x\n" COLUMNS,
     "t.schema:8: unknown directive 'frobnicate'"},
    {"unterminated quote", "candour-schema 1\nname \"abc\n",
     "t.schema:2: unterminated quoted string"},
    {"kind with extra word", "candour-schema 1\nkind respondent extra\n",
     "t.schema:2: usage: kind respondent|org-results|counts|wres-hr"},
    /* continuation lines: errors cite the line where the directive starts ... */
    {"error on a continued directive",
     HEAD "item r scale=yn \\\n"
          "       positive=3 \\\n"
          "       text=\"x\"\n" COLUMNS,
     "t.schema:8: positive: '3' is not an answer of scale 'yn'"},
    /* ... and lines after a continued directive keep their own numbers */
    {"error after a continued directive",
     HEAD "item r scale=yn \\\n"
          "       positive=2 \\\n"
          "       text=\"x\"\n"
          "frobnicate\n" COLUMNS,
     "t.schema:11: unknown directive 'frobnicate'"},
    {"continuation with CRLF",
     HEAD "item r scale=yn \\\r\n"
          "       positive=2\r\n"
          "bogus\r\n" COLUMNS,
     "t.schema:10: unknown directive 'bogus'"},
    {"continuation followed by blank and comment lines",
     HEAD "item r scale=yn \\\n"
          "  positive=2\n"
          "\n"
          "# comment \n"
          "item r scale=yn positive=2\n" COLUMNS,
     "t.schema:12: item 'r' defined twice"},
    /* inside blocks */
    {"scale entries clash",
     "candour-schema 1\nkind respondent\nscale s\n  1 \"No\"\n  2 \"Yes\"\n  01 \"Again\"\nend\n",
     "t.schema:6: scale 's': answer '01' clashes with '1' 'No'"},
    {"scale label clashes with a code",
     "candour-schema 1\nkind respondent\nscale s\n  1 \"No\"\n  2 \" no \"\nend\n",
     "t.schema:5: scale 's': answer '2' clashes with '1' 'No'"},
    {"scale entry after a continued entry",
     "candour-schema 1\nkind respondent\nscale s\n  1 \\\n    \"No\"\n  2 \"Yes\" score=11\nend\n",
     "t.schema:6: scale entry: expected score=X with X from 0 to 10, found 'score=11'"},
    {"scale entry with one word", "candour-schema 1\nkind respondent\nscale s\n  1\nend\n",
     "t.schema:4: scale entry: usage: CODE LABEL [score=X] (or 'end')"},
    {"empty scale", "candour-schema 1\nkind respondent\nscale s\n\nend\n",
     "t.schema:5: empty block"},
    {"scale not closed", "candour-schema 1\nkind respondent\n\nscale s\n  1 No\n  2 Yes\n",
     "t.schema:4: block is not closed with 'end'"},
    {"scale defined twice", HEAD "scale yn\n  1 a\nend\n" COLUMNS,
     "t.schema:8: scale 'yn' defined twice"},
    {"recode value mapped twice",
     "candour-schema 1\nkind respondent\nrecode r\n  A 1 2\n  B 3 \\\n    02\nend\n",
     "t.schema:5: recode 'r': value '02' mapped twice"},
    {"recode blank mapped twice",
     "candour-schema 1\nkind respondent\nrecode r\n  A blank\n  B x\n  C blank\nend\n",
     "t.schema:6: recode 'r': value 'blank' mapped twice"},
    {"recode not closed", "candour-schema 1\nkind respondent\nrecode r\n  A 1\n",
     "t.schema:3: block is not closed with 'end'"},
    {"end outside a block", "candour-schema 1\nkind respondent\nend\n",
     "t.schema:3: 'end' outside a scale or recode block"},
    /* periods and org-pattern */
    {"period-format after periods",
     "candour-schema 1\nkind respondent\nperiods 2023 2025\nperiod-format month\n",
     "t.schema:4: period-format must come before periods"},
    {"org-pattern repetition too large", "candour-schema 1\norg-pattern 9{,20235}\n",
     "t.schema:2: bad org-pattern: more than 1000 elements once its repetitions are written out"},
    {"org-pattern nested repetitions", "candour-schema 1\norg-pattern ^((R[0-9]?){,40}){,40}$\n",
     "t.schema:2: bad org-pattern: more than 1000 elements once its repetitions are written out"},
    {"org-pattern with stacked pluses", "candour-schema 1\norg-pattern ^R++++++++++$\n",
     "t.schema:2: bad org-pattern: more than 1000 elements once its repetitions are written out"},
    {"org-pattern nested too deep",
     "candour-schema 1\norg-pattern "
     "^(((((((((((((((((((((((((((((((((R)))))))))))))))))))))))))))))))))$\n",
     "t.schema:2: bad org-pattern: groups nest more than 32 deep"},
    /* items, themes, columns */
    {"unknown key", HEAD "item r scale=yn positive=2 colour=red\n" COLUMNS,
     "t.schema:8: unknown key 'colour'"},
    {"key twice", HEAD "item r scale=yn positive=2 positive=1\n" COLUMNS,
     "t.schema:8: key 'positive' given twice"},
    {"unknown scale", HEAD "item r scale=agree positive=2\n" COLUMNS,
     "t.schema:8: unknown scale 'agree' (define scales before the items that use them)"},
    {"positive and missing", HEAD "item r scale=yn positive=2 missing=yes\n" COLUMNS,
     "t.schema:8: answer '2' is both positive and missing"},
    {"theme of unknown item", HEAD "theme t items=q,zz\n" COLUMNS,
     "t.schema:8: theme 't': unknown item 'zz'"},
    {"theme min-items too large", HEAD "theme t items=q min-items=2\n" COLUMNS,
     "t.schema:8: min-items must be from 1 to 1"},
    {"column before kind", "candour-schema 1\ncolumn year period\n",
     "t.schema:2: 'kind' must come before the columns"},
    {"unknown role", HEAD "column year period\ncolumn x mystery\n",
     "t.schema:9: unknown role 'mystery'"},
    {"column needs name", HEAD COLUMNS "column q2 item\n",
     "t.schema:11: a column with role 'item' needs name="},
    {"duplicate column", HEAD COLUMNS "column  Q1  item name=q\n",
     "t.schema:11: column 'Q1' already described at line 10 for an overlapping period"},
    {"overlapping periods", HEAD COLUMNS "column q1 ignore periods=2020..2024\n",
     "t.schema:11: column 'q1' already described at line 10 for an overlapping period"},
    {"backwards period range",
     HEAD "column year period\ncolumn q1 item name=q periods=2025..2023\n",
     "t.schema:9: period range '2025..2023' runs backwards"},
    {"period of the wrong kind", HEAD "column year period\ncolumn q1 item name=q periods=2023-Q1\n",
     "t.schema:9: period '2023-Q1' is not a year (period-format)"},
    {"bad period", HEAD "column year period\ncolumn q1 item name=q periods=20x3\n",
     "t.schema:9: '20x3' is not a period or period range"},
    /* whole-schema checks: at the offending column, or the last line */
    {"no kind", "candour-schema 1\n\nname x\n", "t.schema:3: the schema has no 'kind'"},
    /* no period column is allowed (candour-ingest --period gives it) */
    {"no org column", HEAD "column year period\ncolumn q1 item name=q\n\n",
     "t.schema:10: a respondent schema needs a column with role 'org'"},
    {"role not allowed", HEAD COLUMNS "column q1b base name=q\n# trailing\n",
     "t.schema:11: role 'base' is not used in a respondent schema"},
    {"two period columns", HEAD COLUMNS "column y2 period\n",
     "t.schema:11: a respondent schema takes one column with role 'period', found 2"},
    {"wres-hr demographic without recode",
     "candour-schema 1\nkind wres-hr\ncolumn p period\ncolumn o org\n"
     "column eth demographic name=ethnicity\ncolumn h headcount\ncolumn e events\n",
     "t.schema:5: the ethnicity column of a wres-hr schema needs a recode= to its groups "
     "(wres-grouping names the two that WRES compares)"},
    {"bad unit parent", HEAD COLUMNS "column team unit name=team parent=dept\n",
     "t.schema:11: parent 'dept' is not another unit level"},
    /* meaning: labels, sections, WRES roles, charts */
    {"label too long", HEAD "item r scale=yn positive=2 label=\"Twenty-three characters\"\n",
     "t.schema:8: item 'r': label 'Twenty-three characters' is longer than 22 characters"},
    {"label of 22 characters counted as characters, not bytes",
     HEAD
     "item r scale=yn positive=2 label=\"\xc3\xa9quipe \xc3\xa9quipe \xc3\xa9quipe \xc3\xa9\"\n"
     "theme t items=q,r label=\"A theme label that is too long\"\n",
     "t.schema:9: theme 't': label 'A theme label that is too long' is longer than 22 characters"},
    {"long id without label", HEAD "item incident_report_encouraged scale=yn positive=2\n",
     "t.schema:8: item 'incident_report_encouraged' needs label= (a name of at most 22 "
     "characters for the report's tables: the id is longer)"},
    {"blank label", HEAD "item r scale=yn positive=2 label=\" \"\n",
     "t.schema:8: item 'r': label must not be blank"},
    {"section without title", HEAD "section s items=q\n",
     "t.schema:8: section 's' needs title= (its heading in the report)"},
    {"section without items", HEAD "section s title=S\n",
     "t.schema:8: section 's' needs items= or themes="},
    {"section unknown item", HEAD "section s title=S items=q,nope\n",
     "t.schema:8: items: unknown item 'nope' (define it first)"},
    {"section unknown theme", HEAD "section s title=S themes=nope\n",
     "t.schema:8: themes: unknown theme 'nope' (define it first)"},
    {"item in two sections", HEAD "section s title=S items=q\nsection t title=T items=q\n",
     "t.schema:9: item 'q' is already in section 's'"},
    {"item listed twice", HEAD "section s title=S items=q,q\n",
     "t.schema:8: items: item 'q' listed twice"},
    {"section twice", HEAD "section s title=S items=q\nsection s title=T items=q\n",
     "t.schema:9: section 's' defined twice"},
    {"wres indicator out of range", HEAD "wres-indicator 4 q\n",
     "t.schema:8: wres-indicator: '4' is not a survey indicator (5, 6, 7 or 8)"},
    {"wres indicator unknown item", HEAD "wres-indicator 5 nope\n",
     "t.schema:8: wres-indicator: unknown item 'nope' (define it first)"},
    {"wres indicator twice",
     HEAD "item r scale=yn positive=2\nwres-indicator 5 q\nwres-indicator 5 r\n",
     "t.schema:10: wres-indicator 5 already declared (item 'q')"},
    {"item two indicators", HEAD "wres-indicator 5 q\nwres-indicator 6 q\n",
     "t.schema:9: item 'q' is already WRES indicator 5"},
    {"wres grouping same groups", HEAD "wres-grouping ethnicity reference=A comparison=A\n",
     "t.schema:8: wres-grouping: the reference and comparison groups are both 'A'"},
    {"wres grouping without comparison", HEAD "wres-grouping ethnicity reference=A\n",
     "t.schema:8: usage: wres-grouping DEMOGRAPHIC reference=GROUP comparison=GROUP"},
    {"wres grouping twice",
     HEAD "wres-grouping e reference=A comparison=B\nwres-grouping e reference=A comparison=B\n",
     "t.schema:9: wres-grouping already declared at line 8"},
    {"wres grouping no such demographic",
     HEAD "wres-grouping ethnicity reference=White comparison=BME\n" COLUMNS,
     "t.schema:8: wres-grouping: no demographic column has name=ethnicity"},
    {"wres grouping groups the recode lacks",
     HEAD "recode eth\n  White 1\n  BAME 2\n  Unknown blank\nend\n"
          "wres-grouping ethnicity reference=White comparison=\"Global majority\"\n" COLUMNS
          "column e demographic name=ethnicity recode=eth\n",
     "t.schema:13: wres-grouping needs groups 'White' and 'Global majority', but column 'e' "
     "(line 17) yields 'White', 'BAME', 'Unknown'"},
    {"wres-hr recode without the declared groups",
     "candour-schema 1\nkind wres-hr\nrecode eth\n  White W\n  BAME B\n  Unknown blank\nend\n"
     "column p period\ncolumn o org\ncolumn eth demographic name=ethnicity recode=eth\n"
     "column h headcount\ncolumn e events\nwres-grouping ethnicity reference=White "
     "comparison=BME\n",
     "t.schema:13: wres-grouping needs groups 'White' and 'BME', but column 'eth' (line 10) "
     "yields 'White', 'BAME', 'Unknown'"},
    {"wres-hr without wres-grouping",
     "candour-schema 1\nkind wres-hr\nrecode eth\n  White W\n  BME B\nend\n"
     "column p period\ncolumn o org\ncolumn eth demographic name=ethnicity recode=eth\n"
     "column h headcount\ncolumn e events\n",
     "t.schema:9: a wres-hr schema needs 'wres-grouping DEMOGRAPHIC reference=GROUP "
     "comparison=GROUP' (which groups WRES indicator 3 compares)"},
    {"chart unknown", HEAD "chart pie items=q\n",
     "t.schema:8: unknown chart 'pie' (expected heatmap or funnel)"},
    {"chart unknown item", HEAD "chart funnel items=q,nope\n",
     "t.schema:8: items: unknown item 'nope' (define it first)"},
    {"chart twice", HEAD "chart heatmap items=q\nchart heatmap items=q\n",
     "t.schema:9: chart heatmap declared twice"},
};

static void test_broken_schemas(void **state)
{
    (void)state;
    struct buf err, wrong;
    buf_init(&err);
    buf_init(&wrong);
    for (size_t i = 0; i < ARRAY_LEN(broken_cases); i++) {
        const struct broken_case *c = &broken_cases[i];
        buf_puts(&err, "stale");
        struct schema *s = parse_text(c->text, &err);
        if (s) {
            schema_free(s);
            buf_printf(&wrong, "\n'%s' parsed without error", c->what);
        } else if (strcmp(err.data, c->error) != 0) {
            buf_printf(&wrong, "\n'%s':\n  got      %s\n  expected %s", c->what, err.data,
                       c->error);
        }
    }
    buf_release(&err);
    if (wrong.len) {
        print_error("broken schema cases reported wrongly:%s\n", wrong.data);
        buf_release(&wrong);
        fail();
    }
    buf_release(&wrong);
}

/* A NUL byte is not schema text either, and is reported on its line. */
static void test_nul_byte(void **state)
{
    (void)state;
    static const char text[] = "candour-schema 1\nkind respondent\nname a\0b\n";
    struct buf err;
    buf_init(&err);
    assert_null(schema_parse("t.schema", text, sizeof(text) - 1, &err));
    assert_string_equal(err.data, "t.schema:3: the schema is not UTF-8 text");
    buf_release(&err);
}

/* The base the broken cases are spliced into is itself valid, so each case
 * fails for its own reason. */
static void test_broken_case_base_is_valid(void **state)
{
    (void)state;
    struct buf err;
    buf_init(&err);
    struct schema *s = parse_text(HEAD COLUMNS, &err);
    if (!s)
        fail_msg("base schema: %s", err.data);
    assert_int_equal(s->n_columns, 3);
    assert_int_equal(s->columns[2].line, 10);
    assert_int_equal(s->items[0].line, 7);
    assert_int_equal(s->scales[0].line, 3);
    schema_free(s);
    /* continuation lines joined: the item after them has the right line */
    s = parse_text(HEAD "item r scale=yn \\\n  positive=2 \\\n  text=\"two words\"\n"
                        "item t scale=yn positive=1\n" COLUMNS,
                   &err);
    if (!s)
        fail_msg("continued schema: %s", err.data);
    assert_int_equal(s->n_items, 3);
    assert_string_equal(s->items[1].text, "two words");
    assert_int_equal(s->items[1].line, 8);
    assert_int_equal(s->items[2].line, 11);
    assert_int_equal(s->columns[0].line, 12);
    schema_free(s);
    buf_release(&err);
}

/* ---- meaning declarations ------------------------------------------------------ */

/* Labels, sections, WRES roles and chart items parse into the schema, under
 * names unlike the shipped ones. */
static void test_meaning_declarations(void **state)
{
    (void)state;
    struct buf err;
    buf_init(&err);
    struct schema *s = parse_text(
        HEAD "item Q21b scale=yn positive=2 label=\"Secure to speak\"\n"
             "item Q22 scale=yn positive=2\n"
             "item bully any-of=q,Q21b label=\"Bullied by staff\"\n"
             "theme voice items=q,Q21b label=Voice\n"
             "recode eth\n  White 1\n  \"Global majority\" 2\n  Unknown blank\nend\n"
             "section voice title=\"Staff voice\" items=Q21b,q themes=voice\n"
             "section culture title=Culture items=Q22\n"
             "wres-grouping ethnic_group reference=White comparison=\"Global majority\"\n"
             "wres-indicator 6 bully\nwres-indicator 8 Q22\n"
             "chart funnel items=Q22\n" COLUMNS
             "column e demographic name=ethnic_group recode=eth\n",
        &err);
    if (!s)
        fail_msg("meaning schema: %s", err.data);
    assert_int_equal(s->n_sections, 2);
    assert_string_equal(s->sections[0].id, "voice");
    assert_string_equal(s->sections[0].title, "Staff voice");
    assert_int_equal(s->sections[0].n_items, 2);
    assert_string_equal(s->items[s->sections[0].items[0]].id, "Q21b");
    assert_string_equal(s->items[s->sections[0].items[1]].id, "q");
    assert_int_equal(s->sections[0].n_themes, 1);
    assert_int_equal(schema_item_section(s, schema_find_item(s, "Q22")), 1);
    assert_int_equal(schema_item_section(s, schema_find_item(s, "bully")), SCHEMA_NONE);
    assert_int_equal(schema_theme_section(s, 0), 0);
    assert_string_equal(s->items[schema_find_item(s, "Q21b")].label, "Secure to speak");
    assert_string_equal(s->items[schema_find_item(s, "Q22")].label, "Q22"); /* the id */
    assert_string_equal(s->themes[0].label, "Voice");
    assert_string_equal(s->wres.grouping, "ethnic_group");
    assert_string_equal(s->wres.reference, "White");
    assert_string_equal(s->wres.comparison, "Global majority");
    assert_int_equal(s->wres.indicator_item[0], SCHEMA_NONE);
    assert_string_equal(s->items[s->wres.indicator_item[1]].id, "bully");
    assert_int_equal(schema_item_wres_indicator(s, schema_find_item(s, "Q22")), 8);
    assert_int_equal(schema_item_wres_indicator(s, schema_find_item(s, "q")), 0);
    assert_true(s->funnel.declared);
    assert_int_equal(s->funnel.n_items, 1);
    assert_false(s->heatmap.declared);
    schema_free(s);
    buf_release(&err);
}

/* Every shipped schema labels every item and theme itself, and the NSS
 * ones declare the report's sections and the WRES roles. */
static void test_shipped_schemas_declare_meaning(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("schemas/*.schema", 0, NULL, &g), 0);
    struct buf err;
    buf_init(&err);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        struct schema *s = schema_load(g.gl_pathv[i], &err);
        if (!s)
            fail_msg("%s: %s", g.gl_pathv[i], err.data);
        for (size_t k = 0; k < s->n_items; k++)
            if (strcmp(s->items[k].label, s->items[k].id) == 0)
                fail_msg("%s: item '%s' has no label=", g.gl_pathv[i], s->items[k].id);
        for (size_t k = 0; k < s->n_themes; k++)
            if (strcmp(s->themes[k].label, s->themes[k].id) == 0)
                fail_msg("%s: theme '%s' has no label=", g.gl_pathv[i], s->themes[k].id);
        if (s->kind == KIND_RESPONDENT) {
            assert_int_equal(s->n_sections, 2);
            assert_string_equal(s->sections[0].title, "Just culture");
            assert_string_equal(s->sections[1].title, "Speaking up");
            for (size_t k = 0; k < WRES_SURVEY_INDICATORS; k++)
                assert_int_not_equal(s->wres.indicator_item[k], SCHEMA_NONE);
        }
        if (s->kind == KIND_RESPONDENT || s->kind == KIND_WRES_HR) {
            assert_non_null(s->wres.grouping);
            assert_string_equal(s->wres.reference, "White");
            assert_string_equal(s->wres.comparison, "BME");
        }
        schema_free(s);
    }
    globfree(&g);
    buf_release(&err);
}

/* ---- matching answers ------------------------------------------------------ */

static struct schema *load_or_fail(const char *path)
{
    struct buf err;
    buf_init(&err);
    struct schema *s = schema_load(path, &err);
    if (!s)
        fail_msg("%s: %s", path, err.data);
    buf_release(&err);
    return s;
}

static const struct scale *scale_named(const struct schema *s, const char *name)
{
    for (size_t i = 0; i < s->n_scales; i++)
        if (strcmp(s->scales[i].name, name) == 0)
            return &s->scales[i];
    fail_msg("no scale '%s'", name);
    return NULL;
}

static const struct recode *recode_named(const struct schema *s, const char *name)
{
    for (size_t i = 0; i < s->n_recodes; i++)
        if (strcmp(s->recodes[i].name, name) == 0)
            return &s->recodes[i];
    fail_msg("no recode '%s'", name);
    return NULL;
}

struct match_case {
    const char *scale;
    const char *value;
    size_t entry; /* SCHEMA_NONE: no match */
};

static const struct match_case match_cases[] = {
    {"agree5", "4", 3},
    {"agree5", "04", 3},
    {"agree5", " 4 ", 3},
    {"agree5", "Agree", 3},
    {"agree5", "agree", 3},
    {"agree5", "  AGREE\t", 3},
    {"agree5", "Strongly agree", 4},
    {"agree5", "strongly   AGREE", 4},
    {"agree5", "\tStrongly\tagree ", 4},
    {"agree5", "1", 0},
    {"agree5", "neither agree nor disagree", 2},
    {"agree5", "6", SCHEMA_NONE},
    {"agree5", "0", SCHEMA_NONE},
    {"agree5", "", SCHEMA_NONE},
    {"agree5", "   ", SCHEMA_NONE},
    {"agree5", "Agreed", SCHEMA_NONE},
    {"agree5", "Strongly-agree", SCHEMA_NONE},
    {"agree5", "4.0", SCHEMA_NONE},
    {"agree5", "-4", SCHEMA_NONE},
    {"agree5dk", "9", 5},
    {"agree5dk", "don't know", 5},
    {"agree5dk", "DON'T KNOW", 5},
    {"ons18", "01", 0},
    {"ons18", "1", 0},
    {"ons18", "001", 0},
    {"ons18", "18", 17},
    {"ons18", "white - irish", 1},
    {"ons18", "WHITE  -  IRISH", 1},
    {"ons18", "19", SCHEMA_NONE},
    {"ons18", "White-Irish", SCHEMA_NONE},
    {"times5", "1-2", 1},
    {"times5", "more than 10", 4},
    {"times5", "10", SCHEMA_NONE},
    {"ageband", "66+", 5},
    {"occupation13", "10", 9},
    {"occupation13", "010", 9},
};

static void test_scale_match(void **state)
{
    (void)state;
    struct schema *s = load_or_fail("schemas/nss-2023.schema");
    struct buf key;
    buf_init(&key);
    for (size_t i = 0; i < ARRAY_LEN(match_cases); i++) {
        const struct match_case *c = &match_cases[i];
        const struct scale *sc = scale_named(s, c->scale);
        size_t got = scale_match(sc, c->value, strlen(c->value), &key);
        if (got != c->entry)
            fail_msg("scale %s, answer '%s': entry %zd, expected %zd", c->scale, c->value,
                     (ssize_t)got, (ssize_t)c->entry);
    }
    buf_release(&key);
    schema_free(s);
}

static void test_keys_match(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        bool match;
    } cases[] = {
        {"1", "1", true},    {"01", "1", true},    {"1", "001", true}, {"0", "00", true},
        {"", "", true},      {"abc", "abc", true}, {"1", "2", false},  {"", "0", false},
        {"1", "1.0", false}, {"a1", "1", false},   {"10", "1", false}, {"1 ", "1", false},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        if (keys_match(cases[i].a, cases[i].b) != cases[i].match)
            fail_msg("keys_match('%s', '%s') should be %d", cases[i].a, cases[i].b, cases[i].match);
}

struct recode_case {
    bool with_scale;
    const char *value;
    const char *group; /* NULL: no match */
};

static const struct recode_case recode_cases[] = {
    /* through scale ons18: code or label finds the rule */
    {true, "01", "White"},
    {true, "1", "White"},
    {true, " 04 ", "White"},
    {true, "White - Irish", "White"},
    {true, "white - gypsy or irish traveller", "White"},
    {true, "5", "BME"},
    {true, "18", "BME"},
    {true, "Mixed - White and Asian", "BME"},
    {true, "", "Unknown"},
    {true, "   ", "Unknown"},
    {true, "\t", "Unknown"},
    {true, "19", NULL},
    {true, "White", NULL}, /* not an answer of the scale */
    /* without a scale: the value itself against the rules */
    {false, "01", "White"},
    {false, "1", "White"},
    {false, "0001", "White"},
    {false, "14", "BME"},
    {false, "", "Unknown"},
    {false, "  ", "Unknown"},
    {false, "White - Irish", NULL},
    {false, "99", NULL},
    {false, "blank", NULL},
};

static void test_recode_match(void **state)
{
    (void)state;
    struct schema *s = load_or_fail("schemas/nss-2023.schema");
    const struct recode *r = recode_named(s, "wres-ethnicity");
    const struct scale *sc = scale_named(s, "ons18");
    struct buf key;
    buf_init(&key);
    for (size_t i = 0; i < ARRAY_LEN(recode_cases); i++) {
        const struct recode_case *c = &recode_cases[i];
        size_t g = recode_match(r, c->with_scale ? sc : NULL, c->value, strlen(c->value), &key);
        const char *got = g == SCHEMA_NONE ? NULL : r->groups[g];
        if ((got == NULL) != (c->group == NULL) || (got && strcmp(got, c->group) != 0))
            fail_msg("recode %s scale, answer '%s': group '%s', expected '%s'",
                     c->with_scale ? "with" : "without", c->value, got ? got : "(none)",
                     c->group ? c->group : "(none)");
    }
    buf_release(&key);
    schema_free(s);
}

/* A recode without a `blank` rule leaves a blank answer unmatched (the caller
 * decides), and its labels are found through the scale. */
static void test_recode_without_blank_rule(void **state)
{
    (void)state;
    static const char text[] = "candour-schema 1\n"
                               "kind respondent\n"
                               "scale sex\n"
                               "  1 Male\n"
                               "  2 Female\n"
                               "  3 \"Prefer not to say\"\n"
                               "end\n"
                               "recode r\n"
                               "  M 1\n"
                               "  F female\n"
                               "end\n"
                               "item q scale=sex positive=1\n"
                               "column p period\n"
                               "column o org\n"
                               "column q item name=q\n"
                               "column sex demographic name=sex scale=sex recode=r reference=F\n";
    struct buf err, key;
    buf_init(&err);
    buf_init(&key);
    struct schema *s = parse_text(text, &err);
    if (!s)
        fail_msg("%s", err.data);
    const struct recode *r = &s->recodes[0];
    const struct scale *sc = &s->scales[0];
    static const struct {
        bool with_scale;
        const char *value;
        const char *group;
    } cases[] = {
        {false, "", NULL}, {false, "1", "M"},   {false, "FEMALE", "F"}, {false, "2", NULL},
        {true, "", NULL},  {true, "male", "M"}, {true, "2", "F"},       {true, "Female", "F"},
        {true, "3", NULL}, {true, "x", NULL},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const struct scale *use = cases[i].with_scale ? sc : NULL;
        size_t g = recode_match(r, use, cases[i].value, strlen(cases[i].value), &key);
        const char *got = g == SCHEMA_NONE ? NULL : r->groups[g];
        if ((got == NULL) != (cases[i].group == NULL) || (got && strcmp(got, cases[i].group) != 0))
            fail_msg("recode %s scale, answer '%s': group '%s', expected '%s'",
                     use ? "with" : "without", cases[i].value, got ? got : "(none)",
                     cases[i].group ? cases[i].group : "(none)");
    }
    buf_release(&key);
    buf_release(&err);
    schema_free(s);
}

/* ---- periods ------------------------------------------------------------------ */

static void test_column_in_period(void **state)
{
    (void)state;
    static const char text[] = "candour-schema 1\n"
                               "kind respondent\n"
                               "periods 2019 2026\n"
                               "scale yn\n  1 No\n  2 Yes\nend\n"
                               "item a scale=yn positive=2\n"
                               "column year period\n"
                               "column org org\n"
                               "column q18a item name=a periods=2022\n"
                               "column q19a item name=a periods=2023-2025\n"
                               "column q1 ignore periods=2019,2021..2022\n"
                               "column q2 ignore\n";
    struct buf err;
    buf_init(&err);
    struct schema *s = parse_text(text, &err);
    if (!s)
        fail_msg("%s", err.data);
    const struct schema_column *q18a = &s->columns[2], *q19a = &s->columns[3];
    const struct schema_column *q1 = &s->columns[4], *q2 = &s->columns[5];
    assert_string_equal(q18a->header, "q18a");
    assert_string_equal(q1->header, "q1");
    static const struct {
        int year;
        bool q18a, q19a, q1;
    } cases[] = {
        {2019, false, false, true}, {2020, false, false, false}, {2021, false, false, true},
        {2022, true, false, true},  {2023, false, true, false},  {2024, false, true, false},
        {2025, false, true, false}, {2026, false, false, false},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct period p = {PERIOD_YEAR, cases[i].year, 0};
        if (schema_column_in_period(q18a, &p) != cases[i].q18a ||
            schema_column_in_period(q19a, &p) != cases[i].q19a ||
            schema_column_in_period(q1, &p) != cases[i].q1 || !schema_column_in_period(q2, &p))
            fail_msg("columns in period %d are wrong", cases[i].year);
        bool valid = cases[i].year >= 2019 && cases[i].year <= 2026;
        assert_true(schema_period_valid(s, &p) == valid);
    }
    struct period quarter = {PERIOD_QUARTER, 2023, 1};
    assert_false(schema_period_valid(s, &quarter));
    struct period outside = {PERIOD_YEAR, 2018, 0};
    assert_false(schema_period_valid(s, &outside));
    schema_free(s);
    buf_release(&err);
}

static void test_monthly_periods(void **state)
{
    (void)state;
    struct schema *s = load_or_fail("schemas/wres-hr-monthly.schema");
    assert_int_equal(s->period_kind, PERIOD_MONTH);
    struct period april = {PERIOD_MONTH, 2023, 4}, year = {PERIOD_YEAR, 2023, 0};
    assert_true(schema_period_valid(s, &april));
    assert_false(schema_period_valid(s, &year));
    schema_free(s);
}

static void test_org_pattern(void **state)
{
    (void)state;
    struct schema *s = load_or_fail("schemas/nss-2023.schema");
    static const struct {
        const char *org;
        bool valid;
    } cases[] = {{"RX4", true},     {"R0A", true},  {"RXXXX", true}, {"RX", false},
                 {"RXXXXX", false}, {"rx4", false}, {"RX4 ", false}, {"", false}};
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        if (schema_org_valid(s, cases[i].org) != cases[i].valid)
            fail_msg("org '%s' should be %svalid", cases[i].org, cases[i].valid ? "" : "in");
    schema_free(s);
}

/* Patterns at the limits of org-pattern still parse and match: 1000
 * elements written out, groups 32 deep, brackets whose braces and
 * parentheses are members, not syntax. */
static void test_org_pattern_limits(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *org;
    } cases[] = {
        {"^((A{,10}){,10}){,9}$", "AAAA"},
        {"^R{994}$|^X$", "X"},
        {"^(((((((((((((((((((((((((((((((([A-Z0-9]{3}))))))))))))))))))))))))))))))))$", "RX4"},
        {"^[]{(]{,998}$", "{(]"},
        {"^[[:upper:]]{3,5}$", "RXA"},
        {"^R+++++++++$", "RRR"},
    };
    struct buf err;
    buf_init(&err);
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *text = xasprintf(HEAD "org-pattern %s\n" COLUMNS, cases[i].pattern);
        struct schema *s = parse_text(text, &err);
        if (!s)
            fail_msg("org-pattern %s: %s", cases[i].pattern, err.data);
        if (!schema_org_valid(s, cases[i].org))
            fail_msg("org-pattern %s does not match '%s'", cases[i].pattern, cases[i].org);
        schema_free(s);
        free(text);
    }
    buf_release(&err);
}

/* ---- checksum -------------------------------------------------------------------- */

static void test_checksum(void **state)
{
    (void)state;
    static const char *const texts[] = {
        HEAD COLUMNS,
        HEAD COLUMNS "# a comment\n",
        HEAD COLUMNS "\n",
        "candour-schema 1\nkind respondent\nscale yn\n  1 \"No\"\n  2 \"YES\"\nend\n"
        "item q scale=yn positive=2\n" COLUMNS,
    };
    uint32_t sums[ARRAY_LEN(texts)];
    struct buf err;
    buf_init(&err);
    for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
        struct schema *s = parse_text(texts[i], &err);
        if (!s)
            fail_msg("checksum text %zu: %s", i, err.data);
        sums[i] = s->checksum;
        assert_int_equal(s->checksum,
                         (uint32_t)crc32(0L, (const Bytef *)texts[i], (uInt)strlen(texts[i])));
        assert_string_equal(s->text, texts[i]);
        assert_int_equal(s->text_len, strlen(texts[i]));
        schema_free(s);
        /* the same text twice gives the same checksum */
        s = parse_text(texts[i], &err);
        assert_non_null(s);
        assert_int_equal(s->checksum, sums[i]);
        schema_free(s);
        for (size_t j = 0; j < i; j++)
            if (sums[j] == sums[i])
                fail_msg("texts %zu and %zu have the same checksum", j, i);
    }
    buf_release(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_schemas_parse),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_broken_schemas),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_broken_case_base_is_valid),
        cmocka_unit_test(test_meaning_declarations),
        cmocka_unit_test(test_shipped_schemas_declare_meaning),
        cmocka_unit_test(test_scale_match),
        cmocka_unit_test(test_keys_match),
        cmocka_unit_test(test_recode_match),
        cmocka_unit_test(test_recode_without_blank_rule),
        cmocka_unit_test(test_column_in_period),
        cmocka_unit_test(test_monthly_periods),
        cmocka_unit_test(test_org_pattern),
        cmocka_unit_test(test_org_pattern_limits),
        cmocka_unit_test(test_checksum),
    };
    return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
