/*
** gen.c: synthetic traces for `spotbench trace gen` (see gen.h and
** docs/traces.md, "Synthetic traces: trace gen").
**
** Each pool has its own random stream, seeded from the seed and the pool's
** place in --pools, and the process draws the same numbers every step
** whether or not a jump or an outage happens: so adding an outage changes
** only the rows inside it, and adding a pool leaves the others' rows alone.
*/
#include "gen.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "traces.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- random numbers ------------------------------------------------------ */

double trc_gen_normal(trc_rng *r) {
    /* 1 - u keeps log() away from 0. */
    double u1 = 1.0 - trc_rng_unit(r), u2 = trc_rng_unit(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

/* A stream of its own for (seed, a, b): independent of the other streams'
** use, so one pool's or outage's draws never shift another's. */
static void stream(trc_rng *r, uint64_t seed, uint64_t a, uint64_t b) {
    uint64_t x = seed;
    uint64_t h = trc_splitmix64(&x) ^ (a * 0xD1B54A32D192ED03ULL);
    h = trc_splitmix64(&h) ^ (b * 0x8CB92BA72F3D8DD7ULL);
    trc_rng_seed(r, h);
}

/* ---- parsing ------------------------------------------------------------- */

/* Reads a time at *s: epoch seconds (digits), or ISO-8601 UTC ending in 'Z'
** (its colons are not separators). Advances *s past it. */
static int take_time(const char **s, int64_t *out) {
    const char *p = *s;
    size_t n = 0;
    while (isdigit((unsigned char)p[n])) n++;
    if (n > 0 && (p[n] == ':' || p[n] == '\0')) {
        if (n > 12) return -1;
        *out = strtoll(p, NULL, 10);
        *s = p + n;
        return 0;
    }
    const char *z = strchr(p, 'Z');
    if (!z || (size_t)(z - p) >= 40) return -1;
    char buf[48];
    memcpy(buf, p, (size_t)(z - p) + 1);
    buf[z - p + 1] = '\0';
    if (trc_time_parse(buf, out)) return -1;
    *s = z + 1;
    return 0;
}

/* Reads a duration: whole seconds, optionally with s, m, h or d. */
static int take_duration(const char **s, int64_t *out) {
    const char *p = *s;
    size_t n = 0;
    while (isdigit((unsigned char)p[n])) n++;
    if (n == 0 || n > 9) return -1;
    int64_t v = strtoll(p, NULL, 10);
    switch (p[n]) {
    case 's': n++; break;
    case 'm': v *= 60; n++; break;
    case 'h': v *= 3600; n++; break;
    case 'd': v *= 86400; n++; break;
    default: break;
    }
    *out = v;
    *s = p + n;
    return 0;
}

/* A finite number >= 0 from the whole of s. */
static int number(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v) || v < 0 ||
        strpbrk(s, "xXnNiI"))
        return -1;
    *out = v;
    return 0;
}

trc_gen_pool *trc_gen_parse_pools(const char *spec, size_t *n, char *err,
                                  size_t errlen) {
    size_t cap = 1;
    for (const char *c = spec; *c; c++) cap += *c == ',';
    trc_gen_pool *pools = calloc(cap, sizeof *pools);
    if (!pools) {
        fail(err, errlen, "out of memory");
        return NULL;
    }
    size_t k = 0;
    const char *p = spec;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char item[128];
        if (len == 0 || len >= sizeof item) {
            fail(err, errlen, "'%.*s': expected TYPE/AZ=ON_DEMAND_PRICE",
                 (int)(len > 100 ? 100 : len), p);
            goto bad;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        char *slash = strchr(item, '/'), *eq = strchr(item, '=');
        if (!slash || !eq || eq < slash || slash == item || eq == slash + 1 ||
            (size_t)(slash - item) >= sizeof pools[k].type ||
            (size_t)(eq - slash - 1) >= sizeof pools[k].az) {
            fail(err, errlen, "'%s': expected TYPE/AZ=ON_DEMAND_PRICE", item);
            goto bad;
        }
        *slash = *eq = '\0';
        if (number(eq + 1, &pools[k].od) || pools[k].od <= 0) {
            fail(err, errlen, "'%s/%s=%s': the on-demand price must be a "
                 "number > 0", item, slash + 1, eq + 1);
            goto bad;
        }
        strcpy(pools[k].type, item);
        strcpy(pools[k].az, slash + 1);
        for (size_t j = 0; j < k; j++)
            if (!strcmp(pools[j].type, pools[k].type) &&
                !strcmp(pools[j].az, pools[k].az)) {
                fail(err, errlen, "%s/%s: given twice", item, slash + 1);
                goto bad;
            }
        k++;
        if (!e) break;
        p = e + 1;
    }
    *n = k;
    return pools;
bad:
    free(pools);
    return NULL;
}

