/* board-report.txt (one org and period, for a board) and national-summary.txt
 * (--all, every org, for researchers): plain text, at most 80 columns, the
 * same bytes for the same results.  Every figure is read from the
 * candour-stats outputs; the only statistic worked out here is the change of
 * a theme score between two periods (Welch's t interval, below), which the
 * stats outputs do not have.  A figure from a row whose `suppressed` is not
 * `no` is never shown. */
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "format.h"
#include "methods.h"
#include "period.h"
#include "report.h"
#include "resolve.h"
#include "text.h"

#define WIDTH 80
/* Changes and gaps are called significant at this level (two-sided). */
#define SIGNIFICANCE 0.05
/* The usual NHS Staff Survey threshold, which the report warns about going
 * below.  Not a default: the threshold is always the one the results state. */
#define STANDARD_MIN_N 11
/* Longest name (org, group, unit) printed, in characters; longer ones are cut. */
#define NAME_MAX_COLUMNS 120
/* Items of one table of the national summary (80 columns hold six). */
#define NATIONAL_ITEMS 6
/* Flagged hotspots listed in full; the rest are counted. */
#define HOTSPOTS_LISTED 25

/* The WRES indicators a board report has a row for, in the standard's
 * numbering: 3 from HR records, 5 to 8 from the survey (which item each of
 * these is comes from the dictionary). */
static const char *const WRES_INDICATORS[] = {"3", "5", "6", "7", "8"};

/* "3, 5 and 8": plain ASCII names (static strings of this file). */
static void put_and_list(struct buf *out, const struct names *l)
{
    for (size_t i = 0; i < l->n; i++)
        buf_printf(out, "%s%s", i ? (i + 1 == l->n ? " and " : ", ") : "", l->items[i]);
}

/* ---- the report being written -------------------------------------------------- */

struct report {
    const struct report_options *opt;
    const struct results *r;
    const struct run *run; /* the org, period and rows (resolve.h) */
    struct names items;    /* the org's items in the period, dictionary order */
    struct names themes;   /* the dictionary's themes, then any others of the org */
    /* The declared WRES comparison of the survey (wres-groups.csv), NULL
     * members when none is declared. */
    const struct dict_wres_side *wres;
    struct buf out;
};

/* Append the printable label of an item or theme: its label in the
 * dictionary (items.csv), or its id from the files; escaped either way. */
static void put_label(struct buf *out, const struct dictionary *d, const char *id)
{
    const char *label = dict_label(d, id);
    const char *s = fmt_unformula(label ? label : id);
    fmt_escape(out, s, strlen(s));
}

/* Append a text field from the files (org, unit, group...), printable. */
static void put_text(struct buf *out, const char *field)
{
    const char *s = fmt_unformula(field);
    fmt_escape(out, s, strlen(s));
}

/* Append a text field cut to max columns. */
static void put_text_fit(struct buf *out, const char *field, size_t max)
{
    struct buf tmp;
    buf_init(&tmp);
    put_text(&tmp, field);
    fmt_fit(out, tmp.data ? tmp.data : "", tmp.len, max);
    buf_release(&tmp);
}

static void put_pct(struct buf *out, double fraction)
{
    fmt_fixed(out, 100.0 * fraction, 1);
}

/* "59.5 (57.0-61.9)" from a proportions-style row. */
static bool put_pct_ci(struct buf *out, const struct view *v, size_t row)
{
    double e, lo, hi;
    if (!vnum(v, row, "estimate", &e) || !vnum(v, row, "ci_lower", &lo) ||
        !vnum(v, row, "ci_upper", &hi))
        return false;
    put_pct(out, e);
    buf_puts(out, " (");
    put_pct(out, lo);
    buf_putc(out, '-');
    put_pct(out, hi);
    buf_putc(out, ')');
    return true;
}

/* "-3.3 (-6.5, -0.1)": a difference of fractions in percentage points. */
static void put_points_ci(struct buf *out, double d, double lo, double hi)
{
    fmt_signed(out, 100.0 * d, 1);
    buf_puts(out, " (");
    fmt_signed(out, 100.0 * lo, 1);
    buf_puts(out, ", ");
    fmt_signed(out, 100.0 * hi, 1);
    buf_putc(out, ')');
}

/* "95%" for the confidence level. */
static void put_conf(struct buf *out, double conf)
{
    buf_printf(out, "%g%%", 100.0 * conf);
}

/* "not computed: 3 input rows rejected at ingest": a figure that rows of an
 * aggregated input set aside at ingest would have fed (rows: their number
 * as in the results, "" when not given). */
static void put_incomplete(struct buf *out, const char *rows)
{
    bool one = strcmp(rows, "1") == 0;
    buf_puts(out, "not computed: ");
    put_text(out, *rows ? rows : "some");
    buf_printf(out, " input row%s rejected at ingest", one ? "" : "s");
}

/* Why a row has no figures: "not shown: fewer than 11 answers" (primary,
 * counted in `units`, e.g. "answers" or "staff in a group"), "not shown:
 * would reveal a smaller group" (secondary), or no row at all. */
static void put_not_shown(struct buf *out, const struct view *v, size_t row, long min_n,
                          const char *units)
{
    if (row == NO_ROW) {
        buf_puts(out, "no result for this period");
        return;
    }
    const char *state = vcell(v, row, "suppressed");
    if (strcmp(state, SUPPRESSED_PRIMARY) == 0)
        buf_printf(out, "not shown: fewer than %ld %s", min_n, units);
    else if (strcmp(state, SUPPRESSED_SECONDARY) == 0)
        buf_puts(out, "not shown: would reveal a smaller group");
    else if (strcmp(state, SUPPRESSED_LEDGER) == 0)
        buf_printf(out, "not shown: changed by fewer than %ld %s since an earlier release", min_n,
                   units);
    else if (strcmp(state, SUPPRESSED_INCOMPLETE) == 0)
        put_incomplete(out, vcell(v, row, "rows_rejected"));
    else
        buf_puts(out, "not available");
}

/* The disparities.csv row of item comparing the declared WRES groups of
 * the survey (comparison against reference); NO_ROW when there is none or
 * no grouping is declared. */
static size_t wres_gap_row(const struct report *rp, const char *item)
{
    if (!rp->wres->grouping)
        return NO_ROW;
    return FIND(&rp->run->disp, "item", item, "group_dim", rp->wres->grouping, "group",
                rp->wres->comparison, "reference", rp->wres->reference);
}

/* "Global majority" or "White": a declared group's name for running text. */
static void put_group(struct buf *out, const char *group)
{
    put_text_fit(out, group ? group : "(not declared)", 40);
}

/* "Global majority and White": the declared comparison and reference
 * groups, or "the groups of staff" when none are declared. */
static void put_wres_groups(struct buf *out, const struct dict_wres_side *side)
{
    if (!side->grouping) {
        buf_puts(out, "groups of");
        return;
    }
    put_group(out, side->comparison);
    buf_puts(out, " and ");
    put_group(out, side->reference);
}

/* Indicator 3 when rows of the HR input for the org and period were set
 * aside at ingest: the sentence under the WRES table (stats marks such a
 * figure incomplete rather than computing it from the remaining rows). */
static void wres_hr_incomplete(struct report *rp, size_t row)
{
    const struct view *w = &rp->run->wres;
    if (row == NO_ROW || strcmp(vcell(w, row, "suppressed"), SUPPRESSED_INCOMPLETE) != 0)
        return;
    const char *rows = vcell(w, row, "rows_rejected");
    struct buf text;
    buf_init(&text);
    buf_puts(&text, "Indicator 3 is not computed for ");
    put_text(&text, rp->run->org);
    buf_puts(&text, " in HR period ");
    put_text(&text, vcell(w, row, "periods_used"));
    buf_puts(&text, ": ");
    put_text(&text, *rows ? rows : "some");
    bool one = strcmp(rows, "1") == 0;
    buf_printf(&text,
               " row%s of the HR records that would have fed it %s rejected at ingest "
               "(see candour-ingest's rejects file), and a figure from the remaining rows "
               "would look complete when it is not.",
               one ? "" : "s", one ? "was" : "were");
    fmt_wrap(&rp->out, text.data, WIDTH, "", "");
    buf_release(&text);
}

/* Funnel position of a benchmarks.csv flag, as a short side of the funnel:
 * low/high beyond the 95% or 99.8% limit.  The item's polarity turns the
 * flag's worse/better into below/above. */
static const char *funnel_short(const char *flag, const char *polarity)
{
    bool lower_better = strcmp(polarity, "lower") == 0;
    if (strcmp(flag, "within") == 0)
        return "within";
    if (strcmp(flag, "worse_998") == 0)
        return lower_better ? "high 99.8" : "low 99.8";
    if (strcmp(flag, "worse_95") == 0)
        return lower_better ? "high 95" : "low 95";
    if (strcmp(flag, "better_998") == 0)
        return lower_better ? "low 99.8" : "high 99.8";
    if (strcmp(flag, "better_95") == 0)
        return lower_better ? "low 95" : "high 95";
    return "--";
}

/* ---- theme change: Welch's t interval ---------------------------------------------- */

/* Difference of two independent means (current minus previous) from their
 * n, mean and sd, with Welch's (1947) t interval at conf and its two-sided
 * p-value, degrees of freedom by the Welch-Satterthwaite equation.  The two
 * periods' respondents are treated as independent samples, as trends.csv
 * treats them for items.  False when it cannot be computed (n < 2, both sd
 * 0).  Checked against R's t.test(var.equal = FALSE) on samples with the
 * same n, mean and sd (tests/cases/report/text-golden-z3c/welch.R). */
static bool welch(double n1, double m1, double s1, double n0, double m0, double s0, double conf,
                  double *diff, double *lower, double *upper, double *p)
{
    if (!(n1 >= 2 && n0 >= 2 && s1 >= 0 && s0 >= 0 && conf > 0 && conf < 1))
        return false;
    double v1 = s1 * s1 / n1, v0 = s0 * s0 / n0;
    double se = sqrt(v1 + v0);
    if (!(se > 0) || !isfinite(se))
        return false;
    double df = (v1 + v0) * (v1 + v0) / (v1 * v1 / (n1 - 1) + v0 * v0 / (n0 - 1));
    double t = gsl_cdf_tdist_Qinv((1 - conf) / 2, df);
    *diff = m1 - m0;
    *lower = *diff - t * se;
    *upper = *diff + t * se;
    *p = 2 * gsl_cdf_tdist_Q(fabs(*diff) / se, df);
    if (*p > 1)
        *p = 1;
    return isfinite(t) && isfinite(*p);
}

/* A theme's current and previous rows and their change. */
struct theme_change {
    size_t row, prev_row;
    bool has_change, significant;
    double diff, lower, upper, p;
};

/* A theme's whole-org rows now and in the previous period, and their
 * change (Welch) when both are shown. */
static struct theme_change theme_change(const struct report *rp, const char *theme)
{
    struct theme_change tc = {NO_ROW, NO_ROW, false, false, 0, 0, 0, 1};
    tc.row = FIND(&rp->run->themes, "theme", theme, "group_dim", "all", "group", "all");
    if (rp->run->previous)
        tc.prev_row =
            FIND(&rp->run->themes_prev, "theme", theme, "group_dim", "all", "group", "all");
    double n1, m1, s1, n0, m0, s0;
    if (vnum(&rp->run->themes, tc.row, "n", &n1) && vnum(&rp->run->themes, tc.row, "mean", &m1) &&
        vnum(&rp->run->themes, tc.row, "sd", &s1) &&
        vnum(&rp->run->themes_prev, tc.prev_row, "n", &n0) &&
        vnum(&rp->run->themes_prev, tc.prev_row, "mean", &m0) &&
        vnum(&rp->run->themes_prev, tc.prev_row, "sd", &s0) &&
        welch(n1, m1, s1, n0, m0, s0, rp->run->conf, &tc.diff, &tc.lower, &tc.upper, &tc.p)) {
        tc.has_change = true;
        tc.significant = tc.p < SIGNIFICANCE || tc.lower > 0 || tc.upper < 0;
    }
    return tc;
}

/* A trends.csv row (whole org) that shows a significant change: p < 0.05, or
 * an interval that excludes 0. */
static bool trend_significant(const struct view *v, size_t row)
{
    double p, lo, hi;
    if (!vnum(v, row, "p_value", &p) || !vnum(v, row, "change_lower", &lo) ||
        !vnum(v, row, "change_upper", &hi))
        return false;
    return p < SIGNIFICANCE || lo > 0 || hi < 0;
}

/* Append s in capitals (ASCII letters; the rest as it is). */
static void put_upper(struct buf *out, const char *s)
{
    for (; *s; s++)
        buf_putc(out, *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s);
}

/* "JUST CULTURE AND SPEAKING UP": the declared sections' titles in
 * capitals, the last after `last` (" AND "), the others after ", ";
 * `none` when no section is declared. */
static void put_section_titles(struct buf *out, const struct dictionary *d, const char *last,
                               const char *none)
{
    if (!d->n_sections) {
        buf_puts(out, none);
        return;
    }
    struct buf title;
    buf_init(&title);
    for (size_t k = 0; k < d->n_sections; k++) {
        buf_clear(&title);
        put_text_fit(&title, d->sections[k].title, 60);
        buf_puts(out, k == 0 ? "" : k + 1 == d->n_sections ? last : ", ");
        put_upper(out, title.data);
    }
    buf_release(&title);
}

/* ---- gaps: what the report cannot show, said in the report and on stderr -- */

/* One line on stderr for a gap of section `section` (the sentence the
 * report holds, printable: every field in it went through put_text). */
static void gap_line(int section, const char *sentence)
{
    fprintf(stderr, "candour-report: section %d: %s\n", section, sentence);
}

/* A part of the report that cannot be produced: one plain sentence saying
 * what is missing and what would produce it, as a paragraph of section
 * `section`, and as a line on stderr. */
static void report_gap(struct report *rp, int section, const char *sentence)
{
    fmt_wrap(&rp->out, sentence, WIDTH, "", "");
    gap_line(section, sentence);
}

/* ---- section 1: header ------------------------------------------------------------- */

static void put_rule(struct buf *out, char c)
{
    for (int i = 0; i < WIDTH; i++)
        buf_putc(out, c);
    buf_putc(out, '\n');
}

/* "Label               value", value wrapped under itself. */
static void put_field(struct buf *out, const char *label, const char *value)
{
    char first[32];
    snprintf(first, sizeof(first), "%-21s", label);
    fmt_wrap(out, value, WIDTH, first, "                     ");
}

/* The warning a report carries when its threshold is below the usual one. */
static void put_min_n_warning(struct buf *out, long min_n)
{
    if (min_n >= STANDARD_MIN_N)
        return;
    struct buf text;
    buf_init(&text);
    buf_printf(&text,
               "WARNING: the minimum cell size is %ld, below the usual %d. Figures "
               "based on as few as %ld respondents are shown: check that this is "
               "intended before the report is shared.",
               min_n, STANDARD_MIN_N, min_n);
    buf_putc(out, '\n');
    fmt_wrap(out, text.data, WIDTH, "!! ", "!! ");
    buf_putc(out, '\n');
    buf_release(&text);
}

/* "Minimum cell size" and the threshold, flagged when below the usual one. */
static void put_min_n_field(struct buf *out, long min_n)
{
    struct buf value;
    buf_init(&value);
    buf_printf(&value, "%ld respondents: a figure based on fewer is not shown", min_n);
    if (min_n < STANDARD_MIN_N)
        buf_printf(&value, " (BELOW THE USUAL %d)", STANDARD_MIN_N);
    put_field(out, "Minimum cell size", value.data);
    buf_release(&value);
}

