/* memfd_create is a GNU extension of glibc. */
#define _GNU_SOURCE
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void harness_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void harness_file_open(struct harness_file *f, const char *name)
{
    f->fd = memfd_create(name, MFD_CLOEXEC);
    if (f->fd < 0)
        harness_fail("memfd_create: %s", strerror(errno));
    snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
}

void harness_file_set(struct harness_file *f, const void *data, size_t len)
{
    if (ftruncate(f->fd, 0) != 0)
        harness_fail("%s: ftruncate: %s", f->path, strerror(errno));
    const unsigned char *p = data;
    off_t offset = 0;
    while (len) {
        ssize_t n = pwrite(f->fd, p, len, offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            harness_fail("%s: write: %s", f->path, strerror(errno));
        p += n;
        len -= (size_t)n;
        offset += n;
    }
}

static char scratch_dir[HARNESS_PATH_MAX];

static void remove_scratch(void)
{
    harness_scratch_clear();
    rmdir(scratch_dir);
}

const char *harness_scratch(void)
{
    if (scratch_dir[0])
        return scratch_dir;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    if ((size_t)snprintf(scratch_dir, sizeof(scratch_dir), "%s/candour-fuzz-XXXXXX", tmp) >=
            sizeof(scratch_dir) ||
        !mkdtemp(scratch_dir))
        harness_fail("cannot make a scratch directory in %s: %s", tmp, strerror(errno));
    atexit(remove_scratch);
    return scratch_dir;
}

char *harness_scratch_path(const char *name)
{
    return xasprintf("%s/%s", harness_scratch(), name);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *harness_scratch_list(void)
{
    DIR *dir = opendir(harness_scratch());
    if (!dir)
        harness_fail("%s: %s", scratch_dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            xgrow(&names, &cap, n + 1, sizeof(*names));
            names[n++] = xstrdup(e->d_name);
        }
    closedir(dir);
    if (n)
        qsort(names, n, sizeof(*names), compare_names);
    struct buf list;
    buf_init(&list);
    buf_append(&list, "", 0); /* "" when empty, never NULL */
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&list, ' ');
        buf_puts(&list, names[i]);
        free(names[i]);
    }
    free(names);
    return list.data;
}

void harness_scratch_clear(void)
{
    if (!scratch_dir[0])
        return;
    DIR *dir = opendir(scratch_dir);
    if (!dir)
        return;
    struct dirent *e;
    while ((e = readdir(dir)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(dirfd(dir), e->d_name, 0);
    closedir(dir);
}

unsigned char *harness_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b;
    buf_init(&b);
    buf_append(&b, "", 0);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, n);
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        buf_release(&b);
        return NULL;
    }
    *len = b.len;
    return (unsigned char *)b.data;
}

size_t harness_read_dataset(const struct dataset *ds)
{
    size_t failed = 0;
    unsigned char *chunk = xmalloc(DATASET_BLOCK_ROWS * 8);
    struct buf err;
    buf_init(&err);
    for (size_t b = 0; b < ds->n_blocks; b++)
        for (size_t c = 0; c < ds->n_columns; c++) {
            buf_clear(&err);
            if (dataset_read_chunk(ds, b, c, chunk, &err))
                continue;
            if (!err.len)
                harness_fail("block %zu column %zu failed without a message", b, c);
            failed++;
        }
    buf_release(&err);
    free(chunk);
    return failed;
}
