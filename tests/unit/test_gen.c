/*
** test_gen.c: the synthetic trace generators (traces/gen.c): determinism,
** mean reversion, price outages holding exactly on [AT, AT+DURATION) for
** every pool of their scope and no other, the scopes, capacity outages
** falling in steps, demand never below 0, and the parsers' errors.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "traces/gen.h"
#include "traces/traces.h"

#define T0 1488326400 /* 2017-03-01T00:00:00Z */

static const trc_gen_pool POOLS[] = {
    {"c4.xlarge", "us-east-1a", 0.199},
    {"m4.xlarge", "us-east-1b", 0.239},
    {"c4.2xlarge", "us-east-1b", 0.398},
    {"c4n.xlarge", "us-east-1a", 0.25},
};
#define NPOOLS (sizeof POOLS / sizeof POOLS[0])

static trc_gen_prices_params params(void) {
    trc_gen_prices_params p;
    trc_gen_prices_defaults(&p);
    p.pools = POOLS;
    p.npools = NPOOLS;
    p.start = T0;
    p.end = T0 + 86400;
    return p;
}

/* Runs the generator; returns the prices CSV (malloc'd) and, when avail is
** not NULL, the availability CSV in *avail. */
static char *gen(const trc_gen_prices_params *p, char **avail) {
    char *s = NULL, *a = NULL, err[256];
    size_t n = 0, an = 0;
    FILE *f = open_memstream(&s, &n), *fa = avail ? open_memstream(&a, &an) : NULL;
    assert_non_null(f);
    int rc = trc_gen_prices(p, f, fa, err, sizeof err);
    if (rc) fail_msg("%s", err);
    fclose(f);
    if (fa) {
        fclose(fa);
        *avail = a;
    }
    return s;
}

/* One parsed row. */
typedef struct {
    int64_t t;
    char type[32], az[32];
    double v;
} crow;

