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
    "                   With --seeds, each bound holds at every seed (the\n"
    "                   loosest of the seeds' own).\n"
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
static int check_named(const char *dir, const lab_suite *su, const char *const *named,
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

static int is_named(const char *name, const char *const *named, size_t nnamed) {
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

/* The options of `regress`. */
typedef struct {
    const char *db_path, *dir;
    const char *named[256], *sets[MAX_SETS];
    const pol_policy *only[MAX_SETS];
    size_t nnamed, nsets, nonly, nseeds;
    uint64_t seeds[LAB_MAX_SEEDS];
    int update, json;
} regress_args;

/* Reads the arguments. Returns an exit status, after saying why. */
static int regress_parse(int argc, char **argv, regress_args *o) {
    memset(o, 0, sizeof *o);
    o->db_path = "results/regress.db";
    o->dir = "traces/scenarios";
    int have_dir = 0;
    cli_args a;
    cli_args_init(&a, "regress", NULL, regress_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (have_dir++) return cli_usage("regress", "more than one DIR");
            o->dir = a.val;
        } else if (cli_is(&a, "--update")) o->update = 1;
        else if (cli_is(&a, "--json")) o->json = 1;
        else if (cli_is(&a, "--db")) o->db_path = a.val;
        else if (cli_is(&a, "--case")) {
            if (o->nnamed == sizeof o->named / sizeof o->named[0])
                return cli_usage("regress", "too many --case options");
            o->named[o->nnamed++] = a.val;
        } else if (cli_is(&a, "--set")) {
            if (o->nsets == MAX_SETS) return cli_usage("regress", "too many --set options");
            o->sets[o->nsets++] = a.val;
        } else if (cli_is(&a, "--seeds")) {
            char e[200];
            if (lab_seeds_parse(a.val, o->seeds, &o->nseeds, e, sizeof e))
                return cli_usage("regress", "%s", e);
        } else if (cli_is(&a, "--policy")) {
            if (o->nonly == MAX_SETS) return cli_usage("regress", "too many --policy options");
            if (!(o->only[o->nonly++] = pol_find(a.val))) return cli_unknown_policy(a.val);
        }
    }
    return CLI_OK;
}

/* What the cases' checks add up to. */
typedef struct {
    size_t ran;
    int checked, failed, header;
    cJSON *cases; /* --json: the cases array */
} regress_tally;

/* Runs one case at each seed (none: its own), printing or collecting each
** result. Returns an exit status, after saying why. */
static int regress_one(const regress_args *o, st_db *db, const char *name, const char *path,
                       regress_tally *t) {
    char folder[4096], err[1024];
    folder_of(path, folder, sizeof folder);
    lab_regress_req req = {o->sets, o->nsets, o->only, o->nonly, o->update, cli_version(), NULL};
    t->ran++;
    /* A bound holds only if it holds at every seed. */
    for (size_t k = 0; k < (o->nseeds ? o->nseeds : 1); k++) {
        char seed[32];
        lab_regress_result r;
        snprintf(seed, sizeof seed, "seed=%llu", (unsigned long long)o->seeds[k]);
        req.seed = o->nseeds ? seed : NULL;
        /* --update over seeds: the first seed's run sets the bounds, each
        ** later one only loosens them, so that they hold at every seed. */
        if (o->update && k > 0) req.update = LAB_UPDATE_WIDEN;
        int rc = lab_regress_case(db, name, folder, &req, &r, err, sizeof err);
        if (rc != CLI_OK) {
            cli_error("%s", err);
            return rc;
        }
        for (size_t e = 0; e < r.nruns; e++)
            for (size_t c = 0; c < r.run[e].nchecks; c++) {
                t->checked++;
                t->failed += !r.run[e].check[c].pass;
            }
        if (t->cases) cJSON_AddItemToArray(t->cases, case_json(name, &r, req.seed));
        else print_case_text(&t->header, name, &r, req.seed);
    }
    return CLI_OK;
}

/* The closing summary, and the exit status: a FAIL, or a suite that
** checked nothing, is 1. */
static int regress_summary(regress_tally *t) {
    if (t->cases) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "cases", t->cases);
        cJSON_AddNumberToObject(doc, "passed", t->checked - t->failed);
        cJSON_AddNumberToObject(doc, "failed", t->failed);
        t->cases = NULL;
        if (cli_json_print(doc) != CLI_OK) return CLI_FAIL;
    } else {
        printf("regress: %d passed, %d failed\n", t->checked - t->failed, t->failed);
    }
    if (t->checked == 0) {
        cli_error("regress: no check was run: none of the %zu case%s run has a "
                  "bounds.json (write them with --update --case NAME)",
                  t->ran, t->ran == 1 ? "" : "s");
        return CLI_FAIL;
    }
    return t->failed ? CLI_FAIL : CLI_OK;
}

/* The suite's cases against the options: an exit status, after saying why. */
static int regress_check(const regress_args *o, const lab_suite *su, int single) {
    if (su->n == 0) {
        cli_error("%s: no case here: no subfolder holds a scenario.json (the suite "
                  "would test nothing)", o->dir);
        return CLI_BADINPUT;
    }
    if (!single && check_named(o->dir, su, o->named, o->nnamed)) return CLI_BADINPUT;
    if (o->update && !o->nnamed && !single)
        return cli_usage("regress", "--update rewrites the bounds of the cases named with "
                                    "--case NAME (none named)");
    return CLI_OK;
}

int cmd_regress(int argc, char **argv) {
    regress_args o;
    int rc = regress_parse(argc, argv, &o);
    if (rc != CLI_OK) return rc;
    char err[1024];
    lab_suite su;
    int single = is_single(o.dir);
    if ((rc = lab_suite_load(o.dir, &su, err, sizeof err)) != CLI_OK) {
        cli_error("%s", err);
        return rc;
    }
    rc = regress_check(&o, &su, single);
    st_db *db = NULL;
    if (rc == CLI_OK && st_open(o.db_path, &db, err, sizeof err)) {
        cli_error("%s", err);
        rc = CLI_FAIL;
    }
    regress_tally t = {0, 0, 0, 0, o.json && rc == CLI_OK ? cJSON_CreateArray() : NULL};
    for (size_t i = 0; i < su.n && rc == CLI_OK; i++)
        if (single || is_named(su.name[i], o.named, o.nnamed))
            rc = regress_one(&o, db, su.name[i], su.path[i], &t);
    st_close(db);
    lab_suite_free(&su);
    if (rc == CLI_OK) return regress_summary(&t);
    cJSON_Delete(t.cases);
    return rc;
}
