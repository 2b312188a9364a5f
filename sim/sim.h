/*
** sim.h: the discrete-event simulator's public interface: the scenario it
** replays, the records it emits while running, and the summary it returns.
**
** A scenario is loaded from JSON by sim_scenario_load() (scenario.c), run by
** sim_run() (run.c) through the very same policy engine the live adapter
** uses, and released by sim_scenario_free(). Time is integer seconds (UTC
** epoch); events are ordered by (time, sequence), so the same scenario and
** seed give bit-identical results.
**
** Ownership: a sim_scenario owns every array it points to (pools, traces);
** sim_scenario_free() releases them. Records passed to a sink are borrowed
** for the duration of the callback only.
*/
#ifndef SPOTBENCH_SIM_H
#define SPOTBENCH_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

/* A random delay in seconds: with probability p, uniform in [min, max]
** (whole seconds); otherwise 0. A constant is p = 1, min = max. */
typedef struct {
    double p;
    int64_t min, max;
} sim_dist;

/* A step function: value pts[i].v holds from pts[i].t until pts[i+1].t.
** Before the first point the first value holds. n == 0: no trace. */
typedef struct {
    pol_point *pts;
    size_t n;
} sim_steps;

/* One spot capacity pool: a LaunchSpecification (InstanceType in an
** AvailabilityZone). */
typedef struct {
    char instance_type[32];
    char az[32];
    double weight;          /* WeightedCapacity: units per instance */
    double max_price;       /* SpotPrice: USD per unit-hour (instance max
                               price = max_price * weight) */
    double on_demand_price; /* USD per instance-hour, for reports */
    sim_steps price;        /* USD per instance-hour */
    sim_steps avail;        /* instances the pool can give; n == 0: no limit */
    /* Capacity-driven interruptions (market): the share of the pool's
    ** instances interrupted in a month (InterruptionFrequency), and its
    ** Spot Instance Advisor band 0..4 (<5 %, 5-10, 10-15, 15-20, >20 %). */
    double interruption_frequency;
    int band;
    /* capacity-optimized-prioritized: the priority of the pool's override,
    ** its instance type's first specification (0 first). */
    int priority;
} sim_pool;

typedef enum {
    SIM_LOWEST_PRICE,
    SIM_DIVERSIFIED,
    SIM_CAPACITY_OPTIMIZED,
    SIM_PRICE_CAPACITY_OPTIMIZED
} sim_alloc;

/* Spot Fleet Capacity Rebalancing (SpotMaintenanceStrategies). */
typedef enum {
    SIM_REBALANCE_NONE,
    SIM_REBALANCE_LAUNCH,
    SIM_REBALANCE_LAUNCH_BEFORE_TERMINATE
} sim_rebalance;

/* The correlation scopes of capacity events. */
enum { SIM_SCOPE_POOL, SIM_SCOPE_FAMILY, SIM_SCOPE_AZ, SIM_SCOPE_ALL, SIM_NSCOPES };

/* Capacity-driven interruptions, the market since November 2017 (market.c):
** each pool's InterruptionFrequency sets the rate of capacity events that
** hit it; an event hits one pool, an instance family, an Availability Zone
** or all pools (shares in `scope`), interrupts a share of each hit pool's
** instances, and makes launches there fail for an insufficient-capacity
** window; a share of events is announced by a rebalance recommendation. */
typedef struct {
    int on;                     /* the scenario has a market section */
    double scope[SIM_NSCOPES];  /* shares of events by scope, summing to 1 */
    double share_min, share_max;/* share of a hit pool's instances */
    sim_dist ice;               /* insufficient-capacity window */
    double rebalance_p;         /* probability an event is announced ... */
    sim_dist rebalance_lead;    /* ... this long before it */
} sim_market;
/* What the spot capacity is (fleet.kind): a Spot Fleet of type `maintain`
** (the legacy API, the default), or an Auto Scaling group with a
** MixedInstancesPolicy (sim/spotasg.c, docs/scenario.md "fleet.kind"). */
typedef enum { SIM_KIND_SPOT_FLEET, SIM_KIND_ASG } sim_kind;

