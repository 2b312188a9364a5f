/*
** fleet.c: the spot side of the model: instances, the Spot Fleet of type
** `maintain` keeping TargetCapacity across its pools, and interruptions.
**
** A spot instance is requested (LAUNCHING, not billed), runs after the
** fleet's launch delay (RUNNING: billed, counted in FulfilledCapacity),
** and serves once registered in ECS. It is interrupted when its pool's price
** goes above its max price (the per-unit SpotPrice times its
** WeightedCapacity), when the pool's capacity trace drops below the pool's
** instances, or when a capacity event of the market model (market.c) takes
** it: it gets a 2-minute notice (NOTICE: still running and billed, serving
** unless ECS drains it (ecs.SpotInstanceDraining), counted in
** TerminatingCapacity and still in FulfilledCapacity) and is then
** terminated. The fleet replaces noticed capacity at once in the pools still
** eligible; a pool in an insufficient-capacity window is not eligible, nor
** one whose instances were told of a coming interruption by a rebalance
** recommendation, until that interruption.
**
** With Capacity Rebalancing, an instance given a rebalance recommendation is
** `rebalanced`: it keeps running, billing and serving but no longer counts
** in FulfilledCapacity nor toward the fleet's target, so the fleet launches
** a replacement (launch-before-terminate then terminates it TerminationDelay
** later).
**
** Every figure the fleet keeps per pool and in total (pool_units, pool_count,
** fulfilled, terminating, spot_units) is the sum of each instance's
** contribution, and every change of an instance goes through contrib(), so
** the sums cannot drift from the instances.
*/
#include "sim_int.h"

#include <math.h>
#include <stdlib.h>

int sim_inst_new(sim_state *s, int pool, int64_t *idx) {
    size_t i;
    if (s->nfree) {
        i = (size_t)s->free_slots[--s->nfree];
    } else {
        if (s->ninst == s->capinst) {
            size_t cap = s->capinst ? s->capinst * 2 : 64;
            sim_inst *p = realloc(s->inst, cap * sizeof *p);
            int *f = realloc(s->free_slots, cap * sizeof *f);
            if (p) s->inst = p;
            if (f) s->free_slots = f;
            if (!p || !f) return sim_fail(s, "out of memory");
            s->capinst = cap;
        }
        i = s->ninst++;
        s->inst[i].gen = 0;
    }
    sim_inst *in = &s->inst[i];
    uint32_t gen = in->gen + 1;
    *in = (sim_inst){0};
    in->pool = pool;
    in->state = INST_LAUNCHING;
    in->gen = gen;
    in->launch_t = s->now;
    in->run_t = in->end_t = -1;
    in->serial = s->serial[pool < 0]++;
    *idx = (int64_t)i;
    return 0;
}

void sim_inst_release(sim_state *s, int64_t idx) {
    s->inst[idx].state = INST_GONE;
    s->free_slots[s->nfree++] = (int)idx;
}

int sim_inst_event(sim_state *s, int64_t t, int type, int64_t idx) {
    if (sim_queue_push(&s->q, t, EVC_STATE, type, (int32_t)idx,
                       s->inst[idx].gen))
        return sim_fail(s, "out of memory");
    return 0;
}

/* Adds (sign 1) or removes (sign -1) a spot instance's share of the fleet's
** figures, as its state and flags say now. */
static void contrib(sim_state *s, const sim_inst *in, int sign) {
    double w = sign * s->sc->pools[in->pool].weight;
    int live = in->state != INST_GONE;
    int up = in->state == INST_RUNNING || in->state == INST_NOTICE;
    s->pool_count[in->pool] += live ? sign : 0;
    if ((in->state == INST_LAUNCHING || in->state == INST_RUNNING) && !in->rebalanced)
        s->pool_units[in->pool] += w;
    if (up && !in->rebalanced) s->fulfilled += w;
    if (in->state == INST_NOTICE) s->terminating += w;
    if (in->registered) s->spot_units += w;
}

/* Changes a spot instance's state (and whether it serves) with the sums. */
static void set_state(sim_state *s, sim_inst *in, int state, int registered) {
    contrib(s, in, -1);
    in->state = state;
    in->registered = registered;
    contrib(s, in, 1);
}

void sim_spot_started(sim_state *s, int64_t idx) {
    sim_inst *in = &s->inst[idx];
    in->gen++; /* its launch events are void */
    in->run_t = s->sc->start;
    in->initial = 1;
    set_state(s, in, INST_RUNNING, 1);
}

static double inst_max_price(const sim_pool *p) { return p->max_price * p->weight; }

