/*
** http.c: the libcurl transport: one request, one response. Requests to
** AWS are signed by libcurl itself (CURLOPT_AWS_SIGV4 with the access key and
** secret as user name and password); a session token goes in the
** X-Amz-Security-Token header, which libcurl then signs too.
**
** Never enabled here, on purpose: CURLOPT_VERBOSE (it would print the
** Authorization header and the token), redirects (they would carry the
** signature elsewhere), and protocols other than http and https.
**
** libcurl is not linked: aws_curl_new() loads it (dl.c) and the transport
** calls it through the table it fills. curl_easy_setopt and
** curl_easy_getinfo are macros in curl.h (type-checking wrappers), so the
** table's members have names of their own.
*/
#include "aws_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Responses larger than this are not AWS answers to our calls. */
#define MAX_RESPONSE (8u << 20)

typedef struct {
    aws_buf b;
    int too_big;
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *ctx) {
    sink *s = ctx;
    size_t len = size * n;
    if (s->b.len + len > MAX_RESPONSE) {
        s->too_big = 1;
        return 0; /* makes libcurl fail the transfer */
    }
    aws_buf_add(&s->b, p, len);
    return s->b.oom ? 0 : len;
}

/* Response headers, for callers that asked (keep_headers). libcurl hands
** each line with its CRLF; a redirect or 100-continue starts a new block,
** and only the last block is kept. */
static size_t on_header(char *p, size_t size, size_t n, void *ctx) {
    aws_buf *b = ctx;
    size_t len = size * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) b->len = 0;
    if (b->len + len > 65536) return len; /* ignore the excess, not fail */
    aws_buf_add(b, p, len);
    return b->oom ? 0 : len;
}

int aws_http_header(const char *headers, const char *name, char *out,
                    size_t n) {
    size_t nl = strlen(name);
    for (const char *l = headers; l && *l;) {
        const char *end = strchr(l, '\n');
        size_t ll = end ? (size_t)(end - l) : strlen(l);
        if (ll > nl && l[nl] == ':' && strncasecmp(l, name, nl) == 0) {
            const char *v = l + nl + 1, *e = l + ll;
            while (v < e && (*v == ' ' || *v == '\t')) v++;
            while (e > v && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
                e--;
            if ((size_t)(e - v) >= n) return 0;
            memcpy(out, v, (size_t)(e - v));
            out[e - v] = '\0';
            return 1;
        }
        l = end ? end + 1 : l + ll;
    }
    return 0;
}

/* The Debian package of libcurl.so.4, named when it cannot be loaded. */
#define PACKAGE "libcurl4"

struct aws_curl {
    void *so;
    int inited; /* curl_global_init succeeded: cleanup is owed */
    __typeof__(curl_global_init) *global_init;
    __typeof__(curl_global_cleanup) *global_cleanup;
    __typeof__(curl_easy_init) *easy_init;
    __typeof__(curl_easy_cleanup) *easy_cleanup;
    __typeof__(curl_easy_reset) *easy_reset;
    __typeof__(curl_easy_setopt) *setopt;
    __typeof__(curl_easy_perform) *perform;
    __typeof__(curl_easy_getinfo) *getinfo;
    __typeof__(curl_easy_strerror) *easy_strerror;
    __typeof__(curl_slist_append) *slist_append;
    __typeof__(curl_slist_free_all) *slist_free_all;
    CURL *h; /* reused for keep-alive */
};

aws_curl *aws_curl_new(const char *soname, char *err, size_t errlen) {
    aws_curl *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!(c->so = aws_dl_open(soname, PACKAGE, err, errlen))) goto fail;
#define SYM(field, name)                                                     \
    if (!AWS_DL_SYM(c, field, name, soname, PACKAGE, err, errlen)) goto fail;
    SYM(global_init, "curl_global_init")
    SYM(global_cleanup, "curl_global_cleanup")
    SYM(easy_init, "curl_easy_init")
    SYM(easy_cleanup, "curl_easy_cleanup")
    SYM(easy_reset, "curl_easy_reset")
    SYM(setopt, "curl_easy_setopt")
    SYM(perform, "curl_easy_perform")
    SYM(getinfo, "curl_easy_getinfo")
    SYM(easy_strerror, "curl_easy_strerror")
    SYM(slist_append, "curl_slist_append")
    SYM(slist_free_all, "curl_slist_free_all")
#undef SYM
    /* Counted by libcurl: each handle's init is matched by its cleanup, the
    ** last one releasing the TLS library. */
    CURLcode rc = c->global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "cannot initialise libcurl: %s",
                 c->easy_strerror(rc));
        goto fail;
    }
    c->inited = 1;
    if (!(c->h = c->easy_init())) {
        snprintf(err, errlen, "cannot create a libcurl handle");
        goto fail;
    }
    return c;
fail:
    aws_curl_free(c);
    return NULL;
}

void aws_curl_free(aws_curl *c) {
    if (!c) return;
    if (c->h) c->easy_cleanup(c->h);
    if (c->inited) c->global_cleanup();
    aws_dl_close(c->so);
    free(c);
}

static aws_net_status classify(CURLcode rc) {
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return AWS_NET_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return AWS_NET_CONNECT;
    default:
        return AWS_NET_OTHER;
    }
}

