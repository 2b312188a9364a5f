/*
** store.c: simulation runs into SQLite (schema and rules: docs/store.md).
**
** Why it looks the way it does:
**  - One transaction per run (BEGIN IMMEDIATE .. COMMIT). A failed run is
**    rolled back whole, and a year of per-minute rows costs one fsync, not
**    525,600. IMMEDIATE takes the write lock up front, so a second writer
**    waits (busy_timeout) at the start instead of failing at the end.
**  - WAL + synchronous=NORMAL: readers never block the writer, and a commit
**    does not fsync; a power loss can lose the latest runs, never corrupt
**    the database.
**  - Every statement is prepared once per connection and reused with
**    sqlite3_reset(): preparing costs more than inserting a row.
**  - The timeseries (version 6) is one row of timeseries_days per day of
**    samples, each column a BLOB of runs of equal values (series.c); a run
**    of identical 'none' decisions at consecutive invocations is one
**    decisions row with its count. A year with timeseries was 1,050,000
**    rows and 100 MB; it is now a few thousand rows and a few MB.
**  - Determinism: only runs.id and runs.created depend on when a run was
**    stored. Doubles in text are "%.17g", which reads back to the same bits.
**
** Ownership: st_db owns its connection, statements, path copy and buffers.
** Strings handed to SQLite are bound SQLITE_STATIC: they outlive the step.
*/
#include "store/store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store_int.h"
#include "traces/traces.h"

/* ---- summaries: sim_result fields <-> columns ---------------------------- */

/* The summaries table has one column per sim_result field, from the
** simulator's own field table (sim_result_fields), so a field cannot be
** stored under one name and read under another. Adding a field there means
** a schema version bump (docs/store.md). */
#define NSUMMARY sim_result_nfields

/* ---- schema ---------------------------------------------------------------- */

/* The compact timeseries of version 6 (series.c, docs/store.md): one row
** per run and ST_SERIES_CHUNK samples. Its own statement so that the
** upgrade step and a fresh schema share it. */
#define SERIES_TABLE_SQL                                                          \
    "CREATE TABLE IF NOT EXISTS timeseries_days("                                 \
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"             \
    " t INTEGER NOT NULL, n INTEGER NOT NULL, npools INTEGER NOT NULL,"           \
    " dt BLOB, required BLOB, target BLOB, fulfilled BLOB, pending BLOB,"         \
    " terminating BLOB, spot_units BLOB, od_units BLOB, od_desired BLOB,"         \
    " od_in_service BLOB, prices BLOB,"                                           \
    " PRIMARY KEY (run_id, t)) WITHOUT ROWID"

/* Everything but summaries, whose columns come from sim_result_fields.
** CHECKs use OR, not IN (...): SQLite 3.40 builds an ephemeral table for an
** IN list on every row, which once made a year's run more than twice as slow.
** decisions and timeseries are WITHOUT ROWID, keyed by (run_id, t, ...): rows
** are stored in the order they arrive and every query wants, and one b-tree
** insert per row replaces a table insert plus an index insert. */
/* scenarios.hash_alg: 'xxh64' from version 7 on; the rows stored before
** are FNV-1a's (the default, which the upgrade gives them). */
#define SCENARIO_HASH_ALG                                              \
    "hash_alg TEXT NOT NULL DEFAULT 'fnv1a64'"                        \
    " CHECK (hash_alg = 'fnv1a64' OR hash_alg = 'xxh64')"

static const char schema_sql[] =
    "CREATE TABLE scenarios("
    " id INTEGER PRIMARY KEY,"
    " hash TEXT UNIQUE NOT NULL,"
    " name TEXT, path TEXT,"
    " mode TEXT CHECK (mode = 'model' OR mode = 'direct'),"
    " start INTEGER, end INTEGER,"
    " billing TEXT CHECK (billing = 'per_second' OR billing = 'per_hour'),"
    /* Last, as the version 7 upgrade adds it: how hash was made. */
    " " SCENARIO_HASH_ALG ");"
    "CREATE TABLE runs("
    " id INTEGER PRIMARY KEY,"
    " scenario_id INTEGER NOT NULL REFERENCES scenarios(id),"
    " policy TEXT NOT NULL, params TEXT NOT NULL, sets TEXT NOT NULL,"
    " seed INTEGER, tool_version TEXT, created TEXT NOT NULL,"
    " timeseries INTEGER NOT NULL CHECK (timeseries = 0 OR timeseries = 1));"
    "CREATE INDEX runs_scenario ON runs(scenario_id);"
    "CREATE TABLE run_pools("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " pool INTEGER NOT NULL, instance_type TEXT, availability_zone TEXT,"
    " weighted_capacity REAL, spot_price REAL, on_demand_price REAL,"
    " PRIMARY KEY (run_id, pool));"
    "CREATE TABLE decisions("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " t INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " action TEXT NOT NULL"
    "  CHECK (action = 'none' OR action = 'set' OR action = 'failed'),"
    " desired INTEGER, honor_cooldown INTEGER, reason TEXT,"
    " accepted INTEGER, error TEXT,"
    /* Last, as the version 3 upgrade adds them: a run of identical
    ** rejected retries is one row. */
    " repeats INTEGER NOT NULL DEFAULT 1, last_t INTEGER,"
    " PRIMARY KEY (run_id, t, seq)) WITHOUT ROWID;"
    "CREATE TABLE timeseries("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " t INTEGER NOT NULL,"
    " required REAL, target REAL, fulfilled REAL, pending REAL,"
    " terminating REAL, spot_units REAL, od_units REAL,"
    " od_desired INTEGER, od_in_service INTEGER, prices TEXT,"
    " PRIMARY KEY (run_id, t)) WITHOUT ROWID;"
    SERIES_TABLE_SQL ";"
    "CREATE TABLE sweeps("
    " id INTEGER PRIMARY KEY,"
    " created TEXT NOT NULL, policy TEXT NOT NULL, spec TEXT NOT NULL,"
    " points INTEGER NOT NULL, scenarios INTEGER NOT NULL,"
    " tool_version TEXT,"
    /* Last, as the version 5 upgrade adds it: what made the sweep. */
    " kind TEXT);"
    "CREATE TABLE sweep_runs("
    " sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,"
    " point INTEGER NOT NULL, scenario INTEGER NOT NULL,"
    " run_id INTEGER NOT NULL UNIQUE REFERENCES runs(id) ON DELETE CASCADE,"
    " params TEXT NOT NULL,"
    " PRIMARY KEY (sweep_id, point, scenario)) WITHOUT ROWID;"
    /* spotbench live --db: one row per tick, in no run. A rowid table: ticks
    ** arrive one a minute, and several controllers may share a file. */
    "CREATE TABLE live_ticks("
    " id INTEGER PRIMARY KEY,"
    " t INTEGER NOT NULL,"
    " fleet_request_id TEXT NOT NULL, asg_name TEXT NOT NULL,"
    " policy TEXT NOT NULL, params TEXT NOT NULL, observation TEXT NOT NULL,"
    " action TEXT NOT NULL CHECK (action = 'none' OR action = 'set'),"
    " desired INTEGER, honor_cooldown INTEGER, reason TEXT,"
    " applied INTEGER NOT NULL CHECK (applied = 0 OR applied = 1),"
    " outcome TEXT NOT NULL"
    "  CHECK (outcome = 'none' OR outcome = 'dry-run' OR outcome = 'applied'"
    "   OR outcome = 'rejected' OR outcome = 'failed'),"
    " error TEXT, tool_version TEXT);"
    "CREATE INDEX live_ticks_fleet_t ON live_ticks(fleet_request_id, t);";

