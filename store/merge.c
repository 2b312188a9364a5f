/*
** merge.c: combines the databases of a sharded sweep (`spotbench merge`).
**
** A shard is attached to the output connection and its missing runs are
** copied with SQL in one transaction, so a merge interrupted half-way
** leaves the output as it was. Copied runs get new ids: the shard's id plus
** the output's largest run id, which keeps them distinct and in the
** shard's order without a row-by-row mapping. Tables are copied with
** SELECT * through a temporary table (run_id shifted there) and inserted
** by column name, so the code needs no column lists and cannot drift from
** the schema: both sides have the same schema version, hence the same
** columns, though a database upgraded from an older version may hold them
** in another order than a new one.
**
** A shard is untrusted input (it may come back from a batch job or another
** machine): every connection that reads one runs in SQLite's defensive
** mode with `trusted_schema` off, every object a merge reads must be an
** ordinary table (a view or a virtual table runs what its author wrote),
** and the work is bounded in proportion to the shard's size (a progress
** handler), so a crafted shard is refused quickly instead of keeping
** `merge` busy.
*/
#include "store/sweeptab.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_int.h"

/* Every object of a shard a merge reads. */
static const char *const shard_tables[] = {"sweeps",    "sweep_runs", "scenarios",
                                           "runs",      "run_pools",  "summaries",
                                           "decisions", "timeseries", "timeseries_days"};

/* The work allowed on one shard, in SQLite virtual machine steps: a base
** for the fixed costs, and a share per byte of the shard. A merge of a
** 130 MB shard of decisions and timeseries takes about 2.3 steps per byte;
** 100 leaves room for any legitimate shape. A crafted shard of a few pages
** gets about 2 x 10^7 steps: refused within a fraction of a second. */
long long st_merge_steps_base = 20000000LL, st_merge_steps_per_byte = 100LL;
#define MERGE_STEPS_TICK 1000 /* the progress handler runs every this many */

typedef struct {
    long long ticks, limit;
    int tripped;
} budget;

static int over_budget(void *arg) {
    budget *b = arg;
    if (++b->ticks <= b->limit) return 0;
    b->tripped = 1;
    return 1; /* SQLITE_INTERRUPT for the statement running */
}

static void budget_start(sqlite3 *db, budget *b, const char *shard_path) {
    struct stat st;
    long long size = stat(shard_path, &st) == 0 && st.st_size > 0 ? (long long)st.st_size : 0;
    if (size > (1LL << 40)) size = 1LL << 40;
    b->ticks = 0;
    b->tripped = 0;
    b->limit = (st_merge_steps_base + st_merge_steps_per_byte * size) / MERGE_STEPS_TICK;
    sqlite3_progress_handler(db, MERGE_STEPS_TICK, over_budget, b);
}

/* The message for a failed call on db: the budget's when it tripped. */
static void merge_error(sqlite3 *db, const budget *b, const char *what, const char *shard_path,
                        char *err, size_t errlen) {
    if (b && b->tripped)
        snprintf(err, errlen,
                 "%s: refused: reading it took more work than a shard of its size needs "
                 "(%lld SQLite steps); shards are untrusted input",
                 shard_path, b->ticks * MERGE_STEPS_TICK);
    else
        snprintf(err, errlen, "%s: %s: %s", shard_path, what, sqlite3_errmsg(db));
}

/* SQLite's settings for a connection that reads an untrusted database:
** defensive mode (no writable_schema, no shadow-table writes) and no
** functions with side effects run from the schema. Sets them to on (1) or
** back to *saved (from a call with on 1). */
static void harden(sqlite3 *db, int on, int saved[2]) {
    if (on) {
        sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, -1, &saved[0]);
        sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, -1, &saved[1]);
        sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
        sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    } else {
        sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, saved[0], NULL);
        sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, saved[1], NULL);
    }
}

