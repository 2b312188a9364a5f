/*
** test_hedge.c: pins every rule of the hedge policy (SpotHedge's dynamic
** on-demand fallback). Defaults: units_per_instance 4, staleness 180 s,
** cold_start 300 s, overprovision 1, recent 1800 s, base_on_demand 0,
** max_on_demand 100. The gap is TargetCapacity - (FulfilledCapacity - the
** units of the interruption warnings received since two minutes before the
** datapoint); TerminatingCapacity is not read. Expected counts by hand in
** comments.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "obs_fixture.h"
#include "decision_asserts.h"

#define DECIDE(f, ...) fx_decide("hedge", f, ##__VA_ARGS__, NULL)

/* Target 32 and Terminating 0 from NOW-1800 to NOW-60; Fulfilled 32. */
static void steady(fixture *f) {
    fx_init(f);
    fx_flat(f, POL_TARGET, -1800, -60, 32);
    fx_flat(f, POL_TERMINATING, -1800, -60, 0);
    fx_flat(f, POL_FULFILLED, -1800, -60, 32);
}

static void steady_needs_nothing(void **st) {
    (void)st;
    fixture f;
    steady(&f);
    da_none(DECIDE(&f), "on-demand 0 covers a gap of 0 units", 0);
    /* base_on_demand 2: kept at all times. */
    da_set(DECIDE(&f, "base_on_demand=2"), 2, 0);
}

static void lost_capacity_is_covered_with_overprovision(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -1800, -60, 32);
    fx_flat(&f, POL_TERMINATING, -1800, -60, 0);
    fx_flat(&f, POL_FULFILLED, -1800, -180, 32);
    fx_flat(&f, POL_FULFILLED, -120, -60, 24);
    /* gap 32 - 24 = 8 units -> 2 instances; Fulfilled fell while Target
    ** did not: recent -> + 1 = 3, ignoring the cooldown. */
    da_set(DECIDE(&f), 3, 0);
    da_set(DECIDE(&f, "overprovision=0"), 2, 0);
    da_set(DECIDE(&f, "overprovision=4"), 6, 0);
}

static void notice_counts_as_lost(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -1800, -60, 32);
    fx_flat(&f, POL_FULFILLED, -1800, -60, 32);
    fx_event(&f, POL_EV_WARNING, -30, 6);
    /* serving 32 - 6 = 26, gap 6 -> ceil(6/4) = 2, warning is recent -> 3 */
    da_set(DECIDE(&f), 3, 0);
    /* A TerminatingCapacity datapoint is the fleet ending excess capacity,
    ** not a notice: nothing to cover. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -1800, -60, 32);
    fx_flat(&f, POL_FULFILLED, -1800, -60, 32);
    fx_point(&f, POL_TERMINATING, -60, 6);
    da_none(DECIDE(&f), "on-demand 0 covers a gap of 0 units", 0);
    /* A rebalance recommendation: nothing lost yet, but interruptions are
    ** recent -> the over-provision of 1. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -1800, -60, 32);
    fx_flat(&f, POL_FULFILLED, -1800, -60, 32);
    fx_event(&f, POL_EV_REBALANCE, -30, 8);
    da_set(DECIDE(&f), 1, 0);
    /* A warning received 250 s ago names an instance gone before the
    ** newest datapoint (NOW-60, and 8 units fewer there): 8 -> 2 + 1. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -1800, -60, 32);
    fx_flat(&f, POL_FULFILLED, -1800, -120, 32);
    fx_point(&f, POL_FULFILLED, -60, 24);
    fx_event(&f, POL_EV_WARNING, -250, 8);
    da_set(DECIDE(&f), 3, 0);
}

/* Fulfilled 32 until NOW-660, 24 from NOW-600 to NOW-240, 32 again from
** NOW-180: the replacement became fulfilled three minutes ago. */
static void replaced(fixture *f) {
    fx_init(f);
    fx_flat(f, POL_TARGET, -1800, -60, 32);
    fx_flat(f, POL_TERMINATING, -1800, -60, 0);
    fx_flat(f, POL_FULFILLED, -1800, -660, 32);
    fx_flat(f, POL_FULFILLED, -600, -240, 24);
    fx_flat(f, POL_FULFILLED, -180, -60, 32);
}

static void kept_through_cold_start(void **st) {
    (void)st;
    fixture f;
    replaced(&f);
    /* cold_start 300: datapoints NOW-300 and NOW-240 show 24 -> gap 8 ->
    ** 2, the drop at NOW-600 is recent -> 3; desired 3 already: none. */
    fx_asg(&f, 3, 0, 200);
    da_none(DECIDE(&f), "on-demand 3 covers a gap of 8 units", 0);
    /* cold_start 120: only 32s in [NOW-120, NOW) -> 0 + over-provision 1. */
    da_set(DECIDE(&f, "cold_start=120"), 1, 0);
    /* ... and with recent 300 the drop is forgotten: 0, released at once
    ** (SkyServe has no cooldown). */
    da_set(DECIDE(&f, "cold_start=120", "recent=300"), 0, 0);
}

