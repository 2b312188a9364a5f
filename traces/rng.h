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
uint64_t trc_rng_next(trc_rng *r);
/* Uniform in [0, 1), 53 bits. */
double trc_rng_unit(trc_rng *r);

#endif
