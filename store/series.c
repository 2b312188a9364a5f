/*
** series.c: the compact timeseries of schema version 6 (docs/store.md,
** "timeseries_days"): a run's per-minute samples as one row per run and
** ST_SERIES_CHUNK samples (a day of minutes), each column a BLOB of runs of
** identical consecutive values.
**
** Why: a year of one row per minute was 525,600 b-tree inserts and 57 MB,
** most of a `run --timeseries`; yet most columns hold a value for hours
** (the fleet's state changes a few thousand times a year) and each pool's
** price every few minutes. Runs cost a compare per value per minute, and
** the row's BLOBs are a handful of inserts a day.
**
** Encoding (little-endian throughout; "varint" is unsigned LEB128):
**   REAL column: runs of (varint count >= 1, the 8 bytes of an IEEE-754
**     double); the counts add up to the row's n.
**   INTEGER column: runs of (varint count >= 1, varint zigzag(value)).
**   dt: INTEGER runs of t[i] - t[i-1] for i = 1 .. n-1 (t[0] is the row's t).
**   prices: npools REAL columns one after the other, pool 0 first.
** Values are compared as bits, so a run is exact (and NaN-safe), and a
** decoded double is the very double that was stored.
**
** Ownership: an st_series owns its buffers; st_series_free() releases them.
*/
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

const char *const st_series_col_names[ST_SERIES_NCOLS] = {
    "dt",          "required",   "target",   "fulfilled",  "pending",
    "terminating", "spot_units", "od_units", "od_desired", "od_in_service"};

