/*
** drive.c: a sweep's whole life in one place (lab_sweep_drive): check the
** spec, find or create its row, skip what is stored, run the rest on the
** worker pool (pool.c), read the runs back. The commands that run sweeps
** (sweep, tune, compare, sensitivity) differ only in the spec they build
** and what they print.
*/
#include "lab/sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"

int lab_sweep_create(st_db *db, const lab_sweep_spec *spec, const char *tool_version,
                     int64_t *id, char *err, size_t errlen) {
    char *json = lab_sweep_spec_json(spec);
    if (!json) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = st_sweep_create(db, json, spec->policy, lab_sweep_npoints(spec),
                             spec->nscenarios, tool_version, id, err, errlen);
    free(json);
    return rc;
}

int lab_sweep_find(st_db *db, const lab_sweep_spec *spec, int64_t *id, char *err,
                   size_t errlen) {
    char *json = lab_sweep_spec_json(spec);
    if (!json) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = st_sweep_find(db, json, id, err, errlen);
    free(json);
    return rc;
}

int lab_sweep_load(st_db *db, int64_t id, lab_sweep_spec *spec, char *err,
                   size_t errlen) {
    char *json, e[200];
    memset(spec, 0, sizeof *spec);
    if (st_sweep_spec(db, id, &json, err, errlen)) return -1;
    int rc = lab_sweep_spec_parse(json, spec, e, sizeof e);
    if (rc) snprintf(err, errlen, "%s: sweep %lld: %s", st_path(db), (long long)id, e);
    free(json);
    return rc;
}

/* The runs of this shard not stored yet, into todo (malloc'd). */
static int runs_to_do(st_db *db, const lab_sweep_spec *spec, const lab_sweep_req *req,
                      size_t **todo, size_t *ntodo, size_t *nslice, char *err,
                      size_t errlen) {
    size_t nruns = lab_sweep_npoints(spec) * spec->nscenarios;
    unsigned char *done = calloc(nruns, 1);
    *todo = malloc(nruns * sizeof **todo);
    *ntodo = *nslice = 0;
    if (!done || !*todo) {
        free(done);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (st_sweep_done(db, req->id, done, nruns, err, errlen)) {
        free(done);
        return -1;
    }
    /* Shards interleave (run r goes to shard r mod N): every shard gets a
    ** mix of cheap and dear points. */
    size_t k = req->shard_n > 1 ? (size_t)req->shard_k - 1 : 0;
    size_t n = req->shard_n > 1 ? (size_t)req->shard_n : 1;
    for (size_t r = 0; r < nruns; r++)
        if (r % n == k) {
            (*nslice)++;
            if (!done[r]) (*todo)[(*ntodo)++] = r;
        }
    free(done);
    return 0;
}

int lab_sweep_drive(const lab_sweep_spec *spec, lab_sweep_req *req,
                    st_sweep_row **rows, size_t *nrows, char *err, size_t errlen) {
    if (rows) {
        *rows = NULL;
        *nrows = 0;
    }
    /* Validate before the database is touched: a bad sweep stores nothing. */
    if (lab_sweep_check(spec, err, errlen)) return LAB_BADINPUT;
    st_db *db = NULL;
    size_t *todo = NULL, ntodo, nslice;
    if (st_open(req->db_path, &db, err, errlen)) return LAB_FAIL;
    int rc = LAB_FAIL;
    if (!req->id && req->join && lab_sweep_find(db, spec, &req->id, err, errlen)) goto out;
    if (!req->id && (lab_sweep_create(db, spec, req->tool_version, &req->id, err, errlen) ||
                     st_sweep_set_kind(db, req->id, req->kind ? req->kind : "sweep", err,
                                       errlen)))
        goto out;
    if (runs_to_do(db, spec, req, &todo, &ntodo, &nslice, err, errlen)) goto out;
    st_close(db); /* no connection may cross the workers' fork() */
    db = NULL;
    if (req->start) req->start(req->ctx, req->id, nslice, ntodo);
    if (lab_sweep_exec(req->db_path, req->id, spec, todo, ntodo, req->workers,
                       req->tool_version, req->progress, req->ctx, err, errlen)) {
        /* The runs stored so far stay: say how to go on. */
        char e[1024];
        snprintf(e, sizeof e, "%s", err);
        snprintf(err, errlen, "sweep %lld: %s (resume with --resume %lld)",
                 (long long)req->id, e, (long long)req->id);
        goto out;
    }
    if (rows && (st_open(req->db_path, &db, err, errlen) ||
                 st_sweep_rows(db, req->id, rows, nrows, err, errlen)))
        goto out;
    rc = LAB_OK;
out:
    st_close(db);
    free(todo);
    return rc;
}
