/*
** stats.h: figures over replications (seeds): the mean with its 95 %
** confidence interval, the extremes, and a paired comparison of two
** policies run on the same seeds (common random numbers: the same seed
** gives both the same spot side, so their difference is paired).
**
** The interval is Student's t interval of the mean, mean +- t(0.975, n-1)
** * s / sqrt(n), with s the sample standard deviation (n - 1 in the
** divisor); t is exact to 6 digits for n - 1 <= 30 and interpolated in
** 1/(n - 1) beyond (within 2e-4 of the exact value). One replication has no
** interval: lo = hi = the value, and `n == 1` says so.
*/
#ifndef SPOTBENCH_LAB_STATS_H
#define SPOTBENCH_LAB_STATS_H

#include <stddef.h>

typedef struct {
    size_t n;
    double mean, lo, hi;  /* 95 % confidence interval of the mean */
    double sd;            /* sample standard deviation (0 for n == 1) */
    double min, max;
} lab_stat;

/* The figures of x[0..n) (n >= 1). */
void lab_stat_of(const double *x, size_t n, lab_stat *out);

/* Student's t quantile for probability 0.975 with `df` degrees of freedom
** (df >= 1). */
double lab_t975(size_t df);

/* A over B on the same seeds: d[i] = a[i] - b[i]. */
typedef struct {
    lab_stat diff;        /* of a - b */
    size_t below, above;  /* seeds where a < b - tol, a > b + tol */
    int verdict;          /* -1: a lower (the interval below -tol), +1: a
                             higher, 0: not distinguishable */
} lab_paired;

/* Compares a and b (n seeds each) with a tolerance below which a
** difference is no difference (half a cent for costs). */
void lab_paired_of(const double *a, const double *b, size_t n, double tol,
                   lab_paired *out);

#endif
