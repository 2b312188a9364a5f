/*
** test_billing.c: pins sim_charge(), the one billing rule of the accounting
** and the oracle, against AWS's "Billing for interrupted Spot Instances"
** table and per-second / per-hour billing. Every expected figure is worked
** out by hand in the comments.
**
** The spot price used throughout: 0.10 USD/h from t=0, 0.20 USD/h from
** t=1800, 0.40 USD/h from t=3600.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "sim/sim_int.h"

#define NEAR(a, b) assert_true((a) - (b) < 1e-12 && (b) - (a) < 1e-12)

static pol_point pts[] = {{0, 0.10}, {1800, 0.20}, {3600, 0.40}};
static const sim_steps price = {pts, 3};

static double spot(sim_billing b, int64_t dur, int by_ec2, int fresh) {
    return sim_charge(b, &price, NULL, 0, 0, dur, by_ec2, fresh);
}

static void per_second_interrupted_by_ec2(void **st) {
    (void)st;
    /* First hour: no charge, whatever the price. */
    NEAR(spot(SIM_PER_SECOND, 30, 1, 1), 0);
    NEAR(spot(SIM_PER_SECOND, 3599, 1, 1), 0);
    /* From the first full hour on: the seconds used.
    ** 3600 s: 1800*0.10 + 1800*0.20 = 540 USD-s = 0.15 USD. */
    NEAR(spot(SIM_PER_SECOND, 3600, 1, 1), 540.0 / 3600);
    /* 4000 s: 540 + 400*0.40 = 700 USD-s. */
    NEAR(spot(SIM_PER_SECOND, 4000, 1, 1), 700.0 / 3600);
    /* An instance that was running before the run started is past its first
    ** hour: 2000 s = 1800*0.10 + 200*0.20 = 220 USD-s. */
    NEAR(spot(SIM_PER_SECOND, 2000, 1, 0), 220.0 / 3600);
}

static void per_second_ended_by_the_owner(void **st) {
    (void)st;
    /* Seconds used, 60 s minimum: 30 s -> 60 s at 0.10 = 6 USD-s. */
    NEAR(spot(SIM_PER_SECOND, 30, 0, 1), 6.0 / 3600);
    /* 2000 s: 1800*0.10 + 200*0.20 = 220 USD-s. */
    NEAR(spot(SIM_PER_SECOND, 2000, 0, 1), 220.0 / 3600);
    /* The minimum is charged at the price in force at the end: 30 s from
    ** t=1790 to 1820: 10*0.10 + 20*0.20 = 5, plus 30 s at 0.20 = 6 -> 11. */
    NEAR(sim_charge(SIM_PER_SECOND, &price, NULL, 0, 1790, 1820, 0, 1), 11.0 / 3600);
}

static void per_hour_interrupted_by_ec2(void **st) {
    (void)st;
    /* First hour: no charge. */
    NEAR(spot(SIM_PER_HOUR, 3000, 1, 1), 0);
    /* 1.5 h: the full hour, priced at its start (0.10); the interrupted
    ** partial hour is free. */
    NEAR(spot(SIM_PER_HOUR, 5400, 1, 1), 0.10);
    /* Exactly 2 h: two full hours, 0.10 + 0.40. */
    NEAR(spot(SIM_PER_HOUR, 7200, 1, 1), 0.50);
    /* Already running before the run: 0.5 h in the run, interrupted: the
    ** partial hour is still free. */
    NEAR(spot(SIM_PER_HOUR, 1800, 1, 0), 0);
}

static void per_hour_ended_by_the_owner(void **st) {
    (void)st;
    /* Every started hour: 1 s -> one hour at 0.10. */
    NEAR(spot(SIM_PER_HOUR, 1, 0, 1), 0.10);
    /* 1.5 h: hours starting at 0 (0.10) and 3600 (0.40). */
    NEAR(spot(SIM_PER_HOUR, 5400, 0, 1), 0.50);
}

static void on_demand(void **st) {
    (void)st;
    /* Never the interrupted-Spot rules: 0.20 USD/h. */
    NEAR(sim_charge(SIM_PER_SECOND, NULL, NULL, 0.20, 0, 30, 1, 1), 60 * 0.20 / 3600);
    NEAR(sim_charge(SIM_PER_SECOND, NULL, NULL, 0.20, 100, 7300, 0, 1), 0.40);
    NEAR(sim_charge(SIM_PER_HOUR, NULL, NULL, 0.20, 0, 3601, 0, 1), 0.40);
    NEAR(sim_charge(SIM_PER_HOUR, NULL, NULL, 0.20, 0, 3600, 1, 1), 0.20);
}

