/*
** test_store.c: the SQLite store. Each test gets a fresh temporary directory
** (mkdtemp) and checks what st_* wrote with plain SQL through a second
** connection, so the tests pin the schema in docs/store.md, not just a round
** trip through our own reader.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "store/sweeptab.h"

/* ---- fixtures -------------------------------------------------------------- */

typedef struct {
    char dir[256];
    char path[512]; /* dir/runs.db */
    sim_pool pools[2];
    sim_scenario sc;
    pol_params params;
    st_run_info info;
    char err[512];
} env;

/* Removes a directory tree made by a test (files and directories only). */
static void rm_tree(const char *path) {
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char sub[1024];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_tree(sub);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* A hand-made scenario of two pools; hash and name vary per test. */
static void make_scenario(env *e, const char *hash) {
    sim_scenario *sc = &e->sc;
    memset(sc, 0, sizeof *sc);
    snprintf(sc->name, sizeof sc->name, "test-%s", hash);
    snprintf(sc->path, sizeof sc->path, "/scenarios/%s.json", hash);
    snprintf(sc->hash, sizeof sc->hash, "%s", hash);
    sc->mode = SIM_MODEL;
    sc->seed = 0xfedcba9876543210ULL; /* above INT64_MAX on purpose */
    sc->start = 1488326400;           /* 2017-03-01T00:00:00Z */
    sc->end = 1488412800;
    sc->billing = SIM_PER_SECOND;
    memset(e->pools, 0, sizeof e->pools);
    snprintf(e->pools[0].instance_type, 32, "c3.xlarge");
    snprintf(e->pools[0].az, 32, "us-east-1a");
    e->pools[0].weight = 4;
    e->pools[0].max_price = 0.05;
    e->pools[0].on_demand_price = 0.21;
    snprintf(e->pools[1].instance_type, 32, "c4.2xlarge");
    snprintf(e->pools[1].az, 32, "us-east-1b");
    e->pools[1].weight = 8;
    e->pools[1].max_price = 0.045;
    e->pools[1].on_demand_price = 0.398;
    sc->pools = e->pools;
    sc->npools = 2;
}

static const char *const test_sets[] = {"asg.DefaultCooldown=900",
                                        "name=\"quoted\"\\"};

static int setup(void **state) {
    env *e = calloc(1, sizeof *e);
    if (!e) return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(e->dir, sizeof e->dir, "%s/spotbench-store-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(e->dir)) {
        free(e);
        return -1;
    }
    snprintf(e->path, sizeof e->path, "%s/runs.db", e->dir);
    make_scenario(e, "00112233aabbccdd");
    const pol_policy *pol = pol_find("classic");
    pol_params_default(pol, &e->params);
    e->info.sc = &e->sc;
    e->info.pol = pol;
    e->info.params = &e->params;
    e->info.sets = test_sets;
    e->info.nsets = 2;
    e->info.tool_version = "spotbench test";
    e->info.timeseries = 1;
    *state = e;
    return 0;
}

static int teardown(void **state) {
    env *e = *state;
    rm_tree(e->dir);
    free(e);
    return 0;
}

/* ---- plain SQL on a second connection ---------------------------------- */

static sqlite3 *raw_open(const char *path) {
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
                     SQLITE_OK);
    return db;
}

/* The first column of the first row as text ("" for NULL or no row);
** the caller frees it. */
static char *q_text(sqlite3 *db, const char *sql) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    const char *t = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        t = (const char *)sqlite3_column_text(s, 0);
    char *r = strdup(t ? t : "");
    sqlite3_finalize(s);
    assert_non_null(r);
    return r;
}

static int64_t q_int(sqlite3 *db, const char *sql) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(s) != SQLITE_ROW) fail_msg("%s: no row", sql);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void assert_q_text(sqlite3 *db, const char *sql, const char *want) {
    char *got = q_text(db, sql);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "query: %s\n  got:  %s\n  want: %s\n", sql, got, want);
        free(got);
        fail();
    }
    free(got);
}

/* The query plan of a one-step query is exactly `want`. */
static void assert_plan(sqlite3 *db, const char *sql, const char *want) {
    char eqp[512];
    snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, eqp, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", eqp, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    const char *got = (const char *)sqlite3_column_text(s, 3);
    if (!got || strcmp(got, want) != 0)
        fail_msg("plan of %s: got %s, want %s", sql, got ? got : "NULL",
                 want);
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
}

/* ---- records ----------------------------------------------------------------- */

static sim_decision_rec dec_none(int64_t t) {
    sim_decision_rec r;
    memset(&r, 0, sizeof r);
    r.t = t;
    r.d.action = POL_ACT_NONE;
    snprintf(r.d.reason, sizeof r.d.reason, "nothing to do");
    return r;
}

static sim_decision_rec dec_set(int64_t t, int n, int honor, int accepted,
                                const char *error) {
    sim_decision_rec r;
    memset(&r, 0, sizeof r);
    r.t = t;
    r.d.action = POL_ACT_SET;
    r.d.desired = n;
    r.d.honor_cooldown = honor;
    snprintf(r.d.reason, sizeof r.d.reason, "scale to %d", n);
    r.accepted = accepted;
    r.error = error;
    return r;
}

static sim_decision_rec dec_failed(int64_t t) {
    sim_decision_rec r;
    memset(&r, 0, sizeof r);
    r.t = t;
    r.failed = 1;
    return r;
}

static sim_minute_rec minute(int64_t t, const double *prices, size_t n) {
    sim_minute_rec m;
    memset(&m, 0, sizeof m);
    m.t = t;
    m.required = 32;
    m.target = 32;
    m.fulfilled = 24.5;
    m.pending = 7.5;
    m.terminating = 4;
    m.spot_units = 24;
    m.od_units = 8;
    m.od_desired = 2;
    m.od_in_service = 1;
    m.prices = prices;
    m.nprices = n;
    return m;
}

/* Every field a distinct, exactly representable non-zero value. */
static sim_result sample_result(void) {
    sim_result r;
    memset(&r, 0, sizeof r);
    r.spot_cost = 12.5;
    r.od_cost = 3.25;
    r.total_cost = 15.75;
    r.all_od_cost = 63;
    r.pct_of_all_od = 0.1; /* not exact in binary: must still round-trip */
    r.coverage_pct = 99.875;
    r.required_unit_hours = 768;
    r.shortfall_unit_hours = 0.96;
    r.longest_shortfall_s = 5400;
    r.minutes_below_target = 91.5;
    r.od_instance_hours = 6.5;
    r.spot_instance_hours = 190.25;
    r.od_launches = 3;
    r.spot_launches = 41;
    r.set_calls = 7;
    r.set_rejected = 2;
    r.invocations = 1440;
    r.invocation_failures = 5;
    r.interruptions = 11;
    r.shortfalls = 4;
    r.fallback_latency_median_s = 180;
    r.fallback_latency_max_s = 420;
    r.uncovered_shortfalls = 1;
    r.return_delay_median_s = 3600;
    r.return_delay_max_s = 7260;
    r.od_hours_after_recovery = 2.75;
    r.flaps = 6;
    r.events = (int64_t)1 << 40;
    return r;
}

