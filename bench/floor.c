/*
** floor.c: the floor `make bench` measures spotbench against: the bench year
** (bench/gen_year.c, every delay a constant) as a minimal C model of the same
** semantics as bench/simpy_model.py, with no generality, no store and no
** policy engine. Not shipped: it exists to know how fast the year could be.
**
** usage: floor PARAMS PRICES.csv
**   PARAMS: start end target launch_delay registration_delay od_weight
**           od_price asg_max cooldown od_launch_delay od_termination_delay
**           controller_offset npools, then per pool: InstanceType
**           AvailabilityZone weight od_price max_price (bench/run.sh writes it)
**
** Prints one JSON object: spot_cost, od_cost, total_cost, coverage_pct,
** events. Events at one second run as in spotbench: a CloudWatch period
** closes first, state changes next, the controller last; CloudWatch sees a
** second's settled state (folded in by the first event of a later second);
** equal times run in the order scheduled. Spot cost is the exact integral of
** the price in fixed point (2^-80 USD-seconds), rounded once.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAC 80
typedef __int128 fx_t;

enum { PERIOD, STATE, CONTROLLER };
enum { LAUNCHING, RUNNING, NOTICE, GONE };
enum { EV_PRICE, EV_SPOT_RUNNING, EV_SPOT_REG, EV_SPOT_END, EV_MINUTE, EV_INVOKE,
       EV_OD_RUNNING, EV_OD_REG };

typedef struct {
    long long t;
    double price;
} step_t;

typedef struct {
    char type[32], az[32];
    double weight, od_price, max_price;
    step_t *steps;
    int nsteps, capsteps;
    double price, units;
    size_t type_len, az_len;
    fx_t fx_price, fx_sum; /* fixed(price); the integral up to fx_t0 */
    long long fx_t0;
    int *inst; /* instances not gone, launch order */
    int ninst, capinst;
} pool_t;

typedef struct {
    int pool; /* -1: on demand */
    int state, registered, initial;
    long long run_t, serial;
    fx_t run_fx;
} inst_t;

typedef struct {
    long long key; /* 4 * second + class */
    unsigned long long seq;
    int kind, a, b;
} ev_t;

typedef struct {
    double pmax_target, pmax_pending;
    int pmax_set;
} cw_t;

typedef struct {
    long long start, end, launch_delay, reg_delay, cooldown, od_delay, od_term_delay, offset;
    double target, od_weight, od_price;
    int asg_max, npools;
    pool_t pools[16];
    inst_t *insts;
    int ninsts, capinsts;
    long long serials[2];
    ev_t *heap;
    int nheap, capheap;
    unsigned long long seq;
    long long minute_key, invoke_key; /* -1: none */
    long long now; /* the current second */
    int *od, nod, capod;
    int desired, od_live;
    long long cooldown_until;
    double spot_units, od_units, fulfilled;
    long long acc_t;
    double covered, required_s, spot_cost, od_cost;
    long long events;
    long long dirty; /* -1: none */
    double pmax_t, pmax_p;
    int pmax_set;
    double (*dp)[3]; /* every datapoint (t, target, pending), oldest first */
    int dp_n, dp_cap;
} model_t;

static void *grow(void *p, int *cap, size_t size) {
    *cap = *cap ? 2 * *cap : 64;
    void *q = realloc(p, (size_t)*cap * size);
    if (!q) {
        fprintf(stderr, "floor: out of memory\n");
        exit(1);
    }
    return q;
}

static fx_t fixed(double v) {
    int e;
    double m = frexp(v, &e); /* v = m 2^e, m in [0.5, 1) */
    long long mi = (long long)ldexp(m, 53);
    int sh = e - 53 + FRAC;
    if (sh >= 0)
        return (fx_t)mi << sh;
    return ((fx_t)mi + ((fx_t)1 << (-sh - 1))) >> -sh; /* not reached by a trace's prices */
}

/* ---- the event queue ---------------------------------------------------- */

