/* The report's charts, drawn by gnuplot (gnuplot.h) as PNG and SVG into
 * OUTDIR:
 *
 *   funnel-ITEM    each key item against the trust's benchmarking group
 *                  (benchmarks.csv; --all: every org against ALL)
 *   trend          the trust's key items over the periods, with intervals
 *   forest         BME / White ratios of the key items and the WRES
 *                  relative likelihoods, log scale, 0.80-1.25 shaded
 *   heatmap-directorate, heatmap-team
 *                  unit x item % positive, suppressed cells hatched
 *   spc-ITEM       XmR charts of spc.csv series (monthly HR data, 12+
 *                  survey periods), Making Data Count style
 *
 * File names come from constants and the fixed list of item ids below,
 * never from the data.  Only rows whose `suppressed` is `no` give a figure;
 * a suppressed cell is shown as suppressed or left out with a note.
 *
 * Colours are the Okabe-Ito palette (Okabe and Ito 2008, "Color Universal
 * Design"), safe for the common colour-vision deficiencies, and every
 * series also differs by point shape or dash type so that a greyscale
 * print still tells them apart; the heatmap uses a cividis-like palette
 * (Nunez, Anderton and Renslow 2018), whose lightness rises monotonically. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "csvout.h"
#include "format.h"
#include "gnuplot.h"
#include "methods.h"
#include "period.h"
#include "report.h"
#include "resolve.h"
#include "text.h"

#define NO_COLUMN ((size_t)-1)
#define LABEL_MAX 40        /* characters of a unit or org name on a chart */
#define TITLE_PART_MAX 60   /* characters of a group name in a title */
#define HEATMAP_MAX_ROWS 60 /* more units than this are not readable */
#define SPC_MAX_PANELS 6
#define FUNNEL_GRID 240 /* sample sizes the limit curves are drawn through */
#define MAX_PERIODS 200 /* on the trend chart, back from the charted period */

/* Okabe-Ito colours. */
#define C_BLACK "#000000"
#define C_ORANGE "#E69F00"
#define C_GREEN "#009E73"
#define C_BLUE "#0072B2"
#define C_VERMILLION "#D55E00"
#define C_PURPLE "#CC79A7"
#define C_GREY "#808080"

#define FONT "'DejaVu Sans,10'"

enum family { SPEAKING_UP, JUST_CULTURE };

struct key_item {
    const char *id;
    const char *label;       /* for titles */
    const char *short_label; /* for tics */
    enum family family;
};

/* The just-culture and speaking-up items of a board report: the stable item
 * ids the shipped respondent schemas (schemas/nss*.schema) map each year's
 * question codes to. */
static const struct key_item key_items[] = {
    {"unsafe_secure", "Secure raising concerns about unsafe clinical practice",
     "Unsafe practice: secure to raise", SPEAKING_UP},
    {"unsafe_confident", "Confident the organisation would address a concern about unsafe practice",
     "Unsafe practice: would be addressed", SPEAKING_UP},
    {"speakup_safe", "Feel safe to speak up about anything that concerns me",
     "Speaking up: feel safe", SPEAKING_UP},
    {"speakup_confident", "Confident the organisation would address a concern I spoke up about",
     "Speaking up: would be addressed", SPEAKING_UP},
    {"incident_fair", "Staff involved in errors, near misses or incidents are treated fairly",
     "Incidents: staff treated fairly", JUST_CULTURE},
    {"incident_report_encouraged", "Encouraged to report errors, near misses or incidents",
     "Incidents: encouraged to report", JUST_CULTURE},
    {"incident_action", "Action is taken so that reported incidents do not happen again",
     "Incidents: action taken", JUST_CULTURE},
    {"incident_feedback", "Feedback given on changes made after reported incidents",
     "Incidents: feedback given", JUST_CULTURE},
};

static const char *const family_names[] = {"Speaking up", "Just culture"};

/* Series styles: colour, point type, dash type (4 series a panel). */
static const char *const series_colour[] = {C_BLUE, C_VERMILLION, C_GREEN, C_PURPLE};
static const int series_point[] = {7, 5, 9, 13};
static const int series_dash[] = {1, 2, 4, 5};

struct charts {
    const struct report_options *opt;
    const struct results *r;
    const struct run *run; /* the org, period and rows, shared with the text */
    const char *period;    /* survey period charted (run->period) */
    bool io_error, data_error, chart_error;
};

/* ---- reading the tables ----------------------------------------------- */

static const char *cell(const struct csv_table *t, size_t row, size_t column)
{
    return column == NO_COLUMN ? "" : t->rows[row][column];
}

static bool same_period(const char *a, const char *b)
{
    struct period pa, pb;
    if (period_parse(a, strlen(a), &pa) && period_parse(b, strlen(b), &pb))
        return period_compare(&pa, &pb) == 0;
    return strcmp(a, b) == 0;
}

/* The number in a cell of a shown row.  A blank or malformed value there
 * is bad results: reported once per table and column. */
static bool number(struct charts *c, const struct csv_table *t, size_t row, size_t column,
                   double *out)
{
    const char *s = cell(t, row, column);
    if (*s && parse_double(s, strlen(s), out))
        return true;
    if (!c->data_error)
        fprintf(stderr, "candour-report: %s: data row %zu: column '%s' is not a number\n", t->path,
                row + 1, column == NO_COLUMN ? "?" : t->header[column]);
    c->data_error = true;
    return false;
}

/* The number in a cell that may be blank: NaN when blank or malformed. */
static double number_or_nan(const struct csv_table *t, size_t row, size_t column)
{
    const char *s = cell(t, row, column);
    double v;
    return *s && parse_double(s, strlen(s), &v) ? v : NAN;
}

static const struct key_item *find_key_item(const char *id)
{
    for (size_t i = 0; i < ARRAY_LEN(key_items); i++)
        if (strcmp(key_items[i].id, id) == 0)
            return &key_items[i];
    return NULL;
}

static void note(const char *chart, const char *fmt, const char *arg)
{
    fprintf(stderr, "candour-report: %s: not drawn: ", chart);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
}

/* An org code quoted for a message. */
static char *quoted(const char *s)
{
    struct buf b;
    buf_init(&b);
    text_quote_for_message(s, strlen(s), 60, &b);
    return b.data;
}

/* ---- a chart and its drawing ------------------------------------------ */

struct chart {
    char *stem; /* file name without extension: constants and item ids only */
    int width, height;
    struct buf data; /* data blocks */
    struct buf body; /* commands, sent once per output format */
};

static void chart_init(struct chart *ch, char *stem, int width, int height)
{
    ch->stem = stem;
    ch->width = width;
    ch->height = height;
    buf_init(&ch->data);
    buf_init(&ch->body);
    buf_puts(&ch->body, "reset\nset encoding utf8\nset termoption noenhanced\n");
}

static void chart_release(struct chart *ch)
{
    free(ch->stem);
    buf_release(&ch->data);
    buf_release(&ch->body);
}

/* Did gnuplot write an image to path: the PNG signature, or the start of
 * an SVG document? */
static bool image_written(const char *path, bool png)
{
    static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    unsigned char head[8];
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t len = fread(head, 1, sizeof(head), f);
    fclose(f);
    if (len != sizeof(head))
        return false;
    return png ? memcmp(head, png_signature, sizeof(head)) == 0
               : memcmp(head, "<?xml", 5) == 0 || memcmp(head, "<svg", 4) == 0;
}

/* Draw ch as OUTDIR/STEM.png and .svg through one gnuplot process.  Each
 * file is drawn under a temporary name in OUTDIR and handed to
 * c->opt->outputs (renamed into place at the end of the run) only when
 * gnuplot succeeded without a word on stderr. */
static void chart_draw(struct charts *c, struct chart *ch)
{
    static const char *const extensions[] = {"png", "svg"};
    static const char *const terminals[] = {
        "pngcairo size %d,%d font " FONT " noenhanced background rgb 'white'\n",
        "svg size %d,%d font " FONT " noenhanced background rgb 'white'\n",
    };
    struct atomic_file files[2];
    size_t opened = 0;
    struct buf err, script;
    buf_init(&err);
    buf_init(&script);
    for (; opened < 2; opened++) {
        char *path = xasprintf("%s/%s.%s", c->opt->output_dir, ch->stem, extensions[opened]);
        bool ok = atomic_open(&files[opened], path, 0644, &err);
        free(path);
        if (!ok) {
            fprintf(stderr, "candour-report: %s\n", err.data);
            c->io_error = true;
            goto out_abort;
        }
    }
    buf_puts(&script, "set encoding utf8\n");
    buf_append(&script, ch->data.data, ch->data.len);
    for (size_t i = 0; i < 2; i++) {
        buf_puts(&script, "set terminal ");
        buf_printf(&script, terminals[i], ch->width, ch->height);
        buf_puts(&script, "set output ");
        if (!gp_put_path(&script, files[i].temp_path ? files[i].temp_path : files[i].final_path)) {
            fprintf(stderr,
                    "candour-report: %s: the output directory's name has a control character: "
                    "charts not drawn\n",
                    ch->stem);
            c->io_error = true;
            goto out_abort;
        }
        buf_puts(&script, "\n");
        buf_append(&script, ch->body.data, ch->body.len);
        buf_puts(&script, "unset output\n");
    }
    struct gnuplot gp;
    if (!gnuplot_open(&gp, &err) || !gnuplot_run(&gp, script.data, script.len, &err)) {
        fprintf(stderr, "candour-report: chart '%s': %s\n", ch->stem, err.data);
        c->chart_error = true;
        goto out_abort;
    }
    for (size_t i = 0; i < 2; i++) {
        if (!image_written(files[i].temp_path ? files[i].temp_path : files[i].final_path, i == 0)) {
            fprintf(stderr, "candour-report: chart '%s': gnuplot wrote no %s image\n", ch->stem,
                    i == 0 ? "PNG" : "SVG");
            c->chart_error = true;
            goto out_abort;
        }
    }
    for (size_t i = 0; i < 2; i++)
        outputs_add(c->opt->outputs, &files[i]);
    opened = 0;
out_abort:
    for (size_t i = 0; i < opened; i++)
        atomic_abort(&files[i]);
    buf_release(&err);
    buf_release(&script);
}

