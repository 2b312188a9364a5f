/*
** cmd_live.c: `spotbench live`: runs the policy against the real fleet (or a
** fake AWS endpoint). Argument parsing, signals, printing, the --record
** file and the --db rows only; fetching, deciding and applying live in aws/,
** storing in store/.
*/
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "store/store.h"
#include "traces/traces.h"

const char cmd_live_usage[] =
    "usage: spotbench live --config FILE [--once] [--apply] [--record FILE] [--json]\n"
    "                      [--db FILE] [--heartbeat FILE] [--max-failed-ticks N]\n"
    "                      [--verbose]\n"
    "\n"
    "Every `interval` seconds: reads the Spot Fleet's AWS/EC2Spot metrics\n"
    "(TargetCapacity, PendingCapacity, FulfilledCapacity, TerminatingCapacity)\n"
    "from CloudWatch, describes the on-demand Auto Scaling group and the fleet,\n"
    "with EventQueueUrl drains the SQS queue of EC2's interruption warnings\n"
    "and rebalance recommendations (EventBridge events), asks the policy, caps\n"
    "the answer at max_on_demand, and prints one line; the queue's messages\n"
    "are deleted once the tick worked and was recorded.\n"
    "Without --apply nothing is changed (a dry run). See docs/live.md.\n"
    "\n"
    "options:\n"
    "  --config FILE   the live config (JSON): region, FleetRequestId,\n"
    "                  AutoScalingGroupName, policy, params, interval,\n"
    "                  max_on_demand, endpoints, timeouts, EventQueueUrl\n"
    "  --once          run one tick and exit\n"
    "  --apply         call SetDesiredCapacity when the policy decides to\n"
    "  --record FILE   append each observation as a JSON line that\n"
    "                  'spotbench policy eval' replays\n"
    "  --db FILE       store each tick as a row of live_ticks in this SQLite\n"
    "                  database (docs/store.md)\n"
    "  --heartbeat FILE  after every tick that observed and acted, replace FILE\n"
    "                  with the tick's time (epoch seconds and ISO-8601): a\n"
    "                  health check compares it, or its mtime, with the clock\n"
    "  --max-failed-ticks N  stop with exit status 1 after N ticks in a row\n"
    "                  that could not observe or act (default 5; 0: never)\n"
    "  --json          each tick as one JSON object on one line (the Lambda\n"
    "                  runtime's answer: decision, outcome, errors, observation,\n"
    "                  the text line) instead of the text line\n"
    "  --verbose       log credentials source, requests and retries to stderr\n"
    "                  (never keys, secrets or tokens)\n"
    "\n"
    "A tick fails when any of its six calls (the four metrics, the group, the\n"
    "fleet) or a queue call fails or answers what the policy engine cannot\n"
    "take, or an apply fails; a SetDesiredCapacity refused for the cooldown is\n"
    "not a failure.\n"
    "\n"
    "exit status: 0 ok: --once ran a tick that did not fail, or the loop was\n"
    "stopped by SIGINT/SIGTERM (after the tick in flight) with its last tick\n"
    "good; 1 the --once tick failed, --max-failed-ticks ticks in a row failed,\n"
    "a signal stopped the loop while its last tick had failed, --db could\n"
    "not be used, or --record, --db or --heartbeat could not be written (the\n"
    "loop stops); 2 bad config or usage, or a --record or --heartbeat path\n"
    "the output rules refuse (a link, not a regular file, a missing\n"
    "directory). With systemd, Restart=on-failure restarts it on 1.\n"
    "\n"
    "environment: AWS credentials and region as the AWS SDKs read them;\n"
    "SPOTBENCH_LIVE_CONFIG=JSON is the config when --config is not given\n"
    "(containers);\n"
    "SPOTBENCH_NOW=EPOCH fixes the clock (tests); SPOTBENCH_RETRY_SCALE\n"
    "scales retry delays (0: none).\n";

static const cli_opt live_opts[] = {
    {"--config", "FILE"},   {"--once", NULL},          {"--apply", NULL},
    {"--record", "FILE"},   {"--db", "FILE"},          {"--heartbeat", "FILE"},
    {"--max-failed-ticks", "N"}, {"--verbose", NULL},  {"--json", NULL},
    {NULL, NULL}};
const cli_opt *const cmd_live_opts[] = {live_opts, NULL};

/* The one piece of mutable global state: set by the signal handler, read by
** the loop between ticks. */
static volatile sig_atomic_t stop_flag = 0;

static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

typedef struct {
    FILE *record;
    const char *record_path;
    int record_failed;
    st_db *db; /* --db, or NULL */
    const aws_live_config *cfg;
    int apply;
    int db_failed;
    const char *heartbeat; /* --heartbeat, or NULL */
    int heartbeat_failed;
    int json;              /* --json: a tick is one JSON line */
} tick_ctx;

static void log_line(void *ctx, const char *msg) {
    (void)ctx;
    cli_error("live: %s", msg);
}

