/*
** merge.c: combines the databases of a sharded sweep (`spotbench merge`).
**
** A shard is attached to the output connection and its missing runs are
** copied with SQL in one transaction, so a merge interrupted half-way
** leaves the output as it was. Copied runs get new ids: the shard's id plus
** the output's largest run id, which keeps them distinct and in the
** shard's order without a row-by-row mapping. Tables are copied with
** SELECT * through a temporary table (run_id shifted there), so the code
** needs no column lists and cannot drift from the schema: both sides have
** the same schema version, hence the same columns in the same order.
*/
#include "store/sweeptab.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_int.h"

int st_merge_check(const char *shard_path, char **spec, char *err,
                   size_t errlen) {
    if (access(shard_path, R_OK) != 0) {
        snprintf(err, errlen, "%s: no such database", shard_path);
        return -1;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int rc = -1;
    if (sqlite3_open_v2(shard_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open: %s", shard_path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        goto out;
    }
    int version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_finalize(s);
    s = NULL;
    if (version != ST_SCHEMA_VERSION) {
        snprintf(err, errlen, "%s: not a spotbench database of schema version %d",
                 shard_path, ST_SCHEMA_VERSION);
        goto out;
    }
    if (sqlite3_prepare_v2(db, "SELECT DISTINCT spec FROM sweeps", -1, &s, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot read its sweeps: %s", shard_path,
                 sqlite3_errmsg(db));
        goto out;
    }
    int n = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        if (++n > 1) {
            snprintf(err, errlen, "%s: holds more than one sweep; merge shards of "
                     "one sweep", shard_path);
            goto out;
        }
        if (*spec && strcmp(*spec, t) != 0) {
            snprintf(err, errlen, "%s: its sweep is not the same sweep as the first "
                     "shard's (different scenarios, policy or parameters)", shard_path);
            goto out;
        }
        if (!*spec && !(*spec = strdup(t))) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
    }
    if (n == 0) {
        snprintf(err, errlen, "%s: holds no sweep", shard_path);
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rc;
}

/* Runs `sql` (printf-formatted with integers only), or fails naming it. */
static int run_sql(sqlite3 *db, const char *path, char *err, size_t errlen,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int run_sql(sqlite3 *db, const char *path, char *err, size_t errlen,
                   const char *fmt, ...) {
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: merge failed: %s", path, sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

static int query_i64(sqlite3 *db, const char *sql, const char *text,
                     int64_t *out) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) return -1;
    if (text) sqlite3_bind_text(s, 1, text, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

int st_merge(st_db *sdb, const char *shard_path, int64_t *sweep_id,
             size_t *copied, char *err, size_t errlen) {
    sqlite3 *db = st_sqlite(sdb);
    const char *out = st_path(sdb);
    *copied = 0;
    char *spec = NULL;
    if (st_merge_check(shard_path, &spec, err, errlen)) return -1;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS shard", -1, &s, NULL) != SQLITE_OK) {
        free(spec);
        snprintf(err, errlen, "%s: cannot attach %s: %s", out, shard_path, sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_text(s, 1, shard_path, -1, SQLITE_STATIC);
    int arc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (arc != SQLITE_DONE) {
        free(spec);
        snprintf(err, errlen, "%s: cannot attach %s: %s", out, shard_path, sqlite3_errmsg(db));
        return -1;
    }
    int rc = -1;
    int64_t id = 0, off = 0, n = 0;
    if (run_sql(db, out, err, errlen, "BEGIN IMMEDIATE")) goto detach;
    if (query_i64(db, "SELECT coalesce(min(id), 0) FROM main.sweeps WHERE spec = ?1",
                  spec, &id))
        goto fail_db;
    if (id == 0) {
        if (sqlite3_prepare_v2(db,
                               "INSERT INTO main.sweeps(created, policy, spec, points,"
                               " scenarios, tool_version) SELECT created, policy, spec,"
                               " points, scenarios, tool_version FROM shard.sweeps"
                               " WHERE spec = ?1 ORDER BY id LIMIT 1",
                               -1, &s, NULL) != SQLITE_OK)
            goto fail_db;
        sqlite3_bind_text(s, 1, spec, -1, SQLITE_STATIC);
        int r = sqlite3_step(s);
        sqlite3_finalize(s);
        if (r != SQLITE_DONE) goto fail_db;
        id = sqlite3_last_insert_rowid(db);
    }
    if (query_i64(db, "SELECT coalesce(max(id), 0) FROM main.runs", NULL, &off))
        goto fail_db;
    /* The shard's runs this sweep lacks; a (point, scenario) stored twice in
    ** the shard (two sweeps of one spec) is taken once. */
    if (run_sql(db, out, err, errlen,
                "DROP TABLE IF EXISTS temp.m_copy;"
                "CREATE TEMP TABLE m_copy AS SELECT w.point, w.scenario,"
                " min(w.run_id) AS run_id, w.params FROM shard.sweep_runs w"
                " JOIN shard.sweeps x ON x.id = w.sweep_id"
                " WHERE x.spec = (SELECT spec FROM main.sweeps WHERE id = %lld)"
                " AND NOT EXISTS (SELECT 1 FROM main.sweep_runs m WHERE"
                " m.sweep_id = %lld AND m.point = w.point AND m.scenario = w.scenario)"
                " GROUP BY w.point, w.scenario",
                (long long)id, (long long)id) ||
        run_sql(db, out, err, errlen,
                "INSERT INTO main.scenarios(hash, name, path, mode, start, end, billing)"
                " SELECT hash, name, path, mode, start, end, billing FROM shard.scenarios"
                " WHERE id IN (SELECT scenario_id FROM shard.runs WHERE id IN"
                " (SELECT run_id FROM m_copy)) ORDER BY id"
                " ON CONFLICT(hash) DO NOTHING") ||
        run_sql(db, out, err, errlen,
                "INSERT INTO main.runs(id, scenario_id, policy, params, sets, seed,"
                " tool_version, created, timeseries)"
                " SELECT r.id + %lld, (SELECT m.id FROM main.scenarios m WHERE"
                " m.hash = sc.hash), r.policy, r.params, r.sets, r.seed,"
                " r.tool_version, r.created, r.timeseries FROM shard.runs r"
                " JOIN shard.scenarios sc ON sc.id = r.scenario_id"
                " WHERE r.id IN (SELECT run_id FROM m_copy) ORDER BY r.id",
                (long long)off))
        goto fail;
    static const char *const tables[] = {"run_pools", "summaries", "decisions",
                                         "timeseries"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (run_sql(db, out, err, errlen,
                    "DROP TABLE IF EXISTS temp.m_rows;"
                    "CREATE TEMP TABLE m_rows AS SELECT * FROM shard.%s"
                    " WHERE run_id IN (SELECT run_id FROM m_copy);"
                    "UPDATE m_rows SET run_id = run_id + %lld;"
                    "INSERT INTO main.%s SELECT * FROM m_rows;"
                    "DROP TABLE m_rows",
                    tables[i], (long long)off, tables[i]))
            goto fail;
    if (run_sql(db, out, err, errlen,
                "INSERT INTO main.sweep_runs(sweep_id, point, scenario, run_id, params)"
                " SELECT %lld, point, scenario, run_id + %lld, params FROM m_copy"
                " ORDER BY point, scenario",
                (long long)id, (long long)off))
        goto fail;
    n = sqlite3_changes(db);
    if (run_sql(db, out, err, errlen, "DROP TABLE m_copy; COMMIT")) goto fail;
    *sweep_id = id;
    *copied = (size_t)n;
    rc = 0;
    goto detach;
fail_db:
    snprintf(err, errlen, "%s: merge of %s failed: %s", out, shard_path,
             sqlite3_errmsg(db));
fail:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
detach:
    sqlite3_exec(db, "DETACH DATABASE shard", NULL, NULL, NULL);
    free(spec);
    return rc;
}
