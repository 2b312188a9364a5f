/*
** cmd_sweep.c: `spotbench sweep` (run a parameter sweep on worker processes,
** print its Pareto fronts) and `spotbench merge` (the shards of a sweep into
** one database). The sweep itself lives in lab/ (points, the worker pool,
** the driver) and its fronts are taken by fronts.c; this file parses, calls
** them and prints. `spotbench best` is cmd_best.c.
*/
#include "cli.h"

#include "lab/lab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lab/sweep.h"
#include "store/sweeptab.h"

const char cmd_sweep_usage[] =
    "usage: spotbench sweep SCENARIO... --policy NAME\n"
    "           (--grid KEY=START:STOP:STEP | --grid KEY=V1,V2,...)...\n"
    "           [--random KEY=LO:HI --samples N [--seed S]] [--set KEY=VALUE]...\n"
    "           [-j N] [--shard K/N] [--db FILE] [--quiet] [--json]\n"
    "       spotbench sweep --resume SWEEP_ID [-j N] [--shard K/N] [--db FILE]\n"
    "           [--quiet] [--json]\n"
    "\n"
    "Runs every parameter set (the cross product of the --grid axes, times the\n"
    "--random samples) on every SCENARIO, on N worker processes, stores each run\n"
    "under one sweep id, and prints the Pareto front of total cost against\n"
    "coverage per scenario and over all scenarios (costs summed, the minimum\n"
    "coverage). KEY is a policy parameter or a scenario field path, as with\n"
    "'spotbench run --set'.\n"
    "\n"
    "options:\n"
    "  --grid KEY=START:STOP:STEP  values START, START+STEP, ... up to STOP\n"
    "  --grid KEY=V1,V2,...        these values\n"
    "  --random KEY=LO:HI          a value drawn uniformly in [LO, HI] per sample\n"
    "                              (whole numbers when LO and HI are)\n"
    "  --samples N                 random samples (default 10 with --random)\n"
    "  --seed S                    the random draws' seed (default 1)\n"
    "  --seeds N                   run every parameter set at seeds 1 to N (also\n"
    "                              A-B, or S1,S2,...): the last axis, 'seed';\n"
    "                              best ranks the sets by their mean over them\n"
    "  --set KEY=VALUE             fixed for every run\n"
    "  -j N                        worker processes (default: the number of cores)\n"
    "  --shard K/N                 run only the K-th of N disjoint slices (default\n"
    "                              from AWS_BATCH_JOB_ARRAY_INDEX/_SIZE or\n"
    "                              SLURM_ARRAY_TASK_ID/_COUNT when set)\n"
    "  --resume ID                 run the points of sweep ID not stored yet\n"
    "  --db FILE                   the SQLite database (default results/spotbench.db)\n"
    "  --quiet                     no progress on stderr\n"
    "  --json                      print the fronts as one JSON object: {\"sweep\",\n"
    "                              \"policy\", \"parameter_sets\", \"scenarios\",\n"
    "                              \"fronts\": [{\"scenario\" (null: over all),\n"
    "                              \"points\", \"front\": [{\"total_cost\",\n"
    "                              \"coverage_pct\", \"gap_to_oracle\", \"run_id\",\n"
    "                              \"parameters\"}]}]}\n"
    "\n"
    "example:\n"
    "  spotbench sweep traces/scenarios/seed-week/scenario.json --policy classic \\\n"
    "      --grid window=300:900:300 --grid asg.DefaultCooldown=60,300,900\n";

