/*
** aws.h: the live AWS adapter's public interface.
**
** spotbench's live controller reads the Spot Fleet's AWS/EC2Spot CloudWatch
** metrics, describes the on-demand Auto Scaling group and the fleet, asks a
** policy (policy/policy.h) what to do, and, only when told to apply, sets the
** group's DesiredCapacity. This module holds everything that talks to AWS:
**
**  - an HTTP client on libcurl, requests signed by libcurl's SigV4 code, AWS
**    Query-protocol calls (form-encoded POST), XML responses read with
**    libxml2, AWS error documents turned into messages;
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
/* The SigV4 signing name and endpoint prefix: "monitoring", ... */
const char *aws_service_signing_name(aws_service s);

/* The region: `explicit_region` when not NULL/empty, else AWS_REGION, else
** AWS_DEFAULT_REGION, else the profile's `region` in the config file. Returns
** 0, or -1 with a message when none is set or it is malformed. */
int aws_region_resolve(const char *explicit_region, char *out, size_t n,
                       char *err, size_t errlen);

/* A service's base URL (no trailing slash). In order: `explicit_url` (the
** live config's endpoints.X) when not NULL/empty; AWS_ENDPOINT_URL_CLOUDWATCH
** / _AUTO_SCALING / _EC2; AWS_ENDPOINT_URL; the config file's services
** section and profile `endpoint_url`; https://PREFIX.REGION.amazonaws.com.
** AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips the environment and config
** file. The URL must pass aws_url_check(). Returns 0 or -1 with a message. */
int aws_endpoint_resolve(aws_service s, const char *region,
                         const char *explicit_url, char *out, size_t n,
                         char *err, size_t errlen);

/* 1 when the URL's host is a loopback address: 127.0.0.0/8, [::1] or
** localhost. 0 otherwise, or when the URL cannot be read. */
int aws_url_is_loopback(const char *url);
/* Checks that a URL may be used: http:// or https://, no user info, a host;
** plain http only to a loopback address. Returns 0, or -1 with a message. */
int aws_url_check(const char *url, char *err, size_t errlen);

/* ---- Credentials -------------------------------------------------------- */

/* A set of credentials. The three strings are secrets: never print them. */
typedef struct {
    char *access_key;
    char *secret_key;
    char *token;      /* session token, NULL when there is none */
    int64_t expires;  /* epoch seconds; 0 when they do not expire */
    char source[256]; /* where they came from, for --verbose (no secret) */
} aws_creds;

/* Wipes the secrets and frees them; the struct can be reused. */
void aws_creds_free(aws_creds *c);

/* The profile that the shared files are read for: AWS_PROFILE, else
** AWS_DEFAULT_PROFILE, else "default". */
const char *aws_profile_name(void);
/* The shared credentials file (AWS_SHARED_CREDENTIALS_FILE or
** $HOME/.aws/credentials) and config file (AWS_CONFIG_FILE or
** $HOME/.aws/config) paths. Return 0, or -1 when neither the variable nor
** HOME is set. */
int aws_credentials_file_path(char *out, size_t n);
int aws_config_file_path(char *out, size_t n);

/* Reads the credentials of `profile` from the shared credentials file and,
** failing that, the config file (either path may be NULL or missing). In the
** credentials file a profile is [NAME]; in the config file [profile NAME]
** (and [default]). Returns 1 and fills *out when found, 0 when the profile
** holds no keys, -1 with a message when a file is unreadable or the profile
** is incomplete or needs a provider spotbench lacks (role_arn, sso, ...). */
int aws_creds_from_files(const char *cred_path, const char *config_path,
                         const char *profile, aws_creds *out, char *err,
                         size_t errlen);

/* The URL of the ECS container credentials endpoint from
** AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (against http://169.254.170.2) or
** AWS_CONTAINER_CREDENTIALS_FULL_URI (http only to loopback or the ECS/EKS
** link-local hosts). Returns 1 with the URL, 0 when neither is set, -1 with a
** message when the URL is not allowed. */
int aws_ecs_creds_url(char *out, size_t n, char *err, size_t errlen);

