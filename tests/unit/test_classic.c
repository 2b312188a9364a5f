/*
** test_classic.c: pins every rule of the classic policy (the seed's
** controller), quirks included. Expected values are worked out by hand in
** the comments: required = (int)(pending / 4 + 0.999999).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "obs_fixture.h"

#define DECIDE(f, ...) fx_decide("classic", f, ##__VA_ARGS__, NULL)

static void assert_set(pol_decision d, int n, int honor) {
    assert_int_equal(d.action, POL_ACT_SET);
    assert_int_equal(d.desired, n);
    assert_int_equal(d.honor_cooldown, honor);
}

static void assert_none(pol_decision d, const char *reason_part) {
    assert_int_equal(d.action, POL_ACT_NONE);
    assert_non_null(strstr(d.reason, reason_part));
}

/* A steady fleet: TargetCapacity 32 every minute for the last 10 minutes, and
** the latest PendingCapacity (Timestamp NOW-60) is `pending`. */
static void steady(fixture *f, double pending) {
    fx_init(f);
    fx_flat(f, POL_TARGET, -600, -60, 32);
    fx_point(f, POL_PENDING, -60, pending);
}

static void failed_window_fetch_gives_none(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    f.o.m[POL_TARGET].failed = 1;
    fx_point(&f, POL_PENDING, -60, 8);
    assert_none(DECIDE(&f), "cannot tell whether the fleet scaled");
}

static void differing_datapoints_give_none(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    /* 32 at NOW-540, 40 at NOW-60: both in [NOW-600, NOW) and different. */
    fx_point(&f, POL_TARGET, -540, 32);
    fx_point(&f, POL_TARGET, -60, 40);
    fx_point(&f, POL_PENDING, -60, 8);
    assert_none(DECIDE(&f), "fleet scaled recently");
}

static void change_just_outside_window_is_ignored(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    /* 16 at NOW-601 is before NOW-600, so only 32s are in the window;
    ** pending 8 -> (int)(2 + 0.999999) = 2. */
    fx_point(&f, POL_TARGET, -601, 16);
    fx_flat(&f, POL_TARGET, -600, -60, 32);
    fx_point(&f, POL_PENDING, -60, 8);
    assert_set(DECIDE(&f), 2, 0);
    /* The same change is inside a 900 s window. */
    assert_none(DECIDE(&f, "window=900"), "fleet scaled recently");
}

static void window_start_is_inclusive(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    /* 16 at exactly NOW-600 is inside [NOW-600, NOW). */
    fx_point(&f, POL_TARGET, -600, 16);
    fx_point(&f, POL_TARGET, -60, 32);
    fx_point(&f, POL_PENDING, -60, 8);
    assert_none(DECIDE(&f), "fleet scaled recently");
}

static void no_datapoints_at_all_falls_back(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    /* No TargetCapacity: carry on; no latest datapoints: pending = 32,
    ** (int)(32/4 + 0.999999) = (int)8.999999 = 8. */
    pol_decision d = DECIDE(&f);
    assert_set(d, 8, 0);
    assert_non_null(strstr(d.reason, "fallback"));
}

static void missing_latest_pending_falls_back(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -600, -60, 32);
    /* The NOW-60 PendingCapacity datapoint is late: only NOW-120 is visible,
    ** outside [NOW-60, NOW). Pending becomes 32 -> 8 instances. */
    fx_point(&f, POL_PENDING, -120, 0);
    assert_set(DECIDE(&f), 8, 0);
}

static void missing_latest_target_falls_back(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    /* TargetCapacity's NOW-60 datapoint is late; PendingCapacity's is there
    ** and says 0. The original still falls back to 32 -> 8 instances. */
    fx_flat(&f, POL_TARGET, -600, -120, 32);
    fx_point(&f, POL_PENDING, -60, 0);
    assert_set(DECIDE(&f), 8, 0);
}

static void failed_pending_fetch_falls_back(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -600, -60, 32);
    f.o.m[POL_PENDING].failed = 1;
    /* fallback_capacity=20 -> (int)(5 + 0.999999) = 5. */
    assert_set(DECIDE(&f, "fallback_capacity=20"), 5, 0);
}

