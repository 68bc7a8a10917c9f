/* A deterministic national-scale staff survey file for `make bench`.
 *
 *   gen-national ROWS_PER_YEAR FIRST_YEAR LAST_YEAR > FILE.csv
 *   gen-national --schema > FILE.schema
 *   gen-national --spec > FILE.json      (for the DuckDB comparison)
 *
 * The file has the nss-2023 layout (year, trust_code, ..., q28, gender,
 * disability, occupation, age_band, comments) widened to 120 items, as a
 * national export is: the 15 items of schemas/nss-2023.schema under their own
 * question codes plus 105 more, every answer written as its text label.
 * About 260 trusts whose sizes spread from under 100 to 10,000 respondents,
 * directorates and teams, demographics as labels, and a free-text comment in
 * about a third of rows with commas, doubled quotes and line breaks.  The
 * --schema form prints the matching schema (schemas/nss-2023.schema's scales,
 * recodes and themes with the extra items and columns added).
 *
 * Everything comes from one fixed-seed generator, so a given ROWS_PER_YEAR
 * always gives the same bytes. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ORGS 260
#define N_ITEMS 120
#define MAX_ORG_SIZE 10000.0

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

/* splitmix64: fast, and good enough for synthetic answers. */
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_unit(void) { return (double)(rng_next() >> 11) * 0x1.0p-53; }
static unsigned rng_below(unsigned n) { return (unsigned)(rng_unit() * n); }

enum scale_kind { AGREE5, AGREE5DK, TIMES5, YESNO, YESNODK, N_SCALES };

static const char *const scale_name[N_SCALES] = {"agree5", "agree5dk", "times5", "yesno",
                                                 "yesnodk"};
static const char *const scale_label[N_SCALES][6] = {
    {"Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"},
    {"Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree",
     "Don't know"},
    {"Never", "1-2", "3-5", "6-10", "More than 10"},
    {"Yes", "No"},
    {"Yes", "No", "Don't know"},
};
static const int scale_size[N_SCALES] = {5, 6, 5, 2, 3};
/* Base answer distributions (cumulative), before org and group shifts. */
static const double scale_cdf[N_SCALES][6] = {
    {0.05, 0.16, 0.38, 0.80, 1.0},
    {0.04, 0.13, 0.33, 0.73, 0.92, 1.0},
    {0.72, 0.88, 0.95, 0.98, 1.0},
    {0.20, 1.0},
    {0.55, 0.80, 1.0},
};

struct item {
    char code[16];
    char id[32];
    enum scale_kind scale;
    const char *schema_tail; /* positive=..., missing=..., measure */
};

static const struct item core_items[] = {
    {"q19a", "incident_fair", AGREE5DK, NULL},
    {"q19b", "incident_report_encouraged", AGREE5DK, NULL},
    {"q19c", "incident_action", AGREE5DK, NULL},
    {"q19d", "incident_feedback", AGREE5DK, NULL},
    {"q20a", "unsafe_secure", AGREE5, NULL},
    {"q20b", "unsafe_confident", AGREE5, NULL},
    {"q25e", "speakup_safe", AGREE5, NULL},
    {"q25f", "speakup_confident", AGREE5, NULL},
    {"q14a", "hba_public", TIMES5, NULL},
    {"q14b", "hba_manager", TIMES5, NULL},
    {"q14c", "hba_colleague", TIMES5, NULL},
    {"q15", "equal_opportunities", YESNODK, NULL},
    {"q16a", "discrim_public", YESNO, NULL},
    {"q16b", "discrim_staff", YESNO, NULL},
};
#define N_CORE (sizeof(core_items) / sizeof(core_items[0]))

static struct item items[N_ITEMS];
static size_t n_items;

/* The other questions of a national questionnaire, as codes q2a, q2b, ...
 * that do not clash with the core items' codes. */
