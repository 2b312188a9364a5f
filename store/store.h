/*
** store.h: keeps simulation runs in a SQLite database (schema: docs/store.md)
** so that runs can be compared, queried and reported on later.
**
** One run is one transaction: st_run_begin() opens it and stores the
** scenario, run and pool rows; the sink from st_sink() stores decisions (and
** per-minute samples when asked) while sim_run() runs; st_run_commit() stores
** the summary and commits, st_run_rollback() discards everything the run
** wrote. A run that fails half-way therefore leaves nothing behind.
**
**   st_db *db;
**   if (st_open("results/runs.db", &db, err, sizeof err)) ...
**   if (st_run_begin(db, &info, &run_id, err, sizeof err)) ...
**   sim_sink sink = st_sink(db);
**   if (sim_run(sc, pol, &params, &sink, &res, err, sizeof err))
**       st_run_rollback(db);            (st_sink_error(db) says why, if it was us)
**   else if (st_run_commit(db, &res, err, sizeof err)) ...
**   st_close(db);
**
** `spotbench live --db` stores each controller tick as one row of live_ticks
** with st_live_tick(), one transaction per tick (no run is involved).
**
** Errors are values: functions return 0, or -1 with a message naming the
** database file and what failed in err.
**
** Ownership: an st_db owns its SQLite connection and statements; st_close()
** releases them. st_run_info only borrows what it points to, for the duration
** of st_run_begin(). One st_db serves one thread and one run at a time.
*/
#ifndef SPOTBENCH_STORE_H
#define SPOTBENCH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"
#include "sim/sim.h"

/* The schema version this code writes (PRAGMA user_version). */
#define ST_SCHEMA_VERSION 7

typedef struct st_db st_db;

/* Opens (creating when missing) the database at `path`, and its parent
** directory (one level, such as results/), with WAL journaling and a 5 s busy
** timeout. Refuses a database of a newer schema version, or one that has
** tables but no spotbench schema. On success *out is the caller's, to be
** released with st_close(). */
int st_open(const char *path, st_db **out, char *err, size_t errlen);

/* Closes the database; a run still open is rolled back. NULL is allowed. */
void st_close(st_db *db);
/* The database's file name, for messages. */
const char *st_path(const st_db *db);
/* scenarios.hash_alg's name of a hash algorithm: "xxh64", "fnv1a64". */
const char *st_hash_alg_name(sim_hash_alg a);

typedef struct {
    const sim_scenario *sc;
    const pol_policy *pol;
    const pol_params *params;  /* every parameter of pol, as run */
    const char *const *sets;   /* the --set strings, stored as given */
    size_t nsets;
    const char *tool_version;  /* NULL: stored as NULL */
    int timeseries;            /* store per-minute samples and 'none' decisions */
} st_run_info;

/* Begins a run: BEGIN IMMEDIATE, the scenario row (reused when its hash is
** already stored), the run row and its pools. Sets *run_id. On failure the
** transaction is rolled back. */
int st_run_begin(st_db *db, const st_run_info *info, int64_t *run_id,
                 char *err, size_t errlen);

/* A sink storing into the run begun last: decisions ('none' ones only with
** timeseries) and, with timeseries, one row per minute (minute is NULL
** otherwise). Call it after st_run_begin(). The sink borrows db; it copies
** what it keeps of each record. Rows go into SQLite in batches, so a record
** SQLite refuses (a second sample for the same minute) makes a later
** callback, or st_run_commit(), fail. */
sim_sink st_sink(st_db *db);

/* When a sink callback refused a record: why (naming the file), until the
** next st_run_begin(); NULL otherwise. The string belongs to db. */
const char *st_sink_error(const st_db *db);

/* Stores the summary and commits the run. On failure the run is rolled back. */
int st_run_commit(st_db *db, const sim_result *res, char *err, size_t errlen);

/* Discards the run begun last and everything it stored. Harmless when no run
** is open. */
void st_run_rollback(st_db *db);

/* Reads back the summary of a committed run into *out. */
int st_summary_get(st_db *db, int64_t run_id, sim_result *out, char *err,
                   size_t errlen);

/* One stored per-minute sample, as read back (docs/store.md, timeseries). */
#define ST_MAX_PRICES 8
typedef struct {
    int64_t t;
    double required, target, fulfilled, pending, terminating, spot_units, od_units;
    int od_desired, od_in_service;
    double prices[ST_MAX_PRICES]; /* the first pools' prices */
    size_t nprices;
} st_sample;

/* The newest run of `pol` with parameters `params` (NULL: the policy's
** defaults; a caller gives the scenario's own, sim_scenario_params, whose
** units_per_instance is the group's) and no --set on the scenario stored
** under `scenario_path` (as `spotbench run` stores it): a reference point
** for figures. Returns 1 and sets *run_id, 0 when there is none, -1 on
** error. */
int st_reference_run(st_db *db, const char *scenario_path, const pol_policy *pol,
                     const pol_params *params,
                     int64_t *run_id, char *err, size_t errlen);

