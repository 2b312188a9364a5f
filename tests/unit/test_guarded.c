/*
** test_guarded.c: pins every rule of the guarded policy. Defaults:
** units_per_instance 4, staleness 180 s, window 600 s, confirm 2,
** scale_in_delay 900 s, scale_in_step 4, headroom_units 0,
** max_on_demand 100, use_events 1. Expected values by hand in comments.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "obs_fixture.h"

#define DECIDE(f, ...) fx_decide("guarded", f, ##__VA_ARGS__, NULL)

static void assert_set(pol_decision d, int n, int honor) {
    assert_int_equal(d.action, POL_ACT_SET);
    assert_int_equal(d.desired, n);
    assert_int_equal(d.honor_cooldown, honor);
}

static void assert_none(pol_decision d, const char *reason_part) {
    assert_int_equal(d.action, POL_ACT_NONE);
    if (!strstr(d.reason, reason_part))
        fail_msg("reason '%s' lacks '%s'", d.reason, reason_part);
}

/* TargetCapacity 32 (and a TerminatingCapacity 0, not read) for 15 minutes;
** PendingCapacity `pending` at the two newest minutes (NOW-120 and NOW-60)
** and 0 before. */
static void shortfall(fixture *f, double pending) {
    fx_init(f);
    fx_flat(f, POL_TARGET, -900, -60, 32);
    fx_flat(f, POL_TERMINATING, -900, -60, 0);
    fx_flat(f, POL_PENDING, -900, -180, 0);
    fx_point(f, POL_PENDING, -120, pending);
    fx_point(f, POL_PENDING, -60, pending);
}

static void unknown_asg_holds(void **st) {
    (void)st;
    fixture f;
    shortfall(&f, 8);
    f.o.asg.known = 0;
    assert_none(DECIDE(&f), "ASG state unknown");
}

static void failed_fetch_holds(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    f.o.m[POL_PENDING].failed = 1; /* classic would assume 32 pending */
    assert_none(DECIDE(&f), "PendingCapacity fetch failed");
    fx_init(&f);
    f.o.m[POL_TARGET].failed = 1;
    fx_flat(&f, POL_PENDING, -900, -60, 8);
    assert_none(DECIDE(&f), "TargetCapacity fetch failed");
}

static void stale_data_holds(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    /* Newest PendingCapacity is at NOW-240, older than NOW-180. */
    fx_flat(&f, POL_PENDING, -900, -240, 16);
    assert_none(DECIDE(&f), "no PendingCapacity datapoint within 180s");
    /* With staleness 300 it is fresh: 16 units over 2+ datapoints -> 4. */
    assert_set(DECIDE(&f, "staleness=300"), 4, 0);
}

static void late_datapoint_uses_freshest(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    /* The NOW-60 datapoints are late (not visible). NOW-180 and NOW-120 show
    ** 8 pending: confirmed, 8/4 = 2 instances. Classic would fall back to 32
    ** units (8 instances) here. */
    fx_flat(&f, POL_TARGET, -900, -120, 32);
    fx_flat(&f, POL_PENDING, -900, -240, 0);
    fx_point(&f, POL_PENDING, -180, 8);
    fx_point(&f, POL_PENDING, -120, 8);
    assert_set(DECIDE(&f), 2, 0);
    assert_set(fx_decide("classic", &f, NULL), 8, 0);
}

static void confirm_before_scaling_out(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_PENDING, -900, -120, 0);
    fx_point(&f, POL_PENDING, -60, 8); /* one datapoint with a shortfall */
    assert_none(DECIDE(&f), "not yet confirmed");
    assert_set(DECIDE(&f, "confirm=1"), 2, 0);
    /* Three needed, two shown (NOW-120 and NOW-60). */
    shortfall(&f, 8);
    assert_set(DECIDE(&f), 2, 0);
    assert_int_equal(DECIDE(&f, "confirm=3").action, POL_ACT_NONE);
}

static void confirm_uses_newest_value(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_point(&f, POL_PENDING, -120, 4);
    fx_point(&f, POL_PENDING, -60, 20); /* confirmed; newest 20 -> 5 */
    assert_set(DECIDE(&f), 5, 0);
}

static void launching_capacity_not_covered(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    /* Target rose from 32 to 48 at NOW-300: 16 units the fleet is launching. */
    fx_flat(&f, POL_TARGET, -900, -360, 32);
    fx_flat(&f, POL_TARGET, -300, -60, 48);
    fx_flat(&f, POL_PENDING, -900, -360, 0);
    fx_flat(&f, POL_PENDING, -300, -60, 16);
    assert_none(DECIDE(&f), "launching");
    /* Classic does nothing at all while the fleet scales. */
    assert_none(fx_decide("classic", &f, NULL), "fleet scaled recently");
}

