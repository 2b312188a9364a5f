/*
** test_sweep_store.c: sweeps in the database: create/find/load, the worker
** pool storing each (point, scenario) once even when the same runs are
** handed out twice (a resumed sweep racing the interrupted one), done
** marks, aggregation over scenarios, and merge refusing other sweeps.
** Uses the bundled all-outbid-3h scenario (tests run from the repository
** root) and a database in a mkdtemp folder.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "lab/sweep.h"
#include "store/store_int.h"
#include "store/sweeptab.h"

#define SC "traces/scenarios/all-outbid-3h/scenario.json"

typedef struct {
    char dir[256], path[300], path2[300];
    lab_sweep_spec spec;
} env;

static char err[1024];

static int setup(void **state) {
    env *e = calloc(1, sizeof *e);
    if (!e) return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(e->dir, sizeof e->dir, "%s/spotbench-sweep-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(e->dir)) {
        free(e);
        return -1;
    }
    snprintf(e->path, sizeof e->path, "%s/a.db", e->dir);
    snprintf(e->path2, sizeof e->path2, "%s/b.db", e->dir);
    e->spec.policy = strdup("guarded");
    e->spec.seed = 1;
    if (lab_sweep_add_str(&e->spec.scenarios, &e->spec.nscenarios, SC, err, sizeof err) ||
        lab_sweep_add_str(&e->spec.scenarios, &e->spec.nscenarios, SC, err, sizeof err) ||
        lab_sweep_add_grid(&e->spec, "confirm=1,2,3", err, sizeof err))
        return -1;
    *state = e;
    return 0;
}

static int teardown(void **state) {
    env *e = *state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    if (system(cmd) != 0) return -1;
    lab_sweep_spec_free(&e->spec);
    free(e);
    return 0;
}

static void runs_once_aggregate_and_find(void **state) {
    env *e = *state;
    assert_int_equal(lab_sweep_check(&e->spec, err, sizeof err), 0);
    st_db *db;
    int64_t id, found;
    assert_int_equal(st_open(e->path, &db, err, sizeof err), 0);
    assert_int_equal(lab_sweep_find(db, &e->spec, &found, err, sizeof err), 0);
    assert_int_equal(found, 0);
    assert_int_equal(lab_sweep_create(db, &e->spec, "test", &id, err, sizeof err), 0);
    assert_int_equal(lab_sweep_find(db, &e->spec, &found, err, sizeof err), 0);
    assert_int_equal(found, id);
    st_close(db);

    /* Runs 0..5, then 2..5 again: the repeats are discarded. */
    size_t todo[6] = {0, 1, 2, 3, 4, 5};
    assert_int_equal(lab_sweep_exec(e->path, id, &e->spec, todo, 6, 2, "test", NULL,
                                   NULL, err, sizeof err), 0);
    assert_int_equal(lab_sweep_exec(e->path, id, &e->spec, todo + 2, 4, 3, "test", NULL,
                                   NULL, err, sizeof err), 0);

    sqlite3 *raw;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(e->path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(raw, "SELECT count(*) FROM runs", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 6); /* no orphan run of a repeat */
    sqlite3_finalize(q);
    sqlite3_close(raw);

    assert_int_equal(st_open(e->path, &db, err, sizeof err), 0);
    unsigned char done[6] = {0};
    assert_int_equal(st_sweep_done(db, id, done, 6, err, sizeof err), 0);
    for (int i = 0; i < 6; i++) assert_int_equal(done[i], 1);
    st_sweep_row *rows;
    size_t n;
    assert_int_equal(st_sweep_rows(db, id, &rows, &n, err, sizeof err), 0);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rows[i].point, i / 2);
        assert_int_equal(rows[i].scenario, i % 2);
    }
    assert_string_equal(rows[4].params, "{\"confirm\": 3}");
    lab_sweep_pset *pts;
    size_t np;
    assert_int_equal(lab_sweep_aggregate(rows, n, &pts, &np), 0);
    assert_int_equal(np, 3);
    for (size_t p = 0; p < 3; p++) {
        assert_int_equal(pts[p].nruns, 2);
        /* The same scenario twice: the sum is twice one run's cost. */
        assert_true(pts[p].cost == rows[2 * p].cost + rows[2 * p + 1].cost);
        assert_true(pts[p].coverage <= rows[2 * p].coverage);
    }
    free(rows);
    free(pts);

    lab_sweep_spec back;
    assert_int_equal(lab_sweep_load(db, id, &back, err, sizeof err), 0);
    char *a = lab_sweep_spec_json(&e->spec), *b = lab_sweep_spec_json(&back);
    assert_string_equal(a, b);
    free(a);
    free(b);
    lab_sweep_spec_free(&back);
    assert_int_equal(lab_sweep_load(db, 99, &back, err, sizeof err), -1);
    assert_non_null(strstr(err, "no sweep 99"));
    st_close(db);
}

static void a_failing_run_stops_the_sweep(void **state) {
    env *e = *state;
    st_db *db;
    int64_t id;
    lab_sweep_spec bad = {0};
    bad.policy = strdup("guarded");
    assert_int_equal(lab_sweep_add_str(&bad.scenarios, &bad.nscenarios,
                                       "/nonexistent/scenario.json", err, sizeof err), 0);
    assert_int_equal(lab_sweep_add_grid(&bad, "confirm=1,2", err, sizeof err), 0);
    assert_int_equal(lab_sweep_check(&bad, err, sizeof err), -1);
    assert_int_equal(st_open(e->path, &db, err, sizeof err), 0);
    assert_int_equal(lab_sweep_create(db, &bad, NULL, &id, err, sizeof err), 0);
    st_close(db);
    size_t todo[2] = {0, 1};
    assert_int_equal(lab_sweep_exec(e->path, id, &bad, todo, 2, 2, NULL, NULL, NULL,
                                   err, sizeof err), -1);
    assert_non_null(strstr(err, "nonexistent"));
    lab_sweep_spec_free(&bad);
}

