/*
** test_ends.c: the two ends of every comparison: `none` (spot only, the
** group at MinSize) and `ondemand` (the group holds the whole
** TargetCapacity). Expected values by hand in comments.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "obs_fixture.h"
#include "decision_asserts.h"

static void none_keeps_min_size(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_PENDING, -600, -60, 32); /* a shortfall it ignores */
    da_none(fx_decide("none", &f, NULL), "spot only: no on-demand fallback", 0);
    fx_asg(&f, 5, 1, 10);
    da_set(fx_decide("none", &f, NULL), 1, 0);
    fx_asg(&f, 0, 2, 10);
    da_set(fx_decide("none", &f, NULL), 2, 0);
    /* It reads no metric: failed fetches do not stop it. */
    for (int m = 0; m < POL_NMETRICS; m++) {
        f.o.m[m].n = 0;
        f.o.m[m].failed = 1;
    }
    da_set(fx_decide("none", &f, NULL), 2, 0);
    f.o.asg.known = 0;
    da_none(fx_decide("none", &f, NULL), "ASG state unknown", 1);
}

static void ondemand_holds_the_target(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -600, -60, 30);
    da_set(fx_decide("ondemand", &f, NULL), 8, 0); /* ceil(30/4) */
    da_set(fx_decide("ondemand", &f, "units_per_instance=8", NULL), 4, 0);
    da_set(fx_decide("ondemand", &f, "max_on_demand=5", NULL), 5, 0);
    fx_asg(&f, 8, 0, 200);
    da_none(fx_decide("ondemand", &f, NULL), "all on demand: 8 instances", 0);
    /* The target falls to 16: 4 instances. */
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -600, -120, 30);
    fx_point(&f, POL_TARGET, -60, 16);
    fx_asg(&f, 8, 0, 200);
    da_set(fx_decide("ondemand", &f, NULL), 4, 0);
}

static void ondemand_holds_without_target(void **st) {
    (void)st;
    fixture f;
    fx_init(&f);
    f.o.m[POL_TARGET].failed = 1;
    da_none(fx_decide("ondemand", &f, NULL), "TargetCapacity fetch failed", 1);
    fx_init(&f);
    fx_flat(&f, POL_TARGET, -600, -240, 32);
    da_none(fx_decide("ondemand", &f, NULL), "no TargetCapacity datapoint within 180s", 1);
    fx_flat(&f, POL_TARGET, -180, -180, 32);
    da_set(fx_decide("ondemand", &f, NULL), 8, 0);
    f.o.asg.known = 0;
    da_none(fx_decide("ondemand", &f, NULL), "ASG state unknown", 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(none_keeps_min_size),
        cmocka_unit_test(ondemand_holds_the_target),
        cmocka_unit_test(ondemand_holds_without_target),
    };
    return cmocka_run_group_tests_name("ends", tests, NULL, NULL);
}