enum {
    S_SCENARIO_INS,
    S_SCENARIO_SEL,
    S_RUN_INS,
    S_POOL_INS,
    S_SUMMARY_INS,
    S_SUMMARY_SEL,
    S_DECISION_INS,   /* one row */
    S_DECISION_BATCH, /* BATCH rows */
    S_SERIES_INS,
    S_LIVE_INS, /* prepared on first use: see st_live_tick() */
    S_N
};

/* Decisions are inserted BATCH rows per statement: a multi-row
** INSERT pays SQLite's per-statement cost (open cursors, begin the statement,
** halt) once per BATCH rows, about a quarter of the time of a year's run.
** A run's last, partial batch goes in row by row. */
#define BATCH 32
#define DECISION_COLS 11
static const char decision_head[] =
    "INSERT INTO decisions(run_id, t, seq, action, desired, honor_cooldown,"
    " reason, accepted, error, repeats, last_t) VALUES ";

/* The fixed statements; the others are built by prepare_all(). */
static const char *const fixed_sql[S_N] = {
    [S_SCENARIO_INS] =
        "INSERT INTO scenarios(hash, name, path, mode, start, end, billing, hash_alg)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(hash) DO NOTHING",
    [S_SCENARIO_SEL] = "SELECT id FROM scenarios WHERE hash = ?1",
    [S_RUN_INS] =
        "INSERT INTO runs(scenario_id, policy, params, sets, seed,"
        " tool_version, created, timeseries)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_SERIES_INS] =
        "INSERT INTO timeseries_days(run_id, t, n, npools, dt, required, target,"
        " fulfilled, pending, terminating, spot_units, od_units, od_desired,"
        " od_in_service, prices)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    [S_POOL_INS] =
        "INSERT INTO run_pools(run_id, pool, instance_type, availability_zone,"
        " weighted_capacity, spot_price, on_demand_price)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_LIVE_INS] =
        "INSERT INTO live_ticks(t, fleet_request_id, asg_name, policy,"
        " params, observation, action, desired, honor_cooldown, reason,"
        " applied, outcome, error, tool_version)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
};

/* Growable string. oom sticks, so callers check once at the end. */
typedef struct {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

/* A decision waiting for its batch. Texts are offsets into the
** batch's text buffer (which may move as it grows); a length of
** (size_t)-1 stands for NULL. */
typedef struct {
    int64_t t, seq;
    int64_t repeats, last_t; /* invocations seq .. seq + repeats - 1, the
                                last of them at last_t */
    const char *action; /* a string literal */
    int set, desired, honor_cooldown, accepted;
    size_t reason, reason_len, error, error_len;
} decision_row;

#define NO_TEXT ((size_t)-1)

struct st_db {
    sqlite3 *db;
    char *path;                /* copy, for messages */
    sqlite3_stmt *st[S_N];

    /* The run open now. */
    int in_run;
    int64_t run_id;
    int timeseries;
    int64_t seq;         /* invocations seen in this run */
    int sink_failed;
    char sink_err[512];

    /* Rows not inserted yet (see BATCH). */
    decision_row dec[BATCH];
    size_t ndec;
    sbuf dec_text;
    /* A rejected SetDesiredCapacity or a 'none' decision held back, for
    ** the identical ones that may follow it (see on_decision); its texts in
    ** held_text. */
    decision_row held;
    int have_held;
    sbuf held_text;
    /* The timeseries row being built (series.c), and the latest sample's
    ** t in this run (samples must come in time order). */
    st_series ser;
    int64_t ser_last_t;
    int ser_any;
    /* The held call's decision, whose reason may be kept unwritten
    ** (pol_decide_lazy): a repeat with the same format and arguments is
    ** known identical without writing its text. */
    pol_decision held_d;
};

/* ---- small helpers ------------------------------------------------------- */

static void sb_add(sbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* A JSON string literal: quotes, backslashes and control characters escaped;
** other bytes (UTF-8 included) as they are. */
static void sb_json_str(sbuf *b, const char *s) {
    sb_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            sb_add(b, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sb_add(b, esc, 6);
        } else {
            sb_add(b, s, 1);
        }
    }
    sb_add(b, "\"", 1);
}

/* "PATH: WHAT: sqlite's message". */
int st_db_fail(const st_db *db, char *err, size_t errlen, const char *what) {
    snprintf(err, errlen, "%s: %s: %s", db->path, what,
             sqlite3_errmsg(db->db));
    return -1;
}

/* Steps a bound statement that returns no row, then resets it for reuse. */
static int step_done(st_db *db, sqlite3_stmt *s, char *err, size_t errlen,
                     const char *what) {
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
        st_db_fail(db, err, errlen, what); /* before reset, which may reword it */
        sqlite3_reset(s);
        return -1;
    }
    sqlite3_reset(s);
    return 0;
}

static int exec(st_db *db, const char *sql, char *err, size_t errlen,
                const char *what) {
    if (sqlite3_exec(db->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, what);
    return 0;
}

/* The single integer a query like "PRAGMA user_version" returns. */
static int query_int(st_db *db, const char *sql, int64_t *out, char *err,
                     size_t errlen, const char *what) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db->db, sql, -1, &s, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, what);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *out = sqlite3_column_int64(s, 0);
    else st_db_fail(db, err, errlen, what);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* Binds a fixed-size char array, which may lack its NUL when full. */
static void bind_chars(sqlite3_stmt *s, int i, const char *a, size_t size) {
    sqlite3_bind_text(s, i, a, (int)strnlen(a, size), SQLITE_STATIC);
}

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *t) {
    if (t) sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, i);
}

/* Creates the parent directory of `path` when it is missing (one level only:
** results/ yes, a/b/ when a/ is missing no). */
static int make_parent(const char *path, char *err, size_t errlen) {
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return 0; /* the current or root directory */
    size_t n = (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (!dir) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    memcpy(dir, path, n);
    dir[n] = '\0';
    struct stat sb;
    int rc = 0;
    if (stat(dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            snprintf(err, errlen, "%s: %s is not a directory", path, dir);
            rc = -1;
        }
    } else if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create directory %s: %s", path, dir,
                 strerror(errno));
        rc = -1;
    }
    free(dir);
    return rc;
}

/* ---- open / close ------------------------------------------------------------ */

