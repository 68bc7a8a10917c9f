/* Unit tests for lib/idset: respondents seen, by keyed hash only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "idset.h"

/* The reference implementation's vectors (SipHash paper, appendix A, and
 * vectors.h of github.com/veorq/SipHash): key 00 01 .. 0f, message 00 01 ..
 * of length 0, 1, 8 and 15. */
static void test_siphash_reference_vectors(void **state)
{
    (void)state;
    const uint64_t key[2] = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
    unsigned char msg[64];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (unsigned char)i;
    assert_true(siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
    assert_true(siphash24(key, msg, 1) == 0x74f839c593dc67fdULL);
    assert_true(siphash24(key, msg, 8) == 0x93f5f5799a932462ULL);
    assert_true(siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL);
}

static void test_repeats_found_with_first_place(void **state)
{
    (void)state;
    struct idset s;
    idset_init(&s);
    assert_null(idset_add(&s, "2023", 4, "RXX1", 4, "R001", 4, 0, 2));
    assert_null(idset_add(&s, "2023", 4, "RXX1", 4, "R002", 4, 0, 3));
    /* the same id in another period or org is another respondent */
    assert_null(idset_add(&s, "2024", 4, "RXX1", 4, "R001", 4, 0, 4));
    assert_null(idset_add(&s, "2023", 4, "RXX2", 4, "R001", 4, 0, 5));
    /* the parts are kept apart: ("2023", "RXX1R", ...) is not ("2023", "RXX1", "R...") */
    assert_null(idset_add(&s, "2023", 4, "RXX1R", 5, "001", 3, 0, 6));
    const struct idset_entry *e = idset_add(&s, "2023", 4, "RXX1", 4, "R001", 4, 1, 9);
    assert_non_null(e);
    assert_int_equal(e->file, 0);
    assert_int_equal(e->line, 2);
    assert_int_equal(s.count, 5);
    idset_release(&s);
}

static void test_many(void **state)
{
    (void)state;
    struct idset s;
    idset_init(&s);
    char id[32];
    for (uint32_t i = 0; i < 200000; i++) {
        int n = snprintf(id, sizeof(id), "T%07u", i);
        assert_null(idset_add(&s, "2023", 4, "RXX1", 4, id, (size_t)n, 0, i + 2));
    }
    for (uint32_t i = 0; i < 200000; i += 997) {
        int n = snprintf(id, sizeof(id), "T%07u", i);
        const struct idset_entry *e = idset_add(&s, "2023", 4, "RXX1", 4, id, (size_t)n, 1, 1);
        assert_non_null(e);
        assert_int_equal(e->line, i + 2);
    }
    assert_int_equal(s.count, 200000);
    idset_release(&s);
}

/* The two halves do what idset_add does: the same hash for the same
 * respondent, and a repeat found whichever way it was added. */
static void test_hash_then_add(void **state)
{
    (void)state;
    struct idset s;
    idset_init(&s);
    uint64_t h = idset_hash(&s, "2023", 4, "RXX1", 4, "R001", 4);
    assert_true(h != 0);
    assert_true(h == idset_hash(&s, "2023", 4, "RXX1", 4, "R001", 4));
    assert_true(h != idset_hash(&s, "2023", 4, "RXX1R", 5, "001", 3));
    idset_prefetch(&s, h); /* an empty set: nothing to ask for */
    assert_null(idset_add_hash(&s, h, 0, 2));
    idset_prefetch(&s, h);
    const struct idset_entry *e = idset_add(&s, "2023", 4, "RXX1", 4, "R001", 4, 1, 9);
    assert_non_null(e);
    assert_int_equal(e->line, 2);
    assert_null(idset_add(&s, "2023", 4, "RXX1", 4, "R002", 4, 0, 3));
    e = idset_add_hash(&s, idset_hash(&s, "2023", 4, "RXX1", 4, "R002", 4), 1, 7);
    assert_non_null(e);
    assert_int_equal(e->line, 3);
    assert_int_equal(s.count, 2);
    idset_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_siphash_reference_vectors),
        cmocka_unit_test(test_repeats_found_with_first_place),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_hash_then_add),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
