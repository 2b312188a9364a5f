/*
** obsjson.c: the observation / decision JSON Lines format of
** `spotbench policy eval` (see traces.h for the shape).
**
** A small purpose-built reader rather than a general JSON tree: an eval of a
** million observations would otherwise spend most of its time allocating and
** freeing tree nodes. It still accepts any valid JSON spelling of the format
** (white space, escapes, exponents) and rejects everything else with a
** message naming the field. What a string escape reads as is one rule
** (trc_json_unescape and trc_json_unescape_u, below), which the streamed
** price-history reader of import.c shares.
*/
#include "traces.h"
#include "traces/text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s;    /* next character */
    const char *end;  /* the line's terminating NUL */
    char *err;
    size_t errlen;
    const char *pre;  /* the field being read, for messages: pre + name */
    const char *name;
    long index;       /* >= 0: the element of that field being read */
} rd;

/* Names the field being read. Both strings must outlive any fail() call
** made while reading it. */
static void field(rd *r, const char *pre, const char *name) {
    r->pre = pre;
    r->name = name;
}

/* Records what is wrong. The message names the field only now, on failure,
** so reading a valid line formats no strings. */
static int fail(rd *r, const char *what) {
    if (r->index >= 0)
        snprintf(r->err, r->errlen, "%s%s[%ld]: %s", r->pre, r->name,
                 r->index, what);
    else
        snprintf(r->err, r->errlen, "%s%s%s%s", r->pre, r->name,
                 r->pre[0] || r->name[0] ? ": " : "", what);
    return -1;
}

