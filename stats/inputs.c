/* inputs.csv: provenance of a run, one row per input file of each dataset
 * read: the file as ingest saw it (name, size, CRC-32), the schema and its
 * checksum, and the rows read and accepted; plus the run's settings, so a
 * reader can say exactly what the figures come from, and the run's choice
 * of what to write (--tables, --orgs, --groupings: "all" when not given),
 * so it can say what is missing and why. */
#include <math.h>
#include <stdio.h>

#include "stats.h"

/* rates, design_effect, design_effect_items: for org-results, whether the
 * rates are weighted, the file's design effect and how many rate columns
 * carry their own; blank for other kinds. */
static void rates_columns(const struct schema *s, struct table *t)
{
    if (s->kind != KIND_ORG_RESULTS) {
        for (int f = 0; f < 3; f++)
            table_blank(t);
        return;
    }
    table_str(t, s->rate_weighting == RATES_WEIGHTED ? "weighted" : "unweighted");
    table_num(t, s->design_effect);
    size_t own = 0;
    for (size_t c = 0; c < s->n_columns; c++)
        own += s->columns[c].role == ROLE_RATE && !isnan(s->columns[c].design_effect);
    table_int(t, (double)own);
}

/* design_effect_columns: for org-results, how many design-effect data
 * columns the schema describes (a design effect per row); blank for other
 * kinds. */
static void design_effect_columns(const struct schema *s, struct table *t)
{
    if (s->kind != KIND_ORG_RESULTS) {
        table_blank(t);
        return;
    }
    size_t n = 0;
    for (size_t c = 0; c < s->n_columns; c++)
        n += s->columns[c].role == ROLE_DESIGN_EFFECT;
    table_int(t, (double)n);
}

bool write_inputs(const struct stats_run *run, struct table *t, struct buf *err)
{
    if (!table_open(t, run->opt->output_dir, INPUTS_FILE, INPUTS_COLUMNS, err))
        return false;
    char hex[16];
    for (size_t i = 0; i < run->n_sources; i++) {
        const struct dataset *ds = run->sources[i].ds;
        for (size_t k = 0; k < ds->n_inputs; k++) {
            const struct ds_input *in = &ds->inputs[k];
            table_str(t, ds->path);
            table_str(t, schema_kind_name((enum schema_kind)ds->kind));
            table_str(t, ds->schema_name);
            snprintf(hex, sizeof(hex), "%08x", ds->schema_checksum);
            table_str(t, hex);
            table_str(t, in->name);
            table_int(t, (double)in->size);
            snprintf(hex, sizeof(hex), "%08x", in->crc32);
            table_str(t, hex);
            table_int(t, (double)in->rows_read);
            table_int(t, (double)in->rows_accepted);
            table_str(t, ds->created_by);
            table_str(t, "candour-stats " CANDOUR_VERSION);
            table_str(t, m_prop_method_name(run->opt->ci));
            table_str(t, run->opt->weight ? "yes" : "no");
            table_num(t, run->opt->fdr);
            table_common(t, run);
            rates_columns(run->sources[i].schema, t);
            table_str(t, run->compare.description ? run->compare.description : "");
            table_int(t, (double)run->compare.n_in);
            table_int(t, (double)(run->compare.n_orgs - run->compare.n_in));
            table_str(t, run->compare.types_in ? run->compare.types_in : "");
            table_str(t, run->opt->tables ? run->opt->tables : "all");
            table_str(t, run->opt->orgs ? run->opt->orgs : "all");
            table_str(t, run->opt->groupings ? run->opt->groupings : "all");
            table_str(t, run->model.weight_source ? run->model.weight_source : "");
            design_effect_columns(run->sources[i].schema, t);
            table_end_row(t);
        }
    }
    return true;
}
