/*
** sweeptab.h: parameter sweeps in the results database (schema:
** docs/store.md): the storage half; what a sweep is and how its runs are
** run are lab/'s (lab/sweep.h).
**
** A sweep is a row of `sweeps` holding its spec (as canonical JSON); each
** of its runs is an ordinary run (runs, run_pools, summaries) plus a
** `sweep_runs` row naming its (point, scenario), stored in the run's own
** transaction (st_sweep_link between st_run_begin and st_run_commit). So a
** sweep interrupted at any moment, even by kill -9, leaves whole runs only,
** and a resumed sweep runs the (point, scenario) pairs that have no
** sweep_runs row.
**
** Errors are values: 0, or -1 with a message in err.
*/
#ifndef SPOTBENCH_STORE_SWEEPTAB_H
#define SPOTBENCH_STORE_SWEEPTAB_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Creates the sweep row: its spec as canonical JSON (two specs are the
** same sweep exactly when their texts are equal), its policy and size. */
int st_sweep_create(st_db *db, const char *spec_json, const char *policy,
                    size_t points, size_t scenarios, const char *tool_version,
                    int64_t *id, char *err, size_t errlen);

/* The id of the sweep with this exact spec text, or 0 when there is none. */
int st_sweep_find(st_db *db, const char *spec_json, int64_t *id, char *err,
                  size_t errlen);

/* Sweep `id`'s spec text into *json (malloc'd, the caller's). */
int st_sweep_spec(st_db *db, int64_t id, char **json, char *err, size_t errlen);

/* Marks done[r] = 1 for every stored run r = point * nscenarios + scenario
** of the sweep; done has `n` entries, zeroed by the caller. */
int st_sweep_done(st_db *db, int64_t id, unsigned char *done, size_t n,
                  char *err, size_t errlen);

/* The hash algorithm of the scenarios of sweep id's stored runs (the first
** run's): FNV-1a for a sweep stored before schema version 6, which a resumed
** sweep goes on with, so that each of its scenarios stays one row;
** SIM_HASH_XXH64 when none is stored. */
int st_sweep_hash_alg(st_db *db, int64_t id, sim_hash_alg *alg, char *err, size_t errlen);

/* One stored run of a sweep. */
typedef struct {
    size_t point, scenario;
    int64_t run_id;
    char params[512]; /* JSON object of the swept keys */
    double cost, coverage;
} st_sweep_row;

/* Every stored run of the sweep, by (point, scenario). *rows is malloc'd,
** the caller's. */
int st_sweep_rows(st_db *db, int64_t id, st_sweep_row **rows, size_t *n,
                  char *err, size_t errlen);

/* Links the run open on db (st_run_begin) to (point, scenario) of sweep
** sweep_id, with the swept keys as a JSON object. Returns 1 when another
** process stored this (point, scenario) meanwhile (a resumed sweep racing a
** worker of the interrupted one: the caller rolls its run back), 0 when
** linked, -1 on failure. */
int st_sweep_link(st_db *db, int64_t sweep_id, size_t point, size_t scen,
                  int64_t run_id, const char *params, char *err, size_t errlen);

/* What made a sweep: "sweep", "tune", "compare" or "sensitivity" (the
** column sweeps.kind; NULL for sweeps stored before schema version 5). */
int st_sweep_set_kind(st_db *db, int64_t id, const char *kind, char *err, size_t errlen);

/* One sweep of the database, as `spotbench ls` lists it. Strings are
** malloc'd, owned by the list. */
typedef struct {
    int64_t id;
    char *kind;     /* "" when not stored (before version 5) */
    char *policy, *created, *spec;
    char *tool_version; /* "" when not stored */
    size_t points, scenarios, runs; /* runs stored */
} st_sweep_info;

/* Every sweep, by id; *out is the caller's, freed by st_sweep_list_free. */
int st_sweep_list(st_db *db, st_sweep_info **out, size_t *n, char *err, size_t errlen);
void st_sweep_list_free(st_sweep_info *list, size_t n);
/* The id of the sweep stored last (the highest); -1 when there is none. */
int st_sweep_last(st_db *db, int64_t *id, char *err, size_t errlen);

/* ---- merging shard databases (merge.c) ----------------------------------- */

/* Checks that the database at shard_path is a spotbench database of this
** schema version holding exactly one sweep spec (one or more sweeps with
** equal specs), and that spec equals *spec when *spec is set; sets *spec
** (malloc'd, the caller's) otherwise. Opens it read-only. */
int st_merge_check(const char *shard_path, char **spec, char *err,
                   size_t errlen);

/* Copies into db every run of the shard's sweep whose (point, scenario) the
** sweep of the same spec in db lacks (creating that sweep when db has none),
** with their scenarios, pools, summaries, decisions and timeseries, in one
** transaction. Idempotent. Sets *sweep_id and *copied. */
int st_merge(st_db *db, const char *shard_path, int64_t *sweep_id,
             size_t *copied, char *err, size_t errlen);

#endif