/* Plain words for an inputs.csv `kind`, or NULL for one this report does
 * not know (then shown as it is). */
static const char *input_kind_text(const char *kind)
{
    static const struct {
        const char *kind, *text;
    } kinds[] = {
        {"respondent", "survey respondents"},
        {"org-results", "published org results"},
        {"counts", "aggregated counts"},
        {"wres-hr", "HR counts"},
    };
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return kinds[i].text;
    return NULL;
}

static const char *inputs_value(const struct csv_table *inputs, const char *column)
{
    return inputs->n_rows ? csv_cell(inputs, 0, column) : "";
}

/* Is name one of the comma-separated list? */
static bool in_list(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, name, len) == 0 && (p[len] == ',' || p[len] == '\0'))
            return true;
    return false;
}

/* What the candour-stats run left out (--tables, --orgs, --groupings, as
 * inputs.csv records them; older results record nothing and left nothing
 * out), so that a section without figures says why. */
static void put_choice(struct buf *out, const struct csv_table *inputs)
{
    static const struct {
        const char *table, *what;
    } feeds[] = {
        {"proportions", "percentages for items"},
        {"themes", "theme scores"},
        {"disparities", "comparisons of groups of staff"},
        {"wres", "WRES indicators"},
        {"benchmarks", "funnel positions against other trusts"},
        {"trends", "changes since the previous period"},
        {"spc", "run charts over time"},
        {"hotspots", "hotspots inside the trust"},
    };
    const char *tables = inputs_value(inputs, "tables");
    const char *orgs = inputs_value(inputs, "orgs");
    const char *groupings = inputs_value(inputs, "groupings");
    bool all_tables = !*tables || strcmp(tables, "all") == 0;
    bool all_orgs = !*orgs || strcmp(orgs, "all") == 0;
    bool all_groupings = !*groupings || strcmp(groupings, "all") == 0;
    if (all_tables && all_orgs && all_groupings)
        return;
    buf_puts(out, "Left out of these results by the candour-stats run\n");
    struct buf line;
    buf_init(&line);
    for (size_t i = 0; !all_tables && i < ARRAY_LEN(feeds); i++) {
        if (in_list(tables, feeds[i].table))
            continue;
        buf_clear(&line);
        buf_printf(&line, "%s.csv was not written (--tables ", feeds[i].table);
        put_text(&line, tables);
        buf_printf(&line, "): no %s below.", feeds[i].what);
        fmt_wrap(out, line.data, WIDTH, "  ", "    ");
    }
    if (!all_orgs) {
        buf_clear(&line);
        buf_puts(&line, "Only the trusts ");
        put_text(&line, orgs);
        buf_puts(&line, ", with their benchmarking groups and all trusts pooled (--orgs): no "
                        "other trust's figures.");
        fmt_wrap(out, line.data, WIDTH, "  ", "    ");
    }
    if (!all_groupings) {
        buf_clear(&line);
        buf_puts(&line, "Only the whole trust and the groupings ");
        put_text(&line, groupings);
        buf_puts(&line, " (--groupings): no other breakdowns below.");
        fmt_wrap(out, line.data, WIDTH, "  ", "    ");
    }
    buf_release(&line);
}

/* Data sources: every input file of inputs.csv, in its order, and what the
 * run left out. */
static void put_sources(struct buf *out, const struct csv_table *inputs)
{
    buf_puts(out, "Data sources\n");
    if (!inputs->n_rows) {
        buf_puts(out, "  inputs.csv is missing: the results do not record their inputs.\n");
        return;
    }
    struct buf name, line;
    buf_init(&name);
    buf_init(&line);
    for (size_t r = 0; r < inputs->n_rows; r++) {
        buf_clear(&name);
        put_text(&name, csv_cell(inputs, r, "input"));
        buf_puts(out, "  ");
        fmt_fit_left(out, name.data ? name.data : "", name.len, WIDTH - 2);
        buf_putc(out, '\n');
        buf_clear(&line);
        double bytes, read, accepted;
        if (fmt_parse(csv_cell(inputs, r, "input_bytes"), &bytes) && bytes >= 0) {
            fmt_count(&line, (unsigned long long)bytes);
            buf_puts(&line, " bytes, ");
        }
        buf_puts(&line, "CRC-32 ");
        put_text(&line, csv_cell(inputs, r, "input_crc32"));
        buf_puts(&line, "; schema ");
        put_text(&line, csv_cell(inputs, r, "schema"));
        buf_puts(&line, " (CRC-32 ");
        put_text(&line, csv_cell(inputs, r, "schema_crc32"));
        buf_puts(&line, "), ");
        const char *kind = csv_cell(inputs, r, "kind");
        const char *kind_text = input_kind_text(kind);
        if (kind_text)
            buf_puts(&line, kind_text);
        else
            put_text(&line, kind);
        if (fmt_parse(csv_cell(inputs, r, "rows_read"), &read) &&
            fmt_parse(csv_cell(inputs, r, "rows_accepted"), &accepted) && read >= 0 &&
            accepted >= 0) {
            buf_puts(&line, "; ");
            fmt_count(&line, (unsigned long long)read);
            buf_puts(&line, " rows");
            if (accepted != read) {
                buf_puts(&line, ", ");
                fmt_count(&line, (unsigned long long)(read - accepted));
                buf_puts(&line, " rejected");
            }
        }
        fmt_wrap(out, line.data, WIDTH, "    ", "    ");
    }
    buf_release(&name);
    buf_release(&line);
    put_choice(out, inputs);
}

/* Did stats compare with a chosen set of organisations (--exclude-type and
 * the like: inputs.csv comparison), rather than every org in the results? */
static bool comparison_chosen(const struct csv_table *inputs)
{
    const char *desc = inputs_value(inputs, "comparison");
    return *desc && strcmp(desc, "all organisations") != 0;
}

/* The comparison set as inputs.csv describes it: "215 organisations (NHS
 * trust: 210; Social enterprise: 5); 45 left out: type not in ICB,CSU
 * (types from FILE)". */
static void put_comparison_set(struct buf *out, const struct csv_table *inputs)
{
    put_text(out, inputs_value(inputs, "comparison_orgs"));
    buf_puts(out, " organisations (");
    put_text(out, inputs_value(inputs, "comparison_types"));
    buf_puts(out, "); ");
    put_text(out, inputs_value(inputs, "comparison_left_out"));
    buf_puts(out, " left out: ");
    put_text(out, inputs_value(inputs, "comparison"));
}

/* Name of the national comparison in running text. */
static const char *all_orgs_name(const struct csv_table *inputs)
{
    return comparison_chosen(inputs) ? "the comparison set" : "all trusts in the results";
}

/* "Generated by": this program's version and the stats version of the
 * results (inputs.csv). */
static void put_generated_by(struct buf *out, const struct csv_table *inputs)
{
    struct buf value;
    buf_init(&value);
    buf_puts(&value, "candour-report " CANDOUR_VERSION);
    const char *stats = inputs_value(inputs, "stats_version");
    if (*stats) {
        buf_puts(&value, " from ");
        put_text(&value, stats);
        buf_puts(&value, " results");
    }
    put_field(out, "Generated by", value.data);
    buf_release(&value);
}

/* Section 1: the trust, period, benchmarking group, threshold, interval
 * level, versions and data sources. */
static void section_header(struct report *rp)
{
    struct buf *out = &rp->out;
    struct buf value;
    buf_init(&value);
    put_rule(out, '=');
    struct buf title;
    buf_init(&title);
    buf_puts(&title, "STAFF VOICE BOARD REPORT: ");
    put_section_titles(&title, &rp->run->dict, ", ", "SURVEY ITEMS");
    buf_puts(&title, " AND FAIRNESS");
    fmt_wrap(out, title.data, WIDTH, "", "");
    buf_release(&title);
    put_rule(out, '=');
    put_min_n_warning(out, rp->run->min_n);
    buf_puts(out, "\n1. REPORT DETAILS\n\n");

    put_text_fit(&value, rp->run->org, NAME_MAX_COLUMNS);
    put_field(out, "Trust", value.data);

    buf_clear(&value);
    put_text(&value, rp->run->period);
    if (rp->run->previous) {
        buf_puts(&value, ", compared with ");
        put_text(&value, rp->run->previous);
    } else {
        buf_puts(&value, " (no previous period in the results)");
    }
    put_field(out, "Period", value.data);

    if (comparison_chosen(&rp->r->inputs)) {
        buf_clear(&value);
        put_comparison_set(&value, &rp->r->inputs);
        put_field(out, "Compared with", value.data);
    }

    buf_clear(&value);
    if (is_group_scope(rp->run->benchmark)) {
        put_text_fit(&value, rp->run->benchmark + SCOPE_GROUP_PREFIX_LEN, NAME_MAX_COLUMNS);
        if (*rp->run->n_orgs) {
            buf_puts(&value, " (");
            put_text(&value, rp->run->n_orgs);
            buf_puts(&value, strcmp(rp->run->n_orgs, "1") == 0 ? " trust)" : " trusts)");
        }
    } else {
        buf_puts(&value, comparison_chosen(&rp->r->inputs)
                             ? "none in the results: compared with the comparison set"
                             : "none in the results: compared with all trusts");
        if (*rp->run->n_orgs) {
            buf_puts(&value, " (");
            put_text(&value, rp->run->n_orgs);
            buf_puts(&value, ")");
        }
        if (rp->run->prop.n) {
            buf_puts(&value, "; a column of role bgroup in the survey schema would give one");
            gap_line(1, comparison_chosen(&rp->r->inputs)
                            ? "no benchmarking group in the results: funnel positions are "
                              "against the comparison set; a column of role bgroup in the "
                              "survey schema would give one."
                            : "no benchmarking group in the results: funnel positions are "
                              "against all trusts; a column of role bgroup in the survey "
                              "schema would give one.");
        }
    }
    put_field(out, "Benchmarking group", value.data);

    put_min_n_field(out, rp->run->min_n);

    buf_clear(&value);
    put_conf(&value, rp->run->conf);
    buf_puts(&value, " confidence intervals (CI)");
    put_field(out, "Intervals", value.data);
    put_generated_by(out, &rp->r->inputs);
    buf_putc(out, '\n');
    put_sources(out, &rp->r->inputs);
    buf_release(&value);
}

/* ---- section 2: summary ------------------------------------------------------------- */

static void put_bullet(struct buf *out, const char *text)
{
    fmt_wrap(out, text, WIDTH, "  - ", "    ");
}

/* "68.5%" or "27.0% experiencing" for an item of measure `measure`. */
static void put_pct_measure(struct buf *out, double fraction, const char *measure)
{
    put_pct(out, fraction);
    buf_putc(out, '%');
    if (strcmp(measure, "experiencing") == 0)
        buf_puts(out, " experiencing");
}

/* The mark of a change across a change of organisation (trends.csv
 * org_change): against a predecessor (successor map), or across a change
 * of name, when the two periods may be different organisations. */
static void put_org_change(struct buf *line, const struct view *trends, size_t row)
{
    const char *change = vcell(trends, row, "org_change");
    const char *before = vcell(trends, row, "previous_org_name");
    if (strcmp(change, "successor") == 0) {
        buf_puts(line, " (MERGED: against ");
        put_text(line, vcell(trends, row, "previous_org"));
        if (*before) {
            buf_puts(line, " ");
            put_text(line, before);
        }
        buf_puts(line, ", which it succeeds: a different organisation)");
    } else if (strcmp(change, "renamed") == 0) {
        buf_puts(line, " (RENAMED: ");
        put_text(line, before);
        buf_puts(line, " in ");
        put_text(line, vcell(trends, row, "previous_period"));
        buf_puts(line, ", possibly a different organisation)");
    }
}

/* Is a change (or gap) of sign `delta` favourable for an item of polarity? */
static bool favourable(double delta, const char *polarity)
{
    return strcmp(polarity, "lower") == 0 ? delta < 0 : delta > 0;
}

/* The bullet of a significant change of a whole-org item (its trends.csv
 * row); false when the row shows none. */
static bool item_change_bullet(struct report *rp, const char *item, size_t row)
{
    const struct view *tr = &rp->run->trends;
    double e, prev, change, lo, hi;
    if (!trend_significant(tr, row) || !vnum(tr, row, "estimate", &e) ||
        !vnum(tr, row, "previous_estimate", &prev) || !vnum(tr, row, "change", &change) ||
        !vnum(tr, row, "change_lower", &lo) || !vnum(tr, row, "change_upper", &hi))
        return false;
    struct buf line;
    buf_init(&line);
    put_label(&line, &rp->run->dict, item);
    buf_puts(&line, " at ");
    put_pct_measure(&line, e, vcell(tr, row, "measure"));
    buf_puts(&line, ", against ");
    put_pct(&line, prev);
    buf_puts(&line, "% in ");
    put_text(&line, vcell(tr, row, "previous_period"));
    buf_puts(&line, change > 0 ? ": up " : ": down ");
    fmt_fixed(&line, fabs(100.0 * change), 1);
    buf_puts(&line, " points (");
    put_conf(&line, rp->run->conf);
    buf_puts(&line, " CI ");
    fmt_signed(&line, 100.0 * lo, 1);
    buf_puts(&line, " to ");
    fmt_signed(&line, 100.0 * hi, 1);
    buf_puts(&line, favourable(change, vcell(tr, row, "polarity")) ? "), a more favourable result"
                                                                   : "), a less favourable result");
    const char *rates = vcell(tr, row, "weighted_rates");
    if (strcmp(rates, "assumed-srs") == 0 || strcmp(rates, "mixed") == 0)
        buf_puts(&line, " (from weighted published rates taken as simple random samples: "
                        "the interval is too narrow)");
    put_org_change(&line, tr, row);
    buf_puts(&line, ".");
    put_bullet(&rp->out, line.data);
    buf_release(&line);
    return true;
}

/* The bullet of a significant change of a theme score. */
static void theme_change_bullet(struct report *rp, const char *theme, const struct theme_change *tc)
{
    double m1, m0;
    vnum(&rp->run->themes, tc->row, "mean", &m1);
    vnum(&rp->run->themes_prev, tc->prev_row, "mean", &m0);
    struct buf line;
    buf_init(&line);
    put_label(&line, &rp->run->dict, theme);
    buf_puts(&line, " theme score at ");
    fmt_fixed(&line, m1, 2);
    buf_puts(&line, " out of 10, against ");
    fmt_fixed(&line, m0, 2);
    buf_puts(&line, " in ");
    put_text(&line, rp->run->previous);
    buf_puts(&line, tc->diff > 0 ? ": up " : ": down ");
    fmt_fixed(&line, fabs(tc->diff), 2);
    buf_puts(&line, " (");
    put_conf(&line, rp->run->conf);
    buf_puts(&line, " CI ");
    fmt_signed(&line, tc->lower, 2);
    buf_puts(&line, " to ");
    fmt_signed(&line, tc->upper, 2);
    buf_puts(&line, ").");
    put_bullet(&rp->out, line.data);
    buf_release(&line);
}

/* True when row of t is marked incomplete: not computed because input rows
 * that would have fed it were rejected at ingest (not hidden for anonymity). */
static bool row_incomplete(const struct csv_table *t, size_t row)
{
    return row != NO_ROW && strcmp(csv_cell(t, row, "suppressed"), SUPPRESSED_INCOMPLETE) == 0;
}

/* One bullet per significant change of a whole-org item or theme score.
 * *tested counts the changes that could be tested (both periods shown),
 * *hidden those that exist but are suppressed, *incomplete those that
 * were not computed (rows rejected at ingest). */
