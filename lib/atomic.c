#define _GNU_SOURCE /* sync_file_range */
#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Temporary paths to remove if a signal ends the run.  Fixed-size storage so
 * the handler needs nothing but unlink(), which is async-signal-safe. */
#define MAX_PENDING 32
#define PENDING_PATH_MAX 4096
static char pending[MAX_PENDING][PENDING_PATH_MAX];
static volatile sig_atomic_t pending_used[MAX_PENDING];
static bool handlers_installed;
/* candour-stats writes its tables from two threads. */
static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;

/* atomic_cut_on_signal's file and size (ftruncate is async-signal-safe). */
static volatile sig_atomic_t cut_fd = -1;
static off_t cut_size;

static void on_fatal_signal(int sig)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending_used[i])
            unlink(pending[i]);
    if (cut_fd >= 0 && ftruncate(cut_fd, cut_size) != 0) {
        /* nothing more a handler can do: the next run names the line */
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void)
{
    if (handlers_installed)
        return;
    handlers_installed = true;
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    for (size_t i = 0; i < ARRAY_LEN(sigs); i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue; /* respect nohup and the like */
        sigaction(sigs[i], &sa, NULL);
    }
}

void atomic_cut_on_signal(int fd, off_t size)
{
    cut_fd = -1; /* never a new descriptor with the old size */
    cut_size = size;
    if (fd >= 0) {
        pthread_mutex_lock(&pending_lock);
        install_handlers();
        pthread_mutex_unlock(&pending_lock);
    }
    cut_fd = fd;
}

static int remember(const char *path)
{
    if (strlen(path) >= PENDING_PATH_MAX)
        return -1;
    int slot = -1;
    pthread_mutex_lock(&pending_lock);
    install_handlers();
    for (int i = 0; i < MAX_PENDING && slot < 0; i++)
        if (!pending_used[i]) {
            strcpy(pending[i], path);
            pending_used[i] = 1;
            slot = i;
        }
    pthread_mutex_unlock(&pending_lock);
    return slot;
}

static void forget(int slot)
{
    if (slot < 0)
        return;
    pthread_mutex_lock(&pending_lock);
    pending_used[slot] = 0;
    pthread_mutex_unlock(&pending_lock);
}

/* stdio's default buffer is a page: candour-stats writes about a gigabyte
 * of tables for a national year, and 4 KiB writes cost this machine 4.5 s
 * of system time per 1.2 GB where 512 KiB writes cost 0.5 s (dd, measured).
 * glibc ignores the size asked with a NULL buffer, so the buffer is ours. */
#define ATOMIC_BUFFER_SIZE (512 * 1024)
static void use_large_buffer(struct atomic_file *af)
{
    af->buffer = malloc(ATOMIC_BUFFER_SIZE);
    if (af->buffer && setvbuf(af->fp, af->buffer, _IOFBF, ATOMIC_BUFFER_SIZE) != 0) {
        free(af->buffer); /* keep stdio's own */
        af->buffer = NULL;
    }
}

/* Where the output is not a regular file to replace, open it to write in
 * place: only a character device (/dev/null, a terminal) or a pipe, itself
 * or behind a symbolic link (/dev/stdout, /dev/fd/N), never with O_CREAT or
 * O_TRUNC, and a named pipe only when a reader is already there (a planted
 * one must not hang the run).  Anything else (a regular file, nothing yet, a
 * link to either) is replaced by rename, which replaces a link itself and
 * never writes through it.  Returns 1 when opened in place, 0 when the
 * caller should write a temporary file, -1 on error (message in err). */
