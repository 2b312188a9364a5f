/*
** aws_int.h: what the files of aws/ share and nobody else sees (the unit
** tests include it too): region and endpoint resolution, credentials, the
** HTTP transport and its libcurl implementation, the Query API calls and
** their retries, the XML readers, one live tick; a growable string, form
** encoding, environment and file helpers, the shared-file (INI) reader.
*/
#ifndef SPOTBENCH_AWS_INT_H
#define SPOTBENCH_AWS_INT_H

#include "aws.h"

#include <stdarg.h>

/* ---- Region, endpoints (endpoint.c) ---- */

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

/* Copies `s` into a new string with every run of 16 or more characters of
** the credentials' access key, secret key or token (also percent-encoded),
** wherever it appears, replaced by "[redacted]" (a secret shorter than 16
** characters: each whole occurrence). NULL creds copy as is. The caller
** frees; NULL on no memory. */
char *aws_redact(const char *s, const aws_creds *c);
/* aws_redact, then trc_esc: what every message that may quote a server's
** text goes through before it leaves aws/ (an error, a log line). The
** caller frees; NULL on no memory. */
char *aws_clean(const char *s, const aws_creds *c);

/* ---- HTTP transport ----------------------------------------------------- */

typedef enum {
    AWS_NET_OK = 0,   /* a response came back (any HTTP status) */
    AWS_NET_TIMEOUT,  /* connect or total timeout */
    AWS_NET_CONNECT,  /* could not resolve, connect, send or receive */
    AWS_NET_OTHER     /* anything else (TLS verification, bad URL, ...) */
} aws_net_status;

typedef struct aws_http_req {
    const char *method;         /* "GET", "PUT" or "POST" */
    const char *url;
    const char *body;           /* POST/PUT body, NULL for none */
    size_t body_len;
    const char *const *headers; /* "Name: value", NULL-terminated, or NULL */
    const char *sigv4;          /* "aws:amz:REGION:SERVICE", NULL: unsigned */
    const aws_creds *creds;     /* with sigv4 */
    long connect_timeout_ms, timeout_ms; /* timeout_ms 0: none */
    int keep_headers;           /* fill resp->headers */
} aws_http_req;

typedef struct aws_http_resp {
    aws_net_status net;
    long status;  /* HTTP status with AWS_NET_OK */
    char *body;   /* malloc'd, NUL-terminated; the caller frees */
    size_t len;
    char *headers; /* with req->keep_headers: the header lines as received,
                      malloc'd, the caller frees; else NULL */
} aws_http_resp;

/* A transport (aws_transport_fn) sends one request. It returns 0 with *resp
** filled when a response came back, or -1 with resp->net set and a message
** (which never holds a secret). */

/* The value of the response header `name` (any case) in headers (the raw
** header block of aws_http_resp), without surrounding white space. Returns 1
** when found, 0 when not or when it does not fit in out. */
int aws_http_header(const char *headers, const char *name, char *out,
                    size_t n);

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
** rand01 * aws_backoff_cap_ms(retry). */
long aws_backoff_ms(int retry, double rand01);

/* GetMetricStatistics of AWS/EC2Spot `m` for FleetRequestId `fleet`, Period
** 60, Maximum, over [start, end). *pts (malloc'd, the caller frees) gets the
** datapoints sorted by time. Returns 0, or -1 with *e filled. */
int aws_get_metric(aws_client *c, const char *fleet, pol_metric m,
                   int64_t start, int64_t end, pol_point **pts, size_t *n,
                   aws_error *e);
/* The same for the AWS/AutoScaling group metric `name` (GroupDesiredCapacity,
** ...) of AutoScalingGroupName `group`. */
int aws_get_group_metric(aws_client *c, const char *group, const char *name,
                         int64_t start, int64_t end, pol_point **pts, size_t *n,
                         aws_error *e);
/* DescribeAutoScalingGroups for one group: sizes and InService instances.
** A group that does not exist is an error. */
int aws_describe_asg(aws_client *c, const char *name, pol_asg *out,
                     aws_error *e);
/* DescribeScalingActivities of group `name`, the newest `max` (MaxRecords):
** the failed spot launches (aws_xml_failed_launches). */
int aws_describe_failed_launches(aws_client *c, const char *name, int max, int64_t **t,
                                 size_t *n, aws_error *e);
