/*
 * methods.c - statistical primitives; see methods.h for the contracts.
 *
 * References cited below:
 *   Wilson EB (1927) JASA 22:209-212.
 *   Clopper CJ, Pearson ES (1934) Biometrika 26:404-413.
 *   Brown LD, Cai TT, DasGupta A (2001) Stat Sci 16:101-133 (Jeffreys).
 *   Newcombe RG (1998a) Stat Med 17:857-872 (one proportion, method 3 = Wilson).
 *   Newcombe RG (1998b) Stat Med 17:873-890 (difference, method 10).
 *   Katz D et al. (1978) Biometrics 34:469-474 (log interval for a ratio).
 *   Benjamini Y, Hochberg Y (1995) JRSS B 57:289-300.
 *   Spiegelhalter DJ (2005) Stat Med 24:1185-1202 (funnel plots).
 *   NHS-R FunnelPlotR, files R/od_adjustment.R (transformed_zscore,
 *     winsorisation, phi_func, tau_func), R/calculate_limits.R
 *     (calculate_limits, data_type "PR"), R/funnel_plot.R (decision rule).
 *   NHS-R NHSRplotthedots, files R/ptd_spc_standard.R (limits, screening),
 *     R/ptd_calculate_point_type.R (special-cause rules and precedence).
 */
#include "methods.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

const char *m_strerror(enum m_status status)
{
    switch (status) {
    case M_OK:
        return "success";
    case M_EDOMAIN:
        return "argument out of range";
    case M_ENOMEM:
        return "out of memory";
    case M_ENUMERIC:
        return "numerical failure";
    }
    return "unknown status";
}

/* ---- helpers ------------------------------------------------------------ */

static bool is_conf(double conf)
{
    return conf > 0.0 && conf < 1.0;
}

/* 0 <= x <= n, n > 0, all finite. */
static bool is_count_pair(double x, double n)
{
    return isfinite(x) && isfinite(n) && n > 0.0 && x >= 0.0 && x <= n;
}

static void interval_nan(struct m_interval *out)
{
    out->estimate = NAN;
    out->lower = NAN;
    out->upper = NAN;
}

/* Upper (1 - conf)/2 quantile of the standard normal, e.g. 1.959964 for 0.95. */
/* The last level asked for and its z, per thread: a run asks for one level
 * millions of times (every interval of every table), and the quantile's
 * logarithm and rational approximation were about 2% of a national run. */
static double z_two_sided(double conf)
{
    static _Thread_local double last_conf = -1.0, last_z;
    if (conf != last_conf) {
        last_z = gsl_cdf_ugaussian_Qinv((1.0 - conf) / 2.0);
        last_conf = conf;
    }
    return last_z;
}

/* Arithmetic mean accumulated in long double with one refinement pass, the
 * way R's mean() does, so that a point lying exactly on the centre line is
 * classified as NHSRplotthedots (in R) would classify it. */
static double mean_of(const double *v, size_t k)
{
    long double sum = 0.0L;
    for (size_t i = 0; i < k; i++)
        sum += v[i];
    long double mean = sum / (long double)k;
    if (isfinite((double)mean)) {
        long double resid = 0.0L;
        for (size_t i = 0; i < k; i++)
            resid += v[i] - mean;
        mean += resid / (long double)k;
    }
    return (double)mean;
}

/*
 * Quantile of the Beta(a, b) distribution at probability p: the x with
 * I_x(a, b) = p.  GSL's gsl_cdf_beta_Pinv loops without end for shape
 * parameters in the millions (a proportion from a national sample), so we
 * solve with Newton steps safeguarded by a shrinking bracket [lo, hi] and
 * bisection, at most 300 iterations.  The upper half is solved on the Q
 * scale so that tail probabilities keep their precision.  Returns NaN when
 * GSL does.
 */
static double beta_quantile(double p, double a, double b)
{
    if (!(p > 0.0))
        return 0.0;
    if (!(p < 1.0))
        return 1.0;

    const bool use_q = p > 0.5;
    const double target = use_q ? 1.0 - p : p; /* exact for p > 0.5 */
    const double total = a + b;
    const double mean = a / total;
    const double sd = sqrt(a * b / (total * total * (total + 1.0)));

    /* Start from the normal approximation; in a tail it misses beyond
     * [0, 1], so use the leading term of the series instead:
     * I_x(a, b) ~ x^a / (a B(a, b)) near 0, and its mirror near 1. */
    double x = mean + gsl_cdf_ugaussian_Pinv(p) * sd;
    if (!(x > 0.0 && x < 1.0)) {
        gsl_sf_result lnbeta;
        if (gsl_sf_lnbeta_e(a, b, &lnbeta) != GSL_SUCCESS)
            return NAN;
        if (!use_q)
            x = exp((log(p) + log(a) + lnbeta.val) / a);
        else
            x = -expm1((log(target) + log(b) + lnbeta.val) / b);
        if (!(x > 0.0 && x < 1.0))
            x = 0.5;
    }

    double lo = 0.0, hi = 1.0;
    for (int iter = 0; iter < 300; iter++) {
        /* f increases with x and is 0 at the quantile */
        double f = use_q ? target - gsl_cdf_beta_Q(x, a, b) : gsl_cdf_beta_P(x, a, b) - target;
        if (isnan(f))
            return NAN;
        if (f == 0.0)
            return x;
        if (f < 0.0)
            lo = x;
        else
            hi = x;

        double density = gsl_ran_beta_pdf(x, a, b);
        double next = x - f / density;
        if (!(density > 0.0) || !isfinite(next) || !(next > lo && next < hi))
            next = lo + (hi - lo) / 2.0;
        if (fabs(next - x) <= 2.0 * DBL_EPSILON * fabs(x) || next == lo || next == hi)
            return next;
        x = next;
    }
    return x;
}

