/*
** sweeptab.c: the sweep tables of the results database (sweeps,
** sweep_runs): a sweep's row and spec, which of its runs are stored, and
** the link of one run to its (point, scenario). Storage only: what a spec
** means and how its runs are run is lab/'s (lab/sweep.h).
*/
#include "store/sweeptab.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"
#include "traces/traces.h"

int st_sweep_create(st_db *db, const char *json, const char *policy,
                    size_t points, size_t scenarios, const char *tool_version,
                    int64_t *id, char *err, size_t errlen) {
    char created[32];
    trc_time_format((int64_t)time(NULL), created, sizeof created);
    sqlite3_stmt *s;
    int rc = -1;
    if (sqlite3_prepare_v2(st_sqlite(db),
                           "INSERT INTO sweeps(created, policy, spec, points,"
                           " scenarios, tool_version) VALUES (?1,?2,?3,?4,?5,?6)",
                           -1, &s, NULL) != SQLITE_OK) {
        st_db_fail(db, err, errlen, "cannot store the sweep");
        return -1;
    }
    sqlite3_bind_text(s, 1, created, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, policy, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, (int64_t)points);
    sqlite3_bind_int64(s, 5, (int64_t)scenarios);
    if (tool_version) sqlite3_bind_text(s, 6, tool_version, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, 6);
    if (sqlite3_step(s) == SQLITE_DONE) {
        *id = sqlite3_last_insert_rowid(st_sqlite(db));
        rc = st_sweep_view(db, *id, err, errlen);
    } else {
        st_db_fail(db, err, errlen, "cannot store the sweep");
    }
    sqlite3_finalize(s);
    return rc;
}

int st_sweep_find(st_db *db, const char *json, int64_t *id, char *err,
                  size_t errlen) {
    sqlite3_stmt *s;
    *id = 0;
    if (sqlite3_prepare_v2(st_sqlite(db),
                           "SELECT min(id) FROM sweeps WHERE spec = ?1", -1, &s,
                           NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the sweeps");
    sqlite3_bind_text(s, 1, json, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *id = sqlite3_column_int64(s, 0);
    else st_db_fail(db, err, errlen, "cannot read the sweeps");
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

int st_sweep_spec(st_db *db, int64_t id, char **json, char *err, size_t errlen) {
    *json = NULL;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st_sqlite(db), "SELECT spec FROM sweeps WHERE id = ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the sweep");
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    int out = -1;
    if (rc == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(s, 0);
        if (!text) snprintf(err, errlen, "%s: sweep %lld: no spec", st_path(db), (long long)id);
        else if (!(*json = strdup(text))) snprintf(err, errlen, "out of memory");
        else out = 0;
    } else if (rc == SQLITE_DONE) {
        snprintf(err, errlen, "%s: no sweep %lld", st_path(db), (long long)id);
    } else {
        st_db_fail(db, err, errlen, "cannot read the sweep");
    }
    sqlite3_finalize(s);
    return out;
}

int st_sweep_done(st_db *db, int64_t id, unsigned char *done, size_t n,
                  char *err, size_t errlen) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st_sqlite(db),
                           "SELECT point * (SELECT scenarios FROM sweeps WHERE id = ?1)"
                           " + scenario FROM sweep_runs WHERE sweep_id = ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the sweep's runs");
    sqlite3_bind_int64(s, 1, id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t r = sqlite3_column_int64(s, 0);
        if (r >= 0 && (uint64_t)r < n) done[r] = 1;
    }
    if (rc != SQLITE_DONE) st_db_fail(db, err, errlen, "cannot read the sweep's runs");
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

int st_sweep_hash_alg(st_db *db, int64_t id, sim_hash_alg *alg, char *err, size_t errlen) {
    *alg = SIM_HASH_XXH64;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st_sqlite(db),
                           "SELECT sc.hash_alg FROM sweep_runs w"
                           " JOIN runs r ON r.id = w.run_id"
                           " JOIN scenarios sc ON sc.id = r.scenario_id"
                           " WHERE w.sweep_id = ?1 ORDER BY w.run_id LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the sweep's runs");
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(s, 0);
        if (a && strcmp(a, st_hash_alg_name(SIM_HASH_FNV1A)) == 0) *alg = SIM_HASH_FNV1A;
    } else if (rc != SQLITE_DONE) {
        st_db_fail(db, err, errlen, "cannot read the sweep's runs");
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int st_sweep_rows(st_db *db, int64_t id, st_sweep_row **rows, size_t *n,
                  char *err, size_t errlen) {
    *rows = NULL;
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st_sqlite(db),
                           "SELECT w.point, w.scenario, w.run_id, w.params,"
                           " m.total_cost, m.coverage_pct FROM sweep_runs w"
                           " JOIN summaries m ON m.run_id = w.run_id"
                           " WHERE w.sweep_id = ?1 ORDER BY w.point, w.scenario",
                           -1, &s, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the sweep's runs");
    sqlite3_bind_int64(s, 1, id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            st_sweep_row *r = realloc(*rows, cap * sizeof *r);
            if (!r) {
                snprintf(err, errlen, "out of memory");
                goto bad;
            }
            *rows = r;
        }
        st_sweep_row *r = &(*rows)[(*n)++];
        r->point = (size_t)sqlite3_column_int64(s, 0);
        r->scenario = (size_t)sqlite3_column_int64(s, 1);
        r->run_id = sqlite3_column_int64(s, 2);
        snprintf(r->params, sizeof r->params, "%s",
                 (const char *)sqlite3_column_text(s, 3));
        r->cost = sqlite3_column_double(s, 4);
        r->coverage = sqlite3_column_double(s, 5);
    }
    if (rc != SQLITE_DONE) {
        st_db_fail(db, err, errlen, "cannot read the sweep's runs");
        goto bad;
    }
    sqlite3_finalize(s);
    return 0;
bad:
    sqlite3_finalize(s);
    free(*rows);
    *rows = NULL;
    *n = 0;
    return -1;
}

/* Links the open run to the sweep. Returns 1 when another process stored
** this (point, scenario) meanwhile (a resumed sweep racing a worker of the
** interrupted one), 0 when linked, -1 on failure. */
int st_sweep_link(st_db *db, int64_t sweep_id, size_t point, size_t scen,
                    int64_t run_id, const char *params, char *err,
                    size_t errlen) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st_sqlite(db),
                           "INSERT INTO sweep_runs(sweep_id, point, scenario,"
                           " run_id, params) VALUES (?1,?2,?3,?4,?5)"
                           " ON CONFLICT(sweep_id, point, scenario) DO NOTHING",
                           -1, &s, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot link the run to its sweep");
    sqlite3_bind_int64(s, 1, sweep_id);
    sqlite3_bind_int64(s, 2, (int64_t)point);
    sqlite3_bind_int64(s, 3, (int64_t)scen);
    sqlite3_bind_int64(s, 4, run_id);
    sqlite3_bind_text(s, 5, params, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    int out = rc == SQLITE_DONE ? (sqlite3_changes(st_sqlite(db)) ? 0 : 1)
                                : st_db_fail(db, err, errlen, "cannot link the run to its sweep");
    sqlite3_finalize(s);
    return out;
}

int st_sweep_set_kind(st_db *db, int64_t id, const char *kind, char *err, size_t errlen) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st_sqlite(db), "UPDATE sweeps SET kind = ?2 WHERE id = ?1", -1, &s,
                           NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot store the sweep's kind");
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE
                 ? 0
                 : st_db_fail(db, err, errlen, "cannot store the sweep's kind");
    sqlite3_finalize(s);
    return rc;
}

