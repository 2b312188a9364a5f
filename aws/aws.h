/*
** aws.h: the live AWS adapter's public interface: what the CLI calls (a
** client, the live config, the live loop and its ticks, the Lambda runtime
** loop). Everything else the files of aws/ share is in aws_int.h.
**
** spotbench's live controller reads the Spot Fleet's AWS/EC2Spot CloudWatch
** metrics, describes the on-demand Auto Scaling group and the fleet, asks a
** policy (policy/policy.h) what to do, and, only when told to apply, sets the
** group's DesiredCapacity. This module holds everything that talks to AWS:
**
**  - an HTTP client on libcurl, requests signed by libcurl's SigV4 code, AWS
**    Query-protocol calls (form-encoded POST), XML responses read with
**    libxml2, AWS error documents turned into messages (both libraries are
**    loaded when first needed, not linked: aws/dl.c);
**  - the credential chain in the AWS SDKs' order (environment, shared
**    credentials and config files, ECS container credentials, EC2 instance
**    metadata with IMDSv2), region and endpoint resolution;
**  - retries as the SDKs' "standard" mode;
**  - the live loop: its JSON config, one tick (fetch, decide, maybe apply),
**    the line a tick prints.
**
** Secrets (access keys, secret keys, session tokens) never leave an aws_creds:
** no message, log line or file this module writes contains them; any text that
** comes from a server is scrubbed of them before it is formatted.
**
** Errors are values: functions return 0 (or a count) on success and -1 with a
** message in `err` on failure. Nothing here prints or exits; logging goes
** through a callback the caller gives.
*/
#ifndef SPOTBENCH_AWS_H
#define SPOTBENCH_AWS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

#define AWS_ERR_MAX 512

/* ---- Services, region, endpoints ---------------------------------------- */

typedef enum {
    AWS_CLOUDWATCH = 0, /* signing name "monitoring", Version 2010-08-01 */
    AWS_AUTOSCALING,    /* "autoscaling", 2011-01-01 */
    AWS_EC2,            /* "ec2", 2016-11-15 */
    AWS_NSERVICES
} aws_service;

/* The service's key in the live config's "endpoints" object: "cloudwatch",
** "autoscaling", "ec2". */
const char *aws_service_key(aws_service s);
/* The HTTP transport a client sends its requests through (aws_int.h has
** the request and response types); tests substitute canned responses. */
struct aws_http_req;
struct aws_http_resp;
typedef int (*aws_transport_fn)(void *ctx, const struct aws_http_req *req,
                                struct aws_http_resp *resp, char *err,
                                size_t errlen);

/* ---- Client ------------------------------------------------------------- */

typedef void (*aws_log_fn)(void *ctx, const char *msg);
typedef void (*aws_sleep_fn)(void *ctx, long ms);

typedef struct {
    const char *region;                   /* NULL: aws_region_resolve() */
    const char *endpoint[AWS_NSERVICES];  /* NULL: aws_endpoint_resolve() */
    long connect_timeout_ms;              /* 0: 5000 */
    long timeout_ms;                      /* 0: 20000 */
    int max_attempts;                     /* 0: 3 */
    aws_log_fn log;                       /* --verbose lines; NULL: none */
    void *log_ctx;
    /* Sleeps between retries. NULL: nanosleep, the delay multiplied by
    ** SPOTBENCH_RETRY_SCALE when set (0 makes tests instant). */
    aws_sleep_fn sleep;
    void *sleep_ctx;
    /* NULL: libcurl. Tests substitute canned responses. */
    aws_transport_fn transport;
    void *transport_ctx;
    uint64_t seed; /* retry jitter; 0: from the clock and pid */
} aws_opts;

typedef struct aws_client aws_client;

/* The longest sleep before retry number `retry` (1 = the first retry):
** min(100 ms * 2^(retry-1), 20 s). The client sleeps a uniform share of it
** (full jitter); a plan adds it up for a tick's worst case (deploy.c). */
long aws_backoff_cap_ms(int retry);

/* Resolves the region and the endpoints (no network yet) and loads the
** libraries AWS calls need (libxml2, and libcurl for the default transport),
** which spotbench does not link: only the commands that make a client load
** them. Returns 0, -1 with a message for a bad setting (no region, a
** forbidden endpoint), or -2 with a message when the process cannot go on
** (a library cannot be loaded, out of memory). */
int aws_client_new(const aws_opts *o, aws_client **out, char *err,
                   size_t errlen);
