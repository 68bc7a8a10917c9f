/* Small shared utilities: checked allocation, growable buffers, a string
 * dictionary, and string helpers.  Every allocation failure ends the program
 * (there is nothing sensible to do without memory); everything else returns a
 * status to the caller. */
#ifndef CANDOUR_UTIL_H
#define CANDOUR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that never returns NULL: on failure prints and exits 2. */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grow *items (of item_size bytes each) so that it holds at least need items. */
void xgrow(void *items_ptr, size_t *capacity, size_t need, size_t item_size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);
/* printf into a new string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer; data is always NUL-terminated for convenience. */
struct buf {
    char *data;
    size_t len;
    size_t cap;
};
void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_append_grow(struct buf *b, const void *data, size_t len);
/* Inline: the output tables append millions of short fields. */
static inline void buf_append(struct buf *b, const void *data, size_t len)
{
    if (b->len + len < b->cap) {
        if (len)
            memcpy(b->data + b->len, data, len);
        b->len += len;
        b->data[b->len] = '\0';
    } else {
        buf_append_grow(b, data, len);
    }
}
static inline void buf_putc(struct buf *b, char c)
{
    buf_append(b, &c, 1);
}
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_clear(struct buf *b);
void buf_put_u32(struct buf *b, uint32_t v);
void buf_put_u64(struct buf *b, uint64_t v);
void buf_put_str(struct buf *b, const char *s); /* u32 length + bytes */

/* String dictionary: maps strings to dense codes 0..count-1 in insertion order.
 * Strings are owned by the dictionary. */
struct strdict {
    char **strings;
    size_t count;
    size_t strings_cap;
    uint32_t *slots; /* open addressing: code + 1, 0 = empty */
    size_t n_slots;
};
void strdict_init(struct strdict *d);
void strdict_release(struct strdict *d);
/* Code of s (len bytes), adding it when absent. */
uint32_t strdict_intern(struct strdict *d, const char *s, size_t len);
/* Code of s or -1 when absent. */
int64_t strdict_find(const struct strdict *d, const char *s, size_t len);

uint32_t hash_bytes(const void *data, size_t len);

/* True when paths a and b name the same existing file, by st_dev and st_ino:
 * another spelling of the path, or a link, is the same file. */
bool same_file(const char *a, const char *b);

/* fn(first) on this thread while fn(second) runs on a helper thread, both
 * done on return.  When two_threads is false, or no thread can be made,
 * both run here one after the other: the halves write nothing in common,
 * so the result is the same either way. */
void run_halves(void *(*fn)(void *), void *first, void *second, bool two_threads);

/* Parse a whole string as a non-negative integer / finite double. */
bool parse_uint64(const char *s, size_t len, uint64_t *out);
bool parse_double(const char *s, size_t len, double *out);

#endif
