/*
** endpoint.c: which region and which URL each service is called at, and the
** rule that keeps requests off plain http: signed requests carry a session
** token and a signature an eavesdropper could replay within minutes, so http
** is allowed only to a loopback address (a local fake or proxy) and anything
** else must be https.
*/
#include "aws_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *key, *signing, *env, *config;
} services[AWS_NSERVICES] = {
    {"cloudwatch", "monitoring", "AWS_ENDPOINT_URL_CLOUDWATCH", "cloudwatch"},
    {"autoscaling", "autoscaling", "AWS_ENDPOINT_URL_AUTO_SCALING",
     "auto_scaling"},
    {"ec2", "ec2", "AWS_ENDPOINT_URL_EC2", "ec2"},
};

const char *aws_service_key(aws_service s) {
    return (unsigned)s < AWS_NSERVICES ? services[s].key : NULL;
}

const char *aws_service_signing_name(aws_service s) {
    return (unsigned)s < AWS_NSERVICES ? services[s].signing : NULL;
}

/* Splits a URL's scheme and host. Returns 0, or -1 with a reason. */
static int url_parts(const char *url, char *scheme, size_t sn, char *host,
                     size_t hn, const char **why) {
    const char *sep = strstr(url, "://");
    if (!sep || sep == url || (size_t)(sep - url) >= sn) {
        *why = "not an http:// or https:// URL";
        return -1;
    }
    memcpy(scheme, url, (size_t)(sep - url));
    scheme[sep - url] = '\0';
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= ' ' || *p == 0x7f) {
            *why = "contains white space or control characters";
            return -1;
        }
    const char *auth = sep + 3;
    size_t alen = strcspn(auth, "/?#");
    if (auth[alen] == '?' || auth[alen] == '#' || strpbrk(auth, "?#")) {
        *why = "must not have a query or fragment";
        return -1;
    }
    if (memchr(auth, '@', alen)) {
        *why = "user info (user@host) is not allowed";
        return -1;
    }
    const char *port = NULL;
    size_t hlen;
    if (auth[0] == '[') {
        const char *close = memchr(auth, ']', alen);
        if (!close) {
            *why = "unterminated [IPv6] host";
            return -1;
        }
        hlen = (size_t)(close - auth - 1);
        if (hlen == 0 || hlen >= hn) {
            *why = "bad [IPv6] host";
            return -1;
        }
        memcpy(host, auth + 1, hlen);
        host[hlen] = '\0';
        for (size_t i = 0; i < hlen; i++)
            if (!isxdigit((unsigned char)host[i]) && host[i] != ':' &&
                host[i] != '.') {
                *why = "bad [IPv6] host";
                return -1;
            }
        if (close + 1 < auth + alen) {
            if (close[1] != ':') {
                *why = "junk after the [IPv6] host";
                return -1;
            }
            port = close + 2;
        }
    } else {
        const char *colon = memchr(auth, ':', alen);
        hlen = colon ? (size_t)(colon - auth) : alen;
        if (hlen == 0 || hlen >= hn) {
            *why = "no host";
            return -1;
        }
        memcpy(host, auth, hlen);
        host[hlen] = '\0';
        for (size_t i = 0; i < hlen; i++)
            if (!isalnum((unsigned char)host[i]) && host[i] != '.' &&
                host[i] != '-') {
                *why = "bad character in host";
                return -1;
            }
        if (colon) port = colon + 1;
    }
    if (port) {
        const char *end = auth + alen;
        long v = 0;
        if (port == end) {
            *why = "empty port";
            return -1;
        }
        for (const char *p = port; p < end; p++) {
            if (!isdigit((unsigned char)*p) || (v = v * 10 + (*p - '0')) > 65535) {
                *why = "bad port";
                return -1;
            }
        }
    }
    return 0;
}

/* 127.0.0.0/8 written as exactly four decimal octets. */
static int ipv4_loopback(const char *h) {
    int parts = 0;
    const char *p = h;
    int first = -1;
    while (1) {
        if (!isdigit((unsigned char)*p)) return 0;
        int v = 0, digits = 0;
        while (isdigit((unsigned char)*p)) {
            v = v * 10 + (*p++ - '0');
            if (++digits > 3 || v > 255) return 0;
        }
        if (first < 0) first = v;
        parts++;
        if (*p == '\0') break;
        if (*p++ != '.') return 0;
    }
    return parts == 4 && first == 127;
}

static int host_is_loopback(const char *h) {
    return strcasecmp(h, "localhost") == 0 || ipv4_loopback(h) ||
           strcmp(h, "::1") == 0;
}

int aws_url_is_loopback(const char *url) {
    char scheme[16], host[256];
    const char *why;
    if (url_parts(url, scheme, sizeof scheme, host, sizeof host, &why))
        return 0;
    return host_is_loopback(host);
}

