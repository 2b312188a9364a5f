/*
** sweep.h: parameter sweeps in the results database, and the worker pool
** that runs them (schema: docs/store.md, commands: docs/sweep.md).
**
** A sweep is a row of `sweeps` holding its spec (sim/sweep.h, as canonical
** JSON); each of its runs is an ordinary run (runs, run_pools, summaries)
** plus a `sweep_runs` row naming its (point, scenario), stored in the run's
** own transaction. So a sweep interrupted at any moment, even by kill -9,
** leaves whole runs only, and --resume runs the (point, scenario) pairs that
** have no sweep_runs row.
**
** Why workers write their own runs: a sweep's runs store no decisions or
** timeseries (only run, pools, summary), so a run's transaction is a few
** rows and takes the write lock for well under a millisecond; each forked
** worker opens its own connection, simulates without holding the lock, then
** stores. Nothing but run indices and status travels through the pipes.
**
** Errors are values: 0, or -1 with a message in err.
*/
#ifndef SPOTBENCH_STORE_SWEEP_H
#define SPOTBENCH_STORE_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "sim/sweep.h"
#include "store/store.h"

/* Checks a spec before anything is stored: the policy exists, every
** scenario loads with the first and the last point, every policy value of
** every point is valid. */
int st_sweep_check(const sim_sweep_spec *spec, char *err, size_t errlen);

/* Creates the sweep row. */
int st_sweep_create(st_db *db, const sim_sweep_spec *spec,
                    const char *tool_version, int64_t *id, char *err,
                    size_t errlen);

/* The id of the sweep with this exact spec, or 0 when there is none. */
int st_sweep_find(st_db *db, const sim_sweep_spec *spec, int64_t *id,
                  char *err, size_t errlen);

/* Reads sweep `id`'s spec into *spec (the caller frees it). */
int st_sweep_load(st_db *db, int64_t id, sim_sweep_spec *spec, char *err,
                  size_t errlen);

/* Marks done[r] = 1 for every stored run r = point * nscenarios + scenario
** of the sweep; done has `n` entries, zeroed by the caller. */
int st_sweep_done(st_db *db, int64_t id, unsigned char *done, size_t n,
                  char *err, size_t errlen);

/* One stored run of a sweep. */
typedef struct {
    size_t point, scenario;
    int64_t run_id;
    char params[512]; /* JSON object of the swept keys */
    double cost, coverage;
} st_sweep_row;

/* Every stored run of the sweep, by (point, scenario). *rows is malloc'd,
** the caller's. */
int st_sweep_rows(st_db *db, int64_t id, st_sweep_row **rows, size_t *n,
                  char *err, size_t errlen);

/* Called in the parent after each run: done of total, and the run index. */
typedef void (*st_sweep_progress)(void *ctx, size_t done, size_t total);

/* Runs the runs todo[0..ntodo-1] (r = point * nscenarios + scenario) of
** sweep `id` on `workers` forked processes, each storing into the database
** at db_path (no st_db may be open on it in this process: a connection must
** not cross fork()). Stops handing out runs at the first failure. */
int st_sweep_exec(const char *db_path, int64_t id, const sim_sweep_spec *spec,
                  const size_t *todo, size_t ntodo, int workers,
                  const char *tool_version, st_sweep_progress progress,
                  void *ctx, char *err, size_t errlen);

/* One parameter set aggregated over the sweep's scenarios. */
typedef struct {
    size_t point;
    char params[512];
    size_t nruns;       /* scenarios stored; complete when == nscenarios */
    double cost;        /* sum of total_cost over scenarios */
    double coverage;    /* minimum coverage_pct over scenarios */
} st_sweep_point;

/* Aggregates rows (sorted by point, as st_sweep_rows gives them) into one
** entry per point present. *points is malloc'd, the caller's. */
int st_sweep_aggregate(const st_sweep_row *rows, size_t n,
                       st_sweep_point **points, size_t *npoints);

/* A group of parameter sets that differ only in the unknowns a sweep runs
** over (sim_sweep_group): its figures' ranges over them. */
typedef struct {
    size_t group;      /* the point with the unknowns at their first values */
    size_t npoints;    /* complete parameter sets in the group */
    double cost_min, cost_median, cost_max; /* total cost, summed over scenarios */
    double cov_min, cov_median, cov_max;    /* coverage, lowest of the scenarios */
    size_t worst_cost_point, worst_cov_point;
} st_sweep_range;

/* Groups the complete points (nruns == spec->nscenarios) by
** sim_sweep_group over `over`, in order of their group. *out is malloc'd,
** the caller's. Returns 0, or -1 with a message (an unknown axis, out of
** memory). Medians are the lower of the two middle values. */
int st_sweep_ranges(const sim_sweep_spec *spec, const st_sweep_point *pts, size_t npts,
                    const char *const *over, size_t nover, st_sweep_range **out,
                    size_t *nout, char *err, size_t errlen);

/* ---- merging shard databases (merge.c) ----------------------------------- */

/* Checks that the database at shard_path is a spotbench database of this
** schema version holding exactly one sweep spec (one or more sweeps with
** equal specs), and that spec equals *spec when *spec is set; sets *spec
** (malloc'd, the caller's) otherwise. Opens it read-only. */
int st_merge_check(const char *shard_path, char **spec, char *err,
                   size_t errlen);

/* Copies into db every run of the shard's sweep whose (point, scenario) the
** sweep of the same spec in db lacks (creating that sweep when db has none),
** with their scenarios, pools, summaries, decisions and timeseries, in one
** transaction. Idempotent. Sets *sweep_id and *copied. */
int st_merge(st_db *db, const char *shard_path, int64_t *sweep_id,
             size_t *copied, char *err, size_t errlen);

#endif
