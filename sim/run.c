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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Steps of a trace prefetched ahead of the one applied (4 cache lines). */
#define TRACE_AHEAD 16

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
    /* The kind-neutral view (docs/scenario.md, "fleet.kind"): a mixed
    ** group's on-demand part counts in its target and in what it fulfils. */
    v[POL_TARGET] = s->fleet.target + s->sasg.od_units;
    v[POL_FULFILLED] = s->fleet.fulfilled + s->sasg.od_units;
    double pending = v[POL_TARGET] - v[POL_FULFILLED];
    v[POL_PENDING] = pending > 0 ? pending : 0;
    v[POL_TERMINATING] = s->fleet.terminating;
}

/* The open period's datapoints are maxima: fold the current state in. */
static void cw_touch(sim_state *s) {
    s->cw.pmax_seen = 1;
    double v[POL_NMETRICS];
    metrics_now(s, v);
    for (int m = 0; m < POL_NMETRICS; m++)
        if (v[m] > s->cw.pmax[m]) s->cw.pmax[m] = v[m];
}

/* Appends a datapoint row to the ring; the oldest falls off when full. */
static void ring_push(sim_state *s, const sim_dp *dp) {
    size_t mask = s->cw.ringcap - 1;
    size_t i = (s->cw.ringhead + s->cw.ringn) & mask;
    if (s->cw.ringn == s->cw.ringcap) {
        s->cw.ringhead = (s->cw.ringhead + 1) & mask;
        i = (s->cw.ringhead + s->cw.ringn - 1) & mask;
    } else {
        s->cw.ringn++;
    }
    s->cw.ring[i] = *dp;
}

static const sim_dp *ring_at(const sim_state *s, size_t k) {
    return &s->cw.ring[(s->cw.ringhead + k) & (s->cw.ringcap - 1)];
}

/* ---- the controller's windows ------------------------------------------ */

/* What a fetch returns for metric m is kept up to date as datapoints appear
** instead of being searched for at every invocation: the window holds, in
** Timestamp order, the datapoints visible so far that a fetch may still
** return; a datapoint not yet visible waits in `pend` until it is. Windows
** only move forward (StartTime grows with now), so each datapoint enters
** and leaves its window once: the controller's work per minute does not
** depend on the window's length nor on the run's. */

/* A time no later than the StartTime of any fetch from now on (which is
** now - lookback rounded down to the Period): no division needed. */
static int64_t win_floor(const sim_state *s) {
    return s->now - s->cw.lookback - cw_period(s);
}

/* Drops the window's datapoints older than start. */
static void win_trim(sim_cwin *w, int64_t start) {
    while (w->head < w->tail && w->pts[w->head].t < start) w->head++;
}

