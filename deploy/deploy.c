/*
** deploy.c: a simulated scenario as a CloudFormation stack and a live
** configuration (deploy.h).
**
** What goes where: the fleet's LaunchSpecifications (InstanceType, the AZ
** as a subnet parameter, WeightedCapacity, SpotPrice per unit-hour as AWS
** defines it under weighting), TargetCapacity and AllocationStrategy make
** the AWS::EC2::SpotFleet; the group's sizes, InstanceType and
** DefaultCooldown (as Cooldown) the launch template and the on-demand
** AWS::AutoScaling::AutoScalingGroup; the policy, its parameters,
** controller.Interval and the cap make the live configuration, which is the
** EventBridge rule's Input, so each invocation carries exactly what was
** tuned. Everything else in a scenario describes how AWS behaves (delays,
** failure rates, prices) and has no setting; a field that is a setting but
** cannot be expressed, or that the simulator treats differently from AWS,
** is a warning naming it. So is any field this file does not know: a
** scenario field added later is reported, never silently dropped.
*/
#include "deploy.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"
#include "lab/polspec.h"
#include "traces/import.h"

/* ---- Warnings ---------------------------------------------------------- */

static int warn(dep_plan *p, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int warn(dep_plan *p, const char *field, const char *fmt, ...) {
    for (size_t i = 0; i < p->nwarn; i++)
        if (strcmp(p->warn[i].field, field) == 0) return 0; /* once a field */
    dep_warning *w = realloc(p->warn, (p->nwarn + 1) * sizeof *w);
    if (!w) return -1;
    p->warn = w;
    w = &p->warn[p->nwarn++];
    snprintf(w->field, sizeof w->field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->text, sizeof w->text, fmt, ap);
    va_end(ap);
    return 0;
}

/* How the stack treats each scenario field. Paths use [] for any array
** index; a path ending in ".*" covers its whole subtree. */
typedef enum {
    F_STACK, /* a setting the stack or the live configuration carries */
    F_MODEL, /* describes AWS or the market; nothing to set */
    F_CHECK  /* a setting checked by value below */
} field_kind;

static const struct {
    const char *path;
    field_kind kind;
} fields[] = {
    {"name", F_MODEL}, {"description", F_MODEL}, {"mode", F_CHECK},
    {"seed", F_MODEL}, {"start", F_MODEL}, {"end", F_MODEL},
    {"billing", F_CHECK}, {"traces.*", F_MODEL},
    {"fleet", F_STACK}, {"fleet.TargetCapacity", F_STACK},
    {"fleet.kind", F_CHECK}, {"fleet.DesiredCapacity", F_STACK},
    {"fleet.MixedInstancesPolicy", F_STACK}, {"fleet.MixedInstancesPolicy.*", F_STACK},
    {"fleet.CapacityRebalance", F_STACK},
    {"fleet.AllocationStrategy", F_CHECK}, {"fleet.SpotPrice", F_STACK},
    {"fleet.LaunchDelay", F_MODEL}, {"fleet.LaunchDelay.*", F_MODEL},
    {"fleet.LaunchSpecifications", F_STACK},
    {"fleet.LaunchSpecifications[]", F_STACK},
    {"fleet.LaunchSpecifications[].InstanceType", F_STACK},
    {"fleet.LaunchSpecifications[].AvailabilityZone", F_STACK},
    {"fleet.LaunchSpecifications[].WeightedCapacity", F_STACK},
    {"fleet.LaunchSpecifications[].SpotPrice", F_STACK},
    {"fleet.LaunchSpecifications[].OnDemandPrice", F_MODEL},
    {"fleet.LaunchSpecifications[].InterruptionFrequency", F_MODEL},
    {"fleet.SpotMaintenanceStrategies", F_STACK},
    {"fleet.SpotMaintenanceStrategies.*", F_STACK},
    {"market", F_CHECK}, {"market.*", F_CHECK},
    {"fleet.TargetTracking", F_CHECK}, {"fleet.TargetTracking.*", F_CHECK},
    {"ecs.*", F_MODEL}, {"ecs", F_MODEL},
    {"cloudwatch", F_MODEL}, {"cloudwatch.*", F_MODEL},
    {"controller", F_STACK}, {"controller.policy", F_STACK},
    {"controller.params.*", F_STACK}, {"controller.params", F_STACK},
    {"controller.Cron", F_STACK}, {"controller.Interval", F_CHECK},
    {"controller.Offset", F_CHECK}, {"controller.Offset.*", F_CHECK},
    {"controller.Jitter", F_MODEL}, {"controller.Jitter.*", F_MODEL},
    {"controller.Alarm", F_STACK},
    {"controller.AlarmPeriods", F_STACK},
    {"controller.SnsDelay", F_MODEL}, {"controller.SnsDelay.*", F_MODEL},
    {"controller.FailureProbability", F_MODEL},
    {"controller.AllowUnitsMismatch", F_CHECK},
    {"asg", F_STACK}, {"asg.AutoScalingGroupName", F_CHECK},
    {"asg.InstanceType", F_STACK}, {"asg.WeightedCapacity", F_CHECK},
    {"asg.OnDemandPrice", F_MODEL}, {"asg.MinSize", F_STACK},
    {"asg.MaxSize", F_STACK}, {"asg.DesiredCapacity", F_STACK},
    {"asg.DefaultCooldown", F_STACK}, {"asg.LaunchDelay", F_MODEL},
    {"asg.LaunchDelay.*", F_MODEL}, {"asg.DescribeFailureProbability", F_MODEL},
    {"asg.TerminationDelay", F_MODEL}, {"asg.TerminationDelay.*", F_MODEL},
    {"ecs.SpotInstanceDraining", F_STACK},
};

static int field_known(const char *path) {
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *f = fields[i].path;
        size_t n = strlen(f);
        if (strcmp(f, path) == 0) return 1;
        if (n > 2 && strcmp(f + n - 2, ".*") == 0 &&
            (strncmp(path, f, n - 1) == 0 ||
             (strncmp(path, f, n - 2) == 0 && path[n - 2] == '\0')))
            return 1;
    }
    return 0;
}

/* "a.b[3].c" -> "a.b[].c" */
static void normalise(const char *in, char *out, size_t n) {
    size_t k = 0;
    for (const char *p = in; *p && k + 1 < n; p++) {
        out[k++] = *p;
        if (*p == '[') {
            while (p[1] && p[1] != ']') p++;
        }
    }
    out[k] = '\0';
}

/* Every key of the scenario file: unknown ones are warnings. */
static int walk(dep_plan *p, const cJSON *o, const char *prefix) {
    for (const cJSON *c = o->child; c; c = c->next) {
        char path[256];
        if (cJSON_IsArray(o))
            snprintf(path, sizeof path, "%s[]", prefix);
        else if (*prefix)
            snprintf(path, sizeof path, "%s.%s", prefix, c->string);
        else
            snprintf(path, sizeof path, "%s", c->string);
        if (!cJSON_IsArray(o) && strcmp(c->string, "comment") == 0) continue;
        if (!field_known(path)) {
            if (warn(p, path, "a scenario setting this stack does not express "
                              "(simulated only)"))
                return -1;
            continue;
        }
        if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && walk(p, c, path))
            return -1;
    }
    return 0;
}

