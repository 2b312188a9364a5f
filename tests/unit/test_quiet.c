/*
** test_quiet.c: a run that reuses the policy's "none" over quiet minutes
** (run.c, "memo"), and skips whole quiet stretches where it may (run.c,
** "quiet stretches"), decides and computes exactly what a run that asks the
** policy at every invocation and processes every event does
** (sim_sink.no_memo). The expected values are the other run's: an
** independent computation of the same run, the policy asked every time.
** Each scenario has quiet stretches broken by what must make the policy be
** asked again: an outage and its recovery, a scale-in rejected until its
** cooldown expires in the middle of a quiet stretch, datapoints late,
** missing or never recorded, failed fetches and invocations, an alarm's
** invocations between the schedule's, a schedule that is not a whole
** number of minutes, a jittered one, interruption notices. Every decision
** and every per-minute sample is compared, and every figure of the result.
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

/* Every decision the run made, in order, as a digest (FNV-1a over the
** fields and the reason's text), with their count and the quiet ones. */
typedef struct {
    uint64_t h;
    size_t n, none, sets, samples;
} digest;

static void mix(digest *g, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) g->h = (g->h ^ b[i]) * 0x100000001b3ULL;
}

static int on_decision(void *ctx, const sim_decision_rec *r) {
    digest *g = ctx;
    int64_t f[7] = {r->t, r->failed, r->d.action, r->d.held, r->accepted,
                    r->d.action == POL_ACT_SET ? r->d.desired : 0,
                    r->d.action == POL_ACT_SET ? r->d.honor_cooldown : 0};
    mix(g, f, sizeof f);
    char buf[POL_REASON_MAX];
    const char *reason = pol_reason(&r->d, buf);
    mix(g, reason, strlen(reason) + 1);
    if (r->error) mix(g, r->error, strlen(r->error));
    g->n++;
    g->none += r->d.action == POL_ACT_NONE;
    g->sets += r->d.action == POL_ACT_SET;
    return 0;
}

/* Every sample, into the same digest (counted apart). */
static int on_minute(void *ctx, const sim_minute_rec *r) {
    digest *g = ctx;
    double v[7] = {r->required,   r->target,     r->fulfilled, r->pending,
                   r->terminating, r->spot_units, r->od_units};
    int64_t i[3] = {r->t, r->od_desired, r->od_in_service};
    mix(g, i, sizeof i);
    mix(g, v, sizeof v);
    mix(g, r->prices, r->nprices * sizeof *r->prices);
    g->samples++;
    return 0;
}

/* Invocations the memo answered, and a quiet stretch. */
typedef struct {
    int64_t memo, quiet;
} answered;

/* Runs f with `policy`, the reasons of "none" kept or not, samples taken
** (with lazy reasons) or not, the memo on or off. *q: the invocations the
** memo and quiet stretches answered (zeroed in the result, which is
** compared whole). */
static sim_result run(const fx *f, const char *policy, int want_none, int lazy, int no_memo,
                      digest *g, answered *q) {
    const pol_policy *pol = pol_find(policy);
    pol_params p;
    pol_params_default(pol, &p);
    g->h = 0xcbf29ce484222325ULL;
    g->n = g->none = g->sets = g->samples = 0;
    sim_sink sink = {g, on_decision, lazy ? on_minute : NULL, want_none, lazy, no_memo};
    sim_result r;
    char err[256];
    if (sim_run(&f->sc, pol, &p, &sink, &r, err, sizeof err)) fail_msg("sim_run: %s", err);
    *q = (answered){r.memo_invocations, r.quiet_invocations};
    r.memo_invocations = r.quiet_invocations = 0;
    return r;
}

/* The two runs agree on every decision, sample and figure, to the bit,
** for both policies the memo serves and each way of keeping reasons; and
** the reasons kept unwritten until read (lazy) read as those written at
** once. Without the memo, it answers none. With it, `expect` says how
** many: MEMO, at least half the invocations; SKIPS, at least half in
** quiet stretches (none may be skipped otherwise). */
enum { MEMO = 1, SKIPS = 2 };
static void same_both_ways(const fx *f, int expect) {
    static const char *const pols[] = {"classic", "guarded"};
    static const int modes[][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}}; /* want_none, lazy */
    for (size_t i = 0; i < 2; i++) {
        digest eager, lazy;
        answered qe, ql;
        sim_result re = run(f, pols[i], 1, 0, 1, &eager, &qe);
        sim_result rl = run(f, pols[i], 1, 1, 1, &lazy, &ql);
        if (eager.n != lazy.n || memcmp(&re, &rl, sizeof re) != 0)
            fail_msg("%s: the lazy reasons read otherwise than the written ones", pols[i]);
        for (size_t m = 0; m < 4; m++) {
            digest a, b;
            answered qa, qb;
            sim_result ra = run(f, pols[i], modes[m][0], modes[m][1], 0, &a, &qa);
            sim_result rb = run(f, pols[i], modes[m][0], modes[m][1], 1, &b, &qb);
            if (a.n != b.n || a.h != b.h || a.samples != b.samples ||
                memcmp(&ra, &rb, sizeof ra) != 0)
                fail_msg("%s (want_none %d, lazy %d): %zu decisions %zu samples %016llx with "
                         "the memo, %zu %zu %016llx without",
                         pols[i], modes[m][0], modes[m][1], a.n, a.samples,
                         (unsigned long long)a.h, b.n, b.samples, (unsigned long long)b.h);
            /* The scenario has quiet minutes: most decisions are "none". */
            assert_true(a.none * 2 > a.n);
            /* A sample a minute when taken, at each whole minute after the
            ** start and before the end: (end - start) / 60 - 1 of them. */
            size_t want = modes[m][1] ? (size_t)((f->sc.end - f->sc.start) / 60 - 1) : 0;
            assert_int_equal(a.samples, want);
            assert_int_equal(qb.memo, 0);
            assert_int_equal(qb.quiet, 0);
            if (((expect & MEMO) && qa.memo * 2 <= ra.invocations) || qa.quiet > qa.memo)
                fail_msg("%s: %lld of %d invocations answered by the memo, %lld skipped",
                         pols[i], (long long)qa.memo, ra.invocations, (long long)qa.quiet);
            if ((expect & SKIPS) && qa.quiet * 2 <= ra.invocations)
                fail_msg("%s: %lld of %d invocations in quiet stretches", pols[i],
                         (long long)qa.quiet, ra.invocations);
            if (!(expect & SKIPS) && qa.quiet)
                fail_msg("%s: a quiet stretch skipped where none may", pols[i]);
        }
    }
}

