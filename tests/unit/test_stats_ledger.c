/* Unit tests for stats/ledger.c: the release ledger's file, its checks and
 * its index.  A ledger is written through the module, then damaged in the
 * ways a disk, a hand edit or a planted file would, and each must be a clear
 * error naming the line, never read past. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../stats/ledger.h"
#include "util.h"

#include "scratch.h"

static char *ledger_path(void)
{
    return xasprintf("%s/ledger", scratch);
}

static void key_of(struct buf *key, const char *group, const char *item)
{
    const char *fields[LEDGER_KEY_FIELDS] = {"item",     "2023", "Z1A", "team",
                                             "Medicine", group,  item};
    ledger_key(key, fields);
}

/* One release of two shown figures and a hidden one, appended at path. */
static void write_release(const char *path, double n)
{
    struct ledger l;
    struct buf err, key;
    buf_init(&err);
    buf_init(&key);
    bool io;
    assert_true(ledger_open(&l, path, false, &err, &io));
    key_of(&key, "Ward 1", "q1");
    ledger_record(&l, key.data, key.len, true, n, 7);
    key_of(&key, "Ward\t2,\"%\"\n", "q1"); /* any name: TAB, comma, quote, %, newline */
    ledger_record(&l, key.data, key.len, true, 40, 20);
    key_of(&key, "Ward 3", "q1");
    ledger_record(&l, key.data, key.len, false, 3, 1);
    assert_true(ledger_append(&l, 11, &err));
    ledger_close(&l);
    buf_release(&err);
    buf_release(&key);
}

/* Open path expecting failure; returns the message (caller frees). */
static char *open_error(const char *path, bool *io)
{
    struct ledger l;
    struct buf err;
    buf_init(&err);
    bool ok = ledger_open(&l, path, false, &err, io);
    ledger_close(&l);
    assert_false(ok);
    return err.data;
}

static void test_created_0600_and_read_back(void **state)
{
    (void)state;
    char *path = ledger_path();
    write_release(path, 12);
    write_release(path, 13);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    struct ledger l;
    struct buf err, key;
    buf_init(&err);
    buf_init(&key);
    bool io;
    assert_true(ledger_open(&l, path, false, &err, &io));
    assert_int_equal(l.n_releases, 2);
    key_of(&key, "Ward 1", "q1");
    size_t f = ledger_find(&l, key.data, key.len);
    assert_true(f != LEDGER_NONE); /* newest first: release 1 (n 13), then 0 (n 12) */
    assert_int_equal(l.figures[f].release, 1);
    assert_true(l.figures[f].shown && l.figures[f].n == 13 && l.figures[f].x == 7);
    f = l.figures[f].next;
    assert_true(f != LEDGER_NONE && l.figures[f].release == 0 && l.figures[f].n == 12);
    assert_true(l.figures[f].next == LEDGER_NONE);
    key_of(&key, "Ward\t2,\"%\"\n", "q1");
    f = ledger_find(&l, key.data, key.len);
    assert_true(f != LEDGER_NONE && l.figures[f].n == 40 && l.figures[f].x == 20);
    key_of(&key, "Ward 3", "q1");
    f = ledger_find(&l, key.data, key.len);
    assert_true(f != LEDGER_NONE && !l.figures[f].shown);
    key_of(&key, "Ward 4", "q1");
    assert_true(ledger_find(&l, key.data, key.len) == LEDGER_NONE);
    ledger_close(&l);
    /* the names are encoded: one line per record, no raw TAB inside a field */
    size_t len;
    char *text = (char *)slurp(path, &len);
    assert_non_null(strstr(text, "Ward%092,\"%25\"%0A"));
    assert_int_equal(strncmp(text, LEDGER_MAGIC "\n", strlen(LEDGER_MAGIC) + 1), 0);
    free(text);
    buf_release(&err);
    buf_release(&key);
    free(path);
}

/* Replace the first occurrence of from by to (same length) in the file. */
static void edit_file(const char *path, const char *from, const char *to)
{
    size_t len;
    char *text = (char *)slurp(path, &len);
    char *at = strstr(text, from);
    assert_non_null(at);
    memcpy(at, to, strlen(to));
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    free(text);
}

static void test_changed_count_refused(void **state)
{
    (void)state;
    char *path = ledger_path();
    write_release(path, 12);
    edit_file(path, "\t12\t7\t", "\t13\t7\t"); /* a published count changed by hand */
    bool io;
    char *msg = open_error(path, &io);
    assert_false(io);
    assert_non_null(strstr(msg, "ledger:3: checksum mismatch"));
    free(msg);
    free(path);
}

static void test_removed_record_refused(void **state)
{
    (void)state;
    char *path = ledger_path();
    write_release(path, 12);
    size_t len;
    char *text = (char *)slurp(path, &len);
    char *line3 = strchr(strchr(text, '\n') + 1, '\n') + 1; /* the first figure */
    char *line4 = strchr(line3, '\n') + 1;
    memmove(line3, line4, strlen(line4) + 1);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(text);
    bool io;
    char *msg = open_error(path, &io);
    assert_non_null(strstr(msg, "ledger:5: a release whose records do not match its end line"));
    free(msg);
    free(path);
}

static void test_cut_short_refused(void **state)
{
    (void)state;
    char *path = ledger_path();
    write_release(path, 12);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size - 1), 0); /* the end line's newline */
    bool io;
    char *msg = open_error(path, &io);
    assert_non_null(strstr(msg, "ledger:6: the last line is cut short"));
    free(msg);
    /* a release with no end line at all */
    size_t len;
    char *text = (char *)slurp(path, &len);
    *strrchr(text, '\n') = '\0';
    *(strrchr(text, '\n') + 1) = '\0';
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    free(text);
    msg = open_error(path, &io);
    assert_non_null(strstr(msg, "the last release has no end line"));
    free(msg);
    free(path);
}

static void test_foreign_file_refused(void **state)
{
    (void)state;
    char *path = ledger_path();
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "period,org\n", 11), 11);
    close(fd);
    bool io;
    char *msg = open_error(path, &io);
    assert_non_null(strstr(msg, "ledger:1: not a candour ledger"));
    free(msg);
    free(path);
}

static void test_symlink_and_mode_refused(void **state)
{
    (void)state;
    char *path = ledger_path();
    char *target = xasprintf("%s/target", scratch);
    write_release(target, 12);
    assert_int_equal(symlink(target, path), 0);
    bool io;
    char *msg = open_error(path, &io);
    assert_non_null(strstr(msg, "it is a symbolic link"));
    free(msg);
    unlink(path);
    assert_int_equal(chmod(target, 0644), 0);
    msg = open_error(target, &io);
    assert_non_null(strstr(msg, "readable or writable by others (mode 0644)"));
    free(msg);
    assert_int_equal(chmod(target, 0600), 0);
    assert_int_equal(link(target, path), 0); /* a second name */
    msg = open_error(target, &io);
    assert_non_null(strstr(msg, "has 2 links"));
    free(msg);
    free(target);
    free(path);
}

static void test_locked_without_wait(void **state)
{
    (void)state;
    char *path = ledger_path();
    write_release(path, 12);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0); /* another run holds it */
    bool io;
    char *msg = open_error(path, &io);
    assert_true(io);
    assert_non_null(strstr(msg, "another run is using it (--no-wait)"));
    free(msg);
    close(fd);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_created_0600_and_read_back, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_changed_count_refused, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_removed_record_refused, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_cut_short_refused, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_foreign_file_refused, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_symlink_and_mode_refused, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_locked_without_wait, make_scratch, remove_scratch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
