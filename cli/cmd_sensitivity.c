/*
** cmd_sensitivity.c: `spotbench sensitivity`: how far a scenario's answer
** moves with what nobody knows exactly, the AWS/EC2Spot metrics' ingestion
** delay and the second at which the controller's schedule fires. For each
** policy it runs one sweep over a grid of delays x schedule seconds (and any
** --grid of the user's), stores it like any sweep (so best, plot and merge
** work on it), and prints each parameter set's cost and coverage range.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/sweep.h"
#include "lab/lab.h"

const char cmd_sensitivity_usage[] =
    "usage: spotbench sensitivity SCENARIO [--policy NAME]... [--set KEY=VALUE]...\n"
    "           [--grid KEY=VALUES]... [--delays LIST] [--offsets LIST]\n"
    "           [-j N] [--db FILE]\n"
    "\n"
    "Runs SCENARIO with each policy (default: every policy that can run live)\n"
    "over every CloudWatch ingestion delay of LIST (cloudwatch.IngestionDelay,\n"
    "seconds) and every schedule second of LIST (controller.Offset, with\n"
    "controller.Jitter 0), stores one sweep per policy, and prints each\n"
    "parameter set's total cost and coverage as min / median / max over them,\n"
    "with the grid point of the worst cost. 'spotbench best --sweep ID\n"
    "--min-coverage X --worst-case cloudwatch.IngestionDelay,controller.Offset'\n"
    "then ranks a sweep's parameter sets by their worst case.\n"
    "\n"
    "options:\n"
    "  --policy NAME     a policy (repeat for several)\n"
    "  --set KEY=VALUE   fixed for every run (a policy parameter or a field)\n"
    "  --grid KEY=VALUES also sweep this key (as 'spotbench sweep --grid')\n"
    "  --delays LIST     ingestion delays in s (default 0,15,30,60,120)\n"
    "  --offsets LIST    schedule seconds (default 0,1,15,30,45,59)\n"
    "  -j N              worker processes (default: the number of cores)\n"
    "  --db FILE         the database (default results/spotbench.db)\n"
    "\n"
    "example:\n"
    "  spotbench sensitivity traces/scenarios/seed-week/scenario.json -j 2\n";

#define MAX_POLICIES 8
#define MAX_ARGS 32

/* The unknowns every sensitivity sweep runs over. */
static const char *const unknowns[] = {"cloudwatch.IngestionDelay", "controller.Offset"};

/* The KEY=VALUE strings of point p without the unknowns, joined. */
static void known_params(const lab_sweep_spec *spec, size_t p, char *out, size_t n) {
    char buf[4096];
    const char *kv[64];
    out[0] = '\0';
    if (spec->ngrid + spec->nrnd > 64 || lab_sweep_point(spec, p, buf, sizeof buf, kv)) return;
    size_t used = 0;
    for (size_t i = 0; i < spec->ngrid + spec->nrnd; i++) {
        int skip = 0;
        for (size_t u = 0; u < 2; u++)
            skip |= strncmp(kv[i], unknowns[u], strlen(unknowns[u])) == 0 &&
                    kv[i][strlen(unknowns[u])] == '=';
        if (skip) continue;
        int k = snprintf(out + used, n - used, "%s%s", used ? " " : "", kv[i]);
        if (k < 0 || (size_t)k >= n - used) break;
        used += (size_t)k;
    }
    if (!used) snprintf(out, n, "(as the scenario)");
}

/* The unknowns' values of point p, "IngestionDelay=60 Offset=1". */
static void unknown_values(const lab_sweep_spec *spec, size_t p, char *out, size_t n) {
    char buf[4096];
    const char *kv[64];
    out[0] = '\0';
    if (spec->ngrid + spec->nrnd > 64 || lab_sweep_point(spec, p, buf, sizeof buf, kv)) return;
    size_t used = 0;
    for (size_t i = 0; i < spec->ngrid; i++)
        for (size_t u = 0; u < 2; u++) {
            size_t kl = strlen(unknowns[u]);
            if (strncmp(kv[i], unknowns[u], kl) != 0 || kv[i][kl] != '=') continue;
            const char *short_name = strchr(unknowns[u], '.') + 1;
            int k = snprintf(out + used, n - used, "%s%s=%s", used ? " " : "", short_name,
                             kv[i] + kl + 1);
            if (k > 0 && (size_t)k < n - used) used += (size_t)k;
        }
}

