/*
** test_aws_live.c: the live config's errors, one tick through the fake
** transport (dry run, apply, cooldown rejection, failed fetches, the
** max_on_demand cap), the tick line, and that no secret ever shows up in an
** error, a tick, a --verbose log line or a recorded observation.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "aws_fake.h"
#include "traces/traces.h"

#define NOW 1488369600LL /* 2017-03-01T12:00:00Z */

static int setup(void **st) {
    (void)st;
    fk_clean_env();
    setenv("AWS_ACCESS_KEY_ID", FK_AK, 1);
    setenv("AWS_SECRET_ACCESS_KEY", FK_SK, 1);
    setenv("AWS_SESSION_TOKEN", FK_TOKEN, 1);
    return 0;
}

#define BASE                                                                  \
    "\"FleetRequestId\": \"sfr-123\", \"AutoScalingGroupName\": "             \
    "\"ecsDemandBackupGroup\", \"max_on_demand\": 20"

static void config_full(void **st) {
    (void)st;
    aws_live_config c;
    char err[300];
    const char *json =
        "{\"region\": \"us-east-1\", " BASE ", \"policy\": \"classic\",\n"
        " \"params\": {\"units_per_instance\": 8, \"window\": 300},\n"
        " \"interval\": 30, \"connect_timeout\": 0.5, \"timeout\": 2,\n"
        " \"max_attempts\": 2, \"endpoints\": {\"cloudwatch\": "
        "\"http://127.0.0.1:4566\", \"ec2\": \"https://ec2.example\"}}";
    if (aws_live_config_parse(json, &c, err, sizeof err)) fail_msg("%s", err);
    assert_string_equal(c.region, "us-east-1");
    assert_string_equal(c.fleet_id, "sfr-123");
    assert_string_equal(c.asg_name, "ecsDemandBackupGroup");
    assert_string_equal(c.policy->name, "classic");
    assert_true(c.params.v[pol_param_index(c.policy, "units_per_instance")] ==
                8);
    assert_true(c.params.v[pol_param_index(c.policy, "window")] == 300);
    assert_int_equal(c.interval, 30);
    assert_int_equal(c.max_on_demand, 20);
    assert_int_equal(c.connect_timeout_ms, 500);
    assert_int_equal(c.timeout_ms, 2000);
    assert_int_equal(c.max_attempts, 2);
    assert_string_equal(c.endpoint[AWS_CLOUDWATCH], "http://127.0.0.1:4566");
    assert_string_equal(c.endpoint[AWS_AUTOSCALING], "");
    aws_opts o;
    aws_live_client_opts(&c, &o);
    assert_string_equal(o.region, "us-east-1");
    assert_null(o.endpoint[AWS_AUTOSCALING]);
    assert_int_equal(o.max_attempts, 2);

    /* Defaults: guarded, every 60 s, 5 s / 20 s, 3 attempts, no region. */
    assert_int_equal(aws_live_config_parse("{" BASE "}", &c, err, sizeof err),
                     0);
    assert_string_equal(c.policy->name, "guarded");
    assert_int_equal(c.interval, 60);
    assert_int_equal(c.connect_timeout_ms, 5000);
    assert_int_equal(c.timeout_ms, 20000);
    assert_int_equal(c.max_attempts, 3);
    assert_string_equal(c.region, "");

    /* A spot Auto Scaling group in place of the fleet; written back so. */
    assert_int_equal(aws_live_config_parse("{\"SpotAutoScalingGroupName\": \"spot\", "
                                           "\"AutoScalingGroupName\": \"g\", "
                                           "\"max_on_demand\": 1}",
                                           &c, err, sizeof err),
                     0);
    assert_string_equal(c.spot_group, "spot");
    assert_string_equal(c.fleet_id, "");
    char *j = aws_live_config_json(&c);
    assert_non_null(j);
    assert_non_null(strstr(j, "\"SpotAutoScalingGroupName\":\"spot\""));
    assert_null(strstr(j, "FleetRequestId"));
    free(j);
}