/* ---- one proportion ----------------------------------------------------- */

static const struct m_prop_method_names prop_methods[] = {
    {M_PROP_WILSON, "wilson", "Wilson score", "Wilson score intervals (Wilson 1927)"},
    {M_PROP_CLOPPER_PEARSON, "clopper-pearson", "Clopper-Pearson",
     "Clopper-Pearson exact intervals"},
    {M_PROP_JEFFREYS, "jeffreys", "Jeffreys", "Jeffreys intervals"},
};
_Static_assert(sizeof(prop_methods) / sizeof(prop_methods[0]) == M_PROP_N_METHODS,
               "one row per interval method");

const char *m_prop_method_name(enum m_prop_method method)
{
    for (size_t i = 0; i < M_PROP_N_METHODS; i++)
        if (prop_methods[i].method == method)
            return prop_methods[i].name;
    return NULL;
}

const struct m_prop_method_names *m_prop_method_find(const char *name)
{
    for (size_t i = 0; name && i < M_PROP_N_METHODS; i++)
        if (strcmp(prop_methods[i].name, name) == 0)
            return &prop_methods[i];
    return NULL;
}

/*
 * Wilson score interval (Wilson 1927; Newcombe 1998a method 3), the
 * default of PHEindicatormethods and R's prop.test(correct = FALSE):
 * (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)).
 * Exact 0 and 1 at x = 0 and x = n (as prop.test sets them).
 */
enum m_status m_prop_wilson(double x, double n, double conf, struct m_interval *out)
{
    if (!is_count_pair(x, n) || !is_conf(conf)) {
        interval_nan(out);
        return M_EDOMAIN;
    }
    const double z = z_two_sided(conf);
    const double z2 = z * z;
    const double centre = 2.0 * x + z2;
    const double half = z * sqrt(z2 + 4.0 * x * (1.0 - x / n));
    const double denom = 2.0 * (n + z2);

    out->estimate = x / n;
    out->lower = x == 0.0 ? 0.0 : (centre - half) / denom;
    out->upper = x == n ? 1.0 : (centre + half) / denom;
    return M_OK;
}

/*
 * An interval from beta quantiles, as the Clopper-Pearson and Jeffreys
 * intervals both are: lower = B(alpha/2; lo_a, lo_b) and upper =
 * B(1 - alpha/2; hi_a, hi_b), with lower = 0 at x = 0 and upper = 1 at x = n.
 */
static enum m_status beta_interval(double x, double n, double conf, double lo_a, double lo_b,
                                   double hi_a, double hi_b, struct m_interval *out)
{
    if (!is_count_pair(x, n) || !is_conf(conf)) {
        interval_nan(out);
        return M_EDOMAIN;
    }
    const double alpha = 1.0 - conf;
    out->estimate = x / n;
    out->lower = x == 0.0 ? 0.0 : beta_quantile(alpha / 2.0, lo_a, lo_b);
    out->upper = x == n ? 1.0 : beta_quantile(1.0 - alpha / 2.0, hi_a, hi_b);
    if (isnan(out->lower) || isnan(out->upper)) {
        interval_nan(out);
        return M_ENUMERIC;
    }
    return M_OK;
}

/*
 * Clopper-Pearson "exact" interval (Clopper & Pearson 1934) from beta
 * quantiles: lower = B(alpha/2; x, n-x+1), upper = B(1-alpha/2; x+1, n-x),
 * with lower = 0 at x = 0 and upper = 1 at x = n; as R's binom.test.
 */
enum m_status m_prop_clopper_pearson(double x, double n, double conf, struct m_interval *out)
{
    return beta_interval(x, n, conf, x, n - x + 1.0, x + 1.0, n - x, out);
}

/*
 * Jeffreys interval (Brown, Cai & DasGupta 2001, section 4.1.2): equal-tailed
 * quantiles of the Beta(x + 1/2, n - x + 1/2) posterior, with their boundary
 * modification lower = 0 when x = 0 and upper = 1 when x = n.
 */
enum m_status m_prop_jeffreys(double x, double n, double conf, struct m_interval *out)
{
    return beta_interval(x, n, conf, x + 0.5, n - x + 0.5, x + 0.5, n - x + 0.5, out);
}

enum m_status m_prop_ci(enum m_prop_method method, double x, double n, double conf,
                        struct m_interval *out)
{
    switch (method) {
    case M_PROP_WILSON:
        return m_prop_wilson(x, n, conf, out);
    case M_PROP_CLOPPER_PEARSON:
        return m_prop_clopper_pearson(x, n, conf, out);
    case M_PROP_JEFFREYS:
        return m_prop_jeffreys(x, n, conf, out);
    case M_PROP_N_METHODS:
        break;
    }
    interval_nan(out);
    return M_EDOMAIN;
}

/* ---- one mean ----------------------------------------------------------- */

/* Student t interval for a mean (as R's t.test): mean -/+ t sd / sqrt(n),
 * t the upper (1-conf)/2 quantile with n - 1 degrees of freedom. */
