/*
** policy.c: the policy registry, parameter handling, the datapoint window
** query and observation checks shared by every policy.
*/
#include "policy_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const metric_names[POL_NMETRICS] = {
    "TargetCapacity", "PendingCapacity", "FulfilledCapacity",
    "TerminatingCapacity"};

const char *pol_metric_name(pol_metric m) {
    return (m >= 0 && m < POL_NMETRICS) ? metric_names[m] : NULL;
}

int pol_metric_find(const char *name) {
    for (int i = 0; i < POL_NMETRICS; i++)
        if (strcmp(name, metric_names[i]) == 0) return i;
    return -1;
}

static const pol_policy *const registry[] = {
    &pol_classic, &pol_guarded, &pol_hedge, &pol_karpenter, &pol_none_policy,
    &pol_ondemand, &pol_mixed_instances, &pol_capacity_providers, &pol_oracle, NULL};

const pol_policy *const *pol_list(void) { return registry; }

const pol_policy *pol_find(const char *name) {
    for (size_t i = 0; registry[i]; i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}

void pol_params_default(const pol_policy *pol, pol_params *p) {
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < pol->nparams; i++) p->v[i] = pol->params[i].def;
}

int pol_param_index(const pol_policy *pol, const char *key) {
    for (size_t i = 0; i < pol->nparams; i++)
        if (strcmp(pol->params[i].name, key) == 0) return (int)i;
    return -1;
}

unsigned pol_reads(const pol_policy *pol, const pol_params *p) {
    unsigned all = (1u << POL_NMETRICS) - 1;
    (void)p;
    return (pol->reads ? pol->reads : all) & all;
}

const char *pol_event_detail_type(pol_event_kind k) {
    static const char *const names[] = {"EC2 Spot Instance Interruption Warning",
                                        "EC2 Instance Rebalance Recommendation"};
    return (unsigned)k < POL_NEVENTS ? names[k] : NULL;
}

const char *pol_event_key(pol_event_kind k) {
    static const char *const keys[] = {"InterruptionWarnings", "RebalanceRecommendations"};
    return (unsigned)k < POL_NEVENTS ? keys[k] : NULL;
}

int pol_events_in(const pol_events *e, pol_event_kind k, int64_t from, int64_t to,
                  double *units) {
    int n = 0;
    if ((unsigned)k >= POL_NEVENTS) return 0;
    for (size_t i = 0; i < e->n[k]; i++)
        if (e->ev[k][i].t > from && e->ev[k][i].t <= to) {
            n++;
            if (units) *units += e->ev[k][i].v;
        }
    return n;
}

int pol_launch_failures_in(const pol_launch_failures *f, int64_t from, int64_t to) {
    int n = 0;
    for (size_t i = 0; i < f->n; i++) n += f->t[i] > from && f->t[i] <= to;
    return n;
}

int pol_reads_launch_failures(const pol_policy *pol, const pol_params *p) {
    if (!(pol->reads & POL_READS_LAUNCH_FAILURES)) return 0;
    int k = pol_param_index(pol, "use_launch_failures");
    return k < 0 || !p || p->v[k] != 0;
}

int pol_is_param(const char *key, size_t len) {
    char k[64];
    if (len >= sizeof k) return 0;
    memcpy(k, key, len);
    k[len] = '\0';
    for (size_t i = 0; registry[i]; i++)
        if (pol_param_index(registry[i], k) >= 0) return 1;
    return 0;
}

/* Checks v against parameter i's rule and stores it; `shown` is v as the
** messages quote it (the user's text, or its shortest exact spelling). */
static int param_put(const pol_policy *pol, pol_params *p, int i, double v, const char *shown,
               char *err, size_t errlen) {
    const pol_param_def *d = &pol->params[i];
    if (d->integer && v != floor(v)) {
        snprintf(err, errlen, "%s: must be a whole number, got %s", d->name, shown);
        return -1;
    }
    if (v < d->min || v > d->max) {
        snprintf(err, errlen, "%s: must be between %g and %g, got %s", d->name, d->min,
                 d->max, shown);
        return -1;
    }
    p->v[i] = v;
    return 0;
}

