/*
** scenario.c: loads a scenario file (JSON, documented in docs/scenario.md)
** and the trace files it names into a sim_scenario, checking every field.
**
** Loading goes in four steps, each of which can stop with a message:
**   1. read the file and parse it as JSON (cJSON);
**   2. apply the --set overrides to the parsed tree, so an override is
**      checked exactly like a field written in the file;
**   3. validate the tree field by field into the sim_scenario; unknown
**      fields are errors, since a misspelt field silently taking its default
**      would change a result without anyone noticing;
**   4. read the traces (CSV) the scenario names, relative to its directory.
** A hash of every byte read (and of the overrides) identifies the input, so
** two results can be told apart by what they were computed from: XXH64 by
** piece, or FNV-1a for a sweep stored with it (traces.h, trc_hash).
**
** Messages: "FILE: FIELD.PATH: what is wrong" for the scenario,
** "FILE:LINE: COLUMN: what is wrong" for traces.
**
** Ownership: the cJSON tree and file buffers live only inside
** sim_scenario_load(); the sim_scenario owns its pools and step arrays.
*/
#include "sim.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/text.h"
#include "traces/traces.h"

/* ---- messages and field paths ------------------------------------------ */

/* The state of one load: where messages go and which field is being read. */
typedef struct {
    const char *file;   /* the scenario path as given, for messages */
    char *dir;          /* its directory with a trailing '/', or "" */
    char fpath[512];    /* the field being read: "fleet.LaunchSpecifications[2]" */
    size_t plen;
    trc_hash hash;      /* of everything read so far (traces.h) */
    sim_trace_cache *cache; /* traces read before, or NULL */
    const char *const *sets; /* the --set overrides, for messages */
    size_t nsets;
    char *err;
    size_t errlen;
    /* The pools by (InstanceType, AvailabilityZone), for the duplicate check
    ** and the trace rows: open addressing, each slot a pool's index + 1 (0:
    ** empty); pidx_cap is a power of two at least twice the pools. */
    size_t *pidx;
    size_t pidx_cap;
} ld;

