/*
** guarded.c: the improved policy. Same decision shape as classic, with the
** classic policy's failure modes fixed:
**
**  - a failed or stale metric never causes an action (classic assumes 32
**    pending units when a datapoint is late): a failed or stale
**    TargetCapacity or PendingCapacity holds;
**  - it reads the newest datapoint no older than `staleness`, which is given
**    for 1-minute data and scales with the metrics' Period (Period/60 times
**    as long), as do the spans `confirm` counts datapoints in;
**  - capacity the fleet is legitimately still launching after a
**    TargetCapacity increase within `window` is not covered on demand, but a
**    shortfall beyond it is covered at once, even while the fleet scales
**    (classic does nothing at all while the fleet scales);
**  - it scales out only after `confirm` consecutive datapoints show a
**    shortfall, except for the instances named by the interruption warnings
**    (EventBridge events, pol_obs.events) received within the last two
**    minutes, which are covered at once when `use_events`: those instances
**    are gone two minutes after their warning. TerminatingCapacity is not
**    read: AWS counts in it capacity the fleet terminates because it holds
**    more than its target, not capacity under a notice. Without an event
**    source (a replay of recorded metrics) it covers losses only once
**    PendingCapacity shows them, later, and a run says so;
**  - it scales in only when no shortfall was seen for `scale_in_delay`, with
**    every Period of that window's PendingCapacity present (a missing
**    datapoint might have been the shortfall: it holds), and by at most
**    `scale_in_step` instances per decision;
**  - it stays within [MinSize, min(MaxSize, max_on_demand)];
**  - with `use_launch_failures`, a failed spot launch (a Failed scaling
**    activity of a spot group, pol_obs.launch_failures) that ended within
**    `window` says the pending capacity is not being launched: none of it
**    counts as launching and one datapoint confirms the shortfall, so it is
**    covered at once instead of after `window`. Without a source (a Spot
**    Fleet has no such activity) it runs as without the parameter, and its
**    reasons say so.
**
** Scale-out ignores the ASG cooldown; scale-in honours it.
*/
#include "policy_int.h"

#include <math.h>
#include <stdio.h>

enum {
    P_UNITS,
    P_STALENESS,
    P_WINDOW,
    P_CONFIRM,
    P_SCALE_IN_DELAY,
    P_SCALE_IN_STEP,
    P_HEADROOM,
    P_MAX_OD,
    P_USE_EVENTS,
    P_USE_LAUNCH_FAILURES
};

/* An interruption warning comes two minutes before the interruption. */
#define NOTICE_S 120

static const pol_param_def guarded_params[] = {
    {"units_per_instance", 4, 0.001, 1e6, 0, "units",
     "capacity units one on-demand instance gives"},
    {"staleness", 180, 60, 3600, 1, "s",
     "ignore datapoints whose Timestamp is older than this"},
    {"window", 600, 60, 86400, 1, "s",
     "a TargetCapacity increase within this long is capacity the fleet is "
     "still launching"},
    {"confirm", 2, 1, 30, 1, "datapoints",
     "consecutive datapoints with a shortfall before scaling out"},
    {"scale_in_delay", 900, 0, 86400, 1, "s",
     "no shortfall for this long before scaling in"},
    {"scale_in_step", 4, 1, 10000, 1, "instances",
     "instances removed per decision at most"},
    {"headroom_units", 0, 0, 1e6, 0, "units",
     "extra units covered on top of a shortfall"},
    {"max_on_demand", 100, 0, 100000, 1, "instances",
     "never ask for more on-demand instances than this"},
    {"use_events", 1, 0, 1, 1, "bool",
     "cover the units of interruption warnings received within 2 minutes at once"},
    {"use_launch_failures", 0, 0, 1, 1, "bool",
     "a failed spot launch within `window`: cover the pending units at once"},
};

static int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

/* The window in which the `confirm` newest datapoints must lie. */
/* `staleness` at this Period: the parameter is given for 1-minute data. */
static int64_t stale_span(const pol_params *p, int64_t period) {
    return pol_stale_span(p->v[P_STALENESS], period);
}

static int64_t confirm_span(const pol_params *p, int64_t period) {
    return stale_span(p, period) + ((int64_t)p->v[P_CONFIRM] - 1) * period;
}

static int64_t guarded_lookback(const pol_params *p, int64_t period) {
    return imax(imax(imax((int64_t)p->v[P_WINDOW], (int64_t)p->v[P_SCALE_IN_DELAY]),
                     confirm_span(p, period)),
                NOTICE_S);
}

