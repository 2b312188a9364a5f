/*
** lab.h: the experiment layer between the engine (sim/, store/) and the
** CLI: what one run is made of. Every command that takes --set KEY=VALUE
** (run, sweep, tune, compare, sensitivity, regress, deploy live-config,
** policy eval) splits and applies it here, under one rule:
**
**   1. a key that one of the chosen policies has is that policy's parameter
**      (applied to each chosen policy that has it);
**   2. a key that only other policies have is an error naming them;
**   3. any other key is a scenario field by its path (asg.DefaultCooldown,
**      fleet.LaunchSpecifications[0].SpotPrice): its first name must be a
**      top-level field of a scenario (else an error with the closest name
**      suggested), and the scenario loader checks the rest.
**
** Values stay typed: a parameter's text is read once, by the policy engine
** (pol_param_set); a field's text is read once, as JSON, by the loader.
**
** Errors are values: 0, or -1 with a message in err that starts with the
** offending "--set KEY=VALUE" (or, from the loader, "FILE: FIELD: ...").
** Every string a lab_sets holds is borrowed from the caller's list.
*/
#ifndef SPOTBENCH_LAB_H
#define SPOTBENCH_LAB_H

#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"
#include "sim/sim.h"

/* What a lab function that drives a whole piece of work returns: the CLI's
** exit statuses (0 done, 1 a run-time failure, 2 bad input). */
enum { LAB_OK = 0, LAB_FAIL = 1, LAB_BADINPUT = 2 };

/* The most --set strings (with swept keys) one run takes. */
#define LAB_MAX_SETS 64

typedef struct {
    const char *param[LAB_MAX_SETS]; /* KEY=VALUE: a chosen policy's parameter */
    size_t nparam;
    const char *field[LAB_MAX_SETS]; /* KEY=VALUE: a scenario field */
    size_t nfield;
} lab_sets;

/* Splits sets[0..n) for the policies pols[0..npols) under the rule above;
** with npols 0 (none chosen yet), every policy counts as chosen. Checks
** the shape (KEY=VALUE, a key of at most 127 bytes), not the values. */
int lab_sets_split(const pol_policy *const *pols, size_t npols,
                   const char *const *sets, size_t n, lab_sets *out, char *err,
                   size_t errlen);

/* Applies the parameters of s that `pol` has to *p (which the caller has
** filled with the policy's defaults or the scenario's controller.params),
** each checked by the policy engine. */
int lab_sets_params(const pol_policy *pol, const lab_sets *s, pol_params *p,
                    char *err, size_t errlen);

/* The strings of sets[0..n) (already split without error for a list of
** chosen policies that includes pol) that a run of `pol` takes, in their
** order: every scenario field and pol's own parameters, not the other
** chosen policies' parameters. Fills out (n entries at most); returns how
** many. */
size_t lab_sets_for(const pol_policy *pol, const char *const *sets, size_t n,
                    const char **out);

/* One run's inputs: the scenario at `path` with the fields of sets, and the
** parameters of *pol (its defaults, then the scenario's controller.params
** for it, then sets), checked by lab_run_check. *pol NULL: the scenario's
** controller.policy, which *pol is set to. cache may be NULL. On success
** the caller frees *sc. */
int lab_load(const char *path, const pol_policy **pol, const char *const *sets,
             size_t n, sim_trace_cache *cache, sim_scenario *sc,
             pol_params *params, char *err, size_t errlen);

/* The checks of one run's inputs once its parameters are final (lab_load
** makes them; a caller that builds the parameters itself calls this), so
** that no run silently measures something else than was asked:
**   - a policy's units_per_instance must be the on-demand group's
**     asg.WeightedCapacity (its default), unless the scenario says
**     controller.AllowUnitsMismatch: the message names both, and where the
**     other value came from: the last of params[0..nparams) ("KEY=VALUE"
**     parameter strings of --set) that sets it, or controller.params;
**   - a direct-mode replay must have recorded every metric the policy reads
**     (sim_scenario_check_policy): a policy never silently degrades to
**     holding.
** Returns 0, or -1 with the reason in err. */
int lab_run_check(const sim_scenario *sc, const pol_policy *pol, const pol_params *p,
                  const char *const *params, size_t nparams, char *err, size_t errlen);

/* ---- replications ---------------------------------------------------------- */

/* The most seeds one command runs. */
#define LAB_MAX_SEEDS 1000

/* --seeds: "N" (seeds 1 to N), "A-B" (A to B) or "S1,S2,..." (in that
** order, no seed twice), into seeds[0..*n) (LAB_MAX_SEEDS room). Returns
** 0, or -1 with the reason in err. */
int lab_seeds_parse(const char *arg, uint64_t *seeds, size_t *n, char *err,
                    size_t errlen);

/* ---- one run (runs.c) ---------------------------------------------------- */

struct st_db;

/* Simulates one run and stores it as one transaction (nothing stored when
** either fails). Returns 0, or -1 with err set. */
int lab_run_store(struct st_db *db, const sim_scenario *sc, const pol_policy *pol,
                  const pol_params *params, const char *const *sets, size_t nsets,
                  int timeseries, const char *tool_version, sim_result *res,
                  int64_t *run_id, char *err, size_t errlen);

/* 1 with a note in `note` when a policy with a fallback_capacity (classic,
** the seed's controller) will assume a shortfall of another size than the
** fleet's TargetCapacity (the original hard-codes 32 units, so on a 48-unit
** fleet it silently covers 32); 0 when they agree or in direct mode. */
int lab_note_fallback(const sim_scenario *sc, const pol_policy *pol,
                      const pol_params *params, char *note, size_t len);

#endif
