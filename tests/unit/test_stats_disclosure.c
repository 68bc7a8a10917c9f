/* Unit tests for stats/disclosure.c, the one module that decides what
 * candour-stats hides.  Small tables whose answers can be checked by hand
 * (each test says why its states are what they are), an exhaustive
 * attacker over random small hierarchies (every integer solution consistent
 * with what is shown and with the states' bounds: no hidden count may have
 * only one possible value), runs at neighbouring thresholds that must nest,
 * and the run-level decisions: WRES indicator 3 rows, their rolling sums,
 * the SPC rates of HR groups and the hotspots' rest-of-org rule. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../stats/stats.h"

#define N SUPP_NONE
#define P SUPP_PRIMARY
#define S SUPP_SECONDARY
#define END ((size_t)-1)

/* Add relation parent = sum of children (END-terminated) [+ remainder]. */
static void relate(struct relations *rel, size_t parent, bool remainder, bool prefer_parent, ...)
{
    xgrow(&rel->list, &rel->cap, rel->n + 1, sizeof(*rel->list));
    struct relation *r = &rel->list[rel->n++];
    *r = (struct relation){parent, NULL, 0, remainder, prefer_parent};
    va_list ap;
    va_start(ap, prefer_parent);
    for (size_t c; (c = va_arg(ap, size_t)) != END;) {
        r->children = xrealloc(r->children, (r->n_children + 1) * sizeof(size_t));
        r->children[r->n_children++] = c;
    }
    va_end(ap);
}

static void expect_states(const enum suppression *got, const enum suppression *want, size_t n)
{
    if (memcmp(got, want, n * sizeof(*got)) != 0) {
        print_error("states:");
        for (size_t c = 0; c < n; c++)
            print_error(" %s", suppression_name(got[c]));
        print_error("\n");
    }
    for (size_t c = 0; c < n; c++) {
        if (got[c] != want[c])
            print_error("cell %zu: state %s, expected %s\n", c, suppression_name(got[c]),
                        suppression_name(want[c]));
        assert_int_equal(got[c], want[c]);
    }
}

/* ---- an exhaustive attacker ------------------------------------------------------ */

/* Every assignment of whole numbers to the hidden cells within their
 * states' bounds (primary: 0 to min_n - 1; secondary: 1 to max, a bound
 * above the truth, so that it tells the attacker nothing; a total without
 * remainder: the sum of its children) under
 * which every relation adds up (a remainder: any number >= 0) is a world
 * the attacker cannot rule out.  seen_lo/seen_hi collect each hidden cell's
 * values over all worlds; a hidden cell with one value is recovered. */
struct attacker {
    const struct relations *rel;
    size_t n_cells;
    const double *truth;
    const enum suppression *supp;
    double min_n, max;
    double *value;
    size_t *hidden, n_hidden;
    double *seen_lo, *seen_hi;
    size_t worlds;
    bool *derived; /* the parent of a relation without remainder: its children's sum */
    size_t *all_hidden, n_all_hidden;
};

static bool adds_up(const struct attacker *a)
{
    for (size_t i = 0; i < a->rel->n; i++) {
        const struct relation *r = &a->rel->list[i];
        double sum = 0;
        for (size_t k = 0; k < r->n_children; k++)
            sum += a->value[r->children[k]];
        double rest = a->value[r->parent] - sum;
        if (r->remainder ? rest < 0 : rest != 0)
            return false;
    }
    return true;
}

static bool within_state(const struct attacker *a, size_t c)
{
    double v = a->value[c];
    return a->supp[c] == SUPP_PRIMARY ? v >= 0 && v <= a->min_n - 1 : v >= 1;
}

static void explore(struct attacker *a, size_t h)
{
    if (h == a->n_hidden) {
        /* hidden totals of relations without remainder: their children's
         * sum (relations list parents before their children's relations) */
        for (size_t i = a->rel->n; i-- > 0;) {
            const struct relation *r = &a->rel->list[i];
            if (!a->derived[r->parent] || !a->supp[r->parent])
                continue;
            double sum = 0;
            for (size_t k = 0; k < r->n_children; k++)
                sum += a->value[r->children[k]];
            a->value[r->parent] = sum;
            if (!within_state(a, r->parent))
                return;
        }
        if (!adds_up(a))
            return;
        a->worlds++;
        for (size_t k = 0; k < a->n_all_hidden; k++) {
            double v = a->value[a->all_hidden[k]];
            a->seen_lo[k] = v < a->seen_lo[k] ? v : a->seen_lo[k];
            a->seen_hi[k] = v > a->seen_hi[k] ? v : a->seen_hi[k];
        }
        return;
    }
    size_t c = a->hidden[h];
    double lo = a->supp[c] == SUPP_PRIMARY ? 0 : 1;
    double hi = a->supp[c] == SUPP_PRIMARY ? a->min_n - 1 : a->max;
    for (double v = lo; v <= hi; v++) {
        a->value[c] = v;
        explore(a, h + 1);
    }
}

