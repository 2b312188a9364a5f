/*
** xml.c: reading the XML that the Query APIs answer with (libxml2).
**
** Elements are matched on their local names only: AWS puts every response in
** a namespace that differs by service and has changed over the years
** (http:// vs https://, with or without a trailing slash), and the names
** themselves are what the API documents. Parsing never touches the network,
** refuses documents with a DTD (no entity tricks), and keeps libxml2 from
** printing anything.
**
** libxml2 is not linked: aws_xml_open() loads it (dl.c) and every reader
** calls it through the table it fills. Node fields are plain struct reads.
*/
#include "aws_int.h"

#include <cjson/cJSON.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/traces.h"

/* The Debian package of libxml2.so.2, named when it cannot be loaded. */
#define PACKAGE "libxml2"

struct aws_xml {
    void *so;
    __typeof__(xmlReadMemory) *read_memory;
    __typeof__(xmlDocGetRootElement) *root;
    __typeof__(xmlNodeGetContent) *content;
    __typeof__(xmlFreeDoc) *free_doc;
    /* xmlFree is a variable in libxml2 (the deallocator in use, which
    ** xmlMemSetup may change): its address, read at each call. */
    xmlFreeFunc *free_fn;
};

aws_xml *aws_xml_open(const char *soname, char *err, size_t errlen) {
    aws_xml *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!(x->so = aws_dl_open(soname, PACKAGE, err, errlen))) goto fail;
#define SYM(field, name)                                                     \
    if (!AWS_DL_SYM(x, field, name, soname, PACKAGE, err, errlen)) goto fail;
    SYM(read_memory, "xmlReadMemory")
    SYM(root, "xmlDocGetRootElement")
    SYM(content, "xmlNodeGetContent")
    SYM(free_doc, "xmlFreeDoc")
    SYM(free_fn, "xmlFree")
#undef SYM
    return x;
fail:
    aws_xml_close(x);
    return NULL;
}

void aws_xml_close(aws_xml *x) {
    if (!x) return;
    aws_dl_close(x->so);
    free(x);
}

static xmlDocPtr parse(const aws_xml *x, const char *xml, size_t len, char *err,
                       size_t errlen) {
    if (!xml || len == 0) {
        snprintf(err, errlen, "empty response");
        return NULL;
    }
    if (len > INT_MAX) {
        snprintf(err, errlen, "response too large");
        return NULL;
    }
    xmlDocPtr d = x->read_memory(xml, (int)len, "response.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                    XML_PARSE_NOWARNING);
    if (!d) {
        snprintf(err, errlen, "malformed XML in the response");
        return NULL;
    }
    if (d->intSubset || d->extSubset) {
        x->free_doc(d);
        snprintf(err, errlen, "XML response with a DTD refused");
        return NULL;
    }
    if (!x->root(d)) {
        x->free_doc(d);
        snprintf(err, errlen, "XML response without a root element");
        return NULL;
    }
    return d;
}

static int named(xmlNodePtr n, const char *name) {
    return n && n->type == XML_ELEMENT_NODE &&
           strcmp((const char *)n->name, name) == 0;
}

/* The first element child of n called name, or NULL. */
static xmlNodePtr child(xmlNodePtr n, const char *name) {
    if (!n) return NULL;
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (named(c, name)) return c;
    return NULL;
}

/* The next sibling element of n called name, or NULL. */
static xmlNodePtr next_named(xmlNodePtr n, const char *name) {
    for (n = n ? n->next : NULL; n; n = n->next)
        if (named(n, name)) return n;
    return NULL;
}

/* The text of n, white space trimmed, into out. Returns 0, or -1 when n is
** NULL or the text does not fit. */
static int text(const aws_xml *x, xmlNodePtr n, char *out, size_t outn) {
    if (!n) return -1;
    xmlChar *c = x->content(n);
    if (!c) return -1;
    const char *s = (const char *)c;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
    size_t l = strlen(s);
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\n' ||
                 s[l - 1] == '\r'))
        l--;
    int rc = 0;
    if (l >= outn) {
        l = outn ? outn - 1 : 0;
        rc = -1;
    }
    if (outn) {
        memcpy(out, s, l);
        out[l] = '\0';
    }
    (*x->free_fn)(c);
    return rc;
}