/* Two pools, 8 hours; both outbid for an hour from +3600, then again for
** ten minutes from +5h: the controller scales out, then in, honouring
** DefaultCooldown (2700 s), so a scale-in is refused until its cooldown
** expires in the middle of the quiet that follows. */
static void fx_outages(fx *f) {
    fx_model(f, 2, 0.1, 8);
    for (size_t p = 0; p < 2; p++) {
        fx_price(f, p, 3600, 1.0);
        fx_price(f, p, 7200, 0.1);
        fx_price(f, p, 5 * 3600, 1.0);
        fx_price(f, p, 5 * 3600 + 600, 0.1);
    }
}

static void test_outages(void **state) {
    (void)state;
    fx f;
    fx_outages(&f);
    same_both_ways(&f, MEMO | SKIPS);
}

/* The same with CloudWatch's ingestion delay random (some datapoints late
** by up to 3 minutes: a window's newest missing, then back) and one
** datapoint in ten never recorded (holes in a quiet stretch). */
static void test_late_and_missing(void **state) {
    (void)state;
    fx f;
    fx_outages(&f);
    f.sc.cw_delay = (sim_dist){0.3, 30, 180};
    f.sc.cw_missing = 0.1;
    same_both_ways(&f, 0);
}

/* Failed fetches, DescribeAutoScalingGroups failures and failed
** invocations now and then in the quiet stretches. */
static void test_failures(void **state) {
    (void)state;
    fx f;
    fx_outages(&f);
    f.sc.cw_fetch_failure = 0.05;
    f.sc.describe_failure = 0.05;
    f.sc.invoke_failure = 0.02;
    same_both_ways(&f, MEMO);
}

/* A schedule of 90 s (two observations a whole number of minutes apart
** only every other time), one of 5 minutes with a jitter of up to 40 s,
** and the alarm's invocations besides; one of a minute with a jitter. */
static void test_schedules(void **state) {
    (void)state;
    fx f;
    fx_outages(&f);
    f.sc.cron_interval = 90;
    same_both_ways(&f, MEMO);
    fx_outages(&f);
    f.sc.cron_interval = 300;
    f.sc.cron_jitter = (sim_dist){1, 0, 40};
    f.sc.alarm = 1;
    f.sc.alarm_periods = 2;
    f.sc.sns_delay = constant(20);
    same_both_ways(&f, 0);
    /* Every minute, 0-5 s late (the default), with EventBridge's notices:
    ** each second of the minute the invocations fall on keeps its memo. */
    fx_outages(&f);
    f.sc.cron_offset = constant(17);
    f.sc.cron_jitter = (sim_dist){1, 0, 5};
    f.sc.ev_on = 1;
    f.sc.ev_delay = constant(15);
    same_both_ways(&f, MEMO);
}

/* Quiet stretches skipped from an invocation whose window's newest
** datapoint is still in flight (a 70 s ingestion delay, invoked at second
** 20; at second 45 after a delay of 50 s), on the minute's second itself
** (second 0, above), and with interruption notices delivered by
** EventBridge (which guarded reads) in the outages between stretches. */
static void test_stretches(void **state) {
    (void)state;
    static const int64_t offset_delay[][2] = {{20, 70}, {45, 50}, {59, 0}};
    for (size_t i = 0; i < 3; i++) {
        fx f;
        fx_outages(&f);
        f.sc.cron_offset = constant(offset_delay[i][0]);
        f.sc.cw_delay = constant(offset_delay[i][1]);
        same_both_ways(&f, MEMO | SKIPS);
    }
    fx f;
    fx_outages(&f);
    f.sc.ev_on = 1;
    f.sc.ev_delay = constant(15);
    same_both_ways(&f, MEMO | SKIPS);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outages),
        cmocka_unit_test(test_late_and_missing),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_schedules),
        cmocka_unit_test(test_stretches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
