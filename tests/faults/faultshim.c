/* Fault injection by LD_PRELOAD: make the k-th output call of a program fail
 * (or kill the program there), so a test can walk k over every call of a run
 * and check that each failure is handled.  No privileges needed.
 *
 * Counted calls are the ones that put data on disk or into place, made on a
 * file under FAULT_DIR: write, pwrite, fsync, fdatasync, close (of a file
 * open for writing), rename, link, mkstemp and open/fopen creating or
 * writing a file.  Calls on other files (stderr, inputs) are not counted.
 *
 * glibc's stdio writes and closes through internal symbols that LD_PRELOAD
 * cannot replace, so a stream opened for writing under FAULT_DIR (fopen,
 * fdopen) is handed back as a fopencookie stream over the same descriptor
 * whose write and close go through the counted calls below; fileno() on it
 * returns that descriptor.
 *
 * Environment:
 *   FAULT_DIR    directory whose files are watched (required; else inert)
 *   FAULT_AT     1-based index of the counted call to fault; 0 or unset: none
 *   FAULT_ERRNO  ENOSPC (default), EIO, EDQUOT or EROFS: what the call fails with
 *   FAULT_ACTION fail (default): return -1 with FAULT_ERRNO; kill: SIGKILL
 *                the process just before the call
 *   FAULT_PERSIST=1  every counted call from FAULT_AT on fails (a full disk);
 *                    otherwise only that one does
 *   FAULT_REPORT file to which the faulted call is appended as "K CALL PATH"
 *                (without FAULT_AT: every counted call), and at exit
 *                "calls N", the number of counted calls
 *
 * The shim removes LD_PRELOAD from the environment when it loads, so child
 * processes (the shell and gnuplot run by candour-report) are not affected.
 * With an ASan build, run with ASAN_OPTIONS=verify_asan_link_order=0: calls
 * then go program -> shim -> ASan's interceptor -> libc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static char watched[PATH_MAX];
static size_t watched_len;
static long fault_at;
static int fault_errno = ENOSPC;
static int fault_kill;
static int fault_persist;
static long counted;
static char report_path[PATH_MAX];

#define REAL(name) real_##name
#define RESOLVE(name)                                                                              \
    do {                                                                                           \
        if (!REAL(name))                                                                           \
            *(void **)&REAL(name) = dlsym(RTLD_NEXT, #name);                                       \
    } while (0)

static ssize_t (*REAL(write))(int, const void *, size_t);
static ssize_t (*REAL(pwrite))(int, const void *, size_t, off_t);
static ssize_t (*REAL(pwrite64))(int, const void *, size_t, off_t);
static int (*REAL(fsync))(int);
static int (*REAL(fdatasync))(int);
static int (*REAL(close))(int);
static int (*REAL(rename))(const char *, const char *);
static int (*REAL(link))(const char *, const char *);
static int (*REAL(mkstemp))(char *);
static int (*REAL(open))(const char *, int, ...);
static int (*REAL(open64))(const char *, int, ...);
static FILE *(*REAL(fopen))(const char *, const char *);
static FILE *(*REAL(fopen64))(const char *, const char *);
static FILE *(*REAL(fdopen))(int, const char *);
static int (*REAL(fileno))(FILE *);
static FILE *(*REAL(fopencookie))(void *, const char *, cookie_io_functions_t);
static int (*REAL(setvbuf))(FILE *, char *, int, size_t);

__attribute__((constructor)) static void shim_init(void)
{
    const char *dir = getenv("FAULT_DIR");
    const char *at = getenv("FAULT_AT");
    const char *err = getenv("FAULT_ERRNO");
    const char *action = getenv("FAULT_ACTION");
    const char *persist = getenv("FAULT_PERSIST");
    const char *report = getenv("FAULT_REPORT");
    if (dir && realpath(dir, watched))
        watched_len = strlen(watched);
    fault_at = at ? atol(at) : 0;
    if (err && strcmp(err, "EIO") == 0)
        fault_errno = EIO;
    else if (err && strcmp(err, "EDQUOT") == 0)
        fault_errno = EDQUOT;
    else if (err && strcmp(err, "EROFS") == 0)
        fault_errno = EROFS;
    fault_kill = action && strcmp(action, "kill") == 0;
    fault_persist = persist && strcmp(persist, "1") == 0;
    if (report && strlen(report) < sizeof(report_path))
        strcpy(report_path, report);
    unsetenv("LD_PRELOAD");
}

static void append_report(const char *text)
{
    if (!report_path[0])
        return;
    RESOLVE(open);
    RESOLVE(write);
    RESOLVE(close);
    int fd = REAL(open)(report_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    (void)!REAL(write)(fd, text, strlen(text));
    REAL(close)(fd);
}

__attribute__((destructor)) static void shim_fini(void)
{
    char line[64];
    snprintf(line, sizeof(line), "calls %ld\n", counted);
    append_report(line);
}

static int under_watched(const char *path)
{
    return watched_len && strncmp(path, watched, watched_len) == 0 &&
           (path[watched_len] == '/' || path[watched_len] == '\0');
}

/* The file behind fd, when it is under FAULT_DIR and open for writing. */
static int fd_watched(int fd, char *path, size_t size)
{
    if (!watched_len || fd < 0)
        return 0;
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
        return 0;
    char link[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, size - 1);
    if (n < 0)
        return 0;
    path[n] = '\0';
    return under_watched(path);
}

