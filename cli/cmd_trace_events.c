/*
** cmd_trace_events.c: `spotbench trace import --format eventbridge`:
** recorded EventBridge events (an archive's or a log's event JSON, or an SQS
** queue dump) as the events CSV a direct-mode replay reads beside its
** metrics (scenario direct.events). The reading and writing are
** traces/events.c's.
*/
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "traces/events.h"
#include "traces/import.h"

const cli_opt cmd_trace_events_opts[] = {
    {"--format", "eventbridge"}, {"-o", "OUT.csv"}, {"--weight", "UNITS"}, {NULL, NULL}};

int cli_trace_import_events(int argc, char **argv) {
    const char *in[256], *out = NULL;
    size_t nin = 0;
    double weight = 1;
    cli_args p;
    cli_args_init(&p, "trace", "import --format eventbridge: ", cmd_trace_events_opts, argc,
                  argv);
    for (int k; (k = cli_next(&p)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (nin == sizeof in / sizeof *in)
                return cli_usage("trace", "import: at most 256 input files");
            in[nin++] = p.val;
        } else if (cli_is(&p, "-o")) {
            out = p.val;
        } else if (cli_is(&p, "--weight")) {
            char *end;
            errno = 0;
            weight = strtod(p.val, &end);
            if (end == p.val || *end || errno || !(weight > 0) || weight > 1e6) {
                cli_error("trace import: --weight: '%s' must be a number in (0, 1e6]", p.val);
                return CLI_BADINPUT;
            }
        }
    }
    if (!nin || !out)
        return cli_usage("trace", "import --format eventbridge needs FILE... and -o OUT.csv");
    if (cli_out_check(out)) return CLI_BADINPUT;
    trc_events ev = {0};
    char err[768];
    for (size_t i = 0; i < nin; i++) {
        size_t len;
        char *text = trc_read_file(in[i], &len, err, sizeof err);
        int bad = !text || strlen(text) != len;
        if (text && bad) snprintf(err, sizeof err, "%s: holds a NUL byte: not JSON", in[i]);
        if (!bad) bad = trc_events_add(&ev, in[i], text, err, sizeof err);
        free(text);
        if (bad) {
            cli_error("%s", err);
            trc_events_free(&ev);
            return CLI_BADINPUT;
        }
    }
    trc_events_finish(&ev);
    trc_out o;
    int rc = cli_out_open(&o, out);
    if (rc != CLI_OK) {
        trc_events_free(&ev);
        return rc;
    }
    int wbad = trc_events_write_csv(&ev, weight, o.f);
    if (wbad) cli_error("%s: cannot write: %s", out, strerror(errno));
    rc = cli_out_close(&o, !wbad);
    if (rc == CLI_OK)
        fprintf(stderr,
                "spotbench: wrote %s: %zu events (%zu repeated ids dropped, %zu other "
                "events or messages skipped), %g units each\n",
                out, ev.n, ev.dup, ev.other, weight);
    trc_events_free(&ev);
    return rc;
}
