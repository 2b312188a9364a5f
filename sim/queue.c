/*
** queue.c: the simulator's event queue and random number streams.
**
** The queue orders events by (time, sequence): groups of one second and
** one class in a heap, and slots for the periodic events (sim_int.h). The
** sequence carries the event's class in its top bits and the order of
** scheduling in the rest, so ties at one second resolve the same way on
** every run: that is what makes a run bit-identical for the same scenario
** and seed.
*/
#include "sim_int.h"

#include <stdlib.h>
#include <string.h>

static inline int before(const sim_event *a, const sim_event *b) {
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

/* Group x comes before group y: (time, class). */
static inline int gbefore(const sim_queue *q, int32_t x, int32_t y) {
    const sim_qgroup *a = &q->group[x], *b = &q->group[y];
    return a->t < b->t || (a->t == b->t && a->cls < b->cls);
}

/* Does slot event e come before the heap's top group's first event? The
** group's time and class decide unless they are e's (then the sequence). */
static inline int slot_first(const sim_queue *q, const sim_event *e) {
    const sim_qgroup *g = &q->group[q->heap[0]];
    int cls = (int)(e->seq >> 62);
    if (e->t != g->t) return e->t < g->t;
    if (cls != g->cls) return cls < g->cls;
    return e->seq < g->ev[g->head].seq;
}

/* Notes where the earliest event waits: the heap (-1), a slot (k), or
** nowhere (-2). */
static inline void find_next(sim_queue *q) {
    /* The earlier slot first, then against the heap. */
    int k = -1;
    if (q->slots == 3) k = before(&q->slot[1], &q->slot[0]);
    else if (q->slots) k = q->slots == 2;
    if (k < 0) q->next = q->n ? -1 : -2;
    else q->next = !q->n || slot_first(q, &q->slot[k]) ? k : -1;
}

static size_t hash_of(int64_t t, int cls, size_t mask) {
    return (size_t)(((uint64_t)t * 4 + (uint64_t)cls) * 0x9e3779b97f4a7c15ULL >> 20) & mask;
}

/* The table's place of (t, cls): its group's, or the empty one to use. */
static size_t table_find(const sim_queue *q, int64_t t, int cls) {
    size_t mask = q->tcap - 1, i = hash_of(t, cls, mask);
    for (;; i = (i + 1) & mask) {
        int32_t g = q->table[i] - 1;
        if (g < 0 || (q->group[g].t == t && q->group[g].cls == cls)) return i;
    }
}

/* Removes the entry at i, moving later ones of its run back (linear
** probing without tombstones). */
static void table_remove(sim_queue *q, size_t i) {
    size_t mask = q->tcap - 1;
    q->table[i] = 0;
    for (size_t j = (i + 1) & mask; q->table[j]; j = (j + 1) & mask) {
        const sim_qgroup *g = &q->group[q->table[j] - 1];
        size_t home = hash_of(g->t, g->cls, mask);
        /* j's entry may move to i when i lies cyclically in [home, j). */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            q->table[i] = q->table[j];
            q->table[j] = 0;
            i = j;
        }
    }
}

/* Keeps the table at most half full. */
static int table_grow(sim_queue *q) {
    if (q->tcap && 2 * (q->n + 1) <= q->tcap) return 0;
    size_t cap = q->tcap ? 2 * q->tcap : 64;
    int32_t *old = q->table;
    size_t ocap = q->tcap;
    q->table = calloc(cap, sizeof *q->table);
    if (!q->table) {
        q->table = old;
        return -1;
    }
    q->tcap = cap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i]) {
            const sim_qgroup *g = &q->group[old[i] - 1];
            q->table[table_find(q, g->t, g->cls)] = old[i];
        }
    free(old);
    return 0;
}

static void heap_up(sim_queue *q, size_t i) {
    int32_t g = q->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!gbefore(q, g, q->heap[p])) break;
        q->heap[i] = q->heap[p];
        i = p;
    }
    q->heap[i] = g;
}

static void heap_pop_top(sim_queue *q) {
    int32_t last = q->heap[--q->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->n) break;
        if (c + 1 < q->n && gbefore(q, q->heap[c + 1], q->heap[c])) c++;
        if (!gbefore(q, q->heap[c], last)) break;
        q->heap[i] = q->heap[c];
        i = c;
    }
    if (q->n) q->heap[i] = last;
}

#define GROW(arr, count, cap, first)                                           \
    do {                                                                       \
        if ((count) == (cap)) {                                                \
            size_t c_ = (cap) ? 2 * (cap) : (first);                           \
            void *p_ = realloc((arr), c_ * sizeof *(arr));                     \
            if (!p_) return -1;                                                \
            (arr) = p_;                                                        \
            (cap) = c_;                                                        \
        }                                                                      \
    } while (0)

/* The table is kept only while the heap holds many groups (a burst): for a
** few, a look along the heap costs less than hashing in and out. */
#define TABLE_ON 32
#define TABLE_OFF 8

