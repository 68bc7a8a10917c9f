/*
 * test_methods.c - lib/methods.c against reference values from independent
 * implementations (R base and epitools; a Python XmR implementation), kept
 * with the scripts that made them in tests/fixtures/methods/.  Run from the
 * repository root.  Agreement means a relative error of at most 1e-9, or an
 * absolute error of at most 1e-12 (values near zero); SPC signals must match
 * exactly.  Ends with one summary line per method: values compared and the
 * largest relative error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first */
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "methods.h"

#define FIXTURES "tests/fixtures/methods/"
#define REL_TOL 1e-9
#define ABS_TOL 1e-12
#define MAX_FIELDS 16

/* ---- a small CSV reader for the fixtures (no quoting needed) ------------ */

struct table {
    size_t n_rows;
    size_t n_cols;
    char *header[MAX_FIELDS];
    char *(*rows)[MAX_FIELDS];
    char *text; /* owns every string above */
};

static void split_line(char *line, char **fields, size_t *n_fields)
{
    size_t n = 0;
    fields[n++] = line;
    for (char *c = line; *c; c++) {
        if (*c == ',') {
            *c = '\0';
            assert_true(n < MAX_FIELDS);
            fields[n++] = c + 1;
        }
    }
    *n_fields = n;
}

static void table_load(struct table *t, const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), FIXTURES "%s", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open '%s' (run the test from the repository root)", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    t->text = calloc((size_t)size + 1, 1);
    assert_non_null(t->text);
    assert_int_equal(fread(t->text, 1, (size_t)size, f), (size_t)size);
    fclose(f);

    size_t n_lines = 0;
    for (char *c = t->text; *c; c++)
        n_lines += *c == '\n';
    t->rows = calloc(n_lines + 1, sizeof(*t->rows));
    assert_non_null(t->rows);

    char *line = t->text;
    char *end = strchr(line, '\n');
    assert_non_null(end);
    *end = '\0';
    split_line(line, t->header, &t->n_cols);
    t->n_rows = 0;
    for (line = end + 1; *line; line = end + 1) {
        end = strchr(line, '\n');
        if (end)
            *end = '\0';
        size_t n_fields;
        split_line(line, t->rows[t->n_rows], &n_fields);
        assert_int_equal(n_fields, t->n_cols);
        t->n_rows++;
        if (!end)
            break;
    }
}

static void table_free(struct table *t)
{
    free(t->rows);
    free(t->text);
}

static size_t col(const struct table *t, const char *name)
{
    for (size_t i = 0; i < t->n_cols; i++)
        if (strcmp(t->header[i], name) == 0)
            return i;
    fail_msg("fixture has no column '%s'", name);
    return 0;
}

static const char *str(const struct table *t, size_t row, const char *name)
{
    return t->rows[row][col(t, name)];
}

static double num(const struct table *t, size_t row, const char *name)
{
    const char *s = str(t, row, name);
    if (strcmp(s, "NA") == 0)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    if (*end != '\0')
        fail_msg("bad number '%s' in column '%s'", s, name);
    return v;
}

/* ---- agreement bookkeeping -------------------------------------------------- */

struct method_stats {
    const char *name;
    size_t n_values;
    double max_rel_err;
    double max_abs_err_at_zero; /* where the reference is exactly 0 */
};

enum {
    S_WILSON,
    S_CLOPPER_PEARSON,
    S_JEFFREYS,
    S_MEAN_T,
    S_NEWCOMBE,
    S_ZTEST,
    S_KATZ,
    S_BH,
    S_FUNNEL_BINOMIAL,
    S_OD_FIT,
    S_OD_ZSCORE,
    S_OD_LIMITS,
    S_SPC_CHART,
    S_SPC_POINTS,
    S_KISH,
    S_TREND,
    S_COUNT
};

