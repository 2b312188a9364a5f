/*
** deploy.h: from a simulated scenario to what runs in AWS: the tuned live
** configuration and one CloudFormation template (the spot capacity, by
** default an Auto Scaling group with a MixedInstancesPolicy, the Spot Fleet
** only when asked; the on-demand group; the controller as a Lambda
** function run every minute; its least-privilege role).
**
** A plan is a scenario loaded with its KEY=VALUE settings (a sweep point or
** --set: policy parameters go to the live configuration, scenario fields to
** the stack), the policy and its parameters, and the warnings: every
** scenario setting that AWS cannot express or that the simulator treats
** differently from AWS, naming the field. The template is the plan as JSON.
**
** Ownership: a dep_plan owns its scenario and warnings; dep_plan_free()
** releases them. Functions returning char * give malloc'd text the caller
** frees. Errors are values: 0, or -1 with "FILE: FIELD: ..." in err.
*/
#ifndef SPOTBENCH_DEPLOY_H
#define SPOTBENCH_DEPLOY_H

#include <stddef.h>

#include "aws/aws.h"
#include "policy/policy.h"
#include "sim/sim.h"

typedef struct {
    const char *scenario;     /* the scenario file */
    const char *const *sets;  /* KEY=VALUE: policy parameters or scenario
                                 field paths, in order (later ones win) */
    size_t nsets;
    const char *policy;       /* NULL: the scenario's controller.policy */
    int max_on_demand;        /* -1: the scenario's asg.MaxSize */
    int alarm;                /* -1: the scenario's controller.Alarm; 0, 1 */
    int apply;                /* the function's SPOTBENCH_APPLY */
    int spot_fleet;           /* 1: the legacy AWS::EC2::SpotFleet (with
                                 AWS's notice as a warning); 0: a spot Auto
                                 Scaling group with a MixedInstancesPolicy;
                                 -1: no stack (a live configuration alone:
                                 no warning on the spot side's kind) */
} dep_input;

typedef struct {
    char field[128]; /* the scenario field, e.g. "controller.Offset" */
    char text[320];  /* what differs */
} dep_warning;

typedef struct {
    sim_scenario sc;
    const pol_policy *pol;
    int pol_owned;           /* pol was opened (a variant, exec:, a .so): closed by
                                dep_plan_free */
    pol_params params;
    int max_on_demand;
    int alarm, apply;
    int spot_fleet;          /* dep_input.spot_fleet */
    char alloc[32];          /* AllocationStrategy as AWS spells it (the
                                fleet's, or the group's SpotAllocationStrategy) */
    int timeout_s;           /* the function's Timeout: above the worst tick */
    dep_warning *warn;
    size_t nwarn;
} dep_plan;

/* Loads the scenario with the settings and checks that it can be deployed
** (model mode, a live policy). Returns 0, or -1 with a message. */
int dep_plan_load(const dep_input *in, dep_plan *out, char *err,
                  size_t errlen);
void dep_plan_free(dep_plan *p);

/* The live configuration of the plan (aws_live_config_parse() reads it
** back), for the given ids; interval from controller.Interval. */
int dep_live_config(const dep_plan *p, const char *fleet_id,
                    const char *asg_name, aws_live_config *out, char *err,
                    size_t errlen);

/* The CloudFormation template (JSON, indented). NULL when out of memory. */
char *dep_cloudformation(const dep_plan *p);

/* The worst time a tick of this live config can take, in seconds: every
** call (four metrics, the group, the fleet, SetDesiredCapacity) taking
** max_attempts times the timeout, plus the longest retry sleeps. */
double dep_worst_tick_s(const aws_live_config *cfg);

#endif
