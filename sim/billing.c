/*
** billing.c: what AWS charges for one instance's run, written once for the
** accounting (account.c) and the oracle's bound (bound.c).
**
** Per-second billing (Linux and Windows since 2 October 2017): the seconds
** the instance ran, with a 60-second minimum. Per-hour billing (before that,
** and SUSE still): each started instance-hour; spot at the price in force
** when the hour began.
**
** AWS's "Billing for interrupted Spot Instances" table, which both follow:
** a spot instance interrupted BY EC2 in its first hour is not charged at
** all; after the first hour it is charged the seconds used (per-second), or
** the full hours used with no charge for the interrupted partial hour
** (per-hour). An instance stopped or terminated by its owner (or by the
** fleet scaling in, or by the run's end) is charged the seconds used
** (per-second) or every started hour, the partial one included (per-hour).
**
** The instances running when a simulation starts have been running for a
** while already (the steady state the run starts from): their first hour
** lies before the run, so an interruption is never "in the first hour" for
** them, and only the time within the run is billed.
**
** Per-second spot charges are exact: the integral of the price over the
** run is summed in fixed point (128-bit integers, 2^-80 USD-second steps),
** where every price from 2^-27 (7.5e-9) up to 4096 USD per instance-hour is
** a whole number, and rounded to a double once. So a charge does not depend
** on how many price steps the instance lived through nor on where the sum
** started, which is what lets a run bill from running sums (sim_stepsum,
** one every SUM_STRIDE price steps, built once per run) instead of walking
** every step of every instance's life: the walk and the running sums give
** the same bits. A trace with a price of 4096 USD per instance-hour or more
** is summed step by step in doubles, as it was before.
*/
#include "sim_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef sim_fx u128;

/* Fixed point: a price times 2^SUM_FRAC. Prices below 2^SUM_MAX_EXP keep a
** step's value times a duration below 2^34 s (544 years) under 2^126. */
#define SUM_FRAC 80
#define SUM_MAX_EXP 12
#define SUM_STRIDE 16

struct sim_stepsum {
    u128 *at; /* at[k]: the integral from pts[0].t to pts[k * SUM_STRIDE].t */
    size_t n;
    int exact; /* every price of the trace fits the fixed point */
};

/* Index of the step in force at t: the last point with pts[i].t <= t, or 0
** when t is before the first (whose value then holds). */
static size_t step_index(const sim_steps *st, int64_t t) {
    size_t lo = 0, hi = st->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->pts[mid].t <= t) lo = mid + 1;
        else hi = mid;
    }
    return lo ? lo - 1 : 0;
}

double sim_steps_at(const sim_steps *st, int64_t t) {
    return st->n ? st->pts[step_index(st, t)].v : 0;
}

/* The integral of a step function over [a, b), in value-seconds, summed in
** doubles step by step: prices too large for the fixed point. */
static double steps_integral(const sim_steps *st, int64_t a, int64_t b) {
    double sum = 0;
    size_t i = step_index(st, a);
    int64_t t = a;
    while (t < b) {
        int64_t next = (i + 1 < st->n && st->pts[i + 1].t < b) ? st->pts[i + 1].t : b;
        if (next > t) sum += st->pts[i].v * (double)(next - t);
        t = next;
        i++;
    }
    return sum;
}

/* ---- fixed point ---------------------------------------------------------- */

static int fits(double v) { return v >= 0 && v < (double)(1 << SUM_MAX_EXP); }

/* v * 2^SUM_FRAC for 0 <= v < 2^SUM_MAX_EXP: exact from 2^-27 up; smaller
** values round to the nearest step (ties to even). */
static u128 to_fixed(double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int e = (int)(bits >> 52 & 0x7ff);
    uint64_t m = bits & ((1ULL << 52) - 1);
    if (e == 0) return 0; /* zero or subnormal: far below one step */
    m |= 1ULL << 52;
    int shift = e - 1075 + SUM_FRAC; /* v = m * 2^(e - 1075) */
    if (shift >= 0) return (u128)m << shift;
    if (shift < -53) return 0;
    uint64_t q = m >> -shift, rem = m & ((1ULL << -shift) - 1), half = 1ULL << (-shift - 1);
    return q + (rem > half || (rem == half && (q & 1)));
}

/* x * 2^-SUM_FRAC, correctly rounded (to nearest, ties to even). */
static double from_fixed(u128 x) {
    uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;
    int len = hi ? 128 - __builtin_clzll(hi) : lo ? 64 - __builtin_clzll(lo) : 0;
    if (len <= 53) return ldexp((double)(uint64_t)x, -SUM_FRAC);
    int sh = len - 53;
    uint64_t m = (uint64_t)(x >> sh);
    u128 rem = x & (((u128)1 << sh) - 1), half = (u128)1 << (sh - 1);
    if (rem > half || (rem == half && (m & 1))) m++;
    return ldexp((double)m, sh - SUM_FRAC);
}

