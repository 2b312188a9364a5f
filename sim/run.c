/*
** run.c: the simulator's event loop, CloudWatch, the controller and the
** fleet's target tracking.
**
** sim_run() sets the world up at the scenario's start in a steady state
** (the fleet filled from the pools eligible then, the on-demand group at its
** DesiredCapacity, CloudWatch history as far back as the policy looks), then
** pops events in (time, sequence) order until the end. Every event first
** brings the accounting up to its time, then changes the state, then lets
** CloudWatch's open period and the episode tracker see the new state.
**
** Trace ids: pool p's price is 2p, its availability 2p+1; the demand trace
** is 2*npools; the recorded rows of direct mode are 2*npools+1.
*/
#include "sim_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_fail(sim_state *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, s->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int64_t floor60(int64_t t) { return t >= 0 ? t - t % 60 : t - ((t % 60) + 60) % 60; }

/* ---- traces ------------------------------------------------------------- */

/* Direct mode replays the recorded metrics as rows: the union of the four
** series' Timestamps, each row holding the values recorded then (NaN when a
** metric has no datapoint at that Timestamp). */
typedef struct {
    int64_t *t;
    double (*v)[POL_NMETRICS];
    size_t n;
} direct_rows;

static int trace_id_demand(const sim_state *s) { return (int)(2 * s->sc->npools); }
static int trace_id_direct(const sim_state *s) { return (int)(2 * s->sc->npools + 1); }

static const sim_steps *trace_steps(const sim_state *s, int id) {
    const sim_scenario *sc = s->sc;
    if (id < (int)(2 * sc->npools))
        return id % 2 ? &sc->pools[id / 2].avail : &sc->pools[id / 2].price;
    return &sc->demand;
}

/* Schedules trace `id`'s next step after `cursor` if it falls in the span. */
static int schedule_trace(sim_state *s, int id, int64_t next_t) {
    if (next_t >= s->sc->end) return 0;
    if (sim_queue_push(&s->q, next_t, EVC_STATE, EV_TRACE, id, 0))
        return sim_fail(s, "out of memory");
    return 0;
}

/* Positions a step trace at the start: returns the value in force and
** schedules the first change after it. */
static int trace_start(sim_state *s, int id, double *value) {
    const sim_steps *st = trace_steps(s, id);
    size_t i = 0;
    while (i < st->n && st->pts[i].t <= s->sc->start) i++;
    *value = i ? st->pts[i - 1].v : st->pts[0].v;
    s->cursor[id] = i;
    return i < st->n ? schedule_trace(s, id, st->pts[i].t) : 0;
}

/* ---- CloudWatch --------------------------------------------------------- */

/* The metrics' Period: 1 minute, or the recorded series' in direct mode. */
static int64_t cw_period(const sim_state *s) {
    return s->sc->mode == SIM_DIRECT ? s->sc->d_period : 60;
}

static void metrics_now(const sim_state *s, double v[POL_NMETRICS]) {
    v[POL_TARGET] = s->target;
    v[POL_FULFILLED] = s->fulfilled;
    v[POL_PENDING] = s->target - s->fulfilled > 0 ? s->target - s->fulfilled : 0;
    v[POL_TERMINATING] = s->terminating;
}

/* The open period's datapoints are maxima: fold the current state in. */
static void cw_touch(sim_state *s) {
    double v[POL_NMETRICS];
    metrics_now(s, v);
    for (int m = 0; m < POL_NMETRICS; m++)
        if (v[m] > s->pmax[m]) s->pmax[m] = v[m];
}

/* Appends a datapoint row to the ring; the oldest falls off when full. */
static void ring_push(sim_state *s, const sim_dp *dp) {
    size_t mask = s->ringcap - 1;
    size_t i = (s->ringhead + s->ringn) & mask;
    if (s->ringn == s->ringcap) {
        s->ringhead = (s->ringhead + 1) & mask;
        i = (s->ringhead + s->ringn - 1) & mask;
    } else {
        s->ringn++;
    }
    s->ring[i] = *dp;
}

static const sim_dp *ring_at(const sim_state *s, size_t k) {
    return &s->ring[(s->ringhead + k) & (s->ringcap - 1)];
}