static int check_file_fields(dep_plan *p, const dep_input *in,
                             const char *const *ssets, size_t nssets,
                             char *err, size_t errlen) {
    size_t len;
    char e2[256];
    char *text = trc_read_file(in->scenario, &len, e2, sizeof e2);
    if (!text) {
        snprintf(err, errlen, "%s", e2);
        return -1;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    int rc = 0;
    if (root && cJSON_IsObject(root)) rc = walk(p, root, "");
    cJSON_Delete(root);
    for (size_t i = 0; i < nssets && rc == 0; i++) {
        char key[256], path[256];
        size_t k = strcspn(ssets[i], "=");
        snprintf(key, sizeof key, "%.*s", (int)k, ssets[i]);
        normalise(key, path, sizeof path);
        if (!field_known(path))
            rc = warn(p, path, "a scenario setting this stack does not "
                               "express (simulated only)");
    }
    if (rc) snprintf(err, errlen, "out of memory");
    return rc;
}

static const char *group_alloc_name(const sim_scenario *sc);
static const char *alloc_name(sim_alloc a);

/* Settings checked by value: what AWS cannot express or the simulator
** models differently. */
static int check_values(dep_plan *p) {
    const sim_scenario *sc = &p->sc;
    int rc = 0;
    if (sc->billing == SIM_PER_HOUR)
        rc |= warn(p, "billing",
                   "simulated per-hour billing; AWS bills Linux instances "
                   "per second (60 s minimum) since October 2017");
    if (sc->cron && (sc->cron_interval < 60 || sc->cron_interval % 60))
        rc |= warn(p, "controller.Interval",
                   "%lld s: EventBridge schedules whole minutes (rate(N "
                   "minutes)); the stack uses %lld minute(s)",
                   (long long)sc->cron_interval,
                   (long long)(sc->cron_interval < 60 ? 1 : sc->cron_interval / 60));
    /* A fixed second: EventBridge picks its own (the default Offset, a
    ** uniform draw over the interval, models that). */
    if (sc->cron && sc->cron_offset.p == 1 &&
        sc->cron_offset.min == sc->cron_offset.max)
        rc |= warn(p, "controller.Offset",
                   "%lld s: an EventBridge rate() schedule has no offset; "
                   "invocations come at a second of its own choosing",
                   (long long)sc->cron_offset.min);
    if (sc->demand.n)
        rc |= warn(p, "fleet.TargetTracking",
                   p->spot_fleet ? "the fleet's target tracking is not in the stack (it "
                                   "needs the ECS service's metric); add an "
                                   "AWS::ApplicationAutoScaling::ScalingPolicy for "
                                   "ec2:spot-fleet-request:TargetCapacity"
                                 : "the spot group's target tracking is not in the stack (it "
                                   "needs the ECS service's metric); add an "
                                   "AWS::AutoScaling::ScalingPolicy of type "
                                   "TargetTrackingScaling on the SpotGroup");
    int upi = pol_param_index(p->pol, "units_per_instance");
    if (upi >= 0 && fabs(p->params.v[upi] - sc->od_weight) > 1e-9)
        rc |= warn(p, "asg.WeightedCapacity",
                   "%g units per on-demand instance, but the policy's "
                   "units_per_instance is %g: the live controller sizes the "
                   "group by units_per_instance",
                   sc->od_weight, p->params.v[upi]);
    if (sc->alloc == SIM_CAPACITY_OPTIMIZED ||
        sc->alloc == SIM_PRICE_CAPACITY_OPTIMIZED)
        rc |= warn(p,
                   sc->kind == SIM_KIND_ASG
                       ? "fleet.MixedInstancesPolicy.InstancesDistribution."
                         "SpotAllocationStrategy"
                       : "fleet.AllocationStrategy",
                   "%s is simulated from each pool's interruption band and "
                   "availability trace; AWS picks pools by spare capacity it "
                   "does not publish",
                   /* named as the field is: the group's or the fleet's */
                   sc->kind == SIM_KIND_ASG ? group_alloc_name(sc) : alloc_name(sc->alloc));
    if (sc->market.on)
        rc |= warn(p, "market",
                   "a model of AWS's capacity interruptions, not a setting: "
                   "the real market decides, so the simulated coverage under "
                   "it is an estimate");
    return rc ? -1 : 0;
}

/* ---- The plan ------------------------------------------------------------ */

/* A spot Auto Scaling group's SpotAllocationStrategy for the scenario's
** ranking (a fleet's diversified has none: price-capacity-optimized,
** AWS's recommendation, and a warning). */
static const char *group_alloc_name(const sim_scenario *sc) {
    switch (sc->alloc) {
    case SIM_LOWEST_PRICE: return "lowest-price";
    case SIM_CAPACITY_OPTIMIZED:
        return sc->mixed.spot_prioritized ? "capacity-optimized-prioritized"
                                          : "capacity-optimized";
    case SIM_DIVERSIFIED:
    case SIM_PRICE_CAPACITY_OPTIMIZED: break;
    }
    return "price-capacity-optimized";
}

/* What the spot side's kind makes AWS do differently from the simulation,
** or cannot express (deploy.h). */
static int check_kind(dep_plan *p, int spot_fleet) {
    const sim_scenario *sc = &p->sc;
    int rc = 0;
    if (spot_fleet < 0) return 0;
    if (p->spot_fleet) {
        if (sc->kind == SIM_KIND_ASG)
            rc |= warn(p, "fleet.kind", "asg simulated, but --spot-fleet deploys an "
                                        "AWS::EC2::SpotFleet");
        return rc | warn(p, "fleet.kind",
                         "AWS: \"We strongly discourage using Spot Fleet because it uses a "
                         "legacy API with no planned investment\" (EC2 User Guide, Work with "
                         "Spot Fleet); without --spot-fleet the stack has a spot Auto Scaling "
                         "group");
    }
    if (sc->kind == SIM_KIND_SPOT_FLEET) {
        rc |= warn(p, "fleet.kind",
                   "simulated as a Spot Fleet; the stack's spot capacity is an Auto "
                   "Scaling group (MixedInstancesPolicy), which replaces an interrupted "
                   "instance once it is terminated: simulate it with --set fleet.kind=asg "
                   "(docs/scenario.md), or deploy --spot-fleet");
        if (sc->alloc == SIM_DIVERSIFIED)
            rc |= warn(p, "fleet.AllocationStrategy",
                       "diversified has no Auto Scaling group counterpart: the group uses "
                       "price-capacity-optimized");
        if (sc->rebalance == SIM_REBALANCE_LAUNCH)
            rc |= warn(p, "fleet.SpotMaintenanceStrategies",
                       "launch: an Auto Scaling group's Capacity Rebalancing terminates the "
                       "old instance once its replacement is in service");
    }
    for (size_t i = 0; i < sc->npools; i++) {
        const sim_pool *pl = &sc->pools[i];
        if (sc->kind == SIM_KIND_SPOT_FLEET &&
            fabs(pl->max_price - pl->on_demand_price / pl->weight) > 1e-12) {
            char f[96];
            snprintf(f, sizeof f, "fleet.LaunchSpecifications[%zu].SpotPrice", i);
            rc |= warn(p, f, "an Auto Scaling group has one SpotMaxPrice, no price per "
                             "override: left out (AWS's default, the on-demand price)");
            break;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(sc->pools[j].instance_type, pl->instance_type) == 0 &&
                sc->pools[j].weight != pl->weight) {
                char f[96];
                snprintf(f, sizeof f, "fleet.LaunchSpecifications[%zu].WeightedCapacity", i);
                rc |= warn(p, f, "%s has WeightedCapacity %g in [%zu]: a group's override "
                                 "has one; the stack uses the first",
                           pl->instance_type, sc->pools[j].weight, j);
                break;
            }
    }
    return rc;
}

static const char *alloc_name(sim_alloc a) {
    switch (a) {
    case SIM_DIVERSIFIED: return "diversified";
    case SIM_CAPACITY_OPTIMIZED: return "capacityOptimized";
    case SIM_PRICE_CAPACITY_OPTIMIZED: return "priceCapacityOptimized";
    case SIM_LOWEST_PRICE: break;
    }
    return "lowestPrice";
}

double dep_worst_tick_s(const aws_live_config *cfg) {
    /* The client's retry n sleeps below aws_backoff_cap_ms(n). */
    double backoff = 0;
    for (int n = 1; n < cfg->max_attempts; n++) backoff += aws_backoff_cap_ms(n) / 1000.0;
    double per_call = cfg->max_attempts * (double)cfg->timeout_ms / 1000.0 + backoff;
    /* 4 metrics, the group, the fleet, the set; with an event queue, a
    ** ReceiveMessage and the fleet's instances and weights (aws/sqs.c). */
    return (cfg->queue_url[0] ? 10 : 7) * per_call;
}

int dep_plan_load(const dep_input *in, dep_plan *p, char *err, size_t errlen) {
    memset(p, 0, sizeof *p);
    int rc = -1, loaded = 0;
    p->pol = NULL;
    if (in->policy && !(p->pol = pol_find(in->policy))) {
        /* A variant, exec:COMMAND or a library (a tuned sweep's policy may
        ** be one): opened here, closed by dep_plan_free. */
        if (!strpbrk(in->policy, "@:/")) {
            snprintf(err, errlen, "policy '%s': unknown (see 'spotbench policy list')",
                     in->policy);
            goto out;
        }
        if (lab_policy_open(in->policy, &p->pol, err, errlen) != LAB_OK) goto out;
        p->pol_owned = 1;
    }
    /* --set under lab.h's rule; with no policy, the scenario's. */
    if (lab_load(in->scenario, &p->pol, in->sets, in->nsets, NULL, &p->sc, &p->params, err,
                 errlen))
        goto out;
    loaded = 1;
    if (p->sc.mode != SIM_MODEL) {
        snprintf(err, errlen, "%s: mode: a direct-mode scenario replays a real "
                              "fleet's metrics and has no fleet to deploy",
                 in->scenario);
        goto out;
    }
    if (p->pol->simulation_only) {
        snprintf(err, errlen, "policy '%s' is simulation only and cannot run live",
                 p->pol->name);
        goto out;
    }
    if (p->pol->native) {
        snprintf(err, errlen, "policy '%s' is a native AWS strategy, not a controller "
                              "to deploy", p->pol->name);
        goto out;
    }
    /* A program or a library is named by a path the controller resolves
    ** where it runs: the host of `live`, or the Lambda zip. */
    if (p->pol->ops || strchr(p->pol->name, '/')) {
        const char *at = strrchr(p->pol->name, '@');
        int lib = strncmp(p->pol->name, "exec:", 5) != 0;
        if (warn(p, "policy", "'%.*s' is %s the controller runs where it is deployed: the "
                 "host of 'spotbench live' must have it, or the Lambda zip carry it "
                 "(docs/deploy.md, \"A policy of your own in the function\")",
                 at ? (int)(at - p->pol->name) : (int)strlen(p->pol->name), p->pol->name,
                 lib ? "a library" : "a program"))
            goto out;
    }
    p->max_on_demand = in->max_on_demand >= 0 ? in->max_on_demand : p->sc.asg_max;
    if (p->max_on_demand > 100000) p->max_on_demand = 100000;
    /* One cap, not two: a policy with its own max_on_demand parameter
    ** (guarded) and the live loop's cap say the same number. Without
    ** --max-on-demand it is the lower of the parameter and asg.MaxSize,
    ** which the simulation applied too (every call is clamped to MaxSize),
    ** so the policy behaves as simulated; --max-on-demand N sets both. */
    int mi = pol_param_index(p->pol, "max_on_demand");
    if (mi >= 0) {
        if (in->max_on_demand < 0 && p->params.v[mi] < p->max_on_demand)
            p->max_on_demand = (int)p->params.v[mi];
        p->params.v[mi] = p->max_on_demand;
    }
    p->alarm = in->alarm >= 0 ? in->alarm : p->sc.alarm;
    p->apply = in->apply;
    p->spot_fleet = in->spot_fleet != 0;
    snprintf(p->alloc, sizeof p->alloc, "%s",
             p->spot_fleet ? alloc_name(p->sc.alloc) : group_alloc_name(&p->sc));
    lab_sets ls; /* split before by lab_load, without error */
    if (lab_sets_split(&p->pol, 1, in->sets, in->nsets, &ls, err, errlen) ||
        check_file_fields(p, in, ls.field, ls.nfield, err, errlen))
        goto out;
    if (check_values(p) || check_kind(p, in->spot_fleet)) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    aws_live_config lc;
    if (dep_live_config(p, "sfr-placeholder", "placeholder", &lc, err, errlen)) goto out;
    if (p->pol->reads_events) /* as live_input() writes it */
        snprintf(lc.queue_url, sizeof lc.queue_url, "${EventQueue}");
    double worst = dep_worst_tick_s(&lc);
    /* Above the worst tick, so Lambda never cuts a tick between a
    ** SetDesiredCapacity and its answer; Lambda allows 900 s at most. */
    p->timeout_s = (int)ceil(worst) + 10;
    if (p->timeout_s > 900) {
        p->timeout_s = 900;
        if (warn(p, "timeout", "the worst tick (%.0f s: %d calls x max_attempts "
                               "x timeout) exceeds Lambda's 900 s",
                 worst, lc.queue_url[0] ? 10 : 7))
            goto out;
    }
    rc = 0;
out:
    if (rc && loaded) {
        sim_scenario_free(&p->sc);
        loaded = 0;
    }
    if (rc) {
        free(p->warn);
        p->warn = NULL;
        p->nwarn = 0;
        if (p->pol_owned) lab_policy_close(p->pol);
        p->pol_owned = 0;
    }
    return rc;
}

void dep_plan_free(dep_plan *p) {
    sim_scenario_free(&p->sc);
    if (p->pol_owned) lab_policy_close(p->pol);
    p->pol_owned = 0;
    free(p->warn);
    p->warn = NULL;
    p->nwarn = 0;
}

/* aws_policy_open_fn: the plan's policy (ctx), when the config names it. */
static int lend_policy(void *ctx, const char *spec, const pol_policy **out, char *err,
                       size_t errlen) {
    const pol_policy *pol = ctx;
    if (strcmp(spec, pol->name) != 0) {
        snprintf(err, errlen, "'%s' is not the plan's policy", spec);
        return -1;
    }
    *out = pol;
    return 1;
}

int dep_live_config(const dep_plan *p, const char *fleet_id,
                    const char *asg_name, aws_live_config *out, char *err,
                    size_t errlen) {
    /* Built through the parser, so the result is exactly what live.json
    ** and the Lambda event accept. */
    aws_live_config tmp;
    memset(&tmp, 0, sizeof tmp);
    snprintf(tmp.fleet_id, sizeof tmp.fleet_id, "%s", fleet_id);
    snprintf(tmp.asg_name, sizeof tmp.asg_name, "%s", asg_name);
    tmp.policy = p->pol;
    tmp.params = p->params;
    int64_t iv = p->sc.cron_interval;
    tmp.interval = (int)(iv < 1 ? 60 : iv > 86400 ? 86400 : iv);
    tmp.max_on_demand = p->max_on_demand;
    tmp.connect_timeout_ms = 5000;
    tmp.timeout_ms = 20000;
    tmp.max_attempts = 3;
    char *json = aws_live_config_json(&tmp), e2[AWS_ERR_MAX];
    if (!json) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* A policy made at run time is the plan's own, lent to the parser. */
    int rc = aws_live_config_parse_with(json, lend_policy, (void *)p->pol, out, e2, sizeof e2);
    free(json);
    if (rc) snprintf(err, errlen, "live config: %s", e2);
    return rc;
}

/* ---- The template -------------------------------------------------------- */

static cJSON *ref(const char *name) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "Ref", name);
    return o;
}

