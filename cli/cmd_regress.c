/*
** cmd_regress.c: `spotbench regress`: each outage case of a scenario
** library run with the runs its bounds.json names and checked against its
** bounds (lab_regress_case), printed as a table or as JSON (two printers
** over the same results); fails on any miss, and on a suite that checked
** nothing: a CI gate that tests nothing must not pass.
*/
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lab/lab.h"
#include "lab/regress.h"
#include "traces/text.h"

const char cmd_regress_usage[] =
    "usage: spotbench regress [DIR] [--case NAME]... [--policy NAME]...\n"
    "                         [--set KEY=VALUE]... [--seeds N|A-B|LIST]\n"
    "                         [--update] [--json] [--db FILE]\n"
    "\n"
    "Runs every case of DIR (default traces/scenarios): each subfolder with a\n"
    "scenario.json and a bounds.json (DIR may also be one case's own folder),\n"
    "with each run bounds.json names, and checks coverage_pct_min,\n"
    "shortfall_unit_hours_max, od_cost_max, set_rejected_max and\n"
    "od_launches_max. An entry of bounds.json is a policy by name, or a name of\n"
    "its own with \"policy\", \"params\" and scenario overrides in \"set\"\n"
    "(docs/regression.md). Prints case, run, figure, value, bound and\n"
    "PASS/FAIL. Runs are stored (default database results/regress.db).\n"
    "\n"
    "options:\n"
    "  --case NAME      only this case (repeat for more)\n"
    "  --policy NAME    only the runs of bounds.json with this policy (repeat\n"
    "                   for more)\n"
    "  --set KEY=VALUE  a scenario field for every run of every case, or a\n"
    "                   parameter of the runs' policies that have it (the rule\n"
    "                   of 'spotbench run --set')\n"
    "  --seeds N        run every entry at seeds 1 to N (also A-B, or S1,S2,...):\n"
    "                   each bound must hold at every seed (rows 'guarded@3')\n"
    "  --update         write the current figures as the new bounds of the cases\n"
    "                   named with --case (with tolerances, rounded to the\n"
    "                   precision they are compared at; a case without\n"
    "                   bounds.json gets classic and guarded); od_launches_max is\n"
    "                   kept as written. Each bounds.json is replaced whole.\n"
    "  --json           print one JSON object (on one line) instead of the table:\n"
    "                   {\"cases\": [{\"case\", \"runs\": [{\"run\", \"policy\",\n"
    "                   \"run_id\", \"checks\": [{\"figure\", \"value\", \"bound\",\n"
    "                   \"pass\"}]}]}], \"passed\", \"failed\"}\n"
    "  --db FILE        the SQLite database (default results/regress.db)\n"
    "\n"
    "exit status: 0 every check passed; 1 a check failed, no check was run (no\n"
    "case has a bounds.json), or a run could not be stored; 2 no case in DIR,\n"
    "an unknown --case, bad bounds or a bad --set.\n"
    "\n"
    "example:\n"
    "  spotbench regress --case every-pool-outbid --set window=600\n";

static const cli_opt regress_opts[] = {
    {"--case", "NAME"}, {"--policy", "NAME"}, {"--set", "KEY=VALUE"}, {"--update", NULL},
    {"--json", NULL},   {"--db", "FILE"},       {"--seeds", "N|A-B|LIST"}, {NULL, NULL}};
const cli_opt *const cmd_regress_opts[] = {regress_opts, NULL};

#define MAX_SETS 64

/* The text printer: the table's header before its first line (an error
** before any line leaves stdout empty), then a case's lines. */
static void print_case_text(int *header, const char *name, const lab_regress_result *r,
                            const char *seed) {
    if (!(*header)++)
        printf("%-30s %-12s %-26s %12s %12s  %s\n", "case", "run", "figure", "value",
               "bound", "result");
    if (r->skipped) printf("%-30s (no bounds.json: skipped)\n", name);
    for (size_t k = 0; k < r->nruns; k++)
        for (size_t i = 0; i < r->run[k].nchecks; i++) {
            const lab_check *c = &r->run[k].check[i];
            char label[96];
            /* With --seeds, the run is the entry at a seed: "guarded@3". */
            snprintf(label, sizeof label, "%s%s%s", r->run[k].label, seed ? "@" : "",
                     seed ? seed + 5 : "");
            printf("%-30s %-12s %-26s %12.*f %12.*f  %s\n", name, label, c->name,
                   c->decimals, c->value, c->decimals, c->bound, c->pass ? "PASS" : "FAIL");
        }
}

