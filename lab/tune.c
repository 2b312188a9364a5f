/*
** tune.c: the pattern search of `spotbench tune` (tune.h) and the default
** search ranges of each policy.
*/
#include "lab/tune.h"
#include "traces/rng.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- default ranges ------------------------------------------------------- */

/* Each range spans what a user would consider, at a step the figures
** resolve; asg.DefaultCooldown paces every policy that honours it when it
** scales in (classic, guarded, karpenter). */
static const char *const r_classic[] = {
    "window=60:1200:60", "asg.DefaultCooldown=0:3600:300", NULL};
static const char *const r_guarded[] = {
    "confirm=1:4:1",        "staleness=120:300:60", "scale_in_delay=0:3600:300",
    "scale_in_step=1:8:1",  "headroom_units=0:8:4", "asg.DefaultCooldown=0:3600:300",
    NULL};
static const char *const r_hedge[] = {
    "cold_start=0:900:60", "overprovision=0:4:1", "recent=0:3600:300", NULL};
/* The native strategies: the on-demand share, in the seed's 4-unit steps
** (docs/native.md). */
static const char *const r_mixed[] = {
    "on_demand_base=0:32:4", "on_demand_percentage=0:100:10", NULL};
static const char *const r_providers[] = {
    "base=0:32:4", "weight_on_demand=0:4:1", "target_capacity=50:100:10", NULL};
static const char *const r_karpenter[] = {
    "fallback_wait=0:600:60", "consolidate_after=0:3600:300",
    "asg.DefaultCooldown=0:3600:300", NULL};

const char *const *lab_tune_ranges(const char *policy) {
    static const struct {
        const char *name;
        const char *const *r;
    } t[] = {{"classic", r_classic},
             {"guarded", r_guarded},
             {"hedge", r_hedge},
             {"karpenter", r_karpenter},
             {"mixed-instances", r_mixed},
             {"capacity-providers", r_providers}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].name, policy) == 0) return t[i].r;
    return NULL;
}

size_t lab_tune_npoints(const size_t *dim, size_t ndims) {
    size_t n = 1;
    for (size_t k = 0; k < ndims; k++) {
        if (dim[k] && n > SIZE_MAX / dim[k]) return SIZE_MAX;
        n *= dim[k];
    }
    return n;
}

/* ---- the search ----------------------------------------------------------- */

typedef struct {
    size_t point;
    double *cost, *cov; /* per case; cov < 0: not run */
    size_t known;
} entry;

typedef struct {
    const lab_tune_cfg *cfg;
    lab_tune_eval eval;
    void *ctx;
    char *err;
    size_t errlen;
    entry *e;
    size_t n, cap;
    size_t runs;
    int out_of_budget;
    /* scratch for a batch */
    size_t *runs_buf;
    double *cost_buf, *cov_buf;
    size_t bufcap;
} search;

static entry *find(search *s, size_t point) {
    for (size_t i = 0; i < s->n; i++)
        if (s->e[i].point == point) return &s->e[i];
    return NULL;
}

static entry *get(search *s, size_t point) {
    entry *x = find(s, point);
    if (x) return x;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        entry *e = realloc(s->e, cap * sizeof *e);
        if (!e) return NULL;
        s->e = e;
        s->cap = cap;
    }
    x = &s->e[s->n];
    x->point = point;
    x->known = 0;
    x->cost = malloc(s->cfg->ncases * sizeof *x->cost);
    x->cov = malloc(s->cfg->ncases * sizeof *x->cov);
    if (!x->cost || !x->cov) {
        free(x->cost);
        free(x->cov);
        return NULL;
    }
    for (size_t c = 0; c < s->cfg->ncases; c++) x->cov[c] = -1;
    s->n++;
    return x;
}

static int complete(const search *s, const entry *x) { return x->known == s->cfg->ncases; }

static double total(const search *s, const entry *x) {
    double t = 0;
    for (size_t c = 0; c < s->cfg->ncases; c++)
        if (x->cov[c] >= 0) t += x->cost[c];
    return t;
}

static double lowest(const search *s, const entry *x) {
    double m = 1e300;
    for (size_t c = 0; c < s->cfg->ncases; c++)
        if (x->cov[c] >= 0 && x->cov[c] < m) m = x->cov[c];
    return m;
}

/* Is complete point a better than complete point b? */
static int better(const search *s, const entry *a, const entry *b) {
    double la = lowest(s, a), lb = lowest(s, b);
    int fa = la >= s->cfg->min_cov, fb = lb >= s->cfg->min_cov;
    if (fa != fb) return fa;
    double ca = total(s, a), cb = total(s, b);
    if (fa) {
        if (ca != cb) return ca < cb;
    } else {
        if (la != lb) return la > lb;
        if (ca != cb) return ca < cb;
    }
    return a->point < b->point;
}