/* Can the fleet launch in pool p now? AWS: "Amazon EC2 does not fulfill
** requests in pools where the maximum price you're willing to pay for Spot
** Instances is less than the Spot price or the Spot price is greater than the
** price for On-Demand Instances" (EligibleInstancePoolCount). */
static int eligible(const sim_state *s, size_t p) {
    const sim_pool *pl = &s->sc->pools[p];
    return s->price[p] <= inst_max_price(pl) && s->price[p] <= pl->on_demand_price &&
           s->pool_count[p] < s->avail[p] &&
           s->now >= s->ice_until[p] && s->now >= s->risk_until[p];
}

/* Is pool p a better place for the next instance than pool b? */
static int better(const sim_state *s, size_t p, size_t b) {
    const sim_pool *a = &s->sc->pools[p], *c = &s->sc->pools[b];
    double ua = s->price[p] / a->weight, ub = s->price[b] / c->weight;
    double ra = s->avail[p] - s->pool_count[p], rb = s->avail[b] - s->pool_count[b];
    switch (s->sc->alloc) {
    case SIM_LOWEST_PRICE:
        return ua < ub;
    case SIM_DIVERSIFIED: /* spread units evenly over the pools */
        return s->pool_units[p] < s->pool_units[b] ||
               (s->pool_units[p] == s->pool_units[b] && ua < ub);
    case SIM_CAPACITY_OPTIMIZED: /* the deepest pool: fewest interruptions,
                                    then the most room, then the price */
        if (a->band != c->band) return a->band < c->band;
        if (ra != rb) return ra > rb;
        return ua < ub;
    case SIM_PRICE_CAPACITY_OPTIMIZED: /* among the deep pools (see
                                          choose_pool), the cheapest */
        if (ua != ub) return ua < ub;
        if (a->band != c->band) return a->band < c->band;
        return ra > rb;
    }
    return 0;
}

/* The pool the allocation strategy launches the next instance in, or -1.
** priceCapacityOptimized first keeps the pools whose interruption band is
** at most one above the best eligible pool's, then takes the cheapest. */
static int choose_pool(const sim_state *s) {
    int deepest = 99;
    if (s->sc->alloc == SIM_PRICE_CAPACITY_OPTIMIZED)
        for (size_t p = 0; p < s->sc->npools; p++)
            if (eligible(s, p) && s->sc->pools[p].band < deepest)
                deepest = s->sc->pools[p].band;
    int best = -1;
    for (size_t p = 0; p < s->sc->npools; p++) {
        if (!eligible(s, p)) continue;
        if (s->sc->alloc == SIM_PRICE_CAPACITY_OPTIMIZED &&
            s->sc->pools[p].band > deepest + 1)
            continue;
        if (best < 0 || better(s, p, (size_t)best)) best = (int)p;
    }
    return best;
}

static int launch_spot(sim_state *s, int pool) {
    int64_t idx;
    if (sim_inst_new(s, pool, &idx)) return -1;
    contrib(s, &s->inst[idx], 1);
    s->res->spot_launches++;
    return sim_inst_event(s, s->now + sim_rng_delay(&s->rng_fleet, &s->sc->fleet_launch_delay),
                          EV_RUNNING, idx);
}

/* Ends a spot instance now: by EC2 (interrupted) or by the fleet. */
static void end_spot(sim_state *s, int64_t idx, int interrupted) {
    sim_inst *in = &s->inst[idx];
    contrib(s, in, -1);
    in->end_t = s->now;
    if (in->run_t >= 0) sim_bill(s, in, interrupted);
    sim_inst_release(s, idx);
}

/* Gives a running instance its 2-minute notice; cancels a launching one. */
int sim_spot_notice(sim_state *s, int64_t idx) {
    sim_inst *in = &s->inst[idx];
    if (in->state == INST_LAUNCHING) {
        end_spot(s, idx, 1);
        return 0;
    }
    if (in->state != INST_RUNNING) return 0;
    /* ECS drains an instance at its notice when told to. */
    set_state(s, in, INST_NOTICE, in->registered && !s->sc->spot_draining);
    s->res->interruptions++;
    return sim_inst_event(s, s->now + 120, EV_TERMINATE, idx);
}

/* Units launching or running, not under notice nor rebalanced: what the
** fleet counts toward its target when deciding to launch. */
static double fleet_units(const sim_state *s) {
    double u = 0;
    for (size_t p = 0; p < s->sc->npools; p++) u += s->pool_units[p];
    return u;
}

