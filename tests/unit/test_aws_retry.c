/*
** test_aws_retry.c: the retry policy (which failures are retried, the
** backoff bounds) and the client's retries through the fake transport:
** throttling then success, giving up after 3 attempts, no retry of client
** errors, expired tokens fetching credentials again, and the request each
** call sends.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "aws_fake.h"

static int setup(void **st) {
    (void)st;
    fk_clean_env();
    setenv("AWS_ACCESS_KEY_ID", FK_AK, 1);
    setenv("AWS_SECRET_ACCESS_KEY", FK_SK, 1);
    return 0;
}

static aws_client *client_on(fk_fake *f, fk_sleeps *s) {
    aws_opts o;
    memset(&o, 0, sizeof o);
    o.region = "us-east-1";
    o.endpoint[AWS_CLOUDWATCH] = "http://127.0.0.1:1";
    o.endpoint[AWS_AUTOSCALING] = "http://127.0.0.1:2";
    o.endpoint[AWS_EC2] = "http://127.0.0.1:3";
    o.transport = fk_transport;
    o.transport_ctx = f;
    o.sleep = fk_sleep;
    o.sleep_ctx = s;
    o.seed = 42;
    aws_client *c = NULL;
    char err[256];
    if (aws_client_new(&o, &c, err, sizeof err)) fail_msg("%s", err);
    return c;
}

static void classification(void **st) {
    (void)st;
    const char *throttle[] = {"Throttling", "ThrottlingException",
                              "RequestLimitExceeded",
                              "TooManyRequestsException", "RequestThrottled",
                              "SlowDown", "EC2ThrottledException"};
    for (size_t i = 0; i < sizeof throttle / sizeof throttle[0]; i++)
        assert_int_equal(aws_retry_classify(AWS_NET_OK, 400, throttle[i]),
                         AWS_RETRY_THROTTLE);
    assert_int_equal(aws_retry_classify(AWS_NET_OK, 429, ""),
                     AWS_RETRY_THROTTLE);
    long transient[] = {500, 502, 503, 504};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(aws_retry_classify(AWS_NET_OK, transient[i], ""),
                         AWS_RETRY_TRANSIENT);
    assert_int_equal(aws_retry_classify(AWS_NET_OK, 500, "InternalFailure"),
                     AWS_RETRY_TRANSIENT);
    assert_int_equal(aws_retry_classify(AWS_NET_OK, 400, "RequestTimeout"),
                     AWS_RETRY_TRANSIENT);
    assert_int_equal(aws_retry_classify(AWS_NET_TIMEOUT, 0, NULL),
                     AWS_RETRY_TRANSIENT);
    assert_int_equal(aws_retry_classify(AWS_NET_CONNECT, 0, NULL),
                     AWS_RETRY_TRANSIENT);
    assert_int_equal(aws_retry_classify(AWS_NET_OK, 400, "ExpiredToken"),
                     AWS_RETRY_CREDS);
    assert_int_equal(aws_retry_classify(AWS_NET_OK, 400,
                                        "ExpiredTokenException"),
                     AWS_RETRY_CREDS);
    /* Final at once. */
    const char *no[] = {"ScalingActivityInProgress", "ValidationError",
                        "AccessDenied", "UnauthorizedOperation",
                        "SignatureDoesNotMatch", "InvalidClientTokenId"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_int_equal(aws_retry_classify(AWS_NET_OK, 400, no[i]),
                         AWS_RETRY_NO);
    assert_int_equal(aws_retry_classify(AWS_NET_OK, 403, ""), AWS_RETRY_NO);
    assert_int_equal(aws_retry_classify(AWS_NET_OK, 404, ""), AWS_RETRY_NO);
    assert_int_equal(aws_retry_classify(AWS_NET_OTHER, 0, NULL), AWS_RETRY_NO);
}

static void backoff_bounds(void **st) {
    (void)st;
    assert_int_equal(aws_backoff_ms(1, 1.0), 100);
    assert_int_equal(aws_backoff_ms(2, 1.0), 200);
    assert_int_equal(aws_backoff_ms(3, 1.0), 400);
    assert_int_equal(aws_backoff_ms(3, 0.5), 200);
    assert_int_equal(aws_backoff_ms(1, 0.0), 0);
    /* 100 ms * 2^8 = 25.6 s: capped at 20 s, even for absurd retries. */
    assert_int_equal(aws_backoff_ms(9, 1.0), 20000);
    assert_int_equal(aws_backoff_ms(1000, 1.0), 20000);
    assert_int_equal(aws_backoff_ms(1000, 7.0), 20000);
}