/* SetDesiredCapacity with HonorCooldown. */
int aws_set_desired(aws_client *c, const char *name, int desired,
                    int honor_cooldown, aws_error *e);

/* DescribeSpotFleetRequests for one fleet. */
int aws_describe_fleet(aws_client *c, const char *id, aws_fleet *out,
                       aws_error *e);

/* ---- Response parsing (no network; exposed for tests) -------------------- */

/* libxml2's functions, opened on first use (xml.c): every reader below takes
** one. Owned by its creator (the client). */
typedef struct aws_xml aws_xml;

/* Opens `soname` (AWS_XML_SONAME). Returns NULL with a message when the
** library or one of its symbols is missing. */
aws_xml *aws_xml_open(const char *soname, char *err, size_t errlen);
void aws_xml_close(aws_xml *x);

/* An AWS error answer. */
typedef struct {
    char code[64];       /* "" when none could be read */
    char message[1024];
    char request_id[128];
} aws_err_doc;

/* Reads an error answer: any XML shape AWS or moto gives (the first <Error>
** with a <Code>, wherever it is: ErrorResponse/Error, Response/Errors/Error,
** ErrorResponse/Errors/Error, a bare Error), AWS's JSON errors (__type,
** message), and, failing both, the x-amzn-ErrorType header; the request id
** from the body or the x-amzn-RequestId header. headers may be NULL. Returns
** 1 when a code was found, 0 otherwise (the fields found are filled). */
int aws_error_parse(const aws_xml *x, const char *body, size_t len,
                    const char *headers, aws_err_doc *out);
/* GetMetricStatistics: the Timestamp/Maximum datapoints, sorted. */
int aws_xml_metric(const aws_xml *x, const char *xml, size_t len,
                   pol_point **pts, size_t *n, char *err, size_t errlen);
/* DescribeAutoScalingGroups: the group called `name`. Returns 0, 1 when the
** response does not hold it, -1 with a message. */
int aws_xml_asg(const aws_xml *x, const char *xml, size_t len,
                const char *name, pol_asg *out, char *err, size_t errlen);
/* DescribeScalingActivities: the times of the Failed activities whose
** StatusMessage speaks of Spot ("Could not launch Spot Instances. ..."),
** each its EndTime (StartTime when it has none), sorted; *t malloc'd (NULL
** when none), the caller frees. Returns 0, or -1 with a message. */
int aws_xml_failed_launches(const aws_xml *x, const char *xml, size_t len, int64_t **t,
                            size_t *n, char *err, size_t errlen);
/* DescribeSpotFleetRequests: the fleet `id`. Returns 0, 1 when absent, -1. */
int aws_xml_fleet(const aws_xml *x, const char *xml, size_t len,
                  const char *id, aws_fleet *out, char *err, size_t errlen);
/* Checks that a response is a well-formed document whose root element is
** `root` (e.g. "SetDesiredCapacityResponse"). Returns 0 or -1. */
int aws_xml_expect_root(const aws_xml *x, const char *xml, size_t len,
                        const char *root, char *err, size_t errlen);

/* For each <item> or <member> of every element called `list` in an answer whose root
** is `root`, fn(ctx, text of child a, text of child b) ("" for a child that
** is absent). fn returns non-zero when out of memory. Returns 0, or -1 with
** a message (xml.c). */
typedef int (*aws_xml_item_fn)(void *ctx, const char *a, const char *b);
int aws_xml_items(const aws_xml *x, const char *xml, size_t len, const char *root,
                  const char *list, const char *a, const char *b, aws_xml_item_fn fn,
                  void *ctx, char *err, size_t errlen);

/* ---- Calls for other files of aws/ (client.c) ---- */

/* One signed POST of `body` to `url`, SigV4 for `service` ("sqs") in the
** client's region, with the client's retries, credentials and error
** reading. On success *ok holds the 2xx answer (the caller frees its body).
** Returns 0, or -1 with *e filled. */
int aws_client_post(aws_client *c, const char *url, const char *service,
                    const char *const *headers, const char *body,
                    const char *label, aws_http_resp *ok, aws_error *e);
