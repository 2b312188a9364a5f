/*
** test_import.c: the trace import readers (traces/import.c): every format,
** pages, gzip, the product filter, the sort/dedupe rule, the CSV writer,
** the figures, and a malformed input for every error class, checking that
** the message names the file, the record and the field.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "policy/policy.h"
#include "traces/import.h"
#include "traces/traces.h"

#define FIXTURE "tests/fixtures/spot-c4.large-2021-05-30.json"

/* Adds `text` (copied: the reader may write into its buffer). */
static int add(trc_import *im, trc_format f, const char *text, char *err) {
    size_t n = strlen(text);
    char *buf = malloc(n + 1);
    memcpy(buf, text, n + 1);
    int rc = trc_import_add(im, f, "in.json", buf, n, err, 512);
    free(buf);
    return rc;
}

/* The finished import's CSV, malloc'd. */
static char *csv(const trc_import *im) {
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    assert_non_null(f);
    assert_int_equal(trc_import_write_csv(im, f), 0);
    fclose(f);
    return s;
}

/* Expects `text` to fail in format f with exactly `want`. */
static void fails(trc_format f, const char *text, const char *want) {
    trc_import im = {0};
    char err[512];
    assert_int_equal(add(&im, f, text, err), -1);
    assert_string_equal(err, want);
    assert_int_equal(im.n, 0);
    trc_import_free(&im);
}

#define REC(az, prod, price, ts)                                              \
    "{\"AvailabilityZone\": \"" az "\", \"InstanceType\": \"c4.large\", "    \
    "\"ProductDescription\": \"" prod "\", \"SpotPrice\": \"" price "\", "   \
    "\"Timestamp\": \"" ts "\"}"

static void spot_history_filters_sorts_and_dedupes(void **st) {
    (void)st;
    trc_import im = {0};
    char err[512];
    /* Two pages in one file, newest first as AWS gives them. */
    const char *text =
        "{\"SpotPriceHistory\": [\n"
        REC("us-east-1b", "Linux/UNIX", "0.0400", "2021-05-30T12:00:00+00:00") ",\n"
        REC("us-east-1b", "Windows", "0.2000", "2021-05-30T12:00:00+00:00") ",\n"
        REC("us-east-1a", "Linux/UNIX (Amazon VPC)", "0.0310", "2021-05-30T11:00:00.000Z") ",\n"
        REC("us-east-1a", "Linux/UNIX", "0.0300", "2021-05-30T10:00:00Z") "],\n"
        "\"NextToken\": \"abc\"}\n"
        "{\"SpotPriceHistory\": [\n"
        /* same pool and Timestamp, same value: collapses */
        REC("us-east-1a", "Linux/UNIX", "0.0300", "2021-05-30T10:00:00Z") ",\n"
        /* same price as before: unchanged, dropped */
        REC("us-east-1b", "Linux/UNIX", "0.0400", "2021-05-30T09:00:00Z") ",\n"
        REC("us-east-1b", "Linux/UNIX", "0.0400", "2021-05-30T08:00:00Z") "]}\n";
    assert_int_equal(add(&im, TRC_FMT_SPOT_PRICE_HISTORY, text, err), 0);
    assert_int_equal(im.read, 7);
    assert_int_equal(im.filtered, 1);
    assert_int_equal(trc_import_finish(&im, err, sizeof err), 0);
    assert_int_equal(im.dup_same, 1);
    assert_int_equal(im.dup_diff, 0);
    assert_int_equal(im.unchanged, 2);
    assert_int_equal(im.npools, 2);
    char *s = csv(&im);
    assert_string_equal(s, "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n"
                           "2021-05-30T08:00:00Z,c4.large,us-east-1b,0.04\n"
                           "2021-05-30T10:00:00Z,c4.large,us-east-1a,0.03\n"
                           "2021-05-30T11:00:00Z,c4.large,us-east-1a,0.031\n");
    free(s);
    trc_import_free(&im);
}

static void conflicting_records_later_wins(void **st) {
    (void)st;
    trc_import im = {0};
    char err[512];
    assert_int_equal(add(&im, TRC_FMT_SPOT_PRICE_HISTORY,
                         "{\"SpotPriceHistory\": ["
                         REC("us-east-1a", "Linux/UNIX", "0.05", "2021-05-30T10:00:00Z") ","
                         REC("us-east-1a", "Linux/UNIX", "0.06", "2021-05-30T10:00:00Z") "]}",
                         err), 0);
    /* A second file: later in input order still. */
    assert_int_equal(add(&im, TRC_FMT_SPOT_PRICE_HISTORY,
                         "{\"SpotPriceHistory\": ["
                         REC("us-east-1a", "Linux/UNIX", "0.07", "2021-05-30T10:00:00Z") "]}",
                         err), 0);
    assert_int_equal(trc_import_finish(&im, err, sizeof err), 0);
    assert_int_equal(im.dup_diff, 2);
    assert_int_equal(im.n, 1);
    assert_true(im.recs[0].v == 0.07);
    trc_import_free(&im);
}

