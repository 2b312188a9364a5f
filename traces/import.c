/*
** import.c: readers for real trace exports (AWS CLI JSON, policy eval JSON
** Lines, canonical CSV, any of them gzip compressed), the sort and dedupe
** rule, and the canonical CSV writer. See import.h and docs/traces.md.
**
** A price history, which can be hundreds of megabytes, is streamed through
** a purpose-built JSON reader (memory holds its records, not its text). The
** small CloudWatch outputs go through cJSON one page (one top-level value)
** at a time.
*/
#include "import.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "policy/policy.h"
#include "text.h"
#include "traces.h"

static const char *const fmt_names[] = {
    "auto", "aws-spot-price-history", "aws-get-metric-statistics",
    "aws-get-metric-data", "policy-eval", "csv"};
#define NFMT (sizeof fmt_names / sizeof fmt_names[0])

const char *trc_format_name(trc_format f) {
    return (unsigned)f < NFMT ? fmt_names[f] : "auto";
}

int trc_format_find(const char *name) {
    for (size_t i = 1; i < NFMT; i++)
        if (strcmp(name, fmt_names[i]) == 0) return (int)i;
    return -1;
}

static int msg(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int msg(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- detection ----------------------------------------------------------- */

static const char *find_in(const char *s, size_t n, const char *key) {
    size_t k = strlen(key);
    for (size_t i = 0; i + k <= n; i++)
        if (s[i] == key[0] && memcmp(s + i, key, k) == 0) return s + i;
    return NULL;
}

trc_format trc_detect(const char *file, const char *text, size_t len,
                      char *err, size_t errlen) {
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) i = 3;
    /* Skip blank and comment lines (CSV comments). */
    for (;;) {
        while (i < len && strchr(" \t\r\n", text[i]) && text[i]) i++;
        if (i < len && text[i] == '#') {
            while (i < len && text[i] != '\n') i++;
            continue;
        }
        break;
    }
    if (i == len) {
        msg(err, errlen, "%s: empty input", file);
        return TRC_FMT_AUTO;
    }
    if (text[i] == '{') {
        /* The AWS CLI prints the response's keys in order; the earliest of
        ** these names tells the format. The head of the text is enough. */
        static const struct {
            const char *key;
            trc_format f;
        } keys[] = {{"\"SpotPriceHistory\"", TRC_FMT_SPOT_PRICE_HISTORY},
                    {"\"MetricDataResults\"", TRC_FMT_METRIC_DATA},
                    {"\"Datapoints\"", TRC_FMT_METRIC_STATISTICS},
                    {"\"now\"", TRC_FMT_POLICY_EVAL}};
        size_t n = len - i < 65536 ? len - i : 65536;
        const char *best = NULL;
        trc_format f = TRC_FMT_AUTO;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            const char *p = find_in(text + i, n, keys[k].key);
            if (p && (!best || p < best)) best = p, f = keys[k].f;
        }
        if (f == TRC_FMT_AUTO)
            msg(err, errlen,
                "%s: JSON without SpotPriceHistory, MetricDataResults, "
                "Datapoints or now: cannot tell its format (give --format)",
                file);
        return f;
    }
    if (len - i >= 9 && memcmp(text + i, "Timestamp", 9) == 0) return TRC_FMT_CSV;
    if (len - i >= 11 && memcmp(text + i, "\"Timestamp\"", 11) == 0)
        return TRC_FMT_CSV;
    msg(err, errlen,
        "%s: neither JSON nor a CSV with a Timestamp header: cannot tell its "
        "format (give --format)",
        file);
    return TRC_FMT_AUTO;
}

/* ---- the import ---------------------------------------------------------- */

void trc_import_free(trc_import *im) {
    free(im->pools);
    free(im->recs);
    const char *product = im->product;
    memset(im, 0, sizeof *im);
    im->product = product;
}

static const char *kind_name(trc_kind k) {
    return k == TRC_KIND_PRICES ? "prices" : k == TRC_KIND_METRICS ? "metrics"
                                                                     : "nothing";
}

/* Settles the import's kind; inputs of both kinds cannot make one CSV. */
static int want_kind(trc_import *im, trc_kind k, const char *file, char *err,
                     size_t errlen) {
    if (im->kind == TRC_KIND_NONE) im->kind = k;
    if (im->kind == k) return 0;
    return msg(err, errlen, "%s: holds %s, but the inputs before it hold %s",
               file, kind_name(k), kind_name(im->kind));
}

static int push(trc_import *im, uint32_t series, int64_t t, double v) {
    if (im->n == im->cap) {
        size_t nc = im->cap ? im->cap * 2 : 1024;
        trc_rec *r = realloc(im->recs, nc * sizeof *r);
        if (!r) return -1;
        im->recs = r;
        im->cap = nc;
    }
    im->recs[im->n] = (trc_rec){t, series, (uint32_t)im->read, v};
    im->n++;
    im->read++;
    return 0;
}

/* The pool (type, az), added when new. Returns its index or -1 (out of
** memory). `hint` remembers the last hit: exports come pool by pool. */
static long pool_index(trc_import *im, const char *type, const char *az,
                       size_t *hint) {
    if (*hint < im->npools && strcmp(im->pools[*hint].type, type) == 0 &&
        strcmp(im->pools[*hint].az, az) == 0)
        return (long)*hint;
    for (size_t i = 0; i < im->npools; i++)
        if (strcmp(im->pools[i].type, type) == 0 &&
            strcmp(im->pools[i].az, az) == 0)
            return (long)(*hint = i);
    if (im->npools == im->poolcap) {
        size_t nc = im->poolcap ? im->poolcap * 2 : 16;
        trc_pool *p = realloc(im->pools, nc * sizeof *p);
        if (!p) return -1;
        im->pools = p;
        im->poolcap = nc;
    }
    trc_pool *p = &im->pools[im->npools];
    snprintf(p->type, sizeof p->type, "%s", type);
    snprintf(p->az, sizeof p->az, "%s", az);
    return (long)(*hint = im->npools++);
}

/* A decimal text as a number: finite, no hex, inf or nan. */
static int parse_decimal(const char *s, double *out) {
    /* Plain "0.039700" without strtod: up to 15 significant digits and 22
    ** decimals are exact doubles, so one division is strtod's correctly
    ** rounded result (as in csv.c). */
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    int64_t m = 0;
    int digits = 0, frac = -1, simple = *s != '\0';
    for (const char *c = s; *c && simple; c++) {
        if (*c == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*c < '0' || *c > '9' || digits > 15 || frac > 22) {
            simple = 0;
            break;
        }
        m = m * 10 + (*c - '0');
        if (m) digits++;
        if (frac >= 0) frac++;
    }
    if (simple && frac != 0 && digits <= 15 && frac <= 22) {
        *out = frac > 0 ? (double)m / p10[frac] : (double)m;
        return 0;
    }
    if (!*s || strpbrk(s, "xXnNiI")) return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v) || errno == ERANGE) return -1;
    *out = v;
    return 0;
}

/* ---- JSON pages ---------------------------------------------------------- */

/* Where a JSON record is, for messages: "FILE: [page N: ]PATH". */
typedef struct {
    const char *file;
    int page; /* 1-based; named only from the second page on */
    char *err;
    size_t errlen;
} jctx;