static size_t parse(const char *csv, crow *rows, size_t max) {
    const char *p = strchr(csv, '\n');
    assert_non_null(p);
    size_t n = 0;
    p++;
    while (*p) {
        char ts[32];
        assert_true(n < max);
        crow *r = &rows[n];
        assert_int_equal(sscanf(p, "%31[^,],%31[^,],%31[^,],%lf", ts, r->type,
                                r->az, &r->v), 4);
        assert_int_equal(trc_time_parse(ts, &r->t), 0);
        if (n > 0) { /* sorted by Timestamp then InstanceType */
            assert_true(rows[n - 1].t <= r->t);
            if (rows[n - 1].t == r->t)
                assert_true(strcmp(rows[n - 1].type, r->type) <= 0);
        }
        n++;
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    return n;
}

/* The value pool `k` has at t (the last row at or before t), -1 if none. */
static double value_at(const crow *rows, size_t n, size_t k, int64_t t) {
    double v = -1;
    for (size_t i = 0; i < n && rows[i].t <= t; i++)
        if (!strcmp(rows[i].type, POOLS[k].type) && !strcmp(rows[i].az, POOLS[k].az))
            v = rows[i].v;
    return v;
}

#define MAXROWS 200000

static void test_deterministic(void **state) {
    (void)state;
    trc_gen_prices_params p = params();
    trc_gen_outage o = {.at = T0 + 3600, .duration = 600,
                        .scope = TRC_GEN_SCOPE_ALL, .capacity = 1};
    p.outages = &o;
    p.noutages = 1;
    char *a1, *a2, *a3;
    char *s1 = gen(&p, &a1), *s2 = gen(&p, &a2);
    assert_string_equal(s1, s2);
    assert_string_equal(a1, a2);
    assert_true(strncmp(s1, "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n",
                        50) == 0);
    p.seed = 2;
    char *s3 = gen(&p, &a3);
    assert_string_not_equal(s1, s3);
    assert_string_not_equal(a1, a3);
    free(s1), free(s2), free(s3), free(a1), free(a2), free(a3);
}

static void test_mean_reversion(void **state) {
    (void)state;
    /* From 0.3, a regime moves the mean to 0.8 after the first step. */
    trc_gen_prices_params p = params();
    p.end = T0 + 7 * 86400;
    trc_gen_regime rg = {T0 + 300, T0 + 7 * 86400, 0.8};
    p.regimes = &rg;
    p.nregimes = 1;
    p.jump_prob = 0;
    p.volatility = 0;
    crow *rows = malloc(MAXROWS * sizeof *rows);
    char *s = gen(&p, NULL);
    size_t n = parse(s, rows, MAXROWS);
    for (size_t k = 0; k < NPOOLS; k++) {
        assert_float_equal(value_at(rows, n, k, T0), 0.3 * POOLS[k].od, 1e-6);
        assert_float_equal(value_at(rows, n, k, p.end - 1), 0.8 * POOLS[k].od,
                           1e-5);
    }
    free(s);
    /* With noise: the average over the last 6 days is near the mean. */
    p.volatility = 0.02;
    s = gen(&p, NULL);
    n = parse(s, rows, MAXROWS);
    for (size_t k = 0; k < NPOOLS; k++) {
        double sum = 0;
        int cnt = 0;
        for (int64_t t = T0 + 86400; t < p.end; t += 3600, cnt++)
            sum += value_at(rows, n, k, t) / POOLS[k].od;
        assert_float_equal(sum / cnt, 0.8, 0.05);
    }
    free(s);
    free(rows);
}

/* Checks price outage `o` over a day: every pool in scope is above its
** on-demand price exactly on [at, at + duration), the others never. */
static void check_price_outage(const trc_gen_outage *o) {
    trc_gen_prices_params p = params();
    p.outages = o;
    p.noutages = 1;
    char *s = gen(&p, NULL);
    crow *rows = malloc(MAXROWS * sizeof *rows);
    size_t n = parse(s, rows, MAXROWS);
    for (size_t k = 0; k < NPOOLS; k++) {
        int in = trc_gen_in_scope(&POOLS[k], o);
        for (int64_t t = p.start; t < p.end; t += 61) {
            int above = value_at(rows, n, k, t) > POOLS[k].od;
            int want = in && t >= o->at && t < o->at + o->duration;
            assert_int_equal(above, want);
        }
        int64_t edges[] = {o->at - 1, o->at, o->at + o->duration - 1,
                           o->at + o->duration};
        for (int j = 0; j < 4; j++) {
            if (edges[j] >= p.end) continue;
            int above = value_at(rows, n, k, edges[j]) > POOLS[k].od;
            assert_int_equal(above, in && (j == 1 || j == 2));
        }
        if (in)
            assert_float_equal(value_at(rows, n, k, o->at),
                               TRC_GEN_OUTAGE_FACTOR * POOLS[k].od, 1e-6);
    }
    free(rows);
    free(s);
}

static void test_price_outages(void **state) {
    (void)state;
    /* Off the 300 s grid on purpose. */
    trc_gen_outage o = {.at = T0 + 3 * 3600 + 17, .duration = 5000};
    o.scope = TRC_GEN_SCOPE_ALL;
    check_price_outage(&o);
    o.scope = TRC_GEN_SCOPE_FAMILY;
    strcpy(o.type, "c4");
    check_price_outage(&o);
    o.scope = TRC_GEN_SCOPE_AZ;
    strcpy(o.az, "us-east-1b");
    check_price_outage(&o);
    o.scope = TRC_GEN_SCOPE_POOL;
    strcpy(o.type, "m4.xlarge");
    check_price_outage(&o);
    /* On the grid, and one running past the end. */
    o.scope = TRC_GEN_SCOPE_ALL;
    o.at = T0 + 3600;
    o.duration = 3600;
    check_price_outage(&o);
    o.at = T0 + 86400 - 600;
    check_price_outage(&o);
}

static void test_scopes(void **state) {
    (void)state;
    char err[256];
    trc_gen_outage o;
    int want[][NPOOLS] = {
        {1, 1, 1, 1}, /* all */
        {1, 0, 1, 0}, /* family=c4: not c4n */
        {0, 1, 1, 0}, /* az=us-east-1b */
        {0, 0, 1, 0}, /* pool=c4.2xlarge/us-east-1b */
        {0, 0, 0, 1}, /* family=c4n */
    };
    const char *specs[] = {
        "2017-03-01T06:00:00Z:3600:all",
        "2017-03-01T06:00:00Z:1h:family=c4",
        "1488348000:60m:az=us-east-1b:price",
        "2017-03-01T06:00:00Z:3600s:pool=c4.2xlarge/us-east-1b",
        "2017-03-01T06:00:00Z:1d:family=c4n:capacity",
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        assert_int_equal(trc_gen_parse_outage(specs[i], &o, err, sizeof err), 0);
        assert_int_equal(o.at, T0 + 6 * 3600);
        assert_int_equal(o.duration, i == 4 ? 86400 : 3600);
        assert_int_equal(o.capacity, i == 4);
        for (size_t k = 0; k < NPOOLS; k++)
            assert_int_equal(trc_gen_in_scope(&POOLS[k], &o), want[i][k]);
    }
    const char *bad[] = {
        "2017-03-01T06:00:00Z:3600",  "2017-03-01T06:00:00Z:0:all",
        "2017-03-01T06:00:00:3600:all", "x:3600:all",
        "2017-03-01T06:00:00Z:3600:pool=c4", "2017-03-01T06:00:00Z:1h:zone=a",
        "2017-03-01T06:00:00Z:1h:all:spike",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(trc_gen_parse_outage(bad[i], &o, err, sizeof err), -1);
}

static void test_capacity_outage(void **state) {
    (void)state;
    trc_gen_prices_params p = params();
    trc_gen_outage o = {.at = T0 + 7200, .duration = 1800,
                        .scope = TRC_GEN_SCOPE_AZ, .az = "us-east-1a",
                        .capacity = 1};
    p.outages = &o;
    p.noutages = 1;
    p.capacity = 100;
    char *a, *s = gen(&p, &a);
    /* A capacity outage leaves the prices alone. */
    trc_gen_prices_params q = params();
    char *s0 = gen(&q, NULL);
    assert_string_equal(s, s0);
    assert_true(strncmp(a, "Timestamp,InstanceType,AvailabilityZone,Capacity\n",
                        49) == 0);
    crow rows[64];
    size_t n = parse(a, rows, 64);
    for (size_t k = 0; k < NPOOLS; k++) {
        if (!trc_gen_in_scope(&POOLS[k], &o)) {
            assert_float_equal(value_at(rows, n, k, p.end), -1, 0);
            continue;
        }
        assert_float_equal(value_at(rows, n, k, T0), 100, 0);
        assert_float_equal(value_at(rows, n, k, o.at - 241), 100, 0);
        for (int64_t t = o.at; t < o.at + o.duration; t++)
            assert_float_equal(value_at(rows, n, k, t), 0, 0);
        assert_float_equal(value_at(rows, n, k, o.at + o.duration), 100, 0);
        /* The fall: 2 or 3 steps within 4 minutes before AT, decreasing. */
        int steps = 0;
        double last = 100;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(rows[i].type, POOLS[k].type) ||
                strcmp(rows[i].az, POOLS[k].az) || rows[i].t >= o.at + 1 ||
                rows[i].t == T0)
                continue;
            assert_true(rows[i].t >= o.at - 240);
            assert_true(rows[i].v < last);
            last = rows[i].v;
            steps++;
        }
        assert_true(steps >= 2 && steps <= 3);
    }
    free(s), free(s0), free(a);
    /* Without an availability output, a capacity outage is an error. */
    char err[256];
    FILE *f = fopen("/dev/null", "w");
    assert_int_equal(trc_gen_prices(&p, f, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "--availability-out"));
    fclose(f);
}

