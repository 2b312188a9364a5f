/*
** cmd_tune.c: `spotbench tune`: the cheapest parameters of a policy (and
** scenario fields such as asg.DefaultCooldown) meeting a coverage floor on
** every case, by the pattern search of lab/tune.c over a grid of ranges.
** The grid is a sweep in the database whose runs are only those the search
** asks for, so best, plot and merge work on it, and running the same tune
** again resumes it: runs already stored are read back, not run again.
*/
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/lab.h"
#include "lab/tune.h"

const char cmd_tune_usage[] =
    "usage: spotbench tune SCENARIO|DIR --policy NAME --min-coverage PCT\n"
    "           [--budget RUNS] [--range KEY=VALUES]... [--set KEY=VALUE]...\n"
    "           [--restarts N] [--seed N] [-j N] [--db FILE] [--live-config FILE]\n"
    "\n"
    "Finds the cheapest point of a grid of parameter ranges (total cost summed\n"
    "over the cases) whose coverage is at least PCT on every case of SCENARIO or\n"
    "of DIR (each subfolder with a scenario.json), with a pattern search that\n"
    "runs far fewer runs than the grid. The ranges are the policy's defaults\n"
    "(docs/policies.md) unless --range replaces or adds one. The grid is a\n"
    "sweep in the database: 'spotbench best', 'plot' and 'merge' work on it,\n"
    "and the same tune again resumes it. Prints the runs used against the\n"
    "grid's, the result's regret (cost above the oracle's bound) and its\n"
    "settings; exit 1 when no point meets PCT.\n"
    "\n"
    "options:\n"
    "  --policy NAME      the policy to tune (a variant, exec:COMMAND or ./lib.so\n"
    "                     too: give their --range)\n"
    "  --min-coverage PCT the coverage floor, %, on every case\n"
    "  --budget RUNS      stop after this many runs (default: no limit)\n"
    "  --range KEY=VALUES a search axis, as 'sweep --grid' (START:STOP:STEP or\n"
    "                     V1,V2,...): a policy parameter or a scenario field\n"
    "  --set KEY=VALUE    fixed for every run\n"
    "  --restarts N       further seeded starts after the first (default 2)\n"
    "  --seed N           the starts' seed (default 1)\n"
    "  -j N               worker processes (default: the number of cores)\n"
    "  --db FILE          the database (default results/spotbench.db)\n"
    "  --live-config FILE also write the result's live configuration\n"
    "  --json             one JSON object instead of the text: the search, the\n"
    "                     result (null when none meets the floor) with its\n"
    "                     settings, and the hand-over commands; a failure prints\n"
    "                     {\"error\", \"exit_status\"}\n"
    "  --seeds N          run every point at seeds 1 to N (also A-B, or S1,S2,...;\n"
    "                     default 10): a point meets the floor only at every seed\n"
    "                     and is ranked by its mean cost\n"
    "\n"
    "example:\n"
    "  spotbench tune traces/scenarios/seed-week/scenario.json --policy guarded \\\n"
    "      --min-coverage 99.9 --seeds 5 --budget 300 -j 2\n";

#define MAX_ARGS 32
/* tune's seeds when --seeds is not given. */
#define DEFAULT_SEEDS 10

static const cli_opt tune_opts[] = {
    {"--policy", "NAME"}, {"--min-coverage", "PCT"}, {"--budget", "RUNS"},
    {"--restarts", "N"},  {"--seed", "S"},           {"--range", "KEY=LO:HI"},
    {"--set", "KEY=VALUE"}, {"--db", "FILE"},        {"--live-config", "FILE"},
    {"-j", "N"},          {"--seeds", "N|A-B|LIST"}, {"--json", NULL},
    {NULL, NULL}};
const cli_opt *const cmd_tune_opts[] = {tune_opts, NULL};

/* The options of `tune`. */
typedef struct {
    const char *path, *policy, *db_path, *live;
    const char *ranges[MAX_ARGS], *sets[MAX_ARGS];
    size_t nranges, nsets;
    double min_cov;
    unsigned long long budget, restarts, seed;
    long workers;
    int json;
    const pol_policy *pol;
    uint64_t seeds[LAB_MAX_SEEDS];
    size_t nseeds;
    int seeds_given;
} tune_args;