/* Refuses a table with a generated column: reading one evaluates an
** expression of the shard's author, inside one step the budget cannot
** interrupt. spotbench's tables have none. */
static int generated_columns(sqlite3 *db, const char *schema, const char *table,
                             const char *shard_path, char *err, size_t errlen) {
    char sql[96];
    sqlite3_stmt *s;
    snprintf(sql, sizeof sql, "PRAGMA %s.table_xinfo('%s')", schema, table);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        merge_error(db, NULL, "cannot read its schema", shard_path, err, errlen);
        return -1;
    }
    int r, rc = 0;
    while ((r = sqlite3_step(s)) == SQLITE_ROW)
        if (sqlite3_column_int(s, 6) != 0) { /* "hidden": 2, 3 generated */
            snprintf(err, errlen,
                     "%s: '%s.%s' is a generated column: refusing a shard whose schema "
                     "is not spotbench's",
                     shard_path, table, (const char *)sqlite3_column_text(s, 1));
            rc = -1;
            break;
        }
    if (rc == 0 && r != SQLITE_DONE) {
        merge_error(db, NULL, "cannot read its schema", shard_path, err, errlen);
        rc = -1;
    }
    sqlite3_finalize(s);
    return rc;
}

/* Checks that each object a merge reads from schema `schema` ("main" or
** "shard") is an ordinary table. Reading sqlite_master runs nothing of the
** shard's. */
static int check_tables(sqlite3 *db, const char *schema, const char *shard_path, char *err,
                        size_t errlen) {
    char sql[160];
    sqlite3_stmt *s;
    snprintf(sql, sizeof sql,
             "SELECT type, coalesce(sql, '') FROM %s.sqlite_master"
             " WHERE name = ?1 COLLATE NOCASE",
             schema);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        merge_error(db, NULL, "cannot read its schema", shard_path, err, errlen);
        return -1;
    }
    for (size_t i = 0; i < sizeof shard_tables / sizeof shard_tables[0]; i++) {
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, shard_tables[i], -1, SQLITE_STATIC);
        int r = sqlite3_step(s);
        if (r != SQLITE_ROW && r != SQLITE_DONE) {
            merge_error(db, NULL, "cannot read its schema", shard_path, err, errlen);
            sqlite3_finalize(s);
            return -1;
        }
        const char *type = r == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
        const char *def = r == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 1) : "";
        if (!type || strcmp(type, "table") != 0 ||
            sqlite3_strnicmp(def, "CREATE VIRTUAL", 14) == 0) {
            snprintf(err, errlen,
                     "%s: '%s' is %s, not a table: refusing a shard whose schema is "
                     "not spotbench's",
                     shard_path, shard_tables[i],
                     !type                          ? "missing"
                     : strcmp(type, "view") == 0    ? "a view"
                     : strcmp(type, "table") == 0   ? "a virtual table"
                     : strcmp(type, "index") == 0   ? "an index"
                     : strcmp(type, "trigger") == 0 ? "a trigger"
                                                    : "another kind of object");
            sqlite3_finalize(s);
            return -1;
        }
        if (generated_columns(db, schema, shard_tables[i], shard_path, err, errlen)) {
            sqlite3_finalize(s);
            return -1;
        }
    }
    sqlite3_finalize(s);
    return 0;
}

