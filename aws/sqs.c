/*
** sqs.c: the EventBridge events a live controller receives, as AWS users
** receive them: rules on the default event bus send every "EC2 Spot Instance
** Interruption Warning" and "EC2 Instance Rebalance Recommendation" (source
** aws.ec2) to an SQS queue (deploy/deploy.c writes them), and each tick drains
** the queue (ReceiveMessage, SQS's JSON protocol, SigV4 over the client's
** transport and retries).
**
** An event names one instance; the policy is given its capacity units: the
** WeightedCapacity of the instance's type in the fleet's launch
** specifications (or launch template overrides; 1 when none is given, as
** AWS counts), the type read from DescribeSpotFleetInstances; for a spot
** Auto Scaling group (SpotAutoScalingGroupName), the WeightedCapacity
** DescribeAutoScalingGroups gives each of its instances. An event for an
** instance the fleet does not hold (another fleet's, the on-demand
** group's) and a message that is no such event are counted as "other".
**
** SQS delivers a message at least once and in no promised order, and AWS
** emits the events "on a best effort basis": a duplicate (same event id as
** one seen within the last hour, or earlier in the look-back) is dropped, a
** reordered one is placed by the second it was received, a lost one is
** simply absent. A message is deleted only after the tick that received it
** worked and was recorded (aws_evq_done); after a failed tick it comes back
** once the queue's visibility timeout has passed, and is read again.
*/
#include "aws_int.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Event ids are remembered this long at least (or the look-back, when
** longer), to drop a message SQS delivers again. */
#define DEDUP_S 3600
/* A tick reads at most this many batches of 10 messages. */
#define MAX_BATCHES 20

typedef struct {
    char id[96]; /* the event's id */
    int kind;    /* pol_event_kind */
    double units;
    int64_t t;   /* the second it was first received */
    size_t seq;  /* in order of reception, for a stable sort */
} evrec;

typedef struct {
    char instance[32];
    double units;
} unitrec;

struct aws_evq {
    char url[512];        /* the queue these are from */
    evrec *ev;            /* retained events, in order of reception */
    size_t n, cap, seq;
    char **receipts;      /* the last tick's messages, to delete */
    size_t nrec, caprec;
    unitrec *units;       /* the fleet's instances as last described */
    size_t nunits;
    int64_t since;        /* the last tick that worked; INT64_MIN: none */
    int64_t tick_now;     /* the tick in flight */
};

aws_evq *aws_evq_new(void) {
    aws_evq *q = calloc(1, sizeof *q);
    if (q) q->since = INT64_MIN;
    return q;
}

static void drop_receipts(aws_evq *q) {
    for (size_t i = 0; i < q->nrec; i++) free(q->receipts[i]);
    q->nrec = 0;
}

void aws_evq_free(aws_evq *q) {
    if (!q) return;
    drop_receipts(q);
    free(q->receipts);
    free(q->ev);
    free(q->units);
    free(q);
}

static void tick_error(aws_tick *t, const char *msg) {
    if (t->nerrors < AWS_TICK_MAXERR)
        snprintf(t->errors[t->nerrors++], AWS_ERR_MAX, "%s", msg);
}

/* The URL the JSON protocol posts to: the queue URL's scheme and host. */
static void service_url(const char *queue, char *out, size_t n) {
    const char *p = strstr(queue, "://");
    p = p ? p + 3 : queue;
    size_t host = strcspn(p, "/?#");
    snprintf(out, n, "%.*s/", (int)(p - queue + host), queue);
}

/* One SQS call: `target` (ReceiveMessage, DeleteMessage) with the JSON
** body `req`. On success *out is the answer parsed (the caller frees). */
static int sqs_call(aws_client *c, const char *queue, const char *target, cJSON *req,
                    cJSON **out, aws_error *e) {
    char url[600], label[64], hdr[96];
    snprintf(label, sizeof label, "sqs %s", target);
    snprintf(hdr, sizeof hdr, "X-Amz-Target: AmazonSQS.%s", target);
    const char *headers[] = {"Content-Type: application/x-amz-json-1.0", hdr, NULL};
    service_url(queue, url, sizeof url);
    char *body = cJSON_PrintUnformatted(req);
    if (!body) {
        memset(e, 0, sizeof *e);
        snprintf(e->msg, sizeof e->msg, "%s: out of memory", label);
        return -1;
    }
    aws_http_resp r;
    int rc = aws_client_post(c, url, "sqs", headers, body, label, &r, e);
    free(body);
    if (rc) return -1;
    /* An answer without a result may come back empty. */
    *out = r.len ? cJSON_ParseWithLength(r.body, r.len) : cJSON_CreateObject();
    free(r.body);
    if (!*out || !cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        snprintf(e->msg, sizeof e->msg, "%s: the answer is not a JSON object", label);
        return -1;
    }
    return 0;
}

