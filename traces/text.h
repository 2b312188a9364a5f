/*
** text.h: small text helpers shared by the readers and the command line
** (text.c).
*/
#ifndef SPOTBENCH_TRACES_TEXT_H
#define SPOTBENCH_TRACES_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The candidate closest to `word` when it is a likely misspelling of it (one
** edit away for words under 6 characters, two for longer ones; a swap of two
** neighbours counts as one edit), else NULL. NULL entries are skipped; an
** exact match gives NULL (the word is not misspelt). */
const char *trc_closest(const char *word, const char *const *cands, size_t n);

/* The length of the longest prefix of s[0..n) that is valid UTF-8 (n when
** all of it is). */
size_t trc_utf8_valid(const char *s, size_t n);

/* A malloc'd copy of s with every byte that is not UTF-8 replaced by
** U+FFFD, for text that goes into JSON; NULL when out of memory. */
char *trc_utf8_clean(const char *s);

/* Text from outside (a server's error message, a key or value of an input
** file echoed in a message) made safe to print, log or store: the one
** escaping function every message goes through. Every control character
** becomes a visible escape: \n \r \t, other C0 bytes and DEL as \xHH, C1
** controls (U+0080-U+009F), the line and paragraph separators and the
** bidirectional overrides and isolates as \uXXXX, and each byte that is not
** UTF-8 as \xHH. A backslash is left as it is, so escaping escaped text
** changes nothing: messages may be escaped where they are built and again
** where they are printed. Writes at most n bytes with the NUL (never half
** an escape) and returns the length written. */
size_t trc_esc(char *buf, size_t n, const char *s);
/* The same into a malloc'd string (the caller frees); NULL when out of
** memory. */
char *trc_esc_dup(const char *s);
/* Does s hold a byte trc_esc would escape? For identifiers (an instance
** type, a group's name), which are refused rather than escaped. */
int trc_has_ctl(const char *s);

/* The value of the 8 decimal digits at s, 8 at a time (the bytes as one
** little-endian word: digit checks and the three multiplications of the
** usual SWAR conversion), or 0 when they are not all digits. The caller
** makes sure 8 bytes can be read at s. Epoch seconds have 10 digits: the
** CSV and JSON readers read most of them this way. */
static inline int trc_digits8(const char *s, uint64_t *out) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, s, 8);
    /* Each byte's value as a digit: 0 to 9 for digits, and then neither it
    ** nor it + 6 reaches 16. Below the lowest byte that is not a digit no
    ** borrow or carry crosses a byte, so that byte shows: below '0' it
    ** wraps to 0xD0 or more, above '9' it is 10 or more and + 6 is 16. */
    v -= 0x3030303030303030ULL;
    if ((v | (v + 0x0606060606060606ULL)) & 0xF0F0F0F0F0F0F0F0ULL) return 0;
    v = v * 10 + (v >> 8);
    v = ((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32)) +
         ((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32))) >> 32;
    *out = v;
    return 1;
#else
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
#endif
}

/* The common shapes of trace cells, read inline by the CSV readers (a trace
** has hundreds of thousands of rows) before the general reading, which
** gives the same values and every message (csv.c). s holds len bytes. */

/* Epoch seconds of exactly 10 digits: 2001 to 2286, today's times, well
** inside the range of times. Returns 1 with *out, else 0. */
static inline int trc_epoch10(const char *s, size_t len, int64_t *out) {
    uint64_t x;
    unsigned d8, d9;
    if (len != 10 || !trc_digits8(s, &x) || (d8 = (unsigned)(s[8] - '0')) > 9 ||
        (d9 = (unsigned)(s[9] - '0')) > 9)
        return 0;
    *out = (int64_t)(x * 100 + d8 * 10 + d9);
    return 1;
}

/* A decimal of 8 to 15 bytes with 1 to 8 decimals, the price's usual shape
** ("0.057030"): digits, a point, digits. At most 14 digits, so the digits
** and the power of ten are exact doubles and one division gives strtod's
** correctly rounded value (Clinger's fast path). The decimals, the text's
** last bytes, are read 8 bytes at once. Returns 1 with *out, else 0. */
static inline int trc_short_decimal(const char *s, size_t len, double *out) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
    static const uint64_t p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                   100000000};
    /* The bytes before the last nf of a word, nf from 1 to 8. */
    static const uint64_t lead[] = {0, 0x00FFFFFFFFFFFFFFULL, 0x0000FFFFFFFFFFFFULL,
                                    0x000000FFFFFFFFFFULL, 0x00000000FFFFFFFFULL,
                                    0x0000000000FFFFFFULL, 0x000000000000FFFFULL,
                                    0x00000000000000FFULL, 0};
    if (len < 8 || len > 15) return 0;
    uint64_t m = 0, x, w;
    const char *p = s;
    unsigned d = (unsigned)(s[0] - '0');
    if (d < 10 && s[1] == '.') { /* "0.057030": one digit, then the point */
        m = d;
        p++;
    } else {
        while ((d = (unsigned)(*p - '0')) < 10) {
            m = m * 10 + d;
            p++;
        }
    }
    size_t nf = len - (size_t)(p - s) - 1; /* the decimals, if *p is '.' */
    if (*p != '.' || nf - 1 >= 8) return 0; /* nf from 1 to 8 */
    /* The last 8 bytes, those before the decimals turned to '0's. */
    memcpy(&w, s + len - 8, 8);
    w = (w & ~lead[nf]) | (0x3030303030303030ULL & lead[nf]);
    char b[8];
    memcpy(b, &w, 8);
    if (!trc_digits8(b, &x)) return 0;
    *out = (double)(int64_t)(m * p10[nf] + x) / pow10[nf];
    return 1;
#else
    (void)s, (void)len, (void)out;
    return 0;
#endif
}

#endif
