/* The release ledger (--ledger FILE): every figure that candour-stats runs
 * have published, kept so that a later run over changed data can hide the
 * figures whose difference from a published one would describe fewer than
 * min_n people (the decision is stats/disclosure.c's: ledger_check_run).
 *
 * The file is text, one record a line, appended to and never rewritten:
 *
 *   candour-ledger 1                               the first line
 *   R <TAB> release <TAB> time <TAB> min_n <TAB> crc   a release begins
 *   F <TAB> key fields... <TAB> n <TAB> x <TAB> crc    a figure it showed
 *   H <TAB> key fields... <TAB> crc                    a figure it hid
 *   E <TAB> release <TAB> records <TAB> batch crc      the release ends
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
 * published figure is always recorded; on a failed append the file is cut
 * back to its previous size. */
#ifndef CANDOUR_STATS_LEDGER_H
#define CANDOUR_STATS_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

#define LEDGER_MAGIC "candour-ledger 1"
#define LEDGER_KEY_FIELDS 7 /* table, period, scope, grouping, parent group, group, item */

/* One recorded figure of one release: shown with its counts, or hidden. */
struct ledger_figure {
    uint32_t release; /* 0, 1, ... in file order */
    bool shown;
    double n, x; /* the counts shown (x: positive answers, or a theme's score sum) */
    size_t next; /* the next figure of the same key, or LEDGER_NONE */
};

#define LEDGER_NONE ((size_t)-1)

struct ledger {
    char *path;
    int fd;
    off_t size; /* bytes read and verified */
    bool fresh; /* empty: the first line is still to be written */
    uint32_t n_releases;
    struct ledger_figure *figures;
    size_t n_figures, figures_cap;
    /* key -> first figure, open addressing over the keys' text */
    char **keys;
    size_t *key_first;
    size_t n_keys, n_slots;
    uint32_t *slots;  /* key index + 1, 0 empty */
    struct buf batch; /* the release being made (ledger_record) */
    size_t batch_records;
};

/* Open, lock and read the ledger at path, creating it (0600) when missing.
 * wait false: another run holding it is an error, not waited for.  False
 * with "path: reason" (or "path:LINE: reason") in err; *io_error tells an
 * I/O failure from a corrupt or foreign file. */
bool ledger_open(struct ledger *l, const char *path, bool wait, struct buf *err, bool *io_error);
/* Close and unlock; frees everything. */
void ledger_close(struct ledger *l);

/* The key of fields[0..LEDGER_KEY_FIELDS) into key (cleared first). */
void ledger_key(struct buf *key, const char *const fields[LEDGER_KEY_FIELDS]);
/* The first recorded figure of key (then ->next), or LEDGER_NONE. */
size_t ledger_find(const struct ledger *l, const char *key, size_t len);

/* Add one figure of this run to the release to be appended: shown with its
 * counts n and x, or hidden (n and x not written). */
void ledger_record(struct ledger *l, const char *key, size_t len, bool shown, double n, double x);
/* Append this run's release (what ledger_record gathered), fsynced, with
 * min_n noted.  False with a message in err; the file is then as before. */
bool ledger_append(struct ledger *l, double min_n, struct buf *err);

/* Percent-encode s (%, and bytes below 0x20 or 0x7f, as %XX) onto out. */
void ledger_encode(struct buf *out, const char *s);

#endif