static void throttled_then_succeeds(void **st) {
    (void)st;
    fk_fake f = {0};
    fk_sleeps s = {0};
    fk_rule_add(&f, "DescribeAutoScalingGroups", 400,
                FK_ERR_XML("Throttling", "Rate exceeded"), 2);
    fk_rule_add(&f, "DescribeAutoScalingGroups", 200, FK_ASG_XML, -1);
    aws_client *c = client_on(&f, &s);
    pol_asg a;
    aws_error e;
    assert_int_equal(aws_describe_asg(c, "ecsDemandBackupGroup", &a, &e), 0);
    assert_int_equal(e.attempts, 3);
    assert_int_equal(a.desired, 3);
    assert_int_equal(f.nreqs, 3);
    assert_int_equal(s.n, 2);
    assert_in_range(s.ms[0], 0, 100);
    assert_in_range(s.ms[1], 0, 200);
    aws_client_free(c);
}

static void gives_up_after_three(void **st) {
    (void)st;
    fk_fake f = {0};
    fk_sleeps s = {0};
    fk_rule_add(&f, "DescribeSpotFleetRequests", 503,
                FK_EC2_ERR_XML("Unavailable", "The service is unavailable."),
                -1);
    aws_client *c = client_on(&f, &s);
    aws_fleet fl;
    aws_error e;
    assert_int_equal(aws_describe_fleet(c, "sfr-123", &fl, &e), -1);
    assert_int_equal(e.attempts, 3);
    assert_int_equal(f.nreqs, 3);
    assert_int_equal(s.n, 2);
    assert_int_equal(e.status, 503);
    assert_string_equal(e.code, "Unavailable");
    assert_string_equal(e.msg,
                        "ec2 DescribeSpotFleetRequests: Unavailable: The "
                        "service is unavailable. (RequestId ec2-req-7) "
                        "(after 3 attempts)");
    /* Timeouts and refused connections are retried the same way. */
    f.nrules = 0;
    f.nreqs = 0;
    fk_fail_add(&f, NULL, AWS_NET_TIMEOUT, 1);
    fk_fail_add(&f, NULL, AWS_NET_CONNECT, 1);
    fk_rule_add(&f, NULL, 200, FK_FLEET_XML, -1);
    assert_int_equal(aws_describe_fleet(c, "sfr-123", &fl, &e), 0);
    assert_int_equal(f.nreqs, 3);
    assert_int_equal(fl.target, 32);
    /* A 5xx without an XML body still names the status. */
    f.nrules = 0;
    fk_rule_add(&f, NULL, 502, "<html>Bad Gateway</html>", -1);
    assert_int_equal(aws_describe_fleet(c, "sfr-123", &fl, &e), -1);
    assert_string_equal(e.msg, "ec2 DescribeSpotFleetRequests: HTTP 502 "
                               "(after 3 attempts)");
    aws_client_free(c);
}

static void client_errors_are_final(void **st) {
    (void)st;
    fk_fake f = {0};
    fk_sleeps s = {0};
    fk_rule_add(&f, "SetDesiredCapacity", 400,
                FK_ERR_XML("ScalingActivityInProgress",
                           "Scaling activity abc is in progress and blocks "
                           "this action."),
                -1);
    aws_client *c = client_on(&f, &s);
    aws_error e;
    assert_int_equal(aws_set_desired(c, "ecsDemandBackupGroup", 2, 1, &e), -1);
    assert_int_equal(e.attempts, 1);
    assert_int_equal(s.n, 0);
    assert_string_equal(e.code, "ScalingActivityInProgress");
    assert_string_equal(e.msg, "autoscaling SetDesiredCapacity: "
                               "ScalingActivityInProgress: Scaling activity "
                               "abc is in progress and blocks this action. "
                               "(RequestId req-42)");
    /* A malformed 2xx is not retried either: it is not transient. */
    f.nrules = 0;
    fk_rule_add(&f, NULL, 200, "<SetDesiredCapacityResponse", -1);
    assert_int_equal(aws_set_desired(c, "ecsDemandBackupGroup", 2, 1, &e), -1);
    assert_int_equal(e.attempts, 1);
    assert_non_null(strstr(e.msg, "malformed XML"));
    assert_non_null(strstr(e.msg, "may have been applied"));
    aws_client_free(c);
}

