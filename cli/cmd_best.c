/*
** cmd_best.c: `spotbench best`: the cheapest parameter set of a stored
** sweep meeting a coverage on every scenario (or, with --worst-case, the
** cheapest in its worst case over some unknowns), and the `spotbench
** deploy` that puts it in a stack. best.c chooses; this file parses, reads
** the sweep and prints the choice as text or as JSON (two printers over
** the same choice).
*/
#include "cli.h"

#include <math.h>

#include "lab/tune.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/sweep.h"

const char cmd_best_usage[] =
    "usage: spotbench best --sweep ID|last --min-coverage PCT [--worst-case KEY[,KEY]...]\n"
    "                      [--allow-unknowns] [--db FILE] [--json] [--stack FILE]\n"
    "                      [--live-config FILE\n"
    "                      [--SpotAutoScalingGroupName NAME | --FleetRequestId ID]\n"
    "                      [--AutoScalingGroupName NAME]] [--spot-fleet]\n"
    "\n"
    "Prints the cheapest parameter set of sweep ID (total cost summed over its\n"
    "scenarios) whose coverage is at least PCT on every scenario; exit 1 when\n"
    "none does. It names the policy and the point, for 'spotbench deploy\n"
    "cloudformation SCENARIO --sweep ID --point K' (docs/deploy.md). --sweep last\n"
    "is the sweep stored last ('spotbench ls' lists them).\n"
    "\n"
    "A sweep whose axes are all unknowns of the world (a sensitivity sweep:\n"
    "cloudwatch.*, controller.Offset, controller.Jitter) has no setting to\n"
    "deploy: it is refused unless --worst-case names the unknowns or\n"
    "--allow-unknowns asks for its cheapest point anyway.\n"
    "\n"
    "  --worst-case KEYS  treat these --grid axes of the sweep as unknowns (e.g.\n"
    "                     cloudwatch.IngestionDelay,controller.Offset): rank the\n"
    "                     other parameters by their worst cost over them, among\n"
    "                     those whose worst coverage is at least PCT\n"
    "  --allow-unknowns   rank a sensitivity sweep's points as if they were\n"
    "                     settings\n"
    "  --live-config FILE  also write the point's live configuration (live.json:\n"
    "                      the policy parameters of the sweep's first scenario\n"
    "                      with the point's settings; scenario fields such as\n"
    "                      asg.DefaultCooldown belong in the stack, and fields\n"
    "                      AWS cannot express are warnings)\n"
    "  --stack FILE       also write the point's CloudFormation template (what\n"
    "                     'spotbench deploy cloudformation' of the point writes:\n"
    "                     its scenario fields, such as asg.DefaultCooldown, in the\n"
    "                     stack; its policy parameters in the rule's input)\n"
    "  --SpotAutoScalingGroupName NAME, --FleetRequestId ID,\n"
    "  --AutoScalingGroupName NAME\n"
    "                      the ids to put in it, the stack's outputs (default:\n"
    "                      the spot group's and the on-demand group's\n"
    "                      placeholders)\n"
    "  --spot-fleet        the legacy Spot Fleet instead of the spot group, in\n"
    "                      the stack and the live configuration\n"
    "  --json             print one JSON object instead: {\"sweep\", \"policy\",\n"
    "                     \"min_coverage\", \"point\", \"parameters\", \"total_cost\",\n"
    "                     \"coverage_pct\", \"sets_complete\", \"sets\", \"runs\":\n"
    "                     [{\"run_id\", \"scenario\", \"total_cost\",\n"
    "                     \"coverage_pct\"}], \"deploy\"}; with --worst-case,\n"
    "                     total_cost and coverage_pct are {\"worst\", \"median\",\n"
    "                     \"best\"}, with \"worst_case_over\" and \"values\"; a\n"
    "                     failure prints {\"error\", \"exit_status\"}\n"
    "  --db FILE          the SQLite database (default results/spotbench.db)\n"
    "\n"
    "example (a new database: the sweep is number 1):\n"
    "  spotbench sweep traces/scenarios/seed-week/scenario.json --policy guarded \\\n"
    "      --grid window=300,600,900 --grid confirm=1,2,3 --db best.db --quiet\n"
    "  spotbench best --sweep 1 --min-coverage 99.9 --db best.db\n";