int trc_gen_parse_regime(const char *s, trc_gen_regime *r, char *err,
                         size_t errlen) {
    const char *p = s;
    if (take_time(&p, &r->start) || *p++ != ':' || take_time(&p, &r->end) ||
        *p++ != ':' || number(p, &r->mean) || r->mean <= 0 ||
        r->mean > TRC_GEN_MAX_FRACTION)
        return fail(err, errlen, "'%s': expected START:END:MEAN with times "
                    "ISO-8601 UTC (...Z) or epoch seconds and 0 < MEAN <= %g",
                    s, TRC_GEN_MAX_FRACTION);
    if (r->end <= r->start)
        return fail(err, errlen, "'%s': END must be after START", s);
    return 0;
}

int trc_gen_parse_outage(const char *s, trc_gen_outage *o, char *err,
                         size_t errlen) {
    memset(o, 0, sizeof *o);
    const char *p = s;
    if (take_time(&p, &o->at) || *p++ != ':' || take_duration(&p, &o->duration) ||
        *p++ != ':')
        return fail(err, errlen, "'%s': expected AT:DURATION:SCOPE[:KIND] "
                    "(AT ISO-8601 UTC or epoch seconds, DURATION seconds or "
                    "with s/m/h/d)", s);
    if (o->duration <= 0)
        return fail(err, errlen, "'%s': DURATION must be > 0", s);
    const char *colon = strchr(p, ':');
    size_t len = colon ? (size_t)(colon - p) : strlen(p);
    char scope[96];
    if (len >= sizeof scope)
        return fail(err, errlen, "'%s': scope too long", s);
    memcpy(scope, p, len);
    scope[len] = '\0';
    if (!strcmp(scope, "all")) {
        o->scope = TRC_GEN_SCOPE_ALL;
    } else if (!strncmp(scope, "pool=", 5)) {
        char *slash = strchr(scope + 5, '/');
        if (!slash || slash == scope + 5 || !slash[1] ||
            strlen(scope + 5) >= sizeof o->type ||
            strlen(slash + 1) >= sizeof o->az)
            return fail(err, errlen, "'%s': pool= takes TYPE/AZ", s);
        *slash = '\0';
        o->scope = TRC_GEN_SCOPE_POOL;
        strcpy(o->type, scope + 5);
        strcpy(o->az, slash + 1);
    } else if (!strncmp(scope, "family=", 7) && scope[7] &&
               strlen(scope + 7) < sizeof o->type) {
        o->scope = TRC_GEN_SCOPE_FAMILY;
        strcpy(o->type, scope + 7);
    } else if (!strncmp(scope, "az=", 3) && scope[3] &&
               strlen(scope + 3) < sizeof o->az) {
        o->scope = TRC_GEN_SCOPE_AZ;
        strcpy(o->az, scope + 3);
    } else {
        return fail(err, errlen, "'%s': SCOPE must be pool=TYPE/AZ, "
                    "family=FAMILY, az=AZ or all", s);
    }
    if (colon) {
        if (!strcmp(colon + 1, "price"))
            o->capacity = 0;
        else if (!strcmp(colon + 1, "capacity"))
            o->capacity = 1;
        else
            return fail(err, errlen, "'%s': KIND must be price or capacity", s);
    }
    return 0;
}

