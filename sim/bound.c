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
**
** The reactive bound knows no future beyond what AWS tells as it happens.
** It learns of each shortfall when it becomes known: when spot capacity
** gets its notice (which says the instance ends two minutes later), or when
** capacity is lost without one. It acts with no metric, schedule or
** cooldown in between: instance k is requested when the known need reaches
** k, as late as still lets it serve when the need for it starts (or at
** once, when that is already too late), runs and is billed after the
** on-demand launch delay, serves after the registration delay too (each at
** the least its distribution allows), and is released the moment the known
** need falls below k. Instances in service at the start were launched
** before it. Where every shortfall comes with a notice at least the two
** delays ahead, it covers in full and pays at least the oracle (the
** registration time on top); where capacity goes without warning, the two
** delays stay uncovered and it may cost less than the oracle by covering
** less. Its cost and coverage are a point no policy can beat on both: a
** policy that covers at least as much pays at least as much, and what it
** pays above is its own regret, while the reactive bound less the oracle is
** what not knowing the future costs.
*/
#include "sim_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int sim_bound_log(sim_state *s) {
    if (s->bound.ncap) {
        sim_cap *last = &s->bound.cap[s->bound.ncap - 1];
        double known = sim_group_units(s) - s->fleet.notice_units;
        if (last->required == s->required && last->spot == sim_group_units(s) &&
            last->known == known)
            return 0;
        if (last->t == s->now) { /* a change within the same second */
            last->required = s->required;
            last->spot = sim_group_units(s);
            last->known = known;
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
    s->bound.cap[s->bound.ncap++] = (sim_cap){s->now, s->required, sim_group_units(s),
                                              sim_group_units(s) - s->fleet.notice_units};
    return 0;
}

/* Instances a shortfall of `gap` units needs, within [MinSize, MaxSize]. */
static int need_of(const sim_scenario *sc, double gap) {
    double n = gap <= 1e-9 ? 0 : ceil(gap / sc->od_weight - 1e-9);
    if (n > sc->asg_max) n = sc->asg_max;
    if (n < sc->asg_min) n = sc->asg_min;
    return (int)n;
}

/* Instances the oracle runs at entry i. */
static int need(const sim_state *s, size_t i) {
    return need_of(s->sc, s->bound.cap[i].required - s->bound.cap[i].spot);
}

/* The end of entry i's stretch of the history. */
static int64_t entry_end(const sim_state *s, size_t i) {
    return i + 1 < s->bound.ncap ? s->bound.cap[i + 1].t : s->sc->end;
}

/* Unit-time (unit-seconds) no schedule can cover: the shortfall beyond
** MaxSize instances at each moment. Fills the seconds with any and the
** longest stretch of them when asked. */
static double beyond_max(const sim_state *s, int64_t *below, int64_t *longest) {
    double short_us = 0;
    int64_t b_s = 0, l_s = 0, run_start = -1;
    for (size_t i = 0; i < s->bound.ncap; i++) {
        int64_t a = s->bound.cap[i].t, b = entry_end(s, i);
        double left = s->bound.cap[i].required - s->bound.cap[i].spot -
                      s->sc->asg_max * s->sc->od_weight;
        if (b <= a) continue;
        if (left > 1e-9) {
            short_us += left * (double)(b - a);
            b_s += b - a;
            if (run_start < 0) run_start = a;
            if (b - run_start > l_s) l_s = b - run_start;
        } else {
            run_start = -1;
        }
    }
    if (below) *below = b_s;
    if (longest) *longest = l_s;
    return short_us;
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
        int64_t a = s->bound.cap[i].t, b = entry_end(s, i);
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

/* A change in the number of the reactive bound's instances serving. */
typedef struct {
    int64_t t;
    int d; /* +1 or -1 */
} serve_step;

static int cmp_step(const void *x, const void *y) {
    const serve_step *a = x, *b = y;
    if (a->t != b->t) return (a->t > b->t) - (a->t < b->t);
    return (a->d > b->d) - (a->d < b->d); /* ends first: no overlap counted */
}

/* The least a delay distribution allows (0 when it may not happen). */
static int64_t dist_least(const sim_dist *d) { return d->p < 1 ? 0 : d->min; }

/* One level of the reactive bound while the history is swept: when its
** known need started; its instance, if any (launched when the need for it
** came): when it runs, serves, and is kept until (INT64_MAX while needed). */
typedef struct {
    int64_t known_at;
    int live;
    int64_t run, serve, keep;
} rlevel;

/* Until when an instance running since `run` and released at t is paid
** for anyway: the end of its started hour, or its first minute. */
static int64_t paid_until(const sim_scenario *sc, int64_t run, int64_t t) {
    if (t <= run) return t; /* still launching: ends unbilled */
    if (sc->billing == SIM_PER_HOUR) return run + (t - run + 3599) / 3600 * 3600;
    return t - run < 60 ? run + 60 : t;
}

/* Level l's instance is gone at l->keep (at most `end`): bills it and
** records when it served. */
static void rlevel_end(const sim_scenario *sc, rlevel *l, int64_t end, double *bill,
                       serve_step *st, size_t *nst) {
    int64_t t = l->keep < end ? l->keep : end;
    if (t > l->run) *bill += run_cost(sc, t - l->run);
    if (t > l->serve) {
        st[(*nst)++] = (serve_step){l->serve, 1};
        st[(*nst)++] = (serve_step){t, -1};
    }
    l->live = 0;
}

/* The reactive bound's on-demand bill and the unit-seconds it leaves
** uncovered. */
static int reactive_levels(const sim_state *s, double *bill, double *uncovered) {
    const sim_scenario *sc = s->sc;
    int64_t L = dist_least(&sc->od_launch_delay), R = dist_least(&sc->registration_delay);
    rlevel *lv = NULL;
    serve_step *st = NULL;
    size_t nst = 0, capst = 0;
    int cur = 0, nlv = 0, rc = 0;
    *bill = *uncovered = 0;
    for (size_t i = 0; i <= s->bound.ncap && rc == 0; i++) {
        int64_t a = i < s->bound.ncap ? s->bound.cap[i].t : sc->end;
        int n = 0, act = 0;
        if (i < s->bound.ncap) {
            if (entry_end(s, i) <= a) continue;
            n = need_of(sc, s->bound.cap[i].required - s->bound.cap[i].known);
            act = need(s, i);
        }
        if (n > nlv || nst + 2 * (size_t)nlv + 2 > capst) {
            int m = n > nlv ? n : nlv;
            rlevel *p = realloc(lv, (size_t)m * sizeof *p);
            if (p) {
                memset(p + nlv, 0, (size_t)(m - nlv) * sizeof *p);
                lv = p, nlv = m;
            }
            size_t c = 2 * capst + 2 * (size_t)m + 16;
            serve_step *q = realloc(st, c * sizeof *q);
            if (q) st = q, capst = c;
            if (!p || !q) {
                rc = -1;
                break;
            }
        }
        for (int k = cur; k > n; k--) /* released: kept while paid for */
            if (lv[k - 1].live) lv[k - 1].keep = paid_until(sc, lv[k - 1].run, a);
        for (int k = 1; k <= nlv; k++) { /* instances whose paid time ran out */
            rlevel *l = &lv[k - 1];
            if (l->live && (l->keep <= a || i == s->bound.ncap) && (k > n || l->keep <= a))
                rlevel_end(sc, l, a, bill, st, &nst);
        }
        for (int k = cur + 1; k <= n; k++) {
            lv[k - 1].known_at = a;
            if (lv[k - 1].live) lv[k - 1].keep = INT64_MAX; /* still there: kept */
        }
        cur = n;
        /* The need for level k comes (the known need is at least the need:
        ** known spot <= spot): its instance is requested as late as lets
        ** it serve then, or at once. Those in service at the start were
        ** launched before it. */
        for (int k = 1; k <= act && k <= n; k++) {
            rlevel *l = &lv[k - 1];
            if (l->live) continue;
            l->live = 1;
            l->keep = INT64_MAX;
            if (l->known_at == sc->start) {
                l->run = l->serve = sc->start;
                continue;
            }
            int64_t req = a - L - R < l->known_at ? l->known_at : a - L - R;
            l->run = req + L;
            l->serve = l->run + R;
        }
    }
    free(lv);
    if (rc) {
        free(st);
        return rc;
    }
    qsort(st, nst, sizeof *st, cmp_step);
    /* Sweep the history and the serving steps together. */
    size_t j = 0;
    int serving = 0;
    for (size_t i = 0; i < s->bound.ncap; i++) {
        int64_t a = s->bound.cap[i].t, b = entry_end(s, i);
        double gap = s->bound.cap[i].required - s->bound.cap[i].spot;
        while (a < b) {
            while (j < nst && st[j].t <= a) serving += st[j++].d;
            int64_t e = j < nst && st[j].t < b ? st[j].t : b;
            double left = gap - serving * sc->od_weight;
            if (left > 1e-9) *uncovered += left * (double)(e - a);
            a = e;
        }
    }
    free(st);
    return 0;
}

/* The reactive bound's cost and coverage (see the top of this file). */
static int reactive_finish(sim_state *s) {
    double bill, unc, req = s->acct.required_us;
    if (reactive_levels(s, &bill, &unc)) return -1;
    s->res->reactive_cost = s->res->spot_cost + s->sasg.od_cost + bill;
    s->res->reactive_coverage_pct = req > 0 ? 100 * (req - unc) / req : 100;
    return 0;
}

int sim_bound_finish(sim_state *s) {
    sim_result *r = s->res;
    double cost = 0, secs = 0;
    int launches = 0;
    if (oracle_levels(s, &cost, &secs, &launches)) return sim_fail(s, "out of memory");
    /* A mixed group's on-demand part is paid by the oracle's run too. */
    r->oracle_cost = r->spot_cost + s->sasg.od_cost + cost;
    int64_t below, longest;
    double short_us = beyond_max(s, &below, &longest);
    if (s->pol->simulation_only) {
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
    }
    if (reactive_finish(s)) return sim_fail(s, "out of memory");
    return 0;
}

void sim_bound_free(sim_state *s) {
    free(s->bound.cap);
}
