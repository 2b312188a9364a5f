/*
** main.c: the spotbench binary's entry point: global options and the
** subcommand table.
*/
#include "cli.h"
#include "version.h"

#include <stdarg.h>
#include <string.h>

#ifndef SPOTBENCH_VERSION
#define SPOTBENCH_VERSION "0.1.0"
#endif
#ifndef SPOTBENCH_GIT_REV
#define SPOTBENCH_GIT_REV "unknown"
#endif

static const cli_command commands[] = {
    {"run", "simulate a scenario with one or more policies and store the runs",
     cmd_run_usage, cmd_run},
    {"regress", "run the outage cases and check their bounds", cmd_regress_usage,
     cmd_regress},
    {"sensitivity", "a scenario's cost and coverage over ingestion delays and "
                    "schedule seconds, per policy",
     cmd_sensitivity_usage, cmd_sensitivity},
    {"compare", "every case of a suite with each policy: the regret table",
     cmd_compare_usage, cmd_compare},
    {"tune", "the cheapest parameters meeting a coverage on every case (a search)",
     cmd_tune_usage, cmd_tune},
    {"sweep", "run a parameter sweep on worker processes; print its Pareto fronts",
     cmd_sweep_usage, cmd_sweep},
    {"best", "the cheapest parameter set of a sweep meeting a coverage",
     cmd_best_usage, cmd_best},
    {"merge", "combine the databases of a sharded sweep", cmd_merge_usage,
     cmd_merge},
    {"plot", "draw a sweep's frontier or heatmap, or a run's timeline (gnuplot)",
     cmd_plot_usage, cmd_plot},
    {"policy", "list the policies or evaluate one on observations",
     cmd_policy_usage, cmd_policy},
    {"live", "run a policy against a live Spot Fleet and on-demand ASG",
     cmd_live_usage, cmd_live},
    {"lambda", "the live controller as an AWS Lambda function (custom runtime)",
     cmd_lambda_usage, cmd_lambda},
    {"deploy", "write a CloudFormation stack or live config for a tuned scenario",
     cmd_deploy_usage, cmd_deploy},
    {"trace", "import AWS price and metric exports as CSV traces; check them",
     cmd_trace_usage, cmd_trace},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

const char *cli_version(void) {
    return SPOTBENCH_VERSION " (" SPOTBENCH_GIT_REV ")";
}

void cli_error(const char *fmt, ...) {
    va_list ap;
    fputs("spotbench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage(const char *cmd, const char *fmt, ...) {
    va_list ap;
    fputs("spotbench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'spotbench help %s'.\n", cmd);
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
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-10s %s\n", "help", "show a command's help: spotbench help COMMAND");
    fprintf(f, "\noptions:\n  --help     this text\n  --version  "
               "version and git revision\n");
}

static const cli_command *find(const char *name) {
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
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
    if (strcmp(c, "help") == 0) {
        if (argc < 3) {
            main_help(stdout);
            return CLI_OK;
        }
        const cli_command *h = find(argv[2]);
        if (!h) {
            cli_error("help: unknown command '%s'", argv[2]);
            return CLI_BADINPUT;
        }
        fputs(h->usage, stdout);
        return CLI_OK;
    }
    const cli_command *cmd = find(c);
    if (!cmd) {
        cli_error("unknown command '%s' (see spotbench --help)", c);
        return CLI_BADINPUT;
    }
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(cmd->usage, stdout);
            return CLI_OK;
        }
    return cmd->run(argc - 1, argv + 1);
}
