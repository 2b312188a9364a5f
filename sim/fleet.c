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
** unless ECS drains it (ecs.SpotInstanceDraining), still in
** FulfilledCapacity; an interruption warning goes out to EventBridge,
** events.c) and is then terminated. TerminatingCapacity is not the notice:
** as AWS defines it, it is "the capacity that is being terminated because
** the provisioned capacity is greater than the target capacity", so it
** counts the instances the fleet itself terminates (above target, or under
** launch-before-terminate) for fleet.TerminationDelay, their shutting-down
** time (no longer billed nor fulfilled). The fleet replaces noticed
** capacity at once in the pools still eligible; a pool in an
** insufficient-capacity window is not eligible, nor one whose instances
** were told of a coming interruption by a rebalance recommendation, until
** that interruption.
**
** With Capacity Rebalancing, an instance given a rebalance recommendation is
** `rebalanced`: it keeps running, billing and serving but no longer counts
** in FulfilledCapacity nor toward the fleet's target, so the fleet launches
** a replacement; launch-before-terminate then terminates it TerminationDelay
** after a replacement has launched (is running): each spot instance that
** starts running while instances await one releases the oldest of them,
** as many as its own units cover (at least one).
**
** Every figure the fleet keeps per pool and in total (pool_units, pool_count,
** pool_launching, pool_notice, fulfilled, spot_units) is the
** sum of each instance's contribution, and every change of an instance goes
** through contrib(), so the sums cannot drift from the instances.
**
** Each pool keeps its instances on a list in launch order (serial order):
** "the newest instance of the pool" and "the pool's instances in launch
** order" are read off it, so no decision walks the whole fleet, and the
** work per event does not grow with the number of pools' instances beyond
** the one pool it concerns.
*/
#include "sim_int.h"

#include <math.h>
#include <stdlib.h>

int sim_fleet_init(sim_state *s) {
    size_t np = s->sc->npools;
    sim_fleet_state *f = &s->fleet;
    f->pool_count = calloc(np + 1, sizeof *f->pool_count);
    f->pool_units = calloc(np + 1, sizeof *f->pool_units);
    f->pool_launching = calloc(np + 1, sizeof *f->pool_launching);
    f->pool_notice = calloc(np + 1, sizeof *f->pool_notice);
    f->pool_shutdown = calloc(np + 1, sizeof *f->pool_shutdown);
    f->pool_list = malloc((np + 1) * sizeof *f->pool_list);
    if (!f->pool_count || !f->pool_units || !f->pool_launching || !f->pool_notice ||
        !f->pool_shutdown || !f->pool_list)
        return sim_fail(s, "out of memory");
    for (size_t p = 0; p <= np; p++) f->pool_list[p] = (sim_list){-1, -1};
    return 0;
}

void sim_fleet_free(sim_state *s) {
    free(s->fleet.pool_count);
    free(s->fleet.pool_units);
    free(s->fleet.pool_launching);
    free(s->fleet.pool_notice);
    free(s->fleet.pool_shutdown);
    free(s->fleet.pool_list);
}

/* Adds (sign 1) or removes (sign -1) a spot instance's share of the fleet's
** figures, as its state and flags say now. */
static void contrib(sim_state *s, const sim_inst *in, int sign) {
    double w = sign * s->sc->pools[in->pool].weight;
    int live = in->state != INST_GONE;
    int up = in->state == INST_RUNNING || in->state == INST_NOTICE;
    s->fleet.pool_count[in->pool] += live ? sign : 0;
    if (in->state == INST_LAUNCHING) s->fleet.pool_launching[in->pool] += sign;
    if (in->state == INST_NOTICE) {
        s->fleet.pool_notice[in->pool] += sign;
        s->fleet.noticed += sign;
    }
    /* An Auto Scaling group counts an instance under notice until it is
    ** terminated (spotasg.c); a Spot Fleet replaces it at the notice. */
    if ((in->state == INST_LAUNCHING || in->state == INST_RUNNING ||
         (in->state == INST_NOTICE && s->sasg.asg)) &&
        !in->rebalanced)
        s->fleet.pool_units[in->pool] += w;
    if (up && !in->rebalanced) s->fleet.fulfilled += w;
    if (in->registered) s->fleet.spot_units += w;
    if (in->registered && in->state == INST_NOTICE) s->fleet.notice_units += w;
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
    in->run_sum = s->acct.psum_ok[in->pool] ? sim_psum_now(s, in->pool) : 0;
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
    return s->market.price[p] <= inst_max_price(pl) && s->market.price[p] <= pl->on_demand_price &&
           s->fleet.pool_count[p] < s->market.avail[p] &&
           s->now >= s->market.ice_until[p] && s->now >= s->market.risk_until[p];
}

