/*
** cmd_compare.c: `spotbench compare`: every case of a suite with each
** policy, one sweep per policy in the database (so best, plot and merge
** work on them), and the regret table (lab/regret.h) per case and over
** the suite, as text or JSON, with a figure (plot/compare.c).
*/
#include "cli.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot/plot.h"
#include "lab/lab.h"
#include "lab/regret.h"

const char cmd_compare_usage[] =
    "usage: spotbench compare [DIR|SCENARIO] [--policy NAME]... [--set KEY=VALUE]...\n"
    "           [--seeds N|A-B|LIST] [--json] [--plot FILE] [-j N] [--db FILE]\n"
    "\n"
    "Runs every case of DIR (default traces/scenarios: each subfolder with a\n"
    "scenario.json) with each policy (default: every policy that can run live)\n"
    "and prints, per case and over the whole suite: total cost, coverage,\n"
    "regret (cost above the oracle's bound, USD and %), shortfall unit-hours,\n"
    "fallback latency, time back to spot, on-demand hours after recovery and\n"
    "flaps. A run cheaper than the bound covers less: its regret is n/a, with\n"
    "its coverage. Each policy's runs are stored as one sweep (its id is\n"
    "printed), so 'spotbench best', 'plot' and 'merge' work on them.\n"
    "\n"
    "options:\n"
    "  --policy NAME     a policy (repeat for several): a built-in, a variant\n"
    "                    NAME@KEY=VALUE,...[:LABEL], exec:COMMAND or ./lib.so\n"
    "                    (docs/own-policy.md); each row is labelled once. The\n"
    "                    native strategies mixed-instances and capacity-providers\n"
    "                    run when named, their parameters printed under the\n"
    "                    table; direct-mode cases are then left out\n"
    "  --set KEY=VALUE   for every run: a scenario field, or a parameter of the\n"
    "                    policies that have it\n"
    "  --seeds N         run each case at seeds 1 to N (also A-B, or S1,S2,...;\n"
    "                    default 20): figures are means, with each case's spread\n"
    "                    and a paired verdict for every two policies\n"
    "  --json            one JSON object instead of the table\n"
    "  --plot FILE       the table as a figure, policies x cases (.png, .svg)\n"
    "  -j N              worker processes (default: the number of cores)\n"
    "  --db FILE         the database (default results/spotbench.db)\n"
    "\n"
    "example:\n"
    "  spotbench compare --plot results/compare.png -j 2\n";

#define MAX_POLICIES 16
/* compare's seeds when --seeds is not given: enough for a paired interval
** to separate policies whose costs differ by a few percent. */
#define DEFAULT_SEEDS 20
#define MAX_SETS 64

/* The policy column's width: 10, or the longest name (a native strategy's
** "capacity-providers"). */
static int label_width(const lab_cmp *t) {
    int w = 10;
    for (size_t p = 0; p < t->npolicies; p++)
        if ((int)strlen(t->policies[p]) > w) w = (int)strlen(t->policies[p]);
    return w;
}

static void print_row(int w, const char *label, const lab_cmp_cell *x) {
    char ra[48], rp[48], own[48], lm[16], lM[16], bm[16], bM[16], lat[40], back[40];
    lab_cmp_regret_text(x, ra, sizeof ra, rp, sizeof rp);
    lab_cmp_own_text(x, own, sizeof own);
    cli_duration(lm, sizeof lm, x->lat_med);
    cli_duration(lM, sizeof lM, x->lat_max);
    cli_duration(bm, sizeof bm, x->ret_med);
    cli_duration(bM, sizeof bM, x->ret_max);
    snprintf(lat, sizeof lat, "%s / %s", lm, lM);
    snprintf(back, sizeof back, "%s / %s", bm, bM);
    /* Coverage truncated: a shortfall must never print as 100.000. */
    printf("  %-*s %10.2f %9.3f %20s %18s %21s %9.2f %17s %17s %8.2f %6d\n", w, label,
           x->total, floor(x->coverage * 1000) / 1000, ra, rp, own, x->shortfall_uh, lat, back,
           x->od_after, x->flaps);
}