static size_t summary_changes(struct report *rp, const struct names *items, size_t *tested,
                              size_t *hidden, size_t *incomplete)
{
    size_t found = 0;
    *tested = *hidden = *incomplete = 0;
    for (size_t i = 0; i < items->n; i++) {
        size_t row =
            FIND(&rp->run->trends, "item", items->items[i], "group_dim", "all", "group", "all");
        double p;
        if (vnum(&rp->run->trends, row, "p_value", &p))
            (*tested)++;
        else if (row_incomplete(rp->run->trends.t, row))
            (*incomplete)++;
        else if (row != NO_ROW && !row_shown(rp->run->trends.t, row))
            (*hidden)++;
        found += item_change_bullet(rp, items->items[i], row);
    }
    for (size_t k = 0; k < rp->themes.n; k++) {
        struct theme_change tc = theme_change(rp, rp->themes.items[k]);
        *tested += tc.has_change;
        bool not_computed = row_incomplete(rp->run->themes.t, tc.row) ||
                            row_incomplete(rp->run->themes_prev.t, tc.prev_row);
        *incomplete += not_computed;
        *hidden += !not_computed &&
                   ((tc.row != NO_ROW && !row_shown(rp->run->themes.t, tc.row)) ||
                    (tc.prev_row != NO_ROW && !row_shown(rp->run->themes_prev.t, tc.prev_row)));
        if (tc.has_change && tc.significant) {
            theme_change_bullet(rp, rp->themes.items[k], &tc);
            found++;
        }
    }
    return found;
}

/* One bullet per item beyond a funnel limit against comparison `benchmark`:
 * with adverse, the worse_ flags, else the better_ flags.  With
 * only_998_against, only worse_998 items that are not already worse
 * against that (the org's own) comparison. */
static size_t summary_funnel(struct report *rp, struct buf *out, const struct names *items,
                             const char *benchmark, bool adverse, const char *only_998_against)
{
    size_t found = 0;
    bool own_group = is_group_scope(benchmark);
    struct buf line;
    buf_init(&line);
    for (size_t i = 0; i < items->n; i++) {
        const char *item = items->items[i];
        size_t row = FIND(&rp->run->bench, "item", item, "group_dim", "all", "group", "all",
                          "benchmark", benchmark, "weighted", "no");
        if (!row_shown(rp->run->bench.t, row))
            continue;
        const char *flag = vcell(&rp->run->bench, row, "flag");
        bool hit = adverse ? strncmp(flag, "worse_", 6) == 0 : strncmp(flag, "better_", 7) == 0;
        if (!hit)
            continue;
        if (only_998_against) {
            if (strcmp(flag, "worse_998") != 0)
                continue;
            size_t own = FIND(&rp->run->bench, "item", item, "group_dim", "all", "group", "all",
                              "benchmark", only_998_against, "weighted", "no");
            if (row_shown(rp->run->bench.t, own) &&
                strncmp(vcell(&rp->run->bench, own, "flag"), "worse_", 6) == 0)
                continue;
        }
        double e, target;
        if (!vnum(&rp->run->bench, row, "estimate", &e) ||
            !fmt_parse(vcell(&rp->run->bench, row, "target"), &target))
            continue;
        const char *polarity = vcell(&rp->run->bench, row, "polarity");
        bool above = (strcmp(polarity, "lower") == 0) == adverse;
        buf_clear(&line);
        put_label(&line, &rp->run->dict, item);
        buf_puts(&line, " at ");
        put_pct_measure(&line, e, vcell(&rp->run->bench, row, "measure"));
        buf_puts(&line, above ? " is above the " : " is below the ");
        buf_puts(&line, strstr(flag, "998") ? "99.8%" : "95%");
        buf_puts(&line, own_group ? " funnel limit of the benchmarking group (group "
                        : comparison_chosen(&rp->r->inputs)
                            ? " funnel limit of the comparison set (the set "
                            : " funnel limit of all trusts in the results (all trusts ");
        put_pct(&line, target);
        buf_puts(&line, "%)");
        if (only_998_against)
            buf_puts(&line, ", though within the benchmarking group's limits");
        buf_puts(&line, ".");
        put_bullet(out, line.data);
        found++;
    }
    buf_release(&line);
    return found;
}

/* One bullet per significant gap between the declared WRES groups (q <
 * 0.05): adverse ones (less favourable for the comparison group) or
 * favourable ones. */
static size_t summary_gaps(struct report *rp, struct buf *out, const struct names *items,
                           bool adverse)
{
    size_t found = 0;
    struct buf line;
    buf_init(&line);
    for (size_t i = 0; i < items->n; i++) {
        size_t row = wres_gap_row(rp, items->items[i]);
        double q, diff, n, pos, ref_n, ref_pos;
        if (!vnum(&rp->run->disp, row, "q_value", &q) || q >= SIGNIFICANCE ||
            !vnum(&rp->run->disp, row, "diff", &diff) || !vnum(&rp->run->disp, row, "n", &n) ||
            !vnum(&rp->run->disp, row, "positive", &pos) ||
            !vnum(&rp->run->disp, row, "ref_n", &ref_n) ||
            !vnum(&rp->run->disp, row, "ref_positive", &ref_pos) || n <= 0 || ref_n <= 0)
            continue;
        if (favourable(diff, vcell(&rp->run->disp, row, "polarity")) == adverse)
            continue;
        buf_clear(&line);
        put_label(&line, &rp->run->dict, items->items[i]);
        buf_puts(&line, ", ");
        put_group(&line, rp->wres->comparison);
        buf_puts(&line, " against ");
        put_group(&line, rp->wres->reference);
        buf_puts(&line, " staff: ");
        put_pct(&line, pos / n);
        buf_puts(&line, "% against ");
        put_pct_measure(&line, ref_pos / ref_n, vcell(&rp->run->disp, row, "measure"));
        buf_puts(&line, " (gap ");
        fmt_signed(&line, 100.0 * diff, 1);
        buf_puts(&line, " points, q ");
        fmt_pvalue(&line, q);
        buf_puts(&line, ").");
        put_bullet(out, line.data);
        found++;
    }
    buf_release(&line);
    return found;
}

/* What a WRES indicator counts, as the summary says it, or NULL. */
static const char *wres_label(const char *indicator)
{
    static const struct {
        const char *indicator, *text;
    } what[] = {
        {"3", "enter the formal disciplinary process"},
        {"5", "experience harassment, bullying or abuse from patients or the public"},
        {"6", "experience harassment, bullying or abuse from managers or colleagues"},
        {"7", "believe the trust acts fairly on career progression"},
        {"8", "experience discrimination from managers or colleagues"},
    };
    for (size_t i = 0; i < ARRAY_LEN(what); i++)
        if (strcmp(what[i].indicator, indicator) == 0)
            return what[i].text;
    return NULL;
}

/* The declared groups of WRES indicator ind: the HR records' for 3, the
 * survey's for 5 to 8 (members NULL when not declared). */
static const struct dict_wres_side *wres_side(const struct report *rp, const char *ind)
{
    return strcmp(ind, "3") == 0 ? &rp->run->dict.hr : &rp->run->dict.survey;
}

/* One bullet per WRES indicator whose likelihood lies clearly outside
 * 0.80 to 1.25 (its interval too). */
static size_t summary_wres(struct report *rp)
{
    struct buf *out = &rp->out;
    size_t found = 0;
    struct buf line;
    buf_init(&line);
    for (size_t k = 0; k < ARRAY_LEN(WRES_INDICATORS); k++) {
        size_t row = FIND(&rp->run->wres, "indicator", WRES_INDICATORS[k]);
        double rl, lo, hi;
        if (!vnum(&rp->run->wres, row, "relative_likelihood", &rl) ||
            !vnum(&rp->run->wres, row, "rl_lower", &lo) ||
            !vnum(&rp->run->wres, row, "rl_upper", &hi) ||
            strcmp(vcell(&rp->run->wres, row, "in_range"), "no") != 0 || (lo <= 1 && hi >= 1))
            continue;
        buf_clear(&line);
        const struct dict_wres_side *side = wres_side(rp, WRES_INDICATORS[k]);
        buf_printf(&line, "WRES indicator %s: ", WRES_INDICATORS[k]);
        put_group(&line, side->comparison ? side->comparison : "comparison group");
        buf_puts(&line, " staff were ");
        fmt_fixed(&line, rl, 2);
        buf_puts(&line, " times as likely as ");
        put_group(&line, side->reference ? side->reference : "reference group");
        buf_puts(&line, " staff to ");
        const char *what = wres_label(WRES_INDICATORS[k]);
        if (what) {
            buf_puts(&line, what);
        } else {
            buf_puts(&line, "counted for ");
            put_text(&line, vcell(&rp->run->wres, row, "item"));
        }
        buf_puts(&line, " (");
        put_conf(&line, rp->run->conf);
        buf_puts(&line, " CI ");
        fmt_fixed(&line, lo, 2);
        buf_puts(&line, " to ");
        fmt_fixed(&line, hi, 2);
        buf_puts(&line, "), outside the 0.80 to 1.25 range");
        if (strcmp(vcell(&rp->run->wres, row, "small_numbers"), "yes") == 0)
            buf_puts(&line, "; based on small numbers");
        buf_puts(&line, ".");
        put_bullet(out, line.data);
        found++;
    }
    buf_release(&line);
    return found;
}

/* Flagged hotspot rows of the org and period, sorted by q, then the size of
 * the gap (largest first), then file order.  Caller frees. */
struct hotspot {
    size_t row;
    double q, gap;
};

