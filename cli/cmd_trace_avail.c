/*
** cmd_trace_avail.c: `spotbench trace import --format spot-traces`: a public
** spot availability trace ({"metadata": {"gap_seconds": N}, "data": [...]})
** as a pool's capacity CSV (model mode) or a fleet's recorded metrics
** (direct mode). The reading and writing are traces/avail.c's.
*/
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "traces/import.h"
#include "traces/traces.h"

static int number(const char *opt, const char *s, double min, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v >= min) || v > 1e9) {
        cli_error("trace import: %s: '%s' must be a number >= %g (at most 1e9)", opt, s,
                  min);
        return -1;
    }
    *out = v;
    return 0;
}

const cli_opt cmd_trace_avail_opts[] = {
    {"--format", "spot-traces"}, {"-o", "OUT.csv"}, {"--start", "TIME"}, {"--pool", "TYPE/AZ"},
    {"--scale", "F"},            {"--target", "UNITS"}, {"--weight", "UNITS"}, {NULL, NULL}};

int cli_trace_import_spot_traces(int argc, char **argv) {
    const char *in = NULL, *out = NULL, *pool = NULL, *start_s = NULL;
    double scale = 1, target = -1, weight = 1;
    cli_args p;
    cli_args_init(&p, "trace", "import --format spot-traces: ", cmd_trace_avail_opts, argc,
                  argv);
    for (int k; (k = cli_next(&p)) != CLI_ARG_END;) {
        const char *v = p.val;
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (in) return cli_usage("trace", "import --format spot-traces: one input file");
            in = v;
        } else if (cli_is(&p, "--format")) {
            /* spot-traces: how we got here */
        } else if (cli_is(&p, "-o")) {
            out = v;
        } else if (cli_is(&p, "--start")) {
            start_s = v;
        } else if (cli_is(&p, "--pool")) {
            pool = v;
        } else if (cli_is(&p, "--scale")) {
            if (number("--scale", v, 0, &scale)) return CLI_BADINPUT;
        } else if (cli_is(&p, "--target")) {
            if (number("--target", v, 0, &target)) return CLI_BADINPUT;
        } else if (cli_is(&p, "--weight")) {
            if (number("--weight", v, 0, &weight)) return CLI_BADINPUT;
            if (weight <= 0) {
                cli_error("trace import: --weight: must be > 0");
                return CLI_BADINPUT;
            }
        }
    }
    if (!in || !out || !start_s)
        return cli_usage("trace", "import --format spot-traces needs FILE, --start TIME "
                                  "and -o OUT");
    if (!pool == (target < 0))
        return cli_usage("trace", "import --format spot-traces: give --pool TYPE/AZ "
                                  "(a pool's capacity) or --target UNITS (a fleet's "
                                  "metrics), not both");
    if (cli_out_check(out)) return CLI_BADINPUT;
    int64_t start;
    if (trc_time_parse(start_s, &start)) {
        cli_error("trace import: --start: '%s' is not an ISO-8601 UTC time "
                  "(2023-02-15T00:00:00Z)", start_s);
        return CLI_BADINPUT;
    }
    char type[32] = "", az[32] = "";
    if (pool) {
        const char *slash = strchr(pool, '/');
        if (!slash || slash == pool || !slash[1] || (size_t)(slash - pool) >= sizeof type ||
            strlen(slash + 1) >= sizeof az) {
            cli_error("trace import: --pool: '%s' must be INSTANCETYPE/AZ "
                      "(c4.xlarge/us-east-1a)", pool);
            return CLI_BADINPUT;
        }
        memcpy(type, pool, (size_t)(slash - pool));
        snprintf(az, sizeof az, "%s", slash + 1);
    }

    char err[512];
    size_t len;
    char *text = trc_read_file(in, &len, err, sizeof err);
    if (!text) {
        cli_error("%s", err);
        return CLI_BADINPUT;
    }
    trc_avail av;
    int bad = trc_avail_parse(in, text, len, &av, err, sizeof err);
    free(text);
    if (bad) {
        cli_error("%s", err);
        return CLI_BADINPUT;
    }
    /* Replaced whole or not at all (traces/outfile.h). */
    trc_out o;
    int rc = cli_out_open(&o, out);
    if (rc != CLI_OK) {
        trc_avail_free(&av);
        return rc;
    }
    int wbad = pool ? trc_avail_write_pool(&av, start, type, az, scale, o.f)
                    : trc_avail_write_direct(&av, start, target, weight, o.f);
    if (wbad) cli_error("%s: cannot write: %s", out, strerror(errno));
    if (cli_out_close(&o, !wbad) != CLI_OK) {
        trc_avail_free(&av);
        return CLI_FAIL;
    }
    fprintf(stderr, "spotbench: wrote %s: %zu steps of %lld s (%.1f days) as %s\n", out,
            av.n, (long long)av.gap, (double)av.n * (double)av.gap / 86400,
            pool ? "a pool's capacity" : "a fleet's metrics (direct mode, Period 60)");
    trc_avail_free(&av);
    return CLI_OK;
}
