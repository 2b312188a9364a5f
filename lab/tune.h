/*
** tune.h: the search of `spotbench tune`: the cheapest point of a grid of
** parameter ranges whose coverage meets a floor on every case, found with a
** pattern (compass) search instead of running the whole grid.
**
** Points are indices into the grid in the order of lab/sweep.h (the first
** axis varies slowest), so a point's runs are the runs of a sweep whose
** grid axes are the ranges: run r = point * ncases + case. The search asks
** an evaluator for batches of runs (the CLI runs them as a sweep on worker
** processes, and returns stored results of runs already done: a resumed
** tune re-reads what it ran before) and keeps every answer.
**
** The search, from a start point, with a step per axis (a quarter of the
** axis, at least 1): the neighbours x +- step along each axis are run; the
** best of them, if better than the incumbent, becomes it; otherwise every
** step halves, and when all steps are 1 and no neighbour is better it has
** converged. Better: meeting the floor beats not; among points meeting it
** the cheaper (total cost summed over the cases), among those that do not
** the one with the higher lowest coverage; then the lower index. Further
** starts are drawn from `seed` while the budget lasts (`restarts` of them).
**
** Pruning (why far fewer runs than points x cases): a neighbour is run
** first on the incumbent's binding case (its lowest coverage); only one
** that meets the floor there and is not already dearer than the incumbent
** there is run on the other cases. Costs are never negative, so a pruned
** neighbour could not have won.
**
** Deterministic: the same ranges, cases, floor, seed and evaluator answers
** give the same runs in the same order and the same result.
*/
#ifndef SPOTBENCH_LAB_TUNE_H
#define SPOTBENCH_LAB_TUNE_H

#include <stddef.h>
#include <stdint.h>

#include "lab/sweep.h"
#include "policy/policy.h"

/* Evaluates runs[0..n-1] (r = point * ncases + case): fills cost[i] (USD)
** and cov[i] (coverage %) for each. Returns 0, or -1 with err set. */
typedef int (*lab_tune_eval)(void *ctx, const size_t *runs, size_t n, double *cost,
                             double *cov, char *err, size_t errlen);

typedef struct {
    size_t ndims;
    const size_t *dim;    /* values per axis */
    const size_t *start;  /* the first start, an index per axis */
    size_t ncases;
    double min_cov;       /* coverage floor, % */
    size_t budget;        /* runs at most; 0: no limit */
    size_t restarts;      /* further starts after the first converges */
    uint64_t seed;
} lab_tune_cfg;

typedef struct {
    size_t point;         /* the best point found */
    int feasible;         /* it meets the floor on every case */
    double cost;          /* its total cost over the cases */
    double min_cov;       /* its lowest coverage */
    size_t runs;          /* runs asked for */
    size_t points;        /* points run on at least one case */
    size_t complete;      /* points run on every case */
    int converged;        /* the last start converged (not cut by the budget) */
} lab_tune_result;

/* Runs the search. Returns 0 (res filled; res->points is 0 only when the
** budget allowed no run), or -1 with err (the evaluator's failure, out of
** memory, a bad configuration). */
int lab_tune_run(const lab_tune_cfg *cfg, lab_tune_eval eval, void *ctx,
                 lab_tune_result *res, char *err, size_t errlen);

/* Points in the grid: the product of dim (saturating at SIZE_MAX). */
size_t lab_tune_npoints(const size_t *dim, size_t ndims);

/* The default search ranges of a policy's parameters and of the scenario
** fields that pace it (sweep --grid syntax: KEY=START:STOP:STEP or
** KEY=V1,V2,...), NULL-terminated, or NULL when it has none. */
const char *const *lab_tune_ranges(const char *policy);

/* ---- the tune's sweep (tunesweep.c) ------------------------------------- */

/* The sweep spec of a tune of `pol` over the cases (scenario paths): the
** --set strings (lab.h's rule, with pol chosen), and as grid axes the
** policy's default ranges, each replaced by a range of the same key, then
** the other ranges (sweep --grid syntax), then, with nseeds, the seeds as
** the last axis, "seed" (a point then meets the floor only at every seed,
** and costs the sum over them: it is ranked by its mean). Returns LAB_OK,
** LAB_BADINPUT or LAB_FAIL with err set; the caller frees *spec either
** way. */
int lab_tune_spec(const pol_policy *pol, const char *const *cases, size_t ncases,
                  const char *const *sets, size_t nsets, const char *const *ranges,
                  size_t nranges, uint64_t seed, const uint64_t *seeds, size_t nseeds,
                  lab_sweep_spec *spec, char *err, size_t errlen);


typedef struct {
    const char *db_path;
    int workers;
    const char *tool_version;
    double min_cov;       /* coverage floor, % */
    size_t budget;        /* runs at most; 0: no limit */
    size_t restarts;
} lab_tune_req;

typedef struct {
    int64_t sweep_id;
    int resumed;          /* the sweep of this spec was in the database */
    size_t nseeds;        /* seeds each point runs at (1: the scenario's) */
    size_t point;         /* the sweep's point of res.point, at its first
                             seed (res.point counts parameter sets) */
    size_t nruns;         /* runs of the whole grid */
    size_t simulated;     /* runs simulated now (the others read back) */
    lab_tune_result res;
    double regret, oracle;/* res.point's cost above the oracle's bound, and
                             the bound, over the cases where it is defined
                             (means over the seeds) */
    int na;               /* cases where it is not */
    double own, reactive; /* the same against the reactive bound: the
                             policy's own share of the regret */
    int own_na;
} lab_tune_out;

/* Runs the search over the spec's grid as a sweep in the database (the
** sweep of the same spec resumed, its stored runs read back, not run
** again). Returns LAB_OK, LAB_BADINPUT or LAB_FAIL with err set. */
int lab_tune_sweep(const lab_sweep_spec *spec, const pol_policy *pol,
                   const lab_tune_req *req, lab_tune_out *out, char *err, size_t errlen);

#endif
