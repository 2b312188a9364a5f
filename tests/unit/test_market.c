/*
** test_market.c: the capacity-driven interruption model (sim/market.c) and
** the fleet's answer to it (sim/fleet.c): event rates against the formula
** they are calibrated by, correlation scopes, determinism, and scripted
** events in whole runs whose figures are worked out by hand.
*/
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sim/sim_int.h"
#include "sim_fixture.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

/* The fixture's scenario with `npools` pools priced 0.10 + 0.01 p USD/h
** (pool a the cheapest), lowestPrice, DefaultCooldown 300, seed 11. */
static void fx_market(fx *f, size_t npools, int hours) {
    fx_model(f, npools, 0.1, hours);
    for (size_t p = 0; p < npools; p++) f->price[p][0].v = 0.1 + 0.01 * (double)p;
    f->sc.seed = 11;
    f->sc.alloc = SIM_LOWEST_PRICE;
    f->sc.default_cooldown = 300;
}

static void fx_event(fx *f, int64_t at, int scope, const char *type, const char *az,
                     double share, int64_t ice, int64_t lead) {
    sim_event_spec *e = &f->ev[f->sc.nevents++];
    *e = (sim_event_spec){T0 + at, scope, "", "", share, ice, lead};
    snprintf(e->instance_type, sizeof e->instance_type, "%s", type);
    snprintf(e->az, sizeof e->az, "%s", az);
}

/* Draws the market's events of a scenario without running it. */
typedef struct {
    sim_state s;
    sim_result r;
    char err[256];
} plan;

static void plan_events(plan *pl, const sim_scenario *sc) {
    memset(pl, 0, sizeof *pl);
    pl->s.sc = sc;
    pl->s.res = &pl->r;
    pl->s.err = pl->err;
    pl->s.errlen = sizeof pl->err;
    sim_rng_seed(&pl->s.market.rng_market, sc->seed, 6);
    if (sim_market_plan(&pl->s)) fail_msg("sim_market_plan: %s", pl->err);
}

static void plan_free(plan *pl) {
    sim_market_free(&pl->s);
    sim_queue_free(&pl->s.q);
}

/* Counts the events of a scope (and group, or any when group < -1). */
static size_t count(const plan *pl, int scope, int group) {
    size_t n = 0;
    for (size_t i = 0; i < pl->s.market.nmev; i++)
        if (pl->s.market.mev[i].scope == scope &&
            (group < -1 || pl->s.market.mev[i].group == group))
            n++;
    return n;
}

/* |n - expected| within 4 standard deviations of a Poisson count. */
static void poisson_near(size_t n, double expected) {
    if (fabs((double)n - expected) > 4 * sqrt(expected))
        fail_msg("%zu events, expected %.1f +- %.1f", n, expected, 4 * sqrt(expected));
}

static void rate_follows_the_frequency(void **st) {
    (void)st;
    static fx f;
    fx_market(&f, 1, 1);
    f.sc.end = T0 + 100 * 365 * 86400LL; /* a century: only drawn, not run */
    f.sc.market = (sim_market){1, {1, 0, 0, 0}, 1, 1, constant(0), 0, constant(0)};
    f.pools[0].interruption_frequency = 0.5;
    plan pl;
    plan_events(&pl, &f.sc);
    /* r = -ln(1 - 0.5) / 1 per 30 days over 36500 days: 843.3 events. */
    poisson_near(pl.s.market.nmev, -log(0.5) * 36500 / 30);
    /* Sorted by time, all inside the span. */
    for (size_t i = 1; i < pl.s.market.nmev; i++)
        assert_true(pl.s.market.mev[i - 1].t <= pl.s.market.mev[i].t);
    assert_true(pl.s.market.mev[pl.s.market.nmev - 1].t < f.sc.end);
    plan_free(&pl);
    /* A mean share of 0.625 needs 1.6 times as many events for the same
    ** share of instances a month. */
    f.sc.market.share_min = 0.25;
    plan_events(&pl, &f.sc);
    poisson_near(pl.s.market.nmev, -log(0.5) / 0.625 * 36500 / 30);
    for (size_t i = 0; i < pl.s.market.nmev; i++)
        assert_true(pl.s.market.mev[i].share >= 0.25 && pl.s.market.mev[i].share <= 1);
    plan_free(&pl);
}