static void config_errors(void **st) {
    (void)st;
    static const struct {
        const char *json, *want;
    } cases[] = {
        {"{" BASE ", \"intervall\": 60}", "unknown key 'intervall'"},
        {"{" BASE ", \"endpoints\": {\"sts\": \"https://x\"}}",
         "unknown key 'endpoints.sts'"},
        {"{" BASE ", \"endpoints\": {\"ec2\": \"http://ec2.example\"}}",
         "endpoints.ec2: endpoint http://ec2.example: plain http is allowed "
         "only to a loopback address"},
        {"{" BASE ", \"endpoints\": {\"ec2\": 5}}",
         "endpoints.ec2: must be a string"},
        {"{" BASE ", \"endpoints\": []}", "endpoints: must be an object"},
        {"{\"AutoScalingGroupName\": \"g\", \"max_on_demand\": 1}",
         "missing key 'FleetRequestId'"},
        {"{\"FleetRequestId\": \"sfr-1\", \"max_on_demand\": 1}",
         "missing key 'AutoScalingGroupName'"},
        {"{\"FleetRequestId\": \"sfr-1\", \"AutoScalingGroupName\": \"g\"}",
         "missing key 'max_on_demand'"},
        {"{" BASE ", \"policy\": \"greedy\"}", "policy: unknown policy 'greedy'"},
        {"{" BASE ", \"policy\": \"oracle\"}", "policy: 'oracle' is simulation only"},
        {"{" BASE ", \"policy\": 1}", "policy: must be a string"},
        {"{" BASE ", \"params\": {\"nosuch\": 1}}", "params.nosuch: "},
        {"{" BASE ", \"params\": {\"window\": \"600\"}}",
         "params.window: must be a number"},
        {"{" BASE ", \"params\": {\"confirm\": 0}}", "params.confirm: "},
        {"{" BASE ", \"interval\": 0}", "interval: must be between 1 and"},
        {"{" BASE ", \"interval\": 1.5}", "interval: must be a whole number"},
        {"{" BASE ", \"interval\": \"60\"}", "interval: must be a number"},
        {"{" BASE ", \"timeout\": 0}", "timeout: must be between"},
        {"{" BASE ", \"max_attempts\": 11}", "max_attempts: must be between"},
        {"{\"FleetRequestId\": \"sfr-1\", \"AutoScalingGroupName\": \"g\", "
         "\"max_on_demand\": -1}",
         "max_on_demand: must be between 0"},
        {"{\"FleetRequestId\": \"sfr 1\", \"AutoScalingGroupName\": \"g\", "
         "\"max_on_demand\": 1}",
         "FleetRequestId: \"sfr 1\" is not a Spot Fleet request id"},
        {"{\"FleetRequestId\": \"sfr-1\", \"AutoScalingGroupName\": \"\", "
         "\"max_on_demand\": 1}",
         "AutoScalingGroupName: must be 1-255 printable"},
        /* A spot Auto Scaling group instead of a fleet: one or the other. */
        {"{" BASE ", \"SpotAutoScalingGroupName\": \"spot\"}",
         "FleetRequestId and SpotAutoScalingGroupName: give one"},
        {"{\"SpotAutoScalingGroupName\": \"\", \"AutoScalingGroupName\": \"g\", "
         "\"max_on_demand\": 1}",
         "SpotAutoScalingGroupName: must be 1-255 printable"},
        /* deploy live-config's placeholders, not filled in. */
        {"{\"SpotAutoScalingGroupName\": \"<SpotAutoScalingGroupName>\", "
         "\"AutoScalingGroupName\": \"g\", \"max_on_demand\": 1}",
         "SpotAutoScalingGroupName: \"<SpotAutoScalingGroupName>\" is a placeholder"},
        {"{\"FleetRequestId\": \"sfr-1\", \"AutoScalingGroupName\": "
         "\"<AutoScalingGroupName>\", \"max_on_demand\": 1}",
         "AutoScalingGroupName: \"<AutoScalingGroupName>\" is a placeholder"},
        {"{" BASE ", \"region\": \"Mars 1\"}", "is not a region name"},
        {"{" BASE ", \"interval\": 60, \"interval\": 30}",
         "key 'interval' given twice"},
        {"[1, 2]", "the config must be a JSON object"},
        {"{" BASE ",\n\n \"interval\": }", "line 3: not valid JSON"},
        {"", "line 1: not valid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        aws_live_config c;
        char err[300] = "";
        if (aws_live_config_parse(cases[i].json, &c, err, sizeof err) != -1)
            fail_msg("accepted %s", cases[i].json);
        if (!strstr(err, cases[i].want))
            fail_msg("%s: got \"%s\", wanted \"%s\"", cases[i].json, err,
                     cases[i].want);
    }
}

static void config_file(void **st) {
    (void)st;
    aws_live_config c;
    char err[300], path[300];
    snprintf(path, sizeof path, "%s/live.json", getenv("HOME"));
    assert_int_equal(aws_live_config_load(path, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "live.json: no such file"));
    fk_write(path, "{" BASE ", \"bogus\": 1}");
    assert_int_equal(aws_live_config_load(path, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "live.json: unknown key 'bogus'"));
    fk_write(path, "{" BASE "}");
    assert_int_equal(aws_live_config_load(path, &c, err, sizeof err), 0);
}

typedef struct {
    fk_fake f;
    fk_sleeps s;
    fk_log log;
    aws_client *c;
    aws_live_config cfg;
} rig;

/* A classic-policy rig: TargetCapacity steady at 32, PendingCapacity 8 in
** the last minute, the group at desired 3 (so the policy wants 2: scale
** in), the fleet active. */
static void rig_init(rig *r, int max_od, const char *extra_config) {
    memset(r, 0, sizeof *r);
    char json[1024], err[300];
    snprintf(json, sizeof json,
             "{\"region\": \"us-east-1\", \"FleetRequestId\": \"sfr-123\", "
             "\"AutoScalingGroupName\": \"ecsDemandBackupGroup\", "
             "\"policy\": \"classic\", \"max_on_demand\": %d, "
             "\"endpoints\": {\"cloudwatch\": \"http://127.0.0.1:1\", "
             "\"autoscaling\": \"http://127.0.0.1:2\", \"ec2\": "
             "\"http://127.0.0.1:3\"}%s}",
             max_od, extra_config ? extra_config : "");
    if (aws_live_config_parse(json, &r->cfg, err, sizeof err))
        fail_msg("%s", err);
    aws_opts o;
    aws_live_client_opts(&r->cfg, &o);
    o.transport = fk_transport;
    o.transport_ctx = &r->f;
    o.sleep = fk_sleep;
    o.sleep_ctx = &r->s;
    o.log = fk_logger;
    o.log_ctx = &r->log;
    if (aws_client_new(&o, &r->c, err, sizeof err)) fail_msg("%s", err);
}

static void rig_default_rules(rig *r) {
    fk_rule_add(&r->f, "MetricName=TargetCapacity", 200, FK_TARGET_XML, -1);
    fk_rule_add(&r->f, "MetricName=PendingCapacity", 200, FK_METRIC_XML, -1);
    fk_rule_add(&r->f, "GetMetricStatistics", 200, FK_METRIC_EMPTY_XML, -1);
    fk_rule_add(&r->f, "DescribeAutoScalingGroups", 200, FK_ASG_XML, -1);
    fk_rule_add(&r->f, "DescribeSpotFleetRequests", 200, FK_FLEET_XML, -1);
    fk_rule_add(&r->f, "SetDesiredCapacity", 200, FK_SET_XML, -1);
}

static void tick_dry_run(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 20, NULL);
    rig_default_rules(&r);
    aws_tick t;
    assert_int_equal(aws_live_tick(r.c, &r.cfg, NOW, 0, &t), 0);
    assert_int_equal(t.nerrors, 0);
    assert_int_equal(t.fetched, 6);
    assert_int_equal(t.obs.m[POL_TARGET].n, 2);
    assert_int_equal(t.obs.m[POL_PENDING].n, 3);
    assert_int_equal(t.obs.m[POL_FULFILLED].n, 0);
    assert_int_equal(t.obs.m[POL_FULFILLED].failed, 0);
    assert_int_equal(t.obs.asg.desired, 3);
    assert_int_equal(t.obs.asg.in_service, 2);
    assert_string_equal(t.fleet.state, "active");
    /* classic: pending = earliest PendingCapacity in [now-60, now) = 8 ->
    ** 2 instances < 3 desired: scale in, honouring the cooldown. */
    assert_int_equal(t.decision.action, POL_ACT_SET);
    assert_int_equal(t.decision.desired, 2);
    assert_int_equal(t.decision.honor_cooldown, 1);
    assert_int_equal(t.outcome, AWS_OUT_DRY_RUN);
    assert_int_equal(fk_count(&r.f, "SetDesiredCapacity"), 0);
    assert_int_equal(aws_tick_failed(&t), 0);
    /* The window asked for is the policy's lookback. */
    assert_int_equal(fk_count(&r.f, "StartTime=2017-03-01T11%3A50%3A00Z&"
                                    "EndTime=2017-03-01T12%3A00%3A00Z"),
                     4);
    char line[1024];
    aws_tick_format(&t, line, sizeof line);
    assert_string_equal(
        line,
        "2017-03-01T12:00:00Z TargetCapacity=32 PendingCapacity=8 "
        "FulfilledCapacity=- TerminatingCapacity=- | fleet active target 32 | "
        "ASG desired=3 in-service=2 | set DesiredCapacity=2 "
        "HonorCooldown=true: scale in: PendingCapacity 8 units needs 2 "
        "instances | dry run: would set DesiredCapacity=2 (HonorCooldown=true)");
    /* The observation records and replays as policy eval input. */
    char *rec = trc_obs_format(&t.obs);
    trc_obsbuf b = {0};
    pol_obs back;
    char err[256];
    assert_int_equal(trc_obs_parse(rec, &b, &back, err, sizeof err), 0);
    pol_decision d;
    pol_decide(r.cfg.policy, &back, &r.cfg.params, &d);
    assert_int_equal(d.desired, t.policy_decision.desired);
    assert_string_equal(d.reason, t.policy_decision.reason);
    free(rec);
    trc_obsbuf_free(&b);
    aws_tick_free(&t);
    aws_client_free(r.c);
}