static void guarded_decide(const pol_obs *o, const pol_params *p,
                           pol_decision *d) {
    const pol_series *target = &o->m[POL_TARGET];
    const pol_series *pending = &o->m[POL_PENDING];
    int64_t period = pol_period(o), stale = stale_span(p, period);
    size_t first, n;

    static const pol_metric inputs[] = {POL_TARGET, POL_PENDING};
    const pol_point *fresh[2];
    if (pol_require(o, inputs, 2, stale, fresh, d)) return;
    const pol_point *t_new = fresh[0], *p_new = fresh[1];

    /* Capacity the fleet may still be launching: the TargetCapacity increase
    ** over the window, measured from its lowest point. */
    double t_min = t_new->v;
    n = pol_window(o, target, (int64_t)p->v[P_WINDOW], &first);
    for (size_t i = first; i < first + n; i++)
        if (target->pts[i].v < t_min) t_min = target->pts[i].v;
    double launching = t_new->v - t_min;

    /* A failed spot launch within the window: what is pending is not being
    ** launched, and needs no further confirmation. */
    int use_fail = p->v[P_USE_LAUNCH_FAILURES] != 0;
    int failed = use_fail && o->launch_failures.known &&
                 pol_launch_failures_in(&o->launch_failures, o->now - (int64_t)p->v[P_WINDOW],
                                        o->now) > 0;
    if (failed) launching = 0;

    /* Units under an interruption notice, about to be lost: those named by
    ** the warnings received within the notice's two minutes. */
    double terminating = 0;
    if (p->v[P_USE_EVENTS] != 0 && o->events.known)
        pol_events_in(&o->events, POL_EV_WARNING, o->now - NOTICE_S, o->now, &terminating);

    /* Scale-out need: the `confirm` newest datapoints all show a shortfall
    ** beyond what the fleet is launching. */
    int confirm = failed ? 1 : (int)p->v[P_CONFIRM];
    double shortfall = 0;
    n = pol_window(o, pending, confirm_span(p, period), &first);
    if (n >= (size_t)confirm) {
        int all = 1;
        for (size_t i = first + n - confirm; i < first + n; i++)
            if (pending->pts[i].v - launching <= 0) all = 0;
        if (all) shortfall = p_new->v - launching;
    }
    double need = shortfall + terminating;
    if (need > 0) need += p->v[P_HEADROOM];
    int want_out = pol_instances_for(need, p->v[P_UNITS]);

    /* Scale-in floor: the largest shortfall seen over scale_in_delay. The
    ** largest PendingCapacity less launching: x - launching never decreases
    ** as x grows, so this is the largest of the differences, to the bit. */
    double p_max = p_new->v;
    n = pol_window(o, pending, (int64_t)p->v[P_SCALE_IN_DELAY], &first);
    for (size_t i = first; i < first + n; i++)
        if (pending->pts[i].v > p_max) p_max = pending->pts[i].v;
    double peak = p_max - launching;
    if (peak < 0) peak = 0;
    double keep_units = peak + terminating;
    if (keep_units > 0) keep_units += p->v[P_HEADROOM];
    int want_in = pol_instances_for(keep_units, p->v[P_UNITS]);

    int cap = o->asg.max_size;
    const char *tnote =
        p->v[P_USE_EVENTS] != 0 && !o->events.known ? "; no interruption events" : "";
    const char *fnote = failed                                  ? "; a spot launch failed"
                        : use_fail && !o->launch_failures.known ? "; no launch failures source"
                                                                : "";
    if ((int)p->v[P_MAX_OD] < cap) cap = (int)p->v[P_MAX_OD];
    if (cap < o->asg.min_size) cap = o->asg.min_size;
    int desired = o->asg.desired;

    if (want_out > desired && desired < cap) {
        int to = want_out < cap ? want_out : cap;
        if (to < o->asg.min_size) to = o->asg.min_size;
        pol_set(d, to, 0,
                "scale out: shortfall %g units (pending %g, launching %g, "
                "warned %g) needs %d instances%s%s%s",
                need, p_new->v, launching, terminating, want_out,
                to < want_out ? ", capped" : "", tnote, fnote);
        return;
    }
    int to = want_in;
    if (desired - (int)p->v[P_SCALE_IN_STEP] > to)
        to = desired - (int)p->v[P_SCALE_IN_STEP];
    if (to > cap) to = cap;
    if (to < o->asg.min_size) to = o->asg.min_size;
    /* A datapoint missing from the scale-in window might have been the
    ** shortfall that keeps the group (a missing TargetCapacity datapoint
    ** can only lower `launching`, which keeps more: not needed whole). */
    static const pol_metric floor_inputs[] = {POL_PENDING};
    if (to < desired &&
        pol_require_whole(o, floor_inputs, 1, (int64_t)p->v[P_SCALE_IN_DELAY], desired, d))
        return;
    if (to < desired) {
        pol_set(d, to, 1,
                "scale in: largest shortfall in %llds is %g units, keeping %d "
                "instances",
                (long long)p->v[P_SCALE_IN_DELAY], peak, to);
        return;
    }
    if (desired < o->asg.min_size) {
        pol_set(d, o->asg.min_size, 0, "DesiredCapacity below MinSize");
        return;
    }
    if (want_out > desired)
        pol_none(d, "shortfall needs %d instances, at the cap of %d", want_out,
                 cap);
    else if (need > 0)
        pol_none(d, "shortfall covered: %d instances desired", desired);
    else if (p_new->v - launching > 0)
        pol_none(d, "shortfall of %g units not yet confirmed by %d datapoints",
                 p_new->v - launching, confirm);
    else if (p_new->v > 0)
        pol_none(d, "pending %g units is capacity the fleet is launching",
                 p_new->v);
    else if (peak > 0)
        pol_none(d, "holding %d instances: shortfall of %g units within %llds",
                 desired, peak, (long long)p->v[P_SCALE_IN_DELAY]);
    else
        pol_none(d, "no shortfall");
}

const pol_policy pol_guarded = {
    "guarded",
    "the improved policy: holds on missing data, confirms, scales in slowly",
    guarded_params,
    sizeof guarded_params / sizeof guarded_params[0],
    guarded_lookback,
    guarded_decide,
    0,
    POL_READS(POL_TARGET) | POL_READS(POL_PENDING) | POL_READS_LAUNCH_FAILURES,
    1,
    0,
    POL_BUILT_IN,
};