/* The number of hidden cells the attacker pins to one value. */
static size_t recovered(const struct relations *rel, size_t n_cells, const double *truth,
                        const enum suppression *supp, double min_n, double max)
{
    struct attacker a = {rel, n_cells, truth, supp, min_n, max,  NULL, NULL,
                         0,   NULL,    NULL,  0,    NULL,  NULL, 0};
    a.value = xcalloc(n_cells, sizeof(double));
    a.hidden = xcalloc(n_cells, sizeof(size_t));
    a.all_hidden = xcalloc(n_cells, sizeof(size_t));
    a.derived = xcalloc(n_cells, sizeof(bool));
    a.seen_lo = xcalloc(n_cells, sizeof(double));
    a.seen_hi = xcalloc(n_cells, sizeof(double));
    for (size_t i = 0; i < rel->n; i++)
        a.derived[rel->list[i].parent] = !rel->list[i].remainder;
    for (size_t c = 0; c < n_cells; c++) {
        a.value[c] = truth[c];
        if (!supp[c])
            continue;
        a.seen_lo[a.n_all_hidden] = INFINITY;
        a.seen_hi[a.n_all_hidden] = -INFINITY;
        a.all_hidden[a.n_all_hidden++] = c;
        if (!a.derived[c])
            a.hidden[a.n_hidden++] = c;
    }
    explore(&a, 0);
    assert_true(a.worlds >= 1); /* the truth is one of them */
    size_t pinned = 0;
    for (size_t k = 0; k < a.n_all_hidden; k++)
        pinned += a.seen_lo[k] == a.seen_hi[k];
    free(a.value);
    free(a.hidden);
    free(a.all_hidden);
    free(a.derived);
    free(a.seen_lo);
    free(a.seen_hi);
    return pinned;
}

/* The attacker is not blind: with the primary cell alone hidden, it
 * recovers it as P - A - B. */
static void test_attacker_finds_a_lone_hidden_cell(void **state)
{
    (void)state;
    struct relations rel = {0};
    relate(&rel, 0, false, false, (size_t)1, (size_t)2, (size_t)3, END);
    double n[] = {40, 25, 12, 3};
    enum suppression supp[] = {N, N, N, P};
    assert_int_equal(recovered(&rel, 4, n, supp, 11, 50), 1);
    relations_release(&rel);
}

/* ---- hand-checked tables -------------------------------------------------------- */

/* P = A + B + C = 40 with A 25, B 12, C 3 at min_n 11: C is primary; alone
 * it would be P - A - B, so the smallest shown child, B, is hidden too
 * (secondary); B + C = 15 is at least 11 and has two unknowns. */
static void test_primary_and_complementary(void **state)
{
    (void)state;
    struct relations rel = {0};
    relate(&rel, 0, false, false, (size_t)1, (size_t)2, (size_t)3, END);
    double n[] = {40, 25, 12, 3};
    enum suppression supp[4];
    size_t secondary = suppress_cells(&rel, 4, n, NULL, true, supp, 11);
    expect_states(supp, (enum suppression[]){N, N, S, P}, 4);
    assert_int_equal(secondary, 1);
    assert_int_equal(recovered(&rel, 4, n, supp, 11, 50), 0);
    relations_release(&rel);
}

/* As above with positive answers: B and C are all positive (12 of 12, 3 of
 * 3), so hiding them would tell that every hidden answer is positive; the
 * smallest shown child with another answer, A (15 of 25), is hidden too. */
static void test_hidden_part_needs_both_answers(void **state)
{
    (void)state;
    struct relations rel = {0};
    relate(&rel, 0, false, false, (size_t)1, (size_t)2, (size_t)3, END);
    double n[] = {40, 25, 12, 3}, positive[] = {30, 15, 12, 3};
    enum suppression supp[4];
    suppress_cells(&rel, 4, n, positive, true, supp, 11);
    expect_states(supp, (enum suppression[]){N, S, S, P}, 4);
    relations_release(&rel);
}

/* O = D1 + D2 + remainder: 30 = 25 + 3 + 2 (two respondents gave no
 * directorate).  The remainder is an unknown nobody sees: alone under a
 * shown total it would be O - D1 - D2, so already at threshold 1 the
 * smallest directorate, D2, is hidden (secondary: it had at least 1
 * answer).  At threshold 6 the hidden part, D2 and the remainder, holds 5,
 * too few, so D1 is hidden too. */
static void test_unit_remainder_is_too_small(void **state)
{
    (void)state;
    struct relations rel = {0};
    relate(&rel, 0, true, false, (size_t)1, (size_t)2, END);
    double n[] = {30, 25, 3};
    enum suppression supp[3];
    suppress_cells(&rel, 3, n, NULL, true, supp, 11);
    expect_states(supp, (enum suppression[]){N, S, S}, 3);
    assert_int_equal(recovered(&rel, 3, n, supp, 11, 40), 0);
    relations_release(&rel);
}

/* The unit hierarchy: O (0) = D1 (1) + D2 (2) = 8 + 30; D1 = T1 (3) + T2
 * (4) = 5 + 3; D2 = T3 (5) + T4 (6) = 15 + 15.  The threshold rises
 * step by step: at 4, T2 (3) is primary and its only sibling T1 (5) is
 * hidden with it, secondary; at 9, D1 (8) is primary, and alone under O it
 * would be O - D2, so D2 is hidden (secondary); a hidden D2 with both teams
 * shown would be T3 + T4, so its first smallest team, T3, is hidden
 * (secondary).  T4 and O stay. */