const char cmd_merge_usage[] =
    "usage: spotbench merge [--json] OUT.db SHARD.db...\n"
    "\n"
    "Copies the runs of a sharded sweep (spotbench sweep --shard K/N, each shard\n"
    "in its own database) into OUT.db, creating it when missing. Every SHARD must\n"
    "hold the same sweep (the same scenarios, policy and parameters); runs OUT.db\n"
    "already has are skipped, so merging again changes nothing. --json prints\n"
    "one object, {\"output\", \"shards\": [{\"file\", \"sweep\", \"runs_copied\"}]},\n"
    "or {\"error\", \"exit_status\"}.\n"
    "\n"
    "example:\n"
    "  spotbench sweep traces/scenarios/all-outbid-3h/scenario.json --policy guarded \\\n"
    "      --grid confirm=1:4:1 --shard 1/2 --db shard1.db --quiet\n"
    "  spotbench sweep traces/scenarios/all-outbid-3h/scenario.json --policy guarded \\\n"
    "      --grid confirm=1:4:1 --shard 2/2 --db shard2.db --quiet\n"
    "  spotbench merge all.db shard1.db shard2.db\n";

#define DEFAULT_DB "results/spotbench.db"

static const cli_opt sweep_opts[] = {
    {"--policy", "NAME"}, {"--grid", "KEY=VALUES"}, {"--random", "KEY=LO:HI"},
    {"--samples", "N"},   {"--seed", "S"},          {"--set", "KEY=VALUE"},
    {"-j", "N"},          {"--shard", "K/N"},       {"--resume", "ID"},
    {"--db", "FILE"},     {"--quiet", NULL},        {"--json", NULL},
    {"--seeds", "N|A-B|LIST"}, {NULL, NULL}};
const cli_opt *const cmd_sweep_opts[] = {sweep_opts, NULL};
static const cli_opt merge_opts[] = {{"--json", NULL}, {NULL, NULL}};
const cli_opt *const cmd_merge_opts[] = {merge_opts, NULL};

/* ---- progress ------------------------------------------------------------ */

typedef struct {
    int tty, quiet;
    struct timespec t0;
    int last_pct;
    long workers;
    int sharded;
    const lab_sweep_spec *spec;
    int started;
} progress_state;

static double elapsed(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The sweep's size and what is left, once its runs are known. */
static void on_start(void *ctx, int64_t id, size_t nslice, size_t ntodo) {
    progress_state *p = ctx;
    if (!p->quiet)
        fprintf(stderr, "sweep %lld: %zu runs (%zu parameter sets x %zu scenarios)"
                "%s, %zu to run on %ld workers\n",
                (long long)id, nslice, lab_sweep_npoints(p->spec), p->spec->nscenarios,
                p->sharded ? " in this shard" : "", ntodo, p->workers);
    p->started = 1;
    clock_gettime(CLOCK_MONOTONIC, &p->t0);
}

static void on_progress(void *ctx, size_t done, size_t total) {
    progress_state *p = ctx;
    if (p->quiet) return;
    double dt = elapsed(&p->t0);
    double rate = dt > 0 ? (double)done / dt : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    int pct = (int)(100.0 * (double)done / (double)total);
    if (p->tty) {
        fprintf(stderr, "\rsweep: %zu/%zu (%d%%)  %.1f runs/s  ETA %.0fs   ", done,
                total, pct, rate, eta);
        if (done == total) fputc('\n', stderr);
    } else if (pct != p->last_pct) {
        fprintf(stderr, "sweep: %zu/%zu (%d%%) %.1f runs/s ETA %.0fs\n", done, total,
                pct, rate, eta);
    }
    p->last_pct = pct;
}

/* ---- printing ------------------------------------------------------------ */

cJSON *cli_params_json(const char *text) {
    cJSON *o = cJSON_Parse(text);
    return o ? o : cli_json_str(text);
}

/* The text printer: a front as a table under its title. */
static void print_front_text(const cli_front *f) {
    char title[700];
    if (f->scenario)
        snprintf(title, sizeof title, "\nPareto front, %s", f->scenario);
    else
        snprintf(title, sizeof title, "\nPareto front over all scenarios (cost summed, "
                                      "minimum coverage)");
    printf("%s: %zu of %zu on the front\n", title, f->nfront, f->npoints);
    printf("  %12s  %11s  %14s  %6s  %s\n", "total cost", "coverage", "gap to oracle",
           "run", "parameters");
    for (size_t i = 0; i < f->nfront; i++) {
        const cli_front_point *p = &f->point[i];
        char run[24] = "-", usd[40], gap[40];
        if (f->scenario) snprintf(run, sizeof run, "%lld", (long long)p->run_id);
        snprintf(usd, sizeof usd, "$%.2f", p->cost);
        sim_gap_format(p->cost, p->oracle, p->coverage, gap, sizeof gap);
        printf("  %12s  %9.3f %%  %14s  %6s  %s\n", usd, p->coverage, gap, run, p->params);
    }
}

static void print_sweep_text(int64_t id, const lab_sweep_spec *spec, const cli_fronts *fr) {
    printf("sweep %lld: policy %s, %zu parameter sets x %zu scenarios\n", (long long)id,
           spec->policy, lab_sweep_npoints(spec), spec->nscenarios);
    for (size_t i = 0; i < fr->nfronts; i++) print_front_text(&fr->front[i]);
    printf("next: spotbench best --sweep %lld --min-coverage PCT picks a parameter "
           "set and names the 'spotbench deploy' that puts it in a stack\n",
           (long long)id);
}

/* The JSON printer: a front as {"scenario", "points", "front": [...]}. */
static cJSON *front_json(const cli_front *f) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "scenario",
                          f->scenario ? cli_json_str(f->scenario) : cJSON_CreateNull());
    cJSON_AddNumberToObject(o, "points", (double)f->npoints);
    cJSON *arr = cJSON_AddArrayToObject(o, "front");
    for (size_t i = 0; i < f->nfront; i++) {
        const cli_front_point *p = &f->point[i];
        cJSON *jp = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, jp);
        cJSON_AddNumberToObject(jp, "total_cost", p->cost);
        cJSON_AddNumberToObject(jp, "coverage_pct", p->coverage);
        cJSON_AddNumberToObject(jp, "gap_to_oracle", p->cost - p->oracle);
        if (f->scenario) cJSON_AddNumberToObject(jp, "run_id", (double)p->run_id);
        cJSON_AddItemToObject(jp, "parameters", cli_params_json(p->params));
    }
    return o;
}