/* A double's bits: values compared as bits, a -0 apart from a 0. */
static uint64_t bits_of(double x) {
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static int same_bits(double a, double b) { return bits_of(a) == bits_of(b); }

/* Keeps w->run_t (sim_int.h) after p was put at the end of the window. */
static inline void win_run_append(sim_cwin *w, pol_point p, int64_t period) {
    if (w->tail - w->head < 2) {
        w->run_t = p.t;
        return;
    }
    const pol_point *q = &w->pts[w->tail - 2];
    if (q->t + period != p.t || !same_bits(q->v, p.v)) w->run_t = p.t;
}

/* The same after a late datapoint went further in: from the newest back. */
static void win_run_scan(sim_cwin *w, int64_t period) {
    size_t j = w->tail - 1;
    while (j > w->head && w->pts[j - 1].t + period == w->pts[j].t &&
           same_bits(w->pts[j - 1].v, w->pts[j].v))
        j--;
    w->run_t = w->pts[j].t;
}

/* Puts a visible datapoint in its place (almost always the end: only a late
** one goes further in). */
static void win_insert(sim_cwin *w, pol_point p, int64_t period) {
    if (w->tail < w->cap && (w->tail == w->head || w->pts[w->tail - 1].t < p.t)) {
        w->pts[w->tail++] = p; /* the usual case: the newest */
        if (w->track) win_run_append(w, p, period);
        return;
    }
    if (w->tail == w->cap) { /* the window is at most half the buffer */
        memmove(w->pts, w->pts + w->head, (w->tail - w->head) * sizeof *w->pts);
        w->tail -= w->head;
        w->head = 0;
    }
    size_t j = w->tail;
    while (j > w->head && w->pts[j - 1].t > p.t) j--;
    memmove(w->pts + j + 1, w->pts + j, (w->tail - j) * sizeof *w->pts);
    w->pts[j] = p;
    w->tail++;
    if (w->track) win_run_scan(w, period);
}

/* Moves the waiting datapoints visible at now into the window. */
static void win_absorb(sim_cwin *w, int64_t now, int64_t period) {
    size_t k = 0;
    for (size_t i = 0; i < w->npend; i++) {
        if (w->pend_vis[i] <= now) win_insert(w, w->pend[i], period);
        else {
            w->pend[k] = w->pend[i];
            w->pend_vis[k++] = w->pend_vis[i];
        }
    }
    w->npend = k;
}

/* A new datapoint of every metric the policy reads: into its window, or
** to wait until it becomes visible. */
static void win_offer(sim_state *s, const sim_dp *dp) {
    int64_t floor = win_floor(s), period = cw_period(s);
    for (unsigned bits = s->cw.reads; bits; bits &= bits - 1) {
        int m = __builtin_ctz(bits);
        sim_cwin *w = &s->cw.win[m];
        if (w->npend) win_absorb(w, s->now, period);
        if (!((dp->missing >> m) & 1)) {
            pol_point p = {dp->t, dp->v[m]};
            if (dp->visible[m] > s->now) {
                w->pend[w->npend] = p;
                w->pend_vis[w->npend++] = dp->visible[m];
            } else if (w->tail < w->cap && w->tail > w->head && w->pts[w->tail - 1].t < p.t) {
                w->pts[w->tail++] = p; /* the usual case: the newest */
                if (w->track) win_run_append(w, p, period);
            } else {
                win_insert(w, p, period);
            }
        }
        win_trim(w, floor);
    }
}

/* What GetMetricStatistics answers at now for StartTime `start`: the
** datapoints visible at now with start <= Timestamp < now (a visible one is
** always older than now), for every metric the policy reads whose fetch did
** not fail; the others are empty. */
static void cw_fetch(sim_state *s, int64_t start, pol_obs *obs) {
    for (int m = 0; m < POL_NMETRICS; m++) {
        obs->m[m].pts = NULL;
        obs->m[m].n = 0;
    }
    for (unsigned bits = s->cw.reads; bits; bits &= bits - 1) {
        int m = __builtin_ctz(bits);
        sim_cwin *w = &s->cw.win[m];
        if (w->npend) win_absorb(w, s->now, obs->period);
        win_trim(w, start);
        if (obs->m[m].failed) continue;
        obs->m[m].pts = w->pts + w->head;
        obs->m[m].n = w->tail - w->head;
    }
}

/* A datapoint with Timestamp t: each metric's copy becomes visible after
** its own ingestion delay, or never. The draws are made for every metric
** whether it has a value or not, so the stream stays aligned. */
static inline int chance(sim_rng *r, double p) { return p > 0 && trc_rng_unit(r) < p; }

static void cw_publish(sim_state *s, int64_t t, int64_t closes,
                       const double v[POL_NMETRICS]) {
    sim_dp dp;
    dp.t = t;
    dp.missing = 0;
    if (s->cw.cw_plain) { /* a constant delay, nothing missing: no draw at all */
        /* Only the alarm reads the rows: without it, only what the policy
        ** reads goes anywhere. */
        unsigned keep = s->sc->alarm ? (1u << POL_NMETRICS) - 1 : s->cw.reads;
        for (unsigned bits = keep; bits; bits &= bits - 1) {
            int m = __builtin_ctz(bits);
            dp.v[m] = v[m];
            dp.visible[m] = closes + s->sc->cw_delay.min * (s->sc->cw_delay.p > 0);
            dp.missing |= (unsigned)(v[m] != v[m]) << m; /* NaN: none recorded */
        }
    } else {
        for (int m = 0; m < POL_NMETRICS; m++) {
            dp.v[m] = v[m];
            dp.visible[m] = closes + sim_rng_delay(&s->cw.rng_cw, &s->sc->cw_delay);
            if (chance(&s->cw.rng_cw, s->sc->cw_missing) || isnan(v[m]))
                dp.missing |= 1u << m;
        }
    }
    if (s->sc->alarm) ring_push(s, &dp); /* only the alarm looks back at rows */
    win_offer(s, &dp);
}

/* Closes the period ending at `now` (model mode). The next period's maxima
** start empty: the state settled at the end of this second is folded in
** then, so a change and its reversal within one second leave no trace. */
static void cw_close_period(sim_state *s) {
    cw_publish(s, s->now - 60, s->now, s->cw.pmax);
    memset(s->cw.pmax, 0, sizeof s->cw.pmax);
    s->cw.pmax_seen = 0; /* the next period's maxima must see the state */
}

/* The alarm: PendingCapacity > 0 for the newest alarm_periods visible
** datapoints. On the transition to ALARM, SNS invokes the controller. */
static int alarm_eval(sim_state *s) {
    int need = s->sc->alarm_periods, seen = 0, breaching = 0;
    for (size_t k = s->cw.ringn; k-- > 0 && seen < need;) {
        const sim_dp *dp = ring_at(s, k);
        if ((dp->missing >> POL_PENDING) & 1 || dp->visible[POL_PENDING] > s->now) continue;
        seen++;
        breaching += dp->v[POL_PENDING] > 0;
    }
    int state = s->cw.alarm_state;
    if (seen == need) state = breaching == need;
    if (state && !s->cw.alarm_state) {
        int64_t at = s->now + sim_rng_delay(&s->ctl.rng_ctl, &s->sc->sns_delay);
        if (at < s->sc->end && sim_queue_push(&s->q, at, EVC_CONTROLLER, EV_INVOKE, 1, 0))
            return sim_fail(s, "out of memory");
    }
    s->cw.alarm_state = state;
    return 0;
}

/* ---- the controller ----------------------------------------------------- */

/* The memo: a quiet minute's invocation gives the policy what it gave it
** a minute before, every time moved on by a minute, and a policy whose
** decision depends only on that (pol_shift_invariant) answers the same.
** An observation is steady when each metric's datapoints hold one value
** one Period apart and no event or failed launch is in it: then its key
** (sim_obs_key), relative to now, says all the policy sees, and a "none"
** decided on it stands for every later observation with the same key, a
** whole number of Periods on. A price, a launch, a datapoint missing or
** late, a failed fetch, the group's state: each changes the key (or makes
** the observation unsteady) and the policy is asked again. */
/* Metric m's part of the key, from the n datapoints at the window's start
** (what a fetch at now returns): 0 when they are not one value throughout. */
static int win_key(const sim_cwin *w, size_t n, int64_t now, sim_obs_key *k, int m) {
    k->n[m] = n;
    k->rel0[m] = 0;
    k->vbits[m] = 0;
    if (!n) return 1;
    const pol_point *first = &w->pts[w->head];
    if (w->run_t > first->t) return 0;
    k->rel0[m] = first->t - now;
    k->vbits[m] = bits_of(first->v);
    return 1;
}

static int obs_key(const sim_state *s, const pol_obs *obs, sim_obs_key *k) {
    k->failed = 0; /* no fetch fails unless the scenario says one may */
    if (s->sc->cw_fetch_failure > 0)
        for (int m = 0; m < POL_NMETRICS; m++)
            k->failed |= (unsigned)(obs->m[m].failed != 0) << m;
    /* The metrics not read are empty (cw_fetch). */
    for (unsigned bits = s->cw.reads; bits; bits &= bits - 1) {
        int m = __builtin_ctz(bits); /* a fetch's series is its window's start */
        if (!win_key(&s->cw.win[m], obs->m[m].n, obs->now, k, m)) return 0;
    }
    for (int e = 0; e < POL_NEVENTS; e++)
        if (obs->events.n[e]) return 0;
    if (obs->launch_failures.n) return 0;
    k->asg = obs->asg;
    if (!obs->asg.known) k->asg = (pol_asg){0, 0, 0, 0, 0};
    k->ev_known = obs->events.known;
    k->lf_known = obs->launch_failures.known;
    return 1;
}

/* Two keys of one run (the same metrics read) are the same. */
static int key_same(const sim_state *s, const sim_obs_key *a, const sim_obs_key *b) {
    for (unsigned bits = s->cw.reads; bits; bits &= bits - 1) {
        int m = __builtin_ctz(bits);
        if (a->n[m] != b->n[m] || a->rel0[m] != b->rel0[m] || a->vbits[m] != b->vbits[m])
            return 0;
    }
    return a->failed == b->failed && a->asg.known == b->asg.known &&
           a->asg.desired == b->asg.desired && a->asg.min_size == b->asg.min_size &&
           a->asg.max_size == b->asg.max_size && a->asg.in_service == b->asg.in_service &&
           a->ev_known == b->ev_known && a->lf_known == b->lf_known;
}

/* No failed spot launch is in view, nor can one come without an event
** (sim_sasg_failures: no span kept, the group not stuck). */
static int no_failed_launches(const sim_state *s) {
    return !s->sasg.fail_on || (!s->sasg.nspans && s->sasg.stuck_since < 0);
}

/* The memo entry for an observation at the second `phase` of the Period. */
static int memo_slot(int64_t phase) { return (int)(phase & (SIM_MEMO_WAYS - 1)); }

/* Notes that entry i answered, or was learnt at, the invocation now. */
static void memo_note(sim_state *s, int i) {
    s->ctl.memo_at = s->now;
    s->ctl.memo_last = i;
}

/* Entry i's decision, answering the invocation now. */
static const pol_decision *memo_use(sim_state *s, int i) {
    memo_note(s, i);
    s->res->memo_invocations++;
    return &s->ctl.memo[i].d;
}

/* The memo's answer without building the observation: the windows
** absorbed and trimmed as cw_fetch() would, then compared with the key
** obs_key() would make, part by part, for a run where no fetch or describe
** can fail. Returns the entry that stands for this invocation, or -1. */
static int memo_again(sim_state *s, int64_t phase) {
    int i = memo_slot(phase);
    const struct sim_memo *e = &s->ctl.memo[i];
    const sim_obs_key *k = &e->key;
    int64_t period = cw_period(s);
    if (!e->valid || e->phase != phase || s->evb.n || !no_failed_launches(s)) return -1;
    if (k->asg.desired != s->asg.od_desired || k->asg.in_service != s->asg.od_in_service)
        return -1;
    int64_t start = pol_window_start(s->now, s->cw.lookback, period);
    sim_obs_key now_k;
    for (unsigned bits = s->cw.reads; bits; bits &= bits - 1) {
        int m = __builtin_ctz(bits);
        sim_cwin *w = &s->cw.win[m];
        if (w->npend) win_absorb(w, s->now, period);
        win_trim(w, start);
        if (!win_key(w, w->tail - w->head, s->now, &now_k, m) || now_k.n[m] != k->n[m] ||
            now_k.rel0[m] != k->rel0[m] || now_k.vbits[m] != k->vbits[m])
            return -1;
    }
    return i;
}

/* The policy's decision at now, or the memo's when it stands for it. */
static int decide(sim_state *s, const int fetch_failed[POL_NMETRICS], int describe_failed,
                  pol_decision *d) {
    int64_t period = cw_period(s);
    /* 1-minute data: a division by a constant, every minute. */
    int64_t phase = period == 60 ? s->now % 60 : s->now % period;
    if (phase < 0) phase += period;
    int i;
    if (s->ctl.memo_fast && (i = memo_again(s, phase)) >= 0) {
        *d = *memo_use(s, i); /* what the policy would answer again */
        return 0;
    }
    /* The fetch CloudWatch answers for StartTime = now - lookback. */
    pol_obs obs;
    obs.now = s->now;
    obs.period = period;
    obs.asg.known = 0;
    /* Reasons of "none" decisions cost a formatted string per minute; ask
    ** for them only when the sink keeps them. */
    obs.quiet_none = !(s->sink && s->sink->want_none);
    obs.quiet_all = !(s->sink && s->sink->decision); /* nobody keeps reasons */
    int64_t start = pol_window_start(s->now, s->cw.lookback, obs.period);
    for (int m = 0; m < POL_NMETRICS; m++) obs.m[m].failed = fetch_failed[m];
    /* Only what the policy reads is fetched: the others stay empty. */
    cw_fetch(s, start, &obs);
    if (sim_evb_observe(s, s->cw.lookback, &obs.events)) return -1;
    if (sim_sasg_failures(s, s->cw.lookback, &obs.launch_failures)) return -1;
    if (!describe_failed) {
        obs.asg.known = 1;
        obs.asg.desired = s->asg.od_desired;
        obs.asg.min_size = s->sc->asg_min;
        obs.asg.max_size = s->sc->asg_max;
        obs.asg.in_service = s->asg.od_in_service;
    }

    sim_obs_key key;
    int steady = s->ctl.memo_on && obs_key(s, &obs, &key);
    struct sim_memo *e = NULL;
    if (steady) {
        i = memo_slot(phase);
        e = &s->ctl.memo[i];
        if (e->valid && e->phase == phase && key_same(s, &key, &e->key)) {
            *d = *memo_use(s, i); /* what the policy would answer again */
            return 0;
        }
    }
    if (s->sink && s->sink->lazy_reasons) pol_decide_lazy(s->pol, &obs, s->params, d);
    else pol_decide(s->pol, &obs, s->params, d);
    /* An entry stands for as long as the run lasts (the policy's answer
    ** depends on the shifted observation alone): only a newer decision at
    ** its place replaces it. A "set" too: what the group does with it is
    ** the run's, not the policy's (a retry while a scaling activity runs
    ** is rejected, the same call later accepted). */
    if (e) {
        e->valid = 1;
        e->phase = phase;
        e->key = key;
        e->d = *d;
        memo_note(s, i);
    }
    return 0;
}

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
    int failed = 0, fetch_failed[POL_NMETRICS] = {0}, describe_failed = 0;
    if (s->ctl.may_fail) {
        failed = chance(&s->ctl.rng_ctl, s->sc->invoke_failure);
        for (int m = 0; m < POL_NMETRICS; m++)
            fetch_failed[m] = chance(&s->ctl.rng_ctl, s->sc->cw_fetch_failure);
        describe_failed = chance(&s->ctl.rng_ctl, s->sc->describe_failure);
    }

    if (failed) {
        s->res->invocation_failures++;
        rec.failed = 1;
        rec.d.action = POL_ACT_NONE;
        snprintf(rec.d.reason, sizeof rec.d.reason, "invocation failed");
        return s->sink && s->sink->decision && s->sink->decision(s->sink->ctx, &rec)
                   ? sim_fail(s, "storing a decision failed")
                   : 0;
    }
    if (decide(s, fetch_failed, describe_failed, &rec.d)) return -1;
    s->evb.last_invocation = s->now; /* what it was given is no longer new */
    if (rec.d.action == POL_ACT_NONE && rec.d.held) s->res->holds++;
    if (rec.d.action == POL_ACT_SET) {
        s->ctl.acted = 1;
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
    /* An Auto Scaling group's desired capacity is the whole group's; ECS
    ** managed scaling waits for a launch's instanceWarmupPeriod. */
    double cur = s->sasg.asg ? s->sasg.desired : s->fleet.target;
    int64_t out_cd = s->sasg.providers ? s->sasg.warmup : sc->tt_scale_out_cooldown;
    if (want > cur && s->now - s->fleet.tt_last_out >= out_cd) {
        s->fleet.tt_last_out = s->now;
        changed = 1;
    } else if (want < cur && s->now - s->fleet.tt_last_in >= sc->tt_scale_in_cooldown &&
               s->now - s->fleet.tt_last_out >= sc->tt_scale_in_cooldown) {
        s->fleet.tt_last_in = s->now;
        changed = 1;
    }
    if (!changed) return 0;
    if (s->sasg.asg) {
        if (sim_sasg_resize(s, want)) return -1;
    } else {
        s->fleet.target = want;
    }
    return sim_fleet_fill(s);
}

/* ---- events ------------------------------------------------------------- */

/* The minute's sample, to the sink that keeps them. */
static int sample(sim_state *s) {
    if (!s->sink || !s->sink->minute) return 0;
    const sim_scenario *sc = s->sc;
    double v[POL_NMETRICS];
    metrics_now(s, v);
    sim_minute_rec r = {s->now, s->required, v[POL_TARGET], v[POL_FULFILLED],
                        v[POL_PENDING], v[POL_TERMINATING], sim_group_units(s),
                        s->asg.od_units, s->asg.od_desired, s->asg.od_in_service,
                        s->market.price, sc->mode == SIM_MODEL ? sc->npools : 0};
    return s->sink->minute(s->sink->ctx, &r) ? sim_fail(s, "storing a sample failed") : 0;
}

static int minute(sim_state *s) {
    const sim_scenario *sc = s->sc;
    if (sc->mode == SIM_MODEL) {
        cw_close_period(s);
        if (sc->demand.n && target_tracking(s)) return -1;
    }
    if (sc->alarm && alarm_eval(s)) return -1;
    if (s->sink && s->sink->minute && sample(s)) return -1;
    if (s->now + 60 < sc->end)
        sim_queue_push_slot(&s->q, SIM_SLOT_MINUTE, s->now + 60, EVC_PERIOD, EV_MINUTE, 0, 0);
    return 0;
}

static void direct_apply(sim_state *s, const double v[POL_NMETRICS]) {
    if (!isnan(v[POL_TARGET])) s->fleet.target = s->required = v[POL_TARGET];
    if (!isnan(v[POL_FULFILLED])) s->fleet.fulfilled = s->fleet.spot_units = v[POL_FULFILLED];
    if (!isnan(v[POL_TERMINATING])) s->fleet.terminating = v[POL_TERMINATING];
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
    /* A trace's steps are read in order but minutes of other work apart:
    ** by then they have left the cache, and the hardware's prefetcher does
    ** not see a stream. Ask for the ones a few steps on now. */
    if (i + TRACE_AHEAD < st->n) __builtin_prefetch(&st->pts[i + TRACE_AHEAD]);
    if (i + 1 < st->n && schedule_trace(s, id, st->pts[i + 1].t)) return -1;
    if (id == trace_id_demand(s)) {
        s->required = v;
        return 0;
    }
    int pool = id / 2;
    if (id % 2) {
        s->market.avail[pool] = v;
    } else {
        sim_psum_step(s, pool); /* the old price's share, up to now */
        s->market.price[pool] = v;
    }
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
        if (trace_start(s, (int)(2 * p), &s->market.price[p])) return -1;
        s->market.avail[p] = INFINITY;
        if (sc->pools[p].avail.n && trace_start(s, (int)(2 * p + 1), &s->market.avail[p]))
            return -1;
    }
    s->fleet.target = sc->target_capacity;
    s->required = s->fleet.target;
    if (sc->demand.n) {
        if (trace_start(s, trace_id_demand(s), &s->required)) return -1;
        s->fleet.target = ceil(s->required * 100 / sc->tt_target_value - 1e-9);
        if (s->fleet.target < sc->tt_min) s->fleet.target = sc->tt_min;
        if (s->fleet.target > sc->tt_max) s->fleet.target = sc->tt_max;
    }
    if (sim_sasg_setup(s)) return -1;
    if (sim_fleet_fill(s)) return -1;
    /* The initial fleet is already running and registered. */
    /* A slot the fill released (it went above target and trimmed a launch,
    ** as weights of 4 and 8 units may) stays free. */
    for (size_t i = 0; i < s->ninst; i++)
        if (s->inst[i].state != INST_GONE) sim_spot_started(s, (int64_t)i);
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

/* Schedules the cron invocation of s->ctl.cron_base, after its jitter. */
static int schedule_cron(sim_state *s) {
    int64_t at = s->ctl.cron_base + sim_rng_delay(&s->ctl.rng_sched, &s->sc->cron_jitter);
    if (at < s->sc->end)
        sim_queue_push_slot(&s->q, SIM_SLOT_CRON, at, EVC_CONTROLLER, EV_INVOKE, 0, 0);
    return 0;
}

static int setup(sim_state *s, direct_rows *rows) {
    const sim_scenario *sc = s->sc;
    size_t np = sc->npools, ntraces = 2 * np + 2;
    s->now = sc->start;
    if (s->pol->native && sc->mode != SIM_MODEL)
        return sim_fail(s, "%s: a native strategy runs in model mode only", s->pol->name);
    sim_rng_seed(&s->fleet.rng_fleet, sc->seed, 1);
    sim_rng_seed(&s->cw.rng_cw, sc->seed, 2);
    sim_rng_seed(&s->ctl.rng_ctl, sc->seed, 3);
    sim_rng_seed(&s->asg.rng_asg, sc->seed, 4);
    sim_rng_seed(&s->fleet.rng_reg, sc->seed, 5);
    sim_rng_seed(&s->market.rng_market, sc->seed, 6);
    sim_rng_seed(&s->ctl.rng_sched, sc->seed, 7);
    sim_rng_seed(&s->fleet.rng_shutdown, sc->seed, 8);
    sim_rng_seed(&s->evb.rng, sc->seed, 9);
    s->evb.last_invocation = sc->start - sc->cron_interval;
    s->fleet.tt_last_out = s->fleet.tt_last_in = INT64_MIN / 2;

    /* The ring holds what the policy can look back at, plus what is still
    ** in flight through CloudWatch's ingestion delay. */
    int64_t period = cw_period(s);
    int64_t span = pol_lookback(s->pol, s->params, period) + sc->cw_delay.max + 2 * period;
    /* A power of two, so ring positions wrap with a mask, not a division:
    ** the controller looks rows up by minute every minute of the run. */
    s->cw.ringcap = 8;
    while (s->cw.ringcap < (size_t)(span / period) + 4) s->cw.ringcap *= 2;
    s->cw.ring = calloc(s->cw.ringcap, sizeof *s->cw.ring);
    /* A window holds at most a ring's worth: twice that leaves room to
    ** slide. Datapoints waiting to be visible are fewer than a ring. */
    s->cw.lookback = pol_lookback(s->pol, s->params, period);
    const sim_dist *cwd = &sc->cw_delay;
    s->cw.cw_plain =
        sim_dist_fixed(cwd) && !(sc->cw_missing > 0);
    s->cw.reads = (s->pol->reads ? s->pol->reads : ~0u) & ((1u << POL_NMETRICS) - 1);
    /* A jittered schedule moves now within its minute from one invocation
    ** to the next: an observation is another's shifted by whole Periods
    ** only at the same second of the Period, which keeps its own entry. */
    s->ctl.memo_on = pol_shift_invariant(s->pol) && !(s->sink && s->sink->no_memo);
    s->ctl.may_fail = sc->invoke_failure > 0 || sc->cw_fetch_failure > 0 ||
                      sc->describe_failure > 0;
    s->ctl.memo_at = INT64_MIN;
    /* No fetch or describe can fail: an invocation's key is the windows',
    ** the events' and the group's, checked in place (memo_again). */
    s->ctl.memo_fast = s->ctl.memo_on && !(sc->cw_fetch_failure > 0) &&
                       !(sc->describe_failure > 0);
    /* Quiet stretches: a minute and an invocation a round, nothing drawn. */
    s->ctl.quiet_on = s->ctl.memo_fast && sim_dist_fixed(&sc->cron_jitter) &&
                      sc->mode == SIM_MODEL && sc->cron &&
                      sc->cron_interval == 60 && !sc->alarm && !sc->demand.n &&
                      s->cw.cw_plain && !(sc->invoke_failure > 0);
    int win_oom = 0;
    for (int m = 0; m < POL_NMETRICS; m++) {
        if (!((s->cw.reads >> m) & 1)) continue;
        sim_cwin *w = &s->cw.win[m];
        w->track = s->ctl.memo_on;
        w->cap = 2 * s->cw.ringcap;
        w->pts = malloc(w->cap * sizeof *w->pts);
        w->pend = malloc(s->cw.ringcap * sizeof *w->pend);
        w->pend_vis = malloc(s->cw.ringcap * sizeof *w->pend_vis);
        win_oom |= !w->pts || !w->pend || !w->pend_vis;
    }
    s->cursor = calloc(ntraces, sizeof *s->cursor);
    if (!s->cw.ring || win_oom || !s->cursor) return sim_fail(s, "out of memory");
    if (sim_fleet_init(s) || sim_asg_init(s) || sim_account_init(s)) return -1;

    if (sim_market_plan(s)) return -1;
    if (sc->mode == SIM_MODEL) {
        if (start_model(s)) return -1;
    } else {
        if (direct_rows_build(sc, rows)) return sim_fail(s, "out of memory");
        if (start_direct(s, rows) || sim_evb_recorded(s)) return -1;
    }
    if (sim_asg_start(s)) return -1;

    if (sc->mode == SIM_MODEL) {
        /* Steady history: the state at the start, as far back as the ring
        ** reaches, all of it visible. */
        double v[POL_NMETRICS];
        metrics_now(s, v);
        int64_t first = floor60(sc->start) - (int64_t)(s->cw.ringcap - 1) * 60;
        for (int64_t t = first; t < floor60(sc->start); t += 60) {
            sim_dp dp = {t, {INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN}, {0}, 0};
            memcpy(dp.v, v, sizeof v);
            ring_push(s, &dp);
            win_offer(s, &dp);
        }
        memcpy(s->cw.pmax, v, sizeof v);
    }

    int64_t m0 = floor60(sc->start) + 60;
    if (m0 < sc->end) sim_queue_push_slot(&s->q, SIM_SLOT_MINUTE, m0, EVC_PERIOD, EV_MINUTE, 0, 0);
    if (sc->cron) {
        /* The schedule's second, drawn once: the first time at or after the
        ** start that is that second past a multiple of Interval. */
        int64_t off = sim_rng_delay(&s->ctl.rng_sched, &sc->cron_offset);
        int64_t t = sc->start -
                    ((sc->start - off) % sc->cron_interval + sc->cron_interval) %
                        sc->cron_interval;
        if (t < sc->start) t += sc->cron_interval;
        s->ctl.cron_base = t;
        if (schedule_cron(s)) return -1;
    }
    if (sim_queue_push(&s->q, sc->end, EVC_CONTROLLER, EV_END, 0, 0))
        return sim_fail(s, "out of memory");
    sim_account_episodes(s);
    return sim_bound_log(s);
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
    case EV_SHUTDOWN_END:
        sim_fleet_shutdown_end(s, e->a);
        return 0;
    case EV_INVOKE:
        if (e->a == 0) {
            s->ctl.cron_base += s->sc->cron_interval;
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
    free(s->cursor);
    free(s->cw.ring);
    for (int m = 0; m < POL_NMETRICS; m++) {
        free(s->cw.win[m].pts);
        free(s->cw.win[m].pend);
        free(s->cw.win[m].pend_vis);
    }
    sim_market_free(s);
    sim_evb_free(s);
    sim_fleet_free(s);
    sim_sasg_free(s);
    sim_asg_free(s);
    sim_account_free(s);
    sim_bound_free(s);
    free(rows->t);
    free(rows->v);
}

/* Whether the settled state is what its observers saw last; notes it
** otherwise. (CloudWatch's open period also looks after a period closed.)
** Each observer is a function of that
** state that leaves itself unchanged when called twice on it (maxima,
** transitions, a log of changes), so skipping it then changes nothing;
** most events (a minute, an invocation that does nothing) change none of
** it. Compared as bits (same_bits): a -0 for a 0 just calls them. */

static int seen_same(sim_state *s) {
    struct sim_seen *w = &s->seen;
    if (s->seen_valid && same_bits(w->required, s->required) &&
        same_bits(w->spot_units, s->fleet.spot_units) && same_bits(w->od_units, s->asg.od_units) &&
        same_bits(w->terminating, s->fleet.terminating) && same_bits(w->target, s->fleet.target) &&
        same_bits(w->fulfilled, s->fleet.fulfilled) &&
        same_bits(w->notice_units, s->fleet.notice_units) && w->od_live == s->asg.od_live &&
        w->noticed == s->fleet.noticed && same_bits(w->group_od, s->sasg.od_units))
        return 1;
    *w = (struct sim_seen){s->required,           s->fleet.spot_units, s->asg.od_units,
                           s->fleet.terminating,  s->fleet.target,     s->fleet.fulfilled,
                           s->fleet.notice_units, s->asg.od_live,      s->fleet.noticed,
                           s->sasg.od_units};
    s->seen_valid = 1;
    return 0;
}

/* ---- quiet stretches ---------------------------------------------------- */

/* After an invocation that decided "none" on a steady observation, with
** nothing in the heap for a while, each minute repeats the one before,
** moved on by a minute: the period closes on the same datapoint, each
** window slides by one, and the policy (shift-invariant) answers the same.
** quiet_skip() does those minutes' own work (the accounting between
** events, the counters, the sink's records) without their events, then
** moves the windows, the memo and the schedule on as the events would have
** left them. It runs only where that holds exactly: quiet_on (set up), and
** the checks below at the invocation it starts from. tests/unit/test_quiet.c
** compares runs with it and without. */

/* Whether metric m's datapoints, from the window's start at now to the
** newest published (visible or not), are one Period apart with one value
** and none missing, the newest followed by the one the minute at next_t
** closes, of that value too: the open period's maxima, and those of each
** period to come (the state now, as a closed period's maxima start at 0). */
static int quiet_metric(const sim_state *s, int m, int64_t start, int64_t next_t,
                        const double v[POL_NMETRICS]) {
    const sim_cwin *w = &s->cw.win[m];
    if (w->tail == w->head) return 0;
    const pol_point *first = &w->pts[w->head], *newest = &w->pts[w->tail - 1];
    if (first->t != start || w->run_t > first->t) return 0;
    uint64_t b = bits_of(newest->v);
    int64_t last = newest->t;
    for (size_t i = 0; i < w->npend; i++) {
        if (w->pend[i].t != last + 60 || bits_of(w->pend[i].v) != b) return 0;
        last = w->pend[i].t;
    }
    return last + 60 == next_t - 60 && bits_of(s->cw.pmax[m]) == b &&
           bits_of(v[m] > 0 ? v[m] : 0) == b;
}

/* Moves metric m's datapoints dt seconds on (visible as much later). The
** run of one value they end goes on from where it began: run_t stays. */
static void win_shift(sim_cwin *w, int64_t dt) {
    for (size_t i = w->head; i < w->tail; i++) w->pts[i].t += dt;
    for (size_t i = 0; i < w->npend; i++) {
        w->pend[i].t += dt;
        w->pend_vis[i] += dt;
    }
}

/* Called once the cron invocation at now has settled (nothing changed). */
static int quiet_skip(sim_state *s) {
    sim_queue *q = &s->q;
    const sim_ctl_state *c = &s->ctl;
    const struct sim_memo *me = &c->memo[c->memo_last];
    if (q->slots != 3 || c->memo_at != s->now || me->d.action != POL_ACT_NONE || s->evb.n ||
        !s->cw.pmax_seen || !no_failed_launches(s))
        return 0;
    int64_t tm = q->slot[SIM_SLOT_MINUTE].t, t0 = s->now;
    if (q->slot[SIM_SLOT_CRON].t != t0 + 60 || tm <= t0 || tm > t0 + 60) return 0;
    /* Round j (from 1) is the minute at tm + 60 (j - 1), then the
    ** invocation at t0 + 60 j, each scheduling its next before the heap's
    ** first event. */
    int64_t h = sim_queue_heap_t(q);
    if (h - t0 < 121) return 0;
    int64_t k = (h - t0 - 61) / 60;
    double v[POL_NMETRICS];
    metrics_now(s, v);
    int64_t start = pol_window_start(t0, s->cw.lookback, 60);
    for (unsigned bits = s->cw.reads; bits; bits &= bits - 1)
        if (!quiet_metric(s, __builtin_ctz(bits), start, tm, v)) return 0;

    sim_decision_rec rec = {0};
    rec.d = me->d;
    for (int64_t j = 0; j < k; j++) {
        sim_account(s, tm + 60 * j);
        s->now = tm + 60 * j;
        if (sample(s)) return -1;
        sim_account(s, t0 + 60 * (j + 1));
        s->now = rec.t = t0 + 60 * (j + 1);
        if (s->sink && s->sink->decision && s->sink->decision(s->sink->ctx, &rec))
            return sim_fail(s, "storing a decision failed");
    }
    s->res->events += 2 * k;
    s->res->invocations += (int)k;
    s->res->quiet_invocations += k;
    s->res->memo_invocations += k;
    if (rec.d.held) s->res->holds += (int)k;
    int64_t dt = 60 * k;
    for (unsigned bits = s->cw.reads; bits; bits &= bits - 1)
        win_shift(&s->cw.win[__builtin_ctz(bits)], dt);
    for (int m = 0; m < POL_NMETRICS; m++) s->cw.pmax[m] = v[m] > 0 ? v[m] : 0;
    s->ctl.memo_at = s->now;
    s->evb.last_invocation = s->now;
    s->ctl.cron_base += dt;
    sim_queue_slots_advance(q, dt, (uint64_t)k);
    return 0;
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

    /* A policy made at run time is told the run's seed and parameters;
    ** it fails the run when any decision could not be made (a child that
    ** crashed, hung or wrote garbage): no partial run counts as whole. */
    if (pol_begin(pol, sc->seed, params, err, errlen)) return -1;
    int rc = setup(&s, &rows);
    sim_event e;
    /* An event of this second may have changed what the observers look
    ** at: not a minute (without a demand trace, which moves the target),
    ** nor an invocation that set nothing. */
    int touched = 1;
    while (rc == 0 && sim_queue_pop(&s.q, &e)) {
        sim_account(&s, e.t);
        s.now = e.t;
        res->events++;
        if (e.type == EV_END) break;
        s.ctl.acted = 0;
        rc = handle(&s, &e, &rows);
        touched |= e.type == EV_MINUTE ? sc->demand.n != 0 : e.type != EV_INVOKE || s.ctl.acted;
        /* The next event's instance, fetched while this one settles: a
        ** large fleet's instances are visited at random. */
        const sim_qnode *nx = sim_queue_peek_heap(&s.q);
        if (nx && nx->type >= EV_RUNNING && nx->type <= EV_TERMINATE && (size_t)nx->a < s.ninst)
            __builtin_prefetch(&s.inst[nx->a]);
        /* Once every event of this second is done, the state has settled:
        ** only then do CloudWatch and the episode tracker look at it. */
        int64_t next;
        if (!sim_queue_next_t(&s.q, &next) || next != s.now) {
            int changed = touched && !seen_same(&s);
            touched = 0;
            if (changed || !s.cw.pmax_seen) cw_touch(&s);
            if (changed) {
                sim_account_episodes(&s);
                if (rc == 0) rc = sim_bound_log(&s);
            } else if (rc == 0 && s.ctl.quiet_on && e.type == EV_INVOKE && e.a == 0) {
                rc = quiet_skip(&s);
            }
        }
    }
    if (rc == 0) rc = bill_remaining(&s);
    if (rc == 0) sim_sasg_finish(&s);
    if (rc == 0) rc = sim_account_finish(&s);
    if (rc == 0) rc = sim_bound_finish(&s);
    if (rc == 0) rc = pol_status(pol, err, errlen);
    state_free(&s, &rows);
    return rc;
}
