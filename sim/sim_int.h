/*
** sim_int.h: the simulator's internal state, shared by the files of sim/
** and seen by nobody else. One sim_state lives for one sim_run() call; it
** owns every array below and frees them all in sim_state_free().
*/
#ifndef SPOTBENCH_SIM_INT_H
#define SPOTBENCH_SIM_INT_H

#include "sim.h"
#include "traces/rng.h"

/* Billing's running sums of a price trace (billing.c), and its fixed
** point: a price integral in 2^-80 USD-seconds (per instance-hour). */
typedef struct sim_stepsum sim_stepsum;
__extension__ typedef unsigned __int128 sim_fx;

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

/* The events of a kind that has at most one pending at any time and comes
** every minute (the period's close, the cron invocation) wait in a slot of
** their own: most events of a long run are those, and a slot costs a
** comparison. The others wait in groups of one second and one class, each
** a first-in first-out list (in a group, sequence order is the order they
** came in), and a binary heap orders the groups by (time, class): a burst
** of thousands of events at one second (a pool's interruptions) is one
** entry of the heap. A hash table finds a second's group. Sequence numbers
** come from one counter throughout, so the order is (time, sequence). */
enum { SIM_SLOT_MINUTE, SIM_SLOT_CRON, SIM_NSLOTS }; /* two: queue.c's find_next */

/* An event waiting in a group: 32 bytes. */
typedef struct {
    int64_t t;
    uint64_t seq;
    int32_t a;
    uint32_t b;
    int32_t type;
} sim_qnode;

/* A group's events are an array of their own, in arrival order from
** ev[head]: a burst is contiguous memory, read in order. */
typedef struct {
    int64_t t;
    int cls;
    uint32_t head, n, cap;
    sim_qnode *ev;
    int32_t next_free;  /* on the free list: the next free group + 1 */
} sim_qgroup;

typedef struct {
    sim_qgroup *group;
    size_t ngroup, capgroup;
    int32_t free_group; /* index + 1 of the first free group; 0: none */
    int32_t *heap; /* groups, a min-heap on (t, cls) */
    size_t n, cap; /* groups in the heap */
    int32_t *table; /* open addressing on (t, cls): group + 1, 0 empty */
    size_t tcap;
    int table_on;   /* the table is in use (many groups), queue.c */
    uint64_t next_seq;
    sim_event slot[SIM_NSLOTS];
    unsigned slots; /* bit k: slot k holds an event */
    int next;       /* the earliest: -1 the heap's, k slot k, -2 none
                       (kept by every push and pop; a zeroed queue reads
                       as empty) */
} sim_queue;

int sim_queue_push(sim_queue *q, int64_t t, int cls, int type, int32_t a,
                   uint32_t b);
/* Puts the event in slot k (which must be empty). */
void sim_queue_push_slot(sim_queue *q, int k, int64_t t, int cls, int type, int32_t a,
                         uint32_t b);
int sim_queue_pop(sim_queue *q, sim_event *out); /* 0 when empty */
/* The event sim_queue_pop() would return next, or NULL. */
const sim_qnode *sim_queue_peek_heap(const sim_queue *q);
/* Both slots full, the minute's before the schedule's: the events k more
** rounds of popping each and pushing it again dt seconds on would leave,
** with the sequence numbers those 2k pushes take. */
void sim_queue_slots_advance(sim_queue *q, int64_t dt, uint64_t k);
/* The time of the heap's earliest event (not the slots'); INT64_MAX when
** it holds none. */
int64_t sim_queue_heap_t(const sim_queue *q);
/* The time of the next event; 0 when there is none. */
int sim_queue_next_t(const sim_queue *q, int64_t *t);
void sim_queue_free(sim_queue *q);

/* ---- random numbers (queue.c) ------------------------------------------- */

/* xoshiro256**, seeded through splitmix64. Each model draws from its own
** stream, so a policy that launches more on-demand instances does not shift
** the spot market's or CloudWatch's random draws. */
typedef trc_rng sim_rng;

