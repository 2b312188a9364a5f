/*
** test_aws_creds.c: the credential chain: shared credentials and config file
** parsing (profiles, which file wins), the environment's precedence, ECS
** container credentials and EC2 instance metadata (IMDSv2) through the fake
** transport, and the credential JSON.
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

static char cred_path[256], config_path[256];

static int setup(void **st) {
    (void)st;
    const char *home = fk_clean_env();
    char dir[200];
    snprintf(dir, sizeof dir, "%s/.aws", home);
    mkdir(dir, 0700);
    snprintf(cred_path, sizeof cred_path, "%s/credentials", dir);
    snprintf(config_path, sizeof config_path, "%s/config", dir);
    unlink(cred_path);
    unlink(config_path);
    return 0;
}

/* A client on the fake transport: the chain is exercised as the live
** controller uses it, through aws_client_creds(). */
static aws_client *client_on(fk_fake *f, fk_log *log) {
    aws_opts o;
    memset(&o, 0, sizeof o);
    o.region = "us-east-1";
    o.transport = fk_transport;
    o.transport_ctx = f;
    if (log) {
        o.log = fk_logger;
        o.log_ctx = log;
    }
    aws_client *c = NULL;
    char err[256];
    if (aws_client_new(&o, &c, err, sizeof err)) fail_msg("%s", err);
    return c;
}

/* Which access key (and whether a token) signed a call made now. */
static const fk_req *sign_one(aws_client *c, fk_fake *f) {
    fk_rule_add(f, "DescribeAutoScalingGroups", 200, FK_ASG_XML, 1);
    pol_asg a;
    aws_error e;
    if (aws_describe_asg(c, "ecsDemandBackupGroup", &a, &e))
        fail_msg("%s", e.msg);
    return &f->reqs[f->nreqs - 1];
}

static const char *CREDS_FILE =
    "# comment\n"
    "[default]\n"
    "aws_access_key_id = AKIDDEFAULT\n"
    "aws_secret_access_key=secretdefault\n"
    "\n"
    "[  dev  ]\n"
    "; another comment\n"
    "AWS_Access_Key_Id = AKIDDEV\n"
    "aws_secret_access_key = secret/dev+key\n"
    "aws_session_token = tokendev\n"
    "[partial]\n"
    "aws_access_key_id = AKIDPARTIAL\n";

static const char *CONFIG_FILE =
    "[default]\n"
    "region = eu-west-1\n"
    "[profile dev]\n"
    "region = us-west-2\n"
    "aws_access_key_id = AKIDFROMCONFIG\n"
    "aws_secret_access_key = ignoredbecausecredentialsfilewins\n"
    "[profile cfgonly]\n"
    "aws_access_key_id = AKIDCFG\n"
    "aws_secret_access_key = secretcfg\n"
    "[cfgonly]\n"
    "aws_access_key_id = AKIDWRONGSECTION\n"
    "aws_secret_access_key = wrong\n"
    "[profile assumer]\n"
    "role_arn = arn:aws:iam::123456789012:role/x\n"
    "source_profile = default\n"
    "[profile local]\n"
    "services = local-svcs\n"
    "endpoint_url = https://everything.example\n"
    "[services local-svcs]\n"
    "cloudwatch =\n"
    "  endpoint_url = http://127.0.0.1:4566\n"
    "ec2 =\n"
    "  endpoint_url = http://localhost:4567/\n";

static void credentials_file_profiles(void **st) {
    (void)st;
    fk_write(cred_path, CREDS_FILE);
    fk_write(config_path, CONFIG_FILE);
    aws_creds c = {0};
    char err[256];
    assert_int_equal(
        aws_creds_from_files(cred_path, config_path, "default", &c, err,
                             sizeof err),
        1);
    assert_string_equal(c.access_key, "AKIDDEFAULT");
    assert_string_equal(c.secret_key, "secretdefault");
    assert_null(c.token);
    assert_non_null(strstr(c.source, "[default]"));
    /* Header white space and key case do not matter; the credentials file
    ** wins over the config file's [profile dev]. */
    assert_int_equal(aws_creds_from_files(cred_path, config_path, "dev", &c,
                                          err, sizeof err),
                     1);
    assert_string_equal(c.access_key, "AKIDDEV");
    assert_string_equal(c.secret_key, "secret/dev+key");
    assert_string_equal(c.token, "tokendev");
    /* The config file's section is [profile NAME]; a bare [NAME] there is
    ** not the profile. */
    assert_int_equal(aws_creds_from_files(cred_path, config_path, "cfgonly",
                                          &c, err, sizeof err),
                     1);
    assert_string_equal(c.access_key, "AKIDCFG");
    assert_non_null(strstr(c.source, "[profile cfgonly]"));
    aws_creds_free(&c);
    assert_null(c.access_key);
}