/* Beside the suite's dollar total, each policy's regret per case: a suite
** whose largest case holds most of the dollars says little else. */
static void print_case_regret(const lab_cmp *t) {
    int w = label_width(t);
    printf("  %-*s %16s %16s  %s\n", w, "per case", "regret % median", "worst", "worst case");
    for (size_t p = 0; p < t->npolicies; p++) {
        double med, worst;
        size_t wc, n;
        if (lab_cmp_case_regret(t, p, &med, &worst, &wc, &n)) {
            printf("  %-*s %16s %16s  (n/a on every case)\n", w, t->policies[p], "-", "-");
            continue;
        }
        char a[32], b[32], c[96];
        snprintf(a, sizeof a, "%+.1f %%", med);
        snprintf(b, sizeof b, "%+.1f %%", worst);
        if (n < t->ncases)
            snprintf(c, sizeof c, "%s (of %zu cases; n/a on %zu)", t->cases[wc], n,
                     t->ncases - n);
        else
            snprintf(c, sizeof c, "%s", t->cases[wc]);
        printf("  %-*s %16s %16s  %s\n", w, t->policies[p], a, b, c);
    }
}

/* Case k's (k == ncases: the suite's) figures over the seeds: the mean
** total cost with its 95 % interval, and the extremes, of cost, regret and
** coverage. */
static void print_spread(const lab_cmp *t, size_t k) {
    int w = label_width(t);
    printf("  %-*s %27s %21s %19s %19s\n", w, "seeds", "total $ mean [95 % CI]",
           "total $ min .. max", "regret % min .. max", "cov % min .. max");
    for (size_t p = 0; p < t->npolicies; p++) {
        lab_stat c, v, r;
        char a[64], b[64], d[64], e[64];
        lab_cmp_stats(t, k, p, &c, &v, &r);
        snprintf(a, sizeof a, "%.2f [%.2f, %.2f]", c.mean, c.lo, c.hi);
        snprintf(b, sizeof b, "%.2f .. %.2f", c.min, c.max);
        snprintf(d, sizeof d, "%+.1f .. %+.1f", r.min, r.max);
        snprintf(e, sizeof e, "%.3f .. %.3f", floor(v.min * 1000) / 1000,
                 floor(v.max * 1000) / 1000);
        printf("  %-*s %27s %21s %19s %19s\n", w, t->policies[p], a, b, d, e);
    }
}

/* a against b as a reviewer would take it: by how much, with its interval,
** at how many seeds; or not distinguishable. */
static void verdict_text(const lab_cmp *t, size_t a, size_t b, char *buf, size_t len) {
    lab_cmp_verdict v;
    lab_cmp_verdict_of(t, a, b, &v);
    const lab_stat *d = &v.cost.diff, *c = &v.coverage.diff;
    size_t o = 0;
    if (v.cost.verdict) {
        int lower = v.cost.verdict < 0;
        size_t with = lower ? v.cost.below : v.cost.above, against = lower ? v.cost.above
                                                                            : v.cost.below;
        char where[96];
        if (with == t->nseeds) snprintf(where, sizeof where, "at every seed (%zu of %zu)", with,
                                        t->nseeds);
        else snprintf(where, sizeof where, "on average (%s at %zu of %zu seeds, %s at %zu)",
                      lower ? "cheaper" : "dearer", with, t->nseeds,
                      lower ? "dearer" : "cheaper", against);
        o += (size_t)snprintf(buf, len, "%s is %s than %s %s: by $%.2f (95 %% CI [%.2f, %.2f])",
                              t->policies[a], lower ? "cheaper" : "dearer", t->policies[b],
                              where, fabs(d->mean), lower ? -d->hi : d->lo,
                              lower ? -d->lo : d->hi);
    } else {
        o += (size_t)snprintf(buf, len, "%s and %s: cost not distinguishable at %zu seeds "
                              "(%+.2f $, 95 %% CI [%+.2f, %+.2f]; cheaper at %zu, dearer at "
                              "%zu)", t->policies[a], t->policies[b], t->nseeds, d->mean,
                              d->lo, d->hi, v.cost.below, v.cost.above);
    }
    if (o < len)
        snprintf(buf + o, len - o, "; coverage %+.3f points (95 %% CI [%+.3f, %+.3f])%s",
                 c->mean, c->lo, c->hi, v.coverage.verdict ? "" : ", not distinguishable");
}

/* Every pair of policies over the whole suite, paired seed by seed. */
static void print_verdicts(const lab_cmp *t) {
    printf("verdicts over %zu seeds, paired (the same seed gives every policy the same spot "
           "side), over all cases; 95 %% t intervals of the mean difference:\n", t->nseeds);
    for (size_t a = 0; a < t->npolicies; a++)
        for (size_t b = a + 1; b < t->npolicies; b++) {
            char buf[600];
            verdict_text(t, a, b, buf, sizeof buf);
            printf("  %s\n", buf);
        }
    printf("\n");
}

