#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

enum source_status source_open(struct source *src, const char *path)
{
    memset(src, 0, sizeof(*src));
    src->path = path;
    src->fd = -1;
    if (strcmp(path, "-") == 0) {
        src->fd = STDIN_FILENO;
    } else {
        src->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (src->fd < 0) {
            src->errno_value = errno;
            return src->status = SOURCE_EOPEN;
        }
    }
    struct stat st;
    if (fstat(src->fd, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return src->status = SOURCE_EISDIR;
        if (S_ISREG(st.st_mode))
            src->file_size = (uint64_t)st.st_size;
    }
    src->raw = xmalloc(SOURCE_CHUNK + 1); /* +1: see the pipe case in source_next */
    return SOURCE_OK;
}

void source_close(struct source *src)
{
    if (src->fd > STDIN_FILENO)
        close(src->fd);
    src->fd = -1;
    if (src->z_ready)
        inflateEnd(&src->z);
    src->z_ready = false;
    free(src->raw);
    free(src->out);
    src->raw = src->out = NULL;
}

/* Refill the raw buffer; false at end of file or on error. */
static bool fill_raw(struct source *src)
{
    if (src->raw_eof)
        return false;
    for (;;) {
        ssize_t n = read(src->fd, src->raw, SOURCE_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            src->errno_value = errno;
            src->status = errno == EISDIR ? SOURCE_EISDIR : SOURCE_EREAD;
            return false;
        }
        if (n == 0) {
            src->raw_eof = true;
            return false;
        }
        src->raw_len = (size_t)n;
        src->raw_pos = 0;
        src->raw_size += (uint64_t)n;
        src->raw_crc = libdeflate_crc32(src->raw_crc, src->raw, (size_t)n);
        return true;
    }
}

static bool start_gzip(struct source *src)
{
    src->gzip = true;
    src->out = xmalloc(SOURCE_CHUNK);
    memset(&src->z, 0, sizeof(src->z));
    if (inflateInit2(&src->z, 16 + MAX_WBITS) != Z_OK) {
        src->status = SOURCE_EGZIP_CORRUPT;
        snprintf(src->detail, sizeof(src->detail), "cannot start zlib");
        return false;
    }
    src->z_ready = true;
    return true;
}

/* Inflate into src->out.  Handles concatenated gzip members (as gzip -d
 * does); end of file inside a member is truncation. */
static size_t next_gzip(struct source *src, const unsigned char **data)
{
    src->z.next_out = src->out;
    src->z.avail_out = SOURCE_CHUNK;
    while (src->z.avail_out > 0) {
        if (src->raw_pos == src->raw_len && !fill_raw(src)) {
            if (src->status != SOURCE_OK)
                return 0;
            if (src->z_ready) {
                src->status = SOURCE_EGZIP_TRUNCATED;
                return 0;
            }
            break;
        }
        if (!src->z_ready) {
            src->status = SOURCE_EGZIP_CORRUPT;
            snprintf(src->detail, sizeof(src->detail), "trailing data after gzip stream");
            return 0;
        }
        src->z.next_in = src->raw + src->raw_pos;
        src->z.avail_in = (uInt)(src->raw_len - src->raw_pos);
        int rc = inflate(&src->z, Z_NO_FLUSH);
        src->raw_pos = src->raw_len - src->z.avail_in;
        if (rc == Z_STREAM_END) {
            /* Another member may follow: it must start with the magic. */
            if (src->raw_pos == src->raw_len && !fill_raw(src)) {
                if (src->status != SOURCE_OK)
                    return 0;
                inflateEnd(&src->z);
                src->z_ready = false;
                break;
            }
            if (src->raw[src->raw_pos] != 0x1f) {
                src->status = SOURCE_EGZIP_CORRUPT;
                snprintf(src->detail, sizeof(src->detail), "trailing data after gzip stream");
                return 0;
            }
            inflateReset(&src->z);
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            src->status = SOURCE_EGZIP_CORRUPT;
            snprintf(src->detail, sizeof(src->detail), "%s",
                     src->z.msg ? src->z.msg : "invalid compressed data");
            return 0;
        }
    }
    *data = src->out;
    return SOURCE_CHUNK - src->z.avail_out;
}

size_t source_next(struct source *src, const unsigned char **data)
{
    if (src->status != SOURCE_OK || src->done)
        return 0;
    bool first = src->raw_size == 0;
    if (src->raw_pos == src->raw_len && !src->gzip && !fill_raw(src)) {
        src->done = true;
        return 0;
    }
    if (first && src->raw_len == 1) {
        /* a pipe may deliver one byte first: get the second magic byte */
        unsigned char one = src->raw[0];
        if (fill_raw(src)) {
            memmove(src->raw + 1, src->raw, src->raw_len);
            src->raw[0] = one;
            src->raw_len++;
        } else if (src->status != SOURCE_OK) {
            return 0;
        }
    }
    if (first && src->raw_len >= 2 && src->raw[0] == 0x1f && src->raw[1] == 0x8b &&
        !start_gzip(src))
        return 0;
    size_t n;
    if (src->gzip) {
        n = next_gzip(src, data);
        uint64_t consumed = src->raw_size - (src->raw_len - src->raw_pos);
        if (src->out_size + n > SOURCE_BOMB_FLOOR &&
            src->out_size + n > SOURCE_BOMB_RATIO * consumed) {
            src->status = SOURCE_EGZIP_BOMB;
            return 0;
        }
    } else {
        *data = src->raw + src->raw_pos;
        n = src->raw_len - src->raw_pos;
        src->raw_pos = src->raw_len;
    }
    if (n == 0)
        src->done = true;
    src->out_size += n;
    return n;
}

const char *source_strerror(const struct source *src)
{
    static __thread char msg[200];
    switch (src->status) {
    case SOURCE_OK:
        return "no error";
    case SOURCE_EOPEN:
    case SOURCE_EREAD:
        snprintf(msg, sizeof(msg), "cannot %s: %s", src->status == SOURCE_EOPEN ? "open" : "read",
                 strerror(src->errno_value));
        return msg;
    case SOURCE_EISDIR:
        return "is a directory, not a file";
    case SOURCE_EGZIP_TRUNCATED:
        return "gzip data is truncated (the file was cut short)";
    case SOURCE_EGZIP_BOMB:
        snprintf(msg, sizeof(msg),
                 "gzip data inflates to more than %u times its compressed size (a gzip bomb?): "
                 "refused after %llu MiB",
                 SOURCE_BOMB_RATIO, (unsigned long long)(src->out_size >> 20));
        return msg;
    case SOURCE_EGZIP_CORRUPT:
        snprintf(msg, sizeof(msg), "gzip data is corrupt: %s", src->detail);
        return msg;
    }
    return "unknown error";
}
