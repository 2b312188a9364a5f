/*
** cmd_plot.c: `spotbench plot frontier|timeline|heatmap`: parse, open the
** database, call plot/, report. The figures themselves are plot/'s.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot/plot.h"
#include "store/store.h"

const char cmd_plot_usage[] =
    "usage: spotbench plot frontier --sweep ID -o FILE [--db FILE]\n"
    "       spotbench plot timeline --run ID -o FILE [--db FILE]\n"
    "       spotbench plot heatmap --sweep ID --x KEY --y KEY --z coverage|cost\n"
    "                              -o FILE [--db FILE]\n"
    "\n"
    "Draws a figure with gnuplot into FILE, PNG or SVG by its extension:\n"
    "  frontier  every run of a sweep, total cost against coverage, one panel per\n"
    "            scenario, with the Pareto front drawn and labelled\n"
    "  timeline  a run minute by minute (required, target, fulfilled spot,\n"
    "            on-demand serving, pending; spot prices on a second axis); the\n"
    "            run must have been stored with 'spotbench run --timeseries'\n"
    "  heatmap   a sweep over two swept keys, coloured by coverage (the lowest\n"
    "            over scenarios) or cost (the sum); with more swept keys, each\n"
    "            cell shows the best over the others\n"
    "\n"
    "options:\n"
    "  -o FILE     the figure, .png or .svg\n"
    "  --db FILE   the SQLite database (default results/spotbench.db)\n";

static const cli_opt plot_opts[] = {
    {"--sweep", "ID"}, {"--run", "ID"}, {"-o", "FILE"}, {"--db", "FILE"},
    {"--x", "KEY"},    {"--y", "KEY"},  {"--z", "coverage|cost"}, {NULL, NULL}};
const cli_opt *const cmd_plot_opts[] = {plot_opts, NULL};

int cmd_plot(int argc, char **argv) {
    if (argc < 2) return cli_usage("plot", "frontier, timeline or heatmap is required");
    const char *what = argv[1], *out = NULL, *db_path = "results/spotbench.db";
    const char *x = NULL, *y = NULL, *z = NULL;
    int64_t sweep = 0, run_id = 0;
    if (strcmp(what, "frontier") && strcmp(what, "timeline") && strcmp(what, "heatmap"))
        return cli_usage("plot", "unknown figure '%s'", what);
    cli_args a;
    cli_args_init(&a, "plot", NULL, plot_opts, argc - 1, argv + 1);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        char *end;
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) return cli_usage("plot", "unexpected argument '%s'", a.val);
        if (cli_is(&a, "--sweep")) {
            sweep = strtoll(a.val, &end, 10);
            if (*end || sweep < 1) return cli_usage("plot", "--sweep %s: expected an id", a.val);
        } else if (cli_is(&a, "--run")) {
            run_id = strtoll(a.val, &end, 10);
            if (*end || run_id < 1) return cli_usage("plot", "--run %s: expected an id", a.val);
        } else if (cli_is(&a, "-o")) out = a.val;
        else if (cli_is(&a, "--db")) db_path = a.val;
        else if (cli_is(&a, "--x")) x = a.val;
        else if (cli_is(&a, "--y")) y = a.val;
        else if (cli_is(&a, "--z")) z = a.val;
    }
    if (!out) return cli_usage("plot", "-o FILE is required");
    int is_timeline = strcmp(what, "timeline") == 0;
    if (is_timeline ? !run_id : !sweep)
        return cli_usage("plot", "%s is required", is_timeline ? "--run ID" : "--sweep ID");
    pl_z zz = PL_COVERAGE;
    if (strcmp(what, "heatmap") == 0) {
        if (!x || !y || !z) return cli_usage("plot", "heatmap needs --x, --y and --z");
        if (strcmp(z, "cost") == 0) zz = PL_COST;
        else if (strcmp(z, "coverage") != 0)
            return cli_usage("plot", "--z %s: expected coverage or cost", z);
    }
    if (cli_out_check(out)) return CLI_BADINPUT;
    /* st_open would create a missing database: say it is missing instead. */
    if (access(db_path, F_OK) != 0) {
        cli_error("%s: no such database", db_path);
        return CLI_BADINPUT;
    }
    char err[1024];
    st_db *db;
    if (st_open(db_path, &db, err, sizeof err)) {
        cli_error("%s", err);
        return CLI_FAIL;
    }
    int rc;
    if (strcmp(what, "frontier") == 0) rc = pl_frontier(db, sweep, out, err, sizeof err);
    else if (is_timeline) rc = pl_timeline(db, run_id, out, err, sizeof err);
    else rc = pl_heatmap(db, sweep, x, y, zz, out, err, sizeof err);
    st_close(db);
    if (rc) {
        cli_error("%s", err);
        return CLI_FAIL;
    }
    if (strcmp(out, "-") != 0) printf("%s\n", out); /* "-": the figure is the output */
    return CLI_OK;
}
