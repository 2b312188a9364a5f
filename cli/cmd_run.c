/*
** cmd_run.c: `spotbench run`: load a scenario, simulate it with one or more
** policies, store every run, print the summaries side by side.
*/
#include "cli.h"

#include "lab/lab.h"
#include "lab/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "sim/sim.h"
#include "store/store.h"
#include "traces/traces.h"

const char cmd_run_usage[] =
    "usage: spotbench run SCENARIO [--policy NAME]... [--set KEY=VALUE]...\n"
    "                     [--db FILE] [--timeseries] [--json]\n"
    "\n"
    "Simulates SCENARIO (a scenario JSON file) with its controller's policy, or\n"
    "with each --policy given, stores every run in the database and prints the\n"
    "summaries side by side.\n"
    "\n"
    "options:\n"
    "  --policy NAME     run this policy (repeat to compare policies): a built-in,\n"
    "                    a variant NAME@KEY=VALUE,...[:LABEL], exec:COMMAND or\n"
    "                    ./lib.so (docs/own-policy.md)\n"
    "  --set KEY=VALUE   a policy parameter (window=900) or a scenario field by\n"
    "                    its path (asg.DefaultCooldown=900, seed=3,\n"
    "                    fleet.LaunchSpecifications[0].SpotPrice=0.05)\n"
    "  --db FILE         the SQLite database (default results/spotbench.db)\n"
    "  --timeseries      also store per-minute samples and every decision\n"
    "  --seeds N         run each policy at seeds 1 to N (also A-B, or S1,S2,...)\n"
    "                    and print each figure's mean, 95 % interval and range\n"
    "                    over them (default: the scenario's own seed, once)\n"
    "  --json            print one JSON object per run instead of the table\n"
    "\n"
    "example:\n"
    "  spotbench run traces/scenarios/seed-week/scenario.json \\\n"
    "      --policy classic --policy guarded --set asg.DefaultCooldown=900\n";

static const cli_opt run_opts[] = {
    {"--policy", "NAME"}, {"--set", "KEY=VALUE"}, {"--db", "FILE"},
    {"--timeseries", NULL}, {"--json", NULL}, {"--seeds", "N|A-B|LIST"}, {NULL, NULL}};
const cli_opt *const cmd_run_opts[] = {run_opts, NULL};

#define MAX_POLICIES 8
#define MAX_SETS 64

typedef struct {
    const pol_policy *pol;
    pol_params params;
    sim_result res;
    int64_t run_id;
} run_slot;

/* One table row: a label and a formatter applied to each run. */
typedef void (*cell_fn)(char *buf, size_t n, const run_slot *r);

#define CELL(name, ...)                                                      \
    static void name(char *b, size_t n, const run_slot *x) {                 \
        const sim_result *r = &x->res;                                       \
        (void)r;                                                             \
        snprintf(b, n, __VA_ARGS__);                                         \
    }
CELL(c_run, "%lld", (long long)x->run_id)
CELL(c_spot, "$%.2f", r->spot_cost)
CELL(c_od, "$%.2f", r->od_cost)
CELL(c_total, "$%.2f", r->total_cost)
CELL(c_pct, "%.1f %%", r->pct_of_all_od)
CELL(c_cov, "%.3f %%", r->coverage_pct)
CELL(c_short, "%.2f", r->shortfall_unit_hours)
CELL(c_below, "%.1f", r->minutes_below_target)
CELL(c_odh, "%.2f", r->od_instance_hours)
CELL(c_launch, "%d od / %d spot", r->od_launches, r->spot_launches)
CELL(c_calls, "%d (%d rejected)", r->set_calls, r->set_rejected)
CELL(c_intr, "%d", r->interruptions)
CELL(c_episodes, "%d (%d not covered)", r->shortfalls, r->uncovered_shortfalls)
CELL(c_after, "%.2f", r->od_hours_after_recovery)
CELL(c_flaps, "%d", r->flaps)
CELL(c_inv, "%d (%d failed)", r->invocations, r->invocation_failures)
CELL(c_oracle, "$%.2f", r->oracle_cost)