/* One second past the minute, the original asks for StartTime now - 600 s
** unrounded; CloudWatch answers from the minute it rounds that down to, and
** live keeps what it answers: the same decision as at the minute itself. */
static void tick_at_a_second_offset(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 20, NULL);
    rig_default_rules(&r);
    aws_tick t;
    assert_int_equal(aws_live_tick(r.c, &r.cfg, NOW + 1, 0, &t), 0);
    assert_int_equal(fk_count(&r.f, "StartTime=2017-03-01T11%3A50%3A01Z&"
                                    "EndTime=2017-03-01T12%3A00%3A01Z"),
                     4);
    /* TargetCapacity 11:50:00 is kept: 11:50:01 rounds down to it. */
    assert_int_equal(t.obs.m[POL_TARGET].n, 2);
    /* classic reads the 11:59:00 PendingCapacity (8) at 12:00:01 as at
    ** 12:00:00: 2 instances, not the fallback's 8. */
    assert_int_equal(t.decision.action, POL_ACT_SET);
    assert_int_equal(t.decision.desired, 2);
    aws_tick_free(&t);
    aws_client_free(r.c);
}

static void tick_apply_and_rejected(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 20, NULL);
    fk_rule_add(&r.f, "SetDesiredCapacity", 400,
                FK_ERR_XML("ScalingActivityInProgress",
                           "Scaling activity 77 is in progress and blocks "
                           "this action."),
                1);
    rig_default_rules(&r);
    aws_tick t;
    char line[1024];
    assert_int_equal(aws_live_tick(r.c, &r.cfg, NOW, 1, &t), 0);
    assert_int_equal(t.outcome, AWS_OUT_REJECTED);
    assert_int_equal(aws_tick_failed(&t), 0);
    assert_int_equal(t.nerrors, 0);
    aws_tick_format(&t, line, sizeof line);
    assert_non_null(strstr(line, "| rejected: ScalingActivityInProgress "
                                 "(cooldown) \xe2\x80\x94 will retry next "
                                 "tick"));
    aws_tick_free(&t);
    /* The next try is accepted. */
    assert_int_equal(aws_live_tick(r.c, &r.cfg, NOW, 1, &t), 0);
    assert_int_equal(t.outcome, AWS_OUT_APPLIED);
    assert_non_null(strstr(r.f.reqs[r.f.nreqs - 1].body,
                           "DesiredCapacity=2&HonorCooldown=true"));
    aws_tick_format(&t, line, sizeof line);
    assert_non_null(
        strstr(line, "| applied: DesiredCapacity=2 (HonorCooldown=true)"));
    aws_tick_free(&t);
    /* Any other refusal is a failure. */
    r.f.nrules = 0;
    fk_rule_add(&r.f, "SetDesiredCapacity", 400,
                FK_ERR_XML("ValidationError", "bad"), -1);
    rig_default_rules(&r);
    assert_int_equal(aws_live_tick(r.c, &r.cfg, NOW, 1, &t), 0);
    assert_int_equal(t.outcome, AWS_OUT_FAILED);
    assert_int_equal(aws_tick_failed(&t), 1);
    aws_tick_format(&t, line, sizeof line);
    assert_non_null(strstr(line, "| failed: autoscaling SetDesiredCapacity: "
                                 "ValidationError: bad (RequestId req-42)"));
    aws_tick_free(&t);
    aws_client_free(r.c);
}