/* The directory of path, resolved, followed by its last component. */
static int path_watched(const char *path, char *resolved, size_t size)
{
    if (!watched_len)
        return 0;
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    const char *base = path;
    if (slash == dir) {
        dir[1] = '\0';
        base = path + 1;
    } else if (slash) {
        *slash = '\0';
        base = path + (slash - dir) + 1;
    } else {
        strcpy(dir, ".");
    }
    char real_dir[PATH_MAX];
    if (!realpath(dir, real_dir))
        return 0;
    if (snprintf(resolved, size, "%s/%s", strcmp(real_dir, "/") ? real_dir : "", base) >= (int)size)
        return 0;
    return under_watched(resolved);
}

/* Count a call on a watched file; true when it must fail (errno set).  Kills
 * the process instead when FAULT_ACTION=kill. */
static int should_fail(const char *call, const char *path)
{
    long k = __atomic_add_fetch(&counted, 1, __ATOMIC_SEQ_CST); /* candour-stats writes from two threads */
    if (!fault_at) { /* counting run: list every call */
        char line[PATH_MAX + 64];
        snprintf(line, sizeof(line), "%ld %s %s\n", k, call, path);
        append_report(line);
        return 0;
    }
    if (k < fault_at || (k > fault_at && !fault_persist))
        return 0;
    if (k == fault_at) {
        char line[PATH_MAX + 64];
        snprintf(line, sizeof(line), "%ld %s %s\n", k, call, path);
        append_report(line);
    }
    if (fault_kill)
        kill(getpid(), SIGKILL);
    errno = fault_errno;
    return 1;
}

static ssize_t counted_write(int fd, const void *data, size_t len)
{
    RESOLVE(write);
    char path[PATH_MAX];
    if (fd_watched(fd, path, sizeof(path)) && should_fail("write", path))
        return -1;
    return REAL(write)(fd, data, len);
}

static int counted_close(int fd)
{
    RESOLVE(close);
    char path[PATH_MAX];
    if (fd_watched(fd, path, sizeof(path)) && should_fail("close", path)) {
        int saved = errno;
        REAL(close)(fd); /* as on Linux: the descriptor is released even so */
        errno = saved;
        return -1;
    }
    return REAL(close)(fd);
}

ssize_t write(int fd, const void *data, size_t len)
{
    return counted_write(fd, data, len);
}

ssize_t pwrite(int fd, const void *data, size_t len, off_t offset)
{
    RESOLVE(pwrite);
    char path[PATH_MAX];
    if (fd_watched(fd, path, sizeof(path)) && should_fail("pwrite", path))
        return -1;
    return REAL(pwrite)(fd, data, len, offset);
}

