/*
** test_g17.c: st_g17() must print exactly what snprintf("%.17g") prints,
** for every double: compared on random bit patterns, on prices with few
** decimals, on exact ties (where the rounding rule shows), and at the edges
** of the fast path (powers of ten and their neighbours, 1e-4, 1e16).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

static void check(double v) {
    char want[ST_G17_MAX], got[ST_G17_MAX];
    int wn = snprintf(want, sizeof want, "%.17g", v);
    memset(got, 'x', sizeof got);
    int gn = st_g17(v, got);
    if (gn != wn || strcmp(got, want) != 0)
        fail_msg("%a: st_g17 gave \"%s\" (%d), snprintf \"%s\" (%d)", v, got,
                 gn, want, wn);
}

/* splitmix64: a fixed sequence, so a failure reproduces. */
static uint64_t next(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double from_bits(uint64_t b) {
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

static void random_doubles_in_and_around_the_fast_range(void **st) {
    (void)st;
    uint64_t s = 42;
    for (int i = 0; i < 300000; i++) {
        uint64_t r = next(&s);
        /* Binary exponents 2^-20 .. 2^60: 1e-6 .. 1e18, both signs. */
        uint64_t exp = 1023 - 20 + (r >> 56) % 81;
        uint64_t b = (r & ((1ull << 52) - 1)) | (exp << 52) |
                     ((r >> 55) & 1ull) << 63;
        check(from_bits(b));
    }
    for (int i = 0; i < 20000; i++) check(from_bits(next(&s))); /* any */
}

static void prices_with_few_decimals(void **st) {
    (void)st;
    for (int k = 0; k < 100000; k++) {
        check(k / 10000.0);  /* 0.0000 .. 9.9999 */
        check(k * 1e-6);
        check(k * 0.001 + 0.0005);
        check(k * 7.3);
    }
}

/* m / 2^k with m odd has exactly k decimals ending in 5: with 18
** significant digits, the 17th-digit rounding is an exact tie. */
static void exact_ties_round_half_to_even(void **st) {
    (void)st;
    for (int p = -4; p <= 15; p++) {
        int k = 17 - p;
        double lo = pow(10, p), scale = ldexp(1, -k);
        uint64_t m0 = (uint64_t)ceil(lo / scale) | 1;
        for (uint64_t m = m0, n = 0; n < 20000; m += 2 * 7919, n++) {
            double v = (double)m * scale;
            if (v >= lo * 10) break;
            check(v);
        }
    }
}

static void edges(void **st) {
    (void)st;
    static const double fixed[] = {0.0, -0.0, 1e-4, 1e16, 1e-5, 1e17,
                                   0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3,
                                   9.9999999999999999e15, 123456789012345678.0,
                                   DBL_MIN, DBL_MAX, DBL_TRUE_MIN, DBL_EPSILON,
                                   0.05, 0.045, 0.21, 0.398, 0.0123};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        check(fixed[i]);
        check(-fixed[i]);
        check(nextafter(fixed[i], 0));
        check(nextafter(fixed[i], INFINITY));
    }
    for (int p = -8; p <= 18; p++) {
        double v = pow(10, p);
        for (int j = 0; j < 40; j++) {
            check(v);
            check(nextafter(v, 0) * 1);
            v = nextafter(v, INFINITY);
        }
        double w = pow(10, p);
        for (int j = 0; j < 40; j++) {
            w = nextafter(w, 0);
            check(w);
        }
    }
    check(NAN);
    check(-NAN);
    check(INFINITY);
    check(-INFINITY);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_doubles_in_and_around_the_fast_range),
        cmocka_unit_test(prices_with_few_decimals),
        cmocka_unit_test(exact_ties_round_half_to_even),
        cmocka_unit_test(edges),
    };
    return cmocka_run_group_tests_name("g17", tests, NULL, NULL);
}