static void tick_failures_are_not_zeros(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 20, NULL);
    fk_rule_add(&r.f, "MetricName=PendingCapacity", 400,
                FK_ERR_XML("Throttling", "Rate exceeded"), -1);
    fk_rule_add(&r.f, "DescribeAutoScalingGroups", 200, FK_ASG_NONE_XML, -1);
    rig_default_rules(&r);
    aws_tick t;
    assert_int_equal(aws_live_tick(r.c, &r.cfg, NOW, 1, &t), 0);
    assert_int_equal(t.obs.m[POL_PENDING].failed, 1);
    assert_int_equal(t.obs.m[POL_PENDING].n, 0);
    assert_int_equal(t.obs.asg.known, 0);
    assert_int_equal(t.nerrors, 2);
    assert_string_equal(t.errors[0],
                        "cloudwatch GetMetricStatistics PendingCapacity: "
                        "Throttling: Rate exceeded (RequestId req-42) (after "
                        "3 attempts)");
    assert_string_equal(t.errors[1], "autoscaling DescribeAutoScalingGroups: "
                                     "no Auto Scaling group named "
                                     "\"ecsDemandBackupGroup\"");
    /* classic with an unknown group: nothing, even with --apply. */
    assert_int_equal(t.decision.action, POL_ACT_NONE);
    assert_int_equal(fk_count(&r.f, "SetDesiredCapacity"), 0);
    /* Calls failed: the tick could not observe all it should. */
    assert_int_equal(aws_tick_failed(&t), 1);
    char line[1024];
    aws_tick_format(&t, line, sizeof line);
    assert_non_null(strstr(line, "PendingCapacity=failed "));
    assert_non_null(strstr(line, "| ASG failed |"));
    char *rec = trc_obs_format(&t.obs);
    assert_non_null(strstr(rec, "\"failed\": [\"PendingCapacity\"]"));
    assert_non_null(strstr(rec, "\"asg\": null"));
    free(rec);
    aws_tick_free(&t);

    /* Nothing reachable at all: the tick failed. */
    r.f.nrules = 0;
    fk_fail_add(&r.f, NULL, AWS_NET_CONNECT, -1);
    assert_int_equal(aws_live_tick(r.c, &r.cfg, NOW, 0, &t), 0);
    assert_int_equal(t.fetched, 0);
    assert_int_equal(t.nerrors, 6);
    assert_int_equal(aws_tick_failed(&t), 1);
    aws_tick_format(&t, line, sizeof line);
    assert_non_null(strstr(line, "| fleet failed |"));
    aws_tick_free(&t);
    aws_client_free(r.c);
}

