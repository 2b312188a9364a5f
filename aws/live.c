/*
** live.c: the live controller: its JSON config, one tick (observe, decide,
** cap, maybe apply), the line a tick prints, and the loop.
**
** A tick never turns a failure into a number: a metric that could not be
** fetched is a failed series, a group that could not be described is an
** unknown group, and the policy decides knowing that (both policies then do
** nothing). The max_on_demand cap is applied after the policy, whatever the
** policy, so a policy bug or a bad parameter cannot buy more than the budget.
*/
#include "aws_int.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "traces/text.h"
#include "traces/traces.h"

/* ---- Config ---- */

static const char *const config_keys[] = {
    "region",  "FleetRequestId", "AutoScalingGroupName", "policy",
    "params",  "interval",       "max_on_demand",        "endpoints",
    "connect_timeout", "timeout", "max_attempts",        "SpotAutoScalingGroupName",
    "EventQueueUrl", NULL};

static int is_key(const char *k, const char *const *keys) {
    for (; *keys; keys++)
        if (strcmp(k, *keys) == 0) return 1;
    return 0;
}

/* Checks an object's keys: each known, none twice. */
static int check_keys(const cJSON *obj, const char *const *keys,
                      const char *pre, char *err, size_t errlen) {
    for (const cJSON *a = obj->child; a; a = a->next) {
        if (!is_key(a->string, keys)) {
            size_t n = 0;
            while (keys[n]) n++;
            const char *near = trc_closest(a->string, keys, n);
            snprintf(err, errlen, "unknown key '%s%.80s'%s%s%s%s", pre, a->string,
                     near ? " (did you mean '" : "", near ? pre : "", near ? near : "",
                     near ? "'?)" : "");
            return -1;
        }
        for (const cJSON *b = obj->child; b != a; b = b->next)
            if (strcmp(a->string, b->string) == 0) {
                snprintf(err, errlen, "key '%s%s' given twice", pre,
                         a->string);
                return -1;
            }
    }
    return 0;
}

/* Reads a string member. Returns 1 when present, 0 when absent, -1. */
static int get_string(const cJSON *root, const char *key, char *out,
                      size_t n, char *err, size_t errlen) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v) return 0;
    if (!cJSON_IsString(v)) {
        snprintf(err, errlen, "%s: must be a string", key);
        return -1;
    }
    if (aws_copy(out, n, v->valuestring)) {
        snprintf(err, errlen, "%s: longer than %zu characters", key, n - 1);
        return -1;
    }
    if (trc_has_ctl(out)) { /* a name or id, printed in every message */
        snprintf(err, errlen, "%s: must not hold control characters", key);
        return -1;
    }
    return 1;
}

/* Reads a number member within [min, max] (whole when `integer`). */
static int get_number(const cJSON *root, const char *key, double min,
                      double max, int integer, double *out, char *err,
                      size_t errlen) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v) return 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
        snprintf(err, errlen, "%s: must be a number", key);
        return -1;
    }
    double d = v->valuedouble;
    if (integer && d != floor(d)) {
        snprintf(err, errlen, "%s: must be a whole number", key);
        return -1;
    }
    if (d < min || d > max) {
        snprintf(err, errlen, "%s: must be between %g and %g", key, min, max);
        return -1;
    }
    *out = d;
    return 1;
}

static int id_ok(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-'))
            return 0;
    return 1;
}

static int printable(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 0;
    return 1;
}

/* A name still as `deploy live-config` wrote it ("<AutoScalingGroupName>"):
** AWS would be asked for a group of that name. */
static int placeholder(const char *s) {
    size_t n = strlen(s);
    return n > 2 && s[0] == '<' && s[n - 1] == '>';
}

static int parse_params(const cJSON *obj, aws_live_config *out, char *err,
                        size_t errlen) {
    if (!cJSON_IsObject(obj)) {
        snprintf(err, errlen, "params: must be an object");
        return -1;
    }
    for (const cJSON *p = obj->child; p; p = p->next) {
        char e2[200];
        double v;
        if (cJSON_IsNumber(p))
            v = p->valuedouble;
        else if (cJSON_IsBool(p))
            v = cJSON_IsTrue(p) ? 1 : 0;
        else {
            snprintf(err, errlen, "params.%.80s: must be a number", p->string);
            return -1;
        }
        if (pol_param_put(out->policy, &out->params, p->string, v, e2, sizeof e2)) {
            const char *names[64];
            size_t n = 0;
            for (size_t i = 0; i < out->policy->nparams && n < 64; i++)
                names[n++] = out->policy->params[i].name;
            const char *near =
                pol_param_index(out->policy, p->string) < 0 ? trc_closest(p->string, names, n)
                                                            : NULL;
            snprintf(err, errlen, "params.%.80s: %s%s%s%s", p->string, e2,
                     near ? " (did you mean 'params." : "", near ? near : "", near ? "'?)" : "");
            return -1;
        }
    }
    return 0;
}

