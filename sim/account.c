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

int sim_account_init(sim_state *s) {
    const sim_scenario *sc = s->sc;
    size_t np = sc->npools;
    sim_acct_state *a = &s->acct;
    a->acc_t = sc->start;
    a->price_sum = calloc(np + 1, sizeof *a->price_sum);
    a->psum = calloc(np + 1, sizeof *a->psum);
    a->psum_t = calloc(np + 1, sizeof *a->psum_t);
    a->psum_ok = calloc(np + 1, sizeof *a->psum_ok);
    if (!a->price_sum || !a->psum || !a->psum_t || !a->psum_ok)
        return sim_fail(s, "out of memory");
    if (sc->mode == SIM_MODEL)
        for (size_t p = 0; p < np; p++) {
            if (sim_stepsum_build(&sc->pools[p].price, &a->price_sum[p]))
                return sim_fail(s, "out of memory");
            /* Integrals from the start on: every run begins there or later. */
            a->psum_ok[p] = sim_stepsum_exact(a->price_sum[p]);
            a->psum_t[p] = sc->start;
        }
    return 0;
}

void sim_account_free(sim_state *s) {
    if (s->acct.price_sum)
        for (size_t p = 0; p < s->sc->npools; p++) sim_stepsum_free(s->acct.price_sum[p]);
    free(s->acct.price_sum);
    free(s->acct.psum);
    free(s->acct.psum_t);
    free(s->acct.psum_ok);
    free(s->acct.lat);
    free(s->acct.ret);
}

sim_fx sim_psum_now(const sim_state *s, int p) {
    return s->acct.psum[p] + sim_fx_of(s->market.price[p]) * (uint64_t)(s->now - s->acct.psum_t[p]);
}

void sim_psum_step(sim_state *s, int p) {
    if (!s->acct.psum_ok[p]) return;
    s->acct.psum[p] = sim_psum_now(s, p);
    s->acct.psum_t[p] = s->now;
}

void sim_bill(sim_state *s, const sim_inst *in, int interrupted) {
    const sim_scenario *sc = s->sc;
    int64_t dur = in->end_t - in->run_t;
    const sim_steps *price = in->pool >= 0 ? &sc->pools[in->pool].price : NULL;
    double cost;
    if (price && sc->billing == SIM_PER_SECOND && s->acct.psum_ok[in->pool] &&
        in->end_t == s->now &&
        in->end_t >= in->run_t && !(interrupted && !in->initial && dur < 3600))
        /* The integral kept as the run went: the very bits sim_charge()
        ** finds from the trace, in O(1). */
        cost = sim_charge_fixed(price, sim_psum_now(s, in->pool) - in->run_sum, in->run_t,
                                in->end_t);
    else
        cost = sim_charge(sc->billing, price, price ? s->acct.price_sum[in->pool] : NULL,
                          sc->od_price, in->run_t, in->end_t, interrupted, !in->initial);
    if (price) {
        s->res->spot_cost += cost;
        s->res->spot_instance_hours += (double)dur / 3600;
    } else {
        s->res->od_cost += cost;
        s->res->od_instance_hours += (double)dur / 3600;
    }
}