/* Puts every group of the heap in a cleared table. */
static int table_build(sim_queue *q) {
    if (table_grow(q)) return -1;
    memset(q->table, 0, q->tcap * sizeof *q->table);
    for (size_t i = 0; i < q->n; i++) {
        const sim_qgroup *g = &q->group[q->heap[i]];
        q->table[table_find(q, g->t, g->cls)] = q->heap[i] + 1;
    }
    q->table_on = 1;
    return 0;
}

/* The group of (t, cls) in the heap, or -1; *at is its table place (or
** where it goes) when the table is on. */
static int32_t group_of(const sim_queue *q, int64_t t, int cls, size_t *at) {
    if (q->table_on) {
        *at = table_find(q, t, cls);
        return q->table[*at] - 1;
    }
    for (size_t i = 0; i < q->n; i++) {
        const sim_qgroup *g = &q->group[q->heap[i]];
        if (g->t == t && g->cls == cls) return q->heap[i];
    }
    return -1;
}

int sim_queue_push(sim_queue *q, int64_t t, int cls, int type, int32_t a,
                   uint32_t b) {
    if (q->table_on && table_grow(q)) return -1;
    size_t at = 0;
    int32_t g = group_of(q, t, cls, &at);
    if (g < 0) { /* a new second of this class */
        if (q->free_group) { /* free lists hold index + 1: 0 is none */
            g = q->free_group - 1;
            q->free_group = q->group[g].next_free;
        } else {
            GROW(q->group, q->ngroup, q->capgroup, 64);
            g = (int32_t)q->ngroup++;
            q->group[g].ev = NULL;
            q->group[g].cap = 0;
        }
        GROW(q->heap, q->n, q->cap, 64);
        sim_qgroup *ng = &q->group[g];
        ng->t = t;
        ng->cls = cls;
        ng->head = ng->n = 0; /* its array, if any, is kept from its last use */
        if (q->table_on) q->table[at] = g + 1;
        q->heap[q->n++] = g;
        heap_up(q, q->n - 1);
        if (!q->table_on && q->n > TABLE_ON && table_build(q)) return -1;
    }
    sim_qgroup *gr = &q->group[g];
    GROW(gr->ev, gr->n, gr->cap, 8);
    gr->ev[gr->n++] = (sim_qnode){t, ((uint64_t)cls << 62) | q->next_seq++, a, b, type};
    if (gr->n - gr->head == 1 && q->heap[0] == g) find_next(q);
    return 0;
}

void sim_queue_push_slot(sim_queue *q, int k, int64_t t, int cls, int type, int32_t a,
                         uint32_t b) {
    q->slot[k] = (sim_event){t, ((uint64_t)cls << 62) | q->next_seq++, type, a, b};
    q->slots |= 1u << k;
    find_next(q);
}

void sim_queue_slots_advance(sim_queue *q, int64_t dt, uint64_t k) {
    uint64_t first = q->next_seq + 2 * (k - 1);
    for (int i = 0; i < SIM_NSLOTS; i++) {
        q->slot[i].t += dt;
        q->slot[i].seq = (q->slot[i].seq & (3ULL << 62)) | (first + (uint64_t)i);
    }
    q->next_seq += 2 * k;
    find_next(q);
}

int64_t sim_queue_heap_t(const sim_queue *q) {
    return q->n ? q->group[q->heap[0]].t : INT64_MAX;
}

int sim_queue_next_t(const sim_queue *q, int64_t *t) {
    if (q->next >= 0 && !((q->slots >> q->next) & 1)) return 0; /* zeroed, unused */
    if (q->next == -2 || (q->next == -1 && q->n == 0)) return 0;
    *t = q->next >= 0 ? q->slot[q->next].t : q->group[q->heap[0]].t;
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
    int32_t g = q->heap[0];
    sim_qgroup *gr = &q->group[g];
    const sim_qnode *nd = &gr->ev[gr->head++];
    *out = (sim_event){nd->t, nd->seq, nd->type, nd->a, nd->b};
    if (gr->head == gr->n) { /* the group is done */
        if (q->table_on) table_remove(q, table_find(q, gr->t, gr->cls));
        gr->head = gr->n = 0;
        if (gr->cap > 256) { /* a burst's array is not kept */
            free(gr->ev);
            gr->ev = NULL;
            gr->cap = 0;
        }
        gr->next_free = q->free_group;
        q->free_group = g + 1;
        heap_pop_top(q);
        if (q->n < TABLE_OFF) q->table_on = 0;
    }
    find_next(q);
    return 1;
}

const sim_qnode *sim_queue_peek_heap(const sim_queue *q) {
    if (q->next != -1 || q->n == 0) return NULL;
    const sim_qgroup *g = &q->group[q->heap[0]];
    return &g->ev[g->head];
}

void sim_queue_free(sim_queue *q) {
    for (size_t i = 0; i < q->ngroup; i++) free(q->group[i].ev);
    free(q->group);
    free(q->heap);
    free(q->table);
    memset(q, 0, sizeof *q);
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