static int print_sweep_json(int64_t id, const lab_sweep_spec *spec, const cli_fronts *fr) {
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "sweep", (double)id);
    cJSON_AddItemToObject(doc, "policy", cli_json_str(spec->policy));
    cJSON_AddNumberToObject(doc, "parameter_sets", (double)lab_sweep_npoints(spec));
    cJSON *sc = cJSON_AddArrayToObject(doc, "scenarios");
    for (size_t i = 0; i < spec->nscenarios; i++)
        cJSON_AddItemToArray(sc, cli_json_str(spec->scenarios[i]));
    cJSON *fronts = cJSON_AddArrayToObject(doc, "fronts");
    for (size_t i = 0; i < fr->nfronts; i++)
        cJSON_AddItemToArray(fronts, front_json(&fr->front[i]));
    return cli_json_print(doc);
}

/* ---- sweep --------------------------------------------------------------- */

/* The options of `sweep`. The spec collects the scenarios, axes and
** settings as they are read; with --resume it is the stored sweep's. */
typedef struct {
    lab_sweep_spec spec;
    const char *db_path, *policy, *shard;
    long workers, samples, shard_k, shard_n;
    int quiet, json;
    int64_t resume;
    uint64_t seeds[LAB_MAX_SEEDS]; /* --seeds: the last axis, added once read */
    size_t nseeds;
} sweep_args;