int st_merge_check(const char *shard_path, char **spec, char *err,
                   size_t errlen) {
    if (access(shard_path, R_OK) != 0) {
        snprintf(err, errlen, "%s: no such database", shard_path);
        return -1;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int rc = -1, saved[2];
    budget b = {0, 0, 0};
    if (sqlite3_open_v2(shard_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open: %s", shard_path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        goto out;
    }
    harden(db, 1, saved);
    budget_start(db, &b, shard_path);
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK) {
        merge_error(db, &b, "cannot open", shard_path, err, errlen);
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
    if (check_tables(db, "main", shard_path, err, errlen)) goto out;
    if (sqlite3_prepare_v2(db, "SELECT DISTINCT spec FROM sweeps", -1, &s, NULL) !=
        SQLITE_OK) {
        merge_error(db, &b, "cannot read its sweeps", shard_path, err, errlen);
        goto out;
    }
    int n = 0, r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
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
    if (r != SQLITE_DONE) {
        merge_error(db, &b, "cannot read its sweeps", shard_path, err, errlen);
        goto out;
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

/* Copies temp.m_rows into main.`table` column by name: the two have the
** same columns, but a database upgraded from an older version may hold
** them in another order than a new one. */
static int copy_rows(sqlite3 *db, const char *path, const char *table, char *err,
                     size_t errlen) {
    char cols[4096] = "";
    size_t n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info('m_rows', 'temp')", -1,
                           &s, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: merge failed: %s", path, sqlite3_errmsg(db));
        return -1;
    }
    while (sqlite3_step(s) == SQLITE_ROW && n < sizeof cols) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        n += (size_t)snprintf(cols + n, sizeof cols - n, "%s\"%s\"", n ? ", " : "",
                              name ? name : "");
    }
    sqlite3_finalize(s);
    if (n == 0 || n >= sizeof cols) {
        snprintf(err, errlen, "%s: merge failed: cannot list the columns of %s", path, table);
        return -1;
    }
    char *sql = sqlite3_mprintf("INSERT INTO main.%s(%s) SELECT %s FROM m_rows", table, cols,
                                cols);
    if (!sql) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
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
    int saved[2];
    budget b;
    harden(db, 1, saved);
    if (sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS shard", -1, &s, NULL) != SQLITE_OK) {
        harden(db, 0, saved);
        free(spec);
        snprintf(err, errlen, "%s: cannot attach %s: %s", out, shard_path, sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_text(s, 1, shard_path, -1, SQLITE_STATIC);
    int arc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (arc != SQLITE_DONE) {
        harden(db, 0, saved);
        free(spec);
        snprintf(err, errlen, "%s: cannot attach %s: %s", out, shard_path, sqlite3_errmsg(db));
        return -1;
    }
    budget_start(db, &b, shard_path);
    int rc = -1;
    int64_t id = 0, off = 0, n = 0;
    if (run_sql(db, out, err, errlen, "BEGIN IMMEDIATE")) goto detach;
    /* Again, inside the transaction: the file checked before may have been
    ** replaced since. */
    if (check_tables(db, "shard", shard_path, err, errlen)) goto fail;
    if (query_i64(db, "SELECT coalesce(min(id), 0) FROM main.sweeps WHERE spec = ?1",
                  spec, &id))
        goto fail_db;
    if (id == 0) {
        if (sqlite3_prepare_v2(db,
                               "INSERT INTO main.sweeps(created, policy, spec, points,"
                               " scenarios, tool_version, kind) SELECT created, policy,"
                               " spec, points, scenarios, tool_version, kind FROM shard.sweeps"
                               " WHERE spec = ?1 ORDER BY id LIMIT 1",
                               -1, &s, NULL) != SQLITE_OK)
            goto fail_db;
        sqlite3_bind_text(s, 1, spec, -1, SQLITE_STATIC);
        int r = sqlite3_step(s);
        sqlite3_finalize(s);
        if (r != SQLITE_DONE) goto fail_db;
        id = sqlite3_last_insert_rowid(db);
        if (st_sweep_view(sdb, id, err, errlen)) goto fail;
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
                "INSERT INTO main.scenarios(hash, name, path, mode, start, end, billing,"
                " hash_alg) SELECT hash, name, path, mode, start, end, billing, hash_alg"
                " FROM shard.scenarios"
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
                                         "timeseries", "timeseries_days"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (run_sql(db, out, err, errlen,
                    "DROP TABLE IF EXISTS temp.m_rows;"
                    "CREATE TEMP TABLE m_rows AS SELECT * FROM shard.%s"
                    " WHERE run_id IN (SELECT run_id FROM m_copy);"
                    "UPDATE m_rows SET run_id = run_id + %lld",
                    tables[i], (long long)off) ||
            copy_rows(db, out, tables[i], err, errlen) ||
            run_sql(db, out, err, errlen, "DROP TABLE m_rows"))
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
    if (b.tripped) merge_error(db, &b, "", shard_path, err, errlen);
    sqlite3_progress_handler(db, 0, NULL, NULL);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
detach:
    sqlite3_progress_handler(db, 0, NULL, NULL);
    sqlite3_exec(db, "DETACH DATABASE shard", NULL, NULL, NULL);
    harden(db, 0, saved);
    free(spec);
    return rc;
}
