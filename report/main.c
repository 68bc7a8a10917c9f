/* candour-report: the board report and its charts.  The report arrives with
 * the report issue; this version only answers --help and --version. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("candour-report %s\n", CANDOUR_VERSION);
        return 0;
    }
    FILE *out = argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr;
    fputs("Usage: candour-report --results DIR --org CODE --output OUTDIR\n"
          "(not yet implemented: the board report arrives with the report issue)\n",
          out);
    return out == stdout ? 0 : 2;
}
