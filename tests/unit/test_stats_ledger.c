/* Unit tests for stats/ledger.c: the release ledger's file, its checks and
 * its index.  A ledger is written through the module, then damaged in the
 * ways a disk, a hand edit or a planted file would, and each must be a clear
 * error naming the line, never read past. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <libdeflate.h>

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
    uint32_t f = ledger_find(&l, key.data, key.len);
    assert_true(f != LEDGER_NONE); /* newest span first: release 1 (n 13), then 0 (n 12) */
    const struct ledger_span *s = &l.spans[l.figures[f].last];
    assert_true(s->from == 1 && s->to == LEDGER_OPEN && ledger_span_end(&l, s) == 2);
    assert_true(s->shown && s->n == 13 && s->x == 7);
    assert_true(s->prev != LEDGER_NONE);
    s = &l.spans[s->prev];
    assert_true(s->from == 0 && s->to == 1 && s->n == 12 && s->prev == LEDGER_NONE);
    uint32_t until;
    assert_true(ledger_at(&l, f, 0, &until) == s && until == 1);
    assert_true(ledger_at(&l, f, 1, &until)->n == 13 && until == LEDGER_OPEN);
    /* the same in both releases: one span, written once */
    key_of(&key, "Ward\t2,\"%\"\n", "q1");
    f = ledger_find(&l, key.data, key.len);
    assert_true(f != LEDGER_NONE);
    s = &l.spans[l.figures[f].last];
    assert_true(s->from == 0 && s->to == LEDGER_OPEN && s->n == 40 && s->x == 20);
    assert_true(s->prev == LEDGER_NONE);
    key_of(&key, "Ward 3", "q1");
    f = ledger_find(&l, key.data, key.len);
    assert_true(f != LEDGER_NONE && !l.spans[l.figures[f].last].shown);
    assert_true(l.spans[l.figures[f].last].from == 0);
    key_of(&key, "Ward 4", "q1");
    assert_true(ledger_find(&l, key.data, key.len) == LEDGER_NONE);
    assert_true(ledger_at(&l, LEDGER_NONE, 0, &until) == NULL && until == LEDGER_OPEN);
    ledger_close(&l);
    /* the names are encoded: one line per record, no raw TAB inside a field */
    size_t len;
    char *text = (char *)slurp(path, &len);
    char *ward2 = strstr(text, "Ward%092,\"%25\"%0A");
    assert_non_null(ward2);
    assert_null(strstr(ward2 + 1, "Ward%092")); /* release 1 lists only what changed */
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

/* One figure (Ward <group>, q1) recorded into l: shown (n, x) or hidden. */
static void record(struct ledger *l, const char *group, bool shown, double n, double x)
{
    struct buf key;
    buf_init(&key);
    key_of(&key, group, "q1");
    ledger_record(l, key.data, key.len, shown, n, x);
    buf_release(&key);
}

static uint32_t figure_of(const struct ledger *l, const char *group)
{
    struct buf key;
    buf_init(&key);
    key_of(&key, group, "q1");
    uint32_t f = ledger_find(l, key.data, key.len);
    buf_release(&key);
    return f;
}