static const cli_opt best_opts[] = {
    {"--sweep", "ID"},           {"--min-coverage", "PCT"},
    {"--worst-case", "KEYS"},    {"--db", "FILE"},
    {"--live-config", "FILE"},   {"--FleetRequestId", "ID"},
    {"--SpotAutoScalingGroupName", "NAME"}, {"--AutoScalingGroupName", "NAME"},
    {"--spot-fleet", NULL}, {"--json", NULL}, {"--allow-unknowns", NULL},
    {"--stack", "FILE"},
    {NULL, NULL}};
const cli_opt *const cmd_best_opts[] = {best_opts, NULL};

#define DEFAULT_DB "results/spotbench.db"
#define MAX_OVER 16

/* The options of `best`. */
typedef struct {
    const char *db_path, *live, *stack;
    cli_live_ids ids;
    const char *worst_case;      /* --worst-case KEYS as given, or NULL */
    char keys[1024];             /* a copy of it, split into over[] */
    const char *over[MAX_OVER];
    size_t nover;
    int64_t id;
    double min_cov;
    int json, allow_unknowns;
} best_args;

/* What best reads of the sweep. */
typedef struct {
    lab_sweep_spec spec;
    st_sweep_row *rows;
    size_t nrows;
    lab_sweep_pset *psets;       /* the rows as parameter sets */
    size_t npsets;
} best_sweep;

/* Splits "K1,K2" in place into keys (pointers into buf). */
static size_t split_keys(char *buf, const char **keys, size_t max) {
    size_t n = 0;
    for (char *t = buf; t && *t && n < max;) {
        char *comma = strchr(t, ',');
        if (comma) *comma = '\0';
        keys[n++] = t;
        t = comma ? comma + 1 : NULL;
    }
    return n;
}

/* Says what went wrong on stderr and, with --json, as {"error",
** "exit_status"} on stdout too: a script reading the JSON sees the failure.
** Returns rc. */
static int best_fail(const best_args *o, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int best_fail(const best_args *o, int rc, const char *fmt, ...) {
    cli_jout j = {o->json, 0};
    va_list ap;
    va_start(ap, fmt);
    cli_jfailv(&j, rc, fmt, ap);
    va_end(ap);
    return rc;
}

/* Reads the arguments into *o. Returns an exit status, after saying why. */
static int best_parse(int argc, char **argv, best_args *o) {
    memset(o, 0, sizeof *o);
    o->db_path = DEFAULT_DB;
    o->min_cov = -1;
    cli_args a;
    cli_args_init(&a, "best", NULL, best_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) return cli_usage("best", "unexpected argument '%s'", a.val);
        if (cli_is(&a, "--worst-case")) {
            o->worst_case = a.val;
        } else if (cli_is(&a, "--sweep")) {
            if (cli_sweep_arg("best", a.val, &o->id)) return CLI_BADINPUT;
        } else if (cli_is(&a, "--min-coverage")) {
            if (cli_coverage("best", a.val, &o->min_cov)) return CLI_BADINPUT;
        } else if (cli_is(&a, "--db")) o->db_path = a.val;
        else if (cli_is(&a, "--live-config")) o->live = a.val;
        else if (cli_is(&a, "--stack")) o->stack = a.val;
        else if (cli_is(&a, "--json")) o->json = 1;
        else if (cli_is(&a, "--allow-unknowns")) o->allow_unknowns = 1;
        else cli_live_ids_arg(&a, &o->ids);
    }
    if (cli_live_ids_check("best", &o->ids)) return CLI_BADINPUT;
    if (!o->id || o->min_cov < 0)
        return cli_usage("best", "--sweep and --min-coverage are required");
    if (o->worst_case) {
        snprintf(o->keys, sizeof o->keys, "%s", o->worst_case);
        o->nover = split_keys(o->keys, o->over, MAX_OVER);
    }
    return CLI_OK;
}

