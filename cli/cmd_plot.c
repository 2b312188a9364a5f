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
#include "traces/traces.h"

const char cmd_plot_usage[] =
    "usage: spotbench plot frontier --sweep ID -o FILE [--db FILE] [--json]\n"
    "       spotbench plot timeline --run ID [--from TIME] [--to TIME] -o FILE\n"
    "                               [--db FILE]\n"
    "       spotbench plot heatmap --sweep ID --x KEY --y KEY --z coverage|cost\n"
    "                              -o FILE [--db FILE]\n"
    "\n"
    "Draws a figure with gnuplot into FILE, PNG or SVG by its extension (- writes\n"
    "a PNG to standard output). FILE is replaced only by a whole figure, and\n"
    "only when gnuplot succeeds (exit 1 otherwise, FILE left as it was):\n"
    "  frontier  every run of a sweep, total cost against coverage, one panel per\n"
    "            scenario (by its name) and, with several scenarios, one over all\n"
    "            of them (costs summed, the lowest coverage: what 'best' ranks);\n"
    "            the Pareto front numbered and listed with its parameters (points\n"
    "            equal once rounded as shown are one entry), the oracle bound and\n"
    "            classic with its defaults (when such a run is stored) marked, or\n"
    "            named in the key when far off the runs\n"
    "  timeline  a run minute by minute: required, target, fulfilled spot,\n"
    "            on-demand serving, pending (shaded), and each pool's spot price\n"
    "            and max price (dotted) on a second axis, titled with the\n"
    "            scenario, the policy and its settings; the run must have been\n"
    "            stored with 'spotbench run --timeseries'\n"
    "  heatmap   a sweep over two swept keys, coloured by coverage (the lowest\n"
    "            over scenarios) or cost (the sum); with more swept keys, each\n"
    "            cell shows the best over the others\n"
    "\n"
    "options:\n"
    "  -o FILE      the figure, .png or .svg, or - (a PNG on standard output)\n"
    "  --from TIME  timeline: from this time (ISO-8601 UTC or epoch seconds)\n"
    "  --to TIME    timeline: up to this time\n"
    "  --db FILE    the SQLite database (default results/spotbench.db)\n"
    "  --json       say what was written as one JSON object, {\"figure\", \"files\"};\n"
    "               a failure is {\"error\", \"exit_status\"} (not with -o -)\n"
    "\n"
    "examples (a new database: the sweep is number 1, the run 10):\n"
    "  spotbench sweep traces/scenarios/seed-week/scenario.json --policy guarded \\\n"
    "      --grid window=300,600,900 --grid confirm=1,2,3 --db plot.db --quiet\n"
    "  spotbench plot frontier --sweep 1 --db plot.db -o frontier.png\n"
    "  spotbench plot heatmap --sweep 1 --x window --y confirm --z cost \\\n"
    "      --db plot.db -o heatmap.svg\n"
    "  spotbench run traces/scenarios/seed-week/scenario.json --timeseries --db plot.db\n"
    "  spotbench plot timeline --run 10 --from 2016-08-10T12:00:00Z \\\n"
    "      --to 2016-08-11T00:00:00Z --db plot.db -o timeline.png\n";

static const cli_opt plot_opts[] = {
    {"--sweep", "ID"}, {"--run", "ID"}, {"-o", "FILE"}, {"--db", "FILE"},
    {"--x", "KEY"},    {"--y", "KEY"},  {"--z", "coverage|cost"},
    {"--from", "TIME"}, {"--to", "TIME"}, {"--json", NULL}, {NULL, NULL}};
const cli_opt *const cmd_plot_opts[] = {plot_opts, NULL};

/* A time: epoch seconds (digits) or ISO-8601 UTC. 0, or -1. */
static int parse_time(const char *s, int64_t *out) {
    size_t n = strspn(s, "0123456789");
    if (n > 0 && n <= 12 && s[n] == '\0') {
        *out = strtoll(s, NULL, 10);
        return *out > 0 ? 0 : -1;
    }
    return trc_time_parse(s, out);
}

