/*
** tunesweep.c: a tune's grid as a stored sweep (tune.h): the spec from the
** policy's default ranges and the user's, the evaluator that runs only the
** runs the pattern search asks for (and reads back those a resumed tune
** stored before), and the regret of the point found.
*/
#include "lab/tune.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"
#include "store/store.h"

/* The grid's runs a bit each: a suite's grid with seeds has 10^8 runs and
** more, of which the search runs a few hundred. */
#define DONE(b, r) (((b)[(r) / 8] >> ((r) % 8)) & 1)
#define SET_DONE(b, r) ((b)[(r) / 8] |= (unsigned char)(1u << ((r) % 8)))
/* The most runs a tune's grid may have: its bits take 128 MB. */
#define TUNE_MAX_RUNS ((size_t)1 << 30)

typedef struct {
    const char *db_path;
    int64_t id;
    const lab_sweep_spec *spec;
    int workers;
    const char *tool_version;
    unsigned char *done; /* a bit per run of the grid: stored */
    size_t nruns;
    size_t simulated;
} tune_ctx;

static int cmp_row(const void *a, const void *b) {
    const st_sweep_row *x = a, *y = b;
    if (x->point != y->point) return x->point < y->point ? -1 : 1;
    return (x->scenario > y->scenario) - (x->scenario < y->scenario);
}

static const st_sweep_row *row_of(const st_sweep_row *rows, size_t n, size_t point,
                                  size_t scen) {
    st_sweep_row key;
    key.point = point;
    key.scenario = scen;
    return bsearch(&key, rows, n, sizeof *rows, cmp_row);
}

/* Marks the runs of a resumed tune already stored. */
static int stored_runs(st_db *db, tune_ctx *c, char *err, size_t errlen) {
    st_sweep_row *rows = NULL;
    size_t n = 0, ns = c->spec->nscenarios;
    if (st_sweep_rows(db, c->id, &rows, &n, err, errlen)) return -1;
    for (size_t i = 0; i < n; i++) {
        size_t r = rows[i].point * ns + rows[i].scenario;
        if (r < c->nruns) SET_DONE(c->done, r);
    }
    free(rows);
    return 0;
}

/* The evaluator: runs what the sweep lacks, then reads every asked run. */
static int eval(void *vctx, const size_t *runs, size_t n, double *cost, double *cov,
                char *err, size_t errlen) {
    tune_ctx *c = vctx;
    size_t *todo = calloc(n + 1, sizeof *todo), m = 0;
    st_db *db = NULL;
    st_sweep_row *rows = NULL;
    size_t nrows = 0;
    int rc = -1;
    if (!todo) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!DONE(c->done, runs[i])) todo[m++] = runs[i];
    if (lab_sweep_exec(c->db_path, c->id, c->spec, todo, m, c->workers, c->tool_version,
                       NULL, NULL, err, errlen))
        goto out;
    c->simulated += m;
    for (size_t i = 0; i < m; i++) SET_DONE(c->done, todo[i]);
    if (st_open(c->db_path, &db, err, errlen) ||
        st_sweep_rows(db, c->id, &rows, &nrows, err, errlen))
        goto out;
    qsort(rows, nrows, sizeof *rows, cmp_row);
    size_t ns = c->spec->nscenarios;
    for (size_t i = 0; i < n; i++) {
        const st_sweep_row *r = row_of(rows, nrows, runs[i] / ns, runs[i] % ns);
        if (!r) {
            snprintf(err, errlen, "sweep %lld: run %zu of point %zu is not stored",
                     (long long)c->id, runs[i] % ns, runs[i] / ns);
            goto out;
        }
        cost[i] = r->cost;
        cov[i] = r->coverage;
    }
    rc = 0;
out:
    st_close(db);
    free(rows);
    free(todo);
    return rc;
}