/* The missing-datapoint rule (docs/policies.md): a release needs every
** Period of both metrics within cold_start and of FulfilledCapacity within
** recent, up to each one's newest. */
static void missing_datapoint_holds_the_release(void **st) {
    (void)st;
    fixture f;
    /* kept_through_cold_start's replacement with cold_start 120 and recent
    ** 300 releases everything; without the FulfilledCapacity datapoint at
    ** NOW-120 (it might have shown the gap) it holds. */
    replaced(&f);
    fx_asg(&f, 3, 0, 200);
    da_set(DECIDE(&f, "cold_start=120", "recent=300"), 0, 0);
    fx_drop(&f, POL_FULFILLED, -120);
    da_none(DECIDE(&f, "cold_start=120", "recent=300"),
            "FulfilledCapacity has no datapoint 120s ago, within 120s; not scaling in from 3",
            1);
    /* A FulfilledCapacity datapoint missing within `recent` (NOW-600,
    ** beyond cold_start): it might have shown a drop, so the over-provision
    ** is not released either. */
    steady(&f);
    fx_asg(&f, 1, 0, 200);
    da_set(DECIDE(&f), 0, 0);
    fx_drop(&f, POL_FULFILLED, -600);
    da_none(DECIDE(&f), "FulfilledCapacity has no datapoint 600s ago, within 1800s", 1);
}

static void fleet_scale_in_is_no_interruption(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TERMINATING, -1800, -60, 0);
    fx_flat(&f, POL_TARGET, -1800, -660, 32);
    fx_flat(&f, POL_TARGET, -600, -60, 24);
    fx_flat(&f, POL_FULFILLED, -1800, -660, 32);
    fx_flat(&f, POL_FULFILLED, -600, -60, 24);
    da_none(DECIDE(&f), "on-demand 0 covers a gap of 0 units", 0);
}

static void gap_never_above_target(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -1800, -60, 8);
    fx_flat(&f, POL_FULFILLED, -1800, -60, 4);
    fx_event(&f, POL_EV_WARNING, -30, 8);
    /* 8 - (4 - 8) = 12 > 8: capped to the target's 8 units -> 2, warning
    ** recent -> 3. */
    da_set(DECIDE(&f), 3, 0);
}

static void missing_inputs_hold(void **st) {
    (void)st;
    fixture f;
    steady(&f);
    f.o.asg.known = 0;
    da_none(DECIDE(&f), "ASG state unknown", 1);
    steady(&f);
    f.o.m[POL_FULFILLED].n = 0;
    f.o.m[POL_FULFILLED].failed = 1;
    da_none(DECIDE(&f), "FulfilledCapacity fetch failed", 1);
    /* Fulfilled's newest datapoint at NOW-240: older than 180 s. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -1800, -60, 32);
    fx_flat(&f, POL_FULFILLED, -1800, -240, 16);
    da_none(DECIDE(&f), "no FulfilledCapacity datapoint within 180s", 1);
    /* staleness 300: gap 32 - 16 = 16 -> 4; nothing fell, no notice: no
    ** over-provision. */
    da_set(DECIDE(&f, "staleness=300"), 4, 0);
    /* Two inputs missing: the failed fetch is named before the stale
    ** TargetCapacity (pol_require's order, the same in every policy). */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -1800, -240, 32);
    f.o.m[POL_FULFILLED].failed = 1;
    da_none(DECIDE(&f), "FulfilledCapacity fetch failed", 1);
}

static void caps_and_min_size(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -1800, -60, 32);
    fx_flat(&f, POL_TERMINATING, -1800, -60, 0);
    fx_flat(&f, POL_FULFILLED, -1800, -180, 32);
    fx_flat(&f, POL_FULFILLED, -120, -60, 0);
    /* gap 32 -> 8, recent -> 9; max_on_demand 5 caps it. */
    da_set(DECIDE(&f), 9, 0);
    da_set(DECIDE(&f, "max_on_demand=5"), 5, 0);
    fx_asg(&f, 0, 0, 6);
    da_set(DECIDE(&f), 6, 0);
    /* Steady with MinSize 2: never below it. */
    steady(&f);
    fx_asg(&f, 4, 2, 10);
    da_set(DECIDE(&f), 2, 0);
}

static void period_300_scales_staleness(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    f.o.period = 300;
    /* 5-minute datapoints; the newest at NOW-600 is within 180*5 = 900 s. */
    for (long long t = -3000; t <= -600; t += 300) {
        fx_point(&f, POL_TARGET, t, 32);
        fx_point(&f, POL_TERMINATING, t, 0);
        fx_point(&f, POL_FULFILLED, t, t >= -600 ? 20 : 32);
    }
    /* gap 12 -> 3, recent -> 4 */
    da_set(DECIDE(&f), 4, 0);
    f.o.period = 60; /* the same data at 1-minute Period is stale */
    da_none(DECIDE(&f), "no TargetCapacity datapoint within 180s", 1);
}

static void lookback_covers_windows(void **st) {
    (void)st;
    const pol_policy *pol = pol_find("hedge");
    pol_params p;
    pol_params_default(pol, &p);
    assert_int_equal(pol_lookback(pol, &p, 60), 1800);
    p.v[pol_param_index(pol, "recent")] = 60;
    assert_int_equal(pol_lookback(pol, &p, 60), 300);
    assert_int_equal(pol_lookback(pol, &p, 300), 900); /* 180 * 5 */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(steady_needs_nothing),
        cmocka_unit_test(lost_capacity_is_covered_with_overprovision),
        cmocka_unit_test(notice_counts_as_lost),
        cmocka_unit_test(kept_through_cold_start),
        cmocka_unit_test(missing_datapoint_holds_the_release),
        cmocka_unit_test(fleet_scale_in_is_no_interruption),
        cmocka_unit_test(gap_never_above_target),
        cmocka_unit_test(missing_inputs_hold),
        cmocka_unit_test(caps_and_min_size),
        cmocka_unit_test(period_300_scales_staleness),
        cmocka_unit_test(lookback_covers_windows),
    };
    return cmocka_run_group_tests_name("hedge", tests, NULL, NULL);
}
