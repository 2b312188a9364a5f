/*
** karpenter_so.c: the built-in karpenter policy as a loadable C policy
** (policy/policy_abi.h, docs/own-policy.md). The library is the very code
** the binary runs, compiled apart: `make` builds it as
** build/examples/karpenter.so, and `spotbench run SCENARIO --policy
** ./build/examples/karpenter.so` gives the built-in's results byte for byte
** (tests/cli/test_dso.sh checks it on every bundled case).
**
** Build your own the same way: a pol_policy of your own (policy.h), its
** file and the files of policy/ (the helpers; libc only) compiled with -shared -fPIC
** -fvisibility=hidden, and POL_EXPORT_POLICY naming it.
*/
#include "policy/policy_abi.h"
#include "policy/policy_int.h"

POL_EXPORT_POLICY(&pol_karpenter)
