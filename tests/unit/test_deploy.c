/*
** test_deploy.c: the deploy module and the live config's JSON form: a
** config written by aws_live_config_json() parses back to the same config;
** the worst tick's time against hand-computed figures; a plan's settings
** split between the policy and the scenario, and its warnings naming the
** fields AWS cannot express.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <math.h>

#include "deploy/deploy.h"

#define SEED "traces/scenarios/seed-week/scenario.json"

static void live_config_round_trip(void **st) {
    (void)st;
    const char *json =
        "{\"region\": \"eu-west-1\", \"FleetRequestId\": \"sfr-1234\", "
        "\"AutoScalingGroupName\": \"od group\", \"policy\": \"guarded\", "
        "\"params\": {\"confirm\": 3, \"units_per_instance\": 2.5}, "
        "\"interval\": 120, \"max_on_demand\": 7, "
        "\"endpoints\": {\"ec2\": \"http://127.0.0.1:9000\"}, "
        "\"connect_timeout\": 1.5, \"timeout\": 9, \"max_attempts\": 4}";
    aws_live_config a, b;
    char err[512];
    assert_int_equal(aws_live_config_parse(json, &a, err, sizeof err), 0);
    char *text = aws_live_config_json(&a);
    assert_non_null(text);
    assert_int_equal(aws_live_config_parse(text, &b, err, sizeof err), 0);
    free(text);
    assert_string_equal(b.region, "eu-west-1");
    assert_string_equal(b.fleet_id, "sfr-1234");
    assert_string_equal(b.asg_name, "od group");
    assert_ptr_equal(b.policy, a.policy);
    assert_memory_equal(&b.params, &a.params, sizeof a.params);
    assert_int_equal(b.interval, 120);
    assert_int_equal(b.max_on_demand, 7);
    assert_string_equal(b.endpoint[AWS_EC2], "http://127.0.0.1:9000");
    assert_string_equal(b.endpoint[AWS_CLOUDWATCH], "");
    assert_int_equal(b.connect_timeout_ms, 1500);
    assert_int_equal(b.timeout_ms, 9000);
    assert_int_equal(b.max_attempts, 4);
}

static void worst_tick(void **st) {
    (void)st;
    aws_live_config c;
    memset(&c, 0, sizeof c);
    /* 7 calls x (3 x 20 s + sleeps before retries 1 and 2: 0.1 + 0.2 s). */
    c.max_attempts = 3;
    c.timeout_ms = 20000;
    assert_true(fabs(dep_worst_tick_s(&c) - 422.1) < 1e-9);
    c.max_attempts = 1;
    c.timeout_ms = 5000;
    assert_true(fabs(dep_worst_tick_s(&c) - 35.0) < 1e-9);
    /* 10 attempts of 1 s: sleeps 0.1, 0.2, ..., 12.8, then 20 (capped). */
    c.max_attempts = 10;
    c.timeout_ms = 1000;
    assert_true(fabs(dep_worst_tick_s(&c) - 7 * (10 + 25.5 + 20)) < 1e-9);
}

/* Plan p's CloudFormation template, parsed (the caller deletes it). */
static cJSON *stack_of(const dep_plan *p) {
    char *t = dep_cloudformation(p);
    assert_non_null(t);
    cJSON *j = cJSON_Parse(t);
    free(t);
    assert_non_null(j);
    return j;
}

static int has_warning(const dep_plan *p, const char *field) {
    for (size_t i = 0; i < p->nwarn; i++)
        if (strcmp(p->warn[i].field, field) == 0) return 1;
    return 0;
}

