/*
** regress.h: bounds of the regression suite (see regress.c).
**
** Ownership: a lab_bounds owns the strings of its entries;
** lab_bounds_free() releases them.
*/
#ifndef SPOTBENCH_LAB_REGRESS_H
#define SPOTBENCH_LAB_REGRESS_H

#include "sim/sim.h"

#define LAB_BOUNDS_MAX 8
#define LAB_BOUNDS_CHECKS 11
#define LAB_BOUNDS_SETS 32

/* One entry of bounds.json: a policy, optionally with its own parameters
** and scenario overrides, and the figures its run must stay within. */
typedef struct {
    char label[64];            /* the entry's key: the policy's name, or a
                                  name of its own with "policy" given */
    const pol_policy *pol;
    int named;                 /* "policy" was given */
    char *params[POL_MAX_PARAMS]; /* "KEY=NUMBER", the policy's parameters */
    size_t nparams;
    char *sets[LAB_BOUNDS_SETS];  /* "PATH=JSON", scenario overrides */
    size_t nsets;
    int has[LAB_BOUNDS_CHECKS];
    double bound[LAB_BOUNDS_CHECKS];
} lab_policy_bounds;

typedef struct {
    lab_policy_bounds p[LAB_BOUNDS_MAX];
    size_t npolicies;
} lab_bounds;

typedef struct {
    const char *name; /* the bound's key, e.g. "coverage_pct_min" */
    double value, bound;
    int decimals;     /* the precision it is compared and written at */
    int pass;
} lab_check;

int lab_bounds_load(const char *path, lab_bounds *b, char *err, size_t errlen);
void lab_bounds_free(lab_bounds *b);
/* Checks a run against a policy's bounds; fills out[] (LAB_BOUNDS_CHECKS at
** most) and returns how many were checked. */
size_t lab_bounds_check(const lab_policy_bounds *pb, const sim_result *r, lab_check *out);
/* Sets the bounds from a run's figures, with tolerances, rounded to the
** precision they are compared at; keeps od_launches_max as it was. */
void lab_bounds_update(lab_policy_bounds *pb, const sim_result *r);
/* Writes the bounds, replacing `path` whole or not at all
** (traces/outfile.h). */
int lab_bounds_write(const char *path, const lab_bounds *b, char *err, size_t errlen);

#endif
