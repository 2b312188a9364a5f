/*
** fleet.c: the spot side of the model: instances, the Spot Fleet of type
** `maintain` keeping TargetCapacity across its pools, and interruptions.
**
** A spot instance is requested (LAUNCHING, not billed), runs after the
** fleet's launch delay (RUNNING: billed, counted in FulfilledCapacity),
** and serves once registered in ECS. When its pool's price goes above its
** max price (the per-unit SpotPrice times its WeightedCapacity), or the pool
** loses capacity, it gets a 2-minute notice (NOTICE: still running, billed
** and serving, unless ECS drains it (ecs.SpotInstanceDraining), counted in
** TerminatingCapacity and still in FulfilledCapacity) and is then
** terminated. The fleet replaces noticed
** capacity at once in the pools still eligible.
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
    *in = (sim_inst){pool, INST_LAUNCHING, 0, gen, 0, s->now, -1, -1};
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

static double inst_max_price(const sim_pool *p) { return p->max_price * p->weight; }

static int eligible(const sim_state *s, size_t p) {
    const sim_pool *pl = &s->sc->pools[p];
    return s->price[p] <= inst_max_price(pl) && s->pool_count[p] < s->avail[p];
}

/* The pool the allocation strategy launches the next instance in, or -1. */
static int choose_pool(const sim_state *s) {
    int best = -1;
    for (size_t p = 0; p < s->sc->npools; p++) {
        if (!eligible(s, p)) continue;
        if (best < 0) {
            best = (int)p;
            continue;
        }
        const sim_pool *a = &s->sc->pools[p], *b = &s->sc->pools[best];
        double ua = s->price[p] / a->weight, ub = s->price[best] / b->weight;
        switch (s->sc->alloc) {
        case SIM_LOWEST_PRICE:
            if (ua < ub) best = (int)p;
            break;
        case SIM_DIVERSIFIED: /* spread units evenly over the pools */
            if (s->pool_units[p] < s->pool_units[best] ||
                (s->pool_units[p] == s->pool_units[best] && ua < ub))
                best = (int)p;
            break;
        case SIM_CAPACITY_OPTIMIZED: { /* the pool with the most room */
            double ra = s->avail[p] - s->pool_count[p];
            double rb = s->avail[best] - s->pool_count[best];
            if (ra > rb || (ra == rb && ua < ub)) best = (int)p;
            break;
        }
        }
    }
    return best;
}

static int launch_spot(sim_state *s, int pool) {
    int64_t idx;
    if (sim_inst_new(s, pool, &idx)) return -1;
    s->pool_count[pool]++;
    s->pool_units[pool] += s->sc->pools[pool].weight;
    s->res->spot_launches++;
    return sim_inst_event(s, s->now + sim_rng_delay(&s->rng_fleet, &s->sc->fleet_launch_delay),
                          EV_RUNNING, idx);
}

/* Ends a spot instance now: by AWS (interrupted) or by the fleet. */
static void end_spot(sim_state *s, int64_t idx, int interrupted) {
    sim_inst *in = &s->inst[idx];
    const sim_pool *pl = &s->sc->pools[in->pool];
    if (in->state == INST_RUNNING) s->pool_units[in->pool] -= pl->weight;
    if (in->state == INST_LAUNCHING) s->pool_units[in->pool] -= pl->weight;
    if (in->state == INST_RUNNING || in->state == INST_NOTICE)
        s->fulfilled -= pl->weight;
    if (in->state == INST_NOTICE) s->terminating -= pl->weight;
    if (in->registered) s->spot_units -= pl->weight;
    s->pool_count[in->pool]--;
    in->end_t = s->now;
    if (in->run_t >= 0) sim_bill(s, in, interrupted);
    sim_inst_release(s, idx);
}

/* Gives a running instance its 2-minute notice; cancels a launching one. */
static int notice(sim_state *s, int64_t idx) {
    sim_inst *in = &s->inst[idx];
    if (in->state == INST_LAUNCHING) {
        end_spot(s, idx, 1);
        return 0;
    }
    const sim_pool *pl = &s->sc->pools[in->pool];
    in->state = INST_NOTICE;
    s->pool_units[in->pool] -= pl->weight;
    s->terminating += pl->weight;
    if (s->sc->spot_draining && in->registered) { /* ECS drains it now */
        in->registered = 0;
        s->spot_units -= pl->weight;
    }
    s->res->interruptions++;
    return sim_inst_event(s, s->now + 120, EV_TERMINATE, idx);
}

/* Units launching or running, not under notice: what the fleet counts
** toward its target when deciding to launch. */
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
            if (in->pool < 0 || (in->state != INST_RUNNING && in->state != INST_LAUNCHING))
                continue;
            const sim_pool *pl = &s->sc->pools[in->pool];
            if (have - pl->weight < s->target - 1e-9) continue;
            int l = in->state == INST_LAUNCHING;
            double c = s->price[in->pool] / pl->weight;
            if (victim < 0 || l > vlaunching || (l == vlaunching && c > vcost)) {
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
        if (best < 0 || in->launch_t >= s->inst[best].launch_t) best = (int64_t)i;
    }
    return best;
}

int sim_fleet_pool_changed(sim_state *s, int pool) {
    const sim_pool *pl = &s->sc->pools[pool];
    if (s->price[pool] > inst_max_price(pl)) {
        /* Outbid: every instance of the pool is interrupted. */
        for (int64_t k; (k = newest_in_pool(s, pool)) >= 0;)
            if (notice(s, k)) return -1;
    } else if (!isinf(s->avail[pool])) {
        /* Capacity withdrawn: instances beyond it go, newest first. Those
        ** under notice already count against the pool until they end. */
        int excess = s->pool_count[pool] - (int)s->avail[pool];
        for (size_t i = 0; i < s->ninst; i++)
            if (s->inst[i].pool == pool && s->inst[i].state == INST_NOTICE) excess--;
        for (int64_t k; excess > 0 && (k = newest_in_pool(s, pool)) >= 0; excess--)
            if (notice(s, k)) return -1;
    }
    return sim_fleet_fill(s);
}

/* Spot instance transitions; on-demand ones are in asg.c. */
int sim_spot_event(sim_state *s, int type, int64_t idx) {
    sim_inst *in = &s->inst[idx];
    const sim_pool *pl = &s->sc->pools[in->pool];
    switch (type) {
    case EV_RUNNING:
        in->state = INST_RUNNING;
        in->run_t = s->now;
        s->fulfilled += pl->weight;
        return sim_inst_event(s, s->now + sim_rng_delay(&s->rng_reg, &s->sc->registration_delay),
                              EV_REGISTERED, idx);
    case EV_REGISTERED:
        if (in->state == INST_NOTICE && s->sc->spot_draining) return 0;
        in->registered = 1;
        s->spot_units += pl->weight;
        return 0;
    case EV_TERMINATE:
        end_spot(s, idx, 1);
        return sim_fleet_fill(s);
    }
    return 0;
}