static void plan_splits_settings(void **st) {
    (void)st;
    const char *sets[] = {"confirm=4", "asg.DefaultCooldown=600",
                          "controller.Offset=15", "asg.WeightedCapacity=8",
                          "units_per_instance=4", "controller.AllowUnitsMismatch=true"};
    dep_input in = {SEED, sets, 5, "guarded", -1, -1, 0, 1};
    dep_plan p;
    char err[512];
    /* 4 units per instance on an 8-unit group: refused unless insisted on. */
    assert_int_equal(dep_plan_load(&in, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "--set units_per_instance=4: disagrees with " SEED
                                ": asg.WeightedCapacity 8"));
    in.nsets = 6;
    assert_int_equal(dep_plan_load(&in, &p, err, sizeof err), 0);
    assert_string_equal(p.pol->name, "guarded");
    assert_int_equal(p.params.v[pol_param_index(p.pol, "confirm")], 4);
    assert_int_equal(p.sc.default_cooldown, 600);
    /* One cap: guarded's max_on_demand (100) below MaxSize (200), in both
    ** places. */
    assert_int_equal(p.sc.asg_max, 200);
    assert_int_equal(p.max_on_demand, 100);
    assert_int_equal(p.params.v[pol_param_index(p.pol, "max_on_demand")], 100);
    /* guarded reads events: the queue's 3 calls too, 10 x 60.3 s = 603 s,
    ** + 10 (7 calls alone: ceil(422.1) + 10 = 433). */
    assert_int_equal(p.timeout_s, 613);
    assert_true(has_warning(&p, "billing"));           /* seed-week: per-hour */
    assert_true(has_warning(&p, "controller.Offset"));
    assert_true(has_warning(&p, "asg.WeightedCapacity")); /* 8 vs 4 units, insisted */
    assert_false(has_warning(&p, "controller.AllowUnitsMismatch")); /* checked by value */
    assert_false(has_warning(&p, "asg.DefaultCooldown")); /* expressed */
    assert_false(has_warning(&p, "cloudwatch.IngestionDelay")); /* a model */
    aws_live_config lc;
    assert_int_equal(dep_live_config(&p, "sfr-abc", "grp", &lc, err, sizeof err), 0);
    assert_int_equal(lc.interval, 60);
    assert_int_equal(lc.params.v[pol_param_index(p.pol, "confirm")], 4);
    cJSON *j = stack_of(&p);
    const cJSON *res = cJSON_GetObjectItem(j, "Resources");
    const cJSON *g = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
                                             res, "OnDemandGroup"), "Properties"),
                                         "Cooldown");
    assert_string_equal(cJSON_GetStringValue(g), "600");
    const cJSON *tg = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(res, "Schedule"),
                                                "Properties"),
                            "Targets"),
        0);
    const char *input = cJSON_GetStringValue(
        cJSON_GetObjectItem(cJSON_GetObjectItem(tg, "Input"), "Fn::Sub"));
    assert_non_null(input);
    assert_non_null(strstr(input, "\"confirm\":4"));
    assert_non_null(strstr(input, "\"FleetRequestId\":\"${SpotFleet}\""));
    cJSON_Delete(j);
    dep_plan_free(&p);
}

/* Does the controller role of template `j` allow `action`? */
static int role_allows(const cJSON *j, const char *action) {
    const cJSON *st = cJSON_GetObjectItem(
        cJSON_GetObjectItem(
            cJSON_GetArrayItem(
                cJSON_GetObjectItem(
                    cJSON_GetObjectItem(
                        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "Resources"),
                                            "ControllerRole"),
                        "Properties"),
                    "Policies"),
                0),
            "PolicyDocument"),
        "Statement");
    const cJSON *s, *a;
    cJSON_ArrayForEach(s, st) cJSON_ArrayForEach(a, cJSON_GetObjectItem(s, "Action")) {
        if (strcmp(cJSON_GetStringValue(a), action) == 0) return 1;
    }
    return 0;
}

