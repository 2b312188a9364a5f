/*
** test_obsjson.c: the policy eval JSON Lines reader and writer, and
** ISO-8601 time conversion.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "traces/traces.h"

static void time_parse_known_values(void **st) {
    (void)st;
    int64_t t;
    /* 2017-03-01T12:00:00Z: 17226 days after 1970-01-01 (47 years with 12
    ** leap days = 17167, plus Jan 31 + Feb 28 = 59) -> 17226*86400 + 43200. */
    assert_int_equal(trc_time_parse("2017-03-01T12:00:00Z", &t), 0);
    assert_int_equal(t, 17226LL * 86400 + 43200);
    assert_int_equal(t, 1488369600LL);
    assert_int_equal(trc_time_parse("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(trc_time_parse("2016-02-29T23:59:59+00:00", &t), 0);
    assert_int_equal(t, 1456790399LL);
    assert_int_equal(trc_time_parse("2021-05-31 10:00:00.123Z", &t), 0);
    assert_int_equal(t, 1622455200LL);
}

static void time_parse_rejects(void **st) {
    (void)st;
    int64_t t;
    const char *bad[] = {"2017-02-29T00:00:00Z", "2017-03-01T12:00:00",
                         "2017-03-01T24:00:00Z", "2017-3-01T12:00:00Z",
                         "2017-03-01T12:00:00+01:00", "yesterday",
                         "2017-03-01T12:00:00Zx", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (trc_time_parse(bad[i], &t) == 0) fail_msg("accepted '%s'", bad[i]);
}

static void time_format_round_trips(void **st) {
    (void)st;
    char buf[32];
    trc_time_format(1488369600LL, buf, sizeof buf);
    assert_string_equal(buf, "2017-03-01T12:00:00Z");
    for (int64_t t = -86400 * 400; t < 86400LL * 365 * 200; t += 86400 * 37 + 3607) {
        int64_t back;
        trc_time_format(t, buf, sizeof buf);
        assert_int_equal(trc_time_parse(buf, &back), 0);
        assert_int_equal(back, t);
    }
}

static void parses_the_documented_example(void **st) {
    (void)st;
    trc_obsbuf b = {0};
    pol_obs o;
    char err[256];
    const char *line =
        "{\"now\": 1488369600,\n \"metrics\": {\"TargetCapacity\": "
        "[[1488369000, 32], [1488369060, 32], [1488369540, 32]],\n"
        "\"PendingCapacity\": [[1488369540, 8]]},\n \"failed\": "
        "[\"FulfilledCapacity\"],\n \"asg\": {\"DesiredCapacity\": 0, "
        "\"MinSize\": 0, \"MaxSize\": 200, \"InService\": 0}}\n";
    assert_int_equal(trc_obs_parse(line, &b, &o, err, sizeof err), 0);
    assert_int_equal(o.now, 1488369600LL);
    assert_int_equal(o.m[POL_TARGET].n, 3);
    assert_int_equal(o.m[POL_TARGET].pts[2].t, 1488369540LL);
    assert_true(o.m[POL_TARGET].pts[2].v == 32);
    assert_int_equal(o.m[POL_PENDING].n, 1);
    assert_true(o.m[POL_PENDING].pts[0].v == 8);
    assert_int_equal(o.m[POL_FULFILLED].failed, 1);
    assert_int_equal(o.m[POL_TERMINATING].n, 0);
    assert_int_equal(o.m[POL_TERMINATING].failed, 0);
    assert_int_equal(o.asg.known, 1);
    assert_int_equal(o.asg.max_size, 200);
    assert_int_equal(pol_obs_check(&o, err, sizeof err), 0);
    trc_obsbuf_free(&b);
}

static void iso_times_null_asg_unsorted_points(void **st) {
    (void)st;
    trc_obsbuf b = {0};
    pol_obs o;
    char err[256];
    const char *line =
        "{\"asg\": null, \"now\": \"2017-03-01T12:00:00Z\", \"metrics\": "
        "{\"PendingCapacity\": [[\"2017-03-01T11:59:00Z\", 2.5e1], "
        "[1488369480, 4]]}}";
    assert_int_equal(trc_obs_parse(line, &b, &o, err, sizeof err), 0);
    assert_int_equal(o.now, 1488369600LL);
    assert_int_equal(o.asg.known, 0);
    assert_int_equal(o.m[POL_PENDING].n, 2);
    assert_int_equal(o.m[POL_PENDING].pts[0].t, 1488369480LL); /* sorted */
    assert_true(o.m[POL_PENDING].pts[0].v == 4);
    assert_true(o.m[POL_PENDING].pts[1].v == 25);
    trc_obsbuf_free(&b);
}

/* Epoch seconds of every length up to the reader's 15 digits are read
** exactly whatever their place in the line, the end of the line included
** (each line in a buffer of exactly its size, so that a read past its end
** shows under AddressSanitizer); 16 digits, a leading zero and a fraction
** are still refused. The expected values are built digit by digit here. */
static void epoch_seconds_of_every_length(void **st) {
    (void)st;
    trc_obsbuf b = {0};
    pol_obs o;
    char err[256];
    for (int len = 1; len <= 16; len++) {
        char digits[20];
        long long want = 0;
        for (int i = 0; i < len; i++) {
            digits[i] = (char)('1' + (i * 7) % 9);
            want = want * 10 + (digits[i] - '0');
        }
        digits[len] = '\0';
        char text[128];
        int n = snprintf(text, sizeof text, "{\"asg\": null, \"now\": %s}", digits);
        char *line = malloc((size_t)n + 1);
        assert_non_null(line);
        memcpy(line, text, (size_t)n + 1);
        int rc = trc_obs_parse(line, &b, &o, err, sizeof err);
        if (len <= 12) { /* up to year 9999: 253402300799 */
            assert_int_equal(rc, 0);
            assert_int_equal(o.now, want);
        } else {
            assert_int_equal(rc, -1);
        }
        /* Cut right after the digits: a truncated line, and nothing read
        ** past its end. */
        n = snprintf(text, sizeof text, "{\"asg\": null, \"now\": %s", digits);
        memcpy(line, text, (size_t)n + 1);
        assert_int_equal(trc_obs_parse(line, &b, &o, err, sizeof err), -1);
        free(line);
    }
    static const char *const bad[] = {"{\"asg\": null, \"now\": 014883696}",
                                      "{\"asg\": null, \"now\": 1488369600.5}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(trc_obs_parse(bad[i], &b, &o, err, sizeof err), -1);
    trc_obsbuf_free(&b);
}

static void rejects_with_field_names(void **st) {
    (void)st;
    static const struct { const char *line, *msg; } cases[] = {
        {"{\"now\": 1, \"asg\": null, \"metrics\": {\"Bogus\": []}}",
         "metrics.Bogus: unknown metric"},
        {"{\"now\": 1, \"asg\": null, \"extra\": 1}", "extra: unknown field"},
        {"{\"now\": 1, \"asg\": null, \"metrics\": {\"TargetCapacity\": "
         "[[60, 1], [60, 2]]}}",
         "metrics.TargetCapacity: two datapoints with Timestamp "
         "1970-01-01T00:01:00Z"},
        {"{\"now\": 1, \"asg\": null, \"metrics\": {\"TargetCapacity\": "
         "[[60, \"NaN\"]]}}",
         "metrics.TargetCapacity[0]: expected a number"},
        {"{\"now\": 1, \"asg\": null, \"metrics\": {\"TargetCapacity\": "
         "[[60, -1]]}}",
         "metrics.TargetCapacity[0]: value must be >= 0"},
        {"{\"now\": 1, \"asg\": null, \"metrics\": {\"TargetCapacity\": "
         "[[60, 1]", "unexpected end of line"},
        {"{\"now\": 1.5, \"asg\": null}", "now: epoch seconds must be a whole"},
        {"{\"now\": \"2017-13-01T00:00:00Z\", \"asg\": null}",
         "now: not an ISO-8601 UTC time"},
        {"{\"asg\": null}", "now: missing"},
        {"{\"now\": 1}", "asg: missing"},
        {"{\"now\": 1, \"asg\": {\"DesiredCapacity\": 1, \"MinSize\": 0}}",
         "asg.MaxSize: missing"},
        {"{\"now\": 1, \"asg\": {\"DesiredCapacity\": -1, \"MinSize\": 0, "
         "\"MaxSize\": 1}}",
         "asg.DesiredCapacity: must be a whole number >= 0"},
        {"{\"now\": 1, \"asg\": {\"DesiredCapacity\": 1, \"MinSize\": 3, "
         "\"MaxSize\": 2}}",
         "asg.MinSize: is above MaxSize"},
        {"{\"now\": 1, \"asg\": {\"Desired\": 1}}", "asg.Desired: unknown field"},
        {"{\"now\": 1, \"asg\": null, \"failed\": [\"X\"]}",
         "failed[0]: unknown metric"},
        {"{\"now\": 1, \"asg\": null, \"failed\": [\"TargetCapacity\"], "
         "\"metrics\": {\"TargetCapacity\": [[0, 1]]}}",
         "metrics.TargetCapacity: has datapoints but is listed in failed"},
        {"{\"now\": 1, \"asg\": null} x", "trailing characters"},
        {"[1]", "expected a JSON object"},
        {"{\"now\": 1, \"now\": 2, \"asg\": null}", "now: given twice"},
        {"{\"now\": 1, \"asg\": null, \"metrics\": {\"TargetCapacity\": "
         "[[0, 0x10]]}}",
         "metrics.TargetCapacity[0]: expected ']' after the value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        trc_obsbuf b = {0};
        pol_obs o;
        char err[256] = "";
        int rc = trc_obs_parse(cases[i].line, &b, &o, err, sizeof err);
        trc_obsbuf_free(&b);
        if (rc != -1 || !strstr(err, cases[i].msg))
            fail_msg("case %zu: rc %d, err '%s', wanted '%s'", i, rc, err,
                     cases[i].msg);
    }
}

static void obs_format_round_trips(void **st) {
    (void)st;
    trc_obsbuf b = {0}, b2 = {0};
    pol_obs o, o2;
    char err[256];
    const char *line =
        "{\"now\": 1000, \"metrics\": {\"TargetCapacity\": [[0, 32], [60, "
        "32.5]], \"TerminatingCapacity\": [[60, 0.1]]}, \"failed\": "
        "[\"PendingCapacity\"], \"asg\": {\"DesiredCapacity\": 3, "
        "\"MinSize\": 1, \"MaxSize\": 9, \"InService\": 2}}";
    assert_int_equal(trc_obs_parse(line, &b, &o, err, sizeof err), 0);
    char *s = trc_obs_format(&o);
    assert_non_null(s);
    assert_int_equal(trc_obs_parse(s, &b2, &o2, err, sizeof err), 0);
    free(s);
    assert_int_equal(o2.now, 1000);
    assert_int_equal(o2.m[POL_TARGET].n, 2);
    assert_true(o2.m[POL_TARGET].pts[1].v == 32.5);
    assert_true(o2.m[POL_TERMINATING].pts[0].v == 0.1);
    assert_int_equal(o2.m[POL_PENDING].failed, 1);
    assert_int_equal(o2.asg.in_service, 2);
    assert_int_equal(o2.asg.min_size, 1);
    trc_obsbuf_free(&b);
    trc_obsbuf_free(&b2);
}

static void decision_format_escapes(void **st) {
    (void)st;
    pol_decision d = {0, POL_ACT_SET, 4, 1, "say \"hi\"\\ now\n", 0};
    char buf[256];
    trc_decision_format(buf, sizeof buf, 60, &d);
    assert_string_equal(buf,
                        "{\"now\": 60, \"action\": \"set\", "
                        "\"DesiredCapacity\": 4, \"HonorCooldown\": true, "
                        "\"reason\": \"say \\\"hi\\\"\\\\ now\\u000a\"}");
    pol_decision n = {0, POL_ACT_NONE, 0, 0, "x", 0};
    int len = trc_decision_format(buf, 10, 5, &n);
    assert_int_equal(len, (int)strlen("{\"now\": 5, \"action\": \"none\", "
                                      "\"reason\": \"x\"}"));
    assert_int_equal(strlen(buf), 9); /* truncated, terminated */
}

/* JSON text is UTF-8: bytes that are not become U+FFFD, valid sequences
** pass as they are, quotes and control characters are escaped. */
static void json_escape_keeps_json_valid(void **st) {
    (void)st;
    char buf[64];
    size_t n = trc_json_escape(buf, sizeof buf, "caf\xc3\xa9 \xe9t\xe9 \"q\"\n\xf0\x9f");
    assert_string_equal(buf, "caf\xc3\xa9 \\ufffdt\\ufffd \\\"q\\\"\\u000a\\ufffd\\ufffd");
    assert_int_equal(n, strlen(buf));
}

/* The one unescaping rule both JSON readers use: the one-character
** escapes, "\\u" ASCII as itself and anything else as '?', and the first
** character that is not a hex digit ends a "\\u" (never read past). */
static void json_unescape_rule(void **st) {
    (void)st;
    const char *in = "\"\\/bfnrt", *out = "\"\\/\b\f\n\r\t";
    for (size_t i = 0; in[i]; i++) assert_int_equal(trc_json_unescape(in[i]), out[i]);
    assert_int_equal(trc_json_unescape('u'), -1);
    assert_int_equal(trc_json_unescape('q'), -1);
    assert_int_equal(trc_json_unescape(-1), -1);
    assert_int_equal(trc_json_unescape_u("006F"), 'o');
    assert_int_equal(trc_json_unescape_u("007f"), 0x7f);
    assert_int_equal(trc_json_unescape_u("00e9"), '?');
    assert_int_equal(trc_json_unescape_u("12"), -1); /* ends at the NUL */
    assert_int_equal(trc_json_unescape_u("12g4"), -1);
    assert_int_equal(trc_json_hexdigit('F'), 15);
    assert_int_equal(trc_json_hexdigit(-1), -1);
    /* In a line: an escaped key reads as the key. */
    trc_obsbuf b = {0};
    pol_obs o;
    char err[256];
    assert_int_equal(trc_obs_parse("{\"n\\u006fw\": 60, \"period\": 60, \"metrics\": {}, "
                                   "\"asg\": null}",
                                   &b, &o, err, sizeof err),
                     0);
    assert_int_equal(o.now, 60);
    assert_int_equal(trc_obs_parse("{\"now\\q\": 60}", &b, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad escape"));
    trc_obsbuf_free(&b);
}

/* The failed launches an observation carries: read (epoch or ISO),
** sorted, written back; null or absent: no source, none written. */
static void launch_failures_round_trip(void **st) {
    (void)st;
    trc_obsbuf b = {0}, b2 = {0};
    pol_obs o, o2;
    char err[256];
    const char *line = "{\"now\": 1488369600, \"asg\": null, \"launch_failures\": "
                       "[1488369590, \"2017-03-01T11:55:00Z\"]}";
    assert_int_equal(trc_obs_parse(line, &b, &o, err, sizeof err), 0);
    assert_int_equal(o.launch_failures.known, 1);
    assert_int_equal(o.launch_failures.n, 2);
    assert_int_equal(o.launch_failures.t[0], 1488369300LL);
    assert_int_equal(o.launch_failures.t[1], 1488369590LL);
    /* (1488369300, now]: both; after 1488369300: one. */
    assert_int_equal(pol_launch_failures_in(&o.launch_failures, 1488369000, o.now), 2);
    assert_int_equal(pol_launch_failures_in(&o.launch_failures, 1488369300, o.now), 1);
    assert_int_equal(pol_obs_check(&o, err, sizeof err), 0);
    char *out = trc_obs_format(&o);
    assert_non_null(strstr(out, "\"launch_failures\": [1488369300, 1488369590]"));
    assert_int_equal(trc_obs_parse(out, &b2, &o2, err, sizeof err), 0);
    assert_int_equal(o2.launch_failures.n, 2);
    free(out);
    assert_int_equal(trc_obs_parse("{\"now\": 1, \"asg\": null, \"launch_failures\": []}",
                                   &b, &o, err, sizeof err),
                     0);
    assert_int_equal(o.launch_failures.known, 1);
    out = trc_obs_format(&o);
    assert_non_null(strstr(out, "\"launch_failures\": []"));
    free(out);
    assert_int_equal(trc_obs_parse("{\"now\": 1, \"asg\": null, \"launch_failures\": null}",
                                   &b, &o, err, sizeof err),
                     0);
    assert_int_equal(o.launch_failures.known, 0);
    out = trc_obs_format(&o);
    assert_null(strstr(out, "launch_failures"));
    free(out);
    assert_int_equal(trc_obs_parse("{\"now\": 1, \"asg\": null, \"launch_failures\": "
                                   "[\"soon\"]}",
                                   &b, &o, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "launch_failures"));
    trc_obsbuf_free(&b);
    trc_obsbuf_free(&b2);
}

/* The events an observation carries: read, sorted, checked, written back. */
static void events_round_trip(void **st) {
    (void)st;
    trc_obsbuf b = {0};
    pol_obs o, o2;
    char err[256];
    const char *line =
        "{\"now\": 1488369600, \"metrics\": {}, \"asg\": null, \"events\": "
        "{\"since\": 1488369540, \"InterruptionWarnings\": [[1488369590, 4], "
        "[\"2017-03-01T11:59:30Z\", 8]], \"RebalanceRecommendations\": []}}";
    assert_int_equal(trc_obs_parse(line, &b, &o, err, sizeof err), 0);
    assert_int_equal(o.events.known, 1);
    assert_int_equal(o.events.since, 1488369540LL);
    assert_int_equal(o.events.n[POL_EV_WARNING], 2);
    /* Sorted: 11:59:30 (1488369570) before 1488369590. */
    assert_int_equal(o.events.ev[POL_EV_WARNING][0].t, 1488369570LL);
    assert_int_equal(o.events.n[POL_EV_REBALANCE], 0);
    double u = 0;
    /* Since the last invocation (1488369540): both, 4 + 8 = 12 units. */
    assert_int_equal(pol_events_in(&o.events, POL_EV_WARNING, o.events.since, o.now, &u), 2);
    assert_true(u == 12);
    assert_int_equal(pol_obs_check(&o, err, sizeof err), 0);
    char *out = trc_obs_format(&o);
    assert_non_null(out);
    trc_obsbuf b2 = {0};
    assert_int_equal(trc_obs_parse(out, &b2, &o2, err, sizeof err), 0);
    assert_int_equal(o2.events.n[POL_EV_WARNING], 2);
    assert_int_equal(o2.events.ev[POL_EV_WARNING][1].t, 1488369590LL);
    assert_true(o2.events.ev[POL_EV_WARNING][1].v == 4);
    assert_int_equal(o2.events.since, 1488369540LL);
    free(out);
    /* Absent or null: no event source, and none written back. */
    assert_int_equal(trc_obs_parse("{\"now\": 1, \"asg\": null, \"events\": null}", &b,
                                   &o, err, sizeof err),
                     0);
    assert_int_equal(o.events.known, 0);
    out = trc_obs_format(&o);
    assert_null(strstr(out, "events"));
    free(out);
    assert_int_equal(trc_obs_parse("{\"now\": 1, \"asg\": null, \"events\": "
                                   "{\"InterruptionWarnings\": [[1, -4]]}}",
                                   &b, &o, err, sizeof err),
                     -1);
    assert_string_equal(err, "events.InterruptionWarnings[0]: units must be >= 0");
    assert_int_equal(trc_obs_parse("{\"now\": 1, \"asg\": null, \"events\": "
                                   "{\"Warnings\": []}}",
                                   &b, &o, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "events.Warnings: unknown field"));
    trc_obsbuf_free(&b);
    trc_obsbuf_free(&b2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_escape_keeps_json_valid),
        cmocka_unit_test(json_unescape_rule),
        cmocka_unit_test(time_parse_known_values),
        cmocka_unit_test(time_parse_rejects),
        cmocka_unit_test(time_format_round_trips),
        cmocka_unit_test(parses_the_documented_example),
        cmocka_unit_test(iso_times_null_asg_unsorted_points),
        cmocka_unit_test(rejects_with_field_names),
        cmocka_unit_test(epoch_seconds_of_every_length),
        cmocka_unit_test(obs_format_round_trips),
        cmocka_unit_test(events_round_trip),
        cmocka_unit_test(launch_failures_round_trip),
        cmocka_unit_test(decision_format_escapes),
    };
    return cmocka_run_group_tests_name("obsjson", tests, NULL, NULL);
}
