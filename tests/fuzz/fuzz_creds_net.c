/*
** fuzz_creds_net.c: the network half of the credential chain
** (aws_creds_chain in aws/creds.c): the ECS/EKS container credentials
** endpoint (RELATIVE_URI or FULL_URI, with an authorization token from the
** environment or a file) and the EC2 instance metadata service (IMDSv2: a
** session token, the role's name, its credentials), with every answer, and
** the environment that points at them, taken from the input. No request
** leaves the process: a scripted transport answers each one in turn.
**
** The input: byte 0 picks the path (0 container RELATIVE_URI, 1 container
** FULL_URI, 2 instance metadata, 3 instance metadata at an endpoint from
** the input); then parts, each a kind byte, a length (2 bytes, little
** endian) and that many bytes. The first parts set the environment the path
** reads (the URI or endpoint; for the container, the authorization token,
** through a file when the kind is odd); every later part answers the next
** request: kind % 8 gives 200, 200, 200, 404, 401, 500, a timeout or a
** refused connection, the bytes are the body. When the parts run out, a
** request is refused.
**
** Invariants: the chain answers with credentials (an access key and a
** secret, and where they came from) or a message; no request header holds
** a line break (a header injected by an answer); the role name an IMDS
** answer gives reaches the credentials URL only in IAM's characters.
** Web identity (AWS_WEB_IDENTITY_TOKEN_FILE) is not in the chain: a profile
** naming it is refused, which fuzz_creds covers.
*/
#include "fuzz.h"

#include "aws/aws_int.h"

typedef struct {
    const uint8_t *p, *end;
} parts;

/* The next part: 1 with its kind and bytes (a malloc'd NUL-terminated
** copy), 0 when the input is used up. */
static int next_part(parts *in, int *kind, char **text, size_t *len) {
    if (in->end - in->p < 3) return 0;
    *kind = in->p[0];
    size_t n = (size_t)in->p[1] | (size_t)in->p[2] << 8;
    in->p += 3;
    if (n > (size_t)(in->end - in->p)) n = (size_t)(in->end - in->p);
    *text = fz_str(in->p, n);
    *len = n;
    in->p += n;
    return 1;
}

static int iam_char(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("+=,.@_-", c) != NULL;
}

/* Instance metadata, where a role name from an answer goes into the URL
** of the third request (after the session token and the role's name). */
static int imds_path, nreq;

static void check_request(const aws_http_req *req) {
    static const char creds_path[] = "/latest/meta-data/iam/security-credentials/";
    for (const char *const *h = req->headers; h && *h; h++)
        if (strpbrk(*h, "\r\n")) abort(); /* a header injected */
    if (!imds_path || ++nreq != 3) return;
    /* The role follows the last occurrence (the endpoint, from the input,
    ** may hold the same text; the role holds no '/'). */
    const char *role = NULL;
    for (const char *p = req->url; (p = strstr(p, creds_path)) != NULL; p++) role = p;
    if (role)
        for (role += sizeof creds_path - 1; *role; role++)
            if (!iam_char((unsigned char)*role)) abort();
}

static int transport(void *ctx, const aws_http_req *req, aws_http_resp *resp, char *err,
                     size_t errlen) {
    static const long status[6] = {200, 200, 200, 404, 401, 500};
    parts *in = ctx;
    check_request(req);
    memset(resp, 0, sizeof *resp);
    int kind;
    char *body;
    size_t len;
    if (!next_part(in, &kind, &body, &len)) {
        kind = 7;
        body = NULL;
    }
    if (kind % 8 >= 6) {
        free(body);
        resp->net = kind % 8 == 6 ? AWS_NET_TIMEOUT : AWS_NET_CONNECT;
        snprintf(err, errlen, "fuzz transport: no answer");
        return -1;
    }
    resp->net = AWS_NET_OK;
    resp->status = status[kind % 8];
    resp->body = body;
    resp->len = len;
    return 0;
}

static const char *const vars[] = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
    "AWS_EC2_METADATA_DISABLED", NULL};

/* Sets `var` to the next part's bytes (none, or an empty part: unset). */
static void env_part(parts *in, const char *var, int *kind) {
    char *text;
    size_t len;
    *kind = 0;
    if (!next_part(in, kind, &text, &len)) return;
    if (len && strlen(text) == len) setenv(var, text, 1);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    for (const char *const *v = vars; *v; v++) unsetenv(*v);
    setenv("HOME", fz_dir(), 1); /* no shared files: on to the network */
    parts in = {data + 1, data + size};
    int path = data[0] % 4, kind;
    imds_path = path >= 2;
    nreq = 0;
    if (path <= 1) {
        env_part(&in, path ? "AWS_CONTAINER_CREDENTIALS_FULL_URI"
                           : "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 &kind);
        char *tok;
        size_t len;
        if (next_part(&in, &kind, &tok, &len)) {
            if (len && (kind & 1))
                setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                       fz_write("token", tok, len), 1);
            else if (len && strlen(tok) == len)
                setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", tok, 1);
            free(tok);
        }
        setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    } else if (path == 3) {
        env_part(&in, "AWS_EC2_METADATA_SERVICE_ENDPOINT", &kind);
        if (kind & 1) setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6", 1);
    }
    aws_io io = {transport, &in, NULL, NULL};
    aws_creds c = {0};
    char err[AWS_ERR_MAX];
    err[0] = '\0';
    if (aws_creds_chain(&io, &c, err, sizeof err) == 0) {
        if (!c.access_key || !c.secret_key || !*c.access_key || !*c.secret_key ||
            !c.source[0])
            abort();
    } else {
        fz_check_msg(err, sizeof err);
    }
    aws_creds_free(&c);
    return 0;
}
