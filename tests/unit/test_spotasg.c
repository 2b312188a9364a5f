/*
** test_spotasg.c: spot capacity as an Auto Scaling group with a
** MixedInstancesPolicy (fleet.kind asg, sim/spotasg.c) and the native
** strategies: the on-demand/spot split worked out by hand, a capacity drop
** with no failover, AZ balancing, the kind-neutral view every policy reads.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim_fixture.h"

#define NEAR(a, b) assert_true(fabs_((a) - (b)) < 1e-9)

static double fabs_(double x) { return x < 0 ? -x : x; }

static sim_result run_p(const fx *f, const char *policy, const char *key, double v) {
    const pol_policy *pol = pol_find(policy);
    assert_non_null(pol);
    pol_params p;
    pol_params_default(pol, &p);
    if (key) {
        int k = pol_param_index(pol, key);
        assert_true(k >= 0);
        p.v[k] = v;
    }
    sim_result r;
    char err[256];
    if (sim_run(&f->sc, pol, &p, NULL, &r, err, sizeof err)) fail_msg("sim_run: %s", err);
    return r;
}

static sim_result run(const fx *f, const char *policy) { return run_p(f, policy, NULL, 0); }

/* OnDemandBaseCapacity first, then OnDemandPercentageAboveBaseCapacity of
** the rest, in whole on-demand instances (rounded up). */
static void mixed_split_by_hand(void **st) {
    (void)st;
    int n;
    double spot;
    /* 32 units, base 8, 25 % above: 8 + 24 x 0.25 = 14 units on demand,
    ** 3.5 instances of 4 -> 4 (16 units); spot 32 - 16 = 16. */
    sim_mixed_split(32, 8, 25, 4, &n, &spot);
    assert_int_equal(n, 4);
    NEAR(spot, 16);
    /* 10 instances (weight 1), base 2, 50 %: 2 + 4 = 6 on demand, 4 spot. */
    sim_mixed_split(10, 2, 50, 1, &n, &spot);
    assert_int_equal(n, 6);
    NEAR(spot, 4);
    /* 32 units, no base, 10 %: 3.2 units -> one 4-unit instance, 28 spot. */
    sim_mixed_split(32, 0, 10, 4, &n, &spot);
    assert_int_equal(n, 1);
    NEAR(spot, 28);
    /* An exact share needs no rounding: 32, base 0, 50 %: 16 = 4 x 4. */
    sim_mixed_split(32, 0, 50, 4, &n, &spot);
    assert_int_equal(n, 4);
    NEAR(spot, 16);
    /* A base above the desired capacity: all of it on demand, no spot. */
    sim_mixed_split(4, 8, 0, 4, &n, &spot);
    assert_int_equal(n, 1);
    NEAR(spot, 0);
    /* 100 % spot above a base of 0: no on-demand instance at all. */
    sim_mixed_split(32, 0, 0, 4, &n, &spot);
    assert_int_equal(n, 0);
    NEAR(spot, 32);
}

/* A capacity-provider strategy: base on the on-demand provider, the rest
** by weight, the on-demand share rounded up to whole tasks. */
static void providers_split_by_hand(void **st) {
    (void)st;
    double ts, to;
    /* 32 tasks, base 8, weights 1:1: 8 + 12 = 20 on demand, 12 spot. */
    sim_providers_split(32, 8, 1, 1, &ts, &to);
    NEAR(to, 20);
    NEAR(ts, 12);
    /* 33 tasks, base 8, spot 2 : on-demand 1: 25 / 3 = 8.33 -> 9; 17 + 16. */
    sim_providers_split(33, 8, 2, 1, &ts, &to);
    NEAR(to, 17);
    NEAR(ts, 16);
    /* Weight 0 on demand: only the base there. */
    sim_providers_split(32, 8, 1, 0, &ts, &to);
    NEAR(to, 8);
    NEAR(ts, 24);
}

/* Two pools (us-east-1a and 1b), one hour, a mixed group of 32 units with
** a base of 8 (two 4-unit on-demand instances of the first override at
** 0.2 USD/h), 100 % spot above it. */
static void fx_mixed(fx *f, double price_a, double price_b) {
    fx_model(f, 2, price_a, 1);
    f->price[1][0].v = price_b;
    f->sc.kind = SIM_KIND_ASG;
    f->sc.alloc = SIM_LOWEST_PRICE;
    f->sc.mixed.od_base = 8;
    f->sc.mixed.od_pct = 0;
}

