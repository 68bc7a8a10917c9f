#include "util.h"

#include <pthread.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void out_of_memory(size_t size)
{
    fprintf(stderr, "candour: out of memory (asked for %zu bytes)\n", size);
    exit(2);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

void xgrow(void *items_ptr, size_t *capacity, size_t need, size_t item_size)
{
    void **items = items_ptr;
    if (need <= *capacity)
        return;
    size_t cap = *capacity ? *capacity : 8;
    while (cap < need)
        cap *= 2;
    *items = xrealloc(*items, cap * item_size);
    *capacity = cap;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t len)
{
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void buf_init(struct buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_release(struct buf *b)
{
    free(b->data);
    buf_init(b);
}

void buf_reserve(struct buf *b, size_t extra)
{
    xgrow(&b->data, &b->cap, b->len + extra + 1, 1);
}

void buf_append_grow(struct buf *b, const void *data, size_t len)
{
    buf_reserve(b, len);
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_clear(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_put_u32(struct buf *b, uint32_t v)
{
    unsigned char le[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 24)};
    buf_append(b, le, 4);
}

void buf_put_u64(struct buf *b, uint64_t v)
{
    buf_put_u32(b, (uint32_t)v);
    buf_put_u32(b, (uint32_t)(v >> 32));
}

void buf_put_str(struct buf *b, const char *s)
{
    size_t len = strlen(s);
    buf_put_u32(b, (uint32_t)len);
    buf_append(b, s, len);
}

/* FNV-1a: short keys (codes, org names), no adversarial concern worth SipHash
 * because tables are bounded by input caps. */
uint32_t hash_bytes(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

void strdict_init(struct strdict *d)
{
    memset(d, 0, sizeof(*d));
}

void strdict_release(struct strdict *d)
{
    for (size_t i = 0; i < d->count; i++)
        free(d->strings[i]);
    free(d->strings);
    free(d->slots);
    strdict_init(d);
}

static size_t strdict_slot(const struct strdict *d, const char *s, size_t len)
{
    size_t mask = d->n_slots - 1;
    size_t i = hash_bytes(s, len) & mask;
    for (;;) {
        uint32_t code = d->slots[i];
        if (code == 0)
            return i;
        const char *t = d->strings[code - 1];
        if (strlen(t) == len && memcmp(t, s, len) == 0)
            return i;
        i = (i + 1) & mask;
    }
}

static void strdict_rehash(struct strdict *d)
{
    size_t n = d->n_slots ? d->n_slots * 2 : 64;
    free(d->slots);
    d->slots = xcalloc(n, sizeof(*d->slots));
    d->n_slots = n;
    for (size_t code = 0; code < d->count; code++) {
        const char *t = d->strings[code];
        d->slots[strdict_slot(d, t, strlen(t))] = (uint32_t)code + 1;
    }
}

int64_t strdict_find(const struct strdict *d, const char *s, size_t len)
{
    if (d->n_slots == 0)
        return -1;
    uint32_t code = d->slots[strdict_slot(d, s, len)];
    return code ? (int64_t)code - 1 : -1;
}

uint32_t strdict_intern(struct strdict *d, const char *s, size_t len)
{
    if (d->n_slots == 0 || (d->count + 1) * 2 > d->n_slots)
        strdict_rehash(d);
    size_t slot = strdict_slot(d, s, len);
    if (d->slots[slot])
        return d->slots[slot] - 1;
    xgrow(&d->strings, &d->strings_cap, d->count + 1, sizeof(*d->strings));
    d->strings[d->count] = xstrndup(s, len);
    d->slots[slot] = (uint32_t)++d->count;
    return (uint32_t)d->count - 1;
}

bool parse_uint64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 19)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

bool parse_double(const char *s, size_t len, double *out)
{
    char tmp[64];
    if (len == 0 || len >= sizeof(tmp))
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (end != tmp + len || errno == ERANGE || !isfinite(v))
        return false;
    /* strtod accepts hex floats and "inf"/"nan": allow only plain decimals */
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789.-+eE", tmp[i]))
            return false;
    *out = v;
    return true;
}

bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

void run_halves(void *(*fn)(void *), void *first, void *second, bool two_threads)
{
    pthread_t helper;
    bool threaded = two_threads && pthread_create(&helper, NULL, fn, second) == 0;
    fn(first);
    if (threaded)
        pthread_join(helper, NULL);
    else
        fn(second);
}
