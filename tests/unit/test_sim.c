/*
** test_sim.c: the simulator on hand-built scenarios whose outcomes are
** worked out by hand in the comments. All scenarios start at T0 (a whole
** minute), CloudWatch has no ingestion delay unless said, the controller runs
** every minute at second 0, launches and registrations take fixed times.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim_fixture.h"

#define NEAR(a, b) assert_true(fabs_((a) - (b)) < 1e-9)

static double fabs_(double x) { return x < 0 ? -x : x; }

/* A sink that keeps the samples and decisions it is given. */
typedef struct {
    sim_minute_rec min[400];
    size_t nmin;
    sim_decision_rec dec[400];
    size_t ndec;
} keep;

static int keep_minute(void *ctx, const sim_minute_rec *r) {
    keep *k = ctx;
    if (k->nmin < 400) k->min[k->nmin++] = *r;
    return 0;
}

static int keep_decision(void *ctx, const sim_decision_rec *r) {
    keep *k = ctx;
    if (r->d.action == POL_ACT_SET && k->ndec < 400) {
        k->dec[k->ndec] = *r;
        k->dec[k->ndec].error = NULL; /* borrowed; not kept */
        k->ndec++;
    }
    return 0;
}

static const sim_minute_rec *sample_at(const keep *k, int64_t at) {
    for (size_t i = 0; i < k->nmin; i++)
        if (k->min[i].t == T0 + at) return &k->min[i];
    fail_msg("no sample at T0+%lld", (long long)at);
    return NULL;
}

static sim_result run(const fx *f, const char *policy, keep *k) {
    const pol_policy *pol = pol_find(policy);
    pol_params p;
    pol_params_default(pol, &p);
    sim_sink sink = {k, keep_decision, keep_minute, 1, 0, 0};
    sim_result r;
    char err[256];
    if (sim_run(&f->sc, pol, &p, k ? &sink : NULL, &r, err, sizeof err))
        fail_msg("sim_run: %s", err);
    return r;
}

/* Two pools, 6 hours; both outbid at +3600 for 3 hours: notices then,
** terminations at +3720, new spot serving at +14550. */
static void fx_outage_3h(fx *f) {
    fx_model(f, 2, 0.1, 6);
    for (size_t p = 0; p < 2; p++) {
        fx_price(f, p, 3600, 1.0);
        fx_price(f, p, 3600 + 10800, 0.1);
    }
}

/* Two pools, 3 hours, per-hour billing; both outbid twice, 5 minutes each
** (+3600 and +4500): spot short over [3720, 4050) and [4620, 4950). */
static void fx_two_outages_per_hour(fx *f) {
    fx_model(f, 2, 0.1, 3);
    f->sc.billing = SIM_PER_HOUR;
    for (size_t p = 0; p < 2; p++) {
        fx_price(f, p, 3600, 1.0);
        fx_price(f, p, 3900, 0.1);
        fx_price(f, p, 4500, 1.0);
        fx_price(f, p, 4800, 0.1);
    }
}

static void constant_prices_no_interruptions(void **st) {
    (void)st;
    static fx f;
    fx_model(&f, 1, 0.1, 10);
    sim_result r = run(&f, "classic", NULL);
    /* 8 instances of 4 units at 0.1 USD/h for 10 h: 8 * 0.1 * 10 = 8 USD. */
    NEAR(r.spot_cost, 8.0);
    NEAR(r.od_cost, 0);
    NEAR(r.coverage_pct, 100);
    NEAR(r.shortfall_unit_hours, 0);
    NEAR(r.spot_instance_hours, 80);
    /* all on demand: 32 units * 10 h * 0.2/4 USD per unit-hour = 16 USD */
    NEAR(r.all_od_cost, 16);
    NEAR(r.pct_of_all_od, 50);
    assert_int_equal(r.invocations, 600);
    assert_int_equal(r.set_calls, 0);
    assert_int_equal(r.interruptions, 0);
    assert_int_equal(r.spot_launches, 0);
    assert_int_equal(r.shortfalls, 0);
}

/* The notes of a run at their thresholds (docs/overview.md, "Notes"). */
static const sim_note *note_of(const sim_note *n, int k, sim_note_kind kind) {
    for (int i = 0; i < k; i++)
        if (n[i].kind == kind) return &n[i];
    return NULL;
}