static void product_option(void **st) {
    (void)st;
    trc_import im = {.product = "Windows"};
    char err[512];
    assert_int_equal(add(&im, TRC_FMT_SPOT_PRICE_HISTORY,
                         "{\"SpotPriceHistory\": ["
                         REC("us-east-1a", "Linux/UNIX", "0.05", "2021-05-30T10:00:00Z") ","
                         REC("us-east-1a", "Windows (Amazon VPC)", "0.2",
                             "2021-05-30T10:00:00Z") ","
                         REC("us-east-1a", "Windows Server", "0.3", "2021-05-30T10:00:00Z") "]}",
                         err), 0);
    assert_int_equal(im.n, 1);
    assert_int_equal(im.filtered, 2);
    trc_import_free(&im);
    /* Everything filtered: finishing says so. */
    trc_import none = {.product = "SUSE Linux"};
    assert_int_equal(add(&none, TRC_FMT_SPOT_PRICE_HISTORY,
                         "{\"SpotPriceHistory\": ["
                         REC("us-east-1a", "Linux/UNIX", "0.05", "2021-05-30T10:00:00Z") "]}",
                         err), 0);
    assert_int_equal(trc_import_finish(&none, err, sizeof err), -1);
    assert_string_equal(err, "no records of the chosen product (all were filtered)");
    trc_import_free(&none);
}

static void spot_history_errors(void **st) {
    (void)st;
    const trc_format F = TRC_FMT_SPOT_PRICE_HISTORY;
    const char *ok = REC("us-east-1a", "Linux/UNIX", "0.05", "2021-05-30T10:00:00Z");
    char text[2048];
    snprintf(text, sizeof text, "{\"SpotPriceHistory\": [%s, %s]}", ok,
             REC("us-east-1a", "Linux/UNIX", "-0.05", "2021-05-30T10:00:00Z"));
    fails(F, text, "in.json: SpotPriceHistory[1].SpotPrice: '-0.05' must be >= 0");
    snprintf(text, sizeof text, "{\"SpotPriceHistory\": [%s, %s]}", ok,
             REC("us-east-1a", "Linux/UNIX", "abc", "2021-05-30T10:00:00Z"));
    fails(F, text, "in.json: SpotPriceHistory[1].SpotPrice: 'abc' is not a number");
    snprintf(text, sizeof text, "{\"SpotPriceHistory\": [%s]}",
             REC("us-east-1a", "Linux/UNIX", "NaN", "2021-05-30T10:00:00Z"));
    fails(F, text, "in.json: SpotPriceHistory[0].SpotPrice: 'NaN' is not a number");
    snprintf(text, sizeof text, "{\"SpotPriceHistory\": [%s]}",
             REC("us-east-1a", "Linux/UNIX", "inf", "2021-05-30T10:00:00Z"));
    fails(F, text, "in.json: SpotPriceHistory[0].SpotPrice: 'inf' is not a number");
    snprintf(text, sizeof text, "{\"SpotPriceHistory\": [%s]}",
             REC("us-east-1a", "Linux/UNIX", "0.05", "2021-05-30 10:00"));
    fails(F, text, "in.json: SpotPriceHistory[0].Timestamp: '2021-05-30 10:00' "
                   "is not an ISO-8601 UTC time");
    snprintf(text, sizeof text, "{\"SpotPriceHistory\": [%s]}",
             REC("us-east-1a", "Linux/UNIX", "0.05", "2021-05-30T10:00:00+02:00"));
    fails(F, text, "in.json: SpotPriceHistory[0].Timestamp: "
                   "'2021-05-30T10:00:00+02:00' is not an ISO-8601 UTC time");
    fails(F, "{\"SpotPriceHistory\": [{\"AvailabilityZone\": \"us-east-1a\", "
             "\"InstanceType\": \"c4.large\", \"SpotPrice\": \"1\", "
             "\"Timestamp\": \"2021-05-30T10:00:00Z\"}]}",
          "in.json: SpotPriceHistory[0].ProductDescription: missing");
    fails(F, "{\"SpotPriceHistory\": [{\"AvailabilityZone\": 3, "
             "\"InstanceType\": \"c4.large\"}]}",
          "in.json: SpotPriceHistory[0].AvailabilityZone: must be a string");
    fails(F, "{\"SpotPriceHistory\": [{\"AvailabilityZone\": \"us-east-1a\", "
             "\"InstanceType\": \"c4.large\", \"ProductDescription\": \"Linux/UNIX\", "
             "\"SpotPrice\": true, \"Timestamp\": \"2021-05-30T10:00:00Z\"}]}",
          "in.json: SpotPriceHistory[0].SpotPrice: must be a string holding a number");
    /* A JSON number is taken as a price too, but never by a cut prefix. */
    trc_import num = {0};
    char e2[512];
    assert_int_equal(add(&num, F, "{\"SpotPriceHistory\": [{\"AvailabilityZone\": "
                                  "\"us-east-1a\", \"InstanceType\": \"c4.large\", "
                                  "\"ProductDescription\": \"Linux/UNIX\", \"SpotPrice\": "
                                  "0.25e-1, \"Timestamp\": \"2021-05-30T10:00:00Z\"}]}",
                         e2), 0);
    assert_true(num.recs[0].v == 0.025);
    trc_import_free(&num);
    char longnum[400];
    memset(longnum, '9', 300);
    longnum[300] = '\0';
    snprintf(text, sizeof text, "{\"SpotPriceHistory\": [{\"AvailabilityZone\": "
             "\"us-east-1a\", \"InstanceType\": \"c4.large\", \"ProductDescription\": "
             "\"Linux/UNIX\", \"SpotPrice\": %s, \"Timestamp\": \"2021-05-30T10:00:00Z\"}]}",
             longnum);
    trc_import ln = {0};
    assert_int_equal(add(&ln, F, text, e2), -1);
    assert_non_null(strstr(e2, "in.json: SpotPriceHistory[0].SpotPrice: '9999"));
    assert_non_null(strstr(e2, "is not a number"));
    trc_import_free(&ln);
    fails(F, "{\"SpotPriceHistory\": [17]}",
          "in.json: SpotPriceHistory[0]: must be an object");
    fails(F, "{\"SpotPriceHistory\": {}}", "in.json: SpotPriceHistory: must be an array");
    fails(F, "{\"Other\": []}", "in.json: SpotPriceHistory: missing");
    /* Truncated JSON: the line where it stops. */
    fails(F, "{\"SpotPriceHistory\": [\n{\"AvailabilityZone\": \"us-east-1a\",\n",
          "in.json:3: invalid JSON: ends too early (truncated?)");
    fails(F, "{\"SpotPriceHistory\": [\n  NaN\n]}", "in.json:2: invalid JSON");
    /* An error on the second page names it. */
    snprintf(text, sizeof text,
             "{\"SpotPriceHistory\": [%s]}\n{\"SpotPriceHistory\": [%s, %s]}", ok,
             ok, REC("us-east-1a", "Linux/UNIX", "x1", "2021-05-30T10:00:00Z"));
    fails(F, text, "in.json: page 2: SpotPriceHistory[1].SpotPrice: 'x1' is not a number");
    fails(F, "  \n", "in.json: empty input");
}