/* The JSON printer: a case as an element of "cases". */
static cJSON *case_json(const char *name, const lab_regress_result *r, const char *seed) {
    cJSON *jcase = cJSON_CreateObject();
    cJSON_AddItemToObject(jcase, "case", cli_json_str(name));
    if (seed) cJSON_AddNumberToObject(jcase, "seed", strtod(seed + 5, NULL));
    cJSON *jruns = cJSON_AddArrayToObject(jcase, "runs");
    if (r->skipped) cJSON_AddStringToObject(jcase, "skipped", "no bounds.json");
    for (size_t k = 0; k < r->nruns; k++) {
        cJSON *jr = cJSON_CreateObject();
        cJSON_AddItemToArray(jruns, jr);
        cJSON_AddStringToObject(jr, "run", r->run[k].label);
        cJSON_AddStringToObject(jr, "policy", r->run[k].pol->name);
        cJSON_AddNumberToObject(jr, "run_id", (double)r->run[k].run_id);
        cJSON *jc = cJSON_AddArrayToObject(jr, "checks");
        for (size_t i = 0; i < r->run[k].nchecks; i++) {
            const lab_check *c = &r->run[k].check[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToArray(jc, o);
            cJSON_AddStringToObject(o, "figure", c->name);
            cJSON_AddNumberToObject(o, "value", c->value);
            cJSON_AddNumberToObject(o, "bound", c->bound);
            cJSON_AddBoolToObject(o, "pass", c->pass);
        }
    }
    return jcase;
}

/* Checks --case names against the cases; suggests the closest. */
static int check_named(const char *dir, const lab_suite *su, const char **named,
                       size_t nnamed) {
    for (size_t i = 0; i < nnamed; i++) {
        size_t k = 0;
        while (k < su->n && strcmp(su->name[k], named[i]) != 0) k++;
        if (k < su->n) continue;
        const char *near = trc_closest(named[i], (const char *const *)su->name, su->n);
        if (near)
            cli_error("--case %s: no such case in %s (did you mean '%s'?)", named[i], dir, near);
        else
            cli_error("--case %s: no such case in %s", named[i], dir);
        return -1;
    }
    return 0;
}

static int is_named(const char *name, const char **named, size_t nnamed) {
    if (!nnamed) return 1;
    for (size_t i = 0; i < nnamed; i++)
        if (strcmp(named[i], name) == 0) return 1;
    return 0;
}

/* DIR is one case's own folder (or its scenario file): that case alone,
** and it counts as named for --update. */
static int is_single(const char *dir) {
    struct stat st;
    char path[4200];
    snprintf(path, sizeof path, "%s/scenario.json", dir);
    return stat(path, &st) == 0 || (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode));
}

/* The folder of a case's scenario file. */
static void folder_of(const char *scenario, char *buf, size_t len) {
    snprintf(buf, len, "%s", scenario);
    char *slash = strrchr(buf, '/');
    if (slash) *slash = '\0';
    else snprintf(buf, len, ".");
}

