/*
** lambda.c: the live controller as an AWS Lambda function on a custom
** runtime (provided.al2023): the Runtime API loop.
**
** Lambda starts the function's `bootstrap`, which must itself fetch each
** invocation: GET /2018-06-01/runtime/invocation/next blocks (no timeout:
** the sandbox is frozen between invocations, and the call returns when the
** next event comes), the answer's body is the event and its
** Lambda-Runtime-Aws-Request-Id header names the invocation. The result goes
** to .../invocation/ID/response, a failure to .../invocation/ID/error with a
** Lambda-Runtime-Function-Error-Type header, and a failure before the first
** invocation to /runtime/init/error.
**
** Here the event is the live config (live.json's object, validated the same
** way), so the EventBridge rule that invokes the function every minute
** carries exactly what was tuned; one invocation is one tick. An SNS
** notification (the PendingCapacity alarm's path) runs the default config
** the function was started with. A tick that failed (aws_tick_failed: any
** call failed, or the apply did) is posted as an error, so Lambda's Errors
** metric counts it; a bad event too, and the loop goes on with the next
** invocation.
*/
#include "aws_int.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "traces/traces.h"

#define RUNTIME_PATH "/2018-06-01/runtime"

/* A POST (a result, an error) to the Runtime API, which is local to the
** sandbox and answers at once: one that does not answer within this long
** fails, and the process exits for Lambda to start a new one, instead of
** hanging until the function's timeout. GET .../next has no total timeout
** (it waits for the next event), only the connection's. */
#define POST_TIMEOUT_MS 10000
#define CONNECT_TIMEOUT_MS 5000

/* Lambda-Runtime-Function-Error-Type values: Lambda takes any string and
** recommends Category.Reason. */
#define ERR_EVENT "Spotbench.InvalidEvent"
#define ERR_TICK "Spotbench.TickFailed"
#define ERR_MEMORY "Runtime.OutOfMemory"

static void logf_to(aws_log_fn log, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void logf_to(aws_log_fn log, void *ctx, const char *fmt, ...) {
    if (!log) return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log(ctx, msg);
}

/* {"errorMessage": msg, "errorType": type, "stackTrace": []}: the shape the
** Runtime API documents for both error paths. malloc'd; NULL on no memory. */
static char *error_json(const char *type, const char *msg) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "errorMessage", msg);
    cJSON_AddStringToObject(o, "errorType", type);
    cJSON_AddArrayToObject(o, "stackTrace");
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* One request to the Runtime API (plain http inside the sandbox, never
** signed, never through a proxy). `error_type` adds the
** Lambda-Runtime-Function-Error-Type header; a POST has POST_TIMEOUT_MS in
** all. Returns 0 with *resp filled, or -1 with a message. */
static int runtime_call(aws_curl *h, const char *api, const char *method,
                        const char *path, const char *body,
                        const char *error_type, aws_http_resp *resp,
                        char *err, size_t errlen) {
    char url[512], type_hdr[160];
    if (snprintf(url, sizeof url, "http://%s" RUNTIME_PATH "%s", api, path) >=
        (int)sizeof url) {
        snprintf(err, errlen, "Runtime API URL too long");
        return -1;
    }
    const char *headers[3] = {"Content-Type: application/json", NULL, NULL};
    if (error_type) {
        snprintf(type_hdr, sizeof type_hdr,
                 "Lambda-Runtime-Function-Error-Type: %s", error_type);
        headers[1] = type_hdr;
    }
    int post = strcmp(method, "POST") == 0;
    aws_http_req req = {method,  url,  body, body ? strlen(body) : 0, headers, NULL, NULL,
                        CONNECT_TIMEOUT_MS,
                        post ? POST_TIMEOUT_MS : 0 /* .../next waits for an event */, 1};
    char e2[AWS_ERR_MAX];
    if (aws_curl_transport(h, &req, resp, e2, sizeof e2)) {
        snprintf(err, errlen, "Runtime API %s %s: %s", method, path, e2);
        return -1;
    }
    return 0;
}

static void resp_free(aws_http_resp *r) {
    free(r->body);
    free(r->headers);
    r->body = r->headers = NULL;
}