static int before(const ev_t *x, const ev_t *y) {
    return x->key < y->key || (x->key == y->key && x->seq < y->seq);
}

static void at(model_t *m, long long sec, int cls, int kind, int a, int b) {
    if (m->nheap == m->capheap)
        m->heap = grow(m->heap, &m->capheap, sizeof *m->heap);
    ev_t e = {4 * sec + cls, m->seq++, kind, a, b};
    int i = m->nheap++;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!before(&e, &m->heap[p]))
            break;
        m->heap[i] = m->heap[p];
        i = p;
    }
    m->heap[i] = e;
}

static ev_t pop(model_t *m) {
    ev_t top = m->heap[0], last = m->heap[--m->nheap];
    int i = 0, n = m->nheap;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(&m->heap[c + 1], &m->heap[c]))
            c++;
        if (!before(&m->heap[c], &last))
            break;
        m->heap[i] = m->heap[c];
        i = c;
    }
    if (n > 0)
        m->heap[i] = last;
    return top;
}

/* ---- accounting and CloudWatch ------------------------------------------ */

static void account(model_t *m, long long t) {
    long long dt = t - m->acc_t;
    if (dt > 0) {
        double cov = m->spot_units + m->od_units;
        m->required_s += m->target * (double)dt;
        m->covered += (m->target < cov ? m->target : cov) * (double)dt;
        m->acc_t = t;
    }
}

static void settle(model_t *m) {
    m->dirty = -1;
    double t = m->target, p = m->target - m->fulfilled;
    p = p > 0.0 ? p : 0.0;
    if (!m->pmax_set) {
        m->pmax_t = t, m->pmax_p = p, m->pmax_set = 1;
    } else {
        if (t > m->pmax_t)
            m->pmax_t = t;
        if (p > m->pmax_p)
            m->pmax_p = p;
    }
}

static void push_datapoint(model_t *m, double t, double target, double pending) {
    if (m->dp_n == m->dp_cap)
        m->dp = grow(m->dp, &m->dp_cap, sizeof *m->dp);
    m->dp[m->dp_n][0] = t, m->dp[m->dp_n][1] = target, m->dp[m->dp_n][2] = pending;
    m->dp_n++;
}

/* ---- the Spot Fleet ----------------------------------------------------- */

static fx_t integral_now(const pool_t *p, long long now) {
    return p->fx_sum + p->fx_price * (fx_t)(now - p->fx_t0);
}

static void contrib(model_t *m, const inst_t *in, double sign) {
    pool_t *p = &m->pools[in->pool];
    double w = sign * p->weight;
    if (in->state == LAUNCHING || in->state == RUNNING)
        p->units += w;
    if (in->state == RUNNING || in->state == NOTICE)
        m->fulfilled += w;
    if (in->registered)
        m->spot_units += w;
}

static void set_state(model_t *m, int i, int state, int registered) {
    inst_t *in = &m->insts[i];
    contrib(m, in, -1);
    in->state = state, in->registered = registered;
    contrib(m, in, 1);
    m->dirty = m->now;
}

static int new_inst(model_t *m, int pool) {
    if (m->ninsts == m->capinsts)
        m->insts = grow(m->insts, &m->capinsts, sizeof *m->insts);
    int k = pool < 0;
    m->insts[m->ninsts] = (inst_t){pool, LAUNCHING, 0, 0, -1, m->serials[k]++, 0};
    return m->ninsts++;
}

static void fill(model_t *m) {
    double have = 0;
    for (int j = 0; j < m->npools; j++)
        have += m->pools[j].units;
    while (have < m->target - 1e-9) {
        pool_t *best = NULL;
        int bj = -1;
        for (int j = 0; j < m->npools; j++) { /* diversified: fewest units, then cheapest */
            pool_t *p = &m->pools[j];
            if (!(p->price <= p->max_price && p->price <= p->od_price))
                continue;
            if (!best || p->units < best->units ||
                (p->units == best->units && p->price / p->weight < best->price / best->weight))
                best = p, bj = j;
        }
        if (!best)
            break;
        int i = new_inst(m, bj);
        if (best->ninst == best->capinst)
            best->inst = grow(best->inst, &best->capinst, sizeof *best->inst);
        best->inst[best->ninst++] = i;
        contrib(m, &m->insts[i], 1);
        at(m, m->now + m->launch_delay, STATE, EV_SPOT_RUNNING, i, 0);
        have += best->weight;
    }
}

