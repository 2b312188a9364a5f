/*
** notes.c: what a reader of a run's figures must be told beside them: why a
** run saw no spot interruption at all, when a policy spent most of a run
** holding on missing data (its figures then say little about it), and how
** to read a cost below the oracle's bound.
*/
#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The highest spot price of pool p within the run's span, relative to the
** pool's max price per instance. */
static double peak_ratio(const sim_scenario *sc, size_t p) {
    const sim_pool *pl = &sc->pools[p];
    const sim_steps *st = &pl->price;
    double peak = 0;
    for (size_t i = 0; i < st->n; i++) {
        int64_t from = st->pts[i].t, to = i + 1 < st->n ? st->pts[i + 1].t : INT64_MAX;
        if (to <= sc->start || from >= sc->end) continue;
        if (st->pts[i].v > peak) peak = st->pts[i].v;
    }
    /* Before the first point its value holds. */
    if (st->n && st->pts[0].t > sc->start && st->pts[0].v > peak) peak = st->pts[0].v;
    return peak / (pl->max_price * pl->weight);
}

int sim_notes(const sim_scenario *sc, const pol_policy *pol, const sim_result *r,
              sim_note *out, int max) {
    int n = 0;
#define NOTE(...)                                                                   \
    (n < max ? (void)snprintf(out[n++].text, sizeof out[0].text, __VA_ARGS__) : (void)0)
    if (sc->mode == SIM_MODEL && r->interruptions == 0) {
        size_t top = 0;
        for (size_t p = 1; p < sc->npools; p++)
            if (peak_ratio(sc, p) > peak_ratio(sc, top)) top = p;
        int avail = 0;
        for (size_t p = 0; p < sc->npools; p++) avail |= sc->pools[p].avail.n > 0;
        NOTE("no spot interruption in this run: no pool's price reached its max "
             "price (the highest came to %.0f %% of it, %s in %s), %s. Since "
             "AWS's 2017 pricing change prices rarely reach the on-demand price: "
             "outages come from capacity. Add a \"market\" section or a "
             "traces.events file (docs/scenario.md) to model them.",
             100 * peak_ratio(sc, top), sc->pools[top].instance_type, sc->pools[top].az,
             sc->market.on || sc->nevents || avail
                 ? "and its capacity events and capacity trace took no instance"
                 : "and the scenario has no capacity events (no market section, "
                   "no traces.events, no availability trace)");
    }
    if (!pol->simulation_only && r->invocations > 0 && r->holds * 2 > r->invocations)
        NOTE("%s held on missing or stale data in %.1f %% of its %d invocations: "
             "its figures say little about it. Check that its windows fit the "
             "data (CloudWatch IngestionDelay, MissingProbability, the metrics' "
             "Period).",
             pol->name, 100.0 * r->holds / r->invocations, r->invocations);
    if (r->total_cost < r->oracle_cost - 0.005) {
        if (r->coverage_pct < 100 - 1e-6)
            NOTE("%s costs less than the oracle's bound because it covers only "
                 "%.3f %% of the required capacity: the bound is the cost of the "
                 "best coverage the group allows, so no gap to it is given.",
                 pol->name, r->coverage_pct);
        else
            NOTE("BUG: %s covered everything for less than the oracle's bound "
                 "($%.2f < $%.2f); please report this scenario.",
                 pol->name, r->total_cost, r->oracle_cost);
    }
#undef NOTE
    return n;
}

void sim_gap_format(double total, double oracle, double coverage, char *buf,
                    size_t len) {
    if (total >= oracle - 0.005)
        snprintf(buf, len, "%+.2f", total > oracle ? total - oracle : 0.0);
    else if (coverage < 100 - 1e-6)
    {
        /* Truncated, never rounded up: 99.9999 must not read as 100. More
        ** digits near 100, where one would say nothing. */
        int d = coverage >= 99.9 ? 3 : 1;
        double scale = d == 3 ? 1000 : 10;
        snprintf(buf, len, "n/a (covers %.*f %%)", d, floor(coverage * scale) / scale);
    }
    else
        snprintf(buf, len, "n/a (BUG)");
}
