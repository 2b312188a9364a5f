/*
** cmd_ls.c: `spotbench ls`: what a results database holds: every sweep,
** tune, compare and sensitivity sweep with its policy, its axes, its runs
** and its date, as a table or as JSON; so that `best`, `export`, `report`
** and `plot` can be given the right id.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab/sweep.h"
#include "store/sweeptab.h"

const char cmd_ls_usage[] =
    "usage: spotbench ls [--db FILE] [--json]\n"
    "\n"
    "Lists the sweeps of a results database, one a line: the id, what made it\n"
    "(kind: sweep, tune, compare or sensitivity), its policy, its runs stored\n"
    "and expected (parameter sets x scenarios), when it was started, and its\n"
    "axes (the keys it varies). A sensitivity sweep varies unknowns (the\n"
    "metrics' delay, the schedule's second), not settings: 'spotbench best'\n"
    "refuses it unless --worst-case or --allow-unknowns says what is meant.\n"
    "Sweeps stored before schema version 5 have their kind inferred from their\n"
    "axes.\n"
    "\n"
    "  --db FILE   the SQLite database (default results/spotbench.db)\n"
    "  --json      one JSON array: [{\"id\", \"kind\", \"policy\", \"axes\": [KEY],\n"
    "              \"scenarios\": [PATH], \"points\", \"runs\", \"runs_expected\",\n"
    "              \"created\"}]\n"
    "\n"
    "exit status: 0, 1 when the database cannot be read, 2 when it does not\n"
    "exist.\n"
    "\n"
    "example:\n"
    "  spotbench sweep traces/scenarios/seed-week/scenario.json --policy guarded \\\n"
    "      --grid confirm=1,2 --db ls.db --quiet\n"
    "  spotbench ls --db ls.db\n";

static const cli_opt ls_opts[] = {{"--db", "FILE"}, {"--json", NULL}, {NULL, NULL}};
const cli_opt *const cmd_ls_opts[] = {ls_opts, NULL};

/* The kind of a sweep: as stored, else inferred from its axes. */
static const char *kind_of(const st_sweep_info *w, const lab_sweep_spec *spec, int parsed) {
    if (*w->kind) return w->kind;
    return parsed && lab_sweep_all_unknown(spec) ? "sensitivity" : "sweep";
}

/* "KEY, KEY" of the spec's axes into buf. */
static void axes_text(const lab_sweep_spec *spec, char *buf, size_t len) {
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < spec->ngrid + spec->nrnd && n < len; i++) {
        const char *k = i < spec->ngrid ? spec->grid[i].key : spec->rnd[i - spec->ngrid].key;
        int w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "", k);
        if (w < 0) break;
        n += (size_t)w;
    }
    if (!buf[0]) snprintf(buf, len, "(none)");
}

int cmd_ls(int argc, char **argv) {
    const char *db_path = "results/spotbench.db";
    int json = 0;
    cli_args a;
    cli_args_init(&a, "ls", NULL, ls_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) return cli_usage("ls", "unexpected argument '%s'", a.val);
        if (cli_is(&a, "--db")) db_path = a.val;
        else if (cli_is(&a, "--json")) json = 1;
    }
    if (access(db_path, F_OK) != 0) {
        cli_error("%s: no such database", db_path);
        return CLI_BADINPUT;
    }
    char err[1024];
    st_db *db = NULL;
    st_sweep_info *list = NULL;
    size_t n = 0;
    if (st_open(db_path, &db, err, sizeof err) || st_sweep_list(db, &list, &n, err, sizeof err)) {
        cli_error("%s", err);
        st_close(db);
        return CLI_FAIL;
    }
    st_close(db);
    cJSON *doc = json ? cJSON_CreateArray() : NULL;
    if (!json && n == 0) printf("%s: no sweeps\n", db_path);
    else if (!json)
        printf("%5s  %-11s  %-10s  %13s  %-20s  %s\n", "sweep", "kind", "policy", "runs",
               "created", "axes");
    for (size_t i = 0; i < n; i++) {
        const st_sweep_info *w = &list[i];
        lab_sweep_spec spec;
        char e[256], axes[1024], runs[48];
        int parsed = lab_sweep_spec_parse(w->spec, &spec, e, sizeof e) == 0;
        if (!parsed) memset(&spec, 0, sizeof spec);
        axes_text(&spec, axes, sizeof axes);
        const char *kind = kind_of(w, &spec, parsed);
        size_t expected = w->points * w->scenarios;
        if (!json) {
            snprintf(runs, sizeof runs, "%zu/%zu", w->runs, expected);
            printf("%5lld  %-11s  %-10s  %13s  %-20s  %s\n", (long long)w->id, kind, w->policy,
                   runs, w->created, axes);
        } else {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToArray(doc, o);
            cJSON_AddNumberToObject(o, "id", (double)w->id);
            cJSON_AddItemToObject(o, "kind", cli_json_str(kind));
            cJSON_AddItemToObject(o, "policy", cli_json_str(w->policy));
            cJSON *ax = cJSON_AddArrayToObject(o, "axes");
            for (size_t j = 0; j < spec.ngrid + spec.nrnd; j++)
                cJSON_AddItemToArray(ax, cli_json_str(j < spec.ngrid
                                                          ? spec.grid[j].key
                                                          : spec.rnd[j - spec.ngrid].key));
            cJSON *sc = cJSON_AddArrayToObject(o, "scenarios");
            for (size_t j = 0; j < spec.nscenarios; j++)
                cJSON_AddItemToArray(sc, cli_json_str(spec.scenarios[j]));
            cJSON_AddNumberToObject(o, "points", (double)w->points);
            cJSON_AddNumberToObject(o, "runs", (double)w->runs);
            cJSON_AddNumberToObject(o, "runs_expected", (double)expected);
            cJSON_AddItemToObject(o, "created", cli_json_str(w->created));
        }
        lab_sweep_spec_free(&spec);
    }
    st_sweep_list_free(list, n);
    if (json) return cli_json_print(doc);
    return CLI_OK;
}

int cli_sweep_arg(const char *topic, const char *v, int64_t *id) {
    char *end;
    if (strcmp(v, "last") == 0) {
        *id = CLI_SWEEP_LAST;
        return CLI_OK;
    }
    long long n = strtoll(v, &end, 10);
    if (*end || !*v || n < 1)
        return cli_usage(topic, "--sweep %s: expected a sweep id or 'last'", v);
    *id = n;
    return CLI_OK;
}

int cli_sweep_resolve(st_db *db, int64_t *id, char *err, size_t errlen) {
    if (*id != CLI_SWEEP_LAST) return 0;
    return st_sweep_last(db, id, err, errlen);
}