/* A child's text; "" when absent. Messages are truncated rather than
** refused. */
static void child_text(const aws_xml *x, xmlNodePtr n, const char *name,
                       char *out, size_t outn) {
    if (outn) out[0] = '\0';
    xmlNodePtr c = child(n, name);
    if (c) text(x, c, out, outn);
}

static int parse_int(const aws_xml *x, xmlNodePtr n, int *out) {
    char buf[32], *end;
    if (text(x, n, buf, sizeof buf) || !buf[0]) return -1;
    long v = strtol(buf, &end, 10);
    if (*end || v < INT_MIN || v > INT_MAX) return -1;
    *out = (int)v;
    return 0;
}

static int parse_double(const aws_xml *x, xmlNodePtr n, double *out) {
    char buf[64], *end;
    if (text(x, n, buf, sizeof buf) || !buf[0]) return -1;
    double v = strtod(buf, &end);
    if (*end || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

static xmlNodePtr root_named(const aws_xml *x, xmlDocPtr d,
                             const char *name, char *err, size_t errlen) {
    xmlNodePtr r = x->root(d);
    if (!named(r, name)) {
        snprintf(err, errlen, "unexpected response: <%.60s> where <%s> was "
                              "expected",
                 (const char *)r->name, name);
        return NULL;
    }
    return r;
}

/* The first element called `name` in n's subtree, depth first (n itself
** included), or NULL. */
static xmlNodePtr find(xmlNodePtr n, const char *name) {
    for (; n; n = n->next) {
        if (named(n, name)) return n;
        if (n->type == XML_ELEMENT_NODE) {
            xmlNodePtr f = find(n->children, name);
            if (f) return f;
        }
    }
    return NULL;
}

/* The first <Error> with a <Code> child anywhere in the document. This one
** rule reads every shape in use: Query services' ErrorResponse/Error, EC2's
** Response/Errors/Error, moto's ErrorResponse/Errors/Error (its IAM denials
** among them), and a bare Error (S3 and REST-XML services). */
static xmlNodePtr find_error(xmlNodePtr n) {
    for (; n; n = n->next) {
        if (named(n, "Error") && child(n, "Code")) return n;
        if (n->type == XML_ELEMENT_NODE) {
            xmlNodePtr f = find_error(n->children);
            if (f) return f;
        }
    }
    return NULL;
}

static int xml_error(const aws_xml *x, const char *body, size_t len,
                     aws_err_doc *out) {
    char e[64];
    xmlDocPtr d = parse(x, body, len, e, sizeof e);
    if (!d) return 0;
    xmlNodePtr r = x->root(d), er = find_error(r);
    if (er) {
        child_text(x, er, "Code", out->code, sizeof out->code);
        child_text(x, er, "Message", out->message, sizeof out->message);
        xmlNodePtr rid = find(er, "RequestId");
        if (!rid) rid = find(r, "RequestId");
        if (!rid) rid = find(r, "RequestID");
        if (rid) text(x, rid, out->request_id, sizeof out->request_id);
    }
    x->free_doc(d);
    return out->code[0] != '\0';
}

/* AWS's JSON protocols: {"__type": "[prefix#]Code", "message": ...}
** ("Message" in some services; moto's JSON errors too). */
static int json_error(const char *body, size_t len, aws_err_doc *out) {
    cJSON *j = cJSON_ParseWithLength(body, len);
    if (!j) return 0;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "__type");
    if (!cJSON_IsString(t)) t = cJSON_GetObjectItemCaseSensitive(j, "code");
    if (cJSON_IsString(t)) {
        const char *c = strrchr(t->valuestring, '#');
        aws_copy(out->code, sizeof out->code, c ? c + 1 : t->valuestring);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
        if (!cJSON_IsString(m)) m = cJSON_GetObjectItemCaseSensitive(j, "Message");
        if (cJSON_IsString(m))
            aws_copy(out->message, sizeof out->message, m->valuestring);
    }
    cJSON_Delete(j);
    return out->code[0] != '\0';
}

int aws_error_parse(const aws_xml *x, const char *body, size_t len,
                    const char *headers, aws_err_doc *out) {
    memset(out, 0, sizeof *out);
    int found = body && len && (xml_error(x, body, len, out) ||
                                json_error(body, len, out));
    if (headers) {
        char h[256];
        if (!out->request_id[0] &&
            (aws_http_header(headers, "x-amzn-RequestId", h, sizeof h) ||
             aws_http_header(headers, "x-amz-request-id", h, sizeof h)))
            aws_copy(out->request_id, sizeof out->request_id, h);
        /* "Code:http://internal.amazon.com/coral/..." or just "Code": what
        ** is left when the body is an HTML page or empty. */
        if (!found &&
            aws_http_header(headers, "x-amzn-ErrorType", h, sizeof h)) {
            h[strcspn(h, ":")] = '\0';
            if (h[0] && strcmp(h, "UnknownError") != 0) {
                aws_copy(out->code, sizeof out->code, h);
                found = 1;
            }
        }
    }
    return found;
}

/* The <ACTIONResult> of an <ACTIONResponse> (the Query APIs' shape), or
** NULL with a message. */
static xmlNodePtr result_of(const aws_xml *x, xmlDocPtr d, const char *action, char *err,
                            size_t errlen) {
    char name[96];
    snprintf(name, sizeof name, "%sResponse", action);
    xmlNodePtr r = root_named(x, d, name, err, errlen);
    if (!r) return NULL;
    snprintf(name, sizeof name, "%sResult", action);
    xmlNodePtr res = child(r, name);
    if (!res) snprintf(err, errlen, "response lacks %s", name);
    return res;
}

static int cmp_point(const void *a, const void *b) {
    const pol_point *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

int aws_xml_metric(const aws_xml *x, const char *xml, size_t len,
                   pol_point **pts, size_t *n, char *err, size_t errlen) {
    *pts = NULL;
    *n = 0;
    xmlDocPtr d = parse(x, xml, len, err, errlen);
    if (!d) return -1;
    int rc = -1;
    pol_point *p = NULL;
    xmlNodePtr res = result_of(x, d, "GetMetricStatistics", err, errlen);
    if (!res) goto out;
    xmlNodePtr dps = child(res, "Datapoints");
    size_t count = 0;
    for (xmlNodePtr m = child(dps, "member"); m; m = next_named(m, "member"))
        count++;
    if (count) {
        p = malloc(count * sizeof *p);
        if (!p) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
    }
    size_t i = 0;
    for (xmlNodePtr m = child(dps, "member"); m;
         m = next_named(m, "member"), i++) {
        char ts[64];
        if (text(x, child(m, "Timestamp"), ts, sizeof ts) ||
            trc_time_parse(ts, &p[i].t)) {
            snprintf(err, errlen, "datapoint %zu: missing or bad Timestamp",
                     i + 1);
            goto out;
        }
        if (parse_double(x, child(m, "Maximum"), &p[i].v) || p[i].v < 0) {
            snprintf(err, errlen,
                     "datapoint %zu (%s): missing or bad Maximum", i + 1, ts);
            goto out;
        }
    }
    /* CloudWatch returns datapoints in no particular order. */
    if (count) qsort(p, count, sizeof *p, cmp_point);
    for (i = 1; i < count; i++)
        if (p[i].t == p[i - 1].t) {
            char ts[32];
            trc_time_format(p[i].t, ts, sizeof ts);
            snprintf(err, errlen, "two datapoints with Timestamp %s", ts);
            goto out;
        }
    *pts = p;
    *n = count;
    p = NULL;
    rc = 0;
out:
    free(p);
    x->free_doc(d);
    return rc;
}

int aws_xml_asg(const aws_xml *x, const char *xml, size_t len,
                const char *name, pol_asg *out, char *err, size_t errlen) {
    xmlDocPtr d = parse(x, xml, len, err, errlen);
    if (!d) return -1;
    int rc = -1;
    xmlNodePtr res = result_of(x, d, "DescribeAutoScalingGroups", err, errlen);
    if (!res) goto out;
    rc = 1;
    for (xmlNodePtr g = child(child(res, "AutoScalingGroups"), "member"); g;
         g = next_named(g, "member")) {
        char gname[512];
        if (text(x, child(g, "AutoScalingGroupName"), gname, sizeof gname) ||
            strcmp(gname, name) != 0)
            continue;
        pol_asg a = {1, 0, 0, 0, 0};
        if (parse_int(x, child(g, "MinSize"), &a.min_size) ||
            parse_int(x, child(g, "MaxSize"), &a.max_size) ||
            parse_int(x, child(g, "DesiredCapacity"), &a.desired)) {
            snprintf(err, errlen,
                     "group %s: missing or bad MinSize, MaxSize or "
                     "DesiredCapacity",
                     name);
            rc = -1;
            goto out;
        }
        /* Only the group's own Instances/member elements: Tags, load
        ** balancers and others also have members. */
        for (xmlNodePtr i = child(child(g, "Instances"), "member"); i;
             i = next_named(i, "member")) {
            char st[64];
            if (text(x, child(i, "LifecycleState"), st, sizeof st) == 0 &&
                strcmp(st, "InService") == 0)
                a.in_service++;
        }
        *out = a;
        rc = 0;
        break;
    }
out:
    x->free_doc(d);
    return rc;
}

static int cmp_time(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int aws_xml_failed_launches(const aws_xml *x, const char *xml, size_t len, int64_t **t,
                            size_t *n, char *err, size_t errlen) {
    *t = NULL;
    *n = 0;
    xmlDocPtr d = parse(x, xml, len, err, errlen);
    if (!d) return -1;
    int rc = -1;
    int64_t *p = NULL;
    xmlNodePtr res = result_of(x, d, "DescribeScalingActivities", err, errlen);
    if (!res) goto out;
    xmlNodePtr acts = child(res, "Activities");
    size_t count = 0, k = 0, i = 0;
    for (xmlNodePtr m = child(acts, "member"); m; m = next_named(m, "member")) count++;
    if (count && !(p = malloc(count * sizeof *p))) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (xmlNodePtr m = child(acts, "member"); m; m = next_named(m, "member"), i++) {
        char code[32] = "", msg[1024] = "", ts[64] = "";
        child_text(x, m, "StatusCode", code, sizeof code);
        if (strcmp(code, "Failed") != 0) continue;
        /* Spot launches only: a mixed group's On-Demand part may fail too. */
        child_text(x, m, "StatusMessage", msg, sizeof msg);
        if (!strstr(msg, "Spot")) continue;
        /* When it had failed: EndTime, else (not yet set) StartTime. */
        child_text(x, m, "EndTime", ts, sizeof ts);
        if (!ts[0]) child_text(x, m, "StartTime", ts, sizeof ts);
        if (trc_time_parse(ts, &p[k])) {
            snprintf(err, errlen, "activity %zu: missing or bad EndTime and StartTime", i + 1);
            goto out;
        }
        k++;
    }
    /* AWS lists the newest first. */
    if (k > 1) qsort(p, k, sizeof *p, cmp_time);
    if (k) {
        *t = p;
        p = NULL;
    }
    *n = k;
    rc = 0;
out:
    free(p);
    x->free_doc(d);
    return rc;
}

int aws_xml_fleet(const aws_xml *x, const char *xml, size_t len,
                  const char *id, aws_fleet *out, char *err, size_t errlen) {
    xmlDocPtr d = parse(x, xml, len, err, errlen);
    if (!d) return -1;
    int rc = -1;
    xmlNodePtr r =
        root_named(x, d, "DescribeSpotFleetRequestsResponse", err, errlen);
    if (!r) goto out;
    rc = 1;
    for (xmlNodePtr it = child(child(r, "spotFleetRequestConfigSet"), "item");
         it; it = next_named(it, "item")) {
        char fid[256];
        if (text(x, child(it, "spotFleetRequestId"), fid, sizeof fid) ||
            strcmp(fid, id) != 0)
            continue;
        aws_fleet f;
        memset(&f, 0, sizeof f);
        f.fulfilled = -1;
        xmlNodePtr cfg = child(it, "spotFleetRequestConfig");
        if (text(x, child(it, "spotFleetRequestState"), f.state,
                 sizeof f.state) ||
            !f.state[0] ||
            parse_int(x, child(cfg, "targetCapacity"), &f.target)) {
            snprintf(err, errlen,
                     "fleet %s: missing or bad spotFleetRequestState or "
                     "targetCapacity",
                     id);
            rc = -1;
            goto out;
        }
        xmlNodePtr ful = child(cfg, "fulfilledCapacity");
        if (ful && parse_double(x, ful, &f.fulfilled)) {
            snprintf(err, errlen, "fleet %s: bad fulfilledCapacity", id);
            rc = -1;
            goto out;
        }
        child_text(x, it, "activityStatus", f.activity, sizeof f.activity);
        for (xmlNodePtr ls = child(child(cfg, "launchSpecifications"), "item"); ls;
             ls = next_named(ls, "item")) {
            char on[16] = "";
            f.specs++;
            child_text(x, child(ls, "monitoring"), "enabled", on, sizeof on);
            f.monitored += strcmp(on, "true") == 0;
        }
        *out = f;
        rc = 0;
        break;
    }
out:
    x->free_doc(d);
    return rc;
}

int aws_xml_expect_root(const aws_xml *x, const char *xml, size_t len,
                        const char *root, char *err, size_t errlen) {
    xmlDocPtr d = parse(x, xml, len, err, errlen);
    if (!d) return -1;
    int rc = root_named(x, d, root, err, errlen) ? 0 : -1;
    x->free_doc(d);
    return rc;
}

/* aws_xml_items' walk: every element called `list` in the subtrees of n
** and its following siblings, depth first. Returns 0, or -1 from fn. */
static int each_list(const aws_xml *x, xmlNodePtr n, const char *list, const char *a,
                     const char *b, aws_xml_item_fn fn, void *ctx) {
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (!named(n, list)) {
            if (each_list(x, n->children, list, a, b, fn, ctx)) return -1;
            continue;
        }
        /* EC2 lists hold <item>s, the other Query APIs <member>s. */
        for (xmlNodePtr it = n->children; it; it = it->next) {
            if (!named(it, "item") && !named(it, "member")) continue;
            char va[256], vb[256];
            child_text(x, it, a, va, sizeof va);
            child_text(x, it, b, vb, sizeof vb);
            if (fn(ctx, va, vb)) return -1;
        }
    }
    return 0;
}

int aws_xml_items(const aws_xml *x, const char *xml, size_t len, const char *root,
                  const char *list, const char *a, const char *b, aws_xml_item_fn fn,
                  void *ctx, char *err, size_t errlen) {
    xmlDocPtr d = parse(x, xml, len, err, errlen);
    if (!d) return -1;
    int rc = -1;
    xmlNodePtr r = root_named(x, d, root, err, errlen);
    if (!r) goto out;
    rc = 0;
    /* Every list of that name, wherever it is (a fleet request's
    ** launchSpecifications under its config; one overrides list per launch
    ** template config). */
    if (each_list(x, r->children, list, a, b, fn, ctx)) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
out:
    x->free_doc(d);
    return rc;
}