static void merge_check_refuses_other_sweeps(void **state) {
    env *e = *state;
    st_db *db;
    int64_t id;
    assert_int_equal(st_open(e->path, &db, err, sizeof err), 0);
    assert_int_equal(lab_sweep_create(db, &e->spec, NULL, &id, err, sizeof err), 0);
    st_close(db);
    lab_sweep_spec other = {0};
    other.policy = strdup("classic");
    assert_int_equal(lab_sweep_add_str(&other.scenarios, &other.nscenarios, SC, err,
                                       sizeof err), 0);
    assert_int_equal(lab_sweep_add_grid(&other, "window=300,600", err, sizeof err), 0);
    assert_int_equal(st_open(e->path2, &db, err, sizeof err), 0);
    assert_int_equal(lab_sweep_create(db, &other, NULL, &id, err, sizeof err), 0);
    st_close(db);
    char *spec = NULL;
    assert_int_equal(st_merge_check(e->path2, &spec, err, sizeof err), 0);
    assert_non_null(spec);
    assert_int_equal(st_merge_check(e->path, &spec, err, sizeof err), -1);
    assert_non_null(strstr(err, "not the same sweep"));
    free(spec);
    spec = NULL;
    assert_int_equal(st_merge_check("/nonexistent.db", &spec, err, sizeof err), -1);
    lab_sweep_spec_free(&other);
}

/* Runs sql on the database at path (a test's own edit of a shard). */
static void edit(const char *path, const char *sql) {
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    if (sqlite3_exec(raw, sql, NULL, NULL, NULL) != SQLITE_OK) fail_msg("%s", sqlite3_errmsg(raw));
    sqlite3_close(raw);
}

static double seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A shard is untrusted input: what merge reads must be tables (a view can
** run anything: here a recursive CTE without end), without generated
** columns, and the work is bounded. Each refusal is quick and leaves OUT
** as it was. */
static void merge_refuses_altered_shards(void **state) {
    env *e = *state;
    st_db *db;
    int64_t id;
    size_t copied;
    char *spec = NULL, path3[320];
    assert_int_equal(st_open(e->path, &db, err, sizeof err), 0);
    assert_int_equal(lab_sweep_create(db, &e->spec, NULL, &id, err, sizeof err), 0);
    st_close(db);
    size_t todo[2] = {0, 1};
    assert_int_equal(lab_sweep_exec(e->path, id, &e->spec, todo, 2, 1, NULL, NULL, NULL, err,
                                    sizeof err), 0);
    snprintf(path3, sizeof path3, "%s/c.db", e->dir);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", e->path, path3);
    assert_int_equal(system(cmd), 0);

    edit(e->path, "ALTER TABLE summaries RENAME TO s_old;"
                  "CREATE VIEW summaries AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL"
                  " SELECT i + 1 FROM c) SELECT s.* FROM s_old s, c;");
    double t0 = seconds();
    assert_int_equal(st_merge_check(e->path, &spec, err, sizeof err), -1);
    assert_non_null(strstr(err, "'summaries' is a view, not a table"));
    assert_int_equal(st_open(e->path2, &db, err, sizeof err), 0);
    assert_int_equal(st_merge(db, e->path, &id, &copied, err, sizeof err), -1);
    assert_non_null(strstr(err, "'summaries' is a view, not a table"));
    assert_true(seconds() - t0 < 2);

    edit(e->path, "DROP VIEW summaries; CREATE TABLE summaries(run_id INTEGER PRIMARY KEY,"
                  " x AS (printf('%0*d', 1000, run_id)));");
    assert_int_equal(st_merge(db, e->path, &id, &copied, err, sizeof err), -1);
    assert_non_null(strstr(err, "'summaries.x' is a generated column"));
    edit(e->path, "DROP TABLE summaries;"
                  "CREATE VIRTUAL TABLE summaries USING rtree(run_id, a, b);");
    assert_int_equal(st_merge(db, e->path, &id, &copied, err, sizeof err), -1);
    assert_non_null(strstr(err, "'summaries' is a virtual table, not a table"));

    /* The bound: an intact shard with more rows than the (lowered) budget
    ** allows for is refused as well, naming the work. */
    edit(path3, "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 5000)"
                " INSERT INTO timeseries(run_id, t) SELECT r.run_id, c.i * 60 FROM c,"
                " sweep_runs r");
    long long base = st_merge_steps_base, per_byte = st_merge_steps_per_byte;
    st_merge_steps_base = 1000;
    st_merge_steps_per_byte = 0;
    int rc = st_merge(db, path3, &id, &copied, err, sizeof err);
    st_merge_steps_base = base;
    st_merge_steps_per_byte = per_byte;
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "took more work than a shard of its size needs"));
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(st_sqlite(db), "SELECT count(*) FROM runs", -1, &q,
                                        NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 0); /* nothing copied by any refusal */
    sqlite3_finalize(q);
    /* With the budget as shipped it merges. */
    assert_int_equal(st_merge(db, path3, &id, &copied, err, sizeof err), 0);
    assert_int_equal(copied, 2);
    st_close(db);
    free(spec);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(runs_once_aggregate_and_find, setup, teardown),
        cmocka_unit_test_setup_teardown(a_failing_run_stops_the_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(merge_check_refuses_other_sweeps, setup, teardown),
        cmocka_unit_test_setup_teardown(merge_refuses_altered_shards, setup, teardown),
    };
    return cmocka_run_group_tests_name("sweep_store", tests, NULL, NULL);
}
