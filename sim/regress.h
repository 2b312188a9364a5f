/*
** regress.h: bounds of the regression suite (see regress.c).
*/
#ifndef SPOTBENCH_REGRESS_H
#define SPOTBENCH_REGRESS_H

#include "sim.h"

#define SIM_BOUNDS_MAX 8
#define SIM_BOUNDS_CHECKS 5

typedef struct {
    const pol_policy *pol;
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
    int pass;
} sim_check;

int sim_bounds_load(const char *path, sim_bounds *b, char *err, size_t errlen);
/* Checks a run against a policy's bounds; fills out[] (SIM_BOUNDS_CHECKS at
** most) and returns how many were checked. */
size_t sim_bounds_check(const sim_policy_bounds *pb, const sim_result *r, sim_check *out);
/* Sets the bounds from a run's figures, with tolerances; keeps
** od_launches_max as it was. */
void sim_bounds_update(sim_policy_bounds *pb, const sim_result *r);
int sim_bounds_write(const char *path, const sim_bounds *b, char *err, size_t errlen);

#endif
