/*
** cli.h: what the subcommands of the spotbench binary share. The CLI is thin:
** it parses arguments, calls the libraries and prints; all logic lives in the
** modules.
*/
#ifndef SPOTBENCH_CLI_H
#define SPOTBENCH_CLI_H

#include <cjson/cJSON.h>
#include <stdarg.h>
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
/* --min-coverage PCT: 0 (and *out) or, after the usage error, 2. A value
** in (0, 1] is refused as a fraction given for a percentage. */
int cli_coverage(const char *topic, const char *v, double *out);
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
    /* 1: with --json, the command prints its own failures as JSON
    ** (cli_jout); 0: main prints a refused input's error object for it. */
    int json_errors;
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
/* Adds KEY: VALUE of "KEY=VALUE" to o: VALUE as JSON when it is JSON (a
** number), else as a string. */
void cli_json_kv(cJSON *o, const char *kv);
/* Adds key: [lo, hi] to o (a 95 % interval as --json gives it). */
void cli_json_interval(cJSON *o, const char *key, double lo, double hi);
int cli_json_print(cJSON *doc);
/* A failed --json command's one line: {"error": msg, "exit_status": rc}, so
** that a script reading the JSON sees the failure (the message is also on
** stderr). Returns rc. */
int cli_json_error(int rc, const char *msg);
/* 1 when argv holds --json before any "--": for a command whose options
** could not be read. */
int cli_argv_json(int argc, char **argv);
/* A command's --json failure state: `json` from cli_argv_json, `said` once
** a failure has been printed as JSON. cli_jfail says what went wrong on
** stderr and, with --json, as the error object too; returns rc.
** cli_jdone(j, rc) ends a command: a failure not yet said as JSON (a usage
** error, a message printed deeper down) gets the error object pointing at
** stderr. Returns rc. */
typedef struct {
    int json, said;
} cli_jout;
void cli_jout_init(cli_jout *j, int argc, char **argv);
int cli_jfail(cli_jout *j, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int cli_jfailv(cli_jout *j, int rc, const char *fmt, va_list ap);
int cli_jdone(cli_jout *j, int rc);

/* Prints "--policy NAME: unknown policy" with the closest policy suggested;
** returns 2. */
int cli_unknown_policy(const char *name);
/* Opens the --policy specifications specs[0..n) (lab/polspec.h: a built-in,
** a variant, exec:COMMAND, a .so) into out[0..n), with `unique` refusing one
** given twice or two with one label (a table's rows). Returns CLI_OK (release
** them with cli_policies_close), or an exit status after saying why (nothing
** left open). */
int cli_policies_open(const char *cmd, const char *const *specs, size_t n, int unique,
                      const pol_policy **out);
void cli_policies_close(const pol_policy **pols, size_t n);
/* lab_policy_open for a live config's "policy" (aws_policy_open_fn). */
int cli_live_policy_open(void *ctx, const char *spec, const pol_policy **out, char *err,
                         size_t errlen);

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
CLI_DECLARE(ls);
CLI_DECLARE(export);
CLI_DECLARE(report);

/* --sweep ID or --sweep last (cmd_ls.c): *id, CLI_SWEEP_LAST for 'last';
** CLI_OK or, after the usage error, CLI_BADINPUT. cli_sweep_resolve turns
** CLI_SWEEP_LAST into the id of the sweep stored last: 0, or -1 with a
** message (no sweep). */
#define CLI_SWEEP_LAST (-1)
int cli_sweep_arg(const char *topic, const char *v, int64_t *id);
int cli_sweep_resolve(st_db *db, int64_t *id, char *err, size_t errlen);

/* The cases of a suite (lab_suite_load), printing why there are none.
** Returns a CLI exit status; the caller frees s with lab_suite_free. */
int cli_suite_load(const char *path, lab_suite *s);
/* With a native strategy among pols[0..n) (pol_policy.native), or
** fleet.kind=asg among the settings, leaves the suite's direct-mode cases
** out (they replay a fleet's metrics: there is no spot side to set up),
** saying so on stderr. Returns a CLI exit status:
** CLI_BADINPUT when no case is left. */
int cli_suite_model_only(lab_suite *s, const pol_policy *const *pols, size_t n,
                         const char *const *sets, size_t nsets);

/* A duration as the tables print it: 45s, 3m52s, 1h47m. */
void cli_duration(char *buf, size_t n, int64_t s);

/* The ids a live configuration names; each NULL when not given. The spot
** capacity is the default stack's spot group (SpotAutoScalingGroupName) unless
** a FleetRequestId is given or spot_fleet asks for the legacy Spot Fleet's
** placeholder; an id not given is a placeholder that live refuses. */
typedef struct {
    const char *fleet;      /* --FleetRequestId */
    const char *spot_group; /* --SpotAutoScalingGroupName */
    const char *group;      /* --AutoScalingGroupName: the on-demand group */
    int spot_fleet;         /* --spot-fleet */
} cli_live_ids;

/* Writes the live configuration of a scenario with KEY=VALUE settings (a
** sweep point's) to path, warnings on stderr; max_od the cap (-1: the
** policy's and asg.MaxSize's). Returns a CLI exit status (cmd_deploy.c). */
int cli_write_live_config(const char *path, const char *scenario,
                          const char *const *sets, size_t nsets,
                          const char *policy, const cli_live_ids *ids, int max_od);

/* The same for point `point` of a sweep (its fixed settings, then the
** point's), on the sweep's first scenario. */
int cli_point_live_config(const char *path, const lab_sweep_spec *spec,
                          size_t point, const cli_live_ids *ids);
/* Takes --FleetRequestId, --SpotAutoScalingGroupName, --AutoScalingGroupName
** and --spot-fleet into ids: 1 when the option was one of them. */
int cli_live_ids_arg(const cli_args *a, cli_live_ids *ids);
/* Refuses (a usage error for cmd) a spot group with a Spot Fleet: -1. */
int cli_live_ids_check(const char *cmd, const cli_live_ids *ids);
/* The CloudFormation template of point `point` (best --stack): its scenario
** fields in the stack, warnings on stderr; spot_fleet: the legacy Spot Fleet
** in place of the spot group. A CLI exit status. */
int cli_point_stack(const char *path, const lab_sweep_spec *spec, size_t point,
                    int spot_fleet);

/* ---- the notes of many runs (notes.c) ------------------------------------ */

/* Collects the notes of many runs (sim_notes, and lab_note_fallback of the
** run's parameters) and says each once: per case and policy, a note of one
** kind once, with the text of its weightiest run and on how many of the
** runs (`unit`: "seeds", "runs") it came; one line for the policies whose
** note on a case reads the same. NULL from _new when out of memory: the
** other calls then do nothing. */
typedef struct cli_notes cli_notes;
cli_notes *cli_notes_new(const char *unit);
void cli_notes_free(cli_notes *n);
/* Keeps no note of kind `kind` (a sim_note_kind) from now on: compare's
** table says SIM_NOTE_BELOW itself (n/a, with the coverage). */
void cli_notes_omit(cli_notes *n, int kind);
void cli_notes_add(cli_notes *n, const char *case_name, const sim_scenario *sc,
                   const pol_policy *pol, const pol_params *params, const sim_result *r);
/* The stored runs of sweeps ids[0..nids) at point `point` (with a seed
** axis: its parameter set at every seed; SIZE_MAX: every point), each with
** its scenario and parameters loaded as its worker had them;
** case_names[scenario] names a sweep's scenarios (NULL: their own names).
** Returns 0, or -1 with err set. */
int cli_notes_sweeps(cli_notes *n, const char *db_path, const int64_t *ids, size_t nids,
                     size_t point, const char *const *case_names, char *err, size_t errlen);
/* "note: CASE, POLICY[, POLICY...] (at K of N seeds): TEXT", one a line. */
void cli_notes_print(const cli_notes *n, FILE *f);
/* The same lines as a JSON array of {case, policies, kind, runs, of, text}. */
cJSON *cli_notes_json(const cli_notes *n);
/* The notes of sweep `id`'s runs at `point` on stdout (tune's chosen
** point; SIM_NOTE_BELOW omitted: the result line says where the regret is
** defined), or why they cannot be read on stderr. */
void cli_print_sweep_notes(const char *db_path, int64_t id, size_t point,
                           const char *const *case_names);

/* ---- a stored sweep's Pareto fronts (fronts.c) --------------------------- */

/* One point on a front. params is a sweep row's JSON object of the swept
** keys, borrowed from the cli_fronts that holds the point. */
typedef struct {
    double cost, coverage;
    double oracle;    /* the oracle's cost, summed over the point's runs */
    int64_t run_id;   /* the run; 0 on the front over all scenarios */
    const char *params;
} cli_front_point;

typedef struct {
    const char *scenario;    /* its path, borrowed; NULL: over all scenarios */
    size_t npoints;          /* the points it was taken from */
    cli_front_point *point;  /* on the front, cheapest first */
    size_t nfront;
} cli_front;

typedef struct {
    cli_front *front;        /* one per scenario, then one over all of them
                                when there are several */
    size_t nfronts;
    st_sweep_row *rows;      /* the sweep's stored runs */
    size_t nrows;
    lab_sweep_pset *psets;   /* the runs as parameter sets */
    size_t npsets;
} cli_fronts;

/* The fronts of sweep `id` of db (its runs' cost against coverage; a
** point over all scenarios is a parameter set stored on every one, with
** its costs summed and its lowest coverage). Returns 0, or -1 with err
** set; either way the caller frees *out with cli_fronts_free. */
int cli_sweep_fronts(st_db *db, int64_t id, const lab_sweep_spec *spec, cli_fronts *out,
                     char *err, size_t errlen);
void cli_fronts_free(cli_fronts *fr);

/* ---- best's choice over a stored sweep (best.c) -------------------------- */

/* The cheapest parameter set stored on every scenario whose lowest
** coverage is at least the floor. */
typedef struct {
    const lab_sweep_pset *pick; /* into the sets; NULL: none meets the floor */
    size_t complete;            /* sets stored on every scenario */
    double best_cov;            /* the highest lowest coverage of those; -1: none */
    const st_sweep_row *runs;   /* pick's runs, into the rows */
    size_t nruns;
} cli_best;

/* Chooses among psets (lab_sweep_aggregate of rows, which come by point
** as st_sweep_rows gives them); of equal costs, the first set. */
void cli_best_pick(const st_sweep_row *rows, size_t nrows, const lab_sweep_pset *psets,
                   size_t npsets, size_t nscenarios, double min_cov, cli_best *out);

#define CLI_BEST_KV_MAX 64

/* best --worst-case: the groups of sets that differ only in the unknowns
** (lab_sweep_ranges), and the one with the lowest worst cost among those
** whose worst coverage meets the floor; of equal costs, the first. kv
** points into buf: the struct is not to be copied. */
typedef struct {
    lab_sweep_range *ranges;       /* every group, owned */
    size_t nranges;
    const lab_sweep_range *pick;   /* NULL: none meets the floor */
    double best_cov;               /* the highest worst coverage; -1: no group */
    const char *kv[CLI_BEST_KV_MAX]; /* pick's KEY=VALUE settings but the
                                      unknowns; none when it has more than
                                      CLI_BEST_KV_MAX or they are too long */
    size_t nkv;
    char buf[4096];
} cli_best_worst;

/* Returns 0, or -1 with err set (an unknown axis in over, out of memory);
** either way the caller frees *out with cli_best_worst_free. */
int cli_best_worst_case(const lab_sweep_spec *spec, const lab_sweep_pset *psets,
                        size_t npsets, const char *const *over, size_t nover,
                        double min_cov, cli_best_worst *out, char *err, size_t errlen);
void cli_best_worst_free(cli_best_worst *w);
/* The settings of w->pick's point but the keys in over, into w->kv (none
** when the point cannot be named). */
void cli_best_settings(const lab_sweep_spec *spec, const char *const *over, size_t nover,
                       cli_best_worst *w);

/* A sweep row's parameters (a JSON object as the store keeps it) as JSON;
** a string when it does not parse (cmd_sweep.c). */
cJSON *cli_params_json(const char *text);

/* trace import --format spot-traces (cmd_trace_avail.c), and its options. */
int cli_trace_import_spot_traces(int argc, char **argv);
extern const cli_opt cmd_trace_avail_opts[];
/* trace import --format eventbridge (cmd_trace_events.c). */
int cli_trace_import_events(int argc, char **argv);
extern const cli_opt cmd_trace_events_opts[];

#endif
