/*
** policy.h: the policy engine's public interface.
**
** A policy looks at an observation (what a controller can see at `now`:
** CloudWatch datapoints of the AWS/EC2Spot metrics, which fetches failed, and
** the on-demand Auto Scaling group's state) and returns a decision ("none", or
** "set DesiredCapacity = N, honouring the cooldown or not", with a reason).
**
** The simulator and the live adapter call the very same pol_decide(); a policy
** never knows which one is calling. Policies are stateless: everything they
** need comes in the observation. pol_decide() does no I/O and no allocation.
**
** Ownership: an observation only borrows its datapoint arrays; the caller owns
** them and keeps them alive for the duration of the call.
*/
#ifndef SPOTBENCH_POLICY_H
#define SPOTBENCH_POLICY_H

#include <stddef.h>
#include <stdint.h>

/* The AWS/EC2Spot metrics a controller can read, in a fixed order. */
typedef enum {
    POL_TARGET = 0,  /* TargetCapacity */
    POL_PENDING,     /* PendingCapacity */
    POL_FULFILLED,   /* FulfilledCapacity */
    POL_TERMINATING, /* TerminatingCapacity */
    POL_NMETRICS
} pol_metric;

/* AWS's name of a metric ("TargetCapacity"), or NULL when out of range. */
const char *pol_metric_name(pol_metric m);
/* The metric with AWS name `name`, or -1 when there is none. */
int pol_metric_find(const char *name);

/* One CloudWatch datapoint: Timestamp (start of its 60 s period, epoch
** seconds) and the period's Maximum. */
typedef struct {
    int64_t t;
    double v;
} pol_point;

/* The datapoints of one metric that were visible at `now`, sorted by t
** (strictly increasing), and whether fetching them failed. A failed fetch has
** no datapoints. */
typedef struct {
    const pol_point *pts;
    size_t n;
    int failed;
} pol_series;

/* The on-demand Auto Scaling group as DescribeAutoScalingGroups shows it. */
typedef struct {
    int known; /* 0: the group could not be described */
    int desired, min_size, max_size, in_service;
} pol_asg;

/* The EventBridge events a controller has received (docs/policies.md,
** "Events"): EC2 Spot Instance Interruption Warnings (each names an
** instance EC2 interrupts two minutes later) and EC2 Instance Rebalance
** Recommendations (an instance at elevated risk of interruption). Each is a
** point: t the second it was received, v the capacity units of the
** instance it names (its WeightedCapacity). A caller gives those received
** within the policy's look-back, sorted by t (ties allowed); those with t >
** `since` are new since the last invocation. AWS emits both "on a best
** effort basis": one may be late or never come. */
typedef enum { POL_EV_WARNING = 0, POL_EV_REBALANCE, POL_NEVENTS } pol_event_kind;
typedef struct {
    int known;     /* 1: the controller has an event source (the simulator's
                      delivery, a queue); 0: none, and a policy that reads
                      notices runs without them */
    int64_t since; /* the last invocation's time */
    const pol_point *ev[POL_NEVENTS];
    size_t n[POL_NEVENTS];
} pol_events;

/* AWS's detail-type of an event kind ("EC2 Spot Instance Interruption
** Warning"), and the observation's JSON key ("InterruptionWarnings"). */
const char *pol_event_detail_type(pol_event_kind k);
const char *pol_event_key(pol_event_kind k);
/* The events of kind k received in (from, to]: returns their number and
** adds their units to *units (when not NULL). */
int pol_events_in(const pol_events *e, pol_event_kind k, int64_t from, int64_t to,
                  double *units);

/* The spot side's failed launches (docs/policies.md, "Failed launches"):
** the scaling activities of a spot Auto Scaling group that
** DescribeScalingActivities lists with StatusCode "Failed" and a
** StatusMessage saying Spot Instances could not be launched
** ("InsufficientInstanceCapacity", "SpotMaxPriceTooLow", ...). Each is the
** second it ended (EndTime): t[i], those within the policy's look-back
** that ended by `now`, sorted (ties allowed). */
typedef struct {
    int known; /* 1: the controller reads them (a spot group's activities);
                  0: no source (a Spot Fleet, a replay without them), and a
                  policy that reads them runs without */
    const int64_t *t;
    size_t n;
} pol_launch_failures;