/* POSTs a body and expects 202 Accepted. A 4xx (the id is unknown or the
** payload too large) is reported and the loop goes on; anything else
** (no answer, 500: "the runtime should exit") is fatal: -1. */
static int post(aws_curl *h, const aws_lambda_opts *o, const char *path,
                const char *body, const char *error_type, char *err,
                size_t errlen) {
    aws_http_resp r;
    if (runtime_call(h, o->runtime_api, "POST", path, body, error_type, &r,
                     err, errlen))
        return -1;
    long st = r.status;
    resp_free(&r);
    if (st == 202) return 0;
    snprintf(err, errlen, "Runtime API POST %s: HTTP %ld", path, st);
    if (st >= 400 && st < 500) {
        logf_to(o->errlog, o->log_ctx, "%s", err);
        return 0;
    }
    return -1;
}

int aws_lambda_init_error(const char *runtime_api, const char *type,
                          const char *msg, char *err, size_t errlen) {
    char *body = error_json(type, msg);
    if (!body) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    aws_lambda_opts o = {0};
    o.runtime_api = runtime_api;
    aws_curl *h = aws_curl_new(AWS_CURL_SONAME, err, errlen);
    int rc = h ? post(h, &o, "/init/error", body, type, err, errlen) : -1;
    aws_curl_free(h);
    free(body);
    return rc;
}

/* The tick's failures, one per line, for the error's message. */
static void failure_text(const aws_tick *t, char *out, size_t n) {
    size_t len = 0;
    out[0] = '\0';
    if (t->fetched == 0 && len < n)
        len += (size_t)snprintf(out + len, n - len,
                                "no call of the tick succeeded");
    for (size_t i = 0; i < t->nerrors && len < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "\n" : "",
                                t->errors[i]);
    if (t->outcome == AWS_OUT_FAILED && len < n)
        snprintf(out + len, n - len, "%sSetDesiredCapacity: %s",
                 len ? "\n" : "", t->outcome_msg);
}

/* An SNS notification: {"Records": [{"EventSource": "aws:sns", ...}]}. */
static int is_sns_event(const cJSON *ev) {
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(ev, "Records");
    const cJSON *r0 = cJSON_IsArray(recs) ? cJSON_GetArrayItem(recs, 0) : NULL;
    const cJSON *src = r0 ? cJSON_GetObjectItemCaseSensitive(r0, "EventSource")
                          : NULL;
    return cJSON_IsString(src) && strcmp(src->valuestring, "aws:sns") == 0;
}

/* The config an event asks for. */
static int event_config(const char *body, const aws_live_config *def,
                        aws_policy_open_fn open, aws_live_config *out, char *err,
                        size_t errlen) {
    cJSON *ev = cJSON_Parse(body);
    int sns = ev && is_sns_event(ev);
    cJSON_Delete(ev);
    if (sns) {
        if (!def) {
            snprintf(err, errlen,
                     "an SNS notification, but the function has no default "
                     "config (SPOTBENCH_LIVE_CONFIG) to run");
            return -1;
        }
        *out = *def;
        out->policy_owned = 0; /* the default's, kept across invocations */
        return 0;
    }
    char e2[AWS_ERR_MAX];
    if (aws_live_config_parse_with(body, open, NULL, out, e2, sizeof e2)) {
        snprintf(err, errlen, "event: %s", e2);
        return -1;
    }
    return 0;
}

