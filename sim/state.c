/*
** state.c: what every model file of sim/ shares and none of them owns:
** the run's error message, and the instance slots with their lists.
**
** A spot instance (fleet.c) and an on-demand one (asg.c) live in the same
** array of slots; a slot freed by one is reused by the next launch of
** either. Each instance is on one list in launch order, which its owner
** names when it asks for a slot and takes it off before the slot is
** released. The files above (fleet.c, asg.c, account.c, market.c, bound.c,
** run.c) call down into this one; it calls only the queue (queue.c).
*/
#include "sim_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

_Static_assert(sizeof(sim_inst) == 64, "an instance is one cache line");

int sim_fail(sim_state *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, s->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

void sim_list_append(sim_inst *inst, sim_list *l, int32_t idx) {
    inst[idx].prev = l->tail;
    inst[idx].next = -1;
    if (l->tail >= 0) inst[l->tail].next = idx;
    else l->head = idx;
    l->tail = idx;
}

void sim_list_insert(sim_inst *inst, sim_list *l, int32_t idx) {
    int32_t after = l->tail;
    while (after >= 0 && inst[after].serial > inst[idx].serial) after = inst[after].prev;
    int32_t before = after >= 0 ? inst[after].next : l->head;
    inst[idx].prev = after;
    inst[idx].next = before;
    if (after >= 0) inst[after].next = idx;
    else l->head = idx;
    if (before >= 0) inst[before].prev = idx;
    else l->tail = idx;
}

void sim_list_remove(sim_inst *inst, sim_list *l, int32_t idx) {
    int32_t p = inst[idx].prev, n = inst[idx].next;
    if (p >= 0) inst[p].next = n;
    else l->head = n;
    if (n >= 0) inst[n].prev = p;
    else l->tail = p;
    inst[idx].prev = inst[idx].next = -1;
}

int sim_inst_new(sim_state *s, int pool, sim_list *list, int64_t *idx) {
    size_t i;
    if (s->nfree) {
        i = (size_t)s->free_slots[--s->nfree];
        /* Launches come in bursts: the next slot's line is fetched now. */
        if (s->nfree) __builtin_prefetch(&s->inst[s->free_slots[s->nfree - 1]], 1);
    } else {
        if (s->ninst == s->capinst) {
            size_t cap = s->capinst ? s->capinst * 2 : 64;
            sim_inst *p = realloc(s->inst, cap * sizeof *p);
            int *f = realloc(s->free_slots, cap * sizeof *f);
            if (p) s->inst = p;
            if (f) s->free_slots = f;
            if (!p || !f) return sim_fail(s, "out of memory");
            s->capinst = cap;
        }
        i = s->ninst++;
        s->inst[i].gen = 0;
    }
    sim_inst *in = &s->inst[i];
    uint32_t gen = in->gen + 1;
    *in = (sim_inst){0};
    in->pool = pool;
    in->state = INST_LAUNCHING;
    in->gen = gen;
    in->run_t = in->end_t = -1;
    in->serial = s->serial[pool < 0]++;
    /* The newest of its kind: the end of its list. */
    sim_list_append(s->inst, list, (int32_t)i);
    *idx = (int64_t)i;
    return 0;
}

void sim_inst_release(sim_state *s, int64_t idx) {
    s->inst[idx].state = INST_GONE;
    s->free_slots[s->nfree++] = (int)idx;
}

int sim_inst_event(sim_state *s, int64_t t, int type, int64_t idx) {
    if (sim_queue_push(&s->q, t, EVC_STATE, type, (int32_t)idx,
                       s->inst[idx].gen))
        return sim_fail(s, "out of memory");
    return 0;
}