static void credentials_file_errors(void **st) {
    (void)st;
    fk_write(cred_path, CREDS_FILE);
    fk_write(config_path, CONFIG_FILE);
    aws_creds c = {0};
    char err[256];
    assert_int_equal(aws_creds_from_files(cred_path, config_path, "partial",
                                          &c, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "partial credentials"));
    assert_int_equal(aws_creds_from_files(cred_path, config_path, "assumer",
                                          &c, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "role_arn"));
    assert_int_equal(aws_creds_from_files(cred_path, config_path, "nosuch", &c,
                                          err, sizeof err),
                     0);
    /* Missing files are not errors. */
    assert_int_equal(aws_creds_from_files("/nonexistent/credentials",
                                          "/nonexistent/config", "default", &c,
                                          err, sizeof err),
                     0);
    assert_null(c.access_key);
}

static void chain_environment_first(void **st) {
    (void)st;
    fk_write(cred_path, CREDS_FILE);
    setenv("AWS_ACCESS_KEY_ID", FK_AK, 1);
    setenv("AWS_SECRET_ACCESS_KEY", FK_SK, 1);
    setenv("AWS_SESSION_TOKEN", FK_TOKEN, 1);
    fk_fake f = {0};
    fk_log log = {0};
    aws_client *c = client_on(&f, &log);
    const fk_req *r = sign_one(c, &f);
    assert_string_equal(r->access_key, FK_AK);
    assert_int_equal(r->signed_with_token, 1);
    assert_string_equal(r->sigv4, "aws:amz:us-east-1:autoscaling");
    assert_non_null(strstr(log.text, "credentials from environment"));
    assert_null(strstr(log.text, FK_AK));
    assert_null(strstr(log.text, FK_SK));
    assert_null(strstr(log.text, FK_TOKEN));
    aws_client_free(c);

    /* Values that would corrupt the signature or the headers are refused,
    ** and not quoted. */
    char err[256];
    setenv("AWS_ACCESS_KEY_ID", "AKID/20170301/evil", 1);
    c = client_on(&f, NULL);
    assert_int_equal(aws_client_creds(c, err, sizeof err), -1);
    assert_non_null(strstr(err, "access key id is malformed"));
    assert_null(strstr(err, "evil"));
    aws_client_free(c);
    setenv("AWS_ACCESS_KEY_ID", FK_AK, 1);
    setenv("AWS_SESSION_TOKEN", "tok\r\nX-Injected: 1", 1);
    c = client_on(&f, NULL);
    assert_int_equal(aws_client_creds(c, err, sizeof err), -1);
    assert_non_null(strstr(err, "line break"));
    assert_null(strstr(err, "Injected"));
    aws_client_free(c);

    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    c = client_on(&f, NULL);
    assert_int_equal(aws_client_creds(c, err, sizeof err), -1);
    assert_non_null(strstr(err, "AWS_SECRET_ACCESS_KEY is not"));
    aws_client_free(c);
    unsetenv("AWS_ACCESS_KEY_ID");
}

static void chain_profiles(void **st) {
    (void)st;
    fk_write(cred_path, CREDS_FILE);
    fk_write(config_path, CONFIG_FILE);
    fk_fake f = {0};
    aws_client *c = client_on(&f, NULL);
    assert_string_equal(sign_one(c, &f)->access_key, "AKIDDEFAULT");
    assert_int_equal(sign_one(c, &f)->signed_with_token, 0);
    aws_client_free(c);

    setenv("AWS_PROFILE", "dev", 1);
    c = client_on(&f, NULL);
    assert_string_equal(sign_one(c, &f)->access_key, "AKIDDEV");
    assert_int_equal(sign_one(c, &f)->signed_with_token, 1);
    aws_client_free(c);

    /* A profile named explicitly but absent is an error, not a fall-through
    ** to container or instance credentials. */
    setenv("AWS_PROFILE", "nosuch", 1);
    c = client_on(&f, NULL);
    char err[512];
    assert_int_equal(aws_client_creds(c, err, sizeof err), -1);
    assert_non_null(strstr(err, "profile \"nosuch\" not found"));
    aws_client_free(c);
    unsetenv("AWS_PROFILE");

    /* The files can be moved. */
    char moved[300];
    snprintf(moved, sizeof moved, "%s.moved", cred_path);
    rename(cred_path, moved);
    setenv("AWS_SHARED_CREDENTIALS_FILE", moved, 1);
    fk_log log = {0};
    c = client_on(&f, &log);
    assert_string_equal(sign_one(c, &f)->access_key, "AKIDDEFAULT");
    assert_non_null(strstr(log.text, ".moved [default]"));
    aws_client_free(c);
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");
    unlink(moved);
}

