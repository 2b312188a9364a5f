/*
** polproto.h: the lines an external policy writes (docs/policies.md,
** "External policies: the protocol"): its description, its lookback, its
** decisions. The lines spotbench writes to it are observations in the
** `policy eval` format (traces.h) and a few control lines.
**
** Every reader checks everything it reads: a field of the wrong type, a
** number out of range or a decision for another `now` is refused with a
** message naming the field. Unknown fields are ignored (a later version may
** add some). Errors are values: 0, or -1 with a message in err.
*/
#ifndef SPOTBENCH_TRACES_POLPROTO_H
#define SPOTBENCH_TRACES_POLPROTO_H

#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

/* The protocol's version, in the hello line and the description. */
#define TRC_POLPROTO_VERSION 1

#define TRC_PARAM_NAME_MAX 48
#define TRC_PARAM_UNIT_MAX 16
#define TRC_PARAM_DESC_MAX 160
#define TRC_POLICY_NAME_MAX 48
#define TRC_POLICY_SUMMARY_MAX 200

/* A policy's description, with room for its strings. */
typedef struct {
    char name[TRC_POLICY_NAME_MAX];
    char summary[TRC_POLICY_SUMMARY_MAX];
    unsigned reads; /* POL_READS bits; every metric when the line names none;
                       POL_READS_LAUNCH_FAILURES with "launch_failures": true */
    int reads_events; /* "events": true: its observations carry the events */
    size_t nparams;
    pol_param_def params[POL_MAX_PARAMS]; /* strings point into the arrays below */
    char pname[POL_MAX_PARAMS][TRC_PARAM_NAME_MAX];
    char punit[POL_MAX_PARAMS][TRC_PARAM_UNIT_MAX];
    char pdesc[POL_MAX_PARAMS][TRC_PARAM_DESC_MAX];
} trc_poldesc;

/* {"type": "describe", "protocol": 1, "name": "...", "summary": "...",
**  "reads": ["PendingCapacity", ...], "events": true, "launch_failures": true,
**  "params": [{"name", "default", "min",
**  "max", "integer", "unit", "description"}, ...]} */
int trc_describe_parse(const char *line, trc_poldesc *out, char *err, size_t errlen);

/* {"type": "lookback", "seconds": N}: N whole, 0 to 10^9. */
int trc_lookback_parse(const char *line, int64_t *seconds, char *err, size_t errlen);

/* A decision as `policy eval` writes it, for the observation at `now`:
** {"now": now, "action": "none" | "set", "DesiredCapacity": N,
**  "HonorCooldown": true|false, "reason": "...", "held": true|false}
** (DesiredCapacity and HonorCooldown with "set" only; reason and held
** optional). Fills *d (reason truncated to POL_REASON_MAX - 1 bytes). */
int trc_decision_parse(const char *line, int64_t now, pol_decision *d, char *err,
                       size_t errlen);

/* Writes a policy's parameter values as a JSON object {"name": v, ...}
** into buf; returns the length (as snprintf). */
int trc_params_format(char *buf, size_t n, const pol_param_def *defs, size_t nparams,
                      const pol_params *p);

#endif