static void c_policy(char *b, size_t n, const run_slot *x) { snprintf(b, n, "%s", x->pol->name); }
static void c_reactive(char *b, size_t n, const run_slot *x) {
    snprintf(b, n, "$%.2f at %.3f %%", x->res.reactive_cost,
             floor(x->res.reactive_coverage_pct * 1000) / 1000);
}
static void c_own(char *b, size_t n, const run_slot *x) {
    sim_gap_format(x->res.total_cost, x->res.reactive_cost, x->res.coverage_pct, b, n);
}
static void c_gap(char *b, size_t n, const run_slot *x) {
    sim_gap_format(x->res.total_cost, x->res.oracle_cost, x->res.coverage_pct, b, n);
}
static void c_longest(char *b, size_t n, const run_slot *x) {
    cli_duration(b, n, x->res.longest_shortfall_s);
}
static void c_latency(char *b, size_t n, const run_slot *x) {
    char m[32], M[32];
    cli_duration(m, sizeof m, x->res.fallback_latency_median_s);
    cli_duration(M, sizeof M, x->res.fallback_latency_max_s);
    snprintf(b, n, "%s / %s", m, M);
}
static void c_return(char *b, size_t n, const run_slot *x) {
    char m[32], M[32];
    cli_duration(m, sizeof m, x->res.return_delay_median_s);
    cli_duration(M, sizeof M, x->res.return_delay_max_s);
    snprintf(b, n, "%s / %s", m, M);
}

static const struct {
    const char *label;
    cell_fn fn;
} rows[] = {
    {"policy", c_policy},
    {"run id", c_run},
    {"spot cost", c_spot},
    {"on-demand cost", c_od},
    {"total cost", c_total},
    {"% of all-on-demand cost", c_pct},
    {"oracle cost (full coverage)", c_oracle},
    {"gap to oracle", c_gap},
    {"reactive bound", c_reactive},
    {"gap to reactive (own)", c_own},
    {"coverage (unit-time)", c_cov},
    {"shortfall unit-hours", c_short},
    {"longest shortfall", c_longest},
    {"minutes below target", c_below},
    {"on-demand instance-hours", c_odh},
    {"launches", c_launch},
    {"set calls", c_calls},
    {"interruptions", c_intr},
    {"spot shortfalls", c_episodes},
    {"fallback latency med/max", c_latency},
    {"return-to-spot med/max", c_return},
    {"on-demand h after recovery", c_after},
    {"flaps", c_flaps},
    {"controller invocations", c_inv},
};

static void print_table(const sim_scenario *sc, const run_slot *runs, size_t n) {
    char t0[32], t1[32];
    trc_time_format(sc->start, t0, sizeof t0);
    trc_time_format(sc->end, t1, sizeof t1);
    printf("scenario  %s (%s mode, %s billing, seed %llu)\n", sc->name,
           sc->mode == SIM_MODEL ? "model" : "direct",
           sc->billing == SIM_PER_HOUR ? "per-hour" : "per-second",
           (unsigned long long)sc->seed);
    printf("span      %s .. %s\n\n", t0, t1);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        printf("%-28s", rows[i].label);
        for (size_t r = 0; r < n; r++) {
            char cell[96];
            rows[i].fn(cell, sizeof cell, &runs[r]);
            printf("  %22s", cell);
        }
        putchar('\n');
    }
    printf("\nlatency: start of a spot shortfall to on-demand covering it; "
           "return: spot back to on-demand released\n");
    /* Notes once per text: every policy of a run shares the spot side. */
    char seen[8][sizeof(sim_note)];
    int nseen = 0;
    for (size_t r = 0; r < n; r++) {
        sim_note notes[5];
        int k = sim_notes(sc, runs[r].pol, &runs[r].res, notes, 5);
        for (int i = 0; i < k; i++) {
            int dup = 0;
            for (int j = 0; j < nseen; j++) dup |= strcmp(seen[j], notes[i].text) == 0;
            if (dup) continue;
            if (nseen < 8) memcpy(seen[nseen++], notes[i].text, sizeof seen[0]);
            printf("note: %s\n", notes[i].text);
        }
    }
}

