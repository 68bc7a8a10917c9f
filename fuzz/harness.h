/* What the fuzz targets share: inputs as in-memory files, a scratch
 * directory for outputs, a way to fail loudly, and a full read of a dataset.
 *
 * A target reports a broken invariant with harness_fail(), which aborts: to
 * libFuzzer that is a crash like any other, to the replay driver a failed
 * test.  Nothing here returns an error for the target to handle: a harness
 * that cannot set itself up has nothing to test. */
#ifndef CANDOUR_FUZZ_HARNESS_H
#define CANDOUR_FUZZ_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "util.h"

#define HARNESS_PATH_MAX 4096

/* libFuzzer's entry point, defined by each target. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print "fuzz: " and the message to stderr, then abort. */
_Noreturn void harness_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An anonymous in-memory file (memfd) and a path that opens it
 * ("/proc/self/fd/N"): the programs' code reads inputs by path, and a memfd
 * leaves nothing on disk when a run ends in a crash.  Static, do not free. */
struct harness_file {
    int fd;
    char path[64];
};
void harness_file_open(struct harness_file *f, const char *name);
/* Replace the file's contents with data. */
void harness_file_set(struct harness_file *f, const void *data, size_t len);

/* A private directory for output files, made under $TMPDIR (default /tmp)
 * on first use and removed with its contents at exit.  Static, do not free. */
const char *harness_scratch(void);
/* Path of name inside the scratch directory; caller frees. */
char *harness_scratch_path(const char *name);
/* Names of the entries in the scratch directory, space-separated ("" when
 * it is empty); caller frees. */
char *harness_scratch_list(void);
/* Remove every entry of the scratch directory. */
void harness_scratch_clear(void);

/* Read a whole file into a new buffer (caller frees); NULL when it cannot be
 * read. */
unsigned char *harness_slurp(const char *path, size_t *len);

/* Decompress and check every column of every block, as candour-stats and
 * --export do.  Returns the number of chunks that failed; each failure must
 * come with a message, or harness_fail is called. */
size_t harness_read_dataset(const struct dataset *ds);

#endif