static void buf_need(st_series_buf *b, size_t more) {
    if (b->oom || b->n + more <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + more) cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

/* Both write into room the caller made (buf_need). */
static void put_varint(st_series_buf *b, uint64_t v) {
    while (v >= 0x80) {
        b->p[b->n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b->p[b->n++] = (unsigned char)v;
}

static void put_u64(st_series_buf *b, uint64_t v) {
    for (int i = 0; i < 8; i++) b->p[b->n + (size_t)i] = (unsigned char)(v >> (8 * i));
    b->n += 8;
}

static uint64_t zigzag(int64_t v) {
    return v < 0 ? ~((uint64_t)v << 1) : (uint64_t)v << 1;
}

static int64_t unzigzag(uint64_t u) {
    return u & 1 ? (int64_t)~(u >> 1) : (int64_t)(u >> 1);
}

/* Ends column c's open run, if any, into its buffer. */
static void col_emit(st_series_col *c, int integer) {
    if (!c->count) return;
    buf_need(&c->out, 20); /* two varints, or a varint and 8 bytes */
    if (!c->out.oom) {
        put_varint(&c->out, c->count);
        if (integer) put_varint(&c->out, zigzag((int64_t)c->bits));
        else put_u64(&c->out, c->bits);
    }
    c->count = 0;
}

/* A new value: the run so far is written, a new one opens. */
static void col_change(st_series_col *c, uint64_t bits, int integer) {
    col_emit(c, integer);
    c->bits = bits;
    c->count = 1;
}

/* Every sample passes here for every column; most repeat the value. */
static inline void col_add(st_series_col *c, uint64_t bits, int integer) {
    if (c->bits == bits && c->count) c->count++;
    else col_change(c, bits, integer);
}

static uint64_t dbits(double v) {
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* Which columns hold integers: dt, od_desired, od_in_service. */
static int col_integer(size_t i) {
    return i == ST_SERIES_DT || i == ST_SERIES_OD_DESIRED || i == ST_SERIES_OD_IN_SERVICE;
}

void st_series_reset(st_series *s) {
    s->n = 0;
    s->npools = 0;
    for (size_t i = 0; i < ST_SERIES_NCOLS; i++) {
        s->col[i].count = 0;
        s->col[i].out.n = 0;
        s->col[i].out.oom = 0;
    }
    for (size_t i = 0; i < s->ncap; i++) {
        s->price[i].count = 0;
        s->price[i].out.n = 0;
        s->price[i].out.oom = 0;
    }
    s->prices.n = 0;
    s->prices.oom = 0;
}

void st_series_free(st_series *s) {
    for (size_t i = 0; i < ST_SERIES_NCOLS; i++) free(s->col[i].out.p);
    for (size_t i = 0; i < s->ncap; i++) free(s->price[i].out.p);
    free(s->price);
    free(s->prices.p);
    memset(s, 0, sizeof *s);
}

int st_series_add(st_series *s, const sim_minute_rec *r) {
    if (s->n == 0) {
        if (r->nprices > s->ncap) {
            st_series_col *p = realloc(s->price, r->nprices * sizeof *p);
            if (!p) return -1;
            memset(p + s->ncap, 0, (r->nprices - s->ncap) * sizeof *p);
            s->price = p;
            s->ncap = r->nprices;
        }
        s->npools = r->nprices;
        s->t0 = r->t;
    } else {
        col_add(&s->col[ST_SERIES_DT], (uint64_t)(r->t - s->last_t), 1);
    }
    s->last_t = r->t;
    const double v[] = {r->required, r->target,   r->fulfilled, r->pending,
                        r->terminating, r->spot_units, r->od_units};
    for (size_t i = 0; i < 7; i++) col_add(&s->col[ST_SERIES_REQUIRED + i], dbits(v[i]), 0);
    col_add(&s->col[ST_SERIES_OD_DESIRED], (uint64_t)(int64_t)r->od_desired, 1);
    col_add(&s->col[ST_SERIES_OD_IN_SERVICE], (uint64_t)(int64_t)r->od_in_service, 1);
    for (size_t p = 0; p < s->npools; p++) col_add(&s->price[p], dbits(r->prices[p]), 0);
    s->n++;
    return 0;
}

int st_series_finish(st_series *s) {
    int oom = 0;
    for (size_t i = 0; i < ST_SERIES_NCOLS; i++) {
        col_emit(&s->col[i], col_integer(i));
        oom |= s->col[i].out.oom;
    }
    s->prices.n = 0;
    for (size_t p = 0; p < s->npools; p++) {
        col_emit(&s->price[p], 0);
        st_series_buf *o = &s->price[p].out;
        buf_need(&s->prices, o->n);
        if (!s->prices.oom && o->n) memcpy(s->prices.p + s->prices.n, o->p, o->n);
        if (!s->prices.oom) s->prices.n += o->n;
        oom |= o->oom;
    }
    return oom || s->prices.oom ? -1 : 0;
}

/* ---- decoding ----------------------------------------------------------- */

typedef struct {
    const unsigned char *p, *end;
} reader;

static int get_varint(reader *r, uint64_t *v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p == r->end) return -1;
        unsigned char c = *r->p++;
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) return 0;
    }
    return -1;
}

/* Expands one column of n values from r into out: doubles, or for integer
** columns int64_t (stored as such: malloc'd memory takes the type written).
** -1 when the runs do not add up. */
static int decode_col(reader *r, size_t n, int integer, void *out) {
    size_t i = 0;
    while (i < n) {
        uint64_t count, bits;
        if (get_varint(r, &count) || count == 0 || count > n - i) return -1;
        if (integer) {
            if (get_varint(r, &bits)) return -1;
            bits = (uint64_t)unzigzag(bits);
        } else {
            if (r->end - r->p < 8) return -1;
            bits = 0;
            for (int k = 0; k < 8; k++) bits |= (uint64_t)r->p[k] << (8 * k);
            r->p += 8;
        }
        if (integer) {
            int64_t v = (int64_t)bits;
            for (; count; count--, i++) ((int64_t *)out)[i] = v;
        } else {
            double d;
            memcpy(&d, &bits, sizeof d);
            for (; count; count--, i++) ((double *)out)[i] = d;
        }
    }
    return 0;
}

int st_series_decode(const st_series_row *row, st_series_out *out) {
    size_t n = row->n;
    if (n == 0 || n > ST_SERIES_MAX_N) return -1;
    if (row->npools > out->max_pools) return -1;
    for (size_t c = 0; c < ST_SERIES_NCOLS; c++) {
        reader r = {row->blob[c], row->blob[c] + row->len[c]};
        if (!row->blob[c] && row->len[c]) return -1;
        size_t m = c == ST_SERIES_DT ? n - 1 : n;
        if (m && decode_col(&r, m, col_integer(c), out->col[c])) return -1;
        if (r.p != r.end) return -1;
    }
    reader r = {row->prices, row->prices + row->prices_len};
    for (size_t p = 0; p < row->npools; p++)
        if (decode_col(&r, n, 0, out->price + p * n)) return -1;
    if (r.p != r.end) return -1;
    return 0;
}
