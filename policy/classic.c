/*
** classic.c: the seed's controller, exactly as its Lambda source behaves,
** quirks included. It is the baseline every other policy is measured against,
** so it must not be "fixed" here: improvements belong in guarded.c.
**
** At each invocation (every window is what GetMetricStatistics returns for
** StartTime = now - w: pol_window rounds StartTime down to the Period, as
** CloudWatch does, so the original at 12:33:01 asking for the last 60 s
** still gets the 12:32:00 datapoint):
**  1. TargetCapacity datapoints of the last `window` s: a failed fetch gives
**     "none"; any two that differ give "none" (the fleet scaled recently).
**  2. PendingCapacity and TargetCapacity of the last Period (the original's
**     60 s at 1-minute data): if either fetch failed or either has no
**     datapoint, pending = fallback_capacity (the original falls back to its
**     default for both when anything goes wrong); otherwise pending = the
**     earliest PendingCapacity datapoint there.
**  3. required = (int)(pending / units_per_instance + 0.999999), computed
**     without overflow (pol_count).
**  4. Unknown ASG: "none". required above DesiredCapacity: set it ignoring
**     the cooldown; below: set it honouring the cooldown; equal: "none".
**     No clamping to MinSize (AWS rejects a value below it, as it did for the
**     original); pol_decide() clamps to [0, MaxSize].
*/
#include "policy_int.h"

enum { P_WINDOW, P_UNITS, P_FALLBACK };

static const pol_param_def classic_params[] = {
    {"window", 600, 60, 86400, 1, "s",
     "TargetCapacity must not have changed within this long before acting"},
    {"units_per_instance", 4, 0.001, 1e6, 0, "units",
     "capacity units one on-demand instance gives"},
    {"fallback_capacity", 32, 0, 1e6, 0, "units",
     "PendingCapacity assumed when the latest datapoints are missing"},
};

static int64_t classic_lookback(const pol_params *p, int64_t period) {
    int64_t w = (int64_t)p->v[P_WINDOW];
    return w > period ? w : period;
}

static void classic_decide(const pol_obs *o, const pol_params *p,
                           pol_decision *d) {
    const pol_series *target = &o->m[POL_TARGET];
    const pol_series *pending = &o->m[POL_PENDING];
    int64_t window = (int64_t)p->v[P_WINDOW];
    size_t first, n;

    /* 1. Has the fleet scaled recently? */
    if (target->failed) {
        pol_none(d, "cannot tell whether the fleet scaled: TargetCapacity "
                    "fetch failed");
        return;
    }
    n = pol_window(o, target, window, &first);
    for (size_t i = first + 1; i < first + n; i++) {
        if (target->pts[i].v != target->pts[first].v) {
            pol_none(d, "fleet scaled recently: TargetCapacity went from %g "
                        "to %g within %llds",
                     target->pts[first].v, target->pts[i].v,
                     (long long)window);
            return;
        }
    }

    /* 2. The latest PendingCapacity, or the fallback when anything is off. */
    double pend = p->v[P_FALLBACK];
    const char *src = "fallback";
    size_t pf, tf;
    int64_t period = pol_period(o);
    size_t pn = pending->failed ? 0 : pol_window(o, pending, period, &pf);
    size_t tn = pol_window(o, target, period, &tf);
    if (pn > 0 && tn > 0) {
        pend = pending->pts[pf].v;
        src = "PendingCapacity";
    }

    /* 3. The original's round-up. */
    int required = pol_count(pend / p->v[P_UNITS] + 0.999999);

    /* 4. Grow ignoring the cooldown, shrink honouring it. */
    if (!o->asg.known) {
        pol_none(d, "ASG state unknown");
        return;
    }
    if (required > o->asg.desired)
        pol_set(d, required, 0, "scale out: %s %g units needs %d instances",
                src, pend, required);
    else if (required < o->asg.desired)
        pol_set(d, required, 1, "scale in: %s %g units needs %d instances",
                src, pend, required);
    else
        pol_none(d, "%s %g units: %d instances already desired", src, pend,
                 required);
}

const pol_policy pol_classic = {
    "classic",
    "the seed's controller, exactly (quirks included): the baseline",
    classic_params,
    sizeof classic_params / sizeof classic_params[0],
    classic_lookback,
    classic_decide,
    0,
    POL_READS(POL_TARGET) | POL_READS(POL_PENDING),
    0,
    0,
    POL_BUILT_IN,
};