static void assert_result_equal(const sim_result *a, const sim_result *b) {
    assert_true(a->spot_cost == b->spot_cost);
    assert_true(a->od_cost == b->od_cost);
    assert_true(a->total_cost == b->total_cost);
    assert_true(a->all_od_cost == b->all_od_cost);
    assert_true(a->pct_of_all_od == b->pct_of_all_od);
    assert_true(a->coverage_pct == b->coverage_pct);
    assert_true(a->required_unit_hours == b->required_unit_hours);
    assert_true(a->shortfall_unit_hours == b->shortfall_unit_hours);
    assert_int_equal(a->longest_shortfall_s, b->longest_shortfall_s);
    assert_true(a->minutes_below_target == b->minutes_below_target);
    assert_true(a->od_instance_hours == b->od_instance_hours);
    assert_true(a->spot_instance_hours == b->spot_instance_hours);
    assert_int_equal(a->od_launches, b->od_launches);
    assert_int_equal(a->spot_launches, b->spot_launches);
    assert_int_equal(a->set_calls, b->set_calls);
    assert_int_equal(a->set_rejected, b->set_rejected);
    assert_int_equal(a->invocations, b->invocations);
    assert_int_equal(a->invocation_failures, b->invocation_failures);
    assert_int_equal(a->interruptions, b->interruptions);
    assert_int_equal(a->shortfalls, b->shortfalls);
    assert_int_equal(a->fallback_latency_median_s, b->fallback_latency_median_s);
    assert_int_equal(a->fallback_latency_max_s, b->fallback_latency_max_s);
    assert_int_equal(a->uncovered_shortfalls, b->uncovered_shortfalls);
    assert_int_equal(a->return_delay_median_s, b->return_delay_median_s);
    assert_int_equal(a->return_delay_max_s, b->return_delay_max_s);
    assert_true(a->od_hours_after_recovery == b->od_hours_after_recovery);
    assert_int_equal(a->flaps, b->flaps);
    assert_int_equal(a->events, b->events);
}

static st_db *open_ok(env *e) {
    st_db *db = NULL;
    if (st_open(e->path, &db, e->err, sizeof e->err) != 0)
        fail_msg("st_open: %s", e->err);
    assert_non_null(db);
    return db;
}

static int64_t begin_ok(env *e, st_db *db) {
    int64_t id = -1;
    if (st_run_begin(db, &e->info, &id, e->err, sizeof e->err) != 0)
        fail_msg("st_run_begin: %s", e->err);
    assert_true(id > 0);
    return id;
}

static void commit_ok(env *e, st_db *db) {
    sim_result res = sample_result();
    if (st_run_commit(db, &res, e->err, sizeof e->err) != 0)
        fail_msg("st_run_commit: %s", e->err);
}

/* A whole run: none, accepted set, rejected set, failed invocation; three
** minutes, the second pool's price moving once. */
static int64_t store_run(env *e, st_db *db) {
    static const double p1[] = {0.1, 0.25}, p2[] = {0.1, 0.3};
    int64_t id = begin_ok(e, db);
    sim_sink sink = st_sink(db);
    sim_decision_rec d[] = {
        dec_none(1488326400),
        dec_set(1488326460, 2, 0, 1, NULL),
        dec_set(1488326520, 1, 1, 0, "ScalingActivityInProgress"),
        dec_failed(1488326580),
    };
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        assert_int_equal(sink.decision(sink.ctx, &d[i]), 0);
    if (sink.minute) {
        sim_minute_rec m[] = {minute(1488326400, p1, 2),
                              minute(1488326460, p2, 2),
                              minute(1488326520, p2, 2)};
        for (size_t i = 0; i < 3; i++)
            assert_int_equal(sink.minute(sink.ctx, &m[i]), 0);
    }
    commit_ok(e, db);
    assert_null(st_sink_error(db));
    return id;
}

/* ---- tests ------------------------------------------------------------------- */

static void open_creates_schema_and_wal(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    sqlite3 *raw = raw_open(e->path);
    assert_q_text(raw, "PRAGMA journal_mode", "wal");
    assert_int_equal(q_int(raw, "PRAGMA user_version"), ST_SCHEMA_VERSION);
    assert_q_text(raw,
                  "SELECT group_concat(name, ' ') FROM (SELECT name FROM "
                  "sqlite_master WHERE type = 'table' ORDER BY name)",
                  "decisions live_ticks run_pools runs scenarios summaries "
                  "sweep_runs sweeps timeseries timeseries_days");
    /* run_id and one column per sim_result field (34). */
    assert_int_equal(
        q_int(raw, "SELECT count(*) FROM pragma_table_info('summaries')"), 35);
    /* Decisions and samples of a run are found by key, not by a scan. */
    assert_plan(raw, "SELECT * FROM decisions WHERE run_id = 1 AND t > 60",
                "SEARCH decisions USING PRIMARY KEY (run_id=? AND t>?)");
    assert_plan(raw, "SELECT * FROM timeseries WHERE run_id = 1 AND t > 60",
                "SEARCH timeseries USING PRIMARY KEY (run_id=? AND t>?)");
    assert_plan(raw, "SELECT * FROM timeseries_days WHERE run_id = 1 AND t > 60",
                "SEARCH timeseries_days USING PRIMARY KEY (run_id=? AND t>?)");
    sqlite3_close(raw);
    st_close(db);
    /* Reopening an existing version-1 database works and changes nothing. */
    db = open_ok(e);
    st_close(db);
}

static void run_commits_and_reads_back(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    int64_t id = store_run(e, db);

    sim_result want = sample_result(), got;
    assert_int_equal(st_summary_get(db, id, &got, e->err, sizeof e->err), 0);
    assert_result_equal(&got, &want);

    sqlite3 *raw = raw_open(e->path);
    assert_q_text(raw,
                  "SELECT hash || '|' || name || '|' || path || '|' || mode "
                  "|| '|' || start || '|' || end || '|' || billing "
                  "FROM scenarios",
                  "00112233aabbccdd|test-00112233aabbccdd|"
                  "/scenarios/00112233aabbccdd.json|model|1488326400|"
                  "1488412800|per_second");
    assert_q_text(raw,
                  "SELECT policy || '|' || params || '|' || sets || '|' || "
                  "seed || '|' || tool_version || '|' || timeseries "
                  "FROM runs",
                  "classic|{\"window\": 600, \"units_per_instance\": 4, "
                  "\"fallback_capacity\": 32}|"
                  "[\"asg.DefaultCooldown=900\", "
                  "\"name=\\\"quoted\\\"\\\\\"]|"
                  "-81985529216486896|spotbench test|1");
    /* The seed's 64 bits read as signed: 0xfedcba9876543210 - 2^64. */
    assert_int_equal(q_int(raw, "SELECT count(*) FROM runs WHERE created "
                                "GLOB '20[0-9][0-9]-[01][0-9]-[0-3][0-9]T"
                                "[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'"),
                     1);
    assert_q_text(raw,
                  "SELECT group_concat(r, ';') FROM (SELECT pool || ',' || "
                  "instance_type || ',' || availability_zone || ',' || "
                  "weighted_capacity || ',' || spot_price || ',' || "
                  "on_demand_price AS r FROM run_pools ORDER BY pool)",
                  "0,c3.xlarge,us-east-1a,4.0,0.05,0.21;"
                  "1,c4.2xlarge,us-east-1b,8.0,0.045,0.398");
    assert_q_text(raw,
                  "SELECT group_concat(r, ';') FROM (SELECT t || ',' || seq "
                  "|| ',' || action || ',' || quote(desired) || ',' || "
                  "quote(honor_cooldown) || ',' || quote(reason) || ',' || "
                  "quote(accepted) || ',' || quote(error) AS r "
                  "FROM decisions ORDER BY t, seq)",
                  "1488326400,0,none,NULL,NULL,'nothing to do',NULL,NULL;"
                  "1488326460,1,set,2,0,'scale to 2',1,NULL;"
                  "1488326520,2,set,1,1,'scale to 1',0,"
                  "'ScalingActivityInProgress';"
                  "1488326580,3,failed,NULL,NULL,NULL,NULL,NULL");
    /* The three samples are one timeseries_days row, each column runs of
    ** (varint count, value), by hand from docs/store.md: a REAL value as
    ** its 8 bytes little-endian (32.0 = 0x4040000000000000), an INTEGER
    ** zigzag-coded (2 -> 4, 1 -> 2, the step 60 -> 120 = 0x78). */
    assert_int_equal(q_int(raw, "SELECT count(*) FROM timeseries"), 0);
    assert_q_text(raw,
                  "SELECT t || ',' || n || ',' || npools || ',' || hex(dt) || ',' || "
                  "hex(required) || ',' || hex(target) || ',' || hex(fulfilled) || ',' || "
                  "hex(pending) || ',' || hex(terminating) || ',' || hex(spot_units) || "
                  "',' || hex(od_units) || ',' || hex(od_desired) || ',' || "
                  "hex(od_in_service) || ',' || hex(prices) FROM timeseries_days",
                  "1488326400,3,2,0278,"
                  "030000000000004040,030000000000004040," /* 32, 32 */
                  "030000000000803840,030000000000001E40," /* 24.5, 7.5 */
                  "030000000000001040,030000000000003840," /* 4, 24 */
                  "030000000000002040,0304,0302,"          /* 8; 2; 1 */
                  /* pool 0: 0.1 three times; pool 1: 0.25 once, 0.3 twice */
                  "039A9999999999B93F"
                  "01000000000000D03F02333333333333D33F");
    sqlite3_close(raw);

    /* The reader gives back the very samples. */
    st_sample *rows;
    size_t n;
    assert_int_equal(st_timeseries_read(db, id, &rows, &n, e->err, sizeof e->err), 0);
    assert_int_equal(n, 3);
    static const double p1[] = {0.1, 0.25, 0.1, 0.3, 0.1, 0.3};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rows[i].t, 1488326400 + 60 * (int64_t)i);
        assert_true(rows[i].required == 32 && rows[i].target == 32);
        assert_true(rows[i].fulfilled == 24.5 && rows[i].pending == 7.5);
        assert_true(rows[i].terminating == 4 && rows[i].spot_units == 24);
        assert_true(rows[i].od_units == 8);
        assert_int_equal(rows[i].od_desired, 2);
        assert_int_equal(rows[i].od_in_service, 1);
        assert_int_equal(rows[i].nprices, 2);
        assert_true(rows[i].prices[0] == p1[2 * i] && rows[i].prices[1] == p1[2 * i + 1]);
    }
    free(rows);
    raw = raw_open(e->path);
    /* Summary columns carry sim_result's names. */
    assert_q_text(raw,
                  "SELECT total_cost || ',' || coverage_pct || ',' || events "
                  "FROM summaries",
                  "15.75,99.875,1099511627776");
    sqlite3_close(raw);
    st_close(db);
}

