/* Whole-buffer deflate with ISA-L (igzip), for candour-stats --gzip: one
 * buffer in, one complete gzip member (RFC 1952) out, that any gzip reader
 * takes; members written one after another are one gzip file.  ISA-L's
 * level 1 deflates the results tables 2-2.5 times as fast as libdeflate's
 * level 1 did, for about 4% more bytes (docs/performance.md).  Not for
 * datasets: its bytes for the same input can differ from run to run
 * (lib/dataset.c says why libdeflate makes their chunks). */
#ifndef CANDOUR_PACKER_H
#define CANDOUR_PACKER_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* One deflate stream's state and work space (about 360 KB): used by one
 * thread at a time, kept from one buffer to the next. */
struct packer;

/* Never NULL: an allocation failure ends the program (util.h). */
struct packer *packer_new(void);
void packer_free(struct packer *p);

/* Append in[0..len) to out as one gzip member.  False, out unchanged,
 * only when len is 4 GiB or more (ISA-L takes 32-bit lengths). */
bool pack_gzip(struct packer *p, const void *in, size_t len, struct buf *out);

#endif
