/*
** cli.h: what the subcommands of the spotbench binary share. The CLI is thin:
** it parses arguments, calls the libraries and prints; all logic lives in the
** modules.
*/
#ifndef SPOTBENCH_CLI_H
#define SPOTBENCH_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "policy/policy.h"
#include "sim/sim.h"
#include "sim/sweep.h"
#include "store/store.h"

/* Exit statuses: 0 success, 1 a run-time failure (I/O, AWS), 2 bad input
** (usage, a malformed file or value). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_BADINPUT = 2 };

typedef struct {
    const char *name;
    const char *summary;
    const char *usage; /* full help text */
    int (*run)(int argc, char **argv);
} cli_command;

/* Prints "spotbench: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the usage error and a pointer to the subcommand's help; returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

const char *cli_version(void);

/* SPOTBENCH_NOW (epoch seconds or ISO-8601 UTC) into *out, 0 when unset.
** Returns 0, or -1 after printing why the value is bad. */
int cli_fixed_now(int64_t *out);

/* Runs one simulation and stores it as one transaction; prints the error
** and returns CLI_FAIL when the run or the store fails (nothing stored). */
int cli_run_one(st_db *db, const sim_scenario *sc, const pol_policy *pol,
                const pol_params *params, const char *const *sets, size_t nsets,
                int timeseries, sim_result *res, int64_t *run_id);

/* Writes the live configuration of a scenario with KEY=VALUE settings (a
** sweep point's) to path, warnings on stderr; fleet and group may be NULL
** (placeholders). Returns a CLI exit status (cmd_deploy.c). */
int cli_write_live_config(const char *path, const char *scenario,
                          const char *const *sets, size_t nsets,
                          const char *policy, const char *fleet,
                          const char *group);

/* The same for point `point` of a sweep (its fixed settings, then the
** point's), on the sweep's first scenario. */
int cli_point_live_config(const char *path, const sim_sweep_spec *spec,
                          size_t point, const char *fleet, const char *group);

/* The cases of a suite (suite.c): names and scenario paths, malloc'd. */
typedef struct {
    char **name, **path;
    size_t n;
} cli_suite;
/* A scenario file is one case; a folder gives each subfolder holding a
** scenario.json, sorted. Returns a CLI exit status after printing why. */
int cli_suite_load(const char *path, cli_suite *s);
void cli_suite_free(cli_suite *s);
/* The --set strings that apply to a run of `pol`: its own parameters and
** scenario fields, not another policy's parameters. Fills out (nsets
** entries at most); returns how many. */
int cli_sets_for(const pol_policy *pol, const char *const *sets, size_t nsets,
                 const char **out);

/* A duration as the tables print it: 45s, 3m52s, 1h47m. */
void cli_duration(char *buf, size_t n, int64_t s);

int cmd_compare(int argc, char **argv);
extern const char cmd_compare_usage[];
int cmd_tune(int argc, char **argv);
extern const char cmd_tune_usage[];
int cmd_policy(int argc, char **argv);
extern const char cmd_policy_usage[];
int cmd_run(int argc, char **argv);
extern const char cmd_run_usage[];
int cmd_regress(int argc, char **argv);
extern const char cmd_regress_usage[];
int cmd_sweep(int argc, char **argv);
extern const char cmd_sweep_usage[];
int cmd_best(int argc, char **argv);
extern const char cmd_best_usage[];
int cmd_merge(int argc, char **argv);
extern const char cmd_merge_usage[];
int cmd_plot(int argc, char **argv);
extern const char cmd_plot_usage[];
int cmd_live(int argc, char **argv);
extern const char cmd_live_usage[];
int cmd_lambda(int argc, char **argv);
extern const char cmd_lambda_usage[];
int cmd_deploy(int argc, char **argv);
extern const char cmd_deploy_usage[];
int cmd_sensitivity(int argc, char **argv);
extern const char cmd_sensitivity_usage[];
int cmd_trace(int argc, char **argv);
/* trace import --format spot-traces (cmd_trace_avail.c). */
int cli_trace_import_spot_traces(int argc, char **argv);
extern const char cmd_trace_usage[];

#endif