static struct method_stats stats[S_COUNT] = {
    [S_WILSON] = {"wilson", 0, 0, 0},
    [S_CLOPPER_PEARSON] = {"clopper-pearson", 0, 0, 0},
    [S_JEFFREYS] = {"jeffreys", 0, 0, 0},
    [S_MEAN_T] = {"mean t", 0, 0, 0},
    [S_NEWCOMBE] = {"newcombe", 0, 0, 0},
    [S_ZTEST] = {"z test", 0, 0, 0},
    [S_KATZ] = {"katz ratio", 0, 0, 0},
    [S_BH] = {"bh q-values", 0, 0, 0},
    [S_FUNNEL_BINOMIAL] = {"funnel binomial", 0, 0, 0},
    [S_OD_FIT] = {"od fit", 0, 0, 0},
    [S_OD_ZSCORE] = {"od z-scores", 0, 0, 0},
    [S_OD_LIMITS] = {"od limits", 0, 0, 0},
    [S_SPC_CHART] = {"spc limits", 0, 0, 0},
    [S_SPC_POINTS] = {"spc signals", 0, 0, 0},
    [S_KISH] = {"kish", 0, 0, 0},
    [S_TREND] = {"trend test", 0, 0, 0},
};

/* Compare one value, record the error, and report a disagreement; returns 1
 * on disagreement so callers can count and fail once with every mismatch
 * listed. */
static int agree(int method, double got, double want, const char *what, size_t row)
{
    struct method_stats *s = &stats[method];
    s->n_values++;
    if (isnan(want) && isnan(got))
        return 0;
    if (isinf(want) && got == want)
        return 0;
    double diff = fabs(got - want);
    if (want == 0.0) {
        if (diff > s->max_abs_err_at_zero)
            s->max_abs_err_at_zero = diff;
    } else {
        double rel = diff / fabs(want);
        if (rel > s->max_rel_err)
            s->max_rel_err = rel;
    }
    if (diff <= ABS_TOL || diff <= REL_TOL * fabs(want))
        return 0;
    fprintf(stderr, "%s: %s, fixture row %zu: got %.17g, want %.17g\n", s->name, what, row + 2, got,
            want);
    return 1;
}

