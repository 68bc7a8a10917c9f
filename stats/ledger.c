/* The release ledger: the file, its checks and its index (ledger.h). */
#include "ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint32_t crc_of(const char *data, size_t len)
{
    return (uint32_t)libdeflate_crc32(0, data, len);
}

void ledger_encode(struct buf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '%')
            buf_printf(out, "%%%02X", *p);
        else
            buf_putc(out, (char)*p);
    }
}

void ledger_key(struct buf *key, const char *const fields[LEDGER_KEY_FIELDS])
{
    buf_clear(key);
    for (int f = 0; f < LEDGER_KEY_FIELDS; f++) {
        if (f)
            buf_putc(key, '\t');
        ledger_encode(key, fields[f]);
    }
}

/* ---- the index: key text -> its figures --------------------------------------- */

static size_t slot_of(const struct ledger *l, const char *key, size_t len)
{
    size_t i = hash_bytes(key, len) & (l->n_slots - 1);
    while (l->slots[i]) {
        const char *k = l->keys[l->slots[i] - 1];
        if (strlen(k) == len && memcmp(k, key, len) == 0)
            break;
        i = (i + 1) & (l->n_slots - 1);
    }
    return i;
}

static void grow_slots(struct ledger *l)
{
    size_t n = l->n_slots ? 2 * l->n_slots : 1024;
    free(l->slots);
    l->slots = xcalloc(n, sizeof(uint32_t));
    l->n_slots = n;
    for (size_t k = 0; k < l->n_keys; k++)
        l->slots[slot_of(l, l->keys[k], strlen(l->keys[k]))] = (uint32_t)(k + 1);
}

size_t ledger_find(const struct ledger *l, const char *key, size_t len)
{
    if (!l->n_slots)
        return LEDGER_NONE;
    uint32_t s = l->slots[slot_of(l, key, len)];
    return s ? l->key_first[s - 1] : LEDGER_NONE;
}

static void index_figure(struct ledger *l, const char *key, size_t len, struct ledger_figure fig)
{
    if (2 * (l->n_keys + 1) > l->n_slots)
        grow_slots(l);
    size_t s = slot_of(l, key, len);
    if (!l->slots[s]) {
        size_t cap = l->n_keys;
        if ((cap & (cap - 1)) == 0) { /* 0, 1, 2, 4, ...: full */
            l->keys = xrealloc(l->keys, (cap ? 2 * cap : 1) * sizeof(char *));
            l->key_first = xrealloc(l->key_first, (cap ? 2 * cap : 1) * sizeof(size_t));
        }
        l->keys[l->n_keys] = xstrndup(key, len);
        l->key_first[l->n_keys] = LEDGER_NONE;
        l->slots[s] = (uint32_t)++l->n_keys;
    }
    size_t k = l->slots[s] - 1;
    xgrow(&l->figures, &l->figures_cap, l->n_figures + 1, sizeof(*l->figures));
    fig.next = l->key_first[k];
    l->figures[l->n_figures] = fig;
    l->key_first[k] = l->n_figures++;
}

/* ---- reading ----------------------------------------------------------------- */

/* One line's fields split at TABs (the line is changed in place). */
#define MAX_FIELDS (LEDGER_KEY_FIELDS + 4)

struct line {
    char *field[MAX_FIELDS];
    size_t n;
};

static void split(char *s, struct line *ln)
{
    ln->n = 0;
    for (;;) {
        if (ln->n == MAX_FIELDS)
            return;
        ln->field[ln->n++] = s;
        char *tab = strchr(s, '\t');
        if (!tab)
            return;
        *tab = '\0';
        s = tab + 1;
    }
}

static bool parse_hex32(const char *s, uint32_t *out)
{
    if (strlen(s) != 8)
        return false;
    char *end;
    unsigned long v = strtoul(s, &end, 16);
    *out = (uint32_t)v;
    return *end == '\0';
}

static bool parse_count(const char *s, double *out)
{
    return parse_double(s, strlen(s), out) && *out >= 0 && *out < 1e15;
}

/* Reading state: where the open release began, and what it holds. */
struct reading {
    struct ledger *l;
    const char *data;
    size_t line_no;
    bool in_release;
    size_t release_start, records;
};

/* One line of a release (its text line[0..len), without the newline, and a
 * copy to split).  False with the reason in err. */
