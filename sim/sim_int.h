/*
** sim_int.h: the simulator's internal state, shared by the files of sim/
** and seen by nobody else. One sim_state lives for one sim_run() call; it
** owns every array below and frees them all in sim_state_free().
*/
#ifndef SPOTBENCH_SIM_INT_H
#define SPOTBENCH_SIM_INT_H

#include "sim.h"
#include "traces/rng.h"

/* ---- event queue (queue.c) ---------------------------------------------- */

/* Event classes break ties between events at the same second: a CloudWatch
** period closes before anything else happens at its boundary second, state
** changes come next, and the controller looks last. Within a class, events
** keep the order they were scheduled in. */
enum { EVC_PERIOD = 0, EVC_STATE = 1, EVC_CONTROLLER = 2 };

typedef struct {
    int64_t t;
    uint64_t seq; /* class in the top 2 bits, then insertion order */
    int type;
    int32_t a;
    uint32_t b;
} sim_event;

typedef struct {
    sim_event *ev; /* binary min-heap on (t, seq) */
    size_t n, cap;
    uint64_t next_seq;
} sim_queue;

int sim_queue_push(sim_queue *q, int64_t t, int cls, int type, int32_t a,
                   uint32_t b);
int sim_queue_pop(sim_queue *q, sim_event *out); /* 0 when empty */
void sim_queue_free(sim_queue *q);

/* ---- random numbers (queue.c) ------------------------------------------- */

/* xoshiro256**, seeded through splitmix64. Each model draws from its own
** stream, so a policy that launches more on-demand instances does not shift
** the spot market's or CloudWatch's random draws. */
typedef trc_rng sim_rng;

void sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t stream);
int64_t sim_rng_delay(sim_rng *r, const sim_dist *d);

/* ---- events ------------------------------------------------------------- */

enum {
    EV_END,         /* the end of the simulated span */
    EV_MINUTE,      /* a CloudWatch period closes; samples; target tracking */
    EV_TRACE,       /* a trace step: a = trace id (see trace ids in run.c) */
    EV_RUNNING,     /* a = instance: launched and running (billed) */
    EV_REGISTERED,  /* a = instance: registered in ECS (serving) */
    EV_TERMINATE,   /* a = instance: the 2-minute notice is over */
    EV_INVOKE,      /* the controller runs; a = 1 when from the alarm */
    EV_MARKET,      /* a = market event: capacity taken, launches fail */
    EV_SIGNAL,      /* a = market event: its rebalance recommendation */
    EV_ICE_END,     /* a = pool: an insufficient-capacity window may end */
    EV_REBALANCE_END /* a = instance: launch-before-terminate ends it */
};

/* ---- instances ---------------------------------------------------------- */

enum { INST_LAUNCHING, INST_RUNNING, INST_NOTICE, INST_GONE };

typedef struct {
    int pool;       /* spot pool index, or -1 for on-demand */
    int state;
    int registered; /* serving in ECS */
    uint32_t gen;   /* bumped when the slot is reused: stale events skip */
    int initial;    /* running before the run started (past its first hour) */
    int rebalanced; /* Capacity Rebalancing replaced it: not fulfilled */
    int32_t risk;   /* 1 + the market event whose rebalance recommendation
                       marked it for interruption, or 0 */
    uint64_t serial;/* launch order among its kind (spot or on-demand): ties
                       are broken by it, never by slot, so that the spot side
                       does not depend on how many on-demand slots exist */
    int64_t launch_t, run_t, end_t;
} sim_inst;

/* A CloudWatch datapoint kept for the controller's fetches. */
typedef struct {
    int64_t t;                      /* Timestamp: the period's start */
    int64_t visible[POL_NMETRICS];  /* when each metric's copy shows up */
    double v[POL_NMETRICS];
    unsigned missing; /* bit m: metric m's datapoint never appears */
} sim_dp;

/* One capacity event of the market model (market.c). */
typedef struct {
    int64_t t;        /* the interruption */
    int64_t signal_t; /* its rebalance recommendation, or -1 */
    int scope, group; /* SIM_SCOPE_*; the pool, family or AZ id */
    double share;     /* of each hit pool's instances */
    int64_t ice;      /* insufficient-capacity window, seconds */
    size_t order;     /* creation order: ties at one second keep it */
} sim_mevent;

/* The spot capacity's history, kept for the oracle (oracle.c). */
typedef struct {
    int64_t t;
    double required, spot; /* units, from t until the next entry */
} sim_cap;

