/*
** cmd_trace.c: `spotbench trace import|check|info`: turns AWS CLI exports
** and recorded observations into the canonical CSV traces, and says what a
** trace holds. Argument parsing and printing only; the readers are in
** traces/import.c.
*/
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "traces/import.h"
#include "traces/traces.h"

const char cmd_trace_usage[] =
    "usage: spotbench trace import [--format FORMAT] [--product P] IN... -o OUT.csv\n"
    "       spotbench trace check [--format FORMAT] [--product P] FILE...\n"
    "       spotbench trace info [--format FORMAT] [--product P]\n"
    "                            [--above PRICE|--above on-demand:PRICE] FILE...\n"
    "\n"
    "import  reads the inputs (all of one kind: prices or fleet metrics) and\n"
    "        writes the canonical CSV a scenario reads: prices as\n"
    "        Timestamp,InstanceType,AvailabilityZone,SpotPrice (only the rows\n"
    "        where a pool's price changes), metrics as Timestamp,TargetCapacity,\n"
    "        FulfilledCapacity,PendingCapacity,TerminatingCapacity (direct mode).\n"
    "check   validates the inputs and prints what they hold: kind, records,\n"
    "        pools or metrics, span, duplicates collapsed, rows filtered.\n"
    "info    prints the span, the pools, min/median/max per pool, and with\n"
    "        --above the episodes above that price (number, total, longest).\n"
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
    "  --above PRICE    info: count episodes with the price above PRICE;\n"
    "                   on-demand:PRICE says PRICE is the on-demand price\n"
    "  -o OUT.csv       import: the output file (written only on success)\n"
    "\n"
    "example:\n"
    "  aws ec2 describe-spot-price-history --instance-types c4.large \\\n"
    "      --output json > c4.json\n"
    "  spotbench trace import c4.json -o prices.csv\n"
    "  spotbench trace info prices.csv --above on-demand:0.1\n";

typedef struct {
    trc_format fmt;
    const char *product;
    const char *out;
    const char *above;
    const char *in[256];
    size_t nin;
} trace_args;

static int parse_args(const char *sub, int argc, char **argv, trace_args *a) {
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--format") == 0 && i + 1 < argc) {
            int f = trc_format_find(argv[++i]);
            if (f < 0)
                return cli_usage("trace",
                                 "--format %s: unknown format (aws-spot-price-"
                                 "history, aws-get-metric-statistics, "
                                 "aws-get-metric-data, policy-eval, csv)",
                                 argv[i]);
            a->fmt = (trc_format)f;
        } else if (strcmp(s, "--product") == 0 && i + 1 < argc) {
            a->product = argv[++i];
        } else if (strcmp(s, "-o") == 0 && i + 1 < argc &&
                   strcmp(sub, "import") == 0) {
            a->out = argv[++i];
        } else if (strcmp(s, "--above") == 0 && i + 1 < argc &&
                   strcmp(sub, "info") == 0) {
            a->above = argv[++i];
        } else if (s[0] == '-' && s[1] != '\0') {
            return cli_usage("trace", "%s: unknown or incomplete option '%s'",
                             sub, s);
        } else {
            if (a->nin == sizeof a->in / sizeof a->in[0])
                return cli_usage("trace", "%s: too many inputs", sub);
            a->in[a->nin++] = s;
        }
    }
    if (a->nin == 0) return cli_usage("trace", "%s: no input file", sub);
    if (strcmp(sub, "import") == 0 && !a->out)
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

static int trace_import(int argc, char **argv) {
    trace_args a;
    int rc = parse_args("import", argc, argv, &a);
    if (rc) return rc;
    trc_import im = {0};
    trc_format fmts[256];
    if ((rc = load(&a, &im, fmts))) {
        trc_import_free(&im);
        return rc;
    }
    /* Written beside the output and renamed: a failed write leaves no half
    ** trace where a scenario would read it. */
    size_t n = strlen(a.out) + 8;
    char *tmp = malloc(n);
    if (!tmp) {
        trc_import_free(&im);
        cli_error("out of memory");
        return CLI_FAIL;
    }
    snprintf(tmp, n, "%s.tmp~", a.out);
    FILE *f = fopen(tmp, "w");
    rc = CLI_OK;
    if (!f) {
        cli_error("%s: %s", tmp, strerror(errno));
        rc = CLI_FAIL;
    } else {
        int bad = trc_import_write_csv(&im, f);
        if (fclose(f) != 0) bad = 1;
        if (bad || rename(tmp, a.out) != 0) {
            cli_error("%s: cannot write: %s", a.out, strerror(errno));
            remove(tmp);
            rc = CLI_FAIL;
        }
    }
    if (rc == CLI_OK)
        fprintf(stderr,
                "spotbench: wrote %s: %zu %s rows from %zu records (%zu "
                "filtered, %zu duplicates collapsed, %zu conflicting, %zu "
                "unchanged)\n",
                a.out, im.n,
                im.kind == TRC_KIND_PRICES ? "price" : "datapoint", im.read,
                im.filtered, im.dup_same, im.dup_diff, im.unchanged);
    free(tmp);
    trc_import_free(&im);
    return rc;
}

static int trace_check(int argc, char **argv) {
    trace_args a;
    int rc = parse_args("check", argc, argv, &a);
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
    printf("kind: %s\n", im.kind == TRC_KIND_PRICES ? "prices" : "metrics");
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

static int trace_info(int argc, char **argv) {
    trace_args a;
    int rc = parse_args("info", argc, argv, &a);
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

int cmd_trace(int argc, char **argv) {
    if (argc < 2) return cli_usage("trace", "expected 'import', 'check' or 'info'");
    if (strcmp(argv[1], "import") == 0) return trace_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "check") == 0) return trace_check(argc - 1, argv + 1);
    if (strcmp(argv[1], "info") == 0) return trace_info(argc - 1, argv + 1);
    return cli_usage("trace", "unknown subcommand '%s'", argv[1]);
}