static void expired_token_refetches(void **st) {
    (void)st;
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds",
           1);
    fk_fake f = {0};
    fk_sleeps s = {0};
    fk_rule_add(&f, "/creds", 200,
                "{\"AccessKeyId\": \"AKIDOLD\", \"SecretAccessKey\": \"s1\", "
                "\"Token\": \"t1\", \"Expiration\": \"2099-01-01T00:00:00Z\"}",
                1);
    fk_rule_add(&f, "/creds", 200,
                "{\"AccessKeyId\": \"AKIDNEW\", \"SecretAccessKey\": \"s2\", "
                "\"Token\": \"t2\", \"Expiration\": \"2099-01-01T00:00:00Z\"}",
                -1);
    fk_rule_add(&f, "DescribeAutoScalingGroups", 400,
                FK_ERR_XML("ExpiredToken",
                           "The security token included in the request is "
                           "expired"),
                1);
    fk_rule_add(&f, "DescribeAutoScalingGroups", 200, FK_ASG_XML, -1);
    aws_client *c = client_on(&f, &s);
    pol_asg a;
    aws_error e;
    assert_int_equal(aws_describe_asg(c, "ecsDemandBackupGroup", &a, &e), 0);
    assert_int_equal(fk_count(&f, "/creds"), 2);
    assert_string_equal(f.reqs[1].access_key, "AKIDOLD");
    assert_string_equal(f.reqs[3].access_key, "AKIDNEW");
    aws_client_free(c);
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
}

static void requests_as_documented(void **st) {
    (void)st;
    fk_fake f = {0};
    fk_sleeps s = {0};
    fk_rule_add(&f, "GetMetricStatistics", 200, FK_METRIC_XML, -1);
    fk_rule_add(&f, "SetDesiredCapacity", 200, FK_SET_XML, -1);
    aws_client *c = client_on(&f, &s);
    pol_point *p;
    size_t n;
    aws_error e;
    assert_int_equal(aws_get_metric(c, "sfr-1234", POL_PENDING,
                                    1488369600LL - 600, 1488369600LL, &p, &n,
                                    &e),
                     0);
    assert_int_equal(n, 3);
    free(p);
    const fk_req *r = &f.reqs[0];
    assert_string_equal(r->method, "POST");
    assert_string_equal(r->url, "http://127.0.0.1:1/");
    assert_string_equal(r->sigv4, "aws:amz:us-east-1:monitoring");
    assert_non_null(strstr(r->headers, "Content-Type: application/"
                                       "x-www-form-urlencoded; charset=utf-8"));
    assert_string_equal(
        r->body, "Action=GetMetricStatistics&Version=2010-08-01&"
                 "Namespace=AWS%2FEC2Spot&MetricName=PendingCapacity&"
                 "Dimensions.member.1.Name=FleetRequestId&"
                 "Dimensions.member.1.Value=sfr-1234&"
                 "StartTime=2017-03-01T11%3A50%3A00Z&"
                 "EndTime=2017-03-01T12%3A00%3A00Z&Period=60&"
                 "Statistics.member.1=Maximum");
    assert_int_equal(aws_set_desired(c, "my group", 8, 0, &e), 0);
    r = &f.reqs[1];
    assert_string_equal(r->url, "http://127.0.0.1:2/");
    assert_string_equal(r->sigv4, "aws:amz:us-east-1:autoscaling");
    assert_string_equal(r->body, "Action=SetDesiredCapacity&Version=2011-01-01"
                                 "&AutoScalingGroupName=my%20group&"
                                 "DesiredCapacity=8&HonorCooldown=false");
    aws_client_free(c);
}

static void retry_scale_env(void **st) {
    (void)st;
    /* SPOTBENCH_RETRY_SCALE=0 makes the default sleep instant. */
    setenv("SPOTBENCH_RETRY_SCALE", "0", 1);
    fk_fake f = {0};
    aws_opts o;
    memset(&o, 0, sizeof o);
    o.region = "us-east-1";
    o.transport = fk_transport;
    o.transport_ctx = &f;
    fk_rule_add(&f, NULL, 400, FK_ERR_XML("Throttling", "slow down"), -1);
    aws_client *c;
    char err[256];
    assert_int_equal(aws_client_new(&o, &c, err, sizeof err), 0);
    pol_asg a;
    aws_error e;
    assert_int_equal(aws_describe_asg(c, "g", &a, &e), -1);
    assert_int_equal(e.attempts, 3);
    aws_client_free(c);
    setenv("SPOTBENCH_RETRY_SCALE", "fast", 1);
    assert_int_equal(aws_client_new(&o, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "SPOTBENCH_RETRY_SCALE"));
    unsetenv("SPOTBENCH_RETRY_SCALE");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classification),
        cmocka_unit_test(backoff_bounds),
        cmocka_unit_test_setup(throttled_then_succeeds, setup),
        cmocka_unit_test_setup(gives_up_after_three, setup),
        cmocka_unit_test_setup(client_errors_are_final, setup),
        cmocka_unit_test_setup(expired_token_refetches, setup),
        cmocka_unit_test_setup(requests_as_documented, setup),
        cmocka_unit_test_setup(retry_scale_env, setup),
    };
    return cmocka_run_group_tests_name("aws_retry", tests, NULL,
                                       fk_remove_home);
}
