/*
** oracle.c: the `oracle` entry of the policy table. The oracle is not a
** controller: it knows the fleet's future, so the simulator computes it
** (sim/bound.c) from the run's spot capacity instead of asking it minute
** by minute. Its entry exists so that users find it where they look for
** policies, with the rest of them, and so that callers can refuse it where
** only real policies make sense (policy eval, live).
*/
#include "policy_int.h"

static int64_t oracle_lookback(const pol_params *p, int64_t period) {
    (void)p;
    return period;
}

static void oracle_decide(const pol_obs *o, const pol_params *p,
                          pol_decision *d) {
    (void)o;
    (void)p;
    pol_none(d, "the oracle is computed by the simulator");
}

const pol_policy pol_oracle = {
    "oracle",
    "simulation only: on-demand capacity in service exactly during each spot "
    "shortfall; the cost bound at full coverage",
    NULL,
    0,
    oracle_lookback,
    oracle_decide,
    1,
    POL_READS_NONE,
    0,
    0,
    POL_BUILT_IN,
};
