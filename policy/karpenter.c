/*
** karpenter.c: Karpenter's spot-to-on-demand fallback, on the observation a
** Spot Fleet controller has, with the two changes its users ask for.
**
** Karpenter (a NodePool allowing both capacity types) launches spot first;
** when a launch fails with insufficient capacity it marks that offering
** unavailable for 3 minutes (UnavailableOfferingsTTL) and the next launch,
** seconds later, takes on-demand. Users ask to wait before falling back
** (aws/karpenter-provider-aws #7490: "add waitAndRetry period before it
** falls back to ondemand"), and to return to spot gradually, one node at a
** time after a settling period (#8224: a disruption budget of one node and
** consolidateAfter 30m). This policy does both:
**
**  - fall back only after launches have failed for `fallback_wait` seconds:
**    the controller cannot see launch errors, so the proxy is the fleet's
**    PendingCapacity (units the fleet requests but does not get) above 0
**    at every visible datapoint from one `fallback_wait` seconds before the
**    newest up to the newest. A missing datapoint in between does not reset
**    the wait (it proves nothing). It then covers the newest PendingCapacity
**    on demand, ignoring the cooldown. `fallback_wait` 0 is Karpenter as
**    shipped: on-demand at the first datapoint showing a shortfall;
**  - return to spot one instance at a time, once no datapoint showed a
**    shortfall for `consolidate_after` seconds. A stateless controller does
**    not know when it last removed an instance; the group does: each
**    scale-in honours the cooldown, so the pace is one instance per
**    asg.DefaultCooldown (a scenario field, tuned with the rest);
**  - it never scales in while a shortfall is within `consolidate_after`,
**    nor while a PendingCapacity datapoint is missing there (it might have
**    shown one: it holds).
**
** Instances under an interruption notice (TerminatingCapacity) are the
** fleet's to replace, as Karpenter replaces an interrupted node with spot
** first: they are not covered until that replacement fails too. A failed or
** stale PendingCapacity holds.
*/
#include "policy_int.h"

enum { P_UNITS, P_STALENESS, P_WAIT, P_CONSOLIDATE, P_MAX_OD };

static const pol_param_def karpenter_params[] = {
    {"units_per_instance", 4, 0.001, 1e6, 0, "units",
     "capacity units one on-demand instance gives"},
    {"staleness", 180, 60, 3600, 1, "s",
     "ignore datapoints whose Timestamp is older than this (1-minute data)"},
    {"fallback_wait", 180, 0, 86400, 1, "s",
     "a shortfall must last this long before falling back (Karpenter's "
     "offering TTL is 180 s)"},
    {"consolidate_after", 1800, 0, 86400, 1, "s",
     "no shortfall for this long before returning one instance to spot"},
    {"max_on_demand", 100, 0, 100000, 1, "instances",
     "never ask for more on-demand instances than this"},
};

static int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

static int64_t karpenter_lookback(const pol_params *p, int64_t period) {
    int64_t stale = pol_stale_span(p->v[P_STALENESS], period);
    return imax((int64_t)p->v[P_WAIT] + stale, imax((int64_t)p->v[P_CONSOLIDATE], stale));
}

static void karpenter_decide(const pol_obs *o, const pol_params *p, pol_decision *d) {
    const pol_series *pend = &o->m[POL_PENDING];
    int64_t period = pol_period(o), stale = pol_stale_span(p->v[P_STALENESS], period);
    int64_t wait = (int64_t)p->v[P_WAIT], settle = (int64_t)p->v[P_CONSOLIDATE];
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
        pol_set(d, desired - 1, 1,
                "return to spot: no shortfall for %llds, one instance at a time",
                (long long)settle);
        return;
    }
    pol_none(d, "no shortfall");
}

const pol_policy pol_karpenter = {
    "karpenter",
    "Karpenter's fallback, waiting before it falls back (#7490) and returning "
    "to spot one instance at a time (#8224)",
    karpenter_params,
    sizeof karpenter_params / sizeof karpenter_params[0],
    karpenter_lookback,
    karpenter_decide,
    0,
    POL_READS(POL_PENDING),
    POL_BUILT_IN,
};
