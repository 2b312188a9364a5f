/*
** oracle.c: the cost bound every real policy is measured against.
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

int sim_oracle_log(sim_state *s) {
    if (s->ncap) {
        sim_cap *last = &s->cap[s->ncap - 1];
        if (last->required == s->required && last->spot == s->spot_units) return 0;
        if (last->t == s->now) { /* a change within the same second */
            last->required = s->required;
            last->spot = s->spot_units;
            return 0;
        }
    }
    if (s->ncap == s->capcap) {
        size_t n = s->capcap ? 2 * s->capcap : 256;
        sim_cap *p = realloc(s->cap, n * sizeof *p);
        if (!p) return sim_fail(s, "out of memory");
        s->cap = p;
        s->capcap = n;
    }
    s->cap[s->ncap++] = (sim_cap){s->now, s->required, s->spot_units};
    return 0;
}

/* Instances the shortfall at entry i needs, unbounded. */
static double need_raw(const sim_state *s, size_t i) {
    double gap = s->cap[i].required - s->cap[i].spot;
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
    return sim_charge(sc->billing, NULL, sc->od_price, 0, dur, 0, 1);
}

typedef struct {
    int64_t a, b;
} span;

/* The cheapest way to serve the busy intervals iv[0..n) with instances
** that may bridge gaps: adds cost, instance-seconds and launches. */
static int bill_level(const sim_scenario *sc, const span *iv, size_t n, double *cost,
                      double *secs, int *launches) {
    double *dp = malloc((n + 1) * sizeof *dp);
    size_t *from = malloc((n + 1) * sizeof *from);
    if (!dp || !from) {
        free(dp);
        free(from);
        return -1;
    }
    dp[0] = 0;
    for (size_t j = 1; j <= n; j++) {
        dp[j] = INFINITY;
        /* One instance serving intervals i..j-1. Bridging more than a day of
        ** gaps never pays, so the search stops there. */
        for (size_t i = j; i-- > 0;) {
            if (iv[j - 1].b - iv[i].a > 86400 && i + 1 < j) break;
            double c = dp[i] + run_cost(sc, iv[j - 1].b - iv[i].a);
            if (c < dp[j]) {
                dp[j] = c;
                from[j] = i;
            }
        }
    }
    *cost += dp[n];
    for (size_t j = n; j > 0; j = from[j]) {
        *secs += (double)(iv[j - 1].b - iv[from[j]].a);
        (*launches)++;
    }
    free(dp);
    free(from);
    return 0;
}

int sim_oracle_finish(sim_state *s) {
    const sim_scenario *sc = s->sc;
    sim_result *r = s->res;
    int top = 0;
    for (size_t i = 0; i < s->ncap; i++)
        if (need(s, i) > top) top = need(s, i);
    double cost = 0, secs = 0;
    int launches = 0;
    span *iv = malloc((s->ncap + 1) * sizeof *iv);
    if (!iv) return sim_fail(s, "out of memory");
    for (int k = 1; k <= top; k++) {
        size_t n = 0;
        for (size_t i = 0; i < s->ncap; i++) {
            int64_t a = s->cap[i].t, b = i + 1 < s->ncap ? s->cap[i + 1].t : sc->end;
            if (need(s, i) < k || b <= a) continue;
            if (n && iv[n - 1].b == a) iv[n - 1].b = b; /* still busy */
            else iv[n++] = (span){a, b};
        }
        if (bill_level(sc, iv, n, &cost, &secs, &launches)) {
            free(iv);
            return sim_fail(s, "out of memory");
        }
    }
    free(iv);
    r->oracle_cost = r->spot_cost + cost;
    if (!s->pol->simulation_only) return 0;

    /* What MaxSize leaves uncovered: the shortfall beyond MaxSize instances. */
    double short_us = 0;
    int64_t below = 0, longest = 0, run_start = -1;
    for (size_t i = 0; i < s->ncap; i++) {
        int64_t a = s->cap[i].t, b = i + 1 < s->ncap ? s->cap[i + 1].t : sc->end;
        double left = s->cap[i].required - s->cap[i].spot - sc->asg_max * sc->od_weight;
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
    r->od_cost = cost;
    r->od_instance_hours = secs / 3600;
    r->od_launches = launches;
    r->total_cost = r->spot_cost + cost;
    r->pct_of_all_od = r->all_od_cost > 0 ? 100 * r->total_cost / r->all_od_cost : 0;
    r->coverage_pct = s->required_us > 0 ? 100 * (s->required_us - short_us) / s->required_us
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