static double price_at(const pool_t *p, long long t) {
    int lo = 0, hi = p->nsteps; /* the first step after t */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (p->steps[mid].t <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return p->steps[lo > 0 ? lo - 1 : 0].price;
}

static double spot_charge(model_t *m, const inst_t *in, long long end, int interrupted) {
    const pool_t *p = &m->pools[in->pool];
    long long dur = end - in->run_t;
    if (interrupted && !in->initial && dur < 3600)
        return 0.0; /* EC2 interrupted it in its first hour */
    fx_t x = integral_now(p, end) - in->run_fx;
    if (dur < 60)
        x += fixed(price_at(p, end)) * (fx_t)(60 - dur);
    return ldexp((double)x, -FRAC) / 3600;
}

static void end_spot(model_t *m, int i, int interrupted) {
    inst_t *in = &m->insts[i];
    pool_t *p = &m->pools[in->pool];
    contrib(m, in, -1);
    m->dirty = m->now;
    if (in->run_t >= 0)
        m->spot_cost += spot_charge(m, in, m->now, interrupted);
    in->state = GONE;
    for (int k = 0; k < p->ninst; k++)
        if (p->inst[k] == i) {
            memmove(&p->inst[k], &p->inst[k + 1], (size_t)(p->ninst - k - 1) * sizeof(int));
            p->ninst--;
            break;
        }
}

static void price_step(model_t *m, int j, int k) {
    pool_t *p = &m->pools[j];
    if (k + 1 < p->nsteps && p->steps[k + 1].t < m->end)
        at(m, p->steps[k + 1].t, STATE, EV_PRICE, j, k + 1);
    p->fx_sum = integral_now(p, m->now), p->fx_t0 = m->now;
    p->price = p->steps[k].price;
    p->fx_price = fixed(p->price);
    if (p->price > p->max_price) { /* outbid: every instance gets its notice */
        for (int q = p->ninst - 1; q >= 0; q--) {
            if (q >= p->ninst)
                continue;
            int i = p->inst[q];
            if (m->insts[i].state == LAUNCHING) {
                end_spot(m, i, 1);
            } else if (m->insts[i].state == RUNNING) {
                set_state(m, i, NOTICE, m->insts[i].registered);
                at(m, m->now + 120, STATE, EV_SPOT_END, i, 0);
            }
        }
    }
    fill(m);
}

/* ---- the on-demand group and the classic controller ---------------------- */

static void end_od(model_t *m, int i) {
    inst_t *in = &m->insts[i];
    if (in->registered)
        m->od_units -= m->od_weight;
    if (in->run_t >= 0) {
        long long dur = m->now - in->run_t;
        m->od_cost += ((double)(dur > 60 ? dur : 60) * m->od_price) / 3600;
    }
    in->state = GONE;
    for (int k = 0; k < m->nod; k++)
        if (m->od[k] == i) {
            memmove(&m->od[k], &m->od[k + 1], (size_t)(m->nod - k - 1) * sizeof(int));
            m->nod--;
            break;
        }
    m->od_live--;
}

static int victim(model_t *m) {
    for (int k = m->nod - 1; k >= 0; k--) /* launching first, the newest */
        if (m->insts[m->od[k]].state == LAUNCHING)
            return m->od[k];
    int best = -1;
    long long bkey = 0;
    for (int k = 0; k < m->nod; k++) { /* closest to its hour's end, the oldest on a tie */
        const inst_t *in = &m->insts[m->od[k]];
        long long key = 3600 - (m->now - in->run_t) % 3600;
        if (best < 0 || key < bkey || (key == bkey && in->serial < m->insts[best].serial))
            best = m->od[k], bkey = key;
    }
    return best;
}

static void set_desired(model_t *m, int n) {
    m->desired = n;
    if (n > m->od_live) {
        long long last = m->now;
        while (m->od_live < n) {
            int i = new_inst(m, -1);
            if (m->nod == m->capod)
                m->od = grow(m->od, &m->capod, sizeof *m->od);
            m->od[m->nod++] = i;
            long long t = m->now + m->od_delay;
            last = t > last ? t : last;
            at(m, t, STATE, EV_OD_RUNNING, i, 0);
            m->od_live++;
        }
        if (last + m->cooldown > m->cooldown_until)
            m->cooldown_until = last + m->cooldown;
    } else if (n < m->od_live) {
        while (m->od_live > n)
            end_od(m, victim(m));
        long long u = m->now + m->od_term_delay + m->cooldown;
        if (u > m->cooldown_until)
            m->cooldown_until = u;
    }
}

static void invoke(model_t *m) {
    long long now = m->now;
    m->invoke_key = now + 60 < m->end ? 4 * (now + 60) + CONTROLLER : -1;
    /* TargetCapacity never changes in this model: the fleet never scaled
       recently, and the one datapoint of the last minute, if any, is the
       newest. */
    double pend = 32.0; /* fallback_capacity */
    if (m->dp_n > 0) {
        const double *d = m->dp[m->dp_n - 1];
        if (now - 60 <= d[0] && d[0] < now)
            pend = d[2];
    }
    double x = pend / 4 + 0.999999;
    int required = !(x > 0) ? 0 : x >= 2147483647 ? 2147483647 : (int)x;
    if (required == m->desired)
        return;
    int honor = required < m->desired;
    int to = required < 0 ? 0 : required;
    to = to < m->asg_max ? to : m->asg_max;
    if (to == m->desired)
        return;
    if (honor && now < m->cooldown_until)
        return; /* ScalingActivityInProgress */
    set_desired(m, to);
}

static void dispatch(model_t *m, const ev_t *e) {
    inst_t *in = e->kind == EV_MINUTE || e->kind == EV_INVOKE || e->kind == EV_PRICE
        ? NULL : &m->insts[e->a];
    switch (e->kind) {
    case EV_PRICE:
        price_step(m, e->a, e->b);
        break;
    case EV_SPOT_RUNNING:
        if (in->state != LAUNCHING)
            break;
        in->run_t = m->now;
        in->run_fx = integral_now(&m->pools[in->pool], m->now);
        set_state(m, e->a, RUNNING, 0);
        at(m, m->now + m->reg_delay, STATE, EV_SPOT_REG, e->a, 0);
        break;
    case EV_SPOT_REG:
        if (in->state != GONE)
            set_state(m, e->a, in->state, 1);
        break;
    case EV_SPOT_END:
        end_spot(m, e->a, 1);
        fill(m);
        break;
    case EV_MINUTE:
        push_datapoint(m, (double)(m->now - 60), m->pmax_t, m->pmax_p);
        m->pmax_set = 0;
        m->dirty = m->now;
        m->minute_key = m->now + 60 < m->end ? 4 * (m->now + 60) + PERIOD : -1;
        break;
    case EV_INVOKE:
        invoke(m);
        break;
    case EV_OD_RUNNING:
        if (in->state == GONE)
            break;
        in->state = RUNNING, in->run_t = m->now;
        at(m, m->now + m->reg_delay, STATE, EV_OD_REG, e->a, 0);
        break;
    case EV_OD_REG:
        if (in->state != GONE)
            in->registered = 1, m->od_units += m->od_weight;
        break;
    }
}

/* ---- loading and the run ------------------------------------------------- */

static int load(model_t *m, const char *params, const char *prices) {
    FILE *f = fopen(params, "r");
    if (!f)
        return perror(params), 1;
    int ok = fscanf(f, "%lld %lld %lf %lld %lld %lf %lf %d %lld %lld %lld %lld %d", &m->start,
                    &m->end, &m->target, &m->launch_delay, &m->reg_delay, &m->od_weight,
                    &m->od_price, &m->asg_max, &m->cooldown, &m->od_delay, &m->od_term_delay,
                    &m->offset, &m->npools) == 13 && m->npools > 0 && m->npools <= 16;
    for (int j = 0; ok && j < m->npools; j++) {
        pool_t *p = &m->pools[j];
        ok = fscanf(f, "%31s %31s %lf %lf %lf", p->type, p->az, &p->weight, &p->od_price,
                    &p->max_price) == 5;
        p->type_len = strlen(p->type), p->az_len = strlen(p->az);
    }
    fclose(f);
    if (!ok)
        return fprintf(stderr, "floor: %s: malformed\n", params), 1;
    f = fopen(prices, "r");
    if (!f)
        return perror(prices), 1;
    size_t cap = 1 << 20, len = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0)
        if ((len += got) == cap)
            buf = realloc(buf, (cap *= 2) + 1);
    fclose(f);
    if (!buf)
        return fprintf(stderr, "floor: out of memory\n"), 1;
    buf[len] = 0;
    static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
                                   1e11, 1e12, 1e13, 1e14, 1e15};
    char *s = strchr(buf, '\n'); /* past the header */
    int last = 0;
    while (s && *++s) {
        long long t = 0;
        while (*s >= '0' && *s <= '9')
            t = 10 * t + (*s++ - '0');
        char *type = ++s, *az = strchr(s, ',');
        if (!az)
            break;
        size_t tl = (size_t)(az - type);
        char *v = strchr(++az, ',');
        if (!v)
            break;
        size_t al = (size_t)(v - az);
        /* digits / 10^decimals: one correctly rounded division, as strtod */
        long long num = 0;
        int dec = -1;
        for (s = v + 1; (*s >= '0' && *s <= '9') || *s == '.'; s++) {
            if (*s == '.')
                dec = 0;
            else
                num = 10 * num + (*s - '0'), dec += dec >= 0;
        }
        double price = (double)num / pow10[dec > 0 ? dec : 0];
        s = strchr(s, '\n');
        if (dec > 15 || num >= (1LL << 53))
            return free(buf), fprintf(stderr, "floor: price beyond a plain decimal\n"), 1;
        for (int q = 0; q < m->npools; q++) {
            int j = (last + q) % m->npools;
            pool_t *p = &m->pools[j];
            if (p->type_len != tl || p->az_len != al || memcmp(p->type, type, tl) ||
                memcmp(p->az, az, al))
                continue;
            if (p->nsteps == p->capsteps)
                p->steps = grow(p->steps, &p->capsteps, sizeof *p->steps);
            int k = p->nsteps++; /* stable insertion: a trace is nearly sorted */
            while (k > 0 && p->steps[k - 1].t > t) {
                p->steps[k] = p->steps[k - 1];
                k--;
            }
            p->steps[k] = (step_t){t, price};
            last = j + 1;
            break;
        }
    }
    free(buf);
    for (int j = 0; j < m->npools; j++)
        if (!m->pools[j].nsteps)
            return fprintf(stderr, "floor: pool %d has no prices\n", j), 1;
    return 0;
}

