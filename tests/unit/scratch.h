/* Scratch directories for the unit tests: each test gets a fresh one
 * (setup make_scratch), removed afterwards with whatever a failing test left
 * in it (teardown remove_scratch); and slurp, to read a file back whole.
 * Header-only: include it once per test program, after cmocka.h and
 * util.h. */
#ifndef CANDOUR_TEST_SCRATCH_H
#define CANDOUR_TEST_SCRATCH_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Each test gets a fresh scratch directory, removed afterwards with whatever
 * a failing test left in it. */
static char scratch[64];

static int make_scratch(void **state)
{
    (void)state;
    strcpy(scratch, "/tmp/candour-test-XXXXXX");
    return mkdtemp(scratch) ? 0 : -1;
}

/* Names in the scratch directory, sorted, joined by spaces ("" when empty). */
static inline char *list_scratch(void)
{
    DIR *dir = opendir(scratch);
    assert_non_null(dir);
    char *names[64];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        assert_true(n < 64);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(dir);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    struct buf list;
    buf_init(&list);
    buf_puts(&list, "");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&list, ' ');
        buf_puts(&list, names[i]);
        free(names[i]);
    }
    return list.data;
}

/* The whole of a file (NUL-terminated, NULL when empty); caller frees. */
static inline unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct buf b;
    buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return (unsigned char *)b.data;
}

static inline void empty_scratch(void)
{
    DIR *dir = opendir(scratch);
    assert_non_null(dir);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = xasprintf("%s/%s", scratch, e->d_name);
        unlink(path);
        free(path);
    }
    closedir(dir);
}

static int remove_scratch(void **state)
{
    (void)state;
    empty_scratch();
    return rmdir(scratch);
}

#endif