static int jfail(const jctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int jfail(const jctx *c, const char *path, const char *fmt, ...) {
    char pre[512];
    if (c->page > 1)
        snprintf(pre, sizeof pre, "%s: page %d: %s: ", c->file, c->page, path);
    else
        snprintf(pre, sizeof pre, "%s: %s: ", c->file, path);
    int n = snprintf(c->err, c->errlen, "%s", pre);
    if (n >= 0 && (size_t)n < c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A string field of an object: present, a string, non-empty, shorter than
** `max` bytes. */
static int jstring(const jctx *c, const cJSON *o, const char *key,
                   const char *at, size_t max, const char **out) {
    char path[256];
    snprintf(path, sizeof path, "%s%s%s", at, *at ? "." : "", key);
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!it) return jfail(c, path, "missing");
    if (!cJSON_IsString(it)) return jfail(c, path, "must be a string");
    if (!*it->valuestring) return jfail(c, path, "is empty");
    if (strlen(it->valuestring) >= max)
        return jfail(c, path, "'%.40s...' is too long (at most %zu characters)",
                     it->valuestring, max - 1);
    *out = it->valuestring;
    return 0;
}

static int jtime(const jctx *c, const cJSON *it, const char *path,
                 int64_t *out) {
    if (!it) return jfail(c, path, "missing");
    if (!cJSON_IsString(it))
        return jfail(c, path, "must be an ISO-8601 UTC time string");
    if (trc_time_parse(it->valuestring, out))
        return jfail(c, path, "'%.60s' is not an ISO-8601 UTC time",
                     it->valuestring);
    return 0;
}

/* A metric value: a JSON number, finite and >= 0. */
static int jvalue(const jctx *c, const cJSON *it, const char *path,
                  double *out) {
    if (!it) return jfail(c, path, "missing");
    if (!cJSON_IsNumber(it)) return jfail(c, path, "must be a number");
    if (!isfinite(it->valuedouble)) return jfail(c, path, "is not finite");
    if (it->valuedouble < 0)
        return jfail(c, path, "%g must be >= 0", it->valuedouble);
    *out = it->valuedouble;
    return 0;
}

/* Metric Timestamps must fall on whole minutes: CloudWatch periods of 60 or
** 300 s start there, and the direct-mode CSV requires it. */
static int whole_minute(const jctx *c, const char *path, int64_t t) {
    if (t % 60 == 0) return 0;
    char ts[32];
    trc_time_format(t, ts, sizeof ts);
    return jfail(c, path, "%s is not on a whole minute (periods are 60 or 300 s)",
                 ts);
}

static int product_matches(const char *want, const char *got) {
    size_t n = strlen(want);
    return strncmp(got, want, n) == 0 &&
           (got[n] == '\0' || strcmp(got + n, " (Amazon VPC)") == 0);
}

/* The AWS/AutoScaling group metrics (EnabledMetric), and the kind-neutral
** metric each stands for, or -2: not read (PendingCapacity is derived as
** GroupDesiredCapacity - GroupInServiceCapacity by the loader;
** GroupPendingCapacity counts launching instances only). */
static const struct {
    const char *name;
    int m;
} asg_metrics[] = {
    {"GroupDesiredCapacity", POL_TARGET},
    {"GroupInServiceCapacity", POL_FULFILLED},
    {"GroupTerminatingCapacity", POL_TERMINATING},
    {"GroupPendingCapacity", -2},
    {"GroupTotalCapacity", -2},
    {"GroupStandbyCapacity", -2},
    {"GroupMinSize", -2},
    {"GroupMaxSize", -2},
    {"GroupInServiceInstances", -2},
    {"GroupPendingInstances", -2},
    {"GroupStandbyInstances", -2},
    {"GroupTerminatingInstances", -2},
    {"GroupTotalInstances", -2},
    {"WarmPoolDesiredCapacity", -2},
    {"WarmPoolWarmedCapacity", -2},
    {"WarmPoolPendingCapacity", -2},
    {"WarmPoolTerminatingCapacity", -2},
    {"WarmPoolTotalCapacity", -2},
    {"GroupAndWarmPoolDesiredCapacity", -2},
    {"GroupAndWarmPoolTotalCapacity", -2},
};

/* The metric `name` stands for (a pol_metric), -2 for a group metric not
** read, -1 for none; *ns the namespace it belongs to. `nocase`: an Id,
** lower-case first ("groupDesiredCapacity"). */
static int metric_ns(const char *name, int nocase, unsigned *ns) {
    for (int k = 0; k < POL_NMETRICS; k++)
        if ((nocase ? strcasecmp : strcmp)(name, pol_metric_name(k)) == 0) {
            *ns = TRC_NS_EC2SPOT;
            return k;
        }
    for (size_t k = 0; k < sizeof asg_metrics / sizeof asg_metrics[0]; k++)
        if ((nocase ? strcasecmp : strcmp)(name, asg_metrics[k].name) == 0) {
            *ns = TRC_NS_AUTOSCALING;
            return asg_metrics[k].m;
        }
    return -1;
}

#define METRICS_KNOWN                                                                  \
    "an AWS/EC2Spot fleet metric (TargetCapacity, FulfilledCapacity, "               \
    "PendingCapacity, TerminatingCapacity) nor an AWS/AutoScaling group metric "     \
    "(GroupDesiredCapacity, GroupInServiceCapacity, GroupTerminatingCapacity, ...)"

/* Notes the namespace of a metric read; refuses a second one. */
static int one_ns(trc_import *im, const jctx *c, const char *path, unsigned ns) {
    if (im->ns && im->ns != ns)
        return jfail(c, path, "AWS/EC2Spot and AWS/AutoScaling metrics in one import: "
                              "import one Spot Fleet's or one Auto Scaling group's");
    im->ns = ns;
    return 0;
}

static int page_gms(trc_import *im, const jctx *c, const cJSON *root) {
    if (!cJSON_IsObject(root))
        return jfail(c, "Datapoints", "the page is not a JSON object");
    const char *label = "";
    if (jstring(c, root, "Label", "", 64, &label)) return -1;
    unsigned ns = 0;
    int m = metric_ns(label, 0, &ns);
    if (m == -1) return jfail(c, "Label", "'%s' is neither " METRICS_KNOWN, label);
    if (one_ns(im, c, "Label", ns)) return -1;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "Datapoints");
    if (!arr) return jfail(c, "Datapoints", "missing");
    if (!cJSON_IsArray(arr)) return jfail(c, "Datapoints", "must be an array");
    if (m == -2) { /* a group metric the view does not read: counted */
        im->not_read += (size_t)cJSON_GetArraySize(arr);
        return 0;
    }
    /* The policy reads the period's Maximum; other statistics are taken
    ** only when the output has no Maximum, and then one for all datapoints. */
    static const char *const stats[] = {"Maximum", "Average", "Minimum", "Sum"};
    const char *stat = NULL;
    if (arr->child)
        for (size_t k = 0; k < 4 && !stat; k++)
            if (cJSON_GetObjectItemCaseSensitive(arr->child, stats[k]))
                stat = stats[k];
    if (!stat) stat = "Maximum";
    long i = 0;
    for (const cJSON *el = arr->child; el; el = el->next, i++) {
        char at[64], path[96];
        snprintf(at, sizeof at, "Datapoints[%ld]", i);
        if (!cJSON_IsObject(el)) return jfail(c, at, "must be an object");
        int64_t t;
        double v;
        snprintf(path, sizeof path, "%s.Timestamp", at);
        if (jtime(c, cJSON_GetObjectItemCaseSensitive(el, "Timestamp"), path, &t) ||
            whole_minute(c, path, t))
            return -1;
        snprintf(path, sizeof path, "%s.%s", at, stat);
        if (jvalue(c, cJSON_GetObjectItemCaseSensitive(el, stat), path, &v))
            return -1;
        if (push(im, (uint32_t)m, t, v)) return jfail(c, at, "out of memory");
    }
    return 0;
}

static int page_gmd(trc_import *im, const jctx *c, const cJSON *root) {
    if (!cJSON_IsObject(root))
        return jfail(c, "MetricDataResults", "the page is not a JSON object");
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "MetricDataResults");
    if (!arr) return jfail(c, "MetricDataResults", "missing");
    if (!cJSON_IsArray(arr)) return jfail(c, "MetricDataResults", "must be an array");
    long i = 0;
    for (const cJSON *el = arr->child; el; el = el->next, i++) {
        char at[64], path[128];
        snprintf(at, sizeof at, "MetricDataResults[%ld]", i);
        if (!cJSON_IsObject(el)) return jfail(c, at, "must be an object");
        /* The metric: its Label, else its Id (ids are lower-case first, so
        ** compared without case: "pendingCapacity"). */
        const cJSON *lab = cJSON_GetObjectItemCaseSensitive(el, "Label");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(el, "Id");
        int m = -1;
        unsigned ns = 0;
        if (cJSON_IsString(lab)) m = metric_ns(lab->valuestring, 0, &ns);
        if (m == -1 && cJSON_IsString(id)) m = metric_ns(id->valuestring, 1, &ns);
        snprintf(path, sizeof path, "%s.Label", at);
        if (m == -1)
            return jfail(c, path, "'%.40s' (Id '%.40s') is neither " METRICS_KNOWN,
                         cJSON_IsString(lab) ? lab->valuestring : "",
                         cJSON_IsString(id) ? id->valuestring : "");
        if (one_ns(im, c, path, ns)) return -1;
        const cJSON *ts = cJSON_GetObjectItemCaseSensitive(el, "Timestamps");
        const cJSON *vs = cJSON_GetObjectItemCaseSensitive(el, "Values");
        snprintf(path, sizeof path, "%s.Timestamps", at);
        if (!ts) return jfail(c, path, "missing");
        if (!cJSON_IsArray(ts)) return jfail(c, path, "must be an array");
        snprintf(path, sizeof path, "%s.Values", at);
        if (!vs) return jfail(c, path, "missing");
        if (!cJSON_IsArray(vs)) return jfail(c, path, "must be an array");
        int nt = cJSON_GetArraySize(ts), nv = cJSON_GetArraySize(vs);
        if (nt != nv)
            return jfail(c, path, "%d values for %d Timestamps", nv, nt);
        const cJSON *a = ts->child, *b = vs->child;
        for (long j = 0; a && b; a = a->next, b = b->next, j++) {
            int64_t t;
            double v;
            snprintf(path, sizeof path, "%s.Timestamps[%ld]", at, j);
            if (jtime(c, a, path, &t) || whole_minute(c, path, t)) return -1;
            snprintf(path, sizeof path, "%s.Values[%ld]", at, j);
            if (jvalue(c, b, path, &v)) return -1;
            if (m == -2) { /* a group metric the view does not read: counted */
                im->not_read++;
                continue;
            }
            if (push(im, (uint32_t)m, t, v)) return jfail(c, at, "out of memory");
        }
    }
    return 0;
}

