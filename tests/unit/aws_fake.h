/*
** aws_fake.h: a scripted stand-in for the HTTP transport of aws/, canned AWS
** responses, and a clean environment for the aws unit tests. Header-only
** because each test binary is one file.
**
** The fake never touches the network: every request, including those to the
** instance metadata or container credential endpoints, is answered from the
** rules a test sets up, and recorded for the test to inspect.
*/
#ifndef SPOTBENCH_AWS_FAKE_H
#define SPOTBENCH_AWS_FAKE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/aws_int.h" /* white-box: the module's internals too */

/* The SigV4 test suite's example credentials, as the fake AWS uses. */
#define FK_AK "AKIDEXAMPLE"
#define FK_SK "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define FK_TOKEN "FQoGZXIvYXdzEXAMPLETOKEN+with/slashes=="

#define FK_MAXRULES 32
#define FK_MAXREQS 64

typedef struct {
    const char *match; /* substring of "METHOD URL\nBODY"; NULL matches all */
    long status;       /* 0: a transport failure of kind `net` */
    aws_net_status net;
    const char *body;
    int count;         /* times it applies; -1 always */
} fk_rule;

typedef struct {
    char method[8];
    char url[256];
    char body[1024];
    char headers[1024];  /* "Name: value\n" each */
    char sigv4[128];
    int signed_with_token;
    char access_key[64]; /* which key signed it */
} fk_req;

typedef struct {
    fk_rule rules[FK_MAXRULES];
    size_t nrules;
    fk_req reqs[FK_MAXREQS];
    size_t nreqs;
} fk_fake;

static inline void fk_rule_add(fk_fake *f, const char *match, long status,
                               const char *body, int count) {
    fk_rule r = {match, status, AWS_NET_OK, body, count};
    f->rules[f->nrules++] = r;
}

static inline void fk_fail_add(fk_fake *f, const char *match,
                               aws_net_status net, int count) {
    fk_rule r = {match, 0, net, NULL, count};
    f->rules[f->nrules++] = r;
}

/* Requests whose text contains `match`. */
static inline int fk_count(const fk_fake *f, const char *match) {
    int n = 0;
    for (size_t i = 0; i < f->nreqs; i++) {
        char text[1400];
        snprintf(text, sizeof text, "%s %s\n%s", f->reqs[i].method,
                 f->reqs[i].url, f->reqs[i].body);
        if (strstr(text, match)) n++;
    }
    return n;
}

static inline int fk_transport(void *ctx, const aws_http_req *req,
                               aws_http_resp *resp, char *err, size_t errlen) {
    fk_fake *f = ctx;
    memset(resp, 0, sizeof *resp);
    if (f->nreqs < FK_MAXREQS) {
        fk_req *r = &f->reqs[f->nreqs++];
        memset(r, 0, sizeof *r);
        snprintf(r->method, sizeof r->method, "%s", req->method);
        snprintf(r->url, sizeof r->url, "%s", req->url);
        if (req->body)
            snprintf(r->body, sizeof r->body, "%.*s", (int)req->body_len,
                     req->body);
        size_t l = 0;
        for (const char *const *h = req->headers; h && *h; h++) {
            int k = snprintf(r->headers + l, sizeof r->headers - l, "%s\n", *h);
            if (k > 0 && (size_t)k < sizeof r->headers - l) l += (size_t)k;
        }
        if (req->sigv4) snprintf(r->sigv4, sizeof r->sigv4, "%s", req->sigv4);
        if (req->creds) {
            r->signed_with_token = req->creds->token != NULL;
            snprintf(r->access_key, sizeof r->access_key, "%s",
                     req->creds->access_key);
        }
    }
    char text[1400];
    snprintf(text, sizeof text, "%s %s\n%.*s", req->method, req->url,
             req->body ? (int)req->body_len : 0, req->body ? req->body : "");
    for (size_t i = 0; i < f->nrules; i++) {
        fk_rule *r = &f->rules[i];
        if (r->count == 0 || (r->match && !strstr(text, r->match))) continue;
        if (r->count > 0) r->count--;
        if (r->status == 0) {
            resp->net = r->net;
            snprintf(err, errlen, "fake transport failure");
            return -1;
        }
        resp->net = AWS_NET_OK;
        resp->status = r->status;
        resp->len = strlen(r->body);
        resp->body = malloc(resp->len + 1);
        memcpy(resp->body, r->body, resp->len + 1);
        return 0;
    }
    resp->net = AWS_NET_OK;
    resp->status = 404;
    resp->body = malloc(1);
    resp->body[0] = '\0';
    return 0;
}