int trc_gen_in_scope(const trc_gen_pool *pool, const trc_gen_outage *o) {
    switch (o->scope) {
    case TRC_GEN_SCOPE_ALL: return 1;
    case TRC_GEN_SCOPE_POOL:
        return !strcmp(pool->type, o->type) && !strcmp(pool->az, o->az);
    case TRC_GEN_SCOPE_AZ: return !strcmp(pool->az, o->az);
    case TRC_GEN_SCOPE_FAMILY: {
        /* The family is the type's part before the first '.' (c4 of
        ** c4.xlarge), so family=c4 never takes c4n or c44. */
        size_t n = strlen(o->type);
        return !strncmp(pool->type, o->type, n) && pool->type[n] == '.';
    }
    }
    return 0;
}

/* ---- prices -------------------------------------------------------------- */

void trc_gen_prices_defaults(trc_gen_prices_params *p) {
    memset(p, 0, sizeof *p);
    p->step = 300;
    p->seed = 1;
    p->mean = 0.3;
    p->reversion = 0.05;
    p->volatility = 0.01;
    p->jump_prob = 0.002;
    p->jump_size = 0.3;
    p->capacity = 1000;
}

/* One output row: pool `pool` takes `v` (micro-USD, or instances) at t. */
typedef struct {
    int64_t t;
    size_t pool;
    long long v;
} row;

typedef struct {
    row *r;
    size_t n, cap;
} rows;

static int push(rows *rs, int64_t t, size_t pool, long long v) {
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 1024;
        row *r = realloc(rs->r, cap * sizeof *r);
        if (!r) return -1;
        rs->r = r;
        rs->cap = cap;
    }
    rs->r[rs->n++] = (row){t, pool, v};
    return 0;
}

/* qsort's context: the pools, for ordering by InstanceType then AZ. */
typedef struct {
    const trc_gen_pool *pools;
    const row *r;
} sort_ctx;

static int cmp_i64(int64_t a, int64_t b) { return (a > b) - (a < b); }

static int cmp_time(const void *a, const void *b) {
    return cmp_i64(*(const int64_t *)a, *(const int64_t *)b);
}

/* Sorts rows by Timestamp, InstanceType, AvailabilityZone (pools are
** distinct, so the order is total). A merge sort: qsort has no context. */
static int sort_rows(rows *rs, const trc_gen_pool *pools) {
    if (rs->n < 2) return 0;
    row *tmp = malloc(rs->n * sizeof *tmp);
    if (!tmp) return -1;
    for (size_t w = 1; w < rs->n; w *= 2) {
        for (size_t lo = 0; lo < rs->n; lo += 2 * w) {
            size_t mid = lo + w < rs->n ? lo + w : rs->n;
            size_t hi = lo + 2 * w < rs->n ? lo + 2 * w : rs->n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                const row *a = &rs->r[i], *b = &rs->r[j];
                int c = cmp_i64(a->t, b->t);
                if (!c) c = strcmp(pools[a->pool].type, pools[b->pool].type);
                if (!c) c = strcmp(pools[a->pool].az, pools[b->pool].az);
                tmp[k++] = c <= 0 ? rs->r[i++] : rs->r[j++];
            }
            while (i < mid) tmp[k++] = rs->r[i++];
            while (j < hi) tmp[k++] = rs->r[j++];
        }
        memcpy(rs->r, tmp, rs->n * sizeof *tmp);
    }
    free(tmp);
    return 0;
}

static double mean_at(const trc_gen_prices_params *p, int64_t t) {
    double m = p->mean;
    for (size_t i = 0; i < p->nregimes; i++) /* a later regime wins */
        if (t >= p->regimes[i].start && t < p->regimes[i].end)
            m = p->regimes[i].mean;
    return m;
}