/* fleet.kind asg: the group's MixedInstancesPolicy.InstancesDistribution
** and its other settings. Units are the group's (WeightedCapacity). */
typedef struct {
    double od_base;        /* OnDemandBaseCapacity, units */
    double od_pct;         /* OnDemandPercentageAboveBaseCapacity, 0..100 */
    int od_lowest_price;   /* OnDemandAllocationStrategy lowest-price (else
                              prioritized: the first override) */
    int spot_prioritized;  /* SpotAllocationStrategy
                              capacity-optimized-prioritized */
    int capacity_rebalance;/* CapacityRebalance */
    int from_fleet;        /* made from a Spot Fleet's description by
                              sim_scenario_as_group() */
} sim_mixed;

typedef enum { SIM_MODEL, SIM_DIRECT } sim_mode;
typedef enum { SIM_PER_SECOND, SIM_PER_HOUR } sim_billing;

/* A scripted capacity event (traces.events): what the market model draws,
** written out, for recorded outages and regression cases. */
typedef struct {
    int64_t t;
    int scope;               /* SIM_SCOPE_* */
    char instance_type[32];  /* Pool: the type; InstanceFamily: a type of
                                the family, or the family ("c4") */
    char az[32];             /* Pool, AvailabilityZone */
    double share;            /* of each hit pool's running instances */
    int64_t ice;             /* insufficient-capacity window, s */
    int64_t lead;            /* rebalance recommendation this long before,
                                or -1 */
} sim_event_spec;

/* A recorded EventBridge event of direct mode: received at t, of kind
** POL_EV_*, naming an instance of `units` capacity units. */
typedef struct {
    int64_t t;
    int kind;
    double units;
} sim_recorded_event;

/* The algorithm of a scenario's hash (traces.h, trc_hash): XXH64 by piece,
** or FNV-1a 64 of every byte (what databases of schema version 5 and before
** hold; resuming a sweep stored so hashes so again). */
typedef enum { SIM_HASH_XXH64 = 0, SIM_HASH_FNV1A = 1 } sim_hash_alg;

typedef struct {
    char name[64];
    char path[512];     /* the scenario file, for messages */
    char hash[17];      /* of the file's bytes, its traces' and the
                           overrides', 16 hex digits (hash_alg) */
    sim_hash_alg hash_alg;
    sim_mode mode;
    uint64_t seed;
    int64_t start, end; /* simulated span [start, end) */
    int extend;         /* traces.Extend (direct.Extend): the traces' first
                           and last values may hold beyond what they cover */
    sim_billing billing;

    /* Spot capacity (model mode): a Spot Fleet, or with kind asg a mixed
    ** group whose DesiredCapacity is target_capacity. */
    sim_kind kind;
    sim_mixed mixed;
    double target_capacity; /* TargetCapacity, units */
    sim_alloc alloc;        /* AllocationStrategy */
    sim_pool *pools;
    size_t npools;
    sim_dist fleet_launch_delay; /* request to running (billed from there) */
    sim_dist fleet_termination_delay; /* fleet.TerminationDelay: an instance the
                                   fleet terminates (excess capacity, launch-
                                   before-terminate) is counted in
                                   TerminatingCapacity this long */
    sim_rebalance rebalance;     /* CapacityRebalance ReplacementStrategy */
    int64_t rebalance_termination_delay; /* launch-before-terminate */
    sim_market market;
    sim_event_spec *events;      /* traces.events, sorted by time */
    size_t nevents;

    /* Fleet target tracking (model mode, optional). */
    sim_steps demand;       /* units the cluster reserves; n == 0: none */
    double tt_target_value; /* utilisation %, target = ceil(demand*100/TV) */
    int64_t tt_scale_out_cooldown, tt_scale_in_cooldown;
    double tt_min, tt_max;  /* MinCapacity, MaxCapacity */

    /* ECS: running to registered, spot and on-demand alike. */
    sim_dist registration_delay;
    /* ECS_ENABLE_SPOT_INSTANCE_DRAINING: a spot instance stops serving when
    ** its 2-minute notice arrives (the agent's default: off). */
    int spot_draining;

    /* EventBridge (model mode): interruption warnings and rebalance
    ** recommendations delivered to the controller. */
    int ev_on;              /* eventbridge.Enabled */
    sim_dist ev_delay;      /* eventbridge.DeliveryDelay: emitted to received */
    double ev_loss;         /* eventbridge.LossProbability: never received */

    /* CloudWatch. */
    sim_dist cw_delay;      /* after the period closes */
    double cw_missing;      /* probability a datapoint never appears */
    double cw_fetch_failure;/* probability one metric fetch fails */

    /* Controller. */
    const pol_policy *policy; /* controller.policy; --policy overrides */
    struct {                  /* controller.params, per policy named */
        const pol_policy *pol;
        pol_params p;         /* the policy's defaults and the values given */
        unsigned given;       /* bit k: parameter k was given there */
    } params[8];
    size_t nparams;
    /* controller.AllowUnitsMismatch: a units_per_instance other than
    ** asg.WeightedCapacity is meant (lab_run_check refuses it otherwise). */
    int allow_units_mismatch;
    int cron;               /* invoked every cron_interval s ... */
    int64_t cron_interval;
    sim_dist cron_offset;   /* ... at multiples of it plus this (drawn once
                               per run: the schedule's second) ... */
    sim_dist cron_jitter;   /* ... plus this, drawn per invocation */
    int alarm;              /* invoked when PendingCapacity > 0 ... */
    int alarm_periods;      /* ... for this many datapoints (via SNS) */
    sim_dist sns_delay;
    double invoke_failure;  /* probability an invocation fails */

    /* On-demand Auto Scaling group. */
    char od_instance_type[32];
    double od_weight;       /* units per on-demand instance */
    double od_price;        /* USD per instance-hour */
    int asg_min, asg_max, asg_desired;
    int64_t default_cooldown;
    sim_dist od_launch_delay; /* to InService (billed from there) */
    sim_dist od_termination_delay; /* a scale-in's instances terminating to
                                      terminated: the activity completes and
                                      the cooldown starts then */
    double describe_failure;  /* probability DescribeAutoScalingGroups fails */

    /* Direct mode: a real fleet's recorded metrics. */
    sim_steps d_metric[POL_NMETRICS]; /* Target, Pending, Fulfilled, Terminating */
    int64_t d_period;         /* 60 or 300 */
    double d_spot_price;      /* USD per unit-hour of fulfilled capacity */
    /* direct.events: the EventBridge events the real controller received
    ** (d_events_on: the file was given, even empty), each at its Timestamp,
    ** in file order. */
    int d_events_on;
    sim_recorded_event *d_events;
    size_t d_nevents;
} sim_scenario;

