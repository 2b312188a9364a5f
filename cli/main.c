/*
** main.c: the spotbench binary's entry point: global options and the
** subcommand table.
*/
#include "cli.h"
#include "version.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "traces/text.h"

#ifndef SPOTBENCH_VERSION
#define SPOTBENCH_VERSION "0.1.0"
#endif
#ifndef SPOTBENCH_GIT_REV
#define SPOTBENCH_GIT_REV "unknown"
#endif

static const cli_command commands[] = {
    {"run", "simulate a scenario with one or more policies and store the runs",
     cmd_run_usage, cmd_run, cmd_run_opts, 0},
    {"regress", "run the outage cases and check their bounds", cmd_regress_usage,
     cmd_regress, cmd_regress_opts, 0},
    {"sensitivity", "a scenario's cost and coverage over ingestion delays and "
                    "schedule seconds, per policy",
     cmd_sensitivity_usage, cmd_sensitivity, cmd_sensitivity_opts, 1},
    {"compare", "every case of a suite with each policy: the regret table",
     cmd_compare_usage, cmd_compare, cmd_compare_opts, 0},
    {"tune", "the cheapest parameters meeting a coverage on every case (a search)",
     cmd_tune_usage, cmd_tune, cmd_tune_opts, 1},
    {"sweep", "run a parameter sweep on worker processes; print its Pareto fronts",
     cmd_sweep_usage, cmd_sweep, cmd_sweep_opts, 0},
    {"best", "the cheapest parameter set of a sweep meeting a coverage",
     cmd_best_usage, cmd_best, cmd_best_opts, 1},
    {"ls", "list the sweeps, tunes and compares a database holds",
     cmd_ls_usage, cmd_ls, cmd_ls_opts, 0},
    {"export", "a sweep's runs (or every run) as CSV or JSON Lines, one row a run",
     cmd_export_usage, cmd_export, cmd_export_opts, 0},
    {"report", "one self-contained HTML report of sweeps, a tune or a compare",
     cmd_report_usage, cmd_report, cmd_report_opts, 0},
    {"merge", "combine the databases of a sharded sweep", cmd_merge_usage, cmd_merge,
     cmd_merge_opts, 1},
    {"plot", "draw a sweep's frontier or heatmap, or a run's timeline (gnuplot)",
     cmd_plot_usage, cmd_plot, cmd_plot_opts, 1},
    {"policy", "list the policies or evaluate one on observations",
     cmd_policy_usage, cmd_policy, cmd_policy_opts, 0},
    {"live", "run a policy against a live Spot Fleet and on-demand ASG",
     cmd_live_usage, cmd_live, cmd_live_opts, 0},
    {"lambda", "the live controller as an AWS Lambda function (custom runtime)",
     cmd_lambda_usage, cmd_lambda, cmd_lambda_opts, 0},
    {"deploy", "write a CloudFormation stack or live config for a tuned scenario",
     cmd_deploy_usage, cmd_deploy, cmd_deploy_opts, 1},
    {"trace", "import AWS price and metric exports as CSV traces; check them",
     cmd_trace_usage, cmd_trace, cmd_trace_opts, 0},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

const char *cli_version(void) {
    return SPOTBENCH_VERSION " (" SPOTBENCH_GIT_REV ")";
}

/* Prints "spotbench: " and the message, its control characters escaped
** (trc_esc): a message may quote a server's text or a key of an input file,
** and must stay one line on a terminal, in journald and in CloudWatch Logs. */
static void put_message(const char *fmt, va_list ap) {
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL, *e = NULL;
    if (s) vsnprintf(s, (size_t)n + 1, fmt, again);
    va_end(again);
    if (s) e = trc_esc_dup(s);
    fputs("spotbench: ", stderr);
    fputs(e ? e : "out of memory formatting a message", stderr);
    free(s);
    free(e);
}

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    put_message(fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    put_message(fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'spotbench help %s'.\n", cmd);
    return CLI_BADINPUT;
}

int cli_out_check(const char *path) {
    char err[1024];
    if (trc_out_check(path, err, sizeof err) == 0) return CLI_OK;
    cli_error("%s", err);
    return CLI_BADINPUT;
}

int cli_out_open(trc_out *o, const char *path) {
    char err[1024];
    int rc = cli_out_check(path);
    if (rc) return rc;
    if (trc_out_open(o, path, err, sizeof err) == 0) return CLI_OK;
    cli_error("%s", err);
    return CLI_FAIL;
}

int cli_out_close(trc_out *o, int ok) {
    char err[1024];
    if (!ok) {
        trc_out_abort(o);
        return CLI_FAIL;
    }
    if (trc_out_commit(o, err, sizeof err) == 0) return CLI_OK;
    cli_error("%s", err);
    return CLI_FAIL;
}

cJSON *cli_json_str(const char *s) {
    char *clean = trc_utf8_clean(s ? s : "");
    cJSON *j = clean ? cJSON_CreateString(clean) : NULL;
    free(clean);
    return j;
}

void cli_json_kv(cJSON *o, const char *kv) {
    const char *eq = strchr(kv, '=');
    if (!eq) return;
    char key[256];
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
    cJSON *v = cJSON_Parse(eq + 1);
    cJSON_AddItemToObject(o, key, v ? v : cli_json_str(eq + 1));
}

void cli_json_interval(cJSON *o, const char *key, double lo, double hi) {
    cJSON *ci = cJSON_AddArrayToObject(o, key);
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(lo));
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(hi));
}