static int index_or_fail(const pol_policy *pol, const char *key, char *err,
                         size_t errlen) {
    int i = pol_param_index(pol, key);
    if (i < 0)
        snprintf(err, errlen, "unknown parameter '%s' for policy %s", key, pol->name);
    return i;
}

int pol_param_set(const pol_policy *pol, pol_params *p, const char *key,
                  const char *value, char *err, size_t errlen) {
    int i = index_or_fail(pol, key, err, errlen);
    if (i < 0) return -1;
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (end == value || *end != '\0' || errno == ERANGE || !isfinite(v)) {
        snprintf(err, errlen, "%s: '%s' is not a number", key, value);
        return -1;
    }
    return param_put(pol, p, i, v, value, err, errlen);
}

int pol_param_put(const pol_policy *pol, pol_params *p, const char *key, double v,
                  char *err, size_t errlen) {
    int i = index_or_fail(pol, key, err, errlen);
    if (i < 0) return -1;
    if (!isfinite(v)) {
        snprintf(err, errlen, "%s: must be a finite number", key);
        return -1;
    }
    /* The shortest spelling that reads back as v, for the messages. */
    char shown[40];
    snprintf(shown, sizeof shown, "%.15g", v);
    if (strtod(shown, NULL) != v) snprintf(shown, sizeof shown, "%.17g", v);
    return param_put(pol, p, i, v, shown, err, errlen);
}

/* Keeps a "set" within [0, MaxSize]: a policy may compute any count (the
** original controller's arithmetic has no bound), but a value AWS would
** reject must never reach SetDesiredCapacity. */
#define LAZY_QUIET 3 /* pol_decision.quiet of pol_decide_lazy(): "none" has no reason */
#define LAZY_ALL (-1) /* of pol_decide_lazy() when "none" reasons are kept too */
static int is_lazy(const pol_decision *d);

static void clamp_decision(const pol_obs *obs, pol_decision *d) {
    if (d->action != POL_ACT_SET || !obs->asg.known) return;
    int to = d->desired;
    if (to < 0) to = 0;
    if (to > obs->asg.max_size) to = obs->asg.max_size;
    if (to == d->desired) return;
    if (is_lazy(d)) { /* the reason grows: its text first */
        char buf[POL_REASON_MAX];
        snprintf(d->reason, sizeof d->reason, "%s", pol_reason(d, buf));
        d->quiet = 1;
    }
    size_t len = strlen(d->reason);
    if (to == obs->asg.desired) {
        d->action = POL_ACT_NONE;
        d->honor_cooldown = 0;
        snprintf(d->reason + len, sizeof d->reason - len,
                 "; clamped to %s %d: already desired",
                 to == 0 ? "0" : "MaxSize", to);
    } else {
        snprintf(d->reason + len, sizeof d->reason - len,
                 "; clamped to %s %d", to == 0 ? "0" : "MaxSize", to);
    }
    d->desired = to;
}

void pol_decide(const pol_policy *pol, const pol_obs *obs,
                const pol_params *p, pol_decision *out) {
    out->quiet = obs->quiet_all ? 2 : obs->quiet_none != 0;
    out->held = 0;
    if (__builtin_expect(pol->ops && pol->ops->decide, 0)) pol->ops->decide(pol->ctx, obs, p, out);
    else pol->decide(obs, p, out);
    clamp_decision(obs, out);
}

void pol_decide_lazy(const pol_policy *pol, const pol_obs *obs, const pol_params *p,
                     pol_decision *out) {
    /* Only a decide function of this binary calls this pol_set (a loaded
    ** library has its own copy, which knows nothing of lazy reasons). */
    int ours = !pol->ops && !obs->quiet_all;
    for (size_t i = 0; ours && registry[i]; i++)
        if (registry[i]->decide == pol->decide) {
            out->quiet = obs->quiet_none ? LAZY_QUIET : LAZY_ALL;
            out->held = 0;
            pol->decide(obs, p, out);
            clamp_decision(obs, out);
            return;
        }
    pol_decide(pol, obs, p, out);
}