static int oom(search *s) {
    snprintf(s->err, s->errlen, "out of memory");
    return -1;
}

/* Runs the (point, case) pairs given as parallel lists, those not yet known,
** in one batch within the budget. */
static int run_batch(search *s, const size_t *points, const size_t *cases, size_t n) {
    if (n > s->bufcap) {
        size_t *r = realloc(s->runs_buf, n * sizeof *r);
        if (r) s->runs_buf = r;
        double *c = realloc(s->cost_buf, n * sizeof *c);
        if (c) s->cost_buf = c;
        double *v = realloc(s->cov_buf, n * sizeof *v);
        if (v) s->cov_buf = v;
        if (!r || !c || !v) return oom(s);
        s->bufcap = n;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        entry *x = get(s, points[i]);
        if (!x) return oom(s);
        if (x->cov[cases[i]] >= 0) continue;
        size_t r = points[i] * s->cfg->ncases + cases[i];
        int dup = 0;
        for (size_t k = 0; k < m && !dup; k++) dup = s->runs_buf[k] == r;
        if (dup) continue;
        if (s->cfg->budget && s->runs + m >= s->cfg->budget) {
            s->out_of_budget = 1;
            break;
        }
        s->runs_buf[m++] = r;
    }
    if (m == 0) return 0;
    if (s->eval(s->ctx, s->runs_buf, m, s->cost_buf, s->cov_buf, s->err, s->errlen)) return -1;
    s->runs += m;
    for (size_t k = 0; k < m; k++) {
        size_t p = s->runs_buf[k] / s->cfg->ncases, c = s->runs_buf[k] % s->cfg->ncases;
        entry *x = find(s, p);
        double cov = s->cov_buf[k];
        x->cost[c] = s->cost_buf[k];
        x->cov[c] = cov < 0 ? 0 : cov; /* a coverage is never below 0 */
        x->known++;
    }
    return 0;
}

/* Runs every case of one point. */
static int run_full(search *s, size_t point) {
    size_t nc = s->cfg->ncases;
    size_t *p = malloc(nc * sizeof *p), *c = malloc(nc * sizeof *c);
    if (!p || !c) {
        free(p);
        free(c);
        return oom(s);
    }
    for (size_t i = 0; i < nc; i++) {
        p[i] = point;
        c[i] = i;
    }
    int rc = run_batch(s, p, c, nc);
    free(p);
    free(c);
    return rc;
}

/* The incumbent's binding case: its lowest coverage (the first on ties). */
static size_t binding(const search *s, const entry *inc) {
    size_t b = 0;
    for (size_t c = 1; c < s->cfg->ncases; c++)
        if (inc->cov[c] < inc->cov[b]) b = c;
    return b;
}

/* Could candidate x, run on some cases, still beat the incumbent? */
static int promising(const search *s, const entry *x, const entry *inc) {
    int inc_ok = lowest(s, inc) >= s->cfg->min_cov;
    double lx = lowest(s, x);
    if (inc_ok) return lx >= s->cfg->min_cov && total(s, x) < total(s, inc);
    return lx > lowest(s, inc) || (lx == lowest(s, inc) && total(s, x) < total(s, inc));
}

static void decode(const lab_tune_cfg *cfg, size_t point, size_t *idx) {
    for (size_t k = cfg->ndims; k-- > 0;) {
        idx[k] = point % cfg->dim[k];
        point /= cfg->dim[k];
    }
}

static size_t encode(const lab_tune_cfg *cfg, const size_t *idx) {
    size_t p = 0;
    for (size_t k = 0; k < cfg->ndims; k++) p = p * cfg->dim[k] + idx[k];
    return p;
}