/* One seed decides nothing: say so when a case draws anything at random. */
static void note_one_draw(const lab_cmp *t) {
    size_t nrandom = 0;
    for (size_t k = 0; k < t->ncases; k++) nrandom += t->random[k] != 0;
    if (t->nseeds == 1 && nrandom)
        fprintf(stderr, "spotbench: note: one draw (seed %llu) decides every figure: %zu of "
                "the %zu cases draw delays or events at random, so a ranking may be luck "
                "(--seeds N runs N draws and states each verdict with its interval)\n",
                (unsigned long long)t->seeds[0], nrandom, t->ncases);
}

/* The settings of each native strategy as its runs had them on the
** suite's first case (its defaults, the case's controller.params, the
** --set values): a native strategy's parameters are the strategy. */
static void print_native_params(const pol_policy *const *list, size_t n, const char *path,
                                const char *const *sets, size_t nsets) {
    for (size_t i = 0; i < n; i++) {
        const pol_policy *pol = list[i];
        if (!pol->native) continue;
        const char *mine[256];
        size_t k = lab_sets_for(pol, sets, nsets < 256 ? nsets : 256, mine);
        sim_scenario sc;
        pol_params p;
        char err[1024];
        if (lab_load(path, &pol, mine, k, NULL, &sc, &p, err, sizeof err)) continue;
        sim_scenario_free(&sc);
        printf("parameters: %s:", pol->name);
        for (size_t j = 0; j < pol->nparams; j++)
            printf(" %s=%g", pol->params[j].name, p.v[j]);
        printf("\n");
    }
}

static void print_table(const lab_cmp *t, const int64_t *ids) {
    const char *hdr = "  %-*s %10s %9s %20s %18s %21s %9s %17s %17s %8s %6s\n";
    int w = label_width(t);
    for (size_t k = 0; k <= t->ncases; k++) {
        int all = k == t->ncases;
        char over[96] = "";
        if (t->nseeds > 1)
            snprintf(over, sizeof over, "; means over %zu seeds%s", t->nseeds,
                     !all && !t->random[k] ? ", nothing random: every seed the same" : "");
        const lab_cmp_cell *c0 = all ? &t->agg[0] : &t->cell[k * t->npolicies];
        char name[80];
        if (all) snprintf(name, sizeof name, "ALL %zu CASES", t->ncases);
        else snprintf(name, sizeof name, "%s", t->cases[k]);
        printf("%s (oracle $%.2f; reactive $%.2f at %.3f %%%s)\n", name, c0->oracle,
               c0->reactive, floor(c0->reactive_cov * 1000) / 1000, over);
        printf(hdr, w, "policy", "total $", "cov %", "regret $", "regret %", "own $",
               "short uh", "fallback med/max", "to spot med/max", "od h aft", "flaps");
        for (size_t p = 0; p < t->npolicies; p++)
            print_row(w, t->policies[p], all ? &t->agg[p] : &t->cell[k * t->npolicies + p]);
        if (all) print_case_regret(t);
        if (t->nseeds > 1) print_spread(t, k);
        printf("\n");
    }
    if (t->nseeds > 1) print_verdicts(t);
    printf("sweeps:");
    for (size_t p = 0; p < t->npolicies; p++)
        printf(" %s=%lld", t->policies[p], (long long)ids[p]);
    printf("\nregret: total cost above the oracle's bound (full coverage at the least "
           "cost); n/a: cheaper than the bound because it covers less; over all cases, "
           "summed where defined. own: cost above the reactive bound (acting at once on "
           "each shortfall as AWS makes it known; n/a: cheaper than that bound because it "
           "covers less); regret less own is what not knowing the future costs. cov: "
           "coverage of the required unit-time; short uh: "
           "shortfall unit-hours; fallback: spot shortfall to on-demand covering it; to "
           "spot: spot back to on-demand released (medians over the cases with a "
           "shortfall, the largest maximum); od h aft: on-demand hours after recovery\n");
}

