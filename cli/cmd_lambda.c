/*
** cmd_lambda.c: `spotbench lambda`: the live controller as the bootstrap of
** an AWS Lambda custom runtime. Reads the function's environment, prints the
** tick lines (Lambda sends stdout and stderr to CloudWatch Logs); the
** Runtime API loop itself lives in aws/lambda.c.
*/
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"

const char cmd_lambda_usage[] =
    "usage: spotbench lambda [--max-invocations N]\n"
    "\n"
    "The Lambda Runtime API loop (provided.al2023 custom runtime; `make\n"
    "lambda` builds the function's zip, whose bootstrap runs this). Each\n"
    "invocation's event is a live config object (the keys of live.json, see\n"
    "'spotbench help live'); one tick is run and its result returned. A tick\n"
    "that failed (any of its calls failed, or its SetDesiredCapacity did; a\n"
    "refusal for the cooldown is no failure) is returned as an error\n"
    "(Spotbench.TickFailed), a bad event too (Spotbench.InvalidEvent); the\n"
    "next invocation runs as usual. An SNS notification (a CloudWatch\n"
    "alarm's) runs SPOTBENCH_LIVE_CONFIG. See docs/deploy.md.\n"
    "\n"
    "options:\n"
    "  --max-invocations N  return after N invocations (tests); default: run\n"
    "                       until Lambda ends the process\n"
    "\n"
    "environment:\n"
    "  AWS_LAMBDA_RUNTIME_API  host:port of the Runtime API (set by Lambda)\n"
    "  SPOTBENCH_APPLY         true: call SetDesiredCapacity; false or unset:\n"
    "                          dry run\n"
    "  SPOTBENCH_LIVE_CONFIG   the live config JSON that SNS notifications run\n"
    "  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION\n"
    "                          the function role's credentials, set by Lambda\n"
    "  SPOTBENCH_NOW           a fixed clock (tests)\n"
    "\n"
    "exit status: 1 when the Runtime API fails, or does not answer a POST\n"
    "within 10 s (Lambda then starts a new process); 2 for a bad option or\n"
    "environment (reported to /runtime/init/error first).\n";

static void out_line(void *ctx, const char *msg) {
    (void)ctx;
    printf("%s\n", msg);
    fflush(stdout);
}

static void err_line(void *ctx, const char *msg) {
    (void)ctx;
    cli_error("lambda: %s", msg);
}

/* A start-up problem: reported to Lambda (the function's init error), then
** printed; exit 2. */
static int init_failure(const char *api, const char *msg) {
    char err[AWS_ERR_MAX];
    cli_error("lambda: %s", msg);
    if (api && *api &&
        aws_lambda_init_error(api, "Runtime.ConfigInvalid", msg, err, sizeof err))
        cli_error("lambda: %s", err);
    return CLI_BADINPUT;
}

static const cli_opt lambda_opts[] = {{"--max-invocations", "N"}, {NULL, NULL}};
const cli_opt *const cmd_lambda_opts[] = {lambda_opts, NULL};

int cmd_lambda(int argc, char **argv) {
    aws_lambda_opts o = {0};
    cli_args a;
    cli_args_init(&a, "lambda", NULL, lambda_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        char *end;
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) return cli_usage("lambda", "unexpected argument '%s'", a.val);
        long n = strtol(a.val, &end, 10); /* --max-invocations */
        if (*end || !*a.val || n < 1 || n > 1000000)
            return cli_usage("lambda", "--max-invocations %s: expected 1 to 1000000", a.val);
        o.max_invocations = (int)n;
    }
    o.runtime_api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!o.runtime_api || !*o.runtime_api) {
        cli_error("lambda: AWS_LAMBDA_RUNTIME_API is not set: this command is "
                  "the bootstrap of a Lambda function (see docs/deploy.md)");
        return CLI_BADINPUT;
    }
    char msg[600];
    const char *apply = getenv("SPOTBENCH_APPLY");
    if (!apply || !*apply || strcmp(apply, "false") == 0) {
        o.apply = 0;
    } else if (strcmp(apply, "true") == 0) {
        o.apply = 1;
    } else {
        /* Anything else is refused rather than guessed: "yes" or "1" must
        ** not silently mean a dry run, nor "no" an apply. */
        snprintf(msg, sizeof msg, "SPOTBENCH_APPLY=%.60s: expected true or false",
                 apply);
        return init_failure(o.runtime_api, msg);
    }
    const char *def = getenv("SPOTBENCH_LIVE_CONFIG");
    o.default_config = def && *def ? def : NULL;
    o.open_policy = cli_live_policy_open; /* variants, exec:, .so too */
    if (cli_fixed_now(&o.fixed_now))
        return init_failure(o.runtime_api, "SPOTBENCH_NOW: bad value");
    o.log = out_line;
    o.errlog = err_line;
    printf("spotbench %s: Lambda runtime, %s\n", cli_version(),
           o.apply ? "APPLYING changes" : "dry run");
    fflush(stdout);
    char err[AWS_ERR_MAX + 128];
    int r = aws_lambda_run(&o, err, sizeof err);
    if (r) {
        cli_error("lambda: %s", err);
        return r == -2 ? CLI_BADINPUT : CLI_FAIL;
    }
    return CLI_OK;
}
