/*
** cmd_trace.c: `spotbench trace import|check|info|gen`: turns AWS CLI
** exports and recorded observations into the canonical CSV traces, says what
** a trace holds, and generates synthetic traces. Argument parsing and
** printing only; the readers are in traces/import.c, the generators in
** traces/gen.c.
*/
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "traces/gen.h"
#include "traces/import.h"
#include "traces/traces.h"

const char cmd_trace_usage[] =
    "usage: spotbench trace import [--format FORMAT] [--product P] IN... -o OUT.csv\n"
    "       spotbench trace import --format spot-traces FILE --start TIME\n"
    "                            (--pool TYPE/AZ [--scale K] | --target UNITS\n"
    "                            [--weight W]) -o OUT.csv\n"
    "       spotbench trace import --format eventbridge [--weight UNITS] FILE...\n"
    "                            -o OUT.csv\n"
    "       spotbench trace check [--format FORMAT] [--product P] FILE...\n"
    "       spotbench trace info [--format FORMAT] [--product P] [--json]\n"
    "                            [--above PRICE|--above on-demand:PRICE] FILE...\n"
    "       spotbench trace gen prices --pools SPEC --start TIME --end TIME\n"
    "                            [--seed N] [--step S] [--mean F] [--reversion R]\n"
    "                            [--volatility V] [--jump-prob P] [--jump-size F]\n"
    "                            [--regime START:END:MEAN]...\n"
    "                            [--outage AT:DURATION:SCOPE[:KIND]]...\n"
    "                            [--capacity N] [--availability-out FILE]\n"
    "                            -o prices.csv\n"
    "       spotbench trace gen demand --start TIME --end TIME --base UNITS\n"
    "                            --amplitude UNITS [--seed N] [--period S]\n"
    "                            [--peak-hour H] [--noise UNITS] [--step S]\n"
    "                            -o demand.csv\n"
    "       spotbench trace gen cloudwatch [--delay-p P] [--delay-min S]\n"
    "                            [--delay-max S] [--missing P]\n"
    "\n"
    "import  reads the inputs (all of one kind: prices or fleet metrics) and\n"
    "        writes the canonical CSV a scenario reads: prices as\n"
    "        Timestamp,InstanceType,AvailabilityZone,SpotPrice (only the rows\n"
    "        where a pool's price changes), metrics as Timestamp,TargetCapacity,\n"
    "        FulfilledCapacity,PendingCapacity,TerminatingCapacity (direct mode):\n"
    "        a Spot Fleet's AWS/EC2Spot metrics, or a spot Auto Scaling group's\n"
    "        AWS/AutoScaling ones (GroupDesiredCapacity, GroupInServiceCapacity,\n"
    "        GroupTerminatingCapacity; the others are counted, not read).\n"
    "check   validates the inputs and prints what they hold: kind, records,\n"
    "        pools or metrics, span, duplicates collapsed, rows filtered.\n"
    "info    prints the span, the pools, min/median/max per pool, and with\n"
    "        --above the episodes above that price (number, total, longest).\n"
    "gen     writes synthetic traces, the same bytes for the same seed and\n"
    "        parameters (docs/traces.md, \"Synthetic traces: trace gen\"):\n"
    "        prices  per pool p(t) = x(t) * on-demand with\n"
    "                x += R (MEAN - x) + V Z each step, plus F with probability\n"
    "                P; x kept in [0.01, 0.95]. --pools TYPE/AZ=ON_DEMAND,...\n"
    "                defaults: --seed 1 --step 300 --mean 0.3 --reversion 0.05\n"
    "                --volatility 0.01 --jump-prob 0.002 --jump-size 0.3\n"
    "                --capacity 1000. --outage AT:DURATION:SCOPE[:KIND], SCOPE\n"
    "                pool=TYPE/AZ, family=c4, az=AZ or all; KIND price (2 x\n"
    "                on-demand on [AT, AT+DURATION)) or capacity (capacity 0\n"
    "                there, falling in 2-3 steps over the minutes before AT,\n"
    "                written to --availability-out). DURATION: seconds, or\n"
    "                with s/m/h/d.\n"
    "        demand  base + amplitude cos(2 pi (t - peak) / period) + noise Z,\n"
    "                never below 0, whole units; defaults --period 86400\n"
    "                --peak-hour 14 --noise 0 --step 300\n"
    "        cloudwatch  prints the scenario's cloudwatch object; defaults\n"
    "                --delay-p 1 --delay-min 0 --delay-max 0 --missing 0\n"
    "\n"
    "Records are sorted by Timestamp; records of one pool (or metric) with the\n"
    "same Timestamp collapse when equal, and otherwise the later one in input\n"
    "order wins (counted as conflicting). Inputs may be gzip compressed.\n"
    "\n"
    "options:\n"
    "  --format FORMAT  aws-spot-price-history, aws-get-metric-statistics,\n"
    "                   aws-get-metric-data, policy-eval or csv; detected from\n"
    "                   the content when absent (said on standard error)\n"
    "  --product P      the ProductDescription kept from price histories\n"
    "                   (default Linux/UNIX; 'P (Amazon VPC)' is kept too);\n"
    "                   other products are counted as filtered\n"
    "  --format spot-traces  a public spot availability trace\n"
    "                   ({\"metadata\": {\"gap_seconds\": N}, \"data\": [...]}), one\n"
    "                   value every N s from --start, N honoured exactly:\n"
    "                   --pool TYPE/AZ writes the pool's capacity CSV\n"
    "                   (floor(value * --scale) instances, default scale 1);\n"
    "                   --target UNITS writes a fleet's metrics for direct\n"
    "                   mode, one row a minute: PendingCapacity = UNITS -\n"
    "                   value * --weight (default 1) at its minute's worst\n"
    "  --format eventbridge  recorded EventBridge events (JSON documents one\n"
    "                   after another, or SQS queue dumps {\"Messages\": [...]}) as\n"
    "                   the events CSV of a direct-mode replay (direct.events):\n"
    "                   Timestamp,DetailType,InstanceId,Units, the interruption\n"
    "                   warnings and rebalance recommendations only, a repeated\n"
    "                   event id once, each --weight units (default 1)\n"
    "  --above PRICE    info: count episodes with the price above PRICE;\n"
    "                   on-demand:PRICE says PRICE is the on-demand price\n"
    "  --json           info: one JSON object: {\"kind\", \"span\": {\"start\",\n"
    "                   \"end\", \"seconds\"}, [\"period\",] [\"above\",] \"pools\"\n"
    "                   (InstanceType, AvailabilityZone) or \"metrics\" (metric),\n"
    "                   each with records, min, median, max [and episodes,\n"
    "                   above_total_s, above_longest_s, open_at_end]}\n"
    "  -o OUT.csv       import: the output file (written only on success)\n"
    "\n"
    "examples:\n"
    "  # what 'aws ec2 describe-spot-price-history --instance-types c4.large\n"
    "  # --output json' printed, as the canonical prices CSV:\n"
    "  spotbench trace import tests/fixtures/spot-c4.large-2021-05-30.json -o prices.csv\n"
    "  spotbench trace info prices.csv --above on-demand:0.1\n"
    "  spotbench trace gen demand --start 2017-03-01T00:00:00Z \\\n"
    "      --end 2017-03-02T00:00:00Z --base 32 --amplitude 8 -o demand.csv\n";

