/*
** decision_asserts.h: cmocka checks of a pol_decision, shared by the policy
** tests. Include after <cmocka.h>.
*/
#ifndef SPOTBENCH_DECISION_ASSERTS_H
#define SPOTBENCH_DECISION_ASSERTS_H

#include <string.h>

#include "policy/policy.h"

/* "set DesiredCapacity = n" with HonorCooldown `honor`. */
static inline void da_set(pol_decision d, int n, int honor) {
    if (d.action != POL_ACT_SET) fail_msg("expected a set to %d, got none: '%s'", n, d.reason);
    assert_int_equal(d.desired, n);
    assert_int_equal(d.honor_cooldown, honor);
    assert_false(d.held);
}

/* "none" whose reason contains `part`; `held` as expected. */
static inline void da_none(pol_decision d, const char *part, int held) {
    if (d.action != POL_ACT_NONE)
        fail_msg("expected none, got a set to %d: '%s'", d.desired, d.reason);
    if (!strstr(d.reason, part)) fail_msg("reason '%s' lacks '%s'", d.reason, part);
    assert_int_equal(d.held, held);
}

#endif