int aws_url_check(const char *url, char *err, size_t errlen) {
    char scheme[16], host[256];
    const char *why = NULL;
    if (url_parts(url, scheme, sizeof scheme, host, sizeof host, &why)) {
        /* The URL is not quoted when it may carry user info. */
        if (strchr(url, '@'))
            snprintf(err, errlen, "endpoint URL: %s", why);
        else
            snprintf(err, errlen, "endpoint %.200s: %s", url, why);
        return -1;
    }
    if (strcasecmp(scheme, "https") == 0) return 0;
    if (strcasecmp(scheme, "http") != 0) {
        snprintf(err, errlen, "endpoint %.200s: not an http:// or https:// URL",
                 url);
        return -1;
    }
    if (!host_is_loopback(host)) {
        snprintf(err, errlen,
                 "endpoint %.200s: plain http is allowed only to a loopback "
                 "address (127.0.0.0/8, [::1], localhost); use https",
                 url);
        return -1;
    }
    return 0;
}

static int region_ok(const char *r) {
    size_t n = strlen(r);
    if (n == 0 || n > 40 || !islower((unsigned char)r[0])) return 0;
    for (size_t i = 0; i < n; i++)
        if (!islower((unsigned char)r[i]) && !isdigit((unsigned char)r[i]) &&
            r[i] != '-')
            return 0;
    return 1;
}

int aws_region_resolve(const char *explicit_region, char *out, size_t n,
                       char *err, size_t errlen) {
    const char *from = "the live config's \"region\"";
    const char *r = explicit_region && *explicit_region ? explicit_region : NULL;
    char cfg[128];
    if (!r && (r = aws_env("AWS_REGION"))) from = "AWS_REGION";
    if (!r && (r = aws_env("AWS_DEFAULT_REGION"))) from = "AWS_DEFAULT_REGION";
    if (!r) {
        int f = aws_config_get("", "region", cfg, sizeof cfg, err, errlen);
        if (f < 0) return -1;
        if (f > 0) {
            r = cfg;
            from = "the config file's region";
        }
    }
    if (!r) {
        snprintf(err, errlen,
                 "no AWS region: set \"region\" in the live config, "
                 "AWS_REGION, or region in the config file's profile");
        return -1;
    }
    if (!region_ok(r)) {
        snprintf(err, errlen, "%s: \"%.60s\" is not a region name", from, r);
        return -1;
    }
    return aws_copy(out, n, r);
}

static int take_url(const char *url, const char *from, char *out, size_t n,
                    char *err, size_t errlen) {
    if (aws_url_check(url, err, errlen)) {
        /* Prefix where it came from: the operator has several places. */
        char e2[AWS_ERR_MAX];
        snprintf(e2, sizeof e2, "%s: %s", from, err);
        snprintf(err, errlen, "%s", e2);
        return -1;
    }
    if (aws_copy(out, n, url)) {
        snprintf(err, errlen, "%s: URL too long", from);
        return -1;
    }
    size_t l = strlen(out);
    /* Keep "scheme://host" intact; drop a trailing slash of a path. */
    while (l && out[l - 1] == '/' && l > strlen("https://x")) out[--l] = '\0';
    return 0;
}

int aws_endpoint_resolve(aws_service s, const char *region,
                         const char *explicit_url, char *out, size_t n,
                         char *err, size_t errlen) {
    if ((unsigned)s >= AWS_NSERVICES) {
        snprintf(err, errlen, "unknown service");
        return -1;
    }
    if (explicit_url && *explicit_url) {
        char from[64];
        snprintf(from, sizeof from, "endpoints.%s", services[s].key);
        return take_url(explicit_url, from, out, n, err, errlen);
    }
    if (!aws_env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
        const char *v = aws_env(services[s].env);
        if (v) return take_url(v, services[s].env, out, n, err, errlen);
        if ((v = aws_env("AWS_ENDPOINT_URL")))
            return take_url(v, "AWS_ENDPOINT_URL", out, n, err, errlen);
        char svc[128], url[1024], sect[200];
        int f = aws_config_get("", "services", svc, sizeof svc, err, errlen);
        if (f < 0) return -1;
        if (f > 0) {
            /* [services NAME] / cloudwatch = / endpoint_url = URL */
            char path[4096], *text = NULL;
            snprintf(sect, sizeof sect, "services %s", svc);
            if (aws_config_file_path(path, sizeof path) == 0 &&
                aws_read_file(path, 1 << 20, &text, NULL, err, errlen) == 0) {
                f = aws_ini_get(text, sect, services[s].config, "endpoint_url",
                                url, sizeof url);
                aws_free_secret(text);
                if (f > 0)
                    return take_url(url, "config file services section", out,
                                    n, err, errlen);
            }
        }
        f = aws_config_get("", "endpoint_url", url, sizeof url, err, errlen);
        if (f < 0) return -1;
        if (f > 0)
            return take_url(url, "config file endpoint_url", out, n, err,
                            errlen);
    }
    if (!region || !region_ok(region)) {
        snprintf(err, errlen, "no valid region for the %s endpoint",
                 services[s].key);
        return -1;
    }
    int k = snprintf(out, n, "https://%s.%s.amazonaws.com%s",
                     services[s].signing, region,
                     strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
    if (k < 0 || (size_t)k >= n) {
        snprintf(err, errlen, "endpoint URL too long");
        return -1;
    }
    return 0;
}
