/*
** test_lab.c: the experiment layer (lab/): the one --set rule (lab.h) on
** every kind of key, the sets a run of one policy takes, one run's loaded
** inputs, and lab_sweep_drive's life of a sweep (a bad spec stores nothing;
** a second drive of the same spec with join resumes it and runs nothing;
** shards split the runs). Uses the bundled all-outbid-3h scenario (tests
** run from the repository root) and a database in a mkdtemp folder.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <math.h>

#include "lab/lab.h"
#include "lab/regress.h"
#include "lab/stats.h"
#include "lab/sweep.h"

#define SC "traces/scenarios/all-outbid-3h/scenario.json"

static char err[1024];

static const pol_policy *P(const char *name) {
    const pol_policy *p = pol_find(name);
    assert_non_null(p);
    return p;
}

static void split_follows_the_rule(void **state) {
    (void)state;
    const pol_policy *cg[2] = {P("classic"), P("guarded")};
    const char *sets[] = {"window=900", "asg.DefaultCooldown=300", "confirm=3",
                          "fleet.LaunchSpecifications[0].SpotPrice=0.05", "seed=7"};
    lab_sets s;
    assert_int_equal(lab_sets_split(cg, 2, sets, 5, &s, err, sizeof err), 0);
    /* Rule 1: window (both), confirm (guarded) are parameters, in order. */
    assert_int_equal(s.nparam, 2);
    assert_string_equal(s.param[0], "window=900");
    assert_string_equal(s.param[1], "confirm=3");
    /* Rule 3: the rest are fields, in order. */
    assert_int_equal(s.nfield, 3);
    assert_string_equal(s.field[0], "asg.DefaultCooldown=300");
    assert_string_equal(s.field[1], "fleet.LaunchSpecifications[0].SpotPrice=0.05");
    assert_string_equal(s.field[2], "seed=7");

    /* Rule 2: a parameter of other policies only. */
    const pol_policy *k = P("karpenter");
    const char *w[] = {"window=900"};
    assert_int_equal(lab_sets_split(&k, 1, w, 1, &s, err, sizeof err), -1);
    assert_string_equal(err, "--set window=900: 'window' is a parameter of classic and "
                             "guarded, not of karpenter (see 'spotbench policy list')");
    /* ... with two chosen, neither having it. */
    const pol_policy *kh[2] = {P("karpenter"), P("hedge")};
    assert_int_equal(lab_sets_split(kh, 2, w, 1, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "not of karpenter or hedge"));

    /* Rule 3's first name must be a scenario field. */
    const char *typo[] = {"windw=900"};
    assert_int_equal(lab_sets_split(cg, 2, typo, 1, &s, err, sizeof err), -1);
    assert_string_equal(err, "--set windw=900: unknown setting 'windw': not a parameter of "
                             "classic or guarded nor a scenario field (did you mean "
                             "'window'?)");
    const char *nested[] = {"asgg.DefaultCooldown=1"};
    assert_int_equal(lab_sets_split(cg, 2, nested, 1, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown setting 'asgg'"));
    assert_non_null(strstr(err, "did you mean 'asg'?"));

    /* No policy chosen yet: every policy's parameters are parameters. */
    const char *any[] = {"fallback_wait=0", "confirm=2", "asg.MinSize=1"};
    assert_int_equal(lab_sets_split(NULL, 0, any, 3, &s, err, sizeof err), 0);
    assert_int_equal(s.nparam, 2);
    assert_int_equal(s.nfield, 1);

    /* The shape. */
    const char *shape[] = {"=3"};
    assert_int_equal(lab_sets_split(cg, 2, shape, 1, &s, err, sizeof err), -1);
    assert_string_equal(err, "--set =3: expected KEY=VALUE");
    const char *noeq[] = {"window"};
    assert_int_equal(lab_sets_split(cg, 2, noeq, 1, &s, err, sizeof err), -1);
    assert_string_equal(err, "--set window: expected KEY=VALUE");
}

static void sets_for_and_params(void **state) {
    (void)state;
    const pol_policy *cg[2] = {P("classic"), P("guarded")};
    const char *sets[] = {"confirm=3", "asg.DefaultCooldown=300", "window=120",
                          "units_per_instance=2"};
    lab_sets s;
    assert_int_equal(lab_sets_split(cg, 2, sets, 4, &s, err, sizeof err), 0);
    /* classic takes the field and its own parameters, in their order. */
    const char *out[4];
    assert_int_equal(lab_sets_for(cg[0], sets, 4, out), 3);
    assert_string_equal(out[0], "asg.DefaultCooldown=300");
    assert_string_equal(out[1], "window=120");
    assert_string_equal(out[2], "units_per_instance=2");
    assert_int_equal(lab_sets_for(cg[1], sets, 4, out), 4);

    /* Applied: classic gets window and units, not confirm. */
    pol_params p;
    pol_params_default(cg[0], &p);
    assert_int_equal(lab_sets_params(cg[0], &s, &p, err, sizeof err), 0);
    assert_true(p.v[pol_param_index(cg[0], "window")] == 120);
    assert_true(p.v[pol_param_index(cg[0], "units_per_instance")] == 2);
    pol_params_default(cg[1], &p);
    assert_int_equal(lab_sets_params(cg[1], &s, &p, err, sizeof err), 0);
    assert_true(p.v[pol_param_index(cg[1], "confirm")] == 3);

    /* A value the policy refuses: its own message, after the setting. */
    const char *bad[] = {"window=abc"};
    assert_int_equal(lab_sets_split(cg, 1, bad, 1, &s, err, sizeof err), 0);
    pol_params_default(cg[0], &p);
    assert_int_equal(lab_sets_params(cg[0], &s, &p, err, sizeof err), -1);
    assert_string_equal(err, "--set window=abc: window: 'abc' is not a number");
}

static void load_one_run(void **state) {
    (void)state;
    sim_scenario sc;
    pol_params p;
    const pol_policy *pol = NULL; /* the scenario's: classic */
    const char *sets[] = {"asg.DefaultCooldown=123", "window=60"};
    assert_int_equal(lab_load(SC, &pol, sets, 2, NULL, &sc, &p, err, sizeof err), 0);
    assert_string_equal(pol->name, "classic");
    assert_int_equal(sc.default_cooldown, 123);
    assert_true(p.v[pol_param_index(pol, "window")] == 60);
    sim_scenario_free(&sc);

    /* The scenario's policy, then rule 2 against it. */
    pol = NULL;
    const char *other[] = {"fallback_wait=0"};
    assert_int_equal(lab_load(SC, &pol, other, 1, NULL, &sc, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "'fallback_wait' is a parameter of karpenter, not of classic"));

    /* A field the loader refuses: its message, file and path. */
    pol = P("guarded");
    const char *typo[] = {"asg.DefaultCooldwn=1"};
    assert_int_equal(lab_load(SC, &pol, typo, 1, NULL, &sc, &p, err, sizeof err), -1);
    assert_string_equal(err, SC ": asg.DefaultCooldwn: unknown field (did you mean "
                             "'DefaultCooldown'?)");
}

/* units_per_instance follows asg.WeightedCapacity; another value is refused
** with both fields named and where it came from, unless the scenario says
** controller.AllowUnitsMismatch. */
static void units_follow_the_group(void **state) {
    (void)state;
    sim_scenario sc;
    pol_params p;
    const pol_policy *pol = P("karpenter");
    int u = pol_param_index(pol, "units_per_instance");
    const char *one[] = {"asg.WeightedCapacity=1"};
    assert_int_equal(lab_load(SC, &pol, one, 1, NULL, &sc, &p, err, sizeof err), 0);
    assert_true(p.v[u] == 1);
    sim_scenario_free(&sc);

    const char *set2[] = {"units_per_instance=2"};
    assert_int_equal(lab_load(SC, &pol, set2, 1, NULL, &sc, &p, err, sizeof err), -1);
    assert_string_equal(err, "--set units_per_instance=2: disagrees with " SC ": "
                             "asg.WeightedCapacity 4, the units one on-demand instance gives "
                             "(leave units_per_instance out to follow it, or add --set "
                             "controller.AllowUnitsMismatch=true if the mismatch is meant)");
    const char *field2[] = {"controller.params.karpenter.units_per_instance=2"};
    assert_int_equal(lab_load(SC, &pol, field2, 1, NULL, &sc, &p, err, sizeof err), -1);
    assert_string_equal(err, SC ": controller.params.karpenter.units_per_instance: 2 "
                             "disagrees with asg.WeightedCapacity 4, the units one on-demand "
                             "instance gives (leave it out to follow asg.WeightedCapacity, or "
                             "set controller.AllowUnitsMismatch to true if the mismatch is "
                             "meant)");
    /* Equal values pass; so does any value the scenario insists on. */
    const char *same[] = {"units_per_instance=4"};
    assert_int_equal(lab_load(SC, &pol, same, 1, NULL, &sc, &p, err, sizeof err), 0);
    sim_scenario_free(&sc);
    const char *insist[] = {"units_per_instance=2", "controller.AllowUnitsMismatch=true"};
    assert_int_equal(lab_load(SC, &pol, insist, 2, NULL, &sc, &p, err, sizeof err), 0);
    assert_true(p.v[u] == 2);

    /* A value given by neither (a caller's own): both fields named. */
    sc.allow_units_mismatch = 0;
    assert_int_equal(lab_run_check(&sc, pol, &p, NULL, 0, err, sizeof err), -1);
    assert_string_equal(err, SC ": asg.WeightedCapacity: 4 units per on-demand instance, "
                             "but karpenter's units_per_instance is 2 (leave it out to follow "
                             "asg.WeightedCapacity, or set controller.AllowUnitsMismatch to "
                             "true if the mismatch is meant)");
    /* A policy without the parameter is not concerned. */
    assert_int_equal(lab_run_check(&sc, P("none"), &p, NULL, 0, err, sizeof err), 0);
    sim_scenario_free(&sc);
}

/* ---- lab_sweep_drive ------------------------------------------------------ */

typedef struct {
    size_t nslice, ntodo, progress;
} counts;

static void on_start(void *ctx, int64_t id, size_t nslice, size_t ntodo) {
    counts *c = ctx;
    (void)id;
    c->nslice = nslice;
    c->ntodo = ntodo;
}

static void on_progress(void *ctx, size_t done, size_t total) {
    counts *c = ctx;
    (void)total;
    c->progress = done;
}

static void drive_a_sweep(void **state) {
    (void)state;
    char dir[256], db[300];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/spotbench-lab-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/lab.db", dir);

    lab_sweep_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.policy = strdup("guarded");
    spec.seed = 1;
    assert_int_equal(lab_sweep_add_str(&spec.scenarios, &spec.nscenarios, SC, err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_grid(&spec, "confirm=1,2,3", err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_str(&spec.sets, &spec.nsets, "asg.DefaultCooldown=0", err,
                                       sizeof err), 0);

    /* A bad spec: LAB_BADINPUT and no database at all. */
    lab_sweep_spec bad;
    memset(&bad, 0, sizeof bad);
    bad.policy = strdup("karpenter");
    assert_int_equal(lab_sweep_add_str(&bad.scenarios, &bad.nscenarios, SC, err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_grid(&bad, "window=60,120", err, sizeof err), 0);
    lab_sweep_req r0 = {.db_path = db, .workers = 1, .tool_version = "test"};
    assert_int_equal(lab_sweep_drive(&bad, &r0, NULL, NULL, err, sizeof err), LAB_BADINPUT);
    assert_non_null(strstr(err, "'window' is a parameter of classic and guarded"));
    assert_int_equal(access(db, F_OK), -1);
    lab_sweep_spec_free(&bad);

    /* Shard 2 of 2: runs 1 (r mod 2 == 1) of 0..2. */
    counts c = {0, 0, 0};
    lab_sweep_req r1 = {.db_path = db, .join = 1, .shard_k = 2, .shard_n = 2, .workers = 2,
                        .tool_version = "test", .start = on_start, .progress = on_progress,
                        .ctx = &c};
    st_sweep_row *rows;
    size_t n;
    assert_int_equal(lab_sweep_drive(&spec, &r1, &rows, &n, err, sizeof err), LAB_OK);
    assert_true(r1.id > 0);
    assert_int_equal(c.nslice, 1);
    assert_int_equal(c.ntodo, 1);
    assert_int_equal(c.progress, 1);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].point, 1);
    free(rows);

    /* The whole sweep, joined: the same id, the two runs left. */
    counts c2 = {0, 0, 0};
    lab_sweep_req r2 = {.db_path = db, .join = 1, .workers = 2, .tool_version = "test",
                        .start = on_start, .ctx = &c2};
    assert_int_equal(lab_sweep_drive(&spec, &r2, &rows, &n, err, sizeof err), LAB_OK);
    assert_int_equal(r2.id, r1.id);
    assert_int_equal(c2.nslice, 3);
    assert_int_equal(c2.ntodo, 2);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) assert_int_equal(rows[i].point, i);
    free(rows);

    /* Resumed by id: nothing left to run. */
    counts c3 = {0, 0, 0};
    lab_sweep_req r3 = {.db_path = db, .id = r1.id, .workers = 1, .tool_version = "test",
                        .start = on_start, .ctx = &c3};
    assert_int_equal(lab_sweep_drive(&spec, &r3, NULL, NULL, err, sizeof err), LAB_OK);
    assert_int_equal(c3.ntodo, 0);

    /* Without join: a sweep of its own. */
    lab_sweep_req r4 = {.db_path = db, .workers = 1, .tool_version = "test"};
    assert_int_equal(lab_sweep_drive(&spec, &r4, NULL, NULL, err, sizeof err), LAB_OK);
    assert_true(r4.id != r1.id);

    lab_sweep_spec_free(&spec);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- suites and a regression case ---------------------------------------- */

static void suites(void **state) {
    (void)state;
    lab_suite su;
    /* The bundled folder: every case, sorted. */
    assert_int_equal(lab_suite_load("traces/scenarios", &su, err, sizeof err), LAB_OK);
    assert_true(su.n >= 20);
    for (size_t i = 1; i < su.n; i++) assert_true(strcmp(su.name[i - 1], su.name[i]) < 0);
    assert_string_equal(su.name[0], "all-outbid-3h");
    assert_string_equal(su.path[0], SC);
    lab_suite_free(&su);
    /* A scenario file, and its folder: one case named after the folder. */
    assert_int_equal(lab_suite_load(SC, &su, err, sizeof err), LAB_OK);
    assert_int_equal(su.n, 1);
    assert_string_equal(su.name[0], "all-outbid-3h");
    lab_suite_free(&su);
    assert_int_equal(lab_suite_load("traces/scenarios/all-outbid-3h/", &su, err, sizeof err),
                     LAB_OK);
    assert_int_equal(su.n, 1);
    assert_string_equal(su.name[0], "all-outbid-3h");
    assert_string_equal(su.path[0], SC);
    lab_suite_free(&su);
    /* Nothing there. */
    assert_int_equal(lab_suite_load("no/such/place", &su, err, sizeof err), LAB_BADINPUT);
    assert_string_equal(err, "no/such/place: no such file or folder");
}

static void regress_one_case(void **state) {
    (void)state;
    char dir[256], path[300];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/spotbench-lab-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.db", dir);
    st_db *db;
    assert_int_equal(st_open(path, &db, err, sizeof err), 0);
    lab_regress_result r;

    /* Its bounds.json names classic and guarded; the bundled bounds hold. */
    lab_regress_req req = {NULL, 0, NULL, 0, 0, "test", NULL};
    assert_int_equal(lab_regress_case(db, "all-outbid-3h", "traces/scenarios/all-outbid-3h",
                                      &req, &r, err, sizeof err), LAB_OK);
    assert_int_equal(r.skipped, 0);
    assert_int_equal(r.nruns, 2);
    assert_string_equal(r.run[0].label, "classic");
    assert_string_equal(r.run[1].label, "guarded");
    assert_int_equal(r.run[0].nchecks, 4);
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < r.run[k].nchecks; i++) assert_true(r.run[k].check[i].pass);
    assert_true(r.run[1].run_id > r.run[0].run_id);

    /* --policy guarded: its entry alone; a --set of classic's only is then
    ** another policy's parameter. */
    const pol_policy *g = P("guarded");
    const char *sets[] = {"fallback_capacity=8"};
    lab_regress_req only = {sets, 1, &g, 1, 0, "test", NULL};
    assert_int_equal(lab_regress_case(db, "all-outbid-3h", "traces/scenarios/all-outbid-3h",
                                      &only, &r, err, sizeof err), LAB_BADINPUT);
    assert_string_equal(err, "--set fallback_capacity=8: 'fallback_capacity' is a parameter "
                             "of classic, not of guarded (see 'spotbench policy list')");
    only.nsets = 0;
    assert_int_equal(lab_regress_case(db, "all-outbid-3h", "traces/scenarios/all-outbid-3h",
                                      &only, &r, err, sizeof err), LAB_OK);
    assert_int_equal(r.nruns, 1);
    assert_string_equal(r.run[0].label, "guarded");
    st_close(db);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- replications ---------------------------------------------------------- */

static void seeds_parse(void **state) {
    (void)state;
    uint64_t v[LAB_MAX_SEEDS];
    size_t n;
    assert_int_equal(lab_seeds_parse("3", v, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_true(v[0] == 1 && v[2] == 3);
    assert_int_equal(lab_seeds_parse("7-9", v, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_true(v[0] == 7 && v[1] == 8 && v[2] == 9);
    assert_int_equal(lab_seeds_parse("11,4,18446744073709551615", v, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_true(v[0] == 11 && v[1] == 4 && v[2] == UINT64_MAX);
    const char *bad[] = {"0", "1001", "9-7", "1-1001", "x", "3,", ",3", "1-2-3", "-3", "2,2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(lab_seeds_parse(bad[i], v, &n, err, sizeof err), -1);
    assert_string_equal(err, "--seeds 2,2: seed 2 given twice");
}

static void stats_by_hand(void **state) {
    (void)state;
    /* t(0.975, df) from the tables: 1, 9, 19, 30 exact; 45 and 200
    ** interpolated in 1/df (exact 2.014103 and 1.971896). */
    assert_true(fabs(lab_t975(1) - 12.706205) < 1e-6);
    assert_true(fabs(lab_t975(9) - 2.262157) < 1e-6);
    assert_true(fabs(lab_t975(19) - 2.093024) < 1e-6);
    assert_true(fabs(lab_t975(45) - 2.014103) < 2e-4);
    assert_true(fabs(lab_t975(200) - 1.971896) < 2e-4);
    assert_true(fabs(lab_t975(1000000) - 1.959964) < 1e-5);
    /* 2, 4, 4, 4, 5, 5, 7, 9: mean 5, s = sqrt(32/7) = 2.13809; half-width
    ** t(0.975, 7) 2.364624 * 2.13809 / sqrt(8) = 1.787497. */
    double x[8] = {2, 4, 4, 4, 5, 5, 7, 9};
    lab_stat st;
    lab_stat_of(x, 8, &st);
    assert_true(st.n == 8 && st.mean == 5 && st.min == 2 && st.max == 9);
    assert_true(fabs(st.sd - 2.138090) < 1e-6);
    assert_true(fabs(st.lo - (5 - 1.787497)) < 1e-5 && fabs(st.hi - (5 + 1.787497)) < 1e-5);
    /* One value: no interval. */
    lab_stat_of(x + 6, 1, &st);
    assert_true(st.mean == 7 && st.lo == 7 && st.hi == 7 && st.sd == 0);
    /* Paired: a - b = 1, 2, 3 (mean 2, s 1, half-width 4.302653/sqrt(3)
    ** = 2.484138: [-0.48, 4.48], not distinguishable, above at 3 seeds);
    ** a - b = 1, 1.1, 0.9: mean 1, s 0.1, [0.75, 1.25]: higher. */
    double a[3] = {11, 12, 13}, b[3] = {10, 10, 10}, c[3] = {11, 11.1, 10.9};
    lab_paired pr;
    lab_paired_of(a, b, 3, 0.005, &pr);
    assert_true(fabs(pr.diff.lo - (2 - 2.484138)) < 1e-5);
    assert_int_equal(pr.verdict, 0);
    assert_int_equal(pr.above, 3);
    lab_paired_of(c, b, 3, 0.005, &pr);
    assert_int_equal(pr.verdict, 1);
    lab_paired_of(b, c, 3, 0.005, &pr);
    assert_int_equal(pr.verdict, -1);
    assert_int_equal(pr.below, 3);
}

/* Common random numbers: at one seed every policy sees the same spot side,
** so its spot cost, launches and interruptions are the same whichever
** policy runs the on-demand group. */
static void same_spot_side_at_a_seed(void **state) {
    (void)state;
    const char *cases[] = {"traces/scenarios/market-2021/scenario.json",
                           "traces/scenarios/capacity-ice/scenario.json",
                           "traces/scenarios/seed-week/scenario.json"};
    const char *seeds[] = {"seed=1", "seed=4", "seed=9"};
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < 3; i++) {
            double spot = -1;
            int intr = -1, launches = -1;
            size_t nrun = 0;
            for (const pol_policy *const *p = pol_list(); *p; p++) {
                /* A native strategy is another spot side (sim/spotasg.c). */
                if ((*p)->simulation_only || (*p)->native) continue;
                const pol_policy *pol = *p;
                sim_scenario sc;
                pol_params pp;
                sim_result r;
                assert_int_equal(lab_load(cases[k], &pol, &seeds[i], 1, NULL, &sc, &pp, err,
                                          sizeof err), 0);
                assert_int_equal(sim_run(&sc, pol, &pp, NULL, &r, err, sizeof err), 0);
                sim_scenario_free(&sc);
                if (spot < 0) {
                    spot = r.spot_cost;
                    intr = r.interruptions;
                    launches = r.spot_launches;
                }
                assert_true(r.spot_cost == spot);
                assert_int_equal(r.interruptions, intr);
                assert_int_equal(r.spot_launches, launches);
                nrun++;
            }
            assert_int_equal(nrun, 6);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_follows_the_rule),
        cmocka_unit_test(sets_for_and_params),
        cmocka_unit_test(load_one_run),
        cmocka_unit_test(units_follow_the_group),
        cmocka_unit_test(drive_a_sweep),
        cmocka_unit_test(suites),
        cmocka_unit_test(regress_one_case),
        cmocka_unit_test(seeds_parse),
        cmocka_unit_test(stats_by_hand),
        cmocka_unit_test(same_spot_side_at_a_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
