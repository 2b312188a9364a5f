/*
** fuzz_xml.c: every AWS answer spotbench reads (aws/xml.c): error
** documents (XML, JSON, or the error headers), GetMetricStatistics, DescribeAutoScalingGroups,
** DescribeScalingActivities, DescribeSpotFleetRequests, and a response's root check. libxml2 is
** opened for each input (after the first, dlopen only finds it loaded).
*/
#include "fuzz.h"

#include "aws/aws_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *xml = (const char *)data;
    char err[AWS_ERR_MAX];
    aws_xml *x = aws_xml_open(AWS_XML_SONAME, err, sizeof err);
    if (!x) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    aws_err_doc ed;
    aws_error_parse(x, xml, size, NULL, &ed);
    /* The same text as the answer's headers, for the header fallbacks. */
    char *headers = fz_str(data, size);
    aws_error_parse(x, "", 0, headers, &ed);
    free(headers);
    pol_point *pts = NULL;
    size_t n = 0;
    if (aws_xml_metric(x, xml, size, &pts, &n, err, sizeof err) == 0) {
        for (size_t i = 1; i < n; i++)
            if (pts[i].t <= pts[i - 1].t) abort(); /* sorted, no duplicates */
        for (size_t i = 0; i < n; i++)
            if (!(pts[i].v >= 0)) abort();
        free(pts);
    }
    pol_asg a;
    if (aws_xml_asg(x, xml, size, "ecsDemandBackupGroup", &a, err, sizeof err) == 0 && !a.known)
        abort();
    int64_t *ft = NULL;
    size_t fn = 0;
    if (aws_xml_failed_launches(x, xml, size, &ft, &fn, err, sizeof err) == 0) {
        for (size_t i = 1; i < fn; i++)
            if (ft[i] < ft[i - 1]) abort(); /* sorted */
        free(ft);
    }
    aws_fleet f;
    aws_xml_fleet(x, xml, size, "sfr-test", &f, err, sizeof err);
    aws_xml_expect_root(x, xml, size, "SetDesiredCapacityResponse", err, sizeof err);
    aws_xml_close(x);
    return 0;
}