static void failed_input_leaves_import_as_it_was(void **st) {
    (void)st;
    trc_import im = {0};
    char err[512];
    assert_int_equal(add(&im, TRC_FMT_SPOT_PRICE_HISTORY,
                         "{\"SpotPriceHistory\": ["
                         REC("us-east-1a", "Linux/UNIX", "0.05", "2021-05-30T10:00:00Z") "]}",
                         err), 0);
    assert_int_equal(add(&im, TRC_FMT_SPOT_PRICE_HISTORY,
                         "{\"SpotPriceHistory\": ["
                         REC("us-east-1b", "Linux/UNIX", "0.05", "2021-05-30T10:00:00Z") ","
                         REC("us-east-1b", "Linux/UNIX", "bad", "2021-05-30T10:00:00Z") "]}",
                         err), -1);
    assert_int_equal(im.n, 1);
    assert_int_equal(im.npools, 1);
    assert_int_equal(im.read, 1);
    /* Metrics after prices: one CSV cannot hold both. */
    assert_int_equal(add(&im, TRC_FMT_METRIC_STATISTICS,
                         "{\"Label\": \"TargetCapacity\", \"Datapoints\": []}", err), -1);
    assert_string_equal(err, "in.json: holds metrics, but the inputs before it hold prices");
    trc_import_free(&im);
}

