/* The release ledger (--ledger FILE): every figure that candour-stats runs
 * have published, kept so that a later run over changed data can hide the
 * figures whose difference from a published one would describe fewer than
 * min_n people (the decision is stats/disclosure.c's: ledger_check_run).
 *
 * The file is text, one record a line, appended to and never rewritten:
 *
 *   candour-ledger 1                               the first line
 *   R <TAB> release <TAB> time <TAB> min_n [<TAB> changes] <TAB> crc
 *                                                  a release begins
 *   F <TAB> key fields... <TAB> n <TAB> x <TAB> crc    a figure it showed
 *   H <TAB> key fields... <TAB> crc                    a figure it hid
 *   X <TAB> key fields... <TAB> crc                    a figure it did not have
 *   E <TAB> release <TAB> records <TAB> batch crc      the release ends
 *
 * A release whose R line ends in "changes" (every release written since the
 * ledger learnt them) lists only what differs from the release before it:
 * the figures it has that the one before did not, or with other counts or
 * state (F, H), and the figures the one before had that it does not (X);
 * every other figure of the release before is in it, unchanged.  A release
 * without "changes" (as every candour before that wrote them) lists all its
 * figures, and has no X.  Either way a release is, figure by figure,
 * exactly the set of figures its run computed, with their counts; so a run
 * over the same data as the release before appends an empty release.  A
 * candour that knows only full releases refuses a changes release ("a
 * release out of sequence"), never reads it as full.
 *
 * A key is a figure's identity (table, period, scope, grouping, parent
 * group, group, item or theme); its fields are percent-encoded (%, TAB,
 * newline and every other control byte as %XX), so any name fits.  Each
 * record ends with the CRC-32 of the line before it; the E line carries the
 * number of records and the CRC-32 of every byte of the release from its R
 * line, so that a record deleted, changed or added by hand, a release cut
 * short and a line from another file are all refused with the line number.
 * The CRCs find accidents and casual edits, not a forger: see
 * docs/threat-model.md.
 *
 * The file is opened with O_NOFOLLOW (a symbolic link is refused), must be
 * a regular file with one link, owned by the user running stats and
 * readable by nobody else (it is created 0600), and is locked with flock
 * for the whole run, after the directory locks (lib/lock.h).  A release is
 * appended (and fsynced) before the run's tables are committed, so a
 * published figure is always recorded; on a failed append, or a run that
 * began a release and did not append it, the file is cut back to its
 * previous size.
 *
 * In memory a figure's history is a list of spans: runs of consecutive
 * releases over which its record (state and counts) stayed the same.  The
 * checks judge a figure once per span (and per change of the figures it is
 * judged with), so a history of many releases of the same data costs what
 * one release costs. */
#ifndef CANDOUR_STATS_LEDGER_H
#define CANDOUR_STATS_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

#define LEDGER_MAGIC "candour-ledger 1"
#define LEDGER_KEY_FIELDS 7 /* table, period, scope, grouping, parent group, group, item */

#define LEDGER_NONE UINT32_MAX /* no figure, cell, field or span */
#define LEDGER_OPEN UINT32_MAX /* a span that lasts to the newest release read */

/* One figure's record over releases [from, to): shown with counts n and x
 * (positive answers, or a theme's score sum), or hidden (n, x 0). */
struct ledger_span {
    double n, x;
    uint32_t from, to; /* to: LEDGER_OPEN while the newest release has it */
    uint32_t prev;     /* the span before it (older), or LEDGER_NONE */
    bool shown;
};

/* A figure of the file: its cell (the key's first six fields) and field
 * (item or theme), each interned, and its newest span.  A key a run
 * recorded more than once (the two sides of a WRES 3 row when the HR
 * schema names neither) has one figure per occurrence, in the order
 * recorded: a release's k-th record of the key is its occurrence k. */
struct ledger_figure {
    uint32_t cell;
    unsigned field : 31; /* ids below 2^31 (LEDGER_MAX_IDS) */
    unsigned extra : 1;  /* an occurrence after the first */
    uint32_t last;       /* newest span, or LEDGER_NONE */
    uint32_t touched;    /* the last release that recorded it */
    uint32_t dup;        /* the key's next occurrence, or LEDGER_NONE */
};                       /* 20 bytes: 2.3 million of them in a national ledger */

/* Distinct fields (items and themes) a ledger may hold: the read refuses
 * more ("too many items"). */
#define LEDGER_MAX_IDS (UINT32_C(1) << 31)

struct ledger {
    char *path;
    int fd;
    off_t size; /* bytes read and verified */
    /* path.appending: made (holding the offset the release begins at) before
     * a release's first byte is written, removed once its end line is on
     * disk, so that what a killed run left can be told from a release whose
     * end was removed (ledger_open) */
    char *marker_path;
    bool marker_made;
    off_t boundary; /* read: the end of the last whole release (or first line) */
    bool any_release; /* read: an end line was read */
    bool fresh; /* empty: the first line is still to be written */
    uint32_t n_releases;
    struct strdict cells, fields; /* encoded key text -> id */
    struct ledger_figure *figures;
    size_t n_figures, figures_cap;
    /* (cell, field) -> figure: a run records a cell's fields one after
     * another, in the same order each time, so a cell's figures are mostly
     * at cell_base[cell] + (field - cell_field[cell]) (checked); the others
     * are in slots (figure + 1, 0 empty; open addressing) */
    uint32_t *cell_base, *cell_field;
    size_t cell_cap;
    uint32_t *slots;
    size_t n_slots, n_hashed;
    struct ledger_span *spans;
    size_t n_spans, spans_cap;
    /* the release being made (ledger_begin .. ledger_append) */
    bool began;
    struct buf batch;     /* not yet written */
    size_t batch_records; /* records of the release so far */
    size_t crc_skip;      /* leading bytes of batch outside the release (the first line) */
    uint32_t release_crc; /* of the release's bytes written so far */
    off_t written;        /* bytes of it written so far */
    int write_errno;      /* a write that failed, 0 when none */
    /* the key being recorded, held until a record of another key comes
     * (ledger_record_at): its occurrences are written all or none */
    struct buf group_cell, group_field;
    struct ledger_span *group;
    size_t n_group, group_cap;
    uint32_t group_id; /* its figure, or LEDGER_NONE */
    /* read: keys with more than one occurrence a changes release listed */
    uint32_t *listed;
    size_t n_listed, listed_cap;
};

