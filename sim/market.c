/*
** market.c: capacity-driven interruptions, the spot market since AWS's
** November 2017 pricing change: prices move slowly and rarely reach the
** on-demand price, and instances are interrupted because EC2 needs the
** capacity back.
**
** Calibration. A pool's InterruptionFrequency f (the Spot Instance
** Advisor's share of instances interrupted in a month; a band such as
** "5-10%" stands for its midpoint) is met in expectation: capacity events
** hit the pool as a Poisson process of rate r = -ln(1 - f) / S per 30 days,
** where S is the mean share of the pool's instances one event interrupts,
** so an instance running a month is interrupted with probability
** 1 - exp(-r S) = f.
**
** Correlation. Each pool's rate is split over the scopes by the shares in
** market.Correlation: events of one pool, of one instance family (every
** pool of that family, in any AZ), of one Availability Zone (every pool in
** it), or of all pools. A shared scope's rate is its share times the mean
** rate of its pools, so each pool still sees its own rate when the pools of
** a group share a band (and the group's mean otherwise).
**
** An event interrupts a share (drawn in [share_min, share_max]) of each hit
** pool's running instances, chosen at random (AWS documents no order),
** cancels its launching ones, and opens an insufficient-capacity window
** during which launches there fail and the fleet turns to other pools as
** its AllocationStrategy says. With probability rebalance_p the event is
** announced by a rebalance recommendation `lead` seconds earlier, which
** marks the instances it will take (and, with Capacity Rebalancing, lets
** the fleet replace them: fleet.c).
**
** Every event is drawn at the start from the scenario's seed, on the
** market's own stream, before anything runs: the spot side never depends
** on the controller, and the same seed gives the same events, byte for byte.
*/
#include "sim_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* More events than this is a scenario mistake, not a market. */
#define MAX_EVENTS 1000000

/* The id of pool p's instance family ("c4" of "c4.xlarge") or AZ: the index
** of the first pool that shares it. */
static int family_of(const sim_scenario *sc, size_t p) {
    const char *a = sc->pools[p].instance_type, *dot = strchr(a, '.');
    size_t n = dot ? (size_t)(dot - a) : strlen(a);
    for (size_t q = 0; q <= p; q++) {
        const char *b = sc->pools[q].instance_type, *bd = strchr(b, '.');
        size_t m = bd ? (size_t)(bd - b) : strlen(b);
        if (m == n && memcmp(a, b, n) == 0) return (int)q;
    }
    return (int)p;
}

static int az_of(const sim_scenario *sc, size_t p) {
    for (size_t q = 0; q <= p; q++)
        if (strcmp(sc->pools[q].az, sc->pools[p].az) == 0) return (int)q;
    return (int)p;
}

/* Does event e hit pool p? */
static int hits(const sim_state *s, const sim_mevent *e, size_t p) {
    switch (e->scope) {
    case SIM_SCOPE_POOL: return e->group == (int)p;
    case SIM_SCOPE_FAMILY: return e->group == s->market.family[p];
    case SIM_SCOPE_AZ: return e->group == s->market.az[p];
    }
    return 1;
}

/* Pool p's event rate per second, for the scope's share of 1. */
static double pool_rate(const sim_scenario *sc, size_t p) {
    const sim_market *m = &sc->market;
    double mean_share = (m->share_min + m->share_max) / 2;
    double f = sc->pools[p].interruption_frequency;
    return -log(1 - f) / mean_share / (30 * 86400.0);
}

static int cmp_event(const void *a, const void *b) {
    const sim_mevent *x = a, *y = b;
    if (x->t != y->t) return (x->t > y->t) - (x->t < y->t);
    /* Same second: scripted ones in file order, then drawn ones in the
    ** order they were drawn. */
    return (x->order > y->order) - (x->order < y->order);
}

static int add_event(sim_state *s, size_t *cap, const sim_mevent *e) {
    if (s->market.nmev == MAX_EVENTS)
        return sim_fail(s, "market: more than %d capacity events in the span; "
                           "lower InterruptionFrequency or raise InterruptedShare",
                        MAX_EVENTS);
    if (s->market.nmev == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        sim_mevent *p = realloc(s->market.mev, c * sizeof *p);
        if (!p) return sim_fail(s, "out of memory");
        s->market.mev = p;
        *cap = c;
    }
    s->market.mev[s->market.nmev] = *e;
    s->market.mev[s->market.nmev].order = s->market.nmev;
    s->market.nmev++;
    return 0;
}

/* Draws the events of one group (a Poisson process of `rate` per second). */
static int draw_group(sim_state *s, size_t *cap, int scope, int group, double rate) {
    const sim_scenario *sc = s->sc;
    const sim_market *m = &sc->market;
    if (!(rate > 0)) return 0;
    double t = (double)sc->start;
    for (;;) {
        t += -log(1 - trc_rng_unit(&s->market.rng_market)) / rate;
        if (t >= (double)sc->end) return 0;
        sim_mevent e;
        e.t = (int64_t)t;
        e.scope = scope;
        e.group = group;
        e.share = m->share_min +
                  trc_rng_unit(&s->market.rng_market) * (m->share_max - m->share_min);
        e.ice = sim_rng_delay(&s->market.rng_market, &m->ice);
        int announced = trc_rng_unit(&s->market.rng_market) < m->rebalance_p;
        int64_t lead = sim_rng_delay(&s->market.rng_market, &m->rebalance_lead);
        e.signal_t = -1;
        if (announced) e.signal_t = e.t - lead > sc->start ? e.t - lead : sc->start;
        if (add_event(s, cap, &e)) return -1;
    }
}

