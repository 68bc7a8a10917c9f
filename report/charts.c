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
 * Which items each chart covers, and their titles and labels, come from
 * the results' dictionary (items.csv; dictionary.h): funnels and heatmaps
 * its funnel and heatmap items, the trend and forest plots the items of
 * its report sections, one trend panel per section.  File names come from
 * constants and item ids, which schemas restrict to letters, digits and
 * _ - . (an id that is not is charted under no file name: said on stderr).  Only rows whose
 * `suppressed` is `no` give a figure; a suppressed cell is shown as suppressed or left out with a
 * note.
 *
 * Colours are the Okabe-Ito palette (Okabe and Ito 2008, "Color Universal
 * Design"), safe for the common colour-vision deficiencies, and every
 * series also differs by point shape or dash type so that a greyscale
 * print still tells them apart; the heatmap uses a cividis-like palette
 * (Nunez, Anderton and Renslow 2018), whose lightness rises monotonically. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
#define FUNNEL_GRID 240     /* sample sizes the limit curves are drawn through */
#define MAX_PERIODS 200     /* on the trend chart, back from the charted period */
#define GNUPLOT_PROCESSES 2 /* drawing at once: the charts take both cores */

/* Okabe-Ito colours. */
#define C_BLACK "#000000"
#define C_ORANGE "#E69F00"
#define C_GREEN "#009E73"
#define C_BLUE "#0072B2"
#define C_VERMILLION "#D55E00"
#define C_PURPLE "#CC79A7"
#define C_GREY "#808080"

#define FONT "'DejaVu Sans,10'"

/* An item of the charts: a dictionary entry (an item, not a theme). */
struct key_item {
    const char *id;
    char *label;       /* for titles: its question text, else its label; owned */
    char *short_label; /* for tics and keys: its label; owned */
    size_t family;     /* its report section (index in the dictionary), DICT_NONE */
    bool funnel, heatmap;
};

/* Series styles: colour, point type, dash type (4 series a panel). */
static const char *const series_colour[] = {C_BLUE, C_VERMILLION, C_GREEN, C_PURPLE};
static const int series_point[] = {7, 5, 9, 13};
static const int series_dash[] = {1, 2, 4, 5};

struct spc_item;

struct charts {
    const struct report_options *opt;
    const struct results *r;
    const struct run *run; /* the org, period and rows, shared with the text */
    const char *period;    /* survey period charted (run->period) */
    struct key_item *keys; /* every item of the dictionary, in its order; owned */
    size_t n_keys;
    struct spc_item *spc_items; /* the series spc.csv may hold; owned */
    size_t n_spc_items;
    /* The declared WRES groups of the survey in the forest plot's words
     * ("Global majority vs White staff: ratio of %", ...); owned. */
    char *survey_heading, *survey_key, *groups_title, *ratio_axis;
    struct chart_plotters *plotters; /* drawing the charts */
    struct sent_chart **sent;        /* the charts sent to them, in order; owned */
    size_t n_sent, cap_sent;
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

/* The item of the charts with id, or NULL. */
static const struct key_item *find_key_item(const struct charts *c, const char *id)
{
    for (size_t i = 0; i < c->n_keys; i++)
        if (strcmp(c->keys[i].id, id) == 0)
            return &c->keys[i];
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
    bool hypertext;  /* points carry hover titles: the SVG is given <title>s */
    struct buf data; /* data blocks */
    struct buf body; /* commands, sent once per output format */
};

static void chart_init(struct chart *ch, char *stem, int width, int height)
{
    ch->stem = stem;
    ch->width = width;
    ch->height = height;
    ch->hypertext = false;
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

/* gnuplot's SVG terminal draws a hypertext label as a group whose
 * onmousemove calls a script the file does not hold, with an empty
 * <title>: this gives each such group its text as a plain <title> (which a
 * browser shows on hover) and drops the calls.  The text is as gnuplot
 * escaped it (&amp; &lt;); hover_text keeps quotes out of it. */
#define SVG_HYPER_OPEN "<g onmousemove=\"gnuplot_svg.showHypertext(evt,'"
#define SVG_HYPER_CLOSE "')\" onmouseout=\"gnuplot_svg.hideHypertext()\"><title> </title>"
static const char *find_text(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; (size_t)(end - p) >= n; p++) {
        p = memchr(p, needle[0], (size_t)(end - p) - n + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, n) == 0)
            return p;
    }
    return NULL;
}

static void svg_titles(const char *svg, size_t len, struct buf *out)
{
    const char *p = svg, *end = svg + len;
    for (;;) {
        const char *open = find_text(p, end, SVG_HYPER_OPEN);
        const char *text = open ? open + strlen(SVG_HYPER_OPEN) : NULL;
        const char *close = text ? find_text(text, end, SVG_HYPER_CLOSE) : NULL;
        if (!close) {
            buf_append(out, p, (size_t)(end - p));
            return;
        }
        buf_append(out, p, (size_t)(open - p));
        buf_puts(out, "<g><title>");
        buf_append(out, text, (size_t)(close - text));
        buf_puts(out, "</title>");
        p = close + strlen(SVG_HYPER_CLOSE);
    }
}

/* Rewrite the SVG gnuplot wrote into af (open, written by name) with
 * svg_titles, through af's own stream.  False with a message on error. */
static bool svg_add_titles(struct atomic_file *af, struct buf *err)
{
    FILE *fp = af->fp;
    struct buf svg, out;
    buf_init(&svg);
    buf_init(&out);
    errno = 0;
    bool ok = fflush(fp) == 0 && fseek(fp, 0, SEEK_SET) == 0;
    FILE *in = ok ? fopen(af->temp_path ? af->temp_path : af->final_path, "rb") : NULL;
    char chunk[65536];
    size_t got;
    while (in && (got = fread(chunk, 1, sizeof(chunk), in)) > 0)
        buf_append(&svg, chunk, got);
    ok = in && !ferror(in);
    if (in)
        fclose(in);
    if (ok) {
        svg_titles(svg.data ? svg.data : "", svg.len, &out);
        ok = ftruncate(fileno(fp), 0) == 0 && fseek(fp, 0, SEEK_SET) == 0 &&
             atomic_write(af, out.data ? out.data : "", out.len) && fflush(fp) == 0;
    }
    if (!ok)
        buf_printf(err, "%s: cannot add the points' titles to the SVG: %s", af->final_path,
                   strerror(af->write_errno ? af->write_errno
                            : errno         ? errno
                                            : EIO));
    buf_release(&svg);
    buf_release(&out);
    return ok;
}

/* ---- drawing: charts sent to gnuplot processes --------------------------- */

/* One gnuplot process drawing charts in turn (struct chart_plotters). */
struct plotter {
    struct gnuplot gp;
    bool running;         /* gp is open: charts can be sent to it */
    bool failed;          /* could not start, or finished with an error */
    unsigned long pixels; /* of the charts sent to it: its share of the work */
};

/* The charts' gnuplot processes, GNUPLOT_PROCESSES of them (one a core):
 * each chart is sent whole to one of them, and all draw while
 * candour-report goes on; report_charts waits for them at the end. */
struct chart_plotters {
    struct plotter p[GNUPLOT_PROCESSES];
};

/* A chart sent to a plotter and waiting for it to finish: its two files,
 * open under temporary names, and its script, kept to draw it again in a
 * gnuplot of its own when its plotter fails, so that a failure is reported
 * for the chart that failed, and the other charts are drawn all the same. */
struct sent_chart {
    char *stem; /* owned */
    bool hypertext;
    struct atomic_file files[2]; /* PNG, SVG */
    struct buf script;
    size_t plotter; /* NO_PLOTTER: none was running, drawn alone */
};
#define NO_PLOTTER ((size_t)-1)

struct chart_plotters *charts_start(void)
{
    if (!gnuplot_on_path())
        return NULL;
    struct chart_plotters *ps = xcalloc(1, sizeof(*ps));
    for (size_t i = 0; i < GNUPLOT_PROCESSES; i++) {
        struct buf err;
        buf_init(&err);
        /* a gnuplot that cannot start is started again for each of its
         * charts, alone, which then says why */
        ps->p[i].running = gnuplot_open(&ps->p[i].gp, &err);
        ps->p[i].failed = !ps->p[i].running;
        buf_release(&err);
    }
    return ps;
}

/* Wait for every running plotter: their failed flags say how they ended. */
static void plotters_finish(struct chart_plotters *ps)
{
    for (size_t i = 0; ps && i < GNUPLOT_PROCESSES; i++) {
        struct plotter *p = &ps->p[i];
        if (!p->running)
            continue;
        struct buf err;
        buf_init(&err);
        p->failed = !gnuplot_finish(&p->gp, &err); /* the charts say why */
        p->running = false;
        buf_release(&err);
    }
}

void charts_stop(struct chart_plotters *ps)
{
    if (!ps)
        return;
    /* SIGPIPE cannot come: nothing is written, the pipes are only closed */
    plotters_finish(ps);
    free(ps);
}

/* The running plotter with the least work sent to it (pixels are what
 * gnuplot's time goes into: PNG encoding above all), or NO_PLOTTER. */
static size_t plotter_choose(const struct chart_plotters *ps)
{
    size_t best = NO_PLOTTER;
    for (size_t i = 0; ps && i < GNUPLOT_PROCESSES; i++) {
        const struct plotter *p = &ps->p[i];
        if (p->running && !p->gp.write_errno &&
            (best == NO_PLOTTER || p->pixels < ps->p[best].pixels))
            best = i;
    }
    return best;
}

/* The script drawing ch into files (PNG then SVG, each under its temporary
 * name): false when the output directory's name cannot be given to gnuplot.
 * It begins with `reset session`, so that a chart drawn after others in the
 * same gnuplot starts from the state a new gnuplot has: nothing of the
 * previous charts (data blocks, variables, settings) is left for it, and it
 * sets its terminal, every option named, and its output itself.  (The case
 * report/charts-processes draws each chart again alone and compares.) */
static bool chart_script(const struct chart *ch, const struct atomic_file files[2],
                         struct buf *script)
{
    static const char *const terminals[] = {
        "pngcairo size %d,%d font " FONT " noenhanced background rgb 'white'\n",
        "svg size %d,%d font " FONT " noenhanced background rgb 'white'\n",
    };
    buf_puts(script, "reset session\nset encoding utf8\n");
    buf_append(script, ch->data.data, ch->data.len);
    for (size_t i = 0; i < 2; i++) {
        buf_puts(script, "set terminal ");
        buf_printf(script, terminals[i], ch->width, ch->height);
        buf_puts(script, "set output ");
        if (!gp_put_path(script, files[i].temp_path ? files[i].temp_path : files[i].final_path))
            return false;
        buf_puts(script, "\n");
        buf_append(script, ch->body.data, ch->body.len);
        buf_puts(script, "unset output\n");
    }
    return true;
}

/* Draw ch as OUTDIR/STEM.png and .svg: each file is opened under a
 * temporary name in OUTDIR and the script sent to a plotter; the files are
 * handed to c->opt->outputs (renamed into place at the end of the run) by
 * charts_collect, only when gnuplot succeeded without a word on stderr. */
static void chart_draw(struct charts *c, struct chart *ch)
{
    static const char *const extensions[] = {"png", "svg"};
    struct sent_chart *s = xcalloc(1, sizeof(*s));
    size_t opened = 0;
    struct buf err;
    buf_init(&err);
    buf_init(&s->script);
    for (; opened < 2; opened++) {
        char *path = xasprintf("%s/%s.%s", c->opt->output_dir, ch->stem, extensions[opened]);
        bool ok = atomic_open(&s->files[opened], path, 0644, &err);
        free(path);
        if (!ok) {
            fprintf(stderr, "candour-report: %s\n", err.data);
            c->io_error = true;
            goto out_abort;
        }
    }
    if (!chart_script(ch, s->files, &s->script)) {
        fprintf(stderr,
                "candour-report: %s: the output directory's name has a control character: "
                "charts not drawn\n",
                ch->stem);
        c->io_error = true;
        goto out_abort;
    }
    s->stem = xstrdup(ch->stem);
    s->hypertext = ch->hypertext;
    s->plotter = plotter_choose(c->plotters);
    if (s->plotter != NO_PLOTTER) {
        struct plotter *p = &c->plotters->p[s->plotter];
        p->pixels += (unsigned long)ch->width * (unsigned long)ch->height;
        gnuplot_send(&p->gp, s->script.data, s->script.len); /* a failure: at the end */
    }
    xgrow(&c->sent, &c->cap_sent, c->n_sent + 1, sizeof(*c->sent));
    c->sent[c->n_sent++] = s;
    buf_release(&err);
    return;
out_abort:
    for (size_t i = 0; i < opened; i++)
        atomic_abort(&s->files[i]);
    buf_release(&s->script);
    free(s);
    buf_release(&err);
}

/* Draw s again in a gnuplot of its own (its plotter failed, or none ran),
 * into the same temporary files: true when it succeeded, else the failure
 * said on stderr. */
static bool chart_draw_alone(struct charts *c, const struct sent_chart *s)
{
    struct buf err;
    buf_init(&err);
    struct gnuplot gp;
    bool ok = gnuplot_open(&gp, &err) && gnuplot_run(&gp, s->script.data, s->script.len, &err);
    if (!ok) {
        fprintf(stderr, "candour-report: chart '%s': %s\n", s->stem, err.data);
        c->chart_error = true;
    }
    buf_release(&err);
    return ok;
}

/* s, drawn by gnuplot: check that both images were written, give the SVG
 * its hover titles and hand both files to c->opt->outputs; else abort
 * them, saying why. */
static void chart_keep(struct charts *c, struct sent_chart *s)
{
    struct buf err;
    buf_init(&err);
    for (size_t i = 0; i < 2; i++) {
        if (!image_written(s->files[i].temp_path ? s->files[i].temp_path : s->files[i].final_path,
                           i == 0)) {
            fprintf(stderr, "candour-report: chart '%s': gnuplot wrote no %s image\n", s->stem,
                    i == 0 ? "PNG" : "SVG");
            c->chart_error = true;
            goto out_abort;
        }
    }
    if (s->hypertext && !svg_add_titles(&s->files[1], &err)) {
        fprintf(stderr, "candour-report: %s\n", err.data);
        c->io_error = true;
        goto out_abort;
    }
    for (size_t i = 0; i < 2; i++)
        outputs_add(c->opt->outputs, &s->files[i]);
    buf_release(&err);
    return;
out_abort:
    for (size_t i = 0; i < 2; i++)
        atomic_abort(&s->files[i]);
    buf_release(&err);
}

/* Wait for the plotters, then take each chart sent, in the order drawn
 * (so messages and files come in that order whatever process drew them):
 * a chart whose plotter failed is drawn again alone, so that the one
 * that failed says why and the others are kept. */
static void charts_collect(struct charts *c)
{
    plotters_finish(c->plotters);
    for (size_t i = 0; i < c->n_sent; i++) {
        struct sent_chart *s = c->sent[i];
        bool drawn = s->plotter != NO_PLOTTER && !c->plotters->p[s->plotter].failed;
        if (drawn || chart_draw_alone(c, s)) {
            chart_keep(c, s);
        } else {
            for (size_t k = 0; k < 2; k++)
                atomic_abort(&s->files[k]);
        }
        free(s->stem);
        buf_release(&s->script);
        free(s);
    }
    free(c->sent);
    c->sent = NULL;
    c->n_sent = c->cap_sent = 0;
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
    if (strcmp(state, SUPPRESSED_LEDGER) == 0)
        return xasprintf("changed by fewer than %ld since a release", min_n);
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

/* A chart's measure: "positive", "experiencing", or MEASURE_MIXED when its
 * items have both. */
#define MEASURE_MIXED "mixed"

static const char *measure_axis(const char *measure)
{
    return strcmp(measure, "experiencing") == 0  ? "% experiencing (lower is better)"
           : strcmp(measure, MEASURE_MIXED) == 0 ? "% positive, or experiencing (see the item)"
                                                 : "% positive (higher is better)";
}

/* The measure of a chart whose measure so far is *have (NULL: no item yet)
 * once an item of measure `measure` joins it. */
static void measure_join(const char **have, const char *measure)
{
    if (!*have || strcmp(*have, measure) == 0)
        *have = measure;
    else
        *have = MEASURE_MIXED;
}

/* ---- funnel plots ------------------------------------------------------ */

struct funnel_org {
    const char *org;
    const char *state; /* the suppressed column */
    bool shown;
    double n, pct;
    double limits[4]; /* lower95, upper95, lower998, upper998 as written */
    /* national funnel: */
    const char *name; /* trends.csv org_name in the period, else NULL */
    size_t group;     /* index into funnel.groups */
    bool outside;     /* beyond the 99.8% limits */
    bool labelled;    /* its code could be placed beside it */
    bool leader;      /* ... set off from it, with a leader line */
    double label_x, label_y, leader_x, leader_y;
};

/* The national funnel tells benchmarking groups apart: at most this many
 * styles (shape and colour) before they repeat. */
#define FUNNEL_STYLES 10
static const int group_point[FUNNEL_STYLES] = {7, 5, 9, 11, 13, 15, 4, 6, 8, 12};
static const char *const group_colour[FUNNEL_STYLES] = {
    C_BLUE,    C_VERMILLION, C_GREEN, C_ORANGE,     C_PURPLE,
    "#56B4E9", C_BLACK,      C_BLUE,  C_VERMILLION, C_GREEN};

/* What a funnel plot of one item shows, gathered from benchmarks.csv. */
struct funnel {
    const char *bench;       /* the comparison: the org's group, or ALL */
    struct funnel_org *orgs; /* every org of the comparison; owned */
    size_t n_orgs, n_hidden, n_visible;
    struct funnel_org *trust; /* the reported org among them; NULL with --all */
    double target, tau2, n_min, n_max;
    const char *model, *measure;
    /* the drawing's extent: sample sizes from n_start to x_max */
    double n_start, x_max, y_lo, y_hi;
    size_t n_others; /* shown orgs other than the trust */
    /* national funnel: each org's benchmarking group (from its GROUP: rows) */
    const char **groups; /* owned array; the names are the table's */
    size_t n_groups;
    size_t n_outside, n_unlabelled;
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

/* benchmarks.csv's columns, found once per chart. */
struct bench_columns {
    size_t item, dim, group, org, n, est, target, model, bench, supp, tau2, weighted, measure,
        limits[4];
};

static struct bench_columns bench_columns(const struct csv_table *t)
{
    return (struct bench_columns){csv_table_column(t, "item"),
                                  csv_table_column(t, "group_dim"),
                                  csv_table_column(t, "group"),
                                  csv_table_column(t, "org"),
                                  csv_table_column(t, "n"),
                                  csv_table_column(t, "estimate"),
                                  csv_table_column(t, "target"),
                                  csv_table_column(t, "model"),
                                  csv_table_column(t, "benchmark"),
                                  csv_table_column(t, "suppressed"),
                                  csv_table_column(t, "tau2"),
                                  csv_table_column(t, "weighted"),
                                  csv_table_column(t, "measure"),
                                  {csv_table_column(t, "lower95"), csv_table_column(t, "upper95"),
                                   csv_table_column(t, "lower998"),
                                   csv_table_column(t, "upper998")}};
}

/* Is row r of benchmarks.csv the unweighted whole-org comparison of item? */
static bool funnel_row(const struct csv_table *t, const struct bench_columns *k, size_t r,
                       const char *item)
{
    return strcmp(cell(t, r, k->item), item) == 0 && strcmp(cell(t, r, k->dim), "all") == 0 &&
           strcmp(cell(t, r, k->group), "all") == 0 && strcmp(cell(t, r, k->weighted), "yes") != 0;
}

/* The comparison the item's funnel is drawn against: the run's
 * benchmarking group when the org has a row of the item in it, else ALL.
 * NULL when the item was not asked in the period. */
static const char *funnel_comparison(const struct charts *c, const struct bench_columns *k,
                                     const char *item)
{
    const struct csv_table *t = &c->r->benchmarks;
    const struct view *rows = &c->run->bench_period;
    const char *bench = NULL;
    bool asked = false;
    for (size_t i = 0; i < rows->n; i++) {
        size_t r = rows->rows[i];
        if (!funnel_row(t, k, r, item))
            continue;
        asked = true;
        if (!c->opt->all && strcmp(cell(t, r, k->org), c->run->org) == 0 &&
            strcmp(cell(t, r, k->bench), c->run->benchmark) == 0)
            bench = c->run->benchmark;
    }
    return !asked ? NULL : bench ? bench : SCOPE_ALL_ORGS;
}

/* One org of the comparison into f->orgs; false on a malformed number. */
static bool funnel_add_org(struct charts *c, struct funnel *f, size_t *cap,
                           const struct bench_columns *k, size_t r)
{
    const struct csv_table *t = &c->r->benchmarks;
    if (isnan(f->target) && *cell(t, r, k->target)) {
        if (!number(c, t, r, k->target, &f->target))
            return false;
        f->model = cell(t, r, k->model);
        f->measure = cell(t, r, k->measure);
        f->tau2 = number_or_nan(t, r, k->tau2);
        if (!isfinite(f->tau2))
            f->tau2 = 0.0;
    }
    xgrow(&f->orgs, cap, f->n_orgs + 1, sizeof(*f->orgs));
    struct funnel_org *o = &f->orgs[f->n_orgs++];
    memset(o, 0, sizeof(*o));
    o->org = cell(t, r, k->org);
    o->state = cell(t, r, k->supp);
    if (!row_shown(t, r)) {
        f->n_hidden++;
        return true;
    }
    double estimate;
    if (!number(c, t, r, k->n, &o->n) || !number(c, t, r, k->est, &estimate))
        return false;
    for (int l = 0; l < 4; l++)
        if (!number(c, t, r, k->limits[l], &o->limits[l]))
            return false;
    o->shown = true;
    o->pct = 100.0 * estimate;
    f->n_visible++;
    f->n_min = fmin(f->n_min, o->n);
    f->n_max = fmax(f->n_max, o->n);
    return true;
}

/* True when an org of the funnel is marked incomplete (rows rejected at
 * ingest): every pooled figure holding that org is incomplete too, so a
 * blank target is then missing, not suppressed. */
static bool funnel_incomplete(const struct funnel *f)
{
    for (size_t i = 0; i < f->n_orgs; i++)
        if (strcmp(f->orgs[i].state, SUPPRESSED_INCOMPLETE) == 0)
            return true;
    return false;
}

/* The curves must pass through the limits the table gives each org: the
 * chart and benchmarks.csv tell the same story.  False (bad data, said)
 * when they do not. */
static bool funnel_limits_agree(struct charts *c, const struct funnel *f, const char *stem)
{
    for (size_t i = 0; i < f->n_orgs; i++) {
        const struct funnel_org *o = &f->orgs[i];
        struct m_interval l95, l998;
        if (!o->shown)
            continue;
        if (!funnel_limits(f->model, f->target, f->tau2, o->n, 0.95, &l95) ||
            !funnel_limits(f->model, f->target, f->tau2, o->n, 0.998, &l998) ||
            fabs(l95.lower - o->limits[0]) > 1e-9 || fabs(l95.upper - o->limits[1]) > 1e-9 ||
            fabs(l998.lower - o->limits[2]) > 1e-9 || fabs(l998.upper - o->limits[3]) > 1e-9) {
            char *org = quoted(o->org);
            note(stem, "the control limits of %s in benchmarks.csv are not those of its model",
                 org);
            free(org);
            c->data_error = true;
            return false;
        }
    }
    return true;
}

/* The national funnel's org g-index for group name (added when new). */
static size_t funnel_group(struct funnel *f, size_t *cap, const char *name)
{
    for (size_t g = 0; g < f->n_groups; g++)
        if (strcmp(f->groups[g], name) == 0)
            return g;
    xgrow(&f->groups, cap, f->n_groups + 1, sizeof(*f->groups));
    f->groups[f->n_groups] = name;
    return f->n_groups++;
}

static int compare_group_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* For the national funnel: each org's benchmarking group (the GROUP:
 * comparison it has a row of the item in; "no benchmarking group" when
 * none), groups in name order, and its name in the period (trends.csv
 * org_name; NULL when the results hold none). */
static void funnel_national_orgs(struct charts *c, const struct bench_columns *k, const char *item,
                                 struct funnel *f)
{
    const struct csv_table *t = &c->r->benchmarks;
    const struct view *rows = &c->run->bench_period;
    struct strdict codes;
    strdict_init(&codes);
    for (size_t i = 0; i < f->n_orgs; i++)
        strdict_intern(&codes, f->orgs[i].org, strlen(f->orgs[i].org));
    const char **group_of = xcalloc(f->n_orgs + 1, sizeof(char *));
    for (size_t i = 0; i < rows->n; i++) {
        size_t r = rows->rows[i];
        const char *bench = cell(t, r, k->bench);
        if (!is_group_scope(bench) || !funnel_row(t, k, r, item))
            continue;
        const char *org = cell(t, r, k->org);
        int64_t o = strdict_find(&codes, org, strlen(org));
        if (o >= 0 && !group_of[o])
            group_of[o] = bench + SCOPE_GROUP_PREFIX_LEN;
    }
    size_t cap = 0;
    for (size_t i = 0; i < f->n_orgs; i++) {
        if (!group_of[i])
            group_of[i] = "no benchmarking group";
        funnel_group(f, &cap, group_of[i]);
    }
    qsort(f->groups, f->n_groups, sizeof(*f->groups), compare_group_names);
    for (size_t i = 0; i < f->n_orgs; i++)
        f->orgs[i].group = funnel_group(f, &cap, group_of[i]);
    free(group_of);
    const struct csv_table *tr = &c->r->trends;
    size_t org_col = csv_table_column(tr, "org"), name_col = csv_table_column(tr, "org_name"),
           period_col = csv_table_column(tr, "period");
    for (size_t r = 0; name_col != NO_COLUMN && r < tr->n_rows; r++) {
        const char *org = cell(tr, r, org_col), *name = cell(tr, r, name_col);
        int64_t o = strdict_find(&codes, org, strlen(org));
        if (o >= 0 && *name && !f->orgs[o].name && same_period(cell(tr, r, period_col), c->period))
            f->orgs[o].name = name;
    }
    strdict_release(&codes);
}

/* Gather the funnel plot of item into f: the comparison, its orgs, the
 * target and model.  False when there is nothing to draw (said on stderr
 * unless the item was not asked in the period); the caller frees f->orgs. */
static bool funnel_gather(struct charts *c, const struct key_item *item, const char *stem,
                          struct funnel *f)
{
    const struct csv_table *t = &c->r->benchmarks;
    const struct view *rows = &c->run->bench_period;
    struct bench_columns k = bench_columns(t);
    memset(f, 0, sizeof(*f));
    f->target = NAN;
    f->n_min = INFINITY;
    f->model = "";
    f->measure = "positive";
    f->bench = funnel_comparison(c, &k, item->id);
    if (!f->bench)
        return false;
    size_t cap = 0;
    for (size_t i = 0; i < rows->n; i++) {
        size_t r = rows->rows[i];
        if (funnel_row(t, &k, r, item->id) && strcmp(cell(t, r, k.bench), f->bench) == 0 &&
            !funnel_add_org(c, f, &cap, &k, r))
            return false;
    }
    for (size_t i = 0; !c->opt->all && i < f->n_orgs; i++)
        if (strcmp(f->orgs[i].org, c->run->org) == 0)
            f->trust = &f->orgs[i];
    if (!c->opt->all && !f->trust) {
        char *org = quoted(c->opt->org);
        note(stem, "no result for %s in benchmarks.csv", org);
        free(org);
        return false;
    }
    if (isnan(f->target)) {
        char *b = quoted(f->bench);
        if (funnel_incomplete(f)) /* not suppression: say what is missing */
            note(stem, "the pooled figure of %s was not computed: input rows that would "
                       "have fed it were rejected at ingest", b);
        else
            note(stem, "the pooled figure of %s is suppressed", b);
        free(b);
        return false;
    }
    if (c->opt->all)
        funnel_national_orgs(c, &k, item->id, f);
    return funnel_limits_agree(c, f, stem);
}

/* The limit curves through a geometric grid of whole sample sizes, from
 * n_start (the threshold) to x_max, as data block $limits.  False when the
 * model gives no limits (bad data, said). */
static bool funnel_curves(struct charts *c, struct chart *ch, struct funnel *f)
{
    f->n_start = fmax(1.0, (double)c->run->min_n);
    f->x_max = f->n_visible ? f->n_max * 1.08 : f->n_start * 20.0;
    if (f->x_max <= f->n_start * 2)
        f->x_max = f->n_start * 2;
    gp_block_begin(&ch->data, "limits");
    double last_n = 0.0;
    bool limits_ok = true;
    for (int k = 0; k <= FUNNEL_GRID; k++) {
        double n = round(f->n_start * pow(f->x_max / f->n_start, (double)k / FUNNEL_GRID));
        if (n <= last_n)
            continue;
        last_n = n;
        struct m_interval l95, l998;
        if (!funnel_limits(f->model, f->target, f->tau2, n, 0.95, &l95) ||
            !funnel_limits(f->model, f->target, f->tau2, n, 0.998, &l998)) {
            limits_ok = false;
            break;
        }
        double row[] = {n,
                        100 * l95.lower,
                        100 * l95.upper,
                        100 * l998.lower,
                        100 * l998.upper,
                        100 * f->target};
        gp_block_row(&ch->data, ARRAY_LEN(row), row);
    }
    gp_block_end(&ch->data);
    if (!limits_ok) {
        char *m = quoted(f->model);
        note(ch->stem, "cannot compute control limits for the model %s", m);
        free(m);
        c->data_error = true;
    }
    return limits_ok;
}

/* The y range (every shown org, and the 99.8% limits from half the
 * smallest shown org's n: the narrow end is what the eye reads; the
 * national funnel: the shown orgs only, padded) and the points as data
 * blocks $orgs (national: $group0, $group1, ... per benchmarking group),
 * $trust and $target. */
static void funnel_points(struct charts *c, struct chart *ch, struct funnel *f)
{
    const bool national = c->opt->all;
    struct buf *d = &ch->data;
    f->y_lo = 100 * f->target;
    f->y_hi = 100 * f->target;
    f->n_others = 0;
    for (size_t i = 0; i < f->n_orgs; i++) {
        if (!f->orgs[i].shown)
            continue;
        f->y_lo = fmin(f->y_lo, f->orgs[i].pct);
        f->y_hi = fmax(f->y_hi, f->orgs[i].pct);
        if (&f->orgs[i] != f->trust)
            f->n_others++;
    }
    struct m_interval wide;
    double n_ref = fmax(f->n_start, f->n_visible ? round(f->n_min / 2) : f->n_start);
    if (national) {
        /* the data's range: the limits at tiny n would squash the points */
        double pad = fmax(2.0, 0.08 * (f->y_hi - f->y_lo));
        f->y_lo -= pad;
        f->y_hi += pad;
    } else if (funnel_limits(f->model, f->target, f->tau2, n_ref, 0.998, &wide)) {
        f->y_lo = fmin(f->y_lo, 100 * wide.lower);
        f->y_hi = fmax(f->y_hi, 100 * wide.upper);
    }
    percent_range(f->y_lo, f->y_hi, &f->y_lo, &f->y_hi);
    if (national) {
        /* one block of points per benchmarking group */
        for (size_t g = 0; g < f->n_groups; g++) {
            char name[32];
            snprintf(name, sizeof(name), "group%zu", g);
            gp_block_begin(d, name);
            for (size_t i = 0; i < f->n_orgs; i++)
                if (f->orgs[i].shown && f->orgs[i].group == g)
                    gp_block_row(d, 2, (double[]){f->orgs[i].n, f->orgs[i].pct});
            gp_block_end(d);
        }
    } else if (f->n_others) {
        gp_block_begin(d, "orgs");
        for (size_t i = 0; i < f->n_orgs; i++)
            if (f->orgs[i].shown && &f->orgs[i] != f->trust)
                gp_block_row(d, 2, (double[]){f->orgs[i].n, f->orgs[i].pct});
        gp_block_end(d);
    }
    if (f->trust && f->trust->shown) {
        gp_block_begin(d, "trust");
        gp_block_row(d, 2, (double[]){f->trust->n, f->trust->pct});
        gp_block_end(d);
    }
    /* the target as one straight segment (through the grid, hundreds of
     * tiny segments at the narrow end render unevenly) */
    gp_block_begin(d, "target");
    gp_block_row(d, 2, (double[]){f->n_start, 100 * f->target});
    gp_block_row(d, 2, (double[]){f->x_max, 100 * f->target});
    gp_block_end(d);
}

/* The title: the item, the org (or national) and period, the comparison. */
static void funnel_title(struct charts *c, struct buf *b, const struct funnel *f,
                         const struct key_item *item, const char *bench_label,
                         const char *org_label)
{
    const bool national = c->opt->all;
    char *period_label = label_text(c->period, 20);
    char *line1 = xasprintf("%s", item->label);
    char *line2 = national ? xasprintf("National funnel plot, %s", period_label)
                           : xasprintf("%s, %s", org_label, period_label);
    char *line3 = national ? xasprintf("Every org against all orgs (%zu orgs)", f->n_orgs)
                           : xasprintf("Against %s (%zu orgs)", bench_label, f->n_orgs);
    const char *title[] = {line1, line2, line3};
    buf_puts(b, "set title ");
    put_lines(b, title, 3);
    buf_puts(b, " font ',12'\n");
    free(period_label);
    free(line1);
    free(line2);
    free(line3);
}

/* The trust's point labelled beside it (on its left in the right half),
 * nudged away from the target line; no opaque box, which would hide a
 * limit line. */
static void funnel_trust_label(struct buf *b, const struct funnel *f, const char *org_label)
{
    const struct funnel_org *trust = f->trust;
    bool left = trust->n > 0.55 * f->x_max;
    char *text = xasprintf("%s: %.1f%%", org_label, trust->pct);
    buf_puts(b, "set label 1 ");
    gp_put_string(b, text);
    buf_printf(b,
               " at first %.10g, first %.10g offset char %s, char %s %s front "
               "textcolor rgb '" C_VERMILLION "'\n",
               trust->n, trust->pct, left ? "-1.5" : "1.5",
               trust->pct < 100 * f->target ? "-0.4" : "0.4", left ? "right" : "left");
    free(text);
}

/* The national funnel's plot area, fixed so that labels can be placed in
 * pixels: screen fractions of the canvas (left, right, bottom, top). */
#define NAT_LEFT 0.07
#define NAT_RIGHT 0.68
#define NAT_BOTTOM 0.20
#define NAT_TOP 0.88
#define NAT_CHAR_PX 7.5  /* width of a character of the labels' 9 pt font, generously */
#define NAT_LINE_PX 13.0 /* their height */

struct px_box {
    double x0, y0, x1, y1; /* pixels, y down */
};

static bool boxes_overlap(const struct px_box *a, const struct px_box *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

/* The org code of each org beyond the 99.8% limits beside its point,
 * placed greedily (most extreme first) at the first of the spots around it,
 * nearest first, whose box stays in the plot area and overlaps no label
 * placed before it and no point; a label set off from its point gets a
 * leader line.  An org with no free spot is listed in a footnote instead.
 * Sets each org's outside, labelled, label_x/label_y (data coordinates of
 * the label's left end) and the counts. */
static void funnel_place_labels(const struct chart *ch, struct funnel *f)
{
    double left = NAT_LEFT * ch->width, right = NAT_RIGHT * ch->width;
    double top = (1 - NAT_TOP) * ch->height, bottom = (1 - NAT_BOTTOM) * ch->height;
    double x_span = f->x_max, y_span = f->y_hi - f->y_lo;
    size_t *order = xcalloc(f->n_orgs + 1, sizeof(size_t)), n = 0;
    struct px_box *taken = xcalloc(2 * f->n_orgs + 1, sizeof(*taken));
    size_t n_taken = 0;
    for (size_t i = 0; i < f->n_orgs; i++) {
        struct funnel_org *o = &f->orgs[i];
        if (!o->shown)
            continue;
        o->outside = o->pct / 100 < o->limits[2] || o->pct / 100 > o->limits[3];
        if (o->outside)
            order[n++] = i;
        double px = left + o->n / x_span * (right - left);
        double py = bottom - (o->pct - f->y_lo) / y_span * (bottom - top);
        taken[n_taken++] = (struct px_box){px - 4.5, py - 4.5, px + 4.5, py + 4.5};
    }
    f->n_outside = n;
    /* most extreme first: distance from the target over the 99.8% width */
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0; b--) {
            const struct funnel_org *p = &f->orgs[order[b - 1]], *q = &f->orgs[order[b]];
            double dp = fabs(p->pct / 100 - f->target) / fmax(1e-12, p->limits[3] - p->limits[2]);
            double dq = fabs(q->pct / 100 - f->target) / fmax(1e-12, q->limits[3] - q->limits[2]);
            if (dp >= dq)
                break;
            size_t t = order[b - 1];
            order[b - 1] = order[b];
            order[b] = t;
        }
    for (size_t i = 0; i < n; i++) {
        struct funnel_org *o = &f->orgs[order[i]];
        double px = left + o->n / x_span * (right - left);
        double py = bottom - (o->pct - f->y_lo) / y_span * (bottom - top);
        double w = NAT_CHAR_PX * (double)strlen(o->org) + 4;
        /* rings of spots around the point: right, left, above, below, farther out */
        for (int ring = 0; ring < 5 && !o->labelled; ring++) {
            double r = 7 + 11 * ring;
            const double spots[][2] = {{r, 0},         {-r, 0},       {r * 0.6, -r}, {r * 0.6, r},
                                       {-r * 0.6, -r}, {-r * 0.6, r}, {0, -r - 6},   {0, r + 6}};
            for (size_t k = 0; k < ARRAY_LEN(spots) && !o->labelled; k++) {
                double dx = spots[k][0], dy = spots[k][1];
                double x0 = dx > 0 ? px + dx : dx < 0 ? px + dx - w : px - w / 2;
                double yc = py + dy;
                struct px_box box = {x0, yc - NAT_LINE_PX / 2, x0 + w, yc + NAT_LINE_PX / 2};
                bool free_spot =
                    box.x0 >= left && box.x1 <= right && box.y0 >= top && box.y1 <= bottom;
                for (size_t t = 0; free_spot && t < n_taken; t++)
                    free_spot = !boxes_overlap(&box, &taken[t]);
                if (!free_spot)
                    continue;
                o->labelled = true;
                o->leader = ring > 0;
                o->label_x = (box.x0 + 2 - left) / (right - left) * x_span;
                o->label_y = f->y_lo + (bottom - yc) / (bottom - top) * y_span;
                o->leader_x = (fmin(fmax(px, box.x0), box.x1) - left) / (right - left) * x_span;
                o->leader_y =
                    f->y_lo + (bottom - fmin(fmax(py, box.y0), box.y1)) / (bottom - top) * y_span;
                /* a gap of 4 px to the next label: codes side by side must not read as one */
                taken[n_taken++] = (struct px_box){box.x0 - 4, box.y0 - 1, box.x1 + 4, box.y1 + 1};
            }
        }
        f->n_unlabelled += !o->labelled;
    }
    free(taken);
    free(order);
}

/* A point's hover title: org code, name, % and n, with quotes made
 * typographic (the SVG keeps the text in attributes and a quoted script
 * argument before svg_titles moves it). */
static char *hover_text(const struct funnel_org *o)
{
    struct buf b;
    buf_init(&b);
    buf_puts(&b, o->org);
    if (o->name) {
        buf_puts(&b, " ");
        buf_puts(&b, o->name);
    }
    buf_printf(&b, ": %.1f%%, n = %.0f", o->pct, o->n);
    struct buf out;
    buf_init(&out);
    for (size_t i = 0; i < b.len; i++) {
        if (b.data[i] == '"')
            buf_puts(&out, "\u201D");
        else if (b.data[i] == '\'')
            buf_puts(&out, "\u2019");
        else
            buf_putc(&out, b.data[i]);
    }
    buf_release(&b);
    return out.data;
}

/* A group name for the key wrapped at spaces into lines of at most
 * KEY_WRAP characters (a longer word is a line of its own): never cut.
 * Returns the number of lines (at least 1) in lines[], each owned. */
#define KEY_WRAP 30
#define KEY_MAX_LINES 16
static size_t wrap_lines(const char *text, char *lines[KEY_MAX_LINES])
{
    struct buf line;
    buf_init(&line);
    size_t n = 0;
    const char *p = text;
    while (*p == ' ')
        p++;
    do {
        buf_clear(&line);
        while (*p) {
            const char *sp = strchr(p, ' ');
            size_t word = sp ? (size_t)(sp - p) : strlen(p);
            if (line.len && (line.len + 1 + word > KEY_WRAP && n + 1 < KEY_MAX_LINES))
                break;
            if (line.len)
                buf_putc(&line, ' ');
            buf_append(&line, p, word);
            p += word;
            while (*p == ' ')
                p++;
        }
        lines[n++] = xstrdup(line.data ? line.data : "");
    } while (*p);
    buf_release(&line);
    return n;
}

/* The key entries of one benchmarking group: its points titled with the
 * first line of its name, and a key entry without a sample for each further
 * line (gnuplot does not space multi-line key entries). */
static void put_group_plot(struct buf *b, size_t g, const char *name)
{
    char *lines[KEY_MAX_LINES];
    size_t n = wrap_lines(name, lines);
    buf_printf(b, ", $group%zu using 1:2 with points pt %d ps 1.3 lc rgb '%s' title ", g,
               group_point[g % FUNNEL_STYLES], group_colour[g % FUNNEL_STYLES]);
    gp_put_text(b, lines[0], (size_t)-1);
    for (size_t i = 1; i < n; i++) {
        buf_puts(b, ", keyentry with points ps 0 lc rgb 'white' title ");
        gp_put_text(b, lines[i], (size_t)-1);
    }
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
}

/* The national funnel's labels: the outlying orgs' codes where
 * funnel_place_labels put them, and a hover title for every shown org (a
 * hypertext point drawn over its own, alike; PNGs draw only the point). */
static void funnel_national_labels(struct chart *ch, const struct funnel *f)
{
    struct buf *b = &ch->body;
    int tag = 100;
    for (size_t i = 0; i < f->n_orgs; i++) {
        const struct funnel_org *o = &f->orgs[i];
        if (!o->labelled)
            continue;
        if (o->leader)
            buf_printf(b,
                       "set arrow %d from first %.10g, first %.10g to first %.10g, first %.10g "
                       "nohead lc rgb '#999999' lw 0.8 back\n",
                       tag, o->n, o->pct, o->leader_x, o->leader_y);
        buf_printf(b, "set label %d ", tag++);
        gp_put_text(b, o->org, 12);
        buf_printf(b, " at first %.10g, first %.10g left font ',9' front textcolor rgb '#333333'\n",
                   o->label_x, o->label_y);
    }
    for (size_t i = 0; i < f->n_orgs; i++) {
        const struct funnel_org *o = &f->orgs[i];
        if (!o->shown)
            continue;
        char *text = hover_text(o);
        buf_printf(b, "set label %d ", tag++);
        gp_put_string(b, text);
        buf_printf(b,
                   " at first %.10g, first %.10g hypertext point pt %d ps 1.3 lc rgb '%s' front\n",
                   o->n, o->pct, group_point[o->group % FUNNEL_STYLES],
                   group_colour[o->group % FUNNEL_STYLES]);
        free(text);
    }
    ch->hypertext = true;
}

/* Footnotes: the target, the model of the limits and what is suppressed. */
static void funnel_footnotes(struct charts *c, struct chart *ch, const struct funnel *f,
                             const char *bench_label, const char *org_label)
{
    long min_n = c->run->min_n;
    char *foot0 = xasprintf("Target: pooled value of %s, %.1f%%.", bench_label, 100 * f->target);
    char *foot1 =
        xasprintf("Control limits at 95%% and 99.8%%: %s.",
                  strcmp(f->model, "random-effects") == 0
                      ? "random-effects (overdispersion, Spiegelhalter 2005)"
                  : strcmp(f->model, "binomial") == 0 ? "exact binomial (Spiegelhalter 2005)"
                                                      : f->model);
    char *reason = f->trust && !f->trust->shown ? suppression_reason(f->trust->state, min_n) : NULL;
    char *foot2 = reason ? xasprintf("%s: suppressed (%s), not plotted.%s", org_label, reason,
                                     f->n_hidden > 1 ? " Nor are the other suppressed orgs." : "")
                  : f->n_hidden
                      ? xasprintf("%zu of %zu orgs suppressed (disclosure control, threshold %ld "
                                  "respondents), not plotted.",
                                  f->n_hidden, f->n_orgs, min_n)
                      : xasprintf("No org is suppressed (threshold: %ld respondents).", min_n);
    char *foot3 = NULL;
    if (c->opt->all) {
        struct buf unl;
        buf_init(&unl);
        for (size_t i = 0, listed = 0; i < f->n_orgs; i++)
            if (f->orgs[i].outside && !f->orgs[i].labelled && listed++ < 12) {
                buf_puts(&unl, listed > 1 ? ", " : ": ");
                gp_label_text(&unl, f->orgs[i].org, 12);
            }
        if (f->n_unlabelled > 12)
            buf_printf(&unl, " and %zu more", f->n_unlabelled - 12);
        foot3 = f->n_unlabelled
                    ? xasprintf("%zu orgs beyond the 99.8%% limits, labelled with their code; %zu "
                                "not labelled for want of room%s.",
                                f->n_outside, f->n_unlabelled, unl.data)
                    : xasprintf("%zu orgs beyond the 99.8%% limits, labelled with their code. "
                                "In the SVG, hovering over a point shows its org.",
                                f->n_outside);
        buf_release(&unl);
    }
    const char *foot[] = {foot0, foot1, foot2, foot3};
    put_footnotes(&ch->body, 10, foot, foot3 ? 4 : 3, ch->height);
    free(foot3);
    free(reason);
    free(foot0);
    free(foot1);
    free(foot2);
}

/* The plot command: limits, target, the other orgs and the trust. */
static void funnel_plot(struct charts *c, struct buf *b, const struct funnel *f,
                        const char *org_label)
{
    const bool national = c->opt->all;
    buf_puts(b,
             "plot $limits using 1:4 with lines lc rgb '" C_BLACK
             "' dt (3,4) lw 1.5 title '99.8% limits', "
             "$limits using 1:5 with lines lc rgb '" C_BLACK "' dt (3,4) lw 1.5 notitle, "
             "$limits using 1:2 with lines lc rgb '" C_BLUE "' dt (10,5) lw 2 title '95% limits', "
             "$limits using 1:3 with lines lc rgb '" C_BLUE "' dt (10,5) lw 2 notitle, "
             "$target using 1:2 with lines lc rgb '" C_BLACK "' dt 1 lw 2 title 'target'");
    for (size_t g = 0; national && g < f->n_groups; g++)
        put_group_plot(b, g, f->groups[g]);
    if (!national && f->n_others)
        buf_puts(b, ", $orgs using 1:2 with points pt 7 ps 1.3 lc rgb '" C_GREY
                    "' title 'other orgs'");
    if (f->trust && f->trust->shown) {
        buf_puts(b, ", $trust using 1:2 with points pt 13 ps 2.6 lc rgb '" C_VERMILLION "' title ");
        gp_put_string(b, org_label);
    }
    buf_puts(b, "\n");
}

/* The commands that draw a gathered funnel plot. */
static void funnel_commands(struct charts *c, struct chart *ch, const struct funnel *f,
                            const struct key_item *item)
{
    struct buf *b = &ch->body;
    bool is_group = is_group_scope(f->bench);
    char *bench_name =
        label_text(is_group ? f->bench + SCOPE_GROUP_PREFIX_LEN : f->bench, TITLE_PART_MAX);
    char *bench_label = is_group ? xasprintf("benchmarking group '%s'", bench_name)
                                 : xasprintf("all orgs (%s)", bench_name);
    free(bench_name);
    char *org_label = c->opt->all ? NULL : label_text(c->opt->org, LABEL_MAX);
    funnel_title(c, b, f, item, bench_label, org_label);
    buf_printf(b,
               "set xlabel 'Staff who answered the question (n, respondents)'\n"
               "set ylabel '%s'\n",
               measure_axis(f->measure));
    buf_printf(b, "set xrange [0:%.6g]\nset yrange [%.6g:%.6g]\n", f->x_max, f->y_lo, f->y_hi);
    buf_puts(b, "set grid lc rgb '#e5e5e5' lt 1\nset border 3\nset tics nomirror\n"
                "set key outside right top vertical Left reverse spacing 1.3 samplen 3\n");
    if (c->opt->all)
        buf_printf(b,
                   "set lmargin at screen %.2f\nset rmargin at screen %.2f\n"
                   "set bmargin at screen %.2f\nset tmargin at screen %.2f\n",
                   NAT_LEFT, NAT_RIGHT, NAT_BOTTOM, NAT_TOP);
    else
        buf_puts(b, "set bmargin 9\n");
    if (f->trust && f->trust->shown)
        funnel_trust_label(b, f, org_label);
    if (c->opt->all)
        funnel_national_labels(ch, f);
    funnel_footnotes(c, ch, f, bench_label, org_label);
    funnel_plot(c, b, f, org_label);
    free(bench_label);
    free(org_label);
}

/* funnel-ITEM: the item's % of every org of the comparison against its n,
 * with the target and the 95% and 99.8% limits of benchmarks.csv. */
static void chart_funnel(struct charts *c, const struct key_item *item)
{
    if (!dict_id_file_safe(item->id)) {
        char *id = quoted(item->id);
        note("funnel", "the item id %s cannot name a file", id);
        free(id);
        return;
    }
    char *stem = xasprintf("funnel-%s", item->id);
    struct funnel f;
    if (!funnel_gather(c, item, stem, &f)) {
        free(stem);
        free(f.orgs);
        free(f.groups);
        return;
    }
    struct chart ch;
    chart_init(&ch, stem, c->opt->all ? 1200 : 960, c->opt->all ? 800 : 640);
    if (funnel_curves(c, &ch, &f)) {
        funnel_points(c, &ch, &f);
        if (c->opt->all)
            funnel_place_labels(&ch, &f);
        funnel_commands(c, &ch, &f, item);
        chart_draw(c, &ch);
    }
    chart_release(&ch);
    free(f.orgs);
    free(f.groups);
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

/* What the trend chart shows: the org's key items over the periods up to
 * the charted one (at most MAX_PERIODS back). */
struct trend {
    struct period last;        /* the charted period */
    long periods[MAX_PERIODS]; /* ordinals with results, ascending */
    size_t n_periods;
    struct value (*values)[MAX_PERIODS]; /* [key item][period]; owned */
    /* the org's benchmarking group pooled (GROUP:<name> rows), beside it */
    struct value (*group)[MAX_PERIODS]; /* [key item][period]; owned; NULL with none */
    const char *group_name;             /* <name> */
    const char *measure, *method;
    bool any_suppressed;
    bool *family_present; /* [section]: has a row; owned */
    double y_lo, y_hi;
};

/* The key item and period ordinal of a whole-org proportions.csv row in
 * the chart's window; false for any other row. */
static bool trend_row(const struct charts *c, const struct csv_table *t, size_t r,
                      const struct period *last, const struct key_item **item, long *ord)
{
    const char *p = csv_cell(t, r, "period");
    struct period per;
    *item = find_key_item(c, csv_cell(t, r, "item"));
    if (!*item || (*item)->family == DICT_NONE || strcmp(csv_cell(t, r, "group_dim"), "all") != 0 ||
        strcmp(csv_cell(t, r, "group"), "all") != 0 || !period_parse(p, strlen(p), &per) ||
        per.kind != last->kind)
        return false;
    long last_ord = period_ordinal(last);
    *ord = period_ordinal(&per);
    return *ord <= last_ord && *ord > last_ord - MAX_PERIODS;
}

/* The periods of the window that have rows, ascending. */
static void trend_periods(struct charts *c, struct trend *tr)
{
    const struct csv_table *t = &c->r->proportions;
    const struct view *rows = &c->run->prop_org;
    for (size_t i = 0; i < rows->n; i++) {
        const struct key_item *item;
        long ord;
        if (!trend_row(c, t, rows->rows[i], &tr->last, &item, &ord))
            continue;
        bool seen = false;
        for (size_t k = 0; k < tr->n_periods && !seen; k++)
            seen = tr->periods[k] == ord;
        if (!seen)
            tr->periods[tr->n_periods++] = ord;
    }
    qsort(tr->periods, tr->n_periods, sizeof(*tr->periods), compare_long);
}

/* The whole-scope proportions.csv rows of rows in the chart's window
 * into values ([key item][period]); own: they are the org's (which set the
 * chart's measure and interval method), not its group's.  Periods the org
 * has no row in are left out. */
static void trend_fill(struct charts *c, struct trend *tr, const struct view *rows,
                       struct value (*values)[MAX_PERIODS], bool own)
{
    const struct csv_table *t = &c->r->proportions;
    for (size_t i = 0; i < rows->n; i++) {
        size_t r = rows->rows[i], pi = 0;
        const struct key_item *item;
        long ord;
        if (!trend_row(c, t, r, &tr->last, &item, &ord))
            continue;
        while (pi < tr->n_periods && tr->periods[pi] != ord)
            pi++;
        if (pi == tr->n_periods)
            continue;
        struct value *v = &values[item - c->keys][pi];
        if (!row_shown(t, r)) {
            v->state = CELL_SUPPRESSED;
            continue;
        }
        double est, lo, hi;
        if (!number(c, t, r, csv_table_column(t, "estimate"), &est) ||
            !number(c, t, r, csv_table_column(t, "ci_lower"), &lo) ||
            !number(c, t, r, csv_table_column(t, "ci_upper"), &hi))
            continue;
        *v = (struct value){CELL_SHOWN, 100 * est, 100 * lo, 100 * hi};
        if (own) {
            measure_join(&tr->measure, csv_cell(t, r, "measure"));
            tr->method = csv_cell(t, r, "method");
        }
    }
}

/* Gather the trend chart into tr (trend_release frees it): false when the
 * org has no key item in the window. */
static bool trend_gather(struct charts *c, struct trend *tr)
{
    const struct csv_table *t = &c->r->proportions;
    const struct view *rows = &c->run->prop_org;
    memset(tr, 0, sizeof(*tr));
    tr->measure = NULL; /* the first item's; "positive" when none */
    tr->method = "";
    if (!period_parse(c->period, strlen(c->period), &tr->last))
        return false;
    trend_periods(c, tr);
    if (tr->n_periods == 0)
        return false;
    tr->values = xcalloc(c->n_keys ? c->n_keys : 1, sizeof(*tr->values));
    tr->family_present = xcalloc(c->run->dict.n_sections + 1, sizeof(bool));
    trend_fill(c, tr, rows, tr->values, true);
    if (!c->opt->all && is_group_scope(c->run->benchmark)) {
        struct view group_rows;
        view_filter(&group_rows, t, c->run->benchmark, NULL);
        tr->group = xcalloc(c->n_keys ? c->n_keys : 1, sizeof(*tr->group));
        tr->group_name = c->run->benchmark + SCOPE_GROUP_PREFIX_LEN;
        trend_fill(c, tr, &group_rows, tr->group, false);
        view_release(&group_rows);
    }
    if (!tr->measure)
        tr->measure = "positive";
    return true;
}

static bool trend_item_present(const struct trend *tr, size_t item)
{
    for (size_t p = 0; p < tr->n_periods; p++)
        if (tr->values[item][p].state == CELL_SHOWN)
            return true;
    return false;
}

/* Has key item i a shown pooled value of the org's benchmarking group? */
static bool trend_group_present(const struct trend *tr, size_t i)
{
    for (size_t p = 0; tr->group && p < tr->n_periods; p++)
        if (tr->group[i][p].state == CELL_SHOWN)
            return true;
    return false;
}

/* Data block $bgroupI: the benchmarking group's pooled % of key item i
 * where the org has a shown value too (the line runs beside the org's),
 * broken as the org's is; widens the y range. */
static void trend_group_block(struct chart *ch, struct trend *tr, size_t i)
{
    if (!trend_group_present(tr, i) || !trend_item_present(tr, i))
        return;
    char name[64];
    snprintf(name, sizeof(name), "bgroup%zu", i);
    gp_block_begin(&ch->data, name);
    for (size_t p = 0; p < tr->n_periods; p++) {
        const struct value *g = &tr->group[i][p];
        if (p && tr->periods[p] != tr->periods[p - 1] + 1)
            gp_block_break(&ch->data);
        if (g->state == CELL_SHOWN && tr->values[i][p].state == CELL_SHOWN) {
            gp_block_row(&ch->data, 2, (double[]){(double)tr->periods[p], g->pct});
            tr->y_lo = fmin(tr->y_lo, g->pct);
            tr->y_hi = fmax(tr->y_hi, g->pct);
        } else {
            gp_block_break(&ch->data);
        }
    }
    gp_block_end(&ch->data);
}

/* One data block $trendI per key item with a shown value, broken at a
 * period without results; the y range; which families have rows. */
static void trend_blocks(const struct charts *c, struct chart *ch, struct trend *tr)
{
    struct buf *d = &ch->data;
    tr->y_lo = 100;
    tr->y_hi = 0;
    for (size_t i = 0; i < c->n_keys; i++) {
        if (c->keys[i].family == DICT_NONE)
            continue;
        for (size_t p = 0; p < tr->n_periods; p++) {
            const struct value *v = &tr->values[i][p];
            if (v->state == CELL_SHOWN) {
                tr->y_lo = fmin(tr->y_lo, v->lo);
                tr->y_hi = fmax(tr->y_hi, v->hi);
            }
            tr->any_suppressed |= v->state == CELL_SUPPRESSED;
            tr->family_present[c->keys[i].family] |= v->state != CELL_NONE;
        }
        trend_group_block(ch, tr, i);
        if (!trend_item_present(tr, i))
            continue;
        char name[64];
        snprintf(name, sizeof(name), "trend%zu", i);
        gp_block_begin(d, name);
        for (size_t p = 0; p < tr->n_periods; p++) {
            const struct value *v = &tr->values[i][p];
            if (p && tr->periods[p] != tr->periods[p - 1] + 1)
                gp_block_break(d); /* a period without results: no line across it */
            if (v->state == CELL_SHOWN)
                gp_block_row(d, 4, (double[]){(double)tr->periods[p], v->pct, v->lo, v->hi});
            else
                gp_block_break(d);
        }
        gp_block_end(d);
    }
    if (tr->y_lo > tr->y_hi) {
        tr->y_lo = 0;
        tr->y_hi = 100;
    } else {
        percent_range(tr->y_lo, tr->y_hi, &tr->y_lo, &tr->y_hi);
    }
}

/* Does the trend chart draw a benchmarking group line beside some item? */
static bool trend_group_lines(const struct charts *c, const struct trend *tr)
{
    for (size_t i = 0; i < c->n_keys; i++)
        if (c->keys[i].family != DICT_NONE && trend_group_present(tr, i) &&
            trend_item_present(tr, i))
            return true;
    return false;
}

/* The chart's title (the org, the span, the interval), laid out as one
 * panel per family present. */
static void trend_title(struct charts *c, struct buf *b, const struct trend *tr, int panels)
{
    char *org_label = label_text(c->opt->org, LABEL_MAX);
    char first[PERIOD_TEXT_MAX], last[PERIOD_TEXT_MAX];
    struct period pf = period_from_ordinal(tr->last.kind, tr->periods[0]);
    period_format(&pf, first);
    pf = period_from_ordinal(tr->last.kind, tr->periods[tr->n_periods - 1]);
    period_format(&pf, last);
    struct buf sections;
    buf_init(&sections);
    const struct dictionary *d = &c->run->dict;
    for (size_t k = 0; k < d->n_sections; k++) {
        buf_puts(&sections, k == 0 ? "" : k + 1 == d->n_sections ? " and " : ", ");
        gp_label_text(&sections, d->sections[k].title, TITLE_PART_MAX);
    }
    char *line1 = xasprintf("%s: %s, %s to %s", org_label, sections.data, first, last);
    buf_release(&sections);
    const struct m_prop_method_names *names = m_prop_method_find(tr->method);
    char *line2 = xasprintf("Lines: %% of staff %s; shaded: %.0f%% confidence interval%s%s%s",
                            strcmp(tr->measure, "experiencing") == 0  ? "experiencing"
                            : strcmp(tr->measure, MEASURE_MIXED) == 0 ? "answering positively, or "
                                                                        "experiencing"
                                                                      : "answering positively",
                            100 * c->run->conf, names ? " (" : "", names ? names->label : "",
                            names ? ")" : "");
    char *line3 = NULL;
    if (trend_group_lines(c, tr)) {
        struct buf text;
        buf_init(&text);
        buf_puts(&text, "Dotted, in each item's colour: the benchmarking group ");
        gp_label_text(&text, tr->group_name, TITLE_PART_MAX);
        buf_puts(&text, ", its orgs pooled");
        line3 = text.data;
    }
    const char *title[] = {line1, line2, line3};
    buf_printf(b, "set multiplot layout 1,%d title ", panels ? panels : 1);
    put_lines(b, title, line3 ? 3 : 2);
    buf_puts(b, " font ',12'\n");
    free(org_label);
    free(line1);
    free(line2);
    free(line3);
}

/* The axes: the periods' span, at most 12 tics, and the y range. */
static void trend_axes(struct buf *b, const struct trend *tr)
{
    const long *periods = tr->periods;
    size_t n = tr->n_periods;
    double x0 = (double)periods[0], x1 = (double)periods[n - 1];
    if (x0 == x1) {
        x0 -= 1;
        x1 += 1;
    }
    double pad = 0.08 * (x1 - x0);
    buf_printf(b, "set xrange [%.6g:%.6g]\nset yrange [%.6g:%.6g]\n", x0 - pad, x1 + pad, tr->y_lo,
               tr->y_hi);
    buf_puts(b, "set xtics (");
    long span = periods[n - 1] - periods[0] + 1, step = span > 12 ? (span + 11) / 12 : 1;
    for (long ord = periods[0]; ord <= periods[n - 1]; ord += step) {
        char text[PERIOD_TEXT_MAX];
        struct period pp = period_from_ordinal(tr->last.kind, ord);
        period_format(&pp, text);
        buf_printf(b, "%s", ord != periods[0] ? ", " : "");
        gp_put_tic(b, text);
        buf_printf(b, " %ld", ord);
    }
    buf_puts(b, ") nomirror\n");
    buf_printf(b, "set xlabel 'Survey period (%s)'\nset ylabel '%s'\n",
               period_kind_name(tr->last.kind), measure_axis(tr->measure));
}

/* One family's panel: a line with its band per item shown, or a note that
 * every figure is suppressed. */
static void trend_panel(struct charts *c, struct buf *b, const struct trend *tr, size_t family)
{
    struct buf clauses;
    buf_init(&clauses);
    size_t k = 0;
    bool group_lines = false;
    for (size_t i = 0; i < c->n_keys; i++) {
        if (c->keys[i].family != family)
            continue;
        if (trend_item_present(tr, i)) {
            buf_printf(&clauses,
                       "%s$trend%zu using 1:3:4 with filledcurves fc rgb '%s' fs transparent "
                       "solid 0.14 noborder notitle, $trend%zu using 1:2 with linespoints "
                       "lc rgb '%s' dt %d pt %d ps 1.5 lw 2 title ",
                       clauses.len ? ", " : "", i, series_colour[k % 4], i, series_colour[k % 4],
                       series_dash[(k + k / 4) % 4], series_point[(k + k / 4) % 4]);
            gp_put_string(&clauses, c->keys[i].short_label);
            if (trend_group_present(tr, i)) {
                buf_printf(&clauses,
                           ", $bgroup%zu using 1:2 with lines lc rgb '%s' dt (2,3) lw 1.5 notitle",
                           i, series_colour[k % 4]);
                group_lines = true;
            }
        }
        k++;
    }
    buf_puts(b, "set title ");
    char *title = label_text(c->run->dict.sections[family].title, TITLE_PART_MAX);
    gp_put_string(b, title);
    free(title);
    buf_puts(b, "\n");
    if (clauses.len) {
        buf_printf(b,
                   "plot %s, keyentry with filledcurves fc rgb '%s' fs transparent solid "
                   "0.3 noborder title '%.0f%% confidence interval'",
                   clauses.data, C_GREY, 100 * c->run->conf);
        if (group_lines)
            buf_printf(b,
                       ", keyentry with lines lc rgb '%s' dt (2,3) lw 1.5 title "
                       "'dotted: benchmarking group, pooled'",
                       C_GREY);
        buf_puts(b, "\n");
    } else {
        /* nothing to draw: say so in the empty panel */
        buf_puts(b, "set label 20 'Every figure is suppressed' at graph 0.5, graph 0.5 "
                    "center front\nplot -1e9 notitle\nunset label 20\n");
    }
    buf_release(&clauses);
}

/* The commands that draw a gathered trend chart. */
static void trend_commands(struct charts *c, struct chart *ch, const struct trend *tr)
{
    struct buf *b = &ch->body;
    size_t n_families = c->run->dict.n_sections;
    int panels = 0;
    for (size_t f = 0; f < n_families; f++)
        panels += tr->family_present[f];
    trend_title(c, b, tr, panels);
    trend_axes(b, tr);
    buf_puts(b, "set grid lc rgb '#e5e5e5' lt 1\nset border 3\nset ytics nomirror\n"
                "set key below vertical maxcols 1 Left reverse samplen 4 spacing 1.15\n");
    char *foot_lines[1] = {NULL};
    size_t n_foot = 0;
    if (tr->any_suppressed)
        foot_lines[n_foot++] = xasprintf("Gaps: suppressed (fewer than %ld respondents, or "
                                         "protecting such a cell).",
                                         c->run->min_n);
    /* the group line's key entry needs one more line */
    buf_printf(b, "set bmargin %d\n", trend_group_lines(c, tr) ? 13 : 12);
    put_footnotes(b, 10, (const char *const *)foot_lines, n_foot, ch->height);
    for (size_t i = 0; i < n_foot; i++)
        free(foot_lines[i]);
    bool first_panel = true;
    for (size_t f = 0; f < n_families; f++) {
        if (!tr->family_present[f] && panels)
            continue;
        trend_panel(c, b, tr, f);
        if (first_panel) /* the footnote, drawn once */
            buf_puts(b, "unset label 10\n");
        first_panel = false;
        if (!panels)
            break;
    }
    buf_puts(b, "unset multiplot\n");
}

/* trend: the org's key items over the periods up to the charted one, with
 * their intervals; one panel per family. */
static void chart_trend(struct charts *c)
{
    struct trend tr;
    if (trend_gather(c, &tr)) {
        struct chart ch;
        chart_init(&ch, xstrdup("trend"), 1200, 620);
        trend_blocks(c, &ch, &tr);
        trend_commands(c, &ch, &tr);
        chart_draw(c, &ch);
        chart_release(&ch);
    }
    free(tr.values);
    free(tr.group);
    free(tr.family_present);
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

/* What the forest plot shows: a heading and a row per key item (BME /
 * White ratio of disparities.csv), a heading and a row per WRES indicator
 * (wres.csv); a heading without rows is left out. */
struct forest {
    struct forest_row *rows; /* owned */
    size_t n_rows;
    /* by kind (1 survey, 2 WRES): is there a data block of points, of intervals */
    bool has_points[3], has_ci[3];
    double x_lo, x_hi;
};

/* A shown row's ratio and interval from columns ratio, lower and upper. */
static void forest_ratio(struct charts *c, struct forest_row *row, const struct csv_table *t,
                         size_t r, const char *ratio, const char *lower, const char *upper)
{
    row->has_ci = number(c, t, r, csv_table_column(t, lower), &row->lo) &&
                  number(c, t, r, csv_table_column(t, upper), &row->hi);
    row->est = number_or_nan(t, r, csv_table_column(t, ratio));
    row->has_est = isfinite(row->est);
}

/* A forest row from row r of t (disparities.csv or wres.csv): why it is
 * hidden (HR counts hidden as primary: too few staff), or its ratio from
 * columns {ratio, lower, upper} and the side of 1 that is adverse. */
static void forest_add(struct charts *c, struct forest *f, const struct csv_table *t, size_t r,
                       const char *label, int kind, const char *const columns[3],
                       const char *adverse)
{
    struct forest_row *row = &f->rows[f->n_rows++];
    long min_n = c->run->min_n;
    row->label = label;
    row->kind = kind;
    if (!row_shown(t, r)) {
        const char *state = csv_cell(t, r, "suppressed");
        bool hr = kind == 2 && strcmp(csv_cell(t, r, "source"), "hr") == 0 &&
                  strcmp(state, SUPPRESSED_PRIMARY) == 0;
        char *reason =
            hr ? xasprintf("fewer than %ld staff", min_n) : suppression_reason(state, min_n);
        row->value_text = xasprintf("suppressed (%s)", reason);
        free(reason);
        return;
    }
    forest_ratio(c, row, t, r, columns[0], columns[1], columns[2]);
    row->value_text = ratio_text(row, adverse);
}

/* The row of a key item in the org's disparities comparing the declared
 * WRES groups of the survey, if any. */
static void forest_survey_row(struct charts *c, struct forest *f, const struct key_item *item)
{
    static const char *const columns[] = {"ratio", "ratio_lower", "ratio_upper"};
    const struct csv_table *dt = &c->r->disparities;
    const struct dict_wres_side *w = &c->run->dict.survey;
    for (size_t k = 0; k < c->run->disp.n && w->grouping; k++) {
        size_t r = c->run->disp.rows[k];
        if (strcmp(csv_cell(dt, r, "item"), item->id) != 0 ||
            strcmp(csv_cell(dt, r, "group_dim"), w->grouping) != 0 ||
            strcmp(csv_cell(dt, r, "group"), w->comparison) != 0 ||
            strcmp(csv_cell(dt, r, "reference"), w->reference) != 0)
            continue;
        const char *polarity = csv_cell(dt, r, "polarity");
        forest_add(c, f, dt, r, item->short_label, 1, columns,
                   strcmp(polarity, "higher") == 0  ? "below 1"
                   : strcmp(polarity, "lower") == 0 ? "above 1"
                                                    : "");
        return;
    }
}

/* The row of a WRES indicator in the org's wres.csv rows, if any. */
static void forest_wres_row(struct charts *c, struct forest *f, size_t indicator)
{
    static const char *const columns[] = {"relative_likelihood", "rl_lower", "rl_upper"};
    const struct csv_table *wt = &c->r->wres;
    char ind[8];
    snprintf(ind, sizeof(ind), "%d", wres_labels[indicator].indicator);
    for (size_t k = 0; k < c->run->wres.n; k++) {
        size_t r = c->run->wres.rows[k];
        if (strcmp(csv_cell(wt, r, "indicator"), ind) != 0)
            continue;
        const char *adverse = csv_cell(wt, r, "adverse_if");
        forest_add(c, f, wt, r, wres_labels[indicator].label, 2, columns,
                   strcmp(adverse, "above 1") == 0   ? "above 1"
                   : strcmp(adverse, "below 1") == 0 ? "below 1"
                                                     : "");
        return;
    }
}

/* Gather the forest plot's rows into f (the caller frees their
 * value_text); false, said on stderr, when there are none. */
static bool forest_gather(struct charts *c, struct forest *f)
{
    memset(f, 0, sizeof(*f));
    f->rows = xcalloc(c->n_keys + ARRAY_LEN(wres_labels) + 2, sizeof(*f->rows));
    f->rows[f->n_rows++] = (struct forest_row){.label = c->survey_heading};
    for (size_t i = 0; i < c->n_keys; i++)
        if (c->keys[i].family != DICT_NONE)
            forest_survey_row(c, f, &c->keys[i]);
    if (f->n_rows == 1)
        f->n_rows = 0; /* no survey rows: no heading */
    size_t heading2 = f->n_rows;
    f->rows[f->n_rows++] = (struct forest_row){.label = "WRES indicators: relative likelihood"};
    for (size_t i = 0; i < ARRAY_LEN(wres_labels); i++)
        forest_wres_row(c, f, i);
    if (f->n_rows == heading2 + 1)
        f->n_rows--;
    if (f->n_rows == 0) {
        char *org = quoted(c->opt->org);
        note("forest", "no disparity or WRES rows for %s in this period", org);
        free(org);
        free(f->rows);
        return false;
    }
    return true;
}

static const char *const forest_point_block[] = {"", "survey_pt", "wres_pt"};
static const char *const forest_ci_block[] = {"", "survey_ci", "wres_ci"};

/* Data blocks of points and of intervals for each kind of row, and the x
 * range (log scale, from 1/16 to 16 at most). */
static void forest_blocks(struct chart *ch, struct forest *f)
{
    struct buf *d = &ch->data;
    f->x_lo = 0.7;
    f->x_hi = 1.45;
    for (int kind = 1; kind <= 2; kind++) {
        for (int part = 0; part < 2; part++) {
            bool open = false;
            for (size_t i = 0; i < f->n_rows; i++) {
                const struct forest_row *row = &f->rows[i];
                if (row->kind != kind || !row->has_ci || (part == 0 && !row->has_est))
                    continue;
                if (!open)
                    gp_block_begin(d, part == 0 ? forest_point_block[kind] : forest_ci_block[kind]);
                open = true;
                double y = (double)(f->n_rows - 1 - i);
                if (part == 0) {
                    gp_block_row(d, 2, (double[]){row->est, y});
                    f->x_lo = fmin(f->x_lo, row->lo);
                    f->x_hi = fmax(f->x_hi, row->hi);
                } else {
                    gp_block_row(d, 3, (double[]){y, row->lo, row->hi});
                }
            }
            if (open)
                gp_block_end(d);
            (part == 0 ? f->has_points : f->has_ci)[kind] = open;
        }
    }
    f->x_lo = fmax(1.0 / 16, f->x_lo / 1.15);
    f->x_hi = fmin(16.0, f->x_hi * 1.15);
}

/* The title, the ranges, the ratio tics in range and a y tic per row. */
static void forest_axes(struct charts *c, struct buf *b, const struct forest *f)
{
    char *org_label = label_text(c->opt->org, LABEL_MAX);
    char *period_label = label_text(c->period, 20);
    char *line1 = xasprintf("%s, %s: %s", org_label, period_label, c->groups_title);
    char *line2 = xasprintf("Ratio with %.0f%% confidence interval (Katz), log scale; 1 = parity",
                            100 * c->run->conf);
    const char *title[] = {line1, line2};
    buf_puts(b, "set title ");
    put_lines(b, title, 2);
    buf_puts(b, " font ',12'\n");
    buf_printf(b, "set logscale x\nset xrange [%.6g:%.6g]\nset yrange [-0.7:%.6g]\n", f->x_lo,
               f->x_hi, (double)f->n_rows - 0.3);
    static const double ticks[] = {0.0625, 0.125, 0.25, 0.5, 0.8, 1, 1.25, 2, 4, 8, 16};
    buf_puts(b, "set xtics (");
    bool first_tick = true;
    for (size_t i = 0; i < ARRAY_LEN(ticks); i++) {
        if (ticks[i] < f->x_lo || ticks[i] > f->x_hi)
            continue;
        buf_printf(b, "%s'%g' %g", first_tick ? "" : ", ", ticks[i], ticks[i]);
        first_tick = false;
    }
    buf_puts(b, ") nomirror\nset ytics (");
    bool first_label = true;
    for (size_t i = 0; i < f->n_rows; i++) {
        if (f->rows[i].kind == 0)
            continue;
        buf_printf(b, "%s", first_label ? "" : ", ");
        gp_put_tic(b, f->rows[i].label);
        buf_printf(b, " %zu", f->n_rows - 1 - i);
        first_label = false;
    }
    buf_puts(b, ") nomirror scale 0\n");
    free(org_label);
    free(period_label);
    free(line1);
    free(line2);
}

/* Headings on the left with a rule above each, values on the right. */
static void forest_labels(struct buf *b, const struct forest *f)
{
    int tag = 1, arrow = 2;
    for (size_t i = 0; i < f->n_rows; i++) {
        double y = (double)(f->n_rows - 1 - i);
        buf_printf(b, "set label %d ", tag++);
        if (f->rows[i].kind == 0) {
            gp_put_string(b, f->rows[i].label);
            buf_printf(b, " at graph 0, first %g offset char -1, 0 right font ',11' front\n", y);
            buf_printf(b,
                       "set arrow %d from graph 0, first %.6g to graph 1, first %.6g nohead lc "
                       "rgb '#bbbbbb' back\n",
                       arrow++, y + 0.5, y + 0.5);
            continue;
        }
        gp_put_string(b, f->rows[i].value_text ? f->rows[i].value_text : "");
        buf_printf(b, " at graph 1, first %g offset char 2, 0 left front\n", y);
    }
}

/* The plot command: intervals and points of each kind, the shaded range. */
static void forest_plot(const struct charts *c, struct buf *b, const struct forest *f)
{
    static const char *const colour[] = {"", C_BLUE, C_VERMILLION};
    static const int point[] = {0, 7, 5};
    const char *const title_text[] = {"", c->survey_key, "WRES relative likelihood"};
    buf_puts(b, "plot ");
    const char *sep = "";
    for (int kind = 1; kind <= 2; kind++) {
        if (f->has_ci[kind]) {
            buf_printf(b,
                       "%s$%s using (sqrt($2*$3)):1:2:3 with xerrorbars ps 0 lc rgb '%s' lw 2 "
                       "notitle",
                       sep, forest_ci_block[kind], colour[kind]);
            sep = ", ";
        }
        if (f->has_points[kind]) {
            buf_printf(b, "%s$%s using 1:2 with points pt %d ps 1.6 lc rgb '%s' title ", sep,
                       forest_point_block[kind], point[kind], colour[kind]);
            gp_put_string(b, title_text[kind]);
            sep = ", ";
        }
    }
    if (!*sep) /* every row suppressed: something to plot, off the chart */
        buf_puts(b, "-1 notitle, ");
    buf_printf(b,
               "%skeyentry with boxes fc rgb '#d9d9d9' fs solid 1.0 noborder "
               "title 'non-adverse range 0.80 to 1.25'\n",
               sep);
}

/* forest: BME / White ratios of the key items and the WRES relative
 * likelihoods with their intervals, log scale, 0.80-1.25 shaded. */
static void chart_forest(struct charts *c)
{
    struct forest f;
    if (!forest_gather(c, &f))
        return;
    struct chart ch;
    chart_init(&ch, xstrdup("forest"), 1200, 190 + 30 * (int)f.n_rows);
    struct buf *b = &ch.body;
    forest_blocks(&ch, &f);
    forest_axes(c, b, &f);
    buf_puts(b, "set xlabel ");
    gp_put_string(b, c->ratio_axis);
    buf_puts(b, "\nset grid xtics lc rgb '#e5e5e5' lt 1\nset border 1\n"
                "set lmargin 50\nset rmargin 46\nset bmargin 7\n"
                "set key at screen 0.01, screen 0.01 left bottom vertical Left reverse samplen 2 "
                "spacing 1.1\n");
    buf_puts(b, "set object 1 rect from 0.8, graph 0 to 1.25, graph 1 behind fc rgb '#d9d9d9' "
                "fs solid 1.0 noborder\n"
                "set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 2 lc rgb '#404040' lw 1.5 "
                "back\n");
    forest_labels(b, &f);
    forest_plot(c, b, &f);
    chart_draw(c, &ch);
    chart_release(&ch);
    for (size_t i = 0; i < f.n_rows; i++)
        free(f.rows[i].value_text);
    free(f.rows);
}

/* ---- unit x item heatmaps ---------------------------------------------- */

struct unit {
    const char *parent, *name;
    struct value *cells; /* [key item]; owned */
};

static int compare_units(const void *a, const void *b)
{
    const struct unit *x = a, *y = b;
    int c = strcmp(x->parent, y->parent);
    return c ? c : strcmp(x->name, y->name);
}

/* What a heatmap shows: the org's units at one level (sorted by parent and
 * name) against the heatmap items any of them has (dictionary order). */
struct heatmap {
    struct unit *units; /* owned */
    size_t n_units;
    size_t *columns, n_columns; /* indices in c->keys; owned */
    const char *measure;
    double lo, hi; /* colour range, % */
};

/* The unit of a row, added to h when new: its index in h->units. */
static size_t heatmap_unit(const struct charts *c, struct heatmap *h, size_t *cap,
                           struct strdict *index, struct buf *key, const char *parent,
                           const char *name)
{
    buf_clear(key);
    buf_printf(key, "%zu:%s/%s", strlen(parent), parent, name);
    uint32_t code = strdict_intern(index, key->data, key->len);
    if (code == h->n_units) {
        xgrow(&h->units, cap, h->n_units + 1, sizeof(*h->units));
        memset(&h->units[h->n_units], 0, sizeof(*h->units));
        h->units[h->n_units].cells = xcalloc(c->n_keys, sizeof(struct value));
        h->units[h->n_units].parent = parent;
        h->units[h->n_units].name = name;
        h->n_units++;
    }
    return code;
}

/* The cells of the org's units at level, from its proportions.csv rows;
 * which key items any unit has. */
static void heatmap_cells(struct charts *c, struct heatmap *h, const char *level,
                          bool *item_present)
{
    const struct csv_table *t = &c->r->proportions;
    size_t cap = 0;
    struct strdict index;
    strdict_init(&index);
    struct buf key;
    buf_init(&key);
    for (size_t i = 0; i < c->run->prop.n; i++) {
        size_t r = c->run->prop.rows[i];
        const struct key_item *item = find_key_item(c, csv_cell(t, r, "item"));
        if (!item || !item->heatmap || strcmp(csv_cell(t, r, "group_dim"), level) != 0)
            continue;
        size_t u = heatmap_unit(c, h, &cap, &index, &key, csv_cell(t, r, "parent_group"),
                                csv_cell(t, r, "group"));
        struct value *v = &h->units[u].cells[item - c->keys];
        item_present[item - c->keys] = true;
        if (!row_shown(t, r)) {
            v->state = CELL_SUPPRESSED;
            continue;
        }
        double est;
        if (!number(c, t, r, csv_table_column(t, "estimate"), &est))
            continue;
        v->state = CELL_SHOWN;
        v->pct = 100 * est;
        measure_join(&h->measure, csv_cell(t, r, "measure"));
    }
    buf_release(&key);
    strdict_release(&index);
}

/* The colour range: the shown values' in steps of 10, at least 20 wide. */
static void heatmap_range(struct heatmap *h)
{
    double lo = 100, hi = 0;
    size_t n_shown = 0;
    for (size_t u = 0; u < h->n_units; u++)
        for (size_t k = 0; k < h->n_columns; k++) {
            const struct value *v = &h->units[u].cells[h->columns[k]];
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
    h->lo = lo;
    h->hi = hi;
}

/* Gather the heatmap of level into h (the caller frees h->units): false
 * when there is none to draw (said on stderr when there are too many units). */
static bool heatmap_gather(struct charts *c, struct heatmap *h, const char *level, const char *stem)
{
    memset(h, 0, sizeof(*h));
    h->measure = NULL; /* the first item's; "positive" when none */
    bool *item_present = xcalloc(c->n_keys ? c->n_keys : 1, sizeof(bool));
    heatmap_cells(c, h, level, item_present);
    if (!h->measure)
        h->measure = "positive";
    if (h->n_units == 0 || h->n_units > HEATMAP_MAX_ROWS) {
        if (h->n_units) {
            char *count = xasprintf("%zu units are too many to read on one chart (at most %d)",
                                    h->n_units, HEATMAP_MAX_ROWS);
            note(stem, "%s", count);
            free(count);
        }
        free(item_present);
        return false; /* none at this level, or too many */
    }
    qsort(h->units, h->n_units, sizeof(*h->units), compare_units);
    h->columns = xcalloc(c->n_keys ? c->n_keys : 1, sizeof(size_t));
    for (size_t i = 0; i < c->n_keys; i++)
        if (item_present[i])
            h->columns[h->n_columns++] = i;
    free(item_present);
    heatmap_range(h);
    return true;
}

/* The canvas: room for the unit names, 128 pixels a column, the colour box. */
static void heatmap_size(const struct heatmap *h, int *width, int *height)
{
    size_t longest = 0;
    for (size_t u = 0; u < h->n_units; u++) {
        const struct unit *unit = &h->units[u];
        size_t len = strlen(unit->name) + (*unit->parent ? strlen(unit->parent) + 3 : 0);
        longest = len > longest ? len : longest;
    }
    longest = longest > 30 + 3 + LABEL_MAX ? 30 + 3 + LABEL_MAX : longest;
    *width = 260 + 6 * (int)longest + 128 * (int)h->n_columns;
    *height = 210 + (h->n_units > 12 ? 26 : 40) * (int)h->n_units;
}

static const char *const heatmap_blocks[] = {"dark", "light", "supp"};

/* Cells as three data blocks: dark (white text), light (black text; the
 * cividis lightness rises with the value) and suppressed.  Which are used. */
static void heatmap_data(struct chart *ch, const struct heatmap *h, bool used[3])
{
    double middle = h->lo + 0.5 * (h->hi - h->lo);
    for (int blk = 0; blk < 3; blk++) {
        used[blk] = false;
        for (size_t u = 0; u < h->n_units; u++)
            for (size_t k = 0; k < h->n_columns; k++) {
                const struct value *v = &h->units[u].cells[h->columns[k]];
                int which = v->state == CELL_SUPPRESSED ? 2
                            : v->state == CELL_SHOWN    ? (v->pct < middle ? 0 : 1)
                                                        : -1;
                if (which != blk)
                    continue;
                if (!used[blk])
                    gp_block_begin(&ch->data, heatmap_blocks[blk]);
                used[blk] = true;
                gp_block_row(&ch->data, 3, (double[]){(double)k, (double)u, v->pct});
            }
        if (used[blk])
            gp_block_end(&ch->data);
    }
}

/* The title, ranges, palette and the tics: items (split after the colon
 * of "Topic: detail") along the top, units down the side. */
static void heatmap_axes(struct charts *c, struct buf *b, const struct heatmap *h,
                         const char *level)
{
    char *org_label = label_text(c->opt->org, LABEL_MAX);
    char *period_label = label_text(c->period, 20);
    char *line1 = xasprintf("%s, %s: %s by %s", org_label, period_label,
                            strcmp(h->measure, "experiencing") == 0  ? "% experiencing"
                            : strcmp(h->measure, MEASURE_MIXED) == 0 ? "% positive or experiencing"
                                                                     : "% positive",
                            level);
    char *line2 = xasprintf(
        "S = suppressed (fewer than %ld respondents, or protecting such a cell)", c->run->min_n);
    const char *title[] = {line1, line2};
    buf_puts(b, "set title ");
    put_lines(b, title, 2);
    buf_puts(b, " font ',12'\n");
    buf_printf(b, "set xrange [-0.5:%.1f]\nset yrange [%.1f:-0.5]\n", (double)h->n_columns - 0.5,
               (double)h->n_units - 0.5);
    buf_printf(b, "set cbrange [%g:%g]\nset cblabel '%s' offset char 1.5, 0\n", h->lo, h->hi,
               measure_axis(h->measure));
    buf_puts(b, "set palette defined (0 '#00204D', 0.25 '#414D6B', 0.5 '#7C7B78', 0.75 "
                "'#BCAF6F', 1 '#FFEA46')\n"
                "set colorbox vertical user origin graph 1.02, graph 0 size char 2, graph 1\n"
                "set tics scale 0\nset border 0\nunset grid\n"
                "set key below horizontal Left reverse samplen 2\nset rmargin 16\nset bmargin 6\n");
    buf_puts(b, "set xtics (");
    for (size_t k = 0; k < h->n_columns; k++) {
        buf_printf(b, "%s", k ? ", " : "");
        const char *label = c->keys[h->columns[k]].short_label, *colon = strstr(label, ": ");
        if (colon) {
            char *head = xstrndup(label, (size_t)(colon - label) + 1);
            gp_put_tic(b, head);
            buf_puts(b, " . \"\\n\" . ");
            gp_put_tic(b, colon + 2);
            free(head);
        } else {
            gp_put_tic(b, label);
        }
        buf_printf(b, " %zu", k);
    }
    buf_puts(b, ") nomirror font ',9'\nset ytics (");
    for (size_t u = 0; u < h->n_units; u++) {
        struct buf label;
        buf_init(&label);
        if (*h->units[u].parent) {
            gp_label_text(&label, h->units[u].parent, 30);
            buf_puts(&label, " / ");
        }
        gp_label_text(&label, h->units[u].name, LABEL_MAX);
        buf_printf(b, "%s", u ? ", " : "");
        gp_put_tic(b, label.data);
        buf_printf(b, " %zu", u);
        buf_release(&label);
    }
    buf_puts(b, ") nomirror\n");
    free(org_label);
    free(period_label);
    free(line1);
    free(line2);
}

/* The plot command: coloured cells, hatched suppressed ones, their labels. */
static void heatmap_plot(struct charts *c, struct buf *b, const bool used[3])
{
    buf_puts(b, "plot ");
    const char *sep = "";
    for (int blk = 0; blk < 2; blk++)
        if (used[blk]) {
            buf_printf(b,
                       "%s$%s using 1:2:(0.5):(0.5):3 with boxxyerror fc palette fs solid 1.0 "
                       "border lc rgb 'white' notitle",
                       sep, heatmap_blocks[blk]);
            sep = ", ";
        }
    if (used[2]) {
        buf_printf(b,
                   "%s$supp using 1:2:(0.5):(0.5) with boxxyerror lc rgb '#8c8c8c' fs pattern 4 "
                   "border lc rgb '#8c8c8c' notitle",
                   sep);
        sep = ", ";
    }
    for (int blk = 0; blk < 2; blk++)
        if (used[blk]) {
            buf_printf(b,
                       "%s$%s using 1:2:(sprintf('%%.0f', $3)) with labels tc rgb '%s' "
                       "notitle",
                       sep, heatmap_blocks[blk], blk == 0 ? "white" : "black");
            sep = ", ";
        }
    if (used[2]) {
        buf_printf(b, "%s$supp using 1:2:('S') with labels boxed tc rgb 'black' notitle", sep);
        sep = ", ";
    }
    buf_printf(b,
               "%skeyentry with boxes lc rgb '#8c8c8c' fs pattern 4 title 'S: suppressed "
               "(fewer than %ld respondents, or protecting such a cell)'\n",
               sep, c->run->min_n);
}

/* heatmap-LEVEL: the org's units at level (directorate, team) x key items,
 * % positive, suppressed cells hatched. */
static void heatmap_release(struct heatmap *h)
{
    for (size_t u = 0; u < h->n_units; u++)
        free(h->units[u].cells);
    free(h->units);
    free(h->columns);
}

static void chart_heatmap(struct charts *c, const char *level)
{
    if (!dict_id_file_safe(level)) {
        char *name = quoted(level);
        note("heatmap", "the unit level %s cannot name a file", name);
        free(name);
        return;
    }
    char *stem = xasprintf("heatmap-%s", level);
    struct heatmap h;
    if (!heatmap_gather(c, &h, level, stem)) {
        free(stem);
        heatmap_release(&h);
        return;
    }
    int width, height;
    heatmap_size(&h, &width, &height);
    struct chart ch;
    chart_init(&ch, stem, width, height);
    bool used[3];
    heatmap_data(&ch, &h, used);
    heatmap_axes(c, &ch.body, &h, level);
    heatmap_plot(c, &ch.body, used);
    chart_draw(c, &ch);
    chart_release(&ch);
    heatmap_release(&h);
}

/* ---- SPC (XmR) charts --------------------------------------------------- */

struct spc_item {
    const char *id;
    char *title;      /* owned */
    const char *axis; /* y axis label, a constant format; %s: the period kind */
    double scale;
    bool hr; /* an HR series (counts of events), not a survey proportion */
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
    bool rl = strcmp(c->spc_items[s->item].id, SPC_ITEM_WRES3_LIKELIHOOD) == 0;
    const struct dict_wres_side *hr = &c->run->dict.hr;
    if (!hr->grouping ||
        (!rl && strcmp(group, hr->comparison) != 0 && strcmp(group, hr->reference) != 0))
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
    return rl                                   ? fmin(mean_bme, mean_white)
           : strcmp(group, hr->comparison) == 0 ? mean_bme
                                                : mean_white;
}

/* spc.csv "Rare events": XmR reads a series of a few events a period
 * badly (a run of months with none looks like a signal).  A caution for
 * the panel, or NULL; caller frees. */
static char *spc_rare_events(struct charts *c, const struct spc_series *s, const char *group,
                             const struct spc_point *points, size_t n_points, const char *kind)
{
    if (!c->spc_items[s->item].hr)
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

/* The panels of an item's chart: its charted series, at most
 * SPC_MAX_PANELS; series with a suppressed point and those beyond the
 * limit are said on stderr.  Returns the number of panels. */
static size_t spc_choose_panels(struct charts *c, size_t item, const struct spc_series *series,
                                size_t n_series, const char *stem,
                                const struct spc_series *panels[SPC_MAX_PANELS])
{
    const struct csv_table *t = &c->r->spc;
    size_t n_panels = 0, n_left_out = 0;
    for (size_t s = 0; s < n_series; s++) {
        if (series[s].item != item)
            continue;
        if (!series[s].charted) {
            const char *group = csv_cell(t, series[s].first_row, "group");
            char *g = strcmp(group, "all") == 0 ? xstrdup("all staff") : quoted(group);
            char *first = quoted(csv_cell(t, series[s].first_row, "period")),
                 *last = quoted(csv_cell(t, series[s].first_row + series[s].n_rows - 1, "period"));
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
    return n_panels;
}

/* One panel's points, in chart units, gathered from its spc.csv rows. */
struct spc_panel {
    struct spc_point *points; /* owned */
    size_t n_points;
    enum period_kind kind;
    bool below_zero, present[SPC_CLASSES];
    double y0, y1;
};

/* Gather the points of series s into p (the caller frees p->points);
 * false when none has every number. */
static bool spc_panel_gather(struct charts *c, const struct spc_item *si,
                             const struct spc_series *s, struct spc_panel *p)
{
    const struct csv_table *t = &c->r->spc;
    size_t c_est = csv_table_column(t, "estimate"), c_centre = csv_table_column(t, "centre"),
           c_lo = csv_table_column(t, "lower_limit"), c_hi = csv_table_column(t, "upper_limit");
    memset(p, 0, sizeof(*p));
    p->points = xcalloc(s->n_rows, sizeof(*p->points));
    p->kind = PERIOD_MONTH;
    p->y0 = INFINITY;
    p->y1 = -INFINITY;
    for (size_t r = s->first_row; r < s->first_row + s->n_rows; r++) {
        const char *per = csv_cell(t, r, "period");
        struct period pp;
        struct spc_point *pt = &p->points[p->n_points];
        if (!period_parse(per, strlen(per), &pp) || !number(c, t, r, c_est, &pt->y) ||
            !number(c, t, r, c_centre, &pt->centre) || !number(c, t, r, c_lo, &pt->lower) ||
            !number(c, t, r, c_hi, &pt->upper))
            continue;
        p->kind = pp.kind;
        pt->x = (double)period_ordinal(&pp);
        pt->y *= si->scale;
        pt->centre *= si->scale;
        pt->lower *= si->scale;
        pt->upper *= si->scale;
        pt->cls = spc_class(csv_cell(t, r, "variation"), csv_cell(t, r, "signal"));
        p->present[pt->cls] = true;
        /* rates, proportions and ratios are never negative: a lower
         * limit below 0 is left off the chart */
        p->below_zero |= pt->lower < 0;
        p->y0 = fmin(p->y0, fmin(pt->y, fmax(0, pt->lower)));
        p->y1 = fmax(p->y1, fmax(pt->y, pt->upper));
        p->n_points++;
    }
    return p->n_points > 0;
}

/* Panel index's data blocks: $spcI (every point with its centre and
 * limits) and $spcI_cK (the points of each class present). */
static void spc_panel_blocks(struct buf *d, size_t index, const struct spc_panel *p)
{
    char name[64];
    snprintf(name, sizeof(name), "spc%zu", index);
    gp_block_begin(d, name);
    for (size_t i = 0; i < p->n_points; i++) {
        const struct spc_point *pt = &p->points[i];
        gp_block_row(d, 5, (double[]){pt->x, pt->y, pt->centre, pt->lower, pt->upper});
    }
    gp_block_end(d);
    for (int cls = 0; cls < SPC_CLASSES; cls++) {
        if (!p->present[cls])
            continue;
        snprintf(name, sizeof(name), "spc%zu_c%d", index, cls);
        gp_block_begin(d, name);
        for (size_t i = 0; i < p->n_points; i++)
            if (p->points[i].cls == cls)
                gp_block_row(d, 2, (double[]){p->points[i].x, p->points[i].y});
        gp_block_end(d);
    }
}

/* A panel's y label, ranges and period tics (at most about 12). */
static void spc_panel_axes(struct buf *b, const struct spc_item *si, const struct spc_panel *p)
{
    const struct spc_point *points = p->points;
    size_t n_points = p->n_points;
    char *axis = xasprintf(si->axis, period_kind_name(p->kind));
    buf_puts(b, "set ylabel ");
    gp_put_string(b, axis);
    buf_puts(b, "\n");
    free(axis);
    double pad = 0.06 * (p->y1 - p->y0 > 0 ? p->y1 - p->y0 : fabs(p->y1) + 1);
    buf_printf(b, "set xrange [%.6g:%.6g]\nset yrange [%.6g:%.6g]\n", points[0].x - 0.5,
               points[n_points - 1].x + 0.5, fmax(0, p->y0 - pad), p->y1 + pad);
    size_t step = 1;
    while (n_points / step > 12)
        step = step < 3 ? step + 1 : step == 3 ? 6 : step * 2;
    buf_puts(b, "set xtics (");
    for (size_t i = 0; i < n_points; i += step) {
        char text[PERIOD_TEXT_MAX];
        struct period pp = period_from_ordinal(p->kind, (long)points[i].x);
        period_format(&pp, text);
        buf_puts(b, i ? ", " : "");
        gp_put_tic(b, text);
        buf_printf(b, " %.0f", points[i].x);
    }
    buf_puts(b, ") rotate by 45 right\n");
}

/* A panel's title: the group and run, then any cautions. */
static void spc_panel_title(struct charts *c, struct buf *b, const struct spc_item *si,
                            const struct spc_series *s, const struct spc_panel *p)
{
    const struct csv_table *t = &c->r->spc;
    const char *group = csv_cell(t, s->first_row, "group"),
               *parent = csv_cell(t, s->first_row, "parent_group");
    const char *kind_name = period_kind_name(p->kind);
    struct buf head;
    buf_init(&head);
    if (*parent) {
        gp_label_text(&head, parent, LABEL_MAX);
        buf_puts(&head, " / ");
    }
    const struct dict_wres_side *hr = &c->run->dict.hr;
    if (strcmp(group, "all") == 0 && strcmp(si->id, SPC_ITEM_WRES3_LIKELIHOOD) == 0 &&
        hr->grouping) {
        gp_label_text(&head, hr->comparison, TITLE_PART_MAX);
        buf_puts(&head, " staff against ");
        gp_label_text(&head, hr->reference, TITLE_PART_MAX);
        buf_puts(&head, " staff");
    } else if (strcmp(group, "all") == 0) {
        buf_puts(&head, strcmp(si->id, SPC_ITEM_WRES3_LIKELIHOOD) == 0
                            ? "Comparison group against reference group"
                            : "All staff");
    } else
        gp_label_text(&head, group, LABEL_MAX);
    char first_p[PERIOD_TEXT_MAX], last_p[PERIOD_TEXT_MAX];
    struct period pf = period_from_ordinal(p->kind, (long)p->points[0].x);
    period_format(&pf, first_p);
    pf = period_from_ordinal(p->kind, (long)p->points[p->n_points - 1].x);
    period_format(&pf, last_p);
    buf_printf(&head, ", %s to %s (%zu %ss)", first_p, last_p, p->n_points, kind_name);
    char *rare = spc_rare_events(c, s, group, p->points, p->n_points, kind_name);
    struct buf cautions;
    buf_init(&cautions);
    if (rare)
        buf_puts(&cautions, rare);
    if (p->below_zero)
        buf_printf(&cautions, "%sThe lower process limit is below 0, off the chart",
                   rare ? ". " : "");
    const char *panel_title[] = {head.data, cautions.data};
    buf_puts(b, "set title ");
    put_lines(b, panel_title, cautions.len ? 2 : 1);
    buf_puts(b, "\n");
    free(rare);
    buf_release(&head);
    buf_release(&cautions);
}

/* A panel's plot command: limits, centre, values, and the points of each
 * class (common cause, or a signal of a kind of variation). */
static void spc_panel_plot(struct buf *b, const struct spc_item *si, size_t index,
                           const struct spc_panel *p)
{
    buf_printf(b,
               "plot $spc%zu using 1:4 with steps lc rgb '#505050' dt (6,4) lw 1.5 title "
               "'process limits', $spc%zu using 1:5 with steps lc rgb '#505050' dt (6,4) "
               "lw 1.5 notitle, $spc%zu using 1:3 with lines lc rgb '" C_BLACK
               "' lw 2 title 'centre (mean)', $spc%zu using 1:2 with lines lc rgb '#a0a0a0' "
               "lw 1.5 title 'value'",
               index, index, index, index);
    if (strcmp(si->id, SPC_ITEM_WRES3_LIKELIHOOD) == 0)
        buf_puts(b, ", 1 with lines lc rgb '" C_GREEN "' dt 3 lw 2 title 'parity (1)'");
    for (int cls = 0; cls < SPC_CLASSES; cls++) {
        if (!p->present[cls])
            continue;
        if (cls == 0) {
            buf_printf(b,
                       ", $spc%zu_c0 using 1:2 with points pt 6 ps 1.2 lc rgb '#606060' "
                       "title 'common cause (no signal)'",
                       index);
            continue;
        }
        int v = (cls - 1) / 4, sg = (cls - 1) % 4;
        buf_printf(b,
                   ", $spc%zu_c%d using 1:2 with points pt %d ps %.1f lc rgb '%s' "
                   "title '%s: %s'",
                   index, cls, spc_signal_points[sg], spc_signal_sizes[sg],
                   spc_variation_colours[v], spc_variation_labels[v], spc_signal_labels[sg]);
    }
    buf_puts(b, "\n");
}

/* spc-ITEM: one XmR panel per charted series of the item. */
static void spc_draw_item(struct charts *c, size_t item, const struct spc_series *series,
                          size_t n_series)
{
    const struct spc_item *si = &c->spc_items[item];
    const struct spc_series *panels[SPC_MAX_PANELS];
    char *stem = xasprintf("spc-%s", si->id);
    size_t n_panels = spc_choose_panels(c, item, series, n_series, stem, panels);
    if (n_panels && !dict_id_file_safe(si->id)) {
        char *id = quoted(si->id);
        note("spc", "the item id %s cannot name a file", id);
        free(id);
        n_panels = 0;
    }
    if (n_panels == 0) {
        free(stem);
        return;
    }
    struct chart ch;
    chart_init(&ch, stem, 1200, 130 + 320 * (int)n_panels);
    struct buf *b = &ch.body;
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
    for (size_t i = 0; i < n_panels; i++) {
        struct spc_panel p;
        if (spc_panel_gather(c, si, panels[i], &p)) {
            spc_panel_blocks(&ch.data, i, &p);
            spc_panel_axes(b, si, &p);
            spc_panel_title(c, b, si, panels[i], &p);
            spc_panel_plot(b, si, i, &p);
        }
        free(p.points);
    }
    buf_puts(b, "unset multiplot\n");
    chart_draw(c, &ch);
    chart_release(&ch);
}

/* spc-ITEM charts: the org's spc.csv rows cut into series (one item,
 * group and run each), drawn item by item. */
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
        const struct dictionary *d = &c->run->dict;
        if (strcmp(dim, "all") != 0 && !(d->hr.grouping && strcmp(dim, d->hr.grouping) == 0) &&
            !(d->survey.grouping && strcmp(dim, d->survey.grouping) == 0))
            continue;
        size_t item = 0;
        while (item < c->n_spc_items && strcmp(c->spc_items[item].id, cell(t, r, c_item)) != 0)
            item++;
        if (item == c->n_spc_items)
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
    for (size_t item = 0; item < c->n_spc_items; item++)
        spc_draw_item(c, item, series, n_series);
    free(series);
    free(org);
}

/* ---- the entry point ----------------------------------------------------- */

/* The charts' items from the dictionary: every item, with its title (the
 * question text, cut for a title line; else its label) and its label. */
static void charts_items(struct charts *c)
{
    const struct dictionary *d = &c->run->dict;
    c->keys = xcalloc(d->n ? d->n : 1, sizeof(*c->keys));
    for (size_t i = 0; i < d->n; i++) {
        const struct dict_entry *e = &d->entries[i];
        if (e->theme)
            continue;
        c->keys[c->n_keys++] = (struct key_item){e->id,
                                                 label_text(*e->text ? e->text : e->label, 110),
                                                 label_text(e->label, LABEL_MAX),
                                                 e->section,
                                                 e->funnel,
                                                 e->heatmap};
    }
}

/* The series spc.csv may hold that get a chart: the two HR series (titled
 * with the declared HR groups), then the items of the report's sections. */
static void charts_spc_items(struct charts *c)
{
    const struct dict_wres_side *hr = &c->run->dict.hr;
    c->spc_items = xcalloc(c->n_keys + 2, sizeof(*c->spc_items));
    c->spc_items[c->n_spc_items++] = (struct spc_item){
        SPC_ITEM_DISCIPLINARY_RATE, xstrdup("Staff entering the formal disciplinary process"),
        "per 1,000 staff (headcount), each %s", 1000, true};
    char *groups = hr->grouping ? xasprintf("%s / %s", hr->comparison, hr->reference)
                                : xstrdup("comparison / reference group");
    char *title = label_text(groups, TITLE_PART_MAX);
    c->spc_items[c->n_spc_items++] = (struct spc_item){
        SPC_ITEM_WRES3_LIKELIHOOD,
        xasprintf("WRES 3: relative likelihood of entering the disciplinary process, %s", title),
        "relative likelihood (1 = parity), each %s", 1, true};
    free(groups);
    free(title);
    for (size_t i = 0; i < c->n_keys; i++) {
        if (c->keys[i].family == DICT_NONE)
            continue; /* the sections' items, as on the trend chart */
        const struct dict_entry *e = dict_find(&c->run->dict, c->keys[i].id, false);
        bool experiencing = e && strcmp(e->measure, "experiencing") == 0;
        c->spc_items[c->n_spc_items++] = (struct spc_item){
            c->keys[i].id, xstrdup(c->keys[i].short_label),
            experiencing ? "%% experiencing, each %s" : "%% positive, each %s", 100, false};
    }
}

/* The forest plot's words for the survey's declared WRES groups. */
static void charts_group_words(struct charts *c)
{
    const struct dict_wres_side *w = &c->run->dict.survey;
    char *comparison = label_text(w->grouping ? w->comparison : "comparison group", 30);
    char *reference = label_text(w->grouping ? w->reference : "reference group", 30);
    c->survey_heading = xasprintf("%s vs %s staff: ratio of %%", comparison, reference);
    c->survey_key = xasprintf("survey item: %s / %s ratio of %%", comparison, reference);
    c->groups_title = xasprintf("%s staff compared with %s staff", comparison, reference);
    c->ratio_axis = xasprintf("Ratio, %s / %s (log scale; 1 = parity)", comparison, reference);
    free(comparison);
    free(reference);
}

static void charts_release(struct charts *c)
{
    for (size_t i = 0; i < c->n_keys; i++) {
        free(c->keys[i].label);
        free(c->keys[i].short_label);
    }
    for (size_t i = 0; i < c->n_spc_items; i++)
        free(c->spc_items[i].title);
    free(c->keys);
    free(c->spc_items);
    free(c->survey_heading);
    free(c->survey_key);
    free(c->groups_title);
    free(c->ratio_axis);
}

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
    /* normally started by main at the start of the run */
    struct chart_plotters *own = opt->plotters ? NULL : charts_start();
    c.plotters = opt->plotters ? opt->plotters : own;
    charts_items(&c);
    charts_spc_items(&c);
    charts_group_words(&c);

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
        for (size_t i = 0; i < c.n_keys; i++)
            if (c.keys[i].funnel)
                chart_funnel(&c, &c.keys[i]);
        if (!opt->all) {
            chart_trend(&c);
            chart_forest(&c);
            struct names levels = {0};
            for (size_t i = 0; i < run->hot.n; i++)
                names_add(&levels, vcell(&run->hot, run->hot.rows[i], "unit_level"));
            for (size_t i = 0; i < levels.n; i++)
                chart_heatmap(&c, levels.items[i]);
            free(levels.items);
        }
    }
    if (!opt->all)
        chart_spc(&c);
    charts_collect(&c);
    charts_stop(own);
    sigaction(SIGPIPE, &old_pipe, NULL);
    charts_release(&c);
    if (c.io_error)
        return REPORT_EIO;
    if (c.data_error)
        return REPORT_EDATA;
    return c.chart_error ? REPORT_ECHARTS : REPORT_OK;
}
