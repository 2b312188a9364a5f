/*
** cmd_regress.c: `spotbench regress`: runs each outage case of a scenario
** library with the runs its bounds.json names (a policy, maybe with its own
** parameters and scenario overrides), checks the bounds, prints a table (or
** JSON), stores the runs and fails on any miss, and on a suite that checked
** nothing: a CI gate that tests nothing must not pass.
*/
#include "cli.h"

#include "lab/lab.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lab/regress.h"
#include "traces/text.h"

const char cmd_regress_usage[] =
    "usage: spotbench regress [DIR] [--case NAME]... [--policy NAME]...\n"
    "                         [--set KEY=VALUE]...\n"
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
    {"--json", NULL},   {"--db", "FILE"},       {NULL, NULL}};
const cli_opt *const cmd_regress_opts[] = {regress_opts, NULL};

#define MAX_SETS 64

typedef struct {
    const char *dir;
    const char *sets[MAX_SETS];      /* --set */
    size_t nsets;
    const pol_policy *only[MAX_SETS]; /* --policy: only these entries */
    size_t nonly;
    lab_sets split;                  /* the case's --set under lab.h's rule */
    int update, json;
    int header;      /* the table's header is printed */
    st_db *db;
    int failed, checked;
    cJSON *out; /* --json: the cases array */
} regress_ctx;

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_scenario(const char *folder) {
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/scenario.json", folder);
    return stat(path, &st) == 0;
}

/* The case folders of dir that hold a scenario.json, sorted; NULL when dir
** cannot be read. */
static char **list_cases(const char *dir, size_t *n) {
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **v = calloc(1, sizeof *v);
    size_t cap = 1;
    *n = 0;
    struct dirent *e;
    while (v && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path) continue;
        if (!has_scenario(path)) continue;
        if (*n + 1 >= cap) {
            char **p = realloc(v, 2 * cap * sizeof *p);
            if (!p) break;
            v = p;
            cap *= 2;
        }
        if ((v[*n] = strdup(e->d_name))) (*n)++;
    }
    closedir(d);
    if (v) qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

/* The table's header, before its first line: an error before any line
** leaves stdout empty. */
static void header(regress_ctx *x) {
    if (x->header++) return;
    printf("%-30s %-12s %-26s %12s %12s  %s\n", "case", "run", "figure", "value", "bound",
           "result");
}

/* One entry's run: its parameters (scenario's, the entry's, then --set)
** and scenario overrides (the entry's, then --set). */
static int run_entry(regress_ctx *x, const char *name, const char *spath,
                     lab_policy_bounds *pb, cJSON *jruns) {
    char err[512];
    const lab_sets *ls = &x->split;
    const char *sets[LAB_BOUNDS_SETS + POL_MAX_PARAMS + 2 * MAX_SETS];
    size_t nss = 0, nall;
    for (size_t i = 0; i < pb->nsets; i++) sets[nss++] = pb->sets[i];
    for (size_t i = 0; i < ls->nfield; i++) sets[nss++] = ls->field[i];
    sim_scenario sc;
    if (sim_scenario_load(spath, sets, nss, &sc, err, sizeof err)) {
        cli_error("%s (run %s of case %s)", err, pb->label, name);
        return CLI_BADINPUT;
    }
    pol_params params;
    sim_scenario_params(&sc, pb->pol, &params);
    nall = nss;
    for (size_t i = 0; i < pb->nparams; i++) {
        const char *kv = pb->params[i], *eq = strchr(kv, '=');
        char key[64], msg[200];
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
        if (pol_param_set(pb->pol, &params, key, eq + 1, msg, sizeof msg)) {
            cli_error("%s: %s", kv, msg);
            sim_scenario_free(&sc);
            return CLI_BADINPUT;
        }
        sets[nall++] = kv;
    }
    if (lab_sets_params(pb->pol, ls, &params, err, sizeof err)) {
        cli_error("%s", err);
        sim_scenario_free(&sc);
        return CLI_BADINPUT;
    }
    nall += lab_sets_for(pb->pol, ls->param, ls->nparam, sets + nall);
    sim_result res;
    int64_t run_id;
    int rc = cli_run_one(x->db, &sc, pb->pol, &params, sets, nall, 0, &res, &run_id);
    sim_scenario_free(&sc);
    if (rc != CLI_OK) return rc;
    if (x->update) lab_bounds_update(pb, &res);
    lab_check c[LAB_BOUNDS_CHECKS];
    size_t n = lab_bounds_check(pb, &res, c);
    cJSON *jr = NULL, *jc = NULL;
    if (jruns) {
        jr = cJSON_CreateObject();
        cJSON_AddItemToArray(jruns, jr);
        cJSON_AddStringToObject(jr, "run", pb->label);
        cJSON_AddStringToObject(jr, "policy", pb->pol->name);
        cJSON_AddNumberToObject(jr, "run_id", (double)run_id);
        jc = cJSON_AddArrayToObject(jr, "checks");
    }
    for (size_t i = 0; i < n; i++) {
        x->checked++;
        if (!c[i].pass) x->failed++;
        if (jc) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToArray(jc, o);
            cJSON_AddStringToObject(o, "figure", c[i].name);
            cJSON_AddNumberToObject(o, "value", c[i].value);
            cJSON_AddNumberToObject(o, "bound", c[i].bound);
            cJSON_AddBoolToObject(o, "pass", c[i].pass);
        } else {
            header(x);
            printf("%-30s %-12s %-26s %12.*f %12.*f  %s\n", name, pb->label, c[i].name,
                   c[i].decimals, c[i].value, c[i].decimals, c[i].bound,
                   c[i].pass ? "PASS" : "FAIL");
        }
    }
    return CLI_OK;
}