/* The fallback_capacity note of `run` (cli_note_fallback), once for the
** sweep: on its first scenario with its fixed settings, unless the sweep
** varies the fallback or the fleet's size itself. */
static void note_fallback(const lab_sweep_spec *spec) {
    const pol_policy *pol = pol_find(spec->policy);
    if (!pol || pol_param_index(pol, "fallback_capacity") < 0) return;
    for (size_t i = 0; i < spec->ngrid + spec->nrnd; i++) {
        const char *k = i < spec->ngrid ? spec->grid[i].key : spec->rnd[i - spec->ngrid].key;
        if (!strcmp(k, "fallback_capacity") || !strcmp(k, "fleet.TargetCapacity")) return;
    }
    pol_params params;
    char err[512];
    sim_scenario sc;
    if (lab_load(spec->scenarios[0], &pol, (const char *const *)spec->sets, spec->nsets, NULL,
                 &sc, &params, err, sizeof err))
        return;
    cli_note_fallback(&sc, pol, &params);
    sim_scenario_free(&sc);
}

/* K/N from --shard, or from a batch system's array variables. Returns 0
** (K, N set; 1/1 when none), or -1 on a malformed value. */
static int parse_shard(const char *arg, long *k, long *n) {
    *k = 1;
    *n = 1;
    if (arg) {
        char *end;
        *k = strtol(arg, &end, 10);
        if (*end != '/') return -1;
        *n = strtol(end + 1, &end, 10);
        if (*end || *n < 1 || *k < 1 || *k > *n) return -1;
        return 0;
    }
    /* Array indices count from 0 in both. */
    static const char *const vars[][2] = {
        {"AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE"},
        {"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"},
    };
    for (size_t i = 0; i < 2; i++) {
        const char *a = getenv(vars[i][0]), *b = getenv(vars[i][1]);
        if (!a || !b) continue;
        char *e1, *e2;
        long idx = strtol(a, &e1, 10), size = strtol(b, &e2, 10);
        if (*e1 || *e2 || size < 1 || idx < 0 || idx >= size) return -1;
        *k = idx + 1;
        *n = size;
        return 0;
    }
    return 0;
}

/* One option's value: 0, or -1 with err set (a bad value). */
static int sweep_option(cli_args *a, sweep_args *o, char *err, size_t errlen) {
    const char *v = a->val;
    char *end;
    lab_sweep_spec *spec = &o->spec;
    if (cli_is(a, "--policy")) o->policy = v;
    else if (cli_is(a, "--grid")) return lab_sweep_add_grid(spec, v, err, errlen);
    else if (cli_is(a, "--random")) return lab_sweep_add_random(spec, v, err, errlen);
    else if (cli_is(a, "--set")) {
        if (!cli_is_kv(v)) {
            snprintf(err, errlen, "--set %s: expected KEY=VALUE", v);
            return -1;
        }
        return lab_sweep_add_str(&spec->sets, &spec->nsets, v, err, errlen);
    } else if (cli_is(a, "--samples")) {
        errno = 0;
        o->samples = strtol(v, &end, 10);
        if (*end || !*v || errno || o->samples < 1 || o->samples > LAB_SWEEP_MAX_RUNS) {
            snprintf(err, errlen, "--samples %s: expected a whole number from 1 to %d", v,
                     LAB_SWEEP_MAX_RUNS);
            return -1;
        }
    } else if (cli_is(a, "--seed")) {
        spec->seed = strtoull(v, &end, 10);
        if (*end || !*v) {
            snprintf(err, errlen, "--seed %s: expected a whole number", v);
            return -1;
        }
    } else if (cli_is(a, "-j")) {
        if (cli_jobs(v, &o->workers)) {
            snprintf(err, errlen, "-j %s: expected 1 to 1024", v);
            return -1;
        }
    } else if (cli_is(a, "--resume")) {
        o->resume = strtoll(v, &end, 10);
        if (*end || o->resume < 1) {
            snprintf(err, errlen, "--resume %s: expected a sweep id", v);
            return -1;
        }
    } else if (cli_is(a, "--shard")) o->shard = v;
    else if (cli_is(a, "--db")) o->db_path = v;
    else if (cli_is(a, "--quiet")) o->quiet = 1;
    else if (cli_is(a, "--json")) o->json = 1;
    else if (cli_is(a, "--seeds")) return lab_seeds_parse(v, o->seeds, &o->nseeds, err, errlen);
    return 0;
}