enum m_status m_mean_t(double n, double mean, double sd, double conf, struct m_interval *out)
{
    if (!(isfinite(n) && n > 1.0) || !isfinite(mean) || !(isfinite(sd) && sd >= 0.0) ||
        !is_conf(conf)) {
        interval_nan(out);
        return M_EDOMAIN;
    }
    const double t = gsl_cdf_tdist_Qinv((1.0 - conf) / 2.0, n - 1.0);
    if (!isfinite(t)) {
        interval_nan(out);
        return M_ENUMERIC;
    }
    const double half = t * sd / sqrt(n);
    out->estimate = mean;
    out->lower = mean - half;
    out->upper = mean + half;
    return M_OK;
}

/* ---- two proportions ---------------------------------------------------- */

/*
 * Newcombe's hybrid score interval for p1 - p2 (Newcombe 1998b, method 10),
 * from the Wilson limits (l_i, u_i) of each proportion:
 *   lower = D - sqrt((p1 - l1)^2 + (u2 - p2)^2)
 *   upper = D + sqrt((u1 - p1)^2 + (p2 - l2)^2),   D = p1 - p2.
 * Published example: 56/70 - 48/80 gives 0.0524 to 0.3339.
 */
enum m_status m_diff_newcombe(double x1, double n1, double x2, double n2, double conf,
                              struct m_interval *out)
{
    struct m_interval w1, w2;
    if (m_prop_wilson(x1, n1, conf, &w1) != M_OK || m_prop_wilson(x2, n2, conf, &w2) != M_OK) {
        interval_nan(out);
        return M_EDOMAIN;
    }
    const double p1 = w1.estimate, p2 = w2.estimate;
    const double d = p1 - p2;
    out->estimate = d;
    out->lower = d - hypot(p1 - w1.lower, w2.upper - p2);
    out->upper = d + hypot(w1.upper - p1, p2 - w2.lower);
    return M_OK;
}

/*
 * Two-proportion z test with pooled variance and no continuity correction
 * (z^2 equals the Pearson chi-square of R's prop.test(correct = FALSE)):
 *   p = (x1 + x2)/(n1 + n2), z = (p1 - p2)/sqrt(p(1-p)(1/n1 + 1/n2)),
 *   two-sided p-value 2 Q(|z|).
 * Pooled p of 0 or 1: z = 0, p-value = 1 (see methods.h).
 */
enum m_status m_ztest_2prop(double x1, double n1, double x2, double n2, struct m_ztest *out)
{
    if (!is_count_pair(x1, n1) || !is_count_pair(x2, n2)) {
        out->z = NAN;
        out->p_value = NAN;
        return M_EDOMAIN;
    }
    const double pooled = (x1 + x2) / (n1 + n2);
    if (pooled <= 0.0 || pooled >= 1.0) {
        out->z = 0.0;
        out->p_value = 1.0;
        return M_OK;
    }
    const double se = sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2));
    const double z = (x1 / n1 - x2 / n2) / se;
    out->z = z;
    out->p_value = 2.0 * gsl_cdf_ugaussian_Q(fabs(z));
    return M_OK;
}

static void trend_nan(struct m_trend *out)
{
    out->slope = out->chi2 = out->z = out->p_value = NAN;
}

/*
 * Cochran-Armitage test for trend (Armitage 1955), in the form of R's
 * prop.trend.test: the regression sum of squares of x/n on the scores with
 * weights n / (p (1-p)).  Sums are centred on the n-weighted mean score
 * first, so years such as 2021..2024 lose no precision.
 */
enum m_status m_trend_test(const double *x, const double *n, const double *score, size_t k,
                           struct m_trend *out)
{
    if (k < 2) {
        trend_nan(out);
        return M_EDOMAIN;
    }
    double sum_x = 0.0, sum_n = 0.0, sum_ns = 0.0;
    for (size_t i = 0; i < k; i++) {
        if (!is_count_pair(x[i], n[i]) || !isfinite(score[i])) {
            trend_nan(out);
            return M_EDOMAIN;
        }
        sum_x += x[i];
        sum_n += n[i];
        sum_ns += n[i] * score[i];
    }
    const double p = sum_x / sum_n, s_bar = sum_ns / sum_n;
    double sxy = 0.0, sxx = 0.0; /* sum (x - n p)(s - s_bar), sum n (s - s_bar)^2 */
    for (size_t i = 0; i < k; i++) {
        const double ds = score[i] - s_bar;
        sxy += (x[i] - n[i] * p) * ds;
        sxx += n[i] * ds * ds;
    }
    if (!(sxx > 0.0)) {
        trend_nan(out);
        return M_EDOMAIN;
    }
    if (p <= 0.0 || p >= 1.0) {
        out->slope = out->chi2 = out->z = 0.0;
        out->p_value = 1.0;
        return M_OK;
    }
    out->slope = sxy / sxx;
    out->chi2 = sxy * sxy / (p * (1.0 - p) * sxx);
    out->z = copysign(sqrt(out->chi2), sxy);
    if (sxy == 0.0)
        out->z = 0.0;
    out->p_value = 2.0 * gsl_cdf_ugaussian_Q(fabs(out->z));
    if (!isfinite(out->chi2) || !isfinite(out->p_value)) {
        trend_nan(out);
        return M_ENUMERIC;
    }
    return M_OK;
}

const char *m_ratio_zero_cell_rule(void)
{
    return "add 0.5 to all four cells when any cell is zero (Haldane)";
}

/*
 * Relative risk (a/n1)/(b/n2) with the Katz log interval (Katz et al.
 * 1978): exp(log RR -/+ z sqrt(1/a - 1/n1 + 1/b - 1/n2)).  Zero-cell rule
 * (Haldane 1956): if any of a, n1-a, b, n2-b is 0, add 0.5 to every cell.
 */
