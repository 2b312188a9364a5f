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

static void no_clamping_to_asg_sizes(void **st) {
    (void)st;
    fixture f;
    steady(&f, 1000); /* 250.999999 -> 250, above MaxSize 200 */
    assert_set(DECIDE(&f), 250, 0);
    steady(&f, 0);
    fx_asg(&f, 3, 2, 200); /* 0 is below MinSize 2: still asked for */
    assert_set(DECIDE(&f), 0, 1);
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
    assert_int_equal(pol_lookback(pol, &p), 600);
    assert_int_equal(pol_param_set(pol, &p, "window", "900", err, sizeof err), 0);
    assert_int_equal(pol_lookback(pol, &p), 900);
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
        cmocka_unit_test(no_clamping_to_asg_sizes),
        cmocka_unit_test(earliest_pending_in_last_minute),
        cmocka_unit_test(units_per_instance_parameter),
        cmocka_unit_test(lookback_is_window),
        cmocka_unit_test(param_errors),
    };
    return cmocka_run_group_tests_name("classic", tests, NULL, NULL);
}
