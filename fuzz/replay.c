/* Replay driver: a main() for a fuzz target without libFuzzer, so that the
 * committed corpora and regression inputs run under the normal and the
 * sanitizer builds of `make check` with gcc alone.
 *
 *   replay-TARGET DIR_OR_FILE...
 *
 * Runs LLVMFuzzerTestOneInput once on every file named, and on every file
 * (names starting with '.' skipped) of every directory named, in name order.
 * Each name is written to stderr before its run, so that a crash or a
 * sanitizer report is followed back to its input.  A broken invariant
 * aborts the process.  Prints "N inputs replayed" and exits 0; exits 2 when
 * a path cannot be read or no input was found at all. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

static unsigned long replayed;

static int replay_file(const char *path)
{
    size_t len;
    unsigned char *data = harness_slurp(path, &len);
    if (!data) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 2;
    }
    fprintf(stderr, "replay: %s\n", path);
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    replayed++;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *path)
{
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 2;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir)))
        if (e->d_name[0] != '.') {
            xgrow(&names, &cap, n + 1, sizeof(*names));
            names[n++] = xasprintf("%s/%s", path, e->d_name);
        }
    closedir(dir);
    if (n)
        qsort(names, n, sizeof(*names), compare_names);
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        if (status == 0)
            status = replay_file(names[i]);
        free(names[i]);
    }
    free(names);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 2;
        }
        int status = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]);
        if (status)
            return status;
    }
    if (replayed == 0) {
        fputs("replay: no inputs found\n", stderr);
        return 2;
    }
    printf("%lu inputs replayed\n", replayed);
    return fclose(stdout) == 0 ? 0 : 2;
}