static void ecs_url_rules(void **st) {
    (void)st;
    char url[256], err[256];
    assert_int_equal(aws_ecs_creds_url(url, sizeof url, err, sizeof err), 0);
    setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc", 1);
    assert_int_equal(aws_ecs_creds_url(url, sizeof url, err, sizeof err), 1);
    assert_string_equal(url, "http://169.254.170.2/v2/credentials/abc");
    unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *ok[] = {"http://127.0.0.1:8080/creds", "http://localhost/c",
                        "http://[::1]:9/c", "https://creds.example.com/x",
                        "http://169.254.170.23/v1/credentials"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", ok[i], 1);
        if (aws_ecs_creds_url(url, sizeof url, err, sizeof err) != 1)
            fail_msg("refused %s: %s", ok[i], err);
        assert_string_equal(url, ok[i]);
    }
    const char *bad[] = {"http://10.0.0.1/creds", "http://example.com/c",
                         "http://127.0.0.1.example.com/c",
                         "http://user@127.0.0.1/c", "ftp://127.0.0.1/c",
                         "http://169.254.170.2:80@evil.example/c",
                         "http://169.254.170.20/c"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", bad[i], 1);
        if (aws_ecs_creds_url(url, sizeof url, err, sizeof err) != -1)
            fail_msg("accepted %s", bad[i]);
    }
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
}

static const char *CREDS_JSON =
    "{\"AccessKeyId\": \"" FK_AK "\", \"SecretAccessKey\": \"" FK_SK "\", "
    "\"Token\": \"" FK_TOKEN "\", \"Expiration\": \"2017-03-01T18:00:00Z\", "
    "\"RoleArn\": \"arn:aws:iam::123456789012:role/r\"}";

static void chain_container_credentials(void **st) {
    (void)st;
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9911/creds",
           1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer ecs-auth", 1);
    fk_fake f = {0};
    fk_rule_add(&f, "GET http://127.0.0.1:9911/creds", 200, CREDS_JSON, -1);
    fk_log log = {0};
    aws_client *c = client_on(&f, &log);
    const fk_req *r = sign_one(c, &f);
    assert_string_equal(r->access_key, FK_AK);
    assert_int_equal(r->signed_with_token, 1);
    assert_string_equal(f.reqs[0].method, "GET");
    assert_non_null(strstr(f.reqs[0].headers, "Authorization: Bearer ecs-auth"));
    assert_string_equal(f.reqs[0].sigv4, ""); /* not signed */
    assert_non_null(strstr(log.text, "container credentials "
                                     "http://127.0.0.1:9911/creds, expiring "
                                     "2017-03-01T18:00:00Z"));
    aws_client_free(c);

    /* A failing endpoint is an error naming it, without the response. */
    f.rules[0].status = 500;
    c = client_on(&f, NULL);
    char err[512];
    assert_int_equal(aws_client_creds(c, err, sizeof err), -1);
    assert_non_null(strstr(err, "http://127.0.0.1:9911/creds: HTTP 500"));
    assert_null(strstr(err, FK_SK));
    aws_client_free(c);
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
}