static int parse_endpoints(const cJSON *obj, aws_live_config *out, char *err,
                           size_t errlen) {
    static const char *const keys[] = {"cloudwatch", "autoscaling", "ec2",
                                       NULL};
    if (!cJSON_IsObject(obj)) {
        snprintf(err, errlen, "endpoints: must be an object");
        return -1;
    }
    if (check_keys(obj, keys, "endpoints.", err, errlen)) return -1;
    for (int s = 0; s < AWS_NSERVICES; s++) {
        char key[32], e2[AWS_ERR_MAX];
        snprintf(key, sizeof key, "%s", aws_service_key((aws_service)s));
        int r = get_string(obj, key, out->endpoint[s], sizeof out->endpoint[s],
                           e2, sizeof e2);
        if (r < 0) {
            snprintf(err, errlen, "endpoints.%s", e2);
            return -1;
        }
        if (r > 0 && aws_url_check(out->endpoint[s], e2, sizeof e2)) {
            snprintf(err, errlen, "endpoints.%s: %s", key, e2);
            return -1;
        }
    }
    return 0;
}

int aws_live_config_parse(const char *json, aws_live_config *out, char *err,
                          size_t errlen) {
    return aws_live_config_parse_with(json, NULL, NULL, out, err, errlen);
}

void aws_live_config_free(aws_live_config *cfg) {
    if (cfg->policy_owned) pol_close(cfg->policy);
    cfg->policy_owned = 0;
    cfg->policy = NULL;
}

