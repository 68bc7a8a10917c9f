/* Runs that share a directory take turns.
 *
 * A writer holds an exclusive flock(2) on the directory of each of its
 * outputs for the whole run; a reader holds a shared one on the directory of
 * each set it reads (a results directory, a dataset's directory).  So two
 * writers of one output never interleave, and a reader never sees a set
 * while it is being replaced.  The lock is on the directory itself: no lock
 * file to plant, and a reader needs no write permission.  Locks of one run
 * are taken in one order (device, inode), so runs cannot deadlock; a
 * directory named twice is locked once, in the stronger mode.  Released
 * when the process ends, however it ends.  Where flock is not supported
 * (some network filesystems) the run goes on unlocked, with a warning:
 * docs/limits.md. */
#ifndef CANDOUR_LOCK_H
#define CANDOUR_LOCK_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

#define LOCK_SET_MAX 16

struct lock_entry {
    char *dir;
    dev_t dev;
    ino_t ino;
    int fd; /* the directory, open read-only: its lock goes with it */
    bool exclusive;
};

struct lock_set {
    size_t n;
    struct lock_entry entry[LOCK_SET_MAX];
};

/* Add the directory dir (which must exist) to the set.  False with
 * "dir: reason" in err when it cannot be opened. */
bool lock_set_add_dir(struct lock_set *set, const char *dir, bool exclusive, struct buf *err);
/* Add the directory holding the file at path ("." for a bare name). */
bool lock_set_add_parent(struct lock_set *set, const char *path, bool exclusive, struct buf *err);
/* Lock every directory of the set.  One held by another run is waited for,
 * saying so once on stderr as "PROGRAM: waiting for ...", or with wait false
 * is an error in err naming it. */
bool lock_set_take(struct lock_set *set, const char *program, bool wait, struct buf *err);
/* Unlock and forget every directory. */
void lock_set_release(struct lock_set *set);

#endif