typedef struct {
    trc_format fmt;
    const char *product;
    const char *out;
    const char *above;
    int json; /* info --json */
    const char *in[256];
    size_t nin;
} trace_args;

static const cli_opt import_opts[] = {
    {"--format", "FORMAT"}, {"--product", "P"}, {"-o", "OUT.csv"}, {NULL, NULL}};
static const cli_opt check_opts[] = {{"--format", "FORMAT"}, {"--product", "P"}, {NULL, NULL}};
static const cli_opt info_opts[] = {
    {"--format", "FORMAT"}, {"--product", "P"}, {"--above", "PRICE"}, {"--json", NULL},
    {NULL, NULL}};
static const cli_opt gen_prices_opts[] = {
    {"--pools", "SPEC"},         {"--start", "TIME"},        {"--end", "TIME"},
    {"--seed", "N"},             {"--step", "S"},            {"--mean", "F"},
    {"--reversion", "R"},        {"--volatility", "V"},      {"--jump-prob", "P"},
    {"--jump-size", "F"},        {"--regime", "START:END:MEAN"},
    {"--outage", "AT:DURATION:SCOPE[:KIND]"},                {"--capacity", "N"},
    {"--availability-out", "FILE"}, {"-o", "FILE"},          {NULL, NULL}};
static const cli_opt gen_demand_opts[] = {
    {"--start", "TIME"}, {"--end", "TIME"},   {"--base", "UNITS"}, {"--amplitude", "UNITS"},
    {"--seed", "N"},     {"--period", "S"},   {"--peak-hour", "H"}, {"--noise", "UNITS"},
    {"--step", "S"},     {"-o", "FILE"},      {NULL, NULL}};