/* fx_mixed with both pools' capacity gone at +1800. */
static void fx_capacity_drop(fx *f) {
    static pol_point av[2][2];
    fx_mixed(f, 0.1, 0.1);
    for (int p = 0; p < 2; p++) {
        av[p][0] = (pol_point){T0, 100};
        av[p][1] = (pol_point){T0 + 1800, 0};
        f->pools[p].avail.pts = av[p];
        f->pools[p].avail.n = 2;
    }
}

/* Both pools' capacity goes at +1800: the 6 spot instances get their
** notice and end at +1920. The group keeps trying spot and never launches
** on-demand instead: 24 units short from +1920 to the end. */
static void capacity_drop_no_failover(void **st) {
    (void)st;
    static fx f;
    fx_capacity_drop(&f);
    sim_result r = run(&f, "none");
    assert_int_equal(r.interruptions, 6);
    assert_int_equal(r.spot_launches, 0);
    assert_int_equal(r.od_launches, 0);
    NEAR(r.shortfall_unit_hours, 24 * 1680 / 3600.0);
    /* 32 units for 3600 s, of which 24 x 1680 unit-seconds missing. */
    NEAR(r.coverage_pct, 100 * (32 * 3600.0 - 24 * 1680) / (32 * 3600.0));
    /* The two on-demand instances: 1 h at 0.2 each. The spot ones, past
    ** their first hour when interrupted: 1920 s at 0.1 each. */
    NEAR(r.od_cost, 2 * 0.2);
    NEAR(r.spot_cost, 6 * 1920 * 0.1 / 3600);
    NEAR(r.od_instance_hours, 2);
    /* The native strategy with the same base is the same group. */
    sim_result m = run(&f, "mixed-instances");
    NEAR(m.total_cost, r.total_cost);
    NEAR(m.coverage_pct, r.coverage_pct);
    /* A fallback controller reads the kind-neutral view and the events:
    ** the interruption warnings for 24 units (EventBridge, delivered at once
    ** here) reach the invocation of +1800 itself (the controller looks
    ** last in a second): guarded covers them at once (6 instances),
    ** InService +1860, serving +1890, before the spot ends at +1920: no
    ** shortfall. Without the events it waits for PendingCapacity: the
    ** datapoint of [+1920, +1980), read at +1980 (confirm 2: +2040). */
    f.sc.ev_on = 1;
    sim_result g = run(&f, "guarded");
    assert_int_equal(g.od_launches, 6);
    NEAR(g.shortfall_unit_hours, 0);
    f.sc.ev_on = 0;
    g = run(&f, "guarded");
    assert_int_equal(g.od_launches, 6);
    assert_true(g.shortfall_unit_hours > 24 * 120 / 3600.0);
}

/* A policy that decides nothing and keeps the failed launches of its
** last invocation (a test's own: the engine's policies are stateless). */
static int64_t seen_t[64];
static size_t seen_n;
static int seen_known, seen_calls;

static int64_t rec_lookback(const pol_params *p, int64_t period) {
    (void)p;
    (void)period;
    return 7200;
}

static void rec_decide(const pol_obs *o, const pol_params *p, pol_decision *d) {
    (void)p;
    seen_calls++;
    seen_known = o->launch_failures.known;
    seen_n = o->launch_failures.n < 64 ? o->launch_failures.n : 64;
    for (size_t i = 0; i < seen_n; i++) seen_t[i] = o->launch_failures.t[i];
    d->action = POL_ACT_NONE;
    d->reason[0] = '\0';
}

static const pol_policy recorder = {
    "recorder", "keeps what it sees", NULL, 0, rec_lookback, rec_decide, 0,
    POL_READS(POL_TARGET) | POL_READS_LAUNCH_FAILURES, 0, 0, POL_BUILT_IN,
};

