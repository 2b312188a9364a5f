/*
** test_scenario.c: sim_scenario_load() on scenario and trace files written
** to a fresh temporary directory: every field and default, direct mode,
** --set overrides, trace sorting and the same-timestamp rule, path
** resolution, times, the input hash, and one message per error class with
** the exact field path.
**
** Fixture JSON is written with ' for " (see put_json) to keep it readable.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <dlfcn.h>

#include "sim/sim.h"

/* 2017-03-01T00:00:00Z and a day later. */
#define T0 1488326400LL
#define T1 1488412800LL

/* ---- fixture: a temporary directory and the files written into it ---- */

typedef struct {
    char dir[64];
    char files[32][128]; /* relative names, removed in reverse order */
    int nfiles;
    char path[256];      /* scratch for at() */
    char err[512];
} fx;

static int setup(void **st) {
    fx *f = calloc(1, sizeof *f);
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/spotbench-scenario-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    *st = f;
    return 0;
}

static int teardown(void **st) {
    fx *f = *st;
    char p[256];
    for (int i = f->nfiles - 1; i >= 0; i--) {
        snprintf(p, sizeof p, "%s/%s", f->dir, f->files[i]);
        remove(p); /* files and the subdirectories recorded before them */
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* The absolute path of `name` in the fixture directory (one scratch
** buffer: use it before the next call). */
static const char *at(fx *f, const char *name) {
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    return f->path;
}

static void record(fx *f, const char *name) {
    for (int i = 0; i < f->nfiles; i++)
        if (strcmp(f->files[i], name) == 0) return;
    assert_true(f->nfiles < 32);
    snprintf(f->files[f->nfiles++], sizeof f->files[0], "%s", name);
}

/* Writes `text` to dir/name, creating one level of subdirectory. */
static void put(fx *f, const char *name, const char *text) {
    const char *slash = strchr(name, '/');
    if (slash) {
        char sub[128];
        snprintf(sub, sizeof sub, "%.*s", (int)(slash - name), name);
        mkdir(at(f, sub), 0700);
        record(f, sub);
    }
    FILE *fp = fopen(at(f, name), "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    record(f, name);
}

/* put() with every ' turned into ". */
static void put_json(fx *f, const char *name, const char *text) {
    char *s = strdup(text);
    assert_non_null(s);
    for (char *p = s; *p; p++)
        if (*p == '\'') *p = '"';
    put(f, name, s);
    free(s);
}

/* Loads dir/name with the given overrides. */
static int load(fx *f, const char *name, const char *const *sets,
                size_t nsets, sim_scenario *sc) {
    f->err[0] = '\0';
    return sim_scenario_load(at(f, name), sets, nsets, sc, f->err,
                             sizeof f->err);
}

/* Asserts that loading fails with exactly "DIR/" + msg. */
static void load_fails(fx *f, const char *name, const char *const *sets,
                       size_t nsets, const char *msg) {
    sim_scenario sc;
    char want[512];
    if (load(f, name, sets, nsets, &sc) == 0) {
        sim_scenario_free(&sc);
        fail_msg("accepted; expected '%s'", msg);
    }
    if (msg[0] == '-') snprintf(want, sizeof want, "%s", msg); /* --set */
    else snprintf(want, sizeof want, "%s/%s", f->dir, msg);
    assert_string_equal(f->err, want);
    /* A failed load leaves nothing to free. */
    assert_null(sc.pools);
    assert_int_equal(sc.npools, 0);
}

/* ---- shared fixtures ---- */

#define PRICES_HEADER "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n"

static const char *const base_json =
    "{'start': '2017-03-01T00:00:00Z', 'end': '2017-03-02T00:00:00Z',\n"
    " 'fleet': {'TargetCapacity': 32,\n"
    "   'LaunchSpecifications': [\n"
    "     {'InstanceType': 'c4.large', 'AvailabilityZone': 'us-east-1a',\n"
    "      'WeightedCapacity': 2, 'OnDemandPrice': 0.1},\n"
    "     {'InstanceType': 'c4.xlarge', 'AvailabilityZone': 'us-east-1b',\n"
    "      'WeightedCapacity': 4, 'OnDemandPrice': 0.2}]},\n"
    " 'traces': {'prices': 'prices.csv'},\n"
    " 'asg': {'OnDemandPrice': 0.21}}\n";

static const char *const base_prices =
    PRICES_HEADER
    "2017-03-01T00:00:00Z,c4.large,us-east-1a,0.03\n"
    "2017-03-01T00:00:00Z,c4.xlarge,us-east-1b,0.06\n";

/* scenario.json (the minimal model scenario) and prices.csv. */
static void base(fx *f) {
    put_json(f, "scenario.json", base_json);
    put(f, "prices.csv", base_prices);
}

static void assert_dist(sim_dist d, double p, int64_t min, int64_t max) {
    assert_true(d.p == p);
    assert_int_equal(d.min, min);
    assert_int_equal(d.max, max);
}

static void assert_pt(const sim_steps *s, size_t i, int64_t t, double v) {
    assert_true(i < s->n);
    assert_int_equal(s->pts[i].t, t);
    if (s->pts[i].v != v)
        fail_msg("point %zu: %g, expected %g", i, s->pts[i].v, v);
}

/* ---- valid scenarios ---- */

static void full_model_scenario(void **st) {
    fx *f = *st;
    put_json(f, "full.json",
             "{'name': 'full day', 'description': 'every field set',\n"
             " 'mode': 'model', 'seed': 42,\n"
             " 'start': '2017-03-01T00:00:00Z', 'end': 1488412800,\n"
             " 'billing': 'per-hour',\n"
             " 'fleet': {'TargetCapacity': 32.5,\n"
             "   'AllocationStrategy': 'priceCapacityOptimized',\n"
             "   'SpotPrice': 0.04,\n"
             "   'LaunchDelay': {'min': 10, 'max': 20, 'p': 0.5},\n"
             "   'LaunchSpecifications': [\n"
             "     {'InstanceType': 'c4.large', 'AvailabilityZone': 'us-east-1a',\n"
             "      'WeightedCapacity': 2, 'SpotPrice': 0.03, 'OnDemandPrice': 0.1},\n"
             "     {'InstanceType': 'c4.xlarge', 'AvailabilityZone': 'us-east-1b',\n"
             "      'WeightedCapacity': 4, 'OnDemandPrice': 0.2}],\n"
             "   'TargetTracking': {'Demand': 'demand.csv', 'TargetValue': 80,\n"
             "      'ScaleOutCooldown': 60, 'ScaleInCooldown': 600,\n"
             "      'MinCapacity': 4, 'MaxCapacity': 64}},\n"
             " 'traces': {'prices': 'prices.csv', 'availability': 'avail.csv'},\n"
             " 'ecs': {'RegistrationDelay': {'min': 20, 'max': 40}},\n"
             " 'cloudwatch': {'IngestionDelay': {'min': 30, 'max': 90, 'p': 0.9},\n"
             "   'MissingProbability': 0.01, 'FetchFailureProbability': 0.02},\n"
             " 'controller': {'policy': 'guarded',\n"
             "   'params': {'guarded': {'confirm': 3, 'headroom_units': 2.5},\n"
             "              'classic': {'window': 900}},\n"
             "   'Cron': true, 'Interval': 120, 'Offset': 30, 'Alarm': true,\n"
             "   'AlarmPeriods': 2, 'SnsDelay': 5, 'FailureProbability': 0.03},\n"
             " 'asg': {'AutoScalingGroupName': 'od-backup',\n"
             "   'InstanceType': 'm4.xlarge', 'WeightedCapacity': 8,\n"
             "   'OnDemandPrice': 0.2, 'MinSize': 1, 'MaxSize': 50,\n"
             "   'DesiredCapacity': 2, 'DefaultCooldown': 900,\n"
             "   'LaunchDelay': {'min': 90, 'max': 150},\n"
             "   'DescribeFailureProbability': 0.04}}\n");
    put(f, "prices.csv",
        PRICES_HEADER
        "2017-03-01T00:00:00Z,c4.large,us-east-1a,0.03\n"
        "1488326400,c4.xlarge,us-east-1b,0.06\n"
        "2017-03-01T06:00:00Z,c4.large,us-east-1a,0.05\n");
    put(f, "avail.csv",
        "Timestamp,InstanceType,AvailabilityZone,Capacity\n"
        "2017-03-01T00:00:00Z,c4.large,us-east-1a,10\n"
        "2017-03-01T03:00:00Z,c4.large,us-east-1a,0\n");
    put(f, "demand.csv",
        "Timestamp,Demand\n"
        "2017-03-01T00:00:00Z,24\n"
        "2017-03-01T12:00:00Z,40.5\n");
    sim_scenario sc;
    assert_int_equal(load(f, "full.json", NULL, 0, &sc), 0);
    assert_string_equal(sc.name, "full day");
    assert_string_equal(sc.path, at(f, "full.json"));
    assert_int_equal(strlen(sc.hash), 16);
    assert_int_equal(sc.mode, SIM_MODEL);
    assert_int_equal(sc.seed, 42);
    assert_int_equal(sc.start, T0);
    assert_int_equal(sc.end, T1);
    assert_int_equal(sc.billing, SIM_PER_HOUR);

    assert_true(sc.target_capacity == 32.5);
    assert_int_equal(sc.alloc, SIM_PRICE_CAPACITY_OPTIMIZED);
    assert_dist(sc.fleet_launch_delay, 0.5, 10, 20);
    assert_int_equal(sc.npools, 2);
    sim_pool *p = &sc.pools[0];
    assert_string_equal(p->instance_type, "c4.large");
    assert_string_equal(p->az, "us-east-1a");
    assert_true(p->weight == 2);
    assert_true(p->max_price == 0.03);
    assert_true(p->on_demand_price == 0.1);
    assert_int_equal(p->price.n, 2);
    assert_pt(&p->price, 0, T0, 0.03);
    assert_pt(&p->price, 1, T0 + 6 * 3600, 0.05);
    assert_int_equal(p->avail.n, 2);
    assert_pt(&p->avail, 0, T0, 10);
    assert_pt(&p->avail, 1, T0 + 3 * 3600, 0);
    p = &sc.pools[1];
    assert_string_equal(p->instance_type, "c4.xlarge");
    assert_true(p->weight == 4);
    assert_true(p->max_price == 0.04); /* the fleet's SpotPrice */
    assert_int_equal(p->price.n, 1);
    assert_pt(&p->price, 0, T0, 0.06);
    assert_int_equal(p->avail.n, 0); /* no rows: no limit */

    assert_int_equal(sc.demand.n, 2);
    assert_pt(&sc.demand, 0, T0, 24);
    assert_pt(&sc.demand, 1, T0 + 12 * 3600, 40.5);
    assert_true(sc.tt_target_value == 80);
    assert_int_equal(sc.tt_scale_out_cooldown, 60);
    assert_int_equal(sc.tt_scale_in_cooldown, 600);
    assert_true(sc.tt_min == 4);
    assert_true(sc.tt_max == 64);

    assert_dist(sc.registration_delay, 1, 20, 40);
    assert_dist(sc.cw_delay, 0.9, 30, 90);
    assert_true(sc.cw_missing == 0.01);
    assert_true(sc.cw_fetch_failure == 0.02);

    assert_ptr_equal(sc.policy, pol_find("guarded"));
    assert_int_equal(sc.nparams, 2);
    assert_int_equal(sc.cron, 1);
    assert_int_equal(sc.cron_interval, 120);
    assert_int_equal(sc.cron_offset.min, 30);
    assert_int_equal(sc.cron_offset.max, 30);
    assert_int_equal(sc.alarm, 1);
    assert_int_equal(sc.alarm_periods, 2);
    assert_dist(sc.sns_delay, 1, 5, 5);
    assert_true(sc.invoke_failure == 0.03);

    assert_string_equal(sc.od_instance_type, "m4.xlarge");
    assert_true(sc.od_weight == 8);
    assert_true(sc.od_price == 0.2);
    assert_int_equal(sc.asg_min, 1);
    assert_int_equal(sc.asg_max, 50);
    assert_int_equal(sc.asg_desired, 2);
    assert_int_equal(sc.default_cooldown, 900);
    assert_dist(sc.od_launch_delay, 1, 90, 150);
    assert_true(sc.describe_failure == 0.04);
    for (int m = 0; m < POL_NMETRICS; m++) assert_int_equal(sc.d_metric[m].n, 0);

    /* Parameters: the scenario's over the policy's defaults, the units
    ** those of the on-demand group. */
    const pol_policy *g = pol_find("guarded"), *c = pol_find("classic");
    pol_params pp, def;
    sim_scenario_params(&sc, g, &pp);
    pol_params_default(g, &def);
    for (size_t i = 0; i < g->nparams; i++) {
        const char *n = g->params[i].name;
        double want = strcmp(n, "confirm") == 0              ? 3
                      : strcmp(n, "headroom_units") == 0     ? 2.5
                      : strcmp(n, "units_per_instance") == 0 ? 8
                                                             : def.v[i];
        if (pp.v[i] != want) fail_msg("%s: %g, expected %g", n, pp.v[i], want);
    }
    sim_scenario_params(&sc, c, &pp);
    assert_true(pp.v[pol_param_index(c, "window")] == 900);
    assert_true(pp.v[pol_param_index(c, "units_per_instance")] == 8);
    sim_scenario_free(&sc);
    assert_null(sc.pools);
}

/* eventbridge: its defaults (assumed: 1-30 s, none lost), its fields,
** fleet.TerminationDelay, and no events in a replay of recorded metrics. */
static void eventbridge_fields(void **st) {
    fx *f = *st;
    base(f);
    sim_scenario sc;
    assert_int_equal(load(f, "scenario.json", NULL, 0, &sc), 0);
    assert_int_equal(sc.ev_on, 1);
    assert_dist(sc.ev_delay, 1, 1, 30);
    assert_true(sc.ev_loss == 0);
    assert_dist(sc.fleet_termination_delay, 1, 30, 90);
    sim_scenario_free(&sc);
    const char *sets[] = {"eventbridge.DeliveryDelay=120", "eventbridge.LossProbability=0.1",
                          "eventbridge.Enabled=false", "fleet.TerminationDelay=45"};
    assert_int_equal(load(f, "scenario.json", sets, 4, &sc), 0);
    assert_int_equal(sc.ev_on, 0);
    assert_dist(sc.ev_delay, 1, 120, 120);
    assert_true(sc.ev_loss == 0.1);
    assert_dist(sc.fleet_termination_delay, 1, 45, 45);
    sim_scenario_free(&sc);
    const char *bad[] = {"eventbridge.LossProbability=2"};
    load_fails(f, "scenario.json", bad, 1,
               "scenario.json: eventbridge.LossProbability: must be between 0 and 1");
    const char *typo[] = {"eventbridge.Delay=5"};
    assert_int_equal(load(f, "scenario.json", typo, 1, &sc), -1);
    assert_non_null(strstr(f->err, "eventbridge.Delay"));
}

static void minimal_model_defaults(void **st) {
    fx *f = *st;
    base(f);
    sim_scenario sc;
    assert_int_equal(load(f, "scenario.json", NULL, 0, &sc), 0);
    assert_string_equal(sc.name, "scenario"); /* file name without .json */
    assert_int_equal(sc.mode, SIM_MODEL);
    assert_int_equal(sc.seed, 1);
    assert_int_equal(sc.billing, SIM_PER_SECOND);
    assert_int_equal(sc.alloc, SIM_LOWEST_PRICE);
    assert_dist(sc.fleet_launch_delay, 1, 60, 180);
    /* No SpotPrice anywhere: on-demand price per unit-hour. */
    assert_true(sc.pools[0].max_price == 0.1 / 2);
    assert_true(sc.pools[1].max_price == 0.2 / 4);
    assert_int_equal(sc.demand.n, 0);
    assert_true(sc.tt_target_value == 100);
    assert_int_equal(sc.tt_scale_out_cooldown, 300);
    assert_int_equal(sc.tt_scale_in_cooldown, 300);
    assert_true(sc.tt_min == 0);
    assert_true(sc.tt_max == 1000000);
    assert_dist(sc.registration_delay, 1, 30, 30);
    assert_dist(sc.cw_delay, 1, 0, 30);
    assert_true(sc.cw_missing == 0);
    assert_true(sc.cw_fetch_failure == 0);
    assert_ptr_equal(sc.policy, pol_find("classic"));
    assert_int_equal(sc.nparams, 0);
    assert_int_equal(sc.cron, 1);
    assert_int_equal(sc.cron_interval, 60);
    /* The defaults: any second of the Interval, drawn once; 0-5 s of jitter;
    ** a datapoint 0-30 s after its period closes. */
    assert_int_equal(sc.cron_offset.min, 0);
    assert_int_equal(sc.cron_offset.max, 59);
    assert_int_equal(sc.cron_jitter.max, 5);
    assert_int_equal(sc.cw_delay.min, 0);
    assert_int_equal(sc.cw_delay.max, 30);
    assert_int_equal(sc.alarm, 0);
    assert_int_equal(sc.alarm_periods, 1);
    assert_dist(sc.sns_delay, 1, 1, 1);
    assert_true(sc.invoke_failure == 0);
    assert_string_equal(sc.od_instance_type, "c3.xlarge");
    assert_true(sc.od_weight == 4);
    assert_int_equal(sc.asg_min, 0);
    assert_int_equal(sc.asg_max, 200);
    assert_int_equal(sc.asg_desired, 0);
    assert_int_equal(sc.default_cooldown, 300);
    assert_dist(sc.od_launch_delay, 1, 60, 120);
    assert_true(sc.describe_failure == 0);
    pol_params pp, def;
    sim_scenario_params(&sc, pol_find("guarded"), &pp);
    pol_params_default(pol_find("guarded"), &def);
    assert_memory_equal(&pp, &def, sizeof pp);
    sim_scenario_free(&sc);
}

/* sim_scenario_check_policy with the parameters a run of the policy takes,
** and `extra` ("NAME=VALUE" or NULL) over them. */
static int check_policy_with(const sim_scenario *sc, const char *name, const char *extra,
                             char *err, size_t n) {
    const pol_policy *pol = pol_find(name);
    assert_non_null(pol);
    pol_params p;
    sim_scenario_params(sc, pol, &p);
    if (extra) {
        char key[64], msg[200];
        const char *eq = strchr(extra, '=');
        snprintf(key, sizeof key, "%.*s", (int)(eq - extra), extra);
        assert_int_equal(pol_param_set(pol, &p, key, eq + 1, msg, sizeof msg), 0);
    }
    return sim_scenario_check_policy(sc, pol, &p, err, n);
}

static int check_policy(const sim_scenario *sc, const char *name, char *err, size_t n) {
    return check_policy_with(sc, name, NULL, err, n);
}

static void direct_scenario(void **st) {
    fx *f = *st;
    put_json(f, "direct.json",
             "{'mode': 'direct', 'start': 1488326400, 'end': 1488326580,\n"
             " 'direct': {'metrics': 'metrics.csv', 'Period': 60,\n"
             "            'SpotPrice': 0.0125},\n"
             " 'asg': {'OnDemandPrice': 0.21, 'MaxSize': 10}}\n");
    /* No PendingCapacity column: derived as max(0, Target - Fulfilled)
    ** wherever both have a datapoint. Empty cells are no datapoint. */
    put(f, "metrics.csv",
        "Timestamp,TargetCapacity,FulfilledCapacity,TerminatingCapacity\n"
        "2017-03-01T00:02:00Z,32,20,4\n"
        "2017-03-01T00:00:00Z,32,32,\n"
        "2017-03-01T00:01:00Z,32,,0\n"
        "1488326580,,40,\n");
    sim_scenario sc;
    assert_int_equal(load(f, "direct.json", NULL, 0, &sc), 0);
    assert_int_equal(sc.mode, SIM_DIRECT);
    assert_int_equal(sc.d_period, 60);
    assert_true(sc.d_spot_price == 0.0125);
    assert_int_equal(sc.npools, 0);
    assert_null(sc.pools);
    const sim_steps *m = sc.d_metric;
    assert_int_equal(m[POL_TARGET].n, 3);
    assert_pt(&m[POL_TARGET], 0, T0, 32);
    assert_pt(&m[POL_TARGET], 2, T0 + 120, 32);
    assert_int_equal(m[POL_FULFILLED].n, 3);
    assert_pt(&m[POL_FULFILLED], 0, T0, 32);
    assert_pt(&m[POL_FULFILLED], 1, T0 + 120, 20);
    assert_pt(&m[POL_FULFILLED], 2, T0 + 180, 40);
    assert_int_equal(m[POL_PENDING].n, 2); /* T0 and T0+120 have both */
    assert_pt(&m[POL_PENDING], 0, T0, 0);
    assert_pt(&m[POL_PENDING], 1, T0 + 120, 12);
    assert_int_equal(m[POL_TERMINATING].n, 2);
    assert_pt(&m[POL_TERMINATING], 0, T0 + 60, 0);
    assert_pt(&m[POL_TERMINATING], 1, T0 + 120, 4);
    assert_int_equal(sc.asg_max, 10);
    sim_scenario_free(&sc);

    /* Only PendingCapacity: FulfilledCapacity = max(0, Target - Pending);
    ** Period 300. */
    put(f, "metrics5.csv",
        "Timestamp,TargetCapacity,PendingCapacity\n"
        "2017-03-01T00:00:00Z,32,8\n"
        "2017-03-01T00:05:00Z,32,40\n");
    const char *sets[] = {"direct.metrics=metrics5.csv", "direct.Period=300"};
    assert_int_equal(load(f, "direct.json", sets, 2, &sc), 0);
    assert_int_equal(sc.d_period, 300);
    assert_int_equal(m[POL_FULFILLED].n, 2);
    assert_pt(&m[POL_FULFILLED], 0, T0, 24);
    assert_pt(&m[POL_FULFILLED], 1, T0 + 300, 0);
    assert_pt(&m[POL_PENDING], 1, T0 + 300, 40);
    assert_int_equal(m[POL_TERMINATING].n, 0);

    /* No TerminatingCapacity: no policy reads it (it is capacity the fleet
    ** ends for being above its target, not notices), so every one runs;
    ** guarded and hedge run without events, which their runs' notes say. */
    char err[1024];
    static const char *const all[] = {"classic", "karpenter", "none", "oracle", "hedge",
                                      "guarded", "ondemand"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        assert_int_equal(check_policy(&sc, all[i], err, sizeof err), 0);
    sim_scenario_free(&sc);

    /* A column in the header with no datapoint is not derived: said so. */
    put(f, "metrics-empty.csv",
        "Timestamp,TargetCapacity,FulfilledCapacity,PendingCapacity\n"
        "2017-03-01T00:00:00Z,32,24,\n2017-03-01T00:01:00Z,32,24,\n"
        "2017-03-01T00:02:00Z,32,24,\n");
    const char *empty[] = {"direct.metrics=metrics-empty.csv"};
    assert_int_equal(load(f, "direct.json", empty, 1, &sc), 0);
    assert_int_equal(check_policy(&sc, "karpenter", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "no PendingCapacity datapoints, and karpenter reads it"));
    assert_non_null(strstr(err, "leave the empty column out of the header"));
    sim_scenario_free(&sc);

    /* Model mode publishes every metric. */
    base(f);
    assert_int_equal(load(f, "scenario.json", NULL, 0, &sc), 0);
    assert_int_equal(check_policy(&sc, "hedge", err, sizeof err), 0);
    sim_scenario_free(&sc);
}

/* units_per_instance defaults to the on-demand group's WeightedCapacity;
** controller.params overrides only the parameters it gives. */
static void units_follow_the_group(void **st) {
    fx *f = *st;
    base(f);
    const pol_policy *c = pol_find("classic"), *g = pol_find("guarded");
    int cu = pol_param_index(c, "units_per_instance");
    int gu = pol_param_index(g, "units_per_instance");
    sim_scenario sc;
    pol_params pp;
    const char *two[] = {"asg.WeightedCapacity=2", "controller.params.classic.window=900"};
    assert_int_equal(load(f, "scenario.json", two, 2, &sc), 0);
    assert_int_equal(sc.allow_units_mismatch, 0);
    sim_scenario_params(&sc, c, &pp);
    assert_true(pp.v[cu] == 2);
    assert_true(pp.v[pol_param_index(c, "window")] == 900);
    assert_true(pp.v[pol_param_index(c, "fallback_capacity")] == 32);
    sim_scenario_params(&sc, g, &pp);
    assert_true(pp.v[gu] == 2);
    sim_scenario_params(&sc, pol_find("none"), &pp); /* no parameters at all */
    sim_scenario_free(&sc);

    /* A value given wins; the scenario may say a mismatch is meant. */
    const char *given[] = {"asg.WeightedCapacity=2",
                           "controller.params.classic.units_per_instance=3",
                           "controller.AllowUnitsMismatch=true"};
    assert_int_equal(load(f, "scenario.json", given, 3, &sc), 0);
    assert_int_equal(sc.allow_units_mismatch, 1);
    sim_scenario_params(&sc, c, &pp);
    assert_true(pp.v[cu] == 3);
    sim_scenario_params(&sc, g, &pp);
    assert_true(pp.v[gu] == 2);
    sim_scenario_free(&sc);

    const char *bad[] = {"controller.AllowUnitsMismatch=1"};
    load_fails(f, "scenario.json", bad, 1,
               "scenario.json: controller.AllowUnitsMismatch: must be true or false");
}

/* The span must lie within what the traces cover, unless the scenario asks
** for the extension; each message names both ranges. */
static void span_within_the_traces(void **st) {
    fx *f = *st;
    base(f); /* prices at 00:00 only, the span a day: a day past the last row */
    sim_scenario sc;
    assert_int_equal(load(f, "scenario.json", NULL, 0, &sc), 0);
    assert_int_equal(sc.extend, 0);
    sim_scenario_free(&sc);
    const char *late[] = {"end=2017-03-02T00:00:01Z"};
    load_fails(f, "scenario.json", late, 1,
               "scenario.json: end: the span [2017-03-01T00:00:00Z, 2017-03-02T00:00:01Z) ends "
               "after what traces.prices covers, [2017-03-01T00:00:00Z, 2017-03-02T00:00:00Z): "
               "a price history lists changes only, so it is taken to hold a day past its last "
               "row (2017-03-01T00:00:00Z) (set end at or before 2017-03-02T00:00:00Z, or "
               "traces.Extend to true to hold its last values to the end)");
    /* One pool's prices beginning later: that pool is named. */
    put(f, "prices.csv", PRICES_HEADER "2017-03-01T00:00:00Z,c4.large,us-east-1a,0.03\n"
                                       "2017-03-01T01:00:00Z,c4.xlarge,us-east-1b,0.06\n");
    load_fails(f, "scenario.json", NULL, 0,
               "scenario.json: start: the span [2017-03-01T00:00:00Z, 2017-03-02T00:00:00Z) "
               "begins before what traces.prices covers, [2017-03-01T01:00:00Z, "
               "2017-03-02T01:00:00Z): c4.xlarge in us-east-1b has no price before it (set "
               "start at or after 2017-03-01T01:00:00Z, or traces.Extend to true to hold its "
               "first values before it)");
    const char *ext[] = {"traces.Extend=true", "end=2017-03-09T00:00:00Z"};
    assert_int_equal(load(f, "scenario.json", ext, 2, &sc), 0);
    assert_int_equal(sc.extend, 1);
    sim_scenario_free(&sc);
    const char *notbool[] = {"traces.Extend=1"};
    load_fails(f, "scenario.json", notbool, 1,
               "scenario.json: traces.Extend: must be true or false");

    /* Availability: from each pool's first row (no end); demand likewise. */
    base(f);
    put(f, "avail.csv", "Timestamp,InstanceType,AvailabilityZone,Capacity\n"
                        "2017-03-01T00:00:00Z,c4.large,us-east-1a,10\n"
                        "2017-03-01T02:00:00Z,c4.xlarge,us-east-1b,3\n");
    const char *av[] = {"traces.availability=avail.csv"};
    load_fails(f, "scenario.json", av, 1,
               "scenario.json: start: the span [2017-03-01T00:00:00Z, 2017-03-02T00:00:00Z) "
               "begins before what traces.availability covers, from 2017-03-01T02:00:00Z: "
               "c4.xlarge in us-east-1b has no capacity row before it (set start at or after "
               "2017-03-01T02:00:00Z, or traces.Extend to true to hold its first values before "
               "it)");
    const char *av_late[] = {"traces.availability=avail.csv", "start=2017-03-01T02:00:00Z"};
    assert_int_equal(load(f, "scenario.json", av_late, 2, &sc), 0);
    sim_scenario_free(&sc);
    put(f, "demand.csv", "Timestamp,Demand\n2017-03-01T00:30:00Z,24\n");
    const char *dm[] = {"fleet.TargetTracking={\"Demand\": \"demand.csv\"}"};
    load_fails(f, "scenario.json", dm, 1,
               "scenario.json: start: the span [2017-03-01T00:00:00Z, 2017-03-02T00:00:00Z) "
               "begins before what fleet.TargetTracking.Demand covers, from "
               "2017-03-01T00:30:00Z (set start at or after 2017-03-01T00:30:00Z, or "
               "traces.Extend to true to hold its first values before it)");

    /* Direct mode: TargetCapacity from its first datapoint to a Period
    ** after its last. */
    put_json(f, "direct.json",
             "{'mode': 'direct', 'start': '2017-03-01T00:00:00Z', "
             "'end': '2017-03-01T00:10:00Z',\n"
             " 'direct': {'metrics': 'm.csv', 'Period': 300, 'SpotPrice': 0.01},\n"
             " 'asg': {'OnDemandPrice': 0.21}}\n");
    put(f, "m.csv", "Timestamp,TargetCapacity,PendingCapacity\n"
                    "2017-03-01T00:00:00Z,32,0\n2017-03-01T00:05:00Z,32,8\n");
    assert_int_equal(load(f, "direct.json", NULL, 0, &sc), 0);
    sim_scenario_free(&sc);
    const char *longer[] = {"end=2017-03-01T00:15:00Z"};
    load_fails(f, "direct.json", longer, 1,
               "direct.json: end: the span [2017-03-01T00:00:00Z, 2017-03-01T00:15:00Z) ends "
               "after what direct.metrics covers, [2017-03-01T00:00:00Z, 2017-03-01T00:10:00Z):"
               " TargetCapacity from its first datapoint to one Period after its last (set end "
               "at or before 2017-03-01T00:10:00Z, or direct.Extend to true to hold its last "
               "values to the end)");
    const char *earlier[] = {"start=2017-02-28T23:55:00Z"};
    load_fails(f, "direct.json", earlier, 1,
               "direct.json: start: the span [2017-02-28T23:55:00Z, 2017-03-01T00:10:00Z) "
               "begins before what direct.metrics covers, [2017-03-01T00:00:00Z, "
               "2017-03-01T00:10:00Z): TargetCapacity from its first datapoint to one Period "
               "after its last (set start at or after 2017-03-01T00:00:00Z, or direct.Extend "
               "to true to hold its first values before it)");
    const char *dext[] = {"end=2017-03-01T00:15:00Z", "direct.Extend=true"};
    assert_int_equal(load(f, "direct.json", dext, 2, &sc), 0);
    assert_int_equal(sc.extend, 1);
    sim_scenario_free(&sc);
}

/* ---- --set overrides ---- */

static void set_overrides(void **st) {
    fx *f = *st;
    base(f);
    const char *sets[] = {
        "asg.DefaultCooldown=900",                   /* number */
        "fleet.AllocationStrategy=diversified",      /* bare string */
        "asg.InstanceType=\"m4.large\"",             /* JSON string */
        "controller.params.guarded.confirm=4",       /* creates objects */
        "controller.policy=guarded",
        "fleet.LaunchSpecifications[1].SpotPrice=0.05", /* array element */
        "ecs.RegistrationDelay={\"min\": 5, \"max\": 9, \"p\": 0.25}",
        "seed=7",
        "name=",                                     /* bare, empty */
        "name=renamed",                              /* later set wins */
    };
    sim_scenario sc;
    assert_int_equal(load(f, "scenario.json", sets, 10, &sc), 0);
    assert_int_equal(sc.default_cooldown, 900);
    assert_int_equal(sc.alloc, SIM_DIVERSIFIED);
    assert_string_equal(sc.od_instance_type, "m4.large");
    assert_ptr_equal(sc.policy, pol_find("guarded"));
    pol_params pp;
    sim_scenario_params(&sc, sc.policy, &pp);
    assert_true(pp.v[pol_param_index(sc.policy, "confirm")] == 4);
    assert_true(sc.pools[1].max_price == 0.05);
    assert_true(sc.pools[0].max_price == 0.05); /* 0.1 / 2, untouched */
    assert_dist(sc.registration_delay, 0.25, 5, 9);
    assert_int_equal(sc.seed, 7);
    assert_string_equal(sc.name, "renamed");
    sim_scenario_free(&sc);

    /* A whole element replaced. */
    const char *elem[] = {
        "fleet.LaunchSpecifications[0]={\"InstanceType\": \"c4.xlarge\", "
        "\"AvailabilityZone\": \"us-east-1b\", \"OnDemandPrice\": 1}",
        "fleet.LaunchSpecifications[1].AvailabilityZone=us-east-1a",
        "fleet.LaunchSpecifications[1].InstanceType=c4.large"};
    assert_int_equal(load(f, "scenario.json", elem, 3, &sc), 0);
    assert_string_equal(sc.pools[0].instance_type, "c4.xlarge");
    assert_true(sc.pools[0].weight == 1);
    assert_pt(&sc.pools[0].price, 0, T0, 0.06);
    assert_string_equal(sc.pools[1].instance_type, "c4.large");
    assert_pt(&sc.pools[1].price, 0, T0, 0.03);
    sim_scenario_free(&sc);
}

static void set_errors(void **st) {
    fx *f = *st;
    base(f);
    static const struct {
        const char *set, *msg;
    } cases[] = {
        {"fleet.LaunchSpecifications[9].SpotPrice=1",
         "--set fleet.LaunchSpecifications[9].SpotPrice=1: no element 9"},
        {"fleet.LaunchSpecifications[2]=1",
         "--set fleet.LaunchSpecifications[2]=1: no element 2"},
        {"asg.Tags[0]=x", "--set asg.Tags[0]=x: no element 0"},
        {"asg.OnDemandPrice[0]=1",
         "--set asg.OnDemandPrice[0]=1: asg.OnDemandPrice is not an array"},
        {"asg.OnDemandPrice.x=1",
         "--set asg.OnDemandPrice.x=1: asg.OnDemandPrice is not an object"},
        {"asg.MinSize", "--set asg.MinSize: expected KEY=VALUE"},
        {"=1", "--set =1: expected KEY=VALUE"},
        {"asg..MinSize=1",
         "--set asg..MinSize=1: KEY must be NAME(.NAME)* with optional [N] "
         "indices"},
        {"fleet.LaunchSpecifications[x]=1",
         "--set fleet.LaunchSpecifications[x]=1: KEY must be NAME(.NAME)* "
         "with optional [N] indices"},
        {"[0]=1", "--set [0]=1: KEY must be NAME(.NAME)* with optional [N] "
                  "indices"},
        {"asg.=1", "--set asg.=1: KEY must be NAME(.NAME)* with optional [N] "
                   "indices"},
        /* A set of an unknown field is caught by validation. */
        {"asg.Colour=red", "scenario.json: asg.Colour: unknown field"},
        {"asg.MinSize=abc", "scenario.json: asg.MinSize: must be a whole number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        load_fails(f, "scenario.json", &cases[i].set, 1, cases[i].msg);
}

/* ---- traces ---- */

static void traces_sorted_later_row_wins(void **st) {
    fx *f = *st;
    put_json(f, "scenario.json", base_json);
    put(f, "prices.csv",
        "# a price history export: other pools and a correction\n"
        PRICES_HEADER
        "2017-03-01T02:00:00Z,c4.large,us-east-1a,0.05\n"
        "2017-03-01T00:00:00Z,c4.large,us-east-1a,0.03\n"
        "\n"
        "2017-03-01T01:00:00Z,m3.medium,us-east-1a,abc-ignored-pool-is-still-checked\n");
    sim_scenario sc;
    load_fails(f, "scenario.json", NULL, 0,
               "prices.csv:6: SpotPrice: "
               "'abc-ignored-pool-is-still-checked' is not a number");
    put(f, "prices.csv",
        PRICES_HEADER
        "2017-03-01T02:00:00Z,c4.large,us-east-1a,0.05\n"
        "2017-03-01T00:00:00Z,c4.large,us-east-1a,0.03\n"
        "2017-03-01T01:00:00Z,m3.medium,us-east-1a,9\n"
        "2017-03-01T01:00:00Z,c4.large,us-east-1a,0.04\n"
        "2017-03-01T00:00:00Z,c4.xlarge,us-east-1b,0.06\n"
        "2017-03-01T00:00:00Z,c4.large,us-east-1a,0.035\n"
        "2017-03-01T02:00:00Z,c4.large,us-east-1a,0.07\n"
        "2017-03-01T01:00:00Z,c4.large,us-east-1b,9\n");
    put(f, "avail.csv",
        "Timestamp,InstanceType,AvailabilityZone,Capacity\n"
        "2017-03-01T01:00:00Z,c4.xlarge,us-east-1b,3\n"
        "2017-03-01T00:00:00Z,c4.xlarge,us-east-1b,5\n"
        "2017-03-01T01:00:00Z,c4.xlarge,us-east-1b,2\n");
    const char *sets[] = {"traces.availability=avail.csv"};
    assert_int_equal(load(f, "scenario.json", sets, 1, &sc), 0);
    const sim_steps *p = &sc.pools[0].price;
    assert_int_equal(p->n, 3);
    assert_pt(p, 0, T0, 0.035);       /* the later of two rows */
    assert_pt(p, 1, T0 + 3600, 0.04);
    assert_pt(p, 2, T0 + 7200, 0.07); /* the later of two rows */
    assert_int_equal(sc.pools[1].price.n, 1);
    assert_int_equal(sc.pools[0].avail.n, 0);
    const sim_steps *a = &sc.pools[1].avail;
    assert_int_equal(a->n, 2);
    assert_pt(a, 0, T0, 5);
    assert_pt(a, 1, T0 + 3600, 2);
    sim_scenario_free(&sc);
}

static void relative_and_absolute_trace_paths(void **st) {
    fx *f = *st;
    /* The scenario in a subdirectory names its traces relative to it. */
    put(f, "data/prices.csv", base_prices);
    put(f, "demand.csv", "Timestamp,Demand\n1488326400,8\n");
    char json[4096];
    snprintf(json, sizeof json,
             "{'start': 1488326400, 'end': '2017-03-02T00:00:00+00:00',\n"
             " 'fleet': {'TargetCapacity': 32,\n"
             "   'TargetTracking': {'Demand': '%s'},\n"
             "   'LaunchSpecifications': [\n"
             "     {'InstanceType': 'c4.large', 'AvailabilityZone': 'us-east-1a',\n"
             "      'OnDemandPrice': 0.1}]},\n"
             " 'traces': {'prices': 'prices.csv'},\n"
             " 'asg': {'OnDemandPrice': 0.21}}\n",
             at(f, "demand.csv"));
    put_json(f, "data/s.json", json);
    sim_scenario sc;
    assert_int_equal(load(f, "data/s.json", NULL, 0, &sc), 0);
    assert_string_equal(sc.name, "s");
    assert_int_equal(sc.start, T0);
    assert_int_equal(sc.end, T1);
    assert_int_equal(sc.pools[0].price.n, 1);
    assert_int_equal(sc.demand.n, 1);
    assert_pt(&sc.demand, 0, T0, 8);
    sim_scenario_free(&sc);
    /* "../" from the scenario's directory. */
    put(f, "prices.csv", base_prices);
    const char *up[] = {"traces.prices=../prices.csv"};
    assert_int_equal(load(f, "data/s.json", up, 1, &sc), 0);
    sim_scenario_free(&sc);
    /* Missing: the message gives the resolved path. */
    const char *missing[] = {"traces.prices=nothere.csv"};
    load_fails(f, "data/s.json", missing, 1,
               "data/nothere.csv: No such file or directory");
}

static void hash_identifies_the_input(void **st) {
    fx *f = *st;
    base(f);
    sim_scenario a, b;
    assert_int_equal(load(f, "scenario.json", NULL, 0, &a), 0);
    assert_int_equal(load(f, "scenario.json", NULL, 0, &b), 0);
    assert_string_equal(a.hash, b.hash);
    assert_int_equal(strspn(a.hash, "0123456789abcdef"), 16);
    sim_scenario_free(&b);
    /* One byte of a trace: 0.03 -> 0.04. */
    put(f, "prices.csv",
        PRICES_HEADER
        "2017-03-01T00:00:00Z,c4.large,us-east-1a,0.04\n"
        "2017-03-01T00:00:00Z,c4.xlarge,us-east-1b,0.06\n");
    assert_int_equal(load(f, "scenario.json", NULL, 0, &b), 0);
    assert_string_not_equal(a.hash, b.hash);
    sim_scenario_free(&b);
    put(f, "prices.csv", base_prices);
    assert_int_equal(load(f, "scenario.json", NULL, 0, &b), 0);
    assert_string_equal(a.hash, b.hash);
    sim_scenario_free(&b);
    /* An override changes it even when it sets the value already there. */
    const char *same[] = {"seed=1"};
    assert_int_equal(load(f, "scenario.json", same, 1, &b), 0);
    assert_string_not_equal(a.hash, b.hash);
    sim_scenario_free(&b);
    sim_scenario_free(&a);
}

/* The bytes of the fixture's pieces in order: the scenario file (its '
** written as "), the prices, the override "seed=3"; caller frees [0]. */
static void hash_pieces(const char *parts[3]) {
    char *tmp = strdup(base_json);
    assert_non_null(tmp);
    for (char *p = tmp; *p; p++)
        if (*p == '\'') *p = '"';
    parts[0] = tmp;
    parts[1] = base_prices;
    parts[2] = "seed=3";
}

/* The hash is XXH64 of the file's bytes (seed 0), then of the traces'
** (seeded with the file's digest), then of each override's (seeded with
** the digest before): recomputed here with xxHash's own library (Debian:
** libxxhash0), skipped without it. */
static void hash_is_xxh64_by_piece(void **st) {
    fx *f = *st;
    base(f);
    void *lib = dlopen("libxxhash.so.0", RTLD_NOW);
    if (!lib) skip();
    unsigned long long (*xxh64)(const void *, size_t, unsigned long long) =
        (unsigned long long (*)(const void *, size_t, unsigned long long))dlsym(lib, "XXH64");
    assert_non_null(xxh64);
    const char *parts[3];
    hash_pieces(parts);
    unsigned long long h = 0;
    for (size_t i = 0; i < 3; i++) h = xxh64(parts[i], strlen(parts[i]), h);
    free((char *)parts[0]);
    char want[17];
    snprintf(want, sizeof want, "%016llx", h);
    sim_scenario sc;
    const char *sets[] = {"seed=3"};
    assert_int_equal(load(f, "scenario.json", sets, 1, &sc), 0);
    assert_string_equal(sc.hash, want);
    assert_int_equal(sc.hash_alg, SIM_HASH_XXH64);
    sim_scenario_free(&sc);
    dlclose(lib);
}

/* Asked for FNV-1a (a sweep stored with it), the hash is FNV-1a 64 over the
** file's bytes, then the traces', then the overrides', as schema version 5
** stored it: recomputed here independently. */
static void hash_fnv1a_is_the_old_hash(void **st) {
    fx *f = *st;
    base(f);
    const char *parts[3];
    hash_pieces(parts);
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < 3; i++)
        for (const char *p = parts[i]; *p; p++) {
            h ^= (unsigned char)*p;
            h *= 1099511628211ULL;
        }
    free((char *)parts[0]);
    char want[17];
    snprintf(want, sizeof want, "%016llx", (unsigned long long)h);
    sim_scenario sc;
    const char *sets[] = {"seed=3"};
    assert_int_equal(sim_scenario_load_hashed(at(f, "scenario.json"), sets, 1, NULL,
                                              SIM_HASH_FNV1A, &sc, f->err, sizeof f->err),
                     0);
    assert_string_equal(sc.hash, want);
    assert_int_equal(sc.hash_alg, SIM_HASH_FNV1A);
    sim_scenario_free(&sc);
}

/* A trace large enough to be read ahead (and hashed) on the reader's thread:
** one byte changed anywhere in it (the first price, one in the middle, the
** last byte) changes the hash, and the same bytes give the same hash again. */
static void hash_sees_one_byte_of_a_large_trace(void **st) {
    fx *f = *st;
    base(f);
    size_t rows = 20000, cap = 64 + rows * 64, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)sprintf(text, PRICES_HEADER "2017-03-01T00:00:00Z,c4.xlarge,us-east-1b,0.06\n");
    for (size_t i = 0; i < rows; i++)
        len += (size_t)sprintf(text + len, "%lld,c4.large,us-east-1a,0.0%zu\n",
                               1488326400LL + (long long)i * 4, 1 + i % 9);
    assert_true(len > 512 * 1024); /* read ahead: at least 256 kB */
    put(f, "prices.csv", text);
    sim_scenario a, b;
    if (load(f, "scenario.json", NULL, 0, &a)) fail_msg("%s", f->err);
    size_t at_byte[] = {strlen(PRICES_HEADER) + 48, len / 2, len - 8};
    for (size_t k = 0; k < 3; k++) {
        char *p = strstr(text + at_byte[k], ",0.0"); /* a price's ",0.0D": D */
        assert_non_null(p);
        p += 4;
        char was = *p;
        *p = was == '9' ? '1' : (char)(was + 1);
        put(f, "prices.csv", text);
        if (load(f, "scenario.json", NULL, 0, &b)) fail_msg("%s", f->err);
        assert_string_not_equal(a.hash, b.hash);
        sim_scenario_free(&b);
        *p = was;
    }
    put(f, "prices.csv", text);
    assert_int_equal(load(f, "scenario.json", NULL, 0, &b), 0);
    assert_string_equal(a.hash, b.hash);
    sim_scenario_free(&b);
    sim_scenario_free(&a);
    free(text);
}

/* ---- the trace cache ---- */

static void same_steps(const sim_steps *a, const sim_steps *b) {
    assert_int_equal(a->n, b->n);
    if (a->n) assert_memory_equal(a->pts, b->pts, a->n * sizeof *a->pts);
}

/* Two loads gave the same scenario: its hash and every trace, bit for bit. */
static void same_loaded(const sim_scenario *a, const sim_scenario *b) {
    assert_string_equal(a->hash, b->hash);
    assert_int_equal(a->npools, b->npools);
    for (size_t i = 0; i < a->npools; i++) {
        same_steps(&a->pools[i].price, &b->pools[i].price);
        same_steps(&a->pools[i].avail, &b->pools[i].avail);
    }
    same_steps(&a->demand, &b->demand);
    for (int m = 0; m < POL_NMETRICS; m++) same_steps(&a->d_metric[m], &b->d_metric[m]);
    assert_int_equal(a->nevents, b->nevents);
    if (a->nevents) assert_memory_equal(a->events, b->events, a->nevents * sizeof *a->events);
    assert_int_equal(a->default_cooldown, b->default_cooldown);
}

/* A load through a cache, and one without, of the same file and sets. */
static void cached_equals_read(fx *f, sim_trace_cache *c, const char *name,
                               const char *const *sets, size_t nsets) {
    sim_scenario a, b;
    char err[512];
    if (sim_scenario_load_cached(at(f, name), sets, nsets, c, &a, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(load(f, name, sets, nsets, &b), 0);
    same_loaded(&a, &b);
    sim_scenario_free(&a);
    sim_scenario_free(&b);
}

/* Loads through a cache give what reading the files gives: the first time
** (read and kept), again with other scenario fields (copied), with other
** pools (read again: rows go to pools by type and AZ), after a trace file
** changed (read again), and in direct mode; a failing read is not kept. */
static void trace_cache_gives_what_reading_gives(void **st) {
    fx *f = *st;
    base(f);
    put(f, "avail.csv",
        "Timestamp,InstanceType,AvailabilityZone,Capacity\n"
        "2017-03-01T00:00:00Z,c4.large,us-east-1a,10\n"
        "2017-03-01T00:00:00Z,c4.xlarge,us-east-1b,10\n"
        "2017-03-01T03:00:00Z,c4.xlarge,us-east-1b,0\n");
    put(f, "e.csv",
        "Timestamp,Scope,InstanceType,AvailabilityZone,Share\n"
        "2017-03-01T08:00:00Z,InstanceFamily,c4,,0.5\n");
    put(f, "prices.csv",
        PRICES_HEADER
        "2017-03-01T00:00:00Z,c4.large,us-east-1a,0.03\n"
        "2017-03-01T00:00:00Z,c4.xlarge,us-east-1b,0.06\n"
        "2017-03-01T00:00:00Z,c4.xlarge,us-east-1a,0.065\n");
    sim_trace_cache *c = sim_trace_cache_new();
    assert_non_null(c);
    const char *sets[] = {"traces.availability=avail.csv", "traces.events=e.csv",
                          "asg.DefaultCooldown=600"};
    cached_equals_read(f, c, "scenario.json", sets, 2);
    assert_int_equal(sim_trace_cache_reads(c), 3); /* prices, availability, events */
    cached_equals_read(f, c, "scenario.json", sets, 3);
    assert_int_equal(sim_trace_cache_reads(c), 3); /* all copied */
    const char *pools[] = {"traces.availability=avail.csv", "traces.events=e.csv",
                           "fleet.LaunchSpecifications[1].AvailabilityZone=us-east-1a"};
    cached_equals_read(f, c, "scenario.json", pools, 3);
    /* Prices and availability again (their rows go elsewhere); the
    ** events are the same bytes after the same bytes: copied. */
    assert_int_equal(sim_trace_cache_reads(c), 5);
    put(f, "prices.csv",
        PRICES_HEADER
        "2017-03-01T00:00:00Z,c4.large,us-east-1a,0.035\n"
        "2017-03-01T00:00:00Z,c4.xlarge,us-east-1b,0.06\n"
        "2017-03-01T01:00:00Z,c4.xlarge,us-east-1b,0.07\n");
    cached_equals_read(f, c, "scenario.json", sets, 3);
    /* A changed price file, and what follows it in the hash. */
    assert_int_equal(sim_trace_cache_reads(c), 8);
    put(f, "prices.csv", PRICES_HEADER "2017-03-01T00:00:00Z,c4.large,us-east-1a,x\n");
    sim_scenario sc;
    char err[512];
    assert_int_equal(sim_scenario_load_cached(at(f, "scenario.json"), sets, 3, c, &sc, err,
                                              sizeof err),
                     -1);
    assert_non_null(strstr(err, "'x' is not a number"));
    assert_int_equal(sim_scenario_load_cached(at(f, "scenario.json"), sets, 3, c, &sc, err,
                                              sizeof err),
                     -1);
    put_json(f, "direct.json",
             "{'mode': 'direct', 'start': 1488326400, 'end': 1488326760,\n"
             " 'direct': {'metrics': 'metrics.csv', 'Period': 60, 'SpotPrice': 0.01},\n"
             " 'asg': {'OnDemandPrice': 0.21, 'MaxSize': 10}}\n");
    put(f, "metrics.csv",
        "Timestamp,TargetCapacity,FulfilledCapacity\n"
        "2017-03-01T00:00:00Z,32,32\n2017-03-01T00:05:00Z,32,20\n");
    cached_equals_read(f, c, "direct.json", NULL, 0);
    const char *p300[] = {"direct.Period=300"};
    cached_equals_read(f, c, "direct.json", p300, 1);
    sim_trace_cache_free(c);
}

/* ---- errors ---- */

/* One override of the base scenario per error, and the message it gives
** (after "DIR/"). */
/* The market section, scripted events, Capacity Rebalancing and the
** schedule's distributions, read into the scenario. */
static void market_and_events(void **st) {
    fx *f = *st;
    base(f);
    put(f, "e.csv",
        "Timestamp,Scope,InstanceType,AvailabilityZone,Share,InsufficientCapacity,"
        "RebalanceLead\n"
        "2017-03-01T08:00:00Z,InstanceFamily,c4,,0.5,3600,\n"
        "2017-03-01T06:00:00Z,AvailabilityZone,,us-east-1a,1,,600\n");
    const char *sets[] = {
        "market={\"InterruptionFrequency\": \"10-15%\", \"InterruptedShare\": "
        "{\"min\": 0.5, \"max\": 1}, \"RebalanceRecommendation\": {\"Probability\": "
        "0.3}}",
        "fleet.LaunchSpecifications[1].InterruptionFrequency=0.21",
        "fleet.SpotMaintenanceStrategies={\"CapacityRebalance\": "
        "{\"ReplacementStrategy\": \"launch-before-terminate\", "
        "\"TerminationDelay\": 600}}",
        "traces.events=e.csv", "controller.Offset=17", "ecs.SpotInstanceDraining=true"};
    sim_scenario sc;
    if (load(f, "scenario.json", sets, 6, &sc)) fail_msg("%s", f->err);
    assert_true(sc.market.on);
    /* "10-15%" stands for its midpoint; 0.21 is in the top band (index 4). */
    assert_true(sc.pools[0].interruption_frequency == 0.125);
    assert_int_equal(sc.pools[0].band, 2);
    assert_true(sc.pools[1].interruption_frequency == 0.21);
    assert_int_equal(sc.pools[1].band, 4);
    assert_true(sc.market.share_min == 0.5 && sc.market.share_max == 1);
    assert_true(sc.market.scope[0] == 0.7); /* default correlation */
    assert_true(sc.market.rebalance_p == 0.3);
    assert_dist(sc.market.ice, 1, 300, 3600);
    assert_int_equal(sc.rebalance, SIM_REBALANCE_LAUNCH_BEFORE_TERMINATE);
    assert_int_equal(sc.rebalance_termination_delay, 600);
    assert_dist(sc.cron_offset, 1, 17, 17);
    assert_int_equal(sc.spot_draining, 1);
    /* Events sorted by time; empty cells are "no window" and "not announced". */
    assert_int_equal(sc.nevents, 2);
    assert_int_equal(sc.events[0].scope, SIM_SCOPE_AZ);
    assert_int_equal(sc.events[0].lead, 600);
    assert_int_equal(sc.events[0].ice, 0);
    assert_int_equal(sc.events[1].scope, SIM_SCOPE_FAMILY);
    assert_string_equal(sc.events[1].instance_type, "c4");
    assert_true(sc.events[1].share == 0.5);
    assert_int_equal(sc.events[1].lead, -1);
    sim_scenario_free(&sc);
    /* Without a market section a pool's band is still read (for
    ** capacityOptimized) and no event is drawn. */
    const char *band[] = {"fleet.LaunchSpecifications[0].InterruptionFrequency=\">20%\""};
    if (load(f, "scenario.json", band, 1, &sc)) fail_msg("%s", f->err);
    assert_false(sc.market.on);
    assert_int_equal(sc.pools[0].band, 4);
    assert_true(sc.pools[1].interruption_frequency == 0);
    sim_scenario_free(&sc);
    /* A market without RebalanceRecommendation announces nothing. */
    const char *bare[] = {"market={}"};
    if (load(f, "scenario.json", bare, 1, &sc)) fail_msg("%s", f->err);
    assert_true(sc.market.on);
    assert_true(sc.market.rebalance_p == 0);
    assert_true(sc.pools[0].interruption_frequency == 0.025); /* "<5%" */
    sim_scenario_free(&sc);
}

static void field_errors(void **st) {
    fx *f = *st;
    base(f);
    static const struct {
        const char *set, *msg;
    } cases[] = {
        {"colour=1", "scenario.json: colour: unknown field (--set colour=1: not a "
                     "policy parameter either)"},
        /* A misspelt key gets the closest known name: a field of the same
        ** object, or, at the top of a --set, a policy parameter. */
        {"confrim=3", "scenario.json: confrim: unknown field (--set confrim=3: not a "
                      "policy parameter either; did you mean 'confirm'?)"},
        {"asg.DefaultCooldwn=3",
         "scenario.json: asg.DefaultCooldwn: unknown field (did you mean "
         "'DefaultCooldown'?)"},
        {"fleet.LaunchSpecifications[0].Weight=2",
         "scenario.json: fleet.LaunchSpecifications[0].Weight: unknown field"},
        {"fleet.LaunchSpecifications[1].WeightedCapacity=0",
         "scenario.json: fleet.LaunchSpecifications[1].WeightedCapacity: must "
         "be > 0"},
        {"fleet.LaunchSpecifications[1].OnDemandPrice=\"cheap\"",
         "scenario.json: fleet.LaunchSpecifications[1].OnDemandPrice: must be "
         "a number"},
        {"fleet.LaunchSpecifications[1]=3",
         "scenario.json: fleet.LaunchSpecifications[1]: must be an object"},
        {"fleet.LaunchSpecifications=[]",
         "scenario.json: fleet.LaunchSpecifications: must have at least one "
         "element"},
        {"fleet.LaunchSpecifications[0].InstanceType="
         "abcdefghijklmnopqrstuvwxyz0123456789",
         "scenario.json: fleet.LaunchSpecifications[0].InstanceType: must be "
         "shorter than 32 characters"},
        {"fleet.TargetCapacity=-1",
         "scenario.json: fleet.TargetCapacity: must be > 0"},
        {"fleet.AllocationStrategy=cheapest",
         "scenario.json: fleet.AllocationStrategy: 'cheapest' is not one of "
         "lowestPrice, diversified, capacityOptimized, "
         "priceCapacityOptimized"},
        {"fleet.TargetTracking={}",
         "scenario.json: fleet.TargetTracking.Demand: is required"},
        {"fleet.TargetTracking={\"Demand\": \"d.csv\", \"TargetValue\": 101}",
         "scenario.json: fleet.TargetTracking.TargetValue: must be > 0 and at "
         "most 100"},
        {"fleet.TargetTracking={\"Demand\": \"d.csv\", \"MinCapacity\": 5, "
         "\"MaxCapacity\": 4}",
         "scenario.json: fleet.TargetTracking.MaxCapacity: must be >= "
         "MinCapacity (5)"},
        {"mode=simulate",
         "scenario.json: mode: 'simulate' is not one of model, direct"},
        {"mode=direct", "scenario.json: fleet: not allowed in direct mode"},
        {"direct={}", "scenario.json: direct: not allowed in model mode"},
        {"billing=monthly",
         "scenario.json: billing: 'monthly' is not one of per-second, "
         "per-hour"},
        {"seed=-1", "scenario.json: seed: must be >= 0"},
        {"seed=1.5", "scenario.json: seed: must be a whole number"},
        {"start=yesterday",
         "scenario.json: start: must be an ISO-8601 UTC time "
         "(\"2017-03-01T12:00:00Z\") or epoch seconds"},
        {"end=1488326400", "scenario.json: end: must be after start"},
        {"name=abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
         "0123456789",
         "scenario.json: name: must be shorter than 64 characters"},
        {"ecs=5", "scenario.json: ecs: must be an object"},
        {"ecs.SpotInstanceDraining=1",
         "scenario.json: ecs.SpotInstanceDraining: must be true or false"},
        {"market.InterruptionFrequency=\"3%\"",
         "scenario.json: market.InterruptionFrequency: '3%' is not one of <5%, "
         "5-10%, 10-15%, 15-20%, >20% (or a share of instances a month in [0, "
         "0.99])"},
        {"fleet.LaunchSpecifications[1].InterruptionFrequency=1",
         "scenario.json: fleet.LaunchSpecifications[1].InterruptionFrequency: "
         "must be a band (<5%, 5-10%, 10-15%, 15-20%, >20%) or a share of "
         "instances a month in [0, 0.99]"},
        {"market.Correlation={\"Pool\": 0.5, \"All\": 0.2}",
         "scenario.json: market.Correlation: the shares (Pool, InstanceFamily, "
         "AvailabilityZone, All) must sum to 1, not 0.7"},
        {"market.Correlation.Zone=1",
         "scenario.json: market.Correlation.Zone: unknown field"},
        {"market.InterruptedShare=0",
         "scenario.json: market.InterruptedShare: must be > 0 (an event that "
         "takes nothing is no event)"},
        {"market.InterruptedShare={\"min\": 0.5, \"max\": 0.2}",
         "scenario.json: market.InterruptedShare.max: must be >= min (0.5)"},
        {"market.RebalanceRecommendation.Probability=2",
         "scenario.json: market.RebalanceRecommendation.Probability: must be "
         "between 0 and 1"},
        {"fleet.SpotMaintenanceStrategies.CapacityRebalance.ReplacementStrategy=wait",
         "scenario.json: fleet.SpotMaintenanceStrategies.CapacityRebalance."
         "ReplacementStrategy: 'wait' is not one of launch, launch-before-terminate"},
        {"fleet.SpotMaintenanceStrategies.CapacityRebalance.TerminationDelay=60",
         "scenario.json: fleet.SpotMaintenanceStrategies.CapacityRebalance."
         "TerminationDelay: must be >= 120"},
        {"fleet.SpotMaintenanceStrategies.CapacityRebalance.TerminationDelay=300",
         "scenario.json: fleet.SpotMaintenanceStrategies.CapacityRebalance."
         "TerminationDelay: only with ReplacementStrategy launch-before-terminate"},
        {"controller.Offset=60",
         "scenario.json: controller.Offset: must be less than Interval (60)"},
        {"controller.Jitter={\"min\": 0, \"max\": 90}",
         "scenario.json: controller.Jitter: must be less than Interval (60)"},
        {"asg.TerminationDelay=-5",
         "scenario.json: asg.TerminationDelay: must be >= 0"},
        {"ecs.RegistrationDelay={\"min\": 5, \"max\": 1}",
         "scenario.json: ecs.RegistrationDelay.max: must be >= min (5)"},
        {"ecs.RegistrationDelay={\"min\": 5}",
         "scenario.json: ecs.RegistrationDelay.max: is required"},
        {"ecs.RegistrationDelay={\"min\": 1, \"max\": 2, \"p\": 2}",
         "scenario.json: ecs.RegistrationDelay.p: must be between 0 and 1"},
        {"cloudwatch.IngestionDelay={\"mean\": 3}",
         "scenario.json: cloudwatch.IngestionDelay.mean: unknown field"},
        {"cloudwatch.IngestionDelay=-1",
         "scenario.json: cloudwatch.IngestionDelay: must be >= 0"},
        {"cloudwatch.IngestionDelay=2.5",
         "scenario.json: cloudwatch.IngestionDelay: must be a whole number of "
         "seconds"},
        {"cloudwatch.IngestionDelay=soon",
         "scenario.json: cloudwatch.IngestionDelay: must be whole seconds or "
         "an object {\"min\", \"max\", \"p\"}"},
        {"cloudwatch.MissingProbability=1.5",
         "scenario.json: cloudwatch.MissingProbability: must be between 0 and "
         "1"},
        {"controller.policy=fancy",
         "scenario.json: controller.policy: unknown policy 'fancy' (known: "
         "classic, guarded, hedge, karpenter, none, ondemand, mixed-instances, "
         "capacity-providers, oracle)"},
        {"controller.params.guarded.confirm=0",
         "scenario.json: controller.params.guarded.confirm: must be between 1 "
         "and 30, got 0"},
        {"controller.params.guarded.confirm=2.5",
         "scenario.json: controller.params.guarded.confirm: must be a whole "
         "number, got 2.5"},
        /* The number as read, quoted at its shortest exact spelling. */
        {"controller.params.guarded.confirm=0.30000000000000004",
         "scenario.json: controller.params.guarded.confirm: must be a whole "
         "number, got 0.30000000000000004"},
        {"controller.params.guarded.confirm=1e300",
         "scenario.json: controller.params.guarded.confirm: must be between 1 "
         "and 30, got 1e+300"},
        {"controller.params.guarded.confirm=two",
         "scenario.json: controller.params.guarded.confirm: must be a number"},
        {"controller.params.guarded.nope=1",
         "scenario.json: controller.params.guarded.nope: unknown parameter of "
         "policy guarded"},
        {"controller.params.fancy.x=1",
         "scenario.json: controller.params.fancy: unknown policy (known: "
         "classic, guarded, hedge, karpenter, none, ondemand, mixed-instances, "
         "capacity-providers, oracle)"},
        {"controller.Cron=false",
         "scenario.json: controller: at least one of Cron and Alarm must be "
         "true"},
        {"controller.Cron=1",
         "scenario.json: controller.Cron: must be true or false"},
        {"controller.Interval=0",
         "scenario.json: controller.Interval: must be >= 1"},
        {"controller.Offset=60",
         "scenario.json: controller.Offset: must be less than Interval (60)"},
        {"controller.AlarmPeriods=0",
         "scenario.json: controller.AlarmPeriods: must be >= 1"},
        {"asg.MinSize=1.5", "scenario.json: asg.MinSize: must be a whole number"},
        {"asg.MinSize=3000000000",
         "scenario.json: asg.MinSize: must be at most 2147483647"},
        {"asg.MaxSize=-2", "scenario.json: asg.MaxSize: must be >= 0"},
        {"asg.DesiredCapacity=201",
         "scenario.json: asg.DesiredCapacity: must be between MinSize (0) and "
         "MaxSize (200)"},
        {"asg.OnDemandPrice=0", "scenario.json: asg.OnDemandPrice: must be > 0"},
        {"asg.DescribeFailureProbability=-0.1",
         "scenario.json: asg.DescribeFailureProbability: must be between 0 "
         "and 1"},
        {"traces.prices=", "scenario.json: traces.prices: must not be empty"},
        {"traces.prices=5", "scenario.json: traces.prices: must be a string"},
        {"traces.demand=d.csv", "scenario.json: traces.demand: unknown field"},
    };
    size_t n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++)
        load_fails(f, "scenario.json", &cases[i].set, 1, cases[i].msg);
    /* Two LaunchSpecifications for one pool. */
    const char *dup[] = {
        "fleet.LaunchSpecifications[1].AvailabilityZone=us-east-1a",
        "fleet.LaunchSpecifications[1].InstanceType=c4.large"};
    load_fails(f, "scenario.json", dup, 2,
               "scenario.json: fleet.LaunchSpecifications[1]: duplicate of "
               "[0] (c4.large in us-east-1a)");
    /* asg.MaxSize below MinSize. */
    const char *sizes[] = {"asg.MinSize=5", "asg.MaxSize=4"};
    load_fails(f, "scenario.json", sizes, 2,
               "scenario.json: asg.MaxSize: must be >= MinSize (5)");
    /* A field set to null is present, not absent. */
    const char *null[] = {"mode=direct", "fleet=null"};
    load_fails(f, "scenario.json", null, 2,
               "scenario.json: fleet: not allowed in direct mode");
}

/* Errors that a --set cannot make: the text of the file itself. */
static void file_errors(void **st) {
    fx *f = *st;
    put(f, "prices.csv", base_prices);
    static const struct {
        const char *json, *msg;
    } cases[] = {
        {"{'start': 1,\n 'end': 2,\n 'seed': }\n",
         "bad.json:3: invalid JSON"},
        {"{'start': 1}\n\n{}\n", "bad.json:3: invalid JSON"},
        {"", "bad.json:1: invalid JSON"},
        {"[1, 2]", "bad.json: must be a JSON object"},
        {"{'end': 2}", "bad.json: start: is required"},
        {"{'start': 1, 'end': 2}", "bad.json: fleet: is required"},
        {"{'start': 1, 'end': 2, 'mode': 'direct'}",
         "bad.json: direct: is required"},
        {"{'start': 1, 'end': 2, 'mode': 'direct', 'direct': {'metrics': "
         "'m.csv', 'SpotPrice': 1, 'Period': 120}}",
         "bad.json: direct.Period: must be 60 or 300"},
        {"{'start': 1, 'end': 2, 'mode': 'direct', 'direct': {'metrics': "
         "'m.csv', 'SpotPrice': 1}}",
         "bad.json: asg: is required"},
        {"{'start': 1, 'end': 2, 'mode': 'direct', 'direct': {'metrics': "
         "'m.csv', 'SpotPrice': 1}, 'asg': {'OnDemandPrice': 1, 'MinSize': 1, "
         "'MinSize': 2}}",
         "bad.json: asg.MinSize: duplicate field"},
        {"{'start': 1, 'end': 2, 'fleet': {'TargetCapacity': 1}}",
         "bad.json: fleet.LaunchSpecifications: is required"},
        {"{'start': 1, 'end': 2, 'fleet': {'TargetCapacity': 1, "
         "'LaunchSpecifications': [{'InstanceType': 'a', "
         "'AvailabilityZone': 'b'}]}}",
         "bad.json: fleet.LaunchSpecifications[0].OnDemandPrice: is required"},
        {"{'start': 1, 'end': 2, 'fleet': {'TargetCapacity': 1, "
         "'LaunchSpecifications': [{'InstanceType': 'a', "
         "'AvailabilityZone': 'b', 'OnDemandPrice': 1}]}}",
         "bad.json: traces: is required"},
        {"{'start': 1, 'end': 2, 'fleet': {'TargetCapacity': 1, "
         "'LaunchSpecifications': [{'InstanceType': 'a', "
         "'AvailabilityZone': 'b', 'OnDemandPrice': 1}]}, 'traces': {}}",
         "bad.json: traces.prices: is required"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        put_json(f, "bad.json", cases[i].json);
        load_fails(f, "bad.json", NULL, 0, cases[i].msg);
    }
    /* The scenario itself missing. */
    load_fails(f, "none.json", NULL, 0, "none.json: No such file or directory");
}

/* Price rows of every shape: the common one (epoch seconds, plain cells,
** a short decimal) read inline, the others handed to the general reading
** with the same values; rows of pools the fleet does not use ignored,
** whether names are alike or not. Values by hand from the text (the
** compiler's own reading of the literal for the long ones). */
static void price_rows_of_every_shape(void **st) {
    fx *f = *st;
    put_json(f, "scenario.json", base_json);
    put(f, "prices.csv",
        PRICES_HEADER
        "1488326400,c4.large,us-east-1a,0.031000\n"          /* T0 */
        "1488326460,\"c4.large\",us-east-1a,0.0320000\r\n"   /* quoted, CRLF */
        " 1488326520 , c4.large ,us-east-1a,0.033\n"         /* blanks, 5 bytes */
        "2017-03-01T00:03:00Z,c4.large,us-east-1a,3.4e-2\n"  /* ISO, exponent */
        "1488326640,c4.large,us-east-1a,0.0350000000000001\n" /* 16 digits */
        "1488326700,c4.large,us-east-1a,0.12345678\n"        /* 8 decimals */
        "1488326760,c4.large,us-east-1a,12345.123456789\n"   /* 9 decimals */
        "1488326820,m4.large,us-east-1a,0.5\n"               /* other pools */
        "1488326820,c4.large,us-east-1b,0.5\n"
        "1488326820,c4.larg,us-east-1a,0.5\n"
        "1488326820,c4.largee,us-east-1a,0.5\n"
        "1488326820,c4.large,us-east-1,0.5\n"
        "00001488326880,c4.large,us-east-1a,0.036\n"         /* 14 digits */
        "1488326400,c4.xlarge,us-east-1b,0.06\n");
    sim_scenario sc;
    assert_int_equal(load(f, "scenario.json", NULL, 0, &sc), 0);
    const sim_steps *a = &sc.pools[0].price;
    assert_int_equal(a->n, 8);
    assert_pt(a, 0, T0, 0.031);
    assert_pt(a, 1, T0 + 60, 0.032);
    assert_pt(a, 2, T0 + 120, 0.033);
    assert_pt(a, 3, T0 + 180, 0.034);
    assert_pt(a, 4, T0 + 240, 0.0350000000000001);
    assert_pt(a, 5, T0 + 300, 0.12345678);
    assert_pt(a, 6, T0 + 360, 12345.123456789);
    assert_pt(a, 7, T0 + 480, 0.036);
    assert_int_equal(sc.pools[1].price.n, 1);
    assert_pt(&sc.pools[1].price, 0, T0, 0.06);
    sim_scenario_free(&sc);

    /* Ten pools (more than are compared one by one: the pool index), the
    ** rows of each pool i at T0 + 60 i, price (i + 1) / 100, with rows of
    ** pools of alike names in between. */
    char json[4096], csv[4096];
    size_t j = (size_t)snprintf(json, sizeof json,
                                "{'start': '2017-03-01T00:00:00Z', "
                                "'end': '2017-03-02T00:00:00Z',\n"
                                " 'fleet': {'TargetCapacity': 32, "
                                "'LaunchSpecifications': [\n");
    size_t c = (size_t)snprintf(csv, sizeof csv, "%s", PRICES_HEADER);
    for (int i = 0; i < 10; i++) {
        j += (size_t)snprintf(json + j, sizeof json - j,
                              "%s{'InstanceType': 'c4.large', 'AvailabilityZone': "
                              "'us-east-1%c', 'WeightedCapacity': 2, "
                              "'OnDemandPrice': 0.1}\n",
                              i ? "," : "", 'a' + i);
        c += (size_t)snprintf(csv + c, sizeof csv - c,
                              "%lld,c4.large,us-east-1%c,0.0%d0000\n"
                              "%lld,c4.large,us-east-2%c,0.9\n",
                              T0, 'a' + i, i + 1 < 10 ? i + 1 : 0, T0, 'a' + i);
    }
    c += (size_t)snprintf(csv + c, sizeof csv - c, "%lld,c4.large,us-east-1j,0.10\n",
                          T0 + 60);
    snprintf(json + j, sizeof json - j,
             "]}, 'traces': {'prices': 'prices.csv'}, 'asg': {'OnDemandPrice': 0.21}}\n");
    put_json(f, "ten.json", json);
    put(f, "prices.csv", csv);
    assert_int_equal(load(f, "ten.json", NULL, 0, &sc), 0);
    assert_int_equal(sc.npools, 10);
    for (int i = 0; i < 9; i++) {
        assert_int_equal(sc.pools[i].price.n, 1);
        assert_pt(&sc.pools[i].price, 0, T0, (i + 1) / 100.0);
    }
    /* us-east-1j: 0.000000 at T0 (the %d above wraps to 0), 0.10 later. */
    assert_int_equal(sc.pools[9].price.n, 2);
    assert_pt(&sc.pools[9].price, 0, T0, 0);
    assert_pt(&sc.pools[9].price, 1, T0 + 60, 0.1);
    sim_scenario_free(&sc);
}

static void trace_errors(void **st) {
    fx *f = *st;
    base(f);
    static const struct {
        const char *csv, *msg;
    } prices[] = {
        {PRICES_HEADER "1488326400,c4.large,us-east-1a,abc\n",
         "p.csv:2: SpotPrice: 'abc' is not a number"},
        {PRICES_HEADER "1488326400,c4.large,us-east-1a,-0.1\n",
         "p.csv:2: SpotPrice: must be >= 0"},
        {PRICES_HEADER "\n2017-03-01T00:00:00,c4.large,us-east-1a,0.1\n",
         "p.csv:3: Timestamp: '2017-03-01T00:00:00' is not an ISO-8601 UTC "
         "time or epoch seconds"},
        {PRICES_HEADER "1488326400,c4.large,us-east-1a\n",
         "p.csv:2: 3 fields, the header has 4"},
        /* Rows of the common shape but for one cell: the general message. */
        {PRICES_HEADER "1488326400,c4.large,us-east-1a,0.0500000x\n",
         "p.csv:2: SpotPrice: '0.0500000x' is not a number"},
        {PRICES_HEADER "1488326400,c4.large,us-east-1a,-0.05000000\n",
         "p.csv:2: SpotPrice: must be >= 0"},
        {PRICES_HEADER "1488326400,c4.large,us-east-1a,0.05\n"
                       "148832640x,c4.large,us-east-1a,0.05000000\n",
         "p.csv:3: Timestamp: '148832640x' is not an ISO-8601 UTC time or "
         "epoch seconds"},
        {PRICES_HEADER "99999999999999,c4.large,us-east-1a,0.05000000\n",
         "p.csv:2: Timestamp: '99999999999999' is out of range (after year 9999)"},
        {PRICES_HEADER "1488326400,c4.large,us-east-1a,0.05000000\r\n"
                       "1488326400,c4.large,us-east-1a, abc\r\n",
         "p.csv:3: SpotPrice: 'abc' is not a number"},
        {PRICES_HEADER "1488326400,c4.large,us-east-1a,0.05000000,1\n",
         "p.csv:2: 5 fields, the header has 4"},
        {"Timestamp,InstanceType,AvailabilityZone,Price\n",
         "p.csv:1: unknown column 'Price' (the header must be "
         "Timestamp,InstanceType,AvailabilityZone,SpotPrice)"},
        {PRICES_HEADER "1488326400,c4.large,us-east-1a,0.1\n",
         "p.csv: no SpotPrice rows for c4.xlarge in us-east-1b "
         "(fleet.LaunchSpecifications[1])"},
    };
    const char *sets[] = {"traces.prices=p.csv"};
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        put(f, "p.csv", prices[i].csv);
        load_fails(f, "scenario.json", sets, 1, prices[i].msg);
    }

    put(f, "a.csv", "Timestamp,InstanceType,AvailabilityZone,Capacity\n"
                    "1488326400,c4.large,us-east-1a,2.5\n");
    const char *avail[] = {"traces.availability=a.csv"};
    load_fails(f, "scenario.json", avail, 1,
               "a.csv:2: Capacity: must be a whole number of instances, got "
               "'2.5'");

    /* Scripted capacity events. */
    static const struct {
        const char *csv, *msg;
    } events[] = {
        {"Timestamp,Scope,InstanceType,AvailabilityZone,Share\n"
         "1488326400,Region,,,1\n",
         "e.csv:2: Scope: 'Region' is not one of Pool, InstanceFamily, "
         "AvailabilityZone, All"},
        {"Timestamp,Scope,InstanceType,AvailabilityZone,Share\n"
         "1488326400,Pool,c4.large,,1\n",
         "e.csv:2: AvailabilityZone: is required for Scope Pool"},
        {"Timestamp,Scope,InstanceType,AvailabilityZone,Share\n"
         "1488326400,AvailabilityZone,,us-east-1a,1.5\n",
         "e.csv:2: Share: must be > 0 and at most 1"},
        {"Timestamp,Scope,InstanceType,AvailabilityZone,Share,InsufficientCapacity\n"
         "1488326400,All,,,1,90.5\n",
         "e.csv:2: InsufficientCapacity: must be whole seconds (at most 1e9)"},
    };
    const char *ev[] = {"traces.events=e.csv"};
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        put(f, "e.csv", events[i].csv);
        load_fails(f, "scenario.json", ev, 1, events[i].msg);
    }

    put(f, "d.csv", "Timestamp,Demand\n");
    const char *demand[] = {"fleet.TargetTracking.Demand=d.csv"};
    load_fails(f, "scenario.json", demand, 1, "d.csv: no rows");

    put_json(f, "direct.json",
             "{'mode': 'direct', 'start': 1488326400, 'end': 1488330000,\n"
             " 'direct': {'metrics': 'm.csv', 'SpotPrice': 0.01},\n"
             " 'asg': {'OnDemandPrice': 0.21}}\n");
    static const struct {
        const char *csv, *msg;
    } metrics[] = {
        {"Timestamp,TargetCapacity,FulfilledCapacity\n1488326430,32,32\n",
         "m.csv:2: Timestamp: '1488326430' is not a multiple of Period (60 s)"},
        {"Timestamp,TargetCapacity,TerminatingCapacity\n1488326400,32,0\n",
         "m.csv: the header needs FulfilledCapacity or PendingCapacity"},
        {"Timestamp,FulfilledCapacity\n1488326400,32\n",
         "m.csv:1: missing column 'TargetCapacity' (the header must be "
         "Timestamp,TargetCapacity,[FulfilledCapacity],[PendingCapacity],"
         "[TerminatingCapacity])"},
        {"Timestamp,TargetCapacity,PendingCapacity\n1488326400,,4\n",
         "m.csv: no TargetCapacity datapoints"},
        {"Timestamp,TargetCapacity,PendingCapacity\n1488326400,32,x\n",
         "m.csv:2: PendingCapacity: 'x' is not a number"},
    };
    for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++) {
        put(f, "m.csv", metrics[i].csv);
        load_fails(f, "direct.json", NULL, 0, metrics[i].msg);
    }
    const char *missing[] = {"direct.metrics=gone.csv"};
    load_fails(f, "direct.json", missing, 1,
               "gone.csv: No such file or directory");
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(full_model_scenario),
        T(minimal_model_defaults),
        T(eventbridge_fields),
        T(direct_scenario),
        T(units_follow_the_group),
        T(span_within_the_traces),
        T(set_overrides),
        T(set_errors),
        T(traces_sorted_later_row_wins),
        T(relative_and_absolute_trace_paths),
        T(hash_identifies_the_input),
        T(hash_is_xxh64_by_piece),
        T(hash_fnv1a_is_the_old_hash),
        T(hash_sees_one_byte_of_a_large_trace),
        T(trace_cache_gives_what_reading_gives),
        T(market_and_events),
        T(field_errors),
        T(file_errors),
        T(price_rows_of_every_shape),
        T(trace_errors),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