/* The failed launches that ended in (from, to]. */
int pol_launch_failures_in(const pol_launch_failures *f, int64_t from, int64_t to);

typedef struct {
    int64_t now;
    /* The metrics' Period in seconds: 60 (live, model mode), or 300 for a
    ** replay of recorded 5-minute data. 0 is read as 60. */
    int64_t period;
    pol_series m[POL_NMETRICS];
    pol_asg asg;
    pol_events events;
    pol_launch_failures launch_failures;
    /* Not seen by the controller: non-zero when the caller does not want
    ** the reason of a "none" decision (it is left empty), which spares a
    ** formatted string per minute on long simulations. */
    int quiet_none;
    /* Not seen by the controller either: non-zero when the caller keeps no
    ** reason at all (a sweep stores none), so no decision formats one. */
    int quiet_all;
} pol_obs;

typedef enum { POL_ACT_NONE = 0, POL_ACT_SET = 1 } pol_action;

#define POL_REASON_MAX 160
typedef struct {
    int quiet; /* set by pol_decide(): 1 from pol_obs.quiet_none, 2 from
                  pol_obs.quiet_all (no reason for "set" either); 3 or -1
                  by pol_decide_lazy() (read the reason with pol_reason()) */
    pol_action action;
    int desired;        /* with POL_ACT_SET: the new DesiredCapacity */
    int honor_cooldown; /* with POL_ACT_SET: HonorCooldown */
    char reason[POL_REASON_MAX];
    /* With POL_ACT_NONE: non-zero when the policy held because an input it
    ** depends on was missing, failed or stale (not because all is well). */
    int held;
} pol_decision;

/* A policy parameter's declaration. Values are doubles; `integer` ones must
** be whole numbers. Every value must lie within [min, max]. */
typedef struct {
    const char *name;
    double def, min, max;
    int integer;
    const char *unit;
    const char *desc;
} pol_param_def;

#define POL_MAX_PARAMS 16
typedef struct {
    double v[POL_MAX_PARAMS];
} pol_params;

struct pol_policy;

/* A policy made at run time (a variant, a loaded .so, an external process;
** lab/polspec.h opens them): its state and what the engine calls on it.
** Every member may be NULL. */
typedef struct pol_ext_ops {
    /* Decides in place of pol_policy.decide, given the policy's ctx. */
    void (*decide)(void *ctx, const pol_obs *obs, const pol_params *p, pol_decision *out);
    /* In place of pol_policy.lookback. */
    int64_t (*lookback)(void *ctx, const pol_params *p, int64_t period);
    /* Called before a run (simulated or live) with its seed and parameters:
    ** 0, or -1 with a message. */
    int (*begin)(void *ctx, uint64_t seed, const pol_params *p, char *err, size_t errlen);
    /* After a run, or whenever asked: 0 when every decision was made, -1
    ** with the message of the first that could not be (the policy then
    ** decided "none" without asking). */
    int (*status)(void *ctx, char *err, size_t errlen);
} pol_ext_ops;