static cJSON *getatt(const char *res, const char *attr) {
    cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "Fn::GetAtt");
    cJSON_AddItemToArray(a, cJSON_CreateString(res));
    cJSON_AddItemToArray(a, cJSON_CreateString(attr));
    return o;
}

static cJSON *sub(const char *text) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "Fn::Sub", text);
    return o;
}

static cJSON *resource(cJSON *resources, const char *name, const char *type,
                       cJSON **props) {
    cJSON *r = cJSON_AddObjectToObject(resources, name);
    cJSON_AddStringToObject(r, "Type", type);
    *props = cJSON_AddObjectToObject(r, "Properties");
    return r;
}

static void num_string(cJSON *o, const char *key, double v) {
    char b[64];
    snprintf(b, sizeof b, "%.10g", v);
    cJSON_AddStringToObject(o, key, b);
}

/* "us-east-1a" -> "SubnetUsEast1a": a parameter name (alphanumeric). */
static void subnet_param(const char *az, char *out, size_t n) {
    size_t k = (size_t)snprintf(out, n, "Subnet");
    int up = 1;
    for (const char *c = az; *c && k + 1 < n; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
            (*c >= '0' && *c <= '9')) {
            out[k++] = up && *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c;
            up = 0;
        } else {
            up = 1;
        }
    }
    out[k] = '\0';
}