int aws_live_config_parse_with(const char *json, aws_policy_open_fn open, void *ctx,
                               aws_live_config *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &end, 1);
    if (!root) {
        int line = 1;
        for (const char *p = json; end && p < end && *p; p++)
            if (*p == '\n') line++;
        snprintf(err, errlen, "line %d: not valid JSON", line);
        return -1;
    }
    int rc = -1;
    double d;
    char pol[POL_SPEC_MAX] = "guarded";
    if (!cJSON_IsObject(root)) {
        snprintf(err, errlen, "the config must be a JSON object");
        goto out;
    }
    if (check_keys(root, config_keys, "", err, errlen)) goto out;
    if (get_string(root, "region", out->region, sizeof out->region, err,
                   errlen) < 0)
        goto out;
    if (out->region[0]) {
        char tmp[64];
        if (aws_region_resolve(out->region, tmp, sizeof tmp, err, errlen))
            goto out;
    }
    /* The spot capacity: a Spot Fleet, or a spot Auto Scaling group. */
    int g = get_string(root, "SpotAutoScalingGroupName", out->spot_group,
                       sizeof out->spot_group, err, errlen);
    if (g < 0) goto out;
    if (g > 0 && !printable(out->spot_group)) {
        snprintf(err, errlen, "SpotAutoScalingGroupName: must be 1-255 printable characters");
        goto out;
    }
    if (g > 0 && placeholder(out->spot_group)) {
        snprintf(err, errlen, "SpotAutoScalingGroupName: \"%.60s\" is a placeholder: fill "
                              "in the spot group's name (the stack's output)", out->spot_group);
        goto out;
    }
    int r = get_string(root, "FleetRequestId", out->fleet_id,
                       sizeof out->fleet_id, err, errlen);
    if (r < 0) goto out;
    if (r > 0 && g > 0) {
        snprintf(err, errlen, "FleetRequestId and SpotAutoScalingGroupName: give one, the "
                              "Spot Fleet's or the spot Auto Scaling group's");
        goto out;
    }
    if (r == 0 && g == 0) {
        snprintf(err, errlen, "missing key 'FleetRequestId'");
        goto out;
    }
    if (g == 0 && !id_ok(out->fleet_id)) {
        snprintf(err, errlen,
                 "FleetRequestId: \"%.60s\" is not a Spot Fleet request id "
                 "(letters, digits and '-')",
                 out->fleet_id);
        goto out;
    }
    r = get_string(root, "AutoScalingGroupName", out->asg_name,
                   sizeof out->asg_name, err, errlen);
    if (r < 0) goto out;
    if (r == 0 || !printable(out->asg_name)) {
        snprintf(err, errlen, "%s",
                 r ? "AutoScalingGroupName: must be 1-255 printable characters"
                   : "missing key 'AutoScalingGroupName'");
        goto out;
    }
    if (placeholder(out->asg_name)) {
        snprintf(err, errlen, "AutoScalingGroupName: \"%.60s\" is a placeholder: fill in "
                              "the on-demand group's name (the stack's output)", out->asg_name);
        goto out;
    }
    if (get_string(root, "policy", pol, sizeof pol, err, errlen) < 0) goto out;
    out->policy = pol_find(pol);
    if (!out->policy && open) {
        /* A variant, an external policy, a library: opened by the caller's
        ** function, closed by aws_live_config_free. */
        char e2[AWS_ERR_MAX];
        int o = open(ctx, pol, &out->policy, e2, sizeof e2);
        if (o < 0 || o > 1) {
            out->policy = NULL;
            snprintf(err, errlen, "policy: %s", e2);
            goto out;
        }
        out->policy_owned = o == 0;
    }
    if (!out->policy) {
        snprintf(err, errlen, "policy: unknown policy '%s' (see 'spotbench "
                              "policy list')",
                 pol);
        goto out;
    }
    if (out->policy->simulation_only) {
        snprintf(err, errlen, "policy: '%s' is simulation only", pol);
        goto out;
    }
    if (out->policy->native) {
        snprintf(err, errlen, "policy: '%s' is a native AWS strategy, not a controller: "
                              "nothing runs live", pol);
        goto out;
    }
    pol_params_default(out->policy, &out->params);
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "params");
    if (params && parse_params(params, out, err, errlen)) goto out;

    out->interval = 60;
    if ((r = get_number(root, "interval", 1, 86400, 1, &d, err, errlen)) < 0)
        goto out;
    if (r) out->interval = (int)d;
    if ((r = get_number(root, "max_on_demand", 0, 100000, 1, &d, err,
                        errlen)) < 0)
        goto out;
    if (r == 0) {
        /* Required on purpose: a live controller buys instances, and the
        ** operator must have said how many at most. */
        snprintf(err, errlen, "missing key 'max_on_demand' (the most "
                              "on-demand instances spotbench may ask for)");
        goto out;
    }
    out->max_on_demand = (int)d;
    out->connect_timeout_ms = 5000;
    out->timeout_ms = 20000;
    out->max_attempts = 3;
    if ((r = get_number(root, "connect_timeout", 0.001, 300, 0, &d, err,
                        errlen)) < 0)
        goto out;
    if (r) out->connect_timeout_ms = (long)ceil(d * 1000);
    if ((r = get_number(root, "timeout", 0.001, 600, 0, &d, err, errlen)) < 0)
        goto out;
    if (r) out->timeout_ms = (long)ceil(d * 1000);
    if ((r = get_number(root, "max_attempts", 1, 10, 1, &d, err, errlen)) < 0)
        goto out;
    if (r) out->max_attempts = (int)d;
    const cJSON *eps = cJSON_GetObjectItemCaseSensitive(root, "endpoints");
    if (eps && parse_endpoints(eps, out, err, errlen)) goto out;
    r = get_string(root, "EventQueueUrl", out->queue_url, sizeof out->queue_url, err, errlen);
    if (r < 0) goto out;
    if (r > 0) {
        char e2[AWS_ERR_MAX];
        if (aws_url_check(out->queue_url, e2, sizeof e2)) {
            snprintf(err, errlen, "EventQueueUrl: %s", e2);
            goto out;
        }
    }
    rc = 0;
out:
    cJSON_Delete(root);
    if (rc) aws_live_config_free(out);
    return rc;
}

int aws_live_config_load(const char *path, aws_live_config *out, char *err,
                         size_t errlen) {
    return aws_live_config_load_with(path, NULL, NULL, out, err, errlen);
}

int aws_live_config_load_with(const char *path, aws_policy_open_fn open, void *ctx,
                              aws_live_config *out, char *err, size_t errlen) {
    char *text = NULL, e2[AWS_ERR_MAX];
    int r = aws_read_file(path, 1 << 20, &text, NULL, e2, sizeof e2);
    if (r) {
        if (r > 0)
            snprintf(err, errlen, "%s: no such file", path);
        else
            snprintf(err, errlen, "%s", e2);
        return -1;
    }
    r = aws_live_config_parse_with(text, open, ctx, out, e2, sizeof e2);
    free(text);
    if (r) snprintf(err, errlen, "%s: %s", path, e2);
    return r;
}

/* The spot side (a spot group's name, or a Spot Fleet's id) and the
** on-demand group, as the live configuration names them. */
static void add_groups(cJSON *o, const aws_live_config *cfg) {
    if (cfg->spot_group[0])
        cJSON_AddStringToObject(o, "SpotAutoScalingGroupName", cfg->spot_group);
    else
        cJSON_AddStringToObject(o, "FleetRequestId", cfg->fleet_id);
    cJSON_AddStringToObject(o, "AutoScalingGroupName", cfg->asg_name);
}