static int fail(ld *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(ld *L, const char *fmt, ...) {
    int n = L->plen ? snprintf(L->err, L->errlen, "%s: %s: ", L->file, L->fpath)
                    : snprintf(L->err, L->errlen, "%s: ", L->file);
    if (n >= 0 && (size_t)n < L->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(L->err + n, L->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* LaunchSpecifications, at most (docs/scenario.md, "Limits"): checked
** before any work per specification. */
#define LIM_POOLS 1000

/* The slot of L's pool index for (type, az), lengths given: the one holding
** that pool, or the empty one where it goes. trc_key64 of az seeded with
** that of type: about fifty instructions each, where FNV-1a took one
** multiplication a byte (a price row's look-up, when the pool predicted from
** the row before is not the row's). Only the index's layout depends on the
** hash, never which pool a key finds. */
static size_t *pool_slot(ld *L, const sim_scenario *sc, const char *type, size_t tlen,
                         const char *az, size_t alen) {
    uint64_t h = trc_key64(trc_key64(0, type, tlen), az, alen);
    size_t mask = L->pidx_cap - 1;
    for (size_t i = (size_t)(h ^ (h >> 32)) & mask;; i = (i + 1) & mask) {
        size_t *slot = &L->pidx[i];
        if (!*slot) return slot;
        const sim_pool *p = &sc->pools[*slot - 1];
        if (tlen < sizeof p->instance_type && alen < sizeof p->az &&
            p->instance_type[tlen] == '\0' && p->az[alen] == '\0' &&
            memcmp(p->instance_type, type, tlen) == 0 && memcmp(p->az, az, alen) == 0)
            return slot;
    }
}

/* Appends ".key" (just "key" at the top) to the field path and returns the
** previous length, for leave(). */
static size_t enter(ld *L, const char *key) {
    size_t old = L->plen;
    int n = snprintf(L->fpath + old, sizeof L->fpath - old, "%s%s",
                     old ? "." : "", key);
    if (n > 0) L->plen = strlen(L->fpath);
    return old;
}

static size_t enter_index(ld *L, size_t i) {
    size_t old = L->plen;
    snprintf(L->fpath + old, sizeof L->fpath - old, "[%zu]", i);
    L->plen = strlen(L->fpath);
    return old;
}

static void leave(ld *L, size_t old) {
    L->plen = old;
    L->fpath[old] = '\0';
}

/* fail() at the field `key` of the current object. */
static int fail_at(ld *L, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(ld *L, const char *key, const char *fmt, ...) {
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    enter(L, key);
    return fail(L, "%s", msg);
}

/* ---- hashing and files ---------------------------------------------------- */


/* Adds n bytes to the hash as one piece (the scenario file, an override). */
static void hash_piece(ld *L, const void *p, size_t n) {
    trc_hash_add(&L->hash, p, n);
    trc_hash_cut(&L->hash);
}

/* Reads a whole file into a malloc'd buffer (NUL-terminated; *len excludes
** the NUL) that the caller frees. Reads in chunks rather than by size, so a
** pipe works too. */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            snprintf(err, errlen, "%s: out of memory", path);
            fclose(f);
            return NULL;
        }
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1) break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) free(buf);
        buf = nb;
        cap *= 2;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* A trace path as the scenario gives it, made relative to the scenario
** file's directory unless absolute. Malloc'd; the caller frees. */
static char *resolve(const ld *L, const char *rel) {
    const char *dir = rel[0] == '/' ? "" : L->dir;
    size_t n = strlen(dir) + strlen(rel) + 1;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s%s", dir, rel);
    return p;
}

/* ---- JSON fields ------------------------------------------------------------
**
** Each reader looks up `key` in the object `o` (NULL: an absent object, so
** every field takes its default). They return 1 when the field is present,
** 0 when absent (the default was stored), -1 on error. */

static const cJSON *get(const cJSON *o, const char *key) {
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* The --set that put a top-level field `key` there, or NULL. */
static const char *set_of(const ld *L, const char *key) {
    size_t kl = strlen(key);
    for (size_t i = 0; i < L->nsets; i++)
        if (strncmp(L->sets[i], key, kl) == 0 && strchr("=.[", L->sets[i][kl]))
            return L->sets[i];
    return NULL;
}

/* "unknown field", with the closest known name suggested. A top-level key
** that came from --set may also be a misspelt policy parameter, since
** --set takes both. */
static int unknown_field(ld *L, const char *key, const char *const *known) {
    const char *cands[128];
    size_t n = 0;
    for (size_t k = 0; known[k] && n < 128; k++) cands[n++] = known[k];
    const char *set = L->plen == 0 ? set_of(L, key) : NULL;
    if (set)
        for (const pol_policy *const *p = pol_list(); *p; p++)
            for (size_t i = 0; i < (*p)->nparams && n < 128; i++)
                cands[n++] = (*p)->params[i].name;
    const char *near = trc_closest(key, cands, n);
    enter(L, key);
    if (set)
        return fail(L, "unknown field (--set %s: not a policy parameter either%s%s%s)",
                    set, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    if (near) return fail(L, "unknown field (did you mean '%s'?)", near);
    return fail(L, "unknown field");
}

/* Rejects fields not in `known` (NULL-terminated) and fields given twice,
** in the object at the current path. */
static int check_keys(ld *L, const cJSON *o, const char *const *known) {
    for (const cJSON *c = o->child; c; c = c->next) {
        size_t k = 0;
        while (known[k] && strcmp(known[k], c->string) != 0) k++;
        if (!known[k]) return unknown_field(L, c->string, known);
        for (const cJSON *d = o->child; d != c; d = d->next)
            if (strcmp(d->string, c->string) == 0) {
                enter(L, c->string);
                return fail(L, "duplicate field");
            }
    }
    return 0;
}

/* An object field. On success *out is the object (NULL when absent) and the
** path is left at it: the caller leave()s to `*old`. */
static int object(ld *L, const cJSON *o, const char *key, int required,
                  const char *const *known, const cJSON **out, size_t *old) {
    const cJSON *it = get(o, key);
    *out = NULL;
    *old = enter(L, key);
    if (!it) {
        if (required) return fail(L, "is required");
        return 0;
    }
    if (!cJSON_IsObject(it)) return fail(L, "must be an object");
    if (known && check_keys(L, it, known)) return -1;
    *out = it;
    return 1;
}

typedef enum {
    R_ANY,    /* any finite number */
    R_POS,    /* > 0 */
    R_NONNEG, /* >= 0 */
    R_PROB,   /* a probability, [0, 1] */
    R_PCT     /* a percentage, (0, 100] */
} rkind;

static int real(ld *L, const cJSON *o, const char *key, int required,
                double def, rkind k, double *out) {
    const cJSON *it = get(o, key);
    if (!it) {
        if (required) return fail_at(L, key, "is required");
        *out = def;
        return 0;
    }
    if (!cJSON_IsNumber(it)) return fail_at(L, key, "must be a number");
    double v = it->valuedouble;
    if (!isfinite(v)) return fail_at(L, key, "must be a finite number");
    if (k == R_POS && !(v > 0)) return fail_at(L, key, "must be > 0");
    if (k == R_NONNEG && v < 0) return fail_at(L, key, "must be >= 0");
    if (k == R_PROB && (v < 0 || v > 1))
        return fail_at(L, key, "must be between 0 and 1");
    if (k == R_PCT && (v <= 0 || v > 100))
        return fail_at(L, key, "must be > 0 and at most 100");
    *out = v;
    return 1;
}

/* 2^53: every whole number up to it is exact in a double. */
#define WHOLE_MAX 9007199254740992.0

static int whole_of(const cJSON *it, int64_t *out) {
    if (!cJSON_IsNumber(it)) return -1;
    double v = it->valuedouble;
    if (!isfinite(v) || v != floor(v) || fabs(v) > WHOLE_MAX) return -1;
    *out = (int64_t)v;
    return 0;
}

/* A whole number in [lo, hi]. */
static int whole(ld *L, const cJSON *o, const char *key, int required,
                 int64_t def, int64_t lo, int64_t hi, int64_t *out) {
    const cJSON *it = get(o, key);
    if (!it) {
        if (required) return fail_at(L, key, "is required");
        *out = def;
        return 0;
    }
    int64_t v;
    if (whole_of(it, &v)) return fail_at(L, key, "must be a whole number");
    if (v < lo) return fail_at(L, key, "must be >= %" PRId64, lo);
    if (v > hi) return fail_at(L, key, "must be at most %" PRId64, hi);
    *out = v;
    return 1;
}

static int whole_int(ld *L, const cJSON *o, const char *key, int64_t def,
                     int64_t lo, int *out) {
    int64_t v;
    int r = whole(L, o, key, 0, def, lo, INT_MAX, &v);
    if (r >= 0) *out = (int)v;
    return r;
}

/* A string, borrowed from the tree. `cap` > 0: it must be shorter than cap
** bytes. */
static int string(ld *L, const cJSON *o, const char *key, int required,
                  int allow_empty, size_t cap, const char **out) {
    const cJSON *it = get(o, key);
    if (!it) {
        if (required) return fail_at(L, key, "is required");
        return 0;
    }
    if (!cJSON_IsString(it)) return fail_at(L, key, "must be a string");
    if (!allow_empty && !it->valuestring[0])
        return fail_at(L, key, "must not be empty");
    if (cap && strlen(it->valuestring) >= cap)
        return fail_at(L, key, "must be shorter than %zu characters", cap);
    *out = it->valuestring;
    return 1;
}

/* A string copied into a fixed buffer of `cap` bytes. */
/* An identifier (an instance type, an AZ) into buf: a control character is
** refused, not copied into what is printed and stored. */
static int string_to(ld *L, const cJSON *o, const char *key, int required,
                     const char *def, char *buf, size_t cap) {
    const char *s = def;
    int r = string(L, o, key, required, 0, cap, &s);
    if (r > 0 && trc_has_ctl(s)) return fail_at(L, key, "must not hold control characters");
    if (r >= 0) snprintf(buf, cap, "%s", s);
    return r;
}

static int boolean(ld *L, const cJSON *o, const char *key, int def, int *out) {
    const cJSON *it = get(o, key);
    if (!it) {
        *out = def;
        return 0;
    }
    if (!cJSON_IsBool(it)) return fail_at(L, key, "must be true or false");
    *out = cJSON_IsTrue(it);
    return 1;
}

/* One of `names` (NULL-terminated); *out = vals[i]. */
static int choice(ld *L, const cJSON *o, const char *key, int def,
                  const char *const *names, const int *vals, int *out) {
    const char *s = NULL;
    int r = string(L, o, key, 0, 1, 0, &s);
    if (r <= 0) {
        if (r == 0) *out = def;
        return r;
    }
    for (size_t i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = vals[i];
            return 1;
        }
    char list[256];
    size_t n = 0;
    list[0] = '\0';
    for (size_t i = 0; names[i] && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
                              names[i]);
    return fail_at(L, key, "'%s' is not one of %s", s, list);
}

/* A delay: whole seconds >= 0, or {"min", "max", "p"}. */
static int dist(ld *L, const cJSON *o, const char *key, sim_dist def,
                sim_dist *out) {
    static const char *const known[] = {"min", "max", "p", NULL};
    const cJSON *it = get(o, key);
    if (!it) {
        *out = def;
        return 0;
    }
    int64_t c;
    if (cJSON_IsNumber(it)) {
        if (whole_of(it, &c))
            return fail_at(L, key, "must be a whole number of seconds");
        if (c < 0) return fail_at(L, key, "must be >= 0");
        *out = (sim_dist){1, c, c};
        return 1;
    }
    if (!cJSON_IsObject(it))
        return fail_at(L, key, "must be whole seconds or an object "
                               "{\"min\", \"max\", \"p\"}");
    size_t old = enter(L, key);
    sim_dist d;
    if (check_keys(L, it, known) ||
        whole(L, it, "min", 1, 0, 0, INT64_MAX, &d.min) < 0 ||
        whole(L, it, "max", 1, 0, 0, INT64_MAX, &d.max) < 0 ||
        real(L, it, "p", 0, 1, R_PROB, &d.p) < 0)
        return -1;
    if (d.max < d.min)
        return fail_at(L, "max", "must be >= min (%" PRId64 ")", d.min);
    leave(L, old);
    *out = d;
    return 1;
}

/* A time: an ISO-8601 UTC string or whole epoch seconds >= 0. */
static int timev(ld *L, const cJSON *o, const char *key, int64_t *out) {
    const cJSON *it = get(o, key);
    if (!it) return fail_at(L, key, "is required");
    if (cJSON_IsString(it)) {
        if (trc_time_parse(it->valuestring, out) == 0) return 1;
    } else if (whole_of(it, out) == 0 && *out >= 0) {
        return 1;
    }
    return fail_at(L, key, "must be an ISO-8601 UTC time "
                           "(\"2017-03-01T12:00:00Z\") or epoch seconds");
}

/* ---- the scenario's sections ------------------------------------------- */

/* Trace paths found while validating, borrowed from the tree. */
typedef struct {
    const char *prices, *availability, *demand, *metrics, *events, *devents;
} paths;

/* The Spot Instance Advisor's bands of "Frequency of interruption" and the
** share of instances a month each stands for here: its midpoint (25 % for
** the open-ended top band). */
static const struct {
    const char *name;
    double frequency;
} bands[] = {{"<5%", 0.025},   {"5-10%", 0.075}, {"10-15%", 0.125},
             {"15-20%", 0.175}, {">20%", 0.25}};

static int band_of(double f) {
    int b = 0;
    while (b < 4 && f >= 0.05 * (b + 1)) b++;
    return b;
}

/* InterruptionFrequency: a band name or a share of instances a month in
** [0, 0.99]. Absent: the market's default (set by read_market), kept as -1
** here. */
static int frequency(ld *L, const cJSON *o, double *out, int *band) {
    const cJSON *it = get(o, "InterruptionFrequency");
    *out = -1;
    *band = 0;
    if (!it) return 0;
    if (cJSON_IsString(it)) {
        for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
            if (strcmp(it->valuestring, bands[i].name) == 0) {
                *out = bands[i].frequency;
                *band = (int)i;
                return 1;
            }
        return fail_at(L, "InterruptionFrequency",
                       "'%s' is not one of <5%%, 5-10%%, 10-15%%, 15-20%%, >20%% "
                       "(or a share of instances a month in [0, 0.99])",
                       it->valuestring);
    }
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) || it->valuedouble < 0 ||
        it->valuedouble > 0.99)
        return fail_at(L, "InterruptionFrequency",
                       "must be a band (<5%%, 5-10%%, 10-15%%, 15-20%%, >20%%) or "
                       "a share of instances a month in [0, 0.99]");
    *out = it->valuedouble;
    *band = band_of(*out);
    return 1;
}

/* fleet.SpotMaintenanceStrategies.CapacityRebalance. */
static int read_maintenance(ld *L, const cJSON *f, sim_scenario *sc) {
    static const char *const known[] = {"CapacityRebalance", NULL};
    static const char *const cr_known[] = {"ReplacementStrategy",
                                           "TerminationDelay", NULL};
    static const char *const names[] = {"launch", "launch-before-terminate", NULL};
    static const int vals[] = {SIM_REBALANCE_LAUNCH,
                               SIM_REBALANCE_LAUNCH_BEFORE_TERMINATE};
    const cJSON *m, *cr;
    size_t old, cold;
    sc->rebalance = SIM_REBALANCE_NONE;
    sc->rebalance_termination_delay = 120;
    if (object(L, f, "SpotMaintenanceStrategies", 0, known, &m, &old) < 0) return -1;
    if (!m) {
        leave(L, old);
        return 0;
    }
    if (object(L, m, "CapacityRebalance", 0, cr_known, &cr, &cold) < 0) return -1;
    if (cr) {
        int strategy;
        if (choice(L, cr, "ReplacementStrategy", SIM_REBALANCE_LAUNCH, names, vals,
                   &strategy) < 0 ||
            whole(L, cr, "TerminationDelay", 0, 120, 120, 7200,
                  &sc->rebalance_termination_delay) < 0)
            return -1;
        sc->rebalance = (sim_rebalance)strategy;
        if (get(cr, "TerminationDelay") && strategy != SIM_REBALANCE_LAUNCH_BEFORE_TERMINATE)
            return fail_at(L, "TerminationDelay",
                           "only with ReplacementStrategy launch-before-terminate");
    }
    leave(L, cold);
    leave(L, old);
    return 0;
}

/* market: capacity-driven interruptions (sim/market.c). */
static int read_market(ld *L, const cJSON *root, sim_scenario *sc) {
    static const char *const known[] = {
        "InterruptionFrequency", "Correlation", "InterruptedShare",
        "InsufficientCapacity", "RebalanceRecommendation", NULL};
    static const char *const corr_known[] = {"Pool", "InstanceFamily",
                                             "AvailabilityZone", "All", NULL};
    static const char *const share_known[] = {"min", "max", NULL};
    static const char *const reb_known[] = {"Probability", "Lead", NULL};
    sim_market *m = &sc->market;
    const cJSON *o, *c, *r;
    size_t old, cold;
    double def_f = 0;
    int def_band = 0;
    if (object(L, root, "market", 0, known, &o, &old) < 0) return -1;
    m->on = o != NULL;
    if (o) {
        int given = frequency(L, o, &def_f, &def_band);
        if (given < 0) return -1;
        if (!given) def_f = bands[0].frequency; /* "<5%" */
    }
    /* Every pool's frequency: its own, else the market's. Without a market
    ** section a pool's own frequency is its Spot Instance Advisor band only
    ** (capacityOptimized and priceCapacityOptimized rank pools by it); no
    ** event is drawn from it. */
    for (size_t p = 0; p < sc->npools; p++) {
        sim_pool *pl = &sc->pools[p];
        if (pl->interruption_frequency < 0) {
            pl->interruption_frequency = m->on ? def_f : 0;
            pl->band = band_of(pl->interruption_frequency);
        }
    }
    if (!o) {
        leave(L, old);
        return 0;
    }
    /* Correlation: shares of the events by scope (defaults: most events
    ** take one pool, as AWS describes bursts within one type and zone). */
    static const double def_scope[SIM_NSCOPES] = {0.7, 0.1, 0.15, 0.05};
    memcpy(m->scope, def_scope, sizeof m->scope);
    if (object(L, o, "Correlation", 0, corr_known, &c, &cold) < 0) return -1;
    if (c) {
        double sum = 0;
        for (int k = 0; k < SIM_NSCOPES; k++) {
            if (real(L, c, corr_known[k], 0, 0, R_PROB, &m->scope[k]) < 0) return -1;
            sum += m->scope[k];
        }
        if (fabs(sum - 1) > 1e-9)
            return fail(L, "the shares (Pool, InstanceFamily, AvailabilityZone, All) "
                           "must sum to 1, not %g",
                        sum);
    }
    leave(L, cold);
    /* InterruptedShare: a number in (0, 1] or {"min", "max"}. */
    const cJSON *sh = get(o, "InterruptedShare");
    m->share_min = 0.25;
    m->share_max = 1;
    if (sh && cJSON_IsNumber(sh)) {
        if (real(L, o, "InterruptedShare", 0, 1, R_PROB, &m->share_min) < 0) return -1;
        m->share_max = m->share_min;
    } else if (sh) {
        size_t so;
        if (object(L, o, "InterruptedShare", 0, share_known, &c, &so) < 0 ||
            real(L, c, "min", 1, 0, R_PROB, &m->share_min) < 0 ||
            real(L, c, "max", 1, 0, R_PROB, &m->share_max) < 0)
            return -1;
        if (m->share_max < m->share_min)
            return fail_at(L, "max", "must be >= min (%g)", m->share_min);
        leave(L, so);
    }
    if (!(m->share_min > 0))
        return fail_at(L, "InterruptedShare",
                       "must be > 0 (an event that takes nothing is no event)");
    if (dist(L, o, "InsufficientCapacity", (sim_dist){1, 300, 3600}, &m->ice) < 0) return -1;
    size_t ro;
    m->rebalance_p = 0;
    m->rebalance_lead = (sim_dist){1, 180, 900};
    if (object(L, o, "RebalanceRecommendation", 0, reb_known, &r, &ro) < 0 ||
        (r && (real(L, r, "Probability", 0, 0.5, R_PROB, &m->rebalance_p) < 0 ||
               dist(L, r, "Lead", m->rebalance_lead, &m->rebalance_lead) < 0)))
        return -1;
    leave(L, ro);
    leave(L, old);
    return 0;
}

/* fleet.kind asg: DesiredCapacity, MixedInstancesPolicy.InstancesDistribution,
** CapacityRebalance (sim/spotasg.c); the Spot Fleet's own fields are
** refused, naming the group's. Pools come from LaunchSpecifications as for
** a fleet: each is one override (InstanceType, WeightedCapacity) in one of
** the group's Availability Zones. */
static int read_mixed(ld *L, const cJSON *f, sim_scenario *sc, int *alloc,
                      int *has_price, double *price) {
    static const char *const mip_known[] = {"InstancesDistribution", "LaunchTemplate", NULL};
    static const char *const id_known[] = {
        "OnDemandAllocationStrategy", "OnDemandBaseCapacity",
        "OnDemandPercentageAboveBaseCapacity", "SpotAllocationStrategy", "SpotMaxPrice",
        NULL};
    static const char *const spot_names[] = {
        "lowest-price", "capacity-optimized", "capacity-optimized-prioritized",
        "price-capacity-optimized", NULL};
    static const int spot_vals[] = {0, 1, 2, 3};
    static const char *const od_names[] = {"prioritized", "lowest-price", NULL};
    static const int od_vals[] = {0, 1};
    static const struct {
        const char *key, *instead;
    } fleet_only[] = {
        {"TargetCapacity", "an Auto Scaling group has DesiredCapacity (units)"},
        {"AllocationStrategy",
         "use MixedInstancesPolicy.InstancesDistribution.SpotAllocationStrategy"},
        {"SpotPrice", "use MixedInstancesPolicy.InstancesDistribution.SpotMaxPrice"},
        {"SpotMaintenanceStrategies", "use CapacityRebalance (true or false)"},
    };
    for (size_t k = 0; k < sizeof fleet_only / sizeof fleet_only[0]; k++)
        if (get(f, fleet_only[k].key))
            return fail_at(L, fleet_only[k].key, "a Spot Fleet field, not one of fleet.kind "
                                                 "asg: %s",
                           fleet_only[k].instead);
    const cJSON *mip, *id;
    size_t mold, iold;
    int64_t base, pct;
    int spot, od, cr;
    if (real(L, f, "DesiredCapacity", 1, 0, R_POS, &sc->target_capacity) < 0 ||
        boolean(L, f, "CapacityRebalance", 0, &cr) < 0 ||
        object(L, f, "MixedInstancesPolicy", 0, mip_known, &mip, &mold) < 0 ||
        (get(mip, "LaunchTemplate") &&
         fail_at(L, "LaunchTemplate",
                 "not read: the group's overrides are fleet.LaunchSpecifications, each "
                 "an InstanceType and WeightedCapacity in one AvailabilityZone") < 0) ||
        object(L, mip, "InstancesDistribution", 0, id_known, &id, &iold) < 0 ||
        whole(L, id, "OnDemandBaseCapacity", 0, 0, 0, 1000000, &base) < 0 ||
        whole(L, id, "OnDemandPercentageAboveBaseCapacity", 0, 100, 0, 100, &pct) < 0 ||
        choice(L, id, "SpotAllocationStrategy", 0, spot_names, spot_vals, &spot) < 0 ||
        choice(L, id, "OnDemandAllocationStrategy", 0, od_names, od_vals, &od) < 0 ||
        (*has_price = real(L, id, "SpotMaxPrice", 0, 0, R_POS, price)) < 0)
        return -1;
    leave(L, iold);
    leave(L, mold);
    sc->mixed.od_base = (double)base;
    sc->mixed.od_pct = (double)pct;
    sc->mixed.od_lowest_price = od;
    sc->mixed.spot_prioritized = spot == 2;
    sc->mixed.capacity_rebalance = cr;
    *alloc = spot == 0   ? SIM_LOWEST_PRICE
             : spot == 3 ? SIM_PRICE_CAPACITY_OPTIMIZED
                         : SIM_CAPACITY_OPTIMIZED;
    return 0;
}

/* The fleet fields only a group (fleet.kind asg) has. */
static const char *const group_only[] = {"DesiredCapacity", "MixedInstancesPolicy",
                                         "CapacityRebalance", NULL};

/* A group's Capacity Rebalancing, when on: it terminates the old instance
** once its replacement is in service, the fleet's longest launch delay
** standing for that; off, none (the fleet's SpotMaintenanceStrategies are
** not a group's). */
static void group_rebalance(sim_scenario *sc) {
    if (!sc->mixed.capacity_rebalance) return;
    sc->rebalance = SIM_REBALANCE_LAUNCH_BEFORE_TERMINATE;
    sc->rebalance_termination_delay =
        sc->fleet_launch_delay.max > 120 ? sc->fleet_launch_delay.max : 120;
}

static int read_fleet(ld *L, const cJSON *root, sim_scenario *sc, paths *tp) {
    static const char *const known[] = {
        "kind", "TargetCapacity", "AllocationStrategy", "SpotPrice", "LaunchDelay",
        "TerminationDelay", "LaunchSpecifications", "TargetTracking",
        "SpotMaintenanceStrategies", "DesiredCapacity", "MixedInstancesPolicy",
        "CapacityRebalance", NULL};
    static const char *const kind_names[] = {"spot-fleet", "asg", NULL};
    static const int kind_vals[] = {SIM_KIND_SPOT_FLEET, SIM_KIND_ASG};
    static const char *const spec_known[] = {
        "InstanceType", "AvailabilityZone", "WeightedCapacity", "SpotPrice",
        "OnDemandPrice", "InterruptionFrequency", NULL};
    static const char *const tt_known[] = {
        "Demand", "TargetValue", "ScaleOutCooldown", "ScaleInCooldown",
        "MinCapacity", "MaxCapacity", NULL};
    static const char *const alloc_names[] = {
        "lowestPrice", "diversified", "capacityOptimized",
        "priceCapacityOptimized", NULL};
    static const int alloc_vals[] = {SIM_LOWEST_PRICE, SIM_DIVERSIFIED,
                                     SIM_CAPACITY_OPTIMIZED,
                                     SIM_PRICE_CAPACITY_OPTIMIZED};
    const cJSON *f;
    size_t old;
    if (object(L, root, "fleet", 1, known, &f, &old) < 0) return -1;
    int alloc, has_fleet_price = 0, kind;
    double fleet_price = 0;
    if (choice(L, f, "kind", SIM_KIND_SPOT_FLEET, kind_names, kind_vals, &kind) < 0)
        return -1;
    sc->kind = (sim_kind)kind;
    if (kind == SIM_KIND_SPOT_FLEET)
        for (size_t k = 0; group_only[k]; k++)
            if (get(f, group_only[k]))
                return fail_at(L, group_only[k], "only with fleet.kind asg (an Auto Scaling "
                                               "group with a MixedInstancesPolicy)");
    if (kind == SIM_KIND_ASG) {
        if (read_mixed(L, f, sc, &alloc, &has_fleet_price, &fleet_price) < 0) return -1;
    } else if (real(L, f, "TargetCapacity", 1, 0, R_POS, &sc->target_capacity) < 0 ||
               choice(L, f, "AllocationStrategy", SIM_LOWEST_PRICE, alloc_names,
                      alloc_vals, &alloc) < 0 ||
               (has_fleet_price = real(L, f, "SpotPrice", 0, 0, R_POS,
                                       &fleet_price)) < 0)
        return -1;
    if (dist(L, f, "LaunchDelay", (sim_dist){1, 60, 180},
             &sc->fleet_launch_delay) < 0 ||
        dist(L, f, "TerminationDelay", (sim_dist){1, 30, 90},
             &sc->fleet_termination_delay) < 0)
        return -1;
    sc->alloc = (sim_alloc)alloc;

    const cJSON *specs = get(f, "LaunchSpecifications");
    size_t sold = enter(L, "LaunchSpecifications");
    if (!specs) return fail(L, "is required");
    if (!cJSON_IsArray(specs)) return fail(L, "must be an array");
    size_t n = 0;
    for (const cJSON *s = specs->child; s; s = s->next) n++;
    if (n == 0) return fail(L, "must have at least one element");
    /* Before any work per specification (docs/scenario.md, "Limits"). */
    if (n > LIM_POOLS)
        return fail(L, "%zu specifications; at most %d", n, LIM_POOLS);
    sc->pools = calloc(n, sizeof *sc->pools);
    L->pidx_cap = 16;
    while (L->pidx_cap < 2 * n) L->pidx_cap *= 2;
    L->pidx = calloc(L->pidx_cap, sizeof *L->pidx);
    if (!sc->pools || !L->pidx) return fail(L, "out of memory");
    size_t i = 0;
    for (const cJSON *s = specs->child; s; s = s->next, i++) {
        size_t iold = enter_index(L, i);
        if (!cJSON_IsObject(s)) return fail(L, "must be an object");
        if (check_keys(L, s, spec_known)) return -1;
        sim_pool *p = &sc->pools[i];
        sc->npools = i + 1;
        if (string_to(L, s, "InstanceType", 1, "", p->instance_type,
                      sizeof p->instance_type) < 0 ||
            string_to(L, s, "AvailabilityZone", 1, "", p->az,
                      sizeof p->az) < 0 ||
            real(L, s, "WeightedCapacity", 0, 1, R_POS, &p->weight) < 0 ||
            real(L, s, "OnDemandPrice", 1, 0, R_POS, &p->on_demand_price) < 0)
            return -1;
        if (sc->kind == SIM_KIND_ASG && get(s, "SpotPrice"))
            return fail_at(L, "SpotPrice", "an Auto Scaling group's override has no max "
                                           "price: use fleet.MixedInstancesPolicy."
                                           "InstancesDistribution.SpotMaxPrice");
        /* AWS's default max price is the on-demand price; per unit-hour
        ** that is the instance price over the instance's units. */
        double def = has_fleet_price ? fleet_price
                                     : p->on_demand_price / p->weight;
        if (real(L, s, "SpotPrice", 0, def, R_POS, &p->max_price) < 0 ||
            frequency(L, s, &p->interruption_frequency, &p->band) < 0)
            return -1;
        p->priority = (int)i;
        for (size_t j = 0; j < i; j++)
            if (strcmp(sc->pools[j].instance_type, p->instance_type) == 0) {
                p->priority = sc->pools[j].priority;
                break;
            }
        size_t *slot = pool_slot(L, sc, p->instance_type, strlen(p->instance_type), p->az,
                                 strlen(p->az));
        if (*slot)
            return fail(L, "duplicate of [%zu] (%s in %s)", *slot - 1, p->instance_type,
                        p->az);
        *slot = i + 1;
        leave(L, iold);
    }
    leave(L, sold);
    if (read_maintenance(L, f, sc) < 0) return -1;
    if (kind == SIM_KIND_ASG) group_rebalance(sc);

    /* Target tracking defaults are stored even without it, so a reader of
    ** the scenario never sees zeros that mean nothing. */
    const cJSON *tt;
    size_t told;
    int64_t out_cd, in_cd;
    if (object(L, f, "TargetTracking", 0, tt_known, &tt, &told) < 0 ||
        (tt && string(L, tt, "Demand", 1, 0, 0, &tp->demand) < 0) ||
        real(L, tt, "TargetValue", 0, 100, R_PCT, &sc->tt_target_value) < 0 ||
        whole(L, tt, "ScaleOutCooldown", 0, 300, 0, INT64_MAX, &out_cd) < 0 ||
        whole(L, tt, "ScaleInCooldown", 0, 300, 0, INT64_MAX, &in_cd) < 0 ||
        real(L, tt, "MinCapacity", 0, 0, R_NONNEG, &sc->tt_min) < 0 ||
        real(L, tt, "MaxCapacity", 0, 1000000, R_NONNEG, &sc->tt_max) < 0)
        return -1;
    sc->tt_scale_out_cooldown = out_cd;
    sc->tt_scale_in_cooldown = in_cd;
    if (sc->tt_max < sc->tt_min)
        return fail_at(L, "MaxCapacity", "must be >= MinCapacity (%g)",
                       sc->tt_min);
    leave(L, told);
    leave(L, old);
    return 0;
}

static int read_traces_section(ld *L, const cJSON *root, sim_scenario *sc, paths *tp) {
    static const char *const known[] = {"prices", "availability", "events", "Extend", NULL};
    const cJSON *t;
    size_t old;
    if (object(L, root, "traces", 1, known, &t, &old) < 0 ||
        string(L, t, "prices", 1, 0, 0, &tp->prices) < 0 ||
        string(L, t, "availability", 0, 0, 0, &tp->availability) < 0 ||
        string(L, t, "events", 0, 0, 0, &tp->events) < 0 ||
        boolean(L, t, "Extend", 0, &sc->extend) < 0)
        return -1;
    leave(L, old);
    return 0;
}

/* eventbridge (model mode): interruption warnings and rebalance
** recommendations delivered to the controller (sim/events.c). */
static int read_eventbridge(ld *L, const cJSON *root, sim_scenario *sc) {
    static const char *const known[] = {"Enabled", "DeliveryDelay", "LossProbability",
                                        NULL};
    const cJSON *o;
    size_t old;
    if (object(L, root, "eventbridge", 0, known, &o, &old) < 0 ||
        boolean(L, o, "Enabled", 1, &sc->ev_on) < 0 ||
        dist(L, o, "DeliveryDelay", (sim_dist){1, 1, 30}, &sc->ev_delay) < 0 ||
        real(L, o, "LossProbability", 0, 0, R_PROB, &sc->ev_loss) < 0)
        return -1;
    leave(L, old);
    return 0;
}

static int read_ecs_cw(ld *L, const cJSON *root, sim_scenario *sc) {
    static const char *const ecs_known[] = {"RegistrationDelay",
                                            "SpotInstanceDraining", NULL};
    static const char *const cw_known[] = {
        "IngestionDelay", "MissingProbability", "FetchFailureProbability",
        NULL};
    const cJSON *o;
    size_t old;
    if (object(L, root, "ecs", 0, ecs_known, &o, &old) < 0 ||
        dist(L, o, "RegistrationDelay", (sim_dist){1, 30, 30},
             &sc->registration_delay) < 0 ||
        boolean(L, o, "SpotInstanceDraining", 0, &sc->spot_draining) < 0)
        return -1;
    leave(L, old);
    if (object(L, root, "cloudwatch", 0, cw_known, &o, &old) < 0 ||
        dist(L, o, "IngestionDelay", (sim_dist){1, 0, 30}, &sc->cw_delay) < 0 ||
        real(L, o, "MissingProbability", 0, 0, R_PROB, &sc->cw_missing) < 0 ||
        real(L, o, "FetchFailureProbability", 0, 0, R_PROB,
             &sc->cw_fetch_failure) < 0)
        return -1;
    leave(L, old);
    return 0;
}

static void policy_names(char *buf, size_t n) {
    size_t o = 0;
    buf[0] = '\0';
    const pol_policy *const *l = pol_list();
    for (size_t i = 0; l[i] && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "",
                              l[i]->name);
}

/* controller.params: {POLICY: {PARAM: number}}, each checked by the policy
** engine's own pol_param_put so the ranges live in one place. */
static int read_params(ld *L, const cJSON *c, sim_scenario *sc) {
    const cJSON *ps;
    size_t old;
    int r = object(L, c, "params", 0, NULL, &ps, &old);
    if (r <= 0) {
        if (r == 0) leave(L, old);
        return r;
    }
    for (const cJSON *pe = ps->child; pe; pe = pe->next) {
        size_t pold = enter(L, pe->string);
        const pol_policy *pol = pol_find(pe->string);
        if (!pol) {
            char names[200];
            policy_names(names, sizeof names);
            return fail(L, "unknown policy (known: %s)", names);
        }
        for (const cJSON *d = ps->child; d != pe; d = d->next)
            if (strcmp(d->string, pe->string) == 0)
                return fail(L, "duplicate field");
        if (!cJSON_IsObject(pe)) return fail(L, "must be an object");
        if (sc->nparams == sizeof sc->params / sizeof sc->params[0])
            return fail(L, "too many policies");
        pol_params *pp = &sc->params[sc->nparams].p;
        unsigned *given = &sc->params[sc->nparams].given;
        sc->params[sc->nparams].pol = pol;
        sc->nparams++;
        pol_params_default(pol, pp);
        for (const cJSON *kv = pe->child; kv; kv = kv->next) {
            size_t kold = enter(L, kv->string);
            if (pol_param_index(pol, kv->string) < 0)
                return fail(L, "unknown parameter of policy %s", pol->name);
            for (const cJSON *d = pe->child; d != kv; d = d->next)
                if (strcmp(d->string, kv->string) == 0)
                    return fail(L, "duplicate field");
            if (!cJSON_IsNumber(kv) || !isfinite(kv->valuedouble))
                return fail(L, "must be a number");
            char msg[200];
            if (pol_param_put(pol, pp, kv->string, kv->valuedouble, msg, sizeof msg)) {
                /* Its message starts with the parameter's name, which the
                ** path already gives. */
                const char *m = msg;
                size_t kl = strlen(kv->string);
                if (strncmp(m, kv->string, kl) == 0 && m[kl] == ':' &&
                    m[kl + 1] == ' ')
                    m += kl + 2;
                return fail(L, "%s", m);
            }
            *given |= 1u << pol_param_index(pol, kv->string);
            leave(L, kold);
        }
        leave(L, pold);
    }
    leave(L, old);
    return 0;
}

static int read_controller(ld *L, const cJSON *root, sim_scenario *sc) {
    static const char *const known[] = {
        "policy", "params", "Cron", "Interval", "Offset", "Jitter", "Alarm",
        "AlarmPeriods", "SnsDelay", "FailureProbability", "AllowUnitsMismatch", NULL};
    const cJSON *c;
    size_t old;
    if (object(L, root, "controller", 0, known, &c, &old) < 0) return -1;
    const char *name = "classic";
    if (string(L, c, "policy", 0, 0, 0, &name) < 0) return -1;
    sc->policy = pol_find(name);
    if (!sc->policy) {
        char names[200];
        policy_names(names, sizeof names);
        return fail_at(L, "policy", "unknown policy '%s' (known: %s)", name,
                       names);
    }
    if (read_params(L, c, sc) < 0) return -1;
    int64_t interval;
    if (boolean(L, c, "Cron", 1, &sc->cron) < 0 ||
        whole(L, c, "Interval", 0, 60, 1, INT64_MAX, &interval) < 0)
        return -1;
    /* Offset: the schedule's second within each Interval, drawn once per
    ** run (default: any); Jitter: each invocation's delay after it. */
    if (dist(L, c, "Offset", (sim_dist){1, 0, interval - 1}, &sc->cron_offset) < 0 ||
        dist(L, c, "Jitter", (sim_dist){1, 0, 5}, &sc->cron_jitter) < 0)
        return -1;
    if (sc->cron_offset.max >= interval)
        return fail_at(L, "Offset", "must be less than Interval (%" PRId64 ")",
                       interval);
    if (sc->cron_jitter.max >= interval)
        return fail_at(L, "Jitter", "must be less than Interval (%" PRId64 ")",
                       interval);
    sc->cron_interval = interval;
    if (boolean(L, c, "Alarm", 0, &sc->alarm) < 0 ||
        whole_int(L, c, "AlarmPeriods", 1, 1, &sc->alarm_periods) < 0 ||
        dist(L, c, "SnsDelay", (sim_dist){1, 1, 1}, &sc->sns_delay) < 0 ||
        real(L, c, "FailureProbability", 0, 0, R_PROB, &sc->invoke_failure) < 0 ||
        boolean(L, c, "AllowUnitsMismatch", 0, &sc->allow_units_mismatch) < 0)
        return -1;
    if (!sc->cron && !sc->alarm)
        return fail(L, "at least one of Cron and Alarm must be true");
    leave(L, old);
    return 0;
}

static int read_asg(ld *L, const cJSON *root, sim_scenario *sc) {
    static const char *const known[] = {
        "AutoScalingGroupName", "InstanceType", "WeightedCapacity",
        "OnDemandPrice", "MinSize", "MaxSize", "DesiredCapacity",
        "DefaultCooldown", "LaunchDelay", "TerminationDelay",
        "DescribeFailureProbability", NULL};
    const cJSON *a;
    size_t old;
    const char *ignored;
    if (object(L, root, "asg", 1, known, &a, &old) < 0 ||
        string(L, a, "AutoScalingGroupName", 0, 1, 0, &ignored) < 0 ||
        string_to(L, a, "InstanceType", 0, "c3.xlarge", sc->od_instance_type,
                  sizeof sc->od_instance_type) < 0 ||
        real(L, a, "WeightedCapacity", 0, 4, R_POS, &sc->od_weight) < 0 ||
        real(L, a, "OnDemandPrice", 1, 0, R_POS, &sc->od_price) < 0 ||
        whole_int(L, a, "MinSize", 0, 0, &sc->asg_min) < 0 ||
        whole_int(L, a, "MaxSize", 200, 0, &sc->asg_max) < 0)
        return -1;
    if (sc->asg_max < sc->asg_min)
        return fail_at(L, "MaxSize", "must be >= MinSize (%d)", sc->asg_min);
    if (whole_int(L, a, "DesiredCapacity", sc->asg_min, 0,
                  &sc->asg_desired) < 0)
        return -1;
    if (sc->asg_desired < sc->asg_min || sc->asg_desired > sc->asg_max)
        return fail_at(L, "DesiredCapacity",
                       "must be between MinSize (%d) and MaxSize (%d)",
                       sc->asg_min, sc->asg_max);
    if (whole(L, a, "DefaultCooldown", 0, 300, 0, INT64_MAX,
              &sc->default_cooldown) < 0 ||
        dist(L, a, "LaunchDelay", (sim_dist){1, 60, 120},
             &sc->od_launch_delay) < 0 ||
        dist(L, a, "TerminationDelay", (sim_dist){1, 30, 90},
             &sc->od_termination_delay) < 0 ||
        real(L, a, "DescribeFailureProbability", 0, 0, R_PROB,
             &sc->describe_failure) < 0)
        return -1;
    leave(L, old);
    return 0;
}

static int read_direct(ld *L, const cJSON *root, sim_scenario *sc,
                       paths *tp) {
    static const char *const known[] = {"metrics", "Period", "SpotPrice", "Extend",
                                        "events", NULL};
    const cJSON *d;
    size_t old;
    if (object(L, root, "direct", 1, known, &d, &old) < 0 ||
        string(L, d, "metrics", 1, 0, 0, &tp->metrics) < 0 ||
        whole(L, d, "Period", 0, 60, 0, INT64_MAX, &sc->d_period) < 0 ||
        real(L, d, "SpotPrice", 1, 0, R_POS, &sc->d_spot_price) < 0 ||
        boolean(L, d, "Extend", 0, &sc->extend) < 0 ||
        string(L, d, "events", 0, 0, 0, &tp->devents) < 0)
        return -1;
    sc->d_events_on = tp->devents != NULL;
    if (sc->d_period != 60 && sc->d_period != 300)
        return fail_at(L, "Period", "must be 60 or 300");
    leave(L, old);
    return 0;
}

/* A field that the mode rules out. */
static int not_in_mode(ld *L, const cJSON *root, const char *key,
                       const char *mode) {
    if (!get(root, key)) return 0;
    return fail_at(L, key, "not allowed in %s mode", mode);
}

/* The top-level fields of a scenario. */
static const char *const root_fields[] = {
    "name", "description", "mode", "seed", "start", "end", "billing",
    "fleet", "traces", "market", "eventbridge", "ecs", "cloudwatch", "controller",
    "asg", "direct", NULL};

const char *const *sim_scenario_fields(void) { return root_fields; }

static int validate(ld *L, const cJSON *root, sim_scenario *sc, paths *tp) {
    const char *const *known = root_fields;
    static const char *const mode_names[] = {"model", "direct", NULL};
    static const int mode_vals[] = {SIM_MODEL, SIM_DIRECT};
    static const char *const bill_names[] = {"per-second", "per-hour", NULL};
    static const int bill_vals[] = {SIM_PER_SECOND, SIM_PER_HOUR};
    if (!cJSON_IsObject(root)) return fail(L, "must be a JSON object");
    if (check_keys(L, root, known)) return -1;

    const char *name = NULL, *desc;
    int r = string(L, root, "name", 0, 0, sizeof sc->name, &name);
    if (r < 0) return -1;
    if (r == 0) {
        /* The file name without directory and ".json". */
        const char *b = strrchr(L->file, '/');
        b = b ? b + 1 : L->file;
        size_t n = strlen(b);
        if (n > 5 && strcmp(b + n - 5, ".json") == 0) n -= 5;
        if (n >= sizeof sc->name) n = sizeof sc->name - 1;
        memcpy(sc->name, b, n);
        sc->name[n] = '\0';
        /* Names are UTF-8 (they go into JSON and figures); a file name's
        ** other bytes, or a character cut at the end, become '?'. */
        for (size_t i = 0; i < n;) {
            size_t ok = trc_utf8_valid(sc->name + i, n - i);
            i += ok;
            if (i < n) sc->name[i++] = '?';
        }
    } else {
        if (trc_utf8_valid(name, strlen(name)) != strlen(name))
            return fail_at(L, "name", "is not valid UTF-8");
        snprintf(sc->name, sizeof sc->name, "%s", name);
    }
    int mode, billing;
    int64_t seed;
    if (string(L, root, "description", 0, 1, 0, &desc) < 0 ||
        choice(L, root, "mode", SIM_MODEL, mode_names, mode_vals, &mode) < 0 ||
        whole(L, root, "seed", 0, 1, 0, INT64_MAX, &seed) < 0 ||
        timev(L, root, "start", &sc->start) < 0 ||
        timev(L, root, "end", &sc->end) < 0)
        return -1;
    if (sc->end <= sc->start) return fail_at(L, "end", "must be after start");
    if (choice(L, root, "billing", SIM_PER_SECOND, bill_names, bill_vals,
               &billing) < 0)
        return -1;
    sc->mode = (sim_mode)mode;
    sc->seed = (uint64_t)seed;
    sc->billing = (sim_billing)billing;

    if (sc->mode == SIM_MODEL) {
        if (not_in_mode(L, root, "direct", "model") ||
            read_fleet(L, root, sc, tp) || read_traces_section(L, root, sc, tp) ||
            read_market(L, root, sc) || read_eventbridge(L, root, sc))
            return -1;
    } else {
        if (not_in_mode(L, root, "fleet", "direct") ||
            not_in_mode(L, root, "traces", "direct") ||
            not_in_mode(L, root, "market", "direct") ||
            not_in_mode(L, root, "eventbridge", "direct") ||
            read_direct(L, root, sc, tp))
            return -1;
    }
    if (read_ecs_cw(L, root, sc) || read_controller(L, root, sc) ||
        read_asg(L, root, sc))
        return -1;
    return 0;
}

/* ---- A Spot Fleet as a spot Auto Scaling group --------------------------- */

/* 1 when the tree's fleet.kind is "asg". */
static int fleet_kind_is_asg(const cJSON *root) {
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "fleet");
    const cJSON *k = cJSON_IsObject(f) ? cJSON_GetObjectItemCaseSensitive(f, "kind") : NULL;
    return cJSON_IsString(k) && strcmp(k->valuestring, "asg") == 0;
}

/* 1 when the fleet section holds a field only a group has: it is then read
** as the group it describes (and a Spot Fleet field in it is an error). */
static int fleet_has_group_fields(const cJSON *root) {
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "fleet");
    for (size_t k = 0; group_only[k]; k++)
        if (cJSON_GetObjectItemCaseSensitive(f, group_only[k])) return 1;
    return 0;
}