static cJSON *assume(const char *service) {
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "Version", "2012-10-17");
    cJSON *st = cJSON_AddArrayToObject(doc, "Statement"), *s = cJSON_CreateObject();
    cJSON_AddItemToArray(st, s);
    cJSON_AddStringToObject(s, "Effect", "Allow");
    cJSON *pr = cJSON_AddObjectToObject(s, "Principal");
    cJSON_AddStringToObject(pr, "Service", service);
    cJSON_AddStringToObject(s, "Action", "sts:AssumeRole");
    return doc;
}

static cJSON *statement(const char *sid, const char *const *actions, cJSON *res) {
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "Sid", sid);
    cJSON_AddStringToObject(s, "Effect", "Allow");
    cJSON *a = cJSON_AddArrayToObject(s, "Action");
    for (; *actions; actions++) cJSON_AddItemToArray(a, cJSON_CreateString(*actions));
    cJSON_AddItemToObject(s, "Resource", res);
    return s;
}

/* The controller's role: exactly the calls a tick makes (aws/client.c,
** aws/sqs.c), and its own log stream. SetDesiredCapacity only when the
** stack applies (--apply), on this group only: a dry run never calls it,
** so its role cannot. Read calls cannot be narrowed: GetMetricStatistics,
** DescribeAutoScalingGroups, DescribeSpotFleetRequests and
** DescribeSpotFleetInstances support no resource-level permissions. With
** the event queue, the two SQS calls it makes, on that queue only, and for
** a Spot Fleet DescribeSpotFleetInstances (an event's instance to its
** units; a spot group's instances come with DescribeAutoScalingGroups).
** On a spot group, for a policy that reads failed launches,
** DescribeScalingActivities (no resource-level permissions either). */
static void controller_role(cJSON *resources, int apply, int spot_fleet, int queue,
                            int activities) {
    cJSON *props;
    resource(resources, "ControllerRole", "AWS::IAM::Role", &props);
    cJSON_AddItemToObject(props, "AssumeRolePolicyDocument",
                          assume("lambda.amazonaws.com"));
    cJSON *pols = cJSON_AddArrayToObject(props, "Policies"), *pol = cJSON_CreateObject();
    cJSON_AddItemToArray(pols, pol);
    cJSON_AddStringToObject(pol, "PolicyName", "spotbench-live");
    cJSON *doc = cJSON_AddObjectToObject(pol, "PolicyDocument");
    cJSON_AddStringToObject(doc, "Version", "2012-10-17");
    cJSON *st = cJSON_AddArrayToObject(doc, "Statement");
    static const char *const reads[] = {"cloudwatch:GetMetricStatistics",
                                        "autoscaling:DescribeAutoScalingGroups",
                                        "ec2:DescribeSpotFleetRequests", NULL};
    static const char *const reads_q[] = {"cloudwatch:GetMetricStatistics",
                                          "autoscaling:DescribeAutoScalingGroups",
                                          "ec2:DescribeSpotFleetRequests",
                                          "ec2:DescribeSpotFleetInstances", NULL};
    /* A spot group is described as the on-demand one is. */
    static const char *const group_reads[] = {"cloudwatch:GetMetricStatistics",
                                              "autoscaling:DescribeAutoScalingGroups", NULL};
    static const char *const group_reads_a[] = {"cloudwatch:GetMetricStatistics",
                                                "autoscaling:DescribeAutoScalingGroups",
                                                "autoscaling:DescribeScalingActivities", NULL};
    /* Not GetQueueAttributes: the controller never calls it. */
    static const char *const sqs[] = {"sqs:ReceiveMessage", "sqs:DeleteMessage", NULL};
    static const char *const set[] = {"autoscaling:SetDesiredCapacity", NULL};
    static const char *const logs[] = {"logs:CreateLogStream", "logs:PutLogEvents",
                                       NULL};
    cJSON_AddItemToArray(st, statement(spot_fleet ? "ReadFleetAndGroup" : "ReadGroups",
                                       !spot_fleet ? (activities ? group_reads_a : group_reads)
                                       : queue     ? reads_q
                                                   : reads,
                                       cJSON_CreateString("*")));
    if (queue)
        cJSON_AddItemToArray(st, statement("ReadTheEventQueueOnly", sqs,
                                           getatt("EventQueue", "Arn")));
    if (apply)
        cJSON_AddItemToArray(
            st, statement("SetTheGroupOnly", set,
                          sub("arn:${AWS::Partition}:autoscaling:${AWS::Region}:"
                              "${AWS::AccountId}:autoScalingGroup:*:"
                              "autoScalingGroupName/${OnDemandGroup}")));
    cJSON_AddItemToArray(st, statement("OwnLogs", logs,
                                       getatt("ControllerLogGroup", "Arn")));
}

/* The ECS agent joins the cluster named by the parameter; with
** ecs.SpotInstanceDraining it drains a spot instance at its interruption
** notice (ECS_ENABLE_SPOT_INSTANCE_DRAINING), as simulated. The script runs
** as root: the name is held to ECS's own rule by the parameter's
** AllowedPattern, and single-quoted here as well. */
static cJSON *user_data(int draining) {
    cJSON *b64 = cJSON_CreateObject();
    cJSON_AddItemToObject(
        b64, "Fn::Base64",
        sub(draining ? "#!/bin/bash\necho 'ECS_CLUSTER=${EcsCluster}' >> "
                       "/etc/ecs/ecs.config\necho "
                       "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> "
                       "/etc/ecs/ecs.config\n"
                     : "#!/bin/bash\necho 'ECS_CLUSTER=${EcsCluster}' >> "
                       "/etc/ecs/ecs.config\n"));
    return b64;
}

static void param(cJSON *params, const char *name, const char *type,
                  const char *desc, const char *def) {
    cJSON *p = cJSON_AddObjectToObject(params, name);
    cJSON_AddStringToObject(p, "Type", type);
    cJSON_AddStringToObject(p, "Description", desc);
    if (def) cJSON_AddStringToObject(p, "Default", def);
}

/* The live configuration every invocation carries, as JSON text, and its
** interval. The ids are CloudFormation substitutions, resolved at stack
** creation: the parser would refuse them as ids, so they replace
** placeholders once it has checked the rest. NULL when out of memory. */
static char *live_input(const dep_plan *p, int *interval) {
    aws_live_config lc;
    char err[AWS_ERR_MAX];
    if (dep_live_config(p, "sfr-FLEETID", "GROUPNAME", &lc, err, sizeof err))
        return NULL;
    if (p->spot_fleet) {
        snprintf(lc.fleet_id, sizeof lc.fleet_id, "${SpotFleet}");
    } else {
        lc.fleet_id[0] = '\0';
        snprintf(lc.spot_group, sizeof lc.spot_group, "${SpotGroup}");
    }
    snprintf(lc.asg_name, sizeof lc.asg_name, "${OnDemandGroup}");
    if (p->pol->reads_events) /* the queue's URL: its Ref */
        snprintf(lc.queue_url, sizeof lc.queue_url, "${EventQueue}");
    *interval = lc.interval;
    return aws_live_config_json(&lc);
}