static void notes_at_their_thresholds(void **st) {
    (void)st;
    static fx f;
    fx_model(&f, 1, 0.1, 24);
    const pol_policy *g = pol_find("guarded");
    sim_result r = run(&f, "guarded", NULL);
    sim_note n[8];
    int k = sim_notes(&f.sc, g, &r, n, 8);
    /* No interruption; a 2017-03 span is before AWS's pricing change, which
    ** is not named. */
    const sim_note *q = note_of(n, k, SIM_NOTE_QUIET);
    assert_non_null(q);
    assert_null(strstr(q->text, "2017"));
    assert_null(note_of(n, k, SIM_NOTE_HELD));
    /* After the change, it is. */
    f.sc.start += 365 * 86400LL;
    f.sc.end += 365 * 86400LL;
    k = sim_notes(&f.sc, g, &r, n, 8);
    assert_non_null(strstr(note_of(n, k, SIM_NOTE_QUIET)->text,
                           "Since AWS's November 2017 pricing change"));
    f.sc.start -= 365 * 86400LL;
    f.sc.end -= 365 * 86400LL;

    /* Held: 14 of 1440 invocations (0.97 %) is no note, 15 (1.04 %) is. */
    assert_int_equal(r.invocations, 1440);
    r.holds = 14;
    k = sim_notes(&f.sc, g, &r, n, 8);
    assert_null(note_of(n, k, SIM_NOTE_HELD));
    r.holds = 15;
    k = sim_notes(&f.sc, g, &r, n, 8);
    const sim_note *h = note_of(n, k, SIM_NOTE_HELD);
    assert_non_null(h);
    assert_string_equal(h->text, "guarded held on missing or stale data in 1.0 % of its 1440 "
                                 "invocations: its figures say that much less about it. Check "
                                 "that its windows fit the data (CloudWatch IngestionDelay, "
                                 "MissingProbability, the metrics' Period, what the traces "
                                 "cover).");
    assert_true(h->weight == 15.0 / 1440);

    /* A span beyond the traces, asked for: a day past the price's last row
    ** is covered, the rest is said. */
    f.sc.end = T0 + 3 * 86400LL;
    k = sim_notes(&f.sc, g, &r, n, 8);
    assert_null(note_of(n, k, SIM_NOTE_EXTENDED)); /* not extended: cannot be */
    f.sc.extend = 1;
    k = sim_notes(&f.sc, g, &r, n, 8);
    const sim_note *e = note_of(n, k, SIM_NOTE_EXTENDED);
    assert_non_null(e);
    assert_string_equal(e->text, "the span ends 2.0 days after what traces.prices covers: with "
                                 "traces.Extend its last values were held there, which nothing "
                                 "recorded.");
    f.sc.start = T0 - 7200;
    k = sim_notes(&f.sc, g, &r, n, 8);
    assert_string_equal(note_of(n, k, SIM_NOTE_EXTENDED)->text,
                        "the span begins 2.0 h before what the traces cover and ends 2.0 days "
                        "after what traces.prices covers: with traces.Extend the first values "
                        "were held before and the last after, which nothing recorded.");
}

static void one_pool_outbid(void **st) {
    (void)st;
    static fx f;
    static keep k;
    memset(&k, 0, sizeof k);
    fx_model(&f, 2, 0.1, 3);
    f.price[1][0].v = 0.12;    /* pool b at 0.12 */
    fx_price(&f, 0, 3600, 0.5); /* pool a outbid (0.5 > 0.2) for an hour */
    fx_price(&f, 0, 7200, 0.1);
    sim_result r = run(&f, "classic", &k);
    /* Diversified: 4 instances in each pool. At T0+3600 pool a's 4 get a
    ** notice (still fulfilled) and the fleet launches 4 in pool b; at +3720
    ** a's end and b's new ones run (same second: no pending datapoint); b's
    ** register at +3750: 16 units short for 30 s. TerminatingCapacity, as
    ** AWS defines it (capacity terminated because the fleet holds more than
    ** its target), stays 0 throughout: an interruption is not that, and the
    ** target never dropped. */
    assert_int_equal(r.interruptions, 4);
    assert_int_equal(r.spot_launches, 4);
    NEAR(sample_at(&k, 3600)->terminating, 0);
    NEAR(sample_at(&k, 3660)->terminating, 0);
    NEAR(sample_at(&k, 3720)->terminating, 0);
    NEAR(sample_at(&k, 3660)->fulfilled, 32);
    NEAR(sample_at(&k, 3660)->spot_units, 32);
    NEAR(sample_at(&k, 3780)->terminating, 0);
    NEAR(sample_at(&k, 3780)->fulfilled, 32);
    NEAR(sample_at(&k, 3780)->pending, 0);
    NEAR(r.shortfall_unit_hours, 16 * 30 / 3600.0);
    assert_int_equal(r.longest_shortfall_s, 30);
    assert_int_equal(r.shortfalls, 1);
    assert_int_equal(r.uncovered_shortfalls, 1);
    assert_int_equal(r.set_calls, 0); /* classic never saw a shortfall */
    /* Spot cost: a's 4 ran [0, 3720): (0.1*3600 + 0.5*120)/3600 each;
    ** b's first 4 the whole 3 h at 0.12; b's new 4 from 3720 to 10800. */
    double want = 4 * (0.1 * 3600 + 0.5 * 120) / 3600 + 4 * 0.12 * 3 +
                  4 * 0.12 * (10800 - 3720) / 3600.0;
    NEAR(r.spot_cost, want);
}