/* `set title` (or any text setting) from lines of composed text: each line
 * a single-quoted literal, joined with newlines. */
static void put_lines(struct buf *b, const char *const *lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_puts(b, " . \"\\n\" . ");
        gp_put_string(b, lines[i]);
    }
}

/* Footnotes at the bottom left of the canvas, one label each. */
static void put_footnotes(struct buf *b, int first_tag, const char *const *lines, size_t n,
                          int height)
{
    for (size_t i = 0; i < n; i++) {
        double y = (14.0 + 15.0 * (double)(n - 1 - i)) / height;
        buf_printf(b, "set label %d ", first_tag + (int)i);
        gp_put_string(b, lines[i]);
        buf_printf(b, " at screen 0.01, screen %.4f left front\n", y);
    }
}

/* Why a cell is not shown, from its `suppressed` value; caller frees. */
static char *suppression_reason(const char *state, long min_n)
{
    if (strcmp(state, SUPPRESSED_PRIMARY) == 0)
        return xasprintf("fewer than %ld respondents", min_n);
    if (strcmp(state, SUPPRESSED_SECONDARY) == 0)
        return xasprintf("protects a cell of fewer than %ld", min_n);
    return xstrdup("disclosure control");
}

static char *label_text(const char *text, size_t max_chars)
{
    struct buf b;
    buf_init(&b);
    gp_label_text(&b, text, max_chars);
    return b.data ? b.data : xstrdup("");
}

static double round_down(double v, double step)
{
    return floor(v / step) * step;
}

static double round_up(double v, double step)
{
    return ceil(v / step) * step;
}

/* A percentage axis range around [lo, hi], padded and on multiples of 5. */
static void percent_range(double lo, double hi, double *out_lo, double *out_hi)
{
    double pad = fmax(2.0, 0.08 * (hi - lo));
    *out_lo = fmax(0.0, round_down(lo - pad, 5.0));
    *out_hi = fmin(100.0, round_up(hi + pad, 5.0));
    if (*out_hi - *out_lo < 10.0) {
        if (*out_hi < 100.0)
            *out_hi = fmin(100.0, *out_lo + 10.0);
        else
            *out_lo = 90.0;
    }
}

static const char *measure_axis(const char *measure)
{
    return strcmp(measure, "experiencing") == 0 ? "% experiencing (lower is better)"
                                                : "% positive (higher is better)";
}

/* ---- funnel plots ------------------------------------------------------ */

struct funnel_org {
    const char *org;
    const char *state; /* the suppressed column */
    bool shown;
    double n, pct;
    double limits[4]; /* lower95, upper95, lower998, upper998 as written */
};

/* Limits for a sample size n as candour-stats computes them for the
 * comparison's model (benchmarks.csv "Methods"). */
static bool funnel_limits(const char *model, double target, double tau2, double n, double level,
                          struct m_interval *out)
{
    if (strcmp(model, "binomial") == 0)
        return m_funnel_binomial(target, round(n), level, out) == M_OK;
    if (strcmp(model, "random-effects") == 0)
        return m_od_limits(target, tau2, n, level, out) == M_OK;
    if (strcmp(model, "arcsine-normal") == 0)
        return m_od_limits(target, 0.0, n, level, out) == M_OK;
    return false;
}