static st_live_outcome live_outcome(aws_outcome o) {
    switch (o) {
    case AWS_OUT_DRY_RUN: return ST_LIVE_DRY_RUN;
    case AWS_OUT_APPLIED: return ST_LIVE_APPLIED;
    case AWS_OUT_REJECTED: return ST_LIVE_REJECTED;
    case AWS_OUT_FAILED: return ST_LIVE_FAILED;
    case AWS_OUT_NONE: break;
    }
    return ST_LIVE_NONE;
}

/* The tick's failures as one text, one line each: the failed calls, then a
** refused SetDesiredCapacity. The messages are aws/'s, already scrubbed of
** credentials. NULL with *oom = 0 when nothing failed. */
static char *tick_errors(const aws_tick *t, int *oom) {
    size_t n = 1;
    *oom = 0;
    for (size_t i = 0; i < t->nerrors; i++) n += strlen(t->errors[i]) + 1;
    int refused = t->outcome == AWS_OUT_REJECTED ||
                  t->outcome == AWS_OUT_FAILED;
    if (refused) n += strlen(t->outcome_msg) + 1;
    if (n == 1) return NULL;
    char *s = malloc(n), *p = s;
    if (!s) {
        *oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < t->nerrors; i++)
        p += sprintf(p, "%s%s", p == s ? "" : "\n", t->errors[i]);
    if (refused) sprintf(p, "%s%s", p == s ? "" : "\n", t->outcome_msg);
    return s;
}

/* Stores the tick as a live_ticks row; 0, or -1 after reporting why. */
static int store_tick(tick_ctx *ctx, const aws_tick *t) {
    int oom;
    char *errors = tick_errors(t, &oom), err[512];
    if (oom) {
        cli_error("live: out of memory");
        return -1;
    }
    st_live_rec rec = {
        .t = t->now,
        .fleet_request_id = ctx->cfg->fleet_id,
        .asg_name = ctx->cfg->asg_name,
        .pol = ctx->cfg->policy,
        .params = &ctx->cfg->params,
        .obs = &t->obs,
        .decision = &t->decision,
        .applied = ctx->apply ? 1 : 0,
        .outcome = live_outcome(t->outcome),
        .error = errors,
        .tool_version = cli_version(),
    };
    int rc = st_live_tick(ctx->db, &rec, err, sizeof err);
    free(errors);
    if (rc) cli_error("live: %s", err);
    return rc;
}

/* Replaces the heartbeat file with the good tick's time, whole or not at
** all (traces/outfile.h): a health check never reads half a line. */
static int write_heartbeat(const char *path, int64_t now) {
    trc_out o;
    char ts[32];
    if (cli_out_open(&o, path)) return -1;
    trc_time_format(now, ts, sizeof ts);
    fprintf(o.f, "%lld %s\n", (long long)now, ts);
    return cli_out_close(&o, 1) == CLI_OK ? 0 : -1;
}

/* Prints the tick, reports its errors, appends the record line, stores the
** row. A record or row that cannot be written stops the loop: going on
** would leave a gap nobody asked for. */
static int on_tick(void *vctx, const aws_tick *t) {
    tick_ctx *ctx = vctx;
    char line[2048];
    int n = aws_tick_format(t, line, sizeof line);
    (void)n;
    for (size_t i = 0; i < t->nerrors; i++) cli_error("live: %s", t->errors[i]);
    char *js = ctx->json ? aws_tick_json(ctx->cfg, t, ctx->apply, line) : NULL;
    if (ctx->json && !js) {
        cli_error("live: out of memory writing JSON");
        return 1;
    }
    printf("%s\n", js ? js : line);
    free(js);
    fflush(stdout);
    if (ctx->record) {
        char *obs = trc_obs_format(&t->obs);
        if (!obs || fprintf(ctx->record, "%s\n", obs) < 0 ||
            fflush(ctx->record) != 0) {
            cli_error("%s: %s", ctx->record_path,
                      obs ? strerror(errno) : "out of memory");
            ctx->record_failed = 1;
        }
        free(obs);
    }
    /* Stored even when the record failed: each keeps what it can. */
    if (ctx->db && store_tick(ctx, t)) ctx->db_failed = 1;
    if (ctx->heartbeat && !aws_tick_failed(t) && write_heartbeat(ctx->heartbeat, t->now))
        ctx->heartbeat_failed = 1;
    return ctx->record_failed || ctx->db_failed || ctx->heartbeat_failed;
}