/* Least privilege (issue 24): only a stack that applies may set the group;
** the cluster name a root script holds is held to ECS's rule and quoted. */
static void least_privilege(void **st) {
    (void)st;
    char err[512];
    for (int apply = 0; apply <= 1; apply++) {
        dep_input in = {SEED, NULL, 0, NULL, -1, -1, apply, 1};
        dep_plan p;
        assert_int_equal(dep_plan_load(&in, &p, err, sizeof err), 0);
        cJSON *j = stack_of(&p);
        assert_int_equal(role_allows(j, "autoscaling:SetDesiredCapacity"), apply);
        assert_true(role_allows(j, "autoscaling:DescribeAutoScalingGroups"));
        const cJSON *ecs =
            cJSON_GetObjectItem(cJSON_GetObjectItem(j, "Parameters"), "EcsCluster");
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(ecs, "AllowedPattern")),
                            "^[A-Za-z0-9_-]{1,255}$");
        const cJSON *lt = cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "Resources"),
                                                    "OnDemandLaunchTemplate"),
                                "Properties"),
            "LaunchTemplateData");
        const char *ud = cJSON_GetStringValue(cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetObjectItem(lt, "UserData"), "Fn::Base64"), "Fn::Sub"));
        assert_non_null(ud);
        assert_non_null(strstr(ud, "echo 'ECS_CLUSTER=${EcsCluster}' >> /etc/ecs/ecs.config"));
        cJSON_Delete(j);
        dep_plan_free(&p);
    }
}

/* DescribeScalingActivities only for a policy reading failed launches
** on a spot group: guarded with use_launch_failures 1; not its default
** (0), and not on a Spot Fleet (no such activity to read). */
static void activities_only_when_read(void **st) {
    (void)st;
    char err[512];
    static const char *const on[] = {"use_launch_failures=1"};
    static const struct {
        const char *const *sets;
        size_t nsets;
        int spot_fleet, want;
    } cases[] = {{on, 1, 0, 1}, {NULL, 0, 0, 0}, {on, 1, 1, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dep_input in = {SEED, cases[i].sets, cases[i].nsets, "guarded", -1, 1, 0,
                        cases[i].spot_fleet};
        dep_plan p;
        assert_int_equal(dep_plan_load(&in, &p, err, sizeof err), 0);
        cJSON *j = stack_of(&p);
        assert_int_equal(role_allows(j, "autoscaling:DescribeScalingActivities"), cases[i].want);
        cJSON_Delete(j);
        dep_plan_free(&p);
    }
}

/* The default stack: a spot Auto Scaling group, no Spot Fleet; the
** controller reads the group (no ec2:DescribeSpotFleetRequests); the
** legacy fleet only when asked, with AWS's notice as a warning. */
static void spot_group_by_default(void **st) {
    (void)st;
    char err[512];
    dep_input in = {SEED, NULL, 0, NULL, -1, 1, 0, 0};
    dep_plan p;
    assert_int_equal(dep_plan_load(&in, &p, err, sizeof err), 0);
    assert_true(has_warning(&p, "fleet.kind")); /* simulated as a fleet */
    assert_true(has_warning(&p, "fleet.LaunchSpecifications[0].SpotPrice"));
    char *t = dep_cloudformation(&p);
    assert_non_null(t);
    assert_null(strstr(t, "AWS::EC2::SpotFleet"));
    cJSON *j = cJSON_Parse(t);
    free(t);
    assert_false(role_allows(j, "ec2:DescribeSpotFleetRequests"));
    const cJSON *res = cJSON_GetObjectItem(j, "Resources");
    const cJSON *g = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "SpotGroup"), "Properties");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(g, "DesiredCapacity")), "32");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(g, "DesiredCapacityType")),
                        "units");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(g, "CapacityRebalance")));
    const cJSON *id = cJSON_GetObjectItem(cJSON_GetObjectItem(g, "MixedInstancesPolicy"),
                                          "InstancesDistribution");
    assert_int_equal(cJSON_GetObjectItem(id, "OnDemandPercentageAboveBaseCapacity")->valueint,
                     0);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(id, "SpotAllocationStrategy")),
                        "price-capacity-optimized");
    /* The alarm: desired - in service > 0 by metric math. */
    const cJSON *al = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "PendingAlarm"), "Properties");
    const cJSON *m2 = cJSON_GetArrayItem(cJSON_GetObjectItem(al, "Metrics"), 2);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(m2, "Expression")),
                        "desired - inservice");
    cJSON_Delete(j);
    dep_plan_free(&p);

    dep_input f = {SEED, NULL, 0, NULL, -1, -1, 0, 1};
    assert_int_equal(dep_plan_load(&f, &p, err, sizeof err), 0);
    int notice = 0;
    for (size_t i = 0; i < p.nwarn; i++)
        notice |= strcmp(p.warn[i].field, "fleet.kind") == 0 &&
                  strstr(p.warn[i].text, "legacy API with no planned investment") != NULL;
    assert_true(notice);
    t = dep_cloudformation(&p);
    assert_non_null(strstr(t, "AWS::EC2::SpotFleet"));
    free(t);
    dep_plan_free(&p);
}

