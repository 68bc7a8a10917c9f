#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

bool lock_set_add_dir(struct lock_set *set, const char *dir, bool exclusive, struct buf *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        buf_printf(err, "%s: cannot open the directory: %s", dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    for (size_t i = 0; i < set->n; i++)
        if (set->entry[i].dev == st.st_dev && set->entry[i].ino == st.st_ino) {
            set->entry[i].exclusive |= exclusive;
            close(fd);
            return true;
        }
    if (set->n == LOCK_SET_MAX) {
        buf_printf(err, "%s: more than %d directories to lock", dir, LOCK_SET_MAX);
        close(fd);
        return false;
    }
    set->entry[set->n].dir = xstrdup(dir);
    set->entry[set->n].dev = st.st_dev;
    set->entry[set->n].ino = st.st_ino;
    set->entry[set->n].fd = fd;
    set->entry[set->n].exclusive = exclusive;
    set->n++;
    return true;
}

bool lock_set_add_parent(struct lock_set *set, const char *path, bool exclusive, struct buf *err)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash == path ? xstrdup("/")
                : slash       ? xstrndup(path, (size_t)(slash - path))
                              : xstrdup(".");
    bool ok = lock_set_add_dir(set, dir, exclusive, err);
    free(dir);
    return ok;
}

static bool locked_before(const struct lock_entry *a, const struct lock_entry *b)
{
    return a->dev != b->dev ? a->dev < b->dev : a->ino < b->ino;
}

/* Sort the entries by (device, inode): every run locks in this order. */
static void sort_entries(struct lock_set *set)
{
    for (size_t i = 1; i < set->n; i++)
        for (size_t k = i; k > 0 && locked_before(&set->entry[k], &set->entry[k - 1]); k--) {
            struct lock_entry t = set->entry[k];
            set->entry[k] = set->entry[k - 1];
            set->entry[k - 1] = t;
        }
}

/* flock, retried when a signal interrupts the wait. */
static int flock_retrying(int fd, int operation)
{
    int rc;
    do
        rc = flock(fd, operation);
    while (rc != 0 && errno == EINTR);
    return rc;
}

bool lock_set_take(struct lock_set *set, const char *program, bool wait, struct buf *err)
{
    sort_entries(set);
    bool said_waiting = false;
    for (size_t i = 0; i < set->n; i++) {
        const char *dir = set->entry[i].dir;
        int mode = set->entry[i].exclusive ? LOCK_EX : LOCK_SH;
        if (flock_retrying(set->entry[i].fd, mode | LOCK_NB) == 0)
            continue;
        if (errno == EWOULDBLOCK) {
            if (!wait) {
                buf_printf(err, "%s: another candour run is %s it (--no-wait given)", dir,
                           set->entry[i].exclusive ? "using" : "writing into");
                return false;
            }
            if (!said_waiting)
                fprintf(stderr, "%s: waiting for another candour run %s %s to finish\n", program,
                        set->entry[i].exclusive ? "using" : "writing into", dir);
            said_waiting = true;
            if (flock_retrying(set->entry[i].fd, mode) == 0)
                continue;
        }
        /* ENOLCK, EBADF (an NFS mount without local locks), EOPNOTSUPP */
        fprintf(stderr,
                "%s: warning: %s: cannot lock the directory (%s): runs at the same "
                "time are not kept apart there\n",
                program, dir, strerror(errno));
    }
    return true;
}

void lock_set_release(struct lock_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        close(set->entry[i].fd); /* releases its lock */
        free(set->entry[i].dir);
    }
    set->n = 0;
}