/* The scripted events (traces.events) of pools the fleet has; an event
** naming none of them is ignored, as price rows of other pools are. */
static int scripted(sim_state *s, size_t *cap) {
    const sim_scenario *sc = s->sc;
    for (size_t i = 0; i < sc->nevents; i++) {
        const sim_event_spec *x = &sc->events[i];
        if (x->t < sc->start || x->t >= sc->end) continue;
        sim_mevent e = {x->t, -1, x->scope, -1, x->share, x->ice, 0};
        size_t flen = strcspn(x->instance_type, ".");
        for (size_t p = 0; p < sc->npools && e.group < 0; p++) {
            const sim_pool *pl = &sc->pools[p];
            if (x->scope == SIM_SCOPE_POOL && strcmp(pl->instance_type, x->instance_type) == 0 &&
                strcmp(pl->az, x->az) == 0)
                e.group = (int)p;
            if (x->scope == SIM_SCOPE_FAMILY && strcspn(pl->instance_type, ".") == flen &&
                strncmp(pl->instance_type, x->instance_type, flen) == 0)
                e.group = s->market.family[p];
            if (x->scope == SIM_SCOPE_AZ && strcmp(pl->az, x->az) == 0) e.group = s->market.az[p];
        }
        if (x->scope != SIM_SCOPE_ALL && e.group < 0) continue;
        if (x->lead >= 0) e.signal_t = x->t - x->lead > sc->start ? x->t - x->lead : sc->start;
        if (add_event(s, cap, &e)) return -1;
    }
    return 0;
}

/* The market's own events, drawn from the seed. */
static int draw(sim_state *s, size_t *cap) {
    const sim_scenario *sc = s->sc;
    size_t np = sc->npools;
    const double *w = sc->market.scope;
    for (size_t p = 0; p < np; p++)
        if (draw_group(s, cap, SIM_SCOPE_POOL, (int)p, w[SIM_SCOPE_POOL] * pool_rate(sc, p)))
            return -1;
    for (int scope = SIM_SCOPE_FAMILY; scope <= SIM_SCOPE_ALL; scope++) {
        for (size_t g = 0; g < np; g++) {
            /* Group g exists when pool g is the first of its family / AZ. */
            if (scope == SIM_SCOPE_FAMILY && s->market.family[g] != (int)g) continue;
            if (scope == SIM_SCOPE_AZ && s->market.az[g] != (int)g) continue;
            if (scope == SIM_SCOPE_ALL && g > 0) break;
            sim_mevent probe = {0, -1, scope, (int)g, 0, 0, 0};
            double sum = 0;
            int n = 0;
            for (size_t p = 0; p < np; p++)
                if (hits(s, &probe, p)) {
                    sum += pool_rate(sc, p);
                    n++;
                }
            if (draw_group(s, cap, scope, scope == SIM_SCOPE_ALL ? -1 : (int)g,
                           w[scope] * sum / n))
                return -1;
        }
    }
    return 0;
}

int sim_market_plan(sim_state *s) {
    const sim_scenario *sc = s->sc;
    size_t np = sc->npools;
    s->market.price = calloc(np + 1, sizeof *s->market.price);
    s->market.avail = calloc(np + 1, sizeof *s->market.avail);
    s->market.family = calloc(np + 1, sizeof *s->market.family);
    s->market.az = calloc(np + 1, sizeof *s->market.az);
    s->market.ice_until = calloc(np + 1, sizeof *s->market.ice_until);
    s->market.risk_until = calloc(np + 1, sizeof *s->market.risk_until);
    if (!s->market.price || !s->market.avail || !s->market.family || !s->market.az ||
        !s->market.ice_until || !s->market.risk_until)
        return sim_fail(s, "out of memory");
    for (size_t p = 0; p < np; p++) {
        s->market.family[p] = family_of(sc, p);
        s->market.az[p] = az_of(sc, p);
        s->market.ice_until[p] = s->market.risk_until[p] = INT64_MIN;
    }
    if (sc->mode != SIM_MODEL) return 0;
    size_t cap = 0;
    if (scripted(s, &cap)) return -1;
    if (sc->market.on && draw(s, &cap)) return -1;
    if (s->market.nmev) qsort(s->market.mev, s->market.nmev, sizeof *s->market.mev, cmp_event);
    for (size_t i = 0; i < s->market.nmev; i++) {
        const sim_mevent *e = &s->market.mev[i];
        if (sim_queue_push(&s->q, e->t, EVC_STATE, EV_MARKET, (int32_t)i, 0) ||
            (e->signal_t >= 0 &&
             sim_queue_push(&s->q, e->signal_t, EVC_STATE, EV_SIGNAL, (int32_t)i, 0)))
            return sim_fail(s, "out of memory");
    }
    return 0;
}

