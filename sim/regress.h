/*
** regress.h: bounds of the regression suite (see regress.c).
**
** Ownership: a sim_bounds owns the strings of its entries;
** sim_bounds_free() releases them.
*/
#ifndef SPOTBENCH_REGRESS_H
#define SPOTBENCH_REGRESS_H

#include "sim.h"

#define SIM_BOUNDS_MAX 8
#define SIM_BOUNDS_CHECKS 11
#define SIM_BOUNDS_SETS 32

/* One entry of bounds.json: a policy, optionally with its own parameters
** and scenario overrides, and the figures its run must stay within. */
typedef struct {
    char label[64];            /* the entry's key: the policy's name, or a
                                  name of its own with "policy" given */
    const pol_policy *pol;
    int named;                 /* "policy" was given */
    char *params[POL_MAX_PARAMS]; /* "KEY=NUMBER", the policy's parameters */
    size_t nparams;
    char *sets[SIM_BOUNDS_SETS];  /* "PATH=JSON", scenario overrides */
    size_t nsets;
    int has[SIM_BOUNDS_CHECKS];
    double bound[SIM_BOUNDS_CHECKS];
} sim_policy_bounds;

typedef struct {
    sim_policy_bounds p[SIM_BOUNDS_MAX];
    size_t npolicies;
} sim_bounds;

typedef struct {
    const char *name; /* the bound's key, e.g. "coverage_pct_min" */
    double value, bound;
    int decimals;     /* the precision it is compared and written at */
    int pass;
} sim_check;

int sim_bounds_load(const char *path, sim_bounds *b, char *err, size_t errlen);
void sim_bounds_free(sim_bounds *b);
/* Checks a run against a policy's bounds; fills out[] (SIM_BOUNDS_CHECKS at
** most) and returns how many were checked. */
size_t sim_bounds_check(const sim_policy_bounds *pb, const sim_result *r, sim_check *out);
/* Sets the bounds from a run's figures, with tolerances, rounded to the
** precision they are compared at; keeps od_launches_max as it was. */
void sim_bounds_update(sim_policy_bounds *pb, const sim_result *r);
/* Writes the bounds, replacing `path` whole or not at all
** (traces/outfile.h). */
int sim_bounds_write(const char *path, const sim_bounds *b, char *err, size_t errlen);

#endif