static void shortfall_beyond_launching_covered_at_once(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    /* Target 32 -> 40 at NOW-300 (8 launching); pending 20: 12 beyond it ->
    ** 12/4 = 3 instances, even while the fleet scales. */
    fx_flat(&f, POL_TARGET, -900, -360, 32);
    fx_flat(&f, POL_TARGET, -300, -60, 40);
    fx_flat(&f, POL_PENDING, -900, -360, 0);
    fx_flat(&f, POL_PENDING, -300, -60, 20);
    assert_set(DECIDE(&f), 3, 0);
    /* Once the increase is older than the window it counts in full: with
    ** window=240 the window [NOW-240, NOW) holds only 40s: 20 -> 5. */
    assert_set(DECIDE(&f, "window=240"), 5, 0);
}

/* A failed spot launch within `window` (600 s): the 16 pending units are
** not being launched (launching 0) and one datapoint confirms them: 16 / 4
** = 4 instances at once. Without the parameter, or with a failure older
** than the window (NOW-700), or without a source, the target increase is
** capacity the group is launching: none. */
static void failed_launch_covers_at_once(void **st) {
    (void)st;
    fixture f;
    static int64_t at[2] = {NOW - 700, NOW - 240};
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -360, 32);
    fx_flat(&f, POL_TARGET, -300, -60, 48);
    fx_flat(&f, POL_PENDING, -900, -360, 0);
    fx_flat(&f, POL_PENDING, -300, -60, 16);
    f.o.launch_failures.known = 1;
    f.o.launch_failures.t = at;
    f.o.launch_failures.n = 2;
    pol_decision d = DECIDE(&f, "use_launch_failures=1");
    assert_set(d, 4, 0);
    assert_non_null(strstr(d.reason, "a spot launch failed"));
    assert_none(DECIDE(&f), "launching");
    f.o.launch_failures.n = 1; /* only NOW-700: outside the window */
    assert_none(DECIDE(&f, "use_launch_failures=1"), "launching");
    /* One new datapoint of pending 8 (the one before it 0), no target
    ** increase: confirm 2 waits; a failure at NOW-240 confirms it: 8 / 4 =
    ** 2 instances. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_PENDING, -900, -120, 0);
    fx_point(&f, POL_PENDING, -60, 8);
    assert_none(DECIDE(&f, "use_launch_failures=1"), "not yet confirmed");
    f.o.launch_failures.known = 1;
    f.o.launch_failures.t = at + 1;
    f.o.launch_failures.n = 1;
    assert_set(DECIDE(&f, "use_launch_failures=1"), 2, 0);
    /* No source (a Spot Fleet): runs as without, and says so once it acts. */
    shortfall(&f, 8); /* two datapoints: confirmed */
    d = DECIDE(&f, "use_launch_failures=1");
    assert_set(d, 2, 0);
    assert_non_null(strstr(d.reason, "no launch failures source"));
}

/* The units of the interruption warnings received within the notice's two
** minutes are covered at once: 8 units -> 8 / 4 = 2 instances. */
static void warning_acts_at_once(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_PENDING, -900, -60, 0);
    fx_event(&f, POL_EV_WARNING, -30, 4);
    fx_event(&f, POL_EV_WARNING, -20, 4);
    assert_set(DECIDE(&f), 2, 0);
    assert_none(DECIDE(&f, "use_events=0"), "no shortfall");
    /* A rebalance recommendation is not a warning. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_PENDING, -900, -60, 0);
    fx_event(&f, POL_EV_REBALANCE, -30, 8);
    assert_none(DECIDE(&f), "no shortfall");
    /* A warning received more than 120 s ago names an instance gone by
    ** now: PendingCapacity shows what the fleet did not replace. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_PENDING, -900, -60, 0);
    fx_event(&f, POL_EV_WARNING, -121, 8);
    assert_none(DECIDE(&f), "no shortfall");
    /* TerminatingCapacity is capacity the fleet ends for being above its
    ** target, not a notice: not read. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_PENDING, -900, -60, 0);
    fx_point(&f, POL_TERMINATING, -60, 8);
    assert_none(DECIDE(&f), "no shortfall");
}

/* 16 units warned are covered by 4 on-demand instances, kept while the
** notice lasts; without an event source guarded says so. */
static void warned_units_kept_while_the_notice_lasts(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_PENDING, -900, -60, 0);
    fx_event(&f, POL_EV_WARNING, -100, 16);
    fx_asg(&f, 4, 0, 200);
    assert_none(DECIDE(&f), "shortfall covered: 4 instances desired");
    /* Past the notice, with pending 0 for 900 s: down by scale_in_step 4. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_PENDING, -900, -60, 0);
    fx_event(&f, POL_EV_WARNING, -130, 16);
    fx_asg(&f, 4, 0, 200);
    assert_set(DECIDE(&f), 0, 1);
    /* No event source: a confirmed shortfall is still covered (pending 8
    ** at the two newest minutes -> 2 instances), and the reason says the
    ** notices were not seen. */
    shortfall(&f, 8);
    pol_decision d = DECIDE(&f);
    assert_set(d, 2, 0);
    assert_non_null(strstr(d.reason, "no interruption events"));
    fx_event(&f, POL_EV_WARNING, -30, 4);
    d = DECIDE(&f);
    assert_set(d, 3, 0);
    assert_null(strstr(d.reason, "no interruption events"));
}