static void all_pools_outbid_3h_classic(void **st) {
    (void)st;
    static fx f;
    static keep k;
    memset(&k, 0, sizeof k);
    fx_outage_3h(&f);
    sim_result r = run(&f, "classic", &k);
    /* +3600 notices; +3720 terminations: pending 32 in the period starting
    ** +3720, visible at +3780: classic sets (int)(32/4 + 0.999999) = 8
    ** ignoring the cooldown; InService +3840, registered +3870. */
    assert_true(k.ndec >= 2);
    assert_int_equal(k.dec[0].t, T0 + 3780);
    assert_int_equal(k.dec[0].d.desired, 8);
    assert_int_equal(k.dec[0].d.honor_cooldown, 0);
    assert_int_equal(k.dec[0].accepted, 1);
    /* Samples show the state at the start of their second. */
    assert_int_equal(sample_at(&k, 3840)->od_desired, 8);
    assert_int_equal(sample_at(&k, 3840)->od_in_service, 0);
    assert_int_equal(sample_at(&k, 3900)->od_in_service, 8);
    NEAR(sample_at(&k, 3900)->od_units, 32);
    /* Recovery at +14400: 8 launched, running +14520, registered +14550.
    ** The +14520 period shows pending 0 at +14580: scale in to 0 honouring
    ** the cooldown, which ended at 3840 + 2700 = 6540: accepted. */
    assert_int_equal(k.ndec, 2);
    assert_int_equal(k.dec[1].t, T0 + 14580);
    assert_int_equal(k.dec[1].d.desired, 0);
    assert_int_equal(k.dec[1].d.honor_cooldown, 1);
    assert_int_equal(k.dec[1].accepted, 1);
    assert_int_equal(r.set_calls, 2);
    assert_int_equal(r.set_rejected, 0);
    assert_int_equal(r.od_launches, 8);
    assert_int_equal(r.interruptions, 8);
    /* 8 on-demand instances ran 3840 -> 14580 = 10740 s. */
    NEAR(r.od_instance_hours, 8 * 10740 / 3600.0);
    NEAR(r.od_cost, 8 * 10740 * 0.2 / 3600);
    /* Short 32 units from 3720 to 3870. */
    NEAR(r.shortfall_unit_hours, 32 * 150 / 3600.0);
    NEAR(r.coverage_pct, 100.0 * (32 * 21600 - 32 * 150) / (32 * 21600));
    assert_int_equal(r.longest_shortfall_s, 150);
    NEAR(r.minutes_below_target, 2.5);
    assert_int_equal(r.shortfalls, 1);
    assert_int_equal(r.uncovered_shortfalls, 0);
    assert_int_equal(r.fallback_latency_median_s, 150);
    assert_int_equal(r.fallback_latency_max_s, 150);
    /* Spot registered again at 14550; the group released at 14580. */
    assert_int_equal(r.return_delay_median_s, 30);
    NEAR(r.od_hours_after_recovery, 8 * 30 / 3600.0);
    assert_int_equal(r.flaps, 0);
    /* Spot: the first 8 ran [0, 3720) at 0.1 then 1.0 during the notice;
    ** the next 8 ran [14520, 21600) at 0.1. */
    NEAR(r.spot_cost, 8 * (0.1 * 3600 + 1.0 * 120) / 3600 + 8 * 0.1 * 7080 / 3600);
}

/* A 20-minute outage, shorter than the 45-minute cooldown. */
static void short_outage(fx *f, sim_billing billing) {
    fx_model(f, 2, 0.1, 3);
    f->sc.billing = billing;
    for (size_t p = 0; p < 2; p++) {
        fx_price(f, p, 3600, 1.0);
        fx_price(f, p, 4800, 0.1);
    }
}

static void scale_in_rejected_until_cooldown_ends(void **st) {
    (void)st;
    static fx f;
    static keep k;
    memset(&k, 0, sizeof k);
    short_outage(&f, SIM_PER_SECOND);
    sim_result r = run(&f, "classic", &k);
    /* Set 8 at +3780, InService +3840: cooldown until 3840 + 2700 = 6540.
    ** Spot back: launched +4800, running +4920 (pending 0 from the +4920
    ** period, visible +4980). Scale-in to 0 is rejected each minute from
    ** +4980 to +6480 (26 calls) and accepted at +6540. */
    assert_int_equal(r.set_calls, 28);
    assert_int_equal(r.set_rejected, 26);
    assert_int_equal(k.dec[1].t, T0 + 4980);
    assert_int_equal(k.dec[1].accepted, 0);
    assert_int_equal(k.dec[26].t, T0 + 6480);
    assert_int_equal(k.dec[26].accepted, 0);
    assert_int_equal(k.dec[27].t, T0 + 6540);
    assert_int_equal(k.dec[27].accepted, 1);
    NEAR(r.od_instance_hours, 8 * 2700 / 3600.0);
    NEAR(r.od_cost, 8 * 2700 * 0.2 / 3600);
    /* Spot registered again at +4950; released at +6540. */
    assert_int_equal(r.return_delay_max_s, 6540 - 4950);
    NEAR(r.od_hours_after_recovery, 8 * 1590 / 3600.0);
}

static void per_hour_versus_per_second(void **st) {
    (void)st;
    static fx f;
    short_outage(&f, SIM_PER_SECOND);
    sim_result s = run(&f, "classic", NULL);
    short_outage(&f, SIM_PER_HOUR);
    sim_result h = run(&f, "classic", NULL);
    /* Per second: first 8 spot [0, 3720) at 0.1, then 1.0 in the notice;
    ** next 8 spot [4920, 10800) at 0.1; 8 on-demand for 2700 s at 0.2. */
    NEAR(s.spot_cost, 8 * (0.1 * 3600 + 1.0 * 120) / 3600 + 8 * 0.1 * 5880 / 3600);
    NEAR(s.od_cost, 8 * 0.2 * 2700 / 3600);
    /* Per hour: the first 8 were interrupted by AWS after 1 h 2 min: the
    ** partial second hour is free, 1 h at 0.1 each. The next 8 ran 1 h 38 min
    ** (still running at the end): 2 started hours at 0.1. On demand: 45 min
    ** is one started hour at 0.2 each. */
    NEAR(h.spot_cost, 8 * 0.1 + 8 * 2 * 0.1);
    NEAR(h.od_cost, 8 * 0.2);
    /* The schedule itself is the same. */
    assert_int_equal(h.set_calls, s.set_calls);
    NEAR(h.coverage_pct, s.coverage_pct);
}

static void late_datapoint_classic_falls_back_guarded_holds(void **st) {
    (void)st;
    static fx f;
    fx_model(&f, 1, 0.1, 1);
    /* Every datapoint is 30 s late: at each invocation the newest period
    ** (Timestamp now-60) is not visible yet. */
    f.sc.cw_delay = constant(30);
    static keep k;
    memset(&k, 0, sizeof k);
    sim_result c = run(&f, "classic", &k);
    /* At T0 the steady history is visible. At T0+60 the Timestamp T0
    ** datapoint shows at T0+90: classic assumes 32 pending units and asks
    ** for 8 instances although nothing is missing. */
    assert_int_equal(k.dec[0].t, T0 + 60);
    assert_int_equal(k.dec[0].d.desired, 8);
    assert_non_null(strstr(k.dec[0].d.reason, "fallback"));
    assert_int_equal(c.od_launches, 8);
    /* guarded reads the newest datapoint within 180 s (Timestamp now-120):
    ** pending 0: nothing to do. */
    sim_result g = run(&f, "guarded", NULL);
    assert_int_equal(g.od_launches, 0);
    assert_int_equal(g.set_calls, 0);
    NEAR(g.od_cost, 0);
}

