/*
** import.h: reading real, untidy trace exports into spotbench's canonical
** CSV traces (docs/scenario.md), for `spotbench trace import|check|info`.
**
** Inputs: `aws ec2 describe-spot-price-history --output json` (one or more
** pages, concatenated in one file or given as several files), `aws
** cloudwatch get-metric-statistics` and `get-metric-data` output for the
** AWS/EC2Spot fleet metrics or the AWS/AutoScaling group metrics of a spot
** Auto Scaling group (GroupDesiredCapacity as TargetCapacity,
** GroupInServiceCapacity as FulfilledCapacity, GroupTerminatingCapacity as
** TerminatingCapacity: the kind-neutral view, docs/traces.md), `spotbench
** policy eval` observations (JSON Lines), and the canonical CSVs
** themselves. Any of them may be gzip compressed (told by its magic bytes,
** not its name).
**
** An import collects records from any number of inputs of one kind (prices
** or metrics), then trc_import_finish() sorts and deduplicates them by the
** rule in docs/traces.md: records of one series (a pool, or a metric) with
** the same Timestamp collapse when their values are equal; when they differ,
** the later record in input order wins and the conflict is counted. Nothing
** is skipped silently: records of other products are counted as filtered.
**
** Errors are values: every function that can fail returns -1 with a message
** naming the file, the record (LINE for CSV and JSON Lines, the element
** path for JSON, e.g. "SpotPriceHistory[17].SpotPrice") and the field.
*/
#ifndef SPOTBENCH_TRACES_IMPORT_H
#define SPOTBENCH_TRACES_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    TRC_FMT_AUTO = 0,
    TRC_FMT_SPOT_PRICE_HISTORY, /* aws-spot-price-history */
    TRC_FMT_METRIC_STATISTICS,  /* aws-get-metric-statistics */
    TRC_FMT_METRIC_DATA,        /* aws-get-metric-data */
    TRC_FMT_POLICY_EVAL,        /* policy-eval */
    TRC_FMT_CSV                 /* csv: a canonical prices or metrics CSV */
} trc_format;

/* The format's command-line name, or "auto". */
const char *trc_format_name(trc_format f);
/* The format named `name`, or -1. */
int trc_format_find(const char *name);

/* Reads a whole file, inflating it when it starts with the gzip magic bytes
** (several gzip members in a row are read as one stream). On success returns
** a malloc'd, NUL-terminated buffer (the caller frees it) and its length in
** *len (NUL bytes inside are kept); NULL with "FILE: what is wrong". */
char *trc_read_file(const char *path, size_t *len, char *err, size_t errlen);

/* Tells the format of `text` from its content. Returns the format, or
** TRC_FMT_AUTO with a message when it cannot tell. */
trc_format trc_detect(const char *file, const char *text, size_t len,
                      char *err, size_t errlen);

typedef enum { TRC_KIND_NONE = 0, TRC_KIND_PRICES, TRC_KIND_METRICS } trc_kind;

/* One record: a value of series `series` (a pool index, or a pol_metric) at
** Timestamp t; `seq` is its place in input order. */
typedef struct {
    int64_t t;
    uint32_t series;
    uint32_t seq;
    double v;
} trc_rec;

typedef struct {
    char type[32]; /* InstanceType */
    char az[32];   /* AvailabilityZone */
} trc_pool;

/* An import in progress, then finished. Zero-initialise it, set `product`
** if wanted, and release it with trc_import_free(). */
typedef struct {
    /* Set by the caller before adding: the product description kept from
    ** price histories; NULL means "Linux/UNIX". A record is kept when its
    ** ProductDescription is this or this + " (Amazon VPC)". Borrowed. */
    const char *product;

    trc_kind kind;
    trc_pool *pools; /* prices: the pools; after finish sorted by type, az */
    size_t npools, poolcap;
    trc_rec *recs; /* after finish: sorted by (series, t), one per Timestamp */
    size_t n, cap;

    size_t read;      /* records read from the inputs */
    size_t filtered;  /* price records of other products (not kept) */
    size_t dup_same;  /* same series and Timestamp, same value: collapsed */
    size_t dup_diff;  /* same series and Timestamp, other value: later won */
    size_t unchanged; /* prices: records repeating their pool's previous price
                         (dropped: a price holds until it changes) */
    int64_t period;   /* metrics, after finish: 60 or 300 s */
    /* Metrics: the namespaces read (TRC_NS_*: one fleet's or one group's,
    ** never both), and AWS/AutoScaling records of group metrics the
    ** kind-neutral view does not take (GroupPendingCapacity counts launching
    ** instances only, the instance counts, sizes, warm pools): counted,
    ** not kept. */
    unsigned ns;
    size_t not_read;
    int finished;
} trc_import;

enum { TRC_NS_EC2SPOT = 1, TRC_NS_AUTOSCALING = 2 };

void trc_import_free(trc_import *im);

/* Reads `len` bytes of `text` (NUL-terminated at text[len]; the buffer may
** be modified, as trc_read_file() returns it) in format `fmt` (not AUTO)
** and adds its records. `file` names the input in messages. Returns 0, or
** -1 with a message; on failure the records read from this input are
** dropped again, so the import stays as it was. */
int trc_import_add(trc_import *im, trc_format fmt, const char *file,
                   char *text, size_t len, char *err, size_t errlen);

/* Reads the file `path` (gzip'd or not) and adds its records. When *fmt is
** TRC_FMT_AUTO, the format is detected from the file's head and stored in
** *fmt (also when reading then fails). A price history is streamed: memory
** holds its records, not its text. Returns 0, or -1 with a message as
** trc_import_add(). */
int trc_import_add_file(trc_import *im, trc_format *fmt, const char *path,
                        char *err, size_t errlen);

/* Sorts and deduplicates (see above); sets `period` for metrics. Returns 0,
** or -1 with a message (no records at all; out of memory). */
int trc_import_finish(trc_import *im, char *err, size_t errlen);

/* Writes the finished import as the canonical CSV: prices as
** Timestamp,InstanceType,AvailabilityZone,SpotPrice (only rows where a
** pool's price changes), metrics as
** Timestamp,TargetCapacity,FulfilledCapacity,PendingCapacity,
** TerminatingCapacity (an empty cell where a metric has no datapoint).
** Rows in Timestamp order. Returns 0, or -1 when writing failed. */
int trc_import_write_csv(const trc_import *im, FILE *f);

/* Per-series figures of a finished import. */
typedef struct {
    size_t n;
    int64_t first, last; /* Timestamps of the first and last record */
    double min, median, max; /* of the records' values */
    /* Episodes with the value above `above` (trc_import_stats' argument): a
    ** value holds until the series' next record, the last one until the
    ** import's last Timestamp. */
    size_t episodes;
    int64_t above_total, above_longest;
    int open_at_end; /* the last episode was still going at the end */
} trc_series_stats;

/* Fills st[i] for each series (npools for prices, POL_NMETRICS for
** metrics; a metric without datapoints has n == 0). Episodes are counted
** only when `above` is >= 0. Returns the number of series, or -1 when out of
** memory. The caller frees *st. */
long trc_import_stats(const trc_import *im, double above,
                      trc_series_stats **st);

/* The span of a finished import: its first and last Timestamp. */
void trc_import_span(const trc_import *im, int64_t *first, int64_t *last);

/* Formats a number as the shortest text that reads back as the same
** double ("0.0397", not "0.039699999999999999"). */
void trc_fmt_number(char *buf, size_t n, double v);

#endif