/* Reads the sweep's spec and runs. Returns an exit status, after saying
** why. */
static int best_load(best_args *o, best_sweep *d) {
    char err[1024];
    st_db *db = NULL;
    int rc = CLI_FAIL;
    memset(d, 0, sizeof *d);
    if (access(o->db_path, F_OK) != 0)
        return best_fail(o, CLI_BADINPUT, "%s: no such database", o->db_path);
    if (st_open(o->db_path, &db, err, sizeof err)) goto fail;
    if (cli_sweep_resolve(db, &o->id, err, sizeof err) ||
        lab_sweep_load(db, o->id, &d->spec, err, sizeof err)) {
        rc = CLI_BADINPUT;
        goto fail;
    }
    if (st_sweep_rows(db, o->id, &d->rows, &d->nrows, err, sizeof err)) goto fail;
    if (lab_sweep_aggregate(d->rows, d->nrows, &d->psets, &d->npsets)) {
        snprintf(err, sizeof err, "out of memory");
        goto fail;
    }
    st_close(db);
    return CLI_OK;
fail:
    st_close(db);
    return best_fail(o, rc, "%s", err);
}

static void best_sweep_free(best_sweep *d) {
    free(d->rows);
    free(d->psets);
    lab_sweep_spec_free(&d->spec);
}

/* The `spotbench deploy` that puts point `point` in a stack. */
static void deploy_line(const best_args *o, const lab_sweep_spec *spec, size_t point,
                        char *buf, size_t len) {
    int other_db = strcmp(o->db_path, DEFAULT_DB) != 0;
    snprintf(buf, len,
             "spotbench deploy cloudformation %s --sweep %lld --point %zu%s%s -o stack.json",
             spec->scenarios[0], (long long)o->id, point, other_db ? " --db " : "",
             other_db ? o->db_path : "");
}

/* The chosen point handed over: its live configuration when asked for,
** then the JSON document, printed last as it always was (after the live
** configuration's notes). The live configuration's failure is the exit
** status even when the JSON is printed. */
static int hand_over(const best_args *o, const lab_sweep_spec *spec, size_t point,
                     cJSON *doc) {
    int rc = o->live ? cli_point_live_config(o->live, spec, point, &o->ids)
                     : CLI_OK;
    if (rc == CLI_OK && o->stack) {
        /* Its line goes to stderr when stdout carries the JSON. */
        fflush(stdout);
        int saved = o->json ? dup(1) : -1;
        if (saved >= 0) dup2(2, 1);
        rc = cli_point_stack(o->stack, spec, point, o->ids.spot_fleet);
        if (saved >= 0) {
            fflush(stdout);
            dup2(saved, 1);
            close(saved);
        }
    }
    if (o->json) {
        int jrc = cli_json_print(doc);
        if (rc == CLI_OK) rc = jrc;
    }
    return rc;
}

/* ---- best ---------------------------------------------------------------- */

static void print_best_text(const best_args *o, const best_sweep *d, const cli_best *r,
                            const char *deploy) {
    printf("sweep %lld: cheapest parameter set with coverage >= %.6g %% on every "
           "scenario (%zu of %zu sets complete)\n",
           (long long)o->id, o->min_cov, r->complete, lab_sweep_npoints(&d->spec));
    printf("policy      %s\n", d->spec.policy);
    printf("point       %zu\n", r->pick->point);
    printf("parameters  %s\n", r->pick->params);
    printf("total cost  $%.2f (summed over %zu scenarios)\n", r->pick->cost,
           d->spec.nscenarios);
    printf("coverage    %.3f %% (the lowest of its scenarios)\n", r->pick->coverage);
    for (size_t i = 0; i < r->nruns; i++)
        printf("  run %lld  %s  $%.2f  %.3f %%\n", (long long)r->runs[i].run_id,
               d->spec.scenarios[r->runs[i].scenario], r->runs[i].cost,
               r->runs[i].coverage);
    printf("deploy      %s\n", deploy);
}

