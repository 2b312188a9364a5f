/*
** obs_fixture.h: builds pol_obs values for the policy tests. Header-only
** because each test binary is one file.
*/
#ifndef SPOTBENCH_OBS_FIXTURE_H
#define SPOTBENCH_OBS_FIXTURE_H

#include <stdarg.h>
#include <string.h>

#include "policy/policy.h"

/* 2017-03-01T12:00:00Z, the example in the policy eval documentation. */
#define NOW 1488369600LL

typedef struct {
    pol_obs o;
    pol_point pts[POL_NMETRICS][64];
    pol_point ev[POL_NEVENTS][16];
} fixture;

/* A fixture at NOW with an ASG of desired 0, MinSize 0, MaxSize 200. */
static inline void fx_init(fixture *f) {
    memset(f, 0, sizeof *f);
    f->o.now = NOW;
    f->o.asg.known = 1;
    f->o.asg.max_size = 200;
    for (int m = 0; m < POL_NMETRICS; m++) f->o.m[m].pts = f->pts[m];
}

/* Appends a datapoint at NOW + dt (points must be added oldest first). */
static inline void fx_point(fixture *f, pol_metric m, long long dt, double v) {
    pol_series *s = &f->o.m[m];
    f->pts[m][s->n].t = NOW + dt;
    f->pts[m][s->n].v = v;
    s->n++;
}

/* Datapoints every 60 s from NOW + from to NOW + to inclusive, all v. */
static inline void fx_flat(fixture *f, pol_metric m, long long from,
                           long long to, double v) {
    for (long long t = from; t <= to; t += 60) fx_point(f, m, t, v);
}

/* Removes metric m's datapoint at NOW + dt (a hole), when there is one. */
static inline void fx_drop(fixture *f, pol_metric m, long long dt) {
    pol_series *s = &f->o.m[m];
    for (size_t i = 0; i < s->n; i++)
        if (f->pts[m][i].t == NOW + dt) {
            memmove(&f->pts[m][i], &f->pts[m][i + 1], (s->n - i - 1) * sizeof f->pts[m][0]);
            s->n--;
            return;
        }
}

/* An event source (the last invocation at NOW - 60) and an event of kind
** k received at NOW + dt naming an instance of `units` units (events must
** be added oldest first). */
static inline void fx_event(fixture *f, pol_event_kind k, long long dt, double units) {
    pol_events *e = &f->o.events;
    if (!e->known) {
        e->known = 1;
        e->since = NOW - 60;
    }
    for (int j = 0; j < POL_NEVENTS; j++) e->ev[j] = f->ev[j];
    f->ev[k][e->n[k]].t = NOW + dt;
    f->ev[k][e->n[k]].v = units;
    e->n[k]++;
}

static inline void fx_asg(fixture *f, int desired, int min, int max) {
    f->o.asg.desired = desired;
    f->o.asg.min_size = min;
    f->o.asg.max_size = max;
    f->o.asg.in_service = desired;
}

/* Runs `policy` on the fixture with its defaults and then each "KEY=VALUE"
** given (the list ends with NULL). A bad setting makes the decision garbage
** (action -1) so the test fails loudly. */
static inline pol_decision fx_decide(const char *policy, const fixture *f,
                                     ...) {
    const pol_policy *pol = pol_find(policy);
    pol_params p;
    pol_decision d;
    char err[160], key[64];
    va_list ap;
    pol_params_default(pol, &p);
    va_start(ap, f);
    for (const char *kv; (kv = va_arg(ap, const char *)) != NULL;) {
        const char *eq = strchr(kv, '=');
        memcpy(key, kv, (size_t)(eq - kv));
        key[eq - kv] = '\0';
        if (pol_param_set(pol, &p, key, eq + 1, err, sizeof err)) {
            va_end(ap);
            memset(&d, 0, sizeof d);
            d.action = (pol_action)-1;
            return d;
        }
    }
    va_end(ap);
    pol_decide(pol, &f->o, &p, &d);
    return d;
}

#endif