/* Loads and validates a scenario file. `sets` are "KEY=VALUE" overrides of
** scenario fields by path (asg.DefaultCooldown=900,
** fleet.LaunchSpecifications[0].SpotPrice=0.05); VALUE is read as JSON when
** it parses as JSON, as a string otherwise. Returns 0, or -1 with
** "FILE: FIELD: what is wrong" (or "FILE:LINE: ..." for traces) in err. */
int sim_scenario_load(const char *path, const char *const *sets, size_t nsets,
                      sim_scenario *sc, char *err, size_t errlen);
void sim_scenario_free(sim_scenario *sc);

/* Makes a Spot Fleet scenario's spot side the spot Auto Scaling group that
** `deploy cloudformation` generates from it (docs/scenario.md, "A Spot
** Fleet as a group"): the same overrides and weights, DesiredCapacity the
** TargetCapacity, 100 % spot, CapacityRebalance on, no SpotMaxPrice, and
** price-capacity-optimized for diversified. sim_scenario_load() applies it
** when --set fleet.kind=asg is given on a Spot Fleet's description. */
void sim_scenario_as_group(sim_scenario *sc);

/* Traces read by earlier loads, for loading one scenario many times (a
** sweep over its fields): sim_scenario_load_cached() copies a trace read
** before, from the same file unchanged, for the same pools, instead of
** reading it again; the result is the same. One cache serves one thread.
** NULL from _new() when out of memory (loads then read every time). */
typedef struct sim_trace_cache sim_trace_cache;
sim_trace_cache *sim_trace_cache_new(void);
void sim_trace_cache_free(sim_trace_cache *c);
/* How many traces loads through c read from their files (for tests). */
size_t sim_trace_cache_reads(const sim_trace_cache *c);
int sim_scenario_load_cached(const char *path, const char *const *sets, size_t nsets,
                             sim_trace_cache *cache, sim_scenario *sc, char *err,
                             size_t errlen);
/* The same, the hash made with `alg` (the _cached and plain loads: XXH64). */
int sim_scenario_load_hashed(const char *path, const char *const *sets, size_t nsets,
                             sim_trace_cache *cache, sim_hash_alg alg, sim_scenario *sc,
                             char *err, size_t errlen);

