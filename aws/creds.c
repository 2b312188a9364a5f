/*
** creds.c: the AWS credential chain, in the SDKs' order:
**
**   1. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN;
**   2. the shared credentials file, then the config file, for the profile
**      (AWS_PROFILE, default "default");
**   3. ECS container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
**      _FULL_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]);
**   4. EC2 instance metadata, IMDSv2 only (a session token first), unless
**      AWS_EC2_METADATA_DISABLED=true.
**
** The first source that is configured decides: a profile that is named but
** broken, or a container endpoint that fails, is an error rather than a
** silent fall-through to the next source, so the operator learns which
** identity is (not) in use. Credential endpoint responses are never logged
** or quoted in messages: they are the secrets.
*/
#include "aws_int.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "traces/traces.h"

void aws_creds_free(aws_creds *c) {
    aws_free_secret(c->access_key);
    aws_free_secret(c->secret_key);
    aws_free_secret(c->token);
    c->access_key = c->secret_key = c->token = NULL;
    c->expires = 0;
    c->source[0] = '\0';
}

/* Takes copies of the three strings; token may be NULL or empty. */
static int creds_set(aws_creds *c, const char *ak, const char *sk,
                     const char *token, char *err, size_t errlen) {
    aws_creds_free(c);
    /* Access key ids are letters and digits; anything else (a '/', a line
    ** break) would corrupt the signature's scope or the headers. Neither
    ** value is quoted in the message. */
    for (const char *p = ak; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              (*p >= '0' && *p <= '9'))) {
            snprintf(err, errlen, "the access key id is malformed (not "
                                  "letters and digits)");
            return -1;
        }
    if (strpbrk(sk, "\r\n") || (token && strpbrk(token, "\r\n"))) {
        snprintf(err, errlen, "the secret key or session token contains a "
                              "line break");
        return -1;
    }
    c->access_key = aws_strdup(ak);
    c->secret_key = aws_strdup(sk);
    c->token = token && *token ? aws_strdup(token) : NULL;
    if (!c->access_key || !c->secret_key || (token && *token && !c->token)) {
        aws_creds_free(c);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* Keys of a profile that name a credential provider spotbench does not
** implement; a profile with one of them and no static keys is an error. */
static const char *const unsupported_keys[] = {
    "role_arn", "credential_process", "sso_session", "sso_start_url",
    "web_identity_token_file", NULL};

/* Looks for the profile's keys in one file. Returns 1 found, 0 no keys in
** this file, -1 error. */
static int creds_from_text(const char *text, const char *path,
                           const char *section, aws_creds *out, char *err,
                           size_t errlen) {
    char ak[256], sk[256], tok[4096];
    int a = aws_ini_get(text, section, "", "aws_access_key_id", ak, sizeof ak);
    int s = aws_ini_get(text, section, "", "aws_secret_access_key", sk,
                        sizeof sk);
    int t = aws_ini_get(text, section, "", "aws_session_token", tok,
                        sizeof tok);
    int r;
    if (a < 0 || s < 0 || t < 0) {
        snprintf(err, errlen, "%s: [%s]: a key's value is too long", path,
                 section);
        r = -1;
    } else if (a == 1 && s == 1) {
        r = creds_set(out, ak, sk, t == 1 ? tok : NULL, err, errlen) ? -1 : 1;
        if (r == 1)
            snprintf(out->source, sizeof out->source, "%s [%s]", path,
                     section);
    } else if (a == 1 || s == 1) {
        snprintf(err, errlen,
                 "%s: [%s] has %s but not %s (partial credentials)", path,
                 section, a == 1 ? "aws_access_key_id" : "aws_secret_access_key",
                 a == 1 ? "aws_secret_access_key" : "aws_access_key_id");
        r = -1;
    } else {
        r = 0;
        char v[16];
        for (const char *const *k = unsupported_keys; *k; k++)
            if (aws_ini_get(text, section, "", *k, v, sizeof v) != 0) {
                snprintf(err, errlen,
                         "%s: [%s] uses %s, a credential provider spotbench "
                         "does not support; give it static keys, or use "
                         "environment variables or an instance/task role",
                         path, section, *k);
                r = -1;
                break;
            }
    }
    aws_wipe(ak, sizeof ak);
    aws_wipe(sk, sizeof sk);
    aws_wipe(tok, sizeof tok);
    return r;
}

int aws_creds_from_files(const char *cred_path, const char *config_path,
                         const char *profile, aws_creds *out, char *err,
                         size_t errlen) {
    char section[300];
    const char *paths[2] = {cred_path, config_path};
    for (int i = 0; i < 2; i++) {
        if (!paths[i]) continue;
        char *text = NULL;
        int r = aws_read_file(paths[i], 1 << 20, &text, NULL, err, errlen);
        if (r < 0) return -1;
        if (r > 0) continue; /* no such file */
        if (i == 0)
            snprintf(section, sizeof section, "%s", profile);
        else
            aws_config_section(profile, section, sizeof section);
        if (i == 1 && strcmp(profile, "default") == 0 &&
            !aws_ini_has_section(text, section) &&
            aws_ini_has_section(text, "profile default"))
            snprintf(section, sizeof section, "profile default");
        r = creds_from_text(text, paths[i], section, out, err, errlen);
        aws_free_secret(text);
        if (r != 0) return r;
    }
    return 0;
}

/* 1 when the profile has a section in either file. */
static int profile_exists(const char *cred_path, const char *config_path,
                          const char *profile) {
    char section[300], err[64];
    const char *paths[2] = {cred_path, config_path};
    int found = 0;
    for (int i = 0; i < 2 && !found; i++) {
        char *text = NULL;
        if (!paths[i] ||
            aws_read_file(paths[i], 1 << 20, &text, NULL, err, sizeof err))
            continue;
        if (i == 0)
            snprintf(section, sizeof section, "%s", profile);
        else
            aws_config_section(profile, section, sizeof section);
        found = aws_ini_has_section(text, section) ||
                (i == 1 && strcmp(profile, "default") == 0 &&
                 aws_ini_has_section(text, "profile default"));
        aws_free_secret(text);
    }
    return found;
}

/* ---- JSON from the ECS and EC2 metadata endpoints ---- */

int aws_creds_parse_json(const char *json, aws_creds *out, char *err,
                         size_t errlen) {
    cJSON *root = cJSON_Parse(json);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        /* Not quoting the text: it may be a partial credential document. */
        snprintf(err, errlen, "credentials response is not a JSON object");
        return -1;
    }
    int rc = -1;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(root, "Code");
    const cJSON *ak = cJSON_GetObjectItemCaseSensitive(root, "AccessKeyId");
    const cJSON *sk = cJSON_GetObjectItemCaseSensitive(root, "SecretAccessKey");
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(root, "Token");
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(root, "Expiration");
    if (cJSON_IsString(code) && strcmp(code->valuestring, "Success") != 0) {
        snprintf(err, errlen, "credentials response has Code \"%.60s\"",
                 code->valuestring);
    } else if (!cJSON_IsString(ak) || !*ak->valuestring ||
               !cJSON_IsString(sk) || !*sk->valuestring) {
        snprintf(err, errlen,
                 "credentials response lacks AccessKeyId or SecretAccessKey");
    } else if (tok && !cJSON_IsString(tok) && !cJSON_IsNull(tok)) {
        snprintf(err, errlen, "credentials response: Token is not a string");
    } else {
        int64_t t = 0;
        if (cJSON_IsString(exp) && trc_time_parse(exp->valuestring, &t)) {
            snprintf(err, errlen,
                     "credentials response: Expiration \"%.40s\" is not an "
                     "ISO-8601 UTC time",
                     exp->valuestring);
        } else if (creds_set(out, ak->valuestring, sk->valuestring,
                             cJSON_IsString(tok) ? tok->valuestring : NULL,
                             err, errlen) == 0) {
            out->expires = t;
            rc = 0;
        }
    }
    /* cJSON_Delete does not wipe: scrub the strings first. */
    const cJSON *items[3] = {ak, sk, tok};
    for (int i = 0; i < 3; i++)
        if (cJSON_IsString(items[i]))
            aws_wipe(items[i]->valuestring, strlen(items[i]->valuestring));
    cJSON_Delete(root);
    return rc;
}