static int open_in_place(struct atomic_file *af, const char *path, struct buf *err)
{
    struct stat st;
    if (lstat(path, &st) != 0 || S_ISREG(st.st_mode))
        return 0;
    if (S_ISLNK(st.st_mode) && stat(path, &st) != 0)
        return 0; /* a dangling link: replaced */
    if (S_ISDIR(st.st_mode)) {
        buf_printf(err, "%s: is a directory", path);
        return -1;
    }
    if (S_ISREG(st.st_mode))
        return 0;
    if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        buf_printf(err, "%s: not a regular file, a character device or a pipe", path);
        return -1;
    }
    int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENXIO)
            buf_printf(err, "%s: a named pipe with no reader (start the reader first)", path);
        else
            buf_printf(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 || !(af->fp = fdopen(fd, "wb"))) {
        buf_printf(err, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return 1;
}

bool atomic_open(struct atomic_file *af, const char *path, mode_t mode, struct buf *err)
{
    memset(af, 0, sizeof(*af));
    af->slot = -1;
    af->final_path = xstrdup(strcmp(path, "-") == 0 ? "(stdout)" : path);
    if (strcmp(path, "-") == 0) {
        af->fp = stdout;
        return true;
    }
    int in_place = open_in_place(af, path, err);
    if (in_place < 0)
        goto fail;
    if (in_place > 0)
        return true;
    const char *slash = strrchr(path, '/');
    if (slash)
        af->temp_path = xasprintf("%.*s/.%s.tmp.XXXXXX", (int)(slash - path), path, slash + 1);
    else
        af->temp_path = xasprintf(".%s.tmp.XXXXXX", path);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old); /* no signal between create and remember */
    int fd = mkstemp(af->temp_path);
    int saved = errno;
    if (fd >= 0)
        af->slot = remember(af->temp_path);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        buf_printf(err, "%s: cannot create a file in its directory: %s", path, strerror(saved));
        goto fail;
    }
    pthread_mutex_lock(&pending_lock); /* umask can only be read by setting it */
    mode_t mask = umask(0);
    umask(mask);
    pthread_mutex_unlock(&pending_lock);
    if (fchmod(fd, mode & ~mask) != 0 || !(af->fp = fdopen(fd, "wb"))) {
        buf_printf(err, "%s: %s", path, strerror(errno));
        close(fd);
        unlink(af->temp_path);
        forget(af->slot);
        goto fail;
    }
    use_large_buffer(af);
    return true;
fail:
    free(af->final_path);
    free(af->temp_path);
    memset(af, 0, sizeof(*af));
    af->slot = -1;
    return false;
}

static void release(struct atomic_file *af)
{
    free(af->final_path);
    free(af->temp_path);
    free(af->buffer);
    af->buffer = NULL;
    af->final_path = af->temp_path = NULL;
    af->fp = NULL;
}

/* Flush, fsync and close af, keeping its temporary name.  False with a
 * message in err when any of them fails. */
bool atomic_write(struct atomic_file *af, const void *data, size_t len)
{
    if (len == 0 || fwrite(data, 1, len, af->fp) == len)
        return true;
    if (!af->write_errno)
        af->write_errno = errno;
    return false;
}

bool atomic_write_block(struct atomic_file *af, const void *data, size_t len)
{
    if (len == 0)
        return true;
    if (af->write_errno || fflush(af->fp) != 0) {
        if (!af->write_errno)
            af->write_errno = errno ? errno : EIO;
        return false;
    }
    const char *at = data;
    while (len > 0) {
        ssize_t n = write(fileno(af->fp), at, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            af->write_errno = n < 0 ? errno : EIO;
            return false;
        }
        at += n;
        len -= (size_t)n;
    }
    return true;
}

#define ATOMIC_RESERVE_STEP (32ull << 20)

void atomic_reserve(struct atomic_file *af, unsigned long long end)
{
#ifdef FALLOC_FL_KEEP_SIZE
    if (!af->temp_path || af->reserved < 0 || end <= (unsigned long long)af->reserved)
        return;
    unsigned long long to = end + ATOMIC_RESERVE_STEP;
    if (fallocate(fileno(af->fp), FALLOC_FL_KEEP_SIZE, (off_t)af->reserved,
                  (off_t)(to - (unsigned long long)af->reserved)) == 0)
        af->reserved = (long long)to;
    else
        af->reserved = -1; /* not here: never again for this file */
#else
    (void)af;
    (void)end;
#endif
}