/* Parses the JSON that the ECS and EC2 metadata endpoints return
** (AccessKeyId, SecretAccessKey, Token, Expiration). Returns 0 or -1. */
int aws_creds_parse_json(const char *json, aws_creds *out, char *err,
                         size_t errlen);

/* Copies `s` into a new string with every occurrence of the credentials'
** access key, secret key and token (also percent-encoded) replaced by
** "[redacted]". NULL creds copy as is. The caller frees; NULL on no memory. */
char *aws_redact(const char *s, const aws_creds *c);

/* ---- HTTP transport ----------------------------------------------------- */

typedef enum {
    AWS_NET_OK = 0,   /* a response came back (any HTTP status) */
    AWS_NET_TIMEOUT,  /* connect or total timeout */
    AWS_NET_CONNECT,  /* could not resolve, connect, send or receive */
    AWS_NET_OTHER     /* anything else (TLS verification, bad URL, ...) */
} aws_net_status;

typedef struct {
    const char *method;         /* "GET", "PUT" or "POST" */
    const char *url;
    const char *body;           /* POST/PUT body, NULL for none */
    size_t body_len;
    const char *const *headers; /* "Name: value", NULL-terminated, or NULL */
    const char *sigv4;          /* "aws:amz:REGION:SERVICE", NULL: unsigned */
    const aws_creds *creds;     /* with sigv4 */
    long connect_timeout_ms, timeout_ms;
} aws_http_req;

typedef struct {
    aws_net_status net;
    long status;  /* HTTP status with AWS_NET_OK */
    char *body;   /* malloc'd, NUL-terminated; the caller frees */
    size_t len;
} aws_http_resp;

