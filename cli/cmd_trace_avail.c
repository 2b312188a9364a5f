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

int cli_trace_import_spot_traces(int argc, char **argv) {
    const char *in = NULL, *out = NULL, *pool = NULL, *start_s = NULL;
    double scale = 1, target = -1, weight = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (strcmp(a, "--format") == 0 && more) {
            i++; /* spot-traces: how we got here */
        } else if (strcmp(a, "-o") == 0 && more) {
            out = argv[++i];
        } else if (strcmp(a, "--start") == 0 && more) {
            start_s = argv[++i];
        } else if (strcmp(a, "--pool") == 0 && more) {
            pool = argv[++i];
        } else if (strcmp(a, "--scale") == 0 && more) {
            if (number("--scale", argv[++i], 0, &scale)) return CLI_BADINPUT;
        } else if (strcmp(a, "--target") == 0 && more) {
            if (number("--target", argv[++i], 0, &target)) return CLI_BADINPUT;
        } else if (strcmp(a, "--weight") == 0 && more) {
            if (number("--weight", argv[++i], 0, &weight)) return CLI_BADINPUT;
            if (weight <= 0) {
                cli_error("trace import: --weight: must be > 0");
                return CLI_BADINPUT;
            }
        } else if (a[0] == '-') {
            return cli_usage("trace", "import --format spot-traces: unknown or incomplete "
                                      "option '%s'", a);
        } else if (in) {
            return cli_usage("trace", "import --format spot-traces: one input file");
        } else {
            in = a;
        }
    }
    if (!in || !out || !start_s)
        return cli_usage("trace", "import --format spot-traces needs FILE, --start TIME "
                                  "and -o OUT");
    if (!pool == (target < 0))
        return cli_usage("trace", "import --format spot-traces: give --pool TYPE/AZ "
                                  "(a pool's capacity) or --target UNITS (a fleet's "
                                  "metrics), not both");
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
    /* Written beside the output and renamed: a failure leaves no half trace. */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp~", out);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        cli_error("%s: %s", tmp, strerror(errno));
        trc_avail_free(&av);
        return CLI_FAIL;
    }
    int wbad = pool ? trc_avail_write_pool(&av, start, type, az, scale, f)
                    : trc_avail_write_direct(&av, start, target, weight, f);
    if (fclose(f) != 0) wbad = 1;
    if (wbad || rename(tmp, out) != 0) {
        cli_error("%s: cannot write: %s", out, strerror(errno));
        remove(tmp);
        trc_avail_free(&av);
        return CLI_FAIL;
    }
    fprintf(stderr, "spotbench: wrote %s: %zu steps of %lld s (%.1f days) as %s\n", out,
            av.n, (long long)av.gap, (double)av.n * (double)av.gap / 86400,
            pool ? "a pool's capacity" : "a fleet's metrics (direct mode, Period 60)");
    trc_avail_free(&av);
    return CLI_OK;
}