/* What the search found, and the settings of its point. */
typedef struct {
    lab_suite su;
    lab_sweep_spec spec;
    lab_tune_out out;
    int named;                  /* kv holds the point's settings */
    const char *kv[2 * MAX_ARGS];
    char buf[4096];
} tune_result;

/* --budget, --restarts or --seed: a whole number (a positive budget, at
** most 100 restarts). Returns 0, or an exit status after saying why. */
static int tune_count(const char *o, const char *v, tune_args *t) {
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    if (*end || !*v || v[0] == '-' || (o[2] == 'b' && x == 0) || (o[2] == 'r' && x > 100))
        return cli_usage("tune", "%s %s: expected a%s whole number", o, v,
                         o[2] == 'b' ? " positive" : o[2] == 'r' ? " small" : "");
    if (o[2] == 'b') t->budget = x;
    else if (o[2] == 'r') t->restarts = x;
    else t->seed = x;
    return 0;
}

/* One option. Returns 0, or an exit status after saying why. */
static int tune_option(const cli_args *a, tune_args *t) {
    const char *v = a->val;
    if (cli_is(a, "--policy")) {
        t->policy = v;
    } else if (cli_is(a, "--min-coverage")) {
        if (cli_coverage("tune", v, &t->min_cov)) return CLI_BADINPUT;
    } else if (cli_is(a, "--budget") || cli_is(a, "--restarts") || cli_is(a, "--seed")) {
        return tune_count(a->opt, v, t);
    } else if (cli_is(a, "--range")) {
        if (t->nranges == MAX_ARGS) return cli_usage("tune", "too many --range");
        t->ranges[t->nranges++] = v;
    } else if (cli_is(a, "--set")) {
        if (t->nsets == MAX_ARGS) return cli_usage("tune", "too many --set");
        if (!cli_is_kv(v)) return cli_usage("tune", "--set %s: expected KEY=VALUE", v);
        t->sets[t->nsets++] = v;
    } else if (cli_is(a, "--db")) {
        t->db_path = v;
    } else if (cli_is(a, "--live-config")) {
        t->live = v;
    } else if (cli_is(a, "-j")) {
        if (cli_jobs(v, &t->workers))
            return cli_usage("tune", "-j %s: expected 1 to 1024", v);
    } else if (cli_is(a, "--json")) {
        t->json = 1;
    } else if (cli_is(a, "--seeds")) {
        char e[200];
        if (lab_seeds_parse(v, t->seeds, &t->nseeds, e, sizeof e))
            return cli_usage("tune", "%s", e);
        t->seeds_given = 1;
    }
    return 0;
}

/* Reads the arguments into *t, the policy included. Returns an exit
** status, after saying why. */
static int tune_parse(int argc, char **argv, tune_args *t) {
    memset(t, 0, sizeof *t);
    t->db_path = "results/spotbench.db";
    t->min_cov = NAN;
    t->restarts = 2;
    t->seed = 1;
    t->workers = sysconf(_SC_NPROCESSORS_ONLN);
    cli_args a;
    cli_args_init(&a, "tune", NULL, tune_opts, argc, argv);
    for (int k, rc; (k = cli_next(&a)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (t->path) return cli_usage("tune", "more than one SCENARIO or DIR");
            t->path = a.val;
        } else if ((rc = tune_option(&a, t))) {
            return rc;
        }
    }
    if (!t->path) return cli_usage("tune", "a SCENARIO or DIR is required");
    if (!t->policy) return cli_usage("tune", "--policy is required");
    if (isnan(t->min_cov)) return cli_usage("tune", "--min-coverage is required");
    if (t->workers < 1) t->workers = 1;
    /* Enough seeds that a point's cost is not one draw's (docs/sweep.md). */
    for (; !t->seeds_given && t->nseeds < DEFAULT_SEEDS; t->nseeds++)
        t->seeds[t->nseeds] = t->nseeds + 1;
    /* Closed by cmd_tune (a variant is allocated; an external policy's
    ** child reads the end of its input). */
    int orc = cli_policies_open("tune", &t->policy, 1, 1, &t->pol);
    if (orc != CLI_OK) return orc;
    if (t->pol->simulation_only) {
        cli_error("--policy %s: the oracle is a bound, it has nothing to tune", t->policy);
        cli_policies_close(&t->pol, 1);
        return CLI_BADINPUT;
    }
    return CLI_OK;
}

