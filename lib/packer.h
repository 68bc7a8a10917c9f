/* Whole-buffer deflate with ISA-L (igzip): one buffer in, one complete
 * gzip member (RFC 1952) or zlib stream (RFC 1950) out, that any reader of
 * the format takes; gzip members written one after another are one gzip
 * file.  ISA-L's level 1 deflates the results tables 2-2.5 times as fast
 * as libdeflate's level 1 did, for about 4% more bytes, and a dataset's
 * column chunks about 1.8 times as fast, for 3.5% more
 * (docs/performance.md). */
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

/* Append in[0..len) to out as one gzip member (pack_gzip) or one zlib
 * stream (pack_zlib).  False, out unchanged, only when len is 4 GiB or
 * more (ISA-L takes 32-bit lengths). */
bool pack_gzip(struct packer *p, const void *in, size_t len, struct buf *out);
bool pack_zlib(struct packer *p, const void *in, size_t len, struct buf *out);

#endif