/* Open, lock and read the ledger at path, creating it (0600) when missing.
 * wait false: another run holding it is an error, not waited for.  False
 * with "path: reason" (or "path:LINE: reason") in err; *io_error tells an
 * I/O failure from a corrupt or foreign file. */
bool ledger_open(struct ledger *l, const char *path, bool wait, struct buf *err, bool *io_error);
/* Close and unlock; frees everything.  A release begun and not appended is
 * cut off the file. */
void ledger_close(struct ledger *l);

/* The key of fields[0..LEDGER_KEY_FIELDS) into key (cleared first). */
void ledger_key(struct buf *key, const char *const fields[LEDGER_KEY_FIELDS]);
/* The cell part of a key, fields[0..LEDGER_KEY_FIELDS - 1), into key
 * (cleared first); the key is it, a TAB and the encoded field. */
void ledger_cell_key(struct buf *key, const char *const fields[LEDGER_KEY_FIELDS - 1]);

/* The id of an encoded cell or field text, LEDGER_NONE when no figure of
 * the file has it. */
uint32_t ledger_cell(const struct ledger *l, const char *text, size_t len);
uint32_t ledger_field(const struct ledger *l, const char *text, size_t len);
/* The figure of (cell, field) ids, or LEDGER_NONE. */
uint32_t ledger_figure(const struct ledger *l, uint32_t cell, uint32_t field);
/* The figure of a whole key's text, or LEDGER_NONE. */
uint32_t ledger_find(const struct ledger *l, const char *key, size_t len);
/* The record of figure f (LEDGER_NONE: none) in release r: the span that
 * holds it (of its last occurrence there, the record a run wrote last), or
 * NULL when f was not in release r.  *until: the first release after r
 * whose records of f differ (LEDGER_OPEN when none does): f's record is
 * the same from r up to it. */
const struct ledger_span *ledger_at(const struct ledger *l, uint32_t f, uint32_t r,
                                    uint32_t *until);
/* Every span of figure f, of all its occurrences, newest first:
 *   for (s = ledger_first_span(l, f, &o); s != LEDGER_NONE;
 *        s = ledger_next_span(l, &o, s)) */
static inline uint32_t ledger_occurrence_spans(const struct ledger *l, uint32_t *occ)
{
    for (; *occ != LEDGER_NONE; *occ = l->figures[*occ].dup)
        if (l->figures[*occ].last != LEDGER_NONE)
            return l->figures[*occ].last;
    return LEDGER_NONE;
}
static inline uint32_t ledger_first_span(const struct ledger *l, uint32_t f, uint32_t *occ)
{
    *occ = f;
    return ledger_occurrence_spans(l, occ);
}
static inline uint32_t ledger_next_span(const struct ledger *l, uint32_t *occ, uint32_t s)
{
    if (l->spans[s].prev != LEDGER_NONE)
        return l->spans[s].prev;
    *occ = l->figures[*occ].dup;
    return ledger_occurrence_spans(l, occ);
}
/* The end of span s as a release number: the releases it covers are
 * [s->from, ledger_span_end(l, s)). */
static inline uint32_t ledger_span_end(const struct ledger *l, const struct ledger_span *s)
{
    return s->to == LEDGER_OPEN ? l->n_releases : s->to;
}

/* Begin this run's release, noting min_n; ledger_record may then write the
 * records as they come (in blocks) rather than hold them all.  Optional:
 * ledger_append begins one if need be. */
void ledger_begin(struct ledger *l, double min_n);
/* Add one figure of this run to the release: shown with its counts n and x,
 * or hidden (n and x not written).  A figure whose record in the newest
 * release read is the same is not written again (the release lists
 * changes).  A key recorded more than once must be recorded in a row: its
 * records are then written all together, or (all the same as in the newest
 * release) none. */
void ledger_record(struct ledger *l, const char *key, size_t len, bool shown, double n, double x);
/* The same with the key's cell and field given apart, each as its encoded
 * text and its ledger_cell / ledger_field id. */
struct ledger_name {
    const char *text;
    size_t len;
    uint32_t id;
};
void ledger_record_at(struct ledger *l, const struct ledger_name *cell,
                      const struct ledger_name *field, bool shown, double n, double x);
/* Append this run's release (what ledger_record gathered, and an X for each
 * figure of the newest release read that it did not record), fsynced, with
 * min_n noted (ledger_begin's, if it was called).  False with a message in
 * err; the file is then as before. */
bool ledger_append(struct ledger *l, double min_n, struct buf *err);

/* Percent-encode s (%, and bytes below 0x20 or 0x7f, as %XX) onto out. */
void ledger_encode(struct buf *out, const char *s);

#endif