void sim_rng_seed(sim_rng *r, uint64_t seed, uint64_t stream);
/* A delay drawn from d. A constant needs no draw: a year of minutes with
** constant delays is millions of draws saved. A random delay always draws
** two values, whatever its p, so changing p keeps the rest of the stream
** aligned (sim_rng_draw, queue.c). */
int64_t sim_rng_draw(sim_rng *r, const sim_dist *d);
/* d never draws: always 0, or always one constant. */
static inline int sim_dist_fixed(const sim_dist *d) {
    return d->p <= 0 || (d->p >= 1 && d->min == d->max);
}
static inline int64_t sim_rng_delay(sim_rng *r, const sim_dist *d) {
    if (sim_dist_fixed(d)) return d->p <= 0 ? 0 : d->min;
    return sim_rng_draw(r, d);
}

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
    EV_REBALANCE_END, /* a = instance: launch-before-terminate ends it */
    EV_SHUTDOWN_END   /* a = pool: one instance the fleet terminated is gone */
};

/* ---- instances ---------------------------------------------------------- */

enum { INST_LAUNCHING, INST_RUNNING, INST_NOTICE, INST_GONE };

/* 64 bytes, one cache line: a fleet of 100,000 instances is visited at
** random (each launch, notice and bill touches its own). */
typedef struct {
    sim_fx run_sum;  /* spot: its pool's price integral up to run_t (account.c) */
    uint64_t serial; /* launch order among its kind (spot or on-demand): ties
                        are broken by it, never by slot, so that the spot side
                        does not depend on how many on-demand slots exist */
    int64_t run_t, end_t;
    int32_t pool;    /* spot pool index, or -1 for on-demand */
    uint32_t gen;    /* bumped when the slot is reused: stale events skip */
    int32_t risk;    /* 1 + the market event whose rebalance recommendation
                        marked it for interruption, or 0 */
    /* Its neighbours (slots, -1 at an end) in the one list it is on, kept
    ** in serial order: its pool's (spot), the group's launching instances,
    ** or the group's in-service instances of its phase (on-demand, asg.c). */
    int32_t prev, next;
    uint8_t state;
    uint8_t registered; /* serving in ECS */
    uint8_t initial;    /* running before the run started (past its first hour) */
    uint8_t rebalanced; /* Capacity Rebalancing replaced it: not fulfilled
                           (launch-before-terminate: 1 awaiting its
                           replacement's launch, 2 its termination due) */
} sim_inst;

/* A list of instance slots in serial order (see sim_inst.prev/next). */
typedef struct {
    int32_t head, tail; /* -1 when empty */
} sim_list;

/* Appends slot idx (the highest serial on the list), inserts it at its
** place in serial order (searching from the tail), or removes it
** (state.c). */
void sim_list_append(sim_inst *inst, sim_list *l, int32_t idx);
void sim_list_insert(sim_inst *inst, sim_list *l, int32_t idx);
void sim_list_remove(sim_inst *inst, sim_list *l, int32_t idx);

/* A CloudWatch datapoint kept for the controller's fetches. */
typedef struct {
    int64_t t;                      /* Timestamp: the period's start */
    int64_t visible[POL_NMETRICS];  /* when each metric's copy shows up */
    double v[POL_NMETRICS];
    unsigned missing; /* bit m: metric m's datapoint never appears */
} sim_dp;

/* One metric's datapoints a fetch may return, visible so far, in Timestamp
** order in pts[head, tail) (cap entries), and those not visible yet. */
typedef struct {
    pol_point *pts;
    size_t head, tail, cap;
    /* The Timestamp of the oldest of the newest datapoints that are one
    ** Period apart with the same value (bits) as the newest: a window
    ** starting at or after it holds one value throughout, none missing. */
    int64_t run_t;
    int track;         /* run_t is kept (the memo is on) */
    pol_point *pend;
    int64_t *pend_vis; /* when each waiting one becomes visible */
    size_t npend;
} sim_cwin;

/* One capacity event of the market model (market.c). */
typedef struct {
    int64_t t;        /* the interruption */
    int64_t signal_t; /* its rebalance recommendation, or -1 */
    int scope, group; /* SIM_SCOPE_*; the pool, family or AZ id */
    double share;     /* of each hit pool's instances */
    int64_t ice;      /* insufficient-capacity window, seconds */
    size_t order;     /* creation order: ties at one second keep it */
} sim_mevent;

/* The spot capacity's history, kept for the oracle's bound (bound.c). */
typedef struct {
    int64_t t;
    double required, spot; /* units, from t until the next entry */
    double known;          /* of spot, the units not under notice: what a
                              controller may count on (the reactive bound) */
} sim_cap;

