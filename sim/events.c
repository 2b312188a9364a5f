/*
** events.c: EventBridge in the model: the interruption warnings and
** rebalance recommendations EC2 emits, on their way to the controller.
**
** AWS emits an "EC2 Spot Instance Interruption Warning" two minutes before
** it interrupts a Spot Instance, and an "EC2 Instance Rebalance
** Recommendation" when one is at elevated risk, each naming one instance,
** "on a best effort basis". The controller receives them through a rule
** and a queue. The model: each event is received `eventbridge.DeliveryDelay`
** after it is emitted, or, with probability `eventbridge.LossProbability`,
** never (docs/scenario.md). What an invocation is given is every event
** received within the policy's look-back, sorted by the second it was
** received (emission order on a tie), and the time of the last invocation
** that worked: a failed invocation consumes nothing, as a queue's message
** survives a tick that failed.
**
** The draws are on the events' own stream, so a policy that reads no events
** (none is kept for it) and a scenario without them see the rest of the run
** unchanged.
*/
#include "sim_int.h"

#include <stdlib.h>

int sim_evb_emit(sim_state *s, int kind, double units) {
    const sim_scenario *sc = s->sc;
    sim_evb_state *e = &s->evb;
    /* A policy that reads no event is given none: nothing to keep. */
    if (sc->mode != SIM_MODEL || !sc->ev_on || !s->pol->reads_events) return 0;
    int lost = sc->ev_loss >= 1 || (sc->ev_loss > 0 && trc_rng_unit(&e->rng) < sc->ev_loss);
    int64_t at = s->now + sim_rng_delay(&e->rng, &sc->ev_delay);
    if (lost || at >= sc->end) return 0;
    if (e->n == e->cap) {
        size_t c = e->cap ? 2 * e->cap : 64;
        sim_evmsg *m = realloc(e->msg, c * sizeof *m);
        if (!m) return sim_fail(s, "out of memory");
        e->msg = m;
        e->cap = c;
    }
    e->msg[e->n++] = (sim_evmsg){at, kind, units};
    return 0;
}

/* A received event with its place in emission order, to sort stably. */
typedef struct {
    int64_t t;
    size_t seq;
} evkey;

static int cmp_key(const void *a, const void *b) {
    const evkey *x = a, *y = b;
    if (x->t != y->t) return (x->t > y->t) - (x->t < y->t);
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static void sort_keys(evkey *key, size_t n) {
    size_t moves = 0;
    for (size_t i = 1; i < n; i++) {
        evkey k = key[i];
        size_t j = i;
        while (j > 0 && cmp_key(&key[j - 1], &k) > 0) {
            key[j] = key[j - 1];
            j--;
        }
        key[j] = k;
        if ((moves += i - j) > 32 * n) {
            qsort(key, n, sizeof *key, cmp_key);
            return;
        }
    }
}

int sim_evb_recorded(sim_state *s) {
    const sim_scenario *sc = s->sc;
    sim_evb_state *e = &s->evb;
    if (sc->mode != SIM_DIRECT || !sc->d_nevents || !s->pol->reads_events) return 0;
    /* A replay's events were received when the file says: no delay, no
    ** loss drawn again (a lost one is simply not in the file). */
    if (!(e->msg = malloc(sc->d_nevents * sizeof *e->msg))) return sim_fail(s, "out of memory");
    e->cap = sc->d_nevents;
    for (size_t i = 0; i < sc->d_nevents; i++)
        if (sc->d_events[i].t < sc->end)
            e->msg[e->n++] = (sim_evmsg){sc->d_events[i].t, sc->d_events[i].kind,
                                         sc->d_events[i].units};
    return 0;
}

int sim_evb_observe(sim_state *s, int64_t lookback, pol_events *out) {
    sim_evb_state *e = &s->evb;
    const sim_scenario *sc = s->sc;
    out->known = (sc->mode == SIM_MODEL && sc->ev_on) ||
                 (sc->mode == SIM_DIRECT && sc->d_events_on);
    out->since = e->last_invocation;
    for (int k = 0; k < POL_NEVENTS; k++) {
        out->ev[k] = NULL;
        out->n[k] = 0;
        e->nout[k] = 0;
    }
    if (!e->n) return 0;
    /* Forget what no look-back reaches any more (look-backs only move
    ** forward); keep what is not received yet. */
    int64_t oldest = s->now - lookback;
    size_t keep = 0, got = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (e->msg[i].t < oldest) continue;
        e->msg[keep++] = e->msg[i];
        got += e->msg[i].t <= s->now;
    }
    e->n = keep;
    if (!got) return 0;
    evkey *key = malloc(got * sizeof *key);
    if (!key) return sim_fail(s, "out of memory");
    size_t nk = 0, sorted = 1;
    for (size_t i = 0; i < e->n; i++)
        if (e->msg[i].t <= s->now) {
            /* seq grows: in order unless an earlier message arrives later */
            if (nk && key[nk - 1].t > e->msg[i].t) sorted = 0;
            key[nk++] = (evkey){e->msg[i].t, i};
        }
    /* Usually in order, or nearly (a delay reorders a message only among
    ** its neighbours): an insertion sort, handing over to qsort when the
    ** moves grow beyond a few per key. The order is total (seq is unique),
    ** so either gives the same result. */
    if (!sorted) sort_keys(key, nk);
    for (size_t j = 0; j < nk; j++) {
        const sim_evmsg *m = &e->msg[key[j].seq];
        int k = m->kind;
        if (e->nout[k] == e->capout[k]) {
            size_t c = e->capout[k] ? 2 * e->capout[k] : 64;
            pol_point *p = realloc(e->out[k], c * sizeof *p);
            if (!p) {
                free(key);
                return sim_fail(s, "out of memory");
            }
            e->out[k] = p;
            e->capout[k] = c;
        }
        e->out[k][e->nout[k]++] = (pol_point){m->t, m->units};
    }
    free(key);
    for (int k = 0; k < POL_NEVENTS; k++) {
        out->ev[k] = e->out[k];
        out->n[k] = e->nout[k];
    }
    return 0;
}

void sim_evb_free(sim_state *s) {
    free(s->evb.msg);
    for (int k = 0; k < POL_NEVENTS; k++) free(s->evb.out[k]);
}