static int compare_hotspots(const void *a, const void *b)
{
    const struct hotspot *x = a, *y = b;
    if (x->q != y->q)
        return x->q < y->q ? -1 : 1;
    if (fabs(x->gap) != fabs(y->gap))
        return fabs(x->gap) > fabs(y->gap) ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

static struct hotspot *flagged_hotspots(const struct report *rp, size_t *count)
{
    struct hotspot *list = xcalloc(rp->run->hot.n ? rp->run->hot.n : 1, sizeof(*list));
    size_t n = 0;
    for (size_t i = 0; i < rp->run->hot.n; i++) {
        size_t row = rp->run->hot.rows[i];
        double q, gap;
        if (!row_shown(rp->run->hot.t, row) ||
            strcmp(vcell(&rp->run->hot, row, "flagged"), "yes") != 0 ||
            !vnum(&rp->run->hot, row, "q_value", &q) || !vnum(&rp->run->hot, row, "diff", &gap))
            continue;
        list[n++] = (struct hotspot){row, q, gap};
    }
    qsort(list, n, sizeof(*list), compare_hotspots);
    *count = n;
    return list;
}

/* Suppressed rows of the org and period in proportions.csv. */
/* The trust's figures of the period: how many, and how many are hidden
 * (primary, secondary, ledger) or not computed (incomplete: input rows that
 * would have fed them were rejected at ingest, which is not suppression). */
struct suppression {
    size_t total, primary, secondary, ledger, incomplete;
};

static struct suppression count_suppressed(const struct run *run)
{
    const struct view *prop = &run->prop;
    struct suppression s = {0, 0, 0, 0, 0};
    for (size_t i = 0; i < prop->n; i++) {
        /* an item not asked in the period has empty cells, not hidden ones */
        const char *item = vcell(prop, prop->rows[i], "item");
        if (!dict_asked_in(dict_find(&run->dict, item, false), run->period))
            continue;
        s.total++;
        const char *state = vcell(prop, prop->rows[i], "suppressed");
        if (strcmp(state, SUPPRESSED_PRIMARY) == 0)
            s.primary++;
        else if (strcmp(state, SUPPRESSED_SECONDARY) == 0)
            s.secondary++;
        else if (strcmp(state, SUPPRESSED_LEDGER) == 0)
            s.ledger++;
        else if (strcmp(state, SUPPRESSED_INCOMPLETE) == 0)
            s.incomplete++;
    }
    return s;
}

/* The summary's changes since the previous period, or why there are none. */
static void summary_changes_list(struct report *rp, const struct names *items)
{
    struct buf *out = &rp->out;
    if (rp->run->previous) {
        buf_puts(out, "Significant changes since ");
        put_text(out, rp->run->previous);
        buf_puts(out, ":\n");
        size_t tested, hidden, incomplete;
        if (summary_changes(rp, items, &tested, &hidden, &incomplete) == 0 && tested)
            put_bullet(out, "None: no item or theme score changed by more than chance "
                            "would explain (5% level).");
        else if (!tested && hidden && incomplete)
            put_bullet(out, "None can be shown: no change could be tested, because the "
                            "figures of one of the two periods are not shown to protect "
                            "anonymity or were not computed (input rows that would have "
                            "fed them were rejected at ingest).");
        else if (!tested && incomplete)
            put_bullet(out, "None can be shown: no change could be tested, because the "
                            "figures of one of the two periods were not computed: input "
                            "rows that would have fed them were rejected at ingest.");
        else if (!tested && hidden)
            put_bullet(out, "None can be shown: no change could be tested, because the "
                            "figures of one of the two periods are not shown to protect "
                            "anonymity.");
        else if (!tested)
            put_bullet(out, "None can be shown: the results hold no figures to compare.");
    } else {
        buf_puts(out, "Changes: there is no previous period in the results.\n");
    }
}

/* The summary's list of what stands out against the board: funnel limits,
 * BME-White gaps, WRES indicators, hotspots; or that nothing does. */
static void summary_attention(struct report *rp, const struct names *items)
{
    struct buf *out = &rp->out;
    struct buf line;
    buf_init(&line);
    buf_puts(out, "\nFor the board to look at:\n");
    size_t attention = 0;
    bool own_group = is_group_scope(rp->run->benchmark);
    attention += summary_funnel(rp, out, items, rp->run->benchmark, true, NULL);
    if (own_group)
        attention += summary_funnel(rp, out, items, SCOPE_ALL_ORGS, true, rp->run->benchmark);
    attention += summary_gaps(rp, out, items, true);
    attention += summary_wres(rp);
    size_t n_hot;
    struct hotspot *hot = flagged_hotspots(rp, &n_hot);
    if (n_hot) {
        buf_clear(&line);
        buf_printf(&line,
                   "%zu unit and item combination%s less favourable than the rest of "
                   "the trust, for the Freedom to Speak Up guardian (section 6).",
                   n_hot, n_hot == 1 ? " is" : "s are");
        put_bullet(out, line.data);
        attention++;
    }
    free(hot);
    if (!attention) {
        buf_clear(&line);
        buf_puts(&line, "Nothing stands out among the figures that can be shown: no item is "
                        "beyond the funnel limits, no significant gap between ");
        put_wres_groups(&line, rp->wres);
        buf_puts(&line, " staff, no WRES indicator clearly outside 0.80 to 1.25 and no "
                        "hotspot.");
        put_bullet(out, line.data);
    }
    buf_release(&line);
}

/* The summary's more favourable results, when there are any. */
static void summary_favourable(struct report *rp, const struct names *items)
{
    struct buf *out = &rp->out;
    struct buf good;
    buf_init(&good);
    if (summary_funnel(rp, &good, items, rp->run->benchmark, false, NULL) +
        summary_gaps(rp, &good, items, false)) {
        buf_puts(out, "\nMore favourable results:\n");
        buf_append(out, good.data, good.len);
    }
    buf_release(&good);
}

/* How many of the trust's figures suppression hides, among them which
 * BME-White comparisons and WRES indicators. */
static void summary_hidden(struct report *rp, const struct names *items)
{
    struct buf *out = &rp->out;
    struct buf line;
    buf_init(&line);
    struct suppression s = count_suppressed(rp->run);
    if (s.primary + s.secondary + s.ledger) {
        size_t gaps = 0, gaps_hidden = 0;
        for (size_t i = 0; i < items->n; i++) {
            size_t row = wres_gap_row(rp, items->items[i]);
            if (row == NO_ROW)
                continue;
            gaps++;
            gaps_hidden += !row_shown(rp->run->disp.t, row);
        }
        struct names wres_hidden = {0};
        for (size_t k = 0; k < ARRAY_LEN(WRES_INDICATORS); k++) {
            size_t row = FIND(&rp->run->wres, "indicator", WRES_INDICATORS[k]);
            if (row != NO_ROW && !row_shown(rp->run->wres.t, row))
                names_add(&wres_hidden, WRES_INDICATORS[k]);
        }
        buf_clear(&line);
        buf_puts(&line, "To protect anonymity, ");
        fmt_count(&line, s.primary + s.secondary + s.ledger);
        buf_puts(&line, " of the ");
        fmt_count(&line, s.total);
        buf_puts(&line, " figures for this trust and period are not shown (section 7)");
        if (gaps_hidden) {
            buf_printf(&line, ", including %zu of the %zu comparisons of ", gaps_hidden, gaps);
            put_wres_groups(&line, rp->wres);
            buf_puts(&line, " staff (section 4)");
        }
        if (wres_hidden.n) {
            buf_puts(&line, gaps_hidden ? " and WRES indicator" : ", including WRES indicator");
            buf_puts(&line, wres_hidden.n > 1 ? "s " : " ");
            put_and_list(&line, &wres_hidden);
            buf_puts(&line, " (section 5)");
        }
        buf_puts(&line, ".");
        free(wres_hidden.items);
        buf_putc(out, '\n');
        fmt_wrap(out, line.data, WIDTH, "", "");
    }
    if (s.incomplete) { /* not hidden: never computed, and the reader must not take them as 0 */
        buf_clear(&line);
        fmt_count(&line, s.incomplete);
        buf_puts(&line, " of the ");
        fmt_count(&line, s.total);
        buf_puts(&line, " figures for this trust and period were not computed: input rows "
                        "that would have fed them were rejected at ingest (see the rejects "
                        "file of candour-ingest; section 7).");
        buf_putc(out, '\n');
        fmt_wrap(out, line.data, WIDTH, "", "");
    }
    buf_release(&line);
}

/* Section 2: the summary for the board. */
static void section_summary(struct report *rp, const struct names *items)
{
    struct buf *out = &rp->out;
    buf_puts(out, "\n2. SUMMARY\n\n");
    fmt_wrap(out,
             "These figures describe what staff reported in the survey and what the "
             "HR records show. They do not say why a figure differs; read them with "
             "what the board knows about staffing, workload and the working "
             "environment.",
             WIDTH, "", "");
    buf_putc(out, '\n');
    summary_changes_list(rp, items);
    summary_attention(rp, items);
    summary_favourable(rp, items);
    summary_hidden(rp, items);
}

/* ---- section 3: just culture and speaking up ------------------------------------------- */

/* "not asked in 2024: ...": an item (or theme) the dictionary says has
 * no answers in the report's period (its rows, if any, are empty cells that
 * anonymity has nothing to do with), said in its row and, for section
 * `section` (0: none), on stderr.  False (nothing written) when it was
 * asked. */
static bool put_not_asked(struct buf *out, const struct report *rp, const char *id, bool theme,
                          int section)
{
    const struct dict_entry *e = dict_find(&rp->run->dict, id, theme);
    if (!e || dict_asked_in(e, rp->run->period))
        return false;
    buf_puts(out, "not asked in ");
    put_text(out, rp->run->period);
    buf_puts(out, ": results of a period that asked it would produce it.");
    if (!section)
        return true;
    struct buf line;
    buf_init(&line);
    put_label(&line, &rp->run->dict, id);
    buf_puts(&line, theme ? " (theme " : " (item ");
    put_text(&line, id);
    buf_puts(&line, ") was ");
    buf_append(&line, out->data, out->len);
    gap_line(section, line.data);
    buf_release(&line);
    return true;
}

/* The culture table's row of an item: % now with its interval, the
 * previous period's %, the change, the funnel position; or why not shown. */
static void item_row(struct report *rp, struct fmt_table *t, const char *item)
{
    struct buf label, now, prev, change, funnel;
    buf_init(&label);
    buf_init(&now);
    buf_init(&prev);
    buf_init(&change);
    buf_init(&funnel);
    put_label(&label, &rp->run->dict, item);
    size_t row = FIND(&rp->run->prop, "item", item, "group_dim", "all", "group", "all");
    if (put_not_asked(&now, rp, item, false, 3)) {
        fmt_table_note(t, label.data, now.data);
        goto out;
    }
    if (!put_pct_ci(&now, &rp->run->prop, row)) {
        put_not_shown(&now, &rp->run->prop, row, rp->run->min_n, "answers");
        fmt_table_note(t, label.data, now.data);
        goto out;
    }
    size_t trend = FIND(&rp->run->trends, "item", item, "group_dim", "all", "group", "all");
    double prev_e, d, lo, hi;
    if (!rp->run->previous) {
        buf_puts(&prev, "--");
        buf_puts(&change, "--");
    } else if (trend == NO_ROW) {
        buf_puts(&prev, "--");
        buf_puts(&change, "--");
    } else if (vnum(&rp->run->trends, trend, "previous_estimate", &prev_e) &&
               vnum(&rp->run->trends, trend, "change", &d) &&
               vnum(&rp->run->trends, trend, "change_lower", &lo) &&
               vnum(&rp->run->trends, trend, "change_upper", &hi)) {
        put_pct(&prev, prev_e);
        put_points_ci(&change, d, lo, hi);
        if (trend_significant(&rp->run->trends, trend))
            buf_putc(&change, '*');
    } else {
        buf_puts(&prev, "n/s");
        buf_puts(&change, "n/s");
    }
    size_t b = FIND(&rp->run->bench, "item", item, "group_dim", "all", "group", "all", "benchmark",
                    rp->run->benchmark, "weighted", "no");
    if (row_shown(rp->run->bench.t, b))
        buf_puts(&funnel, funnel_short(vcell(&rp->run->bench, b, "flag"),
                                       vcell(&rp->run->bench, b, "polarity")));
    else
        buf_puts(&funnel, b == NO_ROW ? "--" : "n/s");
    fmt_table_row(t, (const char *const[]){label.data, now.data, prev.data ? prev.data : "",
                                           change.data, funnel.data});
out:
    buf_release(&label);
    buf_release(&now);
    buf_release(&prev);
    buf_release(&change);
    buf_release(&funnel);
}

/* The themes table's row of a theme: the score with its interval, the
 * previous period's, the change; or why not shown. */
static void theme_row(struct report *rp, struct fmt_table *t, const char *theme)
{
    struct buf label, now, prev, change;
    buf_init(&label);
    buf_init(&now);
    buf_init(&prev);
    buf_init(&change);
    put_label(&label, &rp->run->dict, theme);
    struct theme_change tc = theme_change(rp, theme);
    double m, lo, hi;
    if (put_not_asked(&now, rp, theme, true, 3)) {
        fmt_table_note(t, label.data, now.data);
        goto out;
    }
    if (!vnum(&rp->run->themes, tc.row, "mean", &m) ||
        !vnum(&rp->run->themes, tc.row, "ci_lower", &lo) ||
        !vnum(&rp->run->themes, tc.row, "ci_upper", &hi)) {
        put_not_shown(&now, &rp->run->themes, tc.row, rp->run->min_n, "respondents");
        fmt_table_note(t, label.data, now.data);
        goto out;
    }
    fmt_fixed(&now, m, 2);
    buf_puts(&now, " (");
    fmt_fixed(&now, lo, 2);
    buf_putc(&now, '-');
    fmt_fixed(&now, hi, 2);
    buf_putc(&now, ')');
    double m0;
    if (!rp->run->previous || tc.prev_row == NO_ROW) {
        buf_puts(&prev, "--");
        buf_puts(&change, "--");
    } else if (!vnum(&rp->run->themes_prev, tc.prev_row, "mean", &m0)) {
        buf_puts(&prev, "n/s");
        buf_puts(&change, "n/s");
    } else {
        fmt_fixed(&prev, m0, 2);
        if (tc.has_change) {
            fmt_signed(&change, tc.diff, 2);
            buf_puts(&change, " (");
            fmt_signed(&change, tc.lower, 2);
            buf_puts(&change, ", ");
            fmt_signed(&change, tc.upper, 2);
            buf_putc(&change, ')');
            if (tc.significant)
                buf_putc(&change, '*');
        } else {
            buf_puts(&change, "--");
        }
    }
    fmt_table_row(t, (const char *const[]){label.data, now.data, prev.data, change.data});
out:
    buf_release(&label);
    buf_release(&now);
    buf_release(&prev);
    buf_release(&change);
}

/* "% 2024 (95% CI)": a column heading of the period's figures. */
static void put_period_heading(struct buf *out, const char *what, const struct run *run)
{
    buf_puts(out, what);
    put_text(out, run->period);
    buf_puts(out, " (");
    put_conf(out, run->conf);
    buf_puts(out, " CI)");
}

/* "2023" (or "Prev.") and "Change (95% CI)": the previous period's headings. */
static void put_previous_heading(struct buf *prev, struct buf *change, const struct run *run)
{
    if (run->previous)
        put_text(prev, run->previous);
    else
        buf_puts(prev, "Prev.");
    buf_puts(change, "Change (");
    put_conf(change, run->conf);
    buf_puts(change, " CI)");
}

/* The column headings of a table of this period against the previous
 * one: "% 2024 (95% CI)" (what: "% "), "2023" and "Change (95% CI)". */
struct period_headings {
    struct buf now, prev, change;
};

static void period_headings_init(struct period_headings *h, const char *what, const struct run *run)
{
    buf_init(&h->now);
    buf_init(&h->prev);
    buf_init(&h->change);
    put_period_heading(&h->now, what, run);
    put_previous_heading(&h->prev, &h->change, run);
}

static void period_headings_release(struct period_headings *h)
{
    buf_release(&h->now);
    buf_release(&h->prev);
    buf_release(&h->change);
}

/* The items' table's rows: a heading per declared section with its items
 * (items.csv order), then "Other items": the items in no section, and any
 * item of the org the dictionary lacks. */
static void culture_item_rows(struct report *rp, struct fmt_table *t)
{
    const struct dictionary *d = &rp->run->dict;
    struct buf title;
    buf_init(&title);
    for (size_t k = 0; k < d->n_sections; k++) {
        buf_clear(&title);
        put_text_fit(&title, d->sections[k].title, 60);
        fmt_table_heading(t, title.data);
        for (size_t i = 0; i < d->n; i++)
            if (!d->entries[i].theme && d->entries[i].section == k)
                item_row(rp, t, d->entries[i].id);
    }
    struct names other = {0};
    for (size_t i = 0; i < d->n; i++)
        if (!d->entries[i].theme && d->entries[i].section == DICT_NONE)
            names_add(&other, d->entries[i].id);
    for (size_t i = 0; i < rp->items.n; i++)
        if (!dict_find(d, rp->items.items[i], false))
            names_add(&other, rp->items.items[i]);
    if (other.n)
        fmt_table_heading(t, "Other items");
    for (size_t i = 0; i < other.n; i++)
        item_row(rp, t, other.items[i]);
    free(other.items);
    buf_release(&title);
}

/* The items' table: % positive, the previous period's, the change and the
 * funnel position of each item, by section. */
static void culture_items(struct report *rp)
{
    struct buf *out = &rp->out;
    struct buf text;
    buf_init(&text);
    buf_puts(&text, "Percentage of staff who answered positively (the answers the schema "
                    "counts as positive; for an item that counts an experience, such as "
                    "harassment, the percentage experiencing it), with its ");
    put_conf(&text, rp->run->conf);
    buf_puts(&text, " CI; the change since ");
    if (rp->run->previous)
        put_text(&text, rp->run->previous);
    else
        buf_puts(&text, "the previous period");
    buf_puts(&text, " in percentage points (* significant at the 5% level); and the "
                    "position on the funnel plot against ");
    if (is_group_scope(rp->run->benchmark))
        buf_puts(&text, "the benchmarking group");
    else
        buf_puts(&text, all_orgs_name(&rp->r->inputs));
    buf_puts(&text, ": within its limits, or low or high beyond its 95% or 99.8% limit.");
    fmt_wrap(out, text.data, WIDTH, "", "");
    buf_putc(out, '\n');
    struct period_headings h;
    period_headings_init(&h, "% ", rp->run);
    struct fmt_table t;
    fmt_table_init(&t, 5);
    fmt_table_align(&t, 2, FMT_RIGHT);
    fmt_table_header(
        &t, (const char *const[]){"Item", h.now.data, h.prev.data, h.change.data, "Funnel"});
    culture_item_rows(rp, &t);
    fmt_table_render(&t, out, "  ", 2, WIDTH, 0);
    fmt_table_release(&t);
    buf_release(&text);
    period_headings_release(&h);
}

/* The theme scores' table: the score, the previous period's, the change. */
static void culture_themes(struct report *rp)
{
    struct buf *out = &rp->out;
    struct buf text;
    buf_init(&text);
    buf_puts(&text, "Theme scores: each respondent's mean score over the theme's items "
                    "(0 = strongly disagree to 10 = strongly agree), averaged over "
                    "respondents; ");
    put_conf(&text, rp->run->conf);
    buf_puts(&text, " CI; theme scores are not benchmarked.");
    fmt_wrap(out, text.data, WIDTH, "", "");
    buf_putc(out, '\n');
    struct period_headings h;
    period_headings_init(&h, "Score ", rp->run);
    struct fmt_table t;
    fmt_table_init(&t, 4);
    fmt_table_align(&t, 2, FMT_RIGHT);
    fmt_table_header(&t, (const char *const[]){"Theme", h.now.data, h.prev.data, h.change.data});
    for (size_t k = 0; k < rp->themes.n; k++)
        theme_row(rp, &t, rp->themes.items[k]);
    fmt_table_render(&t, out, "  ", 2, WIDTH, 0);
    fmt_table_release(&t);
    buf_release(&text);
    period_headings_release(&h);
}

/* Section 3: the items of each declared section, the other items, then the
 * themes. */
static void section_culture(struct report *rp)
{
    struct buf *out = &rp->out;
    struct buf heading;
    buf_init(&heading);
    buf_puts(&heading, "3. ");
    put_section_titles(&heading, &rp->run->dict, " AND ", "SURVEY ITEMS");
    buf_putc(out, '\n');
    fmt_wrap(out, heading.data, WIDTH, "", "   ");
    buf_putc(out, '\n');
    buf_release(&heading);
    if (!rp->run->prop.n && !rp->run->themes.n) {
        struct buf text;
        buf_init(&text);
        buf_puts(&text, "The results hold no survey figures for this trust and period: "
                        "respondent data, published organisation results or aggregated counts "
                        "for ");
        put_text(&text, rp->run->period);
        buf_puts(&text, " would produce them.");
        report_gap(rp, 3, text.data);
        buf_release(&text);
        return;
    }
    culture_items(rp);
    buf_putc(out, '\n');
    if (rp->themes.n)
        culture_themes(rp);
    else
        report_gap(rp, 3,
                   "The results hold no theme scores: theme lines in a respondent schema "
                   "would produce them.");
    buf_puts(out, "\n  n/s: not shown to protect anonymity; --: no figure in the results.\n");
}

/* ---- section 4: fairness ----------------------------------------------------------------- */

/* The org's items in dictionary order: the sections' items first, then
 * the others (items.csv order), then any the dictionary lacks (file order). */
static void ordered_items(const struct dictionary *d, const struct names *items,
                          struct names *ordered)
{
    memset(ordered, 0, sizeof(*ordered));
    for (size_t i = 0; i < d->n; i++)
        if (!d->entries[i].theme && names_has(items, d->entries[i].id))
            names_add(ordered, d->entries[i].id);
    for (size_t i = 0; i < items->n; i++)
        names_add(ordered, items->items[i]);
}

/* The report's themes: the dictionary's, in its order, then any other
 * theme the org has in the period (file order). */
static void report_themes(const struct dictionary *d, const struct view *themes, struct names *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < d->n; i++)
        if (d->entries[i].theme)
            names_add(out, d->entries[i].id);
    for (size_t i = 0; i < themes->n; i++)
        names_add(out, vcell(themes, themes->rows[i], "theme"));
}

