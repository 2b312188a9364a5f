/*
** cmd_tune.c: `spotbench tune`: the cheapest parameters of a policy (and
** scenario fields such as asg.DefaultCooldown) meeting a coverage floor on
** every case, by the pattern search of sim/tune.c over a grid of ranges.
** The grid is a sweep in the database whose runs are only those the search
** asks for, so best, plot and merge work on it, and running the same tune
** again resumes it: runs already stored are read back, not run again.
*/
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/tune.h"
#include "store/sweep.h"

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

typedef struct {
    const char *db_path;
    int64_t id;
    const sim_sweep_spec *spec;
    int workers;
    unsigned char *done; /* per run of the grid */
    size_t nruns;
    size_t simulated;
} tune_ctx;

static int cmp_row(const void *a, const void *b) {
    const st_sweep_row *x = a, *y = b;
    if (x->point != y->point) return x->point < y->point ? -1 : 1;
    return (x->scenario > y->scenario) - (x->scenario < y->scenario);
}

static const st_sweep_row *row_of(const st_sweep_row *rows, size_t n, size_t point,
                                  size_t scen) {
    st_sweep_row key;
    key.point = point;
    key.scenario = scen;
    return bsearch(&key, rows, n, sizeof *rows, cmp_row);
}

/* The evaluator: runs what the sweep lacks, then reads every asked run. */
static int eval(void *vctx, const size_t *runs, size_t n, double *cost, double *cov,
                char *err, size_t errlen) {
    tune_ctx *c = vctx;
    size_t *todo = malloc((n + 1) * sizeof *todo), m = 0;
    st_db *db = NULL;
    st_sweep_row *rows = NULL;
    size_t nrows = 0;
    int rc = -1;
    if (!todo) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!c->done[runs[i]]) todo[m++] = runs[i];
    if (st_sweep_exec(c->db_path, c->id, c->spec, todo, m, c->workers, cli_version(), NULL,
                      NULL, err, errlen))
        goto out;
    c->simulated += m;
    for (size_t i = 0; i < m; i++) c->done[todo[i]] = 1;
    if (st_open(c->db_path, &db, err, errlen) ||
        st_sweep_rows(db, c->id, &rows, &nrows, err, errlen))
        goto out;
    qsort(rows, nrows, sizeof *rows, cmp_row);
    size_t ns = c->spec->nscenarios;
    for (size_t i = 0; i < n; i++) {
        const st_sweep_row *r = row_of(rows, nrows, runs[i] / ns, runs[i] % ns);
        if (!r) {
            snprintf(err, errlen, "sweep %lld: run %zu of point %zu is not stored",
                     (long long)c->id, runs[i] % ns, runs[i] / ns);
            goto out;
        }
        cost[i] = r->cost;
        cov[i] = r->coverage;
    }
    rc = 0;
out:
    st_close(db);
    free(rows);
    free(todo);
    return rc;
}

/* The axis index nearest to the policy's default for a parameter, the middle
** for a scenario field (its value differs between cases). */
static size_t start_index(const pol_policy *pol, const sim_sweep_axis *ax) {
    int k = pol_param_index(pol, ax->key);
    if (k < 0) return ax->nvalues / 2;
    double def = pol->params[k].def, best = INFINITY;
    size_t bi = 0;
    for (size_t i = 0; i < ax->nvalues; i++) {
        double d = fabs(strtod(ax->values[i], NULL) - def);
        if (d < best) {
            best = d;
            bi = i;
        }
    }
    return bi;
}

