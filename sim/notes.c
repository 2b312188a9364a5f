/*
** notes.c: what a reader of a run's figures must be told beside them: why a
** run saw no spot interruption at all, when a policy held on missing data
** in a material share of its invocations (its figures then say that much
** less about it), when the span ran beyond the traces on held values, and
** how to read a cost below the oracle's bound. The thresholds are in
** docs/overview.md ("Notes").
*/
#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* AWS's Spot pricing change (re:Invent, 2017-11-28): since, prices move
** slowly and rarely reach the on-demand price; before, outages were prices
** above the max price. */
#define PRICING_CHANGE 1511827200LL

/* A held share this large is material: one invocation in a hundred. */
#define HELD_NOTE_PCT 1.0

/* The highest spot price of pool p within the run's span, relative to the
** pool's max price per instance. */
static double peak_ratio(const sim_scenario *sc, size_t p) {
    const sim_pool *pl = &sc->pools[p];
    const sim_steps *st = &pl->price;
    double peak = 0;
    for (size_t i = 0; i < st->n && st->pts[i].t < sc->end; i++) { /* in time order */
        int64_t to = i + 1 < st->n ? st->pts[i + 1].t : INT64_MAX;
        if (to > sc->start && st->pts[i].v > peak) peak = st->pts[i].v;
    }
    /* Before the first point its value holds. */
    if (st->n && st->pts[0].t > sc->start && st->pts[0].v > peak) peak = st->pts[0].v;
    return peak / (pl->max_price * pl->weight);
}

/* "3.5 h" or "2.0 days". */
static void span_text(int64_t s, char *buf, size_t n) {
    if (s < 2 * 86400) snprintf(buf, n, "%.1f h", (double)s / 3600);
    else snprintf(buf, n, "%.1f days", (double)s / 86400);
}

int sim_notes(const sim_scenario *sc, const pol_policy *pol, const sim_result *r,
              sim_note *out, int max) {
    int n = 0;
#define NOTE(k, w, ...)                                                             \
    (n < max ? (void)(out[n].kind = (k), out[n].weight = (w),                       \
                      snprintf(out[n].text, sizeof out[0].text, __VA_ARGS__), n++)  \
             : (void)0)
    if (sc->mode == SIM_MODEL && r->interruptions == 0) {
        size_t top = 0;
        double top_ratio = sc->npools ? peak_ratio(sc, 0) : 0;
        for (size_t p = 1; p < sc->npools; p++) {
            double r = peak_ratio(sc, p);
            if (r > top_ratio) {
                top = p;
                top_ratio = r;
            }
        }
        int avail = 0;
        for (size_t p = 0; p < sc->npools; p++) avail |= sc->pools[p].avail.n > 0;
        /* The pricing regime is the span's: before the change, outages were
        ** prices, and this span's never reached a max price. */
        const char *regime =
            sc->end > PRICING_CHANGE
                ? "Since AWS's November 2017 pricing change prices rarely reach the "
                  "on-demand price: outages come from capacity. "
                : "";
        NOTE(SIM_NOTE_QUIET, 1,
             "no spot interruption in this run: no pool's price reached its max "
             "price (the highest came to %.0f %% of it, %s in %s), %s. %sAdd a "
             "\"market\" section or a traces.events file (docs/scenario.md) to model "
             "capacity outages.",
             100 * top_ratio, sc->pools[top].instance_type, sc->pools[top].az,
             sc->market.on || sc->nevents || avail
                 ? "and its capacity events and capacity trace took no instance"
                 : "and the scenario has no capacity events (no market section, "
                   "no traces.events, no availability trace)",
             regime);
    }
    if (pol->reads_events && !(sc->mode == SIM_MODEL && sc->ev_on) &&
        !(sc->mode == SIM_DIRECT && sc->d_events_on))
        NOTE(SIM_NOTE_BLIND, 1,
             "%s reads interruption warnings (EventBridge events) and this run had none "
             "(%s): it saw a lost instance only once the metrics showed it, later and "
             "worse than with them.",
             pol->name,
             sc->mode == SIM_DIRECT ? "a replay of recorded metrics carries no events"
                                    : "eventbridge.Enabled is false");
    if (r->no_launch_failures)
        NOTE(SIM_NOTE_NO_LAUNCH_FAILURES, 1,
             "%s reads failed spot launches (a spot group's scaling activities) and this "
             "run had none (%s): it decided as without them.",
             pol->name,
             sc->mode == SIM_DIRECT ? "a replay of recorded metrics carries no activities"
                                    : "a Spot Fleet records no such activity here");
    if (!pol->simulation_only && r->invocations > 0 && r->holds > 0 &&
        100.0 * r->holds >= HELD_NOTE_PCT * r->invocations)
        NOTE(SIM_NOTE_HELD, (double)r->holds / r->invocations,
             "%s held on missing or stale data in %.1f %% of its %d invocations: "
             "its figures say that much less about it. Check that its windows fit the "
             "data (CloudWatch IngestionDelay, MissingProbability, the metrics' "
             "Period, what the traces cover).",
             pol->name, 100.0 * r->holds / r->invocations, r->invocations);
    if (sc->extend) {
        /* Any part of the span beyond the traces: the scenario asked for it,
        ** the reader must still be told. */
        int64_t from, to, before = 0, after = 0, held = 0;
        sim_scenario_covered(sc, &from, &to);
        if (sc->start < from) {
            before = from - sc->start;
            held += (from < sc->end ? from : sc->end) - sc->start;
        }
        if (sc->end > to) {
            after = sc->end - to;
            held += sc->end - (to > sc->start ? to : sc->start);
        }
        /* A span begins before any trace; only the prices (or the
        ** recorded metrics) bound its end. */
        int direct = sc->mode == SIM_DIRECT;
        const char *first = direct ? "direct.metrics covers" : "the traces cover";
        const char *last = direct ? "direct.metrics covers" : "traces.prices covers";
        const char *ext = direct ? "direct.Extend" : "traces.Extend";
        char b[32], a[32];
        span_text(before, b, sizeof b);
        span_text(after, a, sizeof a);
        double w = (double)held / (double)(sc->end - sc->start); /* share held */
        if (before > 0 && after > 0)
            NOTE(SIM_NOTE_EXTENDED, w,
                 "the span begins %s before what %s and ends %s after what %s: with %s "
                 "the first values were held before and the last after, which nothing "
                 "recorded.", b, first, a, last, ext);
        else if (before > 0)
            NOTE(SIM_NOTE_EXTENDED, w,
                 "the span begins %s before what %s: with %s their first values were held "
                 "there, which nothing recorded.", b, first, ext);
        else if (after > 0)
            NOTE(SIM_NOTE_EXTENDED, w,
                 "the span ends %s after what %s: with %s its last values were held "
                 "there, which nothing recorded.", a, last, ext);
    }
    if (r->total_cost < r->oracle_cost - 0.005) {
        if (r->coverage_pct < 100 - 1e-6)
            /* Truncated, as the tables print it: never "only 100.000 %". */
            NOTE(SIM_NOTE_BELOW, 100 - r->coverage_pct,
                 "%s costs less than the oracle's bound because it covers only "
                 "%.3f %% of the required capacity: the bound is the cost of the "
                 "best coverage the group allows, so no gap to it is given.",
                 pol->name, floor(r->coverage_pct * 1000) / 1000);
        else
            NOTE(SIM_NOTE_BUG, 1,
                 "BUG: %s covered everything for less than the oracle's bound "
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