static void real_slice_plain_and_gzip(void **st) {
    (void)st;
    char err[512];
    size_t n1, n2;
    char *a = trc_read_file(FIXTURE, &n1, err, sizeof err);
    char *b = trc_read_file(FIXTURE ".gz", &n2, err, sizeof err);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(n1, n2);
    assert_memory_equal(a, b, n1);
    assert_int_equal(trc_detect(FIXTURE, b, n2, err, sizeof err),
                     TRC_FMT_SPOT_PRICE_HISTORY);
    trc_import im = {0};
    assert_int_equal(trc_import_add(&im, TRC_FMT_SPOT_PRICE_HISTORY, FIXTURE, b,
                                    n2, err, sizeof err), 0);
    assert_int_equal(trc_import_finish(&im, err, sizeof err), 0);
    /* 48 records: 14 Linux/UNIX, 34 of other products; 4 of the 14 repeat
    ** their pool's price. */
    assert_int_equal(im.read, 48);
    assert_int_equal(im.filtered, 34);
    assert_int_equal(im.unchanged, 4);
    assert_int_equal(im.n, 10);
    assert_int_equal(im.npools, 6);
    assert_string_equal(im.pools[0].az, "us-east-1a");
    assert_string_equal(im.pools[5].az, "us-east-1f");

    /* Two gzip members in a row read as one stream; a cut one fails. */
    FILE *f = fopen(FIXTURE ".gz", "rb");
    assert_non_null(f);
    unsigned char gz[4096];
    size_t gn = fread(gz, 1, sizeof gz, f);
    fclose(f);
    char path[] = "/tmp/spotbench-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "wb");
    fwrite(gz, 1, gn, f);
    fwrite(gz, 1, gn, f);
    fclose(f);
    size_t n3;
    char *c = trc_read_file(path, &n3, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(n3, 2 * n1);
    free(c);
    f = fopen(path, "wb");
    fwrite(gz, 1, gn / 2, f);
    fclose(f);
    assert_null(trc_read_file(path, &n3, err, sizeof err));
    char want[128];
    snprintf(want, sizeof want, "%s: truncated gzip data", path);
    assert_string_equal(err, want);
    f = fopen(path, "wb");
    fwrite(gz, 1, 12, f);
    fwrite("garbage garbage garbage garbage", 1, 31, f);
    fclose(f);
    assert_null(trc_read_file(path, &n3, err, sizeof err));
    assert_non_null(strstr(err, "corrupt gzip data"));
    remove(path);
    assert_null(trc_read_file("/nonexistent/x.json", &n3, err, sizeof err));
    assert_string_equal(err, "/nonexistent/x.json: No such file or directory");
    free(a);
    free(b);
    trc_import_free(&im);
}

/* The streamed file reader: a document far larger than its 256 KB window
** (tokens cut at every possible place across refills), plain and gzip'd in
** two members, must give what the in-memory reader gives; errors still name
** the element and the line. */
static void streamed_files_match_memory(void **st) {
    (void)st;
    char err[512];
    size_t cap = 1 << 21, n = 0;
    char *text = malloc(cap);
    n += (size_t)snprintf(text + n, cap - n, "{\"NextToken\": {\"a\": [1, \"x\", "
                                             "true, null, {}], \"b\": []},\n"
                                             "\"SpotPriceHistory\": [\n");
    for (int i = 0; i < 5000; i++) {
        char ts[32];
        trc_time_format(1622400000 - 37 * i, ts, sizeof ts);
        n += (size_t)snprintf(
            text + n, cap - n,
            "%s  {\"AvailabilityZone\": \"us-east-1%c\", \"Extra\": [\"\\\"]\", {\"k\": 1e3}],"
            " \"InstanceType\": \"c4.large\", \"ProductDescription\": \"%s\","
            " \"SpotPrice\": \"0.%04d\", \"Timestamp\": \"%s\"}",
            i ? ",\n" : "", 'a' + i % 3, i % 7 ? "Linux/UNIX" : "Windows",
            100 + i % 91, ts);
    }
    n += (size_t)snprintf(text + n, cap - n, "\n]}\n");
    assert_true(n > 3 * (1 << 18) && n < cap);

    trc_import mem = {0};
    char *copy = malloc(n + 1);
    memcpy(copy, text, n + 1);
    assert_int_equal(trc_import_add(&mem, TRC_FMT_SPOT_PRICE_HISTORY, "m", copy,
                                    n, err, sizeof err), 0);
    free(copy);
    assert_int_equal(trc_import_finish(&mem, err, sizeof err), 0);
    char *want = csv(&mem);

    char plain[] = "/tmp/spotbench-plain-XXXXXX", gz[] = "/tmp/spotbench-gz-XXXXXX";
    int fd = mkstemp(plain);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fwrite(text, 1, n, f);
    fclose(f);
    fd = mkstemp(gz);
    assert_true(fd >= 0);
    close(fd);
    char cmd[256];
    /* Two members: the halves compressed separately. */
    snprintf(cmd, sizeof cmd,
             "head -c 400000 %s | gzip -c > %s && tail -c +400001 %s | gzip -c >> %s",
             plain, gz, plain, gz);
    assert_int_equal(system(cmd), 0);
    const char *paths[] = {plain, gz};
    for (int k = 0; k < 2; k++) {
        trc_import im = {0};
        trc_format fmt = TRC_FMT_AUTO;
        assert_int_equal(trc_import_add_file(&im, &fmt, paths[k], err, sizeof err), 0);
        assert_int_equal(fmt, TRC_FMT_SPOT_PRICE_HISTORY);
        assert_int_equal(im.read, 5000);
        assert_int_equal(trc_import_finish(&im, err, sizeof err), 0);
        char *got = csv(&im);
        assert_string_equal(got, want);
        free(got);
        trc_import_free(&im);
    }
    /* A bad record deep in the file: element and field named. */
    char *bad = strstr(text + 3 * (1 << 18), "\"SpotPrice\": \"0.");
    assert_non_null(bad);
    memcpy(bad + 14, "-0.", 3);
    long elem = 0;
    for (const char *q = strstr(text, "\"SpotPriceHistory\""); q < bad; q++)
        elem += strncmp(q, "\"InstanceType\"", 14) == 0;
    f = fopen(plain, "wb");
    fwrite(text, 1, n, f);
    fclose(f);
    trc_import im = {0};
    trc_format fmt = TRC_FMT_SPOT_PRICE_HISTORY;
    assert_int_equal(trc_import_add_file(&im, &fmt, plain, err, sizeof err), -1);
    char wantmsg[256];
    snprintf(wantmsg, sizeof wantmsg, "%s: SpotPriceHistory[%ld].SpotPrice: '-0.", plain,
             elem - 1);
    assert_memory_equal(err, wantmsg, strlen(wantmsg));
    assert_int_equal(im.n, 0);
    /* Cut short: the line where it stops; a cut gzip file says so. */
    f = fopen(plain, "wb");
    fwrite(text, 1, 500000, f);
    fclose(f);
    long lines = 1;
    for (size_t i = 0; i < 500000; i++) lines += text[i] == '\n';
    assert_int_equal(trc_import_add_file(&im, &fmt, plain, err, sizeof err), -1);
    snprintf(wantmsg, sizeof wantmsg, "%s:%ld: invalid JSON: ends too early (truncated?)",
             plain, lines);
    assert_string_equal(err, wantmsg);
    snprintf(cmd, sizeof cmd, "gzip -c %s | head -c 3000 > %s", plain, gz);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(trc_import_add_file(&im, &fmt, gz, err, sizeof err), -1);
    snprintf(wantmsg, sizeof wantmsg, "%s: truncated gzip data", gz);
    assert_string_equal(err, wantmsg);
    assert_int_equal(trc_import_add_file(&im, &fmt, "/nonexistent/y.json", err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/y.json: No such file or directory");
    trc_import_free(&im);
    remove(plain);
    remove(gz);
    free(want);
    free(text);
    trc_import_free(&mem);
}

static void metric_statistics(void **st) {
    (void)st;
    trc_import im = {0};
    char err[512];
    assert_int_equal(add(&im, TRC_FMT_METRIC_STATISTICS,
                         "{\"Label\": \"TargetCapacity\", \"Datapoints\": [\n"
                         " {\"Timestamp\": \"2017-03-01T12:01:00Z\", \"Maximum\": 32.0,"
                         " \"Unit\": \"Count\"},\n"
                         " {\"Timestamp\": \"2017-03-01T12:00:00Z\", \"Maximum\": 32.0,"
                         " \"Unit\": \"Count\"}]}\n"
                         "{\"Label\": \"TargetCapacity\", \"Datapoints\": [\n"
                         " {\"Timestamp\": \"2017-03-01T12:01:00Z\", \"Maximum\": 32.0}]}",
                         err), 0);
    assert_int_equal(add(&im, TRC_FMT_METRIC_STATISTICS,
                         "{\"Label\": \"PendingCapacity\", \"Datapoints\": [\n"
                         " {\"Timestamp\": \"2017-03-01T12:01:00Z\", \"Average\": 8}]}",
                         err), 0);
    assert_int_equal(trc_import_finish(&im, err, sizeof err), 0);
    assert_int_equal(im.dup_same, 1);
    assert_int_equal(im.period, 60);
    char *s = csv(&im);
    assert_string_equal(s, "Timestamp,TargetCapacity,PendingCapacity\n"
                           "2017-03-01T12:00:00Z,32,\n"
                           "2017-03-01T12:01:00Z,32,8\n");
    free(s);
    trc_import_free(&im);

    const trc_format F = TRC_FMT_METRIC_STATISTICS;
    fails(F, "{\"Label\": \"CPUUtilization\", \"Datapoints\": []}",
          "in.json: Label: 'CPUUtilization' is neither an AWS/EC2Spot fleet metric "
          "(TargetCapacity, FulfilledCapacity, PendingCapacity, TerminatingCapacity) "
          "nor an AWS/AutoScaling group metric (GroupDesiredCapacity, "
          "GroupInServiceCapacity, GroupTerminatingCapacity, ...)");
    fails(F, "{\"Datapoints\": []}", "in.json: Label: missing");
    fails(F, "{\"Label\": \"PendingCapacity\", \"Datapoints\": ["
             "{\"Timestamp\": \"2017-03-01T12:00:00Z\", \"Maximum\": 1},"
             "{\"Timestamp\": \"2017-03-01T12:01:00Z\", \"Maximum\": -1}]}",
          "in.json: Datapoints[1].Maximum: -1 must be >= 0");
    fails(F, "{\"Label\": \"PendingCapacity\", \"Datapoints\": ["
             "{\"Timestamp\": \"2017-03-01T12:00:00Z\", \"Maximum\": \"NaN\"}]}",
          "in.json: Datapoints[0].Maximum: must be a number");
    fails(F, "{\"Label\": \"PendingCapacity\", \"Datapoints\": ["
             "{\"Timestamp\": \"2017-03-01T12:00:00Z\", \"Maximum\": 1},"
             "{\"Timestamp\": \"2017-03-01T12:01:00Z\", \"Average\": 1}]}",
          "in.json: Datapoints[1].Maximum: missing");
    fails(F, "{\"Label\": \"PendingCapacity\", \"Datapoints\": ["
             "{\"Timestamp\": \"2017-03-01T12:00:30Z\", \"Maximum\": 1}]}",
          "in.json: Datapoints[0].Timestamp: 2017-03-01T12:00:30Z is not on a "
          "whole minute (periods are 60 or 300 s)");
    fails(F, "{\"Label\": \"PendingCapacity\", \"Datapoints\": ["
             "{\"Timestamp\": \"yesterday\", \"Maximum\": 1}]}",
          "in.json: Datapoints[0].Timestamp: 'yesterday' is not an ISO-8601 UTC time");
    fails(F, "{\"Label\": \"PendingCapacity\", \"Datapoints\": [",
          "in.json:1: invalid JSON: ends too early (truncated?)");
}

static void metric_data_and_period(void **st) {
    (void)st;
    trc_import im = {0};
    char err[512];
    assert_int_equal(add(&im, TRC_FMT_METRIC_DATA,
                         "{\"MetricDataResults\": [\n"
                         " {\"Id\": \"targetCapacity\", \"Label\": \"target\",\n"
                         "  \"Timestamps\": [\"2017-03-01T12:10:00Z\", \"2017-03-01T12:05:00Z\"],\n"
                         "  \"Values\": [32, 32], \"StatusCode\": \"Complete\"},\n"
                         " {\"Id\": \"m2\", \"Label\": \"FulfilledCapacity\",\n"
                         "  \"Timestamps\": [\"2017-03-01T12:10:00Z\", \"2017-03-01T12:05:00Z\"],\n"
                         "  \"Values\": [24, 32.5]}],\n"
                         " \"Messages\": []}",
                         err), 0);
    assert_int_equal(trc_import_finish(&im, err, sizeof err), 0);
    assert_int_equal(im.period, 300);
    char *s = csv(&im);
    assert_string_equal(s, "Timestamp,TargetCapacity,FulfilledCapacity\n"
                           "2017-03-01T12:05:00Z,32,32.5\n"
                           "2017-03-01T12:10:00Z,32,24\n");
    free(s);
    trc_import_free(&im);

    /* A spot Auto Scaling group's: desired, in service and terminating as
    ** the view's TargetCapacity, FulfilledCapacity, TerminatingCapacity
    ** (by Label, or by Id without case); its pending and total capacity
    ** counted, not read (3 records). */
    trc_import g = {0};
    assert_int_equal(add(&g, TRC_FMT_METRIC_DATA,
                         "{\"MetricDataResults\": [\n"
                         " {\"Id\": \"groupDesiredCapacity\", \"Label\": \"d\",\n"
                         "  \"Timestamps\": [\"2017-03-01T12:01:00Z\", \"2017-03-01T12:00:00Z\"],\n"
                         "  \"Values\": [32, 32]},\n"
                         " {\"Id\": \"a\", \"Label\": \"GroupInServiceCapacity\",\n"
                         "  \"Timestamps\": [\"2017-03-01T12:01:00Z\", \"2017-03-01T12:00:00Z\"],\n"
                         "  \"Values\": [20, 32]},\n"
                         " {\"Id\": \"b\", \"Label\": \"GroupTerminatingCapacity\",\n"
                         "  \"Timestamps\": [\"2017-03-01T12:00:00Z\"], \"Values\": [12]},\n"
                         " {\"Id\": \"groupPendingCapacity\", \"Label\": \"p\",\n"
                         "  \"Timestamps\": [\"2017-03-01T12:01:00Z\", \"2017-03-01T12:00:00Z\"],\n"
                         "  \"Values\": [0, 0]},\n"
                         " {\"Id\": \"c\", \"Label\": \"GroupTotalCapacity\",\n"
                         "  \"Timestamps\": [\"2017-03-01T12:00:00Z\"], \"Values\": [44]}]}",
                         err), 0);
    assert_int_equal(trc_import_finish(&g, err, sizeof err), 0);
    assert_int_equal(g.ns, TRC_NS_AUTOSCALING);
    assert_int_equal(g.not_read, 3);
    assert_int_equal(g.period, 60);
    s = csv(&g);
    assert_string_equal(s, "Timestamp,TargetCapacity,FulfilledCapacity,TerminatingCapacity\n"
                           "2017-03-01T12:00:00Z,32,32,12\n"
                           "2017-03-01T12:01:00Z,32,20,\n");
    free(s);
    trc_import_free(&g);

    const trc_format F = TRC_FMT_METRIC_DATA;
    fails(F, "{\"MetricDataResults\": [{\"Id\": \"m1\", \"Label\": \"x\", "
             "\"Timestamps\": [], \"Values\": []}]}",
          "in.json: MetricDataResults[0].Label: 'x' (Id 'm1') is neither an "
          "AWS/EC2Spot fleet metric (TargetCapacity, FulfilledCapacity, "
          "PendingCapacity, TerminatingCapacity) nor an AWS/AutoScaling group "
          "metric (GroupDesiredCapacity, GroupInServiceCapacity, "
          "GroupTerminatingCapacity, ...)");
    /* A group's metrics are the kind-neutral view; GroupPendingCapacity
    ** (launching instances only) is counted, not read; namespaces never mix. */
    fails(F, "{\"MetricDataResults\": [{\"Label\": \"GroupDesiredCapacity\", "
             "\"Timestamps\": [], \"Values\": []}, {\"Label\": \"FulfilledCapacity\", "
             "\"Timestamps\": [], \"Values\": []}]}",
          "in.json: MetricDataResults[1].Label: AWS/EC2Spot and AWS/AutoScaling metrics "
          "in one import: import one Spot Fleet's or one Auto Scaling group's");
    fails(F, "{\"MetricDataResults\": [{\"Label\": \"TargetCapacity\", "
             "\"Timestamps\": [\"2017-03-01T12:05:00Z\"], \"Values\": []}]}",
          "in.json: MetricDataResults[0].Values: 0 values for 1 Timestamps");
    fails(F, "{\"MetricDataResults\": [{\"Label\": \"TargetCapacity\", "
             "\"Timestamps\": [\"2017-03-01T12:05:00Z\", \"2017-03-01T12:06:00Z\"], "
             "\"Values\": [1, -2]}]}",
          "in.json: MetricDataResults[0].Values[1]: -2 must be >= 0");
    fails(F, "{\"MetricDataResults\": [{\"Label\": \"TargetCapacity\", "
             "\"Timestamps\": [12], \"Values\": [1]}]}",
          "in.json: MetricDataResults[0].Timestamps[0]: must be an ISO-8601 UTC "
          "time string");
    fails(F, "{\"MetricDataResults\": [{\"Label\": \"TargetCapacity\", "
             "\"Values\": [1]}]}",
          "in.json: MetricDataResults[0].Timestamps: missing");

    /* Finishing: TargetCapacity and one of Fulfilled/Pending are needed. */
    trc_import t = {0};
    assert_int_equal(add(&t, F, "{\"MetricDataResults\": [{\"Label\": "
                                "\"TargetCapacity\", \"Timestamps\": "
                                "[\"2017-03-01T12:05:00Z\"], \"Values\": [1]}]}",
                         err), 0);
    assert_int_equal(trc_import_finish(&t, err, sizeof err), -1);
    assert_string_equal(err, "neither FulfilledCapacity nor PendingCapacity "
                             "datapoints (a direct-mode metrics CSV needs one of them)");
    trc_import_free(&t);
}

static void policy_eval_lines(void **st) {
    (void)st;
    trc_import im = {0};
    char err[512];
    /* Overlapping windows repeat datapoints; a late datapoint changes one. */
    assert_int_equal(add(&im, TRC_FMT_POLICY_EVAL,
                         "{\"now\": 1488369720, \"metrics\": {\"TargetCapacity\": "
                         "[[1488369600, 32], [1488369660, 32]], \"PendingCapacity\": "
                         "[[1488369660, 8]]}, \"asg\": null}\n"
                         "\n"
                         "{\"now\": 1488369780, \"metrics\": {\"TargetCapacity\": "
                         "[[1488369660, 32], [1488369720, 32]], \"PendingCapacity\": "
                         "[[1488369660, 4], [1488369720, 4]]}, \"failed\": "
                         "[\"FulfilledCapacity\"], \"asg\": null}\n",
                         err), 0);
    assert_int_equal(trc_import_finish(&im, err, sizeof err), 0);
    assert_int_equal(im.dup_same, 1);
    assert_int_equal(im.dup_diff, 1);
    char *s = csv(&im);
    assert_string_equal(s, "Timestamp,TargetCapacity,PendingCapacity\n"
                           "2017-03-01T12:00:00Z,32,\n"
                           "2017-03-01T12:01:00Z,32,4\n"
                           "2017-03-01T12:02:00Z,32,4\n");
    free(s);
    trc_import_free(&im);
    const trc_format F = TRC_FMT_POLICY_EVAL;
    fails(F, "{\"now\": 1, \"asg\": null}\n{\"now\": 2, \"metrics\": "
             "{\"PendingCapacity\": [[60, -1]]}, \"asg\": null}\n",
          "in.json:2: metrics.PendingCapacity[0]: value must be >= 0");
    fails(F, "{\"now\": 1, \"metrics\": {\"PendingCapacity\": [[60, 1]",
          "in.json:1: metrics.PendingCapacity: unexpected end of line (truncated JSON?)");
    fails(F, "{\"now\": 1, \"metrics\": {\"PendingCapacity\": [[61, 1]]}, \"asg\": null}",
          "in.json:1: metrics.PendingCapacity: Timestamp 1970-01-01T00:01:01Z is "
          "not on a whole minute (periods are 60 or 300 s)");
}

static void canonical_csv(void **st) {
    (void)st;
    trc_import im = {0};
    char err[512];
    assert_int_equal(add(&im, TRC_FMT_CSV,
                         "# a comment\n"
                         "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n"
                         "2017-03-01T01:00:00Z,c4.large,us-east-1a,0.2\n"
                         "1488326400,c4.large,us-east-1a,0.1\n",
                         err), 0);
    assert_int_equal(trc_import_finish(&im, err, sizeof err), 0);
    char *s = csv(&im);
    assert_string_equal(s, "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n"
                           "2017-03-01T00:00:00Z,c4.large,us-east-1a,0.1\n"
                           "2017-03-01T01:00:00Z,c4.large,us-east-1a,0.2\n");
    free(s);
    trc_import_free(&im);
    const trc_format F = TRC_FMT_CSV;
    fails(F, "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n"
             "2017-03-01T01:00:00Z,c4.large,us-east-1a,-0.2\n",
          "in.json:2: SpotPrice: must be >= 0");
    fails(F, "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n"
             "2017-03-01T01:00:00Z,c4.large,us-east-1a,nan\n",
          "in.json:2: SpotPrice: 'nan' is not a number");
    fails(F, "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n"
             "2017-03-01T01:00:00Z,,us-east-1a,1\n",
          "in.json:2: InstanceType: is empty");
    fails(F, "Timestamp,TargetCapacity,PendingCapacity\n"
             "2017-03-01T01:00:00Z,32,8\n"
             "2017-03-01T01:00:10Z,32,8\n",
          "in.json:3: Timestamp: '2017-03-01T01:00:10Z' is not on a whole minute "
          "(periods are 60 or 300 s)");
    fails(F, "Timestamp,Demand\n1,2\n",
          "in.json: the header is neither a prices CSV "
          "(Timestamp,InstanceType,AvailabilityZone,SpotPrice) nor a metrics CSV "
          "(Timestamp,TargetCapacity,...)");
}

/* InstanceType and AvailabilityZone values holding ',', '"' or a line
** break come out quoted (RFC 4180), and the CSV reads back to the same
** pools and the very same CSV. */
static void csv_quoting_round_trip(void **st) {
    (void)st;
    trc_import im = {0};
    char err[512];
    const char *json =
        "{\"SpotPriceHistory\": ["
        "{\"AvailabilityZone\": \"us-east-1a\", \"InstanceType\": \"c4,large\", "
        "\"ProductDescription\": \"Linux/UNIX\", \"SpotPrice\": \"0.1\", "
        "\"Timestamp\": \"2017-03-01T00:00:00Z\"},"
        "{\"AvailabilityZone\": \"us \\\"east\\\" 1b\", \"InstanceType\": \" m4\", "
        "\"ProductDescription\": \"Linux/UNIX\", \"SpotPrice\": \"0.2\", "
        "\"Timestamp\": \"2017-03-01T00:00:00Z\"}]}";
    assert_int_equal(add(&im, TRC_FMT_SPOT_PRICE_HISTORY, json, err), 0);
    assert_int_equal(trc_import_finish(&im, err, sizeof err), 0);
    char *s = csv(&im);
    assert_string_equal(s, "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n"
                           "2017-03-01T00:00:00Z,\" m4\",\"us \"\"east\"\" 1b\",0.2\n"
                           "2017-03-01T00:00:00Z,\"c4,large\",us-east-1a,0.1\n");
    trc_import back = {0};
    assert_int_equal(add(&back, TRC_FMT_CSV, s, err), 0);
    assert_int_equal(trc_import_finish(&back, err, sizeof err), 0);
    assert_int_equal(back.npools, 2);
    assert_string_equal(back.pools[0].type, " m4");
    assert_string_equal(back.pools[0].az, "us \"east\" 1b");
    assert_string_equal(back.pools[1].type, "c4,large");
    char *again = csv(&back);
    assert_string_equal(again, s);
    free(again);
    free(s);
    trc_import_free(&back);
    trc_import_free(&im);
}

/* An instance type or AZ is an identifier: a control character in one (a
** newline, an ESC sequence) is refused, never copied into the CSV written. */
static void control_characters_refused(void **st) {
    (void)st;
    static const char *const json[] = {
        "{\"SpotPriceHistory\": [{\"AvailabilityZone\": \"us-east-1a\", "
        "\"InstanceType\": \"c4.\\u001b[2Jlarge\", \"ProductDescription\": \"Linux/UNIX\", "
        "\"SpotPrice\": \"0.1\", \"Timestamp\": \"2017-03-01T00:00:00Z\"}]}",
        "{\"SpotPriceHistory\": [{\"AvailabilityZone\": \"us-east-1a\\nX\", "
        "\"InstanceType\": \"c4.large\", \"ProductDescription\": \"Linux/UNIX\", "
        "\"SpotPrice\": \"0.1\", \"Timestamp\": \"2017-03-01T00:00:00Z\"}]}",
    };
    for (size_t i = 0; i < 2; i++) {
        trc_import im = {0};
        char err[512];
        assert_int_equal(add(&im, TRC_FMT_SPOT_PRICE_HISTORY, json[i], err), -1);
        if (!strstr(err, "must not hold control characters")) fail_msg("%s", err);
        trc_import_free(&im);
    }
    trc_import im = {0};
    char err[512];
    assert_int_equal(add(&im, TRC_FMT_CSV,
                         "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n"
                         "2017-03-01T00:00:00Z,\"c4.\x1b[31mlarge\",us-east-1a,0.1\n",
                         err),
                     -1);
    if (!strstr(err, "InstanceType") || !strstr(err, "must not hold control characters"))
        fail_msg("%s", err);
    trc_import_free(&im);
}

static void detection(void **st) {
    (void)st;
    char err[512];
    struct {
        const char *text;
        trc_format f;
    } cases[] = {
        {"{\n    \"SpotPriceHistory\": []}", TRC_FMT_SPOT_PRICE_HISTORY},
        {"{\"NextToken\": \"x\", \"SpotPriceHistory\": []}", TRC_FMT_SPOT_PRICE_HISTORY},
        {"{\"Label\": \"PendingCapacity\", \"Datapoints\": []}", TRC_FMT_METRIC_STATISTICS},
        {"{\"MetricDataResults\": [], \"Messages\": []}", TRC_FMT_METRIC_DATA},
        {"{\"now\": 1, \"asg\": null}\n", TRC_FMT_POLICY_EVAL},
        {"\xEF\xBB\xBF# c\nTimestamp,TargetCapacity\n", TRC_FMT_CSV},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(trc_detect("x", cases[i].text, strlen(cases[i].text),
                                    err, sizeof err), cases[i].f);
    assert_int_equal(trc_detect("x", "{\"a\": 1}", 8, err, sizeof err), TRC_FMT_AUTO);
    assert_string_equal(err, "x: JSON without SpotPriceHistory, MetricDataResults, "
                             "Datapoints or now: cannot tell its format (give --format)");
    assert_int_equal(trc_detect("x", "hello", 5, err, sizeof err), TRC_FMT_AUTO);
    assert_int_equal(trc_detect("x", "", 0, err, sizeof err), TRC_FMT_AUTO);
    assert_string_equal(err, "x: empty input");
    assert_int_equal(trc_format_find("aws-get-metric-data"), TRC_FMT_METRIC_DATA);
    assert_int_equal(trc_format_find("auto"), -1);
    assert_string_equal(trc_format_name(TRC_FMT_POLICY_EVAL), "policy-eval");
}

static void figures_and_episodes(void **st) {
    (void)st;
    trc_import im = {0};
    char err[512];
    /* Pool a: 0.1 from 0 h, 0.5 from 1 h, 0.1 from 3 h, 0.6 from 4 h to the
    ** end (6 h, pool b's last record). */
    assert_int_equal(add(&im, TRC_FMT_CSV,
                         "Timestamp,InstanceType,AvailabilityZone,SpotPrice\n"
                         "0,t,a,0.1\n3600,t,a,0.5\n10800,t,a,0.1\n14400,t,a,0.6\n"
                         "0,t,b,0.2\n21600,t,b,0.3\n",
                         err), 0);
    assert_int_equal(trc_import_finish(&im, err, sizeof err), 0);
    trc_series_stats *s;
    assert_int_equal(trc_import_stats(&im, 0.4, &s), 2);
    assert_int_equal(s[0].n, 4);
    assert_true(s[0].min == 0.1 && s[0].max == 0.6);
    assert_true(s[0].median == 0.3);
    assert_int_equal(s[0].episodes, 2);
    assert_int_equal(s[0].above_total, 2 * 3600 + 2 * 3600);
    assert_int_equal(s[0].above_longest, 7200);
    assert_int_equal(s[0].open_at_end, 1);
    assert_int_equal(s[1].episodes, 0);
    assert_true(s[1].median == 0.25);
    int64_t a, b;
    trc_import_span(&im, &a, &b);
    assert_int_equal(a, 0);
    assert_int_equal(b, 21600);
    free(s);
    trc_import_free(&im);
    char buf[40];
    trc_fmt_number(buf, sizeof buf, 0.0397);
    assert_string_equal(buf, "0.0397");
    trc_fmt_number(buf, sizeof buf, 0.1 + 0.2);
    assert_string_equal(buf, "0.30000000000000004");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spot_history_filters_sorts_and_dedupes),
        cmocka_unit_test(conflicting_records_later_wins),
        cmocka_unit_test(product_option),
        cmocka_unit_test(spot_history_errors),
        cmocka_unit_test(failed_input_leaves_import_as_it_was),
        cmocka_unit_test(real_slice_plain_and_gzip),
        cmocka_unit_test(streamed_files_match_memory),
        cmocka_unit_test(metric_statistics),
        cmocka_unit_test(metric_data_and_period),
        cmocka_unit_test(policy_eval_lines),
        cmocka_unit_test(canonical_csv),
        cmocka_unit_test(detection),
        cmocka_unit_test(csv_quoting_round_trip),
        cmocka_unit_test(control_characters_refused),
        cmocka_unit_test(figures_and_episodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