/* A direct-mode scenario from T0 for `minutes`: TargetCapacity 32 every
** minute from 10 minutes before the start, PendingCapacity pending[m]
** (FulfilledCapacity 32 - it) at minute m; cooldown 300 s, on-demand launch
** 60 s, registration 30 s. */
static void fx_direct(fx *f, int minutes, const double *pending) {
    memset(f, 0, sizeof *f);
    sim_scenario *sc = &f->sc;
    sc->mode = SIM_DIRECT;
    sc->seed = 1;
    sc->start = T0;
    sc->end = T0 + 60LL * minutes;
    sc->billing = SIM_PER_SECOND;
    sc->d_period = 60;
    sc->d_spot_price = 0.05;
    sc->registration_delay = constant(30);
    sc->cron = 1;
    sc->cron_interval = 60;
    sc->od_weight = 4;
    sc->od_price = 0.2;
    sc->asg_max = 200;
    sc->default_cooldown = 300;
    sc->od_launch_delay = constant(60);
    for (int m = -10; m < minutes; m++) {
        double p = m >= 0 ? pending[m] : 0;
        f->direct[POL_TARGET][m + 10] = (pol_point){T0 + 60 * m, 32};
        f->direct[POL_FULFILLED][m + 10] = (pol_point){T0 + 60 * m, 32 - p};
        f->direct[POL_PENDING][m + 10] = (pol_point){T0 + 60 * m, p};
    }
    for (int m = 0; m < 3; m++) {
        sc->d_metric[m].pts = f->direct[m];
        sc->d_metric[m].n = (size_t)minutes + 10;
    }
}

/* AWS starts a scale-in's cooldown when the activity completes, i.e. when
** its instances are terminated, not at the call. */
static void scale_in_cooldown_starts_when_terminated(void **st) {
    (void)st;
    static fx f;
    static keep k;
    double pending[25] = {0};
    for (int m = 5; m < 10; m++) pending[m] = 16;
    for (int m = 10; m < 15; m++) pending[m] = 8;
    memset(&k, 0, sizeof k);
    fx_direct(&f, 25, pending);
    f.sc.od_termination_delay = constant(100);
    sim_result r = run(&f, "classic", &k);
    /* +360: set 4 (minute 5's 16 units), InService +420: cooldown to 720.
    ** +660: set 2 rejected (660 < 720); +720: set 2 accepted, terminated at
    ** +820: cooldown to 820 + 300 = 1120 (a cooldown from the call would end
    ** at 1020). +960, +1020, +1080: set 0 rejected; +1140 accepted. */
    static const struct { int64_t t; int desired, accepted; } want[] = {
        {360, 4, 1}, {660, 2, 0}, {720, 2, 1}, {960, 0, 0},
        {1020, 0, 0}, {1080, 0, 0}, {1140, 0, 1}};
    assert_int_equal(k.ndec, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < k.ndec; i++) {
        assert_int_equal(k.dec[i].t, T0 + want[i].t);
        assert_int_equal(k.dec[i].d.desired, want[i].desired);
        assert_int_equal(k.dec[i].accepted, want[i].accepted);
    }
    assert_int_equal(r.set_rejected, 4);
}

static void direct_mode_20_minutes(void **st) {
    (void)st;
    static fx f;
    static keep k;
    memset(&f, 0, sizeof f);
    memset(&k, 0, sizeof k);
    sim_scenario *sc = &f.sc;
    sc->mode = SIM_DIRECT;
    sc->seed = 1;
    sc->start = T0;
    sc->end = T0 + 1200;
    sc->billing = SIM_PER_SECOND;
    sc->d_period = 60;
    sc->d_spot_price = 0.05;
    sc->cw_delay = constant(0);
    sc->registration_delay = constant(30);
    sc->cron = 1;
    sc->cron_interval = 60;
    sc->od_weight = 4;
    sc->od_price = 0.2;
    sc->asg_max = 200;
    sc->default_cooldown = 300;
    sc->od_launch_delay = constant(60);
    /* TargetCapacity 32 each minute from 10 minutes before the start (the
    ** history the policy looks back at); FulfilledCapacity 16 in minutes
    ** 5-14 of the span. */
    for (int m = -10; m < 20; m++) {
        f.direct[POL_TARGET][m + 10] = (pol_point){T0 + 60 * m, 32};
        double ful = (m >= 5 && m < 15) ? 16 : 32;
        f.direct[POL_FULFILLED][m + 10] = (pol_point){T0 + 60 * m, ful};
        f.direct[POL_PENDING][m + 10] = (pol_point){T0 + 60 * m, 32 - ful};
    }
    for (int m = 0; m < 3; m++) {
        sc->d_metric[m].pts = f.direct[m];
        sc->d_metric[m].n = 30;
    }
    sim_result r = run(&f, "classic", &k);
    /* Minute 5's datapoint (pending 16) is visible at +360: set
    ** (int)(16/4 + 0.999999) = 4. InService +420, registered +450. Minute
    ** 15's (pending 0) at +960: set 0, cooldown over at 420 + 300 = 720. */
    assert_int_equal(k.ndec, 2);
    assert_int_equal(k.dec[0].t, T0 + 360);
    assert_int_equal(k.dec[0].d.desired, 4);
    assert_int_equal(k.dec[1].t, T0 + 960);
    assert_int_equal(k.dec[1].d.desired, 0);
    assert_int_equal(k.dec[1].accepted, 1);
    /* Short 16 units from +300 to +450 = 2400 unit-s of 38400. */
    NEAR(r.shortfall_unit_hours, 2400 / 3600.0);
    NEAR(r.coverage_pct, 100.0 * (38400 - 2400) / 38400);
    /* Spot: 28800 fulfilled unit-s = 8 unit-hours at 0.05. */
    NEAR(r.spot_cost, 0.4);
    NEAR(r.od_cost, 4 * 540 * 0.2 / 3600);
    assert_int_equal(r.fallback_latency_max_s, 150);
    assert_int_equal(r.return_delay_max_s, 60);
}