/* Sleeps are recorded, not slept. */
typedef struct {
    long ms[16];
    int n;
} fk_sleeps;

static inline void fk_sleep(void *ctx, long ms) {
    fk_sleeps *s = ctx;
    if (s->n < 16) s->ms[s->n] = ms;
    s->n++;
}

/* Log lines are collected into one string. */
typedef struct {
    char text[65536];
    size_t len;
} fk_log;

static inline void fk_logger(void *ctx, const char *msg) {
    fk_log *l = ctx;
    int k = snprintf(l->text + l->len, sizeof l->text - l->len, "%s\n", msg);
    if (k > 0 && (size_t)k < sizeof l->text - l->len) l->len += (size_t)k;
}

/* A scratch HOME with no .aws, and none of the AWS variables the code reads:
** the tests must not see the developer's credentials, and nothing may reach
** for the real instance metadata service. Returns the scratch folder. */
static inline const char *fk_clean_env(void) {
    static const char *const vars[] = {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CONFIG_FILE", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDWATCH",
        "AWS_ENDPOINT_URL_AUTO_SCALING", "AWS_ENDPOINT_URL_EC2",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "SPOTBENCH_RETRY_SCALE",
        NULL};
    for (const char *const *v = vars; *v; v++) unsetenv(*v);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    static char home[64];
    if (!home[0]) {
        snprintf(home, sizeof home, "/tmp/spotbench-aws-test-XXXXXX");
        if (!mkdtemp(home)) abort();
    }
    setenv("HOME", home, 1);
    return home;
}

/* Removes the scratch HOME and the files the tests put in it. For a group
** teardown. */
static inline int fk_remove_home(void **st) {
    (void)st;
    const char *home = getenv("HOME");
    if (!home || strncmp(home, "/tmp/spotbench-aws-test-", 24) != 0) return 0;
    const char *files[] = {".aws/credentials", ".aws/config",
                           ".aws/credentials.moved", "token", "live.json",
                           ".aws", ""};
    char path[300];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", home, files[i]);
        if (unlink(path) != 0) rmdir(path);
    }
    return 0;
}

/* Writes a file under the scratch HOME; returns its path (static buffer
** per call site is the caller's business: copy it if needed). */
static inline void fk_write(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) abort();
    fputs(text, f);
    fclose(f);
}

/* ---- Canned responses, in the shapes the APIs document ---- */

#define FK_METRIC_XML                                                         \
    "<GetMetricStatisticsResponse "                                           \
    "xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">\n"            \
    "  <GetMetricStatisticsResult>\n"                                         \
    "    <Datapoints>\n"                                                      \
    "      <member><Timestamp>2017-03-01T11:59:00Z</Timestamp>"               \
    "<Maximum>8.0</Maximum><Unit>Count</Unit></member>\n"                     \
    "      <member><Timestamp>2017-03-01T11:57:00Z</Timestamp>"               \
    "<Maximum>4.0</Maximum><Unit>Count</Unit></member>\n"                     \
    "      <member><Timestamp>2017-03-01T11:58:00.000Z</Timestamp>"           \
    "<Unit>Count</Unit><Maximum>6</Maximum></member>\n"                       \
    "    </Datapoints>\n"                                                     \
    "    <Label>PendingCapacity</Label>\n"                                    \
    "  </GetMetricStatisticsResult>\n"                                        \
    "  <ResponseMetadata><RequestId>a1</RequestId></ResponseMetadata>\n"      \
    "</GetMetricStatisticsResponse>\n"

#define FK_METRIC_EMPTY_XML                                                   \
    "<GetMetricStatisticsResponse "                                           \
    "xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"              \
    "<GetMetricStatisticsResult><Datapoints/><Label>TerminatingCapacity"      \
    "</Label></GetMetricStatisticsResult></GetMetricStatisticsResponse>"

/* TargetCapacity steady at 32 over the classic policy's 10-minute window. */
#define FK_TARGET_XML                                                         \
    "<GetMetricStatisticsResponse "                                           \
    "xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"              \
    "<GetMetricStatisticsResult><Datapoints>"                                 \
    "<member><Timestamp>2017-03-01T11:59:00Z</Timestamp><Maximum>32.0"        \
    "</Maximum></member>"                                                     \
    "<member><Timestamp>2017-03-01T11:50:00Z</Timestamp><Maximum>32.0"        \
    "</Maximum></member>"                                                     \
    "</Datapoints><Label>TargetCapacity</Label></GetMetricStatisticsResult>"  \
    "</GetMetricStatisticsResponse>"