/* Give back the blocks reserved past the file's end: truncating a file to
 * its own size frees them.  Best effort, as the reserving was. */
static void give_back_reserve(struct atomic_file *af)
{
    struct stat st;
    if (af->reserved > 0 && fstat(fileno(af->fp), &st) == 0 && st.st_size < af->reserved)
        (void)ftruncate(fileno(af->fp), st.st_size);
}

void atomic_start_sync(struct atomic_file *af)
{
    if (!af->temp_path)
        return;
    if (fflush(af->fp) != 0) { /* the commit reports it, with this reason */
        if (!af->write_errno)
            af->write_errno = errno;
        return;
    }
#ifdef SYNC_FILE_RANGE_WRITE
    (void)sync_file_range(fileno(af->fp), 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

static bool sync_file(struct atomic_file *af, struct buf *err)
{
    bool ok = true;
    errno = 0;
    if (fflush(af->fp) != 0 || ferror(af->fp) || af->write_errno) {
        /* A write that failed earlier (in atomic_write, or flushed by someone
         * else's fflush(NULL)) left only the error flag: errno now is stale.
         * One of atomic_write_block's left write_errno alone. */
        int why = af->write_errno ? af->write_errno : errno;
        if (why)
            buf_printf(err, "%s: write failed: %s", af->final_path, strerror(why));
        else
            buf_printf(err, "%s: write failed", af->final_path);
        ok = false;
    }
    if (ok)
        give_back_reserve(af);
    if (ok && af->temp_path && fsync(fileno(af->fp)) != 0) {
        buf_printf(err, "%s: write failed: %s", af->final_path, strerror(errno));
        ok = false;
    }
    if (af->fp != stdout && fclose(af->fp) != 0 && ok) {
        buf_printf(err, "%s: write failed: %s", af->final_path, strerror(errno));
        ok = false;
    }
    af->fp = NULL;
    return ok;
}

/* Filesystems without hard links (FAT, some network shares) say so with
 * these; any other failure to keep a previous version stops the commit. */
static bool links_unsupported(int e)
{
    return e == EPERM || e == EOPNOTSUPP || e == ENOSYS || e == EMLINK;
}

/* Put the first n files of a failed commit back as they were: the previous
 * version from its backup, or no file when there was none.  True when every
 * one was restored. */
static bool roll_back(struct atomic_file *const *files, char **backups, const bool *had_previous,
                      size_t n)
{
    bool restored = true;
    for (size_t i = 0; i < n; i++) {
        if (!files[i]->temp_path)
            continue;
        if (backups[i]) {
            if (rename(backups[i], files[i]->final_path) != 0)
                restored = false;
            else {
                free(backups[i]);
                backups[i] = NULL;
            }
        } else if (had_previous[i] || unlink(files[i]->final_path) != 0) {
            restored = false; /* no backup of the previous version could be kept */
        }
    }
    return restored;
}

/* Three steps:
 *  1. every file is flushed, fsynced and closed under its temporary name
 *     (where a full disk or an I/O error shows);
 *  2. with catchable signals blocked from here on, the previous version of
 *     every file but the last is kept as a hard link (TEMP.old), so that a
 *     failed rename can put it back;
 *  3. the journal file is created, the files are renamed into place in
 *     order and the journal is removed.
 * A failure in step 1 or 2 leaves every final name as it was.  A failed
 * rename in step 3 puts back the files already renamed.  Only SIGKILL or a
 * crash inside step 3 can leave some files new and some old: the journal
 * then stays behind (readers refuse the set) and so do the backups, under
 * temporary names. */
/* fsync the directory of path, so that a rename or a new name in it is on
 * disk too (fsync of a file covers its data, not its name).  Filesystems
 * that cannot sync a directory say so with EINVAL or the like: nothing
 * more can be done there, so that is no error. */
static bool sync_directory_of(const char *path, const char *consequence, struct buf *err)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash == path ? xstrdup("/")
                : slash       ? xstrndup(path, (size_t)(slash - path))
                              : xstrdup(".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = true;
    if (fd >= 0) {
        if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP &&
            errno != EBADF) {
            buf_printf(err, "%s: cannot sync the directory: %s%s", dir, strerror(errno),
                       consequence);
            ok = false;
        }
        close(fd);
    }
    free(dir);
    return ok;
}

/* Each distinct directory of the committed files synced once. */
static bool sync_directories(struct atomic_file *const *files, size_t n, struct buf *err)
{
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (!files[i]->temp_path)
            continue;
        const char *slash = strrchr(files[i]->final_path, '/');
        size_t dir_len = slash ? (size_t)(slash - files[i]->final_path) : 0;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++) {
            const char *other = strrchr(files[k]->final_path, '/');
            size_t other_len = other ? (size_t)(other - files[k]->final_path) : 0;
            seen = files[k]->temp_path && other_len == dir_len &&
                   strncmp(files[k]->final_path, files[i]->final_path, dir_len) == 0;
        }
        if (!seen)
            ok = sync_directory_of(files[i]->final_path,
                                   " (the new files are in place but may not survive a power cut)",
                                   err);
    }
    return ok;
}