static size_t count_lines(const char *path, const char *prefix)
{
    size_t len, n = 0;
    char *text = (char *)slurp(path, &len);
    for (char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
        n += strncmp(line, prefix, strlen(prefix)) == 0;
    free(text);
    return n;
}

/* A release lists what changed since the release before: the same data
 * again is an empty release, a figure the run no longer has an X, and the
 * spans read back give each release's record exactly. */
static void test_changes_only(void **state)
{
    (void)state;
    char *path = ledger_path();
    write_release(path, 12);
    write_release(path, 12); /* the same again: R and E only */
    assert_int_equal(count_lines(path, "F\t"), 2);
    assert_int_equal(count_lines(path, "H\t"), 1);
    assert_int_equal(count_lines(path, "R\t"), 2);
    struct ledger l;
    struct buf err;
    buf_init(&err);
    bool io;
    assert_true(ledger_open(&l, path, false, &err, &io));
    record(&l, "Ward 1", true, 12, 7); /* Ward 2 and 3 gone */
    assert_true(ledger_append(&l, 11, &err));
    ledger_close(&l);
    assert_int_equal(count_lines(path, "X\t"), 2);
    assert_true(ledger_open(&l, path, false, &err, &io));
    record(&l, "Ward 1", true, 12, 7);
    record(&l, "Ward 3", true, 5, 5); /* back, and shown now */
    assert_true(ledger_append(&l, 11, &err));
    ledger_close(&l);
    assert_int_equal(count_lines(path, "F\t"), 3);
    assert_int_equal(count_lines(path, "X\t"), 2); /* Ward 2 still gone: no new X */
    assert_true(ledger_open(&l, path, false, &err, &io));
    assert_int_equal(l.n_releases, 4);
    uint32_t until, w1 = figure_of(&l, "Ward 1"), w3 = figure_of(&l, "Ward 3");
    const struct ledger_span *s = ledger_at(&l, w1, 3, &until);
    assert_true(s && s->from == 0 && s->to == LEDGER_OPEN && s->n == 12 && s->prev == LEDGER_NONE);
    s = ledger_at(&l, figure_of(&l, "Ward\t2,\"%\"\n"), 1, &until);
    assert_true(s && s->from == 0 && s->to == 2 && until == 2);
    assert_null(ledger_at(&l, figure_of(&l, "Ward\t2,\"%\"\n"), 3, &until));
    assert_true(until == LEDGER_OPEN);
    s = ledger_at(&l, w3, 1, &until);
    assert_true(s && !s->shown && s->from == 0 && s->to == 2);
    assert_null(ledger_at(&l, w3, 2, &until)); /* not in release 2 */
    assert_int_equal(until, 3);
    s = ledger_at(&l, w3, 3, &until);
    assert_true(s && s->shown && s->n == 5 && s->from == 3 && until == LEDGER_OPEN);
    ledger_close(&l);
    buf_release(&err);
    free(path);
}

/* Hand-made ledger text: each line with its CRC, each release's end line
 * with its count and CRC (so that only what a test means is wrong). */
static void hand_line(struct buf *out, const char *line)
{
    buf_printf(out, "%s\t%08x\n", line, (unsigned)libdeflate_crc32(0, line, strlen(line)));
}

static void hand_end(struct buf *out, unsigned release, size_t records, size_t start)
{
    char line[64];
    snprintf(line, sizeof(line), "E\t%u\t%zu\t%08x", release, records,
             (unsigned)libdeflate_crc32(0, out->data + start, out->len - start));
    hand_line(out, line);
}

static void write_text(const char *path, const struct buf *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text->data, text->len), (ssize_t)text->len);
    close(fd);
}

#define FIG(kind, group) kind "\titem\t2023\tZ1A\tteam\tMedicine\t" group "\tq1"

/* A ledger of full releases, as candour wrote before changes releases: read
 * (a figure a full release does not list is not in it), and appended to
 * with a changes release. */