int pol_shift_invariant(const pol_policy *pol) {
    /* Read for it: each reads now only as the end of its windows (pol_window,
    ** pol_events_in over (now - span, now]), never events.since, and names
    ** no time in a reason. */
    return !pol->ops && (pol->decide == pol_classic.decide || pol->decide == pol_guarded.decide);
}

void pol_close(const pol_policy *pol) {
    if (pol && pol->close) pol->close(pol);
}

const char *pol_label(const pol_policy *pol) { return pol->label ? pol->label : pol->name; }

int pol_begin(const pol_policy *pol, uint64_t seed, const pol_params *p, char *err,
              size_t errlen) {
    return pol->ops && pol->ops->begin ? pol->ops->begin(pol->ctx, seed, p, err, errlen) : 0;
}

int pol_status(const pol_policy *pol, char *err, size_t errlen) {
    return pol->ops && pol->ops->status ? pol->ops->status(pol->ctx, err, errlen) : 0;
}

int64_t pol_period(const pol_obs *o) { return o->period > 0 ? o->period : 60; }

int64_t pol_lookback(const pol_policy *pol, const pol_params *p,
                     int64_t period) {
    if (pol->ops && pol->ops->lookback)
        return pol->ops->lookback(pol->ctx, p, period > 0 ? period : 60);
    return pol->lookback(p, period > 0 ? period : 60);
}

/* Rounds t down to a multiple of q (q > 0), also for negative t. */
static int64_t floor_to(int64_t t, int64_t q) {
    int64_t r = t % q;
    return r < 0 ? t - r - q : t - r;
}

int64_t pol_window_start(int64_t now, int64_t w, int64_t period) {
    /* 1-minute data is the common case: a division by a constant is a
    ** multiplication, by a variable tens of cycles, every minute. */
    if (period == 60 || period <= 0) return floor_to(now - w, 60);
    return floor_to(now - w, period);
}

