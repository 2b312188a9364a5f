/*
** inputs.c: the one home of the --set KEY=VALUE rule (lab.h): which
** settings are policy parameters and which are scenario fields, and one
** run's scenario and parameters loaded from them.
*/
#include "lab/lab.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/text.h"

#define KEY_MAX 128

/* The key of "KEY=VALUE" into key (KEY_MAX bytes). Returns 0, or -1 with
** the reason in err. */
static int key_of(const char *kv, char *key, char *err, size_t errlen) {
    const char *eq = strchr(kv, '=');
    size_t len = eq ? (size_t)(eq - kv) : 0;
    if (!eq || len == 0) {
        snprintf(err, errlen, "--set %s: expected KEY=VALUE", kv);
        return -1;
    }
    if (len >= KEY_MAX) {
        snprintf(err, errlen, "--set %.40s...: the key is longer than %d bytes", kv,
                 KEY_MAX - 1);
        return -1;
    }
    memcpy(key, kv, len);
    key[len] = '\0';
    return 0;
}

/* No policy chosen yet (npols == 0): every policy counts as chosen. */
static int chosen_has(const pol_policy *const *pols, size_t npols, const char *key) {
    if (npols == 0) return pol_is_param(key, strlen(key));
    for (size_t i = 0; i < npols; i++)
        if (pol_param_index(pols[i], key) >= 0) return 1;
    return 0;
}

/* "a, b and c" of the names of `n` items, into buf. */
static void and_list(char *buf, size_t len, const char *const *names, size_t n,
                     const char *conj) {
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s",
                              i == 0 ? "" : i + 1 == n ? conj : ", ", names[i]);
}

/* Rule 2: the key is a parameter of other policies only. */
static int other_policies(const pol_policy *const *pols, size_t npols, const char *kv,
                          const char *key, char *err, size_t errlen) {
    const char *have[16], *chosen[16];
    size_t nh = 0, nc = 0;
    for (const pol_policy *const *p = pol_list(); *p && nh < 16; p++)
        if (pol_param_index(*p, key) >= 0) have[nh++] = (*p)->name;
    for (size_t i = 0; i < npols && nc < 16; i++) chosen[nc++] = pols[i]->name;
    char hb[256], cb[256];
    and_list(hb, sizeof hb, have, nh, " and ");
    and_list(cb, sizeof cb, chosen, nc, " or ");
    snprintf(err, errlen,
             "--set %s: '%s' is a parameter of %s, not of %s (see 'spotbench policy list')",
             kv, key, hb, cb);
    return -1;
}

/* Rule 3's check of the first name: a top-level field, or an error with the
** closest field or chosen policy's parameter suggested. */
static int field_ok(const pol_policy *const *pols, size_t npols, const char *kv,
                    const char *key, char *err, size_t errlen) {
    char top[KEY_MAX];
    size_t len = strcspn(key, ".[");
    memcpy(top, key, len);
    top[len] = '\0';
    const char *const *fields = sim_scenario_fields();
    const char *cands[128];
    size_t n = 0;
    for (size_t i = 0; fields[i] && n < 128; i++) {
        if (strcmp(fields[i], top) == 0) return 0;
        cands[n++] = fields[i];
    }
    /* No policy chosen yet: every policy's parameters are candidates. */
    const pol_policy *const *all = pol_list();
    const pol_policy *const *cp = npols ? pols : all;
    for (size_t i = 0; npols ? i < npols : all[i] != NULL; i++)
        for (size_t k = 0; k < cp[i]->nparams && n < 128; k++)
            cands[n++] = cp[i]->params[k].name;
    const char *near = trc_closest(top, cands, n);
    const char *names[16];
    size_t nn = 0;
    for (size_t i = 0; i < npols && nn < 16; i++) names[nn++] = pols[i]->name;
    char pb[256] = "a policy";
    if (npols) and_list(pb, sizeof pb, names, nn, " or ");
    snprintf(err, errlen, "--set %s: unknown setting '%s': not a parameter of %s nor a "
             "scenario field%s%s%s", kv, top, pb, near ? " (did you mean '" : "",
             near ? near : "", near ? "'?)" : "");
    return -1;
}

