/*
** variant.c: named variants of a policy ("karpenter@fallback_wait=0:no-wait"):
** a copy of the policy whose parameter defaults are the variant's values, fixed
** against --set, so that one table can hold several settings of one policy.
** The decision code is the base policy's own: a variant decides exactly as
** its policy does with those parameters.
*/
#include "policy_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A variant owns one block: the policy, its parameter table and names. */
typedef struct {
    pol_policy pol;
    pol_param_def defs[POL_MAX_PARAMS];
    int owns_base;
    char name[POL_SPEC_MAX];
    char label[POL_LABEL_MAX + 1];
} variant;

static void variant_close(const pol_policy *self) {
    variant *v = (variant *)self; /* pol is the block's first member */
    if (v->owns_base) pol_close(v->pol.base);
    free(v);
}

int pol_label_check(const char *label, char *err, size_t errlen) {
    size_t n = strlen(label);
    int ok = n > 0 && n <= POL_LABEL_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char c = label[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-' || c == '.';
    }
    if (!ok)
        snprintf(err, errlen, "the label after ':' must be 1 to %d letters, digits, '_', "
                 "'-' or '.', got '%s'", POL_LABEL_MAX, label);
    return ok ? 0 : -1;
}

int pol_variant_new(const pol_policy *base, int owns_base, const char *name,
                    const char *assigns, const char *label, const pol_policy **out,
                    char *err, size_t errlen) {
    if (strlen(name) >= POL_SPEC_MAX) {
        snprintf(err, errlen, "longer than %d bytes", POL_SPEC_MAX - 1);
        return -1;
    }
    if (label && pol_label_check(label, err, errlen)) return -1;
    if (base->base) {
        snprintf(err, errlen, "%s is a variant already: give every value after one '@'",
                 base->name);
        return -1;
    }
    if (base->simulation_only) {
        snprintf(err, errlen, "%s is computed by the simulator: it has no variants",
                 base->name);
        return -1;
    }
    variant *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    v->pol = *base;
    memcpy(v->defs, base->params, base->nparams * sizeof *v->defs);
    v->pol.params = v->defs;
    pol_params p;
    pol_params_default(base, &p);
    const char *s = assigns;
    for (; *assigns;) { /* none: a label alone */
        size_t len = strcspn(s, ",");
        char kv[POL_SPEC_MAX];
        memcpy(kv, s, len);
        kv[len] = '\0';
        char *eq = strchr(kv, '=');
        if (!eq || eq == kv) {
            snprintf(err, errlen, "expected KEY=VALUE after '@', got '%s'", kv);
            goto fail;
        }
        *eq = '\0';
        char msg[256];
        if (pol_param_set(base, &p, kv, eq + 1, msg, sizeof msg)) {
            snprintf(err, errlen, "%s", msg);
            goto fail;
        }
        int k = pol_param_index(base, kv);
        if (v->pol.fixed >> k & 1) {
            snprintf(err, errlen, "%s given twice", kv);
            goto fail;
        }
        v->pol.fixed |= 1u << k;
        v->defs[k].def = p.v[k];
        if (s[len] == '\0') break;
        s += len + 1;
    }
    snprintf(v->name, sizeof v->name, "%s", name);
    snprintf(v->label, sizeof v->label, "%s", label ? label : "");
    v->owns_base = owns_base;
    v->pol.name = v->name;
    v->pol.label = label ? v->label : NULL;
    v->pol.base = base;
    v->pol.close = variant_close;
    *out = &v->pol;
    return 0;
fail:
    free(v);
    return -1;
}