static void none_decisions_skipped_without_timeseries(void **state) {
    env *e = *state;
    e->info.timeseries = 0;
    st_db *db = open_ok(e);
    int64_t id = begin_ok(e, db);
    sim_sink sink = st_sink(db);
    assert_null(sink.minute);
    assert_ptr_equal(sink.ctx, db);
    sim_decision_rec d[] = {dec_none(60), dec_set(120, 3, 0, 1, NULL),
                            dec_none(180), dec_failed(240), dec_none(300)};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(sink.decision(sink.ctx, &d[i]), 0);
    commit_ok(e, db);

    sqlite3 *raw = raw_open(e->path);
    assert_q_text(raw,
                  "SELECT group_concat(t || action || seq, ' ') FROM (SELECT "
                  "t, action, seq FROM decisions ORDER BY t)",
                  "120set1 240failed3"); /* seq counts the skipped too */
    assert_int_equal(q_int(raw, "SELECT timeseries FROM runs"), 0);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM timeseries"), 0);
    sqlite3_close(raw);
    sim_result got;
    assert_int_equal(st_summary_get(db, id, &got, e->err, sizeof e->err), 0);
    st_close(db);
}

static void rollback_leaves_nothing(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    int64_t kept = store_run(e, db); /* scenario A, committed */

    /* A run of a new scenario B, rolled back after decisions and minutes. */
    make_scenario(e, "ffeeddccbbaa9988");
    static const double p[] = {0.07, 0.08};
    int64_t id = begin_ok(e, db);
    sim_sink sink = st_sink(db);
    sim_decision_rec d = dec_set(60, 4, 0, 1, NULL);
    assert_int_equal(sink.decision(sink.ctx, &d), 0);
    sim_minute_rec m = minute(60, p, 2);
    assert_int_equal(sink.minute(sink.ctx, &m), 0);
    st_run_rollback(db);
    st_run_rollback(db); /* harmless twice */

    sqlite3 *raw = raw_open(e->path);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM runs"), 1);
    assert_int_equal(q_int(raw, "SELECT id FROM runs"), kept);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM scenarios"), 1);
    assert_q_text(raw, "SELECT hash FROM scenarios", "00112233aabbccdd");
    assert_int_equal(q_int(raw, "SELECT count(*) FROM decisions WHERE "
                                "run_id <> (SELECT id FROM runs)"),
                     0);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM decisions"), 4);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM timeseries_days"), 1);
    assert_int_equal(q_int(raw, "SELECT sum(n) FROM timeseries_days"), 3);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM run_pools"), 2);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM summaries"), 1);
    sqlite3_close(raw);

    /* The rolled-back run has no summary; the sink refuses without a run. */
    sim_result got;
    assert_int_equal(st_summary_get(db, id, &got, e->err, sizeof e->err), -1);
    assert_non_null(strstr(e->err, e->path));
    assert_non_null(strstr(e->err, "no summary"));
    assert_int_not_equal(sink.decision(sink.ctx, &d), 0);
    assert_non_null(st_sink_error(db));
    assert_non_null(strstr(st_sink_error(db), "no run open"));

    /* A run left open at close is discarded too. */
    begin_ok(e, db);
    st_close(db);
    raw = raw_open(e->path);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM runs"), 1);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM scenarios"), 1);
    sqlite3_close(raw);
}

/* Samples must come in time order: a duplicate or an earlier one is
** refused by the sink at once (the old table's primary key refused it when
** its batch went in), and nothing of the run is kept. */
static void duplicate_sample_fails_the_run(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    static const double p[] = {0.1, 0.2};
    sim_result res = sample_result();

    begin_ok(e, db);
    sim_sink sink = st_sink(db);
    sim_minute_rec m = minute(60, p, 2);
    assert_int_equal(sink.minute(sink.ctx, &m), 0);
    assert_int_not_equal(sink.minute(sink.ctx, &m), 0);
    assert_int_equal(st_run_commit(db, &res, e->err, sizeof e->err), -1);
    assert_non_null(strstr(e->err, e->path));
    assert_non_null(strstr(e->err, "timeseries"));
    assert_non_null(strstr(e->err, "t 60 is not after the previous sample's 60"));

    begin_ok(e, db);
    int refused = 0;
    for (int i = 0; i < 100 && !refused; i++) {
        m = minute(i == 7 ? 6 * 60 : i * 60, p, 2);
        refused = sink.minute(sink.ctx, &m) != 0;
    }
    assert_true(refused);
    const char *why = st_sink_error(db);
    assert_non_null(why);
    assert_non_null(strstr(why, e->path));
    assert_non_null(strstr(why, "t 360 is not after the previous sample's 360"));
    /* A run whose sink refused a record is never committed. */
    assert_int_equal(st_run_commit(db, &res, e->err, sizeof e->err), -1);
    assert_non_null(strstr(e->err, "timeseries"));

    sqlite3 *raw = raw_open(e->path);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM runs"), 0);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM scenarios"), 0);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM timeseries_days"), 0);
    sqlite3_close(raw);
    /* The connection is usable again, and the error is cleared. */
    store_run(e, db);
    st_close(db);
}