void aws_client_free(aws_client *c);
const char *aws_client_region(const aws_client *c);
const char *aws_client_endpoint(const aws_client *c, aws_service s);
/* The Spot Fleet request as DescribeSpotFleetRequests gives it. */
typedef struct {
    char state[32];     /* spotFleetRequestState: active, cancelled, ... */
    char activity[32];  /* activityStatus, "" when absent */
    int target;         /* targetCapacity */
    double fulfilled;   /* fulfilledCapacity, -1 when absent */
    /* launchSpecifications listed, and of them those with detailed
    ** monitoring (monitoring.enabled true). AWS recommends detailed
    ** monitoring "to ensure accuracy" of the AWS/EC2Spot metrics; a fleet of
    ** launch templates lists none (specs 0: not known here). */
    int specs, monitored;
} aws_fleet;

/* ---- The live loop ------------------------------------------------------ */

typedef struct {
    char region[64];         /* "" : aws_region_resolve() */
    char fleet_id[128];      /* FleetRequestId ("" with spot_group) */
    /* SpotAutoScalingGroupName: the spot capacity is this Auto Scaling group
    ** (a MixedInstancesPolicy, fleet.kind asg), read through its
    ** AWS/AutoScaling metrics as the kind-neutral view; "" : a Spot Fleet. */
    char spot_group[256];
    char asg_name[256];      /* AutoScalingGroupName */
    const pol_policy *policy;
    pol_params params;
    int interval;            /* seconds between ticks */
    int max_on_demand;       /* hard cap on DesiredCapacity */
    char endpoint[AWS_NSERVICES][256]; /* "" : aws_endpoint_resolve() */
    long connect_timeout_ms, timeout_ms;
    int max_attempts;
    /* EventQueueUrl: the SQS queue the stack's EventBridge rules send the
    ** interruption warnings and rebalance recommendations to (sqs.c); ""
    ** when none: a policy that reads them runs without them. */
    char queue_url[512];
    int policy_owned;        /* policy was opened: aws_live_config_free closes it */
} aws_live_config;

/* Parses the live config (JSON text). Unknown keys, wrong types, missing
** required keys and values out of range are errors naming the key. */
int aws_live_config_parse(const char *json, aws_live_config *out, char *err,
                          size_t errlen);
/* Reads and parses a config file; messages start with the path. */
int aws_live_config_load(const char *path, aws_live_config *out, char *err,
                         size_t errlen);

/* Opens a policy specification that is not a built-in's name (a variant,
** exec:COMMAND, ./lib.so: lab/polspec.h, which this layer cannot call):
** 0 and *out (opened: released with pol_close), 1 and *out (borrowed from
** the caller, never closed here), or -1 with a message. ctx is the
** caller's. */
typedef int (*aws_policy_open_fn)(void *ctx, const char *spec, const pol_policy **out,
                                  char *err, size_t errlen);
/* The same, a config's "policy" opened by `open` when it is no built-in's
** name (NULL: built-ins only). Release the config with
** aws_live_config_free(), which closes a policy opened so. */
int aws_live_config_parse_with(const char *json, aws_policy_open_fn open, void *ctx,
                               aws_live_config *out, char *err, size_t errlen);
int aws_live_config_load_with(const char *path, aws_policy_open_fn open, void *ctx,
                              aws_live_config *out, char *err, size_t errlen);
void aws_live_config_free(aws_live_config *cfg);
/* Client options for a config (pointers into *cfg). */
void aws_live_client_opts(const aws_live_config *cfg, aws_opts *o);

typedef enum {
    AWS_OUT_NONE = 0, /* the decision was "none" */
    AWS_OUT_DRY_RUN,  /* a change was decided; not applied (no --apply) */
    AWS_OUT_APPLIED,  /* SetDesiredCapacity succeeded */
    AWS_OUT_REJECTED, /* ScalingActivityInProgress: normal, next tick retries */
    AWS_OUT_FAILED    /* SetDesiredCapacity failed otherwise */
} aws_outcome;

#define AWS_TICK_MAXERR 8

/* One tick: what was observed, decided and done. This is also the hook for
** storing ticks (--db). */
typedef struct {
    int64_t now;
    pol_obs obs;                  /* its datapoints live in pts[] */
    pol_point *pts[POL_NMETRICS]; /* owned by the tick */
    int fleet_known;
    int policy_failed; /* an external policy could not answer (pol_status) */
    aws_fleet fleet;
    pol_decision policy_decision; /* what the policy said */
    pol_decision decision;        /* after the max_on_demand cap */
    int capped;                   /* 1 when the cap changed the decision */
    aws_outcome outcome;
    char outcome_msg[AWS_ERR_MAX]; /* with REJECTED/FAILED: the AWS error */
    int fetched;                  /* calls of the 6 fetches that succeeded */
    /* The event queue (a config with EventQueueUrl): the events given to
    ** the policy are in obs.events, their points owned by the tick. */
    int queue;                    /* 1: the config names a queue */
    pol_point *evpts[POL_NEVENTS]; /* owned by the tick */
    size_t ev_new[POL_NEVENTS];   /* events first received this tick */
    size_t ev_dup;                /* messages repeating an event seen before */
    size_t ev_other;              /* messages that are no event of the fleet's */
    /* A spot group's failed launches (a policy that reads them): the
    ** times given in obs.launch_failures, owned by the tick. */
    int64_t *lfpts;
    size_t nerrors;               /* the calls that failed, as messages */
    char errors[AWS_TICK_MAXERR][AWS_ERR_MAX];
    /* One missing-credentials message stands for every call of the tick it
    ** failed: which message, and how many more calls it failed. */
    int cred_error;               /* its index in errors[] plus 1; 0: none yet */
    int cred_more;
} aws_tick;