/* Upgrades an older spotbench database in place, one version at a time, in
** one transaction. Version 2 added summaries columns (the sim_result fields
** whose `since` is 2); runs stored before have NULL there. Version 3 added
** decisions.repeats and decisions.last_t: each row stored before stands for
** one invocation. Version 4 added the reactive bound's summaries columns
** (their `since`). Version 5 added sweeps.kind (NULL before) and the flat
** views (views.c), for every sweep stored before too. Version 6 added the
** compact timeseries, timeseries_days (series.c): runs stored before keep
** their rows in timeseries, and readers take either. Version 7 added
** scenarios.hash_alg: the hashes stored before are FNV-1a's. */
static int upgrade_schema(st_db *db, int64_t from, char *err, size_t errlen) {
    if (exec(db, "BEGIN IMMEDIATE", err, errlen, "cannot lock the database"))
        return -1;
    int64_t version;
    if (query_int(db, "PRAGMA user_version", &version, err, errlen,
                  "cannot read the schema version"))
        goto fail;
    if (version != from) { /* another process upgraded it meanwhile */
        exec(db, "COMMIT", err, errlen, "cannot commit");
        return 0;
    }
    for (int64_t v = from + 1; v <= ST_SCHEMA_VERSION; v++) {
        for (size_t i = 0; i < NSUMMARY; i++) {
            if (sim_result_fields[i].since != v) continue;
            char sql[160];
            snprintf(sql, sizeof sql, "ALTER TABLE summaries ADD COLUMN %s %s",
                     sim_result_fields[i].name,
                     sim_result_fields[i].type == SIM_F_DOUBLE ? "REAL" : "INTEGER");
            if (exec(db, sql, err, errlen, "cannot upgrade the schema")) goto fail;
        }
        if (v == 3 &&
            exec(db,
                 "ALTER TABLE decisions ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1;"
                 "ALTER TABLE decisions ADD COLUMN last_t INTEGER;"
                 "UPDATE decisions SET last_t = t",
                 err, errlen, "cannot upgrade the schema"))
            goto fail;
        if (v == 5 && (exec(db, "ALTER TABLE sweeps ADD COLUMN kind TEXT", err, errlen,
                            "cannot upgrade the schema") ||
                       st_views_upgrade(db, err, errlen)))
            goto fail;
        /* Its own step, and idempotent: it checks for the table, not only
        ** the version number. Nothing stored is rewritten. */
        if (v == 6 && exec(db, SERIES_TABLE_SQL, err, errlen, "cannot upgrade the schema"))
            goto fail;
        if (v == 7 && exec(db, "ALTER TABLE scenarios ADD COLUMN " SCENARIO_HASH_ALG, err,
                           errlen, "cannot upgrade the schema"))
            goto fail;
    }
    char version_sql[64];
    snprintf(version_sql, sizeof version_sql, "PRAGMA user_version = %d",
             ST_SCHEMA_VERSION);
    if (exec(db, version_sql, err, errlen, "cannot upgrade the schema") ||
        exec(db, "COMMIT", err, errlen, "cannot commit the upgrade"))
        goto fail;
    return 0;
fail:
    sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* Creates the schema in a fresh database, inside one transaction so that two
** processes opening the same new file do not both create it. */
static int create_schema(st_db *db, char *err, size_t errlen) {
    if (exec(db, "BEGIN IMMEDIATE", err, errlen, "cannot lock the database"))
        return -1;
    int64_t version, ntables;
    if (query_int(db, "PRAGMA user_version", &version, err, errlen,
                  "cannot read the schema version"))
        goto fail;
    if (version != 0) { /* another process created it meanwhile */
        exec(db, "COMMIT", err, errlen, "cannot commit");
        return 0;
    }
    if (query_int(db, "SELECT count(*) FROM sqlite_master", &ntables, err,
                  errlen, "cannot read the schema"))
        goto fail;
    if (ntables != 0) {
        snprintf(err, errlen,
                 "%s: not a spotbench database (it has tables but no "
                 "spotbench schema version)",
                 db->path);
        goto fail;
    }

    sbuf b = {0};
    sb_puts(&b, schema_sql);
    sb_puts(&b, "CREATE TABLE summaries("
                " run_id INTEGER PRIMARY KEY"
                " REFERENCES runs(id) ON DELETE CASCADE");
    for (size_t i = 0; i < NSUMMARY; i++) {
        sb_puts(&b, ", ");
        sb_puts(&b, sim_result_fields[i].name);
        sb_puts(&b, sim_result_fields[i].type == SIM_F_DOUBLE ? " REAL" : " INTEGER");
    }
    sb_puts(&b, ");");
    char version_sql[64];
    snprintf(version_sql, sizeof version_sql, "PRAGMA user_version = %d;",
             ST_SCHEMA_VERSION);
    sb_puts(&b, version_sql);
    if (b.oom) {
        free(b.p);
        snprintf(err, errlen, "%s: out of memory", db->path);
        goto fail;
    }
    int rc = exec(db, b.p, err, errlen, "cannot create the schema");
    free(b.p);
    if (rc || st_views_create(db, err, errlen)) goto fail;
    if (exec(db, "COMMIT", err, errlen, "cannot commit the new schema"))
        goto fail;
    return 0;
fail:
    sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* HEAD followed by `rows` groups of `cols` anonymous parameters. */
static void values_sql(sbuf *b, const char *head, int cols, int rows) {
    sb_puts(b, head);
    for (int r = 0; r < rows; r++) {
        sb_puts(b, r ? ", (" : "(");
        for (int c = 0; c < cols; c++) sb_puts(b, c ? ", ?" : "?");
        sb_puts(b, ")");
    }
}

/* Prepares every statement once, for the life of the connection. */
static int prepare_all(st_db *db, char *err, size_t errlen) {
    sbuf ins = {0}, sel = {0};
    sb_puts(&ins, "INSERT INTO summaries(run_id");
    sb_puts(&sel, "SELECT ");
    for (size_t i = 0; i < NSUMMARY; i++) {
        sb_puts(&ins, ", ");
        sb_puts(&ins, sim_result_fields[i].name);
        if (i) sb_puts(&sel, ", ");
        sb_puts(&sel, sim_result_fields[i].name);
    }
    sb_puts(&ins, ") VALUES (?");
    for (size_t i = 0; i < NSUMMARY; i++) sb_puts(&ins, ", ?");
    sb_puts(&ins, ")");
    sb_puts(&sel, " FROM summaries WHERE run_id = ?");

    sbuf dec1 = {0}, decn = {0};
    values_sql(&dec1, decision_head, DECISION_COLS, 1);
    values_sql(&decn, decision_head, DECISION_COLS, BATCH);

    int rc = 0;
    if (ins.oom || sel.oom || dec1.oom || decn.oom) {
        snprintf(err, errlen, "%s: out of memory", db->path);
        rc = -1;
    }
    for (int i = 0; i < S_N && rc == 0; i++) {
        if (i == S_LIVE_INS) continue;
        const char *sql = fixed_sql[i];
        switch (i) {
        case S_SUMMARY_INS: sql = ins.p; break;
        case S_SUMMARY_SEL: sql = sel.p; break;
        case S_DECISION_INS: sql = dec1.p; break;
        case S_DECISION_BATCH: sql = decn.p; break;
        }
        if (sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                               &db->st[i], NULL) != SQLITE_OK)
            rc = st_db_fail(db, err, errlen, "cannot prepare a statement");
    }
    free(ins.p);
    free(sel.p);
    free(dec1.p);
    free(decn.p);
    return rc;
}

/* Removes a database file this open created, and its companions, after the
** open failed: a full disk must not leave a 0-byte file that the next open
** would take for a database. */
static void remove_created(const char *path) {
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
    size_t n = strlen(path) + 10;
    char *p = malloc(n);
    if (!p) return;
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
        snprintf(p, n, "%s%s", path, sfx[i]);
        unlink(p);
    }
    free(p);
}

int st_open(const char *path, st_db **out, char *err, size_t errlen) {
    *out = NULL;
    if (make_parent(path, err, errlen)) return -1;
    struct stat before;
    int existed = lstat(path, &before) == 0;
    st_db *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        free(db);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    /* NOMUTEX: an st_db serves one thread, so SQLite's per-connection lock
    ** is pure overhead (about 8% of a run with timeseries). */
    if (sqlite3_open_v2(path, &db->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        if (db->db) st_db_fail(db, err, errlen, "cannot open");
        else snprintf(err, errlen, "%s: cannot open: out of memory", path);
        goto fail;
    }
    sqlite3_busy_timeout(db->db, 5000);

    /* The version check comes first: a newer database is not touched, not
    ** even switched to WAL. */
    int64_t version;
    if (query_int(db, "PRAGMA user_version", &version, err, errlen,
                  "cannot read the schema version"))
        goto fail;
    if (version > ST_SCHEMA_VERSION) {
        snprintf(err, errlen,
                 "%s: schema version %lld is newer than this spotbench "
                 "understands (%d); use a newer spotbench",
                 path, (long long)version, ST_SCHEMA_VERSION);
        goto fail;
    }
    if (version < 0) {
        snprintf(err, errlen, "%s: unknown schema version %lld", path,
                 (long long)version);
        goto fail;
    }

    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db->db, "PRAGMA journal_mode = WAL", -1, &s,
                           NULL) != SQLITE_OK) {
        st_db_fail(db, err, errlen, "cannot set WAL journal mode");
        goto fail;
    }
    const char *mode = sqlite3_step(s) == SQLITE_ROW
                           ? (const char *)sqlite3_column_text(s, 0)
                           : NULL;
    int wal = mode && strcmp(mode, "wal") == 0;
    if (!wal) st_db_fail(db, err, errlen, "cannot set WAL journal mode");
    sqlite3_finalize(s);
    if (!wal) goto fail;
    if (exec(db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON",
             err, errlen, "cannot configure the connection"))
        goto fail;
    if (version == 0 && create_schema(db, err, errlen)) goto fail;
    if (version > 0 && version < ST_SCHEMA_VERSION &&
        upgrade_schema(db, version, err, errlen))
        goto fail;
    if (prepare_all(db, err, errlen)) goto fail;
    *out = db;
    return 0;