typedef struct pol_policy {
    const char *name;
    const char *summary;
    const pol_param_def *params;
    size_t nparams;
    /* How far back (seconds before now) the policy reads datapoints of
    ** the given Period: a caller asks CloudWatch for StartTime = now -
    ** lookback, EndTime = now (see pol_window_start). */
    int64_t (*lookback)(const pol_params *p, int64_t period);
    void (*decide)(const pol_obs *obs, const pol_params *p, pol_decision *out);
    /* Non-zero for a bound the simulator computes itself (oracle): it
    ** decides nothing from observations and cannot run live. */
    int simulation_only;
    /* The metrics decide() reads: POL_READS(POL_TARGET) | ..., or
    ** POL_READS_NONE. A caller may leave the others out of the observation
    ** (the simulator does not fetch them). 0, as a policy that does not say
    ** leaves it, means every metric. */
    unsigned reads;
    /* Non-zero when decide() reads the events (pol_obs.events): without an
    ** event source it runs without notices, and a run says so. */
    int reads_events;
    /* Non-zero for a native AWS strategy run instead of a controller
    ** (POL_NATIVE_*): it decides nothing; the simulator sets the spot side
    ** up from its parameters (sim/spotasg.c). Simulation only. */
    int native;
    /* ---- set only on policies made at run time (lab/polspec.h) ---- */
    /* What tables and figures call it (a variant's label); NULL: name. */
    const char *label;
    /* A variant's policy, whose controller.params of a scenario it takes
    ** before its own values; NULL for any other. */
    const struct pol_policy *base;
    /* The parameters a variant fixes (bit k: params[k], whose def is the
    ** variant's value): --set may not change them. */
    unsigned fixed;
    const pol_ext_ops *ops;
    void *ctx;
    /* Releases a policy made at run time (pol_close); NULL for a built-in. */
    void (*close)(const struct pol_policy *self);
} pol_policy;

enum { POL_NATIVE_MIXED = 1, POL_NATIVE_PROVIDERS = 2 };

/* The fields a built-in leaves empty, at the end of its initializer. */
#define POL_BUILT_IN NULL, NULL, 0, NULL, NULL, NULL

/* Releases a policy made at run time; nothing for a built-in or NULL. */
void pol_close(const pol_policy *pol);

/* ---- variants (variant.c) ----------------------------------------------- */

/* The most bytes of a variant's label, and of a policy specification. */
#define POL_LABEL_MAX 32
#define POL_SPEC_MAX 512

/* A variant of `base`: its parameters set from "KEY=VALUE,KEY=VALUE"
** (assigns, each checked by pol_param_set) as the variant's defaults, fixed
** against --set; called `name` (the whole specification, stored with each
** run) and labelled `label` (NULL: the name). The variant owns `base` when
** `owns_base` (closing it closes base). Returns 0 and *out (released with
** pol_close), or -1 with a message in err. */
int pol_variant_new(const pol_policy *base, int owns_base, const char *name,
                    const char *assigns, const char *label, const pol_policy **out,
                    char *err, size_t errlen);
/* 0 when `label` is 1 to POL_LABEL_MAX bytes of letters, digits, '_', '-'
** and '.', else -1 with a message. */
int pol_label_check(const char *label, char *err, size_t errlen);

/* What tables call a policy: its label, else its name. */
const char *pol_label(const pol_policy *pol);
/* Begins a run (pol_ext_ops.begin), and tells whether every decision of
** the run was made (pol_ext_ops.status): 0 for a built-in. */
int pol_begin(const pol_policy *pol, uint64_t seed, const pol_params *p, char *err,
              size_t errlen);
int pol_status(const pol_policy *pol, char *err, size_t errlen);

#define POL_READS(m) (1u << (m))
#define POL_READS_NONE (1u << POL_NMETRICS) /* no metric bit: reads none */
/* Not a metric: decide() reads pol_obs.launch_failures. A caller fetches
** them (DescribeScalingActivities) only for a policy with this bit, unless
** the policy's parameter `use_launch_failures` is 0. */
#define POL_READS_LAUNCH_FAILURES (1u << (POL_NMETRICS + 1))

/* The metrics a run of `pol` with parameters `p` reads, as metric bits
** (POL_READS(m); 0 for none): pol->reads (0: every metric). (`p` is kept
** for a parameter that turns a metric off; none does now.) */
unsigned pol_reads(const pol_policy *pol, const pol_params *p);
/* Non-zero when a run of `pol` with parameters `p` reads the failed
** launches: POL_READS_LAUNCH_FAILURES in pol->reads, and no parameter
** `use_launch_failures` set to 0. */
int pol_reads_launch_failures(const pol_policy *pol, const pol_params *p);

/* The registered policies, NULL-terminated. */
const pol_policy *const *pol_list(void);
/* The policy called `name`, or NULL. */
const pol_policy *pol_find(const char *name);