static void test_unit_hierarchy_cascade(void **state)
{
    (void)state;
    struct relations rel = {0};
    relate(&rel, 0, true, false, (size_t)1, (size_t)2, END);
    relate(&rel, 1, true, false, (size_t)3, (size_t)4, END);
    relate(&rel, 2, true, false, (size_t)5, (size_t)6, END);
    double n[] = {38, 8, 30, 5, 3, 15, 15};
    enum suppression supp[7];
    suppress_cells(&rel, 7, n, NULL, true, supp, 11);
    expect_states(supp, (enum suppression[]){N, P, S, S, P, S, N}, 7);
    assert_int_equal(recovered(&rel, 7, n, supp, 11, 48), 0);
    relations_release(&rel);
}

/* A pooled group figure: ALL's BME staff (0) = org 1's (1) + org 2's (2),
 * 25 = 5 + 20; org 1 (3) = its White (4) + BME staff (1), 30 = 25 + 5.
 * Org 1's BME figure is primary; its White figure is hidden within org 1
 * (secondary); within the pooled relation the pooled figure is hidden
 * rather than org 2's own BME figure. */
static void test_pooled_scope_hides_the_pooled_figure(void **state)
{
    (void)state;
    struct relations rel = {0};
    relate(&rel, 0, false, true, (size_t)1, (size_t)2, END);
    relate(&rel, 3, false, false, (size_t)4, (size_t)1, END);
    double n[] = {25, 5, 20, 30, 25};
    enum suppression supp[5];
    suppress_cells(&rel, 5, n, NULL, true, supp, 11);
    expect_states(supp, (enum suppression[]){S, P, N, N, S}, 5);
    assert_int_equal(recovered(&rel, 5, n, supp, 11, 40), 0);
    relations_release(&rel);
}

/* A hidden total needs a hidden part: T = A + B = 30 + 3 with a third
 * relation making T hidden.  Here: X (0) = T (1) + U (2) = 33 + 4, T = A
 * (3) + B (4) = 30 + 3.  U and B are primary; U alone under X hides T
 * (the smallest shown child); B alone under T hides A. */
static void test_hidden_total_and_children(void **state)
{
    (void)state;
    struct relations rel = {0};
    relate(&rel, 0, false, false, (size_t)1, (size_t)2, END);
    relate(&rel, 1, false, false, (size_t)3, (size_t)4, END);
    double n[] = {37, 33, 4, 30, 3};
    enum suppression supp[5];
    suppress_cells(&rel, 5, n, NULL, true, supp, 11);
    expect_states(supp, (enum suppression[]){N, S, P, S, P}, 5);
    assert_int_equal(recovered(&rel, 5, n, supp, 11, 47), 0);
    relations_release(&rel);
}

/* Chained relations and what the states tell (the attack suite's first
 * finding): P1 (0) = a (2) + b (3) = 1 + 11 and P2 (1) = b + c (4) = 11 +
 * 0.  At threshold 1, c (0 answers) is primary; b is hidden to protect it
 * in P2 and a to protect b in P1, both secondary (at least 1).  P2 then
 * says b is 10 or 11 (c is 0 or 1), P1 that a is 1 or 2: nothing is
 * pinned, and nothing more is hidden. */
static void test_chained_relations(void **state)
{
    (void)state;
    struct relations rel = {0};
    relate(&rel, 0, false, false, (size_t)2, (size_t)3, END);
    relate(&rel, 1, false, false, (size_t)3, (size_t)4, END);
    double n[] = {12, 11, 1, 11, 0};
    enum suppression supp[5];
    suppress_cells(&rel, 5, n, NULL, true, supp, 11);
    expect_states(supp, (enum suppression[]){N, N, S, S, P}, 5);
    assert_int_equal(recovered(&rel, 5, n, supp, 11, 22), 0);
    relations_release(&rel);
}

/* A pin only the audit finds: O (0) = T1 (1) + T2 (2) + T3 (3), 30 = 10 +
 * 10 + 10 at min_n 11.  All three teams are primary (at most 10 each), so
 * they must all be 10: every one is pinned, and O is hidden (secondary). */
static void test_audit_hides_a_pinning_total(void **state)
{
    (void)state;
    struct relations rel = {0};
    relate(&rel, 0, false, false, (size_t)1, (size_t)2, (size_t)3, END);
    double n[] = {30, 10, 10, 10};
    enum suppression supp[4];
    suppress_cells(&rel, 4, n, NULL, true, supp, 11);
    expect_states(supp, (enum suppression[]){S, P, P, P}, 4);
    assert_int_equal(recovered(&rel, 4, n, supp, 11, 40), 0);
    relations_release(&rel);
}

/* ---- random hierarchies ---------------------------------------------------------- */

static uint64_t rng_state = 88172645463325252ULL;
static unsigned rnd(unsigned bound)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % bound);
}