/* Rows in full batches and a partial one all arrive, in order, with their
** own texts (each record is borrowed only for its callback); samples in
** full timeseries rows of a day (1440) and a partial one. */
static void many_rows_across_batches(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    int64_t id = begin_ok(e, db);
    sim_sink sink = st_sink(db);
    enum { N = 3000 }; /* decisions: batches of 32; samples: 1440, 1440, 120 */
    for (int i = 0; i < N; i++) {
        double p[3] = {0.01 * (i / 100), 0.5, i};
        char err[32];
        snprintf(err, sizeof err, "E%d", i);
        sim_decision_rec d = i % 3 ? dec_none(i * 60)
                                   : dec_set(i * 60, i, i % 2, 0, err);
        sim_minute_rec m = minute(i * 60, p, 3);
        assert_int_equal(sink.decision(sink.ctx, &d), 0);
        assert_int_equal(sink.minute(sink.ctx, &m), 0);
        memset(&d, 'x', sizeof d); /* the store must have copied */
        memset(err, 'x', sizeof err);
    }
    commit_ok(e, db);
    st_close(db);

    sqlite3 *raw = raw_open(e->path);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM decisions WHERE run_id = %lld",
             (long long)id);
    /* Every third is a rejected set of its own; the two 'none' between
    ** two sets are one row with repeats 2. */
    assert_int_equal(q_int(raw, sql), (N + 2) / 3 + N / 3);
    assert_int_equal(q_int(raw, "SELECT sum(repeats) FROM decisions"), N);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM decisions WHERE action = 'none' AND "
                                "(repeats <> 2 OR last_t <> t + 60 OR seq % 3 <> 1)"),
                     0);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM decisions WHERE "
                                "seq * 60 <> t"),
                     0);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM decisions WHERE "
                                "action = 'set' AND (error <> 'E' || desired "
                                "OR reason <> 'scale to ' || desired "
                                "OR honor_cooldown <> desired % 2)"),
                     0);
    assert_int_equal(q_int(raw, "SELECT sum(repeats) FROM decisions WHERE "
                                "action = 'none' AND reason = 'nothing to "
                                "do' AND error IS NULL"),
                     N - (N + 2) / 3);
    assert_q_text(raw, "SELECT group_concat(t || ':' || n, ' ') FROM timeseries_days",
                  "0:1440 86400:1440 172800:120");
    sqlite3_close(raw);

    db = open_ok(e);
    st_sample *rows;
    size_t n;
    assert_int_equal(st_timeseries_read(db, id, &rows, &n, e->err, sizeof e->err), 0);
    assert_int_equal(n, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(rows[i].t, i * 60);
        assert_int_equal(rows[i].nprices, 3);
        assert_true(rows[i].prices[0] == 0.01 * (i / 100));
        assert_true(rows[i].prices[1] == 0.5 && rows[i].prices[2] == i);
    }
    free(rows);
    st_close(db);
}

static void same_scenario_hash_reused(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    int64_t a = store_run(e, db);
    st_close(db);
    db = open_ok(e); /* across connections too */
    int64_t b = store_run(e, db);
    make_scenario(e, "0123456789abcdef");
    int64_t c = store_run(e, db);
    st_close(db);
    assert_true(a < b && b < c);

    sqlite3 *raw = raw_open(e->path);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM scenarios"), 2);
    assert_int_equal(q_int(raw, "SELECT count(DISTINCT scenario_id) FROM "
                                "runs WHERE id IN (1, 2)"),
                     1);
    assert_int_not_equal(q_int(raw, "SELECT scenario_id FROM runs WHERE id = 1"),
                         q_int(raw, "SELECT scenario_id FROM runs WHERE id = 3"));
    /* Determinism: the same input gives the same rows but for id and
    ** created. */
    static const char *const same[] = {
        "SELECT scenario_id, policy, params, sets, seed, tool_version, "
        "timeseries FROM runs WHERE id = %d",
        "SELECT pool, instance_type, availability_zone, weighted_capacity, "
        "spot_price, on_demand_price FROM run_pools WHERE run_id = %d",
        "SELECT t, seq, action, desired, honor_cooldown, reason, accepted, "
        "error FROM decisions WHERE run_id = %d",
        "SELECT t, n, npools, dt, required, target, fulfilled, pending, terminating, "
        "spot_units, od_units, od_desired, od_in_service, prices "
        "FROM timeseries_days WHERE run_id = %d",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        char q1[256], q2[256], sql[1600];
        snprintf(q1, sizeof q1, same[i], 1);
        snprintf(q2, sizeof q2, same[i], 2);
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT count(*) FROM (%s EXCEPT %s)) + "
                 "(SELECT count(*) FROM (%s EXCEPT %s)) + "
                 "((SELECT count(*) FROM (%s)) = 0)",
                 q1, q2, q2, q1, q1);
        assert_int_equal(q_int(raw, sql), 0);
    }
    sqlite3_close(raw);
}