/* The axis index nearest to the policy's default for a parameter, the middle
** for a scenario field (its value differs between cases). */
static size_t start_index(const pol_policy *pol, const lab_sweep_axis *ax) {
    int k = pol_param_index(pol, ax->key);
    if (k < 0) return ax->nvalues / 2;
    double def = pol->params[k].def, best = INFINITY;
    size_t bi = 0;
    for (size_t i = 0; i < ax->nvalues; i++) {
        double d = fabs(strtod(ax->values[i], NULL) - def);
        if (d < best) {
            best = d;
            bi = i;
        }
    }
    return bi;
}

/* The part of a run's cost above a bound, summed into *sum (with the bound
** into *bound) as a mean over the seeds; *na counts the runs cheaper than
** the bound (they cover less: no regret is defined). */
static void add_regret(double total, double b, size_t nseeds, double *sum, double *bound,
                       int *na) {
    if (total >= b - 0.005) {
        *sum += (total > b ? total - b : 0) / (double)nseeds;
        *bound += b / (double)nseeds;
    } else {
        (*na)++;
    }
}

/* The regret of point p: its cost above the oracle's bound summed over the
** cases where it is defined (*na counts the others); the same above the
** reactive bound. */
static int point_regret(const tune_ctx *c, size_t p, size_t nseeds, lab_tune_out *o,
                        char *err, size_t errlen) {
    st_db *db = NULL;
    st_sweep_row *rows = NULL;
    size_t nrows = 0;
    int rc = -1;
    o->regret = o->oracle = o->own = o->reactive = 0;
    o->na = o->own_na = 0;
    if (st_open(c->db_path, &db, err, errlen) ||
        st_sweep_rows(db, c->id, &rows, &nrows, err, errlen))
        goto out;
    for (size_t i = 0; i < nrows; i++) {
        if (rows[i].point / nseeds != p) continue;
        sim_result r;
        if (st_summary_get(db, rows[i].run_id, &r, err, errlen)) goto out;
        add_regret(r.total_cost, r.oracle_cost, nseeds, &o->regret, &o->oracle, &o->na);
        add_regret(r.total_cost, r.reactive_cost, nseeds, &o->own, &o->reactive, &o->own_na);
    }
    rc = 0;
out:
    st_close(db);
    free(rows);
    return rc;
}

int lab_tune_spec(const pol_policy *pol, const char *const *cases, size_t ncases,
                  const char *const *sets, size_t nsets, const char *const *ranges,
                  size_t nranges, uint64_t seed, const uint64_t *seeds, size_t nseeds,
                  lab_sweep_spec *spec, char *err, size_t errlen) {
    memset(spec, 0, sizeof *spec);
    spec->seed = seed;
    lab_sets split;
    if (lab_sets_split(&pol, 1, sets, nsets, &split, err, errlen)) return LAB_BADINPUT;
    if (!(spec->policy = strdup(pol->name))) {
        snprintf(err, errlen, "out of memory");
        return LAB_FAIL;
    }
    for (size_t i = 0; i < ncases; i++)
        if (lab_sweep_add_str(&spec->scenarios, &spec->nscenarios, cases[i], err, errlen))
            return LAB_BADINPUT;
    for (size_t i = 0; i < nsets; i++)
        if (lab_sweep_add_str(&spec->sets, &spec->nsets, sets[i], err, errlen))
            return LAB_BADINPUT;
    /* The axes: the defaults, each replaced by a range of the same key, then
    ** the other ranges. A variant takes its policy's defaults but for the
    ** parameters it fixes. */
    const char *const *def = lab_tune_ranges(pol->base ? pol->base->name : pol->name);
    size_t naxes = 0;
    for (size_t i = 0; def && def[i]; i++) {
        size_t kl = strcspn(def[i], "=");
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)kl, def[i]);
        int k = pol_param_index(pol, key);
        if (k >= 0 && (pol->fixed >> k & 1)) continue;
        int replaced = 0;
        for (size_t j = 0; j < nranges; j++)
            replaced |= strncmp(ranges[j], def[i], kl) == 0 && ranges[j][kl] == '=';
        if (!replaced && lab_sweep_add_grid(spec, def[i], err, errlen)) return LAB_BADINPUT;
        naxes += !replaced;
    }
    for (size_t j = 0; j < nranges; j++)
        if (lab_sweep_add_grid(spec, ranges[j], err, errlen)) return LAB_BADINPUT;
    if (naxes + nranges == 0) {
        snprintf(err, errlen, "--policy %s has no search ranges: give them with --range "
                 "KEY=VALUES", pol->name);
        return LAB_BADINPUT;
    }
    for (size_t i = 0; i < nsets && nseeds; i++)
        if (!strncmp(sets[i], "seed=", 5)) {
            snprintf(err, errlen, "--set %s: --seeds gives each run its seed", sets[i]);
            return LAB_BADINPUT;
        }
    return nseeds && lab_sweep_add_seeds(spec, seeds, nseeds, err, errlen) ? LAB_BADINPUT
                                                                            : LAB_OK;
}