int cli_json_print(cJSON *doc) {
    char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    if (!text) {
        cli_error("out of memory writing JSON");
        return CLI_FAIL;
    }
    puts(text);
    cJSON_free(text);
    if (fflush(stdout) != 0) {
        cli_error("standard output: write error");
        return CLI_FAIL;
    }
    return CLI_OK;
}

int cli_json_error(int rc, const char *msg) {
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "error", cli_json_str(msg));
    cJSON_AddNumberToObject(doc, "exit_status", rc);
    cli_json_print(doc);
    return rc;
}

int cli_argv_json(int argc, char **argv) {
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--json") == 0) return 1;
    return 0;
}

void cli_jout_init(cli_jout *j, int argc, char **argv) {
    j->json = cli_argv_json(argc, argv);
    j->said = 0;
}

int cli_jfailv(cli_jout *j, int rc, const char *fmt, va_list ap) {
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    cli_error("%s", msg);
    if (!j->json || j->said) return rc;
    j->said = 1;
    return cli_json_error(rc, msg);
}

int cli_jfail(cli_jout *j, int rc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    cli_jfailv(j, rc, fmt, ap);
    va_end(ap);
    return rc;
}

int cli_jdone(cli_jout *j, int rc) {
    if (rc == CLI_OK || !j->json || j->said) return rc;
    j->said = 1;
    return cli_json_error(rc, rc == CLI_BADINPUT ? "bad input (the message is on stderr)"
                                                 : "failed (the message is on stderr)");
}

int cli_unknown_policy(const char *name) {
    const char *names[32];
    size_t n = 0;
    for (const pol_policy *const *p = pol_list(); *p && n < 32; p++) names[n++] = (*p)->name;
    const char *near = trc_closest(name, names, n);
    cli_error("--policy %s: unknown policy (%s%s%ssee 'spotbench policy list')", name,
              near ? "did you mean '" : "", near ? near : "", near ? "'? " : "");
    return CLI_BADINPUT;
}

static void main_help(FILE *f) {
    fprintf(f,
            "spotbench %s: spot fleet fallback simulator, tuner and live "
            "controller\n\n"
            "usage: spotbench COMMAND [ARGS]...\n\n"
            "commands:\n",
            cli_version());
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-12s %s\n", "help", "show a command's help: spotbench help COMMAND");
    fprintf(f, "\nOptions take their value as --opt VALUE or --opt=VALUE (-j 2 or -j2);\n"
               "'--' ends the options. Exit status: 0 success, 1 a run-time failure\n"
               "(I/O, AWS, a failed check), 2 bad input (usage, a malformed file or\n"
               "value); 'spotbench help COMMAND' says more where a command adds to it.\n");
    fprintf(f, "\noptions:\n  --help     this text\n  --version  "
               "version and git revision\n");
}