typedef struct {
    const sim_scenario *sc;
    const pol_policy *pol;
    const pol_params *params;
    const sim_sink *sink;
    sim_result *res;
    char *err;
    size_t errlen;

    sim_queue q;
    sim_rng rng_fleet, rng_cw, rng_ctl, rng_asg, rng_reg, rng_market, rng_sched;
    int64_t cron_base;   /* the schedule's next time, before its jitter */
    int64_t now;

    /* instances (spot and on-demand) */
    sim_inst *inst;
    size_t ninst, capinst;
    uint64_t serial[2]; /* the next serial: [0] spot, [1] on-demand */
    int *free_slots;
    size_t nfree;

    /* per pool */
    double *price;     /* USD per instance-hour now */
    double *avail;     /* instances the pool can give now (or +inf) */
    int *pool_count;   /* instances not gone (launching, running, notice) */
    double *pool_units;/* units launching or running, not under notice */
    size_t *cursor;    /* next step index per trace id */
    int64_t *ice_until;/* launches fail until then (insufficient capacity) */
    int64_t *risk_until;/* a rebalance recommendation's event is due then:
                           the fleet launches nothing there before it */
    int *family, *az;  /* instance family and AZ ids, for correlated events */

    /* market (market.c) */
    sim_mevent *mev;
    size_t nmev;
    struct sim_cand { uint64_t serial; int64_t idx; } *scratch; /* one pool's
                          candidate instances, in launch order */
    size_t scratchcap;

    /* fleet */
    double target, required;
    int64_t tt_last_out, tt_last_in;
    double fulfilled, terminating; /* units */
    double spot_units, od_units;   /* registered, serving */

    /* on-demand ASG */
    int od_desired;
    int od_live;      /* launching or in service */
    int od_in_service;
    int64_t cooldown_until;

    /* CloudWatch: a ring of the newest datapoints */
    sim_dp *ring;
    size_t ringcap, ringhead, ringn;
    double pmax[POL_NMETRICS]; /* the open period's maxima */
    int alarm_state;
    pol_point *obsbuf;         /* scratch for observations */
    size_t obscap;

    /* accounting (account.c) */
    int64_t acc_t;            /* integrated up to here */
    double covered_us, required_us, short_us; /* unit-seconds */
    int64_t below_s, cur_short_start, longest_short;
    int in_short;
    /* spot shortfall episodes */
    int in_episode, episode_covered, awaiting_release;
    int64_t episode_start, recovered_t;
    int od_base, od_calm;
    int64_t *lat, *ret;
    size_t nlat, caplat, nret, capret;
    int oom; /* an episode figure could not be recorded */
    sim_cap *cap;
    size_t ncap, capcap;
    /* flaps */
    int last_dir;
    int64_t last_dir_t;
} sim_state;

/* oracle.c */
int sim_oracle_log(sim_state *s);    /* after each settled second */
int sim_oracle_finish(sim_state *s); /* fills res->oracle_cost, and the
                                        whole result for the oracle policy */

/* billing.c: what one instance's run from run_t to end_t costs, in USD:
** spot at the step function `price` (USD per instance-hour), or on demand at
** od_price when price is NULL; by_ec2: a spot instance interrupted by EC2
** (AWS's interrupted-Spot billing table); new_at_run_t: the instance started
** at run_t (0: it was already running before, past its first hour). */
double sim_charge(sim_billing billing, const sim_steps *price, double od_price,
                  int64_t run_t, int64_t end_t, int by_ec2, int new_at_run_t);
/* The value of a step function at t (the first value before it starts). */
double sim_steps_at(const sim_steps *st, int64_t t);

/* account.c */
void sim_account(sim_state *s, int64_t t);        /* integrate up to t */
void sim_account_episodes(sim_state *s);          /* after a state change */
int sim_account_finish(sim_state *s);             /* medians; -1 on OOM */
void sim_bill(sim_state *s, const sim_inst *in, int interrupted);

/* market.c */
int sim_market_plan(sim_state *s);  /* draws and schedules every event */
int sim_market_event(sim_state *s, int type, int a);
void sim_market_free(sim_state *s);

/* fleet.c */
int sim_fleet_fill(sim_state *s);                 /* launch / trim to target */
void sim_spot_started(sim_state *s, int64_t idx); /* running at the start */
int sim_spot_notice(sim_state *s, int64_t idx);   /* 2-minute notice */
int sim_spot_rebalance(sim_state *s, int64_t idx);/* rebalance recommendation */
int sim_fleet_pool_changed(sim_state *s, int pool); /* interrupt if needed */
int sim_inst_new(sim_state *s, int pool, int64_t *idx);
int sim_inst_event(sim_state *s, int64_t t, int type, int64_t idx);
void sim_inst_release(sim_state *s, int64_t idx);
int sim_spot_event(sim_state *s, int type, int64_t idx);

/* asg.c */
/* Returns 1 accepted, 0 rejected (with the AWS error code), -1 on OOM. */
int sim_asg_set(sim_state *s, int desired, int honor, const char **error);
int sim_od_event(sim_state *s, int type, int64_t idx);

/* Sets s->err and returns -1. */
int sim_fail(sim_state *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