/* The capacity drop of capacity_drop_no_failover as scaling activities:
** the 6 noticed instances end at +1920 (both pools at 0): the group's
** first attempt fails then, and one every SIM_LAUNCH_RETRY_S (300 s)
** after, to the end at +3600: +1920, +2220, +2520, +2820, +3120, +3420.
** The last invocation (+3540, looking back 7200 s) is given all six; a
** Spot Fleet has none (no source). guarded with use_launch_failures
** confirms the shortfall with one datapoint instead of two: it covers the
** 24 units one Period sooner, 24 x 60 unit-seconds less short. */
static void capacity_drop_failed_activities(void **st) {
    (void)st;
    static fx f;
    fx_capacity_drop(&f);
    pol_params none;
    sim_result r;
    char err[256];
    seen_calls = 0;
    if (sim_run(&f.sc, &recorder, &none, NULL, &r, err, sizeof err)) fail_msg("%s", err);
    assert_true(seen_calls > 50);
    assert_int_equal(seen_known, 1);
    assert_int_equal(seen_n, 6);
    for (size_t i = 0; i < 6; i++) assert_int_equal(seen_t[i], T0 + 1920 + 300 * (int64_t)i);
    assert_int_equal(r.interruptions, 6); /* the run is the one without them */
    assert_int_equal(r.spot_launches, 0);
    assert_string_equal(sim_fail_message(SIM_FAIL_CAPACITY),
                        "Could not launch Spot Instances. InsufficientInstanceCapacity - "
                        "There is no Spot capacity available that matches your request. "
                        "Launching EC2 instance failed.");

    sim_result g0 = run(&f, "guarded");
    sim_result g1 = run_p(&f, "guarded", "use_launch_failures", 1);
    assert_int_equal(g1.od_launches, 6);
    NEAR(g0.shortfall_unit_hours - g1.shortfall_unit_hours, 24 * 60 / 3600.0);

    assert_int_equal(g1.no_launch_failures, 0);
    assert_int_equal(g0.no_launch_failures, 0); /* not read: nothing to say */

    f.sc.kind = SIM_KIND_SPOT_FLEET;
    f.sc.target_capacity = 24;
    if (sim_run(&f.sc, &recorder, &none, NULL, &r, err, sizeof err)) fail_msg("%s", err);
    assert_int_equal(seen_known, 0);
    assert_int_equal(seen_n, 0);
    /* guarded reading them on a fleet: the run says it had none. */
    g1 = run_p(&f, "guarded", "use_launch_failures", 1);
    assert_int_equal(g1.no_launch_failures, 1);
    sim_note n[8];
    int k = sim_notes(&f.sc, pol_find("guarded"), &g1, n, 8), found = 0;
    for (int i = 0; i < k; i++)
        found |= n[i].kind == SIM_NOTE_NO_LAUNCH_FAILURES &&
                 strstr(n[i].text, "a Spot Fleet records no such activity") != NULL;
    assert_true(found);
}

/* An interrupted instance is replaced only once it is terminated: pool a
** loses its capacity at +1800 (3 instances noticed), pool b still has
** room; the replacements launch at +1920 (not +1800), run at +2040 and
** serve at +2070: 12 units short for 150 s (the group's AZs were kept
** even, 3 and 3). A Spot Fleet, lowest-price with both pools at one price,
** had all 6 in pool a; it launches their replacements at the notice: they
** serve at +1950, 30 s after the noticed ones end: 24 units for 30 s. */
static void replaced_after_termination(void **st) {
    (void)st;
    static fx f;
    fx_mixed(&f, 0.1, 0.1);
    static pol_point av[2];
    av[0] = (pol_point){T0, 100};
    av[1] = (pol_point){T0 + 1800, 0};
    f.pools[0].avail.pts = av;
    f.pools[0].avail.n = 2;
    sim_result r = run(&f, "none");
    assert_int_equal(r.interruptions, 3);
    assert_int_equal(r.spot_launches, 3);
    NEAR(r.shortfall_unit_hours, 12 * 150 / 3600.0);
    f.sc.kind = SIM_KIND_SPOT_FLEET;
    f.sc.target_capacity = 24; /* the same spot units, no on-demand part */
    sim_result s = run(&f, "none");
    assert_int_equal(s.interruptions, 6);
    assert_int_equal(s.spot_launches, 6);
    NEAR(s.shortfall_unit_hours, 24 * 30 / 3600.0);
}

/* AZ balancing: lowest-price puts a Spot Fleet's 6 instances in the
** cheaper pool b (0.05); the group keeps its AZs even, 3 and 3. */
static void availability_zones_balanced(void **st) {
    (void)st;
    static fx f;
    fx_mixed(&f, 0.1, 0.05);
    sim_result r = run(&f, "none");
    NEAR(r.spot_cost, 3 * 0.1 + 3 * 0.05);
    f.sc.kind = SIM_KIND_SPOT_FLEET;
    f.sc.target_capacity = 24;
    sim_result s = run(&f, "none");
    NEAR(s.spot_cost, 6 * 0.05);
}