static void allocation_strategies(void **st) {
    (void)st;
    static fx f;
    /* Two pools at 0.1 and 0.12 USD/h, 1 hour, no interruptions. */
    fx_model(&f, 2, 0.1, 1);
    f.price[1][0].v = 0.12;
    f.sc.alloc = SIM_LOWEST_PRICE; /* all 8 in the cheaper pool */
    NEAR(run(&f, "classic", NULL).spot_cost, 8 * 0.1);
    f.sc.alloc = SIM_DIVERSIFIED;  /* 4 and 4 */
    NEAR(run(&f, "classic", NULL).spot_cost, 4 * 0.1 + 4 * 0.12);
    /* capacityOptimized: pool a can give 2 instances, pool b 10. Each launch
    ** goes to the pool with the most room: b from 10 down to 3 rooms still
    ** beats a's 2, so all 8 land in b. */
    static pol_point av[2][1];
    av[0][0] = (pol_point){T0, 2};
    av[1][0] = (pol_point){T0, 10};
    for (int p = 0; p < 2; p++) {
        f.pools[p].avail.pts = av[p];
        f.pools[p].avail.n = 1;
    }
    f.sc.alloc = SIM_CAPACITY_OPTIMIZED;
    NEAR(run(&f, "classic", NULL).spot_cost, 8 * 0.12);
}

static void capacity_withdrawn(void **st) {
    (void)st;
    static fx f;
    fx_model(&f, 2, 0.1, 1);
    f.price[1][0].v = 0.12;
    f.sc.alloc = SIM_LOWEST_PRICE;
    /* Pool a gives 8 instances, then only 4 from T0+1800. */
    static pol_point av[2];
    av[0] = (pol_point){T0, 8};
    av[1] = (pol_point){T0 + 1800, 4};
    f.pools[0].avail.pts = av;
    f.pools[0].avail.n = 2;
    sim_result r = run(&f, "classic", NULL);
    /* 4 of a's get a notice at 1800 and end at 1920; 4 launch in b at 1800,
    ** run from 1920. a: 4 x 1 h + 4 x 1920 s at 0.1; b: 4 x 1680 s at 0.12. */
    assert_int_equal(r.interruptions, 4);
    assert_int_equal(r.spot_launches, 4);
    NEAR(r.spot_cost, 4 * 0.1 + 4 * 1920 * 0.1 / 3600 + 4 * 1680 * 0.12 / 3600);
    /* b's registered at 1950: 16 units short for 30 s. */
    NEAR(r.shortfall_unit_hours, 16 * 30 / 3600.0);
}

static void target_tracking_follows_demand(void **st) {
    (void)st;
    static fx f;
    fx_model(&f, 1, 0.1, 1);
    static pol_point demand[2];
    demand[0] = (pol_point){T0, 32};
    demand[1] = (pol_point){T0 + 600, 48};
    f.sc.demand.pts = demand;
    f.sc.demand.n = 2;
    f.sc.tt_target_value = 100;
    f.sc.tt_scale_out_cooldown = 300;
    f.sc.tt_scale_in_cooldown = 300;
    f.sc.tt_max = 1000;
    /* Demand is 48 from +600; target tracking (each minute, before state
    ** changes of that second) raises TargetCapacity to 48 at +660: 4
    ** launches, running +780, registered +810: 16 units short for 210 s.
    ** classic sees the fleet scaling and holds; guarded counts the 16 units
    ** as launching and holds too. */
    sim_result c = run(&f, "classic", NULL);
    assert_int_equal(c.spot_launches, 4);
    NEAR(c.shortfall_unit_hours, 16 * 210 / 3600.0);
    assert_int_equal(c.od_launches, 0);
    NEAR(c.required_unit_hours, (32 * 600 + 48 * 3000) / 3600.0);
    sim_result g = run(&f, "guarded", NULL);
    assert_int_equal(g.od_launches, 0);
    NEAR(g.shortfall_unit_hours, 16 * 210 / 3600.0);
}

