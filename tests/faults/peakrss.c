/* peakrss FILE SECONDS CMD...: run CMD, write its peak resident set size in
 * KiB (getrusage's ru_maxrss, from wait4) to FILE and exit with CMD's status
 * (128 + N when signal N ended it).  After SECONDS, CMD gets SIGALRM (an
 * alarm set before exec survives it), which ends it: status 142.  A small C program rather than a script,
 * so that the peak measured is CMD's own and not that of an interpreter it
 * was forked from (the child of a fork starts with its parent's pages). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 4 || atoi(argv[2]) <= 0) {
        fputs("usage: peakrss FILE SECONDS CMD...\n", stderr);
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("peakrss: fork");
        return 2;
    }
    if (pid == 0) {
        alarm((unsigned)atoi(argv[2]));
        execvp(argv[3], argv + 3);
        perror(argv[3]);
        _exit(127);
    }
    int status;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) != pid) {
        perror("peakrss: wait4");
        return 2;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out || fprintf(out, "%ld\n", usage.ru_maxrss) < 0 || fclose(out) != 0) {
        perror(argv[1]);
        return 2;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
