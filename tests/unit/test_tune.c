/*
** test_tune.c: the pattern search of lab/tune.c on synthetic objectives whose
** best point an exhaustive search (written here, independently) finds: the
** same point, far fewer runs than the grid, the budget kept, determinism,
** and a floor no point meets.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lab/tune.h"

/* A grid of 21 x 13 x 9 points, 3 cases. Cost of point (a, b, c) on case k:
** (a - 12)^2 + 2 (b - 3)^2 + |c - 6| + k + 10, always > 0. Coverage on case
** k: 100 - 0.5 max(0, 14 - a) - 0.2 k max(0, 7 - c), so a floor pushes a and
** c up, away from the cheapest point. The exhaustive search below, not the
** search under test, says which point is best. */
static const size_t DIM[3] = {21, 13, 9};
#define NCASES 3

static void decode(size_t p, size_t *a, size_t *b, size_t *c) {
    *c = p % DIM[2];
    p /= DIM[2];
    *b = p % DIM[1];
    *a = p / DIM[1];
}

static double f_cost(size_t p, size_t k) {
    size_t a, b, c;
    decode(p, &a, &b, &c);
    double da = (double)a - 12, db = (double)b - 3, dc = (double)c - 6;
    return da * da + 2 * db * db + (dc < 0 ? -dc : dc) + (double)k + 10;
}

static double f_cov(size_t p, size_t k) {
    size_t a, b, c;
    decode(p, &a, &b, &c);
    double x = a < 14 ? (double)(14 - a) : 0, y = c < 7 ? (double)(7 - c) : 0;
    return 100 - 0.5 * x - 0.2 * (double)k * y;
}

typedef struct {
    size_t calls, runs;
    size_t seen[21 * 13 * 9 * NCASES];
} counter;

static int eval(void *ctx, const size_t *runs, size_t n, double *cost, double *cov,
                char *err, size_t errlen) {
    (void)err;
    (void)errlen;
    counter *c = ctx;
    c->calls++;
    for (size_t i = 0; i < n; i++) {
        size_t p = runs[i] / NCASES, k = runs[i] % NCASES;
        c->seen[runs[i]]++;
        cost[i] = f_cost(p, k);
        cov[i] = f_cov(p, k);
    }
    c->runs += n;
    return 0;
}

/* The exhaustive answer: the cheapest point meeting the floor on every case. */
static int exhaustive(double floor_, size_t *best, double *best_cost) {
    int found = 0;
    for (size_t p = 0; p < 21 * 13 * 9; p++) {
        double t = 0, lo = 1e9;
        for (size_t k = 0; k < NCASES; k++) {
            t += f_cost(p, k);
            if (f_cov(p, k) < lo) lo = f_cov(p, k);
        }
        if (lo < floor_) continue;
        if (!found || t < *best_cost) {
            *best = p;
            *best_cost = t;
            found = 1;
        }
    }
    return found;
}

static lab_tune_cfg cfg_of(double floor_, const size_t *start, size_t budget) {
    lab_tune_cfg c = {3, DIM, start, NCASES, floor_, budget, 2, 7};
    return c;
}

static void finds_the_grid_optimum(void **st) {
    (void)st;
    static const size_t start[3] = {2, 10, 1};
    static counter ctr;
    char err[200];
    for (int f = 0; f < 3; f++) {
        double floor_ = f == 0 ? 0 : f == 1 ? 99 : 99.5;
        size_t want;
        double want_cost;
        assert_true(exhaustive(floor_, &want, &want_cost));
        memset(&ctr, 0, sizeof ctr);
        lab_tune_cfg cfg = cfg_of(floor_, start, 0);
        lab_tune_result r;
        assert_int_equal(lab_tune_run(&cfg, eval, &ctr, &r, err, sizeof err), 0);
        assert_true(r.feasible);
        assert_int_equal(r.point, want);
        assert_true(r.cost == want_cost);
        /* Far fewer runs than the grid's 2457, each asked for once. */
        assert_int_equal(r.runs, ctr.runs);
        assert_true(r.runs < 2457 / 4);
        for (size_t i = 0; i < 21 * 13 * 9 * NCASES; i++) assert_true(ctr.seen[i] <= 1);
        assert_true(r.converged);
    }
}

static void deterministic(void **st) {
    (void)st;
    static const size_t start[3] = {20, 0, 8};
    static counter a, b;
    char err[200];
    lab_tune_result ra, rb;
    lab_tune_cfg cfg = cfg_of(99, start, 0);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_int_equal(lab_tune_run(&cfg, eval, &a, &ra, err, sizeof err), 0);
    assert_int_equal(lab_tune_run(&cfg, eval, &b, &rb, err, sizeof err), 0);
    assert_memory_equal(&ra, &rb, sizeof ra);
    assert_memory_equal(a.seen, b.seen, sizeof a.seen);
}

static void budget_is_kept(void **st) {
    (void)st;
    static const size_t start[3] = {2, 10, 1};
    static counter ctr;
    char err[200];
    for (size_t budget = 1; budget < 60; budget += 7) {
        memset(&ctr, 0, sizeof ctr);
        lab_tune_cfg cfg = cfg_of(99, start, budget);
        lab_tune_result r;
        assert_int_equal(lab_tune_run(&cfg, eval, &ctr, &r, err, sizeof err), 0);
        assert_true(ctr.runs <= budget);
        assert_false(r.converged);
        /* Fewer runs than the cases: no point could be run on every case. */
        if (budget < NCASES) assert_int_equal(r.complete, 0);
    }
}

static void unreachable_floor(void **st) {
    (void)st;
    static const size_t start[3] = {0, 0, 0};
    static counter ctr;
    char err[200];
    memset(&ctr, 0, sizeof ctr);
    lab_tune_cfg cfg = cfg_of(100.5, start, 0);
    lab_tune_result r;
    assert_int_equal(lab_tune_run(&cfg, eval, &ctr, &r, err, sizeof err), 0);
    assert_false(r.feasible);
    /* The best it reports is the one closest to the floor: coverage 100 is
    ** reached from a >= 14 and c >= 7 on; the highest lowest-coverage. */
    assert_true(r.min_cov == 100);
}

static int failing(void *ctx, const size_t *runs, size_t n, double *cost, double *cov,
                   char *err, size_t errlen) {
    (void)ctx;
    (void)runs;
    (void)n;
    (void)cost;
    (void)cov;
    snprintf(err, errlen, "worker died");
    return -1;
}

static void errors(void **st) {
    (void)st;
    static const size_t start[3] = {0, 0, 99};
    char err[200];
    lab_tune_result r;
    lab_tune_cfg cfg = cfg_of(99, start, 0);
    assert_int_equal(lab_tune_run(&cfg, eval, NULL, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "start index 99 of axis 2 is out of range"));
    static const size_t ok[3] = {0, 0, 0};
    cfg = cfg_of(99, ok, 0);
    assert_int_equal(lab_tune_run(&cfg, failing, NULL, &r, err, sizeof err), -1);
    assert_string_equal(err, "worker died");
    assert_non_null(lab_tune_ranges("hedge"));
    assert_null(lab_tune_ranges("none"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_the_grid_optimum),
        cmocka_unit_test(deterministic),
        cmocka_unit_test(budget_is_kept),
        cmocka_unit_test(unreachable_floor),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests_name("tune", tests, NULL, NULL);
}
