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

/* Append s single-quoted for the POSIX shell: ' becomes '\''. */
static void shell_quote(struct buf *out, const char *s)
{
    buf_putc(out, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            buf_puts(out, "'\\''");
        else
            buf_putc(out, *s);
    }
    buf_putc(out, '\'');
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
    if (close(fd) != 0) {
        buf_printf(err, "%s: %s", gp->err_path, strerror(errno));
        goto out_unlink;
    }
    struct buf command;
    buf_init(&command);
    buf_puts(&command, "exec gnuplot -d 2>");
    shell_quote(&command, gp->err_path);
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
    unlink(gp->err_path);
out_free_path:
    free(gp->err_path);
    gp->err_path = NULL;
    return false;
}

/* What gnuplot wrote on stderr (at most GP_STDERR_SHOWN characters of it,
 * quoted) appended to err; true when it wrote something or the file could
 * not be read. */
static bool stderr_reported(const char *path, struct buf *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        buf_printf(err, "cannot read gnuplot's messages: %s: %s", path, strerror(errno));
        return true;
    }
    char text[1024];
    size_t len = fread(text, 1, sizeof(text), f);
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        buf_printf(err, "cannot read gnuplot's messages: %s", path);
        return true;
    }
    if (len == 0)
        return false;
    buf_puts(err, "gnuplot reported ");
    text_quote_for_message(text, len, GP_STDERR_SHOWN, err);
    return true;
}

bool gnuplot_run(struct gnuplot *gp, const char *script, size_t len, struct buf *err)
{
    bool ok = true;
    int write_errno = 0;
    if (fwrite(script, 1, len, gp->pipe) != len || fflush(gp->pipe) != 0) {
        write_errno = errno;
        ok = false;
    }
    int status = pclose(gp->pipe);
    int close_errno = errno;
    gp->pipe = NULL;
    struct buf messages;
    buf_init(&messages);
    bool reported = stderr_reported(gp->err_path, &messages);
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
        buf_printf(err, "cannot write to gnuplot: %s", strerror(write_errno));
    }
    buf_release(&messages);
    unlink(gp->err_path);
    free(gp->err_path);
    gp->err_path = NULL;
    return ok;
}

/* Length of the UTF-8 character starting with lead byte c (valid text). */
static size_t utf8_length(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static unsigned long utf8_decode(const unsigned char *s, size_t n)
{
    static const unsigned char lead_mask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    unsigned long cp = s[0] & lead_mask[n];
    for (size_t k = 1; k < n; k++)
        cp = (cp << 6) | (s[k] & 0x3F);
    return cp;
}

/* Code points shown as \uXXXX: C1 controls, and the format characters that
 * hide text or reorder what follows (zero-width, bidirectional controls,
 * line and paragraph separators, byte order mark). */
static bool is_hidden_code_point(unsigned long cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

/* Append len bytes of s, each control character, invalid UTF-8 byte and
 * hidden code point as a visible escape, at most max_chars characters
 * (then "..."); (size_t)-1 for no limit. */
static void put_visible(struct buf *out, const char *text, size_t len, size_t max_chars)
{
    const unsigned char *s = (const unsigned char *)text;
    bool valid_utf8 = utf8_invalid_at(text, len) == len;
    size_t shown = 0;
    for (size_t i = 0; i < len;) {
        size_t n = valid_utf8 ? utf8_length(s[i]) : 1;
        if (shown == max_chars) {
            buf_puts(out, "...");
            break;
        }
        shown++;
        unsigned char c = s[i];
        if (c == '\n')
            buf_puts(out, "\\n");
        else if (c == '\t')
            buf_puts(out, "\\t");
        else if (c == '\r')
            buf_puts(out, "\\r");
        else if (c < 0x20 || c == 0x7F || (c >= 0x80 && !valid_utf8))
            buf_printf(out, "\\x%02X", c);
        else if (n > 1 && is_hidden_code_point(utf8_decode(s + i, n)))
            buf_printf(out, "\\u%04lX", utf8_decode(s + i, n));
        else
            buf_append(out, s + i, n);
        i += n;
    }
}

void gp_label_text(struct buf *out, const char *text, size_t max_chars)
{
    size_t len = strlen(text);
    if (len > 1 && text[0] == '\'' && csv_is_formula_like(text + 1, len - 1)) {
        text++;
        len--;
    }
    put_visible(out, text, len, max_chars);
}

void gp_put_string(struct buf *out, const char *s)
{
    struct buf shown;
    buf_init(&shown);
    put_visible(&shown, s, strlen(s), (size_t)-1);
    buf_putc(out, '\'');
    for (size_t i = 0; i < shown.len; i++) {
        if (shown.data[i] == '\'')
            buf_putc(out, '\'');
        buf_putc(out, shown.data[i]);
    }
    buf_putc(out, '\'');
    buf_release(&shown);
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