/* The readers below run for every character of a million-line eval: the
** hot helpers are inlined and the error paths kept out of line. */
static inline __attribute__((always_inline)) void ws(rd *r) {
    const char *p = r->s;
    while ((unsigned char)*p <= ' ' && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    r->s = p;
}

static inline __attribute__((always_inline)) int eat(rd *r, char c) {
    if (*r->s != c) { /* most often the very next character is it, or one space before */
        ws(r);
        if (*r->s != c) return 0;
    }
    r->s++;
    return 1;
}

static __attribute__((noinline)) int expect_fail(rd *r, const char *what) {
    if (*r->s == '\0') return fail(r, "unexpected end of line (truncated JSON?)");
    char msg[96];
    snprintf(msg, sizeof msg, "expected %s", what);
    return fail(r, msg);
}

static inline __attribute__((always_inline)) int expect(rd *r, char c,
                                                       const char *what) {
    return eat(r, c) ? 0 : expect_fail(r, what);
}

/* Reads a JSON string into out (truncated to n-1 bytes; longer strings are
** never valid keys or values here, so they fail later by not matching). */
static int string(rd *r, char *out, size_t n) {
    size_t k = 0;
    ws(r);
    if (*r->s != '"') return fail(r, "expected a string");
    r->s++;
    for (;;) {
        /* Plain characters in a run; an escape, the end or a control
        ** character below. */
        const char *p = r->s;
        while ((unsigned char)*p >= 0x20 && *p != '"' && *p != '\\') {
            if (k + 1 < n) out[k++] = *p;
            p++;
        }
        r->s = p;
        unsigned char c = (unsigned char)*r->s++;
        if (c == '"') break;
        if (c == '\0') return fail(r, "unterminated string");
        if (c < 0x20) return fail(r, "control character in string");
        if (c == '\\') {
            char e = *r->s++;
            int v;
            if (e == 'u') {
                v = trc_json_unescape_u(r->s);
                if (v < 0) return fail(r, "bad \\u escape in string");
                r->s += 4;
            } else if ((v = trc_json_unescape(e)) < 0) {
                return fail(r, "bad escape in string");
            }
            c = (unsigned char)v;
        }
        if (k + 1 < n) out[k++] = (char)c;
    }
    out[k] = '\0';
    return 0;
}

/* Reads a JSON number. Plain integers take a fast path; anything with a
** fraction or exponent goes through strtod. */
static int number(rd *r, double *out) {
    ws(r);
    const char *p = r->s;
    int neg = 0;
    if (*p == '-') { neg = 1; p++; }
    if (*p < '0' || *p > '9') return fail(r, "expected a number");
    if (*p == '0' && p[1] >= '0' && p[1] <= '9')
        return fail(r, "numbers may not have leading zeros");
    const char *q = p;
    uint64_t v = 0;
    for (unsigned d; (d = (unsigned)(*q - '0')) < 10; q++) v = v * 10 + d;
    /* Up to 18 digits the value is exact (wrapped longer ones go below). */
    if (q - p <= 18 && *q != '.' && *q != 'e' && *q != 'E') {
        *out = neg ? -(double)(int64_t)v : (double)(int64_t)v;
        r->s = q;
        return 0;
    }
    char *end;
    errno = 0;
    double d = strtod(r->s, &end);
    if (end == r->s) return fail(r, "expected a number");
    if (errno == ERANGE && fabs(d) > 1) return fail(r, "number out of range");
    /* strtod accepts forms JSON does not (hex, inf, nan): a JSON number is
    ** digits, '.', 'e', signs only. */
    for (const char *c = r->s; c < end; c++)
        if (!strchr("0123456789.eE+-", *c)) return fail(r, "expected a number");
    r->s = end;
    *out = d;
    return 0;
}

static int literal(rd *r, const char *word) {
    ws(r);
    size_t n = strlen(word);
    if (strncmp(r->s, word, n) != 0) return 0;
    r->s += n;
    return 1;
}

/* A timestamp: epoch seconds (a whole number) or an ISO-8601 UTC string. */
static int timestamp(rd *r, int64_t *out) {
    ws(r);
    if (*r->s == '"') {
        char buf[48];
        if (string(r, buf, sizeof buf)) return -1;
        if (trc_time_parse(buf, out))
            return fail(r, "not an ISO-8601 UTC time (2017-03-01T12:00:00Z)");
        return 0;
    }
    /* Epoch seconds as digits: read directly (what number() then the
    ** checks below give for them). */
    const char *p = r->s;
    uint64_t v = 0;
    if (r->end - p >= 8 && trc_digits8(p, &v)) p += 8; /* today's 10 digits */
    for (unsigned dg; (dg = (unsigned)(*p - '0')) < 10; p++) v = v * 10 + dg;
    if (p > r->s && p - r->s <= 15 && (r->s[0] != '0' || p - r->s == 1) && *p != '.' &&
        *p != 'e' && *p != 'E' && v <= (uint64_t)TRC_TIME_MAX) {
        *out = (int64_t)v;
        r->s = p;
        return 0;
    }
    double d;
    if (number(r, &d)) return fail(r, "expected epoch seconds or an ISO-8601 time");
    if (d != floor(d)) return fail(r, "epoch seconds must be a whole number");
    if (d < (double)TRC_TIME_MIN || d > (double)TRC_TIME_MAX)
        return fail(r, "epoch seconds must lie between year 0 and 9999");
    *out = (int64_t)d;
    return 0;
}

static int cmp_point(const void *a, const void *b) {
    const pol_point *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* "Name": [[t, v], ...] */
static int series(rd *r, trc_obsbuf *b, int m, pol_obs *o) {
    size_t n = 0;
    int sorted = 1;
    if (expect(r, '[', "an array of [Timestamp, value] pairs")) return -1;
    if (!eat(r, ']')) {
        do {
            r->index = (long)n;
            if (n == b->cap[m]) {
                size_t cap = b->cap[m] ? 2 * b->cap[m] : 64;
                pol_point *p = realloc(b->pts[m], cap * sizeof *p);
                if (!p) return fail(r, "out of memory");
                b->pts[m] = p;
                b->cap[m] = cap;
            }
            pol_point *pt = &b->pts[m][n];
            if (expect(r, '[', "[Timestamp, value]") || timestamp(r, &pt->t) ||
                expect(r, ',', "',' between Timestamp and value") ||
                number(r, &pt->v) || expect(r, ']', "']' after the value"))
                return -1;
            if (pt->v < 0) return fail(r, "value must be >= 0");
            if (n && pt->t <= b->pts[m][n - 1].t) sorted = 0;
            n++;
        } while (eat(r, ','));
        r->index = -1;
        if (expect(r, ']', "',' or ']'")) return -1;
    }
    if (!sorted) {
        qsort(b->pts[m], n, sizeof(pol_point), cmp_point);
        for (size_t i = 1; i < n; i++)
            if (b->pts[m][i].t == b->pts[m][i - 1].t) {
                char ts[32];
                trc_time_format(b->pts[m][i].t, ts, sizeof ts);
                char msg[96];
                snprintf(msg, sizeof msg, "two datapoints with Timestamp %s", ts);
                return fail(r, msg);
            }
    }
    o->m[m].pts = b->pts[m];
    o->m[m].n = n;
    return 0;
}

static int metrics(rd *r, trc_obsbuf *b, pol_obs *o, int *seen) {
    field(r, "metrics", "");
    if (literal(r, "null")) return 0;
    if (expect(r, '{', "an object")) return -1;
    if (eat(r, '}')) return 0;
    do {
        char key[48];
        field(r, "metrics", "");
        if (string(r, key, sizeof key)) return -1;
        int m = pol_metric_find(key);
        field(r, "metrics.", key);
        if (m < 0)
            return fail(r, "unknown metric (TargetCapacity, PendingCapacity, "
                           "FulfilledCapacity, TerminatingCapacity)");
        if (seen[m]) return fail(r, "given twice");
        seen[m] = 1;
        if (expect(r, ':', "':'") || series(r, b, m, o)) return -1;
    } while (eat(r, ','));
    field(r, "metrics", "");
    return expect(r, '}', "',' or '}'");
}

static int failed(rd *r, pol_obs *o) {
    field(r, "failed", "");
    if (expect(r, '[', "an array of metric names")) return -1;
    if (eat(r, ']')) return 0;
    size_t i = 0;
    do {
        char key[48];
        r->index = (long)i++;
        if (string(r, key, sizeof key)) return -1;
        int m = pol_metric_find(key);
        if (m < 0) return fail(r, "unknown metric");
        o->m[m].failed = 1;
    } while (eat(r, ','));
    r->index = -1;
    return expect(r, ']', "',' or ']'");
}

static int cmp_time(const void *a, const void *b) {
    const pol_point *x = a, *y = b;
    if (x->t != y->t) return (x->t > y->t) - (x->t < y->t);
    return (x->v > y->v) - (x->v < y->v);
}

/* "InterruptionWarnings": [[t, units], ...]: one pair per event, ties
** allowed (sorted here). */
static int event_list(rd *r, trc_obsbuf *b, int k, pol_obs *o) {
    size_t n = 0;
    if (expect(r, '[', "an array of [time, units] pairs")) return -1;
    if (!eat(r, ']')) {
        do {
            r->index = (long)n;
            if (n == b->evcap[k]) {
                size_t cap = b->evcap[k] ? 2 * b->evcap[k] : 16;
                pol_point *p = realloc(b->ev[k], cap * sizeof *p);
                if (!p) return fail(r, "out of memory");
                b->ev[k] = p;
                b->evcap[k] = cap;
            }
            pol_point *pt = &b->ev[k][n];
            if (expect(r, '[', "[time, units]") || timestamp(r, &pt->t) ||
                expect(r, ',', "',' between time and units") || number(r, &pt->v) ||
                expect(r, ']', "']' after the units"))
                return -1;
            if (pt->v < 0) return fail(r, "units must be >= 0");
            n++;
        } while (eat(r, ','));
        r->index = -1;
        if (expect(r, ']', "',' or ']'")) return -1;
    }
    if (n > 1) qsort(b->ev[k], n, sizeof(pol_point), cmp_time);
    o->events.ev[k] = b->ev[k];
    o->events.n[k] = n;
    return 0;
}

/* "events": null, or {"since": T, "InterruptionWarnings": [...],
** "RebalanceRecommendations": [...]}, each optional: an event source. */
static int events(rd *r, trc_obsbuf *b, pol_obs *o) {
    int seen[POL_NEVENTS + 1] = {0};
    field(r, "events", "");
    if (literal(r, "null")) return 0;
    if (expect(r, '{', "an object or null")) return -1;
    o->events.known = 1;
    o->events.since = INT64_MIN;
    if (eat(r, '}')) return 0;
    do {
        char key[48];
        field(r, "events", "");
        if (string(r, key, sizeof key)) return -1;
        field(r, "events.", key);
        int k = 0;
        while (k < POL_NEVENTS && strcmp(key, pol_event_key((pol_event_kind)k)) != 0) k++;
        if (k == POL_NEVENTS && strcmp(key, "since") != 0)
            return fail(r, "unknown field (since, InterruptionWarnings, "
                           "RebalanceRecommendations)");
        if (seen[k]) return fail(r, "given twice");
        seen[k] = 1;
        if (expect(r, ':', "':'")) return -1;
        if (k == POL_NEVENTS ? timestamp(r, &o->events.since) : event_list(r, b, k, o))
            return -1;
    } while (eat(r, ','));
    field(r, "events", "");
    return expect(r, '}', "',' or '}'");
}

/* "launch_failures": null, or [T, ...]: a source of failed spot launches
** (each the EndTime of a Failed scaling activity; sorted here). */
static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int launch_failures(rd *r, trc_obsbuf *b, pol_obs *o) {
    size_t n = 0;
    field(r, "launch_failures", "");
    if (literal(r, "null")) return 0;
    if (expect(r, '[', "an array of times or null")) return -1;
    o->launch_failures.known = 1;
    if (!eat(r, ']')) {
        do {
            r->index = (long)n;
            if (n == b->lfcap) {
                size_t cap = b->lfcap ? 2 * b->lfcap : 16;
                int64_t *p = realloc(b->lf, cap * sizeof *p);
                if (!p) return fail(r, "out of memory");
                b->lf = p;
                b->lfcap = cap;
            }
            if (timestamp(r, &b->lf[n])) return -1;
            n++;
        } while (eat(r, ','));
        r->index = -1;
        if (expect(r, ']', "',' or ']'")) return -1;
    }
    if (n > 1) qsort(b->lf, n, sizeof *b->lf, cmp_i64);
    o->launch_failures.t = b->lf;
    o->launch_failures.n = n;
    return 0;
}

static int asg_int(rd *r, int *out) {
    double d;
    if (number(r, &d)) return -1;
    if (d != floor(d) || d < 0 || d > 1e9)
        return fail(r, "must be a whole number >= 0");
    *out = (int)d;
    return 0;
}

static int asg(rd *r, pol_obs *o) {
    static const char *const keys[] = {"DesiredCapacity", "MinSize", "MaxSize",
                                       "InService"};
    int *dst[] = {&o->asg.desired, &o->asg.min_size, &o->asg.max_size,
                  &o->asg.in_service};
    int seen[4] = {0};
    field(r, "asg", "");
    if (literal(r, "null")) return 0;
    if (expect(r, '{', "an object or null")) return -1;
    if (!eat(r, '}')) {
        do {
            char key[48];
            field(r, "asg", "");
            if (string(r, key, sizeof key)) return -1;
            field(r, "asg.", key);
            int k = 0;
            while (k < 4 && strcmp(key, keys[k]) != 0) k++;
            if (k == 4)
                return fail(r, "unknown field (DesiredCapacity, MinSize, "
                               "MaxSize, InService)");
            if (expect(r, ':', "':'") || asg_int(r, dst[k])) return -1;
            seen[k] = 1;
        } while (eat(r, ','));
        field(r, "asg", "");
        if (expect(r, '}', "',' or '}'")) return -1;
    }
    for (int k = 0; k < 3; k++)
        if (!seen[k]) {
            field(r, "asg.", keys[k]);
            return fail(r, "missing");
        }
    if (!seen[3]) o->asg.in_service = o->asg.desired;
    if (o->asg.min_size > o->asg.max_size) {
        field(r, "asg.MinSize", "");
        return fail(r, "is above MaxSize");
    }
    o->asg.known = 1;
    return 0;
}

int trc_obs_parse(const char *line, trc_obsbuf *b, pol_obs *o, char *err,
                  size_t errlen) {
    rd r = {line, line + strlen(line), err, errlen, "", "", -1};
    int seen_now = 0, seen_asg = 0, seen_failed = 0, seen_metrics = 0,
        seen_period = 0, seen_events = 0, seen_lf = 0;
    int seen_m[POL_NMETRICS] = {0};
    memset(o, 0, sizeof *o);
    if (expect(&r, '{', "a JSON object")) return -1;
    if (!eat(&r, '}')) {
        do {
            char key[48];
            field(&r, "", "");
            if (string(&r, key, sizeof key) || expect(&r, ':', "':'")) return -1;
            int *seen;
            int rc;
            if (strcmp(key, "now") == 0) {
                seen = &seen_now;
                field(&r, "now", "");
                rc = timestamp(&r, &o->now);
            } else if (strcmp(key, "period") == 0) {
                double v;
                seen = &seen_period;
                field(&r, "period", "");
                rc = number(&r, &v);
                if (rc == 0 && (v < 60 || v > 86400 || v != (double)(int64_t)v ||
                                (int64_t)v % 60 != 0))
                    return fail(&r, "must be a whole number of minutes in "
                                    "seconds (60, 300, ...)");
                if (rc == 0) o->period = (int64_t)v;
            } else if (strcmp(key, "metrics") == 0) {
                seen = &seen_metrics;
                rc = metrics(&r, b, o, seen_m);
            } else if (strcmp(key, "failed") == 0) {
                seen = &seen_failed;
                rc = failed(&r, o);
            } else if (strcmp(key, "asg") == 0) {
                seen = &seen_asg;
                rc = asg(&r, o);
            } else if (strcmp(key, "events") == 0) {
                seen = &seen_events;
                rc = events(&r, b, o);
            } else if (strcmp(key, "launch_failures") == 0) {
                seen = &seen_lf;
                rc = launch_failures(&r, b, o);
            } else {
                field(&r, "", key);
                return fail(&r, "unknown field (now, period, metrics, failed, asg, events, "
                                "launch_failures)");
            }
            if (rc) return -1;
            if (*seen) {
                field(&r, "", key);
                return fail(&r, "given twice");
            }
            *seen = 1;
        } while (eat(&r, ','));
        field(&r, "", "");
        if (expect(&r, '}', "',' or '}'")) return -1;
    }
    ws(&r);
    if (*r.s != '\0') {
        field(&r, "", "");
        return fail(&r, "trailing characters after the JSON object");
    }
    if (!seen_now) {
        field(&r, "now", "");
        return fail(&r, "missing");
    }
    if (!seen_asg) {
        field(&r, "asg", "");
        return fail(&r, "missing (use null when the ASG could not be read)");
    }
    for (int m = 0; m < POL_NMETRICS; m++) {
        if (o->m[m].failed && o->m[m].n) {
            field(&r, "metrics.", pol_metric_name(m));
            return fail(&r, "has datapoints but is listed in failed");
        }
        if (o->m[m].failed) o->m[m].n = 0;
    }
    return 0;
}

void trc_obsbuf_free(trc_obsbuf *b) {
    for (int m = 0; m < POL_NMETRICS; m++) {
        free(b->pts[m]);
        b->pts[m] = NULL;
        b->cap[m] = 0;
    }
    for (int k = 0; k < POL_NEVENTS; k++) {
        free(b->ev[k]);
        b->ev[k] = NULL;
        b->evcap[k] = 0;
    }
    free(b->lf);
    b->lf = NULL;
    b->lfcap = 0;
}

/* Appends JSON-escaped s to buf at *k (bounded by n, counting as snprintf).
** Bytes that are not UTF-8 become U+FFFD: JSON text is UTF-8, and a name
** read from a file or a database may not be. */
static void put_escaped(char *buf, size_t n, size_t *kp, const char *s) {
    size_t k = *kp; /* a local: the stores to buf cannot alias it */
    /* While there is room: plain ASCII characters need only the one test. */
    while (k + 1 < n && (unsigned char)*s >= 0x20 && (unsigned char)*s < 0x80 && *s != '"' &&
           *s != '\\')
        buf[k++] = *s++;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') { /* the common case */
            if (k + 1 < n) buf[k] = (char)c;
            k++;
            i++;
            continue;
        }
        char tmp[8];
        size_t run = 1;
        if (c >= 0x80) {
            /* A valid multi-byte sequence is copied as it is. */
            size_t ok = trc_utf8_valid(s + i, len - i);
            if (ok) {
                run = 1;
                while (run < ok && ((unsigned char)s[i + run] & 0xC0) == 0x80) run++;
                for (size_t j = 0; j < run; j++, k++)
                    if (k + 1 < n) buf[k] = s[i + j];
                i += run;
                continue;
            }
            snprintf(tmp, sizeof tmp, "\\ufffd");
        } else if (c < 0x20) {
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
        } else {
            tmp[0] = '\\', tmp[1] = (char)c, tmp[2] = '\0';
        }
        for (const char *out = tmp; *out; out++, k++)
            if (k + 1 < n) buf[k] = *out;
        i++;
    }
    *kp = k;
}

