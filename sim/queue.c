/*
** queue.c: the simulator's event queue and random number streams.
**
** The queue is a binary min-heap keyed on (time, sequence), beside a slot
** for each periodic kind of event (sim_int.h). The sequence
** carries the event's class in its top bits and the order of scheduling in
** the rest, so ties at one second resolve the same way on every run: that
** is what makes a run bit-identical for the same scenario and seed.
*/
#include "sim_int.h"

#include <stdlib.h>

static inline int before(const sim_event *a, const sim_event *b) {
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

/* Notes where the earliest event waits: the heap's top (-1), a slot (k),
** or nowhere (-2). */
static inline void find_next(sim_queue *q) {
    int best = q->n ? -1 : -2;
    const sim_event *e = q->n ? &q->ev[0] : NULL;
    for (int k = 0; k < SIM_NSLOTS; k++)
        if ((q->slots >> k) & 1 && (!e || before(&q->slot[k], e))) {
            best = k;
            e = &q->slot[k];
        }
    q->next = best;
}

int sim_queue_push(sim_queue *q, int64_t t, int cls, int type, int32_t a,
                   uint32_t b) {
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        sim_event *ev = realloc(q->ev, cap * sizeof *ev);
        if (!ev) return -1;
        q->ev = ev;
        q->cap = cap;
    }
    sim_event e = {t, ((uint64_t)cls << 62) | q->next_seq++, type, a, b};
    /* Sift up: move parents down until e's place is found. */
    size_t i = q->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&e, &q->ev[p])) break;
        q->ev[i] = q->ev[p];
        i = p;
    }
    q->ev[i] = e;
    if (i == 0) find_next(q);
    return 0;
}

void sim_queue_push_slot(sim_queue *q, int k, int64_t t, int cls, int type, int32_t a,
                         uint32_t b) {
    q->slot[k] = (sim_event){t, ((uint64_t)cls << 62) | q->next_seq++, type, a, b};
    q->slots |= 1u << k;
    find_next(q);
}

int sim_queue_next_t(const sim_queue *q, int64_t *t) {
    if (q->next >= 0 && !((q->slots >> q->next) & 1)) return 0; /* zeroed, unused */
    if (q->next == -2 || (q->next == -1 && q->n == 0)) return 0;
    *t = q->next >= 0 ? q->slot[q->next].t : q->ev[0].t;
    return 1;
}

int sim_queue_pop(sim_queue *q, sim_event *out) {
    if (q->next >= 0 && (q->slots >> q->next) & 1) {
        *out = q->slot[q->next];
        q->slots &= ~(1u << q->next);
        find_next(q);
        return 1;
    }
    if (q->n == 0) return 0;
    *out = q->ev[0];
    sim_event last = q->ev[--q->n];
    /* Sift down the last element from the root. */
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->n) break;
        if (c + 1 < q->n && before(&q->ev[c + 1], &q->ev[c])) c++;
        if (!before(&q->ev[c], &last)) break;
        q->ev[i] = q->ev[c];
        i = c;
    }
    if (q->n) q->ev[i] = last;
    find_next(q);
    return 1;
}

void sim_queue_free(sim_queue *q) {
    free(q->ev);
    q->ev = NULL;
    q->n = q->cap = 0;
    q->slots = 0;
    q->next = -2;
}

void sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t stream) {
    trc_rng_seed(r, seed ^ (stream * 0xd1342543de82ef95ULL));
}

int64_t sim_rng_draw(sim_rng *r, const sim_dist *d) {
    double u = trc_rng_unit(r);
    uint64_t x = trc_rng_next(r);
    if (u >= d->p) return 0;
    uint64_t span = (uint64_t)(d->max - d->min) + 1;
    return d->min + (int64_t)(x % span);
}