/* The tick as one JSON object (what the Lambda runtime answers, and what
** `live --json` prints): the time, the ids, the policy, apply, the
** outcome, the decision, the errors, the observation in `policy eval`'s
** format and the text line. malloc'd; NULL when out of memory. */
char *aws_tick_json(const aws_live_config *cfg, const aws_tick *t, int apply,
                    const char *line);
/* The tick's line (no newline) into buf; returns the length as snprintf. */
int aws_tick_format(const aws_tick *t, char *buf, size_t n);
/* 1 when the tick could not observe or act: any of its six calls (four
** metrics, the group, the fleet) failed or gave an answer the policy engine
** cannot take, or an apply failed for a reason other than the cooldown. */
int aws_tick_failed(const aws_tick *t);

/* Called after each tick (print, record, store). Returning non-zero stops
** the loop. */
typedef int (*aws_tick_fn)(void *ctx, const aws_tick *t);

typedef struct {
    int once;    /* one tick, then return */
    int apply;   /* call SetDesiredCapacity; otherwise a dry run */
    int64_t fixed_now; /* 0: the wall clock; else the first tick's time */
    const volatile sig_atomic_t *stop; /* set by a signal handler, or NULL */
    int max_failed; /* stop after this many failed ticks in a row; 0: never */
    aws_tick_fn on_tick;
    void *ctx;
} aws_live_opts;

/* Runs ticks every cfg->interval seconds until *stop is set (the tick in
** flight finishes first), the callback asks to stop, max_failed ticks in a
** row failed (aws_tick_failed), or after one tick with `once`. Returns 0;
** 1 with a message when the `once` tick failed, when max_failed ticks in a
** row failed, or when *stop ended the loop after a failed tick; -1 with a
** message when out of memory. */
int aws_live_run(aws_client *c, const aws_live_config *cfg,
                 const aws_live_opts *o, char *err, size_t errlen);

/* ---- The live config as JSON (live.c) ----------------------------------- */

/* The live config as the JSON object aws_live_config_parse() reads: every
** key, parameters by name. Strings are written as they are, so a caller may
** put placeholders where the ids go (a CloudFormation ${...}). malloc'd, the
** caller frees; NULL when out of memory. */
char *aws_live_config_json(const aws_live_config *cfg);

/* ---- The Lambda runtime (lambda.c) -------------------------------------- */

/* The controller as an AWS Lambda function on a custom runtime: the Runtime
** API loop. Each invocation's event is a live config object (the keys of
** live.json; an SNS notification, as the PendingCapacity alarm sends, runs
** the function's default config instead); one tick is run and its result
** posted back, a failed tick or a bad event posted as an error. */
typedef struct {
    const char *runtime_api;    /* AWS_LAMBDA_RUNTIME_API, "host:port" */
    int apply;                  /* SetDesiredCapacity; otherwise dry run */
    const char *default_config; /* JSON for SNS events, or NULL */
    aws_policy_open_fn open_policy; /* a config's policy that is no built-in */
    int64_t fixed_now;          /* 0: the wall clock */
    int max_invocations;        /* 0: until the runtime stops the process */
    aws_log_fn log;             /* each tick's line; NULL: none */
    aws_log_fn errlog;          /* failed calls, refused events; NULL: none */
    void *log_ctx;              /* for both */
} aws_lambda_opts;

/* Runs the loop. Returns 0 after max_invocations, -1 with a message when
** the Runtime API itself failed (the process should then exit), or -2 with
** a message for a bad default config (bad input: reported to
** /runtime/init/error first). */
int aws_lambda_run(const aws_lambda_opts *o, char *err, size_t errlen);
/* Posts an initialisation error (type like "Runtime.ConfigInvalid") to
** /runtime/init/error. Returns 0, or -1 with a message. */
int aws_lambda_init_error(const char *runtime_api, const char *type,
                          const char *msg, char *err, size_t errlen);

#endif