static void tick_cap(void **st) {
    (void)st;
    /* 8 pending units at 1 unit per instance wants 8; the cap is 5. */
    rig r;
    rig_init(&r, 5, ", \"params\": {\"units_per_instance\": 1}");
    rig_default_rules(&r);
    aws_tick t;
    assert_int_equal(aws_live_tick(r.c, &r.cfg, NOW, 1, &t), 0);
    assert_int_equal(t.policy_decision.desired, 8);
    assert_int_equal(t.decision.desired, 5);
    assert_int_equal(t.capped, 1);
    assert_int_equal(t.outcome, AWS_OUT_APPLIED);
    assert_non_null(strstr(r.f.reqs[r.f.nreqs - 1].body, "DesiredCapacity=5&"));
    assert_non_null(strstr(t.decision.reason, "capped at max_on_demand 5 "
                                              "(policy wanted 8)"));
    aws_tick_free(&t);
    aws_client_free(r.c);

    /* Already at the cap: nothing to do. */
    rig_init(&r, 3, ", \"params\": {\"units_per_instance\": 1}");
    rig_default_rules(&r);
    assert_int_equal(aws_live_tick(r.c, &r.cfg, NOW, 1, &t), 0);
    assert_int_equal(t.decision.action, POL_ACT_NONE);
    assert_int_equal(t.outcome, AWS_OUT_NONE);
    assert_int_equal(fk_count(&r.f, "SetDesiredCapacity"), 0);
    char line[1024];
    aws_tick_format(&t, line, sizeof line);
    assert_non_null(strstr(line, "none: at max_on_demand 3 already (policy "
                                 "wanted 8) | no change"));
    aws_tick_free(&t);
    aws_client_free(r.c);
}