static long line_of(const char *text, const char *at) {
    long line = 1;
    for (const char *p = text; p < at; p++) line += *p == '\n';
    return line;
}

/* Whether the JSON value starting at s never closes within n bytes: the
** text was cut (a download or a copy stopped), which deserves its own
** message. Counts brackets outside strings only. */
static int unclosed(const char *s, size_t n) {
    long depth = 0;
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = 0;
            continue;
        }
        if (c == '"') in_str = 1;
        else if (c == '{' || c == '[') depth++;
        else if ((c == '}' || c == ']') && --depth <= 0) return 0;
    }
    return 1;
}

/* Parses the top-level JSON values of `text` one after another (pages of
** one paginated command, concatenated), handing each to `page`. */
static int json_pages(trc_import *im, const char *file, const char *text,
                      size_t len,
                      int (*page)(trc_import *, const jctx *, const cJSON *),
                      char *err, size_t errlen) {
    jctx c = {file, 0, err, errlen};
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) i = 3;
    for (;;) {
        while (i < len && strchr(" \t\r\n", text[i]) && text[i]) i++;
        if (i >= len) break;
        c.page++;
        const char *end = NULL;
        cJSON *root = cJSON_ParseWithLengthOpts(text + i, len - i, &end, 0);
        if (!root) {
            if (unclosed(text + i, len - i))
                return msg(err, errlen,
                           "%s:%ld: invalid JSON: ends too early (truncated?)",
                           file, line_of(text, text + len));
            return msg(err, errlen, "%s:%ld: invalid JSON", file,
                       line_of(text, end ? end : text + len));
        }
        int rc = page(im, &c, root);
        cJSON_Delete(root);
        if (rc) return -1;
        i = (size_t)(end - text);
    }
    if (c.page == 0) return msg(err, errlen, "%s: empty input", file);
    return 0;
}

/* ---- JSON Lines observations --------------------------------------------- */

static int obs_lines(trc_import *im, const char *file, char *text, size_t len,
                     char *err, size_t errlen) {
    trc_obsbuf buf = {0};
    char e[256];
    long line = 0;
    int rc = 0;
    for (char *p = text, *end = text + len; p < end && rc == 0;) {
        line++;
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *e_ = nl ? nl : end;
        char *next = nl ? nl + 1 : end;
        char keep = *e_;
        *e_ = '\0';
        if (strlen(p) != (size_t)(e_ - p)) {
            rc = msg(err, errlen, "%s:%ld: NUL byte in line", file, line);
        } else if (strspn(p, " \t\r") != (size_t)(e_ - p)) {
            pol_obs o;
            if (trc_obs_parse(p, &buf, &o, e, sizeof e)) {
                rc = msg(err, errlen, "%s:%ld: %s", file, line, e);
            } else {
                for (int m = 0; m < POL_NMETRICS && rc == 0; m++)
                    for (size_t k = 0; k < o.m[m].n; k++) {
                        const pol_point *pt = &o.m[m].pts[k];
                        if (pt->t % 60) {
                            char ts[32];
                            trc_time_format(pt->t, ts, sizeof ts);
                            rc = msg(err, errlen,
                                     "%s:%ld: metrics.%s: Timestamp %s is not "
                                     "on a whole minute (periods are 60 or 300 s)",
                                     file, line, pol_metric_name(m), ts);
                            break;
                        }
                        if (push(im, (uint32_t)m, pt->t, pt->v)) {
                            rc = msg(err, errlen, "%s: out of memory", file);
                            break;
                        }
                    }
            }
        }
        *e_ = keep;
        p = next;
    }
    trc_obsbuf_free(&buf);
    return rc;
}

/* ---- canonical CSV ------------------------------------------------------- */