/* Fills `p` with the policy's defaults. */
void pol_params_default(const pol_policy *pol, pol_params *p);
/* Index of parameter `key`, or -1. */
int pol_param_index(const pol_policy *pol, const char *key);
/* Is the first `len` bytes of `key` a parameter of any registered policy?
** (So "window=900" with len 6 asks about "window": a --set string is split
** between policy parameters and scenario fields by it.) */
int pol_is_param(const char *key, size_t len);
/* Sets parameter `key` from the text `value`. Returns 0, or -1 with a message
** in err ("unknown parameter ...", "must be a whole number", "must be between
** ..."). */
int pol_param_set(const pol_policy *pol, pol_params *p, const char *key,
                  const char *value, char *err, size_t errlen);
/* The same for a number already read (a JSON number): no text on the way.
** Its messages quote v's shortest exact spelling. */
int pol_param_put(const pol_policy *pol, pol_params *p, const char *key, double v,
                  char *err, size_t errlen);

/* Runs the policy. Never fails: bad observations give POL_ACT_NONE. A "set"
** is clamped to [0, MaxSize] (the reason says so), and becomes "none" when
** the clamped value is the DesiredCapacity already. */
void pol_decide(const pol_policy *pol, const pol_obs *obs,
                const pol_params *p, pol_decision *out);
/* pol_decide() for a caller that reads the reason through pol_reason():
** a built-in policy's "set" keeps its format and arguments, and its text is
** written only when read (a year of guarded asks 211,731 times, mostly the
** same retry, which the store keeps as one row); so does its "none" when
** obs->quiet_none is not set (the timeseries keeps them: runs of the same
** reason are one row). With quiet_all not set (else, and for any other
** policy, it is pol_decide()). */
void pol_decide_lazy(const pol_policy *pol, const pol_obs *obs, const pol_params *p,
                     pol_decision *out);
/* The text of d's reason: d->reason, or one kept by pol_decide_lazy()
** written into buf (the same bytes pol_decide() would have put there). */
const char *pol_reason(const pol_decision *d, char buf[POL_REASON_MAX]);
/* 1 when the reasons of a and b are known to be the same text without
** writing them (both kept by pol_decide_lazy() from the same format and
** arguments); 0: compare their pol_reason() texts. */
int pol_reason_same(const pol_decision *a, const pol_decision *b);
int64_t pol_lookback(const pol_policy *pol, const pol_params *p,
                     int64_t period);
/* 1 when `pol`'s decision, reason included, is a function of the
** observation seen from its `now`, events.since left out: given one whose
** every time (now, each datapoint's and event's Timestamp) is moved by a
** whole number of Periods, whatever its since, it decides the very same (a
** built-in that reads time only through pol_window and the like, relative
** to now, and events only through pol_events_in). A caller may then reuse
** a decision instead of asking again (the simulator does, for a quiet
** minute). 0 for any other policy (made at run time, or not known to be). */
int pol_shift_invariant(const pol_policy *pol);

/* What CloudWatch's GetMetricStatistics returns for StartTime = now - w,
** EndTime = now: StartTime is rounded down to a whole Period (to the minute
** for 1-minute data under 15 days old, to 5 minutes for 5-minute data),
** EndTime is exclusive. pol_window_start() is that rounded StartTime;
** every window a policy reads, and every fetch a caller makes for it, goes
** through it, so the simulator, live mode and policy eval agree with
** CloudWatch at every second offset of `now`. */
int64_t pol_window_start(int64_t now, int64_t w, int64_t period);
/* The datapoints of `s` that such a query returns, pol_window_start(now, w,
** period) <= t < now: returns their number and sets *first to the index of
** the earliest. O(log n). */
size_t pol_window(const pol_obs *o, const pol_series *s, int64_t w,
                  size_t *first);
/* The observation's Period (60 when unset). */
int64_t pol_period(const pol_obs *o);

/* Checks that an observation is well formed (points sorted and unique,
** values finite and >= 0, failed series empty, ASG sizes sane). Returns 0,
** or -1 with a message naming the field. */
int pol_obs_check(const pol_obs *obs, char *err, size_t errlen);

#endif
