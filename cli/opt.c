/*
** opt.c: the one option parser every command uses. A command declares its
** options in a table (name, and the value's placeholder when it takes one)
** and reads its arguments with cli_next(); the spellings are the same
** everywhere:
**
**   --opt value   --opt=value   -o value   -ovalue (-j2)   --flag
**   --            the arguments after it are operands, even if they start
**                 with '-';  a lone '-' is an operand (standard input or
**                 output where the command says so)
**
** A misspelt option gets the closest one of the command suggested.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "traces/text.h"

void cli_args_init(cli_args *a, const char *topic, const char *what,
                   const cli_opt *opts, int argc, char **argv) {
    memset(a, 0, sizeof *a);
    a->topic = topic;
    a->what = what ? what : "";
    a->opts = opts;
    a->argc = argc;
    a->argv = argv;
    a->i = 1;
}

int cli_is(const cli_args *a, const char *name) {
    return a->opt && strcmp(a->opt, name) == 0;
}

int cli_jobs(const char *v, long *out) {
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 1 || n > 1024) return -1;
    *out = n;
    return 0;
}

int cli_is_kv(const char *kv) {
    const char *eq = strchr(kv, '=');
    return eq && eq != kv;
}

/* The table's option spelt `s` (len bytes of it), or NULL. */
static const cli_opt *find(const cli_opt *opts, const char *s, size_t len) {
    for (const cli_opt *o = opts; o && o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, s, len) == 0) return o;
    return NULL;
}

static int unknown(cli_args *a, const char *s, size_t len) {
    char word[128];
    snprintf(word, sizeof word, "%.*s", (int)(len < 120 ? len : 120), s);
    const char *names[128];
    size_t n = 0;
    for (const cli_opt *o = a->opts; o && o->name && n < 128; o++) names[n++] = o->name;
    const char *near = trc_closest(word, names, n);
    if (near)
        cli_usage(a->topic, "%sunknown option '%s' (did you mean '%s'?)", a->what, word,
                  near);
    else
        cli_usage(a->topic, "%sunknown option '%s'", a->what, word);
    return CLI_ARG_BAD;
}

int cli_next(cli_args *a) {
    a->opt = NULL;
    a->val = NULL;
    if (a->i >= a->argc) return CLI_ARG_END;
    const char *s = a->argv[a->i++];
    if (a->dashdash || s[0] != '-' || s[1] == '\0') {
        a->val = s;
        return CLI_ARG_POS;
    }
    if (strcmp(s, "--") == 0) {
        a->dashdash = 1;
        return cli_next(a);
    }
    const cli_opt *o;
    const char *inline_val = NULL;
    if (s[1] == '-') {
        /* --name or --name=value */
        const char *eq = strchr(s, '=');
        size_t len = eq ? (size_t)(eq - s) : strlen(s);
        if (!(o = find(a->opts, s, len))) return unknown(a, s, len);
        if (eq) inline_val = eq + 1;
    } else {
        /* -x, or -xVALUE for an option with a value */
        if (!(o = find(a->opts, s, 2))) return unknown(a, s, strlen(s));
        if (s[2]) {
            if (!o->arg) return unknown(a, s, strlen(s));
            inline_val = s + 2;
        }
    }
    a->opt = o->name;
    if (!o->arg) {
        if (inline_val) {
            cli_usage(a->topic, "%s%s takes no value", a->what, o->name);
            return CLI_ARG_BAD;
        }
        return CLI_ARG_OPT;
    }
    if (inline_val) {
        a->val = inline_val;
        return CLI_ARG_OPT;
    }
    if (a->i >= a->argc) {
        cli_usage(a->topic, "%s%s needs a value (%s)", a->what, o->name, o->arg);
        return CLI_ARG_BAD;
    }
    a->val = a->argv[a->i++];
    return CLI_ARG_OPT;
}

int cli_coverage(const char *topic, const char *v, double *out) {
    char *end;
    *out = strtod(v, &end);
    if (*end || !*v || !(*out >= 0 && *out <= 100))
        return cli_usage(topic, "--min-coverage %s: expected 0 to 100", v);
    /* A fraction where a percentage is wanted: 0.999 would ask for 0.999 %. */
    if (*out > 0 && *out <= 1)
        return cli_usage(topic, "--min-coverage %s: a percentage: %s means %s %% of the "
                         "required capacity, almost none; for %g %% write %g", v, v, v,
                         *out * 100, *out * 100);
    return 0;
}
