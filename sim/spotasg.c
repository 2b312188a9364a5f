/*
** spotasg.c: spot capacity as an Auto Scaling group (fleet.kind asg), and
** the native strategies that run on one without a controller: a group
** with a MixedInstancesPolicy (`mixed-instances`) and an ECS cluster with
** a spot and an on-demand capacity provider (`capacity-providers`).
**
** A mixed group's DesiredCapacity (units) is split once at the start into
** an on-demand part, OnDemandBaseCapacity plus
** OnDemandPercentageAboveBaseCapacity % of the rest, in whole instances of
** the on-demand type (sim_mixed_split), and a spot part, which the spot
** pools fill as a Spot Fleet's would (fleet.c) with two differences an Auto
** Scaling group has: an interrupted instance is replaced only once it is
** terminated (not at its 2-minute notice), and launches keep the
** Availability Zones balanced, best effort. When no spot pool can launch,
** the group keeps trying there: nothing fails over to on-demand.
**
** The on-demand part is assumed always available: its instances serve
** from the moment the group asks for them (those of the start were running
** before it, past their first hour), are billed on demand, and are never
** interrupted; when target tracking moves the desired capacity, the split
** is made again and the newest on-demand instances go first.
**
** Capacity providers: the requirement (tasks, in units) is split by the
** capacity-provider strategy (base on the on-demand provider, then the
** weights); managed scaling sizes each provider's group so that its tasks
** fill targetCapacity % of it. Tasks given to the spot provider wait while
** it lacks capacity: what serves is each provider's capacity up to its
** tasks (sim_group_units).
**
** Every figure docs/scenario.md gives for these comes with its AWS page.
*/
#include "sim_int.h"

#include <math.h>
#include <stdlib.h>

void sim_mixed_split(double desired, double base, double pct, double od_weight, int *od_n,
                     double *spot_units) {
    double b = base < desired ? base : desired;
    double od = b + (desired - b) * pct / 100;
    /* Whole on-demand instances, rounded up: the share is a floor on
    ** on-demand capacity, and capacity comes in instances. */
    double n = ceil(od / od_weight - 1e-9);
    if (n < 0) n = 0;
    *od_n = (int)n;
    double spot = desired - n * od_weight;
    *spot_units = spot > 0 ? spot : 0;
}

void sim_providers_split(double required, double base, double w_spot, double w_od,
                         double *tasks_spot, double *tasks_od) {
    double b = base < required ? base : required;
    double rest = required - b;
    double od = b;
    if (w_spot + w_od > 0) od += ceil(rest * w_od / (w_spot + w_od) - 1e-9);
    if (od > required) od = required;
    *tasks_od = od;
    *tasks_spot = required - od;
}

/* The on-demand type of a mixed group: the first override (prioritized)
** or the cheapest per unit (lowest-price). */
static size_t od_pool(const sim_scenario *sc, int lowest) {
    size_t best = 0;
    if (lowest)
        for (size_t p = 1; p < sc->npools; p++)
            if (sc->pools[p].on_demand_price / sc->pools[p].weight <
                sc->pools[best].on_demand_price / sc->pools[best].weight)
                best = p;
    return best;
}

/* Bills an on-demand instance of the part that ran from start to end (one
** that started with the run was running before it, past its first hour). */
static void bill_od(sim_state *s, int64_t start, int64_t end) {
    const sim_scenario *sc = s->sc;
    double c = sim_charge(sc->billing, NULL, NULL, s->sasg.od_price, start, end, 0,
                          start > sc->start);
    s->res->od_cost += c;
    s->sasg.od_cost += c;
    s->sasg.od_hours += (double)(end - start) / 3600;
    s->res->od_instance_hours += (double)(end - start) / 3600;
}

/* The on-demand part becomes n instances: new ones start now (on-demand
** capacity is assumed available: no launch delay), the newest go first. */
static int od_resize(sim_state *s, int n) {
    sim_sasg_state *g = &s->sasg;
    if ((size_t)n > g->od_cap) {
        size_t c = g->od_cap ? g->od_cap : 16;
        while (c < (size_t)n) c *= 2;
        int64_t *p = realloc(g->od_start, c * sizeof *p);
        if (!p) return sim_fail(s, "out of memory");
        g->od_start = p;
        g->od_cap = c;
    }
    while (g->od_n < n) g->od_start[g->od_n++] = s->now;
    while (g->od_n > n) {
        g->od_n--;
        bill_od(s, g->od_start[g->od_n], s->now);
    }
    g->od_units = g->od_n * g->od_weight;
    return 0;
}

