/* Respondents seen so far in an ingest run, to refuse one counted twice.
 *
 * Only a keyed hash of each (period, org, respondent id) is kept, in memory:
 * never the id, and never on disk.  The key (SipHash-2-4, 128 bits) is drawn
 * at random for each run, so the hashes are no stable pseudonym either.  Two
 * different respondents share a 64-bit hash with a chance of about n^2/2^65
 * (1e-7 for 1.5 million): the second would be refused as a repeat. */
#ifndef CANDOUR_IDSET_H
#define CANDOUR_IDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idset_entry {
    uint64_t hash; /* 0: empty slot */
    uint32_t file; /* where it was first seen: input index and line */
    uint32_t line;
};

struct idset {
    uint64_t key[2];
    struct idset_entry *slots;
    size_t n_slots, count;
};

/* SipHash-2-4 of data under the 128-bit key (key[0] its first 8 bytes, read
 * little-endian), as in the reference implementation. */
uint64_t siphash24(const uint64_t key[2], const void *data, size_t len);

void idset_init(struct idset *s);
void idset_release(struct idset *s);
/* The entry of the respondent (period, org, id), each a byte string: NULL
 * when new (it is then remembered as first seen at file:line), else where
 * it was first seen. */
const struct idset_entry *idset_add(struct idset *s, const char *period, size_t period_len,
                                    const char *org, size_t org_len, const char *id, size_t id_len,
                                    uint32_t file, uint32_t line);

/* idset_add in two halves, for a caller with work to do in between: the
 * keyed hash the respondent is filed under, then idset_add_hash with it does
 * what idset_add does.  idset_prefetch asks for the slot's cache line in the
 * meantime: on a national year the table is tens of MB and its look-up, a
 * cache miss per row, was 6% of candour-ingest's decoding thread. */
uint64_t idset_hash(const struct idset *s, const char *period, size_t period_len, const char *org,
                    size_t org_len, const char *id, size_t id_len);
const struct idset_entry *idset_add_hash(struct idset *s, uint64_t hash, uint32_t file,
                                         uint32_t line);
static inline void idset_prefetch(const struct idset *s, uint64_t hash)
{
    if (s->n_slots)
        __builtin_prefetch(&s->slots[(size_t)hash & (s->n_slots - 1)]);
}

#endif