/* Gathers pool p's instances in `state` (with risk mark `risk`, or any mark
** when risk < 0) into s->market.scratch in launch order (the pool's list's order;
** never slot order, which depends on the on-demand side); returns their
** number or -1. */
static long gather(sim_state *s, size_t p, int state, int32_t risk) {
    size_t n = 0;
    for (int32_t i = s->fleet.pool_list[p].head; i >= 0; i = s->inst[i].next) {
        const sim_inst *in = &s->inst[i];
        if (in->state != state) continue;
        if (risk >= 0 && in->risk != risk) continue;
        if (n == s->market.scratchcap) {
            size_t c = s->market.scratchcap ? 2 * s->market.scratchcap : 64;
            struct sim_cand *q = realloc(s->market.scratch, c * sizeof *q);
            if (!q) return sim_fail(s, "out of memory");
            s->market.scratch = q;
            s->market.scratchcap = c;
        }
        s->market.scratch[n].serial = in->serial;
        s->market.scratch[n++].idx = (int64_t)i;
    }
    return (long)n;
}

/* Picks floor(share * n + u) of the n gathered instances at random (a
** partial Fisher-Yates shuffle) to the front of s->market.scratch; returns how many. */
static size_t pick(sim_state *s, size_t n, double share) {
    double x = share * (double)n + trc_rng_unit(&s->market.rng_market);
    size_t k = x >= (double)n ? n : (size_t)x;
    for (size_t i = 0; i < k; i++) {
        size_t j = i + (size_t)(trc_rng_unit(&s->market.rng_market) * (double)(n - i));
        if (j >= n) j = n - 1;
        struct sim_cand t = s->market.scratch[i];
        s->market.scratch[i] = s->market.scratch[j];
        s->market.scratch[j] = t;
    }
    return k;
}

/* The rebalance recommendation: marks the instances the event will take,
** each named by an EC2 Instance Rebalance Recommendation (events.c).
** Until the event the fleet launches nothing in the pools it names (AWS
** replaces at-risk instances "in an optimal pool", not in the one at risk). */
static int signal(sim_state *s, int a) {
    const sim_mevent *e = &s->market.mev[a];
    for (size_t p = 0; p < s->sc->npools; p++) {
        if (!hits(s, e, p)) continue;
        if (e->t > s->market.risk_until[p]) s->market.risk_until[p] = e->t;
        long n = gather(s, p, INST_RUNNING, 0);
        if (n < 0) return -1;
        size_t k = pick(s, (size_t)n, e->share);
        for (size_t i = 0; i < k; i++) {
            s->inst[s->market.scratch[i].idx].risk = a + 1;
            if (sim_evb_emit(s, POL_EV_REBALANCE, s->sc->pools[p].weight) ||
                sim_spot_rebalance(s, s->market.scratch[i].idx))
                return -1;
        }
    }
    return sim_fleet_fill(s);
}

/* The event itself: notices, cancelled launches, the capacity window. */
static int take(sim_state *s, int a) {
    const sim_mevent *e = &s->market.mev[a];
    s->res->capacity_events++;
    for (size_t p = 0; p < s->sc->npools; p++) {
        if (!hits(s, e, p)) continue;
        /* Launches in flight fail. */
        long n = gather(s, p, INST_LAUNCHING, -1);
        if (n < 0) return -1;
        for (long i = 0; i < n; i++)
            if (sim_spot_notice(s, s->market.scratch[i].idx)) return -1;
        /* Announced: the instances marked then; otherwise a share now. */
        n = gather(s, p, INST_RUNNING, e->signal_t >= 0 ? a + 1 : -1);
        if (n < 0) return -1;
        size_t k = e->signal_t >= 0 ? (size_t)n : pick(s, (size_t)n, e->share);
        for (size_t i = 0; i < k; i++)
            if (sim_spot_notice(s, s->market.scratch[i].idx)) return -1;
        if (e->ice > 0 && s->now + e->ice > s->market.ice_until[p]) {
            s->market.ice_until[p] = s->now + e->ice;
            if (s->market.ice_until[p] < s->sc->end &&
                sim_queue_push(&s->q, s->market.ice_until[p], EVC_STATE, EV_ICE_END, (int32_t)p, 0))
                return sim_fail(s, "out of memory");
        }
    }
    return sim_fleet_fill(s);
}

int sim_market_event(sim_state *s, int type, int a) {
    switch (type) {
    case EV_MARKET: return take(s, a);
    case EV_SIGNAL: return signal(s, a);
    case EV_ICE_END: /* a later event may have extended the window */
        return s->now >= s->market.ice_until[a] ? sim_fleet_fill(s) : 0;
    }
    return 0;
}

void sim_market_free(sim_state *s) {
    free(s->market.price);
    free(s->market.avail);
    free(s->market.mev);
    free(s->market.scratch);
    free(s->market.family);
    free(s->market.az);
    free(s->market.ice_until);
    free(s->market.risk_until);
}