/* The fake echoes the secrets back in every error message, as a confused
** proxy or a SignatureDoesNotMatch with a canonical request might. */
#define LEAKY(code)                                                           \
    FK_ERR_XML(code, "key " FK_AK " secret " FK_SK " token " FK_TOKEN         \
                     " encoded wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYEXAMPLEKEY")

static void assert_clean(const char *what, const char *s) {
    const char *secrets[] = {FK_AK, FK_SK, FK_TOKEN, "wJalrXUtnFEMI",
                             "EXAMPLETOKEN"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strstr(s, secrets[i]))
            fail_msg("%s contains a secret (%s): %s", what, secrets[i], s);
}

static void secrets_never_leak(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 20, NULL);
    fk_rule_add(&r.f, "MetricName=TargetCapacity", 400, LEAKY("Throttling"),
                -1);
    fk_rule_add(&r.f, "DescribeAutoScalingGroups", 403,
                LEAKY("SignatureDoesNotMatch"), -1);
    fk_rule_add(&r.f, "SetDesiredCapacity", 400,
                LEAKY("ScalingActivityInProgress"), -1);
    fk_rule_add(&r.f, "DescribeSpotFleetRequests", 400,
                LEAKY("UnauthorizedOperation"), -1);
    rig_default_rules(&r);
    aws_tick t;
    assert_int_equal(aws_live_tick(r.c, &r.cfg, NOW, 1, &t), 0);
    assert_true(t.nerrors >= 3);
    for (size_t i = 0; i < t.nerrors; i++) {
        assert_clean("tick error", t.errors[i]);
        assert_non_null(strstr(t.errors[i], "[redacted]"));
    }
    char line[2048];
    aws_tick_format(&t, line, sizeof line);
    assert_clean("tick line", line);
    assert_clean("outcome", t.outcome_msg);
    char *rec = trc_obs_format(&t.obs);
    assert_clean("record", rec);
    free(rec);
    aws_tick_free(&t);

    /* Errors land in the tick as a failed apply too. */
    r.f.nrules = 0;
    fk_rule_add(&r.f, "SetDesiredCapacity", 400, LEAKY("ValidationError"), -1);
    rig_default_rules(&r);
    assert_int_equal(aws_live_tick(r.c, &r.cfg, NOW, 1, &t), 0);
    assert_int_equal(t.outcome, AWS_OUT_FAILED);
    assert_clean("outcome", t.outcome_msg);
    aws_tick_format(&t, line, sizeof line);
    assert_clean("tick line", line);
    aws_tick_free(&t);

    /* The verbose log saw every request, retry and credential source. */
    assert_non_null(strstr(r.log.text, "credentials from environment"));
    assert_non_null(strstr(r.log.text, "retrying in"));
    assert_non_null(strstr(r.log.text, "Action=SetDesiredCapacity"));
    assert_clean("verbose log", r.log.text);
    /* ...while the requests did carry them, to the transport only. */
    assert_string_equal(r.f.reqs[0].access_key, FK_AK);
    assert_int_equal(r.f.reqs[0].signed_with_token, 1);
    aws_client_free(r.c);
}

