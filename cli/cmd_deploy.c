/*
** cmd_deploy.c: `spotbench deploy cloudformation|live-config`: a scenario
** (with a sweep's point or --set settings) as a CloudFormation template or
** a live configuration. Also the hand-over from `best --live-config`.
** Parsing, the sweep lookup and writing the file; the content comes from
** deploy/.
*/
#include "cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deploy/deploy.h"
#include "lab/lab.h"
#include "lab/sweep.h"
#include "store/sweeptab.h"

const char cmd_deploy_usage[] =
    "usage: spotbench deploy cloudformation SCENARIO [--sweep N|last --point K [--db FILE]]\n"
    "           [--set KEY=VALUE]... [--policy NAME] [--max-on-demand N]\n"
    "           [--alarm | --no-alarm] [--apply] [--spot-fleet] [--json] -o FILE\n"
    "       spotbench deploy live-config SCENARIO [--sweep N --point K [--db FILE]]\n"
    "           [--set KEY=VALUE]... [--policy NAME] [--max-on-demand N]\n"
    "           [--SpotAutoScalingGroupName NAME | --FleetRequestId ID | --spot-fleet]\n"
    "           [--AutoScalingGroupName NAME] [--json] -o FILE\n"
    "\n"
    "cloudformation writes one CloudFormation template (JSON) from the scenario\n"
    "as simulated: the spot capacity as an Auto Scaling group with a\n"
    "MixedInstancesPolicy (an override per instance type with its\n"
    "WeightedCapacity, DesiredCapacity in units, the scenario's\n"
    "InstancesDistribution or 100 % spot, Capacity Rebalancing, 1-minute group\n"
    "metrics; a subnet parameter per Availability Zone), or with --spot-fleet\n"
    "the legacy Spot Fleet request (LaunchSpecifications with WeightedCapacity\n"
    "and SpotPrice per unit-hour, AllocationStrategy; AWS's notice against it\n"
    "as a warning), a launch template and the on-demand Auto\n"
    "Scaling group (MinSize, MaxSize, DesiredCapacity, Cooldown from\n"
    "asg.DefaultCooldown), the controller as a Lambda function (the zip of\n"
    "'make lambda' from an S3 parameter; ReservedConcurrentExecutions 1; a\n"
    "Timeout above the worst tick), an EventBridge rule every\n"
    "controller.Interval whose Input is the tuned live configuration, an\n"
    "EventInvokeConfig without retries, with --alarm the PendingCapacity > 0\n"
    "alarm -> SNS -> function path, and a least-privilege role.\n"
    "live-config writes the live configuration alone (live.json).\n"
    "\n"
    "KEY=VALUE settings (a sweep point's, then --set) are policy parameters\n"
    "(they go into the live configuration) or scenario field paths (they change\n"
    "the stack). A setting AWS cannot express, or that the simulator treats\n"
    "differently from AWS, is a warning on stderr naming the field.\n"
    "\n"
    "options:\n"
    "  --sweep N --point K    the settings of point K of sweep N (spotbench best\n"
    "                         prints the point); its policy and fixed --set too\n"
    "  --db FILE              the sweep's database (default results/spotbench.db)\n"
    "  --set KEY=VALUE        a setting, after the sweep's\n"
    "  --policy NAME          default: the sweep's, else controller.policy\n"
    "  --max-on-demand N      the live cap (max_on_demand); default asg.MaxSize\n"
    "  --alarm, --no-alarm    the PendingCapacity alarm path; default\n"
    "                         controller.Alarm\n"
    "  --apply                SPOTBENCH_APPLY=true: the function changes the\n"
    "                         group (default: a dry run, log only)\n"
    "  --spot-fleet           an AWS::EC2::SpotFleet instead of the spot group\n"
    "                         (live-config: a FleetRequestId to fill in)\n"
    "  --SpotAutoScalingGroupName NAME, --FleetRequestId ID,\n"
    "  --AutoScalingGroupName NAME\n"
    "                         live-config: the ids, the stack's outputs (default:\n"
    "                         the spot group's and the on-demand group's\n"
    "                         placeholders, which live refuses until filled in)\n"
    "  -o FILE                the output (written whole or not at all)\n"
    "  --json                 say what was written as one JSON object: {\"kind\",\n"
    "                         \"output\", \"scenario\", \"policy\", cloudformation:\n"
    "                         \"pools\", \"lambda_timeout_s\", \"apply\", \"alarm\";\n"
    "                         \"warnings\": [{\"field\", \"text\"}], \"notes\": [...]}\n"
    "                         (also on stderr); a failure is {\"error\", \"exit_status\"}\n"
    "\n"
    "See docs/deploy.md.\n"
    "\n"
    "examples:\n"
    "  spotbench deploy live-config traces/scenarios/seed-week/scenario.json \\\n"
    "      --policy guarded --set window=600 -o live.json\n"
    "  spotbench deploy cloudformation traces/scenarios/seed-week/scenario.json \\\n"
    "      --policy guarded --set window=600 -o stack.json\n";