/* 1 when a run of the scenario draws anything at random (a delay that is
** not a constant, a failure probability strictly between 0 and 1, market
** events, which instances a scripted event interrupts): its results then
** depend on the seed. 0: every seed gives the same run. */
int sim_scenario_random(const sim_scenario *sc);

/* The top-level fields of a scenario file ("seed", "fleet", "asg", ...),
** NULL-terminated. */
const char *const *sim_scenario_fields(void);

/* The parameters a run of `pol` on this scenario uses: the policy's defaults,
** with units_per_instance (of a policy that has it) the on-demand group's
** asg.WeightedCapacity, overridden by the values the scenario's
** controller.params gives for that policy. */
void sim_scenario_params(const sim_scenario *sc, const pol_policy *pol,
                         pol_params *out);

/* What the scenario's traces cover together (docs/scenario.md, "What the
** traces cover"): [*from, *to), INT64_MIN or INT64_MAX where none bounds
** it. A span beyond it loads only with traces.Extend (direct.Extend). */
void sim_scenario_covered(const sim_scenario *sc, int64_t *from, int64_t *to);

/* Whether a run of `pol` with `params` on this scenario measures the
** policy: in direct mode every metric it reads (pol_reads) must have been
** recorded, or derived from the others as the loader does (PendingCapacity
** from TargetCapacity and FulfilledCapacity, and the other way round), or
** the policy would hold wherever it needs it. Returns 0, or -1 with
** "FILE: direct.metrics: ..." in err naming the metric and how to supply it.
** Model mode: always 0 (the simulator publishes every metric). */
int sim_scenario_check_policy(const sim_scenario *sc, const pol_policy *pol,
                              const pol_params *params, char *err, size_t errlen);

/* ---- what a run emits ---------------------------------------------------- */

/* One controller invocation. */
typedef struct {
    int64_t t;
    int failed;            /* the invocation itself failed: no decision */
    pol_decision d;
    int accepted;          /* POL_ACT_SET: the ASG accepted the call */
    const char *error;     /* POL_ACT_SET rejected: AWS error code
                              (ScalingActivityInProgress, ValidationError) */
} sim_decision_rec;

/* One per-minute sample (at the minute's start). */
typedef struct {
    int64_t t;
    double required, target, fulfilled, pending, terminating;
    double spot_units, od_units;   /* registered capacity serving */
    int od_desired, od_in_service;
    const double *prices;          /* per pool, USD per instance-hour */
    size_t nprices;
} sim_minute_rec;

typedef struct {
    void *ctx;
    /* Return 0, or non-zero to stop the run (sim_run returns -1). */
    int (*decision)(void *ctx, const sim_decision_rec *r);
    int (*minute)(void *ctx, const sim_minute_rec *r); /* NULL: no samples */
    int want_none; /* the reasons of "none" decisions are kept */
    /* decision() reads reasons with pol_reason() (and may compare them
    ** with pol_reason_same()): the run may keep them unwritten. */
    int lazy_reasons;
    /* For tests: every invocation asks the policy, even when it would be
    ** given what it was given a minute before, shifted (run.c, "memo"). */
    int no_memo;
} sim_sink;

typedef struct {
    double spot_cost, od_cost, total_cost; /* USD */
    double all_od_cost;          /* the required capacity on demand only */
    double pct_of_all_od;        /* total_cost / all_od_cost * 100 */
    double coverage_pct;         /* covered / required unit-time */
    double required_unit_hours;
    double shortfall_unit_hours;
    int64_t longest_shortfall_s;
    double minutes_below_target; /* time with any shortfall, minutes */
    double od_instance_hours;    /* on-demand instances running */
    double spot_instance_hours;
    int od_launches, spot_launches;
    int set_calls, set_rejected;
    int invocations, invocation_failures;
    int interruptions;           /* spot instances given a notice */
    int capacity_events;         /* market events that hit the fleet */
    int rebalances;              /* instances rebalanced (Capacity Rebalancing) */
    int holds;                   /* invocations in which the policy held
                                    because an input was missing or stale */
    int shortfalls;              /* spot shortfall episodes */
    int64_t fallback_latency_median_s, fallback_latency_max_s;
    int uncovered_shortfalls;    /* episodes on-demand never covered */
    int64_t return_delay_median_s, return_delay_max_s;
    double od_hours_after_recovery;
    int flaps;                   /* direction changes within an hour */
    double oracle_cost;          /* total cost of the oracle on this run's
                                    spot capacity: full coverage at least */
    double reactive_cost;        /* the reactive bound on the same spot side:
                                    acting at once on each shortfall as AWS
                                    makes it known (bound.c) */
    double reactive_coverage_pct;/* the coverage it reaches */
    int64_t events;              /* events processed */
    int no_launch_failures;      /* 1: the policy reads failed spot launches
                                    and this run had no source of them (a
                                    Spot Fleet, a replay) */
    /* How the run was computed, not figures of it (in no table, no field
    ** list): of `invocations`, those the memo answered, without asking the
    ** policy, and of those, the ones a quiet stretch answered (run.c). */
    int64_t memo_invocations, quiet_invocations;
} sim_result;

