/*
** regress.c: the bounds of the regression suite. Each outage case in
** traces/scenarios/ may hold a bounds.json naming the policies to run and,
** per policy, the figures a run must stay within:
**
**   {"classic": {"coverage_pct_min": 99.7, "shortfall_unit_hours_max": 1.8,
**                "od_cost_max": 6.4, "set_rejected_max": 50},
**    "guarded": {..., "od_launches_max": 0}}
**
** `od_launches_max` is the invariant "no on-demand launch caused by missing
** data" where a case has no real shortfall; --update keeps it as written and
** recomputes the others from the current figures with tolerances.
*/
#include "sim.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regress.h"
#include "traces/import.h"

static const struct {
    const char *key;
    int is_min;
    size_t off;
    int integer;
} checks[] = {
    {"coverage_pct_min", 1, offsetof(sim_result, coverage_pct), 0},
    {"shortfall_unit_hours_max", 0, offsetof(sim_result, shortfall_unit_hours), 0},
    {"od_cost_max", 0, offsetof(sim_result, od_cost), 0},
    {"set_rejected_max", 0, offsetof(sim_result, set_rejected), 1},
    {"od_launches_max", 0, offsetof(sim_result, od_launches), 1},
};
#define NCHECKS (sizeof checks / sizeof checks[0])

static double field(const sim_result *r, size_t i) {
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

int sim_bounds_load(const char *path, sim_bounds *b, char *err, size_t errlen) {
    memset(b, 0, sizeof *b);
    size_t len;
    char *text = trc_read_file(path, &len, err, errlen);
    if (!text) return -1;
    cJSON *root = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        snprintf(err, errlen, "%s: not a JSON object", path);
        return -1;
    }
    int rc = 0;
    for (cJSON *p = root->child; p && rc == 0; p = p->next) {
        if (b->npolicies == SIM_BOUNDS_MAX) {
            snprintf(err, errlen, "%s: more than %d policies", path, SIM_BOUNDS_MAX);
            rc = -1;
            break;
        }
        sim_policy_bounds *pb = &b->p[b->npolicies];
        pb->pol = pol_find(p->string);
        if (!pb->pol) {
            snprintf(err, errlen, "%s: %s: unknown policy", path, p->string);
            rc = -1;
            break;
        }
        if (!cJSON_IsObject(p)) {
            snprintf(err, errlen, "%s: %s: must be an object", path, p->string);
            rc = -1;
            break;
        }
        for (cJSON *c = p->child; c; c = c->next) {
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
        b->npolicies++;
    }
    cJSON_Delete(root);
    return rc;
}

size_t sim_bounds_check(const sim_policy_bounds *pb, const sim_result *r,
                        sim_check *out) {
    size_t n = 0;
    for (size_t i = 0; i < NCHECKS; i++) {
        if (!pb->has[i]) continue;
        double v = field(r, i);
        out[n] = (sim_check){checks[i].key, v, pb->bound[i],
                             checks[i].is_min ? v >= pb->bound[i] : v <= pb->bound[i]};
        n++;
    }
    return n;
}

void sim_bounds_update(sim_policy_bounds *pb, const sim_result *r) {
    /* Tolerances: room for a run to wobble with a model change, not for a
    ** policy to get noticeably worse. */
    for (size_t i = 0; i < 4; i++) {
        double v = field(r, i);
        pb->has[i] = 1;
        if (checks[i].is_min) pb->bound[i] = floor((v - 0.05) * 1000) / 1000;
        else if (checks[i].integer) pb->bound[i] = ceil(v * 1.1 + 2);
        else pb->bound[i] = ceil((v * 1.1 + 0.01) * 100) / 100;
    }
}

int sim_bounds_write(const char *path, const sim_bounds *b, char *err, size_t errlen) {
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write", path);
        return -1;
    }
    fprintf(f, "{\n");
    for (size_t k = 0; k < b->npolicies; k++) {
        const sim_policy_bounds *pb = &b->p[k];
        fprintf(f, "  \"%s\": {", pb->pol->name);
        int first = 1;
        for (size_t i = 0; i < NCHECKS; i++) {
            if (!pb->has[i]) continue;
            fprintf(f, "%s\"%s\": %.17g", first ? "" : ", ", checks[i].key, pb->bound[i]);
            first = 0;
        }
        fprintf(f, "}%s\n", k + 1 < b->npolicies ? "," : "");
    }
    fprintf(f, "}\n");
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: write failed", path);
        return -1;
    }
    return 0;
}