static void build_items(void)
{
    for (size_t i = 0; i < N_CORE; i++)
        items[n_items++] = core_items[i];
    static const enum scale_kind mix[] = {AGREE5, AGREE5, AGREE5, AGREE5DK, TIMES5, YESNO, YESNODK};
    for (int q = 2; n_items < N_ITEMS; q++) {
        for (int letter = 0; letter < 6 && n_items < N_ITEMS; letter++) {
            struct item it = {0};
            snprintf(it.code, sizeof(it.code), "q%d%c", q, 'a' + letter);
            int clash = 0;
            for (size_t i = 0; i < N_CORE; i++)
                clash |= strcmp(core_items[i].code, it.code) == 0;
            if (clash || q == 14 || q == 15 || q == 16 || q == 19 || q == 20 || q == 28)
                continue;
            snprintf(it.id, sizeof(it.id), "item_%s", it.code);
            it.scale = mix[(q * 7 + letter) % 7];
            items[n_items++] = it;
        }
    }
}

static const char *const ethnicity_label[18] = {
    "White - English, Welsh, Scottish, Northern Irish or British",
    "White - Irish",
    "White - Gypsy or Irish Traveller",
    "White - Any other White background",
    "Mixed - White and Black Caribbean",
    "Mixed - White and Black African",
    "Mixed - White and Asian",
    "Mixed - Any other Mixed background",
    "Asian or Asian British - Indian",
    "Asian or Asian British - Pakistani",
    "Asian or Asian British - Bangladeshi",
    "Asian or Asian British - Chinese",
    "Asian or Asian British - Any other Asian background",
    "Black or Black British - African",
    "Black or Black British - Caribbean",
    "Black or Black British - Any other Black background",
    "Other ethnic group - Arab",
    "Other ethnic group - Any other ethnic group",
};
static const double ethnicity_cdf[18] = {0.62, 0.64, 0.641, 0.72, 0.73, 0.735, 0.745, 0.75, 0.83,
                                         0.85, 0.855, 0.86, 0.88, 0.95, 0.97, 0.975, 0.98, 1.0};
static const char *const gender_label[] = {"Male", "Female", "Non-binary", "Prefer to self-describe",
                                           "Prefer not to say"};
static const double gender_cdf[] = {0.22, 0.97, 0.975, 0.98, 1.0};
static const char *const occupation_label[13] = {
    "Registered Nurses and Midwives",
    "Nursing or Healthcare Assistants",
    "Medical and Dental",
    "Allied Health Professionals",
    "Scientific and Technical / Healthcare Scientists",
    "Social Care Staff",
    "Public Health / Health Improvement",
    "Commissioning Managers and Support Staff",
    "Admin and Clerical",
    "Central Functions / Corporate Services",
    "Maintenance and Ancillary",
    "General Management",
    "Wider Healthcare Team",
};
static const char *const age_label[] = {"16-20", "21-30", "31-40", "41-50", "51-65", "66+"};
static const double age_cdf[] = {0.01, 0.18, 0.42, 0.67, 0.98, 1.0};

static const char *const places[] = {
    "Northfield", "Eastmoor",  "Westbridge", "Southvale", "Kingsmere", "Ashby",    "Brackenhurst",
    "Carrow",     "Denholme",  "Elmstead",   "Fairhaven", "Glenford",  "Hartley",  "Ivybridge",
    "Jarrow Vale", "Kenwick",  "Lowmoor",    "Marston",   "Netherby",  "Oakhurst", "Pembury",
};
static const char *const trust_kinds[] = {"Hospitals NHS Foundation Trust",
                                          "University Hospitals NHS Trust",
                                          "Community Health NHS Trust",
                                          "Mental Health NHS Foundation Trust",
                                          "Ambulance Service NHS Trust"};
static const char *const bench_groups[] = {"Acute and Acute & Community Trusts",
                                           "Acute Specialist Trusts", "Community Trusts",
                                           "Mental Health & Learning Disability Trusts",
                                           "Ambulance Trusts"};