/* A root with 2-3 children, some of which have 2 children: leaves of 0 to
 * 9, totals summed upwards (no remainders).  Returns the number of cells. */
static size_t random_tree(struct relations *rel, double *n)
{
    size_t n_cells = 1, top[3];
    size_t k_top = 2 + rnd(2);
    for (size_t k = 0; k < k_top; k++)
        top[k] = n_cells++;
    memset(rel, 0, sizeof(*rel));
    relate(rel, 0, false, false, top[0], top[1], k_top == 3 ? top[2] : END, END);
    n[0] = 0;
    size_t leaves = 0;
    for (size_t k = 0; k < k_top; k++) {
        size_t c = top[k];
        if (leaves < 3 && rnd(2)) {
            size_t a = n_cells++, b = n_cells++;
            n[a] = rnd(10);
            n[b] = rnd(10);
            n[c] = n[a] + n[b];
            relate(rel, c, false, false, a, b, END);
            leaves += 2;
        } else {
            n[c] = rnd(10);
            leaves++;
        }
        n[0] += n[c];
    }
    return n_cells;
}

/* No hidden count is recoverable by any attacker who knows the relations
 * and the states (every integer solution enumerated), on 150 random
 * hierarchies at min_n 5. */
static void test_random_hierarchies_resist_exhaustive_attack(void **state)
{
    (void)state;
    for (int trial = 0; trial < 150; trial++) {
        struct relations rel;
        double n[8];
        size_t n_cells = random_tree(&rel, n);
        enum suppression supp[8];
        suppress_cells(&rel, n_cells, n, NULL, true, supp, 5);
        size_t pinned = recovered(&rel, n_cells, n, supp, 5, n[0] + 10);
        if (pinned) {
            print_error("trial %d: %zu hidden counts recovered\n", trial, pinned);
            for (size_t c = 0; c < n_cells; c++)
                print_error("  cell %zu n %g %s\n", c, n[c], suppression_name(supp[c]));
            for (size_t i = 0; i < rel.n; i++) {
                print_error("  rel %zu =", rel.list[i].parent);
                for (size_t k = 0; k < rel.list[i].n_children; k++)
                    print_error(" %zu", rel.list[i].children[k]);
                print_error("\n");
            }
        }
        assert_int_equal(pinned, 0);
        relations_release(&rel);
    }
}

/* Runs at min_n k and k + 1 hide nested sets with the same states, so
 * pooling their outputs reveals nothing either hides. */
static void test_thresholds_nest(void **state)
{
    (void)state;
    for (int trial = 0; trial < 150; trial++) {
        struct relations rel;
        double n[8];
        size_t n_cells = random_tree(&rel, n);
        for (double k = 2; k < 8; k++) {
            enum suppression lo[8], hi[8];
            suppress_cells(&rel, n_cells, n, NULL, true, lo, k);
            suppress_cells(&rel, n_cells, n, NULL, true, hi, k + 1);
            for (size_t c = 0; c < n_cells; c++)
                if (lo[c] != SUPP_NONE)
                    assert_int_equal(hi[c], lo[c]);
        }
        relations_release(&rel);
    }
}

/* ---- one-person units ----------------------------------------------------------- */

/* P = 2,000 units of 1 answer each at min_n 11.  At threshold 2 every unit
 * is primary (0 or 1 answer); their total, 2,000, then says each has 1, so
 * the total is hidden (secondary). */
static void test_one_person_units_hide_their_total(void **state)
{
    (void)state;
    enum { K = 2000 };
    struct relations rel = {0};
    relate(&rel, 0, false, false, END);
    double *n = xcalloc(K + 1, sizeof(double));
    enum suppression *supp = xcalloc(K + 1, sizeof(*supp));
    n[0] = K;
    for (size_t c = 1; c <= K; c++) {
        n[c] = 1;
        rel.list[0].children = xrealloc(rel.list[0].children, c * sizeof(size_t));
        rel.list[0].children[rel.list[0].n_children++] = c;
    }
    suppress_cells(&rel, K + 1, n, NULL, true, supp, 11);
    assert_int_equal(supp[0], SUPP_SECONDARY);
    for (size_t c = 1; c <= K; c++)
        assert_int_equal(supp[c], SUPP_PRIMARY);
    free(n);
    free(supp);
    relations_release(&rel);
}

/* P (850) = 200 units with no answer + 800 units of 1 answer + one of 50.
 * At threshold 1 the 200 empty units are primary; their hidden part holds
 * no one, so the first unit of 1 answer is hidden (secondary).  The audit
 * then finds every hidden unit held at its least by P (the empty ones at
 * 0, the other at 1): hiding another unit of 1 answer relieves nothing, so
 * one after another they all would be, then the unit of 50.  With more than
 * SMALL_CHILDREN_ONE_BY_ONE such units that happens in one step (cubic
 * time before): the same states, every unit hidden, P shown. */
