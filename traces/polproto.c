/*
** polproto.c: reading what an external policy writes (polproto.h), with
** cJSON; every field checked.
*/
#include "traces/polproto.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static cJSON *parse_object(const char *line, char *err, size_t errlen) {
    cJSON *o = cJSON_Parse(line);
    if (!o || !cJSON_IsObject(o)) {
        snprintf(err, errlen, "not a JSON object");
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* The string field `key` of o into buf (n bytes): 0, or -1 when it is
** absent (with `need`) or not a string or too long. */
static int get_str(const cJSON *o, const char *key, int need, char *buf, size_t n,
                   const char *where, char *err, size_t errlen) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!x) {
        if (!need) return 0;
        snprintf(err, errlen, "%s%s: missing", where, key);
        return -1;
    }
    if (!cJSON_IsString(x) || !x->valuestring) {
        snprintf(err, errlen, "%s%s: expected a string", where, key);
        return -1;
    }
    if (strlen(x->valuestring) >= n) {
        snprintf(err, errlen, "%s%s: longer than %zu bytes", where, key, n - 1);
        return -1;
    }
    snprintf(buf, n, "%s", x->valuestring);
    return 0;
}

/* line as a JSON object whose "type" is `type`, or NULL after saying why
** in err. */
static cJSON *parse_typed(const char *line, const char *type, char *err, size_t errlen) {
    cJSON *o = parse_object(line, err, errlen);
    if (!o) return NULL;
    char got[16];
    if (get_str(o, "type", 1, got, sizeof got, "", err, errlen)) goto bad;
    if (strcmp(got, type) != 0) {
        snprintf(err, errlen, "type: expected \"%s\", got \"%s\"", type, got);
        goto bad;
    }
    return o;
bad:
    cJSON_Delete(o);
    return NULL;
}

static int get_num(const cJSON *o, const char *key, double *v, const char *where, char *err,
                   size_t errlen) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!x || !cJSON_IsNumber(x) || !isfinite(x->valuedouble)) {
        snprintf(err, errlen, "%s%s: %s", where, key, x ? "expected a number" : "missing");
        return -1;
    }
    *v = x->valuedouble;
    return 0;
}

/* A parameter's name: 1 or more of a-z, 0-9, '_', starting with a letter. */
static int name_ok(const char *s) {
    if (!(*s >= 'a' && *s <= 'z')) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
    return 1;
}

static int param_parse(const cJSON *q, trc_poldesc *d, size_t i, char *err, size_t errlen) {
    char where[TRC_PARAM_NAME_MAX + 32];
    snprintf(where, sizeof where, "params[%zu].", i);
    if (!cJSON_IsObject(q)) {
        snprintf(err, errlen, "params[%zu]: expected an object", i);
        return -1;
    }
    pol_param_def *p = &d->params[i];
    if (get_str(q, "name", 1, d->pname[i], sizeof d->pname[i], where, err, errlen)) return -1;
    if (!name_ok(d->pname[i])) {
        snprintf(err, errlen, "%sname: '%s' is not a parameter name (a-z, 0-9, '_', from a "
                 "letter)", where, d->pname[i]);
        return -1;
    }
    snprintf(where, sizeof where, "params.%s.", d->pname[i]);
    for (size_t k = 0; k < i; k++)
        if (!strcmp(d->pname[k], d->pname[i])) {
            snprintf(err, errlen, "params: '%s' twice", d->pname[i]);
            return -1;
        }
    d->punit[i][0] = d->pdesc[i][0] = '\0';
    if (get_num(q, "default", &p->def, where, err, errlen) ||
        get_num(q, "min", &p->min, where, err, errlen) ||
        get_num(q, "max", &p->max, where, err, errlen) ||
        get_str(q, "unit", 0, d->punit[i], sizeof d->punit[i], where, err, errlen) ||
        get_str(q, "description", 0, d->pdesc[i], sizeof d->pdesc[i], where, err, errlen))
        return -1;
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(q, "integer");
    if (in && !cJSON_IsBool(in)) {
        snprintf(err, errlen, "%sinteger: expected true or false", where);
        return -1;
    }
    p->integer = in && cJSON_IsTrue(in);
    if (!(p->min <= p->def && p->def <= p->max)) {
        snprintf(err, errlen, "%sdefault: %g is not between min %g and max %g", where, p->def,
                 p->min, p->max);
        return -1;
    }
    if (p->integer && p->def != floor(p->def)) {
        snprintf(err, errlen, "%sdefault: %g is not a whole number", where, p->def);
        return -1;
    }
    p->name = d->pname[i];
    p->unit = d->punit[i];
    p->desc = d->pdesc[i];
    return 0;
}