/* A datapoint with Timestamp t: each metric's copy becomes visible after
** its own ingestion delay, or never. The draws are made for every metric
** whether it has a value or not, so the stream stays aligned. */
static int chance(sim_rng *r, double p) { return p > 0 && trc_rng_unit(r) < p; }

static void cw_publish(sim_state *s, int64_t t, int64_t closes,
                       const double v[POL_NMETRICS]) {
    sim_dp dp;
    dp.t = t;
    dp.missing = 0;
    for (int m = 0; m < POL_NMETRICS; m++) {
        dp.v[m] = v[m];
        dp.visible[m] = closes + sim_rng_delay(&s->rng_cw, &s->sc->cw_delay);
        if (chance(&s->rng_cw, s->sc->cw_missing) || isnan(v[m]))
            dp.missing |= 1u << m;
    }
    ring_push(s, &dp);
}

/* Closes the period ending at `now` (model mode). The next period's maxima
** start empty: the state settled at the end of this second is folded in
** then, so a change and its reversal within one second leave no trace. */
static void cw_close_period(sim_state *s) {
    cw_publish(s, s->now - 60, s->now, s->pmax);
    memset(s->pmax, 0, sizeof s->pmax);
}

/* Metric m's datapoints visible at now with start <= Timestamp < now, into
** out (sorted, as the ring is). */
static size_t cw_fetch(const sim_state *s, int m, int64_t start, pol_point *out) {
    size_t n = 0;
    for (size_t k = 0; k < s->ringn; k++) {
        const sim_dp *dp = ring_at(s, k);
        if (dp->t < start || dp->t >= s->now) continue;
        if ((dp->missing >> m) & 1 || dp->visible[m] > s->now) continue;
        out[n].t = dp->t;
        out[n].v = dp->v[m];
        n++;
    }
    return n;
}

/* The alarm: PendingCapacity > 0 for the newest alarm_periods visible
** datapoints. On the transition to ALARM, SNS invokes the controller. */
static int alarm_eval(sim_state *s) {
    int need = s->sc->alarm_periods, seen = 0, breaching = 0;
    for (size_t k = s->ringn; k-- > 0 && seen < need;) {
        const sim_dp *dp = ring_at(s, k);
        if ((dp->missing >> POL_PENDING) & 1 || dp->visible[POL_PENDING] > s->now) continue;
        seen++;
        breaching += dp->v[POL_PENDING] > 0;
    }
    int state = s->alarm_state;
    if (seen == need) state = breaching == need;
    if (state && !s->alarm_state) {
        int64_t at = s->now + sim_rng_delay(&s->rng_ctl, &s->sc->sns_delay);
        if (at < s->sc->end && sim_queue_push(&s->q, at, EVC_CONTROLLER, EV_INVOKE, 1, 0))
            return sim_fail(s, "out of memory");
    }
    s->alarm_state = state;
    return 0;
}

/* ---- the controller ----------------------------------------------------- */