/* Runs the search over the cases as a sweep (resumed when stored) and
** names the point it found. Returns an exit status, after saying why;
** either way the caller frees r (tune_result_free). */
static int tune_search(const tune_args *t, tune_result *r) {
    char err[1024];
    memset(r, 0, sizeof *r);
    int rc = cli_suite_load(t->path, &r->su);
    if (rc) return rc;
    if ((rc = cli_suite_model_only(&r->su, &t->pol, 1, t->sets, t->nsets))) return rc;
    rc = lab_tune_spec(t->pol, (const char *const *)r->su.path, r->su.n, t->sets, t->nsets,
                       t->ranges, t->nranges, t->seed, t->seeds, t->nseeds, &r->spec, err,
                       sizeof err);
    if (rc == CLI_OK) {
        lab_tune_req req = {t->db_path, (int)t->workers, cli_version(), t->min_cov,
                            (size_t)t->budget, (size_t)t->restarts};
        rc = lab_tune_sweep(&r->spec, t->pol, &req, &r->out, err, sizeof err);
    }
    if (rc != CLI_OK) {
        cli_error("%s", err);
        return rc;
    }
    size_t point = r->out.point;
    r->named = r->spec.ngrid <= sizeof r->kv / sizeof r->kv[0] &&
               lab_sweep_point(&r->spec, point, r->buf, sizeof r->buf, r->kv) == 0;
    return CLI_OK;
}

static void tune_result_free(tune_result *r) {
    lab_sweep_spec_free(&r->spec);
    lab_suite_free(&r->su);
}

