/* candour-stats: fairness indicators from candour datasets.
 * This first version checks and describes its datasets; the indicators
 * arrive with the stats issue. */
#include <stdio.h>
#include <string.h>

#include "dataset.h"
#include "schema.h"

static void usage(FILE *out)
{
    fputs("Usage: candour-stats DATASET...\n"
          "Describe candour datasets: schema, inputs with size and CRC-32, columns, rows.\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("candour-stats %s\n", CANDOUR_VERSION);
        return 0;
    }
    if (argc < 2 || argv[1][0] == '-') {
        usage(stderr);
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        struct buf err;
        buf_init(&err);
        struct dataset *ds = dataset_open(argv[i], &err);
        if (!ds) {
            fprintf(stderr, "candour-stats: %s\n", err.data);
            status = 1;
        } else {
            printf("%s: schema %s (crc32 %08x), %llu rows, %zu columns, %zu blocks\n", argv[i],
                   ds->schema_name, ds->schema_checksum, (unsigned long long)ds->total_rows,
                   ds->n_columns, ds->n_blocks);
            for (size_t k = 0; k < ds->n_inputs; k++)
                printf("  input %s: %llu bytes, crc32 %08x, %llu rows read, %llu accepted\n",
                       ds->inputs[k].name, (unsigned long long)ds->inputs[k].size,
                       ds->inputs[k].crc32, (unsigned long long)ds->inputs[k].rows_read,
                       (unsigned long long)ds->inputs[k].rows_accepted);
        }
        dataset_close(ds);
        buf_release(&err);
    }
    if (fclose(stdout) != 0) {
        perror("candour-stats: write error");
        return 2;
    }
    return status;
}