static int plot_main(cli_jout *j, int argc, char **argv);

int cmd_plot(int argc, char **argv) {
    cli_jout j;
    cli_jout_init(&j, argc, argv);
    return cli_jdone(&j, plot_main(&j, argc, argv));
}

static int plot_main(cli_jout *j, int argc, char **argv) {
    if (argc < 2) return cli_usage("plot", "frontier, timeline or heatmap is required");
    const char *what = argv[1], *out = NULL, *db_path = "results/spotbench.db";
    const char *x = NULL, *y = NULL, *z = NULL;
    int64_t sweep = 0, run_id = 0, from = 0, to = 0;
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
        else if (cli_is(&a, "--json")) j->json = 1;
        else if (cli_is(&a, "--from") || cli_is(&a, "--to")) {
            int64_t t;
            if (parse_time(a.val, &t))
                return cli_usage("plot", "%s %s: expected an ISO-8601 UTC time or epoch "
                                         "seconds", a.opt, a.val);
            if (cli_is(&a, "--from")) from = t;
            else to = t;
        }
    }
    if ((from || to) && strcmp(what, "timeline") != 0)
        return cli_usage("plot", "--from and --to are for the timeline");
    if (from && to && from >= to) return cli_usage("plot", "--from must be before --to");
    if (!out) return cli_usage("plot", "-o FILE is required");
    if (j->json && strcmp(out, "-") == 0)
        return cli_usage("plot", "--json and -o -: the figure would be the output");
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
    if (cli_plot_out_check(out)) return CLI_BADINPUT;
    /* st_open would create a missing database: say it is missing instead. */
    if (access(db_path, F_OK) != 0)
        return cli_jfail(j, CLI_BADINPUT, "%s: no such database", db_path);
    char err[1024];
    st_db *db;
    if (st_open(db_path, &db, err, sizeof err)) return cli_jfail(j, CLI_FAIL, "%s", err);
    /* What the figure draws must exist: a missing sweep or run, or a key the
    ** sweep did not sweep, is bad input, as in best and deploy (gnuplot
    ** failing is the run-time failure). */
    int rc = CLI_OK, zz_heatmap = strcmp(what, "heatmap") == 0;
    st_run_desc *d = is_timeline ? malloc(sizeof *d) : NULL;
    char *spec = NULL;
    if (is_timeline && !d) {
        rc = cli_jfail(j, CLI_FAIL, "out of memory");
    } else if (is_timeline   ? st_run_describe(db, run_id, d, err, sizeof err)
               : zz_heatmap  ? pl_check_heatmap(db, sweep, x, y, err, sizeof err)
                             : st_sweep_spec(db, sweep, &spec, err, sizeof err)) {
        rc = cli_jfail(j, CLI_BADINPUT, "%s", err);
    }
    free(d);
    free(spec);
    if (rc != CLI_OK) {
        st_close(db);
        return rc;
    }
    if (strcmp(what, "frontier") == 0) rc = pl_frontier(db, sweep, out, err, sizeof err);
    else if (is_timeline) rc = pl_timeline(db, run_id, from, to, out, err, sizeof err);
    else rc = pl_heatmap(db, sweep, x, y, zz, out, err, sizeof err);
    st_close(db);
    if (rc) return cli_jfail(j, CLI_FAIL, "%s", err);
    if (j->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "figure", cli_json_str(what));
        cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "files"), cli_json_str(out));
        return cli_json_print(doc);
    }
    if (strcmp(out, "-") != 0) printf("%s\n", out); /* "-": the figure is the output */
    return CLI_OK;
}

int cli_plot_ext_check(const char *path) {
    char err[600];
    if (pl_check_output(path, err, sizeof err) == 0) return CLI_OK;
    cli_error("%s", err);
    return CLI_BADINPUT;
}

int cli_plot_out_check(const char *path) {
    int rc = cli_plot_ext_check(path);
    return rc ? rc : cli_out_check(path);
}