/* Every window is what CloudWatch returns for StartTime = now - w (rounded
** down to the minute): the same observation gives the same decision at
** every second of the minute. */
static void same_decision_at_every_second_offset(void **st) {
    (void)st;
    static const double pendings[] = {0, 4, 8, 30};
    for (size_t k = 0; k < sizeof pendings / sizeof pendings[0]; k++) {
        for (int desired = 0; desired <= 8; desired += 4) {
            fixture f;
            shortfall(&f, pendings[k]);
            fx_event(&f, POL_EV_WARNING, -30, 4);
            fx_asg(&f, desired, 0, 200);
            pol_decision d0 = DECIDE(&f);
            for (int s = 1; s < 60; s++) {
                f.o.now = NOW + s;
                pol_decision d = DECIDE(&f);
                assert_int_equal(d.action, d0.action);
                assert_int_equal(d.desired, d0.desired);
            }
        }
    }
    /* Staleness 180 at NOW+59: StartTime NOW-121 rounds to NOW-180, so a
    ** datapoint at NOW-180 is still fresh. */
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -180, 32);
    fx_flat(&f, POL_PENDING, -900, -240, 0);
    fx_point(&f, POL_PENDING, -180, 0);
    f.o.now = NOW + 59;
    assert_none(DECIDE(&f), "no shortfall");
}

/* 5-minute data (a recorded export replayed): staleness and the confirm
** span scale with the Period, so a steady 300 s series is never stale. */
static void period_300_scales_staleness(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    f.o.period = 300;
    for (long long t = -1800; t <= -300; t += 300) {
        fx_point(&f, POL_TARGET, t, 32);
        fx_point(&f, POL_PENDING, t, t >= -600 ? 8 : 0);
    }
    /* At NOW+299 the newest datapoint (NOW-300) is 599 s old: within 180 *
    ** 300/60 = 900 s. Two newest pending 8 -> confirmed -> 2 instances. */
    f.o.now = NOW + 299;
    assert_set(DECIDE(&f), 2, 0);
    /* At 1-minute data the same series would be stale. */
    f.o.period = 60;
    assert_none(DECIDE(&f), "no TargetCapacity datapoint within 180s");
}

static void caps_max_size_and_max_on_demand(void **st) {
    (void)st;
    fixture f;
    shortfall(&f, 1000); /* 250 instances wanted */
    pol_decision d = DECIDE(&f);
    assert_set(d, 100, 0); /* max_on_demand 100 < MaxSize 200 */
    assert_non_null(strstr(d.reason, "capped"));
    fx_asg(&f, 0, 0, 10);
    assert_set(DECIDE(&f), 10, 0);
    fx_asg(&f, 10, 0, 10);
    assert_none(DECIDE(&f), "at the cap of 10");
}

static void desired_above_cap_comes_down(void **st) {
    (void)st;
    fixture f;
    shortfall(&f, 0);
    fx_asg(&f, 150, 0, 200);
    /* max(0, 150 - 4) = 146, capped to max_on_demand 100, honouring the
    ** cooldown like any scale-in. */
    assert_set(DECIDE(&f), 100, 1);
}

static void scale_in_after_delay_in_steps(void **st) {
    (void)st;
    fixture f;
    shortfall(&f, 0);
    fx_asg(&f, 10, 0, 200);
    /* No shortfall in the last 900 s: want 0, step 4: 10 - 4 = 6. */
    assert_set(DECIDE(&f), 6, 1);
    assert_set(DECIDE(&f, "scale_in_step=20"), 0, 1);
}

