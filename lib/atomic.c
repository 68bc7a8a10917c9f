#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static void on_fatal_signal(int sig)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending_used[i])
            unlink(pending[i]);
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

bool atomic_open(struct atomic_file *af, const char *path, mode_t mode, struct buf *err)
{
    memset(af, 0, sizeof(*af));
    af->slot = -1;
    af->final_path = xstrdup(strcmp(path, "-") == 0 ? "(stdout)" : path);
    struct stat st;
    if (strcmp(path, "-") == 0 || (stat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
        if (strcmp(path, "-") != 0 && S_ISDIR(st.st_mode)) {
            buf_printf(err, "%s: is a directory", path);
            goto fail;
        }
        af->fp = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
        if (!af->fp) {
            buf_printf(err, "%s: %s", path, strerror(errno));
            goto fail;
        }
        return true;
    }
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
    af->final_path = af->temp_path = NULL;
    af->fp = NULL;
}

bool atomic_commit(struct atomic_file *af, struct buf *err)
{
    bool ok = true;
    if (fflush(af->fp) != 0 || ferror(af->fp)) {
        buf_printf(err, "%s: write failed: %s", af->final_path, strerror(errno));
        ok = false;
    }
    if (ok && af->temp_path && fsync(fileno(af->fp)) != 0) {
        buf_printf(err, "%s: write failed: %s", af->final_path, strerror(errno));
        ok = false;
    }
    if (af->fp != stdout && fclose(af->fp) != 0 && ok) {
        buf_printf(err, "%s: write failed: %s", af->final_path, strerror(errno));
        ok = false;
    }
    if (ok && af->temp_path && rename(af->temp_path, af->final_path) != 0) {
        buf_printf(err, "%s: cannot rename into place: %s", af->final_path, strerror(errno));
        ok = false;
    }
    if (!ok && af->temp_path)
        unlink(af->temp_path);
    forget(af->slot);
    release(af);
    return ok;
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