static void test_units_of_one_answer_hidden_in_one_step(void **state)
{
    (void)state;
    enum { ZERO = 200, ONE = 800, K = ZERO + ONE + 1 };
    struct relations rel = {0};
    relate(&rel, 0, false, false, END);
    double *n = xcalloc(K + 1, sizeof(double));
    enum suppression *supp = xcalloc(K + 1, sizeof(*supp));
    for (size_t c = 1; c <= K; c++) {
        n[c] = c <= ZERO ? 0 : c <= ZERO + ONE ? 1 : 50;
        n[0] += n[c];
        rel.list[0].children = xrealloc(rel.list[0].children, c * sizeof(size_t));
        rel.list[0].children[rel.list[0].n_children++] = c;
    }
    suppress_cells(&rel, K + 1, n, NULL, true, supp, 11);
    assert_int_equal(supp[0], SUPP_NONE);
    for (size_t c = 1; c <= K; c++)
        assert_int_equal(supp[c], c <= ZERO ? SUPP_PRIMARY : SUPP_SECONDARY);
    free(n);
    free(supp);
    relations_release(&rel);
}

/* ---- a stats run: the survey model, WRES 3, SPC rates, hotspots ------------------- */

struct fixture {
    struct stats_options opt;
    struct stats_run run;
};

static struct fixture *fixture_new(double min_n)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    f->opt = (struct stats_options){.min_n = min_n, .conf = 0.95};
    f->run.opt = &f->opt;
    model_init(&f->run.model);
    strdict_init(&f->run.hr.periods);
    return f;
}

static void fixture_free(struct fixture *f)
{
    disclosure_release(&f->run.disclosure);
    hr_table_release(&f->run.hr);
    model_release(&f->run.model);
    free(f);
}

static void hr_cell(struct fixture *f, const char *period, const char *org, double white_n,
                    double white_events, double bme_n, double bme_events, double unknown_n)
{
    struct hr_table *hr = &f->run.hr;
    xgrow(&hr->cells, &hr->cap, hr->n_cells + 1, sizeof(*hr->cells));
    struct hr_cell *c = &hr->cells[hr->n_cells++];
    memset(c, 0, sizeof(*c));
    c->period = strdict_intern(&hr->periods, period, strlen(period));
    c->scope = (uint32_t)model_scope(&f->run.model, org, SCOPE_ORG);
    c->headcount[WRES_WHITE] = white_n;
    c->events[WRES_WHITE] = white_events;
    c->headcount[WRES_BME] = bme_n;
    c->events[WRES_BME] = bme_events;
    c->headcount[WRES_UNKNOWN] = unknown_n;
}

/* One period, orgs A (5 BME staff), B (50) and C (40), ALL their sum.  A is
 * primary (BME headcount below 11); the ALL row would give A's counts as
 * ALL - B - C, so the row with the smallest BME headcount of the others, C,
 * is hidden too (secondary).  B and ALL are shown. */
static void test_wres3_rows(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(11);
    hr_cell(f, "2023", "A", 100, 5, 5, 1, 0);
    hr_cell(f, "2023", "B", 100, 6, 50, 4, 0);
    hr_cell(f, "2023", "C", 200, 10, 40, 3, 0);
    disclosure_decide(&f->run, NULL, 0);
    const struct hr_rows *rows = &f->run.disclosure.hr;
    assert_int_equal(rows->n, 4); /* three orgs, one ALL row */
    enum suppression got[4];
    for (size_t i = 0; i < 4; i++)
        got[i] = rows->list[i].supp;
    expect_states(got, (enum suppression[]){P, N, S, N}, 4);
    assert_true(rows->list[3].scope == MODEL_NONE && rows->list[3].used);
    assert_true(rows->list[3].bme_n == 95 && rows->list[3].white_events == 21);
    assert_int_equal(f->run.disclosure.hr_primary, 1);
    assert_int_equal(f->run.disclosure.hr_secondary, 1);
    fixture_free(f);
}

/* --wres-unknown bme: an unknown headcount from 1 to min_n - 1 makes the
 * row primary (comparing the runs of the two settings would expose it),
 * and it is counted on the BME side. */
static void test_wres3_unknown_as_bme(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(11);
    f->opt.wres_unknown_as_bme = true;
    hr_cell(f, "2023", "A", 100, 5, 50, 1, 3);
    hr_cell(f, "2023", "B", 100, 6, 50, 4, 20);
    hr_cell(f, "2023", "C", 200, 10, 40, 3, 0);
    disclosure_decide(&f->run, NULL, 0);
    const struct hr_rows *rows = &f->run.disclosure.hr;
    assert_int_equal(rows->list[0].supp, SUPP_PRIMARY); /* unknown 3 */
    assert_true(rows->list[0].bme_n == 53);
    assert_int_equal(rows->list[1].supp, SUPP_NONE);      /* BME 70 */
    assert_int_equal(rows->list[2].supp, SUPP_SECONDARY); /* BME 40, the smallest shown */
    assert_int_equal(rows->list[3].supp, SUPP_NONE);      /* ALL: unknown 23 */
    fixture_free(f);
}

/* Rolling sums are shown only when both periods' rows are; a row without
 * its previous period has none.  SPC rates: a hidden row's rates take its
 * state, a shown row's group below min_n is primary. */
