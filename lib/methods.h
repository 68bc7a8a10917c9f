/*
 * methods.h - statistical primitives behind candour's fairness statistics.
 *
 * Every function is pure: it reads its arguments, writes only through its
 * output pointers and keeps no state.  None prints.  Each returns an
 * enum m_status; on any status other than M_OK every double it would have
 * written is set to NaN (so a caller that ignores the status still cannot
 * print a plausible-looking number).
 *
 * GSL: inputs are validated before any GSL routine is called, and only GSL
 * routines that do not invoke the GSL error handler for in-domain arguments
 * are used (gsl_cdf_ugaussian_{Pinv,Q,Qinv}, gsl_cdf_tdist_Qinv,
 * gsl_cdf_beta_{P,Q}, gsl_ran_beta_pdf, gsl_sf_lnbeta_e, gsl_cdf_binomial_P,
 * gsl_ran_binomial_pdf).  Two GSL shortcomings are worked around: beta
 * quantiles come from our own bounded Newton/bisection search, because
 * gsl_cdf_beta_Pinv does not terminate for shape parameters of a few
 * million; and where gsl_cdf_binomial_P gives up (NaN, n in the millions
 * near p = 1/2) the binomial CDF is summed directly.  A remaining numerical
 * failure is reported as M_ENUMERIC.  Programs still call
 * gsl_set_error_handler_off() in main(), so that no GSL call can abort the
 * process.
 *
 * Confidence levels are fractions in (0, 1), e.g. 0.95.  Counts are doubles
 * so that weighted data can be passed as x = p_w * n_eff, n = n_eff (Kish
 * effective sample size); functions that need whole numbers say so.
 */
#ifndef CANDOUR_METHODS_H
#define CANDOUR_METHODS_H

#include <stdbool.h>
#include <stddef.h>

enum m_status {
    M_OK = 0,
    M_EDOMAIN,  /* an argument is outside the function's domain */
    M_ENOMEM,   /* allocation failed */
    M_ENUMERIC, /* a numerical routine gave a non-finite result */
};

/* Message for a status, e.g. "argument out of range". Static, do not free. */
const char *m_strerror(enum m_status status);

/* A point estimate with a two-sided interval. */
struct m_interval {
    double estimate;
    double lower;
    double upper;
};

/* ---- one proportion --------------------------------------------------- */

enum m_prop_method {
    M_PROP_WILSON = 0,      /* default */
    M_PROP_CLOPPER_PEARSON, /* exact */
    M_PROP_JEFFREYS,
    M_PROP_N_METHODS /* how many there are, not a method */
};

/* The one table of interval method names, used by candour-stats' --ci, its
 * output tables and candour-report's text and chart titles. Static. */
struct m_prop_method_names {
    enum m_prop_method method;
    const char *name;  /* stable lowercase name: option value and output */
    const char *label; /* short title for a chart: "Wilson score" */
    const char *text;  /* for a sentence: "Wilson score intervals (Wilson 1927)" */
};

/* Stable lowercase name for output: "wilson", "clopper-pearson",
 * "jeffreys"; NULL for an unknown value. Static, do not free. */
const char *m_prop_method_name(enum m_prop_method method);

/* The names of a method given by its lowercase name (as in --ci or the
 * "method" column), or NULL when there is no such method. */
const struct m_prop_method_names *m_prop_method_find(const char *name);

/* Interval for a proportion x/n: 0 <= x <= n, n > 0, 0 < conf < 1.
 * x and n need not be whole numbers (weighted data, see above).
 * estimate = x/n.  Boundary rules: lower = 0 when x = 0 and upper = 1 when
 * x = n, for every method. */
enum m_status m_prop_wilson(double x, double n, double conf, struct m_interval *out);
enum m_status m_prop_clopper_pearson(double x, double n, double conf, struct m_interval *out);
enum m_status m_prop_jeffreys(double x, double n, double conf, struct m_interval *out);
enum m_status m_prop_ci(enum m_prop_method method, double x, double n, double conf,
                        struct m_interval *out);

/* ---- one mean --------------------------------------------------------- */

/* t interval for a mean from n (> 1, need not be whole), mean and sd (>= 0):
 * mean -/+ t(1 - (1-conf)/2, n-1) * sd / sqrt(n). */
enum m_status m_mean_t(double n, double mean, double sd, double conf, struct m_interval *out);

