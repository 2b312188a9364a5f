/*
** test_aws_xml.c: reading canned AWS responses: each call's success shape,
** both error document shapes, and malformed or unexpected XML. libxml2 is
** loaded once for the group (aws_xml_open) and handed to every test.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "aws_fake.h"

#define L(s) (s), strlen(s)

static int open_xml(void **st) {
    char err[512];
    if (!(*st = aws_xml_open(AWS_XML_SONAME, err, sizeof err))) {
        print_error("%s\n", err);
        return -1;
    }
    return 0;
}

static int close_xml(void **st) {
    aws_xml_close(*st);
    return 0;
}

static void metric_datapoints_sorted(void **st) {
    const aws_xml *x = *st;
    pol_point *p;
    size_t n;
    char err[256];
    assert_int_equal(aws_xml_metric(x, L(FK_METRIC_XML), &p, &n, err, sizeof err),
                     0);
    assert_int_equal(n, 3);
    /* 11:57, 11:58 (with fractional seconds), 11:59 */
    assert_int_equal(p[0].t, 1488369600LL - 180);
    assert_true(p[0].v == 4);
    assert_int_equal(p[1].t, 1488369600LL - 120);
    assert_true(p[1].v == 6);
    assert_int_equal(p[2].t, 1488369600LL - 60);
    assert_true(p[2].v == 8);
    free(p);

    assert_int_equal(
        aws_xml_metric(x, L(FK_METRIC_EMPTY_XML), &p, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    assert_null(p);
}

static void metric_rejects_bad_datapoints(void **st) {
    const aws_xml *x = *st;
    pol_point *p;
    size_t n;
    char err[256];
    const char *dup =
        "<GetMetricStatisticsResponse><GetMetricStatisticsResult><Datapoints>"
        "<member><Timestamp>2017-03-01T11:59:00Z</Timestamp><Maximum>1"
        "</Maximum></member><member><Timestamp>2017-03-01T11:59:00Z"
        "</Timestamp><Maximum>2</Maximum></member></Datapoints>"
        "</GetMetricStatisticsResult></GetMetricStatisticsResponse>";
    assert_int_equal(aws_xml_metric(x, L(dup), &p, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "two datapoints with Timestamp "
                                "2017-03-01T11:59:00Z"));
    const char *nomax =
        "<GetMetricStatisticsResponse><GetMetricStatisticsResult><Datapoints>"
        "<member><Timestamp>2017-03-01T11:59:00Z</Timestamp><Average>1"
        "</Average></member></Datapoints></GetMetricStatisticsResult>"
        "</GetMetricStatisticsResponse>";
    assert_int_equal(aws_xml_metric(x, L(nomax), &p, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "Maximum"));
    const char *neg =
        "<GetMetricStatisticsResponse><GetMetricStatisticsResult><Datapoints>"
        "<member><Timestamp>2017-03-01T11:59:00Z</Timestamp><Maximum>-1"
        "</Maximum></member></Datapoints></GetMetricStatisticsResult>"
        "</GetMetricStatisticsResponse>";
    assert_int_equal(aws_xml_metric(x, L(neg), &p, &n, err, sizeof err), -1);
    const char *badtime =
        "<GetMetricStatisticsResponse><GetMetricStatisticsResult><Datapoints>"
        "<member><Timestamp>yesterday</Timestamp><Maximum>1</Maximum>"
        "</member></Datapoints></GetMetricStatisticsResult>"
        "</GetMetricStatisticsResponse>";
    assert_int_equal(aws_xml_metric(x, L(badtime), &p, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "Timestamp"));
    /* A response of another call is not a metric. */
    assert_int_equal(aws_xml_metric(x, L(FK_ASG_XML), &p, &n, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "<DescribeAutoScalingGroupsResponse>"));
    const char *nores = "<GetMetricStatisticsResponse/>";
    assert_int_equal(aws_xml_metric(x, L(nores), &p, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "GetMetricStatisticsResult"));
}

static void asg_sizes_and_in_service(void **st) {
    const aws_xml *x = *st;
    pol_asg a;
    char err[256];
    assert_int_equal(aws_xml_asg(x, L(FK_ASG_XML), "ecsDemandBackupGroup", &a, err,
                                 sizeof err),
                     0);
    assert_int_equal(a.known, 1);
    assert_int_equal(a.min_size, 0);
    assert_int_equal(a.max_size, 200);
    assert_int_equal(a.desired, 3);
    assert_int_equal(a.in_service, 2); /* the Pending one does not count */

    assert_int_equal(aws_xml_asg(x, L(FK_ASG_XML), "otherGroup", &a, err,
                                 sizeof err),
                     1);
    assert_int_equal(aws_xml_asg(x, L(FK_ASG_NONE_XML), "ecsDemandBackupGroup", &a,
                                 err, sizeof err),
                     1);
}

static void asg_counts_only_its_instances(void **st) {
    const aws_xml *x = *st;
    /* Members elsewhere in the group (here a made-up list with
    ** LifecycleState children) must not be counted as instances, and a
    ** MaxSize nested deeper must not be read as the group's. */
    const char *xml =
        "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult>"
        "<AutoScalingGroups><member><AutoScalingGroupName>g"
        "</AutoScalingGroupName><WarmPoolConfiguration><MaxSize>99</MaxSize>"
        "</WarmPoolConfiguration><MinSize>1</MinSize><MaxSize>5</MaxSize>"
        "<DesiredCapacity>2</DesiredCapacity><Other><member><LifecycleState>"
        "InService</LifecycleState></member></Other><Instances><member>"
        "<LifecycleState>InService</LifecycleState></member><member>"
        "<LifecycleState>Terminating</LifecycleState></member></Instances>"
        "</member></AutoScalingGroups></DescribeAutoScalingGroupsResult>"
        "</DescribeAutoScalingGroupsResponse>";
    pol_asg a;
    char err[256];
    assert_int_equal(aws_xml_asg(x, L(xml), "g", &a, err, sizeof err), 0);
    assert_int_equal(a.max_size, 5);
    assert_int_equal(a.min_size, 1);
    assert_int_equal(a.in_service, 1);

    const char *bad =
        "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult>"
        "<AutoScalingGroups><member><AutoScalingGroupName>g"
        "</AutoScalingGroupName><MinSize>1</MinSize><MaxSize>five</MaxSize>"
        "<DesiredCapacity>2</DesiredCapacity></member></AutoScalingGroups>"
        "</DescribeAutoScalingGroupsResult></DescribeAutoScalingGroupsResponse>";
    assert_int_equal(aws_xml_asg(x, L(bad), "g", &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "MaxSize"));
}

/* DescribeScalingActivities as AWS documents its shape (the API page's
** example, a namespace, newest first): the Failed activities that speak
** of Spot, each at its EndTime (StartTime without one), sorted; not the
** Successful one nor the failed On-Demand launch. 12:05:02Z = 1488369902,
** 11:55:00Z = 1488369300 (12:00:00Z is 1488369600). */
static void failed_launches(void **st) {
    const aws_xml *x = *st;
    const char *xml =
        "<DescribeScalingActivitiesResponse xmlns=\"https://autoscaling.amazonaws.com/doc/"
        "2011-01-01/\"><DescribeScalingActivitiesResult><Activities>"
        "<member><ActivityId>a</ActivityId><AutoScalingGroupName>g</AutoScalingGroupName>"
        "<StartTime>2017-03-01T12:05:00.312Z</StartTime><EndTime>2017-03-01T12:05:02Z"
        "</EndTime><StatusCode>Failed</StatusCode><StatusMessage>Could not launch Spot "
        "Instances. InsufficientInstanceCapacity - There is no Spot capacity available "
        "that matches your request. Launching EC2 instance failed.</StatusMessage>"
        "<Progress>100</Progress></member>"
        "<member><ActivityId>b</ActivityId><StartTime>2017-03-01T12:01:10Z</StartTime>"
        "<EndTime>2017-03-01T12:01:45Z</EndTime><StatusCode>Successful</StatusCode>"
        "</member>"
        "<member><ActivityId>c</ActivityId><StartTime>2017-03-01T11:58:00Z</StartTime>"
        "<EndTime>2017-03-01T11:58:01Z</EndTime><StatusCode>Failed</StatusCode>"
        "<StatusMessage>Could not launch On-Demand Instances. InsufficientInstanceCapacity"
        "</StatusMessage></member>"
        "<member><ActivityId>d</ActivityId><StartTime>2017-03-01T11:55:00Z</StartTime>"
        "<StatusCode>Failed</StatusCode><StatusMessage>Could not launch Spot Instances. "
        "SpotMaxPriceTooLow - Your Spot request price is lower than the minimum required "
        "Spot request fulfillment price.</StatusMessage></member>"
        "</Activities></DescribeScalingActivitiesResult><ResponseMetadata><RequestId>r"
        "</RequestId></ResponseMetadata></DescribeScalingActivitiesResponse>";
    int64_t *t;
    size_t n;
    char err[256];
    assert_int_equal(aws_xml_failed_launches(x, L(xml), &t, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(t[0], 1488369300LL);
    assert_int_equal(t[1], 1488369902LL);
    free(t);
    /* None at all (what moto answers for a group that never failed). */
    const char *empty = "<DescribeScalingActivitiesResponse><DescribeScalingActivitiesResult>"
                        "<Activities/></DescribeScalingActivitiesResult>"
                        "</DescribeScalingActivitiesResponse>";
    assert_int_equal(aws_xml_failed_launches(x, L(empty), &t, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    assert_null(t);
    /* A Failed Spot activity with no time at all, or another answer. */
    const char *bad = "<DescribeScalingActivitiesResponse><DescribeScalingActivitiesResult>"
                      "<Activities><member><StatusCode>Failed</StatusCode><StatusMessage>"
                      "Could not launch Spot Instances.</StatusMessage></member></Activities>"
                      "</DescribeScalingActivitiesResult></DescribeScalingActivitiesResponse>";
    assert_int_equal(aws_xml_failed_launches(x, L(bad), &t, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "activity 1"));
    assert_int_equal(aws_xml_failed_launches(x, L("<SetDesiredCapacityResponse/>"), &t, &n, err,
                                             sizeof err),
                     -1);
}

static void fleet_state_and_target(void **st) {
    const aws_xml *x = *st;
    aws_fleet f;
    char err[256];
    assert_int_equal(
        aws_xml_fleet(x, L(FK_FLEET_XML), "sfr-123", &f, err, sizeof err), 0);
    assert_string_equal(f.state, "active");
    assert_string_equal(f.activity, "pending_fulfillment");
    assert_int_equal(f.target, 32);
    assert_true(f.fulfilled == 24);
    assert_int_equal(
        aws_xml_fleet(x, L(FK_FLEET_XML), "sfr-other", &f, err, sizeof err), 0);
    assert_string_equal(f.state, "cancelled");
    assert_true(f.fulfilled == -1);
    assert_int_equal(
        aws_xml_fleet(x, L(FK_FLEET_XML), "sfr-none", &f, err, sizeof err), 1);
}

/* The launch specifications' detailed monitoring: 3 listed, one enabled,
** one disabled, one without the element (EC2's default: off). */
static void fleet_monitoring(void **st) {
    const aws_xml *x = *st;
    aws_fleet f;
    char err[256];
    const char *xml =
        "<DescribeSpotFleetRequestsResponse><spotFleetRequestConfigSet><item>"
        "<spotFleetRequestId>sfr-m</spotFleetRequestId>"
        "<spotFleetRequestState>active</spotFleetRequestState>"
        "<spotFleetRequestConfig><targetCapacity>8</targetCapacity><launchSpecifications>"
        "<item><instanceType>c4.xlarge</instanceType>"
        "<monitoring><enabled>true</enabled></monitoring></item>"
        "<item><instanceType>m4.xlarge</instanceType>"
        "<monitoring><enabled>false</enabled></monitoring></item>"
        "<item><instanceType>c5.xlarge</instanceType></item>"
        "</launchSpecifications></spotFleetRequestConfig></item>"
        "</spotFleetRequestConfigSet></DescribeSpotFleetRequestsResponse>";
    assert_int_equal(aws_xml_fleet(x, L(xml), "sfr-m", &f, err, sizeof err), 0);
    assert_int_equal(f.specs, 3);
    assert_int_equal(f.monitored, 1);
    /* No launch specifications (a fleet of launch templates): not known. */
    assert_int_equal(aws_xml_fleet(x, L(FK_FLEET_XML), "sfr-other", &f, err, sizeof err), 0);
    assert_int_equal(f.specs, 0);
    assert_int_equal(f.monitored, 0);
}

/* The generic item reader the event queue uses (sqs.c): the fleet's
** instances, and the weights of its launch specifications and overrides. */
typedef struct {
    char got[8][64];
    int n;
} pairs;

static int add_pair(void *ctx, const char *a, const char *b) {
    pairs *p = ctx;
    if (p->n < 8) snprintf(p->got[p->n++], 64, "%s=%s", a, b);
    return 0;
}

static void items_of_lists(void **st) {
    const aws_xml *x = *st;
    char err[256];
    pairs p = {0};
    const char *inst =
        "<DescribeSpotFleetInstancesResponse><activeInstanceSet>"
        "<item><instanceId>i-1</instanceId><instanceType>c4.xlarge</instanceType></item>"
        "<item><instanceId>i-2</instanceId></item>"
        "</activeInstanceSet><nextToken>abc</nextToken></DescribeSpotFleetInstancesResponse>";
    assert_int_equal(aws_xml_items(x, L(inst), "DescribeSpotFleetInstancesResponse",
                                   "activeInstanceSet", "instanceId", "instanceType", add_pair,
                                   &p, err, sizeof err),
                     0);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.got[0], "i-1=c4.xlarge");
    assert_string_equal(p.got[1], "i-2="); /* an absent child reads "" */
    /* Every list of that name: two overrides lists, one item each. */
    memset(&p, 0, sizeof p);
    const char *fleet =
        "<DescribeSpotFleetRequestsResponse><a><overrides><item><instanceType>m4.large"
        "</instanceType><weightedCapacity>2</weightedCapacity></item></overrides></a>"
        "<b><overrides><item><instanceType>c5.large</instanceType></item></overrides></b>"
        "</DescribeSpotFleetRequestsResponse>";
    assert_int_equal(aws_xml_items(x, L(fleet), "DescribeSpotFleetRequestsResponse",
                                   "overrides", "instanceType", "weightedCapacity", add_pair,
                                   &p, err, sizeof err),
                     0);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.got[0], "m4.large=2");
    assert_string_equal(p.got[1], "c5.large=");
    /* Another root is refused. */
    assert_int_equal(aws_xml_items(x, L(fleet), "DescribeSpotFleetInstancesResponse",
                                   "overrides", "instanceType", "weightedCapacity", add_pair,
                                   &p, err, sizeof err),
                     -1);
}

/* A queue message's body as an event (sqs.c): the two detail-types of
** aws.ec2 with an id and an instance; anything else is not one. */
static void event_bodies(void **st) {
    (void)st;
    char id[96], inst[32];
    int kind = -1;
    const char *w = "{\"id\": \"e1\", \"source\": \"aws.ec2\", \"detail-type\": \"EC2 Spot "
                    "Instance Interruption Warning\", \"detail\": {\"instance-id\": \"i-9\"}}";
    assert_int_equal(aws_evq_parse_event(w, id, sizeof id, inst, sizeof inst, &kind), 1);
    assert_string_equal(id, "e1");
    assert_string_equal(inst, "i-9");
    assert_int_equal(kind, POL_EV_WARNING);
    const char *r = "{\"id\": \"e2\", \"source\": \"aws.ec2\", \"detail-type\": \"EC2 "
                    "Instance Rebalance Recommendation\", \"detail\": {\"instance-id\": \"i-8\"}}";
    assert_int_equal(aws_evq_parse_event(r, id, sizeof id, inst, sizeof inst, &kind), 1);
    assert_int_equal(kind, POL_EV_REBALANCE);
    const char *no[] = {
        "not json", "{}",
        /* another source, another detail-type, no id, no instance */
        "{\"id\": \"e\", \"source\": \"custom\", \"detail-type\": \"EC2 Spot Instance "
        "Interruption Warning\", \"detail\": {\"instance-id\": \"i-9\"}}",
        "{\"id\": \"e\", \"source\": \"aws.ec2\", \"detail-type\": \"EC2 Instance "
        "State-change Notification\", \"detail\": {\"instance-id\": \"i-9\"}}",
        "{\"source\": \"aws.ec2\", \"detail-type\": \"EC2 Spot Instance Interruption "
        "Warning\", \"detail\": {\"instance-id\": \"i-9\"}}",
        "{\"id\": \"e\", \"source\": \"aws.ec2\", \"detail-type\": \"EC2 Spot Instance "
        "Interruption Warning\", \"detail\": {}}",
    };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_int_equal(aws_evq_parse_event(no[i], id, sizeof id, inst, sizeof inst, &kind), 0);
}

static void set_desired_response(void **st) {
    const aws_xml *x = *st;
    char err[256];
    assert_int_equal(aws_xml_expect_root(x, L(FK_SET_XML),
                                         "SetDesiredCapacityResponse", err,
                                         sizeof err),
                     0);
    assert_int_equal(aws_xml_expect_root(x, L(FK_ASG_XML),
                                         "SetDesiredCapacityResponse", err,
                                         sizeof err),
                     -1);
}

static void error_response_shape(void **st) {
    const aws_xml *x = *st;
    aws_err_doc d;
    const char *xml = FK_ERR_XML(
        "ScalingActivityInProgress",
        "Scaling activity 1234 is in progress and blocks this action.");
    assert_int_equal(aws_error_parse(x, L(xml), NULL, &d), 1);
    assert_string_equal(d.code, "ScalingActivityInProgress");
    assert_string_equal(
        d.message, "Scaling activity 1234 is in progress and blocks this action.");
    assert_string_equal(d.request_id, "req-42");
}

static void ec2_error_shape(void **st) {
    const aws_xml *x = *st;
    aws_err_doc d;
    const char *xml = FK_EC2_ERR_XML("RequestLimitExceeded",
                                     "Request limit exceeded.");
    assert_int_equal(aws_error_parse(x, L(xml), NULL, &d), 1);
    assert_string_equal(d.code, "RequestLimitExceeded");
    assert_string_equal(d.message, "Request limit exceeded.");
    assert_string_equal(d.request_id, "ec2-req-7");
    /* A bare <Error> (S3-like) document too. */
    const char *bare = "<Error><Code>AccessDenied</Code><Message>no</Message>"
                       "<RequestId>b1</RequestId></Error>";
    assert_int_equal(aws_error_parse(x, L(bare), NULL, &d), 1);
    assert_string_equal(d.code, "AccessDenied");
    assert_string_equal(d.request_id, "b1");
}

/* moto's Query errors, its IAM denials among them, put Error under an
** Errors element inside ErrorResponse (what `HTTP 403` with no code came
** from); the request id then only comes in a header. */
static void moto_error_shapes(void **st) {
    const aws_xml *x = *st;
    aws_err_doc d;
    const char *xml =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors>"
        "<Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:"
        "user/ctl is not authorized to perform: autoscaling:SetDesiredCapacity"
        "</Message><Type>Sender</Type></Error></Errors></ErrorResponse>";
    const char *hdr = "HTTP/1.1 403 FORBIDDEN\r\nX-Amzn-ErrorType: AccessDenied\r\n"
                      "x-amzn-RequestId: moto-rid-1\r\nContent-Type: text/xml\r\n\r\n";
    assert_int_equal(aws_error_parse(x, L(xml), hdr, &d), 1);
    assert_string_equal(d.code, "AccessDenied");
    assert_string_equal(d.message, "User: arn:aws:iam::123456789012:user/ctl is "
                                   "not authorized to perform: "
                                   "autoscaling:SetDesiredCapacity");
    assert_string_equal(d.request_id, "moto-rid-1");
    /* ... and its JSON errors: __type with or without a namespace prefix. */
    const char *js = "{\"__type\": \"com.amazonaws.x#ValidationException\", "
                     "\"message\": \"bad value\"}";
    assert_int_equal(aws_error_parse(x, L(js), NULL, &d), 1);
    assert_string_equal(d.code, "ValidationException");
    assert_string_equal(d.message, "bad value");
    const char *js2 = "{\"__type\": \"ResourceNotFoundException\", "
                      "\"Message\": \"no such thing\"}";
    assert_int_equal(aws_error_parse(x, L(js2), NULL, &d), 1);
    assert_string_equal(d.code, "ResourceNotFoundException");
    assert_string_equal(d.message, "no such thing");
    /* An HTML error page: the code from X-Amzn-ErrorType, without its
    ** ":http://..." suffix; moto's "UnknownError" is no code. */
    const char *html = "<!doctype html><title>500 Internal Server Error</title>";
    assert_int_equal(
        aws_error_parse(x, L(html), "X-Amzn-ErrorType: Throttling:http://internal."
                                 "amazon.com/coral/com.amazon.coral.availability/\r\n",
                        &d),
        1);
    assert_string_equal(d.code, "Throttling");
    assert_int_equal(aws_error_parse(x, L(html), "X-Amzn-ErrorType: UnknownError\r\n",
                                     &d),
                     0);
    assert_string_equal(d.code, "");
}

static void not_an_error_document(void **st) {
    const aws_xml *x = *st;
    aws_err_doc d;
    assert_int_equal(aws_error_parse(x, L(FK_SET_XML), NULL, &d), 0);
    assert_int_equal(aws_error_parse(x, L("Service Unavailable"), NULL, &d), 0);
    assert_int_equal(aws_error_parse(x, "", 0, NULL, &d), 0);
    assert_string_equal(d.code, "");
    /* An <Error> without a <Code> is not one either. */
    assert_int_equal(aws_error_parse(x, L("<Error><Message>m</Message></Error>"), NULL,
                                     &d),
                     0);
}

static void header_lookup(void **st) {
    (void)st;
    char v[32];
    const char *h = "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id:  abc-1 \r\n"
                    "lambda-runtime-deadline-ms: 1700000000000\r\n\r\n";
    assert_int_equal(aws_http_header(h, "lambda-runtime-aws-request-id", v, sizeof v), 1);
    assert_string_equal(v, "abc-1");
    assert_int_equal(aws_http_header(h, "Lambda-Runtime-Deadline-Ms", v, sizeof v), 1);
    assert_string_equal(v, "1700000000000");
    assert_int_equal(aws_http_header(h, "Lambda-Runtime", v, sizeof v), 0);
    assert_int_equal(aws_http_header(h, "Lambda-Runtime-Deadline-Ms", v, 5), 0);
}

static void malformed_xml(void **st) {
    const aws_xml *x = *st;
    pol_point *p;
    size_t n;
    pol_asg a;
    aws_fleet f;
    char err[256];
    const char *cut = "<GetMetricStatisticsResponse><GetMetricStatisticsResult>"
                      "<Datapoints><member><Timestamp>2017-03-01T11:5";
    assert_int_equal(aws_xml_metric(x, L(cut), &p, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "malformed XML"));
    assert_int_equal(aws_xml_asg(x, L("<a><b></a>"), "g", &a, err, sizeof err),
                     -1);
    assert_int_equal(aws_xml_fleet(x, L("not xml at all"), "x", &f, err,
                                   sizeof err),
                     -1);
    assert_int_equal(aws_xml_fleet(x, "", 0, "x", &f, err, sizeof err), -1);
    assert_non_null(strstr(err, "empty"));
    /* Entities are not expanded and a DTD is refused outright. */
    const char *dtd = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x "
                      "SYSTEM \"file:///etc/passwd\">]><SetDesiredCapacity"
                      "Response>&x;</SetDesiredCapacityResponse>";
    assert_int_equal(aws_xml_expect_root(x, L(dtd), "SetDesiredCapacityResponse",
                                         err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "DTD"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fleet_monitoring),
        cmocka_unit_test(items_of_lists),
        cmocka_unit_test(event_bodies),
        cmocka_unit_test(metric_datapoints_sorted),
        cmocka_unit_test(metric_rejects_bad_datapoints),
        cmocka_unit_test(asg_sizes_and_in_service),
        cmocka_unit_test(asg_counts_only_its_instances),
        cmocka_unit_test(fleet_state_and_target),
        cmocka_unit_test(failed_launches),
        cmocka_unit_test(set_desired_response),
        cmocka_unit_test(error_response_shape),
        cmocka_unit_test(ec2_error_shape),
        cmocka_unit_test(moto_error_shapes),
        cmocka_unit_test(not_an_error_document),
        cmocka_unit_test(header_lookup),
        cmocka_unit_test(malformed_xml),
    };
    return cmocka_run_group_tests_name("aws_xml", tests, open_xml, close_xml);
}