static const char *const directorates[] = {
    "Emergency & Urgent Care", "Surgery", "Medicine", "Women's & Children's", "Clinical Support",
    "Corporate Services",      "Estates & Facilities", "Cancer Services", "Community Services",
    "Mental Health"};
static const char *const team_words[] = {"Ward", "Clinic", "Theatres", "Outpatients", "Day Unit",
                                         "Admin", "Therapies", "Night Team"};

static const char *const comment_parts[] = {
    "Staffing is short, especially at night",
    "My manager says \"we hear you\" but nothing changes",
    "I reported an incident and was blamed, not supported",
    "Good team, supportive colleagues",
    "Speaking up feels risky here; people who raise concerns are \"managed out\"",
    "Car parking, rotas and breaks need sorting",
    "Training is good, but there is no time to attend it",
    "Thanks to the FTSU guardian, who listened",
};

struct org {
    char code[6];
    char name[96];
    const char *bench_group;
    int size;
    double shift;     /* org climate: + more positive */
    double bme_shift; /* extra shift for BME staff (usually negative) */
    int n_dirs;
    int teams_per_dir;
};

static struct org orgs[N_ORGS];

/* Inverse of the standard normal CDF by bisection: only 260 calls. */
static double normal_quantile(double p)
{
    double lo = -10, hi = 10;
    for (int i = 0; i < 80; i++) {
        double mid = (lo + hi) / 2;
        if (0.5 * erfc(-mid / sqrt(2)) < p)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/* Sizes on a log-normal spread (quantiles, so exactly reproducible), capped at
 * MAX_ORG_SIZE per 700,000 rows, scaled to the requested total. */
static void build_orgs(long rows)
{
    double want[N_ORGS], total = 0;
    for (int i = 0; i < N_ORGS; i++) {
        want[i] = exp(1.05 * normal_quantile((i + 0.5) / N_ORGS));
        total += want[i];
    }
    double cap = MAX_ORG_SIZE * rows / 700000.0, scale = rows / total;
    for (int pass = 0; pass < 20; pass++) { /* cap the largest, give the rest more */
        double over = 0, free_total = 0;
        for (int i = 0; i < N_ORGS; i++)
            if (want[i] * scale > cap)
                over += want[i] * scale - cap;
            else
                free_total += want[i];
        if (over < 1)
            break;
        for (int i = 0; i < N_ORGS; i++)
            want[i] = want[i] * scale > cap ? cap / scale : want[i] * (1 + over / (free_total * scale));
    }
    long assigned = 0;
    for (int i = 0; i < N_ORGS; i++) {
        struct org *o = &orgs[i];
        int k = (i * 37) % N_ORGS; /* spread sizes over codes */
        o->size = (int)(want[k] * scale);
        if (o->size < 1)
            o->size = 1;
        assigned += o->size;
        snprintf(o->code, sizeof(o->code), "R%c%c", 'A' + i / 26 % 26, 'A' + i % 26);
        int kind = i % 5;
        snprintf(o->name, sizeof(o->name), "%s %s", places[i % 21], trust_kinds[kind]);
        if (i >= 21)
            snprintf(o->name, sizeof(o->name), "%s and %s %s", places[i % 21],
                     places[(i / 21 + i) % 21], trust_kinds[kind]);
        o->bench_group = bench_groups[kind];
        o->shift = (rng_unit() - 0.5) * 0.2;
        o->bme_shift = -0.02 - rng_unit() * 0.08;
        o->n_dirs = 4 + (int)rng_below(7);
        o->teams_per_dir = 2 + (int)rng_below(7);
    }
    orgs[0].size += (int)(rows - assigned); /* rounding remainder */
}

static unsigned draw(const double *cdf, int n, double shift)
{
    double u = rng_unit() - shift;
    for (int k = 0; k < n - 1; k++)
        if (u < cdf[k])
            return (unsigned)k;
    return (unsigned)(n - 1);
}

/* ---- output, through one large buffer ---- */

static char out[1 << 20];
static size_t out_len;

static void flush_out(void)
{
    fwrite(out, 1, out_len, stdout);
    out_len = 0;
}

static void put(const char *s, size_t n)
{
    if (out_len + n > sizeof(out))
        flush_out();
    memcpy(out + out_len, s, n);
    out_len += n;
}

static void puts_(const char *s) { put(s, strlen(s)); }

/* A field: quoted (quotes doubled) when it holds a comma, quote or newline. */
static void put_field(const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        puts_(s);
        return;
    }
    put("\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            put("\"", 1);
        put(p, 1);
    }
    put("\"", 1);
}

