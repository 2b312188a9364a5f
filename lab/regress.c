/*
** regress.c: the bounds of the regression suite. Each outage case in
** traces/scenarios/ may hold a bounds.json naming the runs to make and, per
** run, the figures it must stay within:
**
**   {"classic": {"coverage_pct_min": 99.7, "shortfall_unit_hours_max": 1.8,
**                "od_cost_max": 6.4, "set_rejected_max": 50},
**    "guarded": {..., "od_launches_max": 0},
**    "tuned":   {"policy": "guarded", "params": {"window": 600},
**                "set": {"asg.DefaultCooldown": 900},
**                "coverage_pct_min": 99.9}}
**
** An entry's key is a policy's name, or a name of its own when "policy"
** says which policy it runs; "params" are that policy's parameters and "set"
** overrides scenario fields by path (as `--set PATH=VALUE`), so a user's own
** tuned settings can be regression-tested next to the defaults.
**
** Each bound is compared, and written by --update, at a fixed precision
** (coverage to 0.001 %, hours and dollars to 0.01, counts whole), so the
** file shows 99.686, never 99.686000000000007, and a value printed equal to
** its bound passes. `od_launches_max` is the invariant "no on-demand launch
** caused by missing data" where a case has no real shortfall; --update keeps
** it as written and recomputes the others from the current figures with
** tolerances.
*/
#include "sim/sim.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regress.h"
#include "traces/import.h"
#include "traces/outfile.h"
#include "traces/text.h"
#include "traces/traces.h"

/* The gap to the oracle is not a field: total_cost - oracle_cost. */
#define GAP ((size_t)-1)

static const struct {
    const char *key;
    int is_min;
    size_t off;
    int integer;
    int decimals;
} checks[] = {
    {"coverage_pct_min", 1, offsetof(sim_result, coverage_pct), 0, 3},
    {"shortfall_unit_hours_max", 0, offsetof(sim_result, shortfall_unit_hours), 0, 2},
    {"od_cost_max", 0, offsetof(sim_result, od_cost), 0, 2},
    {"set_rejected_max", 0, offsetof(sim_result, set_rejected), 1, 0},
    {"od_launches_max", 0, offsetof(sim_result, od_launches), 1, 0},
    /* Opt-in, where a case is about them: */
    {"spot_cost_max", 0, offsetof(sim_result, spot_cost), 0, 2},
    {"gap_to_oracle_max", 0, GAP, 0, 2},
    {"interruptions_min", 1, offsetof(sim_result, interruptions), 1, 0},
    {"capacity_events_min", 1, offsetof(sim_result, capacity_events), 1, 0},
    {"rebalances_min", 1, offsetof(sim_result, rebalances), 1, 0},
    {"holds_max", 0, offsetof(sim_result, holds), 1, 0},
};
#define NCHECKS (sizeof checks / sizeof checks[0])
_Static_assert(NCHECKS == LAB_BOUNDS_CHECKS, "regress.h: LAB_BOUNDS_CHECKS is the checks' count");

/* v rounded to `decimals` places as its decimal text reads back: the very
** double a bounds.json holding that text gives. */
static double at_precision(double v, int decimals) {
    char t[64];
    snprintf(t, sizeof t, "%.*f", decimals, v);
    return strtod(t, NULL);
}

static double field(const sim_result *r, size_t i) {
    if (checks[i].off == GAP) return r->total_cost - r->oracle_cost;
    const char *p = (const char *)r + checks[i].off;
    if (checks[i].integer) {
        int v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    double v;
    memcpy(&v, p, sizeof v);
    return v;
}

void lab_bounds_free(lab_bounds *b) {
    for (size_t k = 0; k < b->npolicies; k++) {
        for (size_t i = 0; i < b->p[k].nparams; i++) free(b->p[k].params[i]);
        for (size_t i = 0; i < b->p[k].nsets; i++) free(b->p[k].sets[i]);
    }
    memset(b, 0, sizeof *b);
}

/* "KEY=" + the value's JSON text, malloc'd. */
static char *key_value(const char *key, const cJSON *v) {
    char *text = cJSON_PrintUnformatted(v);
    if (!text) return NULL;
    size_t n = strlen(key) + strlen(text) + 2;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s=%s", key, text);
    cJSON_free(text);
    return s;
}

/* "params" of an entry: numbers the policy accepts. */
static int load_params(const char *path, lab_policy_bounds *pb, const cJSON *o, char *err,
                       size_t errlen) {
    if (!cJSON_IsObject(o)) {
        snprintf(err, errlen, "%s: %s.params: must be an object", path, pb->label);
        return -1;
    }
    pol_params check;
    pol_params_default(pb->pol, &check);
    for (const cJSON *c = o->child; c; c = c->next) {
        char msg[200];
        if (pol_param_index(pb->pol, c->string) < 0) {
            snprintf(err, errlen, "%s: %s.params.%s: not a parameter of policy %s", path,
                     pb->label, c->string, pb->pol->name);
            return -1;
        }
        if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble)) {
            snprintf(err, errlen, "%s: %s.params.%s: must be a number", path, pb->label,
                     c->string);
            return -1;
        }
        if (pb->nparams == POL_MAX_PARAMS || !(pb->params[pb->nparams] = key_value(c->string, c))) {
            snprintf(err, errlen, "%s: %s.params: too many or out of memory", path, pb->label);
            return -1;
        }
        if (pol_param_set(pb->pol, &check, c->string, strchr(pb->params[pb->nparams], '=') + 1,
                          msg, sizeof msg)) {
            free(pb->params[pb->nparams]);
            snprintf(err, errlen, "%s: %s.params.%s", path, pb->label, msg);
            return -1;
        }
        pb->nparams++;
    }
    return 0;
}

