/*
** client.c: the AWS client: credentials cached and refreshed before they
** expire, one Query-protocol call with the SDKs' "standard" retry mode, and
** the four calls the live controller makes (each its form and its parser,
** through request()).
**
** Retries: at most max_attempts (3) attempts; throttling codes, HTTP 429 and
** 5xx, timeouts and connection failures are retried after a full-jitter
** exponential backoff (100 ms base, 20 s cap); an expired session token
** makes the next attempt fetch credentials again. Everything else (access
** denied, validation errors, ScalingActivityInProgress) is final at once.
*/
#include "aws_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "traces/rng.h"
#include "traces/text.h"
#include "traces/traces.h"

static const char *const versions[AWS_NSERVICES] = {"2010-08-01",
                                                    "2011-01-01",
                                                    "2016-11-15"};

/* Credentials are refreshed this long before they expire, as the SDKs do,
** so a call is never signed with a token about to lapse in flight. */
#define REFRESH_MARGIN 300

struct aws_client {
    char region[64];
    char endpoint[AWS_NSERVICES][512];
    char sigv4[AWS_NSERVICES][128];
    long connect_timeout_ms, timeout_ms;
    int max_attempts;
    aws_log_fn log;
    void *log_ctx;
    aws_sleep_fn sleep;
    void *sleep_ctx;
    double sleep_scale;
    aws_transport_fn transport;
    void *transport_ctx;
    aws_curl *curl; /* owned, with the default transport */
    aws_xml *xml;   /* owned: libxml2, which reads every answer */
    uint64_t rng;
    aws_creds creds;
    int have_creds;
};

/* ---- Retry policy ---- */

static int in_list(const char *code, const char *const *list) {
    for (; *list; list++)
        if (strcmp(code, *list) == 0) return 1;
    return 0;
}

aws_retry_kind aws_retry_classify(aws_net_status net, long status,
                                  const char *code) {
    /* The error codes the SDKs' standard mode treats as throttling or
    ** transient. */
    static const char *const throttling[] = {
        "Throttling", "ThrottlingException", "ThrottledException",
        "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", NULL};
    static const char *const transient[] = {
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
        NULL};
    static const char *const expired[] = {"ExpiredToken",
                                          "ExpiredTokenException", NULL};
    if (net == AWS_NET_TIMEOUT || net == AWS_NET_CONNECT)
        return AWS_RETRY_TRANSIENT;
    if (net != AWS_NET_OK) return AWS_RETRY_NO;
    if (code && *code) {
        if (in_list(code, throttling)) return AWS_RETRY_THROTTLE;
        if (in_list(code, transient)) return AWS_RETRY_TRANSIENT;
        if (in_list(code, expired)) return AWS_RETRY_CREDS;
    }
    if (status == 429) return AWS_RETRY_THROTTLE;
    if (status == 500 || status == 502 || status == 503 || status == 504)
        return AWS_RETRY_TRANSIENT;
    return AWS_RETRY_NO;
}

long aws_backoff_cap_ms(int retry) {
    long cap = 100;
    for (int i = 1; i < retry && cap < 20000; i++) cap *= 2;
    return cap > 20000 ? 20000 : cap;
}

long aws_backoff_ms(int retry, double rand01) {
    long cap = aws_backoff_cap_ms(retry);
    if (rand01 < 0) rand01 = 0;
    if (rand01 > 1) rand01 = 1;
    return (long)(rand01 * (double)cap);
}

/* Per-client jitter without the global rand() state: the project's
** splitmix64 (traces/rng.h), 53 bits in [0, 1). */
static double next_rand(aws_client *c) {
    return (double)(trc_splitmix64(&c->rng) >> 11) * 0x1.0p-53;
}

static void default_sleep(aws_client *c, long ms) {
    double scaled = (double)ms * c->sleep_scale;
    if (scaled <= 0) return;
    struct timespec ts = {(time_t)(scaled / 1000),
                          (long)((long long)scaled % 1000) * 1000000L};
    /* An interrupted sleep is not resumed: a signal means "finish up", and
    ** the retry then simply comes sooner. */
    nanosleep(&ts, NULL);
}

