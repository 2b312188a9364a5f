/*
** hedge.c: SpotHedge's dynamic on-demand fallback (SkyServe, EuroSys 2025;
** SkyPilot's `dynamic_ondemand_fallback`), on the observation a Spot Fleet
** controller has.
**
** SkyServe keeps as many on-demand replicas as the target lacks in *ready*
** spot replicas: on-demand = base + max(0, spot target - ready spot), at most
** the target. A spot replica counts only once it is READY, so on-demand
** covers a replacement's whole cold start, and it is released as soon as
** spot is ready again (no cooldown). SkyServe also over-provisions spot
** replicas as a safeguard against preemptions.
**
** What this controller can see instead of replica states (AWS/EC2Spot
** metrics, one datapoint a Period, and the EventBridge events it received,
** pol_obs.events):
**  - serving spot = FulfilledCapacity less the units of the instances named
**    by interruption warnings received since two minutes before the
**    datapoint (each such instance is still in the datapoint, and gone two
**    minutes after its warning; TerminatingCapacity is not this: AWS counts
**    in it capacity the fleet terminates because it is above its target).
**    Without an event source (a replay of recorded metrics), serving spot
**    is FulfilledCapacity, and a loss is seen only once it is gone, later;
**    a run says so. FulfilledCapacity
**    counts an instance from the moment it runs, before ECS registers it,
**    so readiness is not observable. The closest honest proxy: a unit of
**    spot counts as ready only after it has been fulfilled for `cold_start`
**    seconds, i.e. the gap covered on demand is the largest
**    TargetCapacity - serving spot over the datapoints of the last
**    `cold_start` seconds and the freshest ones;
**  - "interruptions are recent" = an interruption warning or a rebalance
**    recommendation received within `recent` seconds, or a datapoint there
**    with FulfilledCapacity below the one before it while TargetCapacity
**    did not fall (capacity lost without a warning received). The fleet's
**    own over-provisioning is not this
**    controller's to set (the fleet's TargetCapacity is the user's), so the
**    over-provision of SpotHedge becomes `overprovision` extra on-demand
**    instances while interruptions are recent.
**
** Missing data: SkyServe reads its own replicas' states, which are never
** missing. Here a failed or stale TargetCapacity or FulfilledCapacity
** holds (no change), since the gap cannot be computed; so does a scale-in
** while either misses a datapoint within `cold_start`, or
** FulfilledCapacity one within `recent` (it might have shown a gap or an
** interruption).
** Every change ignores the ASG cooldown, as SkyServe has none.
*/
#include "policy_int.h"

enum {
    P_UNITS,
    P_STALENESS,
    P_COLD_START,
    P_OVERPROVISION,
    P_RECENT,
    P_BASE,
    P_MAX_OD
};

static const pol_param_def hedge_params[] = {
    {"units_per_instance", 4, 0.001, 1e6, 0, "units",
     "capacity units one on-demand instance gives"},
    {"staleness", 180, 60, 3600, 1, "s",
     "ignore datapoints whose Timestamp is older than this (1-minute data)"},
    {"cold_start", 300, 0, 86400, 1, "s",
     "spot capacity counts as serving only after it has been fulfilled this "
     "long (its replacement's cold start)"},
    {"overprovision", 1, 0, 10000, 1, "instances",
     "extra on-demand instances while interruptions are recent"},
    {"recent", 1800, 0, 86400, 1, "s",
     "an interruption within this long is recent"},
    {"base_on_demand", 0, 0, 100000, 1, "instances",
     "on-demand instances kept at all times (base_ondemand_fallback_replicas)"},
    {"max_on_demand", 100, 0, 100000, 1, "instances",
     "never ask for more on-demand instances than this"},
};

static int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

/* An interruption warning comes two minutes before the interruption. */
#define NOTICE_S 120

static int64_t hedge_lookback(const pol_params *p, int64_t period) {
    return imax(imax(imax((int64_t)p->v[P_COLD_START], (int64_t)p->v[P_RECENT]),
                     pol_stale_span(p->v[P_STALENESS], period)),
                NOTICE_S + 2 * period);
}

/* The units of the instances in datapoint t's FulfilledCapacity that were
** warned of an interruption by now: warnings received since two minutes
** before t (an instance warned earlier was gone by t). */
static double warned_at(const pol_obs *o, int64_t t) {
    double u = 0;
    if (o->events.known) pol_events_in(&o->events, POL_EV_WARNING, t - NOTICE_S, o->now, &u);
    return u;
}