/* 1 when --policy names pol, or names none. */
static int is_only(const regress_ctx *x, const pol_policy *pol) {
    for (size_t i = 0; i < x->nonly; i++)
        if (x->only[i] == pol) return 1;
    return x->nonly == 0;
}

static int regress_case(regress_ctx *x, const char *name, const char *folder) {
    char spath[4200], bpath[4200], err[512];
    snprintf(spath, sizeof spath, "%s/scenario.json", folder);
    snprintf(bpath, sizeof bpath, "%s/bounds.json", folder);
    lab_bounds b;
    struct stat st;
    cJSON *jcase = NULL, *jruns = NULL;
    if (x->out) {
        jcase = cJSON_CreateObject();
        cJSON_AddItemToArray(x->out, jcase);
        cJSON_AddItemToObject(jcase, "case", cli_json_str(name));
        jruns = cJSON_AddArrayToObject(jcase, "runs");
    }
    if (stat(bpath, &st) != 0) {
        if (!x->update) {
            if (jcase) cJSON_AddStringToObject(jcase, "skipped", "no bounds.json");
            else {
                header(x);
                printf("%-30s (no bounds.json: skipped)\n", name);
            }
            return CLI_OK;
        }
        memset(&b, 0, sizeof b);
        snprintf(b.p[0].label, sizeof b.p[0].label, "classic");
        b.p[0].pol = pol_find("classic");
        snprintf(b.p[1].label, sizeof b.p[1].label, "guarded");
        b.p[1].pol = pol_find("guarded");
        b.npolicies = 2;
    } else if (lab_bounds_load(bpath, &b, err, sizeof err)) {
        cli_error("%s", err);
        return CLI_BADINPUT;
    }
    /* The chosen policies: --policy, or the entries' own. */
    const pol_policy *chosen[LAB_BOUNDS_MAX];
    size_t nchosen = 0;
    for (size_t k = 0; k < b.npolicies; k++)
        if (is_only(x, b.p[k].pol)) chosen[nchosen++] = b.p[k].pol;
    int rc = CLI_OK;
    const pol_policy *const *pols = x->nonly ? x->only : chosen;
    size_t npols = x->nonly ? x->nonly : nchosen;
    if (lab_sets_split(pols, npols, x->sets, x->nsets, &x->split, err, sizeof err)) {
        cli_error("%s", err);
        rc = CLI_BADINPUT;
    }
    /* Every value, for every chosen policy, even one no entry runs. */
    for (size_t k = 0; k < npols && rc == CLI_OK; k++) {
        pol_params d;
        pol_params_default(pols[k], &d);
        if (lab_sets_params(pols[k], &x->split, &d, err, sizeof err)) {
            cli_error("%s", err);
            rc = CLI_BADINPUT;
        }
    }
    /* The fields on the case as it is, once: a bad one is the user's
    ** input, said as every command says it, whichever runs are chosen. */
    sim_scenario sc;
    if (rc == CLI_OK && x->split.nfield) {
        if (sim_scenario_load(spath, x->split.field, x->split.nfield, &sc, err, sizeof err)) {
            cli_error("%s", err);
            rc = CLI_BADINPUT;
        } else {
            sim_scenario_free(&sc);
        }
    }
    for (size_t k = 0; k < b.npolicies && rc == CLI_OK; k++)
        if (is_only(x, b.p[k].pol)) rc = run_entry(x, name, spath, &b.p[k], jruns);
    if (rc == CLI_OK && x->update && lab_bounds_write(bpath, &b, err, sizeof err)) {
        cli_error("%s", err);
        rc = CLI_FAIL;
    }
    lab_bounds_free(&b);
    return rc;
}