/* The printer: the search, then the result, its
** settings and the commands that take it further. The exit status is 1
** when the result is not one to hand over. */
static int print_tune(const tune_args *t, const tune_result *r) {
    const lab_tune_out *o = &r->out;
    const lab_tune_result *res = &o->res;
    size_t n = r->su.n, ns = o->nseeds, np = lab_sweep_npoints(&r->spec) / ns;
    char seeds[64] = "";
    if (ns > 1) snprintf(seeds, sizeof seeds, " x %zu seeds", ns);
    printf("tune %s on %s (%zu case%s%s), coverage >= %g %% on every case%s: sweep %lld%s\n",
           t->pol->name, t->path, n, n == 1 ? "" : "s", seeds, t->min_cov,
           ns > 1 ? " at every seed" : "", (long long)o->sweep_id,
           o->resumed ? " (resumed)" : "");
    printf("search:  %zu of the grid's %zu runs (%.1f %%; %zu points x %zu cases%s), %zu "
           "simulated now, %zu points tried, %zu on every case%s\n",
           res->runs, o->nruns, 100.0 * (double)res->runs / (double)o->nruns, np, n, seeds,
           o->simulated, res->points, res->complete,
           res->converged ? ", converged" : t->budget ? ", stopped by the budget" : "");
    if (res->complete == 0) {
        printf("result:  none: the budget allowed no point on every case\n");
        return CLI_FAIL;
    }
    if (!r->named) {
        cli_error("point %zu: cannot name its settings", res->point);
        return CLI_FAIL;
    }
    if (!res->feasible) {
        printf("result:  no point found meets %g %%: the best reaches %.3f %% (point %zu, "
               "$%.2f)\n",
               t->min_cov, res->min_cov, o->point, res->cost / (double)ns);
        return CLI_FAIL;
    }
    printf("result:  point %zu: total $%.2f%s, lowest coverage %.3f %%%s, regret %+.2f "
           "(%+.1f %% above the oracle's bound%s)\n",
           o->point, res->cost / (double)ns, ns > 1 ? " (mean over the seeds)" : "",
           floor(res->min_cov * 1000) / 1000, ns > 1 ? " (of every seed)" : "", o->regret,
           o->oracle > 0 ? 100 * o->regret / o->oracle : 0.0,
           o->na ? ", over the cases where defined" : "");
    printf("         of which its own %+.2f (above the reactive bound%s): what not knowing "
           "the future costs is the rest\n",
           o->own, o->own_na ? ", over the cases where defined" : "");
    printf("settings:");
    /* The seed axis, last, is not a setting. */
    for (size_t k = 0; k < r->spec.ngrid - (ns > 1 || lab_sweep_nseeds(&r->spec) > 1); k++)
        printf(" --set %s", r->kv[k]);
    if (t->pol->native) {
        /* Nothing runs live: the settings are the group's or the cluster's. */
        printf("\nhand-over: a native strategy, no controller: set these in the %s "
               "(docs/native.md)\n",
               t->pol->native == POL_NATIVE_MIXED
                   ? "group's MixedInstancesPolicy.InstancesDistribution"
                   : "service's capacity-provider strategy and managed scaling");
        return CLI_OK;
    }
    printf("\nhand-over: spotbench best --sweep %lld --min-coverage %g --db %s "
           "--live-config live.json\n",
           (long long)o->sweep_id, t->min_cov, t->db_path);
    /* Over a suite, no case is the user's fleet: the stack is built from
    ** the scenario given, so the line asks for it rather than naming the
    ** first case. */
    int suite = r->spec.nscenarios > 1;
    printf("           spotbench deploy cloudformation %s --sweep %lld --point %zu --db %s "
           "-o stack.json",
           suite ? "YOUR-FLEET.json" : r->spec.scenarios[0], (long long)o->sweep_id, o->point,
           t->db_path);
    if (suite)
        printf("  # YOUR-FLEET.json: the scenario of the fleet you deploy (the tune ran over "
               "%zu cases, none of which is it)", r->spec.nscenarios);
    putchar('\n');
    return CLI_OK;
}

