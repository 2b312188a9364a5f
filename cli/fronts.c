/*
** fronts.c: the Pareto fronts of a stored sweep, as `spotbench sweep`
** prints them: one per scenario, then, with more than one scenario, one
** over the parameter sets stored on every scenario (costs summed, the
** lowest coverage). Computing only; cmd_sweep.c prints them as text or
** JSON.
*/
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* The candidates of one front, gathered before the front is taken. */
typedef struct {
    double *cost, *cov, *oracle;
    int64_t *run_id;
    const char **params;
    size_t n;
} candidates;

/* Takes the front of the candidates into f: the points no other beats on
** both cost and coverage, cheapest first (points of equal cost keep their
** order, the sweep's). */
static int take_front(const candidates *c, const char *scenario, cli_front *f,
                      char *err, size_t errlen) {
    int *on = calloc(c->n ? c->n : 1, sizeof *on);
    size_t *order = malloc((c->n ? c->n : 1) * sizeof *order);
    f->scenario = scenario;
    f->npoints = c->n;
    f->nfront = 0;
    f->point = NULL;
    if (!on || !order || lab_pareto(c->cost, c->cov, c->n, on)) goto oom;
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++)
        if (on[i]) order[k++] = i;
    /* Insertion sort by cost: fronts are short, and it is stable. */
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && c->cost[order[j]] < c->cost[order[j - 1]]; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    if (!(f->point = malloc((k ? k : 1) * sizeof *f->point))) goto oom;
    for (size_t i = 0; i < k; i++) {
        size_t x = order[i];
        f->point[i] = (cli_front_point){c->cost[x], c->cov[x], c->oracle[x],
                                        scenario ? c->run_id[x] : 0, c->params[x]};
    }
    f->nfront = k;
    free(on);
    free(order);
    return 0;
oom:
    free(on);
    free(order);
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* The runs of scenario s as candidates. */
static void scenario_candidates(const cli_fronts *fr, const double *row_oracle, size_t s,
                                candidates *c) {
    c->n = 0;
    for (size_t i = 0; i < fr->nrows; i++) {
        const st_sweep_row *r = &fr->rows[i];
        if (r->scenario != s) continue;
        c->cost[c->n] = r->cost;
        c->cov[c->n] = r->coverage;
        c->run_id[c->n] = r->run_id;
        c->oracle[c->n] = row_oracle[i];
        c->params[c->n] = r->params;
        c->n++;
    }
}

/* The parameter sets stored on every scenario as candidates, each with
** the oracle's cost summed over its runs. */
static void overall_candidates(const cli_fronts *fr, const double *row_oracle,
                               size_t nscenarios, candidates *c) {
    c->n = 0;
    for (size_t i = 0; i < fr->npsets; i++) {
        const lab_sweep_pset *p = &fr->psets[i];
        if (p->nruns != nscenarios) continue;
        c->cost[c->n] = p->cost;
        c->cov[c->n] = p->coverage;
        c->params[c->n] = p->params;
        c->oracle[c->n] = 0;
        for (size_t j = 0; j < fr->nrows; j++)
            if (fr->rows[j].point == p->point) c->oracle[c->n] += row_oracle[j];
        c->n++;
    }
}

/* Each run stores the oracle's cost on its own spot capacity. */
static int read_oracles(st_db *db, const cli_fronts *fr, double *row_oracle, char *err,
                        size_t errlen) {
    for (size_t i = 0; i < fr->nrows; i++) {
        sim_result r;
        if (st_summary_get(db, fr->rows[i].run_id, &r, err, errlen)) return -1;
        row_oracle[i] = r.oracle_cost;
    }
    return 0;
}

int cli_sweep_fronts(st_db *db, int64_t id, const lab_sweep_spec *spec, cli_fronts *out,
                     char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (st_sweep_rows(db, id, &out->rows, &out->nrows, err, errlen)) return -1;
    size_t n = out->nrows ? out->nrows : 1, nf = spec->nscenarios + 1;
    candidates c = {malloc(n * sizeof *c.cost), malloc(n * sizeof *c.cov),
                    malloc(n * sizeof *c.oracle), malloc(n * sizeof *c.run_id),
                    malloc(n * sizeof *c.params), 0};
    double *row_oracle = malloc(n * sizeof *row_oracle);
    int rc = -1;
    out->front = calloc(nf, sizeof *out->front);
    if (!c.cost || !c.cov || !c.oracle || !c.run_id || !c.params || !row_oracle ||
        !out->front ||
        lab_sweep_aggregate(out->rows, out->nrows, &out->psets, &out->npsets)) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (read_oracles(db, out, row_oracle, err, errlen)) goto done;
    for (size_t s = 0; s < spec->nscenarios; s++) {
        scenario_candidates(out, row_oracle, s, &c);
        if (take_front(&c, spec->scenarios[s], &out->front[out->nfronts++], err, errlen))
            goto done;
    }
    if (spec->nscenarios > 1) {
        overall_candidates(out, row_oracle, spec->nscenarios, &c);
        if (take_front(&c, NULL, &out->front[out->nfronts++], err, errlen)) goto done;
    }
    rc = 0;
done:
    free(c.cost);
    free(c.cov);
    free(c.oracle);
    free(c.run_id);
    free(c.params);
    free(row_oracle);
    return rc;
}

void cli_fronts_free(cli_fronts *fr) {
    for (size_t i = 0; i < fr->nfronts; i++) free(fr->front[i].point);
    free(fr->front);
    free(fr->rows);
    free(fr->psets);
    memset(fr, 0, sizeof *fr);
}