/* First index whose timestamp is >= t, by binary search. */
static size_t search(const pol_series *s, int64_t t) {
    size_t lo = 0, hi = s->n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->pts[mid].t < t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* First index whose timestamp is >= t. Datapoints are one Period apart
** when none is missing: the index that spacing gives is checked first, then
** a binary search over the sorted points. Inlined: a controller asks for a
** few windows every minute, and the checks above the search answer almost
** every time. */
static inline __attribute__((always_inline)) size_t lower_bound(const pol_series *s, int64_t t,
                                                                int64_t period) {
    size_t n = s->n;
    if (n == 0 || s->pts[n - 1].t < t) return n;
    if (s->pts[0].t >= t) return 0;
    /* pts[0].t < t <= pts[n - 1].t, so n >= 2 */
    /* 1-minute data again: a division by a constant is a multiplication,
    ** a division by a variable tens of cycles, twice per window a minute. */
    uint64_t span = (uint64_t)(s->pts[n - 1].t - t);
    uint64_t back = period == 60 ? span / 60 : span / (uint64_t)period;
    if (back < n - 1) {
        size_t g = n - 1 - (size_t)back;
        if (s->pts[g].t >= t && s->pts[g - 1].t < t) return g;
    }
    return search(s, t);
}

/* Inlined into each policy (with link-time optimisation: the binary): a
** policy asks for several windows every simulated minute. */
__attribute__((always_inline)) inline size_t pol_window(const pol_obs *o, const pol_series *s,
                                                        int64_t w, size_t *first) {
    int64_t period = pol_period(o);
    int64_t start = pol_window_start(o->now, w, period);
    size_t a = lower_bound(s, start, period);
    size_t b = o->now > start ? lower_bound(s, o->now, period) : a;
    *first = a;
    return b > a ? b - a : 0;
}

__attribute__((always_inline)) inline const pol_point *pol_freshest(const pol_obs *o,
                                                                    const pol_series *s,
                                                                    int64_t span) {
    size_t first, n = pol_window(o, s, span, &first);
    return n ? &s->pts[first + n - 1] : NULL;
}

/* Inlined into each policy too: it runs every simulated minute. */
__attribute__((always_inline)) inline int pol_require(const pol_obs *o, const pol_metric *need,
                                                      size_t n, int64_t stale,
                                                      const pol_point **fresh, pol_decision *d) {
    if (!o->asg.known) {
        pol_hold(d, "ASG state unknown; holding");
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        if (o->m[need[k]].failed) {
            pol_hold(d, "%s fetch failed; holding", pol_metric_name(need[k]));
            return -1;
        }
    }
    for (size_t k = 0; k < n; k++) {
        if (!(fresh[k] = pol_freshest(o, &o->m[need[k]], stale))) {
            pol_hold(d, "no %s datapoint within %llds; holding", pol_metric_name(need[k]),
                     (long long)stale);
            return -1;
        }
    }
    return 0;
}

int pol_window_whole(const pol_obs *o, const pol_series *s, int64_t w, int64_t *hole) {
    int64_t period = pol_period(o);
    size_t first, n = pol_window(o, s, w, &first);
    if (n == 0) return 1; /* the window lies after the newest datapoint */
    int64_t expect = pol_window_start(o->now, w, period);
    for (size_t i = first; i < first + n; i++) {
        /* Timestamps need not sit on the Period's grid: a datapoint later
        ** than a whole Period after the previous one leaves a Period out. */
        if (s->pts[i].t - expect >= period) {
            *hole = expect;
            return 0;
        }
        expect = s->pts[i].t + period;
    }
    return 1;
}

int pol_require_whole(const pol_obs *o, const pol_metric *ms, size_t n, int64_t w,
                      int desired, pol_decision *d) {
    for (size_t k = 0; k < n; k++) {
        int64_t hole;
        if (!pol_window_whole(o, &o->m[ms[k]], w, &hole)) {
            pol_hold(d, "%s has no datapoint %llds ago, within %llds; not scaling in from %d",
                     pol_metric_name(ms[k]), (long long)(o->now - hole), (long long)w,
                     desired);
            return -1;
        }
    }
    return 0;
}

int pol_value_at(const pol_series *s, int64_t t, double *v) {
    size_t i = lower_bound(s, t, 60); /* a guess of the spacing only: any finds it */
    if (i >= s->n || s->pts[i].t != t) return 0;
    *v = s->pts[i].v;
    return 1;
}

int pol_instances_for(double units, double per_instance) {
    if (!(units > 0)) return 0;
    double x = ceil(units / per_instance - 1e-9);
    return x > 1e9 ? 1000000000 : (int)x;
}

int64_t pol_stale_span(double staleness, int64_t period) {
    return (int64_t)staleness * period / 60;
}

int pol_obs_check(const pol_obs *obs, char *err, size_t errlen) {
    if (obs->period < 0 || obs->period % 60 != 0) {
        snprintf(err, errlen,
                 "period: must be a whole number of minutes (60, 300, ...), "
                 "got %lld",
                 (long long)obs->period);
        return -1;
    }
    for (int m = 0; m < POL_NMETRICS; m++) {
        const pol_series *s = &obs->m[m];
        if (s->failed && s->n) {
            snprintf(err, errlen, "%s: a failed fetch has no datapoints",
                     metric_names[m]);
            return -1;
        }
        for (size_t i = 0; i < s->n; i++) {
            if (!isfinite(s->pts[i].v) || s->pts[i].v < 0) {
                snprintf(err, errlen,
                         "metrics.%s[%zu]: value must be a finite number >= 0",
                         metric_names[m], i);
                return -1;
            }
            if (i && s->pts[i].t <= s->pts[i - 1].t) {
                snprintf(err, errlen,
                         "metrics.%s[%zu]: timestamps must be strictly "
                         "increasing",
                         metric_names[m], i);
                return -1;
            }
        }
    }
    const pol_events *e = &obs->events;
    for (int k = 0; k < POL_NEVENTS; k++) {
        if (e->n[k] && !e->known) {
            snprintf(err, errlen, "events: %s given without an event source",
                     pol_event_key((pol_event_kind)k));
            return -1;
        }
        for (size_t i = 0; i < e->n[k]; i++) {
            if (!isfinite(e->ev[k][i].v) || e->ev[k][i].v < 0) {
                snprintf(err, errlen, "events.%s[%zu]: units must be a finite number >= 0",
                         pol_event_key((pol_event_kind)k), i);
                return -1;
            }
            if (i && e->ev[k][i].t < e->ev[k][i - 1].t) {
                snprintf(err, errlen, "events.%s[%zu]: times must not decrease",
                         pol_event_key((pol_event_kind)k), i);
                return -1;
            }
        }
    }
    const pol_launch_failures *f = &obs->launch_failures;
    if (f->n && !f->known) {
        snprintf(err, errlen, "launch_failures: given without a source");
        return -1;
    }
    for (size_t i = 1; i < f->n; i++)
        if (f->t[i] < f->t[i - 1]) {
            snprintf(err, errlen, "launch_failures[%zu]: times must not decrease", i);
            return -1;
        }
    const pol_asg *a = &obs->asg;
    if (a->known) {
        if (a->min_size < 0 || a->desired < 0 || a->max_size < 0 ||
            a->in_service < 0) {
            snprintf(err, errlen, "asg: sizes must be >= 0");
            return -1;
        }
        if (a->min_size > a->max_size) {
            snprintf(err, errlen, "asg: MinSize %d is above MaxSize %d",
                     a->min_size, a->max_size);
            return -1;
        }
    }
    return 0;
}

/* Appends `len` bytes of s at buf[*k] within n (one byte kept for NUL). */
static void put(char *buf, size_t n, size_t *k, const char *s, size_t len) {
    size_t room = *k + 1 < n ? n - 1 - *k : 0;
    if (len > room) len = room;
    if (len) memcpy(buf + *k, s, len);
    *k += len;
}

/* The decimal digits of x into the end of tmp[24]; returns the first. */
static char *digits(char tmp[24], unsigned long long x) {
    char *p = tmp + 24;
    do *--p = (char)('0' + x % 10);
    while (x /= 10);
    return p;
}

static void put_int(char *buf, size_t n, size_t *k, long long v) {
    char tmp[24];
    unsigned long long x = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    char *p = digits(tmp, x);
    if (v < 0) *--p = '-';
    put(buf, n, k, p, (size_t)(tmp + 24 - p));
}

/* ---- reasons -------------------------------------------------------------
**
** A reason is formatted by pol_format in two steps: the arguments are taken
** from the va_list into an array (pull_args), then written (format_args).
** A "set" of a built-in policy run by pol_decide_lazy() stops after the
** first: the format and the arguments are kept in the reason buffer itself
** (lazy_put), and pol_reason() writes the text when someone reads it. The
** store keeps 10,997 rows of the 211,731 "set" calls of a year of guarded:
** the others are retries that the same format and arguments show to be
** identical without a text. */

#define MAX_ARGS 12
enum { A_INT, A_DBL, A_STR };
typedef struct {
    int type;
    long long i; /* %d, %lld */
    double g;    /* %g */
    const char *s;
} fmt_arg;

/* fmt's arguments from ap into a[MAX_ARGS]: their number, or -1 when fmt
** has a conversion other than %s %d %lld %g %% (or too many). */
static int pull_args(const char *fmt, va_list ap, fmt_arg *a) {
    int na = 0;
    for (const char *f = strchr(fmt, '%'); f; f = strchr(f + 1, '%')) {
        f++;
        if (*f == '%') continue;
        if (na == MAX_ARGS) return -1;
        fmt_arg *x = &a[na++];
        if (*f == 's') {
            x->type = A_STR;
            x->s = va_arg(ap, const char *);
        } else if (*f == 'd') {
            x->type = A_INT;
            x->i = va_arg(ap, int);
        } else if (f[0] == 'l' && f[1] == 'l' && f[2] == 'd') {
            x->type = A_INT;
            x->i = va_arg(ap, long long);
            f += 2;
        } else if (*f == 'g') {
            x->type = A_DBL;
            x->g = va_arg(ap, double);
        } else {
            return -1;
        }
    }
    return na;
}

/* fmt with the arguments a (pull_args'): the length written. */
static size_t format_args(char *buf, size_t n, const char *fmt, const fmt_arg *a) {
    size_t k = 0;
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            const char *e = strchr(f, '%');
            size_t len = e ? (size_t)(e - f) : strlen(f);
            put(buf, n, &k, f, len);
            f += len - 1;
            continue;
        }
        f++;
        if (*f == '%') {
            put(buf, n, &k, "%", 1);
            continue;
        }
        if (*f == 'l') f += 2;
        const fmt_arg *x = a++;
        if (x->type == A_STR) {
            put(buf, n, &k, x->s, strlen(x->s));
        } else if (x->type == A_INT) {
            put_int(buf, n, &k, x->i);
        } else {
            double v = x->g;
            /* Whole numbers below 10^6 are their digits under %g (beyond,
            ** it turns to exponents); -0 keeps its sign. */
            if (v == v && v > -1e6 && v < 1e6 && v == (double)(long long)v &&
                !(v == 0 && signbit(v))) {
                put_int(buf, n, &k, (long long)v);
            } else {
                char tmp[32];
                int len = snprintf(tmp, sizeof tmp, "%g", v);
                put(buf, n, &k, tmp, (size_t)len);
            }
        }
    }
    if (n) buf[k] = '\0';
    return k;
}