static const cli_opt gen_cloudwatch_opts[] = {
    {"--delay-p", "P"}, {"--delay-min", "S"}, {"--delay-max", "S"}, {"--missing", "P"},
    {NULL, NULL}};
const cli_opt *const cmd_trace_opts[] = {import_opts,     check_opts,      info_opts,
                                         gen_prices_opts, gen_demand_opts, gen_cloudwatch_opts,
                                         cmd_trace_avail_opts, NULL};

/* Reads the arguments of import, check or info (`sub`, whose options are
** `opts`). Returns 0, or the exit status after printing the usage error. */
static int parse_args(const char *sub, const cli_opt *opts, int argc, char **argv,
                      trace_args *a) {
    memset(a, 0, sizeof *a);
    char what[32];
    snprintf(what, sizeof what, "%s: ", sub);
    cli_args p;
    cli_args_init(&p, "trace", what, opts, argc, argv);
    for (int k; (k = cli_next(&p)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (a->nin == sizeof a->in / sizeof a->in[0])
                return cli_usage("trace", "%s: too many inputs", sub);
            a->in[a->nin++] = p.val;
        } else if (cli_is(&p, "--format")) {
            int f = trc_format_find(p.val);
            if (f < 0)
                return cli_usage("trace",
                                 "--format %s: unknown format (aws-spot-price-"
                                 "history, aws-get-metric-statistics, "
                                 "aws-get-metric-data, policy-eval, csv)",
                                 p.val);
            a->fmt = (trc_format)f;
        } else if (cli_is(&p, "--product")) {
            a->product = p.val;
        } else if (cli_is(&p, "-o")) {
            a->out = p.val;
        } else if (cli_is(&p, "--above")) {
            a->above = p.val;
        } else if (cli_is(&p, "--json")) {
            a->json = 1;
        }
    }
    if (a->nin == 0) return cli_usage("trace", "%s: no input file", sub);
    if (opts == import_opts && !a->out)
        return cli_usage("trace", "import: -o OUT.csv is required");
    return 0;
}

/* Reads every input into *im (finished). Returns CLI_OK or the exit status
** after printing the error. `fmts` gets each input's format. */
static int load(const trace_args *a, trc_import *im, trc_format *fmts) {
    char err[512];
    im->product = a->product;
    for (size_t i = 0; i < a->nin; i++) {
        trc_format f = a->fmt;
        int rc = trc_import_add_file(im, &f, a->in[i], err, sizeof err);
        if (a->fmt == TRC_FMT_AUTO && f != TRC_FMT_AUTO)
            fprintf(stderr, "spotbench: %s: detected %s\n", a->in[i],
                    trc_format_name(f));
        fmts[i] = f;
        if (rc) {
            cli_error("%s", err);
            return CLI_BADINPUT;
        }
    }
    if (trc_import_finish(im, err, sizeof err)) {
        cli_error("%s%s%s", a->nin == 1 ? a->in[0] : "", a->nin == 1 ? ": " : "",
                  err);
        return CLI_BADINPUT;
    }
    return CLI_OK;
}

static void span_text(const trc_import *im, char *buf, size_t n) {
    int64_t a, b;
    char ta[32], tb[32];
    trc_import_span(im, &a, &b);
    trc_time_format(a, ta, sizeof ta);
    trc_time_format(b, tb, sizeof tb);
    if (b - a < 2 * 86400)
        snprintf(buf, n, "%s .. %s (%.1f h)", ta, tb, (double)(b - a) / 3600);
    else
        snprintf(buf, n, "%s .. %s (%.1f days)", ta, tb, (double)(b - a) / 86400);
}

static void duration(int64_t s, char *buf, size_t n) {
    snprintf(buf, n, "%lld s (%.1f h)", (long long)s, (double)s / 3600);
}