#define FK_ASG_XML                                                            \
    "<DescribeAutoScalingGroupsResponse "                                     \
    "xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">\n"           \
    "<DescribeAutoScalingGroupsResult><AutoScalingGroups>\n"                  \
    " <member>\n"                                                             \
    "  <AutoScalingGroupName>ecsDemandBackupGroup</AutoScalingGroupName>\n"   \
    "  <AutoScalingGroupARN>arn:aws:autoscaling:us-east-1:123456789012:"      \
    "autoScalingGroup:uuid:autoScalingGroupName/ecsDemandBackupGroup"         \
    "</AutoScalingGroupARN>\n"                                                \
    "  <MinSize>0</MinSize><MaxSize>200</MaxSize>\n"                          \
    "  <DesiredCapacity>3</DesiredCapacity><DefaultCooldown>300"              \
    "</DefaultCooldown>\n"                                                    \
    "  <Instances>\n"                                                         \
    "   <member><InstanceId>i-1</InstanceId><LifecycleState>InService"        \
    "</LifecycleState><HealthStatus>Healthy</HealthStatus></member>\n"        \
    "   <member><InstanceId>i-2</InstanceId><LifecycleState>InService"        \
    "</LifecycleState><HealthStatus>Healthy</HealthStatus></member>\n"        \
    "   <member><InstanceId>i-3</InstanceId><LifecycleState>Pending"          \
    "</LifecycleState><HealthStatus>Healthy</HealthStatus></member>\n"        \
    "  </Instances>\n"                                                        \
    "  <Tags><member><Key>LifecycleState</Key><Value>InService</Value>"       \
    "</member></Tags>\n"                                                      \
    " </member>\n"                                                            \
    "</AutoScalingGroups></DescribeAutoScalingGroupsResult>\n"                \
    "<ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata>\n"        \
    "</DescribeAutoScalingGroupsResponse>\n"

#define FK_ASG_NONE_XML                                                       \
    "<DescribeAutoScalingGroupsResponse "                                     \
    "xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"             \
    "<DescribeAutoScalingGroupsResult><AutoScalingGroups/>"                   \
    "</DescribeAutoScalingGroupsResult></DescribeAutoScalingGroupsResponse>"

#define FK_SET_XML                                                            \
    "<SetDesiredCapacityResponse "                                            \
    "xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"             \
    "<ResponseMetadata><RequestId>r3</RequestId></ResponseMetadata>"          \
    "</SetDesiredCapacityResponse>"

#define FK_FLEET_XML                                                          \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                            \
    "<DescribeSpotFleetRequestsResponse "                                     \
    "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"                   \
    "  <requestId>4d6d2a5c-example</requestId>\n"                             \
    "  <spotFleetRequestConfigSet>\n"                                         \
    "    <item>\n"                                                            \
    "      <spotFleetRequestId>sfr-other</spotFleetRequestId>\n"              \
    "      <spotFleetRequestState>cancelled</spotFleetRequestState>\n"        \
    "      <spotFleetRequestConfig><targetCapacity>1</targetCapacity>"        \
    "</spotFleetRequestConfig>\n"                                             \
    "    </item>\n"                                                           \
    "    <item>\n"                                                            \
    "      <spotFleetRequestId>sfr-123</spotFleetRequestId>\n"                \
    "      <spotFleetRequestState>active</spotFleetRequestState>\n"           \
    "      <spotFleetRequestConfig>\n"                                        \
    "        <allocationStrategy>lowestPrice</allocationStrategy>\n"          \
    "        <targetCapacity>32</targetCapacity>\n"                           \
    "        <fulfilledCapacity>24.0</fulfilledCapacity>\n"                   \
    "      </spotFleetRequestConfig>\n"                                       \
    "      <activityStatus>pending_fulfillment</activityStatus>\n"            \
    "      <createTime>2017-03-01T10:00:00.000Z</createTime>\n"               \
    "    </item>\n"                                                           \
    "  </spotFleetRequestConfigSet>\n"                                        \
    "</DescribeSpotFleetRequestsResponse>\n"

#define FK_ERR_XML(code, msg)                                                 \
    "<ErrorResponse xmlns=\"http://autoscaling.amazonaws.com/doc/"            \
    "2011-01-01/\"><Error><Type>Sender</Type><Code>" code "</Code>"           \
    "<Message>" msg "</Message></Error><RequestId>req-42</RequestId>"         \
    "</ErrorResponse>"

#define FK_EC2_ERR_XML(code, msg)                                             \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"   \
    "<Code>" code "</Code><Message>" msg "</Message></Error></Errors>"        \
    "<RequestID>ec2-req-7</RequestID></Response>"

#endif