void sim_account(sim_state *s, int64_t t) {
    int64_t dt = t - s->acct.acc_t;
    if (dt <= 0) return;
    double req = s->required, cov = sim_group_units(s) + s->asg.od_units;
    double c = cov < req ? cov : req;
    s->acct.required_us += req * (double)dt;
    s->acct.covered_us += c * (double)dt;
    if (req - c > EPS) {
        s->acct.short_us += (req - c) * (double)dt;
        s->acct.below_s += dt;
    }
    if (s->sc->mode == SIM_DIRECT)
        s->res->spot_cost += s->fleet.fulfilled * s->sc->d_spot_price * (double)dt / 3600;
    if (s->acct.awaiting_release)
        s->res->od_hours_after_recovery += s->asg.od_in_service * (double)dt / 3600;
    s->acct.acc_t = t;
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
    double req = s->required, cov = sim_group_units(s) + s->asg.od_units;
    int short_now = cov < req - EPS;
    int spot_short = sim_group_units(s) < req - EPS;
    int oom = 0;

    if (short_now && !s->acct.in_short) {
        s->acct.in_short = 1;
        s->acct.cur_short_start = s->now;
    } else if (!short_now && s->acct.in_short) {
        s->acct.in_short = 0;
        if (s->now - s->acct.cur_short_start > s->acct.longest_short)
            s->acct.longest_short = s->now - s->acct.cur_short_start;
    }

    if (s->acct.awaiting_release && (s->asg.od_live <= s->acct.od_base || spot_short)) {
        /* Released, or cut short by the next episode. */
        oom |= push(&s->acct.ret, &s->acct.nret, &s->acct.capret, s->now - s->acct.recovered_t);
        s->acct.awaiting_release = 0;
    }
    if (spot_short && !s->acct.in_episode) {
        s->acct.in_episode = 1;
        s->acct.episode_start = s->now;
        s->acct.episode_covered = 0;
        /* Not the group's size now: a policy may have grown it already on
        ** the interruption notices that announced this episode. */
        s->acct.od_base = s->acct.od_calm;
    }
    /* Covered while spot is still short: on-demand capacity did it. */
    if (s->acct.in_episode && !s->acct.episode_covered && spot_short && !short_now) {
        s->acct.episode_covered = 1;
        oom |= push(&s->acct.lat, &s->acct.nlat, &s->acct.caplat, s->now - s->acct.episode_start);
    }
    if (s->acct.in_episode && !spot_short) {
        s->acct.in_episode = 0;
        s->res->shortfalls++;
        if (!s->acct.episode_covered) s->res->uncovered_shortfalls++;
        s->acct.recovered_t = s->now;
        s->acct.awaiting_release = s->asg.od_live > s->acct.od_base;
    }
    /* The group's size while nothing is wrong is what "released" returns
    ** to: spot sufficient, no notices, nothing awaiting release. */
    if (!spot_short && !s->acct.in_episode && !s->acct.awaiting_release &&
        s->fleet.noticed == 0)
        s->acct.od_calm = s->asg.od_live;
    if (oom) s->acct.oom = 1;
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
    if (s->acct.in_short && s->now - s->acct.cur_short_start > s->acct.longest_short)
        s->acct.longest_short = s->now - s->acct.cur_short_start;
    if (s->acct.in_episode) {
        r->shortfalls++;
        if (!s->acct.episode_covered) r->uncovered_shortfalls++;
    }
    if (s->acct.awaiting_release &&
        push(&s->acct.ret, &s->acct.nret, &s->acct.capret, s->now - s->acct.recovered_t))
        return sim_fail(s, "out of memory");
    if (s->acct.oom) return sim_fail(s, "out of memory");
    stats(s->acct.lat, s->acct.nlat, &r->fallback_latency_median_s, &r->fallback_latency_max_s);
    stats(s->acct.ret, s->acct.nret, &r->return_delay_median_s, &r->return_delay_max_s);
    r->required_unit_hours = s->acct.required_us / 3600;
    r->shortfall_unit_hours = s->acct.short_us / 3600;
    r->coverage_pct =
        s->acct.required_us > 0 ? 100 * s->acct.covered_us / s->acct.required_us : 100;
    r->longest_shortfall_s = s->acct.longest_short;
    r->minutes_below_target = (double)s->acct.below_s / 60;
    r->total_cost = r->spot_cost + r->od_cost;
    r->all_od_cost = r->required_unit_hours * sc->od_price / sc->od_weight;
    r->pct_of_all_od = r->all_od_cost > 0 ? 100 * r->total_cost / r->all_od_cost : 0;
    return 0;
}