static int by_serial(const void *a, const void *b) {
    long long x = (*(const inst_t *const *)a)->serial, y = (*(const inst_t *const *)b)->serial;
    return (x > y) - (x < y);
}

static void simulate(model_t *m) {
    long long start = m->start;
    m->now = start, m->acc_t = start, m->dirty = -1, m->cooldown_until = -(1LL << 62);
    for (int j = 0; j < m->npools; j++) {
        pool_t *p = &m->pools[j];
        int i = 0;
        while (i < p->nsteps && p->steps[i].t <= start)
            i++;
        p->price = i ? p->steps[i - 1].price : p->steps[0].price;
        p->fx_price = fixed(p->price);
        p->fx_t0 = start;
        if (i < p->nsteps && p->steps[i].t < m->end)
            at(m, p->steps[i].t, STATE, EV_PRICE, j, i);
    }
    fill(m);
    for (int j = 0; j < m->npools; j++) { /* the fleet at the start runs already */
        pool_t *p = &m->pools[j];
        for (int k = 0; k < p->ninst; k++) {
            inst_t *in = &m->insts[p->inst[k]];
            contrib(m, in, -1);
            in->state = RUNNING, in->registered = 1, in->initial = 1, in->run_t = start;
            contrib(m, in, 1);
        }
    }
    double pend = m->target - m->fulfilled;
    pend = pend > 0.0 ? pend : 0.0;
    for (int k = 11; k >= 1; k--)
        push_datapoint(m, (double)(start - 60 * k), m->target, pend);
    m->pmax_t = m->target, m->pmax_p = pend, m->pmax_set = 1;
    m->minute_key = start + 60 < m->end ? 4 * (start + 60) + PERIOD : -1;
    long long first = start + (((m->offset - start) % 60) + 60) % 60;
    m->invoke_key = first < m->end ? 4 * first + CONTROLLER : -1;
    long long until = 4 * m->end + 2; /* state changes at the end count */
    for (;;) {
        /* The periods and the controller keep a schedule of their own: the
           only events of their classes, they never tie with the queue's. */
        ev_t e = {until, 0, 0, 0, 0};
        if (m->nheap > 0)
            e.key = m->heap[0].key;
        if (m->minute_key >= 0 && m->minute_key < e.key)
            e = (ev_t){m->minute_key, 0, EV_MINUTE, 0, 0};
        if (m->invoke_key >= 0 && m->invoke_key < e.key)
            e = (ev_t){m->invoke_key, 0, EV_INVOKE, 0, 0};
        if (e.key >= until)
            break;
        if (e.kind == EV_MINUTE)
            m->minute_key = -1;
        else if (e.kind == EV_INVOKE)
            m->invoke_key = -1;
        else
            e = pop(m);
        long long sec = e.key >> 2;
        if (m->dirty >= 0 && sec > m->dirty)
            settle(m);
        m->now = sec;
        account(m, sec);
        m->events++;
        dispatch(m, &e);
    }
    m->now = m->end;
    account(m, m->end);
    inst_t **live = malloc(sizeof *live * (size_t)(m->ninsts + 1));
    if (!live) {
        fprintf(stderr, "floor: out of memory\n");
        exit(1);
    }
    int n = 0;
    for (int i = 0; i < m->ninsts; i++)
        if (m->insts[i].pool >= 0 && m->insts[i].state != GONE && m->insts[i].run_t >= 0)
            live[n++] = &m->insts[i];
    qsort(live, (size_t)n, sizeof *live, by_serial);
    for (int k = 0; k < n; k++)
        m->spot_cost += spot_charge(m, live[k], m->end, 0);
    n = 0;
    for (int k = 0; k < m->nod; k++)
        if (m->insts[m->od[k]].run_t >= 0)
            live[n++] = &m->insts[m->od[k]];
    qsort(live, (size_t)n, sizeof *live, by_serial);
    for (int k = 0; k < n; k++) {
        long long dur = m->end - live[k]->run_t;
        m->od_cost += ((double)(dur > 60 ? dur : 60) * m->od_price) / 3600;
    }
    free(live);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: floor PARAMS PRICES.csv\n");
        return 2;
    }
    static model_t m;
    if (load(&m, argv[1], argv[2]))
        return 1;
    simulate(&m);
    printf("{\"spot_cost\": %.17g, \"od_cost\": %.17g, \"total_cost\": %.17g, "
           "\"coverage_pct\": %.17g, \"events\": %lld}\n",
           m.spot_cost, m.od_cost, m.spot_cost + m.od_cost,
           m.required_s ? 100 * m.covered / m.required_s : 100.0, m.events);
    for (int j = 0; j < m.npools; j++)
        free(m.pools[j].steps), free(m.pools[j].inst);
    free(m.insts), free(m.heap), free(m.od), free(m.dp);
    return 0;
}
