/*
** polspec.c: a policy specification (lab/polspec.h) opened: a built-in, a
** variant, an external process (exec.c) or a loaded library (policy/dso.c).
*/
#include "lab/polspec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/exec.h"
#include "lab/lab.h"
#include "policy/policy_abi.h"
#include "traces/text.h"

int lab_policy_builtin(const char *spec) { return pol_find(spec) != NULL; }

static int unknown(const char *spec, const char *base, char *err, size_t errlen) {
    const char *names[32];
    size_t n = 0;
    for (const pol_policy *const *p = pol_list(); *p && n < 32; p++) names[n++] = (*p)->name;
    const char *near = trc_closest(base, names, n);
    snprintf(err, errlen, "--policy %s: unknown policy (%s%s%ssee 'spotbench policy list')",
             spec, near ? "did you mean '" : "", near ? near : "", near ? "'? " : "");
    return LAB_BADINPUT;
}

/* The base of a specification (no variant). */
static int open_base(const char *spec, const char *base, const pol_policy **out, char *err,
                     size_t errlen) {
    char msg[1024];
    int rc;
    if (strncmp(base, "exec:", 5) == 0) {
        rc = lab_exec_open(base + 5, out, msg, sizeof msg);
    } else if (strchr(base, '/') || (strlen(base) > 3 && !strcmp(base + strlen(base) - 3,
                                                                  ".so"))) {
        rc = pol_dso_open(base, out, msg, sizeof msg) ? LAB_BADINPUT : LAB_OK;
    } else {
        if ((*out = pol_find(base))) return LAB_OK;
        return unknown(spec, base, err, errlen);
    }
    if (rc != LAB_OK) snprintf(err, errlen, "--policy %s: %s", spec, msg);
    return rc;
}

int lab_policy_open(const char *spec, const pol_policy **out, char *err, size_t errlen) {
    *out = NULL;
    if (strlen(spec) >= POL_SPEC_MAX) {
        snprintf(err, errlen, "--policy %.40s...: longer than %d bytes", spec, POL_SPEC_MAX - 1);
        return LAB_BADINPUT;
    }
    const char *at = strrchr(spec, '@');
    if (!at) return open_base(spec, spec, out, err, errlen);
    char base[POL_SPEC_MAX], assigns[POL_SPEC_MAX], msg[512];
    memcpy(base, spec, (size_t)(at - spec));
    base[at - spec] = '\0';
    snprintf(assigns, sizeof assigns, "%s", at + 1);
    char *colon = strchr(assigns, ':');
    const char *label = NULL;
    if (colon) {
        *colon = '\0';
        label = colon + 1;
    }
    if (!*base) {
        snprintf(err, errlen, "--policy %s: expected a policy before '@'", spec);
        return LAB_BADINPUT;
    }
    if (!*assigns && !label) {
        snprintf(err, errlen, "--policy %s: expected KEY=VALUE after '@'", spec);
        return LAB_BADINPUT;
    }
    if (label && pol_label_check(label, msg, sizeof msg)) {
        snprintf(err, errlen, "--policy %s: %s", spec, msg);
        return LAB_BADINPUT;
    }
    const pol_policy *b;
    int rc = open_base(spec, base, &b, err, errlen);
    if (rc != LAB_OK) return rc;
    if (pol_variant_new(b, 1, spec, assigns, label, out, msg, sizeof msg)) {
        pol_close(b);
        snprintf(err, errlen, "--policy %s: %s", spec, msg);
        return LAB_BADINPUT;
    }
    return LAB_OK;
}

void lab_policy_close(const pol_policy *pol) { pol_close(pol); }