static void do_sleep(aws_client *c, long ms) {
    if (c->sleep)
        c->sleep(c->sleep_ctx, ms);
    else
        default_sleep(c, ms);
}

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- Client ---- */

int aws_client_new(const aws_opts *o, aws_client **out, char *err,
                   size_t errlen) {
    *out = NULL;
    int rc = -1;
    aws_client *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -2;
    }
    if (aws_region_resolve(o->region, c->region, sizeof c->region, err,
                           errlen))
        goto fail;
    for (int s = 0; s < AWS_NSERVICES; s++) {
        if (aws_endpoint_resolve((aws_service)s, c->region, o->endpoint[s],
                                 c->endpoint[s], sizeof c->endpoint[s], err,
                                 errlen))
            goto fail;
        /* Through a local buffer: GCC cannot tell that two members of *c
        ** do not overlap (-Wrestrict). */
        char sig[sizeof c->sigv4[s]];
        snprintf(sig, sizeof sig, "aws:amz:%s:%s", c->region,
                 aws_service_signing_name((aws_service)s));
        memcpy(c->sigv4[s], sig, sizeof sig);
    }
    c->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms
                                                      : 5000;
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 20000;
    c->max_attempts = o->max_attempts > 0 ? o->max_attempts : 3;
    c->log = o->log;
    c->log_ctx = o->log_ctx;
    c->sleep = o->sleep;
    c->sleep_ctx = o->sleep_ctx;
    c->sleep_scale = 1.0;
    const char *scale = aws_env("SPOTBENCH_RETRY_SCALE");
    if (scale) {
        char *end;
        double v = strtod(scale, &end);
        if (*end || !(v >= 0) || v > 1000) {
            snprintf(err, errlen,
                     "SPOTBENCH_RETRY_SCALE: \"%.40s\" is not a number in "
                     "[0, 1000]",
                     scale);
            goto fail;
        }
        c->sleep_scale = v;
    }
    /* The libraries are loaded here, by the first client: commands that
    ** never make one never pay for them (dl.c). */
    if (!(c->xml = aws_xml_open(AWS_XML_SONAME, err, errlen))) {
        rc = -2;
        goto fail;
    }
    if (o->transport) {
        c->transport = o->transport;
        c->transport_ctx = o->transport_ctx;
    } else {
        if (!(c->curl = aws_curl_new(AWS_CURL_SONAME, err, errlen))) {
            rc = -2;
            goto fail;
        }
        c->transport = aws_curl_transport;
        c->transport_ctx = c->curl;
    }
    c->rng = o->seed ? o->seed
                     : (uint64_t)time(NULL) * 6364136223846793005ull ^
                           (uint64_t)getpid() ^ (uint64_t)mono_ms();
    *out = c;
    return 0;
fail:
    aws_client_free(c);
    return rc;
}

void aws_client_free(aws_client *c) {
    if (!c) return;
    aws_creds_free(&c->creds);
    aws_curl_free(c->curl);
    aws_xml_close(c->xml);
    free(c);
}

const char *aws_client_region(const aws_client *c) { return c->region; }

const char *aws_client_endpoint(const aws_client *c, aws_service s) {
    return (unsigned)s < AWS_NSERVICES ? c->endpoint[s] : NULL;
}

int aws_client_creds(aws_client *c, char *err, size_t errlen) {
    if (c->have_creds &&
        (c->creds.expires == 0 ||
         c->creds.expires - REFRESH_MARGIN > (int64_t)time(NULL)))
        return 0;
    aws_io io = {c->transport, c->transport_ctx, c->log, c->log_ctx};
    aws_creds fresh = {0};
    if (aws_creds_chain(&io, &fresh, err, errlen)) {
        c->have_creds = 0;
        aws_creds_free(&c->creds);
        return -1;
    }
    aws_creds_free(&c->creds);
    c->creds = fresh;
    c->have_creds = 1;
    if (c->creds.expires) {
        char t[32];
        trc_time_format(c->creds.expires, t, sizeof t);
        aws_logf(c->log, c->log_ctx, &c->creds,
                 "credentials from %s, expiring %s", c->creds.source, t);
    } else {
        aws_logf(c->log, c->log_ctx, &c->creds, "credentials from %s",
                 c->creds.source);
    }
    return 0;
}

