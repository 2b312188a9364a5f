/*
** bound.c: the oracle's cost bound, which every real policy is measured
** against.
**
** The oracle knows the future: it brings on-demand capacity into service
** exactly when each spot shortfall starts (instances are not billed while
** pending, so it pays nothing for launching early) and releases it when spot
** returns. The spot side does not depend on the controller, so the oracle's
** on-demand cost follows from any run's history of required and registered
** spot capacity, logged here second by second as it changes.
**
** Instances are stacked: instance k serves while the shortfall needs at least
** k instances. The group's bounds hold for the oracle too: MinSize instances
** run all the time (the first MinSize levels are busy from start to end),
** and no more than MaxSize ever run, so a shortfall beyond MaxSize
** instances stays uncovered and the oracle's coverage is the best any
** policy could reach, not always 100 %. Each level's busy intervals are then billed as cheaply as
** possible: an instance may be kept running across a gap to the next
** interval when that costs less than stopping and starting another (under
** per-hour billing, a started hour is paid anyway; under per-second billing,
** only a gap shorter than the 60 s minimum can be worth bridging). A small
** dynamic programme over each level's intervals picks the cheapest grouping.
*/
#include "sim_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int sim_bound_log(sim_state *s) {
    if (s->bound.ncap) {
        sim_cap *last = &s->bound.cap[s->bound.ncap - 1];
        if (last->required == s->required && last->spot == sim_group_units(s)) return 0;
        if (last->t == s->now) { /* a change within the same second */
            last->required = s->required;
            last->spot = sim_group_units(s);
            return 0;
        }
    }
    if (s->bound.ncap == s->bound.capcap) {
        size_t n = s->bound.capcap ? 2 * s->bound.capcap : 256;
        sim_cap *p = realloc(s->bound.cap, n * sizeof *p);
        if (!p) return sim_fail(s, "out of memory");
        s->bound.cap = p;
        s->bound.capcap = n;
    }
    s->bound.cap[s->bound.ncap++] = (sim_cap){s->now, s->required, sim_group_units(s)};
    return 0;
}

/* Instances the shortfall at entry i needs, unbounded. */
static double need_raw(const sim_state *s, size_t i) {
    double gap = s->bound.cap[i].required - s->bound.cap[i].spot;
    if (gap <= 1e-9) return 0;
    return ceil(gap / s->sc->od_weight - 1e-9);
}

/* Instances the oracle runs at entry i: the need within [MinSize, MaxSize]. */
static int need(const sim_state *s, size_t i) {
    double n = need_raw(s, i);
    if (n > s->sc->asg_max) n = s->sc->asg_max;
    if (n < s->sc->asg_min) n = s->sc->asg_min;
    return (int)n;
}

/* What one on-demand instance running `dur` seconds costs. */
static double run_cost(const sim_scenario *sc, int64_t dur) {
    return sim_charge(sc->billing, NULL, NULL, sc->od_price, 0, dur, 0, 1);
}

/* A past interval of a level, as a place its next group of intervals could
** start: its start, and the cheapest way to serve the intervals before it
** (cost, instance-seconds, launches). */
typedef struct {
    int64_t a;
    double dp;
    int64_t secs;
    int launches;
} cand;

/* One level's state while the run's history is swept: its open busy
** interval, and the candidates of the last day (older ones are never
** bridged to). */
typedef struct {
    int64_t open_a;
    cand *w;
    size_t head, n, cap; /* a ring of n candidates from w[head] */
    double dp;           /* the cheapest way to serve its intervals so far */
    int64_t secs;
    int launches;
} level;

static cand *ring_at(level *l, size_t k) { return &l->w[(l->head + k) % l->cap]; }

/* Level l's busy interval [a, b) is over: the cheapest way to serve its
** intervals so far, one instance serving intervals i..j-1 (a small dynamic
** programme over the candidates, newest first, ties to the newest). */
static int level_close(const sim_scenario *sc, level *l, int64_t a, int64_t b) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 4;
        cand *w = malloc(cap * sizeof *w);
        if (!w) return -1;
        for (size_t k = 0; k < l->n; k++) w[k] = *ring_at(l, k);
        free(l->w);
        l->w = w;
        l->head = 0;
        l->cap = cap;
    }
    *ring_at(l, l->n++) = (cand){a, l->dp, l->secs, l->launches};
    /* Bridging more than a day of gaps never pays: candidates that start
    ** more than a day before this end never will for later ones. */
    while (l->n > 1 && b - l->w[l->head].a > 86400) {
        l->head = (l->head + 1) % l->cap;
        l->n--;
    }
    double best = INFINITY;
    const cand *from = NULL;
    for (size_t k = l->n; k-- > 0;) {
        const cand *c = ring_at(l, k);
        double x = c->dp + run_cost(sc, b - c->a);
        if (x < best) {
            best = x;
            from = c;
        }
    }
    l->dp = best;
    l->secs = from->secs + (b - from->a);
    l->launches = from->launches + 1;
    return 0;
}

