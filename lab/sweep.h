/*
** sweep.h: parameter sweeps: which parameter sets a sweep runs (grid axes and
** seeded random samples), in a fixed order so that any point can be named by
** its index alone, and the Pareto front of total cost against coverage.
**
** A sweep spec is a policy, scenarios, fixed --set strings, grid axes
** (KEY=START:STOP:STEP or KEY=V1,V2,...) and random keys (KEY=LO:HI, drawn
** `samples` times). Point p, 0 <= p < lab_sweep_npoints(), is the cross
** product index over the grid axes (the first axis varies slowest) and then
** the sample number; a run is a (point, scenario) pair. Random values of
** sample s depend on (seed, s) only, so a resumed or sharded sweep draws the
** very same values as a whole one.
**
** One driver, lab_sweep_drive(), takes a spec through its whole life
** (check, find or create, resume, run, read back); sweep, tune, compare and
** sensitivity all run their runs through it.
**
** Ownership: a lab_sweep_spec owns every string and array in it;
** lab_sweep_spec_free() releases them. Errors are values: functions return 0,
** or -1 with a message in err, unless they say otherwise.
*/
#ifndef SPOTBENCH_LAB_SWEEP_H
#define SPOTBENCH_LAB_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "store/sweeptab.h"

#define LAB_SWEEP_KEY_MAX 128

typedef struct {
    char key[LAB_SWEEP_KEY_MAX];
    char **values; /* as text, in order */
    size_t nvalues;
} lab_sweep_axis;

typedef struct {
    char key[LAB_SWEEP_KEY_MAX];
    double lo, hi;
    int integer; /* both bounds written as integers: draw whole numbers */
} lab_sweep_random;

typedef struct {
    char *policy;
    char **scenarios;
    size_t nscenarios;
    char **sets; /* fixed KEY=VALUE strings */
    size_t nsets;
    lab_sweep_axis *grid;
    size_t ngrid;
    lab_sweep_random *rnd;
    size_t nrnd;
    size_t samples; /* random samples; 0 without random keys */
    uint64_t seed;
} lab_sweep_spec;

/* Adds a copy of s to a list (spec->scenarios, spec->sets, an axis's
** values) built only by this function from an empty (NULL, 0) list: it
** keeps spare room without recording it. */
int lab_sweep_add_str(char ***list, size_t *n, const char *s, char *err,
                      size_t errlen);
/* Parses "KEY=START:STOP:STEP" (STOP included when it is reached within a
** millionth of a step) or "KEY=V1,V2,..." and adds the axis. */
int lab_sweep_add_grid(lab_sweep_spec *spec, const char *arg, char *err,
                       size_t errlen);
/* Parses "KEY=LO:HI" and adds the random key. */
int lab_sweep_add_random(lab_sweep_spec *spec, const char *arg, char *err,
                         size_t errlen);
void lab_sweep_spec_free(lab_sweep_spec *spec);

/* The most runs (parameter sets x scenarios) one sweep may hold, and the
** most random samples: a sweep's checks, tables and progress grow with them
** (docs/sweep.md, "Limits"). */
#define LAB_SWEEP_MAX_RUNS 1000000

/* Parameter sets (0 when a grid axis is empty or samples is 0 with random
** keys; SIZE_MAX when the product does not fit in a size_t). */
size_t lab_sweep_npoints(const lab_sweep_spec *spec);
/* Checks the sweep's size against LAB_SWEEP_MAX_RUNS before any work: 0, or
** -1 with a message naming the options that make it. */
int lab_sweep_check_size(const lab_sweep_spec *spec, char *err, size_t errlen);

/* The "KEY=VALUE" strings of point p: the grid values, then the random ones
** (ngrid + nrnd strings). Writes into buf (bufsize bytes) and sets
** out[0..ngrid+nrnd-1] to point into it. Returns 0, or -1 when p is out of
** range or buf too small. */
int lab_sweep_point(const lab_sweep_spec *spec, size_t p, char *buf,
                    size_t bufsize, const char **out);