static void chain_imds_v2(void **st) {
    (void)st;
    fk_fake f = {0};
    fk_rule_add(&f, "PUT http://127.0.0.1:9912/latest/api/token", 200,
                "imds-token-abc", -1);
    fk_rule_add(&f,
                "GET http://127.0.0.1:9912/latest/meta-data/iam/"
                "security-credentials/spot-role",
                200,
                "{\"Code\": \"Success\", \"Type\": \"AWS-HMAC\", "
                "\"AccessKeyId\": \"" FK_AK "\", \"SecretAccessKey\": \"" FK_SK
                "\", \"Token\": \"" FK_TOKEN
                "\", \"Expiration\": \"2099-03-01T18:00:00Z\"}",
                -1);
    fk_rule_add(&f,
                "GET http://127.0.0.1:9912/latest/meta-data/iam/"
                "security-credentials/",
                200, "spot-role\n", -1);
    char err[512];
    /* Disabled: no request at all. */
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9912/", 1);
    aws_client *c = client_on(&f, NULL);
    assert_int_equal(aws_client_creds(c, err, sizeof err), -1);
    assert_non_null(strstr(err, "no AWS credentials found"));
    assert_non_null(strstr(err, "AWS_EC2_METADATA_DISABLED"));
    assert_int_equal(f.nreqs, 0);
    aws_client_free(c);

    unsetenv("AWS_EC2_METADATA_DISABLED");
    fk_log log = {0};
    c = client_on(&f, &log);
    const fk_req *r = sign_one(c, &f);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    assert_string_equal(r->access_key, FK_AK);
    assert_int_equal(r->signed_with_token, 1);
    assert_non_null(strstr(log.text, "role spot-role"));
    assert_int_equal(f.nreqs, 4);
    assert_string_equal(f.reqs[0].method, "PUT");
    assert_non_null(
        strstr(f.reqs[0].headers, "X-aws-ec2-metadata-token-ttl-seconds: "));
    for (int i = 1; i < 3; i++)
        assert_non_null(strstr(f.reqs[i].headers,
                               "X-aws-ec2-metadata-token: imds-token-abc"));
    /* Cached: a second call does not ask the metadata service again. */
    sign_one(c, &f);
    assert_int_equal(f.nreqs, 5);
    aws_client_free(c);

    /* No token, no credentials: IMDSv1 is not used. */
    f.nreqs = 0;
    f.rules[0].status = 403;
    unsetenv("AWS_EC2_METADATA_DISABLED");
    c = client_on(&f, NULL);
    assert_int_equal(aws_client_creds(c, err, sizeof err), -1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    assert_non_null(strstr(err, "no IMDSv2 session token"));
    assert_int_equal(f.nreqs, 1);
    aws_client_free(c);

    /* A role name outside IAM's characters never reaches the next URL (a
    ** space or '?' would move its path): found by fuzz_creds_net. */
    f.rules[0].status = 200;
    f.rules[2].body = "spot role?x=1\n";
    f.nreqs = 0;
    unsetenv("AWS_EC2_METADATA_DISABLED");
    c = client_on(&f, NULL);
    assert_int_equal(aws_client_creds(c, err, sizeof err), -1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    assert_non_null(strstr(err, "bad role name"));
    assert_int_equal(f.nreqs, 2);
    aws_client_free(c);
    unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
}

static void credentials_json(void **st) {
    (void)st;
    aws_creds c = {0};
    char err[256];
    assert_int_equal(aws_creds_parse_json(CREDS_JSON, &c, err, sizeof err), 0);
    assert_string_equal(c.access_key, FK_AK);
    const char *bad[] = {
        "not json", "[]", "{\"AccessKeyId\": \"A\"}",
        "{\"Code\": \"Failure\", \"AccessKeyId\": \"A\", "
        "\"SecretAccessKey\": \"S\"}",
        "{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\", \"Expiration\": "
        "\"soon\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (aws_creds_parse_json(bad[i], &c, err, sizeof err) != -1)
            fail_msg("accepted %s", bad[i]);
        /* The message never quotes the document. */
        assert_null(strstr(err, "\"S\""));
    }
    aws_creds_free(&c);
}

static void redaction(void **st) {
    (void)st;
    aws_creds c = {0};
    c.access_key = strdup(FK_AK);
    c.secret_key = strdup(FK_SK);
    c.token = strdup(FK_TOKEN);
    char *r = aws_redact("key " FK_AK " secret " FK_SK " token " FK_TOKEN
                         " encoded wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYEXAMPLEKEY",
                         &c);
    assert_non_null(r);
    assert_null(strstr(r, FK_AK));
    assert_null(strstr(r, FK_SK));
    assert_null(strstr(r, FK_TOKEN));
    assert_null(strstr(r, "wJalrXUtnFEMI"));
    assert_non_null(strstr(r, "[redacted]"));
    free(r);
    r = aws_redact("nothing here", NULL);
    assert_string_equal(r, "nothing here");
    free(r);
    /* Any run of 16 or more characters of a secret, wherever it is: a
    ** prefix, a middle, a cut end, percent-encoded; 15 are left. */
    r = aws_redact("a FQoGZXIvYXdzEXAMPLE b XIvYXdzEXAMPLETOKEN+wi c "
                   "wJalrXUtnFEMI%2FK7MDE d FQoGZXIvYXdzEXA e",
                   &c);
    assert_string_equal(r, "a [redacted] b [redacted] c [redacted] d FQoGZXIvYXdzEXA e");
    free(r);
    aws_creds_free(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(credentials_file_profiles, setup),
        cmocka_unit_test_setup(credentials_file_errors, setup),
        cmocka_unit_test_setup(chain_environment_first, setup),
        cmocka_unit_test_setup(chain_profiles, setup),
        cmocka_unit_test_setup(ecs_url_rules, setup),
        cmocka_unit_test_setup(chain_container_credentials, setup),
        cmocka_unit_test_setup(chain_imds_v2, setup),
        cmocka_unit_test_setup(credentials_json, setup),
        cmocka_unit_test_setup(redaction, setup),
    };
    return cmocka_run_group_tests_name("aws_creds", tests, NULL,
                                       fk_remove_home);
}
