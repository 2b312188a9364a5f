/*
** karpenter.c: Karpenter's spot-to-on-demand fallback, on the observation a
** Spot Fleet controller has, with Karpenter's documented defaults; the
** settings its users ask for stay parameters.
**
** Karpenter (a NodePool allowing both capacity types) launches spot first;
** when a launch fails with insufficient capacity it marks that offering
** unavailable for UnavailableOfferingsTTL = 3 minutes
** (https://github.com/aws/karpenter-provider-aws/blob/main/pkg/cache/cache.go)
** and the next launch, seconds later, takes on-demand: no wait. It moves
** back to spot through consolidation, which a NodePool runs after
** consolidateAfter, default "0s"
** (https://github.com/kubernetes-sigs/karpenter/blob/main/pkg/apis/v1/nodepool.go),
** at most as many nodes at a time as its disruption budget allows, default
** "nodes: 10%" (https://karpenter.sh/docs/concepts/disruption/), and never
** onto a spot offering still marked unavailable. Karpenter has no notion of
** an Auto Scaling group's cooldown. So by default:
**
**  - fall back at the first datapoint showing a shortfall (`fallback_wait`
**    0): the controller cannot see launch errors, so the proxy is the
**    fleet's PendingCapacity (units the fleet requests but does not get),
**    covered on demand at once, ignoring the cooldown. With `fallback_wait`
**    > 0 (the wait asked for in aws/karpenter-provider-aws#7490, which the
**    maintainers declined) it falls back only once PendingCapacity has been
**    above 0 at every visible datapoint from `fallback_wait` seconds before
**    the newest up to the newest (a missing datapoint in between does not
**    reset the wait);
**  - return to spot once no datapoint showed a shortfall for the longer of
**    `consolidate_after` and `offering_ttl` (the unavailable offering must
**    have expired before consolidation can pick spot again), by at most the
**    budget per decision: `budget_nodes` instances when above 0, else
**    `budget_pct` % of DesiredCapacity rounded up (at least 1), ignoring the
**    cooldown unless `honor_cooldown` (1: the group paces the return, one
**    step per asg.DefaultCooldown);
**  - it never scales in while a PendingCapacity datapoint is missing within
**    that span (it might have shown a shortfall: it holds).
**
** The settings of the users' requests (#7490's wait, #8224's one node at a
** time after 30 minutes) are fallback_wait=180 consolidate_after=1800
** budget_nodes=1 honor_cooldown=1.
**
** Instances under an interruption notice are the fleet's to replace, as
** Karpenter replaces an interrupted node with spot first: they are not
** covered until that replacement fails too. A failed or stale
** PendingCapacity holds.
*/
#include "policy_int.h"

enum {
    P_UNITS,
    P_STALENESS,
    P_WAIT,
    P_CONSOLIDATE,
    P_TTL,
    P_BUDGET_PCT,
    P_BUDGET_NODES,
    P_HONOR,
    P_MAX_OD
};

static const pol_param_def karpenter_params[] = {
    {"units_per_instance", 4, 0.001, 1e6, 0, "units",
     "capacity units one on-demand instance gives"},
    {"staleness", 180, 60, 3600, 1, "s",
     "ignore datapoints whose Timestamp is older than this (1-minute data)"},
    {"fallback_wait", 0, 0, 86400, 1, "s",
     "a shortfall must last this long before falling back (Karpenter: none)"},
    {"consolidate_after", 0, 0, 86400, 1, "s",
     "no shortfall for this long before returning to spot (consolidateAfter, "
     "default 0s)"},
    {"offering_ttl", 180, 0, 86400, 1, "s",
     "a spot offering that failed stays unavailable this long "
     "(UnavailableOfferingsTTL, 3 minutes)"},
    {"budget_pct", 10, 0.001, 100, 0, "%",
     "instances returned to spot per decision, in % of DesiredCapacity rounded "
     "up (disruption budget, default nodes: 10%)"},
    {"budget_nodes", 0, 0, 100000, 1, "instances",
     "instances returned per decision when above 0 (a budget in nodes)"},
    {"honor_cooldown", 0, 0, 1, 1, "bool",
     "each return honours the group's cooldown (Karpenter has none)"},
    {"max_on_demand", 100, 0, 100000, 1, "instances",
     "never ask for more on-demand instances than this"},
};

static int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

