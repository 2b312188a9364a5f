/*
** test_aws_endpoint.c: region resolution, endpoint selection in the SDKs'
** order, and the rule that plain http goes only to loopback addresses.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "aws_fake.h"

static char config_path[256];

static int setup(void **st) {
    (void)st;
    const char *home = fk_clean_env();
    char dir[200];
    snprintf(dir, sizeof dir, "%s/.aws", home);
    mkdir(dir, 0700);
    snprintf(config_path, sizeof config_path, "%s/config", dir);
    unlink(config_path);
    return 0;
}

static void loopback_rule(void **st) {
    (void)st;
    char err[300];
    const char *ok[] = {"http://127.0.0.1",
                        "http://127.0.0.1:4566/",
                        "http://127.255.1.2:80/path",
                        "http://localhost:9000",
                        "http://LOCALHOST/",
                        "http://[::1]:8080/",
                        "https://monitoring.us-east-1.amazonaws.com",
                        "https://10.1.2.3:8443/",
                        "HTTPS://example.com"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (aws_url_check(ok[i], err, sizeof err))
            fail_msg("refused %s: %s", ok[i], err);
    const char *bad[] = {
        "http://monitoring.us-east-1.amazonaws.com",
        "http://10.0.0.1:4566",
        "http://192.168.1.1/",
        "http://169.254.169.254/",
        "http://127.0.0.1.evil.example/",
        "http://localhost.evil.example/",
        "http://128.0.0.1/",
        "http://127.0.0/",
        "http://127.0.0.1.1/",
        "http://0x7f.0.0.1/",
        "http://[::2]/",
        "http://127.0.0.1@evil.example/",
        "http://evil.example@127.0.0.1/",
        "ftp://127.0.0.1/",
        "127.0.0.1:4566",
        "http:///path",
        "http://127.0.0.1:99999/",
        "http://127.0.0.1:/",
        "http://127.0.0.1/?a=b",
        "http://127.0.0.1/ x",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (aws_url_check(bad[i], err, sizeof err) == 0)
            fail_msg("accepted %s", bad[i]);
    assert_int_equal(aws_url_check("http://10.0.0.1:4566", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "plain http is allowed only to a loopback "
                                "address"));
    /* User info is never echoed: it may hold a password. */
    assert_int_equal(aws_url_check("http://u:pw@127.0.0.1/", err, sizeof err),
                     -1);
    assert_null(strstr(err, "pw"));
    assert_int_equal(aws_url_is_loopback("http://127.0.0.1:1/"), 1);
    assert_int_equal(aws_url_is_loopback("https://[::1]/"), 1);
    assert_int_equal(aws_url_is_loopback("http://169.254.169.254/"), 0);
}

static void region_order(void **st) {
    (void)st;
    char r[64], err[256];
    assert_int_equal(aws_region_resolve(NULL, r, sizeof r, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "no AWS region"));
    fk_write(config_path, "[default]\nregion = eu-west-1\n"
                          "[profile dev]\nregion = ap-south-1\n");
    assert_int_equal(aws_region_resolve(NULL, r, sizeof r, err, sizeof err), 0);
    assert_string_equal(r, "eu-west-1");
    setenv("AWS_PROFILE", "dev", 1);
    assert_int_equal(aws_region_resolve("", r, sizeof r, err, sizeof err), 0);
    assert_string_equal(r, "ap-south-1");
    unsetenv("AWS_PROFILE");
    setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
    assert_int_equal(aws_region_resolve(NULL, r, sizeof r, err, sizeof err), 0);
    assert_string_equal(r, "us-west-1");
    setenv("AWS_REGION", "us-west-2", 1);
    assert_int_equal(aws_region_resolve(NULL, r, sizeof r, err, sizeof err), 0);
    assert_string_equal(r, "us-west-2");
    assert_int_equal(
        aws_region_resolve("us-east-1", r, sizeof r, err, sizeof err), 0);
    assert_string_equal(r, "us-east-1");
    assert_int_equal(aws_region_resolve("us-east-1.evil.example/", r, sizeof r,
                                        err, sizeof err),
                     -1);
    setenv("AWS_REGION", "US EAST", 1);
    assert_int_equal(aws_region_resolve(NULL, r, sizeof r, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "AWS_REGION"));
}

static void endpoint_defaults(void **st) {
    (void)st;
    char u[256], err[256];
    assert_int_equal(aws_endpoint_resolve(AWS_CLOUDWATCH, "us-east-1", NULL, u,
                                          sizeof u, err, sizeof err),
                     0);
    assert_string_equal(u, "https://monitoring.us-east-1.amazonaws.com");
    assert_int_equal(aws_endpoint_resolve(AWS_AUTOSCALING, "eu-west-1", "", u,
                                          sizeof u, err, sizeof err),
                     0);
    assert_string_equal(u, "https://autoscaling.eu-west-1.amazonaws.com");
    assert_int_equal(aws_endpoint_resolve(AWS_EC2, "cn-north-1", NULL, u,
                                          sizeof u, err, sizeof err),
                     0);
    assert_string_equal(u, "https://ec2.cn-north-1.amazonaws.com.cn");
    assert_string_equal(aws_service_signing_name(AWS_CLOUDWATCH), "monitoring");
    assert_string_equal(aws_service_key(AWS_AUTOSCALING), "autoscaling");
}