/* ---- ECS container credentials ---- */

/* Hosts a container credentials FULL_URI may use over plain http: loopback,
** and the ECS and EKS Pod Identity link-local agents. */
static int ecs_http_host_ok(const char *url) {
    if (aws_url_is_loopback(url)) return 1;
    /* The agents are matched by prefix, so nothing may follow that could
    ** move the host: no user info, no white space or control bytes. */
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p == '@' || *p <= ' ' || *p == 0x7f) return 0;
    const char *hosts[] = {"http://169.254.170.2/", "http://169.254.170.2:",
                           "http://169.254.170.23/", "http://169.254.170.23:",
                           "http://[fd00:ec2::23]/", "http://[fd00:ec2::23]:"};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++)
        if (strncasecmp(url, hosts[i], strlen(hosts[i])) == 0) return 1;
    return 0;
}

int aws_ecs_creds_url(char *out, size_t n, char *err, size_t errlen) {
    const char *rel = aws_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = aws_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (rel) {
        int k = snprintf(out, n, "http://169.254.170.2%s%s",
                         rel[0] == '/' ? "" : "/", rel);
        if (k < 0 || (size_t)k >= n) {
            snprintf(err, errlen,
                     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is too long");
            return -1;
        }
        return 1;
    }
    if (!full) return 0;
    if (strncasecmp(full, "https://", 8) == 0) {
        if (aws_url_check(full, err, errlen)) return -1;
    } else if (strncasecmp(full, "http://", 7) != 0 || !ecs_http_host_ok(full) ||
               (aws_url_is_loopback(full) && aws_url_check(full, err, errlen))) {
        snprintf(err, errlen,
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI: plain http is allowed "
                 "only to a loopback address or the ECS/EKS credential agent; "
                 "use https");
        return -1;
    }
    if (aws_copy(out, n, full)) {
        snprintf(err, errlen, "AWS_CONTAINER_CREDENTIALS_FULL_URI is too long");
        return -1;
    }
    return 1;
}

static int http_get(const aws_io *io, const char *method, const char *url,
                    const char *const *headers, aws_http_resp *resp,
                    char *err, size_t errlen) {
    aws_http_req req = {0};
    req.method = method;
    req.url = url;
    req.headers = headers;
    /* The metadata services answer in milliseconds or not at all; the SDKs
    ** give them a second. */
    req.connect_timeout_ms = 1000;
    req.timeout_ms = 2000;
    if (strcmp(method, "PUT") == 0) {
        req.body = "";
        req.body_len = 0;
    }
    memset(resp, 0, sizeof *resp);
    return io->transport(io->transport_ctx, &req, resp, err, errlen);
}

static void resp_free(aws_http_resp *r) {
    aws_free_secret(r->body);
    r->body = NULL;
}

static int creds_from_ecs(const aws_io *io, const char *url, aws_creds *out,
                          char *err, size_t errlen) {
    char *auth = NULL, hdr[8192];
    const char *tok_file = aws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *tok = aws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    if (tok_file) {
        size_t len;
        int r = aws_read_file(tok_file, 16384, &auth, &len, err, errlen);
        if (r) {
            if (r > 0)
                snprintf(err, errlen,
                         "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: no such "
                         "file",
                         tok_file);
            return -1;
        }
        while (len && (auth[len - 1] == '\n' || auth[len - 1] == '\r'))
            auth[--len] = '\0';
    } else if (tok) {
        auth = aws_strdup(tok);
        if (!auth) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    const char *headers[2] = {NULL, NULL};
    if (auth) {
        if (strpbrk(auth, "\r\n") ||
            snprintf(hdr, sizeof hdr, "Authorization: %s", auth) >=
                (int)sizeof hdr) {
            aws_free_secret(auth);
            snprintf(err, errlen, "container authorization token is malformed");
            return -1;
        }
        headers[0] = hdr;
    }
    aws_http_resp resp;
    char e2[AWS_ERR_MAX];
    int r = http_get(io, "GET", url, headers, &resp, e2, sizeof e2);
    aws_free_secret(auth);
    aws_wipe(hdr, sizeof hdr);
    if (r) {
        snprintf(err, errlen, "container credentials %s: %s", url, e2);
        return -1;
    }
    if (resp.status != 200) {
        snprintf(err, errlen, "container credentials %s: HTTP %ld", url,
                 resp.status);
        resp_free(&resp);
        return -1;
    }
    r = aws_creds_parse_json(resp.body, out, e2, sizeof e2);
    resp_free(&resp);
    if (r) {
        snprintf(err, errlen, "container credentials %s: %s", url, e2);
        return -1;
    }
    snprintf(out->source, sizeof out->source, "container credentials %.200s",
             url);
    return 0;
}

/* ---- EC2 instance metadata (IMDSv2) ---- */

static int imds_base(char *out, size_t n, char *err, size_t errlen) {
    const char *ep = aws_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    const char *mode = aws_env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    if (!ep)
        ep = mode && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]"
                                                    : "http://169.254.169.254";
    if (aws_copy(out, n, ep)) {
        snprintf(err, errlen, "AWS_EC2_METADATA_SERVICE_ENDPOINT is too long");
        return -1;
    }
    size_t l = strlen(out);
    while (l && out[l - 1] == '/') out[--l] = '\0';
    return 0;
}

static int creds_from_imds(const aws_io *io, aws_creds *out, char *err,
                           size_t errlen) {
    char base[512], url[1024], tokhdr[512], role[256], e2[AWS_ERR_MAX];
    if (imds_base(base, sizeof base, err, errlen)) return -1;
    aws_http_resp resp;
    const char *ttl[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL};
    snprintf(url, sizeof url, "%s/latest/api/token", base);
    if (http_get(io, "PUT", url, ttl, &resp, e2, sizeof e2)) {
        snprintf(err, errlen, "EC2 instance metadata %.120s: %.300s", base, e2);
        return -1;
    }
    if (resp.status != 200 || !resp.len || resp.len > 400 ||
        strpbrk(resp.body, "\r\n")) {
        snprintf(err, errlen,
                 "EC2 instance metadata %.200s: no IMDSv2 session token (HTTP "
                 "%ld)",
                 base, resp.status);
        resp_free(&resp);
        return -1;
    }
    snprintf(tokhdr, sizeof tokhdr, "X-aws-ec2-metadata-token: %s", resp.body);
    resp_free(&resp);
    const char *hdrs[] = {tokhdr, NULL};
    int rc = -1;
    snprintf(url, sizeof url, "%s/latest/meta-data/iam/security-credentials/",
             base);
    if (http_get(io, "GET", url, hdrs, &resp, e2, sizeof e2)) {
        snprintf(err, errlen, "EC2 instance metadata %.120s: %.300s", base, e2);
        goto out;
    }
    if (resp.status != 200) {
        snprintf(err, errlen,
                 "EC2 instance metadata %.200s: no instance role (HTTP %ld)", base,
                 resp.status);
        resp_free(&resp);
        goto out;
    }
    /* The role name is the first line: IAM's characters only, as it goes
    ** into the next URL's path (a space, '?', '#' or '%' would move it). */
    size_t rl = strcspn(resp.body, "\r\n");
    if (rl == 0 || rl >= sizeof role ||
        strspn(resp.body, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                          "+=,.@_-") < rl) {
        snprintf(err, errlen, "EC2 instance metadata %.200s: bad role name", base);
        resp_free(&resp);
        goto out;
    }
    memcpy(role, resp.body, rl);
    role[rl] = '\0';
    resp_free(&resp);
    snprintf(url, sizeof url,
             "%s/latest/meta-data/iam/security-credentials/%s", base, role);
    if (http_get(io, "GET", url, hdrs, &resp, e2, sizeof e2)) {
        snprintf(err, errlen, "EC2 instance metadata %.120s: %.300s", base, e2);
        goto out;
    }
    if (resp.status != 200) {
        snprintf(err, errlen,
                 "EC2 instance metadata %.200s: role %.100s credentials: HTTP %ld",
                 base, role, resp.status);
        resp_free(&resp);
        goto out;
    }
    int r = aws_creds_parse_json(resp.body, out, e2, sizeof e2);
    resp_free(&resp);
    if (r) {
        snprintf(err, errlen, "EC2 instance metadata %.120s: role %.100s: %.200s",
                 base, role, e2);
        goto out;
    }
    snprintf(out->source, sizeof out->source,
             "EC2 instance metadata %.120s, role %.100s", base, role);
    rc = 0;
out:
    aws_wipe(tokhdr, sizeof tokhdr);
    return rc;
}

/* ---- The chain ---- */

int aws_creds_chain(const aws_io *io, aws_creds *out, char *err,
                    size_t errlen) {
    /* 1. Environment. */
    const char *ak = aws_env("AWS_ACCESS_KEY_ID");
    const char *sk = aws_env("AWS_SECRET_ACCESS_KEY");
    if (ak || sk) {
        if (!ak || !sk) {
            snprintf(err, errlen, "%s is set but %s is not",
                     ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                     ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
            return -1;
        }
        if (creds_set(out, ak, sk, aws_env("AWS_SESSION_TOKEN"), err, errlen))
            return -1;
        snprintf(out->source, sizeof out->source,
                 "environment (AWS_ACCESS_KEY_ID%s)",
                 out->token ? ", AWS_SESSION_TOKEN" : "");
        return 0;
    }

    /* 2. Shared files. */
    char cpath[4096], fpath[4096];
    int have_c = aws_credentials_file_path(cpath, sizeof cpath) == 0;
    int have_f = aws_config_file_path(fpath, sizeof fpath) == 0;
    const char *profile = aws_profile_name();
    int r = aws_creds_from_files(have_c ? cpath : NULL, have_f ? fpath : NULL,
                                 profile, out, err, errlen);
    if (r < 0) return -1;
    if (r > 0) return 0;
    int named = aws_env("AWS_PROFILE") || aws_env("AWS_DEFAULT_PROFILE");
    if (named) {
        /* A profile the operator chose must not silently fall through to
        ** the instance's role. */
        if (!profile_exists(have_c ? cpath : NULL, have_f ? fpath : NULL,
                            profile))
            snprintf(err, errlen, "profile \"%s\" not found in %s or %s",
                     profile, have_c ? cpath : "(no credentials file)",
                     have_f ? fpath : "(no config file)");
        else
            snprintf(err, errlen, "profile \"%s\" has no aws_access_key_id",
                     profile);
        return -1;
    }

    /* 3. Container credentials. */
    char url[4096];
    r = aws_ecs_creds_url(url, sizeof url, err, errlen);
    if (r < 0) return -1;
    if (r > 0) return creds_from_ecs(io, url, out, err, errlen);

    /* 4. Instance metadata. */
    char e4[AWS_ERR_MAX] = "";
    if (!aws_env_true("AWS_EC2_METADATA_DISABLED")) {
        if (creds_from_imds(io, out, e4, sizeof e4) == 0) return 0;
    } else {
        snprintf(e4, sizeof e4, "EC2 instance metadata disabled "
                                "(AWS_EC2_METADATA_DISABLED)");
    }
    snprintf(err, errlen,
             "no AWS credentials found (tried AWS_ACCESS_KEY_ID, profile "
             "\"%s\" in %s and %s, container credentials, %s)",
             profile, have_c ? cpath : "(no HOME)",
             have_f ? fpath : "(no HOME)", e4);
    return -1;
}