static cJSON *best_json(const best_args *o, const best_sweep *d, const cli_best *r,
                        const char *deploy) {
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "sweep", (double)o->id);
    cJSON_AddItemToObject(doc, "policy", cli_json_str(d->spec.policy));
    cJSON_AddNumberToObject(doc, "min_coverage", o->min_cov);
    cJSON_AddNumberToObject(doc, "sets_complete", (double)r->complete);
    cJSON_AddNumberToObject(doc, "sets", (double)lab_sweep_npoints(&d->spec));
    cJSON_AddNumberToObject(doc, "point", (double)r->pick->point);
    cJSON_AddItemToObject(doc, "parameters", cli_params_json(r->pick->params));
    cJSON_AddNumberToObject(doc, "total_cost", r->pick->cost);
    cJSON_AddNumberToObject(doc, "coverage_pct", r->pick->coverage);
    cJSON *runs = cJSON_AddArrayToObject(doc, "runs");
    for (size_t i = 0; i < r->nruns; i++) {
        cJSON *jr = cJSON_CreateObject();
        cJSON_AddItemToArray(runs, jr);
        cJSON_AddNumberToObject(jr, "run_id", (double)r->runs[i].run_id);
        cJSON_AddItemToObject(jr, "scenario",
                              cli_json_str(d->spec.scenarios[r->runs[i].scenario]));
        cJSON_AddNumberToObject(jr, "total_cost", r->runs[i].cost);
        cJSON_AddNumberToObject(jr, "coverage_pct", r->runs[i].coverage);
    }
    cJSON_AddItemToObject(doc, "deploy", cli_json_str(deploy));
    return doc;
}

static int best_plain(const best_args *o, const best_sweep *d) {
    cli_best r;
    cli_best_pick(d->rows, d->nrows, d->psets, d->npsets, d->spec.nscenarios, o->min_cov,
                  &r);
    if (!r.pick && r.complete)
        return best_fail(o, CLI_FAIL,
                         "sweep %lld: none of its %zu parameter sets reaches %.6g %% "
                         "coverage on every scenario (the best reaches %.3f %%)",
                         (long long)o->id, r.complete, o->min_cov, r.best_cov);
    if (!r.pick)
        return best_fail(o, CLI_FAIL,
                         "sweep %lld: none does: no parameter set has been run on every "
                         "scenario yet", (long long)o->id);
    char deploy[4600];
    deploy_line(o, &d->spec, r.pick->point, deploy, sizeof deploy);
    cJSON *doc = NULL;
    if (o->json) doc = best_json(o, d, &r, deploy);
    else print_best_text(o, d, &r, deploy);
    return hand_over(o, &d->spec, r.pick->point, doc);
}

/* ---- best over seeds ------------------------------------------------------ */