/* Appends text and whole numbers as snprintf's %s and %lld would. */
static void put_text(char *buf, size_t n, size_t *k, const char *t) {
    size_t len = strlen(t), room = *k + 1 < n ? n - 1 - *k : 0;
    if (room) memcpy(buf + *k, t, len < room ? len : room);
    *k += len;
}

static void put_num(char *buf, size_t n, size_t *k, long long v) {
    char tmp[24], *p = tmp + sizeof tmp;
    *--p = '\0';
    unsigned long long x = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do *--p = (char)('0' + x % 10);
    while (x /= 10);
    if (v < 0) *--p = '-';
    put_text(buf, n, k, p);
}

size_t trc_json_escape(char *buf, size_t n, const char *s) {
    size_t k = 0;
    put_escaped(buf, n, &k, s);
    if (n) buf[k < n ? k : n - 1] = '\0';
    return k;
}

int trc_json_unescape(int e) {
    switch (e) {
    case '"': case '\\': case '/': return e;
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    }
    return -1;
}

int trc_json_hexdigit(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int trc_json_unescape_u(const char *h) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int d = trc_json_hexdigit(h[i]);
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v < 0x80 ? v : '?';
}

int trc_decision_format(char *buf, size_t n, int64_t now,
                        const pol_decision *d) {
    size_t k = 0;
    put_text(buf, n, &k, "{\"now\": ");
    put_num(buf, n, &k, (long long)now);
    if (d->action == POL_ACT_SET) {
        put_text(buf, n, &k, ", \"action\": \"set\", \"DesiredCapacity\": ");
        put_num(buf, n, &k, d->desired);
        put_text(buf, n, &k, d->honor_cooldown ? ", \"HonorCooldown\": true, \"reason\": \""
                                               : ", \"HonorCooldown\": false, \"reason\": \"");
    } else {
        put_text(buf, n, &k, ", \"action\": \"none\", \"reason\": \"");
    }
    put_escaped(buf, n, &k, d->reason);
    const char *tail = "\"}";
    for (; *tail; tail++, k++)
        if (k + 1 < n) buf[k] = *tail;
    if (n) buf[k < n ? k : n - 1] = '\0';
    return (int)k;
}