/* Checks --case names against the cases; suggests the closest. */
static int check_named(const char *dir, char **cases, size_t n, const char **named,
                       size_t nnamed) {
    for (size_t i = 0; i < nnamed; i++) {
        size_t k = 0;
        while (k < n && strcmp(cases[k], named[i]) != 0) k++;
        if (k < n) continue;
        const char *near = trc_closest(named[i], (const char *const *)cases, n);
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

int cmd_regress(int argc, char **argv) {
    const char *db_path = "results/regress.db";
    const char *named[256];
    size_t nnamed = 0;
    int have_dir = 0;
    regress_ctx x;
    memset(&x, 0, sizeof x);
    x.dir = "traces/scenarios";
    cli_args a;
    cli_args_init(&a, "regress", NULL, regress_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (have_dir++) return cli_usage("regress", "more than one DIR");
            x.dir = a.val;
        } else if (cli_is(&a, "--update")) x.update = 1;
        else if (cli_is(&a, "--json")) x.json = 1;
        else if (cli_is(&a, "--db")) db_path = a.val;
        else if (cli_is(&a, "--case")) {
            if (nnamed == sizeof named / sizeof named[0])
                return cli_usage("regress", "too many --case options");
            named[nnamed++] = a.val;
        } else if (cli_is(&a, "--set")) {
            if (x.nsets == MAX_SETS) return cli_usage("regress", "too many --set options");
            x.sets[x.nsets++] = a.val;
        } else if (cli_is(&a, "--policy")) {
            if (x.nonly == MAX_SETS) return cli_usage("regress", "too many --policy options");
            if (!(x.only[x.nonly++] = pol_find(a.val))) return cli_unknown_policy(a.val);
        }
    }
    /* DIR may be one case's own folder: that case alone, and it counts as
    ** named for --update. */
    char **cases;
    size_t n;
    char parent[4096];
    int single = has_scenario(x.dir);
    if (single) {
        /* The case's name: the folder's last component. */
        snprintf(parent, sizeof parent, "%s", x.dir);
        size_t l = strlen(parent);
        while (l > 1 && parent[l - 1] == '/') parent[--l] = '\0';
        const char *slash = strrchr(parent, '/');
        cases = calloc(2, sizeof *cases);
        if (!cases || !(cases[0] = strdup(slash ? slash + 1 : parent))) {
            free(cases);
            cli_error("out of memory");
            return CLI_FAIL;
        }
        n = 1;
    } else {
        cases = list_cases(x.dir, &n);
        if (!cases) {
            cli_error("%s: cannot read the folder", x.dir);
            return CLI_BADINPUT;
        }
    }
    int rc = CLI_OK;
    if (n == 0) {
        cli_error("%s: no case here: no subfolder holds a scenario.json (the suite "
                  "would test nothing)", x.dir);
        rc = CLI_BADINPUT;
    } else if (!single && check_named(x.dir, cases, n, named, nnamed)) {
        rc = CLI_BADINPUT;
    } else if (x.update && !nnamed && !single) {
        rc = cli_usage("regress", "--update rewrites the bounds of the cases named with "
                                  "--case NAME (none named)");
    }
    char err[512];
    if (rc == CLI_OK && st_open(db_path, &x.db, err, sizeof err)) {
        cli_error("%s", err);
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK && x.json) x.out = cJSON_CreateArray();
    size_t ran = 0;
    for (size_t i = 0; i < n && rc == CLI_OK; i++) {
        if (!single && !is_named(cases[i], named, nnamed)) continue;
        char folder[4096];
        if (single) snprintf(folder, sizeof folder, "%s", parent);
        else snprintf(folder, sizeof folder, "%s/%s", x.dir, cases[i]);
        rc = regress_case(&x, cases[i], folder);
        ran++;
    }
    st_close(x.db);
    for (size_t i = 0; i < n; i++) free(cases[i]);
    free(cases);
    if (rc != CLI_OK) {
        cJSON_Delete(x.out);
        return rc;
    }
    if (x.out) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "cases", x.out);
        cJSON_AddNumberToObject(doc, "passed", x.checked - x.failed);
        cJSON_AddNumberToObject(doc, "failed", x.failed);
        if (cli_json_print(doc) != CLI_OK) return CLI_FAIL;
    } else {
        printf("regress: %d passed, %d failed\n", x.checked - x.failed, x.failed);
    }
    if (x.checked == 0) {
        cli_error("regress: no check was run: none of the %zu case%s run has a "
                  "bounds.json (write them with --update --case NAME)",
                  ran, ran == 1 ? "" : "s");
        return CLI_FAIL;
    }
    return x.failed ? CLI_FAIL : CLI_OK;
}