/* The pools' Availability Zones, each once in the order the pools name
** them: one subnet parameter each (the first 16). */
typedef struct {
    char az[16][32];
    size_t n;
} az_list;

static void pool_azs(const sim_scenario *sc, az_list *a) {
    a->n = 0;
    for (size_t i = 0; i < sc->npools; i++) {
        size_t k = 0;
        while (k < a->n && strcmp(a->az[k], sc->pools[i].az) != 0) k++;
        if (k == a->n && a->n < 16)
            snprintf(a->az[a->n++], sizeof a->az[0], "%s", sc->pools[i].az);
    }
}

/* What the stack asks for at creation: the AMI, the ECS cluster, where the
** function's code is, a subnet per Availability Zone. */
static void parameters(cJSON *t, const az_list *azs) {
    cJSON *params = cJSON_AddObjectToObject(t, "Parameters");
    param(params, "ImageId", "AWS::EC2::Image::Id",
          "AMI for the fleet and the group: the ECS-optimized AMI of the region "
          "(SSM /aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id)",
          NULL);
    param(params, "EcsCluster", "String", "the ECS cluster the instances join",
          "default");
    /* ECS's rule for a cluster name: up to 255 letters, digits, hyphens and
    ** underscores. It goes into the instances' root UserData script. */
    cJSON *ecs = cJSON_GetObjectItemCaseSensitive(params, "EcsCluster");
    cJSON_AddStringToObject(ecs, "AllowedPattern", "^[A-Za-z0-9_-]{1,255}$");
    cJSON_AddStringToObject(ecs, "ConstraintDescription",
                            "up to 255 letters, digits, hyphens and underscores");
    param(params, "LambdaCodeBucket", "String",
          "S3 bucket holding spotbench-lambda.zip (make lambda)", NULL);
    param(params, "LambdaCodeKey", "String", "its key", "spotbench-lambda.zip");
    for (size_t k = 0; k < azs->n; k++) {
        char name[64], d[128];
        subnet_param(azs->az[k], name, sizeof name);
        snprintf(d, sizeof d, "a subnet in %s (the scenario's AvailabilityZone)",
                 azs->az[k]);
        param(params, name, "AWS::EC2::Subnet::Id", d, NULL);
    }
}

/* The instances' role (to join the ECS cluster) and its profile, and the
** role the Spot Fleet acts with. */
static void instance_and_fleet_roles(cJSON *res, int spot_fleet) {
    cJSON *pr;
    resource(res, "InstanceRole", "AWS::IAM::Role", &pr);
    cJSON_AddItemToObject(pr, "AssumeRolePolicyDocument", assume("ec2.amazonaws.com"));
    cJSON *mp = cJSON_AddArrayToObject(pr, "ManagedPolicyArns");
    cJSON_AddItemToArray(mp, sub("arn:${AWS::Partition}:iam::aws:policy/service-role/"
                                 "AmazonEC2ContainerServiceforEC2Role"));
    resource(res, "InstanceProfile", "AWS::IAM::InstanceProfile", &pr);
    cJSON *roles = cJSON_AddArrayToObject(pr, "Roles");
    cJSON_AddItemToArray(roles, ref("InstanceRole"));
    if (!spot_fleet) return;
    resource(res, "SpotFleetRole", "AWS::IAM::Role", &pr);
    cJSON_AddItemToObject(pr, "AssumeRolePolicyDocument",
                          assume("spotfleet.amazonaws.com"));
    mp = cJSON_AddArrayToObject(pr, "ManagedPolicyArns");
    cJSON_AddItemToArray(mp, sub("arn:${AWS::Partition}:iam::aws:policy/service-role/"
                                 "AmazonEC2SpotFleetTaggingRole"));
}

/* Capacity Rebalancing, as simulated: replace an instance at its
** rebalance recommendation (and terminate the old one after
** TerminationDelay with launch-before-terminate). */
static void capacity_rebalance(cJSON *cfg, const sim_scenario *sc) {
    cJSON *cr = cJSON_AddObjectToObject(
        cJSON_AddObjectToObject(cfg, "SpotMaintenanceStrategies"), "CapacityRebalance");
    int lbt = sc->rebalance == SIM_REBALANCE_LAUNCH_BEFORE_TERMINATE;
    cJSON_AddStringToObject(cr, "ReplacementStrategy",
                            lbt ? "launch-before-terminate" : "launch");
    if (lbt)
        cJSON_AddNumberToObject(cr, "TerminationDelay",
                                (double)sc->rebalance_termination_delay);
}

/* One LaunchSpecification of the fleet per pool. */
static cJSON *launch_spec(const sim_pool *pl, int draining) {
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "InstanceType", pl->instance_type);
    cJSON_AddItemToObject(s, "ImageId", ref("ImageId"));
    char sn[64];
    subnet_param(pl->az, sn, sizeof sn);
    cJSON_AddItemToObject(s, "SubnetId", ref(sn));
    cJSON_AddNumberToObject(s, "WeightedCapacity", pl->weight);
    /* Per unit-hour, as AWS defines SpotPrice under weighting. */
    num_string(s, "SpotPrice", pl->max_price);
    cJSON *ip = cJSON_AddObjectToObject(s, "IamInstanceProfile");
    cJSON_AddItemToObject(ip, "Arn", getatt("InstanceProfile", "Arn"));
    cJSON_AddItemToObject(s, "UserData", user_data(draining));
    /* Detailed monitoring: AWS recommends it "to ensure accuracy" of the
    ** AWS/EC2Spot metrics the controller reads (docs/deploy.md). */
    cJSON *mon = cJSON_AddObjectToObject(s, "Monitoring");
    cJSON_AddBoolToObject(mon, "Enabled", 1);
    return s;
}

static void spot_fleet(cJSON *res, const dep_plan *p) {
    const sim_scenario *sc = &p->sc;
    cJSON *pr;
    resource(res, "SpotFleet", "AWS::EC2::SpotFleet", &pr);
    cJSON *cfg = cJSON_AddObjectToObject(pr, "SpotFleetRequestConfigData");
    cJSON_AddItemToObject(cfg, "IamFleetRole", getatt("SpotFleetRole", "Arn"));
    cJSON_AddNumberToObject(cfg, "TargetCapacity", ceil(sc->target_capacity));
    cJSON_AddStringToObject(cfg, "AllocationStrategy", p->alloc);
    cJSON_AddStringToObject(cfg, "Type", "maintain");
    if (sc->rebalance != SIM_REBALANCE_NONE) capacity_rebalance(cfg, sc);
    cJSON *specs = cJSON_AddArrayToObject(cfg, "LaunchSpecifications");
    for (size_t i = 0; i < sc->npools; i++)
        cJSON_AddItemToArray(specs, launch_spec(&sc->pools[i], sc->spot_draining));
}

/* The subnets of the pools' AZs, one reference each. */
static void subnets(cJSON *pr, const az_list *azs) {
    cJSON *vz = cJSON_AddArrayToObject(pr, "VPCZoneIdentifier");
    for (size_t k = 0; k < azs->n; k++) {
        char sn[64];
        subnet_param(azs->az[k], sn, sizeof sn);
        cJSON_AddItemToArray(vz, ref(sn));
    }
}

/* The group metrics the controller reads (the kind-neutral view), at
** 1-minute granularity, which a group sends only when asked. */
static const char *const group_metrics[] = {
    "GroupDesiredCapacity", "GroupInServiceCapacity", "GroupPendingCapacity",
    "GroupTerminatingCapacity", "GroupTotalCapacity", NULL};