/* trace import has two forms, told apart by --format spot-traces, which
** may come anywhere among the arguments. A first pass reads them with the
** options of both forms, so the format is found as the parser reads it
** (--format X or --format=X, never a value of another option or an
** operand after "--"); then the form's own pass reads them again with its
** own options, and one the other form has is unknown there. An option
** neither has is reported by the first pass. Returns 0 with *spot_traces
** set, or the exit status after printing the usage error. */
static int import_form(int argc, char **argv, int *spot_traces) {
    cli_opt both[64];
    size_t n = 0;
    for (const cli_opt *o = import_opts; o->name; o++) both[n++] = *o;
    for (const cli_opt *o = cmd_trace_avail_opts; o->name && n + 1 < 64; o++)
        both[n++] = *o;
    /* eventbridge's options are among the others' already. */
    both[n] = (cli_opt){NULL, NULL};
    const char *format = NULL;
    cli_args p;
    cli_args_init(&p, "trace", "import: ", both, argc, argv);
    for (int k; (k = cli_next(&p)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (cli_is(&p, "--format")) format = p.val;
    }
    *spot_traces = !format                                ? 0
                   : strcmp(format, "spot-traces") == 0 ? 1
                   : strcmp(format, "eventbridge") == 0 ? 2
                                                        : 0;
    return 0;
}

static int trace_import(int argc, char **argv) {
    int spot_traces, rc = import_form(argc, argv, &spot_traces);
    if (rc) return rc;
    if (spot_traces == 2) return cli_trace_import_events(argc, argv);
    if (spot_traces) return cli_trace_import_spot_traces(argc, argv);
    trace_args a;
    if ((rc = parse_args("import", import_opts, argc, argv, &a))) return rc;
    /* A bad -o is found before the inputs are read. */
    if (cli_out_check(a.out)) return CLI_BADINPUT;
    trc_import im = {0};
    trc_format fmts[256];
    if ((rc = load(&a, &im, fmts))) {
        trc_import_free(&im);
        return rc;
    }
    /* Written to a temporary and renamed (traces/outfile.h): a failed write
    ** leaves no half trace where a scenario would read it. */
    trc_out o;
    if ((rc = cli_out_open(&o, a.out)) == CLI_OK) {
        int bad = trc_import_write_csv(&im, o.f) != 0;
        if (bad) cli_error("%s: cannot write: %s", a.out, strerror(errno));
        rc = cli_out_close(&o, !bad);
    }
    if (rc == CLI_OK)
        fprintf(stderr,
                "spotbench: wrote %s: %zu %s rows from %zu records (%zu "
                "filtered, %zu duplicates collapsed, %zu conflicting, %zu "
                "unchanged)\n",
                a.out, im.n,
                im.kind == TRC_KIND_PRICES ? "price" : "datapoint", im.read,
                im.filtered, im.dup_same, im.dup_diff, im.unchanged);
    if (rc == CLI_OK && im.ns == TRC_NS_AUTOSCALING)
        fprintf(stderr,
                "spotbench: AWS/AutoScaling: GroupDesiredCapacity as TargetCapacity, "
                "GroupInServiceCapacity as FulfilledCapacity, GroupTerminatingCapacity as "
                "TerminatingCapacity; PendingCapacity is left to the loader (desired - in "
                "service); %zu records of other group metrics not read\n",
                im.not_read);
    trc_import_free(&im);
    return rc;
}

static int trace_check(int argc, char **argv) {
    trace_args a;
    int rc = parse_args("check", check_opts, argc, argv, &a);
    if (rc) return rc;
    trc_import im = {0};
    trc_format fmts[256];
    if ((rc = load(&a, &im, fmts))) {
        trc_import_free(&im);
        return rc;
    }
    for (size_t i = 0; i < a.nin; i++)
        printf("input: %s (%s%s)\n", a.in[i], trc_format_name(fmts[i]),
               a.fmt == TRC_FMT_AUTO ? ", detected" : "");
    printf("kind: %s\n", im.kind == TRC_KIND_PRICES ? "prices"
                          : im.ns == TRC_NS_AUTOSCALING
                              ? "metrics (AWS/AutoScaling, as the kind-neutral view)"
                              : "metrics");
    if (im.ns == TRC_NS_AUTOSCALING)
        printf("not read: %zu (group metrics the view does not take: GroupPendingCapacity, "
               "instance counts, sizes)\n",
               im.not_read);
    printf("records: %zu read, %zu kept\n", im.read, im.n);
    if (im.kind == TRC_KIND_PRICES)
        printf("filtered: %zu (product other than %s)\n", im.filtered,
               a.product ? a.product : "Linux/UNIX");
    printf("duplicates: %zu identical collapsed, %zu conflicting (the later "
           "record won)\n",
           im.dup_same, im.dup_diff);
    trc_series_stats *st;
    long ns = trc_import_stats(&im, -1, &st);
    if (ns < 0) {
        trc_import_free(&im);
        cli_error("out of memory");
        return CLI_FAIL;
    }
    if (im.kind == TRC_KIND_PRICES) {
        printf("unchanged: %zu (repeating their pool's price, dropped)\n",
               im.unchanged);
        printf("pools: %zu\n", im.npools);
        for (long i = 0; i < ns; i++)
            printf("  %s %s: %zu records\n", im.pools[i].type, im.pools[i].az,
                   st[i].n);
    } else {
        printf("period: %lld s\n", (long long)im.period);
        printf("metrics:\n");
        for (long i = 0; i < ns; i++)
            if (st[i].n)
                printf("  %s: %zu datapoints\n", pol_metric_name((int)i),
                       st[i].n);
    }
    char span[96];
    span_text(&im, span, sizeof span);
    printf("span: %s\n", span);
    free(st);
    trc_import_free(&im);
    return CLI_OK;
}

/* trace info --json: the same figures as one JSON object. */
static int info_json(const trc_import *im, const trc_series_stats *st, long ns, double above,
                     int on_demand) {
    cJSON *doc = cJSON_CreateObject();
    int64_t t0, t1;
    char ts[32];
    trc_import_span(im, &t0, &t1);
    cJSON_AddStringToObject(doc, "kind", im->kind == TRC_KIND_PRICES ? "prices" : "metrics");
    cJSON *span = cJSON_AddObjectToObject(doc, "span");
    trc_time_format(t0, ts, sizeof ts);
    cJSON_AddStringToObject(span, "start", ts);
    trc_time_format(t1, ts, sizeof ts);
    cJSON_AddStringToObject(span, "end", ts);
    cJSON_AddNumberToObject(span, "seconds", (double)(t1 - t0));
    if (im->kind != TRC_KIND_PRICES) cJSON_AddNumberToObject(doc, "period", (double)im->period);
    if (above >= 0) {
        cJSON *ab = cJSON_AddObjectToObject(doc, "above");
        cJSON_AddNumberToObject(ab, "price", above);
        cJSON_AddBoolToObject(ab, "on_demand", on_demand);
    }
    cJSON *arr = cJSON_AddArrayToObject(doc, im->kind == TRC_KIND_PRICES ? "pools" : "metrics");
    for (long i = 0; i < ns; i++) {
        if (im->kind != TRC_KIND_PRICES && !st[i].n) continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        if (im->kind == TRC_KIND_PRICES) {
            cJSON_AddItemToObject(o, "InstanceType", cli_json_str(im->pools[i].type));
            cJSON_AddItemToObject(o, "AvailabilityZone", cli_json_str(im->pools[i].az));
        } else {
            cJSON_AddStringToObject(o, "metric", pol_metric_name((int)i));
        }
        cJSON_AddNumberToObject(o, "records", (double)st[i].n);
        cJSON_AddNumberToObject(o, "min", st[i].min);
        cJSON_AddNumberToObject(o, "median", st[i].median);
        cJSON_AddNumberToObject(o, "max", st[i].max);
        if (above >= 0) {
            cJSON_AddNumberToObject(o, "episodes", (double)st[i].episodes);
            cJSON_AddNumberToObject(o, "above_total_s", (double)st[i].above_total);
            cJSON_AddNumberToObject(o, "above_longest_s", (double)st[i].above_longest);
            cJSON_AddBoolToObject(o, "open_at_end", st[i].open_at_end);
        }
    }
    return cli_json_print(doc);
}

static int trace_info(int argc, char **argv) {
    trace_args a;
    int rc = parse_args("info", info_opts, argc, argv, &a);
    if (rc) return rc;
    double above = -1;
    int on_demand = 0;
    if (a.above) {
        const char *s = a.above;
        if (strncmp(s, "on-demand:", 10) == 0) {
            s += 10;
            on_demand = 1;
        }
        char *end;
        errno = 0;
        above = strtod(s, &end);
        if (end == s || *end || errno || !(above >= 0) || above > 1e9 ||
            strpbrk(s, "xXnNiI"))
            return cli_usage("trace", "--above %s: expected a price >= 0 or "
                                      "on-demand:PRICE", a.above);
    }
    trc_import im = {0};
    trc_format fmts[256];
    if ((rc = load(&a, &im, fmts))) {
        trc_import_free(&im);
        return rc;
    }
    if (a.above && im.kind != TRC_KIND_PRICES) {
        trc_import_free(&im);
        return cli_usage("trace", "--above applies to prices, not metrics");
    }
    trc_series_stats *st;
    long ns = trc_import_stats(&im, above, &st);
    if (ns < 0) {
        trc_import_free(&im);
        cli_error("out of memory");
        return CLI_FAIL;
    }
    if (a.json) {
        rc = info_json(&im, st, ns, a.above ? above : -1, on_demand);
        free(st);
        trc_import_free(&im);
        return rc;
    }
    char span[96], num[3][40];
    span_text(&im, span, sizeof span);
    printf("span: %s\n", span);
    if (im.kind == TRC_KIND_PRICES) {
        printf("pools: %zu\n", im.npools);
        printf("  %-14s %-12s %8s %10s %10s %10s\n", "InstanceType",
               "AZ", "records", "min", "median", "max");
        for (long i = 0; i < ns; i++) {
            snprintf(num[0], sizeof num[0], "%.6g", st[i].min);
            snprintf(num[1], sizeof num[1], "%.6g", st[i].median);
            snprintf(num[2], sizeof num[2], "%.6g", st[i].max);
            printf("  %-14s %-12s %8zu %10s %10s %10s\n", im.pools[i].type,
                   im.pools[i].az, st[i].n, num[0], num[1], num[2]);
        }
        if (a.above) {
            char p[40], tot[48], lon[48];
            trc_fmt_number(p, sizeof p, above);
            printf("above %s%s%s (a price holds until its pool's next record, "
                   "the last one until the span's end):\n",
                   on_demand ? "on-demand (" : "", p, on_demand ? ")" : "");
            size_t eps = 0;
            int64_t total = 0, longest = 0;
            for (long i = 0; i < ns; i++) {
                eps += st[i].episodes;
                total += st[i].above_total;
                if (st[i].above_longest > longest) longest = st[i].above_longest;
                if (!st[i].episodes) continue;
                duration(st[i].above_total, tot, sizeof tot);
                duration(st[i].above_longest, lon, sizeof lon);
                printf("  %s %s: %zu episodes, total %s, longest %s%s\n",
                       im.pools[i].type, im.pools[i].az, st[i].episodes, tot,
                       lon, st[i].open_at_end ? " (the last still going at the "
                                                "end)" : "");
            }
            duration(total, tot, sizeof tot);
            duration(longest, lon, sizeof lon);
            printf("  all pools: %zu episodes, total %s, longest %s\n", eps,
                   tot, lon);
        }
    } else {
        printf("period: %lld s\n", (long long)im.period);
        printf("  %-20s %8s %10s %10s %10s\n", "metric", "points", "min",
               "median", "max");
        for (long i = 0; i < ns; i++) {
            if (!st[i].n) continue;
            snprintf(num[0], sizeof num[0], "%.6g", st[i].min);
            snprintf(num[1], sizeof num[1], "%.6g", st[i].median);
            snprintf(num[2], sizeof num[2], "%.6g", st[i].max);
            printf("  %-20s %8zu %10s %10s %10s\n", pol_metric_name((int)i),
                   st[i].n, num[0], num[1], num[2]);
        }
    }
    free(st);
    trc_import_free(&im);
    return CLI_OK;
}

/* ---- trace gen ----------------------------------------------------------- */

#define GEN_ERR(...) cli_usage("trace", "trace gen: " __VA_ARGS__)

static int gen_number(const char *opt, const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v >= 0) || v > 1e15 ||
        strpbrk(s, "xXnNiI"))
        return GEN_ERR("%s: '%s' is not a number >= 0", opt, s);
    *out = v;
    return 0;
}