char *aws_live_config_json(const aws_live_config *cfg) {
    cJSON *o = cJSON_CreateObject(), *params = NULL, *eps = NULL;
    if (!o) return NULL;
    /* In config_keys' order, so the text reads like the documentation. */
    if (cfg->region[0]) cJSON_AddStringToObject(o, "region", cfg->region);
    add_groups(o, cfg);
    cJSON_AddStringToObject(o, "policy", cfg->policy->name);
    if ((params = cJSON_AddObjectToObject(o, "params")))
        for (size_t i = 0; i < cfg->policy->nparams; i++)
            cJSON_AddNumberToObject(params, cfg->policy->params[i].name,
                                    cfg->params.v[i]);
    cJSON_AddNumberToObject(o, "interval", cfg->interval);
    cJSON_AddNumberToObject(o, "max_on_demand", cfg->max_on_demand);
    for (int s = 0; s < AWS_NSERVICES; s++) {
        if (!cfg->endpoint[s][0]) continue;
        if (!eps) eps = cJSON_AddObjectToObject(o, "endpoints");
        if (eps)
            cJSON_AddStringToObject(eps, aws_service_key((aws_service)s),
                                    cfg->endpoint[s]);
    }
    cJSON_AddNumberToObject(o, "connect_timeout",
                            (double)cfg->connect_timeout_ms / 1000.0);
    cJSON_AddNumberToObject(o, "timeout", (double)cfg->timeout_ms / 1000.0);
    cJSON_AddNumberToObject(o, "max_attempts", cfg->max_attempts);
    if (cfg->queue_url[0]) cJSON_AddStringToObject(o, "EventQueueUrl", cfg->queue_url);
    char *text = params ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return text;
}

void aws_live_client_opts(const aws_live_config *cfg, aws_opts *o) {
    memset(o, 0, sizeof *o);
    o->region = cfg->region[0] ? cfg->region : NULL;
    for (int s = 0; s < AWS_NSERVICES; s++)
        o->endpoint[s] = cfg->endpoint[s][0] ? cfg->endpoint[s] : NULL;
    o->connect_timeout_ms = cfg->connect_timeout_ms;
    o->timeout_ms = cfg->timeout_ms;
    o->max_attempts = cfg->max_attempts;
}

static const char *outcome_name(aws_outcome o) {
    switch (o) {
    case AWS_OUT_DRY_RUN: return "dry-run";
    case AWS_OUT_APPLIED: return "applied";
    case AWS_OUT_REJECTED: return "rejected";
    case AWS_OUT_FAILED: return "failed";
    case AWS_OUT_NONE: break;
    }
    return "none";
}

char *aws_tick_json(const aws_live_config *cfg, const aws_tick *t, int apply,
                    const char *line) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    char ts[32];
    trc_time_format(t->now, ts, sizeof ts);
    cJSON_AddStringToObject(o, "now", ts);
    add_groups(o, cfg);
    cJSON_AddStringToObject(o, "policy", cfg->policy->name);
    cJSON_AddBoolToObject(o, "apply", apply);
    cJSON_AddStringToObject(o, "outcome", outcome_name(t->outcome));
    cJSON *d = cJSON_AddObjectToObject(o, "decision");
    if (d) {
        int set = t->decision.action == POL_ACT_SET;
        cJSON_AddStringToObject(d, "action", set ? "set" : "none");
        if (set) {
            cJSON_AddNumberToObject(d, "DesiredCapacity", t->decision.desired);
            cJSON_AddBoolToObject(d, "HonorCooldown",
                                  t->decision.honor_cooldown);
        }
        cJSON_AddStringToObject(d, "reason", t->decision.reason);
        cJSON_AddBoolToObject(d, "capped", t->capped);
    }
    cJSON *errs = cJSON_AddArrayToObject(o, "errors");
    for (size_t i = 0; errs && i < t->nerrors; i++)
        cJSON_AddItemToArray(errs, cJSON_CreateString(t->errors[i]));
    if (errs && (t->outcome == AWS_OUT_REJECTED || t->outcome == AWS_OUT_FAILED))
        cJSON_AddItemToArray(errs, cJSON_CreateString(t->outcome_msg));
    /* The observation in `policy eval`'s format, so a result can be
    ** replayed like a --record line. */
    char *obs = trc_obs_format(&t->obs);
    cJSON *ob = obs ? cJSON_Parse(obs) : NULL;
    free(obs);
    if (ob) cJSON_AddItemToObject(o, "observation", ob);
    cJSON_AddStringToObject(o, "line", line);
    char *s = ob ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return s;
}

/* ---- A tick ---- */