static void chart_funnel(struct charts *c, const struct key_item *item)
{
    const struct csv_table *t = &c->r->benchmarks;
    size_t c_item = csv_table_column(t, "item"), c_dim = csv_table_column(t, "group_dim"),
           c_group = csv_table_column(t, "group"), c_org = csv_table_column(t, "org"),
           c_n = csv_table_column(t, "n"), c_est = csv_table_column(t, "estimate"),
           c_target = csv_table_column(t, "target"), c_model = csv_table_column(t, "model"),
           c_bench = csv_table_column(t, "benchmark"), c_supp = csv_table_column(t, "suppressed"),
           c_tau2 = csv_table_column(t, "tau2"), c_weighted = csv_table_column(t, "weighted"),
           c_measure = csv_table_column(t, "measure"),
           c_limits[4] = {csv_table_column(t, "lower95"), csv_table_column(t, "upper95"),
                          csv_table_column(t, "lower998"), csv_table_column(t, "upper998")};
    const bool national = c->opt->all;
    const struct view *rows = &c->run->bench_period;
    char *stem = xasprintf("funnel-%s", item->id);
    const char *bench = NULL;
    bool asked = false;
    for (size_t i = 0; i < rows->n; i++) {
        size_t r = rows->rows[i];
        if (strcmp(cell(t, r, c_item), item->id) != 0 || strcmp(cell(t, r, c_dim), "all") != 0 ||
            strcmp(cell(t, r, c_group), "all") != 0 || strcmp(cell(t, r, c_weighted), "yes") == 0)
            continue;
        asked = true;
        if (!national && strcmp(cell(t, r, c_org), c->run->org) == 0 &&
            strcmp(cell(t, r, c_bench), c->run->benchmark) == 0)
            bench = c->run->benchmark;
    }
    if (!asked) { /* not asked in this period */
        free(stem);
        return;
    }
    if (!bench)
        bench = SCOPE_ALL_ORGS;

    struct funnel_org *orgs = NULL, *trust = NULL;
    size_t n_orgs = 0, cap = 0, n_hidden = 0, n_visible = 0;
    double target = NAN, tau2 = 0.0, n_min = INFINITY, n_max = 0.0;
    const char *model = "", *measure = "positive";
    for (size_t i = 0; i < rows->n; i++) {
        size_t r = rows->rows[i];
        if (strcmp(cell(t, r, c_item), item->id) != 0 || strcmp(cell(t, r, c_dim), "all") != 0 ||
            strcmp(cell(t, r, c_group), "all") != 0 || strcmp(cell(t, r, c_weighted), "yes") == 0 ||
            strcmp(cell(t, r, c_bench), bench) != 0)
            continue;
        if (isnan(target) && *cell(t, r, c_target)) {
            if (!number(c, t, r, c_target, &target))
                goto out_free;
            model = cell(t, r, c_model);
            measure = cell(t, r, c_measure);
            tau2 = number_or_nan(t, r, c_tau2);
            if (!isfinite(tau2))
                tau2 = 0.0;
        }
        xgrow(&orgs, &cap, n_orgs + 1, sizeof(*orgs));
        struct funnel_org *o = &orgs[n_orgs++];
        memset(o, 0, sizeof(*o));
        o->org = cell(t, r, c_org);
        o->state = cell(t, r, c_supp);
        if (row_shown(t, r)) {
            double estimate;
            if (!number(c, t, r, c_n, &o->n) || !number(c, t, r, c_est, &estimate))
                goto out_free;
            for (int k = 0; k < 4; k++)
                if (!number(c, t, r, c_limits[k], &o->limits[k]))
                    goto out_free;
            o->shown = true;
            o->pct = 100.0 * estimate;
            n_visible++;
            n_min = fmin(n_min, o->n);
            n_max = fmax(n_max, o->n);
        } else {
            n_hidden++;
        }
    }
    if (!national) {
        for (size_t i = 0; i < n_orgs; i++)
            if (strcmp(orgs[i].org, c->run->org) == 0)
                trust = &orgs[i];
        if (!trust) {
            char *org = quoted(c->opt->org);
            note(stem, "no result for %s in benchmarks.csv", org);
            free(org);
            goto out_free;
        }
    }
    if (isnan(target)) {
        char *b = quoted(bench);
        note(stem, "the pooled figure of %s is suppressed", b);
        free(b);
        goto out_free;
    }
    /* The curves must pass through the limits the table gives each org:
     * the chart and benchmarks.csv tell the same story. */
    for (size_t i = 0; i < n_orgs; i++) {
        struct m_interval l95, l998;
        if (!orgs[i].shown)
            continue;
        if (!funnel_limits(model, target, tau2, orgs[i].n, 0.95, &l95) ||
            !funnel_limits(model, target, tau2, orgs[i].n, 0.998, &l998) ||
            fabs(l95.lower - orgs[i].limits[0]) > 1e-9 ||
            fabs(l95.upper - orgs[i].limits[1]) > 1e-9 ||
            fabs(l998.lower - orgs[i].limits[2]) > 1e-9 ||
            fabs(l998.upper - orgs[i].limits[3]) > 1e-9) {
            char *org = quoted(orgs[i].org);
            note(stem, "the control limits of %s in benchmarks.csv are not those of its model",
                 org);
            free(org);
            c->data_error = true;
            goto out_free;
        }
    }
    long min_n = c->run->min_n;
    double n_start = fmax(1.0, (double)min_n);
    double x_max = n_visible ? n_max * 1.08 : n_start * 20.0;
    if (x_max <= n_start * 2)
        x_max = n_start * 2;

    struct chart ch;
    chart_init(&ch, stem, 960, 640);
    stem = NULL;
    struct buf *d = &ch.data, *b = &ch.body;

    /* Limit curves through a geometric grid of whole sample sizes. */
    gp_block_begin(d, "limits");
    double last_n = 0.0;
    bool limits_ok = true;
    for (int k = 0; k <= FUNNEL_GRID; k++) {
        double n = round(n_start * pow(x_max / n_start, (double)k / FUNNEL_GRID));
        if (n <= last_n)
            continue;
        last_n = n;
        struct m_interval l95, l998;
        if (!funnel_limits(model, target, tau2, n, 0.95, &l95) ||
            !funnel_limits(model, target, tau2, n, 0.998, &l998)) {
            limits_ok = false;
            break;
        }
        double row[] = {
            n, 100 * l95.lower, 100 * l95.upper, 100 * l998.lower, 100 * l998.upper, 100 * target};
        gp_block_row(d, ARRAY_LEN(row), row);
    }
    gp_block_end(d);
    if (!limits_ok) {
        char *m = quoted(model);
        note(ch.stem, "cannot compute control limits for the model %s", m);
        free(m);
        c->data_error = true;
        chart_release(&ch);
        goto out_free;
    }

    /* The y range: every shown org, and the 99.8% limits from half the
     * smallest shown org's n (the narrow end is what the eye reads). */
    double y_lo = 100 * target, y_hi = 100 * target;
    size_t n_others = 0;
    for (size_t i = 0; i < n_orgs; i++) {
        if (!orgs[i].shown)
            continue;
        y_lo = fmin(y_lo, orgs[i].pct);
        y_hi = fmax(y_hi, orgs[i].pct);
        if (&orgs[i] != trust)
            n_others++;
    }
    struct m_interval wide;
    double n_ref = fmax(n_start, n_visible ? round(n_min / 2) : n_start);
    if (funnel_limits(model, target, tau2, n_ref, 0.998, &wide)) {
        y_lo = fmin(y_lo, 100 * wide.lower);
        y_hi = fmax(y_hi, 100 * wide.upper);
    }
    percent_range(y_lo, y_hi, &y_lo, &y_hi);

    if (n_others) {
        gp_block_begin(d, "orgs");
        for (size_t i = 0; i < n_orgs; i++)
            if (orgs[i].shown && &orgs[i] != trust)
                gp_block_row(d, 2, (double[]){orgs[i].n, orgs[i].pct});
        gp_block_end(d);
    }
    if (trust && trust->shown) {
        gp_block_begin(d, "trust");
        gp_block_row(d, 2, (double[]){trust->n, trust->pct});
        gp_block_end(d);
    }
    /* the target as one straight segment (through the grid, hundreds of
     * tiny segments at the narrow end render unevenly) */
    gp_block_begin(d, "target");
    gp_block_row(d, 2, (double[]){n_start, 100 * target});
    gp_block_row(d, 2, (double[]){x_max, 100 * target});
    gp_block_end(d);

    bool is_group = is_group_scope(bench);
    char *bench_name =
        label_text(is_group ? bench + SCOPE_GROUP_PREFIX_LEN : bench, TITLE_PART_MAX);
    char *bench_label = is_group ? xasprintf("benchmarking group '%s'", bench_name)
                                 : xasprintf("all orgs (%s)", bench_name);
    free(bench_name);
    char *org_label = national ? NULL : label_text(c->opt->org, LABEL_MAX);
    char *period_label = label_text(c->period, 20);
    char *line1 = xasprintf("%s", item->label);
    char *line2 = national ? xasprintf("National funnel plot, %s", period_label)
                           : xasprintf("%s, %s", org_label, period_label);
    char *line3 = national ? xasprintf("Every org against all orgs (%zu orgs)", n_orgs)
                           : xasprintf("Against %s (%zu orgs)", bench_label, n_orgs);
    const char *title[] = {line1, line2, line3};
    buf_puts(b, "set title ");
    put_lines(b, title, 3);
    buf_puts(b, " font ',12'\n");
    buf_printf(b,
               "set xlabel 'Staff who answered the question (n, respondents)'\n"
               "set ylabel '%s'\n",
               measure_axis(measure));
    buf_printf(b, "set xrange [0:%.6g]\nset yrange [%.6g:%.6g]\n", x_max, y_lo, y_hi);
    buf_puts(b, "set grid lc rgb '#e5e5e5' lt 1\nset border 3\nset tics nomirror\n"
                "set key outside right top vertical Left reverse spacing 1.3 samplen 3\n"
                "set bmargin 9\n");
    if (trust && trust->shown) {
        /* labelled beside the point (on its left in the right half),
         * nudged away from the target line; no opaque box, which would
         * hide a limit line */
        bool left = trust->n > 0.55 * x_max;
        char *text = xasprintf("%s: %.1f%%", org_label, trust->pct);
        buf_puts(b, "set label 1 ");
        gp_put_string(b, text);
        buf_printf(b,
                   " at first %.10g, first %.10g offset char %s, char %s %s front "
                   "textcolor rgb '" C_VERMILLION "'\n",
                   trust->n, trust->pct, left ? "-1.5" : "1.5",
                   trust->pct < 100 * target ? "-0.4" : "0.4", left ? "right" : "left");
        free(text);
    }
    char *foot0 = xasprintf("Target: pooled value of %s, %.1f%%.", bench_label, 100 * target);
    char *foot1 = xasprintf("Control limits at 95%% and 99.8%%: %s.",
                            strcmp(model, "random-effects") == 0
                                ? "random-effects (overdispersion, Spiegelhalter 2005)"
                            : strcmp(model, "binomial") == 0 ? "exact binomial (Spiegelhalter 2005)"
                                                             : model);
    char *reason = trust && !trust->shown ? suppression_reason(trust->state, min_n) : NULL;
    char *foot2 = reason ? xasprintf("%s: suppressed (%s), not plotted.%s", org_label, reason,
                                     n_hidden > 1 ? " Nor are the other suppressed orgs." : "")
                  : n_hidden
                      ? xasprintf("%zu of %zu orgs suppressed (disclosure control, threshold %ld "
                                  "respondents), not plotted.",
                                  n_hidden, n_orgs, min_n)
                      : xasprintf("No org is suppressed (threshold: %ld respondents).", min_n);
    free(reason);
    const char *foot[] = {foot0, foot1, foot2};
    put_footnotes(b, 10, foot, 3, ch.height);

    buf_puts(b,
             "plot $limits using 1:4 with lines lc rgb '" C_BLACK
             "' dt (3,4) lw 1.5 title '99.8% limits', "
             "$limits using 1:5 with lines lc rgb '" C_BLACK "' dt (3,4) lw 1.5 notitle, "
             "$limits using 1:2 with lines lc rgb '" C_BLUE "' dt (10,5) lw 2 title '95% limits', "
             "$limits using 1:3 with lines lc rgb '" C_BLUE "' dt (10,5) lw 2 notitle, "
             "$target using 1:2 with lines lc rgb '" C_BLACK "' dt 1 lw 2 title 'target'");
    if (n_others)
        buf_printf(b, ", $orgs using 1:2 with points pt 7 ps 1.3 lc rgb '%s' title '%s'",
                   national ? C_BLUE : C_GREY, national ? "orgs" : "other orgs");
    if (trust && trust->shown) {
        buf_puts(b, ", $trust using 1:2 with points pt 13 ps 2.6 lc rgb '" C_VERMILLION "' title ");
        gp_put_string(b, org_label);
    }
    buf_puts(b, "\n");
    chart_draw(c, &ch);
    chart_release(&ch);
    free(bench_label);
    free(org_label);
    free(period_label);
    free(line1);
    free(line2);
    free(line3);
    free(foot0);
    free(foot1);
    free(foot2);
out_free:
    free(stem);
    free(orgs);
}

/* ---- trend ------------------------------------------------------------- */

enum cell_state { CELL_NONE = 0, CELL_SHOWN, CELL_SUPPRESSED };

struct value {
    enum cell_state state;
    double pct, lo, hi;
};