/* The fairness table's row of an item: BME and White %, the gap with its
 * interval and q; or why not shown. */
static void gap_row(struct report *rp, struct fmt_table *t, const char *item)
{
    struct buf label, group, ref, gap, q;
    buf_init(&label);
    buf_init(&group);
    buf_init(&ref);
    buf_init(&gap);
    buf_init(&q);
    put_label(&label, &rp->run->dict, item);
    size_t row = wres_gap_row(rp, item);
    double n, pos, ref_n, ref_pos, d, lo, hi, qv;
    if (put_not_asked(&gap, rp, item, false, 0)) {
        fmt_table_note(t, label.data, gap.data);
        goto out;
    }
    if (!vnum(&rp->run->disp, row, "n", &n) || !vnum(&rp->run->disp, row, "positive", &pos) ||
        !vnum(&rp->run->disp, row, "ref_n", &ref_n) ||
        !vnum(&rp->run->disp, row, "ref_positive", &ref_pos) ||
        !vnum(&rp->run->disp, row, "diff", &d) || !vnum(&rp->run->disp, row, "diff_lower", &lo) ||
        !vnum(&rp->run->disp, row, "diff_upper", &hi) ||
        !vnum(&rp->run->disp, row, "q_value", &qv) || n <= 0 || ref_n <= 0) {
        put_not_shown(&gap, &rp->run->disp, row, rp->run->min_n, "answers in a group");
        fmt_table_note(t, label.data, gap.data);
        goto out;
    }
    put_pct(&group, pos / n);
    put_pct(&ref, ref_pos / ref_n);
    put_points_ci(&gap, d, lo, hi);
    fmt_pvalue(&q, qv);
    if (qv < SIGNIFICANCE)
        buf_putc(&q, '*');
    fmt_table_row(t, (const char *const[]){label.data, group.data, ref.data, gap.data, q.data});
out:
    buf_release(&label);
    buf_release(&group);
    buf_release(&ref);
    buf_release(&gap);
    buf_release(&q);
}

/* "; Disabled, Safe to speak up -5.1 points (-9.0 to -1.2, q 0.012)": a
 * significant gap of the list after a dimension's count. */
static void put_gap(struct buf *line, const struct dictionary *dict, const struct view *disp,
                    size_t row, bool first, double d, double lo, double hi, double q)
{
    buf_puts(line, first ? ": " : "; ");
    put_text_fit(line, vcell(disp, row, "group"), 60);
    buf_puts(line, ", ");
    put_label(line, dict, vcell(disp, row, "item"));
    buf_puts(line, " ");
    fmt_signed(line, 100.0 * d, 1);
    buf_puts(line, " points (");
    fmt_signed(line, 100.0 * lo, 1);
    buf_puts(line, " to ");
    fmt_signed(line, 100.0 * hi, 1);
    buf_puts(line, ", q ");
    fmt_pvalue(line, q);
    buf_puts(line, ")");
}

/* The bullet of one demographic dimension (other than the comparison of
 * the declared WRES groups): its significant gaps, or that there are none.  False when
 * it has no comparison at all. */
static bool dimension_bullet(struct report *rp, const char *dim)
{
    const struct view *disp = &rp->run->disp;
    const struct dict_wres_side *w = rp->wres;
    bool wres_dim = w->grouping && strcmp(dim, w->grouping) == 0;
    size_t tests = 0, hidden = 0, significant = 0;
    const char *reference = NULL;
    struct buf line, text;
    buf_init(&line);
    buf_init(&text);
    for (size_t i = 0; i < disp->n; i++) {
        size_t row = disp->rows[i];
        if (strcmp(vcell(disp, row, "group_dim"), dim) != 0 ||
            (wres_dim && strcmp(vcell(disp, row, "group"), w->comparison) == 0 &&
             strcmp(vcell(disp, row, "reference"), w->reference) == 0))
            continue;
        reference = vcell(disp, row, "reference");
        if (!row_shown(disp->t, row)) {
            hidden++;
            continue;
        }
        tests++;
        double q, d, lo, hi;
        if (vnum(disp, row, "q_value", &q) && q < SIGNIFICANCE && vnum(disp, row, "diff", &d) &&
            vnum(disp, row, "diff_lower", &lo) && vnum(disp, row, "diff_upper", &hi))
            put_gap(&line, &rp->run->dict, disp, row, significant++ == 0, d, lo, hi, q);
    }
    if (reference) {
        put_text_fit(&text, dim, 60);
        buf_puts(&text, wres_dim ? " (other groups, against " : " (against ");
        put_text_fit(&text, reference, 60);
        buf_puts(&text, "): ");
        if (significant)
            buf_printf(&text, "%zu significant gap%s in %zu comparisons", significant,
                       significant == 1 ? "" : "s", tests);
        else if (tests)
            buf_printf(&text, "no significant gap in %zu comparison%s", tests,
                       tests == 1 ? "" : "s");
        else
            buf_puts(&text, "no comparison can be shown");
        if (hidden && tests)
            buf_printf(&text, " (%zu more not shown)", hidden);
        else if (hidden)
            buf_printf(&text, " (all %zu hidden to protect anonymity)", hidden);
        if (significant)
            buf_append(&text, line.data, line.len);
        buf_puts(&text, ".");
        put_bullet(&rp->out, text.data);
    }
    buf_release(&line);
    buf_release(&text);
    return reference != NULL;
}

/* One bullet per demographic dimension of the org's comparisons. */
static void other_dimensions(struct report *rp)
{
    struct names dims = {0};
    for (size_t i = 0; i < rp->run->disp.n; i++)
        names_add(&dims, vcell(&rp->run->disp, rp->run->disp.rows[i], "group_dim"));
    bool any = false;
    for (size_t k = 0; k < dims.n; k++)
        any |= dimension_bullet(rp, dims.items[k]);
    if (!any)
        put_bullet(&rp->out, "No other groups are compared in the results.");
    free(dims.items);
}

/* Longest group name that heads a column of the fairness and WRES tables
 * ("White %"); with a longer one the columns are "Group %" and "Ref. %" and
 * the text above the table names them, so that item labels keep their 22
 * characters within 80 columns. */
#define GROUP_HEADING_MAX 9

static bool groups_head_columns(const struct dict_wres_side *side)
{
    return side->grouping &&
           fmt_columns(side->comparison, strlen(side->comparison)) <= GROUP_HEADING_MAX &&
           fmt_columns(side->reference, strlen(side->reference)) <= GROUP_HEADING_MAX;
}

/* The two group columns' headings: "BME %" and "White %", or "Group %"
 * and "Ref. %" (groups_head_columns). */
static void put_group_headings(struct buf *group, struct buf *ref,
                               const struct dict_wres_side *side)
{
    if (groups_head_columns(side)) {
        put_text(group, side->comparison);
        put_text(ref, side->reference);
    } else {
        buf_puts(group, "Group");
        buf_puts(ref, "Ref.");
    }
    buf_puts(group, " %");
    buf_puts(ref, " %");
}

/* " Group %: Global majority staff; Ref. %: White staff.": what the
 * columns are when the names do not head them. */
static void put_group_legend(struct buf *out, const struct dict_wres_side *side)
{
    if (!side->grouping || groups_head_columns(side))
        return;
    buf_puts(out, " Group %: ");
    put_group(out, side->comparison);
    buf_puts(out, " staff; Ref. %: ");
    put_group(out, side->reference);
    buf_puts(out, " staff.");
}

/* The table of the declared WRES groups' gaps, item by item. */
static void fairness_table(struct report *rp, const struct names *items)
{
    struct buf *out = &rp->out;
    const struct dict_wres_side *w = rp->wres;
    struct buf text, h_group, h_ref;
    buf_init(&text);
    buf_init(&h_group);
    buf_init(&h_ref);
    buf_puts(&text, "Percentage positive (or experiencing, for an item that counts an "
                    "experience) among ");
    put_wres_groups(&text, w);
    buf_puts(&text, " staff; the gap is ");
    put_group(&text, w->comparison);
    buf_puts(&text, " minus ");
    put_group(&text, w->reference);
    buf_puts(&text, " in percentage points with its ");
    put_conf(&text, rp->run->conf);
    buf_puts(&text, " CI; q is the p-value adjusted for the number of comparisons "
                    "(false discovery rate, * when below 0.05).");
    put_group_legend(&text, w);
    fmt_wrap(out, text.data, WIDTH, "", "");
    buf_putc(out, '\n');
    struct names ordered;
    ordered_items(&rp->run->dict, items, &ordered);
    struct fmt_table t;
    fmt_table_init(&t, 5);
    fmt_table_align(&t, 1, FMT_RIGHT);
    fmt_table_align(&t, 2, FMT_RIGHT);
    fmt_table_align(&t, 4, FMT_RIGHT);
    buf_clear(&text);
    buf_puts(&text, "Gap, points (");
    put_conf(&text, rp->run->conf);
    buf_puts(&text, " CI)");
    put_group_headings(&h_group, &h_ref, w);
    fmt_table_header(&t, (const char *const[]){"Item", h_group.data, h_ref.data, text.data, "q"});
    for (size_t i = 0; i < ordered.n; i++)
        gap_row(rp, &t, ordered.items[i]);
    fmt_table_render(&t, out, "  ", 2, WIDTH, 0);
    fmt_table_release(&t);
    free(ordered.items);
    buf_release(&text);
    buf_release(&h_group);
    buf_release(&h_ref);
}

/* Section 4: the declared WRES groups' gaps of every item, then the other
 * groups. */
static void section_fairness(struct report *rp, const struct names *items)
{
    struct buf *out = &rp->out;
    struct buf heading;
    buf_init(&heading);
    buf_puts(&heading, "4. FAIRNESS: ");
    if (rp->wres->grouping) {
        struct buf groups;
        buf_init(&groups);
        put_wres_groups(&groups, rp->wres);
        put_upper(&heading, groups.data);
        buf_release(&groups);
        buf_puts(&heading, " STAFF");
    } else {
        buf_puts(&heading, "GROUPS OF STAFF");
    }
    buf_putc(out, '\n');
    fmt_wrap(out, heading.data, WIDTH, "", "   ");
    buf_putc(out, '\n');
    buf_release(&heading);
    if (!rp->run->disp.n) {
        report_gap(rp, 4,
                   "The results hold no comparisons of groups of staff for this trust and "
                   "period: respondent data with a demographic column (and a "
                   "wres-grouping declared in its schema) would produce them.");
        return;
    }
    if (rp->wres->grouping)
        fairness_table(rp, items);
    else
        report_gap(rp, 4,
                   "No WRES grouping is declared, so no table of gaps between the two "
                   "groups WRES compares: a line wres-grouping DEMOGRAPHIC reference=GROUP "
                   "comparison=GROUP in the survey schema would produce it.");
    buf_puts(out, "\nOther groups, all items (significant when q < 0.05):\n");
    other_dimensions(rp);
}

/* ---- section 5: WRES ------------------------------------------------------------------------- */

/* The WRES table's label of an indicator: "3 Disciplinary process" (HR
 * records, the standard's indicator 3), else the number and the label of
 * the item the schema declares for it. */
static void put_wres_short(struct buf *out, const struct report *rp, const char *indicator)
{
    buf_puts(out, indicator);
    if (strcmp(indicator, "3") == 0) {
        buf_puts(out, " Disciplinary process");
        return;
    }
    const struct dict_entry *e = dict_indicator_item(&rp->run->dict, atoi(indicator));
    if (e) {
        buf_putc(out, ' ');
        put_label(out, &rp->run->dict, e->id);
    }
}

/* Is WRES indicator ind (5 to 8) an item not asked in the report's period? */
static bool wres_not_asked(const struct report *rp, const char *ind)
{
    const struct dict_entry *e = dict_indicator_item(&rp->run->dict, atoi(ind));
    return e && !dict_asked_in(e, rp->run->period);
}

/* Why WRES indicator ind has no row for the trust and period: what is
 * missing from the results, and what would produce it; also on stderr, for
 * the table's row `which` ("3", "5 to 8"). */
static void put_wres_missing(struct buf *out, const struct report *rp, const char *ind,
                             const char *which)
{
    const struct dictionary *d = &rp->run->dict;
    int k = atoi(ind);
    const struct dict_entry *e = k == 3 ? NULL : dict_indicator_item(d, k);
    bool survey_items = false;
    for (size_t i = 0; i < d->n && !survey_items; i++)
        survey_items = !d->entries[i].theme;
    if (k == 3 && !d->hr.grouping) {
        buf_puts(out, "no HR records in the results: a dataset ingested with a wres-hr schema "
                      "would produce it.");
    } else if (k != 3 && !survey_items) {
        buf_puts(out, "no survey data in the results: respondent data or aggregated counts "
                      "whose schema declares a wres-grouping would produce it.");
    } else if (k != 3 && !d->survey.grouping) {
        buf_puts(out, "no WRES grouping is declared: a wres-grouping line in the survey "
                      "schema would produce it.");
    } else if (k != 3 && !e) {
        buf_printf(out,
                   "no item is declared as indicator %d: a line wres-indicator %d ITEM in the "
                   "survey schema would produce it.",
                   k, k);
    } else if (e && !dict_asked_in(e, rp->run->period)) {
        buf_puts(out, "not asked in ");
        put_text(out, rp->run->period);
        buf_puts(out, ": results of a period that asked it would produce it.");
    } else if (k == 3) {
        buf_puts(out, "no HR records for this trust in ");
        put_text(out, rp->run->period);
        buf_puts(out, ": its HR counts for the period would produce it.");
    } else {
        buf_puts(out, "no result for this trust in ");
        put_text(out, rp->run->period);
        buf_puts(out, ": its answers to the item in the period would produce it.");
    }
    struct buf line;
    buf_init(&line);
    buf_printf(&line, "WRES indicator %s", which);
    if (e) {
        buf_puts(&line, " (");
        put_label(&line, d, e->id);
        buf_putc(&line, ')');
    }
    buf_puts(&line, ": ");
    buf_append(&line, out->data, out->len);
    gap_line(5, line.data);
    buf_release(&line);
}

/* "1.54 (1.16-2.04)": a relative likelihood and its interval, or
 * "undefined" for the likelihood when it has none. */
static void put_likelihood(struct buf *out, const struct view *v, size_t row, double lo, double hi)
{
    double rl;
    if (vnum(v, row, "relative_likelihood", &rl))
        fmt_fixed(out, rl, 2);
    else
        buf_puts(out, "undefined");
    buf_puts(out, " (");
    fmt_fixed(out, lo, 2);
    buf_putc(out, '-');
    fmt_fixed(out, hi, 2);
    buf_putc(out, ')');
}

