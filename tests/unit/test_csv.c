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
#include <unistd.h>
#include <cmocka.h>
#include <dlfcn.h>

#include "traces/text.h"
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
    assert_string_equal(err,
                        "t.csv:3: Timestamp: '253402300800' is out of range (after year 9999)");
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

/* The inline readers of the common shapes (text.h) take exactly their
** shapes, with strtod's value and the digits' value, and refuse every
** other text, which the general reading then gets (its messages are in
** rejects_with_line_and_column and reader_messages). */
static void common_shapes_read_inline(void **st) {
    (void)st;
    static const struct {
        const char *s;
        int ok;
    } dec[] = {
        {"0.057030", 1},         {"12345.12345678", 1},   {"00000.00000001", 1},
        {".1234567", 1},         {"1234567.8", 1},        {"99999.999999999", 0}, /* 9 decimals */
        {"0.05703", 0},          /* 7 bytes: the general way */
        {"0.0570300000000001", 0}, /* 18 bytes, 16 digits */
        {"5.7030e-2", 0},        {"0.05703e0", 0},        {"-0.05703", 0},
        {"+0.05703", 0},         {"0.057 30", 0},         {"0.0570,3", 0},
        {"12345678", 0},         {"1234567.", 0},         {"0x1.8p-4", 0},
        {"0.5703a0", 0},         {"0..57030", 0},         {"inf.0000", 0},
    };
    for (size_t i = 0; i < sizeof dec / sizeof dec[0]; i++) {
        double v = -1;
        int ok = trc_short_decimal(dec[i].s, strlen(dec[i].s), &v);
        if (ok != dec[i].ok) fail_msg("'%s': %d", dec[i].s, ok);
        double want = strtod(dec[i].s, NULL);
        if (ok && memcmp(&v, &want, sizeof v) != 0)
            fail_msg("'%s': %.17g, strtod %.17g", dec[i].s, v, want);
    }
    /* Every length from 8 to 15 with every count of decimals from 1 to 8,
    ** the digits drawn at random: strtod's value each time. */
    uint64_t x = 4242;
    for (int len = 8; len <= 15; len++)
        for (int nf = 1; nf <= 8 && nf < len; nf++)
            for (int k = 0; k < 200; k++) {
                char s[16];
                for (int i = 0; i < len; i++) {
                    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                    s[i] = (char)('0' + (x >> 33) % 10);
                }
                s[len - nf - 1] = '.';
                s[len] = '\0';
                double v, want = strtod(s, NULL);
                assert_int_equal(trc_short_decimal(s, (size_t)len, &v), 1);
                if (memcmp(&v, &want, sizeof v) != 0)
                    fail_msg("'%s': %.17g, strtod %.17g", s, v, want);
            }

    /* trc_digits8 under both: every byte value at every place of
    ** "31415926", and two bytes out of range at once (a borrow). */
    for (int at = 0; at < 8; at++)
        for (int c = 0; c < 256; c++) {
            char b[8];
            memcpy(b, "31415926", 8);
            b[at] = (char)c;
            uint64_t x, want = 0;
            for (int i = 0; i < 8; i++) want = want * 10 + (uint64_t)(b[i] - '0');
            int digit = c >= '0' && c <= '9';
            if (trc_digits8(b, &x) != digit) fail_msg("byte %d at %d", c, at);
            if (digit) assert_true(x == want);
            b[(at + 3) % 8] = '/'; /* just below '0' */
            assert_int_equal(trc_digits8(b, &x), 0);
        }

    int64_t t = -1;
    assert_int_equal(trc_epoch10("1451606400", 10, &t), 1);
    assert_int_equal(t, 1451606400LL);
    assert_int_equal(trc_epoch10("0000000042", 10, &t), 1);
    assert_int_equal(t, 42);
    assert_int_equal(trc_epoch10("9999999999", 10, &t), 1);
    assert_int_equal(t, 9999999999LL);
    static const char *const not_epoch10[] = {
        "145160640",  "14516064000", "145160640x", "14516064x0", "x451606400",
        " 451606400", "1451606.40",  "-451606400", "2016-01-01", "1451606400Z"};
    for (size_t i = 0; i < sizeof not_epoch10 / sizeof not_epoch10[0]; i++)
        if (trc_epoch10(not_epoch10[i], strlen(not_epoch10[i]), &t))
            fail_msg("'%s' read as epoch seconds", not_epoch10[i]);
}

