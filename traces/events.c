/*
** events.c: recorded EventBridge events (JSON) into direct mode's events
** CSV (events.h has the rules).
*/
#include "events.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "traces/traces.h"

/* Adds one event document. Returns 0, or -1 with a message. */
static int add_event(trc_events *e, const cJSON *j, const char *where, char *err,
                     size_t errlen) {
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(j, "source");
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(j, "detail-type");
    int kind = -1;
    for (int k = 0; cJSON_IsString(dt) && k < POL_NEVENTS; k++)
        if (strcmp(dt->valuestring, pol_event_detail_type((pol_event_kind)k)) == 0) kind = k;
    if (!cJSON_IsString(src) || strcmp(src->valuestring, "aws.ec2") != 0 || kind < 0) {
        e->other++;
        return 0;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
    const cJSON *tm = cJSON_GetObjectItemCaseSensitive(j, "time");
    const cJSON *inst = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "detail"), "instance-id");
    int64_t t;
    if (!cJSON_IsString(id) || !id->valuestring[0] || strlen(id->valuestring) >= 96) {
        snprintf(err, errlen, "%s: id: missing or not a string of 1-95 characters", where);
        return -1;
    }
    if (!cJSON_IsString(tm) || trc_time_parse(tm->valuestring, &t)) {
        snprintf(err, errlen, "%s: time: missing or not an ISO-8601 UTC time", where);
        return -1;
    }
    int inst_ok = cJSON_IsString(inst) && inst->valuestring[0] && strlen(inst->valuestring) < 32;
    for (const char *c = inst_ok ? inst->valuestring : ""; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-')) inst_ok = 0;
    if (!inst_ok) {
        snprintf(err, errlen, "%s: detail.instance-id: missing or not an instance id", where);
        return -1;
    }
    e->read++;
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->ev[i].id, id->valuestring) == 0) {
            e->dup++;
            return 0;
        }
    if (e->n == e->cap) {
        size_t c = e->cap ? 2 * e->cap : 64;
        trc_event *p = realloc(e->ev, c * sizeof *p);
        if (!p) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        e->ev = p;
        e->cap = c;
    }
    trc_event *v = &e->ev[e->n];
    v->t = t;
    v->kind = kind;
    v->seq = e->n;
    snprintf(v->id, sizeof v->id, "%s", id->valuestring);
    snprintf(v->instance, sizeof v->instance, "%s", inst->valuestring);
    e->n++;
    return 0;
}

int trc_events_add(trc_events *e, const char *file, const char *text, char *err,
                   size_t errlen) {
    const char *p = text;
    for (size_t doc = 1;; doc++) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
        if (!*p) return 0;
        const char *end = NULL;
        cJSON *j = cJSON_ParseWithOpts(p, &end, 0);
        char where[600];
        snprintf(where, sizeof where, "%s: document %zu", file, doc);
        if (!j || !cJSON_IsObject(j)) {
            cJSON_Delete(j);
            snprintf(err, errlen, "%s: not a JSON object", where);
            return -1;
        }
        int rc = 0;
        const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(j, "Messages");
        if (cJSON_IsArray(msgs)) { /* a queue dump: each message's Body */
            const cJSON *m;
            size_t k = 0;
            cJSON_ArrayForEach(m, msgs) {
                const cJSON *b = cJSON_GetObjectItemCaseSensitive(m, "Body");
                cJSON *ev = cJSON_IsString(b) ? cJSON_Parse(b->valuestring) : NULL;
                char w2[700];
                snprintf(w2, sizeof w2, "%s: Messages[%zu].Body", where, k++);
                if (cJSON_IsObject(ev)) rc = add_event(e, ev, w2, err, errlen);
                else e->other++;
                cJSON_Delete(ev);
                if (rc) break;
            }
        } else {
            rc = add_event(e, j, where, err, errlen);
        }
        cJSON_Delete(j);
        if (rc) return -1;
        p = end;
    }
}

static int cmp_event(const void *a, const void *b) {
    const trc_event *x = a, *y = b;
    if (x->t != y->t) return (x->t > y->t) - (x->t < y->t);
    return (x->seq > y->seq) - (x->seq < y->seq);
}

void trc_events_finish(trc_events *e) {
    if (e->n) qsort(e->ev, e->n, sizeof *e->ev, cmp_event);
}

int trc_events_write_csv(const trc_events *e, double units, FILE *f) {
    char u[64];
    snprintf(u, sizeof u, "%.17g", units);
    /* The shortest spelling that reads back the same. */
    for (int prec = 1; prec <= 17; prec++) {
        char b[64];
        snprintf(b, sizeof b, "%.*g", prec, units);
        if (strtod(b, NULL) == units) {
            snprintf(u, sizeof u, "%s", b);
            break;
        }
    }
    int bad = fprintf(f, "Timestamp,DetailType,InstanceId,Units\n") < 0;
    for (size_t i = 0; i < e->n && !bad; i++) {
        char ts[32];
        trc_time_format(e->ev[i].t, ts, sizeof ts);
        bad = fprintf(f, "%s,%s,%s,%s\n", ts, pol_event_detail_type(e->ev[i].kind),
                      e->ev[i].instance, u) < 0;
    }
    return bad ? -1 : 0;
}

void trc_events_free(trc_events *e) {
    free(e->ev);
    memset(e, 0, sizeof *e);
}