static void scale_in_waits_for_delay(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_PENDING, -900, -660, 0);
    fx_point(&f, POL_PENDING, -600, 8); /* shortfall 10 minutes ago */
    fx_flat(&f, POL_PENDING, -540, -60, 0);
    fx_flat(&f, POL_TERMINATING, -900, -60, 0);
    fx_asg(&f, 2, 0, 200);
    /* peak 8 within 900 s -> keep 2: nothing to do. */
    assert_none(DECIDE(&f), "holding 2 instances");
    /* With scale_in_delay 300 the shortfall is forgotten: 2 -> 0. */
    assert_set(DECIDE(&f, "scale_in_delay=300"), 0, 1);
    /* A smaller past shortfall keeps fewer: 4 units -> keep 1. */
    f.pts[POL_PENDING][5].v = 4;
    assert_set(DECIDE(&f), 1, 1);
}

/* The missing-datapoint rule (docs/policies.md): a scale-in needs every
** Period of scale_in_delay's PendingCapacity, up to the newest datapoint.
** Issue 24's case: a shortfall of 8 units from NOW-660 to NOW-480, then
** the same observation without those four datapoints. */
static void partial_window_never_scales_in(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_TERMINATING, -900, -60, 0);
    fx_flat(&f, POL_PENDING, -900, -720, 0);
    fx_flat(&f, POL_PENDING, -660, -480, 8);
    fx_flat(&f, POL_PENDING, -420, -60, 0);
    fx_asg(&f, 2, 0, 200);
    assert_none(DECIDE(&f), "holding 2 instances: shortfall of 8 units within 900s");
    /* The four 8s missing: not 2 -> 0, a hold naming the first hole. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_TERMINATING, -900, -60, 0);
    fx_flat(&f, POL_PENDING, -900, -720, 0);
    fx_flat(&f, POL_PENDING, -420, -60, 0);
    fx_asg(&f, 2, 0, 200);
    pol_decision d = DECIDE(&f);
    assert_none(d, "PendingCapacity has no datapoint 660s ago, within 900s; "
                   "not scaling in from 2");
    assert_true(d.held);
    /* One missing datapoint is enough, the window's first Period too. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_TERMINATING, -900, -60, 0);
    fx_flat(&f, POL_PENDING, -840, -60, 0);
    fx_asg(&f, 2, 0, 200);
    assert_none(DECIDE(&f), "PendingCapacity has no datapoint 900s ago");
    /* ... but not a datapoint before the window: scale_in_delay 840 starts
    ** at NOW-840. */
    assert_set(DECIDE(&f, "scale_in_delay=840"), 0, 1);
    /* A scale-out is not held by a hole (the hole proves nothing), and
    ** holding what the group has is not a scale-in. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_TERMINATING, -900, -60, 0);
    fx_flat(&f, POL_PENDING, -900, -720, 0);
    fx_flat(&f, POL_PENDING, -420, -180, 0);
    fx_flat(&f, POL_PENDING, -120, -60, 8);
    fx_asg(&f, 1, 0, 200);
    assert_set(DECIDE(&f), 2, 0);
    fx_asg(&f, 2, 0, 200);
    assert_none(DECIDE(&f), "shortfall covered: 2 instances desired");
}

/* Periods after the newest datapoint are late, not missing: the freshness
** rule governs them. Newest PendingCapacity at NOW-180 (fresh at 180 s),
** every Period before it present: the window is whole. */
static void late_tail_is_not_a_hole(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -60, 32);
    fx_flat(&f, POL_TERMINATING, -900, -60, 0);
    fx_flat(&f, POL_PENDING, -900, -180, 0);
    fx_asg(&f, 2, 0, 200);
    assert_set(DECIDE(&f), 0, 1);
    /* A missing TargetCapacity datapoint does not hold a scale-in: it can
    ** only lower `launching`, which keeps more. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -900, -600, 32);
    fx_flat(&f, POL_TARGET, -300, -60, 32);
    fx_flat(&f, POL_TERMINATING, -900, -60, 0);
    fx_flat(&f, POL_PENDING, -900, -60, 0);
    fx_asg(&f, 2, 0, 200);
    assert_set(DECIDE(&f), 0, 1);
}

/* 5-minute data: a Period is 300 s, so one missing datapoint there holds
** too. */
static void period_300_hole_holds(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    f.o.period = 300;
    for (long long t = -1800; t <= -300; t += 300) {
        fx_point(&f, POL_TARGET, t, 32);
        fx_point(&f, POL_TERMINATING, t, 0);
        if (t != -600) fx_point(&f, POL_PENDING, t, 0);
    }
    fx_asg(&f, 2, 0, 200);
    assert_none(DECIDE(&f), "PendingCapacity has no datapoint 600s ago, within 900s");
    fx_init(&f);
    f.o.period = 300;
    for (long long t = -1800; t <= -300; t += 300) {
        fx_point(&f, POL_TARGET, t, 32);
        fx_point(&f, POL_TERMINATING, t, 0);
        fx_point(&f, POL_PENDING, t, 0);
    }
    fx_asg(&f, 2, 0, 200);
    assert_set(DECIDE(&f), 0, 1);
}