static int compare_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static void chart_trend(struct charts *c)
{
    const struct csv_table *t = &c->r->proportions;
    size_t c_period = csv_table_column(t, "period"), c_item = csv_table_column(t, "item"),
           c_dim = csv_table_column(t, "group_dim"), c_group = csv_table_column(t, "group"),
           c_est = csv_table_column(t, "estimate"), c_lo = csv_table_column(t, "ci_lower"),
           c_hi = csv_table_column(t, "ci_upper"), c_measure = csv_table_column(t, "measure"),
           c_method = csv_table_column(t, "method"), c_conf = csv_table_column(t, "conf_level");
    struct period last;
    if (!period_parse(c->period, strlen(c->period), &last))
        return;
    long periods[MAX_PERIODS];
    size_t n_periods = 0;
    enum { N_ITEMS = ARRAY_LEN(key_items) };
    struct value(*values)[MAX_PERIODS] = xcalloc(N_ITEMS, sizeof(*values));
    double conf = NAN;
    const char *measure = "positive", *method = "";
    /* Pass 1: the periods up to the charted one, at most MAX_PERIODS back;
     * pass 2: the values. */
    long last_ord = period_ordinal(&last);
    const struct view *rows = &c->run->prop_org;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < rows->n; i++) {
            size_t r = rows->rows[i];
            const char *p = cell(t, r, c_period);
            struct period per;
            const struct key_item *item = find_key_item(cell(t, r, c_item));
            if (!item || strcmp(cell(t, r, c_dim), "all") != 0 ||
                strcmp(cell(t, r, c_group), "all") != 0 || !period_parse(p, strlen(p), &per) ||
                per.kind != last.kind || period_ordinal(&per) > last_ord ||
                period_ordinal(&per) <= last_ord - MAX_PERIODS)
                continue;
            long ord = period_ordinal(&per);
            if (pass == 0) {
                bool seen = false;
                for (size_t k = 0; k < n_periods && !seen; k++)
                    seen = periods[k] == ord;
                if (!seen)
                    periods[n_periods++] = ord;
                continue;
            }
            size_t pi = 0;
            while (pi < n_periods && periods[pi] != ord)
                pi++;
            if (pi == n_periods)
                continue;
            struct value *v = &values[item - key_items][pi];
            if (!row_shown(t, r)) {
                v->state = CELL_SUPPRESSED;
                continue;
            }
            double est, lo, hi;
            if (!number(c, t, r, c_est, &est) || !number(c, t, r, c_lo, &lo) ||
                !number(c, t, r, c_hi, &hi))
                continue;
            *v = (struct value){CELL_SHOWN, 100 * est, 100 * lo, 100 * hi};
            if (isnan(conf))
                conf = number_or_nan(t, r, c_conf);
            measure = cell(t, r, c_measure);
            method = cell(t, r, c_method);
        }
        if (pass == 0)
            qsort(periods, n_periods, sizeof(*periods), compare_long);
    }
    if (n_periods == 0) {
        free(values);
        return;
    }
    if (isnan(conf))
        conf = 0.95;

    struct chart ch;
    chart_init(&ch, xstrdup("trend"), 1200, 620);
    struct buf *d = &ch.data, *b = &ch.body;
    bool any_suppressed = false, family_present[2] = {false, false};
    double y_lo = 100, y_hi = 0;
    for (size_t i = 0; i < N_ITEMS; i++) {
        bool present = false;
        for (size_t p = 0; p < n_periods; p++) {
            if (values[i][p].state == CELL_SHOWN) {
                present = true;
                y_lo = fmin(y_lo, values[i][p].lo);
                y_hi = fmax(y_hi, values[i][p].hi);
            } else if (values[i][p].state == CELL_SUPPRESSED) {
                any_suppressed = true;
                family_present[key_items[i].family] = true;
            }
        }
        if (!present)
            continue;
        family_present[key_items[i].family] = true;
        char name[64];
        snprintf(name, sizeof(name), "trend%zu", i);
        gp_block_begin(d, name);
        for (size_t p = 0; p < n_periods; p++) {
            const struct value *v = &values[i][p];
            if (p && periods[p] != periods[p - 1] + 1)
                gp_block_break(d); /* a period without results: no line across it */
            if (v->state == CELL_SHOWN)
                gp_block_row(d, 4, (double[]){(double)periods[p], v->pct, v->lo, v->hi});
            else
                gp_block_break(d);
        }
        gp_block_end(d);
    }
    if (y_lo > y_hi) {
        y_lo = 0;
        y_hi = 100;
    } else {
        percent_range(y_lo, y_hi, &y_lo, &y_hi);
    }
    char *org_label = label_text(c->opt->org, LABEL_MAX);
    char *first = xmalloc(PERIOD_TEXT_MAX), *lastp = xmalloc(PERIOD_TEXT_MAX);
    struct period pf = period_from_ordinal(last.kind, periods[0]);
    period_format(&pf, first);
    pf = period_from_ordinal(last.kind, periods[n_periods - 1]);
    period_format(&pf, lastp);
    char *line1 = xasprintf("%s: just culture and speaking up, %s to %s", org_label, first, lastp);
    const struct m_prop_method_names *names = m_prop_method_find(method);
    char *line2 =
        xasprintf("Lines: %% of staff answering positively; shaded: %.0f%% confidence "
                  "interval%s%s%s",
                  100 * conf, names ? " (" : "", names ? names->label : "", names ? ")" : "");
    const char *title[] = {line1, line2};
    int panels = family_present[0] + family_present[1];
    buf_printf(b, "set multiplot layout 1,%d title ", panels ? panels : 1);
    put_lines(b, title, 2);
    buf_puts(b, " font ',12'\n");
    double x0 = (double)periods[0], x1 = (double)periods[n_periods - 1];
    if (x0 == x1) {
        x0 -= 1;
        x1 += 1;
    }
    double pad = 0.08 * (x1 - x0);
    buf_printf(b, "set xrange [%.6g:%.6g]\nset yrange [%.6g:%.6g]\n", x0 - pad, x1 + pad, y_lo,
               y_hi);
    buf_puts(b, "set xtics (");
    long span = periods[n_periods - 1] - periods[0] + 1, step = span > 12 ? (span + 11) / 12 : 1;
    for (long ord = periods[0]; ord <= periods[n_periods - 1]; ord += step) {
        char text[PERIOD_TEXT_MAX];
        struct period pp = period_from_ordinal(last.kind, ord);
        period_format(&pp, text);
        buf_printf(b, "%s", ord != periods[0] ? ", " : "");
        gp_put_string(b, text);
        buf_printf(b, " %ld", ord);
    }
    buf_puts(b, ") nomirror\n");
    buf_printf(b, "set xlabel 'Survey period (%s)'\nset ylabel '%s'\n", period_kind_name(last.kind),
               measure_axis(measure));
    buf_puts(b, "set grid lc rgb '#e5e5e5' lt 1\nset border 3\nset ytics nomirror\n"
                "set key below vertical maxcols 1 Left reverse samplen 4 spacing 1.15\n"
                "set bmargin 12\n");
    if (any_suppressed) {
        char *foot = xasprintf("Gaps: suppressed (fewer than %ld respondents, or protecting "
                               "such a cell).",
                               c->run->min_n);
        const char *foot_lines[] = {foot};
        put_footnotes(b, 10, foot_lines, 1, ch.height);
        free(foot);
    }
    bool first_panel = true;
    for (int f = 0; f < 2; f++) {
        if (!family_present[f] && panels)
            continue;
        struct buf clauses;
        buf_init(&clauses);
        size_t k = 0;
        for (size_t i = 0; i < N_ITEMS; i++) {
            if ((int)key_items[i].family != f)
                continue;
            bool present = false;
            for (size_t p = 0; p < n_periods; p++)
                present |= values[i][p].state == CELL_SHOWN;
            if (present) {
                buf_printf(&clauses,
                           "%s$trend%zu using 1:3:4 with filledcurves fc rgb '%s' fs transparent "
                           "solid 0.14 noborder notitle, $trend%zu using 1:2 with linespoints "
                           "lc rgb '%s' dt %d pt %d ps 1.5 lw 2 title ",
                           clauses.len ? ", " : "", i, series_colour[k % 4], i,
                           series_colour[k % 4], series_dash[k % 4], series_point[k % 4]);
                gp_put_string(&clauses, key_items[i].short_label);
            }
            k++;
        }
        buf_puts(b, "set title ");
        gp_put_string(b, family_names[f]);
        buf_puts(b, "\n");
        if (clauses.len) {
            buf_printf(b,
                       "plot %s, keyentry with filledcurves fc rgb '%s' fs transparent solid "
                       "0.3 noborder title '%.0f%% confidence interval'\n",
                       clauses.data, C_GREY, 100 * conf);
        } else {
            /* nothing to draw: say so in the empty panel */
            buf_puts(b, "set label 20 'Every figure is suppressed' at graph 0.5, graph 0.5 "
                        "center front\nplot -1e9 notitle\nunset label 20\n");
        }
        buf_release(&clauses);
        if (first_panel) /* the footnote, drawn once */
            buf_puts(b, "unset label 10\n");
        first_panel = false;
        if (!panels)
            break;
    }
    buf_puts(b, "unset multiplot\n");
    chart_draw(c, &ch);
    chart_release(&ch);
    free(org_label);
    free(first);
    free(lastp);
    free(line1);
    free(line2);
    free(values);
}

/* ---- forest plot of disparities and WRES indicators -------------------- */

struct forest_row {
    const char *label; /* constant text */
    int kind;          /* 0 heading, 1 survey ratio, 2 WRES relative likelihood */
    bool has_est, has_ci;
    double est, lo, hi;
    char *value_text; /* right-hand column; owned */
};

static const struct {
    int indicator;
    const char *label;
} wres_labels[] = {
    {3, "WRES 3: entering the formal disciplinary process"},
    {5, "WRES 5: harassment, bullying or abuse from the public"},
    {6, "WRES 6: harassment, bullying or abuse from staff"},
    {7, "WRES 7: believe career progression is fair"},
    {8, "WRES 8: discrimination from manager or colleagues"},
};

static char *ratio_text(const struct forest_row *row, const char *adverse)
{
    char *side = *adverse ? xasprintf("; adverse if %s", adverse) : xstrdup("");
    char *text;
    if (row->has_est)
        text = xasprintf("%.2f (%.2f to %.2f)%s", row->est, row->lo, row->hi, side);
    else
        text = xasprintf("no ratio (no events on either side)%s", side);
    free(side);
    return text;
}