/* Reads the timeseries of run `run_id` in time order into *rows (malloc'd,
** the caller's). Fails with a clear message when there is no such run or it
** was stored without timeseries. */
/* What a run was, for figures: its scenario's name and path, its policy,
** its parameters (JSON object text) and --set strings (JSON array text) as
** stored, and its first pools (ST_MAX_PRICES, the ones the timeseries holds
** prices of) with their WeightedCapacity and SpotPrice (the max price per
** unit-hour; 0 when unknown). */
typedef struct {
    char scenario[64];
    char path[512];
    char policy[64];
    char params[1024];
    char sets[1024];
    int timeseries; /* runs.timeseries: 1 when its samples were stored */
    struct {
        char instance_type[32], az[32];
        double weight, max_price_unit;
    } pools[ST_MAX_PRICES];
    size_t npools;
} st_run_desc;

/* Fills *out for run_id. Returns 0, or -1 with a message ("no run N"). */
int st_run_describe(st_db *db, int64_t run_id, st_run_desc *out, char *err,
                    size_t errlen);

int st_timeseries_read(st_db *db, int64_t run_id, st_sample **rows, size_t *n,
                       char *err, size_t errlen);

/* Each sample of run run_id's timeseries, in time order, to fn, exactly as
** the run's sink was given it (every pool's price; r->prices is valid during
** the call only), from either format: the compact rows of version 6
** (timeseries_days) or a run stored before (timeseries). Fails with a clear
** message when there is no such run or it was stored without timeseries. A
** nonzero from fn stops the reading and is returned as it is. */
typedef int (*st_minute_fn)(void *ctx, const sim_minute_rec *r);
int st_timeseries_each(st_db *db, int64_t run_id, st_minute_fn fn, void *ctx, char *err,
                       size_t errlen);

/* Room for any "%.17g" of a double ("-2.2250738585072014e-308") and NUL. */
#define ST_G17_MAX 32

/* Writes v into out exactly as snprintf(out, ST_G17_MAX, "%.17g", v) does
** (round-half-even, as glibc in the default rounding mode) and returns the
** length. Exports print every number of a run's timeseries, and snprintf's general
** algorithm took 0.43 us a number where this took 0.09 us: 1e-4 <= |v| <
** 1e16 costs one 128-bit multiply; the rest is left to snprintf. */
int st_g17(double v, char *out);

/* ---- live ticks (spotbench live --db) -------------------------------- */

/* What became of a live tick's decision (live_ticks.outcome). */
typedef enum {
    ST_LIVE_NONE = 0, /* 'none': the decision was to do nothing */
    ST_LIVE_DRY_RUN,  /* 'dry-run': a change was decided, not applied */
    ST_LIVE_APPLIED,  /* 'applied': SetDesiredCapacity succeeded */
    ST_LIVE_REJECTED, /* 'rejected': ScalingActivityInProgress (cooldown) */
    ST_LIVE_FAILED    /* 'failed': SetDesiredCapacity failed otherwise */
} st_live_outcome;

/* One tick of the live controller. Everything is borrowed for the duration
** of st_live_tick(). */
typedef struct {
    int64_t t;                    /* the tick's now, epoch seconds */
    const char *fleet_request_id; /* FleetRequestId */
    const char *asg_name;         /* AutoScalingGroupName */
    const pol_policy *pol;
    const pol_params *params;     /* every parameter of pol, as run */
    const pol_obs *obs;           /* stored as the `policy eval` input line */
    const pol_decision *decision; /* as acted on: after any max_on_demand cap */
    int applied;                  /* 1: ran with --apply; 0: a dry run */
    st_live_outcome outcome;
    /* What failed in the tick (failed calls, a refused SetDesiredCapacity),
    ** as already-redacted messages; NULL when nothing did. Never a secret:
    ** the store writes what it is given. */
    const char *error;
    const char *tool_version; /* NULL: stored as NULL */
} st_live_rec;

/* Stores one tick as a row of live_ticks in its own transaction (BEGIN
** IMMEDIATE .. COMMIT), so a crash never leaves half a tick and each tick is
** durable before the next. Refuses a record whose parts contradict each
** other (an outcome of 'none' with a 'set' decision, 'dry-run' with
** applied = 1, ...) and a call while a simulation run is open. */
int st_live_tick(st_db *db, const st_live_rec *rec, char *err, size_t errlen);

/* The live_ticks.outcome text of an outcome ("dry-run", ...), or NULL when
** out of range. */
const char *st_live_outcome_name(st_live_outcome o);

/* ---- the flat views (views.c, docs/store.md "Views") ---------------------- */

/* One value of a view's row. */
typedef enum { ST_V_NULL, ST_V_INT, ST_V_REAL, ST_V_TEXT } st_value_type;
typedef struct {
    st_value_type type;
    int64_t i;
    double d;
    const char *s; /* valid during the callback only */
} st_value;

/* Called for each row: its n column names and values. Nonzero stops the
** reading (a write error). */
typedef int (*st_row_fn)(void *ctx, size_t n, const char *const *names, const st_value *v);

/* Every row of sweep sweep_id's view (sweep_<ID>_runs, by point and
** scenario), or with sweep_id 0 of run_results (by run id), to fn. A sweep
** that does not exist is an error naming it. 0, or -1 with a message. */
int st_view_each(st_db *db, int64_t sweep_id, st_row_fn fn, void *ctx, char *err,
                 size_t errlen);

#endif
