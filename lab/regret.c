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
                 const char *const *policies, size_t npolicies, const uint64_t *seeds,
                 size_t nseeds) {
    memset(c, 0, sizeof *c);
    c->cases = cases;
    c->ncases = ncases;
    c->policies = policies;
    c->npolicies = npolicies;
    c->seeds = seeds;
    c->nseeds = nseeds;
    c->cell = calloc(ncases * npolicies + 1, sizeof *c->cell);
    c->agg = calloc(npolicies + 1, sizeof *c->agg);
    c->rep = calloc(nseeds * ncases * npolicies + 1, sizeof *c->rep);
    c->rep_agg = calloc(nseeds * npolicies + 1, sizeof *c->rep_agg);
    c->random = calloc(ncases + 1, sizeof *c->random);
    if (!c->cell || !c->agg || !c->rep || !c->rep_agg || !c->random) {
        lab_cmp_free(c);
        return -1;
    }
    return 0;
}

void lab_cmp_free(lab_cmp *c) {
    free(c->cell);
    free(c->agg);
    free(c->rep);
    free(c->rep_agg);
    free(c->random);
    memset(c, 0, sizeof *c);
}

/* The same tolerance as sim_gap_format: half a cent. */
#define CENT_HALF 0.005

/* Regret from total and bound: defined when the run costs at least the
** bound (less means it covers less). */
static void regret_of(lab_cmp_cell *x) {
    x->regret_ok = x->total >= x->oracle - CENT_HALF;
    x->regret = x->regret_ok && x->total > x->oracle ? x->total - x->oracle : 0;
    x->regret_pct = x->oracle > 0 ? 100 * x->regret / x->oracle : 0;
    x->na = !x->regret_ok;
    x->own_ok = x->total >= x->reactive - CENT_HALF;
    x->own = x->own_ok && x->total > x->reactive ? x->total - x->reactive : 0;
    x->own_na = !x->own_ok;
}