ssize_t pwrite64(int fd, const void *data, size_t len, off_t offset)
{
    RESOLVE(pwrite64);
    char path[PATH_MAX];
    if (fd_watched(fd, path, sizeof(path)) && should_fail("pwrite", path))
        return -1;
    return REAL(pwrite64)(fd, data, len, offset);
}

int fsync(int fd)
{
    RESOLVE(fsync);
    char path[PATH_MAX];
    if (fd_watched(fd, path, sizeof(path)) && should_fail("fsync", path))
        return -1;
    return REAL(fsync)(fd);
}

int fdatasync(int fd)
{
    RESOLVE(fdatasync);
    char path[PATH_MAX];
    if (fd_watched(fd, path, sizeof(path)) && should_fail("fdatasync", path))
        return -1;
    return REAL(fdatasync)(fd);
}

int close(int fd)
{
    return counted_close(fd);
}

int rename(const char *from, const char *to)
{
    RESOLVE(rename);
    char path[PATH_MAX];
    if (path_watched(to, path, sizeof(path)) && should_fail("rename", path))
        return -1;
    return REAL(rename)(from, to);
}

int link(const char *from, const char *to)
{
    RESOLVE(link);
    char path[PATH_MAX];
    if (path_watched(to, path, sizeof(path)) && should_fail("link", path))
        return -1;
    return REAL(link)(from, to);
}

int mkstemp(char *template)
{
    RESOLVE(mkstemp);
    char path[PATH_MAX];
    if (path_watched(template, path, sizeof(path)) && should_fail("mkstemp", path))
        return -1;
    return REAL(mkstemp)(template);
}

static int open_common(int (*real)(const char *, int, ...), const char *path, int flags, va_list ap)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE))
        mode = (mode_t)va_arg(ap, int);
    char resolved[PATH_MAX];
    if ((flags & O_ACCMODE) != O_RDONLY && path_watched(path, resolved, sizeof(resolved)) &&
        should_fail("open", resolved))
        return -1;
    return real(path, flags, mode);
}

int open(const char *path, int flags, ...)
{
    RESOLVE(open);
    va_list ap;
    va_start(ap, flags);
    int fd = open_common(REAL(open), path, flags, ap);
    va_end(ap);
    return fd;
}

int open64(const char *path, int flags, ...)
{
    RESOLVE(open64);
    va_list ap;
    va_start(ap, flags);
    int fd = open_common(REAL(open64), path, flags, ap);
    va_end(ap);
    return fd;
}

/* ---- stdio: streams for writing under FAULT_DIR become cookie streams ---- */

/* candour-stats opens and closes its tables from two threads: the table of
 * wrapped streams is shared, so every look at it holds streams_lock (without
 * it two streams could take one slot, and fileno() on the lost one would
 * give -1: a spurious EBADF). */
#define MAX_STREAMS 256
static struct stream {
    FILE *fp;
    int fd;
} streams[MAX_STREAMS];
static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;

#define STREAM_BUFFER (16 * 1024)
struct cookie {
    int fd;
    char buffer[STREAM_BUFFER];
};

/* fopencookie(3): a write function returns the bytes it wrote, fewer than
 * asked on error (errno set), and never a negative number: glibc writes a
 * piece larger than the stream's buffer straight through this function and
 * takes its result as a size, so -1 read as "all written" and the error
 * was lost (candour-stats hands its tables over a megabyte at a time). */
