/* Unit tests for lib/atomic: a file appears complete or not at all. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "atomic.h"

#include "scratch.h"

static void assert_scratch(const char *expected)
{
    char *names = list_scratch();
    if (strcmp(names, expected) != 0)
        fail_msg("scratch directory holds '%s', expected '%s'", names, expected);
    free(names);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char text[256];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    return xstrndup(text, n);
}

/* fsync is interposed (this definition wins over libc's for the library
 * linked in): syncs of directories are counted, and fail with
 * dir_fsync_errno when it is set. */
static int dir_fsyncs;
static int dir_fsync_errno;

int fsync(int fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        dir_fsyncs++;
        if (dir_fsync_errno) {
            errno = dir_fsync_errno;
            return -1;
        }
    }
    return (int)syscall(SYS_fsync, fd);
}

static void write_committed(const char *path, const char *text)
{
    struct atomic_file af;
    struct buf err;
    buf_init(&err);
    if (!atomic_open(&af, path, 0644, &err))
        fail_msg("open: %s", err.data);
    fputs(text, af.fp);
    if (!atomic_commit(&af, &err))
        fail_msg("commit: %s", err.data);
    buf_release(&err);
}

/* A file's fsync does not make its new name durable: the directory is
 * synced after the renames, and after creating the journal, before them. */
static void test_commit_syncs_directory(void **state)
{
    (void)state;
    char *a = xasprintf("%s/a.csv", scratch), *b = xasprintf("%s/b.csv", scratch);
    char *journal = xasprintf("%s/.journal", scratch);
    dir_fsyncs = 0;
    write_committed(a, "one\n");
    assert_int_equal(dir_fsyncs, 1);
    struct atomic_file fa, fb;
    struct buf err;
    buf_init(&err);
    assert_true(atomic_open(&fa, a, 0644, &err) && atomic_open(&fb, b, 0644, &err));
    fputs("two\n", fa.fp);
    fputs("two\n", fb.fp);
    struct atomic_file *set[] = {&fa, &fb};
    dir_fsyncs = 0;
    if (!atomic_commit_all(set, 2, journal, &err))
        fail_msg("commit: %s", err.data);
    assert_int_equal(dir_fsyncs, 2); /* the journal's name, then the renames: one directory */
    assert_scratch("a.csv b.csv");
    buf_release(&err);
    unlink(a);
    unlink(b);
    free(a);
    free(b);
    free(journal);
}

/* A directory that cannot be synced: after the renames the new file is in
 * place and the commit fails saying so; before them (the journal) nothing
 * changes. */
static void test_directory_sync_fails(void **state)
{
    (void)state;
    char *a = xasprintf("%s/a.csv", scratch), *journal = xasprintf("%s/.journal", scratch);
    write_committed(a, "old\n");
    struct atomic_file af;
    struct buf err;
    buf_init(&err);
    assert_true(atomic_open(&af, a, 0644, &err));
    fputs("new\n", af.fp);
    dir_fsync_errno = EIO;
    bool ok = atomic_commit(&af, &err);
    dir_fsync_errno = 0;
    assert_false(ok);
    if (!strstr(err.data, ": cannot sync the directory: Input/output error (the new files are in "
                          "place but may not survive a power cut)"))
        fail_msg("message: %s", err.data);
    char *text = read_text(a);
    assert_string_equal(text, "new\n");
    free(text);
    assert_scratch("a.csv");
    buf_clear(&err);
    assert_true(atomic_open(&af, a, 0644, &err));
    fputs("newer\n", af.fp);
    struct atomic_file *set[] = {&af};
    dir_fsync_errno = EIO;
    ok = atomic_commit_all(set, 1, journal, &err);
    dir_fsync_errno = 0;
    assert_false(ok);
    if (!strstr(err.data, ": cannot sync the directory: Input/output error") ||
        strstr(err.data, "in place"))
        fail_msg("message: %s", err.data);
    text = read_text(a);
    assert_string_equal(text, "new\n"); /* the journal could not be made durable: no rename */
    free(text);
    assert_scratch("a.csv"); /* no journal, no temporary file */
    buf_release(&err);
    unlink(a);
    free(a);
    free(journal);
}

