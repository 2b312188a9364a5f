/*
** util.c: small helpers the rest of aws/ builds on: a growable string,
** RFC 3986 encoding, secret wiping and redaction, environment and file
** reading, and the log helper that scrubs secrets before a line leaves.
*/
#include "aws_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "traces/text.h"

static void buf_grow(aws_buf *b, size_t need) {
    if (b->oom) return;
    if (b->len + need + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 128;
    while (cap < b->len + need + 1) cap *= 2;
    char *s = malloc(cap);
    if (!s) {
        b->oom = 1;
        return;
    }
    /* Copy and wipe rather than realloc: buffers may hold request bodies
    ** or credential responses, and realloc would leave old copies behind. */
    if (b->s) {
        memcpy(s, b->s, b->len + 1);
        aws_wipe(b->s, b->cap);
        free(b->s);
    }
    b->s = s;
    b->cap = cap;
}

void aws_buf_add(aws_buf *b, const char *s, size_t n) {
    buf_grow(b, n);
    if (b->oom) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void aws_buf_puts(aws_buf *b, const char *s) { aws_buf_add(b, s, strlen(s)); }

static int unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '~';
}

/* Appends s percent-encoded as RFC 3986 (unreserved characters kept), which
** is how AWS wants Query parameters and SigV4 wants them canonicalised. */
static void buf_encode(aws_buf *b, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (unreserved(*p)) {
            aws_buf_add(b, (const char *)p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            aws_buf_add(b, e, 3);
        }
    }
}

void aws_buf_param(aws_buf *b, const char *key, const char *value) {
    if (b->len) aws_buf_add(b, "&", 1);
    buf_encode(b, key);
    aws_buf_add(b, "=", 1);
    buf_encode(b, value);
}

void aws_buf_free(aws_buf *b) {
    if (b->s) {
        aws_wipe(b->s, b->cap);
        free(b->s);
    }
    b->s = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

void aws_wipe(void *p, size_t n) {
    /* Through a volatile pointer so the stores are not optimised away as
    ** dead before free(). */
    volatile unsigned char *v = p;
    while (n--) *v++ = 0;
}

void aws_free_secret(char *s) {
    if (!s) return;
    aws_wipe(s, strlen(s));
    free(s);
}

char *aws_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

const char *aws_env(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

int aws_env_true(const char *name) {
    const char *v = aws_env(name);
    return v && strcasecmp(v, "true") == 0;
}

int aws_copy(char *dst, size_t n, const char *s) {
    if (n == 0) return -1;
    size_t l = strlen(s);
    if (l >= n) {
        memcpy(dst, s, n - 1);
        dst[n - 1] = '\0';
        return -1;
    }
    memcpy(dst, s, l + 1);
    return 0;
}

int aws_read_file(const char *path, size_t max, char **out, size_t *len,
                  char *err, size_t errlen) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) return 1;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    aws_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > max) {
            snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
            aws_wipe(chunk, sizeof chunk);
            aws_buf_free(&b);
            fclose(f);
            return -1;
        }
        aws_buf_add(&b, chunk, n);
    }
    aws_wipe(chunk, sizeof chunk);
    int bad = ferror(f);
    fclose(f);
    if (bad || b.oom) {
        snprintf(err, errlen, "%s: %s", path,
                 bad ? "read error" : "out of memory");
        aws_buf_free(&b);
        return -1;
    }
    if (!b.s) aws_buf_add(&b, "", 0);
    if (b.oom) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    *out = b.s;
    if (len) *len = b.len;
    return 0;
}

/* Any run of this many characters of a secret is redacted, wherever it
** appears: a server (or a proxy) may echo a secret whole, percent-encoded,
** cut at a field's end or as a prefix inside a message. 16 random
** characters of an access key, a secret key or a session token are no
** accident in other text. */
#define RUN 16

