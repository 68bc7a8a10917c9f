#include "idset.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* ---- SipHash-2-4 (Aumasson and Bernstein), over several byte strings -------- */

struct sip {
    uint64_t v0, v1, v2, v3;
    unsigned char tail[8];
    size_t tail_len, total;
};

static inline uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

static inline void sip_round(struct sip *s)
{
    s->v0 += s->v1;
    s->v1 = rotl(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = rotl(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = rotl(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = rotl(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = rotl(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = rotl(s->v2, 32);
}

static void sip_init(struct sip *s, const uint64_t key[2])
{
    s->v0 = key[0] ^ 0x736f6d6570736575ULL;
    s->v1 = key[1] ^ 0x646f72616e646f6dULL;
    s->v2 = key[0] ^ 0x6c7967656e657261ULL;
    s->v3 = key[1] ^ 0x7465646279746573ULL;
    s->tail_len = s->total = 0;
}

static void sip_word(struct sip *s, const unsigned char *p)
{
    uint64_t m = 0;
    for (int i = 7; i >= 0; i--)
        m = (m << 8) | p[i];
    s->v3 ^= m;
    sip_round(s);
    sip_round(s);
    s->v0 ^= m;
}

static void sip_update(struct sip *s, const void *data, size_t len)
{
    const unsigned char *p = data;
    s->total += len;
    while (len) {
        size_t take = 8 - s->tail_len < len ? 8 - s->tail_len : len;
        memcpy(s->tail + s->tail_len, p, take);
        s->tail_len += take;
        p += take;
        len -= take;
        if (s->tail_len == 8) {
            sip_word(s, s->tail);
            s->tail_len = 0;
        }
    }
}

static uint64_t sip_final(struct sip *s)
{
    unsigned char last[8] = {0};
    memcpy(last, s->tail, s->tail_len);
    last[7] = (unsigned char)s->total;
    sip_word(s, last);
    s->v2 ^= 0xff;
    for (int i = 0; i < 4; i++)
        sip_round(s);
    return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

uint64_t siphash24(const uint64_t key[2], const void *data, size_t len)
{
    struct sip h;
    sip_init(&h, key);
    sip_update(&h, data, len);
    return sip_final(&h);
}

/* ---- the set ------------------------------------------------------------------ */

void idset_init(struct idset *s)
{
    memset(s, 0, sizeof(*s));
    if (getrandom(s->key, sizeof(s->key), 0) != (ssize_t)sizeof(s->key)) {
        /* no entropy source: a key that still differs from run to run */
        s->key[0] = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL;
        s->key[1] = (uint64_t)getpid() * 0xC2B2AE3D27D4EB4FULL ^ (uint64_t)clock();
    }
}

void idset_release(struct idset *s)
{
    free(s->slots);
    memset(s, 0, sizeof(*s));
}

static void grow(struct idset *s)
{
    size_t n = s->n_slots ? 2 * s->n_slots : 1024;
    struct idset_entry *slots = xcalloc(n, sizeof(*slots));
    for (size_t i = 0; i < s->n_slots; i++) {
        if (!s->slots[i].hash)
            continue;
        size_t k = (size_t)s->slots[i].hash & (n - 1);
        while (slots[k].hash)
            k = (k + 1) & (n - 1);
        slots[k] = s->slots[i];
    }
    free(s->slots);
    s->slots = slots;
    s->n_slots = n;
}

uint64_t idset_hash(const struct idset *s, const char *period, size_t period_len, const char *org,
                    size_t org_len, const char *id, size_t id_len)
{
    /* the lengths first, so that no two different triples hash one string */
    uint64_t lens[3] = {period_len, org_len, id_len};
    struct sip h;
    sip_init(&h, s->key);
    sip_update(&h, lens, sizeof(lens));
    sip_update(&h, period, period_len);
    sip_update(&h, org, org_len);
    sip_update(&h, id, id_len);
    uint64_t hash = sip_final(&h);
    return hash + (hash == 0); /* 0 marks an empty slot */
}

const struct idset_entry *idset_add_hash(struct idset *s, uint64_t hash, uint32_t file,
                                         uint32_t line)
{
    if (4 * (s->count + 1) > 3 * s->n_slots) /* linear probing stays short at 3/4 */
        grow(s);
    size_t k = (size_t)hash & (s->n_slots - 1);
    for (; s->slots[k].hash; k = (k + 1) & (s->n_slots - 1))
        if (s->slots[k].hash == hash)
            return &s->slots[k];
    s->slots[k] = (struct idset_entry){hash, file, line};
    s->count++;
    return NULL;
}

const struct idset_entry *idset_add(struct idset *s, const char *period, size_t period_len,
                                    const char *org, size_t org_len, const char *id, size_t id_len,
                                    uint32_t file, uint32_t line)
{
    return idset_add_hash(s, idset_hash(s, period, period_len, org, org_len, id, id_len), file,
                          line);
}
