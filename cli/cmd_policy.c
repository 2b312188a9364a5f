/*
** cmd_policy.c: `spotbench policy list` and `spotbench policy eval`.
*/
#include "cli.h"

#include "lab/lab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "traces/traces.h"

const char cmd_policy_usage[] =
    "usage: spotbench policy list [--policy SPEC]... [--json]\n"
    "       spotbench policy eval --policy NAME [--set KEY=VALUE]... [FILE|-]\n"
    "\n"
    "list   prints each policy with its parameters, defaults, units and\n"
    "       descriptions; with --json, one JSON object: {\"policies\": [{\"name\",\n"
    "       \"summary\", \"simulation_only\", \"params\": [{\"name\", \"default\",\n"
    "       \"min\", \"max\", \"integer\", \"unit\", \"description\"}]}]}. With\n"
    "       --policy, the policies named (a variant, exec:COMMAND, ./lib.so).\n"
    "eval   reads observations as JSON Lines (FILE, or standard input when\n"
    "       FILE is '-' or absent) and writes one decision per line, in order.\n"
    "       A malformed line stops the run with 'FILE:LINE: what is wrong' and\n"
    "       exit status 2; decisions printed before it stand.\n"
    "\n"
    "options:\n"
    "  --policy NAME      any policy but oracle (see 'policy list'), a variant\n"
    "                     NAME@KEY=VALUE,...[:LABEL], exec:COMMAND or ./lib.so\n"
    "                     (docs/own-policy.md)\n"
    "  --set KEY=VALUE    set a policy parameter, e.g. --set window=900\n"
    "\n"
    "examples:\n"
    "  spotbench policy list\n"
    "  spotbench policy list --policy 'karpenter@fallback_wait=180:wait'\n"
    "  echo '{\"now\": 1488369600, \"metrics\": {\"TargetCapacity\": [[1488369540, 32]], "
    "\"PendingCapacity\": [[1488369540, 8]]}, \"asg\": {\"DesiredCapacity\": 0, "
    "\"MinSize\": 0, \"MaxSize\": 200}}' | \\\n"
    "      spotbench policy eval --policy classic\n"
    "  spotbench policy eval --policy guarded --set confirm=1 traces/samples/outage.jsonl\n";

static const cli_opt list_opts[] = {{"--json", NULL}, {"--policy", "SPEC"}, {NULL, NULL}};
static const cli_opt eval_opts[] = {{"--policy", "NAME"}, {"--set", "KEY=VALUE"}, {NULL, NULL}};
const cli_opt *const cmd_policy_opts[] = {list_opts, eval_opts, NULL};

static int policy_list_json(const pol_policy *const *list) {
    cJSON *doc = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(doc, "policies");
    for (const pol_policy *const *p = list; *p; p++) {
        const pol_policy *pol = *p;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "name", pol->name);
        if (pol->label) cJSON_AddStringToObject(o, "label", pol->label);
        cJSON_AddStringToObject(o, "summary", pol->summary);
        cJSON_AddBoolToObject(o, "simulation_only", pol->simulation_only);
        cJSON *ps = cJSON_AddArrayToObject(o, "params");
        for (size_t i = 0; i < pol->nparams; i++) {
            const pol_param_def *d = &pol->params[i];
            cJSON *q = cJSON_CreateObject();
            cJSON_AddItemToArray(ps, q);
            cJSON_AddStringToObject(q, "name", d->name);
            cJSON_AddNumberToObject(q, "default", d->def);
            cJSON_AddNumberToObject(q, "min", d->min);
            cJSON_AddNumberToObject(q, "max", d->max);
            cJSON_AddBoolToObject(q, "integer", d->integer);
            cJSON_AddStringToObject(q, "unit", d->unit);
            cJSON_AddStringToObject(q, "description", d->desc);
        }
    }
    return cli_json_print(doc);
}

static int policy_list(const pol_policy *const *list) {
    for (const pol_policy *const *p = list; *p; p++) {
        const pol_policy *pol = *p;
        if (pol->label) printf("%s (%s): %s\n", pol->label, pol->name, pol->summary);
        else printf("%s: %s\n", pol->name, pol->summary);
        for (size_t i = 0; i < pol->nparams; i++) {
            const pol_param_def *d = &pol->params[i];
            printf("  %-20s %10g %-10s %s\n", d->name, d->def, d->unit,
                   d->desc);
        }
        if (p[1]) putchar('\n');
    }
    return CLI_OK;
}

static int eval_open(const pol_policy *pol, const char *name, const char *path,
                     const char *const *sets, size_t nsets);

