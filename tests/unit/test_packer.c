/* Unit tests for lib/packer: every gzip member pack_gzip makes is inflated
 * by zlib (a decoder independent of ISA-L, checking the CRC-32 and the
 * length) and gives back the input exactly: empty input, one byte, the edges of a stored block (65,535
 * bytes), text that deflates, and random bytes that do not (ISA-L falls
 * back to stored blocks, within the room pack_* gives it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "packer.h"

/* Inflate one stream of the given window bits (15 + 16: gzip)
 * from packed; its bytes, exactly what the whole of packed holds. */
static char *inflate_all(const struct buf *packed, int window_bits, size_t expect_len,
                         size_t *len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(inflateInit2(&z, window_bits), Z_OK);
    char *out = malloc(expect_len + 1);
    assert_non_null(out);
    z.next_in = (Bytef *)packed->data;
    z.avail_in = (uInt)packed->len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)expect_len + 1;
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    assert_int_equal(z.avail_in, 0); /* nothing after the stream */
    *len = z.total_out;
    inflateEnd(&z);
    return out;
}

/* text: CSV-like rows that deflate well; else random bytes */
static char *make_input(size_t len, bool text)
{
    char *in = malloc(len ? len : 1);
    assert_non_null(in);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        in[i] = text ? "RX1,q23a,ALL,0.8125,11\n"[i % 23] + (char)(x % 3 == 0) : (char)x;
    }
    return in;
}

static void round_trip(size_t len, bool text)
{
    char *in = make_input(len, text);
    struct packer *p = packer_new();
    {
        struct buf packed;
        buf_init(&packed);
        buf_puts(&packed, "kept"); /* pack_gzip appends */
        assert_true(pack_gzip(p, in, len, &packed));
        assert_memory_equal(packed.data, "kept", 4);
        assert_int_equal(packed.data[packed.len], '\0');
        struct buf stream = {packed.data + 4, packed.len - 4, 0};
        if (!text && len > 1000) /* random bytes: stored, hardly larger */
            assert_true(stream.len < len + len / 1000 + 64);
        if (text && len > 1000)
            assert_true(stream.len < len / 2);
        size_t out_len;
        char *out = inflate_all(&stream, 15 + 16, len, &out_len);
        assert_int_equal(out_len, len);
        assert_memory_equal(out, in, len);
        free(out);
        buf_release(&packed);
    }
    packer_free(p);
    free(in);
}

static void test_round_trips(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 7, 65534, 65535, 65536, 131071, 1u << 20, 3000001};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        round_trip(sizes[i], true);
        round_trip(sizes[i], false);
    }
}

/* One packer, used for many buffers in turn (as a writer thread does),
 * makes for each what a new packer makes. */
static void test_packer_reused(void **state)
{
    (void)state;
    char *in = make_input(1u << 21, true); /* past every at + length below */
    struct packer *used = packer_new();
    for (size_t at = 0; at < (1u << 19); at += 77777) {
        struct buf a, b;
        buf_init(&a);
        buf_init(&b);
        struct packer *fresh = packer_new();
        assert_true(pack_gzip(fresh, in + at, (1u << 19) + at / 3, &a));
        assert_true(pack_gzip(used, in + at, (1u << 19) + at / 3, &b));
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.data, b.data, a.len);
        packer_free(fresh);
        buf_release(&a);
        buf_release(&b);
    }
    packer_free(used);
    free(in);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>

/* XGETBV with ECX = 1: which state components are in use (not in their
 * initial state) right now; false when the CPU cannot say. */
static bool xstate_in_use(uint64_t *in_use)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX))
        return false;
    if (!__get_cpuid_count(0xD, 1, &a, &b, &c, &d) || !(a & (1u << 2)))
        return false; /* no XGETBV with ECX = 1 */
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(1));
    *in_use = (uint64_t)hi << 32 | lo;
    return true;
}
#else
static bool xstate_in_use(uint64_t *in_use)
{
    (void)in_use;
    return false;
}
#endif

/* The upper halves of ymm0-15 (state component 2) and of zmm0-15
 * (component 6): dirty, they slow every SSE instruction that follows. */
#define UPPER_VECTORS ((1u << 2) | (1u << 6))

/* pack_gzip returns with the vector registers' upper halves
 * clear, though ISA-L's AVX2/AVX-512 routines leave them in use
 * (packer.c).  Read straight after the call, before any other code runs. */
static void test_vectors_left_clear(void **state)
{
    (void)state;
    uint64_t in_use;
    if (!xstate_in_use(&in_use)) {
        skip(); /* a CPU without AVX or XGETBV 1: nothing to clear */
        return;
    }
    char *in = make_input(1u << 20, true);
    struct packer *p = packer_new();
    {
        struct buf packed;
        buf_init(&packed);
        bool packed_ok = pack_gzip(p, in, 1u << 20, &packed);
        bool known = xstate_in_use(&in_use);
        assert_true(packed_ok);
        assert_true(known);
        assert_int_equal(in_use & UPPER_VECTORS, 0);
        buf_release(&packed);
    }
    packer_free(p);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_packer_reused),
        cmocka_unit_test(test_vectors_left_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