/* Composes an error message, scrubs secrets out of the whole of it and
** escapes its control characters (aws_clean: it may quote a server), and
** only then truncates it into e->msg, at a whole character: a secret cut in
** half by truncation would no longer be recognised. */
static void set_error(aws_client *c, aws_error *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_error(aws_client *c, aws_error *e, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!s) {
        snprintf(e->msg, sizeof e->msg, "out of memory formatting an error");
        return;
    }
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    char *clean = aws_clean(s, c->have_creds ? &c->creds : NULL);
    trc_esc(e->msg, sizeof e->msg, clean ? clean : "out of memory formatting an error");
    aws_free_secret(s);
    aws_free_secret(clean);
}

static const char *kind_name(aws_retry_kind k) {
    switch (k) {
    case AWS_RETRY_THROTTLE:
        return "throttled";
    case AWS_RETRY_TRANSIENT:
        return "transient error";
    case AWS_RETRY_CREDS:
        return "expired credentials, fetching new ones";
    default:
        return "not retryable";
    }
}

/* Replaces resp->body and resp->headers by copies with every credential
** value redacted (aws_redact): the error parser reads both. 0, or -1 when
** out of memory. */
static int scrub_response(aws_client *c, aws_http_resp *resp) {
    if (!c->have_creds) return 0;
    if (resp->body) {
        char *clean = aws_redact(resp->body, &c->creds);
        if (!clean) return -1;
        aws_free_secret(resp->body);
        resp->body = clean;
        resp->len = strlen(clean);
    }
    if (resp->headers) {
        char *clean = aws_redact(resp->headers, &c->creds);
        if (!clean) return -1;
        aws_free_secret(resp->headers);
        resp->headers = clean;
    }
    return 0;
}