int cmd_live(int argc, char **argv) {
    const char *config = NULL, *record = NULL, *db = NULL, *heartbeat = NULL;
    int once = 0, apply = 0, verbose = 0, max_failed = 5, json = 0;
    cli_args a;
    cli_args_init(&a, "live", NULL, live_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) return cli_usage("live", "unexpected argument '%s'", a.val);
        if (cli_is(&a, "--config")) config = a.val;
        else if (cli_is(&a, "--record")) record = a.val;
        else if (cli_is(&a, "--db")) db = a.val;
        else if (cli_is(&a, "--once")) once = 1;
        else if (cli_is(&a, "--apply")) apply = 1;
        else if (cli_is(&a, "--verbose")) verbose = 1;
        else if (cli_is(&a, "--json")) json = 1;
        else if (cli_is(&a, "--heartbeat")) heartbeat = a.val;
        else if (cli_is(&a, "--max-failed-ticks")) {
            char *end;
            long v = strtol(a.val, &end, 10);
            if (*end || !*a.val || v < 0 || v > 1000000)
                return cli_usage("live", "--max-failed-ticks %s: expected 0 to 1000000",
                                 a.val);
            max_failed = (int)v;
        }
    }
    /* A container (Fargate, Batch) gets its config through the
    ** environment, as the Lambda function does. */
    const char *env_cfg = getenv("SPOTBENCH_LIVE_CONFIG");
    if (!config && !(env_cfg && *env_cfg))
        return cli_usage("live", "--config FILE is required (or SPOTBENCH_LIVE_CONFIG)");
    /* Output paths follow traces/outfile.h's rules (never through a link,
    ** only a regular file): a refused one is bad input, found first. */
    if (heartbeat && cli_out_check(heartbeat)) return CLI_BADINPUT;
    if (record && cli_out_check(record)) return CLI_BADINPUT;

    char err[AWS_ERR_MAX];
    aws_live_config cfg;
    if (config ? aws_live_config_load_with(config, cli_live_policy_open, NULL, &cfg, err,
                                           sizeof err)
               : aws_live_config_parse_with(env_cfg, cli_live_policy_open, NULL, &cfg, err,
                                            sizeof err)) {
        cli_error("%s%s", config ? "" : "SPOTBENCH_LIVE_CONFIG: ", err);
        return CLI_BADINPUT;
    }
    aws_live_opts lo = {0};
    if (cli_fixed_now(&lo.fixed_now)) return CLI_BADINPUT;

    aws_opts o;
    aws_live_client_opts(&cfg, &o);
    if (verbose) o.log = log_line;
    aws_client *client = NULL;
    int rc = CLI_OK;
    tick_ctx ctx = {NULL, record, 0, NULL, &cfg, apply, 0, heartbeat, 0, json};
    int crc = aws_client_new(&o, &client, err, sizeof err);
    if (crc) {
        cli_error("live: %s", err);
        rc = crc == -2 ? CLI_FAIL : CLI_BADINPUT;
        goto out;
    }
    if (verbose) {
        cli_error("live: region %s, policy %s, %s, every %d s, "
                  "max_on_demand %d",
                  aws_client_region(client), cfg.policy->name,
                  apply ? "APPLYING changes" : "dry run", cfg.interval,
                  cfg.max_on_demand);
        for (int s = 0; s < AWS_NSERVICES; s++)
            cli_error("live: %s endpoint %s", aws_service_key((aws_service)s),
                      aws_client_endpoint(client, (aws_service)s));
    }
    if (cfg.policy->reads_events && !cfg.queue_url[0])
        /* The simulator's no_events note, for a live run (docs/live.md). */
        cli_error("live: note: %s reads interruption warnings (EventBridge events) and "
                  "the config names no EventQueueUrl: it runs without them and sees a "
                  "lost instance only once the metrics show it",
                  cfg.policy->name);
    if (pol_reads_launch_failures(cfg.policy, &cfg.params) && !cfg.spot_group[0])
        /* The simulator's no_launch_failures note, for a live run. */
        cli_error("live: note: %s reads failed spot launches and the config names no "
                  "SpotAutoScalingGroupName: a Spot Fleet has no scaling activities, it runs "
                  "without them",
                  cfg.policy->name);
    if (record && !(ctx.record = trc_append_open(record, err, sizeof err))) {
        cli_error("%s", err);
        rc = CLI_FAIL;
        goto out;
    }
    /* Opened before the first tick: a database that cannot be used is
    ** found before anything is applied. */
    if (db && st_open(db, &ctx.db, err, sizeof err)) {
        cli_error("live: %s", err);
        rc = CLI_FAIL;
        goto out;
    }

    /* No SA_RESTART: the sleep between ticks wakes at once. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    lo.once = once;
    lo.apply = apply;
    lo.stop = &stop_flag;
    lo.on_tick = on_tick;
    lo.ctx = &ctx;
    lo.max_failed = max_failed;
    int r = aws_live_run(client, &cfg, &lo, err, sizeof err);
    if (r != 0) {
        cli_error("live: %s", err);
        rc = CLI_FAIL;
    } else if (ctx.record_failed || ctx.db_failed || ctx.heartbeat_failed) {
        rc = CLI_FAIL;
    }
    if (verbose && stop_flag) cli_error("live: stopped by signal");
out:
    if (ctx.record && fclose(ctx.record) != 0 && rc == CLI_OK) {
        cli_error("%s: %s", record, strerror(errno));
        rc = CLI_FAIL;
    }
    st_close(ctx.db);
    aws_client_free(client);
    aws_live_config_free(&cfg);
    return rc;
}
