/*
** billing.c: what AWS charges for one instance's run, written once for the
** accounting (account.c) and the oracle (oracle.c).
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
*/
#include "sim_int.h"

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

/* The integral of a step function over [a, b), in value-seconds. */
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

double sim_charge(sim_billing billing, const sim_steps *price, double od_price,
                  int64_t run_t, int64_t end_t, int by_ec2, int new_at_run_t) {
    int64_t dur = end_t - run_t;
    if (dur < 0) dur = 0;
    int spot = price != NULL;
    if (spot && by_ec2 && new_at_run_t && dur < 3600) return 0; /* first hour */
    if (billing == SIM_PER_SECOND) {
        double cost;
        if (spot) {
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
