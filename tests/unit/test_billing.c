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
#include <cmocka.h>

#include "sim/sim_int.h"

#define NEAR(a, b) assert_true((a) - (b) < 1e-12 && (b) - (a) < 1e-12)

static pol_point pts[] = {{0, 0.10}, {1800, 0.20}, {3600, 0.40}};
static const sim_steps price = {pts, 3};

static double spot(sim_billing b, int64_t dur, int by_ec2, int fresh) {
    return sim_charge(b, &price, 0, 0, dur, by_ec2, fresh);
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
    NEAR(sim_charge(SIM_PER_SECOND, &price, 0, 1790, 1820, 0, 1), 11.0 / 3600);
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
    NEAR(sim_charge(SIM_PER_SECOND, NULL, 0.20, 0, 30, 1, 1), 60 * 0.20 / 3600);
    NEAR(sim_charge(SIM_PER_SECOND, NULL, 0.20, 100, 7300, 0, 1), 0.40);
    NEAR(sim_charge(SIM_PER_HOUR, NULL, 0.20, 0, 3601, 0, 1), 0.40);
    NEAR(sim_charge(SIM_PER_HOUR, NULL, 0.20, 0, 3600, 1, 1), 0.20);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(per_second_interrupted_by_ec2),
        cmocka_unit_test(per_second_ended_by_the_owner),
        cmocka_unit_test(per_hour_interrupted_by_ec2),
        cmocka_unit_test(per_hour_ended_by_the_owner),
        cmocka_unit_test(on_demand),
    };
    return cmocka_run_group_tests_name("billing", tests, NULL, NULL);
}