/* The table row of WRES indicator ind: its rates and likelihood, or why
 * there are none.  True when the figures are shown. */
static bool wres_row(struct report *rp, struct fmt_table *t, const char *ind, size_t row)
{
    const struct view *w = &rp->run->wres;
    struct buf label, a, b, c;
    buf_init(&label);
    buf_init(&a);
    buf_init(&b);
    buf_init(&c);
    put_wres_short(&label, rp, ind);
    double br, wr, lo, hi;
    bool shown = vnum(w, row, "bme_rate", &br) && vnum(w, row, "white_rate", &wr) &&
                 vnum(w, row, "rl_lower", &lo) && vnum(w, row, "rl_upper", &hi);
    if (!shown && row != NO_ROW && row_shown(w->t, row)) {
        buf_puts(&a, "no figure: ");
        put_text(&a, vcell(w, row, "note"));
        fmt_table_note(t, label.data, a.data);
    } else if (!shown && (row == NO_ROW || wres_not_asked(rp, ind))) {
        put_wres_missing(&a, rp, ind, ind);
        fmt_table_note(t, label.data, a.data);
    } else if (!shown) {
        bool hr = strcmp(vcell(w, row, "source"), "hr") == 0;
        put_not_shown(&a, w, row, rp->run->min_n, hr ? "staff in a group" : "answers in a group");
        fmt_table_note(t, label.data, a.data);
    } else {
        int decimals = strcmp(vcell(w, row, "source"), "hr") == 0 ? 2 : 1;
        fmt_fixed(&a, 100.0 * br, decimals);
        fmt_fixed(&b, 100.0 * wr, decimals);
        put_likelihood(&c, w, row, lo, hi);
        const char *in_range = vcell(w, row, "in_range");
        const char *small = vcell(w, row, "small_numbers");
        fmt_table_row(t, (const char *const[]){label.data, a.data, b.data, c.data,
                                               *in_range ? in_range : "--", *small ? small : "--"});
    }
    buf_release(&label);
    buf_release(&a);
    buf_release(&b);
    buf_release(&c);
    return shown;
}

/* Indicator 3's counts from HR records, when shown. */
static void wres_hr_counts(struct report *rp, size_t hr_row)
{
    const struct view *w = &rp->run->wres;
    double be, bn, we, wn;
    if (hr_row == NO_ROW || !vnum(w, hr_row, "bme_events", &be) || !vnum(w, hr_row, "bme_n", &bn) ||
        !vnum(w, hr_row, "white_events", &we) || !vnum(w, hr_row, "white_n", &wn) || be < 0 ||
        bn < 0 || we < 0 || wn < 0)
        return;
    struct buf text;
    buf_init(&text);
    buf_puts(&text, "Indicator 3: ");
    fmt_count(&text, (unsigned long long)be);
    buf_puts(&text, " of ");
    fmt_count(&text, (unsigned long long)bn);
    buf_putc(&text, ' ');
    put_group(&text, rp->run->dict.hr.comparison);
    buf_puts(&text, " staff and ");
    fmt_count(&text, (unsigned long long)we);
    buf_puts(&text, " of ");
    fmt_count(&text, (unsigned long long)wn);
    buf_putc(&text, ' ');
    put_group(&text, rp->run->dict.hr.reference);
    buf_puts(&text, " staff entered a formal disciplinary process (HR period ");
    put_text(&text, vcell(w, hr_row, "periods_used"));
    buf_puts(&text, "; staff of unknown ");
    put_text_fit(&text, rp->run->dict.hr.grouping ? rp->run->dict.hr.grouping : "group", 40);
    buf_putc(&text, ' ');
    put_text(&text, vcell(w, hr_row, "unknown_ethnicity"));
    buf_puts(&text, ").");
    fmt_wrap(&rp->out, text.data, WIDTH, "", "");
    buf_release(&text);
}

/* The group names of the WRES table: the survey's declared groups, else
 * the HR records'; when both are declared under different names, *both
 * is set (the table then says "comparison" and "reference"). */
static const struct dict_wres_side *wres_table_side(const struct report *rp, bool *both)
{
    const struct dictionary *d = &rp->run->dict;
    *both = d->survey.grouping && d->hr.grouping &&
            (strcmp(d->survey.comparison, d->hr.comparison) != 0 ||
             strcmp(d->survey.reference, d->hr.reference) != 0);
    return d->survey.grouping ? &d->survey : &d->hr;
}

/* Which side of 1 is adverse for the comparison group, by indicator
 * (adverse_if). */
static void wres_adverse_note(struct report *rp, const struct names *above,
                              const struct names *below)
{
    if (!above->n && !below->n)
        return;
    bool both;
    const struct dict_wres_side *side = wres_table_side(rp, &both);
    struct buf text, group;
    buf_init(&text);
    buf_init(&group);
    if (side->grouping && !both)
        put_group(&group, side->comparison);
    else
        buf_puts(&group, "the comparison group's");
    buf_puts(&text, "A likelihood ");
    if (above->n) {
        buf_printf(&text, "above 1 is adverse for %s staff for indicator", group.data);
        buf_puts(&text, above->n > 1 ? "s " : " ");
        put_and_list(&text, above);
    }
    if (below->n) {
        if (above->n)
            buf_puts(&text, "; below 1 for ");
        else
            buf_printf(&text, "below 1 is adverse for %s staff for ", group.data);
        buf_puts(&text, below->n > 1 ? "indicators " : "indicator ");
        put_and_list(&text, below);
    }
    buf_puts(&text, ".");
    fmt_wrap(&rp->out, text.data, WIDTH, "", "");
    buf_release(&text);
    buf_release(&group);
}

/* The WRES section's opening: what the table's columns are, under the
 * declared group names. */
static void wres_intro(struct report *rp)
{
    bool both;
    const struct dict_wres_side *side = wres_table_side(rp, &both);
    struct buf text;
    buf_init(&text);
    if (side->grouping && !both) {
        buf_puts(&text, "Rate among ");
        put_wres_groups(&text, side);
        buf_puts(&text, " staff and the relative likelihood (");
        put_group(&text, side->comparison);
        buf_puts(&text, " rate divided by ");
        put_group(&text, side->reference);
        buf_puts(&text, " rate, 1 = parity) with its ");
    } else {
        buf_puts(&text, "Rate among the comparison and reference groups of staff (");
        if (side->grouping) {
            buf_puts(&text, "survey: ");
            put_wres_groups(&text, &rp->run->dict.survey);
            buf_puts(&text, "; HR records: ");
            put_wres_groups(&text, &rp->run->dict.hr);
        } else {
            buf_puts(&text, "none declared");
        }
        buf_puts(&text, ") and the relative likelihood (comparison rate divided by reference "
                        "rate, 1 = parity) with its ");
    }
    put_conf(&text, rp->run->conf);
    buf_puts(&text, " CI. In range: the likelihood lies in 0.80 to 1.25 (tested exactly on "
                    "the counts). Small: fewer "
                    "than 10 cases on a side, so read the interval rather than the "
                    "figure. Indicator 3 is from HR records, 5 to 8 from the survey.");
    if (side->grouping && !both)
        put_group_legend(&text, side);
    fmt_wrap(&rp->out, text.data, WIDTH, "", "");
    buf_putc(&rp->out, '\n');
    buf_release(&text);
}

/* Section 5: a table row per WRES indicator, indicator 3's counts and
 * which side of parity is adverse. */
static void section_wres(struct report *rp)
{
    struct buf *out = &rp->out;
    struct buf text, h_group, h_ref;
    buf_init(&text);
    buf_init(&h_group);
    buf_init(&h_ref);
    buf_puts(out, "\n5. WORKFORCE RACE EQUALITY STANDARD (WRES)\n\n");
    wres_intro(rp);
    struct fmt_table t;
    fmt_table_init(&t, 6);
    fmt_table_align(&t, 1, FMT_RIGHT);
    fmt_table_align(&t, 2, FMT_RIGHT);
    buf_puts(&text, "Likelihood (");
    put_conf(&text, rp->run->conf);
    buf_puts(&text, " CI)");
    struct buf h_likelihood = text;
    buf_init(&text);
    bool both;
    const struct dict_wres_side *side = wres_table_side(rp, &both);
    if (side->grouping && !both) {
        put_group_headings(&h_group, &h_ref, side);
    } else {
        buf_puts(&h_group, "Group %");
        buf_puts(&h_ref, "Ref. %");
    }
    fmt_table_header(&t, (const char *const[]){"Indicator", h_group.data, h_ref.data,
                                               h_likelihood.data, "In range", "Small"});
    buf_release(&h_likelihood);
    struct names adverse_above = {0}, adverse_below = {0};
    size_t hr_row = NO_ROW, row3 = NO_ROW;
    bool survey_rows = false;
    for (size_t k = 1; k < ARRAY_LEN(WRES_INDICATORS); k++)
        survey_rows |= FIND(&rp->run->wres, "indicator", WRES_INDICATORS[k]) != NO_ROW;
    for (size_t k = 0; k < ARRAY_LEN(WRES_INDICATORS); k++) {
        const char *ind = WRES_INDICATORS[k];
        size_t row = FIND(&rp->run->wres, "indicator", ind);
        if (k == 0) /* indicator 3, from HR records */
            row3 = row;
        if (k > 0 && !survey_rows && !rp->run->dict.survey.grouping) {
            /* no survey side at all: one row says why for 5 to 8 */
            if (k == 1) {
                buf_clear(&text);
                put_wres_missing(&text, rp, ind, "5 to 8");
                fmt_table_note(&t, "5 to 8", text.data);
            }
            continue;
        }
        const char *adverse = row == NO_ROW ? "" : vcell(&rp->run->wres, row, "adverse_if");
        if (strcmp(adverse, "above 1") == 0)
            names_add(&adverse_above, ind);
        else if (strcmp(adverse, "below 1") == 0)
            names_add(&adverse_below, ind);
        if (wres_row(rp, &t, ind, row) && strcmp(ind, "3") == 0)
            hr_row = row;
    }
    fmt_table_render(&t, out, "  ", 2, WIDTH, 0);
    fmt_table_release(&t);
    buf_putc(out, '\n');
    wres_hr_counts(rp, hr_row);
    wres_hr_incomplete(rp, row3);
    wres_adverse_note(rp, &adverse_above, &adverse_below);
    free(adverse_above.items);
    free(adverse_below.items);
    buf_release(&text);
    buf_release(&h_group);
    buf_release(&h_ref);
}

/* ---- section 6: hotspots ------------------------------------------------------------------- */

/* The hotspots' method: how many comparisons are shown and hidden, and
 * what gets a unit listed. */
static void hotspots_intro(struct report *rp)
{
    struct buf *out = &rp->out;
    struct buf text;
    buf_init(&text);
    size_t tests = 0, hidden = 0;
    for (size_t i = 0; i < rp->run->hot.n; i++) {
        size_t row = rp->run->hot.rows[i];
        if (row_shown(rp->run->hot.t, row))
            tests++;
        else
            hidden++;
    }
    struct names levels = {0};
    for (size_t i = 0; i < rp->run->hot.n; i++)
        names_add(&levels, vcell(&rp->run->hot, rp->run->hot.rows[i], "unit_level"));
    buf_puts(&text, "Each ");
    for (size_t i = 0; i < levels.n; i++) {
        buf_puts(&text, i == 0 ? "" : i + 1 == levels.n ? " and " : ", ");
        put_text_fit(&text, levels.items[i], 40);
    }
    free(levels.items);
    if (tests)
        buf_printf(&text, " is compared with the rest of the trust, item by item: %zu comparisons",
                   tests);
    else
        buf_puts(&text, " is compared with the rest of the trust, item by item. None of these "
                        "comparisons can be shown for this trust and period");
    if (hidden)
        buf_printf(&text,
                   tests ? "; %zu more are not shown to protect anonymity"
                         : " (all %zu are hidden to protect anonymity)",
                   hidden);
    buf_puts(&text, ". Listed: units less favourable than the rest of the trust once the "
                    "number of comparisons is allowed for (false discovery rate, q below ");
    const char *fdr = inputs_value(&rp->r->inputs, "fdr");
    if (*fdr)
        put_text(&text, fdr);
    else
        buf_puts(&text, "0.05");
    buf_puts(&text, "), most certain first. A listed unit is a place to listen, not a "
                    "finding about its staff or managers.");
    fmt_wrap(out, text.data, WIDTH, "", "");
    buf_putc(out, '\n');
    buf_release(&text);
}

/* Flagged hotspot number k (from 0): the unit, then the item's figures. */
static void hotspot_entry(struct report *rp, size_t k, const struct hotspot *hot)
{
    struct buf *out = &rp->out;
    struct buf text;
    buf_init(&text);
    size_t row = hot->row;
    char first[16];
    snprintf(first, sizeof(first), "%3zu. ", k + 1);
    buf_clear(&text);
    const char *level = fmt_unformula(vcell(&rp->run->hot, row, "unit_level"));
    struct buf lv;
    buf_init(&lv);
    fmt_escape(&lv, level, strlen(level));
    if (lv.len && lv.data[0] >= 'a' && lv.data[0] <= 'z')
        lv.data[0] = (char)(lv.data[0] - 'a' + 'A');
    buf_append(&text, lv.data ? lv.data : "", lv.len);
    buf_release(&lv);
    buf_puts(&text, ": ");
    put_text_fit(&text, vcell(&rp->run->hot, row, "unit"), NAME_MAX_COLUMNS);
    const char *parent = vcell(&rp->run->hot, row, "parent_unit");
    if (*parent) {
        buf_puts(&text, " (in ");
        put_text_fit(&text, parent, NAME_MAX_COLUMNS);
        buf_puts(&text, ")");
    }
    fmt_wrap(out, text.data, WIDTH, first, "     ");
    buf_clear(&text);
    double e, rest, lo, hi;
    put_label(&text, &rp->run->dict, vcell(&rp->run->hot, row, "item"));
    buf_puts(&text, ": ");
    if (vnum(&rp->run->hot, row, "estimate", &e) &&
        vnum(&rp->run->hot, row, "rest_estimate", &rest)) {
        put_pct(&text, e);
        buf_puts(&text, "% against ");
        put_pct(&text, rest);
        buf_puts(&text, "% in the rest of the trust; gap ");
    } else {
        buf_puts(&text, "gap ");
    }
    fmt_signed(&text, 100.0 * hot->gap, 1);
    buf_puts(&text, " points");
    if (vnum(&rp->run->hot, row, "diff_lower", &lo) &&
        vnum(&rp->run->hot, row, "diff_upper", &hi)) {
        buf_puts(&text, " (");
        put_conf(&text, rp->run->conf);
        buf_puts(&text, " CI ");
        fmt_signed(&text, 100.0 * lo, 1);
        buf_puts(&text, " to ");
        fmt_signed(&text, 100.0 * hi, 1);
        buf_puts(&text, ")");
    }
    buf_puts(&text, ", q ");
    fmt_pvalue(&text, hot->q);
    fmt_wrap(out, text.data, WIDTH, "     ", "     ");
    buf_release(&text);
}

/* Section 6: units less favourable than the rest of the trust, most
 * certain first, at most HOTSPOTS_LISTED of them. */