/* The oracle's on-demand cost, instance-seconds and launches. Level k (the
** k-th instance of the stack) is busy while the need is at least k; one
** sweep over the history opens and closes the levels as the need moves, so
** the work is that of the need's changes, not levels times history. Each
** level's cost is then summed in level order. */
static int oracle_levels(sim_state *s, double *cost, double *secs, int *launches) {
    const sim_scenario *sc = s->sc;
    level *lv = NULL;
    int cur = 0, nlv = 0, rc = 0;
    int64_t last_b = 0;
    for (size_t i = 0; i < s->bound.ncap && rc == 0; i++) {
        int64_t a = s->bound.cap[i].t, b = i + 1 < s->bound.ncap ? s->bound.cap[i + 1].t : sc->end;
        if (b <= a) continue;
        int n = need(s, i);
        for (int k = cur; k > n && rc == 0; k--)
            rc = level_close(sc, &lv[k - 1], lv[k - 1].open_a, a);
        if (n > nlv) {
            level *p = realloc(lv, (size_t)n * sizeof *p);
            if (!p) {
                rc = -1;
                break;
            }
            memset(p + nlv, 0, (size_t)(n - nlv) * sizeof *p);
            lv = p;
            nlv = n;
        }
        for (int k = cur + 1; k <= n; k++) lv[k - 1].open_a = a;
        cur = n;
        last_b = b;
    }
    for (int k = cur; k > 0 && rc == 0; k--)
        rc = level_close(sc, &lv[k - 1], lv[k - 1].open_a, last_b);
    for (int k = 0; k < nlv; k++) {
        if (rc == 0 && lv[k].launches) {
            *cost += lv[k].dp;
            *secs += (double)lv[k].secs; /* whole seconds: exact in any order */
            *launches += lv[k].launches;
        }
        free(lv[k].w);
    }
    free(lv);
    return rc;
}

int sim_bound_finish(sim_state *s) {
    const sim_scenario *sc = s->sc;
    sim_result *r = s->res;
    double cost = 0, secs = 0;
    int launches = 0;
    if (oracle_levels(s, &cost, &secs, &launches)) return sim_fail(s, "out of memory");
    /* A mixed group's on-demand part is paid by the oracle's run too. */
    r->oracle_cost = r->spot_cost + s->sasg.od_cost + cost;
    if (!s->pol->simulation_only) return 0;

    /* What MaxSize leaves uncovered: the shortfall beyond MaxSize instances. */
    double short_us = 0;
    int64_t below = 0, longest = 0, run_start = -1;
    for (size_t i = 0; i < s->bound.ncap; i++) {
        int64_t a = s->bound.cap[i].t, b = i + 1 < s->bound.ncap ? s->bound.cap[i + 1].t : sc->end;
        double left = s->bound.cap[i].required - s->bound.cap[i].spot - sc->asg_max * sc->od_weight;
        if (left > 1e-9 && b > a) {
            short_us += left * (double)(b - a);
            below += b - a;
            if (run_start < 0) run_start = a;
            if (b - run_start > longest) longest = b - run_start;
        } else if (b > a) {
            run_start = -1;
        }
    }

    /* The oracle's own run: the same spot side, on-demand exactly covering. */
    r->od_cost = s->sasg.od_cost + cost;
    r->od_instance_hours = s->sasg.od_hours + secs / 3600;
    r->od_launches = launches;
    r->total_cost = r->spot_cost + r->od_cost;
    r->pct_of_all_od = r->all_od_cost > 0 ? 100 * r->total_cost / r->all_od_cost : 0;
    r->coverage_pct = s->acct.required_us > 0
                          ? 100 * (s->acct.required_us - short_us) / s->acct.required_us
                          : 100;
    r->shortfall_unit_hours = short_us / 3600;
    r->longest_shortfall_s = longest;
    r->minutes_below_target = (double)below / 60;
    r->uncovered_shortfalls = 0;
    r->fallback_latency_median_s = r->fallback_latency_max_s = 0;
    r->return_delay_median_s = r->return_delay_max_s = 0;
    r->od_hours_after_recovery = 0;
    return 0;
}

void sim_bound_free(sim_state *s) {
    free(s->bound.cap);
}
