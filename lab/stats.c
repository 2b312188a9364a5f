/*
** stats.c: means, Student's t intervals and paired comparisons over seeds
** (stats.h).
*/
#include "lab/stats.h"

#include <math.h>
#include <stdlib.h>

/* t(0.975, df) for df = 1..30, then 40, 60, 120 and infinity (the normal
** quantile 1.959964). */
static const double t_small[30] = {
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
    2.262157,  2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905,
    2.109816,  2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899,
    2.059539,  2.055529, 2.051831, 2.048407, 2.045230, 2.042272};
static const double t_df[4] = {30, 40, 60, 120};
static const double t_big[4] = {2.042272, 2.021075, 2.000298, 1.979930};

double lab_t975(size_t df) {
    if (df == 0) return NAN;
    if (df <= 30) return t_small[df - 1];
    /* Linear in 1/df between the tabulated points, and on to the normal
    ** quantile at 1/df = 0. */
    double x = 1.0 / (double)df;
    for (int i = 0; i < 3; i++)
        if ((double)df <= t_df[i + 1]) {
            double x0 = 1 / t_df[i], x1 = 1 / t_df[i + 1];
            return t_big[i] + (t_big[i + 1] - t_big[i]) * (x - x0) / (x1 - x0);
        }
    double x0 = 1 / t_df[3];
    return 1.959964 + (t_big[3] - 1.959964) * x / x0;
}

void lab_stat_of(const double *x, size_t n, lab_stat *out) {
    out->n = n;
    double sum = 0;
    out->min = out->max = n ? x[0] : NAN;
    for (size_t i = 0; i < n; i++) {
        sum += x[i];
        if (x[i] < out->min) out->min = x[i];
        if (x[i] > out->max) out->max = x[i];
    }
    out->mean = n ? sum / (double)n : NAN;
    double ss = 0;
    for (size_t i = 0; i < n; i++) ss += (x[i] - out->mean) * (x[i] - out->mean);
    out->sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    double half = n > 1 ? lab_t975(n - 1) * out->sd / sqrt((double)n) : 0;
    out->lo = out->mean - half;
    out->hi = out->mean + half;
}

void lab_paired_of(const double *a, const double *b, size_t n, double tol,
                   lab_paired *out) {
    double *d = malloc((n ? n : 1) * sizeof *d);
    out->below = out->above = 0;
    if (!d) { /* too few to say anything: no verdict */
        lab_stat_of(a, 0, &out->diff);
        out->verdict = 0;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        d[i] = a[i] - b[i];
        out->below += d[i] < -tol;
        out->above += d[i] > tol;
    }
    lab_stat_of(d, n, &out->diff);
    free(d);
    /* One seed: the sign of its difference, with no interval to lean on;
    ** the caller says that one draw was used. */
    out->verdict = out->diff.hi < -tol ? -1 : out->diff.lo > tol ? 1 : 0;
}
