/*
** store_int.h: what store/ shares inside itself and with its tests, and
** nobody else uses.
*/
#ifndef SPOTBENCH_STORE_INT_H
#define SPOTBENCH_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

/* The connection, for store/sweeptab.c and merge.c. */
struct sqlite3;
struct st_db;
struct sqlite3 *st_sqlite(struct st_db *db);
/* "PATH: what: SQLite's message" into err; returns -1. */
int st_db_fail(const struct st_db *db, char *err, size_t errlen, const char *what);

/* The flat views (views.c, docs/store.md "Views"): run_results; the view
** sweep_<id>_runs of one sweep (its swept keys as columns); and, when a
** database is upgraded to version 5, both for every sweep stored before.
** Each: 0, or -1 with a message in err. */
int st_views_create(struct st_db *db, char *err, size_t errlen);
int st_sweep_view(struct st_db *db, int64_t id, char *err, size_t errlen);
int st_views_upgrade(struct st_db *db, char *err, size_t errlen);

/* The work a merge may spend reading one shard, in SQLite virtual machine
** steps: st_merge_steps_base plus st_merge_steps_per_byte per byte of the
** shard (merge.c says why these). Variables only so that a test can lower
** them. */
extern long long st_merge_steps_base, st_merge_steps_per_byte;

/* ---- the compact timeseries (series.c, docs/store.md "timeseries_days") -- */

#include "sim/sim.h"

/* Samples per timeseries_days row: a day of minutes. */
#define ST_SERIES_CHUNK 1440
/* The most samples a row may hold when read back (a bound for a row that
** did not come from this code). */
#define ST_SERIES_MAX_N 1440
/* The BLOB columns but prices, in table order. */
enum {
    ST_SERIES_DT,
    ST_SERIES_REQUIRED, /* then target, fulfilled, pending, terminating, */
    ST_SERIES_OD_UNITS = ST_SERIES_REQUIRED + 6, /* spot_units, od_units */
    ST_SERIES_OD_DESIRED,
    ST_SERIES_OD_IN_SERVICE,
    ST_SERIES_NCOLS
};
extern const char *const st_series_col_names[ST_SERIES_NCOLS];

typedef struct {
    unsigned char *p;
    size_t n, cap;
    int oom;
} st_series_buf;

typedef struct {
    uint64_t bits;  /* the open run's value (an integer's two's complement) */
    uint64_t count; /* its length; 0: none open */
    st_series_buf out;
} st_series_col;

/* The row being built. */
typedef struct {
    size_t n;             /* samples added since the last reset */
    size_t npools;        /* prices per sample in this row */
    int64_t t0, last_t;   /* the first and the latest sample's t */
    st_series_col col[ST_SERIES_NCOLS];
    st_series_col *price; /* ncap of them */
    size_t ncap;
    st_series_buf prices; /* the pools' runs, one after the other */
} st_series;

/* Adds a sample (the first of a row sets npools: a caller starts a new row
** when nprices changes); st_series_finish() closes the runs into the
** buffers col[i].out and prices; st_series_reset() empties the row for the
** next. -1 when out of memory. */
int st_series_add(st_series *s, const sim_minute_rec *r);
int st_series_finish(st_series *s);
void st_series_reset(st_series *s);
void st_series_free(st_series *s);

/* A stored row, borrowed from SQLite, and where to decode it: each out->col[c]
** has room for n 8-byte values (doubles; int64_t for dt, od_desired and
** od_in_service, dt's first slot left as it is), out->price for
** max_pools * n doubles, pool by pool. -1 when the row is malformed. */
typedef struct {
    size_t n, npools;
    const unsigned char *blob[ST_SERIES_NCOLS];
    size_t len[ST_SERIES_NCOLS];
    const unsigned char *prices;
    size_t prices_len;
} st_series_row;
typedef struct {
    void *col[ST_SERIES_NCOLS];
    double *price;
    size_t max_pools;
} st_series_out;
int st_series_decode(const st_series_row *row, st_series_out *out);

#endif