/* What a journal holds, so that one left by a killed run can be told from a
 * file someone else put at its name. */
#define JOURNAL_TEXT "candour journal: the files of this set are being replaced\n"

/* Is the entry st at path a journal a killed run of ours left behind: a
 * regular file (not a link) with one name, ours, holding JOURNAL_TEXT? */
static bool journal_left_by_us(const char *path, const struct stat *st)
{
    size_t len = strlen(JOURNAL_TEXT);
    if (!S_ISREG(st->st_mode) || st->st_nlink != 1 || st->st_uid != geteuid() ||
        st->st_size != (off_t)len)
        return false;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    char text[sizeof(JOURNAL_TEXT)];
    ssize_t n = read(fd, text, sizeof(text));
    struct stat now;
    bool same = fstat(fd, &now) == 0 && now.st_dev == st->st_dev && now.st_ino == st->st_ino;
    close(fd);
    return same && n == (ssize_t)len && memcmp(text, JOURNAL_TEXT, len) == 0;
}

/* Create the journal at path, never through a link or over a file we did
 * not make (O_CREAT | O_EXCL | O_NOFOLLOW): one a killed run of ours left
 * is removed first; anything else at the name is an error naming it.  Its
 * text is synced, so that a later run can recognise it.  On failure nothing
 * is left at path that was not there before. */
static bool journal_create(const char *path, struct buf *err)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!journal_left_by_us(path, &st)) {
            buf_printf(err,
                       "%s: %s, not a journal written by candour: check what made it, "
                       "remove it and run again",
                       path, S_ISLNK(st.st_mode) ? "is a symbolic link" : "exists");
            return false;
        }
        if (unlink(path) != 0 && errno != ENOENT) {
            buf_printf(err, "%s: cannot remove the journal of an earlier run: %s", path,
                       strerror(errno));
            return false;
        }
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        buf_printf(err, "%s: cannot create: %s", path, strerror(errno));
        return false;
    }
    size_t len = strlen(JOURNAL_TEXT);
    ssize_t n = write(fd, JOURNAL_TEXT, len);
    int why = n < 0 ? errno : ENOSPC;
    bool ok = n == (ssize_t)len;
    if (ok && fsync(fd) != 0) {
        why = errno;
        ok = false;
    }
    if (close(fd) != 0 && ok) {
        why = errno;
        ok = false;
    }
    if (!ok) {
        unlink(path);
        buf_printf(err, "%s: cannot create: %s", path, strerror(why));
    }
    return ok;
}

/* Files of the previous set that the new set leaves out (atomic_commit_set).
 * Each is moved aside, not unlinked, so that a failed commit can put it
 * back: its second name is reserved first with mkstemp (a name nobody else
 * holds, never a planted file or link), then the stale entry is renamed
 * over it, which moves a symbolic link itself and never what it points to. */
