/*
** g17.c: printf's "%.17g" for doubles, fast, for the exported timeseries
** (why: store.h). "%.17g" is what the store writes every double
** as text with, because it reads back to the same bits.
**
** How: a finite v is f * 2^e exactly (f an integer below 2^53). Its 17
** significant digits are D = v * 10^q rounded, for the q that puts D in
** [10^16, 10^17). With q >= 0, v * 10^q = f * 5^q * 2^(e + q): one exact
** multiply (below 2^105 for q <= 22) and one shift, rounding half to even on
** the bits shifted out. From D and the decimal exponent, "%g" picks fixed
** notation (exponent -4 .. 16 at precision 17) and drops trailing zeros.
** Anything outside the fast range goes to snprintf, so results never differ.
*/
#include "store/store.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __SIZEOF_INT128__

typedef unsigned __int128 u128;

/* 5^0 .. 5^22 */
static const uint64_t pow5[23] = {
    1ull,
    5ull,
    25ull,
    125ull,
    625ull,
    3125ull,
    15625ull,
    78125ull,
    390625ull,
    1953125ull,
    9765625ull,
    48828125ull,
    244140625ull,
    1220703125ull,
    6103515625ull,
    30517578125ull,
    152587890625ull,
    762939453125ull,
    3814697265625ull,
    19073486328125ull,
    95367431640625ull,
    476837158203125ull,
    2384185791015625ull,
};

#define E16 10000000000000000ull
#define E17 100000000000000000ull

/* round(f * 2^e * 10^q), half to even; 0 <= q <= 22, |e + q| < 128. */
static uint64_t scaled(uint64_t f, int e, int q) {
    u128 n = (u128)f * pow5[q];
    int s = e + q;
    if (s >= 0) return (uint64_t)(n << s); /* exact; the caller bounds it */
    u128 d = n >> -s;
    u128 rem = n - (d << -s);
    u128 half = (u128)1 << (-s - 1);
    if (rem > half || (rem == half && (d & 1))) d++;
    return (uint64_t)d;
}

/* The fast path; -1 when v is outside it. */
static int fast(double v, char *out) {
    double a = fabs(v);
    if (!(a >= 1e-4 && a < 1e16)) return -1; /* also NaN */
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    uint64_t f = (bits & ((1ull << 52) - 1)) | (1ull << 52); /* normal */
    int e = (int)(bits >> 52) - 1075;

    /* The decimal exponent: log10's guess, corrected by what D says. */
    int x = (int)floor(log10(a));
    uint64_t d = 0;
    int tries;
    for (tries = 0; tries < 3; tries++) {
        int q = 16 - x;
        if (q < 0 || q > 22) return -1;
        d = scaled(f, e, q);
        if (d >= E17) x++;
        else if (d < E16) x--;
        else break;
    }
    if (tries == 3 || x < -4 || x > 16) return -1;

    char dig[17];
    for (int i = 16; i >= 0; i--) {
        dig[i] = (char)('0' + d % 10);
        d /= 10;
    }
    int nd = 17; /* significant digits left once trailing zeros go */
    while (nd > 1 && dig[nd - 1] == '0') nd--;

    char *o = out;
    if (v < 0) *o++ = '-';
    if (x >= 0) {
        int ip = x + 1; /* integer digits */
        for (int i = 0; i < ip; i++) *o++ = dig[i];
        if (nd > ip) {
            *o++ = '.';
            for (int i = ip; i < nd; i++) *o++ = dig[i];
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -x - 1; i++) *o++ = '0';
        for (int i = 0; i < nd; i++) *o++ = dig[i];
    }
    *o = '\0';
    return (int)(o - out);
}

int st_g17(double v, char *out) {
    int n = fast(v, out);
    return n >= 0 ? n : snprintf(out, ST_G17_MAX, "%.17g", v);
}

#else /* no 128-bit integers: always the C library */

int st_g17(double v, char *out) {
    return snprintf(out, ST_G17_MAX, "%.17g", v);
}

#endif