/* Reads the arguments into *o (which the caller frees with its spec
** whatever this returns). Returns an exit status, after saying why. */
static int sweep_parse(int argc, char **argv, sweep_args *o) {
    char err[1024];
    memset(o, 0, sizeof *o);
    o->spec.seed = 1;
    o->db_path = DEFAULT_DB;
    o->workers = sysconf(_SC_NPROCESSORS_ONLN);
    o->samples = -1;
    cli_args a;
    cli_args_init(&a, "sweep", NULL, sweep_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        int bad;
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS)
            bad = lab_sweep_add_str(&o->spec.scenarios, &o->spec.nscenarios, a.val, err,
                                    sizeof err);
        else bad = sweep_option(&a, o, err, sizeof err);
        if (bad) {
            cli_error("%s", err);
            return CLI_BADINPUT;
        }
    }
    if (o->workers < 1) o->workers = 1;
    if (parse_shard(o->shard, &o->shard_k, &o->shard_n)) {
        snprintf(err, sizeof err, "--shard %s: expected K/N with 1 <= K <= N (or valid "
                 "batch array variables)", o->shard ? o->shard : "");
        cli_error("%s", err);
        return CLI_BADINPUT;
    }
    return CLI_OK;
}

/* Completes the spec: the stored sweep's with --resume (no option may then
** name scenarios or parameters), else the options' own, checked for what
** the parser cannot see alone. Returns an exit status, after saying why. */
static int sweep_prepare(sweep_args *o) {
    lab_sweep_spec *spec = &o->spec;
    char err[1024];
    if (o->resume) {
        if (spec->nscenarios || o->policy || spec->ngrid || spec->nrnd || spec->nsets ||
            o->nseeds)
            return cli_usage("sweep", "--resume takes the sweep's own scenarios and "
                                      "parameters; give only -j, --shard, --db, --quiet");
        st_db *db;
        if (st_open(o->db_path, &db, err, sizeof err)) {
            cli_error("%s", err);
            return CLI_FAIL;
        }
        int bad = lab_sweep_load(db, o->resume, spec, err, sizeof err);
        st_close(db); /* no connection may cross the workers' fork() */
        if (bad) cli_error("%s", err);
        return bad ? CLI_BADINPUT : CLI_OK;
    }
    if (!o->policy) return cli_usage("sweep", "--policy NAME is required");
    if (!spec->nscenarios) return cli_usage("sweep", "a SCENARIO file is required");
    if (o->samples > 0 && !spec->nrnd)
        return cli_usage("sweep", "--samples needs --random");
    if (spec->nrnd) spec->samples = o->samples > 0 ? (size_t)o->samples : 10;
    if (o->nseeds && lab_sweep_add_seeds(spec, o->seeds, o->nseeds, err, sizeof err)) {
        cli_error("%s", err);
        return CLI_BADINPUT;
    }
    if (!(spec->policy = strdup(o->policy))) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    note_fallback(spec);
    return CLI_OK;
}

/* Runs the sweep's runs not stored yet, with progress on stderr; *id is
** the sweep (the resumed one, or the one found or created). */
static int sweep_run(const sweep_args *o, int64_t *id) {
    char err[1024];
    progress_state ps = {isatty(2), o->quiet, {0, 0}, -1, o->workers, o->shard_n > 1,
                         &o->spec, 0};
    lab_sweep_req req = {.db_path = o->db_path, .id = o->resume, .join = o->shard_n > 1,
                         .shard_k = o->shard_k, .shard_n = o->shard_n,
                         .workers = (int)o->workers, .tool_version = cli_version(),
                         .start = on_start, .progress = on_progress, .ctx = &ps};
    int rc = lab_sweep_drive(&o->spec, &req, NULL, NULL, err, sizeof err);
    if (rc != CLI_OK) {
        /* A failure ends the progress line a terminal was showing. */
        if (ps.tty && !o->quiet && ps.started) fputc('\n', stderr);
        cli_error("%s", err);
    }
    *id = req.id;
    return rc;
}