/* Keeps a failed call's message. Without credentials every call of the
** tick fails alike: the first says so, with the count of the others, rather
** than the same message once per call. */
static void add_error(aws_tick *t, const char *msg) {
    const char *cred = strstr(msg, ": credentials: ");
    if (cred && t->cred_error > 0) {
        char *first = t->errors[t->cred_error - 1];
        char *mark = strstr(first, ": credentials: ");
        char *more = strstr(first, " (and ");
        if (mark && strncmp(mark, cred, strlen(cred)) == 0) {
            if (more) *more = '\0';
            t->cred_more++;
            size_t len = strlen(first);
            snprintf(first + len, AWS_ERR_MAX - len, " (and %d more call%s of this tick)",
                     t->cred_more, t->cred_more == 1 ? "" : "s");
            return;
        }
    }
    if (t->nerrors < AWS_TICK_MAXERR) {
        if (cred && t->cred_error == 0) t->cred_error = (int)t->nerrors + 1;
        snprintf(t->errors[t->nerrors++], AWS_ERR_MAX, "%s", msg);
    }
}

void aws_tick_free(aws_tick *t) {
    free(t->lfpts);
    t->lfpts = NULL;
    t->obs.launch_failures.t = NULL;
    t->obs.launch_failures.n = 0;
    for (int k = 0; k < POL_NEVENTS; k++) {
        free(t->evpts[k]);
        t->evpts[k] = NULL;
        t->obs.events.ev[k] = NULL;
        t->obs.events.n[k] = 0;
    }
    for (int m = 0; m < POL_NMETRICS; m++) {
        free(t->pts[m]);
        t->pts[m] = NULL;
        t->obs.m[m].pts = NULL;
        t->obs.m[m].n = 0;
    }
}

/* Applies the max_on_demand cap to the policy's decision. */
static void cap_decision(const aws_live_config *cfg, aws_tick *t) {
    pol_decision *d = &t->decision;
    *d = t->policy_decision;
    if (d->action != POL_ACT_SET || d->desired <= cfg->max_on_demand) return;
    int wanted = d->desired;
    t->capped = 1;
    d->desired = cfg->max_on_demand;
    if (t->obs.asg.known && t->obs.asg.desired == d->desired) {
        d->action = POL_ACT_NONE;
        d->honor_cooldown = 0;
        snprintf(d->reason, sizeof d->reason,
                 "at max_on_demand %d already (policy wanted %d)",
                 cfg->max_on_demand, wanted);
        return;
    }
    /* The policy's reason is kept as far as it fits. */
    snprintf(d->reason, sizeof d->reason, "capped at max_on_demand %d "
                                          "(policy wanted %d): %.90s",
             cfg->max_on_demand, wanted, t->policy_decision.reason);
}

/* MaxRecords of a tick's DescribeScalingActivities: AWS lists the newest
** first, and a policy asks whether one failed lately, not how many. */
#define LAUNCH_ACTIVITIES 10

/* 1, with a message, when a described group is not a valid observation. */
static int asg_refused(const pol_asg *a, char *msg, size_t n) {
    pol_obs o;
    char why[200];
    memset(&o, 0, sizeof o);
    o.asg = *a;
    if (pol_obs_check(&o, why, sizeof why) == 0) return 0;
    snprintf(msg, n, "autoscaling DescribeAutoScalingGroups: answer not usable: %s", why);
    return 1;
}

/* A spot Auto Scaling group's metrics as the kind-neutral view (docs/
** scenario.md, "fleet.kind"); PendingCapacity is derived. */
static const char *const group_metric[POL_NMETRICS] = {
    [POL_TARGET] = "GroupDesiredCapacity",
    [POL_FULFILLED] = "GroupInServiceCapacity",
    [POL_TERMINATING] = "GroupTerminatingCapacity",
};

/* PendingCapacity of a spot group: GroupDesiredCapacity minus
** GroupInServiceCapacity at each Timestamp both have (AWS's
** GroupPendingCapacity counts launching instances only). A failed fetch of
** either fails it. Returns -1 when out of memory (the series then failed). */
static int derive_pending(aws_tick *t) {
    const pol_series *a = &t->obs.m[POL_TARGET], *b = &t->obs.m[POL_FULFILLED];
    pol_series *s = &t->obs.m[POL_PENDING];
    if (a->failed || b->failed) {
        s->failed = 1;
        return 0;
    }
    pol_point *p = malloc((a->n + 1) * sizeof *p);
    if (!p) {
        s->failed = 1;
        return -1;
    }
    size_t n = 0, j = 0;
    for (size_t i = 0; i < a->n; i++) {
        while (j < b->n && b->pts[j].t < a->pts[i].t) j++;
        if (j < b->n && b->pts[j].t == a->pts[i].t) {
            double v = a->pts[i].v - b->pts[j].v;
            p[n++] = (pol_point){a->pts[i].t, v > 0 ? v : 0};
        }
    }
    t->pts[POL_PENDING] = p;
    s->pts = p;
    s->n = n;
    t->fetched++;
    return 0;
}

