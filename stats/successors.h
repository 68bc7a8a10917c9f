/* Organisations across years: names per period and a successor map.
 *
 * Names: the org-name column of org-results datasets gives each org's name
 * in each period (the first row's, when rows differ), so that trends.csv
 * can flag a code whose organisation changed name between two periods.
 *
 * Successor map (--successors FILE, a CSV file with a header naming the
 * columns org, from, to and successor): org's figures in periods from..to
 * (inclusive, the schema's period format) continue as successor's series,
 * so that the change into the first period after `to` is worked out
 * against the predecessor and marked (trends.csv org_change = successor).
 * Links chain (A -> B -> C).  Where the successor has figures of its own in
 * that period they are used and the predecessor's are not linked (pooling
 * several predecessors is not done). */
#ifndef CANDOUR_STATS_SUCCESSORS_H
#define CANDOUR_STATS_SUCCESSORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct org_link {
    char *org, *successor;
    long from, to; /* period ordinals, inclusive */
};

struct org_name {
    uint32_t scope, period; /* model scope and period */
    char *name;
};

struct org_history {
    struct org_link *links;
    size_t n_links, links_cap;
    struct org_name *names;
    size_t n_names, names_cap;
};

/* Read a successor map into h.  CLI_OK, or CLI_EDATA / CLI_EIO with
 * "FILE:LINE: message" in err. */
int successors_read(struct org_history *h, const char *path, struct buf *err);
/* Record the name of org scope in period (the first one given wins). */
void org_history_name(struct org_history *h, uint32_t scope, uint32_t period, const char *name);
/* The name of org scope in period, "" when unknown. */
const char *org_history_name_of(const struct org_history *h, uint32_t scope, uint32_t period);
/* The code org's figures of period ordinal `ordinal` belong to after the
 * links (org itself when no link applies). */
const char *org_history_successor(const struct org_history *h, const char *org, long ordinal);
void org_history_release(struct org_history *h);

#endif