/* One local search from `start`; *best is updated with what it finds. */
static int local(search *s, size_t start, size_t *best, int *have_best, int *converged) {
    const lab_tune_cfg *cfg = s->cfg;
    size_t d = cfg->ndims;
    size_t *idx = malloc((d + 1) * sizeof *idx), *step = malloc((d + 1) * sizeof *step);
    size_t *cand = malloc((2 * d + 1) * sizeof *cand);
    size_t *pp = malloc((2 * d + 1) * cfg->ncases * sizeof *pp);
    size_t *cc = malloc((2 * d + 1) * cfg->ncases * sizeof *cc);
    int rc = 0;
    if (!idx || !step || !cand || !pp || !cc) {
        rc = oom(s);
        goto out;
    }
    for (size_t k = 0; k < d; k++) step[k] = cfg->dim[k] / 4 ? cfg->dim[k] / 4 : 1;
    if ((rc = run_full(s, start))) goto out;
    size_t x = start;
    *converged = 0;
    for (const entry *cur; !s->out_of_budget && (cur = find(s, x)) && complete(s, cur);) {
        decode(cfg, x, idx);
        size_t nc = 0;
        for (size_t k = 0; k < d; k++)
            for (int sign = -1; sign <= 1; sign += 2) {
                size_t save = idx[k];
                if (sign < 0 && idx[k] < step[k]) continue;
                if (sign > 0 && idx[k] + step[k] >= cfg->dim[k]) continue;
                idx[k] = sign < 0 ? idx[k] - step[k] : idx[k] + step[k];
                cand[nc++] = encode(cfg, idx);
                idx[k] = save;
            }
        /* Stage 1: the incumbent's binding case. */
        const entry *inc = find(s, x);
        size_t bc = binding(s, inc), n = 0;
        for (size_t i = 0; i < nc; i++) {
            pp[n] = cand[i];
            cc[n++] = bc;
        }
        if ((rc = run_batch(s, pp, cc, n))) goto out;
        inc = find(s, x); /* run_batch may have moved the entries */
        /* Stage 2: the other cases of the promising ones. */
        n = 0;
        for (size_t i = 0; i < nc; i++) {
            const entry *e = find(s, cand[i]);
            if (!e || e->cov[bc] < 0 || !promising(s, e, inc)) continue;
            for (size_t c = 0; c < cfg->ncases; c++) {
                pp[n] = cand[i];
                cc[n++] = c;
            }
        }
        if ((rc = run_batch(s, pp, cc, n))) goto out;
        inc = find(s, x);
        const entry *win = inc;
        for (size_t i = 0; i < nc; i++) {
            const entry *e = find(s, cand[i]);
            if (e && complete(s, e) && better(s, e, win)) win = e;
        }
        if (win != inc) {
            x = win->point;
            continue;
        }
        int all_one = 1;
        for (size_t k = 0; k < d; k++) {
            if (step[k] > 1) all_one = 0;
            step[k] = step[k] / 2 ? step[k] / 2 : 1;
        }
        if (all_one) {
            *converged = !s->out_of_budget;
            break;
        }
    }
    const entry *e = find(s, x);
    if (e && complete(s, e) && (!*have_best || better(s, e, find(s, *best)))) {
        *best = x;
        *have_best = 1;
    }
out:
    free(idx);
    free(step);
    free(cand);
    free(pp);
    free(cc);
    return rc;
}

int lab_tune_run(const lab_tune_cfg *cfg, lab_tune_eval eval, void *ctx,
                 lab_tune_result *res, char *err, size_t errlen) {
    memset(res, 0, sizeof *res);
    if (cfg->ndims == 0 || cfg->ncases == 0) {
        snprintf(err, errlen, "nothing to tune: %s", cfg->ndims ? "no case" : "no range");
        return -1;
    }
    size_t np = lab_tune_npoints(cfg->dim, cfg->ndims);
    if (np == 0 || np == SIZE_MAX || np > SIZE_MAX / cfg->ncases) {
        snprintf(err, errlen, "the ranges give %s points", np == 0 ? "no" : "too many");
        return -1;
    }
    for (size_t k = 0; k < cfg->ndims; k++)
        if (cfg->start[k] >= cfg->dim[k]) {
            snprintf(err, errlen, "start index %zu of axis %zu is out of range", cfg->start[k], k);
            return -1;
        }
    search s;
    memset(&s, 0, sizeof s);
    s.cfg = cfg;
    s.eval = eval;
    s.ctx = ctx;
    s.err = err;
    s.errlen = errlen;
    size_t best = 0;
    int have_best = 0, converged = 0, rc = 0;
    uint64_t st = cfg->seed ^ 0x9E3779B97F4A7C15ull;
    size_t start = encode(cfg, cfg->start);
    for (size_t r = 0; r <= cfg->restarts && rc == 0 && !s.out_of_budget; r++) {
        if (r > 0) start = (size_t)(trc_splitmix64(&st) % np);
        rc = local(&s, start, &best, &have_best, &converged);
    }
    if (rc == 0) {
        res->runs = s.runs;
        res->points = s.n;
        for (size_t i = 0; i < s.n; i++) res->complete += complete(&s, &s.e[i]);
        res->converged = converged;
        if (have_best) {
            const entry *e = find(&s, best);
            res->point = best;
            res->cost = total(&s, e);
            res->min_cov = lowest(&s, e);
            res->feasible = res->min_cov >= cfg->min_cov;
        }
    }
    for (size_t i = 0; i < s.n; i++) {
        free(s.e[i].cost);
        free(s.e[i].cov);
    }
    free(s.e);
    free(s.runs_buf);
    free(s.cost_buf);
    free(s.cov_buf);
    return rc;
}
