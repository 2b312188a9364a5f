/*
** policy_int.h: what the policies share inside policy/ and nobody else sees.
*/
#ifndef SPOTBENCH_POLICY_INT_H
#define SPOTBENCH_POLICY_INT_H

#include <stdarg.h>

#include "policy.h"

extern const pol_policy pol_classic;
extern const pol_policy pol_guarded;
extern const pol_policy pol_oracle;
extern const pol_policy pol_hedge;
extern const pol_policy pol_karpenter;
extern const pol_policy pol_none_policy;
extern const pol_policy pol_ondemand;
extern const pol_policy pol_mixed_instances;
extern const pol_policy pol_capacity_providers;

/* vsnprintf(buf, n, fmt, ap), the same bytes, for the formats reasons use
** (%s %d %lld %g %%), faster: a controller formats a reason every minute.
** Any other conversion goes to vsnprintf. The return value is the length
** written (not the length needed when truncated). */
int pol_format(char *buf, size_t n, const char *fmt, va_list ap);

/* Records "none" with a reason. */
void pol_none(pol_decision *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Records "none" because an input the decision depends on was missing,
** failed or stale; the reason must name that input. */
void pol_hold(pol_decision *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Records "set DesiredCapacity = n" with a reason. */
void pol_set(pol_decision *d, int n, int honor_cooldown, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records "none" (held or not) with no reason: what pol_none and pol_hold
** do when nobody keeps the reason (d->quiet). */
void pol_quiet_none(pol_decision *d, int held);
/* "none" is a controller's answer almost every minute, and nobody keeps
** its reason unless asked: the macros then skip the variadic call and its
** arguments (a d without side effects, as everywhere here). */
#define pol_none(d, ...) ((d)->quiet > 0 ? pol_quiet_none((d), 0) : (pol_none)((d), __VA_ARGS__))
#define pol_hold(d, ...) ((d)->quiet > 0 ? pol_quiet_none((d), 1) : (pol_hold)((d), __VA_ARGS__))

/* x truncated toward zero as an instance count, saturating at INT_MAX (and
** 0 for x <= 0 or NaN): a count computed from an unbounded metric value must
** never go through an out-of-range (int) conversion. */
int pol_count(double x);

/* The newest datapoint of s no older than `span` seconds (what CloudWatch
** returns for StartTime = now - span, through pol_window), or NULL. */
const pol_point *pol_freshest(const pol_obs *o, const pol_series *s, int64_t span);
/* The inputs a decision cannot do without: the group's state, and for each
** metric need[0..n) a fetch that worked and a datapoint within `stale`
** seconds, its freshest put in fresh[k]. Returns 0, or -1 after recording
** the hold that names the first input missing (the group first, then any
** failed fetch, then any metric with no fresh datapoint, in need's order). */
int pol_require(const pol_obs *o, const pol_metric *need, size_t n, int64_t stale,
                const pol_point **fresh, pol_decision *d);
/* The rule of every scale-in computed over a window (docs/policies.md,
** "Missing datapoints"): every Period of the window, from
** pol_window_start(now, w, Period) up to the metric's newest datapoint in
** it, must have its datapoint. A missing one might have shown the shortfall
** that forbids the scale-in; Periods after the newest datapoint are late,
** not missing (the freshness rule, `staleness`, bounds them). Returns 1
** when s's window is whole, else 0 with *hole the Timestamp of its first
** missing Period. */
int pol_window_whole(const pol_obs *o, const pol_series *s, int64_t w, int64_t *hole);
/* The same for each metric ms[0..n) over the window of `w` seconds: returns
** 0, or -1 after recording the hold that names the first metric with a hole
** ("not scaling in from `desired`"). */
int pol_require_whole(const pol_obs *o, const pol_metric *ms, size_t n, int64_t w,
                      int desired, pol_decision *d);
/* Sets *v to s's datapoint with Timestamp t and returns 1, or returns 0 when
** s has none. O(log n). */
int pol_value_at(const pol_series *s, int64_t t, double *v);
/* On-demand instances that cover `units` capacity units of `per_instance`
** each (0 for units <= 0). A small tolerance keeps 8.0000000001 / 4 from
** asking for a third instance through rounding noise; saturates at 1e9. */
int pol_instances_for(double units, double per_instance);
/* `staleness` (given for 1-minute data) at the observation's Period: Period/60
** times as long, so that 5-minute data is not all stale. */
int64_t pol_stale_span(double staleness, int64_t period);

#endif
