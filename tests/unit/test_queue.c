/*
** test_queue.c: the simulator's event queue (queue.c) against the order it
** promises, kept here as a plain list: the pending event with the least
** (time, class, order of scheduling) comes out next, whether it waits in
** a slot or in the heap's groups, and whether the heap is small or holds
** enough seconds to switch its (second, class) table on and off again.
** Random pushes and pops, as a run makes them: never before the last
** event popped, bursts at one second, the two periodic slots refilled.
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

/* The reference: every pending event with its place in the promised order. */
typedef struct {
    int64_t t;
    int cls;
    uint64_t order; /* the n-th push of the whole run */
    int32_t a;      /* the event's identity */
    int slot;       /* -1, or the slot it waits in */
} ref_event;

typedef struct {
    ref_event *ev;
    size_t n, cap;
    uint64_t pushes;
} ref_queue;

static void ref_add(ref_queue *r, int64_t t, int cls, int32_t a, int slot) {
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 1024;
        r->ev = realloc(r->ev, r->cap * sizeof *r->ev);
        assert_non_null(r->ev);
    }
    r->ev[r->n++] = (ref_event){t, cls, r->pushes++, a, slot};
}

/* Removes and returns the least by (t, cls, order): a scan over them all. */
static ref_event ref_pop(ref_queue *r) {
    size_t best = 0;
    for (size_t i = 1; i < r->n; i++) {
        const ref_event *x = &r->ev[i], *y = &r->ev[best];
        if (x->t != y->t ? x->t < y->t : x->cls != y->cls ? x->cls < y->cls : x->order < y->order)
            best = i;
    }
    ref_event e = r->ev[best];
    r->ev[best] = r->ev[--r->n];
    return e;
}

/* One random run of `steps` operations: a push goes up to `spread` seconds
** ahead (a large spread keeps many groups, seconds, in the heap), a pop
** takes 1 to `pop_max` events (a large one keeps the queue short).
** Returns 1 when the queue used its (second, class) table at some point. */
static int random_run(uint64_t seed, int steps, int64_t spread, int pop_max) {
    sim_queue q;
    memset(&q, 0, sizeof q);
    ref_queue r = {0};
    int64_t now = 1000;
    int32_t id = 0;
    int in_slot[SIM_NSLOTS] = {0}, saw_table = 0;
    uint64_t x = seed;
    for (int step = 0; step < steps; step++) {
        uint64_t op = rnd(&x) % 100;
        if (op < 55) { /* a push into the heap; sometimes a burst at one second */
            int64_t t = now + (int64_t)(rnd(&x) % (uint64_t)spread);
            int cls = (int)(rnd(&x) % 3);
            int burst = rnd(&x) % 40 == 0 ? 1 + (int)(rnd(&x) % 100) : 1;
            for (int b = 0; b < burst; b++) {
                assert_int_equal(sim_queue_push(&q, t, cls, 7, id, 0), 0);
                ref_add(&r, t, cls, id++, -1);
            }
        } else if (op < 65) { /* a periodic event, when its slot is free */
            int k = (int)(rnd(&x) % SIM_NSLOTS);
            if (in_slot[k]) continue;
            int64_t t = now + (int64_t)(rnd(&x) % 120);
            int cls = k == SIM_SLOT_MINUTE ? EVC_PERIOD : EVC_CONTROLLER;
            sim_queue_push_slot(&q, k, t, cls, 8, id, 0);
            ref_add(&r, t, cls, id++, k);
            in_slot[k] = 1;
        } else { /* pops: each the reference's least, the same event */
            for (int npop = 1 + (int)(rnd(&x) % (uint64_t)pop_max); npop--;) {
                sim_event e;
                int64_t next_t;
                int got = sim_queue_pop(&q, &e);
                if (!r.n) {
                    assert_int_equal(got, 0);
                    assert_int_equal(sim_queue_next_t(&q, &next_t), 0);
                    continue;
                }
                ref_event want = ref_pop(&r);
                assert_int_equal(got, 1);
                assert_int_equal(e.t, want.t);
                assert_int_equal(e.a, want.a);
                assert_int_equal((int)(e.seq >> 62), want.cls);
                if (want.slot >= 0) in_slot[want.slot] = 0;
                now = e.t;
                if (r.n) {
                    /* The next time is the reference's least time. */
                    int64_t least = r.ev[0].t;
                    for (size_t i = 1; i < r.n; i++)
                        if (r.ev[i].t < least) least = r.ev[i].t;
                    assert_int_equal(sim_queue_next_t(&q, &next_t), 1);
                    assert_int_equal(next_t, least);
                }
            }
        }
        saw_table |= q.table_on;
    }
    /* Drain: the rest, in order. */
    sim_event e;
    while (r.n) {
        ref_event want = ref_pop(&r);
        assert_int_equal(sim_queue_pop(&q, &e), 1);
        assert_int_equal(e.t, want.t);
        assert_int_equal(e.a, want.a);
    }
    assert_int_equal(sim_queue_pop(&q, &e), 0);
    sim_queue_free(&q);
    free(r.ev);
    return saw_table;
}

/* Few seconds pending (at most 8 x 3 groups): the heap alone. */
static void order_few_groups(void **st) {
    (void)st;
    for (uint64_t seed = 1; seed <= 20; seed++)
        assert_int_equal(random_run(seed * 0x9e3779b97f4a7c15ULL, 4000, 8, 8), 0);
}

/* Many seconds pending: the (second, class) table on, then off as the
** queue drains; over a few hundred seconds, so that pushes find a second's
** group of one class beside those of the others; over 100,000 seconds, so
** that the heap holds thousands of groups. */
static void order_many_groups(void **st) {
    (void)st;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        assert_int_equal(random_run(seed * 0x2545f4914f6cdd1dULL, 20000, 300, 8), 1);
        assert_int_equal(random_run(seed * 0x2545f4914f6cdd1dULL, 4000, 100000, 1), 1);
    }
}

/* Events at one second and one class come out in the order pushed, the
** classes in order: period, state, controller. */
static void ties_by_class_then_order(void **st) {
    (void)st;
    sim_queue q;
    memset(&q, 0, sizeof q);
    sim_queue_push(&q, 60, EVC_CONTROLLER, 0, 1, 0);
    sim_queue_push(&q, 60, EVC_STATE, 0, 2, 0);
    sim_queue_push(&q, 60, EVC_STATE, 0, 3, 0);
    sim_queue_push_slot(&q, SIM_SLOT_MINUTE, 60, EVC_PERIOD, 0, 4, 0);
    sim_queue_push(&q, 59, EVC_CONTROLLER, 0, 5, 0);
    static const int32_t want[] = {5, 4, 2, 3, 1};
    sim_event e;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(sim_queue_pop(&q, &e), 1);
        assert_int_equal(e.a, want[i]);
    }
    assert_int_equal(sim_queue_pop(&q, &e), 0);
    sim_queue_free(&q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ties_by_class_then_order),
        cmocka_unit_test(order_few_groups),
        cmocka_unit_test(order_many_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