static bool read_record(struct reading *r, const char *text, size_t len, size_t at, struct buf *err)
{
    const char *last_tab = text + len;
    while (last_tab > text && last_tab[-1] != '\t')
        last_tab--;
    char check_text[9] = "";
    uint32_t crc;
    if (last_tab == text || text + len - last_tab != 8) {
        buf_puts(err, "a line without its checksum");
        return false;
    }
    last_tab--; /* at the TAB */
    memcpy(check_text, last_tab + 1, 8);
    if (!parse_hex32(check_text, &crc) || crc != crc_of(text, (size_t)(last_tab - text))) {
        buf_puts(err, "checksum mismatch: the line was changed or damaged");
        return false;
    }
    char *copy = xstrndup(text, (size_t)(last_tab - text));
    struct line ln;
    split(copy, &ln);
    bool ok = false;
    char kind = ln.field[0][0] && !ln.field[0][1] ? ln.field[0][0] : '?';
    uint64_t number;
    if (kind == 'R') {
        ok = !r->in_release && ln.n == 4 &&
             parse_uint64(ln.field[1], strlen(ln.field[1]), &number) && number == r->l->n_releases;
        if (ok) {
            r->in_release = true;
            r->release_start = at;
            r->records = 0;
        } else
            buf_puts(err, r->in_release ? "a release begins inside another"
                                        : "a release out of sequence (one was removed?)");
    } else if (kind == 'F' || kind == 'H') {
        size_t want = 1 + LEDGER_KEY_FIELDS + (kind == 'F' ? 2 : 0);
        struct ledger_figure fig = {r->l->n_releases, kind == 'F', 0, 0, LEDGER_NONE};
        ok = r->in_release && ln.n == want &&
             (kind == 'H' ||
              (parse_count(ln.field[want - 2], &fig.n) && parse_count(ln.field[want - 1], &fig.x)));
        if (ok) {
            /* the key: the fields after the kind, as written (text + 2 ..) */
            size_t key_len = 0;
            for (int f = 1; f <= LEDGER_KEY_FIELDS; f++)
                key_len += strlen(ln.field[f]) + (f > 1);
            index_figure(r->l, text + 2, key_len, fig);
            r->records++;
        } else
            buf_puts(err, r->in_release ? "a malformed figure" : "a figure outside a release");
    } else if (kind == 'E') {
        uint64_t records;
        uint32_t batch_crc;
        ok = r->in_release && ln.n == 4 &&
             parse_uint64(ln.field[1], strlen(ln.field[1]), &number) &&
             number == r->l->n_releases &&
             parse_uint64(ln.field[2], strlen(ln.field[2]), &records) && records == r->records &&
             parse_hex32(ln.field[3], &batch_crc) &&
             batch_crc == crc_of(r->data + r->release_start, at - r->release_start);
        if (ok) {
            r->in_release = false;
            r->l->n_releases++;
        } else
            buf_puts(err, "a release whose records do not match its end line (a record was "
                          "removed, added or changed)");
    } else
        buf_puts(err, "not a ledger record");
    free(copy);
    return ok;
}

/* Verify and index the whole file data[0..len). */
static bool read_ledger(struct ledger *l, const char *data, size_t len, struct buf *err)
{
    size_t magic = strlen(LEDGER_MAGIC);
    if (len < magic + 1 || memcmp(data, LEDGER_MAGIC, magic) != 0 || data[magic] != '\n') {
        buf_printf(err, "%s:1: not a candour ledger (no '%s' line)", l->path, LEDGER_MAGIC);
        return false;
    }
    struct reading r = {l, data, 1, false, 0, 0};
    struct buf why;
    buf_init(&why);
    for (size_t at = magic + 1; at < len;) {
        r.line_no++;
        const char *nl = memchr(data + at, '\n', len - at);
        if (!nl) {
            buf_printf(err, "%s:%zu: the last line is cut short", l->path, r.line_no);
            buf_release(&why);
            return false;
        }
        if (memchr(data + at, '\0', (size_t)(nl - (data + at))) ||
            !read_record(&r, data + at, (size_t)(nl - (data + at)), at, &why)) {
            buf_printf(err, "%s:%zu: %s", l->path, r.line_no, why.len ? why.data : "a NUL byte");
            buf_release(&why);
            return false;
        }
        at = (size_t)(nl - data) + 1;
    }
    buf_release(&why);
    if (r.in_release) {
        buf_printf(err, "%s:%zu: the last release has no end line (cut short)", l->path, r.line_no);
        return false;
    }
    return true;
}

static bool read_all(int fd, struct buf *into)
{
    for (;;) {
        buf_reserve(into, 65536);
        ssize_t got = read(fd, into->data + into->len, 65536);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return false;
        if (got == 0)
            return true;
        into->len += (size_t)got;
    }
}

/* The checks of an open ledger file: what an output of candour may be. */
static bool check_file(struct ledger *l, const struct stat *st, struct buf *err)
{
    if (!S_ISREG(st->st_mode))
        buf_printf(err, "%s: not a regular file", l->path);
    else if (st->st_nlink != 1)
        buf_printf(err, "%s: has %ju links (a ledger must have one name)", l->path,
                   (uintmax_t)st->st_nlink);
    else if (st->st_uid != geteuid())
        buf_printf(err, "%s: owned by another user", l->path);
    else if (st->st_mode & 077)
        buf_printf(err, "%s: readable or writable by others (mode %04o): make it 0600", l->path,
                   (unsigned)(st->st_mode & 07777));
    else
        return true;
    return false;
}