static void test_full_releases_read(void **state)
{
    (void)state;
    char *path = ledger_path();
    struct buf t;
    buf_init(&t);
    buf_puts(&t, LEDGER_MAGIC "\n");
    size_t start = t.len;
    hand_line(&t, "R\t0\t2024-01-01T00:00:00Z\t11");
    hand_line(&t, FIG("F", "A") "\t5\t2");
    hand_line(&t, FIG("F", "B") "\t7\t3");
    hand_line(&t, FIG("H", "C"));
    hand_end(&t, 0, 3, start);
    start = t.len;
    hand_line(&t, "R\t1\t2024-02-01T00:00:00Z\t11");
    hand_line(&t, FIG("F", "A") "\t5\t2");
    hand_line(&t, FIG("H", "C"));
    hand_end(&t, 1, 2, start);
    write_text(path, &t);
    struct ledger l;
    struct buf err;
    buf_init(&err);
    bool io;
    assert_true(ledger_open(&l, path, false, &err, &io));
    uint32_t until, a = figure_of(&l, "A"), b = figure_of(&l, "B"), c = figure_of(&l, "C");
    const struct ledger_span *s = ledger_at(&l, a, 1, &until);
    assert_true(s && s->from == 0 && ledger_span_end(&l, s) == 2 && s->n == 5 && s->x == 2);
    s = ledger_at(&l, b, 0, &until);
    assert_true(s && s->to == 1 && s->n == 7 && until == 1);
    assert_null(ledger_at(&l, b, 1, &until));
    s = ledger_at(&l, c, 1, &until);
    assert_true(s && !s->shown && s->from == 0 && s->to == LEDGER_OPEN);
    record(&l, "A", true, 5, 2);
    record(&l, "B", true, 7, 3);
    assert_true(ledger_append(&l, 11, &err));
    ledger_close(&l);
    size_t len;
    char *text = (char *)slurp(path, &len);
    char *third = strstr(text, "R\t2\t");
    assert_non_null(third);
    assert_non_null(strstr(third, "\t11\tchanges\t"));
    assert_null(strstr(third, FIG("F", "A")));                /* unchanged */
    assert_non_null(strstr(third, FIG("F", "B") "\t7\t3\t")); /* back */
    assert_non_null(strstr(third, FIG("X", "C") "\t"));       /* gone */
    assert_non_null(strstr(third, "E\t2\t2\t"));
    free(text);
    assert_true(ledger_open(&l, path, false, &err, &io));
    assert_null(ledger_at(&l, figure_of(&l, "C"), 2, &until));
    assert_true(ledger_at(&l, figure_of(&l, "B"), 2, &until)->from == 2);
    ledger_close(&l);
    buf_release(&err);
    buf_release(&t);
    free(path);
}

/* The records a release must not hold, each with valid CRCs: an X in a
 * full release, an X of a figure the release before did not have, an R
 * line that is neither full nor changes.  Each is refused naming its
 * line. */
static void test_changes_records_refused(void **state)
{
    (void)state;
    char *path = ledger_path();
    const char *bad[][2] = {
        {"R\t1\t2024-02-01T00:00:00Z\t11", FIG("X", "A")},
        {"R\t1\t2024-02-01T00:00:00Z\t11\tchanges", FIG("X", "B")},
        {"R\t1\t2024-02-01T00:00:00Z\t11\tchanged", FIG("F", "A") "\t6\t2"},
    };
    const char *why[] = {
        "ledger:6: a figure removed in a release that lists them all",
        "ledger:6: a figure removed that the release before did not have",
        "ledger:5: a release out of sequence",
    };
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        struct buf t;
        buf_init(&t);
        buf_puts(&t, LEDGER_MAGIC "\n");
        size_t start = t.len;
        hand_line(&t, "R\t0\t2024-01-01T00:00:00Z\t11\tchanges");
        hand_line(&t, FIG("F", "A") "\t5\t2");
        hand_end(&t, 0, 1, start);
        start = t.len;
        hand_line(&t, bad[k][0]);
        hand_line(&t, bad[k][1]);
        hand_line(&t, bad[k][1]); /* twice */
        hand_end(&t, 1, 2, start);
        write_text(path, &t);
        buf_release(&t);
        bool io;
        char *msg = open_error(path, &io);
        if (!strstr(msg, why[k]))
            fail_msg("case %zu: '%s', expected '%s'", k, msg, why[k]);
        free(msg);
    }
    free(path);
}

/* A key recorded twice in a row (the two sides of a WRES 3 row when the
 * schema names neither): one occurrence each, in the order recorded; the
 * same again is not written; a change writes every occurrence; the record
 * of a release is the one written last, as before changes releases. */