/* ---- two proportions -------------------------------------------------- */

/* Difference p1 - p2 = x1/n1 - x2/n2 with Newcombe's hybrid score interval
 * (method 10). Same domain as m_prop_wilson for each group. */
enum m_status m_diff_newcombe(double x1, double n1, double x2, double n2, double conf,
                              struct m_interval *out);

/* Two-proportion z test, pooled variance, no continuity correction. */
struct m_ztest {
    double z;       /* (p1 - p2) / se, signed */
    double p_value; /* two-sided */
};

/* When the pooled proportion is 0 or 1 (no successes or no failures in
 * either group) the two observed proportions are equal and the standard
 * error is 0: we return z = 0 and p_value = 1 with M_OK (R's prop.test gives
 * NaN there). */
enum m_status m_ztest_2prop(double x1, double n1, double x2, double n2, struct m_ztest *out);

/* Test for a linear trend in proportions x[i]/n[i] over scores score[i]
 * (i < k, k >= 2, scores not all equal): the Cochran-Armitage chi-squared
 * test as R's prop.trend.test computes it,
 *   chi2 = (sum (x_i - n_i p)(s_i - s_bar))^2 / (p (1-p) sum n_i (s_i - s_bar)^2)
 * with p = sum x / sum n and s_bar = sum n_i s_i / sum n, 1 degree of freedom.
 * slope is the n-weighted least-squares slope of x_i/n_i on s_i (change of
 * the proportion per unit of score: the coefficient of R's
 * lm(x/n ~ s, weights = n)); z = sign(slope) sqrt(chi2).  With k = 2, chi2
 * is the square of m_ztest_2prop's z.  When p is 0 or 1 every proportion
 * is equal: slope = 0, z = chi2 = 0 and p_value = 1 (prop.trend.test gives
 * NaN).  Counts need not be whole numbers. */
struct m_trend {
    double slope;
    double chi2;
    double z;
    double p_value; /* two-sided (upper tail of chi2 on 1 df) */
};
enum m_status m_trend_test(const double *x, const double *n, const double *score, size_t k,
                           struct m_trend *out);

/* Ratio of two proportions (relative risk) (a/n1) / (b/n2) with the Katz
 * log interval.  Zero-cell rule: when any of a, n1-a, b, n2-b is 0, 0.5 is
 * added to all four cells (so a+0.5, n1+1, b+0.5, n2+1) and the estimate
 * and both limits come from the corrected table; `corrected` says so. */
struct m_ratio {
    double estimate;
    double lower;
    double upper;
    bool corrected;
};

enum m_status m_ratio_katz(double a, double n1, double b, double n2, double conf,
                           struct m_ratio *out);

/* The zero-cell rule of m_ratio_katz as a short name for output and
 * methods notes. Static, do not free. */
const char *m_ratio_zero_cell_rule(void);

/* ---- multiple comparisons --------------------------------------------- */

/* Benjamini-Hochberg adjusted p-values (q-values) of p[0..k-1], written to
 * q[0..k-1]; q may be the same array as p.  NaN entries are ignored (they
 * do not count towards the number of tests) and stay NaN.  Every other p
 * must lie in [0, 1].  Allocates a work array internally (M_ENOMEM). */
enum m_status m_bh_adjust(const double *p, size_t k, double *q);

/* ---- funnel plots ----------------------------------------------------- */

/* Exact binomial control limits for a proportion around target p0 (0..1)
 * for a whole-number sample size n (1 .. UINT_MAX) at two-sided level
 * `level` (0.95 and 0.998 are the usual two), with Spiegelhalter's
 * interpolation between the discrete binomial quantiles.  Limits are
 * clamped to [0, 1]; when p0 is exactly 0 or 1 both limits equal p0.
 * estimate = p0. */
enum m_status m_funnel_binomial(double p0, double n, double level, struct m_interval *out);

/* Overdispersion as NHS-R FunnelPlotR estimates it for proportions
 * (data_type "PR"): z-scores on the arcsine square-root scale, winsorised
 * at the trim and 1-trim quantiles, phi, and the DerSimonian-Laird
 * between-unit variance tau2. */
