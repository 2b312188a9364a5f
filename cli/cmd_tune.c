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
    "  --policy NAME      the policy to tune\n"
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
    "\n"
    "example:\n"
    "  spotbench tune traces/scenarios/seed-week/scenario.json --policy guarded \\\n"
    "      --min-coverage 99.9 --budget 40 -j 2\n";

#define MAX_ARGS 32

static const cli_opt tune_opts[] = {
    {"--policy", "NAME"}, {"--min-coverage", "PCT"}, {"--budget", "RUNS"},
    {"--restarts", "N"},  {"--seed", "S"},           {"--range", "KEY=LO:HI"},
    {"--set", "KEY=VALUE"}, {"--db", "FILE"},        {"--live-config", "FILE"},
    {"-j", "N"},          {NULL, NULL}};
const cli_opt *const cmd_tune_opts[] = {tune_opts, NULL};

int cmd_tune(int argc, char **argv) {
    const char *path = NULL, *policy = NULL, *db_path = "results/spotbench.db";
    const char *live = NULL, *ranges[MAX_ARGS], *sets[MAX_ARGS];
    size_t nranges = 0, nsets = 0;
    double min_cov = NAN;
    unsigned long long budget = 0, restarts = 2, seed = 1;
    long workers = sysconf(_SC_NPROCESSORS_ONLN);
    cli_args a;
    cli_args_init(&a, "tune", NULL, tune_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        const char *v = a.val;
        char *end;
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (path) return cli_usage("tune", "more than one SCENARIO or DIR");
            path = v;
        } else if (cli_is(&a, "--policy")) {
            policy = v;
        } else if (cli_is(&a, "--min-coverage")) {
            min_cov = strtod(v, &end);
            if (*end || !*v || !(min_cov >= 0 && min_cov <= 100))
                return cli_usage("tune", "--min-coverage %s: expected 0 to 100", v);
        } else if (cli_is(&a, "--budget") || cli_is(&a, "--restarts") || cli_is(&a, "--seed")) {
            const char *o = a.opt;
            unsigned long long x = strtoull(v, &end, 10);
            if (*end || !*v || v[0] == '-' || (o[2] == 'b' && x == 0) ||
                (o[2] == 'r' && x > 100))
                return cli_usage("tune", "%s %s: expected a%s whole number", o, v,
                                 o[2] == 'b' ? " positive" : o[2] == 'r' ? " small" : "");
            if (o[2] == 'b') budget = x;
            else if (o[2] == 'r') restarts = x;
            else seed = x;
        } else if (cli_is(&a, "--range")) {
            if (nranges == MAX_ARGS) return cli_usage("tune", "too many --range");
            ranges[nranges++] = v;
        } else if (cli_is(&a, "--set")) {
            if (nsets == MAX_ARGS) return cli_usage("tune", "too many --set");
            if (!cli_is_kv(v)) return cli_usage("tune", "--set %s: expected KEY=VALUE", v);
            sets[nsets++] = v;
        } else if (cli_is(&a, "--db")) {
            db_path = v;
        } else if (cli_is(&a, "--live-config")) {
            live = v;
        } else if (cli_is(&a, "-j")) {
            if (cli_jobs(v, &workers))
                return cli_usage("tune", "-j %s: expected 1 to 1024", v);
        }
    }
    if (!path) return cli_usage("tune", "a SCENARIO or DIR is required");
    if (!policy) return cli_usage("tune", "--policy is required");
    if (isnan(min_cov)) return cli_usage("tune", "--min-coverage is required");
    if (workers < 1) workers = 1;
    const pol_policy *pol = pol_find(policy);
    if (!pol) return cli_unknown_policy(policy);
    if (pol->simulation_only) {
        cli_error("--policy %s: the oracle is a bound, it has nothing to tune", policy);
        return CLI_BADINPUT;
    }

    lab_suite su;
    int rc = cli_suite_load(path, &su);
    if (rc) return rc;
    lab_sweep_spec spec;
    char err[1024];
    lab_tune_out o;
    rc = lab_tune_spec(pol, (const char *const *)su.path, su.n, sets, nsets, ranges, nranges,
                       seed, &spec, err, sizeof err);
    if (rc == CLI_OK) {
        lab_tune_req req = {db_path, (int)workers, cli_version(), min_cov, (size_t)budget,
                            (size_t)restarts};
        rc = lab_tune_sweep(&spec, pol, &req, &o, err, sizeof err);
    }
    if (rc != CLI_OK) goto fail;
    const lab_tune_result res = o.res;
    size_t np = lab_sweep_npoints(&spec);
    printf("tune %s on %s (%zu case%s), coverage >= %g %% on every case: sweep %lld%s\n",
           pol->name, path, su.n, su.n == 1 ? "" : "s", min_cov, (long long)o.sweep_id,
           o.resumed ? " (resumed)" : "");
    printf("search:  %zu of the grid's %zu runs (%.1f %%; %zu points x %zu cases), %zu "
           "simulated now, %zu points tried, %zu on every case%s\n",
           res.runs, o.nruns, 100.0 * (double)res.runs / (double)o.nruns, np, su.n,
           o.simulated, res.points, res.complete,
           res.converged ? ", converged" : budget ? ", stopped by the budget" : "");
    if (res.complete == 0) {
        printf("result:  none: the budget allowed no point on every case\n");
        rc = CLI_FAIL;
        goto out;
    }
    char buf[4096];
    const char *kv[2 * MAX_ARGS];
    if (lab_sweep_point(&spec, res.point, buf, sizeof buf, kv)) {
        snprintf(err, sizeof err, "point %zu: cannot name its settings", res.point);
        goto fail;
    }
    double regret = o.regret, oracle = o.oracle;
    int na = o.na;
    if (!res.feasible) {
        printf("result:  no point found meets %g %%: the best reaches %.3f %% (point %zu, "
               "$%.2f)\n",
               min_cov, res.min_cov, res.point, res.cost);
        rc = CLI_FAIL;
        goto out;
    }
    printf("result:  point %zu: total $%.2f, lowest coverage %.3f %%, regret %+.2f "
           "(%+.1f %% above the oracle's bound%s)\n",
           res.point, res.cost, floor(res.min_cov * 1000) / 1000, regret,
           oracle > 0 ? 100 * regret / oracle : 0.0, na ? ", over the cases where defined" : "");
    printf("settings:");
    for (size_t k = 0; k < spec.ngrid; k++) printf(" --set %s", kv[k]);
    printf("\nhand-over: spotbench best --sweep %lld --min-coverage %g --db %s "
           "--live-config live.json\n",
           (long long)o.sweep_id, min_cov, db_path);
    printf("           spotbench deploy cloudformation %s --sweep %lld --point %zu --db %s -o stack.json\n",
           spec.scenarios[0], (long long)o.sweep_id, res.point, db_path);
    rc = CLI_OK;
    if (live) {
        rc = cli_point_live_config(live, &spec, res.point, NULL, NULL);
        if (rc == CLI_OK) printf("live config: %s\n", live);
    }
    goto out;
fail:
    cli_error("%s", err);
out:
    lab_sweep_spec_free(&spec);
    lab_suite_free(&su);
    return rc;
}