int cmd_regress(int argc, char **argv) {
    const char *db_path = "results/regress.db", *dir = "traces/scenarios";
    const char *named[256], *sets[MAX_SETS];
    const pol_policy *only[MAX_SETS];
    size_t nnamed = 0, nsets = 0, nonly = 0, nseeds = 0;
    uint64_t seeds[LAB_MAX_SEEDS];
    int have_dir = 0, update = 0, json = 0;
    cli_args a;
    cli_args_init(&a, "regress", NULL, regress_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (have_dir++) return cli_usage("regress", "more than one DIR");
            dir = a.val;
        } else if (cli_is(&a, "--update")) update = 1;
        else if (cli_is(&a, "--json")) json = 1;
        else if (cli_is(&a, "--db")) db_path = a.val;
        else if (cli_is(&a, "--case")) {
            if (nnamed == sizeof named / sizeof named[0])
                return cli_usage("regress", "too many --case options");
            named[nnamed++] = a.val;
        } else if (cli_is(&a, "--set")) {
            if (nsets == MAX_SETS) return cli_usage("regress", "too many --set options");
            sets[nsets++] = a.val;
        } else if (cli_is(&a, "--seeds")) {
            char e[200];
            if (lab_seeds_parse(a.val, seeds, &nseeds, e, sizeof e))
                return cli_usage("regress", "%s", e);
        } else if (cli_is(&a, "--policy")) {
            if (nonly == MAX_SETS) return cli_usage("regress", "too many --policy options");
            if (!(only[nonly++] = pol_find(a.val))) return cli_unknown_policy(a.val);
        }
    }
    char err[1024];
    lab_suite su;
    int single = is_single(dir);
    int rc = lab_suite_load(dir, &su, err, sizeof err);
    if (rc != CLI_OK) {
        cli_error("%s", err);
        return rc;
    }
    if (su.n == 0) {
        cli_error("%s: no case here: no subfolder holds a scenario.json (the suite "
                  "would test nothing)", dir);
        rc = CLI_BADINPUT;
    } else if (!single && check_named(dir, &su, named, nnamed)) {
        rc = CLI_BADINPUT;
    } else if (update && nseeds) {
        rc = cli_usage("regress", "--update writes one run's figures as bounds: not with "
                                  "--seeds");
    } else if (update && !nnamed && !single) {
        rc = cli_usage("regress", "--update rewrites the bounds of the cases named with "
                                  "--case NAME (none named)");
    }
    st_db *db = NULL;
    if (rc == CLI_OK && st_open(db_path, &db, err, sizeof err)) {
        cli_error("%s", err);
        rc = CLI_FAIL;
    }
    lab_regress_req req = {sets, nsets, only, nonly, update, cli_version(), NULL};
    cJSON *cases = json && rc == CLI_OK ? cJSON_CreateArray() : NULL;
    size_t ran = 0;
    int checked = 0, failed = 0, header = 0;
    for (size_t i = 0; i < su.n && rc == CLI_OK; i++) {
        if (!single && !is_named(su.name[i], named, nnamed)) continue;
        char folder[4096];
        folder_of(su.path[i], folder, sizeof folder);
        ran++;
        /* Each seed in turn (none: the case's own): a bound holds only if
        ** it holds at every one. */
        for (size_t k = 0; k < (nseeds ? nseeds : 1) && rc == CLI_OK; k++) {
            char seed[32];
            lab_regress_result r;
            snprintf(seed, sizeof seed, "seed=%llu", (unsigned long long)seeds[k]);
            req.seed = nseeds ? seed : NULL;
            rc = lab_regress_case(db, su.name[i], folder, &req, &r, err, sizeof err);
            if (rc != CLI_OK) {
                cli_error("%s", err);
                break;
            }
            for (size_t e = 0; e < r.nruns; e++)
                for (size_t c = 0; c < r.run[e].nchecks; c++) {
                    checked++;
                    failed += !r.run[e].check[c].pass;
                }
            if (cases) cJSON_AddItemToArray(cases, case_json(su.name[i], &r, req.seed));
            else print_case_text(&header, su.name[i], &r, req.seed);
        }
    }
    st_close(db);
    lab_suite_free(&su);
    if (rc != CLI_OK) {
        cJSON_Delete(cases);
        return rc;
    }
    if (cases) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "cases", cases);
        cJSON_AddNumberToObject(doc, "passed", checked - failed);
        cJSON_AddNumberToObject(doc, "failed", failed);
        if (cli_json_print(doc) != CLI_OK) return CLI_FAIL;
    } else {
        printf("regress: %d passed, %d failed\n", checked - failed, failed);
    }
    if (checked == 0) {
        cli_error("regress: no check was run: none of the %zu case%s run has a "
                  "bounds.json (write them with --update --case NAME)",
                  ran, ran == 1 ? "" : "s");
        return CLI_FAIL;
    }
    return failed ? CLI_FAIL : CLI_OK;
}