enum m_status m_ratio_katz(double a, double n1, double b, double n2, double conf,
                           struct m_ratio *out)
{
    out->corrected = false;
    if (!is_count_pair(a, n1) || !is_count_pair(b, n2) || !is_conf(conf)) {
        out->estimate = out->lower = out->upper = NAN;
        return M_EDOMAIN;
    }
    if (a == 0.0 || a == n1 || b == 0.0 || b == n2) {
        a += 0.5;
        b += 0.5;
        n1 += 1.0;
        n2 += 1.0;
        out->corrected = true;
    }
    const double log_rr = log(a / n1) - log(b / n2);
    const double se = sqrt(1.0 / a - 1.0 / n1 + 1.0 / b - 1.0 / n2);
    const double z = z_two_sided(conf);
    out->estimate = (a / n1) / (b / n2);
    out->lower = exp(log_rr - z * se);
    out->upper = exp(log_rr + z * se);
    return M_OK;
}

/* ---- multiple comparisons ----------------------------------------------- */

struct ranked_p {
    double p;
    size_t index;
};

/* A p-value's sort key: for p in [0, 1] the bits of a non-negative double
 * order as unsigned integers do (-0.0 counts as 0, as it compares). */
static uint64_t p_key(double p)
{
    uint64_t bits;
    double positive = p == 0 ? 0.0 : p;
    memcpy(&bits, &positive, sizeof(bits));
    return bits;
}

/* Sort a[0..m) by ascending p, ties by original position (a is in index
 * order), through tmp (m entries): a stable radix sort of the keys, a byte
 * at a time, passes where every key has the same byte skipped; insertion
 * for a few.  qsort's merge sort with a comparison call took 5% of a
 * national candour-stats run, whose disparity and hotspot families are of
 * 1,000-2,000 tests. */
static void sort_ranked(struct ranked_p *a, struct ranked_p *tmp, size_t m)
{
    if (m <= 32) {
        for (size_t i = 1; i < m; i++) {
            struct ranked_p x = a[i];
            size_t j = i;
            for (; j > 0 && p_key(a[j - 1].p) > p_key(x.p); j--)
                a[j] = a[j - 1];
            a[j] = x;
        }
        return;
    }
    struct ranked_p *from = a, *to = tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t start[257] = {0};
        for (size_t i = 0; i < m; i++)
            start[((p_key(from[i].p) >> shift) & 0xFF) + 1]++;
        if (start[((p_key(from[0].p) >> shift) & 0xFF) + 1] == m)
            continue; /* one byte value: the order stays */
        for (size_t d = 1; d <= 256; d++)
            start[d] += start[d - 1];
        for (size_t i = 0; i < m; i++)
            to[start[(p_key(from[i].p) >> shift) & 0xFF]++] = from[i];
        struct ranked_p *swap = from;
        from = to;
        to = swap;
    }
    if (from != a)
        memcpy(a, from, m * sizeof(*a));
}

/*
 * Benjamini-Hochberg step-up adjustment (Benjamini & Hochberg 1995), as
 * R's p.adjust(method = "BH"): with the m non-NaN p-values sorted
 * ascending, q_(i) = min over j >= i of min(1, m p_(j) / j).  Tied
 * p-values get equal q-values whatever their order.
 */
enum m_status m_bh_adjust(const double *p, size_t k, double *q)
{
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (isnan(p[i]))
            continue;
        if (!(p[i] >= 0.0 && p[i] <= 1.0)) {
            for (size_t j = 0; j < k; j++)
                q[j] = NAN;
            return M_EDOMAIN;
        }
        m++;
    }
    if (m == 0) {
        for (size_t i = 0; i < k; i++)
            q[i] = NAN;
        return M_OK;
    }

    struct ranked_p *ranked = calloc(2 * m, sizeof(*ranked)); /* and sort_ranked's */
    if (!ranked) {
        for (size_t i = 0; i < k; i++)
            q[i] = NAN;
        return M_ENOMEM;
    }
    for (size_t i = 0, r = 0; i < k; i++) {
        if (!isnan(p[i])) {
            ranked[r].p = p[i];
            ranked[r].index = i;
            r++;
        }
    }
    sort_ranked(ranked, ranked + m, m);

    /* NaN entries keep their NaN: when q aliases p they already are. */
    for (size_t i = 0; i < k; i++)
        if (isnan(p[i]))
            q[i] = NAN;

    double running_min = 1.0;
    for (size_t r = m; r-- > 0;) {
        double adjusted = (double)m / (double)(r + 1) * ranked[r].p;
        if (adjusted < running_min)
            running_min = adjusted;
        q[ranked[r].index] = running_min;
    }
    free(ranked);
    return M_OK;
}

/* ---- funnel plots -------------------------------------------------------- */

/*
 * P(X <= k) for X ~ Bin(n, p), 0 <= k < n, 0 < p < 1.  GSL's
 * gsl_cdf_binomial_P evaluates an incomplete beta function whose continued
 * fraction stops after 512 terms and then returns NaN; that happens for n in
 * the millions near p = 1/2.  We then sum the probability mass function
 * instead, outward from k over the tail that lies away from the mode (where
 * the terms fall monotonically), stopping once a term no longer changes the
 * sum.
 */