/* The largest gap TargetCapacity - serving spot at the datapoints within
** the last `span` seconds that have both metrics. */
static double window_gap(const pol_obs *o, int64_t span, double gap) {
    const pol_series *f = &o->m[POL_FULFILLED];
    size_t first, n = pol_window(o, f, span, &first);
    for (size_t i = first; i < first + n; i++) {
        double t;
        if (!pol_value_at(&o->m[POL_TARGET], f->pts[i].t, &t)) continue;
        double g = t - (f->pts[i].v - warned_at(o, f->pts[i].t));
        if (g > gap) gap = g;
    }
    return gap;
}

/* Was an interruption seen within the last `span` seconds? */
static int interrupted_within(const pol_obs *o, int64_t span) {
    const pol_series *f = &o->m[POL_FULFILLED];
    if (o->events.known && (pol_events_in(&o->events, POL_EV_WARNING, o->now - span, o->now,
                                          NULL) ||
                            pol_events_in(&o->events, POL_EV_REBALANCE, o->now - span,
                                          o->now, NULL)))
        return 1;
    size_t first, n = pol_window(o, f, span, &first);
    for (size_t i = first + 1; i < first + n; i++) {
        double t0, t1;
        if (f->pts[i].v >= f->pts[i - 1].v) continue;
        if (pol_value_at(&o->m[POL_TARGET], f->pts[i - 1].t, &t0) &&
            pol_value_at(&o->m[POL_TARGET], f->pts[i].t, &t1) && t1 < t0)
            continue; /* the fleet was scaled in, nothing was lost */
        return 1;
    }
    return 0;
}

static void hedge_decide(const pol_obs *o, const pol_params *p, pol_decision *d) {
    static const pol_metric need[] = {POL_TARGET, POL_FULFILLED};
    const pol_point *fresh[2];
    int64_t stale = pol_stale_span(p->v[P_STALENESS], pol_period(o));

    if (pol_require(o, need, 2, stale, fresh, d)) return;
    double target = fresh[0]->v, serving = fresh[1]->v - warned_at(o, fresh[1]->t);
    double gap = target - serving;
    gap = window_gap(o, (int64_t)p->v[P_COLD_START], gap);
    if (gap > target) gap = target; /* never more than the target itself */
    int recent = interrupted_within(o, (int64_t)p->v[P_RECENT]);
    int cover = pol_instances_for(gap, p->v[P_UNITS]);
    int want = (int)p->v[P_BASE] + cover + (recent ? (int)p->v[P_OVERPROVISION] : 0);

    int cap = o->asg.max_size;
    if ((int)p->v[P_MAX_OD] < cap) cap = (int)p->v[P_MAX_OD];
    if (cap < o->asg.min_size) cap = o->asg.min_size;
    int to = want > cap ? cap : want;
    if (to < o->asg.min_size) to = o->asg.min_size;

    /* A scale-in needs every datapoint the gap and the interruption check
    ** read: a missing one might have shown a gap or an interruption. A
    ** missing TargetCapacity datapoint in `recent` already counts as one. */
    static const pol_metric gap_inputs[] = {POL_TARGET, POL_FULFILLED};
    if (to < o->asg.desired &&
        (pol_require_whole(o, gap_inputs, 2, (int64_t)p->v[P_COLD_START], o->asg.desired,
                           d) ||
         pol_require_whole(o, gap_inputs + 1, 1, (int64_t)p->v[P_RECENT], o->asg.desired,
                           d)))
        return;
    if (to == o->asg.desired) {
        pol_none(d, "on-demand %d covers a gap of %g units (target %g, serving "
                    "spot %g)%s",
                 to, gap > 0 ? gap : 0, target, serving,
                 recent ? ", interruptions recent" : "");
        return;
    }
    pol_set(d, to, 0,
            "%s: gap %g units (target %g, serving spot %g) needs %d + base %d%s%s",
            to > o->asg.desired ? "scale out" : "scale in", gap > 0 ? gap : 0,
            target, serving, cover, (int)p->v[P_BASE],
            recent ? " + over-provision (interruptions recent)" : "",
            to < want ? ", capped" : "");
}

const pol_policy pol_hedge = {
    "hedge",
    "SpotHedge's dynamic on-demand fallback: on demand covers target - serving "
    "spot through the replacement's cold start, plus an over-provision while "
    "interruptions are recent",
    hedge_params,
    sizeof hedge_params / sizeof hedge_params[0],
    hedge_lookback,
    hedge_decide,
    0,
    POL_READS(POL_TARGET) | POL_READS(POL_FULFILLED),
    1,
    0,
    POL_BUILT_IN,
};
