/*
** store_int.h: what store/ shares inside itself and with its tests, and
** nobody else uses.
*/
#ifndef SPOTBENCH_STORE_INT_H
#define SPOTBENCH_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

/* Room for any "%.17g" of a double ("-2.2250738585072014e-308") and NUL. */
#define ST_G17_MAX 32

/* Writes v into out exactly as snprintf(out, ST_G17_MAX, "%.17g", v) does
** (round-half-even, as glibc in the default rounding mode) and returns the
** length. Prices are printed per pool per minute, and snprintf's general
** algorithm took 0.43 us a number where this took 0.09 us: 1e-4 <= |v| <
** 1e16 costs one 128-bit multiply; the rest is left to snprintf. */
int st_g17(double v, char *out);

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

#endif