/* Runs one policy's sweep; prints its ranges. */
static int one_policy(const char *db_path, const char *scenario, const pol_policy *pol,
                      const char *const *sets, size_t nsets, const char *const *grids,
                      size_t ngrids, const char *delays, const char *offsets, long workers,
                      lab_sweep_pset **pts_out, size_t *npts_out) {
    lab_sweep_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.seed = 1;
    char err[1024], axis[600];
    st_sweep_row *rows = NULL;
    lab_sweep_pset *pts = NULL;
    lab_sweep_range *rg = NULL;
    size_t nrows = 0, npts = 0, nrg = 0;
    int rc = CLI_BADINPUT;
    if (!(spec.policy = strdup(pol->name)) ||
        lab_sweep_add_str(&spec.scenarios, &spec.nscenarios, scenario, err, sizeof err) ||
        lab_sweep_add_str(&spec.sets, &spec.nsets, "controller.Jitter=0", err, sizeof err))
        goto bad;
    const char *mine[LAB_MAX_SETS];
    size_t nmine = lab_sets_for(pol, sets, nsets, mine);
    for (size_t i = 0; i < nmine; i++)
        if (lab_sweep_add_str(&spec.sets, &spec.nsets, mine[i], err, sizeof err)) goto bad;
    for (size_t i = 0; i < ngrids; i++)
        if (lab_sweep_add_grid(&spec, grids[i], err, sizeof err)) goto bad;
    snprintf(axis, sizeof axis, "%s=%s", unknowns[0], delays);
    if (lab_sweep_add_grid(&spec, axis, err, sizeof err)) goto bad;
    snprintf(axis, sizeof axis, "%s=%s", unknowns[1], offsets);
    if (lab_sweep_add_grid(&spec, axis, err, sizeof err)) goto bad;

    lab_sweep_req req = {.db_path = db_path, .workers = (int)workers, .kind = "sensitivity",
                         .tool_version = cli_version()};
    rc = lab_sweep_drive(&spec, &req, &rows, &nrows, err, sizeof err);
    if (rc != CLI_OK) goto bad;
    rc = CLI_FAIL;
    int64_t id = req.id;
    if (lab_sweep_aggregate(rows, nrows, &pts, &npts)) {
        snprintf(err, sizeof err, "out of memory");
        goto fail;
    }
    if (lab_sweep_ranges(&spec, pts, npts, unknowns, 2, &rg, &nrg, err, sizeof err)) goto fail;
    for (size_t i = 0; i < nrg; i++) {
        char params[1024], worst[128], c[3][32];
        known_params(&spec, rg[i].group, params, sizeof params);
        unknown_values(&spec, rg[i].worst_cost_point, worst, sizeof worst);
        snprintf(c[0], sizeof c[0], "$%.2f", rg[i].cost_min);
        snprintf(c[1], sizeof c[1], "$%.2f", rg[i].cost_median);
        snprintf(c[2], sizeof c[2], "$%.2f", rg[i].cost_max);
        printf("%-9s %6lld  %10s  %10s  %10s  %8.3f  %8.3f  %8.3f  %-28s  %s\n", pol_label(pol),
               (long long)id, c[0], c[1], c[2], rg[i].cov_min, rg[i].cov_median,
               rg[i].cov_max, worst, params);
    }
    rc = CLI_OK;
    *pts_out = pts; /* the caller's now */
    *npts_out = npts;
    pts = NULL;
    goto out;
bad:
    cli_error("%s", err);
    goto out;
fail:
    cli_error("%s", err);
out:
    free(rows);
    free(pts);
    free(rg);
    lab_sweep_spec_free(&spec);
    return rc;
}

static const cli_opt sensitivity_opts[] = {
    {"--policy", "NAME"}, {"--set", "KEY=VALUE"}, {"--grid", "KEY=VALUES"},
    {"--delays", "S,S,..."}, {"--offsets", "S,S,..."}, {"--db", "FILE"},
    {"-j", "N"},          {NULL, NULL}};
const cli_opt *const cmd_sensitivity_opts[] = {sensitivity_opts, NULL};

static int sensitivity_open(const char *path, const pol_policy *const *list, size_t n,
                            const char *const *sets, size_t nsets, const char *const *grids,
                            size_t ngrids, const char *delays, const char *offsets,
                            const char *db_path, long workers);