void sim_scenario_as_group(sim_scenario *sc) {
    sc->kind = SIM_KIND_ASG;
    /* InstancesDistribution: no on-demand base, 100 % spot above it, the
    ** on-demand strategy's default (prioritized); CapacityRebalance on. */
    memset(&sc->mixed, 0, sizeof sc->mixed);
    sc->mixed.capacity_rebalance = 1;
    sc->mixed.from_fleet = 1;
    /* diversified has no group counterpart: AWS's recommended strategy. */
    if (sc->alloc == SIM_DIVERSIFIED) sc->alloc = SIM_PRICE_CAPACITY_OPTIMIZED;
    /* No SpotMaxPrice: AWS's default, the on-demand price (per unit-hour). */
    for (size_t i = 0; i < sc->npools; i++)
        sc->pools[i].max_price = sc->pools[i].on_demand_price / sc->pools[i].weight;
    group_rebalance(sc);
}

/* ---- --set overrides ---------------------------------------------------- */

/* Applies one "KEY=VALUE" to the tree. KEY is NAME(.NAME)* with optional
** [N] after any NAME; missing objects on the way are created, but array
** elements never are. */
static int apply_set(cJSON *root, const char *set, char *err, size_t errlen) {
    const char *eq = strchr(set, '=');
    if (!eq || eq == set) {
        snprintf(err, errlen, "--set %s: expected KEY=VALUE", set);
        return -1;
    }
    const char *val = eq + 1;
    const char *endp = NULL;
    cJSON *nv = cJSON_ParseWithOpts(val, &endp, 1);
    if (!nv) nv = cJSON_CreateString(val);
    if (!nv) {
        snprintf(err, errlen, "--set %s: out of memory", set);
        return -1;
    }

    cJSON *cur = root;
    const char *p = set;
    for (;;) {
        /* One step: a NAME or an [N], then what follows it. */
        char name[128];
        int is_index = *p == '[' && p > set; /* a KEY starts with a NAME */
        long idx = 0;
        const char *q;
        if (is_index) {
            q = p + 1;
            char *e;
            errno = 0;
            idx = strtol(q, &e, 10);
            if (*q < '0' || *q > '9' || *e != ']' || errno || idx > INT_MAX)
                goto bad_key;
            q = e + 1;
        } else {
            q = p;
            while (q < eq && *q != '.' && *q != '[') q++;
            if (q == p || (size_t)(q - p) >= sizeof name) goto bad_key;
            memcpy(name, p, (size_t)(q - p));
            name[q - p] = '\0';
        }
        int last = q == eq;
        if (!last && *q != '.' && *q != '[') goto bad_key;
        int prefix = (int)(p - set); /* the key up to this step */
        if (prefix && set[prefix - 1] == '.') prefix--;
        if (prefix == 0 && !cJSON_IsObject(cur)) {
            snprintf(err, errlen, "--set %s: the scenario is not an object",
                     set);
            goto fail;
        }
        if (is_index && !cJSON_IsArray(cur)) {
            snprintf(err, errlen, "--set %s: %.*s is not an array", set,
                     prefix, set);
            goto fail;
        }
        if (!is_index && !cJSON_IsObject(cur)) {
            snprintf(err, errlen, "--set %s: %.*s is not an object", set,
                     prefix, set);
            goto fail;
        }
        if (is_index && idx >= cJSON_GetArraySize(cur)) {
            snprintf(err, errlen, "--set %s: no element %ld", set, idx);
            goto fail;
        }
        if (last) {
            if (is_index) {
                cJSON_ReplaceItemInArray(cur, (int)idx, nv);
            } else if (cJSON_GetObjectItemCaseSensitive(cur, name)) {
                cJSON_ReplaceItemInObjectCaseSensitive(cur, name, nv);
            } else if (!cJSON_AddItemToObject(cur, name, nv)) {
                snprintf(err, errlen, "--set %s: out of memory", set);
                goto fail;
            }
            return 0;
        }
        cJSON *next = is_index ? cJSON_GetArrayItem(cur, (int)idx)
                               : cJSON_GetObjectItemCaseSensitive(cur, name);
        if (!next) {
            if (q[0] == '[') {
                /* A missing array has no element to set. */
                char *e;
                long n = strtol(q + 1, &e, 10);
                snprintf(err, errlen, "--set %s: no element %ld", set, n);
                goto fail;
            }
            next = cJSON_AddObjectToObject(cur, name);
            if (!next) {
                snprintf(err, errlen, "--set %s: out of memory", set);
                goto fail;
            }
        }
        cur = next;
        p = *q == '.' ? q + 1 : q;
        if (p == eq) goto bad_key; /* "a.=" */
    }
bad_key:
    snprintf(err, errlen,
             "--set %s: KEY must be NAME(.NAME)* with optional [N] indices",
             set);
fail:
    cJSON_Delete(nv);
    return -1;
}

