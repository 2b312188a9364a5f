/*
** aws_int.h: what the files of aws/ share and nobody else sees: a growable
** string, form encoding, environment and file helpers, the shared-file (INI)
** reader, the credential chain and the libcurl transport.
*/
#ifndef SPOTBENCH_AWS_INT_H
#define SPOTBENCH_AWS_INT_H

#include "aws.h"

#include <stdarg.h>

/* ---- util.c ---- */

/* A growable NUL-terminated string. Zero-initialise it. Out of memory sets
** `oom` and makes further appends no-ops, so callers check once at the end. */
typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} aws_buf;

void aws_buf_add(aws_buf *b, const char *s, size_t n);
void aws_buf_puts(aws_buf *b, const char *s);
void aws_buf_printf(aws_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s percent-encoded as RFC 3986 (unreserved characters kept), which
** is how AWS wants Query parameters and SigV4 wants them canonicalised. */
void aws_buf_encode(aws_buf *b, const char *s);
/* Appends "&key=value" (no '&' when the buffer is empty), both encoded. */
void aws_buf_param(aws_buf *b, const char *key, const char *value);
/* Wipes and frees. */
void aws_buf_free(aws_buf *b);

/* Overwrites memory in a way the compiler may not drop (secrets). */
void aws_wipe(void *p, size_t n);
/* Wipes a string's bytes and frees it. NULL is fine. */
void aws_free_secret(char *s);
char *aws_strdup(const char *s);

/* getenv, but NULL when unset or empty. */
const char *aws_env(const char *name);
/* 1 when the variable is "true" (any case). */
int aws_env_true(const char *name);

/* Reads a whole file (at most `max` bytes) into a malloc'd NUL-terminated
** string. Returns 0, 1 when the file does not exist, -1 with a message. */
int aws_read_file(const char *path, size_t max, char **out, size_t *len,
                  char *err, size_t errlen);

/* Copies at most n-1 bytes and terminates; returns -1 when s did not fit. */
int aws_copy(char *dst, size_t n, const char *s);

/* Formats a message, scrubs the credentials' secrets out of it and hands it
** to the log callback. Does nothing when there is no callback. */
void aws_logf(aws_log_fn log, void *ctx, const aws_creds *scrub,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- ini.c: the shared credentials and config files ---- */

/* Called for each "key = value" of the file: `section` is the header's text
** with white space normalised ("default", "profile dev", "services x"),
** `parent` the key that opened a nested block ("" at the top level). Return
** non-zero to stop. */
typedef int (*aws_ini_fn)(void *ctx, const char *section, const char *parent,
                          const char *key, const char *value);
void aws_ini_parse(const char *text, aws_ini_fn fn, void *ctx);
/* The value of key in section (and nested under parent, "" for none); the
** last assignment wins. Returns 1 when found, 0 when not, -1 when it does not
** fit in out. Keys compare case-insensitively. */
int aws_ini_get(const char *text, const char *section, const char *parent,
                const char *key, char *out, size_t n);
/* 1 when the file has a section with that header text. */
int aws_ini_has_section(const char *text, const char *section);
/* The config file's section for a profile: "default" or "profile NAME". */
void aws_config_section(const char *profile, char *out, size_t n);
/* Reads one setting of the current profile from the config file. Returns 1
** when found, 0 when not (also when there is no file), -1 on error. */
int aws_config_get(const char *parent, const char *key, char *out, size_t n,
                   char *err, size_t errlen);

/* ---- creds.c ---- */

typedef struct {
    aws_transport_fn transport;
    void *transport_ctx;
    aws_log_fn log;
    void *log_ctx;
} aws_io;

/* Runs the credential chain. Returns 0 with *out filled, -1 with a message
** naming what was tried. */
int aws_creds_chain(const aws_io *io, aws_creds *out, char *err,
                    size_t errlen);

/* ---- http.c: the libcurl transport ---- */

/* ctx is a CURL easy handle (reused for keep-alive), or NULL for a fresh
** handle per request. */
int aws_curl_transport(void *ctx, const aws_http_req *req, aws_http_resp *resp,
                       char *err, size_t errlen);
void *aws_curl_handle_new(void);
void aws_curl_handle_free(void *h);

#endif