double sim_sasg_tasks_od(const sim_state *s) {
    double ts, to;
    sim_providers_split(s->required, s->sasg.base, s->sasg.w_spot, s->sasg.w_od, &ts, &to);
    return to;
}

int sim_sasg_resize(sim_state *s, double desired) {
    sim_sasg_state *g = &s->sasg;
    g->desired = desired;
    if (g->providers) {
        /* Managed scaling: each provider's tasks fill targetCapacity % of
        ** its group. */
        double to = sim_sasg_tasks_od(s);
        double ts = s->required > to ? s->required - to : 0;
        if (od_resize(s, (int)ceil(to * 100 / g->target_pct / g->od_weight - 1e-9))) return -1;
        s->fleet.target = ceil(ts * 100 / g->target_pct - 1e-9);
        return 0;
    }
    int n;
    sim_mixed_split(desired, g->base, g->pct, g->od_weight, &n, &s->fleet.target);
    return od_resize(s, n);
}

int sim_sasg_setup(sim_state *s) {
    const sim_scenario *sc = s->sc;
    sim_sasg_state *g = &s->sasg;
    int native = s->pol->native;
    g->stuck_since = -1;
    /* Read but not there: a run on a Spot Fleet or a replay says so. */
    s->res->no_launch_failures = !native && pol_reads_launch_failures(s->pol, s->params) &&
                                 !(sc->kind == SIM_KIND_ASG && sc->mode == SIM_MODEL);
    if (sc->kind != SIM_KIND_ASG && !native) return 0;
    g->asg = 1;
    g->fail_on = !native && sc->mode == SIM_MODEL && pol_reads_launch_failures(s->pol, s->params);
    const double *v = s->params->v;
    if (native == POL_NATIVE_PROVIDERS) {
        /* base, weight_spot, weight_on_demand, target_capacity,
        ** instance_warmup: policy/native.c */
        if (v[1] + v[2] <= 0)
            return sim_fail(s, "%s: weight_spot and weight_on_demand are both 0: ECS needs "
                               "a weight above 0 in the strategy",
                            s->pol->name);
        g->providers = 1;
        g->base = v[0];
        g->w_spot = v[1];
        g->w_od = v[2];
        g->target_pct = v[3];
        g->warmup = (int64_t)v[4];
        g->od_weight = sc->od_weight; /* the case's on-demand group */
        g->od_price = sc->od_price;
    } else {
        g->base = sc->mixed.od_base;
        g->pct = sc->mixed.od_pct;
        if (native == POL_NATIVE_MIXED) {
            g->base = v[0]; /* on_demand_base, on_demand_percentage */
            g->pct = v[1];
        }
        const sim_pool *op = &sc->pools[od_pool(sc, sc->mixed.od_lowest_price)];
        g->od_weight = op->weight;
        g->od_price = op->on_demand_price;
    }
    /* The group's desired capacity: the fleet's target as the scenario
    ** sets it (TargetCapacity, or target tracking's first value). */
    return sim_sasg_resize(s, s->fleet.target);
}

void sim_sasg_finish(sim_state *s) {
    for (int k = 0; k < s->sasg.od_n; k++) bill_od(s, s->sasg.od_start[k], s->sc->end);
}

void sim_sasg_free(sim_state *s) {
    free(s->sasg.od_start);
    free(s->sasg.spans);
    free(s->sasg.out);
}

/* ---- failed launches ------------------------------------------------------
** A spot group that cannot launch in any pool keeps trying (no failover);
** each attempt is a scaling activity that DescribeScalingActivities lists
** with StatusCode "Failed" and a StatusMessage naming EC2's error. The
** model: the first attempt at the moment the spot part is short with no
** pool able to launch, then one every SIM_LAUNCH_RETRY_S while that lasts;
** each fails at once (EndTime = StartTime) and a controller sees it at its
** next invocation (the API answers from the group's own record: no delay
** is documented, none is modelled). Kept only for a policy that reads them,
** from the state fleet.c already has: no draw, no event, so every other
** figure of a run is the same with them or without. */