struct stale_set {
    const char *const *paths;
    size_t n;
    char **aside;   /* reserved second names, NULL where nothing is there */
    size_t removed; /* paths[0..removed) moved aside by this commit */
};

/* Reserve a second name for each stale path that holds a file or a link;
 * false (message in err) when one cannot be made. */
static bool stale_reserve(struct stale_set *st, struct buf *err)
{
    st->aside = xcalloc(st->n ? st->n : 1, sizeof(char *));
    for (size_t i = 0; i < st->n; i++) {
        struct stat sb;
        if (lstat(st->paths[i], &sb) != 0)
            continue; /* nothing to remove */
        if (!S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode)) {
            buf_printf(err,
                       "%s: not a regular file: cannot remove the table this run does "
                       "not write",
                       st->paths[i]);
            return false;
        }
        const char *slash = strrchr(st->paths[i], '/');
        st->aside[i] = slash ? xasprintf("%.*s/.%s.removed.XXXXXX", (int)(slash - st->paths[i]),
                                         st->paths[i], slash + 1)
                             : xasprintf(".%s.removed.XXXXXX", st->paths[i]);
        int fd = mkstemp(st->aside[i]);
        if (fd < 0) {
            buf_printf(err, "%s: cannot create a file in its directory: %s", st->paths[i],
                       strerror(errno));
            free(st->aside[i]);
            st->aside[i] = NULL;
            return false;
        }
        close(fd);
    }
    return true;
}

/* Move the stale files aside, in order; false (message in err) at the first
 * that cannot be. */
static bool stale_remove(struct stale_set *st, struct buf *err)
{
    for (; st->removed < st->n; st->removed++) {
        const char *path = st->paths[st->removed], *aside = st->aside[st->removed];
        if (aside && rename(path, aside) != 0 && errno != ENOENT) {
            buf_printf(err, "%s: cannot remove the table this run does not write: %s", path,
                       strerror(errno));
            return false;
        }
    }
    return true;
}

/* After a failed commit: put the files moved aside back under their names.
 * False when one cannot be. */
static bool stale_restore(struct stale_set *st)
{
    bool ok = true;
    for (size_t i = 0; i < st->removed; i++)
        if (st->aside[i] && rename(st->aside[i], st->paths[i]) != 0)
            ok = false;
        else if (st->aside[i]) {
            free(st->aside[i]);
            st->aside[i] = NULL;
        }
    return ok;
}

/* Remove the second names (the files set aside, or the empty reservations),
 * except, when keep, those of files moved aside: then the only copy left. */
static void stale_release(struct stale_set *st, bool keep)
{
    for (size_t i = 0; i < st->n && st->aside; i++) {
        if (st->aside[i] && !(keep && i < st->removed))
            unlink(st->aside[i]);
        free(st->aside[i]);
    }
    free(st->aside);
}

/* The previous versions a commit replaces or removes, held open across
 * the renames and unlinks that take their names, so that those cost only
 * the names: the last reference to a file is what frees its blocks and
 * its page cache, and that is dropped after the commit, by a detached
 * process when the files are large (release_held).  Freeing them in place
 * cost the organisation-level national run 0.2 s of its 1 s (its previous
 * 794 MB: strace -T, the unlinks of the backups) after the commit. */
struct held_files {
    int fd[4 * MAX_PENDING];
    size_t n;
    unsigned long long bytes;
};

/* Hold the regular file at path, if there is one we can open; best effort
 * (one not held is freed in place, as before).  Nothing else is opened: a
 * device or a pipe planted at the name is left to the commit's checks. */
static void hold_previous(struct held_files *h, const char *path)
{
    struct stat st;
    if (h->n >= ARRAY_LEN(h->fd) || lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return;
    }
    h->fd[h->n++] = fd;
    h->bytes += (unsigned long long)st.st_size;
}

/* Below this many bytes held, freeing in place costs less than a fork. */
#define RELEASE_DETACHED_MIN (32ull << 20)

