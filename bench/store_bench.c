/*
** store_bench.c: how long the store takes to keep a long run with its
** timeseries: one decision and one per-minute sample every minute (the
** heaviest storing case: with timeseries on, 'none' decisions are stored
** too), through the same sink sim_run() would call.
**
**   store_bench DB [MINUTES [POOLS [PRICE_EVERY [LEVELS]]]]
**
** Defaults: 525600 minutes (a year), 4 pools, prices change every 60
** minutes, cycling through 97 levels. LEVELS 0: every change is a price never
** seen before (the worst case for the price text cache). Prints the wall
** time of st_run_begin .. st_run_commit and the database size.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store/store.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: store_bench DB [MINUTES [POOLS [PRICE_EVERY "
                        "[LEVELS]]]]\n");
        return 2;
    }
    const char *path = argv[1];
    long minutes = argc > 2 ? atol(argv[2]) : 525600;
    long npools = argc > 3 ? atol(argv[3]) : 4;
    long every = argc > 4 ? atol(argv[4]) : 60;
    long levels = argc > 5 ? atol(argv[5]) : 97;
    if (minutes < 1 || npools < 1 || npools > 64 || every < 1 || levels < 0) {
        fprintf(stderr, "store_bench: bad arguments\n");
        return 2;
    }

    sim_pool pools[64];
    memset(pools, 0, sizeof pools);
    sim_scenario sc;
    memset(&sc, 0, sizeof sc);
    snprintf(sc.name, sizeof sc.name, "bench");
    snprintf(sc.path, sizeof sc.path, "bench.json");
    snprintf(sc.hash, sizeof sc.hash, "0123456789abcdef");
    sc.start = 1488326400;
    sc.end = sc.start + minutes * 60;
    for (long i = 0; i < npools; i++) {
        snprintf(pools[i].instance_type, 32, "c3.xlarge");
        snprintf(pools[i].az, 32, "us-east-1%c", (char)('a' + i % 6));
        pools[i].weight = 4;
        pools[i].max_price = 0.05;
        pools[i].on_demand_price = 0.21;
    }
    sc.pools = pools;
    sc.npools = (size_t)npools;
    const pol_policy *pol = pol_find("classic");
    pol_params params;
    pol_params_default(pol, &params);
    st_run_info info = {&sc, pol, &params, NULL, 0, "bench", 1};

    char err[512];
    st_db *db;
    if (st_open(path, &db, err, sizeof err)) {
        fprintf(stderr, "store_bench: %s\n", err);
        return 1;
    }
    double t0 = now_s();
    int64_t run_id;
    if (st_run_begin(db, &info, &run_id, err, sizeof err)) {
        fprintf(stderr, "store_bench: %s\n", err);
        st_close(db);
        return 1;
    }
    sim_sink sink = st_sink(db);
    double prices[64];
    sim_decision_rec d;
    memset(&d, 0, sizeof d);
    snprintf(d.d.reason, sizeof d.d.reason,
             "PendingCapacity 0 units: 0 instances already desired");
    int rc = 0;
    for (long m = 0; m < minutes && rc == 0; m++) {
        int64_t t = sc.start + m * 60;
        if (m % every == 0)
            for (long i = 0; i < npools; i++)
                prices[i] =
                    levels ? 0.0123 + 0.0001 * (double)((m / every + i) % levels)
                           : 0.0123 + 1e-9 * (double)(m * npools + i);
        d.t = t;
        sim_minute_rec r = {t, 32, 32, 28, 4, 0, 28, 4, 1, 1,
                            prices, (size_t)npools};
        rc = sink.decision(sink.ctx, &d) || sink.minute(sink.ctx, &r);
    }
    sim_result res;
    memset(&res, 0, sizeof res);
    double tc = now_s();
    if (rc) {
        fprintf(stderr, "store_bench: %s\n", st_sink_error(db));
        st_run_rollback(db);
    } else if (st_run_commit(db, &res, err, sizeof err)) {
        fprintf(stderr, "store_bench: %s\n", err);
        rc = 1;
    }
    double t1 = now_s();
    st_close(db);
    if (rc) return 1;
    struct stat sb;
    long long size = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
    char lv[32];
    if (levels) snprintf(lv, sizeof lv, "%ld levels", levels);
    else snprintf(lv, sizeof lv, "never repeating");
    printf("%ld minutes, %ld pools, prices every %ld min (%s): %.3f s "
           "(%.0f ns/minute; commit and checkpoint %.3f s), database %.1f MB\n",
           minutes, npools, every, lv, t1 - t0, (t1 - t0) / (double)minutes * 1e9,
           t1 - tc, (double)size / 1e6);
    return 0;
}