/* ---- traces --------------------------------------------------------------- */

/* A growing series of points, sorted and deduplicated by finish(). */
typedef struct {
    pol_point *pts;
    size_t n, cap;
    int mixed; /* a point came at or before the one before it: finish() sorts
                  and drops duplicates (else the points are as they will be) */
} series;

/* Doubles the room for points; 0, or -1 when out of memory. */
static int series_grow(series *s) {
    size_t nc = s->cap ? s->cap * 2 : 64;
    pol_point *p = realloc(s->pts, nc * sizeof *p);
    if (!p) return -1;
    s->pts = p;
    s->cap = nc;
    return 0;
}

/* Inline: called for every row of a trace. */
static inline int series_add(series *s, int64_t t, double v) {
    if (s->n == s->cap && series_grow(s)) return -1;
    s->mixed |= s->n && t <= s->pts[s->n - 1].t;
    s->pts[s->n++] = (pol_point){t, v};
    return 0;
}

/* Stable merge sort by t: equal timestamps keep their file order, which is
** what makes "the later row wins" below well defined. */
static void merge_sort(pol_point *a, pol_point *tmp, size_t n) {
    if (n < 2) return;
    size_t h = n / 2;
    merge_sort(a, tmp, h);
    merge_sort(a + h, tmp, n - h);
    if (a[h - 1].t <= a[h].t) return; /* already in order */
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = a[j].t < a[i].t ? a[j++] : a[i++];
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

/* Sorts the series by Timestamp and keeps, of points with the same
** Timestamp, the one from the latest row in the file (a correction appended
** to a trace overrides the original). Moves the points into *out. */
static int series_finish(series *s, sim_steps *out) {
    int sorted = 1;
    for (size_t i = 1; i < s->n && sorted && s->mixed; i++)
        sorted = s->pts[i - 1].t <= s->pts[i].t;
    if (!sorted) {
        pol_point *tmp = malloc(s->n * sizeof *tmp);
        if (!tmp) return -1;
        merge_sort(s->pts, tmp, s->n);
        free(tmp);
    }
    size_t k = s->mixed ? 0 : s->n; /* in order, no two at one time: all kept */
    for (size_t i = k; i < s->n; i++) {
        if (k && s->pts[k - 1].t == s->pts[i].t) k--;
        s->pts[k++] = s->pts[i];
    }
    out->pts = s->pts;
    out->n = k;
    s->pts = NULL;
    s->n = s->cap = 0;
    s->mixed = 0;
    return 0;
}

/* Opens the trace `rel` (as the scenario names it) for reading row by row;
** every byte read goes into the hash. */
static int open_csv(ld *L, const char *rel, const trc_csv_col *cols, size_t ncols,
                    trc_csv_reader **r) {
    char *path = resolve(L, rel);
    if (!path) return fail(L, "out of memory");
    int rc = trc_csv_open(path, cols, ncols, &L->hash, r, L->err, L->errlen);
    free(path);
    return rc;
}

static int oom(ld *L, const trc_csv_reader *r) {
    snprintf(L->err, L->errlen, "%s: out of memory", trc_csv_file(r));
    return -1;
}

/* A cell that must be a number >= 0. */
static int cell_nonneg(ld *L, const trc_csv_reader *r, size_t c, double *v) {
    if (trc_csv_rnumber(r, c, v, L->err, L->errlen)) return -1;
    if (*v < 0) return trc_csv_rfail(r, c, L->err, L->errlen, "must be >= 0");
    return 0;
}

/* Whether the n bytes at a and b are the same, n a pool name's length
** (about 10): from 8 to 16 bytes, the first and the last 8 (overlapping)
** as two words, inline, where memcmp is a call. */
static inline int same_bytes(const char *a, const char *b, size_t n) {
    if (n < 8 || n > 16) return memcmp(a, b, n) == 0;
    uint64_t a0, a1, b0, b1;
    memcpy(&a0, a, 8);
    memcpy(&b0, b, 8);
    memcpy(&a1, a + n - 8, 8);
    memcpy(&b1, b + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/* Whether pool p is (type, az), lengths given (each shorter than the
** pool's arrays; a cell holds no NUL). */
static inline int is_pool(const sim_pool *p, const char *type, size_t tlen, const char *az,
                          size_t alen) {
    return p->instance_type[tlen] == '\0' && p->az[alen] == '\0' &&
           same_bytes(p->instance_type, type, tlen) && same_bytes(p->az, az, alen);
}

/* Pools up to this many are looked for one by one: a comparison that
** mostly stops at the lengths costs less than hashing the key. */
#define FEW_POOLS 8

/* The pool a price or capacity row names, or NULL (a pool the fleet does
** not use): one look-up in the pool index, whatever the number of pools,
** or, for a few pools, a look at each. */
static sim_pool *find_pool(ld *L, sim_scenario *sc, const char *type, size_t tlen,
                           const char *az, size_t alen) {
    if (!L->pidx || alen == 0) return NULL; /* a row without an AZ names no pool */
    if (sc->npools <= FEW_POOLS) {
        for (size_t i = 0; i < sc->npools; i++)
            if (is_pool(&sc->pools[i], type, tlen, az, alen)) return &sc->pools[i];
        return NULL;
    }
    size_t *slot = pool_slot(L, sc, type, tlen, az, alen);
    return *slot ? &sc->pools[*slot - 1] : NULL;
}

enum { PC_TIME, PC_TYPE, PC_AZ, PC_VALUE };

/* The prices (price = 1) or availability trace: per pool, a step function.
** Rows for pools the fleet does not use are checked, then ignored: a price
** history export covers many instance types. */
static int read_pool_trace(ld *L, sim_scenario *sc, const char *rel,
                           int price) {
    const trc_csv_col cols[] = {{"Timestamp", 0},
                                {"InstanceType", 0},
                                {"AvailabilityZone", 0},
                                {price ? "SpotPrice" : "Capacity", 0}};
    trc_csv_reader *r;
    series *ser = NULL;
    sim_pool **after = NULL, **guess; /* guess: after[] of the last row's pool */
    int rc = -1, k;
    if (open_csv(L, rel, cols, 4, &r)) return -1;
    /* A trace lists its pools in the same order at each time: after[i] is
    ** the pool whose row followed pool i's last time, checked before the
    ** index is looked up (the same pool either way, for less work). */
    ser = calloc(sc->npools, sizeof *ser);
    after = calloc(sc->npools + 1, sizeof *after);
    if (!ser || !after) {
        oom(L, r);
        goto out;
    }
    guess = &after[0];
    while ((k = trc_csv_next(r, L->err, L->errlen)) == 1) {
        int64_t ts;
        double v;
        const size_t *len;
        const char *const *cell = trc_csv_cells(r, &len);
        /* The cells' common shapes inline (text.h); any other, and any
        ** message, the reader's way. */
        if (!trc_epoch10(cell[PC_TIME], len[PC_TIME], &ts) &&
            trc_csv_rtime(r, PC_TIME, &ts, L->err, L->errlen))
            goto out;
        if (!trc_short_decimal(cell[PC_VALUE], len[PC_VALUE], &v) && /* never < 0 */
            cell_nonneg(L, r, PC_VALUE, &v))
            goto out;
        if (!price && v != floor(v)) {
            trc_csv_rfail(r, PC_VALUE, L->err, L->errlen,
                          "must be a whole number of instances, got '%s'",
                          trc_csv_get(r, PC_VALUE, NULL));
            goto out;
        }
        size_t tlen = len[PC_TYPE], alen = len[PC_AZ];
        const char *type = cell[PC_TYPE], *az = cell[PC_AZ];
        sim_pool *p = NULL;
        if (tlen < sizeof p->instance_type && alen < sizeof p->az) {
            if (*guess && alen && is_pool(*guess, type, tlen, az, alen))
                p = *guess;
            else if ((p = find_pool(L, sc, type, tlen, az, alen)))
                *guess = p;
        }
        if (!p) continue;
        size_t i = (size_t)(p - sc->pools);
        guess = &after[i + 1];
        if (series_add(&ser[i], ts, v)) {
            oom(L, r);
            goto out;
        }
    }
    if (k < 0) goto out;
    for (size_t i = 0; i < sc->npools; i++) {
        sim_pool *p = &sc->pools[i];
        if (price && ser[i].n == 0) {
            snprintf(L->err, L->errlen,
                     "%s: no SpotPrice rows for %s in %s "
                     "(fleet.LaunchSpecifications[%zu])",
                     trc_csv_file(r), p->instance_type, p->az, i);
            goto out;
        }
        if (series_finish(&ser[i], price ? &p->price : &p->avail)) {
            oom(L, r);
            goto out;
        }
    }
    rc = 0;
out:
    if (ser)
        for (size_t i = 0; i < sc->npools; i++) free(ser[i].pts);
    free(ser);
    free(after);
    trc_csv_close(r);
    return rc;
}

static int cmp_spec(const void *a, const void *b) {
    const sim_event_spec *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* Scripted capacity events (traces.events):
** Timestamp,Scope,InstanceType,AvailabilityZone,Share,InsufficientCapacity,
** RebalanceLead. Scope is Pool (type and AZ), InstanceFamily (a type or the
** family), AvailabilityZone (AZ) or All. */
static int read_events(ld *L, sim_scenario *sc, const char *rel) {
    static const char *const scopes[] = {"Pool", "InstanceFamily",
                                         "AvailabilityZone", "All"};
    enum { E_TIME, E_SCOPE, E_TYPE, E_AZ, E_SHARE, E_ICE, E_LEAD };
    const trc_csv_col cols[] = {{"Timestamp", 0},    {"Scope", 0},
                                {"InstanceType", 0}, {"AvailabilityZone", 0},
                                {"Share", 0},        {"InsufficientCapacity", 1},
                                {"RebalanceLead", 1}};
    trc_csv_reader *r;
    int rc = -1, k;
    size_t cap = 0;
    if (open_csv(L, rel, cols, 7, &r)) return -1;
    while ((k = trc_csv_next(r, L->err, L->errlen)) == 1) {
        if (sc->nevents == cap) {
            size_t nc = cap ? 2 * cap : 16;
            sim_event_spec *p = realloc(sc->events, nc * sizeof *p);
            if (!p) {
                oom(L, r);
                goto out;
            }
            sc->events = p;
            cap = nc;
        }
        sim_event_spec *e = &sc->events[sc->nevents];
        memset(e, 0, sizeof *e); /* the bytes after the names too */
        const char *scope = trc_csv_get(r, E_SCOPE, NULL);
        const char *type = trc_csv_get(r, E_TYPE, NULL), *az = trc_csv_get(r, E_AZ, NULL);
        const char *ice = trc_csv_get(r, E_ICE, NULL), *lead = trc_csv_get(r, E_LEAD, NULL);
        double v;
        if (trc_csv_rtime(r, E_TIME, &e->t, L->err, L->errlen)) goto out;
        e->scope = -1;
        for (int k = 0; k < SIM_NSCOPES; k++)
            if (strcmp(scope, scopes[k]) == 0) e->scope = k;
        if (e->scope < 0) {
            trc_csv_rfail(r, E_SCOPE, L->err, L->errlen,
                         "'%s' is not one of Pool, InstanceFamily, AvailabilityZone, All",
                         scope);
            goto out;
        }
        int need_type = e->scope == SIM_SCOPE_POOL || e->scope == SIM_SCOPE_FAMILY;
        int need_az = e->scope == SIM_SCOPE_POOL || e->scope == SIM_SCOPE_AZ;
        if ((need_type && !type[0]) || (need_az && !az[0])) {
            trc_csv_rfail(r, need_type && !type[0] ? E_TYPE : E_AZ, L->err, L->errlen,
                         "is required for Scope %s", scope);
            goto out;
        }
        if (strlen(type) >= sizeof e->instance_type || strlen(az) >= sizeof e->az) {
            trc_csv_rfail(r, strlen(type) >= sizeof e->instance_type ? E_TYPE : E_AZ,
                         L->err, L->errlen, "is too long");
            goto out;
        }
        snprintf(e->instance_type, sizeof e->instance_type, "%s", type);
        snprintf(e->az, sizeof e->az, "%s", az);
        if (trc_csv_rnumber(r, E_SHARE, &e->share, L->err, L->errlen)) goto out;
        if (!(e->share > 0 && e->share <= 1)) {
            trc_csv_rfail(r, E_SHARE, L->err, L->errlen, "must be > 0 and at most 1");
            goto out;
        }
        e->ice = 0;
        e->lead = -1;
        const char *const whole_cells[2] = {ice, lead};
        for (int k = 0; k < 2; k++) {
            if (!whole_cells[k] || !whole_cells[k][0]) continue;
            size_t c = k ? E_LEAD : E_ICE;
            if (cell_nonneg(L, r, c, &v)) goto out;
            if (v != floor(v) || v > 1e9) {
                trc_csv_rfail(r, c, L->err, L->errlen,
                             "must be whole seconds (at most 1e9)");
                goto out;
            }
            if (k) e->lead = (int64_t)v;
            else e->ice = (int64_t)v;
        }
        sc->nevents++;
    }
    if (k < 0) goto out;
    /* Stable (bottom-up merge): the file's order among events of the same
    ** second. */
    sim_event_spec *tmp = malloc((sc->nevents + 1) * sizeof *tmp);
    if (!tmp) {
        oom(L, r);
        goto out;
    }
    for (size_t w = 1; w < sc->nevents; w *= 2) {
        for (size_t lo = 0; lo < sc->nevents; lo += 2 * w) {
            size_t mid = lo + w < sc->nevents ? lo + w : sc->nevents;
            size_t hi = lo + 2 * w < sc->nevents ? lo + 2 * w : sc->nevents;
            size_t a = lo, b = mid, k = lo;
            while (a < mid || b < hi)
                tmp[k++] = (b >= hi || (a < mid && cmp_spec(&sc->events[a], &sc->events[b]) <= 0))
                               ? sc->events[a++]
                               : sc->events[b++];
        }
        memcpy(sc->events, tmp, sc->nevents * sizeof *tmp);
    }
    free(tmp);
    rc = 0;
out:
    trc_csv_close(r);
    return rc;
}

/* The demand trace of target tracking: Timestamp,Demand (units). */
static int read_demand(ld *L, sim_scenario *sc, const char *rel) {
    static const trc_csv_col cols[] = {{"Timestamp", 0}, {"Demand", 0}};
    trc_csv_reader *r;
    series ser = {0};
    int rc = -1, k;
    if (open_csv(L, rel, cols, 2, &r)) return -1;
    while ((k = trc_csv_next(r, L->err, L->errlen)) == 1) {
        int64_t ts;
        double v;
        if (trc_csv_rtime(r, 0, &ts, L->err, L->errlen) || cell_nonneg(L, r, 1, &v))
            goto out;
        if (series_add(&ser, ts, v)) {
            oom(L, r);
            goto out;
        }
    }
    if (k < 0) goto out;
    if (ser.n == 0) {
        snprintf(L->err, L->errlen, "%s: no rows", trc_csv_file(r));
        goto out;
    }
    if (series_finish(&ser, &sc->demand)) {
        oom(L, r);
        goto out;
    }
    rc = 0;
out:
    free(ser.pts);
    trc_csv_close(r);
    return rc;
}

/* dst = max(0, a - b) at every Timestamp where both a and b have a point:
** the metric a recording left out, from the two it kept. */
static int derive(const sim_steps *a, const sim_steps *b, sim_steps *dst) {
    size_t n = a->n < b->n ? a->n : b->n;
    dst->pts = malloc((n ? n : 1) * sizeof *dst->pts);
    if (!dst->pts) return -1;
    size_t i = 0, j = 0, k = 0;
    while (i < a->n && j < b->n) {
        if (a->pts[i].t < b->pts[j].t) i++;
        else if (b->pts[j].t < a->pts[i].t) j++;
        else {
            double v = a->pts[i].v - b->pts[j].v;
            dst->pts[k++] = (pol_point){a->pts[i].t, v > 0 ? v : 0};
            i++;
            j++;
        }
    }
    dst->n = k;
    return 0;
}

/* Direct mode's recorded metrics. Columns in the header's order. */
static int read_metrics(ld *L, sim_scenario *sc, const char *rel) {
    const trc_csv_col *cols = trc_metrics_cols;
    const pol_metric *metric = trc_metrics_col_metric;
    trc_csv_reader *r;
    series ser[5] = {{0}};
    int rc = -1, k;
    if (open_csv(L, rel, cols, TRC_METRICS_NCOLS, &r)) return -1;
    if (!trc_csv_has(r, 2) && !trc_csv_has(r, 3)) {
        snprintf(L->err, L->errlen,
                 "%s: the header needs FulfilledCapacity or PendingCapacity",
                 trc_csv_file(r));
        goto out;
    }
    while ((k = trc_csv_next(r, L->err, L->errlen)) == 1) {
        int64_t ts;
        if (trc_csv_rtime(r, 0, &ts, L->err, L->errlen)) goto out;
        if (ts % sc->d_period != 0) {
            trc_csv_rfail(r, 0, L->err, L->errlen,
                          "'%s' is not a multiple of Period (%" PRId64 " s)",
                          trc_csv_get(r, 0, NULL), sc->d_period);
            goto out;
        }
        for (size_t c = 1; c < 5; c++) {
            const char *cell = trc_csv_get(r, c, NULL);
            double v;
            if (!cell || !*cell) continue; /* no datapoint */
            if (cell_nonneg(L, r, c, &v)) goto out;
            if (series_add(&ser[c], ts, v)) {
                oom(L, r);
                goto out;
            }
        }
    }
    if (k < 0) goto out;
    if (ser[1].n == 0) {
        snprintf(L->err, L->errlen, "%s: no TargetCapacity datapoints", trc_csv_file(r));
        goto out;
    }
    for (size_t c = 1; c < 5; c++)
        if (series_finish(&ser[c], &sc->d_metric[metric[c]])) {
            oom(L, r);
            goto out;
        }
    sim_steps *m = sc->d_metric;
    if (!trc_csv_has(r, 3) &&
        derive(&m[POL_TARGET], &m[POL_FULFILLED], &m[POL_PENDING])) {
        oom(L, r);
        goto out;
    }
    if (!trc_csv_has(r, 2) &&
        derive(&m[POL_TARGET], &m[POL_PENDING], &m[POL_FULFILLED])) {
        oom(L, r);
        goto out;
    }
    rc = 0;
out:
    for (size_t c = 0; c < 5; c++) free(ser[c].pts);
    trc_csv_close(r);
    return rc;
}

/* ---- the trace cache -----------------------------------------------------------
**
** A sweep loads one scenario file again and again with other --set values;
** its traces are the same files. An entry keeps what reading one trace
** left in the scenario (its step functions or events) and the hash state
** after it, under everything the reading depended on: the kind of trace,
** the file (path, device, inode, size, modification time), the hash state
** before it, the pools (price and capacity rows go to pools by type and
** AZ) and the Period (direct mode checks Timestamps against it). A hit
** copies the entry into the scenario: the same result, bit for bit, as
** reading the file, which is what the cache replaces. Only reads that
** succeeded are kept. */

enum { TR_PRICE, TR_AVAIL, TR_DEMAND, TR_EVENTS, TR_METRICS };

typedef struct {
    int kind;
    char *path, *pools;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    int64_t period;
    trc_hash_alg alg;
    uint64_t h_in, h_out; /* the hash so far (at a piece's start) before, after */
    sim_steps *steps; /* nsteps step functions, copies */
    size_t nsteps;
    sim_event_spec *events;
    size_t nevents;
} cache_entry;

struct sim_trace_cache {
    cache_entry *e;
    size_t n, cap;
    size_t reads; /* traces read from their files, not copied */
};

size_t sim_trace_cache_reads(const sim_trace_cache *c) { return c->reads; }

sim_trace_cache *sim_trace_cache_new(void) { return calloc(1, sizeof(sim_trace_cache)); }

static void entry_free(cache_entry *e) {
    free(e->path);
    free(e->pools);
    for (size_t i = 0; i < e->nsteps; i++) free(e->steps[i].pts);
    free(e->steps);
    free(e->events);
}

void sim_trace_cache_free(sim_trace_cache *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) entry_free(&c->e[i]);
    free(c->e);
    free(c);
}

/* The step functions a trace of `kind` fills in sc. */
static size_t trace_steps_of(sim_scenario *sc, int kind, sim_steps **out) {
    switch (kind) {
    case TR_PRICE:
    case TR_AVAIL:
        for (size_t i = 0; i < sc->npools; i++)
            out[i] = kind == TR_PRICE ? &sc->pools[i].price : &sc->pools[i].avail;
        return sc->npools;
    case TR_DEMAND: out[0] = &sc->demand; return 1;
    case TR_METRICS:
        for (int m = 0; m < POL_NMETRICS; m++) out[m] = &sc->d_metric[m];
        return POL_NMETRICS;
    }
    return 0;
}

static int copy_steps(sim_steps *dst, const sim_steps *src) {
    dst->n = src->n;
    dst->pts = malloc((src->n ? src->n : 1) * sizeof *dst->pts);
    if (!dst->pts) return -1;
    if (src->n) memcpy(dst->pts, src->pts, src->n * sizeof *dst->pts);
    return 0;
}

/* "type|az;..." of the pools: where price and capacity rows go. */
static char *pools_key(const sim_scenario *sc) {
    size_t n = 1;
    for (size_t i = 0; i < sc->npools; i++)
        n += strlen(sc->pools[i].instance_type) + strlen(sc->pools[i].az) + 2;
    char *k = malloc(n), *w = k;
    if (!k) return NULL;
    for (size_t i = 0; i < sc->npools; i++)
        w += sprintf(w, "%s|%s;", sc->pools[i].instance_type, sc->pools[i].az);
    *w = '\0';
    return k;
}

/* The key of reading trace `rel` of `kind` now: 0, or -1 when the file
** cannot be looked at (the read itself then says why). */
static int entry_key(ld *L, const sim_scenario *sc, int kind, const char *rel, cache_entry *k) {
    memset(k, 0, sizeof *k);
    struct stat st;
    k->kind = kind;
    k->path = resolve(L, rel);
    k->pools = kind == TR_PRICE || kind == TR_AVAIL ? pools_key(sc) : strdup("");
    if (!k->path || !k->pools || stat(k->path, &st) != 0) {
        entry_free(k);
        return -1;
    }
    k->dev = st.st_dev;
    k->ino = st.st_ino;
    k->size = st.st_size;
    k->mtime = st.st_mtim;
    k->period = kind == TR_METRICS ? sc->d_period : 0;
    k->alg = L->hash.alg;
    k->h_in = L->hash.h;
    return 0;
}

static int same_key(const cache_entry *a, const cache_entry *b) {
    return a->kind == b->kind && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec && a->period == b->period &&
           a->alg == b->alg && a->h_in == b->h_in && strcmp(a->path, b->path) == 0 &&
           strcmp(a->pools, b->pools) == 0;
}

/* Fills sc from a cached read of the trace; 1 on a hit, 0 on a miss, -1
** when out of memory. */
static int cache_get(ld *L, sim_scenario *sc, const cache_entry *key) {
    if (!L->cache) return 0;
    for (size_t i = 0; i < L->cache->n; i++) {
        const cache_entry *e = &L->cache->e[i];
        if (!same_key(e, key)) continue;
        sim_steps *dst[POL_NMETRICS + 64];
        sim_steps **d = sc->npools + POL_NMETRICS <= 64
                            ? dst
                            : malloc((sc->npools + POL_NMETRICS) * sizeof *d);
        if (!d) return -1;
        size_t n = trace_steps_of(sc, e->kind, d);
        int rc = 1;
        for (size_t k = 0; k < n && rc == 1; k++)
            if (copy_steps(d[k], &e->steps[k])) rc = -1;
        if (d != dst) free(d);
        if (rc == 1 && e->kind == TR_EVENTS) {
            sc->events = malloc((e->nevents ? e->nevents : 1) * sizeof *sc->events);
            if (!sc->events) return -1;
            if (e->nevents) memcpy(sc->events, e->events, e->nevents * sizeof *sc->events);
            sc->nevents = e->nevents;
        }
        if (rc == 1) trc_hash_set(&L->hash, e->h_out);
        return rc;
    }
    return 0;
}

/* Keeps what reading the trace left in sc (the key is taken over). */
static void cache_put(ld *L, sim_scenario *sc, cache_entry *key) {
    sim_steps *dst[POL_NMETRICS + 64];
    sim_steps **d = sc->npools + POL_NMETRICS <= 64
                        ? dst
                        : malloc((sc->npools + POL_NMETRICS) * sizeof *d);
    int ok = d != NULL;
    if (ok && L->cache->n == L->cache->cap) {
        size_t cap = L->cache->cap ? 2 * L->cache->cap : 8;
        cache_entry *p = realloc(L->cache->e, cap * sizeof *p);
        if (p) {
            L->cache->e = p;
            L->cache->cap = cap;
        }
        ok = p != NULL;
    }
    if (ok) {
        size_t n = trace_steps_of(sc, key->kind, d);
        key->steps = calloc(n ? n : 1, sizeof *key->steps);
        ok = key->steps != NULL;
        for (size_t k = 0; ok && k < n; k++, key->nsteps++)
            ok = copy_steps(&key->steps[k], d[k]) == 0;
        if (ok && key->kind == TR_EVENTS) {
            key->events = malloc((sc->nevents ? sc->nevents : 1) * sizeof *key->events);
            ok = key->events != NULL;
            if (ok && sc->nevents)
                memcpy(key->events, sc->events, sc->nevents * sizeof *sc->events);
            key->nevents = sc->nevents;
        }
    }
    if (d && d != dst) free(d);
    key->h_out = L->hash.h;
    if (ok) L->cache->e[L->cache->n++] = *key;
    else entry_free(key); /* not kept: only a later read is slower */
}

/* Reads trace `rel` of `kind` with `reader`, or copies it from the cache. */
static int read_trace(ld *L, sim_scenario *sc, int kind, const char *rel,
                      int (*reader)(ld *, sim_scenario *, const char *, int), int arg) {
    cache_entry key;
    int keyed = L->cache && entry_key(L, sc, kind, rel, &key) == 0;
    if (keyed) {
        int hit = cache_get(L, sc, &key);
        if (hit) {
            entry_free(&key);
            return hit < 0 ? fail(L, "out of memory") : 0;
        }
    }
    int rc = reader(L, sc, rel, arg);
    if (L->cache) L->cache->reads++;
    if (keyed) {
        if (rc == 0) cache_put(L, sc, &key);
        else entry_free(&key);
    }
    return rc;
}

/* direct.events: the EventBridge events a real controller received, as
** `trace import --format eventbridge` writes them (traces/events.c):
** Timestamp,DetailType,InstanceId,Units. Read at every load (not cached:
** such files are small); their bytes go into the hash. */
static int read_direct_events(ld *L, sim_scenario *sc, const char *rel) {
    enum { DE_TIME, DE_TYPE, DE_INSTANCE, DE_UNITS };
    const trc_csv_col cols[] = {{"Timestamp", 0}, {"DetailType", 0}, {"InstanceId", 1},
                                {"Units", 0}};
    trc_csv_reader *r;
    int rc = -1, k;
    size_t cap = 0;
    if (open_csv(L, rel, cols, 4, &r)) return -1;
    while ((k = trc_csv_next(r, L->err, L->errlen)) == 1) {
        if (sc->d_nevents == cap) {
            size_t nc = cap ? 2 * cap : 16;
            sim_recorded_event *p = realloc(sc->d_events, nc * sizeof *p);
            if (!p) {
                oom(L, r);
                goto out;
            }
            sc->d_events = p;
            cap = nc;
        }
        sim_recorded_event *e = &sc->d_events[sc->d_nevents];
        const char *dt = trc_csv_get(r, DE_TYPE, NULL);
        if (trc_csv_rtime(r, DE_TIME, &e->t, L->err, L->errlen)) goto out;
        e->kind = -1;
        for (int j = 0; j < POL_NEVENTS; j++)
            if (strcmp(dt, pol_event_detail_type((pol_event_kind)j)) == 0) e->kind = j;
        if (e->kind < 0) {
            trc_csv_rfail(r, DE_TYPE, L->err, L->errlen, "'%s' is not \"%s\" or \"%s\"", dt,
                          pol_event_detail_type(POL_EV_WARNING),
                          pol_event_detail_type(POL_EV_REBALANCE));
            goto out;
        }
        if (cell_nonneg(L, r, DE_UNITS, &e->units)) goto out;
        sc->d_nevents++;
    }
    if (k < 0) goto out;
    rc = 0;
out:
    trc_csv_close(r);
    return rc;
}

static int read_events_k(ld *L, sim_scenario *sc, const char *rel, int arg) {
    (void)arg;
    return read_events(L, sc, rel);
}
static int read_demand_k(ld *L, sim_scenario *sc, const char *rel, int arg) {
    (void)arg;
    return read_demand(L, sc, rel);
}
static int read_metrics_k(ld *L, sim_scenario *sc, const char *rel, int arg) {
    (void)arg;
    return read_metrics(L, sc, rel);
}

/* Reads the traces in a fixed order (it is the hash's order too): prices,
** availability, demand; or, in direct mode, metrics. */
static int read_traces(ld *L, sim_scenario *sc, const paths *tp) {
    if (sc->mode == SIM_DIRECT)
        return read_trace(L, sc, TR_METRICS, tp->metrics, read_metrics_k, 0) ||
                       (tp->devents && read_direct_events(L, sc, tp->devents))
                   ? -1
                   : 0;
    if (read_trace(L, sc, TR_PRICE, tp->prices, read_pool_trace, 1)) return -1;
    if (tp->availability &&
        read_trace(L, sc, TR_AVAIL, tp->availability, read_pool_trace, 0))
        return -1;
    if (tp->demand && read_trace(L, sc, TR_DEMAND, tp->demand, read_demand_k, 0)) return -1;
    if (tp->events && read_trace(L, sc, TR_EVENTS, tp->events, read_events_k, 0)) return -1;
    return 0;
}

/* ---- limits --------------------------------------------------------------
**
** What a run costs grows with its span, its instances and its controller
** invocations, and the CloudWatch ring with the ingestion delay. These
** limits (docs/scenario.md, "Limits") are checked when the scenario is
** loaded, so `run` and `sweep` refuse a scenario past them before any work,
** with the field at fault (exit 2), instead of running for days or running
** out of memory. Each is far above any real fleet or study. (The number of
** LaunchSpecifications, LIM_POOLS, is checked where they are read, before
** any of them is.) */
#define LIM_SPAN_S (3660LL * 86400)  /* end - start: ten years */
#define LIM_INSTANCES 200000.0       /* a fleet's, or a group's MaxSize: the
                                        simulator's work per event does not
                                        grow with the fleet (make bench times
                                        100,000 instances) */
#define LIM_INVOCATIONS 6000000      /* (end - start) / controller.Interval */
#define LIM_DELAY_S 86400            /* cloudwatch.IngestionDelay's max */

static int check_limits(ld *L, const sim_scenario *sc) {
    int64_t span = sc->end - sc->start;
    if (span > LIM_SPAN_S)
        return fail_at(L, "end", "the span is %" PRId64 " s (%.0f days); at most %lld s "
                                    "(3660 days)", span, (double)span / 86400, LIM_SPAN_S);
    if (sc->cron && span / sc->cron_interval > LIM_INVOCATIONS)
        return fail_at(L, "controller.Interval",
                          "%" PRId64 " s over the span makes %" PRId64 " invocations; at most "
                          "%d (a longer Interval or a shorter span)",
                          sc->cron_interval, span / sc->cron_interval, LIM_INVOCATIONS);
    if (sc->cw_delay.max > LIM_DELAY_S)
        return fail_at(L, "cloudwatch.IngestionDelay", "%" PRId64 " s; at most %d s (a day)",
                          sc->cw_delay.max, LIM_DELAY_S);
    if ((double)sc->asg_max > LIM_INSTANCES)
        return fail_at(L, "asg.MaxSize", "%d instances; at most %.0f", sc->asg_max,
                          LIM_INSTANCES);
    if (sc->mode != SIM_MODEL) return 0;
    double wmin = sc->pools[0].weight;
    for (size_t i = 1; i < sc->npools; i++)
        if (sc->pools[i].weight < wmin) wmin = sc->pools[i].weight;
    /* The most units the fleet may be asked for: TargetCapacity, or what
    ** target tracking makes of the highest demand. */
    const char *field = "fleet.TargetCapacity";
    double units = sc->target_capacity;
    if (sc->demand.n) {
        double dmax = 0;
        for (size_t i = 0; i < sc->demand.n; i++)
            if (sc->demand.pts[i].v > dmax) dmax = sc->demand.pts[i].v;
        double tt = ceil(dmax * 100 / sc->tt_target_value);
        if (tt > sc->tt_max) tt = sc->tt_max;
        if (tt < sc->tt_min) tt = sc->tt_min;
        if (tt > units) {
            units = tt;
            field = "fleet.TargetTracking";
        }
    }
    if (units / wmin > LIM_INSTANCES)
        return fail_at(L, field, "%.15g units are %.15g instances of WeightedCapacity %g; "
                                    "at most %.0f instances", units, ceil(units / wmin), wmin,
                          LIM_INSTANCES);
    return 0;
}

/* ---- what the traces cover ------------------------------------------------
**
** A span the traces do not cover would run on invented values: before a
** trace's first row its first value, after its last its last. So the span
** [start, end) must lie within what each trace covers (docs/scenario.md,
** "What the traces cover"), unless the scenario asks for the extension
** (traces.Extend, direct.Extend):
**   - traces.prices: from each pool's first row; to a day after the last
**     row of any pool (a price history lists changes only: a price may
**     hold for hours after the last change, not for days unsaid);
**   - traces.availability: from the first row of each pool it has rows for
**     (changes only too, and capacity holds for long: no end);
**   - the target tracking demand: from its first row;
**   - direct.metrics: TargetCapacity from its first datapoint to one
**     Period after its last (a recording has a datapoint every Period). */
#define PRICE_GRACE_S 86400

/* "[2017-03-01T00:00:00Z, 2017-03-02T00:00:00Z)" */
static void range_text(int64_t a, int64_t b, char *buf, size_t n) {
    char x[32], y[32];
    trc_time_format(a, x, sizeof x);
    trc_time_format(b, y, sizeof y);
    snprintf(buf, n, "[%s, %s)", x, y);
}

static int not_covered(ld *L, const sim_scenario *sc, int at_start, const char *trace,
                       int64_t from, int64_t to, const char *why) {
    char span[80], cov[80], t[32];
    range_text(sc->start, sc->end, span, sizeof span);
    if (to == INT64_MAX) {
        trc_time_format(from, t, sizeof t);
        snprintf(cov, sizeof cov, "from %s", t);
    } else {
        range_text(from, to, cov, sizeof cov);
    }
    trc_time_format(at_start ? from : to, t, sizeof t);
    const char *ext = sc->mode == SIM_DIRECT ? "direct.Extend" : "traces.Extend";
    enter(L, at_start ? "start" : "end");
    return fail(L, "the span %s %s what %s covers, %s%s (set %s %s %s, or %s to true to "
                "hold its %s values %s)", span, at_start ? "begins before" : "ends after",
                trace, cov, why, at_start ? "start" : "end",
                at_start ? "at or after" : "at or before", t, ext,
                at_start ? "first" : "last", at_start ? "before it" : "to the end");
}

/* The latest of the pools' first price rows (the pool in *late) and the
** end of what the prices cover. */
static void price_cover(const sim_scenario *sc, int64_t *from, int64_t *to, int64_t *last,
                        size_t *late) {
    *from = *last = INT64_MIN;
    *late = 0;
    for (size_t i = 0; i < sc->npools; i++) {
        const sim_steps *p = &sc->pools[i].price;
        if (p->pts[0].t > *from) *from = p->pts[0].t, *late = i;
        if (p->pts[p->n - 1].t > *last) *last = p->pts[p->n - 1].t;
    }
    *to = *last > INT64_MAX - PRICE_GRACE_S ? INT64_MAX - 1 : *last + PRICE_GRACE_S;
}

void sim_scenario_covered(const sim_scenario *sc, int64_t *from, int64_t *to) {
    if (sc->mode == SIM_DIRECT) {
        const sim_steps *t = &sc->d_metric[POL_TARGET];
        *from = t->n ? t->pts[0].t : INT64_MIN;
        *to = t->n ? t->pts[t->n - 1].t + sc->d_period : INT64_MAX;
        return;
    }
    int64_t last;
    size_t late;
    *from = INT64_MIN;
    *to = INT64_MAX;
    if (sc->npools == 0) return;
    price_cover(sc, from, to, &last, &late);
    for (size_t i = 0; i < sc->npools; i++)
        if (sc->pools[i].avail.n && sc->pools[i].avail.pts[0].t > *from)
            *from = sc->pools[i].avail.pts[0].t;
    if (sc->demand.n && sc->demand.pts[0].t > *from) *from = sc->demand.pts[0].t;
}

static int check_coverage(ld *L, const sim_scenario *sc) {
    if (sc->extend) return 0;
    if (sc->mode == SIM_DIRECT) {
        int64_t from, to;
        sim_scenario_covered(sc, &from, &to);
        if (sc->start < from || sc->end > to)
            return not_covered(L, sc, sc->start < from, "direct.metrics", from, to,
                               ": TargetCapacity from its first datapoint to one Period "
                               "after its last");
        return 0;
    }
    int64_t first, to, last;
    size_t late;
    price_cover(sc, &first, &to, &last, &late);
    char why[160];
    snprintf(why, sizeof why, ": %s in %s has no price before it", sc->pools[late].instance_type,
             sc->pools[late].az);
    if (sc->start < first) return not_covered(L, sc, 1, "traces.prices", first, to, why);
    if (sc->end > to) {
        char t[32];
        trc_time_format(last, t, sizeof t);
        snprintf(why, sizeof why, ": a price history lists changes only, so it is taken to "
                 "hold a day past its last row (%s)", t);
        return not_covered(L, sc, 0, "traces.prices", first, to, why);
    }
    for (size_t i = 0; i < sc->npools; i++) {
        const sim_steps *a = &sc->pools[i].avail;
        if (a->n && sc->start < a->pts[0].t) {
            snprintf(why, sizeof why, ": %s in %s has no capacity row before it",
                     sc->pools[i].instance_type, sc->pools[i].az);
            return not_covered(L, sc, 1, "traces.availability", a->pts[0].t, INT64_MAX, why);
        }
    }
    if (sc->demand.n && sc->start < sc->demand.pts[0].t)
        return not_covered(L, sc, 1, "fleet.TargetTracking.Demand", sc->demand.pts[0].t,
                           INT64_MAX, "");
    return 0;
}

/* ---- the public interface ------------------------------------------------- */

/* The line of byte `off` in `text`, counting from 1. */
static long line_of(const char *text, size_t off) {
    long line = 1;
    for (size_t i = 0; i < off; i++) line += text[i] == '\n';
    return line;
}

int sim_scenario_load(const char *path, const char *const *sets, size_t nsets,
                      sim_scenario *sc, char *err, size_t errlen) {
    return sim_scenario_load_cached(path, sets, nsets, NULL, sc, err, errlen);
}

int sim_scenario_load_cached(const char *path, const char *const *sets, size_t nsets,
                             sim_trace_cache *cache, sim_scenario *sc, char *err,
                             size_t errlen) {
    return sim_scenario_load_hashed(path, sets, nsets, cache, SIM_HASH_XXH64, sc, err, errlen);
}

int sim_scenario_load_hashed(const char *path, const char *const *sets, size_t nsets,
                             sim_trace_cache *cache, sim_hash_alg alg, sim_scenario *sc,
                             char *err, size_t errlen) {
    memset(sc, 0, sizeof *sc);
    ld L = {.file = path, .cache = cache, .sets = sets, .nsets = nsets,
            .err = err, .errlen = errlen};
    trc_hash_init(&L.hash, alg == SIM_HASH_FNV1A ? TRC_HASH_FNV1A : TRC_HASH_XXH64);
    char *text = NULL;
    cJSON *root = NULL;
    int rc = -1;
    paths tp = {0};
    size_t len;

    if (strlen(path) >= sizeof sc->path) {
        fail(&L, "path too long (at most %zu bytes)", sizeof sc->path - 1);
        goto out;
    }
    snprintf(sc->path, sizeof sc->path, "%s", path);
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
    L.dir = malloc(dl + 1);
    if (!L.dir) {
        fail(&L, "out of memory");
        goto out;
    }
    memcpy(L.dir, path, dl);
    L.dir[dl] = '\0';

    text = slurp(path, &len, err, errlen);
    if (!text) goto out;
    hash_piece(&L, text, len);
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        snprintf(err, errlen, "%s:%ld: NUL byte (not a text file?)", path,
                 line_of(text, (size_t)(nul - text)));
        goto out;
    }
    /* The parse end pointer is returned per call, not read from cJSON's
    ** global error state, which is shared by every caller in the process. */
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (root && end) {
        /* Only white space may follow the value. */
        end += strspn(end, " \t\r\n");
        if (*end) {
            cJSON_Delete(root);
            root = NULL;
        }
    }
    if (!root) {
        size_t off = end && end >= text && end <= text + len
                         ? (size_t)(end - text) : len;
        snprintf(err, errlen, "%s:%ld: invalid JSON", path, line_of(text, off));
        goto out;
    }
    int file_group = fleet_kind_is_asg(root);
    for (size_t i = 0; i < nsets; i++)
        if (apply_set(root, sets[i], err, errlen)) goto out;
    /* --set fleet.kind=asg on a Spot Fleet's description: read as the fleet
    ** it describes, then made the group the default stack deploys. */
    int as_group = !file_group && fleet_kind_is_asg(root) && !fleet_has_group_fields(root);
    if (as_group)
        cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "fleet"),
                                               "kind", cJSON_CreateString("spot-fleet"));
    if (validate(&L, root, sc, &tp)) goto out;
    if (as_group) sim_scenario_as_group(sc);
    if (read_traces(&L, sc, &tp)) goto out;
    if (check_limits(&L, sc) || check_coverage(&L, sc)) goto out;
    for (size_t i = 0; i < nsets; i++) hash_piece(&L, sets[i], strlen(sets[i]));
    snprintf(sc->hash, sizeof sc->hash, "%016" PRIx64, L.hash.h);
    sc->hash_alg = alg;
    rc = 0;
out:
    cJSON_Delete(root);
    free(text);
    free(L.dir);
    free(L.pidx);
    if (rc) sim_scenario_free(sc);
    return rc;
}