static void put_comment(void)
{
    char text[512];
    size_t len = 0;
    int parts = 1 + (int)rng_below(3);
    for (int i = 0; i < parts; i++) {
        const char *part = comment_parts[rng_below(8)];
        const char *sep = i == 0 ? "" : rng_below(2) ? ".\n" : ". ";
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s", sep, part);
    }
    put_field(text);
}

static void write_header(void)
{
    puts_("year,trust_code,trust_name,bench_group,respondent_id,directorate,team");
    for (size_t i = 0; i < n_items; i++) {
        put(",", 1);
        puts_(items[i].code);
    }
    puts_(",q28,gender,disability,occupation,age_band,comments\n");
}

static void write_row(int year, const struct org *o, long id)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%d,%s,", year, o->code);
    puts_(buf);
    put_field(o->name);
    put(",", 1);
    put_field(o->bench_group);
    snprintf(buf, sizeof(buf), ",NSS%02d-%08ld,", year % 100, id);
    puts_(buf);
    int dir = (int)rng_below((unsigned)o->n_dirs);
    put_field(directorates[dir]);
    int team = (int)rng_below((unsigned)o->teams_per_dir); /* 2-8 teams per directorate */
    snprintf(buf, sizeof(buf), ",%s %d", team_words[(dir + team) % 8], 1 + team / 8);
    puts_(buf);
    unsigned eth = draw(ethnicity_cdf, 18, 0);
    double shift = o->shift + (year - 2023) * 0.01 + (eth >= 4 ? o->bme_shift : 0);
    for (size_t i = 0; i < n_items; i++) {
        put(",", 1);
        if (rng_below(100) < 3)
            continue; /* not answered */
        enum scale_kind s = items[i].scale;
        double sh = s == TIMES5 || s == YESNO ? -shift / 2 : shift; /* negatively worded */
        puts_(scale_label[s][draw(scale_cdf[s], scale_size[s], sh)]);
    }
    put(",", 1);
    if (rng_below(50))
        put_field(ethnicity_label[eth]);
    put(",", 1);
    puts_(gender_label[draw(gender_cdf, 5, 0)]);
    put(",", 1);
    puts_(rng_below(5) ? "No" : "Yes");
    put(",", 1);
    put_field(occupation_label[rng_below(13)]);
    put(",", 1);
    puts_(age_label[draw(age_cdf, 6, 0)]);
    put(",", 1);
    if (rng_below(3) == 0)
        put_comment();
    put("\n", 1);
}

/* The schema: schemas/nss-2023.schema's text, renamed, with the extra items
 * declared before its columns section and their columns after it. */
static int write_schema(void)
{
    FILE *f = fopen("schemas/nss-2023.schema", "r");
    if (!f) {
        perror("schemas/nss-2023.schema");
        return 1;
    }
    char line[1024];
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "name ", 5) == 0) {
            puts_("name nss-national-bench\n");
            continue;
        }
        if (strncmp(line, "# ---- the columns", 18) == 0)
            for (size_t i = N_CORE; i < n_items; i++) {
                const char *tail = items[i].scale == AGREE5DK  ? "positive=4,5 missing=9 polarity=higher"
                                   : items[i].scale == AGREE5  ? "positive=4,5 polarity=higher"
                                   : items[i].scale == TIMES5  ? "positive=2,3,4,5 measure=experiencing polarity=lower"
                                   : items[i].scale == YESNO   ? "positive=1 polarity=higher"
                                                               : "positive=1 missing=3 polarity=higher";
                char decl[256];
                snprintf(decl, sizeof(decl), "item %s scale=%s %s text=\"Question %s\"\n",
                         items[i].id, scale_name[items[i].scale], tail, items[i].code);
                puts_(decl);
            }
        puts_(line);
    }
    fclose(f);
    for (size_t i = N_CORE; i < n_items; i++) {
        char decl[128];
        snprintf(decl, sizeof(decl), "column %-6s item name=%s\n", items[i].code, items[i].id);
        puts_(decl);
    }
    flush_out();
    return 0;
}