/* One signed POST with retries (see aws_client_post in aws_int.h). */
static int post(aws_client *c, const char *url, const char *sigv4,
                const char *const *headers, const aws_buf *body,
                const char *label, aws_http_resp *ok, aws_error *e) {
    memset(e, 0, sizeof *e);
    memset(ok, 0, sizeof *ok);
    int rc = -1;
    for (int attempt = 1; attempt <= c->max_attempts; attempt++) {
        e->attempts = attempt;
        char cerr[AWS_ERR_MAX];
        if (aws_client_creds(c, cerr, sizeof cerr)) {
            set_error(c, e, "%s: credentials: %s", label, cerr);
            break;
        }
        aws_logf(c->log, c->log_ctx, &c->creds,
                 "%s: POST %s attempt %d/%d: %s", label, url, attempt,
                 c->max_attempts, body->s);
        aws_http_req req = {"POST",      url,        body->s,
                            body->len,   headers,    sigv4,
                            &c->creds,   c->connect_timeout_ms,
                            c->timeout_ms,
                            1 /* headers: x-amzn-ErrorType, RequestId */};
        aws_http_resp resp;
        char terr[AWS_ERR_MAX] = "";
        int64_t t0 = mono_ms();
        int tr = c->transport(c->transport_ctx, &req, &resp, terr, sizeof terr);
        long ms = (long)(mono_ms() - t0);
        /* The whole answer is scrubbed of the credentials before any of it
        ** is parsed: a server echoing a secret in an error Code, Message or
        ** RequestId (or anywhere) must not get part of it past a fixed
        ** buffer's cut, where it would no longer be recognised. */
        if (tr == 0 && scrub_response(c, &resp)) {
            aws_free_secret(resp.body);
            aws_free_secret(resp.headers);
            set_error(c, e, "%s: out of memory scrubbing the response", label);
            break;
        }
        aws_retry_kind kind;
        aws_err_doc ed;
        if (tr != 0) {
            kind = aws_retry_classify(resp.net, 0, "");
            e->status = 0;
            e->code[0] = '\0';
            set_error(c, e, "%s: %s", label, terr[0] ? terr : "request failed");
            aws_logf(c->log, c->log_ctx, &c->creds, "%s: %s (%ld ms)", label,
                     terr, ms);
        } else if (resp.status >= 200 && resp.status < 300) {
            aws_logf(c->log, c->log_ctx, &c->creds,
                     "%s: HTTP %ld, %zu bytes (%ld ms)", label, resp.status,
                     resp.len, ms);
            free(resp.headers);
            resp.headers = NULL;
            *ok = resp;
            rc = 0;
            break;
        } else {
            aws_error_parse(c->xml, resp.body, resp.len, resp.headers, &ed);
            kind = aws_retry_classify(AWS_NET_OK, resp.status, ed.code);
            e->status = resp.status;
            snprintf(e->code, sizeof e->code, "%s", ed.code);
            const char *rid = ed.request_id;
            if (ed.code[0])
                set_error(c, e, "%s: %s: %s%s%s%s", label, ed.code,
                          ed.message[0] ? ed.message : "(no message)",
                          rid[0] ? " (RequestId " : "", rid,
                          rid[0] ? ")" : "");
            else
                set_error(c, e, "%s: HTTP %ld%s%s%s", label, resp.status,
                          rid[0] ? " (RequestId " : "", rid,
                          rid[0] ? ")" : "");
            aws_logf(c->log, c->log_ctx, &c->creds, "%s: HTTP %ld %s (%ld ms)",
                     label, resp.status, ed.code, ms);
            aws_free_secret(resp.body);
            free(resp.headers);
        }
        if (kind == AWS_RETRY_NO || attempt == c->max_attempts) break;
        if (kind == AWS_RETRY_CREDS) {
            c->have_creds = 0;
            aws_creds_free(&c->creds);
        }
        long delay = aws_backoff_ms(attempt, next_rand(c));
        aws_logf(c->log, c->log_ctx, NULL, "%s: %s; retrying in %ld ms", label,
                 kind_name(kind), delay);
        do_sleep(c, delay);
    }
    if (rc && e->attempts > 1) {
        size_t l = strlen(e->msg);
        snprintf(e->msg + l, sizeof e->msg - l, " (after %d attempts)",
                 e->attempts);
    }
    return rc;
}

/* One Query API call with retries. `label` names it in messages
** ("cloudwatch GetMetricStatistics PendingCapacity"); `params` is the
** encoded rest of the form ("" or "A=b&C=d"). On success *ok holds the 2xx
** response (the caller frees its body). */
static int call(aws_client *c, aws_service s, const char *action,
                const char *label, const char *params, aws_http_resp *ok,
                aws_error *e) {
    memset(e, 0, sizeof *e);
    memset(ok, 0, sizeof *ok);
    aws_buf body = {0};
    aws_buf_param(&body, "Action", action);
    aws_buf_param(&body, "Version", versions[s]);
    if (params && *params) {
        aws_buf_puts(&body, "&");
        aws_buf_puts(&body, params);
    }
    char url[600];
    snprintf(url, sizeof url, "%s/", c->endpoint[s]);
    if (body.oom) {
        set_error(c, e, "%s: out of memory", label);
        aws_buf_free(&body);
        return -1;
    }
    static const char *const headers[] = {
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8",
        NULL};
    int rc = post(c, url, c->sigv4[s], headers, &body, label, ok, e);
    aws_buf_free(&body);
    return rc;
}

int aws_client_post(aws_client *c, const char *url, const char *service,
                    const char *const *headers, const char *body,
                    const char *label, aws_http_resp *ok, aws_error *e) {
    char sigv4[160];
    snprintf(sigv4, sizeof sigv4, "aws:amz:%s:%s", c->region, service);
    aws_buf b = {0};
    aws_buf_puts(&b, body);
    if (b.oom) {
        memset(e, 0, sizeof *e);
        memset(ok, 0, sizeof *ok);
        set_error(c, e, "%s: out of memory", label);
        aws_buf_free(&b);
        return -1;
    }
    int rc = post(c, url, sigv4, headers, &b, label, ok, e);
    aws_buf_free(&b);
    return rc;
}