/* The spot capacity as an Auto Scaling group: a launch template (no
** instance type: the overrides name them), one override per instance type
** of the pools with its WeightedCapacity, the pools' AZs, DesiredCapacity
** in units; the InstancesDistribution of a fleet.kind asg scenario, else
** 100 % spot (no base); Capacity Rebalancing as simulated (a Spot Fleet
** scenario: on, as AWS recommends); 1-minute group metrics. */
static void spot_group(cJSON *res, const dep_plan *p, const az_list *azs) {
    const sim_scenario *sc = &p->sc;
    cJSON *pr;
    resource(res, "SpotLaunchTemplate", "AWS::EC2::LaunchTemplate", &pr);
    cJSON *ltd = cJSON_AddObjectToObject(pr, "LaunchTemplateData");
    cJSON_AddItemToObject(ltd, "ImageId", ref("ImageId"));
    cJSON *ip = cJSON_AddObjectToObject(ltd, "IamInstanceProfile");
    cJSON_AddItemToObject(ip, "Arn", getatt("InstanceProfile", "Arn"));
    cJSON_AddItemToObject(ltd, "UserData", user_data(sc->spot_draining));
    resource(res, "SpotGroup", "AWS::AutoScaling::AutoScalingGroup", &pr);
    cJSON *mip = cJSON_AddObjectToObject(pr, "MixedInstancesPolicy");
    cJSON *lt = cJSON_AddObjectToObject(mip, "LaunchTemplate");
    cJSON *lts = cJSON_AddObjectToObject(lt, "LaunchTemplateSpecification");
    cJSON_AddItemToObject(lts, "LaunchTemplateId", ref("SpotLaunchTemplate"));
    cJSON_AddItemToObject(lts, "Version", getatt("SpotLaunchTemplate", "LatestVersionNumber"));
    cJSON *ov = cJSON_AddArrayToObject(lt, "Overrides");
    for (size_t i = 0; i < sc->npools; i++) {
        size_t j = 0;
        while (j < i && strcmp(sc->pools[j].instance_type, sc->pools[i].instance_type) != 0)
            j++;
        if (j < i) continue; /* one override per type */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "InstanceType", sc->pools[i].instance_type);
        num_string(o, "WeightedCapacity", sc->pools[i].weight);
        cJSON_AddItemToArray(ov, o);
    }
    cJSON *id = cJSON_AddObjectToObject(mip, "InstancesDistribution");
    int grp = sc->kind == SIM_KIND_ASG;
    cJSON_AddNumberToObject(id, "OnDemandBaseCapacity", grp ? sc->mixed.od_base : 0);
    cJSON_AddNumberToObject(id, "OnDemandPercentageAboveBaseCapacity",
                            grp ? sc->mixed.od_pct : 0);
    cJSON_AddStringToObject(id, "OnDemandAllocationStrategy",
                            grp && sc->mixed.od_lowest_price ? "lowest-price" : "prioritized");
    cJSON_AddStringToObject(id, "SpotAllocationStrategy", p->alloc);
    /* A Spot Fleet scenario: on, whatever the fleet had (its warning). */
    cJSON_AddBoolToObject(pr, "CapacityRebalance", grp ? sc->mixed.capacity_rebalance : 1);
    cJSON_AddStringToObject(pr, "DesiredCapacityType", "units");
    num_string(pr, "MinSize", 0);
    num_string(pr, "MaxSize", ceil(sc->target_capacity));
    num_string(pr, "DesiredCapacity", ceil(sc->target_capacity));
    subnets(pr, azs);
    cJSON *mc = cJSON_AddArrayToObject(pr, "MetricsCollection"), *m0 = cJSON_CreateObject();
    cJSON_AddItemToArray(mc, m0);
    cJSON_AddStringToObject(m0, "Granularity", "1Minute");
    cJSON *ms = cJSON_AddArrayToObject(m0, "Metrics");
    for (size_t k = 0; group_metrics[k]; k++)
        cJSON_AddItemToArray(ms, cJSON_CreateString(group_metrics[k]));
}

/* The launch template and the on-demand group, in every pool's AZ. */
static void on_demand_group(cJSON *res, const sim_scenario *sc, const az_list *azs) {
    cJSON *pr;
    resource(res, "OnDemandLaunchTemplate", "AWS::EC2::LaunchTemplate", &pr);
    cJSON *ltd = cJSON_AddObjectToObject(pr, "LaunchTemplateData");
    cJSON_AddItemToObject(ltd, "ImageId", ref("ImageId"));
    cJSON_AddStringToObject(ltd, "InstanceType", sc->od_instance_type);
    cJSON *ip = cJSON_AddObjectToObject(ltd, "IamInstanceProfile");
    cJSON_AddItemToObject(ip, "Arn", getatt("InstanceProfile", "Arn"));
    cJSON_AddItemToObject(ltd, "UserData", user_data(0));
    resource(res, "OnDemandGroup", "AWS::AutoScaling::AutoScalingGroup", &pr);
    cJSON *lt = cJSON_AddObjectToObject(pr, "LaunchTemplate");
    cJSON_AddItemToObject(lt, "LaunchTemplateId", ref("OnDemandLaunchTemplate"));
    cJSON_AddItemToObject(lt, "Version", getatt("OnDemandLaunchTemplate",
                                                "LatestVersionNumber"));
    num_string(pr, "MinSize", sc->asg_min);
    num_string(pr, "MaxSize", sc->asg_max);
    num_string(pr, "DesiredCapacity", sc->asg_desired);
    num_string(pr, "Cooldown", (double)sc->default_cooldown);
    subnets(pr, azs);
}

/* An alarm's metric: `metric` of namespace `ns` with one dimension `dim`
** naming the stack's resource `res`, its statistic over `period` s. */
static void alarm_metric(cJSON *pr, const char *ns, const char *metric, const char *dim,
                         const char *res, const char *stat, int period) {
    cJSON_AddStringToObject(pr, "Namespace", ns);
    cJSON_AddStringToObject(pr, "MetricName", metric);
    cJSON *dims = cJSON_AddArrayToObject(pr, "Dimensions"), *d0 = cJSON_CreateObject();
    cJSON_AddItemToArray(dims, d0);
    cJSON_AddStringToObject(d0, "Name", dim);
    cJSON_AddItemToObject(d0, "Value", ref(res));
    cJSON_AddStringToObject(pr, "Statistic", stat);
    cJSON_AddNumberToObject(pr, "Period", period);
}

/* An alarm that fires when its metric is above 0 for `periods` periods
** (missing data is not breaching), and notifies the topic `topic`. */
static void alarm_above_zero(cJSON *pr, int periods, const char *topic) {
    cJSON_AddNumberToObject(pr, "EvaluationPeriods", periods);
    cJSON_AddNumberToObject(pr, "Threshold", 0);
    cJSON_AddStringToObject(pr, "ComparisonOperator", "GreaterThanThreshold");
    cJSON_AddStringToObject(pr, "TreatMissingData", "notBreaching");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(pr, "AlarmActions"), ref(topic));
}

