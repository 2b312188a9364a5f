/*
** now.c: SPOTBENCH_NOW, the fixed clock the commands that talk to AWS (live,
** lambda) take their time from in tests.
*/
#include "cli.h"

#include <errno.h>
#include <stdlib.h>

#include "traces/traces.h"

int cli_fixed_now(int64_t *out) {
    const char *v = getenv("SPOTBENCH_NOW");
    *out = 0;
    if (!v || !*v) return 0;
    char *end;
    errno = 0;
    long long t = strtoll(v, &end, 10);
    if (!errno && *end == '\0' && t > 0) {
        *out = t;
        return 0;
    }
    if (trc_time_parse(v, out) == 0 && *out > 0) return 0;
    cli_error("SPOTBENCH_NOW=%s: not epoch seconds or an ISO-8601 UTC time", v);
    return -1;
}