/* A sweep whose last grid axis is the seeds (sweep --seeds, tune): each
** parameter set is the group of its seeds; the cheapest by mean cost among
** those meeting the floor at every seed and scenario. Groups whose mean
** lies within the pick's interval are ties the seeds cannot part. */
static int best_seeds(const best_args *o, const best_sweep *d) {
    const char *over[1] = {"seed"};
    cli_best_worst w;
    char err[1024];
    size_t ns = lab_sweep_nseeds(&d->spec);
    if (cli_best_worst_case(&d->spec, d->psets, d->npsets, over, 1, o->min_cov, &w, err,
                            sizeof err)) {
        cli_best_worst_free(&w);
        return best_fail(o, CLI_FAIL, "best: %s", err);
    }
    const lab_sweep_range *pick = NULL;
    for (size_t i = 0; i < w.nranges; i++) {
        const lab_sweep_range *g = &w.ranges[i];
        if (g->npoints == ns && g->cov_min >= o->min_cov &&
            (!pick || g->cost_mean < pick->cost_mean))
            pick = g;
    }
    if (!pick) {
        double best = w.best_cov;
        cli_best_worst_free(&w);
        return best_fail(o, CLI_FAIL,
                         "sweep %lld: none of its parameter sets reaches %.6g %% coverage at "
                         "every seed and scenario (the best reaches %.3f %%)",
                         (long long)o->id, o->min_cov, best);
    }
    size_t ties = 0;
    for (size_t i = 0; i < w.nranges; i++) {
        const lab_sweep_range *g = &w.ranges[i];
        ties += g != pick && g->npoints == ns && g->cov_min >= o->min_cov &&
                g->cost_mean <= pick->cost_hi;
    }
    char deploy[4600];
    deploy_line(o, &d->spec, pick->group, deploy, sizeof deploy);
    w.pick = pick;
    cli_best_settings(&d->spec, over, 1, &w);
    cJSON *doc = NULL;
    if (o->json) {
        doc = cJSON_CreateObject();
        cJSON_AddNumberToObject(doc, "sweep", (double)o->id);
        cJSON_AddItemToObject(doc, "policy", cli_json_str(d->spec.policy));
        cJSON_AddNumberToObject(doc, "min_coverage", o->min_cov);
        cJSON_AddNumberToObject(doc, "seeds", (double)ns);
        cJSON_AddNumberToObject(doc, "point", (double)pick->group);
        cJSON_AddNumberToObject(doc, "total_cost_mean", pick->cost_mean);
        cli_json_interval(doc, "total_cost_ci95", pick->cost_lo, pick->cost_hi);
        cJSON_AddNumberToObject(doc, "total_cost_min", pick->cost_min);
        cJSON_AddNumberToObject(doc, "total_cost_max", pick->cost_max);
        cJSON_AddNumberToObject(doc, "coverage_pct_min", pick->cov_min);
        cJSON_AddNumberToObject(doc, "ties", (double)ties);
        cJSON_AddItemToObject(doc, "deploy", cli_json_str(deploy));
    } else {
        printf("sweep %lld: cheapest parameter set by mean cost over %zu seeds, with coverage "
               ">= %.6g %% at every seed and scenario\n", (long long)o->id, ns, o->min_cov);
        printf("policy      %s\n", d->spec.policy);
        printf("point       %zu (at its first seed)\n", pick->group);
        printf("settings   ");
        for (size_t i = 0; i < w.nkv; i++) printf(" --set %s", w.kv[i]);
        printf("\nmean cost   $%.2f (95 %% CI [%.2f, %.2f]; %.2f .. %.2f over the seeds; summed "
               "over %zu scenarios)\n", pick->cost_mean, pick->cost_lo, pick->cost_hi,
               pick->cost_min, pick->cost_max, d->spec.nscenarios);
        printf("coverage    %.3f %% (the lowest of every seed and scenario)\n",
               floor(pick->cov_min * 1000) / 1000);
        if (ties)
            printf("ties        %zu other set%s meeting the floor %s a mean cost within that "
                   "interval: %zu seeds do not tell them apart\n", ties, ties == 1 ? "" : "s",
                   ties == 1 ? "has" : "have", ns);
        printf("deploy      %s\n", deploy);
    }
    int rc = hand_over(o, &d->spec, pick->group, doc);
    cli_best_worst_free(&w);
    return rc;
}

/* ---- best --worst-case --------------------------------------------------- */

static void print_worst_text(const best_args *o, const best_sweep *d,
                             const cli_best_worst *w, const char *deploy) {
    const lab_sweep_range *g = w->pick;
    printf("sweep %lld: cheapest worst case with coverage >= %.6g %% on every scenario, "
           "over %zu values of %s\n",
           (long long)o->id, o->min_cov, g->npoints, o->worst_case);
    printf("policy      %s\n", d->spec.policy);
    printf("parameters ");
    for (size_t i = 0; i < w->nkv; i++) printf(" %s", w->kv[i]);
    printf("\ntotal cost  $%.2f worst, $%.2f median, $%.2f best\n", g->cost_max,
           g->cost_median, g->cost_min);
    printf("coverage    %.3f %% worst, %.3f %% median, %.3f %% best\n", g->cov_min,
           g->cov_median, g->cov_max);
    printf("deploy      %s\n", deploy);
}

/* {"worst", "median", "best"} of a figure. */
static void add_range(cJSON *doc, const char *name, double worst, double median,
                      double best) {
    cJSON *o = cJSON_AddObjectToObject(doc, name);
    cJSON_AddNumberToObject(o, "worst", worst);
    cJSON_AddNumberToObject(o, "median", median);
    cJSON_AddNumberToObject(o, "best", best);
}