static int invoke(sim_state *s) {
    sim_decision_rec rec;
    rec.t = s->now;
    rec.failed = 0;
    rec.accepted = 0;
    rec.error = NULL;
    rec.d.reason[0] = '\0';
    s->res->invocations++;

    /* A fixed number of draws per invocation (for the failure kinds the
    ** scenario has at all) keeps the stream aligned. */
    int failed = chance(&s->rng_ctl, s->sc->invoke_failure);
    int fetch_failed[POL_NMETRICS];
    for (int m = 0; m < POL_NMETRICS; m++)
        fetch_failed[m] = chance(&s->rng_ctl, s->sc->cw_fetch_failure);
    int describe_failed = chance(&s->rng_ctl, s->sc->describe_failure);

    if (failed) {
        s->res->invocation_failures++;
        rec.failed = 1;
        rec.d.action = POL_ACT_NONE;
        snprintf(rec.d.reason, sizeof rec.d.reason, "invocation failed");
        return s->sink && s->sink->decision && s->sink->decision(s->sink->ctx, &rec)
                   ? sim_fail(s, "storing a decision failed")
                   : 0;
    }

    /* The fetch CloudWatch answers for StartTime = now - lookback. */
    pol_obs obs;
    obs.now = s->now;
    obs.period = cw_period(s);
    obs.asg.known = 0;
    /* Reasons of "none" decisions cost a formatted string per minute; ask
    ** for them only when the sink keeps them. */
    obs.quiet_none = !(s->sink && s->sink->want_none);
    int64_t start = pol_window_start(s->now, pol_lookback(s->pol, s->params, obs.period),
                                     obs.period);
    size_t used = 0;
    for (int m = 0; m < POL_NMETRICS; m++) {
        obs.m[m].failed = fetch_failed[m];
        if (fetch_failed[m]) continue;
        obs.m[m].pts = s->obsbuf + used;
        obs.m[m].n = cw_fetch(s, m, start, s->obsbuf + used);
        used += obs.m[m].n;
    }
    if (!describe_failed) {
        obs.asg.known = 1;
        obs.asg.desired = s->od_desired;
        obs.asg.min_size = s->sc->asg_min;
        obs.asg.max_size = s->sc->asg_max;
        obs.asg.in_service = s->od_in_service;
    }

    pol_decide(s->pol, &obs, s->params, &rec.d);
    if (rec.d.action == POL_ACT_NONE && rec.d.held) s->res->holds++;
    if (rec.d.action == POL_ACT_SET) {
        int rc = sim_asg_set(s, rec.d.desired, rec.d.honor_cooldown, &rec.error);
        if (rc < 0) return -1;
        rec.accepted = rc;
    }
    if (s->sink && s->sink->decision && s->sink->decision(s->sink->ctx, &rec))
        return sim_fail(s, "storing a decision failed");
    return 0;
}

/* ---- target tracking ---------------------------------------------------- */

static int target_tracking(sim_state *s) {
    const sim_scenario *sc = s->sc;
    double want = ceil(s->required * 100 / sc->tt_target_value - 1e-9);
    if (want < sc->tt_min) want = sc->tt_min;
    if (want > sc->tt_max) want = sc->tt_max;
    int changed = 0;
    if (want > s->target && s->now - s->tt_last_out >= sc->tt_scale_out_cooldown) {
        s->tt_last_out = s->now;
        changed = 1;
    } else if (want < s->target && s->now - s->tt_last_in >= sc->tt_scale_in_cooldown &&
               s->now - s->tt_last_out >= sc->tt_scale_in_cooldown) {
        s->tt_last_in = s->now;
        changed = 1;
    }
    if (!changed) return 0;
    s->target = want;
    return sim_fleet_fill(s);
}

/* ---- events ------------------------------------------------------------- */

static int minute(sim_state *s) {
    const sim_scenario *sc = s->sc;
    if (sc->mode == SIM_MODEL) {
        cw_close_period(s);
        if (sc->demand.n && target_tracking(s)) return -1;
    }
    if (sc->alarm && alarm_eval(s)) return -1;
    if (s->sink && s->sink->minute) {
        double v[POL_NMETRICS];
        metrics_now(s, v);
        sim_minute_rec r = {s->now, s->required, v[POL_TARGET], v[POL_FULFILLED],
                            v[POL_PENDING], v[POL_TERMINATING], s->spot_units,
                            s->od_units, s->od_desired, s->od_in_service,
                            s->price, sc->mode == SIM_MODEL ? sc->npools : 0};
        if (s->sink->minute(s->sink->ctx, &r)) return sim_fail(s, "storing a sample failed");
    }
    if (s->now + 60 < sc->end &&
        sim_queue_push(&s->q, s->now + 60, EVC_PERIOD, EV_MINUTE, 0, 0))
        return sim_fail(s, "out of memory");
    return 0;
}

static void direct_apply(sim_state *s, const double v[POL_NMETRICS]) {
    if (!isnan(v[POL_TARGET])) s->target = s->required = v[POL_TARGET];
    if (!isnan(v[POL_FULFILLED])) s->fulfilled = s->spot_units = v[POL_FULFILLED];
    if (!isnan(v[POL_TERMINATING])) s->terminating = v[POL_TERMINATING];
}