static const char help_usage[] =
    "usage: spotbench help [COMMAND]\n"
    "       spotbench COMMAND --help\n"
    "       spotbench help --options COMMAND\n"
    "\n"
    "Without COMMAND, lists the commands; with one, prints its usage, options\n"
    "and examples (every example runs as written from the top of a spotbench\n"
    "checkout). --options lists the options COMMAND accepts, one per line, with\n"
    "the value each takes (what the shell completion offers).\n"
    "\n"
    "exit status: 0, or 2 for an unknown command.\n"
    "\n"
    "example:\n"
    "  spotbench help run\n";

static const cli_command *find(const char *name) {
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

/* "unknown command 'X'", with the closest command suggested. */
static int unknown_command(const char *pre, const char *name) {
    const char *names[NCOMMANDS + 1];
    for (size_t i = 0; i < NCOMMANDS; i++) names[i] = commands[i].name;
    names[NCOMMANDS] = "help";
    const char *near = trc_closest(name, names, NCOMMANDS + 1);
    if (near)
        cli_error("%sunknown command '%s' (did you mean '%s'?)", pre, name, near);
    else
        cli_error("%sunknown command '%s' (see spotbench --help)", pre, name);
    return CLI_BADINPUT;
}

static int help(int argc, char **argv) {
    if (argc < 3) {
        main_help(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[2], "help") == 0) {
        fputs(help_usage, stdout);
        return CLI_OK;
    }
    if (strcmp(argv[2], "--options") == 0) {
        const cli_command *h = argc > 3 ? find(argv[3]) : NULL;
        if (!h) return argc > 3 ? unknown_command("help: ", argv[3])
                                : cli_usage("help", "--options needs a COMMAND");
        /* Each option once, even when several subcommands share it. */
        for (const cli_opt *const *t = h->opts; *t; t++)
            for (const cli_opt *o = *t; o->name; o++) {
                int seen = 0;
                for (const cli_opt *const *u = h->opts; u <= t && !seen; u++)
                    for (const cli_opt *p = *u; p->name && p != o && !seen; p++)
                        seen = strcmp(p->name, o->name) == 0;
                if (!seen) printf("%s%s%s\n", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
            }
        return CLI_OK;
    }
    const cli_command *h = find(argv[2]);
    if (!h) return unknown_command("help: ", argv[2]);
    fputs(h->usage, stdout);
    return CLI_OK;
}

/* 1 when one of the command's option tables has --json. */
static int takes_json(const cli_command *cmd) {
    for (const cli_opt *const *t = cmd->opts; t && *t; t++)
        for (const cli_opt *o = *t; o->name; o++)
            if (strcmp(o->name, "--json") == 0) return 1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        main_help(stderr);
        return CLI_BADINPUT;
    }
    const char *c = argv[1];
    if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0) {
        main_help(stdout);
        return CLI_OK;
    }
    if (strcmp(c, "--version") == 0) {
        printf("spotbench %s\n", cli_version());
        return CLI_OK;
    }
    if (strcmp(c, "help") == 0) return help(argc, argv);
    const cli_command *cmd = find(c);
    /* Options before the command (spotbench --db f.db ls): the command's
    ** own, read after it as if given there. */
    for (int i = 2; !cmd && c[0] == '-' && i < argc && strcmp(argv[i - 1], "--") != 0; i++) {
        if (!(cmd = find(argv[i]))) continue;
        char *name = argv[i];
        memmove(&argv[2], &argv[1], (size_t)(i - 1) * sizeof *argv);
        argv[1] = name;
        c = name;
    }
    if (!cmd) return unknown_command("", c);
    /* --help anywhere before "--" asks for the command's help. */
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(cmd->usage, stdout);
            return CLI_OK;
        }
    int rc = cmd->run(argc - 1, argv + 1);
    /* An input refused is refused before anything is printed on stdout: a
    ** script reading --json gets the error object (the message is on
    ** stderr) from every command that takes --json. */
    if (rc == CLI_BADINPUT && !cmd->json_errors && takes_json(cmd) &&
        cli_argv_json(argc - 1, argv + 1))
        cli_json_error(rc, "bad input (the message is on stderr)");
    return rc;
}