static int price_outage_at(const trc_gen_prices_params *p,
                           const trc_gen_pool *pool, int64_t t) {
    for (size_t i = 0; i < p->noutages; i++) {
        const trc_gen_outage *o = &p->outages[i];
        if (!o->capacity && t >= o->at && t - o->at < o->duration &&
            trc_gen_in_scope(pool, o))
            return 1;
    }
    return 0;
}

/* How one capacity outage falls in one pool. */
typedef struct {
    int64_t t[4];  /* fall steps; t[nsteps - 1] == at (the level 0) */
    double lvl[4]; /* level from t[i], as a share of p->capacity */
    int nsteps;
} burst;

/* How a capacity outage falls: 2 or 3 steps, each 30-120 s apart, the last
** reaching 0 at AT; the levels on the way are 30-70 % of the one before.
** Drawn from a stream of (seed, pool, outage), so it differs per pool. */
static void make_burst(const trc_gen_prices_params *p, size_t pool,
                       size_t outage, burst *b) {
    trc_rng r;
    stream(&r, p->seed, 0x10000 + pool, outage + 1);
    const trc_gen_outage *o = &p->outages[outage];
    b->nsteps = 2 + (trc_rng_unit(&r) < 0.5);
    int64_t gaps[4];
    double lvl = 1.0;
    for (int i = 0; i < b->nsteps - 1; i++) {
        gaps[i] = 30 + (int64_t)(trc_rng_unit(&r) * 91);
        lvl *= 0.3 + 0.4 * trc_rng_unit(&r);
        b->lvl[i] = lvl;
    }
    b->lvl[b->nsteps - 1] = 0;
    b->t[b->nsteps - 1] = o->at;
    for (int i = b->nsteps - 2; i >= 0; i--) b->t[i] = b->t[i + 1] - gaps[i];
}

/* The capacity (instances) outage `o` with burst b allows at t. */
static long long burst_level(const trc_gen_prices_params *p,
                             const trc_gen_outage *o, const burst *b,
                             int64_t t) {
    if (t < b->t[0] || t - o->at >= o->duration) return p->capacity;
    long long v = p->capacity;
    for (int i = 0; i < b->nsteps; i++)
        if (t >= b->t[i]) v = llround(p->capacity * b->lvl[i]);
    return v;
}

static int check_params(const trc_gen_prices_params *p, char *err,
                        size_t errlen) {
    if (p->npools == 0) return fail(err, errlen, "--pools: no pools");
    if (p->end <= p->start) return fail(err, errlen, "--end: must be after --start");
    if (p->step <= 0 || p->step > 86400 * 366)
        return fail(err, errlen, "--step: must be whole seconds > 0");
    if ((p->end - p->start) / p->step + 1 > (int64_t)(20000000 / p->npools))
        return fail(err, errlen, "--step: too many steps (more than 20 "
                    "million pool-steps); use a larger --step or a shorter span");
    if (!(p->mean > 0 && p->mean <= TRC_GEN_MAX_FRACTION))
        return fail(err, errlen, "--mean: must be in (0, %g]", TRC_GEN_MAX_FRACTION);
    if (!(p->reversion >= 0 && p->reversion <= 1))
        return fail(err, errlen, "--reversion: must be in [0, 1]");
    if (!(p->volatility >= 0 && p->volatility <= 10))
        return fail(err, errlen, "--volatility: must be in [0, 10]");
    if (!(p->jump_prob >= 0 && p->jump_prob <= 1))
        return fail(err, errlen, "--jump-prob: must be in [0, 1]");
    if (!(p->jump_size >= 0 && p->jump_size <= 10))
        return fail(err, errlen, "--jump-size: must be in [0, 10]");
    if (p->capacity < 1) return fail(err, errlen, "--capacity: must be >= 1");
    return 0;
}