static double binomial_cdf(unsigned int k, double p, unsigned int n)
{
    double cdf = gsl_cdf_binomial_P(k, p, n);
    if (!isnan(cdf))
        return cdf;

    const double odds = p / (1.0 - p);
    const double mode = floor(((double)n + 1.0) * p);
    if ((double)k < mode) {
        /* lower tail: terms k, k-1, ..., 0 */
        double term = gsl_ran_binomial_pdf(k, p, n), sum = term;
        for (unsigned int j = k; j > 0 && term > sum * DBL_EPSILON / 4.0; j--) {
            term *= (double)j / ((double)(n - j + 1) * odds);
            sum += term;
        }
        return sum;
    }
    /* upper tail: terms k+1, ..., n */
    double term = gsl_ran_binomial_pdf(k + 1, p, n), sum = term;
    for (unsigned int j = k + 1; j < n && term > sum * DBL_EPSILON / 4.0; j++) {
        term *= (double)(n - j) / ((double)(j + 1)) * odds;
        sum += term;
    }
    return 1.0 - sum;
}

/*
 * One exact binomial control limit with Spiegelhalter's interpolation
 * (Spiegelhalter 2005, appendix A.1.1): r is the smallest integer with
 * P(X <= r) >= tail for X ~ Bin(n, p0), then
 *   alpha = (P(X <= r) - tail) / (P(X <= r) - P(X <= r - 1)),
 *   limit = (r - alpha) / n,
 * so the limit moves smoothly between the discrete quantiles.
 *
 * r is searched for from the normal approximation's quantile, stepping
 * away from it by doubling steps until r is bracketed, then by bisection:
 * the approximation lands within a few of r, so a limit costs 2-5 CDF
 * evaluations (each an incomplete beta function) where bisection on
 * [0, n] took log2(n) + 2; P(X <= r) and P(X <= r - 1) are those of the
 * bracket's ends, not evaluated again.  The CDF rises with r, so the
 * smallest r is the same whichever way it is found.
 */
static double binomial_limit(double p0, unsigned int n, double tail)
{
    /* invariant: F(lo) = f_lo < tail <= F(hi) = f_hi, with F(-1) = 0 and
     * F(n) = 1 */
    long lo = -1, hi = (long)n;
    double f_lo = 0.0, f_hi = 1.0;
    double centre = (double)n * p0;
    double guess = floor(centre + gsl_cdf_ugaussian_Pinv(tail) * sqrt(centre * (1.0 - p0)));
    if (!(guess >= 0.0))
        guess = 0.0; /* also NaN */
    if (guess > (double)n - 1.0)
        guess = (double)n - 1.0;
    long k = (long)guess;
    for (long step = 1;; step *= 2) { /* k in (lo, hi): widen until the bracket holds r */
        double f = binomial_cdf((unsigned int)k, p0, n);
        if (isnan(f))
            return NAN;
        if (f >= tail) {
            hi = k;
            f_hi = f;
            if (lo >= 0 || k == 0) /* F(-1) = 0 < tail: lo = -1 holds then */
                break;
            k = k - step > 0 ? k - step : 0;
        } else {
            lo = k;
            f_lo = f;
            if (hi < (long)n || k == (long)n - 1) /* F(n) = 1 >= tail: hi = n holds */
                break;
            k = k + step < (long)n - 1 ? k + step : (long)n - 1;
        }
    }
    while (hi - lo > 1) {
        long mid = lo + (hi - lo) / 2;
        double f = binomial_cdf((unsigned int)mid, p0, n);
        if (isnan(f))
            return NAN;
        if (f >= tail) {
            hi = mid;
            f_hi = f;
        } else {
            lo = mid;
            f_lo = f;
        }
    }
    const long r = hi; /* lo = r - 1 */
    const double alpha = (f_hi - tail) / (f_hi - f_lo);
    double limit = ((double)r - alpha) / (double)n;
    if (limit < 0.0)
        limit = 0.0;
    if (limit > 1.0)
        limit = 1.0;
    return limit;
}

enum m_status m_funnel_binomial(double p0, double n, double level, struct m_interval *out)
{
    if (!(p0 >= 0.0 && p0 <= 1.0) || !(n >= 1.0 && n <= (double)UINT_MAX) || n != floor(n) ||
        !is_conf(level)) {
        interval_nan(out);
        return M_EDOMAIN;
    }
    out->estimate = p0;
    if (p0 == 0.0 || p0 == 1.0) {
        out->lower = out->upper = p0;
        return M_OK;
    }
    const double tail = (1.0 - level) / 2.0;
    out->lower = binomial_limit(p0, (unsigned int)n, tail);
    out->upper = binomial_limit(p0, (unsigned int)n, 1.0 - tail);
    if (isnan(out->lower) || isnan(out->upper)) {
        interval_nan(out);
        return M_ENUMERIC;
    }
    return M_OK;
}

/* The value a[nth] would have were a[0..k) sorted ascending (no NaN in
 * it); a is rearranged so that a[0..nth) <= a[nth] <= a[nth+1..k).
 * Hoare's selection as Wirth gives it (Algorithms + Data Structures =
 * Programs, 1976, section 2.3.4): linear on average, where sorting the
 * whole array with qsort (a comparison call each step) was 2% of a
 * national run, for the two quantiles a fit needs. */
static double select_nth(double *a, size_t k, size_t nth)
{
    ptrdiff_t left = 0, right = (ptrdiff_t)k - 1, target = (ptrdiff_t)nth;
    while (left < right) {
        const double pivot = a[target];
        ptrdiff_t i = left, j = right;
        do {
            while (a[i] < pivot)
                i++;
            while (pivot < a[j])
                j--;
            if (i <= j) {
                double swap = a[i];
                a[i] = a[j];
                a[j] = swap;
                i++;
                j--;
            }
        } while (i <= j);
        /* a[left..j] <= pivot <= a[i..right] */
        if (j < target)
            left = i;
        if (target < i)
            right = j;
    }
    return a[target];
}