static void print_json(const sim_scenario *sc, const run_slot *x) {
    const sim_result *r = &x->res;
    char name[2 * sizeof sc->name];
    trc_json_escape(name, sizeof name, sc->name);
    printf("{\"run_id\": %lld, \"scenario\": \"%s\", \"hash\": \"%s\", "
           "\"policy\": \"%s\", \"params\": {",
           (long long)x->run_id, name, sc->hash, x->pol->name);
    for (size_t i = 0; i < x->pol->nparams; i++)
        printf("%s\"%s\": %.17g", i ? ", " : "", x->pol->params[i].name, x->params.v[i]);
    printf("}, \"seed\": %llu, \"summary\": {", (unsigned long long)sc->seed);
    for (size_t i = 0; i < sim_result_nfields; i++) {
        const sim_field *f = &sim_result_fields[i];
        const char *p = (const char *)r + f->off;
        printf("%s\"%s\": ", i ? ", " : "", f->name);
        switch (f->type) {
        case SIM_F_DOUBLE: printf("%.17g", *(const double *)p); break;
        case SIM_F_INT: printf("%d", *(const int *)p); break;
        case SIM_F_INT64: printf("%lld", (long long)*(const int64_t *)p); break;
        }
    }
    /* No negative gap: a run below the bound covers less (see notes). */
    if (r->total_cost >= r->oracle_cost - 0.005)
        printf(", \"gap_to_oracle\": %.17g",
               r->total_cost > r->oracle_cost ? r->total_cost - r->oracle_cost : 0.0);
    else
        printf(", \"gap_to_oracle\": null");
    printf("}, \"notes\": [");
    sim_note notes[5];
    int k = sim_notes(sc, x->pol, r, notes, 5);
    for (int i = 0; i < k; i++) {
        char esc[2 * sizeof notes[0].text];
        trc_json_escape(esc, sizeof esc, notes[i].text);
        printf("%s\"%s\"", i ? ", " : "", esc);
    }
    printf("]}\n");
}

/* ---- over seeds ---------------------------------------------------------- */

/* One figure of a policy's runs over the seeds, as a cell: "mean [lo, hi]"
** or "min .. max". */
typedef double (*fig_fn)(const sim_result *r);
static double f_total(const sim_result *r) { return r->total_cost; }
static double f_gap(const sim_result *r) { return r->total_cost - r->oracle_cost; }
static double f_own(const sim_result *r) { return r->total_cost - r->reactive_cost; }
/* Truncated, as every table does: a shortfall never reads 100.000. */
static double f_cov(const sim_result *r) { return floor(r->coverage_pct * 1000) / 1000; }
static double f_cov_mean(const sim_result *r) { return r->coverage_pct; }
static double f_short(const sim_result *r) { return r->shortfall_unit_hours; }
static double f_odh(const sim_result *r) { return r->od_instance_hours; }
static double f_lat(const sim_result *r) { return (double)r->fallback_latency_max_s; }
static double f_flaps(const sim_result *r) { return r->flaps; }

static const struct {
    const char *label, *fmt;
    fig_fn fn;
    int range; /* 0: mean [95 % CI], 1: min .. max */
} seed_rows[] = {
    {"total cost, mean [95 % CI]", "$%.2f", f_total, 0},
    {"total cost, min .. max", "$%.2f", f_total, 1},
    {"cost above oracle, mean", "%+.2f", f_gap, 0},
    {"cost above oracle, min .. max", "%+.2f", f_gap, 1},
    {"cost above reactive, mean", "%+.2f", f_own, 0},
    {"coverage %, mean", "%.3f", f_cov_mean, 0},
    {"coverage %, min .. max", "%.3f", f_cov, 1},
    {"shortfall unit-hours, mean", "%.2f", f_short, 0},
    {"on-demand instance-hours, mean", "%.2f", f_odh, 0},
    {"fallback latency max, s", "%.0f", f_lat, 1},
    {"flaps, mean", "%.1f", f_flaps, 0},
};

