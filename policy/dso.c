/*
** dso.c: a C policy loaded from a shared library (policy_abi.h): its ABI
** version checked, its pol_policy copied under the library's path so that
** every run stored says where its policy came from.
*/
#define _GNU_SOURCE
#include "policy_abi.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    pol_policy pol; /* first: the block is released through it */
    void *handle;
    char path[POL_SPEC_MAX];
} dso;

static void dso_close(const pol_policy *self) {
    dso *d = (dso *)self;
    dlclose(d->handle);
    free(d);
}

int pol_dso_open(const char *path, const pol_policy **out, char *err, size_t errlen) {
    /* dlopen looks a name without '/' up in the library path: a policy is
    ** a file the user names, never a system library. */
    if (!strchr(path, '/')) {
        snprintf(err, errlen, "a loadable policy is a path: write ./%s", path);
        return -1;
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(err, errlen, "cannot load: %s", dlerror());
        return -1;
    }
    const unsigned *abi = dlsym(h, "spotbench_policy_abi");
    const pol_policy *(*get)(void) = NULL;
    *(void **)&get = dlsym(h, "spotbench_policy");
    if (!abi || !get) {
        snprintf(err, errlen, "not a spotbench policy: no %s symbol (see policy/policy_abi.h)",
                 abi ? "spotbench_policy" : "spotbench_policy_abi");
        dlclose(h);
        return -1;
    }
    if (*abi != POL_ABI_VERSION) {
        snprintf(err, errlen, "built for policy ABI version %u, this spotbench loads version "
                 "%u: rebuild it against policy/policy_abi.h", *abi, POL_ABI_VERSION);
        dlclose(h);
        return -1;
    }
    const pol_policy *p = get();
    if (!p || !p->name || !p->decide || !p->lookback || p->nparams > POL_MAX_PARAMS ||
        (p->nparams && !p->params) || p->simulation_only) {
        snprintf(err, errlen, "its spotbench_policy() is not a usable policy (a name, "
                 "decide and lookback functions, at most %d parameters)", POL_MAX_PARAMS);
        dlclose(h);
        return -1;
    }
    dso *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        dlclose(h);
        return -1;
    }
    d->handle = h;
    snprintf(d->path, sizeof d->path, "%s", path);
    d->pol = *p;
    d->pol.name = d->path;
    d->pol.label = p->name;
    d->pol.base = NULL;
    d->pol.fixed = 0;
    d->pol.ops = NULL;
    d->pol.ctx = NULL;
    d->pol.close = dso_close;
    *out = &d->pol;
    return 0;
}
