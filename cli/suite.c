/*
** suite.c: the cases a command runs (compare, tune): a scenario file alone,
** or every subfolder of a folder holding a scenario.json (the layout of
** traces/scenarios), sorted by name.
*/
#include "cli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void cli_suite_free(cli_suite *s) {
    for (size_t i = 0; i < s->n; i++) {
        free(s->name[i]);
        free(s->path[i]);
    }
    free(s->name);
    free(s->path);
    memset(s, 0, sizeof *s);
}

static int add(cli_suite *s, const char *name, const char *path) {
    char **n = realloc(s->name, (s->n + 1) * sizeof *n);
    if (n) s->name = n;
    char **p = realloc(s->path, (s->n + 1) * sizeof *p);
    if (p) s->path = p;
    if (!n || !p) return -1;
    s->name[s->n] = strdup(name);
    s->path[s->n] = strdup(path);
    if (!s->name[s->n] || !s->path[s->n]) {
        free(s->name[s->n]);
        free(s->path[s->n]);
        return -1;
    }
    s->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_suite_load(const char *path, cli_suite *s) {
    memset(s, 0, sizeof *s);
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_error("%s: no such file or folder", path);
        return CLI_BADINPUT;
    }
    if (!S_ISDIR(st.st_mode)) {
        /* One scenario: named after its folder (traces/scenarios/X/...). */
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", path);
        char *slash = strrchr(buf, '/');
        const char *name = buf;
        if (slash) {
            *slash = '\0';
            char *up = strrchr(buf, '/');
            name = up ? up + 1 : buf;
        }
        if (add(s, name, path)) goto oom;
        return CLI_OK;
    }
    DIR *d = opendir(path);
    if (!d) {
        cli_error("%s: cannot read the folder", path);
        return CLI_BADINPUT;
    }
    char **names = NULL;
    size_t nn = 0;
    struct dirent *e;
    int rc = CLI_OK;
    while ((e = readdir(d))) {
        char sp[4096];
        if (e->d_name[0] == '.') continue;
        snprintf(sp, sizeof sp, "%s/%s/scenario.json", path, e->d_name);
        if (stat(sp, &st) != 0) continue;
        char **v = realloc(names, (nn + 1) * sizeof *v);
        if (!v || !(v[nn] = strdup(e->d_name))) {
            if (v) names = v;
            rc = -1;
            break;
        }
        names = v;
        nn++;
    }
    closedir(d);
    if (names) qsort(names, nn, sizeof *names, cmp_str);
    for (size_t i = 0; i < nn; i++) {
        char sp[4096];
        snprintf(sp, sizeof sp, "%s/%s/scenario.json", path, names[i]);
        if (rc == CLI_OK && add(s, names[i], sp)) rc = -1;
        free(names[i]);
    }
    free(names);
    if (rc) goto oom;
    if (s->n == 0) {
        cli_error("%s: no case (a subfolder with a scenario.json) in the folder", path);
        return CLI_BADINPUT;
    }
    return CLI_OK;
oom:
    cli_suite_free(s);
    cli_error("out of memory");
    return CLI_FAIL;
}

void cli_duration(char *buf, size_t n, int64_t s) {
    if (s < 60) snprintf(buf, n, "%llds", (long long)s);
    else if (s < 3600) snprintf(buf, n, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else snprintf(buf, n, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
}
