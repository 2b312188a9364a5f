/*
** test_aws_dl.c: libcurl and libxml2 are opened on first use (aws/dl.c):
** nothing of them is mapped before, both are after; a library that cannot
** be found, or one without the expected functions, is an error naming it,
** the loader's reason and the package to install (the sonames are given
** here: the client passes AWS_CURL_SONAME and AWS_XML_SONAME).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "aws/aws_int.h"

/* Whether a file whose name contains `name` is mapped in this process. */
static int mapped(const char *name) {
    FILE *f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    char line[4096];
    int found = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, name)) found = 1;
    fclose(f);
    return found;
}

/* Runs first: this program does not link either library. */
static void loaded_on_first_use(void **st) {
    (void)st;
    char err[512] = "";
    assert_false(mapped("/libcurl.so"));
    assert_false(mapped("/libxml2.so"));
    aws_xml *x = aws_xml_open(AWS_XML_SONAME, err, sizeof err);
    assert_non_null(x);
    assert_true(mapped("/libxml2.so"));
    assert_false(mapped("/libcurl.so"));
    /* The table works: a document through it. */
    const char *doc = "<SetDesiredCapacityResponse xmlns=\"https://x/\"/>";
    assert_int_equal(aws_xml_expect_root(x, doc, strlen(doc),
                                         "SetDesiredCapacityResponse", err,
                                         sizeof err),
                     0);
    aws_curl *c = aws_curl_new(AWS_CURL_SONAME, err, sizeof err);
    assert_non_null(c);
    assert_true(mapped("/libcurl.so"));
    /* A second handle while the first is open, then both freed: libcurl
    ** counts its global init and cleanup. */
    aws_curl *c2 = aws_curl_new(AWS_CURL_SONAME, err, sizeof err);
    assert_non_null(c2);
    aws_curl_free(c);
    aws_curl_free(c2);
    aws_xml_close(x);
    aws_curl_free(NULL);
    aws_xml_close(NULL);
}

static void missing_library(void **st) {
    (void)st;
    char err[512] = "";
    assert_null(aws_curl_new("libspotbench-absent.so.4", err, sizeof err));
    assert_string_equal(err,
                        "libspotbench-absent.so.4 could not be loaded (needed "
                        "for AWS calls): libspotbench-absent.so.4: cannot open "
                        "shared object file: No such file or directory; "
                        "install libcurl4 (scripts/install-deps.sh)");
    err[0] = '\0';
    assert_null(aws_xml_open("libspotbench-absent.so.2", err, sizeof err));
    assert_string_equal(err,
                        "libspotbench-absent.so.2 could not be loaded (needed "
                        "for AWS calls): libspotbench-absent.so.2: cannot open "
                        "shared object file: No such file or directory; "
                        "install libxml2 (scripts/install-deps.sh)");
}

/* zlib (linked by every spotbench program) has neither library's
** functions: the first one looked up is named. */
static void missing_function(void **st) {
    (void)st;
    char err[512] = "";
    assert_null(aws_curl_new("libz.so.1", err, sizeof err));
    const char *want = "libz.so.1 has no curl_global_init (needed for AWS "
                       "calls): ";
    assert_memory_equal(err, want, strlen(want));
    assert_non_null(strstr(err, "undefined symbol: curl_global_init; "
                                "install libcurl4 (scripts/install-deps.sh)"));
    err[0] = '\0';
    assert_null(aws_xml_open("libz.so.1", err, sizeof err));
    want = "libz.so.1 has no xmlReadMemory (needed for AWS calls): ";
    assert_memory_equal(err, want, strlen(want));
    assert_non_null(strstr(err, "undefined symbol: xmlReadMemory; install "
                                "libxml2 (scripts/install-deps.sh)"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loaded_on_first_use),
        cmocka_unit_test(missing_library),
        cmocka_unit_test(missing_function),
    };
    return cmocka_run_group_tests_name("aws_dl", tests, NULL, NULL);
}
