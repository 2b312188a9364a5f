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
    "           [-j N] [--db FILE] [--json]\n"
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
    "  --json            one JSON object once every sweep has run: {\"scenario\",\n"
    "                    \"delays\", \"offsets\", \"policies\": [{\"policy\", \"sweep\",\n"
    "                    \"rows\": [{\"parameters\", \"total_cost\", \"coverage_pct\"\n"
    "                    (each {\"min\", \"median\", \"max\"}), \"worst_cost_at\"}]}],\n"
    "                    \"pairs\": [{\"a\", \"b\", \"cheaper\", \"dearer\",\n"
    "                    \"covers_more\", \"covers_less\", \"points\"}]}; a failure\n"
    "                    is {\"error\", \"exit_status\"}\n"
    "\n"
    "example:\n"
    "  spotbench sensitivity traces/scenarios/seed-week/scenario.json -j 2\n";

#define MAX_POLICIES 8
#define MAX_ARGS 32

/* The unknowns every sensitivity sweep runs over. */
static const char *const unknowns[] = {"cloudwatch.IngestionDelay", "controller.Offset"};

/* 1 when "KEY=VALUE" is one of the unknowns' (u: which, or -1: either). */
static int is_unknown(const char *kv, int u) {
    for (size_t i = 0; i < 2; i++) {
        size_t kl = strlen(unknowns[i]);
        if ((u < 0 || (size_t)u == i) && strncmp(kv, unknowns[i], kl) == 0 && kv[kl] == '=')
            return 1;
    }
    return 0;
}

/* The KEY=VALUE strings of point p (pointers into buf, 4096 bytes), the
** unknowns' (`unknown`) or the others'; their number (0 when the point
** cannot be named). */
static size_t point_kv(const lab_sweep_spec *spec, size_t p, int unknown, char *buf,
                       const char **out) {
    const char *kv[64];
    size_t n = 0;
    if (spec->ngrid + spec->nrnd > 64 || lab_sweep_point(spec, p, buf, 4096, kv)) return 0;
    for (size_t i = 0; i < spec->ngrid + spec->nrnd; i++)
        if (is_unknown(kv[i], -1) == unknown) out[n++] = kv[i];
    return n;
}

/* The KEY=VALUE strings of point p without the unknowns, joined. */
static void known_params(const lab_sweep_spec *spec, size_t p, char *out, size_t n) {
    char buf[4096];
    const char *kv[64];
    size_t nkv = point_kv(spec, p, 0, buf, kv), used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < nkv; i++) {
        int k = snprintf(out + used, n - used, "%s%s", used ? " " : "", kv[i]);
        if (k < 0 || (size_t)k >= n - used) break;
        used += (size_t)k;
    }
    if (!used) snprintf(out, n, "(as the scenario)");
}

/* The JSON row of range g: its parameters but the unknowns, its ranges and
** the unknowns' values at its worst cost. */
static cJSON *range_json(const lab_sweep_spec *spec, const lab_sweep_range *g) {
    char buf[4096];
    const char *kv[64];
    cJSON *o = cJSON_CreateObject(), *j = cJSON_AddObjectToObject(o, "parameters");
    size_t nkv = point_kv(spec, g->group, 0, buf, kv);
    for (size_t i = 0; i < nkv; i++) cli_json_kv(j, kv[i]);
    j = cJSON_AddObjectToObject(o, "total_cost");
    cJSON_AddNumberToObject(j, "min", g->cost_min);
    cJSON_AddNumberToObject(j, "median", g->cost_median);
    cJSON_AddNumberToObject(j, "max", g->cost_max);
    j = cJSON_AddObjectToObject(o, "coverage_pct");
    cJSON_AddNumberToObject(j, "min", g->cov_min);
    cJSON_AddNumberToObject(j, "median", g->cov_median);
    cJSON_AddNumberToObject(j, "max", g->cov_max);
    j = cJSON_AddObjectToObject(o, "worst_cost_at");
    nkv = point_kv(spec, g->worst_cost_point, 1, buf, kv);
    for (size_t i = 0; i < nkv; i++) cli_json_kv(j, kv[i]);
    return o;
}

