/*
** regret.h: the regret table of `spotbench compare`: each policy's figures
** on each case of a suite, against the oracle's bound, and aggregated over
** the suite; and the runs that fill it (lab_cmp_run: one sweep per policy).
**
** Regret is the cost above the oracle's bound (sim_result.oracle_cost: the
** cheapest on-demand capacity in service exactly during each spot
** shortfall, on the run's own spot side). It is never negative: a run that
** costs less than the bound does so because it covers less, and its regret
** is "not available" (regret_ok = 0) with its coverage said beside it, as
** sim_gap_format() prints it.
**
** Beside it, the policy's own regret: its cost above the reactive bound
** (sim_result.reactive_cost: acting at once on each shortfall as AWS makes
** it known), defined as the regret is: where the run costs at least the
** bound (a run that costs less covers less: no policy beats the reactive
** bound on both).
** The oracle's regret less the own regret is what not knowing the future
** costs.
**
** Ownership: a lab_cmp owns its cells (lab_cmp_free); names are borrowed.
*/
#ifndef SPOTBENCH_LAB_REGRET_H
#define SPOTBENCH_LAB_REGRET_H

#include <stddef.h>
#include <stdint.h>

#include "lab/stats.h"
#include "policy/policy.h"
#include "sim/sim.h"

typedef struct {
    double total, oracle, coverage;  /* USD, USD, % of unit-time */
    int regret_ok;                   /* 0: cheaper than the bound (covers less) */
    double regret, regret_pct;       /* USD above the bound, % of the bound */
    double reactive, reactive_cov;   /* the reactive bound: USD, coverage % */
    int own_ok;                      /* 0: cheaper than the reactive bound */
    double own;                      /* USD above the reactive bound */
    int own_na;                      /* aggregates: cases whose own is n/a */
    double shortfall_uh, required_uh;
    int shortfalls;                  /* spot shortfall episodes */
    int64_t lat_med, lat_max;        /* fallback latency, s */
    int64_t ret_med, ret_max;        /* time back to spot, s */
    double od_after;                 /* on-demand hours after recovery */
    int flaps;
    int na;                          /* aggregates: cases whose regret is n/a */
    size_t ncases;                   /* aggregates: cases summed */
} lab_cmp_cell;

typedef struct {
    size_t ncases, npolicies;
    const char *const *cases;    /* case names, borrowed */
    const char *const *policies; /* policy names, borrowed */
    size_t nseeds;
    const uint64_t *seeds;       /* borrowed */
    /* Each seed's table: rep[(seed * ncases + case) * npolicies + policy],
    ** and its aggregate over the cases, rep_agg[seed * npolicies + policy]. */
    lab_cmp_cell *rep, *rep_agg;
    /* The table the figures show: each field the mean over the seeds
    ** (counts rounded), regret that of the means; and its aggregate. */
    lab_cmp_cell *cell;          /* [case * npolicies + policy] */
    lab_cmp_cell *agg;           /* [policy]: over every case */
    int *random;                 /* [case]: its runs draw at random (else
                                    every seed gives the same run) */
} lab_cmp;

/* Allocates the table (cells zeroed) for seeds[0..nseeds) (nseeds >= 1).
** Returns 0, or -1 when out of memory. */
int lab_cmp_init(lab_cmp *c, const char *const *cases, size_t ncases,
                 const char *const *policies, size_t npolicies, const uint64_t *seeds,
                 size_t nseeds);
void lab_cmp_free(lab_cmp *c);

/* Fills seed seed_i's cell (case, policy) from a run's summary. */
void lab_cmp_set(lab_cmp *c, size_t seed_i, size_t case_i, size_t pol_i,
                 const sim_result *r);

/* Aggregates every seed's table over the cases: costs, shortfall,
** on-demand hours and flaps summed; coverage = 1 - sum shortfall / sum
** required; regret summed over the cases where it is defined (na counts
** the others) and its % taken of those cases' bound, the own regret
** likewise (own_na); the reactive bound's cost summed, its coverage taken
** as the policies'; latencies: the
** largest maximum, and the median of the medians of the cases that had a
** spot shortfall. Then the mean table over the seeds, aggregated the same
** way, but for the suite's regrets: the mean of each seed's (the cases
** without one differ from seed to seed; na is the most of any seed). */
void lab_cmp_aggregate(lab_cmp *c);

/* What the seeds say of policy a against policy b over the whole suite,
** paired seed by seed: total cost (a - b, USD) and coverage (a - b,
** points). */
typedef struct {
    lab_paired cost, coverage;
} lab_cmp_verdict;
void lab_cmp_verdict_of(const lab_cmp *c, size_t a, size_t b, lab_cmp_verdict *out);

/* Policy p's figures over the seeds on case k (k == ncases: the whole
** suite): total cost, coverage and regret (% of the bound; a seed where the
** run covers less than the bound and costs less counts as 0). */
void lab_cmp_stats(const lab_cmp *c, size_t k, size_t p, lab_stat *total, lab_stat *coverage,
                   lab_stat *regret_pct);

/* Policy p's regret per case, in % of each case's bound (the mean table's
** cells): the median over the cases where it is defined (the lower middle
** one for an even count) and the worst, with its case; *n is how many cases
** count. One case with most of the suite's dollars makes the summed regret
** mostly that case: these say what a typical case and the worst one cost.
** Returns 0, or -1 when no case has a regret (all n/a). */
int lab_cmp_case_regret(const lab_cmp *c, size_t p, double *median, double *worst,
                        size_t *worst_case, size_t *n);

/* A cell's regret as printed: "+5.88" / "+6.8 %", or "n/a (covers 95.2 %)"
** (and "" for the % then). */
void lab_cmp_regret_text(const lab_cmp_cell *x, char *abs, size_t alen, char *pct,
                         size_t plen);

/* A cell's own regret as printed: "+0.68", "n/a" (cheaper than the
** reactive bound: it covers less), or for an aggregate "+1.20 (n/a on 2)". */
void lab_cmp_own_text(const lab_cmp_cell *x, char *buf, size_t len);

/* Runs every case (scenario paths cases[0..t->ncases)) with each policy
** pols[0..t->npolicies) at each of t's seeds, one sweep per policy in the
** database at db_path (its id in sweep_ids[p]; the seeds its grid axis
** `seed`), fills every seed's cells and aggregates; sets[0..nsets) go to
** every run under lab.h's rule (a parameter to the chosen policies that
** have it). The same seed gives every policy the same spot side (the
** simulator draws each concern from its own stream), so the policies'
** differences are paired. Returns LAB_OK, LAB_BADINPUT or LAB_FAIL with err set. */
int lab_cmp_run(lab_cmp *t, const char *db_path, const char *const *cases,
                const pol_policy *const *pols, const char *const *sets, size_t nsets,
                int workers, const char *tool_version, int64_t *sweep_ids, char *err,
                size_t errlen);

#endif