static void test_commit_mode_and_content(void **state)
{
    (void)state;
    static const struct {
        mode_t umask, mode, expected;
    } cases[] = {
        {022, 0644, 0644}, {022, 0666, 0644}, {077, 0644, 0600},
        {027, 0664, 0640}, {000, 0600, 0600}, {002, 0666, 0664},
    };
    char *path = xasprintf("%s/out.csv", scratch);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mode_t old = umask(cases[i].umask);
        struct atomic_file af;
        struct buf err;
        buf_init(&err);
        bool opened = atomic_open(&af, path, cases[i].mode, &err);
        umask(old);
        if (!opened)
            fail_msg("open: %s", err.data);
        assert_non_null(af.temp_path);
        fprintf(af.fp, "case %zu\n", i);
        /* nothing under the final name until commit; a hidden temporary beside it */
        struct stat st;
        if (i == 0)
            assert_int_not_equal(stat(path, &st), 0);
        assert_int_equal(stat(af.temp_path, &st), 0);
        assert_ptr_equal(strstr(af.temp_path, scratch), af.temp_path);
        assert_non_null(strstr(af.temp_path, "/.out.csv.tmp."));
        if (!atomic_commit(&af, &err))
            fail_msg("commit: %s", err.data);
        assert_int_equal(err.len, 0);
        assert_int_equal(stat(path, &st), 0);
        if ((st.st_mode & 07777) != cases[i].expected)
            fail_msg("umask %03o mode %03o: file mode %03o, expected %03o",
                     (unsigned)cases[i].umask, (unsigned)cases[i].mode,
                     (unsigned)(st.st_mode & 07777), (unsigned)cases[i].expected);
        char *text = read_text(path);
        char want[32];
        snprintf(want, sizeof(want), "case %zu\n", i);
        assert_string_equal(text, want); /* replaced, not appended */
        free(text);
        assert_scratch("out.csv");
        buf_release(&err);
    }
    unlink(path);
    free(path);
}


/* Blocks reserved ahead (atomic_reserve) while a file is written in blocks
 * (atomic_write_block): the bytes are those written, and the commit gives
 * back the reserve past the end (where the file system reserves at all:
 * the reserve is 32 MiB past what was asked). */
static void test_reserve_given_back(void **state)
{
    (void)state;
    char *path = xasprintf("%s/reserved.csv", scratch);
    struct atomic_file af;
    struct buf err;
    buf_init(&err);
    if (!atomic_open(&af, path, 0644, &err))
        fail_msg("open: %s", err.data);
    char block[5000];
    for (size_t i = 0; i < sizeof(block); i++)
        block[i] = (char)('a' + i % 26);
    unsigned long long written = 0;
    for (int k = 0; k < 3; k++) {
        atomic_reserve(&af, written + sizeof(block));
        assert_true(atomic_write_block(&af, block, sizeof(block)));
        written += sizeof(block);
    }
    assert_true(atomic_write(&af, "end\n", 4)); /* through stdio after blocks */
    bool reserved = af.reserved > 0;
    if (!atomic_commit(&af, &err))
        fail_msg("commit: %s", err.data);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 3 * sizeof(block) + 4);
    if (reserved && (long long)st.st_blocks * 512 > st.st_size + (1 << 20))
        fail_msg("%lld bytes of blocks kept for a file of %lld", (long long)st.st_blocks * 512,
                 (long long)st.st_size);
    size_t len;
    char *text = (char *)slurp(path, &len);
    assert_non_null(text);
    assert_int_equal(len, 3 * sizeof(block) + 4);
    for (int k = 0; k < 3; k++)
        assert_memory_equal(text + k * sizeof(block), block, sizeof(block));
    assert_memory_equal(text + 3 * sizeof(block), "end\n", 4);
    free(text);
    unlink(path);
    free(path);
    buf_release(&err);
}

static void test_abort_leaves_nothing(void **state)
{
    (void)state;
    char *path = xasprintf("%s/never.csv", scratch);
    struct atomic_file af;
    struct buf err;
    buf_init(&err);
    assert_true(atomic_open(&af, path, 0644, &err));
    fputs("partial output\n", af.fp);
    fflush(af.fp);
    assert_scratch(strrchr(af.temp_path, '/') + 1);
    atomic_abort(&af);
    assert_scratch("");
    atomic_abort(&af); /* a second abort does nothing */
    assert_scratch("");
    free(path);
    buf_release(&err);
}