/* What the DuckDB comparison needs to ask the same questions in SQL: the
 * period, org, benchmarking group and ethnicity columns, White's labels, the
 * other demographic columns (a blank answer is the group Unknown, as in
 * candour), the unit columns (a team inside its directorate), per item its
 * column, id, positive labels and labels that do not count (Don't know), and
 * the derived any-of item of the schema (hba_staff). */
static int write_spec(void)
{
    puts_("{\"period\": \"year\", \"org\": \"trust_code\", \"bgroup\": \"bench_group\",\n"
          " \"demographics\": [[\"gender\", \"gender\"], [\"disability\", \"disability\"],"
          " [\"occupation\", \"occupation\"], [\"age_band\", \"age_band\"]],\n"
          " \"units\": [[\"directorate\", \"directorate\"], [\"team\", \"team\"]],\n"
          " \"derived\": [{\"id\": \"hba_staff\", \"any_of\": [\"hba_manager\", \"hba_colleague\"]}],\n"
          " \"ethnicity\": \"q28\", \"white\": [");
    for (int k = 0; k < 4; k++) {
        puts_(k ? ", \"" : "\"");
        puts_(ethnicity_label[k]);
        puts_("\"");
    }
    puts_("],\n \"items\": [\n");
    for (size_t i = 0; i < n_items; i++) {
        enum scale_kind s = items[i].scale;
        const char *positive = s == AGREE5 || s == AGREE5DK ? "\"Agree\", \"Strongly agree\""
                               : s == TIMES5 ? "\"1-2\", \"3-5\", \"6-10\", \"More than 10\""
                                             : "\"Yes\"";
        const char *missing = s == AGREE5DK || s == YESNODK ? "\"Don't know\"" : "";
        char line[512];
        snprintf(line, sizeof(line), "  {\"code\": \"%.15s\", \"id\": \"%.31s\", \"positive\": [%s], \"missing\": [%s]}%s\n",
                 items[i].code, items[i].id, positive, missing, i + 1 < n_items ? "," : "");
        puts_(line);
    }
    puts_("]}\n");
    flush_out();
    return 0;
}

int main(int argc, char **argv)
{
    build_items();
    if (argc == 2 && strcmp(argv[1], "--schema") == 0)
        return write_schema();
    if (argc == 2 && strcmp(argv[1], "--spec") == 0)
        return write_spec();
    if (argc != 4) {
        fprintf(stderr, "usage: gen-national ROWS_PER_YEAR FIRST_YEAR LAST_YEAR > FILE.csv\n"
                        "       gen-national --schema > FILE.schema\n");
        return 2;
    }
    long rows = atol(argv[1]);
    int first = atoi(argv[2]), last = atoi(argv[3]);
    if (rows < N_ORGS || first < 2023 || last > 2025 || last < first) {
        fprintf(stderr, "gen-national: need ROWS_PER_YEAR >= %d and years within 2023-2025\n", N_ORGS);
        return 2;
    }
    build_orgs(rows);
    write_header();
    long id = 0;
    for (int year = first; year <= last; year++)
        for (int i = 0; i < N_ORGS; i++)
            for (int r = 0; r < orgs[i].size; r++)
                write_row(year, &orgs[i], ++id);
    flush_out();
    return ferror(stdout) ? 1 : 0;
}