struct m_od_fit {
    double target;  /* target proportion used */
    double z_lower; /* winsorising bounds: quantiles (R type 7) of the z */
    double z_upper;
    double phi;  /* mean of the squared winsorised z-scores */
    double tau2; /* between-unit variance on the arcsine scale */
    size_t n_units;
    bool adjusted; /* tau2 > 0: FunnelPlotR draws the adjusted limits */
};

/* x[i] events out of n[i] (> 0) for k (>= 1) units, target in [0, 1] or NaN
 * for FunnelPlotR's default sum(x)/sum(n); trim in [0, 0.5), 0.1 in
 * FunnelPlotR.  With a single unit tau2 is 0.  Allocates (M_ENOMEM). */
enum m_status m_od_fit_proportions(const double *x, const double *n, size_t k, double target,
                                   double trim, struct m_od_fit *fit);

/* Control limits on the arcsine scale, back-transformed:
 * sin(asin(sqrt(target)) -/+ z * sqrt(1/(4n) + tau2))^2 with z the normal
 * quantile for `level` computed exactly (FunnelPlotR hard-codes 1.959964 and
 * 3.090232, a relative difference below 1e-7); tau2 = 0 gives FunnelPlotR's
 * unadjusted "PR" limits.  The transformed limit is clamped to [0, pi/2] first, which is
 * what FunnelPlotR's truncation to [0, 1] and to a monotone funnel
 * amounts to. estimate = target. */
enum m_status m_od_limits(double target, double tau2, double n, double level,
                          struct m_interval *out);

/* z-score of x/n against target on the arcsine scale with between-unit
 * variance tau2: (asin(sqrt(x/n)) - asin(sqrt(target))) / sqrt(1/(4n) + tau2).
 * tau2 = 0 gives FunnelPlotR's unadjusted z-score. */
enum m_status m_od_zscore(double x, double n, double target, double tau2, double *z);

/* ---- statistical process control (XmR) ------------------------------- */

enum m_spc_signal {
    M_SPC_COMMON_CAUSE = 0,
    M_SPC_OUTSIDE_LIMITS, /* beyond a process limit */
    M_SPC_TREND,          /* part of 7 points each above (below) the last */
    M_SPC_TWO_OF_THREE,   /* 2 of 3 beyond 2/3 of the way to a limit */
    M_SPC_RUN,            /* part of 7 points on one side of the centre */
};

/* "common_cause", "outside_limits", "trend", "two_of_three", "run"; NULL
 * for an unknown value. Static, do not free. */
const char *m_spc_signal_name(enum m_spc_signal signal);

struct m_spc_point {
    enum m_spc_signal signal; /* highest-precedence rule the point meets */
    int direction;            /* +1 above / increasing, -1 below /
                                 decreasing, 0 for common cause */
};

struct m_spc_chart {
    double centre;            /* mean of the baseline points */
    double mean_moving_range; /* after screening, if asked */
    double lower;             /* centre -/+ 2.66 x mean moving range */
    double upper;
    double near_lower; /* centre -/+ (2/3) x 2.66 x mean moving range */
    double near_upper;
    size_t n_baseline; /* points used for centre and limits */
    size_t n_ranges;   /* moving ranges kept after screening */
};

/* XmR chart of y[0..k-1] (finite, k >= 2) as NHS-R NHSRplotthedots
 * computes it.  fix_after_n > 0 bases centre and limits on the first
 * fix_after_n points only (0: all points; must leave at least 2).
 * screen_outliers drops moving ranges at or above 3.267 x their mean
 * before recomputing the mean (NHSRplotthedots' default: true).  points
 * has room for k entries; it is left untouched on error.  Callers handle
 * rebasing by calling once per segment. */
enum m_status m_spc_xmr(const double *y, size_t k, size_t fix_after_n, bool screen_outliers,
                        struct m_spc_chart *chart, struct m_spc_point *points);

/* ---- weights ---------------------------------------------------------- */

/* Kish effective sample size (sum w)^2 / sum w^2 of weights w[0..k-1]
 * (finite, >= 0, not all 0). */
enum m_status m_kish_neff(const double *w, size_t k, double *n_eff);

/* Weighted proportion sum(w*y)/sum(w) of indicators y[i] in [0, 1] with its
 * Kish effective sample size; pass x = p_w * n_eff and n = n_eff to an
 * interval. */
enum m_status m_weighted_prop(const double *w, const double *y, size_t k, double *p_w,
                              double *n_eff);

#endif /* CANDOUR_METHODS_H */
