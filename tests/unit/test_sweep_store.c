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
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "lab/sweep.h"

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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(runs_once_aggregate_and_find, setup, teardown),
        cmocka_unit_test_setup_teardown(a_failing_run_stops_the_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(merge_check_refuses_other_sweeps, setup, teardown),
    };
    return cmocka_run_group_tests_name("sweep_store", tests, NULL, NULL);
}
