#include "gnuplot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csvout.h"
#include "text.h"

/* Ends every data block; data rows are numbers, so no row can equal it. */
#define GP_BLOCK_END "CANDOUR_END_OF_DATA"
/* How much of gnuplot's stderr a message quotes. */
#define GP_STDERR_SHOWN 300

bool gnuplot_on_path(void)
{
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    bool found = false;
    while (!found) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        /* An empty entry is the current directory, as for the shell. */
        char *candidate = len ? xasprintf("%.*s/gnuplot", (int)len, path) : xstrdup("./gnuplot");
        struct stat st;
        found = stat(candidate, &st) == 0 && S_ISREG(st.st_mode) && access(candidate, X_OK) == 0;
        free(candidate);
        if (!colon)
            break;
        path = colon + 1;
    }
    return found;
}

bool gnuplot_open(struct gnuplot *gp, struct buf *err)
{
    memset(gp, 0, sizeof(*gp));
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || tmpdir[0] != '/')
        tmpdir = "/tmp";
    gp->err_path = xasprintf("%s/candour-gnuplot.XXXXXX", tmpdir);
    int fd = mkstemp(gp->err_path);
    if (fd < 0) {
        buf_printf(err, "%s: cannot create a temporary file: %s", gp->err_path, strerror(errno));
        goto out_free_path;
    }
    /* nameless from here: inherited by the shell, which points gnuplot's
     * stderr at it through /dev/fd/N (the descriptor, not a name that could
     * be swapped; dash takes no 2>&N past 9), and read back through it */
    unlink(gp->err_path);
    gp->err_fd = fd;
    struct buf command;
    buf_init(&command);
    /* The scripts are UTF-8 (set encoding utf8): gnuplot runs in a UTF-8
     * locale whatever the caller's, or in the C locale it warns that it
     * cannot convert the degree sign and every chart counts as failed. */
    /* The script is read as a file named /dev/stdin (our pipe), not as
     * gnuplot's own stdin: gnuplot reads its stdin one byte per read(2)
     * (5.3 million system calls for a 5.3 MB script of 10,000 orgs'
     * funnels, 1 s of system time), a file through stdio's buffer.  A file
     * also stops at its first error: gnuplot_finish fails, and the caller
     * draws that gnuplot's charts again one by one. */
    buf_printf(&command, "LC_ALL=C.UTF-8; export LC_ALL; exec gnuplot -d /dev/stdin 2>/dev/fd/%d",
               fd);
    fflush(NULL); /* nothing of ours buffered is written twice by the child */
    gp->pipe = popen(command.data, "w");
    int saved = errno;
    buf_release(&command);
    if (!gp->pipe) {
        buf_printf(err, "cannot start gnuplot: %s", strerror(saved));
        goto out_unlink;
    }
    return true;
out_unlink:
    close(fd);
out_free_path:
    free(gp->err_path);
    gp->err_path = NULL;
    return false;
}

/* What gnuplot wrote on stderr (at most GP_STDERR_SHOWN characters of it,
 * quoted) appended to err; true when it wrote something or the file could
 * not be read. */
static bool stderr_reported(int fd, const char *path, struct buf *err)
{
    char text[1024];
    ssize_t got = pread(fd, text, sizeof(text), 0);
    if (got < 0) {
        buf_printf(err, "cannot read gnuplot's messages: %s: %s", path, strerror(errno));
        return true;
    }
    size_t len = (size_t)got;
    if (len == 0)
        return false;
    buf_puts(err, "gnuplot reported ");
    text_quote_for_message(text, len, GP_STDERR_SHOWN, err);
    return true;
}

bool gnuplot_send(struct gnuplot *gp, const char *script, size_t len)
{
    if (gp->write_errno)
        return false; /* gnuplot is gone: gnuplot_finish says why */
    if (fwrite(script, 1, len, gp->pipe) != len || fflush(gp->pipe) != 0) {
        gp->write_errno = errno ? errno : EIO;
        return false;
    }
    return true;
}

bool gnuplot_finish(struct gnuplot *gp, struct buf *err)
{
    bool ok = gp->write_errno == 0;
    int status = pclose(gp->pipe);
    int close_errno = errno;
    gp->pipe = NULL;
    struct buf messages;
    buf_init(&messages);
    bool reported = stderr_reported(gp->err_fd, gp->err_path, &messages);
    if (reported) {
        buf_append(err, messages.data, messages.len);
        ok = false;
    } else if (status == -1) {
        buf_printf(err, "cannot wait for gnuplot: %s", strerror(close_errno));
        ok = false;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFSIGNALED(status))
            buf_printf(err, "gnuplot was killed by signal %d", WTERMSIG(status));
        else
            buf_printf(err, "gnuplot exited with status %d", WEXITSTATUS(status));
        ok = false;
    } else if (!ok) {
        buf_printf(err, "cannot write to gnuplot: %s", strerror(gp->write_errno));
    }
    buf_release(&messages);
    close(gp->err_fd);
    free(gp->err_path);
    gp->err_path = NULL;
    return ok;
}

bool gnuplot_run(struct gnuplot *gp, const char *script, size_t len, struct buf *err)
{
    gnuplot_send(gp, script, len);
    return gnuplot_finish(gp, err);
}

void gp_label_text(struct buf *out, const char *text, size_t max_chars)
{
    size_t len = strlen(text);
    if (len > 1 && text[0] == '\'' && csv_is_formula_like(text + 1, len - 1)) {
        text++;
        len--;
    }
    text_escape_visible(text, len, max_chars, out);
}

void gp_put_string(struct buf *out, const char *s)
{
    struct buf shown;
    buf_init(&shown);
    text_escape_visible(s, strlen(s), (size_t)-1, &shown);
    buf_putc(out, '\'');
    for (size_t i = 0; i < shown.len; i++) {
        if (shown.data[i] == '\'')
            buf_putc(out, '\'');
        buf_putc(out, shown.data[i]);
    }
    buf_putc(out, '\'');
    buf_release(&shown);
}

void gp_put_tic(struct buf *out, const char *s)
{
    struct buf doubled;
    buf_init(&doubled);
    for (const char *p = s; *p; p++) {
        if (*p == '%')
            buf_putc(&doubled, '%');
        buf_putc(&doubled, *p);
    }
    gp_put_string(out, doubled.data ? doubled.data : "");
    buf_release(&doubled);
}

void gp_put_text(struct buf *out, const char *text, size_t max_chars)
{
    struct buf shown;
    buf_init(&shown);
    gp_label_text(&shown, text, max_chars);
    gp_put_string(out, shown.data ? shown.data : "");
    buf_release(&shown);
}

bool gp_put_path(struct buf *out, const char *path)
{
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return false;
    buf_putc(out, '\'');
    for (const char *p = path; *p; p++) {
        if (*p == '\'')
            buf_putc(out, '\'');
        buf_putc(out, *p);
    }
    buf_putc(out, '\'');
    return true;
}

void gp_block_begin(struct buf *out, const char *name)
{
    buf_printf(out, "$%s << %s\n", name, GP_BLOCK_END);
}

void gp_block_row(struct buf *out, size_t n_values, const double *values)
{
    for (size_t i = 0; i < n_values; i++) {
        if (i)
            buf_putc(out, ' ');
        if (isfinite(values[i]))
            buf_printf(out, "%.10g", values[i]);
        else
            buf_puts(out, "NaN");
    }
    buf_putc(out, '\n');
}

void gp_block_break(struct buf *out)
{
    buf_putc(out, '\n');
}

void gp_block_end(struct buf *out)
{
    buf_puts(out, GP_BLOCK_END "\n");
}