static void section_hotspots(struct report *rp)
{
    struct buf *out = &rp->out;
    buf_puts(out, "\n6. HOTSPOTS FOR THE FREEDOM TO SPEAK UP GUARDIAN\n\n");
    if (!rp->run->hot.n) {
        report_gap(rp, 6,
                   "The results hold no comparisons of units (such as directorates and "
                   "teams) for this trust and period: respondent data whose schema has a "
                   "unit column would produce them.");
        return;
    }
    hotspots_intro(rp);
    size_t n_hot;
    struct hotspot *hot = flagged_hotspots(rp, &n_hot);
    if (!n_hot)
        buf_puts(out, "  None flagged.\n");
    for (size_t k = 0; k < n_hot && k < HOTSPOTS_LISTED; k++)
        hotspot_entry(rp, k, &hot[k]);
    if (n_hot > HOTSPOTS_LISTED)
        buf_printf(out, "  ... and %zu more flagged in hotspots.csv.\n", n_hot - HOTSPOTS_LISTED);
    free(hot);
}

/* ---- section 7: methods and suppression ------------------------------------------------------ */

/* The funnel limits of the org's whole-org comparisons: how many items use
 * each model of benchmarks.csv. */
static void put_funnel_models(struct buf *out, const struct report *rp, const struct names *items)
{
    static const struct {
        const char *model, *text;
    } models[] = {
        {"binomial", "exact binomial limits (Spiegelhalter 2005)"},
        {"random-effects", "random-effects limits, widened because trusts differ more than "
                           "chance alone explains (Spiegelhalter 2005; FunnelPlotR)"},
        {"arcsine-normal", "arcsine-normal limits"},
    };
    size_t counts[ARRAY_LEN(models)] = {0};
    size_t other = 0, total = 0;
    for (size_t i = 0; i < items->n; i++) {
        size_t row = FIND(&rp->run->bench, "item", items->items[i], "group_dim", "all", "group",
                          "all", "benchmark", rp->run->benchmark, "weighted", "no");
        const char *model = row == NO_ROW ? "" : vcell(&rp->run->bench, row, "model");
        if (!*model)
            continue;
        total++;
        size_t k = 0;
        while (k < ARRAY_LEN(models) && strcmp(models[k].model, model) != 0)
            k++;
        if (k < ARRAY_LEN(models))
            counts[k]++;
        else
            other++;
    }
    if (!total) {
        buf_puts(out, "The results hold no funnel limits for this trust.");
        return;
    }
    buf_puts(out, "Limits: ");
    bool first = true;
    for (size_t k = 0; k < ARRAY_LEN(models); k++) {
        if (!counts[k])
            continue;
        buf_puts(out, first ? "" : "; ");
        buf_puts(out, models[k].text);
        buf_printf(out, " for %zu item%s", counts[k], counts[k] == 1 ? "" : "s");
        first = false;
    }
    if (other)
        buf_printf(out, "%sanother model for %zu item%s", first ? "" : "; ", other,
                   other == 1 ? "" : "s");
    buf_puts(out, ".");
}

/* The interval method for a sentence, from the one table of method names
 * (lib/methods.h); NULL for a method it does not know. */
static const char *ci_method_text(const char *method)
{
    const struct m_prop_method_names *names = m_prop_method_find(method);
    return names ? names->text : NULL;
}

static void paragraph(struct buf *out, const char *text)
{
    fmt_wrap(out, text, WIDTH, "", "");
    buf_putc(out, '\n');
}

/* Do the results come from published organisation results only? */
static bool only_org_results(const struct csv_table *inputs)
{
    for (size_t r = 0; r < inputs->n_rows; r++)
        if (strcmp(csv_cell(inputs, r, "kind"), "org-results") != 0)
            return false;
    return inputs->n_rows > 0;
}

/* The run's weighted figures (--weight) and what their weights were
 * (inputs.csv weights: given in the data or computed; blank from results
 * older than that column). */
static void put_weights_note(struct buf *text, const char *weights)
{
    buf_puts(text, " The results also hold weighted figures (proportions.csv");
    if (*weights) {
        buf_puts(text, "; weights ");
        put_text(text, weights);
        buf_puts(text, "; their intervals use Kish's effective sample size, which assumes the "
                       "weights are unrelated to the answers");
    }
    buf_puts(text, "); this report shows the unweighted ones.");
}

/* What the percentages assume about published weighted rates, from the
 * org-results rows of inputs.csv (rates, design_effect,
 * design_effect_items).  Nothing when no input holds weighted rates. */
static void put_rates_assumption(struct buf *text, const struct csv_table *inputs)
{
    size_t weighted = 0, file_deff = 0, item_deff = 0, column_deff = 0;
    const char *deff = "";
    for (size_t r = 0; r < inputs->n_rows; r++) {
        if (strcmp(csv_cell(inputs, r, "rates"), "weighted") != 0)
            continue;
        weighted++;
        const char *d = csv_cell(inputs, r, "design_effect");
        if (*d) {
            file_deff++;
            deff = d;
        }
        const char *items = csv_cell(inputs, r, "design_effect_items");
        if (*items && strcmp(items, "0") != 0)
            item_deff++;
        const char *columns = csv_cell(inputs, r, "design_effect_columns");
        if (*columns && strcmp(columns, "0") != 0)
            column_deff++;
    }
    if (!weighted)
        return;
    buf_puts(text, " Published organisation results are weighted rates: positive is the "
                   "rate times the number answering (the base). ");
    if (column_deff) {
        buf_puts(text, "Intervals, tests and funnel limits use the effective base, the base "
                       "divided by the design effect each row gives in its design-effect "
                       "column (Kish 1965); a rate whose row gives none uses the schema's, "
                       "else assumes simple random sampling (too narrow for weighted rates), "
                       "and changes from those are marked.");
    } else if (file_deff == weighted && !item_deff) {
        buf_puts(text, "Intervals, tests and funnel limits use the effective base, the base "
                       "divided by the design effect of ");
        put_text(text, deff);
        buf_puts(text, " given in the schema (Kish 1965).");
    } else if (!file_deff && !item_deff) {
        buf_puts(text, "No design effect was given: intervals, tests and funnel limits assume "
                       "each rate is a simple random sample of its base, so they are too "
                       "narrow for weighted rates, and changes from these rates are marked.");
    } else {
        buf_puts(text, "A design effect was given for some rates only: those use the "
                       "effective base (base divided by the design effect, Kish 1965); the "
                       "others assume simple random sampling, so their intervals are too "
                       "narrow, and changes from them are marked.");
    }
}

/* Methods: how the percentages and their intervals are made. */
static void methods_percentages(struct report *rp)
{
    struct buf text;
    buf_init(&text);
    struct buf *out = &rp->out;
    if (only_org_results(&rp->r->inputs))
        buf_puts(&text, "Percentages: the published rates, with ");
    else
        buf_puts(&text, "Percentages: positive answers over substantive answers (blanks and "
                        "answers the schema marks as missing, such as \"don't know\", left "
                        "out), unweighted, with ");
    const char *method = inputs_value(&rp->r->inputs, "ci_method");
    size_t first = rp->run->prop.n ? rp->run->prop.rows[0] : NO_ROW;
    if (!*method && first != NO_ROW)
        method = vcell(&rp->run->prop, first, "method");
    const char *method_text = ci_method_text(method);
    if (method_text) {
        buf_puts(&text, method_text);
    } else {
        buf_puts(&text, "intervals by method ");
        put_text(&text, method);
    }
    buf_puts(&text, " at ");
    put_conf(&text, rp->run->conf);
    buf_puts(&text, ".");
    put_rates_assumption(&text, &rp->r->inputs);
    if (strcmp(inputs_value(&rp->r->inputs, "weighted"), "yes") == 0)
        put_weights_note(&text, inputs_value(&rp->r->inputs, "weights"));
    paragraph(out, text.data);
    buf_release(&text);
}

/* Methods: changes, gaps, their tests; ratios and the zero-cell rule. */
static void methods_comparisons(struct report *rp)
{
    struct buf text;
    buf_init(&text);
    struct buf *out = &rp->out;
    buf_puts(&text, "Changes and gaps: differences of two percentages with Newcombe's hybrid "
                    "score interval (Newcombe 1998, method 10) and a two-sided "
                    "two-proportion z test; a change is marked significant when p < 0.05 "
                    "or its interval excludes 0 (not adjusted for the number of items). "
                    "Theme score changes: Welch's t interval and test for two independent "
                    "means (computed by this report from themes.csv).");
    paragraph(out, text.data);

    buf_clear(&text);
    buf_puts(&text, "Fairness gaps: q-values by the Benjamini-Hochberg (1995) procedure over "
                    "the family ");
    size_t d0 = NO_ROW;
    for (size_t i = 0; i < rp->run->disp.n && d0 == NO_ROW; i++)
        if (row_shown(rp->run->disp.t, rp->run->disp.rows[i]))
            d0 = rp->run->disp.rows[i];
    if (d0 != NO_ROW) {
        buf_puts(&text, "'");
        put_text(&text, vcell(&rp->run->disp, d0, "bh_family"));
        buf_puts(&text, "' (");
        put_text(&text, vcell(&rp->run->disp, d0, "bh_family_size"));
        buf_puts(&text, " comparisons of every group and item for this trust and period)");
    } else {
        buf_puts(&text, "of one trust and period (no comparison could be shown here)");
        if (rp->run->disp.n)
            d0 = rp->run->disp.rows[0];
    }
    buf_puts(&text, ". Ratios, including the WRES relative likelihoods: Katz log "
                    "interval (Katz et al. 1978); zero-cell rule: ");
    size_t w0 = rp->run->wres.n ? rp->run->wres.rows[0] : NO_ROW;
    const char *rule = w0 != NO_ROW   ? vcell(&rp->run->wres, w0, "rule")
                       : d0 != NO_ROW ? vcell(&rp->run->disp, d0, "zero_cell_rule")
                                      : "";
    if (*rule)
        put_text(&text, rule);
    else
        buf_puts(&text, "none recorded");
    buf_puts(&text, ". WRES range test on the counts (0.80 to 1.25 inclusive).");
    paragraph(out, text.data);
    buf_release(&text);
}

/* Methods: the funnel limits and the hotspots' comparisons. */
static void methods_funnels(struct report *rp, const struct names *items)
{
    struct buf text;
    buf_init(&text);
    struct buf *out = &rp->out;
    buf_puts(&text, "Funnel plots: the trust's percentage against the pooled percentage of ");
    buf_puts(&text, is_group_scope(rp->run->benchmark) ? "its benchmarking group"
                                                       : all_orgs_name(&rp->r->inputs));
    buf_puts(&text, ", with 95% and 99.8% limits for its number of answers. ");
    put_funnel_models(&text, rp, items);
    buf_puts(&text, " Hotspots: each unit against the rest of the trust, Newcombe interval, "
                    "z test, Benjamini-Hochberg over every unit and item of the trust in "
                    "the period.");
    paragraph(out, text.data);
    buf_release(&text);
}

/* Methods: the disclosure rule and how many figures it hides. */
static void methods_suppression(struct report *rp, const struct names *items)
{
    struct buf text;
    buf_init(&text);
    struct buf *out = &rp->out;
    struct suppression s = count_suppressed(rp->run);
    buf_printf(&text,
               "Suppression: a figure based on fewer than %ld respondents is not shown "
               "(primary suppression), and further figures are hidden where a hidden one "
               "could otherwise be worked out by subtraction, e.g. from the trust total "
               "and the other groups, or from the pooled figures (secondary "
               "suppression). Of the ",
               rp->run->min_n);
    fmt_count(&text, s.total);
    buf_puts(&text, " figures for this trust in ");
    put_text(&text, rp->run->period);
    buf_printf(&text, " (%zu items for the whole trust, its demographic groups and units), ",
               items->n);
    fmt_count(&text, s.primary);
    buf_puts(&text, " are suppressed as primary and ");
    fmt_count(&text, s.secondary);
    buf_puts(&text, " as secondary");
    if (s.ledger) { /* candour-stats --ledger */
        buf_puts(&text, ", and ");
        fmt_count(&text, s.ledger);
        buf_printf(&text,
                   " because they changed by fewer than %ld respondents since a release "
                   "recorded in the release ledger (their difference would describe those few "
                   "people)",
                   rp->run->min_n);
    }
    buf_puts(&text, "; no figure in this report comes from a suppressed cell.");
    if (s.incomplete) { /* rows of an aggregated input rejected at ingest */
        buf_puts(&text, " ");
        fmt_count(&text, s.incomplete);
        buf_puts(&text, s.incomplete == 1 ? " figure was" : " figures were");
        buf_puts(&text, " not computed, because input rows that would have fed "
                        "them were rejected at ingest: computed from the remaining rows, "
                        "they would be wrong without saying so.");
    }
    paragraph(out, text.data);
    buf_release(&text);
}

/* The item key: each label of this report and the id it stands for. */
static void item_key(struct report *rp, const struct names *items)
{
    struct buf *out = &rp->out;
    struct buf text;
    buf_init(&text);
    buf_puts(out, "Item key\n\n");
    struct fmt_table t;
    fmt_table_init(&t, 2);
    fmt_table_header(&t, (const char *const[]){"Label in this report", "Id in the results"});
    struct buf label;
    buf_init(&label);
    for (size_t i = 0; i < items->n; i++) {
        buf_clear(&label);
        buf_clear(&text);
        put_label(&label, &rp->run->dict, items->items[i]);
        put_text(&text, items->items[i]);
        fmt_table_row(&t, (const char *const[]){label.data, text.data});
    }
    for (size_t k = 0; k < rp->themes.n; k++) {
        buf_clear(&label);
        buf_clear(&text);
        put_label(&label, &rp->run->dict, rp->themes.items[k]);
        buf_puts(&label, " (theme)");
        put_text(&text, rp->themes.items[k]);
        fmt_table_row(&t, (const char *const[]){label.data, text.data});
    }
    fmt_table_render(&t, out, "  ", 2, WIDTH, 1);
    fmt_table_release(&t);
    buf_release(&label);
    buf_release(&text);
}

/* Section 7: the methods behind every figure, suppression, the item key. */
static void section_methods(struct report *rp, const struct names *items)
{
    buf_puts(&rp->out, "\n7. METHODS AND SUPPRESSION\n\n");
    methods_percentages(rp);
    methods_comparisons(rp);
    methods_funnels(rp, items);
    methods_suppression(rp, items);
    item_key(rp, items);
}

/* ---- writing ------------------------------------------------------------------------------------
 */

/* Write text to OUTDIR/name under a temporary name, for opt->outputs. */
static int write_output(const struct report_options *opt, const char *name, const struct buf *text)
{
    char *path = xasprintf("%s/%s", opt->output_dir, name);
    struct atomic_file af;
    struct buf err;
    buf_init(&err);
    int status = REPORT_OK;
    if (!atomic_open(&af, path, 0644, &err)) {
        status = REPORT_EIO;
    } else if (fwrite(text->data, 1, text->len, af.fp) != text->len || fflush(af.fp) != 0) {
        /* flushed now: the charts' fflush(NULL) would flush it and lose errno */
        buf_printf(&err, "%s: write failed: %s", path, strerror(errno));
        atomic_abort(&af);
        status = REPORT_EIO;
    } else {
        outputs_add(opt->outputs, &af);
    }
    if (status != REPORT_OK)
        fprintf(stderr, "candour-report: %s\n", err.data ? err.data : path);
    buf_release(&err);
    free(path);
    return status;
}

/* Items of the org in the period, in dictionary order, then any the
 * dictionary lacks in file (schema) order. */
static void collect_items(const struct dictionary *d, const struct view *prop, struct names *items)
{
    struct names found = {0};
    for (size_t i = 0; i < prop->n; i++)
        names_add(&found, vcell(prop, prop->rows[i], "item"));
    ordered_items(d, &found, items);
    free(found.items);
}

/* ---- the board report ---------------------------------------------------------------------------
 */