static void chart_forest(struct charts *c)
{
    const struct csv_table *dt = &c->r->disparities, *wt = &c->r->wres;
    struct forest_row rows[ARRAY_LEN(key_items) + ARRAY_LEN(wres_labels) + 2];
    size_t n_rows = 0;
    double conf = NAN;
    memset(rows, 0, sizeof(rows));

    size_t d_item = csv_table_column(dt, "item"), d_dim = csv_table_column(dt, "group_dim"),
           d_group = csv_table_column(dt, "group"), d_ref = csv_table_column(dt, "reference"),
           d_ratio = csv_table_column(dt, "ratio"), d_lo = csv_table_column(dt, "ratio_lower"),
           d_hi = csv_table_column(dt, "ratio_upper"), d_supp = csv_table_column(dt, "suppressed"),
           d_pol = csv_table_column(dt, "polarity"), d_conf = csv_table_column(dt, "conf_level");
    long min_n = c->run->min_n;
    rows[n_rows++] = (struct forest_row){.label = "BME vs White staff: ratio of %"};
    for (size_t i = 0; i < ARRAY_LEN(key_items); i++) {
        for (size_t k = 0; k < c->run->disp.n; k++) {
            size_t r = c->run->disp.rows[k];
            if (strcmp(cell(dt, r, d_item), key_items[i].id) != 0 ||
                strcmp(cell(dt, r, d_dim), "ethnicity") != 0 ||
                strcmp(fmt_unformula(cell(dt, r, d_group)), "BME") != 0 ||
                strcmp(fmt_unformula(cell(dt, r, d_ref)), "White") != 0)
                continue;
            struct forest_row *row = &rows[n_rows++];
            row->label = key_items[i].short_label;
            row->kind = 1;
            if (!row_shown(dt, r)) {
                char *reason = suppression_reason(cell(dt, r, d_supp), min_n);
                row->value_text = xasprintf("suppressed (%s)", reason);
                free(reason);
                break;
            }
            row->has_ci = number(c, dt, r, d_lo, &row->lo) && number(c, dt, r, d_hi, &row->hi);
            row->est = number_or_nan(dt, r, d_ratio);
            row->has_est = isfinite(row->est);
            if (isnan(conf))
                conf = number_or_nan(dt, r, d_conf);
            const char *polarity = cell(dt, r, d_pol);
            row->value_text = ratio_text(row, strcmp(polarity, "higher") == 0  ? "below 1"
                                              : strcmp(polarity, "lower") == 0 ? "above 1"
                                                                               : "");
            break;
        }
    }
    if (n_rows == 1)
        n_rows = 0; /* no survey rows: no heading */
    size_t heading2 = n_rows;
    rows[n_rows++] = (struct forest_row){.label = "WRES indicators: relative likelihood"};
    size_t w_ind = csv_table_column(wt, "indicator"),
           w_rl = csv_table_column(wt, "relative_likelihood"),
           w_lo = csv_table_column(wt, "rl_lower"), w_hi = csv_table_column(wt, "rl_upper"),
           w_supp = csv_table_column(wt, "suppressed"), w_adv = csv_table_column(wt, "adverse_if"),
           w_source = csv_table_column(wt, "source"), w_conf = csv_table_column(wt, "conf_level");
    for (size_t i = 0; i < ARRAY_LEN(wres_labels); i++) {
        char ind[8];
        snprintf(ind, sizeof(ind), "%d", wres_labels[i].indicator);
        for (size_t k = 0; k < c->run->wres.n; k++) {
            size_t r = c->run->wres.rows[k];
            if (strcmp(cell(wt, r, w_ind), ind) != 0)
                continue;
            struct forest_row *row = &rows[n_rows++];
            row->label = wres_labels[i].label;
            row->kind = 2;
            if (!row_shown(wt, r)) {
                char *reason = suppression_reason(cell(wt, r, w_supp), min_n);
                if (strcmp(cell(wt, r, w_source), "hr") == 0 &&
                    strcmp(cell(wt, r, w_supp), SUPPRESSED_PRIMARY) == 0) {
                    free(reason);
                    reason = xasprintf("fewer than %ld staff", min_n);
                }
                row->value_text = xasprintf("suppressed (%s)", reason);
                free(reason);
                break;
            }
            row->has_ci = number(c, wt, r, w_lo, &row->lo) && number(c, wt, r, w_hi, &row->hi);
            row->est = number_or_nan(wt, r, w_rl);
            row->has_est = isfinite(row->est);
            if (isnan(conf))
                conf = number_or_nan(wt, r, w_conf);
            const char *adverse = cell(wt, r, w_adv);
            row->value_text = ratio_text(row, strcmp(adverse, "above 1") == 0   ? "above 1"
                                              : strcmp(adverse, "below 1") == 0 ? "below 1"
                                                                                : "");
            break;
        }
    }
    if (n_rows == heading2 + 1)
        n_rows--;
    if (n_rows == 0) {
        char *org = quoted(c->opt->org);
        note("forest", "no disparity or WRES rows for %s in this period", org);
        free(org);
        return;
    }
    if (isnan(conf))
        conf = 0.95;

    int height = 190 + 30 * (int)n_rows;
    struct chart ch;
    chart_init(&ch, xstrdup("forest"), 1200, height);
    struct buf *d = &ch.data, *b = &ch.body;
    static const char *const point_block[] = {"", "survey_pt", "wres_pt"};
    static const char *const ci_block[] = {"", "survey_ci", "wres_ci"};
    bool has_points[3] = {false, false, false}, has_ci[3] = {false, false, false};
    double x_lo = 0.7, x_hi = 1.45;
    for (int kind = 1; kind <= 2; kind++) {
        for (int part = 0; part < 2; part++) {
            bool open = false;
            for (size_t i = 0; i < n_rows; i++) {
                const struct forest_row *row = &rows[i];
                if (row->kind != kind || !row->has_ci || (part == 0 && !row->has_est))
                    continue;
                if (!open)
                    gp_block_begin(d, part == 0 ? point_block[kind] : ci_block[kind]);
                open = true;
                double y = (double)(n_rows - 1 - i);
                if (part == 0) {
                    gp_block_row(d, 2, (double[]){row->est, y});
                    x_lo = fmin(x_lo, row->lo);
                    x_hi = fmax(x_hi, row->hi);
                } else {
                    gp_block_row(d, 3, (double[]){y, row->lo, row->hi});
                }
            }
            if (open)
                gp_block_end(d);
            (part == 0 ? has_points : has_ci)[kind] = open;
        }
    }
    x_lo = fmax(1.0 / 16, x_lo / 1.15);
    x_hi = fmin(16.0, x_hi * 1.15);

    char *org_label = label_text(c->opt->org, LABEL_MAX);
    char *period_label = label_text(c->period, 20);
    char *line1 = xasprintf("%s, %s: BME staff compared with White staff", org_label, period_label);
    char *line2 = xasprintf("Ratio with %.0f%% confidence interval (Katz), log scale; 1 = parity",
                            100 * conf);
    const char *title[] = {line1, line2};
    buf_puts(b, "set title ");
    put_lines(b, title, 2);
    buf_puts(b, " font ',12'\n");
    buf_printf(b, "set logscale x\nset xrange [%.6g:%.6g]\nset yrange [-0.7:%.6g]\n", x_lo, x_hi,
               (double)n_rows - 0.3);
    static const double ticks[] = {0.0625, 0.125, 0.25, 0.5, 0.8, 1, 1.25, 2, 4, 8, 16};
    buf_puts(b, "set xtics (");
    bool first_tick = true;
    for (size_t i = 0; i < ARRAY_LEN(ticks); i++) {
        if (ticks[i] < x_lo || ticks[i] > x_hi)
            continue;
        buf_printf(b, "%s'%g' %g", first_tick ? "" : ", ", ticks[i], ticks[i]);
        first_tick = false;
    }
    buf_puts(b, ") nomirror\nset ytics (");
    bool first_label = true;
    for (size_t i = 0; i < n_rows; i++) {
        if (rows[i].kind == 0)
            continue;
        buf_printf(b, "%s", first_label ? "" : ", ");
        gp_put_string(b, rows[i].label);
        buf_printf(b, " %zu", n_rows - 1 - i);
        first_label = false;
    }
    buf_puts(b, ") nomirror scale 0\n");
    buf_puts(b, "set xlabel 'Ratio, BME / White (log scale; 1 = parity)'\n"
                "set grid xtics lc rgb '#e5e5e5' lt 1\nset border 1\n"
                "set lmargin 50\nset rmargin 46\nset bmargin 7\n"
                "set key at screen 0.01, screen 0.01 left bottom vertical Left reverse samplen 2 "
                "spacing 1.1\n");
    buf_puts(b, "set object 1 rect from 0.8, graph 0 to 1.25, graph 1 behind fc rgb '#d9d9d9' "
                "fs solid 1.0 noborder\n"
                "set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 2 lc rgb '#404040' lw 1.5 "
                "back\n");
    int tag = 1, arrow = 2;
    for (size_t i = 0; i < n_rows; i++) {
        double y = (double)(n_rows - 1 - i);
        buf_printf(b, "set label %d ", tag++);
        if (rows[i].kind == 0) {
            gp_put_string(b, rows[i].label);
            buf_printf(b, " at graph 0, first %g offset char -1, 0 right font ',11' front\n", y);
            buf_printf(b,
                       "set arrow %d from graph 0, first %.6g to graph 1, first %.6g nohead lc "
                       "rgb '#bbbbbb' back\n",
                       arrow++, y + 0.5, y + 0.5);
            continue;
        }
        gp_put_string(b, rows[i].value_text ? rows[i].value_text : "");
        buf_printf(b, " at graph 1, first %g offset char 2, 0 left front\n", y);
    }
    buf_puts(b, "plot ");
    const char *sep = "";
    static const char *const colour[] = {"", C_BLUE, C_VERMILLION};
    static const int point[] = {0, 7, 5};
    static const char *const title_text[] = {"", "survey item: BME / White ratio of %",
                                             "WRES relative likelihood"};
    for (int kind = 1; kind <= 2; kind++) {
        if (has_ci[kind]) {
            buf_printf(b,
                       "%s$%s using (sqrt($2*$3)):1:2:3 with xerrorbars ps 0 lc rgb '%s' lw 2 "
                       "notitle",
                       sep, ci_block[kind], colour[kind]);
            sep = ", ";
        }
        if (has_points[kind]) {
            buf_printf(b, "%s$%s using 1:2 with points pt %d ps 1.6 lc rgb '%s' title '%s'", sep,
                       point_block[kind], point[kind], colour[kind], title_text[kind]);
            sep = ", ";
        }
    }
    if (!*sep) /* every row suppressed: something to plot, off the chart */
        buf_puts(b, "-1 notitle, ");
    buf_printf(b,
               "%skeyentry with boxes fc rgb '#d9d9d9' fs solid 1.0 noborder "
               "title 'non-adverse range 0.80 to 1.25'\n",
               sep);
    chart_draw(c, &ch);
    chart_release(&ch);
    free(org_label);
    free(period_label);
    free(line1);
    free(line2);
    for (size_t i = 0; i < n_rows; i++)
        free(rows[i].value_text);
}

/* ---- unit x item heatmaps ---------------------------------------------- */

