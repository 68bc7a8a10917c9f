/* The release ledger: the file, its checks and its index (ledger.h). */
#include "ledger.h"

#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* CRC-32 of data[0..len) continuing from crc (0 to start). */
static uint32_t crc_more(uint32_t crc, const char *data, size_t len)
{
    return (uint32_t)libdeflate_crc32(crc, data, len);
}

static uint32_t crc_of(const char *data, size_t len)
{
    return crc_more(0, data, len);
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

static void join_encoded(struct buf *key, const char *const *fields, int n)
{
    buf_clear(key);
    for (int f = 0; f < n; f++) {
        if (f)
            buf_putc(key, '\t');
        ledger_encode(key, fields[f]);
    }
}

void ledger_key(struct buf *key, const char *const fields[LEDGER_KEY_FIELDS])
{
    join_encoded(key, fields, LEDGER_KEY_FIELDS);
}

void ledger_cell_key(struct buf *key, const char *const fields[LEDGER_KEY_FIELDS - 1])
{
    join_encoded(key, fields, LEDGER_KEY_FIELDS - 1);
}

/* ---- the index: (cell, field) -> figure -> its spans -------------------------- */

/* (cell, field) mixed so that every bit of both reaches the low bits the
 * table uses (MurmurHash3's 64-bit finaliser): a plain multiply left the
 * low 32 bits to the field alone, 121 values over 2.3 million figures. */
static size_t pair_hash(uint32_t cell, uint32_t field)
{
    uint64_t h = (uint64_t)cell << 32 | field;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return (size_t)h;
}

static size_t figure_slot(const struct ledger *l, uint32_t cell, uint32_t field)
{
    size_t mask = l->n_slots - 1, i = pair_hash(cell, field) & mask;
    while (l->slots[i]) {
        const struct ledger_figure *f = &l->figures[l->slots[i] - 1];
        if (f->cell == cell && f->field == field)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

/* Where (cell, field)'s figure is when it is where its cell's first
 * figure puts it, LEDGER_NONE when its cell has none or the field comes
 * before. */
static uint32_t natural_position(const struct ledger *l, uint32_t cell, uint32_t field)
{
    if (cell >= l->cell_cap || l->cell_base[cell] == LEDGER_NONE || field < l->cell_field[cell])
        return LEDGER_NONE;
    uint64_t at = (uint64_t)l->cell_base[cell] + (field - l->cell_field[cell]);
    return at < LEDGER_NONE ? (uint32_t)at : LEDGER_NONE;
}

/* Is figure f the first occurrence of (cell, field)? */
static bool figure_is(const struct ledger *l, uint32_t f, uint32_t cell, uint32_t field)
{
    return f < l->n_figures && l->figures[f].cell == cell && l->figures[f].field == field &&
           !l->figures[f].extra;
}

uint32_t ledger_figure(const struct ledger *l, uint32_t cell, uint32_t field)
{
    if (cell == LEDGER_NONE || field == LEDGER_NONE)
        return LEDGER_NONE;
    uint32_t at = natural_position(l, cell, field);
    if (figure_is(l, at, cell, field))
        return at;
    if (!l->n_slots)
        return LEDGER_NONE;
    uint32_t s = l->slots[figure_slot(l, cell, field)];
    return s ? s - 1 : LEDGER_NONE;
}

static uint32_t dict_id(const struct strdict *d, const char *text, size_t len)
{
    int64_t id = strdict_find(d, text, len);
    return id < 0 ? LEDGER_NONE : (uint32_t)id;
}

uint32_t ledger_cell(const struct ledger *l, const char *text, size_t len)
{
    return dict_id(&l->cells, text, len);
}

uint32_t ledger_field(const struct ledger *l, const char *text, size_t len)
{
    return dict_id(&l->fields, text, len);
}

/* The length of a key's cell part: up to its last TAB (len when none). */
static size_t cell_len(const char *key, size_t len)
{
    size_t at = len;
    while (at > 0 && key[at - 1] != '\t')
        at--;
    return at ? at - 1 : len;
}

uint32_t ledger_find(const struct ledger *l, const char *key, size_t len)
{
    size_t c = cell_len(key, len);
    if (c == len)
        return LEDGER_NONE;
    return ledger_figure(l, ledger_cell(l, key, c), ledger_field(l, key + c + 1, len - c - 1));
}

/* The span of one occurrence o holding release r, or NULL; *until as
 * ledger_at's, for o alone. */
static const struct ledger_span *occurrence_at(const struct ledger *l, uint32_t o, uint32_t r,
                                               uint32_t *until)
{
    uint32_t later = LEDGER_OPEN; /* where the span after r's gap begins */
    for (uint32_t s = l->figures[o].last; s != LEDGER_NONE; s = l->spans[s].prev) {
        const struct ledger_span *span = &l->spans[s];
        if (span->from <= r) {
            if (r < span->to) {
                *until = span->to;
                return span;
            }
            break;
        }
        later = span->from;
    }
    *until = later;
    return NULL;
}

const struct ledger_span *ledger_at(const struct ledger *l, uint32_t f, uint32_t r, uint32_t *until)
{
    const struct ledger_span *found = NULL;
    *until = LEDGER_OPEN;
    for (uint32_t o = f; o != LEDGER_NONE; o = l->figures[o].dup) {
        uint32_t o_until;
        const struct ledger_span *span = occurrence_at(l, o, r, &o_until);
        found = span ? span : found; /* the last occurrence in r */
        *until = o_until < *until ? o_until : *until;
    }
    return found;
}

/* Put figure f (a first occurrence not at its natural position) in the
 * slots, making them larger first when they are half full. */
static void hash_figure(struct ledger *l, uint32_t f)
{
    if (2 * (l->n_hashed + 1) > l->n_slots) {
        size_t n = l->n_slots ? 2 * l->n_slots : 1024;
        free(l->slots);
        l->slots = xcalloc(n, sizeof(uint32_t));
        l->n_slots = n;
        l->n_hashed = 0;
        for (uint32_t k = 0; k < l->n_figures; k++) {
            const struct ledger_figure *fig = &l->figures[k];
            if (k != f && !fig->extra && natural_position(l, fig->cell, fig->field) != k) {
                l->slots[figure_slot(l, fig->cell, fig->field)] = k + 1;
                l->n_hashed++;
            }
        }
    }
    l->slots[figure_slot(l, l->figures[f].cell, l->figures[f].field)] = f + 1;
    l->n_hashed++;
}

/* The figure of (cell, field), added (with no span) when new. */
static uint32_t figure_add(struct ledger *l, uint32_t cell, uint32_t field)
{
    uint32_t f = ledger_figure(l, cell, field);
    if (f != LEDGER_NONE)
        return f;
    if (cell >= l->cell_cap) {
        size_t old = l->cell_cap;
        xgrow(&l->cell_base, &l->cell_cap, (size_t)cell + 1, sizeof(uint32_t));
        l->cell_field = xrealloc(l->cell_field, l->cell_cap * sizeof(uint32_t));
        for (size_t c = old; c < l->cell_cap; c++)
            l->cell_base[c] = l->cell_field[c] = LEDGER_NONE;
    }
    f = (uint32_t)l->n_figures;
    if (l->cell_base[cell] == LEDGER_NONE) { /* the cell's first figure */
        l->cell_base[cell] = f;
        l->cell_field[cell] = field;
    }
    xgrow(&l->figures, &l->figures_cap, l->n_figures + 1, sizeof(*l->figures));
    l->figures[l->n_figures++] = (struct ledger_figure){.cell = cell,
                                                        .field = field,
                                                        .extra = 0,
                                                        .last = LEDGER_NONE,
                                                        .touched = LEDGER_NONE,
                                                        .dup = LEDGER_NONE};
    if (natural_position(l, cell, field) != f)
        hash_figure(l, f);
    return f;
}

/* The occurrence after o of its key, added when there is none. */
static uint32_t next_occurrence(struct ledger *l, uint32_t o)
{
    if (l->figures[o].dup != LEDGER_NONE)
        return l->figures[o].dup;
    xgrow(&l->figures, &l->figures_cap, l->n_figures + 1, sizeof(*l->figures));
    const struct ledger_figure *f = &l->figures[o];
    l->figures[l->n_figures] = (struct ledger_figure){.cell = f->cell,
                                                      .field = f->field,
                                                      .extra = 1,
                                                      .last = LEDGER_NONE,
                                                      .touched = LEDGER_NONE,
                                                      .dup = LEDGER_NONE};
    l->figures[o].dup = (uint32_t)l->n_figures;
    return (uint32_t)l->n_figures++;
}

/* Is occurrence o in the newest release read? */
static bool is_open(const struct ledger *l, uint32_t o)
{
    uint32_t s = l->figures[o].last;
    return s != LEDGER_NONE && l->spans[s].to == LEDGER_OPEN;
}

/* Is span s the record (shown, n, x)?  Counts compare exactly: the file
 * holds them as %.17g, which reads back as the same double. */
static bool same_record(const struct ledger_span *s, bool shown, double n, double x)
{
    return s->shown == shown && (!shown || (s->n == n && s->x == x));
}

/* ---- reading ----------------------------------------------------------------- */

/* A line's fields, pointers into the line (not changed). */
#define MAX_FIELDS (LEDGER_KEY_FIELDS + 4)

struct fields {
    const char *at[MAX_FIELDS];
    size_t len[MAX_FIELDS];
    size_t n; /* MAX_FIELDS + 1: more than MAX_FIELDS */
};

static void split(const char *s, size_t len, struct fields *f)
{
    const char *end = s + len;
    f->n = 0;
    for (;;) {
        if (f->n == MAX_FIELDS) {
            f->n++;
            return;
        }
        const char *tab = memchr(s, '\t', (size_t)(end - s));
        f->at[f->n] = s;
        f->len[f->n++] = (size_t)((tab ? tab : end) - s);
        if (!tab)
            return;
        s = tab + 1;
    }
}

static bool parse_hex32(const char *s, size_t len, uint32_t *out)
{
    if (len != 8)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < 8; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return false;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return true;
}

/* A count as written (%.17g): whole numbers of up to 15 digits directly
 * (the double strtod would give), the rest through parse_double. */
static bool parse_count(const char *s, size_t len, double *out)
{
    uint64_t whole;
    if (len <= 15 && parse_uint64(s, len, &whole)) {
        *out = (double)whole;
        return true;
    }
    return parse_double(s, len, out) && *out >= 0 && *out < 1e15;
}

/* Reading state: the open release and what it holds so far. */
struct reading {
    struct ledger *l;
    bool in_release, changes;
    uint32_t crc; /* of the release's bytes so far, from its R line */
    size_t records;
    /* the last record's cell: a run records a cell's fields one after
     * another, so most records need no look-up of their cell */
    struct buf cell;
    uint32_t cell_id; /* LEDGER_NONE before the first */
};

/* The id of a record's cell text[0..len), interned. */
static uint32_t read_cell(struct reading *r, const char *text, size_t len)
{
    if (r->cell_id != LEDGER_NONE && r->cell.len == len && memcmp(r->cell.data, text, len) == 0)
        return r->cell_id;
    r->cell_id = strdict_intern(&r->l->cells, text, len);
    buf_clear(&r->cell);
    buf_append(&r->cell, text, len);
    return r->cell_id;
}

static bool fail(struct buf *err, const char *why)
{
    buf_puts(err, why);
    return false;
}

static bool read_begin(struct reading *r, const struct fields *f, struct buf *err)
{
    uint64_t number;
    bool changes = f->n == 5 && f->len[4] == 7 && memcmp(f->at[4], "changes", 7) == 0;
    if (r->in_release)
        return fail(err, "a release begins inside another");
    if ((f->n != 4 && !changes) || !parse_uint64(f->at[1], f->len[1], &number) ||
        number != r->l->n_releases)
        return fail(err, "a release out of sequence (one was removed?)");
    r->in_release = true;
    r->changes = changes;
    r->records = 0;
    return true;
}

/* An X record: every occurrence of the key (first) leaves. */
static bool read_removed(struct reading *r, uint32_t first, struct buf *err)
{
    struct ledger *l = r->l;
    uint32_t rel = l->n_releases;
    if (!is_open(l, first) || l->figures[first].touched == rel)
        return fail(err, "a figure removed that the release before did not have");
    for (uint32_t o = first; o != LEDGER_NONE; o = l->figures[o].dup) {
        if (is_open(l, o))
            l->spans[l->figures[o].last].to = rel;
        l->figures[o].touched = rel;
    }
    return true;
}

/* A changes release ends: a key it listed has just the occurrences it
 * listed (the rest of a duplicated key's leave). */
static void close_unlisted_occurrences(struct ledger *l)
{
    uint32_t rel = l->n_releases;
    for (size_t k = 0; k < l->n_listed; k++)
        for (uint32_t o = l->listed[k]; o != LEDGER_NONE; o = l->figures[o].dup)
            if (l->figures[o].touched != rel && is_open(l, o))
                l->spans[l->figures[o].last].to = rel;
    l->n_listed = 0;
}

/* An F, H or X record of the open release, into the figure's spans. */
static bool read_figure(struct reading *r, char kind, const struct fields *f, struct buf *err)
{
    struct ledger *l = r->l;
    size_t want = 1 + LEDGER_KEY_FIELDS + (kind == 'F' ? 2 : 0);
    double n = 0, x = 0;
    if (!r->in_release)
        return fail(err, "a figure outside a release");
    if (kind == 'X' && !r->changes)
        return fail(err, "a figure removed in a release that lists them all");
    if (f->n != want || (kind == 'F' && !(parse_count(f->at[want - 2], f->len[want - 2], &n) &&
                                          parse_count(f->at[want - 1], f->len[want - 1], &x))))
        return fail(err, "a malformed figure");
    const char *cell = f->at[1], *field = f->at[LEDGER_KEY_FIELDS];
    uint32_t field_id = strdict_intern(&l->fields, field, f->len[LEDGER_KEY_FIELDS]);
    if (field_id >= LEDGER_MAX_IDS)
        return fail(err, "too many items");
    uint32_t first = figure_add(l, read_cell(r, cell, (size_t)(field - 1 - cell)), field_id);
    uint32_t rel = l->n_releases;
    r->records++;
    if (kind == 'X')
        return read_removed(r, first, err);
    uint32_t id = first; /* the key's k-th record in this release: its occurrence k */
    while (l->figures[id].touched == rel)
        id = next_occurrence(l, id);
    if (id == first && r->changes && l->figures[first].dup != LEDGER_NONE) { /* duplicated */
        xgrow(&l->listed, &l->listed_cap, l->n_listed + 1, sizeof(*l->listed));
        l->listed[l->n_listed++] = first;
    }
    struct ledger_figure *fig = &l->figures[id];
    fig->touched = rel;
    struct ledger_span *last = fig->last == LEDGER_NONE ? NULL : &l->spans[fig->last];
    bool open = last && last->to == LEDGER_OPEN; /* in the release before */
    if (open && same_record(last, kind == 'F', n, x))
        return true; /* goes on */
    if (open)
        last->to = rel;
    xgrow(&l->spans, &l->spans_cap, l->n_spans + 1, sizeof(*l->spans));
    l->spans[l->n_spans] = (struct ledger_span){n, x, rel, LEDGER_OPEN, fig->last, kind == 'F'};
    fig->last = (uint32_t)l->n_spans++;
    return true;
}

/* A full release ends: the figures it did not list are not in it. */
static void close_unlisted(struct ledger *l)
{
    uint32_t rel = l->n_releases;
    for (size_t k = 0; k < l->n_figures; k++) {
        struct ledger_figure *fig = &l->figures[k];
        if (fig->last != LEDGER_NONE && fig->touched != rel &&
            l->spans[fig->last].to == LEDGER_OPEN)
            l->spans[fig->last].to = rel;
    }
}

static bool read_end(struct reading *r, const struct fields *f, struct buf *err)
{
    uint64_t number, records;
    uint32_t batch_crc;
    if (!r->in_release || f->n != 4 || !parse_uint64(f->at[1], f->len[1], &number) ||
        number != r->l->n_releases || !parse_uint64(f->at[2], f->len[2], &records) ||
        records != r->records || !parse_hex32(f->at[3], f->len[3], &batch_crc) ||
        batch_crc != r->crc)
        return fail(err, "a release whose records do not match its end line (a record was "
                         "removed, added or changed)");
    if (!r->changes)
        close_unlisted(r->l);
    else
        close_unlisted_occurrences(r->l);
    r->in_release = false;
    r->l->n_releases++;
    return true;
}

/* One line text[0..len) (its newline at text[len]); false with the reason
 * in err. */
static bool read_line(struct reading *r, const char *text, size_t len, struct buf *err)
{
    const char *end = text + len, *last_tab = end;
    uint32_t crc;
    while (last_tab > text && last_tab[-1] != '\t')
        last_tab--;
    if (memchr(text, '\0', len))
        return fail(err, "a NUL byte");
    if (last_tab == text || end - last_tab != 8)
        return fail(err, "a line without its checksum");
    size_t body = (size_t)(last_tab - 1 - text);
    if (!parse_hex32(last_tab, 8, &crc) || crc != crc_of(text, body))
        return fail(err, "checksum mismatch: the line was changed or damaged");
    struct fields f;
    split(text, body, &f);
    char kind = f.len[0] == 1 ? text[0] : '?';
    bool ok;
    if (kind == 'R') {
        ok = read_begin(r, &f, err);
        r->crc = 0;
    } else if (kind == 'F' || kind == 'H' || kind == 'X')
        ok = read_figure(r, kind, &f, err);
    else if (kind == 'E')
        return read_end(r, &f, err);
    else
        return fail(err, "not a ledger record");
    if (ok)
        r->crc = crc_more(r->crc, text, len + 1);
    return ok;
}

static ssize_t read_some(int fd, char *into, size_t len)
{
    for (;;) {
        ssize_t got = read(fd, into, len);
        if (got >= 0 || errno != EINTR)
            return got;
    }
}

/* Read, verify and index the file from its start, a block at a time.  False
 * with the message in err; *io_error for a read that failed. */
static bool read_ledger(struct ledger *l, struct buf *err, bool *io_error)
{
    struct buf data, why;
    buf_init(&data);
    buf_init(&why);
    struct reading r = {l, false, false, 0, 0, {0}, LEDGER_NONE};
    buf_init(&r.cell);
    size_t line_no = 0, done = 0, magic = strlen(LEDGER_MAGIC);
    off_t total = 0;
    bool ok = true, eof = false;
    while (ok) {
        /* the lines held whole in data[done..) */
        char *nl;
        while (ok && data.len > done && (nl = memchr(data.data + done, '\n', data.len - done))) {
            size_t len = (size_t)(nl - (data.data + done));
            off_t line_end = total - (off_t)data.len + (off_t)(done + len + 1);
            line_no++;
            if (line_no == 1) {
                ok = len == magic && memcmp(data.data, LEDGER_MAGIC, magic) == 0;
                if (!ok)
                    buf_printf(err, "%s:1: not a candour ledger (no '%s' line)", l->path,
                               LEDGER_MAGIC);
                l->boundary = ok ? line_end : 0;
            } else if (!read_line(&r, data.data + done, len, &why)) {
                buf_printf(err, "%s:%zu: %s", l->path, line_no, why.data);
                ok = false;
            } else if (data.data[done] == 'E') { /* a release read whole */
                l->boundary = line_end;
                l->any_release = true;
            }
            done += len + 1;
        }
        if (!ok || eof)
            break;
        if (done) {
            memmove(data.data, data.data + done, data.len - done);
            data.len -= done;
        }
        done = 0;
        buf_reserve(&data, 1 << 20);
        ssize_t got = read_some(l->fd, data.data + data.len, data.cap - data.len);
        if (got < 0) {
            buf_printf(err, "%s: cannot read: %s", l->path, strerror(errno));
            *io_error = true;
            ok = false;
        }
        eof = got == 0;
        data.len += got > 0 ? (size_t)got : 0;
        total += got > 0 ? got : 0;
    }
    if (ok && data.len > done) { /* bytes after the last newline */
        if (line_no == 0)
            buf_printf(err, "%s:1: not a candour ledger (no '%s' line)", l->path, LEDGER_MAGIC);
        else
            buf_printf(err, "%s:%zu: the last line is cut short", l->path, line_no + 1);
        ok = false;
    } else if (ok && r.in_release) {
        buf_printf(err, "%s:%zu: the last release has no end line (cut short)", l->path, line_no);
        ok = false;
    }
    l->fresh = ok && total == 0; /* just made (or left empty by a run that failed) */
    l->size = total;
    buf_release(&data);
    buf_release(&why);
    buf_release(&r.cell);
    return ok;
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

/* ---- the marker of a release being appended -------------------------------- */

#define LEDGER_MARKER_LINE "candour-ledger-append"

static bool write_all(int fd, const char *data, size_t len);

/* What path.appending holds: nothing there, candour's marker (its offset in
 * *at), an empty file (a run killed between making it and writing its one
 * line), or something else, which candour leaves alone. */
enum marker_state { MARKER_NONE, MARKER_AT, MARKER_EMPTY, MARKER_FOREIGN };

static enum marker_state read_marker(const struct ledger *l, off_t *at)
{
    int fd = open(l->marker_path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? MARKER_NONE : MARKER_FOREIGN;
    char text[64];
    struct stat st;
    bool ours = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid();
    ssize_t got = ours ? read_some(fd, text, sizeof(text)) : -1;
    close(fd);
    if (got == 0)
        return MARKER_EMPTY;
    size_t word = strlen(LEDGER_MARKER_LINE), len = got > 0 ? (size_t)got : 0;
    uint64_t offset;
    if (len < word + 3 || len == sizeof(text) || memcmp(text, LEDGER_MARKER_LINE " ", word + 1) ||
        text[len - 1] != '\n' || !parse_uint64(text + word + 1, len - word - 2, &offset) ||
        offset > (uint64_t)INT64_MAX)
        return MARKER_FOREIGN;
    *at = (off_t)offset;
    return MARKER_AT;
}

/* Made before the release's first byte is written.  Without it (a directory
 * candour cannot write in) the run goes on as before this marker existed: a
 * kill while appending then leaves the ledger to be cut back by hand. */
static void make_marker(struct ledger *l)
{
    char text[64];
    int len = snprintf(text, sizeof(text), LEDGER_MARKER_LINE " %jd\n", (intmax_t)l->size);
    int fd = open(l->marker_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0 && write_all(fd, text, (size_t)len) && close(fd) == 0) {
        l->marker_made = true;
        return;
    }
    int why = errno;
    if (fd >= 0) {
        close(fd);
        unlink(l->marker_path);
    }
    fprintf(stderr,
            "candour-stats: warning: %s: cannot mark the release being appended (%s): a run "
            "killed while appending would leave the ledger to be cut back by hand\n",
            l->marker_path, strerror(why));
}

static void remove_marker(struct ledger *l)
{
    if (unlink(l->marker_path) != 0 && errno != ENOENT)
        fprintf(stderr, "candour-stats: warning: %s: cannot remove: %s\n", l->marker_path,
                strerror(errno));
    l->marker_made = false;
}

/* Everything read from the file, freed: the ledger as just opened. */
static void release_index(struct ledger *l)
{
    strdict_release(&l->cells);
    strdict_release(&l->fields);
    free(l->figures);
    free(l->slots);
    free(l->cell_base);
    free(l->cell_field);
    free(l->spans);
    free(l->listed);
    l->figures = NULL;
    l->slots = l->cell_base = l->cell_field = l->listed = NULL;
    l->spans = NULL;
    l->n_figures = l->figures_cap = l->cell_cap = l->n_slots = l->n_hashed = 0;
    l->n_spans = l->spans_cap = l->n_listed = l->listed_cap = 0;
    l->n_releases = 0;
    l->size = l->boundary = 0;
    l->fresh = l->any_release = false;
    strdict_init(&l->cells);
    strdict_init(&l->fields);
}

/* The file failed to read, and a marker says a run began a release at `at`:
 * cut that release off when it is the one the file ends in, unfinished (the
 * file read whole up to `at`, no release ended after it).  Its run was
 * killed before the release's end line was on disk, so before its tables
 * were committed: nothing of it was published.  A release whose end line
 * was removed afterwards has no marker (it is removed once the end line is
 * written) and stays an error. */
static bool cut_unfinished(struct ledger *l, off_t at, struct buf *err, bool *io_error)
{
    bool ends_there = at == l->boundary || (at == 0 && !l->any_release);
    if (!ends_there || at >= l->size)
        return false;
    uint32_t release = l->n_releases;
    if (ftruncate(l->fd, at) != 0 || fsync(l->fd) != 0) {
        buf_printf(err, " (and cannot cut off the release a killed run left: %s)", strerror(errno));
        *io_error = true;
        return false;
    }
    fprintf(stderr,
            "candour-stats: %s: cut off release %u, which a run killed while appending it left "
            "unfinished (%jd bytes; nothing of it was published)\n",
            l->path, release, (intmax_t)(l->size - at));
    remove_marker(l);
    release_index(l);
    buf_clear(err);
    if (lseek(l->fd, 0, SEEK_SET) < 0) {
        buf_printf(err, "%s: cannot read: %s", l->path, strerror(errno));
        *io_error = true;
        return false;
    }
    return read_ledger(l, err, io_error);
}

/* Read the file, mending what a killed run's marker accounts for. */
static bool read_marked(struct ledger *l, struct buf *err, bool *io_error)
{
    off_t at = 0;
    enum marker_state marker = read_marker(l, &at);
    if (read_ledger(l, err, io_error)) {
        if (marker == MARKER_AT || marker == MARKER_EMPTY) /* a run killed after its end
                                                              line, or before its first byte */
            remove_marker(l);
        return true;
    }
    return !*io_error && marker == MARKER_AT && cut_unfinished(l, at, err, io_error);
}

bool ledger_open(struct ledger *l, const char *path, bool wait, struct buf *err, bool *io_error)
{
    memset(l, 0, sizeof(*l));
    l->path = xstrdup(path);
    l->marker_path = xasprintf("%s.appending", path);
    buf_init(&l->batch);
    buf_init(&l->group_cell);
    buf_init(&l->group_field);
    strdict_init(&l->cells);
    strdict_init(&l->fields);
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
    if (lseek(l->fd, 0, SEEK_SET) < 0) {
        buf_printf(err, "%s: cannot read: %s", path, strerror(errno));
        *io_error = true;
        return false;
    }
    return read_marked(l, err, io_error);
}

void ledger_close(struct ledger *l)
{
    bool cut = !(l->began && l->written > 0) || ftruncate(l->fd, l->size) == 0;
    if (!cut) /* the marker stays: the next run cuts the release off */
        fprintf(stderr,
                "candour-stats: %s: cannot cut off the release this run began: %s (%s)\n",
                l->path, strerror(errno),
                l->marker_made ? "the next run will"
                               : "the ledger now ends in a partial release and must be "
                                 "mended by hand");
    else if (l->marker_made)
        remove_marker(l);
    if (l->began)
        atomic_cut_on_signal(-1, 0);
    if (l->fd > 0)
        close(l->fd); /* unlocks */
    release_index(l);
    strdict_release(&l->cells);
    strdict_release(&l->fields);
    free(l->path);
    free(l->marker_path);
    buf_release(&l->batch);
    buf_release(&l->group_cell);
    buf_release(&l->group_field);
    free(l->group);
    memset(l, 0, sizeof(*l));
}

/* ---- appending --------------------------------------------------------------- */

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

/* Write the batch (after ledger_begin) and count it into the release's CRC.
 * A write that fails is noted for ledger_append; nothing more is written. */
static void flush_batch(struct ledger *l)
{
    if (!l->write_errno) {
        l->release_crc =
            crc_more(l->release_crc, l->batch.data + l->crc_skip, l->batch.len - l->crc_skip);
        if (write_all(l->fd, l->batch.data, l->batch.len))
            l->written += (off_t)l->batch.len;
        else
            l->write_errno = errno ? errno : EIO;
    }
    buf_clear(&l->batch);
    l->crc_skip = 0;
}

/* line[0..len) + TAB + its CRC + newline onto the batch. */
static void put_line(struct buf *out, const char *line, size_t len)
{
    buf_append(out, line, len);
    buf_printf(out, "\t%08x\n", crc_of(line, len));
}

void ledger_begin(struct ledger *l, double min_n)
{
    if (l->began)
        return;
    struct buf head, line;
    buf_init(&head);
    buf_init(&line);
    if (l->fresh)
        buf_printf(&head, "%s\n", LEDGER_MAGIC);
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    buf_printf(&line, "R\t%u\t%s\t%.17g\tchanges", l->n_releases, when, min_n);
    l->crc_skip = head.len;
    put_line(&head, line.data, line.len);
    buf_append(&head, l->batch.data ? l->batch.data : "", l->batch.len); /* recorded before */
    buf_release(&l->batch);
    l->batch = head;
    l->began = true;
    l->release_crc = 0;
    atomic_cut_on_signal(l->fd, l->size); /* a run stopped while appending leaves no part */
    make_marker(l);                        /* and a run killed, a part the next run can cut */
    buf_release(&line);
}

/* TAB and a count as %.17g writes it: a whole number below 1e15 (not -0)
 * as its digits, which is what %.17g prints for one, without the cost. */
static void put_count(struct buf *out, double v)
{
    if (v >= 0 && v < 1e15 && v == (double)(uint64_t)v && !signbit(v)) {
        char digits[24];
        size_t at = sizeof(digits);
        uint64_t u = (uint64_t)v;
        do
            digits[--at] = (char)('0' + u % 10);
        while (u /= 10);
        digits[--at] = '\t';
        buf_append(out, digits + at, sizeof(digits) - at);
    } else
        buf_printf(out, "\t%.17g", v);
}

/* A record of figure (cell, field) onto the release: F with its counts, H,
 * or X (not in this release). */
static void put_record(struct ledger *l, char kind, const char *cell, size_t cell_len,
                       const char *field, size_t field_len, double n, double x)
{
    size_t start = l->batch.len;
    char head[2] = {kind, '\t'};
    buf_append(&l->batch, head, 2);
    buf_append(&l->batch, cell, cell_len);
    buf_putc(&l->batch, '\t');
    buf_append(&l->batch, field, field_len);
    if (kind == 'F') {
        put_count(&l->batch, n);
        put_count(&l->batch, x);
    }
    size_t len = l->batch.len - start;
    buf_printf(&l->batch, "\t%08x\n", crc_of(l->batch.data + start, len));
    l->batch_records++;
    if (l->began && l->batch.len >= (1 << 20))
        flush_batch(l);
}

/* Write the held key's records (ledger_record_at): all of them, unless
 * they are, in order, the records of its occurrences in the newest release
 * read and no other occurrence is there; then none (the release goes on
 * with them).  All or none, so that a reader finds each record's
 * occurrence by its place. */
static void put_group(struct ledger *l)
{
    if (!l->n_group)
        return;
    bool same = true;
    uint32_t o = l->group_id;
    for (size_t k = 0; k < l->n_group; k++) {
        const struct ledger_span *g = &l->group[k];
        same = same && o != LEDGER_NONE && is_open(l, o) &&
               same_record(&l->spans[l->figures[o].last], g->shown, g->n, g->x);
        o = o == LEDGER_NONE ? o : l->figures[o].dup;
    }
    for (; o != LEDGER_NONE; o = l->figures[o].dup)
        same = same && !is_open(l, o);
    if (l->group_id != LEDGER_NONE)
        l->figures[l->group_id].touched = l->n_releases; /* recorded by this run */
    for (size_t k = 0; k < l->n_group && !same; k++)
        put_record(l, l->group[k].shown ? 'F' : 'H', l->group_cell.data, l->group_cell.len,
                   l->group_field.data, l->group_field.len, l->group[k].n, l->group[k].x);
    l->n_group = 0;
}

void ledger_record_at(struct ledger *l, const struct ledger_name *cell,
                      const struct ledger_name *field, bool shown, double n, double x)
{
    bool same_key = l->n_group && cell->len == l->group_cell.len &&
                    field->len == l->group_field.len &&
                    memcmp(cell->text, l->group_cell.data, cell->len) == 0 &&
                    memcmp(field->text, l->group_field.data, field->len) == 0;
    if (!same_key) {
        put_group(l);
        buf_clear(&l->group_cell);
        buf_append(&l->group_cell, cell->text, cell->len);
        buf_clear(&l->group_field);
        buf_append(&l->group_field, field->text, field->len);
        l->group_id = ledger_figure(l, cell->id, field->id);
    }
    xgrow(&l->group, &l->group_cap, l->n_group + 1, sizeof(*l->group));
    l->group[l->n_group++] = (struct ledger_span){shown ? n : 0, shown ? x : 0, 0, 0, 0, shown};
}

void ledger_record(struct ledger *l, const char *key, size_t len, bool shown, double n, double x)
{
    size_t c = cell_len(key, len);
    struct ledger_name cell = {key, c, ledger_cell(l, key, c)};
    struct ledger_name field = {key + c + 1, c < len ? len - c - 1 : 0,
                                c < len ? ledger_field(l, key + c + 1, len - c - 1) : LEDGER_NONE};
    ledger_record_at(l, &cell, &field, shown, n, x);
}

/* An X for every figure of the newest release read that this run did not
 * record. */
static void put_removed(struct ledger *l)
{
    for (size_t k = 0; k < l->n_figures; k++) {
        const struct ledger_figure *fig = &l->figures[k];
        /* an X removes every occurrence; a key's first is there if any is */
        if (fig->extra || !is_open(l, (uint32_t)k) || fig->touched == l->n_releases)
            continue;
        const char *cell = l->cells.strings[fig->cell], *field = l->fields.strings[fig->field];
        put_record(l, 'X', cell, strlen(cell), field, strlen(field), 0, 0);
    }
}

bool ledger_append(struct ledger *l, double min_n, struct buf *err)
{
    ledger_begin(l, min_n);
    put_group(l);
    put_removed(l);
    flush_batch(l);
    struct buf line;
    buf_init(&line);
    buf_printf(&line, "E\t%u\t%zu\t%08x", l->n_releases, l->batch_records, l->release_crc);
    put_line(&l->batch, line.data, line.len);
    buf_release(&line);
    l->crc_skip = l->batch.len; /* the E line is outside its own CRC */
    flush_batch(l);
    bool ok = !l->write_errno && fsync(l->fd) == 0;
    if (!ok) {
        buf_printf(err, "%s: cannot append this run's release: %s", l->path,
                   strerror(l->write_errno ? l->write_errno : errno));
        if (ftruncate(l->fd, l->size) != 0) { /* as it was; if even that fails, say so */
            buf_printf(err,
                       " (and cannot cut it back to %jd bytes: %s; the ledger now ends "
                       "in a partial release%s)",
                       (intmax_t)l->size, strerror(errno),
                       l->marker_made ? ", which the next run will cut off"
                                      : " and must be mended by hand");
            l->marker_made = false; /* kept for the next run: ledger_close leaves it */
        } else if (l->marker_made)
            remove_marker(l);
    } else {
        if (l->marker_made) /* the release is whole on disk: published from here on */
            remove_marker(l);
        l->size += l->written;
        l->fresh = false;
        l->n_releases++;
    }
    l->began = false;
    atomic_cut_on_signal(-1, 0);
    l->written = 0;
    l->write_errno = 0;
    l->batch_records = 0;
    buf_clear(&l->batch);
    return ok;
}