static ssize_t cookie_write(void *cookie, const char *data, size_t len)
{
    int fd = ((struct cookie *)cookie)->fd;
    size_t done = 0;
    while (done < len) {
        ssize_t n = counted_write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static int cookie_seek(void *cookie, off64_t *offset, int whence)
{
    off_t at = lseek(((struct cookie *)cookie)->fd, (off_t)*offset, whence);
    if (at < 0)
        return -1;
    *offset = at;
    return 0;
}

/* fclose has flushed the buffer when it calls this: freeing it is safe. */
static int cookie_close(void *cookie)
{
    int fd = ((struct cookie *)cookie)->fd;
    pthread_mutex_lock(&streams_lock);
    for (int i = 0; i < MAX_STREAMS; i++)
        if (streams[i].fp && streams[i].fd == fd)
            streams[i].fp = NULL;
    pthread_mutex_unlock(&streams_lock);
    free(cookie);
    return counted_close(fd);
}

static FILE *wrap(int fd, const char *mode)
{
    RESOLVE(fopencookie);
    struct cookie *cookie = malloc(sizeof(*cookie));
    if (!cookie)
        return NULL;
    cookie->fd = fd;
    cookie_io_functions_t io = {NULL, cookie_write, cookie_seek, cookie_close};
    FILE *fp = REAL(fopencookie)(cookie, mode, io);
    if (!fp) {
        free(cookie);
        return NULL;
    }
    /* 16 KiB at a time: fewer calls to walk through than with BUFSIZ, and
     * still several for the larger files, so that writes fail mid-file too.
     * The buffer is ours: glibc ignores the size given with a NULL one. */
    RESOLVE(setvbuf);
    REAL(setvbuf)(fp, cookie->buffer, _IOFBF, STREAM_BUFFER);
    pthread_mutex_lock(&streams_lock);
    for (int i = 0; i < MAX_STREAMS; i++)
        if (!streams[i].fp) {
            streams[i].fp = fp;
            streams[i].fd = fd;
            break;
        }
    pthread_mutex_unlock(&streams_lock);
    return fp;
}

static int writing(const char *mode)
{
    return strchr(mode, 'w') || strchr(mode, 'a') || strchr(mode, '+');
}

static FILE *fopen_common(FILE *(*real)(const char *, const char *), const char *path,
                          const char *mode)
{
    char resolved[PATH_MAX];
    if (!writing(mode) || !path_watched(path, resolved, sizeof(resolved)))
        return real(path, mode);
    if (should_fail("open", resolved))
        return NULL;
    int flags = O_CLOEXEC | (strchr(mode, '+') ? O_RDWR : O_WRONLY) |
                (strchr(mode, 'a') ? O_CREAT | O_APPEND : 0) |
                (strchr(mode, 'w') ? O_CREAT | O_TRUNC : 0);
    RESOLVE(open);
    int fd = REAL(open)(path, flags, 0666);
    if (fd < 0)
        return NULL;
    FILE *fp = wrap(fd, mode);
    if (!fp) {
        int saved = errno;
        REAL(close)(fd);
        errno = saved;
    }
    return fp;
}

FILE *fopen(const char *path, const char *mode)
{
    RESOLVE(fopen);
    return fopen_common(REAL(fopen), path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    RESOLVE(fopen64);
    return fopen_common(REAL(fopen64), path, mode);
}

FILE *fdopen(int fd, const char *mode)
{
    RESOLVE(fdopen);
    char path[PATH_MAX];
    if (!writing(mode) || !fd_watched(fd, path, sizeof(path)))
        return REAL(fdopen)(fd, mode);
    return wrap(fd, mode);
}

int fileno(FILE *fp)
{
    RESOLVE(fileno);
    int fd = -1;
    pthread_mutex_lock(&streams_lock);
    for (int i = 0; i < MAX_STREAMS && fd < 0; i++)
        if (streams[i].fp == fp)
            fd = streams[i].fd;
    pthread_mutex_unlock(&streams_lock);
    return fd >= 0 ? fd : REAL(fileno)(fp);
}

/* The programs give their output streams large buffers (lib/atomic.c); a
 * wrapped stream keeps the shim's 16 KiB one, so that its writes still come
 * several to a file and can fail mid-file. */
int setvbuf(FILE *fp, char *buffer, int mode, size_t size)
{
    RESOLVE(setvbuf);
    int wrapped = 0;
    pthread_mutex_lock(&streams_lock);
    for (int i = 0; i < MAX_STREAMS && !wrapped; i++)
        wrapped = streams[i].fp == fp;
    pthread_mutex_unlock(&streams_lock);
    return wrapped ? 0 : REAL(setvbuf)(fp, buffer, mode, size);
}