/* The runs of policy p over the seeds: runs[s * npol + p]. */
static void print_seeds(const sim_scenario *sc, const run_slot *runs, size_t npol,
                        const uint64_t *seeds, size_t nseeds) {
    printf("scenario  %s (%s mode, %s billing, %zu seeds: %llu .. %llu)\n", sc->name,
           sc->mode == SIM_MODEL ? "model" : "direct",
           sc->billing == SIM_PER_HOUR ? "per-hour" : "per-second", nseeds,
           (unsigned long long)seeds[0], (unsigned long long)seeds[nseeds - 1]);
    if (!sim_scenario_random(sc))
        printf("          nothing in it is drawn at random: every seed gives the same run\n");
    printf("\n%-32s", "policy");
    for (size_t p = 0; p < npol; p++) printf("  %26s", runs[p].pol->name);
    putchar('\n');
    double *v = malloc(nseeds * sizeof *v);
    if (!v) return;
    for (size_t i = 0; i < sizeof seed_rows / sizeof seed_rows[0]; i++) {
        printf("%-32s", seed_rows[i].label);
        for (size_t p = 0; p < npol; p++) {
            for (size_t k = 0; k < nseeds; k++) v[k] = seed_rows[i].fn(&runs[k * npol + p].res);
            lab_stat st;
            lab_stat_of(v, nseeds, &st);
            char a[40], b[40], cell[96];
            if (seed_rows[i].range) {
                snprintf(a, sizeof a, seed_rows[i].fmt, st.min);
                snprintf(b, sizeof b, seed_rows[i].fmt, st.max);
                snprintf(cell, sizeof cell, "%s .. %s", a, b);
            } else if (!strcmp(seed_rows[i].label, "total cost, mean [95 % CI]")) {
                snprintf(cell, sizeof cell, "$%.2f [%.2f, %.2f]", st.mean, st.lo, st.hi);
            } else {
                /* The mean coverage truncated too. */
                double m = seed_rows[i].fn == f_cov_mean ? floor(st.mean * 1000) / 1000
                                                         : st.mean;
                snprintf(cell, sizeof cell, seed_rows[i].fmt, m);
            }
            printf("  %26s", cell);
        }
        putchar('\n');
    }
    free(v);
    printf("%-32s", "run ids, first .. last");
    for (size_t p = 0; p < npol; p++) {
        char cell[64];
        snprintf(cell, sizeof cell, "%lld .. %lld", (long long)runs[p].run_id,
                 (long long)runs[(nseeds - 1) * npol + p].run_id);
        printf("  %26s", cell);
    }
    printf("\n\n95 %% CI: Student's t interval of the mean over the seeds; every policy "
           "sees the same spot side at a seed\n");
    /* Each note once (the fallback one is on stderr already). */
    cli_notes *cn = cli_notes_new("seeds");
    for (size_t k = 0; k < nseeds * npol; k++)
        cli_notes_add(cn, sc->name, sc, runs[k].pol, NULL, &runs[k].res);
    cli_notes_print(cn, stdout);
    cli_notes_free(cn);
}

/* run --seeds: each policy at each seed, the seed a scenario field given
** after the others ("seed=S", stored with the run). */
static int run_seeds_open(const char *path, const pol_policy *const *pols, size_t npol,
                          const char *const *sets, size_t nsets, const uint64_t *seeds,
                          size_t nseeds, const char *db_path, int timeseries, int json);
static int run_seeds(const char *path, const char *const *names, size_t npol,
                     const char *const *sets, size_t nsets, const uint64_t *seeds,
                     size_t nseeds, const char *db_path, int timeseries, int json) {
    const pol_policy *pols[MAX_POLICIES];
    int orc = cli_policies_open("run", names, npol, 0, pols);
    if (orc != CLI_OK) return orc;
    int rc = run_seeds_open(path, pols, npol, sets, nsets, seeds, nseeds, db_path,
                            timeseries, json);
    cli_policies_close(pols, npol);
    return rc;
}

