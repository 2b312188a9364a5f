/*
** sweep.h: parameter sweeps: which parameter sets a sweep runs (grid axes and
** seeded random samples), in a fixed order so that any point can be named by
** its index alone, and the Pareto front of total cost against coverage.
**
** A sweep spec is a policy, scenarios, fixed --set strings, grid axes
** (KEY=START:STOP:STEP or KEY=V1,V2,...) and random keys (KEY=LO:HI, drawn
** `samples` times). Point p, 0 <= p < sim_sweep_npoints(), is the cross
** product index over the grid axes (the first axis varies slowest) and then
** the sample number; a run is a (point, scenario) pair. Random values of
** sample s depend on (seed, s) only, so a resumed or sharded sweep draws the
** very same values as a whole one.
**
** Ownership: a sim_sweep_spec owns every string and array in it;
** sim_sweep_spec_free() releases them. Errors are values: functions return 0,
** or -1 with a message in err.
*/
#ifndef SPOTBENCH_SIM_SWEEP_H
#define SPOTBENCH_SIM_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#define SIM_SWEEP_KEY_MAX 128

typedef struct {
    char key[SIM_SWEEP_KEY_MAX];
    char **values; /* as text, in order */
    size_t nvalues;
} sim_sweep_axis;

typedef struct {
    char key[SIM_SWEEP_KEY_MAX];
    double lo, hi;
    int integer; /* both bounds written as integers: draw whole numbers */
} sim_sweep_random;

typedef struct {
    char *policy;
    char **scenarios;
    size_t nscenarios;
    char **sets; /* fixed KEY=VALUE strings */
    size_t nsets;
    sim_sweep_axis *grid;
    size_t ngrid;
    sim_sweep_random *rnd;
    size_t nrnd;
    size_t samples; /* random samples; 0 without random keys */
    uint64_t seed;
} sim_sweep_spec;

/* Adds a copy of s to a list (spec->scenarios, spec->sets, an axis's
** values) built only by this function from an empty (NULL, 0) list: it
** keeps spare room without recording it. */
int sim_sweep_add_str(char ***list, size_t *n, const char *s, char *err,
                      size_t errlen);
/* Parses "KEY=START:STOP:STEP" (STOP included when it is reached within a
** millionth of a step) or "KEY=V1,V2,..." and adds the axis. */
int sim_sweep_add_grid(sim_sweep_spec *spec, const char *arg, char *err,
                       size_t errlen);
/* Parses "KEY=LO:HI" and adds the random key. */
int sim_sweep_add_random(sim_sweep_spec *spec, const char *arg, char *err,
                         size_t errlen);
void sim_sweep_spec_free(sim_sweep_spec *spec);

/* The most runs (parameter sets x scenarios) one sweep may hold, and the
** most random samples: a sweep's checks, tables and progress grow with them
** (docs/sweep.md, "Limits"). */
#define SIM_SWEEP_MAX_RUNS 1000000

/* Parameter sets (0 when a grid axis is empty or samples is 0 with random
** keys; SIZE_MAX when the product does not fit in a size_t). */
size_t sim_sweep_npoints(const sim_sweep_spec *spec);
/* Checks the sweep's size against SIM_SWEEP_MAX_RUNS before any work: 0, or
** -1 with a message naming the options that make it. */
int sim_sweep_check_size(const sim_sweep_spec *spec, char *err, size_t errlen);

/* The "KEY=VALUE" strings of point p: the grid values, then the random ones
** (ngrid + nrnd strings). Writes into buf (bufsize bytes) and sets
** out[0..ngrid+nrnd-1] to point into it. Returns 0, or -1 when p is out of
** range or buf too small. */
int sim_sweep_point(const sim_sweep_spec *spec, size_t p, char *buf,
                    size_t bufsize, const char **out);

/* The spec as canonical JSON (malloc'd, the caller's), and back. Two specs
** are the same sweep exactly when their JSON texts are equal. */
char *sim_sweep_spec_json(const sim_sweep_spec *spec);
int sim_sweep_spec_parse(const char *json, sim_sweep_spec *spec, char *err,
                         size_t errlen);

/* Robustness over unknowns: point p's "group" is p with the grid axes
** named in `over` (KEY names) set to their first value, so the points of a
** group differ only in the unknowns (an ingestion delay, a schedule's
** second). Returns 0 and sets *group, or -1 when a name in `over` is not a
** grid axis of the spec (err names it). */
int sim_sweep_group(const sim_sweep_spec *spec, const char *const *over, size_t nover,
                    size_t p, size_t *group, char *err, size_t errlen);

/* Pareto front of (cost, coverage), lower cost and higher coverage better:
** front[i] = 1 when no point j has cost_j <= cost_i and cov_j >= cov_i with
** one of them strict. Equal points are all on the front. O(n log n).
** Returns 0, or -1 when out of memory. */
int sim_pareto(const double *cost, const double *cov, size_t n, int *front);

#endif