/* The spec as canonical JSON (malloc'd, the caller's), and back. Two specs
** are the same sweep exactly when their JSON texts are equal. */
char *lab_sweep_spec_json(const lab_sweep_spec *spec);
int lab_sweep_spec_parse(const char *json, lab_sweep_spec *spec, char *err,
                         size_t errlen);

/* Robustness over unknowns: point p's "group" is p with the grid axes
** named in `over` (KEY names) set to their first value, so the points of a
** group differ only in the unknowns (an ingestion delay, a schedule's
** second). Returns 0 and sets *group, or -1 when a name in `over` is not a
** grid axis of the spec (err names it). */
int lab_sweep_group(const lab_sweep_spec *spec, const char *const *over, size_t nover,
                    size_t p, size_t *group, char *err, size_t errlen);

/* Pareto front of (cost, coverage), lower cost and higher coverage better:
** front[i] = 1 when no point j has cost_j <= cost_i and cov_j >= cov_i with
** one of them strict. Equal points are all on the front. O(n log n).
** Returns 0, or -1 when out of memory. */
int lab_pareto(const double *cost, const double *cov, size_t n, int *front);

/* ---- seeds ---------------------------------------------------------------- */

/* Replications: a sweep whose last grid axis is "seed" (and has no random
** keys) runs each parameter set at each of those seeds; point p * nseeds +
** s is set p at seed s. */
#define LAB_MAX_SEED_AXIS 1000
/* 1 when the spec's last grid axis is the seeds. */
int lab_sweep_seed_axis(const lab_sweep_spec *spec);
/* The seeds each parameter set runs at: the seed axis's values, else 1. */
size_t lab_sweep_nseeds(const lab_sweep_spec *spec);
/* Adds seeds[0..n) as the last axis; refused beside a fixed seed=, a
** seed axis of the user's, or random keys. */
int lab_sweep_add_seeds(lab_sweep_spec *spec, const uint64_t *seeds, size_t n, char *err,
                        size_t errlen);

/* ---- unknowns ----------------------------------------------------------- */

/* 1 when KEY is an unknown of the world rather than a setting one deploys:
** the seed, a cloudwatch.* field (how late datapoints arrive),
** controller.Offset or controller.Jitter (the schedule's second). */
int lab_sweep_unknown_key(const char *key);
/* The same for the first n bytes of key (a KEY=VALUE's key). */
int lab_sweep_unknown_key_n(const char *key, size_t n);
/* 1 when the spec varies something besides its seeds and every such axis
** is an unknown: a sensitivity sweep, whose "best point" is a guess about
** the world, not a setting. */
int lab_sweep_all_unknown(const lab_sweep_spec *spec);

/* ---- running a sweep (pool.c, drive.c) ---------------------------------- */

/* Checks a spec before anything is stored: the policy exists, every
** scenario loads with the first and the last point and passes a run's
** checks there (lab_run_check; a worker makes them for every run), every
** policy value of every point is valid, and every --set follows lab.h's
** rule. */
int lab_sweep_check(const lab_sweep_spec *spec, char *err, size_t errlen);
/* The same for a grid a search runs only part of (tune): no limit on its
** size, and each value of each axis checked (the others at their first)
** rather than every point. */
int lab_sweep_check_sparse(const lab_sweep_spec *spec, char *err, size_t errlen);

/* Called in the parent after each run: done of total. */
typedef void (*lab_sweep_progress)(void *ctx, size_t done, size_t total);

/* Runs the runs todo[0..ntodo-1] (r = point * nscenarios + scenario) of
** sweep `id` on `workers` forked processes, each storing into the database
** at db_path (no st_db may be open on it in this process: a connection must
** not cross fork()). Stops handing out runs at the first failure.
**
** Why workers write their own runs: a sweep's runs store no decisions or
** timeseries (only run, pools, summary), so a run's transaction is a few
** rows and takes the write lock for well under a millisecond; each worker
** opens its own connection, simulates without holding the lock, then
** stores. Nothing but run indices and status travels through the pipes. */
int lab_sweep_exec(const char *db_path, int64_t id, const lab_sweep_spec *spec,
                   const size_t *todo, size_t ntodo, int workers,
                   const char *tool_version, lab_sweep_progress progress,
                   void *ctx, char *err, size_t errlen);