static void never_below_min_size(void **st) {
    (void)st;
    fixture f;
    shortfall(&f, 0);
    fx_asg(&f, 2, 2, 200);
    assert_none(DECIDE(&f), "no shortfall");
    fx_asg(&f, 6, 2, 200);
    assert_set(DECIDE(&f, "scale_in_step=10"), 2, 1);
    fx_asg(&f, 0, 2, 200); /* below MinSize: brought up to it */
    assert_set(DECIDE(&f), 2, 0);
}

static void headroom_added_to_shortfall(void **st) {
    (void)st;
    fixture f;
    shortfall(&f, 8);
    /* 8 + 2 = 10 units -> ceil(2.5) = 3 */
    assert_set(DECIDE(&f, "headroom_units=2"), 3, 0);
    /* No shortfall: no headroom either. */
    shortfall(&f, 0);
    assert_none(DECIDE(&f, "headroom_units=2"), "no shortfall");
}

static void exact_multiples_round_up_correctly(void **st) {
    (void)st;
    fixture f;
    shortfall(&f, 8); /* exactly 2 instances, not 3 */
    assert_set(DECIDE(&f), 2, 0);
    shortfall(&f, 8.5); /* ceil(2.125) = 3 */
    assert_set(DECIDE(&f), 3, 0);
}

static void scale_out_ignores_cooldown_when_some_desired(void **st) {
    (void)st;
    fixture f;
    shortfall(&f, 32);
    fx_asg(&f, 3, 0, 200);
    assert_set(DECIDE(&f), 8, 0);
}

static void lookback_covers_all_windows(void **st) {
    (void)st;
    const pol_policy *pol = pol_find("guarded");
    pol_params p;
    char err[128];
    pol_params_default(pol, &p);
    /* max(window 600, scale_in_delay 900, staleness 180 + (2-1)*60) */
    assert_int_equal(pol_lookback(pol, &p, 60), 900);
    /* At Period 300: staleness 180*5 = 900, + (2-1)*300 = 1200 */
    assert_int_equal(pol_lookback(pol, &p, 300), 1200);
    assert_int_equal(pol_param_set(pol, &p, "scale_in_delay", "0", err, sizeof err), 0);
    assert_int_equal(pol_lookback(pol, &p, 60), 600);
    assert_int_equal(pol_param_set(pol, &p, "confirm", "10", err, sizeof err), 0);
    assert_int_equal(pol_param_set(pol, &p, "window", "60", err, sizeof err), 0);
    /* 180 + 9*60 = 720 */
    assert_int_equal(pol_lookback(pol, &p, 60), 720);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_asg_holds),
        cmocka_unit_test(failed_fetch_holds),
        cmocka_unit_test(stale_data_holds),
        cmocka_unit_test(late_datapoint_uses_freshest),
        cmocka_unit_test(confirm_before_scaling_out),
        cmocka_unit_test(confirm_uses_newest_value),
        cmocka_unit_test(launching_capacity_not_covered),
        cmocka_unit_test(shortfall_beyond_launching_covered_at_once),
        cmocka_unit_test(warning_acts_at_once),
        cmocka_unit_test(failed_launch_covers_at_once),
        cmocka_unit_test(warned_units_kept_while_the_notice_lasts),
        cmocka_unit_test(same_decision_at_every_second_offset),
        cmocka_unit_test(period_300_scales_staleness),
        cmocka_unit_test(caps_max_size_and_max_on_demand),
        cmocka_unit_test(desired_above_cap_comes_down),
        cmocka_unit_test(scale_in_after_delay_in_steps),
        cmocka_unit_test(scale_in_waits_for_delay),
        cmocka_unit_test(partial_window_never_scales_in),
        cmocka_unit_test(late_tail_is_not_a_hole),
        cmocka_unit_test(period_300_hole_holds),
        cmocka_unit_test(never_below_min_size),
        cmocka_unit_test(headroom_added_to_shortfall),
        cmocka_unit_test(exact_multiples_round_up_correctly),
        cmocka_unit_test(scale_out_ignores_cooldown_when_some_desired),
        cmocka_unit_test(lookback_covers_all_windows),
    };
    return cmocka_run_group_tests_name("guarded", tests, NULL, NULL);
}
