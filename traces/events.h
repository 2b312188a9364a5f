/*
** events.h: recorded EventBridge events into the CSV a direct-mode replay
** reads beside its metrics (scenario direct.events), for `spotbench trace
** import --format eventbridge`.
**
** Inputs: EventBridge events as JSON, one document after another (one per
** line, as an archive replayed to a file or a log holds them, or indented),
** and SQS queue dumps (`aws sqs receive-message --output json`:
** {"Messages": [{"Body": "<event JSON>"}, ...]}). Kept: the "EC2 Spot
** Instance Interruption Warning" and "EC2 Instance Rebalance Recommendation"
** events of source aws.ec2; any other is counted and skipped. An event id
** seen before (a queue delivers at least once) is counted and dropped.
**
** Output: Timestamp,DetailType,InstanceId,Units, sorted by Timestamp (the
** event's "time"; input order on a tie), Units the --weight given (an event
** names an instance, not its type).
**
** Errors are values: -1 with "FILE: document N: what is wrong".
*/
#ifndef SPOTBENCH_TRACES_EVENTS_H
#define SPOTBENCH_TRACES_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    int64_t t;
    int kind; /* pol_event_kind */
    size_t seq;
    char id[96];
    char instance[32];
} trc_event;

/* Zero-initialise; release with trc_events_free(). */
typedef struct {
    trc_event *ev;
    size_t n, cap;
    size_t read;  /* events read */
    size_t dup;   /* repeated event ids, dropped */
    size_t other; /* other events or messages, skipped */
} trc_events;

/* Reads `text` (NUL-terminated) from `file` and adds its events. Returns 0,
** or -1 with a message. */
int trc_events_add(trc_events *e, const char *file, const char *text, char *err,
                   size_t errlen);
/* Sorts by time (input order on a tie). */
void trc_events_finish(trc_events *e);
/* Writes the CSV; each event `units` units. Returns 0, or -1 when writing
** failed. */
int trc_events_write_csv(const trc_events *e, double units, FILE *f);
void trc_events_free(trc_events *e);

#endif