/* The same as one JSON object (--json); the same exit status. */
static int json_tune(const tune_args *t, const tune_result *r) {
    const lab_tune_out *o = &r->out;
    const lab_tune_result *res = &o->res;
    size_t ns = o->nseeds;
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "policy", cli_json_str(t->pol->name));
    cJSON_AddItemToObject(doc, "path", cli_json_str(t->path));
    cJSON_AddNumberToObject(doc, "cases", (double)r->su.n);
    cJSON_AddNumberToObject(doc, "seeds", (double)ns);
    cJSON_AddNumberToObject(doc, "min_coverage_pct", t->min_cov);
    cJSON_AddNumberToObject(doc, "sweep_id", (double)o->sweep_id);
    cJSON_AddBoolToObject(doc, "resumed", o->resumed);
    cJSON *se = cJSON_AddObjectToObject(doc, "search");
    cJSON_AddNumberToObject(se, "runs", (double)res->runs);
    cJSON_AddNumberToObject(se, "grid_runs", (double)o->nruns);
    cJSON_AddNumberToObject(se, "simulated_now", (double)o->simulated);
    cJSON_AddNumberToObject(se, "points_tried", (double)res->points);
    cJSON_AddNumberToObject(se, "points_on_every_case", (double)res->complete);
    cJSON_AddBoolToObject(se, "converged", res->converged);
    int rc = CLI_OK;
    if (res->complete == 0 || !r->named || !res->feasible) {
        cJSON_AddNullToObject(doc, "result");
        cJSON_AddItemToObject(doc, "why",
                              cli_json_str(res->complete == 0 ? "the budget allowed no point "
                                                                "on every case"
                                           : !r->named ? "cannot name the point's settings"
                                                       : "no point found meets the floor"));
        if (res->complete && r->named) {
            cJSON_AddNumberToObject(doc, "best_lowest_coverage_pct", res->min_cov);
            cJSON_AddNumberToObject(doc, "best_point", (double)o->point);
        }
        rc = CLI_FAIL;
    } else {
        cJSON *x = cJSON_AddObjectToObject(doc, "result");
        cJSON_AddNumberToObject(x, "point", (double)o->point);
        cJSON_AddNumberToObject(x, "total_cost", res->cost / (double)ns);
        cJSON_AddNumberToObject(x, "lowest_coverage_pct", res->min_cov);
        cJSON_AddNumberToObject(x, "regret", o->regret);
        cJSON_AddNumberToObject(x, "regret_pct", o->oracle > 0 ? 100 * o->regret / o->oracle : 0);
        cJSON_AddNumberToObject(x, "regret_na_cases", o->na);
        cJSON_AddNumberToObject(x, "own_regret", o->own);
        cJSON_AddNumberToObject(x, "own_regret_na_cases", o->own_na);
        cJSON *st = cJSON_AddObjectToObject(x, "settings");
        for (size_t k = 0; k < r->spec.ngrid - (ns > 1 || lab_sweep_nseeds(&r->spec) > 1); k++) {
            const char *eq = strchr(r->kv[k], '=');
            if (!eq) continue;
            char key[128];
            snprintf(key, sizeof key, "%.*s", (int)(eq - r->kv[k]), r->kv[k]);
            char *end;
            double v = strtod(eq + 1, &end);
            cJSON_AddItemToObject(st, key, *end == '\0' && end != eq + 1 ? cJSON_CreateNumber(v)
                                                                      : cli_json_str(eq + 1));
        }
        if (!t->pol->native) {
            char cmd[1200];
            cJSON *h = cJSON_AddArrayToObject(doc, "hand_over");
            snprintf(cmd, sizeof cmd, "spotbench best --sweep %lld --min-coverage %g --db %s "
                     "--live-config live.json", (long long)o->sweep_id, t->min_cov,
                     t->db_path);
            cJSON_AddItemToArray(h, cli_json_str(cmd));
            snprintf(cmd, sizeof cmd, "spotbench deploy cloudformation %s --sweep %lld "
                     "--point %zu --db %s -o stack.json",
                     r->spec.nscenarios > 1 ? "YOUR-FLEET.json" : r->spec.scenarios[0],
                     (long long)o->sweep_id, o->point, t->db_path);
            cJSON_AddItemToArray(h, cli_json_str(cmd));
        }
    }
    int prc = cli_json_print(doc);
    return rc != CLI_OK ? rc : prc;
}

int cmd_tune(int argc, char **argv) {
    tune_args t;
    tune_result r;
    int rc = tune_parse(argc, argv, &t);
    if (rc != CLI_OK) {
        if (cli_argv_json(argc, argv)) cli_json_error(rc, "bad arguments (the message is on "
                                                          "stderr)");
        return rc;
    }
    /* A refused --live-config is bad input, said before any run. */
    if (t.live && cli_out_check(t.live)) {
        cli_policies_close(&t.pol, 1);
        return t.json ? cli_json_error(CLI_BADINPUT, "--live-config: the path is refused (the "
                                                     "message is on stderr)")
                      : CLI_BADINPUT;
    }
    rc = tune_search(&t, &r);
    if (rc != CLI_OK && t.json) cli_json_error(rc, "the search failed (the message is on stderr)");
    else if (rc == CLI_OK) rc = t.json ? json_tune(&t, &r) : print_tune(&t, &r);
    if (r.out.res.complete) /* what the chosen point's runs must be read with */
        cli_print_sweep_notes(t.db_path, r.out.sweep_id, r.out.point,
                              (const char *const *)r.su.name);
    if (rc == CLI_OK && t.live) {
        cli_live_ids ids = {NULL, NULL, NULL, 0};
        rc = cli_point_live_config(t.live, &r.spec, r.out.point, &ids);
        if (rc == CLI_OK && !t.json) printf("live config: %s\n", t.live);
    }
    tune_result_free(&r);
    cli_policies_close(&t.pol, 1);
    return rc;
}