struct unit {
    const char *parent, *name;
    struct value cells[ARRAY_LEN(key_items)];
};

static int compare_units(const void *a, const void *b)
{
    const struct unit *x = a, *y = b;
    int c = strcmp(x->parent, y->parent);
    return c ? c : strcmp(x->name, y->name);
}

static void chart_heatmap(struct charts *c, const char *level)
{
    const struct csv_table *t = &c->r->proportions;
    size_t c_item = csv_table_column(t, "item"), c_dim = csv_table_column(t, "group_dim"),
           c_group = csv_table_column(t, "group"), c_parent = csv_table_column(t, "parent_group"),
           c_est = csv_table_column(t, "estimate"), c_measure = csv_table_column(t, "measure");
    char *stem = xasprintf("heatmap-%s", level);
    struct unit *units = NULL;
    size_t n_units = 0, cap = 0;
    struct strdict index;
    strdict_init(&index);
    struct buf key;
    buf_init(&key);
    bool item_present[ARRAY_LEN(key_items)] = {false};
    const char *measure = "positive";
    for (size_t i = 0; i < c->run->prop.n; i++) {
        size_t r = c->run->prop.rows[i];
        const struct key_item *item = find_key_item(cell(t, r, c_item));
        if (!item || strcmp(cell(t, r, c_dim), level) != 0)
            continue;
        const char *parent = cell(t, r, c_parent), *name = cell(t, r, c_group);
        buf_clear(&key);
        buf_printf(&key, "%zu:%s/%s", strlen(parent), parent, name);
        uint32_t code = strdict_intern(&index, key.data, key.len);
        if (code == n_units) {
            xgrow(&units, &cap, n_units + 1, sizeof(*units));
            memset(&units[n_units], 0, sizeof(*units));
            units[n_units].parent = parent;
            units[n_units].name = name;
            n_units++;
        }
        struct value *v = &units[code].cells[item - key_items];
        item_present[item - key_items] = true;
        if (!row_shown(t, r)) {
            v->state = CELL_SUPPRESSED;
            continue;
        }
        double est;
        if (!number(c, t, r, c_est, &est))
            continue;
        v->state = CELL_SHOWN;
        v->pct = 100 * est;
        measure = cell(t, r, c_measure);
    }
    buf_release(&key);
    strdict_release(&index);
    if (n_units == 0)
        goto out_free; /* no units at this level */
    if (n_units > HEATMAP_MAX_ROWS) {
        char *count = xasprintf("%zu units are too many to read on one chart (at most %d)", n_units,
                                HEATMAP_MAX_ROWS);
        note(stem, "%s", count);
        free(count);
        goto out_free;
    }
    qsort(units, n_units, sizeof(*units), compare_units);
    size_t columns[ARRAY_LEN(key_items)], n_columns = 0;
    for (size_t i = 0; i < ARRAY_LEN(key_items); i++)
        if (item_present[i])
            columns[n_columns++] = i;

    double lo = 100, hi = 0;
    size_t n_shown = 0;
    for (size_t u = 0; u < n_units; u++)
        for (size_t k = 0; k < n_columns; k++) {
            const struct value *v = &units[u].cells[columns[k]];
            if (v->state == CELL_SHOWN) {
                lo = fmin(lo, v->pct);
                hi = fmax(hi, v->pct);
                n_shown++;
            }
        }
    if (n_shown == 0) {
        lo = 0;
        hi = 100;
    } else {
        lo = fmax(0, round_down(lo, 10));
        hi = fmin(100, round_up(hi, 10));
        if (hi - lo < 20) {
            hi = fmin(100, lo + 20);
            lo = hi - 20;
        }
    }
    long min_n = c->run->min_n;
    /* room for the unit names, 128 pixels a column, the colour box */
    size_t longest = 0;
    for (size_t u = 0; u < n_units; u++) {
        size_t len = strlen(units[u].name) + (*units[u].parent ? strlen(units[u].parent) + 3 : 0);
        longest = len > longest ? len : longest;
    }
    longest = longest > 30 + 3 + LABEL_MAX ? 30 + 3 + LABEL_MAX : longest;
    int width = 260 + 6 * (int)longest + 128 * (int)n_columns;
    int height = 210 + (n_units > 12 ? 26 : 40) * (int)n_units;
    struct chart ch;
    chart_init(&ch, stem, width, height);
    stem = NULL;
    struct buf *d = &ch.data, *b = &ch.body;
    /* light cells take black text, dark ones white (cividis lightness
     * rises with the value) */
    double middle = lo + 0.5 * (hi - lo);
    static const char *const blocks[] = {"dark", "light", "supp"};
    bool block_used[3] = {false, false, false};
    for (int blk = 0; blk < 3; blk++) {
        for (size_t u = 0; u < n_units; u++)
            for (size_t k = 0; k < n_columns; k++) {
                const struct value *v = &units[u].cells[columns[k]];
                int which = v->state == CELL_SUPPRESSED ? 2
                            : v->state == CELL_SHOWN    ? (v->pct < middle ? 0 : 1)
                                                        : -1;
                if (which != blk)
                    continue;
                if (!block_used[blk])
                    gp_block_begin(d, blocks[blk]);
                block_used[blk] = true;
                gp_block_row(d, 3, (double[]){(double)k, (double)u, v->pct});
            }
        if (block_used[blk])
            gp_block_end(d);
    }

    char *org_label = label_text(c->opt->org, LABEL_MAX);
    char *period_label = label_text(c->period, 20);
    char *line1 =
        xasprintf("%s, %s: %s by %s", org_label, period_label,
                  strcmp(measure, "experiencing") == 0 ? "% experiencing" : "% positive", level);
    char *line2 = xasprintf("Speaking-up and just-culture items. S = suppressed (fewer than %ld "
                            "respondents, or protecting such a cell)",
                            min_n);
    const char *title[] = {line1, line2};
    buf_puts(b, "set title ");
    put_lines(b, title, 2);
    buf_puts(b, " font ',12'\n");
    buf_printf(b, "set xrange [-0.5:%.1f]\nset yrange [%.1f:-0.5]\n", (double)n_columns - 0.5,
               (double)n_units - 0.5);
    buf_printf(b, "set cbrange [%g:%g]\nset cblabel '%s' offset char 1.5, 0\n", lo, hi,
               measure_axis(measure));
    buf_puts(b, "set palette defined (0 '#00204D', 0.25 '#414D6B', 0.5 '#7C7B78', 0.75 "
                "'#BCAF6F', 1 '#FFEA46')\n"
                "set colorbox vertical user origin graph 1.02, graph 0 size char 2, graph 1\n"
                "set tics scale 0\nset border 0\nunset grid\n"
                "set key below horizontal Left reverse samplen 2\nset rmargin 16\nset bmargin 6\n");
    buf_puts(b, "set xtics (");
    for (size_t k = 0; k < n_columns; k++) {
        buf_printf(b, "%s", k ? ", " : "");
        /* two lines, split after the colon of "Topic: detail" */
        const char *label = key_items[columns[k]].short_label, *colon = strstr(label, ": ");
        if (colon) {
            char *head = xstrndup(label, (size_t)(colon - label) + 1);
            gp_put_string(b, head);
            buf_puts(b, " . \"\\n\" . ");
            gp_put_string(b, colon + 2);
            free(head);
        } else {
            gp_put_string(b, label);
        }
        buf_printf(b, " %zu", k);
    }
    buf_puts(b, ") nomirror font ',9'\nset ytics (");
    for (size_t u = 0; u < n_units; u++) {
        struct buf label;
        buf_init(&label);
        if (*units[u].parent) {
            gp_label_text(&label, units[u].parent, 30);
            buf_puts(&label, " / ");
        }
        gp_label_text(&label, units[u].name, LABEL_MAX);
        buf_printf(b, "%s", u ? ", " : "");
        gp_put_string(b, label.data);
        buf_printf(b, " %zu", u);
        buf_release(&label);
    }
    buf_puts(b, ") nomirror\n");
    buf_puts(b, "plot ");
    const char *sep = "";
    for (int blk = 0; blk < 2; blk++)
        if (block_used[blk]) {
            buf_printf(b,
                       "%s$%s using 1:2:(0.5):(0.5):3 with boxxyerror fc palette fs solid 1.0 "
                       "border lc rgb 'white' notitle",
                       sep, blocks[blk]);
            sep = ", ";
        }
    if (block_used[2]) {
        buf_printf(b,
                   "%s$supp using 1:2:(0.5):(0.5) with boxxyerror lc rgb '#8c8c8c' fs pattern 4 "
                   "border lc rgb '#8c8c8c' notitle",
                   sep);
        sep = ", ";
    }
    for (int blk = 0; blk < 2; blk++)
        if (block_used[blk]) {
            buf_printf(b,
                       "%s$%s using 1:2:(sprintf('%%.0f', $3)) with labels tc rgb '%s' "
                       "notitle",
                       sep, blocks[blk], blk == 0 ? "white" : "black");
            sep = ", ";
        }
    if (block_used[2]) {
        buf_printf(b, "%s$supp using 1:2:('S') with labels boxed tc rgb 'black' notitle", sep);
        sep = ", ";
    }
    buf_printf(b,
               "%skeyentry with boxes lc rgb '#8c8c8c' fs pattern 4 title 'S: suppressed "
               "(fewer than %ld respondents, or protecting such a cell)'\n",
               sep, min_n);
    chart_draw(c, &ch);
    chart_release(&ch);
    free(org_label);
    free(period_label);
    free(line1);
    free(line2);
out_free:
    free(stem);
    free(units);
}

/* ---- SPC (XmR) charts --------------------------------------------------- */

struct spc_item {
    const char *id;
    const char *title;
    const char *axis; /* y axis label; %s: the period kind */
    double scale;
};