static cJSON *cell_json(const lab_cmp_cell *x) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "total_cost", x->total);
    cJSON_AddNumberToObject(o, "oracle_cost", x->oracle);
    cJSON_AddNumberToObject(o, "coverage_pct", x->coverage);
    if (x->ncases == 1 && !x->regret_ok) {
        cJSON_AddNullToObject(o, "regret");
        cJSON_AddNullToObject(o, "regret_pct");
        cJSON_AddStringToObject(o, "regret_note",
                                "cheaper than the oracle's bound because it covers less");
    } else {
        cJSON_AddNumberToObject(o, "regret", x->regret);
        cJSON_AddNumberToObject(o, "regret_pct", x->regret_pct);
    }
    if (x->ncases > 1) cJSON_AddNumberToObject(o, "regret_na_cases", x->na);
    cJSON_AddNumberToObject(o, "reactive_cost", x->reactive);
    cJSON_AddNumberToObject(o, "reactive_coverage_pct", x->reactive_cov);
    if (x->ncases == 1 && !x->own_ok) {
        cJSON_AddNullToObject(o, "own_regret");
        cJSON_AddStringToObject(o, "own_regret_note",
                                "cheaper than the reactive bound because it covers less");
    } else {
        cJSON_AddNumberToObject(o, "own_regret", x->own);
    }
    if (x->ncases > 1) cJSON_AddNumberToObject(o, "own_regret_na_cases", x->own_na);
    cJSON_AddNumberToObject(o, "shortfall_unit_hours", x->shortfall_uh);
    cJSON_AddNumberToObject(o, "fallback_latency_median_s", (double)x->lat_med);
    cJSON_AddNumberToObject(o, "fallback_latency_max_s", (double)x->lat_max);
    cJSON_AddNumberToObject(o, "return_delay_median_s", (double)x->ret_med);
    cJSON_AddNumberToObject(o, "return_delay_max_s", (double)x->ret_max);
    cJSON_AddNumberToObject(o, "od_hours_after_recovery", x->od_after);
    cJSON_AddNumberToObject(o, "flaps", x->flaps);
    return o;
}

/* A figure over the seeds: mean, interval, extremes and every seed's value. */
static cJSON *stat_json(const lab_stat *x, const lab_cmp *t, size_t k, size_t p, int which) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "mean", x->mean);
    cli_json_interval(o, "ci95", x->lo, x->hi);
    cJSON_AddNumberToObject(o, "min", x->min);
    cJSON_AddNumberToObject(o, "max", x->max);
    cJSON *v = cJSON_AddArrayToObject(o, "per_seed");
    for (size_t i = 0; i < t->nseeds; i++) {
        const lab_cmp_cell *c = k == t->ncases ? &t->rep_agg[i * t->npolicies + p]
                                               : &t->rep[(i * t->ncases + k) * t->npolicies + p];
        double val = which == 0 ? c->total : which == 1 ? c->coverage : c->regret_pct;
        cJSON_AddItemToArray(v, cJSON_CreateNumber(val));
    }
    return o;
}

static cJSON *seeds_json(const lab_cmp *t, size_t k, size_t p) {
    lab_stat c, v, r;
    lab_cmp_stats(t, k, p, &c, &v, &r);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "total_cost", stat_json(&c, t, k, p, 0));
    cJSON_AddItemToObject(o, "coverage_pct", stat_json(&v, t, k, p, 1));
    cJSON_AddItemToObject(o, "regret_pct", stat_json(&r, t, k, p, 2));
    return o;
}

static cJSON *paired_json(const lab_paired *x) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "mean", x->diff.mean);
    cli_json_interval(o, "ci95", x->diff.lo, x->diff.hi);
    cJSON_AddNumberToObject(o, "seeds_lower", (double)x->below);
    cJSON_AddNumberToObject(o, "seeds_higher", (double)x->above);
    cJSON_AddStringToObject(o, "verdict", x->verdict < 0   ? "lower"
                                          : x->verdict > 0 ? "higher"
                                                           : "not distinguishable");
    return o;
}

static cJSON *verdicts_json(const lab_cmp *t) {
    cJSON *arr = cJSON_CreateArray();
    for (size_t a = 0; a < t->npolicies; a++)
        for (size_t b = a + 1; b < t->npolicies; b++) {
            lab_cmp_verdict v;
            lab_cmp_verdict_of(t, a, b, &v);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "a", t->policies[a]);
            cJSON_AddStringToObject(o, "b", t->policies[b]);
            cJSON_AddItemToObject(o, "total_cost_a_minus_b", paired_json(&v.cost));
            cJSON_AddItemToObject(o, "coverage_pct_a_minus_b", paired_json(&v.coverage));
            cJSON_AddItemToArray(arr, o);
        }
    return arr;
}