fail:
    st_close(db);
    if (!existed) remove_created(path);
    return -1;
}

void st_close(st_db *db) {
    if (!db) return;
    st_run_rollback(db);
    for (int i = 0; i < S_N; i++) sqlite3_finalize(db->st[i]);
    sqlite3_close(db->db); /* every statement is finalized: cannot be busy */
    free(db->path);
    free(db->dec_text.p);
    free(db->held_text.p);
    st_series_free(&db->ser);
    free(db);
}

/* ---- batches of decisions and samples ----------------------------------- */

static void drop_batches(st_db *db) {
    db->ndec = 0;
    db->dec_text.n = 0;
    db->dec_text.oom = 0;
    db->have_held = 0;
    db->held_text.n = 0;
    db->held_text.oom = 0;
    st_series_reset(&db->ser);
    db->ser_any = 0;
}

/* Binds text kept at `off` in `b`, or NULL. Bound SQLITE_STATIC: the buffer
** does not change until the statement has run. */
static void bind_kept(sqlite3_stmt *s, int i, const sbuf *b, size_t off,
                      size_t len) {
    if (len == NO_TEXT) sqlite3_bind_null(s, i);
    else if (len == 0) sqlite3_bind_text(s, i, "", 0, SQLITE_STATIC);
    else sqlite3_bind_text(s, i, b->p + off, (int)len, SQLITE_STATIC);
}

/* Binds row `r` at parameters base+1 .. base+DECISION_COLS. */
static void bind_decision(st_db *db, sqlite3_stmt *s, int base,
                          const decision_row *r) {
    sqlite3_bind_int64(s, base + 1, db->run_id);
    sqlite3_bind_int64(s, base + 2, r->t);
    sqlite3_bind_int64(s, base + 3, r->seq);
    sqlite3_bind_text(s, base + 4, r->action, -1, SQLITE_STATIC);
    if (r->set) {
        sqlite3_bind_int(s, base + 5, r->desired);
        sqlite3_bind_int(s, base + 6, r->honor_cooldown);
        sqlite3_bind_int(s, base + 8, r->accepted);
    } else {
        sqlite3_bind_null(s, base + 5);
        sqlite3_bind_null(s, base + 6);
        sqlite3_bind_null(s, base + 8);
    }
    bind_kept(s, base + 7, &db->dec_text, r->reason, r->reason_len);
    bind_kept(s, base + 9, &db->dec_text, r->error, r->error_len);
    sqlite3_bind_int64(s, base + 10, r->repeats);
    sqlite3_bind_int64(s, base + 11, r->last_t);
}

/* Inserts the waiting decisions: one statement for a full batch, one per row
** otherwise. */
static int flush_decisions(st_db *db, char *err, size_t errlen) {
    int rc = 0;
    if (db->ndec == BATCH) {
        sqlite3_stmt *s = db->st[S_DECISION_BATCH];
        for (size_t i = 0; i < BATCH; i++)
            bind_decision(db, s, (int)i * DECISION_COLS, &db->dec[i]);
        rc = step_done(db, s, err, errlen, "cannot store decisions");
    } else {
        sqlite3_stmt *s = db->st[S_DECISION_INS];
        for (size_t i = 0; i < db->ndec && rc == 0; i++) {
            bind_decision(db, s, 0, &db->dec[i]);
            rc = step_done(db, s, err, errlen, "cannot store a decision");
        }
    }
    db->ndec = 0;
    db->dec_text.n = 0;
    return rc;
}

/* Inserts the timeseries row being built, if it holds any sample. */
static int flush_series(st_db *db, char *err, size_t errlen) {
    st_series *ser = &db->ser;
    if (ser->n == 0) return 0;
    if (st_series_finish(ser)) {
        snprintf(err, errlen, "%s: out of memory", db->path);
        return -1;
    }
    sqlite3_stmt *s = db->st[S_SERIES_INS];
    sqlite3_bind_int64(s, 1, db->run_id);
    sqlite3_bind_int64(s, 2, ser->t0);
    sqlite3_bind_int64(s, 3, (int64_t)ser->n);
    sqlite3_bind_int64(s, 4, (int64_t)ser->npools);
    for (int i = 0; i < ST_SERIES_NCOLS; i++)
        sqlite3_bind_blob(s, 5 + i, ser->col[i].out.p ? (const void *)ser->col[i].out.p : "",
                          (int)ser->col[i].out.n, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5 + ST_SERIES_NCOLS, ser->prices.p ? (const void *)ser->prices.p : "",
                      (int)ser->prices.n, SQLITE_STATIC);
    int rc = step_done(db, s, err, errlen, "cannot store the timeseries");
    st_series_reset(ser);
    return rc;
}

/* ---- runs -------------------------------------------------------------------- */

static const char *mode_name(sim_mode m) {
    return m == SIM_DIRECT ? "direct" : "model";
}

const char *st_hash_alg_name(sim_hash_alg a) {
    return a == SIM_HASH_FNV1A ? "fnv1a64" : "xxh64";
}

static const char *billing_name(sim_billing b) {
    return b == SIM_PER_HOUR ? "per_hour" : "per_second";
}

/* {"window": 600, ...}: every parameter in declaration order, "%.17g" so the
** text reads back to the very double that ran. */
static void params_json(sbuf *b, const pol_policy *pol, const pol_params *p) {
    sb_puts(b, "{");
    for (size_t i = 0; i < pol->nparams; i++) {
        char num[ST_G17_MAX + 2];
        if (i) sb_puts(b, ", ");
        sb_json_str(b, pol->params[i].name);
        snprintf(num, sizeof num, ": %.17g", p->v[i]);
        sb_puts(b, num);
    }
    sb_puts(b, "}");
}

static void sets_json(sbuf *b, const char *const *sets, size_t n) {
    sb_puts(b, "[");
    for (size_t i = 0; i < n; i++) {
        if (i) sb_puts(b, ", ");
        sb_json_str(b, sets[i]);
    }
    sb_puts(b, "]");
}