static void write_price_rows(FILE *f, const rows *rs,
                             const trc_gen_pool *pools, int prices) {
    char ts[32];
    fputs(prices ? "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n"
                 : "Timestamp,InstanceType,AvailabilityZone,Capacity\n",
          f);
    for (size_t i = 0; i < rs->n; i++) {
        const row *r = &rs->r[i];
        char type[2 * sizeof pools[0].type + 3], az[2 * sizeof pools[0].az + 3];
        trc_csv_quote(type, sizeof type, pools[r->pool].type);
        trc_csv_quote(az, sizeof az, pools[r->pool].az);
        trc_time_format(r->t, ts, sizeof ts);
        if (prices)
            fprintf(f, "%s,%s,%s,%lld.%06lld\n", ts, type, az, r->v / 1000000,
                    r->v % 1000000);
        else
            fprintf(f, "%s,%s,%s,%lld\n", ts, type, az, r->v);
    }
}

int trc_gen_prices(const trc_gen_prices_params *p, FILE *prices, FILE *avail,
                   char *err, size_t errlen) {
    if (check_params(p, err, errlen)) return -1;
    int any_capacity = 0;
    for (size_t i = 0; i < p->noutages; i++) any_capacity |= p->outages[i].capacity;
    if (any_capacity && !avail)
        return fail(err, errlen, "--outage: a capacity outage needs "
                    "--availability-out FILE");
    rows pr = {0}, cr = {0};
    int64_t *ev = malloc((2 * p->noutages + 4 * p->noutages + 1) * sizeof *ev);
    burst *bursts = malloc((p->noutages + 1) * sizeof *bursts);
    if (!ev || !bursts) goto oom;

    for (size_t k = 0; k < p->npools; k++) {
        const trc_gen_pool *pool = &p->pools[k];
        /* Price outage boundaries inside the span, sorted. */
        size_t nev = 0;
        for (size_t i = 0; i < p->noutages; i++) {
            const trc_gen_outage *o = &p->outages[i];
            if (o->capacity || !trc_gen_in_scope(pool, o)) continue;
            int64_t b[2] = {o->at, o->at + o->duration};
            for (int j = 0; j < 2; j++)
                if (b[j] >= p->start && b[j] < p->end) ev[nev++] = b[j];
        }
        qsort(ev, nev, sizeof *ev, cmp_time);

        trc_rng r;
        stream(&r, p->seed, k, 0);
        double x = mean_at(p, p->start);
        long long last = -1;
        int64_t g = p->start; /* the next step */
        size_t e = 0;
        int first_step = 1;
        while (g < p->end || e < nev) {
            int64_t t;
            if (e < nev && (g >= p->end || ev[e] < g)) {
                t = ev[e++];
            } else {
                t = g;
                if (e < nev && ev[e] == g) e++;
                g += p->step;
                if (!first_step) {
                    /* x += R (mu - x) + V Z, plus J with probability P;
                    ** both draws happen every step. */
                    double z = trc_gen_normal(&r), u = trc_rng_unit(&r);
                    x += p->reversion * (mean_at(p, t) - x) + p->volatility * z;
                    if (u < p->jump_prob) x += p->jump_size;
                    if (x < TRC_GEN_MIN_FRACTION) x = TRC_GEN_MIN_FRACTION;
                    if (x > TRC_GEN_MAX_FRACTION) x = TRC_GEN_MAX_FRACTION;
                }
                first_step = 0;
            }
            double price = price_outage_at(p, pool, t)
                               ? TRC_GEN_OUTAGE_FACTOR * pool->od
                               : x * pool->od;
            long long v = llround(price * 1e6);
            if (v < 1) v = 1; /* a price is > 0 */
            if (v != last && push(&pr, t, k, v)) goto oom;
            last = v;
        }

        /* Capacity: rows only for pools in a capacity outage's scope. */
        size_t nb = 0;
        nev = 0;
        for (size_t i = 0; i < p->noutages; i++) {
            const trc_gen_outage *o = &p->outages[i];
            if (!o->capacity || !trc_gen_in_scope(pool, o)) continue;
            make_burst(p, k, i, &bursts[i]);
            nb++;
            for (int j = 0; j < bursts[i].nsteps; j++) ev[nev++] = bursts[i].t[j];
            ev[nev++] = o->at + o->duration;
        }
        if (!nb) continue;
        ev[nev++] = p->start;
        qsort(ev, nev, sizeof *ev, cmp_time);
        last = -1;
        for (size_t j = 0; j < nev; j++) {
            int64_t t = ev[j];
            if (t < p->start || t >= p->end) continue;
            long long v = p->capacity;
            for (size_t i = 0; i < p->noutages; i++) {
                const trc_gen_outage *o = &p->outages[i];
                if (!o->capacity || !trc_gen_in_scope(pool, o)) continue;
                long long l = burst_level(p, o, &bursts[i], t);
                if (l < v) v = l; /* overlapping outages: the lowest holds */
            }
            if (v != last && push(&cr, t, k, v)) goto oom;
            last = v;
        }
    }
    if (sort_rows(&pr, p->pools) || sort_rows(&cr, p->pools)) goto oom;
    write_price_rows(prices, &pr, p->pools, 1);
    if (avail) write_price_rows(avail, &cr, p->pools, 0);
    free(pr.r);
    free(cr.r);
    free(ev);
    free(bursts);
    return 0;
oom:
    free(pr.r);
    free(cr.r);
    free(ev);
    free(bursts);
    return fail(err, errlen, "out of memory");
}

