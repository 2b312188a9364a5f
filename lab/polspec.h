/*
** polspec.h: a policy named on the command line, a sweep spec or a live
** configuration, opened for runs. A specification is
**
**   NAME                      a built-in policy (spotbench policy list)
**   exec:COMMAND              an external policy: one child process speaking
**                             the policy protocol (docs/policies.md)
**   PATH.so, ./PATH           a loadable C policy (policy/policy_abi.h)
**   SPEC@KEY=VALUE,...[:LABEL] a variant of any of those: its parameters set,
**                             fixed against --set, shown as LABEL
**
** Ownership: an opened policy is the caller's, released with
** lab_policy_close() (a no-op for a built-in); each open of an exec: policy
** starts its own child (a sweep's workers each open theirs).
*/
#ifndef SPOTBENCH_LAB_POLSPEC_H
#define SPOTBENCH_LAB_POLSPEC_H

#include <stddef.h>

#include "policy/policy.h"

/* Opens `spec`. Returns LAB_OK and *out, or LAB_BADINPUT (an unknown name,
** a bad variant, a library of another ABI) or LAB_FAIL (a child that did
** not start or answer), with a message in err that starts with
** "--policy SPEC: ". */
int lab_policy_open(const char *spec, const pol_policy **out, char *err, size_t errlen);
void lab_policy_close(const pol_policy *pol);

/* 1 when `spec` names a built-in policy (no variant, no child, no library). */
int lab_policy_builtin(const char *spec);

#endif
