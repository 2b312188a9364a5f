/*
** gen.h: synthetic traces for `spotbench trace gen` (docs/traces.md,
** "Synthetic traces: trace gen"): spot prices from a mean-reverting process
** with jumps, regimes and injected outages, pool capacity for capacity
** outages, diurnal demand, and the scenario's `cloudwatch` object.
**
** Everything is a function of the parameters and the seed: the same inputs
** give the same bytes. The random state lives in trc_rng values owned by
** the caller or local to a call; there is no global state.
**
** Errors are values: functions that can fail return -1 with a message in err
** (naming the option's value at fault), never exit.
*/
#ifndef SPOTBENCH_TRACES_GEN_H
#define SPOTBENCH_TRACES_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rng.h"

/* Standard normal (Box-Muller, one value per call). */
double trc_gen_normal(trc_rng *r);

typedef struct {
    char type[32]; /* InstanceType, e.g. c4.xlarge */
    char az[32];   /* AvailabilityZone */
    double od;     /* on-demand price, USD per instance-hour */
} trc_gen_pool;

typedef struct {
    int64_t start, end; /* [start, end) */
    double mean;        /* the mean fraction of on-demand in the span */
} trc_gen_regime;

typedef enum {
    TRC_GEN_SCOPE_POOL = 0, /* pool=TYPE/AZ */
    TRC_GEN_SCOPE_FAMILY,   /* family=c4: every pool whose type is c4.* */
    TRC_GEN_SCOPE_AZ,       /* az=us-east-1a */
    TRC_GEN_SCOPE_ALL       /* all */
} trc_gen_scope;

typedef struct {
    int64_t at, duration; /* the outage holds on [at, at + duration) */
    trc_gen_scope scope;
    char type[32], az[32]; /* pool: both; family: type; az: az */
    int capacity;          /* 0: price outage; 1: capacity outage */
} trc_gen_outage;

typedef struct {
    const trc_gen_pool *pools;
    size_t npools;
    int64_t start, end, step; /* rows on [start, end), a step every `step` s */
    uint64_t seed;
    double mean;       /* mean fraction of on-demand (default 0.3) */
    double reversion;  /* share of the gap to the mean closed per step */
    double volatility; /* noise per step, fraction of on-demand */
    double jump_prob;  /* probability of a jump per step */
    double jump_size;  /* jump, fraction of on-demand (upwards) */
    const trc_gen_regime *regimes;
    size_t nregimes;
    const trc_gen_outage *outages;
    size_t noutages;
    int capacity; /* instances a pool gives outside capacity outages */
} trc_gen_prices_params;

/* Fills the documented defaults (everything but pools, start, end). */
void trc_gen_prices_defaults(trc_gen_prices_params *p);

/* Parses "TYPE/AZ=PRICE,...": returns a malloc'd array (caller frees) and
** its length in *n, or NULL with a message. */
trc_gen_pool *trc_gen_parse_pools(const char *spec, size_t *n, char *err,
                                  size_t errlen);
/* Parses "START:END:MEAN" (times ISO-8601 UTC or epoch seconds). */
int trc_gen_parse_regime(const char *s, trc_gen_regime *r, char *err,
                         size_t errlen);
/* Parses "AT:DURATION:SCOPE[:KIND]". */
int trc_gen_parse_outage(const char *s, trc_gen_outage *o, char *err,
                         size_t errlen);
/* 1 when pool is in the outage's scope. */
int trc_gen_in_scope(const trc_gen_pool *pool, const trc_gen_outage *o);

/* The price during a price outage, as a multiple of on-demand. */
#define TRC_GEN_OUTAGE_FACTOR 2.0
/* Outside outages the process is kept in [MIN, MAX] x on-demand. */
#define TRC_GEN_MIN_FRACTION 0.01
#define TRC_GEN_MAX_FRACTION 0.95

/* Checks the parameters, then writes the prices CSV to `prices` and, when
** `avail` is not NULL, the availability CSV (header only when there is no
** capacity outage). A capacity outage without `avail` is an error. Returns
** 0, or -1 with a message (nothing meaningful written). */
int trc_gen_prices(const trc_gen_prices_params *p, FILE *prices, FILE *avail,
                   char *err, size_t errlen);

typedef struct {
    int64_t start, end, step;
    uint64_t seed;
    double base, amplitude; /* units */
    int64_t period;         /* s (default 86400) */
    double peak_hour;       /* hour of the day, UTC, of the peak (default 14) */
    double noise;           /* units, standard deviation (default 0) */
} trc_gen_demand_params;

void trc_gen_demand_defaults(trc_gen_demand_params *p);
int trc_gen_demand(const trc_gen_demand_params *p, FILE *out, char *err,
                   size_t errlen);

/* Formats the scenario's `cloudwatch` object (one line, no newline). Returns
** 0, or -1 with a message when a value is out of range. */
int trc_gen_cloudwatch(double delay_p, long delay_min, long delay_max,
                       double missing, char *buf, size_t n, char *err,
                       size_t errlen);

#endif