/* How long no shortfall must have been seen before returning to spot. */
static int64_t settle_span(const pol_params *p) {
    return imax((int64_t)p->v[P_CONSOLIDATE], (int64_t)p->v[P_TTL]);
}

static int64_t karpenter_lookback(const pol_params *p, int64_t period) {
    int64_t stale = pol_stale_span(p->v[P_STALENESS], period);
    return imax((int64_t)p->v[P_WAIT] + stale, imax(settle_span(p), stale));
}

/* The instances one return may release from `desired`. */
static int budget(const pol_params *p, int desired) {
    if (p->v[P_BUDGET_NODES] > 0) return (int)p->v[P_BUDGET_NODES];
    /* Rounded up, with a tolerance so that 10 % of 30 is 3, not 4. */
    int n = pol_instances_for(p->v[P_BUDGET_PCT] * desired / 100.0, 1);
    return n < 1 ? 1 : n;
}

static void karpenter_decide(const pol_obs *o, const pol_params *p, pol_decision *d) {
    const pol_series *pend = &o->m[POL_PENDING];
    int64_t period = pol_period(o), stale = pol_stale_span(p->v[P_STALENESS], period);
    int64_t wait = (int64_t)p->v[P_WAIT], settle = settle_span(p);
    size_t first, n;

    static const pol_metric need[] = {POL_PENDING};
    const pol_point *newest;
    if (pol_require(o, need, 1, stale, &newest, d)) return;

    /* How long the shortfall has lasted: back from the newest datapoint
    ** while every one shows PendingCapacity > 0. */
    int64_t since = newest->t;
    n = pol_window(o, pend, wait + stale, &first);
    for (size_t i = first + n; i-- > first && pend->pts[i].v > 0;) since = pend->pts[i].t;
    int64_t lasted = newest->v > 0 ? newest->t - since : -1;

    int cap = o->asg.max_size;
    if ((int)p->v[P_MAX_OD] < cap) cap = (int)p->v[P_MAX_OD];
    if (cap < o->asg.min_size) cap = o->asg.min_size;
    int desired = o->asg.desired;

    if (lasted >= wait) {
        int want = pol_instances_for(newest->v, p->v[P_UNITS]);
        int to = want > cap ? cap : want;
        if (to < o->asg.min_size) to = o->asg.min_size;
        if (to > desired) {
            pol_set(d, to, 0,
                    "fall back: PendingCapacity %g units for %llds (wait %llds) "
                    "needs %d instances%s",
                    newest->v, (long long)lasted, (long long)wait, want,
                    to < want ? ", capped" : "");
            return;
        }
    }
    if (desired < o->asg.min_size) {
        pol_set(d, o->asg.min_size, 0, "DesiredCapacity below MinSize");
        return;
    }
    if (newest->v > 0) {
        if (lasted < wait)
            pol_none(d, "PendingCapacity %g units for %llds: waiting %llds before "
                        "falling back",
                     newest->v, (long long)lasted, (long long)wait);
        else
            pol_none(d, "PendingCapacity %g units: %d instances desired", newest->v,
                     desired);
        return;
    }
    n = pol_window(o, pend, settle, &first);
    for (size_t i = first; i < first + n; i++)
        if (pend->pts[i].v > 0) {
            pol_none(d, "holding %d instances: a shortfall within %llds", desired,
                     (long long)settle);
            return;
        }
    if (desired > o->asg.min_size) {
        if (pol_require_whole(o, need, 1, settle, desired, d)) return;
        int to = desired - budget(p, desired);
        if (to < o->asg.min_size) to = o->asg.min_size;
        pol_set(d, to, p->v[P_HONOR] != 0,
                "return to spot: no shortfall for %llds, %d of %d instances (budget)",
                (long long)settle, desired - to, desired);
        return;
    }
    pol_none(d, "no shortfall");
}

const pol_policy pol_karpenter = {
    "karpenter",
    "Karpenter's fallback with its documented defaults: on demand at the first "
    "shortfall, back to spot after consolidateAfter 0s and the 3-minute offering "
    "TTL, 10 % of the nodes at a time",
    karpenter_params,
    sizeof karpenter_params / sizeof karpenter_params[0],
    karpenter_lookback,
    karpenter_decide,
    0,
    POL_READS(POL_PENDING),
    0,
    0,
    POL_BUILT_IN,
};