/* ---- demand -------------------------------------------------------------- */

void trc_gen_demand_defaults(trc_gen_demand_params *p) {
    memset(p, 0, sizeof *p);
    p->step = 300;
    p->seed = 1;
    p->period = 86400;
    p->peak_hour = 14;
}

int trc_gen_demand(const trc_gen_demand_params *p, FILE *out, char *err,
                   size_t errlen) {
    if (p->end <= p->start) return fail(err, errlen, "--end: must be after --start");
    if (p->step <= 0 || (p->end - p->start) / p->step > 20000000)
        return fail(err, errlen, "--step: must be whole seconds > 0 (at most "
                    "20 million steps)");
    if (p->period <= 0) return fail(err, errlen, "--period: must be > 0");
    if (!(p->peak_hour >= 0 && p->peak_hour < 24))
        return fail(err, errlen, "--peak-hour: must be in [0, 24)");
    if (!(p->base >= 0) || !(p->amplitude >= 0) || !(p->noise >= 0))
        return fail(err, errlen, "--base, --amplitude, --noise: must be >= 0");
    trc_rng r;
    stream(&r, p->seed, 0x20000, 0);
    fputs("Timestamp,Demand\n", out);
    char ts[32];
    long long last = -1;
    const double two_pi = 2.0 * 3.14159265358979323846;
    for (int64_t t = p->start; t < p->end; t += p->step) {
        /* The phase is taken modulo the period in whole seconds first, so
        ** large epoch times lose no precision. */
        int64_t ph = (t - (int64_t)llround(p->peak_hour * 3600)) % p->period;
        double d = p->base +
                   p->amplitude * cos(two_pi * (double)ph / (double)p->period) +
                   p->noise * trc_gen_normal(&r);
        long long v = d > 0 ? llround(d) : 0;
        if (v == last) continue;
        last = v;
        trc_time_format(t, ts, sizeof ts);
        fprintf(out, "%s,%lld\n", ts, v);
    }
    return 0;
}

/* ---- cloudwatch ---------------------------------------------------------- */

int trc_gen_cloudwatch(double delay_p, long delay_min, long delay_max,
                       double missing, char *buf, size_t n, char *err,
                       size_t errlen) {
    if (!(delay_p >= 0 && delay_p <= 1))
        return fail(err, errlen, "--delay-p: must be in [0, 1]");
    if (delay_min < 0 || delay_max < delay_min)
        return fail(err, errlen, "--delay-min, --delay-max: need whole "
                    "seconds 0 <= min <= max");
    if (!(missing >= 0 && missing <= 1))
        return fail(err, errlen, "--missing: must be in [0, 1]");
    snprintf(buf, n,
             "{\"IngestionDelay\": {\"min\": %ld, \"max\": %ld, \"p\": %.15g}, "
             "\"MissingProbability\": %.15g}",
             delay_min, delay_max, delay_p, missing);
    return 0;
}