int lab_sets_split(const pol_policy *const *pols, size_t npols,
                   const char *const *sets, size_t n, lab_sets *out, char *err,
                   size_t errlen) {
    out->nparam = out->nfield = 0;
    for (size_t i = 0; i < n; i++) {
        char key[KEY_MAX];
        if (key_of(sets[i], key, err, errlen)) return -1;
        int param = chosen_has(pols, npols, key);
        if (!param && pol_is_param(key, strlen(key)))
            return other_policies(pols, npols, sets[i], key, err, errlen);
        if (!param && field_ok(pols, npols, sets[i], key, err, errlen)) return -1;
        size_t *cnt = param ? &out->nparam : &out->nfield;
        if (*cnt == LAB_MAX_SETS) {
            snprintf(err, errlen, "more than %d --set strings", LAB_MAX_SETS);
            return -1;
        }
        (param ? out->param : out->field)[(*cnt)++] = sets[i];
    }
    return 0;
}

int lab_sets_params(const pol_policy *pol, const lab_sets *s, pol_params *p,
                    char *err, size_t errlen) {
    for (size_t i = 0; i < s->nparam; i++) {
        char key[KEY_MAX], msg[200];
        if (key_of(s->param[i], key, err, errlen)) return -1;
        int k = pol_param_index(pol, key);
        if (k < 0) continue; /* another chosen policy's */
        if (pol->fixed >> k & 1) {
            snprintf(err, errlen, "--set %s: '%s' is fixed by --policy %s (a variant's "
                     "values are its own)", s->param[i], key, pol->name);
            return -1;
        }
        if (pol_param_set(pol, p, key, strchr(s->param[i], '=') + 1, msg, sizeof msg)) {
            snprintf(err, errlen, "--set %s: %s", s->param[i], msg);
            return -1;
        }
    }
    return 0;
}

/* 1 when the first name of `key` is a top-level field of a scenario. */
static int top_field(const char *key) {
    size_t len = strcspn(key, ".[");
    const char *const *fields = sim_scenario_fields();
    for (size_t i = 0; fields[i]; i++)
        if (strlen(fields[i]) == len && !strncmp(fields[i], key, len)) return 1;
    return 0;
}

size_t lab_sets_for(const pol_policy *pol, const char *const *sets, size_t n,
                    const char **out) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char key[KEY_MAX];
        size_t len = strcspn(sets[i], "=");
        if (len >= KEY_MAX) len = KEY_MAX - 1;
        memcpy(key, sets[i], len);
        key[len] = '\0';
        /* A scenario field's first name is a top-level field (rule 3): a
        ** key that is neither pol's nor that is another chosen policy's, a
        ** built-in's or one of a policy made at run time. */
        if (pol_param_index(pol, key) >= 0 || (!pol_is_param(key, len) && top_field(key)))
            out[k++] = sets[i];
    }
    return k;
}

/* units_per_instance against asg.WeightedCapacity (lab.h). */
static int units_check(const sim_scenario *sc, const pol_policy *pol, const pol_params *p,
                       const char *const *params, size_t nparams, char *err,
                       size_t errlen) {
    int u = pol_param_index(pol, "units_per_instance");
    if (u < 0 || sc->allow_units_mismatch) return 0;
    double v = p->v[u], w = sc->od_weight;
    if (fabs(v - w) <= 1e-9 * fmax(1, fabs(w))) return 0;
    for (size_t i = nparams; i-- > 0;) {
        size_t len = strcspn(params[i], "=");
        if (len == strlen("units_per_instance") &&
            !strncmp(params[i], "units_per_instance", len)) {
            snprintf(err, errlen, "--set %s: disagrees with %s: asg.WeightedCapacity %g, the "
                     "units one on-demand instance gives (leave units_per_instance out to "
                     "follow it, or add --set controller.AllowUnitsMismatch=true if the "
                     "mismatch is meant)", params[i], sc->path, w);
            return -1;
        }
    }
    int given = 0;
    for (size_t i = 0; i < sc->nparams; i++)
        if (sc->params[i].pol == pol) given = sc->params[i].given >> u & 1;
    static const char insist[] = "(leave it out to follow asg.WeightedCapacity, or set "
                                 "controller.AllowUnitsMismatch to true if the mismatch is "
                                 "meant)";
    if (given)
        snprintf(err, errlen, "%s: controller.params.%s.units_per_instance: %g disagrees "
                 "with asg.WeightedCapacity %g, the units one on-demand instance gives %s",
                 sc->path, pol->name, v, w, insist);
    else
        snprintf(err, errlen, "%s: asg.WeightedCapacity: %g units per on-demand instance, "
                 "but %s's units_per_instance is %g %s", sc->path, w, pol->name, v, insist);
    return -1;
}

