/*
** ini.c: the AWS shared credentials and config files, read the way the SDKs
** (Python's configparser under botocore) read them: [section] headers,
** "key = value" lines, '#' and ';' comment lines, keys compared without case,
** and an indented "key = value" under a key with an empty value forming a
** nested block (how "[services NAME]" sections give per-service settings).
**
** The files hold secrets, so every copy this reader makes is wiped.
**
** Where the two files are and which profile is read are decided here too,
** so that the credential chain (creds.c) and the endpoint resolver
** (endpoint.c) both call down into this file and it calls neither.
*/
#include "aws_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Collapses runs of white space in a section header to one space, so
** "[profile   dev]" names the profile "dev" as botocore does. */
static void squeeze(char *s) {
    char *w = s;
    int space = 0;
    for (char *r = s; *r; r++) {
        if (*r == ' ' || *r == '\t') {
            space = 1;
            continue;
        }
        if (space && w != s) *w++ = ' ';
        space = 0;
        *w++ = *r;
    }
    *w = '\0';
}

/* Called for each "key = value" of the file: `section` is the header's text
** with white space normalised ("default", "profile dev", "services x"),
** `parent` the key that opened a nested block ("" at the top level). Return
** non-zero to stop. */
typedef int (*ini_fn)(void *ctx, const char *section, const char *parent,
                      const char *key, const char *value);

static void ini_parse(const char *text, ini_fn fn, void *ctx) {
    size_t cap = 256;
    char *line = malloc(cap), *section = malloc(cap), *parent = malloc(cap);
    if (!line || !section || !parent) goto out;
    section[0] = parent[0] = '\0';
    int nested_ok = 0; /* the last top-level key had an empty value */
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n + 1 > cap) {
            size_t ncap = n + 1;
            char *a = malloc(ncap), *b = malloc(ncap), *c = malloc(ncap);
            if (!a || !b || !c) {
                free(a);
                free(b);
                free(c);
                goto out;
            }
            memcpy(b, section, strlen(section) + 1);
            memcpy(c, parent, strlen(parent) + 1);
            aws_wipe(line, cap);
            free(line);
            free(section);
            free(parent);
            line = a;
            section = b;
            parent = c;
            cap = ncap;
        }
        memcpy(line, p, n);
        line[n] = '\0';
        p = nl ? nl + 1 : p + n;

        int indented = line[0] == ' ' || line[0] == '\t';
        char *t = trim(line);
        if (*t == '\0' || *t == '#' || *t == ';') continue;
        size_t tl = strlen(t);
        if (*t == '[' && t[tl - 1] == ']') {
            t[tl - 1] = '\0';
            char *name = trim(t + 1);
            squeeze(name);
            memcpy(section, name, strlen(name) + 1);
            parent[0] = '\0';
            nested_ok = 0;
            continue;
        }
        /* The key ends at the first '=' or ':' (configparser's delimiters). */
        char *d = t + strcspn(t, "=:");
        if (*d == '\0') continue; /* not an assignment: ignored */
        *d = '\0';
        char *key = trim(t), *value = trim(d + 1);
        if (indented) {
            if (!nested_ok) continue; /* a continuation line: ignored */
            if (fn(ctx, section, parent, key, value)) break;
            continue;
        }
        nested_ok = *value == '\0';
        memcpy(parent, key, strlen(key) + 1);
        if (!nested_ok && fn(ctx, section, "", key, value)) break;
        if (!nested_ok) parent[0] = '\0';
    }
out:
    if (line) aws_wipe(line, cap);
    free(line);
    free(section);
    free(parent);
}

typedef struct {
    const char *section, *parent, *key;
    char *out;
    size_t n;
    int found;
} get_ctx;

static int get_cb(void *vctx, const char *section, const char *parent,
                  const char *key, const char *value) {
    get_ctx *g = vctx;
    if (strcmp(section, g->section) == 0 &&
        strcasecmp(parent, g->parent) == 0 && strcasecmp(key, g->key) == 0)
        g->found = aws_copy(g->out, g->n, value) ? -1 : 1;
    return 0;
}

int aws_ini_get(const char *text, const char *section, const char *parent,
                const char *key, char *out, size_t n) {
    get_ctx g = {section, parent ? parent : "", key, out, n, 0};
    ini_parse(text, get_cb, &g);
    if (g.found < 0) aws_wipe(out, n);
    return g.found;
}

/* Sections are found by scanning headers directly: a section with no keys
** still exists (and an explicitly named empty profile is not "not found"). */
int aws_ini_has_section(const char *text, const char *section) {
    const char *p = text;
    char buf[512];
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n < sizeof buf) {
            memcpy(buf, p, n);
            buf[n] = '\0';
            char *t = trim(buf);
            size_t tl = strlen(t);
            if (tl >= 2 && t[0] == '[' && t[tl - 1] == ']') {
                t[tl - 1] = '\0';
                char *name = trim(t + 1);
                squeeze(name);
                if (strcmp(name, section) == 0) return 1;
            }
        }
        p = nl ? nl + 1 : p + n;
    }
    return 0;
}

/* ---- where the files are, and for which profile ---- */

const char *aws_profile_name(void) {
    const char *p = aws_env("AWS_PROFILE");
    if (!p) p = aws_env("AWS_DEFAULT_PROFILE");
    return p ? p : "default";
}

static int home_path(const char *env, const char *rel, char *out, size_t n) {
    const char *v = aws_env(env);
    if (v) return aws_copy(out, n, v);
    const char *home = aws_env("HOME");
    if (!home) return -1;
    int k = snprintf(out, n, "%s/%s", home, rel);
    return k < 0 || (size_t)k >= n ? -1 : 0;
}

int aws_credentials_file_path(char *out, size_t n) {
    return home_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", out,
                     n);
}

int aws_config_file_path(char *out, size_t n) {
    return home_path("AWS_CONFIG_FILE", ".aws/config", out, n);
}

void aws_config_section(const char *profile, char *out, size_t n) {
    if (strcmp(profile, "default") == 0)
        snprintf(out, n, "default");
    else
        snprintf(out, n, "profile %s", profile);
}

int aws_config_get(const char *parent, const char *key, char *out, size_t n,
                   char *err, size_t errlen) {
    char path[4096], section[300];
    if (aws_config_file_path(path, sizeof path)) return 0;
    char *text = NULL;
    int r = aws_read_file(path, 1 << 20, &text, NULL, err, errlen);
    if (r) return r > 0 ? 0 : -1;
    aws_config_section(aws_profile_name(), section, sizeof section);
    int found = aws_ini_get(text, section, parent, key, out, n);
    /* botocore also reads [profile default] for the default profile. */
    if (found == 0 && strcmp(section, "default") == 0)
        found = aws_ini_get(text, "profile default", parent, key, out, n);
    aws_free_secret(text);
    if (found < 0) {
        snprintf(err, errlen, "%s: [%s] %s: value too long", path, section,
                 key);
        return -1;
    }
    return found;
}