int aws_live_tick(aws_client *c, const aws_live_config *cfg, int64_t now,
                  int apply, aws_tick *t) {
    return aws_live_tick_q(c, cfg, NULL, now, apply, t);
}

int aws_live_tick_q(aws_client *c, const aws_live_config *cfg, aws_evq *q,
                    int64_t now, int apply, aws_tick *t) {
    memset(t, 0, sizeof *t);
    t->now = now;
    t->obs.now = now;
    t->obs.period = 60;
    /* The original's StartTime: now - lookback, unrounded; CloudWatch rounds
    ** it down to the minute and answers from there. */
    int64_t start = now - pol_lookback(cfg->policy, &cfg->params, 60);
    int64_t answered_from = pol_window_start(now, now - start, 60);
    aws_error e;
    for (int m = 0; m < POL_NMETRICS; m++) {
        pol_point *p;
        size_t n;
        if (cfg->spot_group[0]) {
            if (m == POL_PENDING) continue; /* derived below */
            if (aws_get_group_metric(c, cfg->spot_group, group_metric[m], start, now, &p,
                                     &n, &e)) {
                t->obs.m[m].failed = 1;
                add_error(t, e.msg);
                continue;
            }
        } else if (aws_get_metric(c, cfg->fleet_id, (pol_metric)m, start, now, &p, &n,
                                  &e)) {
            t->obs.m[m].failed = 1;
            add_error(t, e.msg);
            continue;
        }
        /* Keep what CloudWatch answers for that StartTime (from the rounded
        ** minute, before the exclusive EndTime), whatever the server sent. */
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (p[i].t >= answered_from && p[i].t < now) p[k++] = p[i];
        t->pts[m] = p;
        t->obs.m[m].pts = p;
        t->obs.m[m].n = k;
        t->fetched++;
    }
    if (aws_describe_asg(c, cfg->asg_name, &t->obs.asg, &e)) {
        memset(&t->obs.asg, 0, sizeof t->obs.asg);
        add_error(t, e.msg);
    } else if (asg_refused(&t->obs.asg, e.msg, sizeof e.msg)) {
        /* An answer the policy engine cannot take (MinSize above MaxSize)
        ** is an undescribed group: the tick, its --record line and its row
        ** then hold what `policy eval` replays. */
        memset(&t->obs.asg, 0, sizeof t->obs.asg);
        add_error(t, e.msg);
    } else {
        t->fetched++;
    }
    if (cfg->spot_group[0]) {
        if (derive_pending(t)) add_error(t, "out of memory");
        /* The spot group as DescribeAutoScalingGroups shows it. */
        pol_asg sg;
        snprintf(t->fleet.state, sizeof t->fleet.state, "group");
        if (aws_describe_asg(c, cfg->spot_group, &sg, &e)) {
            add_error(t, e.msg);
        } else {
            t->fleet_known = 1;
            t->fleet.target = sg.desired;
            t->fleet.fulfilled = -1;
            t->fetched++;
        }
    } else if (aws_describe_fleet(c, cfg->fleet_id, &t->fleet, &e)) {
        add_error(t, e.msg);
    } else {
        t->fleet_known = 1;
        t->fetched++;
    }

    /* A spot group's failed launches, for a policy that reads them: its
    ** newest scaling activities, each tick (docs/live.md). */
    if (cfg->spot_group[0] && pol_reads_launch_failures(cfg->policy, &cfg->params)) {
        int64_t *lt;
        size_t ln;
        if (aws_describe_failed_launches(c, cfg->spot_group, LAUNCH_ACTIVITIES, &lt, &ln, &e)) {
            add_error(t, e.msg);
        } else {
            /* Those the look-back reaches that ended by now. */
            size_t k = 0;
            for (size_t i = 0; i < ln; i++)
                if (lt[i] >= start && lt[i] <= now) lt[k++] = lt[i];
            t->lfpts = lt;
            t->obs.launch_failures.known = 1;
            t->obs.launch_failures.t = lt;
            t->obs.launch_failures.n = k;
        }
    }

    /* The events (sqs.c): received from the queue, or none known. */
    if (q && aws_evq_poll(c, cfg, q, now, now - start, t)) return -1;

    char err[256];
    if (pol_obs_check(&t->obs, err, sizeof err)) {
        char msg[AWS_ERR_MAX];
        snprintf(msg, sizeof msg, "observation rejected: %s", err);
        add_error(t, msg);
        t->policy_decision.action = POL_ACT_NONE;
        snprintf(t->policy_decision.reason, sizeof t->policy_decision.reason,
                 "observation rejected: %.120s", err);
    } else {
        pol_decide(cfg->policy, &t->obs, &cfg->params, &t->policy_decision);
        /* An external policy that could not answer: the tick fails, and
        ** nothing is applied (its "none" is no decision). */
        char perr[AWS_ERR_MAX];
        if (pol_status(cfg->policy, perr, sizeof perr)) {
            add_error(t, perr);
            t->policy_failed = 1;
            t->policy_decision.action = POL_ACT_NONE;
        }
    }
    cap_decision(cfg, t);

    if (t->decision.action != POL_ACT_SET) {
        t->outcome = AWS_OUT_NONE;
    } else if (!apply) {
        t->outcome = AWS_OUT_DRY_RUN;
    } else if (aws_set_desired(c, cfg->asg_name, t->decision.desired,
                               t->decision.honor_cooldown, &e) == 0) {
        t->outcome = AWS_OUT_APPLIED;
    } else {
        /* AWS refuses a change while a scaling activity or the cooldown is
        ** in progress; the seed's controller relies on that for scale-in
        ** and simply asks again next minute. */
        t->outcome = strcmp(e.code, "ScalingActivityInProgress") == 0
                         ? AWS_OUT_REJECTED
                         : AWS_OUT_FAILED;
        snprintf(t->outcome_msg, sizeof t->outcome_msg, "%s", e.msg);
    }
    return 0;
}