/* board-report.txt: the seven sections for the run's org and period. */
static int board_report(const struct report_options *opt, const struct run *run)
{
    struct report rp = {.opt = opt, .r = run->r, .run = run, .wres = &run->dict.survey};
    collect_items(&run->dict, &run->prop, &rp.items);
    report_themes(&run->dict, &run->themes, &rp.themes);
    section_header(&rp);
    section_summary(&rp, &rp.items);
    section_culture(&rp);
    section_fairness(&rp, &rp.items);
    section_wres(&rp);
    section_hotspots(&rp);
    section_methods(&rp, &rp.items);
    buf_puts(&rp.out, "\n");
    put_rule(&rp.out, '=');
    fmt_enforce_width(&rp.out, WIDTH);
    int status = write_output(opt, "board-report.txt", &rp.out);
    free(rp.items.items);
    free(rp.themes.items);
    buf_release(&rp.out);
    return status;
}

/* ---- the national summary (--all)
 * ------------------------------------------------------------------- */

/* A cell of the national table: an org's % for an item with its funnel
 * position against ALL as < << > >> (below or above the 95% or 99.8% limit). */
static void national_item_cell(const struct view *prop, const struct view *bench, const char *org,
                               const char *item, struct buf *cell)
{
    size_t row = FIND(prop, "item", item, "group_dim", "all", "group", "all");
    double e;
    if (!vnum(prop, row, "estimate", &e)) {
        buf_puts(cell, row == NO_ROW ? "--" : "n/s");
        return;
    }
    put_pct(cell, e);
    /* The marker takes three columns, blank or not, so decimals line up. */
    const char *marker = "   ";
    size_t b = FIND(bench, "item", item, "group_dim", "all", "group", "all", "benchmark",
                    SCOPE_ALL_ORGS, "weighted", "no");
    const char *flag = is_org_scope(org) && row_shown(bench->t, b) ? vcell(bench, b, "flag") : "";
    if (strncmp(flag, "worse_", 6) == 0 || strncmp(flag, "better_", 7) == 0) {
        bool lower_better = strcmp(vcell(bench, b, "polarity"), "lower") == 0;
        bool below = (strncmp(flag, "worse_", 6) == 0) != lower_better;
        bool strong = strstr(flag, "998") != NULL;
        marker = below ? (strong ? " <<" : " < ") : (strong ? " >>" : " > ");
    }
    buf_puts(cell, marker);
}

/* The largest item base of an org (prop: its rows) among its shown
 * whole-org rows. */
static void national_n(const struct view *prop, struct buf *cell)
{
    double best = -1;
    for (size_t i = 0; i < prop->n; i++) {
        size_t row = prop->rows[i];
        double n;
        if (strcmp(vcell(prop, row, "group_dim"), "all") != 0 || !vnum(prop, row, "n", &n))
            continue;
        if (n > best)
            best = n;
    }
    if (best < 0)
        buf_puts(cell, "n/s");
    else
        fmt_count(cell, (unsigned long long)best);
}

/* A table of the national summary: per org (then ALL pooled) its largest
 * item base and each item's % with its funnel marker; then the item key. */
static void national_block(struct buf *out, const struct run *run, const char *title,
                           const char *const *items, size_t n_items)
{
    const struct view *prop = &run->prop, *bench = &run->bench;
    const struct names *orgs = &run->orgs;
    buf_putc(out, '\n');
    fmt_wrap(out, title, WIDTH, "", "");
    buf_putc(out, '\n');
    struct fmt_table t;
    fmt_table_init(&t, 2 + n_items);
    const char **cells = xcalloc(2 + n_items, sizeof(char *));
    struct buf *bufs = xcalloc(2 + n_items, sizeof(struct buf));
    for (size_t c = 1; c < 2 + n_items; c++)
        fmt_table_align(&t, c, FMT_RIGHT);
    cells[0] = "Trust";
    cells[1] = "n";
    for (size_t c = 0; c < n_items; c++) {
        buf_init(&bufs[2 + c]);
        buf_printf(&bufs[2 + c], "(%zu)", c + 1);
        cells[2 + c] = bufs[2 + c].data;
    }
    fmt_table_header(&t, cells);
    for (size_t o = 0; o <= orgs->n; o++) {
        const char *org = o < orgs->n ? orgs->items[o] : SCOPE_ALL_ORGS;
        for (size_t c = 0; c < 2 + n_items; c++)
            buf_clear(&bufs[c]);
        if (o < orgs->n)
            put_text_fit(&bufs[0], org, 16);
        else
            buf_puts(&bufs[0], "ALL (pooled)");
        struct view org_prop = org_rows(prop, org), org_bench = org_rows(bench, org);
        national_n(&org_prop, &bufs[1]);
        for (size_t c = 0; c < n_items; c++)
            national_item_cell(&org_prop, &org_bench, org, items[c], &bufs[2 + c]);
        for (size_t c = 0; c < 2 + n_items; c++)
            cells[c] = bufs[c].data ? bufs[c].data : "";
        fmt_table_row(&t, cells);
    }
    fmt_table_render(&t, out, "  ", 2, WIDTH, 0);
    fmt_table_release(&t);
    struct buf key;
    buf_init(&key);
    for (size_t c = 0; c < n_items; c++) {
        buf_clear(&key);
        buf_printf(&key, "(%zu) ", c + 1);
        put_label(&key, &run->dict, items[c]);
        buf_puts(&key, " (");
        put_text(&key, items[c]);
        const struct dict_entry *e = dict_find(&run->dict, items[c], false);
        if (e && strcmp(e->polarity, "lower") == 0)
            buf_puts(&key, "; lower is more favourable");
        buf_puts(&key, ")");
        fmt_wrap(out, key.data, WIDTH, "  ", "      ");
    }
    buf_release(&key);
    for (size_t c = 0; c < 2 + n_items; c++)
        buf_release(&bufs[c]);
    free(bufs);
    free(cells);
}

/* The national blocks of items: per declared section its items, then the
 * other items the results hold for the period, at most NATIONAL_ITEMS a
 * table so that each fits 80 columns. */
static void national_items(struct buf *out, const struct run *run)
{
    const struct dictionary *d = &run->dict;
    struct buf title;
    buf_init(&title);
    for (size_t k = 0; k <= d->n_sections; k++) {
        struct names items = {0};
        if (k < d->n_sections) {
            for (size_t i = 0; i < d->n; i++)
                if (!d->entries[i].theme && d->entries[i].section == k)
                    names_add(&items, d->entries[i].id);
        } else {
            struct names found = {0}, ordered;
            for (size_t i = 0; i < run->prop.n; i++)
                names_add(&found, vcell(&run->prop, run->prop.rows[i], "item"));
            ordered_items(d, &found, &ordered);
            for (size_t i = 0; i < ordered.n; i++) {
                const struct dict_entry *e = dict_find(d, ordered.items[i], false);
                if (!e || e->section == DICT_NONE)
                    names_add(&items, ordered.items[i]);
            }
            free(found.items);
            free(ordered.items);
        }
        for (size_t first = 0; first < items.n; first += NATIONAL_ITEMS) {
            buf_clear(&title);
            if (k < d->n_sections)
                put_text_fit(&title, d->sections[k].title, 60);
            else
                buf_puts(&title, "Other items");
            bool experiencing = false;
            for (size_t i = 0; i < items.n; i++) {
                const struct dict_entry *e = dict_find(d, items.items[i], false);
                experiencing |= e && strcmp(e->measure, "experiencing") == 0;
            }
            buf_puts(&title, " (% positive");
            if (experiencing || (k == d->n_sections && d->n == 0))
                buf_puts(&title, " or experiencing");
            buf_puts(&title, first ? ", continued)" : ")");
            size_t n = items.n - first < NATIONAL_ITEMS ? items.n - first : NATIONAL_ITEMS;
            national_block(out, run, title.data, items.items + first, n);
        }
        free(items.items);
    }
    buf_release(&title);
}

/* "1.54 (1.16-2.04)" and the in-range cell of an org's WRES 3 row, or why
 * there is none. */
static void national_wres_cells(const struct view *org_wres, struct buf *rl_cell,
                                struct buf *range_cell)
{
    size_t row = FIND(org_wres, "indicator", "3");
    double rl, lo, hi;
    if (vnum(org_wres, row, "rl_lower", &lo) && vnum(org_wres, row, "rl_upper", &hi)) {
        if (vnum(org_wres, row, "relative_likelihood", &rl))
            fmt_fixed(rl_cell, rl, 2);
        else
            buf_puts(rl_cell, "undefined");
        buf_puts(rl_cell, " (");
        fmt_fixed(rl_cell, lo, 2);
        buf_putc(rl_cell, '-');
        fmt_fixed(rl_cell, hi, 2);
        buf_putc(rl_cell, ')');
        const char *in_range = vcell(org_wres, row, "in_range");
        buf_puts(range_cell, *in_range ? in_range : "--");
    } else {
        buf_puts(rl_cell, row == NO_ROW ? "--" : "n/s");
        buf_puts(range_cell, "--");
    }
}

/* The national table of theme scores (the dictionary's themes) and WRES
 * indicator 3, per org. */
static void national_wres_block(struct buf *out, const struct run *run)
{
    const struct names *orgs = &run->orgs;
    struct names themes;
    report_themes(&run->dict, &run->themes, &themes);
    if (!themes.n && !run->wres.n && !run->dict.hr.grouping) {
        free(themes.items);
        return; /* nothing to tabulate: the note below says why */
    }
    size_t n_columns = themes.n + 3;
    buf_putc(out, '\n');
    buf_puts(out, themes.n
                      ? "Theme scores (0-10) and WRES indicator 3 (disciplinary process, HR)\n\n"
                      : "WRES indicator 3 (disciplinary process, HR)\n\n");
    struct fmt_table t;
    fmt_table_init(&t, n_columns);
    for (size_t c = 1; c < n_columns - 1; c++)
        fmt_table_align(&t, c, FMT_RIGHT);
    struct buf *cells = xcalloc(n_columns, sizeof(*cells));
    const char **row_cells = xcalloc(n_columns, sizeof(*row_cells));
    for (size_t c = 0; c < n_columns; c++)
        buf_init(&cells[c]);
    buf_puts(&cells[0], "Trust");
    for (size_t k = 0; k < themes.n; k++)
        put_label(&cells[1 + k], &run->dict, themes.items[k]);
    buf_puts(&cells[n_columns - 2], "WRES 3 (");
    put_conf(&cells[n_columns - 2], run->conf);
    buf_puts(&cells[n_columns - 2], " CI)");
    buf_puts(&cells[n_columns - 1], "In range");
    for (size_t c = 0; c < n_columns; c++)
        row_cells[c] = cells[c].data;
    fmt_table_header(&t, row_cells);
    for (size_t o = 0; o <= orgs->n; o++) {
        const char *org = o < orgs->n ? orgs->items[o] : SCOPE_ALL_ORGS;
        for (size_t c = 0; c < n_columns; c++)
            buf_clear(&cells[c]);
        if (o < orgs->n)
            put_text_fit(&cells[0], org, 16);
        else
            buf_puts(&cells[0], "ALL (pooled)");
        struct view org_themes = org_rows(&run->themes, org), org_wres = org_rows(&run->wres, org);
        for (size_t k = 0; k < themes.n; k++) {
            size_t row =
                FIND(&org_themes, "theme", themes.items[k], "group_dim", "all", "group", "all");
            double m;
            if (vnum(&org_themes, row, "mean", &m))
                fmt_fixed(&cells[1 + k], m, 2);
            else
                buf_puts(&cells[1 + k], row == NO_ROW ? "--" : "n/s");
        }
        national_wres_cells(&org_wres, &cells[n_columns - 2], &cells[n_columns - 1]);
        for (size_t c = 0; c < n_columns; c++)
            row_cells[c] = cells[c].data ? cells[c].data : "";
        fmt_table_row(&t, row_cells);
    }
    fmt_table_render(&t, out, "  ", 2, WIDTH, 0);
    fmt_table_release(&t);
    for (size_t c = 0; c < n_columns; c++)
        buf_release(&cells[c]);
    free(cells);
    free(row_cells);
    free(themes.items);
}

/* The national summary's closing note on WRES 3, under the HR records'
 * declared groups. */
static void national_wres_note(struct buf *out, const struct run *run)
{
    const struct dict_wres_side *hr = &run->dict.hr;
    struct buf text;
    buf_init(&text);
    if (hr->grouping) {
        buf_puts(&text, "WRES 3: relative likelihood of ");
        put_group(&text, hr->comparison);
        buf_puts(&text, " staff entering the formal disciplinary process compared with ");
        put_group(&text, hr->reference);
        buf_puts(&text, " staff (Katz interval); In range: within 0.80 to 1.25, tested exactly "
                        "on the counts (a ratio shown as 0.80 or 1.25 may lie just outside).");
    } else {
        buf_puts(&text, "WRES 3: no HR records in the results: a dataset ingested with a "
                        "wres-hr schema would produce it.");
    }
    fmt_wrap(out, text.data, WIDTH, "", "");
    buf_release(&text);
}

/* national-summary.txt (--all): every org in the period, for researchers. */
static int national_summary(const struct report_options *opt, const struct run *run)
{
    const struct results *r = run->r;
    struct buf out;
    buf_init(&out);
    bool chosen = comparison_chosen(&r->inputs);
    put_rule(&out, '=');
    buf_puts(&out, chosen
                       ? "NATIONAL SUMMARY (RESEARCHER VIEW): EVERY ORGANISATION IN THE RESULTS\n"
                       : "NATIONAL SUMMARY (RESEARCHER VIEW): EVERY TRUST IN THE RESULTS\n");
    put_rule(&out, '=');
    put_min_n_warning(&out, run->min_n);
    struct buf value;
    buf_init(&value);
    put_text(&value, run->period);
    put_field(&out, "Period", value.data);
    buf_clear(&value);
    buf_printf(&value, "%zu", run->orgs.n);
    put_field(&out, chosen ? "Organisations" : "Trusts", value.data);
    if (chosen) {
        buf_clear(&value);
        put_comparison_set(&value, &r->inputs);
        put_field(&out, "Compared with", value.data);
    }
    put_min_n_field(&out, run->min_n);
    put_generated_by(&out, &r->inputs);
    buf_release(&value);
    buf_putc(&out, '\n');
    put_sources(&out, &r->inputs);
    buf_putc(&out, '\n');
    fmt_wrap(
        &out,
        chosen ? "Percentage positive for the whole organisation; after it, the position "
                 "on the funnel plot against the comparison set (organisations outside "
                 "it have none): < or << below the 95% or 99.8% limit, > or >> above it "
                 "(higher is more favourable unless the key says lower). n: the largest number of "
                 "answers to any item. n/s: not shown to protect anonymity; --: no "
                 "figure."
               : "Percentage positive for the whole trust; after it, the position on the "
                 "funnel plot against all trusts: < or << below the 95% or 99.8% limit, "
                 "> or >> above it (higher is more favourable unless the key says "
                 "lower). n: the "
                 "largest number of answers to any item. n/s: not shown to protect "
                 "anonymity; --: no figure.",
        WIDTH, "", "");
    national_items(&out, run);
    national_wres_block(&out, run);
    buf_putc(&out, '\n');
    national_wres_note(&out, run);
    buf_putc(&out, '\n');
    put_rule(&out, '=');
    fmt_enforce_width(&out, WIDTH);
    int status = write_output(opt, "national-summary.txt", &out);
    buf_release(&out);
    return status;
}

int report_text(const struct report_options *opt, const struct run *run)
{
    gsl_set_error_handler_off();
    return opt->all ? national_summary(opt, run) : board_report(opt, run);
}