static int add_receipt(aws_evq *q, const char *handle) {
    if (q->nrec == q->caprec) {
        size_t c = q->caprec ? 2 * q->caprec : 16;
        char **r = realloc(q->receipts, c * sizeof *r);
        if (!r) return -1;
        q->receipts = r;
        q->caprec = c;
    }
    if (!(q->receipts[q->nrec] = aws_strdup(handle))) return -1;
    q->nrec++;
    return 0;
}

/* An event read from a message, not yet given units. */
typedef struct {
    char id[96];
    char instance[32];
    int kind;
} newev;

/* Reads a message body as an EventBridge event of the two detail-types.
** Returns 1 with *ev filled, 0 when it is something else. */
int aws_evq_parse_event(const char *body, char *id, size_t idn, char *instance,
                        size_t instn, int *kind) {
    cJSON *j = cJSON_Parse(body ? body : "");
    int ok = 0;
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(j, "source");
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(j, "detail-type");
    const cJSON *eid = cJSON_GetObjectItemCaseSensitive(j, "id");
    const cJSON *det = cJSON_GetObjectItemCaseSensitive(j, "detail");
    const cJSON *inst = cJSON_GetObjectItemCaseSensitive(det, "instance-id");
    if (cJSON_IsString(src) && strcmp(src->valuestring, "aws.ec2") == 0 &&
        cJSON_IsString(dt) && cJSON_IsString(eid) && eid->valuestring[0] &&
        cJSON_IsString(inst) && inst->valuestring[0]) {
        for (int k = 0; k < POL_NEVENTS; k++)
            if (strcmp(dt->valuestring, pol_event_detail_type((pol_event_kind)k)) == 0) {
                *kind = k;
                ok = aws_copy(id, idn, eid->valuestring) == 0 &&
                     aws_copy(instance, instn, inst->valuestring) == 0;
            }
    }
    cJSON_Delete(j);
    return ok;
}

static int seen(const aws_evq *q, const newev *fresh, size_t nfresh, const char *id) {
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->ev[i].id, id) == 0) return 1;
    for (size_t i = 0; i < nfresh; i++)
        if (strcmp(fresh[i].id, id) == 0) return 1;
    return 0;
}

/* The units of an instance of the fleet, or -1 when it is not one. */
static double units_of(const aws_evq *q, const char *instance) {
    for (size_t i = 0; i < q->nunits; i++)
        if (strcmp(q->units[i].instance, instance) == 0) return q->units[i].units;
    return -1;
}

/* ---- The fleet's instances and weights ---- */

typedef struct {
    char type[32];
    double weight;
} weightrec;

typedef struct {
    weightrec *w;
    size_t n, cap;
} weights;

typedef struct {
    unitrec *u;
    char (*type)[32];
    size_t n, cap;
} instances;

static int add_weight(void *ctx, const char *type, const char *weight) {
    weights *w = ctx;
    if (!type[0]) return 0;
    char *end;
    double v = weight[0] ? strtod(weight, &end) : 1;
    if (weight[0] && (*end || !(v > 0))) v = 1;
    if (w->n == w->cap) {
        size_t c = w->cap ? 2 * w->cap : 8;
        weightrec *r = realloc(w->w, c * sizeof *r);
        if (!r) return -1;
        w->w = r;
        w->cap = c;
    }
    snprintf(w->w[w->n].type, sizeof w->w[w->n].type, "%s", type);
    w->w[w->n++].weight = v;
    return 0;
}

static int add_instance(void *ctx, const char *id, const char *type) {
    instances *in = ctx;
    if (!id[0]) return 0;
    if (in->n == in->cap) {
        size_t c = in->cap ? 2 * in->cap : 16;
        unitrec *u = realloc(in->u, c * sizeof *u);
        if (!u) return -1;
        in->u = u;
        char(*t)[32] = realloc(in->type, c * sizeof *t);
        if (!t) return -1;
        in->type = t;
        in->cap = c;
    }
    snprintf(in->u[in->n].instance, sizeof in->u[in->n].instance, "%s", id);
    snprintf(in->type[in->n], sizeof in->type[in->n], "%s", type);
    in->u[in->n++].units = 1;
    return 0;
}