/* ECS capacity providers on a Spot Fleet scenario of 32 units: base 8 on
** the on-demand provider (the scenario's 4-unit group at 0.2 USD/h), the
** rest spot; targetCapacity 50 % doubles each provider's group: 4
** on-demand instances (16 units) and 48 spot units (12 instances). Spot
** capacity beyond its 24 tasks serves nothing, so coverage stays 100 %. */
static void capacity_providers_sizes(void **st) {
    (void)st;
    static fx f;
    fx_model(&f, 2, 0.1, 1);
    sim_result r = run_p(&f, "capacity-providers", "target_capacity", 50);
    NEAR(r.od_cost, 4 * 0.2);
    NEAR(r.spot_cost, 12 * 0.1);
    NEAR(r.coverage_pct, 100);
    assert_int_equal(r.set_calls, 0);
}

/* The first fill may go above the target and trim a launch: weights 8
** (pool a) and 4 (pool b), 20 spot units, AZs kept even: a 8, b 4, b 4,
** a 8 is 24; the newest launch whose units the target does not need, b's
** second, goes. Three instances run the hour at 0.1 USD/h, whatever the
** controller does with the on-demand group (the freed slot stays free). */
static void first_fill_trim(void **st) {
    (void)st;
    static fx f;
    fx_mixed(&f, 0.1, 0.1);
    f.pools[0].weight = 8;
    f.sc.mixed.od_base = 0;
    f.sc.target_capacity = 20;
    sim_result n = run(&f, "none");
    NEAR(n.spot_cost, 3 * 0.1);
    NEAR(n.spot_instance_hours, 3);
    sim_result o = run(&f, "ondemand");
    NEAR(o.spot_cost, 3 * 0.1);
    assert_true(o.od_launches > 0);
}

/* Target tracking moves a mixed group's desired capacity, and the split is
** made again. mixed-instances, base 8, 50 % above, on one pool: 32 units
** give 8 + 12 = 20 on demand (5 instances) and 12 spot (3). Demand 48
** from +600; target tracking raises the group to 48 at +660: 8 + 20 = 28
** on demand (7: two more, serving at once), 20 spot (two more launching,
** running +780, serving +810). Short 16 units from +600 to +660, then 8
** to +810. */
static void target_tracking_splits_again(void **st) {
    (void)st;
    static fx f;
    fx_model(&f, 1, 0.1, 1);
    static pol_point demand[2];
    demand[0] = (pol_point){T0, 32};
    demand[1] = (pol_point){T0 + 600, 48};
    f.sc.demand.pts = demand;
    f.sc.demand.n = 2;
    f.sc.tt_target_value = 100;
    f.sc.tt_scale_out_cooldown = 300;
    f.sc.tt_scale_in_cooldown = 300;
    f.sc.tt_max = 1000;
    const pol_policy *pol = pol_find("mixed-instances");
    pol_params p;
    pol_params_default(pol, &p);
    p.v[pol_param_index(pol, "on_demand_base")] = 8;
    p.v[pol_param_index(pol, "on_demand_percentage")] = 50;
    sim_result r;
    char err[256];
    if (sim_run(&f.sc, pol, &p, NULL, &r, err, sizeof err)) fail_msg("sim_run: %s", err);
    assert_int_equal(r.spot_launches, 2);
    NEAR(r.shortfall_unit_hours, (16 * 60 + 8 * 150) / 3600.0);
    /* 5 on-demand instances for the hour, 2 from +660 (per second). */
    NEAR(r.od_cost, 5 * 0.2 + 2 * 0.2 * 2940 / 3600);
    NEAR(r.od_instance_hours, 5 + 2 * 2940 / 3600.0);
}

/* Every policy runs on the group, through the same view. */
static void every_policy_runs_on_asg(void **st) {
    (void)st;
    static fx f;
    fx_mixed(&f, 0.1, 0.1);
    for (const pol_policy *const *p = pol_list(); *p; p++) {
        sim_result r = run(&f, (*p)->name);
        NEAR(r.coverage_pct, 100);
        /* The group's two on-demand instances are paid by every run. */
        assert_true(r.od_cost >= 0.4 - 1e-9);
    }
}

