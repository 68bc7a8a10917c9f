/* The floor for ingest: a bare libcsv parse of a plain CSV file that only
 * counts fields and records, with the same read size as candour-ingest.
 * Usage: csv-floor FILE  -> prints "records fields" */
#include <csv.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct counts {
    unsigned long long fields, records;
};

static void on_field(void *s, size_t len, void *data)
{
    (void)s;
    (void)len;
    ((struct counts *)data)->fields++;
}

static void on_record(int c, void *data)
{
    (void)c;
    ((struct counts *)data)->records++;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: csv-floor FILE\n", stderr);
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror(argv[1]);
        return 2;
    }
    struct csv_parser p;
    struct counts n = {0, 0};
    if (csv_init(&p, 0) != 0)
        return 2;
    static char chunk[256 * 1024];
    ssize_t got;
    while ((got = read(fd, chunk, sizeof(chunk))) > 0)
        if (csv_parse(&p, chunk, (size_t)got, on_field, on_record, &n) != (size_t)got) {
            fprintf(stderr, "csv-floor: %s\n", csv_strerror(csv_error(&p)));
            return 1;
        }
    csv_fini(&p, on_field, on_record, &n);
    csv_free(&p);
    close(fd);
    printf("%llu %llu\n", n.records, n.fields);
    return 0;
}
