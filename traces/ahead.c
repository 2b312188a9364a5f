/*
** ahead.c: reading a file ahead on a thread while the CSV reader (csv.c)
** parses (ahead.h).
**
** The thread reads the file into a ring of blocks, folds each block into
** the hash before handing it over, and waits while the ring is full; the
** parsing side takes blocks in order, each as its buffer (swapping its old
** buffer into the ring) or, when it cannot, by copying the bytes out.
** Everything in the struct below the mutex is shared and read or written
** under it, except the blocks' bytes, which belong to whichever side the
** ring says. The hash is the thread's until it has reached the end (done),
** then final.
*/
#include "traces/ahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RING 4 /* blocks read ahead */

struct trc_ahead {
    pthread_t thread;
    int fd;                      /* borrowed from the reader */
    char *blk[RING];             /* TRC_AHEAD_SPAN bytes each (or more) */
    pthread_mutex_t mu;
    pthread_cond_t filled;       /* a block was handed over, or done */
    pthread_cond_t freed;        /* a block was freed, or stop */
    size_t len[RING];            /* bytes in each handed-over block */
    size_t head, n;              /* the handed-over blocks: head .. head+n-1 */
    size_t off;                  /* bytes of blk[head] already copied out */
    trc_hash h;                  /* the hash of the bytes read so far */
    int done;                    /* the thread read the end, or failed */
    int error;                   /* errno of the failed read, or 0 */
    int stop;                    /* the reader is closing: read no more */
};

static void *ahead_main(void *arg) {
    trc_ahead *a = arg;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (a->n == RING && !a->stop) pthread_cond_wait(&a->freed, &a->mu);
        if (a->stop) break;
        size_t slot = (a->head + a->n) % RING;
        trc_hash h = a->h;
        pthread_mutex_unlock(&a->mu);
        /* The block at slot is free and only this side writes it. */
        ssize_t k;
        char *at = a->blk[slot] + TRC_AHEAD_HEAD;
        do k = read(a->fd, at, TRC_AHEAD_BLOCK);
        while (k < 0 && errno == EINTR);
        int error = k < 0 ? errno : 0;
        if (k > 0) trc_hash_add(&h, at, (size_t)k);
        pthread_mutex_lock(&a->mu);
        a->h = h;
        if (k <= 0) {
            a->done = 1;
            a->error = error;
            pthread_cond_signal(&a->filled);
            break;
        }
        a->len[slot] = (size_t)k;
        a->n++;
        pthread_cond_signal(&a->filled);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

void trc_ahead_free(trc_ahead *a) {
    if (!a) return;
    pthread_mutex_lock(&a->mu);
    a->stop = 1;
    pthread_cond_signal(&a->freed);
    pthread_mutex_unlock(&a->mu);
    pthread_join(a->thread, NULL);
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->filled);
    pthread_cond_destroy(&a->freed);
    for (int i = 0; i < RING; i++) free(a->blk[i]);
    free(a);
}

trc_ahead *trc_ahead_start(int fd, const trc_hash *h) {
    trc_ahead *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->fd = fd;
    a->h = *h;
    for (int i = 0; i < RING; i++)
        if (!(a->blk[i] = calloc(1, TRC_AHEAD_SPAN))) goto fail; /* the scan may read any */
    if (pthread_mutex_init(&a->mu, NULL)) goto fail;
    if (pthread_cond_init(&a->filled, NULL)) goto fail_mu;
    if (pthread_cond_init(&a->freed, NULL)) goto fail_filled;
    if (pthread_create(&a->thread, NULL, ahead_main, a)) goto fail_freed;
    return a;
fail_freed:
    pthread_cond_destroy(&a->freed);
fail_filled:
    pthread_cond_destroy(&a->filled);
fail_mu:
    pthread_mutex_destroy(&a->mu);
fail:
    for (int i = 0; i < RING; i++) free(a->blk[i]);
    free(a);
    return NULL;
}

/* Waits for a block (under a->mu). When none comes, the file's end or a
** read error: returns 0 (*hash the final hash) or -1 with *error; else 1. */
static int ahead_wait(trc_ahead *a, trc_hash *hash, int *error) {
    while (a->n == 0 && !a->done) pthread_cond_wait(&a->filled, &a->mu);
    if (a->n) return 1;
    *error = a->error; /* done, every block taken */
    if (!a->error) *hash = a->h;
    return a->error ? -1 : 0;
}

/* The head block taken: it goes back to the thread. */
static void ahead_next(trc_ahead *a) {
    a->off = 0;
    a->head = (a->head + 1) % RING;
    a->n--;
    pthread_cond_signal(&a->freed);
}

ssize_t trc_ahead_take(trc_ahead *a, char *dst, size_t room, trc_hash *hash, int *error) {
    pthread_mutex_lock(&a->mu);
    ssize_t got = ahead_wait(a, hash, error);
    if (got > 0) {
        size_t left = a->len[a->head] - a->off;
        size_t k = left < room ? left : room;
        memcpy(dst, a->blk[a->head] + TRC_AHEAD_HEAD + a->off, k);
        a->off += k;
        if (a->off == a->len[a->head]) ahead_next(a);
        got = (ssize_t)k;
    }
    pthread_mutex_unlock(&a->mu);
    return got;
}

ssize_t trc_ahead_swap(trc_ahead *a, char **buf, size_t from, size_t n, trc_hash *hash,
                       int *error) {
    pthread_mutex_lock(&a->mu);
    ssize_t got = ahead_wait(a, hash, error);
    if (got > 0 && a->off) {
        got = -2;
    } else if (got > 0) {
        char *blk = a->blk[a->head];
        memcpy(blk + TRC_AHEAD_HEAD - n, *buf + from, n); /* before the thread may reuse *buf */
        a->blk[a->head] = *buf;
        *buf = blk;
        got = (ssize_t)a->len[a->head];
        ahead_next(a);
    }
    pthread_mutex_unlock(&a->mu);
    return got;
}