#define DEFAULT_DB "results/spotbench.db"
#define MAX_SETS 256

static const cli_opt cfn_opts[] = {
    {"-o", "FILE"},      {"--db", "FILE"},          {"--policy", "NAME"},
    {"--set", "KEY=VALUE"}, {"--sweep", "ID"},     {"--point", "N"},
    {"--max-on-demand", "N"}, {"--alarm", NULL},   {"--no-alarm", NULL},
    {"--apply", NULL},   {"--spot-fleet", NULL},   {"--json", NULL}, {NULL, NULL}};
static const cli_opt live_config_opts[] = {
    {"-o", "FILE"},      {"--db", "FILE"},          {"--policy", "NAME"},
    {"--set", "KEY=VALUE"}, {"--sweep", "ID"},     {"--point", "N"},
    {"--max-on-demand", "N"}, {"--FleetRequestId", "ID"},
    {"--SpotAutoScalingGroupName", "NAME"}, {"--AutoScalingGroupName", "NAME"},
    {"--spot-fleet", NULL}, {"--json", NULL}, {NULL, NULL}};
const cli_opt *const cmd_deploy_opts[] = {cfn_opts, live_config_opts, NULL};

/* What deploy says as it goes: with --json, doc gathers what was written,
** its warnings and notes (each also on stderr); NULL otherwise. */
typedef struct {
    cli_jout j;
    cJSON *doc;
} dep_said;