/* The unknowns' values of point p, "IngestionDelay=60 Offset=1". */
static void unknown_values(const lab_sweep_spec *spec, size_t p, char *out, size_t n) {
    char buf[4096];
    const char *kv[64];
    size_t nkv = point_kv(spec, p, 1, buf, kv), used = 0;
    out[0] = '\0';
    for (size_t u = 0; u < 2; u++) /* in the unknowns' order */
        for (size_t i = 0; i < nkv; i++) {
            if (!is_unknown(kv[i], (int)u)) continue;
            const char *short_name = strchr(unknowns[u], '.') + 1;
            int k = snprintf(out + used, n - used, "%s%s=%s", used ? " " : "", short_name,
                             kv[i] + strlen(unknowns[u]) + 1);
            if (k > 0 && (size_t)k < n - used) used += (size_t)k;
        }
}

/* What the command was asked. */
typedef struct {
    const char *path, *db_path, *delays, *offsets;
    const char *const *sets, *const *grids;
    size_t nsets, ngrids;
    long workers;
    cli_jout j;
} sens_args;

/* Runs one policy's sweep; prints its ranges, or adds them to jpol (--json).
** Returns an exit status after saying why. */
static int one_policy(sens_args *a, const pol_policy *pol, cJSON *jpol,
                      lab_sweep_pset **pts_out, size_t *npts_out) {
    lab_sweep_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.seed = 1;
    char err[1024] = "out of memory", axis[600];
    st_sweep_row *rows = NULL;
    lab_sweep_pset *pts = NULL;
    lab_sweep_range *rg = NULL;
    size_t nrows = 0, npts = 0, nrg = 0;
    int rc = CLI_BADINPUT;
    if (!(spec.policy = strdup(pol->name)) ||
        lab_sweep_add_str(&spec.scenarios, &spec.nscenarios, a->path, err, sizeof err) ||
        lab_sweep_add_str(&spec.sets, &spec.nsets, "controller.Jitter=0", err, sizeof err))
        goto fail;
    const char *mine[LAB_MAX_SETS];
    size_t nmine = lab_sets_for(pol, a->sets, a->nsets, mine);
    for (size_t i = 0; i < nmine; i++)
        if (lab_sweep_add_str(&spec.sets, &spec.nsets, mine[i], err, sizeof err)) goto fail;
    for (size_t i = 0; i < a->ngrids; i++)
        if (lab_sweep_add_grid(&spec, a->grids[i], err, sizeof err)) goto fail;
    snprintf(axis, sizeof axis, "%s=%s", unknowns[0], a->delays);
    if (lab_sweep_add_grid(&spec, axis, err, sizeof err)) goto fail;
    snprintf(axis, sizeof axis, "%s=%s", unknowns[1], a->offsets);
    if (lab_sweep_add_grid(&spec, axis, err, sizeof err)) goto fail;

    lab_sweep_req req = {.db_path = a->db_path, .workers = (int)a->workers,
                         .kind = "sensitivity", .tool_version = cli_version()};
    rc = lab_sweep_drive(&spec, &req, &rows, &nrows, err, sizeof err);
    if (rc != CLI_OK) goto fail;
    rc = CLI_FAIL;
    int64_t id = req.id;
    if (lab_sweep_aggregate(rows, nrows, &pts, &npts)) {
        snprintf(err, sizeof err, "out of memory");
        goto fail;
    }
    if (lab_sweep_ranges(&spec, pts, npts, unknowns, 2, &rg, &nrg, err, sizeof err)) goto fail;
    cJSON *jrows = NULL;
    if (jpol) {
        cJSON_AddItemToObject(jpol, "policy", cli_json_str(pol_label(pol)));
        cJSON_AddNumberToObject(jpol, "sweep", (double)id);
        jrows = cJSON_AddArrayToObject(jpol, "rows");
    }
    for (size_t i = 0; i < nrg; i++) {
        char params[1024], worst[128], c[3][32];
        if (jrows) {
            cJSON_AddItemToArray(jrows, range_json(&spec, &rg[i]));
            continue;
        }
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
fail:
    cli_jfail(&a->j, rc, "%s", err);
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
    {"-j", "N"},          {"--json", NULL},          {NULL, NULL}};
const cli_opt *const cmd_sensitivity_opts[] = {sensitivity_opts, NULL};

static int sensitivity_open(sens_args *a, const pol_policy *const *list, size_t n);
static int sensitivity_parse(int argc, char **argv, sens_args *s, const char **pols,
                             size_t *npols, const char **sets, const char **grids);

int cmd_sensitivity(int argc, char **argv) {
    const char *pols[MAX_POLICIES], *sets[MAX_ARGS], *grids[MAX_ARGS];
    size_t npols = 0;
    sens_args s;
    cli_jout_init(&s.j, argc, argv);
    int rc = sensitivity_parse(argc, argv, &s, pols, &npols, sets, grids);
    if (rc != CLI_OK) return cli_jdone(&s.j, rc);
    const pol_policy *list[MAX_POLICIES];
    size_t n = npols;
    rc = cli_policies_open("sensitivity", pols, npols, 1, list);
    if (rc != CLI_OK) return cli_jdone(&s.j, rc);
    for (const pol_policy *const *p = pol_list(); !npols && *p && n < MAX_POLICIES; p++)
        if (!(*p)->simulation_only && !(*p)->native) list[n++] = *p;
    rc = sensitivity_open(&s, list, n);
    cli_policies_close(list, npols);
    return cli_jdone(&s.j, rc);
}

/* Reads the arguments into *s (sets and grids MAX_ARGS long, pols
** MAX_POLICIES). Returns an exit status, after saying why. */
static int sensitivity_parse(int argc, char **argv, sens_args *s, const char **pols,
                             size_t *npols, const char **sets, const char **grids) {
    cli_jout j = s->j;
    memset(s, 0, sizeof *s);
    s->j = j;
    s->db_path = "results/spotbench.db";
    s->delays = "0,15,30,60,120";
    s->offsets = "0,1,15,30,45,59";
    s->sets = sets;
    s->grids = grids;
    s->workers = sysconf(_SC_NPROCESSORS_ONLN);
    cli_args a;
    cli_args_init(&a, "sensitivity", NULL, sensitivity_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        const char *v = a.val;
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (s->path) return cli_usage("sensitivity", "more than one scenario");
            s->path = v;
        } else if (cli_is(&a, "--policy")) {
            if (*npols == MAX_POLICIES) return cli_usage("sensitivity", "too many --policy");
            pols[(*npols)++] = v;
        } else if (cli_is(&a, "--set")) {
            if (s->nsets == MAX_ARGS) return cli_usage("sensitivity", "too many --set");
            if (!cli_is_kv(v)) return cli_usage("sensitivity", "--set %s: expected KEY=VALUE", v);
            sets[s->nsets++] = v;
        } else if (cli_is(&a, "--grid")) {
            if (s->ngrids == MAX_ARGS) return cli_usage("sensitivity", "too many --grid");
            grids[s->ngrids++] = v;
        } else if (cli_is(&a, "--delays")) {
            s->delays = v;
        } else if (cli_is(&a, "--offsets")) {
            s->offsets = v;
        } else if (cli_is(&a, "--db")) {
            s->db_path = v;
        } else if (cli_is(&a, "-j")) {
            if (cli_jobs(v, &s->workers))
                return cli_usage("sensitivity", "-j %s: expected 1 to 1024", v);
        } else if (cli_is(&a, "--json")) {
            s->j.json = 1;
        }
    }
    if (!s->path) return cli_usage("sensitivity", "a SCENARIO file is required");
    if (s->workers < 1) s->workers = 1;
    return CLI_OK;
}