/* The sub-structs of sim_state below group its fields by the file that
** owns them: that file sets them up, changes them and frees them; the
** others mostly only read them. */

/* The spot market as each pool sees it now (market.c). Prices and
** capacities follow their traces (applied by run.c); capacity events
** open insufficient-capacity windows and rebalance recommendations. */
typedef struct {
    sim_rng rng_market;
    double *price;     /* USD per instance-hour now */
    double *avail;     /* instances the pool can give now (or +inf) */
    int64_t *ice_until;/* launches fail until then (insufficient capacity) */
    int64_t *risk_until;/* a rebalance recommendation's event is due then:
                           the fleet launches nothing there before it */
    int *family, *az;  /* instance family and AZ ids, for correlated events */
    sim_mevent *mev;
    size_t nmev;
    struct sim_cand { uint64_t serial; int64_t idx; } *scratch; /* one pool's
                          candidate instances, in launch order */
    size_t scratchcap;
} sim_market_state;

/* The Spot Fleet (fleet.c): its instances per pool, its TargetCapacity
** (moved by target tracking, run.c) and its metrics (in direct mode, the
** recorded ones, set by run.c). */
typedef struct {
    sim_rng rng_fleet, rng_reg;
    sim_list *pool_list; /* per pool: its instances not gone, in launch order */
    int *pool_count;   /* instances not gone (launching, running, notice) */
    int *pool_launching, *pool_notice; /* of them, launching; under notice */
    double *pool_units;/* units launching or running, not under notice */
    double target;
    int64_t tt_last_out, tt_last_in;
    double fulfilled; /* units */
    /* TerminatingCapacity as AWS defines it: units the fleet is terminating
    ** because it holds more than its target (per pool: instances shutting
    ** down), not units under an interruption notice. */
    double terminating;
    int *pool_shutdown;
    sim_rng rng_shutdown;
    int noticed;       /* instances under an interruption notice */
    int rebal_waiting; /* launch-before-terminate: instances awaiting a
                          replacement's launch */
    double spot_units;             /* registered, serving */
    double notice_units;           /* of them, under notice */
} sim_fleet_state;

/* EventBridge (events.c): the interruption warnings and rebalance
** recommendations on their way to the controller, and those received
** within the policy's look-back. */
typedef struct {
    int64_t t;     /* received */
    int kind;      /* POL_EV_* */
    double units;
} sim_evmsg;
typedef struct {
    sim_rng rng;
    sim_evmsg *msg;   /* emitted, in emission order */
    size_t n, cap;
    pol_point *out[POL_NEVENTS]; /* what an invocation is given */
    size_t nout[POL_NEVENTS], capout[POL_NEVENTS];
    int64_t last_invocation;
} sim_evb_state;
/* A span in which a spot group could launch in no pool (spotasg.c). */
typedef struct {
    int64_t from, to; /* [from, to) */
    int code;         /* SIM_FAIL_* */
} sim_fail_span;

/* The spot side's kind as this run has it (spotasg.c): set at the start
** from fleet.kind or a native strategy (mixed-instances,
** capacity-providers); target tracking moves it. A Spot Fleet run leaves it
** zeroed, and every figure below adds nothing. */
typedef struct {
    int asg;          /* the spot side is an Auto Scaling group: it replaces
                         an interrupted instance once terminated, and
                         balances its Availability Zones */
    double desired;   /* the group's DesiredCapacity, units */
    /* The on-demand part (a mixed group's, or the on-demand capacity
    ** provider's group): its instances, running and serving. */
    double od_units;  /* od_n * od_weight */
    int od_n;
    int64_t *od_start;/* each one's start, oldest first (od_cap of them) */
    size_t od_cap;
    double od_weight; /* units per on-demand instance */
    double od_price;  /* USD per on-demand instance-hour */
    double od_cost;   /* what they cost (billed as they end, and at the end) */
    double od_hours;  /* their instance-hours */
    /* A mixed group's InstancesDistribution as this run has it. */
    double base, pct;
    /* ECS capacity providers: the strategy (base on the on-demand
    ** provider, the weights), managed scaling's targetCapacity (%) and
    ** instanceWarmupPeriod (s). Tasks beyond a provider's capacity wait. */
    int providers;
    double w_spot, w_od, target_pct;
    int64_t warmup;
    /* Failed launches (docs/scenario.md, "Failed launches"), kept only for
    ** a policy that reads them (fail_on): while the spot part is short and
    ** no pool can launch (since stuck_since, -1 when not), the group's
    ** attempts fail, one every SIM_LAUNCH_RETRY_S; the closed spans are in
    ** spans[], what an invocation is given in out[]. */
    int fail_on;
    int64_t stuck_since;
    int stuck_code; /* SIM_FAIL_* of the span */
    sim_fail_span *spans;
    size_t nspans, capspans;
    int64_t *out;
    size_t capout;
} sim_sasg_state;