/* A session token as long as STS gives (359 characters), drawn from the
** base64 alphabet. */
static void long_token(char tok[360]) {
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 359; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        tok[i] = b64[x % 64];
    }
    tok[359] = '\0';
}

/* No run of 16 or more characters of `secret` in s. */
static void assert_no_run(const char *what, const char *s, const char *secret) {
    size_t n = strlen(secret);
    for (size_t i = 0; i + 16 <= n; i++) {
        char w[17];
        memcpy(w, secret + i, 16);
        w[16] = '\0';
        if (strstr(s, w)) fail_msg("%s holds 16 characters of a secret (at %zu): %s", what, i, s);
    }
}

/* Issue 24: a server echoing 300 of the token's 359 characters inside its
** message. Whole-token redaction missed the prefix; any run of 16 is
** redacted now, in the errors, the outcome, the line and the log. */
static void token_prefix_redacted(void **st) {
    (void)st;
    char tok[360], body[1024];
    long_token(tok);
    setenv("AWS_SESSION_TOKEN", tok, 1);
    snprintf(body, sizeof body, FK_ERR_XML("InvalidClientTokenId", "The security token "
                                                                   "%.300s is invalid"),
             tok);
    rig r;
    rig_init(&r, 20, NULL);
    fk_rule_add(&r.f, "DescribeAutoScalingGroups", 403, body, -1);
    fk_rule_add(&r.f, "SetDesiredCapacity", 403, body, -1);
    rig_default_rules(&r);
    aws_tick t;
    assert_int_equal(aws_live_tick(r.c, &r.cfg, NOW, 1, &t), 0);
    assert_true(t.nerrors >= 1);
    for (size_t i = 0; i < t.nerrors; i++) {
        assert_no_run("tick error", t.errors[i], tok);
        assert_non_null(strstr(t.errors[i], "The security token [redacted] is invalid"));
    }
    char line[2048];
    aws_tick_format(&t, line, sizeof line);
    assert_no_run("tick line", line, tok);
    assert_no_run("outcome", t.outcome_msg, tok);
    assert_no_run("verbose log", r.log.text, tok);
    aws_tick_free(&t);
    aws_client_free(r.c);
    setenv("AWS_SESSION_TOKEN", FK_TOKEN, 1);
}

/* Does s hold a C0 control character or DEL? */
static int raw_ctl(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 1;
    return 0;
}

/* Issue 24: a newline and an ESC sequence in an AWS error message (XML's
** &#10;, JSON's \u001b) reach no line raw: each message and the tick line
** stay one line, the characters written as \n and \x1b. */
static void server_text_escaped(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 20, NULL);
    fk_rule_add(&r.f, "MetricName=TargetCapacity", 400,
                FK_ERR_XML("Throttling", "slow down&#10;2017-03-01T12:00:00Z TargetCapacity=32"
                                         " | ASG desired=0 | applied: DesiredCapacity=99"),
                -1);
    fk_rule_add(&r.f, "DescribeAutoScalingGroups", 400,
                "{\"__type\": \"ValidationError\", \"message\": \"bad\\u001b[2J\\u001b]0;"
                "owned\\u0007 group\\r\\nforged\"}",
                -1);
    rig_default_rules(&r);
    aws_tick t;
    assert_int_equal(aws_live_tick(r.c, &r.cfg, NOW, 1, &t), 0);
    assert_int_equal(t.nerrors, 2);
    for (size_t i = 0; i < t.nerrors; i++)
        if (raw_ctl(t.errors[i])) fail_msg("raw control character in: %s", t.errors[i]);
    assert_non_null(strstr(t.errors[0], "slow down\\n2017-03-01T12:00:00Z TargetCapacity=32"));
    assert_non_null(strstr(t.errors[1], "bad\\x1b[2J\\x1b]0;owned\\x07 group\\r\\nforged"));
    char line[2048];
    aws_tick_format(&t, line, sizeof line);
    assert_false(raw_ctl(line));
    assert_null(strchr(r.log.text, '\x1b')); /* the log: a line per entry, no ESC */
    assert_null(strstr(r.log.text, "\nforged"));
    aws_tick_free(&t);
    aws_client_free(r.c);
}