static const struct spc_item spc_items[] = {
    {"disciplinary_rate", "Staff entering the formal disciplinary process",
     "per 1,000 staff (headcount), each %s", 1000},
    {"wres3_relative_likelihood",
     "WRES 3: relative likelihood of entering the disciplinary process, BME / White",
     "relative likelihood (1 = parity), each %s", 1},
    {"unsafe_secure", "Secure raising concerns about unsafe clinical practice",
     "%% positive, each %s", 100},
    {"unsafe_confident", "Confident a concern about unsafe practice would be addressed",
     "%% positive, each %s", 100},
    {"speakup_safe", "Feel safe to speak up", "%% positive, each %s", 100},
    {"speakup_confident", "Confident a concern raised would be addressed", "%% positive, each %s",
     100},
    {"incident_fair", "Staff involved in incidents treated fairly", "%% positive, each %s", 100},
    {"incident_report_encouraged", "Encouraged to report incidents", "%% positive, each %s", 100},
    {"incident_action", "Action taken after incidents", "%% positive, each %s", 100},
    {"incident_feedback", "Feedback given after incidents", "%% positive, each %s", 100},
};

/* A run of spc.csv rows: one series (or one run of it) of this org. */
struct spc_series {
    size_t first_row, n_rows;
    size_t item;  /* index in spc_items */
    bool charted; /* centre and limits present */
};

static const char *const spc_variations[] = {"special_cause_improvement", "special_cause_concern",
                                             "special_cause_neither"};
static const char *const spc_variation_labels[] = {"special cause, improvement",
                                                   "special cause, concern", "special cause"};
static const char *const spc_variation_colours[] = {C_BLUE, C_ORANGE, C_PURPLE};
static const char *const spc_signals[] = {"outside_limits", "trend", "two_of_three", "run"};
static const char *const spc_signal_labels[] = {"beyond a limit", "trend of 7",
                                                "2 of 3 near a limit", "run of 7"};
static const int spc_signal_points[] = {13, 9, 5, 7};
static const double spc_signal_sizes[] = {2.2, 1.9, 1.7, 1.7}; /* a diamond draws small */
enum { SPC_CLASSES = 1 + 3 * 4 };

/* The point class of a row: 0 common cause, else 1 + variation x 4 + signal. */
static int spc_class(const char *variation, const char *signal)
{
    for (int v = 0; v < 3; v++)
        if (strcmp(variation, spc_variations[v]) == 0)
            for (int s = 0; s < 4; s++)
                if (strcmp(signal, spc_signals[s]) == 0)
                    return 1 + v * 4 + s;
    return 0;
}

/* One point of a charted run, in chart units. */
struct spc_point {
    double x, y, centre, lower, upper;
    int cls;
};

/* Mean events a period behind an HR series, from wres.csv's indicator 3
 * rows of the same results (BME and White only; the smaller of the two
 * for the relative likelihood); NaN when not known for every period. */
static double spc_mean_events(struct charts *c, const struct spc_series *s, const char *group)
{
    const struct csv_table *spc = &c->r->spc, *w = &c->r->wres;
    size_t s_period = csv_table_column(spc, "period"), w_period = csv_table_column(w, "period"),
           w_ind = csv_table_column(w, "indicator"), w_bme = csv_table_column(w, "bme_events"),
           w_white = csv_table_column(w, "white_events");
    bool rl = strcmp(spc_items[s->item].id, "wres3_relative_likelihood") == 0;
    if (!rl && strcmp(group, "BME") != 0 && strcmp(group, "White") != 0)
        return NAN;
    double bme = 0, white = 0;
    size_t found = 0;
    for (size_t r = s->first_row; r < s->first_row + s->n_rows; r++) {
        const char *period = cell(spc, r, s_period);
        for (size_t i = 0; i < c->run->wres_org.n; i++) {
            size_t k = c->run->wres_org.rows[i];
            if (strcmp(cell(w, k, w_ind), "3") != 0 || !same_period(cell(w, k, w_period), period) ||
                !row_shown(w, k))
                continue;
            double b = number_or_nan(w, k, w_bme), wh = number_or_nan(w, k, w_white);
            if (isfinite(b) && isfinite(wh)) {
                bme += b;
                white += wh;
                found++;
            }
            break;
        }
    }
    if (found != s->n_rows)
        return NAN;
    double mean_bme = bme / (double)found, mean_white = white / (double)found;
    return rl ? fmin(mean_bme, mean_white) : strcmp(group, "BME") == 0 ? mean_bme : mean_white;
}

/* spc.csv "Rare events": XmR reads a series of a few events a period
 * badly (a run of months with none looks like a signal).  A caution for
 * the panel, or NULL; caller frees. */
static char *spc_rare_events(struct charts *c, const struct spc_series *s, const char *group,
                             const struct spc_point *points, size_t n_points, const char *kind)
{
    if (spc_items[s->item].scale == 100)
        return NULL; /* survey proportions */
    double mean = spc_mean_events(c, s, group);
    if (isfinite(mean))
        return mean < 2 ? xasprintf("Rare events (%.1f a %s on average): read signals with care",
                                    mean, kind)
                        : NULL;
    size_t zeros = 0;
    for (size_t i = 0; i < n_points; i++)
        zeros += points[i].y == 0;
    return zeros * 4 >= n_points
               ? xasprintf("Rare events (none in %zu of %zu %ss): read signals with care", zeros,
                           n_points, kind)
               : NULL;
}