int cmd_sensitivity(int argc, char **argv) {
    const char *path = NULL, *db_path = "results/spotbench.db";
    const char *delays = "0,15,30,60,120", *offsets = "0,1,15,30,45,59";
    const char *pols[MAX_POLICIES], *sets[MAX_ARGS], *grids[MAX_ARGS];
    size_t npols = 0, nsets = 0, ngrids = 0;
    long workers = sysconf(_SC_NPROCESSORS_ONLN);
    cli_args a;
    cli_args_init(&a, "sensitivity", NULL, sensitivity_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        const char *v = a.val;
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (path) return cli_usage("sensitivity", "more than one scenario");
            path = v;
        } else if (cli_is(&a, "--policy")) {
            if (npols == MAX_POLICIES) return cli_usage("sensitivity", "too many --policy");
            pols[npols++] = v;
        } else if (cli_is(&a, "--set")) {
            if (nsets == MAX_ARGS) return cli_usage("sensitivity", "too many --set");
            if (!cli_is_kv(v)) return cli_usage("sensitivity", "--set %s: expected KEY=VALUE", v);
            sets[nsets++] = v;
        } else if (cli_is(&a, "--grid")) {
            if (ngrids == MAX_ARGS) return cli_usage("sensitivity", "too many --grid");
            grids[ngrids++] = v;
        } else if (cli_is(&a, "--delays")) {
            delays = v;
        } else if (cli_is(&a, "--offsets")) {
            offsets = v;
        } else if (cli_is(&a, "--db")) {
            db_path = v;
        } else if (cli_is(&a, "-j")) {
            if (cli_jobs(v, &workers))
                return cli_usage("sensitivity", "-j %s: expected 1 to 1024", v);
        }
    }
    if (!path) return cli_usage("sensitivity", "a SCENARIO file is required");
    if (workers < 1) workers = 1;
    const pol_policy *list[MAX_POLICIES];
    size_t n = npols;
    int orc = cli_policies_open("sensitivity", pols, npols, 1, list);
    if (orc != CLI_OK) return orc;
    for (const pol_policy *const *p = pol_list(); !npols && *p && n < MAX_POLICIES; p++)
        if (!(*p)->simulation_only && !(*p)->native) list[n++] = *p;
    orc = sensitivity_open(path, list, n, sets, nsets, grids, ngrids, delays, offsets,
                           db_path, workers);
    cli_policies_close(list, npols);
    return orc;
}

static int sensitivity_open(const char *path, const pol_policy *const *list, size_t n,
                            const char *const *sets, size_t nsets, const char *const *grids,
                            size_t ngrids, const char *delays, const char *offsets,
                            const char *db_path, long workers) {

    lab_sets split; /* every --set checked once, against every chosen policy */
    char err[1024];
    if (lab_sets_split(list, n, sets, nsets, &split, err, sizeof err)) {
        cli_error("%s", err);
        return CLI_BADINPUT;
    }
    printf("sensitivity of %s: cloudwatch.IngestionDelay in {%s} s x controller.Offset "
           "in {%s} s (controller.Jitter 0)\n\n", path, delays, offsets);
    printf("%-9s %6s  %10s  %10s  %10s  %8s  %8s  %8s  %-28s  %s\n", "policy", "sweep",
           "cost min", "median", "max", "cov min", "median", "max", "worst cost at",
           "parameters");
    fflush(stdout);
    lab_sweep_pset *pts[MAX_POLICIES] = {0};
    size_t npts[MAX_POLICIES] = {0};
    int rc = CLI_OK;
    for (size_t i = 0; i < n && rc == CLI_OK; i++) {
        rc = one_policy(db_path, path, list[i], sets, nsets, grids, ngrids, delays, offsets,
                        workers, &pts[i], &npts[i]);
        fflush(stdout);
    }
    if (rc == CLI_OK) {
        printf("\ncost: total USD; cov: coverage %% (unit-time); min / median / max over the "
               "delays x seconds\n");
        /* Does a ranking hold at every point? Points line up across the
        ** policies' sweeps: the same grid in the same order. */
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++) {
                if (npts[a] != npts[b] || !npts[a]) continue;
                size_t cheaper = 0, dearer = 0, more = 0, less = 0;
                for (size_t k = 0; k < npts[a]; k++) {
                    cheaper += pts[a][k].cost < pts[b][k].cost - 0.005;
                    dearer += pts[a][k].cost > pts[b][k].cost + 0.005;
                    more += pts[a][k].coverage > pts[b][k].coverage + 0.0005;
                    less += pts[a][k].coverage < pts[b][k].coverage - 0.0005;
                }
                printf("%s against %s, point by point: cheaper at %zu, dearer at %zu; "
                       "covers more at %zu, less at %zu (of %zu)\n",
                       pol_label(list[a]), pol_label(list[b]), cheaper, dearer, more, less,
                       npts[a]);
            }
    }
    for (size_t i = 0; i < n; i++) free(pts[i]);
    return rc;
}
