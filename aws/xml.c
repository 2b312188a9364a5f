/*
** xml.c: reading the XML that the Query APIs answer with (libxml2).
**
** Elements are matched on their local names only: AWS puts every response in
** a namespace that differs by service and has changed over the years
** (http:// vs https://, with or without a trailing slash), and the names
** themselves are what the API documents. Parsing never touches the network,
** refuses documents with a DTD (no entity tricks), and keeps libxml2 from
** printing anything.
*/
#include "aws_int.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/traces.h"

static xmlDocPtr parse(const char *xml, size_t len, char *err,
                       size_t errlen) {
    if (!xml || len == 0) {
        snprintf(err, errlen, "empty response");
        return NULL;
    }
    if (len > INT_MAX) {
        snprintf(err, errlen, "response too large");
        return NULL;
    }
    xmlDocPtr d = xmlReadMemory(xml, (int)len, "response.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                    XML_PARSE_NOWARNING);
    if (!d) {
        snprintf(err, errlen, "malformed XML in the response");
        return NULL;
    }
    if (d->intSubset || d->extSubset) {
        xmlFreeDoc(d);
        snprintf(err, errlen, "XML response with a DTD refused");
        return NULL;
    }
    if (!xmlDocGetRootElement(d)) {
        xmlFreeDoc(d);
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
static int text(xmlNodePtr n, char *out, size_t outn) {
    if (!n) return -1;
    xmlChar *c = xmlNodeGetContent(n);
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
    xmlFree(c);
    return rc;
}

/* A child's text; "" when absent. Messages are truncated rather than
** refused. */
static void child_text(xmlNodePtr n, const char *name, char *out,
                       size_t outn) {
    if (outn) out[0] = '\0';
    xmlNodePtr c = child(n, name);
    if (c) text(c, out, outn);
}

static int parse_int(xmlNodePtr n, int *out) {
    char buf[32], *end;
    if (text(n, buf, sizeof buf) || !buf[0]) return -1;
    long v = strtol(buf, &end, 10);
    if (*end || v < INT_MIN || v > INT_MAX) return -1;
    *out = (int)v;
    return 0;
}

static int parse_double(xmlNodePtr n, double *out) {
    char buf[64], *end;
    if (text(n, buf, sizeof buf) || !buf[0]) return -1;
    double v = strtod(buf, &end);
    if (*end || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

static xmlNodePtr root_named(xmlDocPtr d, const char *name, char *err,
                             size_t errlen) {
    xmlNodePtr r = xmlDocGetRootElement(d);
    if (!named(r, name)) {
        snprintf(err, errlen, "unexpected response: <%.60s> where <%s> was "
                              "expected",
                 (const char *)r->name, name);
        return NULL;
    }
    return r;
}

int aws_xml_error(const char *xml, size_t len, char *code, size_t code_n,
                  char *message, size_t message_n, char *request_id,
                  size_t request_id_n) {
    char e[64];
    code[0] = message[0] = request_id[0] = '\0';
    xmlDocPtr d = parse(xml, len, e, sizeof e);
    if (!d) return 0;
    xmlNodePtr r = xmlDocGetRootElement(d), er = NULL;
    if (named(r, "ErrorResponse")) {
        /* Query services: ErrorResponse/Error/{Type,Code,Message}, then
        ** ErrorResponse/RequestId. */
        er = child(r, "Error");
        child_text(r, "RequestId", request_id, request_id_n);
    } else if (named(r, "Response")) {
        /* EC2: Response/Errors/Error/{Code,Message}, Response/RequestID. */
        er = child(child(r, "Errors"), "Error");
        child_text(r, "RequestID", request_id, request_id_n);
        if (!request_id[0])
            child_text(r, "RequestId", request_id, request_id_n);
    } else if (named(r, "Error")) {
        er = r;
    }
    if (er) {
        child_text(er, "Code", code, code_n);
        child_text(er, "Message", message, message_n);
        if (!request_id[0])
            child_text(er, "RequestId", request_id, request_id_n);
    }
    xmlFreeDoc(d);
    return code[0] != '\0';
}

static int cmp_point(const void *a, const void *b) {
    const pol_point *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

int aws_xml_metric(const char *xml, size_t len, pol_point **pts, size_t *n,
                   char *err, size_t errlen) {
    *pts = NULL;
    *n = 0;
    xmlDocPtr d = parse(xml, len, err, errlen);
    if (!d) return -1;
    int rc = -1;
    pol_point *p = NULL;
    xmlNodePtr r = root_named(d, "GetMetricStatisticsResponse", err, errlen);
    if (!r) goto out;
    xmlNodePtr res = child(r, "GetMetricStatisticsResult");
    if (!res) {
        snprintf(err, errlen, "response lacks GetMetricStatisticsResult");
        goto out;
    }
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
        if (text(child(m, "Timestamp"), ts, sizeof ts) ||
            trc_time_parse(ts, &p[i].t)) {
            snprintf(err, errlen, "datapoint %zu: missing or bad Timestamp",
                     i + 1);
            goto out;
        }
        if (parse_double(child(m, "Maximum"), &p[i].v) || p[i].v < 0) {
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
    xmlFreeDoc(d);
    return rc;
}

int aws_xml_asg(const char *xml, size_t len, const char *name, pol_asg *out,
                char *err, size_t errlen) {
    xmlDocPtr d = parse(xml, len, err, errlen);
    if (!d) return -1;
    int rc = -1;
    xmlNodePtr r =
        root_named(d, "DescribeAutoScalingGroupsResponse", err, errlen);
    if (!r) goto out;
    xmlNodePtr res = child(r, "DescribeAutoScalingGroupsResult");
    if (!res) {
        snprintf(err, errlen, "response lacks DescribeAutoScalingGroupsResult");
        goto out;
    }
    rc = 1;
    for (xmlNodePtr g = child(child(res, "AutoScalingGroups"), "member"); g;
         g = next_named(g, "member")) {
        char gname[512];
        if (text(child(g, "AutoScalingGroupName"), gname, sizeof gname) ||
            strcmp(gname, name) != 0)
            continue;
        pol_asg a = {1, 0, 0, 0, 0};
        if (parse_int(child(g, "MinSize"), &a.min_size) ||
            parse_int(child(g, "MaxSize"), &a.max_size) ||
            parse_int(child(g, "DesiredCapacity"), &a.desired)) {
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
            if (text(child(i, "LifecycleState"), st, sizeof st) == 0 &&
                strcmp(st, "InService") == 0)
                a.in_service++;
        }
        *out = a;
        rc = 0;
        break;
    }
out:
    xmlFreeDoc(d);
    return rc;
}

int aws_xml_fleet(const char *xml, size_t len, const char *id, aws_fleet *out,
                  char *err, size_t errlen) {
    xmlDocPtr d = parse(xml, len, err, errlen);
    if (!d) return -1;
    int rc = -1;
    xmlNodePtr r =
        root_named(d, "DescribeSpotFleetRequestsResponse", err, errlen);
    if (!r) goto out;
    rc = 1;
    for (xmlNodePtr it = child(child(r, "spotFleetRequestConfigSet"), "item");
         it; it = next_named(it, "item")) {
        char fid[256];
        if (text(child(it, "spotFleetRequestId"), fid, sizeof fid) ||
            strcmp(fid, id) != 0)
            continue;
        aws_fleet f;
        memset(&f, 0, sizeof f);
        f.fulfilled = -1;
        xmlNodePtr cfg = child(it, "spotFleetRequestConfig");
        if (text(child(it, "spotFleetRequestState"), f.state, sizeof f.state) ||
            !f.state[0] || parse_int(child(cfg, "targetCapacity"), &f.target)) {
            snprintf(err, errlen,
                     "fleet %s: missing or bad spotFleetRequestState or "
                     "targetCapacity",
                     id);
            rc = -1;
            goto out;
        }
        xmlNodePtr ful = child(cfg, "fulfilledCapacity");
        if (ful && parse_double(ful, &f.fulfilled)) {
            snprintf(err, errlen, "fleet %s: bad fulfilledCapacity", id);
            rc = -1;
            goto out;
        }
        child_text(it, "activityStatus", f.activity, sizeof f.activity);
        *out = f;
        rc = 0;
        break;
    }
out:
    xmlFreeDoc(d);
    return rc;
}

int aws_xml_expect_root(const char *xml, size_t len, const char *root,
                        char *err, size_t errlen) {
    xmlDocPtr d = parse(xml, len, err, errlen);
    if (!d) return -1;
    int rc = root_named(d, root, err, errlen) ? 0 : -1;
    xmlFreeDoc(d);
    return rc;
}
