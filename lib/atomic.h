/* Output files that appear complete or not at all.
 *
 * A regular file is written to a temporary name in the same directory and
 * renamed over the final name only after fsync, so a failed or killed run
 * leaves the previous file (if any) intact and no partial file under the
 * final name.  Temporary files are removed on failure and on SIGINT, SIGTERM,
 * SIGHUP and SIGPIPE.  atomic_commit_all commits several files together.
 * Outputs that are not regular files (/dev/full, a pipe, "-" for stdout) are
 * written directly. */
#ifndef CANDOUR_ATOMIC_H
#define CANDOUR_ATOMIC_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "util.h"

struct atomic_file {
    char *final_path; /* "(stdout)" for "-": it names the output in messages */
    char *temp_path;  /* NULL when writing directly */
    FILE *fp;
    char *buffer;    /* fp's buffer (a regular file's), freed after fclose */
    int slot;        /* in the signal cleanup table, -1 if none */
    int write_errno; /* why the first failed atomic_write failed, else 0 */
    long long reserved; /* bytes of the file reserved (atomic_reserve); -1: refused */
};

/* Open for writing; mode is applied (minus umask) to the final file.  On
 * error returns false with "path: reason" in err. */
bool atomic_open(struct atomic_file *af, const char *path, mode_t mode, struct buf *err);
/* fwrite to af->fp; false on a short write.  The reason of the first failure
 * is kept for the message of atomic_commit, which may only see the stream's
 * error flag long after errno has changed. */
bool atomic_write(struct atomic_file *af, const void *data, size_t len);
/* Like atomic_write, but a large block goes to the file with write(2)
 * itself, stdio's buffer emptied first so that the bytes keep their order:
 * through the buffer, a megabyte of a table was part copied into it and
 * written in two calls.  A failure is kept as atomic_write's are. */
bool atomic_write_block(struct atomic_file *af, const void *data, size_t len);
/* The file will hold at least end bytes: reserve its blocks ahead, in
 * steps of ATOMIC_RESERVE_STEP, without changing its size
 * (fallocate(FALLOC_FL_KEEP_SIZE)); the commit gives back what was not
 * used.  Writing a gigabyte into blocks reserved so cost this machine
 * 0.15-0.28 s of system time, into blocks the file system allocates as
 * the pages come (delayed allocation) 0.27-1.08 s (dd, 1 MiB writes with
 * fsync, 5 alternations each).  Best effort: nothing happens where the
 * file system cannot (or will not: no space) reserve, or for an output
 * written in place. */
void atomic_reserve(struct atomic_file *af, unsigned long long end);
/* Written in full: flush it and start its writing to disk without waiting,
 * so that the commit's fsync, which must wait, finds it done or under way.
 * Errors are left for the commit to find and report. */
void atomic_start_sync(struct atomic_file *af);
/* Flush, fsync and rename into place.  On error the temporary file is
 * removed and false is returned with a message in err. */
bool atomic_commit(struct atomic_file *af, struct buf *err);
/* Commit n files as one set: all of them are written, fsynced and renamed
 * into place, or on error none of the final names changes (files renamed
 * before a failed rename are put back).  journal, when not NULL, names a file
 * that exists only while the renames are under way: if SIGKILL or a crash
 * stops them, it stays behind to tell readers the set is a mix of old and new
 * files.  Every file is released, committed or not. */
bool atomic_commit_all(struct atomic_file *const *files, size_t n, const char *journal,
                       struct buf *err);
/* atomic_commit_all that also removes the files at stale[0..n_stale) (those
 * of the previous set the new one leaves out) in the same commit, under the
 * same journal: either the new files are in place and the stale ones gone,
 * or on error everything stays as it was.  The previous versions are held
 * open across the commit and freed after it (their blocks and page cache),
 * by a detached process when they are large: that process holds nothing
 * else of the caller's (no lock, no pipe) by the time this returns. */
bool atomic_commit_set(struct atomic_file *const *files, size_t n, const char *const *stale,
                       size_t n_stale, const char *journal, struct buf *err);
/* The journal of a candour-stats results directory: present only while
 * candour-stats renames its files into place, so when it is found the
 * directory mixes two runs and candour-report refuses it. */
#define RESULTS_JOURNAL ".candour-stats.replacing"
/* Give up: close and remove the temporary file. */
void atomic_abort(struct atomic_file *af);

/* A file appended to in place (candour-stats' release ledger) that a
 * SIGINT, SIGTERM, SIGHUP or SIGPIPE must cut back to size before the run
 * ends, so that no partial append is left: set while appending, cleared
 * (fd -1) when done.  One at a time. */
void atomic_cut_on_signal(int fd, off_t size);

#endif