/* In the detached process: close every descriptor inherited but the n in
 * keep (sorted), so that it holds no lock, pipe or terminal of the run.
 * Async-signal-safe (a fork of a threaded process). */
static void close_all_but(const int *keep, size_t n, int open_max)
{
    unsigned int from = 0;
    bool ranges = true;
    for (size_t i = 0; i <= n && ranges; i++) {
        unsigned int to = i < n ? (unsigned int)keep[i] : ~0u;
        if (to > from)
#ifdef SYS_close_range
            ranges = syscall(SYS_close_range, from, i < n ? to - 1 : to, 0) == 0;
#else
            ranges = false;
#endif
        from = to + 1;
    }
    if (ranges)
        return;
    for (int fd = 0; fd < open_max; fd++) { /* a kernel before 5.9 */
        bool kept = false;
        for (size_t i = 0; i < n && !kept; i++)
            kept = keep[i] == fd;
        if (!kept)
            close(fd);
    }
}

static void read_to_eof(int fd)
{
    char byte;
    for (;;) {
        ssize_t got = read(fd, &byte, 1);
        if (got == 0 || (got < 0 && errno != EINTR))
            return;
    }
}

/* The detached process: made by a process that exits at once, so that no
 * one has to reap it; it keeps h's descriptors only, tells the committing
 * process so (ready's EOF), waits until that process has dropped its own
 * references (go's EOF) and drops the last ones: the kernel's freeing
 * happens there.  SIGKILL of either changes nothing but who frees. */
static void detached_release(struct held_files *h, int go_read, int ready_write, int open_max)
{
    pid_t grandchild = fork();
    if (grandchild != 0)
        _exit(0);
    /* never on_fatal_signal here: it would remove the temporary files
     * another thread of the run may still be writing */
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (size_t i = 0; i < ARRAY_LEN(sigs); i++) {
        struct sigaction was;
        if (sigaction(sigs[i], NULL, &was) == 0 && was.sa_handler == on_fatal_signal)
            sigaction(sigs[i], &dfl, NULL);
    }
    int keep[ARRAY_LEN(h->fd) + 2];
    size_t n = 0;
    for (size_t i = 0; i < h->n; i++)
        keep[n++] = h->fd[i];
    keep[n++] = go_read;
    keep[n++] = ready_write;
    for (size_t i = 1; i < n; i++) /* insertion sort: nothing here may allocate */
        for (size_t k = i; k > 0 && keep[k - 1] > keep[k]; k--) {
            int t = keep[k];
            keep[k] = keep[k - 1];
            keep[k - 1] = t;
        }
    close_all_but(keep, n, open_max);
    close(ready_write);
    read_to_eof(go_read);
    for (size_t i = 0; i < h->n; i++)
        close(h->fd[i]);
    _exit(0);
}

/* Drop the held previous versions.  Large ones are given to a detached
 * process (detached_release) and returns once that process holds nothing
 * else of ours (no output lock, no pipe: the next run or a reader of our
 * output never waits for it); small ones, or where that cannot be
 * started, are freed here. */