void lab_cmp_set(lab_cmp *c, size_t seed_i, size_t case_i, size_t pol_i,
                 const sim_result *r) {
    lab_cmp_cell *x = &c->rep[(seed_i * c->ncases + case_i) * c->npolicies + pol_i];
    memset(x, 0, sizeof *x);
    x->total = r->total_cost;
    x->oracle = r->oracle_cost;
    x->coverage = r->coverage_pct;
    x->reactive = r->reactive_cost;
    x->reactive_cov = r->reactive_coverage_pct;
    regret_of(x);
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

/* Aggregates cells[case * npolicies + policy] over the cases into
** agg[policy] (the rule of lab_cmp_aggregate). */
static void aggregate_into(const lab_cmp_cell *cells, size_t ncases, size_t npolicies,
                           lab_cmp_cell *agg) {
    int64_t *lat = malloc((ncases + 1) * sizeof *lat);
    int64_t *ret = malloc((ncases + 1) * sizeof *ret);
    for (size_t p = 0; p < npolicies; p++) {
        lab_cmp_cell *a = &agg[p];
        memset(a, 0, sizeof *a);
        double oracle_ok = 0, react_short = 0;
        size_t nl = 0;
        for (size_t k = 0; k < ncases; k++) {
            const lab_cmp_cell *x = &cells[k * npolicies + p];
            a->total += x->total;
            a->oracle += x->oracle;
            a->reactive += x->reactive;
            react_short += (100 - x->reactive_cov) / 100 * x->required_uh;
            if (x->own_ok) a->own += x->own;
            else a->own_na++;
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
        a->ncases = ncases;
        a->regret_ok = a->na == 0;
        a->regret_pct = oracle_ok > 0 ? 100 * a->regret / oracle_ok : 0;
        a->coverage = a->required_uh > 0 ? 100 * (1 - a->shortfall_uh / a->required_uh) : 100;
        a->reactive_cov = a->required_uh > 0 ? 100 * (1 - react_short / a->required_uh) : 100;
        a->own_ok = a->own_na == 0;
        a->lat_med = lat ? median(lat, nl) : 0;
        a->ret_med = ret ? median(ret, nl) : 0;
    }
    free(lat);
    free(ret);
}

/* The mean of one cell over the seeds; counts and durations rounded. With
** one seed, the cell itself. */
static void mean_cell(const lab_cmp *c, size_t k, size_t p, lab_cmp_cell *m) {
    size_t n = c->nseeds, stride = c->ncases * c->npolicies;
    const lab_cmp_cell *x = &c->rep[k * c->npolicies + p];
    if (n == 1) {
        *m = *x;
        return;
    }
    double v[10] = {0};
    for (size_t i = 0; i < n; i++, x += stride) {
        double f[10] = {x->total,        x->oracle,       x->coverage,
                        x->shortfall_uh, x->required_uh,  (double)x->shortfalls,
                        x->od_after,     (double)x->flaps, x->reactive,
                        x->reactive_cov};
        for (int j = 0; j < 10; j++) v[j] += f[j] / (double)n;
    }
    int64_t med[4] = {0};
    x = &c->rep[k * c->npolicies + p];
    double lm = 0, lM = 0, rm = 0, rM = 0;
    for (size_t i = 0; i < n; i++, x += stride) {
        lm += (double)x->lat_med / (double)n;
        lM += (double)x->lat_max / (double)n;
        rm += (double)x->ret_med / (double)n;
        rM += (double)x->ret_max / (double)n;
    }
    med[0] = llround(lm), med[1] = llround(lM), med[2] = llround(rm), med[3] = llround(rM);
    memset(m, 0, sizeof *m);
    m->total = v[0], m->oracle = v[1], m->coverage = v[2];
    m->shortfall_uh = v[3], m->required_uh = v[4], m->shortfalls = (int)lround(v[5]);
    m->od_after = v[6], m->flaps = (int)lround(v[7]);
    m->reactive = v[8], m->reactive_cov = v[9];
    m->lat_med = med[0], m->lat_max = med[1], m->ret_med = med[2], m->ret_max = med[3];
    m->ncases = 1;
    regret_of(m);
}

void lab_cmp_aggregate(lab_cmp *c) {
    size_t stride = c->ncases * c->npolicies;
    for (size_t i = 0; i < c->nseeds; i++)
        aggregate_into(c->rep + i * stride, c->ncases, c->npolicies,
                       c->rep_agg + i * c->npolicies);
    for (size_t k = 0; k < c->ncases; k++)
        for (size_t p = 0; p < c->npolicies; p++)
            mean_cell(c, k, p, &c->cell[k * c->npolicies + p]);
    aggregate_into(c->cell, c->ncases, c->npolicies, c->agg);
    if (c->nseeds == 1) return;
    /* The suite's regret: the mean of each seed's, whose cases without a
    ** regret differ from seed to seed (na: the most of any seed). */
    for (size_t p = 0; p < c->npolicies; p++) {
        lab_cmp_cell *a = &c->agg[p];
        a->regret = a->regret_pct = a->own = 0;
        a->na = a->own_na = 0;
        for (size_t i = 0; i < c->nseeds; i++) {
            const lab_cmp_cell *x = &c->rep_agg[i * c->npolicies + p];
            a->regret += x->regret / (double)c->nseeds;
            a->regret_pct += x->regret_pct / (double)c->nseeds;
            a->own += x->own / (double)c->nseeds;
            if (x->na > a->na) a->na = x->na;
            if (x->own_na > a->own_na) a->own_na = x->own_na;
        }
        a->regret_ok = a->na == 0;
        a->own_ok = a->own_na == 0;
    }
}

/* Seed i's cell of policy p on case k (k == ncases: the suite's). */
static const lab_cmp_cell *rep_of(const lab_cmp *c, size_t i, size_t k, size_t p) {
    if (k == c->ncases) return &c->rep_agg[i * c->npolicies + p];
    return &c->rep[(i * c->ncases + k) * c->npolicies + p];
}

void lab_cmp_stats(const lab_cmp *c, size_t k, size_t p, lab_stat *total, lab_stat *coverage,
                   lab_stat *regret_pct) {
    double *v = malloc(3 * (c->nseeds + 1) * sizeof *v);
    if (!v) {
        memset(total, 0, sizeof *total);
        *coverage = *regret_pct = *total;
        return;
    }
    double *t = v, *cv = v + c->nseeds + 1, *r = v + 2 * (c->nseeds + 1);
    for (size_t i = 0; i < c->nseeds; i++) {
        const lab_cmp_cell *x = rep_of(c, i, k, p);
        t[i] = x->total;
        cv[i] = x->coverage;
        r[i] = x->regret_pct;
    }
    lab_stat_of(t, c->nseeds, total);
    lab_stat_of(cv, c->nseeds, coverage);
    lab_stat_of(r, c->nseeds, regret_pct);
    free(v);
}

void lab_cmp_verdict_of(const lab_cmp *c, size_t a, size_t b, lab_cmp_verdict *out) {
    double *v = malloc(4 * (c->nseeds + 1) * sizeof *v);
    if (!v) {
        memset(out, 0, sizeof *out);
        return;
    }
    double *ta = v, *tb = v + c->nseeds, *ca = v + 2 * c->nseeds, *cb = v + 3 * c->nseeds;
    for (size_t i = 0; i < c->nseeds; i++) {
        ta[i] = c->rep_agg[i * c->npolicies + a].total;
        tb[i] = c->rep_agg[i * c->npolicies + b].total;
        ca[i] = c->rep_agg[i * c->npolicies + a].coverage;
        cb[i] = c->rep_agg[i * c->npolicies + b].coverage;
    }
    lab_paired_of(ta, tb, c->nseeds, CENT_HALF, &out->cost);
    lab_paired_of(ca, cb, c->nseeds, 0.0005, &out->coverage);
    free(v);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int lab_cmp_case_regret(const lab_cmp *c, size_t p, double *median, double *worst,
                        size_t *worst_case, size_t *n) {
    double v[512];
    size_t k = 0;
    *n = 0;
    *median = *worst = 0;
    *worst_case = 0;
    for (size_t i = 0; i < c->ncases; i++) {
        const lab_cmp_cell *x = &c->cell[i * c->npolicies + p];
        if (!x->regret_ok) continue;
        if (k == 0 || x->regret_pct > *worst) {
            *worst = x->regret_pct;
            *worst_case = i;
        }
        if (k < sizeof v / sizeof v[0]) v[k++] = x->regret_pct;
    }
    if (!k) return -1;
    qsort(v, k, sizeof v[0], cmp_double);
    *median = v[(k - 1) / 2];
    *n = k;
    return 0;
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

void lab_cmp_own_text(const lab_cmp_cell *x, char *buf, size_t len) {
    if (x->ncases > 1) {
        if (x->own_na) snprintf(buf, len, "%+.2f (n/a on %d)", x->own, x->own_na);
        else snprintf(buf, len, "%+.2f", x->own);
    } else if (x->own_ok) {
        snprintf(buf, len, "%+.2f", x->own);
    } else {
        snprintf(buf, len, "n/a");
    }
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
    /* The seeds: the sweep's one grid axis, so point i is seed i. */
    if (lab_sweep_add_seeds(&spec, t->seeds, t->nseeds, err, errlen)) {
        rc = LAB_BADINPUT;
        goto out;
    }
    lab_sweep_req req = {.db_path = db_path, .workers = workers, .tool_version = tool_version,
                         .kind = "compare"};
    rc = lab_sweep_drive(&spec, &req, &rows, &nrows, err, errlen);
    *sweep_id = req.id;
    if (rc != LAB_OK) goto out;
    rc = LAB_FAIL;
    if (nrows != t->ncases * t->nseeds) {
        snprintf(err, errlen, "sweep %lld: %zu runs stored, %zu expected", (long long)req.id,
                 nrows, t->ncases * t->nseeds);
        goto out;
    }
    if (st_open(db_path, &db, err, errlen)) goto out;
    for (size_t i = 0; i < nrows; i++) {
        sim_result res;
        if (st_summary_get(db, rows[i].run_id, &res, err, errlen)) goto out;
        lab_cmp_set(t, rows[i].point, rows[i].scenario, col, &res);
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
    /* Which cases draw anything at random (the others give the same run at
    ** every seed). */
    for (size_t k = 0; k < t->ncases; k++) {
        sim_scenario sc;
        if (sim_scenario_load(cases[k], split.field, split.nfield, &sc, err, errlen))
            return LAB_BADINPUT;
        t->random[k] = sim_scenario_random(&sc);
        sim_scenario_free(&sc);
    }
    int rc = LAB_OK;
    for (size_t p = 0; p < t->npolicies && rc == LAB_OK; p++)
        rc = run_column(t, p, db_path, cases, pols[p], sets, nsets, workers, tool_version,
                        &sweep_ids[p], err, errlen);
    return rc;
}