/* A request id goes into a URL path: AWS's are UUIDs. */
static int id_ok(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One invocation: the event's config, a client for it, one tick, the
** answer. Returns 0, or -1 when the Runtime API failed. */
static int invoke(aws_curl *h, const aws_lambda_opts *o,
                  const aws_live_config *def, aws_evq *q, const char *id,
                  const char *event, int64_t now, char *err, size_t errlen) {
    char path[256], msg[4 * AWS_ERR_MAX];
    aws_live_config cfg;
    aws_client *client = NULL;
    const char *type = NULL;
    int have_cfg = 0;
    if (event_config(event, def, o->open_policy, &cfg, msg, sizeof msg)) {
        type = ERR_EVENT;
    } else if ((have_cfg = 1, pol_begin(cfg.policy, 0, &cfg.params, msg, sizeof msg))) {
        type = ERR_TICK; /* an external policy that failed already */
    } else {
        aws_opts ao;
        aws_live_client_opts(&cfg, &ao);
        /* -2: a library could not be loaded, nothing the event can fix. */
        int crc = aws_client_new(&ao, &client, msg, sizeof msg);
        if (crc) type = crc == -2 ? ERR_TICK : ERR_EVENT;
    }
    aws_tick t;
    int have_tick = 0;
    char *result = NULL;
    if (!type) {
        if (aws_live_tick_q(client, &cfg, cfg.queue_url[0] ? q : NULL, now, o->apply, &t)) {
            type = ERR_MEMORY;
            snprintf(msg, sizeof msg, "out of memory");
        } else {
            have_tick = 1;
            char line[2048];
            aws_tick_format(&t, line, sizeof line);
            for (size_t i = 0; i < t.nerrors; i++)
                logf_to(o->errlog, o->log_ctx, "%s", t.errors[i]);
            logf_to(o->log, o->log_ctx, "%s", line);
            if (aws_tick_failed(&t)) {
                type = ERR_TICK;
                failure_text(&t, msg, sizeof msg);
            } else if (!(result = aws_tick_json(&cfg, &t, o->apply, line))) {
                type = ERR_MEMORY;
                snprintf(msg, sizeof msg, "out of memory");
            }
        }
    }
    int rc;
    if (type) {
        logf_to(o->errlog, o->log_ctx, "invocation %s: %s: %s", id, type, msg);
        char *body = error_json(type, msg);
        snprintf(path, sizeof path, "/invocation/%s/error", id);
        rc = body ? post(h, o, path, body, type, err, errlen) : -1;
        if (!body) snprintf(err, errlen, "out of memory");
        free(body);
    } else {
        snprintf(path, sizeof path, "/invocation/%s/response", id);
        rc = post(h, o, path, result, NULL, err, errlen);
    }
    /* The queue's messages are deleted once the tick's answer is posted
    ** (its record): after a failed tick they come back (sqs.c). */
    if (have_tick && t.queue) {
        char qerr[AWS_ERR_MAX];
        if (aws_evq_done(client, q, !type && rc == 0, qerr, sizeof qerr))
            logf_to(o->errlog, o->log_ctx, "%s", qerr);
    }
    free(result);
    if (have_tick) aws_tick_free(&t);
    aws_client_free(client);
    if (have_cfg) aws_live_config_free(&cfg);
    return rc;
}

int aws_lambda_run(const aws_lambda_opts *o, char *err, size_t errlen) {
    if (!o->runtime_api || !*o->runtime_api) {
        snprintf(err, errlen, "AWS_LAMBDA_RUNTIME_API is not set (not "
                              "started by Lambda?)");
        return -1;
    }
    aws_live_config def;
    if (o->default_config) {
        char e2[AWS_ERR_MAX], msg[AWS_ERR_MAX + 64];
        if (aws_live_config_parse_with(o->default_config, o->open_policy, NULL, &def, e2,
                                       sizeof e2)) {
            snprintf(msg, sizeof msg, "SPOTBENCH_LIVE_CONFIG: %s", e2);
            char e3[AWS_ERR_MAX];
            if (aws_lambda_init_error(o->runtime_api, "Runtime.ConfigInvalid",
                                      msg, e3, sizeof e3))
                snprintf(err, errlen, "%s (and %s)", msg, e3);
            else
                snprintf(err, errlen, "%s", msg);
            return -2;
        }
    }
    aws_curl *h = aws_curl_new(AWS_CURL_SONAME, err, errlen);
    if (!h) {
        if (o->default_config) aws_live_config_free(&def);
        return -1;
    }
    /* The events received by this process's earlier invocations (a warm
    ** function keeps them; a cold start begins without). */
    aws_evq *q = aws_evq_new();
    if (!q) {
        aws_curl_free(h);
        if (o->default_config) aws_live_config_free(&def);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int64_t mono0 = mono_ms();
    int rc = 0;
    for (int n = 0; o->max_invocations == 0 || n < o->max_invocations; n++) {
        aws_http_resp r;
        if (runtime_call(h, o->runtime_api, "GET", "/invocation/next", NULL,
                         NULL, &r, err, errlen)) {
            rc = -1;
            break;
        }
        char id[128];
        if (r.status != 200) {
            snprintf(err, errlen, "Runtime API GET /invocation/next: HTTP %ld",
                     r.status);
            resp_free(&r);
            rc = -1;
            break;
        }
        if (!aws_http_header(r.headers, "Lambda-Runtime-Aws-Request-Id", id,
                             sizeof id) ||
            !id_ok(id)) {
            snprintf(err, errlen, "Runtime API GET /invocation/next: no valid "
                                  "Lambda-Runtime-Aws-Request-Id header");
            resp_free(&r);
            rc = -1;
            break;
        }
        int64_t now = o->fixed_now ? o->fixed_now + (mono_ms() - mono0) / 1000
                                   : (int64_t)time(NULL);
        rc = invoke(h, o, o->default_config ? &def : NULL, q, id, r.body, now,
                    err, errlen);
        resp_free(&r);
        if (rc) break;
    }
    aws_curl_free(h);
    aws_evq_free(q);
    if (o->default_config) aws_live_config_free(&def);
    return rc;
}