static int csv_prices(trc_import *im, const char *file, const char *text,
                      size_t len, char *err, size_t errlen) {
    static const trc_csv_col cols[] = {{"Timestamp", 0},
                                       {"InstanceType", 0},
                                       {"AvailabilityZone", 0},
                                       {"SpotPrice", 0}};
    trc_csv t;
    if (trc_csv_parse(file, text, len, cols, 4, &t, err, errlen)) return -1;
    size_t hint = 0;
    int rc = 0;
    for (size_t r = 0; r < t.nrows && rc == 0; r++) {
        int64_t ts;
        double v;
        if (trc_csv_time(&t, r, 0, &ts, err, errlen) ||
            trc_csv_number(&t, r, 3, &v, err, errlen)) {
            rc = -1;
            break;
        }
        if (v < 0) {
            rc = trc_csv_fail(&t, r, 3, err, errlen, "must be >= 0");
            break;
        }
        const char *type = trc_csv_cell(&t, r, 1), *az = trc_csv_cell(&t, r, 2);
        for (size_t c = 1; c <= 2; c++) {
            const char *s = trc_csv_cell(&t, r, c);
            if (!*s) rc = trc_csv_fail(&t, r, c, err, errlen, "is empty");
            else if (strlen(s) >= 32)
                rc = trc_csv_fail(&t, r, c, err, errlen,
                                  "is too long (at most 31 characters)");
            else if (trc_has_ctl(s))
                rc = trc_csv_fail(&t, r, c, err, errlen, "must not hold control characters");
            if (rc) break;
        }
        if (rc) break;
        long p = pool_index(im, type, az, &hint);
        if (p < 0 || push(im, (uint32_t)p, ts, v))
            rc = msg(err, errlen, "%s: out of memory", file);
    }
    trc_csv_free(&t);
    return rc;
}

static int csv_metrics(trc_import *im, const char *file, const char *text,
                       size_t len, char *err, size_t errlen) {
    const trc_csv_col *cols = trc_metrics_cols;
    const pol_metric *metric = trc_metrics_col_metric;
    trc_csv t;
    if (trc_csv_parse(file, text, len, cols, TRC_METRICS_NCOLS, &t, err, errlen)) return -1;
    int rc = 0;
    for (size_t r = 0; r < t.nrows && rc == 0; r++) {
        int64_t ts;
        if (trc_csv_time(&t, r, 0, &ts, err, errlen)) {
            rc = -1;
            break;
        }
        if (ts % 60) {
            rc = trc_csv_fail(&t, r, 0, err, errlen,
                              "'%s' is not on a whole minute (periods are 60 "
                              "or 300 s)",
                              trc_csv_cell(&t, r, 0));
            break;
        }
        for (size_t c = 1; c < 5 && rc == 0; c++) {
            const char *cell = trc_csv_cell(&t, r, c);
            double v;
            if (!cell || !*cell) continue; /* no datapoint */
            if (trc_csv_number(&t, r, c, &v, err, errlen)) rc = -1;
            else if (v < 0) rc = trc_csv_fail(&t, r, c, err, errlen, "must be >= 0");
            else if (push(im, (uint32_t)metric[c], ts, v))
                rc = msg(err, errlen, "%s: out of memory", file);
        }
    }
    trc_csv_free(&t);
    return rc;
}

/* The kind of a canonical CSV, from its header line. */
static trc_kind csv_kind(const char *text, size_t len) {
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *q = p;
        while (q < e && strchr(" \t\r\xEF\xBB\xBF", *q) && *q) q++;
        if (q < e && *q != '#') {
            if (find_in(q, (size_t)(e - q), "SpotPrice")) return TRC_KIND_PRICES;
            if (find_in(q, (size_t)(e - q), "TargetCapacity")) return TRC_KIND_METRICS;
            return TRC_KIND_NONE;
        }
        p = nl ? nl + 1 : end;
    }
    return TRC_KIND_NONE;
}

/* ---- streaming: describe-spot-price-history without a tree --------------- */

/* A byte stream over memory, a file, or a gzip'd file, read through one
** buffer: a year of prices for many pools is hundreds of megabytes of JSON,
** more than the records it holds deserve. Counts lines for messages. */
typedef struct {
    const char *file;
    FILE *f;            /* NULL: memory only */
    int gz;
    z_stream z;
    int zinit, zend;    /* inflate started; the current member ended */
    unsigned char *zin; /* compressed input */
    char *buf;          /* owned when reading a file */
    const char *p;      /* the window: p[pos..len) */
    size_t pos, len, cap;
    int eof, bad;       /* bad: an I/O or gzip error, message in err */
    long line;
    char *err;
    size_t errlen;
} bstream;

#define ZIN 65536

static void bs_close(bstream *s) {
    if (s->zinit) inflateEnd(&s->z);
    if (s->f) fclose(s->f);
    free(s->zin);
    free(s->buf);
}

/* Fills the window again. Returns 0, or -1 at the end (or on an error,
** with s->bad set). */
static int bs_refill(bstream *s) {
    if (s->eof) return -1;
    if (!s->f) {
        s->eof = 1;
        return -1;
    }
    s->pos = s->len = 0;
    if (!s->gz) {
        s->len = fread(s->buf, 1, s->cap, s->f);
        if (s->len == 0) {
            if (ferror(s->f)) {
                s->bad = 1;
                msg(s->err, s->errlen, "%s: read error", s->file);
            }
            s->eof = 1;
            return -1;
        }
        return 0;
    }
    while (s->len == 0) {
        if (s->z.avail_in == 0) {
            size_t n = fread(s->zin, 1, ZIN, s->f);
            if (n == 0) {
                if (!s->zend) {
                    s->bad = 1;
                    msg(s->err, s->errlen, "%s: truncated gzip data", s->file);
                }
                s->eof = 1;
                return -1;
            }
            s->z.next_in = s->zin;
            s->z.avail_in = (uInt)n;
        }
        if (s->zend) {
            /* Another member follows, or garbage. */
            if (s->z.next_in[0] != 0x1f) {
                s->bad = 1, s->eof = 1;
                msg(s->err, s->errlen, "%s: data after the end of the gzip stream",
                    s->file);
                return -1;
            }
            inflateReset(&s->z);
            s->zend = 0;
        }
        s->z.next_out = (unsigned char *)s->buf;
        s->z.avail_out = (uInt)s->cap;
        int rc = inflate(&s->z, Z_NO_FLUSH);
        s->len = s->cap - s->z.avail_out;
        if (rc == Z_STREAM_END) s->zend = 1;
        else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            s->bad = 1, s->eof = 1;
            msg(s->err, s->errlen, "%s: corrupt gzip data (%s)", s->file,
                s->z.msg ? s->z.msg : "inflate failed");
            return -1;
        }
    }
    return 0;
}

static int bs_open_file(bstream *s, const char *path, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    s->file = path, s->err = err, s->errlen = errlen, s->line = 1;
    s->f = fopen(path, "rb");
    if (!s->f) return msg(err, errlen, "%s: %s", path, strerror(errno));
    s->cap = 1 << 18;
    s->buf = malloc(s->cap);
    s->zin = malloc(ZIN);
    if (!s->buf || !s->zin) {
        bs_close(s);
        return msg(err, errlen, "%s: out of memory", path);
    }
    s->p = s->buf;
    /* The first bytes tell gzip (1f 8b) from text. */
    size_t n = fread(s->zin, 1, ZIN, s->f);
    if (n >= 2 && s->zin[0] == 0x1f && s->zin[1] == 0x8b) {
        s->gz = 1;
        s->z.next_in = s->zin;
        s->z.avail_in = (uInt)n;
        if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
            bs_close(s);
            return msg(err, errlen, "%s: cannot start inflating", path);
        }
        s->zinit = 1;
    } else {
        memcpy(s->buf, s->zin, n);
        s->len = n;
    }
    return 0;
}