int aws_curl_transport(void *ctx, const aws_http_req *req, aws_http_resp *resp,
                       char *err, size_t errlen) {
    memset(resp, 0, sizeof *resp);
    const aws_curl *L = ctx;
    CURL *h = L->h;
    L->easy_reset(h);

    struct curl_slist *hdrs = NULL, *tmp;
    char tokhdr[4200];
    int bad = 0;
    tokhdr[0] = '\0';
    for (const char *const *p = req->headers; p && *p; p++) {
        if (!(tmp = L->slist_append(hdrs, *p))) bad = 1;
        else hdrs = tmp;
    }
    if (req->sigv4 && req->creds && req->creds->token) {
        /* A line break in the token would inject headers. */
        if (strpbrk(req->creds->token, "\r\n"))
            bad = 2;
        else if (snprintf(tokhdr, sizeof tokhdr, "X-Amz-Security-Token: %s",
                     req->creds->token) >= (int)sizeof tokhdr)
            bad = 1;
        else if (!(tmp = L->slist_append(hdrs, tokhdr)))
            bad = 1;
        else
            hdrs = tmp;
    }
    /* No "Expect:" line to suppress 100-continue: libcurl 7.88 would sign
    ** the removed header and AWS would reject the signature. Our bodies are
    ** far below the size at which libcurl sends Expect anyway. */

    sink s = {{0}, 0};
    char ebuf[CURL_ERROR_SIZE];
    ebuf[0] = '\0';
    L->setopt(h, CURLOPT_URL, req->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    L->setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    L->setopt(h, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
    /* No signals: libcurl must not install SIGALRM handlers, and a SIGINT
    ** to the process must not abort a transfer (the tick in flight ends). */
    L->setopt(h, CURLOPT_NOSIGNAL, 1L);
    L->setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    L->setopt(h, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
    L->setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    L->setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    L->setopt(h, CURLOPT_WRITEDATA, &s);
    aws_buf hb = {0};
    if (req->keep_headers) {
        L->setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        L->setopt(h, CURLOPT_HEADERDATA, &hb);
    }
    L->setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    L->setopt(h, CURLOPT_USERAGENT, "spotbench-live/0.1");
    L->setopt(h, CURLOPT_HTTPHEADER, hdrs);
    /* Loopback (local fakes) and the link-local credential endpoints are
    ** never reached through a proxy from the environment. */
    if (aws_url_is_loopback(req->url) || !req->sigv4)
        L->setopt(h, CURLOPT_NOPROXY, "*");
    const char *ca = aws_env("AWS_CA_BUNDLE");
    if (ca) L->setopt(h, CURLOPT_CAINFO, ca);
    if (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0) {
        L->setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        L->setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body ? req->body_len : 0));
        if (strcmp(req->method, "PUT") == 0)
            L->setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
    } else {
        L->setopt(h, CURLOPT_HTTPGET, 1L);
    }
    if (req->sigv4 && req->creds) {
        L->setopt(h, CURLOPT_AWS_SIGV4, req->sigv4);
        L->setopt(h, CURLOPT_USERNAME, req->creds->access_key);
        L->setopt(h, CURLOPT_PASSWORD, req->creds->secret_key);
    }

    int rc = -1;
    if (bad) {
        resp->net = AWS_NET_OTHER;
        snprintf(err, errlen, "%s",
                 bad == 2 ? "the session token contains a line break"
                          : "out of memory building request headers");
    } else {
        CURLcode cc = L->perform(h);
        if (cc == CURLE_OK && !s.b.oom) {
            long status = 0;
            L->getinfo(h, CURLINFO_RESPONSE_CODE, &status);
            if (!s.b.s) aws_buf_add(&s.b, "", 0);
            if (!s.b.oom) {
                resp->net = AWS_NET_OK;
                resp->status = status;
                resp->body = s.b.s;
                resp->len = s.b.len;
                s.b.s = NULL;
                rc = 0;
                if (req->keep_headers) {
                    if (!hb.s) aws_buf_add(&hb, "", 0);
                    resp->headers = hb.oom ? NULL : hb.s;
                    hb.s = NULL;
                }
            }
        }
        if (rc) {
            resp->net = s.too_big || s.b.oom ? AWS_NET_OTHER : classify(cc);
            /* libcurl's messages name hosts and errors, never credentials. */
            snprintf(err, errlen, "%s",
                     s.too_big  ? "response larger than 8 MiB"
                     : s.b.oom  ? "out of memory reading the response"
                     : ebuf[0]  ? ebuf
                                : L->easy_strerror(cc));
        }
    }
    /* Drop libcurl's copies of the secrets from the reused handle now. */
    L->setopt(h, CURLOPT_USERNAME, NULL);
    L->setopt(h, CURLOPT_PASSWORD, NULL);
    L->setopt(h, CURLOPT_HTTPHEADER, NULL);
    L->setopt(h, CURLOPT_ERRORBUFFER, NULL);
    /* The list holds a copy of the session token header. */
    for (struct curl_slist *l = hdrs; l; l = l->next) aws_wipe(l->data, strlen(l->data));
    L->slist_free_all(hdrs);
    aws_wipe(tokhdr, sizeof tokhdr);
    aws_buf_free(&s.b);
    aws_buf_free(&hb);
    return rc;
}