static void correlation_splits_each_pools_rate(void **st) {
    (void)st;
    static fx f;
    fx_market(&f, 3, 1);
    f.sc.end = T0 + 100 * 365 * 86400LL;
    /* Pools 0 and 1 in us-east-1a (pool 1 an m4), pool 2 in us-east-1c. */
    snprintf(f.pools[1].az, sizeof f.pools[1].az, "us-east-1a");
    snprintf(f.pools[1].instance_type, sizeof f.pools[1].instance_type, "m4.xlarge");
    f.sc.market = (sim_market){1, {0.5, 0.2, 0.2, 0.1}, 1, 1, constant(0), 0, constant(0)};
    f.pools[0].interruption_frequency = 0.5;
    f.pools[1].interruption_frequency = 0.2;
    f.pools[2].interruption_frequency = 0.5;
    plan pl;
    plan_events(&pl, &f.sc);
    double r0 = -log(0.5), r1 = -log(0.8), months = 36500 / 30.0;
    poisson_near(count(&pl, SIM_SCOPE_POOL, 0), 0.5 * r0 * months);
    poisson_near(count(&pl, SIM_SCOPE_POOL, 1), 0.5 * r1 * months);
    /* Family c4 = pools 0 and 2 (group: pool 0); m4 = pool 1. */
    poisson_near(count(&pl, SIM_SCOPE_FAMILY, 0), 0.2 * r0 * months);
    poisson_near(count(&pl, SIM_SCOPE_FAMILY, 1), 0.2 * r1 * months);
    /* AZ us-east-1a = pools 0 and 1: the mean of their rates. */
    poisson_near(count(&pl, SIM_SCOPE_AZ, 0), 0.2 * (r0 + r1) / 2 * months);
    poisson_near(count(&pl, SIM_SCOPE_AZ, 2), 0.2 * r0 * months);
    poisson_near(count(&pl, SIM_SCOPE_ALL, -1), 0.1 * (2 * r0 + r1) / 3 * months);
    plan_free(&pl);
}

static void same_seed_same_events(void **st) {
    (void)st;
    static fx f;
    fx_market(&f, 2, 24 * 365);
    f.sc.market = (sim_market){1, {0.7, 0.1, 0.15, 0.05}, 0.25, 1,
                               (sim_dist){1, 300, 3600}, 0.5, (sim_dist){1, 180, 900}};
    f.pools[0].interruption_frequency = f.pools[1].interruption_frequency = 0.175;
    plan a, b;
    plan_events(&a, &f.sc);
    plan_events(&b, &f.sc);
    assert_true(a.s.market.nmev > 0);
    assert_int_equal(a.s.market.nmev, b.s.market.nmev);
    assert_memory_equal(a.s.market.mev, b.s.market.mev, a.s.market.nmev * sizeof *a.s.market.mev);
    /* Announced events: the recommendation 180-900 s ahead. */
    size_t announced = 0;
    for (size_t i = 0; i < a.s.market.nmev; i++) {
        const sim_mevent *e = &a.s.market.mev[i];
        assert_true(e->ice >= 300 && e->ice <= 3600);
        if (e->signal_t < 0) continue;
        announced++;
        assert_true(e->t - e->signal_t >= 180 && e->t - e->signal_t <= 900);
    }
    assert_true(announced > 0 && announced < a.s.market.nmev);
    plan_free(&b);
    f.sc.seed++;
    plan_events(&b, &f.sc);
    assert_true(b.s.market.nmev != a.s.market.nmev ||
                memcmp(a.s.market.mev, b.s.market.mev,
                       a.s.market.nmev * sizeof *a.s.market.mev) != 0);
    plan_free(&a);
    plan_free(&b);
}

/* A sink keeping the per-minute samples. */
typedef struct {
    sim_minute_rec min[200];
    size_t n;
} keep;

static int keep_minute(void *ctx, const sim_minute_rec *r) {
    keep *k = ctx;
    if (k->n < 200) k->min[k->n++] = *r;
    return 0;
}

static const sim_minute_rec *at(const keep *k, int64_t dt) {
    for (size_t i = 0; i < k->n; i++)
        if (k->min[i].t == T0 + dt) return &k->min[i];
    fail_msg("no sample at +%lld", (long long)dt);
    return NULL;
}