int trc_describe_parse(const char *line, trc_poldesc *d, char *err, size_t errlen) {
    memset(d, 0, sizeof *d);
    cJSON *o = parse_typed(line, "describe", err, errlen);
    if (!o) return -1;
    int rc = -1;
    double version;
    if (get_num(o, "protocol", &version, "", err, errlen)) goto out;
    if (version != TRC_POLPROTO_VERSION) {
        snprintf(err, errlen, "protocol: version %g, this spotbench speaks version %d", version,
                 TRC_POLPROTO_VERSION);
        goto out;
    }
    if (get_str(o, "name", 1, d->name, sizeof d->name, "", err, errlen) ||
        get_str(o, "summary", 0, d->summary, sizeof d->summary, "", err, errlen))
        goto out;
    if (!d->name[0]) {
        snprintf(err, errlen, "name: empty");
        goto out;
    }
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "reads");
    if (r) {
        if (!cJSON_IsArray(r)) {
            snprintf(err, errlen, "reads: expected an array of metric names");
            goto out;
        }
        const cJSON *m;
        d->reads = POL_READS_NONE;
        cJSON_ArrayForEach(m, r) {
            int k = cJSON_IsString(m) ? pol_metric_find(m->valuestring) : -1;
            if (k < 0) {
                snprintf(err, errlen, "reads: expected metric names (TargetCapacity, "
                         "PendingCapacity, FulfilledCapacity, TerminatingCapacity)");
                goto out;
            }
            d->reads = (d->reads & ~POL_READS_NONE) | POL_READS(k);
        }
    }
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(o, "events");
    if (ev && !cJSON_IsBool(ev)) {
        snprintf(err, errlen, "events: expected true or false");
        goto out;
    }
    d->reads_events = cJSON_IsTrue(ev);
    const cJSON *lf = cJSON_GetObjectItemCaseSensitive(o, "launch_failures");
    if (lf && !cJSON_IsBool(lf)) {
        snprintf(err, errlen, "launch_failures: expected true or false");
        goto out;
    }
    /* Reads the failed launches: a bit beside the metrics' (no "reads"
    ** list still means every metric). */
    if (cJSON_IsTrue(lf))
        d->reads = (d->reads ? d->reads : (1u << POL_NMETRICS) - 1) | POL_READS_LAUNCH_FAILURES;
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(o, "params");
    if (ps && !cJSON_IsArray(ps)) {
        snprintf(err, errlen, "params: expected an array");
        goto out;
    }
    int n = ps ? cJSON_GetArraySize(ps) : 0;
    if (n > POL_MAX_PARAMS) {
        snprintf(err, errlen, "params: %d, at most %d", n, POL_MAX_PARAMS);
        goto out;
    }
    for (int i = 0; i < n; i++)
        if (param_parse(cJSON_GetArrayItem(ps, i), d, (size_t)i, err, errlen)) goto out;
    d->nparams = (size_t)n;
    rc = 0;
out:
    cJSON_Delete(o);
    return rc;
}

int trc_lookback_parse(const char *line, int64_t *seconds, char *err, size_t errlen) {
    cJSON *o = parse_typed(line, "lookback", err, errlen);
    if (!o) return -1;
    int rc = -1;
    double v;
    if (get_num(o, "seconds", &v, "", err, errlen)) goto out;
    if (v != floor(v) || v < 0 || v > 1e9) {
        snprintf(err, errlen, "seconds: expected a whole number from 0 to 1000000000, got %g",
                 v);
        goto out;
    }
    *seconds = (int64_t)v;
    rc = 0;
out:
    cJSON_Delete(o);
    return rc;
}

static int get_bool(const cJSON *o, const char *key, int need, int *v, char *err,
                    size_t errlen) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!x && !need) return 0;
    if (!x || !cJSON_IsBool(x)) {
        snprintf(err, errlen, "%s: %s", key, x ? "expected true or false" : "missing");
        return -1;
    }
    *v = cJSON_IsTrue(x);
    return 0;
}

int trc_decision_parse(const char *line, int64_t now, pol_decision *d, char *err,
                       size_t errlen) {
    cJSON *o = parse_object(line, err, errlen);
    if (!o) return -1;
    int rc = -1;
    double t, n;
    char action[8];
    if (get_num(o, "now", &t, "", err, errlen)) goto out;
    if (t != (double)now) {
        snprintf(err, errlen, "now: %.17g, but the observation's now is %lld", t,
                 (long long)now);
        goto out;
    }
    if (get_str(o, "action", 1, action, sizeof action, "", err, errlen)) goto out;
    d->action = POL_ACT_NONE;
    d->desired = 0;
    d->honor_cooldown = 0;
    d->held = 0;
    if (!strcmp(action, "set")) {
        d->action = POL_ACT_SET;
        if (get_num(o, "DesiredCapacity", &n, "", err, errlen)) goto out;
        if (n != floor(n) || n < 0 || n > INT_MAX) {
            snprintf(err, errlen, "DesiredCapacity: expected a whole number from 0 to %d, "
                     "got %g", INT_MAX, n);
            goto out;
        }
        d->desired = (int)n;
        if (get_bool(o, "HonorCooldown", 1, &d->honor_cooldown, err, errlen)) goto out;
    } else if (strcmp(action, "none") != 0) {
        snprintf(err, errlen, "action: expected \"none\" or \"set\", got \"%s\"", action);
        goto out;
    }
    if (get_bool(o, "held", 0, &d->held, err, errlen)) goto out;
    if (d->action == POL_ACT_SET && d->held) {
        snprintf(err, errlen, "held: only a \"none\" decision holds");
        goto out;
    }
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "reason");
    d->reason[0] = '\0';
    if (r && !cJSON_IsString(r)) {
        snprintf(err, errlen, "reason: expected a string");
        goto out;
    }
    if (r) snprintf(d->reason, sizeof d->reason, "%s", r->valuestring);
    rc = 0;
out:
    cJSON_Delete(o);
    return rc;
}

int trc_params_format(char *buf, size_t n, const pol_param_def *defs, size_t nparams,
                      const pol_params *p) {
    size_t k = 0;
#define PUT(...)                                                                          \
    do {                                                                                  \
        int w_ = snprintf(k < n ? buf + k : NULL, k < n ? n - k : 0, __VA_ARGS__);        \
        k += w_ > 0 ? (size_t)w_ : 0;                                                     \
    } while (0)
    PUT("{");
    for (size_t i = 0; i < nparams; i++)
        PUT("%s\"%s\": %.17g", i ? ", " : "", defs[i].name, p->v[i]);
    PUT("}");
#undef PUT
    return (int)k;
}