/* Marks in mark[0..n) every byte of s[0..n) that lies in a run of RUN or
** more characters of `secret` (the whole secret when it is shorter, if it
** has 4 characters at least): each RUN-character window of s that occurs in
** the secret, found through a hash table of the secret's windows (rolling
** polynomial hash, checked byte by byte). Returns 0, or -1 when out of
** memory. */
static int mark_runs(const char *s, size_t n, unsigned char *mark, const char *secret) {
    size_t sl = secret ? strlen(secret) : 0;
    if (sl < 4) return 0; /* too short to be one */
    if (sl < RUN) {
        for (const char *hit = s; (hit = strstr(hit, secret)) != NULL; hit++)
            memset(mark + (hit - s), 1, sl);
        return 0;
    }
    if (n < RUN) return 0;
    const uint64_t B = 1099511628211ULL;
    uint64_t top = 1; /* B^(RUN-1) */
    for (int k = 1; k < RUN; k++) top *= B;
    size_t nw = sl - RUN + 1, cap = 16;
    while (cap < 2 * nw) cap *= 2;
    uint64_t *hs = calloc(cap, sizeof *hs);
    size_t *pos = calloc(cap, sizeof *pos); /* window start + 1; 0: empty */
    if (!hs || !pos) {
        free(hs);
        free(pos);
        return -1;
    }
    uint64_t h = 0;
    for (size_t i = 0; i < sl; i++) {
        if (i >= RUN) h -= top * (unsigned char)secret[i - RUN];
        h = h * B + (unsigned char)secret[i];
        if (i + 1 < RUN) continue;
        size_t j = (size_t)(h ^ (h >> 29)) & (cap - 1);
        while (pos[j]) j = (j + 1) & (cap - 1);
        hs[j] = h;
        pos[j] = i + 2 - RUN;
    }
    h = 0;
    for (size_t i = 0; i < n; i++) {
        if (i >= RUN) h -= top * (unsigned char)s[i - RUN];
        h = h * B + (unsigned char)s[i];
        if (i + 1 < RUN) continue;
        const char *w = s + i + 1 - RUN;
        for (size_t j = (size_t)(h ^ (h >> 29)) & (cap - 1); pos[j]; j = (j + 1) & (cap - 1))
            if (hs[j] == h && memcmp(w, secret + pos[j] - 1, RUN) == 0) {
                memset(mark + (w - s), 1, RUN);
                break;
            }
    }
    aws_wipe(hs, cap * sizeof *hs);
    aws_wipe(pos, cap * sizeof *pos);
    free(hs);
    free(pos);
    return 0;
}

char *aws_redact(const char *s, const aws_creds *c) {
    if (!s) s = "";
    if (!c) return aws_strdup(s);
    size_t n = strlen(s);
    unsigned char *mark = calloc(n + 1, 1);
    if (!mark) return NULL;
    const char *secrets[3] = {c->secret_key, c->token, c->access_key};
    int bad = 0;
    for (int i = 0; i < 3 && !bad; i++) {
        if (!secrets[i]) continue;
        /* Also the percent-encoded spelling: a secret with '/' or '+' may
        ** come back from a server as it was sent in a URL or form. */
        aws_buf enc = {0};
        buf_encode(&enc, secrets[i]);
        bad = enc.oom || mark_runs(s, n, mark, secrets[i]) ||
              mark_runs(s, n, mark, enc.s);
        aws_buf_free(&enc);
    }
    aws_buf b = {0};
    for (size_t i = 0; i < n && !bad;) {
        size_t j = i;
        while (j < n && mark[j] == mark[i]) j++;
        if (mark[i]) aws_buf_puts(&b, "[redacted]");
        else aws_buf_add(&b, s + i, j - i);
        i = j;
    }
    if (!b.s) aws_buf_add(&b, "", 0);
    free(mark);
    if (bad || b.oom) {
        aws_buf_free(&b);
        return NULL;
    }
    return b.s;
}

char *aws_clean(const char *s, const aws_creds *c) {
    char *r = aws_redact(s, c);
    if (!r) return NULL;
    char *e = trc_esc_dup(r);
    aws_free_secret(r);
    return e;
}

void aws_logf(aws_log_fn log, void *ctx, const aws_creds *scrub,
              const char *fmt, ...) {
    if (!log) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    char *s = malloc((size_t)n + 1);
    if (!s) return;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    char *clean = aws_clean(s, scrub);
    aws_free_secret(s);
    if (clean) log(ctx, clean);
    aws_free_secret(clean);
}
