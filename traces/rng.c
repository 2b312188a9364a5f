/*
** rng.c: xoshiro256** (Blackman and Vigna) seeded through splitmix64.
*/
#include "rng.h"

uint64_t trc_splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void trc_rng_seed(trc_rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) r->s[i] = trc_splitmix64(&seed);
}