int lab_tune_sweep(const lab_sweep_spec *spec, const pol_policy *pol,
                   const lab_tune_req *req, lab_tune_out *out, char *err, size_t errlen) {
    /* Seeds (the last axis) are more cases to the search: point p at seed
    ** s on scenario k is sweep run (p * nseeds + s) * nscenarios + k, that
    ** is p * (nseeds * nscenarios) + case, case = s * nscenarios + k. */
    size_t nseeds = lab_sweep_nseeds(spec);
    size_t ndims = spec->ngrid - (size_t)lab_sweep_seed_axis(spec);
    size_t dim[LAB_MAX_SETS], start[LAB_MAX_SETS], ncases = spec->nscenarios * nseeds;
    tune_ctx c;
    memset(&c, 0, sizeof c);
    memset(out, 0, sizeof *out);
    if (spec->ngrid > LAB_MAX_SETS) {
        snprintf(err, errlen, "more than %d ranges", LAB_MAX_SETS);
        return LAB_BADINPUT;
    }
    for (size_t k = 0; k < ndims; k++) {
        dim[k] = spec->grid[k].nvalues;
        start[k] = start_index(pol, &spec->grid[k]);
    }
    size_t np = lab_sweep_npoints(spec) / nseeds;
    if (ncases == 0 || np == 0 || np > TUNE_MAX_RUNS / ncases) {
        snprintf(err, errlen, "the ranges give %zu points: at most %zu over %zu cases", np,
                 ncases ? TUNE_MAX_RUNS / ncases : 0, ncases);
        return LAB_BADINPUT;
    }
    /* The search runs a budget of the grid, never all of it: every value of
    ** every range is checked, not every point, and no sweep size applies. */
    if (lab_sweep_check_sparse(spec, err, errlen)) return LAB_BADINPUT;

    /* Resume the sweep of the same spec, or create it. */
    int rc = LAB_FAIL;
    st_db *db = NULL;
    c.db_path = req->db_path;
    c.spec = spec;
    c.workers = req->workers;
    c.tool_version = req->tool_version;
    c.nruns = np * ncases;
    if (!(c.done = calloc(c.nruns / 8 + 1, 1))) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (st_open(req->db_path, &db, err, errlen) || lab_sweep_find(db, spec, &c.id, err, errlen))
        goto out;
    out->resumed = c.id != 0;
    if (!out->resumed && (lab_sweep_create(db, spec, req->tool_version, &c.id, err, errlen) ||
                          st_sweep_set_kind(db, c.id, "tune", err, errlen)))
        goto out;
    if (out->resumed && stored_runs(db, &c, err, errlen)) goto out;
    st_close(db); /* no connection may cross the workers' fork() */
    db = NULL;

    lab_tune_cfg cfg = {ndims, dim, start, ncases, req->min_cov, req->budget,
                        req->restarts, spec->seed};
    out->nseeds = nseeds;
    out->sweep_id = c.id;
    out->nruns = c.nruns;
    if (lab_tune_run(&cfg, eval, &c, &out->res, err, errlen)) goto out;
    out->simulated = c.simulated;
    out->point = out->res.point * nseeds;
    if (out->res.complete &&
        point_regret(&c, out->res.point, nseeds, out, err, errlen))
        goto out;
    rc = LAB_OK;
out:
    st_close(db);
    free(c.done);
    return rc;
}