static void plan_refuses(void **st) {
    (void)st;
    char err[512];
    dep_plan p;
    const char *bad[] = {"window=0"};
    dep_input in = {SEED, bad, 1, "classic", -1, -1, 0, 1};
    assert_int_equal(dep_plan_load(&in, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "window=0"));
    dep_input oracle = {SEED, NULL, 0, "oracle", -1, -1, 0, 1};
    assert_int_equal(dep_plan_load(&oracle, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "simulation only"));
    const char *field[] = {"asg.NoSuchField=1"};
    dep_input unknown = {SEED, field, 1, NULL, -1, -1, 0, 1};
    assert_int_equal(dep_plan_load(&unknown, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "NoSuchField"));
}

static void target_tracking_warns(void **st) {
    (void)st;
    char err[512];
    dep_plan p;
    dep_input in = {"traces/scenarios/scale-out-during-outage/scenario.json", NULL, 0,
                    NULL, 3, 1, 1, 1};
    assert_int_equal(dep_plan_load(&in, &p, err, sizeof err), 0);
    assert_true(has_warning(&p, "fleet.TargetTracking"));
    assert_int_equal(p.max_on_demand, 3);
    cJSON *j = stack_of(&p);
    const cJSON *res = cJSON_GetObjectItem(j, "Resources");
    assert_non_null(cJSON_GetObjectItem(res, "PendingAlarm"));
    const cJSON *env = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
                                                    cJSON_GetObjectItem(res, "Controller"),
                                                    "Properties"),
                                                "Environment"),
                            "Variables"),
        "SPOTBENCH_APPLY");
    assert_string_equal(cJSON_GetStringValue(env), "true");
    cJSON_Delete(j);
    dep_plan_free(&p);
}

/* Fields of the market model and Capacity Rebalancing: the first is a
** warning (a model, not a setting), the second goes into the fleet. */
static void market_and_rebalancing(void **st) {
    (void)st;
    char err[512];
    dep_plan p;
    const char *sets[] = {
        "market={\"InterruptionFrequency\": \"<5%\"}",
        "fleet.SpotMaintenanceStrategies={\"CapacityRebalance\": "
        "{\"ReplacementStrategy\": \"launch-before-terminate\", \"TerminationDelay\": 300}}",
        "fleet.AllocationStrategy=priceCapacityOptimized"};
    dep_input in = {SEED, sets, 3, NULL, -1, -1, 0, 1};
    assert_int_equal(dep_plan_load(&in, &p, err, sizeof err), 0);
    assert_true(has_warning(&p, "market"));
    assert_true(has_warning(&p, "fleet.AllocationStrategy"));
    assert_false(has_warning(&p, "fleet.SpotMaintenanceStrategies"));
    cJSON *j = stack_of(&p);
    const cJSON *cfg = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "Resources"),
                                                "SpotFleet"),
                            "Properties"),
        "SpotFleetRequestConfigData");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cfg, "AllocationStrategy")),
                        "priceCapacityOptimized");
    const cJSON *cr = cJSON_GetObjectItem(cJSON_GetObjectItem(cfg, "SpotMaintenanceStrategies"),
                                          "CapacityRebalance");
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(cr, "ReplacementStrategy")),
                        "launch-before-terminate");
    assert_int_equal(cJSON_GetObjectItem(cr, "TerminationDelay")->valuedouble, 300);
    cJSON_Delete(j);
    dep_plan_free(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(live_config_round_trip),
        cmocka_unit_test(worst_tick),
        cmocka_unit_test(plan_splits_settings),
        cmocka_unit_test(least_privilege),
        cmocka_unit_test(activities_only_when_read),
        cmocka_unit_test(spot_group_by_default),
        cmocka_unit_test(plan_refuses),
        cmocka_unit_test(target_tracking_warns),
        cmocka_unit_test(market_and_rebalancing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