static sim_result run(const fx *f, const char *policy, keep *k) {
    const pol_policy *pol = pol_find(policy);
    pol_params p;
    pol_params_default(pol, &p);
    sim_sink sink = {k, NULL, keep_minute, 0, 0, 0};
    sim_result r;
    char err[256];
    if (k) memset(k, 0, sizeof *k);
    if (sim_run(&f->sc, pol, &p, k ? &sink : NULL, &r, err, sizeof err))
        fail_msg("sim_run: %s", err);
    return r;
}

/* One pool loses all its instances; the fleet moves to the next pool. */
static void pool_event_moves_the_fleet(void **st) {
    (void)st;
    static fx f;
    static keep k;
    fx_market(&f, 2, 1);
    /* lowestPrice: all 8 instances in pool a (0.10 < 0.11). At +600 pool a
    ** loses them all and cannot launch for 1800 s: notices at +600, gone at
    ** +720; the fleet launches 8 in pool b at once (running +720,
    ** registered +750). */
    fx_event(&f, 600, SIM_SCOPE_POOL, "c4.xlarge", "us-east-1a", 1, 1800, -1);
    sim_result r = run(&f, "oracle", &k);
    assert_int_equal(r.capacity_events, 1);
    assert_int_equal(r.interruptions, 8);
    assert_int_equal(r.spot_launches, 8);
    NEAR(at(&k, 660)->terminating, 0); /* notices, not capacity above target */
    NEAR(at(&k, 660)->fulfilled, 32);
    NEAR(at(&k, 780)->spot_units, 32);
    /* Spot short 32 units from +720 to +750: the oracle covers 30 s with 8
    ** instances, billed their 60 s minimum: 8 * 60 * 0.2 / 3600. */
    NEAR(r.od_cost, 8 * 60 * 0.2 / 3600);
    /* Spot: the initial 8 ran 720 s at 0.10 (past their first hour, so
    ** billed); the new 8 in b from +720 to +3600 at 0.11. */
    NEAR(r.spot_cost, 8 * (720 * 0.10 + 2880 * 0.11) / 3600);
}

/* An AZ-wide event with an insufficient-capacity window: no pool can take
** the fleet until the window ends. */
static void az_event_leaves_no_pool(void **st) {
    (void)st;
    static fx f;
    static keep k;
    fx_market(&f, 2, 1);
    snprintf(f.pools[1].az, sizeof f.pools[1].az, "us-east-1a"); /* one AZ */
    snprintf(f.pools[1].instance_type, sizeof f.pools[1].instance_type, "m4.xlarge");
    fx_event(&f, 600, SIM_SCOPE_AZ, "", "us-east-1a", 1, 1800, -1);
    sim_result r = run(&f, "oracle", &k);
    /* Gone at +720; launches fail until +2400: running +2520, registered
    ** +2550. Spot short 32 units for 1830 s. */
    NEAR(at(&k, 1200)->pending, 32);
    NEAR(at(&k, 2460)->pending, 32); /* launched at +2400, not yet running */
    NEAR(at(&k, 2580)->spot_units, 32);
    NEAR(r.od_cost, 8 * 1830 * 0.2 / 3600);
    assert_int_equal(r.longest_shortfall_s, 0); /* the oracle covers it */
    NEAR(r.coverage_pct, 100);
    /* An event for a pool the fleet does not have hits nothing. */
    fx_market(&f, 1, 1);
    fx_event(&f, 600, SIM_SCOPE_POOL, "c5.large", "us-east-1a", 1, 1800, -1);
    r = run(&f, "oracle", NULL);
    assert_int_equal(r.capacity_events, 0);
    assert_int_equal(r.interruptions, 0);
}

