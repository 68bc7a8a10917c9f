/* A byte source over a file or stdin that inflates gzip transparently.
 * Compression is detected from the magic bytes, never from the name.  The raw
 * (on-disk) size and CRC-32 are accumulated for dataset provenance. */
#ifndef CANDOUR_SOURCE_H
#define CANDOUR_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

enum source_status {
    SOURCE_OK,
    SOURCE_EOPEN, /* open failed: errno_value says why */
    SOURCE_EREAD, /* read failed: errno_value */
    SOURCE_EGZIP_TRUNCATED,
    SOURCE_EGZIP_CORRUPT, /* detail holds zlib's message */
    SOURCE_EISDIR,
    SOURCE_EGZIP_BOMB, /* inflates past the ratio cap below */
};

/* Bytes read (or inflated) at a time.  64 KiB rather than 256: the reading
 * thread's copies land in cache, and a national file took 0.3 s less
 * system time to read (0.47-0.67 s instead of 0.64-0.95 s, four runs each). */
#define SOURCE_CHUNK (64u * 1024u)

/* Gzip bomb cap: once SOURCE_BOMB_FLOOR bytes have been inflated, a stream
 * that has inflated to more than SOURCE_BOMB_RATIO times the compressed bytes
 * consumed so far is refused.  Real exports compress 8-13 times (the sample
 * 11-13, a national export 8-10); a contrived layout of an ID and 250 empty
 * columns 90 times; one row repeated 290 times.  Deflate cannot exceed about
 * 1030 times, which gzip -6 and -9 reach on a run of one byte: the classic
 * bomb.  500 sits between with room either side; below the floor nothing is
 * refused, whatever the ratio.  Memory is bounded in any case (the source
 * streams): the cap bounds the time a small file can make a run take. */
#define SOURCE_BOMB_FLOOR (64ull << 20)
#define SOURCE_BOMB_RATIO 500u

struct source {
    const char *path; /* as given; "-" is stdin */
    int fd;
    bool gzip;
    bool raw_eof;
    bool done;
    enum source_status status;
    int errno_value;
    char detail[128];
    uint64_t raw_size;  /* bytes read from the file so far */
    uint32_t raw_crc;   /* CRC-32 of those bytes */
    uint64_t file_size; /* st_size of a regular file, else 0 */
    uint64_t out_size;  /* bytes delivered */
    unsigned char *raw;
    size_t raw_len, raw_pos;
    unsigned char *out;
    z_stream z;
    bool z_ready;
};

/* Open path ("-" for stdin).  Returns SOURCE_OK or an error status. */
enum source_status source_open(struct source *src, const char *path);
/* Next chunk of decoded bytes: *data points into the source (valid until the
 * next call).  Returns the length, 0 at end of input or on error (check
 * src->status). */
size_t source_next(struct source *src, const unsigned char **data);
void source_close(struct source *src);
/* Human-readable description of src->status (no file name). */
const char *source_strerror(const struct source *src);

#endif
