#include "packer.h"

#include <isa-l/igzip_lib.h>
#include <stdint.h>
#include <stdlib.h>

/* ISA-L's level 1, whole buffers (isal_deflate_stateless), with the level's
 * default work space: measured on 1 MB chunks of a national year's
 * proportions and hotspots tables, level 0 is 5-10% faster but 25% larger,
 * level 1 without work space of its own 2-3% slower. */
#define PACK_LEVEL 1
#define PACK_LEVEL_BUF_SIZE ISAL_DEF_LVL1_DEFAULT

/* A deflate stored block holds at most this many bytes, behind a header of
 * STORED_HEADER bytes. */
#define STORED_MAX 65535u
#define STORED_HEADER 5u
/* gzip's header and trailer (RFC 1952, no name, no extra fields). */
#define GZIP_WRAPPER (10u + 8u)

struct packer {
    struct isal_zstream stream;
    unsigned char level_buf[PACK_LEVEL_BUF_SIZE];
};

struct packer *packer_new(void)
{
    return xmalloc(sizeof(struct packer));
}

void packer_free(struct packer *p)
{
    free(p);
}

/* Room the member for len bytes can take: isal_deflate_stateless falls
 * back to stored blocks when deflating would not fit, so given that much
 * room it always succeeds; the Huffman header's maximum covers the
 * smallest dynamic block it asks room for first. */
static size_t pack_bound(size_t len)
{
    return len + STORED_HEADER * (len / STORED_MAX + 1) + GZIP_WRAPPER + ISAL_DEF_MAX_HDR_SIZE;
}

/* ISA-L 2.30's AVX2 and AVX-512 deflate routines return with the upper
 * halves of the vector registers in use: not one of them executes
 * vzeroupper (objdump -d of libisal.so.2.0.30).  Until something clears
 * them, every SSE instruction after (candour is built without -mavx: the
 * number formatting, the intervals, the tests) waits on that state: a
 * national --gzip run's formatting took 0.6-0.8 s more CPU than a plain
 * run's, the Wilson and overdispersion functions 3-5 times their time
 * (docs/performance.md).  So clear them on the way out, where the CPU has
 * them at all. */
static void clear_upper_vectors(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (__builtin_cpu_supports("avx"))
        __asm__ volatile("vzeroupper");
#endif
}

bool pack_gzip(struct packer *p, const void *in, size_t len, struct buf *out)
{
    size_t bound = pack_bound(len);
    if (bound > UINT32_MAX)
        return false;
    buf_reserve(out, bound);
    struct isal_zstream *s = &p->stream;
    isal_deflate_stateless_init(s);
    s->level = PACK_LEVEL;
    s->level_buf = p->level_buf;
    s->level_buf_size = sizeof(p->level_buf);
    s->gzip_flag = IGZIP_GZIP;
    s->flush = NO_FLUSH;
    s->end_of_stream = 1;
    s->next_in = (uint8_t *)(uintptr_t)in; /* ISA-L's field is not const; it only reads */
    s->avail_in = (uint32_t)len;
    s->next_out = (uint8_t *)out->data + out->len;
    s->avail_out = (uint32_t)bound;
    int status = isal_deflate_stateless(s);
    clear_upper_vectors();
    if (status != COMP_OK)
        return false; /* not with this much room: see pack_bound */
    out->len += s->total_out;
    out->data[out->len] = '\0';
    return true;
}