int aws_client_query(aws_client *c, aws_service s, const char *action,
                     const char *label, const char *params, aws_http_resp *ok,
                     aws_error *e) {
    return call(c, s, action, label, params, ok, e);
}

const aws_xml *aws_client_xml(const aws_client *c) { return c->xml; }

/* Reads a 2xx answer's body into the call's result with one of xml.c's
** parsers: 0, 1 when what was asked for is not in the answer, or -1 with
** a message in err. */
typedef int (*parse_fn)(const aws_xml *x, const char *body, size_t len,
                        const void *ctx, char *err, size_t errlen);

/* One API call from its parameters to its parsed answer: sends `action`
** with the form in *p (freed here) and hands the answer to parse(ctx).
** Returns 0, or parse()'s 1 for the caller to describe, or -1 with *e
** filled: a failed call, or a parse error as "label: message<note>". */
static int request(aws_client *c, aws_service s, const char *action,
                   const char *label, aws_buf *p, parse_fn parse, const void *ctx,
                   const char *note, aws_error *e) {
    memset(e, 0, sizeof *e);
    aws_http_resp r;
    int rc = p->oom ? (set_error(c, e, "%s: out of memory", label), -1)
                    : call(c, s, action, label, p->s, &r, e);
    aws_buf_free(p);
    if (rc) return -1;
    char err[AWS_ERR_MAX];
    rc = parse(c->xml, r.body, r.len, ctx, err, sizeof err);
    free(r.body);
    if (rc < 0) set_error(c, e, "%s: %s%s", label, err, note);
    return rc;
}

typedef struct {
    pol_point **pts;
    size_t *n;
} metric_ctx;

static int parse_metric(const aws_xml *x, const char *body, size_t len,
                        const void *ctx, char *err, size_t errlen) {
    const metric_ctx *m = ctx;
    return aws_xml_metric(x, body, len, m->pts, m->n, err, errlen);
}

/* A described resource: its name, and where it goes. */
typedef struct {
    const char *name;
    void *out;
} named_ctx;

static int parse_asg(const aws_xml *x, const char *body, size_t len,
                     const void *ctx, char *err, size_t errlen) {
    const named_ctx *g = ctx;
    return aws_xml_asg(x, body, len, g->name, g->out, err, errlen);
}

static int parse_fleet(const aws_xml *x, const char *body, size_t len,
                       const void *ctx, char *err, size_t errlen) {
    const named_ctx *f = ctx;
    return aws_xml_fleet(x, body, len, f->name, f->out, err, errlen);
}

/* ctx: the root element an answer without a result must have. */
static int parse_root(const aws_xml *x, const char *body, size_t len,
                      const void *ctx, char *err, size_t errlen) {
    return aws_xml_expect_root(x, body, len, ctx, err, errlen);
}

/* GetMetricStatistics of one metric with one dimension, Period 60,
** Maximum. */
static int get_metric(aws_client *c, const char *ns, const char *name, const char *dim,
                      const char *value, int64_t start, int64_t end, pol_point **pts,
                      size_t *n, aws_error *e) {
    memset(e, 0, sizeof *e);
    *pts = NULL;
    *n = 0;
    char label[96], st[32], et[32];
    snprintf(label, sizeof label, "cloudwatch GetMetricStatistics %s", name ? name : "?");
    if (!name) {
        set_error(c, e, "%s: unknown metric", label);
        return -1;
    }
    trc_time_format(start, st, sizeof st);
    trc_time_format(end, et, sizeof et);
    aws_buf p = {0};
    aws_buf_param(&p, "Namespace", ns);
    aws_buf_param(&p, "MetricName", name);
    aws_buf_param(&p, "Dimensions.member.1.Name", dim);
    aws_buf_param(&p, "Dimensions.member.1.Value", value);
    aws_buf_param(&p, "StartTime", st);
    aws_buf_param(&p, "EndTime", et);
    aws_buf_param(&p, "Period", "60");
    aws_buf_param(&p, "Statistics.member.1", "Maximum");
    metric_ctx ctx = {pts, n};
    return request(c, AWS_CLOUDWATCH, "GetMetricStatistics", label, &p,
                   parse_metric, &ctx, "", e);
}