/* Inserts the scenario unless its hash is stored; *id is its row either way. */
static int scenario_row(st_db *db, const sim_scenario *sc, int64_t *id,
                        char *err, size_t errlen) {
    sqlite3_stmt *s = db->st[S_SCENARIO_INS];
    bind_chars(s, 1, sc->hash, sizeof sc->hash);
    bind_chars(s, 2, sc->name, sizeof sc->name);
    bind_chars(s, 3, sc->path, sizeof sc->path);
    sqlite3_bind_text(s, 4, mode_name(sc->mode), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, sc->start);
    sqlite3_bind_int64(s, 6, sc->end);
    sqlite3_bind_text(s, 7, billing_name(sc->billing), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, st_hash_alg_name(sc->hash_alg), -1, SQLITE_STATIC);
    if (step_done(db, s, err, errlen, "cannot store the scenario")) return -1;

    s = db->st[S_SCENARIO_SEL];
    bind_chars(s, 1, sc->hash, sizeof sc->hash);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *id = sqlite3_column_int64(s, 0);
    else st_db_fail(db, err, errlen, "cannot find the scenario just stored");
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int run_row(st_db *db, const st_run_info *info, int64_t scenario_id,
                   const char *params, const char *sets, char *err,
                   size_t errlen) {
    /* The seed is a uint64_t; SQLite integers are signed 64-bit, so it is
    ** stored as the same 64 bits read as signed (docs/store.md). */
    int64_t seed;
    memcpy(&seed, &info->sc->seed, sizeof seed);
    char created[32];
    trc_time_format((int64_t)time(NULL), created, sizeof created);

    sqlite3_stmt *s = db->st[S_RUN_INS];
    sqlite3_bind_int64(s, 1, scenario_id);
    sqlite3_bind_text(s, 2, info->pol->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, params, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, sets, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, seed);
    bind_text_or_null(s, 6, info->tool_version);
    sqlite3_bind_text(s, 7, created, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 8, info->timeseries ? 1 : 0);
    if (step_done(db, s, err, errlen, "cannot store the run")) return -1;
    db->run_id = sqlite3_last_insert_rowid(db->db);
    return 0;
}

static int pool_rows(st_db *db, const sim_scenario *sc, char *err,
                     size_t errlen) {
    sqlite3_stmt *s = db->st[S_POOL_INS];
    for (size_t i = 0; i < sc->npools; i++) {
        const sim_pool *p = &sc->pools[i];
        sqlite3_bind_int64(s, 1, db->run_id);
        sqlite3_bind_int64(s, 2, (int64_t)i);
        bind_chars(s, 3, p->instance_type, sizeof p->instance_type);
        bind_chars(s, 4, p->az, sizeof p->az);
        sqlite3_bind_double(s, 5, p->weight);
        sqlite3_bind_double(s, 6, p->max_price);
        sqlite3_bind_double(s, 7, p->on_demand_price);
        if (step_done(db, s, err, errlen, "cannot store a pool")) return -1;
    }
    return 0;
}

int st_run_begin(st_db *db, const st_run_info *info, int64_t *run_id,
                 char *err, size_t errlen) {
    if (db->in_run) {
        snprintf(err, errlen, "%s: a run is already open", db->path);
        return -1;
    }
    const sim_scenario *sc = info->sc;
    if (!sc || !info->pol || !info->params ||
        info->pol->nparams > POL_MAX_PARAMS || (info->nsets && !info->sets)) {
        snprintf(err, errlen, "%s: incomplete run description", db->path);
        return -1;
    }
    /* An empty hash would make every such scenario share one row. */
    if (sc->hash[0] == '\0') {
        snprintf(err, errlen, "%s: scenario %s has no hash", db->path,
                 sc->path);
        return -1;
    }
    db->sink_failed = 0;
    db->sink_err[0] = '\0';
    drop_batches(db);

    /* The JSON texts are built before the transaction: nothing to undo when
    ** memory runs out. */
    sbuf params = {0}, sets = {0};
    params_json(&params, info->pol, info->params);
    sets_json(&sets, info->sets, info->nsets);
    if (params.oom || sets.oom) {
        free(params.p);
        free(sets.p);
        snprintf(err, errlen, "%s: out of memory", db->path);
        return -1;
    }

    int rc = -1;
    int64_t scenario_id;
    if (exec(db, "BEGIN IMMEDIATE", err, errlen, "cannot begin the run"))
        goto out;
    db->in_run = 1;
    if (scenario_row(db, sc, &scenario_id, err, errlen) ||
        run_row(db, info, scenario_id, params.p, sets.p, err, errlen) ||
        pool_rows(db, sc, err, errlen)) {
        st_run_rollback(db);
        goto out;
    }
    db->timeseries = info->timeseries ? 1 : 0;
    db->seq = 0;
    *run_id = db->run_id;
    rc = 0;
out:
    free(params.p);
    free(sets.p);
    return rc;
}

static int release_held(st_db *db, char *err, size_t errlen);

int st_run_commit(st_db *db, const sim_result *res, char *err,
                  size_t errlen) {
    if (!db->in_run) {
        snprintf(err, errlen, "%s: no run open to commit", db->path);
        return -1;
    }
    /* A sink failure means rows are missing: committing would store a run
    ** that looks complete and is not. */
    if (db->sink_failed) {
        snprintf(err, errlen, "%s", db->sink_err);
        st_run_rollback(db);
        return -1;
    }
    /* The rows still waiting for a batch; a failure here (a duplicate
    ** sample, say) is the run's failure. */
    if (release_held(db, err, errlen) || flush_decisions(db, err, errlen) ||
        flush_series(db, err, errlen)) {
        st_run_rollback(db);
        return -1;
    }
    sqlite3_stmt *s = db->st[S_SUMMARY_INS];
    sqlite3_bind_int64(s, 1, db->run_id);
    for (size_t i = 0; i < NSUMMARY; i++) {
        const char *f = (const char *)res + sim_result_fields[i].off;
        int col = (int)i + 2;
        switch (sim_result_fields[i].type) {
        case SIM_F_DOUBLE: sqlite3_bind_double(s, col, *(const double *)f); break;
        case SIM_F_INT: sqlite3_bind_int(s, col, *(const int *)f); break;
        case SIM_F_INT64: sqlite3_bind_int64(s, col, *(const int64_t *)f); break;
        }
    }
    if (step_done(db, s, err, errlen, "cannot store the summary") ||
        exec(db, "COMMIT", err, errlen, "cannot commit the run")) {
        st_run_rollback(db);
        return -1;
    }
    db->in_run = 0;
    return 0;
}

void st_run_rollback(st_db *db) {
    /* get_autocommit: also covers a transaction left open by a failed
    ** st_run_begin or COMMIT. */
    if (db->in_run || (db->db && !sqlite3_get_autocommit(db->db)))
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    db->in_run = 0;
    drop_batches(db);
}

int st_summary_get(st_db *db, int64_t run_id, sim_result *out, char *err,
                   size_t errlen) {
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = db->st[S_SUMMARY_SEL];
    sqlite3_bind_int64(s, 1, run_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        for (size_t i = 0; i < NSUMMARY; i++) {
            char *f = (char *)out + sim_result_fields[i].off;
            int col = (int)i;
            switch (sim_result_fields[i].type) {
            case SIM_F_DOUBLE: *(double *)f = sqlite3_column_double(s, col); break;
            case SIM_F_INT: *(int *)f = sqlite3_column_int(s, col); break;
            case SIM_F_INT64: *(int64_t *)f = sqlite3_column_int64(s, col); break;
            }
        }
    } else if (rc == SQLITE_DONE) {
        snprintf(err, errlen, "%s: no summary for run %lld", db->path,
                 (long long)run_id);
    } else {
        st_db_fail(db, err, errlen, "cannot read a summary");
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

int st_reference_run(st_db *db, const char *scenario_path, const pol_policy *pol,
                     const pol_params *params, int64_t *run_id, char *err, size_t errlen) {
    pol_params p;
    sbuf b = {0};
    if (params) p = *params;
    else pol_params_default(pol, &p);
    params_json(&b, pol, &p);
    if (b.oom) {
        free(b.p);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT r.id FROM runs r JOIN scenarios sc ON sc.id = "
                           "r.scenario_id WHERE sc.path = ?1 AND r.policy = ?2 AND "
                           "r.params = ?3 AND r.sets = '[]' ORDER BY r.id DESC LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK) {
        free(b.p);
        return st_db_fail(db, err, errlen, "cannot look for a reference run");
    }
    sqlite3_bind_text(s, 1, scenario_path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, pol->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, b.p, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s), found = 0;
    if (rc == SQLITE_ROW) {
        *run_id = sqlite3_column_int64(s, 0);
        found = 1;
    }
    sqlite3_finalize(s);
    free(b.p);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return st_db_fail(db, err, errlen, "cannot look for a reference run");
    return found;
}

/* Copies column c as text into buf ("" when NULL). */
static void column_text(sqlite3_stmt *s, int c, char *buf, size_t n) {
    const unsigned char *t = sqlite3_column_text(s, c);
    snprintf(buf, n, "%s", t ? (const char *)t : "");
}

int st_run_describe(st_db *db, int64_t run_id, st_run_desc *out, char *err,
                    size_t errlen) {
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT sc.name, sc.path, r.policy, r.params, r.sets,"
                           " r.timeseries FROM runs r "
                           "JOIN scenarios sc ON sc.id = r.scenario_id WHERE r.id = ?1",
                           -1, &s, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the run");
    sqlite3_bind_int64(s, 1, run_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        column_text(s, 0, out->scenario, sizeof out->scenario);
        column_text(s, 1, out->path, sizeof out->path);
        column_text(s, 2, out->policy, sizeof out->policy);
        column_text(s, 3, out->params, sizeof out->params);
        column_text(s, 4, out->sets, sizeof out->sets);
        out->timeseries = sqlite3_column_int(s, 5);
    }
    sqlite3_finalize(s);
    if (rc == SQLITE_DONE) {
        snprintf(err, errlen, "%s: no run %lld", db->path, (long long)run_id);
        return -1;
    }
    if (rc != SQLITE_ROW) return st_db_fail(db, err, errlen, "cannot read the run");
    if (sqlite3_prepare_v2(db->db,
                           "SELECT instance_type, availability_zone, weighted_capacity, "
                           "spot_price FROM run_pools WHERE run_id = ?1 ORDER BY pool",
                           -1, &s, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the run's pools");
    sqlite3_bind_int64(s, 1, run_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && out->npools < ST_MAX_PRICES) {
        column_text(s, 0, out->pools[out->npools].instance_type,
                    sizeof out->pools[0].instance_type);
        column_text(s, 1, out->pools[out->npools].az, sizeof out->pools[0].az);
        out->pools[out->npools].weight = sqlite3_column_double(s, 2);
        out->pools[out->npools].max_price_unit = sqlite3_column_double(s, 3);
        out->npools++;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return st_db_fail(db, err, errlen, "cannot read the run's pools");
    return 0;
}

/* Is run_id a run stored with its timeseries? 0, or -1 with the message. */
static int run_has_timeseries(st_db *db, int64_t run_id, char *err, size_t errlen) {
    int64_t ts = -1;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db->db, "SELECT timeseries FROM runs WHERE id = ?1", -1,
                           &s, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the run");
    sqlite3_bind_int64(s, 1, run_id);
    if (sqlite3_step(s) == SQLITE_ROW) ts = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (ts < 0) {
        snprintf(err, errlen, "%s: no run %lld", db->path, (long long)run_id);
        return -1;
    }
    if (ts == 0) {
        snprintf(err, errlen,
                 "%s: run %lld was stored without its timeseries; run it again "
                 "with 'spotbench run --timeseries'",
                 db->path, (long long)run_id);
        return -1;
    }
    return 0;
}

/* Makes room for `need` doubles in *buf (malloc'd, *cap of them). 0, or -1
** with the message when memory runs out. */
static int grow_doubles(st_db *db, double **buf, size_t *cap, size_t need, char *err,
                        size_t errlen) {
    if (need <= *cap) return 0;
    double *p = realloc(*buf, need * sizeof *p);
    if (!p) {
        snprintf(err, errlen, "%s: out of memory", db->path);
        return -1;
    }
    *buf = p;
    *cap = need;
    return 0;
}

static int malformed_row(st_db *db, int64_t run_id, int64_t t, char *err, size_t errlen) {
    snprintf(err, errlen, "%s: run %lld: malformed timeseries row at t %lld", db->path,
             (long long)run_id, (long long)t);
    return -1;
}

/* The samples of the rows of timeseries_days (version 6) to fn; *found
** counts the rows. */
static int each_compact(st_db *db, int64_t run_id, st_minute_fn fn, void *ctx,
                        size_t *found, char *err, size_t errlen) {
    sqlite3_stmt *s;
    *found = 0;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT t, n, npools, dt, required, target, fulfilled, pending,"
                           " terminating, spot_units, od_units, od_desired, od_in_service,"
                           " prices FROM timeseries_days WHERE run_id = ?1 ORDER BY t",
                           -1, &s, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the timeseries");
    sqlite3_bind_int64(s, 1, run_id);
    double *buf = NULL;
    size_t bufcap = 0;
    int rc, ret = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        (*found)++;
        int64_t t0 = sqlite3_column_int64(s, 0);
        int64_t n = sqlite3_column_int64(s, 1), np = sqlite3_column_int64(s, 2);
        if (n < 1 || n > ST_SERIES_MAX_N || np < 0 || np > 1024) {
            ret = malformed_row(db, run_id, t0, err, errlen);
            break;
        }
        /* Each column's n values, each pool's n prices, then one sample's
        ** prices (8 bytes each: int64_t for the integer columns). */
        if (grow_doubles(db, &buf, &bufcap,
                         (size_t)n * (ST_SERIES_NCOLS + (size_t)np) + (size_t)np, err, errlen)) {
            ret = -1;
            break;
        }
        st_series_row row = {(size_t)n, (size_t)np, {0}, {0}, NULL, 0};
        st_series_out out = {{0}, buf + (size_t)n * ST_SERIES_NCOLS, (size_t)np};
        for (int c = 0; c < ST_SERIES_NCOLS; c++) {
            row.blob[c] = sqlite3_column_blob(s, 3 + c);
            row.len[c] = (size_t)sqlite3_column_bytes(s, 3 + c);
            out.col[c] = buf + (size_t)c * (size_t)n;
        }
        row.prices = sqlite3_column_blob(s, 3 + ST_SERIES_NCOLS);
        row.prices_len = (size_t)sqlite3_column_bytes(s, 3 + ST_SERIES_NCOLS);
        if (st_series_decode(&row, &out)) {
            ret = malformed_row(db, run_id, t0, err, errlen);
            break;
        }
        const int64_t *dt = out.col[ST_SERIES_DT];
        const int64_t *odd = out.col[ST_SERIES_OD_DESIRED];
        const int64_t *odi = out.col[ST_SERIES_OD_IN_SERVICE];
        double *v[7];
        for (int c = 0; c < 7; c++) v[c] = out.col[ST_SERIES_REQUIRED + c];
        double *prices = out.price + (size_t)np * (size_t)n;
        int64_t t = t0;
        for (int64_t i = 0; i < n && ret == 0; i++) {
            if (i) t += dt[i - 1];
            for (int64_t p = 0; p < np; p++) prices[p] = out.price[p * n + i];
            sim_minute_rec r = {t,      v[0][i], v[1][i],      v[2][i],     v[3][i],
                                v[4][i], v[5][i], v[6][i],     (int)odd[i], (int)odi[i],
                                prices, (size_t)np};
            ret = fn(ctx, &r);
        }
        if (ret) break;
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = st_db_fail(db, err, errlen, "cannot read the timeseries");
    sqlite3_finalize(s);
    free(buf);
    return ret;
}

/* The samples of the table timeseries (runs stored before version 6). */
static int each_legacy(st_db *db, int64_t run_id, st_minute_fn fn, void *ctx, char *err,
                       size_t errlen) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db->db,
                           "SELECT t, required, target, fulfilled, pending, terminating,"
                           " spot_units, od_units, od_desired, od_in_service, prices"
                           " FROM timeseries WHERE run_id = ?1 ORDER BY t",
                           -1, &s, NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot read the timeseries");
    sqlite3_bind_int64(s, 1, run_id);
    double *prices = NULL;
    size_t cap = 0;
    int rc, ret = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(s, 10);
        size_t np = 0, want = p && *p ? 1 : 0;
        for (const char *q = p; q && *q; q++) want += *q == ',';
        if (grow_doubles(db, &prices, &cap, want, err, errlen)) {
            ret = -1;
            break;
        }
        while (p && *p && np < want) {
            char *end;
            prices[np++] = strtod(p, &end);
            p = *end == ',' ? end + 1 : NULL;
        }
        sim_minute_rec r = {sqlite3_column_int64(s, 0), sqlite3_column_double(s, 1),
                            sqlite3_column_double(s, 2), sqlite3_column_double(s, 3),
                            sqlite3_column_double(s, 4), sqlite3_column_double(s, 5),
                            sqlite3_column_double(s, 6), sqlite3_column_double(s, 7),
                            sqlite3_column_int(s, 8),    sqlite3_column_int(s, 9),
                            prices,                      np};
        if ((ret = fn(ctx, &r)) != 0) break;
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = st_db_fail(db, err, errlen, "cannot read the timeseries");
    sqlite3_finalize(s);
    free(prices);
    return ret;
}

int st_timeseries_each(st_db *db, int64_t run_id, st_minute_fn fn, void *ctx, char *err,
                       size_t errlen) {
    if (run_has_timeseries(db, run_id, err, errlen)) return -1;
    size_t found;
    int rc = each_compact(db, run_id, fn, ctx, &found, err, errlen);
    if (rc || found) return rc;
    return each_legacy(db, run_id, fn, ctx, err, errlen);
}

typedef struct {
    st_sample *rows;
    size_t n, cap;
    st_db *db;
    char *err;
    size_t errlen;
} collect_ctx;

static int collect(void *vctx, const sim_minute_rec *m) {
    collect_ctx *c = vctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 1024;
        st_sample *r = realloc(c->rows, cap * sizeof *r);
        if (!r) {
            snprintf(c->err, c->errlen, "%s: out of memory", c->db->path);
            return -1;
        }
        c->rows = r;
        c->cap = cap;
    }
    st_sample *r = &c->rows[c->n++];
    r->t = m->t;
    r->required = m->required;
    r->target = m->target;
    r->fulfilled = m->fulfilled;
    r->pending = m->pending;
    r->terminating = m->terminating;
    r->spot_units = m->spot_units;
    r->od_units = m->od_units;
    r->od_desired = m->od_desired;
    r->od_in_service = m->od_in_service;
    r->nprices = m->nprices < ST_MAX_PRICES ? m->nprices : ST_MAX_PRICES;
    memcpy(r->prices, m->prices, r->nprices * sizeof *r->prices);
    return 0;
}

int st_timeseries_read(st_db *db, int64_t run_id, st_sample **rows, size_t *n,
                       char *err, size_t errlen) {
    collect_ctx c = {NULL, 0, 0, db, err, errlen};
    int rc = st_timeseries_each(db, run_id, collect, &c, err, errlen);
    if (rc) {
        free(c.rows);
        c.rows = NULL;
        c.n = 0;
    }
    *rows = c.rows;
    *n = c.n;
    return rc ? -1 : 0;
}

sqlite3 *st_sqlite(st_db *db) { return db->db; }
const char *st_path(const st_db *db) { return db->path; }

/* ---- the sink -------------------------------------------------------------- */

/* Marks the run as refused; the reason is already in db->sink_err, since
** sim_run only learns that a callback said no. */
static int sink_fail(st_db *db) {
    db->sink_failed = 1;
    return -1;
}

/* Keeps `len` bytes of `t` in `b`; *off is where. Out of memory shows in
** b->oom. */
static void keep_text(sbuf *b, const char *t, size_t len, size_t *off) {
    *off = b->n;
    sb_add(b, t, len);
}

/* Adds a row to the batch, its texts (in `from`) copied into the batch's
** text buffer; inserts the batch when full. */
static int batch_row(st_db *db, const decision_row *row, const sbuf *from, char *err,
                     size_t errlen) {
    decision_row *d = &db->dec[db->ndec];
    *d = *row;
    if (row->reason_len != NO_TEXT)
        keep_text(&db->dec_text, from->p + row->reason, row->reason_len, &d->reason);
    if (row->error_len != NO_TEXT)
        keep_text(&db->dec_text, from->p + row->error, row->error_len, &d->error);
    if (db->dec_text.oom) {
        snprintf(err, errlen, "%s: out of memory", db->path);
        return -1;
    }
    if (++db->ndec == BATCH && flush_decisions(db, err, errlen)) return -1;
    return 0;
}

/* Puts the held row, if any, in the batch. */
static int release_held(st_db *db, char *err, size_t errlen) {
    if (!db->have_held) return 0;
    db->have_held = 0;
    int rc = batch_row(db, &db->held, &db->held_text, err, errlen);
    db->held_text.n = 0;
    return rc;
}

/* Is r, invocation `seq`, the very decision held, at the very next
** invocation: the same rejected call (DesiredCapacity, HonorCooldown, reason
** and error), or a 'none' with the same reason? */
static int same_repeat(const st_db *db, const sim_decision_rec *r, int64_t seq) {
    const decision_row *h = &db->held;
    if (!db->have_held || h->seq + h->repeats != seq || r->failed) return 0;
    if (h->set) {
        if (r->d.action != POL_ACT_SET || r->accepted || h->desired != r->d.desired ||
            h->honor_cooldown != (r->d.honor_cooldown ? 1 : 0))
            return 0;
    } else if (r->d.action == POL_ACT_SET) {
        return 0;
    }
    size_t en = r->error ? strlen(r->error) : NO_TEXT;
    if (en != h->error_len ||
        (en != NO_TEXT && memcmp(db->held_text.p + h->error, r->error, en) != 0))
        return 0;
    if (pol_reason_same(&db->held_d, &r->d)) return 1;
    char buf[POL_REASON_MAX];
    const char *reason = pol_reason(&r->d, buf);
    size_t rn = strnlen(reason, POL_REASON_MAX);
    if ((rn ? rn : NO_TEXT) != h->reason_len) return 0;
    return !rn || memcmp(db->held_text.p + h->reason, reason, rn) == 0;
}

/* The storing rules (docs/store.md): 'set' and 'failed' always, 'none' only
** with the timeseries; a rejected SetDesiredCapacity repeated unchanged at
** the next invocations (a policy asking again every minute through a
** cooldown), or a 'none' decision with the same reason (version 6), is one
** row with the count and the time of the last. So such a decision is held
** back until the next shows whether it repeats. */
static int on_decision(void *ctx, const sim_decision_rec *r) {
    st_db *db = ctx;
    if (db->sink_failed) return -1; /* the first reason stands */
    if (!db->in_run) {
        snprintf(db->sink_err, sizeof db->sink_err,
                 "%s: decision with no run open", db->path);
        return sink_fail(db);
    }
    int64_t seq = db->seq++;
    if (same_repeat(db, r, seq)) {
        db->held.repeats++;
        db->held.last_t = r->t;
        return 0;
    }
    if (release_held(db, db->sink_err, sizeof db->sink_err)) return sink_fail(db);
    /* A year of per-minute 'none' rows would dwarf everything else, so
    ** they come only with the timeseries. */
    if (!r->failed && r->d.action != POL_ACT_SET && !db->timeseries) return 0;
    decision_row row;
    memset(&row, 0, sizeof row);
    row.seq = seq;
    row.repeats = 1;
    if (r->failed) {
        row.action = "failed";
    } else if (r->d.action == POL_ACT_SET) {
        row.action = "set";
        row.set = 1;
        row.desired = r->d.desired;
        row.honor_cooldown = r->d.honor_cooldown ? 1 : 0;
        row.accepted = r->accepted ? 1 : 0;
    } else {
        row.action = "none";
    }
    row.t = row.last_t = r->t;
    /* The record is borrowed for this call only: its texts are copied. */
    int hold = (row.set && !row.accepted) || (!row.set && !r->failed);
    sbuf *text = hold ? &db->held_text : &db->dec_text;
    char buf[POL_REASON_MAX];
    const char *reason = pol_reason(&r->d, buf);
    size_t rn = strnlen(reason, POL_REASON_MAX);
    row.reason_len = rn ? rn : NO_TEXT;
    if (rn) keep_text(text, reason, rn, &row.reason);
    row.error_len = r->error ? strlen(r->error) : NO_TEXT;
    if (r->error) keep_text(text, r->error, row.error_len, &row.error);
    if (text->oom) {
        snprintf(db->sink_err, sizeof db->sink_err, "%s: out of memory",
                 db->path);
        return sink_fail(db);
    }
    if (hold) {
        db->held = row;
        db->held_d = r->d;
        db->have_held = 1;
        return 0;
    }
    db->dec[db->ndec] = row;
    if (++db->ndec == BATCH &&
        flush_decisions(db, db->sink_err, sizeof db->sink_err))
        return sink_fail(db);
    return 0;
}

static int on_minute(void *ctx, const sim_minute_rec *r) {
    st_db *db = ctx;
    if (db->sink_failed) return -1; /* the first reason stands */
    if (!db->in_run) {
        snprintf(db->sink_err, sizeof db->sink_err,
                 "%s: timeseries sample with no run open", db->path);
        return sink_fail(db);
    }
    /* The rows are keyed by time and decoded in order: a sample at or
    ** before the latest is refused, as the old table's primary key did. */
    if (db->ser_any && r->t <= db->ser_last_t) {
        snprintf(db->sink_err, sizeof db->sink_err,
                 "%s: cannot store a timeseries sample: t %lld is not after the "
                 "previous sample's %lld",
                 db->path, (long long)r->t, (long long)db->ser_last_t);
        return sink_fail(db);
    }
    st_series *ser = &db->ser;
    if ((ser->n == ST_SERIES_CHUNK || (ser->n && r->nprices != ser->npools)) &&
        flush_series(db, db->sink_err, sizeof db->sink_err))
        return sink_fail(db);
    if (st_series_add(ser, r)) {
        snprintf(db->sink_err, sizeof db->sink_err, "%s: out of memory", db->path);
        return sink_fail(db);
    }
    db->ser_any = 1;
    db->ser_last_t = r->t;
    return 0;
}

sim_sink st_sink(st_db *db) {
    sim_sink s = {db, on_decision, db->timeseries ? on_minute : NULL, db->timeseries, 1, 0};
    return s;
}

const char *st_sink_error(const st_db *db) {
    return db->sink_failed ? db->sink_err : NULL;
}

/* ---- live ticks ------------------------------------------------------------ */

const char *st_live_outcome_name(st_live_outcome o) {
    switch (o) {
    case ST_LIVE_NONE: return "none";
    case ST_LIVE_DRY_RUN: return "dry-run";
    case ST_LIVE_APPLIED: return "applied";
    case ST_LIVE_REJECTED: return "rejected";
    case ST_LIVE_FAILED: return "failed";
    }
    return NULL;
}

/* NULL when the record holds together, else what is wrong with it. The
** rules are those of aws_live_tick(): only a 'set' decision leads anywhere
** but 'none', and only an --apply run reaches AWS with it. */
static const char *live_rec_problem(const st_live_rec *r) {
    if (!r->fleet_request_id || !r->asg_name || !r->pol || !r->params ||
        !r->obs || !r->decision)
        return "incomplete live tick";
    if (r->pol->nparams > POL_MAX_PARAMS) return "incomplete live tick";
    if (!st_live_outcome_name(r->outcome)) return "unknown outcome";
    if (r->applied != 0 && r->applied != 1) return "applied must be 0 or 1";
    int set = r->decision->action == POL_ACT_SET;
    if (!set && r->decision->action != POL_ACT_NONE) return "unknown action";
    if (set != (r->outcome != ST_LIVE_NONE))
        return set ? "a 'set' decision with outcome 'none'"
                   : "a 'none' decision with an outcome other than 'none'";
    if (r->outcome == ST_LIVE_DRY_RUN && r->applied)
        return "outcome 'dry-run' in an --apply run";
    if (set && r->outcome != ST_LIVE_DRY_RUN && !r->applied)
        return "an AWS outcome in a dry run";
    return NULL;
}

int st_live_tick(st_db *db, const st_live_rec *r, char *err, size_t errlen) {
    if (db->in_run) {
        snprintf(err, errlen, "%s: a run is open; a live tick cannot join it",
                 db->path);
        return -1;
    }
    const char *problem = live_rec_problem(r);
    if (problem) {
        snprintf(err, errlen, "%s: %s", db->path, problem);
        return -1;
    }
    /* Prepared here rather than in st_open(): a simulator-only session never
    ** pays for it, and a database made before live_ticks existed (a
    ** pre-release build, same schema version) still serves runs. */
    if (!db->st[S_LIVE_INS] &&
        sqlite3_prepare_v3(db->db, fixed_sql[S_LIVE_INS], -1,
                           SQLITE_PREPARE_PERSISTENT, &db->st[S_LIVE_INS],
                           NULL) != SQLITE_OK)
        return st_db_fail(db, err, errlen, "cannot prepare the live tick insert");

    /* The texts are built before the transaction: nothing to undo when
    ** memory runs out. */
    sbuf params = {0};
    params_json(&params, r->pol, r->params);
    char *obs = trc_obs_format(r->obs);
    if (params.oom || !obs) {
        free(params.p);
        free(obs);
        snprintf(err, errlen, "%s: out of memory", db->path);
        return -1;
    }

    const pol_decision *d = r->decision;
    int set = d->action == POL_ACT_SET;
    sqlite3_stmt *s = db->st[S_LIVE_INS];
    sqlite3_bind_int64(s, 1, r->t);
    sqlite3_bind_text(s, 2, r->fleet_request_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, r->asg_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, r->pol->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, params.p, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, obs, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, set ? "set" : "none", -1, SQLITE_STATIC);
    if (set) {
        sqlite3_bind_int(s, 8, d->desired);
        sqlite3_bind_int(s, 9, d->honor_cooldown ? 1 : 0);
    } else {
        sqlite3_bind_null(s, 8);
        sqlite3_bind_null(s, 9);
    }
    size_t rn = strnlen(d->reason, sizeof d->reason);
    if (rn) sqlite3_bind_text(s, 10, d->reason, (int)rn, SQLITE_STATIC);
    else sqlite3_bind_null(s, 10);
    sqlite3_bind_int(s, 11, r->applied);
    sqlite3_bind_text(s, 12, st_live_outcome_name(r->outcome), -1,
                      SQLITE_STATIC);
    bind_text_or_null(s, 13, r->error);
    bind_text_or_null(s, 14, r->tool_version);

    int rc = -1;
    if (exec(db, "BEGIN IMMEDIATE", err, errlen, "cannot begin the live tick"))
        goto out;
    if (step_done(db, s, err, errlen, "cannot store the live tick") ||
        exec(db, "COMMIT", err, errlen, "cannot commit the live tick")) {
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    rc = 0;
out:
    /* Unbind: the texts are freed now, and SQLITE_STATIC bindings must not
    ** outlive them. */
    sqlite3_clear_bindings(s);
    free(params.p);
    free(obs);
    return rc;
}