static int run_seeds_open(const char *path, const pol_policy *const *pols, size_t npol,
                          const char *const *sets, size_t nsets, const uint64_t *seeds,
                          size_t nseeds, const char *db_path, int timeseries, int json) {
    char err[512];
    const char *all[MAX_SETS + 1];
    lab_sets ls;
    for (size_t i = 0; i < nsets; i++)
        if (!strncmp(sets[i], "seed=", 5)) {
            cli_error("--set %s: --seeds gives each run its seed", sets[i]);
            return CLI_BADINPUT;
        }
    /* The rule over every chosen policy, as without --seeds: a parameter
    ** goes to the policies that have it (each run gets lab_sets_for's). */
    if (npol && lab_sets_split(pols, npol, sets, nsets, &ls, err, sizeof err)) {
        cli_error("%s", err);
        return CLI_BADINPUT;
    }
    size_t np = npol ? npol : 1;
    run_slot *runs = calloc(nseeds * np, sizeof *runs);
    if (!runs) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    st_db *db = NULL;
    sim_scenario sc;
    int loaded = 0, rc = CLI_OK;
    for (size_t k = 0; k < nseeds && rc == CLI_OK; k++) {
        char seed[32];
        snprintf(seed, sizeof seed, "seed=%llu", (unsigned long long)seeds[k]);
        for (size_t p = 0; p < np && rc == CLI_OK; p++) {
            run_slot *r = &runs[k * np + p];
            r->pol = npol ? pols[p] : NULL;
            size_t na = npol ? lab_sets_for(r->pol, sets, nsets, all) : nsets;
            if (!npol) memcpy(all, sets, nsets * sizeof *all);
            all[na++] = seed;
            /* Loaded for each policy (its parameters come with the load);
            ** the previous load is freed first, and `loaded` says whether
            ** sc holds one, whatever lab_load returns. */
            if (loaded) sim_scenario_free(&sc);
            loaded = 0;
            if (lab_load(path, &r->pol, all, na, NULL, &sc, &r->params, err, sizeof err)) {
                cli_error("%s", err);
                rc = CLI_BADINPUT;
                break;
            }
            loaded = 1;
            if (k == 0) cli_note_fallback(&sc, r->pol, &r->params);
            if (!db && st_open(db_path, &db, err, sizeof err)) {
                cli_error("%s", err);
                rc = CLI_FAIL;
                break;
            }
            lab_sets_split(&r->pol, 1, all, na, &ls, err, sizeof err);
            const char *stored[2 * MAX_SETS + 2];
            size_t ns = 0;
            for (size_t i = 0; i < ls.nfield; i++) stored[ns++] = ls.field[i];
            for (size_t i = 0; i < ls.nparam; i++) stored[ns++] = ls.param[i];
            rc = cli_run_one(db, &sc, r->pol, &r->params, stored, ns, timeseries, &r->res,
                             &r->run_id);
            if (rc == CLI_OK && json) print_json(&sc, r);
        }
    }
    st_close(db);
    if (rc == CLI_OK && !json) print_seeds(&sc, runs, np, seeds, nseeds);
    if (loaded) sim_scenario_free(&sc);
    free(runs);
    return rc;
}

static int run_open(const char *path, const pol_policy **pols, size_t npol,
                    const char *const *sets, size_t nsets, const char *db_path,
                    int timeseries, int json);