int pol_format(char *buf, size_t n, const char *fmt, va_list ap) {
    va_list whole;
    va_copy(whole, ap);
    fmt_arg a[MAX_ARGS];
    int na = pull_args(fmt, ap, a);
    /* Anything else: printf's own answer for the whole. */
    int len = na >= 0 ? (int)format_args(buf, n, fmt, a) : vsnprintf(buf, n, fmt, whole);
    va_end(whole);
    return len;
}

/* A lazy reason in pol_decision.reason: a NUL first (it reads as no text),
** LAZY_TAG, the length of what follows from LAZY_TAG on, the format's
** address, then each argument: its type and 8 bytes (an integer as long
** long, a double), or for a string its length, its bytes and a NUL (copied:
** nothing the policy passed need outlive the call). Equal bytes mean equal
** texts. */
#define LAZY_TAG 0x5a

static int lazy_put(pol_decision *d, const char *fmt, const fmt_arg *a, int na) {
    unsigned char *b = (unsigned char *)d->reason;
    size_t k = 3, room = sizeof d->reason;
    memcpy(b + k, &fmt, sizeof fmt);
    k += sizeof fmt;
    for (int i = 0; i < na; i++) {
        size_t sl = a[i].type == A_STR ? strlen(a[i].s) : 0;
        if (a[i].type == A_STR ? sl > 255 || k + 3 + sl > room : k + 9 > room) return -1;
        b[k++] = (unsigned char)a[i].type;
        if (a[i].type == A_STR) {
            b[k++] = (unsigned char)sl;
            memcpy(b + k, a[i].s, sl + 1);
            k += sl + 1;
        } else if (a[i].type == A_INT) {
            memcpy(b + k, &a[i].i, 8);
            k += 8;
        } else {
            memcpy(b + k, &a[i].g, 8);
            k += 8;
        }
    }
    b[0] = '\0';
    b[1] = LAZY_TAG;
    b[2] = (unsigned char)(k - 1);
    return 0;
}