/* The sweep's fronts, read back from the database. */
static int sweep_fronts(const sweep_args *o, int64_t id, cli_fronts *fr) {
    char err[1024];
    st_db *db;
    memset(fr, 0, sizeof *fr);
    if (st_open(o->db_path, &db, err, sizeof err)) {
        cli_error("%s", err);
        return CLI_FAIL;
    }
    int bad = cli_sweep_fronts(db, id, &o->spec, fr, err, sizeof err);
    st_close(db);
    if (bad) cli_error("%s", err);
    return bad ? CLI_FAIL : CLI_OK;
}

int cmd_sweep(int argc, char **argv) {
    sweep_args o;
    cli_fronts fr = {0};
    int64_t id = 0;
    int rc = sweep_parse(argc, argv, &o);
    if (rc == CLI_OK) rc = sweep_prepare(&o);
    if (rc == CLI_OK) rc = sweep_run(&o, &id);
    if (rc == CLI_OK) rc = sweep_fronts(&o, id, &fr);
    if (rc == CLI_OK) {
        if (o.json) rc = print_sweep_json(id, &o.spec, &fr);
        else print_sweep_text(id, &o.spec, &fr);
    }
    cli_fronts_free(&fr);
    lab_sweep_spec_free(&o.spec);
    return rc;
}

/* ---- merge --------------------------------------------------------------- */

static int merge_main(cli_jout *j, int argc, char **argv, cJSON *doc);

int cmd_merge(int argc, char **argv) {
    cli_jout j;
    cli_jout_init(&j, argc, argv);
    cJSON *doc = j.json ? cJSON_CreateObject() : NULL;
    int rc = merge_main(&j, argc, argv, doc);
    if (rc == CLI_OK && doc) return cli_json_print(doc);
    cJSON_Delete(doc);
    return cli_jdone(&j, rc);
}

/* Merges; with --json, says what it copied into doc (NULL otherwise). */
static int merge_main(cli_jout *j, int argc, char **argv, cJSON *doc) {
    /* Operands only; the parser still turns away options and reads "--". */
    const char *files[argc > 0 ? argc : 1];
    int nf = 0;
    cli_args a;
    cli_args_init(&a, "merge", NULL, merge_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) files[nf++] = a.val;
    }
    if (nf < 2) return cli_usage("merge", "OUT.db and at least one SHARD.db are required");
    const char *out = files[0];
    char err[1024];
    char *spec = NULL;
    /* Every shard is checked before OUT is touched: a mismatched shard
    ** leaves OUT as it was. */
    for (int i = 1; i < nf; i++) {
        if (strcmp(files[i], out) == 0) {
            free(spec);
            return cli_usage("merge", "%s is both the output and a shard", out);
        }
        if (st_merge_check(files[i], &spec, err, sizeof err)) {
            free(spec);
            return cli_jfail(j, CLI_BADINPUT, "%s", err);
        }
    }
    free(spec);
    st_db *db;
    if (st_open(out, &db, err, sizeof err)) return cli_jfail(j, CLI_FAIL, "%s", err);
    int rc = CLI_OK;
    cJSON *shards = NULL;
    if (doc) {
        cJSON_AddItemToObject(doc, "output", cli_json_str(out));
        shards = cJSON_AddArrayToObject(doc, "shards");
    }
    for (int i = 1; i < nf; i++) {
        int64_t id;
        size_t copied;
        if (st_merge(db, files[i], &id, &copied, err, sizeof err)) {
            rc = cli_jfail(j, CLI_FAIL, "%s", err);
            break;
        }
        if (!shards) {
            printf("%s: %zu runs copied into sweep %lld of %s\n", files[i], copied,
                   (long long)id, out);
            continue;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "file", cli_json_str(files[i]));
        cJSON_AddNumberToObject(o, "sweep", (double)id);
        cJSON_AddNumberToObject(o, "runs_copied", (double)copied);
        cJSON_AddItemToArray(shards, o);
    }
    st_close(db);
    return rc;
}
