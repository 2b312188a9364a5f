/*
** cmd_compare.c: `spotbench compare`: every case of a suite with each
** policy, one sweep per policy in the database (so best, plot and merge
** work on them), and the regret table (lab/regret.h) per case and over
** the suite, as text or JSON, with a figure (plot/compare.c).
*/
#include "cli.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot/plot.h"
#include "lab/regret.h"

const char cmd_compare_usage[] =
    "usage: spotbench compare [DIR|SCENARIO] [--policy NAME]... [--set KEY=VALUE]...\n"
    "           [--json] [--plot FILE] [-j N] [--db FILE]\n"
    "\n"
    "Runs every case of DIR (default traces/scenarios: each subfolder with a\n"
    "scenario.json) with each policy (default: every policy that can run live)\n"
    "and prints, per case and over the whole suite: total cost, coverage,\n"
    "regret (cost above the oracle's bound, USD and %), shortfall unit-hours,\n"
    "fallback latency, time back to spot, on-demand hours after recovery and\n"
    "flaps. A run cheaper than the bound covers less: its regret is n/a, with\n"
    "its coverage. Each policy's runs are stored as one sweep (its id is\n"
    "printed), so 'spotbench best', 'plot' and 'merge' work on them.\n"
    "\n"
    "options:\n"
    "  --policy NAME     a policy (repeat for several)\n"
    "  --set KEY=VALUE   for every run: a scenario field, or a parameter of the\n"
    "                    policies that have it\n"
    "  --json            one JSON object instead of the table\n"
    "  --plot FILE       the table as a figure, policies x cases (.png, .svg)\n"
    "  -j N              worker processes (default: the number of cores)\n"
    "  --db FILE         the database (default results/spotbench.db)\n"
    "\n"
    "example:\n"
    "  spotbench compare --plot results/compare.png -j 2\n";

#define MAX_POLICIES 16
#define MAX_SETS 64

static void print_row(const char *label, const lab_cmp_cell *x) {
    char ra[48], rp[48], lm[16], lM[16], bm[16], bM[16], lat[40], back[40];
    lab_cmp_regret_text(x, ra, sizeof ra, rp, sizeof rp);
    cli_duration(lm, sizeof lm, x->lat_med);
    cli_duration(lM, sizeof lM, x->lat_max);
    cli_duration(bm, sizeof bm, x->ret_med);
    cli_duration(bM, sizeof bM, x->ret_max);
    snprintf(lat, sizeof lat, "%s / %s", lm, lM);
    snprintf(back, sizeof back, "%s / %s", bm, bM);
    /* Coverage truncated: a shortfall must never print as 100.000. */
    printf("  %-10s %10.2f %9.3f %20s %18s %9.2f %17s %17s %8.2f %6d\n", label, x->total,
           floor(x->coverage * 1000) / 1000, ra, rp, x->shortfall_uh, lat, back, x->od_after,
           x->flaps);
}

static void print_table(const lab_cmp *t, const int64_t *ids) {
    const char *hdr = "  %-10s %10s %9s %20s %18s %9s %17s %17s %8s %6s\n";
    for (size_t k = 0; k <= t->ncases; k++) {
        int all = k == t->ncases;
        if (all)
            printf("ALL %zu CASES (oracle $%.2f)\n", t->ncases, t->agg[0].oracle);
        else
            printf("%s (oracle $%.2f)\n", t->cases[k], t->cell[k * t->npolicies].oracle);
        printf(hdr, "policy", "total $", "cov %", "regret $", "regret %", "short uh",
               "fallback med/max", "to spot med/max", "od h aft", "flaps");
        for (size_t p = 0; p < t->npolicies; p++)
            print_row(t->policies[p], all ? &t->agg[p] : &t->cell[k * t->npolicies + p]);
        printf("\n");
    }
    printf("sweeps:");
    for (size_t p = 0; p < t->npolicies; p++)
        printf(" %s=%lld", t->policies[p], (long long)ids[p]);
    printf("\nregret: total cost above the oracle's bound (full coverage at the least "
           "cost); n/a: cheaper than the bound because it covers less; over all cases, "
           "summed where defined. cov: coverage of the required unit-time; short uh: "
           "shortfall unit-hours; fallback: spot shortfall to on-demand covering it; to "
           "spot: spot back to on-demand released (medians over the cases with a "
           "shortfall, the largest maximum); od h aft: on-demand hours after recovery\n");
}

static cJSON *cell_json(const lab_cmp_cell *x) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "total_cost", x->total);
    cJSON_AddNumberToObject(o, "oracle_cost", x->oracle);
    cJSON_AddNumberToObject(o, "coverage_pct", x->coverage);
    if (x->ncases == 1 && !x->regret_ok) {
        cJSON_AddNullToObject(o, "regret");
        cJSON_AddNullToObject(o, "regret_pct");
        cJSON_AddStringToObject(o, "regret_note",
                                "cheaper than the oracle's bound because it covers less");
    } else {
        cJSON_AddNumberToObject(o, "regret", x->regret);
        cJSON_AddNumberToObject(o, "regret_pct", x->regret_pct);
    }
    if (x->ncases > 1) cJSON_AddNumberToObject(o, "regret_na_cases", x->na);
    cJSON_AddNumberToObject(o, "shortfall_unit_hours", x->shortfall_uh);
    cJSON_AddNumberToObject(o, "fallback_latency_median_s", (double)x->lat_med);
    cJSON_AddNumberToObject(o, "fallback_latency_max_s", (double)x->lat_max);
    cJSON_AddNumberToObject(o, "return_delay_median_s", (double)x->ret_med);
    cJSON_AddNumberToObject(o, "return_delay_max_s", (double)x->ret_max);
    cJSON_AddNumberToObject(o, "od_hours_after_recovery", x->od_after);
    cJSON_AddNumberToObject(o, "flaps", x->flaps);
    return o;
}