/* Whether d's reason is kept lazily (lazy_put). */
static int is_lazy(const pol_decision *d) {
    return ((d->action == POL_ACT_SET && d->quiet == LAZY_QUIET) || d->quiet == LAZY_ALL) &&
           d->reason[0] == '\0' && (unsigned char)d->reason[1] == LAZY_TAG;
}

const char *pol_reason(const pol_decision *d, char buf[POL_REASON_MAX]) {
    if (!is_lazy(d)) return d->reason;
    const unsigned char *b = (const unsigned char *)d->reason;
    size_t end = (size_t)b[2] + 1, k = 3;
    const char *fmt;
    memcpy(&fmt, b + k, sizeof fmt);
    k += sizeof fmt;
    fmt_arg a[MAX_ARGS];
    int na = 0;
    while (k < end) {
        fmt_arg *x = &a[na++];
        x->type = b[k++];
        if (x->type == A_STR) {
            x->s = (const char *)b + k + 1;
            k += (size_t)b[k] + 2;
        } else if (x->type == A_INT) {
            memcpy(&x->i, b + k, 8);
            k += 8;
        } else {
            memcpy(&x->g, b + k, 8);
            k += 8;
        }
    }
    format_args(buf, POL_REASON_MAX, fmt, a);
    return buf;
}

