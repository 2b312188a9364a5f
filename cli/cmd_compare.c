/*
** cmd_compare.c: `spotbench compare`: every case of a suite with each
** policy, one sweep per policy in the database (so best, plot and merge
** work on them), and the regret table (sim/compare.h) per case and over
** the suite, as text or JSON, with a figure (plot/compare.c).
*/
#include "cli.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot/plot.h"
#include "sim/compare.h"
#include "store/sweep.h"

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

/* Runs the suite with one policy as a sweep; fills its column of the table. */
static int run_policy(const char *db_path, const cli_suite *su, const pol_policy *pol,
                      const char *const *sets, size_t nsets, long workers, sim_cmp *t,
                      size_t col, int64_t *sweep_id) {
    sim_sweep_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.seed = 1;
    char err[1024];
    st_db *db = NULL;
    st_sweep_row *rows = NULL;
    size_t nrows = 0, *todo = NULL;
    const char *mine[MAX_SETS];
    int n = cli_sets_for(pol, sets, nsets, mine), rc = CLI_BADINPUT;
    if (!(spec.policy = strdup(pol->name))) goto oom;
    for (size_t i = 0; i < su->n; i++)
        if (sim_sweep_add_str(&spec.scenarios, &spec.nscenarios, su->path[i], err, sizeof err))
            goto fail;
    for (int i = 0; i < n; i++)
        if (sim_sweep_add_str(&spec.sets, &spec.nsets, mine[i], err, sizeof err)) goto fail;
    if (st_sweep_check(&spec, err, sizeof err)) goto fail;
    rc = CLI_FAIL;
    if (st_open(db_path, &db, err, sizeof err) ||
        st_sweep_create(db, &spec, cli_version(), sweep_id, err, sizeof err))
        goto fail;
    st_close(db); /* no connection may cross the workers' fork() */
    db = NULL;
    if (!(todo = malloc(su->n * sizeof *todo))) goto oom;
    for (size_t r = 0; r < su->n; r++) todo[r] = r;
    if (st_sweep_exec(db_path, *sweep_id, &spec, todo, su->n, (int)workers, cli_version(),
                      NULL, NULL, err, sizeof err) ||
        st_open(db_path, &db, err, sizeof err) ||
        st_sweep_rows(db, *sweep_id, &rows, &nrows, err, sizeof err))
        goto fail;
    if (nrows != su->n) {
        snprintf(err, sizeof err, "sweep %lld: %zu runs stored, %zu expected",
                 (long long)*sweep_id, nrows, su->n);
        goto fail;
    }
    for (size_t i = 0; i < nrows; i++) {
        sim_result res;
        if (st_summary_get(db, rows[i].run_id, &res, err, sizeof err)) goto fail;
        sim_cmp_set(t, rows[i].scenario, col, &res);
    }
    rc = CLI_OK;
    goto out;
oom:
    snprintf(err, sizeof err, "out of memory");
    rc = CLI_FAIL;
fail:
    cli_error("%s", err);
out:
    st_close(db);
    free(todo);
    free(rows);
    sim_sweep_spec_free(&spec);
    return rc;
}

static void print_row(const char *label, const sim_cmp_cell *x) {
    char ra[48], rp[48], lm[16], lM[16], bm[16], bM[16], lat[40], back[40];
    sim_cmp_regret_text(x, ra, sizeof ra, rp, sizeof rp);
    cli_duration(lm, sizeof lm, x->lat_med);
    cli_duration(lM, sizeof lM, x->lat_max);
    cli_duration(bm, sizeof bm, x->ret_med);
    cli_duration(bM, sizeof bM, x->ret_max);
    snprintf(lat, sizeof lat, "%s / %s", lm, lM);
    snprintf(back, sizeof back, "%s / %s", bm, bM);
    /* Coverage truncated: a shortfall must never print as 100.000. */
    printf("  %-10s %10.2f %9.3f %20s %18s %9.2f %17s %17s %8.2f %6d\n", label, x->total,
           floor(x->coverage * 1000) / 1000, ra, rp, x->shortfall_uh, lat, back, x->od_after, x->flaps);
}

static void print_table(const sim_cmp *t, const int64_t *ids) {
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

static cJSON *cell_json(const sim_cmp_cell *x) {
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

static int print_json(const char *dir, const sim_cmp *t, const int64_t *ids) {
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

    cli_suite su;
    int rc = cli_suite_load(dir, &su);
    if (rc) return rc;
    sim_cmp t;
    int64_t ids[MAX_POLICIES];
    if (sim_cmp_init(&t, (const char *const *)su.name, su.n, names, n)) {
        cli_suite_free(&su);
        cli_error("out of memory");
        return CLI_FAIL;
    }
    for (size_t p = 0; p < n && rc == CLI_OK; p++)
        rc = run_policy(db_path, &su, list[p], sets, nsets, workers, &t, p, &ids[p]);
    if (rc == CLI_OK) {
        sim_cmp_aggregate(&t);
        if (json) rc = print_json(dir, &t, ids);
        else print_table(&t, ids);
    }
    if (rc == CLI_OK && plot) {
        char err[600];
        if (pl_compare(&t, dir, plot, err, sizeof err)) {
            cli_error("%s", err);
            rc = CLI_FAIL;
        } else if (!json) {
            printf("figure: %s\n", plot);
        }
    }
    sim_cmp_free(&t);
    cli_suite_free(&su);
    return rc;
}