int sim_fleet_fill(sim_state *s) {
    double have = fleet_units(s);
    while (have < s->target - 1e-9) {
        int p = choose_pool(s);
        if (p < 0) break; /* no eligible pool: PendingCapacity stays up */
        if (launch_spot(s, p)) return -1;
        have += s->sc->pools[p].weight;
    }
    /* Above target (it was lowered): terminate the costliest units first,
    ** launching ones before running ones, while the rest still meets it. */
    while (have > s->target + 1e-9) {
        int64_t victim = -1;
        double vcost = -1;
        int vlaunching = 0;
        for (size_t i = 0; i < s->ninst; i++) {
            const sim_inst *in = &s->inst[i];
            if (in->pool < 0 || in->rebalanced ||
                (in->state != INST_RUNNING && in->state != INST_LAUNCHING))
                continue;
            const sim_pool *pl = &s->sc->pools[in->pool];
            if (have - pl->weight < s->target - 1e-9) continue;
            int l = in->state == INST_LAUNCHING;
            double c = s->price[in->pool] / pl->weight;
            if (victim < 0 || l > vlaunching ||
                (l == vlaunching && (c > vcost || (c == vcost && in->serial > s->inst[victim].serial)))) {
                victim = (int64_t)i;
                vcost = c;
                vlaunching = l;
            }
        }
        if (victim < 0) break;
        have -= s->sc->pools[s->inst[victim].pool].weight;
        end_spot(s, victim, 0);
    }
    return 0;
}

/* The newest instance of `pool` not yet under notice, or -1. */
static int64_t newest_in_pool(const sim_state *s, int pool) {
    int64_t best = -1;
    for (size_t i = 0; i < s->ninst; i++) {
        const sim_inst *in = &s->inst[i];
        if (in->pool != pool || in->state == INST_GONE || in->state == INST_NOTICE)
            continue;
        if (best < 0 || in->serial > s->inst[best].serial) best = (int64_t)i;
    }
    return best;
}

int sim_fleet_pool_changed(sim_state *s, int pool) {
    const sim_pool *pl = &s->sc->pools[pool];
    if (s->price[pool] > inst_max_price(pl)) {
        /* Outbid: every instance of the pool is interrupted. */
        for (int64_t k; (k = newest_in_pool(s, pool)) >= 0;)
            if (sim_spot_notice(s, k)) return -1;
    } else if (!isinf(s->avail[pool])) {
        /* Capacity withdrawn: instances beyond it go, newest first. Those
        ** under notice already count against the pool until they end. */
        int excess = s->pool_count[pool] - (int)s->avail[pool];
        for (size_t i = 0; i < s->ninst; i++)
            if (s->inst[i].pool == pool && s->inst[i].state == INST_NOTICE) excess--;
        for (int64_t k; excess > 0 && (k = newest_in_pool(s, pool)) >= 0; excess--)
            if (sim_spot_notice(s, k)) return -1;
    }
    return sim_fleet_fill(s);
}

int sim_spot_rebalance(sim_state *s, int64_t idx) {
    sim_inst *in = &s->inst[idx];
    const sim_scenario *sc = s->sc;
    if (sc->rebalance == SIM_REBALANCE_NONE || in->rebalanced || in->state != INST_RUNNING)
        return 0;
    contrib(s, in, -1);
    in->rebalanced = 1;
    contrib(s, in, 1);
    s->res->rebalances++;
    if (sc->rebalance == SIM_REBALANCE_LAUNCH_BEFORE_TERMINATE)
        return sim_inst_event(s, s->now + sc->rebalance_termination_delay, EV_REBALANCE_END,
                              idx);
    return 0;
}

/* Spot instance transitions; on-demand ones are in asg.c. */
int sim_spot_event(sim_state *s, int type, int64_t idx) {
    sim_inst *in = &s->inst[idx];
    switch (type) {
    case EV_RUNNING:
        in->run_t = s->now;
        set_state(s, in, INST_RUNNING, 0);
        return sim_inst_event(s, s->now + sim_rng_delay(&s->rng_reg, &s->sc->registration_delay),
                              EV_REGISTERED, idx);
    case EV_REGISTERED:
        /* A drained instance under notice does not join the cluster. */
        if (in->state == INST_NOTICE && s->sc->spot_draining) return 0;
        set_state(s, in, in->state, 1);
        return 0;
    case EV_TERMINATE:
        end_spot(s, idx, 1);
        return sim_fleet_fill(s);
    case EV_REBALANCE_END: /* launch-before-terminate: the fleet ends it */
        if (in->state == INST_NOTICE) return 0; /* EC2 is ending it anyway */
        end_spot(s, idx, 0);
        return sim_fleet_fill(s);
    }
    return 0;
}