/* "set" of an entry: scenario field paths and their values, checked when
** the scenario is loaded with them. */
static int load_sets(const char *path, lab_policy_bounds *pb, const cJSON *o, char *err,
                     size_t errlen) {
    if (!cJSON_IsObject(o)) {
        snprintf(err, errlen, "%s: %s.set: must be an object {\"PATH\": VALUE}", path,
                 pb->label);
        return -1;
    }
    for (const cJSON *c = o->child; c; c = c->next) {
        if (!c->string[0] || strchr(c->string, '=')) {
            snprintf(err, errlen, "%s: %s.set: '%s' is not a field path", path, pb->label,
                     c->string);
            return -1;
        }
        if (pb->nsets == LAB_BOUNDS_SETS || !(pb->sets[pb->nsets] = key_value(c->string, c))) {
            snprintf(err, errlen, "%s: %s.set: too many or out of memory", path, pb->label);
            return -1;
        }
        pb->nsets++;
    }
    return 0;
}

int lab_bounds_load(const char *path, lab_bounds *b, char *err, size_t errlen) {
    memset(b, 0, sizeof *b);
    size_t len;
    char *text = trc_read_file(path, &len, err, errlen);
    if (!text) return -1;
    /* Names are written back as UTF-8 by --update: anything else would not
    ** survive it. */
    size_t ok = trc_utf8_valid(text, len);
    if (ok < len) {
        snprintf(err, errlen, "%s: byte %zu: not UTF-8", path, ok + 1);
        free(text);
        return -1;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        snprintf(err, errlen, "%s: not a JSON object", path);
        return -1;
    }
    int rc = 0;
    for (cJSON *p = root->child; p && rc == 0; p = p->next) {
        if (b->npolicies == LAB_BOUNDS_MAX) {
            snprintf(err, errlen, "%s: more than %d entries", path, LAB_BOUNDS_MAX);
            rc = -1;
            break;
        }
        for (size_t k = 0; k < b->npolicies; k++)
            if (strcmp(b->p[k].label, p->string) == 0) {
                snprintf(err, errlen, "%s: %s: given twice", path, p->string);
                rc = -1;
            }
        if (rc) break;
        lab_policy_bounds *pb = &b->p[b->npolicies];
        if (strlen(p->string) >= sizeof pb->label || !p->string[0]) {
            snprintf(err, errlen, "%s: '%.40s': an entry's name has 1 to %zu characters", path,
                     p->string, sizeof pb->label - 1);
            rc = -1;
            break;
        }
        snprintf(pb->label, sizeof pb->label, "%s", p->string);
        b->npolicies++;
        if (!cJSON_IsObject(p)) {
            snprintf(err, errlen, "%s: %s: must be an object", path, p->string);
            rc = -1;
            break;
        }
        const cJSON *pn = cJSON_GetObjectItemCaseSensitive(p, "policy");
        if (pn) {
            if (!cJSON_IsString(pn) || !(pb->pol = pol_find(pn->valuestring))) {
                snprintf(err, errlen, "%s: %s.policy: must name a policy (see 'spotbench "
                                      "policy list')", path, p->string);
                rc = -1;
                break;
            }
            pb->named = 1;
        } else if (!(pb->pol = pol_find(p->string))) {
            snprintf(err, errlen, "%s: %s: unknown policy (an entry with a name of its own "
                                  "says which policy it runs with \"policy\")",
                     path, p->string);
            rc = -1;
            break;
        }
        for (cJSON *c = p->child; c && rc == 0; c = c->next) {
            if (strcmp(c->string, "policy") == 0) continue;
            if (strcmp(c->string, "params") == 0) {
                rc = load_params(path, pb, c, err, errlen);
                continue;
            }
            if (strcmp(c->string, "set") == 0) {
                rc = load_sets(path, pb, c, err, errlen);
                continue;
            }
            size_t i = 0;
            while (i < NCHECKS && strcmp(checks[i].key, c->string) != 0) i++;
            if (i == NCHECKS) {
                snprintf(err, errlen, "%s: %s.%s: unknown bound", path, p->string, c->string);
                rc = -1;
                break;
            }
            if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble)) {
                snprintf(err, errlen, "%s: %s.%s: must be a number", path, p->string, c->string);
                rc = -1;
                break;
            }
            pb->has[i] = 1;
            pb->bound[i] = c->valuedouble;
        }
    }
    cJSON_Delete(root);
    if (rc) lab_bounds_free(b);
    return rc;
}