/* A long run at one price, recorded as many steps of that same price: the
** charge is the price times the seconds, rounded once (one double
** multiplication of the price by a whole number below 2^53 is exactly that),
** whether the charge walks the steps or reads the running sums. Summed step
** by step in doubles, 0.0597 * 299 added 100,000 times drifts from it. */
static void per_second_exact_over_many_steps(void **st) {
    (void)st;
    enum { N = 100000 };
    pol_point *p = malloc(N * sizeof *p);
    assert_non_null(p);
    for (int i = 0; i < N; i++) p[i] = (pol_point){(int64_t)i * 299, 0.0597};
    sim_steps many = {p, N};
    sim_stepsum *sum;
    assert_int_equal(sim_stepsum_build(&many, &sum), 0);
    int64_t spans[][2] = {
        {0, 299LL * N}, {17, 299LL * N - 5}, {299, 301}, {1000, 1000 + 86400 * 7}};
    for (size_t k = 0; k < sizeof spans / sizeof spans[0]; k++) {
        int64_t a = spans[k][0], b = spans[k][1];
        double want = 0.0597 * (double)(b - a < 60 ? 60 : b - a) / 3600; /* 60 s minimum */
        double walked = sim_charge(SIM_PER_SECOND, &many, NULL, 0, a, b, 0, 1);
        double summed = sim_charge(SIM_PER_SECOND, &many, sum, 0, a, b, 0, 1);
        assert_true(walked == want);
        assert_true(summed == want);
    }
    /* The drift that exactness removes. */
    double drift = 0;
    for (int i = 0; i < N; i++) drift += 0.0597 * 299;
    assert_true(drift != 0.0597 * 299.0 * N);
    sim_stepsum_free(sum);
    free(p);
}

/* Random prices and spans: the running sums give the very bits of the walk
** (both are exact), and stay within a rounding of a plain double sum. */
static void running_sums_equal_the_walk(void **st) {
    (void)st;
    enum { N = 5000 };
    pol_point *p = malloc(N * sizeof *p);
    assert_non_null(p);
    uint64_t x = 88172645463325252ULL;
#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17)
    int64_t t = 1000;
    for (int i = 0; i < N; i++) {
        p[i] = (pol_point){t, (double)(NEXT() % 100000) / 1e6 + 0.001};
        t += 1 + (int64_t)(NEXT() % 600);
    }
    sim_steps tr = {p, N};
    sim_stepsum *sum;
    assert_int_equal(sim_stepsum_build(&tr, &sum), 0);
    for (int k = 0; k < 2000; k++) {
        int64_t a = (int64_t)(NEXT() % (uint64_t)(t + 2000)) - 1000;
        int64_t b = a + (int64_t)(NEXT() % 200000);
        int ec2 = (int)(NEXT() % 2), fresh = (int)(NEXT() % 2);
        double walked = sim_charge(SIM_PER_SECOND, &tr, NULL, 0, a, b, ec2, fresh);
        double summed = sim_charge(SIM_PER_SECOND, &tr, sum, 0, a, b, ec2, fresh);
        assert_true(walked == summed);
        /* The plain sum, second by second where the step changes. */
        double plain = 0;
        for (int64_t u = a; u < b;) {
            size_t i = 0;
            while (i + 1 < N && p[i + 1].t <= u) i++;
            int64_t next = i + 1 < N && p[i + 1].t < b ? p[i + 1].t : b;
            plain += p[i].v * (double)(next - u);
            u = next;
        }
        if (b - a < 60) plain += (double)(60 - (b - a)) * sim_steps_at(&tr, b);
        if (ec2 && fresh && b - a < 3600) plain = 0;
        plain /= 3600;
        assert_true(summed - plain <= 1e-12 * plain + 1e-300 &&
                    plain - summed <= 1e-12 * plain + 1e-300);
    }
#undef NEXT
    sim_stepsum_free(sum);
    free(p);
}

/* A price beyond the fixed point (4096 USD per instance-hour and up) is
** summed in doubles: 1800 s at 5000 and 1800 s at 6000 = 5500 USD. */
static void per_second_huge_prices(void **st) {
    (void)st;
    pol_point big[] = {{0, 5000}, {1800, 6000}};
    sim_steps tr = {big, 2};
    sim_stepsum *sum;
    assert_int_equal(sim_stepsum_build(&tr, &sum), 0);
    NEAR(sim_charge(SIM_PER_SECOND, &tr, NULL, 0, 0, 3600, 0, 1), 5500);
    NEAR(sim_charge(SIM_PER_SECOND, &tr, sum, 0, 0, 3600, 0, 1), 5500);
    sim_stepsum_free(sum);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(per_second_interrupted_by_ec2),
        cmocka_unit_test(per_second_ended_by_the_owner),
        cmocka_unit_test(per_hour_interrupted_by_ec2),
        cmocka_unit_test(per_hour_ended_by_the_owner),
        cmocka_unit_test(on_demand),
        cmocka_unit_test(per_second_exact_over_many_steps),
        cmocka_unit_test(running_sums_equal_the_walk),
        cmocka_unit_test(per_second_huge_prices),
    };
    return cmocka_run_group_tests_name("billing", tests, NULL, NULL);
}
