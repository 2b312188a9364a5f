/*
** hash.c: the hash that identifies a scenario's input (its file, its traces,
** its --set overrides), fed piece by piece as the bytes are read.
**
** Two algorithms:
**   TRC_HASH_XXH64  each piece (a file, an override) is hashed with XXH64
**                   (xxHash's 64-bit function, public specification:
**                   github.com/Cyan4973/xxHash doc/xxhash_spec.md), seeded
**                   with the previous piece's digest (0 for the first); the
**                   last digest is the hash. Four independent lanes of
**                   8 bytes: about 0.1 CPU cycle a byte.
**   TRC_HASH_FNV1A  FNV-1a 64 over every byte of every piece in order, one
**                   multiplication a byte (about 4 cycles a byte, 17 % of a
**                   one-year run's CPU): the hash of databases of schema
**                   version 5 and before, still computed when a sweep stored
**                   with it is resumed, so its runs keep one scenario row.
** The state is the caller's (no global state); the streaming result equals
** hashing each piece at once, however its bytes are split between calls.
*/
#include "traces.h"

#include <string.h>

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL
#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

/* Little-endian loads, whatever the machine's order: the hash is the same
** everywhere, so databases merged from several machines agree. */
static inline uint64_t le64(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint32_t le32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

static inline uint64_t round64(uint64_t acc, uint64_t in) {
    acc += in * P2;
    return rotl(acc, 31) * P1;
}

static inline uint64_t merge64(uint64_t acc, uint64_t v) {
    acc ^= round64(0, v);
    return acc * P1 + P4;
}

/* Starts a piece seeded with the chain value s->h. */
static void piece_start(trc_hash *s) {
    s->v[0] = s->h + P1 + P2;
    s->v[1] = s->h + P2;
    s->v[2] = s->h;
    s->v[3] = s->h - P1;
    s->total = 0;
    s->nmem = 0;
}

static const unsigned char *stripes(uint64_t v[4], const unsigned char *p, size_t n) {
    uint64_t a = v[0], b = v[1], c = v[2], d = v[3];
    for (; n >= 32; n -= 32, p += 32) {
        a = round64(a, le64(p));
        b = round64(b, le64(p + 8));
        c = round64(c, le64(p + 16));
        d = round64(d, le64(p + 24));
    }
    v[0] = a, v[1] = b, v[2] = c, v[3] = d;
    return p;
}

void trc_hash_init(trc_hash *s, trc_hash_alg alg) {
    memset(s, 0, sizeof *s);
    s->alg = alg;
    trc_hash_set(s, alg == TRC_HASH_FNV1A ? FNV_OFFSET : 0);
}

void trc_hash_set(trc_hash *s, uint64_t h) {
    s->h = h;
    if (s->alg == TRC_HASH_XXH64) piece_start(s);
}

void trc_hash_add(trc_hash *s, const void *data, size_t n) {
    const unsigned char *p = data;
    if (s->alg == TRC_HASH_FNV1A) {
        s->h = trc_fnv1a(s->h, p, n);
        return;
    }
    s->total += n;
    if (s->nmem + n < 32) {
        if (n) memcpy(s->mem + s->nmem, p, n);
        s->nmem += (unsigned)n;
        return;
    }
    if (s->nmem) {
        size_t k = 32 - s->nmem;
        memcpy(s->mem + s->nmem, p, k);
        stripes(s->v, s->mem, 32);
        p += k;
        n -= k;
        s->nmem = 0;
    }
    const unsigned char *q = stripes(s->v, p, n);
    n -= (size_t)(q - p);
    if (n) memcpy(s->mem, q, n);
    s->nmem = (unsigned)n;
}

void trc_hash_cut(trc_hash *s) {
    if (s->alg == TRC_HASH_FNV1A) return;
    uint64_t h;
    if (s->total >= 32) {
        h = rotl(s->v[0], 1) + rotl(s->v[1], 7) + rotl(s->v[2], 12) + rotl(s->v[3], 18);
        for (int i = 0; i < 4; i++) h = merge64(h, s->v[i]);
    } else {
        h = s->h + P5;
    }
    h += s->total;
    const unsigned char *p = s->mem;
    size_t n = s->nmem;
    for (; n >= 8; n -= 8, p += 8) h = rotl(h ^ round64(0, le64(p)), 27) * P1 + P4;
    if (n >= 4) {
        h = rotl(h ^ (uint64_t)le32(p) * P1, 23) * P2 + P3;
        p += 4;
        n -= 4;
    }
    for (; n; n--, p++) h = rotl(h ^ *p * P5, 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    trc_hash_set(s, h);
}

uint64_t trc_fnv1a(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

/* A short key as two 64-bit words, the first and the last eight bytes
** (overlapping below 16, four and four below 8; every earlier word folded
** in first), each folded in as XXH64 folds a word, with the length and
** XXH64's avalanche. */
uint64_t trc_key64(uint64_t seed, const void *data, size_t n) {
    const unsigned char *p = data;
    uint64_t h = seed ^ (n * P5), a, b;
    for (; n > 16; n -= 8, p += 8) h = rotl(h ^ round64(0, le64(p)), 27) * P1 + P4;
    if (n >= 8) {
        a = le64(p);
        b = le64(p + n - 8);
    } else if (n >= 4) {
        a = le32(p);
        b = le32(p + n - 4);
    } else {
        a = n ? (uint64_t)p[0] << 16 | (uint64_t)p[n >> 1] << 8 | p[n - 1] : 0;
        b = 0;
    }
    h = rotl(h ^ round64(0, a), 27) * P1 + P4;
    h = rotl(h ^ round64(0, b), 27) * P1 + P4;
    h ^= h >> 33; /* XXH64's avalanche */
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}
