/*
** test_policy_format.c: pol_format(), the policies' reason formatter, gives
** vsnprintf's very bytes: every reason format the policies use, with
** values of every kind (whole numbers either side of %g's switch to
** exponents, fractions, -0, infinities, NaN, large and negative integers),
** at every buffer size (truncation), and a conversion it does not handle
** itself (handed to vsnprintf). Reasons kept unwritten (pol_decide_lazy)
** read back as the same bytes.
*/
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "obs_fixture.h"
#include "policy/policy_int.h"

static int ours(char *buf, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = pol_format(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

static int ref(char *buf, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

/* Both formatters on (fmt, args) at buffer sizes 0..size: equal bytes. */
#define SAME(size, fmt, ...)                                                   \
    do {                                                                       \
        char a_[200], b_[200];                                                 \
        for (size_t n_ = 0; n_ <= (size); n_++) {                              \
            memset(a_, 'x', sizeof a_);                                        \
            memset(b_, 'x', sizeof b_);                                        \
            ours(a_, n_, fmt, __VA_ARGS__);                                    \
            ref(b_, n_, fmt, __VA_ARGS__);                                     \
            if (memcmp(a_, b_, sizeof a_) != 0)                                \
                fail_msg("'%s' at n=%zu: '%.*s' vs '%.*s'", fmt, n_, (int)n_, \
                         a_, (int)n_, b_);                                     \
        }                                                                      \
    } while (0)

static void reason_formats_match_printf(void **st) {
    (void)st;
    static const double g[] = {0,      -0.0,      1,       4,        32,     -7,
                               999999, 1000000,   -999999, -1000000, 123456, 0.5,
                               1.25,   1e-7,      3.14159, 2.5e15,   1e300,  INFINITY,
                               -INFINITY, NAN,    7.999999999, 100000.5, 12345678};
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        SAME(160, "scale out: %s %g units needs %d instances", "PendingCapacity", g[i], 3);
        SAME(160, "%s %g units: %d instances already desired", "fallback", g[i], -2);
        SAME(160,
             "scale out: shortfall %g units (pending %g, launching %g, terminating %g) "
             "needs %d instances%s%s",
             g[i], g[(i + 1) % 23], g[(i + 5) % 23], g[(i + 7) % 23], 2147483647, ", capped",
             "");
        SAME(160, "scale in: largest shortfall in %llds is %g units, keeping %d instances",
             (long long)-9223372036854775807LL, g[i], -2147483647);
        SAME(40, "fleet scaled recently: TargetCapacity went from %g to %g within %llds",
             g[i], g[(i + 3) % 23], 600LL);
    }
    SAME(40, "100%% of %d", 5);
    SAME(20, "%s", "");
    SAME(20, "plain text only%s", "");
    /* Not one of its own: vsnprintf answers, with the same arguments. */
    SAME(40, "%5.2f and %d and %s", 3.14159, 7, "x");
    SAME(40, "%d then %x", 12, 255);
}

/* A kept reason reads back as vsnprintf's bytes; it is not written when
** kept (the buffer reads as no text); equal formats and arguments are the
** same reason without writing either; a string argument is copied (its
** buffer may change after the call); what cannot be kept (a conversion
** pol_format hands to vsnprintf, a string too long to keep) is written at
** once. */
static void lazy_reasons_read_back_the_same(void **st) {
    (void)st;
    static const double g[] = {0, -0.0, 3, 999999, 1000000, 0.5, 1e-7, 2.5e15, NAN, 7.999999999};
    char want[POL_REASON_MAX], buf[POL_REASON_MAX];
    const char *f1 = "scale out: shortfall %g units (pending %g, launching %g, warned %g) "
                     "needs %d instances%s%s";
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        pol_decision a, b;
        memset(&a, 0, sizeof a);
        a.quiet = 3;
        b = a;
        char note[32];
        snprintf(note, sizeof note, "; no interruption events");
        pol_set(&a, 7, 0, f1, g[i], 1.5, -2.0, 40.25, 11, ", capped", note);
        pol_set(&b, 7, 0, f1, g[i], 1.5, -2.0, 40.25, 11, ", capped", note);
        note[0] = 'X'; /* the kept reason has its own copy */
        ref(want, sizeof want, f1, g[i], 1.5, -2.0, 40.25, 11, ", capped",
            "; no interruption events");
        assert_int_equal(a.action, POL_ACT_SET);
        assert_int_equal(a.desired, 7);
        assert_int_equal(a.reason[0], '\0');
        assert_string_equal(pol_reason(&a, buf), want);
        assert_true(pol_reason_same(&a, &b));
        pol_set(&b, 7, 0, f1, g[i], 1.5, -2.0, 40.25, 12, ", capped", "");
        assert_false(pol_reason_same(&a, &b));
        pol_set(&b, 7, 0, "scale in: largest shortfall in %llds is %g units, keeping %d "
                          "instances", 1800LL, g[i], -3);
        ref(want, sizeof want, "scale in: largest shortfall in %llds is %g units, keeping %d "
                               "instances", 1800LL, g[i], -3);
        assert_string_equal(pol_reason(&b, buf), want);
        assert_false(pol_reason_same(&a, &b));
    }
    /* Written at once: a conversion of vsnprintf's, a string that does not fit. */
    pol_decision d;
    memset(&d, 0, sizeof d);
    d.quiet = 3;
    pol_set(&d, 1, 0, "%x units", 255u);
    assert_string_equal(d.reason, "ff units");
    assert_string_equal(pol_reason(&d, buf), "ff units");
    char big[200];
    memset(big, 'b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memset(&d, 0, sizeof d);
    d.quiet = 3;
    pol_set(&d, 1, 0, "%d %s", 5, big);
    ref(want, sizeof want, "%d %s", 5, big);
    assert_string_equal(d.reason, want);
    assert_string_equal(pol_reason(&d, buf), want);
    /* Plain decisions are their text. */
    memset(&d, 0, sizeof d);
    pol_set(&d, 1, 0, "plain %d", 4);
    assert_string_equal(pol_reason(&d, buf), "plain 4");
    assert_false(pol_reason_same(&d, &d));
}

/* pol_decide_lazy on the built-ins gives pol_decide's decision and, through
** pol_reason, its reason: classic and guarded scaling out and in, and a set
** clamped to MaxSize (whose reason grows). */
static void lazy_decide_is_decide(void **st) {
    (void)st;
    const char *names[] = {"classic", "guarded", "karpenter", "hedge"};
    static const struct { double pending; int desired, max; } cases[] = {
        {40.5, 0, 200}, {0, 9, 200}, {400, 2, 30}, {12, 3, 200}};
    int sets = 0, clamped = 0;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            const pol_policy *pol = pol_find(names[k]);
            assert_non_null(pol);
            fixture f;
            fx_init(&f);
            fx_flat(&f, POL_TARGET, -3600, -60, 32);
            fx_flat(&f, POL_PENDING, -3600, -60, cases[i].pending);
            fx_flat(&f, POL_FULFILLED, -3600, -60, 32 - cases[i].pending);
            fx_flat(&f, POL_TERMINATING, -3600, -60, 0);
            fx_asg(&f, cases[i].desired, 0, cases[i].max);
            f.o.quiet_none = 1;
            pol_params p;
            pol_params_default(pol, &p);
            pol_decision a, b;
            pol_decide(pol, &f.o, &p, &a);
            pol_decide_lazy(pol, &f.o, &p, &b);
            assert_int_equal(a.action, b.action);
            assert_int_equal(a.desired, b.desired);
            assert_int_equal(a.honor_cooldown, b.honor_cooldown);
            char buf[POL_REASON_MAX];
            assert_string_equal(pol_reason(&b, buf), a.reason);
            sets += a.action == POL_ACT_SET;
            clamped += strstr(a.reason, "clamped") != NULL;
        }
    /* The cases do reach "set", and a clamp: they test something. */
    assert_true(sets >= 8);
    assert_true(clamped >= 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reason_formats_match_printf),
        cmocka_unit_test(lazy_reasons_read_back_the_same),
        cmocka_unit_test(lazy_decide_is_decide),
    };
    return cmocka_run_group_tests_name("policy_format", tests, NULL, NULL);
}
