/*
** traces.h: reading and writing the data spotbench consumes and produces.
**
** This part: the `spotbench policy eval` JSON Lines format, one observation
** per line in and one decision per line out, and ISO-8601 UTC timestamps.
** The same format is what `spotbench live --record` writes, so a recorded
** live day replays through a policy offline.
**
** Observation line:
**   {"now": 1488369600 | "2017-03-01T12:00:00Z",
**    "metrics": {"TargetCapacity": [[t, v], ...], ...},
**    "failed": ["FulfilledCapacity", ...],
**    "asg": {"DesiredCapacity": 0, "MinSize": 0, "MaxSize": 200,
**            "InService": 0} | null}
** Datapoints may come in any order; they are sorted by Timestamp, and two
** with the same Timestamp are an error.
*/
#ifndef SPOTBENCH_TRACES_H
#define SPOTBENCH_TRACES_H

#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

/* Parses "2017-03-01T12:00:00Z" (also "+00:00", fractional seconds, or a
** space for the T) into epoch seconds. Returns 0, or -1 when it is not a
** valid UTC time. */
int trc_time_parse(const char *s, int64_t *out);
/* Formats epoch seconds as "2017-03-01T12:00:00Z" into buf (>= 21 bytes). */
void trc_time_format(int64_t t, char *buf, size_t n);

/* Storage for the datapoints of parsed observations, reused line after
** line. Zero-initialise it; release it with trc_obsbuf_free(). */
typedef struct {
    pol_point *pts[POL_NMETRICS];
    size_t cap[POL_NMETRICS];
} trc_obsbuf;

void trc_obsbuf_free(trc_obsbuf *b);

/* Parses one observation line. On success fills *obs, whose datapoint
** arrays point into *buf (valid until the next call), and returns 0. On
** failure returns -1 with a message naming the field at fault. */
int trc_obs_parse(const char *line, trc_obsbuf *buf, pol_obs *obs, char *err,
                  size_t errlen);

/* Writes an observation as one JSON line (no newline) into a malloc'd string
** the caller frees; NULL when out of memory. */
char *trc_obs_format(const pol_obs *obs);

/* Formats a decision as one JSON line (no newline). Returns the length, or
** the length needed when it does not fit (as snprintf). */
int trc_decision_format(char *buf, size_t n, int64_t now,
                        const pol_decision *d);

#endif