int aws_tick_failed(const aws_tick *t) {
    /* Any of the six calls failing leaves the policy deciding on part of
    ** what it should see: the tick could not observe. */
    return t->nerrors > 0 || t->fetched < POL_NMETRICS + 2 || t->outcome == AWS_OUT_FAILED;
}

static void put_latest(char *buf, size_t n, size_t *len, const char *name,
                       const pol_series *s) {
    size_t l = *len < n ? *len : n;
    int k;
    if (s->failed)
        k = snprintf(buf + l, n - l, "%s=failed ", name);
    else if (s->n == 0)
        k = snprintf(buf + l, n - l, "%s=- ", name);
    else
        k = snprintf(buf + l, n - l, "%s=%g ", name, s->pts[s->n - 1].v);
    if (k > 0) *len += (size_t)k;
}

/* The tick's line as the parts make it, before it is escaped. */
static int tick_format_raw(const aws_tick *t, char *buf, size_t n) {
    char ts[32];
    trc_time_format(t->now, ts, sizeof ts);
    size_t len = 0;
    char dummy[1];
    if (n == 0) {
        buf = dummy;
        n = 1;
    }
#define PUT(...)                                                              \
    do {                                                                      \
        size_t l_ = len < n ? len : n;                                        \
        int k_ = snprintf(buf + l_, n - l_, __VA_ARGS__);                     \
        if (k_ > 0) len += (size_t)k_;                                        \
    } while (0)
    PUT("%s ", ts);
    for (int m = 0; m < POL_NMETRICS; m++)
        put_latest(buf, n, &len, pol_metric_name((pol_metric)m), &t->obs.m[m]);
    if (strcmp(t->fleet.state, "group") == 0 && t->fleet_known)
        PUT("| spot group desired %d ", t->fleet.target);
    else if (strcmp(t->fleet.state, "group") == 0)
        PUT("| spot group failed ");
    else if (t->fleet_known && t->fleet.monitored < t->fleet.specs)
        /* AWS recommends detailed monitoring for the fleet's metrics: said
        ** on every tick while a launch specification lacks it. */
        PUT("| fleet %s target %d, detailed monitoring off in %d of %d launch "
            "specifications ", t->fleet.state, t->fleet.target,
            t->fleet.specs - t->fleet.monitored, t->fleet.specs);
    else if (t->fleet_known)
        PUT("| fleet %s target %d ", t->fleet.state, t->fleet.target);
    else
        PUT("| fleet failed ");
    if (t->obs.launch_failures.known)
        PUT("| failed spot launches: %zu ", t->obs.launch_failures.n);
    if (t->queue)
        PUT("| events: %zu warning%s, %zu rebalance (%zu repeated, %zu other) ",
            t->ev_new[POL_EV_WARNING], t->ev_new[POL_EV_WARNING] == 1 ? "" : "s",
            t->ev_new[POL_EV_REBALANCE], t->ev_dup, t->ev_other);
    if (t->obs.asg.known)
        PUT("| ASG desired=%d in-service=%d | ", t->obs.asg.desired,
            t->obs.asg.in_service);
    else
        PUT("| ASG failed | ");
    const pol_decision *d = &t->decision;
    if (d->action == POL_ACT_SET)
        PUT("set DesiredCapacity=%d HonorCooldown=%s: %s | ", d->desired,
            d->honor_cooldown ? "true" : "false", d->reason);
    else
        PUT("none: %s | ", d->reason);
    const char *hc = d->honor_cooldown ? "true" : "false";
    switch (t->outcome) {
    case AWS_OUT_NONE:
        PUT("no change");
        break;
    case AWS_OUT_DRY_RUN:
        PUT("dry run: would set DesiredCapacity=%d (HonorCooldown=%s)",
            d->desired, hc);
        break;
    case AWS_OUT_APPLIED:
        PUT("applied: DesiredCapacity=%d (HonorCooldown=%s)", d->desired, hc);
        break;
    case AWS_OUT_REJECTED:
        PUT("rejected: ScalingActivityInProgress (cooldown) \xe2\x80\x94 will "
            "retry next tick");
        break;
    case AWS_OUT_FAILED:
        PUT("failed: %s", t->outcome_msg);
        break;
    }
#undef PUT
    return (int)len;
}

