/*
** test_policy_window.c: pol_window() against its definition, checked point
** by point: the datapoints with floor(now - w, Period) <= t < now. Random
** series of 1- and 5-minute data with points missing (so the Period's
** spacing guess is wrong as often as right), at random seconds of `now`
** and random look-backs.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "policy/policy.h"

static uint64_t rnd(uint64_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void window_is_its_definition(void **st) {
    (void)st;
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    enum { MAXP = 64 };
    pol_point pts[MAXP];
    for (int round = 0; round < 200000; round++) {
        int64_t period = rnd(&x) % 4 == 0 ? 300 : 60;
        int64_t t = 1488326400 - (int64_t)(rnd(&x) % 50) * period;
        size_t n = (size_t)(rnd(&x) % MAXP);
        for (size_t i = 0; i < n; i++) {
            pts[i] = (pol_point){t, 1};
            t += period * (int64_t)(rnd(&x) % 6 == 0 ? 1 + rnd(&x) % 4 : 1);
        }
        pol_obs o = {0};
        o.period = period;
        o.now = 1488326400 + (int64_t)(rnd(&x) % 7200) - 1800;
        pol_series s = {pts, n, 0};
        int64_t w = (int64_t)(rnd(&x) % 3000);
        size_t first, got = pol_window(&o, &s, w, &first);
        int64_t start = o.now - w, r = start % period;
        start = r < 0 ? start - r - period : start - r;
        size_t a = 0, cnt = 0;
        while (a < n && pts[a].t < start) a++;
        for (size_t i = a; i < n && pts[i].t < o.now; i++) cnt++;
        assert_int_equal(got, cnt);
        if (cnt) assert_int_equal(first, a);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(window_is_its_definition),
    };
    return cmocka_run_group_tests_name("policy_window", tests, NULL, NULL);
}