/* One Query API call (`params`: the encoded form after Action and Version,
** "" for none). As aws_client_post. */
int aws_client_query(aws_client *c, aws_service s, const char *action,
                     const char *label, const char *params, aws_http_resp *ok,
                     aws_error *e);
/* The client's libxml2 table, to read an answer with. */
const aws_xml *aws_client_xml(const aws_client *c);

/* ---- One tick (live.c) ---- */

/* Runs one tick at `now`: fetches the metrics over [now - lookback, now),
** the group and the fleet, decides, caps, and with `apply` sets the
** DesiredCapacity. Failed calls are recorded in the tick (a failed metric is
** pol_series.failed, an undescribed group asg.known = 0), never as zeros.
** Returns 0, or -1 only when out of memory. Free with aws_tick_free(). */
int aws_live_tick(aws_client *c, const aws_live_config *cfg, int64_t now,
                  int apply, aws_tick *t);
void aws_tick_free(aws_tick *t);

/* ---- sqs.c: the EventBridge events a queue delivers ---- */

/* What the controller keeps between ticks: the events received within the
** policy's look-back (with the second each was first received), the ids of
** those seen lately (a duplicate is dropped), the messages of the last tick
** waiting to be deleted, the last tick that worked. */
typedef struct aws_evq aws_evq;
aws_evq *aws_evq_new(void); /* NULL when out of memory */
void aws_evq_free(aws_evq *q);
/* Drains cfg->queue_url (SQS ReceiveMessage, JSON protocol) at `now`, reads
** each message as an EventBridge event, drops the duplicates, names the
** units of each event's instance from the fleet's instances and launch
** specifications (DescribeSpotFleetInstances, DescribeSpotFleetRequests),
** or of a spot group (cfg->spot_group: DescribeAutoScalingGroups gives each
** instance's WeightedCapacity), called only when an event names an instance
** not yet known, and gives the
** policy what was received within [now - lookback, now] in t->obs.events.
** A failed call is one of the tick's errors. Returns 0, or -1 when out of
** memory. */
int aws_evq_poll(aws_client *c, const aws_live_config *cfg, aws_evq *q, int64_t now,
                 int64_t lookback, aws_tick *t);
/* After the tick was recorded: with `used` (the tick worked and was
** recorded) deletes the messages it received (DeleteMessage) and makes its
** time the next tick's `since`; otherwise forgets their receipts, so they
** come back after the queue's visibility timeout. Returns 0, or -1 with a
** message when a delete failed (the message comes back, a duplicate). */
int aws_evq_done(aws_client *c, aws_evq *q, int used, char *err, size_t errlen);

/* Reads a message body as an EventBridge event of the two detail-types
** (source aws.ec2, an id, detail.instance-id). Returns 1 with the event's
** id, instance and pol_event_kind, 0 when it is something else. */
int aws_evq_parse_event(const char *body, char *id, size_t idn, char *instance,
                        size_t instn, int *kind);

/* aws_live_tick with the events of queue q (NULL: none known). */
int aws_live_tick_q(aws_client *c, const aws_live_config *cfg, aws_evq *q,
                    int64_t now, int apply, aws_tick *t);


/* ---- util.c ---- */

/* A growable NUL-terminated string. Zero-initialise it. Out of memory sets
** `oom` and makes further appends no-ops, so callers check once at the end. */
typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} aws_buf;

void aws_buf_add(aws_buf *b, const char *s, size_t n);
void aws_buf_puts(aws_buf *b, const char *s);
/* Appends "&key=value" (no '&' when the buffer is empty), both encoded. */
void aws_buf_param(aws_buf *b, const char *key, const char *value);
/* Wipes and frees. */
void aws_buf_free(aws_buf *b);

/* Overwrites memory in a way the compiler may not drop (secrets). */
void aws_wipe(void *p, size_t n);
/* Wipes a string's bytes and frees it. NULL is fine. */
void aws_free_secret(char *s);
char *aws_strdup(const char *s);

/* getenv, but NULL when unset or empty. */
const char *aws_env(const char *name);
/* 1 when the variable is "true" (any case). */
int aws_env_true(const char *name);