static void spc_draw_item(struct charts *c, size_t item, const struct spc_series *series,
                          size_t n_series)
{
    const struct csv_table *t = &c->r->spc;
    const struct spc_item *si = &spc_items[item];
    size_t c_group = csv_table_column(t, "group"), c_period = csv_table_column(t, "period"),
           c_est = csv_table_column(t, "estimate"), c_centre = csv_table_column(t, "centre"),
           c_lo = csv_table_column(t, "lower_limit"), c_hi = csv_table_column(t, "upper_limit"),
           c_signal = csv_table_column(t, "signal"), c_variation = csv_table_column(t, "variation"),
           c_parent = csv_table_column(t, "parent_group");
    const struct spc_series *panels[SPC_MAX_PANELS];
    size_t n_panels = 0, n_left_out = 0;
    char *stem = xasprintf("spc-%s", si->id);
    for (size_t s = 0; s < n_series; s++) {
        if (series[s].item != item)
            continue;
        if (!series[s].charted) {
            const char *group = cell(t, series[s].first_row, c_group);
            char *g = strcmp(group, "all") == 0 ? xstrdup("all staff") : quoted(group);
            char *first = quoted(cell(t, series[s].first_row, c_period)),
                 *last = quoted(cell(t, series[s].first_row + series[s].n_rows - 1, c_period));
            fprintf(stderr,
                    "candour-report: %s: the series of %s from %s to %s has a suppressed point: "
                    "no XmR chart for it\n",
                    stem, g, first, last);
            free(g);
            free(first);
            free(last);
            continue;
        }
        if (n_panels == SPC_MAX_PANELS) {
            n_left_out++;
            continue;
        }
        panels[n_panels++] = &series[s];
    }
    if (n_left_out)
        fprintf(stderr, "candour-report: %s: %zu more series not drawn (at most %d a chart)\n",
                stem, n_left_out, SPC_MAX_PANELS);
    if (n_panels == 0) {
        free(stem);
        return;
    }
    struct chart ch;
    chart_init(&ch, stem, 1200, 130 + 320 * (int)n_panels);
    struct buf *d = &ch.data, *b = &ch.body;

    char *org_label = label_text(c->opt->org, LABEL_MAX);
    char *line1 = xasprintf("%s: %s", org_label, si->title);
    const char *line2 = "XmR chart (NHS Making Data Count): centre = mean, process limits = "
                        "mean +/- 2.66 x mean moving range";
    const char *title[] = {line1, line2};
    buf_printf(b, "set multiplot layout %zu,1 title ", n_panels);
    put_lines(b, title, 2);
    buf_puts(b, " font ',12'\n");
    buf_puts(b, "set grid lc rgb '#e5e5e5' lt 1\nset border 3\nset tics nomirror\n"
                "set key at screen 0.695, graph 1 left top vertical Left reverse samplen 3 "
                "spacing 1.2\nset lmargin at screen 0.07\nset rmargin at screen 0.68\n");
    free(org_label);
    free(line1);

    for (size_t p = 0; p < n_panels; p++) {
        const struct spc_series *s = panels[p];
        struct spc_point *points = xcalloc(s->n_rows, sizeof(*points));
        size_t n_points = 0;
        enum period_kind kind = PERIOD_MONTH;
        bool below_zero = false, present[SPC_CLASSES] = {false};
        double y0 = INFINITY, y1 = -INFINITY;
        for (size_t r = s->first_row; r < s->first_row + s->n_rows; r++) {
            const char *per = cell(t, r, c_period);
            struct period pp;
            struct spc_point *pt = &points[n_points];
            if (!period_parse(per, strlen(per), &pp) || !number(c, t, r, c_est, &pt->y) ||
                !number(c, t, r, c_centre, &pt->centre) || !number(c, t, r, c_lo, &pt->lower) ||
                !number(c, t, r, c_hi, &pt->upper))
                continue;
            kind = pp.kind;
            pt->x = (double)period_ordinal(&pp);
            pt->y *= si->scale;
            pt->centre *= si->scale;
            pt->lower *= si->scale;
            pt->upper *= si->scale;
            pt->cls = spc_class(cell(t, r, c_variation), cell(t, r, c_signal));
            present[pt->cls] = true;
            /* rates, proportions and ratios are never negative: a lower
             * limit below 0 is left off the chart */
            below_zero |= pt->lower < 0;
            y0 = fmin(y0, fmin(pt->y, fmax(0, pt->lower)));
            y1 = fmax(y1, fmax(pt->y, pt->upper));
            n_points++;
        }
        if (n_points == 0) {
            free(points);
            continue;
        }
        char name[64];
        snprintf(name, sizeof(name), "spc%zu", p);
        gp_block_begin(d, name);
        for (size_t i = 0; i < n_points; i++)
            gp_block_row(d, 5,
                         (double[]){points[i].x, points[i].y, points[i].centre, points[i].lower,
                                    points[i].upper});
        gp_block_end(d);
        for (int cls = 0; cls < SPC_CLASSES; cls++) {
            if (!present[cls])
                continue;
            snprintf(name, sizeof(name), "spc%zu_c%d", p, cls);
            gp_block_begin(d, name);
            for (size_t i = 0; i < n_points; i++)
                if (points[i].cls == cls)
                    gp_block_row(d, 2, (double[]){points[i].x, points[i].y});
            gp_block_end(d);
        }

        const char *kind_name = period_kind_name(kind);
        char *axis = xasprintf(si->axis, kind_name);
        buf_puts(b, "set ylabel ");
        gp_put_string(b, axis);
        buf_puts(b, "\n");
        free(axis);
        double pad = 0.06 * (y1 - y0 > 0 ? y1 - y0 : fabs(y1) + 1);
        buf_printf(b, "set xrange [%.6g:%.6g]\nset yrange [%.6g:%.6g]\n", points[0].x - 0.5,
                   points[n_points - 1].x + 0.5, fmax(0, y0 - pad), y1 + pad);
        size_t step = 1;
        while (n_points / step > 12)
            step = step < 3 ? step + 1 : step == 3 ? 6 : step * 2;
        buf_puts(b, "set xtics (");
        for (size_t i = 0; i < n_points; i += step) {
            char text[PERIOD_TEXT_MAX];
            struct period pp = period_from_ordinal(kind, (long)points[i].x);
            period_format(&pp, text);
            buf_puts(b, i ? ", " : "");
            gp_put_string(b, text);
            buf_printf(b, " %.0f", points[i].x);
        }
        buf_puts(b, ") rotate by 45 right\n");

        /* panel title: the group and run, then any cautions */
        const char *group = cell(t, s->first_row, c_group),
                   *parent = cell(t, s->first_row, c_parent);
        struct buf head;
        buf_init(&head);
        if (*parent) {
            gp_label_text(&head, parent, LABEL_MAX);
            buf_puts(&head, " / ");
        }
        if (strcmp(group, "all") == 0)
            buf_puts(&head, strcmp(si->id, "wres3_relative_likelihood") == 0
                                ? "BME staff against White staff"
                                : "All staff");
        else
            gp_label_text(&head, group, LABEL_MAX);
        char first_p[PERIOD_TEXT_MAX], last_p[PERIOD_TEXT_MAX];
        struct period pf = period_from_ordinal(kind, (long)points[0].x);
        period_format(&pf, first_p);
        pf = period_from_ordinal(kind, (long)points[n_points - 1].x);
        period_format(&pf, last_p);
        buf_printf(&head, ", %s to %s (%zu %ss)", first_p, last_p, n_points, kind_name);
        char *rare = spc_rare_events(c, s, group, points, n_points, kind_name);
        struct buf cautions;
        buf_init(&cautions);
        if (rare)
            buf_puts(&cautions, rare);
        if (below_zero)
            buf_printf(&cautions, "%sThe lower process limit is below 0, off the chart",
                       rare ? ". " : "");
        const char *panel_title[] = {head.data, cautions.data};
        buf_puts(b, "set title ");
        put_lines(b, panel_title, cautions.len ? 2 : 1);
        buf_puts(b, "\n");
        free(rare);
        buf_release(&head);
        buf_release(&cautions);

        buf_printf(b,
                   "plot $spc%zu using 1:4 with steps lc rgb '#505050' dt (6,4) lw 1.5 title "
                   "'process limits', $spc%zu using 1:5 with steps lc rgb '#505050' dt (6,4) "
                   "lw 1.5 notitle, $spc%zu using 1:3 with lines lc rgb '" C_BLACK
                   "' lw 2 title 'centre (mean)', $spc%zu using 1:2 with lines lc rgb '#a0a0a0' "
                   "lw 1.5 title 'value'",
                   p, p, p, p);
        if (strcmp(si->id, "wres3_relative_likelihood") == 0)
            buf_puts(b, ", 1 with lines lc rgb '" C_GREEN "' dt 3 lw 2 title 'parity (1)'");
        for (int cls = 0; cls < SPC_CLASSES; cls++) {
            if (!present[cls])
                continue;
            if (cls == 0) {
                buf_printf(b,
                           ", $spc%zu_c0 using 1:2 with points pt 6 ps 1.2 lc rgb '#606060' "
                           "title 'common cause (no signal)'",
                           p);
                continue;
            }
            int v = (cls - 1) / 4, sg = (cls - 1) % 4;
            buf_printf(b,
                       ", $spc%zu_c%d using 1:2 with points pt %d ps %.1f lc rgb '%s' "
                       "title '%s: %s'",
                       p, cls, spc_signal_points[sg], spc_signal_sizes[sg],
                       spc_variation_colours[v], spc_variation_labels[v], spc_signal_labels[sg]);
        }
        buf_puts(b, "\n");
        free(points);
    }
    buf_puts(b, "unset multiplot\n");
    chart_draw(c, &ch);
    chart_release(&ch);
}

static void chart_spc(struct charts *c)
{
    const struct csv_table *t = &c->r->spc;
    char *org = quoted(c->opt->org);
    if (!t->header) {
        fprintf(stderr,
                "candour-report: spc: not drawn: %s has no spc.csv (monthly HR data or 12 or more "
                "survey periods give one)\n",
                t->path);
        free(org);
        return;
    }
    size_t c_item = csv_table_column(t, "item"), c_dim = csv_table_column(t, "group_dim"),
           c_group = csv_table_column(t, "group"), c_parent = csv_table_column(t, "parent_group"),
           c_start = csv_table_column(t, "series_start"), c_centre = csv_table_column(t, "centre");
    struct spc_series *series = NULL;
    size_t n_series = 0, cap = 0;
    for (size_t i = 0; i < c->run->spc_org.n; i++) {
        size_t r = c->run->spc_org.rows[i];
        const char *dim = cell(t, r, c_dim);
        if (strcmp(dim, "all") != 0 && strcmp(dim, "ethnicity") != 0)
            continue;
        size_t item = 0;
        while (item < ARRAY_LEN(spc_items) && strcmp(spc_items[item].id, cell(t, r, c_item)) != 0)
            item++;
        if (item == ARRAY_LEN(spc_items))
            continue;
        struct spc_series *last = n_series ? &series[n_series - 1] : NULL;
        size_t prev = last ? last->first_row + last->n_rows - 1 : 0;
        if (last && prev + 1 == r && last->item == item && strcmp(cell(t, prev, c_dim), dim) == 0 &&
            strcmp(cell(t, prev, c_group), cell(t, r, c_group)) == 0 &&
            strcmp(cell(t, prev, c_parent), cell(t, r, c_parent)) == 0 &&
            strcmp(cell(t, prev, c_start), cell(t, r, c_start)) == 0) {
            last->n_rows++;
            last->charted &= *cell(t, r, c_centre) != '\0';
            continue;
        }
        xgrow(&series, &cap, n_series + 1, sizeof(*series));
        series[n_series++] = (struct spc_series){r, 1, item, *cell(t, r, c_centre) != '\0'};
    }
    if (n_series == 0)
        fprintf(stderr,
                "candour-report: spc: not drawn: %s has no series for %s (monthly HR data or 12 "
                "or more survey periods give one)\n",
                t->path, org);
    for (size_t item = 0; item < ARRAY_LEN(spc_items); item++)
        spc_draw_item(c, item, series, n_series);
    free(series);
    free(org);
}

/* ---- the entry point ----------------------------------------------------- */

int report_charts(const struct report_options *opt, const struct run *run)
{
    struct charts c = {.opt = opt, .r = run->r, .run = run, .period = run->period};
    if (!gnuplot_on_path()) {
        fputs("candour-report: gnuplot not found on PATH: charts not drawn (the text report "
              "was written; install gnuplot to draw them)\n",
              stderr);
        return REPORT_ECHARTS;
    }
    /* A gnuplot that dies early must give a write error, not kill us. */
    struct sigaction ignore, old_pipe;
    memset(&ignore, 0, sizeof(ignore));
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &old_pipe);

    /* The survey charts are of the run's period, the text report's: none
     * when the survey has no results for it. */
    bool survey = opt->all ? run->bench.n : run->prop.n;
    bool other_periods = opt->all ? run->r->benchmarks.n_rows : run->prop_org.n;
    if (!survey) {
        char *org = quoted(opt->all ? SCOPE_ALL_ORGS : opt->org);
        if (opt->period || other_periods) {
            char *p = quoted(run->period);
            fprintf(stderr,
                    "candour-report: survey charts: not drawn: no survey results for %s "
                    "in period %s\n",
                    org, p);
            free(p);
        } else {
            fprintf(stderr, "candour-report: survey charts: not drawn: no survey results for %s\n",
                    org);
        }
        free(org);
    } else {
        for (size_t i = 0; i < ARRAY_LEN(key_items); i++)
            chart_funnel(&c, &key_items[i]);
        if (!opt->all) {
            chart_trend(&c);
            chart_forest(&c);
            chart_heatmap(&c, "directorate");
            chart_heatmap(&c, "team");
        }
    }
    if (!opt->all)
        chart_spc(&c);
    sigaction(SIGPIPE, &old_pipe, NULL);
    if (c.io_error)
        return REPORT_EIO;
    if (c.data_error)
        return REPORT_EDATA;
    return c.chart_error ? REPORT_ECHARTS : REPORT_OK;
}