/* The on-demand Auto Scaling group (asg.c). */
typedef struct {
    sim_rng rng_asg;
    sim_list od_launching; /* launching instances, in launch order */
    /* In-service instances by phase (run_t mod 3600), each list in launch
    ** order, and a bit per non-empty phase: the termination policy's
    ** order. */
    sim_list *od_phase;
    uint64_t od_phase_bits[(3600 + 63) / 64];
    int od_desired;
    int od_live;      /* launching or in service */
    int od_in_service;
    int64_t cooldown_until;
    double od_units;  /* registered, serving */
    /* flaps */
    int last_dir;
    int64_t last_dir_t;
} sim_asg_state;

/* CloudWatch (run.c): a ring of the newest datapoints (the alarm reads
** it), the open period's maxima, and the controller's fetch windows of
** the metrics the policy reads (bit m of `reads`; the policy's
** look-back). */
typedef struct {
    sim_rng rng_cw;
    sim_dp *ring;
    size_t ringcap, ringhead, ringn;
    double pmax[POL_NMETRICS]; /* the open period's maxima */
    int pmax_seen;             /* the open period has seen the state */
    int alarm_state;
    sim_cwin win[POL_NMETRICS];
    unsigned reads;
    int64_t lookback;
    int cw_plain; /* constant ingestion delay, no missing datapoints */
} sim_cw_state;

/* What a steady observation looked like, relative to its `now` (run.c,
** "memo"): each metric's datapoints one value, none missing, from rel0
** seconds after now (n of them); the group; no event, no failed launch
** (the events' since is not read: pol_shift_invariant). */
typedef struct {
    int64_t rel0[POL_NMETRICS];
    uint64_t vbits[POL_NMETRICS];
    size_t n[POL_NMETRICS];   /* of the metrics read; the others are empty */
    unsigned failed;          /* bit m: metric m's fetch failed */
    pol_asg asg;
    int ev_known, lf_known;
} sim_obs_key;

/* A "none" the policy decided on a steady observation (run.c, "memo"),
** and at which second of the Period: it stands for every observation with
** the same key at that second. */
struct sim_memo {
    int valid;
    int64_t phase; /* now modulo the Period */
    sim_obs_key key;
    pol_decision d;
};
/* Memo entries, by the second of the Period: a jittered schedule's few
** seconds each keep theirs. A power of two. */
#define SIM_MEMO_WAYS 64

/* The controller's invocations (run.c): failures, and the schedule. */
typedef struct {
    sim_rng rng_ctl, rng_sched;
    int64_t cron_base;   /* the schedule's next time, before its jitter */
    int may_fail;        /* an invocation, fetch or describe may fail */
    int acted;           /* the invocation just made asked for a change */
    int memo_on;         /* the policy's decision depends on the shifted
                            observation only (pol_shift_invariant) */
    int memo_fast;       /* and no fetch or describe can fail */
    int quiet_on;        /* quiet stretches may be skipped (run.c) */
    int64_t memo_at;     /* the last invocation the memo answered or learnt */
    int memo_last;       /* the entry it used */
    struct sim_memo memo[SIM_MEMO_WAYS];
} sim_ctl_state;

/* Accounting (account.c): bills, coverage and the shortfall episodes. */
typedef struct {
    sim_stepsum **price_sum; /* per pool: billing's running sums */
    /* Per pool, when its prices fit the fixed point: the price integral
    ** from the trace's origin up to the step in force (which began at
    ** psum_t), so that the integral up to now, and a bill, cost O(1). */
    sim_fx *psum;
    int64_t *psum_t;
    int *psum_ok;
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
} sim_acct_state;

/* The oracle's bound (bound.c): the spot capacity's history. */
typedef struct {
    sim_cap *cap;
    size_t ncap, capcap;
} sim_bound_state;

