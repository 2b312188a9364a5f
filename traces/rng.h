/*
** rng.h: the project's one random number generator: xoshiro256** seeded
** through splitmix64. Deterministic by construction: the state lives in a
** value the caller owns, so the same seed gives the same stream everywhere
** (simulator, sweeps, synthetic traces).
*/
#ifndef SPOTBENCH_TRACES_RNG_H
#define SPOTBENCH_TRACES_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} trc_rng;

/* splitmix64: advances *x and returns a well-mixed value; good on its own
** for a few draws from a seed. */
uint64_t trc_splitmix64(uint64_t *x);
/* Seeds the state with four splitmix64 values from `seed`. */
void trc_rng_seed(trc_rng *r, uint64_t seed);
/* The next value. Inline: the simulator draws a few per simulated minute. */
static inline uint64_t trc_rng_next(trc_rng *r) {
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5, out = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return out;
}
/* Uniform in [0, 1), 53 bits. */
static inline double trc_rng_unit(trc_rng *r) {
    return (double)(trc_rng_next(r) >> 11) * 0x1.0p-53;
}

#endif