static void endpoint_order(void **st) {
    (void)st;
    char u[256], err[300];
    fk_write(config_path,
             "[default]\n"
             "services = local\n"
             "endpoint_url = https://all.example\n"
             "[services local]\n"
             "cloudwatch =\n"
             "  endpoint_url = http://127.0.0.1:4000\n"
             "auto_scaling =\n"
             "  endpoint_url = http://127.0.0.1:4001/\n");
    /* Config file: the services section, else the profile's endpoint_url. */
    assert_int_equal(aws_endpoint_resolve(AWS_CLOUDWATCH, "us-east-1", NULL, u,
                                          sizeof u, err, sizeof err),
                     0);
    assert_string_equal(u, "http://127.0.0.1:4000");
    assert_int_equal(aws_endpoint_resolve(AWS_AUTOSCALING, "us-east-1", NULL,
                                          u, sizeof u, err, sizeof err),
                     0);
    assert_string_equal(u, "http://127.0.0.1:4001");
    assert_int_equal(aws_endpoint_resolve(AWS_EC2, "us-east-1", NULL, u,
                                          sizeof u, err, sizeof err),
                     0);
    assert_string_equal(u, "https://all.example");
    /* AWS_ENDPOINT_URL beats the config file; the service's variable beats
    ** AWS_ENDPOINT_URL; the live config beats everything. */
    setenv("AWS_ENDPOINT_URL", "http://localhost:5000", 1);
    assert_int_equal(aws_endpoint_resolve(AWS_CLOUDWATCH, "us-east-1", NULL, u,
                                          sizeof u, err, sizeof err),
                     0);
    assert_string_equal(u, "http://localhost:5000");
    setenv("AWS_ENDPOINT_URL_AUTO_SCALING", "http://[::1]:5001", 1);
    setenv("AWS_ENDPOINT_URL_CLOUDWATCH", "http://127.0.0.2:5002", 1);
    setenv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.3:5003", 1);
    assert_int_equal(aws_endpoint_resolve(AWS_AUTOSCALING, "us-east-1", NULL,
                                          u, sizeof u, err, sizeof err),
                     0);
    assert_string_equal(u, "http://[::1]:5001");
    assert_int_equal(aws_endpoint_resolve(AWS_CLOUDWATCH, "us-east-1", NULL, u,
                                          sizeof u, err, sizeof err),
                     0);
    assert_string_equal(u, "http://127.0.0.2:5002");
    assert_int_equal(aws_endpoint_resolve(AWS_EC2, "us-east-1", NULL, u,
                                          sizeof u, err, sizeof err),
                     0);
    assert_string_equal(u, "http://127.0.0.3:5003");
    assert_int_equal(aws_endpoint_resolve(AWS_EC2, "us-east-1",
                                          "https://ec2.example/", u, sizeof u,
                                          err, sizeof err),
                     0);
    assert_string_equal(u, "https://ec2.example");
    /* Ignoring configured endpoints leaves the defaults (and the live
    ** config's explicit ones). */
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    assert_int_equal(aws_endpoint_resolve(AWS_EC2, "us-east-1", NULL, u,
                                          sizeof u, err, sizeof err),
                     0);
    assert_string_equal(u, "https://ec2.us-east-1.amazonaws.com");
    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    /* Wherever it comes from, plain http off loopback is refused, naming
    ** the source. */
    setenv("AWS_ENDPOINT_URL_EC2", "http://ec2.example", 1);
    assert_int_equal(aws_endpoint_resolve(AWS_EC2, "us-east-1", NULL, u,
                                          sizeof u, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "AWS_ENDPOINT_URL_EC2: "));
    assert_non_null(strstr(err, "loopback"));
}

static void client_uses_them(void **st) {
    (void)st;
    aws_opts o;
    memset(&o, 0, sizeof o);
    fk_fake f = {0};
    o.transport = fk_transport;
    o.transport_ctx = &f;
    aws_client *c;
    char err[300];
    assert_int_equal(aws_client_new(&o, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "no AWS region"));
    o.region = "eu-central-1";
    o.endpoint[AWS_EC2] = "http://127.0.0.1:7/";
    assert_int_equal(aws_client_new(&o, &c, err, sizeof err), 0);
    assert_string_equal(aws_client_region(c), "eu-central-1");
    assert_string_equal(aws_client_endpoint(c, AWS_CLOUDWATCH),
                        "https://monitoring.eu-central-1.amazonaws.com");
    assert_string_equal(aws_client_endpoint(c, AWS_EC2), "http://127.0.0.1:7");
    aws_client_free(c);
    o.endpoint[AWS_AUTOSCALING] = "http://autoscaling.example";
    assert_int_equal(aws_client_new(&o, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "endpoints.autoscaling: "));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(loopback_rule, setup),
        cmocka_unit_test_setup(region_order, setup),
        cmocka_unit_test_setup(endpoint_defaults, setup),
        cmocka_unit_test_setup(endpoint_order, setup),
        cmocka_unit_test_setup(client_uses_them, setup),
    };
    return cmocka_run_group_tests_name("aws_endpoint", tests, NULL,
                                       fk_remove_home);
}
