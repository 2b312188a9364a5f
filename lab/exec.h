/*
** exec.h: an external policy: one child process speaking the policy
** protocol (docs/policies.md, "External policies"), for runs simulated or
** live alike.
*/
#ifndef SPOTBENCH_LAB_EXEC_H
#define SPOTBENCH_LAB_EXEC_H

#include <stddef.h>

#include "policy/policy.h"

/* Starts `cmd` (run by /bin/sh -c) and reads its description. Returns
** LAB_OK and *out (released with pol_close, which ends the child), or
** LAB_BADINPUT (an empty command, a description that is not one) or
** LAB_FAIL (the child did not start, crashed or did not answer), with a
** message in err. */
int lab_exec_open(const char *cmd, const pol_policy **out, char *err, size_t errlen);

#endif