/* Sample quantile of values[0..k-1] at prob, R's default type 7, computed
 * as R's quantile.default does: index = 1 + (k - 1) prob (1-based), linear
 * interpolation between the neighbouring order statistics.  The two order
 * statistics are selected (select_nth), values rearranged. */
static double quantile_type7(double *values, size_t k, double prob)
{
    const double position = 1.0 + (double)(k - 1) * prob;
    const double lo = floor(position);
    const double hi = ceil(position);
    const double at_lo = select_nth(values, k, (size_t)lo - 1);
    double at_hi = at_lo;
    if (hi > lo) /* the smallest of those after at_lo */
        for (size_t i = (size_t)lo; i < k; i++)
            if (i == (size_t)lo || values[i] < at_hi)
                at_hi = values[i];
    const double h = position - lo;
    if (!(position > lo) || at_hi == at_lo)
        return at_lo;
    return (1.0 - h) * at_lo + h * at_hi;
}

/*
 * Overdispersion for proportions, following FunnelPlotR:
 *  transformed_zscore (R/od_adjustment.R, data_type "PR"):
 *    Y = asin(sqrt(x/n)), s = 1/(2 sqrt(n)), target on the same scale,
 *    z = (Y - asin(sqrt(target))) / s;
 *  winsorisation: z clamped to its trim and 1-trim quantiles (R quantile()
 *    default, type 7);
 *  phi_func: phi = (1/k) sum(winsorised z^2);
 *  tau_func: tau2 = 0 if k phi < k - 1, else
 *    max(0, (k phi - (k - 1)) / (sum(w) - sum(w^2)/sum(w))), w = 1/s^2;
 *  funnel_plot: adjusted limits are drawn only when tau2 > 0 (there is no
 *    separate chi-square test of phi).
 * Spiegelhalter (2005) section 3 and Spiegelhalter et al. (2012) JRSS A
 * 175:1-47 describe the method.
 */
enum m_status m_od_fit_proportions(const double *x, const double *n, size_t k, double target,
                                   double trim, struct m_od_fit *fit)
{
    fit->target = fit->z_lower = fit->z_upper = fit->phi = fit->tau2 = NAN;
    fit->n_units = 0;
    fit->adjusted = false;
    if (k == 0 || !(trim >= 0.0 && trim < 0.5) ||
        !(isnan(target) || (target >= 0.0 && target <= 1.0)))
        return M_EDOMAIN;

    double sum_x = 0.0, sum_n = 0.0;
    for (size_t i = 0; i < k; i++) {
        if (!is_count_pair(x[i], n[i]))
            return M_EDOMAIN;
        sum_x += x[i];
        sum_n += n[i];
    }
    if (isnan(target))
        target = sum_x / sum_n;

    double *z = calloc(k, sizeof(*z));
    double *sorted = calloc(k, sizeof(*sorted));
    if (!z || !sorted) {
        free(z);
        free(sorted);
        return M_ENOMEM;
    }
    const double target_t = asin(sqrt(target));
    for (size_t i = 0; i < k; i++) {
        double s = 1.0 / (2.0 * sqrt(n[i]));
        z[i] = (asin(sqrt(x[i] / n[i])) - target_t) / s;
        sorted[i] = z[i];
    }
    const double z_lower = quantile_type7(sorted, k, trim);
    const double z_upper = quantile_type7(sorted, k, 1.0 - trim);

    double sum_z2 = 0.0, sum_w = 0.0, sum_w2 = 0.0;
    for (size_t i = 0; i < k; i++) {
        double wz = z[i] < z_lower ? z_lower : z[i] > z_upper ? z_upper : z[i];
        sum_z2 += wz * wz;
        double s = 1.0 / (2.0 * sqrt(n[i]));
        double w = 1.0 / (s * s);
        sum_w += w;
        sum_w2 += w * w;
    }
    free(z);
    free(sorted);

    const double kd = (double)k;
    const double phi = (1.0 / kd) * sum_z2;
    double tau2 = 0.0;
    if (k > 1 && !(kd * phi < kd - 1.0)) {
        tau2 = (kd * phi - (kd - 1.0)) / (sum_w - sum_w2 / sum_w);
        if (!(tau2 > 0.0))
            tau2 = 0.0;
    }
    fit->target = target;
    fit->z_lower = z_lower;
    fit->z_upper = z_upper;
    fit->phi = phi;
    fit->tau2 = tau2;
    fit->n_units = k;
    fit->adjusted = tau2 > 0.0;
    return M_OK;
}

/* asin(sqrt(target)), of the last target asked for per thread: every row
 * of a funnel transforms its comparison's one target three times (two
 * limits and the z-score), and asin was 1% of a national run. */
static double target_arcsine(double target)
{
    static _Thread_local double last_target = -1.0, last_arcsine;
    if (target != last_target) {
        last_arcsine = asin(sqrt(target));
        last_target = target;
    }
    return last_arcsine;
}

/* Arcsine square-root limits of FunnelPlotR's calculate_limits (data_type
 * "PR"), with the transformed limit clamped to [0, pi/2] (see methods.h). */