static int trace_step(sim_state *s, int id, const direct_rows *rows) {
    if (id == trace_id_direct(s)) {
        size_t i = s->cursor[id]++;
        direct_apply(s, rows->v[i]);
        cw_publish(s, rows->t[i], rows->t[i] + s->sc->d_period, rows->v[i]);
        return i + 1 < rows->n ? schedule_trace(s, id, rows->t[i + 1]) : 0;
    }
    const sim_steps *st = trace_steps(s, id);
    size_t i = s->cursor[id]++;
    double v = st->pts[i].v;
    if (i + 1 < st->n && schedule_trace(s, id, st->pts[i + 1].t)) return -1;
    if (id == trace_id_demand(s)) {
        s->required = v;
        return 0;
    }
    int pool = id / 2;
    if (id % 2) s->avail[pool] = v;
    else s->price[pool] = v;
    return sim_fleet_pool_changed(s, pool);
}

static int instance_event(sim_state *s, const sim_event *e) {
    sim_inst *in = &s->inst[e->a];
    if (in->gen != e->b || in->state == INST_GONE) return 0; /* stale */
    return in->pool >= 0 ? sim_spot_event(s, e->type, e->a) : sim_od_event(s, e->type, e->a);
}

/* ---- set-up ------------------------------------------------------------- */

static int direct_rows_build(const sim_scenario *sc, direct_rows *r) {
    size_t total = 0;
    for (int m = 0; m < POL_NMETRICS; m++) total += sc->d_metric[m].n;
    r->t = malloc((total + 1) * sizeof *r->t);
    r->v = malloc((total + 1) * sizeof *r->v);
    if (!r->t || !r->v) return -1;
    size_t idx[POL_NMETRICS] = {0};
    r->n = 0;
    for (;;) { /* merge the sorted series by Timestamp */
        int64_t t = INT64_MAX;
        for (int m = 0; m < POL_NMETRICS; m++)
            if (idx[m] < sc->d_metric[m].n && sc->d_metric[m].pts[idx[m]].t < t)
                t = sc->d_metric[m].pts[idx[m]].t;
        if (t == INT64_MAX) break;
        r->t[r->n] = t;
        for (int m = 0; m < POL_NMETRICS; m++) {
            const sim_steps *st = &sc->d_metric[m];
            r->v[r->n][m] = NAN;
            if (idx[m] < st->n && st->pts[idx[m]].t == t) r->v[r->n][m] = st->pts[idx[m]++].v;
        }
        r->n++;
    }
    return 0;
}

/* Brings the model's fleet and group to their steady state at the start. */
static int start_model(sim_state *s) {
    const sim_scenario *sc = s->sc;
    for (size_t p = 0; p < sc->npools; p++) {
        if (trace_start(s, (int)(2 * p), &s->price[p])) return -1;
        s->avail[p] = INFINITY;
        if (sc->pools[p].avail.n && trace_start(s, (int)(2 * p + 1), &s->avail[p])) return -1;
    }
    s->target = sc->target_capacity;
    s->required = s->target;
    if (sc->demand.n) {
        if (trace_start(s, trace_id_demand(s), &s->required)) return -1;
        s->target = ceil(s->required * 100 / sc->tt_target_value - 1e-9);
        if (s->target < sc->tt_min) s->target = sc->tt_min;
        if (s->target > sc->tt_max) s->target = sc->tt_max;
    }
    if (sim_fleet_fill(s)) return -1;
    /* The initial fleet is already running and registered. */
    for (size_t i = 0; i < s->ninst; i++) sim_spot_started(s, (int64_t)i);
    s->res->spot_launches = 0;
    return 0;
}

static int start_direct(sim_state *s, const direct_rows *rows) {
    size_t i = 0;
    for (; i < rows->n && rows->t[i] <= s->sc->start; i++) {
        direct_apply(s, rows->v[i]);
        cw_publish(s, rows->t[i], rows->t[i] + s->sc->d_period, rows->v[i]);
    }
    s->cursor[trace_id_direct(s)] = i;
    return i < rows->n ? schedule_trace(s, trace_id_direct(s), rows->t[i]) : 0;
}

static int start_asg(sim_state *s) {
    for (int k = 0; k < s->sc->asg_desired; k++) {
        int64_t idx;
        if (sim_inst_new(s, -1, &idx)) return -1;
        sim_inst *in = &s->inst[idx];
        in->state = INST_RUNNING;
        in->run_t = s->sc->start;
        in->initial = 1;
        in->registered = 1;
        s->od_live++;
        s->od_in_service++;
        s->od_units += s->sc->od_weight;
    }
    s->od_desired = s->sc->asg_desired;
    return 0;
}

