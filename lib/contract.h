/* The contract between candour-stats and candour-report: the results
 * files' names, each file's columns in the order candour-stats writes them,
 * and the values of the columns a reader branches on.  candour-stats writes
 * its headers from these macros (the writers in stats/); candour-report checks every
 * header it reads against them (report/results.c), finding columns by name,
 * so that a file from another version fails with a message naming the
 * missing column instead of reading blanks.  docs/outputs.md describes
 * every column.  Add columns; never rename one. */
#ifndef CANDOUR_CONTRACT_H
#define CANDOUR_CONTRACT_H

#include <stddef.h>

/* Every file has the run's settings; columns added since come after them. */
#define RESULTS_COMMON_COLUMNS "conf_level,min_n"

#define PROPORTIONS_FILE "proportions.csv"
#define PROPORTIONS_COLUMNS                                                                        \
    "period,org,item,group_dim,group,n,positive,estimate,ci_lower,ci_upper,method,"                \
    "suppressed,parent_group,measure,polarity,weighted_estimate,weighted_ci_lower,"                \
    "weighted_ci_upper,n_eff," RESULTS_COMMON_COLUMNS ",rows_rejected"

#define THEMES_FILE "themes.csv"
#define THEMES_COLUMNS                                                                             \
    "period,org,theme,group_dim,group,n,mean,ci_lower,ci_upper,suppressed,sd,"                     \
    "parent_group," RESULTS_COMMON_COLUMNS

#define DISPARITIES_FILE "disparities.csv"
#define DISPARITIES_COLUMNS                                                                        \
    "period,org,item,group_dim,group,reference,n,positive,ref_n,ref_positive,diff,"                \
    "diff_lower,diff_upper,ratio,ratio_lower,ratio_upper,p_value,q_value,suppressed,"              \
    "ratio_corrected,zero_cell_rule,diff_method,ratio_method,test,bh_family,"                      \
    "bh_family_size,measure,polarity,note," RESULTS_COMMON_COLUMNS

#define WRES_FILE "wres.csv"
#define WRES_COLUMNS                                                                               \
    "period,org,indicator,bme_n,bme_events,white_n,white_events,bme_rate,white_rate,"              \
    "relative_likelihood,rl_lower,rl_upper,in_range,small_numbers,suppressed,item,source,"         \
    "periods_used,unknown_ethnicity,rl_corrected,rule,adverse_if,note," RESULTS_COMMON_COLUMNS     \
    ",rows_rejected"

#define BENCHMARKS_FILE "benchmarks.csv"
#define BENCHMARKS_COLUMNS                                                                         \
    "period,item,group_dim,group,org,n,positive,estimate,target,lower95,upper95,lower998,"         \
    "upper998,model,flag,benchmark,suppressed,phi,tau2,n_orgs,z,measure,polarity,"                 \
    "weighted," RESULTS_COMMON_COLUMNS

#define TRENDS_FILE "trends.csv"
#define TRENDS_COLUMNS                                                                             \
    "org,item,group_dim,group,period,previous_period,estimate,previous_estimate,change,"           \
    "change_lower,change_upper,p_value,suppressed,parent_group,n,positive,previous_n,"             \
    "previous_positive,z,measure,polarity," RESULTS_COMMON_COLUMNS ",first_period,first_estimate," \
    "span_change,span_change_lower,span_change_upper,span_p_value,trend_periods,trend_slope,"      \
    "trend_chi2,trend_p_value,weighted_rates,previous_org,org_name,previous_org_name,org_change,"  \
    "span_org_change"

#define SPC_FILE "spc.csv"
#define SPC_COLUMNS                                                                                \
    "org,item,group_dim,group,period,estimate,centre,lower_limit,upper_limit,signal,"              \
    "parent_group,suppressed,direction,variation,series_start,series_end,n_points,"                \
    "mean_moving_range,polarity," RESULTS_COMMON_COLUMNS

/* The `item` of spc.csv's HR series (the survey's series carry their
 * item's id): disciplinary rates per group, and the WRES 3 relative
 * likelihood. */
#define SPC_ITEM_DISCIPLINARY_RATE "disciplinary_rate"
#define SPC_ITEM_WRES3_LIKELIHOOD "wres3_relative_likelihood"

#define HOTSPOTS_FILE "hotspots.csv"
#define HOTSPOTS_COLUMNS                                                                           \
    "org,period,unit_level,unit,item,n,positive,estimate,rest_n,rest_positive,"                    \
    "rest_estimate,diff,diff_lower,diff_upper,p_value,q_value,flagged,suppressed,"                 \
    "parent_unit,direction," RESULTS_COMMON_COLUMNS

#define INPUTS_FILE "inputs.csv"
#define INPUTS_COLUMNS                                                                             \
    "dataset,kind,schema,schema_crc32,input,input_bytes,input_crc32,rows_read,rows_accepted,"      \
    "created_by,stats_version,ci_method,weighted,fdr," RESULTS_COMMON_COLUMNS ",rates,"            \
    "design_effect,design_effect_items,comparison,comparison_orgs,comparison_left_out,"            \
    "comparison_types,tables,orgs,groupings,weights,design_effect_columns"

/* The dictionary of the results (stats/dictionary.c): what each item and
 * theme means, and the declared WRES groups. */
#define ITEMS_FILE "items.csv"
#define ITEMS_COLUMNS                                                                              \
    "kind,id,label,text,measure,polarity,section,section_title,wres_indicator,heatmap,funnel,"     \
    "scale,answers,positive,missing,items,periods," RESULTS_COMMON_COLUMNS

#define WRES_GROUPS_FILE "wres-groups.csv"
#define WRES_GROUPS_COLUMNS                                                                        \
    "source,indicators,grouping,reference,comparison," RESULTS_COMMON_COLUMNS

/* The `suppressed` column: shown, or hidden as primary or secondary
 * suppression, or by the release ledger (--ledger: the figure's difference
 * from an earlier release would describe fewer than min_n people, or
 * protects such a difference) (docs/outputs.md "Disclosure control"), or
 * hidden as incomplete: rows of an aggregated input that would have fed the
 * figure were set aside at ingest (docs/outputs.md "Incomplete figures"). */
#define SUPPRESSED_NO "no"
#define SUPPRESSED_PRIMARY "primary"
#define SUPPRESSED_SECONDARY "secondary"
#define SUPPRESSED_LEDGER "ledger"
#define SUPPRESSED_INCOMPLETE "incomplete"

/* Scopes in the `org` and `benchmark` columns that are not orgs: every org
 * pooled, and one benchmarking group pooled ("GROUP:" and its name). */
#define SCOPE_ALL_ORGS "ALL"
#define SCOPE_GROUP_PREFIX "GROUP:"
#define SCOPE_GROUP_PREFIX_LEN (sizeof(SCOPE_GROUP_PREFIX) - 1)

/* The eleven files, in the order a reader loads and checks them. */
enum results_file {
    RESULTS_PROPORTIONS,
    RESULTS_THEMES,
    RESULTS_DISPARITIES,
    RESULTS_WRES,
    RESULTS_BENCHMARKS,
    RESULTS_TRENDS,
    RESULTS_SPC,
    RESULTS_HOTSPOTS,
    RESULTS_INPUTS,
    RESULTS_ITEMS,
    RESULTS_WRES_GROUPS,
    RESULTS_FILES
};

struct results_file_contract {
    const char *file;    /* "proportions.csv" */
    const char *columns; /* comma-separated, as in the header candour-stats writes */
};

/* The contract of each file, indexed by enum results_file. */
extern const struct results_file_contract RESULTS_CONTRACT[RESULTS_FILES];

#endif