enum m_status m_od_limits(double target, double tau2, double n, double level,
                          struct m_interval *out)
{
    if (!(target >= 0.0 && target <= 1.0) || !(isfinite(tau2) && tau2 >= 0.0) ||
        !(isfinite(n) && n > 0.0) || !is_conf(level)) {
        interval_nan(out);
        return M_EDOMAIN;
    }
    const double half_pi = 1.57079632679489661923;
    const double s = 1.0 / (2.0 * sqrt(n));
    const double half = z_two_sided(level) * sqrt(s * s + tau2);
    const double centre = target_arcsine(target);
    double lower_t = centre - half, upper_t = centre + half;
    if (lower_t < 0.0)
        lower_t = 0.0;
    if (upper_t > half_pi)
        upper_t = half_pi;
    const double sin_lower = sin(lower_t), sin_upper = sin(upper_t);
    out->estimate = target;
    out->lower = sin_lower * sin_lower;
    out->upper = upper_t == half_pi ? 1.0 : sin_upper * sin_upper;
    return M_OK;
}

/* Unit z-score on the arcsine scale, as FunnelPlotR's transformed_zscore
 * (tau2 = 0) and its overdispersed version with s^2 + tau2. */
enum m_status m_od_zscore(double x, double n, double target, double tau2, double *z)
{
    if (!is_count_pair(x, n) || !(target >= 0.0 && target <= 1.0) ||
        !(isfinite(tau2) && tau2 >= 0.0)) {
        *z = NAN;
        return M_EDOMAIN;
    }
    const double s = 1.0 / (2.0 * sqrt(n));
    *z = (asin(sqrt(x / n)) - target_arcsine(target)) / sqrt(s * s + tau2);
    return M_OK;
}

/* ---- statistical process control ----------------------------------------- */

const char *m_spc_signal_name(enum m_spc_signal signal)
{
    switch (signal) {
    case M_SPC_COMMON_CAUSE:
        return "common_cause";
    case M_SPC_OUTSIDE_LIMITS:
        return "outside_limits";
    case M_SPC_TREND:
        return "trend";
    case M_SPC_TWO_OF_THREE:
        return "two_of_three";
    case M_SPC_RUN:
        return "run";
    }
    return NULL;
}

static int sign_of(double v)
{
    return (v > 0.0) - (v < 0.0);
}

/* Side of the centre of point i: +1, -1, or 0 on the centre line. */
static int side_of(const double *y, size_t i, double centre)
{
    return sign_of(y[i] - centre);
}

/* Between the near limit and the process limit (not beyond it). */
static bool is_close(const double *y, size_t i, const struct m_spc_chart *c)
{
    const bool outside = y[i] > c->upper || y[i] < c->lower;
    return !outside && (y[i] < c->near_lower || y[i] > c->near_upper);
}

/* Point i ends 7 points on the same side of the centre (none on it). */
static bool ends_run(const double *y, size_t i, double centre)
{
    if (i < 6)
        return false;
    const int side = side_of(y, i, centre);
    if (side == 0)
        return false;
    for (size_t j = 1; j <= 6; j++)
        if (side_of(y, i - j, centre) != side)
            return false;
    return true;
}

/* Point i ends 7 points each strictly above (+1) or below (-1) the one
 * before it, i.e. 6 consecutive increases or decreases; 0 otherwise. */
static int ends_trend(const double *y, size_t i)
{
    if (i < 6)
        return 0;
    const int dir = sign_of(y[i] - y[i - 1]);
    if (dir == 0)
        return 0;
    for (size_t j = 1; j < 6; j++)
        if (sign_of(y[i - j] - y[i - j - 1]) != dir)
            return 0;
    return dir;
}

/* Point i is part of a trend: it or one of the next 6 points ends one
 * (NHSRplotthedots' ptd_part_of_seven_trend). */
static bool part_of_trend(const double *y, size_t k, size_t i)
{
    for (size_t j = i; j < k && j <= i + 6; j++)
        if (ends_trend(y, j) != 0)
            return true;
    return false;
}

/* Point i is part of a run: it or one of the next 6 points ends one. */
static bool part_of_run(const double *y, size_t k, size_t i, double centre)
{
    for (size_t j = i; j < k && j <= i + 6; j++)
        if (ends_run(y, j, centre))
            return true;
    return false;
}

/* Three points start..start+2 have at least two close to a limit and all
 * three strictly on the same side of the centre. */
static bool two_of_three_window(const double *y, size_t start, const struct m_spc_chart *c)
{
    int n_close = 0, side_sum = 0;
    for (size_t j = start; j < start + 3; j++) {
        n_close += is_close(y, j, c);
        side_sum += side_of(y, j, c->centre);
    }
    return n_close >= 2 && abs(side_sum) == 3;
}

/*
 * XmR chart with NHS "Making Data Count" rules, following NHSRplotthedots:
 *  ptd_spc_standard: centre = mean of the baseline points; moving ranges
 *    |y_i - y_{i-1}| within the baseline; mean moving range; with
 *    screen_outliers, ranges not below 3.267 x that mean are dropped and the
 *    mean recomputed; limits centre -/+ 2.66 x mean moving range, near
 *    limits centre -/+ 2 (2.66 / 3) x mean moving range; a point is
 *    outside if strictly beyond a limit, and close to a limit if not outside
 *    and strictly beyond a near limit.
 *  ptd_calculate_point_type / ptd_special_cause_type, in this precedence:
 *    outside_limits; trend: the point belongs to a stretch of 7 points each
 *    strictly above (below) its predecessor; two_of_three: the point is
 *    itself close to a limit and lies in a window of 3 consecutive points,
 *    all strictly on one side of the centre, of which at least 2 are close
 *    to a limit; run: the point belongs to 7 consecutive points strictly on
 *    one side of the centre (a point on the centre breaks a run).
 *  Direction of a trend point: of the step after it when the next point
 *    is also part of a trend, else of the step before it (as the package).
 * Deviation: when every baseline moving range is 0, NHSRplotthedots'
 * screening removes them all and its limits become NaN; we skip screening
 * then, so the limits equal the centre and no point signals.
 */
