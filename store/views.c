/*
** views.c: the flat views of the results database (schema version 5,
** docs/store.md "Views"): `run_results`, one row per run with its scenario
** and summary, and one `sweep_<ID>_runs` per sweep, one row per run of the
** sweep with each swept key as a column of its own. They are what
** `spotbench export` prints, so a CSV and a query of the view have the same
** shape. Storage only: the keys come from the spec text by SQLite's JSON
** functions, not from lab/.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/sweeptab.h"

/* Appends s to the malloc'd *buf (NULL at first); -1 when out of memory. */
static int cat(char **buf, size_t *len, const char *s) {
    size_t n = strlen(s);
    char *p = realloc(*buf, *len + n + 1);
    if (!p) return -1;
    memcpy(p + *len, s, n + 1);
    *buf = p;
    *len += n;
    return 0;
}

/* ", m.total_cost, ..." every summary column, in the table's order. */
static int cat_summary(char **buf, size_t *len) {
    for (size_t i = 0; i < sim_result_nfields; i++)
        if (cat(buf, len, ", m.") || cat(buf, len, sim_result_fields[i].name)) return -1;
    return 0;
}

int st_views_create(struct st_db *db, char *err, size_t errlen) {
    char *sql = NULL;
    size_t len = 0;
    int bad = cat(&sql, &len,
                  "CREATE VIEW IF NOT EXISTS run_results AS SELECT r.id AS run_id,"
                  " sc.name AS scenario, sc.path AS scenario_path,"
                  " sc.hash AS scenario_hash, r.policy, r.seed, r.params, r.sets,"
                  " r.tool_version, r.created") ||
              cat_summary(&sql, &len) ||
              cat(&sql, &len,
                  " FROM runs r JOIN scenarios sc ON sc.id = r.scenario_id"
                  " JOIN summaries m ON m.run_id = r.id");
    if (bad) {
        free(sql);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = sqlite3_exec(st_sqlite(db), sql, NULL, NULL, NULL) == SQLITE_OK
                 ? 0
                 : st_db_fail(db, err, errlen, "cannot create the view run_results");
    free(sql);
    return rc;
}

/* The keys a sweep varies, in the spec's order: its grid axes, then its
** random keys ("seed" left out: runs.seed holds it). */
static const char keys_sql[] =
    "SELECT json_extract(j.value, '$.key') FROM sweeps s,"
    " json_each(s.spec, '$.grid') j WHERE s.id = ?1"
    " UNION ALL SELECT json_extract(j.value, '$.key') FROM sweeps s,"
    " json_each(s.spec, '$.random') j WHERE s.id = ?1";

int st_sweep_view(struct st_db *db, int64_t id, char *err, size_t errlen) {
    sqlite3_stmt *s = NULL;
    char *sql = NULL, *part = NULL;
    size_t len = 0;
    int rc = -1;
    if (sqlite3_prepare_v2(st_sqlite(db), keys_sql, -1, &s, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the sweep's keys");
    sqlite3_bind_int64(s, 1, id);
    part = sqlite3_mprintf(
        "CREATE VIEW IF NOT EXISTS \"sweep_%lld_runs\" AS SELECT w.sweep_id, w.point,"
        " w.scenario AS scenario_index,"
        " json_extract(sw.spec, '$.scenarios[' || w.scenario || ']') AS scenario,"
        " sc.hash AS scenario_hash, r.id AS run_id, r.policy, r.seed",
        (long long)id);
    if (!part || cat(&sql, &len, part)) goto oom;
    sqlite3_free(part);
    part = NULL;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(s, 0);
        /* A key with a quote cannot be a JSON path member: left out. */
        if (!key || strcmp(key, "seed") == 0 || strchr(key, '"')) continue;
        part = sqlite3_mprintf(", json_extract(w.params, '$.\"%q\"') AS \"%w\"", key, key);
        if (!part || cat(&sql, &len, part)) goto oom;
        sqlite3_free(part);
        part = NULL;
    }
    if (r != SQLITE_DONE) {
        st_db_fail(db, err, errlen, "cannot read the sweep's keys");
        goto out;
    }
    part = sqlite3_mprintf(
        " FROM sweep_runs w JOIN sweeps sw ON sw.id = w.sweep_id"
        " JOIN runs r ON r.id = w.run_id JOIN scenarios sc ON sc.id = r.scenario_id"
        " JOIN summaries m ON m.run_id = r.id WHERE w.sweep_id = %lld",
        (long long)id);
    if (cat_summary(&sql, &len) || !part || cat(&sql, &len, part)) goto oom;
    if (sqlite3_exec(st_sqlite(db), sql, NULL, NULL, NULL) != SQLITE_OK) {
        st_db_fail(db, err, errlen, "cannot create the sweep's view");
        goto out;
    }
    rc = 0;
    goto out;
oom:
    snprintf(err, errlen, "out of memory");
out:
    sqlite3_free(part);
    sqlite3_finalize(s);
    free(sql);
    return rc;
}

int st_views_upgrade(struct st_db *db, char *err, size_t errlen) {
    if (st_views_create(db, err, errlen)) return -1;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st_sqlite(db), "SELECT id FROM sweeps ORDER BY id", -1, &s,
                           NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the sweeps");
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int r, rc = 0;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            int64_t *p = realloc(ids, cap * sizeof *p);
            if (!p) {
                snprintf(err, errlen, "out of memory");
                rc = -1;
                break;
            }
            ids = p;
        }
        ids[n++] = sqlite3_column_int64(s, 0);
    }
    if (rc == 0 && r != SQLITE_DONE) rc = st_db_fail(db, err, errlen, "cannot read the sweeps");
    sqlite3_finalize(s);
    for (size_t i = 0; rc == 0 && i < n; i++) rc = st_sweep_view(db, ids[i], err, errlen);
    free(ids);
    return rc;
}

