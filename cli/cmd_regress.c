/*
** cmd_regress.c: `spotbench regress`: runs each outage case of a scenario
** library with the policies its bounds.json names, checks the bounds, prints
** a table, stores the runs and fails on any miss.
*/
#include "cli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/regress.h"

const char cmd_regress_usage[] =
    "usage: spotbench regress [DIR] [--update] [--db FILE]\n"
    "\n"
    "Runs every case of DIR (default traces/scenarios): each subfolder with a\n"
    "scenario.json and a bounds.json, with each policy bounds.json names, and\n"
    "checks coverage_pct_min, shortfall_unit_hours_max, od_cost_max,\n"
    "set_rejected_max and od_launches_max. Prints case, policy, figure, value,\n"
    "bound and PASS/FAIL; exits 1 when any check fails. Runs are stored\n"
    "(default database results/regress.db).\n"
    "\n"
    "  --update   write the current figures as the new bounds (with\n"
    "             tolerances); cases without bounds.json get classic and\n"
    "             guarded. od_launches_max is kept as written.\n";

static const cli_opt regress_opts[] = {{"--update", NULL}, {"--db", "FILE"}, {NULL, NULL}};
const cli_opt *const cmd_regress_opts[] = {regress_opts, NULL};

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case folders of dir that hold a scenario.json, sorted. */
static char **list_cases(const char *dir, size_t *n) {
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **v = NULL;
    size_t cap = 0;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s/scenario.json", dir, e->d_name);
        if (stat(path, &st) != 0) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char **p = realloc(v, cap * sizeof *p);
            if (!p) break;
            v = p;
        }
        v[*n] = strdup(e->d_name);
        if (v[*n]) (*n)++;
    }
    closedir(d);
    if (!v) v = calloc(1, sizeof *v);
    qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

static int regress_case(st_db *db, const char *dir, const char *name, int update,
                        int *failed, int *checked) {
    char spath[4096], bpath[4096], err[512];
    snprintf(spath, sizeof spath, "%s/%s/scenario.json", dir, name);
    snprintf(bpath, sizeof bpath, "%s/%s/bounds.json", dir, name);
    sim_bounds b;
    struct stat st;
    if (stat(bpath, &st) != 0) {
        if (!update) {
            printf("%-30s (no bounds.json: skipped)\n", name);
            return CLI_OK;
        }
        memset(&b, 0, sizeof b);
        b.p[0].pol = pol_find("classic");
        b.p[1].pol = pol_find("guarded");
        b.npolicies = 2;
    } else if (sim_bounds_load(bpath, &b, err, sizeof err)) {
        cli_error("%s", err);
        return CLI_BADINPUT;
    }
    sim_scenario sc;
    if (sim_scenario_load(spath, NULL, 0, &sc, err, sizeof err)) {
        cli_error("%s", err);
        return CLI_BADINPUT;
    }
    int rc = CLI_OK;
    for (size_t k = 0; k < b.npolicies && rc == CLI_OK; k++) {
        sim_policy_bounds *pb = &b.p[k];
        pol_params params;
        sim_result res;
        int64_t run_id;
        sim_scenario_params(&sc, pb->pol, &params);
        rc = cli_run_one(db, &sc, pb->pol, &params, NULL, 0, 0, &res, &run_id);
        if (rc != CLI_OK) break;
        if (update) sim_bounds_update(pb, &res);
        sim_check c[SIM_BOUNDS_CHECKS];
        size_t n = sim_bounds_check(pb, &res, c);
        for (size_t i = 0; i < n; i++) {
            printf("%-30s %-8s %-26s %12.3f %12.3f  %s\n", name, pb->pol->name, c[i].name,
                   c[i].value, c[i].bound, c[i].pass ? "PASS" : "FAIL");
            (*checked)++;
            if (!c[i].pass) (*failed)++;
        }
    }
    if (rc == CLI_OK && update && sim_bounds_write(bpath, &b, err, sizeof err)) {
        cli_error("%s", err);
        rc = CLI_FAIL;
    }
    sim_scenario_free(&sc);
    return rc;
}

int cmd_regress(int argc, char **argv) {
    const char *dir = "traces/scenarios", *db_path = "results/regress.db";
    int update = 0, have_dir = 0;
    cli_args a;
    cli_args_init(&a, "regress", NULL, regress_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (have_dir++) return cli_usage("regress", "more than one DIR");
            dir = a.val;
        } else if (cli_is(&a, "--update")) update = 1;
        else if (cli_is(&a, "--db")) db_path = a.val;
    }
    size_t n;
    char **cases = list_cases(dir, &n);
    if (!cases) {
        cli_error("%s: cannot read the folder", dir);
        return CLI_BADINPUT;
    }
    char err[512];
    st_db *db = NULL;
    int rc = CLI_OK, failed = 0, checked = 0;
    if (st_open(db_path, &db, err, sizeof err)) {
        cli_error("%s", err);
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK)
        printf("%-30s %-8s %-26s %12s %12s  %s\n", "case", "policy", "figure", "value", "bound",
               "result");
    for (size_t i = 0; i < n && rc == CLI_OK; i++)
        rc = regress_case(db, dir, cases[i], update, &failed, &checked);
    st_close(db);
    for (size_t i = 0; i < n; i++) free(cases[i]);
    free(cases);
    if (rc != CLI_OK) return rc;
    printf("regress: %d passed, %d failed\n", checked - failed, failed);
    return failed ? CLI_FAIL : CLI_OK;
}