enum m_status m_spc_xmr(const double *y, size_t k, size_t fix_after_n, bool screen_outliers,
                        struct m_spc_chart *chart, struct m_spc_point *points)
{
    chart->centre = chart->mean_moving_range = chart->lower = chart->upper = NAN;
    chart->near_lower = chart->near_upper = NAN;
    chart->n_baseline = chart->n_ranges = 0;
    if (k < 2)
        return M_EDOMAIN;
    for (size_t i = 0; i < k; i++)
        if (!isfinite(y[i]))
            return M_EDOMAIN;
    const size_t base = fix_after_n == 0 || fix_after_n > k ? k : fix_after_n;
    if (base < 2)
        return M_EDOMAIN;

    /* mean of the moving ranges, each computed as |y_i - y_{i-1}| */
    long double sum_mr = 0.0L;
    for (size_t i = 1; i < base; i++)
        sum_mr += fabs(y[i] - y[i - 1]);
    double amr = (double)(sum_mr / (long double)(base - 1));
    size_t n_ranges = base - 1;
    if (screen_outliers && amr > 0.0) {
        const double cut = 3.267 * amr;
        long double kept = 0.0L;
        n_ranges = 0;
        for (size_t i = 1; i < base; i++) {
            double mr = fabs(y[i] - y[i - 1]);
            if (mr < cut) {
                kept += mr;
                n_ranges++;
            }
        }
        amr = (double)(kept / (long double)n_ranges);
    }

    const double limit = 2.66;
    const double limit_close = 2.0 * (limit / 3.0);
    chart->centre = mean_of(y, base);
    chart->mean_moving_range = amr;
    chart->lower = chart->centre - limit * amr;
    chart->upper = chart->centre + limit * amr;
    chart->near_lower = chart->centre - limit_close * amr;
    chart->near_upper = chart->centre + limit_close * amr;
    chart->n_baseline = base;
    chart->n_ranges = n_ranges;

    for (size_t i = 0; i < k; i++) {
        const int side = side_of(y, i, chart->centre);
        struct m_spc_point *pt = &points[i];

        if (y[i] > chart->upper || y[i] < chart->lower) {
            pt->signal = M_SPC_OUTSIDE_LIMITS;
            pt->direction = side == 1 ? 1 : -1;
            continue;
        }

        if (part_of_trend(y, k, i)) {
            int step = 0;
            if (i + 1 < k && part_of_trend(y, k, i + 1))
                step = sign_of(y[i + 1] - y[i]);
            else if (i > 0)
                step = sign_of(y[i] - y[i - 1]);
            pt->signal = M_SPC_TREND;
            pt->direction = step == 1 ? 1 : -1;
            continue;
        }

        if (is_close(y, i, chart)) {
            bool hit = false;
            for (size_t back = 0; back <= 2 && !hit; back++) {
                if (i < back || i - back + 2 >= k)
                    continue;
                hit = two_of_three_window(y, i - back, chart);
            }
            if (hit) {
                pt->signal = M_SPC_TWO_OF_THREE;
                pt->direction = side > 0 ? 1 : -1;
                continue;
            }
        }

        if (part_of_run(y, k, i, chart->centre)) {
            pt->signal = M_SPC_RUN;
            pt->direction = side > 0 ? 1 : -1;
            continue;
        }

        pt->signal = M_SPC_COMMON_CAUSE;
        pt->direction = 0;
    }
    return M_OK;
}

/* ---- weights -------------------------------------------------------------- */

/* Kish (1965) Survey Sampling, effective sample size of a weighted mean:
 * n_eff = (sum w)^2 / sum w^2. */
enum m_status m_kish_neff(const double *w, size_t k, double *n_eff)
{
    double sum_w = 0.0, sum_w2 = 0.0;
    for (size_t i = 0; i < k; i++) {
        if (!(isfinite(w[i]) && w[i] >= 0.0)) {
            *n_eff = NAN;
            return M_EDOMAIN;
        }
        sum_w += w[i];
        sum_w2 += w[i] * w[i];
    }
    if (!(sum_w > 0.0)) {
        *n_eff = NAN;
        return M_EDOMAIN;
    }
    *n_eff = sum_w * sum_w / sum_w2;
    return M_OK;
}

/* Weighted proportion sum(w y)/sum(w) with Kish's n_eff (see above). */
enum m_status m_weighted_prop(const double *w, const double *y, size_t k, double *p_w,
                              double *n_eff)
{
    double sum_w = 0.0, sum_wy = 0.0;
    *p_w = NAN;
    enum m_status status = m_kish_neff(w, k, n_eff);
    if (status != M_OK)
        return status;
    for (size_t i = 0; i < k; i++) {
        if (!(y[i] >= 0.0 && y[i] <= 1.0)) {
            *n_eff = NAN;
            return M_EDOMAIN;
        }
        sum_w += w[i];
        sum_wy += w[i] * y[i];
    }
    *p_w = sum_wy / sum_w;
    return M_OK;
}