/* The regret of point p: its cost above the oracle's bound summed over the
** cases where it is defined; *na counts the others. */
static int point_regret(const tune_ctx *c, size_t p, double *regret, double *oracle,
                        int *na, char *err, size_t errlen) {
    st_db *db = NULL;
    st_sweep_row *rows = NULL;
    size_t nrows = 0;
    int rc = -1;
    *regret = *oracle = 0;
    *na = 0;
    if (st_open(c->db_path, &db, err, errlen) ||
        st_sweep_rows(db, c->id, &rows, &nrows, err, errlen))
        goto out;
    for (size_t i = 0; i < nrows; i++) {
        if (rows[i].point != p) continue;
        sim_result r;
        if (st_summary_get(db, rows[i].run_id, &r, err, errlen)) goto out;
        if (r.total_cost >= r.oracle_cost - 0.005) {
            *regret += r.total_cost > r.oracle_cost ? r.total_cost - r.oracle_cost : 0;
            *oracle += r.oracle_cost;
        } else {
            (*na)++;
        }
    }
    rc = 0;
out:
    st_close(db);
    free(rows);
    return rc;
}

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

    /* The axes: the defaults, each replaced by a --range of the same key,
    ** then the other --range keys. */
    const char *axes[2 * MAX_ARGS];
    size_t naxes = 0;
    const char *const *def = sim_tune_ranges(pol->name);
    for (size_t i = 0; def && def[i]; i++) {
        size_t kl = strcspn(def[i], "=");
        int replaced = 0;
        for (size_t j = 0; j < nranges; j++)
            replaced |= strncmp(ranges[j], def[i], kl) == 0 && ranges[j][kl] == '=';
        if (!replaced) axes[naxes++] = def[i];
    }
    for (size_t j = 0; j < nranges; j++) axes[naxes++] = ranges[j];
    if (naxes == 0) {
        cli_error("--policy %s has no search ranges: give them with --range KEY=VALUES",
                  policy);
        return CLI_BADINPUT;
    }

    cli_suite su;
    int rc = cli_suite_load(path, &su);
    if (rc) return rc;
    sim_sweep_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.seed = seed;
    char err[1024];
    const char *mine[MAX_ARGS];
    size_t dim[2 * MAX_ARGS], start[2 * MAX_ARGS];
    tune_ctx c;
    memset(&c, 0, sizeof c);
    st_db *db = NULL;
    int nmine = cli_sets_for(pol, sets, nsets, mine);
    rc = CLI_BADINPUT;
    if (!(spec.policy = strdup(pol->name))) goto oom;
    for (size_t i = 0; i < su.n; i++)
        if (sim_sweep_add_str(&spec.scenarios, &spec.nscenarios, su.path[i], err, sizeof err))
            goto fail;
    for (int i = 0; i < nmine; i++)
        if (sim_sweep_add_str(&spec.sets, &spec.nsets, mine[i], err, sizeof err)) goto fail;
    for (size_t i = 0; i < naxes; i++)
        if (sim_sweep_add_grid(&spec, axes[i], err, sizeof err)) goto fail;
    for (size_t k = 0; k < spec.ngrid; k++) {
        dim[k] = spec.grid[k].nvalues;
        start[k] = start_index(pol, &spec.grid[k]);
    }
    size_t np = sim_sweep_npoints(&spec);
    if (np == 0 || np > ((size_t)1 << 26) / su.n) {
        snprintf(err, sizeof err, "the ranges give %zu points: at most %zu over %zu cases", np,
                 ((size_t)1 << 26) / su.n, su.n);
        goto fail;
    }
    if (st_sweep_check(&spec, err, sizeof err)) goto fail;

    /* Resume the sweep of the same spec, or create it. */
    rc = CLI_FAIL;
    c.db_path = db_path;
    c.spec = &spec;
    c.workers = (int)workers;
    c.nruns = np * su.n;
    if (!(c.done = calloc(c.nruns, 1))) goto oom;
    if (st_open(db_path, &db, err, sizeof err) || st_sweep_find(db, &spec, &c.id, err, sizeof err))
        goto fail;
    int resumed = c.id != 0;
    if (!resumed && st_sweep_create(db, &spec, cli_version(), &c.id, err, sizeof err)) goto fail;
    if (resumed && st_sweep_done(db, c.id, c.done, c.nruns, err, sizeof err)) goto fail;
    st_close(db); /* no connection may cross the workers' fork() */
    db = NULL;

    sim_tune_cfg cfg = {spec.ngrid, dim, start, su.n, min_cov, (size_t)budget,
                        (size_t)restarts, seed};
    sim_tune_result res;
    if (sim_tune_run(&cfg, eval, &c, &res, err, sizeof err)) goto fail;

    printf("tune %s on %s (%zu case%s), coverage >= %g %% on every case: sweep %lld%s\n",
           pol->name, path, su.n, su.n == 1 ? "" : "s", min_cov, (long long)c.id,
           resumed ? " (resumed)" : "");
    printf("search:  %zu of the grid's %zu runs (%.1f %%; %zu points x %zu cases), %zu "
           "simulated now, %zu points tried, %zu on every case%s\n",
           res.runs, c.nruns, 100.0 * (double)res.runs / (double)c.nruns, np, su.n,
           c.simulated, res.points, res.complete,
           res.converged ? ", converged" : budget ? ", stopped by the budget" : "");
    if (res.complete == 0) {
        printf("result:  none: the budget allowed no point on every case\n");
        rc = CLI_FAIL;
        goto out;
    }
    char buf[4096];
    const char *kv[2 * MAX_ARGS];
    if (sim_sweep_point(&spec, res.point, buf, sizeof buf, kv)) {
        snprintf(err, sizeof err, "point %zu: cannot name its settings", res.point);
        goto fail;
    }
    double regret, oracle;
    int na;
    if (point_regret(&c, res.point, &regret, &oracle, &na, err, sizeof err)) goto fail;
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
           (long long)c.id, min_cov, db_path);
    printf("           spotbench deploy cloudformation %s --sweep %lld --point %zu --db %s -o stack.json\n",
           spec.scenarios[0], (long long)c.id, res.point, db_path);
    rc = CLI_OK;
    if (live) {
        rc = cli_point_live_config(live, &spec, res.point, NULL, NULL);
        if (rc == CLI_OK) printf("live config: %s\n", live);
    }
    goto out;
oom:
    snprintf(err, sizeof err, "out of memory");
    rc = CLI_FAIL;
fail:
    cli_error("%s", err);
out:
    st_close(db);
    free(c.done);
    sim_sweep_spec_free(&spec);
    cli_suite_free(&su);
    return rc;
}
