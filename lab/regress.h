/*
** regress.h: bounds of the regression suite (see regress.c).
**
** Ownership: a lab_bounds owns the strings of its entries;
** lab_bounds_free() releases them.
*/
#ifndef SPOTBENCH_LAB_REGRESS_H
#define SPOTBENCH_LAB_REGRESS_H

#include "sim/sim.h"

struct st_db;

#define LAB_BOUNDS_MAX 8
#define LAB_BOUNDS_CHECKS 11
#define LAB_BOUNDS_SETS 32
#define LAB_UPDATE_WIDEN 2

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
** precision they are compared at; keeps od_launches_max as it was. With
** `widen`, a bound only ever loosens (a minimum goes down, a maximum up):
** bounds fitted over several seeds, one run at a time, hold at each. */
void lab_bounds_update(lab_policy_bounds *pb, const sim_result *r, int widen);
/* Writes the bounds, replacing `path` whole or not at all
** (traces/outfile.h). */
int lab_bounds_write(const char *path, const lab_bounds *b, char *err, size_t errlen);

/* ---- suites and regression cases (cases.c) ------------------------------ */

/* The cases of a suite: names and scenario paths, malloc'd (lab_suite_free
** releases them). */
typedef struct {
    char **name, **path;
    size_t n;
} lab_suite;

/* A scenario file is one case, named after its folder; a folder holding a
** scenario.json is that one case; any other folder gives each subfolder
** holding a scenario.json, sorted by name (none: n == 0, not an error).
** Returns LAB_OK, LAB_BADINPUT (no such path, an unreadable folder) or
** LAB_FAIL (out of memory) with err set. */
int lab_suite_load(const char *path, lab_suite *s, char *err, size_t errlen);
void lab_suite_free(lab_suite *s);

/* What `regress` asks of one case. */
typedef struct {
    const char *const *sets;      /* --set, under lab.h's rule */
    size_t nsets;
    const pol_policy *const *only;/* run only the entries of these policies */
    size_t nonly;                 /* 0: every entry */
    int update;                   /* rewrite bounds.json from the runs;
                                     LAB_UPDATE_WIDEN: only loosen it */
    const char *tool_version;
    const char *seed;             /* "seed=S" for every run, or NULL: the
                                     scenario's own */
} lab_regress_req;

/* One entry's run and its checks. */
typedef struct {
    char label[64];
    const pol_policy *pol;
    int64_t run_id;
    lab_check check[LAB_BOUNDS_CHECKS];
    size_t nchecks;
} lab_regress_run;

typedef struct {
    int skipped;                  /* no bounds.json, and not updating */
    lab_regress_run run[LAB_BOUNDS_MAX];
    size_t nruns;
} lab_regress_result;

/* Runs the case in `folder` (its scenario.json, with every entry of its
** bounds.json, or classic and guarded when updating a case without one),
** stores each run in db, checks the bounds and, with update, rewrites
** bounds.json from the runs. `name` is the case's name, for messages.
** Returns LAB_OK (out filled; checks may fail), LAB_BADINPUT (bad bounds,
** a bad --set) or LAB_FAIL (a run or the store) with err set. */
int lab_regress_case(struct st_db *db, const char *name, const char *folder,
                     const lab_regress_req *req, lab_regress_result *out, char *err,
                     size_t errlen);

#endif