static char *dup_col(sqlite3_stmt *s, int i) {
    const char *t = (const char *)sqlite3_column_text(s, i);
    return strdup(t ? t : "");
}

int st_sweep_list(st_db *db, st_sweep_info **out, size_t *n, char *err, size_t errlen) {
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st_sqlite(db),
                           "SELECT s.id, coalesce(s.kind, ''), s.policy, s.created, s.points,"
                           " s.scenarios, (SELECT count(*) FROM sweep_runs w"
                           " WHERE w.sweep_id = s.id), s.spec, coalesce(s.tool_version, '')"
                           " FROM sweeps s ORDER BY s.id",
                           -1, &s, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the sweeps");
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            st_sweep_info *p = realloc(*out, cap * sizeof *p);
            if (!p) goto oom;
            *out = p;
        }
        st_sweep_info *w = &(*out)[*n];
        memset(w, 0, sizeof *w);
        w->id = sqlite3_column_int64(s, 0);
        w->points = (size_t)sqlite3_column_int64(s, 4);
        w->scenarios = (size_t)sqlite3_column_int64(s, 5);
        w->runs = (size_t)sqlite3_column_int64(s, 6);
        w->kind = dup_col(s, 1);
        w->policy = dup_col(s, 2);
        w->created = dup_col(s, 3);
        w->spec = dup_col(s, 7);
        w->tool_version = dup_col(s, 8);
        (*n)++;
        if (!w->kind || !w->policy || !w->created || !w->spec || !w->tool_version) goto oom;
    }
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE) return 0;
    st_db_fail(db, err, errlen, "cannot read the sweeps");
    st_sweep_list_free(*out, *n);
    *out = NULL;
    *n = 0;
    return -1;
oom:
    sqlite3_finalize(s);
    st_sweep_list_free(*out, *n);
    *out = NULL;
    *n = 0;
    snprintf(err, errlen, "out of memory");
    return -1;
}

void st_sweep_list_free(st_sweep_info *list, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(list[i].kind);
        free(list[i].policy);
        free(list[i].created);
        free(list[i].spec);
        free(list[i].tool_version);
    }
    free(list);
}

int st_sweep_last(st_db *db, int64_t *id, char *err, size_t errlen) {
    sqlite3_stmt *s;
    *id = 0;
    if (sqlite3_prepare_v2(st_sqlite(db), "SELECT coalesce(max(id), 0) FROM sweeps", -1, &s,
                           NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the sweeps");
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *id = sqlite3_column_int64(s, 0);
    else st_db_fail(db, err, errlen, "cannot read the sweeps");
    sqlite3_finalize(s);
    if (rc == SQLITE_ROW && *id == 0) {
        snprintf(err, errlen, "%s: holds no sweep", st_path(db));
        return -1;
    }
    return rc == SQLITE_ROW ? 0 : -1;
}