/* Sends one request. Returns 0 with *resp filled when a response came back,
** or -1 with resp->net set and a message (which never holds a secret). */
typedef int (*aws_transport_fn)(void *ctx, const aws_http_req *req,
                                aws_http_resp *resp, char *err,
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

/* Resolves the region and the endpoints (no network yet). The caller must
** have called curl_global_init() once when the default transport is used.
** Returns 0, or -1 with a message (no region, a forbidden endpoint). */
int aws_client_new(const aws_opts *o, aws_client **out, char *err,
                   size_t errlen);
void aws_client_free(aws_client *c);
const char *aws_client_region(const aws_client *c);
const char *aws_client_endpoint(const aws_client *c, aws_service s);
/* Resolves (or refreshes) the credentials now; the calls do it themselves.
** Returns 0, or -1 with a message naming what was tried. */
int aws_client_creds(aws_client *c, char *err, size_t errlen);

/* A failed call. msg reads like "autoscaling SetDesiredCapacity:
** ScalingActivityInProgress: ... (RequestId ...)". */
typedef struct {
    char code[64];  /* AWS error code; "" for network, HTTP or parse errors */
    long status;    /* HTTP status, 0 when none came back */
    int attempts;
    char msg[AWS_ERR_MAX];
} aws_error;

/* Retry classes, as the SDKs' standard mode. */
typedef enum {
    AWS_RETRY_NO = 0,
    AWS_RETRY_THROTTLE,  /* a throttling error code, or HTTP 429 */
    AWS_RETRY_TRANSIENT, /* HTTP 500/502/503/504, timeouts, connections */
    AWS_RETRY_CREDS      /* expired token: fetch credentials again, retry */
} aws_retry_kind;

aws_retry_kind aws_retry_classify(aws_net_status net, long status,
                                  const char *code);
/* The delay before retry number `retry` (1 = the first retry): full jitter,
** rand01 * min(100 ms * 2^(retry-1), 20 s). */
long aws_backoff_ms(int retry, double rand01);

/* GetMetricStatistics of AWS/EC2Spot `m` for FleetRequestId `fleet`, Period
** 60, Maximum, over [start, end). *pts (malloc'd, the caller frees) gets the
** datapoints sorted by time. Returns 0, or -1 with *e filled. */
int aws_get_metric(aws_client *c, const char *fleet, pol_metric m,
                   int64_t start, int64_t end, pol_point **pts, size_t *n,
                   aws_error *e);
/* DescribeAutoScalingGroups for one group: sizes and InService instances.
** A group that does not exist is an error. */
int aws_describe_asg(aws_client *c, const char *name, pol_asg *out,
                     aws_error *e);
/* SetDesiredCapacity with HonorCooldown. */
int aws_set_desired(aws_client *c, const char *name, int desired,
                    int honor_cooldown, aws_error *e);

typedef struct {
    char state[32];     /* spotFleetRequestState: active, cancelled, ... */
    char activity[32];  /* activityStatus, "" when absent */
    int target;         /* targetCapacity */
    double fulfilled;   /* fulfilledCapacity, -1 when absent */
} aws_fleet;

/* DescribeSpotFleetRequests for one fleet. */
int aws_describe_fleet(aws_client *c, const char *id, aws_fleet *out,
                       aws_error *e);

/* ---- Response parsing (no network; exposed for tests) -------------------- */

/* Reads an AWS error document (ErrorResponse/Error, EC2's
** Response/Errors/Error, or a bare Error). Returns 1 with the fields filled
** (each may be ""), 0 when the text is not one. */
int aws_xml_error(const char *xml, size_t len, char *code, size_t code_n,
                  char *message, size_t message_n, char *request_id,
                  size_t request_id_n);
/* GetMetricStatistics: the Timestamp/Maximum datapoints, sorted. */
int aws_xml_metric(const char *xml, size_t len, pol_point **pts, size_t *n,
                   char *err, size_t errlen);
/* DescribeAutoScalingGroups: the group called `name`. Returns 0, 1 when the
** response does not hold it, -1 with a message. */
int aws_xml_asg(const char *xml, size_t len, const char *name, pol_asg *out,
                char *err, size_t errlen);
/* DescribeSpotFleetRequests: the fleet `id`. Returns 0, 1 when absent, -1. */
int aws_xml_fleet(const char *xml, size_t len, const char *id, aws_fleet *out,
                  char *err, size_t errlen);
/* Checks that a response is a well-formed document whose root element is
** `root` (e.g. "SetDesiredCapacityResponse"). Returns 0 or -1. */
int aws_xml_expect_root(const char *xml, size_t len, const char *root,
                        char *err, size_t errlen);

/* ---- The live loop ------------------------------------------------------ */

typedef struct {
    char region[64];         /* "" : aws_region_resolve() */
    char fleet_id[128];      /* FleetRequestId */
    char asg_name[256];      /* AutoScalingGroupName */
    const pol_policy *policy;
    pol_params params;
    int interval;            /* seconds between ticks */
    int max_on_demand;       /* hard cap on DesiredCapacity */
    char endpoint[AWS_NSERVICES][256]; /* "" : aws_endpoint_resolve() */
    long connect_timeout_ms, timeout_ms;
    int max_attempts;
} aws_live_config;

/* Parses the live config (JSON text). Unknown keys, wrong types, missing
** required keys and values out of range are errors naming the key. */
int aws_live_config_parse(const char *json, aws_live_config *out, char *err,
                          size_t errlen);
/* Reads and parses a config file; messages start with the path. */
int aws_live_config_load(const char *path, aws_live_config *out, char *err,
                         size_t errlen);
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
    aws_fleet fleet;
    pol_decision policy_decision; /* what the policy said */
    pol_decision decision;        /* after the max_on_demand cap */
    int capped;                   /* 1 when the cap changed the decision */
    aws_outcome outcome;
    char outcome_msg[AWS_ERR_MAX]; /* with REJECTED/FAILED: the AWS error */
    int fetched;                  /* calls of the 6 fetches that succeeded */
    size_t nerrors;               /* the calls that failed, as messages */
    char errors[AWS_TICK_MAXERR][AWS_ERR_MAX];
} aws_tick;

/* Runs one tick at `now`: fetches the metrics over [now - lookback, now),
** the group and the fleet, decides, caps, and with `apply` sets the
** DesiredCapacity. Failed calls are recorded in the tick (a failed metric is
** pol_series.failed, an undescribed group asg.known = 0), never as zeros.
** Returns 0, or -1 only when out of memory. Free with aws_tick_free(). */
int aws_live_tick(aws_client *c, const aws_live_config *cfg, int64_t now,
                  int apply, aws_tick *t);
void aws_tick_free(aws_tick *t);
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

#endif