/* A failed run keeps the previous file intact. */
static void test_abort_keeps_previous(void **state)
{
    (void)state;
    char *path = xasprintf("%s/kept.csv", scratch);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("previous\n", f);
    fclose(f);
    struct atomic_file af;
    struct buf err;
    buf_init(&err);
    assert_true(atomic_open(&af, path, 0644, &err));
    fputs("new but abandoned\n", af.fp);
    atomic_abort(&af);
    char *text = read_text(path);
    assert_string_equal(text, "previous\n");
    free(text);
    assert_scratch("kept.csv");
    unlink(path);
    free(path);
    buf_release(&err);
}

/* More files open at once than the signal table holds still work. */
static void test_many_open(void **state)
{
    (void)state;
    enum { N = 40 };
    struct atomic_file af[N];
    struct buf err;
    buf_init(&err);
    for (int i = 0; i < N; i++) {
        char *path = xasprintf("%s/f%02d", scratch, i);
        assert_true(atomic_open(&af[i], path, 0644, &err));
        fprintf(af[i].fp, "%d\n", i);
        free(path);
    }
    for (int i = 0; i < N; i++) {
        if (i % 2)
            atomic_abort(&af[i]);
        else
            assert_true(atomic_commit(&af[i], &err));
    }
    assert_scratch("f00 f02 f04 f06 f08 f10 f12 f14 f16 f18 f20 f22 f24 f26 f28 f30 f32 f34 "
                   "f36 f38");
    empty_scratch();
    buf_release(&err);
}

static void test_dev_full_fails_at_commit(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    struct atomic_file af;
    struct buf err;
    buf_init(&err);
    assert_true(atomic_open(&af, "/dev/full", 0644, &err));
    assert_null(af.temp_path); /* not a regular file: written directly */
    fputs("a line that cannot be written\n", af.fp);
    assert_false(atomic_commit(&af, &err));
    assert_string_equal(err.data, "/dev/full: write failed: No space left on device");
    buf_release(&err);
}

static void test_open_errors(void **state)
{
    (void)state;
    static const struct {
        const char *name;  /* under the scratch directory */
        const char *error; /* after "<scratch>/" */
    } cases[] = {
        {"missing/out.csv", "missing/out.csv: cannot create a file in its directory: No such "
                            "file or directory"},
        {"a/b/c/out.csv", "a/b/c/out.csv: cannot create a file in its directory: No such file "
                          "or directory"},
        {"", ": is a directory"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *path = xasprintf("%s/%s", scratch, cases[i].name);
        char *want = xasprintf("%s/%s", scratch, cases[i].error);
        struct atomic_file af;
        struct buf err;
        buf_init(&err);
        if (atomic_open(&af, path, 0644, &err))
            fail_msg("'%s' opened", path);
        assert_string_equal(err.data, want);
        assert_null(af.fp);
        assert_null(af.final_path);
        assert_null(af.temp_path);
        atomic_abort(&af); /* harmless after a failed open */
        assert_scratch("");
        free(path);
        free(want);
        buf_release(&err);
    }
}

/* A relative name without a directory puts the temporary in the current one. */
static void test_relative_path(void **state)
{
    (void)state;
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(scratch), 0);
    struct atomic_file af;
    struct buf err;
    buf_init(&err);
    bool ok = atomic_open(&af, "rel.txt", 0644, &err);
    if (ok) {
        assert_string_equal(af.final_path, "rel.txt");
        assert_int_equal(strncmp(af.temp_path, ".rel.txt.tmp.", 13), 0);
        fputs("x", af.fp);
        ok = atomic_commit(&af, &err);
    }
    assert_int_equal(chdir(cwd), 0);
    if (!ok)
        fail_msg("%s", err.data);
    assert_scratch("rel.txt");
    empty_scratch();
    buf_release(&err);
}