char *trc_obs_format(const pol_obs *o) {
    size_t cap = 320, len = 0;
    for (int m = 0; m < POL_NMETRICS; m++) cap += o->m[m].n * 48 + 48;
    for (int k = 0; k < POL_NEVENTS; k++) cap += o->events.n[k] * 48 + 48;
    cap += o->launch_failures.n * 24 + 32;
    char *s = malloc(cap);
    if (!s) return NULL;
#define PUT(...) (len += (size_t)snprintf(s + len, cap - len, __VA_ARGS__))
    PUT("{\"now\": %lld, ", (long long)o->now);
    if (o->period > 0 && o->period != 60) PUT("\"period\": %lld, ", (long long)o->period);
    PUT("\"metrics\": {");
    int first = 1;
    for (int m = 0; m < POL_NMETRICS; m++) {
        if (o->m[m].failed || o->m[m].n == 0) continue;
        PUT("%s\"%s\": [", first ? "" : ", ", pol_metric_name(m));
        first = 0;
        for (size_t i = 0; i < o->m[m].n; i++)
            PUT("%s[%lld, %.17g]", i ? ", " : "", (long long)o->m[m].pts[i].t,
                o->m[m].pts[i].v);
        PUT("]");
    }
    PUT("}, \"failed\": [");
    first = 1;
    for (int m = 0; m < POL_NMETRICS; m++)
        if (o->m[m].failed) {
            PUT("%s\"%s\"", first ? "" : ", ", pol_metric_name(m));
            first = 0;
        }
    if (o->asg.known)
        PUT("], \"asg\": {\"DesiredCapacity\": %d, \"MinSize\": %d, "
            "\"MaxSize\": %d, \"InService\": %d}",
            o->asg.desired, o->asg.min_size, o->asg.max_size,
            o->asg.in_service);
    else
        PUT("], \"asg\": null");
    /* Events only when there is a source: a line without them reads back
    ** as one without a source. */
    if (o->events.known) {
        PUT(", \"events\": {");
        if (o->events.since != INT64_MIN)
            PUT("\"since\": %lld, ", (long long)o->events.since);
        for (int k = 0; k < POL_NEVENTS; k++) {
            PUT("%s\"%s\": [", k ? ", " : "", pol_event_key((pol_event_kind)k));
            for (size_t i = 0; i < o->events.n[k]; i++)
                PUT("%s[%lld, %.17g]", i ? ", " : "", (long long)o->events.ev[k][i].t,
                    o->events.ev[k][i].v);
            PUT("]");
        }
        PUT("}");
    }
    /* Failed launches likewise, only with a source. */
    if (o->launch_failures.known) {
        PUT(", \"launch_failures\": [");
        for (size_t i = 0; i < o->launch_failures.n; i++)
            PUT("%s%lld", i ? ", " : "", (long long)o->launch_failures.t[i]);
        PUT("]");
    }
    PUT("}");
#undef PUT
    return s;
}
