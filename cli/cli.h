/*
** cli.h: what the subcommands of the spotbench binary share. The CLI is thin:
** it parses arguments, calls the libraries and prints; all logic lives in the
** modules.
*/
#ifndef SPOTBENCH_CLI_H
#define SPOTBENCH_CLI_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "lab/regress.h"
#include "lab/sweep.h"
#include "policy/policy.h"
#include "sim/sim.h"
#include "store/store.h"
#include "traces/outfile.h"

/* Exit statuses: 0 success, 1 a run-time failure (I/O, AWS), 2 bad input
** (usage, a malformed file or value). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_BADINPUT = 2 };

/* ---- options (opt.c) ------------------------------------------------------ */

/* One option of a command: its name ("--policy", "-j") and, when it takes
** a value, the value's placeholder ("NAME"); NULL for a flag. Tables end
** with {NULL, NULL}. */
typedef struct {
    const char *name;
    const char *arg;
} cli_opt;

/* The state of reading one command's arguments. */
typedef struct {
    const char *topic;   /* the help topic named in messages: "run" */
    const char *what;    /* a prefix for messages: "" or "import: " */
    const cli_opt *opts;
    int argc;
    char **argv;
    int i;
    int dashdash;        /* after "--": operands only */
    const char *opt;     /* CLI_ARG_OPT: the option, spelt as in the table */
    const char *val;     /* its value, or the operand with CLI_ARG_POS */
} cli_args;

enum { CLI_ARG_END = 0, CLI_ARG_OPT = 1, CLI_ARG_POS = 2, CLI_ARG_BAD = -1 };

/* Starts reading argv[1..argc): argv[0] is the command (or subcommand). */
void cli_args_init(cli_args *a, const char *topic, const char *what,
                   const cli_opt *opts, int argc, char **argv);
/* The next argument: CLI_ARG_OPT (a->opt, and a->val when the option takes
** a value), CLI_ARG_POS (an operand in a->val), CLI_ARG_END, or CLI_ARG_BAD
** after printing the usage error (unknown option, with the closest known
** one suggested; a missing value; a value given to a flag). */
int cli_next(cli_args *a);
/* 1 when the option just read is `name`. */
int cli_is(const cli_args *a, const char *name);
/* The value of -j N, workers 1 to 1024: 0 with *out set, or -1 (the caller
** reports "-j V: expected 1 to 1024" in its own way). */
int cli_jobs(const char *v, long *out);
/* 1 when a --set value is KEY=VALUE with a KEY. */
int cli_is_kv(const char *kv);

typedef struct {
    const char *name;
    const char *summary;
    const char *usage; /* full help text */
    int (*run)(int argc, char **argv);
    /* Every option table the command reads (subcommands included),
    ** NULL-terminated: what `help --options` lists. */
    const cli_opt *const *opts;
} cli_command;

/* Prints "spotbench: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the usage error and a pointer to the subcommand's help; returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

const char *cli_version(void);

/* Output files (-o PATH) under the rules of traces/outfile.h; each prints
** what went wrong and returns the exit status, one rule for every command
** (docs/overview.md, "Exit statuses"): a path the rules refuse (a link, not
** a regular file, a missing directory, empty) is bad input, CLI_BADINPUT;
** failing to write a path they accept is CLI_FAIL. cli_out_check: CLI_OK or
** CLI_BADINPUT. cli_out_open: CLI_OK, CLI_BADINPUT (the check) or CLI_FAIL
** (the temporary). cli_out_close commits when `ok` (else drops the content)
** and returns CLI_OK or CLI_FAIL. */
int cli_out_check(const char *path);
/* A figure's extension (.png, .svg or "-"): CLI_OK or CLI_BADINPUT; and
** that with cli_out_check (plot, compare --plot). */
int cli_plot_ext_check(const char *path);
int cli_plot_out_check(const char *path);
int cli_out_open(trc_out *o, const char *path);
int cli_out_close(trc_out *o, int ok);

/* --json output: a JSON string of s (bytes that are not UTF-8 become
** U+FFFD: paths and names may hold any bytes), or NULL when out of memory;
** and the document printed as one line, then deleted (CLI_OK, or CLI_FAIL
** after saying why). Every --json prints one JSON value on one line. */
cJSON *cli_json_str(const char *s);
int cli_json_print(cJSON *doc);

/* Prints "--policy NAME: unknown policy" with the closest policy suggested;
** returns 2. */
int cli_unknown_policy(const char *name);

/* SPOTBENCH_NOW (epoch seconds or ISO-8601 UTC) into *out, 0 when unset.
** Returns 0, or -1 after printing why the value is bad. */
int cli_fixed_now(int64_t *out);

/* Runs one simulation and stores it as one transaction; prints the error
** and returns CLI_FAIL when the run or the store fails (nothing stored). */
int cli_run_one(st_db *db, const sim_scenario *sc, const pol_policy *pol,
                const pol_params *params, const char *const *sets, size_t nsets,
                int timeseries, sim_result *res, int64_t *run_id);

/* Says once, on stderr, that a policy with a fallback_capacity (classic,
** the seed's controller) will assume a shortfall of another size than the
** fleet's TargetCapacity: the original hard-codes 32 units, so on a 48-unit
** fleet it silently covers 32. Nothing when they agree or in direct mode. */
void cli_note_fallback(const sim_scenario *sc, const pol_policy *pol,
                       const pol_params *params);


#define CLI_DECLARE(NAME)                                                      \
    int cmd_##NAME(int argc, char **argv);                                     \
    extern const char cmd_##NAME##_usage[];                                    \
    extern const cli_opt *const cmd_##NAME##_opts[]
CLI_DECLARE(policy);
CLI_DECLARE(run);
CLI_DECLARE(regress);
CLI_DECLARE(sweep);
CLI_DECLARE(best);
CLI_DECLARE(merge);
CLI_DECLARE(plot);
CLI_DECLARE(live);
CLI_DECLARE(lambda);
CLI_DECLARE(deploy);
CLI_DECLARE(sensitivity);
CLI_DECLARE(trace);
CLI_DECLARE(compare);
CLI_DECLARE(tune);

/* The cases of a suite (lab_suite_load), printing why there are none.
** Returns a CLI exit status; the caller frees s with lab_suite_free. */
int cli_suite_load(const char *path, lab_suite *s);

/* A duration as the tables print it: 45s, 3m52s, 1h47m. */
void cli_duration(char *buf, size_t n, int64_t s);

/* Writes the live configuration of a scenario with KEY=VALUE settings (a
** sweep point's) to path, warnings on stderr; fleet and group may be NULL
** (placeholders). Returns a CLI exit status (cmd_deploy.c). */
int cli_write_live_config(const char *path, const char *scenario,
                          const char *const *sets, size_t nsets,
                          const char *policy, const char *fleet,
                          const char *group);

/* The same for point `point` of a sweep (its fixed settings, then the
** point's), on the sweep's first scenario. */
int cli_point_live_config(const char *path, const lab_sweep_spec *spec,
                          size_t point, const char *fleet, const char *group);

/* trace import --format spot-traces (cmd_trace_avail.c), and its options. */
int cli_trace_import_spot_traces(int argc, char **argv);
extern const cli_opt cmd_trace_avail_opts[];

#endif