/* Reads a whole file (at most `max` bytes) into a malloc'd NUL-terminated
** string. Returns 0, 1 when the file does not exist, -1 with a message. */
int aws_read_file(const char *path, size_t max, char **out, size_t *len,
                  char *err, size_t errlen);

/* Copies at most n-1 bytes and terminates; returns -1 when s did not fit. */
int aws_copy(char *dst, size_t n, const char *s);

/* Formats a message, scrubs the credentials' secrets out of it and hands it
** to the log callback. Does nothing when there is no callback. */
void aws_logf(aws_log_fn log, void *ctx, const aws_creds *scrub,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- ini.c: the shared credentials and config files ---- */

/* The value of key in section (and nested under parent, "" for none); the
** last assignment wins. Returns 1 when found, 0 when not, -1 when it does not
** fit in out. Keys compare case-insensitively. */
int aws_ini_get(const char *text, const char *section, const char *parent,
                const char *key, char *out, size_t n);
/* 1 when the file has a section with that header text. */
int aws_ini_has_section(const char *text, const char *section);
/* The profile that the shared files are read for: AWS_PROFILE, else
** AWS_DEFAULT_PROFILE, else "default". */
const char *aws_profile_name(void);
/* The config file's path (AWS_CONFIG_FILE or $HOME/.aws/config). Returns 0,
** or -1 when neither the variable nor HOME is set. */
int aws_config_file_path(char *out, size_t n);
/* The shared credentials file's path (AWS_SHARED_CREDENTIALS_FILE or
** $HOME/.aws/credentials). Returns 0, or -1 as aws_config_file_path(). */
int aws_credentials_file_path(char *out, size_t n);
/* The config file's section for a profile: "default" or "profile NAME". */
void aws_config_section(const char *profile, char *out, size_t n);
/* Reads one setting of the current profile from the config file. Returns 1
** when found, 0 when not (also when there is no file), -1 on error. */
int aws_config_get(const char *parent, const char *key, char *out, size_t n,
                   char *err, size_t errlen);

/* ---- creds.c ---- */

typedef struct {
    aws_transport_fn transport;
    void *transport_ctx;
    aws_log_fn log;
    void *log_ctx;
} aws_io;

/* Runs the credential chain. Returns 0 with *out filled, -1 with a message
** naming what was tried. */
int aws_creds_chain(const aws_io *io, aws_creds *out, char *err,
                    size_t errlen);

/* ---- dl.c: libcurl and libxml2, opened on first use ---- */

/* The sonames opened; tests name others to see the failures. */
#define AWS_CURL_SONAME "libcurl.so.4"
#define AWS_XML_SONAME "libxml2.so.2"

/* dlopen(soname). Returns the handle, or NULL with a message naming the
** library, the loader's reason and the Debian package to install. */
void *aws_dl_open(const char *soname, const char *package, char *err,
                  size_t errlen);
/* dlsym(so, name). Returns the address, or NULL with a message. */
void *aws_dl_sym(void *so, const char *soname, const char *package,
                 const char *name, char *err, size_t errlen);
void aws_dl_close(void *so);
/* Resolves `name` into tab->field, cast to the field's own type: a pointer
** to the function as the library's header declares it, so the compiler
** checks every call. tab->so is the library. Nonzero on success. */
#define AWS_DL_SYM(tab, field, name, soname, package, err, errlen)          \
    ((tab)->field = (__typeof__((tab)->field))aws_dl_sym(                    \
         (tab)->so, soname, package, name, err, errlen))

/* ---- http.c: the libcurl transport ---- */

/* libcurl, opened and initialised (curl_global_init), with one easy handle
** reused for keep-alive. Owned by its creator; the transport's ctx. */
typedef struct aws_curl aws_curl;

/* Opens `soname` (AWS_CURL_SONAME) and makes a handle. Returns NULL with a
** message when the library, one of its functions or the handle is missing. */
aws_curl *aws_curl_new(const char *soname, char *err, size_t errlen);
void aws_curl_free(aws_curl *c);
/* ctx is an aws_curl. */
int aws_curl_transport(void *ctx, const aws_http_req *req, aws_http_resp *resp,
                       char *err, size_t errlen);

#endif