/* Says a warning (field may be NULL) or, with field "", a note: on stderr
** as "spotbench: TEXT", and into doc's "warnings" or "notes". */
static void say(dep_said *d, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(dep_said *d, const char *field, const char *fmt, ...) {
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_error("%s", msg);
    if (!d || !d->doc) return;
    int note = field && !*field;
    cJSON *arr = cJSON_GetObjectItem(d->doc, note ? "notes" : "warnings");
    if (!arr) arr = cJSON_AddArrayToObject(d->doc, note ? "notes" : "warnings");
    if (note) {
        cJSON_AddItemToArray(arr, cli_json_str(msg));
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "field", field ? cli_json_str(field) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "text", cli_json_str(msg));
    cJSON_AddItemToArray(arr, o);
}

/* Writes text and a newline to path, replaced whole or not at all
** (traces/outfile.h). Returns the exit status (cli_out_open's rule). */
static int write_file(const char *path, const char *text) {
    trc_out o;
    int rc = cli_out_open(&o, path);
    if (rc) return rc;
    fputs(text, o.f);
    fputc('\n', o.f);
    return cli_out_close(&o, 1);
}

/* The settings of a sweep's point: its fixed --set strings, then the
** point's KEY=VALUE. Appended to sets (strings owned by *spec and buf). */
static int sweep_point_sets(dep_said *d, const char *db_path, int64_t id, long long point,
                            lab_sweep_spec *spec, char *buf, size_t bufn,
                            const char **sets, size_t *nsets) {
    char err[1024];
    st_db *db = NULL;
    if (access(db_path, F_OK) != 0)
        return cli_jfail(&d->j, CLI_BADINPUT, "%s: no such database", db_path);
    if (st_open(db_path, &db, err, sizeof err)) return cli_jfail(&d->j, CLI_FAIL, "%s", err);
    int rc = cli_sweep_resolve(db, &id, err, sizeof err) ||
             lab_sweep_load(db, id, spec, err, sizeof err);
    st_close(db);
    if (rc) return cli_jfail(&d->j, CLI_BADINPUT, "%s", err);
    size_t np = lab_sweep_npoints(spec);
    if (point < 0 || (size_t)point >= np)
        return cli_jfail(&d->j, CLI_BADINPUT, "--point %lld: sweep %lld has points 0 to %zu",
                         point, (long long)id, np ? np - 1 : 0);
    size_t nswept = spec->ngrid + spec->nrnd;
    if (*nsets + spec->nsets + nswept > MAX_SETS)
        return cli_jfail(&d->j, CLI_BADINPUT, "more than %d settings", MAX_SETS);
    for (size_t i = 0; i < spec->nsets; i++) sets[(*nsets)++] = spec->sets[i];
    if (lab_sweep_point(spec, (size_t)point, buf, bufn, sets + *nsets))
        return cli_jfail(&d->j, CLI_FAIL, "sweep %lld point %lld: settings too long",
                         (long long)id, point);
    *nsets += nswept;
    return CLI_OK;
}

static void print_warnings(dep_said *d, const dep_plan *p, const char *scenario) {
    for (size_t i = 0; i < p->nwarn; i++)
        say(d, p->warn[i].field, "warning: %s: %s: %s", scenario, p->warn[i].field,
            p->warn[i].text);
}

/* The live configuration of a plan as JSON text (malloc'd). */
static char *live_json(const dep_plan *p, const cli_live_ids *ids) {
    aws_live_config lc;
    char err[AWS_ERR_MAX];
    /* Placeholders the parser would refuse are swapped in after it has
    ** checked the rest: live then names the key to fill in. */
    if (dep_live_config(p, "sfr-x", "x", &lc, err, sizeof err)) {
        cli_error("%s", err);
        return NULL;
    }
    if (ids->fleet || ids->spot_fleet) {
        snprintf(lc.fleet_id, sizeof lc.fleet_id, "%s",
                 ids->fleet ? ids->fleet : "<FleetRequestId>");
        lc.spot_group[0] = 0;
    } else {
        snprintf(lc.spot_group, sizeof lc.spot_group, "%s",
                 ids->spot_group ? ids->spot_group : "<SpotAutoScalingGroupName>");
    }
    snprintf(lc.asg_name, sizeof lc.asg_name, "%s",
             ids->group ? ids->group : "<AutoScalingGroupName>");
    /* Indented: a file people read and fill in. */
    char *flat = aws_live_config_json(&lc), *s = NULL;
    cJSON *j = flat ? cJSON_Parse(flat) : NULL;
    if (j) s = cJSON_Print(j);
    cJSON_Delete(j);
    free(flat);
    if (!s) cli_error("out of memory");
    return s;
}

int cli_live_ids_check(const char *cmd, const cli_live_ids *ids) {
    if (ids->spot_group && (ids->fleet || ids->spot_fleet)) {
        cli_usage(cmd, "--SpotAutoScalingGroupName and %s: give one, the spot group's "
                       "or the Spot Fleet's", ids->fleet ? "--FleetRequestId" : "--spot-fleet");
        return -1;
    }
    return 0;
}

int cli_live_ids_arg(const cli_args *a, cli_live_ids *ids) {
    if (cli_is(a, "--FleetRequestId")) ids->fleet = a->val;
    else if (cli_is(a, "--SpotAutoScalingGroupName")) ids->spot_group = a->val;
    else if (cli_is(a, "--AutoScalingGroupName")) ids->group = a->val;
    else if (cli_is(a, "--spot-fleet")) ids->spot_fleet = 1;
    else return 0;
    return 1;
}

/* A live configuration holds the policy's parameters only: every scenario
** field among the settings (a tuned asg.DefaultCooldown) is said loudly,
** with what to do about it, so that none is lost without a word. */
static void warn_fields(dep_said *d, const dep_plan *p, const char *path,
                        const char *const *sets, size_t nsets, const cli_live_ids *ids) {
    lab_sets split;
    char err[256];
    const pol_policy *pols[1] = {p->pol};
    if (lab_sets_split(pols, 1, sets, nsets, &split, err, sizeof err)) return;
    for (size_t i = 0; i < split.nfield; i++) {
        const char *kv = split.field[i], *eq = strchr(kv, '=');
        int n = eq ? (int)(eq - kv) : (int)strlen(kv);
        if (lab_sweep_unknown_key_n(kv, (size_t)n)) continue;
        char key[256];
        snprintf(key, sizeof key, "%.*s", n, kv);
        if (strcmp(key, "fleet.kind") == 0) {
            /* Held by the key live.json names the spot side with. */
            int group = !ids->fleet && !ids->spot_fleet;
            if (group != (p->sc.kind == SIM_KIND_ASG))
                say(d, key, "WARNING: %s: %s was simulated, but the live configuration "
                    "names %s", path, kv, group ? "a spot Auto Scaling group" : "a Spot Fleet");
            continue;
        }
        if (strcmp(key, "asg.DefaultCooldown") == 0)
            say(d, key, "WARNING: %s: %s is tuned but a live configuration cannot hold it: "
                "set it on the existing group (aws autoscaling "
                "update-auto-scaling-group --auto-scaling-group-name NAME "
                "--default-cooldown %s) or deploy the stack ('spotbench deploy "
                "cloudformation', best --stack)", path, kv, eq + 1);
        else
            say(d, key, "WARNING: %s: %s is tuned (%s) but a live configuration cannot "
                "hold it: set it on the fleet or group yourself, or deploy the stack "
                "('spotbench deploy cloudformation', best --stack)", path, key, kv);
    }
}

/* cli_write_live_config, saying what it wrote into d->doc too. */
static int write_live(dep_said *d, const char *path, const char *scenario,
                      const char *const *sets, size_t nsets, const char *policy,
                      const cli_live_ids *ids, int max_od) {
    dep_input in = {scenario, sets, nsets, policy, max_od, -1, 0, -1};
    dep_plan p;
    char err[1024];
    if (dep_plan_load(&in, &p, err, sizeof err)) return cli_jfail(&d->j, CLI_BADINPUT, "%s", err);
    print_warnings(d, &p, scenario);
    warn_fields(d, &p, path, sets, nsets, ids);
    char *s = live_json(&p, ids);
    int rc = !s ? CLI_FAIL : write_file(path, s);
    free(s);
    int events = rc == CLI_OK && p.pol->reads_events;
    const char *pol = p.pol->name; /* the registry's: outlives the plan */
    if (rc == CLI_OK && d->doc) {
        cJSON_AddItemToObject(d->doc, "kind", cli_json_str("live-config"));
        cJSON_AddItemToObject(d->doc, "output", cli_json_str(path));
        cJSON_AddItemToObject(d->doc, "scenario", cli_json_str(scenario));
        cJSON_AddItemToObject(d->doc, "policy", cli_json_str(pol));
    }
    dep_plan_free(&p);
    int fleet_form = ids->fleet || ids->spot_fleet;
    if (rc == CLI_OK && (!(fleet_form ? ids->fleet : ids->spot_group) || !ids->group))
        say(d, "", "note: %s: fill in %s and AutoScalingGroupName (the stack's "
            "outputs)%s before 'spotbench live --config %s'",
            path, fleet_form ? "FleetRequestId" : "SpotAutoScalingGroupName",
            events ? ", and EventQueueUrl (the stack's output)" : "", path);
    else if (events)
        say(d, "", "note: %s: add EventQueueUrl (the stack's output) for %s to read "
            "interruption warnings (docs/live.md)", path, pol);
    return rc;
}

int cli_write_live_config(const char *path, const char *scenario,
                          const char *const *sets, size_t nsets, const char *policy,
                          const cli_live_ids *ids, int max_od) {
    dep_said d = {{0, 0}, NULL};
    return write_live(&d, path, scenario, sets, nsets, policy, ids, max_od);
}

/* Writes the CloudFormation template of a scenario with settings to out,
** warnings on stderr, and says what it wrote. A CLI exit status. */
static int write_stack(dep_said *d, const char *out, const dep_input *in) {
    dep_plan p;
    char err[1024];
    if (dep_plan_load(in, &p, err, sizeof err)) return cli_jfail(&d->j, CLI_BADINPUT, "%s", err);
    print_warnings(d, &p, in->scenario);
    char *t = dep_cloudformation(&p);
    int rc;
    if (!t) {
        cli_error("out of memory");
        rc = CLI_FAIL;
    } else {
        rc = write_file(out, t);
    }
    if (rc == CLI_OK && d->doc) {
        cJSON_AddItemToObject(d->doc, "kind", cli_json_str("cloudformation"));
        cJSON_AddItemToObject(d->doc, "output", cli_json_str(out));
        cJSON_AddItemToObject(d->doc, "scenario", cli_json_str(in->scenario));
        cJSON_AddItemToObject(d->doc, "policy", cli_json_str(p.pol->name));
        cJSON_AddNumberToObject(d->doc, "pools", (double)p.sc.npools);
        cJSON_AddNumberToObject(d->doc, "lambda_timeout_s", p.timeout_s);
        cJSON_AddBoolToObject(d->doc, "apply", p.apply);
        cJSON_AddBoolToObject(d->doc, "alarm", p.alarm);
    } else if (rc == CLI_OK) {
        printf("%s: CloudFormation template: %zu pools, policy %s, Lambda Timeout %d s, %s%s\n",
               out, p.sc.npools, p.pol->name, p.timeout_s,
               p.apply ? "applying" : "dry run (deploy with --apply to act)",
               p.alarm ? ", PendingCapacity alarm" : "");
    }
    free(t);
    dep_plan_free(&p);
    return rc;
}

/* The settings of point `point`: the sweep's fixed ones, then the point's
** (pointers into spec and buf). */
static int point_sets(const lab_sweep_spec *spec, size_t point, char *buf, size_t bufn,
                      const char **sets, size_t *n) {
    size_t nswept = spec->ngrid + spec->nrnd;
    *n = 0;
    if (spec->nsets + nswept > MAX_SETS * 2) {
        cli_error("more than %d settings", MAX_SETS * 2);
        return CLI_BADINPUT;
    }
    for (size_t i = 0; i < spec->nsets; i++) sets[(*n)++] = spec->sets[i];
    if (lab_sweep_point(spec, point, buf, bufn, sets + *n)) {
        cli_error("point %zu: settings too long", point);
        return CLI_FAIL;
    }
    *n += nswept;
    return CLI_OK;
}

int cli_point_live_config(const char *path, const lab_sweep_spec *spec,
                          size_t point, const cli_live_ids *ids) {
    static char buf[16384];
    const char *sets[MAX_SETS * 2];
    size_t n;
    int rc = point_sets(spec, point, buf, sizeof buf, sets, &n);
    if (rc) return rc;
    return cli_write_live_config(path, spec->scenarios[0], sets, n, spec->policy, ids, -1);
}

int cli_point_stack(const char *path, const lab_sweep_spec *spec, size_t point,
                    int spot_fleet) {
    static char buf[16384];
    const char *sets[MAX_SETS * 2];
    size_t n;
    int rc = point_sets(spec, point, buf, sizeof buf, sets, &n);
    if (rc) return rc;
    dep_input in = {spec->scenarios[0], sets, n, spec->policy, -1, -1, 0, spot_fleet};
    dep_said d = {{0, 0}, NULL};
    return write_stack(&d, path, &in);
}

static int deploy_main(dep_said *d, int argc, char **argv);

int cmd_deploy(int argc, char **argv) {
    dep_said d = {{0, 0}, NULL};
    cli_jout_init(&d.j, argc, argv);
    if (d.j.json && !(d.doc = cJSON_CreateObject()))
        return cli_jfail(&d.j, CLI_FAIL, "out of memory");
    int rc = deploy_main(&d, argc, argv);
    if (rc == CLI_OK && d.doc) {
        /* Empty arrays rather than missing keys: a script reads them. */
        if (!cJSON_GetObjectItem(d.doc, "warnings")) cJSON_AddArrayToObject(d.doc, "warnings");
        if (!cJSON_GetObjectItem(d.doc, "notes")) cJSON_AddArrayToObject(d.doc, "notes");
        return cli_json_print(d.doc);
    }
    cJSON_Delete(d.doc);
    return cli_jdone(&d.j, rc);
}

static int deploy_main(dep_said *d, int argc, char **argv) {
    if (argc < 2 || (strcmp(argv[1], "cloudformation") != 0 &&
                     strcmp(argv[1], "live-config") != 0))
        return cli_usage("deploy", "expected 'cloudformation' or 'live-config'");
    int cfn = strcmp(argv[1], "cloudformation") == 0;
    const char *scenario = NULL, *out = NULL, *db = DEFAULT_DB, *policy = NULL;
    cli_live_ids ids = {NULL, NULL, NULL, 0};
    const char *user_sets[MAX_SETS];
    size_t nuser = 0;
    long long sweep = 0, point = -1, max_od = -1;
    int alarm = -1, apply = 0;
    cli_args ap;
    cli_args_init(&ap, "deploy", cfn ? "cloudformation: " : "live-config: ",
                  cfn ? cfn_opts : live_config_opts, argc - 1, argv + 1);
    for (int k; (k = cli_next(&ap)) != CLI_ARG_END;) {
        const char *v = ap.val;
        char *end;
        if (k == CLI_ARG_BAD) return CLI_BADINPUT;
        if (k == CLI_ARG_POS) {
            if (scenario) return cli_usage("deploy", "more than one SCENARIO");
            scenario = v;
        } else if (cli_is(&ap, "-o")) out = v;
        else if (cli_is(&ap, "--db")) db = v;
        else if (cli_is(&ap, "--policy")) policy = v;
        else if (cli_is(&ap, "--set")) {
            if (nuser == MAX_SETS) return cli_usage("deploy", "too many --set");
            if (!strchr(v, '=')) return cli_usage("deploy", "--set %s: expected KEY=VALUE", v);
            user_sets[nuser++] = v;
        } else if (cli_is(&ap, "--sweep")) {
            int64_t id;
            if (cli_sweep_arg("deploy", v, &id)) return CLI_BADINPUT;
            sweep = id;
        } else if (cli_is(&ap, "--point")) {
            point = strtoll(v, &end, 10);
            if (*end || !*v || point < 0)
                return cli_usage("deploy", "--point %s: expected a point number", v);
        } else if (cli_is(&ap, "--max-on-demand")) {
            max_od = strtoll(v, &end, 10);
            if (*end || !*v || max_od < 0 || max_od > 100000)
                return cli_usage("deploy", "--max-on-demand %s: expected 0 to 100000", v);
        } else if (cli_is(&ap, "--alarm")) alarm = 1;
        else if (cli_is(&ap, "--no-alarm")) alarm = 0;
        else if (cli_is(&ap, "--apply")) apply = 1;
        else if (cli_is(&ap, "--json")) d->j.json = 1; /* cli_jout_init's already */
        else cli_live_ids_arg(&ap, &ids);
    }
    if (!scenario) return cli_usage("deploy", "a SCENARIO file is required");
    if (cli_live_ids_check("deploy", &ids)) return CLI_BADINPUT;
    if (!out) return cli_usage("deploy", "-o FILE is required");
    if ((sweep != 0) != (point >= 0))
        return cli_usage("deploy", "--sweep and --point go together");
    if (cli_out_check(out)) return CLI_BADINPUT; /* a bad -o is found first */

    const char *sets[MAX_SETS * 2];
    size_t nsets = 0;
    lab_sweep_spec spec;
    memset(&spec, 0, sizeof spec);
    static char pbuf[16384];
    int rc = CLI_OK;
    if (sweep) {
        rc = sweep_point_sets(d, db, sweep, point, &spec, pbuf, sizeof pbuf, sets, &nsets);
        if (rc) goto done;
        if (!policy) policy = spec.policy;
        int listed = 0;
        for (size_t i = 0; i < spec.nscenarios; i++)
            if (strcmp(spec.scenarios[i], scenario) == 0) listed = 1;
        if (!listed)
            say(d, NULL, "warning: %s is not one of sweep %lld's scenarios", scenario, sweep);
    }
    for (size_t i = 0; i < nuser; i++) sets[nsets++] = user_sets[i];
    if (!cfn) {
        rc = write_live(d, out, scenario, sets, nsets, policy, &ids, (int)max_od);
        goto done;
    }
    dep_input in = {scenario, sets, nsets, policy, (int)max_od, alarm, apply, ids.spot_fleet};
    rc = write_stack(d, out, &in);
done:
    lab_sweep_spec_free(&spec);
    return rc;
}
