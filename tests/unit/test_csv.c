/*
** test_csv.c: the generic CSV table reader (traces/csv.c): header matching,
** quoting, skipped lines, and messages naming file, line and column.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "traces/traces.h"

static const trc_csv_col cols[] = {
    {"Timestamp", 0}, {"Price", 0}, {"Note", 1}, {"Extra", 1}};

static int parse(const char *text, trc_csv *t, char *err) {
    return trc_csv_parse("t.csv", text, strlen(text), cols, 4, t, err, 256);
}

static void reads_cells_by_expected_column(void **st) {
    (void)st;
    trc_csv t;
    char err[256];
    const char *text = "\xEF\xBB\xBF# a comment\n"
                       "Timestamp, Price ,Extra\r\n"
                       "\n"
                       "2017-03-01T12:00:00Z,0.25,\"a, \"\"quoted\"\" x\"\r\n"
                       "   # indented comment\n"
                       "1488369660,  1e-1 ,\n"
                       "1488369720,2,last";
    assert_int_equal(parse(text, &t, err), 0);
    assert_int_equal(t.nrows, 3);
    assert_true(t.present[0] && t.present[1] && !t.present[2] && t.present[3]);
    assert_null(trc_csv_cell(&t, 0, 2));
    assert_string_equal(trc_csv_cell(&t, 0, 3), "a, \"quoted\" x");
    assert_string_equal(trc_csv_cell(&t, 1, 3), "");
    assert_string_equal(trc_csv_cell(&t, 2, 3), "last");
    assert_int_equal(t.line[0], 4);
    assert_int_equal(t.line[1], 6);
    assert_int_equal(t.line[2], 7);
    int64_t ts;
    double v;
    assert_int_equal(trc_csv_time(&t, 0, 0, &ts, err, sizeof err), 0);
    assert_int_equal(ts, 1488369600LL);
    assert_int_equal(trc_csv_time(&t, 1, 0, &ts, err, sizeof err), 0);
    assert_int_equal(ts, 1488369660LL);
    assert_int_equal(trc_csv_number(&t, 1, 1, &v, err, sizeof err), 0);
    assert_true(v == 0.1);
    assert_int_equal(trc_csv_number(&t, 1, 3, &v, err, sizeof err), -1);
    assert_string_equal(err, "t.csv:6: Extra: is empty");
    assert_int_equal(trc_csv_number(&t, 2, 3, &v, err, sizeof err), -1);
    assert_string_equal(err, "t.csv:7: Extra: 'last' is not a number");
    assert_int_equal(trc_csv_time(&t, 2, 3, &ts, err, sizeof err), -1);
    assert_string_equal(err, "t.csv:7: Extra: 'last' is not an ISO-8601 UTC "
                             "time or epoch seconds");
    trc_csv_fail(&t, 2, 1, err, sizeof err, "must be <= %d", 1);
    assert_string_equal(err, "t.csv:7: Price: must be <= 1");
    trc_csv_free(&t);
    trc_csv_free(&t); /* harmless twice */
}

/* Times run to 9999-12-31T23:59:59Z: what the ISO text written can hold,
** so a time read is a time that writes back readable. */
static void times_stop_at_year_9999(void **st) {
    (void)st;
    trc_csv t;
    char err[256];
    assert_int_equal(parse("Timestamp,Price\n253402300799,1\n253402300800,1\n", &t, err), 0);
    int64_t ts;
    assert_int_equal(trc_csv_time(&t, 0, 0, &ts, err, sizeof err), 0);
    char buf[32];
    trc_time_format(ts, buf, sizeof buf);
    assert_string_equal(buf, "9999-12-31T23:59:59Z");
    assert_int_equal(trc_csv_time(&t, 1, 0, &ts, err, sizeof err), -1);
    assert_string_equal(err, "t.csv:3: Timestamp: '253402300800' is out of range (after year 9999)");
    trc_csv_free(&t);
}

static void numbers_reject_non_trace_spellings(void **st) {
    (void)st;
    trc_csv t;
    char err[256];
    assert_int_equal(
        parse("Timestamp,Price\n1,nan\n1,inf\n1,0x10\n1,1e999\n1,1.5x\n", &t,
              err),
        0);
    double v;
    for (size_t r = 0; r < t.nrows; r++)
        if (trc_csv_number(&t, r, 1, &v, err, sizeof err) == 0)
            fail_msg("row %zu accepted", r);
    trc_csv_free(&t);
}

static void rejects_with_line_and_column(void **st) {
    (void)st;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"", "t.csv: no header row (expected Timestamp,...)"},
        {"# only a comment\n\n", "t.csv: no header row (expected Timestamp,...)"},
        {"Timestamp,Cost\n",
         "t.csv:1: unknown column 'Cost' (the header must be "
         "Timestamp,Price,[Note],[Extra])"},
        {"Timestamp\n", "t.csv:1: missing column 'Price' (the header must be "
                        "Timestamp,Price,[Note],[Extra])"},
        {"Price,Timestamp\n",
         "t.csv:1: missing column 'Timestamp' (the header must be "
         "Timestamp,Price,[Note],[Extra])"},
        {"Timestamp,Price,Extra,Note\n",
         "t.csv:1: column 'Note' out of order (the header must be "
         "Timestamp,Price,[Note],[Extra])"},
        {"Timestamp,Price,Price\n", "t.csv:1: duplicate column 'Price'"},
        {"Timestamp,Price,Note,Extra,More\n",
         "t.csv:1: unknown column 'More' (the header must be "
         "Timestamp,Price,[Note],[Extra])"},
        {"Timestamp,Price\n1,2\n\n1,2,3\n", "t.csv:4: 3 fields, the header has 2"},
        {"Timestamp,Price\n1\n", "t.csv:2: 1 fields, the header has 2"},
        {"Timestamp,Price\n1,\"2\n", "t.csv:2: field 2: unterminated quote"},
        {"Timestamp,Price\n1,\"2\"x\n",
         "t.csv:2: field 2: text after the closing quote"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        trc_csv t;
        char err[256] = "";
        if (parse(cases[i].text, &t, err) == 0)
            fail_msg("case %zu accepted", i);
        assert_string_equal(err, cases[i].msg);
        assert_null(t.buf);
    }
    trc_csv t;
    char err[256];
    const char nul[] = "Timestamp,Price\n1,\0002\n";
    assert_int_equal(trc_csv_parse("t.csv", nul, sizeof nul - 1, cols, 4, &t,
                                   err, sizeof err),
                     -1);
    assert_string_equal(err, "t.csv:2: NUL byte (not a text file?)");
}