/* Schedules the cron invocation of s->cron_base, after its jitter. */
static int schedule_cron(sim_state *s) {
    int64_t at = s->cron_base + sim_rng_delay(&s->rng_sched, &s->sc->cron_jitter);
    if (at < s->sc->end && sim_queue_push(&s->q, at, EVC_CONTROLLER, EV_INVOKE, 0, 0))
        return sim_fail(s, "out of memory");
    return 0;
}

static int setup(sim_state *s, direct_rows *rows) {
    const sim_scenario *sc = s->sc;
    size_t np = sc->npools, ntraces = 2 * np + 2;
    s->now = s->acc_t = sc->start;
    sim_rng_seed(&s->rng_fleet, sc->seed, 1);
    sim_rng_seed(&s->rng_cw, sc->seed, 2);
    sim_rng_seed(&s->rng_ctl, sc->seed, 3);
    sim_rng_seed(&s->rng_asg, sc->seed, 4);
    sim_rng_seed(&s->rng_reg, sc->seed, 5);
    sim_rng_seed(&s->rng_market, sc->seed, 6);
    sim_rng_seed(&s->rng_sched, sc->seed, 7);
    s->tt_last_out = s->tt_last_in = INT64_MIN / 2;
    s->cooldown_until = INT64_MIN;

    /* The ring holds what the policy can look back at, plus what is still
    ** in flight through CloudWatch's ingestion delay. */
    int64_t period = cw_period(s);
    int64_t span = pol_lookback(s->pol, s->params, period) + sc->cw_delay.max + 2 * period;
    /* A power of two, so ring positions wrap with a mask, not a division:
    ** the controller walks the ring every minute of the run. */
    s->ringcap = 8;
    while (s->ringcap < (size_t)(span / period) + 4) s->ringcap *= 2;
    s->obscap = s->ringcap * POL_NMETRICS;
    s->ring = calloc(s->ringcap, sizeof *s->ring);
    s->obsbuf = calloc(s->obscap, sizeof *s->obsbuf);
    s->price = calloc(np + 1, sizeof *s->price);
    s->avail = calloc(np + 1, sizeof *s->avail);
    s->pool_count = calloc(np + 1, sizeof *s->pool_count);
    s->pool_units = calloc(np + 1, sizeof *s->pool_units);
    s->cursor = calloc(ntraces, sizeof *s->cursor);
    if (!s->ring || !s->obsbuf || !s->price || !s->avail || !s->pool_count ||
        !s->pool_units || !s->cursor)
        return sim_fail(s, "out of memory");

    if (sim_market_plan(s)) return -1;
    if (sc->mode == SIM_MODEL) {
        if (start_model(s)) return -1;
    } else {
        if (direct_rows_build(sc, rows)) return sim_fail(s, "out of memory");
        if (start_direct(s, rows)) return -1;
    }
    if (start_asg(s)) return -1;

    if (sc->mode == SIM_MODEL) {
        /* Steady history: the state at the start, as far back as the ring
        ** reaches, all of it visible. */
        double v[POL_NMETRICS];
        metrics_now(s, v);
        int64_t first = floor60(sc->start) - (int64_t)(s->ringcap - 1) * 60;
        for (int64_t t = first; t < floor60(sc->start); t += 60) {
            sim_dp dp = {t, {INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN}, {0}, 0};
            memcpy(dp.v, v, sizeof v);
            ring_push(s, &dp);
        }
        memcpy(s->pmax, v, sizeof v);
    }

    int64_t m0 = floor60(sc->start) + 60;
    if (m0 < sc->end && sim_queue_push(&s->q, m0, EVC_PERIOD, EV_MINUTE, 0, 0))
        return sim_fail(s, "out of memory");
    if (sc->cron) {
        /* The schedule's second, drawn once: the first time at or after the
        ** start that is that second past a multiple of Interval. */
        int64_t off = sim_rng_delay(&s->rng_sched, &sc->cron_offset);
        int64_t t = sc->start - ((sc->start - off) % sc->cron_interval + sc->cron_interval) % sc->cron_interval;
        if (t < sc->start) t += sc->cron_interval;
        s->cron_base = t;
        if (schedule_cron(s)) return -1;
    }
    if (sim_queue_push(&s->q, sc->end, EVC_CONTROLLER, EV_END, 0, 0))
        return sim_fail(s, "out of memory");
    sim_account_episodes(s);
    return sim_oracle_log(s);
}