int st_view_each(struct st_db *db, int64_t sweep_id, st_row_fn fn, void *ctx, char *err,
                 size_t errlen) {
    char *sql;
    if (sweep_id > 0) {
        /* The sweep must exist; its view is made again if it went missing. */
        char *spec = NULL;
        if (st_sweep_spec(db, sweep_id, &spec, err, errlen)) return -1;
        free(spec);
        if (st_sweep_view(db, sweep_id, err, errlen)) return -1;
        sql = sqlite3_mprintf("SELECT * FROM \"sweep_%lld_runs\" ORDER BY point, scenario_index",
                              (long long)sweep_id);
    } else {
        sql = sqlite3_mprintf("SELECT * FROM run_results ORDER BY run_id");
    }
    sqlite3_stmt *s = NULL;
    if (!sql) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int prc = sqlite3_prepare_v2(st_sqlite(db), sql, -1, &s, NULL);
    sqlite3_free(sql);
    if (prc != SQLITE_OK) return st_db_fail(db, err, errlen, "cannot read the view");
    int n = sqlite3_column_count(s);
    const char **names = calloc((size_t)n + 1, sizeof *names);
    st_value *vals = calloc((size_t)n + 1, sizeof *vals);
    int rc = 0, r;
    if (!names || !vals) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
        goto out;
    }
    for (int i = 0; i < n; i++) names[i] = sqlite3_column_name(s, i);
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        for (int i = 0; i < n; i++) {
            st_value *v = &vals[i];
            switch (sqlite3_column_type(s, i)) {
            case SQLITE_INTEGER:
                v->type = ST_V_INT;
                v->i = sqlite3_column_int64(s, i);
                break;
            case SQLITE_FLOAT:
                v->type = ST_V_REAL;
                v->d = sqlite3_column_double(s, i);
                break;
            case SQLITE_NULL:
                v->type = ST_V_NULL;
                break;
            default:
                v->type = ST_V_TEXT;
                v->s = (const char *)sqlite3_column_text(s, i);
                if (!v->s) v->type = ST_V_NULL;
            }
        }
        if (fn(ctx, (size_t)n, names, vals)) {
            snprintf(err, errlen, "write error");
            rc = -1;
            goto out;
        }
    }
    if (r != SQLITE_DONE) rc = st_db_fail(db, err, errlen, "cannot read the view");
out:
    free(names);
    free(vals);
    sqlite3_finalize(s);
    return rc;
}