static void roundup_at_and_above_multiples(void **st) {
    (void)st;
    /* pending -> (int)(pending/4 + 0.999999) */
    static const struct { double pending; int want; } cases[] = {
        {0, 0},          /* 0.999999 -> 0 */
        {4, 1},          /* 1.999999 -> 1: exact multiple, no extra */
        {8, 2},          /* 2.999999 -> 2 */
        {8.1, 3},        /* 2.025 + 0.999999 = 3.024999 -> 3 */
        {9, 3},          /* 2.25 + 0.999999 = 3.249999 -> 3 */
        {8.000001, 2},   /* 2.00000025 + 0.999999 = 2.99999925 -> 2 (quirk) */
        {8.00001, 3},    /* 2.0000025 + 0.999999 = 3.0000015 -> 3 */
        {0.5, 1},        /* 0.125 + 0.999999 = 1.124999 -> 1 */
        {32, 8},         /* 8.999999 -> 8 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture f;
        steady(&f, cases[i].pending);
        pol_decision d = DECIDE(&f);
        if (cases[i].want == 0) {
            assert_int_equal(d.action, POL_ACT_NONE);
        } else {
            assert_set(d, cases[i].want, 0);
        }
    }
}

static void scale_down_honours_cooldown(void **st) {
    (void)st;
    fixture f;
    steady(&f, 4);
    fx_asg(&f, 5, 0, 200);
    /* pending 4 -> 1 < desired 5: set 1 with HonorCooldown=true. */
    assert_set(DECIDE(&f), 1, 1);
    steady(&f, 0);
    fx_asg(&f, 2, 0, 200);
    assert_set(DECIDE(&f), 0, 1);
}

static void equal_gives_none(void **st) {
    (void)st;
    fixture f;
    steady(&f, 12); /* 3.999999 -> 3 */
    fx_asg(&f, 3, 0, 200);
    assert_none(DECIDE(&f), "already desired");
}

static void unknown_asg_gives_none(void **st) {
    (void)st;
    fixture f;
    steady(&f, 16);
    f.o.asg.known = 0;
    assert_none(DECIDE(&f), "ASG state unknown");
}

static void clamped_to_max_size_not_min_size(void **st) {
    (void)st;
    fixture f;
    steady(&f, 1000); /* 250.999999 -> 250, above MaxSize 200: clamped */
    pol_decision d = DECIDE(&f);
    assert_set(d, 200, 0);
    assert_non_null(strstr(d.reason, "clamped to MaxSize 200"));
    steady(&f, 0);
    fx_asg(&f, 3, 2, 200); /* 0 is below MinSize 2: still asked for (AWS
                              rejects it, as it did the original's call) */
    assert_set(DECIDE(&f), 0, 1);
}

static void huge_pending_never_overflows(void **st) {
    (void)st;
    fixture f;
    /* 1e10 / 4 + 0.999999 = 2.5e9 is beyond INT_MAX: the count saturates
    ** and the engine clamps it to MaxSize 200 (no out-of-range int cast). */
    steady(&f, 1e10);
    pol_decision d = DECIDE(&f);
    assert_set(d, 200, 0);
    /* Already at MaxSize: the clamped call would change nothing. */
    steady(&f, 1e300);
    fx_asg(&f, 200, 0, 200);
    d = DECIDE(&f);
    assert_int_equal(d.action, POL_ACT_NONE);
    assert_non_null(strstr(d.reason, "already desired"));
}

/* GetMetricStatistics rounds StartTime down to the minute: the original,
** called at 12:00:01 with StartTime 11:59:01, gets the 11:59:00 datapoint. */
static void start_time_rounded_down_to_the_minute(void **st) {
    (void)st;
    fixture f;
    steady(&f, 0);
    f.o.now = NOW + 1;
    /* pending 0 -> 0 instances, desired 0 already: no fallback to 32. */
    pol_decision d = DECIDE(&f);
    assert_none(d, "PendingCapacity 0 units: 0 instances already desired");
    /* And the 10-minute check: a change at NOW-600 is still inside the
    ** window at NOW+59 (StartTime NOW-541 rounds down to NOW-600). */
    fx_init(&f);
    fx_point(&f, POL_TARGET, -600, 16);
    fx_flat(&f, POL_TARGET, -540, -60, 32);
    fx_point(&f, POL_PENDING, -60, 8);
    f.o.now = NOW + 59;
    assert_none(DECIDE(&f), "fleet scaled recently");
    f.o.now = NOW + 60; /* StartTime NOW-540: the change has left */
    /* now the latest minute is NOW..NOW+60, whose datapoint is not there:
    ** the original falls back to 32 -> 8 instances */
    assert_set(DECIDE(&f), 8, 0);
}

/* The same observation seen at every second of the minute gives the same
** decision as at the minute itself. */
static void same_decision_at_every_second_offset(void **st) {
    (void)st;
    static const double pendings[] = {0, 3, 8, 32, 33};
    for (size_t k = 0; k < sizeof pendings / sizeof pendings[0]; k++) {
        for (int variant = 0; variant < 3; variant++) {
            fixture f;
            steady(&f, pendings[k]);
            if (variant == 1) fx_asg(&f, 4, 0, 200);
            if (variant == 2) { /* a TargetCapacity change 10 minutes back */
                fx_init(&f);
                fx_point(&f, POL_TARGET, -600, 24);
                fx_flat(&f, POL_TARGET, -540, -60, 32);
                fx_point(&f, POL_PENDING, -60, pendings[k]);
            }
            pol_decision d0 = DECIDE(&f);
            for (int s = 1; s < 60; s++) {
                f.o.now = NOW + s;
                pol_decision d = DECIDE(&f);
                assert_int_equal(d.action, d0.action);
                assert_int_equal(d.desired, d0.desired);
                assert_int_equal(d.honor_cooldown, d0.honor_cooldown);
            }
        }
    }
}

/* Recorded 5-minute data: the "latest minute" is the latest Period. */
static void period_300_reads_the_latest_period(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    f.o.period = 300;
    fx_point(&f, POL_TARGET, -600, 32);
    fx_point(&f, POL_TARGET, -300, 32);
    fx_point(&f, POL_PENDING, -600, 0);
    fx_point(&f, POL_PENDING, -300, 8);
    /* At NOW+299, StartTime NOW-1 rounds down to NOW-300: pending 8 -> 2 */
    f.o.now = NOW + 299;
    assert_set(DECIDE(&f), 2, 0);
    /* At NOW+300 the NOW datapoint is due and missing: fallback 32 -> 8 */
    f.o.now = NOW + 300;
    assert_set(DECIDE(&f), 8, 0);
}

static void earliest_pending_in_last_minute(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    /* Two PendingCapacity datapoints inside [NOW-60, NOW): the earliest (4)
    ** is used: (int)(1 + 0.999999) = 1, not 12 -> 3. */
    fx_point(&f, POL_TARGET, -60, 32);
    fx_point(&f, POL_PENDING, -50, 4);
    fx_point(&f, POL_PENDING, -10, 12);
    assert_set(DECIDE(&f), 1, 0);
}

static void units_per_instance_parameter(void **st) {
    (void)st;
    fixture f;
    steady(&f, 16);
    /* 16/8 + 0.999999 = 2.999999 -> 2 */
    assert_set(DECIDE(&f, "units_per_instance=8"), 2, 0);
}

static void lookback_is_window(void **st) {
    (void)st;
    const pol_policy *pol = pol_find("classic");
    pol_params p;
    char err[128];
    pol_params_default(pol, &p);
    assert_int_equal(pol_lookback(pol, &p, 60), 600);
    assert_int_equal(pol_param_set(pol, &p, "window", "900", err, sizeof err), 0);
    assert_int_equal(pol_lookback(pol, &p, 60), 900);
    /* At least one Period: window 60 reads one 300 s datapoint back */
    assert_int_equal(pol_param_set(pol, &p, "window", "60", err, sizeof err), 0);
    assert_int_equal(pol_lookback(pol, &p, 60), 60);
    assert_int_equal(pol_lookback(pol, &p, 300), 300);
}

static void param_errors(void **st) {
    (void)st;
    const pol_policy *pol = pol_find("classic");
    pol_params p;
    char err[128];
    pol_params_default(pol, &p);
    assert_int_equal(pol_param_set(pol, &p, "nope", "1", err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown parameter 'nope'"));
    assert_int_equal(pol_param_set(pol, &p, "window", "1.5", err, sizeof err), -1);
    assert_non_null(strstr(err, "whole number"));
    assert_int_equal(pol_param_set(pol, &p, "window", "abc", err, sizeof err), -1);
    assert_non_null(strstr(err, "not a number"));
    assert_int_equal(pol_param_set(pol, &p, "window", "-60", err, sizeof err), -1);
    assert_non_null(strstr(err, "between"));
    assert_int_equal(pol_param_set(pol, &p, "units_per_instance", "0", err,
                                   sizeof err), -1);
    assert_true(p.v[0] == 600); /* failed sets change nothing */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(failed_window_fetch_gives_none),
        cmocka_unit_test(differing_datapoints_give_none),
        cmocka_unit_test(change_just_outside_window_is_ignored),
        cmocka_unit_test(window_start_is_inclusive),
        cmocka_unit_test(no_datapoints_at_all_falls_back),
        cmocka_unit_test(missing_latest_pending_falls_back),
        cmocka_unit_test(missing_latest_target_falls_back),
        cmocka_unit_test(failed_pending_fetch_falls_back),
        cmocka_unit_test(roundup_at_and_above_multiples),
        cmocka_unit_test(scale_down_honours_cooldown),
        cmocka_unit_test(equal_gives_none),
        cmocka_unit_test(unknown_asg_gives_none),
        cmocka_unit_test(clamped_to_max_size_not_min_size),
        cmocka_unit_test(huge_pending_never_overflows),
        cmocka_unit_test(start_time_rounded_down_to_the_minute),
        cmocka_unit_test(same_decision_at_every_second_offset),
        cmocka_unit_test(period_300_reads_the_latest_period),
        cmocka_unit_test(earliest_pending_in_last_minute),
        cmocka_unit_test(units_per_instance_parameter),
        cmocka_unit_test(lookback_is_window),
        cmocka_unit_test(param_errors),
    };
    return cmocka_run_group_tests_name("classic", tests, NULL, NULL);
}