/* capacity-optimized-prioritized: "Amazon EC2 Auto Scaling honors the
** instance type priorities on a best-effort basis but optimizes for
** capacity first". Two pools in one Availability Zone, as deep (the same
** band), each able to give 10 instances, no base: 24 units are six 4-unit
** instances. capacity-optimized goes by room: the first to the cheaper c4
** ($0.10; the rooms are equal), then each to the pool with more room,
** three each: 3 x 0.10 + 3 x 0.12 = $0.66 for the hour.
** -prioritized takes the first override while it can launch: 6 x 0.10 =
** $0.60. A deeper second pool still wins: capacity first. */
static void capacity_optimized_prioritized(void **st) {
    (void)st;
    static fx f;
    fx_mixed(&f, 0.1, 0.12);
    f.sc.mixed.od_base = 0;
    f.sc.target_capacity = 24;
    f.sc.alloc = SIM_CAPACITY_OPTIMIZED;
    snprintf(f.pools[1].az, sizeof f.pools[1].az, "%s", f.pools[0].az);
    snprintf(f.pools[1].instance_type, sizeof f.pools[1].instance_type, "m4.xlarge");
    f.pools[1].priority = 1;
    for (int p = 0; p < 2; p++) {
        f.avail[p][0] = (pol_point){T0, 10};
        f.pools[p].avail = (sim_steps){f.avail[p], 1};
    }
    NEAR(run(&f, "none").spot_cost, 3 * 0.10 + 3 * 0.12);
    f.sc.mixed.spot_prioritized = 1;
    NEAR(run(&f, "none").spot_cost, 6 * 0.10);
    f.pools[0].band = 2; /* 10-15 %: the second override is deeper */
    NEAR(run(&f, "none").spot_cost, 6 * 0.12);
}

/* A Spot Fleet made the group the default stack deploys (--set
** fleet.kind=asg): diversified becomes price-capacity-optimized; a max
** price of $0.05 per unit-hour gives way to AWS's default, the on-demand
** price per unit-hour (pool 1: $0.36 / 4 = $0.09); no on-demand base;
** Capacity Rebalancing on: launch before terminate, the old instance ending
** the fleet's longest launch delay (200 s, above the floor of 120 s) after
** the recommendation. */
static void spot_fleet_as_group(void **st) {
    (void)st;
    static fx f;
    fx_model(&f, 2, 0.1, 1);
    f.pools[1].on_demand_price = 0.36;
    f.sc.fleet_launch_delay = (sim_dist){1, 60, 200};
    f.sc.mixed.od_base = 8; /* whatever was there: the stack has none */
    assert_int_equal(f.sc.alloc, SIM_DIVERSIFIED);
    sim_scenario_as_group(&f.sc);
    assert_int_equal(f.sc.kind, SIM_KIND_ASG);
    assert_int_equal(f.sc.alloc, SIM_PRICE_CAPACITY_OPTIMIZED);
    NEAR(f.sc.pools[0].max_price, 0.05);
    NEAR(f.sc.pools[1].max_price, 0.09);
    NEAR(f.sc.mixed.od_base, 0);
    NEAR(f.sc.mixed.od_pct, 0);
    assert_int_equal(f.sc.mixed.capacity_rebalance, 1);
    assert_int_equal(f.sc.mixed.from_fleet, 1);
    assert_int_equal(f.sc.rebalance, SIM_REBALANCE_LAUNCH_BEFORE_TERMINATE);
    assert_int_equal(f.sc.rebalance_termination_delay, 200);
    /* mixed-instances keeps its own defaults on it (base 8 units). */
    pol_params p;
    sim_scenario_params(&f.sc, pol_find("mixed-instances"), &p);
    NEAR(p.v[0], 8);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mixed_split_by_hand),
        cmocka_unit_test(providers_split_by_hand),
        cmocka_unit_test(capacity_drop_no_failover),
        cmocka_unit_test(capacity_drop_failed_activities),
        cmocka_unit_test(replaced_after_termination),
        cmocka_unit_test(availability_zones_balanced),
        cmocka_unit_test(capacity_providers_sizes),
        cmocka_unit_test(first_fill_trim),
        cmocka_unit_test(target_tracking_splits_again),
        cmocka_unit_test(every_policy_runs_on_asg),
        cmocka_unit_test(capacity_optimized_prioritized),
        cmocka_unit_test(spot_fleet_as_group),
    };
    return cmocka_run_group_tests_name("spotasg", tests, NULL, NULL);
}