/* Is pool p a better place for the next instance than pool b? */
static int better(const sim_state *s, size_t p, size_t b) {
    const sim_pool *a = &s->sc->pools[p], *c = &s->sc->pools[b];
    double ua = s->market.price[p] / a->weight, ub = s->market.price[b] / c->weight;
    double ra = s->market.avail[p] - s->fleet.pool_count[p],
           rb = s->market.avail[b] - s->fleet.pool_count[b];
    switch (s->sc->alloc) {
    case SIM_LOWEST_PRICE:
        return ua < ub;
    case SIM_DIVERSIFIED: /* spread units evenly over the pools */
        return s->fleet.pool_units[p] < s->fleet.pool_units[b] ||
               (s->fleet.pool_units[p] == s->fleet.pool_units[b] && ua < ub);
    case SIM_CAPACITY_OPTIMIZED: /* the deepest pool: fewest interruptions,
                                    then the most room, then the price */
        if (a->band != c->band) return a->band < c->band;
        /* -prioritized: "honors the instance type priorities on a best
        ** effort basis but optimizes for capacity first": among pools as
        ** deep, the override listed first. */
        if (s->sc->mixed.spot_prioritized && a->priority != c->priority)
            return a->priority < c->priority;
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
#define LIM_AZ_POOLS 1000 /* the scenario's limit on pools */
static int choose_pool(const sim_state *s) {
    int deepest = 99;
    if (s->sc->alloc == SIM_PRICE_CAPACITY_OPTIMIZED)
        for (size_t p = 0; p < s->sc->npools; p++)
            if (eligible(s, p) && s->sc->pools[p].band < deepest)
                deepest = s->sc->pools[p].band;
    int best = -1;
    unsigned char elig[LIM_AZ_POOLS];
    int balance = s->sasg.asg && s->sc->npools <= LIM_AZ_POOLS;
    for (size_t p = 0; balance && p < s->sc->npools; p++) elig[p] = (unsigned char)eligible(s, p);
    for (size_t p = 0; p < s->sc->npools; p++) {
        if (!eligible(s, p)) continue;
        if (s->sc->alloc == SIM_PRICE_CAPACITY_OPTIMIZED &&
            s->sc->pools[p].band > deepest + 1)
            continue;
        if (balance && !sim_sasg_az_ok(s, p, elig)) continue; /* AZ balancing */
        if (best < 0 || better(s, p, (size_t)best)) best = (int)p;
    }
    return best;
}

static int launch_spot(sim_state *s, int pool) {
    int64_t idx;
    if (sim_inst_new(s, pool, &s->fleet.pool_list[pool], &idx)) return -1;
    contrib(s, &s->inst[idx], 1);
    s->res->spot_launches++;
    return sim_inst_event(s,
                          s->now + sim_rng_delay(&s->fleet.rng_fleet,
                                                 &s->sc->fleet_launch_delay),
                          EV_RUNNING, idx);
}

/* TerminatingCapacity: the units of the instances shutting down. Summed
** again from the counts at each change, so it cannot drift. */
static void terminating_sum(sim_state *s) {
    double u = 0;
    for (size_t p = 0; p < s->sc->npools; p++)
        u += s->fleet.pool_shutdown[p] * s->sc->pools[p].weight;
    s->fleet.terminating = u;
}

/* A running instance of pool p the fleet terminates: shutting down for
** fleet.TerminationDelay, counted in TerminatingCapacity meanwhile. */
static int shutdown_start(sim_state *s, int pool) {
    int64_t d = sim_rng_delay(&s->fleet.rng_shutdown, &s->sc->fleet_termination_delay);
    if (d <= 0 || s->now + d >= s->sc->end) return 0;
    s->fleet.pool_shutdown[pool]++;
    terminating_sum(s);
    if (sim_queue_push(&s->q, s->now + d, EVC_STATE, EV_SHUTDOWN_END, pool, 0))
        return sim_fail(s, "out of memory");
    return 0;
}

void sim_fleet_shutdown_end(sim_state *s, int pool) {
    if (s->fleet.pool_shutdown[pool] > 0) s->fleet.pool_shutdown[pool]--;
    terminating_sum(s);
}

/* Ends a spot instance now: by EC2 (interrupted) or by the fleet. */
static void end_spot(sim_state *s, int64_t idx, int interrupted) {
    sim_inst *in = &s->inst[idx];
    if (in->rebalanced == 1 && s->sc->rebalance == SIM_REBALANCE_LAUNCH_BEFORE_TERMINATE)
        s->fleet.rebal_waiting--;
    contrib(s, in, -1);
    in->end_t = s->now;
    if (in->run_t >= 0) sim_bill(s, in, interrupted);
    sim_list_remove(s->inst, &s->fleet.pool_list[in->pool], (int32_t)idx);
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
    if (sim_evb_emit(s, POL_EV_WARNING, s->sc->pools[in->pool].weight)) return -1;
    return sim_inst_event(s, s->now + 120, EV_TERMINATE, idx);
}

/* Units launching or running, not under notice nor rebalanced: what the
** fleet counts toward its target when deciding to launch. */
static double fleet_units(const sim_state *s) {
    double u = 0;
    for (size_t p = 0; p < s->sc->npools; p++) u += s->fleet.pool_units[p];
    return u;
}

/* The instance the fleet ends next when above target with `have` units:
** launching before running, the highest price per unit, the newest; never
** one whose units the target still needs, nor a rebalanced one (it no
** longer counts). Within a pool the price is one, so each pool offers its
** newest launching instance, or else its newest running one. */
static int64_t fill_victim(const sim_state *s, double have) {
    int64_t victim = -1;
    double vcost = -1;
    int vlaunching = 0;
    for (size_t p = 0; p < s->sc->npools; p++) {
        const sim_pool *pl = &s->sc->pools[p];
        if (have - pl->weight < s->fleet.target - 1e-9) continue;
        int l = s->fleet.pool_launching[p] > 0;
        int32_t k = s->fleet.pool_list[p].tail;
        while (k >= 0 && (s->inst[k].state != (l ? INST_LAUNCHING : INST_RUNNING) ||
                          s->inst[k].rebalanced))
            k = s->inst[k].prev;
        if (k < 0) continue;
        double c = s->market.price[p] / pl->weight;
        if (victim < 0 || l > vlaunching ||
            (l == vlaunching &&
             (c > vcost || (c == vcost && s->inst[k].serial > s->inst[victim].serial)))) {
            victim = k;
            vcost = c;
            vlaunching = l;
        }
    }
    return victim;
}

/* Why no pool can launch: SIM_FAIL_PRICE when every pool is priced out,
** else SIM_FAIL_CAPACITY. */
static int fail_code(const sim_state *s) {
    for (size_t p = 0; p < s->sc->npools; p++) {
        const sim_pool *pl = &s->sc->pools[p];
        if (s->market.price[p] <= inst_max_price(pl) && s->market.price[p] <= pl->on_demand_price)
            return SIM_FAIL_CAPACITY;
    }
    return SIM_FAIL_PRICE;
}

int sim_fleet_fill(sim_state *s) {
    double have = fleet_units(s);
    while (have < s->fleet.target - 1e-9) {
        int p = choose_pool(s);
        if (p < 0) break; /* no eligible pool: PendingCapacity stays up */
        if (launch_spot(s, p)) return -1;
        have += s->sc->pools[p].weight;
    }
    /* A spot group's attempt that failed: a scaling activity (spotasg.c). */
    if (s->sasg.fail_on) {
        int short_of = have < s->fleet.target - 1e-9;
        if (sim_sasg_filled(s, short_of, short_of ? fail_code(s) : 0)) return -1;
    }
    /* Above target (it was lowered): terminate the costliest units first,
    ** launching ones before running ones, while the rest still meets it. */
    while (have > s->fleet.target + 1e-9) {
        int64_t victim = fill_victim(s, have);
        if (victim < 0) break;
        int pool = s->inst[victim].pool, running = s->inst[victim].state == INST_RUNNING;
        have -= s->sc->pools[pool].weight;
        end_spot(s, victim, 0);
        if (running && shutdown_start(s, pool)) return -1;
    }
    return 0;
}

/* Gives up to `n` of the pool's instances not yet under notice their
** notice, newest first (n < 0: all of them). A notice never launches nor
** moves another instance, so one walk from the newest down sees each once. */
static int notice_newest(sim_state *s, int pool, int n) {
    int32_t k = s->fleet.pool_list[pool].tail;
    while (k >= 0 && n != 0) {
        int32_t prev = s->inst[k].prev; /* k may leave the list */
        if (prev >= 0) __builtin_prefetch(&s->inst[prev], 1);
        if (s->inst[k].state != INST_NOTICE) {
            if (sim_spot_notice(s, k)) return -1;
            if (n > 0) n--;
        }
        k = prev;
    }
    return 0;
}

int sim_fleet_pool_changed(sim_state *s, int pool) {
    const sim_pool *pl = &s->sc->pools[pool];
    if (s->market.price[pool] > inst_max_price(pl)) {
        /* Outbid: every instance of the pool is interrupted. */
        if (notice_newest(s, pool, -1)) return -1;
    } else if (!isinf(s->market.avail[pool])) {
        /* Capacity withdrawn: instances beyond it go, newest first. Those
        ** under notice already count against the pool until they end. */
        int excess = s->fleet.pool_count[pool] - (int)s->market.avail[pool] -
                     s->fleet.pool_notice[pool];
        if (excess > 0 && notice_newest(s, pool, excess)) return -1;
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
    if (sc->rebalance == SIM_REBALANCE_LAUNCH_BEFORE_TERMINATE) s->fleet.rebal_waiting++;
    return 0;
}

/* launch-before-terminate: a replacement of `units` units is running; the
** oldest instances awaiting one (not under notice: EC2 is ending those)
** are terminated TerminationDelay from now, as many as its units cover, at
** least one. */
static int rebalance_replaced(sim_state *s, double units) {
    const sim_scenario *sc = s->sc;
    while (units > 1e-9 && s->fleet.rebal_waiting > 0) {
        int64_t oldest = -1;
        for (size_t p = 0; p < sc->npools; p++)
            for (int32_t k = s->fleet.pool_list[p].head; k >= 0; k = s->inst[k].next) {
                const sim_inst *x = &s->inst[k];
                if (x->rebalanced != 1 || x->state != INST_RUNNING) continue;
                if (oldest < 0 || x->serial < s->inst[oldest].serial) oldest = k;
                break; /* the list is in launch order: the pool's oldest */
            }
        if (oldest < 0) return 0;
        s->inst[oldest].rebalanced = 2;
        s->fleet.rebal_waiting--;
        units -= sc->pools[s->inst[oldest].pool].weight;
        if (sim_inst_event(s, s->now + sc->rebalance_termination_delay, EV_REBALANCE_END,
                           oldest))
            return -1;
    }
    return 0;
}

/* Spot instance transitions; on-demand ones are in asg.c. */
int sim_spot_event(sim_state *s, int type, int64_t idx) {
    sim_inst *in = &s->inst[idx];
    switch (type) {
    case EV_RUNNING:
        in->run_t = s->now;
        in->run_sum = s->acct.psum_ok[in->pool] ? sim_psum_now(s, in->pool) : 0;
        set_state(s, in, INST_RUNNING, 0);
        if (s->fleet.rebal_waiting > 0 && !in->rebalanced &&
            rebalance_replaced(s, s->sc->pools[in->pool].weight))
            return -1;
        return sim_inst_event(s,
                              s->now + sim_rng_delay(&s->fleet.rng_reg,
                                                     &s->sc->registration_delay),
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
        int pool = in->pool; /* end_spot releases the slot */
        end_spot(s, idx, 0);
        if (shutdown_start(s, pool)) return -1;
        return sim_fleet_fill(s);
    }
    return 0;
}
