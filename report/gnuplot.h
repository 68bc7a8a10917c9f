/* Drawing through a gnuplot pipe, safely.
 *
 * Threat: every label on a chart (org codes, unit names, item and group
 * names) comes from user data, and gnuplot runs commands from text: the
 * system() function, `backquote` substitution (also inside double-quoted
 * strings), @macros, and a newline ends a command.  So:
 *
 * - plotted values reach gnuplot only as numbers in inline data blocks
 *   (gp_block_*): the block's rows are written by gp_block_row from doubles,
 *   so no data line can be text, let alone the terminator;
 * - text reaches gnuplot only as single-quoted string literals made by
 *   gp_put_text: gnuplot performs no substitution of any kind inside single
 *   quotes (backslashes are ordinary characters, a quote is written '');
 *   control characters, and the Unicode controls that reorder or hide text,
 *   are shown as visible escapes (\n, \x01, \u202E), so a label is one line
 *   and reads as what the data holds.  Charts set `noenhanced`, so no
 *   enhanced-text markup (^ _ @ & { } ~) is interpreted either;
 * - a string literal is never the last token of a line (gnuplot joins a
 *   line ending in a backslash with the next).
 *
 * A process: gnuplot_open starts `gnuplot -d` (no init files) with its
 * stderr sent to a temporary file; gnuplot_finish checks pclose()'s status
 * and that gnuplot wrote nothing to stderr (a warning is an error here). */
#ifndef CANDOUR_REPORT_GNUPLOT_H
#define CANDOUR_REPORT_GNUPLOT_H

#include <stdbool.h>
#include <stdio.h>

#include "util.h"

struct gnuplot {
    FILE *pipe;
    char *err_path;  /* gnuplot's stderr; owned, removed by gnuplot_finish */
    int err_fd;      /* that file, open: gnuplot writes and we read it through
                        this descriptor, never by name again */
    int write_errno; /* why a gnuplot_send failed (gnuplot died), else 0 */
};

/* True when an executable `gnuplot` is on PATH (what popen's shell runs). */
bool gnuplot_on_path(void);

/* Start gnuplot.  On failure returns false with a message in err. */
bool gnuplot_open(struct gnuplot *gp, struct buf *err);

/* Send script (len bytes) to a running gnuplot and flush it, without
 * waiting: gnuplot draws while the caller goes on, and one gnuplot can be
 * sent several scripts in turn.  False when the write failed (gnuplot has
 * died: SIGPIPE must be ignored); nothing more is sent, and gnuplot_finish
 * reports it. */
bool gnuplot_send(struct gnuplot *gp, const char *script, size_t len);

/* Close gnuplot's input and wait for it to finish.  True when every
 * gnuplot_send succeeded, gnuplot exited with status 0 and printed nothing
 * on stderr; otherwise false with a message in err (gnuplot's stderr
 * quoted, control characters escaped).  Always releases gp. */
bool gnuplot_finish(struct gnuplot *gp, struct buf *err);

/* gnuplot_send then gnuplot_finish: one script, waited for; true when both
 * succeeded.  Always releases gp. */
bool gnuplot_run(struct gnuplot *gp, const char *script, size_t len, struct buf *err);

/* Append text as a gnuplot single-quoted string literal, at most max_chars
 * characters of it (then "...").  A leading apostrophe that candour-stats
 * added to neutralise a spreadsheet formula is removed first. */
void gp_put_text(struct buf *out, const char *text, size_t max_chars);

/* Append s, text composed by the caller (constants and gp_label_text
 * pieces), as a single-quoted literal; control characters are escaped as
 * gp_put_text does, nothing is cut or stripped. */
void gp_put_string(struct buf *out, const char *s);

/* gp_put_string for a tic label: gnuplot reads an explicit tic label as a
 * printf format for the tic's value, so '%' is doubled ("50% Bank Team"
 * would be drawn as "50  ank Team", and "Ward 10%" stops the chart).
 * Titles, labels and key entries are not formats: use gp_put_string. */
void gp_put_tic(struct buf *out, const char *s);

/* Append path as a single-quoted literal for `set output`.  False (nothing
 * appended) when it holds a control character, which gnuplot could not be
 * given faithfully. */
bool gp_put_path(struct buf *out, const char *path);

/* The label text gp_put_text would show, without the quotes (for
 * messages and measuring): appended to out. */
void gp_label_text(struct buf *out, const char *text, size_t max_chars);

/* Inline data blocks of numbers only: `$name << TERMINATOR` ... rows of
 * doubles (NaN written as the missing value "NaN") ... TERMINATOR.  name is
 * a constant identifier chosen by the caller, never data. */
void gp_block_begin(struct buf *out, const char *name);
void gp_block_row(struct buf *out, size_t n_values, const double *values);
/* A blank line: breaks lines and filled curves between the rows around it. */
void gp_block_break(struct buf *out);
void gp_block_end(struct buf *out);

#endif