static void test_duplicate_keys(void **state)
{
    (void)state;
    char *path = ledger_path();
    const double runs[][2] = {{30, 40}, {30, 40}, {30, 41}, {30, -1}};
    for (size_t k = 0; k < 4; k++) {
        struct ledger l;
        struct buf err;
        buf_init(&err);
        bool io;
        assert_true(ledger_open(&l, path, false, &err, &io));
        record(&l, "Ward 1", true, 9, 1);
        record(&l, "Both", true, runs[k][0], 3);
        if (runs[k][1] >= 0)
            record(&l, "Both", true, runs[k][1], 4);
        record(&l, "Ward 2", true, 9, 1);
        assert_true(ledger_append(&l, 11, &err));
        ledger_close(&l);
        buf_release(&err);
    }
    /* release 0: 4 records; 1: none; 2 and 3: both occurrences, then one */
    assert_int_equal(count_lines(path, "F\t"), 4 + 2 + 1);
    struct ledger l;
    struct buf err;
    buf_init(&err);
    bool io;
    assert_true(ledger_open(&l, path, false, &err, &io));
    uint32_t until, both = figure_of(&l, "Both");
    const struct ledger_span *s = ledger_at(&l, both, 0, &until);
    assert_true(s && s->n == 40 && until == 2); /* the last written: occurrence 1 */
    s = ledger_at(&l, both, 2, &until);
    assert_true(s && s->n == 41 && until == 3);
    s = ledger_at(&l, both, 3, &until);
    assert_true(s && s->n == 30 && until == LEDGER_OPEN); /* occurrence 1 gone */
    size_t spans = 0;
    uint32_t occ;
    for (uint32_t k = ledger_first_span(&l, both, &occ); k != LEDGER_NONE;
         k = ledger_next_span(&l, &occ, k))
        spans++;
    assert_int_equal(spans, 3); /* occurrence 0: [0, open); 1: [0, 2), [2, 3) */
    ledger_close(&l);
    buf_release(&err);
    free(path);
}

/* One figure (group, item) into l. */
static void record_item(struct ledger *l, const char *group, const char *item, double n)
{
    struct buf key;
    buf_init(&key);
    key_of(&key, group, item);
    ledger_record(l, key.data, key.len, true, n, 0);
    buf_release(&key);
}

/* Figures found wherever they are: a cell's figures mostly sit where its
 * first puts them, but not when a later release adds a field or records in
 * another order, nor a key's second occurrence; the index finds each, over
 * more than one growth of its table. */
static void test_index_any_order(void **state)
{
    (void)state;
    char *path = ledger_path();
    enum { CELLS = 700 };
    char group[32];
    for (int release = 0; release < 2; release++) {
        struct ledger l;
        struct buf err;
        buf_init(&err);
        bool io;
        assert_true(ledger_open(&l, path, false, &err, &io));
        if (release == 1) { /* a key twice, first; then a new field, cell by cell */
            record_item(&l, "Ward 0", "q9", 1);
            record_item(&l, "Ward 0", "q9", 2);
            for (int i = CELLS - 1; i >= 0; i--) {
                snprintf(group, sizeof(group), "Ward %d", i);
                record_item(&l, group, "q3", 3 * i);
            }
        }
        for (int i = 0; i < CELLS; i++) {
            snprintf(group, sizeof(group), "Ward %d", i);
            record_item(&l, group, "q1", i);
            record_item(&l, group, "q2", i + release);
        }
        assert_true(ledger_append(&l, 11, &err));
        ledger_close(&l);
        buf_release(&err);
    }
    struct ledger l;
    struct buf err, key;
    buf_init(&err);
    buf_init(&key);
    bool io;
    assert_true(ledger_open(&l, path, false, &err, &io));
    assert_true(l.n_hashed > 512); /* the table grew */
    uint32_t until;
    for (int i = 0; i < CELLS; i++) {
        snprintf(group, sizeof(group), "Ward %d", i);
        const char *items[] = {"q1", "q2", "q3"};
        const double want[][2] = {{i, i}, {i, i + 1}, {-1, 3 * i}};
        for (int k = 0; k < 3; k++) {
            key_of(&key, group, items[k]);
            uint32_t f = ledger_find(&l, key.data, key.len);
            assert_true(f != LEDGER_NONE && !l.figures[f].extra);
            for (uint32_t r = 0; r < 2; r++) {
                const struct ledger_span *s = ledger_at(&l, f, r, &until);
                if (want[k][r] < 0)
                    assert_null(s);
                else if (!s || s->n != want[k][r])
                    fail_msg("Ward %d %s release %u: wrong record", i, items[k], r);
            }
        }
    }
    key_of(&key, "Ward 0", "q9");
    uint32_t f = ledger_find(&l, key.data, key.len);
    assert_true(f != LEDGER_NONE && !l.figures[f].extra && l.figures[f].dup != LEDGER_NONE);
    assert_true(ledger_at(&l, f, 1, &until)->n == 2); /* the last written */
    assert_true(l.spans[l.figures[f].last].n == 1);
    ledger_close(&l);
    buf_release(&err);
    buf_release(&key);
    free(path);
}