/* sim_result's fields in a fixed order, by name, type and offset. */
typedef enum { SIM_F_DOUBLE, SIM_F_INT, SIM_F_INT64 } sim_field_type;
typedef struct {
    const char *name;
    sim_field_type type;
    size_t off;
    int since; /* the store's schema version that added it */
} sim_field;
extern const sim_field sim_result_fields[];
extern const size_t sim_result_nfields;

/* What a reader must be told beside a run's figures (sim/notes.c), each
** at the thresholds of docs/overview.md ("Notes"): why it saw no
** interruption, a policy that held on missing or stale data in 1 % of its
** invocations or more, a span the traces were extended over, a cost below
** the oracle's bound, a policy that reads events run without any. Fills up
** to `max` notes (5 hold every kind); returns how many. */
typedef enum {
    SIM_NOTE_QUIET,    /* no spot interruption */
    SIM_NOTE_HELD,     /* held on missing or stale data */
    SIM_NOTE_EXTENDED, /* the span goes beyond the traces (traces.Extend) */
    SIM_NOTE_BELOW,    /* cheaper than the oracle's bound: covers less */
    SIM_NOTE_BLIND,    /* a policy that reads events ran without any */
    SIM_NOTE_BUG,      /* cheaper than the bound at full coverage */
    SIM_NOTE_NO_LAUNCH_FAILURES /* a policy that reads failed launches ran
                                   without a source of them */
} sim_note_kind;
typedef struct {
    char text[600];      /* first: a reader may copy the text alone */
    sim_note_kind kind;
    double weight;       /* how much, to tell the weightiest of many runs'
                            notes of one kind: the share held, ... */
} sim_note;
int sim_notes(const sim_scenario *sc, const pol_policy *pol, const sim_result *r,
              sim_note *out, int max);
/* The gap to the oracle as printed: "+5.88", or "n/a (covers 54.8 %)" for a
** run that is cheaper than the bound because it covers less (never a
** negative gap). */
void sim_gap_format(double total, double oracle, double coverage, char *buf,
                    size_t len);

/* A mixed group's split of `desired` units (sim/spotasg.c): the on-demand
** part is min(base, desired) + pct % of the rest, rounded up to whole
** instances of od_weight units (*od_n); the spot part is what remains of
** desired (*spot_units, never below 0). */
/* Why a spot group's launch attempt failed (spotasg.c): no pool had
** capacity, or every pool was priced above its max price. */
enum { SIM_FAIL_CAPACITY = 0, SIM_FAIL_PRICE = 1 };
/* A failed attempt's StatusMessage, as DescribeScalingActivities gives it. */
const char *sim_fail_message(int code);
/* The cadence of a spot group's attempts while no pool can launch: AWS
** does not document it (docs/scenario.md, "Failed launches"); assumed. */
#define SIM_LAUNCH_RETRY_S 300

void sim_mixed_split(double desired, double base, double pct, double od_weight, int *od_n,
                     double *spot_units);
/* An ECS capacity-provider strategy's split of `required` tasks (units):
** `base` on the on-demand provider, the rest by the weights, the on-demand
** share rounded up to whole tasks. */
void sim_providers_split(double required, double base, double w_spot, double w_od,
                         double *tasks_spot, double *tasks_od);

/* Runs the scenario with `pol` and `params`. Returns 0 and fills *res, or -1
** with a message in err (a sink refused a record, or out of memory). */
int sim_run(const sim_scenario *sc, const pol_policy *pol,
            const pol_params *params, const sim_sink *sink, sim_result *res,
            char *err, size_t errlen);

#endif