static int print_json(const char *dir, const lab_cmp *t, const int64_t *ids) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "suite", dir);
    cJSON *pol = cJSON_AddArrayToObject(o, "policies");
    cJSON *sw = cJSON_AddObjectToObject(o, "sweeps");
    for (size_t p = 0; p < t->npolicies; p++) {
        cJSON_AddItemToArray(pol, cJSON_CreateString(t->policies[p]));
        cJSON_AddNumberToObject(sw, t->policies[p], (double)ids[p]);
    }
    cJSON *cases = cJSON_AddArrayToObject(o, "cases");
    for (size_t k = 0; k < t->ncases; k++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "case", t->cases[k]);
        cJSON *runs = cJSON_AddObjectToObject(c, "runs");
        for (size_t p = 0; p < t->npolicies; p++)
            cJSON_AddItemToObject(runs, t->policies[p], cell_json(&t->cell[k * t->npolicies + p]));
        cJSON_AddItemToArray(cases, c);
    }
    cJSON *agg = cJSON_AddObjectToObject(o, "all_cases");
    for (size_t p = 0; p < t->npolicies; p++)
        cJSON_AddItemToObject(agg, t->policies[p], cell_json(&t->agg[p]));
    char *s = cJSON_Print(o);
    cJSON_Delete(o);
    if (!s) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    puts(s);
    free(s);
    return CLI_OK;
}

static const cli_opt compare_opts[] = {
    {"--policy", "NAME"}, {"--set", "KEY=VALUE"}, {"--json", NULL}, {"--plot", "OUT"},
    {"--db", "FILE"}, {"-j", "N"}, {NULL, NULL}};
const cli_opt *const cmd_compare_opts[] = {compare_opts, NULL};

int cmd_compare(int argc, char **argv) {
    const char *dir = NULL, *db_path = "results/spotbench.db", *plot = NULL;
    const char *pols[MAX_POLICIES], *sets[MAX_SETS];
    size_t npols = 0, nsets = 0;
    int json = 0;
    long workers = sysconf(_SC_NPROCESSORS_ONLN);
    cli_args a;
    cli_args_init(&a, "compare", NULL, compare_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        const char *v = a.val;
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (dir) return cli_usage("compare", "more than one DIR");
            dir = v;
        } else if (cli_is(&a, "--policy")) {
            if (npols == MAX_POLICIES) return cli_usage("compare", "too many --policy");
            pols[npols++] = v;
        } else if (cli_is(&a, "--set")) {
            if (nsets == MAX_SETS) return cli_usage("compare", "too many --set");
            if (!cli_is_kv(v)) return cli_usage("compare", "--set %s: expected KEY=VALUE", v);
            sets[nsets++] = v;
        } else if (cli_is(&a, "--json")) {
            json = 1;
        } else if (cli_is(&a, "--plot")) {
            plot = v;
        } else if (cli_is(&a, "--db")) {
            db_path = v;
        } else if (cli_is(&a, "-j")) {
            if (cli_jobs(v, &workers))
                return cli_usage("compare", "-j %s: expected 1 to 1024", v);
        }
    }
    if (!dir) dir = "traces/scenarios";
    if (workers < 1) workers = 1;
    if (plot && cli_plot_ext_check(plot)) return CLI_BADINPUT; /* before the runs */
    const pol_policy *list[MAX_POLICIES];
    const char *names[MAX_POLICIES];
    size_t n = 0;
    for (size_t i = 0; i < npols; i++) {
        const pol_policy *p = pol_find(pols[i]);
        if (!p) return cli_unknown_policy(pols[i]);
        if (p->simulation_only) {
            cli_error("--policy %s: the oracle is the bound every regret is measured "
                      "against, not a policy to compare",
                      pols[i]);
            return CLI_BADINPUT;
        }
        for (size_t k = 0; k < n; k++)
            if (list[k] == p) return cli_usage("compare", "--policy %s given twice", pols[i]);
        list[n++] = p;
    }
    for (const pol_policy *const *p = pol_list(); !npols && *p && n < MAX_POLICIES; p++)
        if (!(*p)->simulation_only) list[n++] = *p;
    for (size_t i = 0; i < n; i++) names[i] = list[i]->name;

    lab_suite su;
    int rc = cli_suite_load(dir, &su);
    if (rc) return rc;
    lab_cmp t;
    int64_t ids[MAX_POLICIES];
    if (lab_cmp_init(&t, (const char *const *)su.name, su.n, names, n)) {
        lab_suite_free(&su);
        cli_error("out of memory");
        return CLI_FAIL;
    }
    char err[1024];
    rc = lab_cmp_run(&t, db_path, (const char *const *)su.path, list, sets, nsets,
                     (int)workers, cli_version(), ids, err, sizeof err);
    if (rc != CLI_OK) cli_error("%s", err);
    if (rc == CLI_OK) {
        lab_cmp_aggregate(&t);
        if (json) rc = print_json(dir, &t, ids);
        else print_table(&t, ids);
    }
    /* The figure's path once the runs made the database's folder, which it
    ** may share: a refused path is bad input (cli/cli.h). */
    if (rc == CLI_OK && plot && (rc = cli_out_check(plot)) == CLI_OK) {
        char err[600];
        if (pl_compare(&t, dir, plot, err, sizeof err)) {
            cli_error("%s", err);
            rc = CLI_FAIL;
        } else if (!json) {
            printf("figure: %s\n", plot);
        }
    }
    lab_cmp_free(&t);
    lab_suite_free(&su);
    return rc;
}