/* path opens (read and checked whole) and holds n releases. */
static void assert_releases(const char *path, uint32_t n)
{
    struct ledger l;
    struct buf err;
    buf_init(&err);
    bool io;
    if (!ledger_open(&l, path, false, &err, &io))
        fail_msg("%s", err.data);
    assert_int_equal(l.n_releases, n);
    ledger_close(&l);
    buf_release(&err);
}

/* A run stopped by signal sig while appending: release 1 begun over path
 * (a ledger of one release), 40,000 records written in blocks, then sig
 * raised.  SIGKILL cannot be caught, and leaves the release partly written
 * with its marker beside it. */
static void stop_while_appending(const char *path, int sig)
{
    struct stat before;
    assert_int_equal(stat(path, &before), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct ledger l;
        struct buf err;
        buf_init(&err);
        bool io;
        if (!ledger_open(&l, path, false, &err, &io))
            _exit(3);
        ledger_begin(&l, 11);
        for (int i = 0; i < 40000; i++) {
            char group[32];
            snprintf(group, sizeof(group), "Ward %d", i + 10);
            record(&l, group, true, i, 1);
        }
        struct stat mid, marker;
        if (fstat(l.fd, &mid) != 0 || mid.st_size <= before.st_size)
            _exit(4); /* nothing written yet: the test would prove nothing */
        if (stat(l.marker_path, &marker) != 0)
            _exit(5);
        raise(sig);
        _exit(6);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == sig);
}

/* A run stopped by a signal while appending (its release partly written)
 * leaves the file as it was. */
static void test_signal_cuts_release_off(void **state)
{
    (void)state;
    char *path = ledger_path();
    write_release(path, 12);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    stop_while_appending(path, SIGTERM);
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(after.st_size, before.st_size);
    free(path);
}

/* A changes release damaged: its X line removed, its R line's "changes"
 * edited, a record added.  Refused naming the line. */