/* Reads an answer into fn's records; a message in e on failure. */
static int items(aws_client *c, const aws_http_resp *r, const char *label, const char *root,
                 const char *list, const char *a, const char *b, aws_xml_item_fn fn,
                 void *ctx, aws_error *e) {
    char err[AWS_ERR_MAX];
    if (aws_xml_items(aws_client_xml(c), r->body, r->len, root, list, a, b, fn, ctx, err,
                      sizeof err)) {
        snprintf(e->msg, sizeof e->msg, "%s: %.400s", label, err);
        return -1;
    }
    return 0;
}

/* An instance's own WeightedCapacity, when the answer gives one. */
static int set_instance_weight(void *ctx, const char *id, const char *weight) {
    instances *in = ctx;
    char *end;
    double v = weight[0] ? strtod(weight, &end) : 0;
    if (!weight[0] || *end || !(v > 0)) return 0;
    for (size_t i = 0; i < in->n; i++)
        if (strcmp(in->u[i].instance, id) == 0) in->u[i].units = v;
    return 0;
}

/* The spot group's instances with their units, replacing q->units: AWS
** lists each instance's WeightedCapacity; an instance listed without one
** takes its type's override's (MixedInstancesPolicy), else 1. Returns 0, or
** -1 with *e filled. */
static int describe_group_units(aws_client *c, const aws_live_config *cfg, aws_evq *q,
                                aws_error *e) {
    const char *label = "autoscaling DescribeAutoScalingGroups (spot group instances)";
    aws_buf p = {0};
    aws_buf_param(&p, "AutoScalingGroupNames.member.1", cfg->spot_group);
    aws_http_resp r;
    int bad = p.oom || aws_client_query(c, AWS_AUTOSCALING, "DescribeAutoScalingGroups",
                                        label, p.s, &r, e);
    if (p.oom) snprintf(e->msg, sizeof e->msg, "%s: out of memory", label);
    aws_buf_free(&p);
    if (bad) return -1;
    instances in = {0};
    weights w = {0};
    const char *root = "DescribeAutoScalingGroupsResponse";
    bad = items(c, &r, label, root, "Instances", "InstanceId", "InstanceType", add_instance,
                &in, e) ||
          items(c, &r, label, root, "Overrides", "InstanceType", "WeightedCapacity",
                add_weight, &w, e);
    for (size_t i = 0; !bad && i < in.n; i++)
        for (size_t k = 0; k < w.n; k++)
            if (strcmp(in.type[i], w.w[k].type) == 0) {
                in.u[i].units = w.w[k].weight;
                break;
            }
    if (!bad)
        bad = items(c, &r, label, root, "Instances", "InstanceId", "WeightedCapacity",
                    set_instance_weight, &in, e);
    free(r.body);
    free(in.type);
    free(w.w);
    if (bad) {
        free(in.u);
        return -1;
    }
    free(q->units);
    q->units = in.u;
    q->nunits = in.n;
    return 0;
}

/* Describes the fleet's instances (every page) and its weights, and
** replaces q->units. Returns 0, or -1 with *e filled. */
static int describe_units(aws_client *c, const aws_live_config *cfg, aws_evq *q,
                          aws_error *e) {
    if (cfg->spot_group[0]) return describe_group_units(c, cfg, q, e);
    instances in = {0};
    weights w = {0};
    int rc = -1;
    char token[1024] = "";
    for (int page = 0; page < 100; page++) {
        aws_buf p = {0};
        aws_buf_param(&p, "SpotFleetRequestId", cfg->fleet_id);
        if (token[0]) aws_buf_param(&p, "NextToken", token);
        aws_http_resp r;
        const char *label = "ec2 DescribeSpotFleetInstances";
        int bad = p.oom || aws_client_query(c, AWS_EC2, "DescribeSpotFleetInstances", label,
                                            p.s, &r, e);
        if (p.oom) snprintf(e->msg, sizeof e->msg, "%s: out of memory", label);
        aws_buf_free(&p);
        if (bad) goto out;
        const char *root = "DescribeSpotFleetInstancesResponse";
        /* nextToken is a child of the root: read through a one-item list. */
        token[0] = '\0';
        bad = items(c, &r, label, root, "activeInstanceSet", "instanceId", "instanceType",
                    add_instance, &in, e);
        if (!bad) {
            /* nextToken is a child of the root, not of a list: read as text
            ** (a token is letters, digits and =+/ only). */
            const char *nt = strstr(r.body ? r.body : "", "<nextToken>");
            if (nt) {
                nt += strlen("<nextToken>");
                size_t l = strcspn(nt, "<");
                if (l && l < sizeof token) snprintf(token, sizeof token, "%.*s", (int)l, nt);
            }
        }
        free(r.body);
        if (bad) goto out;
        if (!token[0]) break;
    }
    aws_buf p = {0};
    aws_buf_param(&p, "SpotFleetRequestId.1", cfg->fleet_id);
    aws_http_resp r;
    const char *label = "ec2 DescribeSpotFleetRequests";
    int bad = p.oom || aws_client_query(c, AWS_EC2, "DescribeSpotFleetRequests", label, p.s,
                                        &r, e);
    aws_buf_free(&p);
    if (bad) goto out;
    const char *root = "DescribeSpotFleetRequestsResponse";
    bad = items(c, &r, label, root, "launchSpecifications", "instanceType",
                "weightedCapacity", add_weight, &w, e) ||
          items(c, &r, label, root, "overrides", "instanceType", "weightedCapacity",
                add_weight, &w, e);
    free(r.body);
    if (bad) goto out;
    for (size_t i = 0; i < in.n; i++)
        for (size_t k = 0; k < w.n; k++)
            if (strcmp(in.type[i], w.w[k].type) == 0) {
                in.u[i].units = w.w[k].weight;
                break;
            }
    free(q->units);
    q->units = in.u;
    q->nunits = in.n;
    in.u = NULL;
    rc = 0;
out:
    free(in.u);
    free(in.type);
    free(w.w);
    return rc;
}