static int tick_count_cb(void *ctx, const aws_tick *t) {
    int *n = ctx;
    (*n)++;
    assert_int_equal(t->now, NOW);
    return *n >= 2; /* stop after two */
}

static int tick_counter(void *ctx, const aws_tick *t) {
    (void)t;
    (*(int *)ctx)++;
    return 0;
}

static void loop_once_and_stop(void **st) {
    (void)st;
    rig r;
    rig_init(&r, 20, ", \"interval\": 1");
    rig_default_rules(&r);
    int n = 0;
    char err[200];
    aws_live_opts o = {0};
    o.once = 1;
    o.fixed_now = NOW;
    o.on_tick = tick_count_cb;
    o.ctx = &n;
    assert_int_equal(aws_live_run(r.c, &r.cfg, &o, err, sizeof err), 0);
    assert_int_equal(n, 1);
    /* A stop flag already set ends the loop after the tick in flight. */
    volatile sig_atomic_t stop = 1;
    o.once = 0;
    o.stop = &stop;
    n = 0;
    assert_int_equal(aws_live_run(r.c, &r.cfg, &o, err, sizeof err), 0);
    assert_int_equal(n, 1);
    /* --once exits 1 when nothing could be fetched. */
    r.f.nrules = 0;
    fk_fail_add(&r.f, NULL, AWS_NET_TIMEOUT, -1);
    o.once = 1;
    o.on_tick = NULL;
    assert_int_equal(aws_live_run(r.c, &r.cfg, &o, err, sizeof err), 1);
    /* The loop stops after max_failed failed ticks in a row ... */
    o.once = 0;
    o.stop = NULL;
    o.max_failed = 2;
    o.on_tick = tick_counter;
    n = 0;
    assert_int_equal(aws_live_run(r.c, &r.cfg, &o, err, sizeof err), 1);
    assert_int_equal(n, 2);
    assert_string_equal(err, "2 ticks in a row could not observe or act; stopping");
    /* ... and a signal ending it after a failed tick says so. */
    o.stop = &stop;
    o.max_failed = 0;
    n = 0;
    assert_int_equal(aws_live_run(r.c, &r.cfg, &o, err, sizeof err), 1);
    assert_int_equal(n, 1);
    assert_string_equal(err, "stopped after 1 failed tick in a row");
    aws_client_free(r.c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(config_full, setup),
        cmocka_unit_test_setup(config_errors, setup),
        cmocka_unit_test_setup(config_file, setup),
        cmocka_unit_test_setup(tick_dry_run, setup),
        cmocka_unit_test_setup(tick_at_a_second_offset, setup),
        cmocka_unit_test_setup(tick_apply_and_rejected, setup),
        cmocka_unit_test_setup(tick_failures_are_not_zeros, setup),
        cmocka_unit_test_setup(tick_cap, setup),
        cmocka_unit_test_setup(secrets_never_leak, setup),
        cmocka_unit_test_setup(token_prefix_redacted, setup),
        cmocka_unit_test_setup(server_text_escaped, setup),
        cmocka_unit_test_setup(loop_once_and_stop, setup),
    };
    return cmocka_run_group_tests_name("aws_live", tests, NULL,
                                       fk_remove_home);
}