const char *sim_fail_message(int code) {
    return code == SIM_FAIL_PRICE
               ? "Could not launch Spot Instances. SpotMaxPriceTooLow - Your Spot request "
                 "price is lower than the minimum required Spot request fulfillment price. "
                 "Launching EC2 instance failed."
               : "Could not launch Spot Instances. InsufficientInstanceCapacity - There is "
                 "no Spot capacity available that matches your request. Launching EC2 "
                 "instance failed.";
}

int sim_sasg_filled(sim_state *s, int short_of, int code) {
    sim_sasg_state *g = &s->sasg;
    if (!g->fail_on) return 0;
    if (short_of) {
        if (g->stuck_since < 0) {
            g->stuck_since = s->now;
            g->stuck_code = code;
        }
        return 0;
    }
    if (g->stuck_since < 0) return 0;
    if (g->nspans == g->capspans) {
        size_t c = g->capspans ? 2 * g->capspans : 16;
        sim_fail_span *p = realloc(g->spans, c * sizeof *p);
        if (!p) return sim_fail(s, "out of memory");
        g->spans = p;
        g->capspans = c;
    }
    g->spans[g->nspans++] = (sim_fail_span){g->stuck_since, s->now, g->stuck_code};
    g->stuck_since = -1;
    return 0;
}

/* Appends the attempts of [from, to) that lie in [lo, hi] to g->out. */
static int span_attempts(sim_state *s, int64_t from, int64_t to, int64_t lo, int64_t hi,
                         size_t *n) {
    sim_sasg_state *g = &s->sasg;
    int64_t k = lo > from ? (lo - from + SIM_LAUNCH_RETRY_S - 1) / SIM_LAUNCH_RETRY_S : 0;
    for (int64_t t = from + k * SIM_LAUNCH_RETRY_S; t < to && t <= hi;
         t += SIM_LAUNCH_RETRY_S) {
        if (*n == g->capout) {
            size_t c = g->capout ? 2 * g->capout : 16;
            int64_t *p = realloc(g->out, c * sizeof *p);
            if (!p) return sim_fail(s, "out of memory");
            g->out = p;
            g->capout = c;
        }
        g->out[(*n)++] = t;
    }
    return 0;
}

int sim_sasg_failures(sim_state *s, int64_t lookback, pol_launch_failures *out) {
    sim_sasg_state *g = &s->sasg;
    out->known = g->fail_on;
    out->t = NULL;
    out->n = 0;
    if (!g->fail_on) return 0;
    /* Forget the spans no look-back reaches any more (they only move on). */
    int64_t oldest = s->now - lookback;
    size_t keep = 0, n = 0;
    for (size_t i = 0; i < g->nspans; i++)
        if (g->spans[i].to > oldest) g->spans[keep++] = g->spans[i];
    g->nspans = keep;
    for (size_t i = 0; i < g->nspans; i++)
        if (span_attempts(s, g->spans[i].from, g->spans[i].to, oldest, s->now, &n))
            return -1;
    if (g->stuck_since >= 0 && span_attempts(s, g->stuck_since, INT64_MAX, oldest, s->now, &n))
        return -1;
    out->t = g->out;
    out->n = n;
    return 0;
}

/* Units launching or running in AZ `az` (the id market.c gives it). */
static double az_units(const sim_state *s, int az) {
    double u = 0;
    for (size_t q = 0; q < s->sc->npools; q++)
        if (s->market.az[q] == az) u += s->fleet.pool_units[q];
    return u;
}

int sim_sasg_az_ok(const sim_state *s, size_t p, const unsigned char *elig) {
    double mine = az_units(s, s->market.az[p]);
    for (size_t q = 0; q < s->sc->npools; q++)
        if (elig[q] && s->market.az[q] != s->market.az[p] &&
            az_units(s, s->market.az[q]) < mine - 1e-9)
            return 0;
    return 1;
}
