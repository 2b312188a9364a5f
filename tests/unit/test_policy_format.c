/*
** test_policy_format.c: pol_format(), the policies' reason formatter, gives
** vsnprintf's very bytes: every reason format the policies use, with
** values of every kind (whole numbers either side of %g's switch to
** exponents, fractions, -0, infinities, NaN, large and negative integers),
** at every buffer size (truncation), and a conversion it does not handle
** itself (handed to vsnprintf).
*/
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reason_formats_match_printf),
    };
    return cmocka_run_group_tests_name("policy_format", tests, NULL, NULL);
}