static void test_changes_release_damage_refused(void **state)
{
    (void)state;
    char *path = ledger_path();
    write_release(path, 12);
    struct ledger l;
    struct buf err;
    buf_init(&err);
    bool io;
    assert_true(ledger_open(&l, path, false, &err, &io));
    record(&l, "Ward 1", true, 12, 7);
    record(&l, "Ward 3", false, 0, 0);
    assert_true(ledger_append(&l, 11, &err)); /* lines 7 R, 8 X (Ward 2), 9 E */
    ledger_close(&l);
    size_t len;
    char *good = (char *)slurp(path, &len);
    char *x = strstr(good, "\nX\t") + 1;
    struct buf t;
    buf_init(&t);
    buf_append(&t, good, (size_t)(x - good));
    buf_puts(&t, strchr(x, '\n') + 1); /* the X line removed */
    write_text(path, &t);
    char *msg = open_error(path, &io);
    assert_non_null(strstr(msg, "ledger:8: a release whose records do not match its end line"));
    free(msg);
    buf_clear(&t);
    buf_append(&t, good, len);
    memcpy(strstr(t.data, "changes"), "chAnges", 7);
    write_text(path, &t);
    msg = open_error(path, &io);
    assert_non_null(strstr(msg, "ledger:2: checksum mismatch"));
    free(msg);
    buf_clear(&t);
    buf_append(&t, good, (size_t)(x - good));
    hand_line(&t, FIG("F", "Ward 9") "\t20\t10"); /* a record added, with its line CRC */
    buf_puts(&t, x);
    write_text(path, &t);
    msg = open_error(path, &io);
    assert_non_null(strstr(msg, "ledger:10: a release whose records do not match its end line"));
    free(msg);
    buf_release(&t);
    free(good);
    buf_release(&err);
    free(path);
}

/* A run that began a release and did not append it (it failed before)
 * leaves the file as it was. */
static void test_begun_release_cut_off(void **state)
{
    (void)state;
    char *path = ledger_path();
    write_release(path, 12);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    struct ledger l;
    struct buf err;
    buf_init(&err);
    bool io;
    assert_true(ledger_open(&l, path, false, &err, &io));
    ledger_begin(&l, 11);
    for (int i = 0; i < 40000; i++) { /* enough to be written in blocks */
        char group[32];
        snprintf(group, sizeof(group), "Ward %d", i + 10);
        record(&l, group, true, i, 1);
    }
    ledger_close(&l);
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(after.st_size, before.st_size);
    assert_releases(path, 1);
    buf_release(&err);
    free(path);
}

/* What a killed run left is cut off by the next run, back to the bytes
 * before it, and the marker removed; the ledger goes on. */
static void test_killed_release_cut_off(void **state)
{
    (void)state;
    char *path = ledger_path(), *marker = xasprintf("%s.appending", path);
    write_release(path, 12);
    size_t len, after_len;
    unsigned char *before = slurp(path, &len);
    stop_while_appending(path, SIGKILL);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true((size_t)st.st_size > len); /* the partial release is there */
    assert_int_equal(access(marker, F_OK), 0);
    struct ledger l;
    struct buf err;
    buf_init(&err);
    bool io;
    assert_true(ledger_open(&l, path, false, &err, &io));
    assert_int_equal(l.n_releases, 1);
    assert_int_equal(l.size, (off_t)len);
    ledger_close(&l);
    assert_int_not_equal(access(marker, F_OK), 0);
    unsigned char *after = slurp(path, &after_len);
    assert_int_equal(after_len, len);
    assert_memory_equal(after, before, len);
    write_release(path, 13); /* and it goes on */
    assert_releases(path, 2);
    free(after);
    free(before);
    buf_release(&err);
    free(marker);
    free(path);
}

