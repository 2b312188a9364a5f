/*
** test_sweep.c: sweep specs (grid expansion order and values, list axes,
** seeded random samples, bad specs, the JSON round trip) and the Pareto
** front against a brute-force check on random points.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lab/sweep.h"
#include "store/sweeptab.h"

static char err[256];

/* The point's strings joined by spaces. */
static const char *point_text(const lab_sweep_spec *s, size_t p) {
    static char buf[4096], out[4096];
    const char *kv[16];
    assert_int_equal(lab_sweep_point(s, p, buf, sizeof buf, kv), 0);
    out[0] = '\0';
    for (size_t i = 0; i < s->ngrid + s->nrnd; i++) {
        if (i) strcat(out, " ");
        strcat(out, kv[i]);
    }
    return out;
}

static void grid_range_and_list(void **state) {
    (void)state;
    lab_sweep_spec s;
    memset(&s, 0, sizeof s);
    assert_int_equal(lab_sweep_add_grid(&s, "window=300:900:300", err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_grid(&s, "asg.DefaultCooldown=60,300", err, sizeof err), 0);
    assert_int_equal(lab_sweep_npoints(&s), 6);
    /* The first axis varies slowest. */
    assert_string_equal(point_text(&s, 0), "window=300 asg.DefaultCooldown=60");
    assert_string_equal(point_text(&s, 1), "window=300 asg.DefaultCooldown=300");
    assert_string_equal(point_text(&s, 2), "window=600 asg.DefaultCooldown=60");
    assert_string_equal(point_text(&s, 5), "window=900 asg.DefaultCooldown=300");
    const char *kv[4];
    char buf[256];
    assert_int_equal(lab_sweep_point(&s, 6, buf, sizeof buf, kv), -1);
    lab_sweep_spec_free(&s);
}

static void grid_decimal_steps_do_not_drift(void **state) {
    (void)state;
    lab_sweep_spec s;
    memset(&s, 0, sizeof s);
    /* 0.1 * 3 is 0.30000000000000004: STOP is still reached, and printed
    ** as 0.3. */
    assert_int_equal(lab_sweep_add_grid(&s, "x=0:1:0.1", err, sizeof err), 0);
    assert_int_equal(s.grid[0].nvalues, 11);
    assert_string_equal(s.grid[0].values[3], "0.3");
    assert_string_equal(s.grid[0].values[10], "1");
    assert_int_equal(lab_sweep_add_grid(&s, "y=1:2:5", err, sizeof err), 0);
    assert_int_equal(s.grid[1].nvalues, 1); /* only START */
    lab_sweep_spec_free(&s);
}

static void bad_specs(void **state) {
    (void)state;
    lab_sweep_spec s;
    memset(&s, 0, sizeof s);
    const char *bad[] = {"window", "=1,2", "window=900:300:300", "window=0:10:0",
                         "window=0:10:-1", "window=a:b:c", "window=1,,2",
                         "window=1:2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(lab_sweep_add_grid(&s, bad[i], err, sizeof err), -1);
    assert_int_equal(lab_sweep_add_grid(&s, "window=1,2", err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_grid(&s, "window=3,4", err, sizeof err), -1);
    assert_non_null(strstr(err, "swept twice"));
    assert_int_equal(lab_sweep_add_random(&s, "window=1:2", err, sizeof err), -1);
    assert_int_equal(lab_sweep_add_random(&s, "x=2:1", err, sizeof err), -1);
    assert_int_equal(lab_sweep_add_grid(&s, "x=0:1000000:1", err, sizeof err), -1);
    lab_sweep_spec_free(&s);
}

static void random_samples_are_seeded_and_in_range(void **state) {
    (void)state;
    lab_sweep_spec s;
    memset(&s, 0, sizeof s);
    s.seed = 7;
    s.samples = 50;
    assert_int_equal(lab_sweep_add_grid(&s, "g=1,2", err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_random(&s, "n=10:20", err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_random(&s, "u=0.5:1.5", err, sizeof err), 0);
    assert_true(s.rnd[0].integer);
    assert_false(s.rnd[1].integer);
    assert_int_equal(lab_sweep_npoints(&s), 100);
    int seen[11] = {0};
    for (size_t p = 0; p < 100; p++) {
        char buf[256];
        const char *kv[3];
        assert_int_equal(lab_sweep_point(&s, p, buf, sizeof buf, kv), 0);
        int n = atoi(kv[1] + 2);
        double u = atof(kv[2] + 2);
        assert_true(n >= 10 && n <= 20);
        assert_true(u >= 0.5 && u <= 1.5);
        seen[n - 10] = 1;
        /* A sample draws the same values whatever its grid point. */
        if (p >= 50) {
            char b2[256];
            const char *k2[3];
            lab_sweep_point(&s, p - 50, b2, sizeof b2, k2);
            assert_string_equal(kv[1], k2[1]);
            assert_string_equal(kv[2], k2[2]);
        }
    }
    int distinct = 0;
    for (int i = 0; i < 11; i++) distinct += seen[i];
    assert_true(distinct >= 8);
    /* Same seed, same draws; another seed, others. */
    char a[64];
    snprintf(a, sizeof a, "%s", point_text(&s, 3));
    assert_string_equal(point_text(&s, 3), a);
    s.seed = 8;
    assert_string_not_equal(point_text(&s, 3), a);
    lab_sweep_spec_free(&s);
}

static void json_round_trip(void **state) {
    (void)state;
    lab_sweep_spec s, t;
    memset(&s, 0, sizeof s);
    s.policy = strdup("guarded");
    s.seed = 18446744073709551615ull;
    s.samples = 3;
    assert_int_equal(
        lab_sweep_add_str(&s.scenarios, &s.nscenarios, "a/b.json", err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_str(&s.sets, &s.nsets, "seed=3", err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_grid(&s, "window=300:600:300", err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_random(&s, "confirm=1:3", err, sizeof err), 0);
    char *j1 = lab_sweep_spec_json(&s);
    assert_non_null(j1);
    assert_int_equal(lab_sweep_spec_parse(j1, &t, err, sizeof err), 0);
    char *j2 = lab_sweep_spec_json(&t);
    assert_string_equal(j1, j2);
    assert_int_equal(t.seed, s.seed);
    for (size_t p = 0; p < lab_sweep_npoints(&s); p++) {
        char a[128];
        snprintf(a, sizeof a, "%s", point_text(&s, p));
        assert_string_equal(point_text(&t, p), a);
    }
    free(j1);
    free(j2);
    lab_sweep_spec_free(&s);
    lab_sweep_spec_free(&t);
    assert_int_equal(lab_sweep_spec_parse("{\"policy\": 1}", &t, err, sizeof err), -1);
    assert_int_equal(lab_sweep_spec_parse("nope", &t, err, sizeof err), -1);
}

/* ---- Pareto ---------------------------------------------------------------- */

static int dominated(const double *c, const double *v, size_t n, size_t i) {
    for (size_t j = 0; j < n; j++)
        if (c[j] <= c[i] && v[j] >= v[i] && (c[j] < c[i] || v[j] > v[i])) return 1;
    return 0;
}

static void pareto_matches_brute_force(void **state) {
    (void)state;
    uint64_t x = 12345;
    for (int round = 0; round < 300; round++) {
        size_t n = 1 + (size_t)(round % 60);
        double c[60], v[60];
        int front[60];
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            /* Few distinct values so that ties and duplicates happen. */
            c[i] = (double)((x >> 33) % 12);
            v[i] = 90 + (double)((x >> 17) % 9);
        }
        assert_int_equal(lab_pareto(c, v, n, front), 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(front[i], !dominated(c, v, n, i));
    }
    /* Continuous values too. */
    for (int round = 0; round < 50; round++) {
        double c[200], v[200];
        int front[200];
        for (size_t i = 0; i < 200; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            c[i] = (double)(x >> 11) * 0x1.0p-53 * 1000;
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            v[i] = 95 + (double)(x >> 11) * 0x1.0p-53 * 5;
        }
        assert_int_equal(lab_pareto(c, v, 200, front), 0);
        for (size_t i = 0; i < 200; i++)
            assert_int_equal(front[i], !dominated(c, v, 200, i));
    }
    assert_int_equal(lab_pareto(NULL, NULL, 0, NULL), 0);
}

/* The point count saturates instead of wrapping (five axes of 100000 values
** are 1e25 points: once that was 0 mod 2^64-ish garbage), and the size
** check names the axes. */
static void sizes_saturate_and_are_checked(void **state) {
    (void)state;
    lab_sweep_spec s;
    memset(&s, 0, sizeof s);
    assert_int_equal(lab_sweep_add_str(&s.scenarios, &s.nscenarios, "a.json", err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_grid(&s, "window=1:1000:1", err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_grid(&s, "confirm=1:1000:1", err, sizeof err), 0);
    assert_int_equal(lab_sweep_npoints(&s), 1000000);
    assert_int_equal(lab_sweep_check_size(&s, err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_str(&s.scenarios, &s.nscenarios, "b.json", err, sizeof err), 0);
    assert_int_equal(lab_sweep_check_size(&s, err, sizeof err), -1);
    assert_string_equal(err, "the sweep is too large: --grid window (1000 values) x --grid "
                             "confirm (1000 values) = 1000000 parameter sets x 2 scenarios; "
                             "at most 1000000 runs");
    for (int i = 0; i < 5; i++) {
        char g[64];
        snprintf(g, sizeof g, "k%d=1:100000:1", i);
        assert_int_equal(lab_sweep_add_grid(&s, g, err, sizeof err), 0);
    }
    assert_true(lab_sweep_npoints(&s) == SIZE_MAX);
    assert_int_equal(lab_sweep_check_size(&s, err, sizeof err), -1);
    assert_non_null(strstr(err, "overflows a count"));
    lab_sweep_spec_free(&s);
}

/* Ranges over unknown axes: a 2 x 3 x 2 grid (a known, then two unknowns),
** point p = (a * 3 + d) * 2 + o, with costs and coverages chosen so each
** group's min, median and max can be read off by hand. */
static void ranges_over_unknowns(void **state) {
    (void)state;
    lab_sweep_spec s;
    memset(&s, 0, sizeof s);
    assert_int_equal(lab_sweep_add_grid(&s, "confirm=1,2", err, sizeof err), 0);
    assert_int_equal(
        lab_sweep_add_grid(&s, "cloudwatch.IngestionDelay=0,30,60", err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_grid(&s, "controller.Offset=0,30", err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_str(&s.scenarios, &s.nscenarios, "x.json", err, sizeof err), 0);
    const char *over[] = {"cloudwatch.IngestionDelay", "controller.Offset"};
    size_t g;
    /* Point 11 = (1 * 3 + 2) * 2 + 1: its group is confirm=2 with both
    ** unknowns at their first value, point (1 * 3 + 0) * 2 + 0 = 6. */
    assert_int_equal(lab_sweep_group(&s, over, 2, 11, &g, err, sizeof err), 0);
    assert_int_equal(g, 6);
    assert_int_equal(lab_sweep_group(&s, over, 1, 11, &g, err, sizeof err), 0);
    assert_int_equal(g, 7); /* only the delay zeroed: (1 * 3 + 0) * 2 + 1 */
    const char *bad[] = {"controller.Interval"};
    assert_int_equal(lab_sweep_group(&s, bad, 1, 0, &g, err, sizeof err), -1);
    assert_non_null(strstr(err, "controller.Interval: not a --grid axis"));

    lab_sweep_pset pts[12];
    for (size_t p = 0; p < 12; p++) {
        memset(&pts[p], 0, sizeof pts[p]);
        pts[p].point = p;
        pts[p].nruns = 1;
        /* confirm=1: costs 10..15, coverage 100 - p; confirm=2: cost 20 + (p
        ** % 3), coverage 99. */
        pts[p].cost = p < 6 ? 10.0 + (double)p : 20.0 + (double)(p % 3);
        pts[p].coverage = p < 6 ? 100.0 - (double)p : 99.0;
    }
    pts[9].nruns = 0; /* incomplete: left out */
    lab_sweep_range *r;
    size_t n;
    assert_int_equal(lab_sweep_ranges(&s, pts, 12, over, 2, &r, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(r[0].group, 0);
    assert_int_equal(r[0].npoints, 6);
    assert_true(r[0].cost_min == 10 && r[0].cost_max == 15);
    assert_true(r[0].cost_median == 12); /* 10..15: the lower middle, 12 */
    assert_true(r[0].cov_min == 95 && r[0].cov_max == 100);
    assert_int_equal(r[0].worst_cost_point, 5);
    assert_int_equal(r[0].worst_cov_point, 5);
    assert_int_equal(r[1].group, 6);
    assert_int_equal(r[1].npoints, 5);
    /* Costs of 6, 7, 8, 10, 11: 20, 21, 22, 21, 22 -> min 20, median 21, max 22
    ** first reached at point 8. */
    assert_true(r[1].cost_min == 20 && r[1].cost_median == 21 && r[1].cost_max == 22);
    assert_int_equal(r[1].worst_cost_point, 8);
    free(r);
    lab_sweep_spec_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grid_range_and_list),
        cmocka_unit_test(grid_decimal_steps_do_not_drift),
        cmocka_unit_test(bad_specs),
        cmocka_unit_test(random_samples_are_seeded_and_in_range),
        cmocka_unit_test(json_round_trip),
        cmocka_unit_test(pareto_matches_brute_force),
        cmocka_unit_test(sizes_saturate_and_are_checked),
        cmocka_unit_test(ranges_over_unknowns),
    };
    return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