/* TerminatingCapacity under a target decrease: the excess the fleet
** terminates, for its shutting-down time. */
static void target_decrease_terminating_is_the_excess(void **st) {
    (void)st;
    static fx f;
    static keep k;
    memset(&k, 0, sizeof k);
    fx_model(&f, 1, 0.1, 1);
    static pol_point demand[2];
    demand[0] = (pol_point){T0, 32};
    demand[1] = (pol_point){T0 + 600, 24};
    f.sc.demand.pts = demand;
    f.sc.demand.n = 2;
    f.sc.tt_target_value = 100;
    f.sc.tt_scale_out_cooldown = 300;
    f.sc.tt_scale_in_cooldown = 300;
    f.sc.tt_max = 1000;
    f.sc.fleet_termination_delay = constant(90);
    /* 8 instances of 4 units (32). Target tracking sees demand 24 at the
    ** minute +660 and lowers TargetCapacity to 24: the fleet holds 32, 8
    ** units too many, and terminates 2 instances; they shut down until
    ** +660 + 90 = +750. TerminatingCapacity is 32 - 24 = 8 from +660 to
    ** +750, 0 before and after; FulfilledCapacity 24 from +660. */
    sim_result r = run(&f, "classic", &k);
    NEAR(sample_at(&k, 600)->terminating, 0);
    NEAR(sample_at(&k, 660)->target, 24);
    NEAR(sample_at(&k, 660)->terminating, 8);
    NEAR(sample_at(&k, 660)->fulfilled, 24);
    NEAR(sample_at(&k, 720)->terminating, 8);
    NEAR(sample_at(&k, 780)->terminating, 0);
    assert_int_equal(r.interruptions, 0);
    /* Billed to the call: 6 instances 1 h, 2 for 660 s, at 0.1 USD/h. */
    NEAR(r.spot_cost, 6 * 0.1 + 2 * 0.1 * 660 / 3600.0);
}

/* Interruption warnings reach the controller as events: guarded covers the
** warned units at the first invocation after one is received, and without
** events (none sent, or all lost) it sees nothing in this case. */
static void warnings_as_events(void **st) {
    (void)st;
    static fx f;
    static keep k;
    fx_model(&f, 2, 0.1, 3);
    f.price[1][0].v = 0.12;
    fx_price(&f, 0, 3600, 0.5); /* pool a's 4 instances (16 units) warned */
    fx_price(&f, 0, 7200, 0.1);
    f.sc.ev_on = 1;
    f.sc.ev_delay = constant(10);
    /* Warned at +3600, received at +3610: the invocation at +3660 covers
    ** 16 units with 16 / 4 = 4 instances. The fleet's replacements in pool
    ** b run at +3720 with a's termination: PendingCapacity never shows a
    ** shortfall, so without the events guarded does nothing. */
    memset(&k, 0, sizeof k);
    sim_result r = run(&f, "guarded", &k);
    /* Then scale-ins, rejected until the cooldown (2700 s) ends. */
    assert_int_equal(r.od_launches, 4);
    assert_true(k.ndec >= 1);
    assert_int_equal(k.dec[0].t, T0 + 3660);
    assert_int_equal(k.dec[0].d.desired, 4);
    assert_true(k.dec[0].accepted);
    f.sc.ev_loss = 1;
    r = run(&f, "guarded", NULL);
    assert_int_equal(r.od_launches, 0);
    f.sc.ev_loss = 0;
    f.sc.ev_on = 0;
    r = run(&f, "guarded", NULL);
    assert_int_equal(r.od_launches, 0);
    /* A delay past the invocation's second moves the cover a minute on. */
    f.sc.ev_on = 1;
    f.sc.ev_delay = constant(70);
    memset(&k, 0, sizeof k);
    run(&f, "guarded", &k);
    assert_true(k.ndec >= 1);
    assert_int_equal(k.dec[0].t, T0 + 3720);
    assert_int_equal(k.dec[0].d.desired, 4);
}

static void alarm_invokes_on_pending(void **st) {
    (void)st;
    static fx f;
    fx_outage_3h(&f);
    f.sc.cron = 0;
    f.sc.alarm = 1;
    f.sc.alarm_periods = 1;
    f.sc.sns_delay = constant(0);
    /* The pending 32 datapoint (Timestamp +3720) shows at +3780: the alarm
    ** goes to ALARM and SNS invokes classic at once: set 8. It stays in
    ** ALARM, then goes back to OK without invoking: with the alarm alone the
    ** group is never scaled in, as with the seed's alarm-only set-up. */
    sim_result r = run(&f, "classic", NULL);
    assert_int_equal(r.invocations, 1);
    assert_int_equal(r.set_calls, 1);
    assert_int_equal(r.od_launches, 8);
    /* 8 instances from 3840 to the end (21600). */
    NEAR(r.od_instance_hours, 8 * (21600 - 3840) / 3600.0);
}

static void out_of_range_rejected(void **st) {
    (void)st;
    static fx f;
    static keep k;
    memset(&k, 0, sizeof k);
    fx_model(&f, 2, 0.1, 3);
    f.sc.asg_max = 4;
    for (size_t p = 0; p < 2; p++) fx_price(&f, p, 3600, 1.0);
    /* classic asks for 8 > MaxSize 4 from +3780: the engine clamps the call
    ** to MaxSize, so 4 instances launch and nothing is rejected. */
    sim_result r = run(&f, "classic", &k);
    assert_true(r.set_calls > 0);
    assert_int_equal(r.set_rejected, 0);
    assert_int_equal(r.od_launches, 4);
    assert_int_equal(k.dec[0].t, T0 + 3780);
    assert_int_equal(k.dec[0].d.desired, 4);
    assert_non_null(strstr(k.dec[0].d.reason, "clamped to MaxSize 4"));
    /* Below MinSize is not clamped (the original's call, which AWS rejects):
    ** MinSize 2 at 2 instances, no shortfall: classic asks for 0 every
    ** minute with HonorCooldown=true -> ValidationError each time. */
    static fx g;
    fx_model(&g, 2, 0.1, 1);
    g.sc.asg_min = 2;
    g.sc.asg_desired = 2;
    r = run(&g, "classic", NULL);
    assert_int_equal(r.set_calls, 60);
    assert_int_equal(r.set_rejected, 60);
    assert_int_equal(r.od_launches, 0);
}