static int gen_whole(const char *opt, const char *s, long long max,
                     long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < 0 || v > max || s[0] == '-' ||
        s[0] == '+' || s[0] == ' ')
        return GEN_ERR("%s: '%s' is not a whole number in [0, %lld]", opt, s,
                       max);
    *out = v;
    return 0;
}

static int gen_time(const char *opt, const char *s, int64_t *out) {
    size_t n = strspn(s, "0123456789");
    if (n > 0 && n <= 12 && s[n] == '\0') {
        *out = strtoll(s, NULL, 10);
        return 0;
    }
    if (trc_time_parse(s, out))
        return GEN_ERR("%s: '%s' is not an ISO-8601 UTC time or epoch "
                       "seconds", opt, s);
    return 0;
}

#define GEN_MAX_LIST 256

static int gen_prices(int argc, char **argv) {
    trc_gen_prices_params p;
    trc_gen_prices_defaults(&p);
    const char *pools = NULL, *out = NULL, *avail = NULL;
    int have_start = 0, have_end = 0, rc;
    trc_gen_regime regimes[GEN_MAX_LIST];
    trc_gen_outage outages[GEN_MAX_LIST];
    char err[512];
    long long w;
    cli_args a;
    cli_args_init(&a, "trace", "trace gen prices: ", gen_prices_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        const char *o = a.opt, *v = a.val;
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) return GEN_ERR("prices: unexpected argument '%s'", v);
        if (cli_is(&a, "--pools")) pools = v;
        else if (cli_is(&a, "-o")) out = v;
        else if (cli_is(&a, "--availability-out")) avail = v;
        else if (cli_is(&a, "--start")) {
            if ((rc = gen_time(o, v, &p.start))) return rc;
            have_start = 1;
        } else if (cli_is(&a, "--end")) {
            if ((rc = gen_time(o, v, &p.end))) return rc;
            have_end = 1;
        } else if (cli_is(&a, "--seed")) {
            if ((rc = gen_whole(o, v, 9223372036854775807LL, &w))) return rc;
            p.seed = (uint64_t)w;
        } else if (cli_is(&a, "--step")) {
            if ((rc = gen_whole(o, v, 86400 * 366, &w))) return rc;
            p.step = w;
        } else if (cli_is(&a, "--capacity")) {
            if ((rc = gen_whole(o, v, 1000000000, &w))) return rc;
            p.capacity = (int)w;
        } else if (cli_is(&a, "--mean")) {
            if ((rc = gen_number(o, v, &p.mean))) return rc;
        } else if (cli_is(&a, "--reversion")) {
            if ((rc = gen_number(o, v, &p.reversion))) return rc;
        } else if (cli_is(&a, "--volatility")) {
            if ((rc = gen_number(o, v, &p.volatility))) return rc;
        } else if (cli_is(&a, "--jump-prob")) {
            if ((rc = gen_number(o, v, &p.jump_prob))) return rc;
        } else if (cli_is(&a, "--jump-size")) {
            if ((rc = gen_number(o, v, &p.jump_size))) return rc;
        } else if (cli_is(&a, "--regime")) {
            if (p.nregimes == GEN_MAX_LIST) return GEN_ERR("--regime: too many");
            if (trc_gen_parse_regime(v, &regimes[p.nregimes], err, sizeof err))
                return GEN_ERR("--regime: %s", err);
            p.nregimes++;
        } else if (cli_is(&a, "--outage")) {
            if (p.noutages == GEN_MAX_LIST) return GEN_ERR("--outage: too many");
            if (trc_gen_parse_outage(v, &outages[p.noutages], err, sizeof err))
                return GEN_ERR("--outage: %s", err);
            p.noutages++;
        }
    }
    if (!pools) return GEN_ERR("--pools: required (TYPE/AZ=ON_DEMAND_PRICE,...)");
    if (!have_start) return GEN_ERR("--start: required");
    if (!have_end) return GEN_ERR("--end: required");
    if (!out) return GEN_ERR("-o: required (the prices CSV)");
    trc_gen_pool *pl = trc_gen_parse_pools(pools, &p.npools, err, sizeof err);
    if (!pl) return GEN_ERR("--pools: %s", err);
    p.pools = pl;
    p.regimes = regimes;
    p.outages = outages;
    /* Checked before any file is opened, so bad input writes nothing. */
    int any_capacity = 0;
    for (size_t i = 0; i < p.noutages; i++) any_capacity |= outages[i].capacity;
    if (any_capacity && !avail) {
        free(pl);
        return GEN_ERR("--outage: a capacity outage needs --availability-out FILE");
    }
    if (cli_out_check(out) || (avail && cli_out_check(avail))) {
        free(pl);
        return CLI_BADINPUT;
    }
    trc_out o, oa;
    if ((rc = cli_out_open(&o, out)) != CLI_OK) {
        free(pl);
        return rc;
    }
    if (avail && (rc = cli_out_open(&oa, avail)) != CLI_OK) {
        trc_out_abort(&o);
        free(pl);
        return rc;
    }
    int bad = trc_gen_prices(&p, o.f, avail ? oa.f : NULL, err, sizeof err);
    free(pl);
    rc = cli_out_close(&o, !bad);
    if (avail && cli_out_close(&oa, !bad && rc == CLI_OK)) rc = CLI_FAIL;
    if (bad) {
        /* Messages from the generator start with the option at fault. */
        if (!strcmp(err, "out of memory")) {
            cli_error("trace gen: %s", err);
            return CLI_FAIL;
        }
        return GEN_ERR("%s", err);
    }
    return rc;
}

