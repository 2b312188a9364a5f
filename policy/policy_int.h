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
/* Records "set DesiredCapacity = n" with a reason. */
void pol_set(pol_decision *d, int n, int honor_cooldown, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