/* The fixed-point integral of steps i..j-1 (each to the next point). */
static u128 walk(const sim_steps *st, size_t i, size_t j) {
    u128 sum = 0;
    for (; i < j; i++)
        sum += to_fixed(st->pts[i].v) * (uint64_t)(st->pts[i + 1].t - st->pts[i].t);
    return sum;
}

/* The fixed-point integral from pts[0].t to t >= pts[0].t. */
static u128 running(const sim_steps *st, const sim_stepsum *sum, int64_t t) {
    size_t i = step_index(st, t), k = 0;
    u128 base = 0;
    if (sum) {
        k = i / SUM_STRIDE * SUM_STRIDE;
        base = sum->at[i / SUM_STRIDE];
    }
    return base + walk(st, k, i) + to_fixed(st->pts[i].v) * (uint64_t)(t - st->pts[i].t);
}

/* The exact integral over [a, b), a <= b; before the first point the first
** value holds. */
static u128 integral_fixed(const sim_steps *st, const sim_stepsum *sum, int64_t a,
                           int64_t b) {
    int64_t t0 = st->pts[0].t;
    u128 x = 0;
    if (a < t0) {
        x = to_fixed(st->pts[0].v) * (uint64_t)((b < t0 ? b : t0) - a);
        a = t0;
    }
    if (b > a) x += running(st, sum, b) - running(st, sum, a);
    return x;
}

/* Whether the prices in force from a to b (both included) fit the fixed
** point. */
static int range_fits(const sim_steps *st, int64_t a, int64_t b) {
    size_t i = step_index(st, a);
    if (!fits(st->pts[i].v)) return 0;
    for (i++; i < st->n && st->pts[i].t <= b; i++)
        if (!fits(st->pts[i].v)) return 0;
    return 1;
}

int sim_stepsum_build(const sim_steps *st, sim_stepsum **out) {
    *out = NULL;
    sim_stepsum *sum = calloc(1, sizeof *sum);
    if (!sum) return -1;
    sum->exact = 1;
    for (size_t i = 0; i < st->n; i++)
        if (!fits(st->pts[i].v)) sum->exact = 0;
    if (sum->exact && st->n) {
        sum->n = (st->n - 1) / SUM_STRIDE + 1;
        sum->at = malloc(sum->n * sizeof *sum->at);
        if (!sum->at) {
            free(sum);
            return -1;
        }
        u128 x = 0;
        for (size_t k = 0; k < sum->n; k++) {
            if (k) x += walk(st, (k - 1) * SUM_STRIDE, k * SUM_STRIDE);
            sum->at[k] = x;
        }
    }
    *out = sum;
    return 0;
}

void sim_stepsum_free(sim_stepsum *sum) {
    if (!sum) return;
    free(sum->at);
    free(sum);
}

sim_fx sim_fx_of(double v) { return to_fixed(v); }

int sim_stepsum_exact(const sim_stepsum *sum) { return sum->exact; }

double sim_charge_fixed(const sim_steps *price, sim_fx integral, int64_t run_t,
                        int64_t end_t) {
    int64_t dur = end_t - run_t;
    if (dur < 0) dur = 0;
    if (dur < 60) integral += to_fixed(sim_steps_at(price, end_t)) * (uint64_t)(60 - dur);
    return from_fixed(integral) / 3600;
}

double sim_charge(sim_billing billing, const sim_steps *price, const sim_stepsum *sum,
                  double od_price, int64_t run_t, int64_t end_t, int by_ec2,
                  int new_at_run_t) {
    int64_t dur = end_t - run_t;
    if (dur < 0) dur = 0;
    int spot = price != NULL;
    if (spot && by_ec2 && new_at_run_t && dur < 3600) return 0; /* first hour */
    if (billing == SIM_PER_SECOND) {
        double cost;
        if (spot && (sum ? sum->exact : range_fits(price, run_t, end_t))) {
            u128 x = end_t > run_t ? integral_fixed(price, sum, run_t, end_t) : 0;
            return sim_charge_fixed(price, x, run_t, end_t);
        } else if (spot) {
            cost = steps_integral(price, run_t, end_t);
            if (dur < 60) cost += (double)(60 - dur) * sim_steps_at(price, end_t);
        } else {
            cost = (double)(dur < 60 ? 60 : dur) * od_price;
        }
        return cost / 3600;
    }
    int64_t hours = (dur + 3599) / 3600;
    if (spot && by_ec2) hours = dur / 3600; /* the partial hour is free */
    if (!spot) return (double)hours * od_price;
    double cost = 0;
    for (int64_t k = 0; k < hours; k++) cost += sim_steps_at(price, run_t + k * 3600);
    return cost;
}
