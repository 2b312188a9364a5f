/*
** regret.c: the regret table (regret.h): cells from run summaries, their
** aggregate over a suite, and the sweeps whose runs fill them.
*/
#include "lab/regret.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/lab.h"
#include "lab/sweep.h"
#include "store/store.h"

int lab_cmp_init(lab_cmp *c, const char *const *cases, size_t ncases,
                 const char *const *policies, size_t npolicies) {
    memset(c, 0, sizeof *c);
    c->cases = cases;
    c->ncases = ncases;
    c->policies = policies;
    c->npolicies = npolicies;
    c->cell = calloc(ncases * npolicies + 1, sizeof *c->cell);
    c->agg = calloc(npolicies + 1, sizeof *c->agg);
    if (!c->cell || !c->agg) {
        lab_cmp_free(c);
        return -1;
    }
    return 0;
}

void lab_cmp_free(lab_cmp *c) {
    free(c->cell);
    free(c->agg);
    c->cell = c->agg = NULL;
}

/* The same tolerance as sim_gap_format: half a cent. */
#define CENT_HALF 0.005

void lab_cmp_set(lab_cmp *c, size_t case_i, size_t pol_i, const sim_result *r) {
    lab_cmp_cell *x = &c->cell[case_i * c->npolicies + pol_i];
    memset(x, 0, sizeof *x);
    x->total = r->total_cost;
    x->oracle = r->oracle_cost;
    x->coverage = r->coverage_pct;
    x->regret_ok = r->total_cost >= r->oracle_cost - CENT_HALF;
    x->regret = x->regret_ok && r->total_cost > r->oracle_cost ? r->total_cost - r->oracle_cost : 0;
    x->regret_pct = x->oracle > 0 ? 100 * x->regret / x->oracle : 0;
    x->na = !x->regret_ok;
    x->shortfall_uh = r->shortfall_unit_hours;
    x->required_uh = r->required_unit_hours;
    x->shortfalls = r->shortfalls;
    x->lat_med = r->fallback_latency_median_s;
    x->lat_max = r->fallback_latency_max_s;
    x->ret_med = r->return_delay_median_s;
    x->ret_max = r->return_delay_max_s;
    x->od_after = r->od_hours_after_recovery;
    x->flaps = r->flaps;
    x->ncases = 1;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The lower of the two middle values, as the simulator's medians are. */
static int64_t median(int64_t *v, size_t n) {
    if (!n) return 0;
    qsort(v, n, sizeof *v, cmp_i64);
    return v[(n - 1) / 2];
}

void lab_cmp_aggregate(lab_cmp *c) {
    int64_t *lat = malloc((c->ncases + 1) * sizeof *lat);
    int64_t *ret = malloc((c->ncases + 1) * sizeof *ret);
    for (size_t p = 0; p < c->npolicies; p++) {
        lab_cmp_cell *a = &c->agg[p];
        memset(a, 0, sizeof *a);
        double oracle_ok = 0;
        size_t nl = 0;
        for (size_t k = 0; k < c->ncases; k++) {
            const lab_cmp_cell *x = &c->cell[k * c->npolicies + p];
            a->total += x->total;
            a->oracle += x->oracle;
            a->shortfall_uh += x->shortfall_uh;
            a->required_uh += x->required_uh;
            a->shortfalls += x->shortfalls;
            a->od_after += x->od_after;
            a->flaps += x->flaps;
            if (x->lat_max > a->lat_max) a->lat_max = x->lat_max;
            if (x->ret_max > a->ret_max) a->ret_max = x->ret_max;
            if (x->shortfalls > 0 && lat && ret) {
                lat[nl] = x->lat_med;
                ret[nl++] = x->ret_med;
            }
            if (x->regret_ok) {
                a->regret += x->regret;
                oracle_ok += x->oracle;
            } else {
                a->na++;
            }
        }
        a->ncases = c->ncases;
        a->regret_ok = a->na == 0;
        a->regret_pct = oracle_ok > 0 ? 100 * a->regret / oracle_ok : 0;
        a->coverage = a->required_uh > 0 ? 100 * (1 - a->shortfall_uh / a->required_uh) : 100;
        a->lat_med = lat ? median(lat, nl) : 0;
        a->ret_med = ret ? median(ret, nl) : 0;
    }
    free(lat);
    free(ret);
}

void lab_cmp_regret_text(const lab_cmp_cell *x, char *abs, size_t alen, char *pct,
                         size_t plen) {
    if (x->ncases > 1) { /* an aggregate: over the cases where defined */
        snprintf(abs, alen, "%+.2f", x->regret);
        if (x->na)
            snprintf(pct, plen, "%+.1f %% (n/a on %d)", x->regret_pct, x->na);
        else
            snprintf(pct, plen, "%+.1f %%", x->regret_pct);
        return;
    }
    sim_gap_format(x->total, x->oracle, x->coverage, abs, alen);
    if (x->regret_ok) snprintf(pct, plen, "%+.1f %%", x->regret_pct);
    else snprintf(pct, plen, "-");
}

/* One policy's sweep over the cases: its column of the table. */
static int run_column(lab_cmp *t, size_t col, const char *db_path, const char *const *cases,
                      const pol_policy *pol, const char *const *sets, size_t nsets,
                      int workers, const char *tool_version, int64_t *sweep_id, char *err,
                      size_t errlen) {
    lab_sweep_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.seed = 1;
    const char *mine[LAB_MAX_SETS];
    size_t n = lab_sets_for(pol, sets, nsets, mine);
    st_sweep_row *rows = NULL;
    size_t nrows = 0;
    st_db *db = NULL;
    int rc = LAB_FAIL;
    if (!(spec.policy = strdup(pol->name))) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < t->ncases; i++)
        if (lab_sweep_add_str(&spec.scenarios, &spec.nscenarios, cases[i], err, errlen))
            goto out;
    for (size_t i = 0; i < n; i++)
        if (lab_sweep_add_str(&spec.sets, &spec.nsets, mine[i], err, errlen)) goto out;
    lab_sweep_req req = {.db_path = db_path, .workers = workers, .tool_version = tool_version};
    rc = lab_sweep_drive(&spec, &req, &rows, &nrows, err, errlen);
    *sweep_id = req.id;
    if (rc != LAB_OK) goto out;
    rc = LAB_FAIL;
    if (nrows != t->ncases) {
        snprintf(err, errlen, "sweep %lld: %zu runs stored, %zu expected", (long long)req.id,
                 nrows, t->ncases);
        goto out;
    }
    if (st_open(db_path, &db, err, errlen)) goto out;
    for (size_t i = 0; i < nrows; i++) {
        sim_result res;
        if (st_summary_get(db, rows[i].run_id, &res, err, errlen)) goto out;
        lab_cmp_set(t, rows[i].scenario, col, &res);
    }
    rc = LAB_OK;
out:
    st_close(db);
    free(rows);
    lab_sweep_spec_free(&spec);
    return rc;
}

int lab_cmp_run(lab_cmp *t, const char *db_path, const char *const *cases,
                const pol_policy *const *pols, const char *const *sets, size_t nsets,
                int workers, const char *tool_version, int64_t *sweep_ids, char *err,
                size_t errlen) {
    lab_sets split; /* every --set checked once, against every chosen policy */
    if (lab_sets_split(pols, t->npolicies, sets, nsets, &split, err, errlen))
        return LAB_BADINPUT;
    int rc = LAB_OK;
    for (size_t p = 0; p < t->npolicies && rc == LAB_OK; p++)
        rc = run_column(t, p, db_path, cases, pols[p], sets, nsets, workers, tool_version,
                        &sweep_ids[p], err, errlen);
    return rc;
}