static void test_wres3_rolling_and_spc_rates(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(11);
    hr_cell(f, "2022", "A", 100, 5, 5, 1, 0);   /* row 0: primary */
    hr_cell(f, "2022", "B", 100, 6, 50, 4, 0);  /* row 1 */
    hr_cell(f, "2022", "C", 200, 10, 40, 3, 0); /* row 2: secondary */
    hr_cell(f, "2023", "A", 100, 5, 30, 1, 0);  /* row 3 */
    hr_cell(f, "2023", "B", 100, 6, 50, 4, 7);  /* row 4: unknown 7 */
    disclosure_decide(&f->run, NULL, 0);
    const struct disclosure *d = &f->run.disclosure;
    const struct hr_row *rows = d->hr.list;
    assert_int_equal(rows[0].supp, SUPP_PRIMARY);
    assert_int_equal(rows[2].supp, SUPP_SECONDARY);
    assert_int_equal(rows[3].supp, SUPP_NONE);
    assert_int_equal(rows[3].previous, 0);
    assert_int_equal(rows[3].rolling_supp, SUPP_PRIMARY); /* 2022's row is hidden */
    assert_int_equal(rows[4].previous, 1);
    assert_int_equal(rows[4].rolling_supp, SUPP_NONE);
    assert_true(rows[0].previous == MODEL_NONE); /* no 2021 */
    /* ALL rows: 2022 is row 5, 2023 row 6 */
    assert_int_equal(rows[6].previous, 5);
    assert_int_equal(d->hr_rate[0 * WRES_GROUPS + WRES_WHITE], SUPP_PRIMARY);
    assert_int_equal(d->hr_rate[4 * WRES_GROUPS + WRES_WHITE], SUPP_NONE);
    assert_int_equal(d->hr_rate[4 * WRES_GROUPS + WRES_UNKNOWN], SUPP_PRIMARY);
    assert_int_equal(d->hr_rate[4 * WRES_GROUPS + WRES_BME], SUPP_NONE);
    fixture_free(f);
}

/* A survey model: one org whose only directorate holds everyone, and a
 * second directorate level cell of another org with a small rest.  The
 * hotspots row of a unit against the rest of its org is primary when the
 * rest has fewer than min_n answers, even though the unit is shown. */
static void test_hotspots_rest_of_org(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(11);
    struct model *m = &f->run.model;
    struct item it = {.id = "q1", .text = "q1", .measure = "positive"};
    model_item(m, &it);
    size_t dir = model_grouping(m, "directorate", GROUPING_UNIT);
    uint32_t period = strdict_intern(&m->periods, "2023", 4);
    uint32_t medicine = strdict_intern(&m->groups, "Medicine", 8);
    uint32_t surgery = strdict_intern(&m->groups, "Surgery", 7);
    /* org X: 30 answers, all in Medicine */
    size_t x = model_cell(m, period, (uint32_t)model_scope(m, "X", SCOPE_ORG), 0, 0, MODEL_NONE);
    size_t xm = model_cell(m, period, m->cells[x].scope, (uint32_t)dir, medicine, x);
    /* org Y: 60 answers, Medicine 30 and Surgery 30 */
    size_t y = model_cell(m, period, (uint32_t)model_scope(m, "Y", SCOPE_ORG), 0, 0, MODEL_NONE);
    size_t ym = model_cell(m, period, m->cells[y].scope, (uint32_t)dir, medicine, y);
    size_t ys = model_cell(m, period, m->cells[y].scope, (uint32_t)dir, surgery, y);
    double n[] = {30, 30, 60, 30, 30};
    size_t cells[] = {x, xm, y, ym, ys};
    for (size_t k = 0; k < 5; k++) {
        model_count(m, cells[k], 0)->n = n[k];
        model_count(m, cells[k], 0)->positive = n[k] / 2;
    }
    disclosure_decide(&f->run, NULL, 0);
    for (size_t k = 0; k < 5; k++)
        assert_int_equal(model_count(m, cells[k], 0)->supp, SUPP_NONE);
    const unsigned char *hot = f->run.disclosure.hotspot;
    assert_int_equal(hot[xm * m->n_items], SUPP_PRIMARY); /* rest of X: 0 answers */
    assert_int_equal(hot[ym * m->n_items], SUPP_NONE);    /* rest of Y: Surgery's 30 */
    assert_int_equal(hot[ys * m->n_items], SUPP_NONE);
    fixture_free(f);
}

/* A hidden org takes its units' hotspots rows with it, in its own state. */
static void test_hotspots_hidden_org(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(11);
    struct model *m = &f->run.model;
    struct item it = {.id = "q1", .text = "q1", .measure = "positive"};
    model_item(m, &it);
    size_t dir = model_grouping(m, "directorate", GROUPING_UNIT);
    uint32_t period = strdict_intern(&m->periods, "2023", 4);
    uint32_t medicine = strdict_intern(&m->groups, "Medicine", 8);
    size_t x = model_cell(m, period, (uint32_t)model_scope(m, "X", SCOPE_ORG), 0, 0, MODEL_NONE);
    size_t xm = model_cell(m, period, m->cells[x].scope, (uint32_t)dir, medicine, x);
    model_count(m, x, 0)->n = 8;
    model_count(m, x, 0)->positive = 4;
    model_count(m, xm, 0)->n = 8;
    model_count(m, xm, 0)->positive = 4;
    disclosure_decide(&f->run, NULL, 0);
    assert_int_equal(model_count(m, x, 0)->supp, SUPP_PRIMARY);
    assert_int_equal(f->run.disclosure.hotspot[xm * m->n_items], SUPP_PRIMARY);
    fixture_free(f);
}