/* A fatal signal removes the temporary file before the process dies. */
static void test_signal_removes_temp(void **state)
{
    (void)state;
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            char *path = xasprintf("%s/killed.csv", scratch);
            struct atomic_file af;
            struct buf err;
            buf_init(&err);
            if (!atomic_open(&af, path, 0644, &err))
                _exit(3);
            fputs("partial\n", af.fp);
            fflush(af.fp);
            raise(sigs[i]);
            _exit(4); /* not reached */
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != sigs[i])
            fail_msg("child did not die of signal %d (status %d)", sigs[i], status);
        assert_scratch("");
    }
}

/* #15.1: a link planted at the final name is replaced by the new file, its
 * target never written; a link to a character device (/dev/stdout, here
 * /dev/null) is written in place; a named pipe with no reader is an error,
 * not a hang; a link to a directory is an error. */
static void test_planted_links(void **state)
{
    (void)state;
    char *victim = xasprintf("%s/victim", scratch), *out = xasprintf("%s/out.csv", scratch);
    write_committed(victim, "precious");
    assert_int_equal(symlink("victim", out), 0);
    write_committed(out, "new");
    struct stat st;
    assert_int_equal(lstat(out, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    char *text = read_text(victim);
    assert_string_equal(text, "precious");
    free(text);

    char *null_link = xasprintf("%s/null", scratch);
    assert_int_equal(symlink("/dev/null", null_link), 0);
    struct atomic_file af;
    struct buf err;
    buf_init(&err);
    assert_true(atomic_open(&af, null_link, 0644, &err));
    assert_null(af.temp_path);
    fputs("discarded\n", af.fp);
    assert_true(atomic_commit(&af, &err));
    assert_int_equal(lstat(null_link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));

    char *fifo = xasprintf("%s/pipe", scratch);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_false(atomic_open(&af, fifo, 0644, &err));
    char *want = xasprintf("%s: a named pipe with no reader (start the reader first)", fifo);
    assert_string_equal(err.data, want);
    free(want);

    char *dir_link = xasprintf("%s/dir", scratch);
    assert_int_equal(symlink(".", dir_link), 0);
    buf_clear(&err);
    assert_false(atomic_open(&af, dir_link, 0644, &err));
    want = xasprintf("%s: is a directory", dir_link);
    assert_string_equal(err.data, want);
    free(want);
    assert_scratch("dir null out.csv pipe victim");
    buf_release(&err);
    free(victim);
    free(out);
    free(null_link);
    free(fifo);
    free(dir_link);
}

static struct atomic_file *open_with(const char *path, const char *text)
{
    struct atomic_file *af = xcalloc(1, sizeof(*af));
    struct buf err;
    buf_init(&err);
    if (!atomic_open(af, path, 0644, &err))
        fail_msg("open: %s", err.data);
    fputs(text, af->fp);
    buf_release(&err);
    return af;
}

/* atomic_commit_set: the files of the previous set that the new one leaves
 * out are gone after the commit (a symbolic link itself, never what it
 * points to; a name with nothing there is no error), with nothing left
 * beside them; a stale name that is a directory stops the commit before
 * anything changes. */
static void test_commit_set_removes_stale(void **state)
{
    (void)state;
    char *kept = xasprintf("%s/kept.csv", scratch), *old = xasprintf("%s/old.csv", scratch),
         *link_path = xasprintf("%s/link.csv", scratch), *none = xasprintf("%s/none.csv", scratch),
         *victim = xasprintf("%s/victim", scratch), *journal = xasprintf("%s/journal", scratch);
    write_committed(old, "previous run");
    write_committed(victim, "precious");
    assert_int_equal(symlink("victim", link_path), 0);
    struct atomic_file *af = open_with(kept, "new run");
    const char *stale[] = {old, none, link_path};
    struct buf err;
    buf_init(&err);
    if (!atomic_commit_set(&af, 1, stale, 3, journal, &err))
        fail_msg("commit: %s", err.data);
    free(af);
    assert_scratch("kept.csv victim");
    char *text = read_text(victim);
    assert_string_equal(text, "precious");
    free(text);

    assert_int_equal(mkdir(old, 0755), 0);
    af = open_with(kept, "newer run");
    const char *dir_stale[] = {none, old};
    assert_false(atomic_commit_set(&af, 1, dir_stale, 2, journal, &err));
    free(af);
    char *want = xasprintf("%s: not a regular file: cannot remove the table this run does not "
                           "write",
                           old);
    assert_string_equal(err.data, want);
    free(want);
    assert_scratch("kept.csv old.csv victim");
    text = read_text(kept);
    assert_string_equal(text, "new run");
    free(text);
    rmdir(old);
    unlink(kept);
    unlink(victim);
    buf_release(&err);
    free(kept);
    free(old);
    free(link_path);
    free(none);
    free(victim);
    free(journal);
}

/* #16: large previous versions are freed after the commit by a detached
 * process, off the run's critical path.  What must hold: the commit
 * returns with the directory holding the new set only, and with nothing of
 * the caller's held by that process: a pipe's write end (a reader of the
 * run's output waiting for EOF) and an flock (the results directory's
 * lock, which the next run takes with --no-wait) are free the moment the
 * caller drops them; and the previous version's file is really freed
 * (inotify's IN_DELETE_SELF comes when its last reference goes). */
static void test_large_previous_released(void **state)
{
    (void)state;
    char *big = xasprintf("%s/big.csv", scratch), *lock_path = xasprintf("%s/lock", scratch),
         *journal = xasprintf("%s/journal", scratch);
    write_committed(big, "previous run");
    assert_int_equal(truncate(big, 64 << 20), 0); /* above the size freed in place */
    int watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    assert_true(watch >= 0);
    assert_true(inotify_add_watch(watch, big, IN_DELETE_SELF) >= 0);
    int lock_fd = open(lock_path, O_RDWR | O_CREAT, 0644); /* inherited by a fork */
    assert_true(lock_fd >= 0);
    assert_int_equal(flock(lock_fd, LOCK_EX), 0);
    int out[2];
    assert_int_equal(pipe(out), 0);

    struct atomic_file *af = open_with(big, "new run");
    struct buf err;
    buf_init(&err);
    if (!atomic_commit_set(&af, 1, NULL, 0, journal, &err))
        fail_msg("commit: %s", err.data);
    free(af);
    assert_scratch("big.csv lock");
    char *text = read_text(big);
    assert_string_equal(text, "new run");
    free(text);

    close(out[1]);
    struct pollfd eof = {.fd = out[0], .events = POLLIN};
    assert_int_equal(poll(&eof, 1, 0), 1); /* at once: no one else has the write end */
    char byte;
    assert_int_equal(read(out[0], &byte, 1), 0);
    close(out[0]);
    close(lock_fd);
    int again = open(lock_path, O_RDWR);
    assert_true(again >= 0);
    assert_int_equal(flock(again, LOCK_EX | LOCK_NB), 0); /* the lock went with our descriptor */
    close(again);

    struct pollfd freed = {.fd = watch, .events = POLLIN};
    assert_int_equal(poll(&freed, 1, 10000), 1);
    union {
        struct inotify_event event;
        char space[4 * (sizeof(struct inotify_event) + 256)];
    } events;
    ssize_t got = read(watch, &events, sizeof(events));
    assert_true(got >= (ssize_t)sizeof(struct inotify_event));
    assert_true(events.event.mask & IN_DELETE_SELF);
    close(watch);
    unlink(big);
    unlink(lock_path);
    buf_release(&err);
    free(big);
    free(lock_path);
    free(journal);
}

int main(void)
{
    /* A job started in the background by a shell (nohup, `make check &`)
     * inherits SIGINT ignored, and lib/atomic.c rightly keeps an inherited
     * SIG_IGN; test_signal_removes_temp needs the signals fatal, as they are
     * in a foreground run, so the suite starts from the default dispositions
     * (before any atomic_open installs the handlers). */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit_mode_and_content, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_reserve_given_back, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_abort_keeps_previous, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_many_open, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_dev_full_fails_at_commit, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_open_errors, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_planted_links, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_commit_set_removes_stale, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_large_previous_released, make_scratch,
                                        remove_scratch),
        cmocka_unit_test_setup_teardown(test_relative_path, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_signal_removes_temp, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_commit_syncs_directory, make_scratch, remove_scratch),
        cmocka_unit_test_setup_teardown(test_directory_sync_fails, make_scratch, remove_scratch),
    };
    return cmocka_run_group_tests_name("atomic", tests, NULL, NULL);
}