/* A LIST of seconds as a JSON array (numbers where they are numbers). */
static cJSON *list_json(const char *list) {
    cJSON *arr = cJSON_CreateArray();
    char buf[600];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *end;
        double v = strtod(t, &end);
        cJSON_AddItemToArray(arr, *end ? cli_json_str(t) : cJSON_CreateNumber(v));
    }
    return arr;
}

static int sensitivity_open(sens_args *a, const pol_policy *const *list, size_t n) {
    lab_sets split; /* every --set checked once, against every chosen policy */
    char err[1024];
    if (lab_sets_split(list, n, a->sets, a->nsets, &split, err, sizeof err))
        return cli_jfail(&a->j, CLI_BADINPUT, "%s", err);
    cJSON *doc = NULL, *jpols = NULL, *jpairs = NULL;
    if (a->j.json) {
        doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "scenario", cli_json_str(a->path));
        cJSON_AddItemToObject(doc, "delays", list_json(a->delays));
        cJSON_AddItemToObject(doc, "offsets", list_json(a->offsets));
        jpols = cJSON_AddArrayToObject(doc, "policies");
        jpairs = cJSON_AddArrayToObject(doc, "pairs");
    } else {
        printf("sensitivity of %s: cloudwatch.IngestionDelay in {%s} s x controller.Offset "
               "in {%s} s (controller.Jitter 0)\n\n", a->path, a->delays, a->offsets);
        printf("%-9s %6s  %10s  %10s  %10s  %8s  %8s  %8s  %-28s  %s\n", "policy", "sweep",
               "cost min", "median", "max", "cov min", "median", "max", "worst cost at",
               "parameters");
        fflush(stdout);
    }
    lab_sweep_pset *pts[MAX_POLICIES] = {0};
    size_t npts[MAX_POLICIES] = {0};
    int rc = CLI_OK;
    for (size_t i = 0; i < n && rc == CLI_OK; i++) {
        cJSON *jpol = jpols ? cJSON_CreateObject() : NULL;
        if (jpol) cJSON_AddItemToArray(jpols, jpol);
        rc = one_policy(a, list[i], jpol, &pts[i], &npts[i]);
        fflush(stdout);
    }
    if (rc == CLI_OK && !doc)
        printf("\ncost: total USD; cov: coverage %% (unit-time); min / median / max over the "
               "delays x seconds\n");
    /* Does a ranking hold at every point? Points line up across the
    ** policies' sweeps: the same grid in the same order. */
    for (size_t x = 0; x < n && rc == CLI_OK; x++)
        for (size_t y = x + 1; y < n; y++) {
            if (npts[x] != npts[y] || !npts[x]) continue;
            size_t cheaper = 0, dearer = 0, more = 0, less = 0;
            for (size_t k = 0; k < npts[x]; k++) {
                cheaper += pts[x][k].cost < pts[y][k].cost - 0.005;
                dearer += pts[x][k].cost > pts[y][k].cost + 0.005;
                more += pts[x][k].coverage > pts[y][k].coverage + 0.0005;
                less += pts[x][k].coverage < pts[y][k].coverage - 0.0005;
            }
            if (!doc) {
                printf("%s against %s, point by point: cheaper at %zu, dearer at %zu; "
                       "covers more at %zu, less at %zu (of %zu)\n",
                       pol_label(list[x]), pol_label(list[y]), cheaper, dearer, more, less,
                       npts[x]);
                continue;
            }
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToObject(o, "a", cli_json_str(pol_label(list[x])));
            cJSON_AddItemToObject(o, "b", cli_json_str(pol_label(list[y])));
            cJSON_AddNumberToObject(o, "cheaper", (double)cheaper);
            cJSON_AddNumberToObject(o, "dearer", (double)dearer);
            cJSON_AddNumberToObject(o, "covers_more", (double)more);
            cJSON_AddNumberToObject(o, "covers_less", (double)less);
            cJSON_AddNumberToObject(o, "points", (double)npts[x]);
            cJSON_AddItemToArray(jpairs, o);
        }
    for (size_t i = 0; i < n; i++) free(pts[i]);
    if (doc && rc == CLI_OK) return cli_json_print(doc);
    cJSON_Delete(doc);
    return rc;
}