/* The controller: its log group, its role, the function (one tick per
** invocation) and how Lambda invokes it. With the alarm path, the SNS
** event carries no live configuration, so the function holds it in
** SPOTBENCH_LIVE_CONFIG. */
static void controller(cJSON *res, const dep_plan *p, const char *live_text) {
    cJSON *pr;
    resource(res, "ControllerLogGroup", "AWS::Logs::LogGroup", &pr);
    cJSON_AddItemToObject(pr, "LogGroupName",
                          sub("/aws/lambda/${AWS::StackName}-controller"));
    cJSON_AddNumberToObject(pr, "RetentionInDays", 30);
    controller_role(res, p->apply, p->spot_fleet, p->pol->reads_events,
                    pol_reads_launch_failures(p->pol, &p->params));
    cJSON *fn = resource(res, "Controller", "AWS::Lambda::Function", &pr);
    cJSON *dep = cJSON_AddArrayToObject(fn, "DependsOn");
    cJSON_AddItemToArray(dep, cJSON_CreateString("ControllerLogGroup"));
    cJSON_AddItemToObject(pr, "FunctionName", sub("${AWS::StackName}-controller"));
    cJSON_AddStringToObject(pr, "Description",
                            "spotbench live controller (one tick per invocation)");
    cJSON_AddStringToObject(pr, "Runtime", "provided.al2023");
    cJSON_AddStringToObject(pr, "Handler", "bootstrap");
    cJSON *arch = cJSON_AddArrayToObject(pr, "Architectures");
#if defined(__aarch64__)
    cJSON_AddItemToArray(arch, cJSON_CreateString("arm64"));
#else
    cJSON_AddItemToArray(arch, cJSON_CreateString("x86_64"));
#endif
    cJSON *code = cJSON_AddObjectToObject(pr, "Code");
    cJSON_AddItemToObject(code, "S3Bucket", ref("LambdaCodeBucket"));
    cJSON_AddItemToObject(code, "S3Key", ref("LambdaCodeKey"));
    cJSON_AddItemToObject(pr, "Role", getatt("ControllerRole", "Arn"));
    cJSON_AddNumberToObject(pr, "Timeout", p->timeout_s);
    cJSON_AddNumberToObject(pr, "MemorySize", 128);
    /* One tick at a time: two concurrent ticks could both scale out. */
    cJSON_AddNumberToObject(pr, "ReservedConcurrentExecutions", 1);
    cJSON *env = cJSON_AddObjectToObject(cJSON_AddObjectToObject(pr, "Environment"),
                                         "Variables");
    cJSON_AddStringToObject(env, "SPOTBENCH_APPLY", p->apply ? "true" : "false");
    if (p->alarm) cJSON_AddItemToObject(env, "SPOTBENCH_LIVE_CONFIG", sub(live_text));

    /* Lambda's defaults would retry a failed asynchronous invocation twice
    ** and keep an event up to 6 hours: stale ticks replayed late. */
    resource(res, "ControllerInvokeConfig", "AWS::Lambda::EventInvokeConfig", &pr);
    cJSON_AddItemToObject(pr, "FunctionName", ref("Controller"));
    cJSON_AddStringToObject(pr, "Qualifier", "$LATEST");
    cJSON_AddNumberToObject(pr, "MaximumRetryAttempts", 0);
    cJSON_AddNumberToObject(pr, "MaximumEventAgeInSeconds", 60);

    /* A tick that could not observe or act is a failed invocation (the
    ** runtime posts its error): an alarm on the function's Errors says so,
    ** to a topic the operators subscribe to (the stack's output). */
    resource(res, "ControllerErrorsTopic", "AWS::SNS::Topic", &pr);
    resource(res, "ControllerErrorsAlarm", "AWS::CloudWatch::Alarm", &pr);
    cJSON_AddStringToObject(pr, "AlarmDescription",
                            "the spotbench controller failed a tick (it could not observe "
                            "or act); its log group says why");
    alarm_metric(pr, "AWS/Lambda", "Errors", "FunctionName", "Controller", "Sum", 300);
    alarm_above_zero(pr, 1, "ControllerErrorsTopic");
}

/* The EventBridge rule every controller.Interval (in whole minutes, at
** least one), whose Input is the live configuration. */
static void schedule(cJSON *res, const sim_scenario *sc, const char *live_text) {
    cJSON *pr;
    resource(res, "Schedule", "AWS::Events::Rule", &pr);
    char rate[64];
    long long m = sc->cron_interval < 60 ? 1 : sc->cron_interval / 60;
    snprintf(rate, sizeof rate, "rate(%lld minute%s)", m, m == 1 ? "" : "s");
    cJSON_AddStringToObject(pr, "ScheduleExpression", rate);
    cJSON_AddStringToObject(pr, "State", "ENABLED");
    cJSON *tg = cJSON_AddArrayToObject(pr, "Targets"), *t0 = cJSON_CreateObject();
    cJSON_AddItemToArray(tg, t0);
    cJSON_AddStringToObject(t0, "Id", "controller");
    cJSON_AddItemToObject(t0, "Arn", getatt("Controller", "Arn"));
    cJSON_AddItemToObject(t0, "Input", sub(live_text));
    resource(res, "SchedulePermission", "AWS::Lambda::Permission", &pr);
    cJSON_AddItemToObject(pr, "FunctionName", ref("Controller"));
    cJSON_AddStringToObject(pr, "Action", "lambda:InvokeFunction");
    cJSON_AddStringToObject(pr, "Principal", "events.amazonaws.com");
    cJSON_AddItemToObject(pr, "SourceArn", getatt("Schedule", "Arn"));
}

/* The original's path: PendingCapacity > 0 -> SNS -> the function (which
** then runs SPOTBENCH_LIVE_CONFIG). */
/* A spot group's PendingCapacity as the view has it: desired minus in
** service (metric math), for the alarm. */
static void group_pending_metrics(cJSON *pr) {
    cJSON *ms = cJSON_AddArrayToObject(pr, "Metrics");
    static const char *const ids[] = {"desired", "inservice"};
    static const char *const names[] = {"GroupDesiredCapacity", "GroupInServiceCapacity"};
    for (int k = 0; k < 2; k++) {
        cJSON *q = cJSON_CreateObject();
        cJSON_AddItemToArray(ms, q);
        cJSON_AddStringToObject(q, "Id", ids[k]);
        cJSON *stat = cJSON_AddObjectToObject(q, "MetricStat");
        cJSON *m = cJSON_AddObjectToObject(stat, "Metric");
        cJSON_AddStringToObject(m, "Namespace", "AWS/AutoScaling");
        cJSON_AddStringToObject(m, "MetricName", names[k]);
        cJSON *dims = cJSON_AddArrayToObject(m, "Dimensions"), *d0 = cJSON_CreateObject();
        cJSON_AddItemToArray(dims, d0);
        cJSON_AddStringToObject(d0, "Name", "AutoScalingGroupName");
        cJSON_AddItemToObject(d0, "Value", ref("SpotGroup"));
        cJSON_AddNumberToObject(stat, "Period", 60);
        cJSON_AddStringToObject(stat, "Stat", "Maximum");
        cJSON_AddBoolToObject(q, "ReturnData", 0);
    }
    cJSON *e = cJSON_CreateObject();
    cJSON_AddItemToArray(ms, e);
    cJSON_AddStringToObject(e, "Id", "pending");
    cJSON_AddStringToObject(e, "Expression", "desired - inservice");
    cJSON_AddStringToObject(e, "Label", "PendingCapacity (desired - in service)");
    cJSON_AddBoolToObject(e, "ReturnData", 1);
}

static void pending_alarm(cJSON *res, const sim_scenario *sc, int spot_fleet) {
    cJSON *pr;
    resource(res, "PendingTopic", "AWS::SNS::Topic", &pr);
    cJSON *subs = cJSON_AddArrayToObject(pr, "Subscription"), *s0 = cJSON_CreateObject();
    cJSON_AddItemToArray(subs, s0);
    cJSON_AddItemToObject(s0, "Endpoint", getatt("Controller", "Arn"));
    cJSON_AddStringToObject(s0, "Protocol", "lambda");
    resource(res, "TopicPermission", "AWS::Lambda::Permission", &pr);
    cJSON_AddItemToObject(pr, "FunctionName", ref("Controller"));
    cJSON_AddStringToObject(pr, "Action", "lambda:InvokeFunction");
    cJSON_AddStringToObject(pr, "Principal", "sns.amazonaws.com");
    cJSON_AddItemToObject(pr, "SourceArn", ref("PendingTopic"));
    resource(res, "PendingAlarm", "AWS::CloudWatch::Alarm", &pr);
    if (!spot_fleet) {
        cJSON_AddStringToObject(pr, "AlarmDescription",
                                "the spot group has less capacity in service than desired");
        group_pending_metrics(pr);
        alarm_above_zero(pr, sc->alarm_periods, "PendingTopic");
        return;
    }
    cJSON_AddStringToObject(pr, "AlarmDescription",
                            "the Spot Fleet cannot fulfil its target capacity");
    alarm_metric(pr, "AWS/EC2Spot", "PendingCapacity", "FleetRequestId", "SpotFleet",
                 "Maximum", 60);
    alarm_above_zero(pr, sc->alarm_periods, "PendingTopic");
}