/* Epoch seconds of 1 to 11 digits read as their value (computed digit by
** digit here), 19 digits out of range, a letter among digits refused. */
static void epoch_seconds_read_exactly(void **st) {
    (void)st;
    enum { N = 30000 };
    static char text[N * 32];
    size_t len = (size_t)sprintf(text, "Timestamp,Price\n");
    uint64_t x = 987654321;
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int nd = 1 + (int)((x >> 40) % 11); /* below year 9999's 12 digits */
        for (int k = 0; k < nd; k++) text[len++] = (char)('0' + (x >> (k * 3)) % 10);
        len += (size_t)sprintf(text + len, ",1\n");
    }
    len += (size_t)sprintf(text + len, "1234567890123456789,1\n12345a78,1\n");
    trc_csv t;
    char err[256];
    assert_int_equal(trc_csv_parse("t.csv", text, len, cols, 2, &t, err, sizeof err), 0);
    for (size_t r = 0; r < N; r++) {
        const char *c = trc_csv_cell(&t, r, 0);
        int64_t want = 0, got;
        for (const char *p = c; *p; p++) want = want * 10 + (*p - '0');
        assert_int_equal(trc_csv_time(&t, r, 0, &got, err, sizeof err), 0);
        if (got != want) fail_msg("'%s': %lld", c, (long long)got);
    }
    int64_t v;
    assert_int_equal(trc_csv_time(&t, N, 0, &v, err, sizeof err), -1);
    assert_non_null(strstr(err, "is out of range"));
    assert_int_equal(trc_csv_time(&t, N + 1, 0, &v, err, sizeof err), -1);
    assert_non_null(strstr(err, "is not an ISO-8601 UTC time or epoch seconds"));
    trc_csv_free(&t);
}