static cJSON *worst_json(const best_args *o, const best_sweep *d, const cli_best_worst *w,
                         const char *deploy) {
    const lab_sweep_range *g = w->pick;
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "sweep", (double)o->id);
    cJSON_AddItemToObject(doc, "policy", cli_json_str(d->spec.policy));
    cJSON_AddNumberToObject(doc, "min_coverage", o->min_cov);
    cJSON_AddItemToObject(doc, "worst_case_over", cli_json_str(o->worst_case));
    cJSON_AddNumberToObject(doc, "values", (double)g->npoints);
    cJSON_AddNumberToObject(doc, "point", (double)g->group);
    cJSON *jp = cJSON_AddObjectToObject(doc, "parameters");
    for (size_t i = 0; i < w->nkv; i++) cli_json_kv(jp, w->kv[i]);
    add_range(doc, "total_cost", g->cost_max, g->cost_median, g->cost_min);
    add_range(doc, "coverage_pct", g->cov_min, g->cov_median, g->cov_max);
    cJSON_AddItemToObject(doc, "deploy", cli_json_str(deploy));
    return doc;
}

static int best_worst(const best_args *o, const best_sweep *d) {
    char err[512];
    cli_best_worst w;
    int rc = CLI_FAIL;
    if (cli_best_worst_case(&d->spec, d->psets, d->npsets, o->over, o->nover, o->min_cov,
                            &w, err, sizeof err)) {
        rc = best_fail(o, CLI_BADINPUT, "best --worst-case: %s", err);
    } else if (!w.pick) {
        best_fail(o, CLI_FAIL,
                  "sweep %lld: no parameter set reaches %.6g %% coverage in its worst case "
                  "(the best worst case reaches %.3f %%)",
                  (long long)o->id, o->min_cov, w.best_cov);
    } else {
        char deploy[4600];
        /* One point of the group stands for it: its unknowns do not matter. */
        deploy_line(o, &d->spec, w.pick->group, deploy, sizeof deploy);
        cJSON *doc = NULL;
        if (o->json) doc = worst_json(o, d, &w, deploy);
        else print_worst_text(o, d, &w, deploy);
        rc = hand_over(o, &d->spec, w.pick->group, doc);
    }
    cli_best_worst_free(&w);
    return rc;
}

/* A sensitivity sweep asked for its "best" without saying what is meant:
** the exit status after saying why, or CLI_OK. */
static int refuse_unknowns(const best_args *o, const best_sweep *d) {
    if (o->worst_case || o->allow_unknowns || !lab_sweep_all_unknown(&d->spec)) return CLI_OK;
    char axes[512] = "";
    size_t n = 0;
    for (size_t i = 0; i < d->spec.ngrid && n < sizeof axes; i++) {
        if (strcmp(d->spec.grid[i].key, "seed") == 0) continue;
        int w = snprintf(axes + n, sizeof axes - n, "%s%s", n ? "," : "", d->spec.grid[i].key);
        if (w > 0) n += (size_t)w;
    }
    return best_fail(o, CLI_BADINPUT,
                     "sweep %lld varies only unknowns (%s): a sensitivity sweep of policy "
                     "%s, not settings to deploy; rank its settings' worst case with "
                     "--worst-case %s, or give --allow-unknowns ('spotbench ls' lists the "
                     "sweeps)",
                     (long long)o->id, axes, d->spec.policy, axes);
}

int cmd_best(int argc, char **argv) {
    best_args o;
    best_sweep d;
    int rc = best_parse(argc, argv, &o);
    if (rc != CLI_OK) {
        /* The options may not have been read: look for --json itself. */
        if (cli_argv_json(argc, argv))
            cli_json_error(rc, "bad arguments (the message is on stderr)");
        return rc;
    }
    rc = best_load(&o, &d);
    if (rc == CLI_OK) rc = refuse_unknowns(&o, &d);
    if (rc == CLI_OK)
        rc = o.worst_case                    ? best_worst(&o, &d)
             : lab_sweep_nseeds(&d.spec) > 1 ? best_seeds(&o, &d)
                                             : best_plain(&o, &d);
    best_sweep_free(&d);
    return rc;
}
