/*
** native.c: the native AWS strategies a user may run instead of a fallback
** controller, as baselines the lab compares, sweeps and tunes like a
** policy: their parameters are the strategy's settings.
**
**  - `mixed-instances`: the spot capacity is one Auto Scaling group with a
**    MixedInstancesPolicy: OnDemandBaseCapacity (`on_demand_base`) and
**    OnDemandPercentageAboveBaseCapacity (`on_demand_percentage`) of its
**    DesiredCapacity run on demand, the rest on spot; when spot cannot be
**    launched the group retries, it never fails over to on-demand.
**  - `capacity-providers`: an ECS cluster with a spot and an on-demand
**    capacity provider; the capacity-provider strategy gives the on-demand
**    provider `base` tasks, then splits the rest by `weight_spot` and
**    `weight_on_demand`; managed scaling keeps each provider's group at
**    `target_capacity` % utilisation; tasks given to the spot provider wait
**    while it cannot launch.
**
** Neither has a controller: decide() always answers "none", and the
** simulator sets the spot side up from the parameters (sim/spotasg.c).
** Parameter order is the simulator's (sim_sasg_setup reads them by index).
*/
#include "policy_int.h"

static int64_t native_lookback(const pol_params *p, int64_t period) {
    (void)p;
    return period;
}

static void native_decide(const pol_obs *o, const pol_params *p, pol_decision *d) {
    (void)o;
    (void)p;
    pol_none(d, "native strategy: no controller");
}

static const pol_param_def mixed_params[] = {
    {"on_demand_base", 8, 0, 1e6, 1, "units",
     "OnDemandBaseCapacity: the group's first units, on demand (8: two of the seed's "
     "4-unit instances)"},
    {"on_demand_percentage", 0, 0, 100, 1, "%",
     "OnDemandPercentageAboveBaseCapacity: the share on demand above the base (0: all "
     "spot above it, as AWS recommends for fault-tolerant work)"},
};

const pol_policy pol_mixed_instances = {
    "mixed-instances",
    "native: one Auto Scaling group with a MixedInstancesPolicy (on-demand base + "
    "percentage, spot retried, no failover), no controller",
    mixed_params,
    sizeof mixed_params / sizeof mixed_params[0],
    native_lookback,
    native_decide,
    0,
    POL_READS_NONE,
    0,
    POL_NATIVE_MIXED,
    POL_BUILT_IN,
};

static const pol_param_def providers_params[] = {
    {"base", 8, 0, 1e6, 1, "units",
     "capacity-provider strategy: tasks (units) placed first on the on-demand "
     "provider"},
    {"weight_spot", 1, 0, 1000, 1, "",
     "capacity-provider strategy: the spot provider's weight for the tasks above "
     "the base"},
    {"weight_on_demand", 0, 0, 1000, 1, "",
     "capacity-provider strategy: the on-demand provider's weight above the base"},
    {"target_capacity", 100, 1, 100, 1, "%",
     "managed scaling targetCapacity: each provider's group is sized so that its "
     "tasks fill this share of it (below 100: spare capacity)"},
    {"instance_warmup", 300, 0, 10000, 1, "s",
     "managed scaling instanceWarmupPeriod (AWS's default); acts only when the "
     "requirement changes, which no bundled case does"},
};

const pol_policy pol_capacity_providers = {
    "capacity-providers",
    "native: ECS spot and on-demand capacity providers (strategy base/weights, "
    "managed scaling targetCapacity), tasks on spot wait, no controller",
    providers_params,
    sizeof providers_params / sizeof providers_params[0],
    native_lookback,
    native_decide,
    0,
    POL_READS_NONE,
    0,
    POL_NATIVE_PROVIDERS,
    POL_BUILT_IN,
};