/* A rebalance recommendation 600 s ahead, with Capacity Rebalancing
** launch-before-terminate: the fleet replaces the marked instances before
** EC2 takes them, so the event itself interrupts nothing. */
static void rebalance_then_interruption(void **st) {
    (void)st;
    static fx f;
    static keep k;
    fx_market(&f, 2, 1);
    fx_event(&f, 1200, SIM_SCOPE_POOL, "c4.xlarge", "us-east-1a", 1, 1800, 600);
    /* Without Capacity Rebalancing the recommendation changes nothing the
    ** fleet sees: 8 interrupted at +1200. */
    sim_result r = run(&f, "oracle", &k);
    assert_int_equal(r.interruptions, 8);
    assert_int_equal(r.rebalances, 0);
    NEAR(at(&k, 660)->fulfilled, 32);
    f.sc.rebalance = SIM_REBALANCE_LAUNCH_BEFORE_TERMINATE;
    f.sc.rebalance_termination_delay = 300;
    f.sc.fleet_termination_delay = constant(60);
    r = run(&f, "oracle", &k);
    /* At +600 the 8 are rebalanced: out of FulfilledCapacity (PendingCapacity
    ** 32) but still serving; 8 replacements launch in pool b (pool a is at
    ** risk until its event) and run at +720; TerminationDelay counts from
    ** the replacement's launch, so the fleet ends the old ones at +720 +
    ** 300 = +1020, and they shut down, counted in TerminatingCapacity (the
    ** fleet holds 32 above its target), until +1080. The minute's sample
    ** comes before the second's other events: 0 at +1020, 32 at +1080, 0 at
    ** +1140. */
    assert_int_equal(r.rebalances, 8);
    NEAR(at(&k, 660)->fulfilled, 0);
    NEAR(at(&k, 660)->pending, 32);
    NEAR(at(&k, 660)->spot_units, 32);
    NEAR(at(&k, 780)->fulfilled, 32);
    NEAR(at(&k, 960)->terminating, 0);
    NEAR(at(&k, 960)->spot_units, 64); /* old and new serve until +1020 */
    NEAR(at(&k, 1020)->terminating, 0);
    NEAR(at(&k, 1080)->terminating, 32);
    NEAR(at(&k, 1140)->terminating, 0);
    /* The event at +1200 finds none of its marked instances: nothing is
    ** interrupted and spot never falls short. */
    assert_int_equal(r.interruptions, 0);
    NEAR(r.coverage_pct, 100);
    NEAR(r.od_cost, 0);
    /* Spot: the old 8 billed 1020 s at 0.10 (ended by the fleet), the new 8
    ** in pool b from +720 to +3600 at 0.11. */
    NEAR(r.spot_cost, 8 * (1020 * 0.10 + 2880 * 0.11) / 3600);
}

/* The spot side is the same whatever the controller does: the oracle and
** every policy see the same spot costs, interruptions and bound, even where
** instances launched in the same second must be told apart and on-demand
** instances take and free slots in between. */
static void spot_side_never_depends_on_the_policy(void **st) {
    (void)st;
    static fx f;
    fx_market(&f, 2, 720);
    /* Pools a and b take turns: each holds 8 instances for 40 minutes, then
    ** 1, so the fleet moves back and forth; the market draws events often,
    ** half of them announced. */
    for (int p = 0; p < 2; p++) {
        for (int k = 0; k < 1080; k++)
            f.avail[p][k] = (pol_point){T0 + 2400LL * k, (k + p) % 2 ? 1 : 8};
        f.pools[p].avail.pts = f.avail[p];
        f.pools[p].avail.n = 1080;
    }
    f.sc.alloc = SIM_DIVERSIFIED;
    f.sc.fleet_launch_delay = (sim_dist){1, 30, 240};
    f.sc.market = (sim_market){1, {0.6, 0.2, 0.1, 0.1}, 0.25, 1,
                               (sim_dist){1, 300, 1800}, 0.5, (sim_dist){1, 120, 600}};
    for (int p = 0; p < 2; p++) f.pools[p].interruption_frequency = 0.99;
    f.sc.rebalance = SIM_REBALANCE_LAUNCH;
    sim_result o = run(&f, "oracle", NULL);
    assert_true(o.interruptions > 20 && o.capacity_events > 3);
    static const char *const pols[] = {"classic", "guarded"};
    for (int i = 0; i < 2; i++) {
        sim_result r = run(&f, pols[i], NULL);
        assert_true(r.od_launches > 0);
        assert_true(r.spot_cost == o.spot_cost);
        assert_true(r.oracle_cost == o.oracle_cost);
        assert_int_equal(r.interruptions, o.interruptions);
        assert_int_equal(r.spot_launches, o.spot_launches);
        assert_int_equal(r.rebalances, o.rebalances);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rate_follows_the_frequency),
        cmocka_unit_test(correlation_splits_each_pools_rate),
        cmocka_unit_test(same_seed_same_events),
        cmocka_unit_test(pool_event_moves_the_fleet),
        cmocka_unit_test(az_event_leaves_no_pool),
        cmocka_unit_test(rebalance_then_interruption),
        cmocka_unit_test(spot_side_never_depends_on_the_policy),
    };
    return cmocka_run_group_tests_name("market", tests, NULL, NULL);
}