size_t lab_bounds_check(const lab_policy_bounds *pb, const sim_result *r,
                        lab_check *out) {
    size_t n = 0;
    for (size_t i = 0; i < NCHECKS; i++) {
        if (!pb->has[i]) continue;
        double v = at_precision(field(r, i), checks[i].decimals);
        out[n] = (lab_check){checks[i].key, v, pb->bound[i], checks[i].decimals,
                             checks[i].is_min ? v >= pb->bound[i] : v <= pb->bound[i]};
        n++;
    }
    return n;
}

void lab_bounds_update(lab_policy_bounds *pb, const sim_result *r, int widen) {
    /* Tolerances: room for a run to wobble with a model change, not for a
    ** policy to get noticeably worse. */
    for (size_t i = 0; i < NCHECKS; i++) {
        /* The first four always; the opt-in ones where written; never
        ** od_launches_max, an invariant. */
        if (i >= 4 && (!pb->has[i] || strcmp(checks[i].key, "od_launches_max") == 0)) continue;
        double v = field(r, i), b;
        int had = pb->has[i];
        pb->has[i] = 1;
        if (checks[i].is_min && checks[i].integer) b = floor(v * 0.9);
        else if (checks[i].is_min) b = floor((v - 0.05) * 1000) / 1000;
        else if (checks[i].integer) b = ceil(v * 1.1 + 2);
        else if (checks[i].off == GAP) b = ceil((fabs(v) * 1.1 + 0.05) * 100) / 100;
        /* The spot side does not depend on the policy: a cost bound on it
        ** is about the market and the billing rule, and tight. */
        else if (checks[i].off == offsetof(sim_result, spot_cost))
            b = ceil((v * 1.005 + 0.01) * 100) / 100;
        else b = ceil((v * 1.1 + 0.01) * 100) / 100;
        b = at_precision(b, checks[i].decimals);
        if (widen && had && (checks[i].is_min ? pb->bound[i] < b : pb->bound[i] > b))
            continue; /* the bound an earlier seed set is looser: kept */
        pb->bound[i] = b;
    }
}

static void put_string(FILE *f, const char *s) {
    char buf[600];
    size_t n = trc_json_escape(buf, sizeof buf, s);
    if (n < sizeof buf) {
        fprintf(f, "\"%s\"", buf);
        return;
    }
    char *big = malloc(n + 1);
    if (big) trc_json_escape(big, n + 1, s);
    fprintf(f, "\"%s\"", big ? big : "");
    free(big);
}

/* "KEY=VALUE" strings as the members of a JSON object. */
static void put_members(FILE *f, char *const *kv, size_t n) {
    fputc('{', f);
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(kv[i], '=');
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv[i]), kv[i]);
        fputs(i ? ", " : "", f);
        put_string(f, key);
        fprintf(f, ": %s", eq + 1);
    }
    fputc('}', f);
}

int lab_bounds_write(const char *path, const lab_bounds *b, char *err, size_t errlen) {
    trc_out o;
    if (trc_out_open(&o, path, err, errlen)) return -1;
    FILE *f = o.f;
    fprintf(f, "{\n");
    for (size_t k = 0; k < b->npolicies; k++) {
        const lab_policy_bounds *pb = &b->p[k];
        fputs("  ", f);
        put_string(f, pb->label);
        fputs(": {", f);
        const char *sep = "";
        if (pb->named) {
            fputs("\"policy\": ", f);
            put_string(f, pb->pol->name);
            sep = ", ";
        }
        if (pb->nparams) {
            fprintf(f, "%s\"params\": ", sep);
            put_members(f, pb->params, pb->nparams);
            sep = ", ";
        }
        if (pb->nsets) {
            fprintf(f, "%s\"set\": ", sep);
            put_members(f, pb->sets, pb->nsets);
            sep = ", ";
        }
        for (size_t i = 0; i < NCHECKS; i++) {
            if (!pb->has[i]) continue;
            fprintf(f, "%s\"%s\": %.*f", sep, checks[i].key, checks[i].decimals,
                    pb->bound[i]);
            sep = ", ";
        }
        fprintf(f, "}%s\n", k + 1 < b->npolicies ? "," : "");
    }
    fprintf(f, "}\n");
    return trc_out_commit(&o, err, errlen);
}
