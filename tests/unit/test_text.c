/*
** test_text.c: the text helpers (traces/text.c): the closest word to a
** misspelt one, UTF-8 validation, and the one escaping function of every
** message.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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

static void escapes_control_characters(void **st) {
    (void)st;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain text, 'quotes' and \\ backslash", "plain text, 'quotes' and \\ backslash"},
        {"a\nforged tick line", "a\\nforged tick line"},
        {"\r\t", "\\r\\t"},
        {"\x1b[2J\x1b]0;title\x07", "\\x1b[2J\\x1b]0;title\\x07"},
        {"\x7f\x01", "\\x7f\\x01"},
        {"C1 \xc2\x9b" "31m NEL \xc2\x85", "C1 \\u009b31m NEL \\u0085"},
        {"LS \xe2\x80\xa8 RLO \xe2\x80\xae", "LS \\u2028 RLO \\u202e"},
        {"not UTF-8 \x9b\xff", "not UTF-8 \\x9b\\xff"},
        {"caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[128];
        size_t n = trc_esc(buf, sizeof buf, cases[i].in);
        assert_string_equal(buf, cases[i].out);
        assert_int_equal(n, strlen(cases[i].out));
        /* Escaping escaped text changes nothing. */
        char again[128];
        trc_esc(again, sizeof again, buf);
        assert_string_equal(again, buf);
        assert_false(trc_has_ctl(buf));
        char *d = trc_esc_dup(cases[i].in);
        assert_string_equal(d, cases[i].out);
        free(d);
    }
    assert_true(trc_has_ctl("c4.\x1blarge"));
    assert_true(trc_has_ctl("us-east-1a\n"));
    assert_false(trc_has_ctl("c4.large"));
    /* Truncation never cuts an escape or a character in half. */
    char small[6];
    assert_int_equal(trc_esc(small, sizeof small, "ab\x1b"), 2);
    assert_string_equal(small, "ab");
    assert_int_equal(trc_esc(small, sizeof small, "abcd\xc3\xa9"), 4);
    assert_string_equal(small, "abcd");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(closest_word),
        cmocka_unit_test(utf8_validation),
        cmocka_unit_test(escapes_control_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
