/* Unit tests for stats/output.c: table_name, which finds a name's CSV form by
 * its address, must write exactly what table_str writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../stats/output.h"

#include "scratch.h"

#define N_NAMES 1500 /* past several growths of the cache (256 slots at first) */

/* Names that need quoting, neutralising or nothing, and many plain ones. */
static char **make_names(void)
{
    static const char *const special[] = {
        "a,b",         "say \"hi\"",
        "=SUM(A1)",    "-2+3",
        "-2",          " lead",
        "line\nbreak", "",
        "plain",       "a name longer than sixteen bytes, with a comma"};
    char **names = calloc(N_NAMES, sizeof(*names));
    assert_non_null(names);
    for (size_t i = 0; i < N_NAMES; i++)
        names[i] = i < ARRAY_LEN(special) ? xstrdup(special[i]) : xasprintf("name %zu", i);
    return names;
}

/* Rows of three names in an order that revisits old names, written once
 * with table_name and once with table_str. */
static void write_rows(const char *file, char **names, bool by_name)
{
    struct table t;
    struct buf err;
    buf_init(&err);
    assert_true(table_open(&t, scratch, file, "x,y,z", &err));
    for (size_t r = 0; r < 3 * N_NAMES; r++) {
        const char *row[3] = {names[r % N_NAMES], names[(r * 7) % N_NAMES], names[(r / 3) % 10]};
        for (int c = 0; c < 3; c++)
            (by_name ? table_name : table_str)(&t, row[c]);
        table_end_row(&t);
    }
    struct atomic_file *f = table_finish(&t);
    assert_true(atomic_commit(f, &err));
    buf_release(&err);
}

static void test_name_writes_what_str_writes(void **state)
{
    (void)state;
    char **names = make_names();
    write_rows("by-name.csv", names, true);
    write_rows("by-str.csv", names, false);
    char *p1 = xasprintf("%s/by-name.csv", scratch), *p2 = xasprintf("%s/by-str.csv", scratch);
    size_t len1, len2;
    char *by_name = (char *)slurp(p1, &len1), *by_str = (char *)slurp(p2, &len2);
    assert_non_null(by_name);
    assert_non_null(by_str);
    assert_string_equal(by_name, by_str);
    /* and table_str's output is what csvout promises: spot checks */
    assert_non_null(strstr(by_str, "\"a,b\","));
    assert_non_null(strstr(by_str, "'=SUM(A1),"));
    assert_non_null(strstr(by_str, "\n-2,"));
    /* a line break in a name is written as \n (#15: no raw control
     * character in a table), so the field needs no quotes */
    assert_non_null(strstr(by_str, ",line\\nbreak,"));
    assert_null(strstr(by_str, "line\nbreak"));
    free(by_name);
    free(by_str);
    free(p1);
    free(p2);
    for (size_t i = 0; i < N_NAMES; i++)
        free(names[i]);
    free(names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_name_writes_what_str_writes, make_scratch,
                                        remove_scratch),
    };
    return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
