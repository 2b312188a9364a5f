/*
** account.c: billing, coverage and the shortfall figures.
**
** Coverage compares the capacity serving (registered spot and on-demand
** units) with the required capacity, integrated exactly between events.
** A spot shortfall episode is a stretch of time in which registered spot
** capacity is below the requirement. Its fallback latency runs from its
** start to the first moment spot plus on-demand capacity covers it; its
** return-to-spot delay runs from the fleet's recovery to the moment the
** on-demand group is back to the size it had while all was calm before the
** episode (spot sufficient, no interruption notices).
*/
#include "sim_int.h"

#include <stdlib.h>

#define EPS 1e-9

void sim_bill(sim_state *s, const sim_inst *in, int interrupted) {
    const sim_scenario *sc = s->sc;
    int64_t dur = in->end_t - in->run_t;
    const sim_steps *price = in->pool >= 0 ? &sc->pools[in->pool].price : NULL;
    double cost = sim_charge(sc->billing, price, sc->od_price, in->run_t, in->end_t,
                             interrupted, !in->initial);
    if (price) {
        s->res->spot_cost += cost;
        s->res->spot_instance_hours += (double)dur / 3600;
    } else {
        s->res->od_cost += cost;
        s->res->od_instance_hours += (double)dur / 3600;
    }
}

void sim_account(sim_state *s, int64_t t) {
    int64_t dt = t - s->acc_t;
    if (dt <= 0) return;
    double req = s->required, cov = s->spot_units + s->od_units;
    double c = cov < req ? cov : req;
    s->required_us += req * (double)dt;
    s->covered_us += c * (double)dt;
    if (req - c > EPS) {
        s->short_us += (req - c) * (double)dt;
        s->below_s += dt;
    }
    if (s->sc->mode == SIM_DIRECT)
        s->res->spot_cost += s->fulfilled * s->sc->d_spot_price * (double)dt / 3600;
    if (s->awaiting_release)
        s->res->od_hours_after_recovery += s->od_in_service * (double)dt / 3600;
    s->acc_t = t;
}

static int push(int64_t **a, size_t *n, size_t *cap, int64_t v) {
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        int64_t *p = realloc(*a, c * sizeof *p);
        if (!p) return -1;
        *a = p;
        *cap = c;
    }
    (*a)[(*n)++] = v;
    return 0;
}

void sim_account_episodes(sim_state *s) {
    double req = s->required, cov = s->spot_units + s->od_units;
    int short_now = cov < req - EPS;
    int spot_short = s->spot_units < req - EPS;
    int oom = 0;

    if (short_now && !s->in_short) {
        s->in_short = 1;
        s->cur_short_start = s->now;
    } else if (!short_now && s->in_short) {
        s->in_short = 0;
        if (s->now - s->cur_short_start > s->longest_short)
            s->longest_short = s->now - s->cur_short_start;
    }

    if (s->awaiting_release && (s->od_live <= s->od_base || spot_short)) {
        /* Released, or cut short by the next episode. */
        oom |= push(&s->ret, &s->nret, &s->capret, s->now - s->recovered_t);
        s->awaiting_release = 0;
    }
    if (spot_short && !s->in_episode) {
        s->in_episode = 1;
        s->episode_start = s->now;
        s->episode_covered = 0;
        /* Not the group's size now: a policy may have grown it already on
        ** the interruption notices that announced this episode. */
        s->od_base = s->od_calm;
    }
    /* Covered while spot is still short: on-demand capacity did it. */
    if (s->in_episode && !s->episode_covered && spot_short && !short_now) {
        s->episode_covered = 1;
        oom |= push(&s->lat, &s->nlat, &s->caplat, s->now - s->episode_start);
    }
    if (s->in_episode && !spot_short) {
        s->in_episode = 0;
        s->res->shortfalls++;
        if (!s->episode_covered) s->res->uncovered_shortfalls++;
        s->recovered_t = s->now;
        s->awaiting_release = s->od_live > s->od_base;
    }
    /* The group's size while nothing is wrong is what "released" returns
    ** to: spot sufficient, no notices, nothing awaiting release. */
    if (!spot_short && !s->in_episode && !s->awaiting_release && s->terminating <= EPS)
        s->od_calm = s->od_live;
    if (oom) s->oom = 1;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Median (the lower of the two middle values for an even count) and max. */
static void stats(int64_t *v, size_t n, int64_t *median, int64_t *max) {
    *median = *max = 0;
    if (!n) return;
    qsort(v, n, sizeof *v, cmp_i64);
    *median = v[(n - 1) / 2];
    *max = v[n - 1];
}

int sim_account_finish(sim_state *s) {
    sim_result *r = s->res;
    const sim_scenario *sc = s->sc;
    if (s->in_short && s->now - s->cur_short_start > s->longest_short)
        s->longest_short = s->now - s->cur_short_start;
    if (s->in_episode) {
        r->shortfalls++;
        if (!s->episode_covered) r->uncovered_shortfalls++;
    }
    if (s->awaiting_release &&
        push(&s->ret, &s->nret, &s->capret, s->now - s->recovered_t))
        return sim_fail(s, "out of memory");
    if (s->oom) return sim_fail(s, "out of memory");
    stats(s->lat, s->nlat, &r->fallback_latency_median_s, &r->fallback_latency_max_s);
    stats(s->ret, s->nret, &r->return_delay_median_s, &r->return_delay_max_s);
    r->required_unit_hours = s->required_us / 3600;
    r->shortfall_unit_hours = s->short_us / 3600;
    r->coverage_pct = s->required_us > 0 ? 100 * s->covered_us / s->required_us : 100;
    r->longest_shortfall_s = s->longest_short;
    r->minutes_below_target = (double)s->below_s / 60;
    r->total_cost = r->spot_cost + r->od_cost;
    r->all_od_cost = r->required_unit_hours * sc->od_price / sc->od_weight;
    r->pct_of_all_od = r->all_od_cost > 0 ? 100 * r->total_cost / r->all_od_cost : 0;
    return 0;
}