/* Writes `len` bytes to a new file under /tmp; returns its path (static). */
static const char *temp_file(const char *text, size_t len) {
    static char path[64];
    snprintf(path, sizeof path, "/tmp/spotbench-csv-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    return path;
}

/* FNV-1a 64, byte by byte, as the reference for the reader's hash. */
static uint64_t fnv_ref(const char *p, size_t n) {
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

/* XXH64 as xxHash's own library computes it (Debian: libxxhash0), the
** reference for trc_hash's; NULL when the library is not installed. */
typedef unsigned long long (*xxh64_fn)(const void *, size_t, unsigned long long);
static xxh64_fn xxh64_ref(void) {
    static void *lib;
    if (!lib) lib = dlopen("libxxhash.so.0", RTLD_NOW);
    return lib ? (xxh64_fn)dlsym(lib, "XXH64") : NULL;
}

/* trc_hash's XXH64 is xxHash's: the specification's value of the empty
** input, and the library's of every length up to 300 and of 100 kB, fed in
** pieces of every split (1..40 bytes, then all at once); each piece is
** seeded with the digest before it. FNV-1a's cuts change nothing. */
/* trc_key64 keys a table: equal keys hash alike wherever they lie; a key
** whose any one byte, length or seed differs hashes otherwise (every
** length 0..40, every position, three byte values); and 1,000 pool keys
** (instance type, AZ) spread over a 2,048-slot index as a random function
** would: 2048 (1 - e^(-1000/2048)) = 795 slots used on average, 750 is
** more than 3 standard deviations (~12) below it. */
static void key64_keys_a_table(void **st) {
    (void)st;
    unsigned char key[48], other[49];
    for (size_t n = 0; n <= 40; n++) {
        for (size_t i = 0; i < n; i++) key[i] = (unsigned char)('a' + i % 26);
        uint64_t h = trc_key64(7, key, n);
        memcpy(other + 1, key, n); /* another address, another alignment */
        assert_true(trc_key64(7, other + 1, n) == h);
        assert_true(trc_key64(8, key, n) != h);
        memset(other, 0, sizeof other);
        memcpy(other, key, n);
        assert_true(trc_key64(7, other, n + 1) != h); /* one more (NUL) byte */
        for (size_t i = 0; i < n; i++) {
            const unsigned char vals[] = {0, 'a' + 1, 0xff};
            for (size_t k = 0; k < sizeof vals; k++) {
                unsigned char was = key[i];
                if (vals[k] == was) continue;
                key[i] = vals[k];
                assert_true(trc_key64(7, key, n) != h);
                key[i] = was;
            }
        }
    }
    static const char *const types[] = {"c5", "c5d", "c6i", "m5", "m5a", "m6i", "r5",
                                        "r5b", "r6g", "t3"};
    static const char *const sizes[] = {"large", "xlarge", "2xlarge", "4xlarge",
                                        "8xlarge"};
    static const char *const azs[] = {"us-east-1a", "us-east-1b", "us-east-1c",
                                      "us-east-1d", "us-east-1f", "us-west-2a",
                                      "us-west-2b", "us-west-2-lax-1a", "eu-west-1a",
                                      "eu-west-1b", "ap-south-1a", "sa-east-1c",
                                      "ca-central-1a", "eu-central-1b", "us-east-2a",
                                      "us-east-2b", "us-east-2c", "eu-north-1a",
                                      "ap-northeast-1a", "ap-northeast-1c"};
    static unsigned char used[2048];
    size_t slots = 0, keys = 0;
    for (size_t t = 0; t < 10; t++)
        for (size_t z = 0; z < 5; z++)
            for (size_t a = 0; a < 20; a++) {
                char type[32];
                snprintf(type, sizeof type, "%s.%s", types[t], sizes[z]);
                uint64_t h = trc_key64(trc_key64(0, type, strlen(type)), azs[a], strlen(azs[a]));
                size_t i = (size_t)(h ^ (h >> 32)) & 2047;
                slots += !used[i];
                used[i] = 1;
                keys++;
            }
    assert_int_equal(keys, 1000);
    assert_true(slots >= 750);
}

static void hash_is_xxh64_by_piece(void **st) {
    (void)st;
    trc_hash s;
    trc_hash_init(&s, TRC_HASH_XXH64);
    trc_hash_cut(&s);
    assert_true(s.h == 0xEF46DB3751D8E999ULL); /* XXH64 of no bytes, seed 0 */
    size_t big = 100000;
    unsigned char *buf = malloc(big);
    assert_non_null(buf);
    for (size_t i = 0; i < big; i++) buf[i] = (unsigned char)(i * 2654435761u >> 13);
    xxh64_fn ref = xxh64_ref();
    if (!ref) {
        free(buf);
        skip(); /* the library is the independent reference */
    }
    trc_hash_init(&s, TRC_HASH_XXH64);
    uint64_t want = 0;
    for (size_t n = 0; n <= 301; n++) {
        size_t len = n == 301 ? big : n;
        for (size_t step = 1; step <= 41; step += (len > 300 ? 8 : 1)) {
            trc_hash_set(&s, want);
            size_t chunk = step == 41 ? len + 1 : step;
            for (size_t o = 0; o < len; o += chunk)
                trc_hash_add(&s, buf + o, len - o < chunk ? len - o : chunk);
            trc_hash_cut(&s);
            assert_true(s.h == ref(buf, len, want));
        }
        want = s.h; /* the next length: seeded with this digest */
    }
    trc_hash_init(&s, TRC_HASH_FNV1A);
    trc_hash_add(&s, "ab", 2);
    trc_hash_cut(&s);
    trc_hash_add(&s, "c", 1);
    trc_hash_cut(&s);
    assert_true(s.h == fnv_ref("abc", 3));
    free(buf);
}

/* The streaming reader gives the rows a whole table gives, across block
** boundaries (a text of several hundred kilobytes, read ahead: one line
** longer than a block, some longer than the room before a read-ahead
** block's text, quoted and padded fields between plain ones, CRLF, a last
** line without its newline), and folds every byte into the hash exactly
** once. */
static void reader_streams_what_the_table_reads(void **st) {
    (void)st;
    size_t cap = 2 << 20, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)sprintf(text + len, "\xEF\xBB\xBF# prices\nTimestamp,Price,Note\n");
    for (int i = 0; i < 30000; i++) {
        if (i == 777) { /* one note longer than a block */
            len += (size_t)sprintf(text + len, "%d,1.5,\"", i);
            for (int k = 0; k < 100000; k++) text[len++] = k % 26 + 'a';
            len += (size_t)sprintf(text + len, "\"\n");
        } else if (i % 1500 == 11) {
            /* A note longer than the room kept in front of a read-ahead
            ** block (4096), shorter than a block: the text copied out. */
            len += (size_t)sprintf(text + len, "%d,2.5,", i);
            for (int k = 0; k < 4000 + i % 3000; k++) text[len++] = k % 26 + 'A';
            text[len++] = '\n';
        } else if (i % 1000 == 3) {
            len += (size_t)sprintf(text + len, " %d , 0.%d ,\"a,\"\"b\"\"\"\r\n", i, i);
        } else if (i % 5000 == 7) { /* a blank line and a comment first */
            len += (size_t)sprintf(text + len, "\n# comment %d\n%d,1,x\n", i, i);
        } else {
            len += (size_t)sprintf(text + len, "%d,%d.25,n%d\n", i, i % 97, i);
        }
    }
    len += (size_t)sprintf(text + len, "30000,7,last");
    assert_true(len < cap);
    trc_csv t;
    char err[256];
    assert_int_equal(trc_csv_parse("t.csv", text, len, cols, 3, &t, err, sizeof err), 0);
    const char *path = temp_file(text, len);
    trc_hash h;
    trc_hash_init(&h, TRC_HASH_FNV1A);
    trc_csv_reader *r;
    assert_int_equal(trc_csv_open(path, cols, 3, &h, &r, err, sizeof err), 0);
    size_t row = 0;
    int k;
    while ((k = trc_csv_next(r, err, sizeof err)) == 1) {
        assert_true(row < t.nrows);
        assert_int_equal(trc_csv_line(r), t.line[row]);
        const size_t *lens;
        const char *const *cells = trc_csv_cells(r, &lens);
        for (size_t c = 0; c < 3; c++) {
            size_t n;
            const char *cell = trc_csv_get(r, c, &n);
            assert_string_equal(cell, trc_csv_cell(&t, row, c));
            assert_int_equal(n, strlen(cell));
            assert_ptr_equal(cells[c], cell);
            assert_int_equal(lens[c], n);
        }
        double a, b;
        assert_int_equal(trc_csv_rnumber(r, 1, &a, err, sizeof err), 0);
        assert_int_equal(trc_csv_number(&t, row, 1, &b, err, sizeof err), 0);
        assert_true(a == b);
        row++;
    }
    assert_int_equal(k, 0);
    assert_int_equal(row, t.nrows);
    assert_int_equal(row, 30001);
    assert_true(h.h == fnv_ref(text, len));
    trc_csv_close(r);
    unlink(path);
    trc_csv_free(&t);
    free(text);
}

/* Row i's cells as written: a time, a price and a note of lengths that move
** every comma and quote across every offset of a 16-byte block; every fifth
** note is quoted with a doubled quote inside, others end in a blank that is
** not part of the cell (either makes the line need the general splitter),
** every seventh is empty. */
static void split_row(int i, char *t, char *p, char *note, char *line) {
    int nt = 1 + i % 13, np = i % 17, nn = i % 23;
    for (int k = 0; k < nt; k++) t[k] = (char)('1' + (i + k) % 9);
    t[nt] = '\0';
    p[0] = '0';
    p[1] = '.';
    for (int k = 0; k < np; k++) p[2 + k] = (char)('0' + (i * 7 + k) % 10);
    p[2 + np] = '\0';
    if (i % 7 == 0) nn = 0;
    for (int k = 0; k < nn; k++) note[k] = (char)('a' + (i + k) % 26);
    note[nn] = '\0';
    if (i % 5 == 0 && nn) {
        sprintf(line, "%s,%s,\"%.*s\"\"%s\"\n", t, p, nn / 2, note, note + nn / 2);
        memmove(note + nn / 2 + 1, note + nn / 2, (size_t)(nn - nn / 2) + 1);
        note[nn / 2] = '"';
    } else if (i % 3 == 1) { /* one blank, the only byte to trim, anywhere */
        sprintf(line, "%s,%s,%s \n", t, p, note);
    } else {
        sprintf(line, "%s,%s,%s\n", t, p, note);
    }
}

/* The reader's cells are the ones written, whatever the line's length and
** wherever its commas and quotes fall; in a small file (hashed in the scan)
** and in a large one (read ahead and hashed on a thread, the hash started
** from a state other than the usual start), and the hash is the bytes', with
** either algorithm (XXH64: the file one piece, seeded with the start). */
static void reader_splits_lines_of_every_shape(void **st) {
    (void)st;
    for (int large = 0; large < 4; large++) {
        trc_hash_alg alg = large & 2 ? TRC_HASH_XXH64 : TRC_HASH_FNV1A;
        int rows = large & 1 ? 40000 : 600; /* about 1.2 MB, about 18 kB */
        size_t cap = 64 + (size_t)rows * 64, len = 0;
        char *text = malloc(cap);
        assert_non_null(text);
        len += (size_t)sprintf(text, "Timestamp,Price,Note\n");
        char t[32], p[32], note[40], line[128];
        for (int i = 0; i < rows; i++) {
            split_row(i, t, p, note, line);
            len += (size_t)sprintf(text + len, "%s", line);
        }
        assert_true(len < cap);
        const char *path = temp_file(text, len);
        uint64_t start = 0x0123456789abcdefULL, want = start;
        trc_hash h;
        trc_hash_init(&h, alg);
        trc_hash_set(&h, start);
        if (alg == TRC_HASH_FNV1A)
            for (size_t k = 0; k < len; k++)
                want = (want ^ (unsigned char)text[k]) * 1099511628211ULL;
        else if (xxh64_ref())
            want = xxh64_ref()(text, len, start);
        trc_csv_reader *r;
        char err[256];
        assert_int_equal(trc_csv_open(path, cols, 3, &h, &r, err, sizeof err), 0);
        int i = 0, k;
        while ((k = trc_csv_next(r, err, sizeof err)) == 1) {
            split_row(i, t, p, note, line);
            assert_string_equal(trc_csv_get(r, 0, NULL), t);
            assert_string_equal(trc_csv_get(r, 1, NULL), p);
            assert_string_equal(trc_csv_get(r, 2, NULL), note);
            assert_int_equal(trc_csv_line(r), i + 2);
            i++;
        }
        assert_int_equal(k, 0);
        assert_int_equal(i, rows);
        if (alg == TRC_HASH_FNV1A || xxh64_ref()) assert_true(h.h == want);
        trc_csv_close(r);

        /* Closed after a few rows: the read-ahead stops, nothing leaks. */
        trc_hash_set(&h, start);
        assert_int_equal(trc_csv_open(path, cols, 3, &h, &r, err, sizeof err), 0);
        for (int n = 0; n < 3; n++) assert_int_equal(trc_csv_next(r, err, sizeof err), 1);
        trc_csv_close(r);
        unlink(path);
        free(text);
    }
}

/* A reader's messages are a table's: header errors at open, row errors at
** the row, cells with file, line and column. */
static void reader_messages(void **st) {
    (void)st;
    char err[256];
    trc_csv_reader *r;
    const char *bad_header = "Timestamp,Cost\n1,2\n";
    const char *path = temp_file(bad_header, strlen(bad_header));
    assert_int_equal(trc_csv_open(path, cols, 4, NULL, &r, err, sizeof err), -1);
    assert_null(r);
    assert_non_null(strstr(err, ":1: unknown column 'Cost'"));
    unlink(path);

    const char *rows = "Timestamp,Price\n1,2\n2,x\n3\n";
    path = temp_file(rows, strlen(rows));
    assert_int_equal(trc_csv_open(path, cols, 4, NULL, &r, err, sizeof err), 0);
    assert_true(trc_csv_has(r, 1) && !trc_csv_has(r, 2));
    assert_null(trc_csv_get(r, 2, NULL));
    assert_int_equal(trc_csv_next(r, err, sizeof err), 1);
    const size_t *lens;
    const char *const *cells = trc_csv_cells(r, &lens); /* absent columns: NULL */
    assert_string_equal(cells[0], "1");
    assert_string_equal(cells[1], "2");
    assert_true(lens[1] == 1 && !cells[2] && !cells[3]);
    assert_int_equal(trc_csv_next(r, err, sizeof err), 1);
    double v;
    assert_int_equal(trc_csv_rnumber(r, 1, &v, err, sizeof err), -1);
    char want[300];
    snprintf(want, sizeof want, "%s:3: Price: 'x' is not a number", path);
    assert_string_equal(err, want);
    assert_int_equal(trc_csv_next(r, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:4: 1 fields, the header has 2", path);
    assert_string_equal(err, want);
    trc_csv_close(r);
    unlink(path);

    assert_int_equal(trc_csv_open("/nonexistent/p.csv", cols, 4, NULL, &r, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "/nonexistent/p.csv: "));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_cells_by_expected_column),
        cmocka_unit_test(numbers_reject_non_trace_spellings),
        cmocka_unit_test(rejects_with_line_and_column),
        cmocka_unit_test(decimals_read_exactly_as_strtod),
        cmocka_unit_test(epoch_seconds_read_exactly),
        cmocka_unit_test(common_shapes_read_inline),
        cmocka_unit_test(reader_streams_what_the_table_reads),
        cmocka_unit_test(hash_is_xxh64_by_piece),
        cmocka_unit_test(key64_keys_a_table),
        cmocka_unit_test(reader_messages),
        cmocka_unit_test(reader_splits_lines_of_every_shape),
        cmocka_unit_test(quoted_fields_span_lines),
        cmocka_unit_test(quote_round_trip),
        cmocka_unit_test(times_stop_at_year_9999),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