static int print_json(const char *dir, const lab_cmp *t, const int64_t *ids,
                      const cli_notes *notes) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "suite", dir);
    cJSON *sd = cJSON_AddArrayToObject(o, "seeds");
    for (size_t i = 0; i < t->nseeds; i++)
        cJSON_AddItemToArray(sd, cJSON_CreateNumber((double)t->seeds[i]));
    cJSON *pol = cJSON_AddArrayToObject(o, "policies");
    cJSON *sw = cJSON_AddObjectToObject(o, "sweeps");
    for (size_t p = 0; p < t->npolicies; p++) {
        cJSON_AddItemToArray(pol, cJSON_CreateString(t->policies[p]));
        cJSON_AddNumberToObject(sw, t->policies[p], (double)ids[p]);
    }
    cJSON *cases = cJSON_AddArrayToObject(o, "cases");
    for (size_t k = 0; k < t->ncases; k++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "case", t->cases[k]);
        cJSON_AddBoolToObject(c, "random", t->random[k]);
        cJSON *runs = cJSON_AddObjectToObject(c, "runs");
        for (size_t p = 0; p < t->npolicies; p++) {
            cJSON *r = cell_json(&t->cell[k * t->npolicies + p]);
            cJSON_AddItemToObject(r, "over_seeds", seeds_json(t, k, p));
            cJSON_AddItemToObject(runs, t->policies[p], r);
        }
        cJSON_AddItemToArray(cases, c);
    }
    cJSON *agg = cJSON_AddObjectToObject(o, "all_cases");
    for (size_t p = 0; p < t->npolicies; p++) {
        cJSON *r = cell_json(&t->agg[p]);
        double med, worst;
        size_t wc, n;
        if (lab_cmp_case_regret(t, p, &med, &worst, &wc, &n) == 0) {
            cJSON *pc = cJSON_AddObjectToObject(r, "regret_pct_per_case");
            cJSON_AddNumberToObject(pc, "median", med);
            cJSON_AddNumberToObject(pc, "worst", worst);
            cJSON_AddStringToObject(pc, "worst_case", t->cases[wc]);
            cJSON_AddNumberToObject(pc, "cases", (double)n);
        } else {
            cJSON_AddNullToObject(r, "regret_pct_per_case");
        }
        cJSON_AddItemToObject(r, "over_seeds", seeds_json(t, t->ncases, p));
        cJSON_AddItemToObject(agg, t->policies[p], r);
    }
    cJSON_AddItemToObject(o, "verdicts", verdicts_json(t));
    cJSON_AddItemToObject(o, "notes", cli_notes_json(notes));
    char *s = cJSON_Print(o);
    cJSON_Delete(o);
    if (!s) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    puts(s);
    free(s);
    return CLI_OK;
}

static const cli_opt compare_opts[] = {
    {"--policy", "NAME"}, {"--set", "KEY=VALUE"}, {"--json", NULL}, {"--plot", "OUT"},
    {"--db", "FILE"}, {"-j", "N"}, {"--seeds", "N|A-B|LIST"}, {NULL, NULL}};
const cli_opt *const cmd_compare_opts[] = {compare_opts, NULL};