typedef struct {
    const sim_scenario *sc;
    const pol_policy *pol;
    const pol_params *params;
    const sim_sink *sink;
    sim_result *res;
    char *err;
    size_t errlen;

    sim_queue q;
    int64_t now;
    double required; /* units the service needs now (demand trace) */

    /* instances, spot and on-demand (state.c) */
    sim_inst *inst;
    size_t ninst, capinst;
    uint64_t serial[2]; /* the next serial: [0] spot, [1] on-demand */
    int *free_slots;
    size_t nfree;

    size_t *cursor;    /* next step index per trace id (run.c) */

    sim_market_state market;
    sim_fleet_state fleet;
    sim_sasg_state sasg;
    sim_asg_state asg;
    sim_cw_state cw;
    sim_evb_state evb;
    sim_ctl_state ctl;
    sim_acct_state acct;
    sim_bound_state bound;

    /* What the observers of a settled second (CloudWatch's open period,
    ** the episode tracker, the oracle's log) read, as they last saw it:
    ** when it has not changed they would change nothing, and are not
    ** called (run.c); cw.pmax_seen: the open period has seen the state. */
    struct sim_seen {
        double required, spot_units, od_units, terminating, target, fulfilled;
        double notice_units;
        int od_live, noticed;
        double group_od; /* a mixed group's on-demand part (spotasg.c) */
    } seen;
    int seen_valid;
} sim_state;

/* bound.c */
int sim_bound_log(sim_state *s);    /* after each settled second */
int sim_bound_finish(sim_state *s); /* fills res->oracle_cost, and the
                                        whole result for the oracle policy */
void sim_bound_free(sim_state *s);

/* billing.c: what one instance's run from run_t to end_t costs, in USD:
** spot at the step function `price` (USD per instance-hour), or on demand at
** od_price when price is NULL; by_ec2: a spot instance interrupted by EC2
** (AWS's interrupted-Spot billing table); new_at_run_t: the instance started
** at run_t (0: it was already running before, past its first hour). `sum`
** is the price's running sums from sim_stepsum_build(), or NULL (the charge
** is the same, found by walking the steps). */
double sim_charge(sim_billing billing, const sim_steps *price, const sim_stepsum *sum,
                  double od_price, int64_t run_t, int64_t end_t, int by_ec2,
                  int new_at_run_t);
/* Running sums of a price trace (n >= 1), so that a charge costs a few
** steps, not every step of the instance's life. Returns 0, or -1 when out
** of memory; *out is the caller's, for sim_stepsum_free(). */
int sim_stepsum_build(const sim_steps *price, sim_stepsum **out);
void sim_stepsum_free(sim_stepsum *sum);
/* The value of a step function at t (the first value before it starts). */
double sim_steps_at(const sim_steps *st, int64_t t);
/* The fixed point of a price, and whether a trace's prices all fit it. */
sim_fx sim_fx_of(double v);
int sim_stepsum_exact(const sim_stepsum *sum);
/* sim_charge() of a per-second spot run, not interrupted in its first hour,
** given the exact integral of its price over [run_t, end_t): the 60 s
** minimum added, rounded once. What the simulator bills with when it keeps
** the integral itself (account.c). */
double sim_charge_fixed(const sim_steps *price, sim_fx integral, int64_t run_t,
                        int64_t end_t);

/* account.c */
int sim_account_init(sim_state *s);               /* at the start; -1 on OOM */
void sim_account_free(sim_state *s);
void sim_account(sim_state *s, int64_t t);        /* integrate up to t */
void sim_account_episodes(sim_state *s);          /* after a state change */
int sim_account_finish(sim_state *s);             /* medians; -1 on OOM */
void sim_bill(sim_state *s, const sim_inst *in, int interrupted);
/* Pool p's price integral up to now, and its step moving on (a price trace
** event at now, before the new price is in s->market.price). */
sim_fx sim_psum_now(const sim_state *s, int p);
void sim_psum_step(sim_state *s, int p);

/* market.c */
/* Sets the pools' market up; draws and schedules every event. */
int sim_market_plan(sim_state *s);
int sim_market_event(sim_state *s, int type, int a);
void sim_market_free(sim_state *s);