/* The sweep row of a spec: created, found (0 when none) or read back. */
int lab_sweep_create(st_db *db, const lab_sweep_spec *spec, const char *tool_version,
                     int64_t *id, char *err, size_t errlen);
int lab_sweep_find(st_db *db, const lab_sweep_spec *spec, int64_t *id, char *err,
                   size_t errlen);
int lab_sweep_load(st_db *db, int64_t id, lab_sweep_spec *spec, char *err,
                   size_t errlen);

/* How lab_sweep_drive runs a sweep. */
typedef struct {
    const char *db_path;
    int64_t id;            /* in: the sweep to resume, 0 for a new one;
                              out: the sweep's id */
    int join;              /* with id 0: join a stored sweep of the same
                              spec (shards sharing one file) */
    long shard_k, shard_n; /* run only runs r with r mod N == K - 1 */
    int workers;
    const char *tool_version;
    const char *kind;      /* stored with a new sweep: "sweep" (NULL),
                              "compare", "sensitivity" */
    /* Optional: told the sweep and its runs before they run (runs in this
    ** shard, runs still to do), then each run done. */
    void (*start)(void *ctx, int64_t id, size_t nslice, size_t ntodo);
    lab_sweep_progress progress;
    void *ctx;
} lab_sweep_req;

/* The whole life of a sweep: check the spec (nothing is stored when it is
** bad), find or create its row (or resume req->id), skip the runs already
** stored, run the rest on the worker pool, and read every stored run back
** into *rows (malloc'd, the caller's; NULL: not read). Returns LAB_OK,
** LAB_BADINPUT (a bad spec) or LAB_FAIL (storage, a run), with err set. */
int lab_sweep_drive(const lab_sweep_spec *spec, lab_sweep_req *req,
                    st_sweep_row **rows, size_t *nrows, char *err, size_t errlen);

/* ---- stored runs as parameter sets (points.c) --------------------------- */

/* One parameter set aggregated over the sweep's scenarios. */
typedef struct {
    size_t point;
    char params[512];
    size_t nruns;       /* scenarios stored; complete when == nscenarios */
    double cost;        /* sum of total_cost over scenarios */
    double coverage;    /* minimum coverage_pct over scenarios */
} lab_sweep_pset;

/* Aggregates rows (sorted by point, as st_sweep_rows gives them) into one
** entry per point present. *points is malloc'd, the caller's. */
int lab_sweep_aggregate(const st_sweep_row *rows, size_t n,
                        lab_sweep_pset **points, size_t *npoints);

/* A group of parameter sets that differ only in the unknowns a sweep runs
** over (lab_sweep_group): its figures' ranges over them. */
typedef struct {
    size_t group;      /* the point with the unknowns at their first values */
    size_t npoints;    /* complete parameter sets in the group */
    double cost_min, cost_median, cost_max; /* total cost, summed over scenarios */
    double cost_mean, cost_lo, cost_hi;     /* its mean over the group, and the
                                               95 % t interval of that mean */
    double cov_min, cov_median, cov_max;    /* coverage, lowest of the scenarios */
    size_t worst_cost_point, worst_cov_point;
} lab_sweep_range;

/* Groups the complete points (nruns == spec->nscenarios) by
** lab_sweep_group over `over`, in order of their group. *out is malloc'd,
** the caller's. Returns 0, or -1 with a message (an unknown axis, out of
** memory). Medians are the lower of the two middle values. */
int lab_sweep_ranges(const lab_sweep_spec *spec, const lab_sweep_pset *pts, size_t npts,
                     const char *const *over, size_t nover, lab_sweep_range **out,
                     size_t *nout, char *err, size_t errlen);

#endif