int aws_get_metric(aws_client *c, const char *fleet, pol_metric m,
                   int64_t start, int64_t end, pol_point **pts, size_t *n,
                   aws_error *e) {
    return get_metric(c, "AWS/EC2Spot", pol_metric_name(m), "FleetRequestId", fleet, start,
                      end, pts, n, e);
}

int aws_get_group_metric(aws_client *c, const char *group, const char *name,
                         int64_t start, int64_t end, pol_point **pts, size_t *n,
                         aws_error *e) {
    return get_metric(c, "AWS/AutoScaling", name, "AutoScalingGroupName", group, start, end,
                      pts, n, e);
}

int aws_describe_asg(aws_client *c, const char *name, pol_asg *out,
                     aws_error *e) {
    const char *label = "autoscaling DescribeAutoScalingGroups";
    aws_buf p = {0};
    aws_buf_param(&p, "AutoScalingGroupNames.member.1", name);
    named_ctx ctx = {name, out};
    int rc = request(c, AWS_AUTOSCALING, "DescribeAutoScalingGroups", label,
                     &p, parse_asg, &ctx, "", e);
    if (rc > 0) set_error(c, e, "%s: no Auto Scaling group named \"%s\"", label, name);
    return rc ? -1 : 0;
}

/* ctx: where the failed launches go. */
typedef struct {
    int64_t **t;
    size_t *n;
} launches_ctx;

static int parse_launches(const aws_xml *x, const char *body, size_t len, const void *ctx,
                          char *err, size_t errlen) {
    const launches_ctx *l = ctx;
    return aws_xml_failed_launches(x, body, len, l->t, l->n, err, errlen);
}

int aws_describe_failed_launches(aws_client *c, const char *name, int max, int64_t **t,
                                 size_t *n, aws_error *e) {
    const char *label = "autoscaling DescribeScalingActivities";
    char m[16];
    *t = NULL;
    *n = 0;
    snprintf(m, sizeof m, "%d", max);
    aws_buf p = {0};
    aws_buf_param(&p, "AutoScalingGroupName", name);
    aws_buf_param(&p, "MaxRecords", m);
    launches_ctx ctx = {t, n};
    int rc = request(c, AWS_AUTOSCALING, "DescribeScalingActivities", label, &p,
                     parse_launches, &ctx, "", e);
    if (rc) {
        free(*t);
        *t = NULL;
        *n = 0;
    }
    return rc ? -1 : 0;
}

int aws_set_desired(aws_client *c, const char *name, int desired,
                    int honor_cooldown, aws_error *e) {
    const char *label = "autoscaling SetDesiredCapacity";
    char n[16];
    snprintf(n, sizeof n, "%d", desired);
    aws_buf p = {0};
    aws_buf_param(&p, "AutoScalingGroupName", name);
    aws_buf_param(&p, "DesiredCapacity", n);
    aws_buf_param(&p, "HonorCooldown", honor_cooldown ? "true" : "false");
    return request(c, AWS_AUTOSCALING, "SetDesiredCapacity", label, &p,
                   parse_root, "SetDesiredCapacityResponse",
                   " (the change may have been applied)", e);
}

int aws_describe_fleet(aws_client *c, const char *id, aws_fleet *out,
                       aws_error *e) {
    const char *label = "ec2 DescribeSpotFleetRequests";
    aws_buf p = {0};
    aws_buf_param(&p, "SpotFleetRequestId.1", id);
    named_ctx ctx = {id, out};
    int rc = request(c, AWS_EC2, "DescribeSpotFleetRequests", label, &p,
                     parse_fleet, &ctx, "", e);
    if (rc > 0) set_error(c, e, "%s: no Spot Fleet request \"%s\"", label, id);
    return rc ? -1 : 0;
}
