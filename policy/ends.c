/*
** ends.c: the two ends every comparison needs, as policies of the engine.
**
**  - `none`: spot only, as an Auto Scaling group with Capacity Rebalancing
**    and no on-demand fallback would run. The fleet's own replacement (and
**    its Capacity Rebalancing when the scenario turns it on) is all the
**    protection there is; the on-demand group is kept at its MinSize. It
**    reads no metric, so missing data cannot move it.
**  - `ondemand`: everything on demand. The group is kept at the whole
**    TargetCapacity, whatever spot does. A controller can only size the
**    group: the fleet keeps running beside it, as it would live, so its cost
**    is the fleet's plus the group's (the all-on-demand figure of every run,
**    the required capacity on demand alone, is the price without the fleet).
**    A failed or stale TargetCapacity holds.
**
** Both set the group ignoring the cooldown: neither has a reason to wait.
*/
#include "policy_int.h"

static int64_t none_lookback(const pol_params *p, int64_t period) {
    (void)p;
    return period;
}

static void none_decide(const pol_obs *o, const pol_params *p, pol_decision *d) {
    (void)p;
    if (!o->asg.known) {
        pol_hold(d, "ASG state unknown; holding");
        return;
    }
    if (o->asg.desired != o->asg.min_size)
        pol_set(d, o->asg.min_size, 0, "spot only: the group stays at MinSize %d",
                o->asg.min_size);
    else
        pol_none(d, "spot only: no on-demand fallback");
}

const pol_policy pol_none_policy = {
    "none",
    "spot only: no on-demand fallback (the group stays at MinSize), the "
    "cheapest end",
    NULL,
    0,
    none_lookback,
    none_decide,
    0,
    POL_READS_NONE,
    0,
    0,
    POL_BUILT_IN,
};

enum { P_UNITS, P_STALENESS, P_MAX_OD };

static const pol_param_def ondemand_params[] = {
    {"units_per_instance", 4, 0.001, 1e6, 0, "units",
     "capacity units one on-demand instance gives"},
    {"staleness", 180, 60, 3600, 1, "s",
     "ignore datapoints whose Timestamp is older than this (1-minute data)"},
    {"max_on_demand", 100, 0, 100000, 1, "instances",
     "never ask for more on-demand instances than this"},
};

static int64_t ondemand_lookback(const pol_params *p, int64_t period) {
    return pol_stale_span(p->v[P_STALENESS], period);
}

static void ondemand_decide(const pol_obs *o, const pol_params *p, pol_decision *d) {
    int64_t stale = pol_stale_span(p->v[P_STALENESS], pol_period(o));
    static const pol_metric need[] = {POL_TARGET};
    const pol_point *x;
    if (pol_require(o, need, 1, stale, &x, d)) return;
    int want = pol_instances_for(x->v, p->v[P_UNITS]);
    int cap = o->asg.max_size;
    if ((int)p->v[P_MAX_OD] < cap) cap = (int)p->v[P_MAX_OD];
    if (cap < o->asg.min_size) cap = o->asg.min_size;
    int to = want > cap ? cap : want;
    if (to < o->asg.min_size) to = o->asg.min_size;
    if (to == o->asg.desired)
        pol_none(d, "all on demand: %d instances for TargetCapacity %g", to, x->v);
    else
        pol_set(d, to, 0, "all on demand: TargetCapacity %g units needs %d instances%s",
                x->v, want, to < want ? ", capped" : "");
}

const pol_policy pol_ondemand = {
    "ondemand",
    "everything on demand: the group holds the whole TargetCapacity, the "
    "costliest end",
    ondemand_params,
    sizeof ondemand_params / sizeof ondemand_params[0],
    ondemand_lookback,
    ondemand_decide,
    0,
    POL_READS(POL_TARGET),
    0,
    0,
    POL_BUILT_IN,
};