static void bs_open_mem(bstream *s, const char *file, const char *text,
                        size_t len, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    s->file = file, s->err = err, s->errlen = errlen, s->line = 1;
    s->p = text, s->len = len;
}

static inline int bs_peek(bstream *s) {
    if (s->pos < s->len) return (unsigned char)s->p[s->pos];
    if (bs_refill(s)) return -1;
    return (unsigned char)s->p[s->pos];
}

static inline int bs_get(bstream *s) {
    int c = bs_peek(s);
    if (c >= 0) {
        s->pos++;
        if (c == '\n') s->line++;
    }
    return c;
}

static void bs_ws(bstream *s) {
    for (;;) {
        while (s->pos < s->len) {
            char c = s->p[s->pos];
            if (c == ' ' || c == '\t' || c == '\r') s->pos++;
            else if (c == '\n') s->pos++, s->line++;
            else return;
        }
        int c = bs_peek(s);
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return;
        bs_get(s);
    }
}

/* A syntax error: "FILE:LINE: invalid JSON", or the I/O error already
** said, or "ends too early" when the text stopped. */
static int bs_syntax(bstream *s) {
    if (s->bad) return -1;
    if (bs_peek(s) < 0)
        return msg(s->err, s->errlen,
                   "%s:%ld: invalid JSON: ends too early (truncated?)", s->file,
                   s->line);
    return msg(s->err, s->errlen, "%s:%ld: invalid JSON", s->file, s->line);
}

static int bs_expect(bstream *s, int c) {
    bs_ws(s);
    if (bs_peek(s) != c) return bs_syntax(s);
    bs_get(s);
    return 0;
}

/* A JSON string into out (at most n-1 bytes kept; *full set to the whole
** length). */
static int bs_string(bstream *s, char *out, size_t n, size_t *full) {
    size_t k = 0;
    if (bs_expect(s, '"')) return -1;
    for (;;) {
        /* The plain run of characters within the window, without a call
        ** per character; bs_get() takes the rest (and refills). */
        while (s->pos < s->len) {
            unsigned char u = (unsigned char)s->p[s->pos];
            if (u == '"' || u == '\\' || u < 0x20) break;
            if (k + 1 < n) out[k] = (char)u;
            k++;
            s->pos++;
        }
        int c = bs_get(s);
        if (c < 0 || (c < 0x20)) return bs_syntax(s);
        if (c == '"') break;
        if (c == '\\') {
            int e = bs_get(s);
            if (e == 'u') {
                char h[4];
                for (int i = 0; i < 4; i++) { /* each checked as it comes */
                    int g = bs_get(s);
                    if (trc_json_hexdigit(g) < 0) return bs_syntax(s);
                    h[i] = (char)g;
                }
                c = trc_json_unescape_u(h);
            } else {
                c = trc_json_unescape(e);
            }
            if (c < 0) return bs_syntax(s);
        }
        if (k + 1 < n) out[k] = (char)c;
        k++;
    }
    out[k + 1 < n ? k : n - 1] = '\0';
    if (full) *full = k;
    return 0;
}

/* A JSON number's text into out (at most n-1 bytes kept; *full set to the
** whole length, so a longer one is never read as its cut prefix). */
static int bs_number(bstream *s, char *out, size_t n, size_t *full) {
    size_t k = 0;
    int c = bs_peek(s);
    const char *ok = "0123456789.eE+-";
    if (c != '-' && !(c >= '0' && c <= '9')) return bs_syntax(s);
    while ((c = bs_peek(s)) >= 0 && strchr(ok, c) && c) {
        if (k + 1 < n) out[k] = (char)c;
        k++;
        bs_get(s);
    }
    out[k + 1 < n ? k : n - 1] = '\0';
    if (full) *full = k;
    char *end;
    strtod(out, &end);
    if (*end && k < n) return bs_syntax(s);
    return 0;
}

/* Skips any JSON value, with an explicit stack of open containers rather
** than recursion. */
static int bs_skip(bstream *s) {
    char stack[256];
    size_t d = 0;
    char tmp[64];
    for (;;) {
        /* A value. */
        bs_ws(s);
        int c = bs_peek(s);
        int opened = 0;
        if (c == '{' || c == '[') {
            bs_get(s);
            if (d == sizeof stack)
                return msg(s->err, s->errlen, "%s:%ld: JSON nested too deep",
                           s->file, s->line);
            stack[d++] = (char)c;
            bs_ws(s);
            if (bs_peek(s) == (c == '{' ? '}' : ']')) {
                bs_get(s);
                d--;
            } else {
                opened = 1;
                if (c == '{' && (bs_string(s, tmp, sizeof tmp, NULL) ||
                                 bs_expect(s, ':')))
                    return -1;
            }
        } else if (c == '"') {
            if (bs_string(s, tmp, sizeof tmp, NULL)) return -1;
        } else if (c == 't' || c == 'f' || c == 'n') {
            const char *w = c == 't' ? "true" : c == 'f' ? "false" : "null";
            for (; *w; w++)
                if (bs_get(s) != *w) return bs_syntax(s);
        } else if (bs_number(s, tmp, sizeof tmp, NULL)) {
            return -1;
        }
        if (opened) continue; /* its first member's value comes next */
        /* After a value: ',' and the next, or close containers. */
        int more = 0;
        while (d > 0 && !more) {
            bs_ws(s);
            int e = bs_get(s);
            if (e == ',') {
                if (stack[d - 1] == '{' &&
                    (bs_string(s, tmp, sizeof tmp, NULL) || bs_expect(s, ':')))
                    return -1;
                more = 1;
            } else if (e == (stack[d - 1] == '{' ? '}' : ']')) {
                d--;
            } else {
                return bs_syntax(s);
            }
        }
        if (!more) return 0;
    }
}

/* The rest of the stream in one malloc'd, NUL-terminated buffer, or NULL
** with the message in s->err. */
static char *bs_slurp(bstream *s, size_t *len) {
    size_t cap = s->len - s->pos + 65536, n = 0;
    char *text = malloc(cap + 1);
    while (text) {
        size_t k = s->len - s->pos;
        if (n + k > cap) {
            while (n + k > cap) cap *= 2;
            char *t = realloc(text, cap + 1);
            if (!t) {
                free(text);
                text = NULL;
                break;
            }
            text = t;
        }
        memcpy(text + n, s->p + s->pos, k);
        n += k;
        s->pos = s->len;
        if (bs_refill(s)) break;
    }
    if (!text) {
        msg(s->err, s->errlen, "%s: out of memory", s->file);
        return NULL;
    }
    if (s->bad) {
        free(text);
        return NULL;
    }
    text[n] = '\0';
    *len = n;
    return text;
}

char *trc_read_file(const char *path, size_t *len, char *err, size_t errlen) {
    bstream s;
    if (bs_open_file(&s, path, err, errlen)) return NULL;
    char *text = bs_slurp(&s, len);
    bs_close(&s);
    return text;
}

/* A value's first character starts a JSON value (for "must be ..." versus
** "invalid JSON"). */
static int value_start(int c) {
    return c == '{' || c == '[' || c == '"' || c == '-' || c == 't' ||
           c == 'f' || c == 'n' || (c >= '0' && c <= '9');
}

enum { F_AZ, F_TYPE, F_PROD, F_PRICE, F_TIME, NF };
static const char *const spot_fields[NF] = {
    "AvailabilityZone", "InstanceType", "ProductDescription", "SpotPrice",
    "Timestamp"};