/* A killed first release of a new ledger: cut back to nothing, as new. */
static void test_killed_first_release_cut_off(void **state)
{
    (void)state;
    char *path = ledger_path(), *marker = xasprintf("%s.appending", path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    close(fd);
    stop_while_appending(path, SIGKILL);
    struct ledger l;
    struct buf err;
    buf_init(&err);
    bool io;
    assert_true(ledger_open(&l, path, false, &err, &io));
    assert_int_equal(l.n_releases, 0);
    assert_true(l.fresh);
    ledger_close(&l);
    assert_int_not_equal(access(marker, F_OK), 0);
    write_release(path, 12);
    assert_releases(path, 1);
    buf_release(&err);
    free(marker);
    free(path);
}

static void put_marker(const char *path, const char *text)
{
    char *marker = xasprintf("%s.appending", path);
    struct buf t;
    buf_init(&t);
    buf_puts(&t, text);
    write_text(marker, &t);
    buf_release(&t);
    free(marker);
}

/* The marker cuts only an unfinished last release that begins where it
 * says: a release with its end line removed, a marker that points
 * elsewhere or is not candour's stays an error, and the file is left as it
 * is.  A marker over a whole ledger (a run killed after its end line) is
 * removed, and nothing cut. */
static void test_marker_cuts_only_what_it_marks(void **state)
{
    (void)state;
    char *path = ledger_path(), *marker = xasprintf("%s.appending", path);
    write_release(path, 12);
    size_t first_len, len;
    free(slurp(path, &first_len));
    write_release(path, 13);
    unsigned char *whole = slurp(path, &len);
    bool io;
    struct ledger l;
    struct buf err, t;
    buf_init(&err);
    buf_init(&t);
    char text[64];
    snprintf(text, sizeof(text), "candour-ledger-append %zu\n", len);
    put_marker(path, text); /* stale: over a whole ledger */
    assert_releases(path, 2);
    assert_int_not_equal(access(marker, F_OK), 0);
    put_marker(path, ""); /* a run killed after making it, before its line */
    assert_true(ledger_open(&l, path, false, &err, &io));
    ledger_close(&l);
    assert_int_not_equal(access(marker, F_OK), 0);
    put_marker(path, "not candour's\n"); /* left alone */
    assert_true(ledger_open(&l, path, false, &err, &io));
    ledger_close(&l);
    assert_int_equal(access(marker, F_OK), 0);
    /* the last release's end line removed, and no marker or one that
     * points anywhere but where that release begins (first_len) */
    buf_append(&t, whole, len);
    t.data[t.len - 1] = '\0';
    t.len = (size_t)(strrchr(t.data, '\n') + 1 - t.data);
    write_text(path, &t);
    char *msg = open_error(path, &io);
    assert_non_null(strstr(msg, "the last release has no end line"));
    free(msg);
    char wrong[4][64];
    snprintf(wrong[0], sizeof(wrong[0]), "candour-ledger-append 0\n");
    snprintf(wrong[1], sizeof(wrong[1]), "candour-ledger-append %zu\n", first_len - 5);
    snprintf(wrong[2], sizeof(wrong[2]), "candour-ledger-append %zu\n", first_len + 5);
    snprintf(wrong[3], sizeof(wrong[3]), "candour-ledger-append %zu\n", len);
    const char *foreign[] = {wrong[0],
                             wrong[1],
                             wrong[2],
                             wrong[3],
                             "candour-ledger-append\n",
                             "candour-ledger-append 12x\n",
                             "candour-ledger-append 12",
                             "something else 12\n"};
    for (size_t i = 0; i < sizeof(foreign) / sizeof(*foreign); i++) {
        put_marker(path, foreign[i]);
        msg = open_error(path, &io);
        assert_non_null(strstr(msg, "the last release has no end line"));
        free(msg);
        free(slurp(path, &len));
        assert_int_equal(len, t.len); /* not cut */
    }
    /* the marker where the unfinished release begins, its last line cut
     * short in the middle of a write: cut off */
    snprintf(text, sizeof(text), "candour-ledger-append %zu\n", first_len);
    t.len -= 3;
    write_text(path, &t);
    put_marker(path, text);
    assert_releases(path, 1);
    unsigned char *cut = slurp(path, &len);
    assert_int_equal(len, first_len);
    assert_memory_equal(cut, whole, first_len);
    free(cut);
    buf_release(&t);
    buf_release(&err);
    free(whole);
    free(marker);
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
        cmocka_unit_test_setup_teardown(test_killed_release_cut_off, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_killed_first_release_cut_off, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_marker_cuts_only_what_it_marks, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_foreign_file_refused, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_symlink_and_mode_refused, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_locked_without_wait, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_changes_only, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_full_releases_read, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_changes_records_refused, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_changes_release_damage_refused, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_begun_release_cut_off, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_duplicate_keys, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_index_any_order, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_signal_cuts_release_off, make_scratch, remove_scratch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