/* ---- the release ledger (--ledger) --------------------------------------------- */

/* Decide the run against the ledger at path, then append its release. */
static void decide_with_ledger(struct fixture *f, const char *path)
{
    struct ledger l;
    struct buf err;
    buf_init(&err);
    bool io;
    if (!ledger_open(&l, path, false, &err, &io))
        fail_msg("%s", err.data);
    disclosure_release(&f->run.disclosure);
    f->run.ledger = &l;
    disclosure_decide(&f->run, NULL, 0);
    disclosure_record(&f->run, &l);
    assert_true(ledger_append(&l, f->opt.min_n, &err));
    f->run.ledger = NULL;
    ledger_close(&l);
    buf_release(&err);
}

static void set_counts(struct model *m, const size_t *cells, const double *n, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        model_count(m, cells[i], 0)->n = n[i];
        model_count(m, cells[i], 0)->positive = floor(n[i] / 2);
    }
}

/* Org X (60) of ethnic groups A, B, C (20 each), released; then one person
 * of A leaves: A's and X's differences are that person (1), so both are
 * hidden by the ledger, and B and C (unchanged) stay.  Then 12 leave A
 * (8, primary): X's difference of 12 may show, but with B and C unchanged
 * it would give A's, and so A's hidden count: X is hidden.  The same data
 * again hides nothing new. */
static void test_ledger_hides_small_differences(void **state)
{
    (void)state;
    char dir[] = "/tmp/candour-ledger-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/ledger", dir);
    struct fixture *f = fixture_new(11);
    struct model *m = &f->run.model;
    struct item it = {.id = "q1", .text = "q1", .measure = "positive"};
    model_item(m, &it);
    size_t eth = model_grouping(m, "ethnicity", GROUPING_DEMOGRAPHIC);
    uint32_t period = strdict_intern(&m->periods, "2023", 4);
    size_t x = model_cell(m, period, (uint32_t)model_scope(m, "X", SCOPE_ORG), 0, 0, MODEL_NONE);
    size_t cells[4] = {x};
    const char *names[] = {"A", "B", "C"};
    for (int g = 0; g < 3; g++)
        cells[g + 1] = model_cell(m, period, m->cells[x].scope, (uint32_t)eth,
                                  strdict_intern(&m->groups, names[g], 1), x);
    set_counts(m, cells, (double[]){60, 20, 20, 20}, 4);
    decide_with_ledger(f, path);
    for (int k = 0; k < 4; k++)
        assert_int_equal(model_count(m, cells[k], 0)->supp, SUPP_NONE);
    assert_int_equal(f->run.ledger_hidden, 0);
    set_counts(m, cells, (double[]){59, 19, 20, 20}, 4);
    decide_with_ledger(f, path);
    expect_states(
        (enum suppression[]){model_count(m, x, 0)->supp, model_count(m, cells[1], 0)->supp,
                             model_count(m, cells[2], 0)->supp, model_count(m, cells[3], 0)->supp},
        (enum suppression[]){SUPP_LEDGER, SUPP_LEDGER, SUPP_NONE, SUPP_NONE}, 4);
    assert_int_equal(f->run.ledger_hidden, 2);
    set_counts(m, cells, (double[]){48, 8, 20, 20}, 4);
    decide_with_ledger(f, path);
    expect_states(
        (enum suppression[]){model_count(m, x, 0)->supp, model_count(m, cells[1], 0)->supp,
                             model_count(m, cells[2], 0)->supp, model_count(m, cells[3], 0)->supp},
        (enum suppression[]){SUPP_LEDGER, model_count(m, cells[1], 0)->supp, SUPP_NONE, SUPP_NONE},
        4);
    /* A: hidden, first as the part X's hidden total needs (secondary) */
    assert_int_not_equal(model_count(m, cells[1], 0)->supp, SUPP_NONE);
    decide_with_ledger(f, path);
    assert_int_equal(model_count(m, x, 0)->supp, SUPP_LEDGER); /* hidden once, hidden after */
    fixture_free(f);
    unlink(path);
    rmdir(dir);
    free(path);
}

/* Org X (60) of directorates Med and Surg (30 each), released; then 12
 * leave Med and 1 leaves Surg.  Surg's own difference is 1: hidden.  Med's
 * is 12 and X's 13, but X less Med, the rest of the org, changed by 1: Med
 * is hidden too (its complement).  X then has two hidden parts whose
 * difference (13) may show. */