/* AWS's interrupted-Spot table in a run: instances launched during the run
** and interrupted by EC2 within their first hour are not charged. */
static void first_hour_interruptions_are_free(void **st) {
    (void)st;
    static fx f;
    fx_model(&f, 1, 0.1, 2);
    fx_price(&f, 0, 600, 1.0);  /* outbid: the initial 8 get notices */
    fx_price(&f, 0, 1200, 0.1); /* back: 8 new launch, running at +1320 */
    fx_price(&f, 0, 3000, 1.0); /* outbid again 1680 s into their life */
    sim_result r = run(&f, "classic", NULL);
    /* The initial 8 were running before the run (past their first hour):
    ** 600 s at 0.1 + 120 s of notice at 1.0 = 180 USD-s each -> 8 * 180 /
    ** 3600 = 0.4 USD. The 8 new ones ran 1680 + 120 = 1800 s < 1 h and were
    ** interrupted by EC2: free (they would cost 8 * 288 / 3600 = 0.64). */
    NEAR(r.spot_cost, 0.4);
    assert_int_equal(r.interruptions, 16);
    /* Per hour: the initial 8 pay nothing for the interrupted partial hour;
    ** the new 8 nothing in their first hour. */
    f.sc.billing = SIM_PER_HOUR;
    r = run(&f, "classic", NULL);
    NEAR(r.spot_cost, 0);
}

/* ECS_ENABLE_SPOT_INSTANCE_DRAINING: an instance stops serving at its
** notice, two minutes before it terminates. */
static void spot_draining_stops_serving_at_the_notice(void **st) {
    (void)st;
    static fx f;
    static keep k;
    fx_model(&f, 1, 0.1, 1);
    fx_price(&f, 0, 600, 1.0); /* outbid: notices at +600, gone at +720 */
    memset(&k, 0, sizeof k);
    run(&f, "classic", &k);
    NEAR(sample_at(&k, 660)->spot_units, 32); /* still serving */
    NEAR(sample_at(&k, 660)->terminating, 0); /* a notice is not terminating */
    f.sc.spot_draining = 1;
    memset(&k, 0, sizeof k);
    sim_result r = run(&f, "classic", &k);
    NEAR(sample_at(&k, 660)->spot_units, 0); /* drained */
    NEAR(sample_at(&k, 660)->fulfilled, 32); /* the fleet still counts it */
    /* Without draining the same run's capacity is lost at +720: draining
    ** moves the start of the shortfall two minutes earlier. */
    assert_true(r.longest_shortfall_s > 0);
    assert_int_equal(r.interruptions, 8);
}

/* AWS fulfils nothing in a pool whose Spot price is above the On-Demand
** price, whatever the max price (EligibleInstancePoolCount). */
static void no_launch_above_the_on_demand_price(void **st) {
    (void)st;
    static fx f;
    static keep k;
    static pol_point avail[2] = {{T0, 100}, {T0 + 600, 0}};
    fx_model(&f, 2, 0.1, 1);
    /* lowestPrice: the fleet sits in pool a (0.1). Pool b costs 0.3 an hour,
    ** above its On-Demand 0.2 but below its max price 1.0 x 4. At +600 pool
    ** a loses its capacity: nothing may replace it in b. */
    f.sc.alloc = SIM_LOWEST_PRICE;
    f.price[1][0].v = 0.3;
    f.pools[1].max_price = 1.0;
    f.pools[0].avail.pts = avail;
    f.pools[0].avail.n = 2;
    memset(&k, 0, sizeof k);
    sim_result r = run(&f, "oracle", &k);
    assert_int_equal(r.spot_launches, 0);
    NEAR(sample_at(&k, 900)->pending, 32);
    /* Below the On-Demand price, b takes the fleet. */
    f.price[1][0].v = 0.15;
    memset(&k, 0, sizeof k);
    r = run(&f, "oracle", &k);
    assert_int_equal(r.spot_launches, 8);
}

/* The oracle runs the group within MinSize and MaxSize. */
static void oracle_within_min_and_max_size(void **st) {
    (void)st;
    static fx f;
    /* No outage, MinSize 2: the oracle keeps 2 on-demand instances all hour
    ** (2 * 0.2 USD), as any policy must: classic's gap is 0, not +0.40. */
    fx_model(&f, 2, 0.1, 1);
    f.sc.asg_min = 2;
    f.sc.asg_desired = 2;
    sim_result c = run(&f, "classic", NULL);
    sim_result o = run(&f, "oracle", NULL);
    NEAR(o.od_cost, 0.4);
    NEAR(c.oracle_cost, c.spot_cost + 0.4);
    NEAR(c.total_cost - c.oracle_cost, 0);
    NEAR(o.coverage_pct, 100);
    /* MaxSize 4 against a 32-unit (8-instance) shortfall of 10830 s (see
    ** oracle_bound): 4 instances cover 16 units; 16 units stay uncovered. */
    fx_outage_3h(&f);
    f.sc.asg_max = 4;
    o = run(&f, "oracle", NULL);
    NEAR(o.od_cost, 4 * 10830 * 0.2 / 3600);
    NEAR(o.shortfall_unit_hours, 16 * 10830 / 3600.0);
    NEAR(o.coverage_pct, 100 * (1 - 16.0 * 10830 / (32.0 * 21600)));
    assert_int_equal(o.longest_shortfall_s, 10830);
}