/* RFC 4180: a quoted field holds ',', '"' (doubled) and line breaks; the
** records after it keep their true line numbers. */
static void quoted_fields_span_lines(void **st) {
    (void)st;
    trc_csv t;
    char err[256];
    const char *text = "Timestamp,Price,Note\n"
                       "1,2,\"two\nlines, and \"\"quotes\"\"\"\r\n"
                       "3,4,\"  kept blanks \"\n"
                       "5,6,plain\n";
    assert_int_equal(parse(text, &t, err), 0);
    assert_int_equal(t.nrows, 3);
    assert_string_equal(trc_csv_cell(&t, 0, 2), "two\nlines, and \"quotes\"");
    assert_string_equal(trc_csv_cell(&t, 1, 2), "  kept blanks ");
    assert_string_equal(trc_csv_cell(&t, 2, 2), "plain");
    assert_int_equal(t.line[0], 2);
    assert_int_equal(t.line[1], 4);
    assert_int_equal(t.line[2], 5);
    trc_csv_free(&t);
    assert_int_equal(parse("Timestamp,Price\n1,\"a\nb\nc\"x\n", &t, err), -1);
    assert_string_equal(err, "t.csv:4: field 2: text after the closing quote");
}

/* What trc_csv_quote writes, trc_csv_parse reads back as it was. */
static void quote_round_trip(void **st) {
    (void)st;
    static const char *const values[] = {
        "c4.large", "a,b", "say \"hi\"", "line\nbreak", "cr\r\nlf", " lead",
        "trail\t", "#hash", "\"", ",", "plain-value_1.2"};
    enum { NV = sizeof values / sizeof values[0] };
    char text[4096];
    size_t len = (size_t)snprintf(text, sizeof text, "Timestamp,Price,Note\n");
    for (size_t i = 0; i < NV; i++) {
        char q[64];
        size_t n = trc_csv_quote(q, sizeof q, values[i]);
        assert_true(n < sizeof q);
        assert_int_equal(n, strlen(q));
        len += (size_t)snprintf(text + len, sizeof text - len, "%zu,1,%s\n", i, q);
    }
    /* Plain values are written as they are. */
    char q[64];
    trc_csv_quote(q, sizeof q, "c4.large");
    assert_string_equal(q, "c4.large");
    trc_csv_quote(q, sizeof q, "a\"b");
    assert_string_equal(q, "\"a\"\"b\"");
    trc_csv t;
    char err[256];
    assert_int_equal(trc_csv_parse("t.csv", text, len, cols, 4, &t, err, sizeof err), 0);
    assert_int_equal(t.nrows, NV);
    for (size_t i = 0; i < NV; i++) assert_string_equal(trc_csv_cell(&t, i, 2), values[i]);
    trc_csv_free(&t);
}

/* The fast decimal path must give strtod's exact double: compare on many
** numbers of the shapes traces hold (prices with 1-15 digits, 0-8 decimals). */
static void decimals_read_exactly_as_strtod(void **st) {
    (void)st;
    enum { N = 20000 };
    static char text[N * 40];
    size_t len = (size_t)sprintf(text, "Timestamp,Price\n");
    uint64_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int decimals = (int)((x >> 33) % 9);
        unsigned long long mant = (x >> 20) % 1000000000000ULL;
        if (i % 3 == 0) mant %= 100000; /* short ones too */
        char num[40];
        int n = sprintf(num, "%llu", mant);
        if (decimals && decimals < n) { /* put a point inside the digits */
            memmove(num + n - decimals + 1, num + n - decimals, (size_t)decimals + 1);
            num[n - decimals] = '.';
        }
        len += (size_t)sprintf(text + len, "%d,%s\n", i, num);
    }
    trc_csv t;
    char err[256];
    assert_int_equal(trc_csv_parse("t.csv", text, len, cols, 2, &t, err, sizeof err), 0);
    for (size_t r = 0; r < t.nrows; r++) {
        double v;
        assert_int_equal(trc_csv_number(&t, r, 1, &v, err, sizeof err), 0);
        double want = strtod(trc_csv_cell(&t, r, 1), NULL);
        if (memcmp(&v, &want, sizeof v) != 0)
            fail_msg("'%s': %.17g, strtod %.17g", trc_csv_cell(&t, r, 1), v, want);
    }
    trc_csv_free(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_cells_by_expected_column),
        cmocka_unit_test(numbers_reject_non_trace_spellings),
        cmocka_unit_test(rejects_with_line_and_column),
        cmocka_unit_test(decimals_read_exactly_as_strtod),
        cmocka_unit_test(quoted_fields_span_lines),
        cmocka_unit_test(quote_round_trip),
        cmocka_unit_test(times_stop_at_year_9999),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