int cmd_compare(int argc, char **argv) {
    const char *dir = NULL, *db_path = "results/spotbench.db", *plot = NULL;
    const char *pols[MAX_POLICIES], *sets[MAX_SETS];
    size_t npols = 0, nsets = 0, nseeds = 0;
    uint64_t seeds[LAB_MAX_SEEDS];
    int json = 0, seeds_given = 0;
    long workers = sysconf(_SC_NPROCESSORS_ONLN);
    cli_args a;
    cli_args_init(&a, "compare", NULL, compare_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        const char *v = a.val;
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (dir) return cli_usage("compare", "more than one DIR");
            dir = v;
        } else if (cli_is(&a, "--policy")) {
            if (npols == MAX_POLICIES) return cli_usage("compare", "too many --policy");
            pols[npols++] = v;
        } else if (cli_is(&a, "--set")) {
            if (nsets == MAX_SETS) return cli_usage("compare", "too many --set");
            if (!cli_is_kv(v)) return cli_usage("compare", "--set %s: expected KEY=VALUE", v);
            sets[nsets++] = v;
        } else if (cli_is(&a, "--json")) {
            json = 1;
        } else if (cli_is(&a, "--plot")) {
            plot = v;
        } else if (cli_is(&a, "--db")) {
            db_path = v;
        } else if (cli_is(&a, "-j")) {
            if (cli_jobs(v, &workers))
                return cli_usage("compare", "-j %s: expected 1 to 1024", v);
        } else if (cli_is(&a, "--seeds")) {
            char e[200];
            if (lab_seeds_parse(v, seeds, &nseeds, e, sizeof e))
                return cli_usage("compare", "%s", e);
            seeds_given = 1;
        }
    }
    if (!dir) dir = "traces/scenarios";
    /* Enough seeds for a verdict unless told otherwise (docs/policies.md). */
    for (; nseeds == 0 || (!seeds_given && nseeds < DEFAULT_SEEDS); nseeds++)
        seeds[nseeds] = nseeds + 1;
    if (workers < 1) workers = 1;
    if (plot && cli_plot_ext_check(plot)) return CLI_BADINPUT; /* before the runs */
    const pol_policy *list[MAX_POLICIES];
    const char *names[MAX_POLICIES];
    size_t n = 0;
    int orc = cli_policies_open("compare", pols, npols, 1, list);
    if (orc != CLI_OK) return orc;
    n = npols;
    for (size_t i = 0; i < npols; i++)
        if (list[i]->simulation_only) {
            cli_error("--policy %s: the oracle is the bound every regret is measured "
                      "against, not a policy to compare",
                      pols[i]);
            cli_policies_close(list, n);
            return CLI_BADINPUT;
        }
    /* By default the controllers and their ends; a native strategy when
    ** named (--policy mixed-instances, docs/native.md). */
    for (const pol_policy *const *p = pol_list(); !npols && *p && n < MAX_POLICIES; p++)
        if (!(*p)->simulation_only && !(*p)->native) list[n++] = *p;
    for (size_t i = 0; i < n; i++) names[i] = pol_label(list[i]);

    lab_suite su;
    int rc = cli_suite_load(dir, &su);
    if (rc) {
        cli_policies_close(list, npols);
        return rc;
    }
    if ((rc = cli_suite_model_only(&su, list, n, sets, nsets))) {
        lab_suite_free(&su);
        cli_policies_close(list, npols);
        return rc;
    }
    lab_cmp t;
    int64_t ids[MAX_POLICIES];
    if (lab_cmp_init(&t, (const char *const *)su.name, su.n, names, n, seeds, nseeds)) {
        lab_suite_free(&su);
        cli_policies_close(list, npols);
        cli_error("out of memory");
        return CLI_FAIL;
    }
    char err[1024];
    rc = lab_cmp_run(&t, db_path, (const char *const *)su.path, list, sets, nsets,
                     (int)workers, cli_version(), ids, err, sizeof err);
    if (rc != CLI_OK) cli_error("%s", err);
    /* Every run's notes, each said once with the case and policies it
    ** concerns (cli/notes.c). */
    cli_notes *notes = rc == CLI_OK ? cli_notes_new("seeds") : NULL;
    cli_notes_omit(notes, SIM_NOTE_BELOW); /* each n/a cell says it */
    int notes_failed = rc == CLI_OK && cli_notes_sweeps(notes, db_path, ids, n, SIZE_MAX,
                                                        (const char *const *)su.name, err,
                                                        sizeof err);
    if (notes_failed) cli_error("notes: %s", err); /* the figures stand: printed all the same */
    if (rc == CLI_OK) {
        lab_cmp_aggregate(&t);
        note_one_draw(&t);
        if (json) {
            rc = print_json(dir, &t, ids, notes);
        } else {
            print_table(&t, ids);
            print_native_params(list, n, su.path[0], sets, nsets);
            cli_notes_print(notes, stdout);
        }
    }
    cli_notes_free(notes);
    if (rc == CLI_OK && notes_failed) rc = CLI_FAIL;
    /* The figure's path once the runs made the database's folder, which it
    ** may share: a refused path is bad input (cli/cli.h). */
    if (rc == CLI_OK && plot && (rc = cli_out_check(plot)) == CLI_OK) {
        char err[600];
        if (pl_compare(&t, dir, plot, err, sizeof err)) {
            cli_error("%s", err);
            rc = CLI_FAIL;
        } else if (!json) {
            printf("figure: %s\n", plot);
        }
    }
    lab_cmp_free(&t);
    lab_suite_free(&su);
    cli_policies_close(list, npols);
    return rc;
}