/* fleet.c */
int sim_fleet_init(sim_state *s);                 /* empty pools; -1 on OOM */
void sim_fleet_free(sim_state *s);
int sim_fleet_fill(sim_state *s);                 /* launch / trim to target */
void sim_spot_started(sim_state *s, int64_t idx); /* running at the start */
int sim_spot_notice(sim_state *s, int64_t idx);   /* 2-minute notice */
int sim_spot_rebalance(sim_state *s, int64_t idx);/* rebalance recommendation */
int sim_fleet_pool_changed(sim_state *s, int pool); /* interrupt if needed */
int sim_spot_event(sim_state *s, int type, int64_t idx);
/* One of pool's instances the fleet terminated has shut down. */
void sim_fleet_shutdown_end(sim_state *s, int pool);

/* events.c */
/* An event of kind POL_EV_* about an instance of `units` units, emitted now:
** received after the delivery delay, or lost. -1 on OOM. */
int sim_evb_emit(sim_state *s, int kind, double units);
/* Fills obs->events with what the controller has received by now within
** `lookback`; -1 on OOM. */
int sim_evb_observe(sim_state *s, int64_t lookback, pol_events *out);
void sim_evb_free(sim_state *s);
/* Direct mode: queues direct.events' recorded events, each received at its
** Timestamp. -1 on OOM. */
int sim_evb_recorded(sim_state *s);

/* spotasg.c */
/* Sets the spot side's kind up at the start (before the fleet fills):
** fleet.target becomes the spot units a mixed group or the spot provider
** asks for, sasg the on-demand part. -1 with s->err on a bad setting. */
int sim_sasg_setup(sim_state *s);
/* The group's desired capacity becomes `desired` units: the on-demand
** part follows its rule, the spot part (fleet.target) is the rest. The
** caller fills the fleet. -1 when out of memory. */
int sim_sasg_resize(sim_state *s, double desired);
/* Bills the on-demand part's instances still running, at the end. */
void sim_sasg_finish(sim_state *s);
void sim_sasg_free(sim_state *s);
/* The end of a fill of the spot part: `short_of` when it stays below its
** target with no pool that can launch (why: SIM_FAIL_*). -1 on OOM. */
int sim_sasg_filled(sim_state *s, int short_of, int code);
/* Fills *out with the failed attempts that ended by now within
** `lookback` (known when the run keeps them). -1 on OOM. */
int sim_sasg_failures(sim_state *s, int64_t lookback, pol_launch_failures *out);
/* The tasks (units) the capacity-provider strategy gives the on-demand
** provider now (s->required split). */
double sim_sasg_tasks_od(const sim_state *s);
/* May the group launch in pool p, by AZ balancing? (Only called with
** sasg.asg: the pool is in an AZ that has the fewest units among those
** where the group can launch now; `elig` says where it can.) */
int sim_sasg_az_ok(const sim_state *s, size_t p, const unsigned char *elig);

/* The capacity serving the requirement on the spot side's account: the
** spot units (registered) and the mixed group's or on-demand provider's,
** each within what its capacity provider is given. A Spot Fleet's is its
** registered spot units. */
static inline double sim_group_units(const sim_state *s) {
    if (!s->sasg.providers) return s->fleet.spot_units + s->sasg.od_units;
    double to = sim_sasg_tasks_od(s);
    double ts = s->required > to ? s->required - to : 0;
    double sp = s->fleet.spot_units < ts ? s->fleet.spot_units : ts;
    double od = s->sasg.od_units < to ? s->sasg.od_units : to;
    return sp + od;
}

/* asg.c */
/* Returns 1 accepted, 0 rejected (with the AWS error code), -1 on OOM. */
int sim_asg_set(sim_state *s, int desired, int honor, const char **error);
int sim_od_event(sim_state *s, int type, int64_t idx);
int sim_asg_init(sim_state *s);  /* an empty group; -1 on OOM */
/* The group at its DesiredCapacity, in service, at the start. */
int sim_asg_start(sim_state *s);
void sim_asg_free(sim_state *s);

/* state.c: below every other model file; they call it, it calls only the
** queue. */
/* Sets s->err and returns -1. */
int sim_fail(sim_state *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A slot for a new instance of `pool` (-1: on demand), LAUNCHING, appended
** to `list` (its owner's list of the newest of its kind). */
int sim_inst_new(sim_state *s, int pool, sim_list *list, int64_t *idx);
/* Schedules an event of instance idx (stale once its slot is reused). */
int sim_inst_event(sim_state *s, int64_t t, int type, int64_t idx);
/* Frees the slot of an instance its owner has taken off its list. */
void sim_inst_release(sim_state *s, int64_t idx);

#endif