static void test_pools_and_params(void **state) {
    (void)state;
    char err[256];
    size_t n;
    trc_gen_pool *pl = trc_gen_parse_pools(
        "c4.xlarge/us-east-1a=0.199,m4.xlarge/us-east-1b=0.239", &n, err,
        sizeof err);
    assert_non_null(pl);
    assert_int_equal(n, 2);
    assert_string_equal(pl[1].type, "m4.xlarge");
    assert_string_equal(pl[1].az, "us-east-1b");
    assert_float_equal(pl[1].od, 0.239, 1e-12);
    free(pl);
    const char *bad[] = {"c4.xlarge/us-east-1a", "c4.xlarge=0.1",
                         "c4.xlarge/us-east-1a=0", "c4.xlarge/us-east-1a=x",
                         "a/b=1,,c/d=1", "a/b=1,a/b=2", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_null(trc_gen_parse_pools(bad[i], &n, err, sizeof err));
    trc_gen_regime r;
    assert_int_equal(trc_gen_parse_regime("2017-03-01T00:00:00Z:"
                                          "2017-03-02T00:00:00Z:0.5",
                                          &r, err, sizeof err), 0);
    assert_int_equal(r.end - r.start, 86400);
    assert_int_equal(trc_gen_parse_regime("10:5:0.5", &r, err, sizeof err), -1);
    assert_int_equal(trc_gen_parse_regime("0:5:2", &r, err, sizeof err), -1);
    trc_gen_prices_params p = params();
    FILE *f = fopen("/dev/null", "w");
    p.reversion = 2;
    assert_int_equal(trc_gen_prices(&p, f, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "--reversion"));
    p = params();
    p.end = p.start;
    assert_int_equal(trc_gen_prices(&p, f, NULL, err, sizeof err), -1);
    fclose(f);
}

static void test_demand(void **state) {
    (void)state;
    trc_gen_demand_params d;
    trc_gen_demand_defaults(&d);
    d.start = T0;
    d.end = T0 + 86400;
    d.base = 5;
    d.amplitude = 10; /* dips below 0 without the floor */
    d.noise = 2;
    char *s = NULL, err[256];
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    assert_int_equal(trc_gen_demand(&d, f, err, sizeof err), 0);
    fclose(f);
    assert_true(strncmp(s, "Timestamp,Demand\n", 17) == 0);
    assert_null(strstr(s, ",-"));
    /* The peak is near 14:00 UTC: without noise, exactly there. */
    free(s);
    d.noise = 0;
    d.base = d.amplitude = 100;
    d.step = 3600;
    f = open_memstream(&s, &n);
    assert_int_equal(trc_gen_demand(&d, f, err, sizeof err), 0);
    fclose(f);
    assert_non_null(strstr(s, "2017-03-01T13:00:00Z,197\n"
                             "2017-03-01T14:00:00Z,200\n"
                             "2017-03-01T15:00:00Z,197\n"));
    assert_non_null(strstr(s, "2017-03-01T02:00:00Z,0\n"));
    free(s);
    char buf[256];
    assert_int_equal(trc_gen_cloudwatch(0.5, 30, 120, 0.01, buf, sizeof buf,
                                        err, sizeof err), 0);
    assert_string_equal(buf, "{\"IngestionDelay\": {\"min\": 30, \"max\": 120, "
                             "\"p\": 0.5}, \"MissingProbability\": 0.01}");
    assert_int_equal(trc_gen_cloudwatch(0.5, 130, 120, 0, buf, sizeof buf, err,
                                        sizeof err), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_mean_reversion),
        cmocka_unit_test(test_price_outages),
        cmocka_unit_test(test_scopes),
        cmocka_unit_test(test_capacity_outage),
        cmocka_unit_test(test_pools_and_params),
        cmocka_unit_test(test_demand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