static int handle(sim_state *s, const sim_event *e, const direct_rows *rows) {
    switch (e->type) {
    case EV_MINUTE:
        return minute(s);
    case EV_TRACE:
        return trace_step(s, e->a, rows);
    case EV_RUNNING:
    case EV_REGISTERED:
    case EV_TERMINATE:
    case EV_REBALANCE_END:
        return instance_event(s, e);
    case EV_MARKET:
    case EV_SIGNAL:
    case EV_ICE_END:
        return sim_market_event(s, e->type, e->a);
    case EV_INVOKE:
        if (e->a == 0) {
            s->cron_base += s->sc->cron_interval;
            if (schedule_cron(s)) return -1;
        }
        return invoke(s);
    }
    return 0;
}

static int cmp_serial(const void *a, const void *b) {
    const struct sim_cand *x = a, *y = b;
    return (x->serial > y->serial) - (x->serial < y->serial);
}

/* Bills what still runs at the end, as if stopped there: spot instances in
** launch order, then on-demand ones, so that the costs are summed in an
** order that does not depend on which slots the on-demand side used. */
static int bill_remaining(sim_state *s) {
    struct sim_cand *c = malloc((s->ninst + 1) * sizeof *c);
    if (!c) return sim_fail(s, "out of memory");
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t first = n;
        for (size_t i = 0; i < s->ninst; i++) {
            const sim_inst *in = &s->inst[i];
            if (in->state == INST_GONE || in->run_t < 0 || (in->pool < 0) != pass) continue;
            c[n].serial = in->serial;
            c[n++].idx = (int64_t)i;
        }
        qsort(c + first, n - first, sizeof *c, cmp_serial);
    }
    for (size_t k = 0; k < n; k++) {
        sim_inst *in = &s->inst[c[k].idx];
        in->end_t = s->sc->end;
        sim_bill(s, in, 0);
    }
    free(c);
    return 0;
}

static void state_free(sim_state *s, direct_rows *rows) {
    sim_queue_free(&s->q);
    free(s->inst);
    free(s->free_slots);
    free(s->price);
    free(s->avail);
    free(s->pool_count);
    free(s->pool_units);
    free(s->cursor);
    free(s->ring);
    free(s->obsbuf);
    free(s->lat);
    free(s->ret);
    free(s->cap);
    sim_market_free(s);
    free(rows->t);
    free(rows->v);
}

int sim_run(const sim_scenario *sc, const pol_policy *pol,
            const pol_params *params, const sim_sink *sink, sim_result *res,
            char *err, size_t errlen) {
    sim_state s;
    direct_rows rows = {0};
    memset(&s, 0, sizeof s);
    memset(res, 0, sizeof *res);
    s.sc = sc;
    s.pol = pol;
    s.params = params;
    s.sink = sink;
    s.res = res;
    s.err = err;
    s.errlen = errlen;

    int rc = setup(&s, &rows);
    sim_event e;
    while (rc == 0 && sim_queue_pop(&s.q, &e)) {
        sim_account(&s, e.t);
        s.now = e.t;
        res->events++;
        if (e.type == EV_END) break;
        rc = handle(&s, &e, &rows);
        /* Once every event of this second is done, the state has settled:
        ** only then do CloudWatch and the episode tracker look at it. */
        if (s.q.n == 0 || s.q.ev[0].t != s.now) {
            cw_touch(&s);
            sim_account_episodes(&s);
            if (rc == 0) rc = sim_oracle_log(&s);
        }
    }
    if (rc == 0) rc = bill_remaining(&s);
    if (rc == 0) rc = sim_account_finish(&s);
    if (rc == 0) rc = sim_oracle_finish(&s);
    state_free(&s, &rows);
    return rc;
}