/* ---- A tick ---- */

static int keep_event(aws_evq *q, const newev *f, double units, int64_t now) {
    if (q->n == q->cap) {
        size_t c = q->cap ? 2 * q->cap : 16;
        evrec *r = realloc(q->ev, c * sizeof *r);
        if (!r) return -1;
        q->ev = r;
        q->cap = c;
    }
    evrec *r = &q->ev[q->n++];
    snprintf(r->id, sizeof r->id, "%s", f->id);
    r->kind = f->kind;
    r->units = units;
    r->t = now;
    r->seq = q->seq++;
    return 0;
}

static int cmp_ev(const void *a, const void *b) {
    const evrec *x = a, *y = b;
    if (x->t != y->t) return (x->t > y->t) - (x->t < y->t);
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Gives the policy the events received within the look-back. */
static int give(aws_evq *q, int64_t now, int64_t lookback, aws_tick *t) {
    if (q->n) qsort(q->ev, q->n, sizeof *q->ev, cmp_ev); /* (NULL, 0): undefined */
    t->obs.events.known = 1;
    t->obs.events.since = q->since;
    for (int k = 0; k < POL_NEVENTS; k++) {
        size_t n = 0;
        for (size_t i = 0; i < q->n; i++)
            n += q->ev[i].kind == k && q->ev[i].t >= now - lookback && q->ev[i].t <= now;
        if (!n) continue;
        if (!(t->evpts[k] = malloc(n * sizeof *t->evpts[k]))) return -1;
        n = 0;
        for (size_t i = 0; i < q->n; i++)
            if (q->ev[i].kind == k && q->ev[i].t >= now - lookback && q->ev[i].t <= now)
                t->evpts[k][n++] = (pol_point){q->ev[i].t, q->ev[i].units};
        t->obs.events.ev[k] = t->evpts[k];
        t->obs.events.n[k] = n;
    }
    return 0;
}

int aws_evq_poll(aws_client *c, const aws_live_config *cfg, aws_evq *q, int64_t now,
                 int64_t lookback, aws_tick *t) {
    t->queue = 1;
    if (strcmp(q->url, cfg->queue_url) != 0) { /* another queue: start over */
        drop_receipts(q);
        q->n = 0;
        q->nunits = 0;
        q->since = INT64_MIN;
        snprintf(q->url, sizeof q->url, "%s", cfg->queue_url);
    }
    drop_receipts(q);
    q->tick_now = now;
    /* Forget what neither the look-back nor the duplicate check reaches. */
    int64_t keep_from = now - (lookback > DEDUP_S ? lookback : DEDUP_S);
    size_t k = 0;
    for (size_t i = 0; i < q->n; i++)
        if (q->ev[i].t >= keep_from) q->ev[k++] = q->ev[i];
    q->n = k;

    newev *fresh = NULL;
    size_t nfresh = 0, capfresh = 0;
    char (*msgids)[128] = NULL; /* the messages received this tick */
    size_t nmsg = 0, capmsg = 0;
    int rc = 0, failed = 0;
    aws_error e;
    for (int batch = 0; batch < MAX_BATCHES && !failed; batch++) {
        cJSON *req = cJSON_CreateObject(), *ans = NULL;
        /* No WaitTimeSeconds: the queue's ReceiveMessageWaitTimeSeconds
        ** applies (the stack sets 1 s, long polling, which asks every
        ** server: a short poll samples some and may answer empty while
        ** messages wait). */
        if (!req || !cJSON_AddStringToObject(req, "QueueUrl", cfg->queue_url) ||
            !cJSON_AddNumberToObject(req, "MaxNumberOfMessages", 10)) {
            cJSON_Delete(req);
            rc = -1;
            break;
        }
        int bad = sqs_call(c, cfg->queue_url, "ReceiveMessage", req, &ans, &e);
        cJSON_Delete(req);
        if (bad) {
            tick_error(t, e.msg);
            failed = 1;
            break;
        }
        const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(ans, "Messages");
        int got = 0;
        const cJSON *m;
        cJSON_ArrayForEach(m, msgs) {
            const cJSON *mid = cJSON_GetObjectItemCaseSensitive(m, "MessageId");
            const cJSON *rh = cJSON_GetObjectItemCaseSensitive(m, "ReceiptHandle");
            const cJSON *body = cJSON_GetObjectItemCaseSensitive(m, "Body");
            if (!cJSON_IsString(mid) || !cJSON_IsString(rh)) continue;
            int again = 0;
            for (size_t i = 0; i < nmsg; i++)
                again |= strcmp(msgids[i], mid->valuestring) == 0;
            if (add_receipt(q, rh->valuestring)) {
                rc = -1;
                break;
            }
            if (again) continue; /* visible again within this tick */
            got = 1;
            if (nmsg == capmsg) {
                size_t cc = capmsg ? 2 * capmsg : 16;
                char(*r)[128] = realloc(msgids, cc * sizeof *r);
                if (!r) {
                    rc = -1;
                    break;
                }
                msgids = r;
                capmsg = cc;
            }
            snprintf(msgids[nmsg++], 128, "%s", mid->valuestring);
            newev f;
            if (!aws_evq_parse_event(cJSON_IsString(body) ? body->valuestring : "", f.id,
                                     sizeof f.id, f.instance, sizeof f.instance, &f.kind)) {
                t->ev_other++;
                continue;
            }
            if (seen(q, fresh, nfresh, f.id)) {
                t->ev_dup++;
                continue;
            }
            if (nfresh == capfresh) {
                size_t cc = capfresh ? 2 * capfresh : 8;
                newev *r = realloc(fresh, cc * sizeof *r);
                if (!r) {
                    rc = -1;
                    break;
                }
                fresh = r;
                capfresh = cc;
            }
            fresh[nfresh++] = f;
        }
        cJSON_Delete(ans);
        if (rc || !got) break;
    }
    /* Units: describe the fleet when an event names an instance not known. */
    int unknown = 0;
    for (size_t i = 0; i < nfresh; i++) unknown |= units_of(q, fresh[i].instance) < 0;
    if (!rc && !failed && unknown && describe_units(c, cfg, q, &e)) {
        tick_error(t, e.msg);
        failed = 1;
    }
    /* After a failed call the new events are not kept: their messages come
    ** back after the visibility timeout (the tick failed, none is deleted). */
    for (size_t i = 0; !rc && !failed && i < nfresh; i++) {
        double u = units_of(q, fresh[i].instance);
        if (u < 0) {
            t->ev_other++;
            continue;
        }
        if (keep_event(q, &fresh[i], u, now)) rc = -1;
        else t->ev_new[fresh[i].kind]++;
    }
    free(fresh);
    free(msgids);
    if (!rc) rc = give(q, now, lookback, t);
    return rc;
}

int aws_evq_done(aws_client *c, aws_evq *q, int used, char *err, size_t errlen) {
    int rc = 0;
    if (used) {
        q->since = q->tick_now;
        for (size_t i = 0; i < q->nrec; i++) {
            cJSON *req = cJSON_CreateObject(), *ans = NULL;
            aws_error e;
            if (!req || !cJSON_AddStringToObject(req, "QueueUrl", q->url) ||
                !cJSON_AddStringToObject(req, "ReceiptHandle", q->receipts[i])) {
                cJSON_Delete(req);
                snprintf(err, errlen, "sqs DeleteMessage: out of memory");
                rc = -1;
                break;
            }
            if (sqs_call(c, q->url, "DeleteMessage", req, &ans, &e)) {
                if (!rc) snprintf(err, errlen, "%s", e.msg);
                rc = -1;
            }
            cJSON_Delete(req);
            cJSON_Delete(ans);
        }
    }
    drop_receipts(q);
    return rc;
}
