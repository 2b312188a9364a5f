/*
** policy_abi.h: the public, versioned interface of a loadable C policy
** (`spotbench --policy ./mine.so`, docs/own-policy.md).
**
** A library is a policy written exactly as the built-ins are (policy.h: a
** pol_policy with its parameter table, lookback and decide functions) that
** exports two symbols, made by POL_EXPORT_POLICY:
**
**   spotbench_policy_abi  the POL_ABI_VERSION it was compiled against
**   spotbench_policy()    its pol_policy
**
** spotbench refuses a library of another version with a message: the
** layout of pol_obs, pol_decision and pol_policy is the version's. The
** helpers of policy.h (pol_window, pol_window_start, pol_period, ...) are
** in policy/policy.c, which depends on libc only: compile it into the
** library (the binary exports nothing).
**
** A positional initializer of a pol_policy ends with POL_BUILT_IN (the
** fields spotbench fills for a policy it makes at run time), as the
** built-ins' do; designated initializers need nothing.
**
** The version changes with the layout of pol_obs, pol_decision, pol_params
** or pol_policy, whatever the change: a library reads them as it was
** compiled. Version history: 1, the first; 2, pol_obs.events (the
** interruption warnings and rebalance recommendations received) and
** pol_policy.reads_events and .native; 3, pol_obs.launch_failures (the
** spot group's failed launches seen) and POL_READS_LAUNCH_FAILURES.
*/
#ifndef SPOTBENCH_POLICY_ABI_H
#define SPOTBENCH_POLICY_ABI_H

#include "policy.h"

#define POL_ABI_VERSION 3u

#define POL_EXPORT_POLICY(p)                                                           \
    __attribute__((visibility("default"))) const unsigned spotbench_policy_abi =       \
        POL_ABI_VERSION;                                                               \
    __attribute__((visibility("default"))) const pol_policy *spotbench_policy(void) {  \
        return (p);                                                                    \
    }

/* Loads the library at `path` (dlopen, RTLD_NOW | RTLD_LOCAL) and checks its
** ABI version: 0 and *out (a copy of its policy named `path`, labelled with
** its own name; released with pol_close, which unloads it), or -1 with a
** message. */
int pol_dso_open(const char *path, const pol_policy **out, char *err, size_t errlen);

#endif