void sim_scenario_free(sim_scenario *sc) {
    for (size_t i = 0; i < sc->npools; i++) {
        free(sc->pools[i].price.pts);
        free(sc->pools[i].avail.pts);
    }
    free(sc->pools);
    free(sc->demand.pts);
    free(sc->events);
    for (int m = 0; m < POL_NMETRICS; m++) free(sc->d_metric[m].pts);
    free(sc->d_events);
    memset(sc, 0, sizeof *sc);
}

void sim_scenario_params(const sim_scenario *sc, const pol_policy *pol,
                         pol_params *out) {
    pol_params_default(pol, out);
    /* The units a policy sizes the group in are the group's own. */
    int u = pol_param_index(pol, "units_per_instance");
    if (u >= 0) out->v[u] = sc->od_weight;
    /* mixed-instances on a group runs the group's own distribution. */
    if (pol->native == POL_NATIVE_MIXED && sc->kind == SIM_KIND_ASG && !sc->mixed.from_fleet) {
        out->v[0] = sc->mixed.od_base;
        out->v[1] = sc->mixed.od_pct;
    }
    /* A variant takes its policy's controller.params, then its own values. */
    const pol_policy *own = pol->base ? pol->base : pol;
    for (size_t i = 0; i < sc->nparams; i++)
        if (sc->params[i].pol == own)
            for (size_t k = 0; k < pol->nparams; k++)
                if (sc->params[i].given >> k & 1) out->v[k] = sc->params[i].p.v[k];
    for (size_t k = 0; k < pol->nparams; k++)
        if (pol->fixed >> k & 1) out->v[k] = pol->params[k].def;
}