static int agree_exact(int method, long got, long want, const char *what, size_t row)
{
    stats[method].n_values++;
    if (got == want)
        return 0;
    fprintf(stderr, "%s: %s, fixture row %zu: got %ld, want %ld\n", stats[method].name, what,
            row + 2, got, want);
    return 1;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_prop_ci(void **state)
{
    (void)state;
    struct table t;
    table_load(&t, "prop_ci.csv");
    int bad = 0;
    for (size_t r = 0; r < t.n_rows; r++) {
        const char *name = str(&t, r, "method");
        enum m_prop_method method;
        int s;
        if (strcmp(name, "wilson") == 0) {
            method = M_PROP_WILSON;
            s = S_WILSON;
        } else if (strcmp(name, "clopper-pearson") == 0) {
            method = M_PROP_CLOPPER_PEARSON;
            s = S_CLOPPER_PEARSON;
        } else if (strcmp(name, "jeffreys") == 0) {
            method = M_PROP_JEFFREYS;
            s = S_JEFFREYS;
        } else {
            fail_msg("unknown method '%s'", name);
            return;
        }
        assert_string_equal(m_prop_method_name(method), name);
        struct m_interval ci;
        assert_int_equal(
            m_prop_ci(method, num(&t, r, "x"), num(&t, r, "n"), num(&t, r, "conf"), &ci), M_OK);
        bad += agree(s, ci.estimate, num(&t, r, "estimate"), "estimate", r);
        bad += agree(s, ci.lower, num(&t, r, "lower"), "lower", r);
        bad += agree(s, ci.upper, num(&t, r, "upper"), "upper", r);
    }
    table_free(&t);
    assert_int_equal(bad, 0);
}

static void test_mean_t(void **state)
{
    (void)state;
    struct table t;
    table_load(&t, "mean_t.csv");
    int bad = 0;
    for (size_t r = 0; r < t.n_rows; r++) {
        struct m_interval ci;
        assert_int_equal(m_mean_t(num(&t, r, "n"), num(&t, r, "mean"), num(&t, r, "sd"),
                                  num(&t, r, "conf"), &ci),
                         M_OK);
        bad += agree(S_MEAN_T, ci.estimate, num(&t, r, "estimate"), "estimate", r);
        bad += agree(S_MEAN_T, ci.lower, num(&t, r, "lower"), "lower", r);
        bad += agree(S_MEAN_T, ci.upper, num(&t, r, "upper"), "upper", r);
    }
    table_free(&t);
    assert_int_equal(bad, 0);
}

static void test_newcombe(void **state)
{
    (void)state;
    /* Newcombe (1998b), table II, example (a), method 10: 56/70 - 48/80 */
    struct m_interval d;
    assert_int_equal(m_diff_newcombe(56, 70, 48, 80, 0.95, &d), M_OK);
    assert_true(fabs(d.lower - 0.0524) < 0.00005);
    assert_true(fabs(d.upper - 0.3339) < 0.00005);

    struct table t;
    table_load(&t, "newcombe.csv");
    int bad = 0;
    for (size_t r = 0; r < t.n_rows; r++) {
        assert_int_equal(m_diff_newcombe(num(&t, r, "x1"), num(&t, r, "n1"), num(&t, r, "x2"),
                                         num(&t, r, "n2"), num(&t, r, "conf"), &d),
                         M_OK);
        bad += agree(S_NEWCOMBE, d.estimate, num(&t, r, "estimate"), "estimate", r);
        bad += agree(S_NEWCOMBE, d.lower, num(&t, r, "lower"), "lower", r);
        bad += agree(S_NEWCOMBE, d.upper, num(&t, r, "upper"), "upper", r);
    }
    table_free(&t);
    assert_int_equal(bad, 0);
}

static void test_ztest(void **state)
{
    (void)state;
    struct m_ztest zt;
    /* pooled proportion 0 or 1: defined as z = 0, p = 1 (R gives NaN) */
    assert_int_equal(m_ztest_2prop(0, 40, 0, 15, &zt), M_OK);
    assert_true(zt.z == 0.0 && zt.p_value == 1.0);
    assert_int_equal(m_ztest_2prop(40, 40, 15, 15, &zt), M_OK);
    assert_true(zt.z == 0.0 && zt.p_value == 1.0);

    struct table t;
    table_load(&t, "ztest.csv");
    int bad = 0;
    for (size_t r = 0; r < t.n_rows; r++) {
        assert_int_equal(m_ztest_2prop(num(&t, r, "x1"), num(&t, r, "n1"), num(&t, r, "x2"),
                                       num(&t, r, "n2"), &zt),
                         M_OK);
        bad += agree(S_ZTEST, zt.z, num(&t, r, "z"), "z", r);
        bad += agree(S_ZTEST, zt.p_value, num(&t, r, "p_value"), "p-value", r);
    }
    table_free(&t);
    assert_int_equal(bad, 0);
}

static void test_katz(void **state)
{
    (void)state;
    assert_non_null(strstr(m_ratio_zero_cell_rule(), "0.5"));
    struct table t;
    table_load(&t, "katz.csv");
    int bad = 0;
    for (size_t r = 0; r < t.n_rows; r++) {
        struct m_ratio rr;
        assert_int_equal(m_ratio_katz(num(&t, r, "a"), num(&t, r, "n1"), num(&t, r, "b"),
                                      num(&t, r, "n2"), num(&t, r, "conf"), &rr),
                         M_OK);
        bad += agree_exact(S_KATZ, rr.corrected, (long)num(&t, r, "corrected"), "corrected", r);
        bad += agree(S_KATZ, rr.estimate, num(&t, r, "estimate"), "estimate", r);
        bad += agree(S_KATZ, rr.lower, num(&t, r, "lower"), "lower", r);
        bad += agree(S_KATZ, rr.upper, num(&t, r, "upper"), "upper", r);
    }
    table_free(&t);
    assert_int_equal(bad, 0);
}

static void test_bh(void **state)
{
    (void)state;
    /* Benjamini & Hochberg (1995) section 4: 15 p-values, 4 rejected at 0.05 */
    const double bh1995[15] = {0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
                               0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000};
    double q[15];
    assert_int_equal(m_bh_adjust(bh1995, 15, q), M_OK);
    int rejected = 0;
    for (size_t i = 0; i < 15; i++)
        rejected += q[i] <= 0.05;
    assert_int_equal(rejected, 4);

    struct table t;
    table_load(&t, "bh.csv");
    double *p = calloc(t.n_rows, sizeof(*p));
    double *got = calloc(t.n_rows, sizeof(*got));
    double *in_place = calloc(t.n_rows, sizeof(*in_place));
    assert_true(p && got && in_place);
    int bad = 0;
    for (size_t start = 0, end; start < t.n_rows; start = end) {
        const char *set = str(&t, start, "set");
        for (end = start; end < t.n_rows && strcmp(str(&t, end, "set"), set) == 0; end++) {
            p[end - start] = num(&t, end, "p");
            in_place[end - start] = p[end - start];
        }
        size_t k = end - start;
        assert_int_equal(m_bh_adjust(p, k, got), M_OK);
        assert_int_equal(m_bh_adjust(in_place, k, in_place), M_OK); /* q may alias p */
        for (size_t i = 0; i < k; i++) {
            bad += agree(S_BH, got[i], num(&t, start + i, "q"), "q", start + i);
            bad += agree(S_BH, in_place[i], num(&t, start + i, "q"), "q in place", start + i);
        }
    }
    free(p);
    free(got);
    free(in_place);
    table_free(&t);
    assert_int_equal(bad, 0);
}

static void test_funnel_binomial(void **state)
{
    (void)state;
    struct table t;
    table_load(&t, "funnel_binomial.csv");
    int bad = 0;
    for (size_t r = 0; r < t.n_rows; r++) {
        struct m_interval lim;
        assert_int_equal(
            m_funnel_binomial(num(&t, r, "p0"), num(&t, r, "n"), num(&t, r, "level"), &lim), M_OK);
        bad += agree(S_FUNNEL_BINOMIAL, lim.lower, num(&t, r, "lower"), "lower", r);
        bad += agree(S_FUNNEL_BINOMIAL, lim.upper, num(&t, r, "upper"), "upper", r);
    }
    table_free(&t);
    assert_int_equal(bad, 0);
}

static void test_overdispersion(void **state)
{
    (void)state;
    struct table units, fits, limits;
    table_load(&units, "od_units.csv");
    table_load(&fits, "od_fit.csv");
    table_load(&limits, "od_limits.csv");
    double *x = calloc(units.n_rows, sizeof(*x));
    double *n = calloc(units.n_rows, sizeof(*n));
    assert_true(x && n);
    int bad = 0;
    for (size_t f = 0; f < fits.n_rows; f++) {
        const char *set = str(&fits, f, "set");
        size_t k = 0, first = 0;
        for (size_t r = 0; r < units.n_rows; r++) {
            if (strcmp(str(&units, r, "set"), set) != 0)
                continue;
            if (k == 0)
                first = r;
            x[k] = num(&units, r, "x");
            n[k] = num(&units, r, "n");
            k++;
        }
        assert_true(k > 0);
        struct m_od_fit fit;
        assert_int_equal(
            m_od_fit_proportions(x, n, k, num(&fits, f, "target_in"), num(&fits, f, "trim"), &fit),
            M_OK);
        bad += agree(S_OD_FIT, fit.target, num(&fits, f, "target"), "target", f);
        bad += agree(S_OD_FIT, fit.z_lower, num(&fits, f, "z_lower"), "z_lower", f);
        bad += agree(S_OD_FIT, fit.z_upper, num(&fits, f, "z_upper"), "z_upper", f);
        bad += agree(S_OD_FIT, fit.phi, num(&fits, f, "phi"), "phi", f);
        bad += agree(S_OD_FIT, fit.tau2, num(&fits, f, "tau2"), "tau2", f);
        bad += agree_exact(S_OD_FIT, fit.adjusted, (long)num(&fits, f, "adjusted"), "adjusted", f);
        assert_int_equal(fit.n_units, k);
        for (size_t i = 0; i < k; i++) {
            double z;
            assert_int_equal(m_od_zscore(x[i], n[i], fit.target, 0.0, &z), M_OK);
            bad += agree(S_OD_ZSCORE, z, num(&units, first + i, "z"), "z", first + i);
            assert_int_equal(m_od_zscore(x[i], n[i], fit.target, fit.tau2, &z), M_OK);
            bad += agree(S_OD_ZSCORE, z, num(&units, first + i, "z_adjusted"), "z adjusted",
                         first + i);
        }
    }
    for (size_t r = 0; r < limits.n_rows; r++) {
        struct m_interval lim;
        assert_int_equal(m_od_limits(num(&limits, r, "target"), num(&limits, r, "tau2"),
                                     num(&limits, r, "n"), num(&limits, r, "level"), &lim),
                         M_OK);
        bad += agree(S_OD_LIMITS, lim.lower, num(&limits, r, "lower"), "lower", r);
        bad += agree(S_OD_LIMITS, lim.upper, num(&limits, r, "upper"), "upper", r);
    }
    free(x);
    free(n);
    table_free(&units);
    table_free(&fits);
    table_free(&limits);
    assert_int_equal(bad, 0);
}

static enum m_spc_signal signal_from_name(const char *name)
{
    for (int s = M_SPC_COMMON_CAUSE; s <= M_SPC_RUN; s++)
        if (strcmp(m_spc_signal_name((enum m_spc_signal)s), name) == 0)
            return (enum m_spc_signal)s;
    fail_msg("unknown signal '%s'", name);
    return M_SPC_COMMON_CAUSE;
}

static void test_spc(void **state)
{
    (void)state;
    struct table charts, points;
    table_load(&charts, "spc_charts.csv");
    table_load(&points, "spc_points.csv");
    double *y = calloc(points.n_rows, sizeof(*y));
    struct m_spc_point *got = calloc(points.n_rows, sizeof(*got));
    assert_true(y && got);
    int bad = 0;
    size_t row = 0;
    for (size_t c = 0; c < charts.n_rows; c++) {
        const char *series = str(&charts, c, "series");
        size_t k = (size_t)num(&charts, c, "k");
        size_t first = row;
        for (size_t i = 0; i < k; i++, row++) {
            assert_true(row < points.n_rows);
            assert_string_equal(str(&points, row, "series"), series);
            y[i] = num(&points, row, "y");
        }
        struct m_spc_chart chart;
        assert_int_equal(m_spc_xmr(y, k, (size_t)num(&charts, c, "fix_after_n"),
                                   num(&charts, c, "screen") != 0, &chart, got),
                         M_OK);
        bad += agree(S_SPC_CHART, chart.centre, num(&charts, c, "centre"), "centre", c);
        bad += agree(S_SPC_CHART, chart.mean_moving_range, num(&charts, c, "mean_moving_range"),
                     "mean moving range", c);
        bad += agree(S_SPC_CHART, chart.lower, num(&charts, c, "lower"), "lower", c);
        bad += agree(S_SPC_CHART, chart.upper, num(&charts, c, "upper"), "upper", c);
        bad += agree(S_SPC_CHART, chart.near_lower, num(&charts, c, "near_lower"), "near lower", c);
        bad += agree(S_SPC_CHART, chart.near_upper, num(&charts, c, "near_upper"), "near upper", c);
        bad += agree_exact(S_SPC_CHART, (long)chart.n_baseline, (long)num(&charts, c, "n_baseline"),
                           "n_baseline", c);
        bad += agree_exact(S_SPC_CHART, (long)chart.n_ranges, (long)num(&charts, c, "n_ranges"),
                           "n_ranges", c);
        for (size_t i = 0; i < k; i++) {
            char what[96];
            snprintf(what, sizeof(what), "%s point %zu signal", series, i);
            bad +=
                agree_exact(S_SPC_POINTS, got[i].signal,
                            signal_from_name(str(&points, first + i, "signal")), what, first + i);
            snprintf(what, sizeof(what), "%s point %zu direction", series, i);
            bad += agree_exact(S_SPC_POINTS, got[i].direction,
                               (long)num(&points, first + i, "direction"), what, first + i);
        }
    }
    assert_int_equal(row, points.n_rows);
    free(y);
    free(got);
    table_free(&charts);
    table_free(&points);
    assert_int_equal(bad, 0);
}

static void test_kish(void **state)
{
    (void)state;
    struct table units, expected;
    table_load(&units, "kish_units.csv");
    table_load(&expected, "kish.csv");
    double *w = calloc(units.n_rows, sizeof(*w));
    double *y = calloc(units.n_rows, sizeof(*y));
    assert_true(w && y);
    int bad = 0;
    for (size_t e = 0; e < expected.n_rows; e++) {
        const char *set = str(&expected, e, "set");
        size_t k = 0;
        for (size_t r = 0; r < units.n_rows; r++) {
            if (strcmp(str(&units, r, "set"), set) == 0) {
                w[k] = num(&units, r, "w");
                y[k] = num(&units, r, "y");
                k++;
            }
        }
        double n_eff, p_w, n_eff2;
        assert_int_equal(m_kish_neff(w, k, &n_eff), M_OK);
        assert_int_equal(m_weighted_prop(w, y, k, &p_w, &n_eff2), M_OK);
        bad += agree(S_KISH, n_eff, num(&expected, e, "n_eff"), "n_eff", e);
        bad += agree(S_KISH, n_eff2, num(&expected, e, "n_eff"), "n_eff", e);
        bad += agree(S_KISH, p_w, num(&expected, e, "p_w"), "p_w", e);
    }
    free(w);
    free(y);
    table_free(&units);
    table_free(&expected);
    assert_int_equal(bad, 0);
}

/* Cochran-Armitage trend test against prop.trend.test (chi2, p-value) and
 * lm(x/n ~ score, weights = n) (slope), sets of points in long format. */
static void test_trend(void **state)
{
    (void)state;
    struct table points, expected;
    table_load(&points, "trend_points.csv");
    table_load(&expected, "trend.csv");
    double *x = calloc(points.n_rows, sizeof(*x));
    double *n = calloc(points.n_rows, sizeof(*n));
    double *s = calloc(points.n_rows, sizeof(*s));
    assert_true(x && n && s);
    int bad = 0;
    for (size_t e = 0; e < expected.n_rows; e++) {
        const char *set = str(&expected, e, "set");
        size_t k = 0;
        for (size_t r = 0; r < points.n_rows; r++) {
            if (strcmp(str(&points, r, "set"), set) == 0) {
                x[k] = num(&points, r, "x");
                n[k] = num(&points, r, "n");
                s[k] = num(&points, r, "score");
                k++;
            }
        }
        struct m_trend tr;
        assert_int_equal(m_trend_test(x, n, s, k, &tr), M_OK);
        bad += agree(S_TREND, tr.slope, num(&expected, e, "slope"), "slope", e);
        bad += agree(S_TREND, tr.chi2, num(&expected, e, "chi2"), "chi2", e);
        bad += agree(S_TREND, tr.z, num(&expected, e, "z"), "z", e);
        bad += agree(S_TREND, tr.p_value, num(&expected, e, "p_value"), "p-value", e);
        if (k == 2) { /* two points: the square of the z test */
            struct m_ztest zt;
            assert_int_equal(m_ztest_2prop(x[0], n[0], x[1], n[1], &zt), M_OK);
            assert_true(fabs(tr.chi2 - zt.z * zt.z) <= 1e-12 * tr.chi2);
        }
    }
    free(x);
    free(n);
    free(s);
    table_free(&points);
    table_free(&expected);
    assert_int_equal(bad, 0);

    /* documented edges: all or none positive; equal scores; too few points */
    struct m_trend tr;
    const double none[3] = {0, 0, 0}, all[3] = {10, 20, 5}, ns[3] = {10, 20, 5};
    const double years[3] = {2022, 2023, 2024}, same[3] = {1, 1, 1};
    assert_int_equal(m_trend_test(none, ns, years, 3, &tr), M_OK);
    assert_true(tr.chi2 == 0.0 && tr.p_value == 1.0 && tr.slope == 0.0);
    assert_int_equal(m_trend_test(all, ns, years, 3, &tr), M_OK);
    assert_true(tr.chi2 == 0.0 && tr.p_value == 1.0);
    assert_int_equal(m_trend_test(all, ns, same, 3, &tr), M_EDOMAIN);
    assert_true(isnan(tr.p_value));
    assert_int_equal(m_trend_test(all, ns, years, 1, &tr), M_EDOMAIN);
    const double too_many[3] = {11, 20, 5};
    assert_int_equal(m_trend_test(too_many, ns, years, 3, &tr), M_EDOMAIN);
}

/* Rules that have no independent reference: argument checks, the documented
 * boundary choices, the deviation from NHSRplotthedots for a constant series. */
static void test_domain_and_edges(void **state)
{
    (void)state;
    struct m_interval ci;
    assert_int_equal(m_prop_wilson(3, 2, 0.95, &ci), M_EDOMAIN);
    assert_true(isnan(ci.estimate) && isnan(ci.lower) && isnan(ci.upper));
    assert_int_equal(m_prop_wilson(-1, 2, 0.95, &ci), M_EDOMAIN);
    assert_int_equal(m_prop_wilson(0, 0, 0.95, &ci), M_EDOMAIN);
    assert_int_equal(m_prop_jeffreys(1, 2, 1.0, &ci), M_EDOMAIN);
    assert_int_equal(m_prop_clopper_pearson(NAN, 2, 0.95, &ci), M_EDOMAIN);
    assert_int_equal(m_prop_ci((enum m_prop_method)99, 1, 2, 0.95, &ci), M_EDOMAIN);
    assert_null(m_prop_method_name((enum m_prop_method)99));
    assert_int_equal(m_mean_t(1, 3, 1, 0.95, &ci), M_EDOMAIN);
    assert_int_equal(m_mean_t(5, 3, -1, 0.95, &ci), M_EDOMAIN);
    assert_int_equal(m_diff_newcombe(1, 0, 1, 2, 0.95, &ci), M_EDOMAIN);

    /* Jeffreys boundary rule and exact 0 and 1 for every method */
    for (int m = M_PROP_WILSON; m <= M_PROP_JEFFREYS; m++) {
        assert_int_equal(m_prop_ci((enum m_prop_method)m, 0, 20, 0.95, &ci), M_OK);
        assert_true(ci.lower == 0.0 && ci.upper > 0.0 && ci.upper < 1.0);
        assert_int_equal(m_prop_ci((enum m_prop_method)m, 20, 20, 0.95, &ci), M_OK);
        assert_true(ci.upper == 1.0 && ci.lower > 0.0 && ci.lower < 1.0);
    }

    struct m_ratio rr;
    assert_int_equal(m_ratio_katz(1, 10, 0, 0, 0.95, &rr), M_EDOMAIN);
    assert_true(isnan(rr.estimate) && isnan(rr.lower) && isnan(rr.upper));
    struct m_ztest zt;
    assert_int_equal(m_ztest_2prop(3, 2, 1, 2, &zt), M_EDOMAIN);
    assert_true(isnan(zt.z) && isnan(zt.p_value));

    double p[3] = {0.01, 1.5, 0.2}, q[3];
    assert_int_equal(m_bh_adjust(p, 3, q), M_EDOMAIN);
    const double all_nan[2] = {NAN, NAN};
    assert_int_equal(m_bh_adjust(all_nan, 2, q), M_OK);
    assert_true(isnan(q[0]) && isnan(q[1]));

    assert_int_equal(m_funnel_binomial(0.3, 10.5, 0.95, &ci), M_EDOMAIN);
    assert_int_equal(m_funnel_binomial(0.3, 0, 0.95, &ci), M_EDOMAIN);
    assert_int_equal(m_funnel_binomial(0.0, 50, 0.998, &ci), M_OK);
    assert_true(ci.lower == 0.0 && ci.upper == 0.0);
    assert_int_equal(m_funnel_binomial(1.0, 50, 0.998, &ci), M_OK);
    assert_true(ci.lower == 1.0 && ci.upper == 1.0);

    struct m_od_fit fit;
    const double x[2] = {3, 4}, n[2] = {10, 0};
    assert_int_equal(m_od_fit_proportions(x, n, 2, NAN, 0.1, &fit), M_EDOMAIN);
    assert_int_equal(m_od_fit_proportions(x, n, 1, NAN, 0.5, &fit), M_EDOMAIN);
    assert_int_equal(m_od_limits(0.5, -0.1, 10, 0.95, &ci), M_EDOMAIN);

    /* SPC: too short, non-finite, a baseline of one point */
    struct m_spc_chart chart;
    struct m_spc_point pts[12];
    const double one[1] = {4};
    assert_int_equal(m_spc_xmr(one, 1, 0, true, &chart, pts), M_EDOMAIN);
    const double with_nan[3] = {1, NAN, 3};
    assert_int_equal(m_spc_xmr(with_nan, 3, 0, true, &chart, pts), M_EDOMAIN);
    const double three[3] = {1, 2, 3};
    assert_int_equal(m_spc_xmr(three, 3, 1, true, &chart, pts), M_EDOMAIN);
    /* constant series: limits collapse onto the centre, no signals
     * (NHSRplotthedots would give NaN limits here) */
    double flat[12];
    for (size_t i = 0; i < 12; i++)
        flat[i] = 7.5;
    assert_int_equal(m_spc_xmr(flat, 12, 0, true, &chart, pts), M_OK);
    assert_true(chart.centre == 7.5 && chart.lower == 7.5 && chart.upper == 7.5);
    for (size_t i = 0; i < 12; i++)
        assert_int_equal(pts[i].signal, M_SPC_COMMON_CAUSE);
    assert_null(m_spc_signal_name((enum m_spc_signal)42));

    double n_eff;
    const double weights[3] = {1, -2, 3};
    assert_int_equal(m_kish_neff(weights, 3, &n_eff), M_EDOMAIN);
    assert_true(isnan(n_eff));
    assert_int_equal(m_kish_neff(weights, 0, &n_eff), M_EDOMAIN);

    assert_string_equal(m_strerror(M_OK), "success");
    assert_string_equal(m_strerror(M_EDOMAIN), "argument out of range");
}

/* Last: the one-line summary per method, and proof that every fixture was read. */
static void test_summary(void **state)
{
    (void)state;
    for (size_t i = 0; i < S_COUNT; i++) {
        printf("methods: %-16s %5zu values compared, largest relative error %.2e, largest "
               "absolute error where the reference is 0 %.2e\n",
               stats[i].name, stats[i].n_values, stats[i].max_rel_err,
               stats[i].max_abs_err_at_zero);
    }
    fflush(stdout);
    for (size_t i = 0; i < S_COUNT; i++)
        assert_true(stats[i].n_values > 0);
}

/* The one table of method names: every method has a name that finds it
 * again, a label and a sentence; unknown names and NULL find nothing. */
static void test_prop_method_names(void **state)
{
    (void)state;
    static const char *const names[] = {"wilson", "clopper-pearson", "jeffreys"};
    assert_int_equal(M_PROP_N_METHODS, 3);
    for (int m = 0; m < M_PROP_N_METHODS; m++) {
        const char *name = m_prop_method_name((enum m_prop_method)m);
        assert_string_equal(name, names[m]);
        const struct m_prop_method_names *found = m_prop_method_find(name);
        assert_non_null(found);
        assert_int_equal(found->method, m);
        assert_true(found->label[0] != '\0' && found->text[0] != '\0');
    }
    assert_string_equal(m_prop_method_find("wilson")->text, "Wilson score intervals (Wilson 1927)");
    assert_string_equal(m_prop_method_find("clopper-pearson")->label, "Clopper-Pearson");
    assert_null(m_prop_method_find("Wilson"));
    assert_null(m_prop_method_find("wald"));
    assert_null(m_prop_method_find(""));
    assert_null(m_prop_method_find(NULL));
    assert_null(m_prop_method_name(M_PROP_N_METHODS));
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prop_ci),
        cmocka_unit_test(test_prop_method_names),
        cmocka_unit_test(test_mean_t),
        cmocka_unit_test(test_newcombe),
        cmocka_unit_test(test_ztest),
        cmocka_unit_test(test_katz),
        cmocka_unit_test(test_bh),
        cmocka_unit_test(test_funnel_binomial),
        cmocka_unit_test(test_overdispersion),
        cmocka_unit_test(test_spc),
        cmocka_unit_test(test_kish),
        cmocka_unit_test(test_trend),
        cmocka_unit_test(test_domain_and_edges),
        cmocka_unit_test(test_summary),
    };
    return cmocka_run_group_tests_name("methods", tests, NULL, NULL);
}
