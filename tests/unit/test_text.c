/*
** test_text.c: the text helpers (traces/text.c): the closest word to a
** misspelt one, and UTF-8 validation.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "traces/text.h"

static const char *const words[] = {"--policy", "--set", "--db", "--json",
                                    "confirm", "window", "step", NULL};
#define NW (sizeof words / sizeof words[0])

static void closest_word(void **st) {
    (void)st;
    /* One substitution, one deletion, one insertion, one swap. */
    assert_string_equal(trc_closest("--polizy", words, NW), "--policy");
    assert_string_equal(trc_closest("--polcy", words, NW), "--policy");
    assert_string_equal(trc_closest("--jsoon", words, NW), "--json");
    assert_string_equal(trc_closest("confrim", words, NW), "confirm");
    /* Two edits in a long word, but only one in a short one: "seed" is two
    ** edits from "step" and is not taken for it. */
    assert_string_equal(trc_closest("windaw_", words, NW), "window");
    assert_null(trc_closest("seed", words, NW));
    assert_string_equal(trc_closest("stp", words, NW), "step");
    /* Exact words and far ones get nothing. */
    assert_null(trc_closest("--set", words, NW));
    assert_null(trc_closest("--zzzzzz", words, NW));
    assert_null(trc_closest("", words, NW));
    /* Words too long to compare are left alone rather than cut. */
    char longw[200];
    memset(longw, 'a', sizeof longw - 1);
    longw[sizeof longw - 1] = '\0';
    assert_null(trc_closest(longw, words, NW));
}

static void utf8_validation(void **st) {
    (void)st;
    const char ok[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
    assert_int_equal(trc_utf8_valid(ok, strlen(ok)), strlen(ok));
    /* A lone continuation byte, a truncated sequence, an overlong '/', a
    ** UTF-16 surrogate, a code point past U+10FFFF, a Latin-1 byte. */
    static const struct {
        const char *s;
        size_t at;
    } bad[] = {{"ab\x80", 2},          {"x\xe2\x82", 1},        {"\xc0\xaf", 0},
               {"ok\xed\xa0\x80", 2}, {"\xf4\x90\x80\x80", 0}, {"na\xefve", 2}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(trc_utf8_valid(bad[i].s, strlen(bad[i].s)), bad[i].at);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(closest_word),
        cmocka_unit_test(utf8_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