int pol_reason_same(const pol_decision *a, const pol_decision *b) {
    return is_lazy(a) && is_lazy(b) && a->reason[2] == b->reason[2] &&
           memcmp(a->reason + 1, b->reason + 1, (size_t)(unsigned char)a->reason[2]) == 0;
}

static void vreason(pol_decision *d, const char *fmt, va_list ap) {
    pol_format(d->reason, sizeof d->reason, fmt, ap);
}

void pol_quiet_none(pol_decision *d, int held) {
    d->action = POL_ACT_NONE;
    d->desired = 0;
    d->honor_cooldown = 0;
    d->held = held;
    d->reason[0] = '\0';
}

/* Keeps fmt and its arguments in d->reason (lazy_put) when d asks for it
** (LAZY_QUIET for a "set", LAZY_ALL for any): returns 1 when kept, else 0
** after marking d to be formatted now (quiet 0, or 1 when a "none" keeps
** no reason). */
static int lazy_v(pol_decision *d, const char *fmt, va_list ap) {
    fmt_arg a[MAX_ARGS];
    va_list cp;
    va_copy(cp, ap);
    int na = pull_args(fmt, cp, a);
    va_end(cp);
    if (na >= 0 && lazy_put(d, fmt, a, na) == 0) return 1;
    d->quiet = d->quiet == LAZY_ALL ? 0 : 1; /* formatted now */
    return 0;
}

/* Shared by pol_none and pol_hold. */
static void none_v(pol_decision *d, int held, const char *fmt, va_list ap) {
    pol_quiet_none(d, held);
    if (d->quiet == LAZY_ALL && lazy_v(d, fmt, ap)) return;
    if (!d->quiet) vreason(d, fmt, ap);
}

void(pol_hold)(pol_decision *d, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    none_v(d, 1, fmt, ap);
    va_end(ap);
}

void(pol_none)(pol_decision *d, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    none_v(d, 0, fmt, ap);
    va_end(ap);
}

void pol_set(pol_decision *d, int n, int honor_cooldown, const char *fmt,
             ...) {
    va_list ap;
    d->action = POL_ACT_SET;
    d->desired = n;
    d->honor_cooldown = honor_cooldown;
    d->held = 0;
    if (d->quiet == LAZY_QUIET || d->quiet == LAZY_ALL) {
        va_start(ap, fmt);
        int kept = lazy_v(d, fmt, ap);
        va_end(ap);
        if (kept) return;
    }
    if (d->quiet >= 2) {
        d->reason[0] = '\0';
        return;
    }
    va_start(ap, fmt);
    vreason(d, fmt, ap);
    va_end(ap);
}

int pol_count(double x) {
    if (!(x > 0)) return 0; /* also NaN */
    return x >= (double)INT_MAX ? INT_MAX : (int)x;
}