static int gen_demand(int argc, char **argv) {
    trc_gen_demand_params p;
    trc_gen_demand_defaults(&p);
    const char *out = NULL;
    int have[4] = {0}, rc;
    long long w;
    char err[512];
    cli_args a;
    cli_args_init(&a, "trace", "trace gen demand: ", gen_demand_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        const char *o = a.opt, *v = a.val;
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) return GEN_ERR("demand: unexpected argument '%s'", v);
        if (cli_is(&a, "-o")) out = v;
        else if (cli_is(&a, "--start")) {
            if ((rc = gen_time(o, v, &p.start))) return rc;
            have[0] = 1;
        } else if (cli_is(&a, "--end")) {
            if ((rc = gen_time(o, v, &p.end))) return rc;
            have[1] = 1;
        } else if (cli_is(&a, "--base")) {
            if ((rc = gen_number(o, v, &p.base))) return rc;
            have[2] = 1;
        } else if (cli_is(&a, "--amplitude")) {
            if ((rc = gen_number(o, v, &p.amplitude))) return rc;
            have[3] = 1;
        } else if (cli_is(&a, "--noise")) {
            if ((rc = gen_number(o, v, &p.noise))) return rc;
        } else if (cli_is(&a, "--peak-hour")) {
            if ((rc = gen_number(o, v, &p.peak_hour))) return rc;
        } else if (cli_is(&a, "--seed")) {
            if ((rc = gen_whole(o, v, 9223372036854775807LL, &w))) return rc;
            p.seed = (uint64_t)w;
        } else if (cli_is(&a, "--step")) {
            if ((rc = gen_whole(o, v, 86400 * 366, &w))) return rc;
            p.step = w;
        } else if (cli_is(&a, "--period")) {
            if ((rc = gen_whole(o, v, 86400LL * 3660, &w))) return rc;
            p.period = w;
        }
    }
    static const char *const names[] = {"--start", "--end", "--base",
                                        "--amplitude"};
    for (int i = 0; i < 4; i++)
        if (!have[i]) return GEN_ERR("%s: required", names[i]);
    if (!out) return GEN_ERR("-o: required (the demand CSV)");
    if (cli_out_check(out)) return CLI_BADINPUT;
    trc_out o;
    if ((rc = cli_out_open(&o, out)) != CLI_OK) return rc;
    int bad = trc_gen_demand(&p, o.f, err, sizeof err);
    rc = cli_out_close(&o, !bad);
    if (bad) return GEN_ERR("%s", err);
    return rc;
}