int lab_run_check(const sim_scenario *sc, const pol_policy *pol, const pol_params *p,
                  const char *const *params, size_t nparams, char *err, size_t errlen) {
    return units_check(sc, pol, p, params, nparams, err, errlen) ||
                   sim_scenario_check_policy(sc, pol, p, err, errlen)
               ? -1
               : 0;
}

int lab_load(const char *path, const pol_policy **pol, const char *const *sets,
             size_t n, sim_trace_cache *cache, sim_scenario *sc,
             pol_params *params, char *err, size_t errlen) {
    lab_sets s;
    if (lab_sets_split(pol, *pol ? 1 : 0, sets, n, &s, err, errlen) ||
        sim_scenario_load_cached(path, s.field, s.nfield, cache, sc, err, errlen))
        return -1;
    if (!*pol) {
        /* The scenario's controller.policy: the rule again, with it chosen. */
        *pol = sc->policy;
        if (lab_sets_split(pol, 1, sets, n, &s, err, errlen)) goto fail;
    }
    sim_scenario_params(sc, *pol, params);
    if (lab_sets_params(*pol, &s, params, err, errlen) ||
        lab_run_check(sc, *pol, params, s.param, s.nparam, err, errlen))
        goto fail;
    return 0;
fail:
    sim_scenario_free(sc);
    return -1;
}

/* A seed: a whole number from 0 to 2^64 - 1, digits only. */
static int seed_of(const char *s, const char *end, uint64_t *out) {
    if (s == end || end - s > 20) return -1;
    char buf[24], *e;
    memcpy(buf, s, (size_t)(end - s));
    buf[end - s] = '\0';
    for (const char *c = buf; *c; c++)
        if (*c < '0' || *c > '9') return -1;
    errno = 0;
    *out = strtoull(buf, &e, 10);
    return errno || *e ? -1 : 0;
}

int lab_seeds_parse(const char *arg, uint64_t *seeds, size_t *n, char *err,
                    size_t errlen) {
    *n = 0;
    const char *dash = strchr(arg, '-'), *comma = strchr(arg, ',');
    uint64_t a, b;
    if (!comma && !dash) { /* N: seeds 1..N */
        if (seed_of(arg, arg + strlen(arg), &b) || b < 1 || b > LAB_MAX_SEEDS) goto bad;
        for (uint64_t s = 1; s <= b; s++) seeds[(*n)++] = s;
        return 0;
    }
    if (dash && !comma) { /* A-B */
        if (seed_of(arg, dash, &a) || seed_of(dash + 1, dash + strlen(dash), &b) || b < a ||
            b - a >= LAB_MAX_SEEDS)
            goto bad;
        for (uint64_t s = a;; s++) {
            seeds[(*n)++] = s;
            if (s == b) break;
        }
        return 0;
    }
    for (const char *p = arg;;) { /* S1,S2,... */
        const char *e = strchr(p, ',');
        if (!e) e = p + strlen(p);
        if (*n == LAB_MAX_SEEDS || seed_of(p, e, &a)) goto bad;
        for (size_t i = 0; i < *n; i++)
            if (seeds[i] == a) {
                snprintf(err, errlen, "--seeds %s: seed %llu given twice", arg,
                         (unsigned long long)a);
                return -1;
            }
        seeds[(*n)++] = a;
        if (!*e) return 0;
        p = e + 1;
    }
bad:
    snprintf(err, errlen, "--seeds %s: expected N (1 to %d: seeds 1 to N), A-B or a list "
             "S1,S2,... of whole numbers", arg, LAB_MAX_SEEDS);
    return -1;
}
