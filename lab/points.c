/*
** points.c: a sweep's stored runs as parameter sets: each set's figures
** over the sweep's scenarios, and the ranges of a set's figures over the
** unknowns a sweep runs over (best --worst-case, sensitivity).
*/
#include "lab/sweep.h"

#include "lab/stats.h"

#include <stdio.h>
#include <stdlib.h>

int lab_sweep_aggregate(const st_sweep_row *rows, size_t n,
                       lab_sweep_pset **points, size_t *npoints) {
    *points = NULL;
    *npoints = 0;
    if (n == 0) return 0;
    lab_sweep_pset *p = malloc(n * sizeof *p);
    if (!p) return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k == 0 || p[k - 1].point != rows[i].point) {
            p[k].point = rows[i].point;
            snprintf(p[k].params, sizeof p[k].params, "%s", rows[i].params);
            p[k].nruns = 0;
            p[k].cost = 0;
            p[k].coverage = rows[i].coverage;
            k++;
        }
        lab_sweep_pset *q = &p[k - 1];
        q->nruns++;
        q->cost += rows[i].cost;
        if (rows[i].coverage < q->coverage) q->coverage = rows[i].coverage;
    }
    *points = p;
    *npoints = k;
    return 0;
}

static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts point indices by (group, point). */
typedef struct {
    size_t group, i;
} grp_ix;

static int cmp_grp(const void *a, const void *b) {
    const grp_ix *x = a, *y = b;
    if (x->group != y->group) return (x->group > y->group) - (x->group < y->group);
    return (x->i > y->i) - (x->i < y->i);
}

int lab_sweep_ranges(const lab_sweep_spec *spec, const lab_sweep_pset *pts, size_t npts,
                    const char *const *over, size_t nover, lab_sweep_range **out,
                    size_t *nout, char *err, size_t errlen) {
    *out = NULL;
    *nout = 0;
    grp_ix *gi = malloc((npts + 1) * sizeof *gi);
    double *cs = malloc((npts + 1) * sizeof *cs), *vs = malloc((npts + 1) * sizeof *vs);
    lab_sweep_range *r = malloc((npts + 1) * sizeof *r);
    int rc = -1;
    if (!gi || !cs || !vs || !r) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    size_t m = 0;
    for (size_t i = 0; i < npts; i++) {
        if (pts[i].nruns != spec->nscenarios) continue; /* incomplete */
        gi[m].i = i;
        if (lab_sweep_group(spec, over, nover, pts[i].point, &gi[m].group, err, errlen))
            goto out;
        m++;
    }
    qsort(gi, m, sizeof *gi, cmp_grp);
    size_t n = 0;
    for (size_t a = 0, b; a < m; a = b) {
        lab_sweep_range *g = &r[n++];
        size_t k = 0;
        g->group = gi[a].group;
        g->worst_cost_point = g->worst_cov_point = pts[gi[a].i].point;
        double wc = -1, wv = 1e300;
        for (b = a; b < m && gi[b].group == gi[a].group; b++) {
            const lab_sweep_pset *q = &pts[gi[b].i];
            cs[k] = q->cost;
            vs[k] = q->coverage;
            k++;
            if (q->cost > wc) {
                wc = q->cost;
                g->worst_cost_point = q->point;
            }
            if (q->coverage < wv) {
                wv = q->coverage;
                g->worst_cov_point = q->point;
            }
        }
        lab_stat st;
        lab_stat_of(cs, k, &st);
        g->cost_mean = st.mean;
        g->cost_lo = st.lo;
        g->cost_hi = st.hi;
        qsort(cs, k, sizeof *cs, cmp_dbl);
        qsort(vs, k, sizeof *vs, cmp_dbl);
        g->npoints = k;
        g->cost_min = cs[0];
        g->cost_median = cs[(k - 1) / 2];
        g->cost_max = cs[k - 1];
        g->cov_min = vs[0];
        g->cov_median = vs[(k - 1) / 2];
        g->cov_max = vs[k - 1];
    }
    *out = r;
    *nout = n;
    r = NULL;
    rc = 0;
out:
    free(gi);
    free(cs);
    free(vs);
    free(r);
    return rc;
}