static void newer_schema_refused(void **state) {
    env *e = *state;
    sqlite3 *raw = NULL;
    assert_int_equal(sqlite3_open(e->path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    sqlite3_close(raw);

    st_db *db = (st_db *)1;
    assert_int_equal(st_open(e->path, &db, e->err, sizeof e->err), -1);
    assert_null(db);
    assert_non_null(strstr(e->err, e->path));
    assert_non_null(strstr(e->err, "schema version 99 is newer"));
    /* Refused untouched: not even switched to WAL. */
    raw = raw_open(e->path);
    assert_q_text(raw, "PRAGMA journal_mode", "delete");
    assert_int_equal(q_int(raw, "PRAGMA user_version"), 99);
    sqlite3_close(raw);
}

/* A version 1 database (before capacity_events, rebalances and holds) is
** upgraded in place: the columns are added, its runs keep their rows. */
static void version_1_upgraded(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    st_close(db);
    sqlite3 *raw = raw_open(e->path);
    assert_int_equal(sqlite3_exec(raw,
                                  "DROP VIEW run_results;"
                                  "ALTER TABLE sweeps DROP COLUMN kind;"
                                  "ALTER TABLE scenarios DROP COLUMN hash_alg;"
                                  "ALTER TABLE summaries DROP COLUMN capacity_events;"
                                  "ALTER TABLE summaries DROP COLUMN rebalances;"
                                  "ALTER TABLE summaries DROP COLUMN holds;"
                                  "ALTER TABLE decisions DROP COLUMN repeats;"
                                  "ALTER TABLE decisions DROP COLUMN last_t;"
                                  "ALTER TABLE summaries DROP COLUMN reactive_cost;"
                                  "ALTER TABLE summaries DROP COLUMN reactive_coverage_pct;"
                                  "PRAGMA user_version = 1",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(
        q_int(raw, "SELECT count(*) FROM pragma_table_info('summaries')"), 30);
    sqlite3_close(raw);
    db = open_ok(e);
    st_close(db);
    raw = raw_open(e->path);
    assert_int_equal(q_int(raw, "PRAGMA user_version"), ST_SCHEMA_VERSION);
    assert_int_equal(
        q_int(raw, "SELECT count(*) FROM pragma_table_info('summaries') "
                   "WHERE name IN ('capacity_events', 'rebalances', 'holds')"),
        3);
    sqlite3_close(raw);
}

/* A version 2 database (one decisions row per invocation) is upgraded in
** place: repeats and last_t are added, each stored row standing for its one
** invocation; the columns end up where a new database has them. */
static void version_2_upgraded(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    begin_ok(e, db);
    sim_sink sink = st_sink(db);
    sim_decision_rec d[] = {dec_set(60, 2, 0, 1, NULL), dec_failed(120),
                            dec_set(180, 1, 1, 1, NULL)};
    for (size_t i = 0; i < 3; i++) assert_int_equal(sink.decision(sink.ctx, &d[i]), 0);
    commit_ok(e, db);
    st_close(db);
    sqlite3 *raw = raw_open(e->path);
    assert_int_equal(sqlite3_exec(raw,
                                  "DROP VIEW run_results;"
                                  "ALTER TABLE sweeps DROP COLUMN kind;"
                                  "ALTER TABLE scenarios DROP COLUMN hash_alg;"
                                  "ALTER TABLE decisions DROP COLUMN repeats;"
                                  "ALTER TABLE decisions DROP COLUMN last_t;"
                                  "ALTER TABLE summaries DROP COLUMN reactive_cost;"
                                  "ALTER TABLE summaries DROP COLUMN reactive_coverage_pct;"
                                  "PRAGMA user_version = 2",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    db = open_ok(e);
    st_close(db);
    raw = raw_open(e->path);
    assert_int_equal(q_int(raw, "PRAGMA user_version"), ST_SCHEMA_VERSION);
    assert_q_text(raw,
                  "SELECT group_concat(t || ',' || seq || ',' || repeats || ',' || "
                  "last_t, ';') FROM (SELECT * FROM decisions ORDER BY t)",
                  "60,0,1,60;120,1,1,120;180,2,1,180");
    /* The column order of a new database: merges copy rows by position. */
    assert_q_text(raw,
                  "SELECT group_concat(name, ',') FROM pragma_table_info('decisions')",
                  "run_id,t,seq,action,desired,honor_cooldown,reason,accepted,error,"
                  "repeats,last_t");
    sqlite3_close(raw);
}

/* A version 3 database (before the reactive bound) is upgraded in place:
** the two columns are added last, where a new database has them, NULL for
** the runs stored before; those runs still read back. */
static void version_3_upgraded(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    int64_t id = store_run(e, db);
    st_close(db);
    sqlite3 *raw = raw_open(e->path);
    char *fresh = NULL;
    {
        sqlite3_stmt *s;
        assert_int_equal(sqlite3_prepare_v2(raw,
                                            "SELECT group_concat(name, ',') FROM "
                                            "pragma_table_info('summaries')",
                                            -1, &s, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        fresh = strdup((const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
    }
    assert_non_null(strstr(fresh, ",events,reactive_cost,reactive_coverage_pct"));
    assert_int_equal(sqlite3_exec(raw,
                                  "DROP VIEW run_results;"
                                  "ALTER TABLE sweeps DROP COLUMN kind;"
                                  "ALTER TABLE scenarios DROP COLUMN hash_alg;"
                                  "ALTER TABLE summaries DROP COLUMN reactive_cost;"
                                  "ALTER TABLE summaries DROP COLUMN reactive_coverage_pct;"
                                  "PRAGMA user_version = 3",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    db = open_ok(e);
    sim_result got;
    assert_int_equal(st_summary_get(db, id, &got, e->err, sizeof e->err), 0);
    st_close(db);
    raw = raw_open(e->path);
    assert_int_equal(q_int(raw, "PRAGMA user_version"), ST_SCHEMA_VERSION);
    assert_q_text(raw, "SELECT group_concat(name, ',') FROM pragma_table_info('summaries')",
                  fresh);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM summaries WHERE reactive_cost IS NULL"), 1);
    sqlite3_close(raw);
    free(fresh);
}

/* A version 4 database (no sweeps.kind, no views) with a sweep is upgraded
** in place: kind is added (NULL: not known), run_results and the sweep's
** view appear, the view with one column per swept key (the seed axis left
** to runs.seed), each run's value in it. */
static void version_4_upgraded(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    int64_t sweep, run;
    assert_int_equal(st_sweep_create(db,
                                     "{\"policy\":\"guarded\",\"scenarios\":[\"a.json\"],"
                                     "\"grid\":[{\"key\":\"confirm\",\"values\":[\"1\",\"2\"]},"
                                     "{\"key\":\"seed\",\"values\":[\"1\"]}],"
                                     "\"random\":[{\"key\":\"asg.DefaultCooldown\"}]}",
                                     "guarded", 2, 1, NULL, &sweep, e->err, sizeof e->err),
                     0);
    run = begin_ok(e, db);
    assert_int_equal(st_sweep_link(db, sweep, 1, 0, run,
                                   "{\"confirm\": 2, \"seed\": 1, "
                                   "\"asg.DefaultCooldown\": 600}",
                                   e->err, sizeof e->err),
                     0);
    commit_ok(e, db);
    st_close(db);
    sqlite3 *raw = raw_open(e->path);
    assert_int_equal(sqlite3_exec(raw,
                                  "DROP VIEW run_results; DROP VIEW sweep_1_runs;"
                                  "ALTER TABLE sweeps DROP COLUMN kind;"
                                  "ALTER TABLE scenarios DROP COLUMN hash_alg;"
                                  "PRAGMA user_version = 4",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    db = open_ok(e);
    st_close(db);
    raw = raw_open(e->path);
    assert_int_equal(q_int(raw, "PRAGMA user_version"), ST_SCHEMA_VERSION);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM sweeps WHERE kind IS NULL"), 1);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM run_results"), 1);
    assert_q_text(raw,
                  "SELECT point || ',' || confirm || ',' || \"asg.DefaultCooldown\" || ',' "
                  "|| run_id FROM sweep_1_runs",
                  "1,2,600,1");
    assert_int_equal(run, 1);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM pragma_table_info('sweep_1_runs')"
                                " WHERE name = 'seed'"),
                     1);
    sqlite3_close(raw);
}

/* A version 5 database (the timeseries one row per minute, prices as text)
** is upgraded in place: timeseries_days is added and nothing stored is
** rewritten; its runs' samples read back from the old table, and a new run
** beside them is stored compact. */
static void version_5_upgraded(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    int64_t id = begin_ok(e, db);
    commit_ok(e, db); /* a run with timeseries = 1 and no sample yet */
    st_close(db);
    sqlite3 *raw = raw_open(e->path);
    char *sql = sqlite3_mprintf(
        "DROP TABLE timeseries_days;"
        "ALTER TABLE scenarios DROP COLUMN hash_alg;"
        "INSERT INTO timeseries VALUES (%lld, 120, 32, 32, 24.5, 7.5, 4, 24, 8, 2, 1,"
        " '0.10000000000000001,0.25,3');"
        "INSERT INTO timeseries VALUES (%lld, 60, 30, 31, 20, 11, 0, 20, 12, 3, 3,"
        " '0.20000000000000001,0.5,4');"
        "PRAGMA user_version = 5",
        (long long)id, (long long)id);
    assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free(sql);
    sqlite3_close(raw);

    db = open_ok(e);
    st_sample *rows;
    size_t n;
    assert_int_equal(st_timeseries_read(db, id, &rows, &n, e->err, sizeof e->err), 0);
    assert_int_equal(n, 2);
    /* In time order, every column, each price its own double. */
    assert_int_equal(rows[0].t, 60);
    assert_true(rows[0].required == 30 && rows[0].target == 31 && rows[0].fulfilled == 20);
    assert_true(rows[0].pending == 11 && rows[0].terminating == 0);
    assert_true(rows[0].spot_units == 20 && rows[0].od_units == 12);
    assert_int_equal(rows[0].od_desired, 3);
    assert_int_equal(rows[0].od_in_service, 3);
    assert_int_equal(rows[0].nprices, 3);
    assert_true(rows[0].prices[0] == 0.2 && rows[0].prices[1] == 0.5 &&
                rows[0].prices[2] == 4);
    assert_int_equal(rows[1].t, 120);
    assert_true(rows[1].fulfilled == 24.5 && rows[1].prices[0] == 0.1 &&
                rows[1].prices[2] == 3);
    free(rows);
    int64_t id2 = store_run(e, db);
    assert_int_equal(st_timeseries_read(db, id2, &rows, &n, e->err, sizeof e->err), 0);
    assert_int_equal(n, 3);
    free(rows);
    st_close(db);
    raw = raw_open(e->path);
    assert_int_equal(q_int(raw, "PRAGMA user_version"), ST_SCHEMA_VERSION);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM timeseries"), 2);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM timeseries_days"), 1);
    sqlite3_close(raw);
}

/* Samples at irregular steps, and a change in the number of prices (a new
** row starts), read back exactly; negative and large integers survive the
** zigzag coding. */
static void irregular_samples_round_trip(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    int64_t id = begin_ok(e, db);
    sim_sink sink = st_sink(db);
    static const double p[] = {0.5, -0.0, 1e300};
    static const int64_t ts[] = {-120, 0, 7, 3607, 3608, 100000};
    static const size_t np[] = {3, 3, 3, 1, 1, 0};
    for (size_t i = 0; i < 6; i++) {
        sim_minute_rec m = minute(ts[i], p, np[i]);
        m.od_desired = i % 2 ? -5 : 2000000000;
        m.pending = (double)i / 3;
        assert_int_equal(sink.minute(sink.ctx, &m), 0);
    }
    commit_ok(e, db);
    sqlite3 *raw = raw_open(e->path);
    /* Three rows: by the number of prices. */
    assert_q_text(raw, "SELECT group_concat(t || ':' || n || ':' || npools, ' ') FROM "
                       "timeseries_days",
                  "-120:3:3 3607:2:1 100000:1:0");
    sqlite3_close(raw);
    st_sample *rows;
    size_t n;
    assert_int_equal(st_timeseries_read(db, id, &rows, &n, e->err, sizeof e->err), 0);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(rows[i].t, ts[i]);
        assert_int_equal(rows[i].od_desired, i % 2 ? -5 : 2000000000);
        assert_true(rows[i].pending == (double)i / 3);
        assert_int_equal(rows[i].nprices, np[i]);
        for (size_t k = 0; k < np[i]; k++)
            assert_memory_equal(&rows[i].prices[k], &p[k], sizeof p[k]); /* -0.0 too */
    }
    free(rows);
    st_close(db);
}

/* A timeseries row whose runs do not add up to its samples is refused by
** the reader with the run and the row, never read past its end. */
static void malformed_series_refused(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    int64_t id = store_run(e, db);
    static const char *const bad[] = {
        "UPDATE timeseries_days SET required = x'02'",                 /* cut short */
        "UPDATE timeseries_days SET required = x'040000000000004040'", /* 4 of 3 */
        "UPDATE timeseries_days SET prices = substr(prices, 1, 20)",   /* a pool short */
        "UPDATE timeseries_days SET dt = dt || x'00'",                 /* bytes left */
        "UPDATE timeseries_days SET n = 0",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sqlite3 *raw = raw_open(e->path);
        assert_int_equal(sqlite3_exec(raw, "DELETE FROM timeseries_days", NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(raw);
        st_close(db);
        db = open_ok(e);
        id = store_run(e, db);
        raw = raw_open(e->path);
        assert_int_equal(sqlite3_exec(raw, bad[i], NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(raw);
        st_sample *rows = (st_sample *)1;
        size_t n = 7;
        assert_int_equal(st_timeseries_read(db, id, &rows, &n, e->err, sizeof e->err), -1);
        assert_null(rows);
        assert_int_equal(n, 0);
        char want[64];
        snprintf(want, sizeof want, "run %lld: malformed timeseries row at t 1488326400",
                 (long long)id);
        if (!strstr(e->err, want)) fail_msg("%s: %s", bad[i], e->err);
    }
    st_close(db);
}

/* A version 6 database (no scenarios.hash_alg: every hash FNV-1a's) with a
** sweep of one stored run is upgraded in place: hash_alg is added last,
** 'fnv1a64' for the row stored before, and the sweep says it hashed so (its
** resume goes on with FNV-1a); a run stored after records its own 'xxh64',
** and a sweep with no run stored yet takes XXH64. */
static void version_6_upgraded(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    int64_t sweep, empty;
    assert_int_equal(st_sweep_create(db, "{\"policy\":\"classic\"}", "classic", 2, 1, NULL,
                                     &sweep, e->err, sizeof e->err),
                     0);
    int64_t run = begin_ok(e, db);
    assert_int_equal(st_sweep_link(db, sweep, 0, 0, run, "{}", e->err, sizeof e->err), 0);
    commit_ok(e, db);
    assert_int_equal(st_sweep_create(db, "{\"policy\":\"guarded\"}", "guarded", 2, 1, NULL,
                                     &empty, e->err, sizeof e->err),
                     0);
    st_close(db);
    sqlite3 *raw = raw_open(e->path);
    assert_int_equal(sqlite3_exec(raw,
                                  "ALTER TABLE scenarios DROP COLUMN hash_alg;"
                                  "PRAGMA user_version = 5",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    db = open_ok(e);
    sim_hash_alg alg = SIM_HASH_XXH64;
    assert_int_equal(st_sweep_hash_alg(db, sweep, &alg, e->err, sizeof e->err), 0);
    assert_int_equal(alg, SIM_HASH_FNV1A);
    assert_int_equal(st_sweep_hash_alg(db, empty, &alg, e->err, sizeof e->err), 0);
    assert_int_equal(alg, SIM_HASH_XXH64);
    make_scenario(e, "00000000000000ab");
    e->sc.hash_alg = SIM_HASH_XXH64;
    begin_ok(e, db);
    commit_ok(e, db);
    st_close(db);
    raw = raw_open(e->path);
    assert_int_equal(q_int(raw, "PRAGMA user_version"), ST_SCHEMA_VERSION);
    assert_q_text(raw, "SELECT group_concat(hash_alg, ',') FROM (SELECT * FROM scenarios"
                       " ORDER BY id)", "fnv1a64,xxh64");
    /* Last, where a new database has it: merges copy rows by position. */
    assert_q_text(raw, "SELECT name FROM pragma_table_info('scenarios') ORDER BY cid DESC"
                       " LIMIT 1", "hash_alg");
    sqlite3_close(raw);
}

/* A rejected SetDesiredCapacity asked again, unchanged, at the very next
** invocations is one row with the count and the time of the last; any
** difference (another value, reason or error, an accepted call, a failed
** invocation, an invocation between them not stored) starts a new row. */
static void rejected_retries_stored_once(void **state) {
    env *e = *state;
    e->info.timeseries = 0;
    st_db *db = open_ok(e);
    begin_ok(e, db);
    sim_sink sink = st_sink(db);
    const char *busy = "ScalingActivityInProgress";
    sim_decision_rec d[] = {
        dec_set(0, 2, 0, 1, NULL),   /* 0 accepted */
        dec_set(60, 1, 1, 0, busy),  /* 1 rejected ... */
        dec_set(120, 1, 1, 0, busy), /* 2 ... the same */
        dec_set(185, 1, 1, 0, busy), /* 3 ... the same */
        dec_set(240, 0, 1, 0, busy), /* 4 another value */
        dec_set(300, 0, 1, 0, "ValidationError"), /* 5 another error */
        dec_none(360),               /* 6 not stored: a gap in seq */
        dec_set(420, 0, 1, 0, "ValidationError"), /* 7 not the next */
        dec_set(480, 0, 1, 0, "ValidationError"), /* 8 the same as 7 */
        dec_failed(540),             /* 9 */
        dec_set(600, 0, 1, 0, "ValidationError"), /* 10 */
        dec_set(660, 0, 1, 1, NULL), /* 11 accepted */
        dec_set(720, 0, 1, 1, NULL), /* 12 accepted again: its own row */
        dec_set(780, 3, 0, 0, busy), /* 13 rejected, the run's last */
        dec_set(840, 3, 0, 0, busy), /* 14 */
    };
    snprintf(d[3].d.reason, sizeof d[3].d.reason, "scale to 1");
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        assert_int_equal(sink.decision(sink.ctx, &d[i]), 0);
    commit_ok(e, db);
    st_close(db);
    sqlite3 *raw = raw_open(e->path);
    assert_q_text(raw,
                  "SELECT group_concat(r, ';') FROM (SELECT t || ',' || last_t || ',' "
                  "|| seq || ',' || repeats || ',' || action || ',' || "
                  "quote(desired) || ',' || quote(accepted) || ',' || quote(error) AS r "
                  "FROM decisions ORDER BY t, seq)",
                  "0,0,0,1,set,2,1,NULL;"
                  "60,185,1,3,set,1,0,'ScalingActivityInProgress';"
                  "240,240,4,1,set,0,0,'ScalingActivityInProgress';"
                  "300,300,5,1,set,0,0,'ValidationError';"
                  "420,480,7,2,set,0,0,'ValidationError';"
                  "540,540,9,1,failed,NULL,NULL,NULL;"
                  "600,600,10,1,set,0,0,'ValidationError';"
                  "660,660,11,1,set,0,1,NULL;"
                  "720,720,12,1,set,0,1,NULL;"
                  "780,840,13,2,set,3,0,'ScalingActivityInProgress'");
    /* Every invocation but the unstored 'none' is accounted for. */
    assert_int_equal(q_int(raw, "SELECT sum(repeats) FROM decisions"), 14);
    sqlite3_close(raw);
}

static void foreign_database_refused(void **state) {
    env *e = *state;
    sqlite3 *raw = NULL;
    assert_int_equal(sqlite3_open(e->path, &raw), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(raw, "CREATE TABLE mine(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    st_db *db = NULL;
    assert_int_equal(st_open(e->path, &db, e->err, sizeof e->err), -1);
    assert_null(db);
    assert_non_null(strstr(e->err, e->path));
    assert_non_null(strstr(e->err, "not a spotbench database"));

    /* Not SQLite at all. */
    FILE *f = fopen(e->path, "w");
    assert_non_null(f);
    for (int i = 0; i < 64; i++) fputs("not a database at all.\n", f);
    fclose(f);
    assert_int_equal(st_open(e->path, &db, e->err, sizeof e->err), -1);
    assert_null(db);
    assert_non_null(strstr(e->err, e->path));
}

static void missing_directory_created(void **state) {
    env *e = *state;
    char path[600];
    snprintf(path, sizeof path, "%s/results/runs.db", e->dir);
    st_db *db = NULL;
    if (st_open(path, &db, e->err, sizeof e->err) != 0)
        fail_msg("st_open: %s", e->err);
    st_close(db);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);

    /* One level only: a/b/ with a/ missing is an error naming the path. */
    snprintf(path, sizeof path, "%s/a/b/runs.db", e->dir);
    assert_int_equal(st_open(path, &db, e->err, sizeof e->err), -1);
    assert_null(db);
    assert_non_null(strstr(e->err, path));
    assert_non_null(strstr(e->err, "cannot create directory"));
}

static void params_json_exact(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    store_run(e, db); /* classic defaults */

    const pol_policy *g = pol_find("guarded");
    pol_params gp;
    pol_params_default(g, &gp);
    assert_int_equal(pol_param_set(g, &gp, "units_per_instance", "0.1", e->err,
                                   sizeof e->err),
                     0);
    e->info.pol = g;
    e->info.params = &gp;
    e->info.sets = NULL;
    e->info.nsets = 0;
    e->info.tool_version = NULL;
    store_run(e, db);
    st_close(db);

    sqlite3 *raw = raw_open(e->path);
    assert_q_text(raw, "SELECT params FROM runs WHERE id = 1",
                  "{\"window\": 600, \"units_per_instance\": 4, "
                  "\"fallback_capacity\": 32}");
    assert_q_text(raw, "SELECT params FROM runs WHERE id = 2",
                  "{\"units_per_instance\": 0.10000000000000001, "
                  "\"staleness\": 180, \"window\": 600, \"confirm\": 2, "
                  "\"scale_in_delay\": 900, \"scale_in_step\": 4, "
                  "\"headroom_units\": 0, \"max_on_demand\": 100, "
                  "\"use_events\": 1, \"use_launch_failures\": 0}");
    assert_q_text(raw, "SELECT sets FROM runs WHERE id = 2", "[]");
    assert_q_text(raw, "SELECT quote(tool_version) FROM runs WHERE id = 2",
                  "NULL");
    /* SQLite's JSON functions read what we wrote. */
    assert_int_equal(q_int(raw, "SELECT json_extract(params, '$.window') "
                                "FROM runs WHERE id = 1"),
                     600);
    assert_q_text(raw, "SELECT json_extract(sets, '$[1]') FROM runs "
                       "WHERE id = 1",
                  "name=\"quoted\"\\");
    sqlite3_close(raw);
}

/* ---- live ticks ---------------------------------------------------------- */

typedef struct {
    pol_point tgt[2], pend[2];
    pol_obs obs;
    pol_params params;
    pol_decision d;
    st_live_rec rec;
} live_fx;

/* A guarded dry-run tick at 2017-03-01T12:08:00Z that wants 2 instances:
** TargetCapacity and PendingCapacity over two minutes, FulfilledCapacity
** failed, TerminatingCapacity empty, the group at 0. */
static void live_fx_init(live_fx *f) {
    memset(f, 0, sizeof *f);
    f->tgt[0] = (pol_point){1488370020, 32};
    f->tgt[1] = (pol_point){1488370080, 32};
    f->pend[0] = (pol_point){1488370020, 8};
    f->pend[1] = (pol_point){1488370080, 8.5};
    f->obs.now = 1488370080 + 60;
    f->obs.m[POL_TARGET].pts = f->tgt;
    f->obs.m[POL_TARGET].n = 2;
    f->obs.m[POL_PENDING].pts = f->pend;
    f->obs.m[POL_PENDING].n = 2;
    f->obs.m[POL_FULFILLED].failed = 1;
    f->obs.asg = (pol_asg){1, 0, 0, 20, 0};
    const pol_policy *g = pol_find("guarded");
    pol_params_default(g, &f->params);
    f->d.action = POL_ACT_SET;
    f->d.desired = 2;
    f->d.honor_cooldown = 0;
    snprintf(f->d.reason, sizeof f->d.reason, "scale out: shortfall 8 units");
    f->rec = (st_live_rec){
        .t = f->obs.now,
        .fleet_request_id = "sfr-5e2d6c1a-3b7f-4c9e-8a41-0d2f6b9e7c13",
        .asg_name = "spotbench-od",
        .pol = g,
        .params = &f->params,
        .obs = &f->obs,
        .decision = &f->d,
        .applied = 0,
        .outcome = ST_LIVE_DRY_RUN,
        .error = "cloudwatch GetMetricStatistics: Throttling: Rate exceeded "
                 "(RequestId r-1) (after 3 attempts)",
        .tool_version = "spotbench test",
    };
}

static void live_ok(env *e, st_db *db, const st_live_rec *r) {
    if (st_live_tick(db, r, e->err, sizeof e->err) != 0)
        fail_msg("st_live_tick: %s", e->err);
}

static void live_ticks_stored(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    live_fx f;
    live_fx_init(&f);
    live_ok(e, db, &f.rec); /* 1: dry run, with an error */

    f.rec.t += 60;          /* 2: applied, nothing failed */
    f.rec.applied = 1;
    f.rec.outcome = ST_LIVE_APPLIED;
    f.rec.error = NULL;
    f.rec.tool_version = NULL;
    live_ok(e, db, &f.rec);

    f.rec.t += 60;          /* 3: scale-in refused in the cooldown */
    f.d.desired = 0;
    f.d.honor_cooldown = 1;
    snprintf(f.d.reason, sizeof f.d.reason, "scale in");
    f.rec.outcome = ST_LIVE_REJECTED;
    f.rec.error = "autoscaling SetDesiredCapacity: ScalingActivityInProgress: "
                  "Scaling activity x is in progress and blocks this action";
    live_ok(e, db, &f.rec);

    f.rec.t += 60;          /* 4: nothing to do, the group unknown */
    f.d.action = POL_ACT_NONE;
    f.d.reason[0] = '\0';
    f.obs.asg.known = 0;
    f.rec.outcome = ST_LIVE_NONE;
    f.rec.error = NULL;
    live_ok(e, db, &f.rec);
    st_close(db);

    sqlite3 *raw = raw_open(e->path);
    assert_q_text(
        raw,
        "SELECT group_concat(r, ';') FROM (SELECT id || ',' || t || ',' || "
        "action || ',' || quote(desired) || ',' || quote(honor_cooldown) || "
        "',' || quote(reason) || ',' || applied || ',' || outcome || ',' || "
        "quote(tool_version) AS r FROM live_ticks ORDER BY id)",
        "1,1488370140,set,2,0,'scale out: shortfall 8 units',0,dry-run,"
        "'spotbench test';"
        "2,1488370200,set,2,0,'scale out: shortfall 8 units',1,applied,NULL;"
        "3,1488370260,set,0,1,'scale in',1,rejected,NULL;"
        "4,1488370320,none,NULL,NULL,NULL,1,none,NULL");
    assert_q_text(raw,
                  "SELECT fleet_request_id || '|' || asg_name || '|' || "
                  "policy FROM live_ticks WHERE id = 1",
                  "sfr-5e2d6c1a-3b7f-4c9e-8a41-0d2f6b9e7c13|spotbench-od|"
                  "guarded");
    assert_q_text(raw, "SELECT params FROM live_ticks WHERE id = 1",
                  "{\"units_per_instance\": 4, \"staleness\": 180, "
                  "\"window\": 600, \"confirm\": 2, "
                  "\"scale_in_delay\": 900, \"scale_in_step\": 4, "
                  "\"headroom_units\": 0, \"max_on_demand\": 100, "
                  "\"use_events\": 1, \"use_launch_failures\": 0}");
    /* The observation is the `policy eval` input line, exactly. */
    assert_q_text(raw, "SELECT observation FROM live_ticks WHERE id = 1",
                  "{\"now\": 1488370140, \"metrics\": {\"TargetCapacity\": "
                  "[[1488370020, 32], [1488370080, 32]], \"PendingCapacity\": "
                  "[[1488370020, 8], [1488370080, 8.5]]}, \"failed\": "
                  "[\"FulfilledCapacity\"], \"asg\": {\"DesiredCapacity\": 0, "
                  "\"MinSize\": 0, \"MaxSize\": 20, \"InService\": 0}}");
    assert_q_text(raw, "SELECT json_extract(observation, '$.asg') IS NULL "
                       "FROM live_ticks WHERE id = 4",
                  "1");
    assert_q_text(raw,
                  "SELECT quote(error) FROM live_ticks WHERE id = 1",
                  "'cloudwatch GetMetricStatistics: Throttling: Rate exceeded "
                  "(RequestId r-1) (after 3 attempts)'");
    assert_q_text(raw,
                  "SELECT group_concat(quote(error), ';') FROM (SELECT error "
                  "FROM live_ticks WHERE id <> 1 ORDER BY id)",
                  "NULL;'autoscaling SetDesiredCapacity: "
                  "ScalingActivityInProgress: Scaling activity x is in "
                  "progress and blocks this action';NULL");
    /* A fleet's ticks over a time range are found without a scan. */
    assert_plan(raw,
                "SELECT * FROM live_ticks WHERE fleet_request_id = 'x' "
                "AND t > 60",
                "SEARCH live_ticks USING INDEX live_ticks_fleet_t "
                "(fleet_request_id=? AND t>?)");
    /* Ticks are not runs. */
    assert_int_equal(q_int(raw, "SELECT count(*) FROM runs"), 0);
    sqlite3_close(raw);
}

static void live_tick_inconsistent_refused(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    live_fx f;
    struct {
        int action, applied, outcome;
        const char *want;
    } bad[] = {
        {POL_ACT_SET, 0, ST_LIVE_NONE, "a 'set' decision with outcome 'none'"},
        {POL_ACT_NONE, 0, ST_LIVE_DRY_RUN, "a 'none' decision"},
        {POL_ACT_SET, 1, ST_LIVE_DRY_RUN, "outcome 'dry-run' in an --apply"},
        {POL_ACT_SET, 0, ST_LIVE_APPLIED, "an AWS outcome in a dry run"},
        {POL_ACT_SET, 0, ST_LIVE_REJECTED, "an AWS outcome in a dry run"},
        {POL_ACT_SET, 2, ST_LIVE_APPLIED, "applied must be 0 or 1"},
        {POL_ACT_SET, 1, 99, "unknown outcome"},
        {7, 1, ST_LIVE_APPLIED, "unknown action"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        live_fx_init(&f);
        f.d.action = (pol_action)bad[i].action;
        f.rec.applied = bad[i].applied;
        f.rec.outcome = (st_live_outcome)bad[i].outcome;
        e->err[0] = '\0';
        assert_int_equal(st_live_tick(db, &f.rec, e->err, sizeof e->err), -1);
        if (!strstr(e->err, bad[i].want) || !strstr(e->err, e->path))
            fail_msg("case %zu: %s", i, e->err);
    }
    live_fx_init(&f);
    f.rec.obs = NULL;
    assert_int_equal(st_live_tick(db, &f.rec, e->err, sizeof e->err), -1);
    assert_non_null(strstr(e->err, "incomplete live tick"));

    /* Not inside a simulation run: the run's rollback would take it too. */
    live_fx_init(&f);
    begin_ok(e, db);
    assert_int_equal(st_live_tick(db, &f.rec, e->err, sizeof e->err), -1);
    assert_non_null(strstr(e->err, "a run is open"));
    commit_ok(e, db);
    live_ok(e, db, &f.rec); /* and fine after it */
    st_close(db);

    sqlite3 *raw = raw_open(e->path);
    assert_int_equal(q_int(raw, "SELECT count(*) FROM live_ticks"), 1);
    assert_q_text(raw, "SELECT outcome FROM live_ticks", "dry-run");
    sqlite3_close(raw);
    assert_string_equal(st_live_outcome_name(ST_LIVE_DRY_RUN), "dry-run");
    assert_string_equal(st_live_outcome_name(ST_LIVE_REJECTED), "rejected");
    assert_null(st_live_outcome_name((st_live_outcome)42));
}

/* A database from before live_ticks (a pre-release build, same version)
** still serves runs; a live tick into it fails with SQLite's reason, and
** leaves no transaction open behind. */
static void live_tick_without_table(void **state) {
    env *e = *state;
    st_db *db = open_ok(e);
    st_close(db);
    sqlite3 *raw = raw_open(e->path);
    assert_int_equal(sqlite3_exec(raw, "DROP TABLE live_ticks", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    sqlite3_close(raw);

    db = open_ok(e);
    store_run(e, db);
    live_fx f;
    live_fx_init(&f);
    assert_int_equal(st_live_tick(db, &f.rec, e->err, sizeof e->err), -1);
    assert_non_null(strstr(e->err, e->path));
    assert_non_null(strstr(e->err, "no such table: live_ticks"));
    store_run(e, db);
    st_close(db);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(open_creates_schema_and_wal, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(run_commits_and_reads_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            none_decisions_skipped_without_timeseries, setup, teardown),
        cmocka_unit_test_setup_teardown(rollback_leaves_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(duplicate_sample_fails_the_run, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(many_rows_across_batches, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(same_scenario_hash_reused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(version_1_upgraded, setup, teardown),
        cmocka_unit_test_setup_teardown(version_2_upgraded, setup, teardown),
        cmocka_unit_test_setup_teardown(version_3_upgraded, setup, teardown),
        cmocka_unit_test_setup_teardown(version_4_upgraded, setup, teardown),
        cmocka_unit_test_setup_teardown(version_5_upgraded, setup, teardown),
        cmocka_unit_test_setup_teardown(version_6_upgraded, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_series_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(irregular_samples_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(rejected_retries_stored_once, setup, teardown),
        cmocka_unit_test_setup_teardown(foreign_database_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(missing_directory_created, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(params_json_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(live_ticks_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(live_tick_inconsistent_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(live_tick_without_table, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