static int policy_eval(int argc, char **argv) {
    const char *name = NULL, *path = NULL;
    const char *sets[64];
    size_t nsets = 0;
    cli_args a;
    cli_args_init(&a, "policy", "eval: ", eval_opts, argc, argv);
    for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (path) return cli_usage("policy", "eval: more than one input file");
            path = a.val;
        } else if (cli_is(&a, "--policy")) {
            name = a.val;
        } else if (cli_is(&a, "--set")) {
            if (nsets == sizeof sets / sizeof sets[0])
                return cli_usage("policy", "too many --set options");
            sets[nsets++] = a.val;
        }
    }
    if (!name) return cli_usage("policy", "eval: --policy NAME is required");
    const pol_policy *pol;
    int orc = cli_policies_open("policy", &name, 1, 1, &pol);
    if (orc != CLI_OK) return orc;
    orc = eval_open(pol, name, path, sets, nsets);
    cli_policies_close(&pol, 1);
    return orc;
}

static int eval_open(const pol_policy *pol, const char *name, const char *path,
                     const char *const *sets, size_t nsets) {
    if (pol->simulation_only) {
        cli_error("--policy %s: simulation only (use it with 'spotbench run')", name);
        return CLI_BADINPUT;
    }
    /* The rule of every --set (lab.h); eval reads no scenario, so a
    ** scenario field has nowhere to go. */
    pol_params params;
    pol_params_default(pol, &params);
    lab_sets ls;
    char msg[512];
    int bad = lab_sets_split(&pol, 1, sets, nsets, &ls, msg, sizeof msg) != 0;
    if (!bad && ls.nfield) {
        snprintf(msg, sizeof msg, "--set %s: a scenario field, and 'policy eval' reads "
                 "observations, not a scenario", ls.field[0]);
        bad = 1;
    }
    if (bad || lab_sets_params(pol, &ls, &params, msg, sizeof msg)) {
        cli_error("%s", msg);
        return CLI_BADINPUT;
    }

    FILE *in = stdin;
    const char *label = "<stdin>";
    if (path && strcmp(path, "-") != 0) {
        in = fopen(path, "r");
        if (!in) {
            cli_error("%s: %s", path, strerror(errno));
            return CLI_FAIL;
        }
        label = path;
    }

    if (pol_begin(pol, 0, &params, msg, sizeof msg)) {
        cli_error("%s", msg);
        return CLI_FAIL;
    }
    trc_obsbuf buf = {0};
    char *line = NULL, err[2048], dec[POL_REASON_MAX + 160];
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int rc = CLI_OK;
    while ((len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)len) continue; /* blank */
        if (strlen(line) != (size_t)len) {
            cli_error("%s:%zu: NUL byte in line", label, lineno);
            rc = CLI_BADINPUT;
            break;
        }
        pol_obs obs;
        if (trc_obs_parse(line, &buf, &obs, err, sizeof err)) {
            fflush(stdout);
            cli_error("%s:%zu: %s", label, lineno, err);
            rc = CLI_BADINPUT;
            break;
        }
        pol_decision d;
        pol_decide(pol, &obs, &params, &d);
        if (pol_status(pol, err, sizeof err)) { /* an external policy that failed */
            fflush(stdout);
            cli_error("%s:%zu: %s", label, lineno, err);
            rc = CLI_FAIL;
            break;
        }
        int n = trc_decision_format(dec, sizeof dec, obs.now, &d);
        fwrite(dec, 1, (size_t)n < sizeof dec ? (size_t)n : sizeof dec - 1, stdout);
        putchar('\n');
    }
    if (rc == CLI_OK && ferror(in)) {
        cli_error("%s: read error: %s", label, strerror(errno));
        rc = CLI_FAIL;
    }
    free(line);
    trc_obsbuf_free(&buf);
    if (in != stdin) fclose(in);
    if (fflush(stdout) != 0 && rc == CLI_OK) {
        cli_error("writing decisions: %s", strerror(errno));
        rc = CLI_FAIL;
    }
    return rc;
}

int cmd_policy(int argc, char **argv) {
    if (argc < 2) return cli_usage("policy", "expected 'list' or 'eval'");
    if (strcmp(argv[1], "list") == 0) {
        cli_args a;
        int json = 0;
        const char *specs[16];
        size_t nspecs = 0;
        cli_args_init(&a, "policy", "list: ", list_opts, argc - 1, argv + 1);
        for (int k; (k = cli_next(&a)) != CLI_ARG_END;) {
            if (k == CLI_ARG_BAD) return CLI_BADINPUT;
            if (k == CLI_ARG_POS) return cli_usage("policy", "list takes no arguments");
            if (cli_is(&a, "--json")) json = 1;
            else if (nspecs == 16) return cli_usage("policy", "too many --policy options");
            else specs[nspecs++] = a.val;
        }
        if (!nspecs) return json ? policy_list_json(pol_list()) : policy_list(pol_list());
        /* The policies named: variants, libraries and external ones too. */
        const pol_policy *pols[17];
        int rc = cli_policies_open("policy", specs, nspecs, 1, pols);
        if (rc != CLI_OK) return rc;
        pols[nspecs] = NULL;
        rc = json ? policy_list_json(pols) : policy_list(pols);
        cli_policies_close(pols, nspecs);
        return rc;
    }
    if (strcmp(argv[1], "eval") == 0) return policy_eval(argc - 1, argv + 1);
    return cli_usage("policy", "unknown subcommand '%s'", argv[1]);
}