static void oracle_bound(void **st) {
    (void)st;
    static fx f;
    fx_outage_3h(&f);
    /* Spot is short 32 units from +3720 (terminations) to +14550 (the new
    ** instances registered): 8 on-demand instances for 10830 s exactly. */
    sim_result c = run(&f, "classic", NULL);
    sim_result o = run(&f, "oracle", NULL);
    NEAR(o.od_cost, 8 * 10830 * 0.2 / 3600);
    NEAR(o.od_instance_hours, 8 * 10830 / 3600.0);
    assert_int_equal(o.od_launches, 8);
    NEAR(o.coverage_pct, 100);
    NEAR(o.spot_cost, c.spot_cost); /* the spot side is the policy's no matter */
    NEAR(o.total_cost, o.spot_cost + o.od_cost);
    NEAR(c.oracle_cost, o.total_cost); /* every run reports the bound */
    /* classic pays for 10740 s, less than the oracle's 10830 s, because it
    ** leaves 150 s uncovered: the bound holds at full coverage only. */
    NEAR(c.od_cost, 8 * 10740 * 0.2 / 3600);

    /* Per hour, two shortfalls 9.5 minutes apart ([3720, 4050) and [4620,
    ** 4950)): one instance kept across the gap pays 1 started hour, not 2. */
    fx_two_outages_per_hour(&f);
    o = run(&f, "oracle", NULL);
    NEAR(o.od_cost, 8 * 0.2);
    assert_int_equal(o.od_launches, 8);
    NEAR(o.od_instance_hours, 8 * (4950 - 3720) / 3600.0);
}

/* The reactive bound, by hand, on oracle_bound's outage (on-demand launch
** 60 s, registration 30 s). */
static void reactive_bound(void **st) {
    (void)st;
    static fx f;
    fx_outage_3h(&f);
    /* Notices at +3600 say the spot ends at +3720: the 8 instances are
    ** requested at 3720 - 60 - 30 = 3630, run from 3690, serve from 3720,
    ** and go at +14550 when the new spot serves: 10860 s each, 30 s more
    ** than the oracle's 10830 s (their registration). */
    sim_result c = run(&f, "classic", NULL);
    NEAR(c.reactive_cost - c.spot_cost, 8 * 10860 * 0.2 / 3600);
    NEAR(c.reactive_cost - c.oracle_cost, 8 * 30 * 0.2 / 3600);
    NEAR(c.reactive_coverage_pct, 100);
    /* With draining, the spot stops serving at the notice: no warning left.
    ** Requested at +3600, running at +3660 (billed to +14550: 10890 s),
    ** serving at +3690: 90 s of 32 units uncovered out of 6 h of 32. */
    f.sc.spot_draining = 1;
    c = run(&f, "classic", NULL);
    NEAR(c.reactive_cost - c.spot_cost, 8 * 10890 * 0.2 / 3600);
    NEAR(c.reactive_coverage_pct, 100 * (1 - 90.0 / 21600));
    NEAR(c.oracle_cost - c.spot_cost, 8 * 10950 * 0.2 / 3600); /* from +3600 */
    assert_true(c.reactive_cost < c.oracle_cost); /* it covers less */

    /* Per hour, oracle_bound's two shortfalls [3720, 4050) and [4620,
    ** 4950): the instances run from +3690, are released at +4050 but kept
    ** to the end of their paid hour (+7290), so the second notice (+4500)
    ** finds them still there: one started hour each, the oracle's cost. */
    fx_two_outages_per_hour(&f);
    c = run(&f, "classic", NULL);
    NEAR(c.reactive_cost - c.spot_cost, 8 * 0.2);
    NEAR(c.reactive_cost, c.oracle_cost);
    NEAR(c.reactive_coverage_pct, 100);
}

static void same_seed_bit_identical(void **st) {
    (void)st;
    static fx f;
    fx_model(&f, 2, 0.1, 24);
    f.sc.cw_delay = (sim_dist){0.3, 10, 150};
    f.sc.cw_missing = 0.05;
    f.sc.invoke_failure = 0.05;
    f.sc.fleet_launch_delay = (sim_dist){1, 60, 240};
    f.sc.od_launch_delay = (sim_dist){1, 30, 200};
    fx_price(&f, 0, 3600, 1.0);
    fx_price(&f, 1, 5000, 1.0);
    fx_price(&f, 0, 20000, 0.1);
    fx_price(&f, 1, 30000, 0.1);
    sim_result a = run(&f, "guarded", NULL);
    sim_result b = run(&f, "guarded", NULL);
    assert_memory_equal(&a, &b, sizeof a);
    f.sc.seed = 8;
    sim_result c = run(&f, "guarded", NULL);
    assert_true(memcmp(&a, &c, sizeof a) != 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(constant_prices_no_interruptions),
        cmocka_unit_test(notes_at_their_thresholds),
        cmocka_unit_test(one_pool_outbid),
        cmocka_unit_test(all_pools_outbid_3h_classic),
        cmocka_unit_test(scale_in_rejected_until_cooldown_ends),
        cmocka_unit_test(scale_in_cooldown_starts_when_terminated),
        cmocka_unit_test(per_hour_versus_per_second),
        cmocka_unit_test(late_datapoint_classic_falls_back_guarded_holds),
        cmocka_unit_test(direct_mode_20_minutes),
        cmocka_unit_test(allocation_strategies),
        cmocka_unit_test(capacity_withdrawn),
        cmocka_unit_test(target_tracking_follows_demand),
        cmocka_unit_test(target_decrease_terminating_is_the_excess),
        cmocka_unit_test(warnings_as_events),
        cmocka_unit_test(alarm_invokes_on_pending),
        cmocka_unit_test(out_of_range_rejected),
        cmocka_unit_test(oracle_bound),
        cmocka_unit_test(first_hour_interruptions_are_free),
        cmocka_unit_test(spot_draining_stops_serving_at_the_notice),
        cmocka_unit_test(no_launch_above_the_on_demand_price),
        cmocka_unit_test(oracle_within_min_and_max_size),
        cmocka_unit_test(reactive_bound),
        cmocka_unit_test(same_seed_bit_identical),
    };
    return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