static int gen_cloudwatch(int argc, char **argv) {
    double dp = 1, missing = 0;
    long long dmin = 0, dmax = 0;
    int rc;
    cli_args a;
    cli_args_init(&a, "trace", "trace gen cloudwatch: ", gen_cloudwatch_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        const char *o = a.opt, *v = a.val;
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) return GEN_ERR("cloudwatch: unexpected argument '%s'", v);
        if (cli_is(&a, "--delay-p")) rc = gen_number(o, v, &dp);
        else if (cli_is(&a, "--missing")) rc = gen_number(o, v, &missing);
        else if (cli_is(&a, "--delay-min")) rc = gen_whole(o, v, 86400, &dmin);
        else if (cli_is(&a, "--delay-max")) rc = gen_whole(o, v, 86400, &dmax);
        else rc = 0;
        if (rc) return rc;
    }
    char buf[256], err[256];
    if (trc_gen_cloudwatch(dp, (long)dmin, (long)dmax, missing, buf, sizeof buf,
                           err, sizeof err))
        return GEN_ERR("%s", err);
    printf("%s\n", buf);
    return CLI_OK;
}

static int trace_gen(int argc, char **argv) {
    if (argc < 2)
        return GEN_ERR("expected 'prices', 'demand' or 'cloudwatch'");
    if (!strcmp(argv[1], "prices")) return gen_prices(argc - 1, argv + 1);
    if (!strcmp(argv[1], "demand")) return gen_demand(argc - 1, argv + 1);
    if (!strcmp(argv[1], "cloudwatch")) return gen_cloudwatch(argc - 1, argv + 1);
    return GEN_ERR("unknown generator '%s' (prices, demand, cloudwatch)",
                   argv[1]);
}

int cmd_trace(int argc, char **argv) {
    if (argc < 2)
        return cli_usage("trace", "expected 'import', 'check', 'info' or 'gen'");
    if (strcmp(argv[1], "gen") == 0) return trace_gen(argc - 1, argv + 1);
    if (strcmp(argv[1], "import") == 0) return trace_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "check") == 0) return trace_check(argc - 1, argv + 1);
    if (strcmp(argv[1], "info") == 0) return trace_info(argc - 1, argv + 1);
    return cli_usage("trace", "unknown subcommand '%s'", argv[1]);
}