/* An EventBridge rule on the default bus for one detail-type of source
** aws.ec2, whose target is the event queue. */
static void event_rule(cJSON *res, const char *name, const char *detail_type) {
    cJSON *pr;
    resource(res, name, "AWS::Events::Rule", &pr);
    char desc[160];
    snprintf(desc, sizeof desc, "%s events to the controller's queue", detail_type);
    cJSON_AddStringToObject(pr, "Description", desc);
    cJSON *pat = cJSON_AddObjectToObject(pr, "EventPattern");
    cJSON_AddItemToObject(pat, "source", cJSON_CreateStringArray(
                                              (const char *const[]){"aws.ec2"}, 1));
    cJSON_AddItemToObject(pat, "detail-type",
                          cJSON_CreateStringArray(&detail_type, 1));
    cJSON_AddStringToObject(pr, "State", "ENABLED");
    cJSON *tg = cJSON_AddArrayToObject(pr, "Targets"), *t0 = cJSON_CreateObject();
    cJSON_AddItemToArray(tg, t0);
    cJSON_AddStringToObject(t0, "Id", "queue");
    cJSON_AddItemToObject(t0, "Arn", getatt("EventQueue", "Arn"));
}

/* The interruption warnings and rebalance recommendations, as a policy
** that reads them receives them (aws/sqs.c): two rules to one SQS queue,
** which only those two rules may send to (the queue policy). A message is
** hidden for the function's Timeout once received (a failed tick's comes
** back after it) and kept 10 minutes: a warning older than that names an
** instance already gone; receives long-poll for 1 s. */
static void dep_event_queue(cJSON *res, const dep_plan *p) {
    cJSON *pr;
    resource(res, "EventQueue", "AWS::SQS::Queue", &pr);
    cJSON_AddNumberToObject(pr, "VisibilityTimeout", p->timeout_s);
    cJSON_AddNumberToObject(pr, "MessageRetentionPeriod", 600);
    /* Long polling: a ReceiveMessage asks every server and waits up to 1 s
    ** for a message (a short poll samples some servers and may answer
    ** empty while messages wait). */
    cJSON_AddNumberToObject(pr, "ReceiveMessageWaitTimeSeconds", 1);
    cJSON_AddTrueToObject(pr, "SqsManagedSseEnabled");
    event_rule(res, "InterruptionWarningRule",
               pol_event_detail_type(POL_EV_WARNING));
    event_rule(res, "RebalanceRecommendationRule",
               pol_event_detail_type(POL_EV_REBALANCE));
    resource(res, "EventQueuePolicy", "AWS::SQS::QueuePolicy", &pr);
    cJSON *qs = cJSON_AddArrayToObject(pr, "Queues");
    cJSON_AddItemToArray(qs, ref("EventQueue"));
    cJSON *doc = cJSON_AddObjectToObject(pr, "PolicyDocument");
    cJSON_AddStringToObject(doc, "Version", "2012-10-17");
    cJSON *st = cJSON_AddArrayToObject(doc, "Statement"), *s = cJSON_CreateObject();
    cJSON_AddItemToArray(st, s);
    cJSON_AddStringToObject(s, "Sid", "TheTwoRulesOnly");
    cJSON_AddStringToObject(s, "Effect", "Allow");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(s, "Principal"), "Service",
                            "events.amazonaws.com");
    cJSON_AddStringToObject(s, "Action", "sqs:SendMessage");
    cJSON_AddItemToObject(s, "Resource", getatt("EventQueue", "Arn"));
    cJSON *arns = cJSON_AddArrayToObject(
        cJSON_AddObjectToObject(cJSON_AddObjectToObject(s, "Condition"), "ArnEquals"),
        "aws:SourceArn");
    cJSON_AddItemToArray(arns, getatt("InterruptionWarningRule", "Arn"));
    cJSON_AddItemToArray(arns, getatt("RebalanceRecommendationRule", "Arn"));
}

/* The ids `live` needs (the stack's outputs) and the live configuration. */
static void outputs(cJSON *t, const char *live_text, int spot_fleet, int queue) {
    cJSON *outs = cJSON_AddObjectToObject(t, "Outputs"), *o;
    o = cJSON_AddObjectToObject(outs,
                                spot_fleet ? "FleetRequestId" : "SpotAutoScalingGroupName");
    cJSON_AddItemToObject(o, "Value", ref(spot_fleet ? "SpotFleet" : "SpotGroup"));
    o = cJSON_AddObjectToObject(outs, "AutoScalingGroupName");
    cJSON_AddItemToObject(o, "Value", ref("OnDemandGroup"));
    o = cJSON_AddObjectToObject(outs, "ControllerFunction");
    cJSON_AddItemToObject(o, "Value", ref("Controller"));
    o = cJSON_AddObjectToObject(outs, "ControllerErrorsTopic");
    cJSON_AddStringToObject(o, "Description", "subscribe to hear of a failed tick");
    cJSON_AddItemToObject(o, "Value", ref("ControllerErrorsTopic"));
    if (queue) {
        o = cJSON_AddObjectToObject(outs, "EventQueueUrl");
        cJSON_AddItemToObject(o, "Value", ref("EventQueue"));
    }
    o = cJSON_AddObjectToObject(outs, "LiveConfig");
    cJSON_AddStringToObject(o, "Description", "the live configuration every "
                                              "invocation carries (live.json)");
    cJSON_AddItemToObject(o, "Value", sub(live_text));
}

/* The template's sections and resources are written in the order of the
** calls below (cJSON keeps the order keys were added in). CloudFormation
** resolves references by name, so the order is the reader's only; it is
** kept so the same plan gives the same bytes. */
char *dep_cloudformation(const dep_plan *p) {
    const sim_scenario *sc = &p->sc;
    int interval;
    char *live_text = live_input(p, &interval);
    if (!live_text) return NULL;

    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "AWSTemplateFormatVersion", "2010-09-09");
    char desc[512];
    snprintf(desc, sizeof desc,
             "spotbench: %s + on-demand Auto Scaling group fallback for "
             "scenario %s, controlled by the %s policy (spotbench lambda, every "
             "%lld s)",
             p->spot_fleet ? "Spot Fleet" : "spot Auto Scaling group (MixedInstancesPolicy)",
             sc->name, p->pol->name, (long long)interval);
    cJSON_AddStringToObject(t, "Description", desc);
    az_list azs;
    pool_azs(sc, &azs);
    parameters(t, &azs);

    cJSON *res = cJSON_AddObjectToObject(t, "Resources");
    instance_and_fleet_roles(res, p->spot_fleet);
    if (p->spot_fleet)
        spot_fleet(res, p);
    else
        spot_group(res, p, &azs);
    on_demand_group(res, sc, &azs);
    controller(res, p, live_text);
    if (sc->cron) schedule(res, sc, live_text);
    if (p->alarm) pending_alarm(res, sc, p->spot_fleet);
    if (p->pol->reads_events) dep_event_queue(res, p);
    outputs(t, live_text, p->spot_fleet, p->pol->reads_events);

    char *out = cJSON_Print(t);
    cJSON_Delete(t);
    free(live_text);
    return out;
}
