/*
** policy_int.h: what the policies share inside policy/ and nobody else sees.
*/
#ifndef SPOTBENCH_POLICY_INT_H
#define SPOTBENCH_POLICY_INT_H

#include "policy.h"

extern const pol_policy pol_classic;
extern const pol_policy pol_guarded;
extern const pol_policy pol_oracle;

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

/* x truncated toward zero as an instance count, saturating at INT_MAX (and
** 0 for x <= 0 or NaN): a count computed from an unbounded metric value must
** never go through an out-of-range (int) conversion. */
int pol_count(double x);

#endif