typedef struct {
    int kind; /* 0 absent, 1 string, 2 number, 3 another type */
    size_t full;
    char text[136];
} fval;

/* "FILE: SpotPriceHistory[i].FIELD: what": the path is formatted only
** here, on failure; a valid record formats no strings. */
static int sfail(const jctx *c, long i, int k, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int sfail(const jctx *c, long i, int k, const char *fmt, ...) {
    char path[96], what[256];
    snprintf(path, sizeof path, "SpotPriceHistory[%ld].%s", i, spot_fields[k]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return jfail(c, path, "%s", what);
}

/* A string field of a record: present, a string, non-empty, shorter than
** `max` bytes. */
static int spot_string(const jctx *c, long i, const fval *f, int k, size_t max) {
    if (f[k].kind == 0) return sfail(c, i, k, "missing");
    if (f[k].kind != 1) return sfail(c, i, k, "must be a string");
    if (f[k].full == 0) return sfail(c, i, k, "is empty");
    if (f[k].full >= max)
        return sfail(c, i, k, "'%.40s...' is too long (at most %zu characters)",
                     f[k].text, max - 1);
    if (trc_has_ctl(f[k].text)) return sfail(c, i, k, "must not hold control characters");
    return 0;
}

/* Checks one record and adds it (or counts it as filtered). */
static int spot_record(trc_import *im, const jctx *c, long i, const fval *f,
                       size_t *hint) {
    if (spot_string(c, i, f, F_AZ, 32) || spot_string(c, i, f, F_TYPE, 32) ||
        spot_string(c, i, f, F_PROD, 128))
        return -1;
    double v;
    int64_t t;
    const fval *p = &f[F_PRICE];
    if (p->kind == 0) return sfail(c, i, F_PRICE, "missing");
    if (p->kind == 3) return sfail(c, i, F_PRICE, "must be a string holding a number");
    if (p->full >= sizeof p->text || parse_decimal(p->text, &v))
        return sfail(c, i, F_PRICE, "'%.40s' is not a number", p->text);
    if (v < 0) return sfail(c, i, F_PRICE, "'%.40s' must be >= 0", p->text);
    const fval *ts = &f[F_TIME];
    if (ts->kind == 0) return sfail(c, i, F_TIME, "missing");
    if (ts->kind != 1)
        return sfail(c, i, F_TIME, "must be an ISO-8601 UTC time string");
    if (ts->full >= sizeof ts->text || trc_time_parse(ts->text, &t))
        return sfail(c, i, F_TIME, "'%.60s' is not an ISO-8601 UTC time", ts->text);
    if (!product_matches(im->product ? im->product : "Linux/UNIX",
                         f[F_PROD].text)) {
        im->filtered++;
        im->read++;
        return 0;
    }
    long k = pool_index(im, f[F_TYPE].text, f[F_AZ].text, hint);
    if (k < 0 || push(im, (uint32_t)k, t, v))
        return msg(c->err, c->errlen, "%s: out of memory", c->file);
    return 0;
}

/* One record object, its known fields into f. */
static int spot_object(bstream *s, fval *f) {
    for (int k = 0; k < NF; k++) f[k].kind = 0;
    bs_get(s); /* '{' */
    bs_ws(s);
    if (bs_peek(s) == '}') {
        bs_get(s);
        return 0;
    }
    for (;;) {
        char key[64];
        if (bs_string(s, key, sizeof key, NULL) || bs_expect(s, ':')) return -1;
        int k = 0;
        while (k < NF && strcmp(key, spot_fields[k]) != 0) k++;
        bs_ws(s);
        int c = bs_peek(s);
        if (k == NF) {
            if (bs_skip(s)) return -1;
        } else if (c == '"') {
            f[k].kind = 1;
            if (bs_string(s, f[k].text, sizeof f[k].text, &f[k].full)) return -1;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            f[k].kind = 2;
            if (bs_number(s, f[k].text, sizeof f[k].text, &f[k].full)) return -1;
        } else {
            f[k].kind = 3;
            if (bs_skip(s)) return -1;
        }
        bs_ws(s);
        int e = bs_get(s);
        if (e == '}') return 0;
        if (e != ',') return bs_syntax(s);
        bs_ws(s);
    }
}

static int spot_array(trc_import *im, bstream *s, const jctx *c) {
    bs_ws(s);
    int ch = bs_peek(s);
    if (ch != '[') {
        if (value_start(ch)) return jfail(c, "SpotPriceHistory", "must be an array");
        return bs_syntax(s);
    }
    bs_get(s);
    bs_ws(s);
    if (bs_peek(s) == ']') {
        bs_get(s);
        return 0;
    }
    size_t hint = 0;
    fval f[NF];
    for (long i = 0;; i++) {
        bs_ws(s);
        ch = bs_peek(s);
        if (ch != '{') {
            char at[64];
            snprintf(at, sizeof at, "SpotPriceHistory[%ld]", i);
            if (value_start(ch)) return jfail(c, at, "must be an object");
            return bs_syntax(s);
        }
        if (spot_object(s, f) || spot_record(im, c, i, f, &hint)) return -1;
        bs_ws(s);
        int e = bs_get(s);
        if (e == ']') return 0;
        if (e != ',') return bs_syntax(s);
    }
}

/* The pages (top-level objects) of a describe-spot-price-history output. */
static int spot_stream(trc_import *im, bstream *s) {
    int page = 0;
    if (s->len - s->pos >= 3 && memcmp(s->p + s->pos, "\xEF\xBB\xBF", 3) == 0)
        s->pos += 3;
    for (;;) {
        bs_ws(s);
        int ch = bs_peek(s);
        if (ch < 0) {
            if (s->bad) return -1;
            break;
        }
        jctx c = {s->file, ++page, s->err, s->errlen};
        if (ch != '{') {
            if (value_start(ch))
                return jfail(&c, "SpotPriceHistory", "the page is not a JSON object");
            return bs_syntax(s);
        }
        bs_get(s);
        int seen = 0;
        bs_ws(s);
        if (bs_peek(s) == '}') {
            bs_get(s);
        } else {
            for (;;) {
                char key[64];
                if (bs_string(s, key, sizeof key, NULL) || bs_expect(s, ':'))
                    return -1;
                if (strcmp(key, "SpotPriceHistory") == 0) {
                    seen = 1;
                    if (spot_array(im, s, &c)) return -1;
                } else if (bs_skip(s)) {
                    return -1;
                }
                bs_ws(s);
                int e = bs_get(s);
                if (e == '}') break;
                if (e != ',') return bs_syntax(s);
                bs_ws(s);
            }
        }
        if (!seen) return jfail(&c, "SpotPriceHistory", "missing");
    }
    if (page == 0) return msg(s->err, s->errlen, "%s: empty input", s->file);
    return 0;
}

int trc_import_add_file(trc_import *im, trc_format *fmt, const char *path,
                        char *err, size_t errlen) {
    if (im->finished) return msg(err, errlen, "%s: the import is finished", path);
    bstream s;
    if (bs_open_file(&s, path, err, errlen)) return -1;
    bs_peek(&s); /* the first window, for detection */
    if (s.bad) {
        bs_close(&s);
        return -1;
    }
    if (*fmt == TRC_FMT_AUTO) {
        *fmt = trc_detect(path, s.p + s.pos, s.len - s.pos, err, errlen);
        if (*fmt == TRC_FMT_AUTO) {
            bs_close(&s);
            return -1;
        }
    }
    int rc;
    if (*fmt == TRC_FMT_SPOT_PRICE_HISTORY) {
        /* Streamed: only the records are kept. */
        trc_import old = *im;
        rc = want_kind(im, TRC_KIND_PRICES, path, err, errlen);
        if (rc == 0 && (rc = spot_stream(im, &s)) != 0) {
            im->n = old.n;
            im->npools = old.npools;
            im->read = old.read;
            im->filtered = old.filtered;
            im->kind = old.kind;
        }
        bs_close(&s);
        return rc;
    }
    /* The other formats are read whole. */
    size_t n;
    char *text = bs_slurp(&s, &n);
    bs_close(&s);
    if (!text) return -1;
    rc = trc_import_add(im, *fmt, path, text, n, err, errlen);
    free(text);
    return rc;
}

int trc_import_add(trc_import *im, trc_format fmt, const char *file,
                   char *text, size_t len, char *err, size_t errlen) {
    if (im->finished) return msg(err, errlen, "%s: the import is finished", file);
    trc_import old = *im;
    trc_kind k = fmt == TRC_FMT_SPOT_PRICE_HISTORY ? TRC_KIND_PRICES
                                                   : TRC_KIND_METRICS;
    if (fmt == TRC_FMT_CSV) {
        k = csv_kind(text, len);
        if (k == TRC_KIND_NONE)
            return msg(err, errlen,
                       "%s: the header is neither a prices CSV "
                       "(Timestamp,InstanceType,AvailabilityZone,SpotPrice) nor "
                       "a metrics CSV (Timestamp,TargetCapacity,...)",
                       file);
    }
    if (want_kind(im, k, file, err, errlen)) return -1;
    int rc;
    switch (fmt) {
    case TRC_FMT_SPOT_PRICE_HISTORY: {
        bstream s;
        bs_open_mem(&s, file, text, len, err, errlen);
        rc = spot_stream(im, &s);
        break;
    }
    case TRC_FMT_METRIC_STATISTICS:
        rc = json_pages(im, file, text, len, page_gms, err, errlen);
        break;
    case TRC_FMT_METRIC_DATA:
        rc = json_pages(im, file, text, len, page_gmd, err, errlen);
        break;
    case TRC_FMT_POLICY_EVAL:
        rc = obs_lines(im, file, text, len, err, errlen);
        break;
    case TRC_FMT_CSV:
        rc = k == TRC_KIND_PRICES ? csv_prices(im, file, text, len, err, errlen)
                                  : csv_metrics(im, file, text, len, err, errlen);
        break;
    default:
        rc = msg(err, errlen, "%s: no format given", file);
    }
    if (rc) {
        /* Forget this input's records; the arrays may have moved. */
        im->n = old.n;
        im->npools = old.npools;
        im->read = old.read;
        im->filtered = old.filtered;
        im->kind = old.kind;
        im->ns = old.ns;
        im->not_read = old.not_read;
        return -1;
    }
    return 0;
}

/* ---- sort and dedupe ----------------------------------------------------- */

static int cmp_series_t(const void *a, const void *b) {
    const trc_rec *x = a, *y = b;
    if (x->series != y->series) return x->series < y->series ? -1 : 1;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_t_series(const void *a, const void *b) {
    const trc_rec *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return (x->series > y->series) - (x->series < y->series);
}

/* A pool and its number before sorting (qsort has no context argument, so
** the old number travels with the pool). */
typedef struct {
    trc_pool p;
    uint32_t old;
} pool_ord;

static int cmp_pool_ord(const void *a, const void *b) {
    const pool_ord *x = a, *y = b;
    int c = strcmp(x->p.type, y->p.type);
    return c ? c : strcmp(x->p.az, y->p.az);
}

int trc_import_finish(trc_import *im, char *err, size_t errlen) {
    if (im->finished) return 0;
    if (im->n == 0)
        return msg(err, errlen, "no records%s",
                   im->filtered ? " of the chosen product (all were filtered)"
                                : "");
    if (im->kind == TRC_KIND_PRICES && im->npools > 1) {
        /* Number the pools by (InstanceType, AvailabilityZone), so the CSV's
        ** rows at one Timestamp come in a stable order. */
        pool_ord *ord = malloc(im->npools * sizeof *ord);
        uint32_t *rank = malloc(im->npools * sizeof *rank);
        if (!ord || !rank) {
            free(ord), free(rank);
            return msg(err, errlen, "out of memory");
        }
        for (uint32_t i = 0; i < im->npools; i++)
            ord[i] = (pool_ord){im->pools[i], i};
        qsort(ord, im->npools, sizeof *ord, cmp_pool_ord);
        for (uint32_t i = 0; i < im->npools; i++) {
            rank[ord[i].old] = i;
            im->pools[i] = ord[i].p;
        }
        for (size_t i = 0; i < im->n; i++)
            im->recs[i].series = rank[im->recs[i].series];
        free(ord), free(rank);
    }
    /* seq is unique, so qsort's instability cannot show. */
    qsort(im->recs, im->n, sizeof *im->recs, cmp_series_t);
    size_t k = 0;
    for (size_t i = 0; i < im->n; i++) {
        trc_rec r = im->recs[i];
        if (k && im->recs[k - 1].series == r.series && im->recs[k - 1].t == r.t) {
            /* The later record in input order (this one) wins. */
            if (im->recs[k - 1].v == r.v) im->dup_same++;
            else im->dup_diff++;
            im->recs[k - 1] = r;
            continue;
        }
        im->recs[k++] = r;
    }
    im->n = k;
    if (im->kind == TRC_KIND_PRICES) {
        /* A price holds until it changes: a record repeating it adds
        ** nothing. */
        k = 0;
        for (size_t i = 0; i < im->n; i++) {
            if (k && im->recs[k - 1].series == im->recs[i].series &&
                im->recs[k - 1].v == im->recs[i].v) {
                im->unchanged++;
                continue;
            }
            im->recs[k++] = im->recs[i];
        }
        im->n = k;
    } else {
        int has[POL_NMETRICS] = {0};
        for (size_t i = 0; i < im->n; i++) has[im->recs[i].series] = 1;
        if (!has[POL_TARGET])
            return msg(err, errlen, "no TargetCapacity datapoints (a direct-mode "
                                    "metrics CSV needs them)");
        if (!has[POL_FULFILLED] && !has[POL_PENDING])
            return msg(err, errlen,
                       "neither FulfilledCapacity nor PendingCapacity datapoints "
                       "(a direct-mode metrics CSV needs one of them)");
        /* 300 s when every Timestamp is on 5 minutes and no series has two
        ** datapoints closer than that; otherwise 60 s. */
        im->period = 300;
        for (size_t i = 0; i < im->n && im->period == 300; i++) {
            if (im->recs[i].t % 300) im->period = 60;
            if (i && im->recs[i - 1].series == im->recs[i].series &&
                im->recs[i].t - im->recs[i - 1].t < 300)
                im->period = 60;
        }
    }
    im->finished = 1;
    return 0;
}

/* ---- output and figures -------------------------------------------------- */

/* Plain decimals with at most 9 decimals, written without printf: the
** fewest decimals k for which m / 10^k is v, with m and 10^k exact doubles,
** so the division is strtod's own correctly rounded result (prices such as
** 0.0397 all take this path). Returns 0 when v is not that simple. */
static int fast_decimal(char *buf, size_t n, double v) {
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4,
                                 1e5, 1e6, 1e7, 1e8, 1e9};
    if (!(v >= 0) || v >= 1e6 || n < 32) return 0;
    for (int k = 0; k <= 9; k++) {
        double m = floor(v * p10[k] + 0.5);
        if (m / p10[k] != v) continue;
        uint64_t im = (uint64_t)m, ip = im, frac;
        uint64_t div = (uint64_t)p10[k];
        ip = im / div;
        frac = im % div;
        char tmp[24];
        int t = 0;
        do tmp[t++] = (char)('0' + ip % 10), ip /= 10; while (ip);
        size_t o = 0;
        while (t) buf[o++] = tmp[--t];
        if (k) {
            buf[o++] = '.';
            for (int d = k - 1; d >= 0; d--, frac /= 10)
                buf[o + (size_t)d] = (char)('0' + frac % 10);
            o += (size_t)k;
        }
        buf[o] = '\0';
        return 1;
    }
    return 0;
}

void trc_fmt_number(char *buf, size_t n, double v) {
    if (fast_decimal(buf, n, v)) return;
    /* %.15g drops trailing zeros; a value it cannot hold exactly takes more
    ** digits, up to the 17 that always read back. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

/* trc_time_format() without printf: the date is formatted once per day
** (rows come in time order), the time of day by hand. buf: >= 21 bytes. */
static void time_text(int64_t t, char *buf, int64_t *cached_day) {
    int64_t day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t sec = t - day * 86400;
    if (day != *cached_day) {
        trc_time_format(day * 86400, buf, 32);
        *cached_day = day;
    }
    int h = (int)(sec / 3600), m = (int)(sec / 60 % 60), s = (int)(sec % 60);
    buf[11] = (char)('0' + h / 10), buf[12] = (char)('0' + h % 10);
    buf[14] = (char)('0' + m / 10), buf[15] = (char)('0' + m % 10);
    buf[17] = (char)('0' + s / 10), buf[18] = (char)('0' + s % 10);
}

int trc_import_write_csv(const trc_import *im, FILE *f) {
    trc_rec *rows = malloc((im->n ? im->n : 1) * sizeof *rows);
    if (!rows) return -1;
    memcpy(rows, im->recs, im->n * sizeof *rows);
    qsort(rows, im->n, sizeof *rows, cmp_t_series);
    char ts[32], num[40];
    if (im->kind == TRC_KIND_PRICES) {
        fputs("Timestamp,InstanceType,AvailabilityZone,SpotPrice\n", f);
        /* Rows built by hand: printf was most of an import's time. */
        char row[256];
        int64_t day = INT64_MIN; /* ts holds no date yet */
        /* Each pool's two fields, quoted once (RFC 4180) when they need it:
        ** a type or zone holding ',', '"' or a line break stays one field. */
        char (*pq)[2][2 * sizeof im->pools[0].type + 3] =
            malloc((im->npools ? im->npools : 1) * sizeof *pq);
        if (!pq) {
            free(rows);
            return -1;
        }
        for (size_t i = 0; i < im->npools; i++) {
            trc_csv_quote(pq[i][0], sizeof pq[i][0], im->pools[i].type);
            trc_csv_quote(pq[i][1], sizeof pq[i][1], im->pools[i].az);
        }
        for (size_t i = 0; i < im->n; i++) {
            time_text(rows[i].t, ts, &day);
            trc_fmt_number(num, sizeof num, rows[i].v);
            size_t o = 0;
            const char *parts[] = {ts, pq[rows[i].series][0], pq[rows[i].series][1], num};
            for (int k = 0; k < 4; k++) {
                size_t l = strlen(parts[k]);
                memcpy(row + o, parts[k], l);
                o += l;
                row[o++] = k < 3 ? ',' : '\n';
            }
            fwrite(row, 1, o, f);
        }
        free(pq);
    } else {
        /* Only the metrics with datapoints get a column: the simulator
        ** computes a missing PendingCapacity (or FulfilledCapacity) from the
        ** other two only when its column is absent. */
        static const pol_metric order[] = {POL_TARGET, POL_FULFILLED,
                                           POL_PENDING, POL_TERMINATING};
        int has[POL_NMETRICS] = {0};
        for (size_t i = 0; i < im->n; i++) has[rows[i].series] = 1;
        fputs("Timestamp", f);
        for (int c = 0; c < 4; c++)
            if (has[order[c]]) fprintf(f, ",%s", pol_metric_name(order[c]));
        fputc('\n', f);
        for (size_t i = 0; i < im->n;) {
            double v[POL_NMETRICS];
            int got[POL_NMETRICS] = {0};
            int64_t t = rows[i].t;
            for (; i < im->n && rows[i].t == t; i++) {
                v[rows[i].series] = rows[i].v;
                got[rows[i].series] = 1;
            }
            trc_time_format(t, ts, sizeof ts);
            fputs(ts, f);
            for (int c = 0; c < 4; c++) {
                if (!has[order[c]]) continue;
                fputc(',', f);
                if (got[order[c]]) {
                    trc_fmt_number(num, sizeof num, v[order[c]]);
                    fputs(num, f);
                }
            }
            fputc('\n', f);
        }
    }
    free(rows);
    return ferror(f) ? -1 : 0;
}

void trc_import_span(const trc_import *im, int64_t *first, int64_t *last) {
    *first = *last = 0;
    for (size_t i = 0; i < im->n; i++) {
        if (i == 0 || im->recs[i].t < *first) *first = im->recs[i].t;
        if (i == 0 || im->recs[i].t > *last) *last = im->recs[i].t;
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

long trc_import_stats(const trc_import *im, double above,
                      trc_series_stats **out) {
    size_t ns = im->kind == TRC_KIND_PRICES ? im->npools : POL_NMETRICS;
    trc_series_stats *st = calloc(ns ? ns : 1, sizeof *st);
    double *vals = malloc((im->n ? im->n : 1) * sizeof *vals);
    if (!st || !vals) {
        free(st);
        free(vals);
        return -1;
    }
    int64_t first, end;
    trc_import_span(im, &first, &end);
    /* recs are sorted by (series, t): each series is one run. */
    for (size_t i = 0; i < im->n;) {
        size_t j = i;
        uint32_t s = im->recs[i].series;
        while (j < im->n && im->recs[j].series == s) j++;
        trc_series_stats *x = &st[s];
        x->n = j - i;
        x->first = im->recs[i].t;
        x->last = im->recs[j - 1].t;
        for (size_t k = i; k < j; k++) vals[k - i] = im->recs[k].v;
        qsort(vals, x->n, sizeof *vals, cmp_double);
        x->min = vals[0];
        x->max = vals[x->n - 1];
        x->median = x->n % 2 ? vals[x->n / 2]
                             : (vals[x->n / 2 - 1] + vals[x->n / 2]) / 2;
        if (above >= 0) {
            int64_t start = 0;
            int in = 0;
            for (size_t k = i; k <= j; k++) {
                int64_t t = k < j ? im->recs[k].t : end;
                int hi = k < j && im->recs[k].v > above;
                if (in && (!hi || k == j)) {
                    int64_t len = t - start;
                    x->above_total += len;
                    if (len > x->above_longest) x->above_longest = len;
                    in = 0;
                    if (k == j) x->open_at_end = 1;
                }
                if (hi && !in) {
                    in = 1;
                    start = t;
                    x->episodes++;
                }
            }
        }
        i = j;
    }
    free(vals);
    *out = st;
    return (long)ns;
}