int sim_scenario_check_policy(const sim_scenario *sc, const pol_policy *pol,
                              const pol_params *params, char *err, size_t errlen) {
    if (sc->mode != SIM_DIRECT) return 0;
    if (pol->native) {
        snprintf(err, errlen, "%s: mode: %s is a native strategy: it sets a spot side up, "
                              "and a direct-mode scenario replays a fleet's metrics (use a "
                              "model-mode scenario)",
                 sc->path, pol->name);
        return -1;
    }
    unsigned reads = pol_reads(pol, params);
    for (int m = 0; m < POL_NMETRICS; m++) {
        if (!(reads >> m & 1) || sc->d_metric[m].n > 0) continue;
        const char *name = pol_metric_name((pol_metric)m);
        const char *how =
            m == POL_TERMINATING
                ? "import it with the other metrics (docs/traces.md), or, if the fleet "
                  "terminated nothing for being above its target in the span, add a "
                  "TerminatingCapacity column of 0"
                : "leave the empty column out of the header to have it computed from the "
                  "other two (docs/scenario.md), or import it with the other metrics "
                  "(docs/traces.md)";
        snprintf(err, errlen, "%s: direct.metrics: no %s datapoints, and %s reads it "
                 "(without it %s would hold wherever it needs it): %s",
                 sc->path, name, pol->name, pol->name, how);
        return -1;
    }
    return 0;
}

/* A delay drawn at random: not a constant (p in (0, 1), or a range). */
static int dist_random(const sim_dist *d) {
    return d->p > 0 && (d->p < 1 || d->min != d->max);
}

static int prob_random(double p) { return p > 0 && p < 1; }

int sim_scenario_random(const sim_scenario *sc) {
    const sim_dist *d[] = {&sc->fleet_launch_delay, &sc->registration_delay, &sc->cw_delay,
                           &sc->cron_offset,        &sc->cron_jitter,        &sc->sns_delay,
                           &sc->od_launch_delay,    &sc->od_termination_delay,
                           &sc->fleet_termination_delay};
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        if (dist_random(d[i])) return 1;
    /* The market draws its events; scripted events draw which instances
    ** they interrupt. */
    if (sc->mode == SIM_MODEL && (sc->market.on || sc->nevents)) return 1;
    if (sc->mode == SIM_MODEL && sc->ev_on &&
        (dist_random(&sc->ev_delay) || prob_random(sc->ev_loss)))
        return 1;
    return prob_random(sc->cw_missing) || prob_random(sc->cw_fetch_failure) ||
           prob_random(sc->invoke_failure) || prob_random(sc->describe_failure);
}
