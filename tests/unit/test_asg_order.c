/*
** test_asg_order.c: the on-demand group's termination policy, read off its
** ordered lists (asg.c), against the rule written as a plain scan over
** every instance: a launching instance first (the newest), else the one
** closest to the end of its current instance-hour, the oldest on a tie.
** Thousands of random groups: instances launched and put in service at
** random seconds (many sharing a phase of the hour), scaled in one at a
** time at random later seconds.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/sim_int.h"

static uint64_t rnd(uint64_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* The rule, by scan: the instance to terminate at s->now. */
static int64_t by_scan(const sim_state *s) {
    int64_t best = -1;
    for (size_t i = 0; i < s->ninst; i++) {
        const sim_inst *in = &s->inst[i];
        if (in->pool >= 0 || in->state == INST_GONE) continue;
        if (best < 0) {
            best = (int64_t)i;
            continue;
        }
        const sim_inst *b = &s->inst[best];
        int l = in->state == INST_LAUNCHING, bl = b->state == INST_LAUNCHING;
        if (l != bl) {
            if (l) best = (int64_t)i;
            continue;
        }
        if (l) {
            if (in->serial > b->serial) best = (int64_t)i;
            continue;
        }
        int64_t left = 3600 - (s->now - in->run_t) % 3600;
        int64_t bleft = 3600 - (s->now - b->run_t) % 3600;
        if (left < bleft || (left == bleft && in->serial < b->serial)) best = (int64_t)i;
    }
    return best;
}

static void scale_in_picks_what_the_rule_says(void **st) {
    (void)st;
    uint64_t x = 0x2545F4914F6CDD1DULL;
    char err[256];
    for (int round = 0; round < 300; round++) {
        sim_scenario sc;
        memset(&sc, 0, sizeof sc);
        sc.billing = SIM_PER_SECOND;
        sc.od_weight = 4;
        sc.od_price = 0.2;
        sc.asg_max = 1000;
        sc.od_launch_delay = (sim_dist){1, 0, 0};
        sc.od_termination_delay = (sim_dist){1, 0, 0};
        sim_result res;
        memset(&res, 0, sizeof res);
        sim_state s;
        memset(&s, 0, sizeof s);
        s.sc = &sc;
        s.res = &res;
        s.err = err;
        s.errlen = sizeof err;
        assert_int_equal(sim_asg_init(&s), 0);
        int64_t t0 = 1488326400 + (int64_t)(rnd(&x) % 7200);
        s.now = t0;
        /* A group of 1..60 instances; most in service, at seconds drawn
        ** from a few phases so that ties occur. */
        int n = 1 + (int)(rnd(&x) % 60);
        const char *e = NULL;
        assert_int_equal(sim_asg_set(&s, n, 0, &e), 1);
        for (size_t i = 0; i < s.ninst; i++) {
            if (rnd(&x) % 5 == 0) continue; /* still launching */
            s.now = t0 + (int64_t)(rnd(&x) % 4) * 600 + (int64_t)(rnd(&x) % 3);
            assert_int_equal(sim_od_event(&s, EV_RUNNING, (int64_t)i), 0);
        }
        /* Scale in one at a time, later and later. */
        int64_t now = t0 + 3600;
        for (int k = n - 1; k >= 0; k--) {
            now += (int64_t)(rnd(&x) % 2000);
            s.now = now;
            int64_t want = by_scan(&s);
            assert_true(want >= 0);
            assert_int_equal(sim_asg_set(&s, k, 0, &e), 1);
            if (s.inst[want].state != INST_GONE)
                fail_msg("round %d: expected slot %lld to go", round, (long long)want);
            assert_int_equal(s.asg.od_live, k);
        }
        sim_queue_free(&s.q);
        free(s.inst);
        free(s.free_slots);
        sim_asg_free(&s);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scale_in_picks_what_the_rule_says),
    };
    return cmocka_run_group_tests_name("asg_order", tests, NULL, NULL);
}