/* A line holds a server's text (the fleet's state, a refusal's message):
** its control characters are escaped, so it stays one line. */
int aws_tick_format(const aws_tick *t, char *buf, size_t n) {
    int len = tick_format_raw(t, NULL, 0);
    char *raw = malloc((size_t)len + 1);
    if (!raw) {
        if (n) snprintf(buf, n, "out of memory formatting a tick");
        return 0;
    }
    tick_format_raw(t, raw, (size_t)len + 1);
    char *e = trc_esc_dup(raw);
    free(raw);
    if (!e) {
        if (n) snprintf(buf, n, "out of memory formatting a tick");
        return 0;
    }
    int out = (int)strlen(e);
    if (n) trc_esc(buf, n, e);
    free(e);
    return out;
}

/* ---- The loop ---- */

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int aws_live_run(aws_client *c, const aws_live_config *cfg,
                 const aws_live_opts *o, char *err, size_t errlen) {
    int64_t mono0 = mono_ms();
    /* Live runs have no seed: an external policy is told 0. */
    if (pol_begin(cfg->policy, 0, &cfg->params, err, errlen)) return 1;
    int streak = 0; /* failed ticks in a row */
    aws_evq *q = NULL;
    if (cfg->queue_url[0] && !(q = aws_evq_new())) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (;;) {
        int64_t t0 = mono_ms();
        int64_t now = o->fixed_now ? o->fixed_now + (t0 - mono0) / 1000
                                   : (int64_t)time(NULL);
        aws_tick t;
        if (aws_live_tick_q(c, cfg, q, now, o->apply, &t)) {
            aws_tick_free(&t);
            aws_evq_free(q);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        int stop = o->on_tick ? o->on_tick(o->ctx, &t) : 0;
        int failed = aws_tick_failed(&t);
        int policy_failed = t.policy_failed;
        /* A message is deleted only once the tick that used it worked and
        ** was recorded (the callback returned 0); otherwise it comes back
        ** after its visibility timeout. A failed delete is the tick's too:
        ** the message comes back and is told apart by its event id. */
        char qerr[AWS_ERR_MAX] = "";
        if (q && aws_evq_done(c, q, !failed && !stop, qerr, sizeof qerr)) failed = 1;
        aws_tick_free(&t);
        /* A policy that failed never answers again: the loop ends. */
        if (policy_failed) {
            pol_status(cfg->policy, err, errlen);
            aws_evq_free(q);
            return 1;
        }
        if (o->once) {
            aws_evq_free(q);
            if (failed)
                snprintf(err, errlen, "%s", qerr[0] ? qerr : "the tick could not observe or act");
            return failed ? 1 : 0;
        }
        if (stop) {
            aws_evq_free(q);
            return 0;
        }
        streak = failed ? streak + 1 : 0;
        if (o->max_failed > 0 && streak >= o->max_failed) {
            snprintf(err, errlen, "%d ticks in a row could not observe or act; stopping",
                     streak);
            aws_evq_free(q);
            return 1;
        }
        /* Sleep to the next tick in short slices, so a signal that lands
        ** just before a slice still ends the loop within a fraction of a
        ** second. */
        int64_t due = t0 + (int64_t)cfg->interval * 1000;
        while (!(o->stop && *o->stop)) {
            int64_t left = due - mono_ms();
            if (left <= 0) break;
            if (left > 200) left = 200;
            struct timespec ts = {0, (long)left * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (o->stop && *o->stop) {
            /* A supervisor stopping a controller that was failing hears it. */
            if (streak) snprintf(err, errlen, "stopped after %d failed tick%s in a row",
                                 streak, streak == 1 ? "" : "s");
            aws_evq_free(q);
            return streak ? 1 : 0;
        }
    }
}