static bool lock_ledger(struct ledger *l, bool wait, struct buf *err, bool *io_error)
{
    if (flock(l->fd, LOCK_EX | LOCK_NB) == 0)
        return true;
    if (errno == EWOULDBLOCK && wait) {
        fprintf(stderr, "candour-stats: waiting for another run using %s\n", l->path);
        while (flock(l->fd, LOCK_EX) != 0)
            if (errno != EINTR)
                break;
        return true;
    }
    if (errno == EWOULDBLOCK)
        buf_printf(err, "%s: another run is using it (--no-wait)", l->path);
    else if (errno == ENOLCK || errno == EOPNOTSUPP || errno == ENOSYS) {
        fprintf(stderr, "candour-stats: warning: %s cannot be locked here: %s\n", l->path,
                strerror(errno));
        return true;
    } else
        buf_printf(err, "%s: cannot lock: %s", l->path, strerror(errno));
    *io_error = true;
    return false;
}

bool ledger_open(struct ledger *l, const char *path, bool wait, struct buf *err, bool *io_error)
{
    memset(l, 0, sizeof(*l));
    l->path = xstrdup(path);
    buf_init(&l->batch);
    *io_error = false;
    l->fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_APPEND, 0600);
    if (l->fd < 0) {
        buf_printf(err, "%s: cannot open the ledger: %s", path,
                   errno == ELOOP ? "it is a symbolic link" : strerror(errno));
        *io_error = true;
        return false;
    }
    struct stat st;
    if (fstat(l->fd, &st) != 0) {
        buf_printf(err, "%s: %s", path, strerror(errno));
        *io_error = true;
        return false;
    }
    if (!check_file(l, &st, err)) {
        *io_error = true; /* not a damaged ledger: one that must not be used */
        return false;
    }
    if (!lock_ledger(l, wait, err, io_error))
        return false;
    struct buf data;
    buf_init(&data);
    bool ok = true;
    if (lseek(l->fd, 0, SEEK_SET) < 0 || !read_all(l->fd, &data)) {
        buf_printf(err, "%s: cannot read: %s", path, strerror(errno));
        *io_error = true;
        ok = false;
    } else if (data.len == 0)
        l->fresh = true; /* just made (or left empty by a run that failed) */
    else
        ok = read_ledger(l, data.data, data.len, err);
    l->size = (off_t)data.len;
    buf_release(&data);
    return ok;
}

void ledger_close(struct ledger *l)
{
    if (l->fd > 0)
        close(l->fd); /* unlocks */
    for (size_t k = 0; k < l->n_keys; k++)
        free(l->keys[k]);
    free(l->keys);
    free(l->key_first);
    free(l->slots);
    free(l->figures);
    free(l->path);
    buf_release(&l->batch);
    memset(l, 0, sizeof(*l));
}

/* ---- appending --------------------------------------------------------------- */

/* line (without the checksum) + TAB + its CRC + newline, onto out. */
static void put_line(struct buf *out, const char *line, size_t len)
{
    buf_append(out, line, len);
    buf_printf(out, "\t%08x\n", crc_of(line, len));
}

void ledger_record(struct ledger *l, const char *key, size_t len, bool shown, double n, double x)
{
    struct buf line;
    buf_init(&line);
    buf_puts(&line, shown ? "F\t" : "H\t");
    buf_append(&line, key, len);
    if (shown)
        buf_printf(&line, "\t%.17g\t%.17g", n, x);
    put_line(&l->batch, line.data, line.len);
    buf_release(&line);
    l->batch_records++;
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t put = write(fd, data, len);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return false;
        data += put;
        len -= (size_t)put;
    }
    return true;
}

bool ledger_append(struct ledger *l, double min_n, struct buf *err)
{
    struct buf out, line;
    buf_init(&out);
    buf_init(&line);
    if (l->fresh)
        buf_printf(&out, "%s\n", LEDGER_MAGIC);
    size_t start = out.len;
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    buf_printf(&line, "R\t%u\t%s\t%.17g", l->n_releases, when, min_n);
    put_line(&out, line.data, line.len);
    buf_append(&out, l->batch.data ? l->batch.data : "", l->batch.len);
    uint32_t batch_crc = crc_of(out.data + start, out.len - start);
    buf_clear(&line);
    buf_printf(&line, "E\t%u\t%zu\t%08x", l->n_releases, l->batch_records, batch_crc);
    put_line(&out, line.data, line.len);
    bool ok = write_all(l->fd, out.data, out.len) && fsync(l->fd) == 0;
    if (!ok) {
        buf_printf(err, "%s: cannot append this run's release: %s", l->path, strerror(errno));
        if (ftruncate(l->fd, l->size) != 0) /* as it was; if even that fails, say so */
            buf_printf(err,
                       " (and cannot cut it back to %jd bytes: %s; the ledger now ends "
                       "in a partial release and must be mended by hand)",
                       (intmax_t)l->size, strerror(errno));
    } else {
        l->size += (off_t)out.len;
        l->fresh = false;
        l->n_releases++;
        buf_clear(&l->batch);
        l->batch_records = 0;
    }
    buf_release(&out);
    buf_release(&line);
    return ok;
}