static void release_held(struct held_files *h)
{
    int go[2] = {-1, -1}, ready[2] = {-1, -1};
    pid_t child = -1;
    if (h->bytes >= RELEASE_DETACHED_MIN && pipe2(go, O_CLOEXEC) == 0) {
        if (pipe2(ready, O_CLOEXEC) == 0) {
            long open_max = sysconf(_SC_OPEN_MAX);
            child = fork(); /* its processes end with _exit: no stdio flushed twice */
            if (child == 0)
                detached_release(h, go[0], ready[1],
                                 open_max > 0 && open_max < 65536 ? (int)open_max : 65536);
            close(ready[1]);
        }
        close(go[0]);
    }
    for (size_t i = 0; i < h->n; i++)
        close(h->fd[i]);
    h->n = 0;
    if (go[1] >= 0)
        close(go[1]);
    if (child > 0) {
        read_to_eof(ready[0]);
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    if (ready[0] >= 0)
        close(ready[0]);
}

bool atomic_commit_all(struct atomic_file *const *files, size_t n, const char *journal,
                       struct buf *err)
{
    return atomic_commit_set(files, n, NULL, 0, journal, err);
}

bool atomic_commit_set(struct atomic_file *const *files, size_t n, const char *const *stale,
                       size_t n_stale, const char *journal, struct buf *err)
{
    struct stale_set old_files = {stale, n_stale, NULL, 0};
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (ok)
            ok = sync_file(files[i], err);
        else if (files[i]->fp && files[i]->fp != stdout)
            fclose(files[i]->fp);
        files[i]->fp = NULL;
    }
    char **backups = xcalloc(n ? n : 1, sizeof(char *));
    bool *had_previous = xcalloc(n ? n : 1, sizeof(bool));
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    struct held_files held = {.n = 0};
    for (size_t i = 0; ok && i < n; i++)
        if (files[i]->temp_path)
            hold_previous(&held, files[i]->final_path);
    for (size_t i = 0; ok && i < n_stale; i++)
        hold_previous(&held, stale[i]);
    for (size_t i = 0; ok && i + 1 < n; i++) {
        struct stat st;
        if (!files[i]->temp_path || lstat(files[i]->final_path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        had_previous[i] = true;
        backups[i] = xasprintf("%s.old", files[i]->temp_path);
        if (link(files[i]->final_path, backups[i]) != 0) {
            int saved = errno;
            free(backups[i]);
            backups[i] = NULL;
            if (!links_unsupported(saved)) {
                buf_printf(err, "%s: cannot keep the previous version while replacing it: %s",
                           files[i]->final_path, strerror(saved));
                ok = false;
            }
        }
    }
    if (ok)
        ok = stale_reserve(&old_files, err);
    bool journal_made = false;
    if (ok && journal) {
        ok = journal_made = journal_create(journal, err);
        /* on disk before any rename, so a power cut cannot show a mix
         * without it */
        if (ok)
            ok = sync_directory_of(journal, "", err);
    }
    size_t renamed = 0;
    while (ok && renamed < n) {
        struct atomic_file *af = files[renamed];
        if (af->temp_path && rename(af->temp_path, af->final_path) != 0) {
            buf_printf(err, "%s: cannot rename into place: %s", af->final_path, strerror(errno));
            ok = false;
        } else {
            renamed++;
        }
    }
    if (ok && !stale_remove(&old_files, err))
        ok = false;
    bool restored = ok;
    if (!ok) { /* both put back what they can, whatever the other managed */
        bool stale_back = stale_restore(&old_files);
        bool rolled_back = roll_back(files, backups, had_previous, renamed);
        restored = stale_back && rolled_back;
    }
    if (!restored)
        buf_puts(err, "; files already replaced could not all be put back (the directory now "
                      "mixes old and new files)");
    bool synced = !ok || sync_directories(files, n, err); /* the renames on disk */
    if (journal_made && restored)
        unlink(journal);
    for (size_t i = 0; i < n; i++) {
        if (backups[i] && (restored || i >= renamed))
            unlink(backups[i]); /* else the only copy of a previous version: kept */
        free(backups[i]);
        if (!ok && i >= renamed && files[i]->temp_path)
            unlink(files[i]->temp_path);
        forget(files[i]->slot);
        release(files[i]);
    }
    stale_release(&old_files, !restored);
    sigprocmask(SIG_SETMASK, &old, NULL);
    release_held(&held);
    free(backups);
    free(had_previous);
    return ok && synced;
}

bool atomic_commit(struct atomic_file *af, struct buf *err)
{
    return atomic_commit_all(&af, 1, NULL, err);
}

void atomic_abort(struct atomic_file *af)
{
    if (!af->final_path)
        return;
    if (af->fp && af->fp != stdout)
        fclose(af->fp);
    if (af->temp_path)
        unlink(af->temp_path);
    forget(af->slot);
    release(af);
}