static void test_ledger_hides_small_complements(void **state)
{
    (void)state;
    char dir[] = "/tmp/candour-ledger-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/ledger", dir);
    struct fixture *f = fixture_new(11);
    struct model *m = &f->run.model;
    struct item it = {.id = "q1", .text = "q1", .measure = "positive"};
    model_item(m, &it);
    size_t unit = model_grouping(m, "directorate", GROUPING_UNIT);
    uint32_t period = strdict_intern(&m->periods, "2023", 4);
    size_t x = model_cell(m, period, (uint32_t)model_scope(m, "X", SCOPE_ORG), 0, 0, MODEL_NONE);
    size_t med = model_cell(m, period, m->cells[x].scope, (uint32_t)unit,
                            strdict_intern(&m->groups, "Med", 3), x);
    size_t surg = model_cell(m, period, m->cells[x].scope, (uint32_t)unit,
                             strdict_intern(&m->groups, "Surg", 4), x);
    size_t cells[3] = {x, med, surg};
    set_counts(m, cells, (double[]){60, 30, 30}, 3);
    decide_with_ledger(f, path);
    set_counts(m, cells, (double[]){47, 18, 29}, 3);
    decide_with_ledger(f, path);
    expect_states((enum suppression[]){model_count(m, x, 0)->supp, model_count(m, med, 0)->supp,
                                       model_count(m, surg, 0)->supp},
                  (enum suppression[]){SUPP_NONE, SUPP_LEDGER, SUPP_LEDGER}, 3);
    fixture_free(f);
    unlink(path);
    rmdir(dir);
    free(path);
}

/* WRES 3 rows from HR counts: orgs A, B and C (50, 40 and 30 BME staff)
 * and ALL, released; then one of A's BME staff who entered the
 * disciplinary process leaves: A's and ALL's rows differ by that person
 * and are hidden by the ledger; B and C (unchanged, and ALL less each of
 * them is hidden with ALL) stay. */
static void test_ledger_hides_wres3_rows(void **state)
{
    (void)state;
    char dir[] = "/tmp/candour-ledger-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = xasprintf("%s/ledger", dir);
    struct fixture *f = fixture_new(11);
    hr_cell(f, "2023", "A", 300, 6, 50, 3, 0);
    hr_cell(f, "2023", "B", 300, 6, 40, 2, 0);
    hr_cell(f, "2023", "C", 300, 6, 30, 2, 0);
    decide_with_ledger(f, path);
    const struct hr_row *rows = f->run.disclosure.hr.list;
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(rows[i].supp, SUPP_NONE);
    f->run.hr.cells[0].headcount[WRES_BME] = 49;
    f->run.hr.cells[0].events[WRES_BME] = 2;
    decide_with_ledger(f, path);
    rows = f->run.disclosure.hr.list;
    expect_states((enum suppression[]){rows[0].supp, rows[1].supp, rows[2].supp, rows[3].supp},
                  (enum suppression[]){SUPP_LEDGER, SUPP_NONE, SUPP_NONE, SUPP_LEDGER}, 4);
    assert_int_equal(f->run.ledger_hidden, 2);
    fixture_free(f);
    unlink(path);
    rmdir(dir);
    free(path);
}

/* A figure made of two cells reads their decided states. */
static void test_pair_states(void **state)
{
    (void)state;
    struct item_count shown = {.supp = SUPP_NONE}, prim = {.supp = SUPP_PRIMARY},
                      sec = {.supp = SUPP_SECONDARY};
    assert_int_equal(disclosure_pair(&shown, &shown), SUPP_NONE);
    assert_int_equal(disclosure_pair(&sec, &prim), SUPP_SECONDARY);
    assert_int_equal(disclosure_pair(&shown, &prim), SUPP_PRIMARY);
    assert_int_equal(disclosure_pair(&shown, NULL), DISCLOSURE_NO_CELL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attacker_finds_a_lone_hidden_cell),
        cmocka_unit_test(test_ledger_hides_small_differences),
        cmocka_unit_test(test_ledger_hides_small_complements),
        cmocka_unit_test(test_ledger_hides_wres3_rows),
        cmocka_unit_test(test_primary_and_complementary),
        cmocka_unit_test(test_hidden_part_needs_both_answers),
        cmocka_unit_test(test_unit_remainder_is_too_small),
        cmocka_unit_test(test_unit_hierarchy_cascade),
        cmocka_unit_test(test_pooled_scope_hides_the_pooled_figure),
        cmocka_unit_test(test_hidden_total_and_children),
        cmocka_unit_test(test_chained_relations),
        cmocka_unit_test(test_audit_hides_a_pinning_total),
        cmocka_unit_test(test_random_hierarchies_resist_exhaustive_attack),
        cmocka_unit_test(test_thresholds_nest),
        cmocka_unit_test(test_one_person_units_hide_their_total),
        cmocka_unit_test(test_units_of_one_answer_hidden_in_one_step),
        cmocka_unit_test(test_wres3_rows),
        cmocka_unit_test(test_wres3_unknown_as_bme),
        cmocka_unit_test(test_wres3_rolling_and_spc_rates),
        cmocka_unit_test(test_hotspots_rest_of_org),
        cmocka_unit_test(test_hotspots_hidden_org),
        cmocka_unit_test(test_pair_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