int cmd_run(int argc, char **argv) {
    const char *path = NULL, *db_path = "results/spotbench.db";
    const char *pol_names[MAX_POLICIES], *sets[MAX_SETS];
    size_t npol = 0, nsets = 0, nseeds = 0;
    uint64_t seeds[LAB_MAX_SEEDS];
    int timeseries = 0, json = 0;
    cli_args a;
    cli_args_init(&a, "run", NULL, run_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (path) return cli_usage("run", "more than one scenario");
            path = a.val;
        } else if (cli_is(&a, "--policy")) {
            if (npol == MAX_POLICIES) return cli_usage("run", "too many --policy options");
            pol_names[npol++] = a.val;
        } else if (cli_is(&a, "--set")) {
            if (nsets == MAX_SETS) return cli_usage("run", "too many --set options");
            sets[nsets++] = a.val;
        } else if (cli_is(&a, "--db")) {
            db_path = a.val;
        } else if (cli_is(&a, "--timeseries")) {
            timeseries = 1;
        } else if (cli_is(&a, "--json")) {
            json = 1;
        } else if (cli_is(&a, "--seeds")) {
            char e[200];
            if (lab_seeds_parse(a.val, seeds, &nseeds, e, sizeof e))
                return cli_usage("run", "%s", e);
        }
    }
    if (!path) return cli_usage("run", "a SCENARIO file is required");
    if (nseeds)
        return run_seeds(path, pol_names, npol, sets, nsets, seeds, nseeds, db_path,
                         timeseries, json);

    /* Load everything before touching the database: a run that fails to
    ** load writes nothing. */
    const pol_policy *pols[MAX_POLICIES];
    int orc = cli_policies_open("run", pol_names, npol, 0, pols);
    if (orc != CLI_OK) return orc;
    orc = run_open(path, pols, npol, sets, nsets, db_path, timeseries, json);
    cli_policies_close(pols, npol);
    return orc;
}

static int run_open(const char *path, const pol_policy **pols, size_t npol,
                    const char *const *sets, size_t nsets, const char *db_path,
                    int timeseries, int json) {
    char err[512];
    lab_sets ls;
    sim_scenario sc;
    if (lab_sets_split(pols, npol, sets, nsets, &ls, err, sizeof err) ||
        sim_scenario_load(path, ls.field, ls.nfield, &sc, err, sizeof err)) {
        cli_error("%s", err);
        return CLI_BADINPUT;
    }
    run_slot runs[MAX_POLICIES];
    size_t nruns = npol ? npol : 1;
    memset(runs, 0, sizeof runs);
    int rc = CLI_BADINPUT;
    if (!npol) {
        /* The scenario's controller.policy: the rule again, with it chosen. */
        pols[0] = sc.policy;
        if (lab_sets_split(pols, 1, sets, nsets, &ls, err, sizeof err)) goto bad;
    }
    for (size_t i = 0; i < nruns; i++) {
        runs[i].pol = pols[i];
        sim_scenario_params(&sc, runs[i].pol, &runs[i].params);
        if (lab_sets_params(runs[i].pol, &ls, &runs[i].params, err, sizeof err) ||
            lab_run_check(&sc, runs[i].pol, &runs[i].params, ls.param, ls.nparam, err,
                          sizeof err))
            goto bad;
    }
    for (size_t i = 0; i < nruns; i++) {
        size_t j = 0; /* once per policy and value */
        while (j < i && !(runs[j].pol == runs[i].pol &&
                          !memcmp(&runs[j].params, &runs[i].params, sizeof runs[i].params)))
            j++;
        if (j == i) cli_note_fallback(&sc, runs[i].pol, &runs[i].params);
    }

    st_db *db = NULL;
    rc = CLI_OK;
    if (st_open(db_path, &db, err, sizeof err)) {
        cli_error("%s", err);
        rc = CLI_FAIL;
        goto out;
    }
    const char *all_sets[2 * MAX_SETS];
    for (size_t i = 0; i < ls.nfield; i++) all_sets[i] = ls.field[i];
    for (size_t i = 0; i < ls.nparam; i++) all_sets[ls.nfield + i] = ls.param[i];
    for (size_t i = 0; i < nruns && rc == CLI_OK; i++)
        rc = cli_run_one(db, &sc, runs[i].pol, &runs[i].params, all_sets,
                         ls.nfield + ls.nparam, timeseries, &runs[i].res, &runs[i].run_id);
    st_close(db);
    if (rc == CLI_OK) {
        if (json)
            for (size_t i = 0; i < nruns; i++) print_json(&sc, &runs[i]);
        else
            print_table(&sc, runs, nruns);
    }
    goto out;
bad:
    cli_error("%s", err);
out:
    sim_scenario_free(&sc);
    return rc;
}
